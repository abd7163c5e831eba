/* match.c - delegation path patterns, path hash prefixes, succinct bins. */
#include <string.h>

#include "tuf/match.h"
#include "util/codec.h"
#include "util/banned.h"

/*
 * Delegation path patterns (TUF 4.5 PATHPATTERN: "the Unix shell pattern
 * matching convention", where "a path separator in a path SHOULD NOT be
 * matched by a wildcard").  Rampart matches the way python-tuf does, which
 * is what glob(7) describes for pathnames: pattern and path are split at
 * every '/', they must have as many segments, and each pattern segment must
 * match its path segment whole as an fnmatch pattern: '*' any run of
 * characters, '?' one character, "[...]" one character of a set ("[!...]"
 * its complement), anything else itself.  A '/' therefore never falls
 * inside a bracket: "x[a/!]y" is the two literal segments "x[a" and "!]y".
 * Characters are code points (UTF-8 decoded), as in Python and Go.
 * tests/vectors/glob holds 12,000 cases judged by python-tuf itself.
 */

/* An invalid UTF-8 byte stands for itself, above every code point. */
#define BAD_BYTE_BASE 0x110000u

/* The code point at s[*i] (s[*i..n) non-empty), advancing *i past it.
 * Overlong forms, surrogates and truncated sequences are invalid. */
