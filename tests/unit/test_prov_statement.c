/* test_prov_statement.c - in-toto Statement v1 and SLSA Provenance v1:
 * strict parsing, the in-toto parsing rules (unknown fields ignored, null
 * as unset), subjects and digests, and where the source is taken from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "prov/prov.h"
#include "provtest.h"
#include "util/banned.h"

#define H64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ST "\"_type\":\"https://in-toto.io/Statement/v1\""
#define SUBJ "\"subject\":[{\"name\":\"a\",\"digest\":{\"sha256\":\"" H64 "\"}}]"
#define SLSA "\"predicateType\":\"https://slsa.dev/provenance/v1\""
#define BD "\"buildDefinition\":{\"buildType\":\"bt\",\"externalParameters\":{}}"
#define RD "\"runDetails\":{\"builder\":{\"id\":\"b\"}}"

static int parse(const char *json, rampart_statement **out, rampart_error *err)
{
    rampart_statement *s = NULL;
    int rc = rampart_statement_parse(&s, json, strlen(json), err);
    if (out != NULL && rc == 0)
        *out = s;
    else
        rampart_statement_free(s);
    return rc;
}

static void slsa_fields(void)
{
    pt_stmt d = pt_default();
    char *json = pt_statement_json(&d);
    rampart_statement *s = NULL;
    rampart_error err = {0};
    int rc = parse(json, &s, &err);
    free(json);
    CHECK_OK(rc);
    CHECK_STR(rampart_statement_predicate_type(s), RAMPART_SLSA_PROVENANCE_V1);
    CHECK_INT(rampart_statement_subject_count(s), 1);
    CHECK_STR(rampart_statement_subject_name(s, 0), "app-1.2.0.tar.gz");
    CHECK_STR(rampart_statement_subject_digest(s, 0, "sha256"), d.subject_sha256);
    CHECK(rampart_statement_subject_digest(s, 0, "sha512") == NULL);
    CHECK(rampart_statement_subject_name(s, 1) == NULL);
    CHECK_STR(rampart_statement_builder_id(s), PT_BUILDER);
    CHECK_STR(rampart_statement_build_type(s), PT_BUILD_TYPE);
    CHECK_STR(rampart_statement_source_uri(s), PT_SOURCE);
    CHECK_STR(rampart_statement_source_revision(s), "refs/tags/v1.2.0");
    rampart_statement_free(s);
}

static void source_split(void)
{
    static const struct {
        const char *uri;
        size_t at;
    } cases[] = {
        {"git+https://git.example.com/org/app@refs/tags/v1", 35},
        {"git+ssh://git@git.example.com/org/app", 37}, /* '@' in the authority only */
        {"git+ssh://git@git.example.com/org/app@main", 37},
        {"pkg:npm/left-pad@1.3.0", 16},
        {"https://example.com/x", 21},
        {"https://user@example.com", 24}, /* no path at all */
        {"", 0},
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(cases); i++) {
        size_t got = rprov_source_split(cases[i].uri, strlen(cases[i].uri));
        if (got != cases[i].at)
            TH_FAIL("%s: split at %zu, expected %zu", cases[i].uri, got, cases[i].at);
    }
    /* A source without a revision. */
    pt_stmt d = pt_default();
    d.source = "git+ssh://git@git.example.com/org/app";
    char *json = pt_statement_json(&d);
    rampart_statement *s = NULL;
    int rc = parse(json, &s, NULL);
    free(json);
    CHECK_OK(rc);
    CHECK_STR(rampart_statement_source_uri(s), "git+ssh://git@git.example.com/org/app");
    CHECK(rampart_statement_source_revision(s) == NULL);
    rampart_statement_free(s);
    /* No resolved dependency, or one without a uri: no source. */
    d.source = NULL;
    json = pt_statement_json(&d);
    rc = parse(json, &s, NULL);
    free(json);
    CHECK_OK(rc);
    CHECK(rampart_statement_source_uri(s) == NULL);
    rampart_statement_free(s);
    const char *nouri = "{" ST "," SUBJ "," SLSA ",\"predicate\":{\"buildDefinition\":{\"buildType\":\"bt\","
                        "\"resolvedDependencies\":[{\"digest\":{\"sha1\":\"ab\"}}]}," RD "}}";
    CHECK_OK(parse(nouri, &s, NULL));
    CHECK(rampart_statement_source_uri(s) == NULL);
    rampart_statement_free(s);
}

