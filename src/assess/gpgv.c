/* gpgv.c - running gpgv over pipes (gpgv.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "assess/gpgv.h"
#include "assess/pgp.h"
#include "util/fs.h"
#include "util/banned.h"

#define STATUS_MAX 65536

static long long now_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        (void)close(*fd); /* a pipe end: nothing to lose */
    *fd = -1;
}

typedef struct child {
    pid_t pid;
    int in, out, sig; /* parent ends: gpgv's stdin, its status output, the signature pipe */
} child;

/* Runs gpgv with the keyring of in-memory file `kfd` as its fd 4. */
static int spawn(child *c, const char *gpgv, int kfd, bool detached, rerr *e)
{
    int pin[2] = {-1, -1}, pout[2] = {-1, -1}, psig[2] = {-1, -1};
    /* Sockets for what gpgv reads, so that a write after gpgv stopped
     * reading fails with EPIPE (MSG_NOSIGNAL) instead of raising SIGPIPE. */
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pin) != 0 || pipe2(pout, O_CLOEXEC) != 0 ||
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, psig) != 0) {
        int fds[6] = {pin[0], pin[1], pout[0], pout[1], psig[0], psig[1]};
        for (int i = 0; i < 6; i++)
            close_fd(&fds[i]);
        return rerr_set(e, RAMPART_EIO, NULL, "cannot make pipes for gpgv");
    }
    /* The child's 0, 1, 3 and 4 are made by dup2 in this order, so no
     * source may be one of the numbers set before it: a keyring that was
     * the process's fd 3 (any free low number, e.g. under valgrind) would
     * be replaced by the signature before being copied to 4, and gpgv
     * would read the signature as its keyring (NO_PUBKEY).  So the child
     * gets copies numbered 10 and up. */
    int src[4] = {pin[0], pout[1], psig[0], kfd}, hi[4] = {-1, -1, -1, -1};
    int rc = 0;
    for (int i = 0; i < 4 && rc == 0; i++) {
        hi[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 10);
        if (hi[i] < 0)
            rc = errno != 0 ? errno : EBADF;
    }
    posix_spawn_file_actions_t fa;
    if (rc == 0)
        rc = posix_spawn_file_actions_init(&fa);
    if (rc == 0) {
        int r2 = posix_spawn_file_actions_adddup2(&fa, hi[0], 0);
        if (r2 == 0)
            r2 = posix_spawn_file_actions_adddup2(&fa, hi[1], 1);
        if (r2 == 0)
            r2 = posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
        if (r2 == 0)
            r2 = posix_spawn_file_actions_adddup2(&fa, hi[2], 3);
        if (r2 == 0)
            r2 = posix_spawn_file_actions_adddup2(&fa, hi[3], 4);
        if (r2 == 0) {
            const char *argv[] = {gpgv,
                                  "--homedir",
                                  "/nonexistent",
                                  "--status-fd",
                                  "1",
                                  "--enable-special-filenames",
                                  "--keyring",
                                  "/dev/fd/4",
                                  "--",
                                  "-&3",
                                  detached ? "-" : NULL,
                                  NULL};
            const char *envp[] = {"LC_ALL=C", NULL};
            r2 = posix_spawn(&c->pid, gpgv, &fa, NULL, (char *const *)argv, (char *const *)envp);
        }
        posix_spawn_file_actions_destroy(&fa);
        rc = r2;
    }
    for (int i = 0; i < 4; i++)
        close_fd(&hi[i]);
    close_fd(&pin[0]);
    close_fd(&pout[1]);
    close_fd(&psig[0]);
    c->in = pin[1], c->out = pout[0], c->sig = psig[1];
    if (rc != 0) {
        close_fd(&c->in), close_fd(&c->out), close_fd(&c->sig);
        return rerr_set(e, RAMPART_EIO, NULL, "cannot run %s (%s)", gpgv, strerror(rc));
    }
    (void)fcntl(c->out, F_SETFL, O_NONBLOCK);
    return 0;
}

typedef struct feed {
    int *fd;
    const uint8_t *p;
    size_t n;
} feed;

/* Writes what the socket takes; closes it when done or when gpgv stopped reading. */
static void feed_some(feed *f)
{
    if (*f->fd < 0)
        return;
    while (f->n > 0) {
        ssize_t w = send(*f->fd, f->p, f->n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN)
            return;
        if (w <= 0)
            break;
        f->p += w;
        f->n -= (size_t)w;
    }
    close_fd(f->fd);
}

