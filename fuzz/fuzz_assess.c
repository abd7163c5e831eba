/*
 * fuzz_assess.c - the TUF assessment (src/assess) over a repository made
 * of the input, and every report of its result.
 *
 * The input is a sequence of documents separated by FUZZ_SEP; the first
 * line of each is the file's name in the repository ("1.root.json",
 * "timestamp.json", "1.snapshot.json", "2.targets.json", "1.role.json",
 * ...); a name starting with "targets/" is a target file (an attestation,
 * an inclusion proof) read from the targets folder, one starting with
 * "log/" a file of the transparency log ("log/checkpoint"; read without a
 * witness policy).  The reference time is fixed.  The seed
 * corpus is made by fuzz/assess_seeds.sh from repositories built with
 * `rampart repo`.
 *
 * Invariants: the assessment returns 0, ENOTFOUND (no root), EFORMAT (the
 * first root is not root metadata) or ETOOLARGE; on success every grade is
 * one of A-F or '-', every finding has evidence free of control
 * characters, the four reports render, the JSON and SARIF reports parse as
 * strict JSON, the text report holds no control character but newlines,
 * and the HTML report no markup from the input.
 */
#include "assess/assess.h"
#include "fuzz_common.h"
#include "util/json.h"
#include "util/banned.h"

#define MAX_INPUT (1u << 20)
#define NOW 1796083200LL /* 2026-12-01T00:00:00Z */

typedef struct files {
    size_t n;
    const char *names[FUZZ_MAX_PARTS];
    const uint8_t *data[FUZZ_MAX_PARTS];
    size_t len[FUZZ_MAX_PARTS];
    char name_buf[FUZZ_MAX_PARTS][256];
} files;

static void add(files *f, fuzz_part name, fuzz_part body)
{
    size_t k = name.n < 255 ? name.n : 255;
    memcpy(f->name_buf[f->n], name.p, k);
    f->name_buf[f->n][k] = '\0';
    f->names[f->n] = f->name_buf[f->n];
    f->data[f->n] = body.p;
    f->len[f->n] = body.n;
    f->n++;
}

static void check_reports(const rampart_assessment *a)
{
    for (int fmt = RAMPART_REPORT_TEXT; fmt <= RAMPART_REPORT_HTML; fmt++) {
        char *out = NULL;
        int rc = rampart_assessment_report(a, (rampart_report_format)fmt, &out, NULL);
        if (rc == RAMPART_ENOMEM)
            continue;
        FUZZ_CHECK(rc == 0 && out != NULL);
        size_t n = strlen(out);
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK(out[i] == '\n' || ((unsigned char)out[i] >= 0x20 && out[i] != 0x7f));
        if (fmt == RAMPART_REPORT_JSON || fmt == RAMPART_REPORT_SARIF) {
            json_t *v = NULL;
            rc = rjson_parse((const uint8_t *)out, n, n, &v, NULL);
            FUZZ_CHECK(rc == 0 || rc == RAMPART_ENOMEM);
            json_decref(v);
        }
        if (fmt == RAMPART_REPORT_HTML)
            FUZZ_CHECK(strstr(out, "<script") == NULL && strstr(out, "<img") == NULL);
        rampart_string_free(out);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    fuzz_part parts[FUZZ_MAX_PARTS];
    size_t np = fuzz_split(data, size, parts);
    files meta = {0}, targ = {0}, log = {0};
    for (size_t i = 0; i < np; i++) {
        fuzz_part name, body;
        fuzz_first_line(parts[i], &name, &body);
        if (name.n > 8 && memcmp(name.p, "targets/", 8) == 0)
            add(&targ, (fuzz_part){name.p + 8, name.n - 8}, body);
        else if (name.n > 4 && memcmp(name.p, "log/", 4) == 0)
            add(&log, (fuzz_part){name.p + 4, name.n - 4}, body);
        else
            add(&meta, name, body);
    }
    rasrc *ms = NULL, *ts = NULL, *ls = NULL;
    FUZZ_CHECK(rasrc_mem_new(&ms, "fuzz/metadata/", meta.n, meta.names, meta.data, meta.len, NULL) == 0);
    FUZZ_CHECK(rasrc_mem_new(&ts, "fuzz/targets/", targ.n, targ.names, targ.data, targ.len, NULL) == 0);
    FUZZ_CHECK(rasrc_mem_new(&ls, "fuzz/log/", log.n, log.names, log.data, log.len, NULL) == 0);
    ms->max_docs = 64;
    ts->max_docs = 64;
    ls->max_docs = 64;
    rassess_input in = {.meta = ms, .targets = ts, .max_doc_bytes = MAX_INPUT, .log = ls};
    rampart_assessment *a = NULL;
    rerr e = {0};
    int rc = rassess_run(&a, &rassess_kind_tuf, "fuzz", &in, NOW, &e);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_ENOTFOUND || rc == RAMPART_EFORMAT || rc == RAMPART_ETOOLARGE ||
               rc == RAMPART_ENOMEM);
    if (rc == 0) {
        for (unsigned q = 0; q < RAMPART_QUESTION_COUNT; q++)
            FUZZ_CHECK(strchr("ABCDEF-", rampart_assessment_grade(a, (rampart_question)q)) != NULL);
        for (size_t i = 0; i < rampart_assessment_check_count(a); i++) {
            rampart_check_result r;
            FUZZ_CHECK(rampart_assessment_check(a, i, &r) == 0);
            for (const char *p = r.evidence; *p; p++)
                FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
        }
        check_reports(a);
    }
    rampart_assessment_free(a);
    rasrc_free(ls);
    rasrc_free(ms);
    rasrc_free(ts);
    return 0;
}
