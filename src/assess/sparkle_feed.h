/*
 * sparkle_feed.h - reading a Sparkle appcast (an RSS 2.0 feed with the
 * Sparkle namespace) through expat: the items and their enclosures.
 *
 * Hostile XML: a document type declaration (DTD) is refused outright, so
 * there are no entities but the five predefined ones and no external
 * entity is ever loaded; expat's amplification limit stays on; at most
 * SPK_MAX_ITEMS items, SPK_MAX_DEPTH levels of elements, SPK_MAX_TEXT
 * bytes of text per element.  Errors: RAMPART_EFORMAT (not well-formed,
 * a DTD, not an RSS feed), ETOOLARGE, ENOMEM.
 */
#ifndef RAMPART_ASSESS_SPARKLE_FEED_H
#define RAMPART_ASSESS_SPARKLE_FEED_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"

#define SPK_MAX_ITEMS 256
#define SPK_MAX_DEPTH 32
#define SPK_MAX_TEXT 4096
#define SPK_URL_MAX 2048

#define SPK_NS "http://www.andymatuschak.org/xml-namespaces/sparkle"

typedef struct spk_item {
    char version[128]; /* sparkle:version (element, or the enclosure's attribute) */
    bool has_enclosure;
    char url[SPK_URL_MAX];
    bool has_length;
    bool length_ok; /* a decimal number */
    uint64_t length;
    char ed_sig[128]; /* sparkle:edSignature (base64), "" when absent */
    bool has_dsa;     /* sparkle:dsaSignature */
} spk_item;

typedef struct spk_feed {
    spk_item items[SPK_MAX_ITEMS];
    size_t n;
    bool truncated; /* more than SPK_MAX_ITEMS items */
} spk_feed;

int spk_parse(const uint8_t *xml, size_t n, spk_feed *out, rerr *e) RAMPART_MUST_USE;

#endif
