/*
 * rampart/signer.h - signing keys for repository tooling.
 *
 * A rampart_signer is whatever can sign bytes for one TUF key: a private key
 * file today, a PKCS#11 token or a remote KMS later.  Callers (the
 * repository writer, `rampart metadata sign`) only ever see this interface:
 *
 *     rampart_signer *s;
 *     rampart_key_load_options o = RAMPART_KEY_LOAD_OPTIONS_INIT;
 *     o.passphrase_cb = ask;   // called only when the key is encrypted
 *     if (rampart_signer_load_file(&s, "timestamp.key", &o, &err) != 0) ...
 *     printf("%s\n", rampart_signer_keyid(s));
 *
 * A new kind of signer is a rampart_signer_ops vtable plus its public key
 * in TUF form, handed to rampart_signer_new().
 *
 * Public keys in TUF form ({"keytype","scheme","keyval":{"public"}}) are
 * rampart_public_key handles: loaded from a ".pub" file, or taken from a
 * signer.
 *
 * Thread safety: a rampart_signer is used by one thread at a time (a
 * signer's ops need not be reentrant, so rampart_signer_sign calls on one
 * signer must not overlap, nor overlap a repository or rampart_attest
 * signing with it); different signers may sign in different threads at
 * once.  A rampart_public_key never changes once made: its functions may be
 * called from any number of threads at once; free it once, when no thread
 * uses it.  Loading and generating keys share no state: any thread.  The
 * passphrase callback runs on the thread that asked to load the key.
 */
#ifndef RAMPART_SIGNER_H
#define RAMPART_SIGNER_H

#include <stddef.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The largest signature any signer may return, in bytes (RSA-16384). */
#define RAMPART_SIGNATURE_MAX 2048

typedef struct rampart_signer rampart_signer;
typedef struct rampart_public_key rampart_public_key;

#define RAMPART_SIGNER_OPS_VERSION 1

/**
 * The operations of a signer.  `sign` writes the raw signature of the `len`
 * bytes of `msg` (what TUF signs: canonical JSON) to `sig` (capacity
 * RAMPART_SIGNATURE_MAX) and its length to *siglen; returns 0 or a negative
 * RAMPART_E* code with detail in `err` (may be NULL).  `destroy` releases
 * `ctx` (may be NULL when there is nothing to release).
 */
typedef struct rampart_signer_ops {
    unsigned version; /**< RAMPART_SIGNER_OPS_VERSION */
    int (*sign)(void *ctx, const unsigned char *msg, size_t len, unsigned char *sig, size_t *siglen,
                rampart_error *err);
    void (*destroy)(void *ctx);
} rampart_signer_ops;

/**
 * Makes a signer from `ops` (copied) and `ctx` (owned by the signer from
 * now on, also on failure: ops->destroy is called) for the public key given
 * in TUF form.  The key must be one librampart can verify (ed25519, ecdsa
 * P-256, rsa-pss); the keyid is computed.  Errors: RAMPART_EINVAL,
 * RAMPART_EUNSUPPORTED, RAMPART_EFORMAT (bad key material), RAMPART_ENOMEM.
 */
RAMPART_API int rampart_signer_new(rampart_signer **out, const rampart_signer_ops *ops, void *ctx, const char *keytype,
                                   const char *scheme, const char *public_value, rampart_error *err) RAMPART_MUST_USE;

/**
 * Asks for a passphrase: writes at most `cap` bytes to `buf`, the length to
 * *len, and returns 0; or a negative code (RAMPART_EPASSPHRASE when none
 * can be had).  `what` names the key file.  The buffer is wiped after use.
 */
typedef int (*rampart_passphrase_fn)(void *ctx, const char *what, char *buf, size_t cap, size_t *len);

#define RAMPART_KEY_LOAD_OPTIONS_VERSION 1
/** Longest passphrase accepted, in bytes. */
#define RAMPART_PASSPHRASE_MAX 1024

typedef struct rampart_key_load_options {
    unsigned version;       /**< RAMPART_KEY_LOAD_OPTIONS_VERSION */
    const char *passphrase; /**< for an encrypted key; not copied; may hold any bytes but NUL */
    size_t passphrase_len;
    rampart_passphrase_fn passphrase_cb; /**< used when `passphrase` is NULL and the key is encrypted */
    void *passphrase_ctx;
} rampart_key_load_options;

#define RAMPART_KEY_LOAD_OPTIONS_INIT                                                                                  \
    {                                                                                                                  \
        .version = RAMPART_KEY_LOAD_OPTIONS_VERSION                                                                    \
    }

/**
 * A signer backed by a PKCS#8 PEM private key file (at most 64 KiB),
 * encrypted or not.  `o` may be NULL (no passphrase).  Errors:
 * RAMPART_EFORMAT ("unknown key file format": not a PKCS#8 PEM private key),
 * RAMPART_EPASSPHRASE (encrypted, and the passphrase is missing or wrong),
 * RAMPART_EUNSUPPORTED (DSA, P-384, ...), RAMPART_ENOTFOUND, RAMPART_EIO,
 * RAMPART_EINVAL, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_signer_load_file(rampart_signer **out, const char *path, const rampart_key_load_options *o,
                                         rampart_error *err) RAMPART_MUST_USE;

/** The signer's keyid (64 lower-case hex characters), owned by `s`. */
RAMPART_API const char *rampart_signer_keyid(const rampart_signer *s) RAMPART_MUST_USE;
/** The signer's public key, owned by `s`. */
RAMPART_API const rampart_public_key *rampart_signer_public_key(const rampart_signer *s) RAMPART_MUST_USE;

