/* tls_checks.c - the Transport checks of the TLS probe, judged with no I/O
 * (docs/assess.md, "Transport: the TLS probe"): URLs and response heads
 * parsed strictly, probe results turned into findings. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "assess/tls.h"
#include "util/banned.h"

const rassess_rule rassess_tls_rules[TLS_NRULES] = {
    [TLS_R_PROTOCOLS] = {"TLS-PROTOCOLS", RQ_T, "TLS protocol versions the server accepts",
                         "Accept TLS 1.2 and TLS 1.3 only (nginx: ssl_protocols TLSv1.2 TLSv1.3)"},
    [TLS_R_CERT] =
        {"TLS-CERT", RQ_T, "Server certificate: trust, host name, validity, key and signature",
         "Serve a certificate from a trusted CA that names the host, renewed at least 30 days before expiry, "
         "with an ECDSA P-256 or RSA >= 2048-bit key signed with SHA-256 or stronger"},
    [TLS_R_CIPHERS] = {"TLS-CIPHERS", RQ_T, "Cipher suites accepted on TLS 1.2 and below",
                       "Accept only suites with ephemeral key exchange (ECDHE) and AEAD encryption (AES-GCM, "
                       "ChaCha20-Poly1305)"},
    [TLS_R_HSTS] = {"TLS-HSTS", RQ_T, "HTTP Strict Transport Security (RFC 6797)",
                    "Send Strict-Transport-Security: max-age=31536000 on every https response"},
    [TLS_R_REDIRECTS] = {"TLS-REDIRECTS", RQ_T, "Redirect hops of the assessed URL",
                         "Redirect only to https URLs: never from https to http"},
};

/* ---- URLs ----------------------------------------------------------------------- */

static bool url_byte_ok(unsigned char c)
{
    return c > 0x20 && c < 0x7f;
}

int rassess_url_parse(const char *url, rassess_url *out)
{
    *out = (rassess_url){0};
    size_t len = strnlen(url, RASSESS_URL_MAX);
    if (len >= RASSESS_URL_MAX)
        return RAMPART_EFORMAT;
    for (size_t i = 0; i < len; i++)
        if (!url_byte_ok((unsigned char)url[i]))
            return RAMPART_EFORMAT;
    const char *p;
    if (strncmp(url, "https://", 8) == 0) {
        out->https = true;
        out->port = 443;
        p = url + 8;
    } else if (strncmp(url, "http://", 7) == 0) {
        out->port = 80;
        p = url + 7;
    } else {
        return RAMPART_EFORMAT;
    }
    size_t alen = strcspn(p, "/?#");
    const char *rest = p + alen;
    if (memchr(p, '@', alen) != NULL || alen == 0)
        return RAMPART_EFORMAT;
    const char *hend;
    const char *h = p;
    if (*p == '[') {
        const char *rb = memchr(p, ']', alen);
        if (rb == NULL || rb == p + 1)
            return RAMPART_EFORMAT;
        h = p + 1;
        hend = rb;
        if (strspn(h, "0123456789abcdefABCDEF:.") < (size_t)(hend - h))
            return RAMPART_EFORMAT;
        p = rb + 1;
    } else {
        hend = memchr(p, ':', alen);
        if (hend == NULL)
            hend = rest;
        for (const char *q = h; q < hend; q++)
            if (!isalnum((unsigned char)*q) && *q != '-' && *q != '.' && *q != '_')
                return RAMPART_EFORMAT;
        p = hend;
    }
    size_t hl = (size_t)(hend - h);
    if (hl == 0 || hl >= sizeof(out->host))
        return RAMPART_EFORMAT;
    for (size_t i = 0; i < hl; i++)
        out->host[i] = (char)tolower((unsigned char)h[i]);
    out->host[hl] = '\0';
    if (p < rest) {
        if (*p != ':' || p + 1 == rest)
            return RAMPART_EFORMAT;
        unsigned port = 0;
        for (const char *q = p + 1; q < rest; q++) {
            if (!isdigit((unsigned char)*q) || port > 6553)
                return RAMPART_EFORMAT;
            port = port * 10 + (unsigned)(*q - '0');
        }
        if (port == 0 || port > 65535)
            return RAMPART_EFORMAT;
        out->port = port;
    }
    size_t tl = strcspn(rest, "#");
    /* fits: the whole URL is at most RASSESS_URL_MAX - 1 bytes (checked above) */
    if (tl == 0)
        (void)snprintf(out->target, sizeof(out->target), "/");
    else if (rest[0] == '?')
        (void)snprintf(out->target, sizeof(out->target), "/%.*s", (int)tl, rest);
    else
        (void)snprintf(out->target, sizeof(out->target), "%.*s", (int)tl, rest);
    return 0;
}

