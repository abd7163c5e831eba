/*
 * source.c - where the monitor reads the log's files: a local folder
 * (util's confined reads) or a URL through the client's libcurl transport,
 * with a byte cap on every file.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "client/transport.h"
#include "monitor/monitor_internal.h"
#include "util/fs.h"
#include "util/banned.h"

struct msrc {
    int dirfd;      /* a local folder, or -1 */
    rtransport *tp; /* a URL's transport, or NULL */
    char *base;     /* the URL, ending in '/' */
};

static bool is_url(const char *s)
{
    return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

int msrc_open(msrc **out, const char *where, const char *ca_file, rerr *e)
{
    msrc *s = rampart_calloc(1, sizeof(*s));
    if (s == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    s->dirfd = -1;
    int rc = 0;
    if (is_url(where)) {
        size_t n = strlen(where);
        if (n > 4000 || memchr(where, '?', n) != NULL || memchr(where, '#', n) != NULL) {
            rampart_free(s);
            return rerr_set(e, RAMPART_EINVAL, NULL, "unsupported log URL (too long, or with a query or fragment)");
        }
        s->base = rampart_malloc(n + 2);
        if (s->base == NULL) {
            rampart_free(s);
            return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
        }
        memcpy(s->base, where, n);
        s->base[n] = where[n - 1] == '/' ? '\0' : '/';
        s->base[n + 1] = '\0';
        /* Every byte of the log is verified (signatures, proofs), so plain
         * http is allowed, as for TUF metadata over a mirror. */
        rfetch_opts fo = {.connect_timeout_ms = 10000,
                          .stall_timeout_ms = 30000,
                          .min_bytes_per_sec = 1024,
                          .request_timeout_ms = 300000,
                          .ca_file = ca_file,
                          .allow_insecure_http = true,
                          .max_redirects = 5};
        rc = rfetch_curl_new(&s->tp, &fo, e);
    } else {
        rc = rfs_open_dir(where, false, false, &s->dirfd, e);
    }
    if (rc != 0) {
        msrc_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int msrc_get(msrc *s, const char *name, size_t max, rbuf *out, rerr *e)
{
    rbuf b;
    rbuf_init(&b, max);
    int rc;
    if (s->tp == NULL) {
        rc = rfs_read_file(s->dirfd, name, &b, e);
        if (rc == RAMPART_ETOOLARGE)
            rc = rerr_set(e, rc, NULL, "log file %s is over %zu bytes", name, max);
    } else {
        rbuf url;
        rbuf_init(&url, 8192);
        rc = rbuf_appendf(&url, "%s%s", s->base, name);
        if (rc != 0) {
            rbuf_free(&url);
            rbuf_free(&b);
            return rerr_set(e, RAMPART_EINVAL, NULL, "log URL too long");
        }
        rsink sink = {.write = rsink_rbuf_write, .ctx = &b};
        rc = s->tp->get(s->tp, (const char *)url.data, max, &sink, e);
        rbuf_free(&url);
    }
    if (rc == 0 && rbuf_append(out, b.data, b.len) != 0)
        rc = rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    rbuf_free(&b);
    return rc;
}

void msrc_free(msrc *s)
{
    if (s == NULL)
        return;
    if (s->dirfd >= 0)
        (void)close(s->dirfd); /* read-only */
    if (s->tp != NULL)
        s->tp->free(s->tp);
    rampart_free(s->base);
    rampart_free(s);
}
