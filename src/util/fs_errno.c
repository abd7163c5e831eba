/* fs_errno.c - errno to error code and message, for every file operation (see fs.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/fs.h"
#include "util/banned.h"

/* The errors a caller is likely to meet: the symbolic name, so messages say
 * "ENOSPC" on every libc (strerrorname_np is glibc-only), and the code
 * rfs_errno_code() gives.  Unlisted errnos are RAMPART_EIO. */
// clang-format off
#define ERRNO_ROW(x, code) {#x, x, code}
// clang-format on
static const struct {
    const char *name;
    int err;
    int code;
} errno_table[] = {
    ERRNO_ROW(ENOENT, RAMPART_ENOTFOUND),
    ERRNO_ROW(EEXIST, RAMPART_EEXIST),
    ERRNO_ROW(ELOOP, RAMPART_EPATH),
    ERRNO_ROW(ENOTDIR, RAMPART_EPATH),
    ERRNO_ROW(ENAMETOOLONG, RAMPART_EPATH),
    ERRNO_ROW(ENXIO, RAMPART_EPATH), /* a socket, or a device without a driver */
    ERRNO_ROW(ENOSPC, RAMPART_EIO),
    ERRNO_ROW(EDQUOT, RAMPART_EIO),
    ERRNO_ROW(EIO, RAMPART_EIO),
    ERRNO_ROW(EFBIG, RAMPART_EIO),
    ERRNO_ROW(EROFS, RAMPART_EIO),
    ERRNO_ROW(EACCES, RAMPART_EIO),
    ERRNO_ROW(EPERM, RAMPART_EIO),
    ERRNO_ROW(EXDEV, RAMPART_EIO),
    ERRNO_ROW(EBUSY, RAMPART_EIO),
    ERRNO_ROW(EISDIR, RAMPART_EIO),
    ERRNO_ROW(EBADF, RAMPART_EIO),
    ERRNO_ROW(EMFILE, RAMPART_EIO),
    ERRNO_ROW(ENFILE, RAMPART_EIO),
    ERRNO_ROW(EINTR, RAMPART_EIO),
    ERRNO_ROW(EINVAL, RAMPART_EIO),
    ERRNO_ROW(ENOSYS, RAMPART_EIO),
    ERRNO_ROW(ENOMEM, RAMPART_EIO),
    ERRNO_ROW(EMLINK, RAMPART_EIO),
    ERRNO_ROW(ENOLCK, RAMPART_EIO),
};

/* The row of `err`, or -1. */
static int row_of(int err)
{
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(errno_table); i++)
        if (errno_table[i].err == err)
            return (int)i;
    return -1;
}

int rfs_errno_code(int err)
{
    int i = row_of(err);
    return i < 0 ? RAMPART_EIO : errno_table[i].code;
}

/* The parentheses keep the analyser's macro (fs.h) off the definitions. */
int(rfs_fail_as)(rerr *e, int code, int err, const char *what, const char *name)
{
    if (code == RAMPART_ENOTFOUND && err == ENOENT) {
        if (name == NULL)
            return rerr_set(e, code, NULL, "%s: not found", what);
        return rerr_set(e, code, NULL, "%s '%s': not found", what, name);
    }
    char text[128];
    /* GNU strerror_r (we build with _GNU_SOURCE) returns the text it chose. */
    const char *msg = strerror_r(err, text, sizeof(text));
    int i = row_of(err);
    char num[24];
    const char *sym = num;
    if (i >= 0)
        sym = errno_table[i].name;
    else /* 24 bytes hold "errno " and any int: the output is never cut. */
        (void)snprintf(num, sizeof(num), "errno %d", err);
    if (name == NULL)
        return rerr_set(e, code, NULL, "%s: %s (%s)", what, msg ? msg : "?", sym);
    return rerr_set(e, code, NULL, "%s '%s': %s (%s)", what, name, msg ? msg : "?", sym);
}

int(rfs_fail)(rerr *e, int err, const char *what, const char *name)
{
    return rfs_fail_as(e, rfs_errno_code(err), err, what, name);
}
