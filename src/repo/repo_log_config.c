/* repo_log_config.c - enabling the transparency log, its keys and its
 * witnesses (the public rampart_repo_log_* calls).  See repo_log.h. */
#include <string.h>

#include "repo/repo_log.h"
#include "tlog/policy.h"
#include "util/fs.h"
#include "util/banned.h"

static int check_key(rampart_repo *r, const rampart_public_key *key)
{
    if (key == NULL || strcmp(key->keytype, "ed25519") != 0)
        return rrepo_fail(r, RAMPART_EINVAL, "log", "the log key must be an Ed25519 key (C2SP signed-note)");
    return 0;
}

int rampart_repo_log_init(rampart_repo *r, const char *origin, const rampart_public_key *key)
{
    if (r == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&r->err);
    if (origin == NULL || !tlog_name_valid(origin, strlen(origin)))
        return rrepo_fail(r, RAMPART_EINVAL, "log",
                          "the log origin must be 1 to %d bytes of UTF-8 without spaces, '+' or control characters",
                          TLOG_NAME_MAX);
    int rc = check_key(r, key);
    if (rc != 0)
        return rc;
    if (rrepo_log_enabled(r))
        return rrepo_fail(r, RAMPART_EINVAL, "log", "the transparency log is already enabled (origin '%s')",
                          json_string_value(json_object_get(json_object_get(r->config, "log"), "origin")));
    json_t *saved = json_deep_copy(r->config);
    json_t *keys = json_object();
    json_t *log = json_pack("{s:s,s:o}", "origin", origin, "keys", keys);
    if (saved == NULL || log == NULL || json_object_set_new(keys, key->keyid, rpub_to_json(key)) != 0 ||
        json_object_set_new(r->config, "log", log) != 0)
        rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    else
        log = NULL;
    json_decref(log);
    r->config_changed = true;
    return rrepo_finish_config_edit(r, saved, rc);
}

int rampart_repo_log_key(rampart_repo *r, const rampart_public_key *key, int add)
{
    if (r == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&r->err);
    if (!rrepo_log_enabled(r))
        return rrepo_fail(r, RAMPART_ENOTFOUND, "log",
                          "this repository has no transparency log (rampart repo log init)");
    int rc = check_key(r, key);
    if (rc != 0)
        return rc;
    json_t *keys = json_object_get(json_object_get(r->config, "log"), "keys");
    bool there = json_object_get(keys, key->keyid) != NULL;
    if (add && there)
        return rrepo_fail(r, RAMPART_EINVAL, "log", "the log key %.16s... is already a log key", key->keyid);
    if (!add && !there)
        return rrepo_fail(r, RAMPART_EINVAL, "log", "%.16s... is not a log key", key->keyid);
    if (!add && json_object_size(keys) == 1)
        return rrepo_fail(r, RAMPART_EINVAL, "log", "the last log key cannot be removed: add its successor first");
    json_t *saved = json_deep_copy(r->config);
    keys = json_object_get(json_object_get(r->config, "log"), "keys");
    /* (the edit only when the copy to restore exists) */
    if (saved == NULL ||
        (add ? json_object_set_new(keys, key->keyid, rpub_to_json(key)) != 0 : json_object_del(keys, key->keyid) != 0))
        rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    r->config_changed = true;
    return rrepo_finish_config_edit(r, saved, rc);
}

int rampart_repo_log_vkeys(rampart_repo *r, char **out)
{
    if (r == NULL || out == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&r->err);
    rbuf b;
    rbuf_init(&b, (size_t)64 * 1024);
    int rc = rrepo_log_vkeys(r, &b);
    char *s = rc == 0 ? rampart_strndup((const char *)b.data, b.len) : NULL;
    rbuf_free(&b);
    if (rc == 0 && s == NULL)
        rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    if (rc == 0)
        *out = s;
    return rc;
}

int rampart_repo_log_set_witnesses(rampart_repo *r, const void *policy, size_t len)
{
    if (r == NULL || (policy == NULL && len > 0))
        return RAMPART_EINVAL;
    rerr_clear(&r->err);
    if (!rrepo_log_enabled(r))
        return rrepo_fail(r, RAMPART_ENOTFOUND, "log",
                          "this repository has no transparency log (rampart repo log init)");
    int fd;
    int rc = rrepo_log_dir(r, &fd);
    if (rc != 0)
        return rc;
    if (len == 0) {
        rc = rfs_remove_at(fd, RLOG_WITNESSES, &r->err);
        return rc == RAMPART_ENOTFOUND ? 0 : rc;
    }
    tlog_policy *p = NULL;
    if (tlog_policy_parse(&p, (const uint8_t *)policy, len, &r->err) != 0)
        return rrepo_fail(r, RAMPART_EFORMAT, "log", "witness policy: %s", r->err.message);
    for (size_t i = 0; i < p->nwit && rc == 0; i++)
        if (p->wit[i].url == NULL)
            rc = rrepo_fail(r, RAMPART_EFORMAT, "log", "witness policy: witness '%s' has no URL", p->wit[i].name);
    tlog_policy_free(p);
    if (rc == 0)
        rc = rfs_write_atomic(fd, RLOG_WITNESSES, policy, len, 0644, &r->err);
    return rc;
}

void rampart_repo_set_witness_post(rampart_repo *r, rampart_witness_post_fn fn, void *ctx)
{
    if (r == NULL)
        return;
    r->witness_post = fn;
    r->witness_ctx = ctx;
}
