/*
 * delegsearch.h - the target search of TUF specification §5.6.7 (a
 * pre-order depth-first search of the delegation graph, beginning with the
 * top-level targets role) as a sans-I/O iterator.
 *
 * The iterator decides which role to consult next; the caller loads and
 * verifies each role it asks for (through the delegator it names: §5.6.1-
 * §5.6.5 are the caller's, see tuf/trusted.h) and hands it back:
 *
 *     tuf_ds_slot slots[LIMIT];
 *     tuf_delegsearch s;
 *     rc = tuf_delegsearch_init(&s, path, slots, LIMIT);
 *     while ((rc = tuf_delegsearch_next(&s, &r)) == 0 && r.step == TUF_DS_NEED) {
 *         load and verify role r.name through r.delegator ... (on failure: stop, §5.6.7)
 *         rc = tuf_delegsearch_give(&s, md);
 *     }
 *     r.step is TUF_DS_FOUND (r.md lists r.target) or TUF_DS_NOTFOUND (r.reason)
 *
 * The rules, each cited where it is applied in delegsearch.c:
 *  - delegations are searched in the order listed, depth first; a child is
 *    consulted only when its delegation's "paths" or "path_hash_prefixes"
 *    cover the path, so a target is trusted only when every role on the
 *    chain allows its path;
 *  - a role visited before in this search is skipped (cycles, and a role
 *    reached again through another delegator);
 *  - at most `nslots` roles are visited (the top-level targets role counts);
 *  - once a terminating delegation's role has been searched (or skipped as
 *    visited before), the search ends;
 *  - TAP 15 succinct hash bins: exactly one bin covers a path, and it is
 *    terminating.
 *
 * No I/O and no allocation: all state lives in the tuf_delegsearch and the
 * caller's slot array, one slot per role visited.  Names, paths and the
 * roles handed back are borrowed: they must outlive the search.
 */
#ifndef RAMPART_TUF_DELEGSEARCH_H
#define RAMPART_TUF_DELEGSEARCH_H

#include "tuf/match.h"
#include "tuf/md.h"

/* A role name without a copy: `head` (bytes of the delegator's metadata, or
 * "targets"), followed, for a TAP 15 bin, by `tail` ("-" and the bin's hex
 * digits; ntail is 0 otherwise). */
typedef struct tuf_ds_name {
    rslice head;
    size_t ntail;
    char tail[TUF_SUCCINCT_TAIL_SIZE];
} tuf_ds_name;

/* The length of the whole name. */
size_t tuf_ds_name_len(const tuf_ds_name *n);
/* True when the whole name is exactly the bytes of `s`. */
bool tuf_ds_name_is(const tuf_ds_name *n, rslice s);
/* Appends the whole name to `out` (ETOOLARGE past its max, ENOMEM). */
int tuf_ds_name_append(const tuf_ds_name *n, rbuf *out) RAMPART_MUST_USE;

/* One role of the search, in the order the roles were asked for; the
 * caller provides the array and never reads or writes it. */
typedef struct tuf_ds_slot {
    tuf_ds_name name;
    const tuf_md *md;         /* the role, once handed back */
    const tuf_md *delegator;  /* NULL for the top-level targets role */
    const tuf_delegation *dr; /* its entry in delegator; NULL: top-level, or a TAP 15 bin */
    size_t parent;            /* the delegator's slot (SIZE_MAX: none) */
    size_t next;              /* the next of md's delegations to consider */
    unsigned depth;           /* delegations from the top-level targets role */
    bool terminating;         /* reached through a terminating delegation */
} tuf_ds_slot;

typedef enum tuf_ds_step {
    TUF_DS_NEED = 1,  /* load the role named, verify it through `delegator`, give it */
    TUF_DS_FOUND = 2, /* `md` (role `name`) lists the target: `target` */
    TUF_DS_NOTFOUND = 3,
} tuf_ds_step;

/* Why a search found nothing. */
typedef enum tuf_ds_reason {
    TUF_DS_UNLISTED = 1,   /* no role the search may consult lists the path */
    TUF_DS_TERMINATED = 2, /* a terminating delegation's role did not list it */
    TUF_DS_LIMIT = 3,      /* the limit of roles visited was reached */
} tuf_ds_reason;

typedef struct tuf_ds_result {
    tuf_ds_step step;
    /* NEED: the role wanted; FOUND: the role that lists the target. */
    const tuf_ds_name *name;
    /* NEED, FOUND: the role's delegator (NULL: the top-level targets role,
     * authorised by root) and its entry there (NULL for the top-level role
     * and for a TAP 15 bin: then delegator->succinct authorises it). */
    const tuf_md *delegator;
    const tuf_delegation *dr;
    unsigned depth;        /* NEED, FOUND: 0 for the top-level role */
    const tuf_md *md;      /* FOUND */
    tuf_targetfile target; /* FOUND: md's entry for the path */
    tuf_ds_reason reason;  /* NOTFOUND */
    size_t visited;        /* roles asked for so far */
} tuf_ds_result;

typedef struct tuf_delegsearch {
    rslice path;
    tuf_path_hash ph;
    tuf_ds_slot *slot;
    size_t nslots; /* the limit of roles visited */
    size_t n;      /* slots in use */
    size_t cur;    /* the role whose delegations are being walked */
    int state;     /* private */
    tuf_ds_result last;
} tuf_delegsearch;

/* Starts a search for `path` that visits at most `nslots` roles, keeping
 * its state in `slots` (borrowed, nslots of them).  `path` is borrowed.
 * EINVAL when nslots is 0 or slots NULL; the hash library's code when the
 * path cannot be hashed (for path_hash_prefixes and TAP 15 bins). */
int tuf_delegsearch_init(tuf_delegsearch *s, rslice path, tuf_ds_slot *slots, size_t nslots) RAMPART_MUST_USE;

/* The next step, in *out: NEED (the first is the top-level "targets"),
 * FOUND or NOTFOUND.  After FOUND or NOTFOUND every call gives the same
 * result again.  EINVAL while a role asked for has not been given. */
int tuf_delegsearch_next(tuf_delegsearch *s, tuf_ds_result *out) RAMPART_MUST_USE;

/* Hands back the role the last NEED asked for, loaded and verified through
 * the delegator it named (borrowed).  EINVAL when no role is awaited or
 * `md` is not targets metadata. */
int tuf_delegsearch_give(tuf_delegsearch *s, const tuf_md *md) RAMPART_MUST_USE;

#endif
