/* store.c - the client's metadata folder (see store.h). */
#include <unistd.h>

#include "client/store.h"
#include "client/url.h"
#include "util/fs.h"
#include "util/banned.h"

int rstore_open(rstore *s, const char *dir, bool create, unsigned lock_timeout_ms, rerr *e)
{
    s->dirfd = s->lockfd = -1;
    int rc = rfs_open_dir(dir, create, true, &s->dirfd, e);
    if (rc == 0)
        rc = rfs_lock(s->dirfd, RSTORE_LOCK_NAME, lock_timeout_ms, &s->lockfd, e);
    if (rc == RAMPART_ELOCKED)
        rc = rerr_set(e, rc, NULL, "metadata folder %s is in use by another updater", dir);
    if (rc != 0) {
        rstore_close(s);
        return rc;
    }
    /* Holding the lock: temporary files here are leftovers of an
     * interrupted update (best effort; they are never read). */
    rerr ignored = {0};
    if (rfs_remove_stale_tmp(s->dirfd, 0, &ignored) != 0)
        ignored.code = 0; /* best effort: a leftover is never read as metadata */
    return 0;
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
