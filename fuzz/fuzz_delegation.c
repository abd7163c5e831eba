/*
 * fuzz_delegation.c - which role may speak for a target path: delegation
 * "paths" globs, "path_hash_prefixes", TAP 15 succinct hash bins, and the
 * target search of TUF §5.6.7 (tuf/delegsearch.c, the iterator the client
 * drives) over a delegation graph built from the input.
 *
 * Input: documents separated by FUZZ_SEP.  The first is "paths" followed by
 * one target path per line; each other is a role name on its first line
 * and that role's targets metadata (parsed as TUF_TARGETS; signatures are
 * not the point here and are not checked).  "targets" is the top role.
 *
 * Invariants:
 *  - tuf_glob_match agrees with a reference matcher written from the rules
 *    in match.h (split at '/' into as many segments; in each, '*', '?',
 *    brackets over code points, an unclosed '[' literal, "[!...]" negates,
 *    "a-z" ranges);
 *  - tuf_delegation_covers agrees with the patterns / prefixes by hand;
 *  - a succinct bin computed for a path is one of the delegator's bins,
 *    with ceil(bit_length/4) hex digits and a number below 2^bit_length;
 *  - the search, run for each path with a limit of 32 roles and with a
 *    small one, asks for exactly the roles, in the same order, through the
 *    same delegators, and ends the same way (found in the same role, or the
 *    same reason) as a recursive model written from the steps of §5.6.7;
 *    a role it cannot get (not in the input) ends both, as a failed
 *    download ends the client's search;
 *  - whatever the model says: it never asks for more roles than the limit
 *    nor for a role twice, every role it asks for is delegated by the
 *    delegator it names through an entry that covers the path (or is the
 *    delegator's TAP 15 bin for it), and a target it finds is the entry for
 *    exactly that path.
 */
#include "fuzz_common.h"
#include "tuf/delegsearch.h"
#include "tuf/match.h"
#include "tuf/md.h"
#include "util/banned.h"

#define MAX_ROLES 12
#define MAX_VISITS 32
#define MAX_PATHS 8

typedef struct role {
    char name[64];
    tuf_md *md;
} role;

/* ---- reference glob matcher --------------------------------------------- */

/* Decodes s into code points (strict UTF-8; a byte that is not part of a
 * valid sequence counts as 0x110000 + byte).  Returns the count. */
static size_t ref_decode(const uint8_t *s, size_t n, uint32_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        uint8_t c = s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        uint32_t cp = 0;
        bool ok = len > 0 && i + len <= n;
        for (size_t j = 0; ok && j < len; j++) {
            if (j > 0 && (s[i + j] & 0xC0) != 0x80)
                ok = false;
            cp = j == 0 ? (uint32_t)(c & (0x7F >> len)) : (cp << 6) | (s[i + j] & 0x3F);
        }
        if (ok && len == 1)
            cp = c;
        /* shortest form, no surrogates, at most U+10FFFF */
        ok = ok && !(len == 2 && cp < 0x80) && !(len == 3 && cp < 0x800) && !(len == 4 && cp < 0x10000) &&
             !(cp >= 0xD800 && cp <= 0xDFFF) && cp <= 0x10FFFF;
        out[k++] = ok ? cp : 0x110000u + c;
        i += ok ? len : 1;
    }
    return k;
}

/* A bracket at p[i] == '[' (p: n code points of one segment).  False when
 * no ']' closes it; else *end is past the ']' and *hit says whether c is in
 * the set: '!' first negates, ']' first is a member, "x-y" a range (a '-'
 * with nothing after it before the ']' is a member). */
static bool ref_bracket(const uint32_t *p, size_t n, size_t i, uint32_t c, size_t *end, bool *hit)
{
    size_t j = i + 1;
    bool negate = j < n && p[j] == '!';
    if (negate)
        j++;
    size_t close = j < n && p[j] == ']' ? j + 1 : j;
    while (close < n && p[close] != ']')
        close++;
    if (close >= n)
        return false;
    bool in = false;
    while (j < close) {
        if (j + 2 < close && p[j + 1] == '-') {
            in = in || (p[j] <= c && c <= p[j + 2]);
            j += 3;
        } else {
            in = in || p[j] == c;
            j++;
        }
    }
    *end = close + 1;
    *hit = in != negate;
    return true;
}

