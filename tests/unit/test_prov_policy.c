/* test_prov_policy.c - provenance policies: the file format and its
 * refusals, the choice of a rule for a path, and rampart_prov_verify with
 * every refusal's exact code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "prov/prov.h"
#include "provtest.h"
#include "util/banned.h"

static rprivkey *builder, *builder2, *stranger;

/* A policy: keys "ci" and "ci2", and a default rule with `def` (a JSON
 * object text, merged over the base) plus `rules` (a JSON array text or NULL). */
static char *policy_text(const char *def, const char *rules)
{
    json_t *p = json_object(), *keys = json_object();
    json_object_set_new(keys, "ci", pt_key_json(builder));
    json_object_set_new(keys, "ci2", pt_key_json(builder2));
    json_object_set_new(p, "keys", keys);
    json_t *d = json_pack("{s:s,s:[s],s:[s]}", "provenance", "required", "keys", "ci", "builder_ids", PT_BUILDER);
    json_t *extra = json_loads(def != NULL ? def : "{}", 0, NULL);
    json_object_update(d, extra);
    json_decref(extra);
    json_object_set_new(p, "default", d);
    if (rules != NULL)
        json_object_set_new(p, "rules", json_loads(rules, 0, NULL));
    char *s = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    return s;
}

static rampart_prov_policy *policy(const char *def, const char *rules)
{
    char *text = policy_text(def, rules);
    rampart_prov_policy *p = NULL;
    rampart_error err = {0};
    if (rampart_prov_policy_parse(&p, text, strlen(text), &err) != 0)
        fprintf(stderr, "policy: %s\n", err.message);
    free(text);
    return p;
}

static int policy_rc(const char *text, rampart_error *err)
{
    rampart_prov_policy *p = NULL;
    int rc = rampart_prov_policy_parse(&p, text, strlen(text), err);
    rampart_prov_policy_free(p);
    return rc;
}

static void policy_refusals(void)
{
    static const struct {
        const char *def, *rules, *msg;
    } bad[] = {
        {"{\"provenance\":\"always\"}", NULL, "default.provenance must be"},
        {"{\"builder_id\":[\"x\"]}", NULL, "unknown member 'builder_id' in default"},
        {"{\"paths\":[\"*\"]}", NULL, "unknown member 'paths' in default"},
        {"{\"keys\":[\"nobody\"]}", NULL, "default.keys names 'nobody'"},
        {"{\"keys\":[\"ci\",\"ci\"]}", NULL, "default.keys lists 'ci' twice"},
        {"{\"keys\":[]}", NULL, "default.keys must be a non-empty array"},
        {"{\"threshold\":0}", NULL, "default.threshold must be an integer"},
        {"{\"threshold\":2}", NULL, "default.threshold 2 is above its 1 distinct keys"},
        {"{\"build_types\":[]}", NULL, "default.build_types must be a non-empty array"},
        {"{\"source_uris\":[\"\"]}", NULL, "default.source_uris entries must be non-empty"},
        {"{\"source_uris\":[1]}", NULL, "default.source_uris entries must be non-empty"},
        {"{\"version_tag\":\"yes\"}", NULL, "default.version_tag must be true or false"},
        {NULL, "[{\"provenance\":\"none\"}]", "rules[0] has no \"paths\""},
        {NULL, "[{\"paths\":[\"a/*\"],\"name\":\"\"}]", "rules[0].name must be a string"},
        {NULL, "[{\"paths\":[\"a/*\"],\"name\":\"app\",\"threshold\":2}]", "app.threshold 2 is above its 1"},
        {NULL, "[{\"paths\":[\"a/*\"],\"threshold\":2,\"keys\":[\"ci\",\"same\"]}]", "names 'same'"},
        {NULL, "[{\"paths\":[\"a/*\"],\"unknown\":1}]", "unknown member 'unknown' in rules[0]"},
        {NULL, "[1]", "rules[0] is not an object"},
        {NULL, "{}", "\"rules\" is not an array"},
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(bad); i++) {
        char *text = policy_text(bad[i].def, bad[i].rules);
        rampart_error err = {0};
        int rc = policy_rc(text, &err);
        free(text);
        if (rc != RAMPART_EFORMAT || strstr(err.message, bad[i].msg) == NULL)
            TH_FAIL("case %zu: %s \"%s\", expected RAMPART_EFORMAT \"%s\"", i, rampart_error_name(rc), err.message,
                    bad[i].msg);
    }
    /* Whole-file refusals. */
    static const char *const files[] = {
        "[]",
        "{}",
        "{\"default\":{}}",
        "{\"default\":{\"provenance\":\"required\",\"builder_ids\":[\"b\"]}}",      /* no keys */
        "{\"default\":{\"provenance\":\"optional\",\"keys\":[\"k\"]},\"keys\":{}}", /* unknown key name */
        "{\"default\":{\"provenance\":\"none\"},\"extra\":1}",
        "{\"default\":{\"provenance\":\"none\"},\"version\":2}",
        "{\"default\":{\"provenance\":\"none\"},\"keys\":{\"k\":{\"keytype\":\"ed25519\"}}}",
        "{\"default\":{\"provenance\":\"none\"},\"default\":{\"provenance\":\"none\"}}",
        "{\"default\":{\"provenance\":\"none\"},\"keys\":[]}",
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(files); i++) {
        rampart_error err = {0};
        int rc = policy_rc(files[i], &err);
        if (rc != RAMPART_EFORMAT)
            TH_FAIL("file %zu: %s (%s), expected RAMPART_EFORMAT", i, rampart_error_name(rc), err.message);
    }
    /* Builders are required wherever provenance is evaluated. */
    char *pub = pt_public(builder);
    char text[1024];
    snprintf(text, sizeof(text),
             "{\"keys\":{\"k\":{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\",\"keyval\":{\"public\":\"%s\"}}},"
             "\"default\":{\"provenance\":\"required\",\"keys\":[\"k\"]}}",
             pub);
    rampart_error err = {0};
    CHECK_RC(policy_rc(text, &err), RAMPART_EFORMAT);
    CHECK(strstr(err.message, "default evaluates provenance but has no \"builder_ids\"") != NULL);
    snprintf(text, sizeof(text),
             "{\"keys\":{\"k\":{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\",\"keyval\":{\"public\":\"%.10s\"}}},"
             "\"default\":{\"provenance\":\"none\"}}",
             pub);
    CHECK_RC(policy_rc(text, NULL), RAMPART_EFORMAT);
    snprintf(text, sizeof(text),
             "{\"keys\":{\"k\":{\"keytype\":\"dsa\",\"scheme\":\"dsa\",\"keyval\":{\"public\":\"%s\"}}},"
             "\"default\":{\"provenance\":\"none\"}}",
             pub);
    free(pub);
    CHECK_RC(policy_rc(text, NULL), RAMPART_EUNSUPPORTED);
    CHECK_RC(rampart_prov_policy_parse(NULL, "{}", 2, NULL), RAMPART_EINVAL);
    rampart_prov_policy *p = NULL;
    CHECK_RC(rampart_prov_policy_load(&p, "/nonexistent/policy.json", NULL), RAMPART_ENOTFOUND);
}

