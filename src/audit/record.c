/*
 * record.c - the audit record: one JSON line per decision (docs/audit.md),
 * written with a fixed member order and read back strictly; and the table
 * that maps a refusal's error code to its attack class.  No I/O.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_internal.h"
#include "util/codec.h"
#include "util/jdoc.h"
#include "util/rtime.h"
#include "util/banned.h"

/* ---- attack classes ------------------------------------------------------------------ */

/* One row per refusal code: the attack of the TUF specification's threat
 * list (§1.5.2) or of the provenance and transparency work that the check
 * stops.  docs/audit.md shows this table. */
static const struct {
    int code;
    const char *attack;
} attack_table[] = {
    {RAMPART_EBADSIG, "arbitrary-software"},
    {RAMPART_EUNSUPPORTED, "arbitrary-software"},
    {RAMPART_EARCHIVE, "arbitrary-software"},
    {RAMPART_EEXPIRED, "freeze"},
    {RAMPART_ESTALE, "freeze"},
    {RAMPART_EROLLBACK, "rollback"},
    {RAMPART_EMISMATCH, "mix-and-match"},
    {RAMPART_ETOOLARGE, "endless-data"},
    {RAMPART_ESLOW, "slow-retrieval"},
    {RAMPART_ETIMEOUT, "slow-retrieval"},
    {RAMPART_EDOWNGRADE, "downgrade"},
    {RAMPART_ESPLITVIEW, "split-view"},
    {RAMPART_EPROVMISSING, "missing-provenance"},
    {RAMPART_EPROVSIG, "forged-provenance"},
    {RAMPART_EPROVSUBJECT, "forged-provenance"},
    {RAMPART_EPROVPREDICATE, "forged-provenance"},
    {RAMPART_EPROVBUILDER, "forged-provenance"},
    {RAMPART_EPROVBUILDTYPE, "forged-provenance"},
    {RAMPART_EPROVSOURCE, "forged-provenance"},
    {RAMPART_EPROVREVISION, "forged-provenance"},
    {RAMPART_EPROVFORMAT, "forged-provenance"},
    {RAMPART_ENOTLOGGED, "unlogged-release"},
    {RAMPART_ENOQUORUM, "unlogged-release"},
    {RAMPART_EFORMAT, "malformed"},
    {RAMPART_EPATH, "unsafe-path"},
    {RAMPART_ETLS, "untrusted-transport"},
    {RAMPART_EINSECURE, "untrusted-transport"},
    {RAMPART_EHELD, "anomaly-held"},
};

/* True when `msg` holds "(k of n)" with k >= 1: some trusted keys signed. */
static bool some_keys_signed(const char *msg)
{
    for (const char *p = msg != NULL ? strchr(msg, '(') : NULL; p != NULL; p = strchr(p + 1, '(')) {
        const char *q = p + 1;
        unsigned long k = 0;
        bool digits = false;
        while (*q >= '0' && *q <= '9' && k < 1000000) {
            k = k * 10 + (unsigned long)(*q - '0');
            q++;
            digits = true;
        }
        if (digits && strncmp(q, " of ", 4) == 0)
            return k >= 1;
    }
    return false;
}

const char *rampart_attack_class(int code, const char *message)
{
    /* TUF §1.5.2 "vulnerability to key compromises": a threshold of keys is
     * needed; some valid signatures that fall short of it are a
     * compromise of fewer keys than the threshold, not an unsigned file. */
    if (code == RAMPART_EBADSIG && some_keys_signed(message))
        return "key-compromise-below-threshold";
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(attack_table); i++)
        if (attack_table[i].code == code)
            return attack_table[i].attack;
    return NULL;
}

/* ---- writing a line ------------------------------------------------------------------- */

/* Appends "," "\"name\":" and the sanitised, escaped string `v` (cut at
 * AUDIT_FIELD_MAX bytes). */
