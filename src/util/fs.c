/* fs.c - confined names, no-follow folder walks, bounded reads, atomic writes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/codec.h"
#include "util/fs.h"
#include "util/banned.h"

#define TMP_PREFIX_LEN (sizeof(RFS_TMP_PREFIX) - 1)
#define TMP_RANDOM_BYTES 16
#define TMP_OPEN_ATTEMPTS 8
#define WRITE_CHUNK ((size_t)1 << 30) /* below SSIZE_MAX everywhere */
#define READ_CHUNK ((size_t)64 << 10)

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
static int counted_fsync(int fd)
{
    __atomic_add_fetch(&rfs_fsync_count, 1, __ATOMIC_SEQ_CST);
    return fsync(fd);
}
#define RFS_FSYNC(fd) counted_fsync(fd)
#else
#define RFS_FSYNC(fd) fsync(fd)
#endif

/* ---- error messages ------------------------------------------------------ */

/* The symbolic names of the errors a caller is likely to meet, so messages
 * say "ENOSPC" on every libc (strerrorname_np is glibc-only). */
// clang-format off
#define ERRNO_NAME(x) {x, #x}
// clang-format on
static const struct {
    int err;
    const char *name;
} errno_names[] = {
    ERRNO_NAME(ENOSPC),  ERRNO_NAME(EDQUOT), ERRNO_NAME(EIO),    ERRNO_NAME(EFBIG),        ERRNO_NAME(EROFS),
    ERRNO_NAME(EACCES),  ERRNO_NAME(EPERM),  ERRNO_NAME(EXDEV),  ERRNO_NAME(EBUSY),        ERRNO_NAME(EISDIR),
    ERRNO_NAME(ENOTDIR), ERRNO_NAME(ENOENT), ERRNO_NAME(EEXIST), ERRNO_NAME(ELOOP),        ERRNO_NAME(EBADF),
    ERRNO_NAME(EMFILE),  ERRNO_NAME(ENFILE), ERRNO_NAME(ENXIO),  ERRNO_NAME(ENAMETOOLONG), ERRNO_NAME(EINTR),
    ERRNO_NAME(EINVAL),  ERRNO_NAME(ENOSYS), ERRNO_NAME(ENOMEM),
};

static const char *errno_name(int err)
{
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(errno_names); i++)
        if (errno_names[i].err == err)
            return errno_names[i].name;
    return NULL;
}

/* Records `code` with "<what> '<name>': <strerror> (<ENAME>)", or without
 * the name part when name is NULL, and returns it. */
static int sys_fail(rerr *e, int code, int err, const char *what, const char *name)
{
    char text[128];
    /* GNU strerror_r (we build with _GNU_SOURCE) returns the text it chose. */
    const char *msg = strerror_r(err, text, sizeof(text));
    const char *sym = errno_name(err);
    char num[24];
    if (sym == NULL) {
        /* 24 bytes hold "errno " and any int: the output is never cut. */
        (void)snprintf(num, sizeof(num), "errno %d", err);
        sym = num;
    }
    if (name == NULL)
        return rerr_set(e, code, NULL, "%s: %s (%s)", what, msg ? msg : "?", sym);
    return rerr_set(e, code, NULL, "%s '%s': %s (%s)", what, name, msg ? msg : "?", sym);
}

/* The code for a failed open of a name we walk: a symlink under O_NOFOLLOW
 * gives ELOOP (or ENOTDIR with O_DIRECTORY), a file where a folder should
 * be gives ENOTDIR; all are unsafe paths, not I/O errors. */
static int open_fail(rerr *e, int err, const char *what, const char *name)
{
    switch (err) {
    case ENOENT:
        return rerr_set(e, RAMPART_ENOTFOUND, NULL, "%s '%s': not found", what, name);
    case ELOOP:
    case ENOTDIR:
    case ENAMETOOLONG:
    case ENXIO: /* a socket, or a device without a driver */
        return sys_fail(e, RAMPART_EPATH, err, what, name);
    default:
        return sys_fail(e, RAMPART_EIO, err, what, name);
    }
}

/* Closes an fd we only read from (a folder, a file already read in full).
 * Linux releases the fd even when close reports an error, and no data can
 * be lost, so there is nothing to act on. */
static void close_quietly(int fd)
{
    if (fd >= 0)
        (void)close(fd);
}

/* ---- confinement ----------------------------------------------------------- */

