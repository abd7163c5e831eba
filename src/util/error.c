/* error.c - error codes, their names and texts, and the error-detail helpers. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/common.h"
#include "util/banned.h"

static const struct {
    int code;
    enum rampart_error_kind kind;
    const char *name;
    const char *text;
} error_table[] = {
    {RAMPART_OK, RAMPART_KIND_OK, "RAMPART_OK", "success"},
    {RAMPART_EINVAL, RAMPART_KIND_LOCAL, "RAMPART_EINVAL", "invalid argument"},
    {RAMPART_ENOMEM, RAMPART_KIND_LOCAL, "RAMPART_ENOMEM", "out of memory"},
    {RAMPART_EIO, RAMPART_KIND_LOCAL, "RAMPART_EIO", "local file-system error"},
    {RAMPART_EFORMAT, RAMPART_KIND_SECURITY, "RAMPART_EFORMAT", "malformed input"},
    {RAMPART_EBADSIG, RAMPART_KIND_SECURITY, "RAMPART_EBADSIG", "signature threshold not met"},
    {RAMPART_EEXPIRED, RAMPART_KIND_SECURITY, "RAMPART_EEXPIRED", "metadata expired"},
    {RAMPART_EROLLBACK, RAMPART_KIND_SECURITY, "RAMPART_EROLLBACK", "version rollback"},
    {RAMPART_EMISMATCH, RAMPART_KIND_SECURITY, "RAMPART_EMISMATCH", "hash, length or version mismatch"},
    {RAMPART_ETOOLARGE, RAMPART_KIND_SECURITY, "RAMPART_ETOOLARGE", "input exceeds its size limit"},
    {RAMPART_ENOTFOUND, RAMPART_KIND_NOTFOUND, "RAMPART_ENOTFOUND", "not found"},
    {RAMPART_ENET, RAMPART_KIND_TRANSPORT, "RAMPART_ENET", "network transfer failed"},
    {RAMPART_ECONNTIMEOUT, RAMPART_KIND_TRANSPORT, "RAMPART_ECONNTIMEOUT", "connection timed out"},
    {RAMPART_ESLOW, RAMPART_KIND_TRANSPORT, "RAMPART_ESLOW", "transfer too slow (possible slow-retrieval attack)"},
    {RAMPART_ETIMEOUT, RAMPART_KIND_TRANSPORT, "RAMPART_ETIMEOUT",
     "transfer deadline exceeded (possible slow-retrieval attack)"},
    {RAMPART_ETLS, RAMPART_KIND_SECURITY, "RAMPART_ETLS", "TLS verification failed"},
    {RAMPART_EINSECURE, RAMPART_KIND_SECURITY, "RAMPART_EINSECURE", "insecure transport refused"},
    {RAMPART_ELOCKED, RAMPART_KIND_LOCAL, "RAMPART_ELOCKED", "metadata folder is locked by another updater"},
    {RAMPART_EUNSUPPORTED, RAMPART_KIND_SECURITY, "RAMPART_EUNSUPPORTED",
     "unsupported key type, scheme, algorithm or format"},
    {RAMPART_EPATH, RAMPART_KIND_SECURITY, "RAMPART_EPATH", "unsafe path"},
    {RAMPART_ECRYPTO, RAMPART_KIND_LOCAL, "RAMPART_ECRYPTO", "cryptographic backend failure"},
    {RAMPART_EPASSPHRASE, RAMPART_KIND_LOCAL, "RAMPART_EPASSPHRASE", "wrong or missing passphrase"},
    {RAMPART_EEXIST, RAMPART_KIND_LOCAL, "RAMPART_EEXIST", "already exists"},
    {RAMPART_EINTERNAL, RAMPART_KIND_LOCAL, "RAMPART_EINTERNAL", "internal error"},
    {RAMPART_EPROVMISSING, RAMPART_KIND_SECURITY, "RAMPART_EPROVMISSING", "required provenance is missing"},
    {RAMPART_EPROVSIG, RAMPART_KIND_SECURITY, "RAMPART_EPROVSIG",
     "attestation not signed by a threshold of trusted builder keys"},
    {RAMPART_EPROVSUBJECT, RAMPART_KIND_SECURITY, "RAMPART_EPROVSUBJECT",
     "attestation is about another artifact (subject digest mismatch)"},
    {RAMPART_EPROVPREDICATE, RAMPART_KIND_SECURITY, "RAMPART_EPROVPREDICATE",
     "attestation is not SLSA provenance v1 (wrong predicate type)"},
    {RAMPART_EPROVBUILDER, RAMPART_KIND_SECURITY, "RAMPART_EPROVBUILDER",
     "builder not allowed by the provenance policy"},
    {RAMPART_EPROVBUILDTYPE, RAMPART_KIND_SECURITY, "RAMPART_EPROVBUILDTYPE",
     "build type not allowed by the provenance policy"},
    {RAMPART_EPROVSOURCE, RAMPART_KIND_SECURITY, "RAMPART_EPROVSOURCE",
     "source repository not allowed by the provenance policy"},
    {RAMPART_EPROVREVISION, RAMPART_KIND_SECURITY, "RAMPART_EPROVREVISION",
     "source revision is not the tag of the target's version"},
    {RAMPART_EPROVFORMAT, RAMPART_KIND_SECURITY, "RAMPART_EPROVFORMAT", "malformed attestation"},
    {RAMPART_ECANCELED, RAMPART_KIND_LOCAL, "RAMPART_ECANCELED", "cancelled by the caller"},
    {RAMPART_ENOTLOGGED, RAMPART_KIND_SECURITY, "RAMPART_ENOTLOGGED", "entry not in the transparency log"},
    {RAMPART_ENOQUORUM, RAMPART_KIND_SECURITY, "RAMPART_ENOQUORUM",
     "checkpoint not signed by the log or not cosigned by a witness quorum"},
    {RAMPART_ESPLITVIEW, RAMPART_KIND_SECURITY, "RAMPART_ESPLITVIEW",
     "inconsistent views of the transparency log (split view)"},
    {RAMPART_ESTALE, RAMPART_KIND_SECURITY, "RAMPART_ESTALE", "log checkpoint cosignatures are too old"},
    {RAMPART_EDOWNGRADE, RAMPART_KIND_SECURITY, "RAMPART_EDOWNGRADE",
     "release version below the highest installed (downgrade)"},
    {RAMPART_EARCHIVE, RAMPART_KIND_SECURITY, "RAMPART_EARCHIVE", "archive entry not allowed"},
    {RAMPART_EHOOK, RAMPART_KIND_LOCAL, "RAMPART_EHOOK", "install hook failed"},
    {RAMPART_EHEALTH, RAMPART_KIND_LOCAL, "RAMPART_EHEALTH", "health check failed; previous version restored"},
    {RAMPART_ETAMPERED, RAMPART_KIND_SECURITY, "RAMPART_ETAMPERED", "audit log altered (tampering)"},
    {RAMPART_ETORN, RAMPART_KIND_LOCAL, "RAMPART_ETORN", "audit log ends in an incomplete line (interrupted append)"},
    {RAMPART_EHELD, RAMPART_KIND_SECURITY, "RAMPART_EHELD", "update held by a blocking anomaly until acknowledged"},
};

/* The kinds are explained, code by code, in docs/errors.md (a unit test
 * checks that the two agree). */
