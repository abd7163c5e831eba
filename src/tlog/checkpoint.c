/*
 * checkpoint.c - C2SP tlog-checkpoint note texts.  See note.h.
 */
#include <string.h>

#include "tlog/note.h"
#include "tlog/text.h"
#include "util/codec.h"
#include "util/banned.h"

static bool origin_valid(rslice l)
{
    /* tlog-checkpoint: non-empty; Rampart also keeps it a valid key name
     * length and UTF-8 (the note was already checked for control bytes). */
    return l.n > 0 && l.n <= TLOG_NAME_MAX;
}

int tlog_checkpoint_parse(const uint8_t *text, size_t n, tlog_checkpoint *out, rerr *e)
{
    tlog_checkpoint c;
    memset(&c, 0, sizeof(c));
    size_t at = 0;
    rslice origin, size, root, ext;
    if (!tlog_next_line(text, n, &at, &origin) || !tlog_next_line(text, n, &at, &size) ||
        !tlog_next_line(text, n, &at, &root))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "a checkpoint has at least three lines");
    if (!origin_valid(origin) || memchr(origin.p, 0, origin.n) != NULL)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "checkpoint origin is empty or over %d bytes", TLOG_NAME_MAX);
    if (!tlog_parse_decimal(size.p, size.n, &c.size))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "checkpoint tree size is not a decimal without leading zeroes");
    rbuf b;
    rbuf_init(&b, 64);
    int rc = rb64_decode(&b, (const char *)root.p, root.n, RB64_STD);
    bool ok = rc == 0 && b.len == TLOG_HASH_LEN;
    if (ok)
        memcpy(c.root.b, b.data, TLOG_HASH_LEN);
    rbuf_free(&b);
    if (!ok)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "checkpoint root hash is not base64 of 32 bytes");
    c.next_off = at;
    unsigned next = 0;
    while (tlog_next_line(text, n, &at, &ext)) {
        /* tlog-checkpoint: extension lines, if any, MUST be non-empty. */
        if (ext.n == 0)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "checkpoint extension line %u is empty", next + 1);
        if (++next > TLOG_CHECKPOINT_MAX_EXT)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "checkpoint has more than %d extension lines",
                            TLOG_CHECKPOINT_MAX_EXT);
    }
    if (at != n)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "checkpoint text does not end in a newline");
    memcpy(c.origin, origin.p, origin.n);
    c.origin_len = origin.n;
    *out = c;
    return 0;
}

int tlog_checkpoint_format(const char *origin, uint64_t size, const tlog_hash *root, rbuf *out, rerr *e)
{
    size_t ol = origin ? strlen(origin) : 0;
    if (!tlog_name_valid(origin, ol))
        return rerr_set(e, RAMPART_EINVAL, NULL, "a log origin is a valid key name");
    size_t before = out->len;
    int rc = rbuf_appendf(out, "%s\n%llu\n", origin, (unsigned long long)size);
    if (rc == 0)
        rc = rb64_encode(out, root->b, TLOG_HASH_LEN, RB64_STD);
    if (rc == 0)
        rc = rbuf_append_byte(out, '\n');
    if (rc != 0) {
        out->len = before;
        return rerr_set(e, rc, NULL, "no room for a checkpoint");
    }
    return 0;
}
