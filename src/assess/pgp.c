/* pgp.c - the OpenPGP packet reader (pgp.h): armor, cleartext framing,
 * signature and public key packets.  Every length is checked against what
 * is left before it is used. */
#include <stdio.h>
#include <string.h>

#include "assess/pgp.h"
#include "crypto/hash.h"
#include "crypto/legacy.h"
#include "util/codec.h"
#include "util/banned.h"

typedef struct cur {
    const uint8_t *p;
    size_t n;
} cur;

static bool take(cur *c, size_t k, const uint8_t **out)
{
    if (k > c->n)
        return false;
    *out = c->p;
    c->p += k;
    c->n -= k;
    return true;
}

static bool u8(cur *c, unsigned *v)
{
    const uint8_t *b;
    if (!take(c, 1, &b))
        return false;
    *v = b[0];
    return true;
}

static bool be(cur *c, size_t k, uint32_t *v)
{
    const uint8_t *b;
    if (!take(c, k, &b))
        return false;
    uint32_t x = 0;
    for (size_t i = 0; i < k; i++)
        x = (x << 8) | b[i];
    *v = x;
    return true;
}

/* ---- armor (RFC 9580 §6) ------------------------------------------------------- */

/* The next line of [*p, end): without its "\n" or "\r\n". */
static bool next_line(const uint8_t **p, const uint8_t *end, rslice *line)
{
    if (*p >= end)
        return false;
    const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
    const uint8_t *stop = nl != NULL ? nl : end;
    size_t len = (size_t)(stop - *p);
    if (len > 0 && (*p)[len - 1] == '\r')
        len--;
    *line = (rslice){.p = *p, .n = len};
    *p = nl != NULL ? nl + 1 : end;
    return true;
}

static bool line_is(rslice l, const char *kind, const char *label)
{
    char want[96];
    int k = snprintf(want, sizeof(want), "-----%s %s-----", kind, label);
    return k > 0 && (size_t)k == l.n && memcmp(l.p, want, l.n) == 0;
}

/* CRC-24 (RFC 9580 §6.1.1) */
static uint32_t crc24(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xB704CEu;
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint32_t)p[i] << 16;
        for (int b = 0; b < 8; b++) {
            crc <<= 1;
            if (crc & 0x1000000u)
                crc ^= 0x1864CFBu;
        }
    }
    return crc & 0xFFFFFFu;
}

static bool blank(rslice l)
{
    for (size_t i = 0; i < l.n; i++)
        if (l.p[i] != ' ' && l.p[i] != '\t')
            return false;
    return true;
}

int pgp_dearmor(const uint8_t *in, size_t n, const char *label, rbuf *out, rerr *e)
{
    if (n > PGP_MAX_INPUT)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "OpenPGP data larger than %u bytes", PGP_MAX_INPUT);
    rbuf_reset(out);
    if (n > 0 && (in[0] & 0x80) != 0)
        return rbuf_append(out, in, n) == 0 ? 0 : rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    const uint8_t *p = in, *end = in + n;
    rslice l;
    while (next_line(&p, end, &l) && blank(l)) {
    }
    if (!line_is(l, "BEGIN", label))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "no '-----BEGIN %s-----' line", label);
    /* Armor headers ("Key: value") up to an empty line. */
    for (;;) {
        if (!next_line(&p, end, &l))
            return rerr_set(e, RAMPART_EFORMAT, NULL, "armor ends in its headers");
        if (l.n == 0)
            break;
        if (memchr(l.p, ':', l.n) == NULL)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "armor header without ':'");
    }
    RAMPART_AUTO(rbuf_free) rbuf b64;
    rbuf_init(&b64, PGP_MAX_INPUT);
    bool have_crc = false, ended = false;
    uint32_t want_crc = 0;
    while (next_line(&p, end, &l)) {
        if (line_is(l, "END", label)) {
            ended = true;
            break;
        }
        if (have_crc)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "armor data after the checksum line");
        if (l.n > 0 && l.p[0] == '=') {
            RAMPART_AUTO(rbuf_free) rbuf c;
            rbuf_init(&c, 8);
            if (l.n != 5 || rb64_decode(&c, (const char *)l.p + 1, 4, RB64_STD) != 0 || c.len != 3)
                return rerr_set(e, RAMPART_EFORMAT, NULL, "bad armor checksum line");
            want_crc = ((uint32_t)c.data[0] << 16) | ((uint32_t)c.data[1] << 8) | c.data[2];
            have_crc = true;
            continue;
        }
        if (rbuf_append(&b64, l.p, l.n) != 0)
            return rerr_set(e, RAMPART_ETOOLARGE, NULL, "armor too large");
    }
    if (!ended)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "no '-----END %s-----' line", label);
    while (next_line(&p, end, &l))
        if (!blank(l))
            return rerr_set(e, RAMPART_EFORMAT, NULL, "data after the armor");
    if (rb64_decode(out, b64.len > 0 ? (const char *)b64.data : "", b64.len, RB64_STD) != 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "bad base64 in the armor");
    if (have_crc && crc24(out->data, out->len) != want_crc)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "armor checksum (CRC-24) does not match");
    return 0;
}

