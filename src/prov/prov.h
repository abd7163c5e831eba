/*
 * prov.h - release provenance inside librampart: the structures behind the
 * handles of rampart/provenance.h, shared by the files of src/prov/:
 *   dsse.c       DSSE envelopes: strict parse, PAE, threshold verification
 *   statement.c  in-toto Statement v1 and the SLSA Provenance v1 predicate
 *   policy.c     the policy file and the choice of a rule for a path
 *   builders.c   the assessor's builders file of `rampart assess --builders`
 *   verify.c     judging an attestation by a rule (rampart_prov_verify)
 *   attest.c     creating and signing attestations (rampart_attest)
 * and by the client's download hook (src/client/prov_check.c) and the
 * repository's binding (src/repo/repo_prov.c).
 */
#ifndef RAMPART_PROV_PROV_H
#define RAMPART_PROV_PROV_H

#include "crypto/hash.h"
#include "keys/keys.h"
#include "rampart/provenance.h"
#include "util/buf.h"
#include "util/jdoc.h"

/* Bounds on untrusted input. */
#define RDSSE_MAX_SIGS 16
#define RDSSE_MAX_TYPE 1024  /* payloadType bytes */
#define RDSSE_MAX_KEYID 1024 /* keyid bytes */
#define RPROV_MAX_SUBJECTS 4096
#define RPROV_MAX_STRING 4096  /* builder id, build type, source uri, ... */
#define RPROV_MAX_ENVELOPES 64 /* lines of an .intoto.jsonl bundle */
#define RPROV_POLICY_MAX (1u << 20)
#define RPROV_POLICY_MAX_KEYS 64
#define RPROV_POLICY_MAX_RULES 256
#define RPROV_POLICY_MAX_LIST 64

typedef struct rdsse_sig {
    char *keyid; /* NULL when absent or empty */
    uint8_t *sig;
    size_t siglen;
} rdsse_sig;

struct rampart_dsse {
    char *payload_type;
    size_t type_len;
    uint8_t *payload;
    size_t payload_len;
    rdsse_sig sigs[RDSSE_MAX_SIGS];
    size_t nsigs;
};

/* Appends PAE(type, body) to `out`.  ETOOLARGE / ENOMEM from `out`. */
int rdsse_pae(rbuf *out, rslice type, rslice body) RAMPART_MUST_USE;

/* Counts the distinct keys of keys[0..nkeys) (key material) that verify a
 * signature of `d` into *valid.  0, or ENOMEM / ECRYPTO / EINVAL. */
int rdsse_count_valid(const rampart_dsse *d, rkey *const *keys, size_t nkeys, size_t *valid) RAMPART_MUST_USE;

/* The ECDSA P-256 signature r||s (64 bytes, IEEE P1363, as in the DSSE
 * specification's test vector) as a DER SEQUENCE of two INTEGERs.  `der`
 * holds at least RDSSE_DER_MAX bytes; *derlen gets the length. */
#define RDSSE_DER_MAX 72
void rdsse_raw_to_der(const uint8_t raw[64], uint8_t *der, size_t *derlen);

/* A digest pair as found in a DigestSet or a TUF target. */
typedef struct rprov_digests {
    bool has256, has512;
    uint8_t sha256[32];
    uint8_t sha512[64];
} rprov_digests;

typedef struct rprov_subject {
    char *name;                   /* "" when unset */
    char hex256[65], hex512[129]; /* "" when absent */
    rprov_digests d;
} rprov_subject;

struct rampart_statement {
    char *predicate_type;
    rprov_subject *subjects;
    size_t nsubjects;
    bool slsa;        /* the predicate was parsed as SLSA Provenance v1 */
    char *builder_id; /* SLSA only, else NULL */
    char *build_type;
    char *source_uri; /* repository part of resolvedDependencies[0].uri, or NULL */
    char *source_rev; /* revision part, or NULL */
};