static int put_str(rbuf *out, const char *name, const char *v)
{
    if (v == NULL)
        return 0;
    char clean[AUDIT_FIELD_MAX + 1];
    rampart_sanitize(clean, sizeof(clean), v, strlen(v));
    int rc = rbuf_appendf(out, ",\"%s\":\"", name);
    for (const char *p = clean; rc == 0 && *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            rc = rbuf_append_byte(out, '\\');
        if (rc == 0)
            rc = rbuf_append_byte(out, (uint8_t)*p);
    }
    return rc == 0 ? rbuf_append_byte(out, '"') : rc;
}

int audit_line_format(const audit_line_in *in, rbuf *out, rerr *e)
{
    const rampart_audit_record *r = in->r;
    if (r == NULL || r->kind == NULL || r->kind[0] == '\0')
        return rerr_set(e, RAMPART_EINVAL, NULL, "an audit record needs a kind");
    char when[RTIME_STR_LEN + 1];
    if (rtime_format(in->time, when) != 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "the clock's time cannot be written");
    char prev[AUDIT_HEX_LEN + 1];
    rhex_encode(prev, in->prev, 32);
    const char *code = r->code != 0 ? rampart_error_name(r->code) : NULL;
    const char *attack = r->code != 0 ? rampart_attack_class(r->code, r->message) : NULL;
    size_t start = out->len;
    int rc = rbuf_appendf(out, "{\"v\":%d,\"seq\":%" PRIu64 ",\"time\":\"%s\"", AUDIT_FORMAT_VERSION, in->seq, when);
    if (rc == 0)
        rc = put_str(out, "kind", r->kind);
    if (rc == 0)
        rc = put_str(out, "attack", attack);
    if (rc == 0)
        rc = put_str(out, "code", code);
    if (rc == 0)
        rc = put_str(out, "target", r->target);
    if (rc == 0)
        rc = put_str(out, "version", r->version);
    if (rc == 0)
        rc = put_str(out, "previous", r->previous);
    if (rc == 0)
        rc = put_str(out, "sha256", r->sha256);
    if (rc == 0)
        rc = put_str(out, "anomaly", r->anomaly);
    if (rc == 0)
        rc = put_str(out, "id", r->id);
    if (rc == 0)
        rc = put_str(out, "message", r->message);
    if (rc == 0 && in->torn_sha256 != NULL) {
        char th[AUDIT_HEX_LEN + 1];
        rhex_encode(th, in->torn_sha256, 32);
        rc = rbuf_appendf(out, ",\"torn_len\":%" PRIu64 ",\"torn_sha256\":\"%s\"", in->torn_len, th);
    }
    if (rc == 0)
        rc = rbuf_appendf(out, ",\"prev\":\"%s\"}", prev);
    if (rc == 0 && out->len - start > AUDIT_LINE_MAX)
        rc = RAMPART_ETOOLARGE;
    if (rc != 0) {
        out->len = start;
        return rerr_set(e, rc, NULL, "cannot format the audit record");
    }
    return 0;
}

/* ---- reading a line ------------------------------------------------------------------- */

static void drop(char **s)
{
    rampart_free(*s);
    *s = NULL;
}

void audit_rec_free(audit_rec *r)
{
    drop(&r->kind), drop(&r->attack), drop(&r->code), drop(&r->target), drop(&r->version);
    drop(&r->previous), drop(&r->sha256), drop(&r->message), drop(&r->anomaly), drop(&r->id);
}

static bool hex64(rslice s)
{
    return s.n == AUDIT_HEX_LEN && rhex_valid((const char *)s.p, s.n, true);
}

/* The optional string members, in the order a writer puts them. */
static const char *const str_names[] = {"kind",     "attack", "code",    "target", "version",
                                        "previous", "sha256", "anomaly", "id",     "message"};

static char **str_slot(audit_rec *r, size_t i)
{
    char **slots[] = {&r->kind,     &r->attack, &r->code,    &r->target, &r->version,
                      &r->previous, &r->sha256, &r->anomaly, &r->id,     &r->message};
    return slots[i];
}