/* Unknown members are ignored; null means unset; other predicate types parse. */
static void parsing_rules(void)
{
    rampart_statement *s = NULL;
    const char *extra = "{" ST "," SUBJ "," SLSA ",\"x_vendor\":[1,{}],\"predicate\":{\"extra\":true," BD
                        ",\"runDetails\":{\"builder\":{\"id\":\"b\",\"version\":{\"c\":\"1\"},\"more\":null},"
                        "\"metadata\":{\"invocationId\":\"42\",\"startedOn\":\"2026-01-01T00:00:00.5Z\"},"
                        "\"byproducts\":[{\"name\":\"log\",\"uri\":\"https://x\"}]}}}";
    rampart_error err = {0};
    CHECK_OK(parse(extra, &s, &err));
    CHECK_STR(rampart_statement_builder_id(s), "b");
    rampart_statement_free(s);
    const char *nulls =
        "{" ST "," SUBJ "," SLSA ",\"predicate\":{\"buildDefinition\":{\"buildType\":\"bt\","
        "\"externalParameters\":null,\"internalParameters\":null,\"resolvedDependencies\":null}," RD "}}";
    CHECK_OK(parse(nulls, NULL, &err));
    const char *other = "{" ST "," SUBJ ",\"predicateType\":\"https://spdx.dev/Document\",\"predicate\":null}";
    CHECK_OK(parse(other, &s, NULL));
    CHECK_STR(rampart_statement_predicate_type(s), "https://spdx.dev/Document");
    CHECK(rampart_statement_builder_id(s) == NULL);
    rampart_statement_free(s);
    /* Digests: upper-case hex is read, other algorithms are kept but unused. */
    const char *digests =
        "{" ST ",\"subject\":[{\"digest\":{\"SHA256\":\"x\",\"gitCommit\":\"abc\",\"sha256\":\""
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}}]," SLSA ",\"predicate\":{" BD "," RD "}}";
    CHECK_OK(parse(digests, &s, NULL));
    CHECK_STR(rampart_statement_subject_digest(s, 0, "sha256"), H64);
    CHECK_STR(rampart_statement_subject_name(s, 0), "");
    rampart_statement_free(s);
}

