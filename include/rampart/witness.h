/*
 * rampart/witness.h - a C2SP tlog-witness: an HTTP server that cosigns
 * the checkpoints of the logs it knows, only when each is consistent with
 * the last one it cosigned for that log (docs/transparency.md "Witness").
 *
 *     rampart_witness_options o = RAMPART_WITNESS_OPTIONS_INIT;
 *     o.name = "witness.example/w1";
 *     o.key_file = "witness.key";       // an Ed25519 PKCS#8 key (rampart key generate)
 *     o.config_file = "witness.conf";   // "log <vkey>" lines
 *     o.state_dir = "/var/lib/rampart-witness";
 *     o.listen = "127.0.0.1:7380";
 *     rampart_witness *w;
 *     rampart_error err;
 *     if (rampart_witness_new(&w, &o, &err) != 0 || rampart_witness_start(w, &err) != 0) ...
 *     ...                               // serves on its own threads
 *     rampart_witness_free(w);          // stops serving
 *
 * The server answers POST /add-checkpoint with the status codes of C2SP
 * tlog-witness (200 with the cosignature, 400, 403, 404, 409 with
 * text/x.tlog.size, 422), 405 for another method, 404 for another path,
 * 413 for a body over its cap.  The new state of a log is written to the
 * state folder (atomically, synced) before the cosignature is sent, and
 * requests for one log are handled one at a time.
 *
 * Thread safety: rampart_witness_add_checkpoint may be called from any
 * number of threads at once (the server's threads call it too); new,
 * start and free are called by one thread.  The state folder is locked for
 * the handle's lifetime, so a second witness cannot use it at once.
 */
#ifndef RAMPART_WITNESS_H
#define RAMPART_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "signer.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RAMPART_WITNESS_OPTIONS_VERSION 1

typedef struct rampart_witness_options {
    unsigned version;                            /**< RAMPART_WITNESS_OPTIONS_VERSION */
    const char *name;                            /**< the witness's key name ("witness.example/w1"); required */
    const char *key_file;                        /**< its Ed25519 PKCS#8 PEM private key; required */
    const rampart_key_load_options *key_options; /**< passphrase of the key; NULL: none */
    const char *config_file;                     /**< the known logs ("log <vkey>" lines); required */
    const char *state_dir;                       /**< the state folder (created, private, when missing); required */
    const char *listen;          /**< "HOST:PORT" (IPv4 or [IPv6]); NULL: "127.0.0.1:7380"; port 0: any free port */
    unsigned max_connections;    /**< 0: 64 */
    int64_t (*clock)(void *ctx); /**< the cosignatures' time; NULL: the system clock */
    void *clock_ctx;
} rampart_witness_options;

#define RAMPART_WITNESS_OPTIONS_INIT                                                                                   \
    {                                                                                                                  \
        .version = RAMPART_WITNESS_OPTIONS_VERSION                                                                     \
    }

/** A witness (opaque). */
typedef struct rampart_witness rampart_witness;

/**
 * Loads the key, the configuration and opens (and locks) the state folder;
 * does not listen yet.  On success *out owns the witness (free with
 * rampart_witness_free).  Errors: RAMPART_EINVAL (missing option, a name
 * that is not a valid key name, a key that is not Ed25519, a bad listen
 * address), RAMPART_EFORMAT / RAMPART_ETOOLARGE (the configuration; err
 * names the line), RAMPART_EPASSPHRASE, RAMPART_ENOTFOUND, RAMPART_EIO,
 * RAMPART_ELOCKED (another witness uses the state folder),
 * RAMPART_ENOMEM, RAMPART_ECRYPTO.  `err` may be NULL.
 */
RAMPART_API int rampart_witness_new(rampart_witness **out, const rampart_witness_options *o,
                                    rampart_error *err) RAMPART_MUST_USE;

/**
 * Starts serving on the listen address, on threads of its own; returns
 * once the socket listens.  Errors: RAMPART_EIO (cannot bind or start),
 * RAMPART_EINVAL (already started).  `err` may be NULL.
 */
RAMPART_API int rampart_witness_start(rampart_witness *w, rampart_error *err) RAMPART_MUST_USE;

/** The port the witness listens on (useful with port 0), or 0 before start. */
RAMPART_API unsigned rampart_witness_port(const rampart_witness *w) RAMPART_MUST_USE;

/**
 * Writes the witness's verifier key ("name+<hex id>+base64(0x04 || key)",
 * for the witness lines of tlog-policy files) to *out, a NUL-terminated
 * string the caller frees with rampart_string_free.  Errors:
 * RAMPART_ENOMEM, RAMPART_EINVAL.
 */
RAMPART_API int rampart_witness_vkey(const rampart_witness *w, char **out, rampart_error *err) RAMPART_MUST_USE;

/**
 * Handles one add-checkpoint request body of `len` bytes as the server
 * does (the state written before it returns a 200): writes the HTTP status
 * to *status and the response body to *body (a NUL-terminated string of
 * *body_len bytes, freed with rampart_string_free) and its content type to
 * *content_type (a static string).  Returns 0 whenever a status was
 * decided; a negative code (the server answers 500) for a local failure:
 * RAMPART_EIO (the state could not be read or written), RAMPART_ENOMEM,
 * RAMPART_ECRYPTO, RAMPART_EINVAL.  `err` may be NULL.
 */
RAMPART_API int rampart_witness_add_checkpoint(rampart_witness *w, const void *req, size_t len, int *status,
                                               char **body, size_t *body_len, const char **content_type,
                                               rampart_error *err) RAMPART_MUST_USE;

/** Stops serving (waits for the requests under way) and frees.  NULL-safe. */
RAMPART_API void rampart_witness_free(rampart_witness *w);

/**
 * The verifier key of witness name `name` with the private key in
 * `key_file` (as rampart_witness_vkey), without a configuration or state.
 * Errors: RAMPART_EINVAL (not Ed25519, invalid name), RAMPART_EPASSPHRASE,
 * RAMPART_EFORMAT, RAMPART_ENOTFOUND, RAMPART_EIO, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_witness_key_vkey(const char *key_file, const char *name, const rampart_key_load_options *ko,
                                         char **out, rampart_error *err) RAMPART_MUST_USE;

#ifdef __cplusplus
}
#endif
#endif /* RAMPART_WITNESS_H */
