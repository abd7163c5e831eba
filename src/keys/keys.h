/*
 * keys.h - TUF public keys: the definition of rampart_public_key and its
 * conversions to and from jansson.
 */
#ifndef RAMPART_KEYS_KEYS_H
#define RAMPART_KEYS_KEYS_H

#include <jansson.h>

#include "rampart/signer.h"
#include "util/buf.h"

struct rampart_public_key {
    char *keytype;
    char *scheme;
    char *pub;
    char keyid[65];
};

/* A public key from the three TUF fields, checked with rkey_from_tuf (so
 * only keys librampart can verify); computes the keyid.  EUNSUPPORTED,
 * EFORMAT, ENOMEM. */
int rpub_new(rampart_public_key **out, rslice keytype, rslice scheme, rslice pub, rerr *e) RAMPART_MUST_USE;
/* From a TUF key object {"keytype","scheme","keyval":{"public"}}.  EFORMAT
 * when a field is missing or not a string; then as rpub_new. */
int rpub_from_json(rampart_public_key **out, const json_t *o, rerr *e) RAMPART_MUST_USE;
/* The TUF key object of `k` (a new reference), or NULL on allocation failure. */
json_t *rpub_to_json(const rampart_public_key *k);

#endif
