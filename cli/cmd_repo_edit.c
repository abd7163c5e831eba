/*
 * cmd_repo_edit.c - `rampart repo init|delegate|rotate` (status: cmd_repo_refresh.c).
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd_repo.h"

static const char *const role_names[5] = {"root", "targets", "snapshot", "timestamp", "bins"};

/* An expiry period of the configuration file, `key` of `obj`, into *seconds
 * unless the command line set it: a whole number of days from 1 to
 * REPO_MAX_DAYS (0 does not mean the default: it is refused, as on the
 * command line). */
static int config_days(struct repo_args *a, json_t *obj, const char *key, const char *role, long long *seconds)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || *seconds != 0)
        return 0;
    json_int_t d = json_integer_value(v);
    if (!json_is_integer(v) || d < 1 || d > REPO_MAX_DAYS) {
        cli_error(RAMPART_EFORMAT, "%s: %s%s%s must be a number of days from 1 to %d", a->config, role ? "roles." : "",
                  role ? role : "", role ? ".expires_days" : key, REPO_MAX_DAYS);
        return CLI_FAIL;
    }
    *seconds = (long long)d * 86400;
    return 0;
}

/* Reads the init configuration file (docs/repo.md) into `a`; options given
 * on the command line win. */
static int read_config(struct repo_args *a, json_t **keep)
{
    json_error_t jerr;
    json_t *c = json_load_file(a->config, JSON_REJECT_DUPLICATES, &jerr);
    if (c == NULL || !json_is_object(c)) {
        cli_error(c == NULL && jerr.line < 0 ? RAMPART_EIO : RAMPART_EFORMAT, "%s: %s", a->config,
                  c == NULL ? jerr.text : "not a JSON object");
        json_decref(c);
        return CLI_FAIL;
    }
    *keep = c;
    json_t *roles = json_object_get(c, "roles");
    for (int i = 0; i < 5; i++) {
        json_t *r = json_object_get(roles, role_names[i]);
        if (r == NULL)
            continue;
        json_t *keys = json_object_get(r, "keys");
        if (a->nrole_keys[i] == 0) {
            json_t *k;
            size_t j;
            json_array_foreach(keys, j, k)
            {
                if (!json_is_string(k) || a->nrole_keys[i] >= REPO_MAX_LIST) {
                    cli_error(RAMPART_EFORMAT, "%s: roles.%s.keys must list key files", a->config, role_names[i]);
                    return CLI_FAIL;
                }
                a->role_keys[i][a->nrole_keys[i]++] = json_string_value(k);
            }
        }
        json_int_t t = json_integer_value(json_object_get(r, "threshold"));
        if (a->role_threshold[i] == 0 && t > 0 && t <= 1024)
            a->role_threshold[i] = (unsigned)t;
        if (i < 4 && config_days(a, r, "expires_days", role_names[i], &a->role_expires[i]) != 0)
            return CLI_FAIL;
    }
    if (config_days(a, c, "delegated_expires_days", NULL, &a->delegated_expires) != 0)
        return CLI_FAIL;
    if (json_is_true(json_object_get(c, "sha512")))
        a->sha512 = 1;
    json_int_t b = json_integer_value(json_object_get(c, "bins"));
    if (a->bins == 0 && b > 0 && b <= (1 << 20))
        a->bins = (unsigned)b;
    if (a->bins_prefix == NULL && json_is_string(json_object_get(c, "bins_prefix")))
        a->bins_prefix = json_string_value(json_object_get(c, "bins_prefix"));
    return 0;
}

static void print_warning(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "rampart: warning: %s\n", line);
}

