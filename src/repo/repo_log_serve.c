/* repo_log_serve.c - the log as served: public/log/ (tiles, then the
 * cosigned checkpoint) and the tlog-proof file beside each logged target.
 * See repo_log.h and docs/transparency.md ("Publishing format"). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "repo/repo_log.h"
#include "tlog/endpoint.h"
#include "util/fs.h"
#include "util/banned.h"

#define PROOF_SUFFIX ".tlog-proof"

typedef struct copier {
    rampart_repo *r;
    int src, dst;
    size_t copied;
} copier;

static int copy_tile(void *ctx, const tlog_tile *t)
{
    copier *c = ctx;
    char path[TLOG_TILE_PATH_MAX];
    if (tlog_tile_path(t, path) != 0)
        return rrepo_fail(c->r, RAMPART_EINTERNAL, NULL, "bad tile");
    rbuf b;
    rbuf_init(&b, (size_t)TLOG_TILE_WIDTH * (TLOG_ENTRY_MAX + 2));
    int parent = -1;
    const char *base = NULL;
    int rc = rfs_read_file(c->src, path, &b, &c->r->err);
    if (rc == RAMPART_ENOTFOUND)
        rc = rrepo_fail(c->r, RAMPART_EFORMAT, NULL, "log/%s is missing", path);
    if (rc == 0)
        rc = rfs_open_parent(c->dst, path, true, &parent, &base, &c->r->err);
    if (rc == 0)
        rc = rfs_write_nosync(parent, base, b.data, b.len, 0644, &c->r->err);
    if (rc == 0)
        c->copied++;
    if (parent >= 0)
        close(parent);
    rbuf_free(&b);
    return rc;
}

/* The size of the checkpoint served now (0 when none or unreadable). */
static uint64_t served_size(int pubfd)
{
    rbuf b;
    rbuf_init(&b, TLOG_NOTE_MAX);
    tlog_note *nt = NULL;
    tlog_checkpoint cp = {0};
    if (rfs_read_file(pubfd, RLOG_CHECKPOINT, &b, NULL) != 0 || tlog_note_parse(&nt, b.data, b.len, NULL) != 0 ||
        tlog_checkpoint_parse(nt->data, nt->text_len, &cp, NULL) != 0)
        cp.size = 0;
    tlog_note_free(nt);
    rbuf_free(&b);
    return cp.size;
}

/* public/targets/<dir>/<name>.tlog-proof, or "" when it does not fit. */
static bool proof_name(const char *name, char fname[300])
{
    int n = snprintf(fname, 300, "%s" PROOF_SUFFIX, name);
    return n > 0 && n <= 255;
}

/* Writes `proof` as public/targets/<dir>/<name>.tlog-proof. */
static int put_proof(rampart_repo *r, int parent, const char *name, const rbuf *proof)
{
    char fname[300];
    if (!proof_name(name, fname))
        return rrepo_fail(r, RAMPART_EPATH, NULL, "target file name too long for its proof: %s", name);
    return rfs_write_nosync(parent, fname, proof->data, proof->len, 0644, &r->err);
}

/* What a proof is written against: the served (cosigned) checkpoint and
 * the nodes of its tree. */
typedef struct proof_src {
    tlog_node_fn fn;
    void *ctx;
    const tlog_checkpoint *cp;
    const rbuf *note;
} proof_src;

/* The proof files of target `path` (metadata `t`) of `role`, logged at
 * `index`: the inclusion proof, checked against the checkpoint's root with
 * the target's entry before anything is written (a proof file never
 * carries a proof that does not verify); all of them, or with
 * `missing_only` those not there.  *written counts the files. */
