/*
 * test_assess.c - src/assess without network or disk: grading caps,
 * sanitised evidence, reports, and the TUF checks over repositories of the
 * test simulator (tests/support/sim.h) read from an in-memory source:
 * a 1-of-1 root, a delegation cycle, an unreachable delegation threshold,
 * tampered metadata, a document over its cap, a missing or malformed root;
 * transparency-log checkpoints read without a policy; options versions.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "assess/assess.h"
#include "assess/tuf_assess.h"
#include "harness.h"
#include "sim.h"
#include "util/json.h"

/* ---- grading ---------------------------------------------------------------- */

static const rassess_rule R_S = {"T-S", RQ_S, "signing rule", "fix signing"};
static const rassess_rule R_SM = {"T-SM", RQ_S | RQ_M, "signing and manifest", "fix both"};

static rampart_assessment *blank(void)
{
    rampart_assessment *a = rampart_calloc(1, sizeof(*a));
    a->location = rampart_strndup("here", 4);
    a->kind = "tuf";
    a->now = SIM_NOW;
    return a;
}

static char grade_of(const rampart_check_status *st, size_t n)
{
    rampart_assessment *a = blank();
    for (size_t i = 0; i < n; i++)
        if (rassess_add(a, &R_S, st[i], "loc", "finding %zu", i) != 0)
            return '!';
    rassess_grade(a);
    char g = rampart_assessment_grade(a, RAMPART_Q_SIGNING);
    rampart_assessment_free(a);
    return g;
}

static void test_grading_caps(void)
{
    const rampart_check_status P = RAMPART_CHECK_PASS, W = RAMPART_CHECK_WARN, F = RAMPART_CHECK_FAIL,
                               C = RAMPART_CHECK_CRITICAL;
    CHECK_INT(grade_of((rampart_check_status[]){P, P}, 2), 'A');
    CHECK_INT(grade_of((rampart_check_status[]){P, W}, 2), 'B');
    CHECK_INT(grade_of((rampart_check_status[]){W, W}, 2), 'B');
    CHECK_INT(grade_of((rampart_check_status[]){W, W, W}, 3), 'C');
    CHECK_INT(grade_of((rampart_check_status[]){W, W, W, F}, 4), 'D');
    CHECK_INT(grade_of((rampart_check_status[]){F, P}, 2), 'D');
    CHECK_INT(grade_of((rampart_check_status[]){F, F}, 2), 'E');
    CHECK_INT(grade_of((rampart_check_status[]){P, C}, 2), 'F');
    CHECK_INT(grade_of((rampart_check_status[]){F, F, C}, 3), 'F');
}

static void test_questions_and_meets(void)
{
    rampart_assessment *a = blank();
    CHECK_OK(rassess_add(a, &R_SM, RAMPART_CHECK_WARN, "loc", "w"));
    CHECK_OK(rassess_add(a, &R_S, RAMPART_CHECK_FAIL, "loc", "f"));
    rassess_grade(a);
    CHECK_INT(rampart_assessment_grade(a, RAMPART_Q_SIGNING), 'D');
    CHECK_INT(rampart_assessment_grade(a, RAMPART_Q_MANIFEST), 'B');
    CHECK_INT(rampart_assessment_grade(a, RAMPART_Q_TRANSPORT), '-');
    CHECK_INT(rampart_assessment_grade(a, (rampart_question)5), '?');
    CHECK_INT(rampart_assessment_meets(a, 'B'), 0);
    CHECK_INT(rampart_assessment_meets(a, 'D'), 1);
    CHECK_INT(rampart_assessment_meets(a, 'F'), 1);
    CHECK_INT(rampart_assessment_meets(a, 'G'), RAMPART_EINVAL);
    rampart_check_result r;
    CHECK_OK(rampart_assessment_check(a, 0, &r));
    CHECK_STR(r.id, "T-SM");
    CHECK_STR(r.remedy, "fix both");
    CHECK_INT(r.questions, RQ_S | RQ_M);
    CHECK_RC(rampart_assessment_check(a, 2, &r), RAMPART_EINVAL);
    rampart_assessment_free(a);
}

