/*
 * tiles.c - C2SP tlog-tiles paths, tile sets and contents, entry bundles.
 * See tiles.h; the reader over tiles and the in-memory tree are in
 * tilereader.c.
 */
#include <stdio.h>
#include <string.h>

#include "tlog/tiles.h"
#include "util/banned.h"

int tlog_tile_path(const tlog_tile *t, char out[TLOG_TILE_PATH_MAX])
{
    if ((!t->entries && t->level > 63) || t->width < 1 || t->width > TLOG_TILE_WIDTH)
        return RAMPART_EINVAL;
    char buf[TLOG_TILE_PATH_MAX];
    size_t at = 0;
    int w = t->entries ? snprintf(buf, sizeof(buf), "tile/entries") : snprintf(buf, sizeof(buf), "tile/%u", t->level);
    if (w < 0)
        return RAMPART_EINTERNAL;
    at = (size_t)w;
    /* tlog-tiles: N in zero-padded 3-digit segments, all but the last
     * prefixed with 'x' (index 1234067 is x001/x234/067). */
    unsigned seg[7];
    size_t ns = 0;
    uint64_t n = t->index;
    do {
        seg[ns++] = (unsigned)(n % 1000);
        n /= 1000;
    } while (n > 0);
    while (ns-- > 0) {
        w = snprintf(buf + at, sizeof(buf) - at, ns > 0 ? "/x%03u" : "/%03u", seg[ns]);
        if (w < 0 || (size_t)w >= sizeof(buf) - at)
            return RAMPART_EINTERNAL;
        at += (size_t)w;
    }
    if (t->width < TLOG_TILE_WIDTH) {
        w = snprintf(buf + at, sizeof(buf) - at, ".p/%u", t->width);
        if (w < 0 || (size_t)w >= sizeof(buf) - at)
            return RAMPART_EINTERNAL;
    }
    memcpy(out, buf, TLOG_TILE_PATH_MAX);
    return 0;
}

/* A decimal without leading zeroes, at most `maxdig` digits, from p[*at..n). */
static bool parse_dec(const char *p, size_t n, size_t *at, unsigned maxdig, uint64_t *out)
{
    size_t i = *at;
    uint64_t v = 0;
    unsigned d = 0;
    while (i < n && p[i] >= '0' && p[i] <= '9' && d < maxdig) {
        v = v * 10 + (uint64_t)(p[i] - '0');
        i++;
        d++;
    }
    if (d == 0 || (d > 1 && p[*at] == '0') || (i < n && p[i] >= '0' && p[i] <= '9'))
        return false;
    *at = i;
    *out = v;
    return true;
}

/* The "N" segments from p[*at..n): x-prefixed 3-digit groups, then a
 * final unprefixed one. */
static bool parse_index(const char *p, size_t n, size_t *at, uint64_t *out)
{
    size_t i = *at;
    uint64_t v = 0;
    for (unsigned nseg = 0; nseg < 7; nseg++) {
        bool x = i < n && p[i] == 'x';
        if (x)
            i++;
        if (n - i < 3)
            return false;
        unsigned g = 0;
        for (int k = 0; k < 3; k++) {
            if (p[i + (size_t)k] < '0' || p[i + (size_t)k] > '9')
                return false;
            g = g * 10 + (unsigned)(p[i + (size_t)k] - '0');
        }
        i += 3;
        /* Only the shortest form names a tile: no leading x000. */
        if (nseg == 0 && x && g == 0)
            return false;
        if (v > (UINT64_MAX - g) / 1000)
            return false;
        v = v * 1000 + g;
        if (!x) {
            *at = i;
            *out = v;
            return true;
        }
        if (i >= n || p[i] != '/')
            return false;
        i++;
    }
    return false;
}

int tlog_tile_parse_path(const char *path, size_t n, tlog_tile *out, rerr *e)
{
    tlog_tile t = {.width = TLOG_TILE_WIDTH};
    size_t at;
    uint64_t v;
    if (n >= 13 && memcmp(path, "tile/entries/", 13) == 0) {
        t.entries = true;
        at = 13;
    } else if (n >= 5 && memcmp(path, "tile/", 5) == 0) {
        at = 5;
        if (!parse_dec(path, n, &at, 2, &v) || v > 63 || at >= n || path[at] != '/')
            return rerr_set(e, RAMPART_EFORMAT, NULL, "tile path has no valid level");
        t.level = (unsigned)v;
        at++;
    } else {
        return rerr_set(e, RAMPART_EFORMAT, NULL, "not a tile path");
    }
    if (!parse_index(path, n, &at, &t.index))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "tile path has no valid index");
    if (at < n) {
        if (n - at < 3 || memcmp(path + at, ".p/", 3) != 0)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "tile path has trailing bytes");
        at += 3;
        if (!parse_dec(path, n, &at, 3, &v) || v < 1 || v > 255 || at != n)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "partial tile width is not 1..255");
        t.width = (unsigned)v;
    }
    *out = t;
    return 0;
}

