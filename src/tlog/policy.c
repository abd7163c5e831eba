/*
 * policy.c - C2SP tlog-policy files and the verification of a cosigned
 * checkpoint against one.  See policy.h.
 */
#include <string.h>

#include "tlog/policy.h"
#include "util/banned.h"

#define MAX_ITEMS (2 * TLOG_POLICY_MAX + 4)

void tlog_policy_free(tlog_policy *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->nlogs; i++) {
        tlog_vkey_free(p->log[i]);
        rampart_free(p->log_url[i]);
    }
    for (size_t i = 0; i < p->nwit; i++) {
        rampart_free(p->wit[i].name);
        tlog_vkey_free(p->wit[i].key);
        rampart_free(p->wit[i].url);
    }
    for (size_t i = 0; i < p->ngroups; i++)
        rampart_free(p->grp[i].name);
    rampart_free(p);
}

typedef struct pline {
    size_t no; /* line number, for messages */
    size_t n;
    rslice it[MAX_ITEMS];
} pline;

/* Splits a line into items separated by spaces and tabs. */
static int split_items(rslice l, pline *pl, rerr *e)
{
    pl->n = 0;
    size_t i = 0;
    while (i < l.n) {
        while (i < l.n && (l.p[i] == ' ' || l.p[i] == '\t'))
            i++;
        size_t start = i;
        while (i < l.n && l.p[i] != ' ' && l.p[i] != '\t')
            i++;
        if (i == start)
            break;
        if (pl->n >= MAX_ITEMS)
            return rerr_set(e, RAMPART_ETOOLARGE, NULL, "policy line %zu has too many items", pl->no);
        pl->it[pl->n++] = RSLICE(l.p + start, i - start);
    }
    return 0;
}

static char *dup_item(rslice s)
{
    return rampart_strndup((const char *)s.p, s.n);
}

/* The witness or group called `s`; false when none. */
static bool find_name(const tlog_policy *p, rslice s, tlog_policy_ref *out)
{
    for (size_t i = 0; i < p->nwit; i++)
        if (rslice_eq_cstr(s, p->wit[i].name)) {
            *out = (tlog_policy_ref){false, i};
            return true;
        }
    for (size_t i = 0; i < p->ngroups; i++)
        if (rslice_eq_cstr(s, p->grp[i].name)) {
            *out = (tlog_policy_ref){true, i};
            return true;
        }
    return false;
}

/* A new name for a witness or group: not "none", not defined yet. */
static int check_new_name(const tlog_policy *p, const pline *pl, rslice s, rerr *e)
{
    tlog_policy_ref r;
    if (rslice_eq_cstr(s, "none"))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "policy line %zu defines the reserved name 'none'", pl->no);
    if (memchr(s.p, 0, s.n) != NULL || find_name(p, s, &r))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "policy line %zu defines a name already defined", pl->no);
    return 0;
}

static int parse_key(const pline *pl, rslice s, uint8_t type, tlog_vkey **out, rerr *e)
{
    tlog_vkey *k = NULL;
    int rc = tlog_vkey_parse(&k, (const char *)s.p, s.n, e);
    if (rc != 0)
        return rc == RAMPART_ENOMEM ? rc : rerr_set(e, rc, NULL, "policy line %zu: %s", pl->no, e ? e->message : "");
    if (k->type != type) {
        uint8_t got = k->type;
        tlog_vkey_free(k);
        return rerr_set(e, RAMPART_EFORMAT, NULL, "policy line %zu: a %s key has signature type 0x%02x, not 0x%02x",
                        pl->no, type == TLOG_SIG_ED25519 ? "log" : "witness", got, type);
    }
    *out = k;
    return 0;
}

