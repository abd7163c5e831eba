/*
 * fuzz_tlog_proof_file.c - the C2SP tlog-proof parser and the endpoint's
 * evidence writer (src/tlog/endpoint.c).
 *
 * The input is read as a tlog-proof.  Invariants:
 *  - tlog_proof_file_parse returns 0, EFORMAT or ETOOLARGE, and leaves its
 *    output untouched on failure;
 *  - on success the proof has at most 63 hashes, the checkpoint is a
 *    non-empty tail of the input, and writing the parsed proof again
 *    (tlog_proof_file_format) gives the input back when it had no "extra"
 *    line, which then parses to the same proof;
 *  - tlog_stored_checkpoint on the checkpoint returns 0 or EFORMAT, and on 0
 *    the evidence of that checkpoint against itself is written (0) and
 *    ends with the checkpoint's bytes.
 */
#include "fuzz_common.h"
#include "tlog/endpoint.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tlog_proof_file f, g;
    memset(&f, 0x5A, sizeof(f));
    int rc = tlog_proof_file_parse(data, size, &f, NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT || rc == RAMPART_ETOOLARGE);
    if (rc != 0) {
        FUZZ_CHECK(f.index == 0x5A5A5A5A5A5A5A5AULL);
        return 0;
    }
    FUZZ_CHECK(f.proof.n <= 63);
    FUZZ_CHECK(f.checkpoint_len > 0 && f.checkpoint + f.checkpoint_len == data + size);
    if (!f.has_extra) {
        rbuf b;
        rbuf_init(&b, SIZE_MAX);
        FUZZ_CHECK(tlog_proof_file_format(f.index, &f.proof, f.checkpoint, f.checkpoint_len, &b, NULL) == 0);
        FUZZ_CHECK(b.len == size && memcmp(b.data, data, size) == 0);
        FUZZ_CHECK(tlog_proof_file_parse(b.data, b.len, &g, NULL) == 0);
        FUZZ_CHECK(g.index == f.index && g.proof.n == f.proof.n &&
                   memcmp(g.proof.h, f.proof.h, f.proof.n * sizeof(tlog_hash)) == 0);
        rbuf_free(&b);
    }
    tlog_checkpoint cp;
    rc = tlog_stored_checkpoint(f.checkpoint, f.checkpoint_len, &cp, NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT);
    if (rc == 0) {
        rbuf ev;
        rbuf_init(&ev, SIZE_MAX);
        tlog_evidence e = {0, "fuzz", NULL, f.checkpoint, f.checkpoint_len, f.checkpoint, f.checkpoint_len, &f.proof};
        FUZZ_CHECK(tlog_evidence_format(&e, &ev, NULL) == 0);
        FUZZ_CHECK(ev.len > f.checkpoint_len &&
                   memcmp(ev.data + ev.len - f.checkpoint_len, f.checkpoint, f.checkpoint_len) == 0);
        rbuf_free(&ev);
    }
    return 0;
}
