/* semver.c - semantic versions (SemVer 2.0.0): the check and the precedence order (no I/O). */
#include <string.h>

#include "install/install_internal.h"
#include "rampart/install.h"
#include "util/banned.h"

#define MAX_DIGITS 18 /* fits int64_t */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_ident_char(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* One numeric part of MAJOR.MINOR.PATCH at s[*i..n): §2, no leading zeros. */
static int number(const char *s, size_t n, size_t *i, const char *what, rerr *e)
{
    size_t start = *i;
    while (*i < n && is_digit(s[*i]))
        (*i)++;
    size_t len = *i - start;
    if (len == 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "version '%.*s': no %s number", (int)n, s, what);
    if (len > 1 && s[start] == '0')
        return rerr_set(e, RAMPART_EFORMAT, NULL, "version '%.*s': %s number has a leading zero", (int)n, s, what);
    if (len > MAX_DIGITS)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "version '%.*s': %s number too long", (int)n, s, what);
    return 0;
}

/* Dot-separated identifiers at s[*i..n) up to `stop` (or the end): §9, §10. */
static int identifiers(const char *s, size_t n, size_t *i, char stop, bool numeric_rule, const char *what, rerr *e)
{
    for (;;) {
        size_t start = *i;
        bool digits_only = true;
        while (*i < n && s[*i] != '.' && s[*i] != stop) {
            if (!is_ident_char(s[*i]))
                return rerr_set(e, RAMPART_EFORMAT, NULL, "version '%.*s': bad character in %s", (int)n, s, what);
            digits_only = digits_only && is_digit(s[*i]);
            (*i)++;
        }
        size_t len = *i - start;
        if (len == 0)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "version '%.*s': empty %s identifier", (int)n, s, what);
        if (numeric_rule && digits_only && len > 1 && s[start] == '0')
            return rerr_set(e, RAMPART_EFORMAT, NULL, "version '%.*s': numeric %s identifier has a leading zero",
                            (int)n, s, what);
        if (*i < n && s[*i] == '.') {
            (*i)++;
            continue;
        }
        return 0;
    }
}

int rinst_semver_check(const char *s, size_t n, rerr *e)
{
    if (s == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "no version given");
    if (n == 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "empty version");
    if (n > RINST_VERSION_MAX)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "version longer than %d bytes", RINST_VERSION_MAX);
    static const char *const parts[] = {"major", "minor", "patch"};
    size_t i = 0;
    for (size_t p = 0; p < 3; p++) {
        int rc = number(s, n, &i, parts[p], e);
        if (rc != 0)
            return rc;
        if (p < 2) {
            if (i >= n || s[i] != '.')
                return rerr_set(e, RAMPART_EFORMAT, NULL, "version '%.*s' is not MAJOR.MINOR.PATCH", (int)n, s);
            i++;
        }
    }
    if (i < n && s[i] == '-') {
        i++;
        int rc = identifiers(s, n, &i, '+', true, "pre-release", e);
        if (rc != 0)
            return rc;
    }
    if (i < n && s[i] == '+') {
        i++;
        int rc = identifiers(s, n, &i, '\0', false, "build", e);
        if (rc != 0)
            return rc;
    }
    if (i != n)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "version '%.*s': unexpected text after the version", (int)n, s);
    return 0;
}

/* Compares two runs of digits without leading zeros numerically. */
static int cmp_numeric(const char *a, size_t na, const char *b, size_t nb)
{
    if (na != nb)
        return na < nb ? -1 : 1;
    int c = memcmp(a, b, na);
    return c < 0 ? -1 : c > 0;
}

static size_t span_until(const char *s, const char *stops)
{
    return strcspn(s, stops);
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return false;
    return true;
}

/* §11.4: pre-release identifiers a and b (up to '+' or the end), both non-empty. */
static int cmp_prerelease(const char *a, const char *b)
{
    for (;;) {
        size_t na = span_until(a, ".+"), nb = span_until(b, ".+");
        bool da = all_digits(a, na), db = all_digits(b, nb);
        int c;
        if (da && db)
            c = cmp_numeric(a, na, b, nb);
        else if (da != db)
            c = da ? -1 : 1; /* §11.4.3: numeric identifiers have lower precedence */
        else {
            size_t m = na < nb ? na : nb;
            c = memcmp(a, b, m); /* §11.4.2: ASCII order */
            c = c != 0 ? (c < 0 ? -1 : 1) : (na == nb ? 0 : (na < nb ? -1 : 1));
        }
        if (c != 0)
            return c;
        bool more_a = a[na] == '.', more_b = b[nb] == '.';
        if (!more_a || !more_b)
            return more_a == more_b ? 0 : (more_a ? 1 : -1); /* §11.4.4: the longer set is higher */
        a += na + 1;
        b += nb + 1;
    }
}

int rinst_semver_cmp(const char *a, const char *b)
{
    for (int p = 0; p < 3; p++) {
        size_t na = strspn(a, "0123456789"), nb = strspn(b, "0123456789");
        int c = cmp_numeric(a, na, b, nb);
        if (c != 0)
            return c;
        a += na;
        b += nb;
        if (p < 2) {
            a++;
            b++;
        }
    }
    bool pa = *a == '-', pb = *b == '-';
    if (!pa || !pb)
        return pa == pb ? 0 : (pa ? -1 : 1); /* §11.3: a pre-release is below its release */
    return cmp_prerelease(a + 1, b + 1);
}

int rampart_version_compare(const char *a, const char *b, int *result)
{
    if (a == NULL || b == NULL || result == NULL)
        return RAMPART_EINVAL;
    if (rinst_semver_check(a, strlen(a), NULL) != 0 || rinst_semver_check(b, strlen(b), NULL) != 0)
        return RAMPART_EFORMAT;
    *result = rinst_semver_cmp(a, b);
    return 0;
}
