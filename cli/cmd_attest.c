/*
 * cmd_attest.c - `rampart attest`: a builder signs SLSA Provenance v1 for
 * the files it built (rampart/provenance.h, docs/provenance.md).
 *
 *   rampart attest --key BUILDER_KEY --builder-id URI [--build-type URI]
 *                  [--source-uri URI [--source-revision REF] [--source-commit HEX]]
 *                  [--param NAME=VALUE]... [--invocation-id ID] [--out FILE] FILE...
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define ATTEST_MAX_LIST 64

struct attest_args {
    struct cli_keys keys;
    const char *names[ATTEST_MAX_LIST], *values[ATTEST_MAX_LIST];
    char *params[ATTEST_MAX_LIST];
    size_t nparams;
    rampart_attest_options o;
    const char *out;
};

static int add_param(struct attest_args *a, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (eq == NULL || eq == kv) {
        cli_usage_error("--param needs NAME=VALUE, not '%s'", kv);
        return CLI_USAGE;
    }
    if (a->nparams >= ATTEST_MAX_LIST) {
        cli_usage_error("too many --param options (at most %d)", ATTEST_MAX_LIST);
        return CLI_USAGE;
    }
    char *name = strndup(kv, (size_t)(eq - kv));
    if (name == NULL) {
        cli_error(RAMPART_ENOMEM, "out of memory");
        return CLI_FAIL;
    }
    a->params[a->nparams] = name;
    a->names[a->nparams] = name;
    a->values[a->nparams++] = eq + 1;
    return 0;
}

enum { O_KEY = 256, O_BUILDER, O_TYPE, O_SRC, O_REV, O_COMMIT, O_PARAM, O_INV, O_OUT, O_PFILE, O_PENV };

static int attest_opt(void *ctx, int id, const char *arg)
{
    struct attest_args *a = ctx;
    if (id != O_KEY && id != O_PFILE && id != O_PENV)
        cli_keys_other(&a->keys);
    switch (id) {
    case O_KEY:
        return cli_keys_add(&a->keys, arg);
    case O_PFILE:
    case O_PENV:
        cli_keys_passphrase(&a->keys, id == O_PENV, arg);
        return 0;
    case O_BUILDER:
        a->o.builder_id = arg;
        return 0;
    case O_TYPE:
        a->o.build_type = arg;
        return 0;
    case O_SRC:
        a->o.source_uri = arg;
        return 0;
    case O_REV:
        a->o.source_revision = arg;
        return 0;
    case O_COMMIT:
        a->o.source_commit = arg;
        return 0;
    case O_PARAM:
        return add_param(a, arg);
    case O_INV:
        a->o.invocation_id = arg;
        return 0;
    default: /* O_OUT */
        a->out = arg;
        return 0;
    }
}

