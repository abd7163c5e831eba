/* tuf_tlog.c - TUF-TRANSPARENCY-LOG (docs/assess.md): the repository's
 * transparency log as `rampart repo publish` serves it (docs/transparency.md,
 * "Publishing format": log/checkpoint beside metadata/, custom.rampart_log in
 * each target's metadata, a .tlog-proof beside each target), judged with the
 * tlog core (src/tlog) and, when the assessor gives one, a witness policy. */
#include <stdio.h>
#include <string.h>

#include "assess/tuf_assess.h"
#include "rampart/client.h"
#include "tlog/endpoint.h"
#include "util/banned.h"

/* Inclusion proofs read per assessment. */
#define TA_MAX_PROOFS 8

typedef struct log_state {
    ta_set *s;
    ta_ev v;
    const tlog_policy *pol;
    tlog_verified cp; /* valid when verified */
    bool verified;
    size_t targets, unlogged, beyond, proofs, proofs_ok;
} log_state;

/* custom.rampart_log {index, version} of a target entry; false when absent
 * or not of that shape. */
static bool where_logged(const tuf_md *md, jd_ref entry, uint64_t *index, int64_t *version)
{
    const jdoc *d = md->doc;
    jd_ref l = jdoc_get(d, jdoc_get(d, entry, "custom"), "rampart_log");
    jd_ref i = jdoc_get(d, l, "index"), v = jdoc_get(d, l, "version");
    if (jdoc_type(d, l) != JD_OBJECT || jdoc_type(d, i) != JD_INT || jdoc_int(d, i) < 0 || jdoc_type(d, v) != JD_INT ||
        jdoc_int(d, v) < 1)
        return false;
    *index = (uint64_t)jdoc_int(d, i);
    *version = jdoc_int(d, v);
    return true;
}

/* The log entry verified metadata implies (tlog/entry.h), never the
 * log's own copy.  Strings are copied: the entry encoder takes C strings. */
static int entry_of(const tuf_md *md, const tuf_targetfile *tf, const char *role, int64_t version, rbuf *out, rerr *e)
{
    const jdoc *d = md->doc;
    tlog_entry_hash h[TLOG_ENTRY_MAX_HASHES];
    char *strs[2 * TLOG_ENTRY_MAX_HASHES + 1] = {NULL};
    size_t nh = 0, ns = 0;
    int rc = 0;
    for (jd_ref k = jdoc_first(d, tf->hashes); k != JD_NONE && rc == 0; k = jdoc_next_key(d, k)) {
        rslice a = jdoc_str(d, k), x = jdoc_str(d, jdoc_value(k));
        if (nh == TLOG_ENTRY_MAX_HASHES || jdoc_type(d, jdoc_value(k)) != JD_STRING) {
            rc = rerr_set(e, RAMPART_EFORMAT, NULL, "hashes of the target are not an entry's");
            break;
        }
        strs[ns++] = rampart_strndup((const char *)a.p, a.n);
        strs[ns++] = rampart_strndup((const char *)x.p, x.n);
        if (strs[ns - 2] == NULL || strs[ns - 1] == NULL)
            rc = rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
        else
            h[nh++] = (tlog_entry_hash){strs[ns - 2], strs[ns - 1]};
    }
    strs[ns] = rampart_strndup((const char *)tf->path.p, tf->path.n);
    if (rc == 0 && strs[ns] == NULL)
        rc = rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    if (rc == 0) {
        tlog_entry en = {.path = strs[ns],
                         .path_len = tf->path.n,
                         .role = role,
                         .length = (uint64_t)tf->length,
                         .version = version,
                         .hashes = h,
                         .nhashes = nh};
        rc = tlog_entry_encode(&en, out, e);
    }
    for (size_t i = 0; i <= ns; i++)
        rampart_free(strs[i]);
    return rc;
}

/* The .tlog-proof beside one logged target: its checkpoint verifies under
 * the policy and the entry rebuilt from the target's verified metadata is
 * at the index its metadata names (docs/transparency.md, "What the endpoint
 * checks", offline mode). */
