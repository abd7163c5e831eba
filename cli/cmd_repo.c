/*
 * cmd_repo.c - `rampart repo ...`: a TUF repository from the command line
 * (a thin client of rampart/repo.h; the subcommands that edit delegations
 * and keys live in cmd_repo_edit.c).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cmd_repo.h"

/* Parses option `opt`'s number of days, 1..REPO_MAX_DAYS, into seconds: 0
 * and negative periods are refused (a usage error), never "the default". */
static int repo_days(const char *opt, const char *s, long long *seconds)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || s[0] < '0' || s[0] > '9' || v < 1 || v > REPO_MAX_DAYS) {
        cli_usage_error("%s: '%s' is not a number of days from 1 to %d", opt, s, REPO_MAX_DAYS);
        return CLI_USAGE;
    }
    *seconds = (long long)v * 86400;
    return 0;
}

static int add_item(const char **list, size_t *n, const char *v)
{
    if (*n >= REPO_MAX_LIST) {
        cli_usage_error("too many values (at most %d)", REPO_MAX_LIST);
        return CLI_USAGE;
    }
    list[(*n)++] = v;
    return 0;
}

/* The options of the repo subcommands; each subcommand's table below lists
 * those it takes. */
enum repo_option {
    O_CONFIG = 256,
    O_THRESH,
    O_EXPIRES,
    O_DEXP,
    O_SHA512,
    O_BINS,
    O_BPREFIX,
    O_PATH,
    O_ROLE,
    O_CUSTOM,
    O_REPLACE,
    O_NAME,
    O_DELEGATOR,
    O_KEY,
    O_PUBKEY,
    O_PATHS,
    O_PREFIX,
    O_TERM,
    O_ADD,
    O_REMOVE,
    O_OUT,
    O_PFILE,
    O_PENV,
    O_WARN,
    O_PROV,
    O_CHECK,
    O_EDIT,
    O_UNDELEGATE,
    O_NOTERM,
    O_JSON,
    O_WINDOW,
    O_ROLEKEY,
    O_ROLETHR = O_ROLEKEY + 8,
    O_ROLEEXP = O_ROLETHR + 8,
};

static int repo_role_opt(struct repo_args *a, int id, const char *arg)
{
    long long v;
    if (id >= O_ROLEKEY && id < O_ROLEKEY + 5)
        return add_item(a->role_keys[id - O_ROLEKEY], &a->nrole_keys[id - O_ROLEKEY], arg);
    if (id >= O_ROLETHR && id < O_ROLETHR + 5) {
        static const char *const names[5] = {"--root-threshold", "--targets-threshold", "--snapshot-threshold",
                                             "--timestamp-threshold", "--bins-threshold"};
        if (cli_number(names[id - O_ROLETHR], arg, 1, 1024, &v) != 0)
            return CLI_USAGE;
        a->role_threshold[id - O_ROLETHR] = (unsigned)v;
        return 0;
    }
    static const char *const names[4] = {"--root-expires", "--targets-expires", "--snapshot-expires",
                                         "--timestamp-expires"};
    if (id < O_ROLEEXP || id >= O_ROLEEXP + 4)
        return CLI_USAGE; /* not in any table */
    return repo_days(names[id - O_ROLEEXP], arg, &a->role_expires[id - O_ROLEEXP]);
}

