/*
 * tiles.h - C2SP tlog-tiles, sans I/O: tile and entry-bundle paths, which
 * tiles a tree of a given size has and which ones an append adds, tile
 * contents, the tiles a proof needs, and a Merkle node reader over tiles
 * that the caller fetches (a callback: no I/O here).  Also the in-memory
 * tree the log writer appends to.
 *
 * A tile at level L, index N holds up to 256 hashes of tree level 8L,
 * nodes N*256 ... N*256 + W - 1 (merkle.h's (level, index) numbering); a
 * full tile has W = 256 and no ".p/W" suffix.  Entry bundles are the
 * entries of level-0 tiles, each prefixed by its length as a big-endian
 * uint16.
 */
#ifndef RAMPART_TLOG_TILES_H
#define RAMPART_TLOG_TILES_H

#include "tlog/merkle.h"

#define TLOG_TILE_HEIGHT 8
#define TLOG_TILE_WIDTH 256
/* The longest path: "tile/entries/" + 7 x "x000/" segments + ".p/255". */
#define TLOG_TILE_PATH_MAX 64
/* The largest entry a bundle can carry (uint16 length prefix). */
#define TLOG_ENTRY_MAX 65535

typedef struct tlog_tile {
    unsigned level; /* 0..63; ignored for an entry bundle */
    uint64_t index;
    unsigned width; /* 1..256; 256 is a full tile */
    bool entries;   /* an entry bundle (tile/entries/...) rather than hashes */
} tlog_tile;

/* Writes the tile's path below the log's prefix ("tile/0/x001/x234/067.p/8",
 * "tile/entries/000") to `out` (TLOG_TILE_PATH_MAX bytes), NUL-terminated.
 * EINVAL for a level over 63 or a width outside 1..256. */
int tlog_tile_path(const tlog_tile *t, char out[TLOG_TILE_PATH_MAX]) RAMPART_MUST_USE;
/* Parses `n` bytes of a tile path as tlog_tile_path writes it, and nothing
 * else: no leading zeroes in L or W, 3-digit segments with an 'x' on all
 * but the last, no leading "x000/" segment, W 1..255 after ".p/".  EFORMAT
 * otherwise; *out untouched then. */
int tlog_tile_parse_path(const char *path, size_t n, tlog_tile *out, rerr *e) RAMPART_MUST_USE;

/* Called once per tile; a non-zero return stops the walk and is returned. */
typedef int (*tlog_tile_visit_fn)(void *ctx, const tlog_tile *t);
/* Visits the hash tiles (level by level, index ascending) that a log
 * growing from `old_size` to `size` leaves must publish: every tile that
 * holds a new hash, full or partial (with `with_entries`, each level-0
 * tile is followed by its entry bundle).  With old_size 0: every tile of
 * the tree.  EINVAL when old_size > size; the visitor's code. */
int tlog_tiles_added(uint64_t old_size, uint64_t size, bool with_entries, tlog_tile_visit_fn fn,
                     void *ctx) RAMPART_MUST_USE;

/* The hashes of hash tile `t` (t->entries false), read through `fn` (the
 * complete subtrees at level 8 * t->level), appended to `out`
 * (32 * t->width bytes).  EINVAL, ETOOLARGE / ENOMEM from `out`, or the
 * reader's code; `out` unchanged on failure. */
int tlog_tile_hashes(const tlog_tile *t, tlog_node_fn fn, void *ctx, rbuf *out, rerr *e) RAMPART_MUST_USE;

/* Appends one entry to an entry bundle: a big-endian uint16 length and the
 * bytes.  ETOOLARGE for an entry over TLOG_ENTRY_MAX bytes (or from `out`),
 * ENOMEM. */
int tlog_bundle_append(rbuf *out, const uint8_t *entry, size_t n, rerr *e) RAMPART_MUST_USE;
/* Splits an entry bundle of `n` bytes that must hold exactly `count`
 * entries: writes each entry's offset and length to off[i], len[i]
 * (arrays of `count`), only when the whole bundle is valid.  EFORMAT (a
 * truncated entry, bytes after the last, fewer entries). */
int tlog_bundle_split(const uint8_t *data, size_t n, size_t count, size_t *off, size_t *len, rerr *e) RAMPART_MUST_USE;

/* Fetches a tile for the tile reader: appends its bytes to `out` (a buffer
 * capped at 8192 bytes).  Returns 0, or a code that is passed on. */
typedef int (*tlog_tile_fetch_fn)(void *ctx, const tlog_tile *t, rbuf *out, rerr *e);

#define TLOG_TILE_CACHE 8
/* A Merkle node reader (tlog_node_fn with tlog_tile_node) over the tiles of
 * a tree of `size` leaves.  It asks for the full tile when the tree has
 * one, else for the partial tile the size implies; a tile of the wrong
 * length is EFORMAT.  Tiles are not trusted: what they give must be
 * checked against a signed root (as the proofs of merkle.h are).  Keeps
 * the last TLOG_TILE_CACHE tiles; free with tlog_tile_reader_free. */
typedef struct tlog_tile_reader {
    tlog_tile_fetch_fn fetch;
    void *ctx;
    uint64_t size;
    struct {
        tlog_tile t;
        bool used;
        uint8_t *h; /* 32 * width bytes */
    } cache[TLOG_TILE_CACHE];
    unsigned next;
    uint64_t fetches; /* how many tiles were fetched */
} tlog_tile_reader;

void tlog_tile_reader_init(tlog_tile_reader *r, uint64_t size, tlog_tile_fetch_fn fetch, void *ctx);
void tlog_tile_reader_free(tlog_tile_reader *r);
/* tlog_node_fn over a tlog_tile_reader (ctx): EINVAL for a node the tree
 * of r->size has not completed; EFORMAT; ENOMEM; the fetcher's code. */
int tlog_tile_node(void *ctx, unsigned level, uint64_t index, tlog_hash *out, rerr *e) RAMPART_MUST_USE;

/* The tiles (at most `cap`, written to `out`, count to *n) that computing
 * the inclusion proof of `index` in a tree of `size`, and, when old_size is
 * not 0, the consistency proof from old_size to size, needs.  ETOOLARGE
 * past cap; EINVAL as the proofs. */
int tlog_tiles_for_proofs(uint64_t index, uint64_t old_size, uint64_t size, tlog_tile *out, size_t cap, size_t *n,
                          rerr *e) RAMPART_MUST_USE;

/* The in-memory Merkle tree of the log writer: every complete subtree's
 * hash, level by level (about 64 bytes per leaf). */
typedef struct tlog_memtree {
    uint64_t size;
    tlog_hash *lv[64];
    uint64_t len[64];
    uint64_t cap[64];
} tlog_memtree;

void tlog_memtree_init(tlog_memtree *t);
void tlog_memtree_free(tlog_memtree *t);
/* Appends a leaf hash and hashes every subtree it completes.  ENOMEM,
 * ECRYPTO; the tree is unchanged on failure. */
int tlog_memtree_append(tlog_memtree *t, const tlog_hash *leaf, rerr *e) RAMPART_MUST_USE;
/* tlog_node_fn over a tlog_memtree (ctx): EINVAL for a node not complete. */
int tlog_memtree_node(void *ctx, unsigned level, uint64_t index, tlog_hash *out, rerr *e) RAMPART_MUST_USE;

#endif
