/* tlsprobe.c - the TLS probe of `rampart assess` (tlsprobe.h): the one file
 * that uses libssl and opens sockets of its own.  Every OpenSSL type of the
 * probe stays here. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/ossl.h"
#include "crypto/tlsprobe.h"
#include "util/rtime.h"
#include "util/banned.h"

/* Every TLS 1.3 suite OpenSSL 3 knows, so the server's choice shows. */
#define ALL_TLS13                                                                                                      \
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_"   \
    "CCM_8_SHA256"

/* The cipher strings of the classes (OpenSSL's cipher-list syntax), at
 * security level 0 so that nothing is filtered out on our side. */
static const char *const CLASS_LIST[RTLS_NCLASSES] = {
    [RTLS_CLS_NOFS] = "kRSA:@SECLEVEL=0",
    [RTLS_CLS_NOAEAD] = "ALL:COMPLEMENTOFALL:!AESGCM:!AESCCM:!CHACHA20:!ARIAGCM:!eNULL:!aNULL:!PSK:!SRP:@SECLEVEL=0",
    [RTLS_CLS_NULL] = "eNULL:@SECLEVEL=0",
    [RTLS_CLS_ANON] = "aNULL:!eNULL:@SECLEVEL=0",
};

static const int PROTO[RTLS_NVERSIONS] = {TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION};

/* OpenSSL writes to the socket with write(2): a server that resets the
 * connection would raise SIGPIPE and kill the process.  The probe blocks
 * it in the calling thread and drops one that it caused (the pattern of
 * POSIX's "SIGPIPE and threads"; a SIGPIPE already pending is left). */
typedef struct pipe_guard {
    sigset_t old;
    bool pending_before;
} pipe_guard;

static void pipe_block(pipe_guard *g)
{
    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    g->pending_before = sigpending(&pend) == 0 && sigismember(&pend, SIGPIPE) == 1;
    (void)pthread_sigmask(SIG_BLOCK, &set, &g->old);
}

static void pipe_unblock(pipe_guard *g)
{
    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    if (!g->pending_before && sigpending(&pend) == 0 && sigismember(&pend, SIGPIPE) == 1) {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&set, NULL, &zero) == -1 && errno == EINTR) {
        }
    }
    (void)pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is ready for `events` or the deadline passes: 1 ready,
 * 0 timed out, -1 error. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - mono_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, left > 60000 ? 60000 : (int)left);
        if (r > 0)
            return 1;
        if (r == 0)
            continue;
        if (errno != EINTR)
            return -1;
    }
}

/* A non-blocking TCP connection to one of the host's addresses. */
static int tcp_connect(const rtls_target *t, int *out, rerr *e)
{
    char port[8];
    (void)snprintf(port, sizeof(port), "%u", t->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int g = getaddrinfo(t->host, port, &hints, &res);
    if (g != 0)
        return rerr_set(e, RAMPART_ENET, NULL, "%s: cannot resolve: %s", t->host, gai_strerror(g));
    int rc = RAMPART_ENET, err = 0;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int r = connect(fd, ai->ai_addr, ai->ai_addrlen);
        if (r != 0 && errno == EINPROGRESS) {
            int w = wait_fd(fd, POLLOUT, mono_ms() + t->connect_timeout_ms);
            socklen_t sl = sizeof(err);
            if (w == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) == 0 && err == 0)
                r = 0;
            else if (w == 0)
                rc = RAMPART_ECONNTIMEOUT;
        } else if (r != 0) {
            err = errno;
        }
        if (r == 0) {
            freeaddrinfo(res);
            *out = fd;
            return 0;
        }
        close(fd);
    }
    freeaddrinfo(res);
    if (rc == RAMPART_ECONNTIMEOUT)
        return rerr_set(e, rc, NULL, "%s:%u: connection timed out", t->host, t->port);
    return rerr_set(e, rc, NULL, "%s:%u: cannot connect: %s", t->host, t->port, strerror(err));
}

/* A context for one probe connection: every check off, security level 0,
 * the versions [min, max], the cipher list `ciphers` (TLS <= 1.2). */
static SSL_CTX *probe_ctx(int min, int max, const char *ciphers)
{
    SSL_CTX *c = SSL_CTX_new(TLS_client_method());
    if (c == NULL)
        return NULL;
    SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_security_level(c, 0);
    if (SSL_CTX_set_min_proto_version(c, min) != 1 || SSL_CTX_set_max_proto_version(c, max) != 1 ||
        SSL_CTX_set_cipher_list(c, ciphers) != 1 ||
        (max >= TLS1_3_VERSION && SSL_CTX_set_ciphersuites(c, ALL_TLS13) != 1)) {
        SSL_CTX_free(c);
        return NULL;
    }
    /* A server that only speaks the legacy renegotiation still answers. */
    SSL_CTX_set_options(c, SSL_OP_LEGACY_SERVER_CONNECT);
    return c;
}

