/* sim.c - the in-process TUF repository simulator (see sim.h). */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/hash.h"
#include "sim.h"
#include "util/codec.h"
#include "util/json.h"
#include "util/rtime.h"

#define DIE(...)                                                                                                       \
    do {                                                                                                               \
        fprintf(stderr, "sim: " __VA_ARGS__);                                                                          \
        fputc('\n', stderr);                                                                                           \
        abort();                                                                                                       \
    } while (0)

typedef struct skey {
    rprivkey *k;
    char keyid[65];
    json_t *tuf; /* {"keytype","scheme","keyval":{"public"}} */
} skey;

typedef struct sversion {
    int64_t version;
    uint8_t *bytes;
    size_t len;
} sversion;

typedef struct srole {
    char *name;
    char *delegator; /* "root" for top-level roles */
    json_t *sgn;
    size_t signers[64];
    size_t nsigners;
    bool published;
    sversion *hist;
    size_t nhist;
} srole;

typedef struct sfile {
    char *path;
    uint8_t *data;
    size_t len;
    char sha256[65];
    char sha512[129];
} sfile;

enum { FAULT_BYTES, FAULT_STATUS, FAULT_ENDLESS };
typedef struct sfault {
    char *path;
    int kind;
    int code;
    uint8_t *data;
    size_t len;
} sfault;

struct sim {
    skey *keys;
    size_t nkeys;
    srole *roles;
    size_t nroles;
    sfile *files;
    size_t nfiles;
    sfault *faults;
    size_t nfaults;
    bool meta_hashes;
    char *log;
    size_t loglen;
};

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL)
        DIE("out of memory");
    return q;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (d == NULL)
        DIE("out of memory");
    return d;
}

static srole *find_role(sim *s, const char *name)
{
    for (size_t i = 0; i < s->nroles; i++)
        if (strcmp(s->roles[i].name, name) == 0)
            return &s->roles[i];
    return NULL;
}

static srole *role(sim *s, const char *name)
{
    srole *r = find_role(s, name);
    if (r == NULL)
        DIE("no role %s", name);
    return r;
}

static bool is_targets_type(const srole *r)
{
    return strcmp(json_string_value(json_object_get(r->sgn, "_type")), "targets") == 0;
}

static void set_expires_json(json_t *sgn, int64_t t)
{
    char buf[RTIME_STR_LEN + 1];
    if (rtime_format(t, buf) != 0)
        DIE("bad time");
    json_object_set_new(sgn, "expires", json_string(buf));
}

static json_t *base_signed(const char *type)
{
    json_t *o = json_pack("{s:s,s:s,s:I}", "_type", type, "spec_version", "1.0.31", "version", (json_int_t)1);
    set_expires_json(o, SIM_NOW + 30 * SIM_DAY);
    return o;
}

static srole *add_role(sim *s, const char *name, const char *delegator, json_t *sgn)
{
    s->roles = xrealloc(s->roles, (s->nroles + 1) * sizeof(srole));
    srole *r = &s->roles[s->nroles++];
    memset(r, 0, sizeof(*r));
    r->name = xstrdup(name);
    r->delegator = xstrdup(delegator);
    r->sgn = sgn;
    return r;
}

static void add_signer_idx(srole *r, size_t idx)
{
    if (r->nsigners == sizeof(r->signers) / sizeof(r->signers[0]))
        DIE("too many signers for %s", r->name);
    r->signers[r->nsigners++] = idx;
}

/* The object holding "keys" and the role entry that authorises `name`. */
static json_t *auth_entry(sim *s, const char *delegator, const char *name, json_t **keys)
{
    json_t *d = role(s, delegator)->sgn;
    if (strcmp(delegator, "root") == 0) {
        *keys = json_object_get(d, "keys");
        return json_object_get(json_object_get(d, "roles"), name);
    }
    json_t *del = json_object_get(d, "delegations");
    *keys = json_object_get(del, "keys");
    json_t *roles = json_object_get(del, "roles");
    size_t i;
    json_t *v;
    json_array_foreach(roles, i, v) if (strcmp(json_string_value(json_object_get(v, "name")), name) == 0) return v;
    DIE("%s does not delegate %s", delegator, name);
}

