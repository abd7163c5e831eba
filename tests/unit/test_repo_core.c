/* test_repo_core.c - the repository writer (rampart/repo.h) through its
 * public API: what publish writes is checked with the strict parser and
 * threshold verification of src/tuf; hash-bin placement is checked against
 * tuf_succinct_role_for; versions and expiry dates; the offline root round
 * trip; refresh; status warnings; and every refusal leaves every byte of
 * the repository folder as it was. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "sim.h"
#include "crypto/hash.h"
#include "rampart/repo.h"
#include "repo/repo_internal.h"
#include "tuf/match.h"
#include "tuf/md.h"
#include "util/codec.h"
#include "util/rtime.h"
#include "util/banned.h"

#define NOW 1906502400LL /* 2030-06-01T00:00:00Z */

static char *tmp;
enum { K_ROOT, K_ROOT2, K_TARGETS, K_SNAPSHOT, K_TIMESTAMP, K_DEV, K_BINS, K_OTHER, NKEYS };
static const char *const key_names[NKEYS] = {"root",      "root2", "targets", "snapshot",
                                             "timestamp", "dev",   "bins",    "other"};
static rampart_signer *sig[NKEYS];
static rampart_public_key *pub[NKEYS];

static const char *at(const char *name)
{
    static char buf[8][600];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, 600, "%s/%s", tmp, name);
    return p;
}

static int make_keys(void)
{
    for (int i = 0; i < NKEYS; i++) {
        char priv[64], pubf[64];
        snprintf(priv, sizeof(priv), "%s.key", key_names[i]);
        snprintf(pubf, sizeof(pubf), "%s.pub", key_names[i]);
        rampart_keygen_options o = RAMPART_KEYGEN_OPTIONS_INIT;
        if (rampart_key_generate(&o, at(priv), at(pubf), &pub[i], NULL) != 0 ||
            rampart_signer_load_file(&sig[i], at(priv), NULL, NULL) != 0)
            return -1;
    }
    return 0;
}

/* A fingerprint of every file below `path` (names, modes and bytes). */
static void fp_walk(const char *path, const char *rel, rhash *h)
{
    DIR *d = opendir(path);
    if (d == NULL)
        return;
    char *names[4096];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 4096)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 && strcmp(e->d_name, ".lock") != 0)
            names[n++] = strdup(e->d_name);
    closedir(d);
    for (size_t i = 1; i < n; i++) /* insertion sort: small folders */
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++) {
        char full[1024], r[1024];
        snprintf(full, sizeof(full), "%s/%s", path, names[i]);
        snprintf(r, sizeof(r), "%s/%s", rel, names[i]);
        struct stat st;
        if (lstat(full, &st) != 0)
            continue;
        if (rhash_update(h, r, strlen(r) + 1) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            fp_walk(full, r, h);
        } else {
            size_t len = 0;
            uint8_t *b = sim_read_file(path, names[i], &len);
            if (rhash_update(h, &len, sizeof(len)) != 0 || (b != NULL && rhash_update(h, b, len) != 0))
                len = 0;
            free(b);
        }
        free(names[i]);
    }
}

static void fingerprint(const char *dir, char out[65])
{
    rhash h = {0};
    uint8_t d[RHASH_MAX_LEN];
    if (rhash_init(&h, RHASH_SHA256) == 0) {
        fp_walk(dir, "", &h);
        if (rhash_final(&h, d) == 0)
            rhex_encode(out, d, 32);
    }
    rhash_free(&h);
}

static rampart_repo *new_repo(const char *name, unsigned bins)
{
    rampart_repo_init_options o = RAMPART_REPO_INIT_OPTIONS_INIT;
    const rampart_public_key *root[] = {pub[K_ROOT]}, *t[] = {pub[K_TARGETS]}, *s[] = {pub[K_SNAPSHOT]},
                             *ts[] = {pub[K_TIMESTAMP]}, *b[] = {pub[K_BINS]};
    o.dir = at(name);
    o.now = NOW;
    o.root = (rampart_role_keys){root, 1, 1, 0};
    o.targets = (rampart_role_keys){t, 1, 1, 0};
    o.snapshot = (rampart_role_keys){s, 1, 1, 0};
    o.timestamp = (rampart_role_keys){ts, 1, 1, 0};
    o.bins = bins;
    if (bins)
        o.bins_keys = (rampart_role_keys){b, 1, 1, 0};
    rampart_repo *r = NULL;
    if (rampart_repo_init(&r, &o, NULL, NULL, NULL) != 0)
        return NULL;
    rampart_repo_set_time(r, NOW);
    return r;
}

