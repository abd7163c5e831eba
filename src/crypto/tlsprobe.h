/*
 * tlsprobe.h - the TLS probe of `rampart assess` (docs/assess.md,
 * "Transport: the TLS probe"): which protocol versions and cipher classes a
 * server accepts, its certificate, and one request over TLS to read the
 * response headers.
 *
 * Everything OpenSSL stays inside tlsprobe.c.  The probe uses its own,
 * deliberately permissive contexts (security level 0, one version or one
 * cipher class at a time, no verification during the handshake): they are
 * made for one connection and freed, and nothing downloads through them.
 * Downloads go through the client's libcurl transport with its own strict
 * settings.  The sockets connect to the given host and port only, with a
 * connection timeout, a deadline per connection and a cap on bytes read.
 *
 * The results are plain values: src/assess judges them with no I/O.
 */
#ifndef RAMPART_CRYPTO_TLSPROBE_H
#define RAMPART_CRYPTO_TLSPROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/common.h"

/* Protocol versions probed, oldest first (SSLv2/SSLv3 are not built into
 * Debian's OpenSSL 3 and cannot be probed). */
typedef enum rtls_version { RTLS_V10 = 0, RTLS_V11, RTLS_V12, RTLS_V13, RTLS_NVERSIONS } rtls_version;

/* Cipher-suite classes probed on TLS 1.2 and below (TLS 1.3 suites are all
 * AEAD with ephemeral key exchange). */
typedef enum rtls_class {
    RTLS_CLS_NOFS = 0, /* static RSA key exchange: no forward secrecy */
    RTLS_CLS_NOAEAD,   /* CBC (MAC-then-encrypt) suites: no AEAD */
    RTLS_CLS_NULL,     /* no encryption at all */
    RTLS_CLS_ANON,     /* anonymous key exchange: no server authentication */
    RTLS_NCLASSES
} rtls_class;

typedef enum rtls_answer {
    RTLS_NOT_TRIED = 0,
    RTLS_ACCEPTED,    /* the handshake completed */
    RTLS_REFUSED,     /* connected, but no handshake (alert, reset, timeout) */
    RTLS_UNSUPPORTED, /* this OpenSSL cannot offer it, so it was not asked */
} rtls_answer;

/* Certificate verification problems (bits of rtls_cert.problems). */
#define RTLS_CERT_UNTRUSTED 0x01u     /* no chain to a trusted root */
#define RTLS_CERT_SELF_SIGNED 0x02u   /* the leaf is its own issuer */
#define RTLS_CERT_EXPIRED 0x04u       /* a certificate of the chain has expired */
#define RTLS_CERT_NOT_YET_VALID 0x08u /* ... or is not valid yet */
#define RTLS_CERT_OTHER 0x10u         /* any other verification error (see detail) */

typedef struct rtls_cert {
    bool present;                  /* the server sent a certificate */
    unsigned problems;             /* RTLS_CERT_* bits; 0 = the chain verifies */
    char detail[128];              /* the first verification error, in OpenSSL's words */
    bool name_ok;                  /* the leaf names the host (DNS name or IP address) */
    int64_t not_before, not_after; /* the leaf's validity, seconds since the epoch */
    char key_type[16];             /* "RSA", "RSA-PSS", "EC", "Ed25519", "Ed448", "DSA", "other" */
    int key_bits;
    char sig_alg[64];               /* the leaf's signature algorithm, e.g. "ecdsa-with-SHA256" */
    char sig_hash[16];              /* its digest ("SHA256", "SHA1", "MD5"), "" when intrinsic (Ed25519) */
    char subject[256], issuer[256]; /* one-line names (untrusted text) */
} rtls_cert;

typedef struct rtls_probe {
    rtls_answer version[RTLS_NVERSIONS];
    char cipher[RTLS_NVERSIONS][64]; /* the suite negotiated with every suite offered */
    rtls_answer cls[RTLS_NCLASSES];
    char cls_cipher[RTLS_NCLASSES][64]; /* the suite accepted in that class */
    rtls_cert cert;                     /* from the newest version accepted */
} rtls_probe;

typedef struct rtls_target {
    const char *host; /* a DNS name or an IP literal (no brackets) */
    unsigned port;
    const char *ca_file; /* PEM bundle; NULL: the system store */
    long connect_timeout_ms;
    long deadline_ms; /* per connection, handshake and request included */
    int64_t now;      /* the time certificates are verified at */
} rtls_target;

/* Probes every version and cipher class.  0 (the results in *out, even when
 * every handshake was refused), or ENET (no connection to any address of
 * the host), ECONNTIMEOUT, ENOMEM, ECRYPTO. */
int rtls_probe_run(const rtls_target *t, rtls_probe *out, rerr *e) RAMPART_MUST_USE;

/* Sends `req` over a new TLS connection (any version, no verification: the
 * answer is judged, never trusted) and appends what the server answers to
 * `resp` until the end of the header block ("\r\n\r\n"), the connection
 * closes or resp's cap is reached (not an error: the caller parses what
 * came).  0, ENET, ETLS (no handshake), ETIMEOUT, ECONNTIMEOUT, ENOMEM. */
int rtls_request(const rtls_target *t, const char *req, size_t req_len, rbuf *resp, rerr *e) RAMPART_MUST_USE;

#endif
