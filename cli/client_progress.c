/* client_progress.c - progress bar, log lines and Ctrl-C for `rampart client` (see client_progress.h). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "client_progress.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    /* A second Ctrl-C while the first is being honoured ends at once. */
    if (interrupted)
        _exit(CLI_INTERRUPTED);
    interrupted = 1;
}

int cli_progress_interrupted(void)
{
    return interrupted != 0;
}

void cli_progress_init(struct cli_progress *p, int quiet)
{
    memset(p, 0, sizeof(*p));
    p->bar = !quiet && isatty(STDERR_FILENO);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    (void)sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a wait (backoff, lock) is cut short */
    (void)sigaction(SIGINT, &sa, NULL);
    (void)sigaction(SIGTERM, &sa, NULL);
}

static double now_s(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void human(char *out, size_t n, uint64_t b)
{
    if (b >= (1u << 20))
        (void)snprintf(out, n, "%.1f MiB", (double)b / (double)(1u << 20));
    else if (b >= 1024)
        (void)snprintf(out, n, "%.1f KiB", (double)b / 1024.0);
    else
        (void)snprintf(out, n, "%llu B", (unsigned long long)b);
}

static void draw(struct cli_progress *p, const char *name, uint64_t done, uint64_t total)
{
    char d[32], tt[32];
    human(d, sizeof(d), done);
    human(tt, sizeof(tt), total);
    unsigned pct = total ? (unsigned)(done * 100 / total) : 0;
    char bar[31];
    unsigned fill = pct * 30 / 100;
    for (unsigned i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = '\0';
    fputs("\r\033[K", stderr);
    cli_print_safe(stderr, name);
    fprintf(stderr, " [%s] %3u%% %s / %s", bar, pct, d, tt);
    fflush(stderr);
    p->drawn = 1;
}

int cli_progress_cb(void *ctx, int kind, const char *name, uint64_t done, uint64_t total)
{
    struct cli_progress *p = ctx;
    if (interrupted)
        return 1;
    if (!p->bar || kind != RAMPART_PROGRESS_TARGET || total == 0)
        return 0;
    double t = now_s();
    if (done == total || t - p->last >= 0.1 || !p->drawn) {
        draw(p, name, done, total);
        p->last = t;
    }
    if (done == total)
        cli_progress_end(p);
    return 0;
}

void cli_progress_end(struct cli_progress *p)
{
    if (p->drawn)
        fputc('\n', stderr);
    p->drawn = 0;
}

void cli_progress_log(void *ctx, int level, const char *msg)
{
    struct cli_progress *p = ctx;
    /* Warnings unless -q; decisions with -v; requests with -vv (cli_log). */
    int need = level == RAMPART_LOG_WARN ? 0 : level == RAMPART_LOG_DEBUG ? 2 : 1;
    if (cli_verbosity() < need)
        return;
    cli_progress_end(p);
    if (level == RAMPART_LOG_WARN) {
        cli_warnf("%s", msg);
        return;
    }
    cli_log(NULL, level, msg);
}
