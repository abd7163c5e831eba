/*
 * test_client_targets.c - top-level and delegated targets metadata (TUF
 * §5.6) against a simulated hostile repository: docs/security-matrix.md
 * scenarios S34-S38 and S44-S46 (the search order, S39-S43, is in
 * test_client_search.c).  Each test asserts the return code, the last error,
 * the requests and the exact bytes left in the metadata folder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "client/client_internal.h"
#include "ctest_util.h"
#include "util/banned.h"

static const char *const ALL[] = {"*", NULL};

/* Replaces the newest bytes of `role` with a copy where one whitespace byte
 * changed (same length, same signatures) or, with `shorter`, was removed. */
static void tamper_latest(sim *s, const char *role, bool shorter)
{
    size_t len;
    const uint8_t *b = sim_version_bytes(s, role, sim_version(s, role), &len);
    char *c = malloc(len + 1);
    if (c == NULL)
        abort();
    memcpy(c, b, len);
    c[len] = '\0';
    char *nl = strstr(c, "\n ");
    if (nl == NULL)
        abort();
    if (shorter)
        memmove(nl + 1, nl + 2, len - (size_t)(nl + 2 - c));
    else
        nl[1] = '\t';
    sim_replace_latest(s, role, c, shorter ? len - 1 : len);
    free(c);
}

/* S34: targets.json does not match the snapshot's hash. */
CT_TEST(test_s34_targets_hash_mismatch)
{
    sim_set_meta_hashes(t->s, true);
    sim_update(t->s, "targets");
    CHECK_OK(ct_refresh(t));
    sim_publish(t->s, "targets");
    json_t *mf = json_object_get(json_object_get(sim_signed(t->s, "snapshot"), "meta"), "targets.json");
    json_object_set_new(json_object_get(mf, "hashes"), "sha256",
                        json_string("0000000000000000000000000000000000000000000000000000000000000000"));
    sim_publish(t->s, "snapshot");
    sim_publish(t->s, "timestamp");
    sim_reset_requests(t->s);
    CHECK_RC(ct_refresh(t), RAMPART_EMISMATCH);
    CHECK_ERR(t, RAMPART_EMISMATCH, "targets", "targets does not match its sha256 hash");
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\nmetadata/3.snapshot.json\n"
                                  "metadata/3.targets.json\n");
    CHECK_STR(ct_state(t), "root=1 snapshot=3 targets=2 timestamp=3");
}

/* S34: the length differs from the snapshot's. */
CT_TEST(test_s34_targets_length_mismatch)
{
    sim_set_meta_hashes(t->s, true);
    sim_update(t->s, "targets");
    tamper_latest(t->s, "targets", true);
    size_t len;
    (void)sim_version_bytes(t->s, "targets", 2, &len);
    CHECK_RC(ct_refresh(t), RAMPART_EMISMATCH);
    char want[96];
    snprintf(want, sizeof(want), "targets is %zu bytes, expected %zu", len, len + 1);
    CHECK_ERR(t, RAMPART_EMISMATCH, "targets", want);
    CHECK_STR(ct_state(t), "root=1 snapshot=2 timestamp=2");
}

/* S34: 2.targets.json holds version 3. */
CT_TEST(test_s34_targets_version_mismatch)
{
    CHECK_OK(ct_refresh(t));
    sim_update(t->s, "targets");
    sim_publish(t->s, "targets");
    size_t len;
    const uint8_t *v3 = sim_version_bytes(t->s, "targets", 3, &len);
    sim_serve_bytes(t->s, "metadata/2.targets.json", v3, len);
    CHECK_RC(ct_refresh(t), RAMPART_EMISMATCH);
    CHECK_ERR(t, RAMPART_EMISMATCH, "targets", "targets version 3, but the snapshot names version 2");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=1 timestamp=2");
    /* ... or is not found at all. */
    sim_serve_status(t->s, "metadata/2.targets.json", RAMPART_ENOTFOUND);
    sim_reset_requests(t->s);
    CHECK_RC(ct_refresh(t), RAMPART_ENOTFOUND);
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\nmetadata/2.targets.json\n");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=1 timestamp=2");
}

/* S35: expired top-level targets. */
CT_TEST(test_s35_targets_expired)
{
    CHECK_OK(ct_refresh(t));
    sim_set_expires(t->s, "targets", SIM_NOW - 1);
    sim_update(t->s, "targets");
    CHECK_RC(ct_refresh(t), RAMPART_EEXPIRED);
    CHECK_ERR(t, RAMPART_EEXPIRED, "targets", "targets metadata version 2 expired at 2030-05-31T23:59:59Z");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=1 timestamp=2");
}

