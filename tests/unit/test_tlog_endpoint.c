/* test_tlog_endpoint.c - the endpoint's sans-I/O decisions
 * (src/tlog/endpoint.c): the log entry rebuilt from target metadata, the
 * C2SP tlog-proof parser and writer, consistency and inclusion computed
 * from a node reader, and the split-view evidence file; every refusal with
 * its exact code. */
#include <string.h>

#include "harness.h"
#include "tlog/endpoint.h"
#include "util/codec.h"
#include "util/banned.h"

/* The entry an endpoint rebuilds: the same encoder as the writer's
 * (tlog/entry.h), its bytes as the contract spells them. */
static int entry(const char *path, const char *const *alg, const char *const *hex, size_t nh, int64_t version,
                 rbuf *out)
{
    tlog_entry_hash h[TLOG_ENTRY_MAX_HASHES];
    for (size_t i = 0; i < nh && i < TLOG_ENTRY_MAX_HASHES; i++)
        h[i] = (tlog_entry_hash){alg[i], hex[i]};
    tlog_entry en = {.path = path,
                     .path_len = strlen(path),
                     .role = "targets",
                     .length = 12,
                     .version = version,
                     .hashes = h,
                     .nhashes = nh};
    return tlog_entry_encode(&en, out, NULL);
}

static void test_entry(void)
{
    rbuf b;
    rbuf_init(&b, SIZE_MAX);
    const char *alg[] = {"sha512", "sha256"}, *hex[] = {"bb", "aa"};
    CHECK_OK(entry("dir/a\"b\\c", alg, hex, 2, 7, &b));
    CHECK_MEM(b.data, b.len,
              "{\"hashes\":{\"sha256\":\"aa\",\"sha512\":\"bb\"},\"length\":12,\"path\":"
              "\"dir/a\\\"b\\\\c\",\"role\":\"targets\",\"type\":\"rampart.log-entry/v1\","
              "\"version\":7}",
              strlen("{\"hashes\":{\"sha256\":\"aa\",\"sha512\":\"bb\"},\"length\":12,\"path\":"
                     "\"dir/a\\\"b\\\\c\",\"role\":\"targets\",\"type\":\"rampart.log-entry/v1\","
                     "\"version\":7}"));
    size_t len = b.len;
    const char *dup[] = {"sha256", "sha256"};
    CHECK_RC(entry("a", dup, hex, 2, 1, &b), RAMPART_EINVAL);
    CHECK_RC(entry("a", alg, hex, 0, 1, &b), RAMPART_EINVAL);
    CHECK_RC(entry("a", alg, hex, 1, -1, &b), RAMPART_EINVAL);
    CHECK_INT(b.len, len);
    /* At most 65,535 bytes (the entry bundle's length prefix). */
    char *big = rampart_malloc(70000);
    memset(big, 'p', 69999);
    big[69999] = '\0';
    CHECK_RC(entry(big, alg, hex, 1, 1, &b), RAMPART_ETOOLARGE);
    CHECK_INT(b.len, len);
    rampart_free(big);
    rbuf_free(&b);
}

/* A syntactically valid note of a checkpoint (signature not verifiable). */
static void note_of(const char *origin, uint64_t size, const tlog_hash *root, rbuf *out)
{
    uint8_t sig[68] = {0};
    rbuf_reset(out);
    if (tlog_checkpoint_format(origin, size, root, out, NULL) != 0 || rbuf_appendf(out, "\n\xe2\x80\x94 %s ", origin) ||
        rb64_encode(out, sig, sizeof(sig), RB64_STD) != 0 || rbuf_append_byte(out, '\n') != 0)
        TH_FAIL("note_of");
}

