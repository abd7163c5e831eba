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
#include <getopt.h>
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

static void client_usage(FILE *f)
{
    fprintf(f, "usage: rampart client --metadata-dir DIR init TRUSTED_ROOT\n"
               "       rampart client --metadata-dir DIR --metadata-url URL [options] refresh\n"
               "       rampart client --metadata-dir DIR --metadata-url URL --target-dir TDIR\n"
               "                      --target-base-url URL --target-name PATH [--target-name PATH ...] download\n"
               "       rampart client --metadata-dir DIR --metadata-url URL [options] list [PREFIX]\n"
               "\n"
               "options:\n"
               "  --metadata-url URL      metadata base URL (repeat for mirrors, tried in order)\n"
               "  --target-base-url URL   target base URL (repeat for mirrors)\n"
               "  --target-name PATH      target to download (repeatable, processed in order)\n"
               "  --target-dir TDIR       folder to download into (targets land at their path below it)\n"
               "  --policy FILE           judge each target's provenance by this policy before it is\n"
               "                          downloaded (docs/provenance.md)\n"
               "  --ca-file FILE          trust this CA bundle instead of the system store\n"
               "  --pin PIN               require this server public key (sha256//BASE64 or a PEM/DER file)\n"
               "  --allow-insecure-http   allow plain http:// to non-loopback hosts\n"
               "  --connect-timeout MS    give up connecting after MS milliseconds (default 10000)\n"
               "  --stall-timeout MS      abort when fewer than --min-rate bytes/s arrive over MS ms (default 30000)\n"
               "  --min-rate BYTES        minimum transfer rate in bytes per second (default 1024)\n"
               "  --timeout MS            total deadline of each request (default 600000)\n"
               "  --sync-targets          download: make each target durable (fsync) before reporting it;\n"
               "                          without it a power loss soon after may leave a target torn, which\n"
               "                          its hashes catch before any reuse\n"
               "  --replace               init: replace an existing trusted root\n"
               "  --header 'NAME: VALUE'  send this request header (repeatable; e.g. Authorization for a private\n"
               "                          repository), never to another host after a redirect\n"
               "  --user-agent-suffix S   append S to the User-Agent\n"
               "  --proxy URL             use this proxy ('' for none; default: the http_proxy, https_proxy,\n"
               "                          all_proxy and no_proxy environment variables)\n"
               "  --no-proxy HOSTS        hosts never proxied (comma-separated)\n"
               "  --retries N             retry a transient network failure up to N times, with backoff (default 0)\n"
               "  --json                  print the result as JSON on standard output\n"
               "  -q, --quiet             no progress bar, no warnings\n"
               "  -v, --verbose           log each request and decision to standard error\n"
               "exit status: 0 success, 1 failure, 2 bad usage, 130 interrupted (SIGINT, SIGTERM)\n");
}

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
    int verbose;
    int quiet;
    const char *headers[MAX_LIST];
    size_t nheaders;
    const char *ua_suffix, *proxy, *no_proxy;
    long retries;
};

static int add(const char **list, size_t *n, size_t cap, const char *v, const char *what)
{
    if (*n >= cap) {
        cli_errorf("too many %s options (at most %zu)", what, cap);
        return CLI_USAGE;
    }
    list[(*n)++] = v;
    return 0;
}

enum { O_HEADER = 512, O_UA, O_PROXY, O_NOPROXY, O_RETRIES };

/* The options of the library's options version 2. */
static int net_option(struct client_args *a, int c, const char *arg)
{
    char *end;
    switch (c) {
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
        errno = 0;
        a->retries = strtol(arg, &end, 10);
        if (errno != 0 || *end != '\0' || a->retries < 0 || a->retries > 100) {
            cli_errorf("client: --retries needs a number from 0 to 100, not '%s'", arg);
            return CLI_USAGE;
        }
        return 0;
    }
}