/* ---- cleartext signature framework (RFC 9580 §7) --------------------------------- */

int pgp_cleartext(const uint8_t *in, size_t n, rbuf *text, rslice *sig, rerr *e)
{
    if (n > (size_t)PGP_MAX_INPUT * 16u)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "signed message too large");
    const uint8_t *p = in, *end = in + n;
    rslice l;
    if (!next_line(&p, end, &l) || !line_is(l, "BEGIN", "PGP SIGNED MESSAGE"))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "not a cleartext-signed message");
    /* "Hash:" headers up to an empty line. */
    for (;;) {
        if (!next_line(&p, end, &l))
            return rerr_set(e, RAMPART_EFORMAT, NULL, "message ends in its headers");
        if (l.n == 0)
            break;
        if (l.n < 6 || memcmp(l.p, "Hash: ", 6) != 0)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "unknown cleartext header");
    }
    rbuf_reset(text);
    bool first = true;
    for (;;) {
        const uint8_t *start = p;
        if (!next_line(&p, end, &l))
            return rerr_set(e, RAMPART_EFORMAT, NULL, "no signature after the signed text");
        if (line_is(l, "BEGIN", "PGP SIGNATURE")) {
            *sig = (rslice){.p = start, .n = (size_t)(end - start)};
            return 0;
        }
        if (l.n > 0 && l.p[0] == '-') {
            /* Dash-escaped: "- " then the line. */
            if (l.n < 2 || l.p[1] != ' ')
                return rerr_set(e, RAMPART_EFORMAT, NULL, "a text line starts with '-' unescaped");
            l.p += 2;
            l.n -= 2;
        }
        int rc = first ? 0 : rbuf_append_byte(text, '\n');
        if (rc == 0)
            rc = rbuf_append(text, l.p, l.n);
        if (rc != 0)
            return rerr_set(e, rc, NULL, "signed text too large");
        first = false;
    }
}

/* ---- packets (RFC 9580 §4.2) ------------------------------------------------------- */

/* The next packet's tag and body. */
static int packet(cur *c, unsigned *tag, cur *body, rerr *e)
{
    unsigned h;
    if (!u8(c, &h) || (h & 0x80) == 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "not an OpenPGP packet header");
    uint32_t len = 0;
    if (h & 0x40) { /* new format */
        *tag = h & 0x3f;
        unsigned a, b;
        if (!u8(c, &a))
            return rerr_set(e, RAMPART_EFORMAT, NULL, "truncated packet length");
        if (a < 192) {
            len = a;
        } else if (a < 224) {
            if (!u8(c, &b))
                return rerr_set(e, RAMPART_EFORMAT, NULL, "truncated packet length");
            len = ((a - 192) << 8) + b + 192;
        } else if (a == 255) {
            if (!be(c, 4, &len))
                return rerr_set(e, RAMPART_EFORMAT, NULL, "truncated packet length");
        } else {
            return rerr_set(e, RAMPART_EFORMAT, NULL, "partial body length refused");
        }
    } else { /* old format */
        *tag = (h >> 2) & 0x0f;
        unsigned lt = h & 3;
        if (lt == 3)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "indeterminate packet length refused");
        if (!be(c, (size_t)1 << lt, &len))
            return rerr_set(e, RAMPART_EFORMAT, NULL, "truncated packet length");
    }
    const uint8_t *b;
    if (!take(c, len, &b))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "packet longer than the data (%u bytes)", (unsigned)len);
    *body = (cur){.p = b, .n = len};
    return 0;
}

