/*
 * test_tuf_delegsearch.c - the target search of TUF §5.6.7 as the sans-I/O
 * iterator of tuf/delegsearch.h, driven over small in-memory repositories
 * (no signatures: verification is the caller's).  Each case compares the
 * exact roles asked for, in order, and the outcome: the role that lists the
 * target (and its depth, delegator and delegation entry) or the reason
 * nothing was found.  docs/security-matrix.md scenarios S39 (pre-order), S40
 * (terminating), S41 (paths the whole chain allows), S43 (cycles, the visit
 * limit); the same rules end to end are in test_client_search.c.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "tuf/delegsearch.h"
#include "util/banned.h"

#define MAX_ROLES 12
#define HASH64 "0000000000000000000000000000000000000000000000000000000000000000"

typedef struct repo {
    char names[MAX_ROLES][32];
    tuf_md *md[MAX_ROLES];
    size_t n;
} repo;

static void repo_free(repo *r)
{
    for (size_t i = 0; i < r->n; i++)
        tuf_md_free(r->md[i]);
    r->n = 0;
}

static tuf_md *repo_find(const repo *r, const tuf_ds_name *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (tuf_ds_name_is(name, rslice_cstr(r->names[i])))
            return r->md[i];
    return NULL;
}

static void append(rbuf *b, const char *s)
{
    if (rbuf_append_str(b, s) != 0)
        abort();
}

/* The next space-separated word of [*p, end) in *w; false at the end. */
static bool next_word(const char **p, const char *end, rslice *w)
{
    while (*p < end && **p == ' ')
        (*p)++;
    const char *start = *p;
    while (*p < end && **p != ' ')
        (*p)++;
    *w = RSLICE(start, (size_t)(*p - start));
    return w->n > 0;
}

/* Appends the words of [p, end) that start with `mark` (without it), or
 * those that do not when mark is 0, as a JSON array of strings. */
static void append_strings(rbuf *b, const char *p, const char *end, char mark)
{
    append(b, "[");
    bool first = true;
    rslice w;
    while (next_word(&p, end, &w)) {
        bool marked = w.p[0] == (uint8_t)mark;
        if (marked != (mark != 0))
            continue;
        if (rbuf_appendf(b, "%s\"%.*s\"", first ? "" : ",", (int)(w.n - marked), (const char *)w.p + marked) != 0)
            abort();
        first = false;
    }
    append(b, "]");
}

/* True when some word of [p, end) starts with `mark`. */
static bool has_marked(const char *p, const char *end, char mark)
{
    rslice w;
    while (next_word(&p, end, &w))
        if (w.p[0] == (uint8_t)mark)
            return true;
    return false;
}

/*
 * Adds role `name`: targets metadata listing the paths `files` (space
 * separated) and delegating as `deleg` says, NULL for no "delegations":
 *   "A *.md docs/x; !B *; C #ab #cd"  roles in order: a leading '!' makes it
 *                                     terminating, words are "paths", words
 *                                     starting with '#' "path_hash_prefixes";
 *   "%bins 4"                         TAP 15 succinct_roles, prefix and bits.
 */
