/* test_keys_signer.c - rampart/signer.h: key generation to files, the
 * file-backed signer (plain and encrypted keys, passphrase callback, every
 * refusal with its code), a custom signer through the vtable, and TUF
 * public key files. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "sim.h"
#include "crypto/key.h"
#include "keys/keys.h"
#include "rampart/signer.h"
#include "util/codec.h"
#include "util/banned.h"

static char *dir;

static char *path_of(const char *name)
{
    static char buf[8][512];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

/* Signs `msg` with `s` and verifies it with the signer's own public key. */
static int sign_verify(rampart_signer *s, const char *msg)
{
    unsigned char sig[RAMPART_SIGNATURE_MAX];
    size_t n = 0;
    int rc = rampart_signer_sign(s, msg, strlen(msg), sig, &n, NULL);
    if (rc != 0)
        return rc;
    const rampart_public_key *pk = rampart_signer_public_key(s);
    rkey *k = NULL;
    rc = rkey_from_tuf(&k, rslice_cstr(rampart_public_key_keytype(pk)), rslice_cstr(rampart_public_key_scheme(pk)),
                       rslice_cstr(rampart_public_key_value(pk)), NULL);
    if (rc == 0)
        rc = rkey_verify(k, sig, n, (const uint8_t *)msg, strlen(msg));
    rkey_free(k);
    return rc;
}

static void test_generate_each_type(void)
{
    static const struct {
        rampart_key_type t;
        const char *name, *scheme;
    } types[] = {{RAMPART_KEY_ED25519, "ed", "ed25519"},
                 {RAMPART_KEY_ECDSA, "ec", "ecdsa-sha2-nistp256"},
                 {RAMPART_KEY_RSA, "rsa", "rsassa-pss-sha256"}};
    for (size_t i = 0; i < 3; i++) {
        rampart_keygen_options o = RAMPART_KEYGEN_OPTIONS_INIT;
        o.type = types[i].t;
        char priv[64], pub[64];
        snprintf(priv, sizeof(priv), "%s.key", types[i].name);
        snprintf(pub, sizeof(pub), "%s.pub", types[i].name);
        rampart_public_key *k = NULL;
        rampart_error err;
        CHECK_OK(rampart_key_generate(&o, path_of(priv), path_of(pub), &k, &err));
        CHECK_STR(rampart_public_key_scheme(k), types[i].scheme);
        struct stat st;
        CHECK(stat(path_of(priv), &st) == 0);
        CHECK_INT(st.st_mode & 0777, 0600);
        CHECK(stat(path_of(pub), &st) == 0);
        CHECK_INT(st.st_mode & 0777, 0644);
        rampart_public_key *loaded = NULL;
        CHECK_OK(rampart_public_key_load(&loaded, path_of(pub), &err));
        CHECK_STR(rampart_public_key_keyid(loaded), rampart_public_key_keyid(k));
        rampart_signer *s = NULL;
        CHECK_OK(rampart_signer_load_file(&s, path_of(priv), NULL, &err));
        CHECK_STR(rampart_signer_keyid(s), rampart_public_key_keyid(k));
        CHECK_OK(sign_verify(s, "canonical bytes"));
        rampart_signer_free(s);
        rampart_public_key_free(loaded);
        rampart_public_key_free(k);
    }
}

static void test_generate_refusals(void)
{
    rampart_keygen_options o = RAMPART_KEYGEN_OPTIONS_INIT;
    rampart_error err;
    CHECK_OK(rampart_key_generate(&o, path_of("dup.key"), path_of("dup.pub"), NULL, &err));
    uint8_t *before = sim_read_file(dir, "dup.key", NULL);
    CHECK_RC(rampart_key_generate(&o, path_of("dup.key"), path_of("dup2.pub"), NULL, &err), RAMPART_EEXIST);
    CHECK_RC(rampart_key_generate(&o, path_of("dup2.key"), path_of("dup.pub"), NULL, &err), RAMPART_EEXIST);
    uint8_t *after = sim_read_file(dir, "dup.key", NULL);
    CHECK(before != NULL && after != NULL && strcmp((char *)before, (char *)after) == 0);
    CHECK(sim_read_file(dir, "dup2.key", NULL) == NULL);
    CHECK(sim_read_file(dir, "dup2.pub", NULL) == NULL);
    free(before);
    free(after);
    o.type = RAMPART_KEY_RSA;
    o.rsa_bits = 2048;
    CHECK_RC(rampart_key_generate(&o, path_of("small.key"), path_of("small.pub"), NULL, &err), RAMPART_EINVAL);
    o.type = (rampart_key_type)7;
    CHECK_RC(rampart_key_generate(&o, path_of("x.key"), path_of("x.pub"), NULL, &err), RAMPART_EINVAL);
    o = (rampart_keygen_options)RAMPART_KEYGEN_OPTIONS_INIT;
    o.version = 99;
    CHECK_RC(rampart_key_generate(&o, path_of("x.key"), path_of("x.pub"), NULL, &err), RAMPART_EINVAL);
    o.version = RAMPART_KEYGEN_OPTIONS_VERSION;
    CHECK_RC(rampart_key_generate(&o, path_of("nodir/x.key"), path_of("x.pub"), NULL, &err), RAMPART_ENOTFOUND);
    CHECK(sim_read_file(dir, "x.pub", NULL) == NULL);
}