enum rampart_error_kind rampart_error_kind(int code)
{
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(error_table); i++)
        if (error_table[i].code == code)
            return error_table[i].kind;
    return RAMPART_KIND_LOCAL;
}

const char *rampart_strerror(int code)
{
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(error_table); i++)
        if (error_table[i].code == code)
            return error_table[i].text;
    return "unknown error";
}

const char *rampart_error_name(int code)
{
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(error_table); i++)
        if (error_table[i].code == code)
            return error_table[i].name;
    return "RAMPART_E?";
}

/* Length of the valid UTF-8 sequence at s[0..len), or 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return n;
}

/* Characters that are valid UTF-8 but change how a terminal or a reader
 * sees the text around them: C1 controls (U+0080..U+009F, some terminals
 * act on them), the bidirectional marks, embeddings, overrides and isolates
 * (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069: a name can read
 * backwards, "Trojan Source", CVE-2021-42574) and the line and paragraph
 * separators (U+2028, U+2029: a fake second line). */
static int is_display_control(const unsigned char *s, size_t n)
{
    if (n == 2)
        return (s[0] == 0xC2 && s[1] <= 0x9F) || (s[0] == 0xD8 && s[1] == 0x9C);
    if (n == 3 && s[0] == 0xE2 && s[1] == 0x80)
        return s[2] == 0x8E || s[2] == 0x8F || (s[2] >= 0xA8 && s[2] <= 0xAE);
    if (n == 3 && s[0] == 0xE2 && s[1] == 0x81)
        return s[2] >= 0xA6 && s[2] <= 0xA9;
    return 0;
}

void rampart_sanitize(char *dst, size_t cap, const char *src, size_t len)
{
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)src;
    if (dst == NULL || cap == 0)
        return;
    for (size_t i = 0; src != NULL && i < len;) {
        size_t n = utf8_seq_len(s + i, len - i);
        if (n == 0 || (n == 1 && (s[i] < 0x20 || s[i] == 0x7F)) || is_display_control(s + i, n)) {
            if (o + 1 >= cap)
                break;
            dst[o++] = '?';
            i += n == 0 ? 1 : n;
            continue;
        }
        if (o + n >= cap)
            break;
        memcpy(dst + o, s + i, n);
        o += n;
        i += n;
    }
    dst[o] = '\0';
}

/* The parentheses keep the analyser's macro (common.h) off the name. */
int(rerr_set)(rerr *e, int code, const char *role, const char *fmt, ...)
{
    if (e == NULL)
        return code;
    char raw[sizeof(e->message)];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(raw, sizeof(raw), fmt, ap);
    va_end(ap);
    if (n < 0)
        raw[0] = '\0';
    e->code = code;
    rampart_sanitize(e->message, sizeof(e->message), raw, strlen(raw));
    if (role != NULL)
        rampart_sanitize(e->role, sizeof(e->role), role, strlen(role));
    else
        e->role[0] = '\0';
    return code;
}

void rerr_clear(rerr *e)
{
    if (e == NULL)
        return;
    e->code = 0;
    e->role[0] = '\0';
    e->message[0] = '\0';
}
