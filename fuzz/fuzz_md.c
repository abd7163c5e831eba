/*
 * fuzz_md.c - tuf_md_parse, the strict metadata parser, for one role:
 * built once per role with FUZZ_MD_EXPECT = TUF_ROOT, TUF_TIMESTAMP,
 * TUF_SNAPSHOT, TUF_TARGETS or TUF_TYPE_ANY (targets md_root, ..., md_any).
 *
 * Invariants checked on every input:
 *  - parse returns 0, EFORMAT or ETOOLARGE; on success the type is the one
 *    expected, the bytes are the input, and (for md_any) parsing again as
 *    that type succeeds while every other type is EFORMAT;
 *  - the canonical form of "signed" exists and is never longer than the input;
 *  - everything validated at parse time can be looked up later without a
 *    format error: each key by its keyid, each META entry and target by its
 *    name, signature verification ends in 0 or EBADSIG only, hash lists
 *    decode or name an unsupported algorithm;
 *  - delegations: a succinct bin computed for a path is one of its bins, and
 *    tuf_delegation_covers agrees with the patterns and prefixes themselves.
 */
#include "fuzz_common.h"
#include "tuf/match.h"
#include "tuf/md.h"
#include "util/banned.h"

#ifndef FUZZ_MD_EXPECT
#define FUZZ_MD_EXPECT TUF_TYPE_ANY
#endif

#define MAX_INPUT (1u << 20)

static void check_auth(const tuf_md *md, const tuf_role_auth *a)
{
    FUZZ_CHECK(a->threshold >= 1);
    for (size_t i = 0; i < a->nkeyids; i++)
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(!rslice_eq(a->keyids[i], a->keyids[j]));
    (void)md;
}

static void check_keys(const tuf_keyset *ks)
{
    for (size_t i = 0; i < ks->n; i++) {
        const tuf_key *k = &ks->keys[i];
        FUZZ_CHECK(k->key != NULL || k->key_error != 0);
        FUZZ_CHECK(tuf_keyset_find(ks, k->keyid) == k);
    }
}

/* Verification against the document's own keys can only succeed or miss
 * the threshold; the status of each signature is one of the known ones. */
static void check_verify(tuf_md *md, const tuf_keyset *ks, const tuf_role_auth *a)
{
    int rc = tuf_md_verify(md, ks, a, "fuzz", NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EBADSIG);
    for (size_t i = 0; i < md->nsigs && i < 8; i++) {
        tuf_sig_status st;
        FUZZ_CHECK(tuf_md_sig_status(md, i, ks, a, &st) == 0);
        FUZZ_CHECK(st >= TUF_SIG_VALID && st <= TUF_SIG_DUPLICATE_KEY);
    }
}

static void check_hashes(const tuf_md *md, jd_ref hashes, int64_t length, const uint8_t *data, size_t size)
{
    if (hashes != JD_NONE) {
        tuf_hashlist hl;
        int rc = tuf_hashlist_parse(md, hashes, &hl, "fuzz", NULL);
        FUZZ_CHECK(rc == 0 || rc == RAMPART_EUNSUPPORTED || rc == RAMPART_EFORMAT);
        if (rc == 0)
            FUZZ_CHECK(hl.n >= 1 && hl.n <= TUF_MAX_HASHES);
    }
    int rc = tuf_check_hashes(md, hashes, length, data, size, "fuzz", NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EMISMATCH || rc == RAMPART_EUNSUPPORTED || rc == RAMPART_EFORMAT);
}

static void check_meta(const tuf_md *md, const uint8_t *data, size_t size)
{
    const jdoc *d = md->doc;
    for (jd_ref k = jdoc_first(d, md->meta); k != JD_NONE; k = jdoc_next_key(d, k)) {
        tuf_metafile mf;
        FUZZ_CHECK(tuf_md_metafile(md, jdoc_str(d, k), &mf) == 0);
        FUZZ_CHECK(mf.version >= 1 && mf.version <= TUF_VERSION_MAX && mf.length >= -1);
        check_hashes(md, mf.hashes, mf.length, data, size);
    }
}

/* Independent reading of a delegation: does a pattern or prefix take `path`? */
static bool covers_by_hand(const tuf_md *md, const tuf_delegation *dr, rslice path, const tuf_path_hash *ph)
{
    const jdoc *d = md->doc;
    jd_ref list = dr->paths != JD_NONE ? dr->paths : dr->path_hash_prefixes;
    for (jd_ref s = jdoc_first(d, list); s != JD_NONE; s = jdoc_next(d, s)) {
        rslice v = jdoc_str(d, s);
        if (dr->paths != JD_NONE ? tuf_glob_match(v, path) : (v.n <= 64 && memcmp(ph->hex, v.p, v.n) == 0))
            return true;
    }
    return false;
}

