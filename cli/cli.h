/* cli.h - shared pieces of the `rampart` command-line tool. */
#ifndef RAMPART_CLI_H
#define RAMPART_CLI_H

#include <stdio.h>

#include "rampart/rampart.h"

/* Exit statuses (documented in docs/man/rampart.1, EXIT STATUS). */
enum {
    CLI_OK = 0,
    CLI_FAIL = 1,  /* the operation failed (verification, network, I/O, ...) */
    CLI_USAGE = 2, /* bad command line */
};

typedef int (*cli_cmd_fn)(int argc, char **argv);

/* Prints "rampart: <what>: <message>" for a failed call to stderr.  The
 * message from the library is already sanitised. */
void cli_report(const char *what, int rc, const rampart_error *err);
/* Prints "rampart: " + formatted text + newline to stderr. */
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints untrusted text to `f`, replacing control bytes and invalid UTF-8 with '?'. */
void cli_print_safe(FILE *f, const char *s);

int cmd_version(int argc, char **argv);
int cmd_selftest(int argc, char **argv);
int cmd_metadata(int argc, char **argv);
int cmd_client(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_repo(int argc, char **argv);
int cmd_attest(int argc, char **argv);
int cmd_verify_provenance(int argc, char **argv);
int cmd_assess(int argc, char **argv);

/* Where a private key's passphrase comes from (cmd_key.c): a file (its
 * first line), an environment variable, or else a prompt on the terminal
 * without echo (unless no_prompt). */
struct cli_pass {
    const char *file;
    const char *env;
    int no_prompt;
};
/* rampart_passphrase_fn reading from a struct cli_pass. */
int cli_passphrase_cb(void *ctx, const char *what, char *buf, size_t cap, size_t *len);
/* Loads a signer from a private key file; reports errors itself. 0 or CLI_FAIL. */
int cli_load_signer(const char *path, struct cli_pass *pass, rampart_signer **out);
/* Prints the review of `md` against `trusted` (cmd_metadata.c): keys by
 * fingerprint (unchanged, added, removed, key material replaced under a
 * trusted key id) and each role's keys and threshold, and warns on stderr
 * for each key id of `md` that does not match its key.  Returns the number
 * of such key ids, or -1 (reported) when the two cannot be compared. */
int cli_review(rampart_metadata *md, rampart_metadata *trusted, const char *trusted_name);
/* Loads a TUF public key file; reports errors itself. 0 or CLI_FAIL. */
int cli_load_pubkey(const char *path, rampart_public_key **out);

#endif
