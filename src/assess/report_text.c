/* report_text.c - the terminal report: the five grades first, then per
 * question its checks with evidence and remedies.  Every string in an
 * assessment is already sanitised (rassess_add): no control character
 * reaches the terminal. */
#include <string.h>

#include "assess/assess.h"
#include "util/rtime.h"
#include "util/banned.h"

static const char *const TITLES[RAMPART_QUESTION_COUNT] = {"Transport", "Signing", "Manifest verification", "Hashes",
                                                           "Provenance"};

static int grades(const rampart_assessment *a, rbuf *out)
{
    char when[RTIME_STR_LEN + 1] = "";
    if (rtime_format(a->now, when) != 0)
        when[0] = '\0';
    int rc = rbuf_appendf(out, "rampart assess: %s\nkind: %s, assessed at %s\n\n  %-22s grade\n", a->location, a->kind,
                          when, "question");
    for (unsigned q = 0; q < RAMPART_QUESTION_COUNT && rc == 0; q++)
        rc = rbuf_appendf(out, "  %-22s %c  (%s)\n", TITLES[q], a->grades[q], rassess_grade_meaning(a->grades[q]));
    return rc;
}

static int question(const rampart_assessment *a, unsigned q, rbuf *out)
{
    int rc = rbuf_appendf(out, "\n%s: %c\n", TITLES[q], a->grades[q]);
    size_t shown = 0;
    for (size_t i = 0; i < a->n && rc == 0; i++) {
        const rassess_finding *f = &a->f[i];
        if ((f->rule->questions & RQ(q)) == 0)
            continue;
        shown++;
        rc = rbuf_appendf(out, "  [%-8s] %s: %s\n             %s\n", rampart_check_status_name(f->status), f->rule->id,
                          f->rule->title, f->evidence);
        if (rc == 0 && f->status != RAMPART_CHECK_PASS)
            rc = rbuf_appendf(out, "             remedy: %s\n", f->rule->remedy);
    }
    if (rc == 0 && shown == 0)
        rc = rbuf_append_str(out, "  not assessed for this kind of location\n");
    return rc;
}

int rassess_report_text(const rampart_assessment *a, rbuf *out)
{
    int rc = grades(a, out);
    for (unsigned q = 0; q < RAMPART_QUESTION_COUNT && rc == 0; q++)
        rc = question(a, q, out);
    return rc;
}