void rassess_url_origin(const rassess_url *u, char *out, size_t n)
{
    bool v6 = strchr(u->host, ':') != NULL;
    (void)snprintf(out, n, "%s://%s%s%s:%u", u->https ? "https" : "http", v6 ? "[" : "", u->host, v6 ? "]" : "",
                   u->port);
}

int rassess_url_resolve(const char *base, const char *loc, char *out, size_t n)
{
    int k;
    /* Another scheme (RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":") is not followed. */
    size_t sl = strspn(loc, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
    if (sl > 0 && loc[sl] == ':' && isalpha((unsigned char)loc[0]) && strncmp(loc, "https://", 8) != 0 &&
        strncmp(loc, "http://", 7) != 0)
        return RAMPART_EFORMAT;
    if (strncmp(loc, "https://", 8) == 0 || strncmp(loc, "http://", 7) == 0) {
        k = snprintf(out, n, "%s", loc);
    } else {
        const char *colon = strchr(base, ':');
        if (colon == NULL || strncmp(colon, "://", 3) != 0)
            return RAMPART_EFORMAT;
        const char *auth = colon + 3;
        size_t alen = strcspn(auth, "/?#");
        if (strncmp(loc, "//", 2) == 0) {
            k = snprintf(out, n, "%.*s%s", (int)(colon + 1 - base), base, loc);
        } else if (loc[0] == '/') {
            k = snprintf(out, n, "%.*s%s", (int)(auth + alen - base), base, loc);
        } else {
            /* Relative: the base's path up to its last '/'. */
            const char *path = auth + alen;
            size_t pl = strcspn(path, "?#");
            size_t dir = 0;
            for (size_t i = 0; i < pl; i++)
                if (path[i] == '/')
                    dir = i + 1;
            k = snprintf(out, n, "%.*s%.*s%s%s", (int)(auth + alen - base), base, (int)dir, path, dir == 0 ? "/" : "",
                         loc);
        }
    }
    if (k < 0 || (size_t)k >= n)
        return RAMPART_EFORMAT;
    rassess_url u;
    return rassess_url_parse(out, &u);
}

/* ---- response heads (RFC 9112 §2-§5) ------------------------------------------- */

static bool tchar(unsigned char c)
{
    return isalnum(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int copy_field(char *dst, size_t n, const uint8_t *v, size_t vl)
{
    if (vl >= n)
        return RAMPART_EFORMAT;
    memcpy(dst, v, vl);
    dst[vl] = '\0';
    return 0;
}

int rassess_http_head_parse(const uint8_t *p, size_t n, rassess_http_head *out)
{
    *out = (rassess_http_head){0};
    const uint8_t *end = memmem(p, n, "\r\n\r\n", 4);
    if (end == NULL)
        return RAMPART_EFORMAT;
    end += 2; /* keep the last field's CRLF */
    const uint8_t *line = p;
    const uint8_t *eol = memmem(line, (size_t)(end - line), "\r\n", 2);
    /* status-line = HTTP-version SP 3DIGIT SP [reason-phrase] */
    if (eol == NULL || eol - line < 12 || memcmp(line, "HTTP/1.", 7) != 0 || !isdigit(line[7]) || line[8] != ' ' ||
        !isdigit(line[9]) || !isdigit(line[10]) || !isdigit(line[11]) || (eol - line > 12 && line[12] != ' '))
        return RAMPART_EFORMAT;
    out->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    if (out->status < 100)
        return RAMPART_EFORMAT;
    for (const uint8_t *q = line + 12; q < eol; q++)
        if ((*q < 0x20 && *q != '\t') || *q == 0x7f)
            return RAMPART_EFORMAT;
    for (line = eol + 2; line < end; line = eol + 2) {
        eol = memmem(line, (size_t)(end - line), "\r\n", 2);
        if (eol == NULL)
            return RAMPART_EFORMAT;
        const uint8_t *colon = memchr(line, ':', (size_t)(eol - line));
        /* field-name = token; no whitespace before the colon (§5.1), no obs-fold (§5.2). */
        if (colon == NULL || colon == line)
            return RAMPART_EFORMAT;
        for (const uint8_t *q = line; q < colon; q++)
            if (!tchar(*q))
                return RAMPART_EFORMAT;
        const uint8_t *v = colon + 1, *ve = eol;
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        for (const uint8_t *q = v; q < ve; q++)
            if ((*q < 0x20 && *q != '\t') || *q == 0x7f)
                return RAMPART_EFORMAT;
        size_t nl = (size_t)(colon - line), vl = (size_t)(ve - v);
        if (nl == 8 && strncasecmp((const char *)line, "location", 8) == 0 && !out->has_location) {
            if (copy_field(out->location, sizeof(out->location), v, vl) != 0)
                return RAMPART_EFORMAT;
            out->has_location = true;
        } else if (nl == 25 && strncasecmp((const char *)line, "strict-transport-security", 25) == 0 && !out->has_sts) {
            if (copy_field(out->sts, sizeof(out->sts), v, vl) != 0)
                return RAMPART_EFORMAT;
            out->has_sts = true;
        }
    }
    return 0;
}

/* ---- Strict-Transport-Security (RFC 6797 §6.1) --------------------------------- */

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

void rassess_hsts_parse(const char *v, rassess_hsts *out)
{
    *out = (rassess_hsts){0};
    bool seen_age = false, seen_sub = false, bad = false;
    const char *s = v;
    for (;;) {
        s = skip_ws(s);
        size_t nl = 0;
        while (tchar((unsigned char)s[nl]))
            nl++;
        const char *name = s;
        s = skip_ws(s + nl);
        char val[64] = "";
        bool has_val = false;
        if (*s == '=') {
            s = skip_ws(s + 1);
            has_val = true;
            size_t vl = 0;
            if (*s == '"') { /* quoted-string (§6.1: the same value as unquoted) */
                s++;
                while (s[vl] != '\0' && s[vl] != '"')
                    vl++;
                if (s[vl] != '"')
                    bad = true;
                if (vl < sizeof(val))
                    (void)snprintf(val, sizeof(val), "%.*s", (int)vl, s);
                else
                    bad = true;
                s += vl + (s[vl] == '"');
            } else {
                while (tchar((unsigned char)s[vl]))
                    vl++;
                if (vl < sizeof(val))
                    (void)snprintf(val, sizeof(val), "%.*s", (int)vl, s);
                else
                    bad = true;
                s += vl;
            }
            s = skip_ws(s);
        }
        if (nl == 7 && strncasecmp(name, "max-age", 7) == 0) {
            /* delta-seconds = 1*DIGIT; every directive at most once (§6.1 1.) */
            if (seen_age || !has_val || val[0] == '\0' || strspn(val, "0123456789") != strlen(val))
                bad = true;
            int64_t age = 0;
            for (const char *q = val; *q != '\0' && !bad; q++)
                if (age < ((int64_t)1 << 53))
                    age = age * 10 + (*q - '0');
            out->max_age = age;
            seen_age = true;
        } else if (nl == 17 && strncasecmp(name, "includesubdomains", 17) == 0) {
            if (seen_sub || has_val)
                bad = true;
            seen_sub = true;
        } else if (nl == 0 && *s != ';' && *s != '\0') {
            bad = true; /* not a token */
        }
        /* unknown directives are ignored (§6.1 2.) */
        if (*s == '\0')
            break;
        if (*s != ';') {
            bad = true;
            break;
        }
        s++;
    }
    out->valid = seen_age && !bad;
    out->include_subdomains = seen_sub;
}

/* ---- judging --------------------------------------------------------------------- */

static const char *const VNAME[RTLS_NVERSIONS] = {"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"};
static const char *const CNAME[RTLS_NCLASSES] = {"static RSA key exchange (no forward secrecy)", "CBC suites (no AEAD)",
                                                 "NULL encryption",
                                                 "anonymous key exchange (no server authentication)"};

static void protocols(rassess_ev *v, const rtls_probe *p)
{
    int accepted = 0;
    for (int i = RTLS_NVERSIONS - 1; i >= 0; i--) {
        switch (p->version[i]) {
        case RTLS_ACCEPTED:
            accepted++;
            /* RFC 8996 deprecates TLS 1.0 and 1.1; SSL Labs caps at B. */
            rassess_note(v, i <= RTLS_V11 ? RAMPART_CHECK_WARN : RAMPART_CHECK_PASS, "%s accepted (%s)", VNAME[i],
                         p->cipher[i]);
            break;
        case RTLS_REFUSED:
            /* No TLS 1.3: SSL Labs' A- (RFC 8446 §1.2's improvements missing); warn is Rampart's choice. */
            rassess_note(v, i == RTLS_V13 ? RAMPART_CHECK_WARN : RAMPART_CHECK_PASS, "%s refused", VNAME[i]);
            break;
        default:
            rassess_note(v, RAMPART_CHECK_PASS, "%s not probed (this OpenSSL cannot offer it)", VNAME[i]);
            break;
        }
    }
    /* Neither TLS 1.2 nor 1.3: SSL Labs caps at C ("no TLS 1.2"). */
    if (p->version[RTLS_V12] != RTLS_ACCEPTED && p->version[RTLS_V13] != RTLS_ACCEPTED)
        rassess_note(v, RAMPART_CHECK_FAIL,
                     accepted ? "neither TLS 1.2 nor TLS 1.3 accepted" : "no TLS version accepted by the probe");
}

static void ciphers(rassess_ev *v, const rtls_probe *p)
{
    bool old = false;
    for (int i = RTLS_V10; i <= RTLS_V12; i++)
        old |= p->version[i] == RTLS_ACCEPTED;
    if (!old) {
        rassess_note(v, RAMPART_CHECK_PASS, "TLS 1.3 only: every suite has forward secrecy and AEAD");
        return;
    }
    if (p->version[RTLS_V12] == RTLS_ACCEPTED)
        rassess_note(v, RAMPART_CHECK_PASS, "TLS 1.2 negotiates %s", p->cipher[RTLS_V12]);
    /* testssl.sh / SSL Labs caps: no forward secrecy or no AEAD cap at B
     * (warn); NULL encryption and anonymous key exchange leave the
     * connection readable or open to a man in the middle (critical). */
    static const rampart_check_status SEV[RTLS_NCLASSES] = {RAMPART_CHECK_WARN, RAMPART_CHECK_WARN,
                                                            RAMPART_CHECK_CRITICAL, RAMPART_CHECK_CRITICAL};
    for (int k = 0; k < RTLS_NCLASSES; k++) {
        if (p->cls[k] == RTLS_ACCEPTED)
            rassess_note(v, SEV[k], "accepts %s: %s", CNAME[k], p->cls_cipher[k]);
        else if (p->cls[k] == RTLS_REFUSED)
            rassess_note(v, RAMPART_CHECK_PASS, "refuses %s", CNAME[k]);
        else
            rassess_note(v, RAMPART_CHECK_PASS, "%s not probed (this OpenSSL cannot offer it)", CNAME[k]);
    }
}

static void cert(rassess_ev *v, const rtls_cert *c, const char *host, int64_t now)
{
    if (!c->present) {
        rassess_note(v, RAMPART_CHECK_CRITICAL, "no certificate received");
        return;
    }
    rassess_note(v, RAMPART_CHECK_PASS, "subject %s, issuer %s", c->subject, c->issuer);
    /* A client refuses a chain that does not verify (RFC 5280 §6): critical,
     * as SSL Labs' T grade. */
    if (c->problems & RTLS_CERT_SELF_SIGNED)
        rassess_note(v, RAMPART_CHECK_CRITICAL, "self-signed, not trusted");
    else if (c->problems & RTLS_CERT_UNTRUSTED)
        rassess_note(v, RAMPART_CHECK_CRITICAL, "not trusted (%s)", c->detail);
    if (c->problems & RTLS_CERT_EXPIRED)
        rassess_note(v, RAMPART_CHECK_CRITICAL, "expired");
    if (c->problems & RTLS_CERT_NOT_YET_VALID)
        rassess_note(v, RAMPART_CHECK_CRITICAL, "not valid yet");
    if (c->problems & RTLS_CERT_OTHER)
        rassess_note(v, RAMPART_CHECK_CRITICAL, "does not verify (%s)", c->detail);
    if (c->problems == 0)
        rassess_note(v, RAMPART_CHECK_PASS, "trusted");
    /* RFC 6125 §6: the name checked is the host of the URL (M in SSL Labs). */
    rassess_note(v, c->name_ok ? RAMPART_CHECK_PASS : RAMPART_CHECK_CRITICAL, "%s %s",
                 c->name_ok ? "names" : "does not name", host);
    int64_t left = (c->not_after - now) / 86400;
    /* 30 days: CHECKS' warn threshold, the point where ACME clients renew
     * (Rampart's choice to warn there). */
    if (c->not_after > now)
        rassess_note(v, left < 30 ? RAMPART_CHECK_WARN : RAMPART_CHECK_PASS, "%lld day(s) left", (long long)left);
    /* Keys: NIST SP 800-57 part 1 (RSA-2048 = 112-bit security, P-256 = 128). */
    rampart_check_status ks = RAMPART_CHECK_PASS;
    if (strncmp(c->key_type, "RSA", 3) == 0)
        ks = c->key_bits < 2048 ? RAMPART_CHECK_FAIL : RAMPART_CHECK_PASS;
    else if (strcmp(c->key_type, "EC") == 0)
        ks = c->key_bits < 256 ? RAMPART_CHECK_FAIL : RAMPART_CHECK_PASS;
    else if (strcmp(c->key_type, "DSA") == 0)
        ks = RAMPART_CHECK_FAIL;
    else if (strcmp(c->key_type, "Ed25519") != 0 && strcmp(c->key_type, "Ed448") != 0)
        ks = RAMPART_CHECK_WARN;
    rassess_note(v, ks, "%s %d-bit key", c->key_type, c->key_bits);
    /* Signatures: MD5/MD2 (SSL Labs F), SHA-1 (T; CA/B Forum Baseline
     * Requirements forbid it since 2016). */
    rampart_check_status ss = RAMPART_CHECK_PASS;
    if (strcmp(c->sig_hash, "MD5") == 0 || strcmp(c->sig_hash, "MD2") == 0 || strcmp(c->sig_hash, "MD4") == 0)
        ss = RAMPART_CHECK_CRITICAL;
    else if (strcmp(c->sig_hash, "SHA1") == 0)
        ss = RAMPART_CHECK_FAIL;
    else if (strcmp(c->sig_hash, "unknown") == 0)
        ss = RAMPART_CHECK_WARN;
    rassess_note(v, ss, "signed with %s", c->sig_alg);
}

/* RFC 6797 §6.1.1 max-age; one year is the HSTS preload list's minimum
 * (hstspreload.org) and the pass threshold (Rampart's choice; SSL Labs and
 * testssl.sh accept 180 days). */
#define HSTS_PASS_AGE ((int64_t)365 * 86400)

static void hsts(rassess_ev *v, const rassess_tls_origin *o)
{
    if (o->head_rc != 0) {
        rassess_note(v, RAMPART_CHECK_WARN, "no response read: %s", o->head_err);
        return;
    }
    if (!o->head.has_sts) {
        rassess_note(v, RAMPART_CHECK_WARN, "no Strict-Transport-Security header (status %d)", o->head.status);
        return;
    }
    rassess_hsts h;
    rassess_hsts_parse(o->head.sts, &h);
    if (!h.valid)
        rassess_note(v, RAMPART_CHECK_WARN, "Strict-Transport-Security \"%s\" is not valid (RFC 6797 section 6.1)",
                     o->head.sts);
    else if (h.max_age < HSTS_PASS_AGE)
        rassess_note(v, RAMPART_CHECK_WARN, "max-age=%lld, less than a year%s", (long long)h.max_age,
                     h.max_age == 0 ? " (0 removes the policy)" : "");
    else
        rassess_note(v, RAMPART_CHECK_PASS, "max-age=%lld%s", (long long)h.max_age,
                     h.include_subdomains ? ", includeSubDomains" : "");
}

int rassess_tls_judge_origin(rampart_assessment *a, const rassess_tls_origin *o)
{
    rassess_ev v[4];
    for (int i = 0; i < 4; i++)
        rassess_ev_init(&v[i]);
    if (o->probe_rc != 0) {
        /* The channel was read, so a probe that cannot connect says nothing
         * about TLS: warn, not fail (Rampart's choice). */
        for (int i = 0; i < 3; i++)
            rassess_note(&v[i], RAMPART_CHECK_WARN, "not probed: %s", o->probe_err);
    } else {
        char host[RASSESS_HOST_MAX];
        rassess_url u;
        if (rassess_url_parse(o->origin, &u) == 0)
            (void)snprintf(host, sizeof(host), "%s", u.host);
        else
            (void)snprintf(host, sizeof(host), "?");
        protocols(&v[TLS_R_PROTOCOLS], &o->probe);
        cert(&v[TLS_R_CERT], &o->probe.cert, host, a->now);
        ciphers(&v[TLS_R_CIPHERS], &o->probe);
    }
    hsts(&v[TLS_R_HSTS], o);
    int rc = 0;
    for (int i = 0; i < 4; i++) {
        int r = rassess_emit(a, &rassess_tls_rules[i], &v[i], o->origin);
        if (rc == 0)
            rc = r;
    }
    return rc;
}

int rassess_tls_judge_chain(rampart_assessment *a, const rassess_chain *c)
{
    rassess_ev v;
    rassess_ev_init(&v);
    if (c->n == 1 && c->stop[0] == '\0')
        rassess_note(&v, RAMPART_CHECK_PASS, "no redirect (status %d)", c->status[0]);
    for (size_t i = 1; i < c->n; i++) {
        bool from_https = strncmp(c->url[i - 1], "https://", 8) == 0;
        bool to_https = strncmp(c->url[i], "https://", 8) == 0;
        /* An https -> http hop hands the request to anyone on the path
         * (CHECKS TLS-5; the client transport refuses it too). */
        rassess_note(&v, from_https && !to_https ? RAMPART_CHECK_FAIL : RAMPART_CHECK_PASS, "%s -%d-> %s%s",
                     c->url[i - 1], c->status[i - 1], c->url[i], from_https && !to_https ? " (https to http)" : "");
    }
    if (c->stop[0] != '\0')
        rassess_note(&v, RAMPART_CHECK_WARN, "%s", c->stop);
    return rassess_emit(a, &rassess_tls_rules[TLS_R_REDIRECTS], &v, c->url[0]);
}
