/*
 * verify.c - verifying an audit log (the checkpoint's signature, the hash
 * chain, the Merkle root the checkpoint signs) and reading its records;
 * docs/audit.md, "Verification".
 */
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit_internal.h"
#include "tlog/note.h"
#include "util/fs.h"
#include "util/banned.h"

#define VKEY_MAX 1024

int audit_check_checkpoint(const audit_scan *s, const uint8_t *note, size_t n, const char *vkey, size_t vkey_len,
                           uint64_t *size_out, rerr *e)
{
    while (vkey_len > 0 && (vkey[vkey_len - 1] == '\n' || vkey[vkey_len - 1] == ' '))
        vkey_len--;
    tlog_vkey *k = NULL;
    tlog_note *nt = NULL;
    int rc = tlog_vkey_parse(&k, vkey, vkey_len, e);
    if (rc == 0)
        rc = tlog_note_parse(&nt, note, n, e);
    tlog_note_verdict verdict = {0};
    const tlog_vkey *keys[1] = {k};
    /* C2SP signed-note: the note is accepted only with a verified
     * signature of a known key; one of another key is ignored. */
    if (rc == 0 && tlog_note_verify(nt, keys, 1, &verdict, e) != 0)
        rc = rerr_set(e, RAMPART_EBADSIG, NULL, "the checkpoint is not signed by the audit key '%.*s'",
                      (int)k->name_len, k->name);
    tlog_checkpoint cp = {0};
    if (rc == 0)
        rc = tlog_checkpoint_parse(nt->data, nt->text_len, &cp, e);
    /* C2SP tlog-checkpoint: the origin names the log; ours is the key's name. */
    if (rc == 0 && (cp.origin_len != k->name_len || memcmp(cp.origin, k->name, k->name_len) != 0))
        rc = rerr_set(e, RAMPART_EFORMAT, NULL, "the checkpoint's origin is not the audit key's name");
    if (rc == 0 && cp.size > s->records)
        rc = rerr_set(e, RAMPART_ETAMPERED, NULL,
                      "the log holds %" PRIu64 " records but its signed checkpoint covers %" PRIu64
                      " (records removed from the end: truncated)",
                      s->records, cp.size);
    tlog_hash root;
    if (rc == 0)
        rc = tlog_tree_root(tlog_memtree_node, (void *)&s->tree, cp.size, &root, e);
    if (rc == 0 && memcmp(root.b, cp.root.b, TLOG_HASH_LEN) != 0)
        rc = rerr_set(e, RAMPART_ETAMPERED, NULL,
                      "records 1 to %" PRIu64 " do not give the root hash of the signed checkpoint "
                      "(a record edited)",
                      cp.size);
    if (rc == 0)
        *size_out = cp.size;
    tlog_note_free(nt);
    tlog_vkey_free(k);
    return rc;
}

static int read_in(int dirfd, const char *name, size_t max, rbuf *out, rerr *e)
{
    rbuf_init(out, max);
    int rc = rfs_read_file(dirfd, name, out, e);
    if (rc == RAMPART_ENOTFOUND)
        rerr_set(e, rc, NULL, "no '%s' in the audit folder", name);
    return rc;
}

