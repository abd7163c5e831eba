/* md_meta.c - timestamp (TUF §4.6) and snapshot (TUF §4.4) metadata. */
#include <string.h>

#include "tuf/md_internal.h"
#include "util/banned.h"

int md_parse_timestamp(const mdp *p)
{
    tuf_md *md = p->md;
    jd_ref meta, snap;
    int rc = mdp_req(p, md->signed_ref, "meta", JD_OBJECT, "signed", &meta);
    if (rc != 0)
        return rc;
    /* §4.6: meta describes snapshot.json and nothing else. */
    if (jdoc_count(p->d, meta) != 1 || (snap = jdoc_get(p->d, meta, "snapshot.json")) == JD_NONE)
        return mdp_fail(p, "meta must describe exactly \"snapshot.json\"");
    md->meta = meta;
    return mdp_metafile(p, snap, rslice_cstr("snapshot.json"), &md->snapshot_meta);
}

int md_parse_snapshot(const mdp *p)
{
    tuf_md *md = p->md;
    jd_ref meta;
    int rc = mdp_req(p, md->signed_ref, "meta", JD_OBJECT, "signed", &meta);
    if (rc != 0)
        return rc;
    /* Every entry is validated now, so lookups later cannot fail on format. */
    for (jd_ref k = jdoc_first(p->d, meta); k != JD_NONE; k = jdoc_next_key(p->d, k)) {
        tuf_metafile mf;
        if (jdoc_str_has_nul(p->d, k))
            return mdp_fail(p, "a file name in meta" MDP_NUL);
        rc = mdp_metafile(p, jdoc_value(k), jdoc_str(p->d, k), &mf);
        if (rc != 0)
            return rc;
    }
    md->meta = meta;
    return 0;
}

int tuf_md_metafile(const tuf_md *md, rslice name, tuf_metafile *out)
{
    if (md->meta == JD_NONE)
        return RAMPART_ENOTFOUND;
    jd_ref v = jdoc_getn(md->doc, md->meta, name.p, name.n);
    if (v == JD_NONE)
        return RAMPART_ENOTFOUND;
    tuf_metafile mf = {0, -1, JD_NONE};
    mf.version = jdoc_int(md->doc, jdoc_get(md->doc, v, "version"));
    jd_ref len = jdoc_get(md->doc, v, "length");
    if (len != JD_NONE)
        mf.length = jdoc_int(md->doc, len);
    mf.hashes = jdoc_get(md->doc, v, "hashes");
    *out = mf;
    return 0;
}
