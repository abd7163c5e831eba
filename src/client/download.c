/*
 * download.c - fetching a target, TUF specification §5.7.
 *
 * The target path is confined to the target folder (no absolute names, no
 * "..", no symlinked folders: tough CVE-2026-6968 class).  Bytes stream
 * through every listed hash as they arrive, into a hidden temporary file in
 * the final folder, which is renamed into place only after the exact length
 * and every hash match (§5.7.3-§5.7.4); the application never sees
 * unverified bytes.  A cached copy is reused only when it verifies.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/client_internal.h"
#include "client/hashpipe.h"
#include "client/partial.h"
#include "client/url.h"
#include "crypto/hash.h"
#include "util/codec.h"
#include "util/fs.h"
#include "util/banned.h"

/* Deepest target path accepted (components). */
#define TARGET_MAX_DEPTH 64

/* Opens (creating) the target folder and the parent folder of the target. */
static int open_dest(rampart_client *c, const rampart_target *t, const char *target_dir, bool create, int *dirfd,
                     int *parentfd, const char **base)
{
    *dirfd = *parentfd = -1;
    if (target_dir == NULL)
        return rerr_set(&c->err, RAMPART_EINVAL, NULL, "no target folder given");
    int rc = rfs_confine_check(t->path, strlen(t->path), TARGET_MAX_DEPTH);
    if (rc != 0)
        return rerr_set(&c->err, RAMPART_EPATH, t->role, "target path '%s' would escape the target folder", t->path);
    rc = rfs_open_dir(target_dir, create, false, dirfd, NULL);
    if (rc != 0)
        return rerr_set(&c->err, rc, NULL, "cannot open target folder %s", target_dir);
    rc = rfs_open_parent(*dirfd, t->path, create, parentfd, base, NULL);
    if (rc != 0) {
        close(*dirfd);
        *dirfd = -1;
        if (rc == RAMPART_EPATH)
            return rerr_set(&c->err, rc, t->role, "target path '%s' passes through a symlink or non-folder", t->path);
        return rerr_set(&c->err, rc, NULL, "cannot open the folder of target '%s'", t->path);
    }
    return 0;
}

static char *join_path(const char *dir, const char *rel)
{
    rbuf b;
    rbuf_init(&b, 1 << 16);
    size_t n = strlen(dir);
    if (rbuf_append(&b, dir, n) != 0 || (n > 0 && dir[n - 1] != '/' && rbuf_append_byte(&b, '/') != 0) ||
        rbuf_append_str(&b, rel) != 0) {
        rbuf_free(&b);
        return NULL;
    }
    return (char *)rbuf_detach(&b, NULL);
}

/* What a file that is not a regular file is, for messages. */
static const char *file_kind(mode_t m)
{
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    if (S_ISDIR(m))
        return "a folder";
    return "not a regular file";
}

static int not_regular(const rampart_target *t, mode_t m, rerr *e)
{
    return rerr_set(e, RAMPART_EPATH, NULL, "'%s' in the target folder is %s, not a regular file: remove it", t->path,
                    file_kind(m));
}

/* Verifies an existing file against the target: regular, exact length, every
 * hash.  ENOTFOUND when there is none or it does not verify (it is then
 * downloaded and replaced, a symlink included); EPATH when something other
 * than a regular file or a symlink is in the way (never replaced: it is not
 * ours). */
static int verify_file(int parentfd, const char *base, const rampart_target *t, rerr *e)
{
    /* §5.7: only a regular file can be a cached copy.  Looked at before it
     * is opened: opening a FIFO blocks until a writer comes (the download
     * would hang), and opening a device can act on it. */
    struct stat sb;
    if (fstatat(parentfd, base, &sb, AT_SYMLINK_NOFOLLOW) != 0 || S_ISLNK(sb.st_mode))
        return RAMPART_ENOTFOUND;
    if (!S_ISREG(sb.st_mode))
        return not_regular(t, sb.st_mode, e);
    /* O_NONBLOCK: should a FIFO take the file's place in between, the open
     * returns at once, and fstat below sees it. */
    int fd = -1;
    if (rfs_open_read(parentfd, base, &fd, NULL) != 0)
        return RAMPART_ENOTFOUND;
    int rc = RAMPART_ENOTFOUND;
    if (fstat(fd, &sb) != 0)
        goto out;
    if (!S_ISREG(sb.st_mode)) {
        rc = not_regular(t, sb.st_mode, e);
        goto out;
    }
    if ((uint64_t)sb.st_size != t->length)
        goto out;
    rhashset hs;
    if ((rc = rhashset_init(&hs, t, e)) != 0)
        goto out;
    uint8_t *buf = rampart_malloc(1 << 20);
    if (buf == NULL) {
        rhashset_free(&hs);
        rc = RAMPART_ENOMEM;
        goto out;
    }
    uint64_t total = 0;
    for (;;) {
        ssize_t r = read(fd, buf, 1 << 20);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = r == 0 ? 0 : RAMPART_EIO;
            break;
        }
        total += (uint64_t)r;
        if (total > t->length || rhashset_update(&hs, buf, (size_t)r) != 0) {
            rc = RAMPART_ENOTFOUND;
            break;
        }
    }
    rampart_free(buf);
    if (rc == 0 && total == t->length)
        rc = rhashset_check(&hs, t, "target", NULL) == 0 ? 0 : RAMPART_ENOTFOUND;
    else if (rc == 0)
        rc = RAMPART_ENOTFOUND;
    rhashset_free(&hs);