static int line_log(tlog_policy *p, const pline *pl, rerr *e)
{
    if (pl->n < 2 || pl->n > 3)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "policy line %zu: log <vkey> [<url>]", pl->no);
    if (p->nlogs >= TLOG_POLICY_MAX)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "policy has more than %d logs", TLOG_POLICY_MAX);
    tlog_vkey *k = NULL;
    int rc = parse_key(pl, pl->it[1], TLOG_SIG_ED25519, &k, e);
    if (rc != 0)
        return rc;
    /* tlog-policy: duplicate logs (the same public key) are not allowed. */
    for (size_t i = 0; i < p->nlogs; i++)
        if (tlog_vkey_same_key(p->log[i], k)) {
            tlog_vkey_free(k);
            return rerr_set(e, RAMPART_EFORMAT, NULL, "policy line %zu: a log key listed twice", pl->no);
        }
    char *url = pl->n == 3 ? dup_item(pl->it[2]) : NULL;
    if (pl->n == 3 && url == NULL) {
        tlog_vkey_free(k);
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    p->log[p->nlogs] = k;
    p->log_url[p->nlogs++] = url;
    return 0;
}

static int line_witness(tlog_policy *p, const pline *pl, rerr *e)
{
    if (pl->n < 3 || pl->n > 4)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "policy line %zu: witness <name> <vkey> [<url>]", pl->no);
    if (p->nwit >= TLOG_POLICY_MAX)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "policy has more than %d witnesses", TLOG_POLICY_MAX);
    int rc = check_new_name(p, pl, pl->it[1], e);
    tlog_vkey *k = NULL;
    if (rc == 0)
        rc = parse_key(pl, pl->it[2], TLOG_SIG_COSIGN_V1, &k, e);
    if (rc != 0)
        return rc;
    /* tlog-policy: duplicate witnesses (the same public key) are not allowed. */
    for (size_t i = 0; i < p->nwit; i++)
        if (tlog_vkey_same_key(p->wit[i].key, k)) {
            tlog_vkey_free(k);
            return rerr_set(e, RAMPART_EFORMAT, NULL, "policy line %zu: a witness key listed twice", pl->no);
        }
    tlog_policy_witness w = {dup_item(pl->it[1]), k, pl->n == 4 ? dup_item(pl->it[3]) : NULL};
    if (w.name == NULL || (pl->n == 4 && w.url == NULL)) {
        rampart_free(w.name);
        rampart_free(w.url);
        tlog_vkey_free(k);
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    p->wit[p->nwit++] = w;
    return 0;
}

/* "all", "any" or a decimal 1..n without leading zeroes. */
static bool parse_k(rslice s, size_t n, size_t *k)
{
    if (rslice_eq_cstr(s, "all")) {
        *k = n;
        return true;
    }
    if (rslice_eq_cstr(s, "any")) {
        *k = 1;
        return true;
    }
    if (s.n == 0 || s.n > 4 || s.p[0] == '0')
        return false;
    size_t v = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
        v = v * 10 + (size_t)(s.p[i] - '0');
    }
    if (v < 1 || v > n)
        return false;
    *k = v;
    return true;
}

static int line_group(tlog_policy *p, const pline *pl, rerr *e)
{
    if (pl->n < 4)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "policy line %zu: group <name> <k> <member>...", pl->no);
    if (p->ngroups >= TLOG_POLICY_MAX)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "policy has more than %d groups", TLOG_POLICY_MAX);
    int rc = check_new_name(p, pl, pl->it[1], e);
    if (rc != 0)
        return rc;
    tlog_policy_group *g = &p->grp[p->ngroups];
    memset(g, 0, sizeof(*g));
    g->n = pl->n - 3;
    if (!parse_k(pl->it[2], g->n, &g->k))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "policy line %zu: the threshold is all, any or 1..%zu", pl->no, g->n);
    for (size_t i = 0; i < g->n; i++) {
        rslice s = pl->it[3 + i];
        /* tlog-policy: members are defined on earlier lines, "none" is not
         * a member, and a name is listed at most once. */
        if (!find_name(p, s, &g->m[i]))
            return rerr_set(e, RAMPART_EFORMAT, NULL, "policy line %zu: member %zu is not defined above", pl->no,
                            i + 1);
        for (size_t j = 0; j < i; j++)
            if (g->m[j].group == g->m[i].group && g->m[j].idx == g->m[i].idx)
                return rerr_set(e, RAMPART_EFORMAT, NULL, "policy line %zu: member %zu is listed twice", pl->no, i + 1);
    }
    g->name = dup_item(pl->it[1]);
    if (g->name == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    p->ngroups++;
    return 0;
}

