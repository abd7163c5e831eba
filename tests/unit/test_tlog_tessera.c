/* test_tlog_tessera.c - Tessera's small static test log, written by
 * another implementation of C2SP tlog-tiles, signed-note and
 * tlog-checkpoint, read and verified by src/tlog: the 16 checkpoints'
 * signatures with the log's published key, the tree of every size rebuilt
 * from the entry bundles and the level-0 tiles and matched against its
 * checkpoint, and every inclusion and consistency proof computed through
 * the tile reader over the published tiles.  Negative: an altered
 * signature, the key under another name, an altered tile byte, a
 * truncated tile, a wrong entry, a forged root.
 *
 * The log is not part of Rampart (nothing of another repository is
 * committed here): RAMPART_TESSERA_TESTDATA names a copy of the testdata/
 * folder of github.com/transparency-dev/tessera (log/ and build_log.sh,
 * whose LOG_PUBLIC_KEY line gives the key); without it the test is
 * skipped (exit 77).  docs/transparency.md says how to get it. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tlog/endpoint.h"
#include "tlog/note.h"
#include "tlog/policy.h"
#include "tlog/tiles.h"
#include "util/codec.h"
#include "util/banned.h"

#define SIZES 16 /* checkpoint.0 ... checkpoint.15 */
#define ORIGIN "example.com/log/testdata"

static const char *dir; /* $RAMPART_TESSERA_TESTDATA */

/* The whole file into `out` (reset first); false when unreadable. */
static bool slurp(const char *rel, rbuf *out)
{
    char path[512];
    int pn = snprintf(path, sizeof(path), "%s/%s", dir, rel);
    if (pn < 0 || (size_t)pn >= sizeof(path))
        return false;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    rbuf_reset(out);
    uint8_t b[4096];
    size_t n;
    bool ok = true;
    while (ok && (n = fread(b, 1, sizeof(b), f)) > 0)
        ok = rbuf_append(out, b, n) == 0;
    fclose(f);
    return ok;
}

/* The log's key: the LOG_PUBLIC_KEY="..." line of build_log.sh. */
static tlog_vkey *log_key(void)
{
    static const char tag[] = "LOG_PUBLIC_KEY=\"";
    rbuf b;
    rbuf_init(&b, 1 << 16);
    tlog_vkey *k = NULL;
    if (slurp("build_log.sh", &b) && rbuf_append_byte(&b, 0) == 0) {
        const char *p = strstr((const char *)b.data, tag);
        const char *end = p != NULL ? strchr(p + sizeof(tag) - 1, '"') : NULL;
        if (end == NULL || tlog_vkey_parse(&k, p + sizeof(tag) - 1, (size_t)(end - p) - (sizeof(tag) - 1), NULL) != 0)
            k = NULL;
    }
    rbuf_free(&b);
    return k;
}

/* Verifies checkpoint file `rel` with key `k`: the verifier's code; the
 * checkpoint in *cp when it verified. */
static int verify_file(const char *rel, const tlog_vkey *k, const rbuf *override, tlog_checkpoint *cp)
{
    rbuf b;
    rbuf_init(&b, TLOG_NOTE_MAX);
    const rbuf *src = override;
    if (src == NULL) {
        if (!slurp(rel, &b)) {
            rbuf_free(&b);
            return RAMPART_EIO;
        }
        src = &b;
    }
    tlog_note *nt = NULL;
    tlog_note_verdict v = {0};
    int rc = tlog_note_parse(&nt, src->data, src->len, NULL);
    if (rc == 0)
        rc = tlog_note_verify(nt, &k, 1, &v, NULL);
    if (rc == 0 && !v.verified)
        rc = RAMPART_EINTERNAL;
    if (rc == 0)
        rc = tlog_checkpoint_parse(nt->data, nt->text_len, cp, NULL);
    tlog_note_free(nt);
    rbuf_free(&b);
    return rc;
}

/* Every checkpoint.N of the log, verified. */
static tlog_checkpoint cps[SIZES];
/* The 15 entries, from the newest entry bundle (not trusted: each is
 * checked against the signed roots below). */
static rbuf bundle15;
static size_t eoff[SIZES], elen[SIZES];
#define ENTRY(i) (bundle15.data + eoff[(i)])

