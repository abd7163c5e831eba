/* tuf_checks.c - the checks of a TUF repository (docs/assess.md, "TUF
 * repositories"): one row per check in ta_rules, one function per group,
 * computed from the metadata already read (no I/O). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "assess/tuf_assess.h"
#include "keys/keys.h"
#include "keys/scheme.h"
#include "util/banned.h"

const rassess_rule ta_rules[TA_NRULES] = {
    [TA_VERIFY] = {"TUF-VERIFY", RQ_S | RQ_M, "Metadata verifies as a TUF client checks it",
                   "Publish metadata that verifies: every role signed by its threshold and matching its parent"},
    [TA_ROOT_THRESHOLD] = {"TUF-ROOT-THRESHOLD", RQ_S | RQ_M, "Root signature threshold and key count",
                           "Sign root with a threshold of at least 2 of 3 or more offline keys"},
    [TA_ONLINE_KEYS] = {"TUF-ONLINE-KEYS", RQ_S, "Online keys (timestamp, snapshot) cannot sign root or targets",
                        "Give root and targets their own offline keys, never the timestamp or snapshot keys"},
    [TA_KEY_TYPES] = {"TUF-KEY-TYPES", RQ_S, "Key types and sizes",
                      "Use ed25519, ECDSA P-256 or RSA keys of at least 3072 bits"},
    [TA_KEY_REUSE] = {"TUF-KEY-REUSE", RQ_S, "Keys are not shared between roles",
                      "Give each role its own keys, so one stolen key opens one role only"},
    [TA_EXPIRY] = {"TUF-EXPIRY", RQ_M, "Time left before each role expires",
                   "Re-sign roles before they expire (rampart repo refresh on a schedule)"},
    [TA_WINDOW] = {"TUF-EXPIRY-WINDOW", RQ_M, "Expiry windows short enough to limit freeze attacks",
                   "Shorten expiry periods: timestamp a day to a week, snapshot up to 30 days, root up to a year"},
    [TA_HASHES] = {"TUF-HASH-ALGORITHMS", RQ_H, "Hash algorithms of metadata and targets",
                   "List SHA-256 or SHA-512 hashes for every file; drop MD5 and SHA-1"},
    [TA_CONSISTENT] = {"TUF-CONSISTENT-SNAPSHOT", RQ_M, "Consistent snapshots",
                       "Enable consistent snapshots, so clients never mix files of two releases"},
    [TA_DELEGATIONS] = {"TUF-DELEGATIONS", RQ_S | RQ_M, "Delegation scope, thresholds and keys",
                        "Scope delegations to the paths each signer owns, with thresholds its keys can meet"},
    [TA_SPEC] = {"TUF-SPEC-VERSION", RQ_M, "TUF specification version", "Publish metadata of TUF specification 1.x"},
    [TA_HTTPS] = {"TUF-HTTPS", RQ_T, "Metadata served over HTTPS", "Serve the repository over HTTPS only"},
    [TA_PROVENANCE] = {"TUF-PROVENANCE", RQ_P, "Targets with bound release provenance",
                       "Publish every release with its provenance (rampart repo add --provenance)"},
    [TA_SLSA] = {"TUF-SLSA-LEVEL", RQ_P, "SLSA build level of the builders named in provenance",
                 "Build releases on a builder with a published SLSA Build level (L3: hosted, isolated) or one the "
                 "assessor has reviewed (--builders), each attestation signed by the builder it names"},
    [TA_TLOG] = {"TUF-TRANSPARENCY-LOG", RQ_P, "Releases recorded in a transparency log",
                 "Record each release in a transparency log cosigned by a quorum of independent witnesses, and "
                 "assess it with --log-policy FILE (the log's key and the witnesses you trust)"},
};

/* ---- evidence helpers ---------------------------------------------------------- */

void ta_ev_init(ta_ev *v)
{
    rassess_ev_init(v);
}

void ta_note(ta_ev *v, rampart_check_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rassess_vnote(v, st, fmt, ap);
    va_end(ap);
}

int ta_emit(rampart_assessment *a, int rule, ta_ev *v, const char *location)
{
    return rassess_emit(a, &ta_rules[rule], v, location);
}

/* The first 16 characters of a keyid, for evidence. */
#define KID(s) (int)((s).n < 16 ? (s).n : 16), (const char *)(s).p

/* ---- keys ------------------------------------------------------------------------ */

static bool has_keyid(const tuf_role_auth *r, rslice id)
{
    for (size_t i = 0; i < r->nkeyids; i++)
        if (rslice_eq(r->keyids[i], id))
            return true;
    return false;
}