/* A repository where targets delegates A ("*"), which lists a.txt. */
static void delegate_a(sim *s)
{
    sim_delegate(s, "targets", "A", ALL, false);
    sim_add_target(s, "A", "a.txt", "aaa", 3);
}

/* S36: an expired delegated role is rejected and not persisted. */
CT_TEST(test_s36_delegated_expired)
{
    delegate_a(t->s);
    sim_set_expires(t->s, "A", SIM_NOW);
    sim_publish(t->s, "A");
    sim_update(t->s, "targets");
    CHECK_OK(ct_refresh(t));
    sim_reset_requests(t->s);
    CHECK_RC(ct_find(t, "a.txt"), RAMPART_EEXPIRED);
    CHECK_ERR(t, RAMPART_EEXPIRED, "A", "A metadata version 1 expired");
    CHECK_STR(sim_requests(t->s), "metadata/1.A.json\n");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=2 timestamp=2");
}

/* S36: a delegated role whose hash or length differs from the snapshot's. */
CT_TEST(test_s36_delegated_hash_and_length)
{
    sim_set_meta_hashes(t->s, true);
    delegate_a(t->s);
    sim_publish(t->s, "A");
    sim_update(t->s, "targets");
    tamper_latest(t->s, "A", false);
    CHECK_OK(ct_refresh(t));
    CHECK_RC(ct_find(t, "a.txt"), RAMPART_EMISMATCH);
    CHECK_ERR(t, RAMPART_EMISMATCH, "A", "A does not match its sha256 hash");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=2 timestamp=2");
    tamper_latest(t->s, "A", true);
    CHECK_RC(ct_find(t, "a.txt"), RAMPART_EMISMATCH);
    CHECK_ERR(t, RAMPART_EMISMATCH, "A", "A is ");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=2 timestamp=2");
}

/* S37: a delegated threshold of 2 met only by a duplicated signature. */
CT_TEST(test_s37_delegated_duplicate_signature)
{
    delegate_a(t->s);
    sim_set_threshold(t->s, "targets", "A", 2);
    sim_add_key(t->s, "targets", "A");
    sim_publish(t->s, "A");
    json_t *doc = ct_doc(t->s, "A", 1);
    json_array_remove(json_object_get(doc, "signatures"), 1);
    ct_dup_sig(doc, NULL);
    ct_replace_json(t->s, "A", doc);
    sim_update(t->s, "targets");
    CHECK_OK(ct_refresh(t));
    CHECK_RC(ct_find(t, "a.txt"), RAMPART_EFORMAT);
    CHECK_ERR(t, RAMPART_EFORMAT, "A", "signatures lists keyid");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=2 timestamp=2");
}

/* S37: ... or by one key listed under two keyids. */
CT_TEST(test_s37_delegated_duplicate_key)
{
    delegate_a(t->s);
    json_t *del = json_object_get(sim_signed(t->s, "targets"), "delegations");
    const char *kid = ct_keyid_of(t->s, "targets", "A");
    json_object_set_new(json_object_get(del, "keys"), "alias",
                        json_deep_copy(json_object_get(json_object_get(del, "keys"), kid)));
    json_array_append_new(json_object_get(json_array_get(json_object_get(del, "roles"), 0), "keyids"),
                          json_string("alias"));
    sim_set_threshold(t->s, "targets", "A", 2);
    sim_publish(t->s, "A");
    json_t *doc = ct_doc(t->s, "A", 1);
    ct_dup_sig(doc, "alias");
    ct_replace_json(t->s, "A", doc);
    sim_update(t->s, "targets");
    CHECK_OK(ct_refresh(t));
    CHECK_RC(ct_find(t, "a.txt"), RAMPART_EBADSIG);
    CHECK_ERR(t, RAMPART_EBADSIG, "A", "signature threshold not met for 'A' (1 of 2)");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=2 timestamp=2");
}

/* S38: a delegated role the snapshot does not list is not downloaded. */
CT_TEST(test_s38_delegated_not_in_snapshot)
{
    const char *paths[] = {"delegatedpath/*", NULL};
    sim_delegate(t->s, "targets", "A", paths, false);
    sim_publish(t->s, "A");
    json_object_del(json_object_get(sim_signed(t->s, "snapshot"), "meta"), "A.json");
    sim_update(t->s, "targets");
    CHECK_OK(ct_refresh(t));
    ct_reopen(t);
    sim_reset_requests(t->s);
    CHECK_RC(ct_find(t, "delegatedpath/foo"), RAMPART_ENOTFOUND);
    CHECK_ERR(t, RAMPART_ENOTFOUND, "A", "snapshot does not list role 'A'");
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\n");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=2 timestamp=2");
}

