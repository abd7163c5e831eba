/*
 * test_assess_parsers.c - the readers of the apt, Sparkle and plain-download
 * kinds on hand-written inputs: the Release reader's strictness and RFC 2822
 * dates, OpenPGP armor (CRC-24), packet lengths and subpackets, the appcast
 * reader's refusal of DTDs, checksum-file formats, minisign framing; and
 * the apt and Sparkle kinds over in-memory sources.
 */
#include <string.h>

#include "assess/apt_release.h"
#include "assess/assess.h"
#include "assess/minisign.h"
#include "assess/pgp.h"
#include "assess/plain_sums.h"
#include "assess/sparkle_feed.h"
#include "harness.h"

#define S(x) (const uint8_t *)(x), strlen(x)

static const char *const H256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static int rel(const char *text, apt_release *r)
{
    return apt_release_parse(S(text), r, NULL);
}

static void test_release(void)
{
    apt_release r;
    char buf[1024];
    (void)snprintf(buf, sizeof(buf),
                   "Origin: Debian\nSuite: stable\nDate: Sat, 02 Dec 2023 10:00:00 UTC\n"
                   "Valid-Until: Sat, 9 Dec 2023 10:00:00 +0100\nAcquire-By-Hash: yes\nSHA256:\n %s 0 main/Packages\n"
                   " %s   12 main/Packages.gz\n\n",
                   H256, H256);
    CHECK_OK(rel(buf, &r));
    CHECK(rslice_eq_cstr(r.origin, "Debian") && rslice_eq_cstr(r.acquire_by_hash, "yes"));
    CHECK_INT(r.entries[APT_H_SHA256], 2);
    CHECK(!r.has_field[APT_H_MD5]);
    CHECK_INT(r.date, 1701511200);
    CHECK_INT(r.valid_until, 1701511200 + 7 * 86400 - 3600);
    /* strictness */
    CHECK_RC(rel("Origin: a\nOrigin: b\n", &r), RAMPART_EFORMAT);
    CHECK_RC(rel("Origin: a\n\nSuite: b\n", &r), RAMPART_EFORMAT);
    CHECK_RC(rel(" continuation\n", &r), RAMPART_EFORMAT);
    CHECK_RC(rel("# comment\n", &r), RAMPART_EFORMAT);
    CHECK_RC(rel("Bad Name: x\n", &r), RAMPART_EFORMAT);
    CHECK_RC(rel("SHA256:\n abcd 0 x\n", &r), RAMPART_EFORMAT);                           /* short hex */
    CHECK_RC(rel("MD5Sum:\n d41d8cd98f00b204e9800998ecf8427e 0\n", &r), RAMPART_EFORMAT); /* no path */
    CHECK_RC(rel("SHA1: x\n", &r), RAMPART_EFORMAT);                                      /* hash field with a value */
    CHECK_RC(rel("Date: 2023-12-02T10:00:00Z\n", &r), RAMPART_EFORMAT);
    CHECK_RC(rel("Date: Sat, 31 Feb 2023 10:00:00 UTC\n", &r), RAMPART_EFORMAT);
    CHECK_RC(rel("Date: Sat, 02 Dec 2023 10:00:00 CET\n", &r), RAMPART_EFORMAT);
    CHECK_RC(apt_release_parse((const uint8_t *)"A: b\0", 5, &r, NULL), RAMPART_EFORMAT);
}

/* A v4 signature packet (new format, tag 2): SHA-512, EdDSA, creation time
 * and issuer fingerprint subpackets, then a dummy signature. */
static const uint8_t SIGPKT[] = {0xC2, 0x2E, 0x04, 0x01, 0x16, 0x0A, 0x00, 0x1D, 0x05, 0x02, 0x65, 0x6A,
                                 0xFF, 0x00, 0x16, 0x21, 0x04, 1,    2,    3,    4,    5,    6,    7,
                                 8,    9,    10,   11,   12,   13,   14,   15,   16,   17,   18,   19,
                                 20,   0x00, 0x00, 0xAB, 0xCD, 0x00, 0x01, 0x01, 0x00, 0x01, 0x01, 0x00};