int rfs_confine_check(const char *name, size_t n, unsigned max_depth)
{
    if (name == NULL)
        return RAMPART_EINVAL;
    if (n == 0 || n >= PATH_MAX)
        return RAMPART_EPATH;
    unsigned depth = 0;
    size_t start = 0;
    /* One pass; a component ends at each '/' and at the end of the name. */
    for (size_t i = 0; i <= n; i++) {
        if (i < n) {
            unsigned char c = (unsigned char)name[i];
            if (c < 0x20 || c == 0x7f || c == '\\')
                return RAMPART_EPATH; /* NUL, controls, DEL, backslash */
            if (c != '/')
                continue;
        }
        size_t len = i - start;
        const char *comp = name + start;
        if (len == 0 || len > NAME_MAX)
            return RAMPART_EPATH; /* leading '/', "//", trailing '/' */
        if ((len == 1 && comp[0] == '.') || (len == 2 && comp[0] == '.' && comp[1] == '.'))
            return RAMPART_EPATH;
        if (++depth > max_depth)
            return RAMPART_EPATH;
        start = i + 1;
    }
    return 0;
}

/* ---- folder walks ------------------------------------------------------------- */

/* Opens folder `comp` (one component) below `at` without following a
 * symlink, creating it first with `mode` if it is missing and `create`. */
static int open_subdir(int at, const char *comp, bool create, mode_t mode, bool follow, int *out, rerr *e)
{
    const int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW);
    int fd = openat(at, comp, flags);
    if (fd < 0 && errno == ENOENT && create) {
        /* EEXIST: someone made it meanwhile; the O_NOFOLLOW open below still
         * refuses it if that someone made a symlink. */
        if (mkdirat(at, comp, mode) != 0 && errno != EEXIST)
            return sys_fail(e, RAMPART_EIO, errno, "cannot create folder", comp);
        fd = openat(at, comp, flags);
    }
    if (fd < 0)
        return open_fail(e, errno, "cannot open folder", comp);
    *out = fd;
    return 0;
}

/* Copies the component at p (ending at '/' or NUL) into buf; its length in *len. */
static int next_component(const char *p, char buf[NAME_MAX + 1], size_t *len, rerr *e)
{
    size_t n = strcspn(p, "/");
    if (n > NAME_MAX)
        return rerr_set(e, RAMPART_EPATH, NULL, "path component longer than %d bytes", NAME_MAX);
    memcpy(buf, p, n);
    buf[n] = '\0';
    *len = n;
    return 0;
}

