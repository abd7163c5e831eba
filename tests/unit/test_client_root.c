/*
 * test_client_root.c - the client's root update (TUF §5.2-§5.3) against a
 * simulated hostile repository: docs/security-matrix.md scenarios S1-S15 and
 * S17 (S16, the unusable initial root, is in test_client_misc.c).  Each test
 * asserts the return code, the last error, the request log and the exact
 * bytes left in the metadata folder.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "ctest_util.h"
#include "util/banned.h"

/* S1: root v2 is signed only by its new key, not by a threshold of v1's keys. */
CT_TEST(test_s1_root_not_signed_by_old_keys)
{
    ct_rotate(t->s, "root");
    sim_publish(t->s, "root");
    CHECK_RC(ct_refresh(t), RAMPART_EBADSIG);
    CHECK_ERR(t, RAMPART_EBADSIG, "root",
              "root version 2 is not signed by the trusted root version 1: signature threshold not met for 'root' "
              "(0 of 1)");
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\n");
    CHECK_STR(ct_state(t), "root=1");
}

/* S2: root v2 is signed by v1's key but not by a threshold of its own keys. */
CT_TEST(test_s2_root_not_signed_by_own_keys)
{
    rprivkey *k1 = sim_signer(t->s, "root", 0);
    /* v2 names only a new key, but only the old key signs. */
    ct_rotate(t->s, "root");
    sim_clear_signers(t->s, "root");
    sim_add_signer(t->s, "root", k1);
    sim_publish(t->s, "root");
    CHECK_RC(ct_refresh(t), RAMPART_EBADSIG);
    CHECK_ERR(t, RAMPART_EBADSIG, "root", "root version 2 is not signed by its own root keys");
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\n");
    CHECK_STR(ct_state(t), "root=1");

    /* v3 keeps the old key, adds one, raises the threshold to 2, old key signs alone. */
    sim_reset_requests(t->s);
    json_t *r = json_object_get(json_object_get(sim_signed(t->s, "root"), "roles"), "root");
    json_t *ids = json_object_get(r, "keyids");
    json_array_clear(ids);
    json_array_append_new(ids, json_string(sim_keyid(t->s, k1)));
    sim_add_key(t->s, "root", "root");
    sim_set_threshold(t->s, "root", "root", 2);
    sim_clear_signers(t->s, "root");
    sim_add_signer(t->s, "root", k1);
    sim_publish(t->s, "root");
    size_t len;
    const uint8_t *v3 = sim_version_bytes(t->s, "root", 3, &len);
    sim_serve_bytes(t->s, "metadata/2.root.json", v3, len);
    CHECK_RC(ct_refresh(t), RAMPART_EBADSIG);
    CHECK_ERR(t, RAMPART_EBADSIG, "root",
              "not signed by its own root keys: signature threshold not met for 'root' (1 of 2)");
    CHECK_STR(ct_state(t), "root=1");
}

/* S3: a threshold of 2 "met" by one signature listed twice under its keyid. */
CT_TEST(test_s3_duplicate_signature_keyid)
{
    sim_set_threshold(t->s, "root", "root", 2);
    sim_add_key(t->s, "root", "root");
    sim_publish(t->s, "root");
    json_t *doc = ct_doc(t->s, "root", 2);
    json_array_remove(json_object_get(doc, "signatures"), 1);
    ct_dup_sig(doc, NULL);
    ct_replace_json(t->s, "root", doc);
    CHECK_RC(ct_refresh(t), RAMPART_EFORMAT);
    CHECK_ERR(t, RAMPART_EFORMAT, "root", "malformed root metadata: signatures lists keyid");
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\n");
    CHECK_STR(ct_state(t), "root=1");
}

/* S4: one public key listed under two keyids (threshold 2), the same
 * signature under both: counted once, by key material. */