static int repo_opt(void *ctx, int id, const char *arg)
{
    struct repo_args *a = ctx;
    long long v;
    if (id != O_KEY && id != O_PFILE && id != O_PENV)
        cli_keys_other(&a->signing);
    if (id >= O_ROLEKEY)
        return repo_role_opt(a, id, arg);
    switch (id) {
    case O_CONFIG:
        a->config = arg;
        return 0;
    case O_DEXP:
        return repo_days("--delegated-expires", arg, &a->delegated_expires);
    case O_THRESH:
        if (cli_number("--threshold", arg, 1, 1024, &v) != 0)
            return CLI_USAGE;
        a->threshold = (unsigned)v;
        return 0;
    case O_EXPIRES:
        return repo_days("--expires", arg, &a->expires);
    case O_SHA512:
        a->sha512 = 1;
        return 0;
    case O_BINS:
        if (cli_number("--bins", arg, 1, 1 << 20, &v) != 0)
            return CLI_USAGE;
        a->bins = (unsigned)v;
        return 0;
    case O_BPREFIX:
        a->bins_prefix = arg;
        return 0;
    case O_PATH:
        a->path = arg;
        return 0;
    case O_ROLE:
        a->role = arg;
        return 0;
    case O_CUSTOM:
        a->custom = arg;
        return 0;
    case O_REPLACE:
        a->replace = 1;
        return 0;
    case O_NAME:
        a->name = arg;
        return 0;
    case O_DELEGATOR:
        a->delegator = arg;
        return 0;
    case O_KEY:
        return cli_keys_add(&a->signing, arg);
    case O_PUBKEY:
        return add_item(a->keys, &a->nkeys, arg);
    case O_PATHS:
        return add_item(a->paths, &a->npaths, arg);
    case O_PREFIX:
        return add_item(a->prefixes, &a->nprefixes, arg);
    case O_TERM:
        a->terminating = 1;
        return 0;
    case O_ADD:
        return add_item(a->add, &a->nadd, arg);
    case O_REMOVE:
        return add_item(a->remove, &a->nremove, arg);
    case O_OUT:
        a->out = arg;
        return 0;
    case O_PFILE:
    case O_PENV:
        cli_keys_passphrase(&a->signing, id == O_PENV, arg);
        return 0;
    case O_PROV:
        a->provenance = arg;
        return 0;
    case O_CHECK:
        a->check = 1;
        return 0;
    case O_EDIT:
        a->edit = arg;
        return 0;
    case O_UNDELEGATE:
        a->undelegate = arg;
        return 0;
    case O_NOTERM:
        a->no_terminating = 1;
        return 0;
    case O_JSON:
        a->json = 1;
        return 0;
    case O_WINDOW:
        return repo_window(arg, &a->window);
    default: /* O_WARN */
        if (cli_number("--warn-days", arg, 0, 3650, &v) != 0)
            return CLI_USAGE;
        a->warn_days = (unsigned)v;
        return 0;
    }
}

#define OPT_END                                                                                                        \
    {                                                                                                                  \
        NULL, 0, 0, 0, NULL, NULL                                                                                      \
    }
#define OPT_ROLE(what)                                                                                                 \
    {                                                                                                                  \
        "role", required_argument, O_ROLE, 0, "ROLE", what                                                             \
    }
#define OPT_JSON                                                                                                       \
    {                                                                                                                  \
        "json", no_argument, O_JSON, 0, NULL, "print the result as JSON (fields: docs/repo.md)"                        \
    }
#define OPT_SIGNING                                                                                                    \
    {"key", required_argument, O_KEY, 0, "PRIVATE", "a private key to sign with (PKCS#8 PEM; repeatable)"},            \
        CLI_OPT_PASSPHRASE(O_PFILE, O_PENV)