static void test_checkpoints(void)
{
    tlog_vkey *k = log_key();
    CHECK(k != NULL);
    CHECK_STR(k->name, ORIGIN);
    CHECK_INT(k->id, 0x33d7b496);
    for (unsigned n = 0; n < SIZES; n++) {
        char rel[32];
        (void)snprintf(rel, sizeof(rel), "log/checkpoint.%u", n);
        int rc = verify_file(rel, k, NULL, &cps[n]);
        if (rc != 0) {
            tlog_vkey_free(k);
            TH_FAIL("%s: %s", rel, rampart_error_name(rc));
            return;
        }
        CHECK_INT(cps[n].size, n);
        CHECK_STR(cps[n].origin, ORIGIN);
    }
    /* The empty tree's root is SHA-256 of nothing. */
    tlog_hash empty;
    CHECK_OK(tlog_empty_root(&empty));
    CHECK_MEM(cps[0].root.b, 32, empty.b, 32);
    /* "checkpoint" is the newest, checkpoint.15. */
    tlog_checkpoint head;
    CHECK_OK(verify_file("log/checkpoint", k, NULL, &head));
    CHECK_INT(head.size, 15);
    CHECK_MEM(head.root.b, 32, cps[15].root.b, 32);

    /* The same through a tlog-policy with the published vkey. */
    rbuf pol, note;
    rbuf_init(&pol, 4096);
    rbuf_init(&note, TLOG_NOTE_MAX);
    CHECK_OK(rbuf_append(&pol, "log ", 4));
    CHECK_OK(tlog_vkey_format(k, &pol));
    CHECK_OK(rbuf_append(&pol, "\nquorum none\n", 13));
    tlog_policy *p = NULL;
    CHECK_OK(tlog_policy_parse(&p, pol.data, pol.len, NULL));
    CHECK(slurp("log/checkpoint.7", &note));
    tlog_verified out;
    CHECK_OK(tlog_policy_verify(p, note.data, note.len, 0, 0, &out, NULL));

    /* Negative: one bit of the signature flipped (the base64 of its last
     * signature byte), and the same note under another key. */
    size_t at = note.len - 3; /* "...X=\n": a base64 digit of the signature */
    note.data[at] = note.data[at] == 'A' ? 'B' : 'A';
    tlog_checkpoint dummy;
    CHECK_RC(verify_file(NULL, k, &note, &dummy), RAMPART_EBADSIG);
    CHECK_RC(tlog_policy_verify(p, note.data, note.len, 0, 0, &out, NULL), RAMPART_ENOQUORUM);
    tlog_policy_free(p);
    /* The same key under another name: the note's signature line names no
     * known key, so it is ignored and nothing verifies (signed-note). */
    tlog_vkey *other = NULL;
    rbuf ov;
    rbuf_init(&ov, 1024);
    uint32_t oid = 0;
    uint8_t raw[1 + TLOG_ED25519_LEN] = {TLOG_SIG_ED25519};
    memcpy(raw + 1, k->pub, TLOG_ED25519_LEN);
    CHECK_OK(tlog_key_id("example.com/log/other", 21, TLOG_SIG_ED25519, k->pub, TLOG_ED25519_LEN, &oid));
    CHECK_OK(rbuf_appendf(&ov, "example.com/log/other+%08x+", (unsigned)oid));
    CHECK_OK(rb64_encode(&ov, raw, sizeof(raw), RB64_STD));
    CHECK_OK(tlog_vkey_parse(&other, (const char *)ov.data, ov.len, NULL));
    rbuf_free(&ov);
    CHECK(slurp("log/checkpoint.7", &note));
    CHECK_RC(verify_file(NULL, other, &note, &dummy), RAMPART_EBADSIG);
    tlog_vkey_free(other);
    rbuf_free(&pol);
    rbuf_free(&note);
    tlog_vkey_free(k);
}

/* The tree of every size rebuilt from the entry bundle and the level-0
 * tile, matched against its checkpoint. */
