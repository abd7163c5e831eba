/* repo_log.c - the transparency log's durable state: reading the head and
 * the tree back, appending entries, signing the checkpoint.  See
 * repo_log.h. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "repo/repo_log.h"
#include "util/codec.h"
#include "util/fs.h"
#include "util/banned.h"

void rlog_batch_init(rlog_batch *b)
{
    memset(b, 0, sizeof(*b));
    rbuf_init(&b->data, SIZE_MAX / 2);
}

void rlog_batch_free(rlog_batch *b)
{
    rbuf_free(&b->data);
    rampart_free(b->off);
    rampart_free(b->len);
    memset(b, 0, sizeof(*b));
}

int rlog_batch_add(rlog_batch *b, const uint8_t *entry, size_t n)
{
    if (b->n == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 64, sz;
        if (!rsize_mul(ncap, sizeof(size_t), &sz))
            return RAMPART_ENOMEM;
        size_t *o = rampart_realloc(b->off, sz);
        if (o == NULL)
            return RAMPART_ENOMEM;
        b->off = o;
        size_t *l = rampart_realloc(b->len, sz);
        if (l == NULL)
            return RAMPART_ENOMEM;
        b->len = l;
        b->cap = ncap;
    }
    b->off[b->n] = b->data.len;
    b->len[b->n] = n;
    int rc = rbuf_append(&b->data, entry, n);
    if (rc == 0)
        b->n++;
    return rc;
}

bool rrepo_log_enabled(rampart_repo *r)
{
    return json_is_object(json_object_get(r->config, "log"));
}

int rrepo_log_dir(rampart_repo *r, int *fd)
{
    if (r->logfd < 0) {
        int rc = rfs_open_subdir(r->dirfd, RLOG_DIR, true, 0755, &r->logfd, &r->err);
        if (rc != 0)
            return rc;
    }
    *fd = r->logfd;
    return 0;
}

int rrepo_log_head(rampart_repo *r, const char *file, tlog_checkpoint *cp, rbuf *note)
{
    int fd;
    int rc = rrepo_log_dir(r, &fd);
    if (rc != 0)
        return rc;
    rbuf b;
    rbuf_init(&b, TLOG_NOTE_MAX);
    rc = rfs_read_file(fd, file, &b, &r->err);
    if (rc == RAMPART_ENOTFOUND) {
        rbuf_free(&b);
        memset(cp, 0, sizeof(*cp));
        return 0;
    }
    tlog_note *nt = NULL;
    if (rc == 0 && tlog_note_parse(&nt, b.data, b.len, &r->err) != 0)
        rc = rrepo_fail(r, RAMPART_EFORMAT, NULL, "log/%s is damaged: %s", file, r->err.message);
    if (rc == 0 && tlog_checkpoint_parse(nt->data, nt->text_len, cp, &r->err) != 0)
        rc = rrepo_fail(r, RAMPART_EFORMAT, NULL, "log/%s is damaged: %s", file, r->err.message);
    if (rc == 0 && note != NULL)
        rc = rbuf_append(note, b.data, b.len) == 0 ? 0 : rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    tlog_note_free(nt);
    rbuf_free(&b);
    return rc;
}

/* Reads tile `t` of log/ (a full one, or the partial one of its width). */
static int read_tile(rampart_repo *r, const tlog_tile *t, rbuf *out)
{
    char path[TLOG_TILE_PATH_MAX];
    int fd;
    int rc = rrepo_log_dir(r, &fd);
    if (rc == 0 && tlog_tile_path(t, path) != 0)
        rc = rrepo_fail(r, RAMPART_EINTERNAL, NULL, "bad tile");
    if (rc == 0)
        rc = rfs_read_file(fd, path, out, &r->err);
    if (rc == RAMPART_ENOTFOUND)
        rc = rrepo_fail(r, RAMPART_EFORMAT, NULL, "log/%s is missing", path);
    return rc;
}

int rrepo_log_entry(rampart_repo *r, uint64_t size, uint64_t index, rbuf *out)
{
    if (index >= size)
        return rrepo_fail(r, RAMPART_ENOTFOUND, NULL, "no log entry %llu", (unsigned long long)index);
    tlog_tile t = {.entries = true, .index = index / TLOG_TILE_WIDTH};
    uint64_t left = size - t.index * TLOG_TILE_WIDTH;
    t.width = left >= TLOG_TILE_WIDTH ? TLOG_TILE_WIDTH : (unsigned)left;
    rbuf b;
    rbuf_init(&b, (size_t)TLOG_TILE_WIDTH * (TLOG_ENTRY_MAX + 2));
    size_t off[TLOG_TILE_WIDTH], len[TLOG_TILE_WIDTH];
    int rc = read_tile(r, &t, &b);
    if (rc == 0 && tlog_bundle_split(b.data, b.len, t.width, off, len, &r->err) != 0)
        rc = rrepo_fail(r, RAMPART_EFORMAT, NULL, "log entry bundle %llu is damaged", (unsigned long long)t.index);
    size_t i = (size_t)(index % TLOG_TILE_WIDTH);
    if (rc == 0 && rbuf_append(out, b.data + off[i], len[i]) != 0)
        rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    rbuf_free(&b);
    return rc;
}