static const struct cli_opt init_opts[] = {
    {"config", required_argument, O_CONFIG, 0, "FILE", "read keys, thresholds and periods from FILE (docs/repo.md)"},
    {"root-key", required_argument, O_ROLEKEY + 0, 0, "PUB", "a root key (repeatable; required)"},
    {"targets-key", required_argument, O_ROLEKEY + 1, 0, "PUB", "a targets key (repeatable; required)"},
    {"snapshot-key", required_argument, O_ROLEKEY + 2, 0, "PUB", "a snapshot key (repeatable; required)"},
    {"timestamp-key", required_argument, O_ROLEKEY + 3, 0, "PUB", "a timestamp key (repeatable; required)"},
    {"bins-key", required_argument, O_ROLEKEY + 4, 0, "PUB", "a key of the hash bins (repeatable)"},
    {"root-threshold", required_argument, O_ROLETHR + 0, 0, "N", "signatures root needs (default 1)"},
    {"targets-threshold", required_argument, O_ROLETHR + 1, 0, "N", "... targets"},
    {"snapshot-threshold", required_argument, O_ROLETHR + 2, 0, "N", "... snapshot"},
    {"timestamp-threshold", required_argument, O_ROLETHR + 3, 0, "N", "... timestamp"},
    {"bins-threshold", required_argument, O_ROLETHR + 4, 0, "N", "... the hash bins"},
    {"root-expires", required_argument, O_ROLEEXP + 0, 0, "DAYS", "root's expiry period"},
    {"targets-expires", required_argument, O_ROLEEXP + 1, 0, "DAYS", "targets' expiry period"},
    {"snapshot-expires", required_argument, O_ROLEEXP + 2, 0, "DAYS", "snapshot's expiry period"},
    {"timestamp-expires", required_argument, O_ROLEEXP + 3, 0, "DAYS", "timestamp's expiry period"},
    {"delegated-expires", required_argument, O_DEXP, 0, "DAYS", "delegated roles' expiry period"},
    {"sha512", no_argument, O_SHA512, 0, NULL, "hash targets with SHA-512 too"},
    {"bins", required_argument, O_BINS, 0, "N", "delegate all targets to N hash bins"},
    {"bins-prefix", required_argument, O_BPREFIX, 0, "P", "name prefix of the bins"},
    OPT_END,
};
static const struct cli_opt add_opts[] = {
    {"path", required_argument, O_PATH, 0, "TARGET_PATH", "the target's path (default: the file's name)"},
    OPT_ROLE("the delegated role to add it to (default: the one its path selects)"),
    {"custom", required_argument, O_CUSTOM, 0, "JSON", "the target's custom metadata"},
    {"replace", no_argument, O_REPLACE, 0, NULL, "replace a target of the same path"},
    {"provenance", required_argument, O_PROV, 0, "ATTESTATION", "FILE only: publish and bind its provenance"},
    OPT_END,
};
static const struct cli_opt remove_opts[] = {OPT_ROLE("the role listing it"), OPT_END};
static const struct cli_opt list_opts[] = {OPT_ROLE("only the targets of this role"), OPT_JSON, OPT_END};
static const struct cli_opt delegate_opts[] = {
    {"name", required_argument, O_NAME, 0, "NAME", "the new role's name"},
    {"delegator", required_argument, O_DELEGATOR, 0, "ROLE", "the delegating role (default targets)"},
    {"key", required_argument, O_PUBKEY, 0, "PUB", "a public key of the role (repeatable)"},
    {"threshold", required_argument, O_THRESH, 0, "N", "signatures the role needs (default 1)"},
    {"paths", required_argument, O_PATHS, 0, "PATTERN", "a path pattern the role is trusted for (repeatable)"},
    {"hash-prefix", required_argument, O_PREFIX, 0, "HEX", "a path hash prefix the role is trusted for (repeatable)"},
    {"bins", required_argument, O_BINS, 0, "N", "delegate to N hash bins"},
    {"terminating", no_argument, O_TERM, 0, NULL, "the search stops at this role"},
    {"no-terminating", no_argument, O_NOTERM, 0, NULL, "--edit: the search goes on past this role"},
    {"edit", required_argument, O_EDIT, 0, "NAME", "change the delegation to NAME"},
    {"remove", required_argument, O_UNDELEGATE, 0, "NAME", "remove the delegation to NAME"},
    OPT_END,
};
static const struct cli_opt rotate_opts[] = {
    OPT_ROLE("the role whose keys change (required)"),
    {"add-key", required_argument, O_ADD, 0, "PUB", "add this public key (repeatable)"},
    {"remove-key", required_argument, O_REMOVE, 0, "KEYID", "remove this key (repeatable)"},
    {"threshold", required_argument, O_THRESH, 0, "N", "the new threshold"},
    {"expires", required_argument, O_EXPIRES, 0, "DAYS", "the role's new expiry period"},
    OPT_END,
};
static const struct cli_opt sign_opts[] = {OPT_ROLE("the role to sign (required)"), OPT_SIGNING, OPT_END};
static const struct cli_opt export_opts[] = {
    OPT_ROLE("the role to export (required)"),
    {"out", required_argument, O_OUT, 0, "FILE", "where to write it (required)"},
    OPT_END,
};
static const struct cli_opt import_opts[] = {OPT_ROLE("the role the files are of"), OPT_END};
static const struct cli_opt publish_opts[] = {
    OPT_SIGNING,
    {"check", no_argument, O_CHECK, 0, NULL, "first check every served file, and rewrite damaged ones"},
    OPT_END,
};
static const struct cli_opt refresh_opts[] = {OPT_SIGNING, OPT_END};
static const struct cli_opt renew_opts[] = {
    OPT_SIGNING,
    {"window", required_argument, O_WINDOW, 0, "PERCENT",
     "renew a role once less than PERCENT of its expiry period is left\n(1-100, default 50)"},
    OPT_END,
};
static const struct cli_opt status_opts[] = {
    {"warn-days", required_argument, O_WARN, 0, "N", "warn of roles expiring within N days (default 14)"},
    OPT_JSON,
    OPT_END,
};

