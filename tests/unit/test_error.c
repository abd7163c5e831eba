/*
 * test_error.c - the error codes' kinds (src/util/error.c): the kind of
 * every code from RAMPART_OK to the last one, of codes librampart never
 * returns, and the agreement of docs/errors.md with rampart_error_kind().
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "rampart/error.h"

/* The expected kind of every code, written out here on its own (not taken
 * from the library's table) so that a change of kind in either place fails. */
static const struct {
    int code;
    enum rampart_error_kind kind;
} want[] = {
    {RAMPART_OK, RAMPART_KIND_OK},
    {RAMPART_EINVAL, RAMPART_KIND_LOCAL},
    {RAMPART_ENOMEM, RAMPART_KIND_LOCAL},
    {RAMPART_EIO, RAMPART_KIND_LOCAL},
    {RAMPART_EFORMAT, RAMPART_KIND_SECURITY},
    {RAMPART_EBADSIG, RAMPART_KIND_SECURITY},
    {RAMPART_EEXPIRED, RAMPART_KIND_SECURITY},
    {RAMPART_EROLLBACK, RAMPART_KIND_SECURITY},
    {RAMPART_EMISMATCH, RAMPART_KIND_SECURITY},
    {RAMPART_ETOOLARGE, RAMPART_KIND_SECURITY},
    {RAMPART_ENOTFOUND, RAMPART_KIND_NOTFOUND},
    {RAMPART_ENET, RAMPART_KIND_TRANSPORT},
    {RAMPART_ECONNTIMEOUT, RAMPART_KIND_TRANSPORT},
    {RAMPART_ESLOW, RAMPART_KIND_TRANSPORT},
    {RAMPART_ETIMEOUT, RAMPART_KIND_TRANSPORT},
    {RAMPART_ETLS, RAMPART_KIND_SECURITY},
    {RAMPART_EINSECURE, RAMPART_KIND_SECURITY},
    {RAMPART_ELOCKED, RAMPART_KIND_LOCAL},
    {RAMPART_EUNSUPPORTED, RAMPART_KIND_SECURITY},
    {RAMPART_EPATH, RAMPART_KIND_SECURITY},
    {RAMPART_ECRYPTO, RAMPART_KIND_LOCAL},
    {RAMPART_EPASSPHRASE, RAMPART_KIND_LOCAL},
    {RAMPART_EEXIST, RAMPART_KIND_LOCAL},
    {RAMPART_EINTERNAL, RAMPART_KIND_LOCAL},
    {RAMPART_EPROVMISSING, RAMPART_KIND_SECURITY},
    {RAMPART_EPROVSIG, RAMPART_KIND_SECURITY},
    {RAMPART_EPROVSUBJECT, RAMPART_KIND_SECURITY},
    {RAMPART_EPROVPREDICATE, RAMPART_KIND_SECURITY},
    {RAMPART_EPROVBUILDER, RAMPART_KIND_SECURITY},
    {RAMPART_EPROVBUILDTYPE, RAMPART_KIND_SECURITY},
    {RAMPART_EPROVSOURCE, RAMPART_KIND_SECURITY},
    {RAMPART_EPROVREVISION, RAMPART_KIND_SECURITY},
    {RAMPART_EPROVFORMAT, RAMPART_KIND_SECURITY},
    {RAMPART_ECANCELED, RAMPART_KIND_LOCAL},
    {RAMPART_ENOTLOGGED, RAMPART_KIND_SECURITY},
    {RAMPART_ENOQUORUM, RAMPART_KIND_SECURITY},
    {RAMPART_ESPLITVIEW, RAMPART_KIND_SECURITY},
    {RAMPART_ESTALE, RAMPART_KIND_SECURITY},
    {RAMPART_EDOWNGRADE, RAMPART_KIND_SECURITY},
    {RAMPART_EARCHIVE, RAMPART_KIND_SECURITY},
    {RAMPART_EHOOK, RAMPART_KIND_LOCAL},
    {RAMPART_EHEALTH, RAMPART_KIND_LOCAL},
    {RAMPART_ETAMPERED, RAMPART_KIND_SECURITY},
    {RAMPART_ETORN, RAMPART_KIND_LOCAL},
    {RAMPART_EHELD, RAMPART_KIND_SECURITY},
};
#define NWANT (sizeof(want) / sizeof(want[0]))