static int line_quorum(tlog_policy *p, const pline *pl, bool *seen, rerr *e)
{
    if (pl->n != 2)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "policy line %zu: quorum <name>", pl->no);
    /* tlog-policy: exactly one quorum line. */
    if (*seen)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "policy line %zu: a second quorum line", pl->no);
    *seen = true;
    if (rslice_eq_cstr(pl->it[1], "none")) {
        p->quorum_none = true;
        return 0;
    }
    if (!find_name(p, pl->it[1], &p->quorum))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "policy line %zu: the quorum is not defined above", pl->no);
    return 0;
}

static int parse_line(tlog_policy *p, rslice l, size_t no, bool *quorum_seen, rerr *e)
{
    static pline pl_zero;
    pline pl = pl_zero;
    pl.no = no;
    for (size_t i = 0; i < l.n; i++) {
        uint8_t c = l.p[i];
        /* tlog-policy: only tab, newline, 0x20-0x7E and 0x80-0xFF. */
        if (c != '\t' && (c < 0x20 || c == 0x7f))
            return rerr_set(e, RAMPART_EFORMAT, NULL, "policy line %zu has control byte 0x%02x", no, c);
    }
    int rc = split_items(l, &pl, e);
    if (rc != 0 || pl.n == 0 || pl.it[0].p[0] == '#')
        return rc;
    if (rslice_eq_cstr(pl.it[0], "log"))
        return line_log(p, &pl, e);
    if (rslice_eq_cstr(pl.it[0], "witness"))
        return line_witness(p, &pl, e);
    if (rslice_eq_cstr(pl.it[0], "group"))
        return line_group(p, &pl, e);
    if (rslice_eq_cstr(pl.it[0], "quorum"))
        return line_quorum(p, &pl, quorum_seen, e);
    return rerr_set(e, RAMPART_EFORMAT, NULL, "policy line %zu: unknown keyword", no);
}