static void add_all_signers(rampart_repo *r)
{
    for (int i = 0; i < NKEYS; i++)
        if (i != K_OTHER && rampart_repo_add_signer(r, sig[i]) != 0)
            return;
}

/* Parses public/metadata/NAME of the repository `repo`. */
static tuf_md *load_md(const char *repo, const char *name, tuf_type t)
{
    char dir[700];
    snprintf(dir, sizeof(dir), "%s/public/metadata", at(repo));
    size_t len = 0;
    uint8_t *b = sim_read_file(dir, name, &len);
    if (b == NULL)
        return NULL;
    uint8_t *copy = rampart_malloc(len ? len : 1);
    memcpy(copy, b, len);
    free(b);
    tuf_md *md = NULL;
    if (tuf_md_parse(&md, copy, len, true, 64u << 20, t, name, NULL) != 0)
        return NULL;
    return md;
}

static void write_src(const char *name, const char *text)
{
    sim_write_file(tmp, name, text, strlen(text));
}

static void test_publish_verifies(void)
{
    rampart_repo *r = new_repo("flat", 0);
    CHECK(r != NULL);
    write_src("a.txt", "alpha\n");
    rampart_target_options o = RAMPART_TARGET_OPTIONS_INIT;
    o.custom_json = "{\"x\":1}";
    CHECK_OK(rampart_repo_add_target(r, at("a.txt"), "dir/a.txt", &o));
    /* a file above the in-memory limit takes the streaming path */
    size_t big_len = (5u << 20) + 3;
    char *big = malloc(big_len);
    CHECK(big != NULL);
    for (size_t i = 0; i < big_len; i++)
        big[i] = (char)(i * 7 + (i >> 12));
    sim_write_file(tmp, "big.bin", big, big_len);
    CHECK_OK(rampart_repo_add_target(r, at("big.bin"), "big.bin", NULL));
    add_all_signers(r);
    rampart_publish_result res;
    CHECK_OK(rampart_repo_publish(r, &res));
    CHECK_INT(res.roles_published, 4);
    CHECK_INT(res.snapshot_version, 1);
    rampart_repo_free(r);

    tuf_md *root = load_md("flat", "1.root.json", TUF_ROOT);
    tuf_md *ts = load_md("flat", "timestamp.json", TUF_TIMESTAMP);
    tuf_md *snap = load_md("flat", "1.snapshot.json", TUF_SNAPSHOT);
    tuf_md *tg = load_md("flat", "1.targets.json", TUF_TARGETS);
    CHECK(root != NULL && ts != NULL && snap != NULL && tg != NULL);
    CHECK(root->consistent_snapshot);
    CHECK_OK(tuf_md_verify(root, &root->keys, tuf_root_role(root, TUF_ROOT), "root", NULL));
    CHECK_OK(tuf_md_verify(ts, &root->keys, tuf_root_role(root, TUF_TIMESTAMP), "timestamp", NULL));
    CHECK_OK(tuf_md_verify(snap, &root->keys, tuf_root_role(root, TUF_SNAPSHOT), "snapshot", NULL));
    CHECK_OK(tuf_md_verify(tg, &root->keys, tuf_root_role(root, TUF_TARGETS), "targets", NULL));
    /* the timestamp's length and hash describe the snapshot's exact bytes */
    rslice sb = tuf_md_bytes(snap);
    CHECK_OK(tuf_check_hashes(ts, ts->snapshot_meta.hashes, ts->snapshot_meta.length, sb.p, sb.n, "snapshot", NULL));
    tuf_metafile mf;
    CHECK_OK(tuf_md_metafile(snap, rslice_cstr("targets.json"), &mf));
    CHECK_INT(mf.version, 1);
    /* expiry = the fixed time + the default periods */
    CHECK_INT(root->expires, NOW + RAMPART_REPO_ROOT_EXPIRES);
    CHECK_INT(ts->expires, NOW + RAMPART_REPO_TIMESTAMP_EXPIRES);
    CHECK_INT(snap->expires, NOW + RAMPART_REPO_SNAPSHOT_EXPIRES);
    tuf_targetfile tf;
    CHECK_OK(tuf_md_target(tg, rslice_cstr("dir/a.txt"), &tf));
    CHECK_INT(tf.length, 6);
    CHECK(tf.custom != JD_NONE);
    CHECK_OK(tuf_check_hashes(tg, tf.hashes, tf.length, (const uint8_t *)"alpha\n", 6, "a", NULL));
    /* the target file is published under its hash */
    tuf_hashlist hl;
    CHECK_OK(tuf_hashlist_parse(tg, tf.hashes, &hl, "a", NULL));
    char hex[65], name[200], tdir[700];
    rhex_encode(hex, hl.h[0].digest, 32);
    snprintf(name, sizeof(name), "%s.a.txt", hex);
    snprintf(tdir, sizeof(tdir), "%s/public/targets/dir", at("flat"));
    uint8_t *b = sim_read_file(tdir, name, NULL);
    CHECK(b != NULL && strcmp((char *)b, "alpha\n") == 0);
    free(b);
    CHECK_OK(tuf_md_target(tg, rslice_cstr("big.bin"), &tf));
    CHECK_INT(tf.length, big_len);
    CHECK_OK(tuf_check_hashes(tg, tf.hashes, tf.length, (const uint8_t *)big, big_len, "big", NULL));
    CHECK_OK(tuf_hashlist_parse(tg, tf.hashes, &hl, "big", NULL));
    rhex_encode(hex, hl.h[0].digest, 32);
    snprintf(name, sizeof(name), "%s.big.bin", hex);
    snprintf(tdir, sizeof(tdir), "%s/public/targets", at("flat"));
    size_t got_len = 0;
    b = sim_read_file(tdir, name, &got_len);
    CHECK(b != NULL && got_len == big_len && memcmp(b, big, big_len) == 0);
    free(b);
    free(big);
    tuf_md_free(root);
    tuf_md_free(ts);
    tuf_md_free(snap);
    tuf_md_free(tg);
}

