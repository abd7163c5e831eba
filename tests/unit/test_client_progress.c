/*
 * test_client_progress.c - the integrator features of the client library
 * (rampart/client.h, options version 2): the progress callback and
 * cancellation (RAMPART_ECANCELED), retries after transient network
 * failures only, request-header and options checks, options of version 1,
 * the listing of trusted targets, and the status of the targets role after
 * an update (version before and after, `updated`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "client/client_internal.h"
#include "ctest_util.h"
#include "util/banned.h"

#define CONTENTS "target file contents"
#define CLEN (sizeof(CONTENTS) - 1)

typedef struct pglog {
    char text[4096];
    int cancel_kind;     /* cancel on the first report of this kind... */
    long long cancel_at; /* ...once done >= this (-1: never) */
    int calls;
} pglog;

static int on_progress(void *ctx, int kind, const char *name, uint64_t done, uint64_t total)
{
    pglog *l = ctx;
    l->calls++;
    size_t n = strlen(l->text);
    /* One line per distinct report (ticks repeat the same numbers). */
    char line[256];
    snprintf(line, sizeof(line), "%c %s %llu/%llu\n", kind == RAMPART_PROGRESS_TARGET ? 'T' : 'M', name,
             (unsigned long long)done, (unsigned long long)total);
    size_t ll = strlen(line);
    if ((n < ll || strcmp(l->text + n - ll, line) != 0) && n + ll < sizeof(l->text))
        memcpy(l->text + n, line, ll + 1);
    return l->cancel_at >= 0 && kind == l->cancel_kind && (long long)done >= l->cancel_at;
}

static void use_progress(ctest *t, pglog *l, int kind, long long at)
{
    memset(l, 0, sizeof(*l));
    l->cancel_kind = kind;
    l->cancel_at = at;
    t->o.progress = on_progress;
    t->o.progress_ctx = l;
    ct_reopen(t);
}

/* Reports: done 0 before each request, then the bytes; trusted totals. */
CT_TEST(test_progress_reports)
{
    sim_add_target(t->s, "targets", "file.txt", CONTENTS, CLEN);
    sim_update(t->s, "targets");
    pglog l;
    use_progress(t, &l, 0, -1);
    CHECK_OK(ct_download(t, "file.txt"));
    char want[2048];
    size_t ts, ss, tg;
    (void)sim_version_bytes(t->s, "timestamp", 2, &ts);
    (void)sim_version_bytes(t->s, "snapshot", 2, &ss);
    (void)sim_version_bytes(t->s, "targets", 2, &tg);
    snprintf(want, sizeof(want),
             "M 2.root.json 0/0\nM timestamp.json 0/0\nM timestamp.json %zu/0\nM 2.snapshot.json 0/0\n"
             "M 2.snapshot.json %zu/0\nM 2.targets.json 0/0\nM 2.targets.json %zu/0\nT file.txt 0/%zu\n"
             "T file.txt %zu/%zu\n",
             ts, ss, tg, CLEN, CLEN, CLEN);
    CHECK_STR(l.text, want);
}

/* Cancelled before a target's first byte: ECANCELED, nothing written, no
 * temporary file anywhere, no other mirror asked. */
CT_TEST(test_cancel_target)
{
    sim_add_target(t->s, "targets", "file.txt", CONTENTS, CLEN);
    sim_update(t->s, "targets");
    const char *tm[] = {SIM_TARGETS_URL, SIM_MIRROR2_TARGETS_URL};
    t->o.target_urls = tm;
    t->o.target_url_count = 2;
    pglog l;
    use_progress(t, &l, RAMPART_PROGRESS_TARGET, 0);
    CHECK_OK(ct_refresh(t));
    sim_reset_requests(t->s);
    CHECK_RC(ct_download(t, "file.txt"), RAMPART_ECANCELED);
    CHECK_ERR(t, RAMPART_ECANCELED, "", "'file.txt': cancelled by the application");
    CHECK_STR(sim_requests(t->s), "");
    CHECK_STR(ct_tree(t, t->tdir), "");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=2 timestamp=2");
    /* Not cancelled: the download then works. */
    l.cancel_at = -1;
    CHECK_OK(ct_download(t, "file.txt"));
    CHECK_STR(ct_tree(t, t->tdir), "file.txt");
}