static const char *const TOP[4] = {"root", "timestamp", "snapshot", "targets"};

static void root_threshold(const ta_set *s, ta_ev *v)
{
    const tuf_role_auth *r = tuf_root_role(s->root, TUF_ROOT);
    long long t = (long long)r->threshold, n = (long long)r->nkeyids;
    /* Rampart's choice (docs/assess.md): 2-of-3 survives one lost and one stolen key. */
    rampart_check_status st = RAMPART_CHECK_PASS;
    if (t > n)
        st = RAMPART_CHECK_CRITICAL;
    else if (n == 1)
        st = RAMPART_CHECK_FAIL;
    else if (t == 1 || n < 3)
        st = RAMPART_CHECK_WARN;
    ta_note(v, st, "root version %lld: threshold %lld of %lld key(s)%s", (long long)s->root->version, t, n,
            t > n ? " (can never be met)" : "");
}

/* TUF specification §6.1: timestamp and snapshot keys are online; an
 * online key that can sign root or targets gives a server thief the repository. */
static void online_keys(const ta_set *s, ta_ev *v)
{
    static const tuf_type online[2] = {TUF_TIMESTAMP, TUF_SNAPSHOT};
    static const tuf_type offline[2] = {TUF_ROOT, TUF_TARGETS};
    for (size_t i = 0; i < 2; i++) {
        const tuf_role_auth *on = tuf_root_role(s->root, online[i]);
        for (size_t k = 0; k < on->nkeyids; k++)
            for (size_t j = 0; j < 2; j++)
                if (has_keyid(tuf_root_role(s->root, offline[j]), on->keyids[k]))
                    ta_note(v, RAMPART_CHECK_FAIL, "%s key %.*s... can also sign %s", TOP[online[i]],
                            KID(on->keyids[k]), TOP[offline[j]]);
    }
    if (v->b.len == 0)
        ta_note(v, RAMPART_CHECK_PASS, "no timestamp or snapshot key is a root or targets key");
}

static void key_type(ta_ev *v, const tuf_key *k, const char *where)
{
    if (k->key == NULL) {
        ta_note(v, RAMPART_CHECK_FAIL, "%s key %.*s...: unsupported type '%.*s' / scheme '%.*s'", where, KID(k->keyid),
                (int)k->keytype.n, (const char *)k->keytype.p, (int)k->scheme.n, (const char *)k->scheme.p);
        return;
    }
    rkey_scheme sc = rkey_get_scheme(k->key);
    unsigned bits = rkey_bits(k->key);
    rampart_check_status st = RAMPART_CHECK_PASS;
    /* NIST SP 800-57 part 1: RSA-2048 is 112-bit security, acceptable
     * through 2030; 3072 bits for 128-bit security. */
    if (sc == RKEY_RSA_PSS_SHA256 && bits < 3072)
        st = bits < 2048 ? RAMPART_CHECK_FAIL : RAMPART_CHECK_WARN;
    if (st != RAMPART_CHECK_PASS)
        ta_note(v, st, "%s key %.*s...: %s %u bits", where, KID(k->keyid), rkey_scheme_name(sc), bits);
}

static void key_types(const ta_set *s, ta_ev *v)
{
    size_t n = 0;
    for (size_t i = 0; i < s->root->keys.n; i++, n++)
        key_type(v, &s->root->keys.keys[i], "root-listed");
    const tuf_md *mds[TA_MAX_ROLES + TA_MAX_BINS + 1];
    size_t nm = 0;
    if (s->targets != NULL)
        mds[nm++] = s->targets;
    for (size_t i = 0; i < s->nroles; i++)
        if (s->roles[i].md != NULL)
            mds[nm++] = s->roles[i].md;
    for (size_t m = 0; m < nm; m++)
        for (size_t i = 0; i < mds[m]->keys.n; i++, n++)
            key_type(v, &mds[m]->keys.keys[i], "delegated");
    if (v->st == RAMPART_CHECK_PASS)
        ta_note(v, RAMPART_CHECK_PASS, "%zu key(s), all ed25519, ECDSA P-256 or RSA of 3072 bits or more", n);
}

/* Keys shared between root and targets, or between timestamp and snapshot
 * (online keys shared with offline roles are TUF-ONLINE-KEYS'). */
