/*
 * test_client_misc.c - the client around the TUF checks: the request
 * sequences of plain refreshes, the initial trusted root (S16) and a
 * corrupt local root, torn local files (F3), the folder lock, mirrors (S66),
 * expiry judged by the configured clock (S67), and allocation failures at
 * every site of a refresh (F10).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "ctest_util.h"
#include "rampart/alloc.h"
#include "util/banned.h"

#define FIRST_REFRESH                                                                                                  \
    "metadata/2.root.json\nmetadata/timestamp.json\nmetadata/1.snapshot.json\nmetadata/1.targets.json\n"
#define ALL_V1 "root=1 snapshot=1 targets=1 timestamp=1"

/* A fresh repository: exactly four requests, the four files as served. */
CT_TEST(test_fresh_refresh_requests)
{
    CHECK_OK(ct_refresh(t));
    CHECK_STR(sim_requests(t->s), FIRST_REFRESH);
    CHECK_STR(ct_state(t), ALL_V1);
    const char *roles[] = {"root", "timestamp", "snapshot", "targets"};
    for (int i = 0; i < 4; i++) {
        rampart_role_status st;
        CHECK_OK(rampart_client_role_status(t->c, roles[i], &st));
        CHECK_INT(st.version, 1);
        CHECK_INT(st.version_before, i == 0 ? 1 : 0);
        CHECK_INT(st.updated, i == 0 ? 0 : 1);
        CHECK_INT(st.expires, SIM_NOW + 30 * SIM_DAY);
    }
    /* Nothing new: the root probe and the timestamp only, in this process and the next. */
    sim_reset_requests(t->s);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\n");
    ct_reopen(t);
    sim_reset_requests(t->s);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\n");
    CHECK_STR(ct_state(t), ALL_V1);
    rampart_role_status st;
    CHECK_OK(rampart_client_role_status(t->c, "snapshot", &st));
    CHECK_INT(st.version_before, 1);
    CHECK_INT(st.updated, 0);
    CHECK_RC(rampart_client_role_status(t->c, "delegated", &st), RAMPART_EINVAL);
}

/* A lookup refreshes first; a missing target does not undo the refresh. */
CT_TEST(test_implicit_refresh)
{
    CHECK_RC(ct_find(t, "nonexistent artifact"), RAMPART_ENOTFOUND);
    CHECK_ERR(t, RAMPART_ENOTFOUND, "", "no trusted role lists target 'nonexistent artifact'");
    CHECK_STR(sim_requests(t->s), FIRST_REFRESH);
    CHECK_STR(ct_state(t), ALL_V1);
}

/* S16: bootstrap refuses a root that does not parse or is not signed by a
 * threshold of its own keys, and writes nothing; the same bytes placed in
 * the folder by other means make every refresh fail with no request. */
CT_TEST(test_s16_unusable_initial_root)
{
    json_t *noversion = ct_doc(t->s, "root", 1);
    json_object_del(json_object_get(noversion, "signed"), "version");
    char *t1 = json_dumps(noversion, JSON_COMPACT);
    json_decref(noversion);
    json_t *badsig = ct_doc(t->s, "root", 1);
    size_t tslen;
    json_t *other = ct_doc(t->s, "timestamp", 1); /* a signature over other bytes */
    json_object_set(json_array_get(json_object_get(badsig, "signatures"), 0), "sig",
                    json_object_get(json_array_get(json_object_get(other, "signatures"), 0), "sig"));
    json_decref(other);
    char *t2 = json_dumps(badsig, JSON_INDENT(1));
    json_decref(badsig);
    const uint8_t *ts = sim_version_bytes(t->s, "timestamp", 1, &tslen);
    struct {
        const void *data;
        size_t len;
        int rc;
    } cases[] = {
        {t1, strlen(t1), RAMPART_EFORMAT},     {t2, strlen(t2), RAMPART_EBADSIG}, {"", 0, RAMPART_EFORMAT},
        {"{\"signed\":", 10, RAMPART_EFORMAT}, {ts, tslen, RAMPART_EFORMAT},
    };
    char fresh[8192];
    snprintf(fresh, sizeof(fresh), "%s/fresh", t->base);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rampart_error err;
        CHECK_RC(rampart_client_bootstrap(fresh, cases[i].data, cases[i].len, 0, &err), cases[i].rc);
        CHECK_INT(err.code, cases[i].rc);
        struct stat sb;
        CHECK(stat(fresh, &sb) != 0); /* refused before the folder was even created */
        sim_write_file(t->mdir, "root.json", cases[i].data, cases[i].len);
        ct_reopen(t);
        CHECK_RC(ct_refresh(t), cases[i].rc);
        CHECK_ERR(t, cases[i].rc, "root", "is unusable");
        CHECK_RC(ct_find(t, "x"), cases[i].rc);
        CHECK_STR(sim_requests(t->s), "");
    }
    free(t1);
    free(t2);
    /* The folder keeps its root unless told to replace it. */
    size_t len;
    const uint8_t *r1 = sim_version_bytes(t->s, "root", 1, &len);
    rampart_error err;
    CHECK_OK(rampart_client_bootstrap(fresh, r1, len, 0, NULL));
    CHECK_RC(rampart_client_bootstrap(fresh, r1, len, 0, &err), RAMPART_EEXIST);
    CHECK_OK(rampart_client_bootstrap(fresh, r1, len, 1, &err));
    CHECK(ct_file_is(fresh, "root.json", r1, len));
}

