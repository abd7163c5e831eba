/*
 * test_client_snapshot.c - the client's snapshot update (TUF §5.5) against a
 * simulated hostile repository: docs/security-matrix.md scenarios S27-S33.
 * Each test asserts the return code, the last error, the request log where
 * the order matters, and the exact bytes left in the metadata folder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ctest_util.h"
#include "util/banned.h"

/* The newest bytes of `role` (a malloc'ed copy). */
static uint8_t *latest_copy(sim *s, const char *role, size_t *len)
{
    const uint8_t *b = sim_version_bytes(s, role, sim_version(s, role), len);
    uint8_t *c = malloc(*len + 1);
    if (c == NULL)
        abort();
    memcpy(c, b, *len);
    return c;
}

/* S27: snapshot bytes that differ from the timestamp's hash (same length,
 * still validly signed: one whitespace byte changed) or length. */
CT_TEST(test_s27_snapshot_hash_or_length_mismatch)
{
    sim_set_meta_hashes(t->s, true);
    sim_update(t->s, NULL);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=1 timestamp=2");
    sim_update(t->s, NULL); /* snapshot v3, timestamp v3 */
    size_t len;
    uint8_t *b = latest_copy(t->s, "snapshot", &len);
    uint8_t *nl = (uint8_t *)strstr((char *)b, "\n ");
    CHECK(nl != NULL);
    nl[1] = '\t';
    sim_replace_latest(t->s, "snapshot", b, len);
    sim_reset_requests(t->s);
    CHECK_RC(ct_refresh(t), RAMPART_EMISMATCH);
    CHECK_ERR(t, RAMPART_EMISMATCH, "snapshot", "snapshot does not match its sha256 hash");
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\nmetadata/3.snapshot.json\n");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=1 timestamp=3");

    /* One whitespace byte fewer: the length no longer matches. */
    memmove(nl + 1, nl + 2, len - (size_t)(nl + 2 - b));
    sim_replace_latest(t->s, "snapshot", b, len - 1);
    free(b);
    CHECK_RC(ct_refresh(t), RAMPART_EMISMATCH);
    char want[96];
    snprintf(want, sizeof(want), "snapshot is %zu bytes, expected %zu", len - 1, len);
    CHECK_ERR(t, RAMPART_EMISMATCH, "snapshot", want);
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=1 timestamp=3");
}

/* S28: the snapshot served is not the version the timestamp names. */
CT_TEST(test_s28_snapshot_version_mismatch)
{
    CHECK_OK(ct_refresh(t));
    sim_publish(t->s, "snapshot");
    sim_publish(t->s, "timestamp"); /* names snapshot 2 */
    sim_publish(t->s, "snapshot");  /* v3, not named by any timestamp */
    size_t len;
    const uint8_t *v3 = sim_version_bytes(t->s, "snapshot", 3, &len);
    sim_serve_bytes(t->s, "metadata/2.snapshot.json", v3, len);
    sim_reset_requests(t->s);
    CHECK_RC(ct_refresh(t), RAMPART_EMISMATCH);
    CHECK_ERR(t, RAMPART_EMISMATCH, "snapshot", "snapshot version 3, but the timestamp names version 2");
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\nmetadata/2.snapshot.json\n");
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=2");
}

/* S28: the snapshot the timestamp names is not found. */
CT_TEST(test_s28_snapshot_404)
{
    CHECK_OK(ct_refresh(t));
    json_t *meta = json_object_get(json_object_get(sim_signed(t->s, "timestamp"), "meta"), "snapshot.json");
    json_object_set_new(meta, "version", json_integer(2)); /* never published */
    sim_publish(t->s, "timestamp");
    sim_reset_requests(t->s);
    CHECK_RC(ct_refresh(t), RAMPART_ENOTFOUND);
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\nmetadata/2.snapshot.json\n");
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=2");
}

/* S29: the new snapshot lowers the version of `role`, which is re-issued at
 * version 1 (so its META entry, hashes included, is self-consistent). */
