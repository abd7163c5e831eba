/*
 * test_client_download.c - fetching targets (TUF §5.7) from a simulated
 * hostile repository: docs/security-matrix.md scenarios S47-S53.  Each test
 * asserts the return code, the last error, the target requests, and exactly
 * what is in the target folder afterwards (no partial or temporary files,
 * nothing outside it).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "crypto/hash.h"
#include "client/client_internal.h"
#include "ctest_util.h"
#include "util/codec.h"
#include "util/banned.h"

#define CONTENTS "target file contents"
#define CLEN (sizeof(CONTENTS) - 1)

/* targets lists file.txt (CONTENTS) and other.txt ("content"). */
static void two_targets(sim *s)
{
    sim_add_target(s, "targets", "file.txt", CONTENTS, CLEN);
    sim_add_target(s, "targets", "other.txt", "content", 7);
    sim_update(s, "targets");
}

/* The request log line of a target (consistent snapshots). */
static const char *req_line(char *buf, size_t cap, const char *path, const void *data, size_t len)
{
    ct_target_req(buf, cap - 1, path, data, len);
    size_t n = strlen(buf);
    buf[n] = '\n';
    buf[n + 1] = '\0';
    return buf;
}

static long long mtime_of(const char *dir, const char *name)
{
    char p[8192];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    struct stat sb;
    return stat(p, &sb) == 0 ? (long long)sb.st_mtim.tv_sec : -1;
}

static void set_old_mtime(const char *dir, const char *name)
{
    char p[8192];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    struct timespec ts[2] = {{1000000000, 0}, {1000000000, 0}};
    if (utimensat(AT_FDCWD, p, ts, 0) != 0)
        abort();
}

static void remove_file(const char *dir, const char *name)
{
    char p[8192];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    if (unlink(p) != 0)
        abort();
}

/* S47: the repository swaps contents, keeping the length: a verified cached
 * copy is kept untouched (no request), a fresh download is refused and
 * leaves nothing behind. */
CT_TEST(test_s47_swapped_contents)
{
    two_targets(t->s);
    CHECK_OK(ct_download(t, "file.txt"));
    CHECK_STR(ct_tree(t, t->tdir), "file.txt");
    set_old_mtime(t->tdir, "file.txt");
    sim_set_target_data(t->s, "file.txt", "malicious data - bad", CLEN);
    sim_set_target_data(t->s, "other.txt", "CONTENT", 7);
    sim_reset_requests(t->s);
    CHECK_OK(ct_download(t, "file.txt"));
    CHECK_STR(sim_requests(t->s), "");
    CHECK_INT(mtime_of(t->tdir, "file.txt"), 1000000000);
    CHECK(ct_file_is(t->tdir, "file.txt", CONTENTS, CLEN));

    char req[512];
    CHECK_RC(ct_download(t, "other.txt"), RAMPART_EMISMATCH);
    CHECK_ERR(t, RAMPART_EMISMATCH, "targets", "target 'other.txt' does not match its sha256 hash");
    CHECK_STR(sim_requests(t->s), req_line(req, sizeof(req), "other.txt", "content", 7));
    CHECK_STR(ct_tree(t, t->tdir), "file.txt");

    remove_file(t->tdir, "file.txt");
    CHECK_RC(ct_download(t, "file.txt"), RAMPART_EMISMATCH);
    CHECK_STR(ct_tree(t, t->tdir), "");
}

/* S47: a new legitimate version whose download is tampered with: the old
 * verified file stays in place, byte for byte. */
CT_TEST(test_s47_failed_update_keeps_old_copy)
{
    two_targets(t->s);
    CHECK_OK(ct_download(t, "file.txt"));
    sim_add_target(t->s, "targets", "file.txt", "modified contents 1", 19);
    sim_update(t->s, "targets");
    sim_set_target_data(t->s, "file.txt", "malicious contents!", 19);
    ct_reopen(t);
    CHECK_RC(ct_download(t, "file.txt"), RAMPART_EMISMATCH);
    CHECK_STR(ct_tree(t, t->tdir), "file.txt");
    CHECK(ct_file_is(t->tdir, "file.txt", CONTENTS, CLEN));
    /* The genuine new version replaces it at the same name. */
    sim_set_target_data(t->s, "file.txt", "modified contents 1", 19);
    CHECK_OK(ct_download(t, "file.txt"));
    CHECK_STR(ct_tree(t, t->tdir), "file.txt");
    CHECK(ct_file_is(t->tdir, "file.txt", "modified contents 1", 19));
}

