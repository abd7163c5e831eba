/* extract.c - extraction of a tar archive through libarchive, in a child process (see install_internal.h). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "install/install_internal.h"
#include "util/fs.h"
#include "util/banned.h"

#define READ_BLOCK 65536

/* libarchive's own protections, on top of rinst_entry_check (S73): refuse
 * to write through a symlink, a ".." or an absolute name; never overwrite
 * (a name twice in the archive is an error); restore permissions (set-uid
 * bits only reach here when allowed) and times, never owners, ACLs, extended
 * attributes or file flags. */
#define SECURE_FLAGS                                                                                                   \
    (ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS |      \
     ARCHIVE_EXTRACT_NO_OVERWRITE | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME)

static rinst_kind kind_of(struct archive_entry *ae)
{
    if (archive_entry_hardlink(ae) != NULL)
        return RINST_HARDLINK;
    switch (archive_entry_filetype(ae)) {
    case AE_IFREG:
        return RINST_FILE;
    case AE_IFDIR:
        return RINST_DIR;
    case AE_IFLNK:
        return RINST_SYMLINK;
    default:
        return RINST_SPECIAL;
    }
}

/* Only filters libarchive runs in-process: ARCHIVE_WARN means it would
 * start an outside program, which is refused. */
static int open_reader(struct archive **out, int fd, rerr *e)
{
    struct archive *a = archive_read_new();
    if (a == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "cannot start libarchive");
    int (*const filters[])(struct archive *) = {archive_read_support_filter_gzip, archive_read_support_filter_bzip2,
                                                archive_read_support_filter_xz, archive_read_support_filter_zstd};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(filters); i++)
        if (filters[i](a) != ARCHIVE_OK) {
            archive_read_free(a);
            return rerr_set(e, RAMPART_EUNSUPPORTED, NULL, "libarchive lacks a built-in decompressor");
        }
    if (archive_read_support_format_tar(a) != ARCHIVE_OK || archive_read_open_fd(a, fd, READ_BLOCK) != ARCHIVE_OK) {
        int rc = rerr_set(e, RAMPART_EFORMAT, NULL, "not a tar archive: %s", archive_error_string(a));
        archive_read_free(a);
        return rc;
    }
    *out = a;
    return 0;
}

/* Copies one entry's data, counting it against the cap. */
static int copy_data(struct archive *in, struct archive *out, const char *name, uint64_t cap, uint64_t *total, rerr *e)
{
    for (;;) {
        const void *buf;
        size_t len;
        la_int64_t off;
        int r = archive_read_data_block(in, &buf, &len, &off);
        if (r == ARCHIVE_EOF)
            return 0;
        if (r != ARCHIVE_OK)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "archive entry '%s': %s", name, archive_error_string(in));
        if (len > cap || *total > cap - len)
            return rerr_set(e, RAMPART_ETOOLARGE, NULL, "archive extracts more than %llu bytes (at '%s')",
                            (unsigned long long)cap, name);
        *total += len;
        if (archive_write_data_block(out, buf, len, off) != ARCHIVE_OK)
            return rerr_set(e, RAMPART_EIO, NULL, "cannot write '%s': %s", name, archive_error_string(out));
    }
}

static int one_entry(struct archive *in, struct archive *out, struct archive_entry *ae, const rinst_limits *lim,
                     rinst_tally *tally, uint64_t *total, rerr *e)
{
    char name[RINST_NAME_MAX], link[RINST_NAME_MAX];
    rinst_kind kind = kind_of(ae);
    rinst_entry en = {
        .name = archive_entry_pathname(ae),
        .kind = kind,
        .mode = (uint32_t)archive_entry_perm(ae) | ((uint32_t)archive_entry_mode(ae) & (S_ISUID | S_ISGID)),
        .link = kind == RINST_HARDLINK  ? archive_entry_hardlink(ae)
                : kind == RINST_SYMLINK ? archive_entry_symlink(ae)
                                        : NULL,
        .size = archive_entry_size(ae),
    };
    if (en.name == NULL)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "archive entry without a name");
    bool skip = false;
    int rc = rinst_entry_check(&en, lim, tally, name, link, &skip, e);
    if (rc != 0 || skip)
        return rc;
    archive_entry_set_pathname(ae, name);
    if (kind == RINST_HARDLINK)
        archive_entry_set_hardlink(ae, link);
    archive_entry_set_uid(ae, getuid());
    archive_entry_set_gid(ae, getgid());
    if (archive_write_header(out, ae) != ARCHIVE_OK) {
        int err = archive_errno(out);
        return rerr_set(e, err == ENOSPC || err == EIO || err == EDQUOT ? RAMPART_EIO : RAMPART_EPATH, NULL,
                        "archive entry '%s' refused: %s", name, archive_error_string(out));
    }
    if (kind == RINST_FILE) {
        rc = copy_data(in, out, name, lim->max_total_bytes, total, e);
        if (rc != 0)
            return rc;
    }
    if (archive_write_finish_entry(out) != ARCHIVE_OK)
        return rerr_set(e, RAMPART_EIO, NULL, "cannot finish '%s': %s", name, archive_error_string(out));
    return 0;
}

