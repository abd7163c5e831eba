/* cli.h - shared pieces of the `rampart` command-line tool. */
#ifndef RAMPART_CLI_H
#define RAMPART_CLI_H

#include <stdio.h>

#include "keys.h"
#include "opt.h"
#include "rampart/rampart.h"

/* Exit statuses (documented in docs/man/rampart.1, EXIT STATUS). */
enum {
    CLI_OK = 0,
    CLI_FAIL = 1,  /* the operation failed (verification, network, I/O, ...) */
    CLI_USAGE = 2, /* bad command line */
};

typedef int (*cli_cmd_fn)(int argc, char **argv);

/* The command being run, as messages name it ("repo list"); set by the
 * dispatcher and cli_parse (opt.h). */
void cli_set_command(const char *name);
const char *cli_command(void);

/* Every error is one line on stderr: "rampart: <command>: <what> [CODE]".
 *
 * cli_report: a failed library call; `what` (the file or item concerned,
 * or NULL) is put before the library's message (already sanitised) unless
 * that message starts with it. */
void cli_report(const char *what, int rc, const rampart_error *err);
/* cli_error: a failure the CLI finds itself, with its RAMPART_E* code. */
void cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* cli_usage_error: a bad command line (exit status 2, RAMPART_EINVAL),
 * pointing at the command's --help. */
void cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "rampart: <command>: " + formatted text + newline to stderr, for a
 * message whose text names its code itself. */
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A warning: "rampart: <command>: warning: ..." (not shown with -q). */
void cli_warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* How much to say: -1 with -q, 0 by default, 1 with -v (decisions), 2 with
 * -vv (also each request). */
int cli_verbosity(void);
void cli_set_verbosity(int v);
/* A rampart_log_fn printing the library's log lines the verbosity asks for
 * ("rampart: <command>: <level>: <line>"). */
void cli_log(void *ctx, int level, const char *msg);
/* A decision of the CLI itself, shown with -v. */
void cli_infof(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints untrusted text to `f` through rampart_sanitize (control bytes,
 * invalid UTF-8 and bidirectional overrides become "?"). */
void cli_print_safe(FILE *f, const char *s);

int cmd_version(int argc, char **argv);
int cmd_selftest(int argc, char **argv);
int cmd_metadata(int argc, char **argv);
int cmd_client(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_repo(int argc, char **argv);
int cmd_attest(int argc, char **argv);
int cmd_verify_provenance(int argc, char **argv);
int cmd_install(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
int cmd_assess(int argc, char **argv);
int cmd_witness(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_agent(int argc, char **argv);

/* Prints the review of `md` against `trusted` (cmd_metadata.c): keys by
 * fingerprint (unchanged, added, removed, key material replaced under a
 * trusted key id) and each role's keys and threshold, and warns on stderr
 * for each key id of `md` that does not match its key.  Returns the number
 * of such key ids, or -1 (reported) when the two cannot be compared. */
int cli_review(rampart_metadata *md, rampart_metadata *trusted, const char *trusted_name);

#endif
