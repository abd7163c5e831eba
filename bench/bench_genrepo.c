/*
 * bench_genrepo.c - generates the repositories the client benchmarks serve
 * (bench/client_bench.sh): valid, signed TUF repositories with consistent
 * snapshots, written as plain files for any static web server.
 *
 *   bench_genrepo flat OUT N [--pretty]      N targets listed in targets.json
 *   bench_genrepo bins OUT N BITS [--pretty] N targets in 2^BITS succinct hash bins
 *   bench_genrepo big  OUT MIB               one target of MIB MiB
 *
 * Every target entry is listed; only the target the benchmark downloads
 * ("files/pkg-<N/2>.tar.gz", or "big.bin") exists as a file.  OUT/root.json
 * is the root to initialise clients with.  --pretty writes metadata the way
 * python-tuf does (indent 1, sorted keys) instead of compact canonical JSON.
 *
 * A second generation is written beside the first, for benchmarks of a
 * refresh that finds a new snapshot (bench/refresh_scaling.sh): snapshot
 * version 2 (listing the same roles) as metadata/2.snapshot.json, and the
 * two timestamps as OUT/timestamp.v1.json (also metadata/timestamp.json)
 * and OUT/timestamp.v2.json (naming snapshot 2), to copy into place.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/hash.h"
#include "crypto/privkey.h"
#include "keys/keys.h"
#include "tuf/match.h"
#include "util/codec.h"
#include "util/json.h"
#include "util/rtime.h"

#define DIE(...)                                                                                                       \
    do {                                                                                                               \
        fprintf(stderr, "bench_genrepo: " __VA_ARGS__);                                                                \
        fputc('\n', stderr);                                                                                           \
        exit(1);                                                                                                       \
    } while (0)

static bool g_pretty;
static const char *g_out;

typedef struct key {
    rprivkey *k;
    char keyid[65];
    json_t *pub;
} key;

static key newkey(void)
{
    key k;
    rerr e = {0};
    if (rprivkey_generate(&k.k, RKEY_ED25519, 0, &e) != 0)
        DIE("keygen: %s", e.message);
    rbuf pub;
    rbuf_init(&pub, 4096);
    if (rprivkey_public_tuf(k.k, &pub, &e) != 0 ||
        rkey_compute_keyid(rslice_cstr("ed25519"), rslice_cstr("ed25519"), rbuf_slice(&pub), k.keyid) != 0)
        DIE("public key");
    k.pub = json_pack("{s:s,s:s,s:{s:s}}", "keytype", "ed25519", "scheme", "ed25519", "keyval", "public",
                      (const char *)pub.data);
    rbuf_free(&pub);
    return k;
}

static json_t *base(const char *type, int64_t version)
{
    char exp[RTIME_STR_LEN + 1];
    if (rtime_format(4102444800LL, exp) != 0) /* 2100-01-01 */
        DIE("time");
    return json_pack("{s:s,s:s,s:I,s:s}", "_type", type, "spec_version", "1.0.31", "version", (json_int_t)version,
                     "expires", exp);
}

static void write_file(const char *rel, const void *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", g_out, rel);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        DIE("open %s: %s", path, strerror(errno));
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w <= 0)
            DIE("write %s", path);
        p += w;
        len -= (size_t)w;
    }
    close(fd);
}

/* Signs `sgn` with `k` and writes it as `name`; returns {version,length,hashes}. */
static json_t *sign_write(json_t *sgn, key *k, const char *name)
{
    rbuf canon;
    rbuf_init(&canon, SIZE_MAX);
    rerr e = {0};
    if (rjson_canonical(sgn, &canon, &e) != 0)
        DIE("canonical: %s", e.message);
    rbuf sig;
    rbuf_init(&sig, 1024);
    if (rprivkey_sign(k->k, canon.data, canon.len, &sig, &e) != 0)
        DIE("sign: %s", e.message);
    char hex[2 * 1024 + 1];
    rhex_encode(hex, sig.data, sig.len);
    rbuf_free(&sig);
    rbuf doc;
    rbuf_init(&doc, SIZE_MAX);
    if (g_pretty) {
        json_t *d = json_pack("{s:[{s:s,s:s}],s:O}", "signatures", "keyid", k->keyid, "sig", hex, "signed", sgn);
        char *t = json_dumps(d, JSON_INDENT(1) | JSON_SORT_KEYS);
        if (rbuf_append_str(&doc, t) != 0)
            DIE("oom");
        free(t);
        json_decref(d);
    } else {
        /* {"signatures":[...],"signed":<canonical>} - itself canonical JSON */
        if (rbuf_appendf(&doc, "{\"signatures\":[{\"keyid\":\"%s\",\"sig\":\"%s\"}],\"signed\":", k->keyid, hex) != 0 ||
            rbuf_append(&doc, canon.data, canon.len) != 0 || rbuf_append_byte(&doc, '}') != 0)
            DIE("oom");
    }
    rbuf_free(&canon);
    write_file(name, doc.data, doc.len);
    uint8_t d[RHASH_MAX_LEN];
    char dh[65];
    if (rhash_digest(RHASH_SHA256, doc.data, doc.len, d) != 0)
        DIE("hash");
    rhex_encode(dh, d, 32);
    json_t *mf = json_pack("{s:I,s:I,s:{s:s}}", "version", json_integer_value(json_object_get(sgn, "version")),
                           "length", (json_int_t)doc.len, "hashes", "sha256", dh);
    rbuf_free(&doc);
    return mf;
}