/* S48: a stream longer than the length aborts at length + 1 (endless data
 * too); a shorter one is a mismatch. */
CT_TEST(test_s48_stream_length)
{
    two_targets(t->s);
    char path[512];
    ct_target_req(path, sizeof(path), "other.txt", "content", 7);
    sim_serve_bytes(t->s, path, "content!", 8);
    CHECK_RC(ct_download(t, "other.txt"), RAMPART_ETOOLARGE);
    CHECK_STR(ct_tree(t, t->tdir), "");
    sim_serve_endless(t->s, path);
    CHECK_RC(ct_download(t, "other.txt"), RAMPART_ETOOLARGE);
    CHECK_STR(ct_tree(t, t->tdir), "");
    sim_serve_bytes(t->s, path, "conten", 6);
    CHECK_RC(ct_download(t, "other.txt"), RAMPART_EMISMATCH);
    CHECK_ERR(t, RAMPART_EMISMATCH, "targets", "target 'other.txt' is 6 bytes, expected 7");
    CHECK_STR(ct_tree(t, t->tdir), "");
    sim_serve_status(t->s, path, RAMPART_ENOTFOUND);
    CHECK_RC(ct_download(t, "other.txt"), RAMPART_ENOTFOUND);
    CHECK_STR(ct_tree(t, t->tdir), "");
    sim_clear_faults(t->s);
    CHECK_OK(ct_download(t, "other.txt"));
    CHECK_STR(ct_tree(t, t->tdir), "other.txt");
}

/* A transport that ignores the byte cap it is given (a broken or hostile
 * transport implementation): the download itself must still stop at the
 * target's trusted length. */
typedef struct greedy_tp {
    rtransport base;
    rtransport *inner;
} greedy_tp;

static int greedy_get(rtransport *tp, const char *url, uint64_t max, const rsink *sink, rerr *e)
{
    (void)max;
    greedy_tp *g = (greedy_tp *)tp;
    return g->inner->get(g->inner, url, UINT64_MAX, sink, e);
}

static void greedy_free(rtransport *tp)
{
    greedy_tp *g = (greedy_tp *)tp;
    g->inner->free(g->inner);
    free(g);
}

CT_TEST(test_length_enforced_without_transport_cap)
{
    two_targets(t->s);
    char path[512];
    ct_target_req(path, sizeof(path), "other.txt", "content", 7);
    sim_serve_bytes(t->s, path, "content!", 8);
    CHECK_OK(ct_refresh(t));
    greedy_tp *g = calloc(1, sizeof(*g));
    CHECK(g != NULL);
    g->base.get = greedy_get;
    g->base.free = greedy_free;
    g->inner = sim_transport(t->s);
    rclient_set_transport(t->c, &g->base);
    CHECK_RC(ct_download(t, "other.txt"), RAMPART_ETOOLARGE);
    CHECK_STR(ct_tree(t, t->tdir), "");
    sim_clear_faults(t->s);
    CHECK_OK(ct_download(t, "other.txt"));
    CHECK(ct_file_is(t->tdir, "other.txt", "content", 7));
}

/* Sets target `path`'s "hashes" in targets to the given JSON object. */
static void set_hashes(sim *s, const char *path, json_t *hashes)
{
    json_t *entry = json_object_get(json_object_get(sim_signed(s, "targets"), "targets"), path);
    json_object_set_new(entry, "hashes", hashes);
}

static void hex_of(rhash_alg alg, const void *p, size_t n, char *out)
{
    uint8_t d[RHASH_MAX_LEN];
    if (rhash_digest(alg, p, n, d) != 0)
        abort();
    rhex_encode(out, d, rhash_len(alg));
}

