/*
 * cmd_repo_log.c - `rampart repo log`: the repository's transparency log
 * (docs/transparency.md, docs/repo.md): enable it, rotate its key, set
 * the witnesses publish asks, print its verifier keys for endpoints.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_repo.h"

enum { L_INIT = 1, L_ORIGIN, L_KEY, L_ADD, L_REMOVE, L_WITNESSES, L_NOWITNESSES };

struct log_args {
    int init, no_witnesses;
    const char *origin, *key, *add, *remove, *witnesses;
};

static int log_opt(void *ctx, int id, const char *arg)
{
    struct log_args *a = ctx;
    switch (id) {
    case L_INIT:
        a->init = 1;
        break;
    case L_ORIGIN:
        a->origin = arg;
        break;
    case L_KEY:
        a->key = arg;
        break;
    case L_ADD:
        a->add = arg;
        break;
    case L_REMOVE:
        a->remove = arg;
        break;
    case L_WITNESSES:
        a->witnesses = arg;
        break;
    case L_NOWITNESSES:
        a->no_witnesses = 1;
        break;
    default:
        return CLI_USAGE;
    }
    return 0;
}

static const struct cli_opt log_opts[] = {
    {"init", no_argument, L_INIT, 0, NULL, "enable the log (with --origin and --key)"},
    {"origin", required_argument, L_ORIGIN, 0, "ORIGIN", "--init: the log's name, e.g. example.com/updates/log"},
    {"key", required_argument, L_KEY, 0, "PUB", "--init: the log's Ed25519 public key"},
    {"add-key", required_argument, L_ADD, 0, "PUB", "add a log key (rotation: both sign until the old is removed)"},
    {"remove-key", required_argument, L_REMOVE, 0, "PUB", "remove a log key"},
    {"witnesses", required_argument, L_WITNESSES, 0, "FILE", "the witnesses publish asks (a C2SP tlog-policy file)"},
    {"no-witnesses", no_argument, L_NOWITNESSES, 0, NULL, "publish without witnesses"},
    {NULL, 0, 0, 0, NULL, NULL},
};

const struct cli_cmd repo_log_cmd = {
    "repo log",
    "repo log DIR [--init --origin ORIGIN --key PUB] [--add-key PUB | --remove-key PUB]\n"
    "          [--witnesses FILE | --no-witnesses]",
    "Enables and configures the repository's transparency log, then prints its\n"
    "verifier keys (for endpoints' witness policies).  The log key's private key is\n"
    "given to 'repo publish' with --key, like the timestamp key.",
    log_opts,
    log_opt,
};

/* Reads a witness policy file (at most 64 KiB, the format's limit). */
static int read_policy(const char *path, char **out, size_t *len)
{
    enum { CAP = 64 * 1024 };
    FILE *f = fopen(path, "rb");
    char *buf = f != NULL ? malloc(CAP + 1) : NULL;
    size_t n = buf != NULL ? fread(buf, 1, CAP + 1, f) : 0;
    bool bad = f == NULL || buf == NULL || ferror(f);
    if (f != NULL)
        fclose(f);
    if (bad || n > CAP) {
        free(buf);
        cli_error(bad ? RAMPART_EIO : RAMPART_ETOOLARGE, "%s: %s", path,
                  bad ? "cannot read the witness policy" : "a witness policy is at most 64 KiB");
        return CLI_FAIL;
    }
    *out = buf;
    *len = n;
    return 0;
}

static int load_pub(const char *path, rampart_public_key **out)
{
    return cli_load_pubkey(path, out) == 0 ? 0 : CLI_FAIL;
}

static int edit(const struct log_args *a, rampart_repo *r)
{
    rampart_public_key *k = NULL;
    int rc = 0;
    if (a->init) {
        rc = load_pub(a->key, &k);
        if (rc == 0)
            rc = repo_result("repo log", r, rampart_repo_log_init(r, a->origin, k));
    } else if (a->add != NULL || a->remove != NULL) {
        rc = load_pub(a->add != NULL ? a->add : a->remove, &k);
        if (rc == 0)
            rc = repo_result("repo log", r, rampart_repo_log_key(r, k, a->add != NULL));
    }
    rampart_public_key_free(k);
    if (rc == 0 && (a->witnesses != NULL || a->no_witnesses)) {
        char *policy = NULL;
        size_t len = 0;
        if (a->witnesses != NULL && read_policy(a->witnesses, &policy, &len) != 0)
            return CLI_FAIL;
        rc = repo_result("repo log", r, rampart_repo_log_set_witnesses(r, policy, len));
        free(policy);
    }
    return rc;
}

int repo_log_run(int argc, char **argv)
{
    struct log_args a = {0};
    int npos = 0;
    int rc = cli_parse(&repo_log_cmd, argc, argv, &a, &npos);
    if (rc != 0)
        return rc == CLI_HELP ? CLI_OK : rc;
    int actions = (a.init != 0) + (a.add != NULL) + (a.remove != NULL);
    if (npos != 1 || actions > 1 || (a.witnesses != NULL && a.no_witnesses) ||
        (a.init && (a.origin == NULL || a.key == NULL)) || (!a.init && (a.origin != NULL || a.key != NULL))) {
        cli_usage_error("give DIR and at most one of --init (with --origin and --key), --add-key, --remove-key");
        return CLI_USAGE;
    }
    rampart_repo *r = NULL;
    rampart_error err;
    rc = rampart_repo_open(&r, argv[1], &err);
    if (rc != 0) {
        cli_report(NULL, rc, &err);
        return CLI_FAIL;
    }
    rc = edit(&a, r);
    char *vkeys = NULL;
    if (rc == 0)
        rc = repo_result("repo log", r, rampart_repo_log_vkeys(r, &vkeys));
    if (rc == 0 && cli_verbosity() >= 0)
        fputs(vkeys, stdout);
    rampart_string_free(vkeys);
    rampart_repo_free(r);
    return rc;
}
