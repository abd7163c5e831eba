/* install.c - the public functions of rampart/install.h: verify, stage, switch, check, revert. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/hash.h"
#include "install/install_internal.h"
#include "rampart/install.h"
#include "util/fs.h"
#include "util/codec.h"
#include "util/jdoc.h"
#include "util/banned.h"

#define DEFAULT_KEEP 3
#define DEFAULT_MAX_BYTES ((uint64_t)1 << 30)
#define DEFAULT_MAX_ENTRIES 100000
#define DEFAULT_HOOK_TIMEOUT_MS 60000
#define DEFAULT_LOCK_TIMEOUT_MS 10000
#define COPY_CHUNK 65536
#define MAX_HASHES 8
#define MAX_HOOK_ARGS 64
#define CUSTOM_MAX 65536

typedef char version_buf[RINST_VERSION_MAX + 1];

struct rampart_installer {
    char *root;
    unsigned keep;
    int format;
    rinst_limits lim;
    bool allow_downgrade;
    char **hooks[3]; /* pre-install, post-install, health-check */
    unsigned hook_timeout_ms;
    unsigned lock_timeout_ms;
    rampart_log_fn log;
    void *log_ctx;
    rampart_error err;
};

enum { HOOK_PRE, HOOK_POST, HOOK_HEALTH };
static const char *const hook_names[] = {"pre-install", "post-install", "health-check"};

static void ilog(rampart_installer *in, int level, const char *fmt, ...) RAMPART_PRINTF(3, 4);
static void ilog(rampart_installer *in, int level, const char *fmt, ...)
{
    if (in->log == NULL)
        return;
    char raw[512], clean[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(raw, sizeof(raw), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    rampart_sanitize(clean, sizeof(clean), raw, strlen(raw));
    in->log(in->log_ctx, level, clean);
}

/* ---- options ----------------------------------------------------------------- */

static char *rampart_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = rampart_malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

static void free_argv(char **v)
{
    for (size_t i = 0; v != NULL && v[i] != NULL; i++)
        rampart_free(v[i]);
    rampart_free(v);
}

static int copy_argv(const char *const *src, char ***out, rerr *e)
{
    *out = NULL;
    if (src == NULL)
        return 0;
    size_t n = 0;
    while (n < MAX_HOOK_ARGS && src[n] != NULL)
        n++;
    if (n == 0 || n == MAX_HOOK_ARGS || src[0][0] == '\0')
        return rerr_set(e, RAMPART_EINVAL, NULL, "a hook needs a program and at most %d arguments", MAX_HOOK_ARGS - 1);
    char **v = rampart_calloc(n + 1, sizeof(*v));
    if (v == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n; i++)
        if ((v[i] = rampart_strdup(src[i])) == NULL) {
            free_argv(v);
            return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
        }
    *out = v;
    return 0;
}

int rampart_installer_new(rampart_installer **out, const rampart_install_options *o, rampart_error *err)
{
    if (out == NULL || o == NULL || o->version != RAMPART_INSTALL_OPTIONS_VERSION || o->root_dir == NULL ||
        o->root_dir[0] == '\0' || o->keep == 1 || o->format < RAMPART_INSTALL_AUTO || o->format > RAMPART_INSTALL_FILE)
        return rerr_set(err, RAMPART_EINVAL, NULL,
                        "installer options: a root folder, a known options version and format, keep 0 or >= 2");
    rampart_installer *in = rampart_calloc(1, sizeof(*in));
    if (in == NULL || (in->root = rampart_strdup(o->root_dir)) == NULL) {
        rampart_free(in);
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    }
    in->keep = o->keep ? o->keep : DEFAULT_KEEP;
    in->format = o->format;
    in->lim.max_total_bytes = o->max_total_bytes ? o->max_total_bytes : DEFAULT_MAX_BYTES;
    in->lim.max_entries = o->max_entries ? o->max_entries : DEFAULT_MAX_ENTRIES;
    in->lim.allow_setuid = o->allow_setuid != 0;
    in->allow_downgrade = o->allow_downgrade != 0;
    in->hook_timeout_ms = o->hook_timeout_ms ? o->hook_timeout_ms : DEFAULT_HOOK_TIMEOUT_MS;
    in->lock_timeout_ms = o->lock_timeout_ms ? o->lock_timeout_ms : DEFAULT_LOCK_TIMEOUT_MS;
    in->log = o->log;
    in->log_ctx = o->log_ctx;
    const char *const *src[3] = {o->pre_install, o->post_install, o->health_check};
    for (int i = 0; i < 3; i++) {
        int rc = copy_argv(src[i], &in->hooks[i], err);
        if (rc != 0) {
            rampart_installer_free(in);
            return rc;
        }
    }
    *out = in;
    return 0;
}

void rampart_installer_free(rampart_installer *in)
{
    if (in == NULL)
        return;
    for (int i = 0; i < 3; i++)
        free_argv(in->hooks[i]);
    rampart_free(in->root);
    rampart_free(in);
}

const rampart_error *rampart_installer_last_error(const rampart_installer *in)
{
    return in != NULL ? &in->err : NULL;
}

/* ---- the release: version and verified private copy -------------------------- */

/* The signed custom "version" of `t`, checked as a semantic version. */
static int target_version(const rampart_target *t, version_buf out, rerr *e)
{
    const char *custom = rampart_target_custom(t);
    if (custom == NULL)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "target '%s' has no signed custom \"version\"",
                        rampart_target_path(t));
    RAMPART_AUTO(jdoc_free) jdoc *d = NULL;
    jd_limits lim = {0};
    size_t len = strlen(custom);
    if (len > CUSTOM_MAX)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "target custom metadata too large");
    int rc = jdoc_parse(&d, (const uint8_t *)custom, len, false, &lim, e);
    if (rc != 0)
        return rc;
    jd_ref v = jdoc_get(d, jdoc_root(d), "version");
    if (v == JD_NONE || jdoc_type(d, v) != JD_STRING)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "target '%s' has no signed custom \"version\" string",
                        rampart_target_path(t));
    rslice s = jdoc_str(d, v);
    rc = rinst_semver_check((const char *)s.p, s.n, e);
    if (rc != 0)
        return rc;
    memcpy(out, s.p, s.n);
    out[s.n] = '\0';
    return 0;
}

