/*
 * test_crashpoints.c - crash consistency of everything the client
 * persists (docs/security-matrix.md: F1, F3, F5, F7, F8, F9, F12).
 *
 * Crash points (src/util/fs_write.c, builds with RAMPART_CRASHPOINTS): the
 * temporary file created, a partial write, before the fsync, before the
 * rename, before the folder fsync.  A child process runs an update with
 * RAMPART_CRASH_AT=n and dies (_exit) at the n-th crash point it passes,
 * for n = 1, 2, ... until a run passes them all.  After each crash:
 *  - every metadata file holds, byte for byte, a version the repository
 *    published (the old or the new one; a root is never an unverified
 *    one, F8), and leftovers exist only under the hidden temporary name;
 *  - every target file is the complete old or new content (F12);
 *  - when the new timestamp made it to disk, it protects the next run
 *    against rollback (F9);
 *  - the next update succeeds, removes the leftovers of the metadata
 *    folder and ends in the newest state.
 * Then: torn, empty and garbage local files are refetched, a torn root
 * fails closed with a clear error (F3); ENOSPC during a persist (a tiny
 * tmpfs, or RLIMIT_FSIZE where mounting is not allowed) and a failing
 * rename keep the old files and leave no temporary file (F5, F7); the
 * connection dropping mid-download leaves nothing partial (F12).
 *
 * In a build without crash points (release), the same test checks that
 * RAMPART_CRASH_AT has no effect.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client/client_internal.h"
#include "disk_state.h"
#include "fault_alloc.h"
#include "harness.h"
#include "rampart/client.h"
#include "sim.h"
#include "util/fs.h"
#include "util/banned.h"

#define CRASH_EXIT RFS_CRASH_EXIT
#define BIG_LEN ((8u << 20) + 4321u)

static sim *S;
static char *tmp;
static char mdir[4200], tdir[4200], errfile[4200];
static uint8_t *app_old, *app_new, *big;
static size_t app_old_len, app_new_len;
static rtransport *(*transport_for_test)(void);

static long long sim_now(void *ctx)
{
    (void)ctx;
    return SIM_NOW;
}

static rtransport *plain_transport(void)
{
    return sim_transport(S);
}

/* The old state, as a completed update left it: root 1, timestamp 2,
 * snapshot 2, targets 2 (app.bin old), role-a 1.  The new state: root 2 and
 * root 3 (two rotations), role-a 2, targets 3 (app.bin new, a large
 * target), snapshot 3, timestamp 3. */
static void make_repo(void)
{
    S = sim_new();
    app_old_len = 70000;
    app_new_len = 90001;
    app_old = malloc(app_old_len);
    app_new = malloc(app_new_len);
    big = malloc(BIG_LEN);
    for (size_t i = 0; i < app_old_len; i++)
        app_old[i] = (uint8_t)(i % 251);
    for (size_t i = 0; i < app_new_len; i++)
        app_new[i] = (uint8_t)(i % 241 + 7);
    for (size_t i = 0; i < BIG_LEN; i++)
        big[i] = (uint8_t)(i * 7u + (i >> 16));
    sim_add_target(S, "targets", "app.bin", app_old, app_old_len);
    const char *pa[] = {"a/*", NULL};
    sim_delegate(S, "targets", "role-a", pa, false);
    sim_add_target(S, "role-a", "a/doc.txt", "doc 1\n", 6);
    sim_publish(S, "role-a");
    sim_update(S, "targets");

    sim_add_key(S, "root", "root");
    sim_publish(S, "root");
    sim_add_key(S, "root", "snapshot");
    sim_publish(S, "root");
    sim_add_target(S, "targets", "app.bin", app_new, app_new_len);
    sim_add_target(S, "targets", "big.bin", big, BIG_LEN);
    sim_add_target(S, "role-a", "a/doc.txt", "doc 2 \n", 7);
    sim_publish(S, "role-a");
    sim_set_meta_hashes(S, true);
    sim_update(S, "targets");
}