static const char keys_about[] =
    "Private keys are PKCS#8 PEM files (rampart key generate).  A --passphrase-file or\n"
    "--passphrase-env right after a --key is that key's passphrase; a key without its own\n"
    "uses the last one given; with none, the passphrase is asked on the terminal.";

static const struct cli_cmd cmds[] = {
    {"repo init",
     "repo init DIR [--config FILE] --root-key PUB... --targets-key PUB...\n"
     "          --snapshot-key PUB... --timestamp-key PUB... [--ROLE-threshold N]\n"
     "          [--ROLE-expires DAYS] [--delegated-expires DAYS] [--sha512]\n"
     "          [--bins N [--bins-prefix P] [--bins-key PUB...] [--bins-threshold N]]",
     "Creates a repository in DIR (nothing is published until 'repo publish').", init_opts, repo_opt},
    {"repo add",
     "repo add DIR FILE|FOLDER [--path TARGET_PATH] [--role ROLE] [--custom JSON] [--replace]\n"
     "          [--provenance ATTESTATION]",
     "Adds a file (or every file of a folder) as targets.", add_opts, repo_opt},
    {"repo remove", "repo remove DIR TARGET_PATH [--role ROLE]", NULL, remove_opts, repo_opt},
    {"repo list", "repo list DIR [--role ROLE] [--json]",
     "Prints path, length, SHA-256, role (and custom data) of each target.", list_opts, repo_opt},
    {"repo delegate",
     "repo delegate DIR --name NAME [--delegator ROLE] --key PUB... [--threshold N]\n"
     "          (--paths PATTERN... | --hash-prefix HEX... | --bins N) [--terminating]\n"
     "       rampart repo delegate DIR --edit NAME [--key PUB]... [--threshold N]\n"
     "          [--paths PATTERN... | --hash-prefix HEX...] [--terminating | --no-terminating]\n"
     "       rampart repo delegate DIR --remove NAME",
     NULL, delegate_opts, repo_opt},
    {"repo rotate",
     "repo rotate DIR --role ROLE [--add-key PUB]... [--remove-key KEYID]...\n"
     "          [--threshold N] [--expires DAYS]",
     NULL, rotate_opts, repo_opt},
    {"repo sign", "repo sign DIR --role ROLE --key PRIVATE...", keys_about, sign_opts, repo_opt},
    {"repo export", "repo export DIR --role ROLE --out FILE", NULL, export_opts, repo_opt},
    {"repo import", "repo import DIR FILE... [--role ROLE]", NULL, import_opts, repo_opt},
    {"repo publish", "repo publish DIR [--key PRIVATE]... [--check]", keys_about, publish_opts, repo_opt},
    {"repo refresh", "repo refresh DIR --key PRIVATE... [--window PERCENT]",
     "Renews every role inside its renewal window (the timestamp, the snapshot, and\n"
     "targets or delegated roles whose --key is given) and publishes them: for cron\n"
     "and systemd (docs/repo.md).  Never signs a timestamp over a snapshot that\n"
     "expires before it.  With -q, silent unless something is wrong.",
     renew_opts, repo_opt},
    {"repo refresh-timestamp", "repo refresh-timestamp DIR --key PRIVATE...", keys_about, refresh_opts, repo_opt},
    {"repo refresh-snapshot", "repo refresh-snapshot DIR --key PRIVATE...", keys_about, refresh_opts, repo_opt},
    {"repo status", "repo status DIR [--warn-days N] [--json]",
     "Prints each role's version, expiry, keys and signatures.  Exit status: 0 fine,\n"
     "1 warnings (expiring within --warn-days, weak settings), 2 errors (expired,\n"
     "missing signatures, inconsistent), 3 the repository could not be read.",
     status_opts, repo_opt},
};
enum {
    C_INIT,
    C_ADD,
    C_REMOVE,
    C_LIST,
    C_DELEGATE,
    C_ROTATE,
    C_SIGN,
    C_EXPORT,
    C_IMPORT,
    C_PUBLISH,
    C_RENEW,
    C_RTS,
    C_RSN,
    C_STATUS
};

