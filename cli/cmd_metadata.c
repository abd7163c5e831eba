/*
 * cmd_metadata.c - `rampart metadata show|canonical|verify`: inspect single
 * metadata files, print the exact bytes signatures cover, and verify a file
 * against the keys of the role that delegates to it.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static void metadata_usage(FILE *f)
{
    fprintf(f, "usage: rampart metadata show FILE [--root DELEGATOR] [--role NAME] [--against TRUSTED]\n"
               "       rampart metadata canonical FILE\n"
               "       rampart metadata verify FILE --root DELEGATOR [--role NAME]\n"
               "       rampart metadata sign FILE --key PRIVATE_KEY [--out OUT]\n"
               "                [--passphrase-file F | --passphrase-env VAR]\n"
               "\n"
               "DELEGATOR is a root metadata file (for root, timestamp, snapshot and\n"
               "targets) or a targets file that delegates to role NAME.  Without --root,\n"
               "show checks a root's signatures against its own keys.  sign adds (or\n"
               "replaces) the key's signature over the canonical \"signed\" and writes the\n"
               "file back (or to OUT): the offline half of `rampart repo export/import`.\n"
               "show --against TRUSTED (the metadata of the same role trusted now, e.g. the\n"
               "current root) reviews what changed in keys, by fingerprints computed from\n"
               "the key material, and in each role's keys and threshold; it exits 1 when a\n"
               "key id does not match its key.\n");
}

struct md_args {
    const char *file;
    const char *delegator;
    const char *role;
    const char *against;
};

/* `show` takes --against too. */
static int parse_md_args(int argc, char **argv, struct md_args *a, bool show)
{
    static const struct option opts[] = {
        {"root", required_argument, NULL, 'r'},    {"delegator", required_argument, NULL, 'r'},
        {"role", required_argument, NULL, 'n'},    {"help", no_argument, NULL, 'h'},
        {"against", required_argument, NULL, 'a'}, {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof(*a));
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "hr:n:", opts, NULL)) != -1) {
        if (c == 'a' && !show)
            c = '?';
        switch (c) {
        case 'a':
            a->against = optarg;
            break;
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

/* ---- review: what changed in keys, against the metadata trusted now ---- */

/* One key of a file, as the review compares keys: by fingerprint. */
struct rkey_row {
    rampart_key_info k;
    char fp[RAMPART_FINGERPRINT_HEX + 1];
    int keyid_ok;
};

static struct rkey_row *review_keys(rampart_metadata *md, size_t n)
{
    struct rkey_row *v = calloc(n ? n : 1, sizeof(*v));
    for (size_t i = 0; v != NULL && i < n; i++) {
        if (rampart_metadata_key(md, i, &v[i].k) != 0 ||
            rampart_metadata_key_fingerprint(md, i, v[i].fp, &v[i].keyid_ok) != 0) {
            free(v);
            return NULL;
        }
    }
    return v;
}

static const struct rkey_row *row_by_id(const struct rkey_row *v, size_t n, const char *keyid)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].k.keyid, keyid) == 0)
            return &v[i];
    return NULL;
}

static const struct rkey_row *row_by_fp(const struct rkey_row *v, size_t n, const char *fp)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].fp, fp) == 0)
            return &v[i];
    return NULL;
}

static void print_key_line(const char *what, const struct rkey_row *r)
{
    printf("  %-9s ", what);
    cli_print_safe(stdout, r->k.keyid);
    printf(" ");
    cli_print_safe(stdout, r->k.keytype);
    printf("/");
    cli_print_safe(stdout, r->k.scheme);
    printf(" fingerprint %s%s\n", r->fp, r->keyid_ok ? "" : "  KEY ID DOES NOT MATCH THE KEY");
}