static const char *const roles[] = {"root", "timestamp", "snapshot", "targets", "role-a"};
static const long long old_v[] = {1, 2, 2, 2, 1};
static const long long new_v[] = {3, 3, 3, 3, 2};

static void put_state(const long long *v)
{
    ds_clear(mdir);
    for (size_t i = 0; i < 5; i++)
        ds_put_role(mdir, S, roles[i], v[i]);
}

static bool state_is(const long long *v)
{
    for (size_t i = 0; i < 5; i++)
        if (ds_role_version(mdir, S, roles[i]) != v[i])
            return false;
    return true;
}

static void on_log(void *ctx, int level, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "log %d: %s\n", level, msg);
}

static int sync_targets; /* options.sync_targets of the next client */

static rampart_client *new_client(int *rc)
{
    rampart_client_options o = RAMPART_CLIENT_OPTIONS_INIT;
    o.sync_targets = sync_targets;
    const char *m[] = {SIM_METADATA_URL}, *t[] = {SIM_TARGETS_URL};
    o.metadata_dir = mdir;
    o.metadata_urls = m;
    o.metadata_url_count = 1;
    o.target_urls = t;
    o.target_url_count = 1;
    o.clock = sim_now;
    if (getenv("TEST_CRASHPOINTS_LOG") != NULL)
        o.log = on_log;
    rampart_client *c = NULL;
    *rc = rampart_client_new(&c, &o, NULL);
    if (*rc == 0)
        rclient_set_transport(c, transport_for_test());
    return c;
}

/* Refresh, then find a target of role-a (so role-a is loaded and saved),
 * then, when `download` is set, download `download` into tdir. */
static int update(const char *download, char *msg, size_t msglen)
{
    int rc;
    rampart_client *c = new_client(&rc);
    if (rc != 0)
        return rc;
    rampart_target *t = NULL;
    rc = rampart_client_get_target_info(c, "a/doc.txt", &t);
    rampart_target_free(t);
    t = NULL;
    if (rc == 0 && download != NULL) {
        rc = rampart_client_get_target_info(c, download, &t);
        if (rc == 0)
            rc = rampart_client_download_target(c, t, tdir, NULL);
        rampart_target_free(t);
    }
    if (rc != 0 && msg != NULL)
        snprintf(msg, msglen, "%s: %s", rampart_error_name(rc), rampart_client_last_error(c)->message);
    rampart_client_free(c);
    return rc;
}

/* Runs update() in a child with RAMPART_CRASH_AT=n.  Returns the child's
 * exit status (CRASH_EXIT when it died at a crash point) and the crash
 * point's name in `point`. */
static int update_in_child(unsigned long n, const char *download, char *point, size_t pointlen)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        fa_crash_child_setup(errfile, n);
        char msg[700] = "";
        int rc = update(download, msg, sizeof(msg));
        if (rc != 0)
            fprintf(stderr, "update failed: %s\n", msg);
        fflush(stderr);
        _exit(rc == 0 ? 0 : 1);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    point[0] = '\0';
    size_t len;
    uint8_t *err = sim_read_file(tmp, "child.err", &len);
    if (err != NULL) {
        const char *p = strstr((const char *)err, "crash point ");
        const char *colon = p ? strstr(p, ": ") : NULL;
        if (colon != NULL)
            snprintf(point, pointlen, "%.*s", (int)strcspn(colon + 2, "\n"), colon + 2);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 1)
            fprintf(stderr, "child: %s", (const char *)err);
        free(err);
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#ifdef RAMPART_CRASHPOINTS
/* The five kinds of crash point, each of which must be reached. */
static const char *const kinds[] = {"temporary file created", "partial write", "written, before fsync",
                                    "fsynced, before rename", "renamed, before folder fsync"};

static void note_kind(const char *point, unsigned *seen)
{
    for (unsigned i = 0; i < 5; i++)
        if (strcmp(point, kinds[i]) == 0)
            *seen |= 1u << i;
}

/* ---- F1, F8, F9: every crash point of a metadata update ------------------ */

