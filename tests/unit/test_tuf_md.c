/*
 * test_tuf_md.c - the TUF metadata model: parse rules P1-P10 and threshold
 * verification V1-V4 (docs/security-matrix.md; scenarios S3, S4, S12-S15,
 * S25, S49, S54-S59).
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "sim.h"
#include "tuf/md.h"
#include "util/banned.h"

/* Parses a copy of `text` as `type`; returns the code and frees the result. */
static int parse_text(const char *text, tuf_type type)
{
    tuf_md *md = NULL;
    rerr e = {0};
    int rc = tuf_md_parse(&md, (const uint8_t *)text, strlen(text), false, 1 << 20, type, NULL, &e);
    tuf_md_free(md);
    return rc;
}

/* The newest published bytes of a simulator role, with `signed` modified by
 * `edit` (a JSON object merged into "signed"; members set to null are
 * removed) and re-serialised without re-signing. */
static char *edited(sim *s, const char *role, const char *edit_json)
{
    size_t len;
    const uint8_t *b = sim_version_bytes(s, role, sim_version(s, role), &len);
    json_error_t je;
    json_t *doc = json_loadb((const char *)b, len, 0, &je);
    json_t *edit = json_loads(edit_json, 0, &je);
    if (doc == NULL || edit == NULL)
        abort();
    json_t *sgn = json_object_get(doc, "signed");
    const char *k;
    json_t *v;
    json_object_foreach(edit, k, v)
    {
        if (json_is_null(v))
            json_object_del(sgn, k);
        else
            json_object_set(sgn, k, v);
    }
    char *out = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    json_decref(edit);
    return out;
}

static int parse_edited(sim *s, const char *role, tuf_type type, const char *edit)
{
    char *t = edited(s, role, edit);
    int rc = parse_text(t, type);
    free(t);
    return rc;
}

/* The newest bytes of a role with the first `from` replaced by `to` (for
 * values jansson itself cannot represent). */
static int parse_replaced(sim *s, const char *role, tuf_type type, const char *from, const char *to)
{
    size_t len;
    const char *b = (const char *)sim_version_bytes(s, role, sim_version(s, role), &len);
    const char *at = strstr(b, from);
    if (at == NULL)
        abort();
    size_t off = (size_t)(at - b), fl = strlen(from), tl = strlen(to);
    char *t = malloc(len - fl + tl + 1);
    memcpy(t, b, off);
    memcpy(t + off, to, tl);
    memcpy(t + off + tl, at + fl, len - off - fl + 1);
    int rc = parse_text(t, type);
    free(t);
    return rc;
}

/* Parses `text` as `type`: the code, and the message in `msg`. */
static int parse_text_msg(const char *text, tuf_type type, char *msg, size_t n)
{
    tuf_md *md = NULL;
    rerr e = {0};
    int rc = tuf_md_parse(&md, (const uint8_t *)text, strlen(text), false, 1 << 20, type, NULL, &e);
    tuf_md_free(md);
    snprintf(msg, n, "%s", rc != 0 ? e.message : "");
    return rc;
}

/* The newest bytes of `role` with the first `from` replaced by `to` (malloc'ed). */
static char *replaced_text(sim *s, const char *role, const char *from, const char *to)
{
    size_t len;
    const char *b = (const char *)sim_version_bytes(s, role, sim_version(s, role), &len);
    const char *at = strstr(b, from);
    if (at == NULL)
        abort();
    size_t off = (size_t)(at - b), fl = strlen(from), tl = strlen(to);
    char *t = malloc(len - fl + tl + 1);
    if (t == NULL)
        abort();
    memcpy(t, b, off);
    memcpy(t + off, to, tl);
    memcpy(t + off + tl, at + fl, len - off - fl + 1);
    return t;
}

static void test_valid_roles_parse(void)
{
    sim *s = sim_new();
    const char *names[] = {"root", "timestamp", "snapshot", "targets"};
    for (int i = 0; i < 4; i++) {
        size_t len;
        const uint8_t *b = sim_version_bytes(s, names[i], 1, &len);
        tuf_md *md = NULL;
        CHECK_OK(tuf_md_parse(&md, b, len, false, 1 << 20, (tuf_type)i, NULL, NULL));
        CHECK_INT(md->type, i);
        CHECK_INT(md->version, 1);
        CHECK_INT(md->expires, SIM_NOW + 30 * SIM_DAY);
        CHECK(rslice_eq_cstr(md->spec_version, "1.0.31"));
        CHECK_INT(md->nsigs, 1);
        if (i == TUF_ROOT) {
            CHECK(md->consistent_snapshot);
            CHECK_INT(md->keys.n, 4);
            CHECK_INT(md->roles[TUF_TIMESTAMP].threshold, 1);
        }
        if (i == TUF_TIMESTAMP)
            CHECK_INT(md->snapshot_meta.version, 1);
        tuf_md_free(md);
    }
    sim_free(s);
}

/* S54: wrong top-level types are clean EFORMAT, never a crash. */
static void test_envelope_types(void)
{
    const char *bad[] = {
        "[]",
        "1",
        "{}",
        "{\"signatures\":[]}",
        "{\"signatures\":[],\"signed\":null}",
        "{\"signatures\":[],\"signed\":[]}",
        "{\"signatures\":[],\"signed\":5}",
        "{\"signatures\":{},\"signed\":{}}",
        "{\"signatures\":[],\"signed\":{\"_type\":1}}",
        "{\"signatures\":[1],\"signed\":{\"_type\":\"root\"}}",
        "",
        "{\"signatures\":[],\"signed\":{}} x",
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(bad); i++) {
        int rc = parse_text(bad[i], TUF_TYPE_ANY);
        if (rc != RAMPART_EFORMAT) {
            TH_FAIL("input %zu: got %s, expected RAMPART_EFORMAT", i, rampart_error_name(rc));
            return;
        }
    }
}

