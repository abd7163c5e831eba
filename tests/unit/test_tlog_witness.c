/*
 * test_tlog_witness.c - C2SP tlog-witness: the add-checkpoint parser, the
 * witness configuration, every status of the decision with its exact body
 * (src/tlog/witness.c), and the state folder of rampart_witness (stored
 * before the reply, read again by a new handle, locked).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "keys/keys.h"
#include "rampart/tlog.h"
#include "rampart/witness.h"
#include "tlog/tiles.h"
#include "tlog/witness.h"
#include "util/codec.h"

static rprivkey *lk, *lk2, *wk;
static tlog_signer ls, ls_other, ws;
static tlog_memtree tree;
static tlog_wconfig *cfg;
static char log_vkey[512], wit_vkey[512];

static void vkey_of(const tlog_signer *s, char *out)
{
    tlog_vkey *k = NULL;
    rbuf b;
    rbuf_init(&b, 512);
    if (tlog_signer_vkey(s, &k, NULL) != 0 || tlog_vkey_format(k, &b) != 0 || rbuf_append_byte(&b, 0) != 0)
        abort();
    memcpy(out, b.data, b.len);
    tlog_vkey_free(k);
    rbuf_free(&b);
}

/* A request body: "old N", the consistency proof from old to size (when
 * `proof`), the blank line, the checkpoint of `size` with `root` (NULL: the
 * tree's) signed by `s`. */
static void request(rbuf *b, uint64_t old, bool proof, uint64_t size, const tlog_hash *root, const tlog_signer *s,
                    const char *origin)
{
    rbuf_reset(b);
    if (rbuf_appendf(b, "old %llu\n", (unsigned long long)old) != 0)
        abort();
    if (proof && old > 0) {
        tlog_proof p;
        if (tlog_consistency_proof(tlog_memtree_node, &tree, old, size, &p, NULL) != 0)
            abort();
        for (size_t i = 0; i < p.n; i++)
            if (rb64_encode(b, p.h[i].b, 32, RB64_STD) != 0 || rbuf_append_byte(b, '\n') != 0)
                abort();
    }
    if (rbuf_append_byte(b, '\n') != 0)
        abort();
    tlog_hash r;
    if (root != NULL)
        r = *root;
    else if (tlog_tree_root(tlog_memtree_node, &tree, size, &r, NULL) != 0)
        abort();
    size_t at = b->len;
    if (tlog_checkpoint_format(origin ? origin : "example.com/log", size, &r, b, NULL) != 0)
        abort();
    rbuf text;
    rbuf_init(&text, 4096);
    if (rbuf_append(&text, b->data + at, b->len - at) != 0 || rbuf_append_byte(b, '\n') != 0 ||
        tlog_note_sign_line(s, text.data, text.len, 0, b, NULL) != 0)
        abort();
    rbuf_free(&text);
}

/* Runs both steps against `cur`. */
static int handle(const rbuf *b, const tlog_wstate *cur, tlog_wreply *r)
{
    tlog_wsubmit sub;
    int rc = tlog_witness_check(cfg, b->data, b->len, &sub, r, NULL);
    if (rc != 0 || r->status != 0)
        return rc;
    const tlog_signer *sig[1] = {&ws};
    return tlog_witness_decide(&sub, cur, sig, 1, 1700000000, r, NULL);
}

#define CHECK_REPLY(r, st, ctype, text)                                                                                \
    do {                                                                                                               \
        CHECK_INT((r).status, st);                                                                                     \
        CHECK_STR((r).content_type, ctype);                                                                            \
        CHECK_MEM((r).body.data, (r).body.len, text, strlen(text));                                                    \
        CHECK((r).commit == false);                                                                                    \
    } while (0)

