/*
 * fuzz_tlog_policy.c - C2SP tlog-policy files (src/tlog/policy.c).
 *
 * The input is a policy file.  Invariants:
 *  - tlog_policy_parse returns 0, EFORMAT, ETOOLARGE or EUNSUPPORTED, *out
 *    untouched on failure;
 *  - a parsed policy has at most TLOG_POLICY_MAX logs, witnesses and
 *    groups, log keys of type 0x01 and witness keys of type 0x04, no two
 *    logs or witnesses with one public key, groups with 1 <= k <= n whose
 *    members come before them, and a quorum;
 *  - the quorum holds when every witness cosigned; when none did, only for
 *    "quorum none"; and more cosigners never turn it from held to not.
 */
#include "fuzz_common.h"
#include "tlog/policy.h"
#include "util/banned.h"

static void check_policy(const tlog_policy *p, const uint8_t *data, size_t size)
{
    FUZZ_CHECK(p->nlogs <= TLOG_POLICY_MAX && p->nwit <= TLOG_POLICY_MAX && p->ngroups <= TLOG_POLICY_MAX);
    for (size_t i = 0; i < p->nlogs; i++) {
        FUZZ_CHECK(p->log[i]->type == TLOG_SIG_ED25519);
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(!tlog_vkey_same_key(p->log[i], p->log[j]));
    }
    for (size_t i = 0; i < p->nwit; i++) {
        FUZZ_CHECK(p->wit[i].key->type == TLOG_SIG_COSIGN_V1);
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(!tlog_vkey_same_key(p->wit[i].key, p->wit[j].key));
    }
    for (size_t g = 0; g < p->ngroups; g++) {
        FUZZ_CHECK(p->grp[g].k >= 1 && p->grp[g].k <= p->grp[g].n);
        for (size_t i = 0; i < p->grp[g].n; i++)
            FUZZ_CHECK(p->grp[g].m[i].group ? p->grp[g].m[i].idx < g : p->grp[g].m[i].idx < p->nwit);
    }
    bool all[TLOG_POLICY_MAX], none[TLOG_POLICY_MAX], some[TLOG_POLICY_MAX];
    for (size_t i = 0; i < TLOG_POLICY_MAX; i++) {
        all[i] = true;
        none[i] = false;
        some[i] = size > 0 && (data[i % size] & 1);
    }
    FUZZ_CHECK(tlog_policy_quorum(p, all));
    FUZZ_CHECK(tlog_policy_quorum(p, none) == p->quorum_none);
    if (tlog_policy_quorum(p, some)) {
        for (size_t i = 0; i < TLOG_POLICY_MAX; i++)
            if (!some[i]) {
                some[i] = true;
                FUZZ_CHECK(tlog_policy_quorum(p, some));
            }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tlog_policy *p = (tlog_policy *)(uintptr_t)1;
    int rc = tlog_policy_parse(&p, data, size, NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT || rc == RAMPART_ETOOLARGE || rc == RAMPART_EUNSUPPORTED);
    if (rc != 0) {
        FUZZ_CHECK(p == (tlog_policy *)(uintptr_t)1);
        return 0;
    }
    check_policy(p, data, size);
    tlog_policy_free(p);
    return 0;
}
