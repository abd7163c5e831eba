/*
 * test_alloc_fail.c - allocation-failure injection (docs/security-matrix.md F10),
 * in the style of curl's torture tests: a counting allocator installed with
 * rampart_set_allocator() makes the 1st, then the 2nd, ... Nth allocation
 * of an operation fail, until a run completes without reaching N.  Every
 * run must end in success or exactly RAMPART_ENOMEM, free everything it
 * allocated (counted by tests/support/fault_alloc.c, so every build checks
 * it, not only LSan), and
 * leave on disk only files whose bytes are versions the simulated
 * repository published (metadata) or complete targets, and no temporary
 * file.
 *
 * Operations: a first refresh with root rotation and a delegated target
 * search; a refresh over an older local state; a refresh under a timestamp
 * rollback attack (every run must fail with EROLLBACK or ENOMEM: a failed
 * allocation must never turn a security check off); target downloads
 * (small, and large enough for the hashing thread); bootstrap; metadata
 * parsing (tuf_md_parse, jdoc, the public rampart_metadata_* API).
 *
 * Not covered: allocations made inside OpenSSL, libcurl (not used: the
 * simulator is the transport) and jansson, which use their own allocators.
 */
#include <stdlib.h>
#include <string.h>

#include "client/client_internal.h"
#include "disk_state.h"
#include "fault_alloc.h"
#include "harness.h"
#include "rampart/client.h"
#include "rampart/metadata.h"
#include "sim.h"
#include "tuf/md.h"
#include "util/jdoc.h"
#include "util/banned.h"

/* ---- the repository ------------------------------------------------------- */

#define BIG_LEN ((9u << 20) + 12345u) /* above RHASHPIPE_THREAD_MIN: hashed on the second thread */

static sim *S;
static char *tmp; /* test folder */
static char mdir[4200], tdir[4200];
static uint8_t *big;
static const char small[] = "the small target\n";
static const char deep[] = "a target in a delegated role\n";
static const char *const tpaths[] = {"small.txt", "big/big.bin", "a/deep.txt"};
static const void *tdata[3];
static size_t tlens[3];

static long long sim_now(void *ctx)
{
    (void)ctx;
    return SIM_NOW;
}

/* The old state: root 1, timestamp 2, snapshot 2, targets 2 delegating
 * a/ paths to role-a 1.  The new state: root 2 (a new root key), targets
 * 3 with a large target, role-a 2, snapshot 3, timestamp 3; then timestamp
 * 4, naming the same snapshot 3. */
static void make_repo(void)
{
    S = sim_new();
    sim_add_target(S, "targets", "small.txt", small, sizeof(small) - 1);
    const char *pa[] = {"a/*", NULL};
    sim_delegate(S, "targets", "role-a", pa, false);
    sim_publish(S, "role-a");
    sim_update(S, "targets");
    /* version 2 */
    sim_add_key(S, "root", "root");
    sim_publish(S, "root");
    big = malloc(BIG_LEN);
    for (size_t i = 0; i < BIG_LEN; i++)
        big[i] = (uint8_t)(i * 131u + (i >> 12));
    sim_add_target(S, "targets", "big/big.bin", big, BIG_LEN);
    sim_add_target(S, "role-a", "a/deep.txt", deep, sizeof(deep) - 1);
    sim_set_meta_hashes(S, true);
    sim_publish(S, "role-a");
    sim_update(S, "targets");
    sim_publish(S, "timestamp"); /* timestamp 4, same snapshot 3 */
    tdata[0] = small;
    tlens[0] = sizeof(small) - 1;
    tdata[1] = big;
    tlens[1] = BIG_LEN;
    tdata[2] = deep;
    tlens[2] = sizeof(deep) - 1;
}

static rampart_client *new_client(int *rc)
{
    rampart_client_options o = RAMPART_CLIENT_OPTIONS_INIT;
    const char *m[] = {SIM_METADATA_URL}, *t[] = {SIM_TARGETS_URL};
    o.metadata_dir = mdir;
    o.metadata_urls = m;
    o.metadata_url_count = 1;
    o.target_urls = t;
    o.target_url_count = 1;
    o.clock = sim_now;
    rampart_client *c = NULL;
    *rc = rampart_client_new(&c, &o, NULL);
    if (*rc == 0)
        rclient_set_transport(c, sim_transport(S));
    return c;
}

/* ---- the driver ------------------------------------------------------------ */

typedef struct scenario {
    const char *name;
    void (*setup)(void); /* disk state before the run (not armed) */
    int (*op)(void);     /* the operation, armed */
    int want;            /* the code of an undisturbed run (0 or a security code) */
    bool check_targets;
} scenario;

/* Runs `sc` with the 1st, 2nd, ... allocation failing until a run passes
 * every allocation.  Returns the number of allocation sites tried, or -1
 * after reporting a failed check. */
