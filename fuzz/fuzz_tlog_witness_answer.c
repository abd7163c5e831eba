/*
 * fuzz_tlog_witness_answer.c - a witness's answer to add-checkpoint as the
 * repository reads it (src/tlog/witreq.c).
 *
 * The input is a witness answer body: first as a 409 body
 * (tlog_witness_parse_size), then as a 200 body of cosignature lines over
 * a fixed checkpoint, for a fixed witness key (tlog_witness_cosignatures).
 * Invariants:
 *  - the size parses only from decimal digits and one newline, and printing
 *    it again gives the input back;
 *  - the cosignatures end in 0, EFORMAT, EBADSIG or ETOOLARGE; `out` is
 *    untouched on failure; on success every line taken starts with the
 *    witness's name and ends in a newline (random bytes never verify, so
 *    in practice: EBADSIG or EFORMAT).
 */
#include "fuzz_common.h"
#include "tlog/witreq.h"
#include "util/banned.h"

#define WIT_VKEY "w1.example+89d3dde6+BIqI4910CfGV/VLbLTy6XXLKZwm/HZQSG/N0iAG0D29c"
static const char note[] =
    "example.com/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"
    "\xe2\x80\x94 example.com/log ky6jl2UAFDue3Tl3QacpO6kySDxSeq32R/2sh/gb6g/QD2O7J42jADENp53pERoe"
    "oWFG+grixZUH7EkHYHhfO2Koqg8=\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t s = 0x5a5a;
    int rc = tlog_witness_parse_size(data, size, &s, NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT);
    if (rc == 0) {
        char again[32];
        int n = snprintf(again, sizeof(again), "%llu\n", (unsigned long long)s);
        FUZZ_CHECK(n > 0 && (size_t)n == size && memcmp(again, data, size) == 0);
    } else {
        FUZZ_CHECK(s == 0x5a5a);
    }
    tlog_vkey *k = NULL;
    FUZZ_CHECK(tlog_vkey_parse(&k, WIT_VKEY, strlen(WIT_VKEY), NULL) == 0);
    rbuf out;
    rbuf_init(&out, TLOG_NOTE_MAX);
    int64_t t = -7;
    rc = tlog_witness_cosignatures(k, (const uint8_t *)note, sizeof(note) - 1, data, size, &out, &t, NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT || rc == RAMPART_EBADSIG || rc == RAMPART_ETOOLARGE);
    if (rc != 0) {
        FUZZ_CHECK(out.len == 0 && t == -7);
    } else {
        FUZZ_CHECK(out.len > 15 && memcmp(out.data, "\xe2\x80\x94 w1.example ", 15) == 0);
        FUZZ_CHECK(out.data[out.len - 1] == '\n');
    }
    rbuf_free(&out);
    tlog_vkey_free(k);
    return 0;
}
