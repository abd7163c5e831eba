/*
 * note.c - C2SP signed notes: key IDs, verifier keys, signers, parsing,
 * signing and verification.  See note.h.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/hash.h"
#include "keys/scheme.h"
#include "tlog/note.h"
#include "util/codec.h"
#include "util/banned.h"

/* "— " : U+2014 EM DASH and a space, which start a signature line. */
static const uint8_t sig_prefix[] = {0xe2, 0x80, 0x94, ' '};

static const rkey_alg *ed25519_alg(void)
{
    const rkey_scheme_def *d = rscheme_get(RKEY_ED25519);
    return d ? &d->alg : NULL;
}

/* One code point of strict UTF-8 at p[0..n) (no overlong forms, no
 * surrogates, at most U+10FFFF); its length, or 0 when invalid. */
static size_t utf8_next(const uint8_t *p, size_t n, uint32_t *cp)
{
    uint8_t c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if ((c & 0xe0) == 0xc0) {
        len = 2, v = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3, v = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

/* Unicode White_Space (what Go's unicode.IsSpace calls a space). */
static bool is_space(uint32_t c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0d) || c == 0x85 || c == 0xa0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

bool tlog_name_valid(const char *name, size_t n)
{
    if (name == NULL || n == 0 || n > TLOG_NAME_MAX)
        return false;
    const uint8_t *p = (const uint8_t *)name;
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t l = utf8_next(p + i, n - i, &c);
        /* signed-note: no Unicode space and no '+' in a key name. */
        if (l == 0 || c < 0x20 || c == 0x7f || c == '+' || is_space(c))
            return false;
        i += l;
    }
    return true;
}

int tlog_key_id(const char *name, size_t name_len, uint8_t type, const uint8_t *pub, size_t pub_len, uint32_t *out)
{
    rhash h = {NULL, RHASH_UNKNOWN};
    uint8_t d[RHASH_MAX_LEN];
    const uint8_t sep[2] = {0x0a, type};
    int rc = rhash_init(&h, RHASH_SHA256);
    if (rc != 0)
        return rc;
    rc = rhash_update(&h, name, name_len);
    if (rc == 0)
        rc = rhash_update(&h, sep, 2);
    if (rc == 0)
        rc = rhash_update(&h, pub, pub_len);
    if (rc == 0)
        rc = rhash_final(&h, d);
    rhash_free(&h);
    if (rc == 0)
        *out = ((uint32_t)d[0] << 24) | ((uint32_t)d[1] << 16) | ((uint32_t)d[2] << 8) | d[3];
    return rc;
}

void tlog_vkey_free(tlog_vkey *k)
{
    if (k == NULL)
        return;
    rkey_free(k->key);
    rampart_free(k);
}

/* A vkey from its parts, the ID checked against the computed one. */
static int vkey_make(tlog_vkey **out, const char *name, size_t nl, uint8_t type, const uint8_t *pub, size_t pl,
                     const uint32_t *want_id, rerr *e)
{
    if (!tlog_name_valid(name, nl))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "invalid key name");
    if (type != TLOG_SIG_ED25519 && type != TLOG_SIG_COSIGN_V1)
        return rerr_set(e, RAMPART_EUNSUPPORTED, NULL, "signature type 0x%02x is not supported", type);
    if (pl != TLOG_ED25519_LEN)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "an Ed25519 key is 32 bytes, not %zu", pl);
    uint32_t id;
    int rc = tlog_key_id(name, nl, type, pub, pl, &id);
    if (rc != 0)
        return rerr_set(e, rc, NULL, "computing a key ID failed");
    /* signed-note: the key ID is the one the name and key give (what Go's
     * note package also requires). */
    if (want_id != NULL && *want_id != id)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "key ID %08x is not the hash of the name and key (%08x)",
                        (unsigned)*want_id, (unsigned)id);
    tlog_vkey *k = rampart_calloc(1, sizeof(*k));
    if (k == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    rc = rkey_from_raw(&k->key, ed25519_alg(), pub, pl, e);
    if (rc != 0) {
        rampart_free(k);
        return rc;
    }
    memcpy(k->name, name, nl);
    k->name_len = nl;
    k->id = id;
    k->type = type;
    memcpy(k->pub, pub, pl);
    *out = k;
    return 0;
}

