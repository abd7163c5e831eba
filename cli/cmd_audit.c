/*
 * cmd_audit.c - `rampart audit verify` (is the endpoint's audit log intact?),
 * `rampart audit show` (print and filter its records) and `rampart audit
 * note` (an operator's record); see docs/audit.md and docs/man/rampart.1.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

enum { O_DIR = 256, O_VKEY, O_SINCE, O_KIND, O_TARGET, O_JSON, O_MESSAGE };

struct audit_args {
    const char *dir, *vkey_file, *kind, *target, *message;
    long long since;
    int json;
    unsigned long shown;
};

/* The `n` decimal digits at s (exactly n, all digits), or -1. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" as seconds since the epoch (UTC). */
static int parse_since(const char *s, long long *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    size_t len = strlen(s);
    if ((len != 10 && len != 20) || s[4] != '-' || s[7] != '-')
        return -1;
    tm.tm_year = digits(s, 4);
    tm.tm_mon = digits(s + 5, 2);
    tm.tm_mday = digits(s + 8, 2);
    if (len == 20) {
        if (s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
            return -1;
        tm.tm_hour = digits(s + 11, 2);
        tm.tm_min = digits(s + 14, 2);
        tm.tm_sec = digits(s + 17, 2);
    }
    if (tm.tm_year < 0 || tm.tm_hour < 0 || tm.tm_min < 0 || tm.tm_sec < 0)
        return -1;
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
        tm.tm_sec > 60)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (long long)timegm(&tm);
    return 0;
}

static int audit_opt(void *ctx, int id, const char *arg)
{
    struct audit_args *a = ctx;
    switch (id) {
    case O_DIR:
        a->dir = arg;
        return 0;
    case O_VKEY:
        a->vkey_file = arg;
        return 0;
    case O_SINCE:
        if (parse_since(arg, &a->since) != 0) {
            cli_usage_error("--since takes YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, not '%s'", arg);
            return CLI_USAGE;
        }
        return 0;
    case O_KIND:
        a->kind = arg;
        return 0;
    case O_TARGET:
        a->target = arg;
        return 0;
    case O_MESSAGE:
        a->message = arg;
        return 0;
    default: /* O_JSON */
        a->json = 1;
        return 0;
    }
}

#define DIR_OPT                                                                                                        \
    {                                                                                                                  \
        "dir", required_argument, O_DIR, 0, "DIR", "the audit folder (required)"                                       \
    }

