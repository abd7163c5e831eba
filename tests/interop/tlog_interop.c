/* tlog_interop.c - Rampart's side of the transparency-log interoperability
 * test with Go's golang.org/x/mod/sumdb/{note,tlog}
 * (tests/integration/test_interop_tlog.sh, tests/interop/go/tlogcheck.go).
 *
 *   tlog_interop gen DIR     writes, for a tree of 1000 entries
 *                            "rampart interop entry <i>\n": vkey, checkpoint
 *                            (signed note, also cosigned by a witness),
 *                            checkpoint.bad (one changed byte), roots.txt
 *                            ("size root" for every size), incl.txt
 *                            ("index size leaf proof,..."), cons.txt
 *                            ("old new proof,...").
 *   tlog_interop verify DIR  verifies what the Go program wrote: go.vkey,
 *                            go.note (two signers, one known), go.roots.txt,
 *                            go.incl.txt, go.cons.txt; and that go.note.bad
 *                            is refused.
 * Exit 0 when everything agrees, 1 otherwise (the first failure printed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/keys.h"
#include "tlog/note.h"
#include "tlog/tiles.h"
#include "util/codec.h"

#define N 1000

static int fail(const char *what)
{
    fprintf(stderr, "tlog_interop: %s\n", what);
    return 1;
}

static int build(tlog_memtree *t)
{
    tlog_memtree_init(t);
    for (int i = 0; i < N; i++) {
        char e[64];
        int n = snprintf(e, sizeof(e), "rampart interop entry %d\n", i);
        tlog_hash h;
        if (tlog_leaf_hash((const uint8_t *)e, (size_t)n, &h) != 0 || tlog_memtree_append(t, &h, NULL) != 0)
            return -1;
    }
    return 0;
}

static void put_b64(FILE *f, const uint8_t *p, size_t n)
{
    rbuf b;
    rbuf_init(&b, 1 << 16);
    if (rb64_encode(&b, p, n, RB64_STD) == 0)
        fwrite(b.data, 1, b.len, f);
    rbuf_free(&b);
}

static void put_proof(FILE *f, const tlog_proof *p)
{
    for (size_t i = 0; i < p->n; i++) {
        if (i > 0)
            fputc(',', f);
        put_b64(f, p->h[i].b, 32);
    }
    if (p->n == 0)
        fputc('-', f);
    fputc('\n', f);
}

static FILE *open_in(const char *dir, const char *name, const char *mode)
{
    char path[4096];
    (void)snprintf(path, sizeof(path), "%s/%s", dir, name);
    return fopen(path, mode);
}

static int write_file(const char *dir, const char *name, const void *p, size_t n)
{
    FILE *f = open_in(dir, name, "wb");
    if (f == NULL)
        return -1;
    size_t w = fwrite(p, 1, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

static int gen_proofs(const char *dir, tlog_memtree *t)
{
    FILE *roots = open_in(dir, "roots.txt", "w"), *incl = open_in(dir, "incl.txt", "w"),
         *cons = open_in(dir, "cons.txt", "w");
    if (roots == NULL || incl == NULL || cons == NULL)
        return -1;
    for (uint64_t s = 1; s <= N; s++) {
        tlog_hash r;
        if (tlog_tree_root(tlog_memtree_node, t, s, &r, NULL) != 0)
            return -1;
        fprintf(roots, "%llu ", (unsigned long long)s);
        put_b64(roots, r.b, 32);
        fputc('\n', roots);
    }
    static const uint64_t pairs[][2] = {{0, 1},      {0, 1000},   {1, 1000},   {7, 8},     {255, 256},
                                        {256, 1000}, {999, 1000}, {377, 1000}, {500, 777}, {3, 5}};
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        tlog_proof p;
        if (tlog_inclusion_proof(tlog_memtree_node, t, pairs[i][0], pairs[i][1], &p, NULL) != 0)
            return -1;
        fprintf(incl, "%llu %llu ", (unsigned long long)pairs[i][0], (unsigned long long)pairs[i][1]);
        put_b64(incl, t->lv[0][pairs[i][0]].b, 32);
        fputc(' ', incl);
        put_proof(incl, &p);
        if (pairs[i][0] == 0)
            continue;
        if (tlog_consistency_proof(tlog_memtree_node, t, pairs[i][0], pairs[i][1], &p, NULL) != 0)
            return -1;
        fprintf(cons, "%llu %llu ", (unsigned long long)pairs[i][0], (unsigned long long)pairs[i][1]);
        put_proof(cons, &p);
    }
    return fclose(roots) == 0 && fclose(incl) == 0 && fclose(cons) == 0 ? 0 : -1;
}

static int gen(const char *dir)
{
    tlog_memtree t;
    rprivkey *lk = NULL, *wk = NULL;
    tlog_signer ls, ws;
    tlog_vkey *v = NULL;
    tlog_hash root;
    rbuf b, note;
    rbuf_init(&b, 4096);
    rbuf_init(&note, 4096);
    if (build(&t) != 0 || tlog_tree_root(tlog_memtree_node, &t, N, &root, NULL) != 0)
        return fail("building the tree");
    if (rprivkey_generate(&lk, RKEY_ED25519, 0, NULL) != 0 || rprivkey_generate(&wk, RKEY_ED25519, 0, NULL) != 0 ||
        tlog_signer_init(&ls, "rampart.example/interop", TLOG_SIG_ED25519, lk, NULL) != 0 ||
        tlog_signer_init(&ws, "witness.example/w1", TLOG_SIG_COSIGN_V1, wk, NULL) != 0 ||
        tlog_signer_vkey(&ls, &v, NULL) != 0 || tlog_vkey_format(v, &b) != 0 || rbuf_append_byte(&b, '\n') != 0)
        return fail("making keys");
    if (write_file(dir, "vkey", b.data, b.len) != 0)
        return fail("writing vkey");
    rbuf_reset(&b);
    if (tlog_checkpoint_format("rampart.example/interop", N, &root, &b, NULL) != 0 ||
        rbuf_append(&note, b.data, b.len) != 0 || rbuf_append_byte(&note, '\n') != 0 ||
        tlog_note_sign_line(&ls, b.data, b.len, 0, &note, NULL) != 0 ||
        tlog_note_sign_line(&ws, b.data, b.len, 1700000000, &note, NULL) != 0)
        return fail("signing the checkpoint");
    if (write_file(dir, "checkpoint", note.data, note.len) != 0)
        return fail("writing the checkpoint");
    /* One changed character of the root hash (in the signed text). */
    note.data[30] = note.data[30] == 'A' ? 'B' : 'A';
    if (write_file(dir, "checkpoint.bad", note.data, note.len) != 0)
        return fail("writing the checkpoint");
    if (gen_proofs(dir, &t) != 0)
        return fail("writing proofs");
    tlog_vkey_free(v);
    rprivkey_free(lk);
    rprivkey_free(wk);
    rbuf_free(&b);
    rbuf_free(&note);
    tlog_memtree_free(&t);
    return 0;
}

