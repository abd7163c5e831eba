/*
 * fs.h - the one owner of file-system access in librampart: the client's
 * metadata store, the repository tooling and key files all go through it.
 *
 * Writes are atomic: data goes to a fresh temporary file in the destination
 * folder, which is fsynced, renamed over the final name, and the folder is
 * fsynced, so a crash leaves either the old or the new file, never a torn
 * one.  Every open uses O_CLOEXEC, and O_NOFOLLOW where a name is ours.
 *
 * Names from untrusted sources go through rfs_confine_check() and are opened
 * with the *at() functions below, which walk one component at a time with
 * O_NOFOLLOW, so a relative name can only resolve inside its folder.
 *
 * The implementation is split by job: fs_errno.c (errno to code and
 * message), fs_path.c (confinement, folder walks), fs_read.c (bounded reads,
 * copies), fs_write.c (atomic writes, exclusive creates, crash points),
 * fs_dir.c (listings, removals), fs_lock.c (the folder lock).
 *
 * Errors: every function that touches the file system takes an optional
 * `rerr *e` (may be NULL) that receives a one-line message.  The codes:
 *   EPATH      a name is unsafe, or a component is a symlink, or something is
 *              not the kind of file expected (a folder, a FIFO, ...);
 *   ENOTFOUND  the file or a folder on the way does not exist;
 *   EEXIST     an exclusive create found the name taken;
 *   ELOCKED    a lock is held by someone else;
 *   ETOOLARGE  a file exceeds the caller's cap;
 *   EIO        any other system-call failure (ENOSPC, EDQUOT, EIO, EFBIG,
 *              EACCES, ...); the message names the errno, e.g.
 *              "fsync of temporary file for 'root.json': No space left on
 *              device (ENOSPC)";
 *   EINVAL     a NULL pointer or an out-of-range argument from the caller.
 * rfs_errno_code() is the one mapping from errno to these codes, rfs_fail()
 * the one message format.  Names in messages are sanitised by rerr_set().
 */
#ifndef RAMPART_UTIL_FS_H
#define RAMPART_UTIL_FS_H

#include <sys/types.h>

#include "util/buf.h"

/* Prefix of every temporary file this module creates (".rampart-tmp-"),
 * so interrupted writes can be recognised and cleaned up.  Final names may
 * not start with it. */
#define RFS_TMP_PREFIX ".rampart-tmp-"

/* The most components rfs_open_parent() and rfs_read_file() walk; callers
 * that want fewer check with rfs_confine_check() first. */
#define RFS_MAX_DEPTH 64

/* Crash points (test builds only: the CMake option RAMPART_CRASHPOINTS, on
 * in the debug and asan presets, off in release).  With RAMPART_CRASH_AT=n
 * in the environment the n-th crash point the process passes ends it with
 * _exit(RFS_CRASH_EXIT), as a kill -9 there would; each names the moment
 * ("fsynced, before rename").  The atomic writes (rfs_tmp_*) have five; the
 * unsynced batch writes (rfs_write_nosync) and the exclusive creates
 * (rfs_create_excl) add theirs.  Without the option RFS_CRASHPOINT(id)
 * compiles to nothing.  See tests/unit/test_crashpoints.c and
 * tests/unit/test_repo_faults.c. */
#define RFS_CRASH_EXIT 86
#ifdef RAMPART_CRASHPOINTS
void rfs_crashpoint(const char *id);
/* The fsyncs the atomic writes here have done, for tests that check which
 * writes are durable (test builds only). */
extern unsigned long rfs_fsync_count;
#define RFS_CRASHPOINT(id) rfs_crashpoint(id)
#else
#define RFS_CRASHPOINT(id) ((void)0)
#endif

/* ---- errors --------------------------------------------------------------- */