static void test_evidence_sanitised_and_capped(void)
{
    rampart_assessment *a = blank();
    CHECK_OK(rassess_add(a, &R_S, RAMPART_CHECK_PASS, "loc\n\x1b", "a\x1b[31mb\xff\xfe c\td"));
    CHECK_STR(a->f[0].evidence, "a?[31mb?? c?d");
    CHECK_STR(a->f[0].location, "loc??");
    char big[2 * RASSESS_EVIDENCE_MAX];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CHECK_OK(rassess_add(a, &R_S, RAMPART_CHECK_PASS, "loc", "%s", big));
    CHECK_INT(strlen(a->f[1].evidence), RASSESS_EVIDENCE_MAX - 1);
    for (size_t i = 2; i < RASSESS_MAX_FINDINGS; i++)
        CHECK_OK(rassess_add(a, &R_S, RAMPART_CHECK_PASS, "loc", "n"));
    CHECK_RC(rassess_add(a, &R_S, RAMPART_CHECK_PASS, "loc", "one too many"), RAMPART_ETOOLARGE);
    rampart_assessment_free(a);
}

static void test_reports_escape(void)
{
    rampart_assessment *a = blank();
    CHECK_OK(rassess_add(a, &R_S, RAMPART_CHECK_WARN, "<loc>", "<script>x</script>&\"'"));
    rassess_grade(a);
    char *html = NULL, *json = NULL, *text = NULL;
    CHECK_OK(rampart_assessment_report(a, RAMPART_REPORT_HTML, &html, NULL));
    CHECK(strstr(html, "&lt;script&gt;x&lt;/script&gt;&amp;&quot;&#39;") != NULL);
    CHECK(strstr(html, "&lt;loc&gt;") != NULL);
    CHECK(strstr(html, "<script") == NULL);
    CHECK_OK(rampart_assessment_report(a, RAMPART_REPORT_JSON, &json, NULL));
    json_t *v = NULL;
    CHECK_OK(rjson_parse((const uint8_t *)json, strlen(json), strlen(json), &v, NULL));
    CHECK_STR(json_string_value(json_object_get(json_object_get(v, "grades"), "signing")), "B");
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(v, "checks"), 0), "evidence")),
              "<script>x</script>&\"'");
    json_decref(v);
    CHECK_OK(rampart_assessment_report(a, RAMPART_REPORT_TEXT, &text, NULL));
    CHECK(strstr(text, "  Signing                B  (warnings)\n") != NULL);
    CHECK(strstr(text, "remedy: fix signing") != NULL);
    char *x = NULL;
    CHECK_RC(rampart_assessment_report(a, (rampart_report_format)9, &x, NULL), RAMPART_EINVAL);
    CHECK(x == NULL);
    rampart_string_free(html);
    rampart_string_free(json);
    rampart_string_free(text);
    rampart_assessment_free(a);
}

/* ---- the TUF kind over the simulator ----------------------------------------- */

#define MAXF 32
typedef struct files {
    size_t n;
    char names[MAXF][64];
    const char *np[MAXF];
    const uint8_t *data[MAXF];
    size_t len[MAXF];
} files;

static void put(files *f, const char *name, const uint8_t *p, size_t n)
{
    (void)snprintf(f->names[f->n], sizeof(f->names[0]), "%s", name);
    f->np[f->n] = f->names[f->n];
    f->data[f->n] = p;
    f->len[f->n] = n;
    f->n++;
}

/* Every root version, the newest timestamp, snapshot, targets and roles[]. */
static void collect(sim *s, files *f, const char *const *roles)
{
    char name[64];
    size_t n;
    for (int64_t v = 1; v <= sim_version(s, "root"); v++) {
        (void)snprintf(name, sizeof(name), "%lld.root.json", (long long)v);
        const uint8_t *p = sim_version_bytes(s, "root", v, &n);
        put(f, name, p, n);
    }
    const uint8_t *p = sim_version_bytes(s, "timestamp", sim_version(s, "timestamp"), &n);
    put(f, "timestamp.json", p, n);
    const char *top[] = {"snapshot", "targets"};
    for (size_t i = 0; i < 2 + 8 && (i < 2 || roles[i - 2] != NULL); i++) {
        const char *r = i < 2 ? top[i] : roles[i - 2];
        (void)snprintf(name, sizeof(name), "%lld.%s.json", (long long)sim_version(s, r), r);
        p = sim_version_bytes(s, r, sim_version(s, r), &n);
        put(f, name, p, n);
    }
}

