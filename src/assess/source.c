/* source.c - where an assessment reads documents: a folder (confined, no
 * symlinks), a URL (the client's capped libcurl transport), or a table of
 * bytes (unit tests and the fuzzer). */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "assess/assess.h"
#include "client/transport.h"
#include "util/fs.h"
#include "util/banned.h"

int rasrc_get(rasrc *s, const char *name, size_t max, rbuf *out, rerr *e)
{
    if (s->max_docs != 0 && s->fetched >= s->max_docs)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "more than %u documents read", s->max_docs);
    s->fetched++;
    rbuf_free(out);
    rbuf_init(out, max);
    return s->get(s, name, out, e);
}

void rasrc_free(rasrc *s)
{
    if (s != NULL)
        s->free(s);
}

/* ---- folder ---------------------------------------------------------------- */

typedef struct dir_src {
    rasrc base;
    int fd;
} dir_src;

static int dir_get(rasrc *s, const char *name, rbuf *out, rerr *e)
{
    dir_src *d = (dir_src *)s;
    int rc = rfs_read_file(d->fd, name, out, e);
    if (rc == RAMPART_ETOOLARGE)
        return rerr_set(e, rc, NULL, "%s%s: larger than %zu bytes", s->base, name, out->max);
    return rc;
}

static void dir_free(rasrc *s)
{
    dir_src *d = (dir_src *)s;
    if (d->fd >= 0)
        (void)close(d->fd); /* read-only folder: nothing to lose */
    rampart_free(s->base);
    rampart_free(d);
}

