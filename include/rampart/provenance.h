/*
 * rampart/provenance.h - release provenance: DSSE-signed in-toto Statement
 * v1 / SLSA Provenance v1 attestations, created by a vendor's builder and
 * enforced by an endpoint's policy (docs/provenance.md has the model and
 * the policy format with a worked example).
 *
 * TUF signatures say who published a file; provenance says how it was
 * built, from which source, by which builder.  With a policy that requires
 * provenance, a stolen release key alone no longer ships a file: it also
 * needs an attestation signed by the trusted builder's keys that names the
 * file's digest, an allowed builder, build type and source.
 *
 *     rampart_prov_policy *p;
 *     if (rampart_prov_policy_load(&p, "/etc/app/provenance.json", &err) != 0) ...
 *     rc = rampart_client_set_provenance_policy(client, p);   // download refuses what the policy refuses
 *
 * or, for files on disk:
 *
 *     rampart_prov_artifact a = RAMPART_PROV_ARTIFACT_INIT;
 *     a.path = "app/app-1.2.0.tar.gz";  a.file = "app-1.2.0.tar.gz";
 *     rc = rampart_prov_verify(p, &a, envelope, envelope_len, NULL, &err);
 *
 * Every refusal has its own error code (RAMPART_EPROVMISSING ...
 * RAMPART_EPROVFORMAT in rampart/error.h) and a message naming the policy
 * rule that failed.  Attestations are untrusted input: parsed strictly
 * (duplicate JSON keys, fractions, invalid UTF-8 and over-deep nesting are
 * refused, sizes are bounded) and nothing in them is believed before the
 * builder keys' signatures verify.
 *
 * Thread safety: a parsed rampart_dsse, rampart_statement or
 * rampart_prov_policy never changes: every function taking it as const
 * (accessors, rampart_dsse_verify, rampart_prov_verify) may be called from
 * any number of threads at once on the same object, and one policy may be
 * set on clients working in different threads; free each once, when no
 * thread uses it.  Functions without a handle (parsing, rampart_dsse_pae)
 * share no state: any thread.  rampart_attest signs with its signers under
 * rampart/signer.h's rule; rampart_client_set_provenance_policy is a call on
 * the client, under rampart/client.h's.
 */
#ifndef RAMPART_PROVENANCE_H
#define RAMPART_PROVENANCE_H

#include <stddef.h>

#include "client.h"
#include "error.h"
#include "signer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The DSSE payload type of in-toto statements. */
#define RAMPART_INTOTO_PAYLOAD_TYPE "application/vnd.in-toto+json"
/** The in-toto Statement v1 `_type`. */
#define RAMPART_INTOTO_STATEMENT_V1 "https://in-toto.io/Statement/v1"
/** The SLSA Provenance v1 `predicateType`. */
#define RAMPART_SLSA_PROVENANCE_V1 "https://slsa.dev/provenance/v1"
/** The build type `rampart attest` writes unless told another (docs/provenance.md). */
#define RAMPART_ATTEST_BUILD_TYPE "urn:rampart:attest:generic:v1"
/** The attestation of target PATH is published as target PATH + this suffix. */
#define RAMPART_ATTESTATION_SUFFIX ".intoto.jsonl"
/** The largest attestation (DSSE envelope) accepted, in bytes. */
#define RAMPART_ATTESTATION_MAX (4u << 20)

/* ---- DSSE envelopes ---------------------------------------------------- */

typedef struct rampart_dsse rampart_dsse;

/**
 * Parses a DSSE JSON envelope {"payload": BASE64, "payloadType": STRING,
 * "signatures": [{"keyid": STRING (optional), "sig": BASE64}, ...]}.
 * Base64 may use the standard or the URL-safe alphabet, padded or not (the
 * DSSE protocol requires verifiers to accept either).  Unknown members are
 * ignored.  At most RAMPART_ATTESTATION_MAX bytes and 16 signatures.  On
 * success *out owns a new envelope (free with rampart_dsse_free).
 * Any JSON number is accepted in members that are not read.
 * Errors: RAMPART_EPROVFORMAT (not a well-formed envelope; `err` says
 * why), RAMPART_EUNSUPPORTED (a Sigstore bundle: "mediaType"
 * application/vnd.dev.sigstore.bundle...), RAMPART_ENOMEM, RAMPART_EINVAL.
 * `err` may be NULL.
 */
