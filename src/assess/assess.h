/*
 * assess.h - the assessment framework: the check rules, the findings an
 * assessment collects, grading, the table of channel kinds, and the
 * sources documents are read from.
 *
 * Split as src/tuf is: the rules of a kind (tuf_checks.c) are computed
 * from documents already in memory (an rasrc that may be a folder, a URL or
 * a table of bytes), so unit tests and the fuzzer reach every rule with no
 * network and no disk.
 */
#ifndef RAMPART_ASSESS_ASSESS_H
#define RAMPART_ASSESS_ASSESS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "rampart/assess.h"
#include "util/buf.h"
#include "util/common.h"

#define RQ(q) (1u << (q))
#define RQ_T RQ(RAMPART_Q_TRANSPORT)
#define RQ_S RQ(RAMPART_Q_SIGNING)
#define RQ_M RQ(RAMPART_Q_MANIFEST)
#define RQ_H RQ(RAMPART_Q_HASHES)
#define RQ_P RQ(RAMPART_Q_PROVENANCE)

/* One row of a kind's rule table: a check as documented in docs/assess.md. */
typedef struct rassess_rule {
    const char *id;
    unsigned questions;
    const char *title;
    const char *remedy; /* shown when the check does not pass */
} rassess_rule;

typedef struct rassess_finding {
    const rassess_rule *rule;
    rampart_check_status status;
    char *evidence;
    char *location;
} rassess_finding;

/* Evidence is capped so a hostile document cannot inflate a report. */
#define RASSESS_EVIDENCE_MAX 4096
/* Findings per assessment (a bound, not a target). */
#define RASSESS_MAX_FINDINGS 256

/* At most this many documents below the location (an appcast's
 * enclosures) have their transport probed as well. */
#define RASSESS_MAX_PROBE_URLS 8

struct rampart_assessment {
    char *location;
    /* https URLs of documents the channel serves below the location, which
     * the Transport probe judges beside the location (distinct, in order). */
    char *probe_url[RASSESS_MAX_PROBE_URLS];
    size_t n_probe_url;
    const char *kind;
    int64_t now;
    size_t n;
    rassess_finding f[RASSESS_MAX_FINDINGS];
    char grades[RAMPART_QUESTION_COUNT];
};

/* Records a finding of `rule` (evidence formatted, truncated at
 * RASSESS_EVIDENCE_MAX).  0 or ENOMEM / ETOOLARGE (too many findings). */
int rassess_add(rampart_assessment *a, const rassess_rule *rule, rampart_check_status st, const char *location,
                const char *fmt, ...) RAMPART_PRINTF(5, 6) RAMPART_MUST_USE;

/* One check's evidence while it is built: the worst status and the
 * "; "-separated notes (capped: what does not fit is dropped, the status is
 * kept). */
typedef struct rassess_ev {
    rbuf b;
    rampart_check_status st;
    int err; /* ENOMEM while building */
} rassess_ev;

void rassess_ev_init(rassess_ev *v);
void rassess_note(rassess_ev *v, rampart_check_status st, const char *fmt, ...) RAMPART_PRINTF(3, 4);
void rassess_vnote(rassess_ev *v, rampart_check_status st, const char *fmt, va_list ap) RAMPART_PRINTF(3, 0);
/* Records the check (evidence "none" when empty) and frees the evidence. */
int rassess_emit(rampart_assessment *a, const rassess_rule *rule, rassess_ev *v, const char *location) RAMPART_MUST_USE;

/* Adds url to a->probe_url: nothing when it is not https, already there,
 * or RASSESS_MAX_PROBE_URLS are (then RAMPART_ETOOLARGE, nothing
 * changed); 0 or RAMPART_ENOMEM. */
int rassess_probe_url_add(rampart_assessment *a, const char *url) RAMPART_MUST_USE;

/* Computes a->grades from the findings (docs/assess.md, "Grading"). */
void rassess_grade(rampart_assessment *a);

/* ---- sources: where documents come from ----------------------------------- */

typedef struct rasrc rasrc;
struct rasrc {
    /* Reads document `name` (relative to the source's base; already safe:
     * no "..", no leading "/") into `out` (whose max is the cap).
     * 0, ENOTFOUND, ETOOLARGE, network codes, EIO, ENOMEM. */
    int (*get)(rasrc *s, const char *name, rbuf *out, rerr *e);
    void (*free)(rasrc *s);
    char *base;        /* the folder or URL, ending in '/' for URLs */
    bool is_url;       /* a network source (the transport is assessed) */
    bool https;        /* a URL with the https scheme */
    unsigned fetched;  /* documents read so far */
    unsigned max_docs; /* cap on documents read */
};

/* A folder source (Rampart's layout: DIR/public/metadata/; or DIR/metadata/;
 * or DIR itself).  *targets gets a source for the target files beside it, or
 * NULL.  Errors: ENOTFOUND, EIO, ENOMEM. */
int rasrc_dir_new(rasrc **out, rasrc **targets, const char *dir, rerr *e) RAMPART_MUST_USE;
/* A URL source through the client's capped libcurl transport. */
int rasrc_url_new(rasrc **out, rasrc **targets, const char *url, const rampart_assess_options *o,
                  rerr *e) RAMPART_MUST_USE;