static void test_metadata_crashes(void)
{
    transport_for_test = plain_transport;
    unsigned long n;
    unsigned seen = 0, ts_protected = 0;
    for (n = 1;; n++) {
        put_state(old_v);
        char point[128], why[600];
        int st = update_in_child(n, NULL, point, sizeof(point));
        if (st == 0)
            break; /* passed every crash point */
        if (st != CRASH_EXIT)
            TH_FAIL("crash point %lu: child exited with %d", n, st);
        CHECK(st == CRASH_EXIT);
        note_kind(point, &seen);
        /* Old or new, byte for byte; leftovers only under the temporary name. */
        if (!ds_metadata_ok(mdir, S, true, why, sizeof(why)))
            TH_FAIL("after crash point %lu (%s): %s", n, point, why);
        CHECK(ds_metadata_ok(mdir, S, true, why, sizeof(why)));
        for (size_t i = 0; i < 5; i++) {
            long long v = ds_role_version(mdir, S, roles[i]);
            /* root may also be the intermediate version 2 (F8) */
            CHECK(v == old_v[i] || v == new_v[i] || (i == 0 && v == 2));
        }
        /* F9: a new timestamp on disk is the base of the next run's rollback check. */
        if (ds_role_version(mdir, S, "timestamp") == new_v[1]) {
            size_t len;
            const uint8_t *old_ts = sim_version_bytes(S, "timestamp", old_v[1], &len);
            sim_serve_bytes(S, "metadata/timestamp.json", old_ts, len);
            char msg[700] = "";
            int rc = update(NULL, msg, sizeof(msg));
            sim_clear_faults(S);
            if (rc != RAMPART_EROLLBACK)
                TH_FAIL("after crash point %lu (%s): old timestamp gave %s", n, point, msg);
            CHECK_RC(rc, RAMPART_EROLLBACK);
            CHECK_INT(ds_role_version(mdir, S, "timestamp"), new_v[1]);
            ts_protected++;
        }
        /* The next run succeeds, cleans up and ends in the new state. */
        char msg[700] = "";
        int rc = update(NULL, msg, sizeof(msg));
        if (rc != 0)
            TH_FAIL("after crash point %lu (%s): next update failed: %s", n, point, msg);
        CHECK_OK(rc);
        CHECK(state_is(new_v));
        CHECK(ds_metadata_ok(mdir, S, false, why, sizeof(why)));
    }
    /* 6 files (root 2, root 3, timestamp, snapshot, targets, role-a), 5 points each. */
    printf("metadata update: %lu crash points, all five kinds (mask %#x), %u with the new timestamp on disk\n", n - 1,
           seen, ts_protected);
    CHECK_INT(n - 1, 30);
    CHECK_INT(seen, 0x1f);
    CHECK(ts_protected > 0);
}

/* ---- F12: every crash point of a target download ------------------------- */