RAMPART_API int rampart_dsse_parse(rampart_dsse **out, const void *data, size_t len,
                                   rampart_error *err) RAMPART_MUST_USE;
/** NULL-safe. */
RAMPART_API void rampart_dsse_free(rampart_dsse *d);
/** The payload type (NUL-terminated UTF-8, owned by `d`; untrusted until verified). */
RAMPART_API const char *rampart_dsse_payload_type(const rampart_dsse *d) RAMPART_MUST_USE;
/** The decoded payload (owned by `d`); its length goes to *len. */
RAMPART_API const unsigned char *rampart_dsse_payload(const rampart_dsse *d, size_t *len) RAMPART_MUST_USE;
/** Number of signatures in the envelope. */
RAMPART_API size_t rampart_dsse_signature_count(const rampart_dsse *d) RAMPART_MUST_USE;

/**
 * Verifies the envelope's signatures over PAE(payloadType, payload) with
 * the `nkeys` trusted keys (ed25519, ecdsa P-256 with DER or raw r||s
 * signatures, rsa-pss): the envelope is valid when at least `threshold`
 * (>= 1) distinct keys, counted by key material, each verify a signature.
 * Keyids in the envelope are hints only and never decide anything.
 * *valid (may be NULL) receives the count.  Errors: RAMPART_EPROVSIG (below
 * the threshold; the message gives "n of m"), RAMPART_EINVAL (no keys, a
 * threshold of 0 or above nkeys), RAMPART_ENOMEM, RAMPART_ECRYPTO.
 */
RAMPART_API int rampart_dsse_verify(const rampart_dsse *d, const rampart_public_key *const *keys, size_t nkeys,
                                    unsigned threshold, size_t *valid, rampart_error *err) RAMPART_MUST_USE;

/**
 * The DSSE pre-authentication encoding that signatures cover:
 * "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in decimal
 * bytes.  *out is a new buffer of *outlen bytes (NUL-terminated for
 * convenience; free with rampart_string_free).  Errors: RAMPART_EINVAL,
 * RAMPART_ENOMEM.
 */
RAMPART_API int rampart_dsse_pae(const char *payload_type, const void *body, size_t len, unsigned char **out,
                                 size_t *outlen) RAMPART_MUST_USE;

/* ---- in-toto statements -------------------------------------------------- */

typedef struct rampart_statement rampart_statement;

/**
 * Parses an in-toto Statement v1 (the payload of a DSSE envelope whose
 * payload type is RAMPART_INTOTO_PAYLOAD_TYPE): `_type` must be
 * RAMPART_INTOTO_STATEMENT_V1, `subject` a non-empty array of resource
 * descriptors each with a non-empty `digest` (sha256 / sha512 values must be
 * hex of the right length; other algorithms are kept but never matched),
 * `predicateType` a non-empty string.  When the predicate type is
 * RAMPART_SLSA_PROVENANCE_V1 the predicate is checked as SLSA Provenance v1:
 * buildDefinition {buildType, externalParameters (object),
 * internalParameters?, resolvedDependencies?: resource descriptors},
 * runDetails {builder {id, ...}, metadata?, byproducts?}.  Unknown members
 * are ignored and null counts as unset (in-toto parsing rules).  This does
 * not verify anything: parse only payloads whose envelope verified.
 * Errors: RAMPART_EPROVFORMAT, RAMPART_ENOMEM, RAMPART_EINVAL.
 */
RAMPART_API int rampart_statement_parse(rampart_statement **out, const void *payload, size_t len,
                                        rampart_error *err) RAMPART_MUST_USE;
