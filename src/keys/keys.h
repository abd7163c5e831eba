/*
 * keys.h - the keys layer (src/keys): public keys, keyids, signers and key
 * files, for everything that signs or verifies: the TUF core (src/tuf),
 * provenance (src/prov), the repository tooling (src/repo) and what comes
 * after them.
 *
 * Its job:
 *   - the one table of key types (scheme.h): every decision that depends
 *     on a key's type is read from its row, here and in src/crypto;
 *   - keys in TUF form: a key object's keytype, scheme and keyval.public
 *     turned into a verifying key (rkey_from_tuf), private keys written
 *     out in that form (rprivkey_public_tuf), keyids (rkey_compute_keyid),
 *     and the public handle rampart_public_key (rampart/signer.h);
 *   - signers (rampart_signer) and key files: PKCS#8 PEM private keys,
 *     encrypted or not, with the passphrase asked for through the caller's
 *     callback only when one is needed; TUF JSON public key files; key
 *     generation (signer.c).
 * The OpenSSL side of keys (parsing, checks, signing, verifying) is
 * src/crypto, which knows kinds of keys only as the rkey_alg of a row.
 *
 * Layering: src/keys includes only crypto/, util/ and public rampart/
 * headers; tuf, prov, repo, client, api and the CLI build on it.
 */
#ifndef RAMPART_KEYS_KEYS_H
#define RAMPART_KEYS_KEYS_H

#include <jansson.h>

#include "crypto/key.h"
#include "crypto/privkey.h"
#include "keys/scheme.h"
#include "rampart/signer.h"
#include "util/buf.h"

/* ---- keys in TUF form ------------------------------------------------ */

/* Builds a public key from the three fields of a TUF key object (compared
 * exactly, byte for byte; the slices are not kept).  On success *out owns a
 * new key (free with rkey_free); on failure *out is untouched and `e` (may
 * be NULL) says why.
 * EUNSUPPORTED: a keytype/scheme pair that is not a row of the table
 *   (judged before the key material is looked at).
 * EFORMAT: malformed key material: for a row whose public value is hex
 *   (ed25519), anything but exactly 2 * alg.raw_len hex characters; for
 *   one whose value is PEM (ecdsa, rsa), what rkey_from_spki_pem refuses.
 * EINVAL (out NULL, or a NULL slice with a non-zero length), ENOMEM, ECRYPTO. */
int rkey_from_tuf(rkey **out, rslice keytype, rslice scheme, rslice pub, rerr *e) RAMPART_MUST_USE;

/* The row of a key made by rkey_from_tuf (a position past the table for a
 * key made otherwise).  `k` must not be NULL. */
rkey_scheme rkey_get_scheme(const rkey *k);

/* The TUF keyid of a key: lower-case hex SHA-256 of the canonical JSON
 * {"keytype":KT,"keyval":{"public":PUB},"scheme":SCHEME} (keys sorted, no
 * whitespace, only '"' and '\\' escaped, every other byte verbatim).  The
 * inputs are not validated.  out: 65 bytes, NUL-terminated, written only
 * on success.  EINVAL, ENOMEM, ECRYPTO. */
int rkey_compute_keyid(rslice keytype, rslice scheme, rslice pub, char out[65]) RAMPART_MUST_USE;

/* Generates a key for `scheme` with `bits` bits when the row has sizes
 * (RSA: public exponent 65537); `bits` is ignored for the other rows.  On
 * success *out owns the key (free with rprivkey_free); on failure it is
 * untouched.
 * EINVAL: out NULL, a value that is not a row, or bits outside the row's
 *   gen_bits_min..gen_bits_max.
 * ENOMEM, ECRYPTO (the generator failed). */
int rprivkey_generate(rprivkey **out, rkey_scheme scheme, unsigned bits, rerr *e) RAMPART_MUST_USE;

/* Loads a PKCS#8 PEM private key of any kind in the table: as
 * rprivkey_load_pem_algs (crypto/privkey.h) with the rows' rkey_algs, in
 * table order.  Today: Ed25519 -> ed25519, EC P-256 ->
 * ecdsa-sha2-nistp256, RSA (2048 to 16384 bits) -> rsassa-pss-sha256.
 * EPASSPHRASE, EFORMAT, EUNSUPPORTED, EINVAL, ENOMEM as there. */
int rprivkey_load_pem(rprivkey **out, const uint8_t *pem, size_t n, const char *pass, size_t passlen,
                      rerr *e) RAMPART_MUST_USE;

/* Reads the PKCS#8 PEM private key file `path` (a trusted path, at most
 * 64 KiB) and loads it as rprivkey_load_pem does, asking o->passphrase_cb
 * only when the key is encrypted and o->passphrase is NULL (as
 * rampart_signer_load_file; `o` may be NULL).  On success *out owns the
 * key.  EPASSPHRASE, EFORMAT, EUNSUPPORTED, ENOTFOUND, EIO, EINVAL,
 * ENOMEM; the message names the file. */
int rprivkey_load_file(rprivkey **out, const char *path, const rampart_key_load_options *o, rerr *e) RAMPART_MUST_USE;

/* The key's row.  `k` must not be NULL. */
rkey_scheme rprivkey_scheme(const rprivkey *k);

/* Appends the TUF "public" value to `out` in the form its row says: 64
 * lower-case hex characters for ed25519, a "PUBLIC KEY" SPKI PEM
 * (uncompressed point for EC, ending in a newline) for ecdsa and rsa;
 * rkey_from_tuf() accepts it with the keytype and scheme of
 * rkey_scheme_keytype() / rkey_scheme_name().  `out` is unchanged on
 * failure.  EINVAL, ETOOLARGE / ENOMEM, ECRYPTO. */
int rprivkey_public_tuf(const rprivkey *k, rbuf *out, rerr *e) RAMPART_MUST_USE;

/* ---- rampart_public_key (signer.c) ----------------------------------- */

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
