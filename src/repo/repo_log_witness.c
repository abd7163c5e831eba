/* repo_log_witness.c - cosignatures of the log's checkpoint by the
 * repository's witnesses (C2SP tlog-witness add-checkpoint) before a
 * publish serves it.  See repo_log.h. */
#include <stdio.h>
#include <string.h>

#include "repo/repo_log.h"
#include "util/fs.h"
#include "util/banned.h"

int rrepo_log_witness(rampart_repo *r)
{
    tlog_checkpoint cp, cos;
    rbuf note;
    rbuf_init(&note, TLOG_NOTE_MAX);
    int fd;
    int rc = rrepo_log_head(r, RLOG_CHECKPOINT, &cp, &note);
    if (rc == 0)
        rc = rrepo_log_head(r, RLOG_COSIGNED, &cos, NULL);
    if (rc == 0)
        rc = rrepo_log_dir(r, &fd);
    bool current = rc == 0 && cos.size == cp.size && memcmp(cos.root.b, cp.root.b, TLOG_HASH_LEN) == 0;
    if (rc == 0 && !current && cp.size > 0 && !rfs_exists_at(fd, RLOG_WITNESSES))
        rc = rfs_write_atomic(fd, RLOG_COSIGNED, note.data, note.len, 0644, &r->err);
    rbuf_free(&note);
    return rc;
}
