/*
 * fuzz_tlog_proof.c - Merkle proof verification (src/tlog/merkle.c), tile
 * paths and entry bundles (src/tlog/tiles.c).
 *
 * The input is a first line, read as a tile path, then binary: index,
 * size and old size (8 bytes each, big-endian), then 32-byte hashes: leaf,
 * root, old root, and the proof (the rest, whole hashes only).  The binary
 * part is also read as an entry bundle.  Invariants:
 *  - a tile path parses (0 or EFORMAT) only when writing the parsed tile
 *    again gives the same path;
 *  - tlog_verify_inclusion returns 0 or ENOTLOGGED; it returns 0 only for
 *    index < size, for a proof no longer than 64 hashes, and never for
 *    another leaf with the same proof;
 *  - tlog_verify_consistency returns 0, ESPLITVIEW, or EINVAL for an old
 *    size of 0; it returns 0 only for old size <= size, and never with a
 *    changed new root;
 *  - tlog_bundle_split, asked for 1..4 entries, returns 0 or EFORMAT, and
 *    on success the entries cover the input exactly.
 */
#include "fuzz_common.h"
#include "tlog/tiles.h"
#include "util/banned.h"

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

static void check_path(fuzz_part line)
{
    tlog_tile t = {.level = 99};
    int rc = tlog_tile_parse_path((const char *)line.p, line.n, &t, NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT);
    if (rc != 0) {
        FUZZ_CHECK(t.level == 99);
        return;
    }
    char path[TLOG_TILE_PATH_MAX];
    FUZZ_CHECK(tlog_tile_path(&t, path) == 0);
    FUZZ_CHECK(strlen(path) == line.n && memcmp(path, line.p, line.n) == 0);
}

static void check_bundle(fuzz_part b)
{
    for (size_t count = 1; count <= 4; count++) {
        size_t off[4], len[4];
        int rc = tlog_bundle_split(b.p, b.n, count, off, len, NULL);
        FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT);
        if (rc == 0) {
            size_t at = 0;
            for (size_t i = 0; i < count; i++) {
                FUZZ_CHECK(off[i] == at + 2 && len[i] == ((size_t)b.p[at] << 8 | b.p[at + 1]));
                at = off[i] + len[i];
            }
            FUZZ_CHECK(at == b.n);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_part line, rest;
    fuzz_first_line((fuzz_part){data, size}, &line, &rest);
    check_path(line);
    check_bundle(rest);
    if (rest.n < 24 + 3 * TLOG_HASH_LEN)
        return 0;
    uint64_t index = be64(rest.p), tsize = be64(rest.p + 8), old = be64(rest.p + 16);
    /* Small sizes reach the interesting paths; keep the high bit to test the edges. */
    if ((rest.p[0] & 0x80) == 0) {
        tsize %= 4096;
        index %= 4096;
        old %= 4096;
    }
    tlog_hash h[3], proof[80];
    memcpy(h, rest.p + 24, sizeof(h));
    size_t np = (rest.n - 24 - sizeof(h)) / TLOG_HASH_LEN;
    if (np > 80)
        np = 80;
    memcpy(proof, rest.p + 24 + sizeof(h), np * TLOG_HASH_LEN);

    int rc = tlog_verify_inclusion(&h[0], index, tsize, &h[1], proof, np, NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_ENOTLOGGED);
    if (rc == 0) {
        FUZZ_CHECK(index < tsize && np <= 64);
        tlog_hash other = h[0];
        other.b[0] ^= 1;
        FUZZ_CHECK(tlog_verify_inclusion(&other, index, tsize, &h[1], proof, np, NULL) == RAMPART_ENOTLOGGED);
    }
    rc = tlog_verify_consistency(old, tsize, &h[2], &h[1], proof, np, NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_ESPLITVIEW || (rc == RAMPART_EINVAL && old == 0));
    if (rc == 0) {
        FUZZ_CHECK(old <= tsize && old > 0);
        tlog_hash other = h[1];
        other.b[31] ^= 0x40;
        FUZZ_CHECK(tlog_verify_consistency(old, tsize, &h[2], &other, proof, np, NULL) == RAMPART_ESPLITVIEW);
    }
    return 0;
}
