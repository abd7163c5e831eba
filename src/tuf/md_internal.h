/*
 * md_internal.h - helpers shared by the metadata parsers (md_*.c).
 * Every helper reports a precise EFORMAT message naming the role and field.
 */
#ifndef RAMPART_TUF_MD_INTERNAL_H
#define RAMPART_TUF_MD_INTERNAL_H

#include "tuf/md.h"

/* Parse context: the document, the role name for messages, the error sink. */
typedef struct mdp {
    tuf_md *md;
    const jdoc *d;
    const char *role;
    rerr *e;
} mdp;

int mdp_fail(const mdp *p, const char *fmt, ...) RAMPART_PRINTF(2, 3);
#ifdef __clang_analyzer__
/* For clang-tidy only: mdp_fail always returns EFORMAT, which the analyser
 * cannot see (it does not inline variadic functions); see rerr_set in
 * util/common.h. */
#define mdp_fail(p, ...) (mdp_fail((p), __VA_ARGS__), RAMPART_EFORMAT)
#endif

/* Metadata is parsed with jd_limits.allow_nul: "custom" (TUF 4.5: opaque,
 * application-specific) and unknown fields are JSON, where "\u0000" is
 * valid.  Every string the
 * parser reads as a name, path, key id, key, hash or date must hold no
 * NUL (a C consumer would cut it short there): mdp_req/mdp_opt check their
 * strings, and the loops over object keys and string arrays check theirs
 * with jdoc_str_has_nul.  MDP_NUL ends each such message. */
#define MDP_NUL " holds \\u0000 (NUL)"

/* Member `key` of object `obj`, which must exist and have type `t` (a
 * string: without a NUL).
 * `where` names the enclosing object in messages ("signed", "delegations"). */
int mdp_req(const mdp *p, jd_ref obj, const char *key, jd_type t, const char *where, jd_ref *out);
/* Like mdp_req, but an absent member gives JD_NONE and success. */
int mdp_opt(const mdp *p, jd_ref obj, const char *key, jd_type t, const char *where, jd_ref *out);
/* A required member that is a boolean (true/false). */
int mdp_req_bool(const mdp *p, jd_ref obj, const char *key, const char *where, bool *out);
/* Member `key` must be an integer in [lo, hi]. */
int mdp_req_int(const mdp *p, jd_ref obj, const char *key, int64_t lo, int64_t hi, const char *where, int64_t *out);

/* Parses a "keys" object into a keyset (keyid -> key).  Unsupported key
 * types are kept with key == NULL; malformed material of a supported type
 * is EFORMAT. */
int mdp_keyset(const mdp *p, jd_ref keys, const char *where, tuf_keyset *out);
void tuf_keyset_clear(tuf_keyset *ks);
/* Parses {"keyids": [...], "threshold": n} members of `obj` into `auth`
 * (keyids unique, threshold >= 1). */
int mdp_role_auth(const mdp *p, jd_ref obj, rslice name, const char *where, tuf_role_auth *auth);
void tuf_role_auth_clear(tuf_role_auth *a);
/* Validates a METAFILES entry. */
int mdp_metafile(const mdp *p, jd_ref obj, rslice name, tuf_metafile *out);
/* Validates a "hashes" object: non-empty when `required`, string values. */
int mdp_hashes(const mdp *p, jd_ref obj, rslice owner, bool required);

/* Role-specific parts of "signed". */
int md_parse_root(const mdp *p);
int md_parse_timestamp(const mdp *p);
int md_parse_snapshot(const mdp *p);
int md_parse_targets(const mdp *p);

#endif
