/*
 * cmd_key.c - `rampart key generate|show`, and the passphrase and key-file
 * helpers the other commands share.
 */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "cli.h"

#define KEY_TYPES_MAX 16

/* The names of the key types the library generates, or only of those whose
 * size can be chosen (`sized_only`), in its order; returns how many. */
static size_t key_type_names(const char *names[KEY_TYPES_MAX], bool sized_only)
{
    size_t n = 0;
    const char *name;
    /* Key types are numbered from 0; the first without a name ends them. */
    for (int t = 0; n < KEY_TYPES_MAX && (name = rampart_key_type_name((rampart_key_type)t)) != NULL; t++) {
        unsigned max = 0;
        if (!sized_only || (rampart_key_type_bits((rampart_key_type)t, NULL, &max) == 0 && max != 0))
            names[n++] = name;
    }
    return n;
}

/* Joins the `n` names into buf (cap bytes): `sep` between two, `last`
 * before the final one; the names upper-cased when `upper`. */
static const char *join_names(char *buf, size_t cap, const char *const *names, size_t n, const char *sep,
                              const char *last, bool upper)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(buf + len, cap - len, "%s%s", i == 0 ? "" : i + 1 < n ? sep : last, names[i]);
        if (w < 0 || (size_t)w >= cap - len)
            break;
        for (size_t c = len + (size_t)w - strlen(names[i]); upper && c < len + (size_t)w; c++)
            buf[c] = (char)toupper((unsigned char)buf[c]);
        len += (size_t)w;
    }
    return buf;
}

struct key_args {
    const char *type;
    unsigned bits;
    struct cli_pass pass;
    int no_pass;
    int json;
};

enum { O_TYPE = 256, O_BITS, O_PFILE, O_PENV, O_NOPASS, O_JSON };

static int key_opt(void *ctx, int id, const char *arg)
{
    struct key_args *a = ctx;
    long long v;
    switch (id) {
    case O_TYPE:
        a->type = arg;
        return 0;
    case O_BITS:
        if (cli_number("--bits", arg, 1, 16384, &v) != 0)
            return CLI_USAGE;
        a->bits = (unsigned)v;
        return 0;
    case O_PFILE:
        a->pass.file = arg;
        a->pass.env = NULL;
        return 0;
    case O_PENV:
        a->pass.env = arg;
        a->pass.file = NULL;
        return 0;
    case O_NOPASS:
        a->no_pass = 1;
        return 0;
    default: /* O_JSON */
        a->json = 1;
        return 0;
    }
}

