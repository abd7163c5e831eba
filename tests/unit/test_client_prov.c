/*
 * test_client_prov.c - the client with a provenance policy, against a
 * simulated repository: every refusal while downloading has its exact code,
 * the attestation is fetched through the verified TUF path before the
 * artifact, and a refused target never reaches the target folder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "client/client_internal.h"
#include "ctest_util.h"
#include "prov/prov.h"
#include "provtest.h"
#include "util/banned.h"

#define APP "app/app-1.2.0.tar.gz"
#define ATT APP ".intoto.jsonl"

static rprivkey *builder, *stranger;

/* Requires provenance from `builder` (except under docs/), with every check on. */
static rampart_prov_policy *make_policy(void)
{
    json_t *p = json_pack("{s:{s:o},s:{s:s,s:[s],s:[s],s:[s],s:[s],s:b},s:[{s:s,s:[s],s:s}]}", "keys", "ci",
                          pt_key_json(builder), "default", "provenance", "required", "keys", "ci", "builder_ids",
                          PT_BUILDER, "build_types", PT_BUILD_TYPE, "source_uris", "git+https://git.example.com/org/*",
                          "version_tag", 1, "rules", "name", "docs", "paths", "docs/*", "provenance", "none");
    char *text = json_dumps(p, 0);
    json_decref(p);
    rampart_prov_policy *pol = NULL;
    if (text == NULL || rampart_prov_policy_parse(&pol, text, strlen(text), NULL) != 0)
        abort();
    free(text);
    return pol;
}

/* Publishes APP (PT_ARTIFACT) and, unless `att` is NULL, ATT with `att`'s
 * bytes, bound to APP with digest `bound` (NULL: the real one). */
static void release(ctest *t, const char *att, const char *bound)
{
    sim_add_target(t->s, "targets", APP, PT_ARTIFACT, strlen(PT_ARTIFACT));
    if (att != NULL) {
        char hex[65];
        pt_sha256(att, strlen(att), hex);
        sim_add_target(t->s, "targets", ATT, att, strlen(att));
        json_t *entry = json_object_get(json_object_get(sim_signed(t->s, "targets"), "targets"), APP);
        json_object_set_new(entry, "custom",
                            json_pack("{s:{s:{s:s,s:{s:s},s:I}}}", "rampart", "provenance", "path", ATT, "hashes",
                                      "sha256", bound != NULL ? bound : hex, "length", (json_int_t)strlen(att)));
    }
    sim_update(t->s, "targets");
}

/* A release whose attestation is statement `s` signed by `key`. */
static void release_signed(ctest *t, const pt_stmt *s, rprivkey *key)
{
    char *att = pt_attestation(s, &key, key != NULL ? 1 : 0);
    release(t, att, NULL);
    free(att);
}

/* The download is refused with `code`: nothing in the target folder. */
#define REFUSED(t, code, role, msg)                                                                                    \
    do {                                                                                                               \
        CHECK_RC(ct_download((t), APP), (code));                                                                       \
        CHECK_ERR((t), (code), (role), (msg));                                                                         \
        CHECK_STR(ct_tree((t), (t)->tdir), "");                                                                        \
    } while (0)

static rampart_prov_policy *pol;

CT_TEST(test_verified_download)
{
    pt_stmt s = pt_default();
    char *att = pt_attestation(&s, &builder, 1);
    release(t, att, NULL);
    CHECK_OK(rampart_client_set_provenance_policy(t->c, pol));
    CHECK_OK(ct_refresh(t));
    sim_reset_requests(t->s);
    CHECK_OK(ct_download(t, APP));
    CHECK_STR(ct_tree(t, t->tdir), "app/ app/app-1.2.0.tar.gz");
    CHECK(ct_file_is(t->tdir, APP, PT_ARTIFACT, strlen(PT_ARTIFACT)));
    /* The attestation first (through TUF, hash-prefixed), then the artifact;
     * the attestation itself is not written anywhere. */
    char want[1100], a[512], b[512];
    ct_target_req(a, sizeof(a), ATT, att, strlen(att));
    ct_target_req(b, sizeof(b), APP, PT_ARTIFACT, strlen(PT_ARTIFACT));
    snprintf(want, sizeof(want), "%s\n%s\n", a, b);
    CHECK_STR(sim_requests(t->s), want);
    free(att);
    /* Without a policy nothing is asked of provenance. */
    CHECK_OK(rampart_client_set_provenance_policy(t->c, NULL));
    sim_reset_requests(t->s);
    CHECK_OK(ct_download(t, APP));
    CHECK_STR(sim_requests(t->s), ""); /* the cached copy */
    CHECK_RC(rampart_client_set_provenance_policy(NULL, pol), RAMPART_EINVAL);
}

