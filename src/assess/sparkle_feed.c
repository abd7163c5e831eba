/* sparkle_feed.c - the appcast reader (sparkle_feed.h), on expat with
 * namespace processing (names arrive as "URI NAME"). */
#include <expat.h>
#include <stdio.h>
#include <string.h>

#include "assess/sparkle_feed.h"
#include "util/banned.h"

#define SEP ' '

typedef struct pstate {
    XML_Parser p;
    spk_feed *f;
    int depth;
    bool saw_rss;
    bool in_item;
    spk_item cur;
    bool in_version; /* inside <sparkle:version> of an item */
    char text[SPK_MAX_TEXT];
    size_t tlen;
    int err; /* set when the parse was stopped */
    char why[128];
} pstate;

static void stop(pstate *s, int err, const char *why)
{
    if (s->err == 0) {
        s->err = err;
        (void)snprintf(s->why, sizeof(s->why), "%s", why);
    }
    (void)XML_StopParser(s->p, XML_FALSE);
}

static bool is(const char *name, const char *ns, const char *local)
{
    if (ns == NULL)
        return strcmp(name, local) == 0;
    size_t n = strlen(ns);
    return strncmp(name, ns, n) == 0 && name[n] == SEP && strcmp(name + n + 1, local) == 0;
}

/* A value longer than its field is dropped, never truncated (a cut URL or
 * signature would be a different one): it then counts as absent. */
static void copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = 0;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void enclosure(pstate *s, const XML_Char **attr)
{
    spk_item *it = &s->cur;
    it->has_enclosure = true;
    for (size_t i = 0; attr[i] != NULL && attr[i + 1] != NULL; i += 2) {
        const char *k = attr[i], *v = attr[i + 1];
        if (is(k, NULL, "url")) {
            copy(it->url, sizeof(it->url), v);
        } else if (is(k, NULL, "length")) {
            it->has_length = true;
            size_t n = strlen(v);
            it->length_ok = n > 0 && n <= 19 && strspn(v, "0123456789") == n;
            it->length = 0;
            for (size_t j = 0; it->length_ok && j < n; j++)
                it->length = it->length * 10 + (uint64_t)(v[j] - '0');
        } else if (is(k, SPK_NS, "edSignature")) {
            copy(it->ed_sig, sizeof(it->ed_sig), v);
        } else if (is(k, SPK_NS, "dsaSignature")) {
            it->has_dsa = true;
        } else if (is(k, SPK_NS, "version") && it->version[0] == '\0') {
            copy(it->version, sizeof(it->version), v);
        }
    }
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attr)
{
    pstate *s = ud;
    if (++s->depth > SPK_MAX_DEPTH) {
        stop(s, RAMPART_ETOOLARGE, "elements nested too deep");
        return;
    }
    if (s->depth == 1) {
        if (!is(name, NULL, "rss"))
            stop(s, RAMPART_EFORMAT, "not an RSS feed (no <rss> root)");
        s->saw_rss = true;
        return;
    }
    if (is(name, NULL, "item") && !s->in_item) {
        s->in_item = true;
        memset(&s->cur, 0, sizeof(s->cur));
    } else if (s->in_item && is(name, NULL, "enclosure") && !s->cur.has_enclosure) {
        enclosure(s, attr);
    } else if (s->in_item && is(name, SPK_NS, "version")) {
        s->in_version = true;
        s->tlen = 0;
    }
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    pstate *s = ud;
    s->depth--;
    if (s->in_version && is(name, SPK_NS, "version")) {
        s->in_version = false;
        s->text[s->tlen] = '\0';
        copy(s->cur.version, sizeof(s->cur.version), s->text);
    } else if (s->in_item && is(name, NULL, "item")) {
        s->in_item = false;
        if (s->f->n >= SPK_MAX_ITEMS) {
            s->f->truncated = true;
            return;
        }
        s->f->items[s->f->n++] = s->cur;
    }
}

static void XMLCALL on_text(void *ud, const XML_Char *t, int len)
{
    pstate *s = ud;
    if (!s->in_version || len <= 0)
        return;
    if (s->tlen + (size_t)len >= SPK_MAX_TEXT) {
        stop(s, RAMPART_ETOOLARGE, "element text too long");
        return;
    }
    memcpy(s->text + s->tlen, t, (size_t)len);
    s->tlen += (size_t)len;
}

/* No DTD at all: no entity can be declared, internal or external. */
static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
                               int has_internal)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal;
    stop(ud, RAMPART_EFORMAT, "a document type declaration (DTD) is refused");
}

int spk_parse(const uint8_t *xml, size_t n, spk_feed *out, rerr *e)
{
    if (n > (size_t)16 << 20) /* also keeps it within expat's int length */
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "appcast larger than 16 MiB");
    memset(out, 0, sizeof(*out));
    pstate *s = rampart_calloc(1, sizeof(*s));
    /* expat allocates through Rampart's allocator; it refuses a '\0' separator. */
    static const XML_Memory_Handling_Suite mm = {rampart_malloc, rampart_realloc, rampart_free};
    static const XML_Char sep[2] = {SEP, '\0'};
    XML_Parser p = XML_ParserCreate_MM(NULL, &mm, sep);
    if (s == NULL || p == NULL) {
        rampart_free(s);
        if (p != NULL)
            XML_ParserFree(p);
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    s->p = p;
    s->f = out;
    XML_SetUserData(p, s);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    XML_SetStartDoctypeDeclHandler(p, on_doctype);
    (void)XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
    int rc = 0;
    if (XML_Parse(p, (const char *)xml, (int)n, XML_TRUE) != XML_STATUS_OK) {
        if (s->err != 0)
            rc = rerr_set(e, s->err, NULL, "appcast: %s", s->why);
        else
            rc = rerr_set(e, RAMPART_EFORMAT, NULL, "appcast: %s at line %lu", XML_ErrorString(XML_GetErrorCode(p)),
                          (unsigned long)XML_GetCurrentLineNumber(p));
    } else if (!s->saw_rss) {
        rc = rerr_set(e, RAMPART_EFORMAT, NULL, "appcast: not an RSS feed");
    }
    XML_ParserFree(p);
    rampart_free(s);
    return rc;
}