static const struct cli_opt generate_opts[] = {
    {"type", required_argument, O_TYPE, 0, "TYPE", "key type (default ed25519; see the usage line)"},
    {"bits", required_argument, O_BITS, 0, "N", "RSA key size in bits"},
    {"passphrase-file", required_argument, O_PFILE, 0, "FILE", "the new key's passphrase: the first line of FILE"},
    {"passphrase-env", required_argument, O_PENV, 0, "VAR",
     "... from environment variable VAR (default: ask twice\non the terminal)"},
    {"no-passphrase", no_argument, O_NOPASS, 0, NULL, "write the private key unencrypted"},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct cli_opt show_opts[] = {
    {"passphrase-file", required_argument, O_PFILE, 0, "FILE", "passphrase of an encrypted private key (first line)"},
    {"passphrase-env", required_argument, O_PENV, 0, "VAR", "... from environment variable VAR"},
    {"json", no_argument, O_JSON, 0, NULL, "print the key as JSON (docs/cli-json.md)"},
    {NULL, 0, 0, 0, NULL, NULL},
};

/* The synopsis of generate names the key types the library has. */
static char generate_synopsis[512];
static struct cli_cmd generate_cmd = {"key generate", generate_synopsis,
                                      "Writes NAME.key (the private key, PKCS#8 PEM, mode 0600, encrypted unless\n"
                                      "--no-passphrase) and NAME.pub (the public key in TUF JSON form).",
                                      generate_opts, key_opt};
static const struct cli_cmd show_cmd = {"key show", "key show FILE [--json]",
                                        "Prints the keyid, type and scheme of a .pub or private key file.", show_opts,
                                        key_opt};

static int parse_key_args(const struct cli_cmd *cmd, int argc, char **argv, struct key_args *a)
{
    memset(a, 0, sizeof(*a));
    int npos = 0;
    int rc = cli_parse(cmd, argc, argv, a, &npos);
    if (rc != 0)
        return rc;
    if (npos != 1) {
        if (npos == 0)
            cli_usage_error("give %s", cmd == &show_cmd ? "FILE" : "NAME");
        else
            cli_usage_error("unexpected argument '%s'", argv[2]);
        return CLI_USAGE;
    }
    return 0;
}

static void print_key(const rampart_public_key *k)
{
    printf("keyid:   %s\ntype:    %s\nscheme:  %s\n", rampart_public_key_keyid(k), rampart_public_key_keytype(k),
           rampart_public_key_scheme(k));
}

static int key_generate(int argc, char **argv)
{
    struct key_args a;
    int rc = parse_key_args(&generate_cmd, argc, argv, &a);
    if (rc != 0)
        return rc == CLI_HELP ? CLI_OK : rc;
    rampart_keygen_options o = RAMPART_KEYGEN_OPTIONS_INIT;
    const char *names[KEY_TYPES_MAX];
    char list[256];
    if (a.type != NULL && rampart_key_type_from_name(a.type, &o.type) != 0) {
        size_t n = key_type_names(names, false);
        cli_usage_error("unknown --type '%s' (%s)", a.type,
                        join_names(list, sizeof(list), names, n, ", ", " or ", false));
        return CLI_USAGE;
    }
    unsigned min_bits = 0, max_bits = 0;
    if (rampart_key_type_bits(o.type, &min_bits, &max_bits) != 0) {
        cli_error(RAMPART_EINVAL, "unknown key type %d", (int)o.type);
        return CLI_FAIL;
    }
    if (a.bits != 0 && max_bits == 0) {
        size_t n = key_type_names(names, true);
        cli_usage_error("--bits is for %s keys", join_names(list, sizeof(list), names, n, ", ", " or ", true));
        return CLI_USAGE;
    }
    if (a.bits != 0 && (a.bits < min_bits || a.bits > max_bits)) {
        names[0] = rampart_key_type_name(o.type);
        cli_usage_error("%s keys have %u to %u bits", join_names(list, sizeof(list), names, 1, "", "", true), min_bits,
                        max_bits);
        return CLI_USAGE;
    }
    o.rsa_bits = a.bits;
    char pass[RAMPART_PASSPHRASE_MAX];
    size_t plen = 0;
    int prc = a.no_pass ? 0 : cli_new_passphrase(&a.pass, pass, sizeof(pass), &plen);
    if (prc != 0) {
        explicit_bzero(pass, sizeof(pass));
        return CLI_FAIL; /* reported */
    }
    o.passphrase = a.no_pass ? NULL : pass;
    o.passphrase_len = plen;
    const char *name = argv[1];
    size_t n = strlen(name);
    char *priv = malloc(n + 5), *pub = malloc(n + 5);
    rampart_public_key *k = NULL;
    rampart_error err;
    if (priv == NULL || pub == NULL) {
        rc = RAMPART_ENOMEM;
        err.message[0] = '\0';
    } else {
        snprintf(priv, n + 5, "%s.key", name);
        snprintf(pub, n + 5, "%s.pub", name);
        rc = rampart_key_generate(&o, priv, pub, &k, &err);
    }
    explicit_bzero(pass, sizeof(pass));
    if (rc == 0) {
        printf("private key: %s%s\npublic key:  %s\n", priv, a.no_pass ? " (NOT encrypted)" : "", pub);
        print_key(k);
    } else {
        cli_report(NULL, rc, &err);
    }
    rampart_public_key_free(k);
    free(priv);
    free(pub);
    return rc == 0 ? CLI_OK : CLI_FAIL;
}

/* key show --json: the fields docs/cli-json.md lists. */
static int print_key_json(const char *path, const char *kind, const rampart_public_key *k)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "file", path, "kind", kind, "keyid", rampart_public_key_keyid(k),
                          "keytype", rampart_public_key_keytype(k), "scheme", rampart_public_key_scheme(k), "public",
                          rampart_public_key_value(k));
    int rc = o != NULL && json_dumpf(o, stdout, JSON_COMPACT | JSON_ENSURE_ASCII) == 0 ? CLI_OK : CLI_FAIL;
    json_decref(o);
    if (rc != CLI_OK)
        cli_error(RAMPART_ENOMEM, "cannot write the key as JSON");
    else
        fputc('\n', stdout);
    return rc;
}

