/*
 * cmd_client.c - `rampart client`: the TUF client from the command line.
 *
 *   rampart client --metadata-dir DIR init TRUSTED_ROOT
 *   rampart client --metadata-dir DIR --metadata-url URL refresh
 *   rampart client --metadata-dir DIR --metadata-url URL --target-name T [--target-name T2 ...]
 *                  --target-dir TDIR --target-base-url URL [--policy PROVENANCE_POLICY] download
 *   rampart client --metadata-dir DIR --metadata-url URL list [PREFIX]     (cmd_client_list.c)
 *
 * This is exactly the protocol of the TUF conformance suite (options in any
 * order before the command word; exit 0 on success, 1 on any failure), plus
 * repeatable URLs (mirrors, tried in order), TLS options, and --json.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "client_list.h"
#include "client_progress.h"
#include "rampart/client.h"

#define MAX_LIST 64

struct client_args {
    const char *metadata_dir;
    const char *murls[MAX_LIST];
    size_t nmurls;
    const char *turls[MAX_LIST];
    size_t nturls;
    const char *names[MAX_LIST * 16];
    size_t nnames;
    const char *target_dir;
    const char *policy;
    const char *ca_file;
    const char *pin;
    int insecure;
    int sync_targets;
    long connect_ms, stall_ms, min_rate, timeout_ms;
    int replace;
    int json;
    const char *headers[MAX_LIST];
    size_t nheaders;
    const char *ua_suffix, *proxy, *no_proxy;
    long retries;
    const char *log_policy; /* --log-policy FILE */
    long long log_max_age;  /* --log-max-age, seconds */
    int log_offline;        /* --log-offline */
};

static int add(const char **list, size_t *n, size_t cap, const char *v, const char *what)
{
    if (*n >= cap) {
        cli_usage_error("too many %s options (at most %zu)", what, cap);
        return CLI_USAGE;
    }
    list[(*n)++] = v;
    return 0;
}

enum {
    O_MDIR = 256,
    O_MURL,
    O_TURL,
    O_TNAME,
    O_TDIR,
    O_CA,
    O_PIN,
    O_INSECURE,
    O_REPLACE,
    O_JSON,
    O_CONNECT,
    O_STALL,
    O_RATE,
    O_TIMEOUT,
    O_POLICY,
    O_SYNC,
    O_HEADER,
    O_UA,
    O_PROXY,
    O_NOPROXY,
    O_RETRIES,
    O_LOGPOL,
    O_LOGAGE,
    O_LOGOFF
};

/* The options of the library's options version 2. */
static int net_option(struct client_args *a, int id, const char *arg)
{
    long long v = 0;
    switch (id) {
    case O_HEADER:
        return add(a->headers, &a->nheaders, MAX_LIST, arg, "--header");
    case O_UA:
        a->ua_suffix = arg;
        return 0;
    case O_PROXY:
        a->proxy = arg;
        return 0;
    case O_NOPROXY:
        a->no_proxy = arg;
        return 0;
    default:
        if (cli_number("--retries", arg, 0, 100, &v) != 0)
            return CLI_USAGE;
        a->retries = (long)v;
        return 0;
    }
}

/* "604800", "90m", "12h", "7d": seconds, at most 100 years. */
static int parse_age(const char *arg, long long *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(arg, &end, 10);
    long long unit = 1;
    if (end != NULL && *end != '\0' && end[1] == '\0')
        unit = *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600 : *end == 'd' ? 86400 : 0;
    else if (end == NULL || *end != '\0')
        unit = 0;
    if (errno != 0 || end == arg || unit == 0 || v < 1 || v > 36500LL * 86400 / unit) {
        cli_usage_error("--log-max-age: '%s' is not a duration (seconds, or N followed by s, m, h or d)", arg);
        return CLI_USAGE;
    }
    *out = v * unit;
    return 0;
}

/* The options of the library's options version 3 (the transparency log). */
static int log_option(struct client_args *a, int id, const char *arg)
{
    switch (id) {
    case O_LOGPOL:
        a->log_policy = arg;
        return 0;
    case O_LOGAGE:
        return parse_age(arg, &a->log_max_age);
    default:
        a->log_offline = 1;
        return 0;
    }
}