static uint32_t next_cp(const uint8_t *s, size_t n, size_t *i)
{
    uint8_t c = s[*i];
    size_t len = c < 0x80                   ? 1
                 : (c >= 0xC2 && c <= 0xDF) ? 2
                 : (c >= 0xE0 && c <= 0xEF) ? 3
                 : (c >= 0xF0 && c <= 0xF4) ? 4
                                            : 0;
    uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1Fu : len == 3 ? c & 0x0Fu : c & 0x07u;
    bool ok = len != 0 && n - *i >= len;
    for (size_t k = 1; ok && k < len; k++) {
        ok = (s[*i + k] & 0xC0) == 0x80;
        cp = cp << 6 | (s[*i + k] & 0x3Fu);
    }
    if (ok && len > 1) {
        static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
        ok = cp >= least[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (!ok) {
        (*i)++;
        return BAD_BYTE_BASE + c;
    }
    *i += len;
    return cp;
}

/* A bracket expression whose '[' is at pat[*i] (segment end `end`): 1 when
 * it matches code point `c`, 0 when not, -1 when it has no closing ']'
 * (then the '[' is a literal).  Unless -1, *i moves past the ']'.
 *   - a '!' first negates; a ']' first (after any '!') is a member;
 *   - "x-y" is the range x..y, empty when x > y; a '-' first or last is a
 *     member, and so is one right after a range ("a-c-e": a..c, '-', 'e');
 *   - every other character is a member, '^', '[' and '\' included. */
static int match_bracket(const uint8_t *pat, size_t end, size_t *i, uint32_t c)
{
    size_t j = *i + 1;
    bool negate = j < end && pat[j] == '!';
    if (negate)
        j++;
    size_t first = j;
    if (j < end && pat[j] == ']')
        j++;
    while (j < end && pat[j] != ']')
        j++;
    if (j >= end)
        return -1;
    bool hit = false;
    for (size_t q = first; q < j;) {
        uint32_t lo = next_cp(pat, j, &q);
        if (q + 1 < j && pat[q] == '-') {
            q++;
            uint32_t hi = next_cp(pat, j, &q);
            hit = hit || (lo <= c && c <= hi);
        } else {
            hit = hit || lo == c;
        }
    }
    *i = j + 1;
    return hit != negate;
}

/* One pattern segment against one path segment, whole.  Each atom but '*'
 * consumes exactly one character, so remembering only the last '*' and
 * letting it take one more character at each mismatch is exact, and the
 * work is O(len(pattern) * len(path)). */
static bool match_segment(const uint8_t *pat, size_t pn, const uint8_t *str, size_t sn)
{
    size_t pi = 0, si = 0, star_p = SIZE_MAX, star_s = 0;
    while (si < sn) {
        if (pi < pn) {
            size_t s_next = si;
            uint32_t c = next_cp(str, sn, &s_next);
            if (pat[pi] == '*') {
                star_p = ++pi;
                star_s = si;
                continue;
            }
            if (pat[pi] == '?') {
                pi++;
                si = s_next;
                continue;
            }
            int m = -1;
            size_t p_next = pi;
            if (pat[pi] == '[')
                m = match_bracket(pat, pn, &p_next, c);
            if (m == -1) { /* a literal character (an unclosed '[' included) */
                p_next = pi;
                m = next_cp(pat, pn, &p_next) == c;
            }
            if (m == 1) {
                pi = p_next;
                si = s_next;
                continue;
            }
        }
        /* Mismatch: the last '*' takes one more character. */
        if (star_p == SIZE_MAX)
            return false;
        pi = star_p;
        (void)next_cp(str, sn, &star_s);
        si = star_s;
    }
    while (pi < pn && pat[pi] == '*')
        pi++;
    return pi == pn;
}

/* The end of the segment that starts at s[i]: the next '/' or n. */
static size_t segment_end(const uint8_t *s, size_t i, size_t n)
{
    while (i < n && s[i] != '/')
        i++;
    return i;
}

bool tuf_glob_match(rslice pat, rslice path)
{
    size_t pi = 0, si = 0;
    for (;;) {
        size_t pe = segment_end(pat.p, pi, pat.n), se = segment_end(path.p, si, path.n);
        if (!match_segment(pat.p + pi, pe - pi, path.p + si, se - si))
            return false;
        /* As many segments: both end here, or both go on. */
        if ((pe == pat.n) != (se == path.n))
            return false;
        if (pe == pat.n)
            return true;
        pi = pe + 1;
        si = se + 1;
    }
}

int tuf_path_hash_compute(rslice path, tuf_path_hash *out)
{
    uint8_t d[RHASH_MAX_LEN];
    int rc = rhash_digest(RHASH_SHA256, path.p, path.n, d);
    if (rc != 0)
        return rc;
    memcpy(out->digest, d, 32);
    rhex_encode(out->hex, d, 32);
    return 0;
}

bool tuf_delegation_covers(const tuf_md *delegator, const tuf_delegation *dr, rslice path, const tuf_path_hash *ph)
{
    const jdoc *d = delegator->doc;
    if (dr->paths != JD_NONE) {
        for (jd_ref s = jdoc_first(d, dr->paths); s != JD_NONE; s = jdoc_next(d, s))
            if (tuf_glob_match(jdoc_str(d, s), path))
                return true;
        return false;
    }
    if (dr->path_hash_prefixes != JD_NONE) {
        for (jd_ref s = jdoc_first(d, dr->path_hash_prefixes); s != JD_NONE; s = jdoc_next(d, s)) {
            rslice pre = jdoc_str(d, s);
            if (pre.n <= 64 && memcmp(ph->hex, pre.p, pre.n) == 0)
                return true;
        }
    }
    return false;
}

static unsigned suffix_digits(unsigned bits)
{
    return (bits + 3) / 4;
}

size_t tuf_succinct_suffix_for(const tuf_succinct *s, const tuf_path_hash *ph, char out[TUF_SUCCINCT_TAIL_SIZE])
{
    static const char hex[] = "0123456789abcdef";
    uint32_t first =
        (uint32_t)ph->digest[0] << 24 | (uint32_t)ph->digest[1] << 16 | (uint32_t)ph->digest[2] << 8 | ph->digest[3];
    /* bit_length is 1..32 (md_targets.c); out of range, the name is still bounded. */
    uint32_t bin = s->bit_length >= 32 ? first : s->bit_length == 0 ? 0 : first >> (32 - s->bit_length);
    size_t digits = suffix_digits(s->bit_length >= 32 ? 32 : s->bit_length);
    out[0] = '-';
    for (size_t i = 0; i < digits; i++)
        out[digits - i] = hex[(bin >> (4 * i)) & 0xf];
    out[digits + 1] = '\0';
    return digits + 1;
}

int tuf_succinct_role_for(const tuf_succinct *s, const tuf_path_hash *ph, rbuf *out)
{
    char tail[TUF_SUCCINCT_TAIL_SIZE];
    size_t n = tuf_succinct_suffix_for(s, ph, tail);
    int rc = rbuf_append(out, s->name_prefix.p, s->name_prefix.n);
    if (rc == 0)
        rc = rbuf_append(out, tail, n);
    return rc;
}

bool tuf_succinct_is_role(const tuf_succinct *s, rslice name)
{
    size_t pn = s->name_prefix.n, digits = suffix_digits(s->bit_length);
    if (name.n != pn + 1 + digits || (pn && memcmp(name.p, s->name_prefix.p, pn) != 0) || name.p[pn] != '-')
        return false;
    uint64_t v = 0;
    for (size_t i = pn + 1; i < name.n; i++) {
        uint8_t c = name.p[i];
        int x = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
        if (x < 0)
            return false;
        v = v << 4 | (uint64_t)x;
    }
    return v < ((uint64_t)1 << s->bit_length);
}