int tlog_vkey_parse(tlog_vkey **out, const char *s, size_t n, rerr *e)
{
    const char *p1 = memchr(s, '+', n);
    const char *p2 = p1 ? memchr(p1 + 1, '+', n - (size_t)(p1 + 1 - s)) : NULL;
    if (p1 == NULL || p2 == NULL)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "a verifier key is name+id+key");
    size_t nl = (size_t)(p1 - s);
    if (p2 - p1 - 1 != 8 || !rhex_valid(p1 + 1, 8, true))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "the key ID of a verifier key is 8 lower-case hex digits");
    uint8_t idb[4];
    size_t idn = 0;
    if (rhex_decode(idb, sizeof(idb), &idn, p1 + 1, 8) != 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "bad key ID");
    uint32_t id = ((uint32_t)idb[0] << 24) | ((uint32_t)idb[1] << 16) | ((uint32_t)idb[2] << 8) | idb[3];
    rbuf b;
    rbuf_init(&b, 64);
    int rc = rb64_decode(&b, p2 + 1, n - (size_t)(p2 + 1 - s), RB64_STD);
    if (rc != 0 || b.len < 1) {
        rbuf_free(&b);
        return rerr_set(e, RAMPART_EFORMAT, NULL, "the key of a verifier key is not base64 of a type and a key");
    }
    rc = vkey_make(out, s, nl, b.data[0], b.data + 1, b.len - 1, &id, e);
    rbuf_free(&b);
    return rc;
}

int tlog_vkey_format(const tlog_vkey *k, rbuf *out)
{
    uint8_t raw[1 + TLOG_ED25519_LEN];
    raw[0] = k->type;
    memcpy(raw + 1, k->pub, TLOG_ED25519_LEN);
    size_t before = out->len;
    int rc = rbuf_append(out, k->name, k->name_len);
    if (rc == 0)
        rc = rbuf_appendf(out, "+%08x+", (unsigned)k->id);
    if (rc == 0)
        rc = rb64_encode(out, raw, sizeof(raw), RB64_STD);
    if (rc != 0)
        out->len = before;
    return rc;
}

bool tlog_vkey_same_key(const tlog_vkey *a, const tlog_vkey *b)
{
    return memcmp(a->pub, b->pub, TLOG_ED25519_LEN) == 0;
}

int tlog_signer_init(tlog_signer *s, const char *name, uint8_t type, const rprivkey *key, rerr *e)
{
    size_t nl = name ? strlen(name) : 0;
    if (name == NULL || !tlog_name_valid(name, nl))
        return rerr_set(e, RAMPART_EINVAL, NULL, "invalid key name");
    if (type != TLOG_SIG_ED25519 && type != TLOG_SIG_COSIGN_V1)
        return rerr_set(e, RAMPART_EINVAL, NULL, "signature type 0x%02x is not supported", type);
    if (key == NULL || rprivkey_alg(key) != ed25519_alg())
        return rerr_set(e, RAMPART_EINVAL, NULL, "a log or witness key must be an Ed25519 key");
    uint8_t raw[RKEY_RAW_MAX];
    size_t rl = 0;
    int rc = rprivkey_public_raw(key, raw, &rl, e);
    if (rc != 0)
        return rc;
    if (rl != TLOG_ED25519_LEN)
        return rerr_set(e, RAMPART_ECRYPTO, NULL, "an Ed25519 public key of %zu bytes", rl);
    tlog_signer t = {.name_len = nl, .type = type, .key = key};
    rc = tlog_key_id(name, nl, type, raw, rl, &t.id);
    if (rc != 0)
        return rerr_set(e, rc, NULL, "computing a key ID failed");
    memcpy(t.name, name, nl);
    memcpy(t.pub, raw, TLOG_ED25519_LEN);
    *s = t;
    return 0;
}

