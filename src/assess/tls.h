/*
 * tls.h - the Transport checks every kind shares (docs/assess.md,
 * "Transport: the TLS probe"): TLS-PROTOCOLS, TLS-CERT, TLS-CIPHERS,
 * TLS-HSTS per https origin, TLS-REDIRECTS per URL.
 *
 * tls_checks.c judges, with no I/O: it parses the URLs, the response
 * headers and the Strict-Transport-Security value, and turns probe results
 * (crypto/tlsprobe.h) into findings.  tls_probe.c is the thin I/O part: it
 * runs the probe and one HEAD request per hop.
 */
#ifndef RAMPART_ASSESS_TLS_H
#define RAMPART_ASSESS_TLS_H

#include <stdbool.h>
#include <stdint.h>

#include "assess/assess.h"
#include "crypto/tlsprobe.h"

/* The rules, in SARIF order (after the kind's own). */
enum { TLS_R_PROTOCOLS = 0, TLS_R_CERT, TLS_R_CIPHERS, TLS_R_HSTS, TLS_R_REDIRECTS, TLS_NRULES };
extern const rassess_rule rassess_tls_rules[TLS_NRULES];

#define RASSESS_URL_MAX 2048
#define RASSESS_HOST_MAX 256

/* An http(s) URL split for the probe. */
typedef struct rassess_url {
    bool https;
    char host[RASSESS_HOST_MAX];  /* lower case, IPv6 without brackets */
    unsigned port;                /* 443 / 80 when absent */
    char target[RASSESS_URL_MAX]; /* path and query, "/" when empty; no fragment */
} rassess_url;

/* Strict: "http(s)://" host [":" port] [path], no user info, no control
 * character, space or non-ASCII byte, at most RASSESS_URL_MAX - 1 bytes.
 * 0 or EFORMAT. */
int rassess_url_parse(const char *url, rassess_url *out) RAMPART_MUST_USE;

/* "https://host:port" (IPv6 in brackets) of a parsed URL. */
void rassess_url_origin(const rassess_url *u, char *out, size_t n);

/* Resolves a Location value against `base` (RFC 3986 §5.2, for the forms
 * servers send: absolute, "//authority/...", "/path", "relative").
 * 0 or EFORMAT. */
int rassess_url_resolve(const char *base, const char *loc, char *out, size_t n) RAMPART_MUST_USE;

/* What the probe reads of an HTTP/1.x response head. */
typedef struct rassess_http_head {
    int status; /* 100..599 */
    bool has_location;
    char location[RASSESS_URL_MAX]; /* the first Location field */
    bool has_sts;
    char sts[512]; /* the first Strict-Transport-Security field (RFC 6797 §8.1) */
} rassess_http_head;

/* Parses a status line and header fields up to the empty line ("\r\n\r\n"
 * must be present).  Field names are tokens, values have no control
 * characters besides tab; obsolete line folding is refused; a Location or
 * STS value too long for its field is refused.  0 or EFORMAT. */
int rassess_http_head_parse(const uint8_t *p, size_t n, rassess_http_head *out) RAMPART_MUST_USE;

/* A Strict-Transport-Security value (RFC 6797 §6.1). */
typedef struct rassess_hsts {
    bool valid;      /* a max-age directive, every directive once, well formed */
    int64_t max_age; /* seconds (capped at 2^53) */
    bool include_subdomains;
} rassess_hsts;
void rassess_hsts_parse(const char *v, rassess_hsts *out);

/* What was learnt about one https origin. */
typedef struct rassess_tls_origin {
    char origin[RASSESS_HOST_MAX + 16]; /* "https://host:port" */
    int probe_rc;                       /* 0, or why the probe could not run */
    char probe_err[512];
    rtls_probe probe;
    int head_rc; /* 0 when a response head from this origin was read */
    char head_err[512];
    rassess_http_head head;
} rassess_tls_origin;

/* The redirect chain of one URL, hop by hop. */
#define RASSESS_MAX_HOPS 8
typedef struct rassess_chain {
    char url[RASSESS_MAX_HOPS + 1][RASSESS_URL_MAX]; /* url[0] the URL assessed */
    int status[RASSESS_MAX_HOPS + 1];                /* its answer's status (0: none) */
    size_t n;                                        /* URLs in url[] */
    char stop[512];                                  /* why the walk stopped early, or "" */
} rassess_chain;

/* Records TLS-PROTOCOLS, TLS-CERT, TLS-CIPHERS and TLS-HSTS for `o`, and
 * TLS-REDIRECTS for `c`, as findings of `a` (judged at a->now). */
int rassess_tls_judge_origin(rampart_assessment *a, const rassess_tls_origin *o) RAMPART_MUST_USE;
int rassess_tls_judge_chain(rampart_assessment *a, const rassess_chain *c) RAMPART_MUST_USE;

/* The I/O part (tls_probe.c): probes every https origin of `urls` (and of
 * their redirect hops, at most 8 origins) and records the findings.  0, or
 * ENOMEM / ETOOLARGE (too many findings); probe failures are findings. */
int rassess_tls_run(rampart_assessment *a, const rampart_assess_options *o, const char *const *urls, size_t n,
                    rerr *e) RAMPART_MUST_USE;

#endif