/* P3 / S25: a snapshot-shaped document served as the timestamp. */
static void test_wrong_type(void)
{
    sim *s = sim_new();
    size_t len;
    const uint8_t *b = sim_version_bytes(s, "snapshot", 1, &len);
    tuf_md *md = NULL;
    rerr e = {0};
    CHECK_RC(tuf_md_parse(&md, b, len, false, 1 << 20, TUF_TIMESTAMP, NULL, &e), RAMPART_EFORMAT);
    CHECK(strstr(e.message, "_type is \"snapshot\", expected \"timestamp\"") != NULL);
    CHECK_RC(parse_edited(s, "targets", TUF_TARGETS, "{\"_type\":\"mirrors\"}"), RAMPART_EFORMAT);
    sim_free(s);
}

/* P4: spec_version X.Y or X.Y.Z with major 1. */
static void test_spec_version(void)
{
    sim *s = sim_new();
    CHECK_OK(parse_edited(s, "targets", TUF_TARGETS, "{\"spec_version\":\"1.0\"}"));
    CHECK_OK(parse_edited(s, "targets", TUF_TARGETS, "{\"spec_version\":\"1.2.3\"}"));
    const char *bad[] = {"{\"spec_version\":\"2.0.0\"}",   "{\"spec_version\":\"0.9\"}", "{\"spec_version\":\"1\"}",
                         "{\"spec_version\":\"1.0.0.0\"}", "{\"spec_version\":\"1.x\"}", "{\"spec_version\":\"1..0\"}",
                         "{\"spec_version\":\"v1.0\"}",    "{\"spec_version\":1}",       "{\"spec_version\":null}",
                         "{\"spec_version\":\"10.0\"}"};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(bad); i++)
        CHECK_RC(parse_edited(s, "targets", TUF_TARGETS, bad[i]), RAMPART_EFORMAT);
    sim_free(s);
}

/* P5 / S59: integer versions >= 1, bounded. */
static void test_version_values(void)
{
    sim *s = sim_new();
    const char *bad[] = {"0",
                         "-1",
                         "\"1\"",
                         "1.0",
                         "1e3",
                         "9007199254740993",
                         "9223372036854775807",
                         "9223372036854775808",
                         "18446744073709551616",
                         "true",
                         "null",
                         "-0",
                         "01"};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(bad); i++) {
        char to[64];
        snprintf(to, sizeof(to), "\n  \"version\": %s", bad[i]);
        int rc = parse_replaced(s, "timestamp", TUF_TIMESTAMP, "\n  \"version\": 1", to);
        if (rc != RAMPART_EFORMAT) {
            TH_FAIL("version %s: got %s", bad[i], rampart_error_name(rc));
            return;
        }
    }
    CHECK_OK(parse_replaced(s, "timestamp", TUF_TIMESTAMP, "\n  \"version\": 1", "\n  \"version\": 9007199254740992"));
    sim_free(s);
}

/* P6 / S60: strict expires. */
static void test_expires_values(void)
{
    sim *s = sim_new();
    CHECK_OK(parse_edited(s, "timestamp", TUF_TIMESTAMP, "{\"expires\":\"2038-01-20T00:00:00Z\"}"));
    CHECK_OK(parse_edited(s, "timestamp", TUF_TIMESTAMP, "{\"expires\":\"9999-12-31T23:59:59Z\"}"));
    const char *bad[] = {"{\"expires\":\"2030-01-01T00:00:00+00:00\"}",
                         "{\"expires\":\"2030-01-01T00:00:00\"}",
                         "{\"expires\":\"2030-01-01 00:00:00Z\"}",
                         "{\"expires\":\"2030-01-01T00:00:00.5Z\"}",
                         "{\"expires\":\"2030-02-30T00:00:00Z\"}",
                         "{\"expires\":1893456000}",
                         "{\"expires\":\"\"}"};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(bad); i++)
        CHECK_RC(parse_edited(s, "timestamp", TUF_TIMESTAMP, bad[i]), RAMPART_EFORMAT);
    sim_free(s);
}

/* S58: duplicate object keys are refused (no parser differential). */
static void test_duplicate_json_keys(void)
{
    sim *s = sim_new();
    size_t len;
    const uint8_t *b = sim_version_bytes(s, "timestamp", 1, &len);
    char *text = malloc(len + 32);
    const char *at = strstr((const char *)b, "\"version\": 1");
    CHECK(at != NULL);
    size_t off = (size_t)(at - (const char *)b);
    memcpy(text, b, off);
    memcpy(text + off, "\"version\": 2, ", 14);
    memcpy(text + off + 14, b + off, len - off);
    text[len + 14] = '\0';
    CHECK_RC(parse_text(text, TUF_TIMESTAMP), RAMPART_EFORMAT);
    free(text);
    sim_free(s);
}