static void test_parse(void)
{
    tlog_wreq q;
    const char *ok = "old 3\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n\nrest";
    CHECK_OK(tlog_wreq_parse((const uint8_t *)ok, strlen(ok), &q, NULL));
    CHECK_INT(q.old_size, 3);
    CHECK_INT(q.nproof, 1);
    CHECK_MEM(q.note, q.note_len, "rest", 4);
    static const char *const bad[] = {
        "old 03\n\nx",
        "old -1\n\nx",
        "Old 1\n\nx",
        "old  1\n\nx",
        "old 1",
        "old 1\n",
        "old 1\n\n",
        "old 1\nabc=\n\nx",
        "old 1 \n\nx",
        "old\n\nx",
        "old 18446744073709551616\n\nx",
        "old 1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpka=\n\nx", /* 31 bytes */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&q, 0x5a, sizeof(q));
        CHECK_RC(tlog_wreq_parse((const uint8_t *)bad[i], strlen(bad[i]), &q, NULL), RAMPART_EFORMAT);
        CHECK_INT(q.old_size, 0x5a5a5a5a5a5a5a5aLL);
    }
    CHECK_OK(tlog_wreq_parse((const uint8_t *)"old 0\n\nx", 8, &q, NULL));
    CHECK_INT(q.old_size, 0);
    /* tlog-witness: at most 63 proof lines. */
    rbuf b;
    rbuf_init(&b, 1 << 20);
    for (int n = 63; n <= 64; n++) {
        rbuf_reset(&b);
        CHECK_OK(rbuf_append_str(&b, "old 1\n"));
        for (int i = 0; i < n; i++)
            CHECK_OK(rbuf_append_str(&b, "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"));
        CHECK_OK(rbuf_append_str(&b, "\nx"));
        CHECK_RC(tlog_wreq_parse(b.data, b.len, &q, NULL), n == 63 ? 0 : RAMPART_EFORMAT);
    }
    rbuf_reset(&b);
    CHECK_OK(rbuf_append_str(&b, "old 1\n\n"));
    while (b.len <= TLOG_WITNESS_REQ_MAX)
        CHECK_OK(rbuf_append_byte(&b, 'x'));
    CHECK_RC(tlog_wreq_parse(b.data, b.len, &q, NULL), RAMPART_ETOOLARGE);
    rbuf_free(&b);
}

static void test_config(void)
{
    char text[2048];
    tlog_wconfig *c = NULL;
    (void)snprintf(text, sizeof(text), "# logs\n\nlog %s\n  log\t%s  \n", log_vkey, wit_vkey);
    /* A witness (type 0x04) key is not a log key. */
    CHECK_RC(tlog_wconfig_parse(&c, (const uint8_t *)text, strlen(text), NULL), RAMPART_EFORMAT);
    (void)snprintf(text, sizeof(text), "log %s\nlog %s\n", log_vkey, log_vkey);
    CHECK_RC(tlog_wconfig_parse(&c, (const uint8_t *)text, strlen(text), NULL), RAMPART_EFORMAT);
    (void)snprintf(text, sizeof(text), "logs %s\n", log_vkey);
    CHECK_RC(tlog_wconfig_parse(&c, (const uint8_t *)text, strlen(text), NULL), RAMPART_EFORMAT);
    (void)snprintf(text, sizeof(text), "log %s extra\n", log_vkey);
    CHECK_RC(tlog_wconfig_parse(&c, (const uint8_t *)text, strlen(text), NULL), RAMPART_EFORMAT);
    CHECK_RC(tlog_wconfig_parse(&c, (const uint8_t *)"# none\n", 7, NULL), RAMPART_EFORMAT);
    CHECK_RC(tlog_wconfig_parse(&c, (const uint8_t *)"log x+1+A\n", 10, NULL), RAMPART_EFORMAT);
    CHECK(c == NULL);
    (void)snprintf(text, sizeof(text), "# logs\r\n\nlog %s\n", log_vkey);
    CHECK_OK(tlog_wconfig_parse(&c, (const uint8_t *)text, strlen(text), NULL));
    CHECK_INT(c->nkeys, 1);
    tlog_wconfig_free(c);
}