/* Subpackets (RFC 9580 §5.2.3.7): creation time (2), issuer key ID (16),
 * issuer fingerprint (33). */
static int subpackets(cur area, pgp_sig *s, bool hashed, rerr *e)
{
    while (area.n > 0) {
        unsigned a, b;
        uint32_t len = 0;
        if (!u8(&area, &a))
            break;
        if (a < 192) {
            len = a;
        } else if (a < 255) {
            if (!u8(&area, &b))
                return rerr_set(e, RAMPART_EFORMAT, NULL, "truncated subpacket length");
            len = ((a - 192) << 8) + b + 192;
        } else if (!be(&area, 4, &len)) {
            return rerr_set(e, RAMPART_EFORMAT, NULL, "truncated subpacket length");
        }
        const uint8_t *d;
        if (len == 0 || !take(&area, len, &d))
            return rerr_set(e, RAMPART_EFORMAT, NULL, "subpacket longer than its area");
        unsigned type = d[0] & 0x7f;
        cur body = {.p = d + 1, .n = len - 1};
        uint32_t t;
        const uint8_t *x;
        if (type == 2 && hashed && be(&body, 4, &t) && body.n == 0) {
            s->created = t;
        } else if (type == 16 && body.n == 8 && take(&body, 8, &x)) {
            memcpy(s->issuer_id, x, 8);
            s->has_issuer_id = true;
        } else if (type == 33 && body.n >= 1 && (body.p[0] == 4 || body.p[0] == 6)) {
            size_t fl = body.p[0] == 4 ? 20 : 32;
            if (body.n != fl + 1)
                return rerr_set(e, RAMPART_EFORMAT, NULL, "bad issuer fingerprint subpacket");
            memcpy(s->issuer_fpr, body.p + 1, fl);
            s->issuer_fpr_len = fl;
        }
    }
    return 0;
}

static int read_sig(cur b, pgp_sig *s, rerr *e)
{
    unsigned v, x;
    *s = (pgp_sig){.created = -1};
    if (!u8(&b, &v))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "empty signature packet");
    s->version = (int)v;
    if (v == 3) {
        uint32_t t;
        const uint8_t *id;
        unsigned t5;
        if (!u8(&b, &t5) || t5 != 5 || !u8(&b, &x) || !be(&b, 4, &t) || !take(&b, 8, &id))
            return rerr_set(e, RAMPART_EFORMAT, NULL, "bad v3 signature packet");
        s->type = (int)x;
        s->created = t;
        memcpy(s->issuer_id, id, 8);
        s->has_issuer_id = true;
        unsigned pk, h;
        if (!u8(&b, &pk) || !u8(&b, &h))
            return rerr_set(e, RAMPART_EFORMAT, NULL, "bad v3 signature packet");
        s->pk_alg = (int)pk;
        s->hash_alg = (int)h;
        return 0;
    }
    if (v != 4 && v != 6)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "signature packet version %u not supported", v);
    unsigned pk, h;
    if (!u8(&b, &x) || !u8(&b, &pk) || !u8(&b, &h))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "truncated signature packet");
    s->type = (int)x;
    s->pk_alg = (int)pk;
    s->hash_alg = (int)h;
    size_t lw = v == 4 ? 2 : 4;
    for (int i = 0; i < 2; i++) {
        uint32_t len;
        const uint8_t *area;
        if (!be(&b, lw, &len) || !take(&b, len, &area))
            return rerr_set(e, RAMPART_EFORMAT, NULL, "signature subpackets longer than the packet");
        int rc = subpackets((cur){.p = area, .n = len}, s, i == 0, e);
        if (rc != 0)
            return rc;
    }
    const uint8_t *left;
    if (!take(&b, 2, &left) || b.n == 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "signature packet without a signature");
    return 0;
}

/* Walks the packets of `in` (at most PGP_MAX_INPUT bytes and
 * PGP_MAX_PACKETS packets) and hands each to `visit`, which skips the tags
 * it does not want; the first error ends the walk. */
