/*
 * test_agent_monitor.c - the no-I/O parts of the agent and the audit log:
 * every anomaly of the channel monitor (docs/agent.md, "Anomalies") with its
 * exact detail, the configuration parser's rules, the attack-class table,
 * and the audit record's strict reader.
 */
#include <stdio.h>
#include <string.h>

#include "agent/agent_internal.h"
#include "audit/audit_internal.h"
#include "harness.h"

static const char K1[] = "1111111111111111111111111111111111111111111111111111111111111111";
static const char K2[] = "2222222222222222222222222222222222222222222222222222222222222222";

static void role(mon_state *s, const char *name, long long version, long long threshold, long long window,
                 const char *key)
{
    mon_role *r = &s->roles[s->nroles++];
    memset(r, 0, sizeof(*r));
    (void)snprintf(r->name, sizeof(r->name), "%s", name);
    r->version = version;
    r->threshold = threshold;
    r->window = window;
    memcpy(r->keys[r->nkeys++], key, 65);
}

static void target(mon_state *s, const char *path, const char *version, const char *sha)
{
    mon_target *t = &s->targets[s->ntargets++];
    (void)snprintf(t->path, sizeof(t->path), "%s", path);
    (void)snprintf(t->version, sizeof(t->version), "%s", version);
    (void)snprintf(t->sha256, sizeof(t->sha256), "%s", sha);
}

/* A state seen at time 1000: root 1, timestamp 5, one role, one target. */
static void base(mon_state *s)
{
    memset(s, 0, sizeof(*s));
    s->known = 1;
    s->root_version = 1;
    s->timestamp_version = 5;
    s->timestamp_seen = 1000;
    role(s, "root", 1, 1, 86400 * 365, K1);
    role(s, "targets", 3, 2, 86400 * 90, K1);
    target(s, "app/app.tgz", "1.0.0", "aa");
    (void)snprintf(s->builder, sizeof(s->builder), "https://ci.example/builder");
    (void)snprintf(s->source, sizeof(s->source), "git+https://git.example/app");
}

/* The same channel, refreshed at 1100 with a new timestamp. */
static void same_view(mon_view *v)
{
    memset(v, 0, sizeof(*v));
    v->now = 1100;
    v->fresh = 1;
    base(&v->s);
    v->s.timestamp_version = 6;
}

static mon_policy pol = {.max_version_jump = 1, .freeze_after_s = 500, .expiry_tolerance_s = 3600};
static mon_state st;
static mon_view vw;
static mon_anomaly out[MON_MAX_ANOMALIES];

static size_t run(void)
{
    size_t n = 99;
    if (mon_compare(&st, &vw, &pol, out, &n) != 0)
        return 99;
    return n;
}

static void expect_one(int kind, const char *detail)
{
    size_t n = run();
    CHECK_INT(n, 1);
    if (n >= 1) {
        CHECK_STR(mon_kind_name(out[0].kind), mon_kind_name(kind));
        CHECK_STR(out[0].detail, detail);
        CHECK_INT(strlen(out[0].id), 12);
    }
}

static void test_nothing_changed(void)
{
    base(&st);
    same_view(&vw);
    CHECK_INT(run(), 0);
}

static void test_first_view_is_learnt(void)
{
    memset(&st, 0, sizeof(st));
    same_view(&vw);
    vw.s.root_version = 7;
    CHECK_INT(run(), 0);
    mon_update(&st, &vw, false);
    CHECK_INT(st.known, 1);
    CHECK_INT(st.timestamp_seen, 1100);
}

static void test_new_key(void)
{
    base(&st);
    same_view(&vw);
    memcpy(vw.s.roles[1].keys[vw.s.roles[1].nkeys++], K2, 65);
    expect_one(MON_NEW_KEY, "role 'targets' has a new key 2222222222222222");
}

static void test_root_rotation(void)
{
    base(&st);
    same_view(&vw);
    vw.s.root_version = 2;
    vw.s.roles[0].version = 2;
    expect_one(MON_ROOT_ROTATION, "root rotated from version 1 to 2");
}

static void test_lowered_threshold(void)
{
    base(&st);
    same_view(&vw);
    vw.s.roles[1].threshold = 1;
    expect_one(MON_LOWERED_THRESHOLD, "role 'targets': threshold lowered from 2 to 1");
    vw.s.roles[1].threshold = 3; /* raised: fine */
    CHECK_INT(run(), 0);
}