static void check_proof(log_state *ls, const tuf_md *md, const tuf_targetfile *tf, const char *role, uint64_t index,
                        int64_t version)
{
    ta_set *s = ls->s;
    int shown = (int)(tf->path.n < 200 ? tf->path.n : 200);
    const char *path = (const char *)tf->path.p;
    RAMPART_AUTO(rbuf_free) rbuf name;
    rbuf_init(&name, 8192);
    RAMPART_AUTO(rbuf_free) rbuf body = {0};
    RAMPART_AUTO(rbuf_free) rbuf entry;
    rbuf_init(&entry, TLOG_ENTRY_MAX);
    rerr e = {0};
    ls->proofs++;
    int rc = ta_target_name(s, md, tf, &name);
    if (rc == 0)
        rc = rbuf_append_str(&name, ".tlog-proof");
    if (rc == 0)
        rc = rasrc_get(s->in->targets, (const char *)name.data, TLOG_PROOF_FILE_MAX, &body, &e);
    if (rc == RAMPART_ENOTFOUND) {
        ta_note(&ls->v, RAMPART_CHECK_WARN, "%.*s: no .tlog-proof beside it", shown, path);
        return;
    }
    tlog_proof_file pf = {0};
    tlog_verified pv = {0};
    if (rc == 0)
        rc = tlog_proof_file_parse(body.data, body.len, &pf, &e);
    /* The proof's checkpoint is the one of the publish that added the
     * entry: it verifies under the policy whatever its age. */
    if (rc == 0)
        rc = tlog_policy_verify(ls->pol, pf.checkpoint, pf.checkpoint_len, s->now, 0, &pv, &e);
    if (rc == 0 && pf.index != index)
        rc = rerr_set(&e, RAMPART_ENOTLOGGED, NULL, "the proof is for entry %llu, the metadata says %llu",
                      (unsigned long long)pf.index, (unsigned long long)index);
    if (rc == 0 && pv.cp.size > ls->cp.cp.size)
        rc = rerr_set(&e, RAMPART_ESPLITVIEW, NULL, "the proof's checkpoint (%llu entries) is larger than the log's",
                      (unsigned long long)pv.cp.size);
    if (rc == 0)
        rc = entry_of(md, tf, role, version, &entry, &e);
    if (rc == 0)
        rc = tlog_check_inclusion(&pv.cp, entry.data, entry.len, index, &pf.proof, NULL, NULL, &e);
    if (rc == RAMPART_ENOMEM)
        ls->v.err = rc;
    if (rc != 0) {
        ta_note(&ls->v, RAMPART_CHECK_FAIL, "%.*s: inclusion proof refused (%s): %s", shown, path,
                rampart_error_name(rc), e.code != 0 ? e.message : "cannot be read");
        return;
    }
    ls->proofs_ok++;
}

static void targets_of(log_state *ls, const tuf_md *md, const char *role)
{
    const jdoc *d = md->doc;
    if (md->targets == JD_NONE)
        return;
    for (jd_ref k = jdoc_first(d, md->targets); k != JD_NONE; k = jdoc_next_key(d, k)) {
        uint64_t index = 0;
        int64_t version = 0;
        ls->targets++;
        if (!where_logged(md, jdoc_value(k), &index, &version)) {
            ls->unlogged++;
            continue;
        }
        if (!ls->verified)
            continue;
        /* An entry the verified tree does not hold yet cannot be proven. */
        if (index >= ls->cp.cp.size) {
            ls->beyond++;
            continue;
        }
        if (ls->s->in->targets == NULL || ls->proofs >= TA_MAX_PROOFS)
            continue;
        tuf_targetfile tf;
        if (tuf_md_target(md, jdoc_str(d, k), &tf) == 0)
            check_proof(ls, md, &tf, role, index, version);
    }
}

/* A log but no policy: what can be said without keys. */
static void unverified(log_state *ls, const tlog_note *nt, const tlog_checkpoint *cp)
{
    size_t by_origin = 0;
    for (size_t i = 0; i < nt->nsig; i++)
        by_origin += nt->sigs[i].name_len == cp->origin_len &&
                     memcmp(nt->data + nt->sigs[i].name_off, cp->origin, cp->origin_len) == 0;
    /* tlog-checkpoint: the log signs with a key named by the origin line. */
    if (by_origin == 0)
        ta_note(&ls->v, RAMPART_CHECK_FAIL, "log '%.*s', size %llu: no signature line names the origin",
                (int)cp->origin_len, cp->origin, (unsigned long long)cp->size);
    else
        ta_note(&ls->v, RAMPART_CHECK_WARN,
                "log '%.*s', size %llu: %zu signature line(s) by the log's name and %zu cosignature line(s), not "
                "verified (no --log-policy given: pass the log's key and witnesses to verify them)",
                (int)cp->origin_len, cp->origin, (unsigned long long)cp->size, by_origin, nt->nsig - by_origin);
}

