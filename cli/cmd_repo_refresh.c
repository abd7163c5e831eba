/*
 * cmd_repo_refresh.c - `rampart repo refresh` (every role inside its
 * renewal window, for cron and systemd), `rampart repo status` (exit status
 * by severity, --json) and `rampart repo list --json`.  The JSON fields are
 * documented in docs/repo.md; times are RFC 3339 UTC, as in the human output.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd_repo.h"

/* "YYYY-MM-DDTHH:MM:SSZ" of `t` into `out`; false when out of range. */
static bool rfc3339(long long t, char out[32])
{
    if (t < 0 || t > 253402300799LL)
        return false;
    time_t tt = (time_t)t;
    struct tm tm;
    return gmtime_r(&tt, &tm) != NULL && strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 20;
}

/* Prints the JSON document `o` (taken) on stdout; CLI_FAIL when it cannot. */
static int print_json(json_t *o)
{
    int rc = o != NULL && json_dumpf(o, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII) == 0 ? CLI_OK : CLI_FAIL;
    json_decref(o);
    if (rc == CLI_OK)
        putchar('\n');
    else
        cli_error(RAMPART_EIO, "cannot write the JSON output");
    return rc;
}

/* ---- repo refresh ---- */

int repo_window(const char *s, unsigned *out)
{
    long long v = 0;
    if (cli_number("--window", s, 1, 100, &v) != 0)
        return CLI_USAGE;
    *out = (unsigned)v;
    return 0;
}

static void refresh_notice(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "rampart: repo refresh: %s\n", line);
}

int repo_refresh(struct repo_args *a)
{
    if (a->npos != 1 || a->signing.n == 0) {
        cli_usage_error("give DIR and the --key of each role to renew (timestamp, snapshot, ...)");
        return CLI_USAGE;
    }
    rampart_repo *r = NULL;
    rampart_renew_result res = {0};
    int rc = repo_open(a, &r);
    if (rc == 0) {
        rampart_renew_options o = RAMPART_RENEW_OPTIONS_INIT;
        o.window_percent = a->window;
        rampart_repo_set_notice(r, refresh_notice, NULL);
        rampart_repo_set_witness_post(r, rampart_witness_post_http, NULL);
        rc = repo_result("repo refresh", r, rampart_repo_renew(r, &o, &res));
    }
    if (rc == 0 && cli_verbosity() >= 0) {
        if (res.roles_renewed > 0)
            printf("renewed %zu targets role(s), snapshot version %lld, timestamp version %lld\n", res.roles_renewed,
                   res.snapshot_version, res.timestamp_version);
        else if (res.snapshot_renewed)
            printf("renewed snapshot version %lld, timestamp version %lld\n", res.snapshot_version,
                   res.timestamp_version);
        else if (res.timestamp_renewed)
            printf("renewed timestamp version %lld\n", res.timestamp_version);
        else
            printf("nothing to renew: no role is inside its renewal window\n");
    }
    repo_close(a, r);
    return rc;
}

/* ---- repo status ---- */

/* Exit status of `repo status` when it could not look (see docs/repo.md). */
#define STATUS_UNKNOWN 3

static const char *const severity_names[3] = {"ok", "warning", "error"};

struct status_out {
    json_t *roles, *warnings; /* --json */
    int worst;
    bool oom;
};

static json_t *role_json(const rampart_repo_role_status *s)
{
    char when[32];
    int sev = s->severity >= 0 && s->severity <= 2 ? s->severity : 2;
    json_t *o = json_pack("{s:s,s:I,s:I,s:I,s:o,s:b,s:I,s:I,s:I,s:s}", "name", s->name, "bins",
                          (json_int_t)(s->count > 1 ? s->count : 0), "version", (json_int_t)s->version,
                          "published_version", (json_int_t)s->published_version, "expires",
                          rfc3339(s->expires, when) ? json_string(when) : json_null(), "changed", s->changed != 0,
                          "keys", (json_int_t)s->key_count, "threshold", (json_int_t)s->threshold, "signatures",
                          (json_int_t)s->signatures, "status", severity_names[sev]);
    return o;
}

