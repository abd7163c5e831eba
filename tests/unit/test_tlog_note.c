/* test_tlog_note.c - C2SP signed notes, verifier keys, checkpoints and
 * cosignatures (src/tlog/note.c, checkpoint.c): the examples of the specs,
 * round trips, and every MUST as a refusal with its exact code. */
#include <string.h>

#include "harness.h"
#include "keys/keys.h"
#include "tlog/note.h"
#include "util/codec.h"
#include "util/banned.h"

#define SPEC_VKEY "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
#define SPEC_NOTE                                                                                                      \
    "This is an example message.\n\n"                                                                                  \
    "\xe2\x80\x94 example.com/foo "                                                                                    \
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"

static int parse_str(tlog_note **nt, const char *s)
{
    return tlog_note_parse(nt, (const uint8_t *)s, strlen(s), NULL);
}

static int vkey_str(tlog_vkey **k, const char *s)
{
    return tlog_vkey_parse(k, s, strlen(s), NULL);
}

/* Parses and verifies `s` with one key; the code of the first failure. */
static int open_with(const char *s, const tlog_vkey *k, tlog_note_verdict *v)
{
    tlog_note *nt = NULL;
    int rc = parse_str(&nt, s);
    if (rc != 0)
        return rc;
    rc = tlog_note_verify(nt, &k, 1, v, NULL);
    tlog_note_free(nt);
    return rc;
}

static void test_spec_example(void)
{
    tlog_vkey *k = NULL;
    CHECK_OK(vkey_str(&k, SPEC_VKEY));
    CHECK_INT(k->id, 0x530d903a);
    CHECK_INT(k->type, TLOG_SIG_ED25519);
    rbuf b;
    rbuf_init(&b, 256);
    CHECK_OK(tlog_vkey_format(k, &b));
    CHECK_STR((char *)b.data, SPEC_VKEY);
    rbuf_free(&b);
    tlog_note_verdict v = {false, 7};
    CHECK_OK(open_with(SPEC_NOTE, k, &v));
    CHECK(v.verified);
    CHECK_INT(v.timestamp, 0);
    /* One changed byte of the text: a known key's signature fails. */
    char bad[] = SPEC_NOTE;
    bad[0] = 't';
    CHECK_RC(open_with(bad, k, &v), RAMPART_EBADSIG);
    tlog_vkey_free(k);
}

static void test_vkey_refusals(void)
{
    static const struct {
        const char *s;
        int rc;
    } v[] = {
        {"example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", RAMPART_EFORMAT}, /* ID */
        {"example.com/fo0+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", RAMPART_EFORMAT}, /* name */
        {"example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", RAMPART_EFORMAT}, /* case */
        {"example.com/foo+530d903a+AkyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", RAMPART_EFORMAT},  /* base64 */
        {"example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2kAA==", RAMPART_EFORMAT},
        {"example.com/foo+530d903a", RAMPART_EFORMAT},
        {"+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", RAMPART_EFORMAT},
        {"exa mple+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", RAMPART_EFORMAT},
        /* Type 0x02 (ECDSA) is not supported. */
        {"example.com/foo+530d903a+AkyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", RAMPART_EFORMAT},
        {"example.com/foo+530d903a+AskyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", RAMPART_EUNSUPPORTED},
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(v); i++) {
        tlog_vkey *k = NULL;
        int rc = vkey_str(&k, v[i].s);
        if (rc != v[i].rc)
            TH_FAIL("vkey %zu: %s, expected %s", i, rampart_error_name(rc), rampart_error_name(v[i].rc));
        CHECK(k == NULL);
    }
    /* Key names: no spaces (Unicode's too), no '+', valid UTF-8. */
    CHECK(tlog_name_valid("example.com/log", 15));
    CHECK(tlog_name_valid("\xc3\xa8", 2));
    CHECK(!tlog_name_valid("a b", 3));
    CHECK(!tlog_name_valid("a\xc2\xa0"
                           "b",
                           4));
    CHECK(!tlog_name_valid("a\xe3\x80\x80", 4));
    CHECK(!tlog_name_valid("a+b", 3));
    CHECK(!tlog_name_valid("a\tb", 3));
    CHECK(!tlog_name_valid("\xc0\xaf", 2));
    CHECK(!tlog_name_valid("", 0));
}

struct keys {
    rprivkey *k[20];
    tlog_signer s[20];
    tlog_vkey *v[20];
};