/* One member of a record: stores it in `r` or fails. */
static int take_member(const jdoc *d, jd_ref k, audit_rec *r, unsigned *seen, rerr *e)
{
    rslice name = jdoc_str(d, k);
    jd_ref v = jdoc_value(k);
    jd_type t = jdoc_type(d, v);
    if (rslice_eq_cstr(name, "v"))
        return t == JD_INT && jdoc_int(d, v) == AUDIT_FORMAT_VERSION
                   ? (*seen |= 1u, 0)
                   : rerr_set(e, RAMPART_EFORMAT, NULL, "unknown record format version");
    if (rslice_eq_cstr(name, "seq")) {
        if (t != JD_INT || jdoc_int(d, v) < 1)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "\"seq\" is not a positive integer");
        r->seq = (uint64_t)jdoc_int(d, v);
        *seen |= 2u;
        return 0;
    }
    if (rslice_eq_cstr(name, "torn_len")) {
        if (t != JD_INT || jdoc_int(d, v) < 1)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "\"torn_len\" is not a positive integer");
        r->torn_len = (uint64_t)jdoc_int(d, v);
        *seen |= 4u;
        return 0;
    }
    if (t != JD_STRING)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "record member is not a string");
    rslice s = jdoc_str(d, v);
    if (rslice_eq_cstr(name, "time")) {
        if (rtime_parse((const char *)s.p, s.n, &r->time) != 0)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "\"time\" is not an RFC 3339 UTC time");
        *seen |= 8u;
        return 0;
    }
    if (rslice_eq_cstr(name, "prev") || rslice_eq_cstr(name, "torn_sha256")) {
        bool prev = rslice_eq_cstr(name, "prev");
        if (!hex64(s))
            return rerr_set(e, RAMPART_EFORMAT, NULL, "a record hash is not 64 hex digits");
        memcpy(prev ? r->prev : r->torn_sha256, s.p, AUDIT_HEX_LEN);
        *seen |= prev ? 16u : 32u;
        return 0;
    }
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(str_names); i++) {
        if (!rslice_eq_cstr(name, str_names[i]))
            continue;
        if (s.n > AUDIT_FIELD_MAX)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "record member \"%s\" is too long", str_names[i]);
        char **slot = str_slot(r, i);
        *slot = rampart_strndup((const char *)s.p, s.n);
        return *slot == NULL ? rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory") : 0;
    }
    return rerr_set(e, RAMPART_EFORMAT, NULL, "unknown record member");
}

int audit_rec_parse(const uint8_t *p, size_t n, audit_rec *out, rerr *e)
{
    memset(out, 0, sizeof(*out));
    if (n > AUDIT_LINE_MAX)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "record line longer than %d bytes", AUDIT_LINE_MAX);
    jd_limits lim = {.max_bytes = AUDIT_LINE_MAX, .max_depth = 2};
    jdoc *d = NULL;
    int rc = jdoc_parse(&d, p, n, false, &lim, e);
    if (rc != 0)
        return rc == RAMPART_ENOMEM ? rc : RAMPART_EFORMAT;
    jd_ref root = jdoc_root(d);
    unsigned seen = 0;
    if (jdoc_type(d, root) != JD_OBJECT)
        rc = rerr_set(e, RAMPART_EFORMAT, NULL, "a record is a JSON object");
    for (jd_ref k = rc == 0 ? jdoc_first(d, root) : JD_NONE; rc == 0 && k != JD_NONE; k = jdoc_next_key(d, k))
        rc = take_member(d, k, out, &seen, e);
    if (rc == 0 && ((seen & 27u) != 27u || out->kind == NULL || out->kind[0] == '\0'))
        rc = rerr_set(e, RAMPART_EFORMAT, NULL, "a record needs \"v\", \"seq\", \"time\", \"kind\" and \"prev\"");
    bool torn = rc == 0 && strcmp(out->kind, "torn") == 0;
    if (rc == 0 && torn != ((seen & 36u) == 36u))
        rc = rerr_set(e, RAMPART_EFORMAT, NULL, "\"torn_len\" and \"torn_sha256\" belong to a \"torn\" record only");
    if (rc == 0 && !torn && (seen & 36u) != 0)
        rc = rerr_set(e, RAMPART_EFORMAT, NULL, "\"torn_len\" and \"torn_sha256\" belong to a \"torn\" record only");
    jdoc_free(d);
    if (rc != 0)
        audit_rec_free(out);
    return rc;
}