static const struct cli_opt attest_opts[] = {
    {"key", required_argument, O_KEY, 0, "FILE",
     "builder private key (PKCS#8 PEM from 'rampart key generate';\nrepeatable)"},
    CLI_OPT_PASSPHRASE(O_PFILE, O_PENV),
    {"builder-id", required_argument, O_BUILDER, 0, "URI", "runDetails.builder.id: the build platform (required)"},
    {"build-type", required_argument, O_TYPE, 0, "URI",
     "buildDefinition.buildType (default " RAMPART_ATTEST_BUILD_TYPE ")"},
    {"source-uri", required_argument, O_SRC, 0, "URI",
     "the source repository, e.g. git+https://git.example.com/org/app"},
    {"source-revision", required_argument, O_REV, 0, "REF", "the revision built, e.g. refs/tags/v1.2.0"},
    {"source-commit", required_argument, O_COMMIT, 0, "HEX", "the git commit the revision resolved to"},
    {"param", required_argument, O_PARAM, 0, "NAME=VALUE", "an external parameter of the build (repeatable)"},
    {"invocation-id", required_argument, O_INV, 0, "ID", "runDetails.metadata.invocationId"},
    {"out", required_argument, O_OUT, 0, "FILE",
     "write the attestation to FILE (not overwritten; default:\nstandard output)"},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct cli_cmd attest_cmd = {
    "attest",
    "attest --key BUILDER_KEY [--key KEY]... --builder-id URI [--build-type URI]\n"
    "              [--source-uri URI [--source-revision REF] [--source-commit HEX]]\n"
    "              [--param NAME=VALUE]... [--invocation-id ID] [--out FILE] FILE...",
    "Writes a DSSE envelope holding an in-toto Statement v1 with an SLSA Provenance v1\n"
    "predicate whose subjects are the FILEs (name: the base name, digest: SHA-256), as one\n"
    "line of JSON (the .intoto.jsonl form), signed by each --key.  See docs/provenance.md.",
    attest_opts, attest_opt};

/* Parses the line; the FILEs end up in argv[1..*nfiles]. */
static int parse(int argc, char **argv, struct attest_args *a, int *nfiles)
{
    int npos = 0;
    int rc = cli_parse(&attest_cmd, argc, argv, a, &npos);
    if (rc != 0)
        return rc;
    if (a->keys.n == 0 || a->o.builder_id == NULL || npos == 0) {
        cli_usage_error("give --key, --builder-id and at least one FILE");
        return CLI_USAGE;
    }
    if (npos > ATTEST_MAX_LIST) {
        cli_usage_error("at most %d files", ATTEST_MAX_LIST);
        return CLI_USAGE;
    }
    *nfiles = npos;
    return 0;
}

/* Writes the attestation: to a new file (never over an existing one), or stdout. */
static int write_out(const char *path, const char *data, size_t n)
{
    FILE *f = path != NULL ? fopen(path, "wx") : stdout;
    if (f == NULL) {
        cli_error(errno == EEXIST ? RAMPART_EEXIST : RAMPART_EIO, "cannot create %s: %s", path, strerror(errno));
        return CLI_FAIL;
    }
    bool ok = fwrite(data, 1, n, f) == n && fflush(f) == 0;
    if (path != NULL)
        ok = fclose(f) == 0 && ok;
    if (!ok) {
        cli_error(RAMPART_EIO, "cannot write %s", path != NULL ? path : "the attestation");
        if (path != NULL)
            remove(path);
        return CLI_FAIL;
    }
    return CLI_OK;
}

int cmd_attest(int argc, char **argv)
{
    static struct attest_args a; /* large: the key list */
    memset(&a, 0, sizeof(a));
    a.o = (rampart_attest_options)RAMPART_ATTEST_OPTIONS_INIT;
    int nfiles = 0, rc = parse(argc, argv, &a, &nfiles);
    rampart_attest_subject subjects[ATTEST_MAX_LIST];
    if (rc == 0 && cli_keys_load(&a.keys) != 0)
        rc = CLI_FAIL;
    if (rc == 0) {
        size_t n = (size_t)nfiles;
        for (size_t i = 0; i < n; i++)
            subjects[i] = (rampart_attest_subject){NULL, argv[1 + i], NULL};
        a.o.subjects = subjects;
        a.o.subject_count = n;
        a.o.param_names = a.names;
        a.o.param_values = a.values;
        a.o.param_count = a.nparams;
        char *out = NULL;
        size_t len = 0;
        rampart_error err = {0};
        int arc = rampart_attest(&a.o, a.keys.signers, a.keys.nsigners, &out, &len, &err);
        if (arc != 0) {
            cli_report(NULL, arc, &err);
            rc = CLI_FAIL;
        } else {
            rc = write_out(a.out, out, len);
        }
        if (rc == 0 && a.out != NULL)
            printf("wrote %s: SLSA provenance v1 for %zu file(s), signed by %zu key(s)\n", a.out, n, a.keys.nsigners);
        rampart_string_free(out);
    }
    cli_keys_free(&a.keys);
    for (size_t i = 0; i < a.nparams; i++)
        free(a.params[i]);
    return rc == CLI_HELP ? CLI_OK : rc;
}
