/* apt_release.c - the strict Release reader (apt_release.h). */
#include <stdio.h>
#include <string.h>

#include "assess/apt_release.h"
#include "util/rtime.h"
#include "util/banned.h"

static const char *const HFIELD[APT_H_COUNT] = {"MD5Sum", "SHA1", "SHA256", "SHA512"};
static const size_t HHEX[APT_H_COUNT] = {32, 40, 64, 128};

const char *apt_hash_field(int h)
{
    return h >= 0 && h < APT_H_COUNT ? HFIELD[h] : "?";
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static bool num(rslice s, size_t at, size_t k, int *v)
{
    if (at + k > s.n)
        return false;
    int x = 0;
    for (size_t i = 0; i < k; i++) {
        if (!is_digit(s.p[at + i]))
            return false;
        x = x * 10 + (s.p[at + i] - '0');
    }
    *v = x;
    return true;
}

/* "Www, DD Mon YYYY HH:MM:SS ZONE" (RFC 2822 §3.3 as apt writes it; a
 * one-digit day is accepted, as apt's reader does). */
int apt_date_parse(rslice s, int64_t *out)
{
    static const char *const MON = "JanFebMarAprMayJunJulAugSepOctNovDec";
    static const char *const DAYS = "MonTueWedThuFriSatSun";
    if (s.n < 5 || s.n > 64 || s.p[3] != ',' || s.p[4] != ' ')
        return RAMPART_EFORMAT;
    bool dayname = false;
    for (size_t i = 0; i < 7; i++)
        dayname |= memcmp(s.p, DAYS + 3 * i, 3) == 0;
    size_t at = 5;
    int day, year, hh, mm, ss, mon = -1;
    size_t dl = at + 1 < s.n && s.p[at + 1] == ' ' ? 1 : 2;
    if (!dayname || !num(s, at, dl, &day))
        return RAMPART_EFORMAT;
    at += dl;
    if (at + 5 > s.n || s.p[at] != ' ' || s.p[at + 4] != ' ')
        return RAMPART_EFORMAT;
    for (int i = 0; i < 12; i++)
        if (memcmp(s.p + at + 1, MON + (ptrdiff_t)3 * i, 3) == 0)
            mon = i + 1;
    at += 5;
    if (mon < 0 || !num(s, at, 4, &year) || at + 4 >= s.n || s.p[at + 4] != ' ')
        return RAMPART_EFORMAT;
    at += 5;
    if (!num(s, at, 2, &hh) || at + 8 >= s.n || s.p[at + 2] != ':' || !num(s, at + 3, 2, &mm) || s.p[at + 5] != ':' ||
        !num(s, at + 6, 2, &ss) || s.p[at + 8] != ' ')
        return RAMPART_EFORMAT;
    at += 9;
    rslice z = {.p = s.p + at, .n = s.n - at};
    int64_t off = 0;
    int oh, om;
    if (rslice_eq_cstr(z, "UTC") || rslice_eq_cstr(z, "GMT") || rslice_eq_cstr(z, "Z")) {
        off = 0;
    } else if (z.n == 5 && (z.p[0] == '+' || z.p[0] == '-') && num(z, 1, 2, &oh) && num(z, 3, 2, &om) && om < 60) {
        off = (int64_t)(oh * 3600 + om * 60) * (z.p[0] == '+' ? 1 : -1);
    } else {
        return RAMPART_EFORMAT;
    }
    char iso[32];
    int k = snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02dZ", year, mon, day, hh, mm, ss);
    int64_t t = 0;
    if (k != 20 || rtime_parse(iso, 20, &t) != 0)
        return RAMPART_EFORMAT;
    *out = t - off;
    return 0;
}

static bool name_ok(rslice n)
{
    if (n.n == 0 || n.n > 64)
        return false;
    for (size_t i = 0; i < n.n; i++) {
        uint8_t c = n.p[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '-'))
            return false;
    }
    return true;
}

