/*
 * keys.c - private keys and passphrases for every signing command
 * (keys.h): sources per key, the terminal prompt, real causes in messages.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

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

/* Records why no passphrase came from `p`, and returns the code. */
__attribute__((format(printf, 3, 4))) static int why(struct cli_pass *p, int code, const char *fmt, ...)
{
    va_list ap;
    p->code = code;
    va_start(ap, fmt);
    (void)vsnprintf(p->why, sizeof(p->why), fmt, ap); /* a message: cut if ever longer */
    va_end(ap);
    return code;
}

/* The first line of the passphrase file (without "\n" or "\r\n"). */
static int from_file(struct cli_pass *p, char *buf, size_t cap, size_t *len)
{
    FILE *f = fopen(p->file, "re");
    if (f == NULL)
        return why(p, RAMPART_EIO, "cannot read passphrase file '%s': %s", p->file, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077) != 0)
        cli_warnf("passphrase file '%s' can be read by %s (mode %03o): make it private (chmod 600)", p->file,
                  (st.st_mode & 007) != 0 ? "anyone" : "its group", (unsigned)(st.st_mode & 0777));
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
    bool bad = ferror(f) != 0;
    (void)fclose(f); /* read only */
    if (bad)
        return why(p, RAMPART_EIO, "cannot read passphrase file '%s'", p->file);
    if (too_long)
        return why(p, RAMPART_EINVAL, "the passphrase in '%s' is longer than %d bytes", p->file,
                   RAMPART_PASSPHRASE_MAX);
    if (n == 0)
        return why(p, RAMPART_EPASSPHRASE, "passphrase file '%s' is empty", p->file);
    *len = n;
    return 0;
}

static int from_env(struct cli_pass *p, char *buf, size_t cap, size_t *len)
{
    const char *v = getenv(p->env);
    if (v == NULL)
        return why(p, RAMPART_EPASSPHRASE, "environment variable %s (--passphrase-env) is not set", p->env);
    size_t n = strlen(v);
    if (n == 0)
        return why(p, RAMPART_EPASSPHRASE, "environment variable %s (--passphrase-env) is empty", p->env);
    if (n > cap)
        return why(p, RAMPART_EINVAL, "the passphrase in %s is longer than %d bytes", p->env, RAMPART_PASSPHRASE_MAX);
    memcpy(buf, v, n); // NOLINT(bugprone-not-null-terminated-result): a length-counted passphrase buffer
    *len = n;
    return 0;
}

int cli_passphrase_cb(void *ctx, const char *what, char *buf, size_t cap, size_t *len)
{
    struct cli_pass *p = ctx;
    p->code = 0;
    p->why[0] = '\0';
    int rc;
    if (p->env != NULL)
        rc = from_env(p, buf, cap, len);
    else if (p->file != NULL)
        rc = from_file(p, buf, cap, len);
    else if (p->no_prompt)
        rc = why(p, RAMPART_EPASSPHRASE, "no passphrase given (give --passphrase-file or --passphrase-env)");
    else {
        char text[600];
        (void)snprintf(text, sizeof(text), "Passphrase for %s: ", what); /* a prompt: cut if ever longer */
        rc = prompt(text, buf, cap, len);
        if (rc != 0)
            why(p, rc, "no passphrase given and no terminal to ask on (give --passphrase-file or --passphrase-env)");
    }
    p->given = rc == 0;
    return rc;
}

int cli_new_passphrase(struct cli_pass *p, char *buf, size_t cap, size_t *len)
{
    if (p->file != NULL || p->env != NULL || p->no_prompt) {
        int rc = cli_passphrase_cb(p, "the new key", buf, cap, len);
        if (rc != 0)
            cli_error(p->code, "%s", p->why);
        return rc;
    }
    char again[RAMPART_PASSPHRASE_MAX];
    int rc = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        size_t n2 = 0;
        rc = prompt("Passphrase for the new key: ", buf, cap, len);
        if (rc == 0)
            rc = prompt("Again: ", again, sizeof(again), &n2);
        if (rc != 0) {
            cli_error(rc, "no passphrase for the new key and no terminal to ask on (give --passphrase-file, "
                          "--passphrase-env or --no-passphrase)");
            break;
        }
        if (n2 == *len && memcmp(buf, again, n2) == 0)
            break;
        rc = RAMPART_EPASSPHRASE;
        if (attempt < 2)
            fprintf(stderr, "rampart: the passphrases differ; type it again\n");
        else
            cli_error(rc, "the passphrases differ (3 attempts)");
    }
    explicit_bzero(again, sizeof(again));
    return rc;
}

/* The source of `p` in words, for a wrong-passphrase message. */
static void source(const struct cli_pass *p, char *out, size_t cap)
{
    if (p->env != NULL)
        (void)snprintf(out, cap, " (from environment variable %s)", p->env);
    else if (p->file != NULL)
        (void)snprintf(out, cap, " (from passphrase file '%s')", p->file);
    else
        (void)snprintf(out, cap, " (as typed)");
}

int cli_load_signer(const char *path, struct cli_pass *pass, rampart_signer **out)
{
    rampart_key_load_options o = RAMPART_KEY_LOAD_OPTIONS_INIT;
    o.passphrase_cb = cli_passphrase_cb;
    o.passphrase_ctx = pass;
    pass->code = 0;
    pass->given = false;
    rampart_error err;
    int rc = rampart_signer_load_file(out, path, &o, &err);
    if (rc == 0)
        return 0;
    char src[300];
    if (pass->code != 0) {
        cli_error(pass->code, "%s: %s", path, pass->why);
    } else if (rc == RAMPART_EPASSPHRASE && pass->given) {
        source(pass, src, sizeof(src));
        cli_error(rc, "%s: wrong passphrase%s", path, src);
    } else {
        cli_report(path, rc, &err);
    }
    return CLI_FAIL;
}

int cli_load_pubkey(const char *path, rampart_public_key **out)
{
    rampart_error err;
    int rc = rampart_public_key_load(out, path, &err);
    if (rc != 0) {
        cli_report(path, rc, &err);
        return CLI_FAIL;
    }
    return 0;
}

int cli_keys_add(struct cli_keys *k, const char *path)
{
    if (k->n >= CLI_MAX_KEYS) {
        cli_usage_error("too many --key options (at most %d)", CLI_MAX_KEYS);
        return CLI_USAGE;
    }
    k->path[k->n] = path;
    memset(&k->pass[k->n], 0, sizeof(k->pass[k->n]));
    k->pending = ++k->n;
    return 0;
}

void cli_keys_passphrase(struct cli_keys *k, bool env, const char *value)
{
    struct cli_pass *own = k->pending > 0 ? &k->pass[k->pending - 1] : NULL;
    k->last.file = env ? NULL : value;
    k->last.env = env ? value : NULL;
    if (own != NULL) {
        own->file = k->last.file;
        own->env = k->last.env;
    }
    k->pending = 0;
}

void cli_keys_other(struct cli_keys *k)
{
    k->pending = 0;
}

int cli_keys_load(struct cli_keys *k)
{
    for (size_t i = 0; i < k->n; i++) {
        struct cli_pass *p = &k->pass[i];
        if (p->file == NULL && p->env == NULL) {
            p->file = k->last.file;
            p->env = k->last.env;
        }
        if (cli_load_signer(k->path[i], p, &k->signers[i]) != 0)
            return CLI_FAIL;
        k->nsigners = i + 1;
    }
    return 0;
}

void cli_keys_free(struct cli_keys *k)
{
    for (size_t i = 0; i < k->nsigners; i++)
        rampart_signer_free(k->signers[i]);
    k->nsigners = 0;
}