static int calls;
static int ask(void *ctx, const char *what, char *buf, size_t cap, size_t *len)
{
    calls++;
    const char *p = ctx;
    if (p == NULL)
        return RAMPART_EPASSPHRASE;
    size_t n = strlen(p);
    if (n > cap)
        return RAMPART_EINVAL;
    memcpy(buf, p, n);
    *len = n;
    (void)what;
    return 0;
}

static void test_encrypted(void)
{
    rampart_keygen_options o = RAMPART_KEYGEN_OPTIONS_INIT;
    o.passphrase = "s3cret";
    o.passphrase_len = 6;
    rampart_error err;
    CHECK_OK(rampart_key_generate(&o, path_of("enc.key"), path_of("enc.pub"), NULL, &err));
    uint8_t *pem = sim_read_file(dir, "enc.key", NULL);
    CHECK(pem != NULL && strstr((char *)pem, "BEGIN ENCRYPTED PRIVATE KEY") != NULL);
    free(pem);
    rampart_signer *s = NULL;
    rampart_key_load_options lo = RAMPART_KEY_LOAD_OPTIONS_INIT;
    CHECK_RC(rampart_signer_load_file(&s, path_of("enc.key"), &lo, &err), RAMPART_EPASSPHRASE);
    CHECK(s == NULL);
    lo.passphrase = "wrong";
    lo.passphrase_len = 5;
    CHECK_RC(rampart_signer_load_file(&s, path_of("enc.key"), &lo, &err), RAMPART_EPASSPHRASE);
    CHECK(strstr(err.message, "wrong or missing passphrase") != NULL);
    lo.passphrase = NULL;
    lo.passphrase_cb = ask;
    lo.passphrase_ctx = "s3cret";
    calls = 0;
    CHECK_OK(rampart_signer_load_file(&s, path_of("enc.key"), &lo, &err));
    CHECK_INT(calls, 1);
    CHECK_OK(sign_verify(s, "x"));
    rampart_signer_free(s);
    s = NULL;
    lo.passphrase_ctx = NULL; /* the callback has none */
    CHECK_RC(rampart_signer_load_file(&s, path_of("enc.key"), &lo, &err), RAMPART_EPASSPHRASE);
    /* a plain key never asks */
    calls = 0;
    lo.passphrase_ctx = "s3cret";
    CHECK_OK(rampart_signer_load_file(&s, path_of("ed.key"), &lo, &err));
    CHECK_INT(calls, 0);
    rampart_signer_free(s);
}

static void test_load_refusals(void)
{
    rampart_signer *s = NULL;
    rampart_error err;
    sim_write_file(dir, "garbage.key", "hello\n", 6);
    CHECK_RC(rampart_signer_load_file(&s, path_of("garbage.key"), NULL, &err), RAMPART_EFORMAT);
    CHECK(strstr(err.message, "unknown key file format") != NULL);
    CHECK_RC(rampart_signer_load_file(&s, path_of("ed.pub"), NULL, &err), RAMPART_EFORMAT);
    CHECK(strstr(err.message, "public key") != NULL);
    CHECK_RC(rampart_signer_load_file(&s, path_of("absent.key"), NULL, &err), RAMPART_ENOTFOUND);
    char vec[512];
    snprintf(vec, sizeof(vec), "%s/vectors/crypto/dsa-2048.key.pem", RAMPART_TEST_DATA);
    CHECK_RC(rampart_signer_load_file(&s, vec, NULL, &err), RAMPART_EUNSUPPORTED);
    snprintf(vec, sizeof(vec), "%s/vectors/crypto/ecdsa-p256-sec1.key.pem", RAMPART_TEST_DATA);
    CHECK_RC(rampart_signer_load_file(&s, vec, NULL, &err), RAMPART_EFORMAT);
    CHECK(s == NULL);
    rampart_public_key *k = NULL;
    CHECK_RC(rampart_public_key_load(&k, path_of("garbage.key"), &err), RAMPART_EFORMAT);
    sim_write_file(dir, "partial.pub", "{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\"}", 40);
    CHECK_RC(rampart_public_key_load(&k, path_of("partial.pub"), &err), RAMPART_EFORMAT);
    static const char bad_ed[] = "{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\",\"keyval\":{\"public\":\"abcd\"}}";
    sim_write_file(dir, "short.pub", bad_ed, sizeof(bad_ed) - 1);
    CHECK_RC(rampart_public_key_load(&k, path_of("short.pub"), &err), RAMPART_EFORMAT);
    static const char mixed[] = "{\"keytype\":\"rsa\",\"scheme\":\"ed25519\",\"keyval\":{\"public\":\"x\"}}";
    sim_write_file(dir, "mixed.pub", mixed, sizeof(mixed) - 1);
    CHECK_RC(rampart_public_key_load(&k, path_of("mixed.pub"), &err), RAMPART_EUNSUPPORTED);
    CHECK(k == NULL);
}

