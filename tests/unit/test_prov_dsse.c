/* test_prov_dsse.c - DSSE envelopes: the specification's test vectors,
 * PAE, strict parsing, and threshold verification counted by key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "prov/prov.h"
#include "provtest.h"
#include "util/banned.h"

static uint8_t *read_vec(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/vectors/dsse/%s", RAMPART_TEST_DATA, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    uint8_t *buf = malloc(1 << 16);
    *len = buf ? fread(buf, 1, 1 << 16, f) : 0;
    fclose(f);
    return buf;
}

static rampart_public_key *tuf_key(const char *keytype, const char *scheme, const char *pub)
{
    rampart_public_key *k = NULL;
    if (rpub_new(&k, rslice_cstr(keytype), rslice_cstr(scheme), rslice_cstr(pub), NULL) != 0)
        return NULL;
    return k;
}

/* Hex of PAE(type, body) through the public API. */
static char *pae_hex(const char *type, const void *body, size_t n)
{
    unsigned char *p;
    size_t len;
    if (rampart_dsse_pae(type, body, n, &p, &len) != 0)
        return NULL;
    char *hex = malloc(2 * len + 1);
    rhex_encode(hex, p, len);
    rampart_string_free((char *)p);
    return hex;
}

/* protocol.md, "Test Vectors": ECDSA P-256, raw r||s signature. */
static void spec_vector(void)
{
    size_t n = 0, kn = 0;
    uint8_t *env = read_vec("spec-envelope.json", &n), *pem = read_vec("spec-ecdsa.pub.pem", &kn);
    CHECK(env != NULL && pem != NULL);
    pem[kn] = 0;
    rampart_public_key *k = tuf_key("ecdsa", "ecdsa-sha2-nistp256", (const char *)pem);
    rampart_dsse *d = NULL;
    rampart_error err = {0};
    int rc = rampart_dsse_parse(&d, env, n, &err);
    free(env);
    free(pem);
    CHECK(k != NULL);
    CHECK_OK(rc);
    CHECK_STR(rampart_dsse_payload_type(d), "http://example.com/HelloWorld");
    size_t pl = 0;
    const unsigned char *p = rampart_dsse_payload(d, &pl);
    CHECK_MEM(p, pl, "hello world", 11);
    CHECK_INT(rampart_dsse_signature_count(d), 1);
    CHECK_INT(d->sigs[0].siglen, 64);
    unsigned char *pae;
    size_t pael;
    CHECK_OK(rampart_dsse_pae("http://example.com/HelloWorld", p, pl, &pae, &pael));
    CHECK_MEM(pae, pael, "DSSEv1 29 http://example.com/HelloWorld 11 hello world", 54);
    rampart_string_free((char *)pae);
    const rampart_public_key *keys[] = {k};
    size_t valid = 0;
    rc = rampart_dsse_verify(d, keys, 1, 1, &valid, &err);
    /* A flipped payload byte: the same signature no longer verifies. */
    d->payload[0] ^= 1;
    int rc2 = rampart_dsse_verify(d, keys, 1, 1, NULL, &err);
    rampart_dsse_free(d);
    rampart_public_key_free(k);
    CHECK_OK(rc);
    CHECK_INT(valid, 1);
    CHECK_RC(rc2, RAMPART_EPROVSIG);
}

/* testvectors/vectors.json: RFC 8032 TEST 1 ("A") and TEST 2 ("B") keys. */
#define KEY_A "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define KEY_B "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
#define STMT "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ=="
#define SIG_A "2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA=="
#define SIG_B "c1+67/aT0yqEpwx8PsVY3MLHsj9D0CZ014/Fv/QlG59P+9CobUZ7xECJ/V3USG0Ob9CiE5LjReEZUzNF2l7eBw=="
#define PAE_STMT                                                                                                       \
    "445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203433207b225f74797065223a2268747470" \
    "73"                                                                                                               \
    "3a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d"

