/*
 * mktlog.c - writes transparency-log fixtures for the client's log tests
 * and the log bench: test keys and a witness policy, and a log folder laid
 * out as docs/transparency.md's publishing format says (checkpoint,
 * tile/<L>/<N>[.p/<W>], tile/entries/...), built with src/tlog's writer
 * functions and signed with the test log key and cosigned by test
 * witness keys.
 *
 *   mktlog keys DIR
 *       DIR/log.pem, DIR/other.pem (a log key no policy lists, same
 *       origin), DIR/w1.pem .. w3.pem, DIR/policy (the log, the three
 *       witnesses, a 2-of-3 quorum)
 *   mktlog build KEYDIR OUT [--fill N] [--tag T] [--entries FILE] [--more M]
 *                [--cosign 1,2,3] [--time T] [--log-key log|other]
 *                [--last FILE] [--no-bundles] [--proof INDEX FILE]
 *       the log of N entries "filler T i", then one entry per line of FILE
 *       (without its newline), then M entries "more T i", then one entry
 *       per line of the --last FILE; its checkpoint
 *       signed by the log key and cosigned by the listed witnesses at time
 *       T (default: now); --proof writes the C2SP tlog-proof of an entry.
 *       Prints the tree size.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "keys/keys.h"
#include "tlog/endpoint.h"
#include "tlog/note.h"
#include "tlog/tiles.h"
#include "util/buf.h"

#define ORIGIN "log.rampart.test"

static int die(const char *what)
{
    fprintf(stderr, "mktlog: %s\n", what);
    return 1;
}

static int write_file(const char *path, const void *p, size_t n)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    for (char *s = dir + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            if (mkdir(dir, 0755) != 0 && errno != EEXIST)
                return -1;
            *s = '/';
        }
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    size_t w = fwrite(p, 1, n, f);
    return (fclose(f) == 0 && w == n) ? 0 : -1;
}

static int read_text(const char *path, rbuf *out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    char tmp[4096];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(tmp, 1, sizeof(tmp), f)) > 0)
        rc = rbuf_append(out, tmp, n);
    fclose(f);
    return rc;
}

static int load_key(const char *dir, const char *name, rprivkey **k)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s.pem", dir, name);
    rbuf b;
    rbuf_init_secret(&b, 1 << 16);
    int rc = read_text(path, &b);
    if (rc == 0)
        rc = rprivkey_load_pem(k, b.data, b.len, NULL, 0, NULL);
    rbuf_free(&b);
    return rc;
}

static int vkey_line(const char *name, uint8_t type, const rprivkey *k, rbuf *out)
{
    tlog_signer s;
    tlog_vkey *v = NULL;
    int rc = tlog_signer_init(&s, name, type, k, NULL);
    if (rc == 0)
        rc = tlog_signer_vkey(&s, &v, NULL);
    if (rc == 0)
        rc = tlog_vkey_format(v, out);
    tlog_vkey_free(v);
    return rc;
}

static int cmd_keys(const char *dir)
{
    static const char *const names[] = {"log", "other", "w1", "w2", "w3"};
    rprivkey *k[5] = {0};
    rbuf pol;
    rbuf_init(&pol, 1 << 16);
    int rc = mkdir(dir, 0755) != 0 && errno != EEXIST ? -1 : 0;
    for (int i = 0; rc == 0 && i < 5; i++) {
        rbuf pem;
        rbuf_init_secret(&pem, 1 << 16);
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s.pem", dir, names[i]);
        rc = rprivkey_generate(&k[i], RKEY_ED25519, 0, NULL);
        if (rc == 0)
            rc = rprivkey_to_pem(k[i], NULL, 0, &pem, NULL);
        if (rc == 0)
            rc = write_file(path, pem.data, pem.len);
        rbuf_free(&pem);
    }
    if (rc == 0)
        rc = rbuf_append_str(&pol, "log ");
    if (rc == 0)
        rc = vkey_line(ORIGIN, TLOG_SIG_ED25519, k[0], &pol);
    for (int i = 1; rc == 0 && i <= 3; i++) {
        char name[32];
        snprintf(name, sizeof(name), "w%d.rampart.test", i);
        rc = rbuf_appendf(&pol, "\nwitness w%d ", i);
        if (rc == 0)
            rc = vkey_line(name, TLOG_SIG_COSIGN_V1, k[1 + i], &pol);
    }
    if (rc == 0)
        rc = rbuf_append_str(&pol, "\ngroup quorum-2-of-3 2 w1 w2 w3\nquorum quorum-2-of-3\n");
    char path[4096];
    snprintf(path, sizeof(path), "%s/policy", dir);
    if (rc == 0)
        rc = write_file(path, pol.data, pol.len);
    for (int i = 0; i < 5; i++)
        rprivkey_free(k[i]);
    rbuf_free(&pol);
    return rc == 0 ? 0 : die("keys failed");
}

typedef struct log_src {
    uint64_t fill, more, nlist, nlast;
    const char *tag;
    char **list;
    size_t *list_len;
} log_src;

/* Entry i of the log. */
static int entry_of(const log_src *s, uint64_t i, rbuf *out)
{
    rbuf_reset(out);
    if (i < s->fill)
        return rbuf_appendf(out, "filler %s %llu", s->tag, (unsigned long long)i);
    if (i < s->fill + s->nlist)
        return rbuf_append(out, s->list[i - s->fill], s->list_len[i - s->fill]);
    if (i < s->fill + s->nlist + s->more)
        return rbuf_appendf(out, "more %s %llu", s->tag, (unsigned long long)(i - s->fill - s->nlist));
    i -= s->fill + s->more; /* the --last lines follow the --entries lines in `list` */
    return rbuf_append(out, s->list[i], s->list_len[i]);
}

