/* ctest_util.c - shared set-up for the client test programs (see ctest_util.h). */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "client/client_internal.h"
#include "crypto/hash.h"
#include "crypto/privkey.h"
#include "ctest_util.h"
#include "util/codec.h"
#include "util/json.h"
#include "util/banned.h"

#define DIE(...)                                                                                                       \
    do {                                                                                                               \
        fprintf(stderr, "ctest: " __VA_ARGS__);                                                                        \
        fputc('\n', stderr);                                                                                           \
        abort();                                                                                                       \
    } while (0)

static const char *const default_murls[] = {SIM_METADATA_URL};
static const char *const default_turls[] = {SIM_TARGETS_URL};

static long long ct_clock(void *ctx)
{
    return *(const long long *)ctx;
}

void ct_setup(ctest *t)
{
    memset(t, 0, sizeof(*t));
    t->s = sim_new();
    t->base = sim_mkdtemp();
    t->now = SIM_NOW;
    t->o = (rampart_client_options)RAMPART_CLIENT_OPTIONS_INIT;
    snprintf(t->mdir, sizeof(t->mdir), "%s/metadata", t->base);
    snprintf(t->tdir, sizeof(t->tdir), "%s/targets", t->base);
    if (mkdir(t->tdir, 0700) != 0)
        DIE("mkdir %s", t->tdir);
    ct_bootstrap(t, 1);
    ct_reopen(t);
}

void ct_teardown(ctest *t)
{
    rampart_client_free(t->c);
    t->c = NULL;
    sim_free(t->s);
    t->s = NULL;
    sim_rmtree(t->base);
    free(t->base);
    t->base = NULL;
}

void ct_reopen(ctest *t)
{
    rampart_client_free(t->c);
    t->c = NULL;
    rampart_client_options o = t->o;
    if (o.metadata_dir == NULL)
        o.metadata_dir = t->mdir;
    if (o.metadata_urls == NULL) {
        o.metadata_urls = default_murls;
        o.metadata_url_count = 1;
    }
    if (o.target_urls == NULL) {
        o.target_urls = default_turls;
        o.target_url_count = 1;
    }
    if (o.clock == NULL) {
        o.clock = ct_clock;
        o.clock_ctx = &t->now;
    }
    rampart_error err;
    if (rampart_client_new(&t->c, &o, &err) != 0)
        DIE("rampart_client_new: %s", err.message);
    rclient_set_transport(t->c, sim_transport(t->s));
}

void ct_bootstrap(ctest *t, int64_t version)
{
    size_t len;
    const uint8_t *b = sim_version_bytes(t->s, "root", version, &len);
    if (b == NULL)
        DIE("no root version %lld", (long long)version);
    rampart_error err;
    if (rampart_client_bootstrap(t->mdir, b, len, 1, &err) != 0)
        DIE("bootstrap: %s", err.message);
}

int ct_refresh(ctest *t)
{
    return rampart_client_refresh(t->c);
}

int ct_find(ctest *t, const char *path)
{
    rampart_target *tg = NULL;
    int rc = rampart_client_get_target_info(t->c, path, &tg);
    rampart_target_free(tg);
    return rc;
}

int ct_download(ctest *t, const char *path)
{
    rampart_target *tg = NULL;
    int rc = rampart_client_get_target_info(t->c, path, &tg);
    if (rc == 0)
        rc = rampart_client_download_target(t->c, tg, t->tdir, NULL);
    rampart_target_free(tg);
    return rc;
}

/* ---- views of the disk ------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names in `dir` (malloc'ed array of malloc'ed strings). */
static char **list_dir(const char *dir, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (d == NULL)
        return NULL;
    char **names = NULL;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        names = realloc(names, (*n + 1) * sizeof(char *));
        if (names == NULL || (names[*n] = strdup(de->d_name)) == NULL)
            DIE("out of memory");
        (*n)++;
    }
    closedir(d);
    if (*n > 1)
        qsort(names, *n, sizeof(char *), cmp_str);
    return names;
}