static void download_crashes(const char *path, const uint8_t *old, size_t oldlen, const uint8_t *nw, size_t newlen)
{
    unsigned long n;
    unsigned seen = 0;
    for (n = 1;; n++) {
        put_state(new_v);
        ds_clear(tdir);
        if (old != NULL)
            sim_write_file(tdir, path, old, oldlen);
        char point[128], why[600];
        int st = update_in_child(n, path, point, sizeof(point));
        if (st == 0)
            break;
        if (st != CRASH_EXIT)
            TH_FAIL("%s: crash point %lu: child exited with %d", path, n, st);
        CHECK(st == CRASH_EXIT);
        note_kind(point, &seen);
        /* The final name holds the old or the new content, complete. */
        size_t len;
        uint8_t *got = sim_read_file(tdir, path, &len);
        bool is_old = got != NULL && old != NULL && len == oldlen && memcmp(got, old, len) == 0;
        bool is_new = got != NULL && len == newlen && memcmp(got, nw, len) == 0;
        if (!is_old && !is_new && !(old == NULL && got == NULL))
            TH_FAIL("%s after crash point %lu (%s): %zu bytes, neither version", path, n, point, got ? len : 0);
        free(got);
        CHECK(is_old || is_new || (old == NULL && got == NULL));
        const char *const paths[] = {path};
        const void *const data[] = {is_old ? (const void *)old : nw};
        const size_t lens[] = {is_old ? oldlen : newlen};
        CHECK(ds_targets_ok(tdir, paths, data, lens, 1, true, why, sizeof(why)));
        /* The next download succeeds. */
        char msg[700] = "";
        int rc = update(path, msg, sizeof(msg));
        if (rc != 0)
            TH_FAIL("%s after crash point %lu (%s): next download failed: %s", path, n, point, msg);
        CHECK_OK(rc);
        const void *const ndata[] = {nw};
        const size_t nlens[] = {newlen};
        CHECK(ds_targets_ok(tdir, paths, ndata, nlens, 1, true, why, sizeof(why)));
        /* Leftovers beside targets are removed once they are an hour old
         * (another client may be writing right now): age them, download
         * again (the verified copy is kept) and they are gone. */
        if (ds_count_tmp(tdir) > 0) {
            char cmd[4400];
            snprintf(cmd, sizeof(cmd), "find '%s' -name '.rampart-tmp-*' -exec touch -d '-2 hours' {} +", tdir);
            CHECK_INT(system(cmd), 0);
            CHECK_OK(update(path, msg, sizeof(msg)));
            CHECK_INT(ds_count_tmp(tdir), 0);
        }
    }
    printf("download %s: %lu crash points (kinds mask %#x)\n", path, n - 1, seen);
    CHECK_INT(n - 1, 5);
    CHECK_INT(seen, 0x1f);
}

static void test_download_crashes(void)
{
    transport_for_test = plain_transport;
    download_crashes("app.bin", app_old, app_old_len, app_new, app_new_len);
    download_crashes("big.bin", NULL, 0, big, BIG_LEN);
}

#endif

/* ---- F3: torn, empty and garbage local files ------------------------------- */

static void test_damaged_local_files(void)
{
    transport_for_test = plain_transport;
    static const char *const damaged[] = {"timestamp", "snapshot", "targets", "role-a"};
    for (size_t r = 0; r < 4; r++) {
        for (int kind = 0; kind < 4; kind++) {
            put_state(new_v);
            char name[64];
            snprintf(name, sizeof(name), "%s.json", damaged[r]);
            size_t len;
            uint8_t *good = sim_read_file(mdir, name, &len);
            CHECK(good != NULL);
            if (kind == 0) {
                sim_write_file(mdir, name, good, len / 2); /* torn */
            } else if (kind == 1) {
                sim_write_file(mdir, name, "", 0); /* empty */
            } else if (kind == 2) {
                sim_write_file(mdir, name, "\x89garbage\x00\xff", 11);
            } else {
                /* valid metadata of another role */
                size_t olen;
                const uint8_t *other = sim_version_bytes(S, r == 0 ? "snapshot" : "timestamp", 2, &olen);
                sim_write_file(mdir, name, other, olen);
            }
            free(good);
            /* Refetched, not sticky: two runs succeed, the file is whole again. */
            for (int run = 0; run < 2; run++) {
                char msg[700] = "";
                int rc = update(NULL, msg, sizeof(msg));
                if (rc != 0)
                    TH_FAIL("%s damaged (%d), run %d: %s", name, kind, run, msg);
                CHECK_OK(rc);
                CHECK(state_is(new_v));
            }
        }
    }
    /* A torn, empty or garbage root fails closed, before any request, with
     * a message naming the trusted root; nothing else is touched. */
    for (int kind = 0; kind < 3; kind++) {
        put_state(old_v);
        size_t len;
        const uint8_t *root = sim_version_bytes(S, "root", 1, &len);
        if (kind == 0)
            sim_write_file(mdir, "root.json", root, len - 10);
        else if (kind == 1)
            sim_write_file(mdir, "root.json", "", 0);
        else
            sim_write_file(mdir, "root.json", "{\"signed\": 1}", 13);
        sim_reset_requests(S);
        int rc;
        rampart_client *c = new_client(&rc);
        CHECK_OK(rc);
        rc = rampart_client_refresh(c);
        CHECK_RC(rc, RAMPART_EFORMAT);
        const rampart_error *e = rampart_client_last_error(c);
        CHECK_STR(e->role, "root");
        CHECK(strstr(e->message, "the trusted root in") != NULL && strstr(e->message, "is unusable") != NULL);
        rampart_client_free(c);
        CHECK_STR(sim_requests(S), "");
        for (size_t i = 1; i < 5; i++)
            CHECK_INT(ds_role_version(mdir, S, roles[i]), old_v[i]);
    }
}