/* P7 / S3: one keyid twice in "signatures" rejects the whole file. */
static void test_duplicate_signature_keyids(void)
{
    sim *s = sim_new();
    size_t len;
    const uint8_t *b = sim_version_bytes(s, "snapshot", 1, &len);
    json_error_t je;
    json_t *doc = json_loadb((const char *)b, len, 0, &je);
    json_t *sigs = json_object_get(doc, "signatures");
    json_array_append(sigs, json_array_get(sigs, 0));
    char *t = json_dumps(doc, 0);
    rerr e = {0};
    tuf_md *md = NULL;
    CHECK_RC(tuf_md_parse(&md, (const uint8_t *)t, strlen(t), false, 1 << 20, TUF_SNAPSHOT, NULL, &e), RAMPART_EFORMAT);
    CHECK(strstr(e.message, "more than once") != NULL);
    free(t);
    json_decref(doc);
    sim_free(s);
}

/* P8 / S12-S14: root role rules. */
static void test_root_rules(void)
{
    sim *s = sim_new();
    json_t *roles = json_object_get(sim_signed(s, "root"), "roles");
    /* S14: a missing top-level role */
    json_t *saved = json_deep_copy(json_object_get(roles, "snapshot"));
    json_object_del(roles, "snapshot");
    sim_publish(s, "root");
    size_t len;
    const uint8_t *b = sim_version_bytes(s, "root", 2, &len);
    tuf_md *md = NULL;
    CHECK_RC(tuf_md_parse(&md, b, len, false, 1 << 20, TUF_ROOT, NULL, NULL), RAMPART_EFORMAT);
    json_object_set_new(roles, "snapshot", saved);
    /* S12: threshold 0 and negative */
    json_object_set_new(json_object_get(roles, "timestamp"), "threshold", json_integer(0));
    sim_publish(s, "root");
    b = sim_version_bytes(s, "root", 3, &len);
    CHECK_RC(tuf_md_parse(&md, b, len, false, 1 << 20, TUF_ROOT, NULL, NULL), RAMPART_EFORMAT);
    json_object_set_new(json_object_get(roles, "timestamp"), "threshold", json_integer(-1));
    sim_publish(s, "root");
    b = sim_version_bytes(s, "root", 4, &len);
    CHECK_RC(tuf_md_parse(&md, b, len, false, 1 << 20, TUF_ROOT, NULL, NULL), RAMPART_EFORMAT);
    /* S13: a keyid listed twice for one role */
    json_object_set_new(json_object_get(roles, "timestamp"), "threshold", json_integer(1));
    json_t *ids = json_object_get(json_object_get(roles, "timestamp"), "keyids");
    json_array_append(ids, json_array_get(ids, 0));
    sim_publish(s, "root");
    b = sim_version_bytes(s, "root", 5, &len);
    CHECK_RC(tuf_md_parse(&md, b, len, false, 1 << 20, TUF_ROOT, NULL, NULL), RAMPART_EFORMAT);
    json_array_remove(ids, 1);
    /* S15: a threshold above the number of keys parses; it just can never verify */
    json_object_set_new(json_object_get(roles, "timestamp"), "threshold", json_integer(5));
    sim_publish(s, "root");
    b = sim_version_bytes(s, "root", 6, &len);
    CHECK_OK(tuf_md_parse(&md, b, len, false, 1 << 20, TUF_ROOT, NULL, NULL));
    tuf_md_free(md);
    sim_free(s);
}

/* S55: key material that is malformed for a known type rejects the root;
 * an unknown type is kept but can never sign. */
static void test_key_material(void)
{
    sim *s = sim_new();
    json_t *keys = json_object_get(sim_signed(s, "root"), "keys");
    json_object_set_new(keys, "short",
                        json_pack("{s:s,s:s,s:{s:s}}", "keytype", "ed25519", "scheme", "ed25519", "keyval", "public",
                                  "00112233445566778899aabbccddeeff00112233445566778899aabbccddee"));
    sim_publish(s, "root");
    size_t len;
    const uint8_t *b = sim_version_bytes(s, "root", 2, &len);
    tuf_md *md = NULL;
    CHECK_RC(tuf_md_parse(&md, b, len, false, 1 << 20, TUF_ROOT, NULL, NULL), RAMPART_EFORMAT);
    json_object_del(keys, "short");
    json_object_set_new(keys, "future",
                        json_pack("{s:s,s:s,s:{s:s},s:s}", "keytype", "sphincs", "scheme", "sphincs-shake256", "keyval",
                                  "public", "abcd", "keyid_hash_algorithms", "md5"));
    sim_publish(s, "root");
    b = sim_version_bytes(s, "root", 3, &len);
    CHECK_OK(tuf_md_parse(&md, b, len, false, 1 << 20, TUF_ROOT, NULL, NULL));
    const tuf_key *k = tuf_keyset_find(&md->keys, rslice_cstr("future"));
    CHECK(k != NULL);
    CHECK(k->key == NULL);
    CHECK_INT(k->key_error, RAMPART_EUNSUPPORTED);
    /* the root still verifies with its own (supported) key */
    CHECK_OK(tuf_md_verify(md, &md->keys, &md->roles[TUF_ROOT], "root", NULL));
    tuf_md_free(md);
    sim_free(s);
}