int tlog_signer_vkey(const tlog_signer *s, tlog_vkey **out, rerr *e)
{
    return vkey_make(out, s->name, s->name_len, s->type, s->pub, TLOG_ED25519_LEN, NULL, e);
}

/* tlog-cosignature: the message a v1 cosignature signs. */
static int cosigned_message(rbuf *m, const uint8_t *text, size_t n, int64_t t)
{
    int rc = rbuf_appendf(m, "cosignature/v1\ntime %lld\n", (long long)t);
    return rc == 0 ? rbuf_append(m, text, n) : rc;
}

int tlog_note_sign_line(const tlog_signer *s, const uint8_t *text, size_t n, int64_t timestamp, rbuf *out, rerr *e)
{
    if (n == 0 || text[n - 1] != '\n')
        return rerr_set(e, RAMPART_EINVAL, NULL, "a note text ends in a newline");
    if (s->type == TLOG_SIG_COSIGN_V1 && timestamp < 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "a cosignature's time is 0 to 2^63-1");
    rbuf msg, sig;
    rbuf_init(&msg, TLOG_NOTE_MAX + 64);
    rbuf_init(&sig, 128);
    uint8_t head[12];
    size_t hl = 4;
    for (int i = 0; i < 4; i++)
        head[i] = (uint8_t)(s->id >> (24 - 8 * i));
    int rc;
    if (s->type == TLOG_SIG_COSIGN_V1) {
        for (int i = 0; i < 8; i++)
            head[4 + i] = (uint8_t)((uint64_t)timestamp >> (56 - 8 * i));
        hl = 12;
        rc = cosigned_message(&msg, text, n, timestamp);
    } else {
        rc = rbuf_append(&msg, text, n);
    }
    if (rc == 0)
        rc = rbuf_append(&sig, head, hl);
    if (rc == 0 && (rc = rprivkey_sign(s->key, msg.data, msg.len, &sig, e)) != 0) {
        rbuf_free(&msg);
        rbuf_free(&sig);
        return rc; /* e says why */
    }
    size_t before = out->len;
    if (rc == 0)
        rc = rbuf_append(out, sig_prefix, sizeof(sig_prefix));
    if (rc == 0)
        rc = rbuf_append(out, s->name, s->name_len);
    if (rc == 0)
        rc = rbuf_append_byte(out, ' ');
    if (rc == 0)
        rc = rb64_encode(out, sig.data, sig.len, RB64_STD);
    if (rc == 0)
        rc = rbuf_append_byte(out, '\n');
    if (rc != 0)
        out->len = before;
    rbuf_free(&msg);
    rbuf_free(&sig);
    return rc == 0 ? 0 : rerr_set(e, rc, NULL, "no room for a note signature");
}

int tlog_note_line(const char *name, size_t name_len, uint32_t id, const uint8_t *sig, size_t siglen, rbuf *out,
                   rerr *e)
{
    if (!tlog_name_valid(name, name_len) || siglen > 256)
        return rerr_set(e, RAMPART_EINVAL, NULL, "a signature line needs a valid key name and a signature");
    uint8_t raw[4 + 256];
    for (int i = 0; i < 4; i++)
        raw[i] = (uint8_t)(id >> (24 - 8 * i));
    if (siglen > 0)
        memcpy(raw + 4, sig, siglen);
    size_t before = out->len;
    int rc = rbuf_append(out, sig_prefix, sizeof(sig_prefix));
    if (rc == 0)
        rc = rbuf_append(out, name, name_len);
    if (rc == 0)
        rc = rbuf_append_byte(out, ' ');
    if (rc == 0)
        rc = rb64_encode(out, raw, 4 + siglen, RB64_STD);
    if (rc == 0)
        rc = rbuf_append_byte(out, '\n');
    if (rc != 0) {
        out->len = before;
        return rerr_set(e, rc, NULL, "no room for a note signature");
    }
    return 0;
}