static void add_role(repo *r, const char *name, const char *files, const char *deleg)
{
    rbuf b;
    rbuf_init(&b, 1 << 20);
    append(&b, "{\"signatures\":[],\"signed\":{\"_type\":\"targets\",\"spec_version\":\"1.0.31\",\"version\":1,"
               "\"expires\":\"2030-01-01T00:00:00Z\",\"targets\":{");
    bool first = true;
    rslice w;
    for (const char *p = files; next_word(&p, files + strlen(files), &w); first = false)
        if (rbuf_appendf(&b, "%s\"%.*s\":{\"length\":1,\"hashes\":{\"sha256\":\"" HASH64 "\"}}", first ? "" : ",",
                         (int)w.n, (const char *)w.p) != 0)
            abort();
    append(&b, "}");
    if (deleg != NULL && deleg[0] == '%') {
        const char *p = deleg + 1, *end = deleg + strlen(deleg);
        rslice prefix, bits;
        if (!next_word(&p, end, &prefix) || !next_word(&p, end, &bits))
            abort();
        if (rbuf_appendf(&b,
                         ",\"delegations\":{\"keys\":{},\"succinct_roles\":{\"keyids\":[],\"threshold\":1,"
                         "\"bit_length\":%.*s,\"name_prefix\":\"%.*s\"}}",
                         (int)bits.n, (const char *)bits.p, (int)prefix.n, (const char *)prefix.p) != 0)
            abort();
    } else if (deleg != NULL) {
        append(&b, ",\"delegations\":{\"keys\":{},\"roles\":[");
        first = true;
        for (const char *p = deleg; *p; first = false) {
            const char *end = p + strcspn(p, ";");
            rslice rname;
            if (!next_word(&p, end, &rname))
                abort();
            bool term = rname.p[0] == '!';
            if (rbuf_appendf(&b, "%s{\"name\":\"%.*s\",\"keyids\":[],\"threshold\":1,\"terminating\":%s",
                             first ? "" : ",", (int)(rname.n - term), (const char *)rname.p + term,
                             term ? "true" : "false") != 0)
                abort();
            bool hashed = has_marked(p, end, '#');
            append(&b, hashed ? ",\"path_hash_prefixes\":" : ",\"paths\":");
            append_strings(&b, p, end, hashed ? '#' : 0);
            append(&b, "}");
            p = *end ? end + 1 : end;
        }
        append(&b, "]}");
    }
    append(&b, "}}");
    size_t len;
    uint8_t *data = rbuf_detach(&b, &len);
    tuf_md *md = NULL;
    rerr e = {0};
    if (data == NULL || r->n == MAX_ROLES || tuf_md_parse(&md, data, len, true, 1 << 20, TUF_TARGETS, name, &e) != 0) {
        fprintf(stderr, "add_role %s: %s\n", name, e.message);
        abort();
    }
    snprintf(r->names[r->n], sizeof(r->names[0]), "%s", name);
    r->md[r->n++] = md;
}

/* What one search did: the roles asked for ("targets A B"), then the
 * outcome ("found A", "unlisted", "terminated", "limit", "missing X"). */
typedef struct outcome {
    char log[512];
    tuf_ds_result last;
    int misuse; /* a code other than 0 from the iterator */
} outcome;

static void logf_name(outcome *o, const char *what, const tuf_ds_name *n)
{
    size_t used = strlen(o->log);
    snprintf(o->log + used, sizeof(o->log) - used, "%s%s%.*s%.*s", used ? " " : "", what, (int)n->head.n,
             (const char *)n->head.p, (int)n->ntail, n->tail);
}

static void log_word(outcome *o, const char *w)
{
    size_t used = strlen(o->log);
    snprintf(o->log + used, sizeof(o->log) - used, "%s%s", used ? " " : "", w);
}

/* Runs a search for `path` visiting at most `limit` roles.  Every NEED is
 * checked against the repository: the delegator is the role it names and,
 * for a listed delegation, the entry is that delegator's. */
static outcome search(const repo *r, const char *path, size_t limit)
{
    outcome o;
    memset(&o, 0, sizeof(o));
    /* Static: o.last.name points into the slots, and callers read it after
     * the search returns (until the next search). */
    static tuf_ds_slot slots[64];
    tuf_delegsearch s;
    o.misuse = tuf_delegsearch_init(&s, rslice_cstr(path), slots, limit);
    for (int guard = 0; o.misuse == 0 && guard < 100; guard++) {
        tuf_ds_result res;
        o.misuse = tuf_delegsearch_next(&s, &res);
        if (o.misuse != 0)
            break;
        o.last = res;
        if (res.step == TUF_DS_FOUND) {
            logf_name(&o, "found ", res.name);
            break;
        }
        if (res.step == TUF_DS_NOTFOUND) {
            log_word(&o, res.reason == TUF_DS_UNLISTED     ? "unlisted"
                         : res.reason == TUF_DS_TERMINATED ? "terminated"
                         : res.reason == TUF_DS_LIMIT      ? "limit"
                                                           : "?");
            break;
        }
        /* NEED: the delegation entry, when there is one, is the delegator's. */
        if (res.dr != NULL && (res.delegator == NULL || res.dr < res.delegator->delegations ||
                               res.dr >= res.delegator->delegations + res.delegator->ndelegations)) {
            log_word(&o, "bad-entry");
            break;
        }
        tuf_md *md = repo_find(r, res.name);
        if (md == NULL) {
            logf_name(&o, "missing ", res.name);
            break;
        }
        logf_name(&o, "", res.name);
        o.misuse = tuf_delegsearch_give(&s, md);
    }
    return o;
}

