/* store.c - the client's metadata folder (see store.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "client/store.h"
#include "client/url.h"
#include "util/fs.h"
#include "util/banned.h"

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int rstore_open(rstore *s, const char *dir, bool create, unsigned lock_timeout_ms, rerr *e)
{
    s->dirfd = s->lockfd = -1;
    int rc = rfs_open_dir(dir, create, true, &s->dirfd, e);
    if (rc != 0)
        return rc;
    s->lockfd = openat(s->dirfd, RSTORE_LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (s->lockfd < 0) {
        rc = rerr_set(e, RAMPART_EIO, NULL, "cannot create the lock file in %s: %s", dir, strerror(errno));
        rstore_close(s);
        return rc;
    }
    /* Poll a non-blocking lock so the wait is bounded. */
    for (unsigned waited = 0;; waited += 20) {
        if (flock(s->lockfd, LOCK_EX | LOCK_NB) == 0) {
            /* Holding the lock: temporary files here are leftovers of an
             * interrupted update (best effort; they are never read). */
            rerr ignored = {0};
            if (rfs_remove_stale_tmp(s->dirfd, 0, &ignored) != 0)
                ignored.code = 0; /* best effort: a leftover is never read as metadata */
            return 0;
        }
        if (errno != EWOULDBLOCK && errno != EINTR) {
            rc = rerr_set(e, RAMPART_EIO, NULL, "cannot lock %s: %s", dir, strerror(errno));
            break;
        }
        if (waited >= lock_timeout_ms) {
            rc = rerr_set(e, RAMPART_ELOCKED, NULL, "metadata folder %s is in use by another updater", dir);
            break;
        }
        sleep_ms(20);
    }
    rstore_close(s);
    return rc;
}

void rstore_close(rstore *s)
{
    if (s->lockfd >= 0)
        close(s->lockfd); /* closing drops the flock */
    if (s->dirfd >= 0)
        close(s->dirfd);
    s->lockfd = s->dirfd = -1;
}

int rstore_role_file(rbuf *out, const char *role)
{
    int rc = rurl_encode_all(out, rslice_cstr(role));
    if (rc == 0)
        rc = rbuf_append_str(out, ".json");
    /* A buffer capped at the name limit overflows with ETOOLARGE: the name is too long all the same. */
    if (rc == RAMPART_ETOOLARGE || (rc == 0 && out->len > RSTORE_NAME_MAX))
        rc = RAMPART_EPATH;
    return rc;
}

int rstore_read(rstore *s, const char *fname, size_t max, uint8_t **data, size_t *len, rerr *e)
{
    rbuf b;
    rbuf_init(&b, max);
    int rc = rfs_read_file(s->dirfd, fname, &b, e);
    if (rc != 0) {
        rbuf_free(&b);
        return rc;
    }
    uint8_t *d = rbuf_detach(&b, len);
    if (d == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    *data = d;
    return 0;
}

int rstore_write(rstore *s, const char *fname, rslice bytes, rerr *e)
{
    return rfs_write_atomic(s->dirfd, fname, bytes.p, bytes.n, 0644, e);
}

int rstore_remove(rstore *s, const char *fname, rerr *e)
{
    return rfs_remove_at(s->dirfd, fname, e);
}
