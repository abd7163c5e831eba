/* test_match.c - delegation path patterns, hash prefixes and succinct bins (TUF §4.5, TAP 15). */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "jvec.h"
#include "tuf/match.h"
#include "util/jdoc.h"
#include "util/banned.h"

static bool glob(const char *pat, const char *path)
{
    return tuf_glob_match(rslice_cstr(pat), rslice_cstr(path));
}

static void test_glob_examples_s42(void)
{
    /* docs/security-matrix.md S42 */
    CHECK(glob("*.md", "README.md"));
    CHECK(!glob("*.md", "releases/README.md"));
    CHECK(glob("foo-?.tgz", "foo-1.tgz"));
    CHECK(!glob("foo-?.tgz", "foo-alpha.tgz"));
    CHECK(!glob("README.MD", "README.md"));
    CHECK(!glob("*.md", "README.MD"));
}

static void test_glob_separators(void)
{
    CHECK(glob("releases/*/*", "releases/z/z_v1.zip"));
    CHECK(!glob("releases/*", "releases/z/z_v1.zip"));
    CHECK(!glob("*", "a/b"));
    CHECK(glob("*", "nonexistent target"));
    CHECK(!glob("a?b", "a/b"));
    CHECK(glob("a/*/c", "a/b/c"));
    CHECK(!glob("a/*/c", "a/b/x/c"));
    CHECK(glob("delegatedrole/*/*", "delegatedrole/x/artifact"));
    CHECK(!glob("delegatedrole/*", "delegatedrole/x/artifact"));
    CHECK(glob("*/", "a/"));
    CHECK(glob("", ""));
    CHECK(!glob("", "a"));
    CHECK(!glob("a", ""));
    CHECK(glob("*", ""));
    CHECK(glob("**", "abc"));
    CHECK(!glob("**", "a/c"));
}

static void test_glob_stars(void)
{
    CHECK(glob("a*b*c", "aXXbYYc"));
    CHECK(glob("a*b*c", "abc"));
    CHECK(!glob("a*b*c", "aXXbYY"));
    CHECK(glob("*.tar.gz", "x.tar.gz"));
    CHECK(!glob("*.tar.gz", "x.tar.gzz"));
    CHECK(glob("*a", "aaaa"));
    CHECK(glob("file-*", "file-"));
    /* Backtracking stops at '/': the star cannot swallow the separator. */
    CHECK(!glob("a*z", "ab/cz"));
}

static void test_glob_brackets(void)
{
    CHECK(glob("file[0-9].txt", "file7.txt"));
    CHECK(!glob("file[0-9].txt", "filex.txt"));
    CHECK(glob("file[!0-9].txt", "filex.txt"));
    CHECK(!glob("file[!0-9].txt", "file7.txt"));
    CHECK(glob("[]]", "]"));
    CHECK(glob("a[bc]d", "acd"));
    /* an unclosed bracket is a literal '[' */
    CHECK(glob("a[b", "a[b"));
    CHECK(!glob("a[b", "ab"));
    /* a bracket never matches '/' */
    CHECK(!glob("a[!x]b", "a/b"));
    CHECK(!glob("a[/]b", "a/b"));
}

/* TUF 4.5 PATHPATTERN, matched per '/'-separated segment as python-tuf
 * and go-tuf do: a '/' inside a bracket splits it into two literal
 * segments, it is never a member of the set. */
static void test_glob_slash_in_bracket(void)
{
    CHECK(glob("x[a/!]y", "x[a/!]y"));
    CHECK(!glob("x[a/!]y", "xay"));
    CHECK(!glob("x[a/!]y", "x!y"));
    CHECK(!glob("x[a/!]y", "x/y"));
    CHECK(glob("a[/]b", "a[/]b"));
    CHECK(!glob("a[!/]b", "axb"));
    CHECK(glob("a[!/]b", "a[!/]b"));
}

/* The details of a bracket, as fnmatch has them. */
static void test_glob_bracket_details(void)
{
    CHECK(glob("[^a]", "^")); /* '^' is a member, not a negation */
    CHECK(!glob("[^a]", "b"));
    CHECK(glob("[!]]", "x")); /* ']' first is a member */
    CHECK(!glob("[!]]", "]"));
    CHECK(glob("[!]", "[!]"));  /* no closing ']': literal */
    CHECK(!glob("[c-a]", "b")); /* an empty range matches nothing */
    CHECK(!glob("[c-a]", "c"));
    CHECK(glob("[!c-a]", "x"));
    CHECK(glob("[a-c-e]", "-")); /* after a range, '-' is a member */
    CHECK(!glob("[a-c-e]", "d"));
    CHECK(glob("[a-]", "-"));
    CHECK(glob("[-a]", "-"));
    CHECK(glob("[\\]", "\\")); /* no escapes: a backslash is a member */
    CHECK(!glob("\\*", "*"));
    CHECK(glob("\\*", "\\x"));
}

/* Characters are code points, not bytes. */
static void test_glob_code_points(void)
{
    CHECK(glob("?", "\xc3\xa9")); /* U+00E9 */
    CHECK(!glob("??", "\xc3\xa9"));
    CHECK(glob("[\xc3\xa0-\xc3\xbf]", "\xc3\xa9"));
    CHECK(!glob("[!\xc3\xa9]", "\xc3\xa9"));
    CHECK(glob("?", "\xf0\x9f\x98\x80")); /* U+1F600 */
    CHECK(glob("*\xc3\xa9", "caf\xc3\xa9"));
    /* Bytes that are no UTF-8 stand for themselves. */
    CHECK(glob("?", "\xff"));
    CHECK(glob("a\xff"
               "b",
               "a\xff"
               "b"));
    CHECK(glob("a?b", "a\xc3"
                      "b")); /* a lead byte without its continuation */
    CHECK(glob("a??b", "a\xc3\x28"
                       "b"));
}

