/*
 * cmd_attest.c - `rampart attest`: a builder signs SLSA Provenance v1 for
 * the files it built (rampart/provenance.h, docs/provenance.md).
 *
 *   rampart attest --key BUILDER_KEY --builder-id URI [--build-type URI]
 *                  [--source-uri URI [--source-revision REF] [--source-commit HEX]]
 *                  [--param NAME=VALUE]... [--invocation-id ID] [--out FILE] FILE...
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define ATTEST_MAX_LIST 64

static void attest_usage(FILE *f)
{
    fprintf(f, "usage: rampart attest --key BUILDER_KEY [--key KEY]... --builder-id URI [--build-type URI]\n"
               "                      [--source-uri URI [--source-revision REF] [--source-commit HEX]]\n"
               "                      [--param NAME=VALUE]... [--invocation-id ID] [--out FILE] FILE...\n"
               "\n"
               "Writes a DSSE envelope holding an in-toto Statement v1 with an SLSA Provenance v1\n"
               "predicate whose subjects are the FILEs (name: the base name, digest: SHA-256), as one\n"
               "line of JSON (the .intoto.jsonl form), signed by each --key.\n"
               "\n"
               "options:\n"
               "  --key FILE              builder private key (PKCS#8 PEM from 'rampart key generate'; repeatable)\n"
               "  --builder-id URI        runDetails.builder.id: the build platform (required)\n"
               "  --build-type URI        buildDefinition.buildType (default " RAMPART_ATTEST_BUILD_TYPE ")\n"
               "  --source-uri URI        the source repository, e.g. git+https://git.example.com/org/app\n"
               "  --source-revision REF   the revision built, e.g. refs/tags/v1.2.0\n"
               "  --source-commit HEX     the git commit the revision resolved to\n"
               "  --param NAME=VALUE      an external parameter of the build (repeatable)\n"
               "  --invocation-id ID      runDetails.metadata.invocationId\n"
               "  --out FILE              write the attestation to FILE (not overwritten; default: standard output)\n"
               "  --passphrase-file FILE  passphrase of the keys (first line); or --passphrase-env VAR\n"
               "exit status: 0 success, 1 failure, 2 bad usage.  See docs/provenance.md.\n");
}

struct attest_args {
    const char *keys[ATTEST_MAX_LIST];
    size_t nkeys;
    const char *names[ATTEST_MAX_LIST], *values[ATTEST_MAX_LIST];
    char *params[ATTEST_MAX_LIST];
    size_t nparams;
    rampart_attest_options o;
    const char *out;
    struct cli_pass pass;
};

static int add_param(struct attest_args *a, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (eq == NULL || eq == kv) {
        cli_errorf("attest: --param needs NAME=VALUE, not '%s'", kv);
        return CLI_USAGE;
    }
    char *name = strndup(kv, (size_t)(eq - kv));
    if (name == NULL) {
        cli_errorf("out of memory");
        return CLI_FAIL;
    }
    a->params[a->nparams] = name;
    a->names[a->nparams] = name;
    a->values[a->nparams++] = eq + 1;
    return 0;
}

static int parse(int argc, char **argv, struct attest_args *a, int *first)
{
    enum { O_KEY = 256, O_BUILDER, O_TYPE, O_SRC, O_REV, O_COMMIT, O_PARAM, O_INV, O_OUT, O_PFILE, O_PENV };
    static const struct option opts[] = {
        {"key", required_argument, NULL, O_KEY},
        {"builder-id", required_argument, NULL, O_BUILDER},
        {"build-type", required_argument, NULL, O_TYPE},
        {"source-uri", required_argument, NULL, O_SRC},
        {"source-revision", required_argument, NULL, O_REV},
        {"source-commit", required_argument, NULL, O_COMMIT},
        {"param", required_argument, NULL, O_PARAM},
        {"invocation-id", required_argument, NULL, O_INV},
        {"out", required_argument, NULL, O_OUT},
        {"passphrase-file", required_argument, NULL, O_PFILE},
        {"passphrase-env", required_argument, NULL, O_PENV},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    int c, rc = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        bool full = (c == O_KEY && a->nkeys >= ATTEST_MAX_LIST) || (c == O_PARAM && a->nparams >= ATTEST_MAX_LIST);
        if (full) {
            cli_errorf("attest: too many %s options (at most %d)", c == O_KEY ? "--key" : "--param", ATTEST_MAX_LIST);
            return CLI_USAGE;
        }
        switch (c) {
        case O_KEY:
            a->keys[a->nkeys++] = optarg;
            break;
        case O_BUILDER:
            a->o.builder_id = optarg;
            break;
        case O_TYPE:
            a->o.build_type = optarg;
            break;
        case O_SRC:
            a->o.source_uri = optarg;
            break;
        case O_REV:
            a->o.source_revision = optarg;
            break;
        case O_COMMIT:
            a->o.source_commit = optarg;
            break;
        case O_PARAM:
            rc = add_param(a, optarg);
            break;
        case O_INV:
            a->o.invocation_id = optarg;
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
        case 'h':
            attest_usage(stdout);
            return -1;
        default:
            attest_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (rc != 0)
        return rc;
    if (a->nkeys == 0 || a->o.builder_id == NULL || optind >= argc) {
        cli_errorf("attest: give --key, --builder-id and at least one FILE");
        attest_usage(stderr);
        return CLI_USAGE;
    }
    if (argc - optind > ATTEST_MAX_LIST) {
        cli_errorf("attest: at most %d files", ATTEST_MAX_LIST);
        return CLI_USAGE;
    }
    *first = optind;
    return 0;
}

/* Writes the attestation: to a new file (never over an existing one), or stdout. */
static int write_out(const char *path, const char *data, size_t n)
{
    FILE *f = path != NULL ? fopen(path, "wx") : stdout;
    if (f == NULL) {
        cli_errorf("attest: cannot create %s: %s [%s]", path, strerror(errno),
                   rampart_error_name(errno == EEXIST ? RAMPART_EEXIST : RAMPART_EIO));
        return CLI_FAIL;
    }
    bool ok = fwrite(data, 1, n, f) == n && fflush(f) == 0;
    if (path != NULL)
        ok = fclose(f) == 0 && ok;
    if (!ok) {
        cli_errorf("attest: cannot write %s [RAMPART_EIO]", path != NULL ? path : "the attestation");
        if (path != NULL)
            remove(path);
        return CLI_FAIL;
    }
    return CLI_OK;
}