static void test_pgp(void)
{
    pgp_sig sigs[PGP_MAX_SIGS];
    size_t n = 0;
    CHECK_OK(pgp_read_sigs(SIGPKT, sizeof(SIGPKT), sigs, PGP_MAX_SIGS, &n, NULL));
    CHECK_INT(n, 1);
    CHECK_INT(sigs[0].version, 4);
    CHECK_INT(sigs[0].hash_alg, PGP_H_SHA512);
    CHECK_INT(sigs[0].pk_alg, PGP_PK_EDDSA);
    CHECK_INT(sigs[0].created, 0x656AFF00);
    CHECK_INT(sigs[0].issuer_fpr_len, 20);
    /* a partial body length (0xE0..0xFE) is refused; a truncated packet too */
    uint8_t partial[sizeof(SIGPKT)];
    memcpy(partial, SIGPKT, sizeof(SIGPKT));
    partial[1] = 0xE1;
    CHECK_RC(pgp_read_sigs(partial, sizeof(partial), sigs, PGP_MAX_SIGS, &n, NULL), RAMPART_EFORMAT);
    CHECK_RC(pgp_read_sigs(SIGPKT, sizeof(SIGPKT) - 1, sigs, PGP_MAX_SIGS, &n, NULL), RAMPART_EFORMAT);
    /* armor: a CRC-24 that does not match (the matching one: test_crc_vector) */
    rbuf out;
    rbuf_init(&out, 4096);
    const char *bad = "-----BEGIN PGP SIGNATURE-----\n\nAQID\n=AAAA\n-----END PGP SIGNATURE-----\n";
    CHECK_RC(pgp_dearmor(S(bad), "PGP SIGNATURE", &out, NULL), RAMPART_EFORMAT);
    const char *nocrc = "-----BEGIN PGP SIGNATURE-----\nVersion: x\n\nAQID\n-----END PGP SIGNATURE-----\n";
    CHECK_OK(pgp_dearmor(S(nocrc), "PGP SIGNATURE", &out, NULL));
    CHECK_MEM(out.data, out.len, "\x01\x02\x03", 3);
    CHECK_RC(pgp_dearmor(S("-----BEGIN PGP SIGNATURE-----\n\nAQID\n"), "PGP SIGNATURE", &out, NULL), RAMPART_EFORMAT);
    CHECK_RC(
        pgp_dearmor(S("-----BEGIN PGP MESSAGE-----\n\nAQID\n-----END PGP MESSAGE-----\n"), "PGP SIGNATURE", &out, NULL),
        RAMPART_EFORMAT);
    /* cleartext: dash-escapes removed, an unescaped dash refused */
    rbuf text;
    rbuf_init(&text, 4096);
    rslice sig;
    const char *ct = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nOrigin: a\n- -x\n"
                     "-----BEGIN PGP SIGNATURE-----\n\nAQID\n-----END PGP SIGNATURE-----\n";
    CHECK_OK(pgp_cleartext(S(ct), &text, &sig, NULL));
    CHECK_MEM(text.data, text.len, "Origin: a\n-x", 12);
    const char *ct2 = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n-x\n"
                      "-----BEGIN PGP SIGNATURE-----\n\nAQID\n-----END PGP SIGNATURE-----\n";
    CHECK_RC(pgp_cleartext(S(ct2), &text, &sig, NULL), RAMPART_EFORMAT);
    rbuf_free(&out);
    rbuf_free(&text);
}

static void test_crc_vector(void)
{
    /* RFC 9580 §6.1.1 CRC-24 of "\x01\x02\x03", checked through the armor
     * reader: computed here bit by bit. */
    uint32_t crc = 0xB704CE;
    const uint8_t d[3] = {1, 2, 3};
    for (int i = 0; i < 3; i++) {
        crc ^= (uint32_t)d[i] << 16;
        for (int b = 0; b < 8; b++) {
            crc <<= 1;
            if (crc & 0x1000000)
                crc ^= 0x1864CFB;
        }
    }
    crc &= 0xFFFFFF;
    static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char armor[256];
    (void)snprintf(armor, sizeof(armor),
                   "-----BEGIN PGP SIGNATURE-----\n\nAQID\n=%c%c%c%c\n-----END PGP SIGNATURE-----\n",
                   B64[(crc >> 18) & 63], B64[(crc >> 12) & 63], B64[(crc >> 6) & 63], B64[crc & 63]);
    rbuf out;
    rbuf_init(&out, 64);
    CHECK_OK(pgp_dearmor(S(armor), "PGP SIGNATURE", &out, NULL));
    rbuf_free(&out);
}

