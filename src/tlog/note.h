/*
 * note.h - C2SP signed notes, verifier keys, checkpoints and cosignatures,
 * sans I/O.
 *
 * A signed note is a text ending in a newline, a blank line, and one or
 * more lines "— <name> base64(key ID || signature)".  Two signature types
 * are supported, both Ed25519: 0x01, a signature over the text (the log's
 * key, C2SP signed-note), and 0x04, a timestamped cosignature v1 over
 * "cosignature/v1\ntime <t>\n" and the text (a witness, C2SP
 * tlog-cosignature).  A key ID is SHA-256(name || 0x0A || type ||
 * public key)[:4].
 */
#ifndef RAMPART_TLOG_NOTE_H
#define RAMPART_TLOG_NOTE_H

#include "crypto/privkey.h"
#include "tlog/merkle.h"

#define TLOG_SIG_ED25519 0x01
#define TLOG_SIG_COSIGN_V1 0x04

/* Limits.  signed-note: verifiers MUST accept at least 16 signatures. */
#define TLOG_NOTE_MAX 65536
#define TLOG_NOTE_MAX_SIGS 64
#define TLOG_NAME_MAX 256
#define TLOG_ED25519_LEN 32
/* A cosignature's timestamp, tlog-cosignature: at most 2^63 - 1. */
#define TLOG_TIME_MAX INT64_MAX

/* A verifier key ("vkey"): name, key ID, signature type and public key. */
typedef struct tlog_vkey {
    char name[TLOG_NAME_MAX + 1];
    size_t name_len;
    uint32_t id;
    uint8_t type;
    uint8_t pub[TLOG_ED25519_LEN];
    rkey *key;
} tlog_vkey;

/* SHA-256(name || 0x0A || type || pub)[:4] as a big-endian uint32.
 * ECRYPTO / ENOMEM from the hash backend. */
int tlog_key_id(const char *name, size_t name_len, uint8_t type, const uint8_t *pub, size_t pub_len,
                uint32_t *out) RAMPART_MUST_USE;
/* True when `n` bytes of `name` are a valid key name: non-empty, at most
 * TLOG_NAME_MAX bytes, valid UTF-8, no control characters, no Unicode
 * space and no '+' (signed-note). */
bool tlog_name_valid(const char *name, size_t n);

/* Parses "<name>+<hex key ID>+<base64(type || public key)>" (`n` bytes).
 * Only types 0x01 and 0x04 with a 32-byte Ed25519 key are accepted, and the
 * key ID must be the one the name, type and key give.  On success *out owns
 * a new key (free with tlog_vkey_free).  EFORMAT (the shape, the name, the
 * hex or base64, the ID), EUNSUPPORTED (another signature type), ENOMEM,
 * ECRYPTO. */
int tlog_vkey_parse(tlog_vkey **out, const char *s, size_t n, rerr *e) RAMPART_MUST_USE;
void tlog_vkey_free(tlog_vkey *k);
/* Appends the vkey string of `k` to `out`.  ETOOLARGE / ENOMEM. */
int tlog_vkey_format(const tlog_vkey *k, rbuf *out) RAMPART_MUST_USE;
/* True when both wrap the same public key (tlog-policy's "duplicate"). */
bool tlog_vkey_same_key(const tlog_vkey *a, const tlog_vkey *b);

/* A signer: a name, a type (0x01 or 0x04) and an Ed25519 private key
 * (borrowed: it must outlive the signer). */
typedef struct tlog_signer {
    char name[TLOG_NAME_MAX + 1];
    size_t name_len;
    uint8_t type;
    uint32_t id;
    uint8_t pub[TLOG_ED25519_LEN];
    const rprivkey *key;
} tlog_signer;

/* Sets up `s` for `key`, which must be an Ed25519 key.  EINVAL (another
 * kind of key, an invalid name, another type), ECRYPTO, ENOMEM. */
int tlog_signer_init(tlog_signer *s, const char *name, uint8_t type, const rprivkey *key, rerr *e) RAMPART_MUST_USE;
/* The verifier key of a signer; *out owns it.  ENOMEM, ECRYPTO. */
int tlog_signer_vkey(const tlog_signer *s, tlog_vkey **out, rerr *e) RAMPART_MUST_USE;

/* Appends one signature line for the note text `text` (`n` bytes, ending
 * in a newline) to `out`.  A cosigner (type 0x04) signs with `timestamp`
 * (0..2^63-1), ignored for type 0x01.  EINVAL (a text without its final
 * newline, a timestamp out of range), ETOOLARGE / ENOMEM, ECRYPTO. */