static long torture(const scenario *sc)
{
    for (long n = 1;; n += fa_stride()) {
        sc->setup();
        long live0 = fa_live();
        fa_arm(n);
        int rc = sc->op();
        bool injected = fa_disarm();
        char why[600] = "";
        if (rc != sc->want && !(injected && rc == RAMPART_ENOMEM)) {
            fprintf(stderr, "%s: allocation %ld failed%s: returned %s, expected %s%s\n", sc->name, n,
                    injected ? "" : " (not reached)", rampart_error_name(rc), rampart_error_name(sc->want),
                    injected ? " or RAMPART_ENOMEM" : "");
            return -1;
        }
        if (fa_live() != live0) {
            fprintf(stderr, "%s: allocation %ld failed: %ld blocks leaked\n", sc->name, n, fa_live() - live0);
            return -1;
        }
        if (!ds_metadata_ok(mdir, S, false, why, sizeof(why)) ||
            (sc->check_targets && !ds_targets_ok(tdir, tpaths, tdata, tlens, 3, false, why, sizeof(why)))) {
            fprintf(stderr, "%s: allocation %ld failed: %s\n", sc->name, n, why);
            return -1;
        }
        if (!injected)
            return n - 1; /* allocation sites (tried every fa_stride()-th) */
    }
}

#define TORTURE(sc)                                                                                                    \
    do {                                                                                                               \
        long th_sites = torture(sc);                                                                                   \
        CHECK(th_sites > 0);                                                                                           \
        printf("%s: %ld allocations (failed in turn, every %ld), each run ended in %s or RAMPART_ENOMEM\n",            \
               (sc)->name, th_sites, fa_stride(), rampart_error_name((sc)->want));                                     \
    } while (0)

/* ---- refresh ---------------------------------------------------------------- */

static void setup_fresh(void)
{
    ds_clear(mdir);
    ds_put_role(mdir, S, "root", 1);
}

static void setup_old_state(void)
{
    ds_clear(mdir);
    ds_put_role(mdir, S, "root", 1);
    ds_put_role(mdir, S, "timestamp", 2);
    ds_put_role(mdir, S, "snapshot", 2);
    ds_put_role(mdir, S, "targets", 2);
    ds_put_role(mdir, S, "role-a", 1);
}

/* Refresh, then find a target in the delegated role (loads role-a). */
static int op_refresh_and_search(void)
{
    int rc;
    rampart_client *c = new_client(&rc);
    if (rc != 0)
        return rc;
    rc = rampart_client_refresh(c);
    rampart_target *t = NULL;
    if (rc == 0)
        rc = rampart_client_get_target_info(c, "a/deep.txt", &t);
    if (rc == 0 && (strcmp(rampart_target_path(t), "a/deep.txt") != 0 ||
                    strcmp(rampart_target_role(t), "role-a") != 0 || rampart_target_length(t) != tlens[2]))
        rc = RAMPART_EINTERNAL;
    rampart_target_free(t);
    rampart_client_free(c);
    return rc;
}

static void test_refresh_fresh(void)
{
    sim_clear_faults(S);
    scenario sc = {"refresh from root 1", setup_fresh, op_refresh_and_search, 0, false};
    TORTURE(&sc);
    /* The last run completed: everything is the newest version. */
    CHECK_INT(ds_role_version(mdir, S, "root"), 2);
    CHECK_INT(ds_role_version(mdir, S, "timestamp"), 4);
    CHECK_INT(ds_role_version(mdir, S, "role-a"), 2);
}

static void test_refresh_over_old_state(void)
{
    sim_clear_faults(S);
    scenario sc = {"refresh over an older state", setup_old_state, op_refresh_and_search, 0, false};
    TORTURE(&sc);
    CHECK_INT(ds_role_version(mdir, S, "snapshot"), 3);
    CHECK_INT(ds_role_version(mdir, S, "targets"), 3);
}

/* The newest state on disk (timestamp 4); the server sends timestamp 3,
 * validly signed and unexpired, naming the same snapshot.  Only the local
 * timestamp stands between the client and the rollback. */
static void setup_rollback(void)
{
    ds_clear(mdir);
    ds_put_role(mdir, S, "root", 2);
    ds_put_role(mdir, S, "timestamp", 4);
    ds_put_role(mdir, S, "snapshot", 3);
    ds_put_role(mdir, S, "targets", 3);
}

static int op_refresh(void)
{
    int rc;
    rampart_client *c = new_client(&rc);
    if (rc != 0)
        return rc;
    rc = rampart_client_refresh(c);
    rampart_client_free(c);
    return rc;
}

static void test_refresh_rollback_attack(void)
{
    size_t len;
    const uint8_t *ts3 = sim_version_bytes(S, "timestamp", 3, &len);
    CHECK(ts3 != NULL);
    sim_clear_faults(S);
    sim_serve_bytes(S, "metadata/timestamp.json", ts3, len);
    scenario sc = {"timestamp rollback attack", setup_rollback, op_refresh, RAMPART_EROLLBACK, false};
    TORTURE(&sc);
    sim_clear_faults(S);
    CHECK_INT(ds_role_version(mdir, S, "timestamp"), 4);
}

/* ---- downloads ----------------------------------------------------------------- */

static void setup_download(void)
{
    setup_rollback(); /* the newest metadata */
    ds_clear(tdir);
}