/* Feeds the signature and the data, reads the status, all before the deadline. */
static bool pump(child *c, feed *fs, rbuf *status, long long deadline)
{
    while (c->out >= 0) {
        feed_some(&fs[0]);
        if (fs[0].n == 0 || *fs[0].fd < 0)
            feed_some(&fs[1]);
        struct pollfd pf[3];
        nfds_t np = 0;
        pf[np++] = (struct pollfd){.fd = c->out, .events = POLLIN};
        if (c->sig >= 0)
            pf[np++] = (struct pollfd){.fd = c->sig, .events = POLLOUT};
        if (c->in >= 0 && c->sig < 0)
            pf[np++] = (struct pollfd){.fd = c->in, .events = POLLOUT};
        long long left = deadline - now_ms();
        if (left <= 0)
            return false;
        if (poll(pf, np, (int)(left > 1000 ? 1000 : left)) < 0 && errno != EINTR)
            return false;
        uint8_t buf[4096];
        ssize_t r = read(c->out, buf, sizeof(buf));
        if (r > 0) {
            if (status->len + (size_t)r <= STATUS_MAX && rbuf_append(status, buf, (size_t)r) != 0)
                return false;
        } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
            close_fd(&c->out); /* the end, or an error that will not pass */
        }
    }
    return true;
}

static bool wait_child(pid_t pid, long long deadline, int *st)
{
    for (;;) {
        pid_t r = waitpid(pid, st, WNOHANG);
        if (r == pid)
            return true;
        if ((r < 0 && errno != EINTR) || now_ms() >= deadline) {
            (void)kill(pid, SIGKILL); /* an error means it is gone already */
            while (waitpid(pid, st, 0) < 0 && errno == EINTR) {
            }
            return false;
        }
        struct timespec ts = {0, 5000000L};
        (void)nanosleep(&ts, NULL);
    }
}

/* "[GNUPG:] VALIDSIG FPR ..." and the first failure keyword. */
static void read_status(const rbuf *s, gpgv_result *r)
{
    static const char *const BAD[] = {"BADSIG", "ERRSIG", "NO_PUBKEY", "EXPKEYSIG", "REVKEYSIG", "EXPSIG", "NODATA"};
    const char *p = (const char *)s->data, *end = p + s->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl != NULL ? nl : end) - p);
        const char *pre = "[GNUPG:] ";
        if (n > 9 && memcmp(p, pre, 9) == 0) {
            const char *kw = p + 9;
            size_t kn = n - 9;
            if (kn > 9 && memcmp(kw, "VALIDSIG ", 9) == 0) {
                size_t fl = 0;
                while (fl < kn - 9 && fl < sizeof(r->fpr) - 1 && kw[9 + fl] != ' ')
                    fl++;
                memcpy(r->fpr, kw + 9, fl);
                r->fpr[fl] = '\0';
                r->valid = true;
            }
            for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
                size_t bl = strlen(BAD[i]);
                /* NO_PUBKEY says more than the ERRSIG before it. */
                bool better = r->status[0] == '\0' || (strcmp(r->status, "ERRSIG") == 0 && i > 1);
                if (better && kn >= bl && memcmp(kw, BAD[i], bl) == 0)
                    (void)snprintf(r->status, sizeof(r->status), "%s", BAD[i]);
            }
        }
        p += n + (nl != NULL);
    }
}

int rassess_keyring_read(const char *path, rbuf *out, rerr *e)
{
    RAMPART_AUTO(rbuf_free) rbuf raw;
    rbuf_init(&raw, PGP_MAX_INPUT);
    int rc = rfs_read_file(AT_FDCWD, path, &raw, e);
    if (rc != 0)
        return rc == RAMPART_ETOOLARGE ? rerr_set(e, rc, NULL, "%s: larger than %u bytes", path, PGP_MAX_INPUT) : rc;
    rbuf_reset(out);
    if (pgp_dearmor(raw.data, raw.len, "PGP PUBLIC KEY BLOCK", out, NULL) == 0)
        return 0;
    rbuf_reset(out);
    if (rbuf_append(out, raw.data, raw.len) != 0)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    return 0;
}

int rassess_gpgv(const char *gpgv, const rbuf *keyring, const uint8_t *sig, size_t siglen, const uint8_t *data,
                 size_t dlen, gpgv_result *r, rerr *e)
{
    *r = (gpgv_result){0};
    child c = {.pid = -1, .in = -1, .out = -1, .sig = -1};
    int kfd = -1;
    int rc = rfs_memfile("rampart-keyring", keyring->data, keyring->len, &kfd, e);
    if (rc != 0)
        return rc;
    rc = spawn(&c, gpgv, kfd, data != NULL, e);
    close_fd(&kfd);
    if (rc != 0)
        return rc;
    RAMPART_AUTO(rbuf_free) rbuf status;
    rbuf_init(&status, STATUS_MAX);
    long long deadline = now_ms() + GPGV_TIMEOUT_MS;
    feed fs[2] = {{.fd = &c.sig, .p = sig, .n = siglen}, {.fd = &c.in, .p = data, .n = data != NULL ? dlen : 0}};
    bool done = pump(&c, fs, &status, deadline);
    close_fd(&c.in), close_fd(&c.out), close_fd(&c.sig);
    int st = 0;
    bool exited = wait_child(c.pid, done ? deadline : 0, &st);
    read_status(&status, r);
    if (!done || !exited) {
        r->valid = false;
        (void)snprintf(r->status, sizeof(r->status), "gpgv timed out after %d ms", GPGV_TIMEOUT_MS);
    } else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        r->valid = false;
        if (r->status[0] == '\0')
            (void)snprintf(r->status, sizeof(r->status), "gpgv exit status %d",
                           WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    }
    return 0;
}