/* S49: a target entry with "hashes": {} makes the whole targets role invalid. */
CT_TEST(test_s49_empty_hashes)
{
    two_targets(t->s);
    CHECK_OK(ct_refresh(t));
    set_hashes(t->s, "other.txt", json_object());
    sim_update(t->s, "targets");
    CHECK_RC(ct_refresh(t), RAMPART_EFORMAT);
    CHECK_ERR(t, RAMPART_EFORMAT, "targets", "hashes of \"other.txt\" is empty");
    CHECK_STR(ct_state(t), "root=1 snapshot=3 targets=2 timestamp=3");
    CHECK_RC(ct_download(t, "file.txt"), RAMPART_EFORMAT);
    CHECK_STR(ct_tree(t, t->tdir), "");
}

/* S50: an unknown hash algorithm, alone or next to a known one, is refused
 * (before any target request); sha512 alone and sha256+sha512 work, and
 * every listed hash is checked. */
CT_TEST(test_s50_hash_algorithms)
{
    two_targets(t->s);
    char h256[65], h512[129];
    hex_of(RHASH_SHA256, "content", 7, h256);
    hex_of(RHASH_SHA512, "content", 7, h512);
    set_hashes(t->s, "other.txt", json_pack("{s:s}", "unknown-hash", h512));
    sim_update(t->s, "targets");
    CHECK_RC(ct_download(t, "other.txt"), RAMPART_EUNSUPPORTED);
    CHECK_ERR(t, RAMPART_EUNSUPPORTED, "targets", "unknown-hash");
    set_hashes(t->s, "other.txt", json_pack("{s:s,s:s}", "sha256", h256, "md5", "9a0364b9e99bb480dd25e1f0284c8555"));
    sim_update(t->s, "targets");
    ct_reopen(t);
    CHECK_RC(ct_download(t, "other.txt"), RAMPART_EUNSUPPORTED);
    CHECK(strstr(sim_requests(t->s), "targets/") == NULL);
    CHECK_STR(ct_tree(t, t->tdir), "");

    /* sha512 only: the URL carries the sha512 digest. */
    set_hashes(t->s, "other.txt", json_pack("{s:s}", "sha512", h512));
    sim_update(t->s, "targets");
    ct_reopen(t);
    sim_reset_requests(t->s);
    CHECK_OK(ct_download(t, "other.txt"));
    char want[512];
    snprintf(want, sizeof(want), "targets/%s.other.txt\n", h512);
    CHECK(strstr(sim_requests(t->s), want) != NULL);
    CHECK(ct_file_is(t->tdir, "other.txt", "content", 7));
    remove_file(t->tdir, "other.txt");

    /* sha256 right, sha512 wrong: refused on the sha512. */
    char bad512[129];
    hex_of(RHASH_SHA512, "CONTENT", 7, bad512);
    set_hashes(t->s, "other.txt", json_pack("{s:s,s:s}", "sha256", h256, "sha512", bad512));
    sim_update(t->s, "targets");
    ct_reopen(t);
    CHECK_RC(ct_download(t, "other.txt"), RAMPART_EMISMATCH);
    CHECK_ERR(t, RAMPART_EMISMATCH, "targets", "target 'other.txt' does not match its sha512 hash");
    CHECK_STR(ct_tree(t, t->tdir), "");
    set_hashes(t->s, "other.txt", json_pack("{s:s,s:s}", "sha256", h256, "sha512", h512));
    sim_update(t->s, "targets");
    ct_reopen(t);
    CHECK_OK(ct_download(t, "other.txt"));
    CHECK(ct_file_is(t->tdir, "other.txt", "content", 7));
}

/* S51: target paths that would leave the target folder are refused before
 * any request, and nothing appears anywhere. */
