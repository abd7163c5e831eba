/* repo_log_witness.c - cosignatures of the log's checkpoint by the
 * repository's witnesses (C2SP tlog-witness add-checkpoint) before a
 * publish serves it.  See repo_log.h; the bytes are made and judged by
 * tlog/witreq.c, the HTTP POST is the caller's (rampart_repo_set_witness_post). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "repo/repo_log.h"
#include "tlog/policy.h"
#include "tlog/witreq.h"
#include "util/fs.h"
#include "util/banned.h"

typedef struct wctx {
    rampart_repo *r;
    const rbuf *note; /* log/checkpoint */
    const tlog_checkpoint *cp;
    uint64_t old;      /* the size of the last cosigned checkpoint */
    tlog_memtree tree; /* read on the first consistency proof */
    bool tree_loaded;
    uint8_t resp[TLOG_WITNESS_RESP_MAX + 1];
} wctx;

static int proof_from(wctx *w, uint64_t old, tlog_proof *p)
{
    p->n = 0;
    if (old == 0 || old == w->cp->size)
        return 0;
    if (!w->tree_loaded) {
        int rc = rrepo_log_tree(w->r, w->cp, &w->tree);
        if (rc != 0)
            return rc;
        w->tree_loaded = true;
    }
    return tlog_consistency_proof(tlog_memtree_node, &w->tree, old, w->cp->size, p, &w->r->err);
}

/* One add-checkpoint exchange; 0 with the answer, or the transport's code. */
static int post(wctx *w, const tlog_policy_witness *wit, uint64_t old, int *status, uint8_t *resp, size_t *rn)
{
    tlog_proof p;
    rbuf body;
    rbuf_init(&body, (size_t)2 * TLOG_NOTE_MAX);
    char url[4096];
    int n = snprintf(url, sizeof(url), "%s%sadd-checkpoint", wit->url,
                     wit->url[0] != '\0' && wit->url[strlen(wit->url) - 1] == '/' ? "" : "/");
    int rc = n > 0 && (size_t)n < sizeof(url) ? proof_from(w, old, &p) : RAMPART_EINVAL;
    if (rc == 0)
        rc = tlog_witness_request(old, &p, w->note->data, w->note->len, &body, &w->r->err);
    if (rc == 0)
        rc = w->r->witness_post(w->r->witness_ctx, url, body.data, body.len, status, resp, TLOG_WITNESS_RESP_MAX + 1,
                                rn);
    rbuf_free(&body);
    return rc;
}

/* Asks one witness; true in *got with its cosignature lines in `lines`. */
static int ask(wctx *w, const tlog_policy_witness *wit, rbuf *lines, bool *got)
{
    uint8_t *resp = w->resp;
    size_t rn = 0;
    int status = 0;
    uint64_t old = w->old;
    *got = false;
    int rc = post(w, wit, old, &status, resp, &rn);
    /* tlog-witness: 409 with the witness's size when "old" is not it; one
     * retry from that size, if it is one of this log's past sizes. */
    uint64_t theirs = 0;
    if (rc == 0 && status == 409 && rn <= TLOG_WITNESS_RESP_MAX &&
        tlog_witness_parse_size(resp, rn, &theirs, NULL) == 0 && theirs != old && theirs <= w->cp->size) {
        old = theirs;
        rc = post(w, wit, old, &status, resp, &rn);
    }
    if (rc != 0) {
        rrepo_notice(w->r, "witness '%s': no answer (%s)", wit->name, rampart_error_name(rc));
        return rc == RAMPART_ENOMEM ? rc : 0;
    }
    if (status != 200) {
        rrepo_notice(w->r, "witness '%s': HTTP %d, no cosignature", wit->name, status);
        return 0;
    }
    int64_t t = 0;
    rerr e = {0};
    if (rn > TLOG_WITNESS_RESP_MAX ||
        tlog_witness_cosignatures(wit->key, w->note->data, w->note->len, resp, rn, lines, &t, &e) != 0) {
        rrepo_notice(w->r, "witness '%s': its answer holds no valid cosignature (%s)", wit->name,
                     rn > TLOG_WITNESS_RESP_MAX ? "too large" : e.message);
        return 0;
    }
    *got = true;
    return 0;
}

/* Asks every witness of `p`; below the quorum ENOQUORUM, whose message
 * ends with `after` (what that leaves served). */
static int cosign(rampart_repo *r, const tlog_policy *p, wctx *w, rbuf *out, const char *after)
{
    bool witnessed[TLOG_POLICY_MAX] = {false};
    size_t have = 0;
    int rc = rbuf_append(out, w->note->data, w->note->len);
    for (size_t i = 0; rc == 0 && i < p->nwit; i++) {
        if (r->witness_post == NULL) {
            rrepo_notice(r, "witness '%s': no way to reach it (no HTTP transport)", p->wit[i].name);
            continue;
        }
        rc = ask(w, &p->wit[i], out, &witnessed[i]);
        have += witnessed[i];
    }
    /* Publishing format: fail, leaving the previous release served, when
     * the cosignatures do not meet the quorum. */
    if (rc == 0 && !tlog_policy_quorum(p, witnessed))
        rc = rrepo_fail(r, RAMPART_ENOQUORUM, "log",
                        "witness quorum not met: %zu of %zu witness(es) cosigned the checkpoint of size %llu; %s", have,
                        p->nwit, (unsigned long long)w->cp->size, after);
    return rc;
}