/* The code for errno `err` from a system call on a name the caller gave
 * (open, stat, mkdir, link, unlink, ...):
 *   ENOENT                              ENOTFOUND
 *   EEXIST                              EEXIST
 *   ELOOP, ENOTDIR, ENAMETOOLONG, ENXIO EPATH (a symlink where O_NOFOLLOW
 *                                       forbids one, a file where a folder
 *                                       should be, a socket, ...)
 *   anything else (ENOSPC, EDQUOT, EIO, EACCES, EPERM, EROFS, EISDIR, ...)
 *                                       EIO
 * Never 0. */
int rfs_errno_code(int err);

/* Records in `e` the code rfs_errno_code(err) and the message
 * "<what> '<name>': <strerror> (<ENAME>)", e.g. "cannot open 'x.json':
 * Permission denied (EACCES)", or "<what> '<name>': not found" for ENOENT;
 * without " '<name>'" when name is NULL.  Returns the code.  `e` may be NULL. */
int rfs_fail(rerr *e, int err, const char *what, const char *name);

/* rfs_fail() with the code given instead of mapped: for steps on files and
 * folders the caller already holds (write, fsync, rename of its own
 * temporary file, listing an open folder), where any errno, ENOENT for a
 * folder removed meanwhile included, is a local failure (RAMPART_EIO). */
int rfs_fail_as(rerr *e, int code, int err, const char *what, const char *name);

#ifdef __clang_analyzer__
/* For clang-tidy only (never compiled), like rerr_set in util/common.h: the
 * analyser cannot see into fs_errno.c, so it is told that these never
 * return 0 (docs/internals/static-analysis.md). */
#define rfs_fail(e, err, what, name) (rfs_fail((e), (err), (what), (name)), RAMPART_EIO)
#define rfs_fail_as(e, code, err, what, name) (rfs_fail_as((e), (code), (err), (what), (name)), (code))
#endif

/* Checks that name[0..n) is a safe relative path, so that walking it below
 * a folder cannot leave that folder: non-empty; not absolute; no NUL,
 * backslash, control byte (0x01-0x1f) or DEL (0x7f); no empty components
 * (so no "//" and no trailing '/'); no "." or ".." components; no component
 * longer than NAME_MAX (255) bytes, no name of PATH_MAX (4096) bytes or
 * more; and at most `max_depth` components.  Bytes >= 0x80 are allowed
 * (UTF-8 names).  Only the n bytes given are looked at.  Returns 0, EPATH,
 * or EINVAL when name is NULL.  Pure: touches no file. */
int rfs_confine_check(const char *name, size_t n, unsigned max_depth) RAMPART_MUST_USE;

/* Opens folder `path`, a trusted path from the application's configuration
 * (absolute, or relative to the working directory), and returns a new fd in
 * *fd (O_RDONLY|O_DIRECTORY|O_CLOEXEC; the caller closes it).  The path is
 * walked one component at a time; symlinks an administrator placed in it
 * are followed (the path is configuration, not input), unlike names handled
 * by rfs_open_parent().  Empty and "." components are skipped, ".." is
 * walked as given.  When `create` is set, missing folders (the last one and
 * any before it) are created with mode 0755, or 0700 when `private_dir`, less
 * the umask; an existing folder keeps its mode, and a folder created
 * concurrently by someone else is accepted (EEXIST).  Errors: EINVAL (NULL or
 * empty path, NULL fd), EPATH (not a folder, a component too long),
 * ENOTFOUND (missing and !create), EIO. */
int rfs_open_dir(const char *path, bool create, bool private_dir, int *fd, rerr *e) RAMPART_MUST_USE;

/* Opens the parent folder of relative name `name` (NUL-terminated) below
 * `dirfd` (an open folder, or AT_FDCWD for the working directory).  `name`
 * is first checked with rfs_confine_check(name, strlen(name), RFS_MAX_DEPTH)
 * (EPATH).  Each folder component is opened with O_NOFOLLOW|O_DIRECTORY, so
 * a symlinked or non-folder component is EPATH; a missing one is ENOTFOUND,
 * or is created (mode 0755, less the umask; a concurrent creation is
 * tolerated) when `create`.  The last component is not opened.  On success
 * *parent_fd is a new fd the caller closes (a duplicate of dirfd for a
 * one-component name) and *base points at the last component inside `name`.
 * Errors: EINVAL (NULL arguments), EPATH, ENOTFOUND, EIO. */