CT_TEST(test_s4_same_key_two_keyids)
{
    json_t *root = sim_signed(t->s, "root");
    const char *kid = ct_keyid_of(t->s, "root", "root");
    json_t *alias = json_deep_copy(json_object_get(json_object_get(root, "keys"), kid));
    json_object_set_new(alias, "x-label", json_string("same key, other keyid"));
    json_object_set_new(json_object_get(root, "keys"), "alias-keyid", alias);
    json_t *entry = json_object_get(json_object_get(root, "roles"), "root");
    json_array_append_new(json_object_get(entry, "keyids"), json_string("alias-keyid"));
    sim_set_threshold(t->s, "root", "root", 2);
    sim_publish(t->s, "root");
    json_t *doc = ct_doc(t->s, "root", 2);
    ct_dup_sig(doc, "alias-keyid");
    ct_replace_json(t->s, "root", doc);
    CHECK_RC(ct_refresh(t), RAMPART_EBADSIG);
    CHECK_ERR(t, RAMPART_EBADSIG, "root",
              "root version 2 is not signed by its own root keys: signature threshold not met for 'root' (1 of 2)");
    CHECK_STR(ct_state(t), "root=1");
}

/* S5: 2.root.json holds version 3 (the URL and the version must agree). */
CT_TEST(test_s5_root_version_differs_from_url)
{
    sim_publish(t->s, "root");
    sim_publish(t->s, "root");
    size_t len;
    const uint8_t *v3 = sim_version_bytes(t->s, "root", 3, &len);
    sim_serve_bytes(t->s, "metadata/2.root.json", v3, len);
    CHECK_RC(ct_refresh(t), RAMPART_EMISMATCH);
    CHECK_ERR(t, RAMPART_EMISMATCH, "root", "root version 3 was served where version 2 was requested");
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\n");
    CHECK_STR(ct_state(t), "root=1");
}

/* S6: a root version <= the trusted one served as N+1: rollback. */
CT_TEST(test_s6_root_rollback)
{
    size_t len;
    const uint8_t *v1 = sim_version_bytes(t->s, "root", 1, &len);
    sim_serve_bytes(t->s, "metadata/2.root.json", v1, len);
    CHECK_RC(ct_refresh(t), RAMPART_EROLLBACK);
    CHECK_ERR(t, RAMPART_EROLLBACK, "root", "root version 1 is not newer than the trusted version 1");
    CHECK_STR(ct_state(t), "root=1");

    /* Trust v3, then be offered v2 as 4.root.json. */
    sim_clear_faults(t->s);
    sim_publish(t->s, "root");
    sim_publish(t->s, "root");
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=3 snapshot=1 targets=1 timestamp=1");
    const uint8_t *v2 = sim_version_bytes(t->s, "root", 2, &len);
    sim_serve_bytes(t->s, "metadata/4.root.json", v2, len);
    sim_reset_requests(t->s);
    CHECK_RC(ct_refresh(t), RAMPART_EROLLBACK);
    CHECK_ERR(t, RAMPART_EROLLBACK, "root", "root version 2 is not newer than the trusted version 3");
    CHECK_STR(sim_requests(t->s), "metadata/4.root.json\n");
    CHECK_STR(ct_state(t), "root=3 snapshot=1 targets=1 timestamp=1");
}

/* S7: an expired intermediate root is walked through to a valid v3. */
CT_TEST(test_s7_expired_intermediate_root)
{
    sim_set_expires(t->s, "root", SIM_NOW - SIM_DAY);
    sim_publish(t->s, "root");
    sim_set_expires(t->s, "root", SIM_NOW + 30 * SIM_DAY);
    sim_publish(t->s, "root");
    CHECK_OK(ct_refresh(t));
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/3.root.json\nmetadata/4.root.json\n"
                                  "metadata/timestamp.json\nmetadata/1.snapshot.json\nmetadata/1.targets.json\n");
    CHECK_STR(ct_state(t), "root=3 snapshot=1 targets=1 timestamp=1");
    rampart_role_status st;
    CHECK_OK(rampart_client_role_status(t->c, "root", &st));
    CHECK_INT(st.version_before, 1);
    CHECK_INT(st.version, 3);
    CHECK_INT(st.updated, 1);
}

/* S8: the final root has expired: it is persisted, the refresh fails as a
 * freeze without fetching the timestamp, and a later fresh root recovers. */
