/* fs_write.c - atomic writes, unsynced batch writes, exclusive creates, crash points (see fs.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/codec.h"
#include "util/fs_internal.h"
#include "util/banned.h"

#define TMP_RANDOM_BYTES 16
#define TMP_OPEN_ATTEMPTS 8
#define WRITE_CHUNK ((size_t)1 << 30) /* below SSIZE_MAX everywhere */

/* ---- crash points (test builds only) -------------------------------------- */

#ifdef RAMPART_CRASHPOINTS
/* See fs.h.  Points are counted only while RAMPART_CRASH_AT is set. */
void rfs_crashpoint(const char *id)
{
    static unsigned long passed;
    const char *at = getenv("RAMPART_CRASH_AT");
    if (at == NULL || *at == '\0')
        return;
    unsigned long n = __atomic_add_fetch(&passed, 1, __ATOMIC_SEQ_CST);
    if (strtoul(at, NULL, 10) != n)
        return;
    char msg[96];
    int len = snprintf(msg, sizeof(msg), "rampart: crash point %lu: %s\n", n, id);
    if (len > 0)
        (void)!write(STDERR_FILENO, msg, (size_t)len < sizeof(msg) ? (size_t)len : sizeof(msg) - 1);
    _exit(RFS_CRASH_EXIT);
}

/* fsync, counted in test builds (rfs_fsync_count, fs.h). */
unsigned long rfs_fsync_count;
int rfs_counted_fsync(int fd)
{
    __atomic_add_fetch(&rfs_fsync_count, 1, __ATOMIC_SEQ_CST);
    return fsync(fd);
}
#endif

/* ---- atomic writes ----------------------------------------------------------- */

/* rfs_write_all, naming `label` (a file name, or NULL) in messages. */
static int write_fully(int fd, const void *data, size_t len, const char *label, rerr *e)
{
    if (data == NULL && len > 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "no data to write");
    const uint8_t *p = data;
    size_t done = 0;
    while (done < len) {
        size_t chunk = len - done < WRITE_CHUNK ? len - done : WRITE_CHUNK;
        ssize_t w = write(fd, p + done, chunk);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return rfs_fail_as(e, RAMPART_EIO, errno, "cannot write", label);
        if (w == 0)
            return rerr_set(e, RAMPART_EIO, NULL, "write made no progress");
        done += (size_t)w;
    }
    return 0;
}

int rfs_write_all(int fd, const void *data, size_t len, rerr *e)
{
    return write_fully(fd, data, len, NULL, e);
}

/* A final name: one safe component, not one of our temporary names. */
static int check_final_name(const char *name, rerr *e)
{
    if (name == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "no file name given");
    if (rfs_confine_check(name, strlen(name), 1) != 0 || strncmp(name, RFS_TMP_PREFIX, RFS_TMP_PREFIX_LEN) == 0)
        return rerr_set(e, RAMPART_EPATH, NULL, "unsafe file name '%s'", name);
    return 0;
}

/* True when t holds an open temporary file.  Checking the name too makes a
 * zero-initialised rfs_tmp (fd 0, name "") hold nothing, not stdin. */
static bool tmp_is_open(const rfs_tmp *t)
{
    return t != NULL && t->fd >= 0 && t->name[0] != '\0';
}

static bool mode_ok(mode_t mode)
{
    return (mode & ~(mode_t)0777) == 0;
}