int rfs_open_parent(int dirfd, const char *name, bool create, int *parent_fd, const char **base,
                    rerr *e) RAMPART_MUST_USE;

/* Opens sub-folder `name` of folder `dirfd` (AT_FDCWD: of the working
 * directory): one component (rfs_confine_check depth 1, else EPATH), opened
 * O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC, so a symlink or a file there is
 * EPATH.  When `create`, a missing folder is made with `mode` (less the
 * umask; a concurrent creation is accepted).  *fd is a new fd the caller
 * closes.  Errors: EINVAL (NULL name or fd), EPATH, ENOTFOUND, EIO. */
int rfs_open_subdir(int dirfd, const char *name, bool create, mode_t mode, int *fd, rerr *e) RAMPART_MUST_USE;

/* True when something (any kind of file; a symlink is not followed) exists
 * at `name` below `dirfd` (AT_FDCWD for a trusted path).  False also when
 * it cannot be told (a folder on the way missing or unreadable). */
bool rfs_exists_at(int dirfd, const char *name);

/* Reads the whole regular file `name` and appends its bytes to `out`.
 * With dirfd == AT_FDCWD, `name` is a trusted absolute or cwd-relative path
 * and only its last component is opened with O_NOFOLLOW.  With a folder fd,
 * `name` is a relative name walked like rfs_open_parent() (confined, no
 * symlinks anywhere).  The file is opened O_RDONLY|O_NOFOLLOW|O_CLOEXEC|
 * O_NONBLOCK (so a FIFO cannot block) and must be a regular file.  Errors,
 * with `out` unchanged: EPATH (a symlink, a folder, a FIFO, a device, an
 * unsafe name), ENOTFOUND (it or a folder on the way does not exist),
 * ETOOLARGE (out->len plus the file's size would pass out->max: judged from
 * fstat first and again while reading, because the file may grow or lie
 * about its size, like /proc files), ENOMEM, EIO, EINVAL (NULL name/out). */
int rfs_read_file(int dirfd, const char *name, rbuf *out, rerr *e) RAMPART_MUST_USE;

/* rfs_read_file(AT_FDCWD, path, ...) for a file of security settings (a
 * configuration naming what to trust, a trusted root): also EPATH when the
 * open file is writable by group or others, or belongs to a user other than
 * root and the effective user (docs/security-matrix.md S74). */
int rfs_read_private_file(const char *path, rbuf *out, rerr *e) RAMPART_MUST_USE;

/* Atomically replaces `name` in folder `dirfd` with `len` bytes of `data`
 * (rfs_tmp_open, rfs_tmp_write, rfs_tmp_commit).  `name` is a single
 * component (rfs_confine_check depth 1) that does not start with
 * RFS_TMP_PREFIX (EPATH, checked before anything is created).  The file gets
 * exactly mode `mode` (0000-0777; the umask does not apply), whatever the
 * old file's mode was; a symlink at `name` is replaced, never followed.  On
 * failure the old file (if any) is untouched and no
 * temporary file remains, except as described for rfs_tmp_commit() when the
 * final folder fsync fails.  ENOSPC, EDQUOT, EIO, EFBIG, EISDIR, ... are all
 * EIO with the errno named in the message; EINVAL for data NULL with len > 0,
 * a bad mode or dirfd AT_FDCWD. */
int rfs_write_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode, rerr *e) RAMPART_MUST_USE;

/* A temporary file being written, to be committed under a final name later
 * (used for streamed downloads).  It holds a file only between a successful
 * rfs_tmp_open() and the commit, discard or failure that ends it; otherwise
 * fd is -1 and name "".  A zero-initialised rfs_tmp also holds nothing
 * (name ""), so discarding it never closes fd 0. */
