/* report_json.c - the JSON report (docs/assess.md, "JSON report", schema
 * docs/assess-report.schema.json) and the SARIF 2.1.0 report (one rule per
 * check of the kind, passing checks as results of kind "pass"). */
#include <jansson.h>
#include <string.h>

#include "assess/assess.h"
#include "assess/tls.h"
#include "rampart/version.h"
#include "util/json.h"
#include "util/rtime.h"
#include "util/banned.h"

/* Builds with jansson's "o*" style: a NULL anywhere becomes an error. */
static json_t *questions_of(unsigned bits)
{
    json_t *arr = json_array();
    for (unsigned q = 0; arr != NULL && q < RAMPART_QUESTION_COUNT; q++)
        if ((bits & RQ(q)) != 0 && json_array_append_new(arr, json_string(rampart_question_name(q))) != 0) {
            json_decref(arr);
            return NULL;
        }
    return arr;
}

static json_t *grades_of(const rampart_assessment *a)
{
    json_t *g = json_object();
    for (unsigned q = 0; g != NULL && q < RAMPART_QUESTION_COUNT; q++) {
        char s[2] = {a->grades[q], '\0'};
        if (json_object_set_new(g, rampart_question_name(q), json_string(s)) != 0) {
            json_decref(g);
            return NULL;
        }
    }
    return g;
}

int rassess_json_dump(json_t *v, rbuf *out, rerr *e)
{
    if (v == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(v);
    if (s == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    int rc = rbuf_append_str(out, s);
    if (rc == 0)
        rc = rbuf_append_byte(out, '\n');
    free(s); /* jansson's own allocation */
    return rc != 0 ? rerr_set(e, rc, NULL, "report too large") : 0;
}

static json_t *check_json(const rassess_finding *f)
{
    return json_pack("{s:s,s:s,s:o*,s:s,s:s,s:s,s:s}", "id", f->rule->id, "title", f->rule->title, "questions",
                     questions_of(f->rule->questions), "status", rampart_check_status_name(f->status), "evidence",
                     f->evidence, "remedy", f->status == RAMPART_CHECK_PASS ? "" : f->rule->remedy, "location",
                     f->location);
}

int rassess_report_json_obj(const rampart_assessment *a, json_t **out, rerr *e)
{
    char when[RTIME_STR_LEN + 1] = "";
    if (rtime_format(a->now, when) != 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "assessment time out of range");
    json_t *checks = json_array();
    for (size_t i = 0; checks != NULL && i < a->n; i++)
        if (json_array_append_new(checks, check_json(&a->f[i])) != 0) {
            json_decref(checks);
            checks = NULL;
        }
    *out = json_pack("{s:s,s:i,s:{s:s,s:s},s:s,s:s,s:s,s:o*,s:o*}", "format", "rampart-assess", "format_version", 1,
                     "tool", "name", "rampart", "version", rampart_version(), "location", a->location, "kind", a->kind,
                     "assessed_at", when, "grades", grades_of(a), "checks", checks);
    return *out != NULL ? 0 : rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
}

int rassess_report_json(const rampart_assessment *a, rbuf *out, rerr *e)
{
    json_t *v = NULL;
    int rc = rassess_report_json_obj(a, &v, e);
    return rc == 0 ? rassess_json_dump(v, out, e) : rc;
}

/* ---- SARIF 2.1.0 ------------------------------------------------------------------ */

static int sarif_rule_add(json_t *rules, const rassess_rule *r)
{
    json_t *o = json_pack("{s:s,s:{s:s},s:{s:s},s:{s:o*}}", "id", r->id, "shortDescription", "text", r->title, "help",
                          "text", r->remedy, "properties", "questions", questions_of(r->questions));
    return json_array_append_new(rules, o);
}

/* The kind's rules (none for an unreachable location), then the Transport
 * probe's (assess/tls.h), which every kind shares. */
static json_t *sarif_rules(const rassess_kind *k)
{
    json_t *rules = json_array();
    for (size_t i = 0; rules != NULL && k != NULL && i < k->nrules; i++)
        if (sarif_rule_add(rules, &k->rules[i]) != 0) {
            json_decref(rules);
            return NULL;
        }
    for (size_t i = 0; rules != NULL && i < TLS_NRULES; i++)
        if (sarif_rule_add(rules, &rassess_tls_rules[i]) != 0) {
            json_decref(rules);
            return NULL;
        }
    return rules;
}

static size_t rule_index(const rassess_kind *k, const rassess_rule *r)
{
    size_t nk = k != NULL ? k->nrules : 0;
    if (r >= rassess_tls_rules && r < rassess_tls_rules + TLS_NRULES)
        return nk + (size_t)(r - rassess_tls_rules);
    /* Without a kind (an unreachable location) every finding is a TLS one. */
    return k != NULL ? (size_t)(r - k->rules) : 0;
}

/* SARIF 2.1.0 §3.27.9/§3.27.10: a result that is not a failure has kind
 * "pass" and level "none". */
static json_t *sarif_result(const rassess_kind *k, const rassess_finding *f)
{
    static const char *const level[4] = {"none", "warning", "error", "error"};
    const char *text = f->status == RAMPART_CHECK_PASS ? f->evidence : NULL;
    json_t *msg = text != NULL ? json_pack("{s:s}", "text", text)
                               : json_pack("{s:s+++}", "text", f->evidence, " (remedy: ", f->rule->remedy, ")");
    return json_pack("{s:s,s:I,s:s,s:s,s:o*,s:[{s:{s:{s:s}}}],s:{s:s,s:o*}}", "ruleId", f->rule->id, "ruleIndex",
                     (json_int_t)rule_index(k, f->rule), "kind", f->status == RAMPART_CHECK_PASS ? "pass" : "fail",
                     "level", level[f->status], "message", msg, "locations", "physicalLocation", "artifactLocation",
                     "uri", f->location, "properties", "status", rampart_check_status_name(f->status), "questions",
                     questions_of(f->rule->questions));
}

static const rassess_kind *kind_of(const rampart_assessment *a)
{
    for (size_t i = 0; i < rassess_kind_count(); i++)
        if (strcmp(rassess_kind_at(i)->name, a->kind) == 0)
            return rassess_kind_at(i);
    return NULL;
}

int rassess_report_sarif(const rampart_assessment *a, rbuf *out, rerr *e)
{
    const rassess_kind *k = kind_of(a);
    if (k == NULL && strcmp(a->kind, RASSESS_KIND_UNREACHABLE) != 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "unknown kind");
    json_t *results = json_array();
    for (size_t i = 0; results != NULL && i < a->n; i++)
        if (json_array_append_new(results, sarif_result(k, &a->f[i])) != 0) {
            json_decref(results);
            results = NULL;
        }
    json_t *v = json_pack("{s:s,s:s,s:[{s:{s:{s:s,s:s,s:o*}},s:o*,s:{s:s,s:s,s:o*}}]}", "$schema",
                          "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json",
                          "version", "2.1.0", "runs", "tool", "driver", "name", "rampart", "version", rampart_version(),
                          "rules", sarif_rules(k), "results", results, "properties", "kind", a->kind, "location",
                          a->location, "grades", grades_of(a));
    return rassess_json_dump(v, out, e);
}