/* S44: role "release" is delegated by parent-a (paths team-a/...) and
 * parent-b (team-b/...) but signed only with parent-a's key: a lookup through parent-b
 * must verify it against parent-b's key, also after it was verified (and
 * stored) through parent-a in the same process. */
CT_TEST(test_s44_diamond_verified_per_delegator)
{
    const char *pa[] = {"team-a/*", NULL}, *pb[] = {"team-b/*", NULL};
    sim_delegate(t->s, "targets", "parent-a", pa, false);
    sim_delegate(t->s, "targets", "parent-b", pb, false);
    sim_delegate(t->s, "parent-a", "release", pa, false);
    sim_delegate(t->s, "parent-b", "release", pb, false);
    rprivkey *ka = sim_signer(t->s, "release", 0);
    sim_clear_signers(t->s, "release");
    sim_add_signer(t->s, "release", ka);
    sim_add_target(t->s, "release", "team-a/trusted_root.json", "trusted A", 9);
    sim_add_target(t->s, "release", "team-b/trusted_root.json", "malicious B", 11);
    sim_publish(t->s, "release");
    sim_publish(t->s, "parent-a");
    sim_publish(t->s, "parent-b");
    sim_update(t->s, "targets");
    CHECK_OK(ct_download(t, "team-a/trusted_root.json"));
    sim_reset_requests(t->s);
    CHECK_RC(ct_download(t, "team-b/trusted_root.json"), RAMPART_EBADSIG);
    CHECK_ERR(t, RAMPART_EBADSIG, "release", "signature threshold not met for 'release' (0 of 1)");
    /* The stored copy was tried through parent-b, failed, and was fetched anew. */
    CHECK_STR(sim_requests(t->s), "metadata/1.parent-b.json\nmetadata/1.release.json\n");
    CHECK_STR(ct_tree(t, t->tdir), "team-a/ team-a/trusted_root.json");
    CHECK(ct_file_is(t->tdir, "team-a/trusted_root.json", "trusted A", 9));
    CHECK_STR(ct_state(t), "parent-a=1 parent-b=1 release=1 root=1 snapshot=2 targets=2 timestamp=2");
    /* A new process starting with team-b also refuses. */
    ct_reopen(t);
    CHECK_RC(ct_find(t, "team-b/trusted_root.json"), RAMPART_EBADSIG);
}

/* S45: role names that are not file names: percent-encoded in the URL and the
 * file name, which stays inside the metadata folder. */
typedef struct name_case {
    const char *name, *encoded;
    int rc; /* of the lookup */
} name_case;

static const name_case names[] = {
    {"?", "%3F", RAMPART_ENOTFOUND},
    {"#", "%23", RAMPART_ENOTFOUND},
    {"/delegatedrole", "%2Fdelegatedrole", RAMPART_ENOTFOUND},
    {"../delegatedrole", "..%2Fdelegatedrole", RAMPART_ENOTFOUND},
    {"..", "..", RAMPART_ENOTFOUND},
    {".", ".", RAMPART_ENOTFOUND},
    {"%2e%2e", "%252e%252e", RAMPART_ENOTFOUND},
    {"a\x01\x1f\x7f"
     "b",
     "a%01%1F%7Fb", RAMPART_ENOTFOUND},
    {"sp ace\\x", "sp%20ace%5Cx", RAMPART_ENOTFOUND},
    {"\xc3\xbcml", "%C3%BCml", RAMPART_ENOTFOUND},
    /* Never written under a temporary-file name. */
    {".rampart-tmp-x", ".rampart-tmp-x", RAMPART_EPATH},
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_name(ctest *t, const name_case *nc)
{
    sim_delegate(t->s, "targets", nc->name, ALL, false);
    sim_publish(t->s, nc->name);
    sim_update(t->s, "targets");
    CHECK_OK(ct_refresh(t));
    sim_reset_requests(t->s);
    CHECK_RC(ct_find(t, "nonexistent target"), nc->rc);
    char want[256];
    snprintf(want, sizeof(want), "metadata/1.%s.json\n", nc->encoded);
    CHECK_STR(sim_requests(t->s), want);
    /* Exactly the five roles, all inside the metadata folder. */
    char entry[128];
    snprintf(entry, sizeof(entry), "%s=1", nc->encoded);
    const char *files[] = {nc->rc == 0 || nc->rc == RAMPART_ENOTFOUND ? entry : NULL, "root=1", "snapshot=2",
                           "targets=2", "timestamp=2"};
    const char *sorted[5];
    size_t n = 0;
    for (int i = 0; i < 5; i++)
        if (files[i] != NULL)
            sorted[n++] = files[i];
    qsort(sorted, n, sizeof(char *), cmp_str);
    char state[512] = "";
    for (size_t i = 0, used = 0; i < n; i++)
        used += (size_t)snprintf(state + used, sizeof(state) - used, "%s%s", i ? " " : "", sorted[i]);
    CHECK_STR(ct_state(t), state);
    const char *tree = ct_tree(t, t->base);
    CHECK(strncmp(tree, "metadata/ ", 10) == 0);
    CHECK(strstr(tree, " targets/") != NULL && strcmp(strstr(tree, " targets/"), " targets/") == 0);
}

static void test_s45_unusual_role_names(void)
{
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        int before = th_failed_checks;
        ctest t;
        ct_setup(&t);
        run_name(&t, &names[i]);
        ct_teardown(&t);
        if (th_failed_checks != before)
            fprintf(stderr, "  (role name case %s)\n", names[i].encoded);
    }
}

