/*
 * fuzz_http_head.c - what the TLS probe reads from a server
 * (src/assess/tls_checks.c): the HTTP/1.x response head, the
 * Strict-Transport-Security value in it, the Location resolved against the
 * URL asked for, and the same bytes as a URL.
 *
 * Invariants: the head parser returns 0 or EFORMAT; on 0 the status is
 * 100..999 and the Location and STS values are NUL-terminated within their
 * fields with no control character but tab; a resolved Location parses
 * again as an http(s) URL; the HSTS reader never reports a negative max-age.
 */
#include <string.h>

#include "assess/tls.h"
#include "fuzz_common.h"
#include "util/banned.h"

static void no_controls(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    FUZZ_CHECK(n < cap);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK((unsigned char)s[i] >= 0x20 || s[i] == '\t');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rassess_http_head h;
    int rc = rassess_http_head_parse(data, size, &h);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT);
    if (rc == 0) {
        FUZZ_CHECK(h.status >= 100 && h.status <= 999);
        no_controls(h.location, sizeof(h.location));
        no_controls(h.sts, sizeof(h.sts));
        rassess_hsts s;
        rassess_hsts_parse(h.sts, &s);
        FUZZ_CHECK(s.max_age >= 0);
        if (h.has_location) {
            char out[RASSESS_URL_MAX];
            rassess_url u;
            if (rassess_url_resolve("https://updates.example.com:8443/a/b?c", h.location, out, sizeof(out)) == 0)
                FUZZ_CHECK(rassess_url_parse(out, &u) == 0);
        }
    }
    char url[RASSESS_URL_MAX];
    size_t n = size < sizeof(url) - 1 ? size : sizeof(url) - 1;
    memcpy(url, data, n);
    url[n] = '\0';
    rassess_url u;
    rc = rassess_url_parse(url, &u);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT);
    if (rc == 0)
        FUZZ_CHECK(u.port > 0 && u.port <= 65535 && u.host[0] != '\0' && u.target[0] == '/');
    rassess_hsts s;
    rassess_hsts_parse(url, &s);
    FUZZ_CHECK(s.max_age >= 0);
    return 0;
}