CT_TEST(test_s8_final_root_expired)
{
    sim_set_expires(t->s, "root", SIM_NOW);
    sim_publish(t->s, "root");
    CHECK_RC(ct_refresh(t), RAMPART_EEXPIRED);
    CHECK_ERR(t, RAMPART_EEXPIRED, "root", "root metadata version 2 expired at 2030-06-01T00:00:00Z");
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/3.root.json\n");
    CHECK_STR(ct_state(t), "root=2");

    sim_set_expires(t->s, "root", SIM_NOW + SIM_DAY);
    sim_publish(t->s, "root");
    ct_reopen(t);
    sim_reset_requests(t->s);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(sim_requests(t->s), "metadata/3.root.json\nmetadata/4.root.json\nmetadata/timestamp.json\n"
                                  "metadata/1.snapshot.json\nmetadata/1.targets.json\n");
    CHECK_STR(ct_state(t), "root=3 snapshot=1 targets=1 timestamp=1");
}

/* S9: v2 is badly signed and v3 is good: the walk stops at v2. */
CT_TEST(test_s9_bad_intermediate_stops_walk)
{
    rprivkey *k1 = sim_signer(t->s, "root", 0);
    sim_clear_signers(t->s, "root");
    sim_publish(t->s, "root"); /* "signatures": [] */
    sim_add_signer(t->s, "root", k1);
    sim_publish(t->s, "root");
    CHECK_RC(ct_refresh(t), RAMPART_EBADSIG);
    CHECK_ERR(t, RAMPART_EBADSIG, "root", "root version 2 is not signed by the trusted root version 1");
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\n");
    CHECK_STR(ct_state(t), "root=1");
}

/* S10: N + max + 3 roots published: one refresh takes exactly max of them. */
CT_TEST(test_s10_root_rotation_cap)
{
    for (int i = 0; i < 6; i++)
        sim_publish(t->s, "root"); /* v2..v7 */
    t->o.max_root_rotations = 3;
    ct_reopen(t);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/3.root.json\nmetadata/4.root.json\n"
                                  "metadata/timestamp.json\nmetadata/1.snapshot.json\nmetadata/1.targets.json\n");
    CHECK_STR(ct_state(t), "root=4 snapshot=1 targets=1 timestamp=1");
    sim_reset_requests(t->s);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(sim_requests(t->s),
              "metadata/5.root.json\nmetadata/6.root.json\nmetadata/7.root.json\nmetadata/timestamp.json\n");
    CHECK_STR(ct_state(t), "root=7 snapshot=1 targets=1 timestamp=1");
    sim_reset_requests(t->s);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(sim_requests(t->s), "metadata/8.root.json\nmetadata/timestamp.json\n");
}

/* S11: endless data at N+1, and the cap applied to a root exactly. */
CT_TEST(test_s11_root_size_cap)
{
    sim_serve_endless(t->s, "metadata/2.root.json");
    CHECK_RC(ct_refresh(t), RAMPART_ETOOLARGE);
    CHECK_INT(rampart_client_last_error(t->c)->code, RAMPART_ETOOLARGE);
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\n");
    CHECK_STR(ct_state(t), "root=1");

    sim_clear_faults(t->s);
    sim_publish(t->s, "root");
    size_t len;
    (void)sim_version_bytes(t->s, "root", 2, &len);
    t->o.max_root_bytes = len - 1;
    ct_reopen(t);
    CHECK_RC(ct_refresh(t), RAMPART_ETOOLARGE);
    CHECK_STR(ct_state(t), "root=1");
    t->o.max_root_bytes = len;
    ct_reopen(t);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=2 snapshot=1 targets=1 timestamp=1");
}

/* S12: threshold 0 or negative in root, and 0 in a delegation. */
CT_TEST(test_s12_threshold_not_positive)
{
    json_t *roles = json_object_get(sim_signed(t->s, "root"), "roles");
    const int64_t bad[] = {0, -1};
    for (int i = 0; i < 2; i++) {
        json_object_set_new(json_object_get(roles, "timestamp"), "threshold", json_integer(bad[i]));
        sim_publish(t->s, "root");
        size_t len;
        const uint8_t *b = sim_version_bytes(t->s, "root", sim_version(t->s, "root"), &len);
        sim_serve_bytes(t->s, "metadata/2.root.json", b, len);
        CHECK_RC(ct_refresh(t), RAMPART_EFORMAT);
        CHECK_ERR(t, RAMPART_EFORMAT, "root", "malformed root metadata: timestamp.threshold is ");
        CHECK_STR(ct_state(t), "root=1");
    }
    /* A delegation with threshold 0 (the bad roots are now hidden). */
    sim_clear_faults(t->s);
    sim_serve_status(t->s, "metadata/2.root.json", RAMPART_ENOTFOUND);

    const char *paths[] = {"*", NULL};
    sim_delegate(t->s, "targets", "A", paths, false);
    sim_publish(t->s, "A");
    sim_set_threshold(t->s, "targets", "A", 0);
    sim_update(t->s, "targets");
    sim_reset_requests(t->s);
    CHECK_RC(ct_refresh(t), RAMPART_EFORMAT);
    CHECK_ERR(t, RAMPART_EFORMAT, "targets", "malformed targets metadata: delegated role.threshold is 0");
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\nmetadata/2.snapshot.json\n"
                                  "metadata/2.targets.json\n");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 timestamp=2");
}