static int dir_one(rasrc **out, const char *path, rerr *e)
{
    int fd = -1;
    int rc = rfs_open_dir(path, false, false, &fd, e);
    if (rc != 0)
        return rc;
    dir_src *d = rampart_calloc(1, sizeof(*d));
    size_t n = strlen(path);
    char *b = rampart_malloc(n + 2);
    if (d == NULL || b == NULL) {
        rampart_free(d);
        rampart_free(b);
        (void)close(fd);
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    memcpy(b, path, n);
    b[n] = n > 0 && path[n - 1] == '/' ? '\0' : '/';
    b[n + 1] = '\0';
    d->fd = fd;
    d->base = (rasrc){.get = dir_get, .free = dir_free, .base = b};
    *out = &d->base;
    return 0;
}

static int subdir(rbuf *p, const char *dir, const char *sub)
{
    rbuf_reset(p);
    return rbuf_appendf(p, "%s/%s", dir, sub);
}

/* Rampart's layout (DIR/public/metadata, targets beside it), a served
 * folder (DIR/metadata, DIR/targets), or a folder of metadata files. */
int rasrc_dir_new(rasrc **out, rasrc **targets, const char *dir, rerr *e)
{
    static const char *const META[] = {"public/metadata", "metadata"};
    static const char *const TARG[] = {"public/targets", "targets"};
    RAMPART_AUTO(rbuf_free) rbuf p;
    rbuf_init(&p, 8192);
    rasrc *m = NULL, *t = NULL;
    for (size_t i = 0; i < 2 && m == NULL; i++) {
        if (subdir(&p, dir, META[i]) != 0)
            return rerr_set(e, RAMPART_EINVAL, NULL, "folder name too long");
        int rc = dir_one(&m, (const char *)p.data, NULL);
        if (rc == RAMPART_ENOMEM)
            return rerr_set(e, rc, NULL, "out of memory");
        if (rc == 0 && subdir(&p, dir, TARG[i]) == 0 && dir_one(&t, (const char *)p.data, NULL) != 0)
            t = NULL;
    }
    if (m == NULL) {
        int rc = dir_one(&m, dir, e);
        if (rc != 0)
            return rc;
    }
    *out = m;
    *targets = t;
    return 0;
}

/* ---- URL ------------------------------------------------------------------- */

typedef struct url_src {
    rasrc base;
    rtransport *tp;
    bool shared; /* the transport belongs to another source */
} url_src;

static int url_get(rasrc *s, const char *name, rbuf *out, rerr *e)
{
    url_src *u = (url_src *)s;
    RAMPART_AUTO(rbuf_free) rbuf url;
    rbuf_init(&url, 16384);
    if (rbuf_appendf(&url, "%s%s", s->base, name) != 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "URL too long");
    rsink sink = {.write = rsink_rbuf_write, .ctx = out};
    return u->tp->get(u->tp, (const char *)url.data, out->max, &sink, e);
}

static void url_free(rasrc *s)
{
    url_src *u = (url_src *)s;
    if (!u->shared && u->tp != NULL)
        u->tp->free(u->tp);
    rampart_free(s->base);
    rampart_free(u);
}

static int url_one(rasrc **out, const char *base, size_t n, rtransport *tp, bool shared, rerr *e)
{
    url_src *u = rampart_calloc(1, sizeof(*u));
    char *b = rampart_malloc(n + 2);
    if (u == NULL || b == NULL) {
        rampart_free(u);
        rampart_free(b);
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    memcpy(b, base, n);
    b[n] = n > 0 && base[n - 1] == '/' ? '\0' : '/';
    b[n + 1] = '\0';
    u->tp = tp;
    u->shared = shared;
    u->base = (rasrc){
        .get = url_get, .free = url_free, .base = b, .is_url = true, .https = strncmp(base, "https://", 8) == 0};
    *out = &u->base;
    return 0;
}

static int new_transport(rtransport **tp, const rampart_assess_options *o, rerr *e)
{
    rfetch_opts fo = {.connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000,
                      .stall_timeout_ms = 30000,
                      .min_bytes_per_sec = 1024,
                      .request_timeout_ms = o->request_timeout_ms > 0 ? o->request_timeout_ms : 60000,
                      .ca_file = o->ca_file,
                      /* An http channel is assessed (and graded F), not refused. */
                      .allow_insecure_http = true,
                      .max_redirects = o->max_redirects > 0 ? o->max_redirects : 5};
    return rfetch_curl_new(tp, &fo, e);
}

/* The metadata live at URL, or at URL/metadata/ when URL is the top of a
 * served repository; targets at ../targets/ beside them. */
int rasrc_url_new(rasrc **out, rasrc **targets, const char *url, const rampart_assess_options *o, rerr *e)
{
    size_t n = strlen(url);
    if (n > 8000 || memchr(url, '?', n) != NULL || memchr(url, '#', n) != NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "unsupported URL (too long, or with a query or fragment)");
    rtransport *tp = NULL;
    int rc = new_transport(&tp, o, e);
    if (rc != 0)
        return rc;
    RAMPART_AUTO(rbuf_free) rbuf b;
    rbuf_init(&b, 16384);
    bool slash = url[n - 1] == '/';
    const char *tail = "metadata/";
    size_t tl = strlen(tail);
    bool is_meta = n > tl && strncmp(url + n - tl, tail, tl) == 0;
    if (!is_meta) {
        /* Probe: is there a metadata/ folder below the URL? */
        rasrc *probe = NULL;
        if (rbuf_appendf(&b, "%s%smetadata/", url, slash ? "" : "/") != 0 ||
            url_one(&probe, (const char *)b.data, b.len, tp, true, e) != 0) {
            tp->free(tp);
            return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
        }
        RAMPART_AUTO(rbuf_free) rbuf doc;
        rbuf_init(&doc, 512000);
        rc = probe->get(probe, "timestamp.json", &doc, NULL);
        rasrc_free(probe);
        if (rc == 0)
            is_meta = true, url = (const char *)b.data, n = b.len;
        else if (rc != RAMPART_ENOTFOUND && rc != RAMPART_ETOOLARGE) {
            tp->free(tp);
            return rerr_set(e, rc, NULL, "%s: %s", url, "cannot be reached");
        }
    }
    rasrc *m = NULL, *t = NULL;
    if (url_one(&m, url, n, tp, false, e) != 0) {
        tp->free(tp);
        return RAMPART_ENOMEM;
    }
    if (is_meta) {
        RAMPART_AUTO(rbuf_free) rbuf tb;
        rbuf_init(&tb, 16384);
        /* url ends in "metadata/" here */
        if (rbuf_append(&tb, url, n - tl) != 0 || rbuf_append_str(&tb, "targets/") != 0 ||
            url_one(&t, (const char *)tb.data, tb.len, tp, true, e) != 0) {
            rasrc_free(m);
            return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
        }
    }
    *out = m;
    *targets = t;
    return 0;
}

static bool url_ok(const char *url, size_t n)
{
    bool http = strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0;
    return http && n <= 8000 && memchr(url, '?', n) == NULL && memchr(url, '#', n) == NULL;
}

int rasrc_fetch_url(const rampart_assess_options *o, const char *url, size_t max, rbuf *out, rerr *e)
{
    if (!url_ok(url, strlen(url)))
        return rerr_set(e, RAMPART_EINVAL, NULL, "unsupported URL (not http(s), too long, or with a query)");
    rtransport *tp = NULL;
    int rc = new_transport(&tp, o, e);
    if (rc != 0)
        return rc;
    rbuf_free(out);
    rbuf_init(out, max);
    rsink sink = {.write = rsink_rbuf_write, .ctx = out};
    rc = tp->get(tp, url, max, &sink, e);
    tp->free(tp);
    return rc;
}

/* The folder of a file location: everything up to its last '/' (a path
 * without one is in "."). */
int rasrc_parent_new(rasrc **out, const char **leaf, const char *location, const rampart_assess_options *o, rerr *e)
{
    size_t n = strlen(location);
    const char *slash = strrchr(location, '/');
    if (n == 0 || location[n - 1] == '/')
        return rerr_set(e, RAMPART_ENOTFOUND, NULL, "%s: a folder, not a file", location);
    bool url = strncmp(location, "https://", 8) == 0 || strncmp(location, "http://", 7) == 0;
    if (url) {
        if (!url_ok(location, n) || slash < location + 8)
            return rerr_set(e, RAMPART_EINVAL, NULL, "unsupported URL (too long, with a query, or no path)");
        rtransport *tp = NULL;
        int rc = new_transport(&tp, o, e);
        if (rc == 0 && url_one(out, location, (size_t)(slash + 1 - location), tp, false, e) != 0) {
            tp->free(tp);
            rc = RAMPART_ENOMEM;
        }
        if (rc == 0)
            *leaf = slash + 1;
        return rc;
    }
    RAMPART_AUTO(rbuf_free) rbuf p;
    rbuf_init(&p, 8192);
    if (rbuf_append(&p, slash != NULL ? location : ".", slash != NULL ? (size_t)(slash - location) + 1 : 1) != 0 ||
        rbuf_append(&p, "", 1) != 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "file name too long");
    int rc = dir_one(out, (const char *)p.data, e);
    if (rc == 0)
        *leaf = slash != NULL ? slash + 1 : location;
    return rc;
}

/* The log beside the metadata (docs/transparency.md, "Publishing format":
 * public/log/ beside public/metadata/; a URL's last path segment replaced
 * by log/, as an endpoint finds it). */
int rasrc_log_new(rasrc **out, rasrc *meta, rerr *e)
{
    const char *b = meta->base;
    size_t n = strlen(b);
    if (n > 0 && b[n - 1] == '/')
        n--;
    while (n > 0 && b[n - 1] != '/')
        n--;
    if (n == 0 || (meta->is_url && n <= 8))
        return rerr_set(e, RAMPART_ENOTFOUND, NULL, "%s: no folder above the metadata", b);
    RAMPART_AUTO(rbuf_free) rbuf p;
    rbuf_init(&p, 16384);
    if (rbuf_append(&p, b, n) != 0 || rbuf_append_str(&p, "log/") != 0)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    if (meta->is_url)
        return url_one(out, (const char *)p.data, p.len, ((url_src *)meta)->tp, true, e);
    if (rbuf_append(&p, "", 1) != 0)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    return dir_one(out, (const char *)p.data, e);
}

/* ---- memory ---------------------------------------------------------------- */

typedef struct mem_src {
    rasrc base;
    size_t n;
    const char *const *names;
    const uint8_t *const *data;
    const size_t *len;
} mem_src;

static int mem_get(rasrc *s, const char *name, rbuf *out, rerr *e)
{
    mem_src *m = (mem_src *)s;
    for (size_t i = 0; i < m->n; i++) {
        if (strcmp(m->names[i], name) != 0)
            continue;
        if (m->len[i] > out->max)
            return rerr_set(e, RAMPART_ETOOLARGE, NULL, "%s: larger than %zu bytes", name, out->max);
        if (rbuf_append(out, m->data[i], m->len[i]) != 0)
            return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
        return 0;
    }
    return rerr_set(e, RAMPART_ENOTFOUND, NULL, "%s%s: not found", s->base, name);
}

static void mem_free(rasrc *s)
{
    rampart_free(s->base);
    rampart_free(s);
}

int rasrc_mem_new(rasrc **out, const char *base, size_t n, const char *const *names, const uint8_t *const *data,
                  const size_t *len, rerr *e)
{
    mem_src *m = rampart_calloc(1, sizeof(*m));
    char *b = rampart_strndup(base, strlen(base));
    if (m == NULL || b == NULL) {
        rampart_free(m);
        rampart_free(b);
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    *m = (mem_src){
        .base = {.get = mem_get, .free = mem_free, .base = b}, .n = n, .names = names, .data = data, .len = len};
    *out = &m->base;
    return 0;
}
