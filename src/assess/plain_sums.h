/*
 * plain_sums.h - checksum files beside a download: the GNU coreutils
 * format of sha256sum/sha512sum/md5sum/sha1sum ("HEX  NAME", "HEX *NAME")
 * and the BSD tagged format ("SHA256 (NAME) = HEX").  The algorithm of an
 * untagged line is told by its hex length (32 MD5, 40 SHA-1, 64 SHA-256,
 * 128 SHA-512); a tag must agree with the length.
 *
 * Strict: any other line (but empty ones) is EFORMAT, as are GNU's escaped
 * names (a leading '\'), names with control characters, and more than
 * SUMS_MAX_LINES lines or SUMS_MAX_BYTES bytes (ETOOLARGE).
 */
#ifndef RAMPART_ASSESS_PLAIN_SUMS_H
#define RAMPART_ASSESS_PLAIN_SUMS_H

#include <stdint.h>

#include "util/buf.h"

#define SUMS_MAX_BYTES (4u << 20)
#define SUMS_MAX_LINES 20000

typedef enum sums_alg { SUMS_MD5, SUMS_SHA1, SUMS_SHA256, SUMS_SHA512 } sums_alg;

typedef struct sums_entry {
    sums_alg alg;
    rslice name; /* points into the text */
    uint8_t digest[64];
    size_t dlen;
} sums_entry;

/* Calls fn for each entry (stops at its first non-zero return, returned). */
int sums_parse(const uint8_t *text, size_t n, int (*fn)(void *ctx, const sums_entry *en), void *ctx,
               rerr *e) RAMPART_MUST_USE;

const char *sums_alg_name(sums_alg a);

#endif