/* memo[pi * (sn + 1) + si]: 0 unknown, 1 no, 2 yes (one segment each). */
static bool ref_seg_at(const uint32_t *p, size_t pn, const uint32_t *s, size_t sn, size_t pi, size_t si, uint8_t *memo)
{
    uint8_t *m = &memo[pi * (sn + 1) + si];
    if (*m)
        return *m == 2;
    bool r;
    if (pi == pn) {
        r = si == sn;
    } else if (p[pi] == '*') {
        r = ref_seg_at(p, pn, s, sn, pi + 1, si, memo) || (si < sn && ref_seg_at(p, pn, s, sn, pi, si + 1, memo));
    } else if (si == sn) {
        r = false;
    } else if (p[pi] == '?') {
        r = ref_seg_at(p, pn, s, sn, pi + 1, si + 1, memo);
    } else {
        size_t end;
        bool hit;
        if (p[pi] == '[' && ref_bracket(p, pn, pi, s[si], &end, &hit))
            r = hit && ref_seg_at(p, pn, s, sn, end, si + 1, memo);
        else
            r = p[pi] == s[si] && ref_seg_at(p, pn, s, sn, pi + 1, si + 1, memo);
    }
    *m = r ? 2 : 1;
    return r;
}

/* TUF 4.5 PATHPATTERN the way python-tuf reads it: split pattern and path
 * at '/', as many segments, each matched whole as an fnmatch pattern. */
static bool ref_glob(rslice pat, rslice path)
{
    if (pat.n > 256 || path.n > 256)
        return tuf_glob_match(pat, path); /* bounded work: only short ones */
    uint32_t p[256], s[256];
    size_t pn = ref_decode(pat.p, pat.n, p), sn = ref_decode(path.p, path.n, s);
    size_t pi = 0, si = 0;
    for (;;) {
        size_t pe = pi, se = si;
        while (pe < pn && p[pe] != '/')
            pe++;
        while (se < sn && s[se] != '/')
            se++;
        static uint8_t memo[257 * 257];
        memset(memo, 0, (pe - pi + 1) * (se - si + 1));
        if (!ref_seg_at(p + pi, pe - pi, s + si, se - si, 0, 0, memo))
            return false;
        if ((pe == pn) != (se == sn))
            return false;
        if (pe == pn)
            return true;
        pi = pe + 1;
        si = se + 1;
    }
}

/* ---- coverage and bins ----------------------------------------------------- */

static bool covers_by_hand(const tuf_md *md, const tuf_delegation *dr, rslice path, const tuf_path_hash *ph)
{
    const jdoc *d = md->doc;
    if (dr->paths != JD_NONE) {
        for (jd_ref s = jdoc_first(d, dr->paths); s != JD_NONE; s = jdoc_next(d, s))
            if (ref_glob(jdoc_str(d, s), path))
                return true;
        return false;
    }
    for (jd_ref s = jdoc_first(d, dr->path_hash_prefixes); s != JD_NONE; s = jdoc_next(d, s)) {
        rslice pre = jdoc_str(d, s);
        if (pre.n <= 64 && memcmp(ph->hex, pre.p, pre.n) == 0)
            return true;
    }
    return false;
}

