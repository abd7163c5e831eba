/*
 * policy.h - C2SP tlog-policy (the logs, witnesses, groups and quorum an
 * endpoint trusts) and the verification of a cosigned checkpoint against
 * it, sans I/O.
 */
#ifndef RAMPART_TLOG_POLICY_H
#define RAMPART_TLOG_POLICY_H

#include "tlog/note.h"

/* tlog-policy recommends supporting at least 32 of each. */
#define TLOG_POLICY_MAX 64
#define TLOG_POLICY_MAX_BYTES 65536
#define TLOG_POLICY_LINE_MAX 4096

/* A quorum or group member: a witness or a group, by index. */
typedef struct tlog_policy_ref {
    bool group;
    size_t idx;
} tlog_policy_ref;

typedef struct tlog_policy_witness {
    char *name;
    tlog_vkey *key; /* signature type 0x04 */
    char *url;      /* NULL when none */
} tlog_policy_witness;

typedef struct tlog_policy_group {
    char *name;
    size_t k, n;
    tlog_policy_ref m[TLOG_POLICY_MAX * 2];
} tlog_policy_group;

typedef struct tlog_policy {
    size_t nlogs, nwit, ngroups;
    tlog_vkey *log[TLOG_POLICY_MAX]; /* signature type 0x01 */
    char *log_url[TLOG_POLICY_MAX];
    tlog_policy_witness wit[TLOG_POLICY_MAX];
    tlog_policy_group grp[TLOG_POLICY_MAX];
    bool quorum_none;
    tlog_policy_ref quorum;
} tlog_policy;

/* Parses a policy file of `n` bytes (tlog-policy): lines of "log <vkey>
 * [<url>]", "witness <name> <vkey> [<url>]", "group <name> all|any|<k>
 * <member>...", "quorum <name>", blank lines and comments; space and tab
 * separate items.  Refused with EFORMAT (the message names the line): a
 * byte outside tab, newline, 0x20-0x7e, 0x80-0xff; an unknown keyword or
 * extra item; a log key that is not type 0x01 or a witness key that is not
 * type 0x04 (cosignature v1); two logs or two witnesses with the same
 * public key; a name defined twice, or "none" defined; a group member or
 * quorum that is not defined on an earlier line, or "none" as a member; a
 * member listed twice in a group; k outside 1..n or with a leading zero;
 * no quorum line or more than one.  ETOOLARGE past TLOG_POLICY_MAX_BYTES,
 * a line over TLOG_POLICY_LINE_MAX or more than TLOG_POLICY_MAX logs,
 * witnesses or groups.  EUNSUPPORTED for a key of another signature
 * algorithm.  On success *out owns the policy (free with
 * tlog_policy_free). */
int tlog_policy_parse(tlog_policy **out, const uint8_t *p, size_t n, rerr *e) RAMPART_MUST_USE;
void tlog_policy_free(tlog_policy *p);

/* True when the witnesses marked in `witnessed` (one flag per witness, in
 * policy order) satisfy the quorum. */
bool tlog_policy_quorum(const tlog_policy *p, const bool *witnessed);

/* A checkpoint accepted by tlog_policy_verify. */
typedef struct tlog_verified {
    tlog_checkpoint cp;
    size_t log;           /* the index of the log that signed it */
    size_t ncosig;        /* how many policy witnesses cosigned */
    int64_t newest_cosig; /* the newest cosignature time (0 when none) */
} tlog_verified;

/* Verifies a cosigned checkpoint (`n` bytes of signed note) against the
 * policy at time `now` (seconds since the epoch): it must parse as a
 * checkpoint, be signed by a policy log whose key name is its origin, and
 * be cosigned by witnesses that satisfy the quorum; with max_age > 0 the
 * newest of those cosignatures must be at most max_age seconds old.
 * Returns 0 and writes *out; or ENOQUORUM (no policy log for the origin,
 * no valid log signature, a known key's bad signature, too few
 * cosignatures), ESTALE (the newest cosignature is too old, or none exists
 * while max_age > 0 and the quorum is not "none"), EFORMAT / ETOOLARGE
 * (the note or the checkpoint), ENOMEM, ECRYPTO. */
int tlog_policy_verify(const tlog_policy *p, const uint8_t *note, size_t n, int64_t now, int64_t max_age,
                       tlog_verified *out, rerr *e) RAMPART_MUST_USE;

#endif
