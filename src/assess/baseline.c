/*
 * baseline.c - what got better or worse since an earlier assessment of the
 * same channel (`rampart assess --baseline OLD.json`, docs/assess.md,
 * "Comparing with a baseline").
 *
 * The baseline is an earlier JSON report (format "rampart-assess", version
 * 1).  It is a file from outside and is read as untrusted input: capped,
 * parsed strictly, every field checked before it is used, every string
 * sanitised before it reaches a report.  Questions are compared by grade;
 * checks by identifier, each identifier standing for the worst status of
 * its findings (a kind may report one rule several times, once per role).
 */
#include <jansson.h>
#include <string.h>

#include "assess/assess.h"
#include "util/jdoc.h"
#include "util/banned.h"

/* A baseline larger than this is not a report of ours. */
#define BASELINE_MAX ((size_t)16 << 20)
#define ID_MAX 64
/* Distinct check identifiers compared (both sides together). */
#define IDS_MAX ((size_t)2 * RASSESS_MAX_FINDINGS)

static const char *const TITLES[RAMPART_QUESTION_COUNT] = {"Transport", "Signing", "Manifest verification", "Hashes",
                                                           "Provenance"};

typedef struct cmp_id {
    char id[ID_MAX + 1];
    int before; /* worst status, -1: not in the baseline */
    int now;    /* worst status, -1: not in this assessment */
} cmp_id;

typedef struct cmp {
    char location[512];   /* the baseline's, sanitised */
    char assessed_at[64]; /* the baseline's, sanitised */
    char before[RAMPART_QUESTION_COUNT];
    cmp_id ids[IDS_MAX];
    size_t nids;
} cmp;

static int bad(rerr *e, const char *what)
{
    return rerr_set(e, RAMPART_EFORMAT, NULL, "the baseline is not a rampart assess JSON report: %s", what);
}

static int status_of(rslice s)
{
    for (int i = 0; i < 4; i++)
        if (rslice_eq_cstr(s, rampart_check_status_name((rampart_check_status)i)))
            return i;
    return -1;
}

/* The entry of `id` (len bytes), added when new; NULL when the table is full. */
static cmp_id *id_entry(cmp *c, const char *id, size_t len)
{
    for (size_t i = 0; i < c->nids; i++)
        if (strlen(c->ids[i].id) == len && memcmp(c->ids[i].id, id, len) == 0)
            return &c->ids[i];
    if (c->nids == IDS_MAX || len > ID_MAX)
        return NULL;
    cmp_id *x = &c->ids[c->nids++];
    memcpy(x->id, id, len);
    x->id[len] = '\0';
    x->before = x->now = -1;
    return x;
}

/* Check identifiers are ours: upper-case letters, digits and '-'. */
static bool id_ok(rslice s)
{
    if (s.n == 0 || s.n > ID_MAX)
        return false;
    for (size_t i = 0; i < s.n; i++)
        if (!((s.p[i] >= 'A' && s.p[i] <= 'Z') || (s.p[i] >= '0' && s.p[i] <= '9') || s.p[i] == '-'))
            return false;
    return true;
}

static int read_grades(const jdoc *d, jd_ref g, cmp *c, rerr *e)
{
    if (g == JD_NONE || jdoc_type(d, g) != JD_OBJECT)
        return bad(e, "no \"grades\" object");
    for (unsigned q = 0; q < RAMPART_QUESTION_COUNT; q++) {
        jd_ref v = jdoc_get(d, g, rampart_question_name((rampart_question)q));
        rslice s = v != JD_NONE && jdoc_type(d, v) == JD_STRING ? jdoc_str(d, v) : (rslice){NULL, 0};
        if (s.n != 1 || !((s.p[0] >= 'A' && s.p[0] <= 'F') || s.p[0] == '-'))
            return bad(e, "a grade is not A to F or -");
        c->before[q] = (char)s.p[0];
    }
    return 0;
}

