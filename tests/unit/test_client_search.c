/*
 * test_client_search.c - the target search of TUF §5.6.7 (pre-order
 * depth-first over the delegation graph) against simulated repositories:
 * docs/security-matrix.md scenarios S39-S43 (visit order, terminating
 * delegations, paths the whole chain must allow, glob rules, cycles and the
 * max_delegations bound) and path_hash_prefixes.  The order of the requests
 * for delegated roles is the observable result of the search, so every test
 * compares the request log exactly.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "ctest_util.h"
#include "util/banned.h"

/* The request log expected for delegated roles "A B C" (all version 1). */
static void role_requests(const char *names, char *out, size_t cap)
{
    out[0] = '\0';
    size_t used = 0;
    for (const char *p = names; *p;) {
        size_t n = strcspn(p, " ");
        int w = snprintf(out + used, cap - used, "metadata/1.%.*s.json\n", (int)n, p);
        if (w < 0 || (size_t)w >= cap - used)
            return;
        used += (size_t)w;
        p += n;
        while (*p == ' ')
            p++;
    }
}

/* ---- S39, S40, S43: graph traversal (tuf-conformance's graph cases) ---- */

typedef struct edge {
    const char *from, *to, *pattern;
    bool terminating;
} edge;

typedef struct graph_case {
    const char *id;
    edge e[6];
    const char *want; /* delegated roles requested, in order */
} graph_case;

static const graph_case graphs[] = {
    {"basic-delegation", {{"targets", "A", "*", false}}, "A"},
    {"single-level", {{"targets", "A", "*", false}, {"targets", "B", "*", false}}, "A B"},
    /* S39: A, B, then B's child C */
    {"two-level", {{"targets", "A", "*", false}, {"targets", "B", "*", false}, {"B", "C", "*", false}}, "A B C"},
    {"two-level-dfs-order",
     {{"targets", "A", "*", false}, {"targets", "B", "*", false}, {"A", "C", "*", false}, {"A", "D", "*", false}},
     "A C D B"},
    {"three-level-dfs-order",
     {{"targets", "A", "*", false}, {"targets", "B", "*", false}, {"A", "C", "*", false}, {"C", "D", "*", false}},
     "A C D B"},
    /* S40: a matching terminating delegation drops every alternative */
    {"two-level-terminating",
     {{"targets", "A", "*", false}, {"targets", "B", "*", false}, {"A", "C", "*", true}, {"A", "D", "*", false}},
     "A C"},
    {"three-level-terminating",
     {{"targets", "A", "*", false}, {"targets", "B", "*", false}, {"A", "C", "*", true}, {"C", "D", "*", false}},
     "A C D"},
    {"terminating-keeps-earlier-siblings",
     {{"targets", "A", "*", false}, {"targets", "B", "*", true}, {"targets", "C", "*", false}},
     "A B"},
    {"ignores-branches-not-matching",
     {{"targets", "A", "*.py", false}, {"targets", "B", "*", false}, {"A", "C", "*", false}},
     "B"},
    {"three-level-ignores-branches-not-matching",
     {{"targets", "A", "*", false}, {"targets", "B", "*", false}, {"A", "C", "*.py", false}, {"C", "D", "*", false}},
     "A B"},
    /* S43: a cycle ends; B is not fetched again */
    {"cyclic-graph",
     {{"targets", "A", "*", false},
      {"targets", "B", "*", false},
      {"B", "C", "*", false},
      {"C", "D", "*", false},
      {"D", "B", "*", false}},
     "A B C D"},
    {"self-delegation", {{"targets", "A", "*", false}, {"A", "A", "*", false}}, "A"},
    {"two-roles-delegating-to-a-third",
     {{"targets", "A", "*", false}, {"targets", "B", "*", false}, {"B", "C", "*", false}, {"A", "C", "*", false}},
     "A C B"},
    {"two-roles-delegating-to-a-third-different-paths",
     {{"targets", "A", "*", false}, {"targets", "B", "*", false}, {"B", "C", "*", false}, {"A", "C", "*.py", false}},
     "A B C"},
};