static void test_expiry_window(void)
{
    base(&st);
    same_view(&vw);
    vw.s.roles[1].version = 4;
    vw.s.roles[1].window = 86400 * 3650;
    expect_one(MON_EXPIRY_WINDOW, "role 'targets': expiry window changed from 7776000s to 315360000s");
    vw.s.roles[1].window = 86400 * 90 - 3600; /* within the tolerance */
    CHECK_INT(run(), 0);
    vw.s.roles[1].version = 3; /* same version: not judged */
    vw.s.roles[1].window = 10;
    CHECK_INT(run(), 0);
}

static void test_version_jump(void)
{
    base(&st);
    same_view(&vw);
    (void)snprintf(vw.s.targets[0].version, sizeof(vw.s.targets[0].version), "3.0.0");
    expect_one(MON_VERSION_JUMP, "target 'app/app.tgz' version 3.0.0 jumps 2 major versions");
    (void)snprintf(vw.s.targets[0].version, sizeof(vw.s.targets[0].version), "2.5.0");
    CHECK_INT(run(), 0);
    pol.max_version_jump = 0; /* off */
    (void)snprintf(vw.s.targets[0].version, sizeof(vw.s.targets[0].version), "9.0.0");
    CHECK_INT(run(), 0);
    pol.max_version_jump = 1;
}

static void test_same_version_new_bytes(void)
{
    base(&st);
    same_view(&vw);
    (void)snprintf(vw.s.targets[0].sha256, sizeof(vw.s.targets[0].sha256), "bb");
    expect_one(MON_SAME_VERSION_NEW_BYTES, "target 'app/app.tgz' version 1.0.0 has other bytes than before");
}

static void test_provenance(void)
{
    base(&st);
    same_view(&vw);
    (void)snprintf(vw.s.builder, sizeof(vw.s.builder), "https://evil.example/builder");
    expect_one(MON_PROVENANCE_BUILDER,
               "provenance names builder 'https://evil.example/builder' instead of 'https://ci.example/builder'");
    base(&vw.s);
    vw.s.timestamp_version = 6;
    (void)snprintf(vw.s.source, sizeof(vw.s.source), "git+https://git.example/fork");
    expect_one(MON_PROVENANCE_SOURCE,
               "provenance names source 'git+https://git.example/fork' instead of 'git+https://git.example/app'");
}

static void test_freeze(void)
{
    base(&st);
    same_view(&vw);
    vw.s.timestamp_version = 5; /* no new timestamp */
    vw.now = 1400;
    CHECK_INT(run(), 0); /* 400 s: within 500 */
    vw.now = 1600;
    expect_one(MON_FREEZE, "no new timestamp for 600 seconds (since version 5)");
    vw.fresh = 0; /* a failed refresh is no new timestamp either */
    expect_one(MON_FREEZE, "no new timestamp for 600 seconds (since version 5)");
    mon_update(&st, &vw, true);
    CHECK_INT(st.freeze_raised, 1);
    CHECK_INT(run(), 0); /* raised once */
    same_view(&vw);
    vw.now = 1700;
    mon_update(&st, &vw, false);
    CHECK_INT(st.freeze_raised, 0);
    CHECK_INT(st.timestamp_seen, 1700);
}

static void test_split_view(void)
{
    base(&st);
    memset(&vw, 0, sizeof(vw));
    vw.now = 1100;
    vw.refresh_code = RAMPART_ESPLITVIEW;
    expect_one(MON_SPLIT_VIEW, "the repository showed two views that cannot both be honest");
}

static void test_ids_stable(void)
{
    base(&st);
    same_view(&vw);
    vw.s.root_version = 2;
    CHECK_INT(run(), 1);
    char id[13];
    memcpy(id, out[0].id, sizeof(id));
    CHECK_INT(run(), 1);
    CHECK_STR(out[0].id, id);
}