static void check_bin(const tuf_succinct *sc, const tuf_path_hash *ph, rbuf *bin)
{
    int rc = tuf_succinct_role_for(sc, ph, bin);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_ETOOLARGE);
    if (rc != 0)
        return;
    rslice b = rbuf_slice(bin);
    size_t digits = (sc->bit_length + 3) / 4;
    FUZZ_CHECK(b.n == sc->name_prefix.n + 1 + digits);
    FUZZ_CHECK(tuf_succinct_is_role(sc, b));
    uint32_t first =
        (uint32_t)ph->digest[0] << 24 | (uint32_t)ph->digest[1] << 16 | (uint32_t)ph->digest[2] << 8 | ph->digest[3];
    uint64_t want = (uint64_t)first >> (32 - sc->bit_length);
    uint64_t got = strtoull((const char *)b.p + sc->name_prefix.n + 1, NULL, 16);
    FUZZ_CHECK(got == want);
}

/* ---- the search ------------------------------------------------------------- */

static const tuf_md *lookup(const role *roles, size_t n, rslice name)
{
    for (size_t i = 0; i < n; i++)
        if (rslice_eq_cstr(name, roles[i].name))
            return roles[i].md;
    return NULL;
}

/* How a search ended. */
typedef enum ending { END_FOUND, END_UNLISTED, END_TERMINATED, END_LIMIT, END_MISSING } ending;

/* One role asked for. */
typedef struct request {
    rbuf name;
    const tuf_md *delegator;
    unsigned depth;
} request;

/* The model: §5.6.7 read as a recursion over the delegations. */
typedef struct model {
    const role *roles;
    size_t nroles, limit;
    rslice path;
    tuf_path_hash ph;
    request req[MAX_VISITS];
    size_t nreq;
    const tuf_md *found;
} model;

typedef enum mres { M_GO_ON, M_STOP } mres;

static mres model_role(model *m, rslice name, const tuf_md *delegator, unsigned depth, ending *end);

/* TUF 5.6.7.2: the delegations of `md`, in order; 5.6.7.2.1: after a
 * terminating one, stop. */
static mres model_children(model *m, const tuf_md *md, unsigned depth, ending *end)
{
    if (!md->has_delegations)
        return M_GO_ON;
    if (md->has_succinct) {
        rbuf bin;
        rbuf_init(&bin, SIZE_MAX);
        FUZZ_CHECK(tuf_succinct_role_for(&md->succinct, &m->ph, &bin) == 0);
        mres r = model_role(m, rbuf_slice(&bin), md, depth + 1, end);
        rbuf_free(&bin);
        if (r == M_STOP)
            return M_STOP;
        *end = END_TERMINATED; /* TAP 15: bins are terminating */
        return M_STOP;
    }
    for (size_t i = 0; i < md->ndelegations; i++) {
        const tuf_delegation *dr = &md->delegations[i];
        if (!covers_by_hand(md, dr, m->path, &m->ph))
            continue;
        if (model_role(m, dr->auth.name, md, depth + 1, end) == M_STOP)
            return M_STOP;
        if (dr->terminating) {
            *end = END_TERMINATED;
            return M_STOP;
        }
    }
    return M_GO_ON;
}

/* TUF 5.6.7.1: skip a role visited before; stop at the limit; stop when
 * the role lists the target; else search its delegations. */
static mres model_role(model *m, rslice name, const tuf_md *delegator, unsigned depth, ending *end)
{
    for (size_t i = 0; i < m->nreq; i++)
        if (rslice_eq(rbuf_slice(&m->req[i].name), name))
            return M_GO_ON;
    if (m->nreq == m->limit) {
        *end = END_LIMIT;
        return M_STOP;
    }
    request *q = &m->req[m->nreq++];
    rbuf_init(&q->name, SIZE_MAX);
    FUZZ_CHECK(rbuf_append(&q->name, name.p, name.n) == 0);
    q->delegator = delegator;
    q->depth = depth;
    const tuf_md *md = lookup(m->roles, m->nroles, name);
    if (md == NULL) {
        *end = END_MISSING;
        return M_STOP;
    }
    tuf_targetfile tf;
    if (tuf_md_target(md, m->path, &tf) == 0) {
        m->found = md;
        *end = END_FOUND;
        return M_STOP;
    }
    return model_children(m, md, depth, end);
}