/* The tiles of one level that go from `old_count` to `count` hashes. */
static int added_at_level(unsigned level, uint64_t old_count, uint64_t count, bool with_entries, tlog_tile_visit_fn fn,
                          void *ctx)
{
    for (uint64_t i = old_count / TLOG_TILE_WIDTH; i * TLOG_TILE_WIDTH < count; i++) {
        uint64_t w = count - i * TLOG_TILE_WIDTH;
        tlog_tile t = {.level = level, .index = i, .width = w >= TLOG_TILE_WIDTH ? TLOG_TILE_WIDTH : (unsigned)w};
        int rc = fn(ctx, &t);
        if (rc == 0 && with_entries && level == 0) {
            t.entries = true;
            rc = fn(ctx, &t);
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

int tlog_tiles_added(uint64_t old_size, uint64_t size, bool with_entries, tlog_tile_visit_fn fn, void *ctx)
{
    if (old_size > size)
        return RAMPART_EINVAL;
    for (unsigned level = 0; level < 8; level++) {
        unsigned shift = TLOG_TILE_HEIGHT * level;
        uint64_t count = size >> shift, old_count = old_size >> shift;
        /* tlog-tiles: the tile at level l has floor(s / 256^l) mod 256
         * hashes when partial; empty tiles do not exist. */
        if (count == 0)
            break;
        if (count == old_count)
            continue;
        int rc = added_at_level(level, old_count, count, with_entries, fn, ctx);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int tlog_tile_hashes(const tlog_tile *t, tlog_node_fn fn, void *ctx, rbuf *out, rerr *e)
{
    if (t->entries || t->level > 7 || t->width < 1 || t->width > TLOG_TILE_WIDTH)
        return rerr_set(e, RAMPART_EINVAL, NULL, "not a hash tile");
    size_t before = out->len;
    int rc = rbuf_reserve(out, (size_t)t->width * TLOG_HASH_LEN);
    if (rc != 0)
        return rerr_set(e, rc, NULL, "no room for a tile of %u hashes", t->width);
    for (unsigned i = 0; i < t->width; i++) {
        tlog_hash h;
        rc = fn(ctx, TLOG_TILE_HEIGHT * t->level, t->index * TLOG_TILE_WIDTH + i, &h, e);
        if (rc == 0)
            rc = rbuf_append(out, h.b, TLOG_HASH_LEN);
        if (rc != 0) {
            out->len = before;
            return rc;
        }
    }
    return 0;
}

int tlog_bundle_append(rbuf *out, const uint8_t *entry, size_t n, rerr *e)
{
    if (n > TLOG_ENTRY_MAX)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "log entry of %zu bytes is over %d", n, TLOG_ENTRY_MAX);
    uint8_t len[2] = {(uint8_t)(n >> 8), (uint8_t)n};
    size_t before = out->len;
    int rc = rbuf_append(out, len, 2);
    if (rc == 0)
        rc = rbuf_append(out, entry, n);
    if (rc != 0) {
        out->len = before;
        return rerr_set(e, rc, NULL, "no room for a log entry of %zu bytes", n);
    }
    return 0;
}

int tlog_bundle_split(const uint8_t *data, size_t n, size_t count, size_t *off, size_t *len, rerr *e)
{
    /* Check the whole bundle first: off and len are written only when it is valid. */
    size_t at = 0;
    for (size_t i = 0; i < count; i++) {
        if (n - at < 2)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "entry bundle ends before entry %zu of %zu", i, count);
        size_t l = ((size_t)data[at] << 8) | data[at + 1];
        if (n - at - 2 < l)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "entry %zu of the bundle is truncated", i);
        at += 2 + l;
    }
    if (at != n)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "entry bundle has %zu bytes after its %zu entries", n - at, count);
    at = 0;
    for (size_t i = 0; i < count; i++) {
        off[i] = at + 2;
        len[i] = ((size_t)data[at] << 8) | data[at + 1];
        at += 2 + len[i];
    }
    return 0;
}
