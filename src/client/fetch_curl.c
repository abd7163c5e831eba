/*
 * fetch_curl.c - the libcurl transport, the one module that calls libcurl
 * for transfers.
 *
 * Policy enforced here, for every request and every redirect hop:
 *   - schemes http and https only; http only to loopback hosts (checked on
 *     the URL and on the address actually connected to) unless allowed;
 *   - TLS 1.2 or newer, peer and host verified, optional public-key pin;
 *   - redirects followed by hand, at most max_redirects, never to another
 *     scheme, and only to URLs that pass the same policy;
 *   - the byte cap counted in the write callback (endless data);
 *   - three distinct time limits: connect timeout, a minimum-throughput
 *     window (slow retrieval) and a total deadline;
 *   - the application's extra headers (credentials) only to the host of the
 *     URL asked for: a redirect to another host gets none;
 *   - a range (resumed download) is taken only as a 206 whose Content-Range
 *     starts at the offset asked for; a 200 is the whole file.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "client/transport.h"
#include "client/url.h"
#include "util/banned.h"

typedef struct curl_tp {
    rtransport base;
    CURL *h;
    rfetch_opts o;
    struct curl_slist *hdrs; /* the application's extra headers, or NULL */
} curl_tp;

/* State of one request (one hop). */
typedef struct xfer {
    curl_tp *tp;
    const rsink *sink;
    uint64_t max;
    uint64_t received;
    uint64_t discarded;
    long status;
    bool status_known;
    bool plain_http;
    int fail; /* our reason for aborting, or 0 */
    double start, window_start;
    uint64_t window_bytes;
    bool begun;      /* sink->begin called */
    char crange[96]; /* Content-Range of the current response ("" when none) */
} xfer;

/* A body the sink takes: the whole file, or the range asked for. */
static bool body_ok(const xfer *x)
{
    return x->status == 200 || (x->status == 206 && x->sink->offset > 0);
}

/* Tells the sink where the body starts (once): a 206 must start exactly at
 * the offset asked for ("bytes START-END/TOTAL"). */
static int begin_body(xfer *x)
{
    if (x->begun)
        return 0;
    x->begun = true;
    uint64_t start = 0;
    if (x->status == 206) {
        unsigned long long a = 0;
        char *end = NULL;
        const char *p = x->crange;
        if (strncmp(p, "bytes ", 6) != 0)
            return RAMPART_ENET;
        a = strtoull(p + 6, &end, 10);
        if (end == p + 6 || *end != '-' || a != x->sink->offset) {
            if (x->sink->begin != NULL)
                (void)x->sink->begin(x->sink->ctx, UINT64_MAX);
            return RAMPART_ENET;
        }
        start = a;
    }
    return x->sink->begin != NULL ? x->sink->begin(x->sink->ctx, start) : 0;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    xfer *x = ud;
    size_t n = size * nmemb;
    static const char cr[] = "content-range:";
    if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
        x->crange[0] = '\0'; /* a new response (after 1xx or a redirect) */
    } else if (n > sizeof(cr) - 1 && strncasecmp(p, cr, sizeof(cr) - 1) == 0) {
        size_t i = sizeof(cr) - 1, o = 0;
        while (i < n && (p[i] == ' ' || p[i] == '\t'))
            i++;
        while (i < n && p[i] != '\r' && p[i] != '\n' && o + 1 < sizeof(x->crange))
            x->crange[o++] = p[i++];
        x->crange[o] = '\0';
    }
    return n;
}

