/* rtime.c - UTC seconds since the epoch and the strict "YYYY-MM-DDTHH:MM:SSZ" form. */
#include <time.h>

#include "util/rtime.h"
#include "util/banned.h"

#define SECS_PER_DAY 86400
#define DAYS_PER_400Y 146097 /* 400 * 365 + 97 leap days */

/* Days before the first of each month in a common year. */
static const uint16_t days_before_month[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};

/* Floor division and its non-negative remainder, for negative years and times. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}
static int64_t floor_mod(int64_t a, int64_t b)
{
    return a - floor_div(a, b) * b;
}

static bool is_leap(int64_t y)
{
    return floor_mod(y, 4) == 0 && (floor_mod(y, 100) != 0 || floor_mod(y, 400) == 0);
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const uint8_t dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return dim[m - 1] + (m == 2 && is_leap(y));
}

/* Days from 0000-01-01 to the first of January of year y: 365 a year plus
 * one for each leap year in [0, y).  Year 0 is a leap year; the floor
 * divisions count the multiples of 4, 100 and 400 in that range (also for
 * negative y, where the count is negative). */
static int64_t days_before_year(int64_t y)
{
    return 365 * y + floor_div(y + 3, 4) - floor_div(y + 99, 100) + floor_div(y + 399, 400);
}

int64_t rtime_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Carry months outside 1..12 into the year, so every input is defined. */
    int64_t m0 = (int64_t)m - 1;
    y += floor_div(m0, 12);
    m0 = floor_mod(m0, 12);
    int64_t doy = days_before_month[m0] + (m0 >= 2 && is_leap(y)) + (int64_t)d - 1;
    return days_before_year(y) - days_before_year(1970) + doy;
}

/* Value of `len` decimal digits at s, or -1 if any byte is not a digit. */
static int digits(const char *s, int len)
{
    int v = 0;
    for (int i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int rtime_parse(const char *s, size_t n, int64_t *out)
{
    if (s == NULL || out == NULL)
        return RAMPART_EINVAL;
    if (n != RTIME_STR_LEN)
        return RAMPART_EFORMAT;
    /* Separators at fixed places; exact bytes, so 't', 'z', ' ' and '\0' fail. */
    if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
        return RAMPART_EFORMAT;
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    int h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59)
        return RAMPART_EFORMAT;
    if ((unsigned)d > days_in_month(y, (unsigned)mo))
        return RAMPART_EFORMAT;
    int64_t days = rtime_days_from_civil(y, (unsigned)mo, (unsigned)d);
    *out = days * SECS_PER_DAY + (int64_t)h * 3600 + (int64_t)mi * 60 + se;
    return 0;
}

/* Writes v as exactly `len` decimal digits (v >= 0 and fits). */
static void put_digits(char *p, int64_t v, int len)
{
    for (int i = len - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* The civil date of `days` since 1970-01-01 (the inverse of
 * rtime_days_from_civil), by whole 400-year cycles, then years, then months. */
static void civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t z = days + days_before_year(1970); /* days since 0000-01-01 */
    int64_t cycle = floor_div(z, DAYS_PER_400Y);
    int64_t doc = z - cycle * DAYS_PER_400Y; /* day of the cycle, 0..146096 */
    /* A year has at most 366 days, so doc / 366 is at most the year of the
     * cycle, and less by no more than one; step up to the right one. */
    int64_t yoc = doc / 366;
    while (days_before_year(yoc + 1) <= doc)
        yoc++;
    int64_t doy = doc - days_before_year(yoc); /* 0..365 */
    int64_t year = cycle * 400 + yoc;
    unsigned mon = 12;
    while (mon > 1 && doy < days_before_month[mon - 1] + (mon > 2 && is_leap(year)))
        mon--;
    *y = year;
    *m = mon;
    *d = (unsigned)(doy - days_before_month[mon - 1] - (mon > 2 && is_leap(year))) + 1;
}

int rtime_format(int64_t t, char out[RTIME_STR_LEN + 1])
{
    if (out == NULL || t < RTIME_MIN || t > RTIME_MAX)
        return RAMPART_EINVAL;
    int64_t days = floor_div(t, SECS_PER_DAY), secs = floor_mod(t, SECS_PER_DAY);
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    char buf[RTIME_STR_LEN + 1] = "0000-00-00T00:00:00Z";
    put_digits(buf, y, 4);
    put_digits(buf + 5, m, 2);
    put_digits(buf + 8, d, 2);
    put_digits(buf + 11, secs / 3600, 2);
    put_digits(buf + 14, secs / 60 % 60, 2);
    put_digits(buf + 17, secs % 60, 2);
    for (int i = 0; i <= RTIME_STR_LEN; i++)
        out[i] = buf[i];
    return 0;
}

int rtime_now(int64_t *out)
{
    struct timespec ts;
    if (out == NULL)
        return RAMPART_EINVAL;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return RAMPART_EIO;
    *out = (int64_t)ts.tv_sec;
    return 0;
}