static void refusals(void)
{
    static const char *const bad[] = {
        "",
        "[]",
        "{}",
        "{\"_type\":\"https://in-toto.io/Statement/v0.1\"," SUBJ "," SLSA ",\"predicate\":{" BD "," RD "}}",
        "{" ST "," SLSA ",\"predicate\":{" BD "," RD "}}",
        "{" ST ",\"subject\":[]," SLSA ",\"predicate\":{" BD "," RD "}}",
        "{" ST ",\"subject\":{}," SLSA ",\"predicate\":{" BD "," RD "}}",
        "{" ST ",\"subject\":[1]," SLSA ",\"predicate\":{" BD "," RD "}}",
        "{" ST ",\"subject\":[{\"name\":\"a\"}]," SLSA ",\"predicate\":{" BD "," RD "}}",
        "{" ST ",\"subject\":[{\"digest\":{}}]," SLSA ",\"predicate\":{" BD "," RD "}}",
        "{" ST ",\"subject\":[{\"digest\":{\"sha256\":\"abc\"}}]," SLSA ",\"predicate\":{" BD "," RD "}}",
        "{" ST ",\"subject\":[{\"digest\":{\"sha512\":\"" H64 "\"}}]," SLSA ",\"predicate\":{" BD "," RD "}}",
        "{" ST ",\"subject\":[{\"digest\":{\"sha256\":1}}]," SLSA ",\"predicate\":{" BD "," RD "}}",
        "{" ST ",\"subject\":[{\"name\":7,\"digest\":{\"sha256\":\"" H64 "\"}}]," SLSA ",\"predicate\":{" BD "," RD
        "}}",
        "{" ST "," SUBJ ",\"predicate\":{" BD "," RD "}}",
        "{" ST "," SUBJ ",\"predicateType\":\"\",\"predicate\":{" BD "," RD "}}",
        "{" ST "," SUBJ "," SLSA "}",
        "{" ST "," SUBJ "," SLSA ",\"predicate\":[]}",
        "{" ST "," SUBJ "," SLSA ",\"predicate\":{" RD "}}",
        "{" ST "," SUBJ "," SLSA ",\"predicate\":{" BD "}}",
        "{" ST "," SUBJ "," SLSA ",\"predicate\":{\"buildDefinition\":{}," RD "}}",
        "{" ST "," SUBJ "," SLSA ",\"predicate\":{\"buildDefinition\":{\"buildType\":\"\"}," RD "}}",
        "{" ST "," SUBJ "," SLSA ",\"predicate\":{\"buildDefinition\":{\"buildType\":\"bt\","
        "\"externalParameters\":[]}," RD "}}",
        "{" ST "," SUBJ "," SLSA ",\"predicate\":{\"buildDefinition\":{\"buildType\":\"bt\","
        "\"resolvedDependencies\":[{}]}," RD "}}",
        "{" ST "," SUBJ "," SLSA ",\"predicate\":{\"buildDefinition\":{\"buildType\":\"bt\","
        "\"resolvedDependencies\":[{\"uri\":5}]}," RD "}}",
        "{" ST "," SUBJ "," SLSA ",\"predicate\":{\"buildDefinition\":{\"buildType\":\"bt\","
        "\"resolvedDependencies\":{}}," RD "}}",
        "{" ST "," SUBJ "," SLSA ",\"predicate\":{" BD ",\"runDetails\":{}}}",
        "{" ST "," SUBJ "," SLSA ",\"predicate\":{" BD ",\"runDetails\":{\"builder\":{}}}}",
        "{" ST "," SUBJ "," SLSA ",\"predicate\":{" BD ",\"runDetails\":{\"builder\":{\"id\":[]}}}}",
        "{" ST "," SUBJ "," SLSA ",\"predicate\":{" BD ",\"runDetails\":{\"builder\":{\"id\":\"b\","
        "\"version\":{\"x\":1}}}}}",
        "{" ST "," SUBJ "," SLSA ",\"predicate\":{" BD ",\"runDetails\":{\"builder\":{\"id\":\"b\"},"
        "\"metadata\":{\"startedOn\":1}}}}",
        "{" ST "," SUBJ "," SLSA ",\"predicate\":{" BD ",\"runDetails\":{\"builder\":{\"id\":\"b\"},"
        "\"byproducts\":[3]}}}",
        "{" ST "," SUBJ "," SLSA "," SLSA ",\"predicate\":{" BD "," RD "}}",
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(bad); i++) {
        rampart_error err = {0};
        int rc = parse(bad[i], NULL, &err);
        if (rc != RAMPART_EPROVFORMAT)
            TH_FAIL("input %zu: %s (%s), expected RAMPART_EPROVFORMAT", i, rampart_error_name(rc), err.message);
    }
    /* Over-deep nesting in a predicate. */
    char deep[600];
    size_t o = (size_t)snprintf(deep, sizeof(deep), "{" ST "," SUBJ ",\"predicateType\":\"x\",\"predicate\":{\"a\":");
    for (int i = 0; i < 70; i++)
        deep[o++] = '[';
    for (int i = 0; i < 70; i++)
        deep[o++] = ']';
    memcpy(deep + o, "}}", 3);
    CHECK_RC(parse(deep, NULL, NULL), RAMPART_EPROVFORMAT);
    rampart_error err = {0};
    CHECK_RC(parse("{\"_type\":\"x\"}", NULL, &err), RAMPART_EPROVFORMAT);
    CHECK_STR(err.message, "statement _type is 'x', not https://in-toto.io/Statement/v1");
    CHECK_RC(rampart_statement_parse(NULL, "{}", 2, NULL), RAMPART_EINVAL);
}

/* Any valid JSON number is accepted where no number is read (in-toto and
 * SLSA allow them, e.g. in externalParameters); where a value is read, its
 * type is still checked; malformed numbers are still refused. */