int rfs_open_dir(const char *path, bool create, bool private_dir, int *fd, rerr *e)
{
    if (path == NULL || path[0] == '\0' || fd == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "no folder path given");
    if (strlen(path) >= PATH_MAX)
        return rerr_set(e, RAMPART_EPATH, NULL, "folder path too long");
    const mode_t mode = private_dir ? 0700 : 0755;
    int cur = open(path[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cur < 0)
        return sys_fail(e, RAMPART_EIO, errno, "cannot open folder", path[0] == '/' ? "/" : ".");
    int rc = 0;
    char comp[NAME_MAX + 1];
    for (const char *p = path; *p != '\0';) {
        size_t len = 0;
        rc = next_component(p, comp, &len, e);
        if (rc != 0)
            break;
        p += len;
        if (*p == '/')
            p++;
        if (len == 0 || strcmp(comp, ".") == 0)
            continue;
        int next = -1;
        rc = open_subdir(cur, comp, create, mode, true, &next, e);
        if (rc != 0)
            break;
        close_quietly(cur);
        cur = next;
    }
    if (rc != 0) {
        close_quietly(cur);
        return rc;
    }
    *fd = cur;
    return 0;
}

int rfs_open_parent(int dirfd, const char *name, bool create, int *parent_fd, const char **base, rerr *e)
{
    /* Literal codes, not rerr_set's result, so that analysers see that no
     * path returns 0 without setting the outputs. */
    if (name == NULL || parent_fd == NULL || base == NULL) {
        rerr_set(e, RAMPART_EINVAL, NULL, "missing argument");
        return RAMPART_EINVAL;
    }
    if (rfs_confine_check(name, strlen(name), RFS_MAX_DEPTH) != 0) {
        rerr_set(e, RAMPART_EPATH, NULL, "unsafe name '%s'", name);
        return RAMPART_EPATH;
    }
    int cur = -1; /* owned once the first folder is opened */
    int rc = 0;
    const char *p = name;
    char comp[NAME_MAX + 1];
    /* The confine check guarantees non-empty components, the last without '/'. */
    for (const char *slash; (slash = strchr(p, '/')) != NULL; p = slash + 1) {
        size_t len = 0;
        rc = next_component(p, comp, &len, e);
        if (rc != 0)
            break;
        int next = -1;
        rc = open_subdir(cur >= 0 ? cur : dirfd, comp, create, 0755, false, &next, e);
        if (rc != 0)
            break;
        close_quietly(cur);
        cur = next;
    }
    if (rc == 0 && cur < 0) {
        /* A one-component name: the parent is dirfd itself; hand out a
         * duplicate so the caller always owns what it gets. */
        cur = dirfd == AT_FDCWD ? open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
        if (cur < 0)
            rc = sys_fail(e, RAMPART_EIO, errno, "cannot open the folder of", name);
    }
    if (rc != 0) {
        close_quietly(cur);
        return rc;
    }
    *parent_fd = cur;
    *base = p;
    return 0;
}

/* ---- bounded reads ------------------------------------------------------------- */

/* Reads fd to its end, appending to out, never past out->max. */
static int read_bounded(int fd, rbuf *out, const char *name, rerr *e)
{
    uint8_t probe[4096];
    for (;;) {
        size_t left = out->max - out->len;                                   /* what the cap still allows */
        size_t room = out->cap > out->len + 1 ? out->cap - 1 - out->len : 0; /* reserved, not yet filled */
        uint8_t *dst = probe;
        size_t want;
        if (left == 0) {
            want = 1; /* at the cap: a single byte more is too many */
        } else if (room > 0) {
            dst = out->data + out->len; /* the announced size: one read fills it */
            want = left < room ? left : room;
        } else if (out->cap > 0) {
            /* The announced size is in: more is looked for through a small
             * buffer, so that finding the end does not double the buffer. */
            want = left < sizeof(probe) ? left : sizeof(probe);
        } else {
            want = left < READ_CHUNK ? left : READ_CHUNK; /* no size announced: grow a chunk at a time */
            int rc = rbuf_reserve(out, want);
            if (rc != 0)
                return rerr_set(e, rc, NULL, "cannot read '%s': out of memory", name);
            dst = out->data + out->len;
        }
        ssize_t r = read(fd, dst, want);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return sys_fail(e, RAMPART_EIO, errno, "cannot read", name);
        if (r == 0)
            return 0;
        if (left == 0)
            return rerr_set(e, RAMPART_ETOOLARGE, NULL, "'%s' is larger than %zu bytes", name, out->max);
        if (dst == probe) { /* the file grew past its announced size: keep reading */
            int rc = rbuf_append(out, probe, (size_t)r);
            if (rc != 0)
                return rerr_set(e, rc, NULL, "cannot read '%s': out of memory", name);
            continue;
        }
        out->len += (size_t)r;
        out->data[out->len] = '\0';
    }
}

int rfs_read_file(int dirfd, const char *name, rbuf *out, rerr *e)
{
    if (name == NULL || out == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "missing argument");
    const int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
    int fd;
    if (dirfd == AT_FDCWD) {
        fd = open(name, flags);
    } else {
        int pfd = -1;
        const char *base = NULL;
        int rc = rfs_open_parent(dirfd, name, false, &pfd, &base, e);
        if (rc != 0)
            return rc;
        fd = openat(pfd, base, flags);
        int err = errno;
        close_quietly(pfd);
        errno = err;
    }
    if (fd < 0)
        return open_fail(e, errno, "cannot open", name);

    int rc = 0;
    const size_t orig = out->len;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = sys_fail(e, RAMPART_EIO, errno, "cannot stat", name);
    } else if (!S_ISREG(st.st_mode)) {
        rc = rerr_set(e, RAMPART_EPATH, NULL, "'%s' is not a regular file", name);
    } else if (st.st_size < 0 || (uintmax_t)st.st_size > out->max - out->len) {
        rc = rerr_set(e, RAMPART_ETOOLARGE, NULL, "'%s' is larger than %zu bytes", name, out->max);
    } else {
        /* Room for the announced size at once; read_bounded still enforces the cap. */
        if (st.st_size > 0 && rbuf_reserve(out, (size_t)st.st_size) != 0)
            rc = rerr_set(e, RAMPART_ENOMEM, NULL, "cannot read '%s': out of memory", name);
        else if (out->len == 0)
            rampart_advise_huge(out->data, out->cap); /* a fresh buffer of many MiB: fewer page faults */
        if (rc == 0)
            rc = read_bounded(fd, out, name, e);
    }
    if (close(fd) != 0 && rc == 0)
        rc = sys_fail(e, RAMPART_EIO, errno, "cannot close", name);
    if (rc != 0 && out->data != NULL) {
        out->len = orig; /* leave out as it was */
        out->data[orig] = '\0';
    }
    return rc;
}

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
            return sys_fail(e, RAMPART_EIO, errno, "cannot write", label);
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
    if (rfs_confine_check(name, strlen(name), 1) != 0 || strncmp(name, RFS_TMP_PREFIX, TMP_PREFIX_LEN) == 0)
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
            return sys_fail(e, RAMPART_EIO, got < 0 ? errno : EIO, "getrandom for a temporary file name", NULL);
        memcpy(name, RFS_TMP_PREFIX, TMP_PREFIX_LEN);
        rhex_encode(name + TMP_PREFIX_LEN, rnd, sizeof(rnd));
        /* O_EXCL never opens an existing file and never follows a symlink. */
        int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0 && (errno == EEXIST || errno == EINTR))
            continue;
        if (fd < 0)
            return sys_fail(e, RAMPART_EIO, errno, "cannot create temporary file", name);
        t->fd = fd;
        memcpy(t->name, name, sizeof(name));
        /* The requested mode exactly, whatever the umask took away. */
        if (fchmod(fd, mode) != 0) {
            int rc = sys_fail(e, RAMPART_EIO, errno, "cannot set the mode of", name);
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
        rc = sys_fail(e, RAMPART_EIO, errno, "fsync of temporary file for", final_name);
        goto out;
    }
    fd = t->fd;
    t->fd = -1; /* closed even when close reports an error */
    if (close(fd) != 0) {
        rc = sys_fail(e, RAMPART_EIO, errno, "close of temporary file for", final_name);
        goto out;
    }
    RFS_CRASHPOINT("fsynced, before rename");
    if (renameat(t->dirfd, t->name, t->dirfd, final_name) != 0) {
        rc = sys_fail(e, RAMPART_EIO, errno, "cannot rename temporary file to", final_name);
        goto out;
    }
    t->name[0] = '\0'; /* the temporary name no longer exists */
    RFS_CRASHPOINT("renamed, before folder fsync");
    /* Make the rename itself durable. */
    if (!t->lazy && RFS_FSYNC(t->dirfd) != 0)
        rc = sys_fail(e, RAMPART_EIO, errno, "fsync of the folder after replacing", final_name);
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

