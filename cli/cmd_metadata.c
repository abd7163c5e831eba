/*
 * cmd_metadata.c - `rampart metadata show|canonical|verify`: inspect single
 * metadata files, print the exact bytes signatures cover, and verify a file
 * against the keys of the role that delegates to it.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

struct md_args {
    const char *file;
    const char *delegator;
    const char *role;
    const char *against;
    const char *key, *out;
    struct cli_pass pass;
    int json;
};

enum { O_ROOT = 256, O_ROLE, O_AGAINST, O_KEY, O_OUT, O_PFILE, O_PENV, O_JSON };

static int md_opt(void *ctx, int id, const char *arg)
{
    struct md_args *a = ctx;
    switch (id) {
    case O_ROOT:
        a->delegator = arg;
        break;
    case O_ROLE:
        a->role = arg;
        break;
    case O_AGAINST:
        a->against = arg;
        break;
    case O_KEY:
        a->key = arg;
        break;
    case O_OUT:
        a->out = arg;
        break;
    case O_PFILE:
        a->pass.file = arg;
        a->pass.env = NULL;
        break;
    case O_PENV:
        a->pass.env = arg;
        a->pass.file = NULL;
        break;
    default: /* O_JSON */
        a->json = 1;
        break;
    }
    return 0;
}

#define OPT_ROOT                                                                                                       \
    {"root",                                                                                                           \
     required_argument,                                                                                                \
     O_ROOT,                                                                                                           \
     'r',                                                                                                              \
     "DELEGATOR",                                                                                                      \
     "the delegating metadata: a root file (root, timestamp,\nsnapshot, targets) or a targets file delegating to "     \
     "--role"},                                                                                                        \
        {"delegator", required_argument, O_ROOT, 0, "DELEGATOR", "the same as --root"},                                \
    {                                                                                                                  \
        "role", required_argument, O_ROLE, 'n', "NAME", "the delegated role's name"                                    \
    }
#define OPT_END                                                                                                        \
    {                                                                                                                  \
        NULL, 0, 0, 0, NULL, NULL                                                                                      \
    }

static const struct cli_opt show_opts[] = {
    OPT_ROOT,
    {"against", required_argument, O_AGAINST, 0, "TRUSTED",
     "review what changed in keys and roles against TRUSTED (the\nsame role's metadata trusted now)"},
    {"json", no_argument, O_JSON, 0, NULL, "print the summary as JSON (docs/cli-json.md)"},
    OPT_END,
};
static const struct cli_opt canonical_opts[] = {OPT_END};
static const struct cli_opt verify_opts[] = {OPT_ROOT, OPT_END};
static const struct cli_opt sign_opts[] = {
    {"key", required_argument, O_KEY, 0, "PRIVATE_KEY", "the key to sign with (required)"},
    {"out", required_argument, O_OUT, 0, "OUT", "write the signed file to OUT (default: FILE itself)"},
    {"passphrase-file", required_argument, O_PFILE, 0, "FILE", "the key's passphrase: the first line of FILE"},
    {"passphrase-env", required_argument, O_PENV, 0, "VAR", "... from environment variable VAR (default: ask)"},
    OPT_END,
};

static const struct cli_cmd show_cmd = {
    "metadata show", "metadata show FILE [--root DELEGATOR] [--role NAME] [--against TRUSTED] [--json]",
    "Prints the metadata's role, version, expiry, keys, roles and signatures.  Without\n"
    "--root, a root's signatures are checked against its own keys.  With --against it\n"
    "reviews what changed in keys (by fingerprints computed from the key material) and\n"
    "in each role's keys and threshold, and exits 1 when a key id does not match its key.",
    show_opts, md_opt};
static const struct cli_cmd canonical_cmd = {"metadata canonical", "metadata canonical FILE",
                                             "Prints the canonical JSON of \"signed\": the bytes signatures cover.",
                                             canonical_opts, md_opt};
static const struct cli_cmd verify_cmd = {"metadata verify", "metadata verify FILE --root DELEGATOR [--role NAME]",
                                          "Verifies FILE's signatures against the keys and threshold DELEGATOR\n"
                                          "gives its role; exit status 1 when the threshold is not met.",
                                          verify_opts, md_opt};