/* The properties of one NEED step, whatever the model says. */
static void check_need(const tuf_ds_result *r, const tuf_ds_result *prev, rslice path, const tuf_path_hash *ph,
                       size_t limit)
{
    FUZZ_CHECK(r->visited >= 1 && r->visited <= limit);
    FUZZ_CHECK(r->visited == (prev ? prev->visited + 1 : 1));
    if (r->delegator == NULL) {
        FUZZ_CHECK(r->depth == 0 && r->dr == NULL && tuf_ds_name_is(r->name, rslice_cstr("targets")));
        return;
    }
    FUZZ_CHECK(r->depth >= 1);
    const tuf_md *d = r->delegator;
    if (r->dr == NULL) {
        FUZZ_CHECK(d->has_succinct);
        rbuf name;
        rbuf_init(&name, SIZE_MAX);
        FUZZ_CHECK(tuf_ds_name_append(r->name, &name) == 0);
        FUZZ_CHECK(tuf_succinct_is_role(&d->succinct, rbuf_slice(&name)));
        rbuf_free(&name);
        return;
    }
    FUZZ_CHECK(r->dr >= d->delegations && r->dr < d->delegations + d->ndelegations);
    FUZZ_CHECK(tuf_ds_name_is(r->name, r->dr->auth.name));
    FUZZ_CHECK(tuf_delegation_covers(d, r->dr, path, ph));
}

/* Runs the iterator for `path` with at most `limit` roles and compares
 * every step with the model. */
static void search(const role *roles, size_t nroles, rslice path, size_t limit)
{
    model m = {.roles = roles, .nroles = nroles, .limit = limit, .path = path};
    FUZZ_CHECK(tuf_path_hash_compute(path, &m.ph) == 0);
    ending want = END_UNLISTED; /* unless the model stops before the end */
    (void)model_role(&m, rslice_cstr("targets"), NULL, 0, &want);

    tuf_ds_slot slots[MAX_VISITS];
    tuf_delegsearch s;
    FUZZ_CHECK(tuf_delegsearch_init(&s, path, slots, limit) == 0);
    tuf_ds_result r, prev = {0};
    size_t asked = 0;
    bool missing = false;
    for (;;) {
        FUZZ_CHECK(tuf_delegsearch_next(&s, &r) == 0);
        if (r.step != TUF_DS_NEED)
            break;
        check_need(&r, asked ? &prev : NULL, path, &m.ph, limit);
        FUZZ_CHECK(asked < m.nreq);
        const request *q = &m.req[asked];
        FUZZ_CHECK(tuf_ds_name_is(r.name, rbuf_slice(&q->name)));
        FUZZ_CHECK(r.delegator == q->delegator && r.depth == q->depth);
        for (size_t i = 0; i < asked; i++)
            FUZZ_CHECK(!tuf_ds_name_is(r.name, rbuf_slice(&m.req[i].name)));
        asked++;
        prev = r;
        rbuf name;
        rbuf_init(&name, SIZE_MAX);
        FUZZ_CHECK(tuf_ds_name_append(r.name, &name) == 0);
        const tuf_md *md = lookup(roles, nroles, rbuf_slice(&name));
        rbuf_free(&name);
        if (md == NULL) {
            missing = true; /* like a role that cannot be downloaded: the search ends */
            break;
        }
        FUZZ_CHECK(tuf_delegsearch_give(&s, md) == 0);
    }
    ending got = END_MISSING;
    if (missing) {
        FUZZ_CHECK(r.step == TUF_DS_NEED);
    } else if (r.step == TUF_DS_FOUND) {
        got = END_FOUND;
        FUZZ_CHECK(asked > 0 && r.md == lookup(roles, nroles, rbuf_slice(&m.req[asked - 1].name)));
        FUZZ_CHECK(rslice_eq(r.target.path, path) && r.target.length >= 0);
        FUZZ_CHECK(r.md == m.found && r.depth == prev.depth && r.delegator == prev.delegator);
    } else if (r.step == TUF_DS_NOTFOUND) {
        got = r.reason == TUF_DS_UNLISTED ? END_UNLISTED : r.reason == TUF_DS_TERMINATED ? END_TERMINATED : END_LIMIT;
        FUZZ_CHECK(r.reason == TUF_DS_UNLISTED || r.reason == TUF_DS_TERMINATED || r.reason == TUF_DS_LIMIT);
        FUZZ_CHECK(r.visited == asked);
        /* The limit ends a search only when every slot is in use. */
        FUZZ_CHECK(r.reason != TUF_DS_LIMIT || asked == limit);
    } else {
        FUZZ_CHECK(!"a step that is neither NEED, FOUND nor NOTFOUND");
    }
    FUZZ_CHECK(asked == m.nreq);
    FUZZ_CHECK(got == want);
    for (size_t i = 0; i < m.nreq; i++)
        rbuf_free(&m.req[i].name);
}