/* Parses a statement; when `slsa_only` the predicate type must be SLSA
 * Provenance v1 (else EPROVPREDICATE).  EPROVFORMAT, ENOMEM. */
int rprov_statement_parse(rampart_statement **out, const uint8_t *p, size_t n, bool slsa_only,
                          rerr *e) RAMPART_MUST_USE;

/* Splits a source URI at the first '@' after its authority (see
 * rampart_statement_source_uri).  *at gets the index of the '@', or n when
 * there is none. */
size_t rprov_source_split(const char *uri, size_t n);

/* The one judgment of an attestation's subject against an artifact, used
 * by verification (rampart_prov_verify: verify-provenance and the
 * client's download check) and by the repository's `repo add
 * --provenance`: some subject of `s` matches `want` when they share at
 * least one of sha256 / sha512 and every shared digest is equal.  0 with
 * *index (may be NULL) set to the first such subject; else EPROVSUBJECT
 * with a message (for `rule`, may be NULL) that names the subject and the
 * algorithm when a subject agrees on one digest and differs on another. */
int rprov_subject_check(const rampart_statement *s, const rprov_digests *want, const char *rule, size_t *index,
                        rerr *e) RAMPART_MUST_USE;

/* The per-subject rule of rprov_subject_check: digests `d` and `want` share
 * an algorithm and agree on every one they share. */
bool rprov_subject_agrees(const rprov_digests *d, const rprov_digests *want);

/* rprov_subject_check as a yes/no. */
bool rprov_subject_matches(const rampart_statement *s, const rprov_digests *want);

/* ---- policy ---- */

typedef struct rprov_list {
    char **v;
    size_t n;
    bool set; /* given in the rule (an unset list is inherited from the default) */
} rprov_list;

typedef struct rprov_rule {
    char *name;
    rprov_list paths; /* rules only */
    int provenance;   /* RAMPART_PROV_*, or -1: inherited */
    size_t *keys;     /* indices into the policy's keys */
    size_t nkeys;
    bool keys_set;
    unsigned threshold;     /* 0: inherited (default rule: 1) */
    rprov_list builder_ids; /* exact */
    rprov_list build_types; /* exact */
    rprov_list source_uris; /* tuf_glob_match patterns */
    int version_tag;        /* 0 / 1, or -1: inherited (default rule: 0) */
} rprov_rule;

struct rampart_prov_policy {
    char **key_names;
    rkey **keys;
    size_t nkeys;
    rprov_rule def;
    rprov_rule *rules;
    size_t nrules;
};

/* The rule for a path with every inherited field resolved (borrowed from
 * the policy). */
typedef struct rprov_eff {
    const char *name;
    int provenance;
    const size_t *keys;
    size_t nkeys;
    unsigned threshold;
    const rprov_list *builder_ids, *build_types, *source_uris;
    bool version_tag;
} rprov_eff;

/* The effective rule for target path `path`. */
void rprov_policy_select(const rampart_prov_policy *p, const char *path, rprov_eff *out);

/* The "keys" member of a policy or builders file, `r`: an object of NAME:
 * TUF key (keytype, scheme, keyval.public), at most RPROV_POLICY_MAX_KEYS,
 * names of 1 to 128 bytes.  Fills *names, *keys (arrays of the object's
 * size) and *nkeys as it goes, so that the caller frees what was set on
 * any failure.  EFORMAT (messages start with `what`), EUNSUPPORTED (a key
 * librampart cannot verify), ENOMEM. */
int rprov_keys_parse(const jdoc *d, jd_ref r, const char *what, char ***names, rkey ***keys, size_t *nkeys,
                     rerr *e) RAMPART_MUST_USE;

/* ---- the assessor's builders file (builders.c; docs/assess.md,
 * "Builders the assessor has reviewed") ---- */