CT_TEST(test_s51_unsafe_target_paths)
{
    const char *bad[] = {"../../etc/passwd", "/etc/x", "a/../../x", "..", "./x", "a/./b", "a//b", "dir/", "",
                         "a\\..\\b",         "x\x01y"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        sim_add_target(t->s, "targets", bad[i], "evil", 4);
    sim_update(t->s, "targets");
    CHECK_OK(ct_refresh(t));
    char before[16384];
    snprintf(before, sizeof(before), "%s", ct_tree(t, t->base));
    sim_reset_requests(t->s);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        rampart_target *tg = NULL;
        CHECK_OK(rampart_client_get_target_info(t->c, bad[i], &tg));
        int rc = rampart_client_download_target(t->c, tg, t->tdir, NULL);
        rampart_target_free(tg);
        if (rc != RAMPART_EPATH)
            fprintf(stderr, "  (target path #%zu)\n", i);
        CHECK_RC(rc, RAMPART_EPATH);
        CHECK_ERR(t, RAMPART_EPATH, "targets", "would escape the target folder");
    }
    CHECK_STR(sim_requests(t->s), "");
    CHECK_STR(ct_tree(t, t->base), before);
}

/* S51: a symlinked folder inside the target folder is never followed; a
 * symlink at the final name is replaced, never written through. */
CT_TEST(test_s51_symlinks_in_target_folder)
{
    sim_add_target(t->s, "targets", "sub/file.txt", CONTENTS, CLEN);
    sim_add_target(t->s, "targets", "file.txt", CONTENTS, CLEN);
    sim_update(t->s, "targets");
    char outside[4096], link[8192];
    snprintf(outside, sizeof(outside), "%s/outside", t->base);
    CHECK_INT(mkdir(outside, 0700), 0);
    snprintf(link, sizeof(link), "%s/sub", t->tdir);
    CHECK_INT(symlink(outside, link), 0);
    CHECK_RC(ct_download(t, "sub/file.txt"), RAMPART_EPATH);
    CHECK_ERR(t, RAMPART_EPATH, "targets", "passes through a symlink");
    CHECK_STR(ct_tree(t, outside), "");
    CHECK_STR(ct_tree(t, t->tdir), "sub@");

    sim_write_file(outside, "victim", "victim", 6);
    char victim[8192];
    snprintf(victim, sizeof(victim), "%s/victim", outside);
    snprintf(link, sizeof(link), "%s/file.txt", t->tdir);
    CHECK_INT(symlink(victim, link), 0);
    CHECK_OK(ct_download(t, "file.txt"));
    CHECK(ct_file_is(outside, "victim", "victim", 6));
    CHECK_STR(ct_tree(t, t->tdir), "file.txt sub@");
    CHECK(ct_file_is(t->tdir, "file.txt", CONTENTS, CLEN));
}

/* S51: the configured target folder path is configuration, so a symlink in
 * it (here: its parent) is followed; the file lands inside the folder it
 * names and nowhere else. */
CT_TEST(test_s51_symlinked_parent_of_target_folder)
{
    two_targets(t->s);
    char real[4096], link[4096], tdir[4096];
    snprintf(real, sizeof(real), "%s/real", t->base);
    snprintf(link, sizeof(link), "%s/link", t->base);
    snprintf(tdir, sizeof(tdir), "%s/link/targets", t->base);
    CHECK_INT(mkdir(real, 0700), 0);
    CHECK_INT(symlink(real, link), 0);
    rampart_target *tg = NULL;
    CHECK_OK(rampart_client_get_target_info(t->c, "file.txt", &tg));
    char *out = NULL;
    int rc = rampart_client_download_target(t->c, tg, tdir, &out);
    rampart_target_free(tg);
    CHECK_OK(rc);
    char want[8192];
    snprintf(want, sizeof(want), "%s/file.txt", tdir);
    CHECK_STR(out, want);
    rampart_string_free(out);
    CHECK_STR(ct_tree(t, real), "targets/ targets/file.txt");
    CHECK_STR(ct_tree(t, t->tdir), "");
}

/* TUF 5.7: something other than a regular file at a target's path (a FIFO,
 * a folder): checking it for a cached copy never opens it (a FIFO would
 * block until a writer came, forever), and it is refused with a clear error,
 * never replaced and never read; nothing of the target is fetched. */
