/*
 * fuzz_trusted.c - the trusted-metadata state machine (src/tuf/trusted.c)
 * driven through a whole update from a fixed trusted root.
 *
 * The input is a sequence of documents separated by FUZZ_SEP; the first
 * line of each says what to do with the rest:
 *   root              tuf_trusted_update_root
 *   check-root        tuf_trusted_check_root (no document)
 *   local-timestamp   tuf_trusted_load_local_timestamp
 *   timestamp         tuf_trusted_update_timestamp
 *   local-snapshot    tuf_trusted_load_local_snapshot
 *   snapshot          tuf_trusted_update_snapshot
 *   targets           tuf_trusted_update_targets("targets", root)
 *   delegated NAME    tuf_trusted_update_targets(NAME, the first verified
 *                     role that delegates NAME)
 * in any order, as an attacker controlling the server and the local files
 * could arrange them.  The trusted root and the seed corpus come from
 * seedgen.c (one simulated repository; real signatures), so mutations that
 * keep "signed" intact still verify.  The reference time is fixed.
 *
 * Invariants: every call returns one of its documented codes; a failed call
 * leaves the trusted state exactly as it was; an accepted root is exactly
 * version N+1; an accepted timestamp never lowers its own or the snapshot's
 * version; an accepted snapshot has the version the timestamp names, is not
 * expired and drops or rolls back no role; accepted targets have the
 * version the snapshot names and are found again through their delegator.
 */
#include "fuzz_common.h"
#include "tuf/trusted.h"
#include "util/banned.h"

#include "trusted_root.inc" /* fuzz_trusted_root[]: root version 1 of the seed repository */

/* The simulator's "now" (tests/support/sim.h SIM_NOW), 2030-06-01. */
#define FUZZ_NOW 1906502400LL

/* What a failed call must leave untouched. */
typedef struct snap {
    const tuf_md *root, *timestamp, *snapshot;
    size_t ndelegated;
    bool ts_local, sn_local;
} snap;

static snap take(const tuf_trusted *t)
{
    return (snap){t->root, t->timestamp, t->snapshot, t->ndelegated, t->timestamp_is_local, t->snapshot_is_local};
}

static bool same(const tuf_trusted *t, snap s)
{
    return t->root == s.root && t->timestamp == s.timestamp && t->snapshot == s.snapshot &&
           t->ndelegated == s.ndelegated && t->timestamp_is_local == s.ts_local && t->snapshot_is_local == s.sn_local;
}

static bool one_of(int rc, const int *codes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (rc == codes[i])
            return true;
    return false;
}
#define ALLOWED(rc, ...) one_of((rc), (const int[]){__VA_ARGS__}, sizeof((const int[]){__VA_ARGS__}) / sizeof(int))

static void on_root(tuf_trusted *t, fuzz_part doc)
{
    snap before = take(t);
    int64_t v = t->root->version;
    rerr e = {0};
    int rc = tuf_trusted_update_root(t, fuzz_dup(doc.p, doc.n), doc.n, &e);
    FUZZ_CHECK(ALLOWED(rc, 0, RAMPART_EFORMAT, RAMPART_EBADSIG, RAMPART_EROLLBACK, RAMPART_EMISMATCH, RAMPART_EINVAL));
    if (rc != 0) {
        FUZZ_CHECK(same(t, before) && e.code == rc);
        return;
    }
    FUZZ_CHECK(t->root->version == v + 1 && t->timestamp == NULL);
}