out:
    close(fd);
    return rc;
}

int rampart_client_find_cached_target(rampart_client *c, const rampart_target *t, const char *target_dir,
                                      char **path_out)
{
    if (c == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&c->err);
    if (t == NULL || path_out == NULL)
        return rerr_set(&c->err, RAMPART_EINVAL, NULL, "invalid argument");
    int dirfd, parentfd;
    const char *base;
    int rc = open_dest(c, t, target_dir, false, &dirfd, &parentfd, &base);
    if (rc == RAMPART_ENOTFOUND)
        return rerr_set(&c->err, rc, NULL, "'%s' is not cached", t->path);
    if (rc != 0)
        return rc;
    rc = verify_file(parentfd, base, t, &c->err);
    close(parentfd);
    close(dirfd);
    if (rc == RAMPART_ENOTFOUND)
        return rerr_set(&c->err, rc, NULL, "no verified copy of '%s' in %s", t->path, target_dir);
    if (rc == RAMPART_EPATH)
        return rc; /* the message says what is in the way */
    if (rc != 0)
        return rerr_set(&c->err, rc, NULL, "cannot check the cached copy of '%s'", t->path);
    char *p = join_path(target_dir, t->path);
    if (p == NULL)
        return rerr_set(&c->err, RAMPART_ENOMEM, NULL, "out of memory");
    *path_out = p;
    return 0;
}

/* The sink of a target download: into the hash pipe (file + hashes),
 * after the kept bytes of an interrupted download when the mirror sends the
 * rest (a 206 from their end). */
typedef struct tsink {
    rhashpipe *hp;
    uint64_t n;
    uint64_t length;
    rpartial *pp;        /* kept bytes to put first, or NULL */
    bool resumed;        /* the kept bytes were put first */
    bool partial_failed; /* they could not be read */
} tsink;

static int tsink_feed(void *ctx, const uint8_t *p, size_t n)
{
    tsink *s = ctx;
    /* Never past the trusted length, whatever the transport lets through. */
    if (n > s->length - s->n)
        return RAMPART_ETOOLARGE;
    int rc = rhashpipe_feed(s->hp, p, n);
    if (rc == 0)
        s->n += n;
    return rc;
}

static int tsink_begin(void *ctx, uint64_t start)
{
    tsink *s = ctx;
    if (start == UINT64_MAX) {
        s->partial_failed = true; /* the mirror cannot resume it: start again */
        return RAMPART_ENET;
    }
    if (start == 0 || s->pp == NULL || start != s->pp->size || s->n != 0)
        return 0;
    int rc = rpartial_read(s->pp, start, tsink_feed, s);
    if (rc == 0) {
        s->resumed = true;
        return 0;
    }
    /* Some kept bytes may be in the pipe already: this attempt is lost. */
    s->partial_failed = true;
    return RAMPART_ENET;
}

/* §5.7.2: DIR/HASH.BASENAME under consistent snapshots, else the path itself. */
int rclient_target_url(const char *mirror, const rampart_target *t, bool consistent, rbuf *url)
{
    int rc = rbuf_append_str(url, mirror);
    if (rc != 0)
        return rc;
    rslice path = rslice_cstr(t->path);
    if (!consistent)
        return rurl_encode_path(url, path);
    const char *slash = strrchr(t->path, '/');
    size_t dirlen = slash ? (size_t)(slash - t->path) + 1 : 0;
    rc = rurl_encode_path(url, RSLICE(t->path, dirlen));
    if (rc == 0)
        rc = rbuf_append_str(url, t->hex[0]);
    if (rc == 0)
        rc = rbuf_append_byte(url, '.');
    if (rc == 0)
        rc = rurl_encode_path(url, RSLICE(t->path + dirlen, path.n - dirlen));
    return rc;
}

