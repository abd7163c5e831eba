/* tls_probe.c - the I/O of the Transport probe (assess/tls.h): for every
 * https URL given, one HEAD request per redirect hop over the probe's own
 * TLS connection (crypto/tlsprobe.c), and the probe of every https origin
 * met on the way.  The judging is tls_checks.c's.
 *
 * Why a request of our own rather than the client transport: libcurl's
 * transport (src/client/fetch_curl.c) refuses an https -> http hop and
 * keeps no response headers; the probe needs to see that hop and the
 * Strict-Transport-Security header of each origin without fetching a
 * body.  A HEAD request with a 16 KiB cap on the answer is all it takes. */
#include <stdio.h>
#include <string.h>

#include "assess/tls.h"
#include "util/banned.h"

#define MAX_ORIGINS 8
#define HEAD_CAP 16384

typedef struct probe_run {
    const rampart_assess_options *o;
    int64_t now;
    rassess_tls_origin *org;
    size_t n;
} probe_run;

static rtls_target target_of(const probe_run *r, const rassess_url *u)
{
    long to = r->o->connect_timeout_ms > 0 ? r->o->connect_timeout_ms : 10000;
    long dl = r->o->request_timeout_ms > 0 && r->o->request_timeout_ms < 10000 ? r->o->request_timeout_ms : 10000;
    return (rtls_target){.host = u->host,
                         .port = u->port,
                         .ca_file = r->o->ca_file,
                         .connect_timeout_ms = to,
                         .deadline_ms = dl,
                         .now = r->now};
}

/* The origin of `u`, probed the first time it is met; NULL when there are
 * already MAX_ORIGINS. */
static rassess_tls_origin *origin_of(probe_run *r, const rassess_url *u)
{
    char name[sizeof(r->org[0].origin)];
    rassess_url_origin(u, name, sizeof(name));
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->org[i].origin, name) == 0)
            return &r->org[i];
    if (r->n == MAX_ORIGINS)
        return NULL;
    rassess_tls_origin *g = &r->org[r->n++];
    (void)snprintf(g->origin, sizeof(g->origin), "%s", name);
    rtls_target t = target_of(r, u);
    rerr e = {0};
    g->probe_rc = rtls_probe_run(&t, &g->probe, &e);
    if (g->probe_rc != 0)
        (void)snprintf(g->probe_err, sizeof(g->probe_err), "%s", e.message);
    g->head_rc = RAMPART_ENOTFOUND;
    (void)snprintf(g->head_err, sizeof(g->head_err), "no request made");
    return g;
}

/* One hop: HEAD over TLS, the head parsed. */
static int head(probe_run *r, const rassess_url *u, rassess_http_head *h, char *err, size_t errn)
{
    rbuf req, resp;
    rbuf_init(&req, RASSESS_URL_MAX + 512);
    rbuf_init(&resp, HEAD_CAP);
    bool v6 = strchr(u->host, ':') != NULL;
    char hostport[RASSESS_HOST_MAX + 16];
    if (u->port == 443)
        (void)snprintf(hostport, sizeof(hostport), "%s%s%s", v6 ? "[" : "", u->host, v6 ? "]" : "");
    else
        (void)snprintf(hostport, sizeof(hostport), "%s%s%s:%u", v6 ? "[" : "", u->host, v6 ? "]" : "", u->port);
    int rc = rbuf_appendf(&req,
                          "HEAD %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: rampart-assess\r\nAccept: */*\r\n"
                          "Connection: close\r\n\r\n",
                          u->target, hostport);
    rerr e = {0};
    if (rc == 0) {
        rtls_target t = target_of(r, u);
        rc = rtls_request(&t, (const char *)req.data, req.len, &resp, &e);
        if (rc != 0)
            (void)snprintf(err, errn, "%s", e.message);
    } else {
        (void)snprintf(err, errn, "request too long");
    }
    if (rc == 0 && rassess_http_head_parse(resp.data != NULL ? resp.data : (const uint8_t *)"", resp.len, h) != 0) {
        rc = RAMPART_EFORMAT;
        (void)snprintf(err, errn, "the answer is not an HTTP/1.x response head of at most %d bytes", HEAD_CAP);
    }
    rbuf_free(&req);
    rbuf_free(&resp);
    return rc;
}

/* Walks the redirects of c->url[0] one hop at a time; never sends a
 * request over plain http. */
static void walk(probe_run *r, rassess_chain *c)
{
    c->n = 1;
    for (;;) {
        const char *cur = c->url[c->n - 1];
        rassess_url u;
        if (rassess_url_parse(cur, &u) != 0) {
            (void)snprintf(c->stop, sizeof(c->stop), "not a URL the probe can follow");
            return;
        }
        if (!u.https)
            return; /* the hop is judged; nothing is asked over http */
        rassess_tls_origin *g = origin_of(r, &u);
        if (g == NULL) {
            (void)snprintf(c->stop, sizeof(c->stop), "more than %d origins: not followed further", MAX_ORIGINS);
            return;
        }
        rassess_http_head h;
        char err[512] = "";
        int rc = head(r, &u, &h, err, sizeof(err));
        if (g->head_rc != 0) {
            g->head_rc = rc;
            (void)snprintf(g->head_err, sizeof(g->head_err), "%s", err);
            if (rc == 0)
                g->head = h;
        }
        if (rc != 0) {
            (void)snprintf(c->stop, sizeof(c->stop), "%.200s: %.256s", cur, err);
            return;
        }
        c->status[c->n - 1] = h.status;
        if (h.status < 300 || h.status > 399 || !h.has_location)
            return;
        if (c->n == RASSESS_MAX_HOPS + 1) {
            (void)snprintf(c->stop, sizeof(c->stop), "more than %d redirects", RASSESS_MAX_HOPS);
            return;
        }
        if (rassess_url_resolve(cur, h.location, c->url[c->n], sizeof(c->url[c->n])) != 0) {
            (void)snprintf(c->stop, sizeof(c->stop), "%.200s: redirect to a Location the probe cannot follow", cur);
            return;
        }
        c->n++;
    }
}

int rassess_tls_run(rampart_assessment *a, const rampart_assess_options *o, const char *const *urls, size_t n, rerr *e)
{
    probe_run r = {.o = o, .now = a->now, .n = 0};
    r.org = rampart_calloc(MAX_ORIGINS, sizeof(*r.org));
    rassess_chain *chains = rampart_calloc(n > 0 ? n : 1, sizeof(*chains));
    if (r.org == NULL || chains == NULL) {
        rampart_free(r.org);
        rampart_free(chains);
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    size_t nc = 0;
    for (size_t i = 0; i < n; i++) {
        if (urls[i] == NULL || strncmp(urls[i], "https://", 8) != 0)
            continue;
        bool dup = false;
        for (size_t j = 0; j < nc; j++)
            dup |= strcmp(chains[j].url[0], urls[i]) == 0;
        if (dup)
            continue;
        (void)snprintf(chains[nc].url[0], sizeof(chains[nc].url[0]), "%s", urls[i]);
        walk(&r, &chains[nc]);
        nc++;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < r.n; i++)
        rc = rassess_tls_judge_origin(a, &r.org[i]);
    for (size_t i = 0; rc == 0 && i < nc; i++)
        rc = rassess_tls_judge_chain(a, &chains[i]);
    rampart_free(r.org);
    rampart_free(chains);
    if (rc != 0)
        return rerr_set(e, rc, NULL, "cannot record the transport checks");
    return 0;
}