/* ---- found at depth 0, 1, 2 -------------------------------------------- */

static void test_found_depths(void)
{
    repo r = {0};
    add_role(&r, "targets", "top.txt", "A *.txt; B deep/*");
    add_role(&r, "A", "a.txt", "C *");
    add_role(&r, "B", "", "D deep/*");
    add_role(&r, "C", "", NULL);
    add_role(&r, "D", "deep/d.bin", NULL);

    outcome o = search(&r, "top.txt", 32);
    CHECK_STR(o.log, "targets found targets");
    CHECK_INT(o.last.depth, 0);
    CHECK(o.last.md == r.md[0] && o.last.delegator == NULL && o.last.dr == NULL);
    CHECK(rslice_eq_cstr(o.last.target.path, "top.txt"));
    CHECK_INT(o.last.target.length, 1);
    CHECK_INT(o.last.visited, 1);

    o = search(&r, "a.txt", 32);
    CHECK_STR(o.log, "targets A found A");
    CHECK_INT(o.last.depth, 1);
    CHECK(o.last.md == r.md[1] && o.last.delegator == r.md[0] && o.last.dr == &r.md[0]->delegations[0]);
    CHECK(rslice_eq_cstr(o.last.target.path, "a.txt"));

    o = search(&r, "deep/d.bin", 32);
    CHECK_STR(o.log, "targets B D found D");
    CHECK_INT(o.last.depth, 2);
    CHECK(o.last.md == r.md[4] && o.last.delegator == r.md[2] && o.last.dr == &r.md[2]->delegations[0]);
    CHECK_INT(o.last.visited, 3);
    CHECK_INT(o.misuse, 0);
    repo_free(&r);
}

/* ---- S39: pre-order, listed order, non-terminating continues ------------- */

static void test_preorder_and_siblings(void)
{
    repo r = {0};
    add_role(&r, "targets", "", "A *; B *");
    add_role(&r, "A", "", "C *; D *");
    add_role(&r, "B", "b.txt", NULL);
    add_role(&r, "C", "", "E *");
    add_role(&r, "D", "", NULL);
    add_role(&r, "E", "", NULL);
    /* Depth first: A's subtree (C, C's child E, D) before A's sibling B. */
    outcome o = search(&r, "b.txt", 32);
    CHECK_STR(o.log, "targets A C E D B found B");
    CHECK_INT(o.last.depth, 1);
    o = search(&r, "nowhere", 32);
    CHECK_STR(o.log, "targets A C E D B unlisted");
    CHECK_INT(o.last.step, TUF_DS_NOTFOUND);
    CHECK_INT(o.last.reason, TUF_DS_UNLISTED);
    CHECK_INT(o.last.visited, 6);
    repo_free(&r);
}

/* ---- S40: terminating delegations ------------------------------------------ */