static int make_keys(struct keys *ks, size_t n, uint8_t type)
{
    for (size_t i = 0; i < n; i++) {
        char name[64];
        (void)snprintf(name, sizeof(name), "example.com/k%zu", i); /* fits */
        int rc = rprivkey_generate(&ks->k[i], RKEY_ED25519, 0, NULL);
        if (rc == 0)
            rc = tlog_signer_init(&ks->s[i], name, type, ks->k[i], NULL);
        if (rc == 0)
            rc = tlog_signer_vkey(&ks->s[i], &ks->v[i], NULL);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static void free_keys(struct keys *ks, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rprivkey_free(ks->k[i]);
        tlog_vkey_free(ks->v[i]);
    }
}

static const char text[] = "example.com/log\n42\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

/* signed-note: unknown signers are ignored (same name or same ID is not
 * enough), at least 16 signatures are accepted, a known key's bad
 * signature rejects the note, no known signature rejects it. */
static void test_sign_verify_rules(void)
{
    static struct keys ks;
    CHECK_OK(make_keys(&ks, 17, TLOG_SIG_ED25519));
    rbuf note;
    rbuf_init(&note, TLOG_NOTE_MAX);
    CHECK_OK(rbuf_append_str(&note, text));
    CHECK_OK(rbuf_append_byte(&note, '\n'));
    for (size_t i = 0; i < 17; i++)
        CHECK_OK(tlog_note_sign_line(&ks.s[i], (const uint8_t *)text, strlen(text), 0, &note, NULL));
    tlog_note *nt = NULL;
    CHECK_OK(tlog_note_parse(&nt, note.data, note.len, NULL));
    CHECK_INT(nt->nsig, 17);
    CHECK_INT(nt->text_len, strlen(text));
    tlog_note_verdict v[17];
    CHECK_OK(tlog_note_verify(nt, (const tlog_vkey *const *)ks.v, 17, v, NULL));
    for (size_t i = 0; i < 17; i++)
        CHECK(v[i].verified);
    /* Only the last key known: the other 16 lines are ignored. */
    CHECK_OK(tlog_note_verify(nt, (const tlog_vkey *const *)&ks.v[16], 1, v, NULL));
    CHECK(v[0].verified);
    /* A key with the name of a signer but another ID, and one with the ID
     * of a signer but another name: both unknown, so nothing verifies. */
    tlog_vkey same_name = *ks.v[0], same_id = *ks.v[0];
    same_name.id ^= 1;
    same_id.name[0] = 'X';
    const tlog_vkey *pair[2] = {&same_name, &same_id};
    CHECK_RC(tlog_note_verify(nt, pair, 2, v, NULL), RAMPART_EBADSIG);
    CHECK_RC(tlog_note_verify(nt, pair, 0, v, NULL), RAMPART_EBADSIG);
    tlog_note_free(nt);
    /* A known key whose line carries another key's signature fails the
     * whole note, even beside a good one. */
    rbuf forged;
    rbuf_init(&forged, TLOG_NOTE_MAX);
    CHECK_OK(rbuf_append(&forged, note.data, note.len));
    tlog_signer imp = ks.s[1];
    imp.key = ks.k[2];
    CHECK_OK(tlog_note_sign_line(&imp, (const uint8_t *)text, strlen(text), 0, &forged, NULL));
    CHECK_OK(tlog_note_parse(&nt, forged.data, forged.len, NULL));
    CHECK_RC(tlog_note_verify(nt, (const tlog_vkey *const *)ks.v, 2, v, NULL), RAMPART_EBADSIG);
    tlog_note_free(nt);
    rbuf_free(&forged);
    /* At most TLOG_NOTE_MAX_SIGS lines. */
    for (size_t i = 17; i < TLOG_NOTE_MAX_SIGS; i++)
        CHECK_OK(tlog_note_sign_line(&ks.s[i % 17], (const uint8_t *)text, strlen(text), 0, &note, NULL));
    CHECK_OK(tlog_note_parse(&nt, note.data, note.len, NULL));
    tlog_note_free(nt);
    CHECK_OK(tlog_note_sign_line(&ks.s[0], (const uint8_t *)text, strlen(text), 0, &note, NULL));
    nt = NULL;
    CHECK_RC(tlog_note_parse(&nt, note.data, note.len, NULL), RAMPART_ETOOLARGE);
    CHECK(nt == NULL);
    rbuf_free(&note);
    free_keys(&ks, 17);
}

static void test_parse_refusals(void)
{
    static const char *const bad[] = {
        "no blank line\n\xe2\x80\x94 a AAAAAAAA\n",
        "text\n\n\xe2\x80\x94 a AAAAAAAA",               /* no final newline */
        "text\n\n",                                      /* no signature */
        "text\n\n- a AAAAAAAA\n",                        /* not an em dash */
        "text\n\n\xe2\x80\x94 a+b AAAAAAAA\n",           /* '+' in a name */
        "text\n\n\xe2\x80\x94  AAAAAAAA\n",              /* empty name */
        "text\n\n\xe2\x80\x94 a AAA=\n",                 /* under 4 bytes */
        "text\n\n\xe2\x80\x94 a AAAAAAAA!\n",            /* not base64 */
        "text\n\n\xe2\x80\x94 a AAAAAAAA\n\n",           /* blank line at the end */
        "te\txt\n\n\xe2\x80\x94 a AAAAAAAA\n",           /* control character */
        "te\rxt\n\n\xe2\x80\x94 a AAAAAAAA\n",           /* control character */
        "te\xffxt\n\n\xe2\x80\x94 a AAAAAAAA\n",         /* not UTF-8 */
        "te\xed\xa0\x80xt\n\n\xe2\x80\x94 a AAAAAAAA\n", /* a surrogate */
        "text\n\n\xe2\x80\x94 a AAAAAAAA\nnot a sig\n",  /* junk line */
        "\n\xe2\x80\x94 a AAAAAAAA\n",                   /* no text */
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(bad); i++) {
        tlog_note *nt = NULL;
        int rc = parse_str(&nt, bad[i]);
        if (rc != RAMPART_EFORMAT)
            TH_FAIL("note %zu: %s, expected RAMPART_EFORMAT", i, rampart_error_name(rc));
        CHECK(nt == NULL);
    }
    /* The text may hold blank lines: the last one separates. */
    tlog_note *nt = NULL;
    CHECK_OK(parse_str(&nt, "a\n\nb\n\n\xe2\x80\x94 k AAAAAAAA\n"));
    CHECK_INT(nt->text_len, 5);
    CHECK_INT(nt->nsig, 1);
    tlog_note_free(nt);
    static uint8_t big[TLOG_NOTE_MAX + 1];
    CHECK_RC(tlog_note_parse(&nt, big, sizeof(big), NULL), RAMPART_ETOOLARGE);
}

/* tlog-cosignature v1: the signed message, the timestamp, type 0x04. */
static void test_cosignature(void)
{
    static struct keys ks, logk;
    CHECK_OK(make_keys(&ks, 2, TLOG_SIG_COSIGN_V1));
    CHECK_OK(make_keys(&logk, 1, TLOG_SIG_ED25519));
    /* The same key as log key and as cosigner has two IDs. */
    tlog_signer as_cosigner;
    CHECK_OK(tlog_signer_init(&as_cosigner, "example.com/k0", TLOG_SIG_COSIGN_V1, logk.k[0], NULL));
    CHECK(as_cosigner.id != logk.s[0].id);
    rbuf note;
    rbuf_init(&note, TLOG_NOTE_MAX);
    CHECK_OK(rbuf_append_str(&note, text));
    CHECK_OK(rbuf_append_byte(&note, '\n'));
    CHECK_OK(tlog_note_sign_line(&logk.s[0], (const uint8_t *)text, strlen(text), 0, &note, NULL));
    CHECK_OK(tlog_note_sign_line(&ks.s[0], (const uint8_t *)text, strlen(text), 1679315147, &note, NULL));
    CHECK_OK(tlog_note_sign_line(&ks.s[1], (const uint8_t *)text, strlen(text), INT64_MAX, &note, NULL));
    CHECK_RC(tlog_note_sign_line(&ks.s[1], (const uint8_t *)text, strlen(text), -1, &note, NULL), RAMPART_EINVAL);
    tlog_note *nt = NULL;
    CHECK_OK(tlog_note_parse(&nt, note.data, note.len, NULL));
    const tlog_vkey *all[3] = {logk.v[0], ks.v[0], ks.v[1]};
    tlog_note_verdict v[3];
    CHECK_OK(tlog_note_verify(nt, all, 3, v, NULL));
    CHECK(v[0].verified && v[1].verified && v[2].verified);
    CHECK_INT(v[0].timestamp, 0);
    CHECK_INT(v[1].timestamp, 1679315147);
    CHECK(v[2].timestamp == INT64_MAX);
    /* The cosignature signs "cosignature/v1\ntime T\n" || text. */
    const uint8_t *sig = nt->sigbytes + nt->sigs[1].sig_off;
    CHECK_INT(nt->sigs[1].sig_len, 72);
    rbuf msg;
    rbuf_init(&msg, 1024);
    CHECK_OK(rbuf_appendf(&msg, "cosignature/v1\ntime 1679315147\n%s", text));
    CHECK_OK(rkey_verify(ks.v[0]->key, sig + 8, 64, msg.data, msg.len));
    rbuf_free(&msg);
    /* A cosigner's key under the log's type is another key: not known. */
    tlog_vkey as_log = *ks.v[0];
    as_log.type = TLOG_SIG_ED25519;
    const tlog_vkey *one[1] = {&as_log};
    CHECK_RC(tlog_note_verify(nt, one, 1, v, NULL), RAMPART_EBADSIG);
    tlog_note_free(nt);
    /* A timestamp over 2^63-1 is refused even with a valid signature
     * (signed over the decimal a broken cosigner would write). */
    rbuf forged;
    rbuf_init(&forged, TLOG_NOTE_MAX);
    CHECK_OK(rbuf_append_str(&forged, text));
    CHECK_OK(rbuf_append_byte(&forged, '\n'));
    rbuf m2, s2;
    rbuf_init(&m2, 1024);
    rbuf_init(&s2, 128);
    CHECK_OK(rbuf_appendf(&m2, "cosignature/v1\ntime 9223372036854775808\n%s", text));
    uint8_t head[12] = {(uint8_t)(ks.s[0].id >> 24),
                        (uint8_t)(ks.s[0].id >> 16),
                        (uint8_t)(ks.s[0].id >> 8),
                        (uint8_t)ks.s[0].id,
                        0x80,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0};
    CHECK_OK(rbuf_append(&s2, head, 12));
    CHECK_OK(rprivkey_sign(ks.k[0], m2.data, m2.len, &s2, NULL));
    CHECK_OK(rbuf_append_str(&forged, "\xe2\x80\x94 example.com/k0 "));
    CHECK_OK(rb64_encode(&forged, s2.data, s2.len, RB64_STD));
    CHECK_OK(rbuf_append_byte(&forged, '\n'));
    CHECK_OK(tlog_note_parse(&nt, forged.data, forged.len, NULL));
    CHECK_RC(tlog_note_verify(nt, (const tlog_vkey *const *)ks.v, 1, v, NULL), RAMPART_EBADSIG);
    tlog_note_free(nt);
    rbuf_free(&m2);
    rbuf_free(&s2);
    rbuf_free(&forged);
    rbuf_free(&note);
    free_keys(&ks, 2);
    free_keys(&logk, 1);
}

static void test_checkpoint(void)
{
    tlog_checkpoint c;
    /* The example of tlog-cosignature. */
    static const char cp[] = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    CHECK_OK(tlog_checkpoint_parse((const uint8_t *)cp, strlen(cp), &c, NULL));
    CHECK_INT(c.origin_len, 27);
    CHECK_MEM(c.origin, 27, "example.com/behind-the-sofa", 27);
    CHECK_INT(c.size, 20852163);
    CHECK_INT(c.root.b[0], 0x0a);
    CHECK_INT(c.next_off, strlen(cp));
    rbuf b;
    rbuf_init(&b, 1024);
    CHECK_OK(tlog_checkpoint_format("example.com/behind-the-sofa", 20852163, &c.root, &b, NULL));
    CHECK_STR((char *)b.data, cp);
    rbuf_free(&b);
    static const char ext[] = "o\n0\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\nx\ny y\n";
    CHECK_OK(tlog_checkpoint_parse((const uint8_t *)ext, strlen(ext), &c, NULL));
    CHECK_INT(c.size, 0);
    CHECK_INT(c.next_off, strlen(ext) - 6);
    CHECK_OK(tlog_checkpoint_parse(
        (const uint8_t *)"o\n18446744073709551615\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", 68, &c, NULL));
    CHECK(c.size == UINT64_MAX);
    static const char *const bad[] = {
        "o\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n18446744073709551616\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n1 \nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2\n",
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\nx\n\ny\n",
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\nx",
        "o\n1\n",
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(bad); i++) {
        c.size = 77;
        int rc = tlog_checkpoint_parse((const uint8_t *)bad[i], strlen(bad[i]), &c, NULL);
        if (rc != RAMPART_EFORMAT)
            TH_FAIL("checkpoint %zu: %s, expected RAMPART_EFORMAT", i, rampart_error_name(rc));
        CHECK_INT(c.size, 77);
    }
    rbuf_init(&b, 1024);
    CHECK_RC(tlog_checkpoint_format("a b", 1, &c.root, &b, NULL), RAMPART_EINVAL);
    CHECK_INT(b.len, 0);
    rbuf_free(&b);
}

int main(void)
{
    RUN(test_spec_example);
    RUN(test_vkey_refusals);
    RUN(test_sign_verify_rules);
    RUN(test_parse_refusals);
    RUN(test_cosignature);
    RUN(test_checkpoint);
    return th_summary("test_tlog_note");
}
