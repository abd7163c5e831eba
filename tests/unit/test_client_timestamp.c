/*
 * test_client_timestamp.c - the client's timestamp update (TUF §5.4)
 * against a simulated hostile repository: docs/security-matrix.md scenarios
 * S18-S26.  Each test asserts the return code, the last error, the request
 * log and the exact bytes left in the metadata folder.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "ctest_util.h"
#include "util/banned.h"

/* Serves published `role` version `version` at `path`. */
static void serve_version(sim *s, const char *path, const char *role, int64_t version)
{
    size_t len;
    const uint8_t *b = sim_version_bytes(s, role, version, &len);
    sim_serve_bytes(s, path, b, len);
}

/* S18: a timestamp signed by a key the root does not give the timestamp
 * role: only the root update is kept. */
CT_TEST(test_s18_timestamp_wrong_key)
{
    CHECK_OK(ct_refresh(t));
    rprivkey *snapkey = sim_signer(t->s, "snapshot", 0);
    sim_publish(t->s, "root");
    sim_clear_signers(t->s, "timestamp");
    sim_add_signer(t->s, "timestamp", snapkey);
    sim_publish(t->s, "timestamp");
    sim_reset_requests(t->s);
    CHECK_RC(ct_refresh(t), RAMPART_EBADSIG);
    CHECK_ERR(t, RAMPART_EBADSIG, "timestamp", "signature threshold not met for 'timestamp' (0 of 1)");
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/3.root.json\nmetadata/timestamp.json\n");
    CHECK_STR(ct_state(t), "root=2 snapshot=1 targets=1 timestamp=1");
}

/* S18: an unsigned timestamp ("signatures": []) on a first refresh. */
CT_TEST(test_s18_timestamp_unsigned)
{
    sim_clear_signers(t->s, "timestamp");
    sim_publish(t->s, "timestamp");
    CHECK_RC(ct_refresh(t), RAMPART_EBADSIG);
    CHECK_ERR(t, RAMPART_EBADSIG, "timestamp", "signature threshold not met for 'timestamp' (0 of 1)");
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\n");
    CHECK_STR(ct_state(t), "root=1");
}

/* S19: a timestamp older than the trusted one is a rollback. */
CT_TEST(test_s19_timestamp_rollback)
{
    sim_publish(t->s, "timestamp");
    sim_publish(t->s, "timestamp");
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=3");
    serve_version(t->s, "metadata/timestamp.json", "timestamp", 2);
    sim_reset_requests(t->s);
    CHECK_RC(ct_refresh(t), RAMPART_EROLLBACK);
    CHECK_ERR(t, RAMPART_EROLLBACK, "timestamp", "timestamp version 2 is older than the trusted version 3");
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\n");
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=3");
}

/* S19: the trusted local timestamp has expired; it still guards against rollback. */
CT_TEST(test_s19_rollback_against_expired_local_timestamp)
{
    sim_publish(t->s, "timestamp");
    sim_set_expires(t->s, "timestamp", SIM_NOW + SIM_DAY);
    sim_publish(t->s, "timestamp"); /* v3, expires tomorrow */
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=3");
    t->now = SIM_NOW + 2 * SIM_DAY;
    serve_version(t->s, "metadata/timestamp.json", "timestamp", 2); /* v2 expires in 30 days */
    CHECK_RC(ct_refresh(t), RAMPART_EROLLBACK);
    CHECK_ERR(t, RAMPART_EROLLBACK, "timestamp", "timestamp version 2 is older than the trusted version 3");
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=3");
}

/* S20: the same timestamp version with other content (naming snapshot v2)
 * is not an error but is discarded: not persisted, snapshot v2 not fetched. */
CT_TEST(test_s20_same_version_other_content)
{
    CHECK_OK(ct_refresh(t));
    sim_publish(t->s, "snapshot");
    ct_set_version(t->s, "timestamp", 0);
    sim_publish(t->s, "timestamp"); /* a second "version 1" naming snapshot 2 */
    sim_reset_requests(t->s);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\n");
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=1");
    rampart_role_status st;
    CHECK_OK(rampart_client_role_status(t->c, "timestamp", &st));
    CHECK_INT(st.version_before, 1);
    CHECK_INT(st.version, 1);
    CHECK_INT(st.updated, 0);
    CHECK_OK(rampart_client_role_status(t->c, "snapshot", &st));
    CHECK_INT(st.version, 1);
    CHECK_INT(st.updated, 0);
}