static void sha256hex(const void *p, size_t n, char out[65])
{
    uint8_t d[RHASH_MAX_LEN];
    if (rhash_digest(RHASH_SHA256, p, n, d) != 0)
        DIE("hash");
    rhex_encode(out, d, 32);
}

/* A target entry; the real file is written only for `wanted`. */
static json_t *target_entry(const char *name, bool wanted)
{
    char hex[65];
    if (wanted) {
        char content[256];
        int n = snprintf(content, sizeof(content), "contents of %s\n", name);
        sha256hex(content, (size_t)n, hex);
        const char *slash = strrchr(name, '/');
        char rel[512];
        snprintf(rel, sizeof(rel), "targets/%.*s%s.%s", slash ? (int)(slash - name + 1) : 0, name, hex,
                 slash ? slash + 1 : name);
        write_file(rel, content, (size_t)n);
        return json_pack("{s:I,s:{s:s}}", "length", (json_int_t)n, "hashes", "sha256", hex);
    }
    sha256hex(name, strlen(name), hex);
    return json_pack("{s:I,s:{s:s}}", "length", (json_int_t)(1000 + strlen(name)), "hashes", "sha256", hex);
}

static void mkdirs(void)
{
    char p[4096];
    snprintf(p, sizeof(p), "%s", g_out);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/metadata", g_out);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/targets", g_out);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/targets/files", g_out);
    mkdir(p, 0755);
}

/* Root, snapshot and timestamp around a finished targets meta map. */
static void finish(key ks[4], json_t *snapmeta)
{
    json_t *root = base("root", 1);
    json_object_set_new(root, "consistent_snapshot", json_true());
    json_t *keys = json_object(), *roles = json_object();
    const char *names[] = {"root", "timestamp", "snapshot", "targets"};
    for (int i = 0; i < 4; i++) {
        json_object_set(keys, ks[i].keyid, ks[i].pub);
        json_object_set_new(roles, names[i], json_pack("{s:[s],s:i}", "keyids", ks[i].keyid, "threshold", 1));
    }
    json_object_set_new(root, "keys", keys);
    json_object_set_new(root, "roles", roles);
    json_decref(sign_write(root, &ks[0], "metadata/1.root.json"));
    json_decref(sign_write(root, &ks[0], "metadata/root.json"));
    json_decref(sign_write(root, &ks[0], "root.json"));
    json_decref(root);
    for (int v = 1; v <= 2; v++) {
        char sname[64], tname[64];
        snprintf(sname, sizeof(sname), "metadata/%d.snapshot.json", v);
        snprintf(tname, sizeof(tname), "timestamp.v%d.json", v);
        json_t *snap = base("snapshot", v);
        json_object_set(snap, "meta", snapmeta);
        json_t *smf = sign_write(snap, &ks[2], sname);
        json_decref(snap);
        json_t *ts = base("timestamp", v);
        json_object_set_new(ts, "meta", json_pack("{s:O}", "snapshot.json", smf));
        json_decref(sign_write(ts, &ks[1], tname));
        if (v == 1)
            json_decref(sign_write(ts, &ks[1], "metadata/timestamp.json"));
        json_decref(smf);
        json_decref(ts);
    }
    json_decref(snapmeta);
}

static void gen_flat(long n)
{
    key ks[4] = {newkey(), newkey(), newkey(), newkey()};
    json_t *tg = base("targets", 1), *targets = json_object();
    for (long i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof(name), "files/pkg-%07ld.tar.gz", i);
        json_object_set_new(targets, name, target_entry(name, i == n / 2));
    }
    json_object_set_new(tg, "targets", targets);
    json_t *snapmeta = json_object();
    json_object_set_new(snapmeta, "targets.json", sign_write(tg, &ks[3], "metadata/1.targets.json"));
    json_decref(tg);
    finish(ks, snapmeta);
}