static int read_checks(const jdoc *d, jd_ref arr, cmp *c, rerr *e)
{
    if (arr == JD_NONE || jdoc_type(d, arr) != JD_ARRAY)
        return bad(e, "no \"checks\" array");
    if (jdoc_count(d, arr) > RASSESS_MAX_FINDINGS)
        return bad(e, "too many checks");
    for (jd_ref it = jdoc_first(d, arr); it != JD_NONE; it = jdoc_next(d, it)) {
        jd_ref id = jdoc_type(d, it) == JD_OBJECT ? jdoc_get(d, it, "id") : JD_NONE;
        jd_ref st = jdoc_type(d, it) == JD_OBJECT ? jdoc_get(d, it, "status") : JD_NONE;
        if (id == JD_NONE || jdoc_type(d, id) != JD_STRING || !id_ok(jdoc_str(d, id)))
            return bad(e, "a check without a valid \"id\"");
        int s = st != JD_NONE && jdoc_type(d, st) == JD_STRING ? status_of(jdoc_str(d, st)) : -1;
        if (s < 0)
            return bad(e, "a check without a valid \"status\"");
        rslice ids = jdoc_str(d, id);
        cmp_id *x = id_entry(c, (const char *)ids.p, ids.n);
        if (x == NULL)
            return bad(e, "too many checks");
        if (s > x->before)
            x->before = s;
    }
    return 0;
}

static void read_string(const jdoc *d, jd_ref obj, const char *key, char *dst, size_t cap)
{
    jd_ref v = jdoc_get(d, obj, key);
    rslice s = v != JD_NONE && jdoc_type(d, v) == JD_STRING ? jdoc_str(d, v) : (rslice){NULL, 0};
    rampart_sanitize(dst, cap, (const char *)s.p, s.n);
}

static int read_baseline(const void *data, size_t len, cmp *c, rerr *e)
{
    if (len > BASELINE_MAX)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "the baseline is over %zu bytes", BASELINE_MAX);
    jd_limits lim = {.max_bytes = BASELINE_MAX};
    jdoc *d = NULL;
    int rc = jdoc_parse(&d, data, len, false, &lim, e);
    if (rc != 0)
        return rc == RAMPART_EFORMAT ? bad(e, e != NULL ? e->message : "invalid JSON") : rc;
    jd_ref root = jdoc_root(d), f = JD_NONE, v = JD_NONE;
    if (jdoc_type(d, root) == JD_OBJECT) {
        f = jdoc_get(d, root, "format");
        v = jdoc_get(d, root, "format_version");
    }
    if (f == JD_NONE || jdoc_type(d, f) != JD_STRING || !rslice_eq_cstr(jdoc_str(d, f), "rampart-assess"))
        rc = bad(e, "\"format\" is not \"rampart-assess\"");
    else if (v == JD_NONE || jdoc_type(d, v) != JD_INT || jdoc_int(d, v) != 1)
        rc = bad(e, "\"format_version\" is not 1");
    if (rc == 0)
        rc = read_grades(d, jdoc_get(d, root, "grades"), c, e);
    if (rc == 0)
        rc = read_checks(d, jdoc_get(d, root, "checks"), c, e);
    if (rc == 0) {
        read_string(d, root, "location", c->location, sizeof(c->location));
        read_string(d, root, "assessed_at", c->assessed_at, sizeof(c->assessed_at));
    }
    jdoc_free(d);
    return rc;
}

static int add_current(const rampart_assessment *a, cmp *c, rerr *e)
{
    for (size_t i = 0; i < a->n; i++) {
        cmp_id *x = id_entry(c, a->f[i].rule->id, strlen(a->f[i].rule->id));
        if (x == NULL)
            return rerr_set(e, RAMPART_ETOOLARGE, NULL, "too many checks to compare");
        if ((int)a->f[i].status > x->now)
            x->now = (int)a->f[i].status;
    }
    return 0;
}

/* "better", "worse" or "same" for grades ('-': not assessed). */
static const char *grade_change(char before, char now)
{
    if (before == now)
        return "same";
    if (before == '-')
        return "assessed";
    if (now == '-')
        return "not assessed";
    return now < before ? "better" : "worse";
}

static const char *check_change(const cmp_id *x)
{
    if (x->before < 0)
        return "new";
    if (x->now < 0)
        return "gone";
    return x->now < x->before ? "better" : x->now > x->before ? "worse" : "same";
}

/* Worse: a question graded lower than before, or no longer assessed. */
static bool any_worse(const rampart_assessment *a, const cmp *c)
{
    for (unsigned q = 0; q < RAMPART_QUESTION_COUNT; q++) {
        const char *ch = grade_change(c->before[q], a->grades[q]);
        if (strcmp(ch, "worse") == 0 || strcmp(ch, "not assessed") == 0)
            return true;
    }
    return false;
}

static const char *status_or(int s, const char *none)
{
    return s < 0 ? none : rampart_check_status_name((rampart_check_status)s);
}

