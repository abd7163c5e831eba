/*
 * client_progress.h - what `rampart client` shows while it works: a
 * progress bar for each target on standard error when it is a terminal
 * (never with -q), the library's warnings (all its log with -v), and Ctrl-C
 * handling: SIGINT or SIGTERM cancels the transfer in progress through the
 * progress callback (the library removes its temporary file and keeps the
 * bytes received for a resumed download), and the command exits 130.
 */
#ifndef RAMPART_CLI_CLIENT_PROGRESS_H
#define RAMPART_CLI_CLIENT_PROGRESS_H

#include <stdint.h>

#include "rampart/client.h"

/* Exit status after SIGINT or SIGTERM (128 + SIGINT, as shells report it). */
#define CLI_INTERRUPTED 130

struct cli_progress {
    int bar;     /* draw a bar (stderr is a terminal, not quiet) */
    int drawn;   /* a bar line is open on the terminal */
    double last; /* when it was last drawn */
};

/* Sets up the display and installs the SIGINT and SIGTERM handlers. */
void cli_progress_init(struct cli_progress *p, int quiet);
/* True once SIGINT or SIGTERM arrived. */
int cli_progress_interrupted(void);
/* rampart_progress_fn (ctx: struct cli_progress). */
int cli_progress_cb(void *ctx, int kind, const char *name, uint64_t done, uint64_t total);
/* rampart_log_fn (ctx: struct cli_progress): warnings unless -q, decisions
 * with -v, requests with -vv. */
void cli_progress_log(void *ctx, int level, const char *msg);
/* Ends an open bar line. */
void cli_progress_end(struct cli_progress *p);

#endif
