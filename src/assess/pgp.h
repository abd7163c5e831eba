/*
 * pgp.h - a minimal, strict OpenPGP reader (RFC 4880, RFC 9580): enough to
 * grade a signature and the keys that made it, never to verify one
 * (verification is gpgv's, apt_gpgv.c).  It reads the cleartext signature
 * framework (an apt InRelease), ASCII armor with its CRC24, signature
 * packets (v3, v4, v6: type, algorithms, creation time, issuer) and public
 * key packets (v4, v6: algorithm, size or curve, fingerprint).
 *
 * Caps: inputs of at most PGP_MAX_INPUT bytes, PGP_MAX_PACKETS packets;
 * partial and indeterminate lengths are refused (RFC 9580 §4.2.1.4 allows
 * them only for data packets).  Every error is RAMPART_EFORMAT (or
 * ETOOLARGE, ENOMEM) with a message.
 */
#ifndef RAMPART_ASSESS_PGP_H
#define RAMPART_ASSESS_PGP_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"

#define PGP_MAX_INPUT (1u << 20)
#define PGP_MAX_PACKETS 256
#define PGP_MAX_SIGS 16
#define PGP_MAX_KEYS 32

/* RFC 9580 §9.1, §9.5 */
enum {
    PGP_PK_RSA = 1,
    PGP_PK_RSA_S = 3,
    PGP_PK_DSA = 17,
    PGP_PK_ECDH = 18,
    PGP_PK_ECDSA = 19,
    PGP_PK_EDDSA = 22,
    PGP_PK_X25519 = 25,
    PGP_PK_ED25519 = 27,
    PGP_PK_ED448 = 28
};
enum {
    PGP_H_MD5 = 1,
    PGP_H_SHA1 = 2,
    PGP_H_RIPEMD160 = 3,
    PGP_H_SHA256 = 8,
    PGP_H_SHA384 = 9,
    PGP_H_SHA512 = 10,
    PGP_H_SHA224 = 11,
    PGP_H_SHA3_256 = 12,
    PGP_H_SHA3_512 = 14
};

typedef struct pgp_sig {
    int version; /* 3, 4 or 6 */
    int type;    /* signature type (0x00 binary, 0x01 text, ...) */
    int pk_alg;
    int hash_alg;
    int64_t created; /* -1 when absent */
    uint8_t issuer_fpr[32];
    size_t issuer_fpr_len; /* 0, 20 (v4) or 32 (v6) */
    uint8_t issuer_id[8];
    bool has_issuer_id;
} pgp_sig;

typedef struct pgp_key {
    int version; /* 4 or 6 */
    bool subkey;
    int pk_alg;
    unsigned bits;     /* RSA, DSA: the modulus / prime size; curves: their size */
    const char *curve; /* "ed25519", "nistp256", ... or NULL */
    int64_t created;
    uint8_t fpr[32];
    size_t fpr_len; /* 20 (v4) or 32 (v6) */
} pgp_key;

/* Splits a cleartext-signed message (RFC 9580 §7): `text` gets the signed
 * text with dash-escapes removed, `sig` the armored signature block (the
 * bytes from its BEGIN line to the end).  Nothing may precede the BEGIN
 * line but nothing may follow the END line but whitespace. */
int pgp_cleartext(const uint8_t *in, size_t n, rbuf *text, rslice *sig, rerr *e) RAMPART_MUST_USE;

/* Removes the ASCII armor (RFC 9580 §6): the BEGIN line of `label` (e.g.
 * "PGP SIGNATURE"), header lines, base64, the CRC24 line when present (it
 * must match), the END line.  When `in` is not armored (its first byte has
 * bit 7 set) it is copied as it is. */
int pgp_dearmor(const uint8_t *in, size_t n, const char *label, rbuf *out, rerr *e) RAMPART_MUST_USE;

/* The signature packets of binary `in` (other packets are skipped). */
int pgp_read_sigs(const uint8_t *in, size_t n, pgp_sig *out, size_t max, size_t *count, rerr *e) RAMPART_MUST_USE;
/* The public key and subkey packets of binary `in` (a keyring). */
int pgp_read_keys(const uint8_t *in, size_t n, pgp_key *out, size_t max, size_t *count, rerr *e) RAMPART_MUST_USE;

/* Names for evidence ("SHA256", "RSA", ...; "algorithm N" for others). */
const char *pgp_hash_name(int h, char buf[24]);
const char *pgp_pk_name(int a, char buf[24]);

/* The key among `keys` that made `sig` (issuer fingerprint, else key ID),
 * or NULL. */
const pgp_key *pgp_signer(const pgp_sig *sig, const pgp_key *keys, size_t n);

#endif