/** NULL-safe. */
RAMPART_API void rampart_statement_free(rampart_statement *s);
/** The predicate type (owned by `s`). */
RAMPART_API const char *rampart_statement_predicate_type(const rampart_statement *s) RAMPART_MUST_USE;
/** Number of subjects. */
RAMPART_API size_t rampart_statement_subject_count(const rampart_statement *s) RAMPART_MUST_USE;
/** The i-th subject's name ("" when unset), or NULL when i is out of range. */
RAMPART_API const char *rampart_statement_subject_name(const rampart_statement *s, size_t i) RAMPART_MUST_USE;
/** The i-th subject's "sha256" / "sha512" digest in lower-case hex, or NULL. */
RAMPART_API const char *rampart_statement_subject_digest(const rampart_statement *s, size_t i,
                                                         const char *alg) RAMPART_MUST_USE;
/** SLSA provenance only (else NULL): runDetails.builder.id. */
RAMPART_API const char *rampart_statement_builder_id(const rampart_statement *s) RAMPART_MUST_USE;
/** SLSA provenance only (else NULL): buildDefinition.buildType. */
RAMPART_API const char *rampart_statement_build_type(const rampart_statement *s) RAMPART_MUST_USE;
/**
 * SLSA provenance only: the source, taken from the first entry of
 * buildDefinition.resolvedDependencies (where the SLSA GitHub Actions build
 * type and `rampart attest` record it).  Its `uri` is split at the first '@'
 * after the URI's authority: "git+https://host/org/app@refs/tags/v1.2" gives
 * the repository "git+https://host/org/app" and the revision
 * "refs/tags/v1.2".  NULL when absent.
 */
RAMPART_API const char *rampart_statement_source_uri(const rampart_statement *s) RAMPART_MUST_USE;
RAMPART_API const char *rampart_statement_source_revision(const rampart_statement *s) RAMPART_MUST_USE;

/* ---- policies ------------------------------------------------------------ */

typedef struct rampart_prov_policy rampart_prov_policy;

/**
 * Parses a provenance policy (JSON, at most 1 MiB; the format is in
 * docs/provenance.md): trusted builder keys in TUF key form, a default rule
 * and rules by target path pattern, each saying whether provenance is
 * "required", "optional" or "none", which keys and threshold sign it, and
 * which builder ids, build types, source repositories and revisions are
 * allowed.  Unknown members are refused (a misspelt rule must not weaken a
 * policy).  Errors: RAMPART_EFORMAT (the message names the member),
 * RAMPART_EUNSUPPORTED (a key librampart cannot verify), RAMPART_ENOMEM,
 * RAMPART_EINVAL.
 */
RAMPART_API int rampart_prov_policy_parse(rampart_prov_policy **out, const void *json, size_t len,
                                          rampart_error *err) RAMPART_MUST_USE;
/** rampart_prov_policy_parse of a file.  Also RAMPART_ENOTFOUND, RAMPART_EIO, RAMPART_ETOOLARGE. */
RAMPART_API int rampart_prov_policy_load(rampart_prov_policy **out, const char *path,
                                         rampart_error *err) RAMPART_MUST_USE;
/** NULL-safe. */
RAMPART_API void rampart_prov_policy_free(rampart_prov_policy *p);

/** What a policy rule asks of a target's provenance. */
enum rampart_prov_requirement {
    RAMPART_PROV_NONE = 0,     /**< not evaluated */
    RAMPART_PROV_OPTIONAL = 1, /**< evaluated when the target has an attestation */
    RAMPART_PROV_REQUIRED = 2  /**< a target without a valid attestation is refused */
};

/** The requirement of the rule that applies to `target_path` (the first rule whose
 *  pattern matches, else the default); RAMPART_PROV_NONE for NULL arguments. */
RAMPART_API int rampart_prov_policy_requirement(const rampart_prov_policy *p, const char *target_path) RAMPART_MUST_USE;
/** The name of the rule that applies to `target_path` ("default", the rule's "name", or
 *  "rules[N]"); owned by `p`. */