static void test_versions(void)
{
    rampart_repo *r = new_repo("versions", 0);
    CHECK(r != NULL);
    add_all_signers(r);
    write_src("v1", "one");
    write_src("v2", "two");
    write_src("v3", "three");
    CHECK_OK(rampart_repo_add_target(r, at("v1"), "v1", NULL));
    CHECK_OK(rampart_repo_publish(r, NULL));
    rampart_publish_result res = {0};
    CHECK_OK(rampart_repo_publish(r, &res));
    CHECK_INT(res.roles_published, 0); /* idempotent */
    /* two edits before a publish: one new version, expiring from the last edit */
    CHECK_OK(rampart_repo_add_target(r, at("v2"), "v2", NULL));
    rampart_repo_set_time(r, NOW + 86400);
    CHECK_OK(rampart_repo_add_target(r, at("v3"), "v3", NULL));
    CHECK_OK(rampart_repo_publish(r, &res));
    CHECK_INT(res.snapshot_version, 2);
    CHECK_INT(res.timestamp_version, 2);
    rampart_repo_free(r);
    tuf_md *tg = load_md("versions", "2.targets.json", TUF_TARGETS);
    CHECK(tg != NULL);
    CHECK_INT(tg->version, 2);
    CHECK_INT(tg->expires, NOW + 86400 + RAMPART_REPO_TARGETS_EXPIRES);
    tuf_md_free(tg);
    CHECK(load_md("versions", "3.targets.json", TUF_TARGETS) == NULL);
}