/* Generates a key and records it; returns its index. */
static size_t new_key(sim *s, rkey_scheme scheme)
{
    s->keys = xrealloc(s->keys, (s->nkeys + 1) * sizeof(skey));
    skey *k = &s->keys[s->nkeys];
    rerr e = {0};
    if (rprivkey_generate(&k->k, scheme, 3072, &e) != 0)
        DIE("keygen: %s", e.message);
    rbuf pub;
    rbuf_init(&pub, 1 << 16);
    if (rprivkey_public_tuf(k->k, &pub, &e) != 0)
        DIE("public: %s", e.message);
    const char *kt = rkey_scheme_keytype(scheme), *sc = rkey_scheme_name(scheme);
    if (rkey_compute_keyid(rslice_cstr(kt), rslice_cstr(sc), rbuf_slice(&pub), k->keyid) != 0)
        DIE("keyid");
    k->tuf = json_pack("{s:s,s:s,s:{s:s}}", "keytype", kt, "scheme", sc, "keyval", "public", (const char *)pub.data);
    rbuf_free(&pub);
    return s->nkeys++;
}

rprivkey *sim_add_key_scheme(sim *s, const char *delegator, const char *name, rkey_scheme scheme)
{
    size_t idx = new_key(s, scheme);
    skey *k = &s->keys[idx];
    json_t *keys, *entry = auth_entry(s, delegator, name, &keys);
    json_object_set(keys, k->keyid, k->tuf);
    json_array_append_new(json_object_get(entry, "keyids"), json_string(k->keyid));
    srole *r = find_role(s, name);
    if (r != NULL)
        add_signer_idx(r, idx);
    return k->k;
}

rprivkey *sim_add_key(sim *s, const char *delegator, const char *name)
{
    return sim_add_key_scheme(s, delegator, name, RKEY_ED25519);
}

static size_t key_index(sim *s, const rprivkey *k)
{
    for (size_t i = 0; i < s->nkeys; i++)
        if (s->keys[i].k == k)
            return i;
    DIE("unknown key");
}

const char *sim_keyid(sim *s, const rprivkey *k)
{
    return s->keys[key_index(s, k)].keyid;
}

void sim_add_signer(sim *s, const char *name, rprivkey *k)
{
    add_signer_idx(role(s, name), key_index(s, k));
}

void sim_clear_signers(sim *s, const char *name)
{
    role(s, name)->nsigners = 0;
}

void sim_remove_keyid(sim *s, const char *delegator, const char *name, const char *keyid)
{
    json_t *keys, *entry = auth_entry(s, delegator, name, &keys);
    json_t *ids = json_object_get(entry, "keyids");
    for (size_t i = 0; i < json_array_size(ids); i++)
        if (strcmp(json_string_value(json_array_get(ids, i)), keyid) == 0)
            json_array_remove(ids, i--);
}

void sim_set_threshold(sim *s, const char *delegator, const char *name, int64_t threshold)
{
    json_t *keys, *entry = auth_entry(s, delegator, name, &keys);
    json_object_set_new(entry, "threshold", json_integer(threshold));
}

json_t *sim_signed(sim *s, const char *name)
{
    return role(s, name)->sgn;
}

void sim_set_expires(sim *s, const char *name, int64_t t)
{
    set_expires_json(role(s, name)->sgn, t);
}

void sim_set_meta_hashes(sim *s, bool on)
{
    s->meta_hashes = on;
}

static void sha256_hex(const void *p, size_t n, char out[65])
{
    uint8_t d[RHASH_MAX_LEN];
    if (rhash_digest(RHASH_SHA256, p, n, d) != 0)
        DIE("hash");
    rhex_encode(out, d, 32);
}

