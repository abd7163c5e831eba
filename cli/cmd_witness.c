/*
 * cmd_witness.c - `rampart witness serve|vkey`: a C2SP tlog-witness
 * (rampart/witness.h; docs/transparency.md "Witness").
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

enum { O_NAME = 1, O_KEY, O_CONFIG, O_STATE, O_LISTEN, O_PFILE, O_PENV };

struct witness_args {
    const char *name, *key, *config, *state, *listen;
    struct cli_pass pass;
};

static int witness_opt(void *ctx, int id, const char *arg)
{
    struct witness_args *a = ctx;
    switch (id) {
    case O_NAME:
        a->name = arg;
        return 0;
    case O_KEY:
        a->key = arg;
        return 0;
    case O_CONFIG:
        a->config = arg;
        return 0;
    case O_STATE:
        a->state = arg;
        return 0;
    case O_LISTEN:
        a->listen = arg;
        return 0;
    case O_PFILE:
        a->pass.file = arg;
        a->pass.env = NULL;
        return 0;
    default: /* O_PENV */
        a->pass.env = arg;
        a->pass.file = NULL;
        return 0;
    }
}

#define KEY_ROWS                                                                                                       \
    {"name", required_argument, O_NAME, 0, "NAME", "the witness's name, its key name (\"witness.example/w1\")"},       \
        {"key", required_argument, O_KEY, 0, "FILE", "its Ed25519 private key (rampart key generate --type ed25519)"}, \
        {"passphrase-file", required_argument, O_PFILE, 0, "FILE", "passphrase of the key (first line of FILE)"},      \
    {                                                                                                                  \
        "passphrase-env", required_argument, O_PENV, 0, "VAR", "... from environment variable VAR"                     \
    }

static const struct cli_opt serve_opts[] = {
    KEY_ROWS,
    {"config", required_argument, O_CONFIG, 0, "FILE", "the logs it witnesses: lines \"log <vkey>\""},
    {"state", required_argument, O_STATE, 0, "DIR", "its state folder (the latest checkpoint of each log)"},
    {"listen", required_argument, O_LISTEN, 0, "ADDR",
     "HOST:PORT or [IPv6]:PORT to listen on (default 127.0.0.1:7380;\nport 0: any free port)"},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct cli_opt vkey_opts[] = {
    KEY_ROWS,
    {NULL, 0, 0, 0, NULL, NULL},
};

static const struct cli_cmd serve_cmd = {
    "witness serve", "witness serve --name NAME --key FILE --config FILE --state DIR [--listen ADDR]",
    "Serves C2SP tlog-witness add-checkpoint on plain HTTP until SIGTERM or SIGINT:\n"
    "cosigns each checkpoint of a configured log that is consistent with the last one it\n"
    "cosigned, after storing it.  Prints \"listening on HOST:PORT\" once ready.",
    serve_opts, witness_opt};
static const struct cli_cmd vkey_cmd = {"witness vkey", "witness vkey --name NAME --key FILE",
                                        "Prints the witness's verifier key, for the \"witness\" lines of policies.",
                                        vkey_opts, witness_opt};

static int parse(const struct cli_cmd *cmd, int argc, char **argv, struct witness_args *a)
{
    memset(a, 0, sizeof(*a));
    int npos = 0;
    int rc = cli_parse(cmd, argc, argv, a, &npos);
    if (rc != 0)
        return rc;
    if (npos != 0) {
        cli_usage_error("unexpected argument '%s'", argv[1]);
        return CLI_USAGE;
    }
    if (a->name == NULL || a->key == NULL) {
        cli_usage_error("give --name and --key");
        return CLI_USAGE;
    }
    if (cmd == &serve_cmd && (a->config == NULL || a->state == NULL)) {
        cli_usage_error("give --config and --state");
        return CLI_USAGE;
    }
    return 0;
}

static int witness_vkey(int argc, char **argv)
{
    struct witness_args a;
    int rc = parse(&vkey_cmd, argc, argv, &a);
    if (rc != 0)
        return rc == CLI_HELP ? CLI_OK : rc;
    rampart_key_load_options ko = RAMPART_KEY_LOAD_OPTIONS_INIT;
    ko.passphrase_cb = cli_passphrase_cb;
    ko.passphrase_ctx = &a.pass;
    char *vkey = NULL;
    rampart_error err;
    rc = rampart_witness_key_vkey(a.key, a.name, &ko, &vkey, &err);
    if (rc != 0) {
        cli_report(NULL, rc, &err);
        return CLI_FAIL;
    }
    printf("%s\n", vkey);
    rampart_string_free(vkey);
    return CLI_OK;
}

/* The listen address with the port it really got. */
static void print_ready(const char *listen, unsigned port)
{
    const char *colon = strrchr(listen, ':');
    int hl = colon ? (int)(colon - listen) : 0;
    printf("listening on %.*s:%u\n", hl, listen, port);
    (void)fflush(stdout); /* the readiness line must leave now; a failure shows at exit */
}

static int witness_serve(int argc, char **argv)
{
    struct witness_args a;
    int rc = parse(&serve_cmd, argc, argv, &a);
    if (rc != 0)
        return rc == CLI_HELP ? CLI_OK : rc;
    rampart_key_load_options ko = RAMPART_KEY_LOAD_OPTIONS_INIT;
    ko.passphrase_cb = cli_passphrase_cb;
    ko.passphrase_ctx = &a.pass;
    rampart_witness_options o = RAMPART_WITNESS_OPTIONS_INIT;
    o.name = a.name;
    o.key_file = a.key;
    o.key_options = &ko;
    o.config_file = a.config;
    o.state_dir = a.state;
    o.listen = a.listen ? a.listen : "127.0.0.1:7380";
    /* SIGTERM and SIGINT are taken by sigwait below; blocked before the
     * server's threads start, so they inherit the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) {
        cli_errorf("cannot block SIGTERM");
        return CLI_FAIL;
    }
    (void)signal(SIGPIPE, SIG_IGN); /* a client that goes away is not fatal */
    rampart_witness *w = NULL;
    rampart_error err;
    rc = rampart_witness_new(&w, &o, &err);
    if (rc == 0)
        rc = rampart_witness_start(w, &err);
    if (rc != 0) {
        cli_report(NULL, rc, &err);
        rampart_witness_free(w);
        return CLI_FAIL;
    }
    print_ready(o.listen, rampart_witness_port(w));
    int sig = 0;
    while (sigwait(&set, &sig) != 0)
        ;
    rampart_witness_free(w);
    cli_infof("stopped (signal %d)", sig);
    return CLI_OK;
}

int cmd_witness(int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {&serve_cmd, witness_serve},
        {&vkey_cmd, witness_vkey},
    };
    return cli_dispatch("witness", subs, sizeof(subs) / sizeof(subs[0]), argc, argv);
}