static void free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Appends the strings (a NULL-terminated list) to buf, truncating at cap. */
static void append(char *buf, size_t cap, ...)
{
    va_list ap;
    va_start(ap, cap);
    size_t used = strlen(buf);
    for (const char *p = va_arg(ap, const char *); p != NULL; p = va_arg(ap, const char *)) {
        size_t n = strlen(p);
        if (used + n >= cap)
            n = cap - 1 - used;
        memcpy(buf + used, p, n);
        used += n;
        buf[used] = '\0';
    }
    va_end(ap);
}

static int hexval(char c)
{
    return (c >= '0' && c <= '9') ? c - '0' : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

/* The role a metadata file name stands for: its stem, percent-decoded. */
static void role_of(const char *fname, char *out, size_t cap)
{
    size_t n = strlen(fname) - 5, o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        if (fname[i] == '%' && i + 2 < n + 1 && hexval(fname[i + 1]) >= 0 && hexval(fname[i + 2]) >= 0) {
            out[o++] = (char)(hexval(fname[i + 1]) << 4 | hexval(fname[i + 2]));
            i += 2;
        } else {
            out[o++] = fname[i];
        }
    }
    out[o] = '\0';
}

/* "=V", "=V#k" or "=?" for the bytes of a metadata file. */
static void version_label(sim *s, const char *role, const uint8_t *data, size_t len, char *out, size_t cap)
{
    size_t n = sim_has_role(s, role) ? sim_history_count(s, role) : 0;
    for (size_t i = 0; i < n; i++) {
        size_t hl;
        int64_t v;
        const uint8_t *h = sim_history_bytes(s, role, i, &hl, &v);
        if (hl != len || memcmp(h, data, len) != 0)
            continue;
        int same = 0;
        for (size_t k = 0; k < i; k++) {
            size_t kl;
            int64_t kv;
            (void)sim_history_bytes(s, role, k, &kl, &kv);
            if (kv == v)
                same++;
        }
        if (same > 0)
            snprintf(out, cap, "=%lld#%d", (long long)v, same + 1);
        else
            snprintf(out, cap, "=%lld", (long long)v);
        return;
    }
    snprintf(out, cap, "=?");
}

const char *ct_state(ctest *t)
{
    t->state[0] = '\0';
    size_t n;
    char **names = list_dir(t->mdir, &n);
    for (size_t i = 0; i < n; i++) {
        const char *nm = names[i];
        size_t l = strlen(nm);
        const char *sep = t->state[0] ? " " : "";
        if (strcmp(nm, RSTORE_LOCK_NAME) == 0)
            continue;
        if (l <= 5 || strcmp(nm + l - 5, ".json") != 0) {
            append(t->state, sizeof(t->state), sep, "+", nm, (char *)NULL);
            continue;
        }
        char role[1024], label[64], stem[1024];
        role_of(nm, role, sizeof(role));
        snprintf(stem, sizeof(stem), "%.*s", (int)(l - 5), nm);
        size_t len;
        uint8_t *data = sim_read_file(t->mdir, nm, &len);
        if (data == NULL)
            snprintf(label, sizeof(label), "=unreadable");
        else
            version_label(t->s, role, data, len, label, sizeof(label));
        free(data);
        append(t->state, sizeof(t->state), sep, stem, label, (char *)NULL);
    }
    free_list(names, n);
    return t->state;
}