static void test_appcast(void)
{
    spk_feed *f = rampart_malloc(sizeof(*f));
    const char *ok = "<rss xmlns:sparkle=\"" SPK_NS "\"><channel><item><sparkle:version>7</sparkle:version>"
                     "<enclosure url=\"https://e.example/a.zip\" length=\"12\" sparkle:edSignature=\"QUJD\"/></item>"
                     "<item><enclosure url=\"http://e.example/b.zip\" sparkle:version=\"6\" length=\"x\" "
                     "sparkle:dsaSignature=\"M\"/></item></channel></rss>";
    CHECK_OK(spk_parse(S(ok), f, NULL));
    CHECK_INT(f->n, 2);
    CHECK_STR(f->items[0].version, "7");
    CHECK_STR(f->items[0].ed_sig, "QUJD");
    CHECK(f->items[0].length_ok && f->items[0].length == 12);
    CHECK_STR(f->items[1].version, "6");
    CHECK(f->items[1].has_dsa && !f->items[1].length_ok && f->items[1].ed_sig[0] == '\0');
    const char *dtd = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><rss>&x;</rss>";
    CHECK_RC(spk_parse(S(dtd), f, NULL), RAMPART_EFORMAT);
    CHECK_RC(spk_parse(S("<feed/>"), f, NULL), RAMPART_EFORMAT);
    CHECK_RC(spk_parse(S("<rss><channel>"), f, NULL), RAMPART_EFORMAT);
    rampart_free(f);
}

typedef struct cnt {
    size_t n;
    sums_alg alg[8];
} cnt;

static int count(void *p, const sums_entry *en)
{
    cnt *c = p;
    if (c->n < 8)
        c->alg[c->n] = en->alg;
    c->n++;
    return 0;
}

static void test_sums(void)
{
    char buf[1024];
    cnt c = {0};
    (void)snprintf(buf, sizeof(buf),
                   "%s  a.tgz\n%s *b.tgz\r\nSHA256 (c (1).tgz) = %s\n\nd41d8cd98f00b204e9800998ecf8427e  m\n", H256,
                   H256, H256);
    CHECK_OK(sums_parse(S(buf), count, &c, NULL));
    CHECK_INT(c.n, 4);
    CHECK(c.alg[0] == SUMS_SHA256 && c.alg[2] == SUMS_SHA256 && c.alg[3] == SUMS_MD5);
    (void)snprintf(buf, sizeof(buf), "SHA512 (a) = %s\n", H256); /* tag and length disagree */
    CHECK_RC(sums_parse(S(buf), count, &c, NULL), RAMPART_EFORMAT);
    (void)snprintf(buf, sizeof(buf), "%s \\\\a\n", H256);
    CHECK_RC(sums_parse(S(buf), count, &c, NULL), RAMPART_EFORMAT);
    (void)snprintf(buf, sizeof(buf), "%s a\n", H256); /* one space */
    CHECK_RC(sums_parse(S(buf), count, &c, NULL), RAMPART_EFORMAT);
    CHECK_RC(sums_parse(S("xyz  a\n"), count, &c, NULL), RAMPART_EFORMAT);
}

