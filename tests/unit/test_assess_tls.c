/*
 * test_assess_tls.c - the Transport checks of the TLS probe with no I/O
 * (src/assess/tls_checks.c): URLs split and resolved, response heads and
 * Strict-Transport-Security values parsed strictly, and probe results
 * (crypto/tlsprobe.h) judged into TLS-PROTOCOLS, TLS-CERT, TLS-CIPHERS,
 * TLS-HSTS and TLS-REDIRECTS statuses, one rule at a time.
 */
#include <stdio.h>
#include <string.h>

#include "assess/tls.h"
#include "harness.h"

#define NOW ((int64_t)1764676800) /* 2025-12-02T12:00:00Z */
#define DAY 86400

static void test_url(void)
{
    rassess_url u;
    CHECK_OK(rassess_url_parse("https://Updates.Example.com/tuf/?x=1#frag", &u));
    CHECK(u.https && strcmp(u.host, "updates.example.com") == 0 && u.port == 443);
    CHECK(strcmp(u.target, "/tuf/?x=1") == 0);
    CHECK_OK(rassess_url_parse("https://127.0.0.1:8443", &u));
    CHECK(u.port == 8443 && strcmp(u.target, "/") == 0);
    CHECK_OK(rassess_url_parse("https://[::1]:9/a", &u));
    CHECK(strcmp(u.host, "::1") == 0 && u.port == 9);
    char o[300];
    rassess_url_origin(&u, o, sizeof(o));
    CHECK(strcmp(o, "https://[::1]:9") == 0);
    CHECK_OK(rassess_url_parse("http://h/", &u));
    CHECK(!u.https && u.port == 80);
    CHECK_RC(rassess_url_parse("ftp://h/", &u), RAMPART_EFORMAT);
    CHECK_RC(rassess_url_parse("https://user@h/", &u), RAMPART_EFORMAT);
    CHECK_RC(rassess_url_parse("https://h:0/", &u), RAMPART_EFORMAT);
    CHECK_RC(rassess_url_parse("https://h:65536/", &u), RAMPART_EFORMAT);
    CHECK_RC(rassess_url_parse("https://h:/", &u), RAMPART_EFORMAT);
    CHECK_RC(rassess_url_parse("https:///x", &u), RAMPART_EFORMAT);
    CHECK_RC(rassess_url_parse("https://h/a b", &u), RAMPART_EFORMAT);
    CHECK_RC(rassess_url_parse("https://h/a\r\nX: y", &u), RAMPART_EFORMAT);
    CHECK_RC(rassess_url_parse("https://h\xc3\xa9/", &u), RAMPART_EFORMAT);
    CHECK_RC(rassess_url_parse("https://[zz]/", &u), RAMPART_EFORMAT);

    char out[RASSESS_URL_MAX];
    CHECK_OK(rassess_url_resolve("https://a:1/x/y?q", "http://b/c", out, sizeof(out)));
    CHECK(strcmp(out, "http://b/c") == 0);
    CHECK_OK(rassess_url_resolve("https://a:1/x/y?q", "/c", out, sizeof(out)));
    CHECK(strcmp(out, "https://a:1/c") == 0);
    CHECK_OK(rassess_url_resolve("https://a:1/x/y?q", "//b/c", out, sizeof(out)));
    CHECK(strcmp(out, "https://b/c") == 0);
    CHECK_OK(rassess_url_resolve("https://a:1/x/y?q", "z", out, sizeof(out)));
    CHECK(strcmp(out, "https://a:1/x/z") == 0);
    CHECK_OK(rassess_url_resolve("https://a", "z", out, sizeof(out)));
    CHECK(strcmp(out, "https://a/z") == 0);
    CHECK_RC(rassess_url_resolve("https://a/", "javascript:x", out, sizeof(out)), RAMPART_EFORMAT);
    CHECK_RC(rassess_url_resolve("https://a/", "/a b", out, sizeof(out)), RAMPART_EFORMAT);
}

#define HEAD(s) (const uint8_t *)(s), strlen(s)