typedef struct hashes {
    size_t n;
    rhash h[MAX_HASHES];
    rhash_alg alg[MAX_HASHES];
    const char *hex[MAX_HASHES];
} hashes;

static void hashes_free(hashes *hs)
{
    for (size_t i = 0; i < hs->n; i++)
        rhash_free(&hs->h[i]);
}

static int hashes_start(hashes *hs, const rampart_target *t, rerr *e)
{
    size_t n = rampart_target_hash_count(t);
    if (n == 0 || n > MAX_HASHES)
        return rerr_set(e, RAMPART_EMISMATCH, NULL, "target '%s' lists %zu hashes", rampart_target_path(t), n);
    for (size_t i = 0; i < n; i++) {
        const char *alg, *hex;
        if (rampart_target_hash(t, i, &alg, &hex) != 0)
            return rerr_set(e, RAMPART_EINTERNAL, NULL, "cannot read the target's hash %zu", i);
        hs->alg[i] = rhash_alg_from_name(alg, strlen(alg));
        hs->hex[i] = hex;
        if (hs->alg[i] == RHASH_UNKNOWN)
            return rerr_set(e, RAMPART_EUNSUPPORTED, NULL, "unsupported hash algorithm '%s'", alg);
        int rc = rhash_init(&hs->h[i], hs->alg[i]);
        if (rc != 0)
            return rerr_set(e, rc, NULL, "cannot start a %s hash", alg);
        hs->n = i + 1;
    }
    return 0;
}

