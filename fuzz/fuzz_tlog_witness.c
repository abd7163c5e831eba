/*
 * fuzz_tlog_witness.c - the C2SP tlog-witness add-checkpoint request
 * (src/tlog/witness.c).  The input is a request body.  The witness knows
 * one log, "example.com/log", whose key is RFC 8032 section 7.1 TEST 1;
 * it cosigns as "witness.example" with TEST 2 (the seeds of
 * fuzz/witness_seeds.sh are signed with TEST 1).  Invariants:
 *  - tlog_wreq_parse returns 0, EFORMAT or ETOOLARGE, *out untouched on
 *    failure; a parsed request is what its bytes say: "old N\n", its proof
 *    lines and the blank line written again give the bytes before the note;
 *  - tlog_witness_check returns 0 with status 400, 403, 404 or 0 (go on),
 *    400 whenever the request does not parse;
 *  - tlog_witness_decide, against no state, the checkpoint's own size and
 *    root, and the request's old size with another root, answers 200, 409 or
 *    422; 200 only when the old size is the stored one, with one
 *    cosignature line that verifies under the witness's key and the new
 *    state the checkpoint's; 409 as text/x.tlog.size only with the stored
 *    size as its body.
 */
#include "fuzz_common.h"
#include "keys/keys.h"
#include "tlog/witness.h"
#include "util/codec.h"
#include "util/banned.h"

static const char log_pem[] = "-----BEGIN PRIVATE KEY-----\n"
                              "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
                              "-----END PRIVATE KEY-----\n";
static const char wit_pem[] = "-----BEGIN PRIVATE KEY-----\n"
                              "MC4CAQAwBQYDK2VwBCIEIEzNCJso/5banbbDRuwRTg9bijGfNaumJNqM9u1PuKb7\n"
                              "-----END PRIVATE KEY-----\n";

static tlog_wconfig *cfg;
static tlog_signer ws;
static tlog_vkey *wvkey;

static void setup(void)
{
    if (cfg != NULL)
        return;
    static rprivkey *lk, *wk;
    tlog_signer ls;
    tlog_vkey *lv = NULL;
    rbuf b;
    rbuf_init(&b, 1024);
    FUZZ_CHECK(rprivkey_load_pem(&lk, (const uint8_t *)log_pem, strlen(log_pem), NULL, 0, NULL) == 0);
    FUZZ_CHECK(rprivkey_load_pem(&wk, (const uint8_t *)wit_pem, strlen(wit_pem), NULL, 0, NULL) == 0);
    FUZZ_CHECK(tlog_signer_init(&ls, "example.com/log", TLOG_SIG_ED25519, lk, NULL) == 0);
    FUZZ_CHECK(tlog_signer_init(&ws, "witness.example", TLOG_SIG_COSIGN_V1, wk, NULL) == 0);
    FUZZ_CHECK(tlog_signer_vkey(&ls, &lv, NULL) == 0 && tlog_signer_vkey(&ws, &wvkey, NULL) == 0);
    FUZZ_CHECK(rbuf_append_str(&b, "log ") == 0 && tlog_vkey_format(lv, &b) == 0 && rbuf_append_byte(&b, '\n') == 0);
    FUZZ_CHECK(tlog_wconfig_parse(&cfg, b.data, b.len, NULL) == 0);
    tlog_vkey_free(lv);
    rbuf_free(&b);
}

