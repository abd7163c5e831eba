/*
 * cmd_assess.c - `rampart assess`: grade an update channel on the five
 * procurement questions (rampart/assess.h, docs/assess.md).
 *
 *   rampart assess [--kind KIND] [--min-grade G] [--json | --sarif] [--html FILE]
 *                  [--root FILE] [--ca-file FILE] [--keyring FILE] [--sparkle-key B64]
 *                  [--minisign-key KEY|FILE] [--checksums URL|FILE] [--signature URL|FILE]
 *                  [--deep] [--log-policy FILE] [--builders FILE] [--baseline OLD.json] URL|DIR|FILE
 *   rampart assess --batch FILE [--kind KIND] [--min-grade G] [--json] [--ca-file FILE] ...
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct assess_args {
    rampart_assess_options o;
    char min_grade;
    rampart_report_format format;
    const char *html;
    const char *location;
    const char *baseline; /* --baseline OLD.json */
    const char *batch;    /* --batch FILE */
};

static int parse_kind(const char *s, rampart_channel_kind *k)
{
    if (strcmp(s, "auto") == 0)
        *k = RAMPART_KIND_AUTO;
    else if (strcmp(s, "tuf") == 0)
        *k = RAMPART_KIND_TUF;
    else if (strcmp(s, "apt") == 0)
        *k = RAMPART_KIND_APT;
    else if (strcmp(s, "sparkle") == 0)
        *k = RAMPART_KIND_SPARKLE;
    else if (strcmp(s, "plain") == 0)
        *k = RAMPART_KIND_PLAIN;
    else
        return -1;
    return 0;
}

enum {
    O_KIND = 256,
    O_MIN,
    O_JSON,
    O_SARIF,
    O_HTML,
    O_ROOT,
    O_CA,
    O_KEYRING,
    O_SPK,
    O_MINI,
    O_SUMS,
    O_SIG,
    O_DEEP,
    O_BASELINE,
    O_BATCH,
    O_LOGPOL,
    O_NO_TLS_PROBE,
    O_BUILDERS
};

struct assess_parse {
    struct assess_args *a;
    bool json, sarif;
};

/* --minisign-key: a .pub file when one is readable by that name, else the key itself. */
static char *minisign_key_text(const char *arg)
{
    FILE *f = fopen(arg, "r");
    if (f == NULL)
        return strdup(arg);
    char buf[1024];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    (void)fclose(f);
    buf[n] = '\0';
    return strdup(buf);
}

static char *g_minisign_key;

static int assess_opt(void *ctx, int id, const char *arg)
{
    struct assess_parse *p = ctx;
    switch (id) {
    case O_KIND:
        if (parse_kind(arg, &p->a->o.kind) != 0) {
            cli_usage_error("unknown --kind '%s' (auto, tuf, apt, sparkle or plain)", arg);
            return CLI_USAGE;
        }
        return 0;
    case O_MIN:
        if (strlen(arg) != 1 || arg[0] < 'A' || arg[0] > 'F') {
            cli_usage_error("--min-grade must be one of A B C D E F");
            return CLI_USAGE;
        }
        p->a->min_grade = arg[0];
        return 0;
    case O_JSON:
        p->json = true;
        return 0;
    case O_SARIF:
        p->sarif = true;
        return 0;
    case O_HTML:
        p->a->html = arg;
        return 0;
    case O_ROOT:
        p->a->o.root_file = arg;
        return 0;
    case O_LOGPOL:
        p->a->o.log_policy_file = arg;
        return 0;
    case O_KEYRING:
        p->a->o.keyring = arg;
        return 0;
    case O_SPK:
        p->a->o.sparkle_key = arg;
        return 0;
    case O_MINI:
        free(g_minisign_key);
        g_minisign_key = minisign_key_text(arg);
        p->a->o.minisign_key = g_minisign_key;
        return g_minisign_key != NULL ? 0 : CLI_USAGE;
    case O_SUMS:
        p->a->o.checksums_url = arg;
        return 0;
    case O_SIG:
        p->a->o.signature_url = arg;
        return 0;
    case O_DEEP:
        p->a->o.deep = 1;
        return 0;
    case O_BASELINE:
        p->a->baseline = arg;
        return 0;
    case O_BATCH:
        p->a->batch = arg;
        return 0;
    case O_NO_TLS_PROBE:
        p->a->o.no_tls_probe = 1;
        return 0;
    case O_BUILDERS:
        p->a->o.builders_file = arg;
        return 0;
    default: /* O_CA */
        p->a->o.ca_file = arg;
        return 0;
    }
}