static int hashes_check(hashes *hs, const char *path, rerr *e)
{
    for (size_t i = 0; i < hs->n; i++) {
        uint8_t got[RHASH_MAX_LEN];
        char hex[2 * RHASH_MAX_LEN + 1];
        if (rhash_final(&hs->h[i], got) != 0)
            return rerr_set(e, RAMPART_ECRYPTO, NULL, "hash failed");
        rhex_encode(hex, got, rhash_len(hs->alg[i]));
        if (strlen(hs->hex[i]) != strlen(hex) ||
            !rdigest_eq((const uint8_t *)hex, (const uint8_t *)hs->hex[i], strlen(hex)))
            return rerr_set(e, RAMPART_EMISMATCH, NULL, "'%s' does not match its trusted %s hash", path,
                            rhash_alg_name(hs->alg[i]));
    }
    return 0;
}

/* Copies the bytes of `src` into a new unnamed file of the root (O_TMPFILE,
 * 0600), hashing them; *out is that file only when the length and every
 * hash match the trusted target (S68: nothing is read by path again). */
static int private_copy(const rinst_root *r, const rampart_target *t, int src, int *out, rerr *e)
{
    hashes hs = {0};
    int rc = hashes_start(&hs, t, e);
    int fd = -1;
    if (rc == 0)
        rc = rinst_private_file(r, &fd, e);
    uint64_t want = rampart_target_length(t), have = 0;
    uint8_t *buf = rc != 0 ? NULL : rampart_malloc(COPY_CHUNK);
    if (rc == 0 && buf == NULL)
        rc = rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    while (rc == 0) {
        ssize_t n = pread(src, buf, COPY_CHUNK, (off_t)have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = rfs_fail_as(e, RAMPART_EIO, errno, "cannot read the release", NULL);
            break;
        }
        if (n == 0)
            break;
        if ((uint64_t)n > want - have) {
            rc = rerr_set(e, RAMPART_ETOOLARGE, NULL, "'%s' is longer than its trusted length %llu",
                          rampart_target_path(t), (unsigned long long)want);
            break;
        }
        for (size_t i = 0; rc == 0 && i < hs.n; i++)
            if (rhash_update(&hs.h[i], buf, (size_t)n) != 0)
                rc = rerr_set(e, RAMPART_ECRYPTO, NULL, "hash failed");
        if (rc == 0)
            rc = rfs_write_all(fd, buf, (size_t)n, e);
        have += (uint64_t)n;
    }
    if (rc == 0 && have != want)
        rc = rerr_set(e, RAMPART_EMISMATCH, NULL, "'%s' is %llu bytes, its trusted length is %llu",
                      rampart_target_path(t), (unsigned long long)have, (unsigned long long)want);
    if (rc == 0)
        rc = hashes_check(&hs, rampart_target_path(t), e);
    hashes_free(&hs);
    rampart_free(buf);
    if (rc != 0) {
        if (fd >= 0)
            close(fd);
        return rc;
    }
    *out = fd;
    return 0;
}

/* ---- staging ------------------------------------------------------------------ */

static bool is_archive_name(const char *path)
{
    static const char *const ends[] = {".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst"};
    size_t n = strlen(path);
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(ends); i++) {
        size_t m = strlen(ends[i]);
        if (n > m && strcmp(path + n - m, ends[i]) == 0)
            return true;
    }
    return false;
}

