/*
 * test_client_parse.c - hostile bytes reaching the client through a
 * refresh: docs/security-matrix.md scenarios S54-S61 and S63 end to end (the
 * parser and verifier rules themselves are unit-tested in test_tuf_md.c).
 * Each test asserts the code, that nothing hostile was persisted (exact
 * bytes of every file), and for accepted documents that the received bytes
 * were stored unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ctest_util.h"
#include "util/banned.h"

#define ALL_V1 "root=1 snapshot=1 targets=1 timestamp=1"

/* The newest bytes of `role` with the first `from` replaced by `to`
 * (malloc'ed, NUL-terminated; the signatures are not redone). */
static char *replaced(sim *s, const char *role, const char *from, const char *to, size_t *outlen)
{
    size_t len;
    const char *b = (const char *)sim_version_bytes(s, role, sim_version(s, role), &len);
    const char *at = strstr(b, from);
    if (at == NULL)
        abort();
    size_t off = (size_t)(at - b), fl = strlen(from), tl = strlen(to);
    char *out = malloc(len - fl + tl + 1);
    if (out == NULL)
        abort();
    memcpy(out, b, off);
    memcpy(out + off, to, tl);
    memcpy(out + off + tl, at + fl, len - off - fl + 1);
    *outlen = len - fl + tl;
    return out;
}

/* Serves `text` as timestamp.json and expects `rc` with nothing changed. */
static int serve_timestamp_text(ctest *t, const char *text, size_t len)
{
    sim_serve_bytes(t->s, "metadata/timestamp.json", text, len);
    return ct_refresh(t);
}

/* S54: structurally wrong envelopes. */
CT_TEST(test_s54_wrong_envelope_types)
{
    CHECK_OK(ct_refresh(t));
    json_t *doc = ct_doc(t->s, "timestamp", 1);
    char *real = json_dumps(json_object_get(doc, "signed"), JSON_COMPACT);
    json_decref(doc);
    const char *shapes[] = {
        "{\"signatures\":[]}",
        "{\"signed\":null,\"signatures\":[]}",
        "{\"signed\":[],\"signatures\":[]}",
        "{\"signed\":7,\"signatures\":[]}",
        "{\"signed\":@,\"signatures\":{}}",
        "{\"signed\":@}",
        "{\"signed\":@,\"signatures\":[{\"keyid\":1,\"sig\":\"00\"}]}",
        "{\"signed\":@,\"signatures\":[{\"keyid\":\"a\"}]}",
        "{\"signed\":@,\"signatures\":[7]}",
        "{\"signed\":@,\"signatures\":[]} trailing",
        "[]",
        "null",
        "\"timestamp\"",
        "",
    };
    char buf[4096];
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        /* "@" stands for the genuine signed object */
        const char *at = strchr(shapes[i], '@');
        if (at == NULL)
            snprintf(buf, sizeof(buf), "%s", shapes[i]);
        else
            snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - shapes[i]), shapes[i], real, at + 1);
        int rc = serve_timestamp_text(t, buf, strlen(buf));
        if (rc != RAMPART_EFORMAT)
            fprintf(stderr, "  (shape %zu)\n", i);
        CHECK_RC(rc, RAMPART_EFORMAT);
        CHECK_ERR(t, RAMPART_EFORMAT, "timestamp", "");
        CHECK_STR(ct_state(t), ALL_V1);
    }
    free(real);
    /* "_type" an integer, in an otherwise genuine (re-serialised) document. */
    doc = ct_doc(t->s, "timestamp", 1);
    json_object_set_new(json_object_get(doc, "signed"), "_type", json_integer(1));
    ct_serve_json(t->s, "metadata/timestamp.json", doc);
    CHECK_RC(ct_refresh(t), RAMPART_EFORMAT);
    CHECK_STR(ct_state(t), ALL_V1);
}

