/*
 * entry.c - a target's log entry in canonical JSON.  See entry.h.
 */
#include <string.h>

#include "tlog/entry.h"
#include "util/codec.h"
#include "util/jcanon.h"
#include "util/banned.h"

static int str(rbuf *b, const char *s, size_t n)
{
    return jcanon_string(b, (const uint8_t *)s, n);
}

static int key(rbuf *b, const char *k)
{
    int rc = str(b, k, strlen(k));
    return rc == 0 ? rbuf_append_byte(b, ':') : rc;
}

/* The hash algorithms in canonical key order (insertion sort: a few). */
static int sorted(const tlog_entry *en, size_t *ord, rerr *e)
{
    for (size_t i = 0; i < en->nhashes; i++) {
        const tlog_entry_hash *h = &en->hashes[i];
        if (h->alg == NULL || h->hex == NULL)
            return rerr_set(e, RAMPART_EINVAL, NULL, "a log entry's hash has no algorithm or value");
        size_t j = i;
        while (j > 0) {
            const char *a = en->hashes[ord[j - 1]].alg;
            int c = jcanon_keycmp((const uint8_t *)a, strlen(a), (const uint8_t *)h->alg, strlen(h->alg));
            if (c == 0)
                return rerr_set(e, RAMPART_EINVAL, NULL, "a log entry lists hash '%s' twice", h->alg);
            if (c < 0)
                break;
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = i;
    }
    return 0;
}

static const char type_kv[] = ",\"type\":\"" TLOG_ENTRY_TYPE "\",";

int tlog_entry_encode(const tlog_entry *en, rbuf *out, rerr *e)
{
    if (en == NULL || out == NULL || en->path == NULL || en->role == NULL || en->hashes == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "a log entry needs a path, a role and hashes");
    if (en->nhashes == 0 || en->nhashes > TLOG_ENTRY_MAX_HASHES)
        return rerr_set(e, RAMPART_EINVAL, NULL, "a log entry has 1 to %d hashes", TLOG_ENTRY_MAX_HASHES);
    if (en->version < 1 || en->length > (uint64_t)INT64_MAX)
        return rerr_set(e, RAMPART_EINVAL, NULL, "a log entry's version is at least 1, its length below 2^63");
    size_t ord[TLOG_ENTRY_MAX_HASHES];
    int rc = sorted(en, ord, e);
    if (rc != 0)
        return rc;
    rbuf b;
    rbuf_init(&b, TLOG_ENTRY_MAX + 1);
    rc = rbuf_append_byte(&b, '{');
    if (rc == 0)
        rc = key(&b, "hashes");
    if (rc == 0)
        rc = rbuf_append_byte(&b, '{');
    for (size_t i = 0; rc == 0 && i < en->nhashes; i++) {
        const tlog_entry_hash *h = &en->hashes[ord[i]];
        if (i > 0)
            rc = rbuf_append_byte(&b, ',');
        if (rc == 0)
            rc = key(&b, h->alg);
        if (rc == 0)
            rc = str(&b, h->hex, strlen(h->hex));
    }
    if (rc == 0)
        rc = rbuf_append(&b, "},", 2);
    if (rc == 0)
        rc = key(&b, "length");
    if (rc == 0)
        rc = jcanon_int(&b, (int64_t)en->length);
    if (rc == 0)
        rc = rbuf_append_byte(&b, ',');
    if (rc == 0)
        rc = key(&b, "path");
    if (rc == 0)
        rc = str(&b, en->path, en->path_len);
    if (rc == 0)
        rc = rbuf_append_byte(&b, ',');
    if (rc == 0)
        rc = key(&b, "role");
    if (rc == 0)
        rc = str(&b, en->role, strlen(en->role));
    if (rc == 0)
        rc = rbuf_append(&b, type_kv, sizeof(type_kv) - 1);
    if (rc == 0)
        rc = key(&b, "version");
    if (rc == 0)
        rc = jcanon_int(&b, en->version);
    if (rc == 0)
        rc = rbuf_append_byte(&b, '}');
    /* Publishing format: an entry is at most 65,535 bytes (the uint16
     * length prefix of an entry bundle, C2SP tlog-tiles). */
    if (rc == 0 && b.len > TLOG_ENTRY_MAX)
        rc = RAMPART_ETOOLARGE;
    if (rc == 0)
        rc = rbuf_append(out, b.data, b.len);
    rbuf_free(&b);
    if (rc == RAMPART_ETOOLARGE)
        return rerr_set(e, rc, NULL, "the log entry of a target is over %d bytes", TLOG_ENTRY_MAX);
    return rc != 0 ? rerr_set(e, rc, NULL, "out of memory") : 0;
}
