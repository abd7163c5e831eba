/*
 * main.c - `rampart`, the command-line tool: dispatches to one file per
 * command.  Exit status 0 on success, 1 when the operation failed, 2 for a
 * bad command line.  Every error is one line on standard error:
 * "rampart: <command>: <what> [RAMPART_E...]".
 */
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    cli_cmd_fn fn;
    const char *help;
} commands[] = {
    {"version", cmd_version, "print the version (and those of OpenSSL, libcurl and jansson)"},
    {"selftest", cmd_selftest, "run the built-in known-answer self-check"},
    {"client", cmd_client, "refresh trusted metadata and download verified targets"},
    {"metadata", cmd_metadata, "inspect, canonicalise, verify and sign single metadata files"},
    {"key", cmd_key, "generate signing keys and show key files"},
    {"repo", cmd_repo, "run a TUF repository: targets, delegations, signing, publishing"},
    {"attest", cmd_attest, "sign SLSA provenance for built files (a builder's DSSE attestation)"},
    {"verify-provenance", cmd_verify_provenance, "judge a file's provenance attestation by a policy"},
    {"install", cmd_install, "install a verified release into a versioned folder and switch to it"},
    {"rollback", cmd_rollback, "switch an install folder back to its previous version"},
    {"assess", cmd_assess, "grade an update channel on transport, signing, manifest, hashes and provenance"},
    {"witness", cmd_witness, "cosign the checkpoints of transparency logs (a C2SP tlog-witness server)"},
    {"log", cmd_log, "follow a transparency log and report entries the repository never published"},
    {"agent", cmd_agent, "keep an endpoint up to date: poll, install, health-check, record, watch the channel"},
    {"audit", cmd_audit, "verify and show the endpoint's tamper-evident audit log"},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
    fprintf(f, "usage: rampart [-q | -v | -vv] [--version] <command> [<args>]\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-18s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\noptions (before or after the command word):\n"
               "  -q, --quiet        print only errors (and --json output)\n"
               "  -v, --verbose      explain each decision on standard error; -vv: each request too\n"
               "  -V, --version      print the version and exit\n"
               "  -h, --help         print this help and exit\n"
               "\nRun 'rampart <command> --help' for a command's options.\n");
}

static const char *current = NULL;
static int verbosity = 0;

void cli_set_command(const char *name)
{
    current = name;
}

const char *cli_command(void)
{
    return current;
}

int cli_verbosity(void)
{
    return verbosity;
}

void cli_set_verbosity(int v)
{
    verbosity = v;
}

static void prefix(void)
{
    fputs("rampart: ", stderr);
    if (current != NULL)
        fprintf(stderr, "%s: ", current);
}

void cli_errorf(const char *fmt, ...)
{
    va_list ap;
    prefix();
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_error(int code, const char *fmt, ...)
{
    va_list ap;
    prefix();
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " [%s]\n", rampart_error_name(code));
}

void cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    prefix();
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " [%s]\n", rampart_error_name(RAMPART_EINVAL));
}

