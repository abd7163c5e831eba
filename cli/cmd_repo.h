/* cmd_repo.h - shared pieces of `rampart repo` (cmd_repo.c, cmd_repo_edit.c). */
#ifndef RAMPART_CLI_CMD_REPO_H
#define RAMPART_CLI_CMD_REPO_H

#include "cli.h"

#define REPO_MAX_LIST 256

struct repo_args {
    const char *dir;
    char **pos;
    size_t npos;
    const char *config;
    /* init: root, targets, snapshot, timestamp, bins */
    const char *role_keys[5][REPO_MAX_LIST];
    size_t nrole_keys[5];
    unsigned role_threshold[5];
    long long role_expires[4];
    long long delegated_expires;
    int sha512;
    unsigned bins;
    const char *bins_prefix;
    unsigned threshold;
    long long expires;
    const char *path, *role, *custom, *name, *delegator, *out, *provenance;
    int replace, terminating, no_terminating, check;
    const char *edit, *undelegate;   /* delegate --edit NAME, --remove NAME */
    const char *keys[REPO_MAX_LIST]; /* delegate: the public keys of the role */
    size_t nkeys;
    struct cli_keys signing; /* --key PRIVATE, each with its passphrase source */
    const char *paths[REPO_MAX_LIST];
    size_t npaths;
    const char *prefixes[REPO_MAX_LIST];
    size_t nprefixes;
    const char *add[REPO_MAX_LIST];
    size_t nadd;
    const char *remove[REPO_MAX_LIST];
    size_t nremove;
    unsigned warn_days;
    unsigned window; /* refresh --window PERCENT; 0: the library's default */
    int json;
    rampart_public_key *pubs[REPO_MAX_LIST * 6];
    size_t npubs;
};

/* Longest expiry period the options take, in days (100 years). */
#define REPO_MAX_DAYS 36500
/* Opens the repository and loads the --key signers (reporting errors). */
int repo_open(struct repo_args *a, rampart_repo **r);
void repo_close(struct repo_args *a, rampart_repo *r);
/* Loads public key files (kept in a->pubs until repo_close). */
int repo_pubkeys(struct repo_args *a, const char **paths, size_t n, const rampart_public_key **out);
/* CLI_OK, or reports the handle's error and returns CLI_FAIL. */
int repo_result(const char *what, rampart_repo *r, int rc);

int repo_init(struct repo_args *a);
int repo_delegate(struct repo_args *a);
int repo_rotate(struct repo_args *a);
/* cmd_repo_refresh.c */
/* Parses refresh's --window PERCENT, 1..100; CLI_USAGE (reported) otherwise. */
int repo_window(const char *s, unsigned *out);
int repo_status(struct repo_args *a);
int repo_refresh(struct repo_args *a);
int repo_list_json(struct repo_args *a);
/* cmd_repo_log.c: `repo log` */
extern const struct cli_cmd repo_log_cmd;
int repo_log_run(int argc, char **argv);

#endif
