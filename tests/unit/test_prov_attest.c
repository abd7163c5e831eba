/* test_prov_attest.c - rampart_attest: the statement it writes, its DSSE
 * envelope (verified here with rampart_dsse_* and a policy), and its
 * refusals of bad options. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "prov/prov.h"
#include "provtest.h"
#include "util/json.h"
#include "util/banned.h"

static char tmpdir[] = "/tmp/rampart-attest-XXXXXX";

/* A signer for a new key of `scheme` (through a PKCS#8 file, as the CLI loads it). */
static rampart_signer *signer(rkey_scheme scheme, rprivkey **keep)
{
    static int n;
    rprivkey *k = pt_gen(scheme);
    rbuf pem;
    rbuf_init_secret(&pem, 1 << 16);
    char path[256];
    snprintf(path, sizeof(path), "%s/k%d.key", tmpdir, n++);
    FILE *f = fopen(path, "wb");
    if (f == NULL || rprivkey_to_pem(k, NULL, 0, &pem, NULL) != 0 || fwrite(pem.data, 1, pem.len, f) != pem.len)
        pt_die("key file");
    fclose(f);
    rbuf_free(&pem);
    rampart_signer *s = NULL;
    if (rampart_signer_load_file(&s, path, NULL, NULL) != 0)
        pt_die("signer");
    *keep = k;
    return s;
}

static char artifact[512];