static int run(sim *s, const char *const *roles, size_t max, rampart_assessment **a, rerr *e)
{
    static const char *const none[] = {NULL};
    files f = {0};
    collect(s, &f, roles != NULL ? roles : none);
    rasrc *m = NULL;
    if (rasrc_mem_new(&m, "sim/", f.n, f.np, f.data, f.len, e) != 0)
        return RAMPART_ENOMEM;
    rassess_input in = {.meta = m, .targets = NULL, .max_doc_bytes = max};
    int rc = rassess_run(a, &rassess_kind_tuf, "sim", &in, SIM_NOW, e);
    rasrc_free(m);
    return rc;
}

static const rassess_finding *find(const rampart_assessment *a, const char *id)
{
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->f[i].rule->id, id) == 0)
            return &a->f[i];
    return NULL;
}

#define CHECK_FINDING(a, id, st, text)                                                                                 \
    do {                                                                                                               \
        const rassess_finding *th_f = find((a), (id));                                                                 \
        CHECK(th_f != NULL);                                                                                           \
        if (th_f->status != (st) || strstr(th_f->evidence, (text)) == NULL)                                            \
            TH_FAIL("%s: status %d, evidence '%s'", (id), (int)th_f->status, th_f->evidence);                          \
    } while (0)

static void test_sim_default(void)
{
    sim *s = sim_new();
    rampart_assessment *a = NULL;
    CHECK_OK(run(s, NULL, 1u << 20, &a, NULL));
    CHECK_INT(a->n, 14); /* no TUF-HTTPS: not a URL */
    CHECK_FINDING(a, "TUF-VERIFY", RAMPART_CHECK_PASS, "trust on first use");
    CHECK_FINDING(a, "TUF-ROOT-THRESHOLD", RAMPART_CHECK_FAIL, "threshold 1 of 1 key(s)");
    CHECK_FINDING(a, "TUF-ONLINE-KEYS", RAMPART_CHECK_PASS, "no timestamp or snapshot key");
    /* the simulator's timestamp expires 30 days ahead: longer than a week */
    CHECK_FINDING(a, "TUF-EXPIRY-WINDOW", RAMPART_CHECK_WARN, "timestamp valid for 30 more day(s)");
    CHECK_FINDING(a, "TUF-EXPIRY", RAMPART_CHECK_PASS, "root: 30 day(s) left");
    CHECK_FINDING(a, "TUF-CONSISTENT-SNAPSHOT", RAMPART_CHECK_PASS, "true");
    CHECK_FINDING(a, "TUF-PROVENANCE", RAMPART_CHECK_FAIL, "0 of 0 target(s)");
    CHECK_FINDING(a, "TUF-TRANSPARENCY-LOG", RAMPART_CHECK_WARN, "no log");
    CHECK_INT(a->grades[RAMPART_Q_TRANSPORT], '-');
    CHECK_INT(a->grades[RAMPART_Q_SIGNING], 'D');
    CHECK_INT(a->grades[RAMPART_Q_MANIFEST], 'D');
    rampart_assessment_free(a);
    sim_free(s);
}

static void test_sim_cycle_and_unreachable(void)
{
    sim *s = sim_new();
    const char *all[] = {"*", NULL};
    sim_add_key(s, "root", "root");
    sim_add_key(s, "root", "root");
    sim_set_threshold(s, "root", "root", 2);
    sim_publish(s, "root");
    sim_delegate(s, "targets", "A", all, false);
    sim_delegate(s, "A", "B", all, false);
    sim_delegate(s, "B", "A", all, false);
    sim_delegate(s, "targets", "C", all, false);
    sim_set_threshold(s, "targets", "C", 3);
    const char *roles[] = {"A", "B", "C", NULL};
    for (size_t i = 0; roles[i] != NULL; i++)
        sim_publish(s, roles[i]);
    sim_update(s, "targets");
    rampart_assessment *a = NULL;
    CHECK_OK(run(s, roles, 1u << 20, &a, NULL));
    CHECK_FINDING(a, "TUF-ROOT-THRESHOLD", RAMPART_CHECK_PASS, "root version 2: threshold 2 of 3 key(s)");
    CHECK_FINDING(a, "TUF-DELEGATIONS", RAMPART_CHECK_FAIL, "delegation cycle through 'A'");
    CHECK_FINDING(a, "TUF-DELEGATIONS", RAMPART_CHECK_FAIL, "'C': threshold 3 of 1 key(s) can never be met");
    CHECK_FINDING(a, "TUF-DELEGATIONS", RAMPART_CHECK_FAIL, "'A' (by targets): every path ('*') to a 1-of-1 key");
    /* C cannot verify: the finding says so, and the grade is F */
    CHECK_FINDING(a, "TUF-VERIFY", RAMPART_CHECK_CRITICAL, "threshold not met for 'C'");
    CHECK_INT(a->grades[RAMPART_Q_SIGNING], 'F');
    rampart_assessment_free(a);
    sim_free(s);
}

