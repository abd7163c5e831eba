/* test_rtime.c - strict RFC 3339 UTC times, civil-date arithmetic, the clock. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "util/rtime.h"
#include "util/banned.h"

static int parse_str(const char *s, int64_t *t)
{
    return rtime_parse(s, strlen(s), t);
}

/* Known instants, cross-checked with Python's calendar.timegm. */
static void test_known_values(void)
{
    static const struct {
        const char *s;
        int64_t t;
    } known[] = {
        {"1970-01-01T00:00:00Z", 0},
        {"1969-12-31T23:59:59Z", -1},
        {"2038-01-19T03:14:07Z", INT64_C(2147483647)},
        {"2038-01-19T03:14:08Z", INT64_C(2147483648)},
        {"2038-01-20T00:00:00Z", INT64_C(2147558400)},
        {"2000-02-29T12:00:00Z", INT64_C(951825600)},
        {"1900-01-01T00:00:00Z", INT64_C(-2208988800)},
        {"1900-03-01T00:00:00Z", INT64_C(-2203891200)},
        {"2100-03-01T00:00:00Z", INT64_C(4107542400)},
        {"2030-01-01T00:00:00Z", INT64_C(1893456000)},
        {"0001-01-01T00:00:00Z", INT64_C(-62135596800)},
        {"0000-01-01T00:00:00Z", RTIME_MIN},
        {"9999-12-31T23:59:59Z", RTIME_MAX},
    };
    CHECK_INT(RTIME_MIN, INT64_C(-62167219200));
    CHECK_INT(RTIME_MAX, INT64_C(253402300799));
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(known); i++) {
        int64_t t = 12345;
        CHECK_OK(parse_str(known[i].s, &t));
        CHECK_INT(t, known[i].t);
        char out[RTIME_STR_LEN + 1];
        CHECK_OK(rtime_format(known[i].t, out));
        CHECK_STR(out, known[i].s);
    }
}

/* A calendar oracle that is independent of rtime.c: steps one day at a time. */
static bool oracle_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}
static int oracle_dim(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && oracle_leap(y) ? 29 : dim[m - 1];
}

/* Every day from 0000-01-01 to 9999-12-31 (including all of 1970-2100),
 * at a time of day that varies, is formatted as the oracle's date and
 * parses back to the same second. */
static void test_every_day_round_trip(void)
{
    int y = 0, m = 1, d = 1;
    int64_t day = RTIME_MIN / 86400;
    char want[64], got[RTIME_STR_LEN + 1];
    long checked = 0;
    while (y <= 9999) {
        int64_t sod = (day * 7919) % 86400;
        if (sod < 0)
            sod += 86400;
        int64_t t = day * 86400 + sod, back = 0;
        snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(sod / 3600), (int)(sod / 60 % 60),
                 (int)(sod % 60));
        CHECK_OK(rtime_format(t, got));
        CHECK_STR(got, want);
        CHECK_OK(rtime_parse(got, RTIME_STR_LEN, &back));
        CHECK_INT(back, t);
        CHECK_INT(rtime_days_from_civil(y, (unsigned)m, (unsigned)d), day);
        checked++;
        day++;
        if (++d > oracle_dim(y, m)) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    CHECK_INT(checked, 3652425); /* 10000 years of 365.2425 days */
    CHECK_INT(day - 1, RTIME_MAX / 86400);
}

/* The first and last second of each day around the epoch and other edges. */
static void test_day_edges(void)
{
    static const int64_t ts[] = {-86401,    -86400,        -86399,        -1,       0, 1, 86399, 86400,
                                 RTIME_MIN, RTIME_MIN + 1, RTIME_MAX - 1, RTIME_MAX};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(ts); i++) {
        char s[RTIME_STR_LEN + 1];
        int64_t back = 0;
        CHECK_OK(rtime_format(ts[i], s));
        CHECK_OK(rtime_parse(s, RTIME_STR_LEN, &back));
        CHECK_INT(back, ts[i]);
    }
    char s[RTIME_STR_LEN + 1];
    CHECK_OK(rtime_format(-86401, s));
    CHECK_STR(s, "1969-12-30T23:59:59Z");
    CHECK_OK(rtime_format(RTIME_MIN + 1, s));
    CHECK_STR(s, "0000-01-01T00:00:01Z");
}

