/*
 * rampart/assess.h - grading an update channel on the five procurement
 * questions: transport, signing, manifest verification, hashes and
 * provenance (docs/assess.md).
 *
 * An assessment inspects a channel (today: a TUF repository, as a local
 * folder or a URL), runs every check of its kind, and grades each question
 * from A to F.  Each check answers one or more questions with a status
 * (pass, warn, fail, critical), the evidence behind it and a one-line
 * remedy.  The assessed channel is hostile input: every fetch is capped in
 * bytes, time and redirects, every document is parsed strictly, and every
 * string taken from it is kept as untrusted text (the text report sanitises
 * it, the HTML report escapes it, JSON and SARIF escape it as JSON).
 *
 * Typical use:
 *
 *     rampart_assess_options o = RAMPART_ASSESS_OPTIONS_INIT;
 *     rampart_assessment *a;
 *     rampart_error err;
 *     if (rampart_assessment_new(&a, "https://updates.example.com/tuf/", &o, &err) != 0)
 *         return 2; // err.message: nothing could be assessed
 *     char *text = NULL;
 *     if (rampart_assessment_report(a, RAMPART_REPORT_TEXT, &text, &err) == 0)
 *         fputs(text, stdout);
 *     rampart_string_free(text);
 *     int ok = rampart_assessment_meets(a, 'B');
 *     rampart_assessment_free(a);
 *     return ok ? 0 : 1;
 *
 * Thread safety: rampart_assessment_new may run in several threads at once (see
 * rampart/client.h about curl_global_init).  A finished rampart_assessment
 * never changes: its accessors and rampart_assessment_report may be called
 * from any number of threads at once; free it once, when no thread uses it.
 */
#ifndef RAMPART_ASSESS_H
#define RAMPART_ASSESS_H

#include <stddef.h>

#include "client.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rampart_assessment rampart_assessment;

/** The five questions, in report order. */
typedef enum rampart_question {
    RAMPART_Q_TRANSPORT = 0,
    RAMPART_Q_SIGNING = 1,
    RAMPART_Q_MANIFEST = 2,
    RAMPART_Q_HASHES = 3,
    RAMPART_Q_PROVENANCE = 4,
} rampart_question;
#define RAMPART_QUESTION_COUNT 5

/** The status of one check, from best to worst. */
typedef enum rampart_check_status {
    RAMPART_CHECK_PASS = 0,
    RAMPART_CHECK_WARN = 1,
    RAMPART_CHECK_FAIL = 2,
    RAMPART_CHECK_CRITICAL = 3,
} rampart_check_status;

/** Channel kinds (--kind). */
typedef enum rampart_channel_kind {
    RAMPART_KIND_AUTO = 0, /**< detect from what the location serves */
    RAMPART_KIND_TUF = 1,
    RAMPART_KIND_APT = 2,     /**< an apt suite: the folder or URL of dists/SUITE/ */
    RAMPART_KIND_SPARKLE = 3, /**< a Sparkle appcast: its file or URL */
    RAMPART_KIND_PLAIN = 4,   /**< a plain download: the file's URL or path */
} rampart_channel_kind;

/** Report formats. */
typedef enum rampart_report_format {
    RAMPART_REPORT_TEXT = 0,  /**< terminal text: grade table, then evidence and remedies (sanitised) */
    RAMPART_REPORT_JSON = 1,  /**< docs/assess-schema.json */
    RAMPART_REPORT_SARIF = 2, /**< SARIF 2.1.0 */
    RAMPART_REPORT_HTML = 3,  /**< one self-contained page */
} rampart_report_format;

#define RAMPART_ASSESS_OPTIONS_VERSION 3

/**
 * Options.  Start from RAMPART_ASSESS_OPTIONS_INIT; 0 / NULL means the
 * documented default.  Strings are used during rampart_assessment_new only.
 */
