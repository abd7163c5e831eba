/*
 * cmd_repo.c - `rampart repo ...`: a TUF repository from the command line
 * (a thin client of rampart/repo.h; the subcommands that edit delegations
 * and keys live in cmd_repo_edit.c).
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cmd_repo.h"

void repo_usage(FILE *f)
{
    fprintf(f,
            "usage: rampart repo init DIR [--config FILE] --root-key PUB... --targets-key PUB...\n"
            "                    --snapshot-key PUB... --timestamp-key PUB... [--ROLE-threshold N]\n"
            "                    [--ROLE-expires DAYS] [--delegated-expires DAYS] [--sha512]\n"
            "                    [--bins N [--bins-prefix P] [--bins-key PUB...] [--bins-threshold N]]\n"
            "       rampart repo add DIR FILE|FOLDER [--path TARGET_PATH] [--role ROLE] [--custom JSON] [--replace]\n"
            "                    [--provenance ATTESTATION]   (FILE only: publish and bind its provenance)\n"
            "       rampart repo remove DIR TARGET_PATH [--role ROLE]\n"
            "       rampart repo list DIR [--role ROLE] [--json]\n"
            "       rampart repo delegate DIR --name NAME [--delegator ROLE] --key PUB... [--threshold N]\n"
            "                    (--paths PATTERN... | --hash-prefix HEX... | --bins N) [--terminating]\n"
            "       rampart repo delegate DIR --edit NAME [--key PUB]... [--threshold N]\n"
            "                    [--paths PATTERN... | --hash-prefix HEX...] [--terminating | --no-terminating]\n"
            "       rampart repo delegate DIR --remove NAME\n"
            "       rampart repo rotate DIR --role ROLE [--add-key PUB]... [--remove-key KEYID]...\n"
            "                    [--threshold N] [--expires DAYS]\n"
            "       rampart repo sign DIR --role ROLE --key PRIVATE...\n"
            "       rampart repo export DIR --role ROLE --out FILE\n"
            "       rampart repo import DIR FILE... [--role ROLE]\n"
            "       rampart repo publish DIR [--key PRIVATE]... [--check]\n"
            "       rampart repo refresh DIR --key PRIVATE... [--window PERCENT] [-q]\n"
            "                    (renews every role inside its renewal window: for cron and systemd)\n"
            "       rampart repo refresh-timestamp DIR --key PRIVATE... [-q]\n"
            "       rampart repo refresh-snapshot DIR --key PRIVATE... [-q]\n"
            "       rampart repo status DIR [--warn-days N] [--json] [-q]\n"
            "                    (exit status 0 fine, 1 warnings, 2 errors, 3 not readable)\n"
            "\n"
            "Private keys are PKCS#8 PEM files (rampart key generate); their passphrase comes from\n"
            "--passphrase-file FILE, --passphrase-env VAR, or a prompt on the terminal.\n"
            "PUB is a public key file in TUF JSON form.  --key, --paths and the key options repeat.\n"
            "exit status: 0 success, 1 failure, 2 bad usage.  See docs/repo.md.\n");
}

int repo_days(const char *opt, const char *s, long long *seconds)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    /* 0 is not "the default": an expiry period of no days is refused. */
    if (errno != 0 || *end != '\0' || s[0] < '0' || s[0] > '9' || v < 1 || v > REPO_MAX_DAYS) {
        cli_errorf("repo: %s: '%s' is not a number of days from 1 to %d", opt, s, REPO_MAX_DAYS);
        return CLI_USAGE;
    }
    *seconds = (long long)v * 86400;
    return 0;
}

int repo_number(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || s[0] == '\0' || s[0] == '-' || v > max) {
        cli_errorf("repo: '%s' is not a number from 0 to %llu", s, max);
        return CLI_USAGE;
    }
    *out = v;
    return 0;
}

static int add_item(const char **list, size_t *n, const char *v)
{
    if (*n >= REPO_MAX_LIST) {
        cli_errorf("repo: too many values (at most %d)", REPO_MAX_LIST);
        return CLI_USAGE;
    }
    list[(*n)++] = v;
    return 0;
}