static void round_trip(void)
{
    rprivkey *k1, *k2;
    rampart_signer *s[2] = {signer(RKEY_ED25519, &k1), signer(RKEY_ECDSA_P256, &k2)};
    rampart_attest_subject subj[2] = {
        {NULL, artifact, NULL},
        {"other.bin", NULL, "ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789"}};
    const char *names[] = {"target", "flags"}, *values[] = {"release", "-O2"};
    rampart_attest_options o = RAMPART_ATTEST_OPTIONS_INIT;
    o.subjects = subj;
    o.subject_count = 2;
    o.builder_id = PT_BUILDER;
    o.source_uri = PT_SOURCE;
    o.source_revision = "refs/tags/v1.2.0";
    o.source_commit = "0123456789abcdef0123456789abcdef01234567";
    o.param_names = names;
    o.param_values = values;
    o.param_count = 2;
    o.invocation_id = "run-42";
    char *out = NULL;
    size_t n = 0;
    rampart_error err = {0};
    int rc = rampart_attest(&o, s, 2, &out, &n, &err);
    CHECK_OK(rc);
    CHECK_INT(strlen(out), n);
    CHECK(n > 0 && out[n - 1] == '\n' && memchr(out, '\n', n - 1) == NULL); /* one line */
    rampart_dsse *d = NULL;
    CHECK_OK(rampart_dsse_parse(&d, out, n, &err));
    CHECK_STR(rampart_dsse_payload_type(d), RAMPART_INTOTO_PAYLOAD_TYPE);
    CHECK_INT(rampart_dsse_signature_count(d), 2);
    CHECK_STR(d->sigs[0].keyid, rampart_signer_keyid(s[0]));
    rampart_public_key *pub[2] = {pt_pub(k1), pt_pub(k2)};
    const rampart_public_key *keys[2] = {pub[0], pub[1]};
    int vrc = rampart_dsse_verify(d, keys, 2, 2, NULL, &err);
    size_t pl;
    const unsigned char *payload = rampart_dsse_payload(d, &pl);
    json_t *st = NULL;
    int prc = rjson_parse(payload, pl, pl, &st, NULL);
    rampart_statement *stm = NULL;
    int src = rampart_statement_parse(&stm, payload, pl, NULL);
    rampart_dsse_free(d);
    rampart_public_key_free(pub[0]);
    rampart_public_key_free(pub[1]);
    rampart_string_free(out);
    CHECK_OK(vrc);
    CHECK_OK(prc);
    CHECK_OK(src);
    char hex[65];
    pt_sha256(PT_ARTIFACT, strlen(PT_ARTIFACT), hex);
    CHECK_STR(rampart_statement_subject_digest(stm, 0, "sha256"), hex);
    CHECK_STR(rampart_statement_subject_name(stm, 0), strrchr(artifact, '/') + 1);
    CHECK_STR(rampart_statement_subject_digest(stm, 1, "sha256"),
              "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
    CHECK_STR(rampart_statement_build_type(stm), RAMPART_ATTEST_BUILD_TYPE);
    CHECK_STR(rampart_statement_source_uri(stm), PT_SOURCE);
    CHECK_STR(rampart_statement_source_revision(stm), "refs/tags/v1.2.0");
    rampart_statement_free(stm);
    /* The exact shape of the predicate (docs/provenance.md). */
    rbuf c;
    rbuf_init(&c, 1 << 16);
    CHECK_OK(rjson_canonical(json_object_get(st, "predicate"), &c, NULL));
    json_decref(st);
    const char *want = "{\"buildDefinition\":{\"buildType\":\"urn:rampart:attest:generic:v1\",\"externalParameters\":"
                       "{\"parameters\":{\"flags\":\"-O2\",\"target\":\"release\"},\"source\":{\"revision\":"
                       "\"refs/tags/v1.2.0\",\"uri\":\"git+https://git.example.com/org/app\"}},"
                       "\"resolvedDependencies\":[{\"digest\":{\"gitCommit\":\"0123456789abcdef0123456789abcdef01234567"
                       "\"},\"uri\":\"git+https://git.example.com/org/app@refs/tags/v1.2.0\"}]},\"runDetails\":{"
                       "\"builder\":{\"id\":\"https://ci.example.com/builders/release@v1\"},\"metadata\":{"
                       "\"invocationId\":\"run-42\"}}}";
    CHECK_MEM(c.data, c.len, want, strlen(want));
    rbuf_free(&c);
    rampart_signer_free(s[0]);
    rampart_signer_free(s[1]);
    rprivkey_free(k1);
    rprivkey_free(k2);
}

/* rampart attest output passes a policy that asks for everything. */
static void passes_policy(void)
{
    rprivkey *k;
    rampart_signer *s = signer(RKEY_ED25519, &k);
    rampart_attest_subject subj = {NULL, artifact, NULL};
    rampart_attest_options o = RAMPART_ATTEST_OPTIONS_INIT;
    o.subjects = &subj;
    o.subject_count = 1;
    o.builder_id = PT_BUILDER;
    o.source_uri = PT_SOURCE;
    o.source_revision = "refs/tags/v1.2.0";
    char *out = NULL;
    size_t n = 0;
    CHECK_OK(rampart_attest(&o, &s, 1, &out, &n, NULL));
    json_t *pol =
        json_pack("{s:{s:o},s:{s:s,s:[s],s:[s],s:[s],s:[s],s:b}}", "keys", "ci", pt_key_json(k), "default",
                  "provenance", "required", "keys", "ci", "builder_ids", PT_BUILDER, "build_types",
                  RAMPART_ATTEST_BUILD_TYPE, "source_uris", "git+https://git.example.com/*/app", "version_tag", 1);
    char *text = json_dumps(pol, 0);
    json_decref(pol);
    rampart_prov_policy *p = NULL;
    rampart_error err = {0};
    CHECK_OK(rampart_prov_policy_parse(&p, text, strlen(text), &err));
    free(text);
    rampart_prov_artifact a = RAMPART_PROV_ARTIFACT_INIT;
    a.path = "app/app-1.2.0.tar.gz";
    a.file = artifact;
    int rc = rampart_prov_verify(p, &a, out, n, NULL, &err);
    a.path = "app/app-1.3.0.tar.gz";
    int rc_tag = rampart_prov_verify(p, &a, out, n, NULL, NULL);
    rampart_prov_policy_free(p);
    rampart_string_free(out);
    rampart_signer_free(s);
    rprivkey_free(k);
    CHECK_OK(rc);
    CHECK_RC(rc_tag, RAMPART_EPROVREVISION);
}

static void refusals(void)
{
    rprivkey *k;
    rampart_signer *s = signer(RKEY_ED25519, &k);
    rampart_attest_subject good = {NULL, artifact, NULL}, nofile = {NULL, "/nonexistent/x", NULL};
    rampart_attest_subject nodigest = {"x", NULL, NULL}, shortdigest = {"x", NULL, "abcd"};
    const char *dup[] = {"a", "a"}, *vals[] = {"1", "2"}, *empty[] = {""};
    static const struct {
        int field;
        int code;
    } cases[] = {{0, RAMPART_EINVAL},    {1, RAMPART_EINVAL}, {2, RAMPART_EINVAL},  {3, RAMPART_EINVAL},
                 {4, RAMPART_EINVAL},    {5, RAMPART_EINVAL}, {6, RAMPART_EINVAL},  {7, RAMPART_EINVAL},
                 {8, RAMPART_ENOTFOUND}, {9, RAMPART_EINVAL}, {10, RAMPART_EINVAL}, {11, RAMPART_EINVAL}};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(cases); i++) {
        rampart_attest_options o = RAMPART_ATTEST_OPTIONS_INIT;
        o.subjects = &good;
        o.subject_count = 1;
        o.builder_id = PT_BUILDER;
        size_t nsigners = 1;
        switch (cases[i].field) {
        case 0:
            o.subject_count = 0;
            break;
        case 1:
            o.builder_id = "";
            break;
        case 2:
            nsigners = 0;
            break;
        case 3:
            o.source_revision = "refs/tags/v1";
            break; /* without a source */
        case 4:
            o.source_uri = PT_SOURCE "@main";
            break; /* revision inside the URI */
        case 5:
            o.source_uri = PT_SOURCE;
            o.source_commit = "xyz";
            break;
        case 6:
            o.param_names = dup;
            o.param_values = vals;
            o.param_count = 2;
            break;
        case 7:
            o.param_names = empty;
            o.param_values = vals;
            o.param_count = 1;
            break;
        case 8:
            o.subjects = &nofile;
            break;
        case 9:
            o.subjects = &nodigest;
            break;
        case 10:
            o.subjects = &shortdigest;
            break;
        case 11:
            o.version = 2;
            break;
        }
        char *out = (char *)"untouched";
        rampart_error err = {0};
        int rc = rampart_attest(&o, &s, nsigners, &out, NULL, &err);
        if (rc != cases[i].code || strcmp(out, "untouched") != 0)
            TH_FAIL("case %zu: %s (%s), expected %s", i, rampart_error_name(rc), err.message,
                    rampart_error_name(cases[i].code));
    }
    rampart_signer_free(s);
    rprivkey_free(k);
}

int main(void)
{
    if (mkdtemp(tmpdir) == NULL)
        return 1;
    snprintf(artifact, sizeof(artifact), "%s/app-1.2.0.tar.gz", tmpdir);
    FILE *f = fopen(artifact, "wb");
    if (f == NULL || fputs(PT_ARTIFACT, f) < 0 || fclose(f) != 0)
        return 1;
    RUN(round_trip);
    RUN(passes_policy);
    RUN(refusals);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return th_summary("test_prov_attest");
}