/* S13: one keyid listed twice for a role, in root and in a delegation. */
CT_TEST(test_s13_duplicate_keyid_in_role)
{
    json_t *ids =
        json_object_get(json_object_get(json_object_get(sim_signed(t->s, "root"), "roles"), "snapshot"), "keyids");
    json_array_append(ids, json_array_get(ids, 0));
    sim_publish(t->s, "root");
    CHECK_RC(ct_refresh(t), RAMPART_EFORMAT);
    CHECK_ERR(t, RAMPART_EFORMAT, "root", "malformed root metadata: snapshot lists keyid");
    CHECK_STR(ct_state(t), "root=1");

    /* A delegation listing a keyid twice (the bad root v2 is now hidden). */
    sim_serve_status(t->s, "metadata/2.root.json", RAMPART_ENOTFOUND);
    const char *paths[] = {"*", NULL};
    sim_delegate(t->s, "targets", "A", paths, false);
    sim_publish(t->s, "A");
    json_t *dids = json_object_get(
        json_array_get(json_object_get(json_object_get(sim_signed(t->s, "targets"), "delegations"), "roles"), 0),
        "keyids");
    json_array_append(dids, json_array_get(dids, 0));
    sim_update(t->s, "targets");
    CHECK_RC(ct_refresh(t), RAMPART_EFORMAT);
    CHECK_ERR(t, RAMPART_EFORMAT, "targets", "malformed targets metadata: delegated role lists keyid");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 timestamp=2");
}

/* S14: a root lacking one of the four top-level roles. */
CT_TEST(test_s14_root_missing_role)
{
    const char *top[] = {"root", "timestamp", "snapshot", "targets"};
    json_t *roles = json_object_get(sim_signed(t->s, "root"), "roles");
    for (int i = 0; i < 4; i++) {
        json_t *saved = json_deep_copy(json_object_get(roles, top[i]));
        json_object_del(roles, top[i]);
        sim_publish(t->s, "root");
        json_object_set_new(roles, top[i], saved);
        size_t len;
        const uint8_t *b = sim_version_bytes(t->s, "root", sim_version(t->s, "root"), &len);
        sim_serve_bytes(t->s, "metadata/2.root.json", b, len);
        sim_reset_requests(t->s);
        CHECK_RC(ct_refresh(t), RAMPART_EFORMAT);
        char want[64];
        snprintf(want, sizeof(want), "malformed root metadata: roles.%s is missing", top[i]);
        CHECK_ERR(t, RAMPART_EFORMAT, "root", want);
        CHECK_STR(sim_requests(t->s), "metadata/2.root.json\n");
        CHECK_STR(ct_state(t), "root=1");
    }
}

/* S15: a threshold above the number of keys: the root is accepted, the role
 * can never verify, the refresh fails cleanly at that role. */
CT_TEST(test_s15_threshold_above_key_count)
{
    sim_set_threshold(t->s, "root", "snapshot", 2);
    sim_publish(t->s, "root");
    sim_update(t->s, NULL);
    CHECK_RC(ct_refresh(t), RAMPART_EBADSIG);
    CHECK_ERR(t, RAMPART_EBADSIG, "snapshot", "signature threshold not met for 'snapshot' (1 of 2)");
    CHECK_STR(ct_state(t), "root=2 timestamp=2");

    /* The same for root itself: v3 can never verify against its own role. */
    sim_set_threshold(t->s, "root", "snapshot", 1);
    sim_set_threshold(t->s, "root", "root", 3);
    sim_publish(t->s, "root");
    sim_reset_requests(t->s);
    CHECK_RC(ct_refresh(t), RAMPART_EBADSIG);
    CHECK_ERR(t, RAMPART_EBADSIG, "root", "(1 of 3)");
    CHECK_STR(sim_requests(t->s), "metadata/3.root.json\n");
    CHECK_STR(ct_state(t), "root=2 timestamp=2");
}

