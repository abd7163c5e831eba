/*
 * tlog_check.c - checks published transparency-log files with the public
 * rampart_tlog_* API, for the repository tests (tests/cli/test_repo_log.sh):
 *
 *   tlog_check checkpoint POLICY CHECKPOINT        prints "size N"
 *   tlog_check proof POLICY PROOF ENTRY            prints "index I size N"
 *
 * POLICY is a C2SP tlog-policy file; PROOF a C2SP tlog-proof; ENTRY the
 * entry's bytes.  Exit 0 when it verifies, 1 with the error's name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rampart/tlog.h"
#include "util/buf.h"
#include "util/codec.h"

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    unsigned char *b = malloc(1 << 20);
    *n = b != NULL ? fread(b, 1, 1 << 20, f) : 0;
    fclose(f);
    return b;
}

static int fail(const char *what, int rc)
{
    printf("%s: %s\n", what, rampart_error_name(rc));
    return 1;
}

/* TLOG_CHECK_MAX_AGE: the newest cosignature's maximum age in seconds
 * (0, the default: unchecked), as an endpoint's log_max_age. */
static int64_t max_age(void)
{
    const char *s = getenv("TLOG_CHECK_MAX_AGE");
    return s != NULL ? (int64_t)strtoll(s, NULL, 10) : 0;
}

static int verify_cp(const char *polpath, const unsigned char *note, size_t n, rampart_tlog_checkpoint *cp)
{
    size_t pn = 0;
    unsigned char *pol = slurp(polpath, &pn);
    rampart_tlog_policy *p = NULL;
    int rc = pol != NULL ? rampart_tlog_policy_parse(&p, pol, pn, NULL) : RAMPART_EIO;
    if (rc == 0)
        rc = rampart_tlog_verify_checkpoint(p, note, n, (int64_t)time(NULL), max_age(), cp, NULL);
    rampart_tlog_policy_free(p);
    free(pol);
    return rc;
}

/* c2sp.org/tlog-proof@v1, "index I", base64 hashes, "", checkpoint. */
static int proof_bytes(const char *pol, const unsigned char *b, size_t n, const unsigned char *e, size_t en)
{
    static const char head[] = "c2sp.org/tlog-proof@v1\nindex ";
    if (b == NULL || e == NULL || n < sizeof(head) || memcmp(b, head, sizeof(head) - 1) != 0)
        return fail("proof", RAMPART_EFORMAT);
    size_t at = sizeof(head) - 1;
    unsigned long long index = strtoull((const char *)b + at, NULL, 10);
    while (at < n && b[at] != '\n')
        at++;
    at++;
    uint8_t hashes[64][RAMPART_TLOG_HASH_LEN];
    size_t nh = 0;
    while (at < n && b[at] != '\n') {
        size_t end = at;
        while (end < n && b[end] != '\n')
            end++;
        rbuf d;
        rbuf_init(&d, 64);
        if (nh == 64 || rb64_decode(&d, (const char *)b + at, end - at, RB64_STD) != 0 || d.len != 32) {
            rbuf_free(&d);
            return fail("proof hash", RAMPART_EFORMAT);
        }
        memcpy(hashes[nh++], d.data, 32);
        rbuf_free(&d);
        at = end + 1;
    }
    at++;
    rampart_tlog_checkpoint cp;
    int rc = at <= n ? verify_cp(pol, b + at, n - at, &cp) : RAMPART_EFORMAT;
    if (rc != 0)
        return fail("checkpoint", rc);
    uint8_t leaf[RAMPART_TLOG_HASH_LEN];
    rc = rampart_tlog_leaf_hash(e, en, leaf);
    if (rc == 0)
        rc = rampart_tlog_verify_inclusion(&cp, leaf, index, (const uint8_t(*)[RAMPART_TLOG_HASH_LEN])hashes, nh, NULL);
    if (rc != 0)
        return fail("inclusion", rc);
    printf("index %llu size %llu\n", index, (unsigned long long)cp.size);
    return 0;
}

/* Every path frees what it read (ASan builds run this tool too). */
static int proof(const char *pol, const char *path, const char *entry)
{
    size_t n = 0, en = 0;
    unsigned char *b = slurp(path, &n), *e = slurp(entry, &en);
    int rc = proof_bytes(pol, b, n, e, en);
    free(b);
    free(e);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "checkpoint") == 0) {
        size_t n = 0;
        unsigned char *note = slurp(argv[3], &n);
        rampart_tlog_checkpoint cp;
        int rc = note != NULL ? verify_cp(argv[2], note, n, &cp) : RAMPART_EIO;
        free(note);
        if (rc != 0)
            return fail("checkpoint", rc);
        printf("size %llu cosignatures %zu\n", (unsigned long long)cp.size, cp.cosignatures);
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "proof") == 0)
        return proof(argv[2], argv[3], argv[4]);
    fprintf(stderr, "usage: tlog_check checkpoint POLICY CHECKPOINT | proof POLICY PROOF ENTRY\n");
    return 2;
}
