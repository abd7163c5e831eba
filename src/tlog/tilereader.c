/*
 * tilereader.c - Merkle nodes from tiles fetched through a callback, the
 * tiles a proof needs, and the writer's in-memory tree.  See tiles.h.
 */
#include <string.h>

#include "tlog/tiles.h"
#include "util/banned.h"

void tlog_tile_reader_init(tlog_tile_reader *r, uint64_t size, tlog_tile_fetch_fn fetch, void *ctx)
{
    memset(r, 0, sizeof(*r));
    r->fetch = fetch;
    r->ctx = ctx;
    r->size = size;
}

void tlog_tile_reader_free(tlog_tile_reader *r)
{
    for (unsigned i = 0; i < TLOG_TILE_CACHE; i++) {
        rampart_free(r->cache[i].h);
        r->cache[i].h = NULL;
        r->cache[i].used = false;
    }
}

/* The tile of the tree of `size` that holds hash `idx` of tile level `tl`:
 * full when the tree has completed it, else the partial one. */
static tlog_tile tile_for(uint64_t size, unsigned tl, uint64_t idx)
{
    uint64_t count = size >> (TLOG_TILE_HEIGHT * tl);
    tlog_tile t = {.level = tl, .index = idx / TLOG_TILE_WIDTH, .width = TLOG_TILE_WIDTH};
    uint64_t rest = count - t.index * TLOG_TILE_WIDTH;
    if (rest < TLOG_TILE_WIDTH)
        t.width = (unsigned)rest;
    return t;
}

static int reader_get(tlog_tile_reader *r, const tlog_tile *t, const uint8_t **h, rerr *e)
{
    for (unsigned i = 0; i < TLOG_TILE_CACHE; i++)
        if (r->cache[i].used && r->cache[i].t.level == t->level && r->cache[i].t.index == t->index &&
            r->cache[i].t.width == t->width) {
            *h = r->cache[i].h;
            return 0;
        }
    rbuf b;
    rbuf_init(&b, (size_t)TLOG_TILE_WIDTH * TLOG_HASH_LEN);
    int rc = r->fetch(r->ctx, t, &b, e);
    r->fetches++;
    if (rc == 0 && b.len != (size_t)t->width * TLOG_HASH_LEN)
        rc = rerr_set(e, RAMPART_EFORMAT, NULL, "tile %u/%llu of width %u has %zu bytes, not %zu", t->level,
                      (unsigned long long)t->index, t->width, b.len, (size_t)t->width * TLOG_HASH_LEN);
    if (rc != 0) {
        rbuf_free(&b);
        return rc;
    }
    size_t len;
    uint8_t *data = rbuf_detach(&b, &len);
    if (data == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory for a tile");
    unsigned slot = r->next;
    r->next = (r->next + 1) % TLOG_TILE_CACHE;
    rampart_free(r->cache[slot].h);
    r->cache[slot].t = *t;
    r->cache[slot].h = data;
    r->cache[slot].used = true;
    *h = data;
    return 0;
}

/* The subtree hash of 2^h consecutive hashes at p. */
// NOLINTNEXTLINE(misc-no-recursion): h < 8, the height of a tile
static int hash_span(const uint8_t *p, unsigned h, tlog_hash *out, rerr *e)
{
    if (h == 0) {
        memcpy(out->b, p, TLOG_HASH_LEN);
        return 0;
    }
    tlog_hash l, r;
    size_t half = (size_t)1 << (h - 1);
    int rc = hash_span(p, h - 1, &l, e);
    if (rc == 0)
        rc = hash_span(p + half * TLOG_HASH_LEN, h - 1, &r, e);
    if (rc == 0 && tlog_node_hash(&l, &r, out) != 0)
        rc = rerr_set(e, RAMPART_ECRYPTO, NULL, "hashing a node of the log failed");
    return rc;
}

int tlog_tile_node(void *ctx, unsigned level, uint64_t index, tlog_hash *out, rerr *e)
{
    tlog_tile_reader *r = ctx;
    if (level > 63 || index == UINT64_MAX || index + 1 > (r->size >> level))
        return rerr_set(e, RAMPART_EINVAL, NULL, "node %u/%llu is not complete in a tree of %llu", level,
                        (unsigned long long)index, (unsigned long long)r->size);
    unsigned tl = level / TLOG_TILE_HEIGHT, h = level % TLOG_TILE_HEIGHT;
    /* The node spans hashes [index << h, (index + 1) << h) of tile level tl,
     * all within one tile since 2^h divides 256. */
    uint64_t first = index << h;
    tlog_tile t = tile_for(r->size, tl, first);
    const uint8_t *data = NULL;
    int rc = reader_get(r, &t, &data, e);
    if (rc != 0)
        return rc;
    return hash_span(data + (size_t)(first % TLOG_TILE_WIDTH) * TLOG_HASH_LEN, h, out, e);
}

struct recorder {
    uint64_t size;
    tlog_tile *out;
    size_t cap, n;
};

/* A node reader that only notes the tile each node would be read from. */
static int record_node(void *ctx, unsigned level, uint64_t index, tlog_hash *out, rerr *e)
{
    struct recorder *rec = ctx;
    unsigned tl = level / TLOG_TILE_HEIGHT;
    tlog_tile t = tile_for(rec->size, tl, index << (level % TLOG_TILE_HEIGHT));
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < rec->n; i++)
        if (rec->out[i].level == t.level && rec->out[i].index == t.index)
            return 0;
    if (rec->n >= rec->cap)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "a proof needs more than %zu tiles", rec->cap);
    rec->out[rec->n++] = t;
    return 0;
}