void sim_add_target(sim *s, const char *name, const char *path, const void *data, size_t len)
{
    s->files = xrealloc(s->files, (s->nfiles + 1) * sizeof(sfile));
    sfile *f = &s->files[s->nfiles++];
    f->path = xstrdup(path);
    f->data = xrealloc(NULL, len);
    memcpy(f->data, data, len);
    f->len = len;
    sha256_hex(data, len, f->sha256);
    uint8_t d[RHASH_MAX_LEN];
    if (rhash_digest(RHASH_SHA512, data, len, d) != 0)
        DIE("hash");
    rhex_encode(f->sha512, d, 64);
    json_t *t = json_pack("{s:I,s:{s:s}}", "length", (json_int_t)len, "hashes", "sha256", f->sha256);
    json_object_set_new(json_object_get(role(s, name)->sgn, "targets"), path, t);
}

void sim_delegate(sim *s, const char *delegator, const char *name, const char *const *paths, bool terminating)
{
    json_t *d = role(s, delegator)->sgn;
    json_t *del = json_object_get(d, "delegations");
    if (del == NULL) {
        del = json_pack("{s:{},s:[]}", "keys", "roles");
        json_object_set_new(d, "delegations", del);
    }
    json_t *entry =
        json_pack("{s:s,s:[],s:I,s:b}", "name", name, "keyids", "threshold", (json_int_t)1, "terminating", terminating);
    if (paths != NULL) {
        json_t *arr = json_array();
        for (size_t i = 0; paths[i] != NULL; i++)
            json_array_append_new(arr, json_string(paths[i]));
        json_object_set_new(entry, "paths", arr);
    }
    json_array_append_new(json_object_get(del, "roles"), entry);
    if (find_role(s, name) == NULL) {
        json_t *sgn = base_signed("targets");
        json_object_set_new(sgn, "targets", json_object());
        add_role(s, name, delegator, sgn);
    }
    sim_add_key(s, delegator, name);
}

static json_t *metafile(sim *s, int64_t version, const uint8_t *bytes, size_t len)
{
    json_t *m = json_pack("{s:I}", "version", (json_int_t)version);
    if (s->meta_hashes) {
        char hex[65];
        sha256_hex(bytes, len, hex);
        json_object_set_new(m, "length", json_integer((json_int_t)len));
        json_object_set_new(m, "hashes", json_pack("{s:s}", "sha256", hex));
    }
    return m;
}

void sim_publish(sim *s, const char *name)
{
    srole *r = role(s, name);
    json_t *v = json_object_get(r->sgn, "version");
    if (r->published)
        json_object_set_new(r->sgn, "version", json_integer(json_integer_value(v) + 1));
    r->published = true;
    int64_t version = json_integer_value(json_object_get(r->sgn, "version"));
    rbuf canon;
    rbuf_init(&canon, SIZE_MAX);
    rerr e = {0};
    if (rjson_canonical(r->sgn, &canon, &e) != 0)
        DIE("canonical: %s", e.message);
    json_t *sigs = json_array();
    for (size_t i = 0; i < r->nsigners; i++) {
        skey *k = &s->keys[r->signers[i]];
        rbuf sig;
        rbuf_init(&sig, 4096);
        if (rprivkey_sign(k->k, canon.data, canon.len, &sig, &e) != 0)
            DIE("sign: %s", e.message);
        char *hex = xrealloc(NULL, sig.len * 2 + 1);
        rhex_encode(hex, sig.data, sig.len);
        json_array_append_new(sigs, json_pack("{s:s,s:s}", "keyid", k->keyid, "sig", hex));
        free(hex);
        rbuf_free(&sig);
    }
    rbuf_free(&canon);
    json_t *doc = json_pack("{s:o,s:O}", "signatures", sigs, "signed", r->sgn);
    char *text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
    json_decref(doc);
    if (text == NULL)
        DIE("dump");
    r->hist = xrealloc(r->hist, (r->nhist + 1) * sizeof(sversion));
    r->hist[r->nhist++] = (sversion){version, (uint8_t *)text, strlen(text)};
    char fname[1024];
    snprintf(fname, sizeof(fname), "%s.json", name);
    if (is_targets_type(r))
        json_object_set_new(json_object_get(role(s, "snapshot")->sgn, "meta"), fname,
                            metafile(s, version, (uint8_t *)text, strlen(text)));
    if (strcmp(name, "snapshot") == 0)
        json_object_set_new(json_object_get(role(s, "timestamp")->sgn, "meta"), "snapshot.json",
                            metafile(s, version, (uint8_t *)text, strlen(text)));
}

