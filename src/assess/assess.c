/* assess.c - the public assessment API: choosing the kind, preparing the
 * sources, collecting findings and grading them (docs/assess.md). */
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "assess/assess.h"
#include "prov/prov.h"
#include "tlog/policy.h"
#include "assess/tls.h"
#include "util/fs.h"
#include "util/rtime.h"
#include "util/banned.h"

/* Detection order: the folder kinds first, then an appcast, then any file
 * as a plain download. */
static const rassess_kind *const KINDS[] = {&rassess_kind_tuf, &rassess_kind_apt, &rassess_kind_sparkle,
                                            &rassess_kind_plain};

size_t rassess_kind_count(void)
{
    return sizeof(KINDS) / sizeof(KINDS[0]);
}

const rassess_kind *rassess_kind_at(size_t i)
{
    return i < rassess_kind_count() ? KINDS[i] : NULL;
}

static const char *const QNAMES[RAMPART_QUESTION_COUNT] = {"transport", "signing", "manifest", "hashes", "provenance"};
static const char *const SNAMES[4] = {"pass", "warn", "fail", "critical"};

const char *rampart_question_name(rampart_question q)
{
    return (unsigned)q < RAMPART_QUESTION_COUNT ? QNAMES[q] : NULL;
}

const char *rampart_check_status_name(rampart_check_status s)
{
    return (unsigned)s < 4 ? SNAMES[s] : NULL;
}

/* Evidence and locations are sanitised once, here: valid UTF-8 without
 * control characters, so every report can use them as they are (the HTML
 * report still escapes them). */
int rassess_add(rampart_assessment *a, const rassess_rule *rule, rampart_check_status st, const char *location,
                const char *fmt, ...)
{
    if (a->n >= RASSESS_MAX_FINDINGS)
        return RAMPART_ETOOLARGE;
    char *raw = rampart_malloc(RASSESS_EVIDENCE_MAX);
    char *ev = rampart_malloc(RASSESS_EVIDENCE_MAX);
    size_t ln = strlen(location);
    char *loc = rampart_malloc(ln + 1);
    if (raw == NULL || ev == NULL || loc == NULL) {
        rampart_free(raw);
        rampart_free(ev);
        rampart_free(loc);
        return RAMPART_ENOMEM;
    }
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(raw, RASSESS_EVIDENCE_MAX, fmt, ap);
    va_end(ap);
    size_t rl = k < 0 ? 0 : strnlen(raw, RASSESS_EVIDENCE_MAX - 1);
    rampart_sanitize(ev, RASSESS_EVIDENCE_MAX, raw, rl);
    rampart_sanitize(loc, ln + 1, location, ln);
    rampart_free(raw);
    a->f[a->n] = (rassess_finding){.rule = rule, .status = st, .evidence = ev, .location = loc};
    a->n++;
    return 0;
}

void rassess_ev_init(rassess_ev *v)
{
    rbuf_init(&v->b, RASSESS_EVIDENCE_MAX - 1);
    v->st = RAMPART_CHECK_PASS;
    v->err = 0;
}

void rassess_vnote(rassess_ev *v, rampart_check_status st, const char *fmt, va_list ap)
{
    if (st > v->st)
        v->st = st;
    char line[1024];
    int k = vsnprintf(line, sizeof(line), fmt, ap);
    if (k < 0)
        return;
    /* Evidence is capped: what does not fit is dropped, the status is kept. */
    int rc = v->b.len > 0 ? rbuf_append_str(&v->b, "; ") : 0;
    if (rc == 0)
        rc = rbuf_append_str(&v->b, line);
    if (rc == RAMPART_ENOMEM)
        v->err = rc;
}

void rassess_note(rassess_ev *v, rampart_check_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rassess_vnote(v, st, fmt, ap);
    va_end(ap);
}

int rassess_emit(rampart_assessment *a, const rassess_rule *rule, rassess_ev *v, const char *location)
{
    int rc = v->err;
    if (rc == 0)
        rc = rassess_add(a, rule, v->st, location, "%s", v->b.len > 0 ? (const char *)v->b.data : "none");
    rbuf_free(&v->b);
    return rc;
}

