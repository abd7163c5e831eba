/* test_keys_scheme.c - the scheme table (src/keys/scheme.c), walked row by
 * row: its lookups agree with each other, and every key type round-trips
 * (generate -> public key JSON -> parse -> keyid -> sign -> verify, the
 * PKCS#8 file, the key files and the signer); then keytypes and schemes
 * that are not in the table, at every door, with the codes they have
 * always had. */
#include <string.h>

#include "harness.h"
#include "sim.h"
#include "keys/keys.h"
#include "rampart/signer.h"
#include "tuf/md.h"
#include "util/codec.h"
#include "util/json.h"
#include "util/banned.h"

#define S(str) rslice_cstr(str)

static char *dir;
static const char msg[] = "canonical bytes to sign";

static char *path_of(const char *name)
{
    static char buf[8][512];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

/* The first row whose crypto side a PKCS#8 key of row `d` also matches:
 * the row a loaded private key gets (rprivkey_load_pem). */
static const rkey_scheme_def *first_row_like(const rkey_scheme_def *d)
{
    for (size_t i = 0; i < rscheme_count(); i++) {
        const rkey_scheme_def *r = rscheme_get((rkey_scheme)i);
        bool same_group =
            (r->alg.ec_group == NULL && d->alg.ec_group == NULL) ||
            (r->alg.ec_group != NULL && d->alg.ec_group != NULL && strcmp(r->alg.ec_group, d->alg.ec_group) == 0);
        if (strcmp(r->alg.pkcs8_oid, d->alg.pkcs8_oid) == 0 && same_group)
            return r;
    }
    return NULL;
}

/* Every lookup of the table finds row `d` from its own fields. */
static void check_lookups(const rkey_scheme_def *d, rkey_scheme id)
{
    CHECK_INT(rscheme_id(d), id);
    CHECK(rscheme_from_tuf(S(d->keytype), S(d->scheme)) == d);
    if (d->keytype_alias != NULL)
        CHECK(rscheme_from_tuf(S(d->keytype_alias), S(d->scheme)) == d);
    CHECK(rscheme_from_alg(&d->alg) == d);
    CHECK_STR(rkey_scheme_keytype(id), d->keytype);
    CHECK_STR(rkey_scheme_name(id), d->scheme);
    /* the row's own description holds together */
    CHECK(d->alg.name != NULL && d->alg.ossl_type != NULL && d->alg.pkcs8_oid != NULL);
    CHECK(d->pub_form != RKEY_PUB_HEX || (d->alg.raw_len > 0 && d->alg.raw_len <= RKEY_RAW_MAX));
    CHECK(d->alg.sig_form != RKEY_SIG_FIXED || (d->alg.sig_len > 0 && d->alg.sig_len <= RAMPART_SIGNATURE_MAX));
    CHECK((d->alg.ec_group == NULL) == (d->alg.ec_group_label == NULL));
    CHECK(d->alg.rsa_min_bits <= d->alg.rsa_max_bits);
    CHECK(d->gen_bits_min <= d->gen_bits_default && d->gen_bits_default <= d->gen_bits_max);
    CHECK(d->gen_bits_max == 0 || (d->gen_bits_min >= d->alg.rsa_min_bits && d->gen_bits_max <= d->alg.rsa_max_bits));
    if (d->cli_name == NULL)
        return;
    CHECK(rscheme_from_api(d->api_type) == d);
    CHECK_STR(rampart_key_type_name(d->api_type), d->cli_name);
    rampart_key_type t = (rampart_key_type)-1;
    CHECK_OK(rampart_key_type_from_name(d->cli_name, &t));
    CHECK_INT(t, d->api_type);
    unsigned lo = 1, hi = 1;
    CHECK_OK(rampart_key_type_bits(d->api_type, &lo, &hi));
    CHECK_INT(lo, d->gen_bits_min);
    CHECK_INT(hi, d->gen_bits_max);
}

/* The public value is in the row's form. */
static void check_pub_form(const rkey_scheme_def *d, const rbuf *pub)
{
    if (d->pub_form == RKEY_PUB_HEX) {
        CHECK_INT(pub->len, 2 * d->alg.raw_len);
        CHECK(rhex_valid((const char *)pub->data, pub->len, true));
        return;
    }
    static const char head[] = "-----BEGIN PUBLIC KEY-----\n", tail[] = "-----END PUBLIC KEY-----\n";
    CHECK(pub->len > sizeof(head) + sizeof(tail));
    CHECK(memcmp(pub->data, head, sizeof(head) - 1) == 0);
    CHECK(memcmp(pub->data + pub->len - (sizeof(tail) - 1), tail, sizeof(tail) - 1) == 0);
}

/* The public key of `k` goes out as a TUF key object and comes back with
 * the same fields and the keyid of its canonical form; *back gets it. */
static void check_json_round_trip(const rkey_scheme_def *d, const rbuf *pub, rampart_public_key **back)
{
    rampart_public_key *pk = NULL;
    rerr e = {0};
    CHECK_OK(rpub_new(&pk, S(d->keytype), S(d->scheme), rbuf_slice(pub), &e));
    char *text = NULL;
    CHECK_OK(rampart_public_key_to_json(pk, &text));
    json_t *j = NULL;
    CHECK_OK(rjson_parse((const uint8_t *)text, strlen(text), strlen(text), &j, &e));
    rampart_public_key *b = NULL;
    CHECK_OK(rpub_from_json(&b, j, &e));
    CHECK_STR(rampart_public_key_keytype(b), d->keytype);
    CHECK_STR(rampart_public_key_scheme(b), d->scheme);
    CHECK_MEM(rampart_public_key_value(b), strlen(rampart_public_key_value(b)), pub->data, pub->len);
    CHECK_STR(rampart_public_key_keyid(b), rampart_public_key_keyid(pk));
    /* TUF 4.2: the keyid is the SHA-256 of the canonical key object */
    rbuf canon;
    rbuf_init(&canon, 1 << 16);
    CHECK_OK(rjson_canonical(j, &canon, &e));
    uint8_t digest[RHASH_MAX_LEN];
    char want[65];
    CHECK_OK(rhash_digest(RHASH_SHA256, canon.data, canon.len, digest));
    rhex_encode(want, digest, 32);
    CHECK_STR(rampart_public_key_keyid(b), want);
    char again[65];
    CHECK_OK(rkey_compute_keyid(S(d->keytype), S(d->scheme), rbuf_slice(pub), again));
    CHECK_STR(again, want);
    rbuf_free(&canon);
    json_decref(j);
    rampart_string_free(text);
    rampart_public_key_free(pk);
    *back = b;
}

/* Signs with `k`, verifies with the key parsed back from its TUF fields;
 * altered message or signature bytes do not verify. */
static void check_sign_verify(const rkey_scheme_def *d, rkey_scheme id, const rprivkey *k, const rampart_public_key *pk)
{
    rkey *rk = NULL;
    rerr e = {0};
    CHECK_OK(rkey_from_tuf(&rk, S(rampart_public_key_keytype(pk)), S(rampart_public_key_scheme(pk)),
                           S(rampart_public_key_value(pk)), &e));
    CHECK_INT(rkey_get_scheme(rk), id);
    CHECK(rkey_alg_of(rk) == &d->alg);
    rbuf sig;
    rbuf_init(&sig, RAMPART_SIGNATURE_MAX);
    CHECK_OK(rprivkey_sign(k, (const uint8_t *)msg, sizeof(msg) - 1, &sig, &e));
    if (d->alg.sig_form == RKEY_SIG_FIXED)
        CHECK_INT(sig.len, d->alg.sig_len);
    CHECK_OK(rkey_verify(rk, sig.data, sig.len, (const uint8_t *)msg, sizeof(msg) - 1));
    CHECK_RC(rkey_verify(rk, sig.data, sig.len, (const uint8_t *)msg, sizeof(msg) - 2), RAMPART_EBADSIG);
    sig.data[sig.len - 1] ^= 0x01;
    CHECK_RC(rkey_verify(rk, sig.data, sig.len, (const uint8_t *)msg, sizeof(msg) - 1), RAMPART_EBADSIG);
    rbuf_free(&sig);
    rkey_free(rk);
}

/* The private key through its PKCS#8 PEM: the row the loader picks, and
 * the same public value. */
static void check_pkcs8(const rkey_scheme_def *d, const rprivkey *k, const rbuf *pub)
{
    rbuf pem, pub2;
    rbuf_init_secret(&pem, 1 << 16);
    rbuf_init(&pub2, 1 << 16);
    rerr e = {0};
    rprivkey *loaded = NULL;
    CHECK_OK(rprivkey_to_pem(k, NULL, 0, &pem, &e));
    CHECK_OK(rprivkey_load_pem(&loaded, pem.data, pem.len, NULL, 0, &e));
    CHECK(rscheme_get(rprivkey_scheme(loaded)) == first_row_like(d));
    CHECK_OK(rprivkey_public_tuf(loaded, &pub2, &e));
    CHECK_MEM(pub2.data, pub2.len, pub->data, pub->len);
    rprivkey_free(loaded);
    rbuf_free(&pem);
    rbuf_free(&pub2);
}

/* The key files and the signer: rampart_key_generate, the .pub file, the
 * private key file behind a signer, a signature the .pub key verifies. */
static void check_files(const rkey_scheme_def *d)
{
    char priv[80], pubname[80];
    snprintf(priv, sizeof(priv), "%s.key", d->cli_name);
    snprintf(pubname, sizeof(pubname), "%s.pub", d->cli_name);
    rampart_keygen_options o = RAMPART_KEYGEN_OPTIONS_INIT;
    o.type = d->api_type;
    rampart_public_key *made = NULL, *read = NULL;
    rampart_signer *s = NULL;
    rampart_error err;
    CHECK_OK(rampart_key_generate(&o, path_of(priv), path_of(pubname), &made, &err));
    CHECK_STR(rampart_public_key_keytype(made), d->keytype);
    CHECK_STR(rampart_public_key_scheme(made), d->scheme);
    CHECK_OK(rampart_public_key_load(&read, path_of(pubname), &err));
    CHECK_STR(rampart_public_key_keyid(read), rampart_public_key_keyid(made));
    CHECK_OK(rampart_signer_load_file(&s, path_of(priv), NULL, &err));
    CHECK_STR(rampart_signer_keyid(s), rampart_public_key_keyid(made));
    unsigned char sig[RAMPART_SIGNATURE_MAX];
    size_t n = 0;
    CHECK_OK(rampart_signer_sign(s, msg, sizeof(msg) - 1, sig, &n, &err));
    rkey *rk = NULL;
    rerr e = {0};
    CHECK_OK(rkey_from_tuf(&rk, S(rampart_public_key_keytype(read)), S(rampart_public_key_scheme(read)),
                           S(rampart_public_key_value(read)), &e));
    CHECK_OK(rkey_verify(rk, sig, n, (const uint8_t *)msg, sizeof(msg) - 1));
    rkey_free(rk);
    rampart_signer_free(s);
    rampart_public_key_free(read);
    rampart_public_key_free(made);
}

/* A row's keytype never goes with another row's scheme (unless the two
 * rows share that keytype). */
static void check_pairs(const rkey_scheme_def *d, const rbuf *pub)
{
    for (size_t j = 0; j < rscheme_count(); j++) {
        const rkey_scheme_def *o = rscheme_get((rkey_scheme)j);
        if (o == d || strcmp(o->keytype, d->keytype) == 0 ||
            (o->keytype_alias != NULL && strcmp(o->keytype_alias, d->keytype) == 0))
            continue;
        rkey *k = NULL;
        CHECK_RC(rkey_from_tuf(&k, S(d->keytype), S(o->scheme), rbuf_slice(pub), NULL), RAMPART_EUNSUPPORTED);
        CHECK(k == NULL);
    }
}

static void check_row(rkey_scheme id)
{
    const rkey_scheme_def *d = rscheme_get(id);
    CHECK(d != NULL);
    fprintf(stderr, "  row %d: %s / %s\n", (int)id, d->keytype, d->scheme);
    check_lookups(d, id);
    rprivkey *k = NULL, *other = NULL;
    rerr e = {0};
    CHECK_OK(rprivkey_generate(&k, id, d->gen_bits_default, &e));
    CHECK_INT(rprivkey_scheme(k), id);
    CHECK(rprivkey_alg(k) == &d->alg);
    if (d->gen_bits_max != 0) {
        CHECK_RC(rprivkey_generate(&other, id, d->gen_bits_min - 1, &e), RAMPART_EINVAL);
        CHECK_RC(rprivkey_generate(&other, id, d->gen_bits_max + 1, &e), RAMPART_EINVAL);
        CHECK(other == NULL);
    }
    rbuf pub;
    rbuf_init(&pub, 1 << 16);
    CHECK_OK(rprivkey_public_tuf(k, &pub, &e));
    check_pub_form(d, &pub);
    rampart_public_key *pk = NULL;
    check_json_round_trip(d, &pub, &pk);
    CHECK(pk != NULL);
    check_sign_verify(d, id, k, pk);
    check_pkcs8(d, k, &pub);
    if (d->cli_name != NULL)
        check_files(d);
    check_pairs(d, &pub);
    rampart_public_key_free(pk);
    rbuf_free(&pub);
    rprivkey_free(k);
}

static void test_every_row(void)
{
    CHECK(rscheme_count() > 0 && rscheme_count() <= RSCHEME_MAX);
    for (size_t i = 0; i < rscheme_count(); i++)
        check_row((rkey_scheme)i);
    CHECK(rscheme_get((rkey_scheme)rscheme_count()) == NULL);
    CHECK(rscheme_get((rkey_scheme)-1) == NULL);
    /* the generated types are numbered from 0 without gaps */
    size_t named = 0, generated = 0;
    while (rampart_key_type_name((rampart_key_type)named) != NULL)
        named++;
    for (size_t i = 0; i < rscheme_count(); i++)
        generated += rscheme_get((rkey_scheme)i)->cli_name != NULL;
    CHECK_INT(named, generated);
}

/* A custom signer for rampart_signer_new: destroy is counted. */
static int destroyed;
static int never_sign(void *ctx, const unsigned char *m, size_t len, unsigned char *sig, size_t *siglen,
                      rampart_error *err)
{
    (void)ctx, (void)m, (void)len, (void)sig, (void)siglen, (void)err;
    return RAMPART_ECRYPTO;
}
static void count_destroy(void *ctx)
{
    (void)ctx;
    destroyed++;
}

/* A root whose one key has the given keytype and scheme. */
static int parse_root_with_key(const char *keytype, const char *scheme, tuf_md **out, rerr *e)
{
    char doc[1024];
    snprintf(doc, sizeof(doc),
             "{\"signatures\":[],\"signed\":{\"_type\":\"root\",\"consistent_snapshot\":true,"
             "\"expires\":\"2100-01-01T00:00:00Z\",\"keys\":{\"%064d\":{\"keytype\":\"%s\",\"keyval\":{\"public\":"
             "\"00\"},\"scheme\":\"%s\"}},\"roles\":{\"root\":{\"keyids\":[\"%064d\"],\"threshold\":1},"
             "\"snapshot\":{\"keyids\":[\"%064d\"],\"threshold\":1},\"targets\":{\"keyids\":[\"%064d\"],"
             "\"threshold\":1},\"timestamp\":{\"keyids\":[\"%064d\"],\"threshold\":1}},\"spec_version\":\"1.0.31\","
             "\"version\":1}}",
             0, keytype, scheme, 0, 0, 0, 0);
    return tuf_md_parse(out, (const uint8_t *)doc, strlen(doc), false, strlen(doc), TUF_ROOT, "root", e);
}

/* Keytypes and schemes that are no row: RAMPART_EUNSUPPORTED from every
 * door that takes them, with the message it has always had. */
static void test_unknown_pairs(void)
{
    static const struct {
        const char *keytype, *scheme;
    } bad[] = {
        {"dsa", "dsa"},
        {"ed25519", "ed448"},             /* known keytype, unknown scheme */
        {"ecdsa", "ecdsa-sha2-nistp192"}, /* a curve that is no row */
        {"rsa", "rsassa-pss-md5"},
        {"rsa", "rsa"},
        {"ED25519", "ed25519"}, /* compared byte for byte */
        {"ed25519", "Ed25519"},
        {"ecdsa-sha2-nistp256", "ed25519"}, /* an alias belongs to its own row */
        {"", ""},
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(bad); i++) {
        rkey *k = (rkey *)(uintptr_t)0x5e;
        rerr e = {0};
        char want[200];
        snprintf(want, sizeof(want), "unsupported keytype/scheme '%s'/'%s'", bad[i].keytype, bad[i].scheme);
        CHECK(rscheme_from_tuf(S(bad[i].keytype), S(bad[i].scheme)) == NULL);
        CHECK_RC(rkey_from_tuf(&k, S(bad[i].keytype), S(bad[i].scheme), S("00"), &e), RAMPART_EUNSUPPORTED);
        CHECK(k == (rkey *)(uintptr_t)0x5e);
        CHECK_INT(e.code, RAMPART_EUNSUPPORTED);
        CHECK_STR(e.message, want);
        rampart_public_key *pk = NULL;
        CHECK_RC(rpub_new(&pk, S(bad[i].keytype), S(bad[i].scheme), S("00"), NULL), RAMPART_EUNSUPPORTED);
        CHECK(pk == NULL);
        /* The TUF parser keeps a key of a type it cannot use in the key
         * set (md_keys.c); it can never count towards a threshold. */
        tuf_md *md = NULL;
        CHECK_OK(parse_root_with_key(bad[i].keytype, bad[i].scheme, &md, &e));
        CHECK_INT(md->keys.n, 1);
        CHECK(md->keys.keys[0].key == NULL);
        CHECK_INT(md->keys.keys[0].key_error, RAMPART_EUNSUPPORTED);
        tuf_md_free(md);
    }
    /* a custom signer for such a key is refused, and its context released */
    static const rampart_signer_ops ops = {RAMPART_SIGNER_OPS_VERSION, never_sign, count_destroy};
    rampart_signer *s = NULL;
    rampart_error err;
    destroyed = 0;
    CHECK_RC(rampart_signer_new(&s, &ops, NULL, "dsa", "dsa", "00", &err), RAMPART_EUNSUPPORTED);
    CHECK(s == NULL);
    CHECK_INT(destroyed, 1);
    CHECK_STR(err.message, "unsupported keytype/scheme 'dsa'/'dsa'");
    /* and a public key file of one */
    FILE *f = fopen(path_of("dsa.pub"), "w");
    CHECK(f != NULL);
    fputs("{\"keytype\":\"dsa\",\"scheme\":\"dsa\",\"keyval\":{\"public\":\"00\"}}\n", f);
    CHECK(fclose(f) == 0);
    rampart_public_key *pk = NULL;
    char want[600];
    CHECK_RC(rampart_public_key_load(&pk, path_of("dsa.pub"), &err), RAMPART_EUNSUPPORTED);
    snprintf(want, sizeof(want), "%s: unsupported keytype/scheme 'dsa'/'dsa'", path_of("dsa.pub"));
    CHECK_STR(err.message, want);
    CHECK(pk == NULL);
}

/* Key types and schemes outside the table where keys are made. */
static void test_unknown_types(void)
{
    rprivkey *k = NULL;
    rerr e = {0};
    CHECK_RC(rprivkey_generate(&k, (rkey_scheme)rscheme_count(), 0, &e), RAMPART_EINVAL);
    CHECK_RC(rprivkey_generate(&k, (rkey_scheme)-1, 0, &e), RAMPART_EINVAL);
    CHECK(k == NULL);
    CHECK(rkey_scheme_keytype((rkey_scheme)rscheme_count()) == NULL);
    CHECK(rkey_scheme_name((rkey_scheme)-1) == NULL);
    rampart_keygen_options o = RAMPART_KEYGEN_OPTIONS_INIT;
    o.type = (rampart_key_type)rscheme_count();
    rampart_error err;
    char want[64];
    snprintf(want, sizeof(want), "unknown key type %d", (int)o.type);
    CHECK_RC(rampart_key_generate(&o, path_of("u.key"), path_of("u.pub"), NULL, &err), RAMPART_EINVAL);
    CHECK_STR(err.message, want);
    CHECK(rscheme_from_api(o.type) == NULL);
    rampart_key_type t = RAMPART_KEY_RSA;
    CHECK_RC(rampart_key_type_from_name("dsa", &t), RAMPART_EUNSUPPORTED);
    CHECK_RC(rampart_key_type_from_name("RSA", &t), RAMPART_EUNSUPPORTED);
    CHECK_RC(rampart_key_type_from_name("", &t), RAMPART_EUNSUPPORTED);
    CHECK_INT(t, RAMPART_KEY_RSA);
    CHECK_RC(rampart_key_type_from_name(NULL, &t), RAMPART_EINVAL);
    CHECK_RC(rampart_key_type_from_name("rsa", NULL), RAMPART_EINVAL);
    unsigned lo = 7, hi = 7;
    CHECK_RC(rampart_key_type_bits((rampart_key_type)-1, &lo, &hi), RAMPART_EINVAL);
    CHECK(lo == 7 && hi == 7);
    CHECK(rampart_key_type_name((rampart_key_type)-1) == NULL);
}

int main(void)
{
    dir = sim_mkdtemp();
    RUN(test_every_row);
    RUN(test_unknown_pairs);
    RUN(test_unknown_types);
    sim_rmtree(dir);
    free(dir);
    return th_summary("test_keys_scheme");
}