int tlog_policy_parse(tlog_policy **out, const uint8_t *data, size_t n, rerr *e)
{
    if (n > TLOG_POLICY_MAX_BYTES)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "a policy of %zu bytes is over %d", n, TLOG_POLICY_MAX_BYTES);
    tlog_policy *p = rampart_calloc(1, sizeof(*p));
    if (p == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    bool quorum_seen = false;
    int rc = 0;
    size_t at = 0, no = 0;
    while (rc == 0 && at < n) {
        const uint8_t *nl = memchr(data + at, '\n', n - at);
        size_t end = nl ? (size_t)(nl - data) : n;
        no++;
        if (end - at > TLOG_POLICY_LINE_MAX)
            rc = rerr_set(e, RAMPART_ETOOLARGE, NULL, "policy line %zu is over %d bytes", no, TLOG_POLICY_LINE_MAX);
        else
            rc = parse_line(p, RSLICE(data + at, end - at), no, &quorum_seen, e);
        at = end + 1;
    }
    if (rc == 0 && !quorum_seen)
        rc = rerr_set(e, RAMPART_EFORMAT, NULL, "the policy has no quorum line");
    if (rc != 0) {
        tlog_policy_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

bool tlog_policy_quorum(const tlog_policy *p, const bool *witnessed)
{
    if (p->quorum_none)
        return true;
    /* Groups only name earlier groups: one pass in order decides them. */
    bool ok[TLOG_POLICY_MAX] = {false};
    for (size_t g = 0; g < p->ngroups; g++) {
        size_t have = 0;
        for (size_t i = 0; i < p->grp[g].n; i++) {
            tlog_policy_ref r = p->grp[g].m[i];
            if (r.group ? ok[r.idx] : witnessed[r.idx])
                have++;
        }
        ok[g] = have >= p->grp[g].k;
    }
    return p->quorum.group ? ok[p->quorum.idx] : witnessed[p->quorum.idx];
}

/* The note's keys to check: every log, then every witness. */
static int verify_note(const tlog_policy *p, const tlog_note *nt, tlog_note_verdict *v, rerr *e)
{
    const tlog_vkey *keys[2 * TLOG_POLICY_MAX];
    size_t nk = 0;
    for (size_t i = 0; i < p->nlogs; i++)
        keys[nk++] = p->log[i];
    for (size_t i = 0; i < p->nwit; i++)
        keys[nk++] = p->wit[i].key;
    int rc = tlog_note_verify(nt, keys, nk, v, e);
    if (rc == RAMPART_EBADSIG)
        return rerr_set(e, RAMPART_ENOQUORUM, NULL, "checkpoint refused: %s", e ? e->message : "bad signature");
    return rc;
}

/* The verdicts against the rules once the note verified. */
static int judge(const tlog_policy *p, const tlog_checkpoint *cp, const tlog_note_verdict *v, int64_t now,
                 int64_t max_age, tlog_verified *out, rerr *e)
{
    size_t log = SIZE_MAX;
    /* tlog-policy: the log's key name is its origin line. */
    for (size_t i = 0; i < p->nlogs; i++)
        if (v[i].verified && p->log[i]->name_len == cp->origin_len &&
            memcmp(p->log[i]->name, cp->origin, cp->origin_len) == 0)
            log = i;
    if (log == SIZE_MAX)
        return rerr_set(e, RAMPART_ENOQUORUM, NULL, "checkpoint of '%.*s' is not signed by a log of the policy",
                        (int)cp->origin_len, cp->origin);
    bool witnessed[TLOG_POLICY_MAX] = {false};
    size_t nco = 0;
    int64_t newest = 0;
    for (size_t i = 0; i < p->nwit; i++) {
        witnessed[i] = v[p->nlogs + i].verified;
        if (witnessed[i]) {
            nco++;
            if (v[p->nlogs + i].timestamp > newest)
                newest = v[p->nlogs + i].timestamp;
        }
    }
    if (!tlog_policy_quorum(p, witnessed))
        return rerr_set(e, RAMPART_ENOQUORUM, NULL, "checkpoint of '%.*s' is cosigned by %zu witnesses: no quorum",
                        (int)cp->origin_len, cp->origin, nco);
    if (max_age > 0 && !p->quorum_none && (nco == 0 || now - newest > max_age))
        return rerr_set(e, RAMPART_ESTALE, NULL, "the newest cosignature of '%.*s' is %lld s old, over %lld s",
                        (int)cp->origin_len, cp->origin, (long long)(now - newest), (long long)max_age);
    out->cp = *cp;
    out->log = log;
    out->ncosig = nco;
    out->newest_cosig = newest;
    return 0;
}

int tlog_policy_verify(const tlog_policy *p, const uint8_t *note, size_t n, int64_t now, int64_t max_age,
                       tlog_verified *out, rerr *e)
{
    tlog_note *nt = NULL;
    int rc = tlog_note_parse(&nt, note, n, e);
    if (rc != 0)
        return rc;
    tlog_note_verdict v[2 * TLOG_POLICY_MAX];
    tlog_checkpoint cp;
    rc = verify_note(p, nt, v, e);
    if (rc == 0)
        rc = tlog_checkpoint_parse(nt->data, nt->text_len, &cp, e);
    tlog_verified res;
    if (rc == 0)
        rc = judge(p, &cp, v, now, max_age, &res, e);
    tlog_note_free(nt);
    if (rc == 0)
        *out = res;
    return rc;
}