static void key_reuse(const ta_set *s, ta_ev *v)
{
    static const tuf_type pairs[2][2] = {{TUF_ROOT, TUF_TARGETS}, {TUF_TIMESTAMP, TUF_SNAPSHOT}};
    for (size_t p = 0; p < 2; p++) {
        const tuf_role_auth *a = tuf_root_role(s->root, pairs[p][0]);
        for (size_t k = 0; k < a->nkeyids; k++)
            if (has_keyid(tuf_root_role(s->root, pairs[p][1]), a->keyids[k]))
                ta_note(v, RAMPART_CHECK_WARN, "key %.*s... signs both %s and %s", KID(a->keyids[k]), TOP[pairs[p][0]],
                        TOP[pairs[p][1]]);
    }
    if (s->targets != NULL)
        for (size_t i = 0; i < s->targets->keys.n; i++)
            for (int t = 0; t < 4; t++)
                if (has_keyid(tuf_root_role(s->root, (tuf_type)t), s->targets->keys.keys[i].keyid))
                    ta_note(v, RAMPART_CHECK_WARN, "delegation key %.*s... also signs %s",
                            KID(s->targets->keys.keys[i].keyid), TOP[t]);
    if (v->b.len == 0)
        ta_note(v, RAMPART_CHECK_PASS, "every top-level role has its own keys");
}

int ta_check_keys(rampart_assessment *a, const ta_set *s)
{
    ta_ev v;
    int rc = 0;
    void (*const fns[4])(const ta_set *, ta_ev *) = {root_threshold, online_keys, key_types, key_reuse};
    static const int rules[4] = {TA_ROOT_THRESHOLD, TA_ONLINE_KEYS, TA_KEY_TYPES, TA_KEY_REUSE};
    for (size_t i = 0; i < 4 && rc == 0; i++) {
        ta_ev_init(&v);
        fns[i](s, &v);
        rc = ta_emit(a, rules[i], &v, s->where);
    }
    return rc;
}

/* ---- expiry ------------------------------------------------------------------------ */

#define DAY 86400LL

/* Expiry windows, in days (docs/assess.md; Rampart's choice, after the
 * defaults of Rampart and tuf-on-ci): pass up to the first, warn up to the
 * second, fail beyond. */
typedef struct window_rule {
    const char *role;
    long long pass_days, warn_days;
    long long soon_days; /* warn when less than this is left (0: never) */
} window_rule;

static const window_rule WINDOWS[] = {
    {"timestamp", 7, 30, 0}, {"snapshot", 30, 365, 0},   {"targets", 366, 731, 7},
    {"root", 366, 731, 7},   {"delegated", 366, 731, 7},
};

/* `quiet`: only what does not pass is noted (hash bins: hundreds of them). */
static void expiry_of(const ta_set *s, const tuf_md *md, const char *name, const window_rule *w, ta_ev *left,
                      ta_ev *win, bool quiet)
{
    long long d = (long long)(md->expires - s->now);
    if (quiet && d > 0 && (w->soon_days == 0 || d >= w->soon_days * DAY) && d <= w->pass_days * DAY)
        return;
    if (d <= 0)
        ta_note(left, RAMPART_CHECK_FAIL, "%s expired %lld day(s) ago", name, (-d) / DAY);
    else if (w->soon_days > 0 && d < w->soon_days * DAY)
        ta_note(left, RAMPART_CHECK_WARN, "%s expires in %lld hour(s)", name, d / 3600);
    else if (d < DAY)
        ta_note(left, RAMPART_CHECK_PASS, "%s: %lld hour(s) left", name, d / 3600);
    else
        ta_note(left, RAMPART_CHECK_PASS, "%s: %lld day(s) left", name, d / DAY);
    if (d <= 0)
        return;
    rampart_check_status st = RAMPART_CHECK_PASS;
    if (d > w->warn_days * DAY)
        st = RAMPART_CHECK_FAIL;
    else if (d > w->pass_days * DAY)
        st = RAMPART_CHECK_WARN;
    ta_note(win, st, "%s valid for %lld more day(s) (pass up to %lld, fail beyond %lld)", name, (d + DAY - 1) / DAY,
            w->pass_days, w->warn_days);
}