static int show(const struct key_args *a, const char *path, const char *kind, const rampart_public_key *k)
{
    if (a->json)
        return print_key_json(path, kind, k);
    print_key(k);
    return CLI_OK;
}

static int key_show(int argc, char **argv)
{
    struct key_args a;
    int rc = parse_key_args(&show_cmd, argc, argv, &a);
    if (rc != 0)
        return rc == CLI_HELP ? CLI_OK : rc;
    const char *path = argv[1];
    rampart_public_key *k = NULL;
    rampart_error err;
    rc = rampart_public_key_load(&k, path, &err);
    if (rc == 0) {
        rc = show(&a, path, "public", k);
        rampart_public_key_free(k);
        return rc;
    }
    rampart_error perr;
    rampart_signer *s = NULL;
    rampart_key_load_options o = RAMPART_KEY_LOAD_OPTIONS_INIT;
    o.passphrase_cb = cli_passphrase_cb;
    o.passphrase_ctx = &a.pass;
    int prc = rampart_signer_load_file(&s, path, &o, &perr);
    if (prc == 0) {
        rc = show(&a, path, "private", rampart_signer_public_key(s));
        rampart_signer_free(s);
        return rc;
    }
    /* Neither form: report the private-key reading when the file looked
     * like one (a wrong passphrase matters), else the public-key one. */
    if (a.pass.code != 0)
        cli_error(a.pass.code, "%s: %s", path, a.pass.why);
    else if (prc == RAMPART_EPASSPHRASE && a.pass.given)
        cli_error(prc, "%s: wrong passphrase%s%s%s", path,
                  a.pass.env ? " (from environment variable " : " (from passphrase file '",
                  a.pass.env    ? a.pass.env
                  : a.pass.file ? a.pass.file
                                : "",
                  a.pass.env ? ")" : "')");
    else if (prc == RAMPART_EPASSPHRASE || prc == RAMPART_EUNSUPPORTED || prc == RAMPART_EINVAL)
        cli_report(path, prc, &perr);
    else if (rc == RAMPART_EFORMAT && prc == RAMPART_EFORMAT)
        cli_error(rc, "%s: unknown key file format (neither a TUF public key nor a PKCS#8 private key)", path);
    else
        cli_report(path, rc, &err);
    return CLI_FAIL;
}

int cmd_key(int argc, char **argv)
{
    const char *names[KEY_TYPES_MAX];
    char types[256];
    size_t n = key_type_names(names, false);
    (void)snprintf(generate_synopsis, sizeof(generate_synopsis), "key generate [--type %s] [--bits N] NAME",
                   join_names(types, sizeof(types), names, n, "|", "|", false)); /* fits: a few short names */
    static const struct cli_sub subs[] = {
        {&generate_cmd, key_generate},
        {&show_cmd, key_show},
    };
    return cli_dispatch("key", subs, sizeof(subs) / sizeof(subs[0]), argc, argv);
}