/* S55: malformed key material for a known key type (31 and 33 bytes) rejects the root. */
CT_TEST(test_s55_bad_key_sizes)
{
    const char *bad[] = {"00112233445566778899aabbccddeeff00112233445566778899aabbccddee",
                         "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00"};
    json_t *keys = json_object_get(sim_signed(t->s, "root"), "keys");
    for (int i = 0; i < 2; i++) {
        json_object_set_new(
            keys, "odd",
            json_pack("{s:s,s:s,s:{s:s}}", "keytype", "ed25519", "scheme", "ed25519", "keyval", "public", bad[i]));
        sim_publish(t->s, "root");
        size_t len;
        const uint8_t *b = sim_version_bytes(t->s, "root", sim_version(t->s, "root"), &len);
        sim_serve_bytes(t->s, "metadata/2.root.json", b, len);
        CHECK_RC(ct_refresh(t), RAMPART_EFORMAT);
        CHECK_ERR(t, RAMPART_EFORMAT, "root", "malformed root metadata");
        CHECK_STR(ct_state(t), "root=1");
    }
}

/* S55: timestamp v3 carries v2's signature (right key, right size, wrong
 * data) from a key of the given scheme. */
static void wrong_signature_case(ctest *t, rkey_scheme scheme)
{
    rprivkey *ed = ct_rotate(t->s, "timestamp");
    sim_remove_keyid(t->s, "root", "timestamp", sim_keyid(t->s, ed));
    sim_clear_signers(t->s, "timestamp");
    sim_add_key_scheme(t->s, "root", "timestamp", scheme);
    sim_publish(t->s, "root");
    sim_publish(t->s, "timestamp"); /* v2 */
    sim_publish(t->s, "timestamp"); /* v3 */
    json_t *v2 = ct_doc(t->s, "timestamp", 2), *v3 = ct_doc(t->s, "timestamp", 3);
    json_object_set(v3, "signatures", json_object_get(v2, "signatures"));
    json_decref(v2);
    ct_replace_json(t->s, "timestamp", v3);
    CHECK_RC(ct_refresh(t), RAMPART_EBADSIG);
    CHECK_ERR(t, RAMPART_EBADSIG, "timestamp", "signature threshold not met for 'timestamp' (0 of 1)");
    CHECK_STR(ct_state(t), "root=2");
}

CT_TEST(test_s55_wrong_ecdsa_signature)
{
    wrong_signature_case(t, RKEY_ECDSA_P256);
}

CT_TEST(test_s55_wrong_rsa_pss_signature)
{
    wrong_signature_case(t, RKEY_RSA_PSS_SHA256);
}

/* S55: a scheme that does not fit the key type: the key can never sign. */
CT_TEST(test_s55_scheme_not_matching_keytype)
{
    json_t *root = sim_signed(t->s, "root");
    const char *kid = ct_keyid_of(t->s, "root", "timestamp");
    json_object_set_new(json_object_get(json_object_get(root, "keys"), kid), "scheme",
                        json_string("ecdsa-sha2-nistp256"));
    sim_publish(t->s, "root");
    CHECK_RC(ct_refresh(t), RAMPART_EBADSIG);
    CHECK_ERR(t, RAMPART_EBADSIG, "timestamp", "signature threshold not met for 'timestamp' (0 of 1)");
    CHECK_STR(ct_state(t), "root=2");
}

/* Sets the signature of keyid `kid` in `doc` to `sig`, or removes it (NULL). */
static void set_sig(json_t *doc, const char *kid, const char *sig)
{
    json_t *sigs = json_object_get(doc, "signatures");
    for (size_t i = 0; i < json_array_size(sigs); i++) {
        json_t *sg = json_array_get(sigs, i);
        if (strcmp(json_string_value(json_object_get(sg, "keyid")), kid) != 0)
            continue;
        if (sig == NULL)
            json_array_remove(sigs, i);
        else
            json_object_set_new(sg, "sig", json_string(sig));
        return;
    }
}

/* S56: an empty signature and one from an unknown key beside a threshold
 * (2 of 3) of good ones: accepted, stored as received. */