static void test_bins_placement(void)
{
    rampart_repo *r = new_repo("bins", 16);
    CHECK(r != NULL);
    static const char *const paths[] = {"a", "pkgs/b.deb", "x/y/z", "é", "long/path/to/some-file-1.2.3.tar.gz"};
    write_src("blob", "same bytes");
    for (size_t i = 0; i < 5; i++)
        CHECK_OK(rampart_repo_add_target(r, at("blob"), paths[i], NULL));
    add_all_signers(r);
    CHECK_OK(rampart_repo_publish(r, NULL));
    rampart_repo_free(r);
    tuf_md *tg = load_md("bins", "1.targets.json", TUF_TARGETS);
    CHECK(tg != NULL && tg->has_succinct);
    CHECK_INT(tg->succinct.bit_length, 4);
    for (size_t i = 0; i < 5; i++) {
        tuf_path_hash ph;
        rbuf want;
        rbuf_init(&want, 256);
        CHECK_OK(tuf_path_hash_compute(rslice_cstr(paths[i]), &ph));
        CHECK_OK(tuf_succinct_role_for(&tg->succinct, &ph, &want));
        char fname[300];
        snprintf(fname, sizeof(fname), "1.%s.json", (char *)want.data);
        tuf_md *bin = load_md("bins", fname, TUF_TARGETS);
        rbuf_free(&want);
        CHECK(bin != NULL);
        tuf_targetfile tf;
        CHECK_OK(tuf_md_target(bin, rslice_cstr(paths[i]), &tf));
        CHECK_OK(tuf_md_verify(bin, &tg->keys, &tg->succinct.auth, "bin", NULL));
        tuf_md_free(bin);
    }
    /* all 16 bins are published, and listed in the snapshot */
    tuf_md *snap = load_md("bins", "1.snapshot.json", TUF_SNAPSHOT);
    CHECK(snap != NULL);
    CHECK_INT(jdoc_count(snap->doc, snap->meta), 17);
    tuf_md_free(snap);
    tuf_md_free(tg);
}

/* Runs `call` expecting `code`, and checks the folder's bytes are unchanged. */
#define CHECK_UNCHANGED(dir, call, code)                                                                               \
    do {                                                                                                               \
        char before[65] = "", after[65] = "";                                                                          \
        fingerprint(dir, before);                                                                                      \
        CHECK_RC(call, code);                                                                                          \
        fingerprint(dir, after);                                                                                       \
        CHECK_STR(after, before);                                                                                      \
    } while (0)