/* Cancelled after the target's bytes arrived (the last report): still
 * ECANCELED, no temporary file, nothing installed. */
CT_TEST(test_cancel_target_at_end)
{
    sim_add_target(t->s, "targets", "file.txt", CONTENTS, CLEN);
    sim_update(t->s, "targets");
    pglog l;
    use_progress(t, &l, RAMPART_PROGRESS_TARGET, (long long)CLEN);
    CHECK_RC(ct_download(t, "file.txt"), RAMPART_ECANCELED);
    CHECK_STR(ct_tree(t, t->tdir), "");
    CHECK_STR(ct_state(t), "root=1 snapshot=2 targets=2 timestamp=2");
}

/* Cancelled during the refresh: ECANCELED, nothing new saved, no other
 * mirror tried. */
CT_TEST(test_cancel_metadata)
{
    sim_update(t->s, "targets");
    const char *mm[] = {SIM_METADATA_URL, SIM_MIRROR2_METADATA_URL};
    t->o.metadata_urls = mm;
    t->o.metadata_url_count = 2;
    pglog l;
    use_progress(t, &l, RAMPART_PROGRESS_METADATA, 1);
    CHECK_RC(ct_refresh(t), RAMPART_ECANCELED);
    CHECK_ERR(t, RAMPART_ECANCELED, "", "'timestamp.json': cancelled by the application");
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmirror2:metadata/2.root.json\nmetadata/timestamp.json\n");
    CHECK_STR(ct_state(t), "root=1");
    CHECK_STR(ct_tree(t, t->mdir), ".rampart.lock root.json");
}

/* Retries: transient network failures only, at most max_retries more. */
CT_TEST(test_retries)
{
    t->o.max_retries = 2;
    t->o.retry_base_ms = 1;
    ct_reopen(t);
    sim_serve_status(t->s, "metadata/timestamp.json", RAMPART_ENET);
    CHECK_RC(ct_refresh(t), RAMPART_ENET);
    CHECK_STR(sim_requests(t->s),
              "metadata/2.root.json\nmetadata/timestamp.json\nmetadata/timestamp.json\nmetadata/timestamp.json\n");
    static const int once[] = {RAMPART_ENOTFOUND, RAMPART_ESLOW, RAMPART_ETIMEOUT, RAMPART_ETLS};
    for (size_t i = 0; i < sizeof(once) / sizeof(once[0]); i++) {
        sim_reset_requests(t->s);
        sim_serve_status(t->s, "metadata/timestamp.json", once[i]);
        CHECK_RC(ct_refresh(t), once[i]);
        CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\n");
    }
    /* A security failure (bytes that do not verify) is never retried. */
    sim_reset_requests(t->s);
    sim_serve_bytes(t->s, "metadata/timestamp.json", "{}", 2);
    CHECK_RC(ct_refresh(t), RAMPART_EFORMAT);
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\n");
    /* The default is no retry. */
    t->o.max_retries = 0;
    ct_reopen(t);
    sim_reset_requests(t->s);
    sim_serve_status(t->s, "metadata/timestamp.json", RAMPART_ENET);
    CHECK_RC(ct_refresh(t), RAMPART_ENET);
    CHECK_STR(sim_requests(t->s), "metadata/2.root.json\nmetadata/timestamp.json\n");
}

/* Target downloads are retried alike. */
CT_TEST(test_retries_target)
{
    sim_add_target(t->s, "targets", "file.txt", CONTENTS, CLEN);
    sim_update(t->s, "targets");
    t->o.max_retries = 1;
    t->o.retry_base_ms = 1;
    ct_reopen(t);
    CHECK_OK(ct_refresh(t));
    char req[512];
    ct_target_req(req, sizeof(req), "file.txt", CONTENTS, CLEN);
    sim_serve_status(t->s, req, RAMPART_ECONNTIMEOUT);
    sim_reset_requests(t->s);
    CHECK_RC(ct_download(t, "file.txt"), RAMPART_ECONNTIMEOUT);
    char want[1100];
    snprintf(want, sizeof(want), "%s\n%s\n", req, req);
    CHECK_STR(sim_requests(t->s), want);
    CHECK_STR(ct_tree(t, t->tdir), "");
}