RAMPART_API const char *rampart_prov_policy_rule_name(const rampart_prov_policy *p,
                                                      const char *target_path) RAMPART_MUST_USE;
/** The first path pattern of `p`'s rules with a directory part (a '/'), or NULL when
 *  none has one (NULL for a NULL `p`).  When it is not NULL, the rule for a file depends
 *  on its directory, so a tool that knows only the file's base name must not choose a
 *  rule by it (`verify-provenance` then requires --path).  Owned by `p`; safe to call
 *  from several threads on a policy nobody frees. */
RAMPART_API const char *rampart_prov_policy_dir_pattern(const rampart_prov_policy *p) RAMPART_MUST_USE;

#define RAMPART_PROV_ARTIFACT_VERSION 1

/** The artifact whose provenance is judged. */
typedef struct rampart_prov_artifact {
    unsigned version;        /**< RAMPART_PROV_ARTIFACT_VERSION */
    const char *path;        /**< required: the target path; selects the policy rule */
    const char *sha256;      /**< its SHA-256 (lower-case hex), or ... */
    const char *sha512;      /**< ... its SHA-512, or both, or ... */
    const char *file;        /**< ... a file on disk whose SHA-256 and SHA-512 are computed */
    const char *release;     /**< the version the caller expects, for the "version_tag" rule;
                                  NULL: bound to the attested name and tag (docs/provenance.md) */
    const char *custom_json; /**< the target's custom metadata, or NULL (not read: release keys
                                  control it, so it cannot vouch for a version) */
} rampart_prov_artifact;

#define RAMPART_PROV_ARTIFACT_INIT                                                                                     \
    {                                                                                                                  \
        .version = RAMPART_PROV_ARTIFACT_VERSION                                                                       \
    }

/**
 * Judges the provenance of artifact `a` by the policy rule for a->path.
 * `envelope` (`len` bytes) is its attestation, or NULL when it has none:
 * one DSSE envelope, or a JSON Lines bundle of them (one per line; the
 * first that passes is taken, else the refusal of the one that got
 * furthest is returned).
 * With a rule of "none" nothing is checked.  Otherwise, in this order:
 * no attestation -> RAMPART_EPROVMISSING when required (0 when optional);
 * not a DSSE envelope -> RAMPART_EPROVFORMAT (a Sigstore bundle ->
 * RAMPART_EUNSUPPORTED); fewer than the rule's
 * threshold of its keys verify -> RAMPART_EPROVSIG; payload type not
 * in-toto, statement malformed -> RAMPART_EPROVFORMAT; predicate type not
 * SLSA Provenance v1 -> RAMPART_EPROVPREDICATE; SLSA predicate malformed ->
 * RAMPART_EPROVFORMAT; no subject with the artifact's digest ->
 * RAMPART_EPROVSUBJECT; builder.id not allowed -> RAMPART_EPROVBUILDER;
 * buildType not allowed -> RAMPART_EPROVBUILDTYPE; no source, or a source
 * outside the allowed patterns -> RAMPART_EPROVSOURCE; "version_tag" and
 * the revision not bound to the artifact's attested name and version
 * (docs/provenance.md) -> RAMPART_EPROVREVISION.  The
 * message names the rule and what was found.  On success *statement (may
 * be NULL) receives the verified statement (NULL when nothing was checked;
 * free with rampart_statement_free).  Other errors: RAMPART_EINVAL,
 * RAMPART_ENOMEM, RAMPART_ECRYPTO, and for a->file RAMPART_ENOTFOUND,
 * RAMPART_EIO.
 */
RAMPART_API int rampart_prov_verify(const rampart_prov_policy *p, const rampart_prov_artifact *a, const void *envelope,
                                    size_t len, rampart_statement **statement, rampart_error *err) RAMPART_MUST_USE;

