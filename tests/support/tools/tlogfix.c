/*
 * tlogfix.c - writes transparency-log folders for the witness and monitor
 * tests, as the publishing contract lays them out (docs/transparency.md
 * "Publishing format"): checkpoint, tile/<L>/<N>[.p/<W>],
 * tile/entries/<N>[.p/<W>], with the src/tlog writer functions.
 *
 *   tlogfix vkey NAME KEY                 the log's verifier key (type 0x01)
 *   tlogfix append DIR NAME KEY FILE...   appends each FILE's bytes as one entry
 *   tlogfix request DIR OLD               an add-checkpoint body from size OLD
 *                                         to DIR's checkpoint, on stdout
 *   tlogfix shrink DIR NAME KEY SIZE      re-signs DIR's tree cut to SIZE leaves
 *   tlogfix verify POLICY NOTE NOW        rampart_tlog_verify_checkpoint: prints
 *                                         "ok size N cosignatures K" or the error
 *
 * KEY is an Ed25519 PKCS#8 PEM key without passphrase.  A test tool: it
 * trusts its folder and exits 1 on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "keys/keys.h"
#include "rampart/tlog.h"
#include "tlog/note.h"
#include "tlog/tiles.h"
#include "util/codec.h"
#include "util/fs.h"

static void die(const char *what)
{
    fprintf(stderr, "tlogfix: %s\n", what);
    exit(1);
}

typedef struct log {
    tlog_memtree tree;
    uint8_t **entry;
    size_t *len;
    uint64_t n, cap;
} log_t;

static void add_entry(log_t *l, const uint8_t *p, size_t n)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->entry = realloc(l->entry, l->cap * sizeof(*l->entry));
        l->len = realloc(l->len, l->cap * sizeof(*l->len));
        if (l->entry == NULL || l->len == NULL)
            die("out of memory");
    }
    l->entry[l->n] = malloc(n ? n : 1);
    if (l->entry[l->n] == NULL)
        die("out of memory");
    memcpy(l->entry[l->n], p, n);
    l->len[l->n++] = n;
    tlog_hash h;
    if (tlog_leaf_hash(p, n, &h) != 0 || tlog_memtree_append(&l->tree, &h, NULL) != 0)
        die("cannot hash an entry");
}

static void free_log(log_t *l)
{
    for (uint64_t i = 0; i < l->n; i++)
        free(l->entry[i]);
    free(l->entry);
    free(l->len);
    tlog_memtree_free(&l->tree);
}

static int read_file(const char *path, rbuf *b)
{
    rbuf_reset(b);
    return rfs_read_file(AT_FDCWD, path, b, NULL);
}

static void mkdirs(const char *path)
{
    char tmp[4096];
    (void)snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            die("mkdir");
        *p = '/';
    }
}

static void write_file(const char *dir, const char *name, const void *p, size_t n)
{
    char path[4096];
    (void)snprintf(path, sizeof(path), "%s/%s", dir, name);
    mkdirs(path);
    if (rfs_write_atomic_path(path, p, n, 0644, NULL) != 0)
        die("cannot write a file");
}

/* The size of DIR's checkpoint (0 when none) and its entries. */
static uint64_t load(const char *dir, log_t *l, rbuf *note)
{
    char path[4096];
    (void)snprintf(path, sizeof(path), "%s/checkpoint", dir);
    if (read_file(path, note) != 0)
        return 0;
    tlog_note *nt = NULL;
    tlog_checkpoint cp;
    if (tlog_note_parse(&nt, note->data, note->len, NULL) != 0 ||
        tlog_checkpoint_parse(nt->data, nt->text_len, &cp, NULL) != 0)
        die("a checkpoint that does not parse");
    tlog_note_free(nt);
    rbuf b;
    rbuf_init(&b, 1 << 24);
    for (uint64_t i = 0; i * 256 < cp.size; i++) {
        unsigned w = cp.size - i * 256 >= 256 ? 256 : (unsigned)(cp.size - i * 256);
        tlog_tile t = {.index = i, .width = w, .entries = true};
        char tp[TLOG_TILE_PATH_MAX];
        if (tlog_tile_path(&t, tp) != 0)
            die("tile path");
        (void)snprintf(path, sizeof(path), "%s/%s", dir, tp);
        if (read_file(path, &b) != 0)
            die("a missing entry bundle");
        size_t off[256], len[256];
        if (tlog_bundle_split(b.data, b.len, w, off, len, NULL) != 0)
            die("an entry bundle that does not split");
        for (unsigned k = 0; k < w; k++)
            add_entry(l, b.data + off[k], len[k]);
    }
    rbuf_free(&b);
    return cp.size;
}