static void test_first_and_append(void)
{
    rbuf b;
    rbuf_init(&b, 1 << 20);
    tlog_wreply r;
    tlog_wreply_init(&r);
    tlog_wstate none = {0};
    /* Never cosigned: old 0, empty proof: 200 and the state to store. */
    request(&b, 0, false, 10, NULL, &ls, NULL);
    CHECK_OK(handle(&b, &none, &r));
    CHECK_INT(r.status, 200);
    CHECK_STR(r.content_type, TLOG_WCT_TEXT);
    CHECK(r.commit && r.next.known && r.next.size == 10);
    /* The body is one cosignature line, which verifies with a policy
     * naming the witness (the checkpoint note + the line). */
    CHECK(r.body.len > 4 && memcmp(r.body.data, "\xe2\x80\x94 witness.example ", 20) == 0);
    CHECK(r.body.data[r.body.len - 1] == '\n' && memchr(r.body.data, '\n', r.body.len) == r.body.data + r.body.len - 1);
    char pol[2048];
    (void)snprintf(pol, sizeof(pol), "log %s\nwitness w %s\nquorum w\n", log_vkey, wit_vkey);
    rampart_tlog_policy *p = NULL;
    CHECK_OK(rampart_tlog_policy_parse(&p, pol, strlen(pol), NULL));
    rbuf note;
    rbuf_init(&note, 1 << 16);
    const uint8_t *blank = (const uint8_t *)strstr((const char *)b.data, "\n\n") + 2;
    CHECK_OK(rbuf_append(&note, blank, b.len - (size_t)(blank - b.data)));
    CHECK_OK(rbuf_append(&note, r.body.data, r.body.len));
    rampart_tlog_checkpoint cp;
    CHECK_OK(rampart_tlog_verify_checkpoint(p, note.data, note.len, 1700000000, 3600, &cp, NULL));
    CHECK_INT(cp.size, 10);
    CHECK_INT(cp.cosignatures, 1);
    CHECK_INT(cp.newest_cosignature, 1700000000);
    /* Tampered cosignature: refused (a known key's bad signature). */
    note.data[note.len - 20] = note.data[note.len - 20] == 'A' ? 'B' : 'A'; /* still base64 */
    CHECK_RC(rampart_tlog_verify_checkpoint(p, note.data, note.len, 1700000000, 3600, &cp, NULL), RAMPART_ENOQUORUM);
    rampart_tlog_policy_free(p);
    rbuf_free(&note);

    /* From the stored 10 to 20 with the proof: 200. */
    tlog_wstate st = r.next;
    request(&b, 10, true, 20, NULL, &ls, NULL);
    CHECK_OK(handle(&b, &st, &r));
    CHECK_INT(r.status, 200);
    CHECK(r.commit && r.next.size == 20);
    /* The same checkpoint again (old = size = stored, same root): 200. */
    st = r.next;
    request(&b, 20, false, 20, NULL, &ls, NULL);
    CHECK_OK(handle(&b, &st, &r));
    CHECK_INT(r.status, 200);
    tlog_wreply_free(&r);
    rbuf_free(&b);
}

static void test_refusals(void)
{
    rbuf b;
    rbuf_init(&b, 1 << 20);
    tlog_wreply r;
    tlog_wreply_init(&r);
    tlog_wstate none = {0}, st = {.known = true, .size = 10};
    CHECK_OK(tlog_tree_root(tlog_memtree_node, &tree, 10, &st.root, NULL));
    tlog_hash other;
    memset(other.b, 7, 32);

    /* 400: malformed body, malformed note, malformed checkpoint, old > size. */
    CHECK_OK(rbuf_append_str(&b, "old x\n\nfoo\n"));
    CHECK_OK(handle(&b, &st, &r));
    CHECK_REPLY(r, 400, TLOG_WCT_TEXT, "malformed add-checkpoint request\n");
    rbuf_reset(&b);
    CHECK_OK(rbuf_append_str(&b, "old 0\n\nexample.com/log\n1\n"));
    CHECK_OK(handle(&b, &st, &r));
    CHECK_REPLY(r, 400, TLOG_WCT_TEXT, "malformed checkpoint note\n");
    request(&b, 12, false, 11, NULL, &ls, NULL);
    CHECK_OK(handle(&b, &st, &r));
    CHECK_REPLY(r, 400, TLOG_WCT_TEXT, "old size is larger than the checkpoint size\n");
    /* 404: an origin the witness does not know. */
    request(&b, 0, false, 10, NULL, &ls, "example.com/other");
    CHECK_OK(handle(&b, &st, &r));
    CHECK_REPLY(r, 404, TLOG_WCT_TEXT, "unknown log origin\n");
    /* 403: signed under the log's name by another key (ignored as
     * unknown: no valid signature remains). */
    request(&b, 10, true, 20, NULL, &ls_other, NULL);
    CHECK_OK(handle(&b, &st, &r));
    CHECK_REPLY(r, 403, TLOG_WCT_TEXT, "no valid signature of the log\n");
    /* 403: the log's signature, tampered. */
    request(&b, 10, true, 20, NULL, &ls, NULL);
    b.data[b.len - 20] = b.data[b.len - 20] == 'A' ? 'B' : 'A'; /* still base64 */
    CHECK_OK(handle(&b, &st, &r));
    CHECK_REPLY(r, 403, TLOG_WCT_TEXT, "no valid signature of the log\n");
    /* 409: the old size is not the stored one; the body is the stored size. */
    request(&b, 5, true, 20, NULL, &ls, NULL);
    CHECK_OK(handle(&b, &st, &r));
    CHECK_REPLY(r, 409, TLOG_WCT_SIZE, "10\n");
    request(&b, 10, true, 20, NULL, &ls, NULL);
    CHECK_OK(handle(&b, &none, &r));
    CHECK_REPLY(r, 409, TLOG_WCT_SIZE, "0\n");
    /* 409: the stored size with another root (a fork at the same size). */
    request(&b, 10, false, 10, &other, &ls, NULL);
    CHECK_OK(handle(&b, &st, &r));
    CHECK_REPLY(r, 409, TLOG_WCT_TEXT, "another root hash for the stored tree size\n");
    /* 422: a fork (another root for size 20) with the honest proof. */
    request(&b, 10, true, 20, &other, &ls, NULL);
    CHECK_OK(handle(&b, &st, &r));
    CHECK_REPLY(r, 422, TLOG_WCT_TEXT, "the consistency proof does not verify\n");
    /* 422: a proof of the wrong length (none at all). */
    request(&b, 10, false, 20, NULL, &ls, NULL);
    CHECK_OK(handle(&b, &st, &r));
    CHECK_REPLY(r, 422, TLOG_WCT_TEXT, "the consistency proof does not verify\n");
    /* 422: a proof from size 0, and a proof between equal sizes. */
    rbuf_reset(&b);
    request(&b, 0, false, 10, NULL, &ls, NULL);
    rbuf c;
    rbuf_init(&c, 1 << 20);
    CHECK_OK(rbuf_append_str(&c, "old 0\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"));
    CHECK_OK(rbuf_append(&c, b.data + 6, b.len - 6));
    CHECK_OK(handle(&c, &none, &r));
    CHECK_REPLY(r, 422, TLOG_WCT_TEXT, "a consistency proof from size 0 is empty\n");
    rbuf_reset(&c);
    request(&b, 10, false, 10, NULL, &ls, NULL);
    CHECK_OK(rbuf_append_str(&c, "old 10\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"));
    CHECK_OK(rbuf_append(&c, b.data + 7, b.len - 7));
    CHECK_OK(handle(&c, &st, &r));
    CHECK_REPLY(r, 422, TLOG_WCT_TEXT, "a consistency proof between equal sizes is empty\n");
    rbuf_free(&c);
    tlog_wreply_free(&r);
    rbuf_free(&b);
}