typedef struct rfs_tmp {
    int dirfd; /* borrowed */
    int fd;
    char name[64];
    uint64_t written; /* bytes written so far */
    uint64_t kicked;  /* bytes already handed to writeback (see rfs_tmp_write) */
    bool lazy;        /* set by the caller after rfs_tmp_open: no writeback kicks
                         and no fsync at commit (see rfs_tmp_commit) */
} rfs_tmp;

/* Creates a fresh temporary file in `dirfd`, named RFS_TMP_PREFIX plus 32
 * random hex digits from getrandom(2), with openat(O_WRONLY|O_CREAT|O_EXCL|
 * O_NOFOLLOW|O_CLOEXEC) (so an existing file or symlink of that name is never
 * opened; a clash draws a new name, a few times), and sets its mode to
 * exactly `mode` (0000-0777).  `dirfd` must be an open folder fd (not
 * AT_FDCWD), since the folder is fsynced on commit.  Always initialises *t,
 * so rfs_tmp_discard() is safe after a failure.  Errors: EINVAL (NULL t,
 * bad mode, AT_FDCWD), EIO. */
int rfs_tmp_open(rfs_tmp *t, int dirfd, mode_t mode, rerr *e) RAMPART_MUST_USE;

/* (rfs_tmp_write also starts the writeback of every further RFS_WRITEBACK_STEP
 * bytes with sync_file_range(SYNC_FILE_RANGE_WRITE), so the disk works while
 * a large download is still arriving and the fsync at commit finds little
 * left to do.  A hint: the fsync at commit stays the only durability point.) */
#define RFS_WRITEBACK_STEP (8u << 20)

/* Writes all `len` bytes (retrying short writes and EINTR).  On failure the
 * temporary file is discarded, so a later rfs_tmp_commit() fails with EINVAL
 * instead of committing a short file.  Errors: EINVAL (no open file, data
 * NULL with len > 0), EIO. */
int rfs_tmp_write(rfs_tmp *t, const void *data, size_t len, rerr *e) RAMPART_MUST_USE;

/* fsync, close, rename over `final_name` (one component, not starting with
 * RFS_TMP_PREFIX) in the same folder, fsync the folder.  With t->lazy both
 * fsyncs are skipped: the rename is still atomic for every process while the
 * system runs, but after a power loss the file may be older, empty or torn
 * (for files whose every use re-verifies them, such as downloaded targets,
 * whose hashes are checked again before any reuse).  After it returns,
 * success or not, *t holds no file.  A failure up to and including the
 * rename unlinks the temporary file and leaves the old final file as it
 * was; an fsync failure is never retried (the kernel may have dropped the
 * dirty pages).  If only the last step, the folder fsync, fails, the new
 * file is already in place but may not survive a crash: EIO all the same.
 * Errors: EINVAL (no open file), EPATH (bad final name), EIO. */
int rfs_tmp_commit(rfs_tmp *t, const char *final_name, rerr *e) RAMPART_MUST_USE;

/* Closes and unlinks the temporary file, if any.  Safe on NULL, on a
 * committed or failed rfs_tmp, and on an rfs_tmp whose open failed. */
void rfs_tmp_discard(rfs_tmp *t);

/* Writes all `len` bytes of `data` to fd, retrying short writes and EINTR.
 * Errors: EINVAL (data NULL with len > 0), EIO (errno named). */
int rfs_write_all(int fd, const void *data, size_t len, rerr *e) RAMPART_MUST_USE;

/* rfs_write_atomic() for trusted path `path` (absolute or relative to the
 * working directory, from the operator, not from metadata): the folder must
 * exist (ENOTFOUND), the last component must be a final name (EPATH). */
int rfs_write_atomic_path(const char *path, const void *data, size_t len, mode_t mode, rerr *e) RAMPART_MUST_USE;

