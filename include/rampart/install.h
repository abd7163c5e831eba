/*
 * rampart/install.h - installing verified releases: a tar archive (plain,
 * gzip, bzip2, xz or zstd) or a single file is put into a versioned folder
 * of an install root and made active by replacing the `current` symbolic
 * link atomically; `rampart_installer_rollback` makes the previous version
 * active again.  docs/install-releases.md describes the folder layout, the
 * archive checks, the hooks and the crash-safety guarantees.
 *
 * Typical use, after the client found and downloaded a target:
 *
 *     rampart_install_options o = RAMPART_INSTALL_OPTIONS_INIT;
 *     o.root_dir = "/opt/app";
 *     rampart_installer *in;
 *     if (rampart_installer_new(&in, &o, &err) != 0) ...
 *     int rc = rampart_installer_install(in, target, fd);   // fd: the downloaded bytes
 *     if (rc != 0) fprintf(stderr, "%s\n", rampart_installer_last_error(in)->message);
 *
 * Only verified bytes are installed: rampart_installer_install reads the
 * release once from the descriptor it is given, into a private unnamed file
 * of the install root, hashing it on the way; it goes on only when the
 * length and every hash match the trusted target, and extracts from that
 * private copy, never from a path (docs/security-matrix.md S68).
 *
 * The version comes from the target's signed custom metadata ("version", a
 * semantic version, SemVer 2.0.0); a version below the highest one ever
 * installed in the root is refused (RAMPART_EDOWNGRADE) unless
 * allow_downgrade is set.
 *
 * Thread safety: an installer is used by one thread at a time.  Installers
 * working on the same root, in one process or several, take turns through
 * the root's lock (waiting up to lock_timeout_ms, then RAMPART_ELOCKED).
 * Archive extraction runs in a child process (fork), and hooks are child
 * processes too: the calling process's signal dispositions and
 * SIGCHLD handling must let waitpid() see them.
 */
#ifndef RAMPART_INSTALL_H
#define RAMPART_INSTALL_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rampart_installer rampart_installer;

/** How the release's bytes are laid out. */
enum rampart_install_format {
    /** By the target path's ending: .tar, .tar.gz, .tgz, .tar.bz2, .tbz2, .tar.xz, .txz, .tar.zst
     *  are archives, anything else a single file. */
    RAMPART_INSTALL_AUTO = 0,
    /** A tar archive, plain or compressed (gzip, bzip2, xz, zstd). */
    RAMPART_INSTALL_TAR = 1,
    /** A single file, installed as the last component of the target path, mode 0755. */
    RAMPART_INSTALL_FILE = 2
};

#define RAMPART_INSTALL_OPTIONS_VERSION 1

/**
 * Installer options.  Start from RAMPART_INSTALL_OPTIONS_INIT; 0 / NULL
 * means "the documented default".  Strings and arrays are copied by
 * rampart_installer_new().  Hooks are argument vectors (argv[0] is the
 * program, a path; NULL-terminated); no shell is involved.  Each runs with
 * the environment of the caller plus RAMPART_HOOK (pre-install,
 * post-install, health-check), RAMPART_VERSION, RAMPART_INSTALL_DIR (the
 * new version's folder) and RAMPART_PREVIOUS_VERSION (empty when none),
 * with its working directory the new version's folder.
 */
typedef struct rampart_install_options {
    unsigned version; /**< RAMPART_INSTALL_OPTIONS_VERSION */

    const char *root_dir; /**< required: the install root (created 0755 if missing) */
    unsigned keep;        /**< versions kept in versions/, the active and previous ones included;
                               default 3, at least 2 */
    int format;           /**< enum rampart_install_format; default RAMPART_INSTALL_AUTO */

    uint64_t max_total_bytes; /**< cap on the bytes an archive extracts; default 1 GiB */
    uint64_t max_entries;     /**< cap on an archive's entries; default 100000 */
    int allow_setuid;         /**< 1: keep set-uid/set-gid files (else RAMPART_EARCHIVE); default 0 */
    int allow_downgrade;      /**< 1: install a version below the highest installed; default 0 */

    const char *const *pre_install;  /**< run before the switch; failure: nothing changes (RAMPART_EHOOK) */
    const char *const *post_install; /**< run after the switch; failure: reverted (RAMPART_EHOOK) */
    const char *const *health_check; /**< run last; failure: reverted (RAMPART_EHEALTH) */
    unsigned hook_timeout_ms;        /**< per hook; default 60000; a hook past it is killed (SIGKILL,
                                          its process group) and has failed */
    unsigned lock_timeout_ms;        /**< wait this long for the root's lock; default 10000 */

    rampart_log_fn log; /**< default: no logging */
    void *log_ctx;
} rampart_install_options;