static void test_refusals_change_nothing(void)
{
    rampart_repo *r = new_repo("refuse", 0);
    CHECK(r != NULL);
    char d[700];
    snprintf(d, sizeof(d), "%s", at("refuse"));
    write_src("f", "f");
    CHECK_OK(rampart_repo_add_target(r, at("f"), "f", NULL));
    CHECK_UNCHANGED(d, rampart_repo_add_target(r, at("f"), "f", NULL), RAMPART_EEXIST);
    CHECK_UNCHANGED(d, rampart_repo_add_target(r, at("f"), "a/../f", NULL), RAMPART_EPATH);
    CHECK_UNCHANGED(d, rampart_repo_add_target(r, at("f"), "/abs", NULL), RAMPART_EPATH);
    CHECK_UNCHANGED(d, rampart_repo_add_target(r, at("f"), "a//b", NULL), RAMPART_EPATH);
    CHECK_UNCHANGED(d, rampart_repo_add_target(r, at("missing"), "m", NULL), RAMPART_ENOTFOUND);
    rampart_target_options o = RAMPART_TARGET_OPTIONS_INIT;
    o.custom_json = "\"text\"";
    CHECK_UNCHANGED(d, rampart_repo_add_target(r, at("f"), "g", &o), RAMPART_EFORMAT);
    o.custom_json = NULL;
    o.role = "root";
    CHECK_UNCHANGED(d, rampart_repo_add_target(r, at("f"), "g", &o), RAMPART_EINVAL);
    CHECK_UNCHANGED(d, rampart_repo_remove_target(r, "nope", NULL), RAMPART_ENOTFOUND);

    const rampart_public_key *dev[] = {pub[K_DEV]};
    static const char *const pats[] = {"dev/*"};
    rampart_delegation_options del = RAMPART_DELEGATION_OPTIONS_INIT;
    del.name = "dev";
    del.keys = dev;
    del.key_count = 1;
    del.threshold = 2;
    del.paths = pats;
    del.path_count = 1;
    CHECK_UNCHANGED(d, rampart_repo_delegate(r, &del), RAMPART_EINVAL);
    del.threshold = 1;
    del.name = "snapshot";
    CHECK_UNCHANGED(d, rampart_repo_delegate(r, &del), RAMPART_EINVAL);
    /* Names clients refuse (a top-level role's file): not created either. */
    del.name = "ROOT";
    CHECK_UNCHANGED(d, rampart_repo_delegate(r, &del), RAMPART_EINVAL);
    CHECK_STR(rampart_repo_last_error(r)->message,
              "bad role name 'ROOT': a delegated role may not be named \"ROOT\": on a case-insensitive file system "
              "its metadata would replace root.json");
    del.name = "2.root";
    CHECK_UNCHANGED(d, rampart_repo_delegate(r, &del), RAMPART_EINVAL);
    CHECK_STR(rampart_repo_last_error(r)->message,
              "bad role name '2.root': a delegated role may not be named \"2.root\": its metadata file 2.root.json "
              "would be that of root version 2");
    del.name = "dev";
    del.delegator = "ghost";
    CHECK_UNCHANGED(d, rampart_repo_delegate(r, &del), RAMPART_ENOTFOUND);
    del.delegator = NULL;
    del.bins = 3;
    CHECK_UNCHANGED(d, rampart_repo_delegate(r, &del), RAMPART_EINVAL);

    rampart_rotate_options ro = RAMPART_ROTATE_OPTIONS_INIT;
    ro.role = "targets";
    ro.threshold = 2;
    CHECK_UNCHANGED(d, rampart_repo_rotate(r, &ro), RAMPART_EINVAL);
    ro.threshold = 0;
    const char *ids[] = {"00000000000000000000"};
    ro.remove_keyids = ids;
    ro.remove_count = 1;
    CHECK_UNCHANGED(d, rampart_repo_rotate(r, &ro), RAMPART_ENOTFOUND);
    const char *own[] = {rampart_public_key_keyid(pub[K_TARGETS])};
    ro.remove_keyids = own;
    CHECK_UNCHANGED(d, rampart_repo_rotate(r, &ro), RAMPART_EINVAL); /* no keys left */

    /* signing with a key the role does not list */
    CHECK_OK(rampart_repo_add_signer(r, sig[K_OTHER]));
    CHECK_UNCHANGED(d, rampart_repo_sign(r, "targets"), RAMPART_EINVAL);
    CHECK(strstr(rampart_repo_last_error(r)->message, "is not a key of role 'targets'") != NULL);
    rampart_repo_free(r);

    /* a publish missing signatures writes nothing */
    CHECK_OK(rampart_repo_open(&r, d, NULL));
    rampart_repo_set_time(r, NOW);
    CHECK_OK(rampart_repo_add_signer(r, sig[K_TARGETS]));
    CHECK_OK(rampart_repo_add_signer(r, sig[K_SNAPSHOT]));
    CHECK_OK(rampart_repo_add_signer(r, sig[K_TIMESTAMP]));
    CHECK_UNCHANGED(d, rampart_repo_publish(r, NULL), RAMPART_EBADSIG);
    CHECK_STR(rampart_repo_last_error(r)->role, "root");
    CHECK_UNCHANGED(d, rampart_repo_refresh(r, "timestamp", NULL), RAMPART_EINVAL); /* nothing published */
    CHECK_UNCHANGED(d, rampart_repo_refresh(r, "targets", NULL), RAMPART_EINVAL);
    rampart_repo_free(r);
}