/* Writes `len` bytes as `name` (a final name as for rfs_write_atomic) in
 * `dirfd` without any fsync: a temporary file renamed over `name`, so every
 * process sees the old or the new file, but after a power loss it may be
 * older, empty or torn.  For batches, where one rfs_sync_fs() afterwards
 * makes them all durable before anything refers to them.  Crash points
 * "written (no fsync), before rename" and "renamed (no fsync)".  Errors as
 * rfs_write_atomic(). */
int rfs_write_nosync(int dirfd, const char *name, const void *data, size_t len, mode_t mode, rerr *e) RAMPART_MUST_USE;

/* Creates `name` (a final name) in folder `dirfd` holding exactly `len`
 * bytes of `data` with exactly mode `mode`, atomically (temporary file,
 * fsync, link(2) into place, fsync of the folder), and never over anything
 * already there, not even a dangling symlink: EEXIST then ("'<name>' already
 * exists (refusing to overwrite it)"), with nothing changed.  A name taken
 * between the check and the link is EEXIST too (link never replaces).
 * Crash points "fsynced, before link" and "linked, before folder fsync".
 * Errors: EEXIST, EPATH, EINVAL (as rfs_write_atomic), EIO. */
int rfs_create_excl(int dirfd, const char *name, const void *data, size_t len, mode_t mode, rerr *e) RAMPART_MUST_USE;

/* rfs_create_excl() for trusted path `path` (as rfs_write_atomic_path);
 * the EEXIST message names the whole path. */
int rfs_create_excl_path(const char *path, const void *data, size_t len, mode_t mode, rerr *e) RAMPART_MUST_USE;

/* Flushes the whole file system holding `dirfd` (syncfs(2)): every write
 * before it, rfs_write_nosync()'s included, is then durable.  EIO. */
int rfs_sync_fs(int dirfd, rerr *e) RAMPART_MUST_USE;

/* Copies the regular file `name` (dirfd and name as for rfs_read_file(): a
 * trusted path with AT_FDCWD, else a confined relative name) into a new
 * temporary file in `dstdir` with mode `mode` (rfs_tmp_open), 64 KiB at a
 * time, handing each chunk to `fn(ctx, chunk, n, e)` too when fn is not
 * NULL (to hash it, say); a non-zero return of fn stops the copy and is
 * returned (fn records its message in e).  On success `t` holds the
 * temporary file (commit or discard it) and *len the number of bytes; on
 * failure `t` holds nothing.  Errors: ENOTFOUND, EPATH (not a regular file,
 * a symlink), ENOMEM, EIO, EINVAL, or fn's code. */
int rfs_copy_to_tmp(int dirfd, const char *name, int dstdir, mode_t mode,
                    int (*fn)(void *ctx, const uint8_t *chunk, size_t n, rerr *e), void *ctx, rfs_tmp *t, uint64_t *len,
                    rerr *e) RAMPART_MUST_USE;

/* Removes leftover temporary files (regular files named RFS_TMP_PREFIX...)
 * in folder `dirfd` after a crash.  Reads the folder through a duplicate of
 * dirfd (which stays open and usable); never follows symlinks, and leaves
 * symlinks, folders and other names alone.  It cannot tell a crash's
 * leftover from a file another writer is still writing, so call it with
 * min_age_s 0 only while holding the folder's lock (e.g. at the start of an
 * update); elsewhere pass an age: files modified less than min_age_s seconds
 * ago are kept.  Goes on after a failed unlink and reports the first error: EIO. */
int rfs_remove_stale_tmp(int dirfd, unsigned min_age_s, rerr *e) RAMPART_MUST_USE;

/* ---- folders -------------------------------------------------------------- */

/* Calls fn(ctx, name) for every entry of folder `dirfd` except ".", ".."
 * and temporary files (RFS_TMP_PREFIX...), in no particular order; stops at
 * the first non-zero return of fn and returns it.  Reads the folder through
 * a duplicate of dirfd, from its start (dirfd stays open and usable).
 * Errors: EIO when the folder cannot be read, or fn's code. */