static void check_parse(const uint8_t *data, size_t size)
{
    tlog_wreq q;
    memset(&q, 0x5a, sizeof(q));
    int rc = tlog_wreq_parse(data, size, &q, NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT || rc == RAMPART_ETOOLARGE);
    if (rc != 0) {
        FUZZ_CHECK(q.old_size == 0x5a5a5a5a5a5a5a5aULL);
        return;
    }
    FUZZ_CHECK(q.nproof <= TLOG_WITNESS_PROOF_MAX && q.note > data && q.note_len > 0);
    FUZZ_CHECK((size_t)(q.note - data) + q.note_len == size);
    rbuf b;
    rbuf_init(&b, TLOG_WITNESS_REQ_MAX);
    FUZZ_CHECK(rbuf_appendf(&b, "old %llu\n", (unsigned long long)q.old_size) == 0);
    for (size_t i = 0; i < q.nproof; i++)
        FUZZ_CHECK(rb64_encode(&b, q.proof[i].b, TLOG_HASH_LEN, RB64_STD) == 0 && rbuf_append_byte(&b, '\n') == 0);
    FUZZ_CHECK(rbuf_append_byte(&b, '\n') == 0);
    FUZZ_CHECK(b.len == (size_t)(q.note - data) && memcmp(b.data, data, b.len) == 0);
    rbuf_free(&b);
}

static void check_decide(const tlog_wsubmit *sub, const tlog_wstate *st)
{
    tlog_wreply r;
    tlog_wreply_init(&r);
    const tlog_signer *s[1] = {&ws};
    int rc = tlog_witness_decide(sub, st, s, 1, 1700000000, &r, NULL);
    FUZZ_CHECK(rc == 0);
    uint64_t stored = st->known ? st->size : 0;
    FUZZ_CHECK(r.status == 200 || r.status == 409 || r.status == 422);
    if (r.status == 200) {
        FUZZ_CHECK(sub->req.old_size == stored && r.commit && r.next.known && r.next.size == sub->cp.size);
        FUZZ_CHECK(memcmp(r.next.root.b, sub->cp.root.b, TLOG_HASH_LEN) == 0);
        rbuf n;
        rbuf_init(&n, 2 * TLOG_NOTE_MAX);
        FUZZ_CHECK(rbuf_append(&n, sub->text, sub->text_len) == 0 && rbuf_append_byte(&n, '\n') == 0);
        FUZZ_CHECK(rbuf_append(&n, r.body.data, r.body.len) == 0);
        tlog_note *nt = NULL;
        FUZZ_CHECK(tlog_note_parse(&nt, n.data, n.len, NULL) == 0 && nt->nsig == 1);
        const tlog_vkey *k[1] = {wvkey};
        tlog_note_verdict v[1];
        FUZZ_CHECK(tlog_note_verify(nt, k, 1, v, NULL) == 0 && v[0].verified && v[0].timestamp == 1700000000);
        tlog_note_free(nt);
        rbuf_free(&n);
    } else {
        FUZZ_CHECK(!r.commit);
    }
    if (r.status == 409 && strcmp(r.content_type, TLOG_WCT_SIZE) == 0) {
        char want[32];
        int l = snprintf(want, sizeof(want), "%llu\n", (unsigned long long)stored);
        FUZZ_CHECK(l > 0 && r.body.len == (size_t)l && memcmp(r.body.data, want, (size_t)l) == 0);
        FUZZ_CHECK(sub->req.old_size != stored);
    }
    tlog_wreply_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    check_parse(data, size);
    tlog_wsubmit sub;
    tlog_wreply r;
    tlog_wreply_init(&r);
    int rc = tlog_witness_check(cfg, data, size, &sub, &r, NULL);
    FUZZ_CHECK(rc == 0);
    FUZZ_CHECK(r.status == 0 || r.status == 400 || r.status == 403 || r.status == 404);
    tlog_wreq q;
    if (tlog_wreq_parse(data, size, &q, NULL) != 0)
        FUZZ_CHECK(r.status == 400);
    if (r.status == 0) {
        FUZZ_CHECK(sub.req.old_size <= sub.cp.size);
        tlog_wstate none = {0};
        tlog_wstate same = {.known = true, .size = sub.cp.size, .root = sub.cp.root};
        tlog_wstate other = {.known = true, .size = sub.req.old_size};
        check_decide(&sub, &none);
        check_decide(&sub, &same);
        check_decide(&sub, &other);
    }
    tlog_wreply_free(&r);
    return 0;
}