/* F4: a torn, missing or non-regular local root fails closed, before any request. */
CT_TEST(test_corrupt_local_root)
{
    CHECK_OK(ct_refresh(t));
    size_t len;
    const uint8_t *r1 = sim_version_bytes(t->s, "root", 1, &len);
    sim_write_file(t->mdir, "root.json", r1, len / 2);
    sim_reset_requests(t->s);
    CHECK_RC(ct_refresh(t), RAMPART_EFORMAT);
    CHECK_ERR(t, RAMPART_EFORMAT, "root", "is unusable");
    char p[8192];
    snprintf(p, sizeof(p), "%s/root.json", t->mdir);
    CHECK_INT(unlink(p), 0);
    CHECK_RC(ct_refresh(t), RAMPART_ENOTFOUND);
    CHECK_ERR(t, RAMPART_ENOTFOUND, "root", "no trusted root in");
    char real[8192];
    snprintf(real, sizeof(real), "%s/elsewhere.json", t->base);
    sim_write_file(t->base, "elsewhere.json", r1, len);
    CHECK_INT(symlink(real, p), 0);
    CHECK_RC(ct_refresh(t), RAMPART_EPATH);
    CHECK_INT(unlink(p), 0);
    CHECK_INT(mkdir(p, 0700), 0);
    CHECK_RC(ct_refresh(t), RAMPART_EPATH);
    CHECK_STR(sim_requests(t->s), "");
    CHECK_INT(rmdir(p), 0);
    CHECK_STR(ct_state(t), "snapshot=1 targets=1 timestamp=1");
}

/* F3: a torn or garbage local timestamp, snapshot, targets or delegated role
 * is treated as absent and fetched again; never sticky, never trusted. */
CT_TEST(test_f3_torn_local_files)
{
    const char *all[] = {"*", NULL};
    sim_delegate(t->s, "targets", "A", all, false);
    sim_publish(t->s, "A");
    sim_update(t->s, "targets");
    CHECK_RC(ct_find(t, "x"), RAMPART_ENOTFOUND);
    const char *full = "A=1 root=1 snapshot=2 targets=2 timestamp=2";
    CHECK_STR(ct_state(t), full);
    const char *files[] = {"timestamp", "snapshot", "targets", "A"};
    const char *refetch[] = {"", "metadata/2.snapshot.json\n", "metadata/2.targets.json\n", "metadata/1.A.json\n"};
    size_t rlen;
    const uint8_t *root = sim_version_bytes(t->s, "root", 1, &rlen);
    for (int f = 0; f < 4; f++) {
        size_t len;
        const uint8_t *good = sim_version_bytes(t->s, files[f], sim_version(t->s, files[f]), &len);
        const struct {
            const void *p;
            size_t n;
        } junk[] = {{good, len / 2}, {"", 0}, {"\x00\xff garbage", 10}, {"{}", 2}, {root, rlen}};
        for (size_t j = 0; j < sizeof(junk) / sizeof(junk[0]); j++) {
            char name[64];
            snprintf(name, sizeof(name), "%s.json", files[f]);
            sim_write_file(t->mdir, name, junk[j].p, junk[j].n);
            ct_reopen(t);
            sim_reset_requests(t->s);
            CHECK_RC(ct_find(t, "x"), RAMPART_ENOTFOUND);
            char want[512];
            snprintf(want, sizeof(want), "metadata/2.root.json\nmetadata/timestamp.json\n%s", refetch[f]);
            CHECK_STR(sim_requests(t->s), want);
            CHECK_STR(ct_state(t), full);
        }
    }
}

