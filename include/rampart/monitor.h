/*
 * rampart/monitor.h - the vendor's log monitor: follows a transparency log
 * (C2SP tlog-tiles, as `rampart repo publish` writes it), checks that each
 * new checkpoint verifies and is consistent with the last one it saw, reads
 * every new entry, and reports each entry that the vendor's repository did
 * not publish (docs/transparency.md "Monitor").
 *
 *     rampart_log_monitor_options o = RAMPART_LOG_MONITOR_OPTIONS_INIT;
 *     o.log = "https://updates.example.com/log/";  // or a local folder
 *     o.policy = policy_text; o.policy_len = n;    // or o.log_vkey
 *     o.state_file = "/var/lib/rampart-monitor/example.state";
 *     o.repo_dir = "/srv/repo";
 *     o.alert = print_line;                        // one JSON object per alert
 *     size_t alerts;
 *     rampart_error err;
 *     int rc = rampart_log_monitor_run(&o, &alerts, &err);
 *
 * Alerts (JSON objects, one per call of `alert`, documented in
 * docs/transparency.md): "unpublished-entry", "malformed-entry",
 * "split-view", "log-shrank".
 *
 * Thread safety: one run uses its own transport and files; two runs on the
 * same state file must not overlap (the state file is replaced atomically,
 * the last run wins).
 */
#ifndef RAMPART_MONITOR_H
#define RAMPART_MONITOR_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RAMPART_LOG_MONITOR_OPTIONS_VERSION 1

typedef struct rampart_log_monitor_options {
    unsigned version;   /**< RAMPART_LOG_MONITOR_OPTIONS_VERSION */
    const char *log;    /**< the log folder: an http(s) URL or a local path; required */
    const char *policy; /**< a C2SP tlog-policy (log key, witnesses, quorum), `policy_len` bytes... */
    size_t policy_len;
    const char *log_vkey;   /**< ...or only the log's verifier key (no cosignatures required) */
    int64_t max_age;        /**< with a policy: the newest cosignature's maximum age in seconds; 0: none */
    const char *state_file; /**< the monitor's state (created on the first run); required */
    const char *repo_dir;   /**< the vendor's repository (its public/metadata/, or a metadata folder); required */
    const char *ca_file;    /**< CA bundle for an https log; NULL: the system's */
    /** Called once per alert with one JSON object (no newline), valid during the call. */
    void (*alert)(void *ctx, const char *json);
    void *alert_ctx;
} rampart_log_monitor_options;

#define RAMPART_LOG_MONITOR_OPTIONS_INIT                                                                               \
    {                                                                                                                  \
        .version = RAMPART_LOG_MONITOR_OPTIONS_VERSION                                                                 \
    }

/**
 * Runs one poll: fetches the checkpoint and verifies it (by the policy, or
 * by the log key), checks its consistency with the stored state, verifies
 * the inclusion of every new entry and judges it against the repository,
 * calling o->alert for each alert, then stores the new state (atomically).
 * Writes the number of alerts to *alerts.  Returns 0 when the poll
 * completed (with or without alerts); RAMPART_ESPLITVIEW after a
 * "split-view" or "log-shrank" alert (the state is left as it was);
 * RAMPART_ENOQUORUM / RAMPART_ESTALE (the checkpoint does not verify),
 * RAMPART_ENOTLOGGED (an entry is not in the tree the checkpoint signs),
 * RAMPART_EFORMAT / RAMPART_ETOOLARGE (the log's files, a damaged state
 * file), transport codes (RAMPART_ENET, RAMPART_ENOTFOUND, ...),
 * RAMPART_EIO, RAMPART_EINVAL, RAMPART_ENOMEM.  `err` may be NULL.
 */
RAMPART_API int rampart_log_monitor_run(const rampart_log_monitor_options *o, size_t *alerts,
                                        rampart_error *err) RAMPART_MUST_USE;

#ifdef __cplusplus
}
#endif
#endif /* RAMPART_MONITOR_H */