typedef struct rampart_assess_options {
    unsigned version;          /**< RAMPART_ASSESS_OPTIONS_VERSION */
    rampart_channel_kind kind; /**< default RAMPART_KIND_AUTO */
    const char *root_file;     /**< TUF: a root obtained out of band; default: the channel's own
                                    first root (trust on first use, said in the report) */
    const char *ca_file;       /**< CA bundle (PEM) instead of the system store */
    size_t max_metadata_bytes; /**< cap per fetched document; default 5000000 */
    unsigned max_documents;    /**< documents fetched per assessment; default 512 */
    long connect_timeout_ms;   /**< default 10000 */
    long request_timeout_ms;   /**< per request; default 60000 */
    unsigned max_redirects;    /**< default 5; an https -> http hop is always refused */
    rampart_clock_fn clock;    /**< default: the system clock */
    void *clock_ctx;
    const char *keyring;       /**< apt, plain: an OpenPGP keyring file for gpgv (binary or armored) */
    const char *sparkle_key;   /**< Sparkle: the app's SUPublicEDKey (base64 of 32 bytes) */
    const char *minisign_key;  /**< plain: a minisign public key (the base64 line, or a .pub file's text) */
    const char *checksums_url; /**< plain: the checksum file (default: discovered beside the download) */
    const char *signature_url; /**< plain: the signature (default: discovered beside the download) */
    int deep;                  /**< Sparkle: download enclosures and verify their EdDSA signatures */
    size_t max_download_bytes; /**< cap per downloaded artifact; default 268435456 */
    const char *gpgv_path;     /**< default "/usr/bin/gpgv" */

    /* ---- since version 2 ---- */
    /** TUF: a C2SP tlog-policy file (the repository's log key and the
     *  witnesses the assessor trusts, as `rampart client init --log-policy`
     *  takes): the log's checkpoint, its cosignatures and sampled inclusion
     *  proofs are then verified (docs/assess.md, TUF-TRANSPARENCY-LOG).
     *  NULL: a published log is read but its signatures are not verified. */
    const char *log_policy_file;
    /** skip the Transport probe of https URLs (TLS-PROTOCOLS, TLS-CERT,
     *  TLS-CIPHERS, TLS-HSTS, TLS-REDIRECTS); default 0: probe */
    int no_tls_probe;

    /* ---- since version 3 ---- */
    /** TUF: the assessor's builders file (docs/assess.md, "Builders the
     *  assessor has reviewed"): builder ids, the SLSA Build level the
     *  assessing organisation grants each after its own review, and the
     *  keys their attestations must be signed with.  TUF-SLSA-LEVEL then
     *  verifies the signature of each sampled attestation naming such a
     *  builder (a declared builder whose attestation no declared key signs
     *  fails the check).  NULL: only the published table of builders is
     *  used, and attestation signatures are not verified. */
    const char *builders_file;
} rampart_assess_options;

#define RAMPART_ASSESS_OPTIONS_INIT                                                                                    \
    {                                                                                                                  \
        .version = RAMPART_ASSESS_OPTIONS_VERSION                                                                      \
    }

/**
 * Assesses the channel at `location` (an http(s) URL or a local folder).
 * On success *out owns a new assessment (free with rampart_assessment_free):
 * findings about the channel, however bad, are results, not errors.
 * Options of version 1 (before log_policy_file) and 2 (before
 * builders_file) are accepted.
 * Errors (nothing could be assessed): RAMPART_EINVAL (bad options, an
 * unknown kind, a location that is neither a URL nor a folder),
 * RAMPART_ENOTFOUND (no channel of a known kind at the location: for TUF,
 * no root), RAMPART_EFORMAT (the --root file is not root metadata, the
 * log policy file is not a C2SP tlog-policy, or the builders file is not a
 * valid builders file: the message says what is wrong), RAMPART_EUNSUPPORTED
 * (a key of the builders file librampart cannot verify), network
 * codes (RAMPART_ENET, RAMPART_ETLS, RAMPART_EINSECURE, timeouts) while
 * reaching the location, RAMPART_EIO, RAMPART_ENOMEM.  `err` may be NULL.
 * Every https URL assessed is also probed for its TLS (protocol versions,
 * certificate, cipher suites, HSTS, redirect hops; unless no_tls_probe): an
 * https location whose handshake is refused then gives an assessment of
 * kind "unreachable" with only those checks, instead of RAMPART_ETLS,
 * when the probe finds what is wrong.
 */
RAMPART_API int rampart_assessment_new(rampart_assessment **out, const char *location,
                                       const rampart_assess_options *opts, rampart_error *err) RAMPART_MUST_USE;

/** Frees an assessment.  NULL-safe. */
RAMPART_API void rampart_assessment_free(rampart_assessment *a);

/** The grade of question `q`: 'A' to 'F', or '-' when no check answered it
 *  (not assessed: a local folder has no transport).  '?' for a bad `q`. */
RAMPART_API char rampart_assessment_grade(const rampart_assessment *a, rampart_question q) RAMPART_MUST_USE;