static int each_packet(const uint8_t *in, size_t n, int (*visit)(void *ctx, unsigned tag, cur body, rerr *e), void *ctx,
                       rerr *e)
{
    cur c = {.p = in, .n = n};
    size_t np = 0;
    if (n > PGP_MAX_INPUT)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "OpenPGP data larger than %u bytes", PGP_MAX_INPUT);
    while (c.n > 0) {
        unsigned tag = 0;
        cur body = {0};
        if (++np > PGP_MAX_PACKETS)
            return rerr_set(e, RAMPART_ETOOLARGE, NULL, "more than %u packets", PGP_MAX_PACKETS);
        int rc = packet(&c, &tag, &body, e);
        if (rc == 0)
            rc = visit(ctx, tag, body, e);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Where the packets a walk keeps go: `out` holds `max` of them. */
typedef struct kept {
    void *out;
    size_t max, k;
} kept;

static int visit_sig(void *ctx, unsigned tag, cur body, rerr *e)
{
    kept *s = ctx;
    if (tag != 2)
        return 0;
    if (s->k >= s->max)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "more than %zu signatures", s->max);
    int rc = read_sig(body, (pgp_sig *)s->out + s->k, e);
    if (rc == 0)
        s->k++;
    return rc;
}

int pgp_read_sigs(const uint8_t *in, size_t n, pgp_sig *out, size_t max, size_t *count, rerr *e)
{
    kept s = {.out = out, .max = max};
    int rc = each_packet(in, n, visit_sig, &s, e);
    if (rc == 0)
        *count = s.k;
    return rc;
}

/* ---- public keys (RFC 9580 §5.5.2) --------------------------------------------- */

static bool mpi_bits(cur *b, unsigned *bits)
{
    uint32_t nb;
    const uint8_t *d;
    if (!be(b, 2, &nb) || !take(b, (nb + 7) / 8, &d))
        return false;
    *bits = nb;
    return true;
}

/* Curve OIDs (RFC 9580 §9.2), without their length byte. */
static const struct {
    const char *name;
    unsigned bits;
    uint8_t len;
    uint8_t oid[10];
} CURVES[] = {
    {"nistp256", 256, 8, {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07}},
    {"nistp384", 384, 5, {0x2B, 0x81, 0x04, 0x00, 0x22}},
    {"nistp521", 521, 5, {0x2B, 0x81, 0x04, 0x00, 0x23}},
    {"ed25519", 256, 9, {0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01}},
    {"cv25519", 256, 10, {0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01}},
    {"brainpoolP256r1", 256, 9, {0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07}},
};

static bool curve(cur *b, pgp_key *k)
{
    unsigned len;
    const uint8_t *oid;
    if (!u8(b, &len) || len == 0 || len == 0xff || !take(b, len, &oid))
        return false;
    for (size_t i = 0; i < sizeof(CURVES) / sizeof(CURVES[0]); i++)
        if (CURVES[i].len == len && memcmp(CURVES[i].oid, oid, len) == 0) {
            k->curve = CURVES[i].name;
            k->bits = CURVES[i].bits;
        }
    if (k->curve == NULL)
        k->curve = "unknown curve";
    return true;
}

static bool key_material(cur *b, pgp_key *k)
{
    unsigned bits = 0;
    switch (k->pk_alg) {
    case PGP_PK_RSA:
    case PGP_PK_RSA_S:
    case PGP_PK_DSA:
        if (!mpi_bits(b, &bits))
            return false;
        k->bits = bits; /* n, or p */
        return true;
    case PGP_PK_ECDSA:
    case PGP_PK_EDDSA:
    case PGP_PK_ECDH:
        return curve(b, k);
    case PGP_PK_ED25519:
    case PGP_PK_X25519:
        k->curve = k->pk_alg == PGP_PK_ED25519 ? "ed25519" : "cv25519";
        k->bits = 256;
        return true;
    case PGP_PK_ED448:
        k->curve = "ed448";
        k->bits = 448;
        return true;
    default:
        return true; /* graded as an unknown algorithm */
    }
}

