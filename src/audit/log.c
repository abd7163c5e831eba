/*
 * log.c - the audit log writer: the folder, its lock and key, sealing what
 * a crash left, appending records durably and signing a checkpoint after
 * each (docs/audit.md).
 */
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit_internal.h"
#include "crypto/hash.h"
#include "keys/keys.h"
#include "tlog/note.h"
#include "util/fs.h"
#include "util/rtime.h"
#include "util/banned.h"

#define DEFAULT_NAME "rampart-audit"
#define DEFAULT_SOCKET "/run/systemd/journal/socket"
#define DEFAULT_IDENT "rampart"
#define VKEY_MAX 1024
#define PATH_MAX_LEN 4096

struct rampart_audit {
    rerr err;
    int dirfd, lockfd, logfd;
    rprivkey *key;
    tlog_signer signer;
    char vkey[VKEY_MAX];
    audit_scan scan;
    uint64_t signed_size;
    bool broken;
    int journal;
    char socket_path[PATH_MAX_LEN];
    char ident[64];
    rampart_clock_fn clock;
    void *clock_ctx;
};

/* The name of a new key: the options', or the default. */
static int key_name(const rampart_audit_options *o, const char **out, rerr *e)
{
    const char *name = o->name != NULL ? o->name : DEFAULT_NAME;
    if (!tlog_name_valid(name, strlen(name)))
        return rerr_set(e, RAMPART_EINVAL, NULL, "'%s' is not a valid key name (no spaces, no '+')", name);
    *out = name;
    return 0;
}

/* The name recorded in an existing audit.vkey ("name+id+key"). */
static int vkey_name(int dirfd, char *name, size_t cap, rerr *e)
{
    rbuf b;
    rbuf_init(&b, VKEY_MAX);
    int rc = rfs_read_file(dirfd, AUDIT_VKEY, &b, e);
    if (rc == 0) {
        const uint8_t *plus = memchr(b.data, '+', b.len);
        size_t n = plus != NULL ? (size_t)(plus - b.data) : 0;
        if (n == 0 || n >= cap || !tlog_name_valid((const char *)b.data, n))
            rc = rerr_set(e, RAMPART_EFORMAT, NULL, "'%s' is not a verifier key", AUDIT_VKEY);
        else {
            memcpy(name, b.data, n);
            name[n] = '\0';
        }
    }
    rbuf_free(&b);
    return rc;
}

/* Loads audit.key, or makes it (and audit.vkey) on first use. */
static int load_key(rampart_audit *a, const rampart_audit_options *o)
{
    rbuf pem;
    rbuf_init_secret(&pem, 65536);
    char name[TLOG_NAME_MAX + 1];
    const char *newname = NULL;
    int rc = rfs_read_file(a->dirfd, AUDIT_KEY, &pem, &a->err);
    bool made = false;
    if (rc == RAMPART_ENOTFOUND) {
        rc = key_name(o, &newname, &a->err);
        if (rc == 0)
            rc = rprivkey_generate(&a->key, RKEY_ED25519, 0, &a->err);
        if (rc == 0)
            rc = rprivkey_to_pem(a->key, NULL, 0, &pem, &a->err);
        if (rc == 0)
            rc = rfs_create_excl(a->dirfd, AUDIT_KEY, pem.data, pem.len, 0600, &a->err);
        made = rc == 0;
    } else if (rc == 0) {
        rc = rprivkey_load_pem(&a->key, pem.data, pem.len, NULL, 0, &a->err);
        if (rc == 0 && rprivkey_scheme(a->key) != RKEY_ED25519)
            rc = rerr_set(&a->err, RAMPART_EFORMAT, NULL, "'%s' is not an Ed25519 key", AUDIT_KEY);
        if (rc == 0) {
            int nr = vkey_name(a->dirfd, name, sizeof(name), &a->err);
            if (nr == RAMPART_ENOTFOUND)
                nr = key_name(o, &newname, &a->err);
            else if (nr == 0)
                newname = name;
            rc = nr;
        }
    }
    rbuf_free(&pem);
    if (rc == 0)
        rc = tlog_signer_init(&a->signer, newname, TLOG_SIG_ED25519, a->key, &a->err);
    tlog_vkey *vk = NULL;
    rbuf vb;
    rbuf_init(&vb, VKEY_MAX - 2);
    if (rc == 0)
        rc = tlog_signer_vkey(&a->signer, &vk, &a->err);
    if (rc == 0)
        rc = tlog_vkey_format(vk, &vb);
    if (rc == 0) {
        memcpy(a->vkey, vb.data, vb.len);
        a->vkey[vb.len] = '\0';
        rc = rbuf_append_byte(&vb, '\n');
    }
    if (rc == 0 && (made || !rfs_exists_at(a->dirfd, AUDIT_VKEY)))
        rc = rfs_write_atomic(a->dirfd, AUDIT_VKEY, vb.data, vb.len, 0644, &a->err);
    tlog_vkey_free(vk);
    rbuf_free(&vb);
    return rc;
}