static int download(const char *path)
{
    int rc;
    rampart_client *c = new_client(&rc);
    if (rc != 0)
        return rc;
    rampart_target *t = NULL;
    rc = rampart_client_get_target_info(c, path, &t);
    char *out = NULL;
    if (rc == 0)
        rc = rampart_client_download_target(c, t, tdir, &out);
    rampart_string_free(out);
    rampart_target_free(t);
    rampart_client_free(c);
    return rc;
}

static int op_download_small(void)
{
    return download("small.txt");
}

static int op_download_big(void)
{
    return download("big/big.bin");
}

static int op_download_deep(void)
{
    return download("a/deep.txt");
}

static void test_download(void)
{
    sim_clear_faults(S);
    scenario small_sc = {"download small.txt", setup_download, op_download_small, 0, true};
    TORTURE(&small_sc);
    scenario deep_sc = {"download a/deep.txt (delegated)", setup_download, op_download_deep, 0, true};
    TORTURE(&deep_sc);
    scenario big_sc = {"download big/big.bin (hashing thread)", setup_download, op_download_big, 0, true};
    TORTURE(&big_sc);
    size_t len;
    uint8_t *got = sim_read_file(tdir, "big/big.bin", &len);
    CHECK(got != NULL);
    CHECK_MEM(got, len, big, BIG_LEN);
    free(got);
}

/* ---- bootstrap ------------------------------------------------------------------ */

static void setup_empty(void)
{
    ds_clear(mdir);
}

static int op_bootstrap(void)
{
    size_t len;
    const uint8_t *root = sim_version_bytes(S, "root", 1, &len);
    return rampart_client_bootstrap(mdir, root, len, 0, NULL);
}

static void test_bootstrap(void)
{
    scenario sc = {"bootstrap", setup_empty, op_bootstrap, 0, false};
    TORTURE(&sc);
    CHECK_INT(ds_role_version(mdir, S, "root"), 1);
}

/* ---- parsing ------------------------------------------------------------------------ */

static const char *parse_role;
static long long parse_version;

static void setup_nothing(void)
{
}

/* tuf_md_parse of a heap copy (made before arming would not count it, so
 * the copy is part of the run), the canonical form, the signature check
 * against root 2 for root; then jdoc and the public API on the same bytes. */
static int op_parse(void)
{
    size_t len;
    const uint8_t *b = sim_version_bytes(S, parse_role, parse_version, &len);
    uint8_t *copy = rampart_malloc(len);
    if (copy == NULL)
        return RAMPART_ENOMEM;
    memcpy(copy, b, len);
    tuf_md *md = NULL;
    int rc = tuf_md_parse(&md, copy, len, true, SIZE_MAX, TUF_TYPE_ANY, parse_role, NULL);
    rslice canon;
    if (rc == 0)
        rc = tuf_md_canonical(md, &canon);
    if (rc == 0 && md->type == TUF_ROOT)
        rc = tuf_md_verify(md, &md->keys, &md->roles[TUF_ROOT], "root", NULL);
    tuf_md_free(md);
    jdoc *d = NULL;
    if (rc == 0)
        rc = jdoc_parse(&d, b, len, false, NULL, NULL);
    rbuf out;
    rbuf_init(&out, SIZE_MAX);
    if (rc == 0)
        rc = jdoc_canonical(d, jdoc_root(d), &out);
    rbuf_free(&out);
    jdoc_free(d);
    rampart_metadata *pm = NULL;
    if (rc == 0)
        rc = rampart_metadata_parse(&pm, b, len, NULL);
    rampart_metadata_summary sum;
    if (rc == 0)
        rc = rampart_metadata_summarize(pm, &sum);
    const unsigned char *cb;
    size_t cl;
    if (rc == 0)
        rc = rampart_metadata_canonical(pm, &cb, &cl);
    rampart_metadata_free(pm);
    return rc;
}

static void test_parse(void)
{
    static const struct {
        const char *role;
        long long v;
    } docs[] = {{"root", 2}, {"timestamp", 4}, {"snapshot", 3}, {"targets", 3}, {"role-a", 2}};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(docs); i++) {
        parse_role = docs[i].role;
        parse_version = docs[i].v;
        char name[64];
        snprintf(name, sizeof(name), "parse %s version %lld", docs[i].role, docs[i].v);
        scenario sc = {name, setup_nothing, op_parse, 0, false};
        TORTURE(&sc);
    }
}

int main(void)
{
    if (fa_install() != 0)
        return 1;
    make_repo();
    tmp = sim_mkdtemp();
    snprintf(mdir, sizeof(mdir), "%s/metadata", tmp);
    snprintf(tdir, sizeof(tdir), "%s/targets", tmp);
    ds_clear(mdir);
    ds_clear(tdir);

    RUN(test_parse);
    RUN(test_bootstrap);
    RUN(test_refresh_fresh);
    RUN(test_refresh_over_old_state);
    RUN(test_refresh_rollback_attack);
    RUN(test_download);

    sim_rmtree(tmp);
    free(tmp);
    free(big);
    sim_free(S);
    return th_summary("test_alloc_fail");
}