static void test_lock(void)
{
    rampart_repo *a = new_repo("locked", 0), *b = NULL;
    CHECK(a != NULL);
    rampart_error err;
    CHECK_RC(rampart_repo_open(&b, at("locked"), &err), RAMPART_ELOCKED);
    rampart_repo_free(a);
    CHECK_OK(rampart_repo_open(&b, at("locked"), &err));
    rampart_repo_free(b);
    CHECK_RC(rampart_repo_open(&b, at("nothing-here"), &err), RAMPART_ENOTFOUND);
    CHECK_RC(rampart_repo_open(&b, tmp, &err), RAMPART_ENOTFOUND);
}

static void test_offline_root(void)
{
    rampart_repo *r = new_repo("offline", 0);
    CHECK(r != NULL);
    add_all_signers(r);
    CHECK_OK(rampart_repo_publish(r, NULL));
    rampart_repo_free(r);
    /* a fresh handle without root keys: root 2 adds root2 and needs 2 of 2 */
    CHECK_OK(rampart_repo_open(&r, at("offline"), NULL));
    rampart_repo_set_time(r, NOW);
    const rampart_public_key *add[] = {pub[K_ROOT2]};
    rampart_rotate_options ro = RAMPART_ROTATE_OPTIONS_INIT;
    ro.role = "root";
    ro.add = add;
    ro.add_count = 1;
    ro.threshold = 2;
    CHECK_OK(rampart_repo_rotate(r, &ro));
    CHECK_OK(rampart_repo_export(r, "root", at("root-2.json")));
    CHECK_RC(rampart_repo_export(r, "root", at("root-2.json")), RAMPART_EEXIST);
    /* offline: sign with the old key only, import, publish must refuse */
    CHECK_OK(rampart_metadata_sign_file(at("root-2.json"), at("signed-1.json"), sig[K_ROOT], NULL));
    size_t n = 0;
    CHECK_OK(rampart_repo_import_signatures(r, NULL, at("signed-1.json"), &n));
    CHECK_INT(n, 1);
    CHECK_OK(rampart_repo_add_signer(r, sig[K_SNAPSHOT]));
    CHECK_OK(rampart_repo_add_signer(r, sig[K_TIMESTAMP]));
    CHECK_RC(rampart_repo_publish(r, NULL), RAMPART_EBADSIG);
    CHECK(strstr(rampart_repo_last_error(r)->message, "1 of the 2") != NULL);
    /* a signature by a key root does not list is refused on import */
    CHECK_OK(rampart_metadata_sign_file(at("root-2.json"), at("bad.json"), sig[K_OTHER], NULL));
    CHECK_RC(rampart_repo_import_signatures(r, "root", at("bad.json"), &n), RAMPART_EINVAL);
    /* a tampered signature is refused */
    size_t len = 0;
    uint8_t *b = sim_read_file(tmp, "signed-1.json", &len);
    CHECK(b != NULL);
    char *sigp = strstr((char *)b, "\"sig\": \"");
    CHECK(sigp != NULL);
    sigp[8] = sigp[8] == 'a' ? 'b' : 'a';
    sim_write_file(tmp, "tampered.json", b, len);
    free(b);
    CHECK_RC(rampart_repo_import_signatures(r, "root", at("tampered.json"), &n), RAMPART_EBADSIG);
    /* another document (the published root 1) is refused */
    char one[700];
    snprintf(one, sizeof(one), "%s/public/metadata/1.root.json", at("offline"));
    CHECK_RC(rampart_repo_import_signatures(r, "root", one, &n), RAMPART_EMISMATCH);
    CHECK_OK(rampart_metadata_sign_file(at("signed-1.json"), NULL, sig[K_ROOT2], NULL));
    CHECK_OK(rampart_repo_import_signatures(r, "root", at("signed-1.json"), &n));
    CHECK_INT(n, 1);
    CHECK_OK(rampart_repo_publish(r, NULL));
    rampart_repo_free(r);
    tuf_md *r1 = load_md("offline", "1.root.json", TUF_ROOT), *r2 = load_md("offline", "2.root.json", TUF_ROOT);
    tuf_md *latest = load_md("offline", "root.json", TUF_ROOT);
    CHECK(r1 != NULL && r2 != NULL && latest != NULL);
    CHECK_INT(r2->version, 2);
    CHECK_INT(latest->version, 2);
    CHECK_OK(tuf_md_verify(r2, &r1->keys, tuf_root_role(r1, TUF_ROOT), "root", NULL));
    CHECK_OK(tuf_md_verify(r2, &r2->keys, tuf_root_role(r2, TUF_ROOT), "root", NULL));
    tuf_md_free(r1);
    tuf_md_free(r2);
    tuf_md_free(latest);
}