void sim_update(sim *s, const char *name)
{
    if (name != NULL)
        sim_publish(s, name);
    sim_publish(s, "snapshot");
    sim_publish(s, "timestamp");
}

const uint8_t *sim_version_bytes(sim *s, const char *name, int64_t version, size_t *len)
{
    srole *r = find_role(s, name);
    for (size_t i = 0; r != NULL && i < r->nhist; i++) {
        if (r->hist[i].version == version) {
            *len = r->hist[i].len;
            return r->hist[i].bytes;
        }
    }
    return NULL;
}

int64_t sim_version(sim *s, const char *name)
{
    return json_integer_value(json_object_get(role(s, name)->sgn, "version"));
}

void sim_replace_latest(sim *s, const char *name, const void *data, size_t len)
{
    srole *r = role(s, name);
    if (r->nhist == 0)
        DIE("nothing published for %s", name);
    sversion *v = &r->hist[r->nhist - 1];
    free(v->bytes);
    v->bytes = xrealloc(NULL, len);
    memcpy(v->bytes, data, len);
    v->len = len;
}

sim *sim_new(void)
{
    sim *s = calloc(1, sizeof(*s));
    if (s == NULL)
        DIE("out of memory");
    json_t *root = base_signed("root");
    json_object_set_new(root, "consistent_snapshot", json_true());
    json_object_set_new(root, "keys", json_object());
    json_t *roles = json_object();
    const char *top[] = {"root", "timestamp", "snapshot", "targets"};
    for (int i = 0; i < 4; i++)
        json_object_set_new(roles, top[i], json_pack("{s:[],s:I}", "keyids", "threshold", (json_int_t)1));
    json_object_set_new(root, "roles", roles);
    add_role(s, "root", "root", root);
    json_t *ts = base_signed("timestamp");
    json_object_set_new(ts, "meta", json_object());
    add_role(s, "timestamp", "root", ts);
    json_t *sn = base_signed("snapshot");
    json_object_set_new(sn, "meta", json_object());
    add_role(s, "snapshot", "root", sn);
    json_t *tg = base_signed("targets");
    json_object_set_new(tg, "targets", json_object());
    add_role(s, "targets", "root", tg);
    for (int i = 0; i < 4; i++)
        sim_add_key(s, "root", top[i]);
    sim_publish(s, "targets");
    sim_publish(s, "snapshot");
    sim_publish(s, "timestamp");
    sim_publish(s, "root");
    return s;
}

void sim_clear_faults(sim *s)
{
    for (size_t i = 0; i < s->nfaults; i++) {
        free(s->faults[i].path);
        free(s->faults[i].data);
    }
    free(s->faults);
    s->faults = NULL;
    s->nfaults = 0;
}

void sim_free(sim *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->nkeys; i++) {
        rprivkey_free(s->keys[i].k);
        json_decref(s->keys[i].tuf);
    }
    for (size_t i = 0; i < s->nroles; i++) {
        srole *r = &s->roles[i];
        free(r->name);
        free(r->delegator);
        json_decref(r->sgn);
        for (size_t j = 0; j < r->nhist; j++)
            free(r->hist[j].bytes);
        free(r->hist);
    }
    for (size_t i = 0; i < s->nfiles; i++) {
        free(s->files[i].path);
        free(s->files[i].data);
    }
    sim_clear_faults(s);
    free(s->keys);
    free(s->roles);
    free(s->files);
    free(s->log);
    free(s);
}