static const struct {
    const char *id, *envelope, *trusted, *supported, *pae;
    unsigned threshold;
    bool accept;
    const char *pae_type; /* the type the vector's PAE (and signature) covers, when not the envelope's */
} vectors[] = {
    {"single-signature",
     "{\"payload\":\"" STMT "\",\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[{\"sig\":\"" SIG_A
     "\",\"keyid\":\"A\"}]}",
     "A", "application/vnd.in-toto+json", PAE_STMT, 1, true, NULL},
    {"url-safe-base64",
     "{\"payload\":\"-_-_Pj8=\",\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[{\"sig\":\"P-_"
     "KHICeR7tI6S_YyejJTRtrXhcQyQ2LYPaL8h90KjC9qN8HU_svOQ6TuDOT1HIrsGW886DbWNWcCmX5twLrAw==\",\"keyid\":\"A\"}]}",
     "A", "application/vnd.in-toto+json",
     "445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203520fbffbf3e3f", 1, true, NULL},
    {"payload-type-swapped",
     "{\"payload\":\"" STMT
     "\",\"payloadType\":\"application/vnd.example.other+json\",\"signatures\":[{\"sig\":\"" SIG_A
     "\",\"keyid\":\"A\"}]}",
     "A", "application/vnd.in-toto+json|application/vnd.example.other+json", PAE_STMT, 1, false,
     "application/vnd.in-toto+json"},
    {"non-ascii-payload-type",
     "{\"payload\":\"" STMT "\",\"payloadType\":\"application/vnd.ex\xc3\xa4mple+json\",\"signatures\":[{\"sig\":"
     "\"xmSk/ug66ysT7ayhkCIjhAq42zgZXSsEWuzUaNL7w2eGAdF/NU6/fRXPtmfN+5DNSAs5/i2lUnHjbbjPsu0tAw==\",\"keyid\":\"A\"}]}",
     "A", "application/vnd.ex\xc3\xa4mple+json",
     "445353457631203239206170706c69636174696f6e2f766e642e6578c3a46d706c652b6a736f6e203433207b225f74797065223a226874747"
     "0"
     "733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d",
     1, true, NULL},
    {"empty-payload",
     "{\"payload\":\"\",\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[{\"sig\":"
     "\"gSggCAaTLTYyRH6FIDBem6meyIynsYy8RTHVzwx9tnTb7Bg/1jMWnuVgI/gffqmbsC2VX5/jHfkkDqsj7CDbDg==\",\"keyid\":\"A\"}]}",
     "A", "application/vnd.in-toto+json",
     "445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203020", 1, true, NULL},
    {"empty-payload-type",
     "{\"payload\":\"" STMT "\",\"payloadType\":\"\",\"signatures\":[{\"sig\":"
     "\"iC3q/+3Rm0+lpAJRueDmDh15PnwCfxKmS0NAfKsbv+zgulXQC/WM9trc+j1XEqlwDIg/vf/uNfebeD6sxInrDg==\",\"keyid\":\"A\"}]}",
     "A", "application/vnd.in-toto+json",
     "445353457631203020203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d",
     1, false, NULL},
    {"threshold-two-distinct-keys",
     "{\"payload\":\"" STMT "\",\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[{\"sig\":\"" SIG_A
     "\",\"keyid\":\"A\"},{\"sig\":\"" SIG_B "\",\"keyid\":\"B\"}]}",
     "AB", "application/vnd.in-toto+json", PAE_STMT, 2, true, NULL},
    {"threshold-two-one-key-twice",
     "{\"payload\":\"" STMT "\",\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[{\"sig\":\"" SIG_A
     "\",\"keyid\":\"A\"},{\"sig\":\"" SIG_A "\",\"keyid\":\"A\"}]}",
     "AB", "application/vnd.in-toto+json", PAE_STMT, 2, false, NULL},
    {"threshold-two-without-keyids",
     "{\"payload\":\"" STMT "\",\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[{\"sig\":\"" SIG_A
     "\"},{\"sig\":\"" SIG_B "\"}]}",
     "AB", "application/vnd.in-toto+json", PAE_STMT, 2, true, NULL},
};

/* True when `type` is one of the '|'-separated supported types. */
static bool supported(const char *list, const char *type)
{
    size_t n = strlen(type);
    for (const char *p = list; p != NULL; p = strchr(p, '|') ? strchr(p, '|') + 1 : NULL)
        if (strncmp(p, type, n) == 0 && (p[n] == '\0' || p[n] == '|') && n > 0)
            return true;
    return false;
}