static int parse(int argc, char **argv, struct client_args *a, int *cmd_index)
{
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
        O_SYNC
    };
    static const struct option opts[] = {
        {"metadata-dir", required_argument, NULL, O_MDIR},
        {"metadata-url", required_argument, NULL, O_MURL},
        {"target-base-url", required_argument, NULL, O_TURL},
        {"target-name", required_argument, NULL, O_TNAME},
        {"target-dir", required_argument, NULL, O_TDIR},
        {"policy", required_argument, NULL, O_POLICY},
        {"ca-file", required_argument, NULL, O_CA},
        {"pin", required_argument, NULL, O_PIN},
        {"allow-insecure-http", no_argument, NULL, O_INSECURE},
        {"replace", no_argument, NULL, O_REPLACE},
        {"sync-targets", no_argument, NULL, O_SYNC},
        {"connect-timeout", required_argument, NULL, O_CONNECT},
        {"stall-timeout", required_argument, NULL, O_STALL},
        {"min-rate", required_argument, NULL, O_RATE},
        {"timeout", required_argument, NULL, O_TIMEOUT},
        {"json", no_argument, NULL, O_JSON},
        {"header", required_argument, NULL, O_HEADER},
        {"user-agent-suffix", required_argument, NULL, O_UA},
        {"proxy", required_argument, NULL, O_PROXY},
        {"no-proxy", required_argument, NULL, O_NOPROXY},
        {"retries", required_argument, NULL, O_RETRIES},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof(*a));
    optind = 1;
    int c, rc = 0, optindex = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, "+vqh", opts, &optindex)) != -1) {
        switch (c) {
        case O_MDIR:
            a->metadata_dir = optarg;
            break;
        case O_MURL:
            rc = add(a->murls, &a->nmurls, MAX_LIST, optarg, "--metadata-url");
            break;
        case O_TURL:
            rc = add(a->turls, &a->nturls, MAX_LIST, optarg, "--target-base-url");
            break;
        case O_TNAME:
            rc = add(a->names, &a->nnames, (size_t)MAX_LIST * 16, optarg, "--target-name");
            break;
        case O_TDIR:
            a->target_dir = optarg;
            break;
        case O_POLICY:
            a->policy = optarg;
            break;
        case O_CA:
            a->ca_file = optarg;
            break;
        case O_PIN:
            a->pin = optarg;
            break;
        case O_INSECURE:
            a->insecure = 1;
            break;
        case O_REPLACE:
            a->replace = 1;
            break;
        case O_SYNC:
            a->sync_targets = 1;
            break;
        case O_CONNECT:
        case O_STALL:
        case O_RATE:
        case O_TIMEOUT: {
            char *end;
            errno = 0;
            long v = strtol(optarg, &end, 10);
            if (errno != 0 || *end != '\0' || v <= 0) {
                cli_errorf("client: %s needs a positive number, not '%s'", opts[optindex].name, optarg);
                return CLI_USAGE;
            }
            *(c == O_CONNECT ? &a->connect_ms
              : c == O_STALL ? &a->stall_ms
              : c == O_RATE  ? &a->min_rate
                             : &a->timeout_ms) = v;
            break;
        }
        case O_JSON:
            a->json = 1;
            break;
        case O_HEADER:
        case O_UA:
        case O_PROXY:
        case O_NOPROXY:
        case O_RETRIES:
            rc = net_option(a, c, optarg);
            break;
        case 'q':
            a->quiet = 1;
            break;
        case 'v':
            a->verbose = 1;
            break;
        case 'h':
            client_usage(stdout);
            return -1;
        default:
            client_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (rc != 0)
        return rc;
    if (optind >= argc) {
        cli_errorf("client: a command is needed (init, refresh or download)");
        client_usage(stderr);
        return CLI_USAGE;
    }
    if (a->metadata_dir == NULL) {
        cli_errorf("client: --metadata-dir is required");
        return CLI_USAGE;
    }
    *cmd_index = optind;
    return 0;
}

static int do_init(const struct client_args *a, const char *root_path)
{
    FILE *f = fopen(root_path, "rb");
    if (f == NULL) {
        cli_errorf("cannot open %s", root_path);
        return CLI_FAIL;
    }
    size_t cap = 4u << 20, len = 0;
    unsigned char *buf = malloc(cap);
    if (buf == NULL) {
        (void)fclose(f); /* read only: nothing to lose */
        cli_errorf("out of memory");
        return CLI_FAIL;
    }
    len = fread(buf, 1, cap, f);
    int bad = ferror(f) || (len == cap && fgetc(f) != EOF);
    (void)fclose(f); /* read only: nothing to lose */
    if (bad) {
        free(buf);
        cli_errorf("cannot read %s (or it is larger than 4 MiB)", root_path);
        return CLI_FAIL;
    }
    rampart_error err;
    int rc = rampart_client_bootstrap(a->metadata_dir, buf, len, a->replace, &err);
    free(buf);
    if (rc != 0) {
        cli_report("init", rc, &err);
        return CLI_FAIL;
    }
    if (a->json)
        printf("{\"ok\":true,\"command\":\"init\"}\n");
    else
        printf("initialised %s with the trusted root from %s\n", a->metadata_dir, root_path);
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
    cli_report(what, rc, err);
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
    cli_progress_init(pg, a->quiet || a->json, a->verbose);
    o->progress = cli_progress_cb;
    o->progress_ctx = pg;
    o->log = cli_progress_log;
    o->log_ctx = pg;
}

/* download: 1, refresh: 0, list: 2 (with `prefix`). */
static int do_update(const struct client_args *a, int download, const rampart_prov_policy *policy, const char *prefix)
{
    if (a->nmurls == 0) {
        cli_errorf("client: --metadata-url is required");
        return CLI_USAGE;
    }
    if (download == 1 && (a->nnames == 0 || a->nturls == 0 || a->target_dir == NULL)) {
        cli_errorf("client download: --target-name, --target-base-url and --target-dir are required");
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
    rampart_client *c = NULL;
    rampart_error err;
    int rc = rampart_client_new(&c, &o, &err);
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

int cmd_client(int argc, char **argv)
{
    struct client_args a;
    int ci;
    int rc = parse(argc, argv, &a, &ci);
    if (rc != 0)
        return rc < 0 ? CLI_OK : rc;
    const char *cmd = argv[ci];
    int rest = argc - ci - 1;
    if (strcmp(cmd, "init") == 0 && rest == 1)
        return do_init(&a, argv[ci + 1]);
    if (a.policy != NULL && strcmp(cmd, "download") != 0) {
        cli_errorf("client: --policy applies to download only");
        return CLI_USAGE;
    }
    if (strcmp(cmd, "refresh") == 0 && rest == 0)
        return do_update(&a, 0, NULL, NULL);
    if (strcmp(cmd, "list") == 0 && rest <= 1)
        return do_update(&a, 2, NULL, rest == 1 ? argv[ci + 1] : NULL);
    if (strcmp(cmd, "download") == 0 && rest == 0) {
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
    cli_errorf("client: unknown command or arguments after '%s'", cmd);
    client_usage(stderr);
    return CLI_USAGE;
}
