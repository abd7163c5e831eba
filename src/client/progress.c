/*
 * progress.c - what a transfer tells the application while it runs (the
 * progress callback, which may cancel) and the retries after transient
 * network failures, shared by metadata and target downloads.
 */
#include <errno.h>
#include <time.h>

#include "client/client_internal.h"
#include "util/banned.h"

int rclient_progress_report(rprogress *pg)
{
    rampart_client *c = pg->c;
    if (c->progress == NULL || c->progress(c->progress_ctx, pg->kind, pg->name, pg->done, pg->total) == 0)
        return 0;
    return rerr_set(pg->e, RAMPART_ECANCELED, NULL, "'%s': cancelled by the application", pg->name);
}

static int pg_write(void *ctx, const uint8_t *p, size_t n)
{
    rprogress *pg = ctx;
    int rc = pg->inner->write(pg->inner->ctx, p, n);
    if (rc != 0)
        return rc;
    pg->done = pg->count != NULL ? *pg->count : pg->done + n;
    return rclient_progress_report(pg);
}

static int pg_begin(void *ctx, uint64_t start)
{
    rprogress *pg = ctx;
    int rc = pg->inner->begin != NULL ? pg->inner->begin(pg->inner->ctx, start) : 0;
    if (rc != 0 || pg->count == NULL)
        return rc;
    pg->done = *pg->count;
    return rclient_progress_report(pg);
}

static int pg_tick(void *ctx)
{
    return rclient_progress_report(ctx);
}

rsink rclient_progress_sink(rprogress *pg)
{
    rsink s = {.write = pg_write, .ctx = pg, .offset = pg->inner->offset, .begin = pg_begin};
    if (pg->c->progress != NULL)
        s.tick = pg_tick;
    return s;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    /* A signal (the application's Ctrl-C) cuts the wait short: the next
     * attempt's first progress report lets the application cancel. */
    (void)nanosleep(&ts, NULL);
}

bool rclient_retry(rampart_client *c, int rc, unsigned attempt, const char *what, const rerr *why)
{
    /* Transient network failures only: never a security failure, a "not
     * found", a slow or overlong transfer (a slow-retrieval attack must not
     * be given more time), a local failure or a cancellation. */
    if ((rc != RAMPART_ENET && rc != RAMPART_ECONNTIMEOUT) || attempt >= c->max_retries)
        return false;
    uint64_t ms = (uint64_t)c->retry_base_ms << (attempt < 20 ? attempt : 20);
    if (ms > c->retry_max_ms)
        ms = c->retry_max_ms;
    rclient_log(c, RAMPART_LOG_WARN, "%s: %s; retry %u of %u in %llu ms", what,
                why != NULL && why->message[0] ? why->message : rampart_strerror(rc), attempt + 1, c->max_retries,
                (unsigned long long)ms);
    sleep_ms((unsigned)ms);
    return true;
}