static int new_client(const rampart_client_options *o, rampart_error *err)
{
    rampart_client *c = NULL;
    int rc = rampart_client_new(&c, o, err);
    rampart_client_free(c);
    return rc;
}

/* Options: version 1 still accepted (its struct ends before `progress`),
 * unknown versions and malformed headers refused. */
static void test_options(void)
{
    static const char *const mu[] = {"https://example.test/m/"};
    rampart_client_options o = RAMPART_CLIENT_OPTIONS_INIT;
    rampart_error err;
    CHECK_INT(RAMPART_CLIENT_OPTIONS_VERSION, 3);
    o.metadata_dir = "/nonexistent/md";
    o.metadata_urls = mu;
    o.metadata_url_count = 1;
    CHECK_OK(new_client(&o, &err));
    /* A version-1 caller: fields after log_ctx are garbage to it, never read. */
    rampart_client_options v1;
    memset(&v1, 0xA5, sizeof(v1));
    memcpy(&v1, &o, offsetof(rampart_client_options, progress));
    v1.version = 1;
    CHECK_OK(new_client(&v1, &err));
    /* A version-2 caller: fields from log_policy on are garbage to it. */
    rampart_client_options v2;
    memset(&v2, 0xA5, sizeof(v2));
    memcpy(&v2, &o, offsetof(rampart_client_options, log_policy));
    v2.version = 2;
    CHECK_OK(new_client(&v2, &err));
    o.version = 4;
    CHECK_RC(new_client(&o, &err), RAMPART_EINVAL);
    CHECK_STR(err.message, "unknown client options version 4");
    o.version = RAMPART_CLIENT_OPTIONS_VERSION;
    /* Version 3: a policy is parsed when the client is made. */
    o.log_policy = "quorum none\nlog nonsense\n";
    o.log_policy_len = strlen(o.log_policy);
    CHECK_RC(new_client(&o, &err), RAMPART_EFORMAT);
    o.log_policy = NULL;
    CHECK_RC(new_client(&o, &err), RAMPART_EINVAL);
    CHECK_STR(err.message, "invalid log options");
    o.log_policy_len = 0;
    o.log_max_age = -1;
    CHECK_RC(new_client(&o, &err), RAMPART_EINVAL);
    o.log_max_age = 0;
    o.version = RAMPART_CLIENT_OPTIONS_VERSION;
    const char *bad[][1] = {{"NoColon"}, {": empty name"}, {"X-A: b\r\nX-Injected: c"}, {"Bad Name: x"}};
    for (size_t i = 0; i < 4; i++) {
        o.headers = bad[i];
        o.header_count = 1;
        CHECK_RC(new_client(&o, &err), RAMPART_EINVAL);
        CHECK_STR(err.message, "request header 0 is not \"Name: value\" on one line");
    }
    const char *good[] = {"Authorization: Bearer abc", "X-Empty:"};
    o.headers = good;
    o.header_count = 2;
    CHECK_OK(new_client(&o, &err));
    o.user_agent_suffix = "app/1\n";
    CHECK_RC(new_client(&o, &err), RAMPART_EINVAL);
    CHECK_STR(err.message, "the User-Agent suffix has control characters");
}

/* The previous-version fix: targets v3 -> v4 reports version_before 3,
 * version 4, updated; a refresh with nothing new reports 4 -> 4, not
 * updated. */
