/* test_tlog_api.c - the public API of rampart/tlog.h (src/tlog/api.c): a
 * policy, a cosigned checkpoint, inclusion and consistency proofs and tile
 * paths through the public functions, with their refusal codes. */
#include <string.h>

#include "harness.h"
#include "keys/keys.h"
#include "rampart/tlog.h"
#include "tlog/note.h"
#include "tlog/tiles.h"
#include "util/banned.h"

static rprivkey *lk, *wk;
static tlog_signer ls, ws;
static tlog_memtree tree;

static int vkey_of(const tlog_signer *s, rbuf *out)
{
    tlog_vkey *v = NULL;
    int rc = tlog_signer_vkey(s, &v, NULL);
    if (rc == 0)
        rc = tlog_vkey_format(v, out);
    tlog_vkey_free(v);
    return rc;
}

/* A checkpoint of the first `size` entries, signed and cosigned at `t`. */
static int note_at(uint64_t size, int64_t t, rbuf *out)
{
    tlog_hash root;
    rbuf text;
    rbuf_init(&text, 1024);
    int rc = tlog_tree_root(tlog_memtree_node, &tree, size, &root, NULL);
    if (rc == 0)
        rc = tlog_checkpoint_format("example.com/log", size, &root, &text, NULL);
    if (rc == 0)
        rc = rbuf_append(out, text.data, text.len);
    if (rc == 0)
        rc = rbuf_append_byte(out, '\n');
    if (rc == 0)
        rc = tlog_note_sign_line(&ls, text.data, text.len, 0, out, NULL);
    if (rc == 0)
        rc = tlog_note_sign_line(&ws, text.data, text.len, t, out, NULL);
    rbuf_free(&text);
    return rc;
}

static void test_public_flow(void)
{
    rbuf pol, n1, n2;
    rbuf_init(&pol, 4096);
    rbuf_init(&n1, 4096);
    rbuf_init(&n2, 4096);
    CHECK_OK(rbuf_append_str(&pol, "log "));
    CHECK_OK(vkey_of(&ls, &pol));
    CHECK_OK(rbuf_append_str(&pol, "\nwitness W "));
    CHECK_OK(vkey_of(&ws, &pol));
    CHECK_OK(rbuf_append_str(&pol, "\nquorum W\n"));
    rampart_tlog_policy *p = NULL;
    rampart_error err;
    CHECK_OK(rampart_tlog_policy_parse(&p, pol.data, pol.len, &err));
    CHECK_OK(note_at(20, 1000, &n1));
    CHECK_OK(note_at(50, 1100, &n2));
    rampart_tlog_checkpoint a, b;
    CHECK_OK(rampart_tlog_verify_checkpoint(p, n1.data, n1.len, 1200, 3600, &a, &err));
    CHECK_OK(rampart_tlog_verify_checkpoint(p, n2.data, n2.len, 1200, 3600, &b, &err));
    CHECK_STR(a.origin, "example.com/log");
    CHECK_INT(a.size, 20);
    CHECK_INT(b.cosignatures, 1);
    CHECK_INT(b.newest_cosignature, 1100);
    CHECK_RC(rampart_tlog_verify_checkpoint(p, n1.data, n1.len, 1000 + 3601, 3600, &a, &err), RAMPART_ESTALE);
    CHECK_STR(rampart_error_name(err.code), "RAMPART_ESTALE");
    /* Inclusion of entry 17 in the tree of 50. */
    tlog_proof pr;
    CHECK_OK(tlog_inclusion_proof(tlog_memtree_node, &tree, 17, 50, &pr, NULL));
    uint8_t leaf[32];
    CHECK_OK(rampart_tlog_leaf_hash("entry 17", 8, leaf));
    CHECK_OK(rampart_tlog_verify_inclusion(&b, leaf, 17, (const uint8_t(*)[32])pr.h, pr.n, &err));
    CHECK_RC(rampart_tlog_verify_inclusion(&b, leaf, 18, (const uint8_t(*)[32])pr.h, pr.n, &err), RAMPART_ENOTLOGGED);
    CHECK_RC(rampart_tlog_verify_inclusion(&a, leaf, 17, (const uint8_t(*)[32])pr.h, pr.n, &err), RAMPART_ENOTLOGGED);
    CHECK_RC(rampart_tlog_verify_inclusion(&b, leaf, 17, NULL, 1, &err), RAMPART_EINVAL);
    /* Consistency 20 -> 50; a forked old view is a split view. */
    CHECK_OK(tlog_consistency_proof(tlog_memtree_node, &tree, 20, 50, &pr, NULL));
    CHECK_OK(rampart_tlog_verify_consistency(&a, &b, (const uint8_t(*)[32])pr.h, pr.n, &err));
    rampart_tlog_checkpoint fork = a;
    fork.root[5] ^= 1;
    CHECK_RC(rampart_tlog_verify_consistency(&fork, &b, (const uint8_t(*)[32])pr.h, pr.n, &err), RAMPART_ESPLITVIEW);
    CHECK_RC(rampart_tlog_verify_consistency(&b, &a, (const uint8_t(*)[32])pr.h, pr.n, &err), RAMPART_ESPLITVIEW);
    CHECK_RC(rampart_tlog_verify_consistency(&b, &b, NULL, 0, &err), RAMPART_OK);
    /* A checkpoint without the witness: no quorum. */
    rbuf_reset(&n1);
    CHECK_OK(rbuf_append(&n1, n2.data, n2.len));
    n1.len -= 1;
    while (n1.data[n1.len - 1] != '\n')
        n1.len--;
    CHECK_RC(rampart_tlog_verify_checkpoint(p, n1.data, n1.len, 1200, 0, &a, &err), RAMPART_ENOQUORUM);
    rampart_tlog_policy_free(p);
    p = NULL;
    CHECK_RC(rampart_tlog_policy_parse(&p, "quorum W\n", 9, &err), RAMPART_EFORMAT);
    CHECK(p == NULL);
    CHECK_RC(rampart_tlog_policy_parse(NULL, "", 0, &err), RAMPART_EINVAL);
    rbuf_free(&pol);
    rbuf_free(&n1);
    rbuf_free(&n2);
}

