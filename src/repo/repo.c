/* repo.c - the repository handle: open, init, configuration (rampart/repo.h). */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "repo/repo_internal.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/rtime.h"
#include "util/banned.h"

static const char *const dir_names[RDIR_COUNT] = {"staged", "dirty",  "blobs",           "roots",
                                                  "state",  "public", "public/metadata", "public/targets"};

/* The parentheses keep the analyser's macro (repo_internal.h) off the name. */
int(rrepo_fail)(rampart_repo *r, int code, const char *role, const char *fmt, ...)
{
    char msg[sizeof(r->err.message)];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap); /* a message: cut to fit */
    va_end(ap);
    return rerr_set(&r->err, code, role, "%s", msg);
}

int64_t rrepo_now(rampart_repo *r)
{
    int64_t t = 0;
    if (r->fixed_now != 0)
        return r->fixed_now;
    if (rtime_now(&t) != 0)
        t = 0;
    return t;
}

void rampart_repo_set_time(rampart_repo *r, long long now)
{
    if (r != NULL)
        r->fixed_now = now;
}

const rampart_error *rampart_repo_last_error(const rampart_repo *r)
{
    return r != NULL ? &r->err : NULL;
}

int rampart_repo_add_signer(rampart_repo *r, rampart_signer *s)
{
    if (r == NULL || s == NULL)
        return RAMPART_EINVAL;
    size_t sz;
    if (!rsize_mul(r->nsigners + 1, sizeof(*r->signers), &sz)) // NOLINT(bugprone-sizeof-expression): pointers
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    rampart_signer **n = rampart_realloc(r->signers, sz);
    if (n == NULL)
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    r->signers = n;
    r->signers[r->nsigners++] = s;
    return 0;
}

long long rrepo_period(rampart_repo *r, const char *role)
{
    json_t *ex = json_object_get(r->config, "expires");
    const char *key = rrepo_is_toplevel(role) ? role : "delegated";
    json_int_t v = json_integer_value(json_object_get(ex, key));
    return v > 0 ? (long long)v : RAMPART_REPO_TARGETS_EXPIRES;
}

void rampart_repo_free(rampart_repo *r)
{
    if (r == NULL)
        return;
    rrepo_drop_cache(r);
    rampart_free(r->roles);
    for (int i = 0; i < RDIR_COUNT; i++)
        if (r->fds[i] >= 0)
            close(r->fds[i]);
    for (int i = 0; i < 256; i++)
        if (r->blobdirs[i] >= 0)
            close(r->blobdirs[i]);
    if (r->keptfd >= 0)
        close(r->keptfd);
    if (r->logfd >= 0)
        close(r->logfd);
    if (r->publogfd >= 0)
        close(r->publogfd);
    if (r->lockfd >= 0)
        close(r->lockfd);
    if (r->dirfd >= 0)
        close(r->dirfd);
    json_decref(r->config);
    json_decref(r->published);
    rampart_free(r->signers);
    rampart_free(r->dir);
    rampart_free(r);
}

void rrepo_reset_fds(rampart_repo *r)
{
    r->dirfd = r->lockfd = r->keptfd = r->logfd = r->publogfd = -1;
    for (int i = 0; i < RDIR_COUNT; i++)
        r->fds[i] = -1;
    for (int i = 0; i < 256; i++)
        r->blobdirs[i] = -1;
}

int rrepo_blobdir(rampart_repo *r, unsigned b, int *fd)
{
    if (b > 255)
        return rrepo_fail(r, RAMPART_EINVAL, NULL, "bad blob folder");
    if (r->blobdirs[b] < 0) {
        char name[3];
        (void)snprintf(name, sizeof(name), "%02x", b); /* b <= 255: two digits */
        int rc = rfs_open_subdir(r->fds[RDIR_BLOBS], name, true, 0755, &r->blobdirs[b], &r->err);
        if (rc != 0)
            return rc;
    }
    *fd = r->blobdirs[b];
    return 0;
}