/**
 * Makes client `c` judge the provenance of every target it downloads by
 * policy `p` (borrowed: it must outlive its use by `c`; NULL turns the check
 * off).  rampart_client_download_target() then, before it fetches or reuses
 * the target's bytes, reads the attestation bound to the target in its
 * signed custom metadata ({"rampart": {"provenance": {"path", "hashes",
 * "length"}}}, written by `rampart repo add --provenance`), fetches that
 * attestation as a target through the verified TUF path, and judges it
 * with rampart_prov_verify() against the target's trusted digests.  A
 * refusal returns its code and leaves the target folder untouched.  An
 * attestation target that no trusted role lists is RAMPART_EPROVMISSING;
 * one whose bytes differ from the digest bound in the artifact's metadata
 * is RAMPART_EMISMATCH.  (rampart_client_find_cached_target() does not
 * judge provenance.)  Errors: RAMPART_EINVAL.
 */
RAMPART_API int rampart_client_set_provenance_policy(rampart_client *c, const rampart_prov_policy *p) RAMPART_MUST_USE;

/* ---- creating attestations --------------------------------------------- */

/** One subject of a new attestation: a file to hash, or a digest. */
typedef struct rampart_attest_subject {
    const char *name;   /**< the subject name; NULL: the file's base name */
    const char *file;   /**< a file whose SHA-256 is computed, or NULL ... */
    const char *sha256; /**< ... its SHA-256 in hex */
} rampart_attest_subject;

#define RAMPART_ATTEST_OPTIONS_VERSION 1

typedef struct rampart_attest_options {
    unsigned version;                       /**< RAMPART_ATTEST_OPTIONS_VERSION */
    const rampart_attest_subject *subjects; /**< at least one */
    size_t subject_count;
    const char *builder_id;          /**< required: runDetails.builder.id */
    const char *build_type;          /**< NULL: RAMPART_ATTEST_BUILD_TYPE */
    const char *source_uri;          /**< e.g. "git+https://git.example.com/org/app"; NULL: none */
    const char *source_revision;     /**< e.g. "refs/tags/v1.2.0" (needs source_uri) */
    const char *source_commit;       /**< git commit (hex), recorded as digest gitCommit */
    const char *const *param_names;  /**< externalParameters.parameters: names ... */
    const char *const *param_values; /**< ... and string values */
    size_t param_count;
    const char *invocation_id; /**< runDetails.metadata.invocationId; NULL: none */
} rampart_attest_options;

#define RAMPART_ATTEST_OPTIONS_INIT                                                                                    \
    {                                                                                                                  \
        .version = RAMPART_ATTEST_OPTIONS_VERSION                                                                      \
    }

/**
 * Creates an SLSA Provenance v1 statement for the subjects, as
 * docs/provenance.md describes it for RAMPART_ATTEST_BUILD_TYPE:
 * externalParameters {"source": {"uri", "revision"}, "parameters": {...}},
 * resolvedDependencies [{"uri": SOURCE@REVISION, "digest": {"gitCommit"}}];
 * signs it in a DSSE envelope with each of the `nsigners` signers (keyid:
 * the signer's TUF keyid), and returns the envelope as one line of JSON
 * ending in a newline (the ".intoto.jsonl" form) in *out (free with
 * rampart_string_free), its length in *outlen (may be NULL).  Errors:
 * RAMPART_EINVAL (no subject, no builder id, no signer, a revision without
 * a source, a subject with neither file nor digest, a digest that is not
 * 64 hex characters, an empty or duplicate parameter name),
 * RAMPART_ENOTFOUND / RAMPART_EIO (a subject file), the signers' codes,
 * RAMPART_ENOMEM.
 */
RAMPART_API int rampart_attest(const rampart_attest_options *o, rampart_signer *const *signers, size_t nsigners,
                               char **out, size_t *outlen, rampart_error *err) RAMPART_MUST_USE;

#ifdef __cplusplus
}
#endif
#endif /* RAMPART_PROVENANCE_H */