int rfs_list(int dirfd, int (*fn)(void *ctx, const char *name), void *ctx, rerr *e) RAMPART_MUST_USE;

/* Removes the file (not a folder) `name` below `dirfd`; a name already
 * absent is success.  Errors: EIO (EISDIR, EACCES, ...). */
int rfs_remove_at(int dirfd, const char *name, rerr *e) RAMPART_MUST_USE;

/* ---- single steps on names below a folder (fs_at.c) ------------------------ */

/* For the modules that lay out folders of their own (the repository's blob
 * store and served tree, the client's resumable downloads, the installer):
 * each step is one system call with the flags fixed here, and its errno
 * turned into a code and message by rfs_fail().  `dirfd` is an open folder
 * or AT_FDCWD; `name` is used as given (the caller made it, or read it from
 * a folder it owns), and a symlink at its last component is never followed.
 * Errors: EINVAL (NULL arguments, a mode outside 0000-0777), and those of
 * rfs_fail(): ENOTFOUND, EEXIST, EPATH (a symlink, a file where a folder
 * must be), EIO.  After a failed system call errno is left as it set it. */

/* Opens `name` to read (O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_NOCTTY, so neither
 * a symlink nor a FIFO planted there is followed or blocks); *fd is a new
 * descriptor.  The caller checks with fstat what it opened. */
int rfs_open_read(int dirfd, const char *name, int *fd, rerr *e) RAMPART_MUST_USE;

/* A file that lives in memory only (memfd_create, close-on-exec), holding
 * `data`, its offset at 0: for a child program that wants a file name
 * (/dev/fd/N) for bytes Rampart has already read and checked.  *fd is a
 * new descriptor. */
int rfs_memfile(const char *label, const void *data, size_t len, int *fd, rerr *e) RAMPART_MUST_USE;

/* Opens the file at `path`, a path the operator named (symlinks on it are
 * followed, as the operator's shell would), to read, as rfs_open_read(). */
int rfs_open_read_path(const char *path, int *fd, rerr *e) RAMPART_MUST_USE;

/* Opens the existing folder `name` (O_DIRECTORY|O_NOFOLLOW: a symlink or a
 * file there is EPATH). */
int rfs_open_folder(int dirfd, const char *name, int *fd, rerr *e) RAMPART_MUST_USE;

/* Creates `name` with `mode` (less the umask) and opens it to write; never
 * over anything already there, a dangling symlink included: EEXIST ("'<name>'
 * already exists").  For a file written piece by piece that nobody reads
 * before the caller's own sync; rfs_create_excl() is the durable one-shot. */
int rfs_create_new(int dirfd, const char *name, mode_t mode, int *fd, rerr *e) RAMPART_MUST_USE;

/* rfs_create_new() of a file several folders below `dirfd` in one system
 * call: `path` (checked with rfs_confine_check) is resolved by the kernel
 * beneath `dirfd` without following any symlink, at any component
 * (openat2 with RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS), so it is confined as
 * rfs_open_parent() walking it folder by folder would be, without an open
 * and a close per folder.  Creates no folder.  Errors: EEXIST (the name is
 * taken), ENOTFOUND (a folder on the way is missing), EPATH (a symlink or
 * a file on the way, an unsafe path), EUNSUPPORTED (the kernel has no
 * openat2, or a filter refused it: walk with rfs_open_parent() instead),
 * EIO. */
int rfs_create_below(int dirfd, const char *path, mode_t mode, int *fd, rerr *e) RAMPART_MUST_USE;

/* rename(2) of `from` in `fromdir` over `to` in `todir`: files the caller
 * holds, so any failure is EIO. */
int rfs_rename(int fromdir, const char *from, int todir, const char *to, rerr *e) RAMPART_MUST_USE;

/* link(2) of `from` in `fromdir` as `to` in `todir` (never replaces: EEXIST;
 * a missing `from` is ENOTFOUND). */
