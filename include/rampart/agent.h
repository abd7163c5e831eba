/*
 * rampart/agent.h - the update agent: one configuration file says where
 * the repository is, which targets to follow and where to install them; a
 * cycle refreshes the trusted metadata, compares the channel with what it
 * saw before (anomalies), installs the newest release, health-checks it and
 * records every decision in the audit log (rampart/audit.h).
 * docs/agent.md describes the configuration, the cycle and the anomalies.
 *
 *     rampart_error err;
 *     rampart_agent *ag = NULL;
 *     if (rampart_agent_new(&ag, "/etc/rampart/agent.conf", &err) != 0)
 *         return 1;
 *     int rc = rampart_agent_run_once(ag);   // or rampart_agent_run(ag, &stop)
 *     rampart_agent_free(ag);
 *     return rc == 0 ? 0 : 1;
 *
 * Thread safety: an agent is used by one thread at a time.  It holds the
 * audit log's lock from rampart_agent_new to rampart_agent_free, so one
 * agent runs per audit folder.  Installs, hooks and the anomaly hook are
 * child processes (see rampart/install.h).
 */
#ifndef RAMPART_AGENT_H
#define RAMPART_AGENT_H

#include <signal.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rampart_agent rampart_agent;

/**
 * Reads the configuration file `config_path` and opens the audit log it
 * names.  Errors: RAMPART_EFORMAT (the file: the message names the line),
 * RAMPART_EINVAL (a required setting missing), RAMPART_ENOTFOUND,
 * RAMPART_EIO, the errors of rampart_audit_open, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_agent_new(rampart_agent **out, const char *config_path, rampart_error *err) RAMPART_MUST_USE;

/** Frees an agent and closes its audit log.  NULL-safe. */
RAMPART_API void rampart_agent_free(rampart_agent *ag);

/**
 * Runs one cycle: refresh, anomalies, the newest followed release, install
 * and health check, each decision recorded.  Returns 0 when the channel was
 * refreshed and the newest release is active (installed now, or already);
 * RAMPART_EHELD when a blocking anomaly holds the update; otherwise the
 * code of what failed or was refused (a refresh refusal, RAMPART_EDOWNGRADE,
 * RAMPART_EHEALTH, RAMPART_ENOTFOUND when no target follows the pattern,
 * ...), with the detail in rampart_agent_last_error.
 */
RAMPART_API int rampart_agent_run_once(rampart_agent *ag) RAMPART_MUST_USE;

/**
 * Runs cycles until *stop becomes non-zero (checked between cycles and
 * every 100 ms of the waits): after a successful cycle it waits the poll
 * interval plus a random jitter; after a failed one, a backoff that doubles
 * from the poll interval up to the backoff cap.  With $NOTIFY_SOCKET set it
 * tells systemd READY=1 after the first cycle, WATCHDOG=1 at half the
 * $WATCHDOG_USEC interval, and STOPPING=1 before returning.  Returns 0 once
 * stopped (RAMPART_EIO when the audit log cannot be written any more).
 */
RAMPART_API int rampart_agent_run(rampart_agent *ag, volatile sig_atomic_t *stop) RAMPART_MUST_USE;

/**
 * Acknowledges held anomaly `id` (an operator saw it): removes it from the
 * held list and records an "ack".  Errors: RAMPART_ENOTFOUND (no such held
 * anomaly), RAMPART_EIO, RAMPART_EINVAL.
 */
RAMPART_API int rampart_agent_ack(rampart_agent *ag, const char *id) RAMPART_MUST_USE;

/**
 * Acknowledges every held anomaly, oldest first, with one "ack" record
 * each (docs/agent.md, "Acknowledging").  *count (may be NULL) is set to
 * the number acknowledged, 0 when none was held (not an error).  On a
 * failure the ones before stay acknowledged and recorded, the rest held.
 * Errors: RAMPART_EIO, RAMPART_EINVAL.
 */
RAMPART_API int rampart_agent_ack_all(rampart_agent *ag, size_t *count) RAMPART_MUST_USE;

/** The number of anomalies holding the update (0 for NULL). */
RAMPART_API size_t rampart_agent_held_count(const rampart_agent *ag) RAMPART_MUST_USE;

/**
 * Held anomaly `i` (0 the oldest, the one a held cycle names): its id, its
 * name ("root-rotation", ...) and its detail, strings valid until
 * the agent's held list changes (any pointer may be NULL).
 * Errors: RAMPART_EINVAL (no such index).
 */
RAMPART_API int rampart_agent_held_at(const rampart_agent *ag, size_t i, const char **id, const char **kind,
                                      const char **detail) RAMPART_MUST_USE;

/** Detail of the last error on this agent. */
RAMPART_API const rampart_error *rampart_agent_last_error(const rampart_agent *ag) RAMPART_MUST_USE;

#ifdef __cplusplus
}
#endif
#endif /* RAMPART_AGENT_H */