int rrepo_log_tree(rampart_repo *r, const tlog_checkpoint *cp, tlog_memtree *t)
{
    tlog_memtree_init(t);
    int rc = 0;
    rbuf b;
    rbuf_init(&b, (size_t)TLOG_TILE_WIDTH * TLOG_HASH_LEN);
    for (uint64_t at = 0; rc == 0 && at < cp->size; at += TLOG_TILE_WIDTH) {
        uint64_t left = cp->size - at;
        tlog_tile tl = {.level = 0, .index = at / TLOG_TILE_WIDTH};
        tl.width = left >= TLOG_TILE_WIDTH ? TLOG_TILE_WIDTH : (unsigned)left;
        rbuf_reset(&b);
        rc = read_tile(r, &tl, &b);
        if (rc == 0 && b.len != (size_t)tl.width * TLOG_HASH_LEN)
            rc = rrepo_fail(r, RAMPART_EFORMAT, NULL, "log tile 0/%llu has the wrong length",
                            (unsigned long long)tl.index);
        for (unsigned i = 0; rc == 0 && i < tl.width; i++) {
            tlog_hash h;
            memcpy(h.b, b.data + (size_t)i * TLOG_HASH_LEN, TLOG_HASH_LEN);
            rc = tlog_memtree_append(t, &h, &r->err);
        }
    }
    rbuf_free(&b);
    tlog_hash root;
    if (rc == 0 && cp->size > 0)
        rc = tlog_tree_root(tlog_memtree_node, t, cp->size, &root, &r->err);
    if (rc == 0 && cp->size > 0 && memcmp(root.b, cp->root.b, TLOG_HASH_LEN) != 0)
        rc = rrepo_fail(r, RAMPART_EFORMAT, NULL, "the tiles of log/ do not give the root of log/checkpoint");
    if (rc != 0)
        tlog_memtree_free(t);
    return rc;
}

/* ---- appending ----------------------------------------------------------- */

typedef struct tile_writer {
    rampart_repo *r;
    tlog_memtree *t;
    const rlog_batch *b;
    uint64_t old_size;
    size_t written;
} tile_writer;

static int write_at(rampart_repo *r, int dirfd, const char *path, const uint8_t *d, size_t n)
{
    int parent = -1;
    const char *base;
    int rc = rfs_open_parent(dirfd, path, true, &parent, &base, &r->err);
    if (rc == 0)
        rc = rfs_write_nosync(parent, base, d, n, 0644, &r->err);
    if (parent >= 0)
        close(parent);
    return rc;
}

/* The entry bundle of tile `t`: the old entries it keeps (from the
 * partial bundle of the old size), then the batch's. */
static int bundle(tile_writer *w, const tlog_tile *t, rbuf *out)
{
    uint64_t first = t->index * TLOG_TILE_WIDTH, end = first + t->width;
    int rc = 0;
    if (w->old_size > first) {
        uint64_t have = w->old_size - first;
        tlog_tile old = {.entries = true, .index = t->index, .width = (unsigned)have};
        rc = read_tile(w->r, &old, out);
        size_t off[TLOG_TILE_WIDTH], len[TLOG_TILE_WIDTH];
        if (rc == 0 && tlog_bundle_split(out->data, out->len, old.width, off, len, &w->r->err) != 0)
            rc = rrepo_fail(w->r, RAMPART_EFORMAT, NULL, "log entry bundle %llu is damaged",
                            (unsigned long long)t->index);
    }
    for (uint64_t i = first > w->old_size ? first : w->old_size; rc == 0 && i < end; i++) {
        size_t k = (size_t)(i - w->old_size);
        rc = tlog_bundle_append(out, w->b->data.data + w->b->off[k], w->b->len[k], &w->r->err);
    }
    return rc;
}