static bool is_hex(uint8_t c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* " HEX SIZE PATH" */
static bool hash_entry(rslice l, size_t hexlen)
{
    size_t i = 0;
    while (i < l.n && l.p[i] == ' ')
        i++;
    size_t h = i;
    while (i < l.n && is_hex(l.p[i]))
        i++;
    if (i - h != hexlen || i >= l.n || l.p[i] != ' ')
        return false;
    while (i < l.n && l.p[i] == ' ')
        i++;
    size_t d = i;
    while (i < l.n && is_digit(l.p[i]))
        i++;
    if (i == d || i - d > 19 || i >= l.n || l.p[i] != ' ')
        return false;
    while (i < l.n && l.p[i] == ' ')
        i++;
    return i < l.n; /* a path */
}

static int hash_index(rslice name)
{
    for (int h = 0; h < APT_H_COUNT; h++)
        if (rslice_eq_cstr(name, HFIELD[h]))
            return h;
    return -1;
}

static rslice trim(rslice s)
{
    while (s.n > 0 && (s.p[0] == ' ' || s.p[0] == '\t'))
        s.p++, s.n--;
    while (s.n > 0 && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t' || s.p[s.n - 1] == '\r'))
        s.n--;
    return s;
}

/* The fields kept, by name, with where they go. */
static rslice *simple_field(apt_release *r, rslice name)
{
    if (rslice_eq_cstr(name, "Origin"))
        return &r->origin;
    if (rslice_eq_cstr(name, "Label"))
        return &r->label;
    if (rslice_eq_cstr(name, "Suite"))
        return &r->suite;
    if (rslice_eq_cstr(name, "Codename"))
        return &r->codename;
    if (rslice_eq_cstr(name, "Signed-By"))
        return &r->signed_by;
    if (rslice_eq_cstr(name, "Acquire-By-Hash"))
        return &r->acquire_by_hash;
    return NULL;
}

#define MAX_FIELDS 128

typedef struct rel_state {
    apt_release *r;
    rslice names[MAX_FIELDS];
    size_t nnames;
    int cur_hash; /* the hash field continuation lines belong to, or -1 */
    bool in_field;
    rslice date, valid_until;
} rel_state;

static int field_line(rel_state *st, rslice l, size_t lineno, rerr *e)
{
    const uint8_t *colon = memchr(l.p, ':', l.n);
    if (colon == NULL)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "Release line %zu: no ':'", lineno);
    rslice name = {.p = l.p, .n = (size_t)(colon - l.p)};
    rslice value = trim((rslice){.p = colon + 1, .n = l.n - name.n - 1});
    if (!name_ok(name))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "Release line %zu: bad field name", lineno);
    for (size_t i = 0; i < st->nnames; i++)
        if (rslice_eq(st->names[i], name)) /* deb822 field names are case-insensitive; apt writes one case */
            return rerr_set(e, RAMPART_EFORMAT, NULL, "Release line %zu: duplicate field", lineno);
    if (st->nnames >= MAX_FIELDS)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "Release: more than %d fields", MAX_FIELDS);
    st->names[st->nnames++] = name;
    st->in_field = true;
    st->cur_hash = hash_index(name);
    if (st->cur_hash >= 0) {
        st->r->has_field[st->cur_hash] = true;
        if (value.n != 0)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "Release line %zu: hash field with a value", lineno);
        return 0;
    }
    rslice *dst = simple_field(st->r, name);
    if (dst != NULL)
        *dst = value;
    if (rslice_eq_cstr(name, "Date"))
        st->date = value, st->r->has_date = true;
    if (rslice_eq_cstr(name, "Valid-Until"))
        st->valid_until = value, st->r->has_valid_until = true;
    return 0;
}

int apt_release_parse(const uint8_t *text, size_t n, apt_release *out, rerr *e)
{
    if (n > APT_REL_MAX)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "Release larger than %u bytes", APT_REL_MAX);
    if (memchr(text, '\0', n) != NULL)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "Release holds a NUL byte");
    *out = (apt_release){0};
    rel_state st = {.r = out, .cur_hash = -1};
    size_t lineno = 0;
    const uint8_t *p = text, *end = text + n;
    while (p < end) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        rslice l = {.p = p, .n = (size_t)((nl != NULL ? nl : end) - p)};
        p = nl != NULL ? nl + 1 : end;
        lineno++;
        if (l.n > 0 && l.p[l.n - 1] == '\r')
            l.n--;
        if (l.n == 0) {
            /* A Release file is one paragraph: only trailing empty lines. */
            for (const uint8_t *q = p; q < end; q++)
                if (*q != '\n' && *q != '\r')
                    return rerr_set(e, RAMPART_EFORMAT, NULL, "Release line %zu: a second paragraph", lineno);
            break;
        }
        int rc = 0;
        if (l.p[0] == ' ' || l.p[0] == '\t') {
            if (!st.in_field)
                return rerr_set(e, RAMPART_EFORMAT, NULL, "Release line %zu: continuation without a field", lineno);
            if (st.cur_hash >= 0) {
                if (!hash_entry(l, HHEX[st.cur_hash]))
                    return rerr_set(e, RAMPART_EFORMAT, NULL, "Release line %zu: bad %s entry", lineno,
                                    HFIELD[st.cur_hash]);
                if (++out->entries[st.cur_hash] > APT_REL_MAX_ENTRIES)
                    return rerr_set(e, RAMPART_ETOOLARGE, NULL, "Release: more than %u %s entries", APT_REL_MAX_ENTRIES,
                                    HFIELD[st.cur_hash]);
            }
        } else if (l.p[0] == '#') {
            return rerr_set(e, RAMPART_EFORMAT, NULL, "Release line %zu: comment", lineno);
        } else {
            rc = field_line(&st, l, lineno, e);
        }
        if (rc != 0)
            return rc;
    }
    if (out->has_date && apt_date_parse(st.date, &out->date) != 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "Release: Date is not an RFC 2822 date");
    if (out->has_valid_until && apt_date_parse(st.valid_until, &out->valid_until) != 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "Release: Valid-Until is not an RFC 2822 date");
    return 0;
}
