/*
 * fuzz_audit_log.c - the audit log reader (src/audit/scan.c, record.c): the
 * input is the bytes of an audit.log.  Invariants:
 *  - audit_scan_bytes returns 0, ETAMPERED or ENOMEM;
 *  - on success the scanned records end where the unsealed tail starts
 *    (end <= garbage_start, garbage_start + garbage_len == size), and the
 *    tail has no complete record line that would continue the chain;
 *  - every line audit_rec_parse accepts formats again (audit_line_format)
 *    into a line that parses to the same seq, kind and prev.
 */
#include "audit/audit_internal.h"
#include "fuzz_common.h"
#include "util/codec.h"
#include "util/banned.h"

static void reformat(const uint8_t *p, size_t n)
{
    audit_rec r;
    if (audit_rec_parse(p, n, &r, NULL) != 0)
        return;
    uint8_t prev[32], torn[32];
    size_t got = 0;
    FUZZ_CHECK(rhex_decode(prev, sizeof(prev), &got, r.prev, 64) == 0 && got == 32);
    bool is_torn = strcmp(r.kind, "torn") == 0;
    if (is_torn)
        FUZZ_CHECK(rhex_decode(torn, sizeof(torn), &got, r.torn_sha256, 64) == 0);
    rampart_audit_record in = {.kind = r.kind,
                               .target = r.target,
                               .version = r.version,
                               .previous = r.previous,
                               .sha256 = r.sha256,
                               .message = r.message,
                               .anomaly = r.anomaly,
                               .id = r.id};
    audit_line_in li = {.seq = r.seq,
                        .time = r.time,
                        .prev = prev,
                        .r = &in,
                        .torn_len = r.torn_len,
                        .torn_sha256 = is_torn ? torn : NULL};
    rbuf b;
    rbuf_init(&b, AUDIT_LINE_MAX * 2);
    if (audit_line_format(&li, &b, NULL) == 0) {
        audit_rec again;
        FUZZ_CHECK(audit_rec_parse(b.data, b.len, &again, NULL) == 0);
        FUZZ_CHECK(again.seq == r.seq && strcmp(again.kind, r.kind) == 0 && strcmp(again.prev, r.prev) == 0);
        audit_rec_free(&again);
    }
    rbuf_free(&b);
    audit_rec_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    audit_scan s;
    int rc = audit_scan_bytes(data, size, &s, NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_ETAMPERED || rc == RAMPART_ENOMEM);
    if (rc == 0) {
        FUZZ_CHECK(s.end <= s.garbage_start && s.garbage_start + s.garbage_len == size);
        FUZZ_CHECK(s.tree.size == s.records);
    }
    audit_scan_free(&s);
    for (size_t off = 0; off < size;) {
        const uint8_t *nl = memchr(data + off, '\n', size - off);
        size_t len = nl != NULL ? (size_t)(nl - (data + off)) : size - off;
        reformat(data + off, len);
        off += len + 1;
    }
    return 0;
}