typedef struct wctx {
    const char *dir;
    log_t *l;
} wctx;

static int write_tile(void *ctx, const tlog_tile *t)
{
    wctx *c = ctx;
    rbuf b;
    rbuf_init(&b, 1 << 24);
    if (t->entries) {
        for (unsigned k = 0; k < t->width; k++) {
            uint64_t i = t->index * 256 + k;
            if (tlog_bundle_append(&b, c->l->entry[i], c->l->len[i], NULL) != 0)
                die("bundle");
        }
    } else if (tlog_tile_hashes(t, tlog_memtree_node, &c->l->tree, &b, NULL) != 0) {
        die("tile hashes");
    }
    char tp[TLOG_TILE_PATH_MAX];
    if (tlog_tile_path(t, tp) != 0)
        die("tile path");
    write_file(c->dir, tp, b.data, b.len);
    rbuf_free(&b);
    return 0;
}

static void load_signer(const char *name, const char *key, rprivkey **k, tlog_signer *s)
{
    if (rprivkey_load_file(k, key, NULL, NULL) != 0 || tlog_signer_init(s, name, TLOG_SIG_ED25519, *k, NULL) != 0)
        die("cannot load the log key");
}

static void sign_checkpoint(const char *dir, const tlog_signer *s, log_t *l, uint64_t size)
{
    tlog_hash root;
    rbuf b;
    rbuf_init(&b, 1 << 16);
    if (tlog_tree_root(tlog_memtree_node, &l->tree, size, &root, NULL) != 0 ||
        tlog_checkpoint_format(s->name, size, &root, &b, NULL) != 0)
        die("checkpoint");
    size_t tl = b.len;
    if (rbuf_append_byte(&b, '\n') != 0 || tlog_note_sign_line(s, b.data, tl, 0, &b, NULL) != 0)
        die("signing");
    write_file(dir, "checkpoint", b.data, b.len);
    rbuf_free(&b);
}

static int cmd_append(int argc, char **argv)
{
    const char *dir = argv[2];
    rprivkey *k = NULL;
    tlog_signer s;
    load_signer(argv[3], argv[4], &k, &s);
    log_t l = {0};
    tlog_memtree_init(&l.tree);
    rbuf note, b;
    rbuf_init(&note, 1 << 16);
    rbuf_init(&b, TLOG_ENTRY_MAX + 1);
    uint64_t old = load(dir, &l, &note);
    for (int i = 5; i < argc; i++) {
        if (read_file(argv[i], &b) != 0)
            die("cannot read an entry file (or over 65535 bytes)");
        add_entry(&l, b.data, b.len);
    }
    wctx c = {dir, &l};
    if (tlog_tiles_added(old, l.n, true, write_tile, &c) != 0)
        die("tiles");
    sign_checkpoint(dir, &s, &l, l.n);
    printf("%llu\n", (unsigned long long)l.n);
    free_log(&l);
    rbuf_free(&note);
    rbuf_free(&b);
    rprivkey_free(k);
    return 0;
}