/* TUF 4.5 ROLENAME: a delegated role named like a top-level role's file
 * ("ROOT", which a case-insensitive file system stores as root.json; or
 * "2.root", whose metadata would be fetched from 2.root.json, root version
 * 2's file, without consistent snapshots) is refused with the targets
 * metadata that delegates to it: nothing of it is requested or stored. */
CT_TEST(test_delegated_role_named_like_a_top_level_file)
{
    static const struct {
        const char *name, *msg;
    } cases[] = {
        {"ROOT", "malformed targets metadata: a delegated role may not be named \"ROOT\": on a case-insensitive "
                 "file system its metadata would replace root.json"},
        {"Timestamp", "malformed targets metadata: a delegated role may not be named \"Timestamp\": on a "
                      "case-insensitive file system its metadata would replace timestamp.json"},
        {"2.root", "malformed targets metadata: a delegated role may not be named \"2.root\": its metadata file "
                   "2.root.json would be that of root version 2"},
        {"17.SnapShot", "malformed targets metadata: a delegated role may not be named \"17.SnapShot\": its metadata "
                        "file 17.SnapShot.json would be that of snapshot version 17"},
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(cases); i++) {
        if (i > 0) { /* a fresh repository and client for each name */
            ct_teardown(t);
            ct_setup(t);
        }
        sim_delegate(t->s, "targets", cases[i].name, ALL, false);
        sim_publish(t->s, cases[i].name);
        sim_update(t->s, "targets");
        sim_reset_requests(t->s);
        CHECK_RC(ct_refresh(t), RAMPART_EFORMAT);
        CHECK_ERR(t, RAMPART_EFORMAT, "targets", cases[i].msg);
        CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\nmetadata/2.snapshot.json\n"
                                      "metadata/2.targets.json\n");
        CHECK_STR(ct_state(t), "root=1 snapshot=2 timestamp=2");
    }
}

/* S45: a role name whose file name would pass NAME_MAX is refused before any request. */
CT_TEST(test_s45_role_name_too_long)
{
    char name[301];
    memset(name, 'r', 300);
    name[300] = '\0';
    sim_delegate(t->s, "targets", name, ALL, false);
    sim_publish(t->s, name);
    sim_update(t->s, "targets");
    CHECK_OK(ct_refresh(t));
    sim_reset_requests(t->s);
    CHECK_RC(ct_find(t, "x"), RAMPART_EPATH);
    CHECK_STR(sim_requests(t->s), "");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=2 timestamp=2");
}

/* S46 (TAP 15): a target is looked up only in its own hash bin. */
CT_TEST(test_s46_succinct_bins)
{
    const char *path = "pkg/app-1.0.tgz";
    char bin[64], other[64];
    sim_delegate_succinct(t->s, "targets", "bins", 2);
    sim_succinct_bin("bins", 2, path, bin, sizeof(bin));
    snprintf(other, sizeof(other), "bins-%x", (unsigned)((bin[5] - '0') ^ 1));
    sim_add_target(t->s, bin, path, "good", 4);
    sim_add_target(t->s, other, "pkg/other.tgz", "x", 1);
    for (int i = 0; i < 4; i++) {
        char b[16];
        snprintf(b, sizeof(b), "bins-%d", i);
        sim_publish(t->s, b);
    }
    sim_update(t->s, "targets");
    CHECK_OK(ct_refresh(t));
    sim_reset_requests(t->s);
    rampart_target *tg = NULL;
    CHECK_OK(rampart_client_get_target_info(t->c, path, &tg));
    CHECK_STR(rampart_target_role(tg), bin);
    CHECK_OK(rampart_client_download_target(t->c, tg, t->tdir, NULL));
    rampart_target_free(tg);
    char want[1024], treq[512];
    ct_target_req(treq, sizeof(treq), path, "good", 4);
    snprintf(want, sizeof(want), "metadata/1.%s.json\n%s\n", bin, treq);
    CHECK_STR(sim_requests(t->s), want);
    CHECK(ct_file_is(t->tdir, path, "good", 4));
}

