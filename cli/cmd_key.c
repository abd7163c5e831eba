/*
 * cmd_key.c - `rampart key generate|show`, and the passphrase and key-file
 * helpers the other commands share.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

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

static void key_usage(FILE *f)
{
    const char *names[KEY_TYPES_MAX];
    char types[256];
    size_t n = key_type_names(names, false);
    fprintf(f, "usage: rampart key generate [--type %s] [--bits N] NAME\n",
            join_names(types, sizeof(types), names, n, "|", "|", false));
    fprintf(f, "           writes NAME.key (private, PKCS#8 PEM, mode 0600) and NAME.pub (TUF JSON)\n"
               "       rampart key show FILE\n"
               "           prints the keyid, type and scheme of a .pub or private key file\n"
               "\n"
               "passphrase (for generate, and to read an encrypted private key):\n"
               "  --passphrase-file FILE   read it from the first line of FILE\n"
               "  --passphrase-env VAR     read it from environment variable VAR\n"
               "  (default: ask on the terminal, without echo)\n"
               "  --no-passphrase          generate: write the private key unencrypted\n"
               "exit status: 0 success, 1 failure, 2 bad usage\n");
}

/* Reads a line from the terminal with echo off. */
static int prompt(const char *text, char *buf, size_t cap, size_t *len)
{
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return RAMPART_EPASSPHRASE;
    struct termios old, quiet;
    int rc = RAMPART_EPASSPHRASE;
    if (tcgetattr(fd, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
        quiet.c_lflag |= ICANON;
        /* Echo goes off before the prompt appears, so nothing typed after
         * the prompt is ever echoed (or flushed away). */
        if (tcsetattr(fd, TCSAFLUSH, &quiet) == 0) {
            if (write(fd, text, strlen(text)) >= 0) {
                size_t n = 0;
                char c;
                ssize_t got;
                while ((got = read(fd, &c, 1)) == 1 && c != '\n')
                    if (n < cap)
                        buf[n++] = c;
                if (got >= 0) {
                    *len = n;
                    rc = 0;
                }
            }
            /* Echo comes back whatever happened. */
            (void)tcsetattr(fd, TCSAFLUSH, &old);
            if (write(fd, "\n", 1) < 0) {
                /* the newline is cosmetic */
            }
        }
    }
    close(fd);
    return rc;
}

int cli_passphrase_cb(void *ctx, const char *what, char *buf, size_t cap, size_t *len)
{
    struct cli_pass *p = ctx;
    if (p != NULL && p->env != NULL) {
        const char *v = getenv(p->env);
        if (v == NULL)
            return RAMPART_EPASSPHRASE;
        size_t n = strlen(v);
        if (n > cap)
            return RAMPART_EINVAL;
        memcpy(buf, v, n); // NOLINT(bugprone-not-null-terminated-result): a length-counted passphrase buffer
        *len = n;
        return 0;
    }
    if (p != NULL && p->file != NULL) {
        FILE *f = fopen(p->file, "re");
        if (f == NULL)
            return RAMPART_EPASSPHRASE;
        /* The first line is the passphrase.  A longer one than the buffer
         * holds is refused, never cut: a cut passphrase would differ from
         * the one the user wrote (and from --passphrase-env's answer). */
        size_t n = 0;
        bool too_long = false, cr = false;
        int c;
        while ((c = fgetc(f)) != EOF && c != '\n') {
            if (cr) { /* a '\r' not at the end of the line is part of it */
                if (n < cap)
                    buf[n++] = '\r';
                else
                    too_long = true;
            }
            cr = c == '\r';
            if (cr)
                continue;
            if (n < cap)
                buf[n++] = (char)c;
            else
                too_long = true;
        }
        fclose(f);
        if (too_long)
            return RAMPART_EINVAL; /* the library wipes buf */
        *len = n;
        return 0;
    }
    if (p != NULL && p->no_prompt)
        return RAMPART_EPASSPHRASE;
    char text[600];
    snprintf(text, sizeof(text), "Passphrase for %s: ", what);
    return prompt(text, buf, cap, len);
}

int cli_load_signer(const char *path, struct cli_pass *pass, rampart_signer **out)
{
    rampart_key_load_options o = RAMPART_KEY_LOAD_OPTIONS_INIT;
    o.passphrase_cb = cli_passphrase_cb;
    o.passphrase_ctx = pass;
    rampart_error err;
    int rc = rampart_signer_load_file(out, path, &o, &err);
    if (rc != 0) {
        cli_report("key", rc, &err);
        return CLI_FAIL;
    }
    return 0;
}

int cli_load_pubkey(const char *path, rampart_public_key **out)
{
    rampart_error err;
    int rc = rampart_public_key_load(out, path, &err);
    if (rc != 0) {
        cli_report("key", rc, &err);
        return CLI_FAIL;
    }
    return 0;
}

struct key_args {
    const char *type;
    unsigned bits;
    struct cli_pass pass;
    int no_pass;
};

static int parse_key_args(int argc, char **argv, struct key_args *a, int *first)
{
    enum { O_TYPE = 256, O_BITS, O_PFILE, O_PENV, O_NOPASS };
    static const struct option opts[] = {
        {"type", required_argument, NULL, O_TYPE},
        {"bits", required_argument, NULL, O_BITS},
        {"passphrase-file", required_argument, NULL, O_PFILE},
        {"passphrase-env", required_argument, NULL, O_PENV},
        {"no-passphrase", no_argument, NULL, O_NOPASS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof(*a));
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_TYPE:
            a->type = optarg;
            break;
        case O_BITS: {
            char *end;
            errno = 0;
            unsigned long v = strtoul(optarg, &end, 10);
            if (errno != 0 || *end != '\0' || v == 0 || v > 16384) {
                cli_errorf("key: --bits needs a number");
                return CLI_USAGE;
            }
            a->bits = (unsigned)v;
            break;
        }
        case O_PFILE:
            a->pass.file = optarg;
            break;
        case O_PENV:
            a->pass.env = optarg;
            break;
        case O_NOPASS:
            a->no_pass = 1;
            break;
        case 'h':
            key_usage(stdout);
            return -1;
        default:
            key_usage(stderr);
            return CLI_USAGE;
        }
    }
    *first = optind;
    return 0;
}

