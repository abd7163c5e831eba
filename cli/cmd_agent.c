/*
 * cmd_agent.c - `rampart agent`: the update agent, as a service (polling
 * until SIGTERM) or one cycle (--once); `rampart agent ack ID` releases an
 * update held by a blocking anomaly.  See docs/agent.md.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

enum { O_CONFIG = 256, O_ONCE, O_ALL };

struct agent_args {
    const char *config;
    int once;
    int all;
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static int agent_opt(void *ctx, int id, const char *arg)
{
    struct agent_args *a = ctx;
    if (id == O_CONFIG)
        a->config = arg;
    else if (id == O_ALL)
        a->all = 1;
    else
        a->once = 1;
    return 0;
}

static const struct cli_opt agent_opts[] = {
    {"config", required_argument, O_CONFIG, 0, "FILE", "the agent's configuration (default /etc/rampart/agent.conf)"},
    {"once", no_argument, O_ONCE, 0, NULL, "run one cycle and exit (for cron and tests)"},
    {"all", no_argument, O_ALL, 0, NULL, "ack: acknowledge every held anomaly (one ack record each)"},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct cli_cmd agent_cmd = {
    "agent", "agent [--config FILE] [--once]\n       rampart agent [--config FILE] ack ID|--all",
    "Keeps an endpoint up to date: refreshes the trusted metadata, watches the channel for\n"
    "anomalies, installs the newest release of the followed targets, health-checks it and\n"
    "records every decision in the audit log (docs/agent.md).  Without --once it polls until\n"
    "SIGTERM.  With --once: exit 0 when the newest release is active, 1 when the cycle\n"
    "failed, was refused or is held (the message names the code: RAMPART_EHELD for a\n"
    "blocking anomaly).  `ack ID` acknowledges one held anomaly (the update stays held\n"
    "while another one is: the output names the next); `ack --all` acknowledges them all.",
    agent_opts, agent_opt};

/* `ack ID` or `ack --all` (id NULL), then what still holds the update. */
static int ack_and_report(rampart_agent *ag, const char *id)
{
    size_t n = 0;
    int rc = id != NULL ? rampart_agent_ack(ag, id) : rampart_agent_ack_all(ag, &n);
    if (rc != 0)
        return rc;
    if (id != NULL) {
        printf("acknowledged ");
        cli_print_safe(stdout, id);
        printf("\n");
    } else {
        printf("acknowledged %zu held anomal%s\n", n, n == 1 ? "y" : "ies");
    }
    size_t left = rampart_agent_held_count(ag);
    const char *nid = NULL, *kind = NULL, *detail = NULL;
    if (left > 0 && rampart_agent_held_at(ag, 0, &nid, &kind, &detail) == 0) {
        printf("still held by %zu anomal%s; next: ", left, left == 1 ? "y" : "ies");
        cli_print_safe(stdout, nid);
        printf(" (");
        cli_print_safe(stdout, kind);
        printf("): ");
        cli_print_safe(stdout, detail);
        printf("\n");
    } else {
        printf("no anomaly holds the update\n");
    }
    return 0;
}

int cmd_agent(int argc, char **argv)
{
    struct agent_args a = {"/etc/rampart/agent.conf", 0, 0};
    int npos = 0;
    int rc = cli_parse(&agent_cmd, argc, argv, &a, &npos);
    if (rc != 0)
        return rc == CLI_HELP ? CLI_OK : rc;
    const char *ack = NULL;
    bool acking = npos >= 1 && strcmp(argv[1], "ack") == 0;
    if (acking && npos == 2 && !a.all) {
        ack = argv[2];
    } else if (acking && npos == 1 && !a.all) {
        cli_usage_error("ack needs an anomaly ID or --all");
        return CLI_USAGE;
    } else if (!(acking && npos == 1) && npos != 0) {
        cli_usage_error("unexpected argument '%s'", argv[!acking ? 1 : a.all ? 2 : 3]);
        return CLI_USAGE;
    }
    if (a.all && !acking) {
        cli_usage_error("--all goes with ack");
        return CLI_USAGE;
    }
    if (acking && a.once) {
        cli_usage_error("ack takes no --once");
        return CLI_USAGE;
    }
    rampart_agent *ag = NULL;
    rampart_error err = {0};
    rc = rampart_agent_new(&ag, a.config, &err);
    if (rc != 0) {
        cli_report(a.config, rc, &err);
        return CLI_FAIL;
    }
    if (acking) {
        rc = ack_and_report(ag, ack);
    } else if (a.once) {
        rc = rampart_agent_run_once(ag);
    } else {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        rc = rampart_agent_run(ag, &stop_flag);
    }
    if (rc != 0)
        cli_report("agent", rc, rampart_agent_last_error(ag));
    rampart_agent_free(ag);
    return rc == 0 ? CLI_OK : CLI_FAIL;
}