static int client_opt(void *ctx, int id, const char *arg)
{
    struct client_args *a = ctx;
    long long v = 0;
    switch (id) {
    case O_MDIR:
        a->metadata_dir = arg;
        return 0;
    case O_MURL:
        return add(a->murls, &a->nmurls, MAX_LIST, arg, "--metadata-url");
    case O_TURL:
        return add(a->turls, &a->nturls, MAX_LIST, arg, "--target-base-url");
    case O_TNAME:
        return add(a->names, &a->nnames, (size_t)MAX_LIST * 16, arg, "--target-name");
    case O_TDIR:
        a->target_dir = arg;
        return 0;
    case O_POLICY:
        a->policy = arg;
        return 0;
    case O_CA:
        a->ca_file = arg;
        return 0;
    case O_PIN:
        a->pin = arg;
        return 0;
    case O_INSECURE:
        a->insecure = 1;
        return 0;
    case O_REPLACE:
        a->replace = 1;
        return 0;
    case O_SYNC:
        a->sync_targets = 1;
        return 0;
    case O_JSON:
        a->json = 1;
        return 0;
    case O_HEADER:
    case O_UA:
    case O_PROXY:
    case O_NOPROXY:
    case O_RETRIES:
        return net_option(a, id, arg);
    case O_LOGPOL:
    case O_LOGAGE:
    case O_LOGOFF:
        return log_option(a, id, arg);
    default: { /* the numbers */
        static const char *const names[] = {"--connect-timeout", "--stall-timeout", "--min-rate", "--timeout"};
        long *dst[] = {&a->connect_ms, &a->stall_ms, &a->min_rate, &a->timeout_ms};
        int i = id - O_CONNECT;
        if (i < 0 || i > 3 || cli_number(names[i], arg, 1, 0x7fffffffL, &v) != 0)
            return CLI_USAGE;
        *dst[i] = (long)v;
        return 0;
    }
    }
}

#define OPT_MDIR                                                                                                       \
    {                                                                                                                  \
        "metadata-dir", required_argument, O_MDIR, 0, "DIR", "the client's trusted metadata folder (required)"         \
    }
#define OPT_JSON                                                                                                       \
    {                                                                                                                  \
        "json", no_argument, O_JSON, 0, NULL, "print the result as JSON on standard output"                            \
    }
#define OPT_MURL                                                                                                       \
    {                                                                                                                  \
        "metadata-url", required_argument, O_MURL, 0, "URL",                                                           \
            "metadata base URL (required; repeat for mirrors, tried in "                                               \
            "order)"                                                                                                   \
    }
/* The network options of refresh and download. */
#define OPT_NET                                                                                                          \
    {"ca-file", required_argument, O_CA, 0, "FILE", "trust this CA bundle instead of the system store"},                 \
        {"pin", required_argument,                                                                                       \
         O_PIN, 0,                                                                                                       \
         "PIN", "require this server public key (sha256//BASE64 or a PEM/DER file)"},                                    \
        {"allow-insecure-http", no_argument, O_INSECURE, 0, NULL, "allow plain http:// to non-loopback hosts"},          \
        {"connect-timeout",                                                                                              \
         required_argument,                                                                                              \
         O_CONNECT,                                                                                                      \
         0,                                                                                                              \
         "MS",                                                                                                           \
         "give up connecting after MS milliseconds (default 10000)"},                                                    \
        {"stall-timeout",                                                                                                \
         required_argument,                                                                                              \
         O_STALL,                                                                                                        \
         0,                                                                                                              \
         "MS",                                                                                                           \
         "abort when fewer than --min-rate bytes/s arrive over MS ms (default 30000)"},                                  \
        {"min-rate", required_argument, O_RATE, 0, "BYTES", "minimum transfer rate in bytes per second (default 1024)"}, \
        {"header",                                                                                                       \
         required_argument,                                                                                              \
         O_HEADER,                                                                                                       \
         0,                                                                                                              \
         "'NAME: VALUE'",                                                                                                \
         "send this request header (repeatable; e.g. Authorization for a\nprivate repository), never to another "        \
         "host after a redirect"},                                                                                       \
        {"user-agent-suffix", required_argument, O_UA, 0, "S", "append S to the User-Agent"},                            \
        {"proxy",                                                                                                        \
         required_argument,                                                                                              \
         O_PROXY,                                                                                                        \
         0,                                                                                                              \
         "URL",                                                                                                          \
         "use this proxy ('' for none; default: the http_proxy, https_proxy,\nall_proxy and no_proxy environment "       \
         "variables)"},                                                                                                  \
        {"no-proxy", required_argument, O_NOPROXY, 0, "HOSTS", "hosts never proxied (comma-separated)"},                 \
        {"retries", required_argument,                                                                                   \
         O_RETRIES, 0,                                                                                                   \
         "N",       "retry a transient network failure up to N times, with backoff\n(default 0)"},                       \
    {                                                                                                                    \
        "timeout", required_argument, O_TIMEOUT, 0, "MS", "total deadline of each request (default 600000)"              \
    }