void tlog_note_free(tlog_note *nt)
{
    if (nt == NULL)
        return;
    rampart_free(nt->data);
    rampart_free(nt->sigbytes);
    rampart_free(nt);
}

/* signed-note: valid UTF-8 and no ASCII control character but newline. */
static bool note_bytes_ok(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t l = utf8_next(p + i, n - i, &c);
        if (l == 0 || (c < 0x20 && c != '\n'))
            return false;
        i += l;
    }
    return true;
}

/* One signature line p[0..n) (without its newline) into nt->sigs[nt->nsig]. */
static int parse_sig_line(tlog_note *nt, rbuf *sb, size_t off, size_t n, rerr *e)
{
    const uint8_t *p = nt->data + off;
    if (n < sizeof(sig_prefix) || memcmp(p, sig_prefix, sizeof(sig_prefix)) != 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "signature line %zu does not start with an em dash and a space",
                        nt->nsig + 1);
    const uint8_t *name = p + sizeof(sig_prefix);
    size_t rest = n - sizeof(sig_prefix);
    const uint8_t *sp = memchr(name, ' ', rest);
    if (sp == NULL)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "signature line %zu has no signature", nt->nsig + 1);
    size_t nl = (size_t)(sp - name);
    if (!tlog_name_valid((const char *)name, nl))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "signature line %zu has an invalid key name", nt->nsig + 1);
    if (nt->nsig >= TLOG_NOTE_MAX_SIGS)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "a note with more than %d signatures", TLOG_NOTE_MAX_SIGS);
    size_t before = sb->len;
    if (rb64_decode(sb, (const char *)sp + 1, rest - nl - 1, RB64_STD) != 0 || sb->len - before < 4)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "signature line %zu is not base64 of a key ID and a signature",
                        nt->nsig + 1);
    const uint8_t *id = sb->data + before;
    tlog_note_sig *s = &nt->sigs[nt->nsig++];
    s->name_off = (size_t)(name - nt->data);
    s->name_len = nl;
    s->id = ((uint32_t)id[0] << 24) | ((uint32_t)id[1] << 16) | ((uint32_t)id[2] << 8) | id[3];
    s->sig_off = before + 4;
    s->sig_len = sb->len - before - 4;
    return 0;
}

/* Splits the note into text and signature lines. */
static int note_split(tlog_note *nt, rbuf *sb, rerr *e)
{
    const uint8_t *p = nt->data;
    size_t n = nt->len;
    if (n == 0 || p[n - 1] != '\n')
        return rerr_set(e, RAMPART_EFORMAT, NULL, "a note ends in a newline");
    /* The signatures follow the last blank line ("\n\n"). */
    size_t sep = SIZE_MAX;
    for (size_t i = n - 1; i-- > 0;)
        if (p[i] == '\n' && p[i + 1] == '\n') {
            sep = i;
            break;
        }
    if (sep == SIZE_MAX)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "a note has no blank line before its signatures");
    nt->text_len = sep + 1;
    size_t at = sep + 2;
    if (at >= n)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "a note without signatures");
    while (at < n) {
        const uint8_t *nl = memchr(p + at, '\n', n - at);
        size_t end = (size_t)(nl - p); /* n - 1 at the latest: the note ends in a newline */
        int rc = parse_sig_line(nt, sb, at, end - at, e);
        if (rc != 0)
            return rc;
        at = end + 1;
    }
    return 0;
}

