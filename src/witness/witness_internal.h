/*
 * witness_internal.h - the witness handle, shared by witness.c (key,
 * configuration, state files) and http.c (the HTTP server, libmicrohttpd's
 * one owner in the tree).
 */
#ifndef RAMPART_WITNESS_WITNESS_INTERNAL_H
#define RAMPART_WITNESS_WITNESS_INTERNAL_H

#include <pthread.h>
#include <sys/socket.h>

#include "rampart/witness.h"
#include "tlog/witness.h"

/* One log (origin) the witness knows, with the lock that serialises its
 * requests and the name of its state file. */
typedef struct wlog {
    char origin[TLOG_NAME_MAX + 1];
    char file[4 + 64 + 1];
    pthread_mutex_t lock;
} wlog;

struct rampart_witness {
    tlog_wconfig *cfg;
    rprivkey *key;
    tlog_signer signer;
    size_t nlogs;
    wlog logs[TLOG_WITNESS_MAX_LOGS];
    int state_fd, lock_fd;
    int64_t (*clock)(void *ctx);
    void *clock_ctx;
    struct sockaddr_storage addr;
    socklen_t addr_len;
    unsigned max_connections;
    void *daemon; /* struct MHD_Daemon, http.c's */
    unsigned port;
};

/* Handles one request body: r->status and body, the state stored first.
 * 0, or a local failure's code (the server answers 500). */
int rwit_handle(rampart_witness *w, const uint8_t *body, size_t n, tlog_wreply *r, rerr *e) RAMPART_MUST_USE;

/* Parses "A.B.C.D:PORT" or "[IPv6]:PORT".  EINVAL. */
int rwit_parse_listen(const char *s, struct sockaddr_storage *out, socklen_t *len, rerr *e) RAMPART_MUST_USE;

/* Stops the server, if it runs. */
void rwit_http_stop(rampart_witness *w);

#endif
