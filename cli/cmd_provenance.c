/*
 * cmd_provenance.c - `rampart verify-provenance`: judges the provenance of
 * a file on disk by a policy, exactly as `rampart client download
 * --policy` does for a downloaded target (rampart/provenance.h).
 *
 *   rampart verify-provenance ARTIFACT [ATTESTATION] --policy FILE [--path TARGET_PATH] [--version V]
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct vp_args {
    const char *policy, *path, *version;
    int json;
};

enum { O_POLICY = 256, O_PATH, O_VERSION, O_JSON };

static int vp_opt(void *ctx, int id, const char *arg)
{
    struct vp_args *a = ctx;
    if (id == O_POLICY)
        a->policy = arg;
    else if (id == O_PATH)
        a->path = arg;
    else if (id == O_VERSION)
        a->version = arg;
    else
        a->json = 1;
    return 0;
}

static const struct cli_opt vp_opts[] = {
    {"policy", required_argument, O_POLICY, 0, "FILE", "the provenance policy (docs/provenance.md; required)"},
    {"path", required_argument, O_PATH, 0, "PATH",
     "the target path that selects the policy rule (default:\nARTIFACT's base name; required when a rule's pattern "
     "names\na folder)"},
    {"version", required_argument, O_VERSION, 0, "VERSION",
     "the version you expect, for the \"version_tag\" rule (default:\nthe attested name and tag must agree with the "
     "target path)"},
    {"json", no_argument, O_JSON, 0, NULL, "print the verdict as JSON (docs/cli-json.md)"},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct cli_cmd vp_cmd = {
    "verify-provenance",
    "verify-provenance ARTIFACT [ATTESTATION] --policy FILE [--path TARGET_PATH]\n"
    "                         [--version VERSION] [--json]",
    "Judges ATTESTATION (a DSSE envelope; none given: the artifact has no provenance) for\n"
    "ARTIFACT by the policy rule for its target path, as 'rampart client download --policy'\n"
    "does.  Each refusal has its own code (RAMPART_EPROV*, docs/errors.md).  Exit status 0\n"
    "verified (or not required), 1 refused or failed, 2 bad usage.",
    vp_opts, vp_opt};

/* The whole file, at most one byte past the attestation cap (so that an
 * oversized file reaches the library, which refuses it). */