CT_TEST(test_special_file_at_target_path)
{
    two_targets(t->s);
    CHECK_OK(ct_refresh(t));
    char p[8192];
    snprintf(p, sizeof(p), "%s/file.txt", t->tdir);
    CHECK_INT(mkfifo(p, 0600), 0);
    snprintf(p, sizeof(p), "%s/other.txt", t->tdir);
    CHECK_INT(mkdir(p, 0700), 0);
    /* A hang fails here at once rather than at the test's time limit. */
    alarm(60);
    rampart_target *tg = NULL;
    CHECK_OK(rampart_client_get_target_info(t->c, "file.txt", &tg));
    sim_reset_requests(t->s);
    CHECK_RC(rampart_client_download_target(t->c, tg, t->tdir, NULL), RAMPART_EPATH);
    CHECK_ERR(t, RAMPART_EPATH, "", "'file.txt' in the target folder is a FIFO, not a regular file: remove it");
    char *cached = NULL;
    CHECK_RC(rampart_client_find_cached_target(t->c, tg, t->tdir, &cached), RAMPART_EPATH);
    CHECK_ERR(t, RAMPART_EPATH, "", "'file.txt' in the target folder is a FIFO, not a regular file: remove it");
    rampart_target_free(tg);
    CHECK_RC(ct_download(t, "other.txt"), RAMPART_EPATH);
    CHECK_ERR(t, RAMPART_EPATH, "", "'other.txt' in the target folder is a folder, not a regular file: remove it");
    alarm(0);
    CHECK_STR(sim_requests(t->s), "");
    CHECK_STR(ct_tree(t, t->tdir), "file.txt other.txt/");
    struct stat sb;
    snprintf(p, sizeof(p), "%s/file.txt", t->tdir);
    CHECK(lstat(p, &sb) == 0 && S_ISFIFO(sb.st_mode));
    /* Once it is gone, the target downloads. */
    CHECK_INT(unlink(p), 0);
    CHECK_OK(ct_download(t, "file.txt"));
    CHECK(ct_file_is(t->tdir, "file.txt", CONTENTS, CLEN));
}

/* S52: a cached copy with the wrong bytes (same length, or another length)
 * is replaced by a download; a good one is used without a request. */
CT_TEST(test_s52_cached_copies)
{
    two_targets(t->s);
    CHECK_OK(ct_refresh(t));
    rampart_target *tg = NULL;
    CHECK_OK(rampart_client_get_target_info(t->c, "file.txt", &tg));
    const char *wrong[] = {"target file CONTENTS", "short", ""};
    char req[512];
    req_line(req, sizeof(req), "file.txt", CONTENTS, CLEN);
    for (int i = 0; i < 3; i++) {
        sim_write_file(t->tdir, "file.txt", wrong[i], strlen(wrong[i]));
        char *p = NULL;
        CHECK_RC(rampart_client_find_cached_target(t->c, tg, t->tdir, &p), RAMPART_ENOTFOUND);
        sim_reset_requests(t->s);
        CHECK_OK(rampart_client_download_target(t->c, tg, t->tdir, NULL));
        CHECK_STR(sim_requests(t->s), req);
        CHECK(ct_file_is(t->tdir, "file.txt", CONTENTS, CLEN));
        CHECK_STR(ct_tree(t, t->tdir), "file.txt");
    }
    char *p = NULL;
    CHECK_OK(rampart_client_find_cached_target(t->c, tg, t->tdir, &p));
    char want[8192];
    snprintf(want, sizeof(want), "%s/file.txt", t->tdir);
    CHECK_STR(p, want);
    rampart_string_free(p);
    sim_reset_requests(t->s);
    CHECK_OK(rampart_client_download_target(t->c, tg, t->tdir, NULL));
    CHECK_STR(sim_requests(t->s), "");
    rampart_target_free(tg);
}

/* S53: consistent snapshots: metadata as VERSION.NAME, targets as
 * DIR/HASH.BASE; both stored without the prefix. */