static void test_head(void)
{
    rassess_http_head h;
    CHECK_OK(rassess_http_head_parse(HEAD("HTTP/1.1 301 Moved Permanently\r\nServer: x\r\nLocation: http://a/b\r\n"
                                          "strict-transport-security:  max-age=5 \r\nLocation: https://c/\r\n\r\nbody"),
                                     &h));
    CHECK_INT(h.status, 301);
    CHECK(h.has_location && strcmp(h.location, "http://a/b") == 0); /* the first */
    CHECK(h.has_sts && strcmp(h.sts, "max-age=5") == 0);
    CHECK_OK(rassess_http_head_parse(HEAD("HTTP/1.0 200\r\n\r\n"), &h));
    CHECK(h.status == 200 && !h.has_location && !h.has_sts);
    CHECK_RC(rassess_http_head_parse(HEAD("HTTP/1.1 200 OK\r\nA: b\r\n"), &h), RAMPART_EFORMAT); /* no end */
    CHECK_RC(rassess_http_head_parse(HEAD("HTTP/2 200 OK\r\n\r\n"), &h), RAMPART_EFORMAT);
    CHECK_RC(rassess_http_head_parse(HEAD("HTTP/1.1 20 OK\r\n\r\n"), &h), RAMPART_EFORMAT);
    CHECK_RC(rassess_http_head_parse(HEAD("HTTP/1.1 099 OK\r\n\r\n"), &h), RAMPART_EFORMAT);
    CHECK_RC(rassess_http_head_parse(HEAD("HTTP/1.1 200 OK\r\nA : b\r\n\r\n"), &h), RAMPART_EFORMAT);
    CHECK_RC(rassess_http_head_parse(HEAD("HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n"), &h), RAMPART_EFORMAT); /* fold */
    CHECK_RC(rassess_http_head_parse(HEAD("HTTP/1.1 200 OK\r\nA: b\x01\r\n\r\n"), &h), RAMPART_EFORMAT);
    CHECK_RC(rassess_http_head_parse(HEAD("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n"), &h), RAMPART_EFORMAT);
    char big[600];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    char msg[800];
    (void)snprintf(msg, sizeof(msg), "HTTP/1.1 200 OK\r\nStrict-Transport-Security: %s\r\n\r\n", big);
    CHECK_RC(rassess_http_head_parse(HEAD(msg), &h), RAMPART_EFORMAT);
}

static void test_hsts(void)
{
    rassess_hsts h;
    rassess_hsts_parse("max-age=31536000", &h);
    CHECK(h.valid && h.max_age == 31536000 && !h.include_subdomains);
    rassess_hsts_parse("  MAX-AGE = \"600\" ; includeSubDomains; preload", &h);
    CHECK(h.valid && h.max_age == 600 && h.include_subdomains);
    rassess_hsts_parse("max-age=99999999999999999999999", &h);
    CHECK(h.valid && h.max_age >= ((int64_t)1 << 53));
    rassess_hsts_parse("includeSubDomains", &h);
    CHECK(!h.valid); /* max-age is required */
    rassess_hsts_parse("max-age=1; max-age=2", &h);
    CHECK(!h.valid); /* a directive twice (RFC 6797 §6.1) */
    rassess_hsts_parse("max-age=-1", &h);
    CHECK(!h.valid);
    rassess_hsts_parse("max-age=", &h);
    CHECK(!h.valid);
    rassess_hsts_parse("max-age=\"5", &h);
    CHECK(!h.valid);
    rassess_hsts_parse("max-age=5 x", &h);
    CHECK(!h.valid);
    rassess_hsts_parse("max-age=5; includeSubDomains=1", &h);
    CHECK(!h.valid);
}

static rampart_assessment *mk(void)
{
    static rampart_assessment a;
    for (size_t i = 0; i < a.n; i++) {
        rampart_free(a.f[i].evidence);
        rampart_free(a.f[i].location);
    }
    memset(&a, 0, sizeof(a));
    a.now = NOW;
    a.kind = "plain";
    return &a;
}

/* The strong server: TLS 1.2 + 1.3, nothing weak, a trusted certificate
 * with a year left, HSTS for a year. */
static void strong(rassess_tls_origin *o)
{
    memset(o, 0, sizeof(*o));
    (void)snprintf(o->origin, sizeof(o->origin), "https://updates.example.com:443");
    rtls_probe *p = &o->probe;
    p->version[RTLS_V10] = p->version[RTLS_V11] = RTLS_REFUSED;
    p->version[RTLS_V12] = p->version[RTLS_V13] = RTLS_ACCEPTED;
    (void)snprintf(p->cipher[RTLS_V12], sizeof(p->cipher[0]), "ECDHE-ECDSA-AES128-GCM-SHA256");
    (void)snprintf(p->cipher[RTLS_V13], sizeof(p->cipher[0]), "TLS_AES_128_GCM_SHA256");
    for (int k = 0; k < RTLS_NCLASSES; k++)
        p->cls[k] = RTLS_REFUSED;
    rtls_cert *c = &p->cert;
    c->present = true;
    c->name_ok = true;
    c->not_before = NOW - 10 * DAY;
    c->not_after = NOW + 365 * DAY;
    (void)snprintf(c->key_type, sizeof(c->key_type), "EC");
    c->key_bits = 256;
    (void)snprintf(c->sig_alg, sizeof(c->sig_alg), "ecdsa-with-SHA256");
    (void)snprintf(c->sig_hash, sizeof(c->sig_hash), "SHA256");
    o->head_rc = 0;
    o->head.status = 200;
    o->head.has_sts = true;
    (void)snprintf(o->head.sts, sizeof(o->head.sts), "max-age=31536000");
}