/* S21: a timestamp naming a lower snapshot version than the trusted one. */
CT_TEST(test_s21_snapshot_version_rollback_in_timestamp)
{
    sim_update(t->s, NULL);
    sim_update(t->s, NULL);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=1 snapshot=3 targets=1 timestamp=3");
    json_t *meta = json_object_get(json_object_get(sim_signed(t->s, "timestamp"), "meta"), "snapshot.json");
    json_object_set_new(meta, "version", json_integer(2));
    sim_publish(t->s, "timestamp");
    sim_reset_requests(t->s);
    CHECK_RC(ct_refresh(t), RAMPART_EROLLBACK);
    CHECK_ERR(t, RAMPART_EROLLBACK, "timestamp", "timestamp names snapshot version 2, older than the trusted 3");
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\n");
    CHECK_STR(ct_state(t), "root=1 snapshot=3 targets=1 timestamp=3");
}

/* S22: an expired timestamp is a freeze; the boundary is "now >= expires". */
CT_TEST(test_s22_timestamp_expired)
{
    CHECK_OK(ct_refresh(t));
    sim_set_expires(t->s, "timestamp", SIM_NOW);
    sim_publish(t->s, "timestamp");
    CHECK_RC(ct_refresh(t), RAMPART_EEXPIRED);
    CHECK_ERR(t, RAMPART_EEXPIRED, "timestamp", "timestamp metadata version 2 expired at 2030-06-01T00:00:00Z");
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=1");
    sim_set_expires(t->s, "timestamp", SIM_NOW + 1);
    sim_publish(t->s, "timestamp");
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=3");
}

/* S22: a trusted timestamp that expires before the next refresh, when the
 * repository offers nothing newer: the kept (same-version) copy is not final. */
CT_TEST(test_s22_kept_timestamp_expired)
{
    sim_set_expires(t->s, "timestamp", SIM_NOW + SIM_DAY);
    sim_publish(t->s, "timestamp");
    CHECK_OK(ct_refresh(t));
    t->now = SIM_NOW + SIM_DAY;
    sim_reset_requests(t->s);
    CHECK_RC(ct_refresh(t), RAMPART_EEXPIRED);
    CHECK_ERR(t, RAMPART_EEXPIRED, "timestamp", "timestamp metadata version 2 expired");
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\n");
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=2");
}

/* S23: timestamp.json is not found: the refresh fails. */
CT_TEST(test_s23_timestamp_404)
{
    CHECK_OK(ct_refresh(t));
    sim_serve_status(t->s, "metadata/timestamp.json", RAMPART_ENOTFOUND);
    sim_reset_requests(t->s);
    CHECK_RC(ct_refresh(t), RAMPART_ENOTFOUND);
    CHECK_INT(rampart_client_last_error(t->c)->code, RAMPART_ENOTFOUND);
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\n");
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=1");
    /* Other transport failures are not "no such file". */
    sim_serve_status(t->s, "metadata/timestamp.json", RAMPART_ENET);
    CHECK_RC(ct_refresh(t), RAMPART_ENET);
    sim_serve_status(t->s, "metadata/timestamp.json", RAMPART_ESLOW);
    CHECK_RC(ct_refresh(t), RAMPART_ESLOW);
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=1");
}

