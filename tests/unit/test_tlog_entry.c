/* test_tlog_entry.c - the log entry of a target (src/tlog/entry.c: exact
 * bytes, escapes and control characters, the 64 KiB cap), the tlog-proof
 * file, and the log's side of C2SP tlog-witness (src/tlog/witreq.c). */
#include <string.h>

#include "harness.h"
#include "keys/keys.h"
#include "tlog/endpoint.h"
#include "tlog/witreq.h"
#include "util/banned.h"

#define SHA "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"

static int encode(const char *path, size_t plen, const tlog_entry_hash *h, size_t nh, rbuf *out)
{
    tlog_entry en = {
        .path = path, .path_len = plen, .role = "targets", .length = 6, .version = 2, .hashes = h, .nhashes = nh};
    return tlog_entry_encode(&en, out, NULL);
}

static void test_exact_bytes(void)
{
    tlog_entry_hash h[2] = {{"sha512", "ab"}, {"sha256", SHA}};
    rbuf b;
    rbuf_init(&b, 1 << 20);
    CHECK_OK(encode("a.txt", 5, h + 1, 1, &b));
    CHECK_STR((char *)b.data,
              "{\"hashes\":{\"sha256\":\"" SHA "\"},\"length\":6,\"path\":\"a.txt\",\"role\":\"targets\","
              "\"type\":\"rampart.log-entry/v1\",\"version\":2}");
    /* hash algorithms in canonical (byte) order, whatever order they come in */
    rbuf_reset(&b);
    CHECK_OK(encode("a.txt", 5, h, 2, &b));
    CHECK(strstr((char *)b.data, "{\"hashes\":{\"sha256\":\"" SHA "\",\"sha512\":\"ab\"},") == (char *)b.data);
    rbuf_free(&b);
}

static void test_escapes(void)
{
    tlog_entry_hash h = {"sha256", SHA};
    rbuf b;
    rbuf_init(&b, 1 << 20);
    /* canonical JSON: only '"' and '\' escaped; control bytes stay raw */
    static const char path[] = "d\"q\\b\tt\nn\x01u\xc3\xa9";
    CHECK_OK(encode(path, sizeof(path) - 1, &h, 1, &b));
    CHECK(strstr((char *)b.data, "\"path\":\"d\\\"q\\\\b\tt\nn\x01u\xc3\xa9\",") != NULL);
    /* a NUL inside the path is kept (length-counted) */
    rbuf_reset(&b);
    CHECK_OK(encode("a\0b", 3, &h, 1, &b));
    CHECK(b.len > 0 && memmem(b.data, b.len, "\"path\":\"a\0b\"", 12) != NULL);
    rbuf_free(&b);
}

static void test_cap(void)
{
    tlog_entry_hash h = {"sha256", SHA};
    rbuf b;
    rbuf_init(&b, 1 << 20);
    /* the entry without its path is this long: fill up to exactly 65535 */
    CHECK_OK(encode("", 0, &h, 1, &b));
    size_t fixed = b.len;
    char *p = rampart_malloc(70000);
    CHECK(p != NULL);
    memset(p, 'x', 70000);
    rbuf_reset(&b);
    CHECK_OK(encode(p, TLOG_ENTRY_MAX - fixed, &h, 1, &b));
    CHECK_INT(b.len, TLOG_ENTRY_MAX);
    rbuf_reset(&b);
    CHECK_RC(encode(p, TLOG_ENTRY_MAX - fixed + 1, &h, 1, &b), RAMPART_ETOOLARGE);
    CHECK_INT(b.len, 0);
    rampart_free(p);
    /* refusals */
    tlog_entry_hash twice[2] = {{"sha256", SHA}, {"sha256", SHA}};
    CHECK_RC(encode("a", 1, twice, 2, &b), RAMPART_EINVAL);
    CHECK_RC(encode("a", 1, &h, 0, &b), RAMPART_EINVAL);
    tlog_entry en = {.path = "a", .path_len = 1, .role = "targets", .version = 0, .hashes = &h, .nhashes = 1};
    CHECK_RC(tlog_entry_encode(&en, &b, NULL), RAMPART_EINVAL);
    CHECK_INT(b.len, 0);
    rbuf_free(&b);
}

static void test_proof_file(void)
{
    tlog_proof p = {.n = 2};
    memset(p.h[0].b, 0, 32);
    memset(p.h[1].b, 0xff, 32);
    rbuf b;
    rbuf_init(&b, 4096);
    static const char note[] = "o\n1\nAAAA\n\n\xe2\x80\x94 o AAAA\n";
    CHECK_OK(tlog_proof_file_format(7, &p, (const uint8_t *)note, sizeof(note) - 1, &b, NULL));
    CHECK_STR((char *)b.data, "c2sp.org/tlog-proof@v1\nindex 7\n"
                              "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
                              "//////////////////////////////////////////8=\n\n"
                              "o\n1\nAAAA\n\n\xe2\x80\x94 o AAAA\n");
    rbuf_free(&b);
}