#define OPT_END                                                                                                        \
    {                                                                                                                  \
        NULL, 0, 0, 0, NULL, NULL                                                                                      \
    }

#define OPT_LOGPOL                                                                                                     \
    {                                                                                                                  \
        "log-policy", required_argument, O_LOGPOL, 0, "FILE",                                                          \
            "witness policy (C2SP tlog-policy): refuse targets that are not in the transparency log"                   \
    }
#define OPT_LOG                                                                                                        \
    OPT_LOGPOL,                                                                                                        \
        {"log-max-age", required_argument,                                                                             \
         O_LOGAGE,      0,                                                                                             \
         "AGE",         "refuse a log checkpoint cosigned longer ago than AGE (seconds, or Ns/Nm/Nh/Nd; default 7d)"}, \
    {                                                                                                                  \
        "log-offline", no_argument, O_LOGOFF, 0, NULL,                                                                 \
            "prove each target's log entry from the .tlog-proof beside it instead of the log's tiles"                  \
    }

static const struct cli_opt init_opts[] = {
    OPT_MDIR,
    {"replace", no_argument, O_REPLACE, 0, NULL, "replace an existing trusted root"},
    {"log-policy", required_argument, O_LOGPOL, 0, "FILE",
     "store this witness policy (C2SP tlog-policy) beside the root: every later download must be logged"},
    OPT_JSON,
    OPT_END,
};
static const struct cli_opt refresh_opts[] = {OPT_MDIR, OPT_MURL, OPT_NET, OPT_LOG, OPT_JSON, OPT_END};
static const struct cli_opt download_opts[] = {
    OPT_MDIR,
    OPT_MURL,
    {"target-base-url", required_argument, O_TURL, 0, "URL", "target base URL (required; repeat for mirrors)"},
    {"target-name", required_argument, O_TNAME, 0, "PATH", "target to download (required; repeatable, in order)"},
    {"target-dir", required_argument, O_TDIR, 0, "TDIR",
     "folder to download into (targets land at their path below it)"},
    {"policy", required_argument, O_POLICY, 0, "FILE",
     "judge each target's provenance by this policy before it is\ndownloaded (docs/provenance.md)"},
    {"sync-targets", no_argument, O_SYNC, 0, NULL,
     "make each target durable (fsync) before reporting it; without\nit a power loss soon after may leave a target "
     "torn, which its\nhashes catch before any reuse"},
    OPT_NET,
    OPT_LOG,
    OPT_JSON,
    OPT_END,
};

static const struct cli_opt list_opts[] = {OPT_MDIR, OPT_MURL, OPT_NET, OPT_LOG, OPT_JSON, OPT_END};

static int client_init(int argc, char **argv);
static int client_refresh(int argc, char **argv);
static int client_download(int argc, char **argv);
static int client_list(int argc, char **argv);

static const struct cli_cmd init_cmd = {"client init",
                                        "client --metadata-dir DIR [--replace] [--log-policy FILE] init TRUSTED_ROOT",
                                        "Starts the client's trust from TRUSTED_ROOT (a root metadata file\n"
                                        "obtained out of band).",
                                        init_opts, client_opt};
static const struct cli_cmd refresh_cmd = {
    "client refresh", "client --metadata-dir DIR --metadata-url URL [options] refresh",
    "Updates the trusted metadata (root, timestamp, snapshot, targets) from the\nrepository, verifying each step.",
    refresh_opts, client_opt};
static const struct cli_cmd download_cmd = {
    "client download",
    "client --metadata-dir DIR --metadata-url URL --target-dir TDIR\n"
    "       --target-base-url URL --target-name PATH [--target-name PATH ...] download",
    "Refreshes, then downloads each target and verifies its length and hashes\n"
    "(and its provenance with --policy) before it is put in place.",
    download_opts, client_opt};
static const struct cli_cmd list_cmd = {
    "client list", "client --metadata-dir DIR --metadata-url URL [options] list [PREFIX]",
    "Refreshes, then lists the trusted targets (under PREFIX if given): path,\n"
    "length, custom version and hashes, so that an endpoint can discover a release.",
    list_opts, client_opt};