static void rule_selection(void)
{
    rampart_prov_policy *p =
        policy("{\"build_types\":[\"bt\"],\"version_tag\":true}",
               "[{\"name\":\"docs\",\"paths\":[\"docs/*\",\"*.md\"],\"provenance\":\"none\"},"
               "{\"paths\":[\"app/*\"],\"provenance\":\"optional\",\"keys\":[\"ci\",\"ci2\"],\"threshold\":2},"
               "{\"name\":\"late\",\"paths\":[\"docs/x\"],\"provenance\":\"required\"}]");
    CHECK(p != NULL);
    CHECK_INT(rampart_prov_policy_requirement(p, "docs/x"), RAMPART_PROV_NONE); /* the first match wins */
    CHECK_STR(rampart_prov_policy_rule_name(p, "docs/x"), "docs");
    CHECK_INT(rampart_prov_policy_requirement(p, "README.md"), RAMPART_PROV_NONE);
    CHECK_INT(rampart_prov_policy_requirement(p, "docs/sub/README.md"), RAMPART_PROV_REQUIRED); /* '*' stops at '/' */
    CHECK_STR(rampart_prov_policy_rule_name(p, "docs/sub/README.md"), "default");
    CHECK_INT(rampart_prov_policy_requirement(p, "app/app-1.tgz"), RAMPART_PROV_OPTIONAL);
    CHECK_STR(rampart_prov_policy_rule_name(p, "app/app-1.tgz"), "rules[1]");
    rprov_eff f;
    rprov_policy_select(p, "app/app-1.tgz", &f);
    CHECK_INT(f.nkeys, 2);
    CHECK_INT(f.threshold, 2);
    CHECK(f.build_types->set && f.build_types->n == 1); /* inherited */
    CHECK(f.version_tag);
    CHECK_STR(f.builder_ids->v[0], PT_BUILDER);
    rprov_policy_select(p, "other", &f);
    CHECK_INT(f.nkeys, 1);
    CHECK_INT(f.threshold, 1);
    CHECK_INT(rampart_prov_policy_requirement(NULL, "x"), RAMPART_PROV_NONE);
    CHECK(rampart_prov_policy_rule_name(p, NULL) == NULL);
    rampart_prov_policy_free(p);
}

