/*
 * minisign.h - minisign public keys and signatures (the format of
 * jedisct1/minisign, documented on its site): Ed25519 over the file
 * ("Ed", legacy) or over its BLAKE2b-512 ("ED", pre-hashed), plus a
 * global signature over the signature and the trusted comment.
 *
 * A key is the base64 of "Ed" || key id (8) || public key (32), alone or
 * as the second line of a .pub file.  A signature file is four lines:
 * "untrusted comment: ...", base64 of alg (2) || key id (8) || signature
 * (64), "trusted comment: ...", base64 of the global signature (64).
 * Strict: anything else is EFORMAT; at most MINISIG_MAX bytes.
 */
#ifndef RAMPART_ASSESS_MINISIGN_H
#define RAMPART_ASSESS_MINISIGN_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"

#define MINISIG_MAX 8192

typedef struct minisig {
    bool prehashed; /* "ED" */
    uint8_t keyid[8];
    uint8_t sig[64];
    uint8_t global[64];
    rslice trusted; /* the trusted comment's text (after "trusted comment: ") */
} minisig;

typedef struct minisign_key {
    uint8_t keyid[8];
    uint8_t pk[32];
} minisign_key;

int minisign_parse_sig(const uint8_t *in, size_t n, minisig *out, rerr *e) RAMPART_MUST_USE;
int minisign_parse_key(const char *text, size_t n, minisign_key *out, rerr *e) RAMPART_MUST_USE;

/* 0 when `sig` was made by `key` over `data` and its global signature
 * verifies; EBADSIG (key id differs, a signature does not verify), ENOMEM,
 * ECRYPTO. */
int minisign_verify(const minisig *sig, const minisign_key *key, const uint8_t *data, size_t n,
                    rerr *e) RAMPART_MUST_USE;

#endif