int rfs_link(int fromdir, const char *from, int todir, const char *to, rerr *e) RAMPART_MUST_USE;

/* Makes folder `name` with `mode` (less the umask); one that exists is
 * EEXIST. */
int rfs_mkdir(int dirfd, const char *name, mode_t mode, rerr *e) RAMPART_MUST_USE;

/* Removes file `name` if it can, for clean-up on a path that is already
 * failing (errno is kept, so the caller can still report the first error). */
void rfs_unlink_quiet(int dirfd, const char *name);

/* A folder read entry by entry, with each entry's kind from the folder
 * itself (no stat), for walks over many files. */
typedef struct rfs_dir rfs_dir;
typedef enum rfs_kind {
    RFS_KIND_FILE,    /* a regular file */
    RFS_KIND_FOLDER,  /* a folder */
    RFS_KIND_OTHER,   /* a symlink, a FIFO, a socket, a device */
    RFS_KIND_UNKNOWN, /* the file system does not say: fstatat it (AT_SYMLINK_NOFOLLOW) */
} rfs_kind;

/* Starts reading the folder open at `fd`, which it takes (closed by
 * rfs_dir_close, or here on failure).  Errors: EINVAL, ENOMEM, EIO. */
int rfs_dir_open(int fd, rfs_dir **dir, rerr *e) RAMPART_MUST_USE;

/* The next entry other than "." and "..": returns 1 with *name (valid until
 * the next call), its length and its kind; 0 at the end; EIO. */
int rfs_dir_next(rfs_dir *dir, const char **name, size_t *len, rfs_kind *kind, rerr *e) RAMPART_MUST_USE;

/* The folder's descriptor (owned by dir), for fstatat and openat below it. */
int rfs_dir_fd(const rfs_dir *dir) RAMPART_MUST_USE;

/* Closes the folder; NULL is ignored. */
void rfs_dir_close(rfs_dir *dir);

/* ---- append-only files (the audit log, docs/audit.md) ----------------------- */

/* Opens the file `name` (one safe component, not a temporary name) in folder
 * `dirfd` for appending: O_WRONLY|O_APPEND|O_CREAT|O_NOFOLLOW|O_CLOEXEC,
 * created with `mode` (less the umask).  When it did not exist, the folder is
 * fsynced so that its name survives a crash.  *fd is the new descriptor (the
 * caller closes it).  Errors: EPATH (unsafe name, a symlink or not a regular
 * file), EIO, EINVAL. */
int rfs_append_open(int dirfd, const char *name, mode_t mode, int *fd, rerr *e) RAMPART_MUST_USE;

/* Appends `len` bytes to `fd` (opened by rfs_append_open) and makes them
 * durable (fdatasync) before returning 0.  A failure may leave part of the
 * bytes at the end of the file: the caller treats that tail as torn.  `label`
 * (or NULL) names the file in messages.  Errors: EIO. */
int rfs_append_sync(int fd, const void *data, size_t len, const char *label, rerr *e) RAMPART_MUST_USE;

/* ---- the folder lock ------------------------------------------------------ */

/* How often a waiting rfs_lock() tries again. */
#define RFS_LOCK_POLL_MS 20

/* Takes an exclusive advisory lock (flock(2)) on file `name` (one
 * component) in folder `dirfd`, creating it with mode 0600 when missing and
 * never following a symlink there.  When another open file holds it (in
 * another process, or in this one through another open), tries again every
 * RFS_LOCK_POLL_MS until `timeout_ms` have passed (0: one try).  On success
 * *lockfd is a new fd holding the lock: closing it releases the lock (a
 * crashed holder releases it too).  Errors: ELOCKED ("'<name>' is locked by
 * another process": callers say whose folder it is), EPATH (unsafe name, a
 * symlink at the name), EINVAL (NULL arguments), EIO. */
int rfs_lock(int dirfd, const char *name, unsigned timeout_ms, int *lockfd, rerr *e) RAMPART_MUST_USE;

#endif