/* A local file that is a symlink is neither read nor written through. */
CT_TEST(test_symlinked_local_file)
{
    CHECK_OK(ct_refresh(t));
    sim_write_file(t->base, "outside", "keep", 4);
    char target[8192], link[8192];
    snprintf(target, sizeof(target), "%s/outside", t->base);
    snprintf(link, sizeof(link), "%s/timestamp.json", t->mdir);
    CHECK_INT(unlink(link), 0);
    CHECK_INT(symlink(target, link), 0);
    sim_publish(t->s, "timestamp");
    CHECK_OK(ct_refresh(t));
    CHECK(ct_file_is(t->base, "outside", "keep", 4));
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=2");
}

/* The folder lock: a second updater waits up to lock_timeout_ms, then ELOCKED. */
CT_TEST(test_folder_locked)
{
    char p[8192];
    snprintf(p, sizeof(p), "%s/.rampart.lock", t->mdir);
    int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    CHECK(fd >= 0);
    CHECK_INT(flock(fd, LOCK_EX | LOCK_NB), 0);
    t->o.lock_timeout_ms = 60;
    ct_reopen(t);
    int rc1 = ct_refresh(t);
    rampart_error e1 = *rampart_client_last_error(t->c);
    int rc2 = ct_find(t, "x");
    close(fd);
    CHECK_RC(rc1, RAMPART_ELOCKED);
    CHECK_INT(e1.code, RAMPART_ELOCKED);
    CHECK(strstr(e1.message, "is in use by another updater") != NULL);
    CHECK_RC(rc2, RAMPART_ELOCKED);
    CHECK_STR(sim_requests(t->s), "");
    CHECK_STR(ct_state(t), "root=1");
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), ALL_V1);
}

/* ---- S66: mirrors ----------------------------------------------------- */

static const char *const two_murls[] = {SIM_METADATA_URL, SIM_MIRROR2_METADATA_URL};
static const char *const two_turls[] = {SIM_TARGETS_URL, SIM_MIRROR2_TARGETS_URL};

static void two_mirrors(ctest *t)
{
    t->o.metadata_urls = two_murls;
    t->o.metadata_url_count = 2;
    t->o.target_urls = two_turls;
    t->o.target_url_count = 2;
    ct_reopen(t);
}

/* Unsigned copies of the timestamp, served by `path`'s host. */
static void serve_unsigned_timestamp(ctest *t, const char *path)
{
    json_t *doc = ct_doc(t->s, "timestamp", sim_version(t->s, "timestamp"));
    json_array_clear(json_object_get(doc, "signatures"));
    ct_serve_json(t->s, path, doc);
}

/* S66: a tampering first mirror; the second is used and fully verified. */
CT_TEST(test_s66_bad_mirror_then_good)
{
    two_mirrors(t);
    serve_unsigned_timestamp(t, "metadata/timestamp.json");
    /* and a snapshot of the wrong version on the first mirror */
    sim_publish(t->s, "snapshot");
    size_t len;
    const uint8_t *v2 = sim_version_bytes(t->s, "snapshot", 2, &len);
    sim_serve_bytes(t->s, "metadata/1.snapshot.json", v2, len);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmirror2:metadata/2.root.json\nmetadata/timestamp.json\n"
                                  "mirror2:metadata/timestamp.json\nmetadata/1.snapshot.json\n"
                                  "mirror2:metadata/1.snapshot.json\nmetadata/1.targets.json\n");
    CHECK_STR(ct_state(t), ALL_V1);
}