static double now_s(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int rsink_rbuf_write(void *ctx, const uint8_t *p, size_t n)
{
    return rbuf_append((rbuf *)ctx, p, n);
}

static size_t on_data(char *p, size_t size, size_t nmemb, void *ud)
{
    xfer *x = ud;
    size_t n = size * nmemb;
    if (!x->status_known) {
        long code = 0;
        if (curl_easy_getinfo(x->tp->h, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK) {
            x->fail = RAMPART_ENET;
            return 0;
        }
        x->status = code;
        x->status_known = true;
        /* http:// must really have reached loopback (a name can resolve anywhere). */
        if (x->plain_http && !x->tp->o.allow_insecure_http) {
            char *ip = NULL;
            if (curl_easy_getinfo(x->tp->h, CURLINFO_PRIMARY_IP, &ip) != CURLE_OK || !rurl_host_is_loopback(ip)) {
                x->fail = RAMPART_EINSECURE;
                return 0;
            }
        }
    }
    if (body_ok(x) && !x->begun) {
        int rc = begin_body(x);
        if (rc != 0) {
            x->fail = rc;
            return 0;
        }
    }
    if (!body_ok(x)) {
        /* Error and redirect bodies are read and dropped, within a small bound. */
        x->discarded += n;
        if (x->discarded > 65536) {
            x->fail = RAMPART_ETOOLARGE;
            return 0;
        }
        return n;
    }
    if (n > x->max - x->received) {
        x->fail = RAMPART_ETOOLARGE;
        return 0;
    }
    int rc = x->sink->write(x->sink->ctx, (const uint8_t *)p, n);
    if (rc != 0) {
        x->fail = rc;
        return 0;
    }
    x->received += n;
    return n;
}

/* Called by libcurl at least once a second: the slow-retrieval guards. */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal;
    (void)ultotal;
    (void)ulnow;
    xfer *x = ud;
    const rfetch_opts *o = &x->tp->o;
    if (x->sink->tick != NULL) {
        int rc = x->sink->tick(x->sink->ctx);
        if (rc != 0) {
            x->fail = rc;
            return 1;
        }
    }
    double t = now_s();
    if (o->request_timeout_ms > 0 && (t - x->start) * 1000.0 > (double)o->request_timeout_ms) {
        x->fail = RAMPART_ETIMEOUT;
        return 1;
    }
    if (o->stall_timeout_ms > 0 && (t - x->window_start) * 1000.0 >= (double)o->stall_timeout_ms) {
        uint64_t got = (uint64_t)dlnow - x->window_bytes;
        double need = (double)o->min_bytes_per_sec * (double)o->stall_timeout_ms / 1000.0;
        if ((double)got < need) {
            x->fail = RAMPART_ESLOW;
            return 1;
        }
        x->window_start = t;
        x->window_bytes = (uint64_t)dlnow;
    }
    return 0;
}

static int set_common(curl_tp *tp)
{
    CURL *h = tp->h;
    const rfetch_opts *o = &tp->o;
    bool ok = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L) == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2) == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_USERAGENT,
                               o->user_agent != NULL ? o->user_agent : "rampart/" RAMPART_VERSION_STRING) == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, NULL) == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms) == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data) == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress) == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L) == CURLE_OK;
    if (ok && o->ca_file != NULL)
        ok = curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file) == CURLE_OK;
    if (ok && o->ca_path != NULL)
        ok = curl_easy_setopt(h, CURLOPT_CAPATH, o->ca_path) == CURLE_OK;
    if (ok && o->pinned_pubkey != NULL)
        ok = curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, o->pinned_pubkey) == CURLE_OK;
    /* Without CURLOPT_PROXY libcurl reads the proxy environment variables. */
    if (ok && o->proxy != NULL)
        ok = curl_easy_setopt(h, CURLOPT_PROXY, o->proxy) == CURLE_OK;
    if (ok && o->no_proxy != NULL)
        ok = curl_easy_setopt(h, CURLOPT_NOPROXY, o->no_proxy) == CURLE_OK;
    /* A backstop for the deadline, in case libcurl blocks between progress calls. */
    if (ok && o->request_timeout_ms > 0)
        ok = curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, o->request_timeout_ms + 2000L) == CURLE_OK;
    return ok ? 0 : RAMPART_EINTERNAL;
}

static int map_curl_error(CURLcode cc, const xfer *x, const char *url, rerr *e)
{
    if (x->fail != 0) {
        switch (x->fail) {
        case RAMPART_ETOOLARGE:
            return rerr_set(e, x->fail, NULL, "%s: more than the %llu bytes allowed", url, (unsigned long long)x->max);
        case RAMPART_ESLOW:
            return rerr_set(e, x->fail, NULL, "%s: slower than %ld bytes/s for %ld ms (possible slow-retrieval attack)",
                            url, x->tp->o.min_bytes_per_sec, x->tp->o.stall_timeout_ms);
        case RAMPART_ETIMEOUT:
            return rerr_set(e, x->fail, NULL, "%s: not complete within %ld ms (possible slow-retrieval attack)", url,
                            x->tp->o.request_timeout_ms);
        case RAMPART_EINSECURE:
            return rerr_set(e, x->fail, NULL, "%s: plain http reached a non-loopback address", url);
        case RAMPART_ENET:
            return rerr_set(e, x->fail, NULL, "%s: HTTP 206 for another range (%s)", url, x->crange);
        default:
            /* the sink's own error: its detail is already recorded */
            return x->fail;
        }
    }
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT: {
        curl_off_t ct = 0;
        if (curl_easy_getinfo(x->tp->h, CURLINFO_CONNECT_TIME_T, &ct) == CURLE_OK && ct == 0)
            return rerr_set(e, RAMPART_ECONNTIMEOUT, NULL, "%s: connection timed out", url);
        return rerr_set(e, RAMPART_ETIMEOUT, NULL, "%s: transfer timed out (possible slow-retrieval attack)", url);
    }
    case CURLE_FILESIZE_EXCEEDED:
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "%s: announced size exceeds the %llu bytes allowed", url,
                        (unsigned long long)x->max);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
        return rerr_set(e, RAMPART_ETLS, NULL, "%s: TLS: %s", url, curl_easy_strerror(cc));
    case CURLE_UNSUPPORTED_PROTOCOL:
        return rerr_set(e, RAMPART_EINSECURE, NULL, "%s: %s", url, curl_easy_strerror(cc));
    case CURLE_OUT_OF_MEMORY:
        return rerr_set(e, RAMPART_ENOMEM, NULL, "%s: out of memory", url);
    default:
        return rerr_set(e, RAMPART_ENET, NULL, "%s: %s", url, curl_easy_strerror(cc));
    }
}