static void test_terminating(void)
{
    repo r = {0};
    /* A matching terminating delegation without the target ends the search,
     * although a later sibling lists it. */
    add_role(&r, "targets", "", "!A *; B *");
    add_role(&r, "A", "", NULL);
    add_role(&r, "B", "file.txt", NULL);
    outcome o = search(&r, "file.txt", 32);
    CHECK_STR(o.log, "targets A terminated");
    CHECK_INT(o.last.reason, TUF_DS_TERMINATED);
    repo_free(&r);

    /* A terminating delegation that does not cover the path changes nothing. */
    add_role(&r, "targets", "", "!T docs/*; A *");
    add_role(&r, "T", "", NULL);
    add_role(&r, "A", "file.txt", NULL);
    o = search(&r, "file.txt", 32);
    CHECK_STR(o.log, "targets A found A");
    repo_free(&r);

    /* Siblings listed before the terminating one are searched first; the
     * terminating role's own subtree is searched whole; later ones never. */
    add_role(&r, "targets", "", "A *; !B *; C *");
    add_role(&r, "A", "", NULL);
    add_role(&r, "B", "", "D *; E *");
    add_role(&r, "C", "x", NULL);
    add_role(&r, "D", "", NULL);
    add_role(&r, "E", "", NULL);
    o = search(&r, "x", 32);
    CHECK_STR(o.log, "targets A B D E terminated");
    repo_free(&r);

    /* A terminating delegation deep in an earlier subtree ends it all. */
    add_role(&r, "targets", "", "A *; B *");
    add_role(&r, "A", "", "!X *");
    add_role(&r, "B", "y", NULL);
    add_role(&r, "X", "", "Z *");
    add_role(&r, "Z", "", NULL);
    o = search(&r, "y", 32);
    CHECK_STR(o.log, "targets A X Z terminated");
    /* ...and the target in the terminating role's subtree is found. */
    repo_free(&r);
    add_role(&r, "targets", "", "A *; B *");
    add_role(&r, "A", "", "!X *");
    add_role(&r, "X", "", "Z *");
    add_role(&r, "Z", "y", NULL);
    o = search(&r, "y", 32);
    CHECK_STR(o.log, "targets A X Z found Z");
    CHECK_INT(o.last.depth, 3);
    repo_free(&r);
}

/* ---- S43: cycles, roles reached twice, the visit limit --------------------- */

static void test_cycles(void)
{
    repo r = {0};
    add_role(&r, "targets", "", "A *; B *");
    add_role(&r, "A", "", "B *; A *");
    add_role(&r, "B", "", "A *");
    outcome o = search(&r, "p", 32);
    CHECK_STR(o.log, "targets A B unlisted");
    repo_free(&r);

    /* A diamond: C is asked for once, through the first delegator. */
    add_role(&r, "targets", "", "A *; B *");
    add_role(&r, "A", "", "C *");
    add_role(&r, "B", "", "C *");
    add_role(&r, "C", "", NULL);
    o = search(&r, "p", 32);
    CHECK_STR(o.log, "targets A C B unlisted");
    repo_free(&r);

    /* A terminating delegation to a role visited before still ends the
     * search (D is never reached). */
    add_role(&r, "targets", "", "A *; B *");
    add_role(&r, "A", "", "C *");
    add_role(&r, "B", "", "!C *; D *");
    add_role(&r, "C", "", NULL);
    add_role(&r, "D", "p", NULL);
    o = search(&r, "p", 32);
    CHECK_STR(o.log, "targets A C B terminated");
    repo_free(&r);
}

static void test_limit(void)
{
    repo r = {0};
    add_role(&r, "targets", "", "R1 *");
    add_role(&r, "R1", "", "R2 *");
    add_role(&r, "R2", "two", "R3 *");
    add_role(&r, "R3", "three", NULL);
    /* The top-level role counts: three slots visit targets, R1, R2. */
    outcome o = search(&r, "three", 3);
    CHECK_STR(o.log, "targets R1 R2 limit");
    CHECK_INT(o.last.reason, TUF_DS_LIMIT);
    CHECK_INT(o.last.visited, 3);
    o = search(&r, "two", 3);
    CHECK_STR(o.log, "targets R1 R2 found R2");
    o = search(&r, "three", 4);
    CHECK_STR(o.log, "targets R1 R2 R3 found R3");
    o = search(&r, "three", 1);
    CHECK_STR(o.log, "targets limit");
    /* Reaching the limit with nothing left to visit is not the limit. */
    o = search(&r, "nowhere", 4);
    CHECK_STR(o.log, "targets R1 R2 R3 unlisted");
    repo_free(&r);

    /* Wide: siblings count as well. */
    add_role(&r, "targets", "", "A *; B *; C *; D *");
    add_role(&r, "A", "", NULL);
    add_role(&r, "B", "", NULL);
    add_role(&r, "C", "", NULL);
    add_role(&r, "D", "", NULL);
    o = search(&r, "p", 3);
    CHECK_STR(o.log, "targets A B limit");
    repo_free(&r);
}

/* ---- S41, S42: paths and path_hash_prefixes ------------------------------- */