static void test_tree_from_bundles(void)
{
    rbuf bundle, tile;
    rbuf_init(&bundle, 1 << 20);
    rbuf_init(&tile, 8192);
    for (unsigned n = 1; n < SIZES; n++) {
        char rel[64];
        (void)snprintf(rel, sizeof(rel), "log/tile/entries/000.p/%u", n);
        CHECK(slurp(rel, &bundle));
        (void)snprintf(rel, sizeof(rel), "log/tile/0/000.p/%u", n);
        CHECK(slurp(rel, &tile));
        CHECK_INT(tile.len, 32 * n);
        size_t off[SIZES], len[SIZES];
        CHECK_OK(tlog_bundle_split(bundle.data, bundle.len, n, off, len, NULL));
        /* one entry too many or too few is a malformed bundle */
        CHECK_RC(tlog_bundle_split(bundle.data, bundle.len, n + 1, off, len, NULL), RAMPART_EFORMAT);
        tlog_memtree t;
        tlog_memtree_init(&t);
        for (unsigned i = 0; i < n; i++) {
            /* every bundle holds the same entries as the newest one */
            CHECK_MEM(bundle.data + off[i], len[i], ENTRY(i), elen[i]);
            tlog_hash leaf;
            CHECK_OK(tlog_leaf_hash(bundle.data + off[i], len[i], &leaf));
            CHECK_MEM(leaf.b, 32, tile.data + 32 * (size_t)i, 32);
            CHECK_OK(tlog_memtree_append(&t, &leaf, NULL));
        }
        tlog_hash root;
        CHECK_OK(tlog_tree_root(tlog_memtree_node, &t, n, &root, NULL));
        CHECK_MEM(root.b, 32, cps[n].root.b, 32);
        tlog_memtree_free(&t);
    }
    rbuf_free(&bundle);
    rbuf_free(&tile);
}

/* Serves the log's tiles from disk; `flip` alters one byte of the tile
 * tile/0/000.p/<flip_width> (byte flip_at), `truncate` drops its last. */
struct disk {
    size_t fetches;
    unsigned flip_width;
    size_t flip_at;
    bool truncate;
};

static int fetch(void *ctx, const tlog_tile *t, rbuf *out, rerr *e)
{
    struct disk *d = ctx;
    char path[TLOG_TILE_PATH_MAX], rel[TLOG_TILE_PATH_MAX + 8];
    rbuf b;
    rbuf_init(&b, 8192);
    if (tlog_tile_path(t, path) != 0)
        return RAMPART_EINTERNAL;
    (void)snprintf(rel, sizeof(rel), "log/%s", path); /* TLOG_TILE_PATH_MAX + 4: fits */
    d->fetches++;
    if (!slurp(rel, &b)) {
        rbuf_free(&b);
        return rerr_set(e, RAMPART_ENOTFOUND, NULL, "no tile %s", path);
    }
    if (!t->entries && t->level == 0 && t->width == d->flip_width && d->flip_at < b.len) {
        b.data[d->flip_at] ^= 0x01;
        if (d->truncate)
            b.len--;
    }
    int rc = rbuf_append(out, b.data, b.len);
    rbuf_free(&b);
    return rc;
}

static size_t n_incl, n_cons;

/* Every inclusion proof (each entry in each tree size) and every
 * consistency proof (each pair of sizes) through the tile reader. */
static void test_proofs_through_tiles(void)
{
    for (unsigned n = 1; n < SIZES; n++) {
        struct disk d = {0};
        tlog_tile_reader r;
        tlog_tile_reader_init(&r, n, fetch, &d);
        for (unsigned i = 0; i < n; i++) {
            int rc = tlog_check_inclusion(&cps[n], ENTRY(i), elen[i], i, NULL, tlog_tile_node, &r, NULL);
            if (rc != 0) {
                tlog_tile_reader_free(&r);
                TH_FAIL("inclusion of %u in %u: %s", i, n, rampart_error_name(rc));
                return;
            }
            n_incl++;
            /* another entry at that index is not logged */
            unsigned j = (i + 1) % (SIZES - 1);
            int bad = tlog_check_inclusion(&cps[n], ENTRY(j), elen[j], i, NULL, tlog_tile_node, &r, NULL);
            if (bad != RAMPART_ENOTLOGGED) {
                tlog_tile_reader_free(&r);
                TH_FAIL("wrong entry at %u in %u: %s", i, n, rampart_error_name(bad));
                return;
            }
        }
        for (unsigned m = 1; m <= n; m++) {
            tlog_proof p;
            int rc = tlog_check_consistency(&cps[m], &cps[n], tlog_tile_node, &r, &p, NULL);
            if (rc != 0) {
                tlog_tile_reader_free(&r);
                TH_FAIL("consistency %u -> %u: %s", m, n, rampart_error_name(rc));
                return;
            }
            n_cons++;
            /* a checkpoint of size m with another root is a split view */
            if (m < n) {
                tlog_checkpoint forged = cps[m];
                forged.root.b[0] ^= 0x80;
                CHECK_RC(tlog_check_consistency(&forged, &cps[n], tlog_tile_node, &r, &p, NULL), RAMPART_ESPLITVIEW);
            }
        }
        /* The one partial tile of each tree, fetched once (a tree of one
         * leaf needs none: its root is the leaf). */
        CHECK_INT(d.fetches, n == 1 ? 0 : 1);
        tlog_tile_reader_free(&r);
    }
    printf("tessera: %zu inclusion proofs and %zu consistency proofs verified through the tile reader\n", n_incl,
           n_cons);
    CHECK_INT(n_incl, 15 * 16 / 2);
    CHECK_INT(n_cons, 15 * 16 / 2);
}