/* 12,000 patterns and paths judged by python-tuf 5.1.0 itself
 * (tests/vectors/glob/README.md): the same verdict on every one. */
static void test_glob_python_tuf_vectors(void)
{
    size_t len = 0;
    uint8_t *text = jv_read(RAMPART_TEST_DATA "/vectors/glob/cases.json", &len);
    CHECK(text != NULL);
    jdoc *d = NULL;
    rerr e = {0};
    CHECK_OK(jdoc_parse(&d, text, len, false, NULL, &e));
    jd_ref cases = jdoc_get(d, jdoc_root(d), "cases");
    size_t n = 0, covered = 0;
    for (jd_ref c = jdoc_first(d, cases); c != JD_NONE; c = jdoc_next(d, c), n++) {
        jd_ref pat = jdoc_first(d, c), path = jdoc_next(d, pat), want = jdoc_next(d, path);
        bool got = tuf_glob_match(jdoc_str(d, pat), jdoc_str(d, path));
        bool expect = jdoc_type(d, want) == JD_TRUE;
        covered += expect;
        if (got != expect) {
            rslice ps = jdoc_str(d, pat), ts = jdoc_str(d, path);
            fprintf(stderr, "pattern \"%.*s\" path \"%.*s\": python-tuf says %d\n", (int)ps.n, (const char *)ps.p,
                    (int)ts.n, (const char *)ts.p, expect);
        }
        CHECK(got == expect);
    }
    CHECK_INT(n, 12000);
    CHECK_INT(covered, 2234);
    jdoc_free(d);
    free(text);
}

static void test_glob_no_explosion(void)
{
    /* A pathological pattern against a long name finishes quickly (bounded work). */
    char pat[200], path[4000];
    for (int i = 0; i < 99; i++) {
        pat[2 * i] = 'a';
        pat[2 * i + 1] = '*';
    }
    pat[198] = 'b';
    pat[199] = '\0';
    memset(path, 'a', sizeof(path) - 1);
    path[sizeof(path) - 1] = '\0';
    CHECK(!glob(pat, path));
}

static void test_path_hash(void)
{
    tuf_path_hash ph;
    CHECK_OK(tuf_path_hash_compute(rslice_cstr("abc"), &ph));
    CHECK_STR(ph.hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_succinct_bins(void)
{
    tuf_succinct s;
    memset(&s, 0, sizeof(s));
    s.name_prefix = rslice_cstr("bins");
    s.bit_length = 8;
    tuf_path_hash ph;
    CHECK_OK(tuf_path_hash_compute(rslice_cstr("abc"), &ph)); /* ba78... -> first byte 0xba */
    rbuf b;
    rbuf_init(&b, 64);
    CHECK_OK(tuf_succinct_role_for(&s, &ph, &b));
    CHECK_STR((char *)b.data, "bins-ba");
    rbuf_reset(&b);
    s.bit_length = 4;
    CHECK_OK(tuf_succinct_role_for(&s, &ph, &b));
    CHECK_STR((char *)b.data, "bins-b");
    rbuf_reset(&b);
    s.bit_length = 14; /* 16384 bins: 0xba78 >> 2 = 0x2e9e, 4 digits */
    CHECK_OK(tuf_succinct_role_for(&s, &ph, &b));
    CHECK_STR((char *)b.data, "bins-2e9e");
    rbuf_reset(&b);
    s.bit_length = 32;
    CHECK_OK(tuf_succinct_role_for(&s, &ph, &b));
    CHECK_STR((char *)b.data, "bins-ba7816bf");
    rbuf_free(&b);

    s.bit_length = 14;
    CHECK(tuf_succinct_is_role(&s, rslice_cstr("bins-2e9e")));
    CHECK(tuf_succinct_is_role(&s, rslice_cstr("bins-0000")));
    CHECK(tuf_succinct_is_role(&s, rslice_cstr("bins-3fff")));
    /* S46: names the delegator does not delegate */
    CHECK(!tuf_succinct_is_role(&s, rslice_cstr("bins-4000")));
    CHECK(!tuf_succinct_is_role(&s, rslice_cstr("bins-2E9E")));
    CHECK(!tuf_succinct_is_role(&s, rslice_cstr("bins-2e9")));
    CHECK(!tuf_succinct_is_role(&s, rslice_cstr("bins-02e9e")));
    CHECK(!tuf_succinct_is_role(&s, rslice_cstr("bins_2e9e")));
    CHECK(!tuf_succinct_is_role(&s, rslice_cstr("other-2e9e")));
    CHECK(!tuf_succinct_is_role(&s, rslice_cstr("bins-")));
}

int main(void)
{
    RUN(test_glob_examples_s42);
    RUN(test_glob_separators);
    RUN(test_glob_stars);
    RUN(test_glob_brackets);
    RUN(test_glob_slash_in_bracket);
    RUN(test_glob_bracket_details);
    RUN(test_glob_code_points);
    RUN(test_glob_python_tuf_vectors);
    RUN(test_glob_no_explosion);
    RUN(test_path_hash);
    RUN(test_succinct_bins);
    return th_summary("test_match");
}