CT_TEST(test_missing)
{
    release(t, NULL, NULL);
    CHECK_OK(rampart_client_set_provenance_policy(t->c, pol));
    sim_reset_requests(t->s);
    REFUSED(t, RAMPART_EPROVMISSING, "default", "policy rule 'default' requires provenance for '" APP "'");
    CHECK(strstr(sim_requests(t->s), "targets/") == NULL); /* nothing fetched */
    /* A path the policy leaves alone downloads without provenance. */
    sim_add_target(t->s, "targets", "docs/guide.txt", "guide", 5);
    sim_update(t->s, "targets");
    CHECK_OK(ct_refresh(t));
    CHECK_OK(ct_download(t, "docs/guide.txt"));
}

CT_TEST(test_bound_attestation_not_listed)
{
    pt_stmt s = pt_default();
    char *att = pt_attestation(&s, &builder, 1);
    release(t, att, NULL);
    free(att);
    json_object_del(json_object_get(sim_signed(t->s, "targets"), "targets"), ATT);
    sim_update(t->s, "targets");
    CHECK_OK(rampart_client_set_provenance_policy(t->c, pol));
    REFUSED(t, RAMPART_EPROVMISSING, "targets", "the attestation '" ATT "' bound to '" APP "' is not listed");
}

CT_TEST(test_attestation_tampered_on_server)
{
    pt_stmt s = pt_default();
    char *att = pt_attestation(&s, &builder, 1);
    release(t, att, NULL);
    att[10] ^= 1;
    sim_set_target_data(t->s, ATT, att, strlen(att));
    free(att);
    CHECK_OK(rampart_client_set_provenance_policy(t->c, pol));
    REFUSED(t, RAMPART_EMISMATCH, "targets", "attestation '" ATT "' does not match its sha256 hash");
}

CT_TEST(test_binding_names_other_bytes)
{
    pt_stmt s = pt_default();
    char *att = pt_attestation(&s, &builder, 1);
    release(t, att, "1111111111111111111111111111111111111111111111111111111111111111");
    free(att);
    CHECK_OK(rampart_client_set_provenance_policy(t->c, pol));
    REFUSED(t, RAMPART_EMISMATCH, "targets", "differs from the one bound to '" APP "'");
}

CT_TEST(test_malformed)
{
    release(t, "{\"payload\":", NULL);
    CHECK_OK(rampart_client_set_provenance_policy(t->c, pol));
    REFUSED(t, RAMPART_EPROVFORMAT, "default", "attestation is not valid JSON");
}

CT_TEST(test_malformed_binding)
{
    release(t, NULL, NULL);
    json_t *entry = json_object_get(json_object_get(sim_signed(t->s, "targets"), "targets"), APP);
    json_object_set_new(entry, "custom", json_pack("{s:{s:{s:s}}}", "rampart", "provenance", "path", ATT));
    sim_update(t->s, "targets");
    CHECK_OK(rampart_client_set_provenance_policy(t->c, pol));
    REFUSED(t, RAMPART_EPROVFORMAT, "targets", "malformed provenance binding");
}

/* TUF 4.5: "custom" is opaque JSON.  Control characters and "\u0000"
 * beside the binding do not spoil it (the client hands custom out escaped
 * and reads it back allowing NUL); a NUL inside the binding's path is
 * refused as a malformed binding, never cut short. */