static void test_leap_years(void)
{
    int64_t t;
    static const char *ok[] = {"2000-02-29T00:00:00Z", "2024-02-29T23:59:59Z", "1600-02-29T00:00:00Z",
                               "0000-02-29T00:00:00Z", "0004-02-29T00:00:00Z", "9996-02-29T00:00:00Z",
                               "2400-02-29T00:00:00Z", "2032-02-29T12:00:00Z"};
    static const char *bad[] = {"1900-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2031-02-29T00:00:00Z",
                                "2023-02-29T00:00:00Z", "0100-02-29T00:00:00Z", "9999-02-29T00:00:00Z",
                                "2200-02-29T00:00:00Z", "2000-02-30T00:00:00Z", "2024-02-30T00:00:00Z",
                                "2030-02-30T00:00:00Z", "2030-02-31T00:00:00Z"};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(ok); i++)
        CHECK_OK(parse_str(ok[i], &t));
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(bad); i++) {
        t = 777;
        CHECK_RC(parse_str(bad[i], &t), RAMPART_EFORMAT);
        CHECK_INT(t, 777);
    }
    /* The last day of each month exists; the day after does not. */
    static const char *months[] = {"01-31", "03-31", "04-30", "05-31", "06-30", "07-31",
                                   "08-31", "09-30", "10-31", "11-30", "12-31"};
    static const char *past[] = {"01-32", "03-32", "04-31", "05-32", "06-31", "07-32",
                                 "08-32", "09-31", "10-32", "11-31", "12-32"};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(months); i++) {
        char s[32];
        snprintf(s, sizeof(s), "2030-%sT00:00:00Z", months[i]);
        CHECK_OK(parse_str(s, &t));
        snprintf(s, sizeof(s), "2030-%sT00:00:00Z", past[i]);
        CHECK_RC(parse_str(s, &t), RAMPART_EFORMAT);
    }
}

static void test_rejects(void)
{
    /* S60 of docs/security-matrix.md and friends: each is refused with EFORMAT. */
    static const char *bad[] = {
        "",
        "2030-01-01T00:00:00",       /* missing Z */
        "2030-01-01T00:00:00+00:00", /* offsets */
        "2030-01-01T00:00:00-00:00",
        "2030-01-01T01:00:00+01:00",
        "2030-01-01T00:00:00+0000",
        "2030-01-01T00:00:00.000Z", /* fractions */
        "2030-01-01T00:00:00.5Z",
        "2030-01-01 00:00:00Z", /* space instead of T */
        "2030-01-01t00:00:00Z", /* lower case */
        "2030-01-01T00:00:00z",
        "2030-01-01T00:00:00ZZ", /* 21 bytes */
        "2030-01-01T00:00:00Z ",
        " 2030-01-01T00:00:00Z",
        "2030-01-01T00:00:00Z\n",
        "02030-01-01T00:00:00Z", /* five-digit year */
        "+2030-01-01T00:00:00Z",
        "-2030-01-01T00:00:00Z",
        "+030-01-01T00:00:00Z", /* sign in place of a digit, 20 bytes */
        "-001-01-01T00:00:00Z",
        "2030-1-01T00:00:00Z", /* short fields */
        "2030-01-1T00:00:00Z",
        "2030-01-01T0:00:00Z",
        "2030-01-01T00:0:00Z",
        "2030-01-01T00:00:0Z",
        "2030-1-01T00:00:000Z", /* short field padded back to 20 bytes */
        "2030-01-1T000:00:00Z",
        "2030-01- 1T00:00:00Z",
        "2030-01-+1T00:00:00Z",
        "2030- 1-01T00:00:00Z",
        " 030-01-01T00:00:00Z",
        "2030-00-01T00:00:00Z", /* month 0, 13 */
        "2030-13-01T00:00:00Z",
        "2030-99-01T00:00:00Z",
        "2030-01-00T00:00:00Z", /* day 0 */
        "2030-01-32T00:00:00Z",
        "2030-02-30T00:00:00Z",
        "2031-02-29T00:00:00Z",
        "2030-04-31T00:00:00Z",
        "2030-01-01T24:00:00Z", /* hour 24 */
        "2030-01-01T25:00:00Z",
        "2030-01-01T00:60:00Z", /* minute 60 */
        "2030-01-01T00:00:60Z", /* leap second */
        "2030-01-01T00:00:61Z",
        "2030-01-01T99:99:99Z",
        "2030/01/01T00:00:00Z", /* wrong separators */
        "2030-01-01T00.00.00Z",
        "2030-01-01T00-00-00Z",
        "2030:01:01T00:00:00Z",
        "2030-01-01X00:00:00Z",
        "2030-01-01T00:00:00X",
        "20300101T000000Z", /* basic format */
        "2030-01-01",
        "2030-01-01T00:00Z",
        "2030-001T00:00:00Z",   /* ordinal date */
        "2030-W01-1T00:00:00Z", /* week date */
        "203a-01-01T00:00:00Z", /* letters and other bytes in digits */
        "2030-0a-01T00:00:00Z",
        "2030-01-01T0x:00:00Z",
        "2030-01-01T00:00:0\x7fZ",
        "2030-01-01T00:00:0\xb9Z",
        "\357\274\222030-01-01T00:00:00Z", /* a fullwidth digit */
        "2030-01-01T00:00:00\xe2\x80\x8b", /* zero-width space for Z */
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(bad); i++) {
        int64_t t = 555;
        int rc = parse_str(bad[i], &t);
        if (rc != RAMPART_EFORMAT)
            fprintf(stderr, "  accepted or wrong code for \"%s\"\n", bad[i]);
        CHECK_RC(rc, RAMPART_EFORMAT);
        CHECK_INT(t, 555);
    }
}