static void test_tile_path(void)
{
    char path[RAMPART_TLOG_TILE_PATH_MAX];
    CHECK_OK(rampart_tlog_tile_path(0, 1234067, 8, 0, path));
    CHECK_STR(path, "tile/0/x001/x234/067.p/8");
    CHECK_OK(rampart_tlog_tile_path(9, 273, 256, 1, path));
    CHECK_STR(path, "tile/entries/273");
    CHECK_RC(rampart_tlog_tile_path(64, 0, 256, 0, path), RAMPART_EINVAL);
    CHECK_RC(rampart_tlog_tile_path(0, 0, 257, 0, path), RAMPART_EINVAL);
}

int main(void)
{
    if (rprivkey_generate(&lk, RKEY_ED25519, 0, NULL) != 0 || rprivkey_generate(&wk, RKEY_ED25519, 0, NULL) != 0 ||
        tlog_signer_init(&ls, "example.com/log", TLOG_SIG_ED25519, lk, NULL) != 0 ||
        tlog_signer_init(&ws, "witness.example", TLOG_SIG_COSIGN_V1, wk, NULL) != 0)
        return 1;
    tlog_memtree_init(&tree);
    for (int i = 0; i < 50; i++) {
        char e[16];
        int n = snprintf(e, sizeof(e), "entry %d", i);
        tlog_hash h;
        if (tlog_leaf_hash((const uint8_t *)e, (size_t)n, &h) != 0 || tlog_memtree_append(&tree, &h, NULL) != 0)
            return 1;
    }
    RUN(test_public_flow);
    RUN(test_tile_path);
    tlog_memtree_free(&tree);
    rprivkey_free(lk);
    rprivkey_free(wk);
    return th_summary("test_tlog_api");
}