int tlog_note_parse(tlog_note **out, const uint8_t *p, size_t n, rerr *e)
{
    if (n > TLOG_NOTE_MAX)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "a note of %zu bytes is over %d", n, TLOG_NOTE_MAX);
    if (!note_bytes_ok(p, n))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "a note is valid UTF-8 without control characters");
    tlog_note *nt = rampart_calloc(1, sizeof(*nt));
    if (nt == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    nt->data = rampart_malloc(n ? n : 1);
    if (nt->data == NULL) {
        tlog_note_free(nt);
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    if (n > 0)
        memcpy(nt->data, p, n);
    nt->len = n;
    rbuf sb;
    rbuf_init(&sb, TLOG_NOTE_MAX);
    int rc = note_split(nt, &sb, e);
    if (rc == 0) {
        size_t l;
        nt->sigbytes = rbuf_detach(&sb, &l);
        if (nt->sigbytes == NULL)
            rc = rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    rbuf_free(&sb);
    if (rc != 0) {
        tlog_note_free(nt);
        return rc;
    }
    *out = nt;
    return 0;
}

/* Verifies signature `s` of the note with key `k` (same name and ID). */
static int verify_one(const tlog_note *nt, const tlog_note_sig *s, const tlog_vkey *k, tlog_note_verdict *v, rerr *e)
{
    const uint8_t *sig = nt->sigbytes + s->sig_off;
    size_t sl = s->sig_len;
    int64_t t = 0;
    rbuf msg;
    rbuf_init(&msg, TLOG_NOTE_MAX + 64);
    int rc = 0;
    if (k->type == TLOG_SIG_COSIGN_V1) {
        if (sl != 8 + 64)
            rc = RAMPART_EBADSIG;
        uint64_t ts = 0;
        for (size_t i = 0; rc == 0 && i < 8; i++)
            ts = (ts << 8) | sig[i];
        /* tlog-cosignature: the timestamp MUST NOT exceed 2^63 - 1. */
        if (rc == 0 && ts > (uint64_t)TLOG_TIME_MAX)
            rc = RAMPART_EBADSIG;
        t = (int64_t)ts;
        if (rc == 0)
            rc = cosigned_message(&msg, nt->data, nt->text_len, t);
        sig += 8;
        sl -= sl >= 8 ? 8 : sl;
    } else {
        rc = rbuf_append(&msg, nt->data, nt->text_len);
    }
    if (rc == 0)
        rc = rkey_verify(k->key, sig, sl, msg.data, msg.len);
    rbuf_free(&msg);
    if (rc == RAMPART_EBADSIG)
        return rerr_set(e, RAMPART_EBADSIG, NULL, "the signature of '%.*s' on the note does not verify",
                        (int)k->name_len, k->name);
    if (rc != 0)
        return rerr_set(e, rc, NULL, "verifying a note signature failed");
    v->verified = true;
    v->timestamp = t;
    return 0;
}

int tlog_note_verify(const tlog_note *nt, const tlog_vkey *const *keys, size_t nkeys, tlog_note_verdict *out, rerr *e)
{
    tlog_note_verdict *v = rampart_calloc(nkeys ? nkeys : 1, sizeof(*v));
    if (v == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    bool any = false;
    int rc = 0;
    for (size_t i = 0; i < nt->nsig && rc == 0; i++) {
        const tlog_note_sig *s = &nt->sigs[i];
        for (size_t k = 0; k < nkeys && rc == 0; k++) {
            /* signed-note: a key is known by its name AND its key ID; a
             * line that matches only one of them is someone else's. */
            if (keys[k]->id != s->id || keys[k]->name_len != s->name_len ||
                memcmp(keys[k]->name, nt->data + s->name_off, s->name_len) != 0)
                continue;
            rc = verify_one(nt, s, keys[k], &v[k], e);
            any = any || rc == 0;
        }
    }
    if (rc == 0 && !any)
        rc = rerr_set(e, RAMPART_EBADSIG, NULL, "the note carries no signature of a known key");
    if (rc == 0 && nkeys > 0)
        memcpy(out, v, nkeys * sizeof(*v));
    rampart_free(v);
    return rc;
}