/* Builds the graph, refreshes, and looks up a missing path. */
static void run_graph(ctest *t, const graph_case *g)
{
    const char *roles[8];
    size_t nroles = 0;
    for (size_t i = 0; i < 6 && g->e[i].from != NULL; i++) {
        const char *paths[] = {g->e[i].pattern, NULL};
        sim_delegate(t->s, g->e[i].from, g->e[i].to, paths, g->e[i].terminating);
        bool seen = false;
        for (size_t k = 0; k < nroles; k++)
            seen = seen || strcmp(roles[k], g->e[i].to) == 0;
        if (!seen)
            roles[nroles++] = g->e[i].to;
    }
    for (size_t k = 0; k < nroles; k++)
        sim_publish(t->s, roles[k]);
    sim_update(t->s, "targets");
    CHECK_OK(ct_refresh(t));
    sim_reset_requests(t->s);
    CHECK_RC(ct_find(t, "missingpath"), RAMPART_ENOTFOUND);
    CHECK_ERR(t, RAMPART_ENOTFOUND, "", "no trusted role lists target 'missingpath'");
    char want[512];
    role_requests(g->want, want, sizeof(want));
    CHECK_STR(sim_requests(t->s), want);
}

static void test_graph_traversal(void)
{
    for (size_t i = 0; i < sizeof(graphs) / sizeof(graphs[0]); i++) {
        int before = th_failed_checks;
        ctest t;
        ct_setup(&t);
        run_graph(&t, &graphs[i]);
        ct_teardown(&t);
        if (th_failed_checks != before)
            fprintf(stderr, "  (graph case %s)\n", graphs[i].id);
    }
}

/* ---- S41, S42: which role may speak for a path ----------------------- */

typedef struct search_case {
    const char *path;
    const char *role; /* where it is found, or NULL */
    const char *want; /* delegated roles requested */
} search_case;

static const search_case searches[] = {
    {"targetfile", "targets", ""},
    {"README.md", "A", "A"},
    {"releases/x/x_v1", "C", "B C"},
    {"releases/y/y_v1.zip", "D", "B D"},
    /* S41: listed by D, but D's delegation does not cover the path */
    {"releases/z/z_v1.zip", NULL, "B"},
    /* S42: '*' stops at '/', '?' is one character, matching is case-sensitive */
    {"releases/README.md", NULL, ""},
    {"foo-1.tgz", "A", "A"},
    {"foo-alpha.tgz", NULL, ""},
    {"README.MD", NULL, ""},
};

static void add_file(sim *s, const char *role, const char *path)
{
    sim_add_target(s, role, path, path, strlen(path)); /* contents: the path itself */
}

static void build_search_repo(sim *s)
{
    const char *pa[] = {"*.doc", "*.md", "foo-?.tgz", NULL}, *pb[] = {"releases/*/*", NULL};
    const char *pc[] = {"releases/x/*", NULL}, *pd[] = {"releases/y/*.zip", NULL};
    sim_delegate(s, "targets", "A", pa, false);
    sim_delegate(s, "targets", "B", pb, false);
    sim_delegate(s, "B", "C", pc, false);
    sim_delegate(s, "B", "D", pd, false);
    add_file(s, "targets", "targetfile");
    add_file(s, "A", "README.md");
    add_file(s, "A", "releases/README.md");
    add_file(s, "A", "foo-1.tgz");
    add_file(s, "A", "foo-alpha.tgz");
    add_file(s, "C", "releases/x/x_v1");
    add_file(s, "D", "releases/y/y_v1.zip");
    add_file(s, "D", "releases/z/z_v1.zip");
    const char *roles[] = {"A", "B", "C", "D"};
    for (int i = 0; i < 4; i++)
        sim_publish(s, roles[i]);
    sim_update(s, "targets");
}