static void review_key_changes(const struct rkey_row *nv, size_t nn, const struct rkey_row *tv, size_t tn)
{
    printf("keys (by fingerprint: SHA-256 of the public key):\n");
    for (size_t i = 0; i < nn; i++) {
        const struct rkey_row *old = row_by_id(tv, tn, nv[i].k.keyid);
        if (old != NULL && strcmp(old->fp, nv[i].fp) == 0) {
            print_key_line("unchanged", &nv[i]);
        } else if (old != NULL) {
            print_key_line("REPLACED", &nv[i]);
            printf("            key material under this key id changed: fingerprint %s -> %s\n", old->fp, nv[i].fp);
        } else {
            print_key_line("added", &nv[i]);
            const struct rkey_row *same = row_by_fp(tv, tn, nv[i].fp);
            if (same != NULL) {
                printf("            the same key as trusted key ");
                cli_print_safe(stdout, same->k.keyid);
                printf("\n");
            }
        }
    }
    for (size_t i = 0; i < tn; i++)
        if (row_by_id(nv, nn, tv[i].k.keyid) == NULL)
            print_key_line("removed", &tv[i]);
}

/* The index of the role named `name` in `md` (of `n`), or n. */
static size_t role_index(rampart_metadata *md, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        rampart_role_info ri;
        if (rampart_metadata_role(md, i, &ri) == 0 && strcmp(ri.name, name) == 0)
            return i;
    }
    return n;
}

static bool role_lists(rampart_metadata *md, size_t i, size_t count, const char *keyid)
{
    for (size_t j = 0; j < count; j++) {
        const char *k = rampart_metadata_role_keyid(md, i, j);
        if (k != NULL && strcmp(k, keyid) == 0)
            return true;
    }
    return false;
}

/* The keys one role lists in `a` and not in `b`, each prefixed by `sign`. */
static int print_role_diff(rampart_metadata *a, size_t ai, size_t an, rampart_metadata *b, size_t bi, size_t bn,
                           char sign)
{
    int printed = 0;
    for (size_t j = 0; j < an; j++) {
        const char *k = rampart_metadata_role_keyid(a, ai, j);
        if (k == NULL || role_lists(b, bi, bn, k))
            continue;
        printf(" %c", sign);
        cli_print_safe(stdout, k);
        printed++;
    }
    return printed;
}

static void review_roles(rampart_metadata *md, size_t n, rampart_metadata *trusted, size_t tn)
{
    printf("%s:\n", n > 0 ? "roles (keys and thresholds)" : "roles: none");
    for (size_t i = 0; i < n; i++) {
        rampart_role_info ri, ti;
        if (rampart_metadata_role(md, i, &ri) != 0)
            continue;
        printf("  ");
        cli_print_safe(stdout, ri.name);
        size_t t = role_index(trusted, tn, ri.name);
        if (t == tn || rampart_metadata_role(trusted, t, &ti) != 0) {
            printf(": NEW, threshold %lld of %zu key(s):", ri.threshold, ri.keyid_count);
            print_role_diff(md, i, ri.keyid_count, md, i, 0, '+');
            printf("\n");
            continue;
        }
        printf(": threshold %lld", ti.threshold);
        if (ti.threshold != ri.threshold)
            printf(" -> %lld", ri.threshold);
        printf(", %zu key(s)", ti.keyid_count);
        if (ti.keyid_count != ri.keyid_count)
            printf(" -> %zu", ri.keyid_count);
        int changed = print_role_diff(md, i, ri.keyid_count, trusted, t, ti.keyid_count, '+');
        changed += print_role_diff(trusted, t, ti.keyid_count, md, i, ri.keyid_count, '-');
        printf("%s\n", changed == 0 && ti.threshold == ri.threshold ? " (unchanged)" : "");
    }
    for (size_t i = 0; i < tn; i++) {
        rampart_role_info ti;
        if (rampart_metadata_role(trusted, i, &ti) == 0 && role_index(md, n, ti.name) == n) {
            printf("  ");
            cli_print_safe(stdout, ti.name);
            printf(": REMOVED\n");
        }
    }
}