CT_TEST(test_s53_consistent_snapshot_names)
{
    const char *paths[] = {"path/*/*/*", NULL};
    sim_delegate(t->s, "targets", "A", paths, false);
    sim_add_target(t->s, "A", "path/to/a/file.txt", CONTENTS, CLEN);
    sim_publish(t->s, "A");
    sim_update(t->s, "targets");
    CHECK_OK(ct_download(t, "path/to/a/file.txt"));
    char treq[512], want[1024];
    ct_target_req(treq, sizeof(treq), "path/to/a/file.txt", CONTENTS, CLEN);
    snprintf(want, sizeof(want),
             "metadata/2.root.json\nmetadata/timestamp.json\nmetadata/2.snapshot.json\nmetadata/2.targets.json\n"
             "metadata/1.A.json\n%s\n",
             treq);
    CHECK_STR(sim_requests(t->s), want);
    CHECK_STR(ct_state(t), "A=1 root=1 snapshot=2 targets=2 timestamp=2");
    CHECK_STR(ct_tree(t, t->tdir), "path/ path/to/ path/to/a/ path/to/a/file.txt");
}

/* S53: without consistent snapshots, everything but root is fetched by its plain name. */
CT_TEST(test_s53_plain_names)
{
    json_object_set_new(sim_signed(t->s, "root"), "consistent_snapshot", json_false());
    sim_publish(t->s, "root");
    ct_bootstrap(t, 2);
    const char *paths[] = {"path/*/*/*", NULL};
    sim_delegate(t->s, "targets", "A", paths, false);
    sim_add_target(t->s, "A", "path/to/a/file.txt", CONTENTS, CLEN);
    sim_publish(t->s, "A");
    sim_update(t->s, "targets");
    CHECK_OK(ct_download(t, "path/to/a/file.txt"));
    CHECK_STR(sim_requests(t->s), "metadata/3.root.json\nmetadata/timestamp.json\nmetadata/snapshot.json\n"
                                  "metadata/targets.json\nmetadata/A.json\ntargets/path/to/a/file.txt\n");
    CHECK_STR(ct_state(t), "A=1 root=2 snapshot=2 targets=2 timestamp=2");
    CHECK_STR(ct_tree(t, t->tdir), "path/ path/to/ path/to/a/ path/to/a/file.txt");
    CHECK(ct_file_is(t->tdir, "path/to/a/file.txt", CONTENTS, CLEN));
}

/* A refresh never writes to the target folder; a download creates a missing one. */
CT_TEST(test_target_folder_hygiene)
{
    two_targets(t->s);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_tree(t, t->tdir), "");
    char fresh[8192];
    snprintf(fresh, sizeof(fresh), "%s/new/targets", t->base);
    rampart_target *tg = NULL;
    CHECK_OK(rampart_client_get_target_info(t->c, "other.txt", &tg));
    int rc = rampart_client_download_target(t->c, tg, fresh, NULL);
    rampart_target_free(tg);
    CHECK_OK(rc);
    CHECK(ct_file_is(fresh, "other.txt", "content", 7));
    char newdir[8192];
    snprintf(newdir, sizeof(newdir), "%s/new", t->base);
    CHECK_STR(ct_tree(t, newdir), "targets/ targets/other.txt");
}

int main(void)
{
    RUN(test_s47_swapped_contents);
    RUN(test_s47_failed_update_keeps_old_copy);
    RUN(test_s48_stream_length);
    RUN(test_length_enforced_without_transport_cap);
    RUN(test_s49_empty_hashes);
    RUN(test_s50_hash_algorithms);
    RUN(test_s51_unsafe_target_paths);
    RUN(test_s51_symlinks_in_target_folder);
    RUN(test_s51_symlinked_parent_of_target_folder);
    RUN(test_special_file_at_target_path);
    RUN(test_s52_cached_copies);
    RUN(test_s53_consistent_snapshot_names);
    RUN(test_s53_plain_names);
    RUN(test_target_folder_hygiene);
    return th_summary("test_client_download");
}