static void gen_bins(long n, unsigned bits)
{
    key ks[4] = {newkey(), newkey(), newkey(), newkey()};
    key binkey = newkey();
    size_t nbins = (size_t)1 << bits;
    json_t **bins = calloc(nbins, sizeof(json_t *));
    tuf_succinct sc;
    memset(&sc, 0, sizeof(sc));
    sc.bit_length = bits;
    sc.name_prefix = rslice_cstr("bins");
    for (size_t b = 0; b < nbins; b++)
        bins[b] = json_object();
    for (long i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof(name), "files/pkg-%07ld.tar.gz", i);
        tuf_path_hash ph;
        if (tuf_path_hash_compute(rslice_cstr(name), &ph) != 0)
            DIE("hash");
        uint32_t first =
            (uint32_t)ph.digest[0] << 24 | (uint32_t)ph.digest[1] << 16 | (uint32_t)ph.digest[2] << 8 | ph.digest[3];
        json_object_set_new(bins[first >> (32 - bits)], name, target_entry(name, i == n / 2));
    }
    json_t *snapmeta = json_object();
    unsigned digits = (bits + 3) / 4;
    for (size_t b = 0; b < nbins; b++) {
        char rname[160], fname[256], mname[256];
        snprintf(rname, sizeof(rname), "bins-%0*x", (int)(digits & 15), (unsigned)b);
        snprintf(fname, sizeof(fname), "metadata/1.%s.json", rname);
        snprintf(mname, sizeof(mname), "%s.json", rname);
        json_t *sgn = base("targets", 1);
        json_object_set_new(sgn, "targets", bins[b]);
        json_t *mf = sign_write(sgn, &binkey, fname);
        /* TAP 15 repositories usually list only the version of each bin. */
        json_object_set_new(snapmeta, mname, json_pack("{s:O}", "version", json_object_get(mf, "version")));
        json_decref(mf);
        json_decref(sgn);
    }
    free(bins);
    json_t *tg = base("targets", 1);
    json_object_set_new(tg, "targets", json_object());
    json_t *del = json_pack("{s:{s:O},s:{s:[s],s:i,s:i,s:s}}", "keys", binkey.keyid, binkey.pub, "succinct_roles",
                            "keyids", binkey.keyid, "threshold", 1, "bit_length", (int)bits, "name_prefix", "bins");
    json_object_set_new(tg, "delegations", del);
    json_object_set_new(snapmeta, "targets.json", sign_write(tg, &ks[3], "metadata/1.targets.json"));
    json_decref(tg);
    finish(ks, snapmeta);
}

static void gen_big(long mib)
{
    key ks[4] = {newkey(), newkey(), newkey(), newkey()};
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s/targets/big.tmp", g_out);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        DIE("open %s", tmp);
    rhash h;
    if (rhash_init(&h, RHASH_SHA256) != 0)
        DIE("hash");
    static uint8_t block[1 << 20];
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (long i = 0; i < mib; i++) {
        for (size_t j = 0; j < sizeof(block); j += 8) { /* xorshift: incompressible, reproducible */
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            memcpy(block + j, &x, 8);
        }
        if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block) || rhash_update(&h, block, sizeof(block)) != 0)
            DIE("write");
    }
    close(fd);
    uint8_t d[RHASH_MAX_LEN];
    char hex[65], fin[4096];
    if (rhash_final(&h, d) != 0)
        DIE("hash");
    rhash_free(&h);
    rhex_encode(hex, d, 32);
    snprintf(fin, sizeof(fin), "%s/targets/%s.big.bin", g_out, hex);
    if (rename(tmp, fin) != 0)
        DIE("rename");
    json_t *tg = base("targets", 1);
    json_object_set_new(
        tg, "targets",
        json_pack("{s:{s:I,s:{s:s}}}", "big.bin", "length", (json_int_t)mib * 1048576, "hashes", "sha256", hex));
    json_t *snapmeta = json_object();
    json_object_set_new(snapmeta, "targets.json", sign_write(tg, &ks[3], "metadata/1.targets.json"));
    json_decref(tg);
    finish(ks, snapmeta);
}

int main(int argc, char **argv)
{
    if (argc < 4)
        DIE("usage: bench_genrepo flat|bins|big OUT N [BITS] [--pretty]");
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--pretty") == 0)
            g_pretty = true;
    g_out = argv[2];
    mkdirs();
    char *end;
    long n = strtol(argv[3], &end, 10);
    if (*end != '\0' || n < 1)
        DIE("bad count %s", argv[3]);
    if (strcmp(argv[1], "flat") == 0)
        gen_flat(n);
    else if (strcmp(argv[1], "bins") == 0 && argc >= 5)
        gen_bins(n, (unsigned)strtoul(argv[4], NULL, 10));
    else if (strcmp(argv[1], "big") == 0)
        gen_big(n);
    else
        DIE("unknown mode %s", argv[1]);
    return 0;
}