static rampart_repo *repo_alloc(const char *dir)
{
    rampart_repo *r = rampart_calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    rrepo_reset_fds(r);
    r->dir = rampart_strndup(dir, strlen(dir));
    if (r->dir == NULL) {
        rampart_free(r);
        return NULL;
    }
    return r;
}

/* Checks the configuration's shape once, so later code may rely on it. */
static int check_config(rampart_repo *r, json_t *c)
{
    json_t *ex = json_object_get(c, "expires");
    json_t *hashes = json_object_get(c, "hashes");
    json_t *del = json_object_get(c, "delegations");
    json_t *bins = json_object_get(c, "bins");
    if (!json_is_object(c) || !json_is_string(json_object_get(c, "format")) ||
        strcmp(json_string_value(json_object_get(c, "format")), RREPO_FORMAT) != 0 ||
        json_integer_value(json_object_get(c, "format_version")) != 1 || !json_is_object(ex) ||
        !json_is_array(hashes) || !json_is_object(del) || !json_is_array(bins))
        return rrepo_fail(r, RAMPART_EFORMAT, NULL, "%s/" RREPO_CONFIG " is not a rampart repository configuration",
                          r->dir);
    const char *k;
    json_t *v;
    json_object_foreach(del, k, v)
    {
        if (!json_is_string(v) || rrepo_check_name(r, k) != 0)
            return rrepo_fail(r, RAMPART_EFORMAT, NULL, "bad delegation entry in " RREPO_CONFIG);
    }
    size_t i;
    json_array_foreach(bins, i, v)
    {
        json_int_t bits = json_integer_value(json_object_get(v, "bit_length"));
        if (!json_is_string(json_object_get(v, "delegator")) || !json_is_string(json_object_get(v, "name_prefix")) ||
            bits < 1 || bits > 16)
            return rrepo_fail(r, RAMPART_EFORMAT, NULL, "bad bins entry in " RREPO_CONFIG);
    }
    return 0;
}

/* The repository's own folders; public/ (what is served) is opened, and
 * made again when missing, by rrepo_public_open(). */