static void test_minisign(void)
{
    minisig ms;
    minisign_key k;
    CHECK_RC(minisign_parse_sig(S("untrusted comment: x\nAAAA\ntrusted comment: y\nAAAA\n"), &ms, NULL),
             RAMPART_EFORMAT);
    CHECK_RC(minisign_parse_sig(S("untrusted comment: x\n"), &ms, NULL), RAMPART_EFORMAT);
    const char *nokey = "untrusted comment: x\nAAAA\n";
    CHECK_RC(minisign_parse_key(nokey, strlen(nokey), &k, NULL), RAMPART_EFORMAT);
    /* "Ed" || id 0102030405060708 || 32 zero bytes */
    const char *key =
        "untrusted comment: minisign public key\nRWQBAgMEBQYHCAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";
    CHECK_OK(minisign_parse_key(key, strlen(key), &k, NULL));
    CHECK_MEM(k.keyid, 8, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
}

static const char *status_of(const rampart_assessment *a, const char *id)
{
    rampart_check_result r;
    for (size_t i = 0; i < rampart_assessment_check_count(a); i++)
        if (rampart_assessment_check(a, i, &r) == 0 && strcmp(r.id, id) == 0)
            return rampart_check_status_name(r.status);
    return "absent";
}

/* The apt kind over an in-memory suite: an unsigned Release is critical. */
static void test_apt_kind_mem(void)
{
    char rel[512];
    (void)snprintf(rel, sizeof(rel), "Date: Sat, 02 Dec 2023 10:00:00 UTC\nSHA256:\n %s 0 main/Packages\n", H256);
    const char *names[] = {"Release"};
    const uint8_t *data[] = {(const uint8_t *)rel};
    size_t len[] = {strlen(rel)};
    rasrc *src = NULL;
    CHECK_OK(rasrc_mem_new(&src, "mem/", 1, names, data, len, NULL));
    rassess_input in = {.meta = src, .max_doc_bytes = 1 << 20};
    rampart_assessment *a = NULL;
    CHECK_OK(rassess_run(&a, &rassess_kind_apt, "mem/", &in, 1701511200, NULL));
    CHECK_STR(status_of(a, "APT-SIGNED"), "critical");
    CHECK_STR(status_of(a, "APT-VALID-UNTIL"), "fail");
    CHECK_STR(status_of(a, "APT-HASHES"), "pass");
    CHECK_STR(status_of(a, "APT-HTTPS"), "absent");
    CHECK_INT(rampart_assessment_grade(a, RAMPART_Q_SIGNING), 'F');
    CHECK_INT(rampart_assessment_grade(a, RAMPART_Q_HASHES), 'A');
    rampart_assessment_free(a);
    rasrc_free(src);
}

/* The Sparkle kind over an in-memory appcast, with no options at all. */
static void test_sparkle_kind_mem(void)
{
    const char *xml = "<rss xmlns:sparkle=\"" SPK_NS "\"><channel><item>"
                      "<enclosure url=\"http://e.example/a.zip\" length=\"3\"/></item></channel></rss>";
    const char *names[] = {"appcast.xml"};
    const uint8_t *data[] = {(const uint8_t *)xml};
    size_t len[] = {strlen(xml)};
    rasrc *src = NULL;
    CHECK_OK(rasrc_mem_new(&src, "mem/", 1, names, data, len, NULL));
    rassess_input in = {.parent = src, .leaf = "appcast.xml", .max_doc_bytes = 1 << 20};
    CHECK(rassess_kind_sparkle.detect(&in));
    CHECK(!rassess_kind_apt.detect(&in));
    rampart_assessment *a = NULL;
    CHECK_OK(rassess_run(&a, &rassess_kind_sparkle, "mem/appcast.xml", &in, 1701511200, NULL));
    CHECK_STR(status_of(a, "SPK-SIGNATURE"), "critical");
    CHECK_STR(status_of(a, "SPK-ENCLOSURE"), "fail");
    CHECK_STR(status_of(a, "SPK-VERSION"), "fail");
    CHECK_STR(status_of(a, "SPK-DEEP-VERIFY"), "absent");
    rampart_assessment_free(a);
    rasrc_free(src);
}

int main(void)
{
    RUN(test_apt_kind_mem);
    RUN(test_sparkle_kind_mem);
    RUN(test_release);
    RUN(test_pgp);
    RUN(test_crc_vector);
    RUN(test_appcast);
    RUN(test_sums);
    RUN(test_minisign);
    return th_summary("test_assess_parsers");
}