static void test_witness_request(void)
{
    tlog_proof p = {.n = 1};
    memset(p.h[0].b, 0, 32);
    rbuf b;
    rbuf_init(&b, 4096);
    CHECK_OK(tlog_witness_request(3, &p, (const uint8_t *)"N\n", 2, &b, NULL));
    CHECK_STR((char *)b.data, "old 3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\nN\n");
    rbuf_reset(&b);
    /* tlog-witness: the proof is empty from size 0; at most 63 lines */
    CHECK_RC(tlog_witness_request(0, &p, (const uint8_t *)"N\n", 2, &b, NULL), RAMPART_EINVAL);
    p.n = 64;
    CHECK_RC(tlog_witness_request(9, &p, (const uint8_t *)"N\n", 2, &b, NULL), RAMPART_EINVAL);
    CHECK_INT(b.len, 0);
    rbuf_free(&b);
    uint64_t s = 0;
    CHECK_OK(tlog_witness_parse_size((const uint8_t *)"20852014\n", 9, &s, NULL));
    CHECK(s == 20852014);
    CHECK_OK(tlog_witness_parse_size((const uint8_t *)"0\n", 2, &s, NULL));
    CHECK(s == 0);
    CHECK_RC(tlog_witness_parse_size((const uint8_t *)"012\n", 4, &s, NULL), RAMPART_EFORMAT);
    CHECK_RC(tlog_witness_parse_size((const uint8_t *)"12", 2, &s, NULL), RAMPART_EFORMAT);
    CHECK_RC(tlog_witness_parse_size((const uint8_t *)"12\n\n", 4, &s, NULL), RAMPART_EFORMAT);
    CHECK_RC(tlog_witness_parse_size((const uint8_t *)"99999999999999999999\n", 21, &s, NULL), RAMPART_EFORMAT);
}

static void test_witness_cosignatures(void)
{
    rprivkey *lk = NULL, *wk = NULL, *ok = NULL;
    CHECK_OK(rprivkey_generate(&lk, RKEY_ED25519, 0, NULL));
    CHECK_OK(rprivkey_generate(&wk, RKEY_ED25519, 0, NULL));
    CHECK_OK(rprivkey_generate(&ok, RKEY_ED25519, 0, NULL));
    tlog_signer log, wit, other;
    CHECK_OK(tlog_signer_init(&log, "example.com/log", TLOG_SIG_ED25519, lk, NULL));
    CHECK_OK(tlog_signer_init(&wit, "w.example", TLOG_SIG_COSIGN_V1, wk, NULL));
    CHECK_OK(tlog_signer_init(&other, "o.example", TLOG_SIG_COSIGN_V1, ok, NULL));
    tlog_vkey *wv = NULL;
    CHECK_OK(tlog_signer_vkey(&wit, &wv, NULL));
    static const char text[] = "example.com/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
    const uint8_t *t = (const uint8_t *)text;
    size_t tn = sizeof(text) - 1;
    rbuf note, resp, out;
    rbuf_init(&note, 4096);
    rbuf_init(&resp, 4096);
    rbuf_init(&out, 4096);
    CHECK_OK(rbuf_append(&note, t, tn));
    CHECK_OK(rbuf_append_byte(&note, '\n'));
    CHECK_OK(tlog_note_sign_line(&log, t, tn, 0, &note, NULL));
    /* an unknown witness's line is ignored; the known one is taken */
    CHECK_OK(tlog_note_sign_line(&other, t, tn, 5, &resp, NULL));
    CHECK_OK(tlog_note_sign_line(&wit, t, tn, 1700000000, &resp, NULL));
    int64_t when = 0;
    CHECK_OK(tlog_witness_cosignatures(wv, note.data, note.len, resp.data, resp.len, &out, &when, NULL));
    CHECK(when == 1700000000);
    CHECK(out.len > 0 && memcmp(out.data, "\xe2\x80\x94 w.example ", 14) == 0 && out.data[out.len - 1] == '\n');
    CHECK(memchr(out.data, '\n', out.len) == out.data + out.len - 1);
    /* only the unknown witness answered: no cosignature */
    rbuf_reset(&out);
    rbuf o1;
    rbuf_init(&o1, 4096);
    CHECK_OK(tlog_note_sign_line(&other, t, tn, 5, &o1, NULL));
    CHECK_RC(tlog_witness_cosignatures(wv, note.data, note.len, o1.data, o1.len, &out, &when, NULL), RAMPART_EBADSIG);
    /* a cosignature over another checkpoint: the known key's signature fails */
    rbuf o2;
    rbuf_init(&o2, 4096);
    CHECK_OK(tlog_note_sign_line(&wit, (const uint8_t *)"x\n", 2, 1, &o2, NULL));
    CHECK_RC(tlog_witness_cosignatures(wv, note.data, note.len, o2.data, o2.len, &out, &when, NULL), RAMPART_EBADSIG);
    /* not signature lines */
    CHECK_RC(tlog_witness_cosignatures(wv, note.data, note.len, (const uint8_t *)"hello\n", 6, &out, &when, NULL),
             RAMPART_EFORMAT);
    CHECK_RC(tlog_witness_cosignatures(wv, note.data, note.len, resp.data, resp.len - 1, &out, &when, NULL),
             RAMPART_EFORMAT);
    CHECK_INT(out.len, 0);
    rbuf_free(&o1);
    rbuf_free(&o2);
    rbuf_free(&note);
    rbuf_free(&resp);
    rbuf_free(&out);
    tlog_vkey_free(wv);
    rprivkey_free(lk);
    rprivkey_free(wk);
    rprivkey_free(ok);
}

int main(void)
{
    RUN(test_exact_bytes);
    RUN(test_escapes);
    RUN(test_cap);
    RUN(test_proof_file);
    RUN(test_witness_request);
    RUN(test_witness_cosignatures);
    return th_summary("test_tlog_entry");
}