static void any_number(void)
{
    static const char *const nums[] = {"1.5", "4e9", "-0.0E+1", "1e400", "123456789012345678901234567890", "2E-3"};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(nums); i++) {
        char json[1024];
        snprintf(json, sizeof(json),
                 "{" ST ",\"subject\":[{\"name\":\"a\",\"digest\":{\"sha256\":\"" H64
                 "\"},\"annotations\":{\"n\":%s}}],"
                 "\"x\":%s," SLSA ",\"predicate\":{\"buildDefinition\":{\"buildType\":\"bt\",\"externalParameters\":"
                 "{\"timeout\":%s,\"list\":[%s,1]}}," RD ",\"extra\":%s}}",
                 nums[i], nums[i], nums[i], nums[i], nums[i]);
        rampart_error err = {0};
        rampart_statement *s = NULL;
        int rc = parse(json, &s, &err);
        if (rc != 0)
            TH_FAIL("%s: %s (%s)", nums[i], rampart_error_name(rc), err.message);
        else
            CHECK_STR(rampart_statement_builder_id(s), "b");
        rampart_statement_free(s);
    }
    rampart_error err = {0};
    CHECK_RC(parse("{" ST "," SUBJ "," SLSA ",\"predicate\":{" BD ",\"runDetails\":{\"builder\":{\"id\":1.5}}}}", NULL,
                   &err),
             RAMPART_EPROVFORMAT);
    CHECK_STR(err.message, "SLSA provenance: runDetails.builder.id is not a string");
    CHECK_RC(parse("{" ST ",\"subject\":[{\"digest\":{\"sha256\":4e9}}]," SLSA ",\"predicate\":{" BD "," RD "}}", NULL,
                   &err),
             RAMPART_EPROVFORMAT);
    CHECK_STR(err.message, "statement subject[0].digest values must be strings");
    static const char *const bad[] = {"1.", ".5", "1e", "1e+", "-", "01.5", "+1", "1.e3", "0x10", "NaN"};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(bad); i++) {
        char json[512];
        snprintf(json, sizeof(json), "{" ST "," SUBJ "," SLSA ",\"x\":%s,\"predicate\":{" BD "," RD "}}", bad[i]);
        int rc = parse(json, NULL, &err);
        if (rc != RAMPART_EPROVFORMAT || strncmp(err.message, "statement is not valid JSON: ", 29) != 0)
            TH_FAIL("%s: %s (%s), expected RAMPART_EPROVFORMAT", bad[i], rampart_error_name(rc), err.message);
    }
}

/* Subjects match by digest: a shared algorithm, every shared digest equal. */
static void subject_matching(void)
{
    const char *two = "{" ST ",\"subject\":[{\"digest\":{\"sha256\":\"" H64 "\"}},{\"digest\":{\"sha512\":\"" H64 H64
                      "\",\"sha256\":\""
                      "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
                      "\"}}],"
                      "\"predicateType\":\"x\"}";
    rampart_statement *s = NULL;
    CHECK_OK(parse(two, &s, NULL));
    rprov_digests a = {0}, b = {0}, c = {0}, none = {0};
    CHECK_OK(rprov_digest_from_hex(RHASH_SHA256, H64, 64, &a));
    CHECK_OK(rprov_digest_from_hex(RHASH_SHA512, H64 H64, 128, &b));
    c = b;
    CHECK_OK(rprov_digest_from_hex(RHASH_SHA256, H64, 64, &c)); /* sha512 of subject 2, sha256 of subject 1 */
    bool ra = rprov_subject_matches(s, &a), rb = rprov_subject_matches(s, &b), rc = rprov_subject_matches(s, &c);
    bool rn = rprov_subject_matches(s, &none);
    /* Subject 2's sha256 with another sha512: a conflict, no match. */
    rprov_digests d = {0};
    int dr = rprov_digest_from_hex(RHASH_SHA256, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 64,
                                   &d) |
             rprov_digest_from_hex(RHASH_SHA512, H64 "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
                                   128, &d);
    bool rd = rprov_subject_matches(s, &d);
    d.has512 = false;
    bool rd256 = rprov_subject_matches(s, &d);
    rampart_statement_free(s);
    CHECK(ra);
    CHECK(rb);
    CHECK(rc); /* subject 1 shares only sha256, and it is equal */
    CHECK(!rn);
    CHECK_OK(dr);
    CHECK(!rd);
    CHECK(rd256);
    CHECK_RC(rprov_digest_from_hex(RHASH_SHA256, H64, 63, &a), RAMPART_EFORMAT);
    CHECK_RC(rprov_digest_from_hex(RHASH_UNKNOWN, H64, 64, &a), RAMPART_EFORMAT);
}

int main(void)
{
    RUN(slsa_fields);
    RUN(source_split);
    RUN(parsing_rules);
    RUN(refusals);
    RUN(any_number);
    RUN(subject_matching);
    return th_summary("test_prov_statement");
}