static void tree_walk(ctest *t, const char *dir, const char *rel)
{
    size_t n;
    char **names = list_dir(dir, &n);
    for (size_t i = 0; i < n; i++) {
        char path[8192], sub[4096];
        if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= (int)sizeof(path) ||
            snprintf(sub, sizeof(sub) - 1, "%s%s", rel, names[i]) >= (int)sizeof(sub) - 1)
            DIE("path too long");
        struct stat sb;
        if (lstat(path, &sb) != 0)
            DIE("lstat %s", path);
        const char *mark = S_ISLNK(sb.st_mode) ? "@" : S_ISDIR(sb.st_mode) ? "/" : "";
        append(t->tree, sizeof(t->tree), t->tree[0] ? " " : "", sub, mark, (char *)NULL);
        if (S_ISDIR(sb.st_mode)) {
            size_t l = strlen(sub); /* room was kept for the '/' */
            sub[l] = '/';
            sub[l + 1] = '\0';
            tree_walk(t, path, sub);
        }
    }
    free_list(names, n);
}

const char *ct_tree(ctest *t, const char *dir)
{
    t->tree[0] = '\0';
    tree_walk(t, dir, "");
    return t->tree;
}

bool ct_file_is(const char *dir, const char *name, const void *data, size_t len)
{
    size_t n;
    uint8_t *got = sim_read_file(dir, name, &n);
    bool same = got != NULL && n == len && memcmp(got, data, len) == 0;
    free(got);
    return same;
}

bool ct_file_is_version(sim *s, const char *dir, const char *name, const char *role, int64_t version)
{
    size_t len;
    const uint8_t *b = sim_version_bytes(s, role, version, &len);
    return b != NULL && ct_file_is(dir, name, b, len);
}

void ct_sha256_hex(const void *data, size_t len, char out[65])
{
    uint8_t d[RHASH_MAX_LEN];
    if (rhash_digest(RHASH_SHA256, data, len, d) != 0)
        DIE("hash");
    rhex_encode(out, d, 32);
}

json_t *ct_metafile(sim *s, const char *role, int64_t version)
{
    size_t len;
    const uint8_t *b = sim_version_bytes(s, role, version, &len);
    if (b == NULL)
        DIE("no %s version %lld", role, (long long)version);
    char hex[65];
    ct_sha256_hex(b, len, hex);
    return json_pack("{s:I,s:I,s:{s:s}}", "version", (json_int_t)version, "length", (json_int_t)len, "hashes", "sha256",
                     hex);
}

void ct_target_req(char *out, size_t n, const char *path, const void *data, size_t len)
{
    char hex[65];
    ct_sha256_hex(data, len, hex);
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path) + 1 : 0;
    snprintf(out, n, "targets/%.*s%s.%s", dirlen, path, hex, path + dirlen);
}

/* ---- editing published documents -------------------------------------- */

json_t *ct_doc(sim *s, const char *role, int64_t version)
{
    size_t len;
    const uint8_t *b = sim_version_bytes(s, role, version, &len);
    if (b == NULL)
        DIE("no %s version %lld", role, (long long)version);
    json_error_t je;
    json_t *doc = json_loadb((const char *)b, len, 0, &je);
    if (doc == NULL)
        DIE("reload %s: %s", role, je.text);
    return doc;
}

static char *dump(json_t *doc)
{
    char *text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
    json_decref(doc);
    if (text == NULL)
        DIE("dump");
    return text;
}

void ct_serve_json(sim *s, const char *path, json_t *doc)
{
    char *text = dump(doc);
    sim_serve_bytes(s, path, text, strlen(text));
    free(text);
}

void ct_replace_json(sim *s, const char *role, json_t *doc)
{
    char *text = dump(doc);
    sim_replace_latest(s, role, text, strlen(text));
    free(text);
}

void ct_dup_sig(json_t *doc, const char *keyid)
{
    json_t *sigs = json_object_get(doc, "signatures");
    json_t *sig = json_deep_copy(json_array_get(sigs, 0));
    if (sig == NULL)
        DIE("no signature to copy");
    if (keyid != NULL)
        json_object_set_new(sig, "keyid", json_string(keyid));
    json_array_append_new(sigs, sig);
}