CT_TEST(test_s56_bad_signature_beside_good_ones)
{
    /* Copies: the simulator's key table moves as keys are added. */
    char k1[65], k2[65];
    snprintf(k1, sizeof(k1), "%s", sim_keyid(t->s, sim_signer(t->s, "timestamp", 0)));
    snprintf(k2, sizeof(k2), "%s", sim_keyid(t->s, sim_add_key(t->s, "root", "timestamp")));
    sim_add_key(t->s, "root", "timestamp");
    sim_set_threshold(t->s, "root", "timestamp", 2);
    sim_publish(t->s, "root");
    sim_publish(t->s, "timestamp");
    json_t *doc = ct_doc(t->s, "timestamp", 2);
    set_sig(doc, k1, "");
    json_array_append_new(json_object_get(doc, "signatures"), json_pack("{s:s,s:s}", "keyid", "unknown", "sig", "00"));
    ct_replace_json(t->s, "timestamp", doc);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=2 snapshot=1 targets=1 timestamp=2");
    /* One more spoilt signature and the threshold is missed. */
    sim_publish(t->s, "timestamp");
    doc = ct_doc(t->s, "timestamp", 3);
    set_sig(doc, k1, "");
    set_sig(doc, k2, NULL);
    ct_replace_json(t->s, "timestamp", doc);
    CHECK_RC(ct_refresh(t), RAMPART_EBADSIG);
    CHECK_ERR(t, RAMPART_EBADSIG, "timestamp", "signature threshold not met for 'timestamp' (1 of 2)");
    CHECK_STR(ct_state(t), "root=2 snapshot=1 targets=1 timestamp=2");
}

/* S57: unknown fields everywhere are kept, covered by the signatures, and
 * stored byte for byte. */
CT_TEST(test_s57_unknown_fields)
{
    json_t *root = sim_signed(t->s, "root");
    json_object_set_new(root, "x-custom", json_pack("{s:[i,s]}", "a", 1, "\xc3\xa9t\xc3\xa9"));
    json_object_set_new(json_object_get(json_object_get(root, "roles"), "snapshot"), "x-period", json_integer(7));
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(root, "keys"), k, v)
    {
        json_object_set_new(v, "extra-field", json_pack("{s:i,s:i}", "a", 1, "b", 2));
        json_object_set_new(v, "keyid_hash_algorithms", json_string("md5"));
    }
    sim_publish(t->s, "root");
    json_object_set_new(sim_signed(t->s, "timestamp"), "x-ts", json_pack("[i,i]", 1, 2));
    const char *all[] = {"*", NULL};
    sim_delegate(t->s, "targets", "A", all, false);
    json_t *entry =
        json_array_get(json_object_get(json_object_get(sim_signed(t->s, "targets"), "delegations"), "roles"), 0);
    json_object_set_new(entry, "x-note", json_string("kept"));
    sim_add_target(t->s, "A", "f", "f", 1);
    json_t *tf = json_object_get(json_object_get(sim_signed(t->s, "A"), "targets"), "f");
    json_object_set_new(tf, "custom", json_pack("{s:s,s:[]}", "z", "last", "a", "first"));
    json_object_set_new(tf, "x-unknown", json_null());
    sim_publish(t->s, "A");
    sim_update(t->s, "targets");
    rampart_target *tg = NULL;
    CHECK_OK(rampart_client_get_target_info(t->c, "f", &tg));
    CHECK_STR(rampart_target_custom(tg), "{\"a\":[],\"z\":\"last\"}");
    rampart_target_free(tg);
    CHECK_STR(ct_state(t), "A=1 root=2 snapshot=2 targets=2 timestamp=2");
}

/* Replaces each `from` in buf[0..*len) by the `tl` bytes at `to` (tl at
 * most as long as `from`), in place. */
static void replace_all(char *buf, size_t *len, const char *from, const char *to, size_t tl)
{
    size_t fl = strlen(from), w = 0;
    for (size_t r = 0; r < *len;) {
        if (r + fl <= *len && memcmp(buf + r, from, fl) == 0) {
            memcpy(buf + w, to, tl);
            w += tl;
            r += fl;
        } else {
            buf[w++] = buf[r++];
        }
    }
    *len = w;
}

/* TUF 4.5 / 5.6.3: "custom" is opaque JSON, and "\u0000" is valid JSON:
 * metadata holding it in "custom" verifies (its canonical form has a raw
 * NUL, as securesystemslib writes it), is stored as received, and the
 * custom object reaches the application whole, as valid JSON. */