/* P9 / S49: target and delegation rules. */
static void test_targets_rules(void)
{
    sim *s = sim_new();
    CHECK_RC(parse_edited(s, "targets", TUF_TARGETS, "{\"targets\":{\"a\":{\"length\":1,\"hashes\":{}}}}"),
             RAMPART_EFORMAT);
    CHECK_RC(
        parse_edited(s, "targets", TUF_TARGETS, "{\"targets\":{\"a\":{\"length\":-1,\"hashes\":{\"sha256\":\"00\"}}}}"),
        RAMPART_EFORMAT);
    CHECK_RC(parse_edited(s, "targets", TUF_TARGETS, "{\"targets\":{\"a\":{\"hashes\":{\"sha256\":\"00\"}}}}"),
             RAMPART_EFORMAT);
    CHECK_RC(parse_edited(s, "targets", TUF_TARGETS, "{\"targets\":{\"a\":{\"length\":1,\"hashes\":{\"sha256\":7}}}}"),
             RAMPART_EFORMAT);
    CHECK_RC(parse_edited(s, "targets", TUF_TARGETS,
                          "{\"targets\":{\"a\":{\"length\":1,\"hashes\":{\"sha256\":\"00\"},\"custom\":[]}}}"),
             RAMPART_EFORMAT);
    CHECK_OK(
        parse_edited(s, "targets", TUF_TARGETS,
                     "{\"targets\":{\"a\":{\"length\":0,\"hashes\":{\"sha256\":\"00\"},\"custom\":{\"x\":[1]}}}}"));
    const char *role = "{\"name\":\"r\",\"keyids\":[],\"threshold\":1,\"terminating\":false";
    char buf[1024];
    /* both paths and path_hash_prefixes */
    snprintf(buf, sizeof(buf), "{\"delegations\":{\"keys\":{},\"roles\":[%s,\"paths\":[],\"path_hash_prefixes\":[]}]}}",
             role);
    CHECK_RC(parse_edited(s, "targets", TUF_TARGETS, buf), RAMPART_EFORMAT);
    /* duplicate role names */
    snprintf(buf, sizeof(buf), "{\"delegations\":{\"keys\":{},\"roles\":[%s},%s}]}}", role, role);
    CHECK_RC(parse_edited(s, "targets", TUF_TARGETS, buf), RAMPART_EFORMAT);
    /* a delegated role named like a top-level role */
    CHECK_RC(parse_edited(s, "targets", TUF_TARGETS,
                          "{\"delegations\":{\"keys\":{},\"roles\":[{\"name\":\"root\",\"keyids\":[],\"threshold\":1,"
                          "\"terminating\":false}]}}"),
             RAMPART_EFORMAT);
    /* terminating must be a boolean and present */
    CHECK_RC(parse_edited(s, "targets", TUF_TARGETS,
                          "{\"delegations\":{\"keys\":{},\"roles\":[{\"name\":\"r\",\"keyids\":[],\"threshold\":1}]}}"),
             RAMPART_EFORMAT);
    /* threshold 0 in a delegation (S12) */
    CHECK_RC(parse_edited(s, "targets", TUF_TARGETS,
                          "{\"delegations\":{\"keys\":{},\"roles\":[{\"name\":\"r\",\"keyids\":[],\"threshold\":0,"
                          "\"terminating\":false}]}}"),
             RAMPART_EFORMAT);
    /* roles and succinct_roles together, or neither */
    CHECK_RC(
        parse_edited(s, "targets", TUF_TARGETS,
                     "{\"delegations\":{\"keys\":{},\"roles\":[],\"succinct_roles\":{\"keyids\":[],\"threshold\":1,"
                     "\"bit_length\":4,\"name_prefix\":\"b\"}}}"),
        RAMPART_EFORMAT);
    CHECK_RC(parse_edited(s, "targets", TUF_TARGETS, "{\"delegations\":{\"keys\":{}}}"), RAMPART_EFORMAT);
    /* bit_length bounds */
    CHECK_RC(parse_edited(s, "targets", TUF_TARGETS,
                          "{\"delegations\":{\"keys\":{},\"succinct_roles\":{\"keyids\":[],\"threshold\":1,"
                          "\"bit_length\":33,\"name_prefix\":\"b\"}}}"),
             RAMPART_EFORMAT);
    CHECK_OK(parse_edited(s, "targets", TUF_TARGETS,
                          "{\"delegations\":{\"keys\":{},\"succinct_roles\":{\"keyids\":[],\"threshold\":1,"
                          "\"bit_length\":14,\"name_prefix\":\"bins\"}}}"));
    sim_free(s);
}

/* `text` (malloc'ed) with every "@0" turned into "\u0000" in place (jansson
 * cannot hold a NUL in an object key, so the edits carry this stand-in). */
static char *with_nul(char *text)
{
    for (char *at = strstr(text, "@0"); at != NULL; at = strstr(at, "@0")) {
        size_t off = (size_t)(at - text), rest = strlen(at + 2);
        char *t = realloc(text, off + 6 + rest + 1);
        if (t == NULL)
            abort();
        text = t;
        at = t + off;
        memmove(at + 6, at + 2, rest + 1);
        memcpy(at, "\\u0000", 6);
        at += 6;
    }
    return text;
}

/* TUF 4.5: "custom" is opaque JSON, so "\u0000" (valid JSON) is accepted
 * there and in unknown fields, as python-tuf and tuf-js accept it; every
 * string read as a name, path, key id, key, hash or date is refused when
 * it holds one, with a message naming the field. */