/* Judges `o` and returns the status of rule `r` (-1 when absent). */
static int judge(const rassess_tls_origin *o, int r)
{
    rampart_assessment *a = mk();
    if (rassess_tls_judge_origin(a, o) != 0 || a->n != 4)
        return -1;
    for (size_t i = 0; i < a->n; i++)
        if (a->f[i].rule == &rassess_tls_rules[r])
            return (int)a->f[i].status;
    return -1;
}

static void test_judge_origin(void)
{
    rassess_tls_origin *o = rampart_calloc(1, sizeof(*o));
    strong(o);
    for (int r = 0; r < 4; r++)
        CHECK_INT(judge(o, r), RAMPART_CHECK_PASS);
    {
        rampart_assessment *a = mk();
        CHECK_OK(rassess_tls_judge_origin(a, o));
        CHECK(strcmp(a->f[0].location, "https://updates.example.com:443") == 0);
        CHECK(strstr(a->f[1].evidence, "trusted; names updates.example.com; 365 day(s) left") != NULL);
    }
    /* protocols */
    o->probe.version[RTLS_V10] = RTLS_ACCEPTED;
    CHECK_INT(judge(o, TLS_R_PROTOCOLS), RAMPART_CHECK_WARN);
    strong(o);
    o->probe.version[RTLS_V13] = RTLS_REFUSED;
    CHECK_INT(judge(o, TLS_R_PROTOCOLS), RAMPART_CHECK_WARN);
    o->probe.version[RTLS_V12] = RTLS_REFUSED;
    o->probe.version[RTLS_V11] = RTLS_ACCEPTED;
    CHECK_INT(judge(o, TLS_R_PROTOCOLS), RAMPART_CHECK_FAIL);
    o->probe.version[RTLS_V11] = RTLS_REFUSED;
    CHECK_INT(judge(o, TLS_R_PROTOCOLS), RAMPART_CHECK_FAIL);
    strong(o);
    o->probe.version[RTLS_V12] = RTLS_REFUSED; /* TLS 1.3 only */
    CHECK_INT(judge(o, TLS_R_PROTOCOLS), RAMPART_CHECK_PASS);
    CHECK_INT(judge(o, TLS_R_CIPHERS), RAMPART_CHECK_PASS);
    /* ciphers */
    strong(o);
    o->probe.cls[RTLS_CLS_NOFS] = RTLS_ACCEPTED;
    CHECK_INT(judge(o, TLS_R_CIPHERS), RAMPART_CHECK_WARN);
    strong(o);
    o->probe.cls[RTLS_CLS_NOAEAD] = RTLS_ACCEPTED;
    CHECK_INT(judge(o, TLS_R_CIPHERS), RAMPART_CHECK_WARN);
    o->probe.cls[RTLS_CLS_NULL] = RTLS_ACCEPTED;
    CHECK_INT(judge(o, TLS_R_CIPHERS), RAMPART_CHECK_CRITICAL);
    strong(o);
    o->probe.cls[RTLS_CLS_ANON] = RTLS_ACCEPTED;
    CHECK_INT(judge(o, TLS_R_CIPHERS), RAMPART_CHECK_CRITICAL);
    strong(o);
    o->probe.cls[RTLS_CLS_NULL] = RTLS_UNSUPPORTED;
    CHECK_INT(judge(o, TLS_R_CIPHERS), RAMPART_CHECK_PASS);
    /* certificate */
    static const unsigned crit[] = {RTLS_CERT_UNTRUSTED, RTLS_CERT_SELF_SIGNED | RTLS_CERT_UNTRUSTED, RTLS_CERT_EXPIRED,
                                    RTLS_CERT_NOT_YET_VALID, RTLS_CERT_OTHER};
    for (size_t i = 0; i < sizeof(crit) / sizeof(crit[0]); i++) {
        strong(o);
        o->probe.cert.problems = crit[i];
        CHECK_INT(judge(o, TLS_R_CERT), RAMPART_CHECK_CRITICAL);
    }
    strong(o);
    o->probe.cert.name_ok = false;
    CHECK_INT(judge(o, TLS_R_CERT), RAMPART_CHECK_CRITICAL);
    strong(o);
    o->probe.cert.present = false;
    CHECK_INT(judge(o, TLS_R_CERT), RAMPART_CHECK_CRITICAL);
    strong(o);
    o->probe.cert.not_after = NOW + 29 * DAY;
    CHECK_INT(judge(o, TLS_R_CERT), RAMPART_CHECK_WARN);
    o->probe.cert.not_after = NOW + 31 * DAY;
    CHECK_INT(judge(o, TLS_R_CERT), RAMPART_CHECK_PASS);
    strong(o);
    (void)snprintf(o->probe.cert.key_type, sizeof(o->probe.cert.key_type), "RSA");
    o->probe.cert.key_bits = 2048;
    CHECK_INT(judge(o, TLS_R_CERT), RAMPART_CHECK_PASS);
    o->probe.cert.key_bits = 1024;
    CHECK_INT(judge(o, TLS_R_CERT), RAMPART_CHECK_FAIL);
    strong(o);
    (void)snprintf(o->probe.cert.key_type, sizeof(o->probe.cert.key_type), "DSA");
    CHECK_INT(judge(o, TLS_R_CERT), RAMPART_CHECK_FAIL);
    strong(o);
    (void)snprintf(o->probe.cert.sig_hash, sizeof(o->probe.cert.sig_hash), "SHA1");
    CHECK_INT(judge(o, TLS_R_CERT), RAMPART_CHECK_FAIL);
    (void)snprintf(o->probe.cert.sig_hash, sizeof(o->probe.cert.sig_hash), "MD5");
    CHECK_INT(judge(o, TLS_R_CERT), RAMPART_CHECK_CRITICAL);
    strong(o);
    (void)snprintf(o->probe.cert.key_type, sizeof(o->probe.cert.key_type), "Ed25519");
    o->probe.cert.sig_hash[0] = '\0';
    CHECK_INT(judge(o, TLS_R_CERT), RAMPART_CHECK_PASS);
    /* HSTS */
    strong(o);
    o->head.has_sts = false;
    CHECK_INT(judge(o, TLS_R_HSTS), RAMPART_CHECK_WARN);
    strong(o);
    (void)snprintf(o->head.sts, sizeof(o->head.sts), "max-age=31535999");
    CHECK_INT(judge(o, TLS_R_HSTS), RAMPART_CHECK_WARN);
    (void)snprintf(o->head.sts, sizeof(o->head.sts), "max-age=0");
    CHECK_INT(judge(o, TLS_R_HSTS), RAMPART_CHECK_WARN);
    (void)snprintf(o->head.sts, sizeof(o->head.sts), "maxage=31536000");
    CHECK_INT(judge(o, TLS_R_HSTS), RAMPART_CHECK_WARN);
    strong(o);
    o->head_rc = RAMPART_ENET;
    CHECK_INT(judge(o, TLS_R_HSTS), RAMPART_CHECK_WARN);
    /* a probe that could not run */
    strong(o);
    o->probe_rc = RAMPART_ENET;
    CHECK_INT(judge(o, TLS_R_PROTOCOLS), RAMPART_CHECK_WARN);
    CHECK_INT(judge(o, TLS_R_CERT), RAMPART_CHECK_WARN);
    CHECK_INT(judge(o, TLS_R_CIPHERS), RAMPART_CHECK_WARN);
    rampart_free(o);
    (void)mk();
}