/* Signs and writes the checkpoint of every record so far. */
static int write_checkpoint(rampart_audit *a)
{
    tlog_hash root;
    rbuf text, note;
    rbuf_init(&text, 4096);
    rbuf_init(&note, 8192);
    int rc = tlog_tree_root(tlog_memtree_node, &a->scan.tree, a->scan.records, &root, &a->err);
    if (rc == 0)
        rc = tlog_checkpoint_format(a->signer.name, a->scan.records, &root, &text, &a->err);
    /* C2SP signed-note: the text, a blank line, the signature lines. */
    if (rc == 0)
        rc = rbuf_append(&note, text.data, text.len);
    if (rc == 0)
        rc = rbuf_append_byte(&note, '\n');
    if (rc == 0)
        rc = tlog_note_sign_line(&a->signer, text.data, text.len, 0, &note, &a->err);
    if (rc == 0)
        rc = rfs_write_atomic(a->dirfd, AUDIT_CHECKPOINT, note.data, note.len, 0644, &a->err);
    if (rc == 0)
        a->signed_size = a->scan.records;
    rbuf_free(&text);
    rbuf_free(&note);
    return rc;
}

static int64_t now(const rampart_audit *a)
{
    if (a->clock != NULL)
        return a->clock(a->clock_ctx);
    int64_t t = 0;
    return rtime_now(&t) == 0 ? t : 0;
}

/* Writes `pre` (may be empty) and the line of `r` as the next record, durably. */
static int append_line(rampart_audit *a, const char *pre, const rampart_audit_record *r, uint64_t torn_len,
                       const uint8_t *torn_sha256, rbuf *line)
{
    audit_line_in in = {.seq = a->scan.records + 1,
                        .time = now(a),
                        .prev = a->scan.last,
                        .r = r,
                        .torn_len = torn_len,
                        .torn_sha256 = torn_sha256};
    rbuf out;
    rbuf_init(&out, AUDIT_LINE_MAX + 16);
    int rc = rbuf_append_str(&out, pre);
    size_t start = out.len;
    if (rc == 0)
        rc = audit_line_format(&in, &out, &a->err);
    if (rc == 0)
        rc = rbuf_append(line, out.data + start, out.len - start);
    if (rc == 0)
        rc = rbuf_append_byte(&out, '\n');
    if (rc == 0) {
        rc = rfs_append_sync(a->logfd, out.data, out.len, AUDIT_LOG, &a->err);
        if (rc != 0)
            a->broken = true;
    }
    if (rc == 0)
        rc = audit_scan_accept(&a->scan, out.data + start, out.len - start - 1, &a->err);
    rbuf_free(&out);
    return rc;
}

/* Seals the bytes a crash left after the last record with a "torn" record. */
static int seal(rampart_audit *a, const rbuf *log)
{
    const uint8_t *g = log->data + a->scan.garbage_start;
    size_t n = a->scan.garbage_len;
    bool newline = g[n - 1] != '\n';
    uint8_t d[RHASH_MAX_LEN];
    rhash h;
    int rc = rhash_init(&h, RHASH_SHA256);
    if (rc == 0)
        rc = rhash_update(&h, g, n);
    if (rc == 0 && newline)
        rc = rhash_update(&h, "\n", 1);
    if (rc == 0)
        rc = rhash_final(&h, d);
    rhash_free(&h);
    if (rc != 0)
        return rerr_set(&a->err, rc, NULL, "cannot hash the torn line");
    char msg[128];
    (void)snprintf(msg, sizeof(msg), "%zu bytes of an interrupted append sealed", n + (newline ? 1 : 0));
    rampart_audit_record r = {.kind = "torn", .message = msg};
    rbuf line;
    rbuf_init(&line, AUDIT_LINE_MAX);
    rc = append_line(a, newline ? "\n" : "", &r, n + (newline ? 1 : 0), d, &line);
    rbuf_free(&line);
    return rc;
}

/* Reads the log, checks it, seals a torn tail and signs what is unsigned. */
static int recover(rampart_audit *a)
{
    rbuf log, note;
    rbuf_init(&log, AUDIT_LOG_MAX);
    rbuf_init(&note, 65536);
    int rc = rfs_read_file(a->dirfd, AUDIT_LOG, &log, &a->err);
    if (rc == RAMPART_ENOTFOUND)
        rc = 0;
    if (rc == 0) {
        audit_scan_free(&a->scan);
        rc = audit_scan_bytes(log.data, log.len, &a->scan, &a->err);
    }
    if (rc == 0) {
        rc = rfs_read_file(a->dirfd, AUDIT_CHECKPOINT, &note, &a->err);
        if (rc == 0)
            rc = audit_check_checkpoint(&a->scan, note.data, note.len, a->vkey, strlen(a->vkey), &a->signed_size,
                                        &a->err);
        else if (rc == RAMPART_ENOTFOUND)
            rc = 0; /* none yet, or a crash before the first was written */
    }
    if (rc == 0)
        rc = rfs_append_open(a->dirfd, AUDIT_LOG, 0600, &a->logfd, &a->err);
    if (rc == 0 && a->scan.garbage_len > 0)
        rc = seal(a, &log);
    if (rc == 0 && (a->signed_size != a->scan.records || !rfs_exists_at(a->dirfd, AUDIT_CHECKPOINT)))
        rc = write_checkpoint(a);
    rbuf_free(&log);
    rbuf_free(&note);
    return rc;
}