static void test_nul_only_in_opaque_json(void)
{
    sim *s = sim_new();
    static const struct {
        const char *role, *edit, *msg; /* msg NULL: accepted */
    } cases[] = {
        {"targets",
         "{\"targets\":{\"a\":{\"length\":1,\"hashes\":{\"sha256\":\"00\"},\"custom\":{\"k@0\":[\"v@0\"]}}}}", NULL},
        {"targets", "{\"x-note\":\"@0\",\"targets\":{}}", NULL},
        {"targets", "{\"targets\":{\"a@0b\":{\"length\":1,\"hashes\":{\"sha256\":\"00\"}}}}",
         "malformed targets metadata: a target path holds \\u0000 (NUL)"},
        {"targets", "{\"targets\":{\"a\":{\"length\":1,\"hashes\":{\"sha256@0\":\"00\"}}}}",
         "malformed targets metadata: hashes of \"a\": an algorithm name holds \\u0000 (NUL)"},
        {"targets", "{\"targets\":{\"a\":{\"length\":1,\"hashes\":{\"sha256\":\"00@0\"}}}}",
         "malformed targets metadata: hashes of \"a\": value of \"sha256\" holds \\u0000 (NUL)"},
        {"targets",
         "{\"delegations\":{\"keys\":{},\"roles\":[{\"name\":\"r@0\",\"keyids\":[],\"threshold\":1,"
         "\"terminating\":false,\"paths\":[]}]}}",
         "malformed targets metadata: delegated role.name holds \\u0000 (NUL)"},
        {"targets",
         "{\"delegations\":{\"keys\":{},\"roles\":[{\"name\":\"r\",\"keyids\":[],\"threshold\":1,"
         "\"terminating\":false,\"paths\":[\"a/*\",\"a@0*\"]}]}}",
         "malformed targets metadata: delegated role \"r\": a string in paths holds \\u0000 (NUL)"},
        {"targets",
         "{\"delegations\":{\"keys\":{},\"roles\":[{\"name\":\"r\",\"keyids\":[],\"threshold\":1,"
         "\"terminating\":false,\"path_hash_prefixes\":[\"0@0\"]}]}}",
         "malformed targets metadata: delegated role \"r\": a string in path_hash_prefixes holds \\u0000 (NUL)"},
        {"targets",
         "{\"delegations\":{\"keys\":{},\"roles\":[{\"name\":\"r\",\"keyids\":[\"k@0\"],\"threshold\":1,"
         "\"terminating\":false,\"paths\":[]}]}}",
         "malformed targets metadata: delegated role.keyids[0] holds \\u0000 (NUL)"},
        {"targets",
         "{\"delegations\":{\"keys\":{\"k@0\":{\"keytype\":\"x\",\"scheme\":\"y\",\"keyval\":{\"public\":\"z\"}}},"
         "\"roles\":[]}}",
         "malformed targets metadata: a keyid in delegations.keys holds \\u0000 (NUL)"},
        {"targets",
         "{\"delegations\":{\"keys\":{\"k\":{\"keytype\":\"x\",\"scheme\":\"y\",\"keyval\":{\"public\":\"z@0\"}}},"
         "\"roles\":[]}}",
         "malformed targets metadata: key.keyval.public holds \\u0000 (NUL)"},
        {"targets",
         "{\"delegations\":{\"keys\":{},\"succinct_roles\":{\"keyids\":[],\"threshold\":1,\"bit_length\":4,"
         "\"name_prefix\":\"b@0\"}}}",
         "malformed targets metadata: succinct_roles.name_prefix holds \\u0000 (NUL)"},
        {"targets", "{\"expires\":\"2030-01-01T00:00:00Z@0\"}",
         "malformed targets metadata: signed.expires holds \\u0000 (NUL)"},
        {"snapshot", "{\"meta\":{\"targets.json\":{\"version\":1},\"a@0.json\":{\"version\":1}}}",
         "malformed snapshot metadata: a file name in meta holds \\u0000 (NUL)"},
    };
    char msg[512];
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(cases); i++) {
        tuf_type type = strcmp(cases[i].role, "targets") == 0 ? TUF_TARGETS : TUF_SNAPSHOT;
        char *text = with_nul(edited(s, cases[i].role, cases[i].edit));
        int rc = parse_text_msg(text, type, msg, sizeof(msg));
        free(text);
        if (cases[i].msg == NULL) {
            CHECK_OK(rc);
        } else {
            CHECK_RC(rc, RAMPART_EFORMAT);
            CHECK_STR(msg, cases[i].msg);
        }
    }
    /* Root: a role name, a keyid; and a signature's keyid. */
    static const struct {
        const char *role, *from, *to, *msg;
    } reps[] = {
        {"root", "\"roles\": {", "\"roles\": {\"x\\u0000\": {\"keyids\": [], \"threshold\": 1}, ",
         "malformed root metadata: a role name in roles holds \\u0000 (NUL)"},
        {"root", "\"keys\": {",
         "\"keys\": {\"k\\u0000\": {\"keytype\": \"x\", \"scheme\": \"y\", \"keyval\": {\"public\": \"z\"}}, ",
         "malformed root metadata: a keyid in keys holds \\u0000 (NUL)"},
        {"timestamp", "\"keyid\": \"", "\"keyid\": \"\\u0000",
         "malformed timestamp metadata: signature.keyid holds \\u0000 (NUL)"},
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(reps); i++) {
        char *text = replaced_text(s, reps[i].role, reps[i].from, reps[i].to);
        tuf_type type = strcmp(reps[i].role, "root") == 0 ? TUF_ROOT : TUF_TIMESTAMP;
        CHECK_RC(parse_text_msg(text, type, msg, sizeof(msg)), RAMPART_EFORMAT);
        CHECK_STR(msg, reps[i].msg);
        free(text);
    }
    sim_free(s);
}