int ta_check_expiry(rampart_assessment *a, const ta_set *s)
{
    ta_ev left, win;
    ta_ev_init(&left);
    ta_ev_init(&win);
    const tuf_md *top[4] = {s->ts, s->snap, s->targets, s->root};
    for (size_t i = 0; i < 4; i++)
        if (top[i] != NULL)
            expiry_of(s, top[i], WINDOWS[i].role, &WINDOWS[i], &left, &win, false);
    size_t bins = 0;
    for (size_t i = 0; i < s->nroles; i++)
        if (s->roles[i].md != NULL) {
            expiry_of(s, s->roles[i].md, s->roles[i].name, &WINDOWS[4], &left, &win, s->roles[i].bin);
            bins += s->roles[i].bin;
        }
    if (bins > 0) {
        ta_note(&left, RAMPART_CHECK_PASS, "%zu hash bin(s) read (only those with a finding named)", bins);
        ta_note(&win, RAMPART_CHECK_PASS, "%zu hash bin(s) read (only those with a finding named)", bins);
    }
    int rc = ta_emit(a, TA_EXPIRY, &left, s->where);
    if (rc != 0) {
        rbuf_free(&win.b);
        return rc;
    }
    return ta_emit(a, TA_WINDOW, &win, s->where);
}

/* ---- hashes ------------------------------------------------------------------------ */

typedef struct hash_tally {
    size_t entries, weak_only, mixed, unknown;
} hash_tally;

static int alg_class(rslice name)
{
    static const char *const strong[] = {"sha256", "sha384", "sha512", "sha512-256", "sha3-256", "sha3-512"};
    static const char *const weak[] = {"md5", "sha1", "sha224"};
    for (size_t i = 0; i < sizeof(strong) / sizeof(strong[0]); i++)
        if (rslice_eq_cstr(name, strong[i]))
            return 2;
    for (size_t i = 0; i < sizeof(weak) / sizeof(weak[0]); i++)
        if (rslice_eq_cstr(name, weak[i]))
            return 1;
    return 0;
}

static void tally_hashes(const tuf_md *md, jd_ref hashes, hash_tally *t)
{
    const jdoc *d = md->doc;
    if (hashes == JD_NONE || jdoc_type(d, hashes) != JD_OBJECT)
        return;
    size_t strong = 0, weak = 0, unknown = 0;
    for (jd_ref k = jdoc_first(d, hashes); k != JD_NONE; k = jdoc_next_key(d, k)) {
        int c = alg_class(jdoc_str(d, k));
        strong += c == 2;
        weak += c == 1;
        unknown += c == 0;
    }
    t->entries++;
    t->weak_only += strong == 0 && weak > 0;
    t->mixed += strong > 0 && weak > 0;
    t->unknown += unknown > 0;
}

/* Every "hashes" object under each member of `obj` (snapshot meta, targets). */
static void tally_object(const tuf_md *md, jd_ref obj, hash_tally *t)
{
    const jdoc *d = md->doc;
    if (obj == JD_NONE || jdoc_type(d, obj) != JD_OBJECT)
        return;
    for (jd_ref k = jdoc_first(d, obj); k != JD_NONE; k = jdoc_next_key(d, k))
        tally_hashes(md, jdoc_get(d, jdoc_value(k), "hashes"), t);
}

int ta_check_hashes(rampart_assessment *a, const ta_set *s)
{
    hash_tally t = {0};
    if (s->ts != NULL)
        tally_hashes(s->ts, s->ts->snapshot_meta.hashes, &t);
    if (s->snap != NULL)
        tally_object(s->snap, s->snap->meta, &t);
    if (s->targets != NULL)
        tally_object(s->targets, s->targets->targets, &t);
    for (size_t i = 0; i < s->nroles; i++)
        if (s->roles[i].md != NULL)
            tally_object(s->roles[i].md, s->roles[i].md->targets, &t);
    ta_ev v;
    ta_ev_init(&v);
    /* apt's hashes.cc treats MD5 and SHA-1 as unusable for verification;
     * an entry with only those has no usable hash. */
    if (t.weak_only > 0)
        ta_note(&v, RAMPART_CHECK_FAIL, "%zu entr(y/ies) with only MD5/SHA-1/SHA-224 hashes", t.weak_only);
    if (t.mixed > 0)
        ta_note(&v, RAMPART_CHECK_WARN, "%zu entr(y/ies) also list MD5/SHA-1/SHA-224", t.mixed);
    if (t.unknown > 0)
        ta_note(&v, RAMPART_CHECK_WARN, "%zu entr(y/ies) list an unknown algorithm", t.unknown);
    if (t.entries == 0)
        ta_note(&v, RAMPART_CHECK_WARN, "no hashes found (no metadata or targets could be read)");
    else if (v.st == RAMPART_CHECK_PASS)
        ta_note(&v, RAMPART_CHECK_PASS, "%zu hashed entr(y/ies), all SHA-256 or stronger", t.entries);
    return ta_emit(a, TA_HASHES, &v, s->where);
}