static void print_key(const rampart_public_key *k)
{
    printf("keyid:   %s\ntype:    %s\nscheme:  %s\n", rampart_public_key_keyid(k), rampart_public_key_keytype(k),
           rampart_public_key_scheme(k));
}

/* Gets the new key's passphrase: from file/env, or asked twice. */
static int new_passphrase(struct key_args *a, char *buf, size_t cap, size_t *len)
{
    if (a->pass.file != NULL || a->pass.env != NULL || a->pass.no_prompt)
        return cli_passphrase_cb(&a->pass, "the new key", buf, cap, len);
    char again[RAMPART_PASSPHRASE_MAX];
    size_t n2 = 0;
    int rc = prompt("Passphrase for the new key: ", buf, cap, len);
    if (rc == 0)
        rc = prompt("Again: ", again, sizeof(again), &n2);
    if (rc == 0 && (n2 != *len || memcmp(buf, again, n2) != 0)) {
        cli_errorf("key generate: the passphrases differ");
        rc = RAMPART_EPASSPHRASE;
    }
    explicit_bzero(again, sizeof(again));
    return rc;
}

static int key_generate(int argc, char **argv)
{
    struct key_args a;
    int first, rc = parse_key_args(argc, argv, &a, &first);
    if (rc != 0)
        return rc < 0 ? CLI_OK : rc;
    if (first != argc - 1) {
        key_usage(stderr);
        return CLI_USAGE;
    }
    rampart_keygen_options o = RAMPART_KEYGEN_OPTIONS_INIT;
    const char *names[KEY_TYPES_MAX];
    char list[256];
    if (a.type != NULL && rampart_key_type_from_name(a.type, &o.type) != 0) {
        size_t n = key_type_names(names, false);
        cli_errorf("key generate: unknown --type '%s' (%s)", a.type,
                   join_names(list, sizeof(list), names, n, ", ", " or ", false));
        return CLI_USAGE;
    }
    unsigned min_bits = 0, max_bits = 0;
    if (rampart_key_type_bits(o.type, &min_bits, &max_bits) != 0) {
        cli_errorf("key generate: unknown key type %d", (int)o.type);
        return CLI_FAIL;
    }
    if (a.bits != 0 && max_bits == 0) {
        size_t n = key_type_names(names, true);
        cli_errorf("key generate: --bits is for %s keys", join_names(list, sizeof(list), names, n, ", ", " or ", true));
        return CLI_USAGE;
    }
    if (a.bits != 0 && (a.bits < min_bits || a.bits > max_bits)) {
        names[0] = rampart_key_type_name(o.type);
        cli_errorf("key generate: %s keys have %u to %u bits", join_names(list, sizeof(list), names, 1, "", "", true),
                   min_bits, max_bits);
        return CLI_USAGE;
    }
    o.rsa_bits = a.bits;
    char pass[RAMPART_PASSPHRASE_MAX];
    size_t plen = 0;
    int prc = a.no_pass ? 0 : new_passphrase(&a, pass, sizeof(pass), &plen);
    if (prc == RAMPART_EINVAL) {
        explicit_bzero(pass, sizeof(pass));
        cli_errorf("key generate: the passphrase is longer than %d bytes [RAMPART_EINVAL]", RAMPART_PASSPHRASE_MAX);
        return CLI_FAIL;
    }
    if (prc != 0) {
        explicit_bzero(pass, sizeof(pass));
        cli_errorf("key generate: no passphrase (give --passphrase-file, --passphrase-env or --no-passphrase)");
        return CLI_FAIL;
    }
    if (!a.no_pass && plen == 0) {
        cli_errorf("key generate: empty passphrase (use --no-passphrase for an unencrypted key)");
        return CLI_FAIL;
    }
    o.passphrase = a.no_pass ? NULL : pass;
    o.passphrase_len = plen;
    const char *name = argv[first];
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
        cli_report("key generate", rc, &err);
    }
    rampart_public_key_free(k);
    free(priv);
    free(pub);
    return rc == 0 ? CLI_OK : CLI_FAIL;
}