static void rollback_case(ctest *t, bool hashes, const char *role)
{
    sim_set_meta_hashes(t->s, hashes);
    const char *paths[] = {"*", NULL};
    sim_delegate(t->s, "targets", "A", paths, false);
    sim_publish(t->s, "A");
    sim_publish(t->s, "A");
    sim_update(t->s, "targets");
    CHECK_RC(ct_find(t, "missing"), RAMPART_ENOTFOUND);
    CHECK_STR(ct_state(t), "A=2 root=1 snapshot=2 targets=2 timestamp=2");
    ct_set_version(t->s, role, 0);
    sim_publish(t->s, role);
    sim_update(t->s, NULL);
    ct_reopen(t);
    sim_reset_requests(t->s);
    CHECK_RC(ct_refresh(t), RAMPART_EROLLBACK);
    char want[96];
    snprintf(want, sizeof(want), "snapshot rolls \"%s.json\" back from version 2 to 1", role);
    CHECK_ERR(t, RAMPART_EROLLBACK, "snapshot", want);
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\nmetadata/3.snapshot.json\n");
    CHECK_STR(ct_state(t), "A=2 root=1 snapshot=2 targets=2 timestamp=3");
}

CT_TEST(test_s29_targets_rollback)
{
    rollback_case(t, false, "targets");
}

CT_TEST(test_s29_targets_rollback_with_hashes)
{
    rollback_case(t, true, "targets");
}

CT_TEST(test_s29_delegated_rollback)
{
    rollback_case(t, false, "A");
}

CT_TEST(test_s29_delegated_rollback_with_hashes)
{
    rollback_case(t, true, "A");
}

/* S30: the new snapshot no longer lists a role; accepted only once the
 * snapshot keys were rotated (the old snapshot no longer verifies). */
CT_TEST(test_s30_role_removed_from_snapshot)
{
    const char *paths[] = {"*", NULL};
    sim_delegate(t->s, "targets", "A", paths, false);
    sim_publish(t->s, "A");
    sim_update(t->s, "targets");
    CHECK_OK(ct_refresh(t));
    json_object_del(json_object_get(sim_signed(t->s, "snapshot"), "meta"), "A.json");
    sim_update(t->s, NULL);
    CHECK_RC(ct_refresh(t), RAMPART_EROLLBACK);
    CHECK_ERR(t, RAMPART_EROLLBACK, "snapshot", "snapshot no longer lists \"A.json\"");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=2 timestamp=3");

    ct_rotate(t->s, "snapshot");
    sim_publish(t->s, "root");
    sim_update(t->s, NULL);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=2 snapshot=4 targets=2 timestamp=4");
}

#define MANY_ROLES 20000

/* Sets the snapshot's META entries zbin-00000.json ... zbin-19999.json to
 * `version`, inserted last-first, except entry `skip` (-1: none) and with
 * entry `low` (-1: none) at `version` - 1; then publishes snapshot and
 * timestamp with the snapshot's members in that insertion order (not
 * sorted: the signature covers the canonical form only). */
static void publish_many(ctest *t, int64_t version, int skip, int low)
{
    json_t *sgn = sim_signed(t->s, "snapshot");
    json_t *meta = json_object();
    json_object_set(meta, "targets.json", json_object_get(json_object_get(sgn, "meta"), "targets.json"));
    for (int i = MANY_ROLES - 1; i >= 0; i--) {
        char name[32];
        snprintf(name, sizeof(name), "zbin-%05d.json", i);
        if (i != skip)
            json_object_set_new(meta, name,
                                json_pack("{s:I}", "version", (json_int_t)(i == low ? version - 1 : version)));
    }
    json_object_set_new(sgn, "meta", meta);
    sim_publish(t->s, "snapshot");
    json_t *doc = ct_doc(t->s, "snapshot", sim_version(t->s, "snapshot"));
    json_object_set(json_object_get(doc, "signed"), "meta", meta); /* insertion order, last first */
    char *text = json_dumps(doc, JSON_INDENT(1));
    CHECK(text != NULL);
    sim_replace_latest(t->s, "snapshot", text, strlen(text));
    free(text);
    json_decref(doc);
    sim_publish(t->s, "timestamp");
}