static void repository_vectors(void)
{
    rampart_public_key *a = tuf_key("ed25519", "ed25519", KEY_A), *b = tuf_key("ed25519", "ed25519", KEY_B);
    CHECK(a != NULL && b != NULL);
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(vectors); i++) {
        rampart_dsse *d = NULL;
        rampart_error err = {0};
        if (rampart_dsse_parse(&d, vectors[i].envelope, strlen(vectors[i].envelope), &err) != 0) {
            TH_FAIL("%s: parse: %s", vectors[i].id, err.message);
            break;
        }
        size_t pl;
        const unsigned char *p = rampart_dsse_payload(d, &pl);
        const char *type = vectors[i].pae_type ? vectors[i].pae_type : rampart_dsse_payload_type(d);
        char *hex = pae_hex(type, p, pl);
        const rampart_public_key *keys[2] = {a, b};
        size_t nkeys = strlen(vectors[i].trusted);
        int rc = rampart_dsse_verify(d, keys, nkeys, vectors[i].threshold, NULL, &err);
        bool ok = rc == 0 && supported(vectors[i].supported, rampart_dsse_payload_type(d));
        if (hex == NULL || strcmp(hex, vectors[i].pae) != 0)
            TH_FAIL("%s: PAE %s, expected %s", vectors[i].id, hex ? hex : "?", vectors[i].pae);
        if (ok != vectors[i].accept)
            TH_FAIL("%s: %s, expected %s (%s)", vectors[i].id, ok ? "accepted" : "rejected",
                    vectors[i].accept ? "accept" : "reject", err.message);
        /* A signature failure is RAMPART_EPROVSIG, never another code. */
        if (rc != 0 && rc != RAMPART_EPROVSIG)
            TH_FAIL("%s: %s", vectors[i].id, rampart_error_name(rc));
        free(hex);
        rampart_dsse_free(d);
    }
    rampart_public_key_free(a);
    rampart_public_key_free(b);
}

static void pae_edges(void)
{
    char *h = pae_hex("", "", 0);
    CHECK_STR(h, "445353457631203020203020"); /* "DSSEv1 0  0 " */
    free(h);
    unsigned char *p;
    size_t n;
    static const char body[] = {'a', 0, 'b'};
    CHECK_OK(rampart_dsse_pae("t", body, 3, &p, &n));
    CHECK_MEM(p, n, "DSSEv1 1 t 3 a\0b", 16);
    rampart_string_free((char *)p);
    char big[1234];
    memset(big, 'x', sizeof(big));
    CHECK_OK(rampart_dsse_pae("type/with space", big, sizeof(big), &p, &n));
    CHECK_INT(n, 7 + 3 + 15 + 1 + 5 + sizeof(big));
    CHECK_MEM(p, 31, "DSSEv1 15 type/with space 1234 ", 31);
    rampart_string_free((char *)p);
    CHECK_RC(rampart_dsse_pae(NULL, "", 0, &p, &n), RAMPART_EINVAL);
    CHECK_RC(rampart_dsse_pae("t", NULL, 1, &p, &n), RAMPART_EINVAL);
}

static int parse_rc(const char *s, rampart_error *err)
{
    rampart_dsse *d = NULL;
    int rc = rampart_dsse_parse(&d, s, strlen(s), err);
    rampart_dsse_free(d);
    return rc;
}