static void run_search(ctest *t, const search_case *c)
{
    build_search_repo(t->s);
    CHECK_OK(ct_refresh(t));
    sim_reset_requests(t->s);
    rampart_target *tg = NULL;
    int rc = rampart_client_get_target_info(t->c, c->path, &tg);
    char want[512];
    role_requests(c->want, want, sizeof(want));
    CHECK_STR(sim_requests(t->s), want);
    if (c->role == NULL) {
        CHECK_RC(rc, RAMPART_ENOTFOUND);
        CHECK_STR(ct_tree(t, t->tdir), "");
        return;
    }
    CHECK_OK(rc);
    CHECK_STR(rampart_target_role(tg), c->role);
    rc = rampart_client_download_target(t->c, tg, t->tdir, NULL);
    rampart_target_free(tg);
    CHECK_OK(rc);
    CHECK(ct_file_is(t->tdir, c->path, c->path, strlen(c->path)));
}

static void test_targetfile_search(void)
{
    for (size_t i = 0; i < sizeof(searches) / sizeof(searches[0]); i++) {
        int before = th_failed_checks;
        ctest t;
        ct_setup(&t);
        run_search(&t, &searches[i]);
        ct_teardown(&t);
        if (th_failed_checks != before)
            fprintf(stderr, "  (search case %s)\n", searches[i].path);
    }
}

/* S40: a terminating delegation that matches but lacks the target ends the
 * search, although a later sibling lists it. */
CT_TEST(test_s40_terminating_stops_search)
{
    const char *all[] = {"*", NULL};
    sim_delegate(t->s, "targets", "A", all, true);
    sim_delegate(t->s, "targets", "B", all, false);
    add_file(t->s, "B", "file.txt");
    sim_publish(t->s, "A");
    sim_publish(t->s, "B");
    sim_update(t->s, "targets");
    CHECK_OK(ct_refresh(t));
    sim_reset_requests(t->s);
    CHECK_RC(ct_find(t, "file.txt"), RAMPART_ENOTFOUND);
    CHECK_STR(sim_requests(t->s), "metadata/1.A.json\n");
    CHECK_STR(ct_state(t), "A=1 root=1 snapshot=2 targets=2 timestamp=2");
    /* A non-matching terminating delegation changes nothing. */
    const char *docs[] = {"docs/*", NULL};
    sim_delegate(t->s, "targets", "T", docs, true);
    json_t *roles = json_object_get(json_object_get(sim_signed(t->s, "targets"), "delegations"), "roles");
    json_array_insert(roles, 0, json_array_get(roles, 2)); /* T first, then A and B */
    json_array_remove(roles, 3);
    json_object_set_new(json_array_get(roles, 1), "terminating", json_false());
    sim_publish(t->s, "T");
    sim_update(t->s, "targets");
    ct_reopen(t);
    CHECK_OK(ct_refresh(t));
    sim_reset_requests(t->s);
    CHECK_OK(ct_find(t, "file.txt"));
    /* A comes from the folder (still valid under targets v3); B is fetched. */
    CHECK_STR(sim_requests(t->s), "metadata/1.B.json\n");
    CHECK_STR(ct_state(t), "A=1 B=1 root=1 snapshot=3 targets=3 timestamp=3");
}

/* S43: a chain deeper than max_delegations: the search visits at most that
 * many roles (the top-level targets role counts as one). */
CT_TEST(test_s43_max_delegations_chain)
{
    const char *all[] = {"*", NULL};
    const char *chain[] = {"targets", "R1", "R2", "R3", "R4", "R5"};
    for (int i = 1; i < 6; i++)
        sim_delegate(t->s, chain[i - 1], chain[i], all, false);
    add_file(t->s, "R5", "deep.txt");
    add_file(t->s, "R2", "shallow.txt");
    for (int i = 1; i < 6; i++)
        sim_publish(t->s, chain[i]);
    sim_update(t->s, "targets");
    t->o.max_delegations = 3;
    ct_reopen(t);
    CHECK_OK(ct_refresh(t));
    sim_reset_requests(t->s);
    CHECK_RC(ct_find(t, "deep.txt"), RAMPART_ENOTFOUND);
    CHECK_ERR(t, RAMPART_ENOTFOUND, "", "target 'deep.txt' not found within 3 delegated roles");
    CHECK_STR(sim_requests(t->s), "metadata/1.R1.json\nmetadata/1.R2.json\n");
    CHECK_OK(ct_find(t, "shallow.txt"));
    /* The default (32) reaches R5. */
    t->o.max_delegations = 0;
    ct_reopen(t);
    sim_reset_requests(t->s);
    CHECK_OK(ct_find(t, "deep.txt"));
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\nmetadata/1.R3.json\n"
                                  "metadata/1.R4.json\nmetadata/1.R5.json\n");
}