int rfs_tmp_open(rfs_tmp *t, int dirfd, mode_t mode, rerr *e)
{
    if (t == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "no temporary file handle");
    *t = (rfs_tmp){.dirfd = dirfd, .fd = -1, .name = ""};
    if (!mode_ok(mode) || dirfd == AT_FDCWD)
        return rerr_set(e, RAMPART_EINVAL, NULL, "bad mode %o or folder for a temporary file", (unsigned)mode);
    char name[sizeof(t->name)];
    for (int attempt = 0; attempt < TMP_OPEN_ATTEMPTS; attempt++) {
        uint8_t rnd[TMP_RANDOM_BYTES];
        ssize_t got = getrandom(rnd, sizeof(rnd), 0);
        if (got < 0 && errno == EINTR)
            continue; /* counts as an attempt, so this cannot spin */
        if (got != (ssize_t)sizeof(rnd))
            return rfs_fail_as(e, RAMPART_EIO, got < 0 ? errno : EIO, "getrandom for a temporary file name", NULL);
        memcpy(name, RFS_TMP_PREFIX, RFS_TMP_PREFIX_LEN);
        rhex_encode(name + RFS_TMP_PREFIX_LEN, rnd, sizeof(rnd));
        /* O_EXCL never opens an existing file and never follows a symlink. */
        int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0 && (errno == EEXIST || errno == EINTR))
            continue;
        if (fd < 0)
            return rfs_fail_as(e, RAMPART_EIO, errno, "cannot create temporary file", name);
        t->fd = fd;
        memcpy(t->name, name, sizeof(name));
        /* The requested mode exactly, whatever the umask took away. */
        if (fchmod(fd, mode) != 0) {
            int rc = rfs_fail_as(e, RAMPART_EIO, errno, "cannot set the mode of", name);
            rfs_tmp_discard(t);
            return rc;
        }
        RFS_CRASHPOINT("temporary file created");
        return 0;
    }
    return rerr_set(e, RAMPART_EIO, NULL, "no unused temporary file name after %d attempts", TMP_OPEN_ATTEMPTS);
}

int rfs_tmp_write(rfs_tmp *t, const void *data, size_t len, rerr *e)
{
    if (!tmp_is_open(t))
        return rerr_set(e, RAMPART_EINVAL, NULL, "no open temporary file");
    int rc = 0;
#ifdef RAMPART_CRASHPOINTS
    /* Test builds: the first write goes in two halves, with a crash point
     * between them (a torn temporary file). */
    if (t->written == 0 && len > 1) {
        rc = write_fully(t->fd, data, len / 2, t->name, e);
        if (rc == 0) {
            RFS_CRASHPOINT("partial write");
            rc = write_fully(t->fd, (const uint8_t *)data + len / 2, len - len / 2, t->name, e);
        }
    } else {
        rc = write_fully(t->fd, data, len, t->name, e);
    }
#else
    rc = write_fully(t->fd, data, len, t->name, e);
#endif
    if (rc != 0) {
        rfs_tmp_discard(t); /* a short file must never be committed */
        return rc;
    }
    t->written += len;
    if (!t->lazy && t->written - t->kicked >= RFS_WRITEBACK_STEP) {
        /* Start (not wait for) writeback of what has accumulated. */
        (void)sync_file_range(t->fd, (off64_t)t->kicked, (off64_t)(t->written - t->kicked), SYNC_FILE_RANGE_WRITE);
        t->kicked = t->written;
    }
    return 0;
}

int rfs_tmp_commit(rfs_tmp *t, const char *final_name, rerr *e)
{
    if (!tmp_is_open(t))
        return rerr_set(e, RAMPART_EINVAL, NULL, "no open temporary file");
    int fd, rc = check_final_name(final_name, e);
    if (rc != 0)
        goto out;
    RFS_CRASHPOINT("written, before fsync");
    /* A failed fsync is final: the kernel may have dropped the dirty pages
     * and a second fsync could report success for data that is gone. */
    if (!t->lazy && RFS_FSYNC(t->fd) != 0) {
        rc = rfs_fail_as(e, RAMPART_EIO, errno, "fsync of temporary file for", final_name);
        goto out;
    }
    fd = t->fd;
    t->fd = -1; /* closed even when close reports an error */
    if (close(fd) != 0) {
        rc = rfs_fail_as(e, RAMPART_EIO, errno, "close of temporary file for", final_name);
        goto out;
    }
    RFS_CRASHPOINT("fsynced, before rename");
    if (renameat(t->dirfd, t->name, t->dirfd, final_name) != 0) {
        rc = rfs_fail_as(e, RAMPART_EIO, errno, "cannot rename temporary file to", final_name);
        goto out;
    }
    t->name[0] = '\0'; /* the temporary name no longer exists */
    RFS_CRASHPOINT("renamed, before folder fsync");
    /* Make the rename itself durable. */
    if (!t->lazy && RFS_FSYNC(t->dirfd) != 0)
        rc = rfs_fail_as(e, RAMPART_EIO, errno, "fsync of the folder after replacing", final_name);
out:
    rfs_tmp_discard(t);
    return rc;
}

