/*
 * cmd_assess.c - `rampart assess`: grade an update channel on the five
 * procurement questions (rampart/assess.h, docs/assess.md).
 *
 *   rampart assess [--kind KIND] [--min-grade G] [--json | --sarif] [--html FILE]
 *                  [--root FILE] [--ca-file FILE] URL|DIR
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
};

static int parse_kind(const char *s, rampart_channel_kind *k)
{
    if (strcmp(s, "auto") == 0)
        *k = RAMPART_KIND_AUTO;
    else if (strcmp(s, "tuf") == 0)
        *k = RAMPART_KIND_TUF;
    else
        return -1;
    return 0;
}

enum { O_KIND = 256, O_MIN, O_JSON, O_SARIF, O_HTML, O_ROOT, O_CA };

struct assess_parse {
    struct assess_args *a;
    bool json, sarif;
};

static int assess_opt(void *ctx, int id, const char *arg)
{
    struct assess_parse *p = ctx;
    switch (id) {
    case O_KIND:
        if (parse_kind(arg, &p->a->o.kind) != 0) {
            cli_usage_error("unknown --kind '%s' (auto or tuf)", arg);
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
    default: /* O_CA */
        p->a->o.ca_file = arg;
        return 0;
    }
}

static const struct cli_opt assess_opts[] = {
    {"kind", required_argument, O_KIND, 0, "KIND", "channel kind: auto (default) or tuf"},
    {"min-grade", required_argument, O_MIN, 0, "G",
     "exit 1 unless every assessed question grades G or better\n(default B)"},
    {"json", no_argument, O_JSON, 0, NULL, "print the JSON report (docs/assess-report.schema.json) instead of text"},
    {"sarif", no_argument, O_SARIF, 0, NULL, "print a SARIF 2.1.0 report instead of text"},
    {"html", required_argument, O_HTML, 0, "FILE", "also write a self-contained HTML report to FILE"},
    {"root", required_argument, O_ROOT, 0, "FILE", "TUF: a root obtained out of band (default: the channel's own)"},
    {"ca-file", required_argument, O_CA, 0, "FILE", "CA bundle for HTTPS instead of the system store"},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct cli_cmd assess_cmd = {
    "assess",
    "assess [--kind auto|tuf] [--min-grade A-F] [--json | --sarif] [--html FILE]\n"
    "              [--root FILE] [--ca-file FILE] URL|DIR",
    "Inspects the update channel at URL or in DIR and grades it from A to F on five questions:\n"
    "transport, signing, manifest verification, hashes and provenance, with the evidence\n"
    "behind each grade and a remedy per finding.  The channel is untrusted input.  Exit status\n"
    "0 every question meets --min-grade, 1 one does not, 2 error or bad usage (docs/assess.md).",
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

int cmd_assess(int argc, char **argv)
{
    struct assess_args a = {.o = RAMPART_ASSESS_OPTIONS_INIT, .min_grade = 'B'};
    int rc = parse(argc, argv, &a);
    if (rc != 0)
        return rc < 0 ? CLI_OK : rc;
    rampart_error err;
    rampart_assessment *as = NULL;
    rc = rampart_assessment_new(&as, a.location, &a.o, &err);
    if (rc != 0) {
        cli_report("assess", rc, &err);
        return CLI_USAGE; /* 2: nothing could be assessed */
    }
    char *report = NULL;
    rc = rampart_assessment_report(as, a.format, &report, &err);
    if (rc != 0) {
        cli_report("assess", rc, &err);
        rampart_assessment_free(as);
        return CLI_USAGE;
    }
    if (a.format == RAMPART_REPORT_TEXT)
        print_text(report);
    else
        fputs(report, stdout); /* JSON: every string escaped, no raw control character */
    rampart_string_free(report);
    int st = a.html != NULL ? write_html(as, a.html) : 0;
    if (st == 0)
        st = rampart_assessment_meets(as, a.min_grade) == 1 ? CLI_OK : CLI_FAIL;
    rampart_assessment_free(as);
    return st;
}