static void test_state_roundtrip(void)
{
    agent_state a, b;
    memset(&a, 0, sizeof(a));
    base(&a.mon);
    a.nheld = 1;
    (void)snprintf(a.held[0].id, sizeof(a.held[0].id), "0123456789ab");
    (void)snprintf(a.held[0].kind, sizeof(a.held[0].kind), "root-rotation");
    (void)snprintf(a.held[0].detail, sizeof(a.held[0].detail), "a \"quoted\" \\ detail");
    rbuf buf;
    rbuf_init(&buf, 1 << 20);
    CHECK_OK(agent_state_format(&a, &buf));
    CHECK_OK(agent_state_parse(buf.data, buf.len, &b, NULL));
    CHECK_INT(memcmp(&a.mon, &b.mon, sizeof(a.mon)), 0);
    CHECK_STR(b.held[0].detail, "a \"quoted\" \\ detail");
    CHECK_RC(agent_state_parse((const uint8_t *)"{\"v\":2}", 7, &b, NULL), RAMPART_EFORMAT);
    /* no install under way: no "installing" member, and none read back */
    CHECK(strstr((const char *)buf.data, "installing") == NULL);
    CHECK_STR(b.installing.version, "");
    /* an install under way (docs/agent.md, "Crash safety") */
    (void)snprintf(a.installing.target, sizeof(a.installing.target), "app/app-2.0.0.tar.gz");
    (void)snprintf(a.installing.version, sizeof(a.installing.version), "2.0.0");
    (void)snprintf(a.installing.previous, sizeof(a.installing.previous), "1.0.0");
    (void)snprintf(a.installing.sha256, sizeof(a.installing.sha256), "%064d", 7);
    a.installing.seq = 41;
    buf.len = 0;
    CHECK_OK(agent_state_format(&a, &buf));
    CHECK(strstr((const char *)buf.data,
                 ",\"installing\":{\"target\":\"app/app-2.0.0.tar.gz\",\"version\":\"2.0.0\",\"previous\":\"1.0.0\","
                 "\"sha256\":\"0000000000000000000000000000000000000000000000000000000000000007\",\"seq\":41},") !=
          NULL);
    CHECK_OK(agent_state_parse(buf.data, buf.len, &b, NULL));
    CHECK_INT(memcmp(&a.installing, &b.installing, sizeof(a.installing)), 0);
    rbuf_free(&buf);
    /* a damaged "installing" is refused, not taken as none */
    static const char *const bad[] = {
        "\"installing\":[]",
        "\"installing\":{\"target\":\"t\",\"version\":\"\",\"previous\":\"\",\"sha256\":\"\",\"seq\":1}",
        "\"installing\":{\"target\":\"t\",\"version\":\"1.0.0\",\"previous\":\"\",\"sha256\":\"\",\"seq\":-1}",
        "\"installing\":{\"target\":\"t\",\"version\":\"1.0.0\",\"previous\":\"\",\"sha256\":\"\"}",
        "\"installing\":{\"target\":\"t\",\"version\":1,\"previous\":\"\",\"sha256\":\"\",\"seq\":1}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char doc[512];
        (void)snprintf(
            doc, sizeof(doc),
            "{\"v\":1,\"known\":0,\"root_version\":0,\"timestamp_version\":0,\"timestamp_seen\":0,"
            "\"freeze_raised\":0,\"roles\":[],\"targets\":[],\"builder\":\"\",\"source\":\"\",\"refused\":\"\",%s,"
            "\"held\":[]}",
            bad[i]);
        CHECK_RC(agent_state_parse((const uint8_t *)doc, strlen(doc), &b, NULL), RAMPART_EFORMAT);
        (void)snprintf(
            doc, sizeof(doc),
            "{\"v\":1,\"known\":0,\"root_version\":0,\"timestamp_version\":0,\"timestamp_seen\":0,"
            "\"freeze_raised\":0,\"roles\":[],\"targets\":[],\"builder\":\"\",\"source\":\"\",\"refused\":\"\","
            "\"held\":[]}");
        CHECK_OK(agent_state_parse((const uint8_t *)doc, strlen(doc), &b, NULL));
    }
}

static int conf(const char *text, agent_config *c, rerr *e)
{
    return agent_config_parse((const uint8_t *)text, strlen(text), c, e);
}

#define REQUIRED                                                                                                       \
    "metadata_dir = /m\nmetadata_url = http://127.0.0.1/m/\ntarget_url = http://127.0.0.1/t/\nfollow = a/*\n"          \
    "install_dir = /i\nstate_dir = /s\naudit_dir = /a\n"