static sfault *add_fault(sim *s, const char *path, int kind)
{
    s->faults = xrealloc(s->faults, (s->nfaults + 1) * sizeof(sfault));
    sfault *f = &s->faults[s->nfaults++];
    memset(f, 0, sizeof(*f));
    f->path = xstrdup(path);
    f->kind = kind;
    return f;
}

void sim_serve_bytes(sim *s, const char *path, const void *data, size_t len)
{
    sfault *f = add_fault(s, path, FAULT_BYTES);
    f->data = xrealloc(NULL, len);
    memcpy(f->data, data, len);
    f->len = len;
}

void sim_serve_status(sim *s, const char *path, int code)
{
    add_fault(s, path, FAULT_STATUS)->code = code;
}

void sim_serve_endless(sim *s, const char *path)
{
    add_fault(s, path, FAULT_ENDLESS);
}

const char *sim_requests(sim *s)
{
    return s->log ? s->log : "";
}

void sim_reset_requests(sim *s)
{
    free(s->log);
    s->log = NULL;
    s->loglen = 0;
}

static void log_request(sim *s, const char *path)
{
    size_t n = strlen(path);
    s->log = xrealloc(s->log, s->loglen + n + 2);
    memcpy(s->log + s->loglen, path, n);
    s->log[s->loglen + n] = '\n';
    s->log[s->loglen + n + 1] = '\0';
    s->loglen += n + 1;
}

static int hexval(char c)
{
    return (c >= '0' && c <= '9')   ? c - '0'
           : (c >= 'a' && c <= 'f') ? c - 'a' + 10
           : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                    : -1;
}