/* A signer from the vtable: a stand-in for an HSM, backed by a file signer. */
static int destroyed;
static int hsm_sign(void *ctx, const unsigned char *msg, size_t len, unsigned char *sig, size_t *siglen,
                    rampart_error *err)
{
    return rampart_signer_sign(ctx, msg, len, sig, siglen, err);
}
static void hsm_destroy(void *ctx)
{
    destroyed++;
    rampart_signer_free(ctx);
}
static int bad_sign(void *ctx, const unsigned char *msg, size_t len, unsigned char *sig, size_t *siglen,
                    rampart_error *err)
{
    (void)ctx, (void)msg, (void)len, (void)sig, (void)err;
    *siglen = RAMPART_SIGNATURE_MAX + 1;
    return 0;
}

static void test_custom_signer(void)
{
    rampart_signer *inner = NULL, *s = NULL;
    rampart_error err;
    CHECK_OK(rampart_signer_load_file(&inner, path_of("ec.key"), NULL, &err));
    const rampart_public_key *pk = rampart_signer_public_key(inner);
    rampart_signer_ops ops = {RAMPART_SIGNER_OPS_VERSION, hsm_sign, hsm_destroy};
    destroyed = 0;
    CHECK_OK(rampart_signer_new(&s, &ops, inner, rampart_public_key_keytype(pk), rampart_public_key_scheme(pk),
                                rampart_public_key_value(pk), &err));
    CHECK_STR(rampart_signer_keyid(s), rampart_signer_keyid(inner));
    CHECK_OK(sign_verify(s, "through the vtable"));
    rampart_signer_free(s);
    CHECK_INT(destroyed, 1);
    /* the context is released on failure too */
    CHECK_OK(rampart_signer_load_file(&inner, path_of("ec.key"), NULL, &err));
    CHECK_RC(rampart_signer_new(&s, &ops, inner, "ed25519", "ed25519", "zz", &err), RAMPART_EFORMAT);
    CHECK_INT(destroyed, 2);
    ops.version = 2;
    CHECK_RC(rampart_signer_new(&s, &ops, NULL, "ed25519", "ed25519", "00", &err), RAMPART_EINVAL);
    /* a signer that claims an oversized signature fails closed */
    rampart_signer_ops bad = {RAMPART_SIGNER_OPS_VERSION, bad_sign, NULL};
    rampart_public_key *k = NULL;
    CHECK_OK(rampart_public_key_load(&k, path_of("ed.pub"), &err));
    CHECK_OK(rampart_signer_new(&s, &bad, NULL, k->keytype, k->scheme, k->pub, &err));
    unsigned char sig[RAMPART_SIGNATURE_MAX];
    size_t n = 0;
    CHECK_RC(rampart_signer_sign(s, "m", 1, sig, &n, &err), RAMPART_ECRYPTO);
    rampart_signer_free(s);
    rampart_public_key_free(k);
}

static void test_public_json(void)
{
    rampart_public_key *k = NULL, *c = NULL;
    rampart_error err;
    CHECK_OK(rampart_public_key_load(&k, path_of("rsa.pub"), &err));
    CHECK_OK(rampart_public_key_dup(&c, k));
    char *j = NULL;
    CHECK_OK(rampart_public_key_to_json(c, &j));
    uint8_t *file = sim_read_file(dir, "rsa.pub", NULL);
    CHECK(file != NULL);
    CHECK_STR(j, (char *)file);
    free(file);
    rampart_string_free(j);
    /* the keyid is SHA-256 of the canonical key object */
    char want[65];
    CHECK_OK(rkey_compute_keyid(rslice_cstr(c->keytype), rslice_cstr(c->scheme), rslice_cstr(c->pub), want));
    CHECK_STR(rampart_public_key_keyid(c), want);
    rampart_public_key_free(k);
    rampart_public_key_free(c);
    CHECK(rampart_public_key_keyid(NULL) == NULL);
    rampart_public_key_free(NULL);
    rampart_signer_free(NULL);
}

int main(void)
{
    dir = sim_mkdtemp();
    RUN(test_generate_each_type);
    RUN(test_generate_refusals);
    RUN(test_encrypted);
    RUN(test_load_refusals);
    RUN(test_custom_signer);
    RUN(test_public_json);
    sim_rmtree(dir);
    free(dir);
    return th_summary("test_keys_signer");
}