static void parse_refusals(void)
{
    static const char *const bad[] = {
        "",
        "not json",
        "[]",
        "\"x\"",
        "{\"payload\":1}",
        "{\"payload\":\"a+b_\"}",                      /* both alphabets */
        "{\"payload\":\"QQ=\"}",                       /* bad padding */
        "{\"payload\":\"QR==\"}",                      /* non-zero unused bits */
        "{\"payload\":\"QQ==\",\"payload\":\"QQ==\"}", /* duplicate key */
        "{\"payloadType\":7}",
        "{\"payloadType\":null}",
        "{\"signatures\":{}}",
        "{\"signatures\":[1]}",
        "{\"signatures\":[{}]}",
        "{\"signatures\":[{\"keyid\":\"k\"}]}",
        "{\"signatures\":[{\"sig\":5}]}",
        "{\"signatures\":[{\"sig\":\"***\"}]}",
        "{\"signatures\":[{\"sig\":\"QQ==\",\"keyid\":1}]}",
        "{\"payload\":\"QQ==\"} trailing",
        "{\"payload\":1.5}",
        "{\"payloadType\":\"a\\u0000b\"}",
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(bad); i++) {
        rampart_error err = {0};
        int rc = parse_rc(bad[i], &err);
        if (rc != RAMPART_EPROVFORMAT)
            TH_FAIL("input %zu (%s): %s, expected RAMPART_EPROVFORMAT", i, bad[i], rampart_error_name(rc));
    }
    /* Numbers in members that are not read are accepted. */
    CHECK_OK(parse_rc("{\"payload\":\"QQ==\",\"x\":1.5,\"signatures\":[{\"sig\":\"QQ==\",\"t\":4e9}]}", NULL));
    /* A Sigstore bundle is not an unsigned envelope: it is not supported. */
    rampart_error serr = {0};
    CHECK_RC(parse_rc("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verificationMaterial\":{},"
                      "\"dsseEnvelope\":{\"payload\":\"QQ==\",\"payloadType\":\"x\",\"signatures\":[]}}",
                      &serr),
             RAMPART_EUNSUPPORTED);
    CHECK_STR(serr.message, "the attestation is a Sigstore bundle (application/vnd.dev.sigstore.bundle.v0.3+json), "
                            "which is not supported: give the DSSE envelope, signed with a key (docs/provenance.md)");
    /* Omitted fields read as empty (the envelope format allows it). */
    rampart_dsse *d = NULL;
    CHECK_OK(rampart_dsse_parse(&d, "{}", 2, NULL));
    CHECK_STR(rampart_dsse_payload_type(d), "");
    CHECK_INT(rampart_dsse_signature_count(d), 0);
    rampart_dsse_free(d);
    /* 16 signatures are accepted, 17 are not. */
    char buf[2048];
    size_t o = (size_t)snprintf(buf, sizeof(buf), "{\"signatures\":[");
    for (int i = 0; i < 17; i++)
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s{\"sig\":\"QQ==\"}", i ? "," : "");
    snprintf(buf + o, sizeof(buf) - o, "]}");
    CHECK_RC(parse_rc(buf, NULL), RAMPART_EPROVFORMAT);
    char *last = strrchr(buf, ',');
    memcpy(last, "]}", 3);
    CHECK_OK(parse_rc(buf, NULL));
    /* Size and length caps. */
    size_t big = RAMPART_ATTESTATION_MAX + 1;
    char *huge = malloc(big);
    memset(huge, ' ', big);
    huge[0] = '{';
    huge[big - 1] = '}';
    CHECK_RC(rampart_dsse_parse(&d, huge, big, NULL), RAMPART_EPROVFORMAT);
    memset(huge, 'a', 2000);
    memcpy(huge, "{\"payloadType\":\"", 16);
    memcpy(huge + 1041, "\"}", 3); /* 1025 bytes of type */
    rampart_error err = {0};
    int rc = rampart_dsse_parse(&d, huge, strlen(huge), &err);
    free(huge);
    CHECK_RC(rc, RAMPART_EPROVFORMAT);
    CHECK(strstr(err.message, "payloadType is over 1024 bytes") != NULL);
    CHECK_RC(rampart_dsse_parse(NULL, "{}", 2, NULL), RAMPART_EINVAL);
    CHECK_RC(rampart_dsse_parse(&d, NULL, 2, NULL), RAMPART_EINVAL);
}

/* Threshold counting with generated keys of every scheme. */
static void threshold(void)
{
    rprivkey *k[3] = {pt_gen(RKEY_ED25519), pt_gen(RKEY_ECDSA_P256), pt_gen(RKEY_RSA_PSS_SHA256)};
    rampart_public_key *pub[3] = {pt_pub(k[0]), pt_pub(k[1]), pt_pub(k[2])};
    rprivkey *signers[] = {k[0], k[1], k[2], k[0]};
    static const char body[] = "{\"x\":1}";
    char *all = pt_envelope("t", body, 7, signers, 3), *ab = pt_envelope("t", body, 7, signers, 2);
    char *aa = pt_envelope("t", body, 7, (rprivkey *[]){k[0], k[0]}, 2), *none = pt_envelope("t", body, 7, NULL, 0);
    rampart_dsse *d_all = NULL, *d_ab = NULL, *d_aa = NULL, *d_none = NULL;
    int prc = rampart_dsse_parse(&d_all, all, strlen(all), NULL) | rampart_dsse_parse(&d_ab, ab, strlen(ab), NULL) |
              rampart_dsse_parse(&d_aa, aa, strlen(aa), NULL) | rampart_dsse_parse(&d_none, none, strlen(none), NULL);
    const rampart_public_key *keys[3] = {pub[0], pub[1], pub[2]};
    const rampart_public_key *twice[2] = {pub[0], pub[0]};
    size_t v_all = 0, v_ab = 0, v_aa = 9;
    rampart_error err = {0}, err2 = {0};
    int r_all = rampart_dsse_verify(d_all, keys, 3, 3, &v_all, NULL);
    int r_ab = rampart_dsse_verify(d_ab, keys, 3, 2, &v_ab, NULL);
    int r_ab3 = rampart_dsse_verify(d_ab, keys, 3, 3, NULL, &err);
    int r_aa = rampart_dsse_verify(d_aa, keys, 3, 2, &v_aa, NULL);
    int r_twice = rampart_dsse_verify(d_all, twice, 2, 2, NULL, NULL);
    int r_none = rampart_dsse_verify(d_none, keys, 3, 1, NULL, &err2);
    int r_inval = rampart_dsse_verify(d_all, keys, 3, 0, NULL, NULL) == RAMPART_EINVAL &&
                  rampart_dsse_verify(d_all, keys, 3, 4, NULL, NULL) == RAMPART_EINVAL &&
                  rampart_dsse_verify(d_all, keys, 0, 1, NULL, NULL) == RAMPART_EINVAL &&
                  rampart_dsse_verify(NULL, keys, 3, 1, NULL, NULL) == RAMPART_EINVAL;
    /* A bad signature beside good ones is ignored. */
    d_all->sigs[0].sig[3] ^= 0x40;
    int r_bad = rampart_dsse_verify(d_all, keys, 3, 2, NULL, NULL);
    int r_bad3 = rampart_dsse_verify(d_all, keys, 3, 3, NULL, NULL);
    rampart_dsse_free(d_all);
    rampart_dsse_free(d_ab);
    rampart_dsse_free(d_aa);
    rampart_dsse_free(d_none);
    free(all);
    free(ab);
    free(aa);
    free(none);
    for (int i = 0; i < 3; i++) {
        rprivkey_free(k[i]);
        rampart_public_key_free(pub[i]);
    }
    CHECK_OK(prc);
    CHECK_OK(r_all);
    CHECK_INT(v_all, 3);
    CHECK_OK(r_ab);
    CHECK_INT(v_ab, 2);
    CHECK_RC(r_ab3, RAMPART_EPROVSIG);
    CHECK_STR(err.message, "the envelope is signed by 2 of the 3 keys required");
    CHECK_RC(r_aa, RAMPART_EPROVSIG);
    CHECK_INT(v_aa, 9); /* untouched on failure */
    CHECK_RC(r_twice, RAMPART_EPROVSIG);
    CHECK_RC(r_none, RAMPART_EPROVSIG);
    CHECK_STR(err2.message, "the envelope is unsigned (0 of 1 keys)");
    CHECK(r_inval);
    CHECK_OK(r_bad);
    CHECK_RC(r_bad3, RAMPART_EPROVSIG);
}

