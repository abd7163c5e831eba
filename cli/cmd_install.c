/*
 * cmd_install.c - `rampart install` (install a verified release into a
 * versioned folder and switch to it) and `rampart rollback` (switch back);
 * see docs/install-releases.md and docs/man/rampart.1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MAX_URLS 8
#define MAX_ARGS 32

struct install_args {
    const char *into, *metadata_dir, *target_name, *file, *ca_file;
    const char *murls[MAX_URLS], *turls[MAX_URLS];
    size_t nmurls, nturls;
    char *hookbuf[3];
    const char *hooks[3][MAX_ARGS + 1];
    rampart_install_options o;
    int insecure;
};

/* Splits `cmd` on spaces into the NULL-terminated vector `argv` (no shell,
 * no quoting: names never pass through a shell). */
static int split_hook(const char *cmd, char **buf, const char **argv, const char *what)
{
    *buf = strdup(cmd);
    if (*buf == NULL) {
        cli_error(RAMPART_ENOMEM, "out of memory");
        return CLI_FAIL;
    }
    size_t n = 0;
    char *save = NULL;
    for (char *w = strtok_r(*buf, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
        if (n == MAX_ARGS) {
            cli_usage_error("%s has more than %d words", what, MAX_ARGS);
            return CLI_USAGE;
        }
        argv[n++] = w;
    }
    if (n == 0) {
        cli_usage_error("%s is empty", what);
        return CLI_USAGE;
    }
    argv[n] = NULL;
    return 0;
}

static int number(const char *s, const char *what, uint64_t *out)
{
    long long v = 0;
    if (cli_number(what, s, 1, 0x7fffffffffffffffLL, &v) != 0)
        return CLI_USAGE;
    *out = (uint64_t)v;
    return 0;
}

static int set_option(struct install_args *a, int c, const char *name, const char *arg)
{
    uint64_t v = 0;
    int hook = -1;
    switch (c) {
    case 'k':
    case 'b':
    case 'n':
    case 't':
        if (number(arg, name, &v) != 0)
            return CLI_USAGE;
        if (c == 'k')
            a->o.keep = v > 1000 ? 1000 : (unsigned)v;
        else if (c == 'b')
            a->o.max_total_bytes = v;
        else if (c == 'n')
            a->o.max_entries = v;
        else
            a->o.hook_timeout_ms = v > 86400000 ? 86400000u : (unsigned)v;
        if (c == 'k' && v < 2) {
            cli_usage_error("--keep needs at least 2");
            return CLI_USAGE;
        }
        return 0;
    case 'f':
        if (strcmp(arg, "auto") == 0 || strcmp(arg, "tar") == 0 || strcmp(arg, "file") == 0) {
            a->o.format = arg[0] == 'a'   ? RAMPART_INSTALL_AUTO
                          : arg[0] == 't' ? RAMPART_INSTALL_TAR
                                          : RAMPART_INSTALL_FILE;
            return 0;
        }
        cli_usage_error("--format is auto, tar or file, not '%s'", arg);
        return CLI_USAGE;
    case 'P':
        hook = 0;
        break;
    case 'Q':
        hook = 1;
        break;
    case 'H':
        hook = 2;
        break;
    default:
        return CLI_USAGE;
    }
    free(a->hookbuf[hook]);
    return split_hook(arg, &a->hookbuf[hook], a->hooks[hook], name);
}

static int add_url(const char **list, size_t *n, const char *v, const char *what)
{
    if (*n == MAX_URLS) {
        cli_usage_error("at most %d %s", MAX_URLS, what);
        return CLI_USAGE;
    }
    list[(*n)++] = v;
    return 0;
}

enum {
    O_INTO = 256,
    O_MDIR,
    O_MURL,
    O_TURL,
    O_TNAME,
    O_FILE,
    O_CA,
    O_INSECURE,
    O_SETUID,
    O_DOWNGRADE,
    O_KEEP,
    O_FORMAT,
    O_MAXBYTES,
    O_MAXENTRIES,
    O_HOOKTIME,
    O_PRE,
    O_POST,
    O_HEALTH
};

static int install_opt(void *ctx, int id, const char *arg)
{
    struct install_args *a = ctx;
    /* set_option's letters, kept for its table of numbers and hooks */
    static const struct {
        int id, letter;
        const char *name;
    } map[] = {
        {O_KEEP, 'k', "--keep"},
        {O_FORMAT, 'f', "--format"},
        {O_MAXBYTES, 'b', "--max-bytes"},
        {O_MAXENTRIES, 'n', "--max-entries"},
        {O_HOOKTIME, 't', "--hook-timeout"},
        {O_PRE, 'P', "--pre-install"},
        {O_POST, 'Q', "--post-install"},
        {O_HEALTH, 'H', "--health-check"},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (map[i].id == id)
            return set_option(a, map[i].letter, map[i].name, arg);
    switch (id) {
    case O_INTO:
        a->into = arg;
        return 0;
    case O_MDIR:
        a->metadata_dir = arg;
        return 0;
    case O_MURL:
        return add_url(a->murls, &a->nmurls, arg, "--metadata-url");
    case O_TURL:
        return add_url(a->turls, &a->nturls, arg, "--target-base-url");
    case O_TNAME:
        a->target_name = arg;
        return 0;
    case O_FILE:
        a->file = arg;
        return 0;
    case O_CA:
        a->ca_file = arg;
        return 0;
    case O_INSECURE:
        a->insecure = 1;
        return 0;
    case O_SETUID:
        a->o.allow_setuid = 1;
        return 0;
    default: /* O_DOWNGRADE */
        a->o.allow_downgrade = 1;
        return 0;
    }
}

static const struct cli_opt install_opts[] = {
    {"into", required_argument, O_INTO, 0, "DIR", "the install folder (required)"},
    {"metadata-dir", required_argument, O_MDIR, 0, "DIR", "the client's trusted metadata folder (required)"},
    {"metadata-url", required_argument, O_MURL, 0, "URL", "metadata base URL (required; repeat for mirrors)"},
    {"target-base-url", required_argument, O_TURL, 0, "URL", "target base URL (required without --file)"},
    {"target-name", required_argument, O_TNAME, 0, "NAME", "the release's target path (required)"},
    {"file", required_argument, O_FILE, 0, "PATH",
     "install this already downloaded file, only if its length and\nhashes match the trusted metadata"},
    {"keep", required_argument, O_KEEP, 0, "N", "versions kept (default 3, at least 2)"},
    {"format", required_argument, O_FORMAT, 0, "F", "auto (by the name, default), tar or file"},
    {"max-bytes", required_argument, O_MAXBYTES, 0, "N", "cap on the bytes an archive extracts (default 1073741824)"},
    {"max-entries", required_argument, O_MAXENTRIES, 0, "N", "cap on an archive's entries (default 100000)"},
    {"allow-setuid", no_argument, O_SETUID, 0, NULL, "keep set-uid/set-gid files"},
    {"allow-downgrade", no_argument, O_DOWNGRADE, 0, NULL, "install a version below the highest installed"},
    {"pre-install", required_argument, O_PRE, 0, "CMD", "run before the switch (words split on spaces, no shell)"},
    {"post-install", required_argument, O_POST, 0, "CMD", "run after the switch; failure reverts"},
    {"health-check", required_argument, O_HEALTH, 0, "CMD", "run last; failure or timeout reverts"},
    {"hook-timeout", required_argument, O_HOOKTIME, 0, "MS", "per hook (default 60000)"},
    {"ca-file", required_argument, O_CA, 0, "FILE", "trust this CA bundle instead of the system store"},
    {"allow-insecure-http", no_argument, O_INSECURE, 0, NULL, "allow plain http:// to non-loopback hosts"},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct cli_cmd install_cmd = {
    "install",
    "install --into DIR --metadata-dir DIR --metadata-url URL --target-base-url URL\n"
    "               --target-name NAME [--file PATH] [options]",
    "Installs a verified release (a tar archive, plain or compressed, or a single file) into\n"
    "DIR/versions/VERSION and switches DIR/current to it atomically.  The version is the\n"
    "target's signed custom \"version\" (a semantic version).  Without --file the target is\n"
    "downloaded and verified; with --file, PATH (e.g. from `rampart client download`) is\n"
    "installed only if its length and hashes match the trusted metadata.",
    install_opts, install_opt};

static int parse(int argc, char **argv, struct install_args *a)
{
    int npos = 0;
    int rc = cli_parse(&install_cmd, argc, argv, a, &npos);
    if (rc != 0)
        return rc == CLI_HELP ? -1 : rc;
    if (npos != 0) {
        cli_usage_error("unexpected argument '%s'", argv[1]);
        return CLI_USAGE;
    }
    if (a->into == NULL || a->metadata_dir == NULL || a->target_name == NULL || a->nmurls == 0 ||
        (a->file == NULL && a->nturls == 0)) {
        cli_usage_error("--into, --metadata-dir, --metadata-url, --target-name and --target-base-url (or "
                        "--file) are required");
        return CLI_USAGE;
    }
    for (int i = 0; i < 3; i++)
        if (a->hookbuf[i] != NULL)
            *(i == 0 ? &a->o.pre_install : i == 1 ? &a->o.post_install : &a->o.health_check) = a->hooks[i];
    a->o.root_dir = a->into;
    a->o.log = cli_log;
    return 0;
}

/* Finds the target with a fresh refresh and installs it. */
static int run_install(struct install_args *a, rampart_installer *in)
{
    rampart_client_options co = RAMPART_CLIENT_OPTIONS_INIT;
    co.metadata_dir = a->metadata_dir;
    co.metadata_urls = a->murls;
    co.metadata_url_count = a->nmurls;
    co.target_urls = a->turls;
    co.target_url_count = a->nturls;
    co.ca_file = a->ca_file;
    co.allow_insecure_http = a->insecure;
    rampart_client *c = NULL;
    rampart_error err = {0};
    int rc = rampart_client_new(&c, &co, &err);
    if (rc != 0) {
        cli_report("install", rc, &err);
        return CLI_FAIL;
    }
    rampart_target *t = NULL;
    rc = rampart_client_get_target_info(c, a->target_name, &t);
    if (rc != 0) {
        cli_report("install", rc, rampart_client_last_error(c));
        rampart_client_free(c);
        return CLI_FAIL;
    }
    if (a->file != NULL) {
        /* Opened once; the installer reads only this descriptor (S68). */
        int fd = open(a->file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) {
            cli_error(RAMPART_EIO, "cannot open '%s': %s", a->file, strerror(errno));
            rc = RAMPART_EIO;
        } else {
            rc = rampart_installer_install(in, t, fd);
            close(fd);
            if (rc != 0)
                cli_report("install", rc, rampart_installer_last_error(in));
        }
    } else {
        rc = rampart_installer_download_install(in, c, t);
        if (rc != 0)
            cli_report("install", rc, rampart_installer_last_error(in));
    }
    rampart_target_free(t);
    rampart_client_free(c);
    return rc == 0 ? CLI_OK : CLI_FAIL;
}

static int print_state(rampart_installer *in, const char *what)
{
    char *cur = NULL, *prev = NULL;
    int rc = rampart_installer_current(in, &cur, &prev);
    if (rc != 0) {
        cli_report(what, rc, rampart_installer_last_error(in));
        return CLI_FAIL;
    }
    printf("active: %s\nprevious: %s\n", cur, prev != NULL ? prev : "(none)");
    rampart_string_free(cur);
    rampart_string_free(prev);
    return CLI_OK;
}

int cmd_install(int argc, char **argv)
{
    struct install_args a;
    memset(&a, 0, sizeof(a));
    a.o = (rampart_install_options)RAMPART_INSTALL_OPTIONS_INIT;
    int rc = parse(argc, argv, &a);
    rampart_installer *in = NULL;
    if (rc == 0) {
        rampart_error err = {0};
        int r = rampart_installer_new(&in, &a.o, &err);
        if (r != 0) {
            cli_report("install", r, &err);
            rc = CLI_FAIL;
        }
    }
    if (rc == 0)
        rc = run_install(&a, in);
    if (rc == 0)
        rc = print_state(in, "install");
    rampart_installer_free(in);
    for (int i = 0; i < 3; i++)
        free(a.hookbuf[i]);
    return rc < 0 ? CLI_OK : rc;
}

static int rollback_opt(void *ctx, int id, const char *arg)
{
    (void)id;
    *(const char **)ctx = arg;
    return 0;
}

static const struct cli_opt rollback_opts[] = {
    {"into", required_argument, O_INTO, 0, "DIR", "the install folder (required)"},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct cli_cmd rollback_cmd = {"rollback", "rollback --into DIR",
                                            "Makes the previous version installed in DIR active again.", rollback_opts,
                                            rollback_opt};

int cmd_rollback(int argc, char **argv)
{
    const char *into = NULL;
    int npos = 0;
    int prc = cli_parse(&rollback_cmd, argc, argv, &into, &npos);
    if (prc != 0)
        return prc == CLI_HELP ? CLI_OK : prc;
    if (npos != 0 || into == NULL) {
        cli_usage_error(npos != 0 ? "unexpected argument '%s'" : "--into DIR is required%s", npos != 0 ? argv[1] : "");
        return CLI_USAGE;
    }
    rampart_install_options o = RAMPART_INSTALL_OPTIONS_INIT;
    o.root_dir = into;
    rampart_installer *in = NULL;
    rampart_error err = {0};
    int rc = rampart_installer_new(&in, &o, &err);
    if (rc != 0) {
        cli_report("rollback", rc, &err);
        return CLI_FAIL;
    }
    rc = rampart_installer_rollback(in);
    if (rc != 0) {
        cli_report("rollback", rc, rampart_installer_last_error(in));
        rampart_installer_free(in);
        return CLI_FAIL;
    }
    rc = print_state(in, "rollback");
    rampart_installer_free(in);
    return rc;
}
