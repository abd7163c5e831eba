/*
 * ctest_util.h - shared set-up for the client test programs
 * (tests/unit/test_client_*.c): a simulated repository (sim.h), a temporary
 * folder holding metadata/ and targets/, a client with a fixed clock wired
 * to the simulator, and compact views of what is on disk, so that a test can
 * assert the exact state after every step with one CHECK_STR:
 *
 *     ct_state(t)  "root=2 snapshot=1 targets=1 timestamp=2"
 *                  every *.json in the metadata folder, as FILESTEM=VERSION
 *                  where VERSION is the published version whose bytes the
 *                  file holds byte for byte ("=?" when none does; "#2" marks
 *                  the second publication of the same version number), plus
 *                  "+NAME" for any other file except the lock file;
 *     ct_tree(t, dir)  every entry below `dir`, sorted, folders with "/",
 *                  symlinks with "@" (temporary files show up here);
 *     sim_requests(t->s)  the request log.
 *
 * Every test built with CT_TEST gets a fresh ctest (root v1 bootstrapped,
 * client created) and has it torn down whatever the outcome.
 */
#ifndef RAMPART_TEST_CTEST_UTIL_H
#define RAMPART_TEST_CTEST_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rampart/client.h"
#include "sim.h"

typedef struct ctest {
    sim *s;
    char *base;               /* temporary folder, removed by ct_teardown */
    char mdir[4096];          /* base/metadata */
    char tdir[4096];          /* base/targets (created empty) */
    long long now;            /* the client's clock; SIM_NOW unless a test moves it */
    rampart_client_options o; /* options of the next ct_reopen (unset fields get the defaults below) */
    rampart_client *c;
    char state[16384];
    char tree[16384];
} ctest;

/* A new repository (sim_new), folders, root v1 bootstrapped into the
 * metadata folder, and a client (ct_reopen).  Aborts on any failure. */
void ct_setup(ctest *t);
/* Frees the client and the simulator and removes the folders. */
void ct_teardown(ctest *t);

/* (Re)creates the client from t->o, as a new process would: metadata_dir
 * defaults to t->mdir, the mirrors to SIM_METADATA_URL / SIM_TARGETS_URL,
 * the clock to t->now.  The simulator's transport is installed. */
void ct_reopen(ctest *t);
/* Replaces the trusted root in the metadata folder with published root
 * `version` (through rampart_client_bootstrap, which must accept it). */
void ct_bootstrap(ctest *t, int64_t version);

int ct_refresh(ctest *t);
/* get_target_info + free: the return code only. */
int ct_find(ctest *t, const char *path);
/* get_target_info + download_target into t->tdir: the first failing code. */
int ct_download(ctest *t, const char *path);

/* Views of the disk (see above); the string lives in `t` until the next call. */
const char *ct_state(ctest *t);
const char *ct_tree(ctest *t, const char *dir);
/* True when file `name` in `dir` holds exactly these bytes. */
bool ct_file_is(const char *dir, const char *name, const void *data, size_t len);
/* True when `dir/name` holds exactly the bytes of published `role` version `version`. */
bool ct_file_is_version(sim *s, const char *dir, const char *name, const char *role, int64_t version);

/* Lower-case hex SHA-256 of the bytes. */
void ct_sha256_hex(const void *data, size_t len, char out[65]);
/* The META entry {"version", "length", "hashes": {"sha256"}} describing
 * published `role` version `version` (a new reference). */
json_t *ct_metafile(sim *s, const char *role, int64_t version);

/* The request path of a target under consistent snapshots:
 * "targets/DIR/SHA256.BASE". */
void ct_target_req(char *out, size_t n, const char *path, const void *data, size_t len);

/* A published document as JSON (version `version`, first publication);
 * aborts when absent.  The caller owns the reference. */
json_t *ct_doc(sim *s, const char *role, int64_t version);
/* Serialises a document as the simulator does (steals the reference), and
 * serves it at `path` / makes it the newest stored bytes of `role`. */
void ct_serve_json(sim *s, const char *path, json_t *doc);
void ct_replace_json(sim *s, const char *role, json_t *doc);
/* Appends a copy of the first signature of `doc`, under `keyid` (NULL: the same keyid). */
void ct_dup_sig(json_t *doc, const char *keyid);

/* Replaces every key of top-level `role` in root by one new key, which
 * alone signs the role from now on; root itself is not published. */
rprivkey *ct_rotate(sim *s, const char *role);
/* Sets "version" of a role's signed part (the next publish adds 1). */
void ct_set_version(sim *s, const char *role, int64_t version);

/* Publishes `role` (signed by its first signer) with every "@NUL@" in its
 * strings standing for U+0000: signed over canonical bytes holding a raw
 * NUL there (as securesystemslib writes it), served with "\u0000" (as
 * python-tuf writes it).  jansson cannot canonicalise a NUL itself. */
void ct_publish_with_nul(sim *s, const char *role);

/* The first keyid of `role` in its delegator's entry. */
const char *ct_keyid_of(sim *s, const char *delegator, const char *role);

#define CT_TEST(name)                                                                                                  \
    static void name##_body(ctest *t);                                                                                 \
    static void name(void)                                                                                             \
    {                                                                                                                  \
        ctest ct_t;                                                                                                    \
        ct_setup(&ct_t);                                                                                               \
        name##_body(&ct_t);                                                                                            \
        ct_teardown(&ct_t);                                                                                            \
    }                                                                                                                  \
    static void name##_body(ctest *t)

#ifdef RAMPART_TEST_HARNESS_H
/* Asserts the client's last error: code, role, and a message containing `sub`. */
#define CHECK_ERR(t, code_, role_, sub_)                                                                               \
    do {                                                                                                               \
        const rampart_error *ct_e = rampart_client_last_error((t)->c);                                                 \
        if (ct_e->code != (code_) || strcmp(ct_e->role, (role_)) != 0 || strstr(ct_e->message, (sub_)) == NULL) {      \
            TH_FAIL("last error %s, role \"%s\", \"%s\"; expected %s, role \"%s\", a message containing \"%s\"",       \
                    rampart_error_name(ct_e->code), ct_e->role, ct_e->message, rampart_error_name(code_), (role_),     \
                    (sub_));                                                                                           \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)
#endif

#endif
