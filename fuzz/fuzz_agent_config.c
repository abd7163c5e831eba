/*
 * fuzz_agent_config.c - the agent's configuration parser (src/agent/config.c)
 * and its state file reader (state.c).
 *
 * agent_config: the input is a configuration file.  Invariants:
 *  - agent_config_parse returns 0, EFORMAT, EINVAL or ETOOLARGE;
 *  - on success every required key is set, each hook vector is
 *    NULL-terminated with non-empty words, keep >= 2 and the backoff cap is
 *    never below the poll interval;
 *  - agent_config_free releases everything after any result (ASan).
 * agent_state (FUZZ_AGENT_STATE): the input is a state file.
 *  - agent_state_parse returns 0, EFORMAT, ETOOLARGE or ENOMEM;
 *  - a parsed state formats and parses again to the same state.
 */
#include "agent/agent_internal.h"
#include "fuzz_common.h"
#include "util/banned.h"

#ifdef FUZZ_AGENT_STATE
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static agent_state a, b;
    int rc = agent_state_parse(data, size, &a, NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT || rc == RAMPART_ETOOLARGE || rc == RAMPART_ENOMEM);
    if (rc != 0)
        return 0;
    rbuf out;
    rbuf_init(&out, 16u << 20);
    FUZZ_CHECK(agent_state_format(&a, &out) == 0);
    int rc2 = agent_state_parse(out.data, out.len, &b, NULL);
    /* Text that sanitising changes (control characters) may differ; the
     * numbers and the shape never do. */
    FUZZ_CHECK(rc2 == 0);
    FUZZ_CHECK(b.mon.nroles == a.mon.nroles && b.mon.ntargets == a.mon.ntargets && b.nheld == a.nheld);
    FUZZ_CHECK(b.mon.root_version == a.mon.root_version && b.mon.timestamp_seen == a.mon.timestamp_seen);
    FUZZ_CHECK(b.installing.seq == a.installing.seq &&
               (b.installing.version[0] != '\0') == (a.installing.version[0] != '\0'));
    rbuf_free(&out);
    return 0;
}
#else
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    agent_config c;
    int rc = agent_config_parse(data, size, &c, NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT || rc == RAMPART_EINVAL || rc == RAMPART_ETOOLARGE ||
               rc == RAMPART_ENOMEM);
    if (rc == 0) {
        FUZZ_CHECK(c.metadata_dir != NULL && c.nmurls > 0 && c.nturls > 0 && c.follow != NULL &&
                   c.install_dir != NULL && c.state_dir != NULL && c.audit_dir != NULL);
        FUZZ_CHECK(c.keep >= 2 && c.backoff_max_s >= c.poll_interval_s);
        for (int h = 0; h < HOOK_COUNT; h++) {
            size_t i = 0;
            for (; i <= AGENT_MAX_ARGS && c.hooks[h][i] != NULL; i++)
                FUZZ_CHECK(c.hooks[h][i][0] != '\0' && strchr(c.hooks[h][i], ' ') == NULL);
            FUZZ_CHECK(i <= AGENT_MAX_ARGS);
        }
    }
    agent_config_free(&c);
    return 0;
}
#endif