CT_TEST(test_custom_holds_nul)
{
    sim_add_target(t->s, "targets", "file.txt", "data", 4);
    json_t *tf = json_object_get(json_object_get(sim_signed(t->s, "targets"), "targets"), "file.txt");
    json_object_set_new(tf, "custom",
                        json_pack("{s:s,s:[s,s],s:i}", "note", "a@NUL@b", "@NUL@k", "x@NUL@\n\x01", "@NUL@", "z", 7));
    ct_publish_with_nul(t->s, "targets");
    sim_publish(t->s, "snapshot");
    sim_publish(t->s, "timestamp");
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=2 timestamp=2");
    size_t len;
    const uint8_t *served = sim_version_bytes(t->s, "targets", 2, &len);
    CHECK(memmem(served, len, "a\\u0000b", 8) != NULL);
    rampart_target *tg = NULL;
    CHECK_OK(rampart_client_get_target_info(t->c, "file.txt", &tg));
    CHECK_STR(rampart_target_custom(tg),
              "{\"\\u0000k\":[\"x\\u0000\\n\\u0001\",\"\\u0000\"],\"note\":\"a\\u0000b\",\"z\":7}");
    rampart_target_free(tg);
    CHECK_OK(ct_download(t, "file.txt"));
    CHECK(ct_file_is(t->tdir, "file.txt", "data", 4));
    /* The signature covers the NUL: the same bytes with it turned into
     * U+0001 no longer verify. */
    char *bad = malloc(len + 1);
    if (bad == NULL)
        abort();
    memcpy(bad, served, len);
    size_t blen = len;
    replace_all(bad, &blen, "a\\u0000b", "a\\u0001b", 8);
    sim_publish(t->s, "targets");
    sim_replace_latest(t->s, "targets", bad, blen);
    sim_publish(t->s, "snapshot");
    sim_publish(t->s, "timestamp");
    free(bad);
    CHECK_RC(ct_refresh(t), RAMPART_EBADSIG);
    CHECK_ERR(t, RAMPART_EBADSIG, "targets", "signature threshold not met for 'targets' (0 of 1)");
    CHECK_STR(ct_state(t), "root=1 snapshot=3 targets=2 timestamp=3");
}

/* S58: duplicate object keys inside "signed" (Rampart's policy). */
CT_TEST(test_s58_duplicate_json_keys)
{
    CHECK_OK(ct_refresh(t));
    sim_publish(t->s, "timestamp");
    const char *from[] = {"\"version\": 2", "\"snapshot.json\": {", "\"_type\": \"timestamp\""};
    const char *to[] = {"\"version\": 2,\n  \"version\": 3", "\"snapshot.json\": {\n    \"version\": 1,",
                        "\"_type\": \"timestamp\",\n  \"_type\": \"timestamp\""};
    for (int i = 0; i < 3; i++) {
        size_t n;
        char *text = replaced(t->s, "timestamp", from[i], to[i], &n);
        int rc = serve_timestamp_text(t, text, n);
        free(text);
        CHECK_RC(rc, RAMPART_EFORMAT);
        CHECK_STR(ct_state(t), ALL_V1);
    }
}

/* S59: versions that are not integers in 1..2^53. */
CT_TEST(test_s59_version_values)
{
    CHECK_OK(ct_refresh(t));
    sim_publish(t->s, "timestamp");
    const char *bad[] = {"9223372036854775808",
                         "18446744073709551616",
                         "9007199254740993",
                         "1e3",
                         "2.0",
                         "-1",
                         "0",
                         "\"2\"",
                         "02",
                         "true",
                         "null"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char to[64];
        snprintf(to, sizeof(to), "\"version\": %s", bad[i]);
        size_t n;
        char *text = replaced(t->s, "timestamp", "\"version\": 2", to, &n);
        int rc = serve_timestamp_text(t, text, n);
        free(text);
        if (rc != RAMPART_EFORMAT)
            fprintf(stderr, "  (version %s)\n", bad[i]);
        CHECK_RC(rc, RAMPART_EFORMAT);
        CHECK_STR(ct_state(t), ALL_V1);
    }
}

/* S59: a trusted root at the top of the version range: N+1 is requested,
 * and a root claiming N+1 is out of range. */