/* Grading (docs/assess.md): each check caps the questions it answers --
 * warn at B, fail at D, critical at F; three or more warnings on one
 * question cap it at C, two or more failures at E.  A question no check
 * answered is not assessed ('-'). */
void rassess_grade(rampart_assessment *a)
{
    for (unsigned q = 0; q < RAMPART_QUESTION_COUNT; q++) {
        size_t seen = 0, warns = 0, fails = 0, crit = 0;
        for (size_t i = 0; i < a->n; i++) {
            if ((a->f[i].rule->questions & RQ(q)) == 0)
                continue;
            seen++;
            warns += a->f[i].status == RAMPART_CHECK_WARN;
            fails += a->f[i].status == RAMPART_CHECK_FAIL;
            crit += a->f[i].status == RAMPART_CHECK_CRITICAL;
        }
        char g = 'A';
        if (seen == 0)
            g = '-';
        else if (crit > 0)
            g = 'F';
        else if (fails >= 2)
            g = 'E';
        else if (fails == 1)
            g = 'D';
        else if (warns >= 3)
            g = 'C';
        else if (warns > 0)
            g = 'B';
        a->grades[q] = g;
    }
}

const char *rassess_grade_meaning(char g)
{
    switch (g) {
    case 'A':
        return "every check passed";
    case 'B':
        return "warnings";
    case 'C':
        return "three or more warnings";
    case 'D':
        return "a failed check";
    case 'E':
        return "two or more failed checks";
    case 'F':
        return "a critical failure";
    default:
        return "not assessed";
    }
}

void rampart_assessment_free(rampart_assessment *a)
{
    if (a == NULL)
        return;
    for (size_t i = 0; i < a->n; i++) {
        rampart_free(a->f[i].evidence);
        rampart_free(a->f[i].location);
    }
    for (size_t i = 0; i < a->n_probe_url; i++)
        rampart_free(a->probe_url[i]);
    rampart_free(a->location);
    rampart_free(a);
}

int rassess_probe_url_add(rampart_assessment *a, const char *url)
{
    if (strncmp(url, "https://", 8) != 0)
        return 0;
    for (size_t i = 0; i < a->n_probe_url; i++)
        if (strcmp(a->probe_url[i], url) == 0)
            return 0;
    if (a->n_probe_url == RASSESS_MAX_PROBE_URLS)
        return RAMPART_ETOOLARGE;
    size_t n = strlen(url);
    char *c = rampart_malloc(n + 1);
    if (c == NULL)
        return RAMPART_ENOMEM;
    memcpy(c, url, n + 1);
    a->probe_url[a->n_probe_url++] = c;
    return 0;
}

static int64_t clock_now(const rampart_assess_options *o);

