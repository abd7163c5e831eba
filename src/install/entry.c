/* entry.c - the checks on each archive entry before it is written (no I/O); see install_internal.h. */
#include <string.h>
#include <sys/stat.h>

#include "install/install_internal.h"
#include "util/fs.h"
#include "util/banned.h"

/* Removes leading "./" components and one trailing '/' from `name` into
 * `out` (RINST_NAME_MAX bytes).  *top is set when nothing is left ("."). */
static int normalise(const char *name, const char *what, char *out, bool *top, rerr *e)
{
    const char *p = name;
    while (p[0] == '.' && p[1] == '/')
        p += 2;
    size_t n = strlen(p);
    if (n > 0 && p[n - 1] == '/')
        n--;
    *top = (n == 0 && p != name) || (n == 1 && p[0] == '.');
    if (*top) {
        out[0] = '\0';
        return 0;
    }
    if (n == 0)
        return rerr_set(e, RAMPART_EPATH, NULL, "archive entry with an empty %s", what);
    if (name[0] == '/')
        return rerr_set(e, RAMPART_EPATH, NULL, "archive %s '%s' is absolute", what, name);
    if (n >= RINST_NAME_MAX)
        return rerr_set(e, RAMPART_EPATH, NULL, "archive %s '%.64s...' is too long", what, name);
    int rc = rfs_confine_check(p, n, RFS_MAX_DEPTH);
    if (rc != 0)
        return rerr_set(e, RAMPART_EPATH, NULL,
                        "archive %s '%s' could leave the install folder (\"..\", \".\", "
                        "an empty component or a control character)",
                        what, name);
    memcpy(out, p, n);
    out[n] = '\0';
    return 0;
}

/* Depth of the folder holding `name` (a normalised relative name). */
static size_t folder_depth(const char *name)
{
    size_t d = 0;
    for (const char *p = name; *p != '\0'; p++)
        d += *p == '/';
    return d;
}

/* A symlink target must stay inside the folder (see install_internal.h). */
static int check_symlink(const char *name, const char *target, rerr *e)
{
    if (target == NULL || target[0] == '\0')
        return rerr_set(e, RAMPART_EPATH, NULL, "symlink '%s' has an empty target", name);
    if (target[0] == '/')
        return rerr_set(e, RAMPART_EPATH, NULL, "symlink '%s' points to absolute path '%s'", name, target);
    size_t ups = 0;
    bool leading = true;
    const char *p = target;
    for (;;) {
        size_t n = strcspn(p, "/");
        if (n == 0 || (n == 1 && p[0] == '.'))
            return rerr_set(e, RAMPART_EPATH, NULL, "symlink '%s' target '%s' has an empty or '.' component", name,
                            target);
        bool up = n == 2 && p[0] == '.' && p[1] == '.';
        if (up && !leading)
            return rerr_set(e, RAMPART_EPATH, NULL, "symlink '%s' target '%s' has '..' after a name", name, target);
        leading = leading && up;
        ups += up;
        if (p[n] == '\0')
            break;
        p += n + 1;
    }
    if (ups > folder_depth(name))
        return rerr_set(e, RAMPART_EPATH, NULL, "symlink '%s' points to '%s', outside the install folder", name,
                        target);
    size_t len = strlen(target);
    size_t skip = 3 * ups > len ? len : 3 * ups; /* the leading "../" run; nothing left: an ancestor folder */
    if (skip < len && rfs_confine_check(target + skip, len - skip, RFS_MAX_DEPTH) != 0)
        return rerr_set(e, RAMPART_EPATH, NULL, "symlink '%s' target '%s' is not a safe name", name, target);
    return 0;
}

static int check_kind(const rinst_entry *en, const rinst_limits *lim, const char *name, rerr *e)
{
    if (en->kind == RINST_SPECIAL)
        return rerr_set(e, RAMPART_EARCHIVE, NULL, "archive entry '%s' is a device, FIFO or socket", name);
    if ((en->mode & (S_ISUID | S_ISGID)) != 0 && !lim->allow_setuid && en->kind != RINST_SYMLINK)
        return rerr_set(e, RAMPART_EARCHIVE, NULL, "archive entry '%s' is set-uid or set-gid (mode %04o)", name,
                        (unsigned)(en->mode & 07777));
    if (en->size < 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "archive entry '%s' has a negative size", name);
    return 0;
}

int rinst_entry_check(const rinst_entry *en, const rinst_limits *lim, rinst_tally *tally, char *name_out,
                      char *link_out, bool *skip, rerr *e)
{
    if (en == NULL || en->name == NULL || lim == NULL || tally == NULL || name_out == NULL || link_out == NULL ||
        skip == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "no archive entry given");
    if (tally->entries >= lim->max_entries)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "archive has more than %llu entries",
                        (unsigned long long)lim->max_entries);
    bool top = false;
    int rc = normalise(en->name, "name", name_out, &top, e);
    if (rc != 0)
        return rc;
    if (top && en->kind != RINST_DIR)
        return rerr_set(e, RAMPART_EPATH, NULL, "archive entry '%s' replaces the install folder", en->name);
    rc = check_kind(en, lim, top ? "." : name_out, e);
    if (rc != 0)
        return rc;
    link_out[0] = '\0';
    if (en->kind == RINST_SYMLINK && !top)
        rc = check_symlink(name_out, en->link, e);
    if (en->kind == RINST_HARDLINK) {
        bool ltop = false;
        if (en->link == NULL)
            return rerr_set(e, RAMPART_EPATH, NULL, "hard link '%s' has no target", name_out);
        rc = normalise(en->link, "hard link target", link_out, &ltop, e);
        if (rc == 0 && ltop)
            rc = rerr_set(e, RAMPART_EPATH, NULL, "hard link '%s' points to the install folder", name_out);
    }
    if (rc != 0)
        return rc;
    uint64_t size = en->kind == RINST_FILE ? (uint64_t)en->size : 0;
    if (size > lim->max_total_bytes || tally->bytes > lim->max_total_bytes - size)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "archive extracts more than %llu bytes (at '%s')",
                        (unsigned long long)lim->max_total_bytes, name_out);
    tally->entries++;
    tally->bytes += size;
    *skip = top;
    return 0;
}