static void test_length_and_nul(void)
{
    int64_t t = 555;
    const char *good = "2030-01-01T00:00:00Z";
    /* The length given decides, not a terminator: 19, 21 and 0 bytes fail ... */
    CHECK_RC(rtime_parse(good, 19, &t), RAMPART_EFORMAT);
    CHECK_RC(rtime_parse("2030-01-01T00:00:00Zx", 21, &t), RAMPART_EFORMAT);
    CHECK_RC(rtime_parse(good, 0, &t), RAMPART_EFORMAT);
    CHECK_RC(rtime_parse(good, SIZE_MAX, &t), RAMPART_EFORMAT);
    /* ... and 20 bytes without a terminator are fine. */
    char raw[20];
    memcpy(raw, good, 20);
    CHECK_OK(rtime_parse(raw, 20, &t));
    CHECK_INT(t, INT64_C(1893456000));
    /* An embedded NUL anywhere inside the 20 bytes fails. */
    for (int i = 0; i < 20; i++) {
        memcpy(raw, good, 20);
        raw[i] = '\0';
        t = 555;
        CHECK_RC(rtime_parse(raw, 20, &t), RAMPART_EFORMAT);
        CHECK_INT(t, 555);
    }
    CHECK_RC(rtime_parse("2030-01-01T00:00:00Z\0", 21, &t), RAMPART_EFORMAT);
    CHECK_RC(rtime_parse(NULL, 20, &t), RAMPART_EINVAL);
    CHECK_RC(rtime_parse(good, 20, NULL), RAMPART_EINVAL);
}

static void test_format_range(void)
{
    char out[RTIME_STR_LEN + 1];
    static const int64_t bad[] = {RTIME_MIN - 1,         RTIME_MAX + 1,        INT64_MIN, INT64_MAX, INT64_MIN + 1,
                                  INT64_C(-62167219201), INT64_C(253402300800)};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(bad); i++) {
        memcpy(out, "untouched-untouched", 20);
        CHECK_RC(rtime_format(bad[i], out), RAMPART_EINVAL);
        CHECK_STR(out, "untouched-untouched");
    }
    CHECK_RC(rtime_format(0, NULL), RAMPART_EINVAL);
}

