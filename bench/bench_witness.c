/*
 * bench_witness.c - add-checkpoint requests per second of a witness on
 * loopback (issue 13): a rampart_witness in this process, listening on
 * 127.0.0.1, and one HTTP/1.1 keep-alive client (libcurl) that sends a
 * growing log's checkpoints one after another, each from the previous size
 * with its consistency proof, so that every request is cosigned and its
 * state stored (file fsync, rename, folder fsync) before the reply.
 *
 *   build/release/bench/bench_witness [REQUESTS] [STATE_PARENT]
 *
 * STATE_PARENT (default /tmp) holds the state folder, so the figure is
 * that file system's fsync as much as the witness's work.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "keys/keys.h"
#include "rampart/witness.h"
#include "tlog/tiles.h"
#include "tlog/witness.h"
#include "util/codec.h"

static void die(const char *what)
{
    fprintf(stderr, "bench_witness: %s\n", what);
    exit(1);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static size_t sink(char *p, size_t s, size_t n, void *ctx)
{
    (void)p;
    *(long *)ctx += (long)(s * n);
    return s * n;
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0)
        die("cannot write a file");
}

/* The request body from size `old` to `size` of the tree. */
static void request(rbuf *b, tlog_memtree *t, const tlog_signer *ls, uint64_t old, uint64_t size)
{
    rbuf_reset(b);
    tlog_proof p = {0};
    tlog_hash root;
    if ((old > 0 && tlog_consistency_proof(tlog_memtree_node, t, old, size, &p, NULL) != 0) ||
        tlog_tree_root(tlog_memtree_node, t, size, &root, NULL) != 0 ||
        rbuf_appendf(b, "old %llu\n", (unsigned long long)old) != 0)
        die("proof");
    for (size_t i = 0; i < p.n; i++)
        if (rb64_encode(b, p.h[i].b, 32, RB64_STD) != 0 || rbuf_append_byte(b, '\n') != 0)
            die("oom");
    if (rbuf_append_byte(b, '\n') != 0)
        die("oom");
    size_t at = b->len;
    if (tlog_checkpoint_format(ls->name, size, &root, b, NULL) != 0)
        die("checkpoint");
    size_t tl = b->len - at;
    rbuf text;
    rbuf_init(&text, 1024);
    if (rbuf_append(&text, b->data + at, tl) != 0 || rbuf_append_byte(b, '\n') != 0 ||
        tlog_note_sign_line(ls, text.data, text.len, 0, b, NULL) != 0)
        die("sign");
    rbuf_free(&text);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;
    const char *parent = argc > 2 ? argv[2] : "/tmp";
    if (n < 1 || n > 1000000)
        die("REQUESTS is 1..1000000");
    char dir[512], path[600], state[600];
    (void)snprintf(dir, sizeof(dir), "%s/bench-witness-XXXXXX", parent);
    if (mkdtemp(dir) == NULL)
        die("mkdtemp");
    rprivkey *lk = NULL, *wk = NULL;
    tlog_signer ls, ws;
    tlog_vkey *lv = NULL;
    rbuf b;
    rbuf_init(&b, 1 << 20);
    if (rprivkey_generate(&lk, RKEY_ED25519, 0, NULL) != 0 || rprivkey_generate(&wk, RKEY_ED25519, 0, NULL) != 0 ||
        tlog_signer_init(&ls, "bench.example/log", TLOG_SIG_ED25519, lk, NULL) != 0 ||
        tlog_signer_init(&ws, "bench.example/witness", TLOG_SIG_COSIGN_V1, wk, NULL) != 0 ||
        tlog_signer_vkey(&ls, &lv, NULL) != 0 || rbuf_append_str(&b, "log ") != 0 || tlog_vkey_format(lv, &b) != 0 ||
        rbuf_append_byte(&b, '\n') != 0)
        die("keys");
    (void)snprintf(path, sizeof(path), "%s/w.conf", dir);
    write_file(path, b.data, b.len);
    rbuf_reset(&b);
    if (rprivkey_to_pem(wk, NULL, 0, &b, NULL) != 0)
        die("pem");
    (void)snprintf(path, sizeof(path), "%s/w.key", dir);
    write_file(path, b.data, b.len);
    char conf[600];
    (void)snprintf(conf, sizeof(conf), "%s/w.conf", dir);
    (void)snprintf(state, sizeof(state), "%s/state", dir);

    /* The requests, made before the clock starts. */
    tlog_memtree t;
    tlog_memtree_init(&t);
    rbuf *reqs = calloc((size_t)n, sizeof(rbuf));
    if (reqs == NULL)
        die("oom");
    for (long i = 0; i < n; i++) {
        char e[32];
        int l = snprintf(e, sizeof(e), "entry %ld", i);
        tlog_hash h;
        if (tlog_leaf_hash((const uint8_t *)e, (size_t)l, &h) != 0 || tlog_memtree_append(&t, &h, NULL) != 0)
            die("tree");
        rbuf_init(&reqs[i], 1 << 16);
        request(&reqs[i], &t, &ls, (uint64_t)i, (uint64_t)i + 1);
    }

    rampart_witness_options o = RAMPART_WITNESS_OPTIONS_INIT;
    o.name = "bench.example/witness";
    o.key_file = path;
    o.config_file = conf;
    o.state_dir = state;
    o.listen = "127.0.0.1:0";
    rampart_witness *w = NULL;
    rampart_error err;
    if (rampart_witness_new(&w, &o, &err) != 0 || rampart_witness_start(w, &err) != 0) {
        fprintf(stderr, "bench_witness: %s\n", err.message);
        return 1;
    }
    char url[128];
    (void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/add-checkpoint", rampart_witness_port(w));
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        die("curl");
    CURL *c = curl_easy_init();
    long got = 0;
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type:");
    if (c == NULL || hdr == NULL)
        die("curl");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &got);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)reqs[i].data);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)reqs[i].len);
        long code = 0;
        if (curl_easy_perform(c) != CURLE_OK || curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK ||
            code != 200) {
            fprintf(stderr, "bench_witness: request %ld: HTTP %ld\n", i, code);
            return 1;
        }
    }
    double dt = now_s() - t0;
    printf("witness add-checkpoint on loopback: %ld requests (each cosigned, state fsynced) in %.3f s: "
           "%.0f requests/s (%.3f ms each); state folder under %s\n",
           n, dt, (double)n / dt, dt * 1000.0 / (double)n, parent);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
    rampart_witness_free(w);
    for (long i = 0; i < n; i++)
        rbuf_free(&reqs[i]);
    free(reqs);
    tlog_memtree_free(&t);
    tlog_vkey_free(lv);
    rprivkey_free(lk);
    rprivkey_free(wk);
    rbuf_free(&b);
    char cmd[600];
    (void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