int rfs_write_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode, rerr *e)
{
    int rc = check_final_name(name, e);
    if (rc != 0)
        return rc;
    if (data == NULL && len > 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "no data to write to '%s'", name);
    rfs_tmp t;
    rc = rfs_tmp_open(&t, dirfd, mode, e);
    if (rc == 0)
        rc = rfs_tmp_write(&t, data, len, e);
    if (rc == 0)
        rc = rfs_tmp_commit(&t, name, e);
    rfs_tmp_discard(&t);
    return rc;
}

/* ---- crash leftovers --------------------------------------------------------- */

int rfs_remove_stale_tmp(int dirfd, unsigned min_age_s, rerr *e)
{
    time_t now = time(NULL);
    int dup_fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    if (dup_fd < 0)
        return sys_fail(e, RAMPART_EIO, errno, "cannot list the folder for stale temporary files", NULL);
    DIR *d = fdopendir(dup_fd);
    if (d == NULL) {
        int rc = sys_fail(e, RAMPART_EIO, errno, "cannot list the folder for stale temporary files", NULL);
        close_quietly(dup_fd);
        return rc;
    }
    /* The duplicate shares its offset with dirfd, which an earlier listing
     * may have left at the end. */
    rewinddir(d);
    int rc = 0;
    for (;;) {
        errno = 0;
        struct dirent *ent = readdir(d);
        if (ent == NULL) {
            if (errno != 0 && rc == 0)
                rc = sys_fail(e, RAMPART_EIO, errno, "cannot list the folder for stale temporary files", NULL);
            break;
        }
        if (strncmp(ent->d_name, RFS_TMP_PREFIX, TMP_PREFIX_LEN) != 0)
            continue;
        struct stat st;
        if (fstatat(dirfd, ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno != ENOENT && rc == 0) /* ENOENT: gone meanwhile */
                rc = sys_fail(e, RAMPART_EIO, errno, "cannot inspect", ent->d_name);
            continue;
        }
        if (!S_ISREG(st.st_mode))
            continue;
        /* A file still being written by another process is recent. */
        if (min_age_s > 0 && now - st.st_mtime < (time_t)min_age_s)
            continue;
        if (unlinkat(dirfd, ent->d_name, 0) != 0 && errno != ENOENT && rc == 0)
            rc = sys_fail(e, RAMPART_EIO, errno, "cannot remove stale temporary file", ent->d_name);
    }
    if (closedir(d) != 0 && rc == 0)
        rc = sys_fail(e, RAMPART_EIO, errno, "cannot close the folder listing", NULL);
    return rc;
}