/* ---- F5, F7: no space, failed rename ------------------------------------------- */

static bool mounted;
static char small_fs[4000];

/* Fills the file system of `dir` until a write fails with ENOSPC. */
static void fill_up(const char *dir)
{
    char p[4300];
    snprintf(p, sizeof(p), "%s/filler", dir);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    static uint8_t block[65536];
    while (write(fd, block, sizeof(block)) > 0)
        ;
    while (write(fd, block, 1) > 0)
        ;
    close(fd);
}

static void unfill(const char *dir)
{
    char p[4300];
    snprintf(p, sizeof(p), "%s/filler", dir);
    unlink(p);
}

/* The body of test_no_space, with mdir and tdir on the small file system. */
static void no_space_on(const char *fs)
{
    /* Metadata: the first write (root 2) fails; everything stays old. */
    put_state(old_v);
    ds_clear(tdir);
    sim_write_file(tdir, "app.bin", app_old, app_old_len);
    char msg[700] = "";
    int rc;
    if (mounted) {
        fill_up(fs);
        rc = update(NULL, msg, sizeof(msg));
    } else {
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            signal(SIGXFSZ, SIG_IGN);
            struct rlimit rl = {1000, 1000};
            setrlimit(RLIMIT_FSIZE, &rl);
            rc = update(NULL, msg, sizeof(msg));
            _exit(rc == RAMPART_EIO && strstr(msg, "EFBIG") != NULL ? 0 : 1);
        }
        int st;
        CHECK(waitpid(pid, &st, 0) == pid);
        /* The child checked the code and the EFBIG in the message. */
        rc = WIFEXITED(st) && WEXITSTATUS(st) == 0 ? RAMPART_EIO : RAMPART_EINTERNAL;
        snprintf(msg, sizeof(msg), "EFBIG");
    }
    CHECK_RC(rc, RAMPART_EIO);
    CHECK(strstr(msg, mounted ? "No space left on device (ENOSPC)" : "EFBIG") != NULL);
    CHECK(state_is(old_v));
    char why[600];
    CHECK(ds_metadata_ok(mdir, S, false, why, sizeof(why)));

    if (mounted) {
        /* Target downloads: the old copy survives, no temporary file, and
         * the message says why (small targets are written inline, large
         * ones beside the hashing thread). */
        for (int big_one = 0; big_one < 2; big_one++) {
            unfill(fs);
            put_state(new_v);
            fill_up(fs);
            rc = update(big_one ? "big.bin" : "app.bin", msg, sizeof(msg));
            CHECK_RC(rc, RAMPART_EIO);
            if (strstr(msg, "No space left on device (ENOSPC)") == NULL)
                TH_FAIL("download message: %s", msg);
            CHECK(strstr(msg, "No space left on device (ENOSPC)") != NULL);
            const char *const paths[] = {"app.bin"};
            const void *const data[] = {app_old};
            const size_t lens[] = {app_old_len};
            CHECK(ds_targets_ok(tdir, paths, data, lens, 1, false, why, sizeof(why)));
            CHECK(state_is(new_v));
        }
    }
    /* With room again, the next run works. */
    unfill(fs);
    put_state(old_v);
    CHECK_OK(update("app.bin", msg, sizeof(msg)));
    CHECK(state_is(new_v));
}

