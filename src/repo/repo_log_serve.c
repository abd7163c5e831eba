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

/* Writes `proof` as public/targets/<dir>/<name>.tlog-proof. */
static int put_proof(rampart_repo *r, int parent, const char *name, const rbuf *proof)
{
    char fname[300];
    int n = snprintf(fname, sizeof(fname), "%s" PROOF_SUFFIX, name);
    if (n < 0 || n > 255)
        return rrepo_fail(r, RAMPART_EPATH, NULL, "target file name too long for its proof: %s", name);
    return rfs_write_nosync(parent, fname, proof->data, proof->len, 0644, &r->err);
}

/* The proof files of target `path` (entry `t`) at `index`. */
static int proofs_of(rampart_repo *r, tlog_memtree *tree, const rbuf *note, const char *path, const json_t *t,
                     uint64_t index)
{
    tlog_proof p;
    rbuf b;
    rbuf_init(&b, (size_t)2 * TLOG_NOTE_MAX);
    int parent = -1;
    const char *base = NULL;
    int rc = tlog_inclusion_proof(tlog_memtree_node, tree, index, tree->size, &p, &r->err);
    if (rc == 0)
        rc = tlog_proof_file_format(index, &p, note->data, note->len, &b, &r->err);
    if (rc == 0)
        rc = rfs_open_parent(r->fds[RDIR_TARGETS], path, true, &parent, &base, &r->err);
    /* Publishing format: <path>.tlog-proof, and beside each consistent-
     * snapshot name <hash>.<name>.tlog-proof. */
    if (rc == 0)
        rc = put_proof(r, parent, base, &b);
    const char *alg;
    json_t *h;
    json_t *hashes = rc == 0 ? json_object_get((json_t *)t, "hashes") : NULL; /* base is set when rc == 0 */
    json_object_foreach(hashes, alg, h)
    {
        char name[300];
        int n = snprintf(name, sizeof(name), "%s.%s", json_string_value(h), base);
        if (rc == 0 && (n < 0 || (size_t)n >= sizeof(name)))
            rc = rrepo_fail(r, RAMPART_EPATH, NULL, "target file name too long: %s", path);
        if (rc == 0)
            rc = put_proof(r, parent, name, &b);
    }
    if (parent >= 0)
        close(parent);
    rbuf_free(&b);
    return rc;
}

/* The proofs of the targets of role `name` logged in [from, tree->size). */
static int role_proofs(rampart_repo *r, const char *name, tlog_memtree *tree, const rbuf *note, uint64_t from)
{
    rrole *ro;
    int rc = rrepo_role(r, name, &ro);
    const char *path;
    json_t *t;
    json_object_foreach(json_object_get(rc == 0 ? rrepo_signed(ro) : NULL, "targets"), path, t)
    {
        json_t *idx = json_object_get(json_object_get(json_object_get(t, "custom"), RLOG_TYPE_KEY), "index");
        json_int_t i = json_integer_value(idx);
        if (rc == 0 && json_is_integer(idx) && i >= 0 && (uint64_t)i >= from && (uint64_t)i < tree->size)
            rc = proofs_of(r, tree, note, path, t, (uint64_t)i);
    }
    rrepo_drop_cache(r);
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
    json_array_foreach((json_t *)pending_roles, i, e)
    {
        const char *name = json_string_value(json_array_get(e, 0));
        if (rc == 0 && from < cp.size && name != NULL && strcmp(name, "root") != 0)
            rc = role_proofs(r, name, &tree, &note, from);
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
