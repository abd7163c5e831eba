/*
 * monitor_internal.h - the parts of the log monitor (rampart/monitor.h):
 * where the log's files come from (source.c: a local folder, or a URL
 * through the client's capped transport), and the judgment of one entry
 * against the vendor's repository (judge.c, no network).
 */
#ifndef RAMPART_MONITOR_MONITOR_INTERNAL_H
#define RAMPART_MONITOR_MONITOR_INTERNAL_H

#include "rampart/monitor.h"
#include "tuf/md.h"
#include "util/buf.h"

/* ---- source.c ---- */

typedef struct msrc msrc;
/* Opens the log at `where` (an http:// or https:// URL, or a folder).
 * EINVAL, ENOTFOUND, EIO, ENOMEM. */
int msrc_open(msrc **out, const char *where, const char *ca_file, rerr *e) RAMPART_MUST_USE;
/* Appends the file `name` (below the log folder, e.g. "checkpoint",
 * "tile/0/000.p/3") to `out`, at most `max` bytes.  ETOOLARGE past it;
 * ENOTFOUND; transport codes; EIO. */
int msrc_get(msrc *s, const char *name, size_t max, rbuf *out, rerr *e) RAMPART_MUST_USE;
void msrc_free(msrc *s);

/* ---- judge.c ---- */

/* The vendor's metadata folder and the last targets role read from it. */
typedef struct mrepo {
    int dirfd;
    char role[256];
    int64_t version;
    tuf_md *md; /* NULL when the last lookup found nothing */
} mrepo;

/* Opens DIR/public/metadata, or DIR when it has no public/metadata.
 * ENOTFOUND, EPATH, EIO. */
int mrepo_open(mrepo *r, const char *dir, rerr *e) RAMPART_MUST_USE;
void mrepo_close(mrepo *r);

/* What judge found for one entry. */
typedef enum { MJ_PUBLISHED, MJ_UNPUBLISHED, MJ_MALFORMED } mjudgment;

/* Judges entry bytes p[0..n) (untrusted): MALFORMED when they are not a
 * JSON object with a string "role" and "path" and an integer "version";
 * PUBLISHED when the repository's metadata of that role at that version
 * lists the path and the entry it gives (docs/transparency.md "Publishing
 * format") is byte for byte these bytes; UNPUBLISHED otherwise, with the
 * reason in why[0..cap).  Returns 0, or a local failure (EIO, ENOMEM). */
int mrepo_judge(mrepo *r, const uint8_t *p, size_t n, mjudgment *out, char *why, size_t cap, rerr *e) RAMPART_MUST_USE;

/* Appends the entry publish writes for target `path` of role `role` at
 * `version`, whose metadata is `md` (a parsed targets role).  ENOTFOUND
 * when md does not list the path; ETOOLARGE, ENOMEM. */
int mrepo_entry(const tuf_md *md, const char *role, int64_t version, rslice path, rbuf *out, rerr *e) RAMPART_MUST_USE;

#endif