/* TUF 5.5.5 over a large snapshot (the check sorts the new snapshot's
 * entries once and looks each trusted one up): a role missing at the end
 * of 20,000, or listed there at a lower version, is still refused; a
 * snapshot listing every role at the same or a higher version, in any
 * order, is accepted. */
CT_TEST(test_s29_rollback_check_in_a_large_snapshot)
{
    publish_many(t, 2, -1, -1); /* snapshot 2 */
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=1 timestamp=2");
    publish_many(t, 2, -1, 0); /* snapshot 3: zbin-00000 (listed last) at version 1 */
    CHECK_RC(ct_refresh(t), RAMPART_EROLLBACK);
    CHECK_ERR(t, RAMPART_EROLLBACK, "snapshot", "snapshot rolls \"zbin-00000.json\" back from version 2 to 1");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=1 timestamp=3");
    publish_many(t, 2, 0, -1); /* snapshot 4: zbin-00000 missing */
    CHECK_RC(ct_refresh(t), RAMPART_EROLLBACK);
    CHECK_ERR(t, RAMPART_EROLLBACK, "snapshot", "snapshot no longer lists \"zbin-00000.json\"");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=1 timestamp=4");
    publish_many(t, 2, MANY_ROLES - 1, -1); /* snapshot 5: the first listed missing */
    CHECK_RC(ct_refresh(t), RAMPART_EROLLBACK);
    CHECK_ERR(t, RAMPART_EROLLBACK, "snapshot", "snapshot no longer lists \"zbin-19999.json\"");
    publish_many(t, 3, -1, 0); /* snapshot 6: every role up, zbin-00000 the same */
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=1 snapshot=6 targets=1 timestamp=6");
}

/* S31: the repository rolls the snapshot back to v1 with a new timestamp v3
 * naming it: rejected at the timestamp, nothing else requested. */
CT_TEST(test_s31_snapshot_rollback_via_timestamp)
{
    sim_update(t->s, NULL);
    CHECK_OK(ct_refresh(t));
    json_t *meta = json_object_get(sim_signed(t->s, "timestamp"), "meta");
    json_object_set_new(meta, "snapshot.json", json_pack("{s:i}", "version", 1));
    sim_publish(t->s, "timestamp");
    sim_reset_requests(t->s);
    CHECK_RC(ct_refresh(t), RAMPART_EROLLBACK);
    CHECK_ERR(t, RAMPART_EROLLBACK, "timestamp", "timestamp names snapshot version 1, older than the trusted 2");
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\n");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=1 timestamp=2");
}

CT_TEST(test_s31_snapshot_rollback_via_timestamp_with_hashes)
{
    sim_set_meta_hashes(t->s, true);
    sim_update(t->s, NULL);
    CHECK_OK(ct_refresh(t));
    json_t *meta = json_object_get(sim_signed(t->s, "timestamp"), "meta");
    json_object_set_new(meta, "snapshot.json", ct_metafile(t->s, "snapshot", 1));
    sim_publish(t->s, "timestamp");
    sim_reset_requests(t->s);
    CHECK_RC(ct_refresh(t), RAMPART_EROLLBACK);
    CHECK_ERR(t, RAMPART_EROLLBACK, "timestamp", "timestamp names snapshot version 1, older than the trusted 2");
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\n");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=1 timestamp=2");
}

/* S31: the timestamp names v3 honestly, but 3.snapshot.json holds v1. */
CT_TEST(test_s31_old_snapshot_served_for_new_version)
{
    sim_update(t->s, NULL);
    CHECK_OK(ct_refresh(t));
    sim_update(t->s, NULL);
    size_t len;
    const uint8_t *v1 = sim_version_bytes(t->s, "snapshot", 1, &len);
    sim_serve_bytes(t->s, "metadata/3.snapshot.json", v1, len);
    CHECK_RC(ct_refresh(t), RAMPART_EMISMATCH);
    CHECK_ERR(t, RAMPART_EMISMATCH, "snapshot", "snapshot version 1, but the timestamp names version 3");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=1 timestamp=3");
}

