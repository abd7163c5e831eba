/* test_tlog_vectors.c - the published inclusion and consistency proof
 * vectors of transparency-dev/merkle (tests/vectors/tlog-merkle/, see its
 * README.md), positive and negative, verified by src/tlog/merkle.c. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tlog/merkle.h"
#include "util/codec.h"
#include "util/jdoc.h"
#include "util/banned.h"

static size_t n_ok, n_refused, n_bad_hash;

/* The whole file, NUL-terminated; NULL when unreadable. */
static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    uint8_t *buf = malloc(1 << 16);
    size_t n = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
    fclose(f);
    if (buf != NULL)
        buf[n] = 0;
    *len = n;
    return buf;
}

/* A JSON number that may exceed int64 (the vectors use 2^64 - 1, which
 * our JSON parser refuses): read from the text itself. */
static uint64_t u64_of(const char *text, const char *key)
{
    char pat[32];
    (void)snprintf(pat, sizeof(pat), "\"%s\":", key); /* short keys: fits */
    const char *p = strstr(text, pat);
    return p ? strtoull(p + strlen(pat), NULL, 10) : UINT64_MAX - 7;
}

/* Blanks out 2^64 - 1 (the number stays readable by u64_of in `orig`). */
static void blank_big(char *t)
{
    static const char big[] = "18446744073709551615";
    for (char *p = strstr(t, big); p != NULL; p = strstr(p, big)) {
        memset(p, ' ', sizeof(big) - 2);
        p[sizeof(big) - 2] = '0';
    }
}

/* A base64 hash: false when it is not 32 bytes (Rampart's parsers refuse
 * such a hash before any proof is checked). */
static bool hash_of(const jdoc *d, jd_ref r, tlog_hash *out)
{
    rslice s = jdoc_str(d, r);
    rbuf b;
    rbuf_init(&b, 64);
    bool ok = rb64_decode(&b, (const char *)s.p, s.n, RB64_STD) == 0 && b.len == TLOG_HASH_LEN;
    if (ok)
        memcpy(out->b, b.data, TLOG_HASH_LEN);
    rbuf_free(&b);
    return ok;
}

/* Runs one vector; returns the verifier's code, or 1 when a hash is not
 * 32 bytes. */
static int run_vector(const jdoc *d, const char *text, bool inclusion)
{
    jd_ref root = jdoc_root(d);
    static tlog_hash proof[TLOG_PROOF_MAX + 8];
    size_t np = 0;
    jd_ref pr = jdoc_get(d, root, "proof");
    if (jdoc_type(d, pr) == JD_ARRAY)
        for (jd_ref it = jdoc_first(d, pr); it != JD_NONE; it = jdoc_next(d, it)) {
            if (np >= RAMPART_ARRAY_LEN(proof) || !hash_of(d, it, &proof[np]))
                return 1;
            np++;
        }
    tlog_hash a, b;
    if (inclusion) {
        if (!hash_of(d, jdoc_get(d, root, "leafHash"), &a) || !hash_of(d, jdoc_get(d, root, "root"), &b))
            return 1;
        return tlog_verify_inclusion(&a, u64_of(text, "leafIdx"), u64_of(text, "treeSize"), &b, proof, np, NULL);
    }
    if (!hash_of(d, jdoc_get(d, root, "root1"), &a) || !hash_of(d, jdoc_get(d, root, "root2"), &b))
        return 1;
    return tlog_verify_consistency(u64_of(text, "size1"), u64_of(text, "size2"), &a, &b, proof, np, NULL);
}

/* Vectors whose hashes are not 32 bytes but which transparency-dev
 * accepts: equal sizes with equal roots of any length.  Rampart's
 * checkpoints only carry SHA-256 roots, so it refuses them at parse. */
static bool known_deviation(const char *path)
{
    return strstr(path, "sizes-are-equal-one-and-proof-is-empty.json") != NULL;
}

static void check_file(const char *path, bool inclusion)
{
    size_t len = 0;
    uint8_t *data = read_all(path, &len);
    CHECK(data != NULL);
    char *copy = strdup((const char *)data);
    CHECK(copy != NULL);
    blank_big(copy);
    jdoc *d = NULL;
    int prc = jdoc_parse(&d, (const uint8_t *)copy, len, false, NULL, NULL);
    if (prc != 0) {
        free(data);
        free(copy);
        TH_FAIL("%s: not JSON", path);
        return;
    }
    bool want_err = jdoc_type(d, jdoc_get(d, jdoc_root(d), "wantErr")) == JD_TRUE;
    int rc = run_vector(d, (const char *)data, inclusion);
    jdoc_free(d);
    free(copy);
    free(data);
    if (rc == 1) {
        n_bad_hash++;
        if (!want_err && !known_deviation(path))
            TH_FAIL("%s: a hash is not 32 bytes in a passing vector", path);
        return;
    }
    if (want_err) {
        /* A refusal is the verdict code of the proof kind, or EINVAL for a
         * consistency proof from the empty tree (meaningless). */
        int want = inclusion ? RAMPART_ENOTLOGGED : RAMPART_ESPLITVIEW;
        if (rc != want && !(rc == RAMPART_EINVAL && !inclusion))
            TH_FAIL("%s: expected %s, got %s", path, rampart_error_name(want), rampart_error_name(rc));
        n_refused++;
    } else {
        if (rc != 0)
            TH_FAIL("%s: expected success, got %s", path, rampart_error_name(rc));
        n_ok++;
    }
}

static void walk(const char *dir, bool inclusion, size_t *count)
{
    DIR *dp = opendir(dir);
    if (dp == NULL) {
        TH_FAIL("cannot open %s", dir);
        return;
    }
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[1024];
        int w = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (w < 0 || (size_t)w >= sizeof(path))
            continue;
        size_t nl = strlen(de->d_name);
        if (nl > 5 && strcmp(de->d_name + nl - 5, ".json") == 0) {
            check_file(path, inclusion);
            (*count)++;
        } else {
            walk(path, inclusion, count);
        }
    }
    closedir(dp);
}

static void test_inclusion_vectors(void)
{
    size_t count = 0;
    n_ok = n_refused = n_bad_hash = 0;
    walk(RAMPART_TEST_DATA "/vectors/tlog-merkle/inclusion", true, &count);
    printf("inclusion: %zu vectors, %zu verified, %zu refused, %zu refused for a hash not of 32 bytes\n", count, n_ok,
           n_refused, n_bad_hash);
    CHECK_INT(count, 98);
    CHECK(n_ok >= 5);
    CHECK(n_refused >= 50);
}

static void test_consistency_vectors(void)
{
    size_t count = 0;
    n_ok = n_refused = n_bad_hash = 0;
    walk(RAMPART_TEST_DATA "/vectors/tlog-merkle/consistency", false, &count);
    printf("consistency: %zu vectors, %zu verified, %zu refused, %zu refused for a hash not of 32 bytes\n", count, n_ok,
           n_refused, n_bad_hash);
    CHECK_INT(count, 98);
    CHECK(n_ok >= 5);
    CHECK(n_refused >= 50);
}

int main(void)
{
    RUN(test_inclusion_vectors);
    RUN(test_consistency_vectors);
    return th_summary("test_tlog_vectors");
}