static int proofs_of(rampart_repo *r, const proof_src *src, const char *role, const char *path, const json_t *t,
                     uint64_t index, bool missing_only, size_t *written)
{
    tlog_proof p;
    rbuf b, entry;
    rbuf_init(&b, (size_t)2 * TLOG_NOTE_MAX);
    rbuf_init(&entry, TLOG_ENTRY_MAX);
    int parent = -1;
    const char *base = NULL;
    json_int_t ver =
        json_integer_value(json_object_get(json_object_get(json_object_get(t, "custom"), RLOG_TYPE_KEY), "version"));
    int rc = tlog_inclusion_proof(src->fn, src->ctx, index, src->cp->size, &p, &r->err);
    if (rc == 0)
        rc = rrepo_log_entry_of(r, role, path, t, ver, &entry);
    if (rc == 0 && tlog_check_inclusion(src->cp, entry.data, entry.len, index, &p, NULL, NULL, &r->err) != 0)
        rc = rrepo_fail(r, RAMPART_EFORMAT, role,
                        "the log's tiles do not prove the entry of target '%s' at index %llu: log/ is damaged", path,
                        (unsigned long long)index);
    if (rc == 0)
        rc = tlog_proof_file_format(index, &p, src->note->data, src->note->len, &b, &r->err);
    if (rc == 0)
        rc = rfs_open_parent(r->fds[RDIR_TARGETS], path, true, &parent, &base, &r->err);
    /* Publishing format: <path>.tlog-proof, and beside each consistent-
     * snapshot name <hash>.<name>.tlog-proof. */
    char fname[300];
    if (rc == 0 && !(missing_only && proof_name(base, fname) && rfs_exists_at(parent, fname))) {
        rc = put_proof(r, parent, base, &b);
        *written += rc == 0;
    }
    const char *alg;
    json_t *h;
    json_t *hashes = rc == 0 ? json_object_get((json_t *)t, "hashes") : NULL; /* base is set when rc == 0 */
    json_object_foreach(hashes, alg, h)
    {
        char name[300];
        int n = snprintf(name, sizeof(name), "%s.%s", json_string_value(h), base);
        if (rc == 0 && (n < 0 || (size_t)n >= sizeof(name)))
            rc = rrepo_fail(r, RAMPART_EPATH, NULL, "target file name too long: %s", path);
        if (rc == 0 && missing_only && proof_name(name, fname) && rfs_exists_at(parent, fname))
            continue;
        if (rc == 0)
            rc = put_proof(r, parent, name, &b);
        *written += rc == 0;
    }
    if (parent >= 0)
        close(parent);
    rbuf_free(&b);
    rbuf_free(&entry);
    return rc;
}

/* The log index of target metadata `t`, when it has a valid one. */
static bool index_of(const json_t *t, uint64_t *index)
{
    json_t *idx = json_object_get(json_object_get(json_object_get(t, "custom"), RLOG_TYPE_KEY), "index");
    json_int_t i = json_integer_value(idx);
    *index = (uint64_t)i;
    return json_is_integer(idx) && i >= 0;
}

/* The proofs of the targets of role `name` logged in [from, cp->size). */
static int role_proofs(rampart_repo *r, const char *name, const proof_src *src, uint64_t from)
{
    rrole *ro;
    int rc = rrepo_role(r, name, &ro);
    const char *path;
    json_t *t;
    size_t written = 0;
    json_object_foreach(json_object_get(rc == 0 ? rrepo_signed(ro) : NULL, "targets"), path, t)
    {
        uint64_t i;
        if (rc == 0 && index_of(t, &i) && i >= from && i < src->cp->size)
            rc = proofs_of(r, src, name, path, t, i, false, &written);
    }
    rrepo_drop_cache(r);
    return rc;
}

