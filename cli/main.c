/*
 * main.c - `rampart`, the command-line tool: dispatches to one file per
 * command.  Exit status 0 on success, 1 when the operation failed, 2 for a
 * bad command line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    cli_cmd_fn fn;
    const char *help;
} commands[] = {
    {"version", cmd_version, "print the version"},
    {"selftest", cmd_selftest, "run the built-in known-answer self-check"},
    {"client", cmd_client, "refresh trusted metadata and download verified targets"},
    {"metadata", cmd_metadata, "inspect, canonicalise, verify and sign single metadata files"},
    {"key", cmd_key, "generate signing keys and show key files"},
    {"repo", cmd_repo, "run a TUF repository: targets, delegations, signing, publishing"},
    {"attest", cmd_attest, "sign SLSA provenance for built files (a builder's DSSE attestation)"},
    {"verify-provenance", cmd_verify_provenance, "judge a file's provenance attestation by a policy"},
    {"assess", cmd_assess, "grade an update channel on transport, signing, manifest, hashes and provenance"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: rampart [--version] <command> [<args>]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-18s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\nRun 'rampart <command> --help' for a command's options.\n");
}

void cli_errorf(const char *fmt, ...)
{
    va_list ap;
    fputs("rampart: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_report(const char *what, int rc, const rampart_error *err)
{
    const char *msg = (err != NULL && err->message[0] != '\0') ? err->message : rampart_strerror(rc);
    fprintf(stderr, "rampart: %s: %s [%s]\n", what, msg, rampart_error_name(rc));
}

void cli_print_safe(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char c = *p;
        size_t n = c < 0x80                   ? 1
                   : (c >= 0xC2 && c <= 0xDF) ? 2
                   : (c >= 0xE0 && c <= 0xEF) ? 3
                   : (c >= 0xF0 && c <= 0xF4) ? 4
                                              : 0;
        size_t k = 1;
        while (n > 1 && k < n && (p[k] & 0xC0) == 0x80)
            k++;
        if (n == 0 || k != n || (n == 1 && (c < 0x20 || c == 0x7F))) {
            fputc('?', f);
            p++;
            continue;
        }
        fwrite(p, 1, n, f);
        p += n;
    }
}

/* `rampart version` and `rampart selftest` take no arguments but -h/--help:
 * 1 when the help was printed, -1 (after a usage message) for anything else. */
static int no_args(const char *cmd, const char *what, int argc, char **argv)
{
    if (argc <= 1)
        return 0;
    if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        printf("usage: rampart %s\n\n%s\n", cmd, what);
        return 1;
    }
    cli_errorf("%s: unexpected argument '%s' (usage: rampart %s)", cmd, argv[1], cmd);
    return -1;
}

int cmd_version(int argc, char **argv)
{
    int a = no_args("version", "Prints the version of rampart.", argc, argv);
    if (a != 0)
        return a > 0 ? CLI_OK : CLI_USAGE;
    printf("rampart %s\n", rampart_version());
    return CLI_OK;
}

int cmd_selftest(int argc, char **argv)
{
    int a = no_args("selftest",
                    "Runs the built-in known-answer self-check of hashing, signatures and canonical JSON;\n"
                    "exit status 0 when every check passes.",
                    argc, argv);
    if (a != 0)
        return a > 0 ? CLI_OK : CLI_USAGE;
    rampart_error err = {0};
    int rc = rampart_selftest(&err);
    if (rc != 0) {
        cli_report("selftest", rc, &err);
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
        cli_errorf("cannot write to standard output");
        return status == CLI_OK ? CLI_FAIL : status;
    }
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0)
        return finish(cmd_version(argc - 1, argv + 1));
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return finish(CLI_OK);
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return finish(commands[i].fn(argc - 1, argv + 1));
    cli_errorf("unknown command '%s' (see 'rampart --help')", cmd);
    return CLI_USAGE;
}