void cli_warnf(const char *fmt, ...)
{
    if (verbosity < 0)
        return;
    va_list ap;
    prefix();
    fputs("warning: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_infof(const char *fmt, ...)
{
    if (verbosity < 1)
        return;
    va_list ap;
    prefix();
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_log(void *ctx, int level, const char *msg)
{
    (void)ctx;
    static const char *const names[] = {"debug", "info", "warning"};
    int need = level == RAMPART_LOG_DEBUG ? 2 : 1;
    if (verbosity < need)
        return;
    prefix();
    fprintf(stderr, "%s: ", names[level >= 0 && level <= 2 ? level : 0]);
    cli_print_safe(stderr, msg);
    fputc('\n', stderr);
}

void cli_report(const char *what, int rc, const rampart_error *err)
{
    const char *msg = (err != NULL && err->message[0] != '\0') ? err->message : rampart_strerror(rc);
    prefix();
    size_t n = what != NULL ? strlen(what) : 0;
    bool named = n == 0 || (current != NULL && strcmp(what, current) == 0) || strncmp(msg, what, n) == 0;
    if (!named) {
        cli_print_safe(stderr, what);
        fputs(": ", stderr);
    }
    fprintf(stderr, "%s [%s]\n", msg, rampart_error_name(rc));
}

void cli_print_safe(FILE *f, const char *s)
{
    /* rampart_sanitize never lengthens the text: a chunk at a time, each
     * cut on a character boundary so that no character is split. */
    char out[1024];
    size_t len = strlen(s);
    while (len > 0) {
        size_t n = len < sizeof(out) - 1 ? len : sizeof(out) - 1;
        while (n < len && n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        if (n == 0)
            n = len < sizeof(out) - 1 ? len : sizeof(out) - 1;
        rampart_sanitize(out, sizeof(out), s, n);
        fputs(out, f);
        s += n;
        len -= n;
    }
}

/* `rampart version` and `rampart selftest` take only the common options. */
static const struct cli_opt no_opts[] = {{NULL, 0, 0, 0, NULL, NULL}};

static int no_opt(void *ctx, int id, const char *arg)
{
    (void)ctx, (void)id, (void)arg;
    return CLI_USAGE; /* never called: the table is empty */
}

static int no_args(const struct cli_cmd *cmd, int argc, char **argv)
{
    int npos = 0;
    int rc = cli_parse(cmd, argc, argv, NULL, &npos);
    if (rc == 0 && npos > 0) {
        cli_usage_error("unexpected argument '%s' (usage: rampart %s)", argv[1], cmd->name);
        return CLI_USAGE;
    }
    return rc;
}

/* The versions of the libraries as loaded now (not as compiled against). */
static void print_versions(void)
{
    printf("rampart %s\n", rampart_version());
    printf("OpenSSL %s\n", OpenSSL_version(OPENSSL_VERSION_STRING));
    const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
    printf("libcurl %s%s%s%s\n", cv != NULL ? cv->version : "?", cv != NULL && cv->ssl_version ? " (" : "",
           cv != NULL && cv->ssl_version ? cv->ssl_version : "", cv != NULL && cv->ssl_version ? ")" : "");
    printf("jansson %s\n", jansson_version_str());
}

int cmd_version(int argc, char **argv)
{
    static const struct cli_cmd cmd = {"version", "version",
                                       "Prints the version of rampart and of the OpenSSL, libcurl and jansson\n"
                                       "libraries it runs with.",
                                       no_opts, no_opt};
    int rc = no_args(&cmd, argc, argv);
    if (rc != 0)
        return rc == CLI_HELP ? CLI_OK : rc;
    print_versions();
    return CLI_OK;
}

int cmd_selftest(int argc, char **argv)
{
    static const struct cli_cmd cmd = {
        "selftest", "selftest",
        "Runs the built-in known-answer self-check of hashing, signatures and canonical JSON;\n"
        "exit status 0 when every check passes.",
        no_opts, no_opt};
    int rc = no_args(&cmd, argc, argv);
    if (rc != 0)
        return rc == CLI_HELP ? CLI_OK : rc;
    rampart_error err = {0};
    rc = rampart_selftest(&err);
    if (rc != 0) {
        cli_report(NULL, rc, &err);
        return CLI_FAIL;
    }
    printf("rampart selftest: ok\n");
    return CLI_OK;
}

/* Output goes through stdio, whose error flag is sticky: one check at the
 * end catches any failed write (a full disk, a closed pipe), which fails
 * the command instead of reporting success over truncated output. */
static int finish(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error(RAMPART_EIO, "cannot write to standard output");
        return status == CLI_OK ? CLI_FAIL : status;
    }
    return status;
}

/* The options before the command word; returns the index of the command
 * word, 0 after printing help or the version, or -1 (reported). */
static int global_options(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
            print_versions();
            return 0;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            verbosity = -1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0 ||
                   (a[1] == 'v' && strspn(a + 1, "v") == strlen(a + 1))) {
            /* -v, -vv, ... */
            verbosity = (verbosity < 0 ? 0 : verbosity) + (a[1] == 'v' ? (int)strlen(a + 1) : 1);
        } else {
            static const char *const known[] = {"version", "help", "quiet", "verbose"};
            const char *guess = a[1] == '-' ? cli_suggest(a + 2, known, 4) : NULL;
            if (guess != NULL)
                cli_usage_error("unknown option '%s' (did you mean '--%s'?)", a, guess);
            else
                cli_usage_error("unknown option '%s' (see 'rampart --help')", a);
            return -1;
        }
    }
    return i;
}

int main(int argc, char **argv)
{
    int i = global_options(argc, argv);
    if (i <= 0)
        return i == 0 ? finish(CLI_OK) : CLI_USAGE;
    if (i >= argc) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *cmd = argv[i];
    if (strcmp(cmd, "help") == 0) {
        usage(stdout);
        return finish(CLI_OK);
    }
    const char *names[NCOMMANDS];
    for (size_t c = 0; c < NCOMMANDS; c++) {
        names[c] = commands[c].name;
        if (strcmp(cmd, commands[c].name) == 0) {
            return finish(commands[c].fn(argc - i, argv + i));
        }
    }
    const char *guess = cli_suggest(cmd, names, NCOMMANDS);
    if (guess != NULL)
        cli_usage_error("unknown command '%s' (did you mean '%s'?)", cmd, guess);
    else
        cli_usage_error("unknown command '%s' (see 'rampart --help')", cmd);
    return CLI_USAGE;
}