/* True when a proof file of target `path` (metadata `t`) is missing. */
static bool proof_missing(rampart_repo *r, const char *path, const json_t *t)
{
    char fname[4352]; /* a target path and a hash name: longer is "missing" (then checked one by one) */
    const char *slash = strrchr(path, '/');
    int dl = slash != NULL ? (int)(slash - path + 1) : 0;
    const char *alg;
    json_t *h;
    if (snprintf(fname, sizeof(fname), "%s" PROOF_SUFFIX, path) >= (int)sizeof(fname) ||
        !rfs_exists_at(r->fds[RDIR_TARGETS], fname))
        return true;
    json_object_foreach(json_object_get((json_t *)t, "hashes"), alg, h)
    {
        if (snprintf(fname, sizeof(fname), "%.*s%s.%s" PROOF_SUFFIX, dl, path, json_string_value(h), path + dl) >=
                (int)sizeof(fname) ||
            !rfs_exists_at(r->fds[RDIR_TARGETS], fname))
            return true;
    }
    return false;
}

/* A tile of log/ for the tile reader. */
static int local_tile(void *ctx, const tlog_tile *t, rbuf *out, rerr *e)
{
    rampart_repo *r = ctx;
    char path[TLOG_TILE_PATH_MAX];
    int fd;
    int rc = rrepo_log_dir(r, &fd);
    if (rc == 0 && tlog_tile_path(t, path) != 0)
        rc = rerr_set(e, RAMPART_EINTERNAL, NULL, "bad tile");
    if (rc == 0)
        rc = rfs_read_file(fd, path, out, e);
    return rc;
}

int rrepo_log_missing_proofs(rampart_repo *r, const char *role, const json_t *targets, size_t *written)
{
    if (!rrepo_log_enabled(r) || strcmp(role, "root") == 0)
        return 0;
    const char *path;
    json_t *t;
    bool any = false;
    /* The quick pass: a few stat calls a target, nothing read. */
    json_object_foreach((json_t *)targets, path, t)
    {
        uint64_t i;
        if (!any && index_of(t, &i))
            any = proof_missing(r, path, t);
    }
    if (!any)
        return 0;
    tlog_checkpoint cp;
    rbuf note;
    rbuf_init(&note, TLOG_NOTE_MAX);
    tlog_tile_reader rd;
    int rc = rrepo_log_head(r, RLOG_COSIGNED, &cp, &note);
    tlog_tile_reader_init(&rd, cp.size, local_tile, r);
    proof_src src = {.fn = tlog_tile_node, .ctx = &rd, .cp = &cp, .note = &note};
    size_t n = 0;
    json_object_foreach((json_t *)targets, path, t)
    {
        uint64_t i;
        if (rc == 0 && index_of(t, &i) && i < cp.size && proof_missing(r, path, t))
            rc = proofs_of(r, &src, role, path, t, i, true, &n);
    }
    if (rc == 0 && n > 0)
        rrepo_notice(r, "rebuilt %zu missing tlog-proof file(s) of '%s' from the repository's log", n, role);
    *written += n;
    tlog_tile_reader_free(&rd);
    rbuf_free(&note);
    return rc;
}

static int open_public_log(rampart_repo *r, int *fd)
{
    return rfs_open_subdir(r->fds[RDIR_PUBLIC], RLOG_DIR, true, 0755, fd, &r->err);
}