typedef struct writer {
    const char *out;
    tlog_memtree *tree;
    const log_src *src;
    bool bundles;
} writer;

static int visit(void *ctx, const tlog_tile *t)
{
    writer *w = ctx;
    char rel[TLOG_TILE_PATH_MAX], path[4096];
    if (tlog_tile_path(t, rel) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/%s", w->out, rel);
    rbuf b;
    rbuf_init(&b, SIZE_MAX);
    int rc = 0;
    if (t->entries) {
        if (!w->bundles) {
            rbuf_free(&b);
            return 0;
        }
        rbuf e;
        rbuf_init(&e, TLOG_ENTRY_MAX);
        for (unsigned i = 0; rc == 0 && i < t->width; i++) {
            rc = entry_of(w->src, t->index * TLOG_TILE_WIDTH + i, &e);
            if (rc == 0)
                rc = tlog_bundle_append(&b, e.data, e.len, NULL);
        }
        rbuf_free(&e);
    } else {
        rc = tlog_tile_hashes(t, tlog_memtree_node, w->tree, &b, NULL);
    }
    if (rc == 0)
        rc = write_file(path, b.data, b.len);
    rbuf_free(&b);
    return rc;
}

static int cmd_build(int argc, char **argv)
{
    const char *keydir = argv[2], *out = argv[3], *entries = NULL, *last = NULL, *cosign = "", *logkey = "log";
    const char *proof_file = NULL;
    uint64_t proof_index = 0;
    log_src src = {.tag = "a"};
    int64_t when = (int64_t)time(NULL);
    bool bundles = true;
    for (int i = 4; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--no-bundles") == 0) {
            bundles = false;
            continue;
        }
        if (v == NULL)
            return die("option without a value");
        i++;
        if (strcmp(a, "--fill") == 0)
            src.fill = strtoull(v, NULL, 10);
        else if (strcmp(a, "--more") == 0)
            src.more = strtoull(v, NULL, 10);
        else if (strcmp(a, "--tag") == 0)
            src.tag = v;
        else if (strcmp(a, "--entries") == 0)
            entries = v;
        else if (strcmp(a, "--last") == 0)
            last = v;
        else if (strcmp(a, "--cosign") == 0)
            cosign = v;
        else if (strcmp(a, "--time") == 0)
            when = strtoll(v, NULL, 10);
        else if (strcmp(a, "--log-key") == 0)
            logkey = v;
        else if (strcmp(a, "--proof") == 0 && i + 1 < argc) {
            proof_index = strtoull(v, NULL, 10);
            proof_file = argv[++i];
        } else
            return die("unknown option");
    }
    rbuf ent;
    rbuf_init(&ent, SIZE_MAX);
    if (entries != NULL && read_text(entries, &ent) != 0)
        return die("cannot read the entries");
    size_t first_len = ent.len;
    if (last != NULL && read_text(last, &ent) != 0)
        return die("cannot read the last entries");
    src.list = calloc(ent.len + 1, sizeof(char *));
    src.list_len = calloc(ent.len + 1, sizeof(size_t));
    for (size_t at = 0; at < ent.len;) {
        uint8_t *nl = memchr(ent.data + at, '\n', ent.len - at);
        size_t end = nl ? (size_t)(nl - ent.data) : ent.len;
        src.list[src.nlist + src.nlast] = (char *)ent.data + at;
        src.list_len[src.nlist + src.nlast] = end - at;
        if (at < first_len)
            src.nlist++;
        else
            src.nlast++;
        at = end + 1;
    }
    tlog_memtree tree;
    tlog_memtree_init(&tree);
    uint64_t size = src.fill + src.nlist + src.more + src.nlast;
    rbuf e;
    rbuf_init(&e, TLOG_ENTRY_MAX);
    int rc = 0;
    for (uint64_t i = 0; rc == 0 && i < size; i++) {
        tlog_hash h;
        rc = entry_of(&src, i, &e);
        if (rc == 0)
            rc = tlog_leaf_hash(e.data, e.len, &h);
        if (rc == 0)
            rc = tlog_memtree_append(&tree, &h, NULL);
    }
    rbuf_free(&e);
    writer w = {out, &tree, &src, bundles};
    if (rc == 0)
        rc = tlog_tiles_added(0, size, true, visit, &w);
    /* The checkpoint: signed by the log key, cosigned by the witnesses asked for. */
    rprivkey *lk = NULL, *wk[3] = {0};
    tlog_signer ls, ws[3];
    tlog_hash root;
    rbuf note;
    rbuf_init(&note, TLOG_NOTE_MAX);
    if (rc == 0)
        rc = tlog_tree_root(tlog_memtree_node, &tree, size, &root, NULL);
    rbuf text;
    rbuf_init(&text, TLOG_NOTE_MAX);
    if (rc == 0)
        rc = tlog_checkpoint_format(ORIGIN, size, &root, &text, NULL);
    size_t text_len = text.len;
    if (rc == 0)
        rc = rbuf_append(&note, text.data, text.len);
    if (rc == 0)
        rc = rbuf_append_byte(&note, '\n');
    if (rc == 0)
        rc = load_key(keydir, logkey, &lk);
    if (rc == 0)
        rc = tlog_signer_init(&ls, ORIGIN, TLOG_SIG_ED25519, lk, NULL);
    if (rc == 0)
        rc = tlog_note_sign_line(&ls, text.data, text_len, 0, &note, NULL);
    for (int i = 0; rc == 0 && i < 3; i++) {
        char id = (char)('1' + i), name[32], kname[8];
        if (strchr(cosign, id) == NULL)
            continue;
        snprintf(name, sizeof(name), "w%c.rampart.test", id);
        snprintf(kname, sizeof(kname), "w%c", id);
        rc = load_key(keydir, kname, &wk[i]);
        if (rc == 0)
            rc = tlog_signer_init(&ws[i], name, TLOG_SIG_COSIGN_V1, wk[i], NULL);
        if (rc == 0)
            rc = tlog_note_sign_line(&ws[i], text.data, text_len, when, &note, NULL);
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/checkpoint", out);
    if (rc == 0)
        rc = write_file(path, note.data, note.len);
    if (rc == 0 && proof_file != NULL) {
        tlog_proof p;
        rbuf pf;
        rbuf_init(&pf, SIZE_MAX);
        rc = tlog_inclusion_proof(tlog_memtree_node, &tree, proof_index, size, &p, NULL);
        if (rc == 0)
            rc = tlog_proof_file_format(proof_index, &p, note.data, note.len, &pf, NULL);
        if (rc == 0)
            rc = write_file(proof_file, pf.data, pf.len);
        rbuf_free(&pf);
    }
    if (rc == 0)
        printf("%llu\n", (unsigned long long)size);
    rprivkey_free(lk);
    for (int i = 0; i < 3; i++)
        rprivkey_free(wk[i]);
    rbuf_free(&note);
    rbuf_free(&text);
    tlog_memtree_free(&tree);
    rbuf_free(&ent);
    free(src.list);
    free(src.list_len);
    return rc == 0 ? 0 : die("build failed");
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "keys") == 0)
        return cmd_keys(argv[2]);
    if (argc >= 4 && strcmp(argv[1], "build") == 0)
        return cmd_build(argc, argv);
    fprintf(stderr, "usage: mktlog keys DIR | mktlog build KEYDIR OUT [options]\n");
    return 2;
}