int rampart_audit_verify(const char *dir, const char *vkey, rampart_audit_summary *out, rampart_error *err)
{
    rampart_audit_summary sum = {0};
    if (out != NULL)
        *out = sum;
    if (dir == NULL)
        return rerr_set(err, RAMPART_EINVAL, NULL, "no audit folder given");
    int dirfd = -1;
    int rc = rfs_open_dir(dir, false, false, &dirfd, err);
    if (rc != 0)
        return rc;
    rbuf log, note, vk;
    rbuf_init(&note, 0);
    rbuf_init(&vk, 0);
    audit_scan s;
    memset(&s, 0, sizeof(s));
    tlog_memtree_init(&s.tree);
    rc = read_in(dirfd, AUDIT_LOG, AUDIT_LOG_MAX, &log, err);
    if (rc == 0 && vkey == NULL) {
        rc = read_in(dirfd, AUDIT_VKEY, VKEY_MAX, &vk, err);
        if (rc == 0)
            rc = rbuf_append_byte(&vk, 0);
        vkey = rc == 0 ? (const char *)vk.data : NULL;
    }
    if (rc == 0) {
        audit_scan_free(&s);
        rc = audit_scan_bytes(log.data, log.len, &s, err);
    }
    sum.records = s.records;
    sum.sealed = s.sealed;
    sum.torn_bytes = s.garbage_len;
    if (rc == 0) {
        rc = read_in(dirfd, AUDIT_CHECKPOINT, 65536, &note, err);
        if (rc == RAMPART_ENOTFOUND && s.records > 0)
            rc = rerr_set(err, RAMPART_ETAMPERED, NULL,
                          "the log holds %" PRIu64 " records and no signed checkpoint (the checkpoint removed)",
                          s.records);
        else if (rc == RAMPART_ENOTFOUND)
            rc = 0;
        else if (rc == 0)
            rc = audit_check_checkpoint(&s, note.data, note.len, vkey, strlen(vkey), &sum.signed_records, err);
    }
    if (rc == 0 && s.garbage_len > 0)
        rc = rerr_set(err, RAMPART_ETORN, NULL,
                      "the log ends in an incomplete line of %zu bytes (an append interrupted by a crash); the %" PRIu64
                      " records before it verify",
                      s.garbage_len, s.records);
    if (out != NULL)
        *out = sum;
    audit_scan_free(&s);
    rbuf_free(&log);
    rbuf_free(&note);
    rbuf_free(&vk);
    close(dirfd);
    if (rc == 0)
        rerr_clear(err);
    return rc;
}

/* ---- reading ----------------------------------------------------------------------- */

static int visit(const uint8_t *p, size_t n, rampart_audit_visit_fn fn, void *ctx, rerr *e)
{
    audit_rec r;
    rerr ignored;
    int rc = audit_rec_parse(p, n, &r, &ignored);
    if (rc == RAMPART_ENOMEM)
        return rerr_set(e, rc, NULL, "out of memory");
    if (rc != 0 || strcmp(r.kind, "torn") == 0) {
        if (rc == 0)
            audit_rec_free(&r);
        return 0; /* not a record of a decision */
    }
    rampart_audit_entry en = {
        .seq = r.seq,
        .time = r.time,
        .kind = r.kind,
        .attack = r.attack,
        .code = r.code,
        .target = r.target,
        .version = r.version,
        .previous = r.previous,
        .sha256 = r.sha256,
        .message = r.message,
        .anomaly = r.anomaly,
        .id = r.id,
        .line = (const char *)p,
        .line_len = n,
    };
    rc = fn(ctx, &en);
    audit_rec_free(&r);
    return rc;
}

int rampart_audit_read(const char *dir, rampart_audit_visit_fn fn, void *ctx, rampart_error *err)
{
    if (dir == NULL || fn == NULL)
        return rerr_set(err, RAMPART_EINVAL, NULL, "no audit folder or callback given");
    int dirfd = -1;
    int rc = rfs_open_dir(dir, false, false, &dirfd, err);
    if (rc != 0)
        return rc;
    rbuf log;
    rc = read_in(dirfd, AUDIT_LOG, AUDIT_LOG_MAX, &log, err);
    close(dirfd);
    for (size_t off = 0; rc == 0 && off < log.len;) {
        const uint8_t *nl = memchr(log.data + off, '\n', log.len - off);
        if (nl == NULL)
            break;
        size_t len = (size_t)(nl - (log.data + off));
        rc = visit(log.data + off, len, fn, ctx, err);
        off += len + 1;
    }
    rbuf_free(&log);
    return rc;
}
