/*
 * gpgv.h - verifying an OpenPGP signature with gpgv (Debian's gpgv, the
 * verifier apt itself uses), run without a shell and with a timeout.
 *
 * The signature goes to gpgv through a pipe (fd 3, "-&3" with
 * --enable-special-filenames), the signed data through its standard input,
 * its --status-fd output is read back (at most 64 KiB); standard error
 * goes to /dev/null.  No file is written.
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

/* Verifies the detached signature `sig` (binary or armored) over `data`
 * (or, with data NULL, the cleartext-signed message `sig`) with the keys of `keyring` (a binary keyring file).  0 with
 * *r filled (valid or not), or an error when gpgv could not be run (EIO, ENOMEM). */
int rassess_gpgv(const char *gpgv, const char *keyring, const uint8_t *sig, size_t siglen, const uint8_t *data,
                 size_t dlen, gpgv_result *r, rerr *e) RAMPART_MUST_USE;

#endif