static void test_no_space(void)
{
    transport_for_test = plain_transport;
    snprintf(small_fs, sizeof(small_fs), "%s/smallfs", tmp);
    CHECK(mkdir(small_fs, 0700) == 0);
    /* A tmpfs of 16 MiB (room for the old state, not for a second copy of
     * big.bin): ENOSPC for real.  Mounting needs root, as in CI. */
    mounted = mount("tmpfs", small_fs, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=0700") == 0;
    if (!mounted)
        printf("no space: tmpfs cannot be mounted (%s); using RLIMIT_FSIZE (EFBIG) instead\n", strerror(errno));
    char saved_m[sizeof(mdir)], saved_t[sizeof(tdir)];
    memcpy(saved_m, mdir, sizeof(mdir));
    memcpy(saved_t, tdir, sizeof(tdir));
    snprintf(mdir, sizeof(mdir), "%s/metadata", small_fs);
    snprintf(tdir, sizeof(tdir), "%s/targets", small_fs);
    no_space_on(small_fs);
    unfill(small_fs);
    memcpy(mdir, saved_m, sizeof(mdir));
    memcpy(tdir, saved_t, sizeof(tdir));
}

static void test_rename_fails(void)
{
    transport_for_test = plain_transport;
    /* A non-empty folder where snapshot.json belongs: the rename of the new
     * snapshot over it fails; the temporary file is removed. */
    put_state(old_v);
    char p[4300];
    snprintf(p, sizeof(p), "%s/snapshot.json", mdir);
    CHECK(unlink(p) == 0 && mkdir(p, 0700) == 0);
    sim_write_file(p, "keep", "x", 1);
    char msg[700] = "";
    CHECK_RC(update(NULL, msg, sizeof(msg)), RAMPART_EIO);
    CHECK(strstr(msg, "cannot rename temporary file to 'snapshot.json'") != NULL);
    CHECK_INT(ds_count_tmp(mdir), 0);
    CHECK_INT(ds_role_version(mdir, S, "timestamp"), new_v[1]); /* written before the snapshot */
    CHECK_INT(ds_role_version(mdir, S, "targets"), old_v[3]);
    sim_rmtree(p);
    CHECK_OK(update(NULL, msg, sizeof(msg)));
    CHECK(state_is(new_v));
}

/* ---- F12: the connection drops mid-download -------------------------------------- */

static unsigned long drop_at; /* cut each transfer after this many bytes */

typedef struct drop_tp {
    rtransport base;
    rtransport *inner;
} drop_tp;

typedef struct drop_sink {
    const rsink *outer;
    uint64_t sent;
} drop_sink;

static int drop_write(void *ctx, const uint8_t *p, size_t n)
{
    drop_sink *d = ctx;
    if (d->sent + n > drop_at) {
        size_t k = (size_t)(drop_at - d->sent);
        if (k > 0)
            (void)d->outer->write(d->outer->ctx, p, k);
        return RAMPART_ENET; /* the connection is gone */
    }
    d->sent += n;
    return d->outer->write(d->outer->ctx, p, n);
}

static int drop_get(rtransport *base, const char *url, uint64_t max, const rsink *sink, rerr *e)
{
    drop_tp *tp = (drop_tp *)base;
    if (strstr(url, "/targets/") == NULL || strstr(url, "/metadata/") != NULL)
        return tp->inner->get(tp->inner, url, max, sink, e);
    drop_sink d = {sink, 0};
    rsink s = {.write = drop_write, .ctx = &d};
    int rc = tp->inner->get(tp->inner, url, max, &s, e);
    if (rc == RAMPART_ENET)
        rerr_set(e, rc, NULL, "connection dropped after %lu bytes", drop_at);
    return rc;
}

static void drop_free(rtransport *base)
{
    drop_tp *tp = (drop_tp *)base;
    tp->inner->free(tp->inner);
    free(tp);
}

static rtransport *dropping_transport(void)
{
    drop_tp *tp = calloc(1, sizeof(*tp));
    tp->base.get = drop_get;
    tp->base.free = drop_free;
    tp->inner = sim_transport(S);
    return &tp->base;
}

static void test_connection_drops(void)
{
    uint64_t state = 0x2545F4914F6CDD1Du;
    for (int i = 0; i < 20; i++) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        const bool use_big = i % 4 == 3;
        const char *path = use_big ? "big.bin" : "app.bin";
        size_t len = use_big ? BIG_LEN : app_new_len;
        drop_at = (unsigned long)(state % len);
        put_state(new_v);
        ds_clear(tdir);
        if (!use_big)
            sim_write_file(tdir, "app.bin", app_old, app_old_len);
        transport_for_test = dropping_transport;
        char msg[700] = "";
        int rc = update(path, msg, sizeof(msg));
        CHECK_RC(rc, RAMPART_ENET);
        /* Nothing partial anywhere; the old copy untouched. */
        char why[600];
        const char *const paths[] = {"app.bin"};
        const void *const data[] = {app_old};
        const size_t lens[] = {app_old_len};
        CHECK(ds_targets_ok(tdir, paths, data, lens, use_big ? 0 : 1, false, why, sizeof(why)));
        /* A retry over a working connection re-hashes the whole file. */
        transport_for_test = plain_transport;
        rc = update(path, msg, sizeof(msg));
        if (rc != 0)
            TH_FAIL("retry of %s after a drop at %lu: %s", path, drop_at, msg);
        CHECK_OK(rc);
        size_t got_len;
        uint8_t *got = sim_read_file(tdir, path, &got_len);
        CHECK(got != NULL);
        CHECK_MEM(got, got_len, use_big ? big : app_new, len);
        free(got);
    }
}