/* TUF 4.5 ROLENAME: names that would take a top-level role's metadata file. */
static void test_role_names(void)
{
    static const struct {
        const char *name, *why; /* why NULL: allowed */
    } cases[] = {
        {"", "a delegated role has an empty name"},
        {"root", "a delegated role may not be named \"root\""},
        {"targets", "a delegated role may not be named \"targets\""},
        {"ROOT", "a delegated role may not be named \"ROOT\": on a case-insensitive file system its metadata would "
                 "replace root.json"},
        {"Timestamp", "a delegated role may not be named \"Timestamp\": on a case-insensitive file system its "
                      "metadata would replace timestamp.json"},
        {"sNAPSHOt", "a delegated role may not be named \"sNAPSHOt\": on a case-insensitive file system its metadata "
                     "would replace snapshot.json"},
        {"2.root", "a delegated role may not be named \"2.root\": its metadata file 2.root.json would be that of root "
                   "version 2"},
        {"10.ROOT", "a delegated role may not be named \"10.ROOT\": its metadata file 10.ROOT.json would be that of "
                    "root version 10"},
        {"007.targets", "a delegated role may not be named \"007.targets\": its metadata file 007.targets.json would "
                        "be that of targets version 007"},
        {"1.timestamp", "a delegated role may not be named \"1.timestamp\": its metadata file 1.timestamp.json would "
                        "be that of timestamp version 1"},
        {"root2", NULL},
        {"2root", NULL},
        {"2.root2", NULL},
        {"2.root.x", NULL},
        {"x2.root", NULL},
        {".root", NULL},
        {"2.", NULL},
        {"2", NULL},
        {"a.root", NULL},
        {"2..root", NULL},
        {"-2.root", NULL},
        {"roots", NULL},
        {"roo", NULL},
        {"bins-2", NULL},
        {"r\xc3\xb6\xc3\xb6t", NULL},
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(cases); i++) {
        char why[256] = "unset";
        int rc = tuf_role_name_check(rslice_cstr(cases[i].name), why, sizeof(why));
        if (cases[i].why == NULL) {
            CHECK_OK(rc);
        } else {
            CHECK_RC(rc, RAMPART_EFORMAT);
            CHECK_STR(why, cases[i].why);
        }
    }
    /* Through the parser: the delegating metadata is refused. */
    sim *s = sim_new();
    char msg[512];
    char *text = edited(s, "targets",
                        "{\"delegations\":{\"keys\":{},\"roles\":[{\"name\":\"Root\",\"keyids\":[],"
                        "\"threshold\":1,\"terminating\":false,\"paths\":[\"*\"]}]}}");
    CHECK_RC(parse_text_msg(text, TUF_TARGETS, msg, sizeof(msg)), RAMPART_EFORMAT);
    CHECK_STR(msg, "malformed targets metadata: a delegated role may not be named \"Root\": on a case-insensitive "
                   "file system its metadata would replace root.json");
    free(text);
    sim_free(s);
}

static void test_timestamp_meta_rules(void)
{
    sim *s = sim_new();
    CHECK_RC(parse_edited(s, "timestamp", TUF_TIMESTAMP, "{\"meta\":{}}"), RAMPART_EFORMAT);
    CHECK_RC(parse_edited(s, "timestamp", TUF_TIMESTAMP,
                          "{\"meta\":{\"snapshot.json\":{\"version\":1},\"targets.json\":{\"version\":1}}}"),
             RAMPART_EFORMAT);
    CHECK_RC(parse_edited(s, "timestamp", TUF_TIMESTAMP, "{\"meta\":{\"snapshot.json\":{\"version\":0}}}"),
             RAMPART_EFORMAT);
    CHECK_RC(
        parse_edited(s, "timestamp", TUF_TIMESTAMP, "{\"meta\":{\"snapshot.json\":{\"version\":1,\"hashes\":{}}}}"),
        RAMPART_EFORMAT);
    CHECK_OK(
        parse_edited(s, "timestamp", TUF_TIMESTAMP,
                     "{\"meta\":{\"snapshot.json\":{\"version\":3,\"length\":10,\"hashes\":{\"sha256\":\"ab\"}}}}"));
    sim_free(s);
}

/* P10 / S57: unknown fields everywhere are kept and covered by the signature. */
static void test_unknown_fields_verify(void)
{
    sim *s = sim_new();
    json_t *root = sim_signed(s, "root");
    json_object_set_new(root, "x-custom", json_pack("{s:[i,s]}", "a", 1, "\xc3\xa9t\xc3\xa9"));
    json_object_set_new(json_object_get(json_object_get(root, "roles"), "root"), "x-extra", json_true());
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(root, "keys"), k, v)
        json_object_set_new(v, "extra-field", json_pack("{s:i,s:i}", "a", 1, "b", 2));
    sim_publish(s, "root");
    size_t len;
    const uint8_t *b = sim_version_bytes(s, "root", 2, &len);
    tuf_md *md = NULL;
    CHECK_OK(tuf_md_parse(&md, b, len, false, 1 << 20, TUF_ROOT, NULL, NULL));
    CHECK_OK(tuf_md_verify(md, &md->keys, &md->roles[TUF_ROOT], "root", NULL));
    tuf_md_free(md);
    sim_free(s);
}