/* Parses a repo subcommand's line into `a`: 0, or the status to exit with. */
static int repo_parse(const struct cli_cmd *cmd, int argc, char **argv, struct repo_args *a)
{
    memset(a, 0, sizeof(*a));
    a->warn_days = 14;
    int npos = 0;
    int rc = cli_parse(cmd, argc, argv, a, &npos);
    if (rc != 0)
        return rc == CLI_HELP ? -1 : rc;
    a->pos = argv + 1;
    a->npos = (size_t)npos;
    if (a->npos == 0) {
        cli_usage_error("no repository folder given");
        return CLI_USAGE;
    }
    a->dir = a->pos[0];
    return 0;
}

int repo_open(struct repo_args *a, rampart_repo **r)
{
    rampart_error err;
    int rc = rampart_repo_open(r, a->dir, &err);
    if (rc != 0) {
        cli_report(NULL, rc, &err);
        return CLI_FAIL;
    }
    if (cli_keys_load(&a->signing) != 0)
        return CLI_FAIL;
    for (size_t i = 0; i < a->signing.nsigners; i++) {
        rc = rampart_repo_add_signer(*r, a->signing.signers[i]);
        if (rc != 0) {
            cli_error(rc, "%s: cannot use this key", a->signing.path[i]);
            return CLI_FAIL;
        }
    }
    return 0;
}

void repo_close(struct repo_args *a, rampart_repo *r)
{
    rampart_repo_free(r);
    cli_keys_free(&a->signing);
    for (size_t i = 0; i < a->npubs; i++)
        rampart_public_key_free(a->pubs[i]);
}

int repo_pubkeys(struct repo_args *a, const char **paths, size_t n, const rampart_public_key **out)
{
    for (size_t i = 0; i < n; i++) {
        if (a->npubs >= (size_t)REPO_MAX_LIST * 6) {
            cli_usage_error("too many keys");
            return CLI_USAGE;
        }
        if (cli_load_pubkey(paths[i], &a->pubs[a->npubs]) != 0)
            return CLI_FAIL;
        out[i] = a->pubs[a->npubs++];
    }
    return 0;
}

int repo_result(const char *what, rampart_repo *r, int rc)
{
    if (rc == 0)
        return CLI_OK;
    (void)what; /* the command names itself */
    cli_report(NULL, rc, rampart_repo_last_error(r));
    return CLI_FAIL;
}

static int repo_add(struct repo_args *a)
{
    if (a->npos != 2) {
        cli_usage_error("give DIR and one FILE or FOLDER");
        return CLI_USAGE;
    }
    rampart_repo *r = NULL;
    int rc = repo_open(a, &r);
    if (rc == 0) {
        rampart_target_options o = RAMPART_TARGET_OPTIONS_INIT;
        o.role = a->role;
        o.custom_json = a->custom;
        o.replace = a->replace;
        o.provenance = a->provenance;
        rc = repo_result("repo add", r, rampart_repo_add_target(r, a->pos[1], a->path, &o));
    }
    repo_close(a, r);
    return rc;
}

