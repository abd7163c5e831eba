/*
 * fuzz_pgp.c - the OpenPGP reader (src/assess/pgp.c): the input is tried
 * as a cleartext-signed message, as an armored signature and key block,
 * and as binary packets of signatures and keys.
 *
 * Invariants: every entry point returns 0, EFORMAT or ETOOLARGE; the signed
 * text is no longer than the input and the armored signature a suffix of
 * it; dearmored data is at most 3/4 of the input; counts are within the
 * caps; fingerprints are 20 (v4) or 32 (v6) bytes; a signer found is one of
 * the keys.
 */
#include "assess/pgp.h"
#include "fuzz_common.h"
#include "util/banned.h"

static bool code_ok(int rc)
{
    return rc == 0 || rc == RAMPART_EFORMAT || rc == RAMPART_ETOOLARGE;
}

static void packets(const uint8_t *p, size_t n)
{
    pgp_sig sigs[PGP_MAX_SIGS];
    pgp_key keys[PGP_MAX_KEYS];
    size_t ns = 0, nk = 0;
    int rs = pgp_read_sigs(p, n, sigs, PGP_MAX_SIGS, &ns, NULL);
    int rk = pgp_read_keys(p, n, keys, PGP_MAX_KEYS, &nk, NULL);
    FUZZ_CHECK(code_ok(rs) && code_ok(rk));
    if (rs != 0)
        ns = 0;
    if (rk != 0)
        nk = 0;
    FUZZ_CHECK(ns <= PGP_MAX_SIGS && nk <= PGP_MAX_KEYS);
    for (size_t i = 0; i < nk; i++)
        FUZZ_CHECK((keys[i].version == 4 && keys[i].fpr_len == 20) || (keys[i].version == 6 && keys[i].fpr_len == 32));
    for (size_t i = 0; i < ns; i++) {
        FUZZ_CHECK(sigs[i].version == 3 || sigs[i].version == 4 || sigs[i].version == 6);
        const pgp_key *k = pgp_signer(&sigs[i], keys, nk);
        FUZZ_CHECK(k == NULL || (k >= keys && k < keys + nk));
        char b[24];
        FUZZ_CHECK(pgp_hash_name(sigs[i].hash_alg, b) != NULL && pgp_pk_name(sigs[i].pk_alg, b) != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > PGP_MAX_INPUT)
        return 0;
    rbuf text, bin;
    rbuf_init(&text, (size_t)PGP_MAX_INPUT * 16);
    rbuf_init(&bin, PGP_MAX_INPUT);
    rslice sig = {0};
    int rc = pgp_cleartext(data, size, &text, &sig, NULL);
    FUZZ_CHECK(code_ok(rc) || rc == RAMPART_ENOMEM);
    if (rc == 0) {
        FUZZ_CHECK(text.len <= size && sig.p >= data && sig.p + sig.n == data + size);
        rc = pgp_dearmor(sig.p, sig.n, "PGP SIGNATURE", &bin, NULL);
        FUZZ_CHECK(code_ok(rc));
        if (rc == 0)
            packets(bin.data, bin.len);
    }
    static const char *const LABELS[2] = {"PGP SIGNATURE", "PGP PUBLIC KEY BLOCK"};
    for (int i = 0; i < 2; i++) {
        rc = pgp_dearmor(data, size, LABELS[i], &bin, NULL);
        FUZZ_CHECK(code_ok(rc));
        if (rc == 0) {
            FUZZ_CHECK(bin.len <= size);
            packets(bin.data, bin.len);
        }
    }
    packets(data, size);
    rbuf_free(&text);
    rbuf_free(&bin);
    return 0;
}
