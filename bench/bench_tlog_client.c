/*
 * bench_tlog_client.c - what the transparency log adds to a one-target
 * download: the CPU time of the client process (user + system, all its
 * threads) and the log's requests, cold (an empty metadata folder) and warm
 * (the same folder again: metadata current, full tiles cached), with a
 * witness policy and without one.  Driven by bench/tlog_client_bench.sh,
 * which builds a repository and a 1,000,000-entry log and serves them.
 *
 *   bench_tlog_client METADATA_URL TARGET_URL ROOT POLICY TARGET WORKDIR [RUNS]
 *
 * Prints, per scenario, the median CPU milliseconds over RUNS (default 9)
 * with and without the policy, their difference, and the tiles fetched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "client/client_internal.h"
#include "rampart/client.h"

static const char *murl, *turl, *target, *work;
static unsigned char *root, *policy;
static size_t root_len, policy_len;

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    unsigned char *b = malloc(1 << 20);
    *len = b ? fread(b, 1, 1 << 20, f) : 0;
    fclose(f);
    return b;
}

static double cpu_ms(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
           (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

/* One download into a new target folder; returns its CPU ms (-1 on failure). */
static double one(const char *mdir, bool with_policy, int run, uint64_t *tiles, uint64_t *bytes)
{
    char tdir[4096];
    snprintf(tdir, sizeof(tdir), "%s/dl-%s-%d", work, with_policy ? "log" : "plain", run);
    const char *mu[] = {murl}, *tu[] = {turl};
    rampart_client_options o = RAMPART_CLIENT_OPTIONS_INIT;
    o.metadata_dir = mdir;
    o.metadata_urls = mu;
    o.metadata_url_count = 1;
    o.target_urls = tu;
    o.target_url_count = 1;
    if (with_policy) {
        o.log_policy = policy;
        o.log_policy_len = policy_len;
    }
    double t0 = cpu_ms();
    rampart_client *c = NULL;
    rampart_target *t = NULL;
    rampart_error err;
    int rc = rampart_client_new(&c, &o, &err);
    if (rc == 0)
        rc = rampart_client_get_target_info(c, target, &t);
    if (rc == 0)
        rc = rampart_client_download_target(c, t, tdir, NULL);
    if (rc != 0)
        fprintf(stderr, "download failed: %s\n", c ? rampart_client_last_error(c)->message : err.message);
    if (c != NULL)
        rclient_tlog_stats(c, tiles, bytes);
    rampart_target_free(t);
    rampart_client_free(c);
    double t1 = cpu_ms();
    return rc == 0 ? t1 - t0 : -1;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), cmp);
    return v[n / 2];
}

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: bench_tlog_client METADATA_URL TARGET_URL ROOT POLICY TARGET WORKDIR [RUNS]\n");
        return 2;
    }
    murl = argv[1];
    turl = argv[2];
    target = argv[5];
    work = argv[6];
    int runs = argc > 7 ? atoi(argv[7]) : 9;
    if (runs < 1 || runs > 100 || (root = slurp(argv[3], &root_len)) == NULL ||
        (policy = slurp(argv[4], &policy_len)) == NULL)
        return 2;
    double cold[2][100], warm[2][100];
    uint64_t ctiles = 0, cbytes = 0, wtiles = 0, wbytes = 0, t, b;
    for (int r = 0; r < runs; r++) {
        for (int p = 0; p < 2; p++) {
            char mdir[4096];
            snprintf(mdir, sizeof(mdir), "%s/md-%s-%d", work, p ? "log" : "plain", r);
            rampart_error err;
            if (rampart_client_bootstrap(mdir, root, root_len, 0, &err) != 0) {
                fprintf(stderr, "bootstrap: %s\n", err.message);
                return 1;
            }
            cold[p][r] = one(mdir, p == 1, r * 2, &t, &b);
            if (p == 1) {
                ctiles = t;
                cbytes = b;
            }
            warm[p][r] = one(mdir, p == 1, r * 2 + 1, &t, &b);
            if (p == 1) {
                wtiles = t;
                wbytes = b;
            }
            if (cold[p][r] < 0 || warm[p][r] < 0)
                return 1;
        }
    }
    double cp = median(cold[0], runs), cl = median(cold[1], runs);
    double wp = median(warm[0], runs), wl = median(warm[1], runs);
    printf("one-target download, median CPU of %d runs (ms): without policy / with policy / added by the log\n", runs);
    printf("cold  %8.2f  %8.2f  %+8.2f   log requests: checkpoint + %llu tiles (%llu bytes)\n", cp, cl, cl - cp,
           (unsigned long long)ctiles, (unsigned long long)cbytes);
    printf("warm  %8.2f  %8.2f  %+8.2f   log requests: checkpoint + %llu tiles (%llu bytes)\n", wp, wl, wl - wp,
           (unsigned long long)wtiles, (unsigned long long)wbytes);
    free(root);
    free(policy);
    return 0;
}
