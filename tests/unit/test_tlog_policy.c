/* test_tlog_policy.c - C2SP tlog-policy parsing (src/tlog/policy.c) and
 * the verification of cosigned checkpoints against a policy: quorum, log
 * identity, anti-freeze age; every refusal with its exact code. */
#include <string.h>

#include "harness.h"
#include "keys/keys.h"
#include "tlog/policy.h"
#include "util/banned.h"

#define NW 6

static rprivkey *logkey, *wkey[NW];
static tlog_signer logsig, wsig[NW];
static char logvk[256], wvk[NW][256];

static int setup(void)
{
    int rc = rprivkey_generate(&logkey, RKEY_ED25519, 0, NULL);
    if (rc == 0)
        rc = tlog_signer_init(&logsig, "example.com/log", TLOG_SIG_ED25519, logkey, NULL);
    tlog_vkey *v = NULL;
    rbuf b;
    rbuf_init(&b, 255);
    if (rc == 0)
        rc = tlog_signer_vkey(&logsig, &v, NULL);
    if (rc == 0)
        rc = tlog_vkey_format(v, &b);
    if (rc == 0)
        memcpy(logvk, b.data, b.len + 1);
    tlog_vkey_free(v);
    for (int i = 0; rc == 0 && i < NW; i++) {
        char name[32];
        (void)snprintf(name, sizeof(name), "witness%d.example", i); /* fits */
        rbuf_reset(&b);
        v = NULL;
        rc = rprivkey_generate(&wkey[i], RKEY_ED25519, 0, NULL);
        if (rc == 0)
            rc = tlog_signer_init(&wsig[i], name, TLOG_SIG_COSIGN_V1, wkey[i], NULL);
        if (rc == 0)
            rc = tlog_signer_vkey(&wsig[i], &v, NULL);
        if (rc == 0)
            rc = tlog_vkey_format(v, &b);
        if (rc == 0)
            memcpy(wvk[i], b.data, b.len + 1);
        tlog_vkey_free(v);
    }
    rbuf_free(&b);
    return rc;
}

static int parse(tlog_policy **p, const char *s)
{
    return tlog_policy_parse(p, (const uint8_t *)s, strlen(s), NULL);
}

/* The example of tlog-policy: 2 of X1..X3 and any of Y1..Y3. */
static void test_spec_example(void)
{
    char pol[4096];
    (void)snprintf(pol, sizeof(pol), /* fits */
                   "# the example of tlog-policy\n"
                   "log %s https://log.example/\n"
                   "witness X1 %s\n  witness\tX2 %s  \nwitness X3 %s\n"
                   "group X-witnesses 2 X1 X2 X3\n"
                   "\n"
                   "witness Y1 %s https://y1.example/\nwitness Y2 %s\nwitness Y3 %s\n"
                   "group Y-witnesses any Y1 Y2 Y3\n"
                   "group X-and-Y all X-witnesses Y-witnesses\n"
                   "quorum X-and-Y\n",
                   logvk, wvk[0], wvk[1], wvk[2], wvk[3], wvk[4], wvk[5]);
    tlog_policy *p = NULL;
    CHECK_OK(parse(&p, pol));
    CHECK_INT(p->nlogs, 1);
    CHECK_STR(p->log_url[0], "https://log.example/");
    CHECK_INT(p->nwit, 6);
    CHECK_STR(p->wit[1].name, "X2");
    CHECK_STR(p->wit[3].url, "https://y1.example/");
    CHECK(p->wit[0].url == NULL);
    CHECK_INT(p->ngroups, 3);
    CHECK_INT(p->grp[0].k, 2);
    CHECK_INT(p->grp[1].k, 1);
    CHECK_INT(p->grp[2].k, 2);
    CHECK(!p->quorum_none);
    CHECK(p->quorum.group && p->quorum.idx == 2);
    static const struct {
        bool w[NW];
        bool ok;
    } cases[] = {
        {{1, 1, 0, 1, 0, 0}, true},  {{1, 0, 1, 0, 0, 1}, true},  {{1, 1, 1, 0, 0, 0}, false},
        {{1, 0, 0, 1, 1, 1}, false}, {{0, 0, 0, 0, 0, 0}, false}, {{1, 1, 1, 1, 1, 1}, true},
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(cases); i++)
        if (tlog_policy_quorum(p, cases[i].w) != cases[i].ok)
            TH_FAIL("quorum case %zu", i);
    tlog_policy_free(p);
}

/* Copies `fmt` with @L, @A and @B replaced by the log's and two
 * witnesses' vkeys. */
