/*
 * tuf_assess.h - the TUF kind of assessment: the metadata set read from a
 * source (tuf_load.c) and the checks over it (tuf_checks.c, tuf_prov.c).
 */
#ifndef RAMPART_ASSESS_TUF_ASSESS_H
#define RAMPART_ASSESS_TUF_ASSESS_H

#include "assess/assess.h"
#include "tuf/md.h"

/* Delegated roles read per assessment. */
#define TA_MAX_ROLES 64
/* TAP 15 hash bins read per assessment (the rest are counted as not read). */
#define TA_MAX_BINS 256
/* Root versions followed from the first one. */
#define TA_MAX_ROOTS 256

enum {
    TA_VERIFY,
    TA_ROOT_THRESHOLD,
    TA_ONLINE_KEYS,
    TA_KEY_TYPES,
    TA_KEY_REUSE,
    TA_EXPIRY,
    TA_WINDOW,
    TA_HASHES,
    TA_CONSISTENT,
    TA_DELEGATIONS,
    TA_SPEC,
    TA_HTTPS,
    TA_PROVENANCE,
    TA_SLSA,
    TA_TLOG,
    TA_NRULES
};
extern const rassess_rule ta_rules[TA_NRULES];

typedef struct ta_role {
    char name[256];   /* the delegated role's name (untrusted text) */
    tuf_md *md;       /* NULL when it could not be read or verified */
    int parent;       /* index of the delegating role; -1 for targets */
    const tuf_md *by; /* the delegator's metadata */
    bool bin;         /* a TAP 15 hash bin of `by` */
} ta_role;

/* One check's findings while it is built (assess.h). */
typedef rassess_ev ta_ev;

typedef struct ta_set {
    const rassess_input *in;
    int64_t now;
    tuf_md *root; /* the newest root that verified */
    int64_t first_root_version;
    bool root_given; /* out of band (--root) */
    tuf_md *ts, *snap, *targets;
    ta_role roles[TA_MAX_ROLES + TA_MAX_BINS]; /* delegated roles and hash bins, in the order read */
    size_t nroles;
    size_t ndelegated, nbins; /* of which named delegations, hash bins */
    bool roles_truncated, bins_truncated;
    bool cycle;
    char cycle_name[256];
    ta_ev verify; /* what failed to read or verify */
    char where[512];
} ta_set;

/* Reads and verifies everything that can be (tuf_load.c).  Errors only when
 * no root at all could be read. */
int ta_load(ta_set *s, rerr *e) RAMPART_MUST_USE;
void ta_set_free(ta_set *s);

/* Evidence helpers: append "; "-separated notes, raising the status. */
void ta_ev_init(ta_ev *v);
void ta_note(ta_ev *v, rampart_check_status st, const char *fmt, ...) RAMPART_PRINTF(3, 4);
/* Records the check (evidence "none" when empty) and frees the evidence. */
int ta_emit(rampart_assessment *a, int rule, ta_ev *v, const char *location) RAMPART_MUST_USE;

/* The checks: each adds one finding. */
int ta_check_keys(rampart_assessment *a, const ta_set *s) RAMPART_MUST_USE;
int ta_check_expiry(rampart_assessment *a, const ta_set *s) RAMPART_MUST_USE;
int ta_check_hashes(rampart_assessment *a, const ta_set *s) RAMPART_MUST_USE;
int ta_check_delegations(rampart_assessment *a, const ta_set *s) RAMPART_MUST_USE;
int ta_check_provenance(rampart_assessment *a, ta_set *s) RAMPART_MUST_USE;
int ta_check_tlog(rampart_assessment *a, ta_set *s) RAMPART_MUST_USE;

/* The name of target `tf` (listed by `md`) in the targets source: HASH.NAME
 * under consistent snapshots (§5.7.3), URL-encoded for a network source.
 * EPATH (a path that leaves the folder), ENOTFOUND (no sha256), ENOMEM. */
int ta_target_name(const ta_set *s, const tuf_md *md, const tuf_targetfile *tf, rbuf *out) RAMPART_MUST_USE;

#endif