/* S66: when every mirror is bad the most telling error wins: a security
 * failure over a network failure over "not found". */
CT_TEST(test_s66_all_mirrors_bad)
{
    two_mirrors(t);
    serve_unsigned_timestamp(t, "metadata/timestamp.json");
    serve_unsigned_timestamp(t, "mirror2:metadata/timestamp.json");
    CHECK_RC(ct_refresh(t), RAMPART_EBADSIG);
    CHECK_ERR(t, RAMPART_EBADSIG, "timestamp", "signature threshold not met for 'timestamp' (0 of 1)");
    CHECK_STR(ct_state(t), "root=1");
    sim_serve_status(t->s, "mirror2:metadata/timestamp.json", RAMPART_ENET);
    CHECK_RC(ct_refresh(t), RAMPART_EBADSIG);
    sim_clear_faults(t->s);
    sim_serve_status(t->s, "metadata/timestamp.json", RAMPART_ENOTFOUND);
    sim_serve_status(t->s, "mirror2:metadata/timestamp.json", RAMPART_ENET);
    CHECK_RC(ct_refresh(t), RAMPART_ENET);
    sim_serve_status(t->s, "mirror2:metadata/timestamp.json", RAMPART_ENOTFOUND);
    CHECK_RC(ct_refresh(t), RAMPART_ENOTFOUND);
    CHECK_STR(ct_state(t), "root=1");
    /* A network failure on the first mirror alone costs nothing. */
    sim_clear_faults(t->s);
    sim_serve_status(t->s, "metadata/timestamp.json", RAMPART_ENET);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), ALL_V1);
}

/* S66: a bad new root on one mirror while the other has none blocks the
 * update (current policy: a mirror presenting an invalid root N+1 is
 * reported, not taken as "no newer root"). */
CT_TEST(test_s66_bad_root_on_one_mirror)
{
    two_mirrors(t);
    /* Mirror 1 serves garbage as the next root, mirror 2 has none: the
     * garbage does not block the update (one bad mirror is not a veto). */
    sim_serve_bytes(t->s, "metadata/2.root.json", "{}", 2);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmirror2:metadata/2.root.json\nmetadata/timestamp.json\n"
                                  "metadata/1.snapshot.json\nmetadata/1.targets.json\n");
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=1");
    /* When no mirror says "none", the bad root is an error. */
    sim_serve_bytes(t->s, SIM_MIRROR2_PREFIX "metadata/2.root.json", "{}", 2);
    CHECK_RC(ct_refresh(t), RAMPART_EFORMAT);
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=1");
}

/* S66: an unreachable or slow mirror does not stop the update when another
 * mirror says there is no newer root: that failure is outweighed like an
 * unverifiable root (it failed with RAMPART_ENET before).  A local failure
 * still stops it, and so does every mirror failing. */
CT_TEST(test_s66_unreachable_mirror_no_new_root)
{
    two_mirrors(t);
    sim_serve_status(t->s, "metadata/2.root.json", RAMPART_ENET);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmirror2:metadata/2.root.json\nmetadata/timestamp.json\n"
                                  "metadata/1.snapshot.json\nmetadata/1.targets.json\n");
    CHECK_STR(ct_state(t), ALL_V1);
    sim_serve_status(t->s, "metadata/2.root.json", RAMPART_ESLOW);
    CHECK_OK(ct_refresh(t));
    sim_serve_status(t->s, "metadata/2.root.json", RAMPART_ETIMEOUT);
    CHECK_OK(ct_refresh(t));
    /* No mirror answers: there may be a newer root, so no update. */
    sim_serve_status(t->s, "metadata/2.root.json", RAMPART_ENET);
    sim_serve_status(t->s, "mirror2:metadata/2.root.json", RAMPART_ECONNTIMEOUT);
    CHECK_RC(ct_refresh(t), RAMPART_ENET);
    sim_clear_faults(t->s);
    /* A local failure stops at once, before the second mirror. */
    sim_serve_status(t->s, "metadata/2.root.json", RAMPART_EIO);
    sim_reset_requests(t->s);
    CHECK_RC(ct_refresh(t), RAMPART_EIO);
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\n");
    CHECK_STR(ct_state(t), ALL_V1);
}