/* After a failed attempt: keeps what arrived for a resumed download when
 * the failure was the network's or the application's (never after bytes
 * that failed a check), else throws it away. */
static void after_failure(rampart_client *c, const rampart_target *t, int rc, const tsink *ts, int prc, rfs_tmp *tmp,
                          int parentfd)
{
    bool keep = (rampart_error_kind(rc) == RAMPART_KIND_TRANSPORT || rc == RAMPART_ECANCELED) && prc == 0 &&
                !ts->partial_failed && ts->n > 0 && ts->n < t->length;
    if (!keep) {
        rfs_tmp_discard(tmp);
        return;
    }
    rpartial pp;
    if (rpartial_open(&pp, c, t, true) == 0)
        rpartial_save(&pp, c, tmp, parentfd, ts->n);
    else
        rfs_tmp_discard(tmp);
    rpartial_close(&pp);
}

/* Stops the hash pipe after a transfer that returned *rc; a write or
 * hash failure becomes *rc when the transfer succeeded.  Returns the
 * pipe's own result. */
static int finish_pipe(rhashpipe *hp, const rampart_target *t, int *rc, rerr *e)
{
    int prc = rhashpipe_finish(hp);
    if (*rc == 0 && prc != 0)
        *rc = rerr_set(e, prc, NULL, "cannot write or hash '%s'", t->path);
    /* A failed write (ENOSPC, EIO) comes back from the transport as the
     * sink's bare code: report the file system's own words (F5). */
    const rerr *we = rhashpipe_write_error(hp);
    if (we->code != 0 && *rc == we->code)
        rerr_set(e, *rc, NULL, "cannot write '%s' to the target folder: %s", t->path, we->message);
    rhashpipe_free(hp);
    return prc;
}

/* One attempt from one mirror.  On success the file is in place.  With
 * `resume`, a kept partial download is continued; *redo tells that it was
 * and failed a check (or could not be read): it is gone, try in full. */
