/*
 * mkrepo.c - writes a small signed TUF repository to a folder, for the
 * integration tests that serve it with a real web server:
 *
 *   mkrepo OUT            OUT/metadata/{1.root.json,timestamp.json,N.snapshot.json,N.targets.json}
 *                         OUT/targets/<sha256>.<name> for each target, OUT/root.json
 *   mkrepo OUT --expired-timestamp   the timestamp (only) has expired
 *   mkrepo OUT --big MIB             adds "big.bin", MIB MiB of pseudo-random bytes
 *
 * Targets: "app-1.0.0.tar.gz" (custom {"version": "1.0.0"}) and
 * "docs/readme.txt" with fixed contents.
 * Built with the test simulator (tests/support/sim.c), so the repository is
 * exactly what the unit tests use.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "crypto/hash.h"
#include "sim.h"
#include "util/codec.h"

static const struct {
    const char *name;
    const char *content;
} files[] = {
    {"app-1.0.0.tar.gz", "application 1.0.0 payload\n"},
    {"docs/readme.txt", "Rampart integration test repository\n"},
};

static void put(const char *out, const char *rel, const void *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", out, rel);
    /* create parent folders */
    for (char *p = path + strlen(out) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            perror(path);
            exit(1);
        }
        *p = '/';
    }
    sim_write_file(out, rel, data, len);
}

static void put_versions(sim *s, const char *out, const char *role)
{
    for (int64_t v = 1; v <= sim_version(s, role); v++) {
        size_t len;
        const uint8_t *b = sim_version_bytes(s, role, v, &len);
        if (b == NULL)
            continue;
        char rel[256];
        snprintf(rel, sizeof(rel), "metadata/%lld.%s.json", (long long)v, role);
        put(out, rel, b, len);
    }
}

/* A large target streamed to disk (never held in memory): the sim keeps
 * metadata only, so its entry is written into targets by hand. */
static void add_big(sim *s, const char *out, long mib)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s/big.tmp", out);
    FILE *f = fopen(tmp, "wb");
    rhash h;
    if (f == NULL || rhash_init(&h, RHASH_SHA256) != 0)
        exit(1);
    static uint64_t block[1 << 17]; /* 1 MiB */
    uint64_t x = 0x2545f4914f6cdd1dULL;
    for (long i = 0; i < mib; i++) {
        for (size_t j = 0; j < sizeof(block) / sizeof(block[0]); j++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            block[j] = x;
        }
        if (fwrite(block, 1, sizeof(block), f) != sizeof(block) || rhash_update(&h, block, sizeof(block)) != 0)
            exit(1);
    }
    uint8_t d[RHASH_MAX_LEN];
    char hex[65], rel[256], fin[4096];
    if (fclose(f) != 0 || rhash_final(&h, d) != 0)
        exit(1);
    rhash_free(&h);
    rhex_encode(hex, d, 32);
    snprintf(rel, sizeof(rel), "targets/%s.big.bin", hex);
    put(out, rel, "", 0); /* creates targets/ */
    snprintf(fin, sizeof(fin), "%s/%s", out, rel);
    if (rename(tmp, fin) != 0)
        exit(1);
    json_object_set_new(json_object_get(sim_signed(s, "targets"), "targets"), "big.bin",
                        json_pack("{s:I,s:{s:s}}", "length", (json_int_t)mib << 20, "hashes", "sha256", hex));
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: mkrepo OUT [--expired-timestamp | --big MIB]\n");
        return 2;
    }
    const char *out = argv[1];
    bool expired = argc > 2 && strcmp(argv[2], "--expired-timestamp") == 0;
    long big_mib = argc > 3 && strcmp(argv[2], "--big") == 0 ? strtol(argv[3], NULL, 10) : 0;
    if (mkdir(out, 0755) != 0 && errno != EEXIST) {
        perror(out);
        return 1;
    }
    sim *s = sim_new();
    sim_set_meta_hashes(s, true);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        sim_add_target(s, "targets", files[i].name, files[i].content, strlen(files[i].content));
        uint8_t d[RHASH_MAX_LEN];
        char hex[65], rel[512];
        if (rhash_digest(RHASH_SHA256, files[i].content, strlen(files[i].content), d) != 0)
            return 1;
        rhex_encode(hex, d, 32);
        const char *slash = strrchr(files[i].name, '/');
        snprintf(rel, sizeof(rel), "targets/%.*s%s.%s", slash ? (int)(slash - files[i].name + 1) : 0, files[i].name,
                 hex, slash ? slash + 1 : files[i].name);
        put(out, rel, files[i].content, strlen(files[i].content));
    }
    /* A custom "version", as release tooling records it (client list shows it). */
    json_object_set_new(json_object_get(json_object_get(sim_signed(s, "targets"), "targets"), "app-1.0.0.tar.gz"),
                        "custom", json_pack("{s:s}", "version", "1.0.0"));
    if (big_mib > 0)
        add_big(s, out, big_mib);
    /* The sim's clock is SIM_NOW (2030); give the real-time tests metadata
     * that is valid now and until far in the future. */
    const char *roles[] = {"root", "timestamp", "snapshot", "targets"};
    for (int i = 0; i < 4; i++)
        sim_set_expires(s, roles[i], 4102444800LL); /* 2100-01-01 */
    if (expired)
        sim_set_expires(s, "timestamp", 946684800LL); /* 2000-01-01 */
    sim_publish(s, "root");
    sim_update(s, "targets");
    for (int i = 0; i < 4; i++)
        if (strcmp(roles[i], "timestamp") != 0)
            put_versions(s, out, roles[i]);
    size_t len;
    const uint8_t *ts = sim_version_bytes(s, "timestamp", sim_version(s, "timestamp"), &len);
    put(out, "metadata/timestamp.json", ts, len);
    /* The root clients start from: version 1 (they walk to version 2). */
    const uint8_t *r1 = sim_version_bytes(s, "root", 1, &len);
    put(out, "root.json", r1, len);
    sim_free(s);
    return 0;
}