CT_TEST(test_s59_root_at_top_of_range)
{
    ct_set_version(t->s, "root", ((int64_t)1 << 53) - 1);
    sim_publish(t->s, "root");
    ct_bootstrap(t, (int64_t)1 << 53);
    CHECK_OK(ct_refresh(t));
    CHECK_STR(sim_requests(t->s), "metadata/9007199254740993.root.json\nmetadata/timestamp.json\n"
                                  "metadata/1.snapshot.json\nmetadata/1.targets.json\n");
    CHECK_STR(ct_state(t), "root=9007199254740992 snapshot=1 targets=1 timestamp=1");
    sim_publish(t->s, "root"); /* 2^53 + 1 */
    CHECK_RC(ct_refresh(t), RAMPART_EFORMAT);
    CHECK_ERR(t, RAMPART_EFORMAT, "root", "version");
    CHECK_STR(ct_state(t), "root=9007199254740992 snapshot=1 targets=1 timestamp=1");
}

/* S60: expiry dates must be exactly YYYY-MM-DDTHH:MM:SSZ. */
CT_TEST(test_s60_expires_format)
{
    CHECK_OK(ct_refresh(t));
    sim_publish(t->s, "timestamp");
    const char *bad[] = {"\"2030-07-01T00:00:00+00:00\"",
                         "\"2030-07-01T00:00:00\"",
                         "\"2030-07-01T00:00:00z\"",
                         "\"2030-07-01T00:00:00.5Z\"",
                         "\"2030-07-01 00:00:00Z\"",
                         "\"2030-7-1T00:00:00Z\"",
                         "\"2030-02-30T00:00:00Z\"",
                         "\"2030-07-01T24:00:00Z\"",
                         "\"\"",
                         "1909094400"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char to[64];
        snprintf(to, sizeof(to), "\"expires\": %s", bad[i]);
        size_t n;
        char *text = replaced(t->s, "timestamp", "\"expires\": \"2030-07-01T00:00:00Z\"", to, &n);
        int rc = serve_timestamp_text(t, text, n);
        free(text);
        if (rc != RAMPART_EFORMAT)
            fprintf(stderr, "  (expires %s)\n", bad[i]);
        CHECK_RC(rc, RAMPART_EFORMAT);
        CHECK_STR(ct_state(t), ALL_V1);
    }
}

/* S60: dates past 2038 and up to year 9999 with a 64-bit time. */
CT_TEST(test_s60_dates_past_2038)
{
    const int64_t y9999 = 253402300799LL;    /* 9999-12-31T23:59:59Z */
    const int64_t jan20_2038 = 2147558400LL; /* 2038-01-20T00:00:00Z */
    sim_set_expires(t->s, "root", y9999);
    sim_publish(t->s, "root");
    sim_set_expires(t->s, "targets", y9999);
    sim_set_expires(t->s, "snapshot", y9999);
    sim_set_expires(t->s, "timestamp", jan20_2038);
    sim_update(t->s, "targets");
    size_t len;
    CHECK(strstr((const char *)sim_version_bytes(t->s, "root", 2, &len), "\"9999-12-31T23:59:59Z\"") != NULL);
    CHECK(strstr((const char *)sim_version_bytes(t->s, "timestamp", 2, &len), "\"2038-01-20T00:00:00Z\"") != NULL);
    t->now = ((int64_t)1 << 31) + 1000; /* past the 32-bit limit */
    CHECK_OK(ct_refresh(t));
    CHECK_STR(ct_state(t), "root=2 snapshot=2 targets=2 timestamp=2");
    t->now = jan20_2038;
    CHECK_RC(ct_refresh(t), RAMPART_EEXPIRED);
    CHECK_ERR(t, RAMPART_EEXPIRED, "timestamp", "timestamp metadata version 2 expired at 2038-01-20T00:00:00Z");
}

/* S61: 100 000 levels of nesting, a 10 MB string, a 5000-digit number: each
 * a bounded, clean failure. */
