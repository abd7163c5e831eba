/*
 * agent_internal.h - the update agent (docs/agent.md): its configuration
 * parser and the channel monitor's comparison, both with no I/O (config.c,
 * monitor.c), the state file (state.c), sd_notify (notify.c) and the cycle
 * (agent.c).
 */
#ifndef RAMPART_AGENT_INTERNAL_H
#define RAMPART_AGENT_INTERNAL_H

#include "rampart/agent.h"
#include "util/buf.h"

/* ---- configuration (config.c) ---------------------------------------------------------- */

#define AGENT_CONF_MAX 65536 /* the whole file */
#define AGENT_LINE_MAX 4096
#define AGENT_MAX_URLS 8
#define AGENT_MAX_ARGS 32
#define AGENT_VALUE_MAX 1024

enum { HOOK_PRE, HOOK_POST, HOOK_HEALTH, HOOK_ANOMALY, HOOK_COUNT };

typedef struct agent_config {
    char *metadata_dir, *trusted_root, *follow, *install_dir, *state_dir, *audit_dir, *audit_name;
    char *provenance_policy, *ca_file, *journal_socket, *log_policy;
    char *murls[AGENT_MAX_URLS], *turls[AGENT_MAX_URLS];
    size_t nmurls, nturls;
    char *hookbuf[HOOK_COUNT];
    const char *hooks[HOOK_COUNT][AGENT_MAX_ARGS + 1]; /* NULL-terminated; [0] NULL when unset */
    unsigned keep;
    unsigned hook_timeout_s;
    unsigned poll_interval_s, jitter_s, backoff_max_s;
    int journal, allow_insecure_http, allow_downgrade;
    unsigned log_max_age_s;    /* 0: the client's default (RAMPART_LOG_MAX_AGE_DEFAULT) */
    int log_offline;           /* 1: inclusion from the tlog-proof beside each target */
    unsigned block;            /* bit set of anomaly kinds that hold the update (1u << enum mon_kind) */
    unsigned max_version_jump; /* major versions; 0: no check */
    unsigned freeze_after_s;   /* 0: no check */
    unsigned expiry_tolerance_s;
} agent_config;

/* Parses a configuration file's `n` bytes (docs/agent.md, "Configuration"):
 * "key = value" lines, '#' comments, blank lines.  EFORMAT naming the line
 * (an unknown key, a repeated single key, a bad number or boolean, a control
 * character, a line over AGENT_LINE_MAX), ETOOLARGE, EINVAL (a required key
 * missing), ENOMEM.  Free with agent_config_free, also after a failure. */
int agent_config_parse(const uint8_t *p, size_t n, agent_config *out, rerr *e) RAMPART_MUST_USE;
void agent_config_free(agent_config *c);

/* ---- the channel monitor (monitor.c) ----------------------------------------------------- */

enum mon_kind {
    MON_NEW_KEY,
    MON_ROOT_ROTATION,
    MON_LOWERED_THRESHOLD,
    MON_EXPIRY_WINDOW,
    MON_VERSION_JUMP,
    MON_SAME_VERSION_NEW_BYTES,
    MON_PROVENANCE_BUILDER,
    MON_PROVENANCE_SOURCE,
    MON_FREEZE,
    MON_SPLIT_VIEW,
    MON_KIND_COUNT
};

/* The name of an anomaly kind ("new-key", ...), or NULL. */
const char *mon_kind_name(int k);
/* The kind called `name`, or -1. */
int mon_kind_from_name(const char *name, size_t n);

#define MON_MAX_ROLES 32
#define MON_MAX_KEYS 16
#define MON_MAX_TARGETS 64
#define MON_NAME_MAX 128
#define MON_TEXT_MAX 256

typedef struct mon_role {
    char name[MON_NAME_MAX];
    long long version; /* the role's version (top-level roles; 0 for delegations) */
    long long threshold;
    size_t nkeys;
    char keys[MON_MAX_KEYS][65]; /* key fingerprints (hex SHA-256 of the key), sorted */
    long long window;            /* expires - the time its version was first seen (top-level roles) */
} mon_role;

