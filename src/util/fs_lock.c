/* fs_lock.c - the folder lock: one flock(2)ed file per folder (see fs.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "util/fs_internal.h"
#include "util/banned.h"

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Tries flock on fd until it succeeds or timeout_ms have passed (counted
 * in the sleeps between tries; a try itself takes microseconds). */
static int wait_for_lock(int fd, const char *name, unsigned timeout_ms, rerr *e)
{
    for (unsigned waited = 0;;) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return 0;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return rfs_fail_as(e, RAMPART_EIO, errno, "cannot lock", name);
        if (waited >= timeout_ms)
            return rerr_set(e, RAMPART_ELOCKED, NULL, "'%s' is locked by another process", name);
        unsigned step = timeout_ms - waited < RFS_LOCK_POLL_MS ? timeout_ms - waited : RFS_LOCK_POLL_MS;
        sleep_ms((long)step);
        waited += step;
    }
}

int rfs_lock(int dirfd, const char *name, unsigned timeout_ms, int *lockfd, rerr *e)
{
    if (name == NULL || lockfd == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "missing argument");
    if (rfs_confine_check(name, strlen(name), 1) != 0)
        return rerr_set(e, RAMPART_EPATH, NULL, "unsafe lock file name '%s'", name);
    int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return rfs_fail(e, errno, "cannot open the lock file", name);
    int rc = wait_for_lock(fd, name, timeout_ms, e);
    if (rc != 0) {
        rfs_close_quietly(fd); /* holds nothing */
        return rc;
    }
    *lockfd = fd;
    return 0;
}