CT_TEST(test_s61_hostile_json_sizes)
{
    CHECK_OK(ct_refresh(t));
    size_t big = 10u << 20;
    char *p = malloc(big + 64);
    CHECK(p != NULL);
    memset(p, '[', 100000);
    CHECK_RC(serve_timestamp_text(t, p, 100000), RAMPART_ETOOLARGE);
    t->o.max_timestamp_bytes = 16u << 20;
    ct_reopen(t);
    CHECK_RC(serve_timestamp_text(t, p, 100000), RAMPART_EFORMAT);
    CHECK_ERR(t, RAMPART_EFORMAT, "timestamp", "nests deeper than");
    int n = snprintf(p, 64, "{\"signed\":{\"_type\":\"");
    memset(p + n, 'a', big);
    memcpy(p + n + big, "\"}}", 3);
    CHECK_RC(serve_timestamp_text(t, p, (size_t)n + big + 3), RAMPART_EFORMAT);
    free(p);
    char digits[5100] = "\"version\": 1";
    memset(digits + 12, '7', 5000);
    digits[5012] = '\0';
    sim_publish(t->s, "timestamp");
    size_t tl;
    char *text = replaced(t->s, "timestamp", "\"version\": 2", digits, &tl);
    CHECK_RC(serve_timestamp_text(t, text, tl), RAMPART_EFORMAT);
    free(text);
    CHECK_STR(ct_state(t), ALL_V1);
}

/* S63: lengths past INT_MAX, UINT32_MAX and up to INT64_MAX are carried
 * exactly: a short stream is a mismatch naming the full expected length. */
CT_TEST(test_s63_large_lengths)
{
    const int64_t lengths[] = {((int64_t)1 << 31) + 1, ((int64_t)1 << 32) + 1, INT64_MAX};
    char name[32];
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof(name), "big%d", i);
        sim_add_target(t->s, "targets", name, "abc", 3);
        json_t *tf = json_object_get(json_object_get(sim_signed(t->s, "targets"), "targets"), name);
        json_object_set_new(tf, "length", json_integer(lengths[i]));
    }
    sim_update(t->s, "targets");
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof(name), "big%d", i);
        rampart_target *tg = NULL;
        CHECK_OK(rampart_client_get_target_info(t->c, name, &tg));
        CHECK_INT((int64_t)rampart_target_length(tg), lengths[i]);
        int rc = rampart_client_download_target(t->c, tg, t->tdir, NULL);
        rampart_target_free(tg);
        CHECK_RC(rc, RAMPART_EMISMATCH);
        char want[96];
        snprintf(want, sizeof(want), "target '%s' is 3 bytes, expected %lld", name, (long long)lengths[i]);
        CHECK_ERR(t, RAMPART_EMISMATCH, "targets", want);
        CHECK_STR(ct_tree(t, t->tdir), "");
    }
    /* A snapshot length of 2^40 in the timestamp: read up to it, then mismatch. */
    sim_publish(t->s, "snapshot");
    json_object_set_new(json_object_get(json_object_get(sim_signed(t->s, "timestamp"), "meta"), "snapshot.json"),
                        "length", json_integer((json_int_t)1 << 40));
    sim_publish(t->s, "timestamp");
    CHECK_RC(ct_refresh(t), RAMPART_EMISMATCH);
    CHECK_ERR(t, RAMPART_EMISMATCH, "snapshot", "expected 1099511627776");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=2 timestamp=3");
    /* 2^63 does not fit: the targets role is malformed. */
    sim_update(t->s, "targets");
    size_t n;
    char *text = replaced(t->s, "targets", "\"length\": 2147483649", "\"length\": 9223372036854775808", &n);
    sim_replace_latest(t->s, "targets", text, n);
    free(text);
    CHECK_RC(ct_refresh(t), RAMPART_EFORMAT);
    CHECK_ERR(t, RAMPART_EFORMAT, "targets", "integer out of int64 range");
    CHECK_STR(ct_state(t), "root=1 snapshot=4 targets=2 timestamp=4");
}

int main(void)
{
    RUN(test_s54_wrong_envelope_types);
    RUN(test_s55_bad_key_sizes);
    RUN(test_s55_wrong_ecdsa_signature);
    RUN(test_s55_wrong_rsa_pss_signature);
    RUN(test_s55_scheme_not_matching_keytype);
    RUN(test_s56_bad_signature_beside_good_ones);
    RUN(test_s57_unknown_fields);
    RUN(test_custom_holds_nul);
    RUN(test_s58_duplicate_json_keys);
    RUN(test_s59_version_values);
    RUN(test_s59_root_at_top_of_range);
    RUN(test_s60_expires_format);
    RUN(test_s60_dates_past_2038);
    RUN(test_s61_hostile_json_sizes);
    RUN(test_s63_large_lengths);
    return th_summary("test_client_parse");
}
