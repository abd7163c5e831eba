/*
 * test_repo_faults.c - a repository publish (rampart_repo_publish) under
 * fault injection: killed at every crash point (builds with
 * RAMPART_CRASHPOINTS: every file write of util/fs_write.c),
 * and with the 1st, 2nd, ... Nth allocation failing (F1, F10 for the
 * repository side).
 *
 * The publish under test is release 2 of a repository (flat, and with
 * TAP 15 hash bins): a changed and a new target plus a timestamp-key
 * rotation (so root 2 is written too).  A reference run of the same
 * publish, undisturbed, gives the exact bytes of release 2 (ed25519
 * signatures and a fixed clock make publishing deterministic; checked).
 * After each interruption:
 *  - every file served from public/ is, byte for byte, the one of release 1
 *    or the one of release 2; leftovers only under the hidden temporary name;
 *  - a client at release 1 refreshes against public/ and downloads a
 *    target, seeing release 1 or 2 complete;
 *  - the next publish finishes the interrupted one: public/ is then exactly
 *    release 2 (temporary leftovers aside), and the client gets it.
 * Allocation failures must end in success or RAMPART_ENOMEM, leak nothing,
 * and leave the same guarantees.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client/client_internal.h"
#include "fault_alloc.h"
#include "harness.h"
#include "rampart/client.h"
#include "rampart/repo.h"
#include "rampart/signer.h"
#include "sim.h"
#include "util/fs.h"
#include "util/banned.h"

#define NOW 1906502400LL /* 2030-06-01T00:00:00Z */
#define URL "https://repo.test/"

static char *tmp;
enum { K_ROOT, K_TARGETS, K_SNAPSHOT, K_TIMESTAMP, K_TIMESTAMP2, K_BINS, NKEYS };
static const char *const key_names[NKEYS] = {"root", "targets", "snapshot", "timestamp", "timestamp2", "bins"};
static rampart_signer *sig[NKEYS];
static rampart_public_key *pub[NKEYS];

static char *path_of(const char *name)
{
    static char buf[8][4200];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, sizeof(buf[0]), "%s/%s", tmp, name);
    return p;
}

/* Copies the tree at `src` to `dst` (which must not exist): folders,
 * regular files (bytes and mode) and symlinks. */
static void copy_tree(const char *src, const char *dst)
{
    struct stat st;
    if (lstat(src, &st) != 0) {
        perror(src);
        abort();
    }
    if (S_ISDIR(st.st_mode)) {
        if (mkdir(dst, st.st_mode & 07777) != 0) {
            perror(dst);
            abort();
        }
        DIR *d = opendir(src);
        if (d == NULL)
            abort();
        struct dirent *ent;
        while ((ent = readdir(d)) != NULL) {
            if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
                continue;
            char a[4400], b[4400];
            snprintf(a, sizeof(a), "%s/%s", src, ent->d_name);
            snprintf(b, sizeof(b), "%s/%s", dst, ent->d_name);
            copy_tree(a, b);
        }
        closedir(d);
    } else if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t n = readlink(src, target, sizeof(target) - 1);
        if (n < 0)
            abort();
        target[n] = '\0';
        if (symlink(target, dst) != 0)
            abort();
    } else if (S_ISREG(st.st_mode)) {
        size_t len;
        const char *slash = strrchr(src, '/');
        char dir[4400];
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - src), src);
        uint8_t *data = sim_read_file(dir, slash + 1, &len);
        int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777);
        if (data == NULL || fd < 0 || (len > 0 && write(fd, data, len) != (ssize_t)len) || close(fd) != 0) {
            perror(dst);
            abort();
        }
        free(data);
    }
}

/* Replaces the tree at `dst` with a copy of `src`. */
static void restore_tree(const char *src, const char *dst)
{
    sim_rmtree(dst);
    copy_tree(src, dst);
}