static int write_tile(void *ctx, const tlog_tile *t)
{
    tile_writer *w = ctx;
    char path[TLOG_TILE_PATH_MAX];
    int fd;
    int rc = rrepo_log_dir(w->r, &fd);
    if (rc == 0 && tlog_tile_path(t, path) != 0)
        rc = rrepo_fail(w->r, RAMPART_EINTERNAL, NULL, "bad tile");
    rbuf b;
    rbuf_init(&b, (size_t)TLOG_TILE_WIDTH * (TLOG_ENTRY_MAX + 2));
    if (rc == 0)
        rc = t->entries ? bundle(w, t, &b) : tlog_tile_hashes(t, tlog_memtree_node, w->t, &b, &w->r->err);
    if (rc == 0)
        rc = write_at(w->r, fd, path, b.data, b.len);
    if (rc == 0)
        w->written++;
    rbuf_free(&b);
    return rc;
}

/* The log's public keys in the configuration: {"KEYID": {TUF key}}. */
static json_t *log_keys(rampart_repo *r)
{
    return json_object_get(json_object_get(r->config, "log"), "keys");
}

static const char *log_origin(rampart_repo *r)
{
    return json_string_value(json_object_get(json_object_get(r->config, "log"), "origin"));
}

/* The 32 bytes of an Ed25519 public key in TUF form. */
static int key_bytes(rampart_repo *r, const json_t *k, uint8_t pub[TLOG_ED25519_LEN])
{
    const char *hex = json_string_value(json_object_get(json_object_get(k, "keyval"), "public"));
    size_t n = 0;
    if (hex == NULL || !json_is_string(json_object_get(k, "keytype")) ||
        strcmp(json_string_value(json_object_get(k, "keytype")), "ed25519") != 0 ||
        rhex_decode(pub, TLOG_ED25519_LEN, &n, hex, strlen(hex)) != 0 || n != TLOG_ED25519_LEN)
        return rrepo_fail(r, RAMPART_EFORMAT, NULL, "%s: the log key is not an Ed25519 key", RREPO_CONFIG);
    return 0;
}

/* Signs the checkpoint text with every log key (all are needed: during a
 * rotation the checkpoints carry the old and the new key's signature). */
static int sign_checkpoint(rampart_repo *r, const rbuf *text, rbuf *note)
{
    const char *origin = log_origin(r), *keyid;
    json_t *k;
    int rc = rbuf_append(note, text->data, text->len);
    if (rc == 0)
        rc = rbuf_append_byte(note, '\n');
    if (rc != 0)
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    json_object_foreach(log_keys(r), keyid, k)
    {
        rampart_signer *s = NULL;
        for (size_t i = 0; i < r->nsigners && s == NULL; i++)
            if (strcmp(rampart_signer_keyid(r->signers[i]), keyid) == 0)
                s = r->signers[i];
        if (s == NULL)
            return rrepo_fail(r, RAMPART_EBADSIG, "log",
                              "missing signature: the log key %.16s... was not given; give it with --key", keyid);
        uint8_t pub[TLOG_ED25519_LEN], sig[RAMPART_SIGNATURE_MAX];
        size_t siglen = 0;
        uint32_t id = 0;
        if ((rc = key_bytes(r, k, pub)) != 0)
            return rc;
        if (tlog_key_id(origin, strlen(origin), TLOG_SIG_ED25519, pub, sizeof(pub), &id) != 0)
            return rrepo_fail(r, RAMPART_ECRYPTO, NULL, "cannot compute the log key's ID");
        /* C2SP signed-note, type 0x01: an Ed25519 signature over the text. */
        if ((rc = rampart_signer_sign(s, text->data, text->len, sig, &siglen, &r->err)) != 0)
            return rc;
        if ((rc = tlog_note_line(origin, strlen(origin), id, sig, siglen, note, &r->err)) != 0)
            return rc;
    }
    return 0;
}

int rrepo_log_append(rampart_repo *r, const rlog_batch *b)
{
    tlog_checkpoint cp;
    tlog_memtree t;
    int fd;
    int rc = rrepo_log_head(r, RLOG_CHECKPOINT, &cp, NULL);
    if (rc == 0)
        rc = rrepo_log_dir(r, &fd);
    if (rc != 0)
        return rc;
    if ((rc = rrepo_log_tree(r, &cp, &t)) != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < b->n; i++) {
        tlog_hash leaf;
        rc = tlog_leaf_hash(b->data.data + b->off[i], b->len[i], &leaf);
        if (rc == 0)
            rc = tlog_memtree_append(&t, &leaf, &r->err);
        else
            rc = rrepo_fail(r, rc, NULL, "cannot hash a log entry");
    }
    tile_writer w = {.r = r, .t = &t, .b = b, .old_size = cp.size};
    if (rc == 0)
        rc = tlog_tiles_added(cp.size, t.size, true, write_tile, &w);
    if (rc == 0)
        rc = rfs_sync_fs(fd, &r->err);
    rrepo_crash_point(10); /* tiles written, checkpoint not: the log is still cp.size */
    tlog_hash root;
    rbuf text, note;
    rbuf_init(&text, TLOG_NOTE_MAX);
    rbuf_init(&note, TLOG_NOTE_MAX);
    if (rc == 0)
        rc = tlog_tree_root(tlog_memtree_node, &t, t.size, &root, &r->err);
    if (rc == 0)
        rc = tlog_checkpoint_format(log_origin(r), t.size, &root, &text, &r->err);
    if (rc == 0)
        rc = sign_checkpoint(r, &text, &note);
    /* The commit: from here the entries are the log's for ever. */
    if (rc == 0)
        rc = rfs_write_atomic(fd, RLOG_CHECKPOINT, note.data, note.len, 0644, &r->err);
    rrepo_crash_point(11);
    rbuf_free(&text);
    rbuf_free(&note);
    tlog_memtree_free(&t);
    return rc;
}