static uint8_t *slurp(const char *dir, const char *name, size_t *len)
{
    FILE *f = open_in(dir, name, "rb");
    if (f == NULL)
        return NULL;
    uint8_t *p = malloc(1 << 20);
    size_t n = p ? fread(p, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (p)
        p[n] = 0;
    *len = n;
    return p;
}

static bool b64hash(const char *s, size_t n, tlog_hash *out)
{
    rbuf b;
    rbuf_init(&b, 64);
    bool ok = rb64_decode(&b, s, n, RB64_STD) == 0 && b.len == 32;
    if (ok)
        memcpy(out->b, b.data, 32);
    rbuf_free(&b);
    return ok;
}

/* "h1,h2,..." or "-" into p. */
static bool parse_proof(char *s, tlog_proof *p)
{
    p->n = 0;
    if (strcmp(s, "-") == 0)
        return true;
    for (char *tok = s; tok != NULL && *tok;) {
        char *comma = strchr(tok, ',');
        size_t l = comma ? (size_t)(comma - tok) : strlen(tok);
        if (p->n >= TLOG_PROOF_MAX || !b64hash(tok, l, &p->h[p->n++]))
            return false;
        tok = comma ? comma + 1 : NULL;
    }
    return true;
}

static int verify_note(const char *dir, tlog_hash *roots)
{
    size_t vl = 0, nl = 0, bl = 0;
    uint8_t *vk = slurp(dir, "go.vkey", &vl), *nt = slurp(dir, "go.note", &nl), *bad = slurp(dir, "go.note.bad", &bl);
    if (vk == NULL || nt == NULL || bad == NULL || vl < 2)
        return fail("reading go.vkey, go.note, go.note.bad");
    tlog_vkey *k = NULL;
    tlog_note *n = NULL;
    tlog_note_verdict v;
    tlog_checkpoint cp;
    rampart_error err = {0};
    if (tlog_vkey_parse(&k, (const char *)vk, vl - 1, &err) != 0)
        return fail(err.message);
    const tlog_vkey *keys[1] = {k};
    if (tlog_note_parse(&n, nt, nl, &err) != 0 || tlog_note_verify(n, keys, 1, &v, &err) != 0)
        return fail(err.message);
    if (n->nsig != 2)
        return fail("go.note does not have two signatures");
    if (tlog_checkpoint_parse(n->data, n->text_len, &cp, &err) != 0)
        return fail(err.message);
    if (cp.size != N || memcmp(cp.root.b, roots[N].b, 32) != 0)
        return fail("the Go checkpoint's root is not Rampart's");
    tlog_note_free(n);
    n = NULL;
    if (tlog_note_parse(&n, bad, bl, &err) == 0 && tlog_note_verify(n, keys, 1, &v, &err) != RAMPART_EBADSIG)
        return fail("go.note.bad was not refused with RAMPART_EBADSIG");
    tlog_note_free(n);
    tlog_vkey_free(k);
    free(vk);
    free(nt);
    free(bad);
    return 0;
}

static int verify_lines(const char *dir, const char *name, tlog_memtree *t, tlog_hash *roots, bool incl, int *count)
{
    FILE *f = open_in(dir, name, "r");
    if (f == NULL)
        return fail(name);
    char line[1 << 14];
    while (fgets(line, sizeof(line), f) != NULL) {
        unsigned long long a, s;
        char leaf[64], proof[1 << 13];
        tlog_proof p;
        tlog_hash lh;
        int rc;
        line[strcspn(line, "\n")] = 0;
        if (incl) {
            if (sscanf(line, "%llu %llu %63s %8191s", &a, &s, leaf, proof) != 4 || s > N || !parse_proof(proof, &p) ||
                !b64hash(leaf, strlen(leaf), &lh))
                return fail(line);
            rc = tlog_verify_inclusion(&lh, a, s, &roots[s], p.h, p.n, NULL);
            if (rc == 0 && memcmp(lh.b, t->lv[0][a].b, 32) != 0)
                rc = -1;
        } else {
            if (sscanf(line, "%llu %llu %8191s", &a, &s, proof) != 3 || s > N || a > s || !parse_proof(proof, &p))
                return fail(line);
            rc = tlog_verify_consistency(a, s, &roots[a], &roots[s], p.h, p.n, NULL);
        }
        if (rc != 0)
            return fail(line);
        (*count)++;
    }
    fclose(f);
    return 0;
}

static int verify(const char *dir)
{
    tlog_memtree t;
    static tlog_hash roots[N + 1];
    if (build(&t) != 0)
        return fail("building the tree");
    for (uint64_t s = 1; s <= N; s++)
        if (tlog_tree_root(tlog_memtree_node, &t, s, &roots[s], NULL) != 0)
            return fail("tree root");
    /* Go's tree hashes of every size are Rampart's. */
    FILE *f = open_in(dir, "go.roots.txt", "r");
    if (f == NULL)
        return fail("go.roots.txt");
    char line[256];
    int nroots = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        unsigned long long s;
        char h[64];
        tlog_hash gh;
        if (sscanf(line, "%llu %63s", &s, h) != 2 || s < 1 || s > N || !b64hash(h, strlen(h), &gh) ||
            memcmp(gh.b, roots[s].b, 32) != 0)
            return fail(line);
        nroots++;
    }
    fclose(f);
    int ni = 0, nc = 0;
    if (nroots != N || verify_note(dir, roots) != 0 || verify_lines(dir, "go.incl.txt", &t, roots, true, &ni) != 0 ||
        verify_lines(dir, "go.cons.txt", &t, roots, false, &nc) != 0)
        return fail("verification failed");
    printf("rampart verified: %d Go tree hashes, the Go-signed checkpoint, %d inclusion and %d consistency proofs\n",
           nroots, ni, nc);
    tlog_memtree_free(&t);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return fail("usage: tlog_interop gen|verify DIR");
    if (strcmp(argv[1], "gen") == 0)
        return gen(argv[2]);
    if (strcmp(argv[1], "verify") == 0)
        return verify(argv[2]);
    return fail("usage: tlog_interop gen|verify DIR");
}