static void test_refresh(void)
{
    rampart_repo *r = new_repo("refresh", 0);
    CHECK(r != NULL);
    add_all_signers(r);
    CHECK_OK(rampart_repo_publish(r, NULL));
    rampart_repo_set_time(r, NOW + 3600);
    rampart_publish_result res;
    CHECK_OK(rampart_repo_refresh(r, "timestamp", &res));
    CHECK_INT(res.timestamp_version, 2);
    CHECK_INT(res.snapshot_version, 1);
    CHECK_OK(rampart_repo_refresh(r, "snapshot", &res));
    CHECK_INT(res.timestamp_version, 3);
    CHECK_INT(res.snapshot_version, 2);
    rampart_repo_free(r);
    tuf_md *ts = load_md("refresh", "timestamp.json", TUF_TIMESTAMP),
           *s2 = load_md("refresh", "2.snapshot.json", TUF_SNAPSHOT);
    CHECK(ts != NULL && s2 != NULL);
    CHECK_INT(ts->version, 3);
    CHECK_INT(ts->expires, NOW + 3600 + RAMPART_REPO_TIMESTAMP_EXPIRES);
    CHECK_INT(ts->snapshot_meta.version, 2);
    rslice sb = tuf_md_bytes(s2);
    CHECK_OK(tuf_check_hashes(ts, ts->snapshot_meta.hashes, ts->snapshot_meta.length, sb.p, sb.n, "s", NULL));
    tuf_md_free(ts);
    tuf_md_free(s2);
}

static int nwarn;
static char warned[4096];
static void on_warn(void *ctx, const char *line)
{
    (void)ctx;
    nwarn++;
    size_t n = strlen(warned);
    snprintf(warned + n, sizeof(warned) - n, "%s\n", line);
}

static void test_status(void)
{
    rampart_repo *r = new_repo("status", 0);
    CHECK(r != NULL);
    add_all_signers(r);
    CHECK_OK(rampart_repo_publish(r, NULL));
    write_src("s", "s");
    CHECK_OK(rampart_repo_add_target(r, at("s"), "s", NULL));
    rampart_repo_free(r);
    CHECK_OK(rampart_repo_open(&r, at("status"), NULL));
    rampart_repo_set_time(r, NOW + 6 * 86400 + 12 * 3600); /* snapshot: 12 h left */
    nwarn = 0;
    warned[0] = '\0';
    CHECK_OK(rampart_repo_status(r, 14, NULL, on_warn, NULL));
    CHECK(strstr(warned, "timestamp: EXPIRED") != NULL);
    CHECK(strstr(warned, "snapshot: expires soon") != NULL);
    CHECK(strstr(warned, "root: threshold 1") != NULL);
    CHECK(strstr(warned, "targets: changed, 0 of 1 signature") != NULL);
    CHECK(strstr(warned, "root: expires") == NULL);
    rampart_repo_free(r);
}

int main(void)
{
    tmp = sim_mkdtemp();
    if (make_keys() != 0) {
        fprintf(stderr, "cannot make keys\n");
        return 1;
    }
    RUN(test_publish_verifies);
    RUN(test_versions);
    RUN(test_bins_placement);
    RUN(test_refusals_change_nothing);
    RUN(test_lock);
    RUN(test_offline_root);
    RUN(test_refresh);
    RUN(test_status);
    for (int i = 0; i < NKEYS; i++) {
        rampart_signer_free(sig[i]);
        rampart_public_key_free(pub[i]);
    }
    sim_rmtree(tmp);
    free(tmp);
    return th_summary("test_repo_core");
}
