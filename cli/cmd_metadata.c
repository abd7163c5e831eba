/*
 * cmd_metadata.c - `rampart metadata show|canonical|verify`: inspect single
 * metadata files, print the exact bytes signatures cover, and verify a file
 * against the keys of the role that delegates to it.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static void metadata_usage(FILE *f)
{
    fprintf(f, "usage: rampart metadata show FILE [--root DELEGATOR] [--role NAME]\n"
               "       rampart metadata canonical FILE\n"
               "       rampart metadata verify FILE --root DELEGATOR [--role NAME]\n"
               "       rampart metadata sign FILE --key PRIVATE_KEY [--out OUT]\n"
               "                [--passphrase-file F | --passphrase-env VAR]\n"
               "\n"
               "DELEGATOR is a root metadata file (for root, timestamp, snapshot and\n"
               "targets) or a targets file that delegates to role NAME.  Without --root,\n"
               "show checks a root's signatures against its own keys.  sign adds (or\n"
               "replaces) the key's signature over the canonical \"signed\" and writes the\n"
               "file back (or to OUT): the offline half of `rampart repo export/import`.\n");
}

struct md_args {
    const char *file;
    const char *delegator;
    const char *role;
};

static int parse_md_args(int argc, char **argv, struct md_args *a)
{
    static const struct option opts[] = {
        {"root", required_argument, NULL, 'r'},
        {"delegator", required_argument, NULL, 'r'},
        {"role", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof(*a));
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "hr:n:", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            a->delegator = optarg;
            break;
        case 'n':
            a->role = optarg;
            break;
        case 'h':
            metadata_usage(stdout);
            return -1;
        default:
            metadata_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (optind != argc - 1) {
        metadata_usage(stderr);
        return CLI_USAGE;
    }
    a->file = argv[optind];
    return 0;
}

static int load(const char *path, rampart_metadata **md)
{
    rampart_error err;
    int rc = rampart_metadata_load(md, path, &err);
    if (rc != 0) {
        cli_report(path, rc, &err);
        return CLI_FAIL;
    }
    return 0;
}

static void print_roles(rampart_metadata *md, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rampart_role_info ri;
        if (rampart_metadata_role(md, i, &ri) != 0)
            continue;
        printf("  ");
        if (ri.succinct)
            printf("hash bins %u bits, prefix \"", ri.bit_length);
        cli_print_safe(stdout, ri.name);
        printf("%s: threshold %lld of %zu key(s)%s\n", ri.succinct ? "\"" : "", ri.threshold, ri.keyid_count,
               ri.terminating ? ", terminating" : "");
        for (size_t j = 0; j < ri.keyid_count; j++) {
            const char *kid = rampart_metadata_role_keyid(md, i, j);
            if (kid == NULL)
                continue;
            printf("    ");
            cli_print_safe(stdout, kid);
            printf("\n");
        }
    }
}

static int metadata_show(int argc, char **argv)
{
    struct md_args a;
    int rc = parse_md_args(argc, argv, &a);
    if (rc != 0)
        return rc < 0 ? CLI_OK : rc;
    rampart_metadata *md = NULL, *del = NULL;
    if ((rc = load(a.file, &md)) != 0)
        return rc;
    if (a.delegator != NULL && (rc = load(a.delegator, &del)) != 0) {
        rampart_metadata_free(md);
        return rc;
    }
    rampart_metadata_summary s;
    if (rampart_metadata_summarize(md, &s) != 0) {
        cli_errorf("cannot summarise %s", a.file);
        rampart_metadata_free(md);
        rampart_metadata_free(del);
        return CLI_FAIL;
    }
    time_t now = time(NULL);
    printf("role:         %s\n", s.type_name);
    printf("version:      %lld\n", s.version);
    printf("spec_version: ");
    cli_print_safe(stdout, s.spec_version);
    printf("\nexpires:      %s%s\n", s.expires_text, (long long)now >= s.expires ? " (EXPIRED)" : "");
    if (s.consistent_snapshot >= 0)
        printf("consistent_snapshot: %s\n", s.consistent_snapshot ? "true" : "false");
    if (s.type == RAMPART_ROLE_TARGETS)
        printf("targets:      %zu\n", s.target_count);
    if (s.type == RAMPART_ROLE_TIMESTAMP || s.type == RAMPART_ROLE_SNAPSHOT)
        printf("meta entries: %zu\n", s.meta_count);
    if (s.key_count > 0) {
        printf("keys (%zu):\n", s.key_count);
        for (size_t i = 0; i < s.key_count; i++) {
            rampart_key_info k;
            if (rampart_metadata_key(md, i, &k) != 0)
                continue;
            printf("  ");
            cli_print_safe(stdout, k.keyid);
            printf(" ");
            cli_print_safe(stdout, k.keytype);
            printf("/");
            cli_print_safe(stdout, k.scheme);
            printf("%s\n", k.supported ? "" : " (unsupported)");
        }
    }
    if (s.role_count > 0) {
        printf("%s (%zu):\n", s.type == RAMPART_ROLE_ROOT ? "roles" : "delegations", s.role_count);
        print_roles(md, s.role_count);
    }
    rampart_metadata *checker = del != NULL ? del : (s.type == RAMPART_ROLE_ROOT ? md : NULL);
    printf("signatures (%zu):\n", s.signature_count);
    for (size_t i = 0; i < s.signature_count; i++) {
        rampart_signature_info si;
        if (checker == NULL) {
            printf("  #%zu (not checked: give --root)\n", i);
            continue;
        }
        rc = rampart_metadata_signature(md, i, checker, a.role, &si);
        if (rc != 0) {
            printf("  #%zu cannot be checked: %s\n", i, rampart_strerror(rc));
            continue;
        }
        printf("  ");
        cli_print_safe(stdout, si.keyid);
        printf(": %s\n", rampart_sig_status_name(si.status));
    }
    if (checker != NULL) {
        rampart_error err;
        rc = rampart_metadata_verify(md, checker, a.role, &err);
        printf("threshold:    %s\n", rc == 0 ? "met" : err.message);
    }
    rampart_metadata_free(md);
    rampart_metadata_free(del);
    return CLI_OK;
}

static int metadata_canonical(int argc, char **argv)
{
    struct md_args a;
    int rc = parse_md_args(argc, argv, &a);
    if (rc != 0)
        return rc < 0 ? CLI_OK : rc;
    rampart_metadata *md = NULL;
    if ((rc = load(a.file, &md)) != 0)
        return rc;
    const unsigned char *bytes;
    size_t len;
    rc = rampart_metadata_canonical(md, &bytes, &len);
    if (rc != 0) {
        cli_report(a.file, rc, NULL);
        rampart_metadata_free(md);
        return CLI_FAIL;
    }
    int out = fwrite(bytes, 1, len, stdout) == len && fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
    if (out != CLI_OK)
        cli_errorf("cannot write to standard output");
    rampart_metadata_free(md);
    return out;
}

static int metadata_verify(int argc, char **argv)
{
    struct md_args a;
    int rc = parse_md_args(argc, argv, &a);
    if (rc != 0)
        return rc < 0 ? CLI_OK : rc;
    if (a.delegator == NULL) {
        cli_errorf("metadata verify: --root is required");
        metadata_usage(stderr);
        return CLI_USAGE;
    }
    rampart_metadata *md = NULL, *del = NULL;
    if ((rc = load(a.file, &md)) != 0)
        return rc;
    if ((rc = load(a.delegator, &del)) != 0) {
        rampart_metadata_free(md);
        return rc;
    }
    rampart_error err;
    rc = rampart_metadata_verify(md, del, a.role, &err);
    if (rc != 0) {
        cli_report(a.file, rc, &err);
        rc = CLI_FAIL;
    } else {
        rampart_metadata_summary s;
        if (rampart_metadata_summarize(md, &s) == 0)
            printf("%s: %s version %lld: signature threshold met\n", a.file, s.type_name, s.version);
        rc = CLI_OK;
    }
    rampart_metadata_free(md);
    rampart_metadata_free(del);
    return rc;
}

static int metadata_sign(int argc, char **argv)
{
    enum { O_KEY = 256, O_OUT, O_PFILE, O_PENV };
    static const struct option opts[] = {
        {"key", required_argument, NULL, O_KEY},
        {"out", required_argument, NULL, O_OUT},
        {"passphrase-file", required_argument, NULL, O_PFILE},
        {"passphrase-env", required_argument, NULL, O_PENV},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *key = NULL, *out = NULL;
    struct cli_pass pass = {0};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_KEY:
            key = optarg;
            break;
        case O_OUT:
            out = optarg;
            break;
        case O_PFILE:
            pass.file = optarg;
            break;
        case O_PENV:
            pass.env = optarg;
            break;
        case 'h':
            metadata_usage(stdout);
            return CLI_OK;
        default:
            metadata_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (optind != argc - 1 || key == NULL) {
        cli_errorf("metadata sign: give FILE and --key PRIVATE_KEY");
        return CLI_USAGE;
    }
    const char *file = argv[optind];
    rampart_signer *s = NULL;
    if (cli_load_signer(key, &pass, &s) != 0)
        return CLI_FAIL;
    rampart_error err;
    int rc = rampart_metadata_sign_file(file, out, s, &err);
    if (rc != 0)
        cli_report(file, rc, &err);
    else
        printf("%s: signed with key %s\n", out != NULL ? out : file, rampart_signer_keyid(s));
    rampart_signer_free(s);
    return rc == 0 ? CLI_OK : CLI_FAIL;
}

int cmd_metadata(int argc, char **argv)
{
    if (argc < 2) {
        metadata_usage(stderr);
        return CLI_USAGE;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "show") == 0)
        return metadata_show(argc - 1, argv + 1);
    if (strcmp(sub, "canonical") == 0)
        return metadata_canonical(argc - 1, argv + 1);
    if (strcmp(sub, "verify") == 0)
        return metadata_verify(argc - 1, argv + 1);
    if (strcmp(sub, "sign") == 0)
        return metadata_sign(argc - 1, argv + 1);
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        metadata_usage(stdout);
        return CLI_OK;
    }
    cli_errorf("metadata: unknown subcommand '%s'", sub);
    metadata_usage(stderr);
    return CLI_USAGE;
}
