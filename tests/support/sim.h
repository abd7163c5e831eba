/*
 * sim.h - an in-process TUF repository simulator for client tests.
 *
 * It builds metadata as jansson trees, signs it with real keys (ed25519 by
 * default), keeps every published version, and serves it through the
 * client's transport interface, recording each request.  Faults are injected
 * per request path: other bytes, an HTTP status, endless data.
 *
 * Request paths are relative to the simulated server: "metadata/2.root.json",
 * "metadata/timestamp.json", "targets/<hash>.file.txt".  The client is given
 * the base URLs SIM_METADATA_URL and SIM_TARGETS_URL.
 *
 * Publishing follows the tuf-conformance simulator: the first publish of a
 * role keeps version 1, later ones increment it; publishing a targets role
 * updates its snapshot META entry, publishing the snapshot updates the
 * timestamp's.  Every function aborts the test program on internal failure
 * (a simulator bug is not a client test result).
 */
#ifndef RAMPART_TEST_SIM_H
#define RAMPART_TEST_SIM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/transport.h"
#include "crypto/privkey.h"
#include "keys/keys.h"

#define SIM_METADATA_URL "https://repo.sim.test/metadata/"
#define SIM_TARGETS_URL "https://repo.sim.test/targets/"
/* A second simulated host serving the same repository (a mirror).  Its
 * requests are logged, and its faults keyed, as SIM_MIRROR2_PREFIX + path
 * ("mirror2:metadata/timestamp.json"); faults keyed by a plain path apply to
 * the first host only. */
#define SIM_MIRROR2_METADATA_URL "https://mirror2.sim.test/metadata/"
#define SIM_MIRROR2_TARGETS_URL "https://mirror2.sim.test/targets/"
#define SIM_MIRROR2_PREFIX "mirror2:"
/* The simulated "now": 2030-06-01T00:00:00Z. */
#define SIM_NOW 1906502400LL
#define SIM_DAY 86400LL

typedef struct sim sim;

/* A new repository: root, timestamp, snapshot and targets, one ed25519 key
 * each, threshold 1, consistent_snapshot true, everything published at
 * version 1 and expiring SIM_NOW + 30 days. */
sim *sim_new(void);
void sim_free(sim *s);

/* The "signed" object of a role, to edit before publishing ("root",
 * "timestamp", "snapshot", "targets" or a delegated role). */
json_t *sim_signed(sim *s, const char *role);
/* Sets "expires" of a role (seconds since the epoch). */
void sim_set_expires(sim *s, const char *role, int64_t t);
/* When true, META entries get "length" and "hashes" (sha256). Default false. */
void sim_set_meta_hashes(sim *s, bool on);

/* Generates a key (ed25519, or the scheme given), adds it to `delegator`'s
 * keys ("root" for top-level roles, else a targets role's delegations) and
 * to `role`'s keyids, and makes it sign `role`.  Returns the key (owned by
 * the simulator). */
rprivkey *sim_add_key(sim *s, const char *delegator, const char *role);
rprivkey *sim_add_key_scheme(sim *s, const char *delegator, const char *role, rkey_scheme scheme);
/* The keyid of a key (owned by the simulator; valid until the next key is added). */
const char *sim_keyid(sim *s, const rprivkey *k);
/* Adds `k` to the keys that sign `role` (it need not be authorised). */
void sim_add_signer(sim *s, const char *role, rprivkey *k);
/* The i-th key that signs `role` (owned by the simulator). */
rprivkey *sim_signer(sim *s, const char *role, size_t i);
/* Stops all signing of `role`. */
void sim_clear_signers(sim *s, const char *role);
/* Removes keyid from role's keyids in its delegator (key stays in keys). */
void sim_remove_keyid(sim *s, const char *delegator, const char *role, const char *keyid);
/* Sets a role's threshold in its delegator. */
void sim_set_threshold(sim *s, const char *delegator, const char *role, int64_t threshold);

/* Adds target `path` with contents to `role` (length + sha256). */
void sim_add_target(sim *s, const char *role, const char *path, const void *data, size_t len);
/* Creates delegated role `name` under `delegator` with the given
 * NUL-terminated list of path patterns (NULL: no "paths"), a fresh key and
 * threshold 1, and an empty, unpublished targets role. */
void sim_delegate(sim *s, const char *delegator, const char *name, const char *const *paths, bool terminating);

/* Signs and stores a new version of `role` (see above). */
void sim_publish(sim *s, const char *role);
/* publish(role) unless it is NULL, then snapshot, then timestamp. */
void sim_update(sim *s, const char *role);
/* The bytes of a published version (NULL if none). */
const uint8_t *sim_version_bytes(sim *s, const char *role, int64_t version, size_t *len);
/* Current version number of a role. */
int64_t sim_version(sim *s, const char *role);
/* Replaces the newest stored bytes of a role (tampering after signing). */
void sim_replace_latest(sim *s, const char *role, const void *data, size_t len);

/* Replaces the bytes served for target `path` (its metadata keeps the old
 * length and hashes, and it is still served under the old hash prefix). */
void sim_set_target_data(sim *s, const char *path, const void *data, size_t len);

/* Published versions of a role, oldest first (including same-version
 * re-publications and replaced bytes): their number, and the i-th one's
 * bytes and version (NULL when out of range). */
size_t sim_history_count(sim *s, const char *role);
const uint8_t *sim_history_bytes(sim *s, const char *role, size_t i, size_t *len, int64_t *version);
/* True when the simulator knows role `role`. */
bool sim_has_role(sim *s, const char *role);

/* TAP 15: replaces `delegator`'s delegations with "succinct_roles" (one new
 * ed25519 key, threshold 1, `bit_length` 1..8, `prefix`) and creates the
 * 2^bit_length bin roles PREFIX-X.. (empty targets, unpublished), each signed
 * by that key.  Returns the key. */
rprivkey *sim_delegate_succinct(sim *s, const char *delegator, const char *prefix, unsigned bit_length);
/* The bin of `path` (computed here, independently of the client). */
void sim_succinct_bin(const char *prefix, unsigned bit_length, const char *path, char *out, size_t n);

/* Fault injection by exact request path ("metadata/timestamp.json"; see
 * SIM_MIRROR2_PREFIX for the second host).  The newest matching fault wins.
 * Served bytes and endless data respect the transport cap like libcurl does
 * (ETOOLARGE past it). */
void sim_serve_bytes(sim *s, const char *path, const void *data, size_t len);
void sim_serve_status(sim *s, const char *path, int rampart_code);
void sim_serve_endless(sim *s, const char *path);
void sim_clear_faults(sim *s);

/* A transport serving this simulator (the client frees the transport; the
 * simulator must outlive the client). */
rtransport *sim_transport(sim *s);

/* Requests since the last reset, one per line ("metadata/2.root.json\n..."). */
const char *sim_requests(sim *s);
void sim_reset_requests(sim *s);

/* A fresh temporary folder (created) under $TMPDIR or /tmp; removed
 * recursively by sim_rmtree. Returned string is malloc'ed. */
char *sim_mkdtemp(void);
void sim_rmtree(const char *path);
/* Reads a whole file (malloc'ed, NUL-terminated); NULL if absent. */
uint8_t *sim_read_file(const char *dir, const char *name, size_t *len);
/* Writes a file. */
void sim_write_file(const char *dir, const char *name, const void *data, size_t len);

#endif