/* V1-V4: thresholds, distinct key material, ignored bad signatures. */
static void test_threshold_verification(void)
{
    sim *s = sim_new();
    rprivkey *k2 = sim_add_key(s, "root", "timestamp");
    sim_set_threshold(s, "root", "timestamp", 2);
    sim_publish(s, "root");
    sim_publish(s, "timestamp");
    size_t len;
    const uint8_t *rb = sim_version_bytes(s, "root", 2, &len);
    tuf_md *root = NULL, *ts = NULL;
    CHECK_OK(tuf_md_parse(&root, rb, len, false, 1 << 20, TUF_ROOT, NULL, NULL));
    const uint8_t *tb = sim_version_bytes(s, "timestamp", 2, &len);
    CHECK_OK(tuf_md_parse(&ts, tb, len, false, 1 << 20, TUF_TIMESTAMP, NULL, NULL));
    CHECK_OK(tuf_md_verify(ts, &root->keys, &root->roles[TUF_TIMESTAMP], "timestamp", NULL));
    tuf_md_free(ts);

    /* Only one of the two keys signs: "1 of 2" */
    sim_clear_signers(s, "timestamp");
    sim_add_signer(s, "timestamp", k2);
    sim_publish(s, "timestamp");
    tb = sim_version_bytes(s, "timestamp", 3, &len);
    CHECK_OK(tuf_md_parse(&ts, tb, len, false, 1 << 20, TUF_TIMESTAMP, NULL, NULL));
    rerr e = {0};
    CHECK_RC(tuf_md_verify(ts, &root->keys, &root->roles[TUF_TIMESTAMP], "timestamp", &e), RAMPART_EBADSIG);
    CHECK_STR(e.message, "signature threshold not met for 'timestamp' (1 of 2)");
    CHECK_STR(e.role, "timestamp");
    tuf_md_free(ts);
    tuf_md_free(root);
    sim_free(s);
}

/* S4 / GHSA-3633-5h82-39pq: one key under two keyids counts once. */
static void test_same_key_two_keyids(void)
{
    sim *s = sim_new();
    json_t *root = sim_signed(s, "root");
    json_t *keys = json_object_get(root, "keys");
    json_t *ts_role = json_object_get(json_object_get(root, "roles"), "timestamp");
    const char *kid = json_string_value(json_array_get(json_object_get(ts_role, "keyids"), 0));
    json_t *alias = json_deep_copy(json_object_get(keys, kid));
    json_object_set_new(alias, "x-label", json_string("alias"));
    json_object_set_new(keys, "alias-keyid", alias);
    json_array_append_new(json_object_get(ts_role, "keyids"), json_string("alias-keyid"));
    json_object_set_new(ts_role, "threshold", json_integer(2));
    sim_publish(s, "root");
    size_t len;
    const uint8_t *rb = sim_version_bytes(s, "root", 2, &len);
    tuf_md *rmd = NULL;
    CHECK_OK(tuf_md_parse(&rmd, rb, len, false, 1 << 20, TUF_ROOT, NULL, NULL));
    /* A timestamp carrying the same signature under both keyids. */
    const uint8_t *tb = sim_version_bytes(s, "timestamp", 1, &len);
    json_error_t je;
    json_t *doc = json_loadb((const char *)tb, len, 0, &je);
    json_t *sig = json_deep_copy(json_array_get(json_object_get(doc, "signatures"), 0));
    json_object_set_new(sig, "keyid", json_string("alias-keyid"));
    json_array_append_new(json_object_get(doc, "signatures"), sig);
    char *text = json_dumps(doc, 0);
    tuf_md *ts = NULL;
    CHECK_OK(tuf_md_parse(&ts, (const uint8_t *)text, strlen(text), false, 1 << 20, TUF_TIMESTAMP, NULL, NULL));
    rerr e = {0};
    CHECK_RC(tuf_md_verify(ts, &rmd->keys, &rmd->roles[TUF_TIMESTAMP], "timestamp", &e), RAMPART_EBADSIG);
    CHECK_STR(e.message, "signature threshold not met for 'timestamp' (1 of 2)");
    tuf_sig_status st;
    CHECK_OK(tuf_md_sig_status(ts, 0, &rmd->keys, &rmd->roles[TUF_TIMESTAMP], &st));
    CHECK_INT(st, TUF_SIG_VALID);
    CHECK_OK(tuf_md_sig_status(ts, 1, &rmd->keys, &rmd->roles[TUF_TIMESTAMP], &st));
    CHECK_INT(st, TUF_SIG_DUPLICATE_KEY);
    tuf_md_free(ts);
    tuf_md_free(rmd);
    json_decref(doc);
    free(text);
    sim_free(s);
}

/* S56 and conformance test_invalid_sig_in_valid_metadata: bad and empty
 * signatures beside a threshold of good ones are ignored; signatures from
 * keys not listed for the role never count. */
