/*
 * transport.h - how the updater fetches bytes.  The libcurl transport
 * (fetch_curl.c) is the real one; tests plug in an in-memory repository
 * through the same interface.
 */
#ifndef RAMPART_CLIENT_TRANSPORT_H
#define RAMPART_CLIENT_TRANSPORT_H

#include "util/buf.h"

/* Where received bytes go.  `write` returns 0, or an error code that aborts
 * the transfer and is returned by get().  The optional members (zero when
 * unused, so `{fn, ctx}` is a complete sink):
 *   offset  ask for the body from this byte on (an HTTP Range request);
 *   begin   called once, before the first byte of the body is written (or,
 *           for an empty body, after the transfer), with the offset the
 *           response really starts at: `offset` for a 206 whose
 *           Content-Range starts there, 0 for a 200 (a server that ignores
 *           the range sends the whole file); a transport that cannot ask
 *           for ranges never calls it, which means 0; UINT64_MAX when the
 *           server answered the range request unusably (a 206 for another
 *           range, a 416): the transfer then fails with ENET;
 *   tick    called now and then while the transfer runs, data or not
 *           (libcurl's progress function); non-zero aborts the transfer
 *           with that code. */
typedef struct rsink {
    int (*write)(void *ctx, const uint8_t *p, size_t n);
    void *ctx;
    uint64_t offset;
    int (*begin)(void *ctx, uint64_t start);
    int (*tick)(void *ctx);
} rsink;

typedef struct rtransport rtransport;
struct rtransport {
    /* GETs `url`, passing the body to `sink`.  More than `max_bytes` of
     * body aborts with RAMPART_ETOOLARGE.  With sink->offset > 0, asks for
     * the rest from that offset (206 accepted, see rsink).  Returns 0; RAMPART_ENOTFOUND for
     * HTTP 403, 404 and 410; RAMPART_ENET (connection failures, other
     * statuses); RAMPART_ECONNTIMEOUT, RAMPART_ESLOW, RAMPART_ETIMEOUT;
     * RAMPART_ETLS; RAMPART_EINSECURE (a refused scheme, host or redirect);
     * or the sink's error. */
    int (*get)(rtransport *tp, const char *url, uint64_t max_bytes, const rsink *sink, rerr *e);
    void (*free)(rtransport *tp);
};

/* Options of the libcurl transport. */
typedef struct rfetch_opts {
    long connect_timeout_ms;
    long stall_timeout_ms;
    long min_bytes_per_sec;
    long request_timeout_ms; /* -1: none */
    const char *ca_file;
    const char *ca_path;
    const char *pinned_pubkey;
    bool allow_insecure_http;
    unsigned max_redirects;
    const char *user_agent;     /* full User-Agent */
    const char *const *headers; /* "Name: value", sent only to the host of the URL asked for */
    size_t nheaders;
    const char *proxy;    /* NULL: libcurl's environment; "": none */
    const char *no_proxy; /* NULL: environment */
} rfetch_opts;

/* The libcurl transport: one easy handle reused across requests, so one
 * connection serves a whole update where the server allows it. */
int rfetch_curl_new(rtransport **out, const rfetch_opts *o, rerr *e) RAMPART_MUST_USE;

/* An rsink appending to an rbuf (whose max must be at least the cap). */
int rsink_rbuf_write(void *ctx, const uint8_t *p, size_t n);

#endif
