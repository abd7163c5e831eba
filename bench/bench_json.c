/*
 * bench_json.c - parse + canonicalise a large targets.json with jansson
 * (util/json) and with jdoc, and print time and peak memory for each.
 *
 *   bench_json [targets] [runs]     (defaults: 100000 targets, 5 runs)
 *
 * The document is generated in memory the way python-tuf writes metadata
 * (indent 1, sorted keys): one sha256 per target, a sha512 on every twentieth.
 * Each measurement runs in a forked child so that peak RSS (ru_maxrss from
 * wait4) belongs to that parser alone; the "baseline" child only holds the
 * input, so its figure is what the process costs before any parsing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/jdoc.h"
#include "util/json.h"
#include "util/banned.h"

#define MAXDOC (512u * 1024u * 1024u)

static int gen_targets(rbuf *b, unsigned n)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t x = 0x2545F4914F6CDD1Du;
    char h[129];
    int rc = rbuf_append_str(b, "{\n \"signatures\": [\n  {\n   \"keyid\": \"");
    for (int i = 0; i < 64; i++)
        h[i] = hex[i % 16];
    h[64] = '\0';
    rc = rc ? rc : rbuf_appendf(b, "%s\",\n   \"sig\": \"%s%s\"\n  }\n ],\n", h, h, h);
    rc = rc ? rc
            : rbuf_append_str(b, " \"signed\": {\n  \"_type\": \"targets\",\n  \"expires\": \"2030-01-01T00:00:00Z\",\n"
                                 "  \"spec_version\": \"1.0.31\",\n  \"targets\": {\n");
    for (unsigned t = 0; t < n && rc == 0; t++) {
        for (int i = 0; i < 128; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            h[i] = hex[x & 15];
        }
        rc = rbuf_appendf(b, "   \"packages/app-%06u.tar.gz\": {\n    \"hashes\": {\n     \"sha256\": \"%.64s\"", t, h);
        if (rc == 0 && t % 20 == 0)
            rc = rbuf_appendf(b, ",\n     \"sha512\": \"%.128s\"", h);
        if (rc == 0)
            rc = rbuf_appendf(b, "\n    },\n    \"length\": %llu\n   }%s\n", (unsigned long long)(x % 100000000u),
                              t + 1 < n ? "," : "");
    }
    return rc ? rc : rbuf_append_str(b, "  },\n  \"version\": 1\n }\n}\n");
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parse + canonical of "signed"; returns the canonical length or -1. */
static long run_jansson(const rbuf *doc)
{
    json_t *v = NULL;
    rbuf out;
    rbuf_init(&out, MAXDOC);
    long n = -1;
    if (rjson_parse(doc->data, doc->len, MAXDOC, &v, NULL) == 0 &&
        rjson_canonical(json_object_get(v, "signed"), &out, NULL) == 0)
        n = (long)out.len;
    json_decref(v);
    rbuf_free(&out);
    return n;
}

static long run_jdoc(const rbuf *doc)
{
    jdoc *d = NULL;
    rbuf out;
    rbuf_init(&out, MAXDOC);
    long n = -1;
    if (jdoc_parse(&d, doc->data, doc->len, false, NULL, NULL) == 0 &&
        jdoc_canonical(d, jdoc_get(d, jdoc_root(d), "signed"), &out) == 0)
        n = (long)out.len;
    jdoc_free(d);
    rbuf_free(&out);
    return n;
}

/* Runs `fn` in a child `runs` times; prints the best time and the child's peak RSS. */
static int measure(const char *name, long (*fn)(const rbuf *), const rbuf *doc, int runs)
{
    int pipefd[2];
    if (pipe(pipefd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        double best = 1e9;
        long n = 0;
        for (int i = 0; i < runs && fn != NULL; i++) {
            double t0 = now();
            n = fn(doc);
            double t = now() - t0;
            if (t < best)
                best = t;
        }
        double msg[2] = {fn != NULL ? best : 0, (double)n};
        ssize_t w = write(pipefd[1], msg, sizeof(msg));
        _exit(w == (ssize_t)sizeof(msg) ? 0 : 1);
    }
    close(pipefd[1]);
    double msg[2] = {0, 0};
    ssize_t r = read(pipefd[0], msg, sizeof(msg));
    close(pipefd[0]);
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid || r != (ssize_t)sizeof(msg) || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0)
        return -1;
    printf("%-9s %8.3f s  peak RSS %7.1f MB  canonical %ld bytes\n", name, msg[0], (double)ru.ru_maxrss / 1024.0,
           (long)msg[1]);
    return msg[1] < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 100000;
    int runs = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 5;
    rbuf doc;
    rbuf_init(&doc, MAXDOC);
    if (n == 0 || runs <= 0 || gen_targets(&doc, n) != 0) {
        fprintf(stderr, "usage: bench_json [targets] [runs]\n");
        return 2;
    }
    printf("targets.json: %u targets, %.1f MB; best of %d runs\n", n, (double)doc.len / 1048576.0, runs);
    int rc = measure("baseline", NULL, &doc, runs);
    rc |= measure("jansson", run_jansson, &doc, runs);
    rc |= measure("jdoc", run_jdoc, &doc, runs);
    rbuf_free(&doc);
    return rc != 0 ? 1 : 0;
}