/* S24: endless data, and the 16 KiB default cap applied exactly. */
CT_TEST(test_s24_timestamp_size_cap)
{
    sim_serve_endless(t->s, "metadata/timestamp.json");
    CHECK_RC(ct_refresh(t), RAMPART_ETOOLARGE);
    CHECK_STR(ct_state(t), "root=1");

    /* The genuine timestamp padded with trailing whitespace (outside the signature). */
    size_t len;
    const uint8_t *ts = sim_version_bytes(t->s, "timestamp", 1, &len);
    static uint8_t padded[16385];
    memset(padded, ' ', sizeof(padded));
    memcpy(padded, ts, len);
    sim_serve_bytes(t->s, "metadata/timestamp.json", padded, sizeof(padded));
    CHECK_RC(ct_refresh(t), RAMPART_ETOOLARGE);
    CHECK_STR(ct_state(t), "root=1");
    sim_serve_bytes(t->s, "metadata/timestamp.json", padded, 16384);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=?");
    CHECK(ct_file_is(t->mdir, "timestamp.json", padded, 16384));

    /* A configured cap replaces the default. */
    t->o.max_timestamp_bytes = len - 1;
    ct_reopen(t);
    sim_clear_faults(t->s);
    sim_publish(t->s, "timestamp");
    CHECK_RC(ct_refresh(t), RAMPART_ETOOLARGE);
    CHECK(ct_file_is(t->mdir, "timestamp.json", padded, 16384));
}

/* S25: a snapshot document, signed by a key the timestamp role trusts, served
 * as the timestamp: rejected on its _type. */
CT_TEST(test_s25_snapshot_served_as_timestamp)
{
    rprivkey *tskey = sim_signer(t->s, "timestamp", 0);
    json_t *ids =
        json_object_get(json_object_get(json_object_get(sim_signed(t->s, "root"), "roles"), "snapshot"), "keyids");
    json_array_append_new(ids, json_string(sim_keyid(t->s, tskey)));
    sim_publish(t->s, "root");
    json_t *meta = json_object_get(sim_signed(t->s, "snapshot"), "meta");
    json_object_set_new(meta, "snapshot.json", json_pack("{s:i}", "version", 1));
    sim_add_signer(t->s, "snapshot", tskey);
    sim_publish(t->s, "snapshot");
    serve_version(t->s, "metadata/timestamp.json", "snapshot", 2);
    CHECK_RC(ct_refresh(t), RAMPART_EFORMAT);
    CHECK_ERR(t, RAMPART_EFORMAT, "timestamp", "_type");
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/3.root.json\nmetadata/timestamp.json\n");
    CHECK_STR(ct_state(t), "root=2");
}

/* S26: rejected timestamps (a rollback, an unsigned one, an expired one)
 * leave nothing behind: the next legitimate one, read by a new client, is
 * accepted. */
CT_TEST(test_s26_recovery_after_rejected_timestamp)
{
    rprivkey *k = sim_signer(t->s, "timestamp", 0);
    sim_publish(t->s, "timestamp"); /* v2 */
    CHECK_OK(ct_refresh(t));
    serve_version(t->s, "metadata/timestamp.json", "timestamp", 1);
    CHECK_RC(ct_refresh(t), RAMPART_EROLLBACK);
    sim_clear_faults(t->s);
    sim_clear_signers(t->s, "timestamp");
    sim_publish(t->s, "timestamp"); /* v3, unsigned */
    CHECK_RC(ct_refresh(t), RAMPART_EBADSIG);
    sim_add_signer(t->s, "timestamp", k);
    sim_set_expires(t->s, "timestamp", SIM_NOW - 1);
    sim_publish(t->s, "timestamp"); /* v4, expired */
    CHECK_RC(ct_refresh(t), RAMPART_EEXPIRED);
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=2");

    sim_set_expires(t->s, "timestamp", SIM_NOW + SIM_DAY);
    sim_update(t->s, NULL); /* snapshot v2, timestamp v5 */
    ct_reopen(t);
    sim_reset_requests(t->s);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\nmetadata/2.snapshot.json\n");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=1 timestamp=5");
}

int main(void)
{
    RUN(test_s18_timestamp_wrong_key);
    RUN(test_s18_timestamp_unsigned);
    RUN(test_s19_timestamp_rollback);
    RUN(test_s19_rollback_against_expired_local_timestamp);
    RUN(test_s20_same_version_other_content);
    RUN(test_s21_snapshot_version_rollback_in_timestamp);
    RUN(test_s22_timestamp_expired);
    RUN(test_s22_kept_timestamp_expired);
    RUN(test_s23_timestamp_404);
    RUN(test_s24_timestamp_size_cap);
    RUN(test_s25_snapshot_served_as_timestamp);
    RUN(test_s26_recovery_after_rejected_timestamp);
    return th_summary("test_client_timestamp");
}