static void test_days_from_civil(void)
{
    CHECK_INT(rtime_days_from_civil(1970, 1, 1), 0);
    CHECK_INT(rtime_days_from_civil(1969, 12, 31), -1);
    CHECK_INT(rtime_days_from_civil(2000, 3, 1), 11017);
    CHECK_INT(rtime_days_from_civil(0, 1, 1), -719528);
    CHECK_INT(rtime_days_from_civil(9999, 12, 31), 2932896);
    /* Proleptic before year 0: -0001 is 365 days, -0004 a leap year. */
    CHECK_INT(rtime_days_from_civil(-1, 1, 1), -719528 - 365);
    CHECK_INT(rtime_days_from_civil(-400, 1, 1), -719528 - 146097); /* one 400-year cycle */
    CHECK_INT(rtime_days_from_civil(-401, 1, 1), -719528 - 146097 - 365);
    CHECK_INT(rtime_days_from_civil(-800, 1, 1), -719528 - 2 * 146097);
    CHECK_INT(rtime_days_from_civil(-4, 3, 1) - rtime_days_from_civil(-4, 2, 1), 29);
    CHECK_INT(rtime_days_from_civil(-100, 3, 1) - rtime_days_from_civil(-100, 2, 1), 28);
    CHECK_INT(rtime_days_from_civil(-400, 3, 1) - rtime_days_from_civil(-400, 2, 1), 29);
    /* Out-of-range months carry into the year, days count on. */
    CHECK_INT(rtime_days_from_civil(2024, 13, 1), rtime_days_from_civil(2025, 1, 1));
    CHECK_INT(rtime_days_from_civil(2024, 0, 1), rtime_days_from_civil(2023, 12, 1));
    CHECK_INT(rtime_days_from_civil(2024, 25, 1), rtime_days_from_civil(2026, 1, 1));
    CHECK_INT(rtime_days_from_civil(2024, 3, 0), rtime_days_from_civil(2024, 2, 29));
    CHECK_INT(rtime_days_from_civil(2023, 2, 29), rtime_days_from_civil(2023, 3, 1));
    CHECK_INT(rtime_days_from_civil(1970, 1, 366), 365);
    /* Far years do not overflow. */
    CHECK_INT(rtime_days_from_civil(INT64_C(400000000000), 1, 1) - rtime_days_from_civil(0, 1, 1),
              INT64_C(146097000000000));
}

static void test_now(void)
{
    int64_t now = 0;
    time_t before = time(NULL);
    CHECK_OK(rtime_now(&now));
    time_t after = time(NULL);
    CHECK(before != (time_t)-1 && after != (time_t)-1);
    CHECK(now >= (int64_t)before && now <= (int64_t)after);
    CHECK_RC(rtime_now(NULL), RAMPART_EINVAL);
}

#define FAKETIME_LIB "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"

/* rtime_now() reads the clock through clock_gettime, so libfaketime moves it:
 * run this program again under LD_PRELOAD and compare. */
static void test_now_under_faketime(void)
{
    if (access(FAKETIME_LIB, R_OK) != 0) {
        printf("test_now_under_faketime: SKIPPED (no %s)\n", FAKETIME_LIB);
        return;
    }
    /* Under valgrind /proc/self/exe is valgrind's tool, which cannot be run
     * again directly (scripts/valgrind sets RAMPART_UNDER_VALGRIND). */
    if (getenv("RAMPART_UNDER_VALGRIND") != NULL) {
        printf("test_now_under_faketime: SKIPPED (under valgrind)\n");
        return;
    }
    int fds[2];
    CHECK(pipe(fds) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        char asan[512];
        const char *old = getenv("ASAN_OPTIONS");
        /* ASan wants its runtime first in the library list; faketime comes first here. */
        snprintf(asan, sizeof(asan), "%s%sverify_asan_link_order=0", old ? old : "", old ? ":" : "");
        if (dup2(fds[1], 1) != 1 || setenv("LD_PRELOAD", FAKETIME_LIB, 1) != 0 ||
            setenv("FAKETIME", "@2040-01-01 00:00:00", 1) != 0 || setenv("TZ", "UTC", 1) != 0 ||
            setenv("ASAN_OPTIONS", asan, 1) != 0)
            _exit(2);
        execl("/proc/self/exe", "test_rtime", "--print-now", (char *)NULL);
        _exit(3);
    }
    close(fds[1]);
    char buf[64] = {0};
    size_t got = 0;
    for (;;) {
        ssize_t r = read(fds[0], buf + got, sizeof(buf) - 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fds[0]);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char *end = NULL;
    long long faked = strtoll(buf, &end, 10);
    CHECK(end != buf && *end == '\n');
    /* 2040-01-01T00:00:00Z is 2208988800; allow for a slow start. */
    CHECK(faked >= 2208988800LL && faked < 2208988800LL + 60);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--print-now") == 0) {
        int64_t t;
        if (rtime_now(&t) != 0)
            return 1;
        printf("%lld\n", (long long)t);
        return 0;
    }
    RUN(test_known_values);
    RUN(test_every_day_round_trip);
    RUN(test_day_edges);
    RUN(test_leap_years);
    RUN(test_rejects);
    RUN(test_length_and_nul);
    RUN(test_format_range);
    RUN(test_days_from_civil);
    RUN(test_now);
    RUN(test_now_under_faketime);
    return th_summary("test_rtime");
}