rprivkey *ct_rotate(sim *s, const char *role)
{
    json_t *entry = json_object_get(json_object_get(sim_signed(s, "root"), "roles"), role);
    json_t *ids = json_object_get(entry, "keyids");
    while (json_array_size(ids) > 0) {
        char *kid = strdup(json_string_value(json_array_get(ids, 0)));
        if (kid == NULL)
            DIE("out of memory");
        sim_remove_keyid(s, "root", role, kid);
        free(kid);
    }
    sim_clear_signers(s, role);
    return sim_add_key(s, "root", role);
}

void ct_set_version(sim *s, const char *role, int64_t version)
{
    json_object_set_new(sim_signed(s, role), "version", json_integer((json_int_t)version));
}

const char *ct_keyid_of(sim *s, const char *delegator, const char *role)
{
    json_t *d = sim_signed(s, delegator);
    if (strcmp(delegator, "root") == 0)
        return json_string_value(
            json_array_get(json_object_get(json_object_get(json_object_get(d, "roles"), role), "keyids"), 0));
    json_t *roles = json_object_get(json_object_get(d, "delegations"), "roles");
    size_t i;
    json_t *v;
    json_array_foreach(roles, i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "name")), role) == 0)
            return json_string_value(json_array_get(json_object_get(v, "keyids"), 0));
    }
    DIE("%s does not delegate %s", delegator, role);
}

/* Publishes `role` (signed by its first signer) with every "@NUL@" in its
 * strings standing for U+0000: signed over canonical bytes that hold a raw
 * NUL there (as securesystemslib's encode_canonical writes it) and served
 * with the "\u0000" escape (as python-tuf writes it).  jansson cannot
 * canonicalise a NUL itself, hence the stand-in. */
void ct_publish_with_nul(sim *s, const char *role)
{
    sim_publish(s, role); /* the version and the snapshot entry */
    json_t *sgn = sim_signed(s, role);
    rbuf canon, sig;
    rbuf_init(&canon, SIZE_MAX);
    rbuf_init(&sig, 4096);
    rerr e = {0};
    rprivkey *k = sim_signer(s, role, 0);
    if (rjson_canonical(sgn, &canon, &e) != 0)
        DIE("ct_publish_with_nul");
    /* "@NUL@" (5 bytes) becomes a NUL (1): in place. */
    size_t w0 = 0;
    for (size_t r = 0; r < canon.len;) {
        if (r + 5 <= canon.len && memcmp(canon.data + r, "@NUL@", 5) == 0) {
            canon.data[w0++] = 0;
            r += 5;
        } else {
            canon.data[w0++] = canon.data[r++];
        }
    }
    canon.len = w0;
    if (rprivkey_sign(k, canon.data, canon.len, &sig, &e) != 0)
        DIE("ct_publish_with_nul");
    char *hex = malloc(sig.len * 2 + 1);
    if (hex == NULL)
        DIE("ct_publish_with_nul");
    rhex_encode(hex, sig.data, sig.len);
    json_t *doc = json_pack("{s:[{s:s,s:s}],s:O}", "signatures", "keyid", sim_keyid(s, k), "sig", hex, "signed", sgn);
    char *text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
    if (text == NULL)
        DIE("ct_publish_with_nul");
    /* "@NUL@" (5 bytes) becomes "\u0000" (6): twice the room is plenty. */
    size_t len = strlen(text);
    char *out = malloc(len * 2 + 1);
    if (out == NULL)
        DIE("ct_publish_with_nul");
    size_t w = 0;
    for (size_t r = 0; r < len;) {
        if (strncmp(text + r, "@NUL@", 5) == 0) {
            memcpy(out + w, "\\u0000", 6);
            w += 6;
            r += 5;
        } else {
            out[w++] = text[r++];
        }
    }
    sim_replace_latest(s, role, out, w);
    free(out);
    free(text);
    json_decref(doc);
    free(hex);
    rbuf_free(&sig);
    rbuf_free(&canon);
}