/* S46: a path listed in a bin other than its own is not found; only the
 * path's own bin is requested. */
CT_TEST(test_s46_target_in_wrong_bin)
{
    const char *path = "pkg/app-1.0.tgz";
    char bin[64], other[64];
    sim_delegate_succinct(t->s, "targets", "bins", 2);
    sim_succinct_bin("bins", 2, path, bin, sizeof(bin));
    snprintf(other, sizeof(other), "bins-%x", (unsigned)((bin[5] - '0') ^ 1));
    sim_add_target(t->s, other, path, "evil", 4);
    for (int i = 0; i < 4; i++) {
        char b[16];
        snprintf(b, sizeof(b), "bins-%d", i);
        sim_publish(t->s, b);
    }
    sim_update(t->s, "targets");
    CHECK_OK(ct_refresh(t));
    sim_reset_requests(t->s);
    CHECK_RC(ct_find(t, path), RAMPART_ENOTFOUND);
    char want[128];
    snprintf(want, sizeof(want), "metadata/1.%s.json\n", bin);
    CHECK_STR(sim_requests(t->s), want);
}

/* S46: asked for a role the succinct delegation does not define (a bin out of
 * range, a wrong width, another name) the client refuses without a request,
 * even when the snapshot lists it. */
CT_TEST(test_s46_undelegated_bin_name)
{
    sim_delegate_succinct(t->s, "targets", "bins", 2);
    const char *bad[] = {"bins-4", "bins-00", "bins-g", "bins", "other"};
    json_t *meta = json_object_get(sim_signed(t->s, "snapshot"), "meta");
    for (int i = 0; i < 5; i++) {
        char f[32];
        snprintf(f, sizeof(f), "%s.json", bad[i]);
        json_object_set_new(meta, f, json_pack("{s:i}", "version", 1));
    }
    sim_update(t->s, "targets");
    CHECK_OK(ct_refresh(t));
    const tuf_md *targets = tuf_trusted_find_targets(t->c->trusted, "targets", NULL);
    CHECK(targets != NULL);
    rstore st;
    CHECK_OK(rstore_open(&st, t->mdir, false, 1000, NULL));
    sim_reset_requests(t->s);
    for (int i = 0; i < 5; i++) {
        const tuf_md *md = NULL;
        int rc = rclient_load_targets(t->c, &st, bad[i], targets, &md, NULL);
        if (rc != RAMPART_ENOTFOUND) {
            rstore_close(&st);
            CHECK_RC(rc, RAMPART_ENOTFOUND);
        }
        char want[96];
        snprintf(want, sizeof(want), "role '%s' is not delegated by its parent", bad[i]);
        if (strstr(t->c->err.message, want) == NULL) {
            rstore_close(&st);
            CHECK_STR(t->c->err.message, want);
        }
    }
    /* A real bin passes that check (and then is not found on the server). */
    const tuf_md *md = NULL;
    int rc = rclient_load_targets(t->c, &st, "bins-3", targets, &md, NULL);
    rstore_close(&st);
    CHECK_RC(rc, RAMPART_ENOTFOUND);
    CHECK_STR(t->c->err.message, "snapshot does not list role 'bins-3'");
    CHECK_STR(sim_requests(t->s), "");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=2 timestamp=2");
}

int main(void)
{
    RUN(test_s34_targets_hash_mismatch);
    RUN(test_s34_targets_length_mismatch);
    RUN(test_s34_targets_version_mismatch);
    RUN(test_s35_targets_expired);
    RUN(test_s36_delegated_expired);
    RUN(test_s36_delegated_hash_and_length);
    RUN(test_s37_delegated_duplicate_signature);
    RUN(test_s37_delegated_duplicate_key);
    RUN(test_s38_delegated_not_in_snapshot);
    RUN(test_s44_diamond_verified_per_delegator);
    RUN(test_s45_unusual_role_names);
    RUN(test_s45_role_name_too_long);
    RUN(test_delegated_role_named_like_a_top_level_file);
    RUN(test_s46_succinct_bins);
    RUN(test_s46_target_in_wrong_bin);
    RUN(test_s46_undelegated_bin_name);
    return th_summary("test_client_targets");
}