static void test_sim_tampered_and_caps(void)
{
    sim *s = sim_new();
    size_t n;
    const uint8_t *ts = sim_version_bytes(s, "timestamp", 1, &n);
    char *bad = rampart_malloc(n);
    memcpy(bad, ts, n);
    char *v = strstr(bad, "\"version\": 1");
    CHECK(v != NULL);
    v[11] = (char)0x37; /* "signed" changed after signing: a version 7 */
    sim_replace_latest(s, "timestamp", bad, n);
    rampart_assessment *a = NULL;
    CHECK_OK(run(s, NULL, 1u << 20, &a, NULL));
    CHECK_FINDING(a, "TUF-VERIFY", RAMPART_CHECK_CRITICAL, "threshold not met for 'timestamp'");
    CHECK_FINDING(a, "TUF-HASH-ALGORITHMS", RAMPART_CHECK_WARN, "no hashes found");
    rampart_assessment_free(a);
    rampart_free(bad);

    /* a cap below the root's size: nothing can be assessed */
    rerr e = {0};
    a = NULL;
    CHECK_RC(run(s, NULL, 100, &a, &e), RAMPART_ETOOLARGE);
    CHECK(a == NULL);
    CHECK(strstr(e.message, "larger than 100 bytes") != NULL);
    sim_free(s);
}

static void test_no_root_and_bad_root(void)
{
    rasrc *m = NULL;
    const char *names[] = {"timestamp.json"};
    const uint8_t *data[] = {(const uint8_t *)"{}"};
    size_t len[] = {2};
    CHECK_OK(rasrc_mem_new(&m, "mem/", 1, names, data, len, NULL));
    rassess_input in = {.meta = m, .max_doc_bytes = 1000};
    rampart_assessment *a = NULL;
    rerr e = {0};
    CHECK_RC(rassess_run(&a, &rassess_kind_tuf, "mem", &in, SIM_NOW, &e), RAMPART_ENOTFOUND);
    CHECK_STR(e.message, "mem/: no TUF root (1.root.json or root.json)");
    rasrc_free(m);

    const char *rnames[] = {"root.json"};
    const uint8_t *rdata[] = {(const uint8_t *)"{\"signed\": {\"_type\": \"root\"}}"};
    size_t rlen[] = {strlen((const char *)rdata[0])};
    CHECK_OK(rasrc_mem_new(&m, "mem/", 1, rnames, rdata, rlen, NULL));
    in.meta = m;
    CHECK_RC(rassess_run(&a, &rassess_kind_tuf, "mem", &in, SIM_NOW, &e), RAMPART_EFORMAT);
    if (strncmp(e.message, "root.json: not valid root metadata: ", 36) != 0)
        TH_FAIL("message: %s", e.message);
    CHECK(a == NULL);
    rasrc_free(m);
}

static void test_document_budget(void)
{
    sim *s = sim_new();
    files f = {0};
    collect(s, &f, (const char *const[]){NULL});
    rasrc *m = NULL;
    CHECK_OK(rasrc_mem_new(&m, "sim/", f.n, f.np, f.data, f.len, NULL));
    m->max_docs = 2; /* root, then 2.root.json (absent): the timestamp is over budget */
    rassess_input in = {.meta = m, .max_doc_bytes = 1u << 20};
    rampart_assessment *a = NULL;
    CHECK_OK(rassess_run(&a, &rassess_kind_tuf, "sim", &in, SIM_NOW, NULL));
    CHECK_FINDING(a, "TUF-VERIFY", RAMPART_CHECK_CRITICAL, "timestamp.json: more than 2 documents read");
    rampart_assessment_free(a);
    rasrc_free(m);
    sim_free(s);
}

/* TUF-TRANSPARENCY-LOG on checkpoints that no verifier can accept, and one
 * read without a policy (the verified paths: tests/cli/test_assess_log.sh). */