/* Same scheme, host and port (the host compared case-insensitively). */
static bool same_origin(const char *a, const char *b)
{
    CURLU *u[2] = {curl_url(), curl_url()};
    char *part[2][3] = {{NULL, NULL, NULL}, {NULL, NULL, NULL}};
    static const CURLUPart which[3] = {CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT};
    bool ok = u[0] != NULL && u[1] != NULL;
    const char *in[2] = {a, b};
    for (int i = 0; ok && i < 2; i++) {
        ok = curl_url_set(u[i], CURLUPART_URL, in[i], 0) == CURLUE_OK;
        for (int k = 0; ok && k < 3; k++)
            ok = curl_url_get(u[i], which[k], &part[i][k], k == 2 ? CURLU_DEFAULT_PORT : 0) == CURLUE_OK;
    }
    for (int k = 0; ok && k < 3; k++)
        ok = strcasecmp(part[0][k], part[1][k]) == 0;
    for (int i = 0; i < 2; i++) {
        for (int k = 0; k < 3; k++)
            curl_free(part[i][k]);
        curl_url_cleanup(u[i]);
    }
    return ok;
}

/* A redirect target must keep the scheme and pass the same policy. */
static int check_redirect(curl_tp *tp, const char *from, const char *to, rerr *e)
{
    for (const char *c = to; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return rerr_set(e, RAMPART_EINSECURE, NULL, "%s: redirect to a malformed location", from);
    bool from_https = strncmp(from, "https://", 8) == 0, to_https = strncmp(to, "https://", 8) == 0;
    if (from_https != to_https)
        return rerr_set(e, RAMPART_EINSECURE, NULL, "%s: redirect to another scheme refused", from);
    int rc = rurl_check_base(to, tp->o.allow_insecure_http, e);
    if (rc != 0)
        return rerr_set(e, RAMPART_EINSECURE, NULL, "%s: redirect refused: %s", from, e ? e->message : "");
    return 0;
}

static int curl_get(rtransport *base, const char *url, uint64_t max_bytes, const rsink *sink, rerr *e)
{
    curl_tp *tp = (curl_tp *)base;
    char *cur = rampart_strndup(url, strlen(url));
    if (cur == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    int rc = 0;
    for (unsigned hop = 0;; hop++) {
        xfer x = {tp, sink, max_bytes, 0, 0, 0, false, strncmp(cur, "http://", 7) == 0, 0, 0, 0, 0, false, ""};
        x.start = x.window_start = now_s();
        curl_off_t cap = max_bytes > (uint64_t)INT64_MAX ? INT64_MAX : (curl_off_t)max_bytes;
        char range[32] = "";
        if (sink->offset > 0)
            (void)snprintf(range, sizeof(range), "%llu-", (unsigned long long)sink->offset);
        /* Credentials go to the host asked for, never to a redirect's other host. */
        struct curl_slist *hdrs = same_origin(url, cur) ? tp->hdrs : NULL;
        if (curl_easy_setopt(tp->h, CURLOPT_URL, cur) != CURLE_OK ||
            curl_easy_setopt(tp->h, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK ||
            curl_easy_setopt(tp->h, CURLOPT_RANGE, range[0] ? range : NULL) != CURLE_OK ||
            curl_easy_setopt(tp->h, CURLOPT_HEADERDATA, &x) != CURLE_OK ||
            curl_easy_setopt(tp->h, CURLOPT_WRITEDATA, &x) != CURLE_OK ||
            curl_easy_setopt(tp->h, CURLOPT_XFERINFODATA, &x) != CURLE_OK ||
            curl_easy_setopt(tp->h, CURLOPT_MAXFILESIZE_LARGE, cap) != CURLE_OK ||
            /* Large transfers get a large receive buffer (fewer callbacks and
             * system calls); small ones keep libcurl's 16 KiB (less memory). */
            curl_easy_setopt(tp->h, CURLOPT_BUFFERSIZE, max_bytes >= (1u << 20) ? 256L * 1024L : 16L * 1024L) !=
                CURLE_OK) {
            rc = rerr_set(e, RAMPART_EINTERNAL, NULL, "cannot configure libcurl");
            break;
        }
        CURLcode cc = curl_easy_perform(tp->h);
        long status = 0;
        if (curl_easy_getinfo(tp->h, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
            status = 0;
        if (cc != CURLE_OK && !(cc == CURLE_FILESIZE_EXCEEDED && status != 200 && status != 0)) {
            if (!(x.fail == RAMPART_ETOOLARGE && status != 200 && status != 0)) {
                rc = map_curl_error(cc, &x, cur, e);
                break;
            }
        }
        if (status == 200 || (status == 206 && sink->offset > 0)) {
            /* An empty body never reached on_data. */
            rc = begin_body(&x);
            if (rc != 0)
                rc = rc == RAMPART_ENET ? rerr_set(e, rc, NULL, "%s: HTTP 206 for another range (%s)", cur, x.crange)
                                        : rc;
            break;
        }
        if (status == 403 || status == 404 || status == 410) {
            rc = rerr_set(e, RAMPART_ENOTFOUND, NULL, "%s: HTTP %ld", cur, status);
            break;
        }
        if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
            char *loc = NULL;
            if (hop >= tp->o.max_redirects) {
                rc = rerr_set(e, RAMPART_ENET, NULL, "%s: more than %u redirects", url, tp->o.max_redirects);
                break;
            }
            if (curl_easy_getinfo(tp->h, CURLINFO_REDIRECT_URL, &loc) != CURLE_OK || loc == NULL) {
                rc = rerr_set(e, RAMPART_ENET, NULL, "%s: HTTP %ld without a usable Location", cur, status);
                break;
            }
            if ((rc = check_redirect(tp, cur, loc, e)) != 0)
                break;
            char *next = rampart_strndup(loc, strlen(loc));
            if (next == NULL) {
                rc = rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
                break;
            }
            rampart_free(cur);
            cur = next;
            continue;
        }
        /* 416: the range cannot be served (the file changed?): tell the sink. */
        if (status == 416 && sink->offset > 0 && sink->begin != NULL)
            (void)sink->begin(sink->ctx, UINT64_MAX);
        rc = rerr_set(e, RAMPART_ENET, NULL, "%s: HTTP %ld", cur, status);
        break;
    }
    rampart_free(cur);
    return rc;
}

static void curl_tp_free(rtransport *base)
{
    curl_tp *tp = (curl_tp *)base;
    if (tp == NULL)
        return;
    curl_easy_cleanup(tp->h);
    curl_slist_free_all(tp->hdrs);
    rampart_free(tp);
}

int rfetch_curl_new(rtransport **out, const rfetch_opts *o, rerr *e)
{
    /* curl_global_init is idempotent and reference-counted since 7.84; it
     * is needed once per process before the first easy handle. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return rerr_set(e, RAMPART_EINTERNAL, NULL, "libcurl initialisation failed");
    curl_tp *tp = rampart_calloc(1, sizeof(*tp));
    if (tp == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    tp->base.get = curl_get;
    tp->base.free = curl_tp_free;
    tp->o = *o;
    tp->h = curl_easy_init();
    if (tp->h == NULL) {
        rampart_free(tp);
        return rerr_set(e, RAMPART_ENOMEM, NULL, "cannot create a libcurl handle");
    }
    for (size_t i = 0; i < o->nheaders; i++) {
        struct curl_slist *l = curl_slist_append(tp->hdrs, o->headers[i]);
        if (l == NULL) {
            curl_tp_free(&tp->base);
            return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
        }
        tp->hdrs = l;
    }
    if (set_common(tp) != 0) {
        curl_tp_free(&tp->base);
        return rerr_set(e, RAMPART_EINTERNAL, NULL, "cannot configure libcurl");
    }
    *out = &tp->base;
    return 0;
}
