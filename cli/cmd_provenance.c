/*
 * cmd_provenance.c - `rampart verify-provenance`: judges the provenance of
 * a file on disk by a policy, exactly as `rampart client download
 * --policy` does for a downloaded target (rampart/provenance.h).
 *
 *   rampart verify-provenance ARTIFACT [ATTESTATION] --policy FILE [--path TARGET_PATH] [--version V]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void verify_usage(FILE *f)
{
    fprintf(f, "usage: rampart verify-provenance ARTIFACT [ATTESTATION] --policy FILE [--path TARGET_PATH]\n"
               "                                 [--version VERSION]\n"
               "\n"
               "Judges ATTESTATION (a DSSE envelope; none given: the artifact has no provenance) for\n"
               "ARTIFACT by the policy rule for its target path, as 'rampart client download --policy'\n"
               "does.  Each refusal has its own code (RAMPART_EPROV*, docs/errors.md).\n"
               "\n"
               "options:\n"
               "  --policy FILE      the provenance policy (docs/provenance.md; required)\n"
               "  --path PATH        the target path that selects the policy rule (default: ARTIFACT's base name;\n"
               "                     required when a rule's pattern names a folder)\n"
               "  --version VERSION  the version you expect, for the \"version_tag\" rule (default: the attested\n"
               "                     name and tag must agree with the target path)\n"
               "exit status: 0 verified (or not required), 1 refused or failed, 2 bad usage.\n");
}

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

int cmd_verify_provenance(int argc, char **argv)
{
    enum { O_POLICY = 256, O_PATH, O_VERSION };
    static const struct option opts[] = {
        {"policy", required_argument, NULL, O_POLICY},
        {"path", required_argument, NULL, O_PATH},
        {"version", required_argument, NULL, O_VERSION},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *policy = NULL, *path = NULL, *version = NULL;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_POLICY:
            policy = optarg;
            break;
        case O_PATH:
            path = optarg;
            break;
        case O_VERSION:
            version = optarg;
            break;
        case 'h':
            verify_usage(stdout);
            return CLI_OK;
        default:
            verify_usage(stderr);
            return CLI_USAGE;
        }
    }
    int npos = argc - optind;
    if (policy == NULL || npos < 1 || npos > 2) {
        cli_errorf("verify-provenance: give ARTIFACT, optionally ATTESTATION, and --policy FILE");
        verify_usage(stderr);
        return CLI_USAGE;
    }
    const char *artifact = argv[optind], *attestation = npos == 2 ? argv[optind + 1] : NULL;
    rampart_error err = {0};
    rampart_prov_policy *p = NULL;
    int rc = rampart_prov_policy_load(&p, policy, &err);
    if (rc != 0) {
        cli_report("verify-provenance", rc, &err);
        return CLI_FAIL;
    }
    /* The base name alone would choose the rule for a file of the top folder,
     * silently skipping a stricter rule for its real folder. */
    const char *dir_pattern = rampart_prov_policy_dir_pattern(p);
    if (path == NULL && dir_pattern != NULL) {
        cli_errorf("verify-provenance: the policy has rules by folder (\"%s\"): give the artifact's target path "
                   "with --path [RAMPART_EINVAL]",
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
        cli_errorf("verify-provenance: cannot read %s [RAMPART_EIO]", attestation);
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
        cli_report("verify-provenance", rc, &err);
    else if (s != NULL)
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