CT_TEST(test_binding_beside_control_characters_and_nul)
{
    pt_stmt s = pt_default();
    char *att = pt_attestation(&s, &builder, 1);
    release(t, att, NULL);
    free(att);
    json_t *custom =
        json_object_get(json_object_get(json_object_get(sim_signed(t->s, "targets"), "targets"), APP), "custom");
    json_object_set_new(custom, "notes", json_string("line one\nline two\t\x01 and @NUL@"));
    ct_publish_with_nul(t->s, "targets");
    sim_publish(t->s, "snapshot");
    sim_publish(t->s, "timestamp");
    CHECK_OK(rampart_client_set_provenance_policy(t->c, pol));
    CHECK_OK(ct_refresh(t));
    CHECK_OK(ct_download(t, APP));
    CHECK(ct_file_is(t->tdir, APP, PT_ARTIFACT, strlen(PT_ARTIFACT)));
    /* The binding's path with a NUL in it. */
    json_t *pv = json_object_get(json_object_get(custom, "rampart"), "provenance");
    json_object_set_new(pv, "path", json_string(ATT "@NUL@.evil"));
    ct_publish_with_nul(t->s, "targets");
    sim_publish(t->s, "snapshot");
    sim_publish(t->s, "timestamp");
    CHECK_OK(ct_refresh(t));
    CHECK_RC(ct_download(t, APP), RAMPART_EPROVFORMAT);
    CHECK_ERR(t, RAMPART_EPROVFORMAT, "targets", "malformed provenance binding in the metadata of '" APP "'");
}

CT_TEST(test_unsigned_and_untrusted)
{
    pt_stmt s = pt_default();
    release_signed(t, &s, NULL);
    CHECK_OK(rampart_client_set_provenance_policy(t->c, pol));
    REFUSED(t, RAMPART_EPROVSIG, "default", "the attestation of '" APP "' is unsigned");
    /* The vendor's targets key stolen: a new release, an attestation signed by the thief. */
    release_signed(t, &s, stranger);
    CHECK_OK(ct_refresh(t));
    REFUSED(t, RAMPART_EPROVSIG, "default", "signed by 0 of the 1 trusted builder keys");
}

CT_TEST(test_subject)
{
    pt_stmt s = pt_default();
    s.subject_sha256 = "2222222222222222222222222222222222222222222222222222222222222222";
    release_signed(t, &s, builder);
    CHECK_OK(rampart_client_set_provenance_policy(t->c, pol));
    REFUSED(t, RAMPART_EPROVSUBJECT, "default", "no subject of the attestation has the artifact's digest");
}

CT_TEST(test_predicate)
{
    pt_stmt s = pt_default();
    s.predicate_type = "https://spdx.dev/Document";
    release_signed(t, &s, builder);
    CHECK_OK(rampart_client_set_provenance_policy(t->c, pol));
    REFUSED(t, RAMPART_EPROVPREDICATE, "default", "predicate type is 'https://spdx.dev/Document'");
}

CT_TEST(test_builder)
{
    pt_stmt s = pt_default();
    s.builder_id = "https://laptop.example.com/make";
    release_signed(t, &s, builder);
    CHECK_OK(rampart_client_set_provenance_policy(t->c, pol));
    REFUSED(t, RAMPART_EPROVBUILDER, "default", "builder 'https://laptop.example.com/make' is not allowed");
}

CT_TEST(test_build_type)
{
    pt_stmt s = pt_default();
    s.build_type = "https://ci.example.com/build-types/shell@v1";
    release_signed(t, &s, builder);
    CHECK_OK(rampart_client_set_provenance_policy(t->c, pol));
    REFUSED(t, RAMPART_EPROVBUILDTYPE, "default", "build type 'https://ci.example.com/build-types/shell@v1'");
}

CT_TEST(test_source)
{
    pt_stmt s = pt_default();
    s.source = "git+https://git.example.net/org/app@refs/tags/v1.2.0";
    release_signed(t, &s, builder);
    CHECK_OK(rampart_client_set_provenance_policy(t->c, pol));
    REFUSED(t, RAMPART_EPROVSOURCE, "default", "source 'git+https://git.example.net/org/app' is not allowed");
}

CT_TEST(test_revision)
{
    pt_stmt s = pt_default();
    s.source = PT_SOURCE "@refs/heads/main";
    release_signed(t, &s, builder);
    CHECK_OK(rampart_client_set_provenance_policy(t->c, pol));
    REFUSED(t, RAMPART_EPROVREVISION, "default",
            "source revision 'refs/heads/main' is not a release tag (refs/tags/...)");
}