static int cmd_request(const char *dir, const char *olds)
{
    log_t l = {0};
    tlog_memtree_init(&l.tree);
    rbuf note;
    rbuf_init(&note, 1 << 16);
    uint64_t size = load(dir, &l, &note);
    uint64_t old = strtoull(olds, NULL, 10);
    tlog_proof p = {0};
    if (old > 0 && old < size && tlog_consistency_proof(tlog_memtree_node, &l.tree, old, size, &p, NULL) != 0)
        die("proof");
    rbuf b;
    rbuf_init(&b, 1 << 20);
    if (rbuf_appendf(&b, "old %llu\n", (unsigned long long)old) != 0)
        die("oom");
    for (size_t i = 0; i < p.n; i++)
        if (rb64_encode(&b, p.h[i].b, 32, RB64_STD) != 0 || rbuf_append_byte(&b, '\n') != 0)
            die("oom");
    if (rbuf_append_byte(&b, '\n') != 0 || rbuf_append(&b, note.data, note.len) != 0)
        die("oom");
    int rc = fwrite(b.data, 1, b.len, stdout) == b.len ? 0 : 1;
    free_log(&l);
    rbuf_free(&note);
    rbuf_free(&b);
    return rc;
}

static int cmd_shrink(char **argv)
{
    const char *dir = argv[2];
    rprivkey *k = NULL;
    tlog_signer s;
    load_signer(argv[3], argv[4], &k, &s);
    log_t l = {0};
    tlog_memtree_init(&l.tree);
    rbuf note;
    rbuf_init(&note, 1 << 16);
    (void)load(dir, &l, &note);
    uint64_t size = strtoull(argv[5], NULL, 10);
    if (size > l.n)
        die("shrink to a larger size");
    sign_checkpoint(dir, &s, &l, size);
    free_log(&l);
    rbuf_free(&note);
    rprivkey_free(k);
    return 0;
}

static int cmd_verify(const char *policy, const char *note, const char *now)
{
    rbuf p, n;
    rbuf_init(&p, 1 << 16);
    rbuf_init(&n, 1 << 17);
    if (read_file(policy, &p) != 0 || read_file(note, &n) != 0)
        die("cannot read the policy or the note");
    rampart_tlog_policy *pol = NULL;
    rampart_tlog_checkpoint cp;
    rampart_error err;
    int rc = rampart_tlog_policy_parse(&pol, p.data, p.len, &err);
    if (rc == 0)
        rc = rampart_tlog_verify_checkpoint(pol, n.data, n.len, strtoll(now, NULL, 10), 0, &cp, &err);
    rampart_tlog_policy_free(pol);
    rbuf_free(&p);
    rbuf_free(&n);
    if (rc != 0) {
        printf("%s\n", rampart_error_name(rc));
        return 1;
    }
    printf("ok size %llu cosignatures %zu\n", (unsigned long long)cp.size, cp.cosignatures);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "verify") == 0)
        return cmd_verify(argv[2], argv[3], argv[4]);
    if (argc == 4 && strcmp(argv[1], "vkey") == 0) {
        rprivkey *k = NULL;
        tlog_signer s;
        tlog_vkey *v = NULL;
        rbuf b;
        rbuf_init(&b, 1024);
        load_signer(argv[2], argv[3], &k, &s);
        if (tlog_signer_vkey(&s, &v, NULL) != 0 || tlog_vkey_format(v, &b) != 0)
            die("vkey");
        printf("%.*s\n", (int)b.len, (const char *)b.data);
        tlog_vkey_free(v);
        rbuf_free(&b);
        rprivkey_free(k);
        return 0;
    }
    if (argc >= 5 && strcmp(argv[1], "append") == 0)
        return cmd_append(argc, argv);
    if (argc == 4 && strcmp(argv[1], "request") == 0)
        return cmd_request(argv[2], argv[3]);
    if (argc == 6 && strcmp(argv[1], "shrink") == 0)
        return cmd_shrink(argv);
    fprintf(stderr, "usage: tlogfix vkey NAME KEY | append DIR NAME KEY FILE... | request DIR OLD | "
                    "shrink DIR NAME KEY SIZE | verify POLICY NOTE NOW\n");
    return 2;
}