static int download_from(rampart_client *c, rtransport *tp, const char *mirror, const rampart_target *t, int parentfd,
                         const char *base, bool resume, bool *redo, rerr *e)
{
    *redo = false;
    rbuf url;
    rbuf_init(&url, 1 << 16);
    int rc = rclient_target_url(mirror, t, t->consistent, &url);
    if (rc != 0) {
        rbuf_free(&url);
        return rerr_set(e, rc, NULL, "target URL too long");
    }
    rhashset hs;
    rc = rhashset_init(&hs, t, e);
    if (rc != 0) {
        rbuf_free(&url);
        return rc;
    }
    rfs_tmp tmp = {.fd = -1};
    rc = rfs_tmp_open(&tmp, parentfd, 0644, e);
    if (rc != 0) {
        rhashset_free(&hs);
        rbuf_free(&url);
        return rerr_set(e, rc, NULL, "cannot create a temporary file for '%s'", t->path);
    }
    tmp.lazy = !c->sync_targets;
    rhashpipe *hp = NULL;
    rc = rhashpipe_start(&hp, &hs, &tmp, t->length, e);
    if (rc != 0) {
        rfs_tmp_discard(&tmp);
        rhashset_free(&hs);
        rbuf_free(&url);
        return rc;
    }
    rpartial pp;
    if (rpartial_open(&pp, c, t, false) != 0) {
        rhashpipe_free(hp);
        rfs_tmp_discard(&tmp);
        rhashset_free(&hs);
        rbuf_free(&url);
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    if (!resume)
        pp.size = 0; /* kept, unused: replaced by what this attempt receives */
    tsink ts = {hp, 0, t->length, pp.size > 0 ? &pp : NULL, false, false};
    rsink inner = {.write = tsink_feed, .ctx = &ts, .offset = pp.size, .begin = tsink_begin};
    rprogress pg = {c, RAMPART_PROGRESS_TARGET, t->path, 0, t->length, &inner, e, &ts.n};
    rsink sink = rclient_progress_sink(&pg);
    rc = rclient_progress_report(&pg);
    if (rc == 0) {
        rclient_log(c, RAMPART_LOG_DEBUG, "GET %s%s", (const char *)url.data,
                    pp.size > 0 ? " (resumed after the bytes kept from before)" : "");
        /* §5.7.3: read at most `length` bytes (endless data stops at length + 1). */
        rc = tp->get(tp, (const char *)url.data, t->length, &sink, e);
    }
    int prc = finish_pipe(hp, t, &rc, e);
    if (rc == 0 && ts.n != t->length)
        rc = rerr_set(e, RAMPART_EMISMATCH, t->role, "target '%s' is %llu bytes, expected %llu", t->path,
                      (unsigned long long)ts.n, (unsigned long long)t->length);
    if (rc == 0)
        rc = rhashset_check(&hs, t, "target", e);
    if (rc == 0)
        rc = rfs_tmp_commit(&tmp, base, e);
    if (rc == 0 || ts.resumed || ts.partial_failed)
        rpartial_remove(&pp); /* installed, or not to be used again */
    rpartial_close(&pp);
    if (rc != 0 && (ts.partial_failed || (ts.resumed && rclient_is_security_error(rc)))) {
        *redo = true;
        rfs_tmp_discard(&tmp);
    } else if (rc != 0) {
        after_failure(c, t, rc, &ts, prc, &tmp, parentfd);
    }
    rhashset_free(&hs);
    rbuf_free(&url);
    return rc;
}

/* Every attempt on one mirror: retries after transient failures, and one
 * full download after a resumed one that failed a check (*resume then
 * false for the rest of the call). */
static int download_mirror(rampart_client *c, rtransport *tp, const char *mirror, const rampart_target *t, int parentfd,
                           const char *base, bool *resume, rerr *e)
{
    for (unsigned attempt = 0;;) {
        bool redo = false;
        *e = (rerr){0};
        int rc = download_from(c, tp, mirror, t, parentfd, base, *resume, &redo, e);
        if (rc == 0)
            return 0;
        if (redo && *resume) {
            rclient_log(c, RAMPART_LOG_WARN, "%s: the resumed download did not verify (%s): downloading it in full",
                        t->path, e->message);
            *resume = false;
            continue;
        }
        if (!rclient_retry(c, rc, attempt++, t->path, e))
            return rc;
    }
}

int rampart_client_download_target(rampart_client *c, const rampart_target *t, const char *target_dir, char **path_out)
{
    if (c == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&c->err);
    if (t == NULL)
        return rerr_set(&c->err, RAMPART_EINVAL, NULL, "invalid argument");
    if (c->nturls == 0)
        return rerr_set(&c->err, RAMPART_EINVAL, NULL, "no target mirror configured");
    /* Release provenance (rampart/provenance.h), judged before the target's
     * bytes are fetched or a cached copy is reused: a target the policy
     * refuses never reaches the folder. */
    int rc = rclient_prov_check(c, t);
    if (rc != 0)
        return rc;
    int dirfd, parentfd;
    const char *base;
    rc = open_dest(c, t, target_dir, true, &dirfd, &parentfd, &base);
    if (rc != 0)
        return rc;
    /* Leftovers of interrupted downloads (untouched for an hour: another
     * client may be writing its own temporary file here right now). */
    if (rfs_remove_stale_tmp(parentfd, 3600, NULL) != 0)
        rclient_log(c, RAMPART_LOG_WARN, "could not clean up old temporary files beside '%s'", t->path);
    /* §5.7 / S52: a verified cached copy is kept as it is, untouched. */
    rc = verify_file(parentfd, base, t, &c->err);
    if (rc == 0) {
        rclient_log(c, RAMPART_LOG_INFO, "%s: cached copy verified", t->path);
    } else if (rc == RAMPART_ENOTFOUND) {
        rtransport *tp;
        rc = rclient_transport(c, &tp);
        bool resume = true;
        int best = 0;
        rerr best_err = {0};
        for (size_t m = 0; rc == 0 && m < c->nturls; m++) {
            rerr me = {0};
            int mrc = download_mirror(c, tp, c->turls[m], t, parentfd, base, &resume, &me);
            if (mrc == 0) {
                best = 0;
                break;
            }
            if (mrc == RAMPART_ENOMEM || mrc == RAMPART_EIO || mrc == RAMPART_ECANCELED) {
                best = mrc;
                best_err = me;
                break;
            }
            if (c->nturls > 1)
                rclient_log(c, RAMPART_LOG_WARN, "mirror %s: %s: %s", c->turls[m], t->path, me.message);
            if (rclient_error_outranks(mrc, best)) {
                best = mrc;
                best_err = me;
            }
        }
        if (rc == 0 && best != 0) {
            c->err = best_err;
            rc = best;
        }
    }
    close(parentfd);
    close(dirfd);
    if (rc != 0)
        return rc;
    if (path_out != NULL) {
        char *p = join_path(target_dir, t->path);
        if (p == NULL)
            return rerr_set(&c->err, RAMPART_ENOMEM, NULL, "out of memory");
        *path_out = p;
    }
    return 0;
}
