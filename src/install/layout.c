/* layout.c - the install root: versions/, the current and previous links, records, recovery, pruning. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "install/install_internal.h"
#include "util/codec.h"
#include "util/fs.h"
#include "util/banned.h"

#define RANDOM_BYTES 16
#define MAX_VERSIONS 4096 /* folders of versions/ looked at when pruning */
#define RECORD_MAX 512

int rinst_root_open(rinst_root *r, const char *path, unsigned lock_timeout_ms, rerr *e)
{
    rinst_root t = {-1, -1, -1};
    int rc = rfs_open_dir(path, true, false, &t.fd, e);
    if (rc == 0)
        rc = rfs_lock(t.fd, RINST_LOCK, lock_timeout_ms, &t.lock_fd, e);
    if (rc == RAMPART_ELOCKED)
        rc = rerr_set(e, RAMPART_ELOCKED, NULL, "install folder '%s' is locked by another installer", path);
    if (rc == 0)
        rc = rfs_open_subdir(t.fd, RINST_VERSIONS, true, 0755, &t.versions_fd, e);
    if (rc != 0) {
        rinst_root_close(&t);
        return rc;
    }
    *r = t;
    return 0;
}

void rinst_root_close(rinst_root *r)
{
    if (r->versions_fd >= 0)
        close(r->versions_fd);
    if (r->lock_fd >= 0)
        close(r->lock_fd);
    if (r->fd >= 0)
        close(r->fd);
    r->fd = r->versions_fd = r->lock_fd = -1;
}

int rinst_random_name(char *out, const char *prefix, rerr *e)
{
    uint8_t rnd[RANDOM_BYTES];
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        return rerr_set(e, RAMPART_EIO, NULL, "getrandom failed");
    size_t n = strlen(prefix);
    memcpy(out, prefix, n);
    rhex_encode(out + n, rnd, sizeof(rnd));
    out[n + 2 * sizeof(rnd)] = '\0';
    return 0;
}