static void log_case(const char *checkpoint, rampart_check_status st, const char *text)
{
    sim *s = sim_new();
    files f = {0};
    collect(s, &f, (const char *const[]){NULL});
    rasrc *m = NULL, *log = NULL;
    const char *names[] = {"checkpoint"};
    const uint8_t *data[] = {(const uint8_t *)checkpoint};
    size_t len[] = {checkpoint != NULL ? strlen(checkpoint) : 0};
    CHECK_OK(rasrc_mem_new(&m, "sim/", f.n, f.np, f.data, f.len, NULL));
    CHECK_OK(rasrc_mem_new(&log, "log/", checkpoint != NULL ? 1 : 0, names, data, len, NULL));
    rassess_input in = {.meta = m, .max_doc_bytes = 1u << 20, .log = log};
    rampart_assessment *a = NULL;
    CHECK_OK(rassess_run(&a, &rassess_kind_tuf, "sim", &in, SIM_NOW, NULL));
    CHECK_FINDING(a, "TUF-TRANSPARENCY-LOG", st, text);
    rampart_assessment_free(a);
    rasrc_free(log);
    rasrc_free(m);
    sim_free(s);
}

#define ROOT64 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
#define SIG92 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

static void test_log_unverified(void)
{
    log_case(NULL, RAMPART_CHECK_WARN, "no log: no transparency log checkpoint");
    log_case("not a note\n", RAMPART_CHECK_FAIL, "log/checkpoint is not a signed checkpoint");
    /* a signed note whose text is no checkpoint (no tree size) */
    log_case("example.com/log\n\n\xe2\x80\x94 example.com/log " SIG92 "\n", RAMPART_CHECK_FAIL,
             "is not a signed checkpoint");
    log_case("example.com/log\n3\n" ROOT64 "\n\n\xe2\x80\x94 w1.example " SIG92 "\n", RAMPART_CHECK_FAIL,
             "log 'example.com/log', size 3: no signature line names the origin");
    log_case("example.com/log\n3\n" ROOT64 "\n\n\xe2\x80\x94 example.com/log " SIG92 "\n\xe2\x80\x94 w1.example " SIG92
             "\n",
             RAMPART_CHECK_WARN,
             "log 'example.com/log', size 3: 1 signature line(s) by the log's name and 1 cosignature line(s), not "
             "verified (no --log-policy given");
}

/* Options of version 1 (before log_policy_file) and 2 (before
 * builders_file) are still accepted; a version 2 caller's struct ends
 * before builders_file, which is then never read. */
static void test_options_versions(void)
{
    rampart_assess_options o = RAMPART_ASSESS_OPTIONS_INIT;
    rampart_assessment *a = NULL;
    rampart_error e;
    o.version = 1;
    CHECK_RC(rampart_assessment_new(&a, "/nonexistent/channel", &o, &e), RAMPART_ENOTFOUND);
    o.version = 4;
    CHECK_RC(rampart_assessment_new(&a, "/nonexistent/channel", &o, &e), RAMPART_EINVAL);
    o.version = 0;
    CHECK_RC(rampart_assessment_new(&a, "/nonexistent/channel", &o, &e), RAMPART_EINVAL);
    o.builders_file = "/nonexistent/builders.json";
    o.version = 2;
    CHECK_RC(rampart_assessment_new(&a, "/nonexistent/channel", &o, &e), RAMPART_ENOTFOUND);
    CHECK(strstr(e.message, "builders file") == NULL);
    o.version = 3;
    CHECK_RC(rampart_assessment_new(&a, "/nonexistent/channel", &o, &e), RAMPART_ENOTFOUND);
    CHECK(strstr(e.message, "builders file: cannot open") != NULL);
    o.builders_file = NULL;
    o.version = RAMPART_ASSESS_OPTIONS_VERSION;
    o.log_policy_file = "/nonexistent/policy";
    CHECK_RC(rampart_assessment_new(&a, "/nonexistent/channel", &o, &e), RAMPART_ENOTFOUND);
    CHECK(a == NULL);
}

int main(void)
{
    RUN(test_grading_caps);
    RUN(test_questions_and_meets);
    RUN(test_evidence_sanitised_and_capped);
    RUN(test_reports_escape);
    RUN(test_sim_default);
    RUN(test_sim_cycle_and_unreachable);
    RUN(test_sim_tampered_and_caps);
    RUN(test_no_root_and_bad_root);
    RUN(test_log_unverified);
    RUN(test_options_versions);
    RUN(test_document_budget);
    return th_summary("test_assess");
}
