/*
 * selftest.c - rampart_selftest(): known-answer checks of the building
 * blocks an update's verification rests on, run in the field (the demo and
 * `rampart selftest` call it) to catch a broken crypto backend or build:
 * SHA-256/512, a signature of each supported scheme (valid and tampered),
 * both canonical JSON writers, and a signed-metadata round trip.
 */
#include <string.h>

#include "crypto/hash.h"
#include "keys/keys.h"
#include "rampart/version.h"
#include "tuf/md.h"
#include "util/codec.h"
#include "util/jdoc.h"
#include "util/json.h"
#include "util/banned.h"

static const char kat_msg[] = "rampart selftest";

/* RFC 8032 §7.1 TEST 1: empty message. */
static const char ed_pub[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
static const char ed_sig[] = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                             "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

/* Generated once with the openssl CLI over kat_msg (docs/internals/selftest.md shows how to check them). */
static const char ec_pub[] = "-----BEGIN PUBLIC KEY-----\n"
                             "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1cXAQLHEv9XD5PnUayW7M6abFGga\n"
                             "CVcKvbCkxgsuzqTurpFao6cz44/chtT2koVnEA5XDHMe4nuodz1mWiLp5g==\n"
                             "-----END PUBLIC KEY-----\n";
static const char ec_sig[] = "30440220108e7c98cb93f4d3f665bcada23e764ef26709489c0f2f5e651a55e220072c750220373e9a249cdc"
                             "2e86b03118d9cfee3b244877ab60ba360acf94061380e014323a";
static const char rsa_pub[] = "-----BEGIN PUBLIC KEY-----\n"
                              "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtCF+ytzniYJCQENUUdIt\n"
                              "budGiGA4VT4Pb9LbwQw60DbOYN4FBSQ8oVLNFWwzs1GIIIKLYzAhzuX/DzCtdh1m\n"
                              "DHe/drS2EMKbxDzKxfZDxsg02p/ImLex/dlHOEYGgaJu9vAbeXHH1Bmm+ADUtz6z\n"
                              "A4t7byD7TUZVR3CtvCQqZ49ARmuA29Z5/BxFs5I4gTuqRKe0Xt5mIqaBaqummlYz\n"
                              "sz5d9L/xB2/dc/Fjnn/ckFb/ROoT/EbMG6OoJUaG7khlhYTSnz40DMAM4A9EM+zb\n"
                              "acyB9WcmwZ/TXJJNi5wR6x9shBpBgYqpw1CmzcV8GdQ5tnTFKsoxHiiYcw0YaS5Y\n"
                              "awIDAQAB\n"
                              "-----END PUBLIC KEY-----\n";
static const char rsa_sig[] =
    "0f941605d5215b63a0653cea208b04a0041763cc6fabd459a8a0ef2cee0789350218bec09d67531ad86f6d19d220a27817aeefbcaa47c2"
    "091754d682ade46186491c76656bc3fd779ca018e25a71a471e5c85c28cd42f133b216a8ad6bb7b26a9c61936547acc1de6a037b824aae"
    "66b1929d0b976a24cae369e9ce7e35bd281571012cde1a035593333081a3381fd60de876ee2a0667331d1e8c4b41698d45c1214da1fe4a"
    "6ee2477947cd0e7f258eed67050f3fe8652ce7875675cc15d9da27fcd657c4602f61f09a035769fe0aca5951d63fdf2b861dc212f75704f"
    "cfc26a68775625c5092360f22389c53fa628c9a039ff99445f4e49efba82e09d988a2b5";

static int check_hashes(rerr *e)
{
    static const struct {
        rhash_alg alg;
        const char *hex;
    } kat[] = {
        {RHASH_SHA256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {RHASH_SHA512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                       "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(kat); i++) {
        uint8_t d[RHASH_MAX_LEN];
        char hex[2 * RHASH_MAX_LEN + 1];
        if (rhash_digest(kat[i].alg, "abc", 3, d) != 0)
            return rerr_set(e, RAMPART_ECRYPTO, NULL, "selftest: %s failed", rhash_alg_name(kat[i].alg));
        rhex_encode(hex, d, rhash_len(kat[i].alg));
        if (strcmp(hex, kat[i].hex) != 0)
            return rerr_set(e, RAMPART_ECRYPTO, NULL, "selftest: wrong %s of \"abc\"", rhash_alg_name(kat[i].alg));
    }
    return 0;
}

/* The signature must verify over msg and must not over msg with one byte changed. */
static int check_sig(const char *kt, const char *scheme, const char *pub, const char *sighex, const char *msg,
                     size_t msglen, rerr *e)
{
    uint8_t sig[512], bad[64];
    size_t siglen;
    rkey *k = NULL;
    if (rhex_decode(sig, sizeof(sig), &siglen, sighex, strlen(sighex)) != 0 ||
        rkey_from_tuf(&k, rslice_cstr(kt), rslice_cstr(scheme), rslice_cstr(pub), e) != 0)
        return rerr_set(e, RAMPART_ECRYPTO, NULL, "selftest: cannot load the %s known-answer key", scheme);
    int rc = rkey_verify(k, sig, siglen, (const uint8_t *)msg, msglen);
    if (rc != 0) {
        rkey_free(k);
        return rerr_set(e, RAMPART_ECRYPTO, NULL, "selftest: %s known-answer signature does not verify", scheme);
    }
    if (msglen > 0 && msglen <= sizeof(bad)) {
        memcpy(bad, msg, msglen);
        bad[0] ^= 1;
        rc = rkey_verify(k, sig, siglen, bad, msglen);
    } else {
        rc = rkey_verify(k, sig, siglen, (const uint8_t *)"x", 1);
    }
    rkey_free(k);
    if (rc != RAMPART_EBADSIG)
        return rerr_set(e, RAMPART_ECRYPTO, NULL, "selftest: %s accepted a signature over other bytes", scheme);
    return 0;
}

static int check_canonical(rerr *e)
{
    static const char in[] = "{ \"b\": [1, -2, true, null], \"a\": \"x\\\"y\\\\z\\n\\u00e9\", \"\\u00e9\": {} }";
    static const char want[] = "{\"a\":\"x\\\"y\\\\z\n\xc3\xa9\",\"b\":[1,-2,true,null],\"\xc3\xa9\":{}}";
    rbuf out;
    rbuf_init(&out, 4096);
    jdoc *d = NULL;
    json_t *j = NULL;
    int rc = jdoc_parse(&d, (const uint8_t *)in, sizeof(in) - 1, false, NULL, e);
    if (rc == 0)
        rc = jdoc_canonical(d, jdoc_root(d), &out);
    if (rc == 0 && (out.len != sizeof(want) - 1 || memcmp(out.data, want, out.len) != 0))
        rc = RAMPART_EINTERNAL;
    rbuf_reset(&out);
    if (rc == 0)
        rc = rjson_parse((const uint8_t *)in, sizeof(in) - 1, sizeof(in), &j, e);
    if (rc == 0)
        rc = rjson_canonical(j, &out, e);
    if (rc == 0 && (out.len != sizeof(want) - 1 || memcmp(out.data, want, out.len) != 0))
        rc = RAMPART_EINTERNAL;
    json_decref(j);
    jdoc_free(d);
    rbuf_free(&out);
    return rc == 0 ? 0 : rerr_set(e, RAMPART_EINTERNAL, NULL, "selftest: canonical JSON differs from the known answer");
}

/* Sign a small root with a fresh key, parse it and verify it; then again
 * with one byte of "signed" changed, which must fail. */
static int check_metadata(rerr *e)
{
    rprivkey *k = NULL;
    rbuf pub, body, sig, doc;
    rbuf_init(&pub, 4096);
    rbuf_init(&body, 1 << 16);
    rbuf_init(&sig, 1024);
    rbuf_init(&doc, 1 << 16);
    char keyid[65];
    tuf_md *md = NULL;
    int rc = rprivkey_generate(&k, RKEY_ED25519, 0, e);
    if (rc == 0)
        rc = rprivkey_public_tuf(k, &pub, e);
    if (rc == 0)
        rc = rkey_compute_keyid(rslice_cstr("ed25519"), rslice_cstr("ed25519"), rbuf_slice(&pub), keyid);
    if (rc == 0) {
        rc = rbuf_appendf(&body,
                          "{\"_type\":\"root\",\"consistent_snapshot\":true,\"expires\":\"2100-01-01T00:00:00Z\","
                          "\"keys\":{\"%s\":{\"keytype\":\"ed25519\",\"keyval\":{\"public\":\"%s\"},"
                          "\"scheme\":\"ed25519\"}},\"roles\":{",
                          keyid, (const char *)pub.data);
        const char *roles[] = {"root", "snapshot", "targets", "timestamp"};
        for (int i = 0; rc == 0 && i < 4; i++)
            rc = rbuf_appendf(&body, "%s\"%s\":{\"keyids\":[\"%s\"],\"threshold\":1}", i ? "," : "", roles[i], keyid);
        if (rc == 0)
            rc = rbuf_append_str(&body, "},\"spec_version\":\"1.0.31\",\"version\":1}");
    }
    if (rc == 0)
        rc = rprivkey_sign(k, body.data, body.len, &sig, e);
    if (rc == 0) {
        char sighex[2 * 1024 + 1];
        rhex_encode(sighex, sig.data, sig.len);
        rc = rbuf_appendf(&doc, "{\"signatures\":[{\"keyid\":\"%s\",\"sig\":\"%s\"}],\"signed\":%s}", keyid, sighex,
                          (const char *)body.data);
    }
    if (rc == 0)
        rc = tuf_md_parse(&md, doc.data, doc.len, false, doc.len, TUF_ROOT, "root", e);
    if (rc == 0)
        rc = tuf_md_verify(md, &md->keys, &md->roles[TUF_ROOT], "root", e);
    tuf_md_free(md);
    md = NULL;
    if (rc == 0) {
        /* "version":1 -> "version":2 */
        uint8_t *v = (uint8_t *)strstr((char *)doc.data, "\"version\":1}");
        if (v == NULL)
            rc = RAMPART_EINTERNAL;
        else
            v[10] = '2';
    }
    if (rc == 0 && tuf_md_parse(&md, doc.data, doc.len, false, doc.len, TUF_ROOT, "root", e) == 0 &&
        tuf_md_verify(md, &md->keys, &md->roles[TUF_ROOT], "root", NULL) != RAMPART_EBADSIG)
        rc = RAMPART_EINTERNAL;
    tuf_md_free(md);
    rprivkey_free(k);
    rbuf_free(&pub);
    rbuf_free(&body);
    rbuf_free(&sig);
    rbuf_free(&doc);
    if (rc != 0)
        return rerr_set(e, rc == RAMPART_ENOMEM ? rc : RAMPART_EINTERNAL, NULL,
                        "selftest: signed metadata round trip failed");
    return 0;
}

int rampart_selftest(rampart_error *err)
{
    rerr_clear(err);
    int rc = check_hashes(err);
    if (rc == 0)
        rc = check_sig("ed25519", "ed25519", ed_pub, ed_sig, "", 0, err);
    if (rc == 0)
        rc = check_sig("ecdsa", "ecdsa-sha2-nistp256", ec_pub, ec_sig, kat_msg, sizeof(kat_msg) - 1, err);
    if (rc == 0)
        rc = check_sig("rsa", "rsassa-pss-sha256", rsa_pub, rsa_sig, kat_msg, sizeof(kat_msg) - 1, err);
    if (rc == 0)
        rc = check_canonical(err);
    if (rc == 0)
        rc = check_metadata(err);
    return rc;
}