static char *pct_decode(const char *in)
{
    char *out = xrealloc(NULL, strlen(in) + 1), *o = out;
    for (const char *p = in; *p; p++) {
        if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
            *o++ = (char)(hexval(p[1]) << 4 | hexval(p[2]));
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

/* Resolves a request path to bytes; returns 0 or RAMPART_ENOTFOUND. */
static int lookup(sim *s, const char *path, const uint8_t **data, size_t *len)
{
    if (strncmp(path, "metadata/", 9) == 0) {
        const char *file = path + 9;
        size_t n = strlen(file);
        if (n < 6 || strcmp(file + n - 5, ".json") != 0)
            return RAMPART_ENOTFOUND;
        char *stem = xrealloc(NULL, n - 4);
        memcpy(stem, file, n - 5);
        stem[n - 5] = '\0';
        char *dot = strchr(stem, '.'), *end = NULL;
        long long version = dot ? strtoll(stem, &end, 10) : 0;
        const char *rname = (dot && end == dot && version > 0) ? dot + 1 : stem;
        char *decoded = pct_decode(rname);
        srole *r = find_role(s, decoded);
        free(decoded);
        int rc = RAMPART_ENOTFOUND;
        if (r != NULL && r->nhist > 0) {
            if (rname == stem) { /* unversioned: the newest */
                *data = r->hist[r->nhist - 1].bytes;
                *len = r->hist[r->nhist - 1].len;
                rc = 0;
            } else {
                for (size_t i = 0; i < r->nhist; i++) {
                    if (r->hist[i].version == version) {
                        *data = r->hist[i].bytes;
                        *len = r->hist[i].len;
                        rc = 0;
                    }
                }
            }
        }
        free(stem);
        return rc;
    }
    if (strncmp(path, "targets/", 8) == 0) {
        char *want = pct_decode(path + 8);
        char *slash = strrchr(want, '/');
        char *basepart = slash ? slash + 1 : want;
        char *dot = strchr(basepart, '.');
        size_t plen = dot ? (size_t)(dot - basepart) : 0;
        /* Newest first, so a target added again with other contents wins. */
        for (size_t i = s->nfiles; i-- > 0;) {
            sfile *f = &s->files[i];
            if (strcmp(f->path, want) == 0) { /* non-consistent name */
                *data = f->data;
                *len = f->len;
                free(want);
                return 0;
            }
            bool hit = (plen == 64 && strncmp(basepart, f->sha256, 64) == 0) ||
                       (plen == 128 && strncmp(basepart, f->sha512, 128) == 0);
            if (hit) {
                /* consistent name: the path with the hash prefix removed */
                char plain[4096];
                snprintf(plain, sizeof(plain), "%.*s%s", (int)(basepart - want), want, dot + 1);
                if (strcmp(plain, f->path) == 0) {
                    *data = f->data;
                    *len = f->len;
                    free(want);
                    return 0;
                }
            }
        }
        free(want);
    }
    return RAMPART_ENOTFOUND;
}

typedef struct sim_tp {
    rtransport base;
    sim *s;
} sim_tp;

static int deliver(const rsink *sink, const uint8_t *data, size_t len, uint64_t max)
{
    size_t n = len > max ? (size_t)max : len;
    for (size_t off = 0; off < n;) {
        size_t chunk = n - off > 16384 ? 16384 : n - off;
        int rc = sink->write(sink->ctx, data + off, chunk);
        if (rc != 0)
            return rc;
        off += chunk;
    }
    return len > max ? RAMPART_ETOOLARGE : 0;
}

static int sim_get(rtransport *base, const char *url, uint64_t max, const rsink *sink, rerr *e)
{
    sim *s = ((sim_tp *)base)->s;
    const char *path;
    char logged[8192];
    if (strncmp(url, SIM_METADATA_URL, strlen(SIM_METADATA_URL)) == 0)
        path = url + strlen("https://repo.sim.test/");
    else if (strncmp(url, SIM_TARGETS_URL, strlen(SIM_TARGETS_URL)) == 0)
        path = url + strlen("https://repo.sim.test/");
    else if (strncmp(url, SIM_MIRROR2_METADATA_URL, strlen(SIM_MIRROR2_METADATA_URL)) == 0 ||
             strncmp(url, SIM_MIRROR2_TARGETS_URL, strlen(SIM_MIRROR2_TARGETS_URL)) == 0)
        path = url + strlen("https://mirror2.sim.test/");
    else
        return rerr_set(e, RAMPART_ENET, NULL, "sim: unknown host in %s", url);
    /* Requests to the second host are logged, and their faults keyed, with its prefix. */
    snprintf(logged, sizeof(logged), "%s%s", strncmp(url, "https://mirror2.", 16) == 0 ? SIM_MIRROR2_PREFIX : "", path);
    log_request(s, logged);
    for (size_t i = s->nfaults; i-- > 0;) {
        sfault *f = &s->faults[i];
        if (strcmp(f->path, logged) != 0)
            continue;
        if (f->kind == FAULT_STATUS)
            return rerr_set(e, f->code, NULL, "sim: %s: injected %s", path, rampart_error_name(f->code));
        if (f->kind == FAULT_BYTES) {
            int rc = deliver(sink, f->data, f->len, max);
            return rc == RAMPART_ETOOLARGE ? rerr_set(e, rc, NULL, "sim: %s: over the cap", path) : rc;
        }
        uint8_t junk[4096];
        memset(junk, 'x', sizeof(junk));
        for (uint64_t sent = 0; sent < max;) {
            size_t chunk = max - sent > sizeof(junk) ? sizeof(junk) : (size_t)(max - sent);
            int rc = sink->write(sink->ctx, junk, chunk);
            if (rc != 0)
                return rc;
            sent += chunk;
        }
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "sim: %s: endless data cut at %llu bytes", path,
                        (unsigned long long)max);
    }
    const uint8_t *data;
    size_t len;
    if (lookup(s, path, &data, &len) != 0)
        return rerr_set(e, RAMPART_ENOTFOUND, NULL, "sim: %s: HTTP 404", path);
    int rc = deliver(sink, data, len, max);
    return rc == RAMPART_ETOOLARGE ? rerr_set(e, rc, NULL, "sim: %s: over the cap", path) : rc;
}

static void sim_tp_free(rtransport *base)
{
    free(base);
}

rtransport *sim_transport(sim *s)
{
    sim_tp *tp = calloc(1, sizeof(*tp));
    if (tp == NULL)
        DIE("out of memory");
    tp->base.get = sim_get;
    tp->base.free = sim_tp_free;
    tp->s = s;
    return &tp->base;
}

char *sim_mkdtemp(void)
{
    const char *tmp = getenv("TMPDIR");
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s/rampart-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(buf) == NULL)
        DIE("mkdtemp");
    return xstrdup(buf);
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

void sim_rmtree(const char *path)
{
    if (path != NULL)
        nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

uint8_t *sim_read_file(const char *dir, const char *name, size_t *len)
{
    char p[4096];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = xrealloc(NULL, cap + 1);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap + 1);
        }
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

void sim_write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char p[4096];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        DIE("cannot write %s", p);
}