/* Every succinct delegator's bin for `path` (TAP 15). */
static void check_bins(const role *roles, size_t nroles, rslice path)
{
    tuf_path_hash ph;
    FUZZ_CHECK(tuf_path_hash_compute(path, &ph) == 0);
    for (size_t i = 0; i < nroles; i++) {
        if (!roles[i].md->has_succinct)
            continue;
        rbuf b;
        rbuf_init(&b, 1024);
        check_bin(&roles[i].md->succinct, &ph, &b);
        rbuf_free(&b);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_part parts[FUZZ_MAX_PARTS];
    size_t n = fuzz_split(data, size, parts);
    fuzz_part head, list;
    fuzz_first_line(parts[0], &head, &list);
    if (!fuzz_is(head, "paths"))
        return 0;

    role roles[MAX_ROLES];
    size_t nroles = 0;
    for (size_t i = 1; i < n && nroles < MAX_ROLES; i++) {
        fuzz_part name, doc;
        fuzz_first_line(parts[i], &name, &doc);
        if (name.n == 0 || name.n >= sizeof(roles[0].name) || memchr(name.p, 0, name.n) != NULL)
            continue;
        tuf_md *md = NULL;
        if (tuf_md_parse(&md, fuzz_dup(doc.p, doc.n), doc.n, true, 1u << 20, TUF_TARGETS, NULL, NULL) != 0)
            continue;
        memcpy(roles[nroles].name, name.p, name.n);
        roles[nroles].name[name.n] = '\0';
        roles[nroles++].md = md;
    }

    /* Each path line: the search, and every pattern of every role against it. */
    size_t npaths = 0;
    while (npaths < MAX_PATHS) {
        fuzz_part path, rest;
        fuzz_first_line(list, &path, &rest);
        rslice p = RSLICE(path.p, path.n);
        check_bins(roles, nroles, p);
        search(roles, nroles, p, MAX_VISITS);
        /* A small limit too, from the path's first byte (1..6 roles). */
        search(roles, nroles, p, p.n ? 1 + p.p[0] % 6 : 1);
        for (size_t r = 0; r < nroles; r++) {
            const tuf_md *md = roles[r].md;
            for (size_t i = 0; i < md->ndelegations; i++) {
                const tuf_delegation *dr = &md->delegations[i];
                if (dr->paths == JD_NONE)
                    continue;
                for (jd_ref s = jdoc_first(md->doc, dr->paths); s != JD_NONE; s = jdoc_next(md->doc, s)) {
                    rslice pat = jdoc_str(md->doc, s);
                    bool got = tuf_glob_match(pat, p), want = ref_glob(pat, p);
                    if (got != want) {
                        fprintf(stderr, "glob \"%.*s\" on \"%.*s\": tuf_glob_match %d, reference %d\n", (int)pat.n,
                                (const char *)pat.p, (int)p.n, (const char *)p.p, got, want);
                        abort();
                    }
                }
            }
        }
        npaths++;
        if (rest.n == 0)
            break;
        list = rest;
    }
    for (size_t r = 0; r < nroles; r++)
        tuf_md_free(roles[r].md);
    return 0;
}
