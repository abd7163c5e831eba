/*
 * hashpipe.c - see hashpipe.h.  The network thread copies arriving bytes
 * into buffers round robin; a full buffer is queued for the worker thread,
 * which hashes it and then writes it to the temporary file.  A buffer is
 * refilled only after the worker is done with it, so at most RHASHPIPE_BUFS
 * buffers ever exist.  The network thread thus only receives and copies:
 * hashing and the file writes (the page-cache copy, and the writeback kicks
 * of a synced download) run beside it on the second core.
 */
#include <pthread.h>
#include <string.h>

#include "client/hashpipe.h"
#include "util/banned.h"

struct rhashpipe {
    rhashset *hs;
    rfs_tmp *tmp;
    bool threaded, sync_ready, started;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint8_t *buf[RHASHPIPE_BUFS];
    size_t len[RHASHPIPE_BUFS];
    unsigned cur;      /* buffer being filled */
    size_t curlen;
    unsigned inflight; /* queued or being hashed; the oldest is (cur - inflight) mod N */
    bool stop;
    int err;           /* first error, from either thread */
    rerr werr;         /* detail of the first write error (written by the one thread that writes:
                          the worker when threaded, else the feeding thread) */
};

static int hash_all(rhashset *hs, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < hs->n; i++) {
        int rc = rhash_update(&hs->h[i], p, n);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The worker: hashes, then writes, each queued buffer in order. */
static void *hasher(void *arg)
{
    rhashpipe *hp = arg;
    pthread_mutex_lock(&hp->mu);
    for (;;) {
        while (hp->inflight == 0 && !hp->stop)
            pthread_cond_wait(&hp->cv, &hp->mu);
        if (hp->inflight == 0 && hp->stop)
            break;
        unsigned b = (hp->cur + RHASHPIPE_BUFS - hp->inflight) % RHASHPIPE_BUFS;
        pthread_mutex_unlock(&hp->mu);
        int rc = hash_all(hp->hs, hp->buf[b], hp->len[b]);
        if (rc == 0)
            rc = rfs_tmp_write(hp->tmp, hp->buf[b], hp->len[b], hp->werr.code == 0 ? &hp->werr : NULL);
        pthread_mutex_lock(&hp->mu);
        if (rc != 0 && hp->err == 0)
            hp->err = rc;
        hp->inflight--;
        pthread_cond_broadcast(&hp->cv);
    }
    pthread_mutex_unlock(&hp->mu);
    return NULL;
}

int rhashpipe_start(rhashpipe **out, rhashset *hs, rfs_tmp *tmp, uint64_t length, rerr *e)
{
    rhashpipe *hp = rampart_calloc(1, sizeof(*hp));
    if (hp == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    hp->hs = hs;
    hp->tmp = tmp;
    hp->threaded = length >= RHASHPIPE_THREAD_MIN;
    if (!hp->threaded) {
        *out = hp;
        return 0;
    }
    for (int i = 0; i < RHASHPIPE_BUFS; i++) {
        hp->buf[i] = rampart_malloc(RHASHPIPE_BUF);
        if (hp->buf[i] == NULL) {
            rhashpipe_free(hp);
            return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
        }
    }
    if (pthread_mutex_init(&hp->mu, NULL) != 0) {
        rhashpipe_free(hp);
        return rerr_set(e, RAMPART_EINTERNAL, NULL, "cannot create a mutex");
    }
    if (pthread_cond_init(&hp->cv, NULL) != 0) {
        pthread_mutex_destroy(&hp->mu);
        rhashpipe_free(hp);
        return rerr_set(e, RAMPART_EINTERNAL, NULL, "cannot create a condition variable");
    }
    hp->sync_ready = true;
    if (pthread_create(&hp->th, NULL, hasher, hp) != 0) {
        rhashpipe_free(hp);
        return rerr_set(e, RAMPART_EINTERNAL, NULL, "cannot start the hashing thread");
    }
    hp->started = true;
    *out = hp;
    return 0;
}

/* Queues the buffer being filled and waits until the next buffer is free. */
static int submit(rhashpipe *hp)
{
    unsigned b = hp->cur;
    pthread_mutex_lock(&hp->mu);
    hp->len[b] = hp->curlen;
    hp->inflight++;
    hp->cur = (hp->cur + 1) % RHASHPIPE_BUFS;
    hp->curlen = 0;
    pthread_cond_broadcast(&hp->cv);
    while (hp->inflight == RHASHPIPE_BUFS)
        pthread_cond_wait(&hp->cv, &hp->mu);
    int rc = hp->err;
    pthread_mutex_unlock(&hp->mu);
    return rc;
}

int rhashpipe_feed(rhashpipe *hp, const uint8_t *p, size_t n)
{
    if (!hp->threaded) {
        int rc = hash_all(hp->hs, p, n);
        return rc != 0 ? rc : rfs_tmp_write(hp->tmp, p, n, hp->werr.code == 0 ? &hp->werr : NULL);
    }
    while (n > 0) {
        size_t room = RHASHPIPE_BUF - hp->curlen, k = n < room ? n : room;
        memcpy(hp->buf[hp->cur] + hp->curlen, p, k);
        hp->curlen += k;
        p += k;
        n -= k;
        if (hp->curlen == RHASHPIPE_BUF) {
            int rc = submit(hp);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

int rhashpipe_finish(rhashpipe *hp)
{
    if (!hp->threaded)
        return 0;
    int rc = hp->curlen > 0 ? submit(hp) : 0;
    pthread_mutex_lock(&hp->mu);
    while (hp->inflight > 0)
        pthread_cond_wait(&hp->cv, &hp->mu);
    hp->stop = true;
    pthread_cond_broadcast(&hp->cv);
    if (rc == 0)
        rc = hp->err;
    pthread_mutex_unlock(&hp->mu);
    if (hp->started && pthread_join(hp->th, NULL) == 0)
        hp->started = false;
    return rc;
}

const rerr *rhashpipe_write_error(const rhashpipe *hp)
{
    return &hp->werr;
}

void rhashpipe_free(rhashpipe *hp)
{
    if (hp == NULL)
        return;
    if (hp->started) {
        pthread_mutex_lock(&hp->mu);
        /* Abandon queued work: the hasher only needs to stop. */
        hp->stop = true;
        pthread_cond_broadcast(&hp->cv);
        while (hp->inflight > 0)
            pthread_cond_wait(&hp->cv, &hp->mu);
        pthread_mutex_unlock(&hp->mu);
        pthread_join(hp->th, NULL);
    }
    if (hp->sync_ready) {
        pthread_cond_destroy(&hp->cv);
        pthread_mutex_destroy(&hp->mu);
    }
    for (int i = 0; i < RHASHPIPE_BUFS; i++)
        rampart_free(hp->buf[i]);
    rampart_free(hp);
}