/* Serves published timestamp `version` at `path` (a stale cache). */
static void serve_timestamp_version(ctest *t, const char *path, int64_t version)
{
    size_t len;
    const uint8_t *b = sim_version_bytes(t->s, "timestamp", version, &len);
    sim_serve_bytes(t->s, path, b, len);
}

/* TUF 5.4.3.1 / 5.4.4 with mirrors: the first mirror (a CDN caching
 * timestamp.json) keeps serving the trusted version.  Before it expires that
 * is an answer ("nothing new"); once it has expired, it leaves the update
 * frozen, so the second mirror is asked and its newer timestamp is taken. */
CT_TEST(test_stale_first_mirror_fails_over)
{
    two_mirrors(t);
    sim_set_expires(t->s, "timestamp", SIM_NOW + SIM_DAY);
    sim_publish(t->s, "timestamp"); /* v2, expires tomorrow */
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=2");
    sim_set_expires(t->s, "timestamp", SIM_NOW + 30 * SIM_DAY);
    sim_publish(t->s, "timestamp"); /* v3 on the origin */
    serve_timestamp_version(t, "metadata/timestamp.json", 2);
    /* Not expired yet: the same version ends the search, as one mirror would. */
    sim_reset_requests(t->s);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmirror2:metadata/2.root.json\nmetadata/timestamp.json\n");
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=2");
    /* Expired: mirror 2 is asked, and its v3 is verified and kept. */
    t->now = SIM_NOW + SIM_DAY;
    sim_reset_requests(t->s);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmirror2:metadata/2.root.json\nmetadata/timestamp.json\n"
                                  "mirror2:metadata/timestamp.json\n");
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=3");
    rampart_role_status st;
    CHECK_OK(rampart_client_role_status(t->c, "timestamp", &st));
    CHECK_INT(st.version_before, 2);
    CHECK_INT(st.version, 3);
    CHECK_INT(st.updated, 1);
}

/* The same with no good mirror: the refresh fails with the freeze, whatever
 * the second mirror says, and never takes a lower version. */
CT_TEST(test_stale_mirrors_all_fail)
{
    two_mirrors(t);
    sim_set_expires(t->s, "timestamp", SIM_NOW + SIM_DAY);
    sim_publish(t->s, "timestamp"); /* v2, expires tomorrow */
    CHECK_OK(ct_refresh(t));
    t->now = SIM_NOW + SIM_DAY;
    serve_timestamp_version(t, "metadata/timestamp.json", 2);
    static const char want[] =
        "timestamp metadata version 2 expired at 2030-06-02T00:00:00Z, and the mirror has no newer version";
    /* Both stale. */
    serve_timestamp_version(t, "mirror2:metadata/timestamp.json", 2);
    CHECK_RC(ct_refresh(t), RAMPART_EEXPIRED);
    CHECK_ERR(t, RAMPART_EEXPIRED, "timestamp", want);
    /* The second one down or without the file: the freeze is what matters. */
    sim_serve_status(t->s, "mirror2:metadata/timestamp.json", RAMPART_ENET);
    CHECK_RC(ct_refresh(t), RAMPART_EEXPIRED);
    CHECK_ERR(t, RAMPART_EEXPIRED, "timestamp", want);
    sim_serve_status(t->s, "mirror2:metadata/timestamp.json", RAMPART_ENOTFOUND);
    CHECK_RC(ct_refresh(t), RAMPART_EEXPIRED);
    CHECK_ERR(t, RAMPART_EEXPIRED, "timestamp", want);
    /* The second one rolls back (a valid, unexpired v1): refused too; among
     * security failures the first mirror's is reported. */
    serve_timestamp_version(t, "mirror2:metadata/timestamp.json", 1);
    CHECK_RC(ct_refresh(t), RAMPART_EEXPIRED);
    CHECK_ERR(t, RAMPART_EEXPIRED, "timestamp", want);
    sim_serve_status(t->s, "metadata/timestamp.json", RAMPART_ENET);
    CHECK_RC(ct_refresh(t), RAMPART_EROLLBACK);
    CHECK_ERR(t, RAMPART_EROLLBACK, "timestamp", "timestamp version 1 is older than the trusted version 2");
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=2");
}