static void test_proof_file(void)
{
    tlog_hash root = {{1}}, h[64];
    for (int i = 0; i < 64; i++)
        memset(h[i].b, i + 1, TLOG_HASH_LEN);
    rbuf note, b;
    rbuf_init(&note, SIZE_MAX);
    rbuf_init(&b, SIZE_MAX);
    note_of("example.com/log", 109482, &root, &note);
    tlog_proof p = {.n = 5};
    memcpy(p.h, h, 5 * sizeof(tlog_hash));
    CHECK_OK(tlog_proof_file_format(73894, &p, note.data, note.len, &b, NULL));
    tlog_proof_file f;
    CHECK_OK(tlog_proof_file_parse(b.data, b.len, &f, NULL));
    CHECK_INT(f.index, 73894);
    CHECK_INT(f.proof.n, 5);
    CHECK(memcmp(f.proof.h, h, 5 * sizeof(tlog_hash)) == 0);
    CHECK_INT(f.checkpoint_len, note.len);
    CHECK(memcmp(f.checkpoint, note.data, note.len) == 0);
    CHECK(!f.has_extra);
    /* tlog-proof: an "extra" line may follow the first; not trusted. */
    rbuf x;
    rbuf_init(&x, SIZE_MAX);
    CHECK_OK(rbuf_appendf(&x, "c2sp.org/tlog-proof@v1\nextra aGk=\nindex 0\n\n"));
    CHECK_OK(rbuf_append(&x, note.data, note.len));
    CHECK_OK(tlog_proof_file_parse(x.data, x.len, &f, NULL));
    CHECK(f.has_extra);
    CHECK_INT(f.proof.n, 0);
    /* Refusals, each EFORMAT. */
    static const char *const bad[] = {
        "c2sp.org/tlog-proof@v2\nindex 0\n\nx",                    /* another version */
        "c2sp.org/tlog-proof@v1\nindex 01\n\nx",                   /* leading zero */
        "c2sp.org/tlog-proof@v1\nindex -1\n\nx",                   /* not a decimal */
        "c2sp.org/tlog-proof@v1\nindex  1\n\nx",                   /* two spaces */
        "c2sp.org/tlog-proof@v1\nindex 18446744073709551616\n\nx", /* over 2^64-1 */
        "c2sp.org/tlog-proof@v1\nextra !!\nindex 0\n\nx",          /* extra not base64 */
        "c2sp.org/tlog-proof@v1\n\nindex 0\n\nx",                  /* no index line */
        "c2sp.org/tlog-proof@v1\nindex 0\nAAAA\n\nx",              /* a proof line of 3 bytes */
        "c2sp.org/tlog-proof@v1\nindex 0\n",                       /* no empty line */
        "c2sp.org/tlog-proof@v1\nindex 0\n\n",                     /* no checkpoint */
        "c2sp.org/tlog-proof@v1",                                  /* no newline */
        "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&f, 0x5A, sizeof(f));
        CHECK_RC(tlog_proof_file_parse((const uint8_t *)bad[i], strlen(bad[i]), &f, NULL), RAMPART_EFORMAT);
        CHECK(f.index == 0x5A5A5A5A5A5A5A5AULL);
    }
    /* At most 63 proof lines (one per level of a tree below 2^63 entries). */
    p.n = 63;
    memcpy(p.h, h, 63 * sizeof(tlog_hash));
    rbuf_reset(&b);
    CHECK_OK(tlog_proof_file_format(1, &p, note.data, note.len, &b, NULL));
    CHECK_OK(tlog_proof_file_parse(b.data, b.len, &f, NULL));
    CHECK_INT(f.proof.n, 63);
    p.n = 64;
    CHECK_RC(tlog_proof_file_format(1, &p, note.data, note.len, &b, NULL), RAMPART_EINVAL);
    rbuf_reset(&x);
    CHECK_OK(rbuf_appendf(&x, "c2sp.org/tlog-proof@v1\nindex 1\n"));
    for (int i = 0; i < 64; i++) {
        CHECK_OK(rb64_encode(&x, h[i].b, TLOG_HASH_LEN, RB64_STD));
        CHECK_OK(rbuf_append_byte(&x, '\n'));
    }
    CHECK_OK(rbuf_append_byte(&x, '\n'));
    CHECK_OK(rbuf_append(&x, note.data, note.len));
    CHECK_RC(tlog_proof_file_parse(x.data, x.len, &f, NULL), RAMPART_EFORMAT);
    uint8_t *huge = rampart_calloc(1, TLOG_PROOF_FILE_MAX + 1);
    CHECK_RC(tlog_proof_file_parse(huge, TLOG_PROOF_FILE_MAX + 1, &f, NULL), RAMPART_ETOOLARGE);
    rampart_free(huge);
    rbuf_free(&x);
    rbuf_free(&b);
    rbuf_free(&note);
}

/* Trees of entries "e<i>" (and "f<i>" from `fork` on). */
static void tree_of(tlog_memtree *t, uint64_t n, uint64_t fork)
{
    tlog_memtree_init(t);
    for (uint64_t i = 0; i < n; i++) {
        char e[32];
        int k = snprintf(e, sizeof(e), "%c%llu", i >= fork ? 'f' : 'e', (unsigned long long)i);
        tlog_hash h;
        if (tlog_leaf_hash((const uint8_t *)e, (size_t)k, &h) != 0 || tlog_memtree_append(t, &h, NULL) != 0)
            TH_FAIL("tree_of");
    }
}

static tlog_checkpoint cp_of(tlog_memtree *t)
{
    tlog_checkpoint c = {.size = t->size};
    if (tlog_tree_root(tlog_memtree_node, t, t->size, &c.root, NULL) != 0)
        TH_FAIL("cp_of");
    return c;
}