/* Judges `env` (NULL: none) for the default artifact under the policy. */
static int judge(rampart_prov_policy *p, const char *env, const char *path, rampart_error *err)
{
    char hex[65];
    pt_sha256(PT_ARTIFACT, strlen(PT_ARTIFACT), hex);
    rampart_prov_artifact a = RAMPART_PROV_ARTIFACT_INIT;
    a.path = path != NULL ? path : "app/app-1.2.0.tar.gz";
    a.sha256 = hex;
    rampart_statement *s = (rampart_statement *)&a; /* must be overwritten on success, untouched on failure */
    int rc = rampart_prov_verify(p, &a, env, env != NULL ? strlen(env) : 0, &s, err);
    if (rc == 0)
        rampart_statement_free(s);
    return rc;
}

/* One refusal: the statement `s` signed by `key`, judged by policy `p`. */
static int refusal(rampart_prov_policy *p, const pt_stmt *s, rprivkey *key, rampart_error *err)
{
    char *env = pt_attestation(s, &key, 1);
    int rc = judge(p, env, NULL, err);
    free(env);
    return rc;
}

#define REFUSED(p, st, key, code, msg)                                                                                 \
    do {                                                                                                               \
        rampart_error e_ = {0};                                                                                        \
        int rc_ = refusal((p), &(st), (key), &e_);                                                                     \
        if (rc_ != (code) || strstr(e_.message, (msg)) == NULL) {                                                      \
            TH_FAIL("%s \"%s\", expected %s \"%s\"", rampart_error_name(rc_), e_.message, rampart_error_name(code),    \
                    (msg));                                                                                            \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

static void verify_refusals(void)
{
    rampart_prov_policy *p = policy("{\"build_types\":[\"" PT_BUILD_TYPE "\"],\"source_uris\":["
                                    "\"git+https://git.example.com/org/*\"],\"version_tag\":true}",
                                    NULL);
    CHECK(p != NULL);
    pt_stmt good = pt_default(), s;
    rampart_error err = {0};
    /* Accepted, and the statement is handed back. */
    char *env = pt_attestation(&good, &builder, 1);
    char hex[65];
    pt_sha256(PT_ARTIFACT, strlen(PT_ARTIFACT), hex);
    rampart_prov_artifact a = RAMPART_PROV_ARTIFACT_INIT;
    a.path = "app/app-1.2.0.tar.gz";
    a.sha256 = hex;
    rampart_statement *st = NULL;
    int rc = rampart_prov_verify(p, &a, env, strlen(env), &st, &err);
    free(env);
    CHECK_OK(rc);
    CHECK_STR(rampart_statement_builder_id(st), PT_BUILDER);
    rampart_statement_free(st);
    /* Missing. */
    CHECK_RC(judge(p, NULL, NULL, &err), RAMPART_EPROVMISSING);
    CHECK_STR(err.message, "policy rule 'default' requires provenance for 'app/app-1.2.0.tar.gz', and it has no "
                           "attestation");
    CHECK_STR(err.role, "default");
    /* Malformed envelope. */
    CHECK_RC(judge(p, "{\"payload\":1}", NULL, &err), RAMPART_EPROVFORMAT);
    CHECK(strncmp(err.message, "policy rule 'default': attestation payload is not a string", 58) == 0);
    /* Unsigned, signed by a stranger. */
    char *st_json = pt_statement_json(&good);
    char *unsigned_env = pt_envelope(RAMPART_INTOTO_PAYLOAD_TYPE, st_json, strlen(st_json), NULL, 0);
    CHECK_RC(judge(p, unsigned_env, NULL, &err), RAMPART_EPROVSIG);
    CHECK_STR(err.message, "policy rule 'default': the attestation of 'app/app-1.2.0.tar.gz' is unsigned");
    free(unsigned_env);
    REFUSED(p, good, stranger, RAMPART_EPROVSIG, "is signed by 0 of the 1 trusted builder keys required");
    /* Wrong payload type, over a good signature. */
    char *other = pt_envelope("application/json", st_json, strlen(st_json), &builder, 1);
    free(st_json);
    CHECK_RC(judge(p, other, NULL, &err), RAMPART_EPROVFORMAT);
    CHECK(strstr(err.message, "payload type 'application/json' is not application/vnd.in-toto+json") != NULL);
    free(other);
    /* The statement. */
    s = good;
    s.type = "https://in-toto.io/Statement/v0.1";
    REFUSED(p, s, builder, RAMPART_EPROVFORMAT, "statement _type is 'https://in-toto.io/Statement/v0.1'");
    s = good;
    s.predicate_type = "https://slsa.dev/provenance/v0.2";
    REFUSED(p, s, builder, RAMPART_EPROVPREDICATE, "predicate type is 'https://slsa.dev/provenance/v0.2'");
    s = good;
    s.builder_id = NULL;
    REFUSED(p, s, builder, RAMPART_EPROVFORMAT, "runDetails.builder.id is missing or empty");
    s = good;
    s.subject_sha256 = "1111111111111111111111111111111111111111111111111111111111111111";
    REFUSED(p, s, builder, RAMPART_EPROVSUBJECT, "no subject of the attestation has the artifact's digest");
    s = good;
    s.builder_id = "https://ci.example.com/builders/self-hosted@v1";
    REFUSED(p, s, builder, RAMPART_EPROVBUILDER, "builder 'https://ci.example.com/builders/self-hosted@v1' is not");
    s = good;
    s.build_type = "https://evil.example.com/shell";
    REFUSED(p, s, builder, RAMPART_EPROVBUILDTYPE, "build type 'https://evil.example.com/shell' is not allowed");
    s = good;
    s.source = "git+https://git.example.com/fork/app/extra@refs/tags/v1.2.0"; /* '*' stops at '/' */
    REFUSED(p, s, builder, RAMPART_EPROVSOURCE, "source 'git+https://git.example.com/fork/app/extra' is not");
    s.source = NULL;
    REFUSED(p, s, builder, RAMPART_EPROVSOURCE, "names no source");
    s = good;
    s.source = PT_SOURCE "@refs/heads/v1.2.0";
    REFUSED(p, s, builder, RAMPART_EPROVREVISION, "source revision 'refs/heads/v1.2.0' is not a release tag");
    s.source = PT_SOURCE "@refs/tags/v1.2.1";
    REFUSED(p, s, builder, RAMPART_EPROVREVISION,
            "source revision 'refs/tags/v1.2.1' is not the tag of the version in 'app-1.2.0.tar.gz'");
    s.source = PT_SOURCE;
    REFUSED(p, s, builder, RAMPART_EPROVREVISION, "source revision '' is not a release tag");
    rampart_prov_policy_free(p);
}

/* Thresholds, optional provenance, rules that do not evaluate it. */
static void verify_modes(void)
{
    rampart_prov_policy *p = policy(NULL, "[{\"paths\":[\"two/*\"],\"keys\":[\"ci\",\"ci2\"],\"threshold\":2},"
                                          "{\"paths\":[\"opt/*\"],\"provenance\":\"optional\"},"
                                          "{\"paths\":[\"off/*\"],\"provenance\":\"none\"}]");
    CHECK(p != NULL);
    pt_stmt good = pt_default();
    char *one = pt_attestation(&good, &builder, 1);
    char *both = pt_attestation(&good, (rprivkey *[]){builder, builder2}, 2);
    char *stray = pt_attestation(&good, &stranger, 1);
    rampart_error err = {0};
    int r_one = judge(p, one, "two/a", &err);
    rampart_error one_err = err;
    int r_both = judge(p, both, "two/a", NULL);
    int r_opt_none = judge(p, NULL, "opt/a", NULL), r_opt_bad = judge(p, stray, "opt/a", NULL);
    int r_opt_good = judge(p, one, "opt/a", NULL);
    int r_off = judge(p, stray, "off/a", NULL), r_off_none = judge(p, NULL, "off/a", NULL);
    free(one);
    free(both);
    free(stray);
    CHECK_RC(r_one, RAMPART_EPROVSIG);
    CHECK_STR(one_err.message, "policy rule 'rules[0]': the attestation of 'two/a' is signed by 1 of the 2 trusted "
                               "builder keys required");
    CHECK_OK(r_both);
    CHECK_OK(r_opt_none);
    CHECK_RC(r_opt_bad, RAMPART_EPROVSIG);
    CHECK_OK(r_opt_good);
    CHECK_OK(r_off);
    CHECK_OK(r_off_none);
    /* Invalid arguments. */
    rampart_prov_artifact a = RAMPART_PROV_ARTIFACT_INIT;
    CHECK_RC(rampart_prov_verify(p, &a, NULL, 0, NULL, NULL), RAMPART_EINVAL); /* no path */
    a.path = "x";
    CHECK_RC(rampart_prov_verify(p, &a, NULL, 0, NULL, NULL), RAMPART_EINVAL); /* no digest */
    a.sha256 = "abc";
    CHECK_RC(rampart_prov_verify(p, &a, NULL, 0, NULL, NULL), RAMPART_EINVAL);
    a.version = 99;
    CHECK_RC(rampart_prov_verify(p, &a, NULL, 0, NULL, NULL), RAMPART_EINVAL);
    CHECK_RC(rampart_prov_verify(NULL, &a, NULL, 0, NULL, NULL), RAMPART_EINVAL);
    rampart_prov_policy_free(p);
}

/* "version_tag": the version comes from the attestation (its subject's
 * name and its tag), never from the target's custom metadata. */
static void versions_and_digests(void)
{
    static const struct {
        const char *path, *subject, *tag, *release, *custom;
        int rc;
    } cases[] = {
        {"app/app-1.2.0.tar.gz", "app-1.2.0.tar.gz", "v1.2.0", NULL, NULL, 0},
        {"app/app-1.2.0.tar.gz", "app-1.2.0.tar.gz", "1.2.0", NULL, NULL, 0},
        {"app/app-1.2.0.tar.gz", "dist/app-1.2.0.tar.gz", "v1.2.0", NULL, NULL, 0},
        {"app_2.0.zip", "app_2.0.zip", "v2.0", NULL, NULL, 0},
        {"3.1.bin", "3.1.bin", "3.1", NULL, NULL, 0},
        {"app-2.0.0-rc.1.tgz", "app-2.0.0-rc.1.tgz", "v2.0.0-rc.1", NULL, NULL, 0},
        {"app-v1.2.0.tgz", "app-v1.2.0.tgz", "v1.2.0", NULL, NULL, 0},
        {"app-1.2.0-linux.tgz", "app-1.2.0-linux.tgz", "v1.2.0", NULL, NULL, 0},
        {"app.tgz", "app-1.2.0.tar.gz", "v1.2.0", "1.2.0", NULL, 0}, /* the verifier's own version */
        /* refused */
        {"app-1.2.0.tar.gz", "app-1.2.0.tar.gz", "v1.2", NULL, NULL, RAMPART_EPROVREVISION},
        {"app-1.2.0.tar.gz", "app-1.2.0.tar.gz", "v2.0", NULL, NULL, RAMPART_EPROVREVISION},
        {"app-1.2.0.tar.gz", "app-1.2.0.tar.gz", "app", NULL, NULL, RAMPART_EPROVREVISION},
        {"tool2-4.5.tgz", "tool2-4.5.tgz", "v2", NULL, NULL, RAMPART_EPROVREVISION},
        {"app-1.2.0rc1.tgz", "app-1.2.0rc1.tgz", "v1.2.0", NULL, NULL, RAMPART_EPROVREVISION},
        {"app.tgz", "app.tgz", "v1.2.0", NULL, "{\"version\":\"1.2.0\"}", RAMPART_EPROVREVISION},
        {"app-1.3.0.tar.gz", "app-1.2.0.tar.gz", "v1.2.0", NULL, "{\"version\":\"1.2.0\"}", RAMPART_EPROVREVISION},
        {"app-1.2.0.tar.gz", "app-1.2.0.tar.gz", "v1.2.0", "1.3.0", NULL, RAMPART_EPROVREVISION},
    };
    rampart_prov_policy *p = policy("{\"version_tag\":true}", NULL);
    CHECK(p != NULL);
    char hex[65];
    pt_sha256(PT_ARTIFACT, strlen(PT_ARTIFACT), hex);
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(cases); i++) {
        char source[256];
        snprintf(source, sizeof(source), PT_SOURCE "@refs/tags/%s", cases[i].tag);
        pt_stmt st = pt_default();
        st.source = source;
        st.subject_name = cases[i].subject;
        char *env = pt_attestation(&st, &builder, 1);
        rampart_prov_artifact a = RAMPART_PROV_ARTIFACT_INIT;
        a.path = cases[i].path;
        a.sha256 = hex;
        a.release = cases[i].release;
        a.custom_json = cases[i].custom;
        rampart_error err = {0};
        int rc = rampart_prov_verify(p, &a, env, strlen(env), NULL, &err);
        free(env);
        if (rc != cases[i].rc)
            TH_FAIL("case %zu (%s, tag %s): %s \"%s\"", i, cases[i].path, cases[i].tag, rampart_error_name(rc),
                    err.message);
    }
    pt_stmt s = pt_default();
    char *env = NULL;
    /* The attack: the release keys republish 1.2.0's genuinely attested build
     * as 1.3.0, with custom "version" set to 1.2.0 (accepted before). */
    rampart_prov_artifact t = RAMPART_PROV_ARTIFACT_INIT;
    t.sha256 = hex;
    t.path = "app/app-1.3.0.tar.gz";
    t.custom_json = "{\"version\":\"1.2.0\"}";
    rampart_error e_attack = {0}, e_tag = {0};
    env = pt_attestation(&s, &builder, 1);
    int r_attack = rampart_prov_verify(p, &t, env, strlen(env), NULL, &e_attack);
    t.path = "app/app-1.2.0.tar.gz"; /* the legitimate release, custom or not */
    int r_legit = rampart_prov_verify(p, &t, env, strlen(env), NULL, NULL);
    free(env);
    s.source = PT_SOURCE "@refs/heads/v1.2.0";
    env = pt_attestation(&s, &builder, 1);
    int r_branch = rampart_prov_verify(p, &t, env, strlen(env), NULL, &e_tag);
    free(env);
    CHECK_RC(r_attack, RAMPART_EPROVREVISION);
    CHECK_STR(e_attack.message, "policy rule 'default': the attestation names the artifact 'app-1.2.0.tar.gz', not "
                                "'app-1.3.0.tar.gz' (version_tag binds the target's name to the attested build)");
    CHECK_OK(r_legit);
    CHECK_RC(r_branch, RAMPART_EPROVREVISION);
    CHECK_STR(e_tag.message, "policy rule 'default': source revision 'refs/heads/v1.2.0' is not a release tag "
                             "(refs/tags/...)");
    s = pt_default();
    /* A file on disk, and sha512-only artifacts. */
    char path[] = "/tmp/rampart-prov-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, PT_ARTIFACT, strlen(PT_ARTIFACT)) == (ssize_t)strlen(PT_ARTIFACT));
    close(fd);
    env = pt_attestation(&s, &builder, 1);
    rampart_prov_artifact a = RAMPART_PROV_ARTIFACT_INIT;
    a.path = "app-1.2.0.tar.gz";
    a.file = path;
    int r_file = rampart_prov_verify(p, &a, env, strlen(env), NULL, NULL);
    a.file = "/nonexistent/file";
    int r_nofile = rampart_prov_verify(p, &a, env, strlen(env), NULL, NULL);
    a.file = NULL;
    a.sha512 = "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
               "000000000000000000000000000";
    int r_512 = rampart_prov_verify(p, &a, env, strlen(env), NULL, NULL);
    free(env);
    unlink(path);
    rampart_prov_policy_free(p);
    CHECK_OK(r_file);
    CHECK_RC(r_nofile, RAMPART_ENOTFOUND);
    CHECK_RC(r_512, RAMPART_EPROVSUBJECT); /* no algorithm in common */
}

/* Every digest algorithm both sides know must match (issue: sha256 equal,
 * sha512 different was accepted from a file on disk and by `repo add`, and
 * refused by the client).  Verification from a file, from given digests
 * and the repository's unsigned check say the same, naming the subject and
 * the algorithm that differs. */
static void digest_agreement(void)
{
    rampart_prov_policy *p = policy(NULL, NULL);
    CHECK(p != NULL);
    char h256[65], h512[129], other512[129];
    pt_sha256(PT_ARTIFACT, strlen(PT_ARTIFACT), h256);
    pt_sha512(PT_ARTIFACT, strlen(PT_ARTIFACT), h512);
    pt_sha512("another build\n", 14, other512);
    pt_stmt bad = pt_default(), good = pt_default();
    bad.subject_sha512 = other512;
    good.subject_sha512 = h512;
    char *env_bad = pt_attestation(&bad, &builder, 1), *env_good = pt_attestation(&good, &builder, 1);
    char path[] = "/tmp/rampart-prov-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, PT_ARTIFACT, strlen(PT_ARTIFACT)) == (ssize_t)strlen(PT_ARTIFACT));
    close(fd);
    static const char want[] = "subject 'app-1.2.0.tar.gz' of the attestation has the artifact's sha256, but its "
                               "sha512 differs";
    rampart_prov_artifact a = RAMPART_PROV_ARTIFACT_INIT;
    a.path = "app/app-1.2.0.tar.gz";
    a.file = path;
    rampart_error e_file = {0}, e_dig = {0};
    rerr e_repo = {0};
    int r_file = rampart_prov_verify(p, &a, env_bad, strlen(env_bad), NULL, &e_file);
    int r_file_good = rampart_prov_verify(p, &a, env_good, strlen(env_good), NULL, NULL);
    a.file = NULL;
    a.sha256 = h256;
    a.sha512 = h512;
    int r_dig = rampart_prov_verify(p, &a, env_bad, strlen(env_bad), NULL, &e_dig);
    a.sha512 = NULL; /* only sha256 known: it is the only digest both sides know, and it matches */
    int r_256 = rampart_prov_verify(p, &a, env_bad, strlen(env_bad), NULL, NULL);
    rprov_digests d = {0};
    CHECK_OK(rprov_hash_file(path, &d, NULL));
    int r_repo = rprov_check_unsigned((const uint8_t *)env_bad, strlen(env_bad), &d, &e_repo);
    unlink(path);
    free(env_bad);
    free(env_good);
    rampart_prov_policy_free(p);
    CHECK_RC(r_file, RAMPART_EPROVSUBJECT);
    CHECK_STR(e_file.message, "policy rule 'default': subject 'app-1.2.0.tar.gz' of the attestation has the artifact's "
                              "sha256, but its sha512 differs");
    CHECK_RC(r_dig, RAMPART_EPROVSUBJECT);
    CHECK_STR(e_dig.message, e_file.message);
    CHECK_RC(r_repo, RAMPART_EPROVSUBJECT);
    CHECK_STR(e_repo.message, want);
    CHECK_OK(r_file_good);
    CHECK_OK(r_256);
}

/* Joins envelopes into an .intoto.jsonl bundle, one per line (malloc'ed). */
static char *jsonl(char *const *env, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(env[i]) + 1;
    char *out = malloc(len);
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(out + o, len - o, "%s\n", env[i]);
    return out;
}

/* JSON Lines bundles: the envelope about the artifact is picked, wherever
 * it is; when none passes, the refusal that got furthest is reported; a
 * single envelope laid out on several lines is still one envelope.  The
 * repository's unsigned check reads bundles alike. */
static void bundles(void)
{
    rampart_prov_policy *p = policy(NULL, NULL);
    CHECK(p != NULL);
    pt_stmt good = pt_default(), other = pt_default();
    other.subject_sha256 = "1111111111111111111111111111111111111111111111111111111111111111";
    other.subject_name = "lib-1.2.0.tar.gz";
    char *e_good = pt_attestation(&good, &builder, 1), *e_other = pt_attestation(&other, &builder, 1);
    char *e_stranger = pt_attestation(&good, &stranger, 1);
    char *b1 = jsonl((char *[]){e_other, e_good}, 2), *b2 = jsonl((char *[]){e_stranger, e_other, e_stranger}, 3);
    char *b3 = jsonl((char *[]){e_stranger, e_stranger}, 2),
         *b4 = jsonl((char *[]){e_other, (char *)"{\"payload\":"}, 2);
    /* One envelope pretty-printed over several lines. */
    json_t *j = json_loads(e_good, 0, NULL);
    char *pretty = json_dumps(j, JSON_INDENT(2));
    json_decref(j);
    rampart_error err = {0}, err2 = {0}, err3 = {0};
    int r1 = judge(p, b1, NULL, NULL), r2 = judge(p, b2, NULL, &err), r3 = judge(p, b3, NULL, &err2);
    int r4 = judge(p, b4, NULL, &err3), r_pretty = judge(p, pretty, NULL, NULL);
    /* The repository: the matching envelope of a bundle is found. */
    rprov_digests d = {0};
    char hex[65];
    pt_sha256(PT_ARTIFACT, strlen(PT_ARTIFACT), hex);
    CHECK_OK(rprov_digest_from_hex(RHASH_SHA256, hex, 64, &d));
    int u1 = rprov_check_unsigned((const uint8_t *)b1, strlen(b1), &d, NULL);
    char *b5 = jsonl((char *[]){e_other, e_other}, 2);
    rerr uerr = {0};
    int u2 = rprov_check_unsigned((const uint8_t *)b5, strlen(b5), &d, &uerr);
    /* More than RPROV_MAX_ENVELOPES lines. */
    char *many[RPROV_MAX_ENVELOPES + 1];
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(many); i++)
        many[i] = e_other;
    char *b6 = jsonl(many, RAMPART_ARRAY_LEN(many));
    rampart_error err6 = {0};
    int r6 = judge(p, b6, NULL, &err6);
    char *owned[] = {b1, b2, b3, b4, b5, b6, pretty, e_good, e_other, e_stranger};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(owned); i++)
        free(owned[i]);
    rampart_prov_policy_free(p);
    CHECK_OK(r1);
    CHECK_OK(r_pretty);
    CHECK_RC(r2, RAMPART_EPROVSUBJECT);
    CHECK_STR(err.message, "policy rule 'default': no subject of the attestation has the artifact's digest (it is "
                           "about 1 other artifact) (envelope 2 of the 3 in the bundle; none passes)");
    CHECK_RC(r3, RAMPART_EPROVSIG);
    CHECK_STR(err2.message, "policy rule 'default': the attestation of 'app/app-1.2.0.tar.gz' is signed by 0 of the 1 "
                            "trusted builder keys required (envelope 1 of the 2 in the bundle; none passes)");
    CHECK_RC(r4, RAMPART_EPROVSUBJECT); /* a malformed line ranks below a verified envelope */
    CHECK(strstr(err3.message, "(envelope 1 of the 2 in the bundle; none passes)") != NULL);
    CHECK_OK(u1);
    CHECK_RC(u2, RAMPART_EPROVSUBJECT);
    CHECK_STR(uerr.message, "no subject of the attestation has the artifact's digest (it is about 1 other artifact) "
                            "(envelope 1 of the 2 in the bundle; none passes)");
    CHECK_RC(r6, RAMPART_EPROVFORMAT);
    CHECK_STR(err6.message, "policy rule 'default': the attestation bundle has more than 64 envelopes");
}