/* The child's work: extract into the working directory. */
static int extract_here(int fd, const rinst_limits *lim, rerr *e)
{
    struct archive *in = NULL;
    int rc = open_reader(&in, fd, e);
    if (rc != 0)
        return rc;
    struct archive *out = archive_write_disk_new();
    if (out == NULL || archive_write_disk_set_options(out, SECURE_FLAGS) != ARCHIVE_OK) {
        archive_read_free(in);
        archive_write_free(out);
        return rerr_set(e, RAMPART_ENOMEM, NULL, "cannot start libarchive's writer");
    }
    rinst_tally tally = {0};
    uint64_t total = 0;
    for (;;) {
        struct archive_entry *ae;
        int r = archive_read_next_header(in, &ae);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK) {
            rc = rerr_set(e, RAMPART_EFORMAT, NULL, "corrupt archive: %s", archive_error_string(in));
            break;
        }
        rc = one_entry(in, out, ae, lim, &tally, &total, e);
        if (rc != 0)
            break;
    }
    if (rc == 0 && archive_write_close(out) != ARCHIVE_OK)
        rc = rerr_set(e, RAMPART_EIO, NULL, "cannot finish extraction: %s", archive_error_string(out));
    archive_write_free(out);
    archive_read_free(in);
    return rc;
}

static void child(int fd, int dirfd, const rinst_limits *lim, int pipefd, pid_t parent)
{
    rerr e = {0};
    int rc;
    /* A killed installer takes its extraction with it. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
        _exit(3);
    if (fchdir(dirfd) != 0)
        rc = rfs_fail_as(&e, RAMPART_EIO, errno, "cannot enter the staging folder", NULL);
    else if (lseek(fd, 0, SEEK_SET) != 0)
        rc = rfs_fail_as(&e, RAMPART_EIO, errno, "cannot rewind the release", NULL);
    else
        rc = extract_here(fd, lim, &e);
    e.code = rc;
    (void)!write(pipefd, &e, sizeof(e)); /* the parent treats a short report as a failure */
    _exit(rc == 0 ? 0 : 1);
}

int rinst_extract_tar(int fd, int dirfd, const rinst_limits *lim, rerr *e)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return rfs_fail_as(e, RAMPART_EIO, errno, "cannot create a pipe", NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int err = errno;
        close(p[0]);
        close(p[1]);
        return rfs_fail_as(e, RAMPART_EIO, err, "cannot start the extraction", NULL);
    }
    if (pid == 0) {
        close(p[0]);
        child(fd, dirfd, lim, p[1], parent);
    }
    close(p[1]);
    rerr got = {0};
    size_t have = 0;
    while (have < sizeof(got)) {
        ssize_t r = read(p[0], (char *)&got + have, sizeof(got) - have);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        have += (size_t)r;
    }
    close(p[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (have != sizeof(got) || !WIFEXITED(status))
        return rerr_set(e, RAMPART_EIO, NULL, "the extraction process died (status %d)", status);
    if (got.code == 0 && WEXITSTATUS(status) == 0)
        return 0;
    if (got.code >= 0)
        return rerr_set(e, RAMPART_EINTERNAL, NULL, "the extraction process failed without a code");
    got.message[sizeof(got.message) - 1] = '\0';
    return rerr_set(e, got.code, got.role[0] ? got.role : NULL, "%s", got.message);
}
