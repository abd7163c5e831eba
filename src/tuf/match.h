/*
 * match.h - which delegated role may speak for a target path (TUF §4.5
 * "paths" and "path_hash_prefixes"; TAP 15 succinct hash bins).
 */
#ifndef RAMPART_TUF_MATCH_H
#define RAMPART_TUF_MATCH_H

#include "tuf/md.h"

/* Shell-style pattern match as TUF delegations use it (TUF 4.5
 * PATHPATTERN), as python-tuf judges it: pattern and path are split at '/'
 * and must have as many segments; each segment matches as an fnmatch
 * pattern: '*' any run of characters, '?' any one character, "[a-z]" /
 * "[!x]" one character of a set or not of it, everything else itself;
 * characters are code points; case-sensitive.  So "*.md" matches
 * "README.md" but not "docs/README.md", and "x[a/!]y" is the literal
 * "x[a/!]y" (a '/' splits the bracket). */
bool tuf_glob_match(rslice pattern, rslice path);

/* The lower-case hex SHA-256 of a target path (for path_hash_prefixes). */
typedef struct tuf_path_hash {
    uint8_t digest[32];
    char hex[65];
} tuf_path_hash;
int tuf_path_hash_compute(rslice path, tuf_path_hash *out) RAMPART_MUST_USE;

/* True when delegation `dr` (of targets metadata `delegator`) covers
 * `path`: one of its "paths" patterns matches, or the hex hash of the path
 * starts with one of its "path_hash_prefixes".  A role with neither covers
 * nothing. */
bool tuf_delegation_covers(const tuf_md *delegator, const tuf_delegation *dr, rslice path, const tuf_path_hash *ph);

/* Longest succinct bin name: a prefix plus "-" plus 8 hex digits. */
#define TUF_SUCCINCT_SUFFIX_MAX 8
/* Room for a bin name's suffix: "-", the hex digits and a NUL. */
#define TUF_SUCCINCT_TAIL_SIZE (TUF_SUCCINCT_SUFFIX_MAX + 2)
/* TAP 15: writes the suffix of the name of the bin responsible for `path`
 * ("-" and its ceil(bit_length / 4) lower-case hex digits, see below),
 * NUL-terminated, to `out`; returns its length (without the NUL).  The
 * whole name is name_prefix followed by the suffix.  Cannot fail. */
size_t tuf_succinct_suffix_for(const tuf_succinct *s, const tuf_path_hash *ph, char out[TUF_SUCCINCT_TAIL_SIZE]);
/* TAP 15: the bin role responsible for `path`: NAME_PREFIX-XX..., where the
 * bin number is the first 32 bits of SHA-256(path) shifted right by
 * 32 - bit_length, written in ceil(bit_length / 4) lower-case hex digits.
 * Appends the name to `out`. */
int tuf_succinct_role_for(const tuf_succinct *s, const tuf_path_hash *ph, rbuf *out) RAMPART_MUST_USE;
/* TAP 15: true when `name` is one of the 2^bit_length bin names of `s`. */
bool tuf_succinct_is_role(const tuf_succinct *s, rslice name);

#endif