static void expand(char *out, size_t cap, const char *fmt)
{
    size_t o = 0;
    for (const char *f = fmt; *f && o + 1 < cap; f++) {
        const char *sub = NULL;
        if (f[0] == '@' && f[1] == 'L')
            sub = logvk;
        else if (f[0] == '@' && f[1] == 'A')
            sub = wvk[0];
        else if (f[0] == '@' && f[1] == 'B')
            sub = wvk[1];
        if (sub == NULL) {
            out[o++] = *f;
            continue;
        }
        size_t l = strlen(sub);
        if (o + l + 1 >= cap)
            break;
        memcpy(out + o, sub, l);
        o += l;
        f++;
    }
    out[o] = 0;
}

/* Every MUST of tlog-policy as a refusal. */
static void test_refusals(void)
{
    static const struct {
        const char *fmt;
        int rc;
    } v[] = {
        {"log @L\nlog @L\nquorum none\n", RAMPART_EFORMAT},                /* duplicate log */
        {"witness A @A\nwitness B @A\nquorum A\n", RAMPART_EFORMAT},       /* duplicate witness key */
        {"witness A @A\nwitness A @B\nquorum A\n", RAMPART_EFORMAT},       /* duplicate name */
        {"witness A @A\ngroup A any A\nquorum A\n", RAMPART_EFORMAT},      /* group named like a witness */
        {"witness none @A\nquorum none\n", RAMPART_EFORMAT},               /* reserved name */
        {"witness A @A\ngroup G any A none\nquorum G\n", RAMPART_EFORMAT}, /* none as a member */
        {"group G any A\nwitness A @A\nquorum G\n", RAMPART_EFORMAT},      /* member defined later */
        {"quorum A\nwitness A @A\n", RAMPART_EFORMAT},                     /* quorum defined later */
        {"witness A @A\ngroup G 1 A A\nquorum G\n", RAMPART_EFORMAT},      /* member twice */
        {"witness A @A\ngroup G 0 A\nquorum G\n", RAMPART_EFORMAT},        /* k = 0 */
        {"witness A @A\ngroup G 2 A\nquorum G\n", RAMPART_EFORMAT},        /* k > n */
        {"witness A @A\nwitness B @B\ngroup G 02 A B\nquorum G\n", RAMPART_EFORMAT},
        {"witness A @A\ngroup G any\nquorum G\n", RAMPART_EFORMAT}, /* no member */
        {"witness A @A\n", RAMPART_EFORMAT},                        /* no quorum */
        {"quorum none\nquorum none\n", RAMPART_EFORMAT},            /* two quorums */
        {"quorum none extra\n", RAMPART_EFORMAT},
        {"logs @L\nquorum none\n", RAMPART_EFORMAT}, /* unknown keyword */
        {"log @L url extra\nquorum none\n", RAMPART_EFORMAT},
        {"log @A\nquorum none\n", RAMPART_EFORMAT},    /* cosigner key as log */
        {"witness A @L\nquorum A\n", RAMPART_EFORMAT}, /* log key as witness */
        {"log @L\r\nquorum none\n", RAMPART_EFORMAT},  /* control byte */
        {"log @L\nquorum none\n\x7f\n", RAMPART_EFORMAT},
        {"quorum nobody\n", RAMPART_EFORMAT},
        {"log example.com/log+00000000+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k\nquorum none\n", RAMPART_EFORMAT},
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(v); i++) {
        char pol[2048];
        expand(pol, sizeof(pol), v[i].fmt);
        tlog_policy *p = NULL;
        int rc = parse(&p, pol);
        if (rc != v[i].rc)
            TH_FAIL("policy %zu: %s, expected %s", i, rampart_error_name(rc), rampart_error_name(v[i].rc));
        CHECK(p == NULL);
    }
    /* Limits: at least 32 of each are accepted (tlog-policy); 65 groups are not. */
    static char big[TLOG_POLICY_MAX_BYTES];
    size_t at = 0;
    at += (size_t)snprintf(big + at, sizeof(big) - at, "witness A %s\n", wvk[0]);
    for (int i = 0; i < 65; i++)
        at += (size_t)snprintf(big + at, sizeof(big) - at, "group G%d any A\n", i);
    (void)snprintf(big + at, sizeof(big) - at, "quorum G0\n");
    tlog_policy *p = NULL;
    CHECK_RC(parse(&p, big), RAMPART_ETOOLARGE);
    /* A policy with only comments and "quorum none" is valid. */
    CHECK_OK(parse(&p, "  # nothing\n\t\nquorum none"));
    CHECK(p->quorum_none);
    bool none[1] = {false};
    CHECK(tlog_policy_quorum(p, none));
    tlog_policy_free(p);
}

/* A checkpoint signed by the log and cosigned at `t` by the witnesses
 * whose bit is set in `mask`. */
