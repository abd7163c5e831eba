/*
 * fuzz_tlog_note.c - C2SP signed notes and checkpoints (src/tlog/note.c,
 * checkpoint.c).
 *
 * tlog_note: the input is a signed note.  Invariants:
 *  - tlog_note_parse returns 0, EFORMAT or ETOOLARGE, *out untouched on
 *    failure;
 *  - a parsed note is what its bytes say: the text ends in a newline and is
 *    followed by a blank line, and writing each signature line again
 *    ("— name base64(id || sig)\n") after it gives the input back exactly;
 *  - verification with the signed-note example key (and a cosigner key
 *    under the same name) ends in 0 or EBADSIG, and 0 only when a line
 *    carries that key's name and ID;
 *  - the text as a checkpoint: as below.
 * tlog_checkpoint (FUZZ_TLOG_CHECKPOINT): the input is a checkpoint text.
 *  - tlog_checkpoint_parse returns 0 or EFORMAT, *out untouched on failure;
 *  - a parsed checkpoint has lines origin, size, root: formatting them
 *    again gives the text up to its extension lines (when the origin is a
 *    valid key name), and the extension lines are non-empty.
 */
#include "fuzz_common.h"
#include "tlog/note.h"
#include "util/codec.h"
#include "util/banned.h"

#define SPEC_VKEY "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"

static void check_checkpoint(const uint8_t *p, size_t n)
{
    tlog_checkpoint c;
    memset(&c, 0x5a, sizeof(c));
    int rc = tlog_checkpoint_parse(p, n, &c, NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT);
    if (rc != 0) {
        FUZZ_CHECK(c.size == 0x5a5a5a5a5a5a5a5aULL);
        return;
    }
    FUZZ_CHECK(c.origin_len > 0 && c.next_off <= n && p[n - 1] == '\n');
    if (tlog_name_valid(c.origin, c.origin_len) && memchr(c.origin, 0, c.origin_len) == NULL) {
        rbuf b;
        rbuf_init(&b, 1024);
        char origin[TLOG_NAME_MAX + 1];
        memcpy(origin, c.origin, c.origin_len);
        origin[c.origin_len] = 0;
        FUZZ_CHECK(tlog_checkpoint_format(origin, c.size, &c.root, &b, NULL) == 0);
        FUZZ_CHECK(b.len == c.next_off && memcmp(b.data, p, b.len) == 0);
        rbuf_free(&b);
    }
    for (size_t i = c.next_off; i < n; i++)
        FUZZ_CHECK(!(p[i] == '\n' && (i == c.next_off || p[i - 1] == '\n')));
}

#ifndef FUZZ_TLOG_CHECKPOINT
static tlog_vkey *spec_key, *cosig_key;

static void setup(void)
{
    if (spec_key != NULL)
        return;
    FUZZ_CHECK(tlog_vkey_parse(&spec_key, SPEC_VKEY, strlen(SPEC_VKEY), NULL) == 0);
    /* The same public key as a cosigner (type 0x04, another key ID). */
    uint8_t raw[1 + TLOG_ED25519_LEN] = {TLOG_SIG_COSIGN_V1};
    memcpy(raw + 1, spec_key->pub, TLOG_ED25519_LEN);
    uint32_t id;
    FUZZ_CHECK(tlog_key_id("example.com/foo", 15, TLOG_SIG_COSIGN_V1, spec_key->pub, TLOG_ED25519_LEN, &id) == 0);
    rbuf b;
    rbuf_init(&b, 256);
    FUZZ_CHECK(rbuf_appendf(&b, "example.com/foo+%08x+", (unsigned)id) == 0);
    FUZZ_CHECK(rb64_encode(&b, raw, sizeof(raw), RB64_STD) == 0);
    FUZZ_CHECK(tlog_vkey_parse(&cosig_key, (const char *)b.data, b.len, NULL) == 0);
    rbuf_free(&b);
}

/* The note written again from its parts. */
static void check_roundtrip(const tlog_note *nt, const uint8_t *p, size_t n)
{
    rbuf b;
    rbuf_init(&b, 2 * TLOG_NOTE_MAX);
    FUZZ_CHECK(nt->text_len >= 1 && nt->data[nt->text_len - 1] == '\n');
    FUZZ_CHECK(nt->nsig >= 1 && nt->nsig <= TLOG_NOTE_MAX_SIGS);
    FUZZ_CHECK(rbuf_append(&b, nt->data, nt->text_len) == 0 && rbuf_append_byte(&b, '\n') == 0);
    for (size_t i = 0; i < nt->nsig; i++) {
        const tlog_note_sig *s = &nt->sigs[i];
        uint8_t sig[TLOG_NOTE_MAX];
        FUZZ_CHECK(s->sig_len + 4 <= sizeof(sig));
        for (int k = 0; k < 4; k++)
            sig[k] = (uint8_t)(s->id >> (24 - 8 * k));
        memcpy(sig + 4, nt->sigbytes + s->sig_off, s->sig_len);
        FUZZ_CHECK(rbuf_append_str(&b, "\xe2\x80\x94 ") == 0);
        FUZZ_CHECK(tlog_name_valid((const char *)nt->data + s->name_off, s->name_len));
        FUZZ_CHECK(rbuf_append(&b, nt->data + s->name_off, s->name_len) == 0 && rbuf_append_byte(&b, ' ') == 0);
        FUZZ_CHECK(rb64_encode(&b, sig, s->sig_len + 4, RB64_STD) == 0 && rbuf_append_byte(&b, '\n') == 0);
    }
    FUZZ_CHECK(b.len == n && memcmp(b.data, p, n) == 0);
    rbuf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    tlog_note *nt = (tlog_note *)(uintptr_t)1;
    int rc = tlog_note_parse(&nt, data, size, NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT || rc == RAMPART_ETOOLARGE);
    if (rc != 0) {
        FUZZ_CHECK(nt == (tlog_note *)(uintptr_t)1);
        return 0;
    }
    check_roundtrip(nt, data, size);
    const tlog_vkey *keys[2] = {spec_key, cosig_key};
    tlog_note_verdict v[2];
    rc = tlog_note_verify(nt, keys, 2, v, NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EBADSIG);
    if (rc == 0) {
        bool named = false;
        for (size_t i = 0; i < nt->nsig; i++)
            named = named || (nt->sigs[i].name_len == 15 &&
                              memcmp(nt->data + nt->sigs[i].name_off, "example.com/foo", 15) == 0 &&
                              (nt->sigs[i].id == spec_key->id || nt->sigs[i].id == cosig_key->id));
        FUZZ_CHECK(named && (v[0].verified || v[1].verified));
    }
    check_checkpoint(nt->data, nt->text_len);
    tlog_note_free(nt);
    return 0;
}
#else
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_checkpoint(data, size);
    return 0;
}
#endif
