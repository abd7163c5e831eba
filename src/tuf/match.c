/* match.c - delegation path patterns, path hash prefixes, succinct bins. */
#include <string.h>

#include "tuf/match.h"
#include "util/codec.h"
#include "util/banned.h"

/* A bracket expression at pat[*i] (just past '['): returns 1 match, 0 no
 * match, -1 when the bracket is not closed (then '[' is literal, as in
 * Python's fnmatch).  On a match or no-match *i moves past ']'. */
static int match_bracket(rslice pat, size_t *i, uint8_t c)
{
    size_t j = *i;
    bool negate = false, hit = false;
    if (j < pat.n && pat.p[j] == '!') {
        negate = true;
        j++;
    }
    size_t first = j;
    while (j < pat.n && (pat.p[j] != ']' || j == first)) {
        uint8_t lo = pat.p[j];
        if (j + 2 < pat.n && pat.p[j + 1] == '-' && pat.p[j + 2] != ']') {
            uint8_t hi = pat.p[j + 2];
            if (lo <= c && c <= hi)
                hit = true;
            j += 3;
        } else {
            if (lo == c)
                hit = true;
            j++;
        }
    }
    if (j >= pat.n)
        return -1;
    *i = j + 1;
    /* A bracket never matches the separator. */
    if (c == '/')
        return 0;
    return hit != negate;
}

/* Iterative matcher with single-star backtracking; a star's run is bounded
 * by the next '/', so the work is O(len(pattern) * len(path)). */
bool tuf_glob_match(rslice pat, rslice path)
{
    size_t pi = 0, si = 0;
    size_t star_p = SIZE_MAX, star_s = 0;
    while (si < path.n) {
        if (pi < pat.n) {
            uint8_t pc = pat.p[pi];
            if (pc == '*') {
                star_p = ++pi;
                star_s = si;
                continue;
            }
            if (pc == '?' && path.p[si] != '/') {
                pi++;
                si++;
                continue;
            }
            if (pc == '[') {
                size_t k = pi + 1;
                int m = match_bracket(pat, &k, path.p[si]);
                if (m == 1) {
                    pi = k;
                    si++;
                    continue;
                }
                if (m == -1 && path.p[si] == '[') {
                    pi++;
                    si++;
                    continue;
                }
            } else if (pc != '?' && pc == path.p[si]) {
                pi++;
                si++;
                continue;
            }
        }
        /* Mismatch: let the last star swallow one more byte, unless that byte is '/'. */
        if (star_p != SIZE_MAX && path.p[star_s] != '/') {
            pi = star_p;
            si = ++star_s;
            continue;
        }
        return false;
    }
    while (pi < pat.n && pat.p[pi] == '*')
        pi++;
    return pi == pat.n;
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
    uint32_t first = (uint32_t)ph->digest[0] << 24 | (uint32_t)ph->digest[1] << 16 | (uint32_t)ph->digest[2] << 8 |
                     ph->digest[3];
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
