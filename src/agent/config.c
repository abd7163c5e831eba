/*
 * config.c - the agent's configuration file (docs/agent.md,
 * "Configuration"): "key = value" lines, parsed strictly with no I/O.
 */
#include <string.h>

#include "agent/agent_internal.h"
#include "util/banned.h"

enum vtype { V_STR, V_URL, V_HOOK, V_NUM, V_BOOL, V_BLOCK };

/* One row per key: its type and where it goes. */
static const struct key_row {
    const char *name;
    enum vtype type;
    unsigned off;      /* offsetof the char * / unsigned / int member */
    unsigned min, max; /* numbers */
    int which;         /* hooks: HOOK_*; urls: 0 metadata, 1 targets */
} rows[] = {
    {"metadata_dir", V_STR, offsetof(agent_config, metadata_dir), 0, 0, 0},
    {"trusted_root", V_STR, offsetof(agent_config, trusted_root), 0, 0, 0},
    {"follow", V_STR, offsetof(agent_config, follow), 0, 0, 0},
    {"install_dir", V_STR, offsetof(agent_config, install_dir), 0, 0, 0},
    {"state_dir", V_STR, offsetof(agent_config, state_dir), 0, 0, 0},
    {"audit_dir", V_STR, offsetof(agent_config, audit_dir), 0, 0, 0},
    {"audit_name", V_STR, offsetof(agent_config, audit_name), 0, 0, 0},
    {"provenance_policy", V_STR, offsetof(agent_config, provenance_policy), 0, 0, 0},
    {"ca_file", V_STR, offsetof(agent_config, ca_file), 0, 0, 0},
    {"journal_socket", V_STR, offsetof(agent_config, journal_socket), 0, 0, 0},
    {"log_policy", V_STR, offsetof(agent_config, log_policy), 0, 0, 0},
    {"metadata_url", V_URL, 0, 0, 0, 0},
    {"target_url", V_URL, 0, 0, 0, 1},
    {"pre_install", V_HOOK, 0, 0, 0, HOOK_PRE},
    {"post_install", V_HOOK, 0, 0, 0, HOOK_POST},
    {"health_check", V_HOOK, 0, 0, 0, HOOK_HEALTH},
    {"anomaly_hook", V_HOOK, 0, 0, 0, HOOK_ANOMALY},
    {"keep", V_NUM, offsetof(agent_config, keep), 2, 1000, 0},
    {"hook_timeout", V_NUM, offsetof(agent_config, hook_timeout_s), 1, 86400, 0},
    {"poll_interval", V_NUM, offsetof(agent_config, poll_interval_s), 1, 30 * 86400, 0},
    {"jitter", V_NUM, offsetof(agent_config, jitter_s), 0, 86400, 0},
    {"backoff_max", V_NUM, offsetof(agent_config, backoff_max_s), 1, 30 * 86400, 0},
    {"max_version_jump", V_NUM, offsetof(agent_config, max_version_jump), 0, 1000000, 0},
    {"freeze_after", V_NUM, offsetof(agent_config, freeze_after_s), 0, 365 * 86400, 0},
    {"expiry_tolerance", V_NUM, offsetof(agent_config, expiry_tolerance_s), 0, 365 * 86400, 0},
    {"log_max_age", V_NUM, offsetof(agent_config, log_max_age_s), 1, 365 * 86400, 0},
    {"journal", V_BOOL, offsetof(agent_config, journal), 0, 0, 0},
    {"allow_insecure_http", V_BOOL, offsetof(agent_config, allow_insecure_http), 0, 0, 0},
    {"allow_downgrade", V_BOOL, offsetof(agent_config, allow_downgrade), 0, 0, 0},
    {"log_offline", V_BOOL, offsetof(agent_config, log_offline), 0, 0, 0},
    {"block", V_BLOCK, offsetof(agent_config, block), 0, 0, 0},
};

static void drop(char **s)
{
    rampart_free(*s);
    *s = NULL;
}

void agent_config_free(agent_config *c)
{
    drop(&c->metadata_dir), drop(&c->trusted_root), drop(&c->follow), drop(&c->install_dir);
    drop(&c->state_dir), drop(&c->audit_dir), drop(&c->audit_name), drop(&c->provenance_policy);
    drop(&c->ca_file), drop(&c->journal_socket), drop(&c->log_policy);
    for (size_t i = 0; i < AGENT_MAX_URLS; i++) {
        rampart_free(c->murls[i]);
        rampart_free(c->turls[i]);
        c->murls[i] = c->turls[i] = NULL;
    }
    for (int i = 0; i < HOOK_COUNT; i++) {
        rampart_free(c->hookbuf[i]);
        c->hookbuf[i] = NULL;
        c->hooks[i][0] = NULL;
    }
}

static int fail(rerr *e, unsigned line, const char *what)
{
    return rerr_set(e, RAMPART_EFORMAT, NULL, "configuration line %u: %s", line, what);
}

static int parse_num(const char *v, size_t n, unsigned min, unsigned max, unsigned *out)
{
    unsigned long long x = 0;
    if (n == 0 || n > 10 || (n > 1 && v[0] == '0'))
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        x = x * 10 + (unsigned)(v[i] - '0');
    }
    if (x < min || x > max)
        return -1;
    *out = (unsigned)x;
    return 0;
}

static int parse_block(const char *v, size_t n, unsigned *out)
{
    if (n == 4 && memcmp(v, "none", 4) == 0) {
        *out = 0;
        return 0;
    }
    if (n == 3 && memcmp(v, "all", 3) == 0) {
        *out = (1u << MON_KIND_COUNT) - 1;
        return 0;
    }
    unsigned set = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && v[j] != ',')
            j++;
        size_t a = i, b = j;
        while (a < b && v[a] == ' ')
            a++;
        while (b > a && v[b - 1] == ' ')
            b--;
        int k = mon_kind_from_name(v + a, b - a);
        if (k < 0)
            return -1;
        set |= 1u << k;
        i = j + 1;
    }
    *out = set;
    return 0;
}