/* Whether `client list` was given its PREFIX (set by parse()). */
static int list_has_prefix;

/* Parses a client subcommand's line: 0, or the status to exit with. */
static int parse(const struct cli_cmd *cmd, int argc, char **argv, struct client_args *a, int want_pos)
{
    memset(a, 0, sizeof(*a));
    int npos = 0;
    int rc = cli_parse(cmd, argc, argv, a, &npos);
    if (rc != 0)
        return rc == CLI_HELP ? -1 : rc;
    if (want_pos < 0) { /* list: an optional PREFIX */
        want_pos = npos == 0 ? 0 : 1;
        list_has_prefix = npos > 0;
    }
    if (npos != want_pos) {
        if (npos > want_pos)
            cli_usage_error("unexpected argument '%s'", argv[want_pos + 1]);
        else
            cli_usage_error("give TRUSTED_ROOT");
        return CLI_USAGE;
    }
    if (a->metadata_dir == NULL) {
        cli_usage_error("--metadata-dir is required");
        return CLI_USAGE;
    }
    return 0;
}

/* Reads a whole file of at most `cap` bytes into a new buffer (free()). */
static int read_all(const char *path, size_t cap, unsigned char **out, size_t *outlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        cli_error(RAMPART_EIO, "cannot open %s: %s", path, strerror(errno));
        return CLI_FAIL;
    }
    size_t len = 0;
    unsigned char *buf = malloc(cap);
    if (buf == NULL) {
        (void)fclose(f); /* read only: nothing to lose */
        cli_error(RAMPART_ENOMEM, "out of memory");
        return CLI_FAIL;
    }
    len = fread(buf, 1, cap, f);
    int bad = ferror(f) || (len == cap && fgetc(f) != EOF);
    (void)fclose(f); /* read only: nothing to lose */
    if (bad) {
        free(buf);
        cli_error(RAMPART_EIO, "cannot read %s (or it is larger than %zu KiB)", path, cap >> 10);
        return CLI_FAIL;
    }
    *out = buf;
    *outlen = len;
    return 0;
}

static int do_init(const struct client_args *a, const char *root_path)
{
    unsigned char *buf = NULL, *pol = NULL;
    size_t len = 0, plen = 0;
    if (read_all(root_path, 4u << 20, &buf, &len) != 0)
        return CLI_FAIL;
    if (a->log_policy != NULL && read_all(a->log_policy, 64u << 10, &pol, &plen) != 0) {
        free(buf);
        return CLI_FAIL;
    }
    rampart_error err;
    int rc = rampart_client_bootstrap(a->metadata_dir, buf, len, a->replace, &err);
    free(buf);
    if (rc == 0 && pol != NULL)
        rc = rampart_client_set_log_policy(a->metadata_dir, pol, plen, &err);
    free(pol);
    if (rc != 0) {
        cli_report(NULL, rc, &err);
        return CLI_FAIL;
    }
    if (a->json)
        printf("{\"ok\":true,\"command\":\"init\"}\n");
    else
        printf("initialised %s with the trusted root from %s%s%s\n", a->metadata_dir, root_path,
               a->log_policy != NULL ? " and the witness policy from " : "",
               a->log_policy != NULL ? a->log_policy : "");
    return CLI_OK;
}

static const char *const roles[] = {"root", "timestamp", "snapshot", "targets"};