typedef struct mon_target {
    char path[MON_TEXT_MAX];
    char version[64];
    char sha256[65];
} mon_target;

/* What the agent knows of the channel: its state (saved between runs) and
 * the view of one refresh have the same shape. */
typedef struct mon_state {
    int known; /* 0: nothing seen yet (the first view is learnt, never an anomaly) */
    long long root_version;
    size_t nroles;
    mon_role roles[MON_MAX_ROLES];
    long long timestamp_version;
    long long timestamp_seen; /* when the timestamp version last went up */
    int freeze_raised;
    size_t ntargets;
    mon_target targets[MON_MAX_TARGETS];              /* followed targets seen */
    char builder[MON_TEXT_MAX], source[MON_TEXT_MAX]; /* provenance of the last release */
} mon_state;

typedef struct mon_view {
    long long now;
    int refresh_code; /* the refresh's (or the log check's) result: RAMPART_ESPLITVIEW is an anomaly */
    int fresh;        /* 1: the refresh succeeded and the rest of the view is filled */
    mon_state s;      /* root_version, roles, timestamp_version, targets[0..1], builder, source */
} mon_view;

typedef struct mon_policy {
    unsigned max_version_jump;
    unsigned freeze_after_s;
    unsigned expiry_tolerance_s;
} mon_policy;

typedef struct mon_anomaly {
    int kind;
    char detail[MON_TEXT_MAX * 2];
    char id[13]; /* 12 hex digits of SHA-256(kind name, detail) */
} mon_anomaly;

#define MON_MAX_ANOMALIES 64

/* Compares view `v` with state `old` (docs/agent.md, "Anomalies") and
 * writes the anomalies found to out[0..*n) (at most MON_MAX_ANOMALIES).
 * No I/O.  Returns 0, or ECRYPTO/ENOMEM from the hash of an id. */
int mon_compare(const mon_state *old, const mon_view *v, const mon_policy *p, mon_anomaly *out,
                size_t *n) RAMPART_MUST_USE;

/* The state after view `v`: what it saw replaces what was known (windows of
 * unchanged versions and the time of the last new timestamp carried over).
 * `froze`: a freeze anomaly was raised for this view (raised once until the
 * timestamp moves again). */
void mon_update(mon_state *s, const mon_view *v, bool froze);

/* ---- the state file (state.c) ------------------------------------------------------------- */

typedef struct agent_held {
    char id[13];
    char kind[32];
    char detail[MON_TEXT_MAX * 2];
} agent_held;

#define AGENT_MAX_HELD 32

/* The install under way (docs/agent.md, "Crash safety"): saved before the
 * installer starts, cleared once its outcome is recorded; one found when
 * the agent starts was interrupted, and its outcome is recorded then. */
typedef struct agent_installing {
    char target[MON_TEXT_MAX];
    char version[64]; /* "" when no install is under way */
    char previous[64];
    char sha256[65];
    long long seq; /* the audit log's records when it began: its outcome comes after */
} agent_installing;

typedef struct agent_state {
    mon_state mon;
    size_t nheld;
    agent_held held[AGENT_MAX_HELD];
    char refused[MON_TEXT_MAX + 64 + 65 + 16]; /* "code path version sha256" of the last refusal */
    agent_installing installing;
} agent_state;

int agent_state_parse(const uint8_t *p, size_t n, agent_state *out, rerr *e) RAMPART_MUST_USE;
int agent_state_format(const agent_state *s, rbuf *out) RAMPART_MUST_USE;

/* ---- sd_notify (notify.c) ------------------------------------------------------------------ */

/* Sends `msg` ("READY=1", ...) to $NOTIFY_SOCKET when it is set (a path or
 * "@abstract"); does nothing otherwise.  Best effort. */
void agent_notify(const char *msg);
/* The watchdog interval asked for by $WATCHDOG_USEC (and $WATCHDOG_PID), in
 * milliseconds, or 0. */
unsigned long agent_watchdog_ms(void);

#endif
