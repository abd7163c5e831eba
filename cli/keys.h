/*
 * keys.h - private keys and their passphrases, for every command that signs
 * (keys.c): one place for the passphrase sources, the terminal prompt and
 * the messages that name the real cause of a failure.
 *
 * A passphrase source belongs to one key: `--key A --passphrase-file PA
 * --key B --passphrase-env PB`.  A passphrase option directly after a
 * --key is that key's; a key without its own uses the last passphrase
 * option of the command line (so `--key A --key B --passphrase-file P`
 * and `--passphrase-file P --key A --key B` give P to both); a key with no
 * source at all is asked for on the terminal.
 */
#ifndef RAMPART_CLI_KEYS_H
#define RAMPART_CLI_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "rampart/rampart.h"

/* Where a private key's passphrase comes from: a file (its first line), an
 * environment variable, or else a prompt on the terminal without echo
 * (unless no_prompt).  The callback records why it gave none. */
struct cli_pass {
    const char *file;
    const char *env;
    int no_prompt;
    int code;      /* set by cli_passphrase_cb: why no passphrase (0: one was given) */
    char why[400]; /* ... in words: "passphrase file 'F': No such file or directory" */
    bool given;    /* cli_passphrase_cb handed over a passphrase */
};

/* rampart_passphrase_fn reading from a struct cli_pass.  Warns when the
 * passphrase file is readable by group or others. */
int cli_passphrase_cb(void *ctx, const char *what, char *buf, size_t cap, size_t *len);

/* Reads a new key's passphrase into buf: from `p`'s file or variable, or
 * asked twice on the terminal (again, up to 3 times, when the two differ).
 * 0, or a reported error's code. */
int cli_new_passphrase(struct cli_pass *p, char *buf, size_t cap, size_t *len);

/* Loads a signer from a private key file; reports errors itself (naming a
 * missing passphrase file, an unset variable, a wrong passphrase). */
int cli_load_signer(const char *path, struct cli_pass *pass, rampart_signer **out);
/* Loads a TUF public key file; reports errors itself. 0 or CLI_FAIL. */
int cli_load_pubkey(const char *path, rampart_public_key **out);

#define CLI_MAX_KEYS 256

/* The --key options of a command, each with its passphrase source. */
struct cli_keys {
    const char *path[CLI_MAX_KEYS];
    struct cli_pass pass[CLI_MAX_KEYS];
    size_t n;
    struct cli_pass last; /* the last passphrase option given */
    size_t pending;       /* 1 + the index of a --key just given (its passphrase may follow), or 0 */
    rampart_signer *signers[CLI_MAX_KEYS];
    size_t nsigners;
};

/* Option handlers: --key PATH; --passphrase-file/--passphrase-env VALUE;
 * and every other option, which ends a key's pairing. */
int cli_keys_add(struct cli_keys *k, const char *path);
void cli_keys_passphrase(struct cli_keys *k, bool env, const char *value);
void cli_keys_other(struct cli_keys *k);
/* Loads every key (into k->signers); 0, or CLI_FAIL after reporting. */
int cli_keys_load(struct cli_keys *k);
/* Frees the signers. */
void cli_keys_free(struct cli_keys *k);

/* The option rows of the passphrase sources, for a table with --key. */
#define CLI_OPT_PASSPHRASE(id_file, id_env)                                                                            \
    {"passphrase-file",                                                                                                \
     required_argument,                                                                                                \
     id_file,                                                                                                          \
     0,                                                                                                                \
     "FILE",                                                                                                           \
     "passphrase of the --key just before (first line of FILE);\nkeys without their own use the last one given"},      \
    {                                                                                                                  \
        "passphrase-env", required_argument, id_env, 0, "VAR",                                                         \
            "the same, from environment variable VAR (default: ask\non the terminal)"                                  \
    }

#endif