/* A verified cached copy is not reused when its provenance is refused. */
CT_TEST(test_cached_copy_judged_too)
{
    pt_stmt s = pt_default();
    s.builder_id = "https://laptop.example.com/make";
    release_signed(t, &s, builder);
    CHECK_OK(ct_download(t, APP)); /* no policy yet */
    CHECK_OK(rampart_client_set_provenance_policy(t->c, pol));
    sim_reset_requests(t->s);
    CHECK_RC(ct_download(t, APP), RAMPART_EPROVBUILDER);
    CHECK(strstr(sim_requests(t->s), ".app-1.2.0.tar.gz\n") == NULL); /* only the attestation was fetched */
}

/* An optional rule accepts a target without an attestation, but not a bad one. */
CT_TEST(test_optional)
{
    json_t *p = json_pack("{s:{s:o},s:{s:s,s:[s],s:[s]}}", "keys", "ci", pt_key_json(builder), "default", "provenance",
                          "optional", "keys", "ci", "builder_ids", PT_BUILDER);
    char *text = json_dumps(p, 0);
    json_decref(p);
    rampart_prov_policy *opt = NULL;
    CHECK_OK(rampart_prov_policy_parse(&opt, text, strlen(text), NULL));
    free(text);
    release(t, NULL, NULL);
    CHECK_OK(rampart_client_set_provenance_policy(t->c, opt));
    int r_none = ct_download(t, APP);
    pt_stmt s = pt_default();
    char *bad = pt_attestation(&s, &stranger, 1);
    sim_add_target(t->s, "targets", "app/app-1.3.0.tar.gz", "x", 1);
    sim_add_target(t->s, "targets", "x.intoto.jsonl", bad, strlen(bad));
    char hex[65];
    pt_sha256(bad, strlen(bad), hex);
    json_object_set_new(
        json_object_get(json_object_get(sim_signed(t->s, "targets"), "targets"), "app/app-1.3.0.tar.gz"), "custom",
        json_pack("{s:{s:{s:s,s:{s:s}}}}", "rampart", "provenance", "path", "x.intoto.jsonl", "hashes", "sha256", hex));
    sim_update(t->s, "targets");
    free(bad);
    int r_refresh = ct_refresh(t);
    int r_bad = ct_download(t, "app/app-1.3.0.tar.gz");
    int r_off = rampart_client_set_provenance_policy(t->c, NULL);
    rampart_prov_policy_free(opt);
    CHECK_OK(r_off);
    CHECK_OK(r_none);
    CHECK_OK(r_refresh);
    CHECK_RC(r_bad, RAMPART_EPROVSIG);
}

/* Mirror 1 serves a forged attestation, mirror 2 the real one. */
CT_TEST(test_mirrors)
{
    pt_stmt s = pt_default();
    char *att = pt_attestation(&s, &builder, 1);
    release(t, att, NULL);
    char req[512];
    ct_target_req(req, sizeof(req), ATT, att, strlen(att));
    char *forged = pt_attestation(&s, &stranger, 1);
    sim_serve_bytes(t->s, req, forged, strlen(forged));
    free(forged);
    free(att);
    const char *tm[] = {SIM_TARGETS_URL, SIM_MIRROR2_TARGETS_URL};
    t->o.target_urls = tm;
    t->o.target_url_count = 2;
    ct_reopen(t);
    CHECK_OK(rampart_client_set_provenance_policy(t->c, pol));
    CHECK_OK(ct_download(t, APP));
    CHECK_STR(ct_tree(t, t->tdir), "app/ app/app-1.2.0.tar.gz");
}

int main(void)
{
    builder = pt_gen(RKEY_ED25519);
    stranger = pt_gen(RKEY_ED25519);
    pol = make_policy();
    RUN(test_verified_download);
    RUN(test_missing);
    RUN(test_bound_attestation_not_listed);
    RUN(test_attestation_tampered_on_server);
    RUN(test_binding_names_other_bytes);
    RUN(test_malformed);
    RUN(test_malformed_binding);
    RUN(test_binding_beside_control_characters_and_nul);
    RUN(test_unsigned_and_untrusted);
    RUN(test_subject);
    RUN(test_predicate);
    RUN(test_builder);
    RUN(test_build_type);
    RUN(test_source);
    RUN(test_revision);
    RUN(test_cached_copy_judged_too);
    RUN(test_optional);
    RUN(test_mirrors);
    rampart_prov_policy_free(pol);
    rprivkey_free(builder);
    rprivkey_free(stranger);
    return th_summary("test_client_prov");
}