/* ---- release builds ---------------------------------------------------------------- */

#ifndef RAMPART_CRASHPOINTS
static void test_crash_at_is_inert(void)
{
    transport_for_test = plain_transport;
    put_state(old_v);
    char point[128];
    CHECK_INT(update_in_child(1, NULL, point, sizeof(point)), 0);
    CHECK(state_is(new_v));
}
#endif

#ifdef RAMPART_CRASHPOINTS
/* A downloaded target is fsynced (file and folder) only with sync_targets;
 * trusted metadata always is.  Small and large (threaded) targets. */
static void test_sync_targets(void)
{
    static const char *const names[] = {"app.bin", "big.bin"};
    for (int sync = 0; sync <= 1; sync++) {
        for (size_t i = 0; i < 2; i++) {
            put_state(old_v);
            ds_clear(tdir);
            sync_targets = sync;
            int rc;
            rampart_client *c = new_client(&rc);
            CHECK_RC(rc, 0);
            rampart_target *t = NULL;
            unsigned long before = rfs_fsync_count;
            CHECK_RC(rampart_client_get_target_info(c, names[i], &t), 0);
            /* the refresh wrote new metadata: two fsyncs (file, folder) each */
            CHECK(rfs_fsync_count > before);
            before = rfs_fsync_count;
            CHECK_RC(rampart_client_download_target(c, t, tdir, NULL), 0);
            CHECK(rfs_fsync_count - before == (sync ? 2u : 0u));
            rampart_target_free(t);
            rampart_client_free(c);
            struct stat st;
            char path[sizeof(tdir) + 16];
            snprintf(path, sizeof(path), "%s/%s", tdir, names[i]);
            CHECK(stat(path, &st) == 0 && (uint64_t)st.st_size == (i == 0 ? app_new_len : BIG_LEN));
        }
    }
    sync_targets = 0;
}
#endif

int main(void)
{
    make_repo();
    tmp = sim_mkdtemp();
    snprintf(mdir, sizeof(mdir), "%s/metadata", tmp);
    snprintf(tdir, sizeof(tdir), "%s/targets", tmp);
    snprintf(errfile, sizeof(errfile), "%s/child.err", tmp);
    ds_clear(mdir);
    ds_clear(tdir);
#ifdef RAMPART_CRASHPOINTS
    RUN(test_metadata_crashes);
    RUN(test_download_crashes);
    RUN(test_sync_targets);
#else
    RUN(test_crash_at_is_inert);
#endif
    RUN(test_damaged_local_files);
    RUN(test_rename_fails);
    RUN(test_no_space);
    RUN(test_connection_drops);
    if (mounted)
        umount2(small_fs, MNT_DETACH);
    sim_rmtree(tmp);
    free(tmp);
    free(app_old);
    free(app_new);
    free(big);
    sim_free(S);
    return th_summary("test_crashpoints");
}