static void status_role(void *ctx, const rampart_repo_role_status *s)
{
    struct status_out *out = ctx;
    int sev = s->severity >= 0 && s->severity <= 2 ? s->severity : 2;
    out->worst = sev > out->worst ? sev : out->worst;
    if (out->roles != NULL) {
        out->oom |= json_array_append_new(out->roles, role_json(s)) != 0;
        return;
    }
    if (cli_verbosity() < 0)
        return;
    char buf[32], when[32] = "-";
    if (rfc3339(s->expires, buf))
        memcpy(when, buf, sizeof(when));
    printf("%-16s", s->name);
    if (s->count > 1)
        printf(" (%zu bins)", s->count);
    printf(" version %lld (published %lld)%s expires %s keys %zu threshold %lld signatures %zu\n", s->version,
           s->published_version, s->changed ? " CHANGED" : "", when, s->key_count, s->threshold, s->signatures);
}

static void status_warning(void *ctx, const char *line)
{
    struct status_out *out = ctx;
    out->worst = out->worst > 1 ? out->worst : 1;
    if (out->warnings != NULL)
        out->oom |= json_array_append_new(out->warnings, json_string(line)) != 0;
    else
        cli_warnf("%s", line);
}

/* Exit status: 0 fine, 1 warnings, 2 errors (expired, missing signatures,
 * inconsistent), 3 the repository could not be read. */
int repo_status(struct repo_args *a)
{
    if (a->npos != 1) {
        cli_usage_error("give DIR only");
        return CLI_USAGE;
    }
    struct status_out out = {0};
    if (a->json) {
        out.roles = json_array();
        out.warnings = json_array();
    }
    rampart_repo *r = NULL;
    int rc = repo_open(a, &r);
    if (rc == 0)
        rc = repo_result("repo status", r, rampart_repo_status(r, a->warn_days, status_role, status_warning, &out));
    if (rc == 0 && a->json) {
        char now[32] = "";
        time_t t = time(NULL);
        if (!rfc3339((long long)t, now) || out.oom) {
            cli_error(RAMPART_ENOMEM, "out of memory");
            rc = CLI_FAIL;
        } else {
            rc = print_json(json_pack("{s:s,s:I,s:s,s:O,s:O}", "time", now, "warn_days", (json_int_t)a->warn_days,
                                      "status", severity_names[out.worst], "roles", out.roles, "warnings",
                                      out.warnings));
        }
    }
    json_decref(out.roles);
    json_decref(out.warnings);
    repo_close(a, r);
    return rc != 0 ? STATUS_UNKNOWN : out.worst;
}

/* ---- repo list --json ---- */

static int target_json(void *ctx, const rampart_repo_target *t)
{
    json_t *custom = t->custom_json != NULL ? json_loads(t->custom_json, JSON_REJECT_DUPLICATES, NULL) : json_null();
    json_t *o = json_pack("{s:s,s:I,s:s?,s:s,s:o?}", "path", t->path, "length", (json_int_t)t->length, "sha256",
                          t->sha256, "role", t->role, "custom", custom);
    if (o == NULL || json_array_append_new(ctx, o) != 0)
        return RAMPART_ENOMEM;
    return 0;
}

int repo_list_json(struct repo_args *a)
{
    rampart_repo *r = NULL;
    json_t *targets = json_array();
    int rc = targets != NULL ? repo_open(a, &r) : CLI_FAIL;
    if (rc == 0)
        rc = repo_result("repo list", r, rampart_repo_list_targets(r, a->role, target_json, targets));
    if (rc == 0)
        rc = print_json(json_pack("{s:O}", "targets", targets));
    json_decref(targets);
    repo_close(a, r);
    return rc;
}