static int key_show(int argc, char **argv)
{
    struct key_args a;
    int first, rc = parse_key_args(argc, argv, &a, &first);
    if (rc != 0)
        return rc < 0 ? CLI_OK : rc;
    if (first != argc - 1) {
        key_usage(stderr);
        return CLI_USAGE;
    }
    const char *path = argv[first];
    rampart_public_key *k = NULL;
    rampart_error err;
    rc = rampart_public_key_load(&k, path, &err);
    if (rc == 0) {
        print_key(k);
        rampart_public_key_free(k);
        return CLI_OK;
    }
    rampart_error perr;
    rampart_signer *s = NULL;
    rampart_key_load_options o = RAMPART_KEY_LOAD_OPTIONS_INIT;
    o.passphrase_cb = cli_passphrase_cb;
    o.passphrase_ctx = &a.pass;
    int prc = rampart_signer_load_file(&s, path, &o, &perr);
    if (prc == 0) {
        print_key(rampart_signer_public_key(s));
        rampart_signer_free(s);
        return CLI_OK;
    }
    /* Neither form: report the private-key reading when the file looked
     * like one (a wrong passphrase matters), else the public-key one. */
    if (prc == RAMPART_EPASSPHRASE || prc == RAMPART_EUNSUPPORTED || prc == RAMPART_EINVAL)
        cli_report("key show", prc, &perr);
    else if (rc == RAMPART_EFORMAT && prc == RAMPART_EFORMAT) {
        rampart_error both = {.code = rc};
        snprintf(both.message, sizeof(both.message),
                 "%s: unknown key file format (neither a TUF public key nor a PKCS#8 private key)", path);
        cli_report("key show", rc, &both);
    } else
        cli_report("key show", rc, &err);
    return CLI_FAIL;
}

int cmd_key(int argc, char **argv)
{
    if (argc < 2) {
        key_usage(stderr);
        return CLI_USAGE;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "generate") == 0)
        return key_generate(argc - 1, argv + 1);
    if (strcmp(sub, "show") == 0)
        return key_show(argc - 1, argv + 1);
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        key_usage(stdout);
        return CLI_OK;
    }
    cli_errorf("key: unknown subcommand '%s'", sub);
    key_usage(stderr);
    return CLI_USAGE;
}
