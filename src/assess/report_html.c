/* report_html.c - the HTML report: one self-contained page (inline style,
 * no script, no external reference of any kind), the grades at a glance,
 * then per question the evidence and remedies.  Every string that may come
 * from the assessed channel is HTML-escaped. */
#include <string.h>

#include "assess/assess.h"
#include "util/rtime.h"
#include "util/banned.h"

static const char *const TITLES[RAMPART_QUESTION_COUNT] = {"Transport", "Signing", "Manifest verification", "Hashes",
                                                           "Provenance"};

static int esc(rbuf *out, const char *s)
{
    int rc = 0;
    for (; *s != '\0' && rc == 0; s++) {
        switch (*s) {
        case '&':
            rc = rbuf_append_str(out, "&amp;");
            break;
        case '<':
            rc = rbuf_append_str(out, "&lt;");
            break;
        case '>':
            rc = rbuf_append_str(out, "&gt;");
            break;
        case '"':
            rc = rbuf_append_str(out, "&quot;");
            break;
        case '\'':
            rc = rbuf_append_str(out, "&#39;");
            break;
        default:
            rc = rbuf_append_byte(out, (uint8_t)*s);
            break;
        }
    }
    return rc;
}

static const char STYLE[] = "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}"
                            "td,th{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}"
                            ".g{font-size:1.6em;font-weight:bold;text-align:center;width:2em}"
                            ".gA,.gB{background:#cfc}.gC{background:#ffc}.gD,.gE{background:#fdb}.gF{background:#f99}"
                            ".pass{color:#060}.warn{color:#850}.fail,.critical{color:#a00;font-weight:bold}"
                            "code{word-break:break-all}";

static int head(const rampart_assessment *a, rbuf *out)
{
    char when[RTIME_STR_LEN + 1] = "";
    if (rtime_format(a->now, when) != 0)
        when[0] = '\0';
    int rc = rbuf_appendf(out,
                          "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                          "style-src 'unsafe-inline'\"><title>Update channel assessment</title><style>%s</style>"
                          "</head><body>\n<h1>Update channel assessment</h1>\n<p>Location: <code>",
                          STYLE);
    if (rc == 0)
        rc = esc(out, a->location);
    if (rc == 0)
        rc = rbuf_appendf(out, "</code><br>Kind: %s. Assessed at %s by rampart.</p>\n<table><tr>", a->kind, when);
    for (unsigned q = 0; q < RAMPART_QUESTION_COUNT && rc == 0; q++)
        rc = rbuf_appendf(out, "<th>%s</th>", TITLES[q]);
    if (rc == 0)
        rc = rbuf_append_str(out, "</tr>\n<tr>");
    for (unsigned q = 0; q < RAMPART_QUESTION_COUNT && rc == 0; q++)
        rc = rbuf_appendf(out, "<td class=\"g g%c\">%c</td>", a->grades[q], a->grades[q]);
    if (rc == 0)
        rc = rbuf_append_str(out, "</tr></table>\n");
    return rc;
}

static int finding(const rassess_finding *f, rbuf *out)
{
    const char *st = rampart_check_status_name(f->status);
    int rc = rbuf_appendf(out, "<tr><td class=\"%s\">%s</td><td><code>%s</code><br>%s</td><td>", st, st, f->rule->id,
                          f->rule->title);
    if (rc == 0)
        rc = esc(out, f->evidence);
    if (rc == 0)
        rc = rbuf_append_str(out, "<br><small>");
    if (rc == 0)
        rc = esc(out, f->location);
    if (rc == 0)
        rc = rbuf_appendf(out, "</small></td><td>%s</td></tr>\n",
                          f->status == RAMPART_CHECK_PASS ? "" : f->rule->remedy);
    return rc;
}

int rassess_report_html(const rampart_assessment *a, rbuf *out)
{
    int rc = head(a, out);
    for (unsigned q = 0; q < RAMPART_QUESTION_COUNT && rc == 0; q++) {
        rc = rbuf_appendf(out, "<h2>%s: %c</h2>\n<p>%s.</p>\n", TITLES[q], a->grades[q],
                          rassess_grade_meaning(a->grades[q]));
        if (a->grades[q] == '-')
            continue; /* no check answered it: no empty table */
        if (rc == 0)
            rc =
                rbuf_append_str(out, "<table><tr><th>status</th><th>check</th><th>evidence</th><th>remedy</th></tr>\n");
        for (size_t i = 0; i < a->n && rc == 0; i++)
            if ((a->f[i].rule->questions & RQ(q)) != 0)
                rc = finding(&a->f[i], out);
        if (rc == 0)
            rc = rbuf_append_str(out, "</table>\n");
    }
    if (rc == 0)
        rc = rbuf_append_str(out, "<p><small>Grades: A every check passed; B warnings; C three or more warnings; "
                                  "D a failed check; E two or more failed checks; F a critical failure; - not "
                                  "assessed.</small></p>\n</body></html>\n");
    return rc;
}