static void print_summary(rampart_client *c)
{
    for (int i = 0; i < 4; i++) {
        rampart_role_status s;
        if (rampart_client_role_status(c, roles[i], &s) != 0 || s.version == 0)
            continue;
        char when[32] = "?";
        time_t t = (time_t)s.expires;
        struct tm tm;
        if (gmtime_r(&t, &tm) != NULL && strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
            when[0] = '?', when[1] = '\0';
        if (s.updated && s.version_before > 0 && s.version_before != s.version)
            printf("%-9s version %lld -> %lld (verified, saved), expires %s\n", roles[i], s.version_before, s.version,
                   when);
        else if (s.updated)
            printf("%-9s version %lld (verified, saved), expires %s\n", roles[i], s.version, when);
        else
            printf("%-9s version %lld (current), expires %s\n", roles[i], s.version, when);
    }
}

static json_t *summary_json(rampart_client *c)
{
    json_t *o = json_object();
    for (int i = 0; o != NULL && i < 4; i++) {
        rampart_role_status s;
        if (rampart_client_role_status(c, roles[i], &s) != 0 || s.version == 0)
            continue;
        json_t *r = json_pack("{s:I,s:I,s:I,s:b}", "version", (json_int_t)s.version, "previous_version",
                              (json_int_t)s.version_before, "expires", (json_int_t)s.expires, "updated", s.updated);
        if (r == NULL || json_object_set_new(o, roles[i], r) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

static void report_failure(const struct client_args *a, const char *what, int rc, const rampart_error *err,
                           rampart_client *c)
{
    cli_report(NULL, rc, err);
    if (a->json) {
        json_t *o =
            json_pack("{s:b,s:s,s:s,s:s,s:s}", "ok", 0, "command", what, "error", rampart_error_name(rc), "message",
                      err && err->message[0] ? err->message : rampart_strerror(rc), "role", err ? err->role : "");
        if (o != NULL && c != NULL) {
            json_t *s = summary_json(c);
            if (s != NULL)
                json_object_set_new(o, "roles", s);
        }
        if (o != NULL) {
            json_dumpf(o, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
            fputc('\n', stdout);
        }
        json_decref(o);
    }
}

/* What the policy asked of a downloaded target's provenance. */
static void print_provenance(const rampart_prov_policy *policy, const char *path)
{
    int req = rampart_prov_policy_requirement(policy, path);
    if (req == RAMPART_PROV_NONE)
        return;
    printf("provenance: %s policy rule '", req == RAMPART_PROV_REQUIRED ? "verified by" : "optional under");
    cli_print_safe(stdout, rampart_prov_policy_rule_name(policy, path));
    printf("'\n");
}

/* The options of version 2 and the display (client_progress.c). */
static void set_v2(const struct client_args *a, rampart_client_options *o, struct cli_progress *pg)
{
    o->headers = a->headers;
    o->header_count = a->nheaders;
    o->user_agent_suffix = a->ua_suffix;
    o->proxy = a->proxy;
    o->no_proxy = a->no_proxy;
    o->max_retries = (unsigned)a->retries;
    cli_progress_init(pg, cli_verbosity() < 0 || a->json);
    o->progress = cli_progress_cb;
    o->progress_ctx = pg;
    o->log = cli_progress_log;
    o->log_ctx = pg;
}

/* download: 1, refresh: 0, list: 2 (with `prefix`). */
static int do_update(const struct client_args *a, int download, const rampart_prov_policy *policy, const char *prefix)
{
    if (a->nmurls == 0) {
        cli_usage_error("--metadata-url is required");
        return CLI_USAGE;
    }
    if (download == 1 && (a->nnames == 0 || a->nturls == 0 || a->target_dir == NULL)) {
        cli_usage_error("--target-name, --target-base-url and --target-dir are required");
        return CLI_USAGE;
    }
    rampart_client_options o = RAMPART_CLIENT_OPTIONS_INIT;
    o.metadata_dir = a->metadata_dir;
    o.metadata_urls = a->murls;
    o.metadata_url_count = a->nmurls;
    o.target_urls = a->turls;
    o.target_url_count = a->nturls;
    o.ca_file = a->ca_file;
    o.pinned_pubkey = a->pin;
    o.allow_insecure_http = a->insecure;
    o.sync_targets = a->sync_targets;
    o.connect_timeout_ms = a->connect_ms;
    o.stall_timeout_ms = a->stall_ms;
    o.min_bytes_per_sec = a->min_rate;
    o.request_timeout_ms = a->timeout_ms;
    struct cli_progress pg;
    set_v2(a, &o, &pg);
    unsigned char *pol = NULL;
    size_t plen = 0;
    if (a->log_policy != NULL && read_all(a->log_policy, 64u << 10, &pol, &plen) != 0)
        return CLI_FAIL;
    o.log_policy = pol;
    o.log_policy_len = plen;
    o.log_max_age = a->log_max_age;
    o.log_offline = a->log_offline;
    rampart_client *c = NULL;
    rampart_error err;
    int rc = rampart_client_new(&c, &o, &err);
    free(pol);
    if (rc != 0) {
        report_failure(a, download ? "download" : "refresh", rc, &err, NULL);
        return CLI_FAIL;
    }
    if (policy != NULL)
        rc = rampart_client_set_provenance_policy(c, policy);
    if (rc == 0)
        rc = rampart_client_refresh(c);
    if (rc != 0) {
        report_failure(a, "refresh", rc, rampart_client_last_error(c), c);
        rampart_client_free(c);
        return cli_progress_interrupted() ? CLI_INTERRUPTED : CLI_FAIL;
    }
    if (download == 2) {
        rc = cli_client_list(c, prefix, a->json);
        rampart_client_free(c);
        return cli_progress_interrupted() ? CLI_INTERRUPTED : rc != 0 ? CLI_FAIL : CLI_OK;
    }
    json_t *files = a->json ? json_array() : NULL;
    if (!a->json)
        print_summary(c);
    for (size_t i = 0; download == 1 && i < a->nnames; i++) {
        rampart_target *t = NULL;
        char *path = NULL;
        rc = rampart_client_get_target_info(c, a->names[i], &t);
        if (rc == 0)
            rc = rampart_client_download_target(c, t, a->target_dir, &path);
        cli_progress_end(&pg);
        if (rc != 0) {
            report_failure(a, "download", rc, rampart_client_last_error(c), c);
            rampart_target_free(t);
            json_decref(files);
            rampart_client_free(c);
            return cli_progress_interrupted() ? CLI_INTERRUPTED : CLI_FAIL;
        }
        if (files != NULL) {
            const char *alg, *hex;
            json_t *f = json_pack("{s:s,s:s,s:I,s:s}", "target", rampart_target_path(t), "file", path, "length",
                                  (json_int_t)rampart_target_length(t), "role", rampart_target_role(t));
            if (f != NULL && rampart_target_hash(t, 0, &alg, &hex) == 0)
                json_object_set_new(f, alg, json_string(hex));
            if (f != NULL)
                json_array_append_new(files, f);
        } else {
            printf("target    ");
            cli_print_safe(stdout, rampart_target_path(t));
            printf(": %llu bytes verified -> ", (unsigned long long)rampart_target_length(t));
            cli_print_safe(stdout, path);
            printf("\n");
            print_provenance(policy, rampart_target_path(t));
        }
        rampart_string_free(path);
        rampart_target_free(t);
    }
    if (a->json) {
        json_t *o2 =
            json_pack("{s:b,s:s,s:o}", "ok", 1, "command", download ? "download" : "refresh", "roles", summary_json(c));
        if (o2 != NULL && files != NULL)
            json_object_set(o2, "targets", files);
        if (o2 != NULL) {
            json_dumpf(o2, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
            fputc('\n', stdout);
        }
        json_decref(o2);
    }
    json_decref(files);
    rampart_client_free(c);
    return cli_progress_interrupted() ? CLI_INTERRUPTED : CLI_OK;
}

static int client_init(int argc, char **argv)
{
    struct client_args a;
    int rc = parse(&init_cmd, argc, argv, &a, 1);
    if (rc != 0)
        return rc < 0 ? CLI_OK : rc;
    return do_init(&a, argv[1]);
}

static int client_refresh(int argc, char **argv)
{
    struct client_args a;
    int rc = parse(&refresh_cmd, argc, argv, &a, 0);
    if (rc != 0)
        return rc < 0 ? CLI_OK : rc;
    return do_update(&a, 0, NULL, NULL);
}

static int client_list(int argc, char **argv)
{
    struct client_args a;
    int rc = parse(&list_cmd, argc, argv, &a, -1);
    if (rc != 0)
        return rc < 0 ? CLI_OK : rc;
    /* cli_parse put the operand, if any, at argv[1]; parse() allowed at most one */
    return do_update(&a, 2, NULL, list_has_prefix ? argv[1] : NULL);
}

static int client_download(int argc, char **argv)
{
    struct client_args a;
    int rc = parse(&download_cmd, argc, argv, &a, 0);
    if (rc != 0)
        return rc < 0 ? CLI_OK : rc;
    rampart_prov_policy *p = NULL;
    rampart_error err = {0};
    if (a.policy != NULL && (rc = rampart_prov_policy_load(&p, a.policy, &err)) != 0) {
        report_failure(&a, "download", rc, &err, NULL);
        return CLI_FAIL;
    }
    rc = do_update(&a, 1, p, NULL);
    rampart_prov_policy_free(p);
    return rc;
}

int cmd_client(int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {&init_cmd, client_init},
        {&refresh_cmd, client_refresh},
        {&download_cmd, client_download},
        {&list_cmd, client_list},
    };
    return cli_dispatch("client", subs, sizeof(subs) / sizeof(subs[0]), argc, argv);
}