static void on_timestamp(tuf_trusted *t, fuzz_part doc, bool local)
{
    snap before = take(t);
    const tuf_md *old = t->timestamp;
    int64_t oldv = old ? old->version : 0, olds = old ? old->snapshot_meta.version : 0;
    bool accepted = false;
    int rc;
    if (local) {
        rc = tuf_trusted_load_local_timestamp(t, fuzz_dup(doc.p, doc.n), doc.n, NULL);
        FUZZ_CHECK(ALLOWED(rc, 0, RAMPART_EFORMAT, RAMPART_EBADSIG, RAMPART_EINVAL));
        accepted = rc == 0;
    } else {
        rc = tuf_trusted_update_timestamp(t, fuzz_dup(doc.p, doc.n), doc.n, &accepted, NULL);
        FUZZ_CHECK(ALLOWED(rc, 0, RAMPART_EFORMAT, RAMPART_EBADSIG, RAMPART_EROLLBACK, RAMPART_EEXPIRED));
    }
    if (rc != 0 || !accepted) {
        FUZZ_CHECK(same(t, before));
        return;
    }
    FUZZ_CHECK(t->timestamp != NULL && t->timestamp->version >= oldv);
    if (!local) {
        FUZZ_CHECK(t->timestamp->version > oldv || old == NULL);
        FUZZ_CHECK(t->timestamp->snapshot_meta.version >= olds);
        FUZZ_CHECK(FUZZ_NOW < t->timestamp->expires && !t->timestamp_is_local);
    }
}

static bool snapshot_keeps(const tuf_md *old, const tuf_md *nw)
{
    const jdoc *d = old->doc;
    for (jd_ref k = jdoc_first(d, old->meta); k != JD_NONE; k = jdoc_next_key(d, k)) {
        tuf_metafile was, now;
        FUZZ_CHECK(tuf_md_metafile(old, jdoc_str(d, k), &was) == 0);
        if (tuf_md_metafile(nw, jdoc_str(d, k), &now) != 0 || now.version < was.version)
            return false;
    }
    return true;
}

static void on_snapshot(tuf_trusted *t, fuzz_part doc, bool local)
{
    snap before = take(t);
    const tuf_md *old = t->snapshot;
    /* A failed call frees nothing the state holds, so `old` stays valid to
     * compare against; after success it is gone, so compare first. */
    tuf_md *probe = NULL;
    bool keeps = true;
    if (old != NULL && !local && tuf_md_parse(&probe, doc.p, doc.n, false, SIZE_MAX, TUF_SNAPSHOT, NULL, NULL) == 0)
        keeps = snapshot_keeps(old, probe);
    tuf_md_free(probe);
    int rc;
    bool final = false;
    if (local) {
        rc = tuf_trusted_load_local_snapshot(t, fuzz_dup(doc.p, doc.n), doc.n, &final, NULL);
        FUZZ_CHECK(ALLOWED(rc, 0, RAMPART_EFORMAT, RAMPART_EBADSIG, RAMPART_EINVAL, RAMPART_EEXPIRED));
    } else {
        rc = tuf_trusted_update_snapshot(t, fuzz_dup(doc.p, doc.n), doc.n, NULL);
        FUZZ_CHECK(ALLOWED(rc, 0, RAMPART_EFORMAT, RAMPART_EBADSIG, RAMPART_EINVAL, RAMPART_EEXPIRED, RAMPART_EMISMATCH,
                           RAMPART_EUNSUPPORTED, RAMPART_EROLLBACK));
    }
    if (rc != 0) {
        FUZZ_CHECK(same(t, before));
        return;
    }
    FUZZ_CHECK(t->snapshot != NULL && t->timestamp != NULL);
    if (!local) {
        FUZZ_CHECK(keeps);
        FUZZ_CHECK(t->snapshot->version == t->timestamp->snapshot_meta.version);
        FUZZ_CHECK(FUZZ_NOW < t->snapshot->expires && !t->snapshot_is_local);
    } else if (final) {
        FUZZ_CHECK(t->snapshot->version == t->timestamp->snapshot_meta.version);
    }
}

/* The first verified targets role (top-level first) that delegates `name`. */
static const tuf_md *find_delegator(const tuf_trusted *t, const char *name, bool *found)
{
    const tuf_keyset *ks;
    const tuf_role_auth *auth;
    const tuf_md *top = tuf_trusted_find_targets(t, "targets", NULL);
    *found = true;
    if (top != NULL && tuf_trusted_delegation_auth(t, top, name, &ks, &auth) == 0)
        return top;
    for (size_t i = 0; i < t->ndelegated; i++)
        if (tuf_trusted_delegation_auth(t, t->delegated[i].md, name, &ks, &auth) == 0)
            return t->delegated[i].md;
    *found = false;
    return NULL;
}