/* A single-file release: copied from `fd` as the target path's last component, mode 0755. */
static int stage_file(int fd, int dirfd, const rampart_target *t, rerr *e)
{
    const char *path = rampart_target_path(t);
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    if (rfs_confine_check(base, strlen(base), 1) != 0 || strncmp(base, RFS_TMP_PREFIX, strlen(RFS_TMP_PREFIX)) == 0)
        return rerr_set(e, RAMPART_EPATH, NULL, "target name '%s' is not a safe file name", path);
    rfs_tmp tmp = {0};
    int rc = rfs_tmp_open(&tmp, dirfd, 0755, e);
    uint8_t *buf = rc != 0 ? NULL : rampart_malloc(COPY_CHUNK);
    if (rc == 0 && buf == NULL)
        rc = rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    for (off_t off = 0; rc == 0;) {
        ssize_t n = pread(fd, buf, COPY_CHUNK, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = rfs_fail_as(e, RAMPART_EIO, errno, "cannot read the private copy", NULL);
        if (n <= 0)
            break;
        rc = rfs_tmp_write(&tmp, buf, (size_t)n, e);
        off += n;
    }
    rampart_free(buf);
    if (rc == 0)
        return rfs_tmp_commit(&tmp, base, e);
    rfs_tmp_discard(&tmp);
    return rc;
}

/* Extracts the private copy into a fresh staging folder, syncs it and
 * renames it to versions/<version>. */
static int stage(rampart_installer *in, const rinst_root *r, const rampart_target *t, int priv, const char *version,
                 rerr *e)
{
    char name[64];
    int rc = rinst_random_name(name, RINST_STAGING_PREFIX, e);
    if (rc != 0)
        return rc;
    if (rfs_mkdir(r->versions_fd, name, 0755, e) != 0)
        return rfs_fail_as(e, RAMPART_EIO, errno, "cannot create staging folder", name);
    int dfd = -1;
    rc = rfs_open_subdir(r->versions_fd, name, false, 0, &dfd, e);
    bool tar = in->format == RAMPART_INSTALL_TAR ||
               (in->format == RAMPART_INSTALL_AUTO && is_archive_name(rampart_target_path(t)));
    if (rc == 0)
        rc = tar ? rinst_extract_tar(priv, dfd, &in->lim, e) : stage_file(priv, dfd, t, e);
    RFS_CRASHPOINT("install: extracted, before sync");
    /* One syncfs(2) makes every extracted file and folder durable. */
    if (rc == 0)
        rc = rfs_sync_fs(dfd, e);
    if (dfd >= 0)
        close(dfd);
    RFS_CRASHPOINT("install: staged, before rename");
    if (rc == 0)
        rc = rfs_rename(r->versions_fd, name, r->versions_fd, version, e);
    if (rc == 0 && fsync(r->versions_fd) != 0)
        rc = rfs_fail_as(e, RAMPART_EIO, errno, "cannot fsync", RINST_VERSIONS);
    if (rc != 0) {
        rerr keep = e != NULL ? *e : (rerr){0};
        if (rinst_version_remove(r, name, NULL) != 0)
            ilog(in, RAMPART_LOG_WARN, "cannot remove staging folder %s; removed next time", name);
        if (e != NULL)
            *e = keep;
        return rc;
    }
    RFS_CRASHPOINT("install: version folder in place");
    return 0;
}

/* ---- hooks ------------------------------------------------------------------------ */

static int run_hook(rampart_installer *in, int which, const char *version, const char *previous, rerr *e)
{
    if (in->hooks[which] == NULL)
        return 0;
    char root[PATH_MAX], dir[PATH_MAX + RINST_VERSION_MAX + 16];
    if (realpath(in->root, root) == NULL)
        return rfs_fail_as(e, RAMPART_EIO, errno, "cannot resolve", in->root);
    char ev_hook[64], ev_ver[RINST_VERSION_MAX + 32], ev_dir[sizeof(dir) + 32], ev_prev[RINST_VERSION_MAX + 32];
    int n1 = snprintf(dir, sizeof(dir), "%s/" RINST_VERSIONS "/%s", root, version);
    int n2 = snprintf(ev_hook, sizeof(ev_hook), "RAMPART_HOOK=%s", hook_names[which]);
    int n3 = snprintf(ev_ver, sizeof(ev_ver), "RAMPART_VERSION=%s", version);
    int n4 = snprintf(ev_dir, sizeof(ev_dir), "RAMPART_INSTALL_DIR=%s", dir);
    int n5 = snprintf(ev_prev, sizeof(ev_prev), "RAMPART_PREVIOUS_VERSION=%s", previous != NULL ? previous : "");
    if (n1 < 0 || (size_t)n1 >= sizeof(dir) || n2 < 0 || n3 < 0 || n4 < 0 || (size_t)n4 >= sizeof(ev_dir) || n5 < 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "install folder path too long");
    const char *const env[] = {ev_hook, ev_ver, ev_dir, ev_prev, NULL};
    ilog(in, RAMPART_LOG_INFO, "running %s hook for %s", hook_names[which], version);
    return rinst_hook_run((const char *const *)in->hooks[which], env, dir, in->hook_timeout_ms,
                          which == HOOK_HEALTH ? RAMPART_EHEALTH : RAMPART_EHOOK, hook_names[which], e);
}

/* ---- the pending record and crash recovery ----------------------------------------- */

/* "pending" holds "<new> <old current> <old previous>" ("-" for none)
 * from before the switch until the new version passed its checks. */
typedef struct pending {
    version_buf next, cur, prev;
} pending;

static int pending_read(const rinst_root *r, pending *p, bool *present, rerr *e)
{
    char line[3 * sizeof(version_buf) + 8];
    int rc = rinst_record_get(r, RINST_PENDING, line, sizeof(line), present, e);
    if (rc != 0 || !*present)
        return rc;
    char *f[3] = {p->next, p->cur, p->prev};
    const char *s = line;
    for (int i = 0; i < 3; i++) {
        size_t n = strcspn(s, " ");
        bool none = n == 1 && s[0] == '-';
        if ((!none && rinst_semver_check(s, n, NULL) != 0) || (i == 0 && none) || (i < 2 && s[n] != ' ') ||
            (i == 2 && s[n] != '\0'))
            return rerr_set(e, RAMPART_EFORMAT, NULL, "record '" RINST_PENDING "' is damaged");
        memcpy(f[i], s, none ? 0 : n);
        f[i][none ? 0 : n] = '\0';
        s += n + (s[n] == ' ');
    }
    return 0;
}

static int pending_write(const rinst_root *r, const pending *p, rerr *e)
{
    char line[3 * sizeof(version_buf) + 8];
    int n = snprintf(line, sizeof(line), "%s %s %s\n", p->next, p->cur[0] ? p->cur : "-", p->prev[0] ? p->prev : "-");
    if (n < 0 || (size_t)n >= sizeof(line))
        return rerr_set(e, RAMPART_EINTERNAL, NULL, "pending record too long");
    return rinst_record_set(r, RINST_PENDING, line, e);
}

/* Puts current and previous back as `p` recorded them and removes the new version. */
static int revert(const rinst_root *r, const pending *p, rerr *e)
{
    int rc = rinst_link_set(r, RINST_CURRENT, p->cur[0] ? p->cur : NULL, e);
    RFS_CRASHPOINT("install: reverted current, before previous");
    if (rc == 0)
        rc = rinst_link_set(r, RINST_PREVIOUS, p->prev[0] ? p->prev : NULL, e);
    if (rc == 0 && strcmp(p->next, p->cur) != 0 && strcmp(p->next, p->prev) != 0)
        rc = rinst_version_remove(r, p->next, e);
    if (rc == 0)
        rc = rinst_record_set(r, RINST_PENDING, NULL, e);
    return rc;
}

/* Finishes or undoes what a crash interrupted (S68, crash safety): leftovers
 * go; a pending install (switched, not yet checked) is reverted; an active
 * version above the highest recorded one (a crash after the checks passed,
 * before the record) is recorded. */
static int recover(rampart_installer *in, const rinst_root *r, rerr *e)
{
    int rc = rinst_clean_leftovers(r, e);
    pending p;
    bool has = false, hh = false, hc = false;
    if (rc == 0)
        rc = pending_read(r, &p, &has, e);
    if (rc == 0 && has) {
        ilog(in, RAMPART_LOG_WARN, "reverting the interrupted install of %s", p.next);
        rc = revert(r, &p, e);
    }
    version_buf high = "", cur = "";
    if (rc == 0)
        rc = rinst_record_get(r, RINST_HIGHEST, high, sizeof(high), &hh, e);
    if (rc == 0 && hh && rinst_semver_check(high, strlen(high), NULL) != 0)
        rc = rerr_set(e, RAMPART_EFORMAT, NULL, "record '" RINST_HIGHEST "' is damaged");
    if (rc == 0)
        rc = rinst_link_get(r, RINST_CURRENT, cur, &hc, e);
    if (rc == 0 && hc && (!hh || rinst_semver_cmp(cur, high) > 0)) {
        ilog(in, RAMPART_LOG_INFO, "recording %s as the highest installed version", cur);
        char line[sizeof(cur) + 1];
        (void)snprintf(line, sizeof(line), "%s\n", cur); /* fits: cur is at most RINST_VERSION_MAX */
        rc = rinst_record_set(r, RINST_HIGHEST, line, e);
    }
    return rc;
}

/* ---- install -------------------------------------------------------------------- */

/* After the switch: the post-install hook and the health check; on failure
 * the previous state comes back and the hook's code is returned. */
static int check_new(rampart_installer *in, const rinst_root *r, const pending *p, rerr *e)
{
    int rc = run_hook(in, HOOK_POST, p->next, p->cur, e);
    if (rc == 0)
        rc = run_hook(in, HOOK_HEALTH, p->next, p->cur, e);
    if (rc == 0)
        return 0;
    rerr why = e != NULL ? *e : (rerr){0};
    rerr err2 = {0};
    int rrc = revert(r, p, &err2);
    if (rrc != 0)
        return rerr_set(e, rrc, NULL, "%s; reverting failed too: %s", why.message, err2.message);
    return rerr_set(e, rc, NULL, "%s; %s%s is active again", why.message, p->cur[0] ? "version " : "no version",
                    p->cur);
}

/* Switches to p->next with the pending record around it, then checks it. */
static int switch_to(rampart_installer *in, const rinst_root *r, const pending *p, rerr *e)
{
    int rc = run_hook(in, HOOK_PRE, p->next, p->cur, e);
    if (rc != 0) {
        rerr why = e != NULL ? *e : (rerr){0};
        if (rinst_version_remove(r, p->next, NULL) != 0)
            ilog(in, RAMPART_LOG_WARN, "cannot remove version folder %s", p->next);
        if (e != NULL)
            *e = why;
        return rc;
    }
    rc = pending_write(r, p, e);
    RFS_CRASHPOINT("install: pending recorded, before switch");
    if (rc == 0 && p->cur[0] != '\0')
        rc = rinst_link_set(r, RINST_PREVIOUS, p->cur, e);
    RFS_CRASHPOINT("install: previous set, before current");
    if (rc == 0)
        rc = rinst_link_set(r, RINST_CURRENT, p->next, e);
    RFS_CRASHPOINT("install: switched, before checks");
    if (rc == 0)
        rc = check_new(in, r, p, e);
    if (rc != 0)
        return rc;
    rc = rinst_record_set(r, RINST_PENDING, NULL, e);
    RFS_CRASHPOINT("install: checked, before highest");
    return rc;
}

/* Anti-rollback (S72): refuses a version below the highest installed. */
static int check_version(rampart_installer *in, const rinst_root *r, const char *version, rerr *e)
{
    version_buf high;
    bool hh = false;
    int rc = rinst_record_get(r, RINST_HIGHEST, high, sizeof(high), &hh, e);
    if (rc != 0 || !hh || rinst_semver_cmp(version, high) >= 0)
        return rc;
    if (in->allow_downgrade) {
        ilog(in, RAMPART_LOG_WARN, "installing %s below the highest installed %s, as allowed", version, high);
        return 0;
    }
    return rerr_set(e, RAMPART_EDOWNGRADE, NULL,
                    "version %s is below %s, the highest installed (a downgrade needs an explicit permission)", version,
                    high);
}

static int install_locked(rampart_installer *in, const rinst_root *r, const rampart_target *t, int fd, rerr *e)
{
    pending p = {.next = ""};
    bool hc = false, hp = false;
    int rc = target_version(t, p.next, e);
    if (rc == 0)
        rc = check_version(in, r, p.next, e);
    if (rc == 0)
        rc = rinst_link_get(r, RINST_CURRENT, p.cur, &hc, e);
    if (rc == 0)
        rc = rinst_link_get(r, RINST_PREVIOUS, p.prev, &hp, e);
    if (rc != 0)
        return rc;
    if (!hc)
        p.cur[0] = '\0';
    if (!hp)
        p.prev[0] = '\0';
    if (hc && strcmp(p.cur, p.next) == 0) {
        ilog(in, RAMPART_LOG_INFO, "version %s is already active", p.next);
        return 0;
    }
    int priv = -1;
    rc = private_copy(r, t, fd, &priv, e);
    if (rc == 0)
        rc = rinst_version_remove(r, p.next, e); /* an older copy of the same version (S68) */
    if (rc == 0)
        rc = stage(in, r, t, priv, p.next, e);
    if (priv >= 0)
        close(priv);
    if (rc == 0)
        rc = switch_to(in, r, &p, e);
    if (rc == 0) {
        char line[sizeof(p.next) + 1];
        (void)snprintf(line, sizeof(line), "%s\n", p.next); /* fits */
        version_buf high;
        bool hh = false;
        rc = rinst_record_get(r, RINST_HIGHEST, high, sizeof(high), &hh, e);
        if (rc == 0 && (!hh || rinst_semver_cmp(p.next, high) > 0))
            rc = rinst_record_set(r, RINST_HIGHEST, line, e);
    }
    if (rc == 0)
        rc = rinst_prune(r, in->keep, e);
    if (rc == 0)
        ilog(in, RAMPART_LOG_INFO, "installed %s", p.next);
    return rc;
}

int rampart_installer_install(rampart_installer *in, const rampart_target *t, int fd)
{
    if (in == NULL)
        return RAMPART_EINVAL;
    rerr *e = &in->err;
    rerr_clear(e);
    if (t == NULL || fd < 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "no target or descriptor given");
    rinst_root r;
    int rc = rinst_root_open(&r, in->root, in->lock_timeout_ms, e);
    if (rc != 0)
        return rc;
    rc = recover(in, &r, e);
    if (rc == 0)
        rc = install_locked(in, &r, t, fd, e);
    rinst_root_close(&r);
    return rc;
}

int rampart_installer_download_install(rampart_installer *in, rampart_client *c, const rampart_target *t)
{
    if (in == NULL)
        return RAMPART_EINVAL;
    rerr *e = &in->err;
    rerr_clear(e);
    if (c == NULL || t == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "no client or target given");
    rinst_root r;
    int rc = rinst_root_open(&r, in->root, in->lock_timeout_ms, e);
    if (rc != 0)
        return rc;
    rc = recover(in, &r, e);
    char name[64], dir[PATH_MAX];
    if (rc == 0)
        rc = rinst_random_name(name, RINST_STAGING_PREFIX, e);
    int n = rc != 0 ? 0 : snprintf(dir, sizeof(dir), "%s/" RINST_VERSIONS "/%s", in->root, name);
    if (rc == 0 && (n < 0 || (size_t)n >= sizeof(dir)))
        rc = rerr_set(e, RAMPART_EINVAL, NULL, "install folder path too long");
    /* A private folder (0700) below the locked root: only we write there. */
    if (rc == 0 && rfs_mkdir(r.versions_fd, name, 0700, e) != 0)
        rc = rfs_fail_as(e, RAMPART_EIO, errno, "cannot create download folder", name);
    char *path = NULL;
    if (rc == 0) {
        rc = rampart_client_download_target(c, t, dir, &path);
        if (rc != 0)
            *e = *rampart_client_last_error(c);
    }
    int fd = -1;
    if (rc == 0)
        rc = rfs_open_read(AT_FDCWD, path, &fd, e);
    rampart_string_free(path);
    if (rc == 0)
        rc = install_locked(in, &r, t, fd, e);
    if (fd >= 0)
        close(fd);
    rerr keep = *e;
    if (rinst_version_remove(&r, name, NULL) != 0)
        ilog(in, RAMPART_LOG_WARN, "cannot remove download folder %s; removed next time", name);
    *e = keep;
    rinst_root_close(&r);
    return rc;
}

/* ---- rollback and status ------------------------------------------------------------ */

int rampart_installer_rollback(rampart_installer *in)
{
    if (in == NULL)
        return RAMPART_EINVAL;
    rerr *e = &in->err;
    rerr_clear(e);
    rinst_root r;
    int rc = rinst_root_open(&r, in->root, in->lock_timeout_ms, e);
    if (rc != 0)
        return rc;
    version_buf cur = "", prev = "";
    bool hc = false, hp = false;
    struct stat st;
    rc = recover(in, &r, e);
    if (rc == 0)
        rc = rinst_link_get(&r, RINST_CURRENT, cur, &hc, e);
    if (rc == 0)
        rc = rinst_link_get(&r, RINST_PREVIOUS, prev, &hp, e);
    if (rc == 0 && (!hc || !hp || strcmp(cur, prev) == 0 ||
                    fstatat(r.versions_fd, prev, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode)))
        rc = rerr_set(e, RAMPART_ENOTFOUND, NULL, "no previous version to roll back to");
    if (rc == 0)
        rc = rinst_link_set(&r, RINST_CURRENT, prev, e);
    RFS_CRASHPOINT("rollback: switched, before previous");
    if (rc == 0)
        rc = rinst_link_set(&r, RINST_PREVIOUS, cur, e);
    if (rc == 0)
        ilog(in, RAMPART_LOG_INFO, "rolled back from %s to %s", cur, prev);
    rinst_root_close(&r);
    return rc;
}

int rampart_installer_current(rampart_installer *in, char **current_out, char **previous_out)
{
    if (in == NULL)
        return RAMPART_EINVAL;
    rerr *e = &in->err;
    rerr_clear(e);
    if (current_out == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "no output given");
    rinst_root r;
    int rc = rinst_root_open(&r, in->root, in->lock_timeout_ms, e);
    if (rc != 0)
        return rc;
    version_buf cur = "", prev = "";
    bool hc = false, hp = false;
    rc = recover(in, &r, e);
    if (rc == 0)
        rc = rinst_link_get(&r, RINST_CURRENT, cur, &hc, e);
    if (rc == 0)
        rc = rinst_link_get(&r, RINST_PREVIOUS, prev, &hp, e);
    rinst_root_close(&r);
    if (rc == 0 && !hc)
        rc = rerr_set(e, RAMPART_ENOTFOUND, NULL, "nothing is installed in '%s'", in->root);
    if (rc != 0)
        return rc;
    char *c = rampart_strdup(cur), *p = hp && strcmp(prev, cur) != 0 ? rampart_strdup(prev) : NULL;
    if (c == NULL || (hp && strcmp(prev, cur) != 0 && p == NULL)) {
        rampart_free(c);
        rampart_free(p);
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    *current_out = c;
    if (previous_out != NULL)
        *previous_out = p;
    else
        rampart_free(p);
    return 0;
}