static bool is_known(int code)
{
    return strcmp(rampart_error_name(code), "RAMPART_E?") != 0;
}

/* Every code from RAMPART_OK down to the last one, in order and without a
 * gap, has the kind listed above; a code appended to error.h without a
 * kind here makes the count differ. */
static void test_kind_of_every_code(void)
{
    int code = RAMPART_OK;
    size_t i = 0;
    for (; is_known(code); code--) {
        if (i >= NWANT) {
            TH_FAIL("%s (%d) has no expected kind in this test", rampart_error_name(code), code);
            return;
        }
        CHECK_INT(want[i].code, code);
        if (rampart_error_kind(code) != want[i].kind)
            TH_FAIL("rampart_error_kind(%s) == %d, expected %d", rampart_error_name(code),
                    (int)rampart_error_kind(code), (int)want[i].kind);
        i++;
    }
    CHECK_INT(i, NWANT);
    CHECK_INT(code + 1, RAMPART_EHELD);
    /* Only success is of kind OK. */
    for (int c = RAMPART_EHELD; c < RAMPART_OK; c++)
        CHECK(rampart_error_kind(c) != RAMPART_KIND_OK);
}

/* A code librampart never returns is a bug: local, never OK, never a kind
 * that would send a caller to another mirror. */
static void test_kind_of_unknown_codes(void)
{
    const int unknown[] = {1, 2, RAMPART_EHELD - 1, -1000, INT_MIN, INT_MAX};
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        CHECK(!is_known(unknown[i]));
        CHECK_INT(rampart_error_kind(unknown[i]), RAMPART_KIND_LOCAL);
    }
}

/* The kind column of docs/errors.md's table, by the words used there. */
static int kind_from_doc(const char *word, size_t n)
{
    static const struct {
        const char *word;
        enum rampart_error_kind kind;
    } words[] = {
        {"", RAMPART_KIND_OK},
        {"security", RAMPART_KIND_SECURITY},
        {"transport", RAMPART_KIND_TRANSPORT},
        {"not found", RAMPART_KIND_NOTFOUND},
        {"local", RAMPART_KIND_LOCAL},
    };
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strlen(words[i].word) == n && memcmp(words[i].word, word, n) == 0)
            return (int)words[i].kind;
    return -1;
}

/* docs/errors.md lists every code once, with the kind the library gives it:
 * rows "| -13 | `RAMPART_ESLOW` | transport | ...". */
static void test_docs_agree(void)
{
    FILE *f = fopen(RAMPART_TEST_DATA "/../docs/errors.md", "r");
    CHECK(f != NULL);
    char line[4096];
    int seen[128] = {0};
    while (fgets(line, sizeof(line), f) != NULL) {
        int code, off = 0;
        char name[64];
        if (sscanf(line, "| %d | `%63[A-Z_]` |%n", &code, name, &off) != 2 || off == 0)
            continue;
        const char *k = line + off, *end = strchr(k, '|');
        if (end == NULL) {
            TH_FAIL("docs/errors.md: no kind column for %s", name);
            break;
        }
        while (*k == ' ')
            k++;
        size_t n = (size_t)(end - k);
        while (n > 0 && k[n - 1] == ' ')
            n--;
        int kind = kind_from_doc(k, n);
        if (!is_known(code) || strcmp(rampart_error_name(code), name) != 0)
            TH_FAIL("docs/errors.md: %d is not %s", code, name);
        else if (kind != (int)rampart_error_kind(code))
            TH_FAIL("docs/errors.md: %s is \"%.*s\", rampart_error_kind() says %d", name, (int)n, k,
                    (int)rampart_error_kind(code));
        else if (-code < 128)
            seen[-code]++;
    }
    fclose(f);
    for (size_t i = 0; i < NWANT; i++)
        if (seen[-want[i].code] != 1)
            TH_FAIL("docs/errors.md: %s has %d rows, expected 1", rampart_error_name(want[i].code),
                    seen[-want[i].code]);
}

int main(void)
{
    RUN(test_kind_of_every_code);
    RUN(test_kind_of_unknown_codes);
    RUN(test_docs_agree);
    return th_summary("test_error");
}