/* Runs a shell command (folder copies); aborts when it fails. */
static void shell(const char *fmt, ...) RAMPART_PRINTF(1, 2);
static void shell(const char *fmt, ...)
{
    char cmd[16000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    if (system(cmd) != 0) {
        fprintf(stderr, "failed: %s\n", cmd);
        abort();
    }
}

/* ---- a transport serving a folder (the repository's public/) ------------- */

typedef struct dir_tp {
    rtransport base;
    char root[4200];
} dir_tp;

static int dir_get(rtransport *b, const char *url, uint64_t max, const rsink *sink, rerr *e)
{
    dir_tp *tp = (dir_tp *)b;
    if (strncmp(url, URL, strlen(URL)) != 0)
        return rerr_set(e, RAMPART_ENET, NULL, "unknown host in %s", url);
    size_t len;
    uint8_t *data = sim_read_file(tp->root, url + strlen(URL), &len);
    if (data == NULL)
        return rerr_set(e, RAMPART_ENOTFOUND, NULL, "%s: HTTP 404", url);
    int rc = 0;
    size_t n = len > max ? (size_t)max : len;
    if (n > 0)
        rc = sink->write(sink->ctx, data, n);
    free(data);
    if (rc == 0 && len > max)
        rc = rerr_set(e, RAMPART_ETOOLARGE, NULL, "%s: over the cap", url);
    return rc;
}

static void dir_free(rtransport *b)
{
    free(b);
}

static long long fixed_now(void *ctx)
{
    (void)ctx;
    return NOW;
}

/* Refreshes the client in folder `client` against `public`, finds and
 * downloads `target`; its bytes go to *got (malloc'ed). */
static int client_fetch(const char *public, const char *client, const char *target, uint8_t **got, size_t *gotlen,
                        char *msg, size_t msglen)
{
    char mdir[4300], tdir[4300];
    snprintf(mdir, sizeof(mdir), "%s/metadata", client);
    snprintf(tdir, sizeof(tdir), "%s/targets", client);
    const char *m[] = {URL "metadata/"}, *t[] = {URL "targets/"};
    rampart_client_options o = RAMPART_CLIENT_OPTIONS_INIT;
    o.metadata_dir = mdir;
    o.metadata_urls = m;
    o.metadata_url_count = 1;
    o.target_urls = t;
    o.target_url_count = 1;
    o.clock = fixed_now;
    rampart_client *c = NULL;
    int rc = rampart_client_new(&c, &o, NULL);
    if (rc != 0)
        return rc;
    dir_tp *tp = calloc(1, sizeof(*tp));
    tp->base.get = dir_get;
    tp->base.free = dir_free;
    snprintf(tp->root, sizeof(tp->root), "%s", public);
    rclient_set_transport(c, &tp->base);
    rampart_target *tg = NULL;
    rc = rampart_client_get_target_info(c, target, &tg);
    char *out = NULL;
    if (rc == 0)
        rc = rampart_client_download_target(c, tg, tdir, &out);
    if (rc == 0)
        *got = sim_read_file(tdir, target, gotlen);
    else
        snprintf(msg, msglen, "%s: %s", rampart_error_name(rc), rampart_client_last_error(c)->message);
    rampart_string_free(out);
    rampart_target_free(tg);
    rampart_client_free(c);
    return rc;
}

/* ---- trees of files -------------------------------------------------------- */

/* Calls fn(rel) for every regular file below `dir` (relative names). */
typedef struct walk_ctx {
    const char *root;
    bool (*fn)(struct walk_ctx *w, const char *rel);
    const char *other1, *other2;
    unsigned tmp_files;
    char why[600];
} walk_ctx;

static bool walk(walk_ctx *w, const char *rel)
{
    char full[4400];
    snprintf(full, sizeof(full), "%s%s%s", w->root, rel[0] ? "/" : "", rel);
    DIR *d = opendir(full);
    if (d == NULL)
        return true; /* a folder that does not exist holds nothing */
    bool ok = true;
    struct dirent *ent;
    while (ok && (ent = readdir(d)) != NULL) {
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
            continue;
        char sub[4400], p[8900];
        snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", ent->d_name);
        snprintf(p, sizeof(p), "%s/%s", w->root, sub);
        struct stat st;
        if (lstat(p, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            ok = walk(w, sub);
        else if (strncmp(ent->d_name, RFS_TMP_PREFIX, strlen(RFS_TMP_PREFIX)) == 0)
            w->tmp_files++;
        else
            ok = w->fn(w, sub);
    }
    closedir(d);
    return ok;
}

static bool same_file(const char *dir_a, const char *dir_b, const char *rel)
{
    size_t la, lb;
    uint8_t *a = sim_read_file(dir_a, rel, &la), *b = sim_read_file(dir_b, rel, &lb);
    bool same = a != NULL && b != NULL && la == lb && memcmp(a, b, la) == 0;
    free(a);
    free(b);
    return same;
}

/* Each file equals the one of release 1 (other1) or release 2 (other2). */
static bool old_or_new(walk_ctx *w, const char *rel)
{
    if (same_file(w->root, w->other1, rel) || same_file(w->root, w->other2, rel))
        return true;
    snprintf(w->why, sizeof(w->why), "public/%s is neither the old nor the new file", rel);
    return false;
}

/* Each file equals the one in other1, which has it. */
static bool equal_in(walk_ctx *w, const char *rel)
{
    if (same_file(w->root, w->other1, rel))
        return true;
    snprintf(w->why, sizeof(w->why), "public/%s differs from (or is missing in) %s", rel, w->other1);
    return false;
}

/* public/ of `dir` holds exactly the files of `ref` (leftover temporary
 * files aside: counted in *tmp_files). */
static bool tree_equals(const char *dir, const char *ref, unsigned *tmp_files, char *why, size_t whylen)
{
    walk_ctx a = {dir, equal_in, ref, NULL, 0, ""}, b = {ref, equal_in, dir, NULL, 0, ""};
    bool ok = walk(&a, "") && walk(&b, "");
    if (!ok)
        snprintf(why, whylen, "%s", a.why[0] ? a.why : b.why);
    *tmp_files = a.tmp_files;
    return ok;
}

/* ---- the repository ------------------------------------------------------------- */

typedef struct layout {
    const char *name;
    unsigned bins;
    char base[4200];    /* the repository before the publish under test (release 1 + staged changes) */
    char old_pub[4200]; /* public/ of release 1 */
    char ref_pub[4200]; /* public/ of release 2, from an undisturbed publish */
    char client0[4200]; /* a client that refreshed to release 1 */
} layout;

static int add_signers(rampart_repo *r)
{
    for (int i = 0; i < NKEYS; i++) {
        int rc = rampart_repo_add_signer(r, sig[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Opens repository `dir`, publishes, closes. */
static int publish(const char *dir)
{
    rampart_repo *r = NULL;
    int rc = rampart_repo_open(&r, dir, NULL);
    if (rc == 0) {
        rampart_repo_set_time(r, NOW);
        rc = add_signers(r);
    }
    if (rc == 0)
        rc = rampart_repo_publish(r, NULL);
    rampart_repo_free(r);
    return rc;
}

static void write_src(const char *name, const char *text)
{
    sim_write_file(tmp, name, text, strlen(text));
}

static int stage(rampart_repo *r, const char *src, const char *path, int replace)
{
    rampart_target_options o = RAMPART_TARGET_OPTIONS_INIT;
    o.replace = replace;
    return rampart_repo_add_target(r, path_of(src), path, &o);
}

/* Release 1 published, a client at release 1, release 2 staged; the
 * reference release 2 published from a copy. */
static void make_layout(layout *l)
{
    char repo[4300];
    snprintf(repo, sizeof(repo), "%s/repo-%s", tmp, l->name);
    snprintf(l->base, sizeof(l->base), "%s/base-%s", tmp, l->name);
    snprintf(l->old_pub, sizeof(l->old_pub), "%s/old-%s", tmp, l->name);
    snprintf(l->ref_pub, sizeof(l->ref_pub), "%s/ref-%s", tmp, l->name);
    snprintf(l->client0, sizeof(l->client0), "%s/client0-%s", tmp, l->name);

    rampart_repo_init_options o = RAMPART_REPO_INIT_OPTIONS_INIT;
    const rampart_public_key *root[] = {pub[K_ROOT]}, *t[] = {pub[K_TARGETS]}, *s[] = {pub[K_SNAPSHOT]},
                             *ts[] = {pub[K_TIMESTAMP]}, *b[] = {pub[K_BINS]};
    o.dir = repo;
    o.now = NOW;
    o.root = (rampart_role_keys){root, 1, 1, 0};
    o.targets = (rampart_role_keys){t, 1, 1, 0};
    o.snapshot = (rampart_role_keys){s, 1, 1, 0};
    o.timestamp = (rampart_role_keys){ts, 1, 1, 0};
    o.bins = l->bins;
    if (l->bins)
        o.bins_keys = (rampart_role_keys){b, 1, 1, 0};
    rampart_repo *r = NULL;
    if (rampart_repo_init(&r, &o, NULL, NULL, NULL) != 0)
        abort();
    rampart_repo_set_time(r, NOW);
    write_src("a1", "a, release 1\n");
    write_src("a2", "a, release 2 (changed)\n");
    write_src("b2", "b, new in release 2\n");
    if (stage(r, "a1", "dir/a.txt", 0) != 0 || add_signers(r) != 0 || rampart_repo_publish(r, NULL) != 0)
        abort();
    /* Release 2, staged: a changed and a new target, a new timestamp key. */
    const rampart_public_key *add[] = {pub[K_TIMESTAMP2]};
    const char *rm[] = {rampart_public_key_keyid(pub[K_TIMESTAMP])};
    rampart_rotate_options ro = RAMPART_ROTATE_OPTIONS_INIT;
    ro.role = "timestamp";
    ro.add = add;
    ro.add_count = 1;
    ro.remove_keyids = rm;
    ro.remove_count = 1;
    if (stage(r, "a2", "dir/a.txt", 1) != 0 || stage(r, "b2", "b.txt", 0) != 0 || rampart_repo_rotate(r, &ro) != 0) {
        fprintf(stderr, "staging release 2: %s\n", rampart_repo_last_error(r)->message);
        abort();
    }
    rampart_repo_free(r);
    shell("cp -a '%s' '%s' && cp -a '%s/public' '%s'", repo, l->base, repo, l->old_pub);

    /* A client at release 1. */
    char mdir[4400], root1[4400];
    snprintf(mdir, sizeof(mdir), "%s/metadata", l->client0);
    snprintf(root1, sizeof(root1), "%s/metadata", l->old_pub);
    size_t len;
    uint8_t *rb = sim_read_file(root1, "1.root.json", &len);
    if (rb == NULL || rampart_client_bootstrap(mdir, rb, len, 0, NULL) != 0)
        abort();
    free(rb);
    uint8_t *got = NULL;
    size_t glen;
    char msg[700];
    if (client_fetch(l->old_pub, l->client0, "dir/a.txt", &got, &glen, msg, sizeof(msg)) != 0) {
        fprintf(stderr, "client at release 1: %s\n", msg);
        abort();
    }
    free(got);

    /* The reference release 2; published twice from the same state, it
     * must come out the same (the byte-for-byte checks rely on it). */
    if (publish(repo) != 0)
        abort();
    shell("cp -a '%s/public' '%s' && rm -rf '%s' && cp -a '%s' '%s'", repo, l->ref_pub, repo, l->base, repo);
    if (publish(repo) != 0)
        abort();
    char pub_dir[4400], why[700] = "";
    unsigned leftovers;
    snprintf(pub_dir, sizeof(pub_dir), "%s/public", repo);
    if (!tree_equals(pub_dir, l->ref_pub, &leftovers, why, sizeof(why))) {
        fprintf(stderr, "publishing is not deterministic: %s\n", why);
        abort();
    }
    shell("rm -rf '%s'", repo);
}

/* Restores the work repository and the client to their states before the publish. */
static void restore(const layout *l, const char *work, const char *client)
{
    restore_tree(l->base, work);
    restore_tree(l->client0, client);
}

/* The checks after an interruption (crash or failed allocation). */
static bool check_interrupted(const layout *l, const char *work, const char *client, const char *what,
                              unsigned *in_window)
{
    char pub_dir[4400];
    snprintf(pub_dir, sizeof(pub_dir), "%s/public", work);
    walk_ctx w = {pub_dir, old_or_new, l->old_pub, l->ref_pub, 0, ""};
    if (!walk(&w, "")) {
        fprintf(stderr, "%s, %s: %s\n", l->name, what, w.why);
        return false;
    }
    /* A client at release 1 sees a complete release, except in the window
     * of the key rotation: root 2 (new timestamp key) is served but the
     * timestamp is still the one signed by the old key, which root 2 no
     * longer accepts.  The client then fails closed (EBADSIG) until the
     * next publish: counted and reported, never a success on wrong data. */
    uint8_t *got = NULL;
    size_t glen;
    char msg[700] = "";
    int rc = client_fetch(pub_dir, client, "dir/a.txt", &got, &glen, msg, sizeof(msg));
    if (rc != 0) {
        char meta[4500], old_meta[4500];
        snprintf(meta, sizeof(meta), "%s/metadata", pub_dir);
        snprintf(old_meta, sizeof(old_meta), "%s/metadata", l->old_pub);
        size_t rlen;
        uint8_t *root2 = sim_read_file(meta, "2.root.json", &rlen);
        bool window = rc == RAMPART_EBADSIG && root2 != NULL && same_file(meta, old_meta, "timestamp.json") &&
                      strstr(msg, "'timestamp'") != NULL;
        free(root2);
        if (!window) {
            fprintf(stderr, "%s, %s: the client fails against the interrupted publish: %s\n", l->name, what, msg);
            return false;
        }
        (*in_window)++;
    } else {
        bool whole = (glen == 13 && memcmp(got, "a, release 1\n", 13) == 0) ||
                     (glen == 23 && memcmp(got, "a, release 2 (changed)\n", 23) == 0);
        free(got);
        got = NULL;
        if (!whole) {
            fprintf(stderr, "%s, %s: the client got neither version of dir/a.txt\n", l->name, what);
            return false;
        }
    }
    /* The next publish finishes the interrupted one: exactly release 2. */
    rc = publish(work);
    if (rc != 0) {
        fprintf(stderr, "%s, %s: the next publish fails: %s\n", l->name, what, rampart_error_name(rc));
        return false;
    }
    unsigned leftovers = 0;
    char why[700] = "";
    if (!tree_equals(pub_dir, l->ref_pub, &leftovers, why, sizeof(why))) {
        fprintf(stderr, "%s, %s: after the next publish: %s\n", l->name, what, why);
        return false;
    }
    if (client_fetch(pub_dir, client, "b.txt", &got, &glen, msg, sizeof(msg)) != 0 || glen != 20 ||
        memcmp(got, "b, new in release 2\n", 20) != 0) {
        fprintf(stderr, "%s, %s: the client does not get release 2: %s\n", l->name, what, msg);
        free(got);
        return false;
    }
    free(got);
    return true;
}

static layout layouts[2] = {{.name = "flat", .bins = 0}, {.name = "bins", .bins = 8}};

/* ---- crash points ---------------------------------------------------------------- */

#ifdef RAMPART_CRASHPOINTS
static void crash_sweep(layout *l)
{
    char work[4300], client[4300], errfile[4300];
    snprintf(work, sizeof(work), "%s/work-%s", tmp, l->name);
    snprintf(client, sizeof(client), "%s/client-%s", tmp, l->name);
    snprintf(errfile, sizeof(errfile), "%s/child.err", tmp);
    unsigned long n;
    unsigned distinct_kinds = 0, in_window = 0;
    char kinds[16][64];
    for (n = 1;; n++) {
        restore(l, work, client);
        fflush(NULL);
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            fa_crash_child_setup(errfile, n);
            _exit(publish(work) == 0 ? 0 : 1);
        }
        int st;
        CHECK(waitpid(pid, &st, 0) == pid);
        CHECK(WIFEXITED(st));
        if (WEXITSTATUS(st) == 0)
            break;
        if (WEXITSTATUS(st) != RFS_CRASH_EXIT)
            TH_FAIL("%s: crash point %lu: the publish exited with %d", l->name, n, WEXITSTATUS(st));
        CHECK_INT(WEXITSTATUS(st), RFS_CRASH_EXIT);
        /* Which kind of point: for the summary. */
        size_t len;
        uint8_t *err = sim_read_file(tmp, "child.err", &len);
        const char *point = err ? strstr((const char *)err, "crash point ") : NULL;
        const char *colon = point ? strstr(point, ": ") : NULL;
        if (colon != NULL) {
            char kind[64];
            snprintf(kind, sizeof(kind), "%.*s", (int)strcspn(colon + 2, "\n"), colon + 2);
            bool seen = false;
            for (unsigned k = 0; k < distinct_kinds; k++)
                seen = seen || strcmp(kinds[k], kind) == 0;
            if (!seen && distinct_kinds < 16)
                snprintf(kinds[distinct_kinds++], sizeof(kinds[0]), "%s", kind);
        }
        free(err);
        char what[64];
        snprintf(what, sizeof(what), "crash point %lu", n);
        CHECK(check_interrupted(l, work, client, what, &in_window));
    }
    printf("publish (%s): %lu crash points, %u kinds: every served file old or new, the next publish completes "
           "release 2; %u left clients in the key-rotation window (EBADSIG until then)\n",
           l->name, n - 1, distinct_kinds, in_window);
    CHECK(n - 1 >= 10);
    CHECK(distinct_kinds >= 6); /* the atomic writes' five and the batch writes' */
}

static void test_publish_crashes(void)
{
    crash_sweep(&layouts[0]);
    crash_sweep(&layouts[1]);
}
#endif

/* ---- allocation failures -------------------------------------------------------------- */

static void alloc_sweep(layout *l)
{
    char work[4300], client[4300];
    snprintf(work, sizeof(work), "%s/work-%s", tmp, l->name);
    snprintf(client, sizeof(client), "%s/client-%s", tmp, l->name);
    long n;
    unsigned in_window = 0;
    for (n = 1;; n += fa_stride()) {
        restore(l, work, client);
        long live0 = fa_live();
        fa_arm(n);
        int rc = publish(work);
        bool injected = fa_disarm();
        if (!(rc == 0 || (injected && rc == RAMPART_ENOMEM)))
            TH_FAIL("%s: allocation %ld failed: publish returned %s", l->name, n, rampart_error_name(rc));
        CHECK(rc == 0 || (injected && rc == RAMPART_ENOMEM));
        if (fa_live() != live0)
            TH_FAIL("%s: allocation %ld failed: %ld blocks leaked", l->name, n, fa_live() - live0);
        CHECK_INT(fa_live(), live0);
        if (!injected)
            break;
        char what[64];
        snprintf(what, sizeof(what), "allocation %ld failed", n);
        CHECK(check_interrupted(l, work, client, what, &in_window));
    }
    printf("publish (%s): %ld allocations (failed in turn, every %ld), each ended in RAMPART_OK or RAMPART_ENOMEM; "
           "%u left clients in the key-rotation window\n",
           l->name, n - 1, fa_stride(), in_window);
    CHECK(n - 1 >= 10);
}

static void test_publish_alloc_failures(void)
{
    alloc_sweep(&layouts[0]);
    alloc_sweep(&layouts[1]);
}

static void make_keys(void)
{
    for (int i = 0; i < NKEYS; i++) {
        char priv[64], pubf[64];
        snprintf(priv, sizeof(priv), "%s.key", key_names[i]);
        snprintf(pubf, sizeof(pubf), "%s.pub", key_names[i]);
        rampart_keygen_options o = RAMPART_KEYGEN_OPTIONS_INIT;
        if (rampart_key_generate(&o, path_of(priv), path_of(pubf), &pub[i], NULL) != 0 ||
            rampart_signer_load_file(&sig[i], path_of(priv), NULL, NULL) != 0)
            abort();
    }
}

int main(void)
{
    if (fa_install() != 0)
        return 1;
    /* Publishing calls syncfs(2), which on a disk flushes the whole file
     * system (other people's work included) a thousand times over: work on
     * tmpfs when there is one. */
    if (getenv("TMPDIR") == NULL && access("/dev/shm", W_OK) == 0)
        setenv("TMPDIR", "/dev/shm", 0);
    tmp = sim_mkdtemp();
    make_keys();
    make_layout(&layouts[0]);
    make_layout(&layouts[1]);
#ifdef RAMPART_CRASHPOINTS
    RUN(test_publish_crashes);
#endif
    RUN(test_publish_alloc_failures);
    for (int i = 0; i < NKEYS; i++) {
        rampart_signer_free(sig[i]);
        rampart_public_key_free(pub[i]);
    }
    sim_rmtree(tmp);
    free(tmp);
    return th_summary("test_repo_faults");
}