int rinst_private_file(const rinst_root *r, int *fd, rerr *e)
{
    *fd = openat(r->fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    return *fd >= 0 ? 0 : rfs_fail_as(e, RAMPART_EIO, errno, "cannot create a private copy in", "the install folder");
}

int rinst_link_get(const rinst_root *r, const char *name, char *out, bool *present, rerr *e)
{
    char buf[RINST_VERSION_MAX + 16];
    ssize_t n = readlinkat(r->fd, name, buf, sizeof(buf));
    if (n < 0 && errno == ENOENT) {
        *present = false;
        return 0;
    }
    if (n < 0)
        return rfs_fail(e, errno, "cannot read link", name);
    const size_t plen = strlen(RINST_VERSIONS "/");
    if ((size_t)n >= sizeof(buf) || (size_t)n <= plen || memcmp(buf, RINST_VERSIONS "/", plen) != 0 ||
        rinst_semver_check(buf + plen, (size_t)n - plen, NULL) != 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "link '%s' does not name a version folder", name);
    memcpy(out, buf + plen, (size_t)n - plen);
    out[(size_t)n - plen] = '\0';
    *present = true;
    return 0;
}

static int sync_dir(int fd, const char *what, rerr *e)
{
    if (fsync(fd) != 0)
        return rfs_fail_as(e, RAMPART_EIO, errno, "cannot fsync", what);
    return 0;
}

int rinst_link_set(const rinst_root *r, const char *name, const char *version, rerr *e)
{
    if (version == NULL) {
        if (unlinkat(r->fd, name, 0) != 0 && errno != ENOENT)
            return rfs_fail_as(e, RAMPART_EIO, errno, "cannot remove link", name);
        return sync_dir(r->fd, "the install folder", e);
    }
    char target[RINST_VERSION_MAX + 16], tmp[64];
    int n = snprintf(target, sizeof(target), RINST_VERSIONS "/%s", version);
    if (n < 0 || (size_t)n >= sizeof(target))
        return rerr_set(e, RAMPART_EINVAL, NULL, "version too long");
    int rc = rinst_random_name(tmp, RFS_TMP_PREFIX, e);
    if (rc != 0)
        return rc;
    if (symlinkat(target, r->fd, tmp) != 0)
        return rfs_fail_as(e, RAMPART_EIO, errno, "cannot create link", tmp);
    RFS_CRASHPOINT("install: new link made, before rename");
    if (renameat(r->fd, tmp, r->fd, name) != 0) {
        int err = errno;
        (void)unlinkat(r->fd, tmp, 0); /* best effort; a leftover is cleaned up next time */
        return rfs_fail_as(e, RAMPART_EIO, err, "cannot replace link", name);
    }
    RFS_CRASHPOINT("install: link renamed, before folder fsync");
    return sync_dir(r->fd, "the install folder", e);
}

int rinst_record_get(const rinst_root *r, const char *name, char *out, size_t cap, bool *present, rerr *e)
{
    rbuf b;
    rbuf_init(&b, RECORD_MAX);
    int rc = rfs_read_file(r->fd, name, &b, e);
    if (rc == RAMPART_ENOTFOUND) {
        rbuf_free(&b);
        *present = false;
        return 0;
    }
    if (rc != 0) {
        rbuf_free(&b);
        return rc;
    }
    size_t n = 0;
    while (n < b.len && b.data[n] != '\n')
        n++;
    if (n >= cap) {
        rbuf_free(&b);
        return rerr_set(e, RAMPART_EFORMAT, NULL, "record '%s' is too long", name);
    }
    memcpy(out, b.data, n);
    out[n] = '\0';
    rbuf_free(&b);
    *present = true;
    return 0;
}

int rinst_record_set(const rinst_root *r, const char *name, const char *text, rerr *e)
{
    if (text == NULL) {
        int rc = rfs_remove_at(r->fd, name, e);
        return rc != 0 ? rc : sync_dir(r->fd, "the install folder", e);
    }
    return rfs_write_atomic(r->fd, name, text, strlen(text), 0644, e);
}

/* Removes everything below folder fd (which it closes), depth first. */
// NOLINTNEXTLINE(misc-no-recursion): bounded by the depth check (2 * RFS_MAX_DEPTH)
static int empty_tree(int fd, unsigned depth, rerr *e)
{
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        int err = errno;
        close(fd);
        return rfs_fail_as(e, RAMPART_EIO, err, "cannot list a folder to remove", NULL);
    }
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (unlinkat(dirfd(d), de->d_name, 0) == 0)
            continue;
        if (errno != EISDIR && errno != EPERM) {
            rc = rfs_fail_as(e, RAMPART_EIO, errno, "cannot remove", de->d_name);
            break;
        }
        if (depth >= RFS_MAX_DEPTH * 2) {
            rc = rerr_set(e, RAMPART_EIO, NULL, "folder tree too deep to remove");
            break;
        }
        int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0) {
            rc = rfs_fail_as(e, RAMPART_EIO, errno, "cannot open folder to remove", de->d_name);
            break;
        }
        rc = empty_tree(sub, depth + 1, e);
        if (rc == 0 && unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) != 0)
            rc = rfs_fail_as(e, RAMPART_EIO, errno, "cannot remove folder", de->d_name);
        rewinddir(d);
    }
    closedir(d);
    return rc;
}

/* Removes tree `name` of folder `dirfd` (a folder, or a file). */
static int remove_tree(int dirfd, const char *name, rerr *e)
{
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
            return 0;
        return rfs_fail_as(e, RAMPART_EIO, errno, "cannot remove", name);
    }
    int rc = empty_tree(fd, 0, e);
    if (rc == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
        rc = rfs_fail_as(e, RAMPART_EIO, errno, "cannot remove folder", name);
    return rc;
}