void rfs_tmp_discard(rfs_tmp *t)
{
    if (t == NULL)
        return;
    /* Cleanup: the file is being thrown away, so a close error changes
     * nothing, and a failed unlink is left to rfs_remove_stale_tmp(). */
    if (tmp_is_open(t))
        (void)close(t->fd);
    if (t->name[0] != '\0')
        (void)unlinkat(t->dirfd, t->name, 0);
    t->fd = -1;
    t->name[0] = '\0';
}

/* Checks the final name and the data (before anything is created), then
 * writes them into a fresh temporary file *t.  *t is always initialised. */
static int tmp_fill(rfs_tmp *t, int dirfd, const char *name, const void *data, size_t len, mode_t mode, rerr *e)
{
    *t = (rfs_tmp){.dirfd = dirfd, .fd = -1, .name = ""};
    int rc = check_final_name(name, e);
    if (rc != 0)
        return rc;
    if (data == NULL && len > 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "no data to write to '%s'", name);
    rc = rfs_tmp_open(t, dirfd, mode, e);
    if (rc == 0)
        rc = rfs_tmp_write(t, data, len, e);
    return rc;
}

int rfs_write_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode, rerr *e)
{
    rfs_tmp t;
    int rc = tmp_fill(&t, dirfd, name, data, len, mode, e);
    if (rc == 0)
        rc = rfs_tmp_commit(&t, name, e);
    rfs_tmp_discard(&t);
    return rc;
}

/* ---- unsynced batch writes ------------------------------------------------------ */

int rfs_write_nosync(int dirfd, const char *name, const void *data, size_t len, mode_t mode, rerr *e)
{
    rfs_tmp t;
    int rc = tmp_fill(&t, dirfd, name, data, len, mode, e);
    if (rc == 0) {
        int fd = t.fd;
        t.fd = -1; /* closed even when close reports an error */
        if (close(fd) != 0)
            rc = rfs_fail_as(e, RAMPART_EIO, errno, "close of temporary file for", name);
    }
    if (rc == 0)
        RFS_CRASHPOINT("written (no fsync), before rename");
    if (rc == 0 && renameat(dirfd, t.name, dirfd, name) != 0)
        rc = rfs_fail_as(e, RAMPART_EIO, errno, "cannot rename temporary file to", name);
    if (rc == 0) {
        t.name[0] = '\0'; /* the temporary name no longer exists */
        RFS_CRASHPOINT("renamed (no fsync)");
    }
    rfs_tmp_discard(&t);
    return rc;
}

int rfs_sync_fs(int dirfd, rerr *e)
{
    if (syncfs(dirfd) != 0)
        return rfs_fail_as(e, RAMPART_EIO, errno, "cannot flush the file system (syncfs)", NULL);
    return 0;
}

/* ---- exclusive creates ----------------------------------------------------------- */

static int exists_fail(rerr *e, const char *name)
{
    return rerr_set(e, RAMPART_EEXIST, NULL, "'%s' already exists (refusing to overwrite it)", name);
}

int rfs_create_excl(int dirfd, const char *name, const void *data, size_t len, mode_t mode, rerr *e)
{
    int rc = check_final_name(name, e);
    if (rc != 0)
        return rc;
    /* A first look, so that nothing is written in vain; link(2) below decides. */
    if (rfs_exists_at(dirfd, name))
        return exists_fail(e, name);
    rfs_tmp t;
    rc = tmp_fill(&t, dirfd, name, data, len, mode, e);
    if (rc == 0 && RFS_FSYNC(t.fd) != 0)
        rc = rfs_fail_as(e, RAMPART_EIO, errno, "fsync of the new file", name);
    if (rc == 0)
        RFS_CRASHPOINT("fsynced, before link");
    /* link(2) never replaces: a file that appeared meanwhile is kept. */
    if (rc == 0 && linkat(dirfd, t.name, dirfd, name, 0) != 0)
        rc = errno == EEXIST ? exists_fail(e, name) : rfs_fail_as(e, RAMPART_EIO, errno, "cannot create", name);
    rfs_tmp_discard(&t); /* the temporary name goes; a linked file stays */
    if (rc == 0)
        RFS_CRASHPOINT("linked, before folder fsync");
    if (rc == 0 && RFS_FSYNC(dirfd) != 0)
        rc = rfs_fail_as(e, RAMPART_EIO, errno, "fsync of the folder of", name);
    return rc;
}