/** 1 when every assessed question grades `min_grade` ('A'..'F') or better,
 *  0 otherwise; -1 (RAMPART_EINVAL) for a grade outside 'A'..'F'.  Questions
 *  not assessed are not counted. */
RAMPART_API int rampart_assessment_meets(const rampart_assessment *a, char min_grade) RAMPART_MUST_USE;

/** The channel kind found ("tuf", "apt", "sparkle", "plain", or "unreachable"
 *  when only the TLS probe could run), owned by `a`. */
RAMPART_API const char *rampart_assessment_kind(const rampart_assessment *a) RAMPART_MUST_USE;

/** The number of checks run. */
RAMPART_API size_t rampart_assessment_check_count(const rampart_assessment *a) RAMPART_MUST_USE;

/** One check, as the report shows it.  Strings are owned by the assessment. */
typedef struct rampart_check_result {
    const char *id;     /**< stable identifier, e.g. "TUF-ROOT-THRESHOLD" */
    const char *title;  /**< what is inspected */
    unsigned questions; /**< bit (1u << rampart_question) per question answered */
    rampart_check_status status;
    const char *evidence; /**< what was found (untrusted text inside: sanitise before printing) */
    const char *remedy;   /**< one line; "" when the check passed */
    const char *location; /**< the URL or file inspected */
} rampart_check_result;

/** The i-th check.  Errors: RAMPART_EINVAL (i out of range). */
RAMPART_API int rampart_assessment_check(const rampart_assessment *a, size_t i,
                                         rampart_check_result *out) RAMPART_MUST_USE;

/** Names: "transport", ..., and "pass", "warn", "fail", "critical"; NULL when out of range. */
RAMPART_API const char *rampart_question_name(rampart_question q) RAMPART_MUST_USE;
RAMPART_API const char *rampart_check_status_name(rampart_check_status s) RAMPART_MUST_USE;

/**
 * Renders the assessment.  *out is a new NUL-terminated string (free with
 * rampart_string_free).  Errors: RAMPART_EINVAL (unknown format), RAMPART_ENOMEM.
 */
RAMPART_API int rampart_assessment_report(const rampart_assessment *a, rampart_report_format format, char **out,
                                          rampart_error *err) RAMPART_MUST_USE;

/**
 * Compares the assessment with an earlier one of the same channel: `len`
 * bytes of its JSON report (RAMPART_REPORT_JSON, format version 1), read as
 * untrusted input.  Questions are compared by grade, checks by identifier
 * (the worst status of each).  `format` is RAMPART_REPORT_TEXT (a table of
 * the five grades before and now, then the checks that changed) or
 * RAMPART_REPORT_JSON (docs/assess.md, "Comparing with a baseline"; it
 * holds the full current report).  *out is a new string (free with
 * rampart_string_free); *worse (may be NULL) is 1 when a question grades
 * lower than in the baseline or is no longer assessed, else 0.  Errors:
 * RAMPART_EFORMAT (not a rampart assess JSON report), RAMPART_ETOOLARGE
 * (over 16 MiB, or too many checks), RAMPART_EINVAL, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_assessment_compare(const rampart_assessment *a, const void *baseline, size_t len,
                                           rampart_report_format format, char **out, int *worse,
                                           rampart_error *err) RAMPART_MUST_USE;

/** One channel of a batch: its location, and either its assessment or the
 *  error that kept it from being assessed (error_code < 0, error_message). */
typedef struct rampart_assess_batch_item {
    const char *location;
    const rampart_assessment *assessment; /**< NULL when error_code says why */
    int error_code;
    const char *error_message;
} rampart_assess_batch_item;

/**
 * Renders one comparison of `n` channels: RAMPART_REPORT_TEXT (a table: a
 * row per channel with its kind, the five grades and whether every
 * assessed question meets `min_grade`, or the error) or RAMPART_REPORT_JSON
 * (format "rampart-assess-batch": each channel's full report, or its
 * error).  *out is a new string (free with rampart_string_free).  Errors:
 * RAMPART_EINVAL (another format, min_grade outside 'A'..'F', an item with
 * neither an assessment nor an error), RAMPART_ENOMEM.
 */
RAMPART_API int rampart_assess_batch_report(const rampart_assess_batch_item *items, size_t n, char min_grade,
                                            rampart_report_format format, char **out,
                                            rampart_error *err) RAMPART_MUST_USE;

#ifdef __cplusplus
}
#endif
#endif /* RAMPART_ASSESS_H */
