/*
 * keyid.h - what a key id says about its key.  TUF defines a key's id as
 * the hex SHA-256 of the key's canonical JSON, but clients use ids as mere
 * labels: a root whose "keys" puts other key material under a trusted id
 * looks, id by id, like the root it replaces.  Reviews of new metadata
 * therefore compare keys by their fingerprint, computed from the key
 * material, and check each id against its key.  No I/O.
 */
#ifndef RAMPART_KEYS_KEYID_H
#define RAMPART_KEYS_KEYID_H

#include "util/buf.h"

/* The fingerprint of a public key: the hex SHA-256 of its canonical JSON
 * {"keytype":KT,"keyval":{"public":PUB},"scheme":SCHEME} (out: 65 bytes,
 * NUL-terminated), and whether `keyid` names it: equal to the fingerprint,
 * or to the hex SHA-256 of `whole`, the canonical JSON of the key object as
 * the metadata has it (extra members such as python-tuf's
 * "keyid_hash_algorithms" are part of the id then; `whole` may be empty
 * when the object has no other members).  EINVAL, ENOMEM, ECRYPTO. */
int tuf_key_fingerprint(rslice keyid, rslice keytype, rslice scheme, rslice pub, rslice whole, char out[65],
                        bool *keyid_matches) RAMPART_MUST_USE;

#endif