static int open_dirs(rampart_repo *r, bool create)
{
    for (int i = 0; i < RDIR_PUBLIC; i++) {
        int rc = rfs_open_subdir(r->dirfd, dir_names[i], create, 0755, &r->fds[i], &r->err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int rrepo_public_open(rampart_repo *r, bool *created)
{
    bool made = false;
    for (int i = RDIR_PUBLIC; i < RDIR_COUNT; i++) {
        if (r->fds[i] >= 0)
            continue;
        int base = i == RDIR_PUBLIC ? r->dirfd : r->fds[RDIR_PUBLIC];
        const char *name = i == RDIR_PUBLIC ? dir_names[i] : dir_names[i] + strlen("public/");
        made = made || !rfs_exists_at(base, name);
        int rc = rfs_open_subdir(base, name, true, 0755, &r->fds[i], &r->err);
        if (rc != 0)
            return rc;
    }
    if (created != NULL)
        *created = made;
    return 0;
}

void rampart_repo_set_notice(rampart_repo *r, void (*fn)(void *ctx, const char *line), void *ctx)
{
    if (r == NULL)
        return;
    r->notice = fn;
    r->notice_ctx = ctx;
}

void rrepo_notice(rampart_repo *r, const char *fmt, ...)
{
    if (r->notice == NULL)
        return;
    char line[sizeof(r->err.message)];
    char safe[sizeof(line)];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(line, sizeof(line), fmt, ap); /* a notice: cut to fit */
    va_end(ap);
    rampart_sanitize(safe, sizeof(safe), line, strlen(line));
    r->notice(r->notice_ctx, safe);
}

static int repo_open_fd(rampart_repo *r, bool create)
{
    int rc = rfs_open_dir(r->dir, create, false, &r->dirfd, &r->err);
    if (rc == RAMPART_ENOTFOUND)
        return rrepo_fail(r, rc, NULL, "no repository at %s", r->dir);
    if (rc == 0)
        rc = rfs_lock(r->dirfd, ".lock", RREPO_LOCK_TIMEOUT_MS, &r->lockfd, &r->err);
    if (rc == RAMPART_ELOCKED)
        return rrepo_fail(r, rc, NULL, "the repository is locked by another rampart process (lock file .lock)");
    return rc;
}

int rrepo_init_dirs(rampart_repo *r)
{
    int rc = repo_open_fd(r, true);
    if (rc == 0)
        rc = open_dirs(r, true);
    if (rc == 0)
        rc = rrepo_public_open(r, NULL);
    /* A new repository serves copies from its first publish on. */
    if (rc == 0 && !rfs_exists_at(r->fds[RDIR_STATE], RREPO_SERVED_COPIES))
        rc = rfs_write_nosync(r->fds[RDIR_STATE], RREPO_SERVED_COPIES, "", 0, 0644, &r->err);
    return rc;
}

int rampart_repo_open(rampart_repo **out, const char *dir, rampart_error *err)
{
    rerr_clear(err);
    if (out == NULL || dir == NULL)
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    rampart_repo *r = repo_alloc(dir);
    if (r == NULL)
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    int rc = repo_open_fd(r, false);
    if (rc == 0) {
        rc = rrepo_read_json(r, r->dirfd, RREPO_CONFIG, &r->config);
        if (rc == RAMPART_ENOTFOUND)
            rc = rrepo_fail(r, rc, NULL, "%s is not a rampart repository (no " RREPO_CONFIG ")", dir);
    }
    if (rc == 0)
        rc = check_config(r, r->config);
    if (rc == 0)
        rc = open_dirs(r, false);
    if (rc != 0) {
        if (err != NULL)
            *err = r->err;
        rampart_repo_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int rrepo_read_json(rampart_repo *r, int dirfd, const char *name, json_t **out)
{
    rbuf b;
    rbuf_init(&b, RREPO_MD_MAX);
    int rc = rfs_read_file(dirfd, name, &b, NULL);
    if (rc == RAMPART_ENOTFOUND) {
        rbuf_free(&b);
        return rc; /* callers decide whether absence is an error */
    }
    if (rc != 0)
        rc = rrepo_fail(r, rc, NULL, "cannot read %s in %s", name, r->dir);
    if (rc == 0 && rjson_parse(b.data, b.len, RREPO_MD_MAX, out, &r->err) != 0)
        rc = rrepo_fail(r, RAMPART_EFORMAT, NULL, "%s in %s is damaged: %s", name, r->dir, r->err.message);
    rbuf_free(&b);
    return rc;
}

int rrepo_write_json(rampart_repo *r, int dirfd, const char *name, const json_t *v, bool sync)
{
    rbuf b;
    rbuf_init(&b, RREPO_MD_MAX);
    int rc = rrepo_file_bytes(r, v, &b);
    if (rc == 0)
        rc = sync ? rfs_write_atomic(dirfd, name, b.data, b.len, 0644, &r->err)
                  : rfs_write_nosync(dirfd, name, b.data, b.len, 0644, &r->err);
    rbuf_free(&b);
    return rc;
}

int rrepo_set_expires(rampart_repo *r, json_t *sgn, long long period)
{
    char buf[RTIME_STR_LEN + 1];
    int64_t t;
    if (__builtin_add_overflow(rrepo_now(r), (int64_t)period, &t) || rtime_format(t, buf) != 0)
        return rrepo_fail(r, RAMPART_EINVAL, NULL, "expiry period %lld is out of range", period);
    if (json_object_set_new(sgn, "expires", json_string(buf)) != 0)
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    return 0;
}

json_t *rrepo_skeleton(rampart_repo *r, const char *type, long long period)
{
    json_t *o = json_pack("{s:s,s:s,s:I}", "_type", type, "spec_version", RREPO_SPEC_VERSION, "version", (json_int_t)1);
    if (o != NULL && rrepo_set_expires(r, o, period) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}