static void check_path(const tuf_md *md, rslice path)
{
    tuf_path_hash ph;
    FUZZ_CHECK(tuf_path_hash_compute(path, &ph) == 0);
    FUZZ_CHECK(strlen(ph.hex) == 64);
    for (size_t i = 0; i < md->ndelegations; i++) {
        const tuf_delegation *dr = &md->delegations[i];
        FUZZ_CHECK(tuf_delegation_covers(md, dr, path, &ph) == covers_by_hand(md, dr, path, &ph));
    }
    if (md->has_succinct) {
        rbuf bin;
        rbuf_init(&bin, 4096);
        int rc = tuf_succinct_role_for(&md->succinct, &ph, &bin);
        FUZZ_CHECK(rc == 0 || rc == RAMPART_ETOOLARGE);
        if (rc == 0)
            FUZZ_CHECK(tuf_succinct_is_role(&md->succinct, rbuf_slice(&bin)));
        rbuf_free(&bin);
    }
}

static void check_targets(tuf_md *md, const uint8_t *data, size_t size)
{
    const jdoc *d = md->doc;
    unsigned n = 0;
    for (jd_ref k = jdoc_first(d, md->targets); k != JD_NONE; k = jdoc_next_key(d, k), n++) {
        rslice path = jdoc_str(d, k);
        tuf_targetfile tf;
        FUZZ_CHECK(tuf_md_target(md, path, &tf) == 0);
        FUZZ_CHECK(tf.length >= 0 && tf.hashes != JD_NONE);
        check_hashes(md, tf.hashes, tf.length, data, size);
        if (tf.custom != JD_NONE) {
            rbuf c;
            rbuf_init(&c, MAX_INPUT);
            FUZZ_CHECK(jdoc_canonical(d, tf.custom, &c) == 0);
            rbuf_free(&c);
        }
        if (n < 8)
            check_path(md, path);
    }
    static const char *const fixed[] = {"a", "app-1.0.tar.gz", "dir/file.txt", "a/b/c/d", ""};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(fixed); i++)
        check_path(md, rslice_cstr(fixed[i]));
    if (md->has_delegations) {
        check_keys(&md->keys);
        for (size_t i = 0; i < md->ndelegations; i++) {
            check_auth(md, &md->delegations[i].auth);
            FUZZ_CHECK(md->delegations[i].auth.name.n > 0);
            if (i < 4)
                check_verify(md, &md->keys, &md->delegations[i].auth);
        }
        if (md->has_succinct) {
            check_auth(md, &md->succinct.auth);
            FUZZ_CHECK(md->succinct.bit_length >= 1 && md->succinct.bit_length <= 32);
        }
    }
}

static void check_one(tuf_md *md, const uint8_t *data, size_t size)
{
    rslice bytes = tuf_md_bytes(md);
    FUZZ_CHECK(bytes.n == size && (size == 0 || memcmp(bytes.p, data, size) == 0));
    FUZZ_CHECK(md->version >= 1 && md->version <= TUF_VERSION_MAX);
    rslice canon;
    FUZZ_CHECK(tuf_md_canonical(md, &canon) == 0);
    FUZZ_CHECK(canon.n <= size);
    /* Computed once: the second call gives the same bytes. */
    rslice again;
    FUZZ_CHECK(tuf_md_canonical(md, &again) == 0 && again.p == canon.p && again.n == canon.n);
    for (size_t i = 0; i < md->nsigs; i++)
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(!rslice_eq(md->sigs[i].keyid, md->sigs[j].keyid));

    switch (md->type) {
    case TUF_ROOT:
        check_keys(&md->keys);
        for (int t = 0; t < 4; t++)
            check_auth(md, &md->roles[t]);
        check_verify(md, &md->keys, &md->roles[TUF_ROOT]);
        break;
    case TUF_TIMESTAMP: {
        tuf_metafile mf;
        FUZZ_CHECK(tuf_md_metafile(md, rslice_cstr("snapshot.json"), &mf) == 0);
        FUZZ_CHECK(mf.version == md->snapshot_meta.version && mf.length == md->snapshot_meta.length);
        check_meta(md, data, size);
        break;
    }
    case TUF_SNAPSHOT:
        check_meta(md, data, size);
        break;
    case TUF_TARGETS:
        check_targets(md, data, size);
        break;
    default:
        FUZZ_CHECK(0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tuf_md *md = NULL;
    rerr e = {0};
    /* The client's way: the parser owns an exactly sized heap copy. */
    int rc = tuf_md_parse(&md, fuzz_dup(data, size), size, true, MAX_INPUT, FUZZ_MD_EXPECT, NULL, &e);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT || rc == RAMPART_ETOOLARGE);
    if (rc != 0) {
        FUZZ_CHECK(md == NULL && e.code == rc);
        return 0;
    }
    if (FUZZ_MD_EXPECT != TUF_TYPE_ANY) {
        FUZZ_CHECK(md->type == FUZZ_MD_EXPECT);
    } else {
        /* The type it announced parses; every other type is refused. */
        for (int t = 0; t < 4; t++) {
            tuf_md *other = NULL;
            rc = tuf_md_parse(&other, data, size, false, MAX_INPUT, (tuf_type)t, NULL, NULL);
            if ((tuf_type)t == md->type)
                FUZZ_CHECK(rc == 0 && other->version == md->version && other->expires == md->expires);
            else
                FUZZ_CHECK(rc == RAMPART_EFORMAT);
            tuf_md_free(other);
        }
    }
    check_one(md, data, size);
    tuf_md_free(md);
    return 0;
}
