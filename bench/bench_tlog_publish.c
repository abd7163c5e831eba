/*
 * bench_tlog_publish.c - the repository's transparency log on disk: appends
 * N entries (real target entries, src/tlog/entry.c) to a repository's log
 * in one batch (the tree read back, leaves hashed, every tile and entry
 * bundle written to log/tile/, synced, the checkpoint signed and written),
 * then copies the log to public/log/ as a publish serves it.
 *
 *   bench_tlog_publish [entries] [folder]    (default: 1000000, a new
 *                                            folder under $TMPDIR)
 *
 * Goal (issue 13): appending 1,000,000 entries and writing their tiles in
 * under 30 s on the 2-core test machine.  Prints the time of each step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rampart/rampart.h"
#include "repo/repo_log.h"
#include "tlog/entry.h"
#include "util/banned.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int key(const char *dir, const char *name, rampart_public_key **pub, rampart_signer **s)
{
    char priv[4200], pubp[4200];
    if (strlen(dir) > 4000)
        return RAMPART_EINVAL;
    (void)snprintf(priv, sizeof(priv), "%.4000s/%s.key", dir, name);
    (void)snprintf(pubp, sizeof(pubp), "%.4000s/%s.pub", dir, name);
    rampart_keygen_options o = RAMPART_KEYGEN_OPTIONS_INIT;
    rampart_key_load_options lo = RAMPART_KEY_LOAD_OPTIONS_INIT;
    int rc = rampart_key_generate(&o, priv, pubp, pub, NULL);
    if (rc == 0 && s != NULL)
        rc = rampart_signer_load_file(s, priv, &lo, NULL);
    return rc;
}

int main(int argc, char **argv)
{
    unsigned long long n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000ULL;
    char dir[4096];
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    if (argc > 2)
        (void)snprintf(dir, sizeof(dir), "%s", argv[2]);
    else
        (void)snprintf(dir, sizeof(dir), "%s/bench_tlog_publish.XXXXXX", tmp);
    if (argc <= 2 && mkdtemp(dir) == NULL)
        return 1;
    char repodir[4200];
    (void)snprintf(repodir, sizeof(repodir), "%s/repo", dir);
    rampart_public_key *pk[5] = {NULL};
    rampart_signer *logsigner = NULL;
    static const char *const names[5] = {"root", "targets", "snapshot", "timestamp", "log"};
    for (int i = 0; i < 5; i++)
        if (key(dir, names[i], &pk[i], i == 4 ? &logsigner : NULL) != 0) {
            fprintf(stderr, "key generation failed\n");
            return 1;
        }
    rampart_repo_init_options o = RAMPART_REPO_INIT_OPTIONS_INIT;
    o.dir = repodir;
    const rampart_public_key *k[4] = {pk[0], pk[1], pk[2], pk[3]};
    o.root.keys = &k[0];
    o.targets.keys = &k[1];
    o.snapshot.keys = &k[2];
    o.timestamp.keys = &k[3];
    o.root.key_count = o.targets.key_count = o.snapshot.key_count = o.timestamp.key_count = 1;
    rampart_repo *r = NULL;
    rampart_error err;
    if (rampart_repo_init(&r, &o, NULL, NULL, &err) != 0 || rampart_repo_log_init(r, "bench.example/log", pk[4]) != 0 ||
        rampart_repo_add_signer(r, logsigner) != 0) {
        fprintf(stderr, "repository setup failed: %s\n", err.message);
        return 1;
    }
    double t0 = now_s();
    rlog_batch b;
    rlog_batch_init(&b);
    rbuf e;
    rbuf_init(&e, TLOG_ENTRY_MAX);
    for (unsigned long long i = 0; i < n; i++) {
        char path[64], hex[65];
        (void)snprintf(path, sizeof(path), "releases/app-%llu.tar.gz", i);
        (void)snprintf(hex, sizeof(hex), "%064llx", i * 2654435761ULL);
        tlog_entry_hash h = {"sha256", hex};
        tlog_entry en = {.path = path,
                         .path_len = strlen(path),
                         .role = "targets",
                         .length = 1000 + i,
                         .version = (int64_t)(i / 100 + 1),
                         .hashes = &h,
                         .nhashes = 1};
        rbuf_reset(&e);
        if (tlog_entry_encode(&en, &e, NULL) != 0 || rlog_batch_add(&b, e.data, e.len) != 0)
            return 1;
    }
    double t1 = now_s();
    int rc = rrepo_log_append(r, &b);
    double t2 = now_s();
    if (rc == 0)
        rc = rrepo_public_open(r, NULL);
    if (rc == 0)
        rc = rrepo_log_witness(r);
    if (rc == 0)
        rc = rrepo_log_serve(r, NULL, 0);
    double t3 = now_s();
    if (rc != 0) {
        fprintf(stderr, "failed: %s\n", rampart_repo_last_error(r)->message);
        return 1;
    }
    printf("entries:                 %llu (%zu bytes)\n", n, b.data.len);
    printf("encode entries:          %.2f s\n", t1 - t0);
    printf("append + write log/:     %.2f s (leaves hashed, tiles and bundles written, synced, checkpoint signed)\n",
           t2 - t1);
    printf("serve public/log/:       %.2f s (every tile copied, synced, checkpoint)\n", t3 - t2);
    printf("total:                   %.2f s\n", t3 - t0);
    printf("folder:                  %s\n", dir);
    rlog_batch_free(&b);
    rbuf_free(&e);
    rampart_repo_free(r);
    rampart_signer_free(logsigner);
    for (int i = 0; i < 5; i++)
        rampart_public_key_free(pk[i]);
    return 0;
}
