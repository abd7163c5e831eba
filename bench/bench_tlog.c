/*
 * bench_tlog.c - the transparency log's writer, in memory: append N entries
 * (leaf hash + in-memory tree), then compute every tile and entry bundle of
 * the tree as C2SP tlog-tiles lays it out, then an inclusion proof read
 * through tiles.  Prints the time of each step and the totals.
 *
 *   bench_tlog [entries]        (default: 1000000)
 *
 * Entries are ~200-byte lines shaped like the log entry of a target (path,
 * length, hashes, role, version).  No file is written: this measures the
 * CPU cost of the log itself (goal, issue 13: under 30 s for 1,000,000).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tlog/tiles.h"
#include "util/banned.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int entry(uint64_t i, char *out, size_t cap)
{
    return snprintf(out, cap,
                    "path=releases/app-%llu.tar.gz\nlength=%llu\nsha256=%064llx\nrole=targets\nversion=%llu\n",
                    (unsigned long long)i, (unsigned long long)(1000 + i * 7), (unsigned long long)(i * 2654435761u),
                    (unsigned long long)(i / 100 + 1));
}

struct tiles_ctx {
    tlog_memtree *t;
    size_t tiles, bundles, bytes;
    rbuf buf;
};

static int visit(void *ctx, const tlog_tile *tile)
{
    struct tiles_ctx *c = ctx;
    char path[TLOG_TILE_PATH_MAX];
    int rc = tlog_tile_path(tile, path);
    if (rc != 0)
        return rc;
    rbuf_reset(&c->buf);
    if (tile->entries) {
        char e[256];
        for (unsigned i = 0; i < tile->width; i++) {
            int n = entry(tile->index * TLOG_TILE_WIDTH + i, e, sizeof(e));
            rc = tlog_bundle_append(&c->buf, (const uint8_t *)e, (size_t)n, NULL);
            if (rc != 0)
                return rc;
        }
        c->bundles++;
    } else {
        rc = tlog_tile_hashes(tile, tlog_memtree_node, c->t, &c->buf, NULL);
        if (rc != 0)
            return rc;
        c->tiles++;
    }
    c->bytes += c->buf.len;
    return 0;
}

static int fetch(void *ctx, const tlog_tile *t, rbuf *out, rerr *e)
{
    return tlog_tile_hashes(t, tlog_memtree_node, ctx, out, e);
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    tlog_memtree t;
    tlog_memtree_init(&t);
    char e[256];
    double t0 = now_s();
    for (uint64_t i = 0; i < n; i++) {
        int len = entry(i, e, sizeof(e));
        tlog_hash h;
        if (tlog_leaf_hash((const uint8_t *)e, (size_t)len, &h) != 0 || tlog_memtree_append(&t, &h, NULL) != 0) {
            fprintf(stderr, "append failed at %llu\n", (unsigned long long)i);
            return 1;
        }
    }
    double t1 = now_s();
    struct tiles_ctx c = {.t = &t};
    rbuf_init(&c.buf, 1 << 24);
    if (tlog_tiles_added(0, n, true, visit, &c) != 0) {
        fprintf(stderr, "tiles failed\n");
        return 1;
    }
    double t2 = now_s();
    tlog_hash root;
    tlog_tile_reader r;
    tlog_tile_reader_init(&r, n, fetch, &t);
    tlog_proof p;
    if (n == 0 || tlog_tree_root(tlog_tile_node, &r, n, &root, NULL) != 0 ||
        tlog_inclusion_proof(tlog_tile_node, &r, n / 3, n, &p, NULL) != 0 ||
        tlog_verify_inclusion(&t.lv[0][n / 3], n / 3, n, &root, p.h, p.n, NULL) != 0) {
        fprintf(stderr, "proof through tiles failed\n");
        return 1;
    }
    double t3 = now_s();
    printf("entries appended:      %llu in %.2f s (%.0f entries/s)\n", (unsigned long long)n, t1 - t0,
           (double)n / (t1 - t0));
    printf("tiles computed:        %zu hash tiles + %zu entry bundles, %.1f MiB, in %.2f s\n", c.tiles, c.bundles,
           (double)c.bytes / (1024.0 * 1024.0), t2 - t1);
    printf("append + tiles:        %.2f s (goal: under 30 s for 1000000)\n", t2 - t0);
    printf("root + proof by tiles: %.3f ms, %llu tiles read, %zu proof hashes\n", (t3 - t2) * 1e3,
           (unsigned long long)r.fetches, p.n);
    tlog_tile_reader_free(&r);
    rbuf_free(&c.buf);
    tlog_memtree_free(&t);
    return 0;
}