static const struct cli_cmd sign_cmd = {
    "metadata sign",
    "metadata sign FILE --key PRIVATE_KEY [--out OUT]\n         [--passphrase-file F | --passphrase-env VAR]",
    "Adds (or replaces) the key's signature over the canonical \"signed\" and writes the\n"
    "file back (or to OUT): the offline half of 'rampart repo export/import'.",
    sign_opts, md_opt};

/* Parses a metadata subcommand's line: 0, or the status to exit with. */
static int parse_md_args(const struct cli_cmd *cmd, int argc, char **argv, struct md_args *a)
{
    memset(a, 0, sizeof(*a));
    int npos = 0;
    int rc = cli_parse(cmd, argc, argv, a, &npos);
    if (rc != 0)
        return rc == CLI_HELP ? -1 : rc;
    if (npos != 1) {
        if (npos == 0)
            cli_usage_error("give FILE");
        else
            cli_usage_error("unexpected argument '%s'", argv[2]);
        return CLI_USAGE;
    }
    a->file = argv[1];
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
        cli_error(RAMPART_EINVAL, "cannot review %s metadata against %s metadata (%s)", s.type_name, ts.type_name,
                  trusted_name);
        return -1;
    }
    struct rkey_row *nv = review_keys(md, s.key_count), *tv = review_keys(trusted, ts.key_count);
    if (nv == NULL || tv == NULL) {
        free(nv);
        free(tv);
        cli_error(RAMPART_ENOMEM, "cannot compute key fingerprints");
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

/* ---- show --json (fields in docs/cli-json.md) ---- */

static json_t *json_keys(rampart_metadata *md, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++) {
        rampart_key_info k;
        char fp[RAMPART_FINGERPRINT_HEX + 1];
        int ok = 0;
        if (rampart_metadata_key(md, i, &k) != 0 || rampart_metadata_key_fingerprint(md, i, fp, &ok) != 0)
            continue;
        if (json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:b,s:s,s:b}", "keyid", k.keyid, "keytype", k.keytype,
                                                 "scheme", k.scheme, "supported", k.supported, "fingerprint", fp,
                                                 "keyid_matches", ok)) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *json_roles(rampart_metadata *md, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++) {
        rampart_role_info ri;
        if (rampart_metadata_role(md, i, &ri) != 0)
            continue;
        json_t *ids = json_array();
        for (size_t j = 0; ids != NULL && j < ri.keyid_count; j++) {
            const char *kid = rampart_metadata_role_keyid(md, i, j);
            if (kid != NULL)
                json_array_append_new(ids, json_string(kid));
        }
        json_t *r = json_pack("{s:s,s:I,s:o,s:b}", "name", ri.name, "threshold", (json_int_t)ri.threshold, "keyids",
                              ids, "terminating", ri.terminating);
        if (r != NULL && ri.succinct)
            json_object_set_new(r, "hash_bins_bit_length", json_integer(ri.bit_length));
        if (r == NULL || json_array_append_new(arr, r) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *json_signatures(rampart_metadata *md, size_t n, rampart_metadata *checker, const char *role)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++) {
        rampart_signature_info si;
        json_t *e;
        if (checker == NULL)
            e = json_pack("{s:n,s:s}", "keyid", "status", "not checked");
        else if (rampart_metadata_signature(md, i, checker, role, &si) != 0)
            e = json_pack("{s:n,s:s}", "keyid", "status", "cannot be checked");
        else
            e = json_pack("{s:s,s:s}", "keyid", si.keyid, "status", rampart_sig_status_name(si.status));
        if (e == NULL || json_array_append_new(arr, e) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static int show_json(const char *file, rampart_metadata *md, const rampart_metadata_summary *s,
                     rampart_metadata *checker, const char *role)
{
    json_t *o = json_pack("{s:s,s:s,s:I,s:s,s:s,s:b}", "file", file, "role", s->type_name, "version",
                          (json_int_t)s->version, "spec_version", s->spec_version, "expires", s->expires_text,
                          "expired", (long long)time(NULL) >= s->expires);
    if (o == NULL)
        goto oom;
    if (s->consistent_snapshot >= 0)
        json_object_set_new(o, "consistent_snapshot", json_boolean(s->consistent_snapshot));
    if (s->type == RAMPART_ROLE_TARGETS)
        json_object_set_new(o, "target_count", json_integer((json_int_t)s->target_count));
    if (s->type == RAMPART_ROLE_TIMESTAMP || s->type == RAMPART_ROLE_SNAPSHOT)
        json_object_set_new(o, "meta_count", json_integer((json_int_t)s->meta_count));
    json_t *keys = json_keys(md, s->key_count), *roles = json_roles(md, s->role_count);
    json_t *sigs = json_signatures(md, s->signature_count, checker, role);
    if (json_object_set_new(o, "keys", keys) != 0 || json_object_set_new(o, "roles", roles) != 0 ||
        json_object_set_new(o, "signatures", sigs) != 0)
        goto oom;
    if (checker != NULL) {
        rampart_error err;
        int rc = rampart_metadata_verify(md, checker, role, &err);
        json_object_set_new(o, "threshold_met", json_boolean(rc == 0));
        json_object_set_new(o, "threshold_error", rc == 0 ? json_null() : json_string(rampart_error_name(rc)));
        json_object_set_new(o, "threshold_message", rc == 0 ? json_null() : json_string(err.message));
    } else {
        json_object_set_new(o, "threshold_met", json_null());
    }
    if (json_dumpf(o, stdout, JSON_COMPACT | JSON_ENSURE_ASCII) != 0)
        goto oom;
    fputc('\n', stdout);
    json_decref(o);
    return CLI_OK;
oom:
    json_decref(o);
    cli_error(RAMPART_ENOMEM, "cannot build the JSON output");
    return CLI_FAIL;
}

static int metadata_show(int argc, char **argv)
{
    struct md_args a;
    int rc = parse_md_args(&show_cmd, argc, argv, &a);
    if (rc != 0)
        return rc < 0 ? CLI_OK : rc;
    if (a.json && a.against != NULL) {
        cli_usage_error("--json and --against exclude each other");
        return CLI_USAGE;
    }
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
        cli_error(RAMPART_EFORMAT, "cannot summarise %s", a.file);
        rampart_metadata_free(md);
        rampart_metadata_free(del);
        return CLI_FAIL;
    }
    rampart_metadata *checker = del != NULL ? del : (s.type == RAMPART_ROLE_ROOT ? md : NULL);
    if (a.json) {
        rc = show_json(a.file, md, &s, checker, a.role);
        rampart_metadata_free(md);
        rampart_metadata_free(del);
        return rc;
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
    int rc = parse_md_args(&canonical_cmd, argc, argv, &a);
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
        cli_error(RAMPART_EIO, "cannot write to standard output");
    rampart_metadata_free(md);
    return out;
}

static int metadata_verify(int argc, char **argv)
{
    struct md_args a;
    int rc = parse_md_args(&verify_cmd, argc, argv, &a);
    if (rc != 0)
        return rc < 0 ? CLI_OK : rc;
    if (a.delegator == NULL) {
        cli_usage_error("--root is required");
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
    struct md_args a;
    int prc = parse_md_args(&sign_cmd, argc, argv, &a);
    if (prc != 0)
        return prc < 0 ? CLI_OK : prc;
    if (a.key == NULL) {
        cli_usage_error("give FILE and --key PRIVATE_KEY");
        return CLI_USAGE;
    }
    const char *file = a.file, *key = a.key, *out = a.out;
    struct cli_pass pass = a.pass;
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
    static const struct cli_sub subs[] = {
        {&show_cmd, metadata_show},
        {&canonical_cmd, metadata_canonical},
        {&verify_cmd, metadata_verify},
        {&sign_cmd, metadata_sign},
    };
    return cli_dispatch("metadata", subs, sizeof(subs) / sizeof(subs[0]), argc, argv);
}
