/*
 * install_internal.h - the installer's modules (docs/install-releases.md):
 *   semver.c    SemVer 2.0.0 parsing and precedence (no I/O)
 *   entry.c     the checks on each archive entry before it is written (no I/O)
 *   extract.c   extraction of a tar archive through libarchive, in a child process
 *   hook.c      running a hook command with a timeout
 *   layout.c    the install root: versions/, the current and previous links,
 *               the pending and highest records, crash recovery, pruning
 *   install.c   the public functions of rampart/install.h
 */
#ifndef RAMPART_INSTALL_INSTALL_INTERNAL_H
#define RAMPART_INSTALL_INSTALL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/common.h"

/* ---- semantic versions (semver.c) ------------------------------------------ */

/* The longest version accepted (it becomes a folder name). */
#define RINST_VERSION_MAX 128

/* Checks that s[0..n) is a semantic version (SemVer 2.0.0 §2, §9, §10):
 * MAJOR.MINOR.PATCH, decimal without leading zeros (at most 18 digits),
 * then optionally "-" and dot-separated pre-release identifiers
 * ([0-9A-Za-z-], non-empty, numeric ones without leading zeros), then
 * optionally "+" and dot-separated build identifiers ([0-9A-Za-z-],
 * non-empty); at most RINST_VERSION_MAX bytes.  0 or EFORMAT (message names
 * the problem).  Pure. */
int rinst_semver_check(const char *s, size_t n, rerr *e) RAMPART_MUST_USE;

/* Precedence of two versions that passed rinst_semver_check (SemVer 2.0.0
 * §11: numbers compared numerically, a pre-release below its release,
 * identifiers compared one by one, numeric below alphanumeric, a shorter
 * list below a longer one with the same start; build metadata ignored):
 * <0, 0 or >0.  Pure. */
int rinst_semver_cmp(const char *a, const char *b);

/* ---- archive entries (entry.c) --------------------------------------------- */

typedef enum rinst_kind {
    RINST_FILE,     /* a regular file */
    RINST_DIR,      /* a folder */
    RINST_SYMLINK,  /* a symbolic link; `link` is its target */
    RINST_HARDLINK, /* a hard link; `link` names an earlier entry */
    RINST_SPECIAL,  /* a block or character device, a FIFO, a socket, anything else */
} rinst_kind;

typedef struct rinst_entry {
    const char *name; /* as in the archive, NUL-terminated */
    rinst_kind kind;
    uint32_t mode;    /* permission bits, set-uid/set-gid/sticky included */
    const char *link; /* symlink target or hard link name; NULL otherwise */
    int64_t size;     /* bytes of data the header announces */
} rinst_entry;

typedef struct rinst_limits {
    uint64_t max_total_bytes;
    uint64_t max_entries;
    bool allow_setuid;
} rinst_limits;

/* What the entries checked so far add up to; zero it before the first. */
typedef struct rinst_tally {
    uint64_t entries;
    uint64_t bytes;
} rinst_tally;

/* The name of an entry as it will be written below the staging folder:
 * leading "./" components and one trailing "/" removed.  `out` holds
 * RINST_NAME_MAX bytes. */
#define RINST_NAME_MAX 4096

/* Judges one archive entry before anything of it is written (S73):
 *   EPATH     an absolute name, an empty one, a "." or ".." component, a
 *             control byte or backslash, a name too long or too deep
 *             (rfs_confine_check); a hard link whose target is such a name;
 *             a symlink whose target is absolute, or has "." or empty
 *             components, or ".." anywhere but in a leading run, or more
 *             leading ".." than the link's folder is deep (so it would
 *             resolve outside the folder, even through other links of the
 *             archive, which can only point inside by the same rule);
 *   EARCHIVE  a device, FIFO or socket; a set-uid or set-gid file or folder
 *             unless lim->allow_setuid;
 *   ETOOLARGE one entry more than lim->max_entries, or the sizes announced so
 *             far past lim->max_total_bytes (a negative size is EFORMAT).
 * On success writes the normalised name (and hard link target) to `name_out`
 * (`link_out`, when the entry is a hard link; else "") and adds the entry to
 * `tally`; *skip is set for the archive's top folder itself (".", "./"),
 * which is not written.  Pure. */
int rinst_entry_check(const rinst_entry *en, const rinst_limits *lim, rinst_tally *tally, char *name_out,
                      char *link_out, bool *skip, rerr *e) RAMPART_MUST_USE;

/* ---- extraction (extract.c) ------------------------------------------------ */