/**
 * Signs `len` bytes of `msg` (NULL allowed when len is 0).  `sig` has room
 * for RAMPART_SIGNATURE_MAX bytes; *siglen receives the length.  Errors:
 * whatever the signer returns (RAMPART_ECRYPTO, ...), RAMPART_EINVAL.
 */
RAMPART_API int rampart_signer_sign(rampart_signer *s, const void *msg, size_t len, unsigned char *sig, size_t *siglen,
                                    rampart_error *err) RAMPART_MUST_USE;

/** Frees a signer (its key material is wiped).  NULL-safe. */
RAMPART_API void rampart_signer_free(rampart_signer *s);

/**
 * Reads a public key file in TUF form: one JSON object
 * {"keytype":..,"scheme":..,"keyval":{"public":..}} (at most 64 KiB; other
 * members are ignored) of a supported key.  Errors: RAMPART_EFORMAT
 * ("unknown key file format"), RAMPART_EUNSUPPORTED, RAMPART_ENOTFOUND,
 * RAMPART_EIO, RAMPART_EINVAL, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_public_key_load(rampart_public_key **out, const char *path,
                                        rampart_error *err) RAMPART_MUST_USE;
/** A copy of `k` (free with rampart_public_key_free).  RAMPART_ENOMEM, RAMPART_EINVAL. */
RAMPART_API int rampart_public_key_dup(rampart_public_key **out, const rampart_public_key *k) RAMPART_MUST_USE;
/** Keyid, keytype, scheme, and the "public" value; owned by `k`. */
RAMPART_API const char *rampart_public_key_keyid(const rampart_public_key *k) RAMPART_MUST_USE;
RAMPART_API const char *rampart_public_key_keytype(const rampart_public_key *k) RAMPART_MUST_USE;
RAMPART_API const char *rampart_public_key_scheme(const rampart_public_key *k) RAMPART_MUST_USE;
RAMPART_API const char *rampart_public_key_value(const rampart_public_key *k) RAMPART_MUST_USE;
/**
 * The key's TUF JSON form with a trailing newline, as written to ".pub"
 * files: a NUL-terminated string the caller frees with rampart_string_free.
 * RAMPART_ENOMEM, RAMPART_EINVAL.
 */
RAMPART_API int rampart_public_key_to_json(const rampart_public_key *k, char **out) RAMPART_MUST_USE;
/** NULL-safe. */
RAMPART_API void rampart_public_key_free(rampart_public_key *k);
/** Frees a string returned by librampart (the same function client.h declares).  NULL-safe. */
RAMPART_API void rampart_string_free(char *s);

/** Key types for rampart_key_generate(). */
typedef enum rampart_key_type {
    RAMPART_KEY_ED25519 = 0, /**< ed25519 (the default) */
    RAMPART_KEY_ECDSA = 1,   /**< ecdsa-sha2-nistp256 */
    RAMPART_KEY_RSA = 2      /**< rsassa-pss-sha256, 3072 to 8192 bits */
} rampart_key_type;

/**
 * The name of key type `t` ("ed25519", "ecdsa", "rsa": the names of
 * `rampart key generate --type`), a static string; NULL when `t` is not a
 * key type.  Key types are numbered from 0 without gaps, so counting up
 * from 0 to the first NULL lists them all.
 */
RAMPART_API const char *rampart_key_type_name(rampart_key_type t) RAMPART_MUST_USE;
/**
 * Writes to *out the key type whose rampart_key_type_name() is `name`
 * (compared exactly).  Errors: RAMPART_EUNSUPPORTED (no such key type),
 * RAMPART_EINVAL (a NULL argument).
 */
RAMPART_API int rampart_key_type_from_name(const char *name, rampart_key_type *out) RAMPART_MUST_USE;
/**
 * The sizes, in bits, that rampart_keygen_options.rsa_bits may ask of a new
 * key of type `t`: *min_bits and *max_bits (either pointer may be NULL), both
 * 0 when the type fixes the size.  Errors: RAMPART_EINVAL (`t` is not a key
 * type).
 */
RAMPART_API int rampart_key_type_bits(rampart_key_type t, unsigned *min_bits, unsigned *max_bits) RAMPART_MUST_USE;

#define RAMPART_KEYGEN_OPTIONS_VERSION 1

typedef struct rampart_keygen_options {
    unsigned version; /**< RAMPART_KEYGEN_OPTIONS_VERSION */
    rampart_key_type type;
    unsigned rsa_bits;      /**< 0: 3072 */
    const char *passphrase; /**< NULL or "" : the private key is written unencrypted */
    size_t passphrase_len;
} rampart_keygen_options;

#define RAMPART_KEYGEN_OPTIONS_INIT                                                                                    \
    {                                                                                                                  \
        .version = RAMPART_KEYGEN_OPTIONS_VERSION, .type = RAMPART_KEY_ED25519                                         \
    }

/**
 * Generates a key pair and writes the private key to `private_path` (PKCS#8
 * PEM, encrypted with scrypt + AES-256-CBC when a passphrase is given, mode
 * 0600) and the public key in TUF JSON form to `public_path` (mode 0644).
 * Neither file may exist (RAMPART_EEXIST, checked before anything is
 * written); each is written atomically.  On success *out (may be NULL)
 * receives the public key.  Errors: RAMPART_EEXIST, RAMPART_EINVAL (bad
 * options, RSA bits out of range), RAMPART_EIO, RAMPART_ENOTFOUND (folder
 * missing), RAMPART_ECRYPTO, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_key_generate(const rampart_keygen_options *o, const char *private_path, const char *public_path,
                                     rampart_public_key **out, rampart_error *err) RAMPART_MUST_USE;

#ifdef __cplusplus
}
#endif
#endif /* RAMPART_SIGNER_H */