/* The options of every repo subcommand (one parser for all of them). */
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
static const struct option repo_options[] = {
    {"config", required_argument, NULL, O_CONFIG},
    {"root-key", required_argument, NULL, O_ROLEKEY + 0},
    {"targets-key", required_argument, NULL, O_ROLEKEY + 1},
    {"snapshot-key", required_argument, NULL, O_ROLEKEY + 2},
    {"timestamp-key", required_argument, NULL, O_ROLEKEY + 3},
    {"bins-key", required_argument, NULL, O_ROLEKEY + 4},
    {"root-threshold", required_argument, NULL, O_ROLETHR + 0},
    {"targets-threshold", required_argument, NULL, O_ROLETHR + 1},
    {"snapshot-threshold", required_argument, NULL, O_ROLETHR + 2},
    {"timestamp-threshold", required_argument, NULL, O_ROLETHR + 3},
    {"bins-threshold", required_argument, NULL, O_ROLETHR + 4},
    {"root-expires", required_argument, NULL, O_ROLEEXP + 0},
    {"targets-expires", required_argument, NULL, O_ROLEEXP + 1},
    {"snapshot-expires", required_argument, NULL, O_ROLEEXP + 2},
    {"timestamp-expires", required_argument, NULL, O_ROLEEXP + 3},
    {"delegated-expires", required_argument, NULL, O_DEXP},
    {"threshold", required_argument, NULL, O_THRESH},
    {"expires", required_argument, NULL, O_EXPIRES},
    {"sha512", no_argument, NULL, O_SHA512},
    {"bins", required_argument, NULL, O_BINS},
    {"bins-prefix", required_argument, NULL, O_BPREFIX},
    {"path", required_argument, NULL, O_PATH},
    {"role", required_argument, NULL, O_ROLE},
    {"custom", required_argument, NULL, O_CUSTOM},
    {"replace", no_argument, NULL, O_REPLACE},
    {"name", required_argument, NULL, O_NAME},
    {"delegator", required_argument, NULL, O_DELEGATOR},
    {"key", required_argument, NULL, O_KEY},
    {"paths", required_argument, NULL, O_PATHS},
    {"hash-prefix", required_argument, NULL, O_PREFIX},
    {"terminating", no_argument, NULL, O_TERM},
    {"add-key", required_argument, NULL, O_ADD},
    {"remove-key", required_argument, NULL, O_REMOVE},
    {"out", required_argument, NULL, O_OUT},
    {"passphrase-file", required_argument, NULL, O_PFILE},
    {"passphrase-env", required_argument, NULL, O_PENV},
    {"warn-days", required_argument, NULL, O_WARN},
    {"provenance", required_argument, NULL, O_PROV},
    {"check", no_argument, NULL, O_CHECK},
    {"edit", required_argument, NULL, O_EDIT},
    {"remove", required_argument, NULL, O_UNDELEGATE},
    {"no-terminating", no_argument, NULL, O_NOTERM},
    {"json", no_argument, NULL, O_JSON},
    {"quiet", no_argument, NULL, 'q'},
    {"window", required_argument, NULL, O_WINDOW},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int repo_parse(int argc, char **argv, struct repo_args *a)
{
    memset(a, 0, sizeof(*a));
    a->warn_days = 14;
    optind = 1;
    int c, rc = 0;
    unsigned long long v;
    while (rc == 0 && (c = getopt_long(argc, argv, "hq", repo_options, NULL)) != -1) {
        if (c >= O_ROLEKEY && c < O_ROLEKEY + 5) {
            rc = add_item(a->role_keys[c - O_ROLEKEY], &a->nrole_keys[c - O_ROLEKEY], optarg);
            continue;
        }
        if (c >= O_ROLETHR && c < O_ROLETHR + 5) {
            if ((rc = repo_number(optarg, 1024, &v)) == 0)
                a->role_threshold[c - O_ROLETHR] = (unsigned)v;
            continue;
        }
        if (c >= O_ROLEEXP && c < O_ROLEEXP + 4) {
            static const char *const names[4] = {"--root-expires", "--targets-expires", "--snapshot-expires",
                                                 "--timestamp-expires"};
            rc = repo_days(names[c - O_ROLEEXP], optarg, &a->role_expires[c - O_ROLEEXP]);
            continue;
        }
        switch (c) {
        case O_CONFIG:
            a->config = optarg;
            break;
        case O_DEXP:
            rc = repo_days("--delegated-expires", optarg, &a->delegated_expires);
            break;
        case O_THRESH:
            if ((rc = repo_number(optarg, 1024, &v)) == 0)
                a->threshold = (unsigned)v;
            break;
        case O_EXPIRES:
            rc = repo_days("--expires", optarg, &a->expires);
            break;
        case O_SHA512:
            a->sha512 = 1;
            break;
        case O_BINS:
            if ((rc = repo_number(optarg, 1u << 20, &v)) == 0)
                a->bins = (unsigned)v;
            break;
        case O_BPREFIX:
            a->bins_prefix = optarg;
            break;
        case O_PATH:
            a->path = optarg;
            break;
        case O_ROLE:
            a->role = optarg;
            break;
        case O_CUSTOM:
            a->custom = optarg;
            break;
        case O_REPLACE:
            a->replace = 1;
            break;
        case O_NAME:
            a->name = optarg;
            break;
        case O_DELEGATOR:
            a->delegator = optarg;
            break;
        case O_KEY:
            rc = add_item(a->keys, &a->nkeys, optarg);
            break;
        case O_PATHS:
            rc = add_item(a->paths, &a->npaths, optarg);
            break;
        case O_PREFIX:
            rc = add_item(a->prefixes, &a->nprefixes, optarg);
            break;
        case O_TERM:
            a->terminating = 1;
            break;
        case O_ADD:
            rc = add_item(a->add, &a->nadd, optarg);
            break;
        case O_REMOVE:
            rc = add_item(a->remove, &a->nremove, optarg);
            break;
        case O_OUT:
            a->out = optarg;
            break;
        case O_PFILE:
            a->pass.file = optarg;
            break;
        case O_PENV:
            a->pass.env = optarg;
            break;
        case O_PROV:
            a->provenance = optarg;
            break;
        case O_CHECK:
            a->check = 1;
            break;
        case O_EDIT:
            a->edit = optarg;
            break;
        case O_UNDELEGATE:
            a->undelegate = optarg;
            break;
        case O_NOTERM:
            a->no_terminating = 1;
            break;
        case O_WARN:
            if ((rc = repo_number(optarg, 3650, &v)) == 0)
                a->warn_days = (unsigned)v;
            break;
        case O_JSON:
            a->json = 1;
            break;
        case 'q':
            a->quiet = 1;
            break;
        case O_WINDOW:
            rc = repo_window(optarg, &a->window);
            break;
        case 'h':
            repo_usage(stdout);
            return -1;
        default:
            repo_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (rc != 0)
        return rc;
    a->pos = argv + optind;
    a->npos = (size_t)(argc - optind);
    if (a->npos == 0) {
        cli_errorf("repo: no repository folder given");
        repo_usage(stderr);
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
        cli_report(a->dir, rc, &err);
        return CLI_FAIL;
    }
    for (size_t i = 0; i < a->nkeys; i++) {
        if (cli_load_signer(a->keys[i], &a->pass, &a->signers[i]) != 0)
            return CLI_FAIL;
        a->nsigners = i + 1;
        if (rampart_repo_add_signer(*r, a->signers[i]) != 0)
            return CLI_FAIL;
    }
    return 0;
}

void repo_close(struct repo_args *a, rampart_repo *r)
{
    rampart_repo_free(r);
    for (size_t i = 0; i < a->nsigners; i++)
        rampart_signer_free(a->signers[i]);
    for (size_t i = 0; i < a->npubs; i++)
        rampart_public_key_free(a->pubs[i]);
}

int repo_pubkeys(struct repo_args *a, const char **paths, size_t n, const rampart_public_key **out)
{
    for (size_t i = 0; i < n; i++) {
        if (a->npubs >= (size_t)REPO_MAX_LIST * 6) {
            cli_errorf("repo: too many keys");
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
    cli_report(what, rc, rampart_repo_last_error(r));
    return CLI_FAIL;
}

static int repo_add(struct repo_args *a)
{
    if (a->npos != 2) {
        cli_errorf("repo add: give DIR and one FILE or FOLDER");
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
        cli_errorf("repo remove: give DIR and one TARGET_PATH");
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
    if (a->role == NULL || a->nkeys == 0) {
        cli_errorf("repo sign: give --role and at least one --key");
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
        printf("signed %s with %zu key(s)\n", a->role, a->nkeys);
    repo_close(a, r);
    return rc;
}

static int repo_export(struct repo_args *a)
{
    if (a->role == NULL || a->out == NULL) {
        cli_errorf("repo export: give --role and --out");
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
        cli_errorf("repo import: give DIR and signed FILE(s)");
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
    fprintf(stderr, "rampart: %s: %s\n", (const char *)ctx, line);
}

static int repo_publish(struct repo_args *a, const char *refresh)
{
    const char *what = refresh == NULL                     ? "repo publish"
                       : strcmp(refresh, "timestamp") == 0 ? "repo refresh-timestamp"
                                                           : "repo refresh-snapshot";
    if (a->check && refresh != NULL) {
        cli_errorf("%s: --check is an option of publish", what);
        return CLI_USAGE;
    }
    rampart_repo *r = NULL;
    int rc = repo_open(a, &r);
    rampart_publish_result res = {0};
    if (rc == 0)
        rampart_repo_set_notice(r, print_notice, (void *)what);
    size_t fixed = 0;
    if (rc == 0 && a->check) {
        rc = repo_result(what, r, rampart_repo_repair(r, 1, &fixed));
        if (rc == 0)
            printf("checked every served file: %zu rewritten\n", fixed);
    }
    if (rc == 0)
        rc = repo_result(what, r,
                         refresh != NULL ? rampart_repo_refresh(r, refresh, &res) : rampart_repo_publish(r, &res));
    if (rc == 0 && a->quiet)
        ;
    else if (rc == 0 && res.roles_published == 0)
        printf("nothing to publish: no role changed since the last publish\n");
    else if (rc == 0)
        printf("published %zu metadata file(s): snapshot version %lld, timestamp version %lld\n", res.roles_published,
               res.snapshot_version, res.timestamp_version);
    repo_close(a, r);
    return rc;
}

int cmd_repo(int argc, char **argv)
{
    if (argc < 2) {
        repo_usage(stderr);
        return CLI_USAGE;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        repo_usage(stdout);
        return CLI_OK;
    }
    static struct repo_args a;
    int rc = repo_parse(argc - 1, argv + 1, &a);
    if (rc != 0)
        return rc < 0 ? CLI_OK : rc;
    if (strcmp(sub, "init") == 0)
        return repo_init(&a);
    if (strcmp(sub, "add") == 0)
        return repo_add(&a);
    if (strcmp(sub, "remove") == 0)
        return repo_remove(&a);
    if (strcmp(sub, "list") == 0)
        return repo_list(&a);
    if (strcmp(sub, "delegate") == 0)
        return repo_delegate(&a);
    if (strcmp(sub, "rotate") == 0)
        return repo_rotate(&a);
    if (strcmp(sub, "sign") == 0)
        return repo_sign(&a);
    if (strcmp(sub, "export") == 0)
        return repo_export(&a);
    if (strcmp(sub, "import") == 0)
        return repo_import(&a);
    if (strcmp(sub, "publish") == 0)
        return repo_publish(&a, NULL);
    if (strcmp(sub, "refresh") == 0)
        return repo_refresh(&a);
    if (strcmp(sub, "refresh-timestamp") == 0)
        return repo_publish(&a, "timestamp");
    if (strcmp(sub, "refresh-snapshot") == 0)
        return repo_publish(&a, "snapshot");
    if (strcmp(sub, "status") == 0)
        return repo_status(&a);
    cli_errorf("repo: unknown subcommand '%s'", sub);
    repo_usage(stderr);
    return CLI_USAGE;
}