/* S43: forty sibling delegations: the default bound visits targets + 31. */
CT_TEST(test_s43_max_delegations_wide)
{
    const char *all[] = {"*", NULL};
    char want[4096] = "", name[16];
    size_t used = 0;
    for (int i = 1; i <= 40; i++) {
        snprintf(name, sizeof(name), "R%02d", i);
        sim_delegate(t->s, "targets", name, all, false);
        if (i <= 31)
            used += (size_t)snprintf(want + used, sizeof(want) - used, "metadata/1.%s.json\n", name);
    }
    for (int i = 1; i <= 40; i++) {
        snprintf(name, sizeof(name), "R%02d", i);
        sim_publish(t->s, name);
    }
    sim_update(t->s, "targets");
    CHECK_OK(ct_refresh(t));
    sim_reset_requests(t->s);
    CHECK_RC(ct_find(t, "missing"), RAMPART_ENOTFOUND);
    CHECK_ERR(t, RAMPART_ENOTFOUND, "", "not found within 32 delegated roles");
    CHECK_STR(sim_requests(t->s), want);
}

/* path_hash_prefixes: only a delegation whose prefix starts the hex SHA-256
 * of the path is consulted. */
CT_TEST(test_path_hash_prefixes)
{
    const char *path = "pkg/app-1.0.tgz";
    char hex[65];
    ct_sha256_hex(path, strlen(path), hex);
    char good[3] = {hex[0], hex[1], '\0'};
    char bad[3] = {hex[0] == '0' ? '1' : '0', hex[1], '\0'};
    sim_delegate(t->s, "targets", "WRONG", NULL, false);
    sim_delegate(t->s, "targets", "RIGHT", NULL, false);
    json_t *roles = json_object_get(json_object_get(sim_signed(t->s, "targets"), "delegations"), "roles");
    json_object_set_new(json_array_get(roles, 0), "path_hash_prefixes", json_pack("[s]", bad));
    json_object_set_new(json_array_get(roles, 1), "path_hash_prefixes", json_pack("[s,s]", "", good));
    /* An empty prefix matches every path: make RIGHT's list carry only the good one. */
    json_array_remove(json_object_get(json_array_get(roles, 1), "path_hash_prefixes"), 0);
    add_file(t->s, "WRONG", path);
    add_file(t->s, "RIGHT", path);
    sim_publish(t->s, "WRONG");
    sim_publish(t->s, "RIGHT");
    sim_update(t->s, "targets");
    CHECK_OK(ct_refresh(t));
    sim_reset_requests(t->s);
    rampart_target *tg = NULL;
    CHECK_OK(rampart_client_get_target_info(t->c, path, &tg));
    CHECK_STR(rampart_target_role(tg), "RIGHT");
    rampart_target_free(tg);
    CHECK_STR(sim_requests(t->s), "metadata/1.RIGHT.json\n");
    /* A path whose hash starts otherwise reaches neither role. */
    sim_reset_requests(t->s);
    const char *other = "other-path";
    char ohex[65];
    ct_sha256_hex(other, strlen(other), ohex);
    CHECK(strncmp(ohex, good, 2) != 0 && strncmp(ohex, bad, 2) != 0);
    CHECK_RC(ct_find(t, other), RAMPART_ENOTFOUND);
    CHECK_STR(sim_requests(t->s), "");
}

int main(void)
{
    RUN(test_graph_traversal);
    RUN(test_targetfile_search);
    RUN(test_s40_terminating_stops_search);
    RUN(test_s43_max_delegations_chain);
    RUN(test_s43_max_delegations_wide);
    RUN(test_path_hash_prefixes);
    return th_summary("test_client_search");
}