int repo_init(struct repo_args *a)
{
    if (a->npos != 1) {
        cli_usage_error("give one DIR");
        return CLI_USAGE;
    }
    json_t *conf = NULL;
    if (a->config != NULL && read_config(a, &conf) != 0) {
        json_decref(conf); /* read_config may have kept it before failing */
        return CLI_FAIL;
    }
    rampart_repo_init_options o = RAMPART_REPO_INIT_OPTIONS_INIT;
    rampart_role_keys *rk[5] = {&o.root, &o.targets, &o.snapshot, &o.timestamp, &o.bins_keys};
    static const rampart_public_key *keys[5][REPO_MAX_LIST];
    int rc = 0;
    for (int i = 0; i < 5 && rc == 0; i++) {
        if (i < 4 && a->nrole_keys[i] == 0) {
            cli_usage_error("role %s needs at least one key (--%s-key PUB)", role_names[i], role_names[i]);
            rc = CLI_USAGE;
            break;
        }
        rc = repo_pubkeys(a, a->role_keys[i], a->nrole_keys[i], keys[i]);
        rk[i]->keys = keys[i];
        rk[i]->key_count = a->nrole_keys[i];
        rk[i]->threshold = a->role_threshold[i];
        if (i < 4)
            rk[i]->expires_seconds = a->role_expires[i];
    }
    o.dir = a->dir;
    o.delegated_expires_seconds = a->delegated_expires;
    o.sha512 = a->sha512;
    o.bins = a->bins;
    o.bins_prefix = a->bins_prefix;
    rampart_repo *r = NULL;
    if (rc == 0) {
        rampart_error err;
        int lrc = rampart_repo_init(&r, &o, print_warning, NULL, &err);
        if (lrc != 0) {
            cli_report(NULL, lrc, &err);
            rc = CLI_FAIL;
        } else {
            printf("initialised repository %s%s; add targets, then publish with the keys\n", a->dir,
                   a->bins ? " with hash bins" : "");
        }
    }
    repo_close(a, r);
    json_decref(conf);
    return rc;
}

/* delegate --remove NAME */
static int delegate_remove(struct repo_args *a)
{
    if (a->npos != 1 || a->edit != NULL || a->name != NULL || a->nkeys > 0 || a->npaths > 0 || a->nprefixes > 0 ||
        a->bins > 0 || a->threshold > 0 || a->terminating || a->no_terminating || a->delegator != NULL) {
        cli_usage_error("--remove NAME takes no other option");
        return CLI_USAGE;
    }
    rampart_repo *r = NULL;
    int rc = repo_open(a, &r);
    if (rc == 0)
        rc = repo_result("repo delegate", r, rampart_repo_remove_delegation(r, a->undelegate));
    if (rc == 0) {
        printf("removed the delegation to ");
        cli_print_safe(stdout, a->undelegate);
        printf(": publish to make it take effect\n");
    }
    repo_close(a, r);
    return rc;
}

/* delegate --edit NAME */
static int delegate_edit(struct repo_args *a)
{
    if (a->npos != 1 || a->name != NULL || a->bins > 0 || a->delegator != NULL ||
        (a->terminating && a->no_terminating)) {
        cli_usage_error("--edit NAME takes --key, --threshold, --paths or --hash-prefix, and "
                        "--terminating or --no-terminating");
        return CLI_USAGE;
    }
    static const rampart_public_key *keys[REPO_MAX_LIST];
    int rc = repo_pubkeys(a, a->keys, a->nkeys, keys);
    size_t nkeys = a->nkeys;
    a->nkeys = 0; /* public keys of the role, not signers */
    rampart_repo *r = NULL;
    if (rc == 0)
        rc = repo_open(a, &r);
    if (rc == 0) {
        rampart_delegation_edit o = RAMPART_DELEGATION_EDIT_INIT;
        o.name = a->edit;
        o.keys = keys;
        o.key_count = nkeys;
        o.threshold = a->threshold;
        o.paths = a->paths;
        o.path_count = a->npaths;
        o.path_hash_prefixes = a->prefixes;
        o.prefix_count = a->nprefixes;
        o.terminating = a->terminating ? 1 : a->no_terminating ? 0 : -1;
        rc = repo_result("repo delegate", r, rampart_repo_edit_delegation(r, &o));
    }
    if (rc == 0) {
        printf("changed the delegation to ");
        cli_print_safe(stdout, a->edit);
        printf("%s\n", nkeys > 0 || a->threshold > 0 ? ": sign it and its delegator, then publish"
                                                     : ": sign its delegator, then publish");
    }
    repo_close(a, r);
    return rc;
}