typedef struct conn {
    int fd;
    SSL *ssl;
    int64_t deadline;
} conn;

static void conn_close(conn *k)
{
    if (k->ssl != NULL) {
        SSL_free(k->ssl);
        k->ssl = NULL;
    }
    if (k->fd >= 0) {
        close(k->fd);
        k->fd = -1;
    }
}

/* Drives one SSL call that may want to read or write, until the deadline:
 * 1 done, 0 failed or timed out (*timed_out says which). */
static int drive(conn *k, int r, bool *timed_out)
{
    for (;;) {
        if (r > 0)
            return 1;
        int err = SSL_get_error(k->ssl, r);
        short ev = (short)(err == SSL_ERROR_WANT_READ ? POLLIN : err == SSL_ERROR_WANT_WRITE ? POLLOUT : 0);
        if (ev == 0)
            return 0;
        int w = wait_fd(k->fd, ev, k->deadline);
        if (w != 1) {
            *timed_out = w == 0;
            return 0;
        }
        return -1; /* call again */
    }
}

/* Connects and handshakes with context `c`: 0 handshake done, ETLS no
 * handshake, network codes. */
static int handshake(const rtls_target *t, SSL_CTX *c, conn *k, rerr *e)
{
    k->fd = -1;
    k->ssl = NULL;
    k->deadline = mono_ms() + t->deadline_ms;
    int rc = tcp_connect(t, &k->fd, e);
    if (rc != 0)
        return rc;
    k->ssl = SSL_new(c);
    if (k->ssl == NULL || SSL_set_fd(k->ssl, k->fd) != 1) {
        conn_close(k);
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    /* SNI is a host name, never an IP literal (RFC 6066 §3). */
    if (strchr(t->host, ':') == NULL && strspn(t->host, "0123456789.") != strlen(t->host))
        (void)SSL_set_tlsext_host_name(k->ssl, t->host);
    bool timed_out = false;
    for (;;) {
        int d = drive(k, SSL_connect(k->ssl), &timed_out);
        if (d == 1)
            return 0;
        if (d == 0)
            break;
    }
    conn_close(k);
    if (timed_out)
        return rerr_set(e, RAMPART_ETIMEOUT, NULL, "%s:%u: TLS handshake timed out", t->host, t->port);
    return rerr_set(e, RAMPART_ETLS, NULL, "%s:%u: no TLS handshake", t->host, t->port);
}

static void copy_str(char *dst, size_t n, const char *src)
{
    (void)snprintf(dst, n, "%s", src != NULL ? src : "");
}

static int64_t asn1_epoch(const ASN1_TIME *at)
{
    struct tm tm;
    if (at == NULL || ASN1_TIME_to_tm(at, &tm) != 1)
        return 0;
    return rtime_days_from_civil((int64_t)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday) * 86400 +
           (int64_t)tm.tm_hour * 3600 + (int64_t)tm.tm_min * 60 + tm.tm_sec;
}

typedef struct verify_state {
    unsigned problems;
    char detail[128];
} verify_state;

/* Records every verification error and goes on, so that one run tells all
 * of them (an expired and untrusted leaf is both). */
static int verify_cb(int ok, X509_STORE_CTX *sctx)
{
    if (ok)
        return 1;
    verify_state *vs = X509_STORE_CTX_get_app_data(sctx);
    int err = X509_STORE_CTX_get_error(sctx);
    if (vs == NULL)
        return 0;
    switch (err) {
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        vs->problems |= RTLS_CERT_SELF_SIGNED | RTLS_CERT_UNTRUSTED;
        break;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
        vs->problems |= RTLS_CERT_UNTRUSTED;
        break;
    case X509_V_ERR_CERT_HAS_EXPIRED:
        vs->problems |= RTLS_CERT_EXPIRED;
        break;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        vs->problems |= RTLS_CERT_NOT_YET_VALID;
        break;
    default:
        vs->problems |= RTLS_CERT_OTHER;
        break;
    }
    if (vs->detail[0] == '\0')
        copy_str(vs->detail, sizeof(vs->detail), X509_verify_cert_error_string(err));
    return 1;
}

/* The leaf's validity, key and signature algorithm, and its names. */
static void describe_leaf(X509 *leaf, rtls_cert *c)
{
    c->not_before = asn1_epoch(X509_get0_notBefore(leaf));
    c->not_after = asn1_epoch(X509_get0_notAfter(leaf));
    EVP_PKEY *pk = X509_get0_pubkey(leaf);
    const char *kt = "other";
    if (pk != NULL) {
        switch (EVP_PKEY_get_base_id(pk)) {
        case EVP_PKEY_RSA:
            kt = "RSA";
            break;
        case EVP_PKEY_RSA_PSS:
            kt = "RSA-PSS";
            break;
        case EVP_PKEY_EC:
            kt = "EC";
            break;
        case EVP_PKEY_ED25519:
            kt = "Ed25519";
            break;
        case EVP_PKEY_ED448:
            kt = "Ed448";
            break;
        case EVP_PKEY_DSA:
            kt = "DSA";
            break;
        default:
            break;
        }
        c->key_bits = EVP_PKEY_get_bits(pk);
    }
    copy_str(c->key_type, sizeof(c->key_type), kt);
    int signid = X509_get_signature_nid(leaf);
    copy_str(c->sig_alg, sizeof(c->sig_alg), signid != NID_undef ? OBJ_nid2ln(signid) : "unknown");
    int mdnid = NID_undef;
    if (X509_get_signature_info(leaf, &mdnid, NULL, NULL, NULL) == 1 && mdnid != NID_undef)
        copy_str(c->sig_hash, sizeof(c->sig_hash), OBJ_nid2sn(mdnid));
    else if (signid == NID_ED25519 || signid == NID_ED448)
        c->sig_hash[0] = '\0';
    else
        copy_str(c->sig_hash, sizeof(c->sig_hash), "unknown");
    X509_NAME_oneline(X509_get_subject_name(leaf), c->subject, (int)sizeof(c->subject));
    X509_NAME_oneline(X509_get_issuer_name(leaf), c->issuer, (int)sizeof(c->issuer));
}

/* Verifies the chain the server sent against the trust store, at t->now,
 * for a TLS server; the host name is checked apart. */
static int read_cert(const rtls_target *t, SSL *ssl, rtls_cert *c)
{
    X509 *leaf = SSL_get0_peer_certificate(ssl);
    if (leaf == NULL)
        return 0;
    c->present = true;
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *sctx = X509_STORE_CTX_new();
    if (store == NULL || sctx == NULL) {
        X509_STORE_free(store);
        X509_STORE_CTX_free(sctx);
        return RAMPART_ENOMEM;
    }
    int loaded = t->ca_file != NULL ? X509_STORE_load_file(store, t->ca_file) : X509_STORE_set_default_paths(store);
    verify_state vs = {0};
    if (loaded != 1) {
        vs.problems |= RTLS_CERT_UNTRUSTED;
        copy_str(vs.detail, sizeof(vs.detail), "the trust store cannot be read");
    } else if (X509_STORE_CTX_init(sctx, store, leaf, chain) == 1 && X509_STORE_CTX_set_app_data(sctx, &vs) == 1) {
        X509_STORE_CTX_set_verify_cb(sctx, verify_cb);
        X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(sctx);
        X509_VERIFY_PARAM_set_time(vp, (time_t)t->now);
        X509_VERIFY_PARAM_set_purpose(vp, X509_PURPOSE_SSL_SERVER);
        if (X509_verify_cert(sctx) != 1 && vs.problems == 0) {
            vs.problems |= RTLS_CERT_OTHER;
            copy_str(vs.detail, sizeof(vs.detail), "the chain does not verify");
        }
    } else {
        vs.problems |= RTLS_CERT_OTHER;
        copy_str(vs.detail, sizeof(vs.detail), "the chain cannot be verified");
    }
    X509_STORE_CTX_free(sctx);
    X509_STORE_free(store);
    c->problems = vs.problems;
    copy_str(c->detail, sizeof(c->detail), vs.detail);
    /* RFC 6125: DNS-ID (wildcards in the left-most label only), or an
     * iPAddress SAN for an IP literal. */
    if (strchr(t->host, ':') != NULL || strspn(t->host, "0123456789.") == strlen(t->host))
        c->name_ok = X509_check_ip_asc(leaf, t->host, 0) == 1;
    else
        c->name_ok = X509_check_host(leaf, t->host, 0, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL) == 1;
    describe_leaf(leaf, c);
    return 0;
}

/* One handshake with [min, max] and `ciphers`: the answer, the suite. */
static int try_one(const rtls_target *t, int min, int max, const char *ciphers, rtls_answer *ans, char *suite, size_t n,
                   rtls_cert *cert, rerr *e)
{
    SSL_CTX *c = probe_ctx(min, max, ciphers);
    if (c == NULL) {
        *ans = RTLS_UNSUPPORTED;
        return 0;
    }
    conn k;
    rerr e1 = {0};
    int rc = handshake(t, c, &k, &e1);
    if (rc == 0) {
        *ans = RTLS_ACCEPTED;
        copy_str(suite, n, SSL_CIPHER_get_name(SSL_get_current_cipher(k.ssl)));
        if (cert != NULL && !cert->present)
            rc = read_cert(t, k.ssl, cert);
        conn_close(&k);
    } else if (rc == RAMPART_ETLS || rc == RAMPART_ETIMEOUT) {
        *ans = RTLS_REFUSED;
        rc = 0;
    } else if (e != NULL) {
        *e = e1;
    }
    SSL_CTX_free(c);
    return rc;
}

int rtls_probe_run(const rtls_target *t, rtls_probe *out, rerr *e)
{
    *out = (rtls_probe){0};
    pipe_guard pg;
    pipe_block(&pg);
    rcrypto_err_begin();
    int rc = 0;
    /* Newest first, so that the certificate comes from the best handshake. */
    for (int v = RTLS_NVERSIONS - 1; rc == 0 && v >= 0; v--)
        rc = try_one(t, PROTO[v], PROTO[v], "ALL:COMPLEMENTOFALL:@SECLEVEL=0", &out->version[v], out->cipher[v],
                     sizeof(out->cipher[v]), &out->cert, e);
    /* The classes, on the versions up to 1.2 that were accepted. */
    int lo = 0, hi = -1;
    for (int v = RTLS_V12; v >= RTLS_V10; v--)
        if (out->version[v] == RTLS_ACCEPTED) {
            lo = PROTO[v];
            if (hi < 0)
                hi = PROTO[v];
        }
    for (int k = 0; rc == 0 && hi >= 0 && k < RTLS_NCLASSES; k++)
        rc = try_one(t, lo, hi, CLASS_LIST[k], &out->cls[k], out->cls_cipher[k], sizeof(out->cls_cipher[k]), NULL, e);
    rcrypto_err_end();
    pipe_unblock(&pg);
    return rc;
}

int rtls_request(const rtls_target *t, const char *req, size_t req_len, rbuf *resp, rerr *e)
{
    pipe_guard pg;
    pipe_block(&pg);
    rcrypto_err_begin();
    SSL_CTX *c = probe_ctx(TLS1_VERSION, TLS1_3_VERSION, "ALL:COMPLEMENTOFALL:@SECLEVEL=0");
    int rc = 0;
    conn k = {.fd = -1};
    if (c == NULL)
        rc = rerr_set(e, RAMPART_ECRYPTO, NULL, "cannot make a TLS context");
    if (rc == 0)
        rc = handshake(t, c, &k, e);
    bool timed_out = false;
    size_t off = 0;
    while (rc == 0 && off < req_len) {
        size_t w = 0;
        int d = drive(&k, SSL_write_ex(k.ssl, req + off, req_len - off, &w), &timed_out);
        if (d == 1)
            off += w;
        else if (d == 0)
            rc = timed_out ? rerr_set(e, RAMPART_ETIMEOUT, NULL, "%s:%u: request timed out", t->host, t->port)
                           : rerr_set(e, RAMPART_ENET, NULL, "%s:%u: cannot send the request", t->host, t->port);
    }
    /* Read until the end of the headers, EOF or the cap. */
    while (rc == 0 && resp->len < resp->max) {
        uint8_t chunk[4096];
        size_t want = resp->max - resp->len < sizeof(chunk) ? resp->max - resp->len : sizeof(chunk), got = 0;
        int d = drive(&k, SSL_read_ex(k.ssl, chunk, want, &got), &timed_out);
        if (d == -1)
            continue;
        if (d == 0) {
            if (timed_out)
                rc = rerr_set(e, RAMPART_ETIMEOUT, NULL, "%s:%u: no answer in time", t->host, t->port);
            break; /* closed: parse what came */
        }
        rc = rbuf_append(resp, chunk, got);
        if (rc != 0)
            rc = rerr_set(e, rc, NULL, "out of memory");
        else if (resp->len >= 4 && memmem(resp->data, resp->len, "\r\n\r\n", 4) != NULL)
            break;
    }
    conn_close(&k);
    SSL_CTX_free(c);
    rcrypto_err_end();
    pipe_unblock(&pg);
    return rc;
}