/* S17: fast-forward recovery.  The timestamp was pushed to v99999, then its
 * key rotated and its version reset to 1: accepted after the root update. */
CT_TEST(test_s17_timestamp_fast_forward_recovery)
{
    ct_set_version(t->s, "timestamp", 99998);
    sim_publish(t->s, "timestamp");
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=99999");
    ct_rotate(t->s, "timestamp");
    sim_publish(t->s, "root");
    ct_set_version(t->s, "timestamp", 0);
    sim_publish(t->s, "timestamp");
    CHECK_INT(sim_version(t->s, "timestamp"), 1);
    CHECK_OK(ct_refresh(t));
    /* "#2": the second publication of version 1, i.e. the new one. */
    CHECK_STR(ct_state(t), "root=2 snapshot=1 targets=1 timestamp=1#2");
}

/* Without the key rotation, the same reset is a rollback. */
CT_TEST(test_s17_timestamp_reset_without_rotation)
{
    ct_set_version(t->s, "timestamp", 99998);
    sim_publish(t->s, "timestamp");
    CHECK_OK(ct_refresh(t));
    sim_publish(t->s, "root");
    ct_set_version(t->s, "timestamp", 0);
    sim_publish(t->s, "timestamp");
    CHECK_RC(ct_refresh(t), RAMPART_EROLLBACK);
    CHECK_ERR(t, RAMPART_EROLLBACK, "timestamp", "timestamp version 1 is older than the trusted version 99999");
    CHECK_STR(ct_state(t), "root=2 snapshot=1 targets=1 timestamp=99999");
}

/* S17: snapshot pushed to v99999; snapshot and timestamp keys rotated;
 * snapshot reset to v1. */
CT_TEST(test_s17_snapshot_fast_forward_recovery)
{
    ct_set_version(t->s, "snapshot", 99998);
    sim_update(t->s, NULL);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=1 snapshot=99999 targets=1 timestamp=2");
    ct_rotate(t->s, "snapshot");
    ct_rotate(t->s, "timestamp");
    sim_publish(t->s, "root");
    ct_set_version(t->s, "snapshot", 0);
    sim_update(t->s, NULL);
    CHECK_INT(sim_version(t->s, "snapshot"), 1);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=2 snapshot=1#2 targets=1 timestamp=3");
}

/* S17: targets pushed to v99999, snapshot keys rotated, targets reset to v1. */
CT_TEST(test_s17_targets_fast_forward_recovery)
{
    ct_set_version(t->s, "targets", 99998);
    sim_update(t->s, "targets");
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=99999 timestamp=2");
    ct_rotate(t->s, "snapshot");
    sim_publish(t->s, "root");
    ct_set_version(t->s, "targets", 0);
    sim_update(t->s, "targets");
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=2 snapshot=3 targets=1 timestamp=3");
}

int main(void)
{
    RUN(test_s1_root_not_signed_by_old_keys);
    RUN(test_s2_root_not_signed_by_own_keys);
    RUN(test_s3_duplicate_signature_keyid);
    RUN(test_s4_same_key_two_keyids);
    RUN(test_s5_root_version_differs_from_url);
    RUN(test_s6_root_rollback);
    RUN(test_s7_expired_intermediate_root);
    RUN(test_s8_final_root_expired);
    RUN(test_s9_bad_intermediate_stops_walk);
    RUN(test_s10_root_rotation_cap);
    RUN(test_s11_root_size_cap);
    RUN(test_s12_threshold_not_positive);
    RUN(test_s13_duplicate_keyid_in_role);
    RUN(test_s14_root_missing_role);
    RUN(test_s15_threshold_above_key_count);
    RUN(test_s17_timestamp_fast_forward_recovery);
    RUN(test_s17_timestamp_reset_without_rotation);
    RUN(test_s17_snapshot_fast_forward_recovery);
    RUN(test_s17_targets_fast_forward_recovery);
    return th_summary("test_client_root");
}