static void verified(log_state *ls, const uint8_t *note, size_t n)
{
    rerr e = {0};
    int rc = tlog_policy_verify(ls->pol, note, n, ls->s->now, 0, &ls->cp, &e);
    if (rc == RAMPART_ENOMEM)
        ls->v.err = rc;
    if (rc != 0) {
        /* C2SP tlog-policy: signed by a policy log named by the origin,
         * cosigned by the quorum; an endpoint with this policy refuses it. */
        ta_note(&ls->v, RAMPART_CHECK_FAIL, "checkpoint refused under the given policy (%s): %s",
                rampart_error_name(rc), e.message);
        return;
    }
    ls->verified = true;
    const tlog_checkpoint *cp = &ls->cp.cp;
    if (ls->pol->quorum_none) {
        ta_note(&ls->v, RAMPART_CHECK_WARN,
                "log '%.*s', size %llu: signed by the log; the policy requires no witness (quorum none), so nothing "
                "stops a split view",
                (int)cp->origin_len, cp->origin, (unsigned long long)cp->size);
        return;
    }
    ta_note(&ls->v, RAMPART_CHECK_PASS,
            "log '%.*s', size %llu: signed by the log and cosigned by %zu witness(es) of the policy (quorum met)",
            (int)cp->origin_len, cp->origin, (unsigned long long)cp->size, ls->cp.ncosig);
    /* docs/transparency.md: endpoints refuse cosignatures older than
     * RAMPART_LOG_MAX_AGE_DEFAULT unless configured otherwise. */
    int64_t age = ls->s->now - ls->cp.newest_cosig;
    if (age > RAMPART_LOG_MAX_AGE_DEFAULT)
        ta_note(&ls->v, RAMPART_CHECK_FAIL,
                "the newest cosignature is %lld day(s) old: endpoints refuse checkpoints older than %d days by default "
                "(RAMPART_ESTALE)",
                (long long)(age / 86400), RAMPART_LOG_MAX_AGE_DEFAULT / 86400);
}

/* Reads and judges log/checkpoint; false when there is no log. */
static bool checkpoint(log_state *ls)
{
    ta_set *s = ls->s;
    RAMPART_AUTO(rbuf_free) rbuf b = {0};
    rerr e = {0};
    int rc = s->in->log != NULL ? rasrc_get(s->in->log, "checkpoint", TLOG_NOTE_MAX, &b, &e) : RAMPART_ENOTFOUND;
    if (rc == RAMPART_ENOTFOUND) {
        ta_note(&ls->v, RAMPART_CHECK_WARN,
                "no log: no transparency log checkpoint (log/checkpoint beside the "
                "metadata) is published");
        return false;
    }
    if (rc != 0) {
        if (rc == RAMPART_ENOMEM)
            ls->v.err = rc;
        ta_note(&ls->v, rc == RAMPART_ETOOLARGE ? RAMPART_CHECK_FAIL : RAMPART_CHECK_WARN,
                "log/checkpoint cannot be read: %s", e.message);
        return false;
    }
    tlog_note *nt = NULL;
    tlog_checkpoint cp;
    rc = tlog_note_parse(&nt, b.data, b.len, &e);
    if (rc == 0)
        rc = tlog_checkpoint_parse(nt->data, nt->text_len, &cp, &e);
    if (rc == RAMPART_ENOMEM)
        ls->v.err = rc;
    if (rc != 0)
        ta_note(&ls->v, RAMPART_CHECK_FAIL, "log/checkpoint is not a signed checkpoint: %s", e.message);
    else if (ls->pol == NULL)
        unverified(ls, nt, &cp);
    else
        verified(ls, b.data, b.len);
    tlog_note_free(nt);
    return true;
}

int ta_check_tlog(rampart_assessment *a, ta_set *s)
{
    log_state ls = {.s = s, .pol = s->in->log_policy};
    ta_ev_init(&ls.v);
    if (checkpoint(&ls)) {
        if (s->targets != NULL)
            targets_of(&ls, s->targets, "targets");
        for (size_t i = 0; i < s->nroles; i++)
            if (s->roles[i].md != NULL)
                targets_of(&ls, s->roles[i].md, s->roles[i].name);
        /* docs/transparency.md: publish writes custom.rampart_log for every
         * target it logs; one without it cannot pass an endpoint's check. */
        if (ls.unlogged > 0)
            ta_note(&ls.v, RAMPART_CHECK_WARN, "%zu of %zu target(s) have no custom.rampart_log (not in the log)",
                    ls.unlogged, ls.targets);
        else if (ls.targets > 0)
            ta_note(&ls.v, RAMPART_CHECK_PASS, "all %zu target(s) name their log entry", ls.targets);
        if (ls.beyond > 0)
            ta_note(&ls.v, RAMPART_CHECK_FAIL, "%zu target(s) name an entry beyond the log's %llu entries", ls.beyond,
                    (unsigned long long)ls.cp.cp.size);
        if (ls.proofs_ok > 0)
            ta_note(&ls.v, RAMPART_CHECK_PASS, "%zu of %zu sampled inclusion proof(s) verify", ls.proofs_ok, ls.proofs);
    }
    return ta_emit(a, TA_TLOG, &ls.v, s->in->log != NULL ? s->in->log->base : s->where);
}