int repo_delegate(struct repo_args *a)
{
    if (a->undelegate != NULL)
        return delegate_remove(a);
    if (a->edit != NULL)
        return delegate_edit(a);
    if (a->no_terminating) {
        cli_usage_error("--no-terminating goes with --edit");
        return CLI_USAGE;
    }
    if (a->npos != 1 || (a->name == NULL && a->bins == 0) || a->nkeys == 0) {
        cli_usage_error("give DIR, --name NAME and --key PUB (public key files)");
        return CLI_USAGE;
    }
    /* Here --key names public keys of the new role, not signers. */
    static const rampart_public_key *keys[REPO_MAX_LIST];
    int rc = repo_pubkeys(a, a->keys, a->nkeys, keys);
    size_t nkeys = a->nkeys;
    a->nkeys = 0;
    rampart_repo *r = NULL;
    if (rc == 0)
        rc = repo_open(a, &r);
    if (rc == 0) {
        rampart_delegation_options o = RAMPART_DELEGATION_OPTIONS_INIT;
        o.delegator = a->delegator;
        o.name = a->name;
        o.keys = keys;
        o.key_count = nkeys;
        o.threshold = a->threshold;
        o.paths = a->paths;
        o.path_count = a->npaths;
        o.path_hash_prefixes = a->prefixes;
        o.prefix_count = a->nprefixes;
        o.terminating = a->terminating;
        o.bins = a->bins;
        rc = repo_result("repo delegate", r, rampart_repo_delegate(r, &o));
        if (rc == 0)
            printf("delegated %s%s from %s\n", a->bins ? "hash bins " : "", a->name ? a->name : "bins",
                   a->delegator ? a->delegator : "targets");
    }
    repo_close(a, r);
    return rc;
}

int repo_rotate(struct repo_args *a)
{
    if (a->npos != 1 || a->role == NULL) {
        cli_usage_error("give DIR and --role ROLE");
        return CLI_USAGE;
    }
    static const rampart_public_key *keys[REPO_MAX_LIST];
    int rc = repo_pubkeys(a, a->add, a->nadd, keys);
    rampart_repo *r = NULL;
    if (rc == 0)
        rc = repo_open(a, &r);
    if (rc == 0) {
        rampart_rotate_options o = RAMPART_ROTATE_OPTIONS_INIT;
        o.role = a->role;
        o.add = keys;
        o.add_count = a->nadd;
        o.remove_keyids = a->remove;
        o.remove_count = a->nremove;
        o.threshold = a->threshold;
        o.expires_seconds = a->expires;
        rc = repo_result("repo rotate", r, rampart_repo_rotate(r, &o));
        static const char root_changed[] = ": root changed; sign the new root with the old and new root keys";
        bool top = strcmp(a->role, "root") == 0 || strcmp(a->role, "targets") == 0 ||
                   strcmp(a->role, "snapshot") == 0 || strcmp(a->role, "timestamp") == 0;
        if (rc == 0 && (a->nadd > 0 || a->nremove > 0 || a->threshold > 0))
            printf("rotated keys of %s%s\n", a->role, top ? root_changed : "");
        if (rc == 0 && a->expires > 0)
            printf("%s: expiry period %lld day(s)%s\n", a->role, a->expires / 86400,
                   strcmp(a->role, "root") == 0 ? root_changed : ", from its next signing (no root signature needed)");
    }
    repo_close(a, r);
    return rc;
}