CT_TEST(test_targets_previous_version)
{
    sim_update(t->s, "targets");
    sim_update(t->s, "targets");
    CHECK_OK(ct_refresh(t));
    rampart_role_status st;
    CHECK_OK(rampart_client_role_status(t->c, "targets", &st));
    CHECK_INT(st.version_before, 0);
    CHECK_INT(st.version, 3);
    CHECK_INT(st.updated, 1);
    sim_update(t->s, "targets");
    ct_reopen(t);
    CHECK_OK(ct_refresh(t));
    CHECK_OK(rampart_client_role_status(t->c, "targets", &st));
    CHECK_INT(st.version_before, 3);
    CHECK_INT(st.version, 4);
    CHECK_INT(st.updated, 1);
    CHECK_OK(rampart_client_role_status(t->c, "snapshot", &st));
    CHECK_INT(st.version_before, 3);
    CHECK_INT(st.version, 4);
    CHECK_INT(st.updated, 1);
    ct_reopen(t);
    CHECK_OK(ct_refresh(t));
    CHECK_OK(rampart_client_role_status(t->c, "targets", &st));
    CHECK_INT(st.version_before, 4);
    CHECK_INT(st.version, 4);
    CHECK_INT(st.updated, 0);
}

static const char *list(ctest *t, const char *prefix, char *buf, size_t cap)
{
    rampart_target_iter *it = NULL;
    buf[0] = '\0';
    int rc = rampart_target_iter_new(&it, t->c, prefix);
    if (rc != 0) {
        snprintf(buf, cap, "error %s", rampart_error_name(rc));
        return buf;
    }
    rampart_target *tg;
    size_t n = 0;
    while ((rc = rampart_target_iter_next(it, &tg)) == 0) {
        size_t l = strlen(buf);
        snprintf(buf + l, cap - l, "%s%s(%s,%llu)", n++ ? " " : "", rampart_target_path(tg), rampart_target_role(tg),
                 (unsigned long long)rampart_target_length(tg));
        rampart_target_free(tg);
    }
    if (rc != RAMPART_ENOTFOUND || n != rampart_target_iter_count(it))
        snprintf(buf, cap, "bad end %s", rampart_error_name(rc));
    rampart_target_iter_free(it);
    return buf;
}

/* The listing agrees with the search: shadowed entries, paths outside a
 * delegation's patterns and roles behind a terminating delegation. */
CT_TEST(test_list_targets)
{
    const char *pb[] = {"b/*", NULL}, *pz[] = {"*/*", NULL};
    sim_delegate(t->s, "targets", "B", pb, true);
    sim_delegate(t->s, "targets", "Z", pz, false);
    sim_add_target(t->s, "targets", "a.txt", "a", 1);
    sim_add_target(t->s, "targets", "b/c.txt", "cc", 2);
    sim_add_target(t->s, "B", "b/x.txt", "xxx", 3);
    sim_add_target(t->s, "B", "a.txt", "AAAA", 4);  /* shadowed by targets */
    sim_add_target(t->s, "B", "z/out.txt", "o", 1); /* outside B's paths, and Z does not list it */
    sim_add_target(t->s, "Z", "b/y.txt", "yy", 2);  /* behind terminating B */
    sim_add_target(t->s, "Z", "z/in.txt", "zzzzz", 5);
    sim_publish(t->s, "B");
    sim_publish(t->s, "Z");
    sim_update(t->s, "targets");
    ct_reopen(t);
    char buf[2048];
    CHECK_STR(list(t, NULL, buf, sizeof(buf)), "a.txt(targets,1) b/c.txt(targets,2) b/x.txt(B,3) z/in.txt(Z,5)");
    CHECK_STR(list(t, "b/", buf, sizeof(buf)), "b/c.txt(targets,2) b/x.txt(B,3)");
    CHECK_STR(list(t, "nothing/", buf, sizeof(buf)), "");
    /* Every listed target is what the search finds. */
    rampart_target *tg = NULL;
    CHECK_OK(rampart_client_get_target_info(t->c, "a.txt", &tg));
    CHECK_INT(rampart_target_length(tg), 1);
    rampart_target_free(tg);
}

int main(void)
{
    RUN(test_progress_reports);
    RUN(test_cancel_target);
    RUN(test_cancel_target_at_end);
    RUN(test_cancel_metadata);
    RUN(test_retries);
    RUN(test_retries_target);
    RUN(test_options);
    RUN(test_targets_previous_version);
    RUN(test_list_targets);
    return th_summary("test_client_progress");
}
