/* test_match.c - delegation path patterns, hash prefixes and succinct bins (TUF §4.5, TAP 15). */
#include "harness.h"
#include "tuf/match.h"
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
    RUN(test_glob_no_explosion);
    RUN(test_path_hash);
    RUN(test_succinct_bins);
    return th_summary("test_match");
}