static void test_bad_signatures_ignored(void)
{
    sim *s = sim_new();
    size_t len;
    const uint8_t *rb = sim_version_bytes(s, "root", 1, &len);
    tuf_md *root = NULL;
    CHECK_OK(tuf_md_parse(&root, rb, len, false, 1 << 20, TUF_ROOT, NULL, NULL));
    const uint8_t *tb = sim_version_bytes(s, "timestamp", 1, &len);
    json_error_t je;
    json_t *doc = json_loadb((const char *)tb, len, 0, &je);
    json_t *sigs = json_object_get(doc, "signatures");
    json_array_append_new(sigs, json_pack("{s:s,s:s}", "keyid", "unknown", "sig", ""));
    json_array_append_new(sigs, json_pack("{s:s,s:s}", "keyid", "odd", "sig", "abc"));
    /* the snapshot key signs too, but is not a timestamp key */
    const char *snapkey = json_string_value(json_array_get(
        json_object_get(json_object_get(json_object_get(sim_signed(s, "root"), "roles"), "snapshot"), "keyids"), 0));
    json_array_append_new(sigs, json_pack("{s:s,s:s}", "keyid", snapkey, "sig", "00"));
    char *text = json_dumps(doc, 0);
    tuf_md *ts = NULL;
    CHECK_OK(tuf_md_parse(&ts, (const uint8_t *)text, strlen(text), false, 1 << 20, TUF_TIMESTAMP, NULL, NULL));
    CHECK_OK(tuf_md_verify(ts, &root->keys, &root->roles[TUF_TIMESTAMP], "timestamp", NULL));
    tuf_sig_status st;
    CHECK_OK(tuf_md_sig_status(ts, 1, &root->keys, &root->roles[TUF_TIMESTAMP], &st));
    CHECK_INT(st, TUF_SIG_UNKNOWN_KEY);
    CHECK_OK(tuf_md_sig_status(ts, 3, &root->keys, &root->roles[TUF_TIMESTAMP], &st));
    CHECK_INT(st, TUF_SIG_INVALID);
    /* The same signatures against the snapshot role: not enough. */
    CHECK_RC(tuf_md_verify(ts, &root->keys, &root->roles[TUF_SNAPSHOT], "snapshot", NULL), RAMPART_EBADSIG);
    /* One flipped byte in the signed part invalidates the only good signature. */
    json_object_set_new(json_object_get(doc, "signed"), "version", json_integer(2));
    free(text);
    text = json_dumps(doc, 0);
    tuf_md_free(ts);
    CHECK_OK(tuf_md_parse(&ts, (const uint8_t *)text, strlen(text), false, 1 << 20, TUF_TIMESTAMP, NULL, NULL));
    CHECK_RC(tuf_md_verify(ts, &root->keys, &root->roles[TUF_TIMESTAMP], "timestamp", NULL), RAMPART_EBADSIG);
    tuf_md_free(ts);
    tuf_md_free(root);
    json_decref(doc);
    free(text);
    sim_free(s);
}

static void test_hash_checks(void)
{
    sim *s = sim_new();
    const char *ts_text = "{\"signatures\":[],\"signed\":{\"_type\":\"timestamp\",\"spec_version\":\"1.0\","
                          "\"version\":1,\"expires\":\"2030-01-01T00:00:00Z\",\"meta\":{\"snapshot.json\":{"
                          "\"version\":1,\"length\":3,\"hashes\":{\"sha256\":"
                          "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}}}}}";
    tuf_md *md = NULL;
    CHECK_OK(tuf_md_parse(&md, (const uint8_t *)ts_text, strlen(ts_text), false, 1 << 20, TUF_TIMESTAMP, NULL, NULL));
    const tuf_metafile *mf = &md->snapshot_meta;
    CHECK_OK(tuf_check_hashes(md, mf->hashes, mf->length, (const uint8_t *)"abc", 3, "snapshot", NULL));
    rerr e = {0};
    CHECK_RC(tuf_check_hashes(md, mf->hashes, mf->length, (const uint8_t *)"abd", 3, "snapshot", &e),
             RAMPART_EMISMATCH);
    CHECK_STR(e.message, "snapshot does not match its sha256 hash");
    CHECK_RC(tuf_check_hashes(md, mf->hashes, mf->length, (const uint8_t *)"abcd", 4, "snapshot", &e),
             RAMPART_EMISMATCH);
    CHECK_STR(e.message, "snapshot is 4 bytes, expected 3");
    tuf_md_free(md);
    const char *unk = "{\"signatures\":[],\"signed\":{\"_type\":\"timestamp\",\"spec_version\":\"1.0\","
                      "\"version\":1,\"expires\":\"2030-01-01T00:00:00Z\",\"meta\":{\"snapshot.json\":{"
                      "\"version\":1,\"hashes\":{\"md5\":\"00\"}}}}}";
    CHECK_OK(tuf_md_parse(&md, (const uint8_t *)unk, strlen(unk), false, 1 << 20, TUF_TIMESTAMP, NULL, NULL));
    CHECK_RC(tuf_check_hashes(md, md->snapshot_meta.hashes, -1, (const uint8_t *)"abc", 3, "snapshot", NULL),
             RAMPART_EUNSUPPORTED);
    tuf_md_free(md);
    sim_free(s);
}

static void test_size_cap(void)
{
    sim *s = sim_new();
    size_t len;
    const uint8_t *b = sim_version_bytes(s, "root", 1, &len);
    tuf_md *md = NULL;
    CHECK_RC(tuf_md_parse(&md, b, len, false, len - 1, TUF_ROOT, NULL, NULL), RAMPART_ETOOLARGE);
    CHECK_OK(tuf_md_parse(&md, b, len, false, len, TUF_ROOT, NULL, NULL));
    tuf_md_free(md);
    sim_free(s);
}

int main(void)
{
    RUN(test_valid_roles_parse);
    RUN(test_envelope_types);
    RUN(test_wrong_type);
    RUN(test_spec_version);
    RUN(test_version_values);
    RUN(test_expires_values);
    RUN(test_duplicate_json_keys);
    RUN(test_duplicate_signature_keyids);
    RUN(test_root_rules);
    RUN(test_key_material);
    RUN(test_targets_rules);
    RUN(test_nul_only_in_opaque_json);
    RUN(test_role_names);
    RUN(test_timestamp_meta_rules);
    RUN(test_unknown_fields_verify);
    RUN(test_threshold_verification);
    RUN(test_same_key_two_keyids);
    RUN(test_bad_signatures_ignored);
    RUN(test_hash_checks);
    RUN(test_size_cap);
    return th_summary("test_tuf_md");
}