int rinst_version_remove(const rinst_root *r, const char *name, rerr *e)
{
    char trash[64];
    int rc = rinst_random_name(trash, RINST_TRASH_PREFIX, e);
    if (rc != 0)
        return rc;
    if (renameat(r->versions_fd, name, r->versions_fd, trash) != 0) {
        if (errno == ENOENT)
            return 0;
        return rfs_fail_as(e, RAMPART_EIO, errno, "cannot move away version", name);
    }
    rc = sync_dir(r->versions_fd, "versions", e);
    RFS_CRASHPOINT("install: version moved to trash");
    return rc != 0 ? rc : remove_tree(r->versions_fd, trash, e);
}

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

/* Names of a folder, read at once (the caller removes entries meanwhile). */
typedef struct names {
    char (*v)[256];
    size_t n;
} names;

static int list_names(int fd, names *out, rerr *e)
{
    int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
    if (d == NULL) {
        int err = errno;
        if (dup_fd >= 0)
            close(dup_fd);
        return rfs_fail_as(e, RAMPART_EIO, err, "cannot list", NULL);
    }
    rewinddir(d);
    names t = {rampart_calloc(MAX_VERSIONS, sizeof(*t.v)), 0};
    if (t.v == NULL) {
        closedir(d);
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL && t.n < MAX_VERSIONS) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 || strlen(de->d_name) >= 256)
            continue;
        memcpy(t.v[t.n++], de->d_name, strlen(de->d_name) + 1);
    }
    closedir(d);
    *out = t;
    return 0;
}

int rinst_clean_leftovers(const rinst_root *r, rerr *e)
{
    names ns;
    int rc = list_names(r->versions_fd, &ns, e);
    for (size_t i = 0; rc == 0 && i < ns.n; i++)
        if (has_prefix(ns.v[i], RINST_STAGING_PREFIX) || has_prefix(ns.v[i], RINST_TRASH_PREFIX) ||
            has_prefix(ns.v[i], RFS_TMP_PREFIX))
            rc = remove_tree(r->versions_fd, ns.v[i], e);
    if (rc == 0)
        rampart_free(ns.v);
    else
        return rc;
    rc = list_names(r->fd, &ns, e);
    for (size_t i = 0; rc == 0 && i < ns.n; i++)
        if (has_prefix(ns.v[i], RFS_TMP_PREFIX) && unlinkat(r->fd, ns.v[i], 0) != 0 && errno != ENOENT)
            rc = rfs_fail_as(e, RAMPART_EIO, errno, "cannot remove", ns.v[i]);
    if (rc == 0)
        rampart_free(ns.v);
    return rc;
}

int rinst_prune(const rinst_root *r, unsigned keep, rerr *e)
{
    char cur[RINST_VERSION_MAX + 1] = "", prev[RINST_VERSION_MAX + 1] = "";
    bool hc = false, hp = false;
    int rc = rinst_link_get(r, RINST_CURRENT, cur, &hc, e);
    if (rc == 0)
        rc = rinst_link_get(r, RINST_PREVIOUS, prev, &hp, e);
    names ns = {0};
    if (rc == 0)
        rc = list_names(r->versions_fd, &ns, e);
    if (rc != 0)
        return rc;
    unsigned kept = (hc ? 1u : 0u) + (hp && strcmp(prev, cur) != 0 ? 1u : 0u);
    /* The highest versions other than current and previous, until `keep`. */
    for (;;) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < ns.n; i++) {
            const char *v = ns.v[i];
            if (v[0] == '\0' || rinst_semver_check(v, strlen(v), NULL) != 0)
                continue;
            if ((hc && strcmp(v, cur) == 0) || (hp && strcmp(v, prev) == 0)) {
                ns.v[i][0] = '\0';
                continue;
            }
            if (best == SIZE_MAX || rinst_semver_cmp(v, ns.v[best]) > 0)
                best = i;
        }
        if (best == SIZE_MAX)
            break;
        if (kept < keep)
            kept++;
        else if ((rc = rinst_version_remove(r, ns.v[best], e)) != 0)
            break;
        ns.v[best][0] = '\0';
    }
    rampart_free(ns.v);
    return rc;
}