/* A Sigstore bundle is reported as such, with the rule. */
static void sigstore_bundle(void)
{
    rampart_prov_policy *p = policy(NULL, NULL);
    CHECK(p != NULL);
    rampart_error err = {0};
    int rc = judge(p, "{\"mediaType\":\"application/vnd.dev.sigstore.bundle+json;version=0.2\",\"dsseEnvelope\":{}}",
                   NULL, &err);
    rampart_prov_policy_free(p);
    CHECK_RC(rc, RAMPART_EUNSUPPORTED);
    CHECK_STR(err.message, "policy rule 'default': the attestation is a Sigstore bundle "
                           "(application/vnd.dev.sigstore.bundle+json;version=0.2), which is not supported: give the "
                           "DSSE envelope, signed with a key (docs/provenance.md)");
}

/* The worked example of docs/provenance.md (tests/vectors/prov/example-policy.json). */
static void worked_example(void)
{
    rampart_prov_policy *p = NULL;
    rampart_error err = {0};
    CHECK_OK(rampart_prov_policy_load(&p, RAMPART_TEST_DATA "/vectors/prov/example-policy.json", &err));
    static const struct {
        const char *path, *rule;
        int req;
        size_t nkeys;
        unsigned threshold;
        bool tag;
    } cases[] = {
        {"app/app-1.2.0.tar.gz", "default", RAMPART_PROV_REQUIRED, 1, 1, true},
        {"docs/manual.pdf", "docs", RAMPART_PROV_NONE, 1, 1, true},
        {"CHANGES.md", "docs", RAMPART_PROV_NONE, 1, 1, true},
        {"firmware/fw-3.1.bin", "firmware", RAMPART_PROV_REQUIRED, 2, 2, true},
        {"firmware/old/fw-1.0.bin", "default", RAMPART_PROV_REQUIRED, 1, 1, true},
        {"plugins/spell-0.9.zip", "plugins", RAMPART_PROV_OPTIONAL, 1, 1, false},
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(cases); i++) {
        rprov_eff f;
        rprov_policy_select(p, cases[i].path, &f);
        if (strcmp(f.name, cases[i].rule) != 0 || f.provenance != cases[i].req || f.nkeys != cases[i].nkeys ||
            f.threshold != cases[i].threshold || f.version_tag != cases[i].tag)
            TH_FAIL("%s: rule %s (%d, %zu keys, threshold %u, tag %d)", cases[i].path, f.name, f.provenance, f.nkeys,
                    f.threshold, f.version_tag);
    }
    rprov_eff f;
    rprov_policy_select(p, "plugins/x", &f);
    CHECK_INT(f.builder_ids->n, 2);
    CHECK_STR(f.source_uris->v[0], "git+https://git.example.com/example/*");
    rampart_prov_policy_free(p);
}

int main(void)
{
    builder = pt_gen(RKEY_ED25519);
    builder2 = pt_gen(RKEY_ECDSA_P256);
    stranger = pt_gen(RKEY_ED25519);
    RUN(policy_refusals);
    RUN(rule_selection);
    RUN(verify_refusals);
    RUN(verify_modes);
    RUN(versions_and_digests);
    RUN(digest_agreement);
    RUN(bundles);
    RUN(sigstore_bundle);
    RUN(worked_example);
    rprivkey_free(builder);
    rprivkey_free(builder2);
    rprivkey_free(stranger);
    return th_summary("test_prov_policy");
}