/* Extracts the tar archive (plain or gzip/bzip2/xz/zstd) read from `fd`
 * (from offset 0) into the empty folder `dirfd`, checking every entry with
 * rinst_entry_check first and giving libarchive its secure flags.  Runs in
 * a child process that changes its working directory to `dirfd`.  Errors:
 * rinst_entry_check's, EFORMAT (not a tar archive, corrupt, truncated),
 * ETOOLARGE (more data than announced past the cap), EUNSUPPORTED (a
 * compression libarchive would hand to an outside program), EIO. */
int rinst_extract_tar(int fd, int dirfd, const rinst_limits *lim, rerr *e) RAMPART_MUST_USE;

/* ---- hooks (hook.c) -------------------------------------------------------- */

/* Runs argv[0] (no shell) with the caller's environment plus the NULL-
 * terminated "NAME=value" strings of `env`, its working directory `cwd`,
 * its standard input /dev/null, in a process group of its own.  Waits up
 * to timeout_ms; past it the group is killed (SIGKILL).  0 when it exits
 * with status 0; else `fail_code` with a message naming `what` and the exit
 * status, the signal or the timeout. */
int rinst_hook_run(const char *const *argv, const char *const *env, const char *cwd, unsigned timeout_ms, int fail_code,
                   const char *what, rerr *e) RAMPART_MUST_USE;

/* ---- the install root (layout.c) ------------------------------------------ */

/* Names in the install root (docs/install-releases.md). */
#define RINST_VERSIONS "versions"
#define RINST_CURRENT "current"
#define RINST_PREVIOUS "previous"
#define RINST_HIGHEST "highest"
#define RINST_PENDING "pending"
#define RINST_LOCK ".lock"
#define RINST_STAGING_PREFIX ".staging-"
#define RINST_TRASH_PREFIX ".trash-"

/* An open install root: its folder, versions/ and the lock. */
typedef struct rinst_root {
    int fd;
    int versions_fd;
    int lock_fd;
} rinst_root;

/* Opens (creating) root `path` and versions/, takes the lock. */
int rinst_root_open(rinst_root *r, const char *path, unsigned lock_timeout_ms, rerr *e) RAMPART_MUST_USE;
void rinst_root_close(rinst_root *r);

/* A fresh name `prefix` + 32 random hex digits into out (64 bytes). */
int rinst_random_name(char *out, const char *prefix, rerr *e) RAMPART_MUST_USE;

/* A new unnamed file in the root (O_TMPFILE, mode 0600, read and write):
 * only this process can reach it, and it vanishes with its last
 * descriptor.  *fd is that descriptor.  EIO. */
int rinst_private_file(const rinst_root *r, int *fd, rerr *e) RAMPART_MUST_USE;

/* Reads link `name` of the root ("current", "previous"): *present false
 * when it does not exist; else the version it names ("versions/<v>") in
 * `out` (RINST_VERSION_MAX + 1 bytes).  EFORMAT when the link is not one
 * the installer makes. */
int rinst_link_get(const rinst_root *r, const char *name, char *out, bool *present, rerr *e) RAMPART_MUST_USE;
/* Points link `name` at versions/<version> (NULL: removes it) atomically:
 * a new link under a temporary name, renamed over `name`, the root fsynced. */
int rinst_link_set(const rinst_root *r, const char *name, const char *version, rerr *e) RAMPART_MUST_USE;

/* Reads record file `name` ("highest", "pending") into out (cap bytes; the
 * first line), *present false when missing. */
int rinst_record_get(const rinst_root *r, const char *name, char *out, size_t cap, bool *present,
                     rerr *e) RAMPART_MUST_USE;
/* Writes (atomically, durably) or, with text NULL, removes record `name`. */
int rinst_record_set(const rinst_root *r, const char *name, const char *text, rerr *e) RAMPART_MUST_USE;

/* Removes folder versions/<name> (or any tree below versions/): renamed to
 * a trash name first, so a crash leaves no half-removed version. */
int rinst_version_remove(const rinst_root *r, const char *name, rerr *e) RAMPART_MUST_USE;

/* Removes staging and trash folders and temporary links a crash left. */
int rinst_clean_leftovers(const rinst_root *r, rerr *e) RAMPART_MUST_USE;

/* Removes versions beyond `keep`, never `current` or `previous` (the highest
 * others stay). */
int rinst_prune(const rinst_root *r, unsigned keep, rerr *e) RAMPART_MUST_USE;

#endif
