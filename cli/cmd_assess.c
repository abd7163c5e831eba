/*
 * cmd_assess.c - `rampart assess`: grade an update channel on the five
 * procurement questions (rampart/assess.h, docs/assess.md).
 *
 *   rampart assess [--kind KIND] [--min-grade G] [--json | --sarif] [--html FILE]
 *                  [--root FILE] [--ca-file FILE] URL|DIR
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void assess_usage(FILE *f)
{
    fprintf(f, "usage: rampart assess [--kind auto|tuf] [--min-grade A-F] [--json | --sarif] [--html FILE]\n"
               "                      [--root FILE] [--ca-file FILE] URL|DIR\n"
               "\n"
               "Inspects the update channel at URL or in DIR and grades it from A to F on five questions:\n"
               "transport, signing, manifest verification, hashes and provenance, with the evidence\n"
               "behind each grade and a remedy per finding.  The channel is untrusted input.\n"
               "\n"
               "options:\n"
               "  --kind KIND       channel kind: auto (default) or tuf\n"
               "  --min-grade G     exit 1 unless every assessed question grades G or better (default B)\n"
               "  --json            print the JSON report (docs/assess-report.schema.json) instead of text\n"
               "  --sarif           print a SARIF 2.1.0 report instead of text\n"
               "  --html FILE       also write a self-contained HTML report to FILE\n"
               "  --root FILE       TUF: a root obtained out of band (default: the channel's own)\n"
               "  --ca-file FILE    CA bundle for HTTPS instead of the system store\n"
               "exit status: 0 every question meets --min-grade, 1 one does not, 2 error or bad usage.\n"
               "See docs/assess.md.\n");
}

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

static int parse(int argc, char **argv, struct assess_args *a)
{
    enum { O_KIND = 256, O_MIN, O_JSON, O_SARIF, O_HTML, O_ROOT, O_CA };
    static const struct option opts[] = {
        {"kind", required_argument, NULL, O_KIND},
        {"min-grade", required_argument, NULL, O_MIN},
        {"json", no_argument, NULL, O_JSON},
        {"sarif", no_argument, NULL, O_SARIF},
        {"html", required_argument, NULL, O_HTML},
        {"root", required_argument, NULL, O_ROOT},
        {"ca-file", required_argument, NULL, O_CA},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    int c;
    bool json = false, sarif = false;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_KIND:
            if (parse_kind(optarg, &a->o.kind) != 0) {
                cli_errorf("assess: unknown --kind '%s' (auto or tuf)", optarg);
                return CLI_USAGE;
            }
            break;
        case O_MIN:
            if (strlen(optarg) != 1 || optarg[0] < 'A' || optarg[0] > 'F') {
                cli_errorf("assess: --min-grade must be one of A B C D E F");
                return CLI_USAGE;
            }
            a->min_grade = optarg[0];
            break;
        case O_JSON:
            json = true;
            break;
        case O_SARIF:
            sarif = true;
            break;
        case O_HTML:
            a->html = optarg;
            break;
        case O_ROOT:
            a->o.root_file = optarg;
            break;
        case O_CA:
            a->o.ca_file = optarg;
            break;
        case 'h':
            assess_usage(stdout);
            return -1;
        default:
            assess_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (json && sarif) {
        cli_errorf("assess: --json and --sarif cannot be combined");
        return CLI_USAGE;
    }
    a->format = json ? RAMPART_REPORT_JSON : sarif ? RAMPART_REPORT_SARIF : RAMPART_REPORT_TEXT;
    if (optind != argc - 1) {
        assess_usage(stderr);
        return CLI_USAGE;
    }
    a->location = argv[optind];
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
        cli_errorf("assess: cannot write %s [RAMPART_EIO]", path);
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