int cli_review(rampart_metadata *md, rampart_metadata *trusted, const char *trusted_name)
{
    rampart_metadata_summary s, ts;
    if (rampart_metadata_summarize(md, &s) != 0 || rampart_metadata_summarize(trusted, &ts) != 0)
        return -1;
    if (s.type != ts.type) {
        cli_errorf("cannot review %s metadata against %s metadata (%s)", s.type_name, ts.type_name, trusted_name);
        return -1;
    }
    struct rkey_row *nv = review_keys(md, s.key_count), *tv = review_keys(trusted, ts.key_count);
    if (nv == NULL || tv == NULL) {
        free(nv);
        free(tv);
        cli_errorf("cannot compute key fingerprints");
        return -1;
    }
    printf("review against the trusted %s version %lld (", ts.type_name, ts.version);
    cli_print_safe(stdout, trusted_name);
    printf("):\n");
    printf("version:      %lld -> %lld\n", ts.version, s.version);
    printf("expires:      %s -> %s\n", ts.expires_text, s.expires_text);
    review_key_changes(nv, s.key_count, tv, ts.key_count);
    review_roles(md, s.role_count, trusted, ts.role_count);
    int bad = 0;
    for (size_t i = 0; i < s.key_count; i++) {
        if (nv[i].keyid_ok)
            continue;
        bad++;
        fprintf(stderr, "rampart: WARNING: key id ");
        cli_print_safe(stderr, nv[i].k.keyid);
        fprintf(stderr,
                " does not match its key (fingerprint %s): the file puts other key material under "
                "that id; do not sign it\n",
                nv[i].fp);
    }
    if (bad > 0)
        printf("result:       %d KEY ID(S) DO NOT MATCH THEIR KEYS: do not sign this\n", bad);
    else
        printf("result:       every key id matches its key; check the fingerprints of new keys with their "
               "holders\n");
    free(nv);
    free(tv);
    return bad;
}

static int metadata_show(int argc, char **argv)
{
    struct md_args a;
    int rc = parse_md_args(argc, argv, &a, true);
    if (rc != 0)
        return rc < 0 ? CLI_OK : rc;
    rampart_metadata *md = NULL, *del = NULL, *trusted = NULL;
    if ((rc = load(a.file, &md)) != 0)
        return rc;
    if ((a.delegator != NULL && (rc = load(a.delegator, &del)) != 0) ||
        (a.against != NULL && (rc = load(a.against, &trusted)) != 0)) {
        rampart_metadata_free(md);
        rampart_metadata_free(del);
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
            char fp[RAMPART_FINGERPRINT_HEX + 1];
            int ok = 0;
            if (rampart_metadata_key(md, i, &k) != 0 || rampart_metadata_key_fingerprint(md, i, fp, &ok) != 0)
                continue;
            printf("  ");
            cli_print_safe(stdout, k.keyid);
            printf(" ");
            cli_print_safe(stdout, k.keytype);
            printf("/");
            cli_print_safe(stdout, k.scheme);
            printf("%s\n", k.supported ? "" : " (unsupported)");
            printf("    fingerprint %s%s\n", fp, ok ? "" : "  KEY ID DOES NOT MATCH THE KEY");
            if (!ok && trusted == NULL) {
                fprintf(stderr, "rampart: WARNING: key id ");
                cli_print_safe(stderr, k.keyid);
                fprintf(stderr, " does not match its key (fingerprint %s)\n", fp);
            }
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
    int status = CLI_OK;
    if (trusted != NULL) {
        int bad = cli_review(md, trusted, a.against);
        status = bad != 0 ? CLI_FAIL : CLI_OK;
    }
    rampart_metadata_free(md);
    rampart_metadata_free(del);
    rampart_metadata_free(trusted);
    return status;
}

static int metadata_canonical(int argc, char **argv)
{
    struct md_args a;
    int rc = parse_md_args(argc, argv, &a, false);
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
    int rc = parse_md_args(argc, argv, &a, false);
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