void sim_set_target_data(sim *s, const char *path, const void *data, size_t len)
{
    for (size_t i = s->nfiles; i-- > 0;) {
        sfile *f = &s->files[i];
        if (strcmp(f->path, path) == 0) {
            free(f->data);
            f->data = xrealloc(NULL, len);
            memcpy(f->data, data, len);
            f->len = len;
            return;
        }
    }
    DIE("no target %s", path);
}

size_t sim_history_count(sim *s, const char *name)
{
    srole *r = find_role(s, name);
    return r ? r->nhist : 0;
}

const uint8_t *sim_history_bytes(sim *s, const char *name, size_t i, size_t *len, int64_t *version)
{
    srole *r = find_role(s, name);
    if (r == NULL || i >= r->nhist)
        return NULL;
    *len = r->hist[i].len;
    if (version != NULL)
        *version = r->hist[i].version;
    return r->hist[i].bytes;
}

bool sim_has_role(sim *s, const char *name)
{
    return find_role(s, name) != NULL;
}

rprivkey *sim_delegate_succinct(sim *s, const char *delegator, const char *prefix, unsigned bit_length)
{
    if (bit_length < 1 || bit_length > 8)
        DIE("sim supports bit_length 1..8");
    size_t idx = new_key(s, RKEY_ED25519);
    skey *k = &s->keys[idx];
    json_t *d = role(s, delegator)->sgn;
    json_t *keys = json_object();
    json_object_set(keys, k->keyid, k->tuf);
    json_t *sr = json_pack("{s:[s],s:I,s:I,s:s}", "keyids", k->keyid, "threshold", (json_int_t)1, "bit_length",
                           (json_int_t)bit_length, "name_prefix", prefix);
    json_object_set_new(d, "delegations", json_pack("{s:o,s:o}", "keys", keys, "succinct_roles", sr));
    for (unsigned i = 0; i < (1u << bit_length); i++) {
        char name[512];
        snprintf(name, sizeof(name), "%s-%0*x", prefix, (int)((bit_length + 3) / 4), i);
        if (find_role(s, name) != NULL)
            DIE("role %s exists", name);
        json_t *sgn = base_signed("targets");
        json_object_set_new(sgn, "targets", json_object());
        add_signer_idx(add_role(s, name, delegator, sgn), idx);
    }
    return k->k;
}

void sim_succinct_bin(const char *prefix, unsigned bit_length, const char *path, char *out, size_t n)
{
    uint8_t d[RHASH_MAX_LEN];
    if (rhash_digest(RHASH_SHA256, path, strlen(path), d) != 0)
        DIE("hash");
    /* TAP 15: the first bit_length bits of the path's SHA-256 (bit_length <= 8 here). */
    unsigned bin = (unsigned)d[0] >> (8 - bit_length);
    snprintf(out, n, "%s-%0*x", prefix, (int)((bit_length + 3) / 4), bin);
}

rprivkey *sim_signer(sim *s, const char *name, size_t i)
{
    srole *r = role(s, name);
    if (i >= r->nsigners)
        DIE("%s has no signer %zu", name, i);
    return s->keys[r->signers[i]].k;
}