int tlog_tiles_for_proofs(uint64_t index, uint64_t old_size, uint64_t size, tlog_tile *out, size_t cap, size_t *n,
                          rerr *e)
{
    struct recorder rec = {.size = size, .out = out, .cap = cap, .n = 0};
    tlog_proof p;
    int rc = tlog_inclusion_proof(record_node, &rec, index, size, &p, e);
    if (rc == 0 && old_size != 0)
        rc = tlog_consistency_proof(record_node, &rec, old_size, size, &p, e);
    if (rc == 0)
        *n = rec.n;
    return rc;
}

void tlog_memtree_init(tlog_memtree *t)
{
    memset(t, 0, sizeof(*t));
}

void tlog_memtree_free(tlog_memtree *t)
{
    for (unsigned i = 0; i < 64; i++)
        rampart_free(t->lv[i]);
    tlog_memtree_init(t);
}

static int level_reserve(tlog_memtree *t, unsigned l, rerr *e)
{
    if (t->len[l] < t->cap[l])
        return 0;
    uint64_t cap = t->cap[l] ? t->cap[l] * 2 : 1024;
    size_t bytes;
    if (cap > SIZE_MAX || !rsize_mul((size_t)cap, sizeof(tlog_hash), &bytes))
        return rerr_set(e, RAMPART_ENOMEM, NULL, "the log tree is too large for memory");
    tlog_hash *p = rampart_realloc(t->lv[l], bytes);
    if (p == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory for the log tree");
    t->lv[l] = p;
    t->cap[l] = cap;
    return 0;
}

int tlog_memtree_append(tlog_memtree *t, const tlog_hash *leaf, rerr *e)
{
    if (t->size == UINT64_MAX)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "the log is full");
    /* The new leaf completes one node per level while the level below had
     * an odd count; hash them all before changing anything, so that a
     * failure leaves the tree as it was. */
    tlog_hash up[64];
    unsigned nl = 0;
    tlog_hash h = *leaf;
    for (unsigned l = 0; l < 64; l++) {
        up[l] = h;
        nl = l + 1;
        if ((t->len[l] & 1) == 0)
            break;
        if (tlog_node_hash(&t->lv[l][t->len[l] - 1], &up[l], &h) != 0)
            return rerr_set(e, RAMPART_ECRYPTO, NULL, "hashing a node of the log failed");
    }
    for (unsigned l = 0; l < nl; l++) {
        int rc = level_reserve(t, l, e);
        if (rc != 0)
            return rc;
    }
    for (unsigned l = 0; l < nl; l++)
        t->lv[l][t->len[l]++] = up[l];
    t->size++;
    return 0;
}

int tlog_memtree_node(void *ctx, unsigned level, uint64_t index, tlog_hash *out, rerr *e)
{
    const tlog_memtree *t = ctx;
    if (level > 63 || index >= t->len[level])
        return rerr_set(e, RAMPART_EINVAL, NULL, "node %u/%llu is not complete in a tree of %llu", level,
                        (unsigned long long)index, (unsigned long long)t->size);
    *out = t->lv[level][index];
    return 0;
}