/* S66: target mirrors: tampered bytes on the first, good on the second. */
CT_TEST(test_s66_target_mirrors)
{
    sim_add_target(t->s, "targets", "file.txt", "contents", 8);
    sim_update(t->s, "targets");
    two_mirrors(t);
    char path[512], m2[600];
    ct_target_req(path, sizeof(path), "file.txt", "contents", 8);
    snprintf(m2, sizeof(m2), "%s%s", SIM_MIRROR2_PREFIX, path);
    sim_serve_bytes(t->s, path, "CONTENTS", 8);
    CHECK_OK(ct_refresh(t));
    sim_reset_requests(t->s);
    CHECK_OK(ct_download(t, "file.txt"));
    char want[1300];
    snprintf(want, sizeof(want), "%s\n%s\n", path, m2);
    CHECK_STR(sim_requests(t->s), want);
    CHECK(ct_file_is(t->tdir, "file.txt", "contents", 8));
    CHECK_STR(ct_tree(t, t->tdir), "file.txt");
    /* Both bad: the mismatch is reported, nothing is left behind. */
    char p[8192];
    snprintf(p, sizeof(p), "%s/file.txt", t->tdir);
    CHECK_INT(unlink(p), 0);
    sim_serve_bytes(t->s, m2, "CONTENTS", 8);
    CHECK_RC(ct_download(t, "file.txt"), RAMPART_EMISMATCH);
    CHECK_ERR(t, RAMPART_EMISMATCH, "targets", "target 'file.txt' does not match its sha256 hash");
    CHECK_STR(ct_tree(t, t->tdir), "");
    /* A network failure beats nothing, a mismatch beats a network failure. */
    sim_serve_status(t->s, m2, RAMPART_ENET);
    CHECK_RC(ct_download(t, "file.txt"), RAMPART_EMISMATCH);
    sim_serve_status(t->s, path, RAMPART_ENOTFOUND);
    CHECK_RC(ct_download(t, "file.txt"), RAMPART_ENET);
    CHECK_STR(ct_tree(t, t->tdir), "");
}

/* ---- S67: expiry judged by the configured clock ------------------------ */

/* The final root expires while the client is offline; a client eight days
 * later refuses (freeze), yet an expired trusted root can still be updated. */
CT_TEST(test_s67_root_expires_by_clock)
{
    sim_set_expires(t->s, "root", SIM_NOW + 7 * SIM_DAY);
    sim_publish(t->s, "root");
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=2 snapshot=1 targets=1 timestamp=1");
    t->now = SIM_NOW + 8 * SIM_DAY;
    ct_reopen(t);
    sim_reset_requests(t->s);
    CHECK_RC(ct_refresh(t), RAMPART_EEXPIRED);
    CHECK_ERR(t, RAMPART_EEXPIRED, "root", "root metadata version 2 expired at 2030-06-08T00:00:00Z");
    CHECK_STR(sim_requests(t->s), "metadata/3.root.json\n");
    CHECK_RC(ct_find(t, "x"), RAMPART_EEXPIRED);
    CHECK_STR(ct_state(t), "root=2 snapshot=1 targets=1 timestamp=1");

    sim_set_expires(t->s, "root", SIM_NOW + 21 * SIM_DAY);
    sim_publish(t->s, "root");
    t->now = SIM_NOW + 18 * SIM_DAY;
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=3 snapshot=1 targets=1 timestamp=1");
}

/* An expired local timestamp is still the base for rollback checks and is
 * replaced by a newer valid one (tuf-conformance test_expired_local_timestamp). */
CT_TEST(test_s67_expired_local_timestamp)
{
    sim_set_expires(t->s, "timestamp", SIM_NOW + 7 * SIM_DAY);
    sim_publish(t->s, "timestamp");
    CHECK_OK(ct_refresh(t));
    sim_set_expires(t->s, "timestamp", SIM_NOW + 21 * SIM_DAY);
    sim_update(t->s, "targets");
    t->now = SIM_NOW + 18 * SIM_DAY;
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=2 timestamp=3");
    /* Past every expiry: the freeze is reported on the root first. */
    t->now = SIM_NOW + 40 * SIM_DAY;
    CHECK_RC(ct_refresh(t), RAMPART_EEXPIRED);
    CHECK_ERR(t, RAMPART_EEXPIRED, "root", "root metadata version 1 expired");
}