/* S32: a snapshot stream longer than the timestamp's length: the cap is
 * that length (one byte more aborts); without a length, the configured cap. */
CT_TEST(test_s32_snapshot_longer_than_length)
{
    sim_set_meta_hashes(t->s, true);
    sim_update(t->s, NULL);
    size_t len;
    uint8_t *b = latest_copy(t->s, "snapshot", &len);
    b[len] = ' ';
    sim_serve_bytes(t->s, "metadata/2.snapshot.json", b, len + 1);
    free(b);
    CHECK_RC(ct_refresh(t), RAMPART_ETOOLARGE);
    CHECK_STR(ct_state(t), "root=1 timestamp=2");
    sim_serve_endless(t->s, "metadata/2.snapshot.json");
    CHECK_RC(ct_refresh(t), RAMPART_ETOOLARGE);
    CHECK_STR(ct_state(t), "root=1 timestamp=2");
    sim_clear_faults(t->s);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=1 timestamp=2");

    /* No length in the timestamp: max_snapshot_bytes applies. */
    sim_set_meta_hashes(t->s, false);
    sim_update(t->s, NULL);
    (void)sim_version_bytes(t->s, "snapshot", 3, &len);
    t->o.max_snapshot_bytes = len - 1;
    ct_reopen(t);
    CHECK_RC(ct_refresh(t), RAMPART_ETOOLARGE);
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=1 timestamp=3");
    t->o.max_snapshot_bytes = len;
    ct_reopen(t);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=1 snapshot=3 targets=1 timestamp=3");
}

/* S33: an expired snapshot is a freeze; the new timestamp is kept. */
CT_TEST(test_s33_snapshot_expired)
{
    CHECK_OK(ct_refresh(t));
    sim_set_expires(t->s, "snapshot", SIM_NOW);
    sim_update(t->s, NULL);
    CHECK_RC(ct_refresh(t), RAMPART_EEXPIRED);
    CHECK_ERR(t, RAMPART_EEXPIRED, "snapshot", "snapshot metadata version 2 expired at 2030-06-01T00:00:00Z");
    CHECK_STR(ct_state(t), "root=1 snapshot=1 targets=1 timestamp=2");
}

/* S33: a trusted local snapshot that expired while the timestamp still names
 * it is not final: it is fetched again, and the (same, expired) file fails. */
CT_TEST(test_s33_local_snapshot_expired)
{
    sim_set_expires(t->s, "snapshot", SIM_NOW + SIM_DAY);
    sim_update(t->s, NULL);
    CHECK_OK(ct_refresh(t));
    t->now = SIM_NOW + SIM_DAY;
    sim_publish(t->s, "timestamp"); /* v3, still naming snapshot 2 */
    sim_reset_requests(t->s);
    CHECK_RC(ct_refresh(t), RAMPART_EEXPIRED);
    CHECK_ERR(t, RAMPART_EEXPIRED, "snapshot", "snapshot metadata version 2 expired");
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\nmetadata/2.snapshot.json\n");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=1 timestamp=3");
}

int main(void)
{
    RUN(test_s27_snapshot_hash_or_length_mismatch);
    RUN(test_s28_snapshot_version_mismatch);
    RUN(test_s28_snapshot_404);
    RUN(test_s29_targets_rollback);
    RUN(test_s29_targets_rollback_with_hashes);
    RUN(test_s29_delegated_rollback);
    RUN(test_s29_delegated_rollback_with_hashes);
    RUN(test_s29_rollback_check_in_a_large_snapshot);
    RUN(test_s30_role_removed_from_snapshot);
    RUN(test_s31_snapshot_rollback_via_timestamp);
    RUN(test_s31_snapshot_rollback_via_timestamp_with_hashes);
    RUN(test_s31_old_snapshot_served_for_new_version);
    RUN(test_s32_snapshot_longer_than_length);
    RUN(test_s33_snapshot_expired);
    RUN(test_s33_local_snapshot_expired);
    return th_summary("test_client_snapshot");
}