static int chain_status(const rassess_chain *c)
{
    rampart_assessment *a = mk();
    if (rassess_tls_judge_chain(a, c) != 0 || a->n != 1 || a->f[0].rule != &rassess_tls_rules[TLS_R_REDIRECTS])
        return -1;
    return (int)a->f[0].status;
}

static void test_judge_chain(void)
{
    rassess_chain *c = rampart_calloc(1, sizeof(*c));
    (void)snprintf(c->url[0], sizeof(c->url[0]), "https://a/x");
    c->status[0] = 200;
    c->n = 1;
    CHECK_INT(chain_status(c), RAMPART_CHECK_PASS);
    c->status[0] = 301;
    (void)snprintf(c->url[1], sizeof(c->url[1]), "https://b/x");
    c->status[1] = 302;
    (void)snprintf(c->url[2], sizeof(c->url[2]), "http://c/x");
    c->n = 2;
    CHECK_INT(chain_status(c), RAMPART_CHECK_PASS);
    c->n = 3;
    CHECK_INT(chain_status(c), RAMPART_CHECK_FAIL);
    {
        rampart_assessment *a = mk();
        CHECK_OK(rassess_tls_judge_chain(a, c));
        CHECK(strcmp(a->f[0].evidence,
                     "https://a/x -301-> https://b/x; https://b/x -302-> http://c/x (https to http)") == 0);
        CHECK(strcmp(a->f[0].location, "https://a/x") == 0);
    }
    c->n = 2;
    (void)snprintf(c->stop, sizeof(c->stop), "more than 8 redirects");
    CHECK_INT(chain_status(c), RAMPART_CHECK_WARN);
    rampart_free(c);
    (void)mk();
}

int main(void)
{
    RUN(test_url);
    RUN(test_head);
    RUN(test_hsts);
    RUN(test_judge_origin);
    RUN(test_judge_chain);
    return th_summary("test_assess_tls");
}
