/*
 * fuzz_archive_entry.c - the checks on archive entries before extraction
 * (rinst_entry_check, src/install/entry.c; docs/security-matrix.md S73) and
 * semantic versions (rinst_semver_check, rinst_semver_cmp).
 *
 * Input: parts separated by FUZZ_SEP.  Each part is an entry: its first
 * byte picks the kind (mod 5: file, folder, symlink, hard link, special),
 * the next two the mode bits (big-endian, 12 bits), the next one the size;
 * the rest is the name, then (after a NUL, if any) the link target.  The
 * first part is also read as a version and compared with the second.
 * Invariants:
 *  - an accepted name is relative, has no "", "." or ".." component and is
 *    the input less leading "./" and one trailing "/";
 *  - an accepted symlink target, resolved lexically from the link's folder,
 *    never climbs above the top folder; an accepted hard link target obeys
 *    the name rules;
 *  - devices, FIFOs, sockets and set-uid/set-gid entries are never accepted;
 *  - the tally never passes its caps;
 *  - version precedence is antisymmetric and reflexive for accepted versions.
 */
#include <sys/stat.h>

#include "fuzz_common.h"
#include "install/install_internal.h"
#include "util/banned.h"

/* True when relative `n` has no empty, "." or ".." component. */
static bool clean_name(const char *n)
{
    if (n[0] == '\0' || n[0] == '/')
        return false;
    for (const char *p = n;;) {
        size_t k = strcspn(p, "/");
        if (k == 0 || (k == 1 && p[0] == '.') || (k == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        if (p[k] == '\0')
            return true;
        p += k + 1;
    }
}

/* Lexical resolution of `target` from the folder of `name`: false when it climbs above the top. */
static bool stays_inside(const char *name, const char *target)
{
    long depth = 0;
    for (const char *p = name; *p != '\0'; p++)
        depth += *p == '/';
    for (const char *p = target;;) {
        size_t k = strcspn(p, "/");
        if (k == 2 && p[0] == '.' && p[1] == '.')
            depth--;
        else if (!(k == 1 && p[0] == '.') && k > 0)
            depth++;
        if (depth < 0)
            return false;
        if (p[k] == '\0')
            return true;
        p += k + 1;
    }
}

static void one(const fuzz_part *part, rinst_tally *tally, const rinst_limits *lim)
{
    if (part->n < 4)
        return;
    static const rinst_kind kinds[] = {RINST_FILE, RINST_DIR, RINST_SYMLINK, RINST_HARDLINK, RINST_SPECIAL};
    char *buf = (char *)fuzz_dup(part->p + 4, part->n - 4);
    char *text = rampart_malloc(part->n - 4 + 2);
    FUZZ_CHECK(text != NULL);
    memcpy(text, buf, part->n - 4);
    text[part->n - 4] = '\0';
    text[part->n - 3] = '\0';
    size_t nlen = strlen(text);
    rinst_entry en = {
        .name = text,
        .kind = kinds[part->p[0] % 5],
        .mode = ((uint32_t)part->p[1] << 8 | part->p[2]) & 07777,
        .link = nlen < part->n - 4 ? text + nlen + 1 : NULL,
        .size = part->p[3],
    };
    static char name[RINST_NAME_MAX], link[RINST_NAME_MAX];
    bool skip = false;
    rinst_tally before = *tally;
    int rc = rinst_entry_check(&en, lim, tally, name, link, &skip, NULL);
    if (rc == 0 && !skip) {
        FUZZ_CHECK(clean_name(name));
        FUZZ_CHECK(en.kind != RINST_SPECIAL);
        FUZZ_CHECK(lim->allow_setuid || en.kind == RINST_SYMLINK || (en.mode & (S_ISUID | S_ISGID)) == 0);
        if (en.kind == RINST_SYMLINK)
            FUZZ_CHECK(en.link != NULL && en.link[0] != '/' && stays_inside(name, en.link));
        if (en.kind == RINST_HARDLINK)
            FUZZ_CHECK(clean_name(link));
        FUZZ_CHECK(tally->entries == before.entries + 1 && tally->bytes <= lim->max_total_bytes);
    }
    if (rc != 0)
        FUZZ_CHECK(tally->entries == before.entries && tally->bytes == before.bytes);
    FUZZ_CHECK(tally->entries <= lim->max_entries);
    rampart_free(text);
    rampart_free(buf);
}

static void versions(const fuzz_part *a, const fuzz_part *b)
{
    char va[RINST_VERSION_MAX + 1], vb[RINST_VERSION_MAX + 1];
    if (a->n > RINST_VERSION_MAX || b->n > RINST_VERSION_MAX)
        return;
    memcpy(va, a->p, a->n);
    va[a->n] = '\0';
    memcpy(vb, b->p, b->n);
    vb[b->n] = '\0';
    if (rinst_semver_check(va, a->n, NULL) != 0 || rinst_semver_check(vb, b->n, NULL) != 0)
        return;
    int x = rinst_semver_cmp(va, vb), y = rinst_semver_cmp(vb, va);
    FUZZ_CHECK((x < 0 && y > 0) || (x > 0 && y < 0) || (x == 0 && y == 0));
    FUZZ_CHECK(rinst_semver_cmp(va, va) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_part parts[FUZZ_MAX_PARTS];
    size_t n = fuzz_split(data, size, parts);
    rinst_limits lim = {.max_total_bytes = 600, .max_entries = 8, .allow_setuid = size % 2 == 1};
    rinst_tally tally = {0};
    for (size_t i = 0; i < n; i++)
        one(&parts[i], &tally, &lim);
    if (n >= 2)
        versions(&parts[0], &parts[1]);
    return 0;
}
