/* scheme.c - the table of key types (scheme.h) and its lookups. */
#include <string.h>

#include "keys/scheme.h"
#include "util/banned.h"

/* PKCS#8 PrivateKeyInfo algorithms (RFC 8410 §3, RFC 5480 §2.1.1,
 * RFC 8017 Appendix C). */
#define OID_ED25519 "1.3.101.112"
#define OID_EC_PUBLIC_KEY "1.2.840.10045.2.1"
#define OID_RSA_ENCRYPTION "1.2.840.113549.1.1.1"

/* The order matters in one place: a PKCS#8 private key is given the first
 * row whose crypto side matches it (rprivkey_load_pem). */
static const rkey_scheme_def table[] = {
    [RKEY_ED25519] =
        {
            .keytype = "ed25519",
            .scheme = "ed25519",
            .pub_form = RKEY_PUB_HEX,
            .cli_name = "ed25519",
            .api_type = RAMPART_KEY_ED25519,
            .alg =
                {
                    .name = "ed25519",
                    .ossl_type = "ED25519",
                    .pkcs8_oid = OID_ED25519,
                    .raw_len = 32,
                    .digest = RKEY_NO_DIGEST, /* PureEdDSA (RFC 8032 §5.1) */
                    .sig_form = RKEY_SIG_FIXED,
                    .sig_len = 64,
                },
        },
    [RKEY_ECDSA_P256] =
        {
            .keytype = "ecdsa",
            /* Written by some TUF implementations as the keytype too. */
            .keytype_alias = "ecdsa-sha2-nistp256",
            .scheme = "ecdsa-sha2-nistp256",
            .pub_form = RKEY_PUB_PEM,
            .cli_name = "ecdsa",
            .api_type = RAMPART_KEY_ECDSA,
            .alg =
                {
                    .name = "ecdsa",
                    .ossl_type = "EC",
                    .pkcs8_oid = OID_EC_PUBLIC_KEY,
                    .ec_group = "prime256v1",
                    .ec_group_label = "P-256",
                    .digest = RHASH_SHA256,
                    .sig_form = RKEY_SIG_DER,
                    .raw_sig_len = 64, /* r || s, 32 bytes each */
                },
        },
    [RKEY_RSA_PSS_SHA256] =
        {
            .keytype = "rsa",
            .scheme = "rsassa-pss-sha256",
            .pub_form = RKEY_PUB_PEM,
            .cli_name = "rsa",
            .api_type = RAMPART_KEY_RSA,
            .gen_bits_default = 3072,
            .gen_bits_min = 3072,
            .gen_bits_max = 8192,
            .alg =
                {
                    .name = "rsa",
                    .ossl_type = "RSA",
                    .pkcs8_oid = OID_RSA_ENCRYPTION,
                    .digest = RHASH_SHA256,
                    .pss_salt = 32, /* the digest length */
                    .rsa_min_bits = 2048,
                    /* OpenSSL refuses to verify with larger moduli
                     * (OPENSSL_RSA_MAX_MODULUS_BITS); refusing them here
                     * reports the problem when the key is read. */
                    .rsa_max_bits = 16384,
                    .sig_form = RKEY_SIG_MODULUS,
                },
        },
};

_Static_assert(RAMPART_ARRAY_LEN(table) <= RSCHEME_MAX, "RSCHEME_MAX is too small for the table");

size_t rscheme_count(void)
{
    return RAMPART_ARRAY_LEN(table);
}

size_t rscheme_algs(const rkey_alg *out[RSCHEME_MAX])
{
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(table); i++)
        out[i] = &table[i].alg;
    return RAMPART_ARRAY_LEN(table);
}

const rkey_scheme_def *rscheme_get(rkey_scheme s)
{
    return (unsigned)s < RAMPART_ARRAY_LEN(table) ? &table[s] : NULL;
}

rkey_scheme rscheme_id(const rkey_scheme_def *d)
{
    return (rkey_scheme)(d - table);
}

const rkey_scheme_def *rscheme_from_tuf(rslice keytype, rslice scheme)
{
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(table); i++) {
        const rkey_scheme_def *d = &table[i];
        if (!rslice_eq_cstr(scheme, d->scheme))
            continue;
        /* The scheme names the algorithm; the keytype must be one of the
         * labels that go with it. */
        if (rslice_eq_cstr(keytype, d->keytype) ||
            (d->keytype_alias != NULL && rslice_eq_cstr(keytype, d->keytype_alias)))
            return d;
        return NULL;
    }
    return NULL;
}

const rkey_scheme_def *rscheme_from_alg(const rkey_alg *a)
{
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(table); i++)
        if (&table[i].alg == a)
            return &table[i];
    return NULL;
}

const rkey_scheme_def *rscheme_from_api(rampart_key_type t)
{
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(table); i++)
        if (table[i].cli_name != NULL && table[i].api_type == t)
            return &table[i];
    return NULL;
}

const char *rkey_scheme_keytype(rkey_scheme s)
{
    const rkey_scheme_def *d = rscheme_get(s);
    return d != NULL ? d->keytype : NULL;
}

const char *rkey_scheme_name(rkey_scheme s)
{
    const rkey_scheme_def *d = rscheme_get(s);
    return d != NULL ? d->scheme : NULL;
}

/* ---- the public view (rampart/signer.h) ------------------------------ */

const char *rampart_key_type_name(rampart_key_type t)
{
    const rkey_scheme_def *d = rscheme_from_api(t);
    return d != NULL ? d->cli_name : NULL;
}

int rampart_key_type_from_name(const char *name, rampart_key_type *out)
{
    if (out == NULL || name == NULL)
        return RAMPART_EINVAL;
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(table); i++) {
        if (table[i].cli_name != NULL && strcmp(table[i].cli_name, name) == 0) {
            *out = table[i].api_type;
            return 0;
        }
    }
    return RAMPART_EUNSUPPORTED;
}

int rampart_key_type_bits(rampart_key_type t, unsigned *min_bits, unsigned *max_bits)
{
    const rkey_scheme_def *d = rscheme_from_api(t);
    if (d == NULL)
        return RAMPART_EINVAL;
    if (min_bits != NULL)
        *min_bits = d->gen_bits_min;
    if (max_bits != NULL)
        *max_bits = d->gen_bits_max;
    return 0;
}