static const struct cli_opt verify_opts[] = {
    DIR_OPT,
    {"vkey", required_argument, O_VKEY, 0, "FILE",
     "the verifier key copied off the endpoint at enrolment\n(default: DIR/audit.vkey, which an attacker may replace)"},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct cli_cmd verify_cmd = {
    "audit verify", "audit verify --dir DIR [--vkey FILE]",
    "Verifies the audit log: the checkpoint's signature, the hash chain of every record\n"
    "(sequence numbers and previous-record hashes) and the Merkle root the checkpoint signs.\n"
    "Exit 0: intact.  Exit 1: RAMPART_ETAMPERED (a record edited, removed, inserted or\n"
    "reordered, or records cut from the end), RAMPART_EBADSIG (not signed by that key),\n"
    "RAMPART_ETORN (an incomplete last line left by a crash; the records before it verify).",
    verify_opts, audit_opt};

static const struct cli_opt show_opts[] = {
    DIR_OPT,
    {"since", required_argument, O_SINCE, 0, "TIME", "only records from TIME on (YYYY-MM-DD[THH:MM:SSZ], UTC)"},
    {"kind", required_argument, O_KIND, 0, "KIND", "only records of this kind (installed, refused, anomaly, ...)"},
    {"target", required_argument, O_TARGET, 0, "PATTERN", "only records whose target matches (shell pattern)"},
    {"json", no_argument, O_JSON, 0, NULL, "print each record's JSON line"},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct cli_cmd show_cmd = {"audit show",
                                        "audit show --dir DIR [--since TIME] [--kind KIND] [--target PATTERN] [--json]",
                                        "Prints the records of the audit log, oldest first (without verifying it: see\n"
                                        "`rampart audit verify`).",
                                        show_opts, audit_opt};

static const struct cli_opt note_opts[] = {
    DIR_OPT,
    {"message", required_argument, O_MESSAGE, 0, "TEXT", "the note (required)"},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct cli_cmd note_cmd = {"audit note", "audit note --dir DIR --message TEXT",
                                        "Appends an operator's note (a record of kind \"note\") to the audit log,\n"
                                        "making the log and its key when missing.",
                                        note_opts, audit_opt};

static int parse_sub(const struct cli_cmd *cmd, int argc, char **argv, struct audit_args *a)
{
    int npos = 0;
    int rc = cli_parse(cmd, argc, argv, a, &npos);
    if (rc != 0)
        return rc == CLI_HELP ? -1 : rc;
    if (npos != 0) {
        cli_usage_error("unexpected argument '%s'", argv[1]);
        return CLI_USAGE;
    }
    if (a->dir == NULL) {
        cli_usage_error("--dir DIR is required");
        return CLI_USAGE;
    }
    return 0;
}

/* Reads a small text file whole (the verifier key). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = calloc(1, 1025);
    size_t n = buf != NULL ? fread(buf, 1, 1024, f) : 0;
    if (buf != NULL && (n == 0 || !feof(f))) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static int audit_verify(int argc, char **argv)
{
    struct audit_args a = {0};
    int rc = parse_sub(&verify_cmd, argc, argv, &a);
    if (rc != 0)
        return rc < 0 ? CLI_OK : rc;
    char *vkey = NULL;
    if (a.vkey_file != NULL && (vkey = slurp(a.vkey_file)) == NULL) {
        cli_error(RAMPART_EIO, "cannot read the verifier key '%s'", a.vkey_file);
        return CLI_FAIL;
    }
    rampart_audit_summary sum;
    rampart_error err = {0};
    rc = rampart_audit_verify(a.dir, vkey, &sum, &err);
    free(vkey);
    if (rc != 0) {
        cli_report("audit log", rc, &err);
        return CLI_FAIL;
    }
    printf("audit log: %llu records verified, %llu covered by the signed checkpoint", (unsigned long long)sum.records,
           (unsigned long long)sum.signed_records);
    if (sum.sealed > 0)
        printf(", %llu interrupted appends sealed", (unsigned long long)sum.sealed);
    printf("\n");
    if (sum.signed_records < sum.records)
        cli_warnf("%llu records after the checkpoint are not signed yet (a crash after an append; the next "
                  "writer signs them)",
                  (unsigned long long)(sum.records - sum.signed_records));
    return CLI_OK;
}

static int show_one(void *ctx, const rampart_audit_entry *e)
{
    struct audit_args *a = ctx;
    if (a->since != 0 && e->time < a->since)
        return 0;
    if (a->kind != NULL && strcmp(a->kind, e->kind) != 0)
        return 0;
    if (a->target != NULL && (e->target == NULL || fnmatch(a->target, e->target, 0) != 0))
        return 0;
    a->shown++;
    if (a->json) {
        char *line = strndup(e->line, e->line_len);
        if (line == NULL)
            return RAMPART_ENOMEM;
        cli_print_safe(stdout, line);
        putchar('\n');
        free(line);
        return 0;
    }
    char when[32];
    time_t t = (time_t)e->time;
    struct tm tm;
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    printf("%llu %s %s", (unsigned long long)e->seq, when, e->kind);
    const char *parts[][2] = {
        {"attack", e->attack},  {"code", e->code},       {"anomaly", e->anomaly},   {"id", e->id},
        {"target", e->target},  {"version", e->version}, {"previous", e->previous}, {"sha256", e->sha256},
        {"message", e->message}};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (parts[i][1] == NULL)
            continue;
        printf(" %s=", parts[i][0]);
        cli_print_safe(stdout, parts[i][1]);
    }
    putchar('\n');
    return 0;
}

static int audit_show(int argc, char **argv)
{
    struct audit_args a = {0};
    int rc = parse_sub(&show_cmd, argc, argv, &a);
    if (rc != 0)
        return rc < 0 ? CLI_OK : rc;
    rampart_error err = {0};
    rc = rampart_audit_read(a.dir, show_one, &a, &err);
    if (rc != 0) {
        cli_report("audit log", rc, &err);
        return CLI_FAIL;
    }
    return CLI_OK;
}

static int audit_note(int argc, char **argv)
{
    struct audit_args a = {0};
    int rc = parse_sub(&note_cmd, argc, argv, &a);
    if (rc != 0)
        return rc < 0 ? CLI_OK : rc;
    if (a.message == NULL) {
        cli_usage_error("--message TEXT is required");
        return CLI_USAGE;
    }
    rampart_audit_options o = RAMPART_AUDIT_OPTIONS_INIT;
    o.dir = a.dir;
    rampart_audit *log = NULL;
    rampart_error err = {0};
    rc = rampart_audit_open(&log, &o, &err);
    if (rc != 0) {
        cli_report("audit log", rc, &err);
        return CLI_FAIL;
    }
    rampart_audit_record r = RAMPART_AUDIT_RECORD_INIT;
    r.kind = "note";
    r.message = a.message;
    uint64_t seq = 0;
    rc = rampart_audit_append(log, &r, &seq);
    if (rc != 0)
        cli_report("audit log", rc, rampart_audit_last_error(log));
    else
        printf("%llu\n", (unsigned long long)seq);
    rampart_audit_free(log);
    return rc == 0 ? CLI_OK : CLI_FAIL;
}

int cmd_audit(int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {&verify_cmd, audit_verify},
        {&show_cmd, audit_show},
        {&note_cmd, audit_note},
    };
    return cli_dispatch("audit", subs, sizeof(subs) / sizeof(subs[0]), argc, argv);
}