static int read_key(cur b, bool sub, pgp_key *k, rerr *e)
{
    cur whole = b;
    unsigned v, pk;
    uint32_t t;
    *k = (pgp_key){.subkey = sub};
    if (!u8(&b, &v) || (v != 4 && v != 6))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "public key packet version not 4 or 6");
    if (!be(&b, 4, &t) || !u8(&b, &pk))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "truncated public key packet");
    k->version = (int)v;
    k->created = t;
    k->pk_alg = (int)pk;
    if (v == 6) {
        uint32_t ml;
        if (!be(&b, 4, &ml) || ml != b.n)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "bad v6 key material length");
    }
    if (!key_material(&b, k))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "truncated key material");
    /* Fingerprints: v4 SHA-1 over 0x99 || len16 || body (RFC 4880 §12.2),
     * v6 SHA-256 over 0x9B || len32 || body (RFC 9580 §5.5.4.3). */
    RAMPART_AUTO(rbuf_free) rbuf m;
    rbuf_init(&m, whole.n + 5);
    uint8_t hdr[5];
    size_t hl;
    if (v == 4) {
        if (whole.n > 0xffff)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "key packet too large");
        hdr[0] = 0x99, hdr[1] = (uint8_t)(whole.n >> 8), hdr[2] = (uint8_t)whole.n, hl = 3;
    } else {
        hdr[0] = 0x9B, hdr[1] = (uint8_t)(whole.n >> 24), hdr[2] = (uint8_t)(whole.n >> 16);
        hdr[3] = (uint8_t)(whole.n >> 8), hdr[4] = (uint8_t)whole.n, hl = 5;
    }
    if (rbuf_append(&m, hdr, hl) != 0 || rbuf_append(&m, whole.p, whole.n) != 0)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    uint8_t d[64];
    size_t dl = 0;
    int rc = 0;
    if (v == 4) {
        rc = rlegacy_digest_of(RLEGACY_SHA1, m.data, m.len, d, &dl);
    } else {
        rc = rhash_digest(RHASH_SHA256, m.data, m.len, d);
        dl = 32;
    }
    if (rc != 0)
        return rerr_set(e, rc, NULL, "cannot compute a key fingerprint");
    memcpy(k->fpr, d, dl);
    k->fpr_len = dl;
    return 0;
}

static int visit_key(void *ctx, unsigned tag, cur body, rerr *e)
{
    kept *s = ctx;
    if (tag != 6 && tag != 14)
        return 0;
    if (s->k >= s->max)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "more than %zu keys", s->max);
    int rc = read_key(body, tag == 14, (pgp_key *)s->out + s->k, e);
    if (rc == 0)
        s->k++;
    return rc;
}

int pgp_read_keys(const uint8_t *in, size_t n, pgp_key *out, size_t max, size_t *count, rerr *e)
{
    kept s = {.out = out, .max = max};
    int rc = each_packet(in, n, visit_key, &s, e);
    if (rc == 0)
        *count = s.k;
    return rc;
}

const pgp_key *pgp_signer(const pgp_sig *sig, const pgp_key *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const pgp_key *k = &keys[i];
        if (sig->issuer_fpr_len > 0 && sig->issuer_fpr_len == k->fpr_len &&
            memcmp(sig->issuer_fpr, k->fpr, k->fpr_len) == 0)
            return k;
        /* The key ID: the low 64 bits of a v4 fingerprint, the high 64 of a v6 one. */
        const uint8_t *id = k->version == 4 ? k->fpr + 12 : k->fpr;
        if (sig->issuer_fpr_len == 0 && sig->has_issuer_id && memcmp(sig->issuer_id, id, 8) == 0)
            return k;
    }
    return NULL;
}

const char *pgp_hash_name(int h, char buf[24])
{
    static const char *const N[] = {NULL,     "MD5",    "SHA1",   "RIPEMD160", NULL,       NULL, NULL,       NULL,
                                    "SHA256", "SHA384", "SHA512", "SHA224",    "SHA3-256", NULL, "SHA3-512", NULL};
    const size_t known = sizeof(N) / sizeof(N[0]);
    size_t i = h > 0 ? (size_t)h : known; /* known: not in the table */
    if (i < known && N[i] != NULL)
        return N[i];
    (void)snprintf(buf, 24, "hash algorithm %d", h);
    return buf;
}

const char *pgp_pk_name(int a, char buf[24])
{
    switch (a) {
    case PGP_PK_RSA:
    case PGP_PK_RSA_S:
        return "RSA";
    case PGP_PK_DSA:
        return "DSA";
    case PGP_PK_ECDSA:
        return "ECDSA";
    case PGP_PK_EDDSA:
        return "EdDSA";
    case PGP_PK_ED25519:
        return "Ed25519";
    case PGP_PK_ED448:
        return "Ed448";
    default:
        (void)snprintf(buf, 24, "algorithm %d", a);
        return buf;
    }
}