#define RPROV_BUILDERS_MAX (1u << 20) /* bytes of the file */
#define RPROV_BUILDERS_MAX_BUILDERS 64
#define RPROV_BUILDER_MAX_LEVEL 3 /* SLSA Build levels 1..3 */

typedef struct rprov_builder {
    char *id;     /* the builder.id; a prefix when it ends in '@' */
    bool prefix;  /* matches every builder.id that starts with `id` */
    int level;    /* the SLSA Build level the assessor grants, 1..3 */
    size_t *keys; /* indices into the file's keys, distinct */
    size_t nkeys; /* >= 1 */
} rprov_builder;

typedef struct rprov_builders {
    char **key_names;
    rkey **keys;
    size_t nkeys;
    rprov_builder *b;
    size_t n;
} rprov_builders;

/* Parses a builders file (strict: every member known, every builder with
 * an id, a level and keys of the file; ids distinct).  EFORMAT,
 * EUNSUPPORTED (a key librampart cannot verify), ENOMEM. */
int rprov_builders_parse(rprov_builders **out, const void *json, size_t len, rerr *e) RAMPART_MUST_USE;
void rprov_builders_free(rprov_builders *b);

/* The declared builder for `builder_id`: the one whose id is equal, else
 * the longest prefix id it starts with; NULL when none is declared. */
const rprov_builder *rprov_builders_find(const rprov_builders *bs, const char *builder_id);

/* Whether a key declared for `b` signs envelope `env` (DSSE, over its
 * PAE): 0 with *key_name (owned by `bs`) the first such key; EPROVSIG when
 * none does; ENOMEM, ECRYPTO. */
int rprov_builder_signed(const rprov_builders *bs, const rprov_builder *b, const rampart_dsse *env,
                         const char **key_name) RAMPART_MUST_USE;

/* ---- verification (verify.c) ---- */

/* Hex (either case) of the right length for `alg` into d.  EFORMAT. */
int rprov_digest_from_hex(rhash_alg alg, const char *hex, size_t n, rprov_digests *d) RAMPART_MUST_USE;

/* SHA-256 and SHA-512 of a file, streamed in one pass (so that a subject
 * is judged on every digest it records).  ENOTFOUND, EIO, ECRYPTO, ENOMEM. */
int rprov_hash_file(const char *path, rprov_digests *out, rerr *e) RAMPART_MUST_USE;

/* Parses `len` bytes of attestation (one DSSE envelope, or a JSON Lines
 * bundle of them) and checks that it is, or that the bundle holds, an
 * in-toto SLSA v1 statement about an artifact with digests `d`, without
 * verifying any signature (for the repository tooling, which has no builder
 * keys).  EPROVFORMAT, EUNSUPPORTED (a Sigstore bundle), EPROVPREDICATE,
 * EPROVSUBJECT, ENOMEM. */
int rprov_check_unsigned(const uint8_t *env, size_t len, const rprov_digests *d, rerr *e) RAMPART_MUST_USE;

/* What rprov_check_declared found of the statement that passed. */
typedef struct rprov_declared {
    char builder_id[512];   /* its runDetails.builder.id ("" when none) */
    const rprov_builder *b; /* the declared builder of that id (owned by bs); NULL when none */
    const char *key_name;   /* a declared key that signs its envelope (owned by bs); NULL when none */
    int sig_rc;             /* rprov_builder_signed's result when b != NULL */
} rprov_declared;

/* rprov_check_unsigned, and for the envelope that passes, the builder it
 * names looked up in the assessor's builders file `bs` (may be NULL) and,
 * when declared there, whether a key declared for it signs the envelope
 * (*out; docs/assess.md, "Builders the assessor has reviewed").  The codes
 * of rprov_check_unsigned; a signature that does not verify is no error
 * (out->sig_rc says it). */
int rprov_check_declared(const uint8_t *env, size_t len, const rprov_digests *d, const rprov_builders *bs,
                         rprov_declared *out, rerr *e) RAMPART_MUST_USE;

#endif
