/*
 * gpgv.h - verifying an OpenPGP signature with gpgv (Debian's gpgv, the
 * verifier apt itself uses), run without a shell and with a timeout.
 *
 * The signature goes to gpgv through a pipe (fd 3, "-&3" with
 * --enable-special-filenames), the signed data through its standard input,
 * its --status-fd output is read back (at most 64 KiB); standard error
 * goes to /dev/null.  The keyring is the bytes Rampart read, handed over
 * as an in-memory file (/dev/fd/4): binary after Rampart removed an ASCII
 * armor, which gpgv itself cannot read.  No file is written.
 */
#ifndef RAMPART_ASSESS_GPGV_H
#define RAMPART_ASSESS_GPGV_H

#include <stdbool.h>

#include "util/buf.h"

#define GPGV_TIMEOUT_MS 30000

typedef struct gpgv_result {
    bool valid;      /* exit 0 and a VALIDSIG status line */
    char fpr[72];    /* VALIDSIG: the signing key's fingerprint (hex) */
    char status[96]; /* what went wrong: "BADSIG", "NO_PUBKEY", "timed out", ... */
} gpgv_result;

/* Reads the keyring file at `path` (at most PGP_MAX_INPUT bytes) into
 * *out, without its ASCII armor when it has one ("PGP PUBLIC KEY BLOCK");
 * a file whose armor does not decode is kept as it is (gpgv then finds no
 * key in it).  0, or the error of reading the file. */
int rassess_keyring_read(const char *path, rbuf *out, rerr *e) RAMPART_MUST_USE;

/* Verifies the detached signature `sig` (binary or armored) over `data`
 * (or, with data NULL, the cleartext-signed message `sig`) with the keys
 * of `keyring` (the bytes of a binary keyring or keybox, as
 * rassess_keyring_read gives them).  0 with *r filled (valid or not), or
 * an error when gpgv could not be run (EIO, ENOMEM). */
int rassess_gpgv(const char *gpgv, const rbuf *keyring, const uint8_t *sig, size_t siglen, const uint8_t *data,
                 size_t dlen, gpgv_result *r, rerr *e) RAMPART_MUST_USE;

#endif