static int repo_remove(struct repo_args *a)
{
    if (a->npos != 2) {
        cli_usage_error("give DIR and one TARGET_PATH");
        return CLI_USAGE;
    }
    rampart_repo *r = NULL;
    int rc = repo_open(a, &r);
    if (rc == 0)
        rc = repo_result("repo remove", r, rampart_repo_remove_target(r, a->pos[1], a->role));
    repo_close(a, r);
    return rc;
}

static int print_target(void *ctx, const rampart_repo_target *t)
{
    (void)ctx;
    cli_print_safe(stdout, t->path);
    printf("\t%llu\tsha256:%s\t", t->length, t->sha256 != NULL ? t->sha256 : "?");
    cli_print_safe(stdout, t->role);
    if (t->custom_json != NULL) {
        printf("\t");
        cli_print_safe(stdout, t->custom_json);
    }
    printf("\n");
    return 0;
}

static int repo_list(struct repo_args *a)
{
    if (a->json)
        return repo_list_json(a);
    rampart_repo *r = NULL;
    int rc = repo_open(a, &r);
    if (rc == 0)
        rc = repo_result("repo list", r, rampart_repo_list_targets(r, a->role, print_target, NULL));
    repo_close(a, r);
    return rc;
}

static int repo_sign(struct repo_args *a)
{
    if (a->role == NULL || a->signing.n == 0) {
        cli_usage_error("give --role and at least one --key");
        return CLI_USAGE;
    }
    rampart_repo *r = NULL;
    int rc = repo_open(a, &r);
    /* Root: what changed against the root clients trust now, key by key
     * (fingerprints from the key material: key ids are mere labels). */
    if (rc == 0 && strcmp(a->role, "root") == 0) {
        rampart_metadata *staged = NULL, *trusted = NULL;
        rc = repo_result("repo sign", r, rampart_repo_review(r, "root", &staged, &trusted));
        if (rc == 0 && trusted != NULL && cli_review(staged, trusted, "the published root") < 0)
            rc = CLI_FAIL;
        else if (rc == 0 && trusted == NULL)
            printf("no root published yet: nothing to review against\n");
        rampart_metadata_free(staged);
        rampart_metadata_free(trusted);
    }
    if (rc == 0)
        rc = repo_result("repo sign", r, rampart_repo_sign(r, a->role));
    if (rc == 0)
        printf("signed %s with %zu key(s)\n", a->role, a->signing.n);
    repo_close(a, r);
    return rc;
}

static int repo_export(struct repo_args *a)
{
    if (a->role == NULL || a->out == NULL) {
        cli_usage_error("give --role and --out");
        return CLI_USAGE;
    }
    rampart_repo *r = NULL;
    int rc = repo_open(a, &r);
    if (rc == 0)
        rc = repo_result("repo export", r, rampart_repo_export(r, a->role, a->out));
    if (rc == 0)
        printf("wrote %s: sign it with 'rampart metadata sign %s --key KEY', then 'rampart repo import'\n", a->out,
               a->out);
    repo_close(a, r);
    return rc;
}

static int repo_import(struct repo_args *a)
{
    if (a->npos < 2) {
        cli_usage_error("give DIR and signed FILE(s)");
        return CLI_USAGE;
    }
    rampart_repo *r = NULL;
    int rc = repo_open(a, &r);
    for (size_t i = 1; rc == 0 && i < a->npos; i++) {
        size_t n = 0;
        rc = repo_result("repo import", r, rampart_repo_import_signatures(r, a->role, a->pos[i], &n));
        if (rc == 0)
            printf("%s: %zu new signature(s)\n", a->pos[i], n);
    }
    repo_close(a, r);
    return rc;
}

/* A notice of the library (a damaged served file replaced, ...). */
static void print_notice(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "rampart: %s: ", cli_command());
    cli_print_safe(stderr, line);
    fputc('\n', stderr);
}