/* ---- append-only files --------------------------------------------------------------- */

int rfs_append_open(int dirfd, const char *name, mode_t mode, int *fd, rerr *e)
{
    if (fd == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "no descriptor to return");
    int rc = check_final_name(name, e);
    if (rc != 0)
        return rc;
    bool existed = rfs_exists_at(dirfd, name);
    int f = openat(dirfd, name, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode);
    if (f < 0)
        return rfs_fail(e, errno, "cannot open for appending", name);
    struct stat st;
    if (fstat(f, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(f);
        return rerr_set(e, RAMPART_EPATH, NULL, "'%s' is not a regular file", name);
    }
    if (!existed && RFS_FSYNC(dirfd) != 0) {
        rc = rfs_fail_as(e, RAMPART_EIO, errno, "fsync of the folder of", name);
        close(f);
        return rc;
    }
    *fd = f;
    return 0;
}

int rfs_append_sync(int fd, const void *data, size_t len, const char *label, rerr *e)
{
    int rc = write_fully(fd, data, len, label, e);
    if (rc != 0)
        return rc;
    RFS_CRASHPOINT("appended, before fdatasync");
    if (fdatasync(fd) != 0)
        return rfs_fail_as(e, RAMPART_EIO, errno, "fdatasync of", label != NULL ? label : "an appended file");
    return 0;
}

/* ---- trusted paths ----------------------------------------------------------------- */

/* Opens the folder of trusted path `path` (which must exist) into *dirfd;
 * *base gets the last component, which must be a final name. */
static int open_path_parent(const char *path, int *dirfd, const char **base, rerr *e)
{
    if (path == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "no file name given");
    const char *slash = strrchr(path, '/');
    *base = slash != NULL ? slash + 1 : path;
    if (check_final_name(*base, NULL) != 0)
        return rerr_set(e, RAMPART_EPATH, NULL, "no file name at the end of '%s'", path);
    if (slash == NULL)
        return rfs_open_dir(".", false, false, dirfd, e);
    if (slash == path)
        return rfs_open_dir("/", false, false, dirfd, e);
    char *dir = rampart_strndup(path, (size_t)(slash - path));
    if (dir == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    int rc = rfs_open_dir(dir, false, false, dirfd, e);
    rampart_free(dir);
    return rc;
}

/* Runs op(dirfd, base, ...) in the folder of trusted path `path`. */
static int write_at_path(int (*op)(int dirfd, const char *name, const void *data, size_t len, mode_t mode, rerr *e),
                         const char *path, const void *data, size_t len, mode_t mode, rerr *e)
{
    int dirfd = -1;
    const char *base = NULL;
    int rc = open_path_parent(path, &dirfd, &base, e);
    if (rc != 0)
        return rc;
    rc = op(dirfd, base, data, len, mode, e);
    rfs_close_quietly(dirfd); /* what was written is durable already */
    return rc;
}

int rfs_write_atomic_path(const char *path, const void *data, size_t len, mode_t mode, rerr *e)
{
    return write_at_path(rfs_write_atomic, path, data, len, mode, e);
}

int rfs_create_excl_path(const char *path, const void *data, size_t len, mode_t mode, rerr *e)
{
    int rc = write_at_path(rfs_create_excl, path, data, len, mode, e);
    if (rc == RAMPART_EEXIST)
        rc = exists_fail(e, path); /* the whole path, not only its last name */
    return rc;
}
