/*
 * http.c - the witness's HTTP server over libmicrohttpd (its one owner in
 * the tree): POST /add-checkpoint, bodies capped, one thread per
 * connection, nothing printed (the library never prints).
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "witness/witness_internal.h"
#include "util/banned.h"

#define ADD_CHECKPOINT "/add-checkpoint"
/* Seconds a connection may stay idle. */
#define IDLE_TIMEOUT 30

/* One request under way. */
typedef struct wreq {
    int early; /* a status decided before the body (404, 405, 413), or 0 */
    rbuf body;
} wreq;

static enum MHD_Result respond(struct MHD_Connection *c, int status, const char *ctype, const void *p, size_t n)
{
    /* MUST_COPY: libmicrohttpd copies the bytes and never writes through the
     * pointer; its prototype lacks the const. */
    struct MHD_Response *r = MHD_create_response_from_buffer(
        n, (void *)(uintptr_t)p, MHD_RESPMEM_MUST_COPY); // NOLINT(performance-no-int-to-ptr)
    if (r == NULL)
        return MHD_NO;
    enum MHD_Result ok = MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    if (ok == MHD_YES && status == MHD_HTTP_METHOD_NOT_ALLOWED)
        ok = MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "POST");
    if (ok == MHD_YES)
        ok = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result respond_text(struct MHD_Connection *c, int status, const char *text)
{
    return respond(c, status, TLOG_WCT_TEXT, text, strlen(text));
}

static enum MHD_Result early_reply(struct MHD_Connection *c, int status)
{
    switch (status) {
    case MHD_HTTP_NOT_FOUND:
        return respond_text(c, status, "not found\n");
    case MHD_HTTP_METHOD_NOT_ALLOWED:
        return respond_text(c, status, "add-checkpoint is a POST\n");
    default:
        return respond_text(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large\n");
    }
}

/* The first call for a request: what can be decided before the body. */
static int first_look(struct MHD_Connection *c, const char *url, const char *method)
{
    /* tlog-witness: the one endpoint is <submission prefix>/add-checkpoint,
     * and the request MUST be a POST. */
    if (strcmp(url, ADD_CHECKPOINT) != 0)
        return MHD_HTTP_NOT_FOUND;
    if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
        return MHD_HTTP_METHOD_NOT_ALLOWED;
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl != NULL && (strlen(cl) > 9 || strtoul(cl, NULL, 10) > TLOG_WITNESS_REQ_MAX))
        return MHD_HTTP_CONTENT_TOO_LARGE;
    return 0;
}

static enum MHD_Result answer(rampart_witness *w, struct MHD_Connection *c, wreq *q)
{
    tlog_wreply r;
    tlog_wreply_init(&r);
    rerr e;
    rerr_clear(&e);
    int rc = rwit_handle(w, q->body.data, q->body.len, &r, &e);
    enum MHD_Result ok;
    if (rc != 0)
        ok = respond_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error\n");
    else
        ok = respond(c, r.status, r.content_type, r.body.data, r.body.len);
    tlog_wreply_free(&r);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *data, size_t *size, void **con_cls)
{
    (void)version;
    rampart_witness *w = cls;
    wreq *q = *con_cls;
    if (q == NULL) {
        q = rampart_calloc(1, sizeof(*q));
        if (q == NULL)
            return MHD_NO;
        rbuf_init(&q->body, TLOG_WITNESS_REQ_MAX);
        q->early = first_look(c, url, method);
        *con_cls = q;
        if (q->early != 0)
            return early_reply(c, q->early);
        return MHD_YES;
    }
    if (*size > 0) {
        if (q->early == 0 && rbuf_append(&q->body, data, *size) != 0) {
            q->early = MHD_HTTP_CONTENT_TOO_LARGE;
            *size = 0;
            return early_reply(c, q->early);
        }
        *size = 0;
        return MHD_YES;
    }
    if (q->early != 0)
        return MHD_YES; /* answered already */
    return answer(w, c, q);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode why)
{
    (void)cls, (void)c, (void)why;
    wreq *q = *con_cls;
    if (q == NULL)
        return;
    rbuf_free(&q->body);
    rampart_free(q);
    *con_cls = NULL;
}

int rwit_parse_listen(const char *s, struct sockaddr_storage *out, socklen_t *len, rerr *e)
{
    const char *colon = strrchr(s, ':');
    char host[64];
    size_t hl = colon ? (size_t)(colon - s) : 0;
    if (colon == NULL || hl == 0 || hl >= sizeof(host) || colon[1] == '\0' || strlen(colon + 1) > 5)
        return rerr_set(e, RAMPART_EINVAL, NULL, "listen address '%s' is not HOST:PORT", s);
    unsigned long port = 0;
    for (const char *p = colon + 1; *p; p++) {
        if (*p < '0' || *p > '9')
            return rerr_set(e, RAMPART_EINVAL, NULL, "listen address '%s': the port is not a number", s);
        port = port * 10 + (unsigned long)(*p - '0');
    }
    if (port > 65535)
        return rerr_set(e, RAMPART_EINVAL, NULL, "listen address '%s': the port is over 65535", s);
    memcpy(host, s, hl);
    host[hl] = '\0';
    memset(out, 0, sizeof(*out));
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)out;
        if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
            return rerr_set(e, RAMPART_EINVAL, NULL, "listen address '%s': not an IPv6 address", s);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        *len = sizeof(*a);
        return 0;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)out;
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
        return rerr_set(e, RAMPART_EINVAL, NULL, "listen address '%s': not an IPv4 address or [IPv6]", s);
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    *len = sizeof(*a);
    return 0;
}

int rampart_witness_start(rampart_witness *w, rampart_error *err)
{
    rerr_clear(err);
    if (w == NULL || w->daemon != NULL)
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument (or already started)");
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL;
    if (w->addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_Daemon *d =
        MHD_start_daemon(flags, 0, NULL, NULL, on_request, w, MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&w->addr,
                         MHD_OPTION_CONNECTION_LIMIT, w->max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
                         (unsigned)IDLE_TIMEOUT, MHD_OPTION_NOTIFY_COMPLETED, on_done, w, MHD_OPTION_END);
    if (d == NULL)
        return rerr_set(err, RAMPART_EIO, NULL, "cannot listen on the address (in use, or not allowed)");
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    w->port = info != NULL ? info->port : 0;
    w->daemon = d;
    return 0;
}

unsigned rampart_witness_port(const rampart_witness *w)
{
    return w != NULL ? w->port : 0;
}

void rwit_http_stop(rampart_witness *w)
{
    if (w->daemon != NULL)
        MHD_stop_daemon(w->daemon);
    w->daemon = NULL;
}
