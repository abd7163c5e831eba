/* hook.c - running a hook command (no shell) with a timeout; see install_internal.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "install/install_internal.h"
#include "util/fs.h"
#include "util/banned.h"

#define POLL_NS 5000000L /* 5 ms between looks at a running hook */
#define MAX_ENV 4096

extern char **environ;

static long long now_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* True when "NAME=..." entry `var` sets a name that one of `env` sets too. */
static bool overridden(const char *var, const char *const *env)
{
    size_t n = strcspn(var, "=");
    for (size_t i = 0; env[i] != NULL; i++)
        if (strncmp(env[i], var, n) == 0 && env[i][n] == '=')
            return true;
    return false;
}

/* The caller's environment without the names `env` sets, then `env`. */
static int build_env(const char *const *env, char ***out, rerr *e)
{
    size_t n = 0, extra = 0;
    while (environ != NULL && environ[n] != NULL && n < MAX_ENV)
        n++;
    while (env[extra] != NULL)
        extra++;
    char **v = rampart_calloc(n + extra + 1, sizeof(*v));
    if (v == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!overridden(environ[i], env))
            v[k++] = environ[i];
    for (size_t i = 0; i < extra; i++)
        v[k++] = (char *)env[i]; /* posix_spawn takes char *const[]; never written */
    *out = v;
    return 0;
}

static int spawn(const char *const *argv, char **envp, const char *cwd, pid_t *pid, rerr *e)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    if (posix_spawnattr_init(&at) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    int rc = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_addchdir_np(&fa, cwd);
    if (rc == 0)
        rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (rc == 0)
        rc = posix_spawnattr_setpgroup(&at, 0);
    if (rc == 0)
        rc = posix_spawnattr_setsigmask(&at, &none);
    if (rc == 0)
        rc = posix_spawnattr_setsigdefault(&at, &all);
    if (rc == 0)
        rc = posix_spawn(pid, argv[0], &fa, &at, (char *const *)argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc != 0)
        return rfs_fail_as(e, RAMPART_EIO, rc, "cannot start", argv[0]);
    return 0;
}

/* Waits for `pid` up to timeout_ms; 1 when it timed out (and was killed). */
static int wait_for(pid_t pid, unsigned timeout_ms, int *status)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
        if (now_ms() >= deadline) {
            (void)kill(-pid, SIGKILL); /* the whole group; an error means it is gone already */
            (void)kill(pid, SIGKILL);
            while (waitpid(pid, status, 0) < 0 && errno == EINTR) {
            }
            return 1;
        }
        struct timespec ts = {0, POLL_NS};
        (void)nanosleep(&ts, NULL); /* an interruption only shortens the wait */
    }
}

int rinst_hook_run(const char *const *argv, const char *const *env, const char *cwd, unsigned timeout_ms, int fail_code,
                   const char *what, rerr *e)
{
    if (argv == NULL || argv[0] == NULL || env == NULL || cwd == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "no hook command given");
    char **envp = NULL;
    int rc = build_env(env, &envp, e);
    if (rc != 0)
        return rc;
    pid_t pid;
    rc = spawn(argv, envp, cwd, &pid, e);
    rampart_free(envp);
    if (rc != 0)
        return rerr_set(e, fail_code, NULL, "%s: %s", what, e != NULL ? e->message : "cannot start");
    int status = 0;
    int w = wait_for(pid, timeout_ms, &status);
    if (w == 1)
        return rerr_set(e, fail_code, NULL, "%s '%s' timed out after %u ms", what, argv[0], timeout_ms);
    if (w != 0)
        return rerr_set(e, fail_code, NULL, "%s '%s': cannot wait for it", what, argv[0]);
    if (WIFSIGNALED(status))
        return rerr_set(e, fail_code, NULL, "%s '%s' was killed by signal %d", what, argv[0], WTERMSIG(status));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return rerr_set(e, fail_code, NULL, "%s '%s' exited with status %d", what, argv[0], WEXITSTATUS(status));
    /* Left-over processes of the hook's group are not waited for. */
    return 0;
}
