/*
 * cmd_log.c - `rampart log monitor`: one poll of a transparency log, one
 * JSON line per alert on standard output (rampart/monitor.h;
 * docs/transparency.md "Monitor").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { O_REPO = 1, O_STATE, O_POLICY, O_LOGKEY, O_MAXAGE, O_CAFILE };

struct monitor_args {
    const char *repo, *state, *policy, *log_key, *ca_file;
    long long max_age;
};

static int monitor_opt(void *ctx, int id, const char *arg)
{
    struct monitor_args *a = ctx;
    switch (id) {
    case O_REPO:
        a->repo = arg;
        return 0;
    case O_STATE:
        a->state = arg;
        return 0;
    case O_POLICY:
        a->policy = arg;
        return 0;
    case O_LOGKEY:
        a->log_key = arg;
        return 0;
    case O_MAXAGE:
        return cli_number("--max-age", arg, 0, 100LL * 365 * 86400, &a->max_age) != 0 ? CLI_USAGE : 0;
    default: /* O_CAFILE */
        a->ca_file = arg;
        return 0;
    }
}

static const struct cli_opt monitor_opts[] = {
    {"repo", required_argument, O_REPO, 0, "DIR",
     "the vendor's repository (its public/metadata/), or a metadata folder"},
    {"state", required_argument, O_STATE, 0, "FILE", "the monitor's state: the checkpoint of the last poll"},
    {"policy", required_argument, O_POLICY, 0, "FILE", "a C2SP tlog-policy the checkpoint must satisfy"},
    {"log-key", required_argument, O_LOGKEY, 0, "VKEY", "... or only the log's verifier key"},
    {"max-age", required_argument, O_MAXAGE, 0, "SECONDS", "with --policy: the newest cosignature's maximum age"},
    {"ca-file", required_argument, O_CAFILE, 0, "FILE", "CA bundle for an https log"},
    {NULL, 0, 0, 0, NULL, NULL},
};

static const struct cli_cmd monitor_cmd = {
    "log monitor", "log monitor LOG --repo DIR --state FILE (--policy FILE | --log-key VKEY)",
    "Polls the log at LOG (a URL or a folder): verifies its checkpoint and its consistency\n"
    "with the last poll, and prints one JSON line per alert: an entry the repository did\n"
    "not publish, a malformed entry, a split view, a log that shrank.  Exit status 0:\n"
    "no alert; 1: alerts or a failure.",
    monitor_opts, monitor_opt};

static void print_alert(void *ctx, const char *json)
{
    (void)ctx;
    /* JSON with every control character escaped: safe to print. */
    printf("%s\n", json);
}

static int monitor(int argc, char **argv)
{
    struct monitor_args a;
    memset(&a, 0, sizeof(a));
    int npos = 0;
    int rc = cli_parse(&monitor_cmd, argc, argv, &a, &npos);
    if (rc != 0)
        return rc == CLI_HELP ? CLI_OK : rc;
    if (npos != 1 || a.repo == NULL || a.state == NULL || (a.policy == NULL) == (a.log_key == NULL)) {
        cli_usage_error(npos > 1 ? "unexpected argument '%s'" : "give LOG, --repo, --state and --policy or --log-key%s",
                        npos > 1 ? argv[2] : "");
        return CLI_USAGE;
    }
    rampart_log_monitor_options o = RAMPART_LOG_MONITOR_OPTIONS_INIT;
    o.log = argv[1];
    o.repo_dir = a.repo;
    o.state_file = a.state;
    o.log_vkey = a.log_key;
    o.max_age = a.max_age;
    o.ca_file = a.ca_file;
    o.alert = print_alert;
    char *policy = NULL;
    if (a.policy != NULL) {
        FILE *f = fopen(a.policy, "rb");
        policy = malloc(65537);
        size_t n = f && policy ? fread(policy, 1, 65537, f) : 0;
        if (f == NULL || policy == NULL || ferror(f) || n > 65536) {
            cli_error(RAMPART_EIO, "cannot read the policy %s (or over 64 KiB)", a.policy);
            if (f)
                fclose(f);
            free(policy);
            return CLI_FAIL;
        }
        fclose(f);
        o.policy = policy;
        o.policy_len = n;
    }
    size_t alerts = 0;
    rampart_error err;
    rc = rampart_log_monitor_run(&o, &alerts, &err);
    free(policy);
    if (rc != 0) {
        cli_report(NULL, rc, &err);
        return CLI_FAIL;
    }
    if (alerts > 0) {
        cli_errorf("%zu alert%s", alerts, alerts == 1 ? "" : "s");
        return CLI_FAIL;
    }
    return CLI_OK;
}

int cmd_log(int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {&monitor_cmd, monitor},
    };
    return cli_dispatch("log", subs, sizeof(subs) / sizeof(subs[0]), argc, argv);
}