static int make_note(rbuf *out, const char *origin_signer_text, unsigned mask, int64_t t)
{
    const char *text = origin_signer_text;
    int rc = rbuf_append_str(out, text);
    if (rc == 0)
        rc = rbuf_append_byte(out, '\n');
    if (rc == 0)
        rc = tlog_note_sign_line(&logsig, (const uint8_t *)text, strlen(text), 0, out, NULL);
    for (int i = 0; rc == 0 && i < NW; i++)
        if (mask & (1u << i))
            rc = tlog_note_sign_line(&wsig[i], (const uint8_t *)text, strlen(text), t, out, NULL);
    return rc;
}

static void test_verify_checkpoint(void)
{
    char pol[4096];
    (void)snprintf(pol, sizeof(pol), "log %s\nwitness A %s\nwitness B %s\nwitness C %s\ngroup W 2 A B C\nquorum W\n",
                   logvk, wvk[0], wvk[1], wvk[2]); /* fits */
    tlog_policy *p = NULL;
    CHECK_OK(parse(&p, pol));
    static const char cp[] = "example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    const int64_t now = 1800000000;
    rbuf n;
    rbuf_init(&n, TLOG_NOTE_MAX);
    tlog_verified v = {.ncosig = 99};
    rampart_error err = {0};
    /* 2 of 3, cosigned 10 s ago: accepted. */
    CHECK_OK(make_note(&n, cp, 0x3, now - 10));
    CHECK_OK(tlog_policy_verify(p, n.data, n.len, now, 3600, &v, NULL));
    CHECK_INT(v.ncosig, 2);
    CHECK_INT(v.cp.size, 5);
    CHECK_INT(v.newest_cosig, now - 10);
    /* ... but too old for a maximum age of 5 s. */
    CHECK_RC(tlog_policy_verify(p, n.data, n.len, now, 5, &v, &err), RAMPART_ESTALE);
    CHECK(strstr(err.message, "10 s old") != NULL);
    /* 1 of 3, plus a witness the policy does not know: no quorum. */
    rbuf_reset(&n);
    CHECK_OK(make_note(&n, cp, 0x1 | 0x20, now));
    CHECK_RC(tlog_policy_verify(p, n.data, n.len, now, 0, &v, &err), RAMPART_ENOQUORUM);
    CHECK(strstr(err.message, "cosigned by 1 witnesses") != NULL);
    /* The log's own checkpoint without cosignatures: no quorum. */
    rbuf_reset(&n);
    CHECK_OK(make_note(&n, cp, 0, now));
    CHECK_RC(tlog_policy_verify(p, n.data, n.len, now, 0, &v, NULL), RAMPART_ENOQUORUM);
    /* Another origin than the log's key name: refused even when signed. */
    rbuf_reset(&n);
    CHECK_OK(make_note(&n, "example.com/other\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", 0x7, now));
    CHECK_RC(tlog_policy_verify(p, n.data, n.len, now, 0, &v, NULL), RAMPART_ENOQUORUM);
    /* Cosigned by the quorum but not signed by the log. */
    rbuf_reset(&n);
    CHECK_OK(rbuf_appendf(&n, "%s\n", cp));
    for (int i = 0; i < 3; i++)
        CHECK_OK(tlog_note_sign_line(&wsig[i], (const uint8_t *)cp, strlen(cp), now, &n, NULL));
    CHECK_RC(tlog_policy_verify(p, n.data, n.len, now, 0, &v, NULL), RAMPART_ENOQUORUM);
    /* Not a checkpoint (signed note of another text). */
    rbuf_reset(&n);
    CHECK_OK(make_note(&n, "hello\n", 0x7, now));
    CHECK_RC(tlog_policy_verify(p, n.data, n.len, now, 0, &v, NULL), RAMPART_EFORMAT);
    CHECK_INT(v.cp.size, 5);
    tlog_policy_free(p);
    /* quorum none: the log's signature alone, no age to check. */
    (void)snprintf(pol, sizeof(pol), "log %s\nquorum none\n", logvk); /* fits */
    CHECK_OK(parse(&p, pol));
    rbuf_reset(&n);
    CHECK_OK(make_note(&n, cp, 0, now));
    CHECK_OK(tlog_policy_verify(p, n.data, n.len, now, 60, &v, NULL));
    CHECK_INT(v.ncosig, 0);
    tlog_policy_free(p);
    rbuf_free(&n);
}

int main(void)
{
    if (setup() != 0) {
        fprintf(stderr, "cannot make keys\n");
        return 1;
    }
    RUN(test_spec_example);
    RUN(test_refusals);
    RUN(test_verify_checkpoint);
    rprivkey_free(logkey);
    for (int i = 0; i < NW; i++)
        rprivkey_free(wkey[i]);
    return th_summary("test_tlog_policy");
}