static void test_paths(void)
{
    repo r = {0};
    add_role(&r, "targets", "", "A *.doc *.md foo-?.tgz; B releases/*/*");
    add_role(&r, "A", "README.md foo-1.tgz releases/README.md foo-alpha.tgz", NULL);
    add_role(&r, "B", "", "C releases/x/*; D releases/y/*.zip");
    add_role(&r, "C", "releases/x/x_v1", NULL);
    add_role(&r, "D", "releases/y/y_v1.zip releases/z/z_v1.zip", NULL);
    CHECK_STR(search(&r, "README.md", 32).log, "targets A found A");
    CHECK_STR(search(&r, "foo-1.tgz", 32).log, "targets A found A");
    CHECK_STR(search(&r, "releases/x/x_v1", 32).log, "targets B C found C");
    CHECK_STR(search(&r, "releases/y/y_v1.zip", 32).log, "targets B D found D");
    /* S41: D lists it, but D's delegation does not cover the path. */
    CHECK_STR(search(&r, "releases/z/z_v1.zip", 32).log, "targets B unlisted");
    /* S42: '*' stops at '/', '?' is one character, case matters. */
    CHECK_STR(search(&r, "releases/README.md", 32).log, "targets unlisted");
    CHECK_STR(search(&r, "foo-alpha.tgz", 32).log, "targets unlisted");
    CHECK_STR(search(&r, "README.MD", 32).log, "targets unlisted");
    repo_free(&r);
}

static void test_path_hash_prefixes(void)
{
    const char *path = "pkg/app-1.0.tgz";
    tuf_path_hash ph;
    CHECK_OK(tuf_path_hash_compute(rslice_cstr(path), &ph));
    char good[4] = {ph.hex[0], ph.hex[1], ph.hex[2], '\0'};
    char bad[4] = {ph.hex[0] == '0' ? '1' : '0', ph.hex[1], ph.hex[2], '\0'};
    char deleg[192];
    snprintf(deleg, sizeof(deleg), "WRONG #%s; RIGHT #ffff #%s", bad, good);
    repo r = {0};
    add_role(&r, "targets", "", deleg);
    add_role(&r, "WRONG", path, NULL);
    add_role(&r, "RIGHT", path, NULL);
    outcome o = search(&r, path, 32);
    CHECK_STR(o.log, "targets RIGHT found RIGHT");
    CHECK(o.last.dr == &r.md[0]->delegations[1]);
    /* The whole 64-digit hash is a prefix too; one digit more is not. */
    repo_free(&r);
    snprintf(deleg, sizeof(deleg), "LONG #%s0; FULL #%s", ph.hex, ph.hex);
    add_role(&r, "targets", "", deleg);
    add_role(&r, "LONG", path, NULL);
    add_role(&r, "FULL", path, NULL);
    CHECK_STR(search(&r, path, 32).log, "targets FULL found FULL");
    repo_free(&r);
}

/* ---- TAP 15: succinct hash bins ------------------------------------------- */

static void test_succinct_bins(void)
{
    /* SHA-256("abc") starts ba78: with 4 bits the bin is "bins-b". */
    repo r = {0};
    add_role(&r, "targets", "", "%bins 4");
    add_role(&r, "bins-b", "abc", "X *");
    add_role(&r, "X", "", NULL);
    add_role(&r, "other", "abc", NULL);
    outcome o = search(&r, "abc", 32);
    CHECK_STR(o.log, "targets bins-b found bins-b");
    CHECK(o.last.delegator == r.md[0] && o.last.dr == NULL);
    CHECK_INT(o.last.depth, 1);
    CHECK_INT(o.last.name->ntail, 2);
    CHECK(tuf_ds_name_is(o.last.name, rslice_cstr("bins-b")));
    CHECK(!tuf_ds_name_is(o.last.name, rslice_cstr("bins-")));
    CHECK(!tuf_ds_name_is(o.last.name, rslice_cstr("bins-bb")));
    CHECK_INT(tuf_ds_name_len(o.last.name), 6);
    rbuf b;
    rbuf_init(&b, 64);
    CHECK_OK(tuf_ds_name_append(o.last.name, &b));
    CHECK_STR((const char *)b.data, "bins-b");
    rbuf_free(&b);
    /* A bin is terminating: its subtree is searched, nothing after it. */
    o = search(&r, "abd", 32); /* SHA-256("abd") starts a5 */
    CHECK_STR(o.log, "targets missing bins-a");
    repo_free(&r);
    add_role(&r, "targets", "", "%bins 8");
    add_role(&r, "bins-ba", "", "X *");
    add_role(&r, "X", "", NULL);
    o = search(&r, "abc", 32);
    CHECK_STR(o.log, "targets bins-ba X terminated");
    repo_free(&r);
    /* A bin named in a plain delegation earlier counts as visited. */
    add_role(&r, "targets", "", "A *; B *");
    add_role(&r, "A", "", "bins-b *");
    add_role(&r, "B", "", "%bins 4");
    add_role(&r, "bins-b", "", NULL);
    o = search(&r, "abc", 32);
    CHECK_STR(o.log, "targets A bins-b B terminated");
    repo_free(&r);
}

