/*
 * scan.c - walking an audit log's bytes: the hash chain, the sealed torn
 * lines and the unsealed tail (docs/audit.md, "Verification").  No I/O.
 */
#include <inttypes.h>
#include <string.h>

#include "audit/audit_internal.h"
#include "crypto/hash.h"
#include "util/codec.h"
#include "util/banned.h"

void audit_scan_free(audit_scan *s)
{
    tlog_memtree_free(&s->tree);
}

static int sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
    uint8_t d[RHASH_MAX_LEN];
    int rc = rhash_digest(RHASH_SHA256, p, n, d);
    if (rc == 0)
        memcpy(out, d, 32);
    return rc;
}

/* A record line that continues the chain: counted, hashed, added to the tree. */
int audit_scan_accept(audit_scan *s, const uint8_t *p, size_t n, rerr *e)
{
    tlog_hash leaf;
    int rc = sha256(p, n, s->last);
    if (rc == 0)
        rc = tlog_leaf_hash(p, n, &leaf);
    if (rc == 0)
        rc = tlog_memtree_append(&s->tree, &leaf, e);
    if (rc == 0)
        s->records++;
    return rc;
}

/* Does record `r` seal exactly the bytes p[from..to)? */
static int seals(const audit_rec *r, const uint8_t *p, size_t from, size_t to, bool *out)
{
    uint8_t d[32];
    char hex[AUDIT_HEX_LEN + 1];
    int rc = sha256(p + from, to - from, d);
    if (rc != 0)
        return rc;
    rhex_encode(hex, d, 32);
    *out = strcmp(r->kind, "torn") == 0 && r->torn_len == to - from && strcmp(hex, r->torn_sha256) == 0;
    return 0;
}

/* One complete line p[off..off+n).  `garbage` is the start of the bytes
 * after the last record that are not records, or SIZE_MAX. */
static int scan_line(audit_scan *s, const uint8_t *p, size_t off, size_t n, uint64_t lineno, size_t *garbage, rerr *e)
{
    audit_rec r;
    rerr ignored;
    int rc = audit_rec_parse(p + off, n, &r, &ignored);
    if (rc == RAMPART_ENOMEM)
        return rerr_set(e, rc, NULL, "out of memory");
    if (rc != 0) {
        /* Not a record: an interrupted append, unless a record follows
         * that does not seal it (decided there, or at the end). */
        if (*garbage == SIZE_MAX)
            *garbage = off;
        return 0;
    }
    char want[AUDIT_HEX_LEN + 1];
    rhex_encode(want, s->last, 32);
    bool sealed = false;
    if (*garbage != SIZE_MAX) {
        rc = seals(&r, p, *garbage, off, &sealed);
        if (rc == 0 && !sealed)
            rc = rerr_set(e, RAMPART_ETAMPERED, NULL,
                          "line %" PRIu64 ": bytes before it are not a record and no \"torn\" record seals them "
                          "(a record edited or damaged)",
                          lineno);
    }
    if (rc == 0 && r.seq != s->records + 1)
        rc = rerr_set(e, RAMPART_ETAMPERED, NULL,
                      "line %" PRIu64 ": sequence number %" PRIu64 " where %" PRIu64
                      " was expected (a record removed, inserted or reordered)",
                      lineno, r.seq, s->records + 1);
    if (rc == 0 && strcmp(r.prev, want) != 0)
        rc = rerr_set(e, RAMPART_ETAMPERED, NULL,
                      "line %" PRIu64 " (record %" PRIu64 "): the hash of the previous record does not match "
                      "(record %" PRIu64 " edited, or a record replaced)",
                      lineno, r.seq, r.seq - 1);
    if (rc == 0)
        rc = audit_scan_accept(s, p + off, n, e);
    if (rc == 0 && sealed) {
        s->sealed++;
        *garbage = SIZE_MAX;
    }
    if (rc == 0)
        s->end = off + n + 1;
    audit_rec_free(&r);
    return rc;
}

int audit_scan_bytes(const uint8_t *p, size_t n, audit_scan *s, rerr *e)
{
    memset(s, 0, sizeof(*s));
    tlog_memtree_init(&s->tree);
    size_t garbage = SIZE_MAX;
    uint64_t lineno = 0;
    size_t off = 0;
    while (off < n) {
        const uint8_t *nl = memchr(p + off, '\n', n - off);
        if (nl == NULL)
            break; /* an incomplete last line */
        size_t len = (size_t)(nl - (p + off));
        lineno++;
        int rc = scan_line(s, p, off, len, lineno, &garbage, e);
        if (rc != 0)
            return rc;
        off += len + 1;
    }
    if (garbage == SIZE_MAX && off < n)
        garbage = off;
    s->garbage_start = garbage == SIZE_MAX ? n : garbage;
    s->garbage_len = n - s->garbage_start;
    return 0;
}
