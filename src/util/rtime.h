/*
 * rtime.h - UTC time as 64-bit seconds since the Unix epoch, and the strict
 * RFC 3339 form TUF uses for `expires`: exactly "YYYY-MM-DDTHH:MM:SSZ".
 * No local time zones anywhere; dates are proleptic Gregorian (leap years
 * every 4 years, except centuries not divisible by 400), no leap seconds.
 * Times before 1970 are negative.
 */
#ifndef RAMPART_UTIL_RTIME_H
#define RAMPART_UTIL_RTIME_H

#include <stdint.h>

#include "util/common.h"

#define RTIME_STR_LEN 20 /* "YYYY-MM-DDTHH:MM:SSZ" without the NUL */

/* The range rtime_format() accepts and rtime_parse() produces:
 * 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
#define RTIME_MIN INT64_C(-62167219200)
#define RTIME_MAX INT64_C(253402300799)

/* Parses exactly n == 20 bytes "YYYY-MM-DDTHH:MM:SSZ" into seconds since the
 * epoch in *out (written only on success).  Years 0000-9999; months 01-12;
 * days that exist in that month (Feb 29 only in leap years); hours 00-23;
 * minutes and seconds 00-59 (no leap second 60).  Every field has exactly
 * its digits (no signs or spaces); the separators are exactly '-', 'T', ':'
 * and 'Z' (upper case).  No fractions, no offsets, nothing before or after:
 * `s` need not be NUL-terminated, and a NUL inside the 20 bytes is refused.
 * EFORMAT for anything else, EINVAL when s or out is NULL. */
int rtime_parse(const char *s, size_t n, int64_t *out) RAMPART_MUST_USE;

/* Formats `t` as "YYYY-MM-DDTHH:MM:SSZ" plus a NUL into `out`.  EINVAL, with
 * `out` untouched, when t is outside [RTIME_MIN, RTIME_MAX] or out is NULL.
 * rtime_parse() of the result gives back t. */
int rtime_format(int64_t t, char out[RTIME_STR_LEN + 1]) RAMPART_MUST_USE;

/* The current UTC time in whole seconds from clock_gettime(CLOCK_REALTIME)
 * (which libfaketime can intercept, for expiry tests).  EIO when the clock
 * cannot be read, EINVAL when out is NULL; *out written only on success. */
int rtime_now(int64_t *out) RAMPART_MUST_USE;

/* Days from 1970-01-01 to the proleptic Gregorian date y-m-d (negative
 * before 1970).  No range checks, but every input is defined: a month
 * outside 1..12 carries into the year (month 0 is December of y-1, month 13
 * January of y+1) and a day outside the month counts on from its first day
 * (d = 0 is the day before the 1st).  Exact for |y| < 10^12. */
int64_t rtime_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