/* ---- using the iterator out of order -------------------------------------- */

static void test_misuse(void)
{
    repo r = {0};
    add_role(&r, "targets", "p", NULL);
    tuf_ds_slot slots[2];
    tuf_delegsearch s;
    tuf_ds_result res;
    CHECK_RC(tuf_delegsearch_init(&s, rslice_cstr("p"), slots, 0), RAMPART_EINVAL);
    CHECK_RC(tuf_delegsearch_init(&s, rslice_cstr("p"), NULL, 2), RAMPART_EINVAL);
    CHECK_OK(tuf_delegsearch_init(&s, rslice_cstr("p"), slots, 2));
    /* Nothing asked for yet: nothing to give. */
    CHECK_RC(tuf_delegsearch_give(&s, r.md[0]), RAMPART_EINVAL);
    CHECK_OK(tuf_delegsearch_next(&s, &res));
    CHECK_INT(res.step, TUF_DS_NEED);
    CHECK(tuf_ds_name_is(res.name, rslice_cstr("targets")) && res.delegator == NULL && res.dr == NULL);
    CHECK_INT(res.depth, 0);
    CHECK_INT(res.visited, 1);
    /* A role is awaited: no next step, and only targets metadata is taken. */
    CHECK_RC(tuf_delegsearch_next(&s, &res), RAMPART_EINVAL);
    CHECK_RC(tuf_delegsearch_give(&s, NULL), RAMPART_EINVAL);
    tuf_md *root = NULL;
    const char *rt =
        "{\"signatures\":[],\"signed\":{\"_type\":\"timestamp\",\"spec_version\":\"1.0.31\","
        "\"version\":1,\"expires\":\"2030-01-01T00:00:00Z\",\"meta\":{\"snapshot.json\":{\"version\":1}}}}";
    CHECK_OK(tuf_md_parse(&root, (const uint8_t *)rt, strlen(rt), false, 1 << 20, TUF_TIMESTAMP, NULL, NULL));
    CHECK_RC(tuf_delegsearch_give(&s, root), RAMPART_EINVAL);
    tuf_md_free(root);
    CHECK_OK(tuf_delegsearch_give(&s, r.md[0]));
    CHECK_RC(tuf_delegsearch_give(&s, r.md[0]), RAMPART_EINVAL);
    CHECK_OK(tuf_delegsearch_next(&s, &res));
    CHECK_INT(res.step, TUF_DS_FOUND);
    /* Once over, every call gives the same result. */
    tuf_ds_result again;
    CHECK_OK(tuf_delegsearch_next(&s, &again));
    CHECK_INT(again.step, TUF_DS_FOUND);
    CHECK(again.md == res.md && again.name == res.name && rslice_eq(again.target.path, res.target.path));
    CHECK_RC(tuf_delegsearch_give(&s, r.md[0]), RAMPART_EINVAL);
    repo_free(&r);
}

int main(void)
{
    RUN(test_found_depths);
    RUN(test_preorder_and_siblings);
    RUN(test_terminating);
    RUN(test_cycles);
    RUN(test_limit);
    RUN(test_paths);
    RUN(test_path_hash_prefixes);
    RUN(test_succinct_bins);
    RUN(test_misuse);
    return th_summary("test_tuf_delegsearch");
}
