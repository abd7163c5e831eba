/* disk_state.c - disk checks of the fault-injection tests (see disk_state.h). */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "disk_state.h"
#include "util/fs.h"

static bool fail(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
    return false;
}

static bool is_tmp(const char *name)
{
    return strncmp(name, RFS_TMP_PREFIX, strlen(RFS_TMP_PREFIX)) == 0;
}

long long ds_role_version(const char *dir, sim *s, const char *role)
{
    char name[512];
    snprintf(name, sizeof(name), "%s.json", role);
    size_t len;
    uint8_t *got = sim_read_file(dir, name, &len);
    if (got == NULL)
        return 0;
    long long found = -1;
    for (int64_t v = 1; v <= sim_version(s, role) && found < 0; v++) {
        size_t plen;
        const uint8_t *pub = sim_version_bytes(s, role, v, &plen);
        if (pub != NULL && plen == len && memcmp(pub, got, len) == 0)
            found = v;
    }
    free(got);
    return found;
}

bool ds_metadata_ok(const char *dir, sim *s, bool allow_tmp, char *why, size_t whylen)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return fail(why, whylen, "cannot open %s", dir);
    bool ok = true;
    struct dirent *ent;
    while (ok && (ent = readdir(d)) != NULL) {
        const char *n = ent->d_name;
        size_t nl = strlen(n);
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || strcmp(n, ".rampart.lock") == 0)
            continue;
        if (is_tmp(n)) {
            if (!allow_tmp)
                ok = fail(why, whylen, "temporary file %s left in the metadata folder", n);
            continue;
        }
        if (nl < 6 || strcmp(n + nl - 5, ".json") != 0) {
            ok = fail(why, whylen, "unexpected file %s in the metadata folder", n);
            continue;
        }
        char role[256];
        snprintf(role, sizeof(role), "%.*s", (int)(nl - 5), n);
        long long v = ds_role_version(dir, s, role);
        if (v < 0)
            ok = fail(why, whylen, "%s matches no published version of %s", n, role);
    }
    closedir(d);
    return ok;
}

static bool targets_walk(const char *dir, const char *rel, const char *const *paths, const void *const *data,
                         const size_t *lens, size_t n, bool allow_tmp, char *why, size_t whylen)
{
    char full[4096];
    snprintf(full, sizeof(full), "%s%s%s", dir, rel[0] ? "/" : "", rel);
    DIR *d = opendir(full);
    if (d == NULL)
        return fail(why, whylen, "cannot open %s", full);
    bool ok = true;
    struct dirent *ent;
    while (ok && (ent = readdir(d)) != NULL) {
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
            continue;
        char sub[4096], p[8400];
        snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", ent->d_name);
        snprintf(p, sizeof(p), "%s/%s", dir, sub);
        struct stat st;
        if (lstat(p, &st) != 0) {
            ok = fail(why, whylen, "cannot stat %s", p);
        } else if (S_ISDIR(st.st_mode)) {
            ok = targets_walk(dir, sub, paths, data, lens, n, allow_tmp, why, whylen);
        } else if (is_tmp(ent->d_name)) {
            if (!allow_tmp)
                ok = fail(why, whylen, "temporary file %s left in the target folder", sub);
        } else {
            size_t i = 0;
            while (i < n && strcmp(paths[i], sub) != 0)
                i++;
            if (i == n) {
                ok = fail(why, whylen, "unexpected file %s in the target folder", sub);
            } else {
                size_t len;
                uint8_t *got = sim_read_file(dir, sub, &len);
                if (got == NULL || len != lens[i] || memcmp(got, data[i], len) != 0)
                    ok = fail(why, whylen, "%s is not the complete target (%zu of %zu bytes)", sub,
                              got ? len : (size_t)0, lens[i]);
                free(got);
            }
        }
    }
    closedir(d);
    return ok;
}

bool ds_targets_ok(const char *dir, const char *const *paths, const void *const *data, const size_t *lens, size_t n,
                   bool allow_tmp, char *why, size_t whylen)
{
    return targets_walk(dir, "", paths, data, lens, n, allow_tmp, why, whylen);
}

static size_t count_tmp_in(const char *path)
{
    DIR *d = opendir(path);
    if (d == NULL)
        return 0;
    size_t count = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
            continue;
        char p[4096];
        snprintf(p, sizeof(p), "%s/%s", path, ent->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            count += count_tmp_in(p);
        else if (is_tmp(ent->d_name))
            count++;
    }
    closedir(d);
    return count;
}

size_t ds_count_tmp(const char *dir)
{
    return count_tmp_in(dir);
}

void ds_clear(const char *dir)
{
    sim_rmtree(dir);
    if (mkdir(dir, 0700) != 0) {
        perror(dir);
        abort();
    }
}

void ds_put_role(const char *dir, sim *s, const char *role, long long v)
{
    size_t len;
    const uint8_t *b = sim_version_bytes(s, role, v, &len);
    if (b == NULL) {
        fprintf(stderr, "disk_state: no version %lld of %s\n", v, role);
        abort();
    }
    char name[512];
    snprintf(name, sizeof(name), "%s.json", role);
    sim_write_file(dir, name, b, len);
}