static int text(const rampart_assessment *a, const cmp *c, rbuf *out)
{
    int rc = rbuf_appendf(out, "\ncompared with the baseline assessed at %s\n", c->assessed_at);
    if (rc == 0 && strcmp(c->location, a->location) != 0)
        rc = rbuf_appendf(out, "note: the baseline assessed another location: %s\n", c->location);
    if (rc == 0)
        rc = rbuf_appendf(out, "\n  %-22s before  now\n", "question");
    for (unsigned q = 0; q < RAMPART_QUESTION_COUNT && rc == 0; q++) {
        const char *ch = grade_change(c->before[q], a->grades[q]);
        rc = rbuf_appendf(out, "  %-22s %c       %c    %s\n", TITLES[q], c->before[q], a->grades[q],
                          strcmp(ch, "same") == 0 ? "" : ch);
    }
    size_t changed = 0;
    for (size_t i = 0; i < c->nids && rc == 0; i++) {
        const char *ch = check_change(&c->ids[i]);
        if (strcmp(ch, "same") == 0)
            continue;
        if (changed++ == 0)
            rc = rbuf_append_str(out, "\nchecks that changed:\n");
        if (rc == 0)
            rc = rbuf_appendf(out, "  %-32s %-8s -> %-8s %s\n", c->ids[i].id, status_or(c->ids[i].before, "-"),
                              status_or(c->ids[i].now, "-"), ch);
    }
    if (rc == 0 && changed == 0)
        rc = rbuf_append_str(out, "\nno check changed\n");
    if (rc == 0)
        rc = rbuf_appendf(out, "\n%s\n",
                          any_worse(a, c) ? "result: WORSE than the baseline" : "result: not worse than the baseline");
    return rc;
}

static json_t *json_status(int s)
{
    return s < 0 ? json_null() : json_string(rampart_check_status_name((rampart_check_status)s));
}

static json_t *json_questions(const rampart_assessment *a, const cmp *c)
{
    json_t *arr = json_array();
    for (unsigned q = 0; arr != NULL && q < RAMPART_QUESTION_COUNT; q++) {
        char b[2] = {c->before[q], '\0'}, n[2] = {a->grades[q], '\0'};
        json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "question", rampart_question_name((rampart_question)q), "before", b,
                              "now", n, "change", grade_change(c->before[q], a->grades[q]));
        if (json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *json_checks(const cmp *c)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < c->nids; i++) {
        json_t *o = json_pack("{s:s,s:o,s:o,s:s}", "id", c->ids[i].id, "before", json_status(c->ids[i].before), "now",
                              json_status(c->ids[i].now), "change", check_change(&c->ids[i]));
        if (json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static int json(const rampart_assessment *a, const cmp *c, rbuf *out, rerr *e)
{
    json_t *report = NULL;
    int rc = rassess_report_json_obj(a, &report, e);
    if (rc != 0)
        return rc;
    json_t *v =
        json_pack("{s:s,s:i,s:{s:s,s:s},s:o*,s:o*,s:b,s:o}", "format", "rampart-assess-comparison", "format_version", 1,
                  "baseline", "location", c->location, "assessed_at", c->assessed_at, "questions", json_questions(a, c),
                  "checks", json_checks(c), "worse", any_worse(a, c), "report", report);
    return rassess_json_dump(v, out, e);
}

int rampart_assessment_compare(const rampart_assessment *a, const void *baseline, size_t len,
                               rampart_report_format format, char **out, int *worse, rampart_error *err)
{
    rerr_clear(err);
    if (a == NULL || (baseline == NULL && len > 0) || out == NULL ||
        (format != RAMPART_REPORT_TEXT && format != RAMPART_REPORT_JSON))
        return rerr_set(err, RAMPART_EINVAL, NULL, "bad arguments (a comparison is text or JSON)");
    cmp *c = rampart_calloc(1, sizeof(*c));
    if (c == NULL)
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    int rc = read_baseline(baseline, len, c, err);
    if (rc == 0)
        rc = add_current(a, c, err);
    RAMPART_AUTO(rbuf_free) rbuf b;
    rbuf_init(&b, (size_t)80 << 20);
    if (rc == 0)
        rc = format == RAMPART_REPORT_TEXT ? text(a, c, &b) : json(a, c, &b, err);
    if (rc != 0 && (err == NULL || err->code != rc))
        rc = rerr_set(err, rc, NULL, "cannot compare with the baseline");
    if (rc == 0 && worse != NULL)
        *worse = any_worse(a, c);
    rampart_free(c);
    if (rc != 0)
        return rc;
    size_t n = 0;
    uint8_t *s = rbuf_detach(&b, &n);
    if (s == NULL)
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    *out = (char *)s;
    return 0;
}