/* ---- F10: an allocation failure at every site of a refresh and download - */

static struct {
    long long count, fail_at;
    bool hit;
} g_fail;

static void *fail_malloc(size_t n, void *ctx)
{
    (void)ctx;
    if (++g_fail.count == g_fail.fail_at) {
        g_fail.hit = true;
        return NULL;
    }
    return malloc(n);
}

static void *fail_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    if (++g_fail.count == g_fail.fail_at) {
        g_fail.hit = true;
        return NULL;
    }
    return realloc(p, n);
}

static void fail_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

/* Empties the metadata folder but for root.json, and the target folder. */
static void reset_folders(ctest *t)
{
    const char *names[] = {"timestamp.json", "snapshot.json", "targets.json", "A.json"};
    for (int i = 0; i < 4; i++) {
        char p[8192];
        snprintf(p, sizeof(p), "%s/%s", t->mdir, names[i]);
        (void)unlink(p);
    }
    sim_rmtree(t->tdir);
    if (mkdir(t->tdir, 0700) != 0)
        abort();
}

CT_TEST(test_f10_allocation_failures)
{
    const char *paths[] = {"a/*", NULL};
    sim_delegate(t->s, "targets", "A", paths, false);
    sim_add_target(t->s, "A", "a/file.txt", "contents", 8);
    sim_publish(t->s, "A");
    sim_update(t->s, "targets");
    const rampart_allocator failing = {fail_malloc, fail_realloc, fail_free, NULL};
    long long n;
    for (n = 1; n < 200000; n++) {
        reset_folders(t);
        ct_reopen(t);
        g_fail.count = 0;
        g_fail.fail_at = n;
        g_fail.hit = false;
        CHECK_OK(rampart_set_allocator(&failing));
        int rc = ct_refresh(t);
        if (rc == 0)
            rc = ct_download(t, "a/file.txt");
        CHECK_OK(rampart_set_allocator(NULL));
        if (!g_fail.hit) {
            CHECK_OK(rc);
            break;
        }
        if (rc != RAMPART_ENOMEM)
            fprintf(stderr, "  (allocation %lld failed: %s)\n", n, rampart_client_last_error(t->c)->message);
        CHECK_RC(rc, RAMPART_ENOMEM);
        /* Whatever is on disk verified: every file is exactly a published version. */
        const char *st = ct_state(t);
        if (strchr(st, '?') != NULL || strchr(st, '+') != NULL)
            fprintf(stderr, "  (allocation %lld failed)\n", n);
        CHECK(strchr(st, '?') == NULL && strchr(st, '+') == NULL);
        const char *tree = ct_tree(t, t->tdir);
        CHECK(strcmp(tree, "") == 0 || strcmp(tree, "a/") == 0 || strcmp(tree, "a/ a/file.txt") == 0);
    }
    CHECK(n > 50); /* a real sweep happened (87 sites when written) */
    CHECK(ct_file_is(t->tdir, "a/file.txt", "contents", 8));
    CHECK_STR(ct_state(t), "A=1 root=1 snapshot=2 targets=2 timestamp=2");
}

int main(void)
{
    RUN(test_fresh_refresh_requests);
    RUN(test_implicit_refresh);
    RUN(test_s16_unusable_initial_root);
    RUN(test_corrupt_local_root);
    RUN(test_f3_torn_local_files);
    RUN(test_symlinked_local_file);
    RUN(test_folder_locked);
    RUN(test_s66_bad_mirror_then_good);
    RUN(test_s66_all_mirrors_bad);
    RUN(test_s66_bad_root_on_one_mirror);
    RUN(test_s66_unreachable_mirror_no_new_root);
    RUN(test_s66_target_mirrors);
    RUN(test_stale_first_mirror_fails_over);
    RUN(test_stale_mirrors_all_fail);
    RUN(test_s67_root_expires_by_clock);
    RUN(test_s67_expired_local_timestamp);
    RUN(test_f10_allocation_failures);
    return th_summary("test_client_misc");
}