int rrepo_log_signed_only(rampart_repo *r, const rbuf *note, rbuf *out)
{
    const char *origin = log_origin(r), *keyid;
    tlog_note *nt = NULL;
    uint32_t ids[TLOG_NOTE_MAX_SIGS];
    size_t nids = 0;
    json_t *k;
    if (origin == NULL)
        return rrepo_fail(r, RAMPART_ENOTFOUND, NULL, "this repository has no transparency log");
    json_object_foreach(log_keys(r), keyid, k)
    {
        uint8_t pub[TLOG_ED25519_LEN];
        int rc = key_bytes(r, k, pub);
        if (rc != 0)
            return rc;
        if (nids < TLOG_NOTE_MAX_SIGS &&
            tlog_key_id(origin, strlen(origin), TLOG_SIG_ED25519, pub, sizeof(pub), &ids[nids++]) != 0)
            return rrepo_fail(r, RAMPART_ECRYPTO, NULL, "cannot compute the log key's ID");
    }
    int rc = tlog_note_parse(&nt, note->data, note->len, &r->err);
    if (rc != 0)
        return rrepo_fail(r, RAMPART_EFORMAT, NULL, "log/" RLOG_COSIGNED " is damaged: %s", r->err.message);
    /* signed-note: the text, a blank line, then the signature lines kept:
     * those of a log key (the origin's name and one of its key IDs). */
    rc = rbuf_append(out, nt->data, nt->text_len) == 0 && rbuf_append_byte(out, '\n') == 0
             ? 0
             : rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    size_t kept = 0;
    for (size_t i = 0; rc == 0 && i < nt->nsig; i++) {
        const tlog_note_sig *sg = &nt->sigs[i];
        bool ours = sg->name_len == strlen(origin) && memcmp(nt->data + sg->name_off, origin, sg->name_len) == 0;
        bool known = false;
        for (size_t j = 0; ours && j < nids; j++)
            known |= ids[j] == sg->id;
        if (ours && known) {
            rc = tlog_note_line(origin, sg->name_len, sg->id, nt->sigbytes + sg->sig_off, sg->sig_len, out, &r->err);
            kept++;
        }
    }
    if (rc == 0 && kept == 0)
        rc = rrepo_fail(r, RAMPART_EFORMAT, NULL, "log/" RLOG_COSIGNED " carries no signature of the log's keys");
    tlog_note_free(nt);
    return rc;
}

int rrepo_log_vkeys(rampart_repo *r, rbuf *out)
{
    if (!rrepo_log_enabled(r))
        return rrepo_fail(r, RAMPART_ENOTFOUND, NULL,
                          "this repository has no transparency log (rampart repo log init)");
    const char *origin = log_origin(r), *keyid;
    json_t *k;
    json_object_foreach(log_keys(r), keyid, k)
    {
        uint8_t pub[TLOG_ED25519_LEN];
        int rc = key_bytes(r, k, pub);
        tlog_signer s = {.type = TLOG_SIG_ED25519};
        if (rc != 0)
            return rc;
        /* A vkey is name+hex(id)+base64(type || key) (C2SP signed-note). */
        if (tlog_key_id(origin, strlen(origin), TLOG_SIG_ED25519, pub, sizeof(pub), &s.id) != 0)
            return rrepo_fail(r, RAMPART_ECRYPTO, NULL, "cannot compute the log key's ID");
        uint8_t raw[1 + TLOG_ED25519_LEN] = {TLOG_SIG_ED25519};
        memcpy(raw + 1, pub, sizeof(pub));
        rc = rbuf_appendf(out, "%s+%08x+", origin, (unsigned)s.id);
        if (rc == 0)
            rc = rb64_encode(out, raw, sizeof(raw), RB64_STD);
        if (rc == 0)
            rc = rbuf_append_byte(out, '\n');
        if (rc != 0)
            return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    }
    return 0;
}