static void on_targets(tuf_trusted *t, const char *name, const tuf_md *delegator, fuzz_part doc)
{
    /* Like the client (rclient_load_targets): a role verified through this
     * delegator in this update is used as it is, never loaded again. */
    if (tuf_trusted_find_targets(t, name, delegator) != NULL)
        return;
    snap before = take(t);
    const tuf_md *md = NULL;
    rerr e = {0};
    int rc = tuf_trusted_update_targets(t, name, delegator, fuzz_dup(doc.p, doc.n), doc.n, &md, &e);
    FUZZ_CHECK(ALLOWED(rc, 0, RAMPART_EFORMAT, RAMPART_EBADSIG, RAMPART_EINVAL, RAMPART_EEXPIRED, RAMPART_EMISMATCH,
                       RAMPART_EUNSUPPORTED, RAMPART_ENOTFOUND));
    if (rc != 0) {
        FUZZ_CHECK(same(t, before) && e.code == rc);
        return;
    }
    tuf_metafile want;
    FUZZ_CHECK(tuf_trusted_role_meta(t, name, &want, NULL) == 0);
    FUZZ_CHECK(md->version == want.version && FUZZ_NOW < md->expires && md->type == TUF_TARGETS);
    FUZZ_CHECK(tuf_trusted_find_targets(t, name, delegator) == md);
    FUZZ_CHECK(t->ndelegated == before.ndelegated + 1);
}

/* FUZZ_TRUSTED_VERBOSE=1 prints each step and its result (for checking
 * that seeds reach the states they are meant to). */
static void trace(fuzz_part kind, const tuf_trusted *t)
{
    static int verbose = -1;
    if (verbose < 0)
        verbose = getenv("FUZZ_TRUSTED_VERBOSE") != NULL;
    if (verbose)
        fprintf(stderr, "trusted: %.*s -> root v%lld, timestamp v%lld, snapshot v%lld, %zu targets roles\n",
                (int)(kind.n > 64 ? 64 : kind.n), (const char *)kind.p, (long long)t->root->version,
                t->timestamp ? (long long)t->timestamp->version : 0LL,
                t->snapshot ? (long long)t->snapshot->version : 0LL, t->ndelegated);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tuf_trusted *t = NULL;
    size_t rlen = sizeof(fuzz_trusted_root) - 1;
    int rc = tuf_trusted_new(&t, fuzz_dup((const uint8_t *)fuzz_trusted_root, rlen), rlen, FUZZ_NOW, NULL);
    FUZZ_CHECK(rc == 0);

    fuzz_part parts[FUZZ_MAX_PARTS];
    size_t n = fuzz_split(data, size, parts);
    for (size_t i = 0; i < n; i++) {
        fuzz_part kind, doc;
        fuzz_first_line(parts[i], &kind, &doc);
        if (fuzz_is(kind, "root")) {
            on_root(t, doc);
        } else if (fuzz_is(kind, "check-root")) {
            rc = tuf_trusted_check_root(t, NULL);
            FUZZ_CHECK(rc == 0 || rc == RAMPART_EEXPIRED);
            FUZZ_CHECK((rc == 0) == (FUZZ_NOW < t->root->expires));
        } else if (fuzz_is(kind, "timestamp") || fuzz_is(kind, "local-timestamp")) {
            on_timestamp(t, doc, kind.p[0] == 'l');
        } else if (fuzz_is(kind, "snapshot") || fuzz_is(kind, "local-snapshot")) {
            on_snapshot(t, doc, kind.p[0] == 'l');
        } else if (fuzz_is(kind, "targets")) {
            on_targets(t, "targets", NULL, doc);
        } else if (kind.n > 10 && kind.n < 256 && memcmp(kind.p, "delegated ", 10) == 0) {
            char name[256];
            memcpy(name, kind.p + 10, kind.n - 10);
            name[kind.n - 10] = '\0';
            if (strlen(name) != kind.n - 10)
                continue; /* a NUL inside: not a name */
            bool found;
            const tuf_md *delegator = find_delegator(t, name, &found);
            if (found)
                on_targets(t, name, delegator, doc);
        }
        trace(kind, t);
    }
    tuf_trusted_free(t);
    return 0;
}