static const struct cli_opt assess_opts[] = {
    {"kind", required_argument, O_KIND, 0, "KIND", "channel kind: auto (default), tuf, apt, sparkle or plain"},
    {"min-grade", required_argument, O_MIN, 0, "G",
     "exit 1 unless every assessed question grades G or better\n(default B)"},
    {"json", no_argument, O_JSON, 0, NULL, "print the JSON report (docs/assess-report.schema.json) instead of text"},
    {"sarif", no_argument, O_SARIF, 0, NULL, "print a SARIF 2.1.0 report instead of text"},
    {"html", required_argument, O_HTML, 0, "FILE", "also write a self-contained HTML report to FILE"},
    {"root", required_argument, O_ROOT, 0, "FILE", "TUF: a root obtained out of band (default: the channel's own)"},
    {"log-policy", required_argument, O_LOGPOL, 0, "FILE",
     "TUF: a witness policy (C2SP tlog-policy) to verify the\nrepository's transparency log with"},
    {"builders", required_argument, O_BUILDERS, 0, "FILE",
     "TUF: builders you have reviewed (id, SLSA level, keys); their\nattestations' signatures are verified "
     "(docs/assess.md)"},
    {"ca-file", required_argument, O_CA, 0, "FILE", "CA bundle for HTTPS instead of the system store"},
    {"keyring", required_argument, O_KEYRING, 0, "FILE", "apt, plain: OpenPGP keyring (binary) to verify with gpgv"},
    {"sparkle-key", required_argument, O_SPK, 0, "B64", "Sparkle: the app's SUPublicEDKey (base64)"},
    {"minisign-key", required_argument, O_MINI, 0, "KEY", "plain: minisign public key (base64, or a .pub file)"},
    {"checksums", required_argument, O_SUMS, 0, "URL", "plain: the checksum file (default: found beside the file)"},
    {"signature", required_argument, O_SIG, 0, "URL", "plain: the signature (default: found beside the file)"},
    {"deep", no_argument, O_DEEP, 0, NULL, "Sparkle: download enclosures and verify their EdDSA signatures"},
    {"no-tls-probe", no_argument, O_NO_TLS_PROBE, 0, NULL,
     "skip the TLS probe of https URLs (protocols, certificate,\ncipher suites, HSTS, redirect hops)"},
    {"baseline", required_argument, O_BASELINE, 0, "OLD.json",
     "compare with an earlier --json report: what got better or worse\n(exit 1 also when a question got worse)"},
    {"batch", required_argument, O_BATCH, 0, "FILE",
     "assess every channel listed in FILE (one URL or folder per line)\nand print one comparison table"},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct cli_cmd assess_cmd = {
    "assess",
    "assess [--kind auto|tuf|apt|sparkle|plain] [--min-grade A-F] [--json | --sarif]\n"
    "              [--html FILE] [--root FILE] [--ca-file FILE] [--keyring FILE]\n"
    "              [--sparkle-key B64] [--minisign-key KEY] [--checksums URL] [--signature URL]\n"
    "              [--deep] [--log-policy FILE] [--builders FILE] [--no-tls-probe]\n"
    "              [--baseline OLD.json] URL|DIR|FILE\n"
    "       rampart assess --batch FILE [--kind KIND] [--min-grade A-F] [--json] [other options]",
    "Inspects the update channel at URL or in DIR and grades it from A to F on five questions:\n"
    "transport, signing, manifest verification, hashes and provenance, with the evidence\n"
    "behind each grade and a remedy per finding.  The channel is untrusted input.  Exit status\n"
    "0 every question meets --min-grade, 1 one does not, 2 error or bad usage (docs/assess.md).\n"
    "With --batch: 2 when a channel could not be assessed, else 1 when one is below --min-grade.",
    assess_opts, assess_opt};

static int parse(int argc, char **argv, struct assess_args *a)
{
    struct assess_parse p = {.a = a};
    int npos = 0;
    int rc = cli_parse(&assess_cmd, argc, argv, &p, &npos);
    if (rc != 0)
        return rc == CLI_HELP ? -1 : rc;
    if (p.json && p.sarif) {
        cli_usage_error("--json and --sarif cannot be combined");
        return CLI_USAGE;
    }
    a->format = p.json ? RAMPART_REPORT_JSON : p.sarif ? RAMPART_REPORT_SARIF : RAMPART_REPORT_TEXT;
    if (a->batch != NULL) {
        if (npos != 0 || p.sarif || a->html != NULL || a->o.root_file != NULL || a->baseline != NULL ||
            a->o.checksums_url != NULL || a->o.signature_url != NULL) {
            cli_usage_error("--batch takes its channels from FILE, and no --sarif, --html, --root, --baseline,\n"
                            "--checksums or --signature (they belong to one channel)");
            return CLI_USAGE;
        }
        return 0;
    }
    if (a->baseline != NULL && p.sarif) {
        cli_usage_error("--baseline compares as text or --json, not --sarif");
        return CLI_USAGE;
    }
    if (npos != 1) {
        cli_usage_error(npos == 0 ? "give the URL or folder of the channel" : "one channel at a time, not '%s'",
                        npos == 0 ? "" : argv[2]);
        return CLI_USAGE;
    }
    a->location = argv[1];
    return 0;
}

/* Text goes out line by line through cli_print_safe (the library already
 * sanitised every string; this is the second fence). */
static void print_text(const char *s)
{
    while (*s != '\0') {
        const char *nl = strchr(s, '\n');
        size_t n = nl != NULL ? (size_t)(nl - s) : strlen(s);
        char *line = strndup(s, n);
        if (line == NULL)
            return;
        cli_print_safe(stdout, line);
        fputc('\n', stdout);
        free(line);
        s += n + (nl != NULL);
    }
}

static int write_html(const rampart_assessment *as, const char *path)
{
    rampart_error err;
    char *html = NULL;
    int rc = rampart_assessment_report(as, RAMPART_REPORT_HTML, &html, &err);
    if (rc != 0) {
        cli_report("assess", rc, &err);
        return CLI_USAGE;
    }
    FILE *f = fopen(path, "w");
    size_t n = strlen(html);
    bool ok = f != NULL && fwrite(html, 1, n, f) == n;
    if (f != NULL && fclose(f) != 0)
        ok = false;
    rampart_string_free(html);
    if (!ok) {
        cli_error(RAMPART_EIO, "cannot write %s", path);
        return CLI_USAGE;
    }
    return 0;
}

/* The whole of `path` (at most `cap` bytes), NUL-terminated; NULL with a
 * message when it cannot be read or is larger. */
static char *read_small_file(const char *path, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = f != NULL ? malloc(cap + 1) : NULL;
    size_t n = buf != NULL ? fread(buf, 1, cap, f) : 0;
    bool ok = buf != NULL && !ferror(f) && !(n == cap && fgetc(f) != EOF);
    if (f != NULL)
        (void)fclose(f); /* read only: nothing to lose */
    if (!ok) {
        free(buf);
        cli_error(f == NULL ? RAMPART_ENOTFOUND : RAMPART_EIO, "cannot read %s (or it is larger than %zu bytes)", path,
                  cap);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Prints `report` (text through cli_print_safe, JSON as it is: every string
 * escaped, no raw control character). */
static void print_report(const char *report, rampart_report_format format)
{
    if (format == RAMPART_REPORT_TEXT)
        print_text(report);
    else
        fputs(report, stdout);
}

/* --baseline: the comparison instead of (JSON) or after (text) the report. */
static int compare(const rampart_assessment *as, const struct assess_args *a, int *worse)
{
    size_t len = 0;
    char *old = read_small_file(a->baseline, (size_t)16 << 20, &len);
    if (old == NULL)
        return CLI_USAGE;
    rampart_error err;
    char *out = NULL;
    int rc = rampart_assessment_compare(as, old, len, a->format, &out, worse, &err);
    free(old);
    if (rc != 0) {
        cli_report(a->baseline, rc, &err);
        return CLI_USAGE;
    }
    print_report(out, a->format);
    rampart_string_free(out);
    return 0;
}

static int assess_one(const struct assess_args *a)
{
    rampart_error err;
    rampart_assessment *as = NULL;
    int rc = rampart_assessment_new(&as, a->location, &a->o, &err);
    if (rc != 0) {
        cli_report("assess", rc, &err);
        return CLI_USAGE; /* 2: nothing could be assessed */
    }
    int st = 0, worse = 0;
    if (a->baseline == NULL || a->format == RAMPART_REPORT_TEXT) {
        char *report = NULL;
        rc = rampart_assessment_report(as, a->format, &report, &err);
        if (rc != 0) {
            cli_report("assess", rc, &err);
            rampart_assessment_free(as);
            return CLI_USAGE;
        }
        print_report(report, a->format);
        rampart_string_free(report);
    }
    if (a->baseline != NULL)
        st = compare(as, a, &worse);
    if (st == 0 && a->html != NULL)
        st = write_html(as, a->html);
    if (st == 0)
        st = rampart_assessment_meets(as, a->min_grade) == 1 && !worse ? CLI_OK : CLI_FAIL;
    rampart_assessment_free(as);
    return st;
}

/* --batch: one channel per line; blank lines and lines starting with '#'
 * are skipped, spaces around a location are not part of it. */
enum { BATCH_MAX = 256 };

static int batch_lines(char *text, char **loc, size_t *n)
{
    *n = 0;
    for (char *line = text, *next; line != NULL && *line != '\0'; line = next) {
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        while (*line == ' ' || *line == '\t')
            line++;
        size_t l = strlen(line);
        while (l > 0 && (line[l - 1] == ' ' || line[l - 1] == '\t' || line[l - 1] == '\r'))
            line[--l] = '\0';
        if (l == 0 || line[0] == '#')
            continue;
        if (*n == BATCH_MAX) {
            cli_usage_error("--batch: more than %d channels", BATCH_MAX);
            return CLI_USAGE;
        }
        loc[(*n)++] = line;
    }
    if (*n == 0) {
        cli_usage_error("--batch: no channel in the file");
        return CLI_USAGE;
    }
    return 0;
}

static int assess_batch(const struct assess_args *a)
{
    size_t len = 0, n = 0;
    char *text = read_small_file(a->batch, (size_t)1 << 20, &len);
    if (text == NULL)
        return CLI_USAGE;
    char *loc[BATCH_MAX];
    int st = batch_lines(text, loc, &n);
    rampart_assess_batch_item *items = st == 0 ? calloc(n, sizeof(*items)) : NULL;
    rampart_error *errs = st == 0 ? calloc(n, sizeof(*errs)) : NULL;
    if (st == 0 && (items == NULL || errs == NULL)) {
        cli_error(RAMPART_ENOMEM, "out of memory");
        st = CLI_USAGE;
    }
    bool any_error = false, any_below = false;
    for (size_t i = 0; st == 0 && i < n; i++) {
        rampart_assessment *as = NULL;
        items[i].location = loc[i];
        int rc = rampart_assessment_new(&as, loc[i], &a->o, &errs[i]);
        if (rc != 0) {
            items[i].error_code = rc;
            items[i].error_message = errs[i].message;
            any_error = true;
        } else {
            items[i].assessment = as;
            any_below = any_below || rampart_assessment_meets(as, a->min_grade) != 1;
        }
    }
    char *out = NULL;
    rampart_error err;
    int rc = st == 0 ? rampart_assess_batch_report(items, n, a->min_grade, a->format, &out, &err) : 0;
    if (rc != 0) {
        cli_report("assess", rc, &err);
        st = CLI_USAGE;
    } else if (st == 0) {
        print_report(out, a->format);
        st = any_error ? CLI_USAGE : any_below ? CLI_FAIL : CLI_OK;
    }
    rampart_string_free(out);
    for (size_t i = 0; items != NULL && i < n; i++)
        rampart_assessment_free((rampart_assessment *)items[i].assessment);
    free(items);
    free(errs);
    free(text);
    return st;
}

int cmd_assess(int argc, char **argv)
{
    struct assess_args a = {.o = RAMPART_ASSESS_OPTIONS_INIT, .min_grade = 'B'};
    int rc = parse(argc, argv, &a);
    if (rc != 0) {
        free(g_minisign_key);
        g_minisign_key = NULL;
        return rc < 0 ? CLI_OK : rc;
    }
    rc = a.batch != NULL ? assess_batch(&a) : assess_one(&a);
    free(g_minisign_key);
    g_minisign_key = NULL;
    return rc;
}