/* ECDSA signatures as DER and as raw r||s both verify. */
static void ecdsa_raw(void)
{
    uint8_t raw[64], der[RDSSE_DER_MAX];
    size_t n;
    memset(raw, 0, 32);
    raw[31] = 5;
    memset(raw + 32, 0x80, 32);
    rdsse_raw_to_der(raw, der, &n);
    static const uint8_t want_head[] = {0x30, 0x26, 0x02, 0x01, 0x05, 0x02, 0x21, 0x00, 0x80};
    CHECK_INT(n, 2 + 3 + 35);
    CHECK_MEM(der, sizeof(want_head), want_head, sizeof(want_head));
    memset(raw, 0, 64);
    rdsse_raw_to_der(raw, der, &n);
    CHECK_MEM(der, n, "\x30\x06\x02\x01\x00\x02\x01\x00", 8);
    /* A generated key's DER signature, turned into r||s by hand, still verifies. */
    rprivkey *k = pt_gen(RKEY_ECDSA_P256);
    rampart_public_key *pub = pt_pub(k);
    char *env = pt_envelope("t", "body", 4, &k, 1);
    rampart_dsse *d = NULL;
    CHECK_OK(rampart_dsse_parse(&d, env, strlen(env), NULL));
    free(env);
    const uint8_t *s = d->sigs[0].sig;
    uint8_t rs[64] = {0};
    size_t rl = s[3], sl = s[5 + rl];
    memcpy(rs + 32 - (rl > 32 ? 32 : rl), s + 4 + (rl > 32 ? rl - 32 : 0), rl > 32 ? 32 : rl);
    memcpy(rs + 64 - (sl > 32 ? 32 : sl), s + 6 + rl + (sl > 32 ? sl - 32 : 0), sl > 32 ? 32 : sl);
    memcpy(d->sigs[0].sig, rs, 64);
    d->sigs[0].siglen = 64;
    const rampart_public_key *keys[] = {pub};
    int rc = rampart_dsse_verify(d, keys, 1, 1, NULL, NULL);
    rs[10] ^= 1;
    memcpy(d->sigs[0].sig, rs, 64);
    int rc_bad = rampart_dsse_verify(d, keys, 1, 1, NULL, NULL);
    rampart_dsse_free(d);
    rampart_public_key_free(pub);
    rprivkey_free(k);
    CHECK_OK(rc);
    CHECK_RC(rc_bad, RAMPART_EPROVSIG);
}

int main(void)
{
    RUN(spec_vector);
    RUN(repository_vectors);
    RUN(pae_edges);
    RUN(parse_refusals);
    RUN(threshold);
    RUN(ecdsa_raw);
    return th_summary("test_prov_dsse");
}