static void test_config(void)
{
    agent_config c;
    rerr e;
    CHECK_OK(conf("# comment\n\n" REQUIRED "health_check = /bin/check  --deep x\nblock = new-key, freeze\n"
                  "poll_interval = 60\nbackoff_max = 30\njournal = no\n",
                  &c, &e));
    CHECK_STR(c.hooks[HOOK_HEALTH][0], "/bin/check");
    CHECK_STR(c.hooks[HOOK_HEALTH][1], "--deep");
    CHECK_STR(c.hooks[HOOK_HEALTH][2], "x");
    CHECK(c.hooks[HOOK_HEALTH][3] == NULL);
    CHECK_INT(c.block, (1u << MON_NEW_KEY) | (1u << MON_FREEZE));
    CHECK_INT(c.poll_interval_s, 60);
    CHECK_INT(c.backoff_max_s, 60); /* never below the interval */
    CHECK_INT(c.journal, 0);
    CHECK_INT(c.keep, 3);
    agent_config_free(&c);
    static const struct {
        const char *text;
        int code;
        const char *msg;
    } bad[] = {
        {REQUIRED "bogus = 1\n", RAMPART_EFORMAT, "configuration line 8: an unknown key"},
        {REQUIRED "follow = b/*\n", RAMPART_EFORMAT, "configuration line 8: a key given twice"},
        {REQUIRED "keep = 1\n", RAMPART_EFORMAT, "configuration line 8: not a number in the allowed range"},
        {REQUIRED "keep = 03\n", RAMPART_EFORMAT, "configuration line 8: not a number in the allowed range"},
        {REQUIRED "journal = maybe\n", RAMPART_EFORMAT, "configuration line 8: not yes or no"},
        {REQUIRED "block = all,\n", RAMPART_EFORMAT, "configuration line 8: an unknown anomaly name"},
        {REQUIRED "pre_install =    \n", RAMPART_EFORMAT, "configuration line 8: an empty value"},
        {REQUIRED "x\n", RAMPART_EFORMAT, "configuration line 8: not \"key = value\""},
        {REQUIRED "target_url = a\tb\n", RAMPART_EFORMAT, "configuration line 8: a control character"},
        {"metadata_dir = /m\n", RAMPART_EINVAL,
         "the configuration needs metadata_dir, metadata_url, target_url, follow, install_dir, state_dir and "
         "audit_dir"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_RC(conf(bad[i].text, &c, &e), bad[i].code);
        CHECK_STR(e.message, bad[i].msg);
        agent_config_free(&c);
    }
    CHECK_OK(conf(REQUIRED "block = all\n", &c, &e));
    CHECK_INT(c.block, (1u << MON_KIND_COUNT) - 1);
    CHECK(c.log_policy == NULL);
    CHECK_INT(c.log_max_age_s, 0); /* the client's default */
    CHECK_INT(c.log_offline, 0);
    agent_config_free(&c);
    /* the transparency-log keys (docs/agent.md, "Configuration") */
    CHECK_OK(conf(REQUIRED "log_policy = /etc/rampart/tlog-policy\nlog_max_age = 86400\nlog_offline = yes\n", &c, &e));
    CHECK_STR(c.log_policy, "/etc/rampart/tlog-policy");
    CHECK_INT(c.log_max_age_s, 86400);
    CHECK_INT(c.log_offline, 1);
    agent_config_free(&c);
    static const struct {
        const char *text, *msg;
    } badlog[] = {
        {REQUIRED "log_max_age = 0\n", "configuration line 8: not a number in the allowed range"},
        {REQUIRED "log_max_age = 31536001\n", "configuration line 8: not a number in the allowed range"},
        {REQUIRED "log_offline = 1\n", "configuration line 8: not yes or no"},
        {REQUIRED "log_policy = /a\nlog_policy = /b\n", "configuration line 9: a key given twice"},
    };
    for (size_t i = 0; i < sizeof(badlog) / sizeof(badlog[0]); i++) {
        CHECK_RC(conf(badlog[i].text, &c, &e), RAMPART_EFORMAT);
        CHECK_STR(e.message, badlog[i].msg);
        agent_config_free(&c);
    }
}

static void test_attack_classes(void)
{
    CHECK_STR(rampart_attack_class(RAMPART_EBADSIG, "signature threshold not met for 'root' (0 of 2)"),
              "arbitrary-software");
    CHECK_STR(rampart_attack_class(RAMPART_EBADSIG, "signature threshold not met for 'root' (1 of 2)"),
              "key-compromise-below-threshold");
    CHECK_STR(rampart_attack_class(RAMPART_EEXPIRED, NULL), "freeze");
    CHECK_STR(rampart_attack_class(RAMPART_EROLLBACK, NULL), "rollback");
    CHECK_STR(rampart_attack_class(RAMPART_EMISMATCH, NULL), "mix-and-match");
    CHECK_STR(rampart_attack_class(RAMPART_ETOOLARGE, NULL), "endless-data");
    CHECK_STR(rampart_attack_class(RAMPART_ESLOW, NULL), "slow-retrieval");
    CHECK_STR(rampart_attack_class(RAMPART_EDOWNGRADE, NULL), "downgrade");
    CHECK_STR(rampart_attack_class(RAMPART_ESPLITVIEW, NULL), "split-view");
    CHECK_STR(rampart_attack_class(RAMPART_EPROVMISSING, NULL), "missing-provenance");
    CHECK_STR(rampart_attack_class(RAMPART_EPROVBUILDER, NULL), "forged-provenance");
    CHECK_STR(rampart_attack_class(RAMPART_ENOTLOGGED, NULL), "unlogged-release");
    CHECK_STR(rampart_attack_class(RAMPART_ENOQUORUM, NULL), "unlogged-release");
    CHECK_STR(rampart_attack_class(RAMPART_ESTALE, NULL), "freeze");
    CHECK(rampart_attack_class(RAMPART_ENET, NULL) == NULL);
    CHECK(rampart_attack_class(RAMPART_EIO, NULL) == NULL);
}

static void test_record_reader(void)
{
    static const char ok[] = "{\"v\":1,\"seq\":2,\"time\":\"2026-01-02T03:04:05Z\",\"kind\":\"note\",\"prev\":"
                             "\"0000000000000000000000000000000000000000000000000000000000000000\"}";
    audit_rec r;
    CHECK_OK(audit_rec_parse((const uint8_t *)ok, strlen(ok), &r, NULL));
    CHECK_INT(r.seq, 2);
    CHECK_STR(r.kind, "note");
    audit_rec_free(&r);
    static const char *const bad[] = {
        "{\"v\":2,\"seq\":1,\"time\":\"2026-01-02T03:04:05Z\",\"kind\":\"n\",\"prev\":\"00\"}",
        "{\"v\":1,\"seq\":0,\"time\":\"2026-01-02T03:04:05Z\",\"kind\":\"n\",\"prev\":"
        "\"0000000000000000000000000000000000000000000000000000000000000000\"}",
        "{\"v\":1,\"seq\":1,\"time\":\"yesterday\",\"kind\":\"n\",\"prev\":"
        "\"0000000000000000000000000000000000000000000000000000000000000000\"}",
        "{\"v\":1,\"seq\":1,\"time\":\"2026-01-02T03:04:05Z\",\"kind\":\"n\",\"extra\":\"x\",\"prev\":"
        "\"0000000000000000000000000000000000000000000000000000000000000000\"}",
        "{\"v\":1,\"seq\":1,\"time\":\"2026-01-02T03:04:05Z\",\"kind\":\"n\",\"torn_len\":3,\"prev\":"
        "\"0000000000000000000000000000000000000000000000000000000000000000\"}",
        "{\"v\":1,\"v\":1,\"seq\":1,\"time\":\"2026-01-02T03:04:05Z\",\"kind\":\"n\",\"prev\":"
        "\"0000000000000000000000000000000000000000000000000000000000000000\"}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK_RC(audit_rec_parse((const uint8_t *)bad[i], strlen(bad[i]), &r, NULL), RAMPART_EFORMAT);
}

int main(void)
{
    RUN(test_nothing_changed);
    RUN(test_first_view_is_learnt);
    RUN(test_new_key);
    RUN(test_root_rotation);
    RUN(test_lowered_threshold);
    RUN(test_expiry_window);
    RUN(test_version_jump);
    RUN(test_same_version_new_bytes);
    RUN(test_provenance);
    RUN(test_freeze);
    RUN(test_split_view);
    RUN(test_ids_stable);
    RUN(test_state_roundtrip);
    RUN(test_config);
    RUN(test_attack_classes);
    RUN(test_record_reader);
    return th_summary("test_agent_monitor");
}
