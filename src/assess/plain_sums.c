/* plain_sums.c - the checksum-file reader (plain_sums.h). */
#include <string.h>

#include "assess/plain_sums.h"
#include "util/codec.h"
#include "util/banned.h"

static const char *const NAMES[4] = {"MD5", "SHA1", "SHA256", "SHA512"};
static const size_t HEXLEN[4] = {32, 40, 64, 128};

const char *sums_alg_name(sums_alg a)
{
    return (unsigned)a < 4 ? NAMES[a] : "?";
}

static bool hex(rslice h, sums_entry *en)
{
    for (int a = 0; a < 4; a++)
        if (h.n == HEXLEN[a])
            en->alg = (sums_alg)a;
    if (h.n != HEXLEN[en->alg])
        return false;
    size_t got = 0;
    if (rhex_decode(en->digest, sizeof(en->digest), &got, (const char *)h.p, h.n) != 0)
        return false;
    en->dlen = got;
    return true;
}

static bool name_ok(rslice n)
{
    if (n.n == 0 || n.n > 4096 || n.p[0] == '\\')
        return false;
    for (size_t i = 0; i < n.n; i++)
        if (n.p[i] < 0x20 || n.p[i] == 0x7f)
            return false;
    return true;
}

/* "TAG (NAME) = HEX" */
static bool bsd_line(rslice l, sums_entry *en)
{
    for (int a = 0; a < 4; a++) {
        size_t tl = strlen(NAMES[a]);
        if (l.n < tl + 2 || memcmp(l.p, NAMES[a], tl) != 0 || l.p[tl] != ' ' || l.p[tl + 1] != '(')
            continue;
        /* the last ") = " ends the name (a name may hold parentheses) */
        const uint8_t *sep = NULL;
        for (size_t i = tl + 2; i + 4 <= l.n; i++)
            if (memcmp(l.p + i, ") = ", 4) == 0)
                sep = l.p + i;
        if (sep == NULL)
            return false;
        en->name = (rslice){.p = l.p + tl + 2, .n = (size_t)(sep - (l.p + tl + 2))};
        rslice h = {.p = sep + 4, .n = (size_t)(l.p + l.n - (sep + 4))};
        return hex(h, en) && en->alg == (sums_alg)a && name_ok(en->name);
    }
    return false;
}

/* "HEX  NAME" or "HEX *NAME" */
static bool gnu_line(rslice l, sums_entry *en)
{
    size_t i = 0;
    while (i < l.n && l.p[i] != 0 && strchr("0123456789abcdefABCDEF", l.p[i]) != NULL)
        i++;
    if (i + 2 > l.n || l.p[i] != ' ' || (l.p[i + 1] != ' ' && l.p[i + 1] != '*'))
        return false;
    en->name = (rslice){.p = l.p + i + 2, .n = l.n - i - 2};
    return hex((rslice){.p = l.p, .n = i}, en) && name_ok(en->name);
}

int sums_parse(const uint8_t *text, size_t n, int (*fn)(void *ctx, const sums_entry *en), void *ctx, rerr *e)
{
    if (n > SUMS_MAX_BYTES)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "checksum file larger than %u bytes", SUMS_MAX_BYTES);
    const uint8_t *p = text, *end = text + n;
    size_t lineno = 0;
    while (p < end) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        rslice l = {.p = p, .n = (size_t)((nl != NULL ? nl : end) - p)};
        p = nl != NULL ? nl + 1 : end;
        if (++lineno > SUMS_MAX_LINES)
            return rerr_set(e, RAMPART_ETOOLARGE, NULL, "checksum file longer than %u lines", SUMS_MAX_LINES);
        if (l.n > 0 && l.p[l.n - 1] == '\r')
            l.n--;
        if (l.n == 0)
            continue;
        sums_entry en = {0};
        if (!bsd_line(l, &en) && !gnu_line(l, &en))
            return rerr_set(e, RAMPART_EFORMAT, NULL, "checksum file line %zu: not a checksum line", lineno);
        int rc = fn(ctx, &en);
        if (rc != 0)
            return rc;
    }
    return 0;
}