int rrepo_log_serve(rampart_repo *r, const json_t *pending_roles, uint64_t from)
{
    tlog_checkpoint cp;
    rbuf note;
    rbuf_init(&note, TLOG_NOTE_MAX);
    copier c = {.r = r, .dst = -1};
    tlog_memtree tree;
    tlog_memtree_init(&tree);
    int rc = rrepo_log_head(r, RLOG_COSIGNED, &cp, &note);
    if (rc == 0)
        rc = rrepo_log_dir(r, &c.src);
    if (rc == 0)
        rc = open_public_log(r, &c.dst);
    /* 1. tiles: what the served checkpoint does not cover yet */
    uint64_t have = c.dst >= 0 ? served_size(c.dst) : 0;
    if (rc == 0 && cp.size > 0)
        rc = tlog_tiles_added(have <= cp.size ? have : 0, cp.size, true, copy_tile, &c);
    /* 2. the proofs beside the targets logged by this publish */
    if (rc == 0 && from < cp.size) {
        tlog_memtree_free(&tree);
        rc = rrepo_log_tree(r, &cp, &tree);
    }
    size_t i;
    json_t *e;
    proof_src src = {.fn = tlog_memtree_node, .ctx = &tree, .cp = &cp, .note = &note};
    json_array_foreach((json_t *)pending_roles, i, e)
    {
        const char *name = json_string_value(json_array_get(e, 0));
        if (rc == 0 && from < cp.size && name != NULL && strcmp(name, "root") != 0)
            rc = role_proofs(r, name, &src, from);
    }
    if (rc == 0)
        rc = rfs_sync_fs(r->dirfd, &r->err);
    rrepo_crash_point(12); /* tiles and proofs served, the old checkpoint still */
    /* 3. the checkpoint: from here readers see the new entries */
    if (rc == 0 && cp.size > 0)
        rc = rfs_write_atomic(c.dst, RLOG_CHECKPOINT, note.data, note.len, 0644, &r->err);
    /* 4. the record of what is served: the next publish's proofs start there */
    char num[24];
    int nl = snprintf(num, sizeof(num), "%llu\n", (unsigned long long)cp.size);
    if (rc == 0)
        rc = rfs_write_atomic(c.src, RLOG_SERVED, num, (size_t)nl, 0644, &r->err);
    if (c.dst >= 0)
        close(c.dst);
    tlog_memtree_free(&tree);
    rbuf_free(&note);
    return rc;
}

int rrepo_log_served(rampart_repo *r, uint64_t *size)
{
    int fd;
    rbuf b;
    rbuf_init(&b, 32);
    int rc = rrepo_log_dir(r, &fd);
    if (rc == 0)
        rc = rfs_read_file(fd, RLOG_SERVED, &b, &r->err);
    *size = 0;
    if (rc == RAMPART_ENOTFOUND) {
        rbuf_free(&b);
        return 0;
    }
    uint64_t v = 0;
    size_t i = 0;
    for (; rc == 0 && i < b.len && b.data[i] >= '0' && b.data[i] <= '9' && v < UINT64_MAX / 10; i++)
        v = v * 10 + (uint64_t)(b.data[i] - '0');
    if (rc == 0 && (i == 0 || i + 1 != b.len || b.data[i] != '\n'))
        rc = rrepo_fail(r, RAMPART_EFORMAT, NULL, "log/" RLOG_SERVED " is damaged");
    if (rc == 0)
        *size = v;
    rbuf_free(&b);
    return rc;
}

int rrepo_log_repair(rampart_repo *r, size_t *fixed)
{
    if (!rrepo_log_enabled(r))
        return 0;
    tlog_checkpoint cp;
    rbuf note, served;
    rbuf_init(&note, TLOG_NOTE_MAX);
    rbuf_init(&served, TLOG_NOTE_MAX);
    copier c = {.r = r, .dst = -1};
    int rc = rrepo_log_head(r, RLOG_COSIGNED, &cp, &note);
    if (rc == 0)
        rc = rrepo_log_dir(r, &c.src);
    if (rc == 0)
        rc = open_public_log(r, &c.dst);
    bool same = rc == 0 && rfs_read_file(c.dst, RLOG_CHECKPOINT, &served, NULL) == 0 && served.len == note.len &&
                memcmp(served.data, note.data, note.len) == 0;
    /* A served checkpoint other than the recorded one: every tile again. */
    if (rc == 0 && !same && cp.size > 0) {
        rc = tlog_tiles_added(0, cp.size, true, copy_tile, &c);
        if (rc == 0)
            rc = rfs_write_atomic(c.dst, RLOG_CHECKPOINT, note.data, note.len, 0644, &r->err);
        if (rc == 0) {
            rrepo_notice(r, "public/log/: rewritten from the repository's log (%zu tiles)", c.copied);
            if (fixed != NULL)
                *fixed += c.copied + 1;
        }
    }
    if (c.dst >= 0)
        close(c.dst);
    rbuf_free(&note);
    rbuf_free(&served);
    return rc;
}
