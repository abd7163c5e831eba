/* test_tlog_merkle.c - RFC 9162 §2.1 tree hashes and proofs (src/tlog/merkle.c)
 * and C2SP tlog-tiles (src/tlog/tiles.c, tilereader.c), against a naive
 * MTH written from the RFC's definition. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tlog/merkle.h"
#include "tlog/tiles.h"
#include "util/codec.h"
#include "util/banned.h"

static tlog_hash hex32(const char *hex)
{
    tlog_hash h;
    size_t n = 0;
    if (rhex_decode(h.b, sizeof(h.b), &n, hex, strlen(hex)) != 0 || n != 32)
        memset(h.b, 0xee, sizeof(h.b));
    return h;
}

/* The eight leaves of RFC 6962's reference tree. */
static const char *const ref_leaves[] = {
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"};

/* MTH(D[lo:hi]) straight from §2.1.1, over leaf hashes. */
static tlog_hash naive_mth(const tlog_hash *leaves, uint64_t lo, uint64_t hi)
{
    if (hi - lo == 1)
        return leaves[lo];
    uint64_t k = 1;
    while (k * 2 < hi - lo)
        k *= 2;
    tlog_hash l = naive_mth(leaves, lo, lo + k), r = naive_mth(leaves, lo + k, hi), out;
    if (tlog_node_hash(&l, &r, &out) != 0)
        memset(&out, 0, sizeof(out));
    return out;
}

/* Leaf i of the synthetic trees: the leaf hash of its 8-byte index. */
static tlog_hash synth_leaf(uint64_t i)
{
    uint8_t b[8];
    for (int k = 0; k < 8; k++)
        b[k] = (uint8_t)(i >> (8 * k));
    tlog_hash h;
    if (tlog_leaf_hash(b, sizeof(b), &h) != 0)
        memset(&h, 0, sizeof(h));
    return h;
}

static void test_hashes_rfc6962(void)
{
    tlog_hash h;
    CHECK_OK(tlog_empty_root(&h));
    tlog_hash want = hex32("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK_MEM(h.b, 32, want.b, 32);
    CHECK_OK(tlog_leaf_hash(NULL, 0, &h));
    want = hex32("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    CHECK_MEM(h.b, 32, want.b, 32);
    /* The reference tree's roots at sizes 1..8 (RFC 6962 test data). */
    static const char *const roots[] = {
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    };
    tlog_memtree t;
    tlog_memtree_init(&t);
    for (size_t i = 0; i < 8; i++) {
        uint8_t leaf[16];
        size_t n = 0;
        CHECK_OK(rhex_decode(leaf, sizeof(leaf), &n, ref_leaves[i], strlen(ref_leaves[i])));
        CHECK_OK(tlog_leaf_hash(leaf, n, &h));
        CHECK_OK(tlog_memtree_append(&t, &h, NULL));
        tlog_hash root;
        CHECK_OK(tlog_tree_root(tlog_memtree_node, &t, i + 1, &root, NULL));
        want = hex32(roots[i]);
        CHECK_MEM(root.b, 32, want.b, 32);
    }
    tlog_memtree_free(&t);
}

/* Roots, inclusion and consistency proofs of every size up to 130 verify,
 * and equal the naive MTH; proofs with one flipped bit, one hash more or
 * less, or another index fail with the exact code (every proof of trees up
 * to 40, one in five above, to keep the test quick).  Under valgrind
 * (scripts/valgrind sets RAMPART_UNDER_VALGRIND) trees up to 48: the point
 * there is memcheck, and every proof shape already occurs below 48. */
static void test_proofs_all_sizes(void)
{
    enum { N = 130 };
    const uint64_t sizes = getenv("RAMPART_UNDER_VALGRIND") != NULL ? 48 : N;
    tlog_hash leaves[N];
    tlog_memtree t;
    tlog_memtree_init(&t);
    for (uint64_t i = 0; i < N; i++) {
        leaves[i] = synth_leaf(i);
        CHECK_OK(tlog_memtree_append(&t, &leaves[i], NULL));
    }
    for (uint64_t size = 1; size <= sizes; size++) {
        tlog_hash root, want = naive_mth(leaves, 0, size);
        CHECK_OK(tlog_tree_root(tlog_memtree_node, &t, size, &root, NULL));
        CHECK_MEM(root.b, 32, want.b, 32);
        for (uint64_t i = 0; i < size; i++) {
            tlog_proof p;
            CHECK_OK(tlog_inclusion_proof(tlog_memtree_node, &t, i, size, &p, NULL));
            CHECK_OK(tlog_verify_inclusion(&leaves[i], i, size, &root, p.h, p.n, NULL));
            /* Tampering: every pair for small trees, one in five above. */
            if (size > 40 && (i + size) % 5 != 0)
                continue;
            for (size_t k = 0; k < p.n; k++) {
                p.h[k].b[k % 32] ^= 1;
                CHECK_RC(tlog_verify_inclusion(&leaves[i], i, size, &root, p.h, p.n, NULL), RAMPART_ENOTLOGGED);
                p.h[k].b[k % 32] ^= 1;
            }
            if (p.n > 0)
                CHECK_RC(tlog_verify_inclusion(&leaves[i], i, size, &root, p.h, p.n - 1, NULL), RAMPART_ENOTLOGGED);
            p.h[p.n] = root;
            CHECK_RC(tlog_verify_inclusion(&leaves[i], i, size, &root, p.h, p.n + 1, NULL), RAMPART_ENOTLOGGED);
            CHECK_RC(tlog_verify_inclusion(&leaves[i], i ^ 1, size, &root, p.h, p.n, NULL), RAMPART_ENOTLOGGED);
            CHECK_RC(tlog_verify_inclusion(&leaves[i], size, size, &root, p.h, p.n, NULL), RAMPART_ENOTLOGGED);
        }
        for (uint64_t old = 0; old <= size; old++) {
            tlog_hash oroot;
            CHECK_OK(tlog_tree_root(tlog_memtree_node, &t, old, &oroot, NULL));
            tlog_proof p;
            CHECK_OK(tlog_consistency_proof(tlog_memtree_node, &t, old, size, &p, NULL));
            if (old == 0) {
                CHECK_INT(p.n, 0);
                CHECK_RC(tlog_verify_consistency(old, size, &oroot, &root, p.h, p.n, NULL), RAMPART_EINVAL);
                continue;
            }
            CHECK_OK(tlog_verify_consistency(old, size, &oroot, &root, p.h, p.n, NULL));
            if (size > 40 && (old + size) % 5 != 0)
                continue;
            for (size_t k = 0; k < p.n; k++) {
                p.h[k].b[31 - k % 32] ^= 0x80;
                CHECK_RC(tlog_verify_consistency(old, size, &oroot, &root, p.h, p.n, NULL), RAMPART_ESPLITVIEW);
                p.h[k].b[31 - k % 32] ^= 0x80;
            }
            if (old > 0 && old < size) {
                /* A forked history: another old root. */
                tlog_hash fork = oroot;
                fork.b[0] ^= 1;
                CHECK_RC(tlog_verify_consistency(old, size, &fork, &root, p.h, p.n, NULL), RAMPART_ESPLITVIEW);
                CHECK_RC(tlog_verify_consistency(old, size, &oroot, &root, p.h, p.n - 1, NULL), RAMPART_ESPLITVIEW);
                p.h[p.n] = root;
                CHECK_RC(tlog_verify_consistency(old, size, &oroot, &root, p.h, p.n + 1, NULL), RAMPART_ESPLITVIEW);
            }
        }
    }
    tlog_hash r1, r2;
    CHECK_OK(tlog_tree_root(tlog_memtree_node, &t, 5, &r1, NULL));
    CHECK_OK(tlog_tree_root(tlog_memtree_node, &t, 6, &r2, NULL));
    /* A log that shrinks, and two roots for one size, are split views. */
    CHECK_RC(tlog_verify_consistency(6, 5, &r2, &r1, NULL, 0, NULL), RAMPART_ESPLITVIEW);
    CHECK_RC(tlog_verify_consistency(5, 5, &r1, &r2, NULL, 0, NULL), RAMPART_ESPLITVIEW);
    /* Proofs cannot be asked of nodes the tree does not have. */
    tlog_proof p;
    CHECK_RC(tlog_inclusion_proof(tlog_memtree_node, &t, N, N, &p, NULL), RAMPART_EINVAL);
    CHECK_RC(tlog_inclusion_proof(tlog_memtree_node, &t, 0, N + 1, &p, NULL), RAMPART_EINVAL);
    CHECK_RC(tlog_consistency_proof(tlog_memtree_node, &t, 3, 2, &p, NULL), RAMPART_EINVAL);
    tlog_memtree_free(&t);
}

static void test_tile_paths(void)
{
    static const struct {
        tlog_tile t;
        const char *path;
    } v[] = {
        {{0, 0, 256, false}, "tile/0/000"},
        {{1, 1234067, 256, false}, "tile/1/x001/x234/067"},
        {{0, 1234067, 8, false}, "tile/0/x001/x234/067.p/8"},
        {{2, 0, 1, false}, "tile/2/000.p/1"},
        {{0, 273, 112, true}, "tile/entries/273.p/112"},
        {{63, 999, 255, false}, "tile/63/999.p/255"},
        {{0, 1000, 256, true}, "tile/entries/x001/000"},
        {{5, UINT64_MAX, 256, false}, "tile/5/x018/x446/x744/x073/x709/x551/615"},
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(v); i++) {
        char path[TLOG_TILE_PATH_MAX];
        CHECK_OK(tlog_tile_path(&v[i].t, path));
        CHECK_STR(path, v[i].path);
        tlog_tile back;
        CHECK_OK(tlog_tile_parse_path(path, strlen(path), &back, NULL));
        CHECK_INT(back.level, v[i].t.entries ? 0 : v[i].t.level);
        CHECK_INT(back.index == v[i].t.index, 1);
        CHECK_INT(back.width, v[i].t.width);
        CHECK_INT(back.entries, v[i].t.entries);
    }
    /* tlog-tiles: L 0..63 without leading zeroes, W 1..255, 3-digit
     * segments, 'x' on all but the last. */
    static const char *const bad[] = {
        "tile/64/000",
        "tile/01/000",
        "tile/0/00",
        "tile/0/0000",
        "tile/0/x000/001",
        "tile/0/001/002",
        "tile/0/x001",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/08",
        "tile/0/000.p/",
        "tile/0/000/",
        "tile//000",
        "tile/entries/x001/x002/",
        "tile/0/x018/x446/x744/x073/x709/x551/616",
        "tiles/0/000",
        "tile/0/000.p/1x",
        "tile/0/-01",
        "tile/0/x1/001",
        "tile/0/X001/000",
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(bad); i++) {
        tlog_tile back = {7, 7, 7, false};
        int rc = tlog_tile_parse_path(bad[i], strlen(bad[i]), &back, NULL);
        if (rc != RAMPART_EFORMAT)
            TH_FAIL("\"%s\" parsed with %d", bad[i], rc);
        CHECK_INT(back.level, 7);
    }
    tlog_tile t = {64, 0, 256, false};
    char path[TLOG_TILE_PATH_MAX];
    CHECK_RC(tlog_tile_path(&t, path), RAMPART_EINVAL);
    t.level = 0;
    t.width = 0;
    CHECK_RC(tlog_tile_path(&t, path), RAMPART_EINVAL);
}

struct tileset {
    size_t n, full[8], partial[8], entries;
    unsigned pwidth[8];
};

static int count_tile(void *ctx, const tlog_tile *t)
{
    struct tileset *s = ctx;
    s->n++;
    if (t->entries)
        s->entries++;
    else if (t->width == TLOG_TILE_WIDTH)
        s->full[t->level]++;
    else {
        s->partial[t->level]++;
        s->pwidth[t->level] = t->width;
    }
    return 0;
}

/* The worked example of tlog-tiles, and its note on a tree of 256. */
static void test_tiles_worked_example(void)
{
    struct tileset s = {0};
    CHECK_OK(tlog_tiles_added(0, 70000, true, count_tile, &s));
    CHECK_INT(s.full[0], 273);
    CHECK_INT(s.partial[0], 1);
    CHECK_INT(s.pwidth[0], 112);
    CHECK_INT(s.full[1], 1);
    CHECK_INT(s.partial[1], 1);
    CHECK_INT(s.pwidth[1], 17);
    CHECK_INT(s.full[2], 0);
    CHECK_INT(s.partial[2], 1);
    CHECK_INT(s.pwidth[2], 1);
    CHECK_INT(s.full[3] + s.partial[3], 0);
    CHECK_INT(s.entries, 274);
    CHECK_INT(s.n, 273 + 1 + 1 + 1 + 1 + 274);
    memset(&s, 0, sizeof(s));
    CHECK_OK(tlog_tiles_added(0, 256, false, count_tile, &s));
    CHECK_INT(s.full[0], 1);
    CHECK_INT(s.partial[0], 0);
    CHECK_INT(s.partial[1], 1);
    CHECK_INT(s.pwidth[1], 1);
    CHECK_INT(s.n, 2);
    /* Growing 70000 -> 70100: level 0's partial tile grows to 212; level 1
     * and 2 do not change (17 and 1 full level-0 tiles still). */
    memset(&s, 0, sizeof(s));
    CHECK_OK(tlog_tiles_added(70000, 70100, false, count_tile, &s));
    CHECK_INT(s.n, 1);
    CHECK_INT(s.pwidth[0], 212);
    /* 70000 -> 70144 fills tile 273 and so adds hash 273 to level 1. */
    memset(&s, 0, sizeof(s));
    CHECK_OK(tlog_tiles_added(70000, 70144, false, count_tile, &s));
    CHECK_INT(s.full[0], 1);
    CHECK_INT(s.partial[1], 1);
    CHECK_INT(s.pwidth[1], 18);
    CHECK_INT(s.n, 2);
    memset(&s, 0, sizeof(s));
    CHECK_OK(tlog_tiles_added(5, 5, true, count_tile, &s));
    CHECK_INT(s.n, 0);
    CHECK_RC(tlog_tiles_added(6, 5, true, count_tile, &s), RAMPART_EINVAL);
}

/* The tiles of a 70,000-entry tree, served from memory by path. */
struct served {
    char path[400][TLOG_TILE_PATH_MAX];
    rbuf data[400];
    size_t n;
    tlog_memtree *tree;
    size_t fetches;
    bool corrupt;
};

static int serve_tile(void *ctx, const tlog_tile *t)
{
    struct served *s = ctx;
    if (s->n >= 400 || tlog_tile_path(t, s->path[s->n]) != 0)
        return RAMPART_EINTERNAL;
    rbuf_init(&s->data[s->n], 8192);
    int rc = tlog_tile_hashes(t, tlog_memtree_node, s->tree, &s->data[s->n], NULL);
    s->n++;
    return rc;
}

static int fetch_tile(void *ctx, const tlog_tile *t, rbuf *out, rerr *e)
{
    struct served *s = ctx;
    char path[TLOG_TILE_PATH_MAX];
    if (tlog_tile_path(t, path) != 0)
        return RAMPART_EINTERNAL;
    s->fetches++;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(path, s->path[i]) == 0)
            return rbuf_append(out, s->data[i].data, s->corrupt ? s->data[i].len - 1 : s->data[i].len);
    return rerr_set(e, RAMPART_ENOTFOUND, NULL, "no tile %s", path);
}

static void test_tiles_reader_70000(void)
{
    enum { N = 70000 };
    static tlog_memtree t;
    static struct served s;
    tlog_memtree_init(&t);
    for (uint64_t i = 0; i < N; i++) {
        tlog_hash h = synth_leaf(i);
        CHECK_OK(tlog_memtree_append(&t, &h, NULL));
    }
    memset(&s, 0, sizeof(s));
    s.tree = &t;
    CHECK_OK(tlog_tiles_added(0, N, false, serve_tile, &s));
    CHECK_INT(s.n, 273 + 1 + 1 + 1 + 1);
    CHECK_STR(s.path[273], "tile/0/273.p/112");
    CHECK_INT(s.data[273].len, 112 * 32);
    tlog_tile_reader r;
    tlog_tile_reader_init(&r, N, fetch_tile, &s);
    tlog_hash root, want;
    CHECK_OK(tlog_tree_root(tlog_tile_node, &r, N, &root, NULL));
    CHECK_OK(tlog_tree_root(tlog_memtree_node, &t, N, &want, NULL));
    CHECK_MEM(root.b, 32, want.b, 32);
    static const uint64_t idx[] = {0, 1, 255, 256, 65535, 65536, 69887, 69888, 69999};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(idx); i++) {
        tlog_proof a, b;
        CHECK_OK(tlog_inclusion_proof(tlog_tile_node, &r, idx[i], N, &a, NULL));
        CHECK_OK(tlog_inclusion_proof(tlog_memtree_node, &t, idx[i], N, &b, NULL));
        CHECK_MEM(a.h, a.n * 32, b.h, b.n * 32);
        tlog_hash leaf = synth_leaf(idx[i]);
        CHECK_OK(tlog_verify_inclusion(&leaf, idx[i], N, &root, a.h, a.n, NULL));
        /* The tiles the proof needs are the ones a fresh reader fetched. */
        tlog_tile need[16];
        size_t nn = 0;
        CHECK_OK(tlog_tiles_for_proofs(idx[i], idx[i] + 1, N, need, 16, &nn, NULL));
        tlog_tile_reader fresh;
        s.fetches = 0;
        tlog_tile_reader_init(&fresh, N, fetch_tile, &s);
        CHECK_OK(tlog_inclusion_proof(tlog_tile_node, &fresh, idx[i], N, &a, NULL));
        CHECK_OK(tlog_consistency_proof(tlog_tile_node, &fresh, idx[i] + 1, N, &a, NULL));
        CHECK_OK(tlog_consistency_proof(tlog_memtree_node, &t, idx[i] + 1, N, &b, NULL));
        CHECK_MEM(a.h, a.n * 32, b.h, b.n * 32);
        CHECK(nn <= 6);
        CHECK(fresh.fetches >= nn);
        tlog_tile_reader_free(&fresh);
    }
    /* One hash in the last partial tile: three tiles, one per level. */
    tlog_tile need[4];
    size_t nn = 0;
    CHECK_OK(tlog_tiles_for_proofs(69999, 0, N, need, 4, &nn, NULL));
    CHECK_INT(nn, 3);
    CHECK_RC(tlog_tiles_for_proofs(0, 0, N, need, 1, &nn, NULL), RAMPART_ETOOLARGE);
    tlog_tile_reader_free(&r);
    /* A tile of the wrong length is refused. */
    s.corrupt = true;
    tlog_tile_reader_init(&r, N, fetch_tile, &s);
    CHECK_RC(tlog_tree_root(tlog_tile_node, &r, N, &root, NULL), RAMPART_EFORMAT);
    tlog_tile_reader_free(&r);
    /* A node past the size the reader trusts is never asked for. */
    s.corrupt = false;
    tlog_tile_reader_init(&r, 300, fetch_tile, &s);
    CHECK_RC(tlog_tile_node(&r, 8, 1, &root, NULL), RAMPART_EINVAL);
    CHECK_OK(tlog_tile_node(&r, 7, 1, &root, NULL));
    tlog_tile_reader_free(&r);
    for (size_t i = 0; i < s.n; i++)
        rbuf_free(&s.data[i]);
    tlog_memtree_free(&t);
}

static void test_bundles(void)
{
    rbuf b;
    rbuf_init(&b, 1 << 20);
    static uint8_t big[TLOG_ENTRY_MAX + 1];
    CHECK_OK(tlog_bundle_append(&b, (const uint8_t *)"abc", 3, NULL));
    CHECK_OK(tlog_bundle_append(&b, NULL, 0, NULL));
    CHECK_OK(tlog_bundle_append(&b, big, TLOG_ENTRY_MAX, NULL));
    CHECK_RC(tlog_bundle_append(&b, big, TLOG_ENTRY_MAX + 1, NULL), RAMPART_ETOOLARGE);
    CHECK_INT(b.len, 2 + 3 + 2 + 2 + TLOG_ENTRY_MAX);
    CHECK_MEM(b.data, 5,
              "\x00\x03"
              "abc",
              5);
    size_t off[3], len[3];
    CHECK_OK(tlog_bundle_split(b.data, b.len, 3, off, len, NULL));
    CHECK_INT(off[0], 2);
    CHECK_INT(len[0], 3);
    CHECK_INT(len[1], 0);
    CHECK_INT(len[2], TLOG_ENTRY_MAX);
    off[0] = len[0] = 77;
    CHECK_RC(tlog_bundle_split(b.data, b.len, 2, off, len, NULL), RAMPART_EFORMAT);
    CHECK_INT(off[0], 77);
    CHECK_INT(len[0], 77);
    CHECK_RC(tlog_bundle_split(b.data, b.len - 1, 3, off, len, NULL), RAMPART_EFORMAT);
    CHECK_RC(tlog_bundle_split(b.data, 1, 1, off, len, NULL), RAMPART_EFORMAT);
    rbuf_free(&b);
}

int main(void)
{
    RUN(test_hashes_rfc6962);
    RUN(test_proofs_all_sizes);
    RUN(test_tile_paths);
    RUN(test_tiles_worked_example);
    RUN(test_tiles_reader_70000);
    RUN(test_bundles);
    return th_summary("test_tlog_merkle");
}