/* An in-memory source: names[i] holds data[i] of len[i] bytes (borrowed;
 * they must outlive the source). */
int rasrc_mem_new(rasrc **out, const char *base, size_t n, const char *const *names, const uint8_t *const *data,
                  const size_t *len, rerr *e) RAMPART_MUST_USE;
/* Reads through s->get, counting documents against s->max_docs. */
int rasrc_get(rasrc *s, const char *name, size_t max, rbuf *out, rerr *e) RAMPART_MUST_USE;
void rasrc_free(rasrc *s);
/* Fetches one absolute http(s) URL through a new capped transport made
 * from `o` (a download named by a channel: an enclosure, a checksum file).
 * Errors as rasrc_get, EINVAL for a URL that is not http(s). */
int rasrc_fetch_url(const rampart_assess_options *o, const char *url, size_t max, rbuf *out, rerr *e) RAMPART_MUST_USE;
/* The transparency log's folder beside the metadata of `meta` (its last
 * path segment replaced by log/); a URL source shares meta's transport and
 * must be freed first or with it.  ENOTFOUND (no such folder), EIO, ENOMEM. */
int rasrc_log_new(rasrc **out, rasrc *meta, rerr *e) RAMPART_MUST_USE;
/* A source for the folder of a file location (URL or path) and the file's
 * name in it (*leaf points into `location`).  ENOTFOUND when `location`
 * ends in '/', EINVAL, ENOMEM. */
int rasrc_parent_new(rasrc **out, const char **leaf, const char *location, const rampart_assess_options *o,
                     rerr *e) RAMPART_MUST_USE;

/* ---- kinds ----------------------------------------------------------------- */

struct tlog_policy;    /* tlog/policy.h */
struct rprov_builders; /* prov/prov.h */

/* What a kind's assessment gets. */
typedef struct rassess_input {
    rasrc *meta;         /* where the channel's documents are */
    rasrc *targets;      /* the files it distributes (may be NULL) */
    const uint8_t *root; /* a root given out of band, or NULL */
    size_t root_len;
    size_t max_doc_bytes; /* cap per document */
    /* A location naming one file (an appcast, a download): the source of
     * its folder and its name there; NULL when the location is a folder. */
    rasrc *parent;
    const char *leaf;
    const rampart_assess_options *opts;    /* keys and files given out of band */
    rasrc *log;                            /* TUF: the log beside the metadata (may be NULL) */
    const struct tlog_policy *log_policy;  /* TUF: --log-policy, parsed; NULL when not given */
    const struct rprov_builders *builders; /* TUF: --builders, parsed; NULL when not given */
} rassess_input;

typedef struct rassess_kind {
    const char *name;
    rampart_channel_kind kind;
    /* true when the source looks like this kind (auto-detection). */
    bool (*detect)(const rassess_input *in);
    /* Runs every check of the kind.  Errors only when nothing could be
     * assessed (e.g. no root). */
    int (*run)(rampart_assessment *a, const rassess_input *in, rerr *e);
    const rassess_rule *rules;
    size_t nrules;
} rassess_kind;

/* The kind of an https location whose TLS handshake was refused: only
 * the Transport probe's checks are recorded. */
#define RASSESS_KIND_UNREACHABLE "unreachable"

extern const rassess_kind rassess_kind_tuf;
extern const rassess_kind rassess_kind_apt;
extern const rassess_kind rassess_kind_sparkle;
extern const rassess_kind rassess_kind_plain;

/* Runs the kind's checks over prepared sources (the sans-I/O entry used by
 * rampart_assessment_new, the unit tests and the fuzzer).  The assessment is new. */
int rassess_run(rampart_assessment **out, const rassess_kind *k, const char *location, const rassess_input *in,
                int64_t now, rerr *e) RAMPART_MUST_USE;

/* Every rule of every kind, for reports that list rules (SARIF). */
size_t rassess_kind_count(void);
const rassess_kind *rassess_kind_at(size_t i);

/* ---- reports ----------------------------------------------------------------- */

int rassess_report_text(const rampart_assessment *a, rbuf *out) RAMPART_MUST_USE;
int rassess_report_json(const rampart_assessment *a, rbuf *out, rerr *e) RAMPART_MUST_USE;
/* jansson's value type (util/json.h), for the two functions below. */
struct json_t;

/* The JSON report as a jansson object (*out, owned by the caller), for
 * documents that embed it (the comparison, the batch).  EINVAL, ENOMEM. */
int rassess_report_json_obj(const rampart_assessment *a, struct json_t **out, rerr *e) RAMPART_MUST_USE;
/* Appends `v` (consumed: freed here, NULL is ENOMEM) as indented JSON and a
 * newline to `out`.  ENOMEM, ETOOLARGE. */
int rassess_json_dump(struct json_t *v, rbuf *out, rerr *e) RAMPART_MUST_USE;
int rassess_report_sarif(const rampart_assessment *a, rbuf *out, rerr *e) RAMPART_MUST_USE;
int rassess_report_html(const rampart_assessment *a, rbuf *out) RAMPART_MUST_USE;

/* The grade letter's meaning, for reports. */
const char *rassess_grade_meaning(char g);

#endif