static void test_checks(void)
{
    tlog_memtree a, b, fork;
    tree_of(&a, 13, UINT64_MAX);
    tree_of(&b, 20, UINT64_MAX);
    tree_of(&fork, 20, 5);
    tlog_checkpoint ca = cp_of(&a), cb = cp_of(&b), cf = cp_of(&fork), zero = {0};
    tlog_proof p;
    rerr e = {0};
    CHECK_OK(tlog_check_consistency(&ca, &cb, tlog_memtree_node, &b, &p, NULL));
    CHECK(p.n > 0);
    CHECK_OK(tlog_check_consistency(&ca, &ca, tlog_memtree_node, &a, &p, NULL));
    CHECK_INT(p.n, 0);
    CHECK_OK(tlog_check_consistency(&zero, &cb, tlog_memtree_node, &b, &p, NULL));
    CHECK_RC(tlog_check_consistency(&ca, &cf, tlog_memtree_node, &fork, &p, &e), RAMPART_ESPLITVIEW);
    CHECK_STR(e.message, "the log of 20 entries is not an extension of the one of 13 entries seen before");
    CHECK(p.n > 0);
    CHECK_RC(tlog_check_consistency(&cb, &ca, tlog_memtree_node, &a, &p, &e), RAMPART_ESPLITVIEW);
    CHECK_STR(e.message, "the log shrank from 20 to 13 entries");
    CHECK_INT(p.n, 0);
    CHECK_RC(tlog_check_consistency(&cb, &cf, tlog_memtree_node, &fork, &p, &e), RAMPART_ESPLITVIEW);
    CHECK_STR(e.message, "two different roots for a log of 20 entries");

    CHECK_OK(tlog_check_inclusion(&cb, (const uint8_t *)"e7", 2, 7, NULL, tlog_memtree_node, &b, NULL));
    CHECK_RC(tlog_check_inclusion(&cb, (const uint8_t *)"e7", 2, 8, NULL, tlog_memtree_node, &b, &e),
             RAMPART_ENOTLOGGED);
    CHECK_STR(e.message, "entry 8 of the log (20 entries) is not this target's entry");
    CHECK_RC(tlog_check_inclusion(&cb, (const uint8_t *)"e7", 2, 20, NULL, tlog_memtree_node, &b, &e),
             RAMPART_ENOTLOGGED);
    CHECK_STR(e.message, "entry 20 is past the end of a log of 20 entries");
    CHECK_RC(tlog_check_inclusion(&cf, (const uint8_t *)"e7", 2, 7, NULL, tlog_memtree_node, &fork, NULL),
             RAMPART_ENOTLOGGED);
    /* A given proof (a tlog-proof file's): exact, then altered. */
    CHECK_OK(tlog_inclusion_proof(tlog_memtree_node, &b, 7, 20, &p, NULL));
    CHECK_OK(tlog_check_inclusion(&cb, (const uint8_t *)"e7", 2, 7, &p, NULL, NULL, NULL));
    p.h[0].b[0] ^= 1;
    CHECK_RC(tlog_check_inclusion(&cb, (const uint8_t *)"e7", 2, 7, &p, NULL, NULL, NULL), RAMPART_ENOTLOGGED);
    p.n--;
    CHECK_RC(tlog_check_inclusion(&cb, (const uint8_t *)"e7", 2, 7, &p, NULL, NULL, NULL), RAMPART_ENOTLOGGED);
    tlog_memtree_free(&a);
    tlog_memtree_free(&b);
    tlog_memtree_free(&fork);
}

static void test_evidence(void)
{
    tlog_hash r1, r2;
    memset(r1.b, 0x11, TLOG_HASH_LEN);
    memset(r2.b, 0x22, TLOG_HASH_LEN);
    rbuf o, n, b;
    rbuf_init(&o, SIZE_MAX);
    rbuf_init(&n, SIZE_MAX);
    rbuf_init(&b, SIZE_MAX);
    note_of("log.example", 5, &r1, &o);
    note_of("log.example", 9, &r2, &n);
    tlog_proof p = {.n = 2};
    memset(p.h[0].b, 0xAA, TLOG_HASH_LEN);
    memset(p.h[1].b, 0xBB, TLOG_HASH_LEN);
    tlog_evidence ev = {1700000000, "a reason", "https://h/log/", o.data, o.len, n.data, n.len, &p};
    CHECK_OK(tlog_evidence_format(&ev, &b, NULL));
    rbuf want;
    rbuf_init(&want, SIZE_MAX);
    CHECK_OK(rbuf_appendf(&want,
                          "rampart.split-view-evidence/v1\ntime 2023-11-14T22:13:20Z\nreason a reason\n"
                          "log-url https://h/log/\norigin log.example\nold-size 5\nnew-size 9\nproof 2\n"
                          "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqo=\nu7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7s=\n"
                          "old-checkpoint %zu\n",
                          o.len));
    CHECK_OK(rbuf_append(&want, o.data, o.len));
    CHECK_OK(rbuf_appendf(&want, "new-checkpoint %zu\n", n.len));
    CHECK_OK(rbuf_append(&want, n.data, n.len));
    CHECK_INT(b.len, want.len);
    CHECK(b.len == want.len && memcmp(b.data, want.data, b.len) == 0);
    size_t len = b.len;
    ev.reason = "two\nlines";
    CHECK_RC(tlog_evidence_format(&ev, &b, NULL), RAMPART_EINVAL);
    ev.reason = "r";
    ev.old_len = 3;
    CHECK_RC(tlog_evidence_format(&ev, &b, NULL), RAMPART_EFORMAT);
    CHECK_INT(b.len, len);
    rbuf_free(&want);
    rbuf_free(&o);
    rbuf_free(&n);
    rbuf_free(&b);
}

int main(void)
{
    RUN(test_entry);
    RUN(test_proof_file);
    RUN(test_checks);
    RUN(test_evidence);
    return th_summary("test_tlog_endpoint");
}