static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = (size_t)RAMPART_ATTESTATION_MAX + 1;
    char *buf = malloc(cap);
    if (buf != NULL) {
        *len = fread(buf, 1, cap, f);
        if (ferror(f)) {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

static void print_verified(const char *artifact, const char *rule, const rampart_statement *s)
{
    const char *src = rampart_statement_source_uri(s), *rev = rampart_statement_source_revision(s);
    printf("%s: provenance verified by policy rule '", artifact);
    cli_print_safe(stdout, rule);
    printf("'\n  builder:    ");
    cli_print_safe(stdout, rampart_statement_builder_id(s));
    printf("\n  build type: ");
    cli_print_safe(stdout, rampart_statement_build_type(s));
    printf("\n  source:     ");
    cli_print_safe(stdout, src != NULL ? src : "(none)");
    if (rev != NULL) {
        printf("@");
        cli_print_safe(stdout, rev);
    }
    printf("\n");
}

/* --json: {"ok", "artifact", "path", "rule", "requirement", "verified", ...} (docs/cli-json.md). */
static int print_json(const char *artifact, const char *path, const rampart_prov_policy *p, int rc,
                      const rampart_error *err, const rampart_statement *s)
{
    static const char *const reqs[] = {"none", "optional", "required"};
    int req = rampart_prov_policy_requirement(p, path);
    json_t *o = json_pack("{s:b,s:s,s:s,s:s,s:s,s:b}", "ok", rc == 0, "artifact", artifact, "path", path, "rule",
                          rampart_prov_policy_rule_name(p, path), "requirement",
                          req == RAMPART_PROV_REQUIRED ? reqs[2]
                          : req == RAMPART_PROV_NONE   ? reqs[0]
                                                       : reqs[1],
                          "verified", s != NULL);
    if (o != NULL && rc != 0) {
        json_object_set_new(o, "error", json_string(rampart_error_name(rc)));
        json_object_set_new(o, "message", json_string(err->message[0] ? err->message : rampart_strerror(rc)));
    }
    if (o != NULL && s != NULL) {
        const char *src = rampart_statement_source_uri(s), *rev = rampart_statement_source_revision(s);
        json_object_set_new(o, "builder_id", json_string(rampart_statement_builder_id(s)));
        json_object_set_new(o, "build_type", json_string(rampart_statement_build_type(s)));
        json_object_set_new(o, "source_uri", src != NULL ? json_string(src) : json_null());
        json_object_set_new(o, "source_revision", rev != NULL ? json_string(rev) : json_null());
    }
    if (o == NULL || json_dumpf(o, stdout, JSON_COMPACT | JSON_ENSURE_ASCII) != 0) {
        json_decref(o);
        cli_error(RAMPART_ENOMEM, "cannot build the JSON output");
        return CLI_FAIL;
    }
    fputc('\n', stdout);
    json_decref(o);
    return rc == 0 ? CLI_OK : CLI_FAIL;
}

int cmd_verify_provenance(int argc, char **argv)
{
    struct vp_args args = {0};
    int npos = 0;
    int prc = cli_parse(&vp_cmd, argc, argv, &args, &npos);
    if (prc != 0)
        return prc == CLI_HELP ? CLI_OK : prc;
    const char *policy = args.policy, *path = args.path, *version = args.version;
    if (policy == NULL || npos < 1 || npos > 2) {
        cli_usage_error("give ARTIFACT, optionally ATTESTATION, and --policy FILE");
        return CLI_USAGE;
    }
    const int first = 1;
    const char *artifact = argv[first], *attestation = npos == 2 ? argv[first + 1] : NULL;
    rampart_error err = {0};
    rampart_prov_policy *p = NULL;
    int rc = rampart_prov_policy_load(&p, policy, &err);
    if (rc != 0) {
        cli_report(NULL, rc, &err);
        return CLI_FAIL;
    }
    /* The base name alone would choose the rule for a file of the top folder,
     * silently skipping a stricter rule for its real folder. */
    const char *dir_pattern = rampart_prov_policy_dir_pattern(p);
    if (path == NULL && dir_pattern != NULL) {
        cli_usage_error("the policy has rules by folder (\"%s\"): give the artifact's target path with --path",
                        dir_pattern);
        rampart_prov_policy_free(p);
        return CLI_USAGE;
    }
    if (path == NULL) {
        path = strrchr(artifact, '/');
        path = path != NULL ? path + 1 : artifact;
    }
    char *env = NULL;
    size_t len = 0;
    if (attestation != NULL && (env = read_all(attestation, &len)) == NULL) {
        cli_error(RAMPART_EIO, "cannot read %s", attestation);
        rampart_prov_policy_free(p);
        return CLI_FAIL;
    }
    rampart_prov_artifact a = RAMPART_PROV_ARTIFACT_INIT;
    a.path = path;
    a.file = artifact;
    a.release = version;
    rampart_statement *s = NULL;
    rc = rampart_prov_verify(p, &a, env, len, &s, &err);
    if (rc != 0)
        cli_report(NULL, rc, &err);
    if (args.json) {
        int jrc = print_json(artifact, path, p, rc, &err, s);
        rampart_statement_free(s);
        free(env);
        rampart_prov_policy_free(p);
        return jrc;
    }
    if (rc != 0) {
        /* reported above */
    } else if (s != NULL)
        print_verified(artifact, rampart_prov_policy_rule_name(p, path), s);
    else {
        printf("%s: policy rule '", artifact);
        cli_print_safe(stdout, rampart_prov_policy_rule_name(p, path));
        printf("' %s\n", rampart_prov_policy_requirement(p, path) == RAMPART_PROV_NONE
                             ? "does not evaluate provenance"
                             : "accepts it without an attestation (optional)");
    }
    rampart_statement_free(s);
    free(env);
    rampart_prov_policy_free(p);
    return rc == 0 ? CLI_OK : CLI_FAIL;
}