int cmd_attest(int argc, char **argv)
{
    struct attest_args a = {.o = RAMPART_ATTEST_OPTIONS_INIT};
    int first, rc = parse(argc, argv, &a, &first);
    rampart_signer *signers[ATTEST_MAX_LIST] = {NULL};
    rampart_attest_subject subjects[ATTEST_MAX_LIST];
    size_t nsigners = 0;
    for (size_t i = 0; rc == 0 && i < a.nkeys; i++, nsigners++)
        if (cli_load_signer(a.keys[i], &a.pass, &signers[i]) != 0)
            rc = CLI_FAIL;
    if (rc == 0) {
        size_t n = (size_t)(argc - first);
        for (size_t i = 0; i < n; i++)
            subjects[i] = (rampart_attest_subject){NULL, argv[first + i], NULL};
        a.o.subjects = subjects;
        a.o.subject_count = n;
        a.o.param_names = a.names;
        a.o.param_values = a.values;
        a.o.param_count = a.nparams;
        char *out = NULL;
        size_t len = 0;
        rampart_error err = {0};
        int arc = rampart_attest(&a.o, signers, nsigners, &out, &len, &err);
        if (arc != 0) {
            cli_report("attest", arc, &err);
            rc = CLI_FAIL;
        } else {
            rc = write_out(a.out, out, len);
        }
        if (rc == 0 && a.out != NULL)
            printf("wrote %s: SLSA provenance v1 for %zu file(s), signed by %zu key(s)\n", a.out, n, nsigners);
        rampart_string_free(out);
    }
    for (size_t i = 0; i < nsigners; i++)
        rampart_signer_free(signers[i]);
    for (size_t i = 0; i < a.nparams; i++)
        free(a.params[i]);
    return rc < 0 ? CLI_OK : rc;
}