static void test_state_text(void)
{
    tlog_wstate s = {.known = true, .size = 10}, t;
    CHECK_OK(tlog_tree_root(tlog_memtree_node, &tree, 10, &s.root, NULL));
    rbuf b;
    rbuf_init(&b, 1024);
    CHECK_OK(tlog_wstate_format("example.com/log", &s, &b, NULL));
    CHECK_OK(tlog_wstate_parse(b.data, b.len, "example.com/log", 15, &t, NULL));
    CHECK(t.known && t.size == 10 && memcmp(t.root.b, s.root.b, 32) == 0);
    CHECK_RC(tlog_wstate_parse(b.data, b.len, "example.com/lo", 14, &t, NULL), RAMPART_EFORMAT);
    CHECK_RC(tlog_wstate_parse(b.data, b.len - 1, "example.com/log", 15, &t, NULL), RAMPART_EFORMAT);
    rbuf_free(&b);
}

static char tmpdir[64];

static void write_file(const char *name, const void *p, size_t n)
{
    char path[256];
    (void)snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0)
        abort();
}

static void test_handle_state(void)
{
    rbuf pem;
    rbuf_init(&pem, 1 << 16);
    CHECK_OK(rprivkey_to_pem(wk, NULL, 0, &pem, NULL));
    write_file("w.key", pem.data, pem.len);
    rbuf_free(&pem);
    char conf[1024], path[512], state[256];
    (void)snprintf(conf, sizeof(conf), "log %s\n", log_vkey);
    write_file("w.conf", conf, strlen(conf));
    char key[256], cf[256];
    (void)snprintf(key, sizeof(key), "%s/w.key", tmpdir);
    (void)snprintf(cf, sizeof(cf), "%s/w.conf", tmpdir);
    (void)snprintf(state, sizeof(state), "%s/state", tmpdir);
    rampart_witness_options o = RAMPART_WITNESS_OPTIONS_INIT;
    o.name = "witness.example";
    o.key_file = key;
    o.config_file = cf;
    o.state_dir = state;
    rampart_witness *w = NULL, *w2 = NULL;
    rampart_error err;
    CHECK_OK(rampart_witness_new(&w, &o, &err));
    char *vk = NULL;
    CHECK_OK(rampart_witness_vkey(w, &vk, &err));
    CHECK_STR(vk, wit_vkey);
    rampart_string_free(vk);
    /* The state folder is locked. */
    CHECK_RC(rampart_witness_new(&w2, &o, &err), RAMPART_ELOCKED);
    rbuf b;
    rbuf_init(&b, 1 << 20);
    request(&b, 0, false, 10, NULL, &ls, NULL);
    int status = 0;
    char *body = NULL;
    size_t blen = 0;
    const char *ct = NULL;
    CHECK_OK(rampart_witness_add_checkpoint(w, b.data, b.len, &status, &body, &blen, &ct, &err));
    CHECK_INT(status, 200);
    rampart_string_free(body);
    /* Stored before the reply: the checkpoint text of size 10. */
    rbuf want;
    rbuf_init(&want, 1024);
    tlog_hash root10;
    CHECK_OK(tlog_tree_root(tlog_memtree_node, &tree, 10, &root10, NULL));
    CHECK_OK(tlog_checkpoint_format("example.com/log", 10, &root10, &want, NULL));
    uint8_t d[64];
    char hex[65];
    CHECK_OK(rhash_digest(RHASH_SHA256, "example.com/log", 15, d));
    rhex_encode(hex, d, 32);
    (void)snprintf(path, sizeof(path), "%s/log-%s", state, hex);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    char got[512];
    size_t n = fread(got, 1, sizeof(got), f);
    fclose(f);
    CHECK_MEM(got, n, want.data, want.len);
    rampart_witness_free(w);
    /* A new handle reads it: old 0 is now a conflict with size 10. */
    CHECK_OK(rampart_witness_new(&w, &o, &err));
    CHECK_OK(rampart_witness_add_checkpoint(w, b.data, b.len, &status, &body, &blen, &ct, &err));
    CHECK_INT(status, 409);
    CHECK_STR(body, "10\n");
    CHECK_STR(ct, "text/x.tlog.size");
    rampart_string_free(body);
    /* A damaged state file: a local failure, never a fresh start. */
    f = fopen(path, "wb");
    CHECK(f != NULL && fputs("garbage\n", f) >= 0 && fclose(f) == 0);
    CHECK_RC(rampart_witness_add_checkpoint(w, b.data, b.len, &status, &body, &blen, &ct, &err), RAMPART_EIO);
    rampart_witness_free(w);
    /* Options refused. */
    o.name = "bad name";
    CHECK_RC(rampart_witness_new(&w, &o, &err), RAMPART_EINVAL);
    o.name = "witness.example";
    o.listen = "localhost:80";
    CHECK_RC(rampart_witness_new(&w, &o, &err), RAMPART_EINVAL);
    o.listen = "127.0.0.1:65536";
    CHECK_RC(rampart_witness_new(&w, &o, &err), RAMPART_EINVAL);
    rbuf_free(&want);
    rbuf_free(&b);
}