static int copy_opt(char *dst, size_t cap, const char *v, const char *def, rerr *e)
{
    const char *s = v != NULL ? v : def;
    size_t n = strlen(s);
    if (n >= cap)
        return rerr_set(e, RAMPART_EINVAL, NULL, "option too long: '%.40s...'", s);
    memcpy(dst, s, n + 1);
    return 0;
}

void rampart_audit_free(rampart_audit *a)
{
    if (a == NULL)
        return;
    if (a->logfd >= 0)
        close(a->logfd);
    if (a->lockfd >= 0)
        close(a->lockfd);
    if (a->dirfd >= 0)
        close(a->dirfd);
    rprivkey_free(a->key);
    audit_scan_free(&a->scan);
    rampart_free(a);
}

int rampart_audit_open(rampart_audit **out, const rampart_audit_options *o, rampart_error *err)
{
    if (out == NULL || o == NULL || o->version != RAMPART_AUDIT_OPTIONS_VERSION || o->dir == NULL)
        return rerr_set(err, RAMPART_EINVAL, NULL, "audit options: no folder, or an unknown options version");
    rampart_audit *a = rampart_calloc(1, sizeof(*a));
    if (a == NULL)
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    a->dirfd = a->lockfd = a->logfd = -1;
    tlog_memtree_init(&a->scan.tree);
    a->journal = o->journal;
    a->clock = o->clock;
    a->clock_ctx = o->clock_ctx;
    int rc = copy_opt(a->socket_path, sizeof(a->socket_path), o->journal_socket, DEFAULT_SOCKET, &a->err);
    if (rc == 0)
        rc = copy_opt(a->ident, sizeof(a->ident), o->syslog_ident, DEFAULT_IDENT, &a->err);
    if (rc == 0)
        rc = rfs_open_dir(o->dir, true, true, &a->dirfd, &a->err);
    if (rc == 0) {
        rc = rfs_lock(a->dirfd, AUDIT_LOCK, o->lock_timeout_ms != 0 ? o->lock_timeout_ms : 10000, &a->lockfd, &a->err);
        if (rc == RAMPART_ELOCKED)
            rerr_set(&a->err, rc, NULL, "the audit log in '%s' is in use by another writer", o->dir);
    }
    if (rc == 0)
        rc = load_key(a, o);
    if (rc == 0)
        rc = recover(a);
    if (rc != 0) {
        if (err != NULL)
            *err = a->err;
        rampart_audit_free(a);
        return rc;
    }
    rerr_clear(err);
    *out = a;
    return 0;
}

int rampart_audit_append(rampart_audit *a, const rampart_audit_record *r, uint64_t *seq_out)
{
    if (a == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&a->err);
    if (a->broken)
        return rerr_set(&a->err, RAMPART_EIO, NULL, "an earlier append failed: open the audit log again");
    if (r == NULL || r->kind == NULL || r->kind[0] == '\0' || strcmp(r->kind, "torn") == 0)
        return rerr_set(&a->err, RAMPART_EINVAL, NULL, "an audit record needs a kind (and not \"torn\")");
    rbuf line;
    rbuf_init(&line, AUDIT_LINE_MAX);
    int rc = append_line(a, "", r, 0, NULL, &line);
    uint64_t seq = a->scan.records;
    /* The record is committed now; the checkpoint follows (a crash in
     * between leaves it to the next writer, recover()). */
    if (rc == 0)
        rc = write_checkpoint(a);
    if (rc == 0 && a->journal) {
        audit_rec parsed;
        rerr ignored;
        if (audit_rec_parse(line.data, line.len, &parsed, &ignored) == 0) {
            audit_journal_send(a->socket_path, a->ident, line.data, line.len, &parsed);
            audit_rec_free(&parsed);
        }
    }
    rbuf_free(&line);
    if (rc == 0 && seq_out != NULL)
        *seq_out = seq;
    return rc;
}

const rampart_error *rampart_audit_last_error(const rampart_audit *a)
{
    return a != NULL ? &a->err : NULL;
}

const char *rampart_audit_vkey(const rampart_audit *a)
{
    return a != NULL ? a->vkey : NULL;
}

uint64_t rampart_audit_records(const rampart_audit *a)
{
    return a != NULL ? a->scan.records : 0;
}
