/*
 * scheme.h - the key types Rampart knows: one table (scheme.c), one row per
 * TUF signature scheme.
 *
 * Every decision that depends on the type of a key is read from its row:
 * the TUF keytype and scheme strings, how keyval.public is written, the
 * `rampart key generate --type` name and rampart_key_type, the sizes a new
 * key may have, and (in the row's rkey_alg, crypto/key.h) the OpenSSL key
 * type and curve, the digest, the padding and salt, the shape of a
 * signature and the sizes a key may have.  Nothing else in the library
 * tests for a key type.
 *
 * Adding a key type:
 *   - a row in scheme.c, and its name in rkey_scheme below;
 *   - when `rampart key generate` and rampart_key_generate() are to make
 *     it: a rampart_key_type constant (rampart/signer.h), and the --type
 *     list in docs/man/rampart.1 and docs/repo.md;
 *   - only for a kind of key src/crypto cannot handle from the fields of
 *     rkey_alg (a new signature form, a digest crypto/hash.c lacks, a new
 *     family of checks): its crypto; and a larger RAMPART_SIGNATURE_MAX if
 *     its signatures are longer;
 *   - in the tests, nothing for the row itself (test_keys_scheme walks
 *     every row); but test_key.c and test_privkey.c take (rkey_scheme)3 as
 *     a value that is no row, and a test showing the new type refused
 *     today (a P-384 key in test_privkey.c) changes with it.
 */
#ifndef RAMPART_KEYS_SCHEME_H
#define RAMPART_KEYS_SCHEME_H

#include "crypto/key.h"
#include "rampart/signer.h"

/* The rows of the table by name: the values are the rows' positions. */
typedef enum rkey_scheme {
    RKEY_ED25519 = 0,
    RKEY_ECDSA_P256 = 1,
    RKEY_RSA_PSS_SHA256 = 2,
} rkey_scheme;

/* How a key's keyval.public is written in TUF JSON. */
typedef enum rkey_pub_form {
    RKEY_PUB_HEX = 0, /* the raw public key (alg.raw_len bytes) in lower-case hex */
    RKEY_PUB_PEM = 1, /* a "PUBLIC KEY" PEM block of the DER SubjectPublicKeyInfo */
} rkey_pub_form;

typedef struct rkey_scheme_def {
    const char *keytype;       /* the TUF keytype written with this scheme */
    const char *keytype_alias; /* one more keytype accepted when reading, or NULL */
    const char *scheme;        /* the TUF scheme */
    rkey_pub_form pub_form;
    const char *cli_name;      /* the name of `rampart key generate --type` and of
                                  rampart_key_type_name(); NULL when keys of this
                                  scheme are not generated */
    rampart_key_type api_type; /* with cli_name: its rampart_key_type */
    unsigned gen_bits_default; /* new keys: the size used when none is asked for, */
    unsigned gen_bits_min;     /*   and the sizes allowed (rampart_keygen_options */
    unsigned gen_bits_max;     /*   .rsa_bits); all 0 when the kind fixes the size */
    rkey_alg alg;              /* the crypto side */
} rkey_scheme_def;

/* The most rows the table may have (scheme.c checks it at compile time). */
#define RSCHEME_MAX 16

/* The number of rows. */
size_t rscheme_count(void);
/* Writes the rows' rkey_algs, in table order, to `out`; returns how many. */
size_t rscheme_algs(const rkey_alg *out[RSCHEME_MAX]);
/* The row of `s`, or NULL for a value that is not a row. */
const rkey_scheme_def *rscheme_get(rkey_scheme s);
/* The position of row `d` (a pointer into the table). */
rkey_scheme rscheme_id(const rkey_scheme_def *d);
/* The row of a TUF key object: the row of its scheme, if its keytype is
 * one that row accepts (compared exactly, byte for byte).  NULL when the
 * scheme is unknown or the keytype does not go with it. */
const rkey_scheme_def *rscheme_from_tuf(rslice keytype, rslice scheme);
/* The row whose crypto side is `a`, or NULL when `a` is not in the table. */
const rkey_scheme_def *rscheme_from_alg(const rkey_alg *a);
/* The row generated for `t`, or NULL when no row is. */
const rkey_scheme_def *rscheme_from_api(rampart_key_type t);

/* The TUF keytype and scheme strings a key of `s` is written with
 * ("ed25519"/"ed25519", "ecdsa"/"ecdsa-sha2-nistp256", "rsa"/"rsassa-pss-sha256").
 * Static strings; NULL for a value that is not a row. */
const char *rkey_scheme_keytype(rkey_scheme s);
const char *rkey_scheme_name(rkey_scheme s);

#endif