/* Splits a hook's words on spaces into its vector (no shell, no quoting). */
static int set_hook(agent_config *c, int which, const char *v, size_t n, unsigned line, rerr *e)
{
    char *buf = rampart_strndup(v, n);
    if (buf == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    c->hookbuf[which] = buf;
    size_t argc = 0;
    for (char *p = buf; *p != '\0';) {
        while (*p == ' ')
            *p++ = '\0';
        if (*p == '\0')
            break;
        if (argc == AGENT_MAX_ARGS)
            return fail(e, line, "a hook has too many words");
        c->hooks[which][argc++] = p;
        while (*p != '\0' && *p != ' ')
            p++;
    }
    c->hooks[which][argc] = NULL;
    return argc == 0 ? fail(e, line, "an empty hook") : 0;
}

static int set_value(agent_config *c, const struct key_row *r, const char *v, size_t n, unsigned line, rerr *e)
{
    char *base = (char *)c;
    switch (r->type) {
    case V_STR: {
        char **slot = (char **)(void *)(base + r->off);
        if (*slot != NULL)
            return fail(e, line, "a key given twice");
        *slot = rampart_strndup(v, n);
        return *slot == NULL ? rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory") : 0;
    }
    case V_URL: {
        char **list = r->which == 0 ? c->murls : c->turls;
        size_t *cnt = r->which == 0 ? &c->nmurls : &c->nturls;
        if (*cnt == AGENT_MAX_URLS)
            return fail(e, line, "too many URLs");
        list[*cnt] = rampart_strndup(v, n);
        if (list[*cnt] == NULL)
            return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
        (*cnt)++;
        return 0;
    }
    case V_HOOK:
        if (c->hookbuf[r->which] != NULL)
            return fail(e, line, "a key given twice");
        return set_hook(c, r->which, v, n, line, e);
    case V_NUM:
        return parse_num(v, n, r->min, r->max, (unsigned *)(void *)(base + r->off)) == 0
                   ? 0
                   : fail(e, line, "not a number in the allowed range");
    case V_BOOL: {
        int *slot = (int *)(void *)(base + r->off);
        if ((n == 3 && memcmp(v, "yes", 3) == 0) || (n == 4 && memcmp(v, "true", 4) == 0))
            *slot = 1;
        else if ((n == 2 && memcmp(v, "no", 2) == 0) || (n == 5 && memcmp(v, "false", 5) == 0))
            *slot = 0;
        else
            return fail(e, line, "not yes or no");
        return 0;
    }
    default: /* V_BLOCK */
        return parse_block(v, n, (unsigned *)(void *)(base + r->off)) == 0 ? 0
                                                                           : fail(e, line, "an unknown anomaly name");
    }
}

static int parse_line(agent_config *c, const char *p, size_t n, unsigned line, rerr *e)
{
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    if (i == n || p[i] == '#')
        return 0;
    size_t k0 = i;
    while (i < n && ((p[i] >= 'a' && p[i] <= 'z') || p[i] == '_'))
        i++;
    size_t k1 = i;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    if (k1 == k0 || i == n || p[i] != '=')
        return fail(e, line, "not \"key = value\"");
    i++;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    size_t end = n;
    while (end > i && (p[end - 1] == ' ' || p[end - 1] == '\t'))
        end--;
    if (end == i)
        return fail(e, line, "an empty value");
    if (end - i > AGENT_VALUE_MAX)
        return fail(e, line, "a value too long");
    for (size_t j = i; j < end; j++)
        if ((unsigned char)p[j] < 0x20 || p[j] == 0x7f)
            return fail(e, line, "a control character");
    for (size_t r = 0; r < RAMPART_ARRAY_LEN(rows); r++)
        if (strlen(rows[r].name) == k1 - k0 && memcmp(rows[r].name, p + k0, k1 - k0) == 0)
            return set_value(c, &rows[r], p + i, end - i, line, e);
    return fail(e, line, "an unknown key");
}

int agent_config_parse(const uint8_t *data, size_t n, agent_config *c, rerr *e)
{
    memset(c, 0, sizeof(*c));
    c->keep = 3;
    c->hook_timeout_s = 60;
    c->poll_interval_s = 3600;
    c->jitter_s = 300;
    c->backoff_max_s = 6 * 3600;
    c->journal = 1;
    c->expiry_tolerance_s = 3600;
    if (n > AGENT_CONF_MAX)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "the configuration is larger than %d bytes", AGENT_CONF_MAX);
    if (memchr(data, '\0', n) != NULL)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "the configuration holds a NUL byte");
    const char *p = (const char *)data;
    unsigned line = 0;
    for (size_t off = 0; off < n;) {
        const char *nl = memchr(p + off, '\n', n - off);
        size_t len = nl != NULL ? (size_t)(nl - (p + off)) : n - off;
        line++;
        if (len > AGENT_LINE_MAX)
            return fail(e, line, "a line too long");
        int rc = parse_line(c, p + off, len, line, e);
        if (rc != 0)
            return rc;
        off += len + 1;
    }
    if (c->metadata_dir == NULL || c->nmurls == 0 || c->nturls == 0 || c->follow == NULL || c->install_dir == NULL ||
        c->state_dir == NULL || c->audit_dir == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL,
                        "the configuration needs metadata_dir, metadata_url, target_url, follow, install_dir, "
                        "state_dir and audit_dir");
    if (c->backoff_max_s < c->poll_interval_s)
        c->backoff_max_s = c->poll_interval_s;
    return 0;
}