#define RAMPART_INSTALL_OPTIONS_INIT                                                                                   \
    {                                                                                                                  \
        .version = RAMPART_INSTALL_OPTIONS_VERSION                                                                     \
    }

/**
 * Creates an installer for `opts->root_dir`.  Does no I/O.
 * Errors: RAMPART_EINVAL (no root, unknown options version, keep 1, an
 * empty hook vector), RAMPART_ENOMEM.  `err` may be NULL.
 */
RAMPART_API int rampart_installer_new(rampart_installer **out, const rampart_install_options *opts,
                                      rampart_error *err) RAMPART_MUST_USE;

/** Frees an installer.  NULL-safe. */
RAMPART_API void rampart_installer_free(rampart_installer *in);

/**
 * Installs target `t` (trusted information from rampart_client_get_target_info)
 * whose bytes are read from `fd` (an open, readable descriptor; read from
 * offset 0 with pread, not closed).  In order: takes the root's lock;
 * finishes or cleans up an install a crash interrupted; copies the bytes
 * into a private unnamed file while hashing them (RAMPART_EMISMATCH for a
 * wrong length or hash, RAMPART_ETOOLARGE past the trusted length); checks
 * the version (RAMPART_EFORMAT when custom "version" is missing or not a
 * semantic version, RAMPART_EDOWNGRADE below the highest installed);
 * extracts into a fresh staging folder (RAMPART_EPATH for an absolute name,
 * a ".." component or a link leaving the folder, RAMPART_EARCHIVE for a
 * device, FIFO, socket or set-uid file, RAMPART_ETOOLARGE past
 * max_total_bytes or max_entries, RAMPART_EFORMAT for a corrupt archive),
 * syncs it and renames it to versions/<version>; runs the pre-install hook;
 * switches `current`; runs the post-install hook and the health check,
 * switching back to the previous version if either fails; records the
 * version as the highest installed; removes versions beyond `keep`.  On
 * any failure before the switch, the root is as it was.
 * Other errors: RAMPART_ELOCKED, RAMPART_EIO, RAMPART_ENOMEM, RAMPART_EINVAL.
 */
RAMPART_API int rampart_installer_install(rampart_installer *in, const rampart_target *t, int fd) RAMPART_MUST_USE;

/**
 * Downloads target `t` with client `c` (rampart_client_download_target,
 * which verifies length and hashes) into a private folder (0700) below the
 * locked install root, then installs it as rampart_installer_install does,
 * from the descriptor of that download, and removes the download.  The
 * client's errors are copied to the installer's last error.
 */
RAMPART_API int rampart_installer_download_install(rampart_installer *in, rampart_client *c,
                                                   const rampart_target *t) RAMPART_MUST_USE;

/**
 * Makes the previous version active again (the `previous` link becomes
 * `current` and the other way round).  No hooks run.  Errors:
 * RAMPART_ENOTFOUND (no previous version), RAMPART_ELOCKED, RAMPART_EIO.
 */
RAMPART_API int rampart_installer_rollback(rampart_installer *in) RAMPART_MUST_USE;

/**
 * The active version (after finishing or cleaning up an interrupted
 * install), as a new string (free with rampart_string_free).  `previous_out`
 * may be NULL; else it receives the previous version or NULL when there is
 * none.  Errors: RAMPART_ENOTFOUND (nothing installed), RAMPART_ELOCKED,
 * RAMPART_EIO, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_installer_current(rampart_installer *in, char **current_out,
                                          char **previous_out) RAMPART_MUST_USE;

/** Detail of the last error on this installer (code 0 after a success). */
RAMPART_API const rampart_error *rampart_installer_last_error(const rampart_installer *in) RAMPART_MUST_USE;

/**
 * Compares two semantic versions by SemVer 2.0.0 precedence (build metadata
 * ignored): *result is negative, 0 or positive.  Errors: RAMPART_EFORMAT
 * when either is not a semantic version (MAJOR.MINOR.PATCH, numbers without
 * leading zeros, optional -prerelease and +build), RAMPART_EINVAL.
 * Thread-safe.
 */
RAMPART_API int rampart_version_compare(const char *a, const char *b, int *result) RAMPART_MUST_USE;

#ifdef __cplusplus
}
#endif
#endif /* RAMPART_INSTALL_H */
