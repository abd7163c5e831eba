/*
 * batch.c - one comparison table of several channels (`rampart assess
 * --batch FILE`, docs/assess.md, "Several vendors at once"): a row per
 * channel with its five grades and whether it meets the minimum grade, or
 * the error that kept it from being assessed; as text or as one JSON
 * document holding every channel's full report.
 */
#include <jansson.h>
#include <string.h>

#include "assess/assess.h"
#include "util/banned.h"

static int item_ok(const rampart_assess_batch_item *it)
{
    return it->location != NULL && (it->assessment != NULL || it->error_code != 0);
}

static int text_row(const rampart_assess_batch_item *it, char min_grade, size_t width, rbuf *out)
{
    char loc[1024];
    rampart_sanitize(loc, sizeof(loc), it->location, strlen(it->location));
    int rc = rbuf_appendf(out, "  %-*s", (int)width, loc);
    if (rc != 0)
        return rc;
    if (it->assessment == NULL) {
        char msg[512];
        const char *m = it->error_message != NULL ? it->error_message : "";
        rampart_sanitize(msg, sizeof(msg), m, strlen(m));
        return rbuf_appendf(out, "  %-6s  -  -  -  -  -  ERROR %s: %s\n", "-", rampart_error_name(it->error_code), msg);
    }
    const rampart_assessment *a = it->assessment;
    rc = rbuf_appendf(out, "  %-6s", a->kind);
    for (unsigned q = 0; q < RAMPART_QUESTION_COUNT && rc == 0; q++)
        rc = rbuf_appendf(out, "  %c", a->grades[q]);
    if (rc == 0)
        rc = rbuf_appendf(out, "  %s\n", rampart_assessment_meets(a, min_grade) == 1 ? "meets" : "BELOW");
    return rc;
}

static int text(const rampart_assess_batch_item *items, size_t n, char min_grade, rbuf *out)
{
    size_t width = strlen("channel");
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(items[i].location);
        if (l > width)
            width = l < 60 ? l : 60;
    }
    int rc =
        rbuf_appendf(out, "rampart assess: %zu channel(s), minimum grade %c\n\n  %-*s  %-6s  T  S  M  H  P  result\n",
                     n, min_grade, (int)width, "channel", "kind");
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = text_row(&items[i], min_grade, width, out);
    if (rc == 0)
        rc = rbuf_append_str(out, "\nT transport, S signing, M manifest verification, H hashes, P provenance;\n"
                                  "- not assessed (a local folder has no transport) or not assessable (error)\n");
    return rc;
}

static json_t *json_item(const rampart_assess_batch_item *it, char min_grade, rerr *e)
{
    char loc[1024];
    rampart_sanitize(loc, sizeof(loc), it->location, strlen(it->location));
    if (it->assessment == NULL) {
        const char *m = it->error_message != NULL ? it->error_message : "";
        char msg[512];
        rampart_sanitize(msg, sizeof(msg), m, strlen(m));
        return json_pack("{s:s,s:{s:s,s:s}}", "location", loc, "error", "code", rampart_error_name(it->error_code),
                         "message", msg);
    }
    json_t *report = NULL;
    if (rassess_report_json_obj(it->assessment, &report, e) != 0)
        return NULL;
    return json_pack("{s:s,s:b,s:o}", "location", loc, "meets",
                     rampart_assessment_meets(it->assessment, min_grade) == 1, "report", report);
}

static int json(const rampart_assess_batch_item *items, size_t n, char min_grade, rbuf *out, rerr *e)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++)
        if (json_array_append_new(arr, json_item(&items[i], min_grade, e)) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    char mg[2] = {min_grade, '\0'};
    json_t *v = json_pack("{s:s,s:i,s:s,s:o*}", "format", "rampart-assess-batch", "format_version", 1, "min_grade", mg,
                          "channels", arr);
    if (v == NULL && e != NULL && e->code != 0)
        return e->code; /* a report that could not be built said why */
    return rassess_json_dump(v, out, e);
}

int rampart_assess_batch_report(const rampart_assess_batch_item *items, size_t n, char min_grade,
                                rampart_report_format format, char **out, rampart_error *err)
{
    rerr_clear(err);
    if ((items == NULL && n > 0) || out == NULL || min_grade < 'A' || min_grade > 'F' ||
        (format != RAMPART_REPORT_TEXT && format != RAMPART_REPORT_JSON))
        return rerr_set(err, RAMPART_EINVAL, NULL, "bad arguments (a batch report is text or JSON)");
    for (size_t i = 0; i < n; i++)
        if (!item_ok(&items[i]))
            return rerr_set(err, RAMPART_EINVAL, NULL,
                            "batch item %zu has no location, or neither an assessment nor an error", i);
    RAMPART_AUTO(rbuf_free) rbuf b;
    rbuf_init(&b, (size_t)256 << 20);
    int rc = format == RAMPART_REPORT_TEXT ? text(items, n, min_grade, &b) : json(items, n, min_grade, &b, err);
    if (rc != 0)
        return err != NULL && err->code == rc ? rc : rerr_set(err, rc, NULL, "cannot render the batch report");
    size_t len = 0;
    uint8_t *s = rbuf_detach(&b, &len);
    if (s == NULL)
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    *out = (char *)s;
    return 0;
}