static int new_assessment(rampart_assessment **out, const char *kind, const char *location, int64_t now, rerr *e)
{
    rampart_assessment *a = rampart_calloc(1, sizeof(*a));
    if (a == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    size_t ln = strlen(location);
    a->location = rampart_malloc(ln + 1);
    if (a->location != NULL)
        rampart_sanitize(a->location, ln + 1, location, ln);
    if (a->location == NULL) {
        rampart_free(a);
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    a->kind = kind;
    a->now = now;
    *out = a;
    return 0;
}

int rassess_run(rampart_assessment **out, const rassess_kind *k, const char *location, const rassess_input *in,
                int64_t now, rerr *e)
{
    rampart_assessment *a = NULL;
    int rc = new_assessment(&a, k->name, location, now, e);
    if (rc != 0)
        return rc;
    rc = k->run(a, in, e);
    if (rc != 0) {
        rampart_assessment_free(a);
        return rc;
    }
    rassess_grade(a);
    *out = a;
    return 0;
}

/* The Transport probe (docs/assess.md, "Transport: the TLS probe") of the
 * https URLs involved: the location, a plain download's checksum file and
 * signature, and the documents the kind found below the location. */
static int tls_probe(rampart_assessment *a, const rampart_assess_options *o, const char *location, rerr *e)
{
    const char *urls[3 + RASSESS_MAX_PROBE_URLS] = {location, o->checksums_url, o->signature_url};
    size_t n = 3;
    for (size_t i = 0; i < a->n_probe_url; i++)
        urls[n++] = a->probe_url[i];
    int rc = rassess_tls_run(a, o, urls, n, e);
    rassess_grade(a);
    return rc;
}

/* An https location that cannot be read because its TLS is refused (an
 * untrusted or expired certificate, no common protocol) still has a
 * Transport to grade: kind "unreachable", the probe's checks only.  When
 * the probe finds nothing wrong the original error stands. */
static int unreachable(rampart_assessment **out, const rampart_assess_options *o, const char *location, const rerr *why,
                       rerr *e)
{
    rampart_assessment *a = NULL;
    int rc = new_assessment(&a, RASSESS_KIND_UNREACHABLE, location, clock_now(o), e);
    if (rc == 0)
        rc = tls_probe(a, o, location, e);
    bool found = false;
    for (size_t i = 0; rc == 0 && i < a->n; i++)
        found |= a->f[i].status != RAMPART_CHECK_PASS;
    if (rc != 0 || !found) {
        rampart_assessment_free(a);
        if (rc != 0)
            return rc;
        if (e != NULL)
            *e = *why;
        return why->code;
    }
    *out = a;
    return 0;
}

static bool is_url(const char *s)
{
    return strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0;
}

static int read_root_file(const char *path, rbuf *root, rerr *e)
{
    rbuf_init(root, 512000);
    int rc = rfs_read_file(AT_FDCWD, path, root, e);
    if (rc == RAMPART_ETOOLARGE)
        return rerr_set(e, rc, NULL, "%s: larger than 512000 bytes", path);
    return rc;
}

static void tlog_policy_free_p(tlog_policy **p)
{
    tlog_policy_free(*p);
}

/* --log-policy: a C2SP tlog-policy file, at most TLOG_POLICY_MAX_BYTES. */
static int read_log_policy(const char *path, tlog_policy **out, rerr *e)
{
    RAMPART_AUTO(rbuf_free) rbuf b;
    rbuf_init(&b, TLOG_POLICY_MAX_BYTES);
    int rc = rfs_read_file(AT_FDCWD, path, &b, e);
    if (rc == RAMPART_ETOOLARGE)
        return rerr_set(e, rc, NULL, "%s: larger than %d bytes", path, TLOG_POLICY_MAX_BYTES);
    if (rc != 0)
        return rc;
    rerr pe = {0};
    rc = tlog_policy_parse(out, b.data, b.len, &pe);
    if (rc == RAMPART_ENOMEM)
        return rerr_set(e, rc, NULL, "out of memory");
    if (rc != 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "%s: not a witness policy: %s", path, pe.message);
    return 0;
}

static void builders_free_p(rprov_builders **p)
{
    rprov_builders_free(*p);
}

/* --builders: the assessor's builders file, at most RPROV_BUILDERS_MAX bytes. */
static int read_builders(const char *path, rprov_builders **out, rerr *e)
{
    RAMPART_AUTO(rbuf_free) rbuf b;
    rbuf_init(&b, RPROV_BUILDERS_MAX);
    rerr pe = {0};
    int rc = rfs_read_file(AT_FDCWD, path, &b, &pe);
    if (rc == RAMPART_ETOOLARGE)
        return rerr_set(e, rc, NULL, "builders file %s: larger than %u bytes", path, RPROV_BUILDERS_MAX);
    if (rc != 0)
        return rerr_set(e, rc, NULL, "builders file: %s", pe.message);
    rc = rprov_builders_parse(out, b.data, b.len, &pe);
    if (rc == RAMPART_ENOMEM)
        return rerr_set(e, rc, NULL, "out of memory");
    if (rc != 0)
        return rerr_set(e, rc, NULL, "%s: %s", path, pe.message);
    return 0;
}

/* The files given out of band: --root, --log-policy, --builders (each
 * left empty / NULL when not given; the caller frees them). */
static int read_given(const rampart_assess_options *o, rbuf *root, tlog_policy **pol, rprov_builders **builders,
                      rerr *e)
{
    int rc = o->root_file != NULL ? read_root_file(o->root_file, root, e) : 0;
    if (rc == 0 && o->log_policy_file != NULL)
        rc = read_log_policy(o->log_policy_file, pol, e);
    if (rc == 0 && o->builders_file != NULL)
        rc = read_builders(o->builders_file, builders, e);
    return rc;
}

static int pick_kind(const rampart_assess_options *o, const rassess_input *in, const char *location,
                     const rassess_kind **k, rerr *e)
{
    for (size_t i = 0; i < rassess_kind_count(); i++) {
        const rassess_kind *c = KINDS[i];
        if (o->kind == c->kind || (o->kind == RAMPART_KIND_AUTO && c->detect(in))) {
            *k = c;
            return 0;
        }
    }
    if (o->kind != RAMPART_KIND_AUTO)
        return rerr_set(e, RAMPART_EINVAL, NULL, "unknown channel kind %d", (int)o->kind);
    return rerr_set(e, RAMPART_ENOTFOUND, NULL,
                    "%s: no update channel of a known kind (tried: tuf, apt, sparkle, plain)", location);
}

static int64_t clock_now(const rampart_assess_options *o)
{
    if (o->clock != NULL)
        return o->clock(o->clock_ctx);
    int64_t t = 0;
    if (rtime_now(&t) != 0)
        return 0;
    return t;
}

/* The caller's options with the defaults filled in (a version 1 caller's
 * struct ends before log_policy_file, a version 2 caller's before
 * builders_file). */
static rampart_assess_options options_of(const rampart_assess_options *opts)
{
    rampart_assess_options o = {0};
    if (opts->version == 1)
        memcpy(&o, opts, offsetof(rampart_assess_options, log_policy_file));
    else if (opts->version == 2)
        memcpy(&o, opts, offsetof(rampart_assess_options, builders_file));
    else
        o = *opts;
    if (o.max_metadata_bytes == 0)
        o.max_metadata_bytes = 5000000;
    if (o.max_documents == 0)
        o.max_documents = 512;
    if (o.max_download_bytes == 0)
        o.max_download_bytes = (size_t)256 << 20;
    if (o.gpgv_path == NULL)
        o.gpgv_path = "/usr/bin/gpgv";
    return o;
}

/* Adds the Transport probe's checks of an https location to *out; on a
 * failure *out is freed and set to NULL. */
static int probe_transport(rampart_assessment **out, const rampart_assess_options *o, const char *location, rerr *err)
{
    if (!is_url(location) || o->no_tls_probe)
        return 0;
    int rc = tls_probe(*out, o, location, err);
    if (rc != 0) {
        rampart_assessment_free(*out);
        *out = NULL;
    }
    return rc;
}

int rampart_assessment_new(rampart_assessment **out, const char *location, const rampart_assess_options *opts,
                           rampart_error *err)
{
    rerr_clear(err);
    if (out == NULL || location == NULL || opts == NULL || opts->version < 1 ||
        opts->version > RAMPART_ASSESS_OPTIONS_VERSION)
        return rerr_set(err, RAMPART_EINVAL, NULL, "bad arguments or options version");
    rampart_assess_options o = options_of(opts);
    RAMPART_AUTO(rbuf_free) rbuf root = {0};
    RAMPART_AUTO(tlog_policy_free) tlog_policy *pol = NULL;
    RAMPART_AUTO(builders_free) rprov_builders *builders = NULL;
    int grc = read_given(&o, &root, &pol, &builders, err);
    if (grc != 0)
        return grc;
    /* A folder (TUF, apt) and, when the location names a file, its parent
     * folder (an appcast, a download); either may be missing. */
    rasrc *meta = NULL, *targets = NULL, *parent = NULL;
    const char *leaf = NULL;
    rerr e1 = {0};
    int rc = is_url(location) ? rasrc_url_new(&meta, &targets, location, &o, &e1)
                              : rasrc_dir_new(&meta, &targets, location, &e1);
    if (rc == RAMPART_ENOMEM)
        return rerr_set(err, rc, NULL, "out of memory");
    /* A URL that cannot be reached (TLS, network) is an error whatever kind
     * it is; a refused TLS handshake is still graded by the probe. */
    if (rc == RAMPART_ETLS && !o.no_tls_probe && strncmp(location, "https://", 8) == 0)
        return unreachable(out, &o, location, &e1, err);
    if (rc != 0 && rc != RAMPART_ENOTFOUND && is_url(location)) {
        if (err != NULL)
            *err = e1;
        return rc;
    }
    int prc = rasrc_parent_new(&parent, &leaf, location, &o, NULL);
    if (prc == RAMPART_ENOMEM)
        rc = prc;
    if (meta == NULL && parent == NULL) {
        if (err != NULL)
            *err = e1;
        return rc != 0 ? rc : RAMPART_ENOTFOUND;
    }
    /* The log beside the metadata: freed before meta, whose transport it shares. */
    rasrc *log = NULL;
    if (meta != NULL && rasrc_log_new(&log, meta, NULL) == RAMPART_ENOMEM)
        rc = RAMPART_ENOMEM;
    rasrc *srcs[4] = {log, meta, targets, parent};
    for (size_t i = 0; i < 4; i++)
        if (srcs[i] != NULL)
            srcs[i]->max_docs = o.max_documents;
    rassess_input in = {.meta = meta,
                        .targets = targets,
                        .root = o.root_file != NULL ? root.data : NULL,
                        .root_len = root.len,
                        .max_doc_bytes = o.max_metadata_bytes,
                        .parent = parent,
                        .leaf = leaf,
                        .opts = &o,
                        .log = log,
                        .log_policy = pol,
                        .builders = builders};
    const rassess_kind *k = NULL;
    if (rc == RAMPART_ENOMEM)
        rc = rerr_set(err, rc, NULL, "out of memory");
    else
        rc = pick_kind(&o, &in, location, &k, err);
    if (rc == 0)
        rc = rassess_run(out, k, location, &in, clock_now(&o), err);
    if (rc == 0)
        rc = probe_transport(out, &o, location, err);
    for (size_t i = 0; i < 4; i++)
        rasrc_free(srcs[i]);
    return rc;
}

char rampart_assessment_grade(const rampart_assessment *a, rampart_question q)
{
    if (a == NULL || (unsigned)q >= RAMPART_QUESTION_COUNT)
        return '?';
    return a->grades[q];
}

int rampart_assessment_meets(const rampart_assessment *a, char min_grade)
{
    if (a == NULL || min_grade < 'A' || min_grade > 'F')
        return RAMPART_EINVAL;
    for (unsigned q = 0; q < RAMPART_QUESTION_COUNT; q++)
        if (a->grades[q] != '-' && a->grades[q] > min_grade)
            return 0;
    return 1;
}

const char *rampart_assessment_kind(const rampart_assessment *a)
{
    return a != NULL ? a->kind : NULL;
}

size_t rampart_assessment_check_count(const rampart_assessment *a)
{
    return a != NULL ? a->n : 0;
}

int rampart_assessment_check(const rampart_assessment *a, size_t i, rampart_check_result *out)
{
    if (a == NULL || out == NULL || i >= a->n)
        return RAMPART_EINVAL;
    const rassess_finding *f = &a->f[i];
    *out = (rampart_check_result){.id = f->rule->id,
                                  .title = f->rule->title,
                                  .questions = f->rule->questions,
                                  .status = f->status,
                                  .evidence = f->evidence,
                                  .remedy = f->status == RAMPART_CHECK_PASS ? "" : f->rule->remedy,
                                  .location = f->location};
    return 0;
}

int rampart_assessment_report(const rampart_assessment *a, rampart_report_format format, char **out, rampart_error *err)
{
    rerr_clear(err);
    if (a == NULL || out == NULL)
        return rerr_set(err, RAMPART_EINVAL, NULL, "bad arguments");
    RAMPART_AUTO(rbuf_free) rbuf b;
    rbuf_init(&b, (size_t)64 << 20);
    int rc;
    switch (format) {
    case RAMPART_REPORT_TEXT:
        rc = rassess_report_text(a, &b);
        break;
    case RAMPART_REPORT_JSON:
        rc = rassess_report_json(a, &b, err);
        break;
    case RAMPART_REPORT_SARIF:
        rc = rassess_report_sarif(a, &b, err);
        break;
    case RAMPART_REPORT_HTML:
        rc = rassess_report_html(a, &b);
        break;
    default:
        return rerr_set(err, RAMPART_EINVAL, NULL, "unknown report format %d", (int)format);
    }
    if (rc != 0)
        return err != NULL && err->code == rc ? rc : rerr_set(err, rc, NULL, "cannot render the report");
    size_t len = 0;
    uint8_t *s = rbuf_detach(&b, &len);
    if (s == NULL)
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    *out = (char *)s;
    return 0;
}