int rrepo_log_witness(rampart_repo *r)
{
    tlog_checkpoint cp = {0}, cos = {0};
    rbuf note, pol, out;
    rbuf_init(&note, TLOG_NOTE_MAX);
    rbuf_init(&pol, TLOG_POLICY_MAX_BYTES);
    rbuf_init(&out, TLOG_NOTE_MAX);
    tlog_policy *p = NULL;
    int fd;
    int rc = rrepo_log_head(r, RLOG_CHECKPOINT, &cp, &note);
    if (rc == 0)
        rc = rrepo_log_head(r, RLOG_COSIGNED, &cos, NULL);
    if (rc == 0)
        rc = rrepo_log_dir(r, &fd);
    bool current = rc == 0 && cos.size == cp.size && memcmp(cos.root.b, cp.root.b, TLOG_HASH_LEN) == 0;
    if (rc != 0 || current || cp.size == 0)
        goto out;
    rc = rfs_read_file(fd, RLOG_WITNESSES, &pol, &r->err);
    if (rc == RAMPART_ENOTFOUND) {
        /* No witnesses: the log's signature alone. */
        rc = rfs_write_atomic(fd, RLOG_COSIGNED, note.data, note.len, 0644, &r->err);
        goto out;
    }
    if (rc == 0 && tlog_policy_parse(&p, pol.data, pol.len, &r->err) != 0)
        rc = rrepo_fail(r, RAMPART_EFORMAT, "log", "log/" RLOG_WITNESSES ": %s", r->err.message);
    wctx *w = rampart_calloc(1, sizeof(*w));
    if (rc == 0 && w == NULL)
        rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    if (rc == 0) {
        *w = (wctx){.r = r, .note = &note, .cp = &cp, .old = cos.size <= cp.size ? cos.size : 0};
        tlog_memtree_init(&w->tree);
        rc = cosign(r, p, w, &out,
                    "nothing was published (the log keeps its entries: publish again when the witnesses answer)");
        tlog_memtree_free(&w->tree);
    }
    rampart_free(w);
    rrepo_crash_point(13); /* cosigned by the witnesses, not yet recorded */
    if (rc == 0)
        rc = rfs_write_atomic(fd, RLOG_COSIGNED, out.data, out.len, 0644, &r->err);
out:
    tlog_policy_free(p);
    rbuf_free(&note);
    rbuf_free(&pol);
    rbuf_free(&out);
    return rc;
}

int rrepo_log_recosign(rampart_repo *r)
{
    if (!rrepo_log_enabled(r))
        return 0;
    tlog_checkpoint cos = {0};
    rbuf cosigned, note, pol, out;
    rbuf_init(&cosigned, TLOG_NOTE_MAX);
    rbuf_init(&note, TLOG_NOTE_MAX);
    rbuf_init(&pol, TLOG_POLICY_MAX_BYTES);
    rbuf_init(&out, TLOG_NOTE_MAX);
    tlog_policy *p = NULL;
    wctx *w = NULL;
    int fd, pub = -1;
    int rc = rrepo_log_head(r, RLOG_COSIGNED, &cos, &cosigned);
    if (rc == 0)
        rc = rrepo_log_dir(r, &fd);
    if (rc != 0 || cos.size == 0)
        goto out;
    rc = rfs_read_file(fd, RLOG_WITNESSES, &pol, &r->err);
    if (rc == RAMPART_ENOTFOUND) {
        /* No witnesses: the log's own signature does not age. */
        rc = 0;
        goto out;
    }
    if (rc == 0 && tlog_policy_parse(&p, pol.data, pol.len, &r->err) != 0)
        rc = rrepo_fail(r, RAMPART_EFORMAT, "log", "log/" RLOG_WITNESSES ": %s", r->err.message);
    /* The checkpoint served, as the log signed it: its old cosignatures are
     * replaced, not carried next to the new ones. */
    if (rc == 0)
        rc = rrepo_log_signed_only(r, &cosigned, &note);
    if (rc == 0 && (w = rampart_calloc(1, sizeof(*w))) == NULL)
        rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    if (rc == 0) {
        /* C2SP tlog-witness: the old size may equal the checkpoint's size
         * (an empty proof); a witness that stored that size and root
         * cosigns it again, with a new timestamp. */
        *w = (wctx){.r = r, .note = &note, .cp = &cos, .old = cos.size};
        tlog_memtree_init(&w->tree);
        rc = cosign(r, p, w, &out,
                    "the timestamp was renewed, the served checkpoint keeps its older cosignatures "
                    "(they age towards the endpoints' maximum age: refresh again when the witnesses answer)");
        tlog_memtree_free(&w->tree);
    }
    if (rc == 0)
        rc = rfs_write_atomic(fd, RLOG_COSIGNED, out.data, out.len, 0644, &r->err);
    /* Same size: no tile changes, the checkpoint alone is served anew (a
     * crash before this line is repaired by the next refresh or publish,
     * which rewrites public/log/ from log/). */
    if (rc == 0)
        rc = rfs_open_subdir(r->fds[RDIR_PUBLIC], RLOG_DIR, true, 0755, &pub, &r->err);
    if (rc == 0)
        rc = rfs_write_atomic(pub, RLOG_CHECKPOINT, out.data, out.len, 0644, &r->err);
    if (rc == 0)
        rrepo_notice(r, "transparency log: the checkpoint of size %llu cosigned again", (unsigned long long)cos.size);
out:
    if (pub >= 0)
        close(pub);
    rampart_free(w);
    tlog_policy_free(p);
    rbuf_free(&cosigned);
    rbuf_free(&note);
    rbuf_free(&pol);
    rbuf_free(&out);
    return rc;
}