static int repo_publish(struct repo_args *a, const char *refresh)
{
    const char *what = cli_command();
    rampart_repo *r = NULL;
    int rc = repo_open(a, &r);
    rampart_publish_result res = {0};
    if (rc == 0) {
        rampart_repo_set_notice(r, print_notice, (void *)what);
        rampart_repo_set_witness_post(r, rampart_witness_post_http, NULL);
    }
    size_t fixed = 0;
    if (rc == 0 && a->check) {
        rc = repo_result(what, r, rampart_repo_repair(r, 1, &fixed));
        if (rc == 0)
            printf("checked every served file: %zu rewritten\n", fixed);
    }
    if (rc == 0)
        rc = repo_result(what, r,
                         refresh != NULL ? rampart_repo_refresh(r, refresh, &res) : rampart_repo_publish(r, &res));
    if (rc == 0 && cli_verbosity() < 0)
        ; /* -q: silent on success (cron) */
    else if (rc == 0 && res.roles_published == 0)
        printf("nothing to publish: no role changed since the last publish\n");
    else if (rc == 0)
        printf("published %zu metadata file(s): snapshot version %lld, timestamp version %lld\n", res.roles_published,
               res.snapshot_version, res.timestamp_version);
    if (rc == 0 && cli_verbosity() >= 0 && res.log_size > 0)
        printf("transparency log: %llu new entr%s, size %llu\n", res.log_entries, res.log_entries == 1 ? "y" : "ies",
               res.log_size);
    repo_close(a, r);
    return rc;
}

/* Each subcommand: parse by its own table, then run. */
static struct repo_args args;

#define REPO_SUB(fn_name, index, call)                                                                                 \
    static int fn_name(int argc, char **argv)                                                                          \
    {                                                                                                                  \
        int rc = repo_parse(&cmds[index], argc, argv, &args);                                                          \
        if (rc != 0)                                                                                                   \
            return rc < 0 ? CLI_OK : rc;                                                                               \
        return call;                                                                                                   \
    }
REPO_SUB(run_init, C_INIT, repo_init(&args))
REPO_SUB(run_add, C_ADD, repo_add(&args))
REPO_SUB(run_remove, C_REMOVE, repo_remove(&args))
REPO_SUB(run_list, C_LIST, repo_list(&args))
REPO_SUB(run_delegate, C_DELEGATE, repo_delegate(&args))
REPO_SUB(run_rotate, C_ROTATE, repo_rotate(&args))
REPO_SUB(run_sign, C_SIGN, repo_sign(&args))
REPO_SUB(run_export, C_EXPORT, repo_export(&args))
REPO_SUB(run_import, C_IMPORT, repo_import(&args))
REPO_SUB(run_publish, C_PUBLISH, repo_publish(&args, NULL))
REPO_SUB(run_renew, C_RENEW, repo_refresh(&args))
REPO_SUB(run_refresh_timestamp, C_RTS, repo_publish(&args, "timestamp"))
REPO_SUB(run_refresh_snapshot, C_RSN, repo_publish(&args, "snapshot"))
REPO_SUB(run_status, C_STATUS, repo_status(&args))

int cmd_repo(int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {&cmds[C_INIT], run_init},
        {&cmds[C_ADD], run_add},
        {&cmds[C_REMOVE], run_remove},
        {&cmds[C_LIST], run_list},
        {&cmds[C_DELEGATE], run_delegate},
        {&cmds[C_ROTATE], run_rotate},
        {&cmds[C_SIGN], run_sign},
        {&cmds[C_EXPORT], run_export},
        {&cmds[C_IMPORT], run_import},
        {&cmds[C_PUBLISH], run_publish},
        {&cmds[C_RENEW], run_renew},
        {&cmds[C_RTS], run_refresh_timestamp},
        {&cmds[C_RSN], run_refresh_snapshot},
        {&cmds[C_STATUS], run_status},
        {&repo_log_cmd, repo_log_run},
    };
    return cli_dispatch("repo", subs, sizeof(subs) / sizeof(subs[0]), argc, argv);
}