int main(void)
{
    if (rprivkey_generate(&lk, RKEY_ED25519, 0, NULL) != 0 || rprivkey_generate(&lk2, RKEY_ED25519, 0, NULL) != 0 ||
        rprivkey_generate(&wk, RKEY_ED25519, 0, NULL) != 0 ||
        tlog_signer_init(&ls, "example.com/log", TLOG_SIG_ED25519, lk, NULL) != 0 ||
        tlog_signer_init(&ls_other, "example.com/log", TLOG_SIG_ED25519, lk2, NULL) != 0 ||
        tlog_signer_init(&ws, "witness.example", TLOG_SIG_COSIGN_V1, wk, NULL) != 0)
        return 1;
    vkey_of(&ls, log_vkey);
    vkey_of(&ws, wit_vkey);
    char conf[1024];
    (void)snprintf(conf, sizeof(conf), "log %s\n", log_vkey);
    if (tlog_wconfig_parse(&cfg, (const uint8_t *)conf, strlen(conf), NULL) != 0)
        return 1;
    tlog_memtree_init(&tree);
    for (int i = 0; i < 50; i++) {
        char e[16];
        int n = snprintf(e, sizeof(e), "entry %d", i);
        tlog_hash h;
        if (tlog_leaf_hash((const uint8_t *)e, (size_t)n, &h) != 0 || tlog_memtree_append(&tree, &h, NULL) != 0)
            return 1;
    }
    (void)snprintf(tmpdir, sizeof(tmpdir), "/tmp/rampart-witness-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return 1;
    RUN(test_parse);
    RUN(test_config);
    RUN(test_first_and_append);
    RUN(test_refusals);
    RUN(test_state_text);
    RUN(test_handle_state);
    char cmd[128];
    (void)snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        return 1;
    tlog_wconfig_free(cfg);
    tlog_memtree_free(&tree);
    rprivkey_free(lk);
    rprivkey_free(lk2);
    rprivkey_free(wk);
    return th_summary("test_tlog_witness");
}