/* One altered byte of the published level-0 tile: the proofs built from it
 * are refused with the exact codes, and a truncated tile is malformed. */
static void test_altered_tile(void)
{
    tlog_proof p;
    /* byte 5 of leaf hash 0 in the tree of 15: entry 1's proof uses it */
    struct disk d = {.flip_width = 15, .flip_at = 5};
    tlog_tile_reader r;
    tlog_tile_reader_init(&r, 15, fetch, &d);
    CHECK_RC(tlog_check_inclusion(&cps[15], ENTRY(1), elen[1], 1, NULL, tlog_tile_node, &r, NULL), RAMPART_ENOTLOGGED);
    /* entry 0 itself is hashed from the entry, not read: still included */
    CHECK_OK(tlog_check_inclusion(&cps[15], ENTRY(0), elen[0], 0, NULL, tlog_tile_node, &r, NULL));
    /* from size 3 the proof carries the hash of leaves 0-1: refused; from
     * size 1 it does not (the old root is leaf 0 itself, from the signed
     * checkpoint), so that one still verifies */
    CHECK_RC(tlog_check_consistency(&cps[3], &cps[15], tlog_tile_node, &r, &p, NULL), RAMPART_ESPLITVIEW);
    CHECK_OK(tlog_check_consistency(&cps[1], &cps[15], tlog_tile_node, &r, &p, NULL));
    tlog_hash root;
    CHECK_OK(tlog_tree_root(tlog_tile_node, &r, 15, &root, NULL));
    CHECK(memcmp(root.b, cps[15].root.b, 32) != 0);
    tlog_tile_reader_free(&r);
    /* the last byte of the tile dropped: the wrong length */
    d = (struct disk){.flip_width = 15, .flip_at = 0, .truncate = true};
    tlog_tile_reader_init(&r, 15, fetch, &d);
    CHECK_RC(tlog_check_inclusion(&cps[15], ENTRY(1), elen[1], 1, NULL, tlog_tile_node, &r, NULL), RAMPART_EFORMAT);
    tlog_tile_reader_free(&r);
}

/* The newest entry bundle: 15 entries. */
static void test_bundle(void)
{
    rbuf_init(&bundle15, 1 << 20);
    CHECK(slurp("log/tile/entries/000.p/15", &bundle15));
    CHECK_OK(tlog_bundle_split(bundle15.data, bundle15.len, 15, eoff, elen, NULL));
    /* two different entries (the wrong-entry checks below need them) */
    CHECK(elen[0] != elen[1] || memcmp(ENTRY(0), ENTRY(1), elen[0]) != 0);
}

int main(void)
{
    dir = getenv("RAMPART_TESSERA_TESTDATA");
    if (dir == NULL || dir[0] == '\0') {
        printf("SKIPPED: RAMPART_TESSERA_TESTDATA (a copy of Tessera's testdata/ folder) is not set\n");
        return 77;
    }
    RUN(test_checkpoints);
    RUN(test_bundle);
    RUN(test_tree_from_bundles);
    RUN(test_proofs_through_tiles);
    RUN(test_altered_tile);
    int rc = th_summary("test_tlog_tessera");
    rbuf_free(&bundle15);
    return rc;
}
