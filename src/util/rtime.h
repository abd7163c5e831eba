/*
 * rtime.h - UTC time as 64-bit seconds since the Unix epoch, and the strict
 * RFC 3339 form TUF uses for `expires`: exactly "YYYY-MM-DDTHH:MM:SSZ".
 * No local time zones anywhere.
 */
#ifndef RAMPART_UTIL_RTIME_H
#define RAMPART_UTIL_RTIME_H

#include <stdint.h>

#include "util/common.h"

#define RTIME_STR_LEN 20 /* "YYYY-MM-DDTHH:MM:SSZ" without the NUL */

/* Parses exactly 20 bytes "YYYY-MM-DDTHH:MM:SSZ" (years 0000-9999, real
 * calendar days including leap years, hours 00-23, minutes and seconds
 * 00-59; no fractions, offsets, lower-case letters or spaces).  EFORMAT
 * otherwise. */
int rtime_parse(const char *s, size_t n, int64_t *out) RAMPART_MUST_USE;
/* Formats `t` into out[RTIME_STR_LEN + 1].  EINVAL when the year is outside 0000-9999. */
int rtime_format(int64_t t, char out[RTIME_STR_LEN + 1]) RAMPART_MUST_USE;
/* The current UTC time from clock_gettime(CLOCK_REALTIME) (which faketime
 * can intercept).  EIO when the clock cannot be read. */
int rtime_now(int64_t *out) RAMPART_MUST_USE;
/* Days since 1970-01-01 of a proleptic Gregorian date (no range checks). */
int64_t rtime_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