int tlog_note_sign_line(const tlog_signer *s, const uint8_t *text, size_t n, int64_t timestamp, rbuf *out,
                        rerr *e) RAMPART_MUST_USE;

/* Appends the signature line "— <name> base64(id || sig)" for a signature
 * made elsewhere (a signer behind an interface: an Ed25519 signature over
 * the note text for type 0x01).  EINVAL (an invalid name, over 256 bytes
 * of signature), ETOOLARGE / ENOMEM; `out` unchanged on failure. */
int tlog_note_line(const char *name, size_t name_len, uint32_t id, const uint8_t *sig, size_t siglen, rbuf *out,
                   rerr *e) RAMPART_MUST_USE;

typedef struct tlog_note_sig {
    size_t name_off, name_len; /* the key name, in the note's bytes */
    uint32_t id;
    size_t sig_off, sig_len; /* the signature after the key ID, in tlog_note.sigbytes */
} tlog_note_sig;

/* A parsed (not yet verified) signed note.  Its text must not be used
 * before tlog_note_verify accepted it. */
typedef struct tlog_note {
    uint8_t *data; /* a copy of the note; text = data[0 .. text_len) */
    size_t len, text_len;
    size_t nsig;
    tlog_note_sig sigs[TLOG_NOTE_MAX_SIGS];
    uint8_t *sigbytes;
} tlog_note;

/* Parses a signed note of `n` bytes (signed-note): valid UTF-8, no control
 * character but newline, a text ending in a newline, separated from the
 * signatures by the last blank line, 1 to TLOG_NOTE_MAX_SIGS signature
 * lines "— name base64" with a valid name and at least 4 decoded bytes,
 * nothing after the last newline.  On success *out owns the note (free
 * with tlog_note_free).  EFORMAT, ETOOLARGE (over TLOG_NOTE_MAX bytes or
 * TLOG_NOTE_MAX_SIGS signatures), ENOMEM. */
int tlog_note_parse(tlog_note **out, const uint8_t *p, size_t n, rerr *e) RAMPART_MUST_USE;
void tlog_note_free(tlog_note *nt);

/* What tlog_note_verify found for one key. */
typedef struct tlog_note_verdict {
    bool verified;
    int64_t timestamp; /* a cosignature's (type 0x04); 0 otherwise */
} tlog_note_verdict;

/* Verifies the note against `nkeys` known keys and writes one verdict per
 * key to `out` (an array of nkeys).  Signature lines whose (name, key ID)
 * pair is no known key's are ignored (signed-note: MUST); a known key's
 * signature that does not verify rejects the whole note.  Returns 0 when
 * at least one known key's signature verified, else EBADSIG (also for a
 * signature of a known key that fails, or is not 64 bytes, or a
 * cosignature's timestamp over 2^63-1); ENOMEM, ECRYPTO. */
int tlog_note_verify(const tlog_note *nt, const tlog_vkey *const *keys, size_t nkeys, tlog_note_verdict *out,
                     rerr *e) RAMPART_MUST_USE;

/* A checkpoint's note text (tlog-checkpoint). */
typedef struct tlog_checkpoint {
    char origin[TLOG_NAME_MAX + 1];
    size_t origin_len;
    uint64_t size;
    tlog_hash root;
    size_t next_off; /* offset of the extension lines in the text (== text length when none) */
} tlog_checkpoint;

#define TLOG_CHECKPOINT_MAX_EXT 16
/* Parses a checkpoint's note text (`n` bytes): an origin line (non-empty,
 * valid UTF-8, at most TLOG_NAME_MAX bytes), the tree size in decimal with
 * no leading zero (fits uint64), the root hash in base64 (32 bytes), then
 * at most TLOG_CHECKPOINT_MAX_EXT non-empty extension lines; every line
 * ends in a newline.  EFORMAT; *out untouched then. */
int tlog_checkpoint_parse(const uint8_t *text, size_t n, tlog_checkpoint *out, rerr *e) RAMPART_MUST_USE;
/* Appends the note text of a checkpoint (no extension lines) to `out`.
 * EINVAL for an invalid origin; ETOOLARGE / ENOMEM. */
int tlog_checkpoint_format(const char *origin, uint64_t size, const tlog_hash *root, rbuf *out,
                           rerr *e) RAMPART_MUST_USE;

#endif
