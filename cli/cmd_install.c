/*
 * cmd_install.c - `rampart install` (install a verified release into a
 * versioned folder and switch to it) and `rampart rollback` (switch back);
 * see docs/install-releases.md and docs/man/rampart.1.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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
    int insecure, verbose;
};

static void install_usage(FILE *f)
{
    fprintf(f, "usage: rampart install --into DIR --metadata-dir DIR --metadata-url URL --target-base-url URL\n"
               "                       --target-name NAME [--file PATH] [options]\n\n"
               "Installs a verified release (a tar archive, plain or compressed, or a single file) into\n"
               "DIR/versions/VERSION and switches DIR/current to it atomically.  The version is the\n"
               "target's signed custom \"version\" (a semantic version).  Without --file the target is\n"
               "downloaded and verified; with --file, PATH (e.g. from `rampart client download`) is\n"
               "installed only if its length and hashes match the trusted metadata.\n\n"
               "options:\n"
               "  --keep N              versions kept (default 3, at least 2)\n"
               "  --format F            auto (by the name, default), tar or file\n"
               "  --max-bytes N         cap on the bytes an archive extracts (default 1073741824)\n"
               "  --max-entries N       cap on an archive's entries (default 100000)\n"
               "  --allow-setuid        keep set-uid/set-gid files\n"
               "  --allow-downgrade     install a version below the highest installed\n"
               "  --pre-install CMD     run before the switch (words split on spaces, no shell)\n"
               "  --post-install CMD    run after the switch; failure reverts\n"
               "  --health-check CMD    run last; failure or timeout reverts\n"
               "  --hook-timeout MS     per hook (default 60000)\n"
               "  --ca-file FILE, --allow-insecure-http, -v/--verbose, -h/--help\n");
}

static void on_log(void *ctx, int level, const char *msg)
{
    (void)ctx;
    (void)level;
    fprintf(stderr, "rampart: install: %s\n", msg);
}

/* Splits `cmd` on spaces into the NULL-terminated vector `argv` (no shell,
 * no quoting: names never pass through a shell). */
static int split_hook(const char *cmd, char **buf, const char **argv, const char *what)
{
    *buf = strdup(cmd);
    if (*buf == NULL) {
        cli_errorf("install: out of memory");
        return CLI_FAIL;
    }
    size_t n = 0;
    char *save = NULL;
    for (char *w = strtok_r(*buf, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
        if (n == MAX_ARGS) {
            cli_errorf("install: %s has more than %d words", what, MAX_ARGS);
            return CLI_USAGE;
        }
        argv[n++] = w;
    }
    if (n == 0) {
        cli_errorf("install: %s is empty", what);
        return CLI_USAGE;
    }
    argv[n] = NULL;
    return 0;
}

static int number(const char *s, const char *what, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || s[0] == '\0' || s[0] == '-' || v == 0) {
        cli_errorf("install: %s needs a positive number, not '%s'", what, s);
        return CLI_USAGE;
    }
    *out = v;
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
            cli_errorf("install: --keep needs at least 2");
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
        cli_errorf("install: --format is auto, tar or file, not '%s'", arg);
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
        cli_errorf("install: at most %d %s", MAX_URLS, what);
        return CLI_USAGE;
    }
    list[(*n)++] = v;
    return 0;
}

static int parse(int argc, char **argv, struct install_args *a)
{
    enum { O_INTO = 256, O_MDIR, O_MURL, O_TURL, O_TNAME, O_FILE, O_CA, O_INSECURE, O_SETUID, O_DOWNGRADE };
    static const struct option opts[] = {
        {"into", required_argument, NULL, O_INTO},
        {"metadata-dir", required_argument, NULL, O_MDIR},
        {"metadata-url", required_argument, NULL, O_MURL},
        {"target-base-url", required_argument, NULL, O_TURL},
        {"target-name", required_argument, NULL, O_TNAME},
        {"file", required_argument, NULL, O_FILE},
        {"ca-file", required_argument, NULL, O_CA},
        {"allow-insecure-http", no_argument, NULL, O_INSECURE},
        {"allow-setuid", no_argument, NULL, O_SETUID},
        {"allow-downgrade", no_argument, NULL, O_DOWNGRADE},
        {"keep", required_argument, NULL, 'k'},
        {"format", required_argument, NULL, 'f'},
        {"max-bytes", required_argument, NULL, 'b'},
        {"max-entries", required_argument, NULL, 'n'},
        {"hook-timeout", required_argument, NULL, 't'},
        {"pre-install", required_argument, NULL, 'P'},
        {"post-install", required_argument, NULL, 'Q'},
        {"health-check", required_argument, NULL, 'H'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    int c, rc = 0, idx = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, "+vh", opts, &idx)) != -1) {
        switch (c) {
        case O_INTO:
            a->into = optarg;
            break;
        case O_MDIR:
            a->metadata_dir = optarg;
            break;
        case O_MURL:
            rc = add_url(a->murls, &a->nmurls, optarg, "--metadata-url");
            break;
        case O_TURL:
            rc = add_url(a->turls, &a->nturls, optarg, "--target-base-url");
            break;
        case O_TNAME:
            a->target_name = optarg;
            break;
        case O_FILE:
            a->file = optarg;
            break;
        case O_CA:
            a->ca_file = optarg;
            break;
        case O_INSECURE:
            a->insecure = 1;
            break;
        case O_SETUID:
            a->o.allow_setuid = 1;
            break;
        case O_DOWNGRADE:
            a->o.allow_downgrade = 1;
            break;
        case 'v':
            a->verbose = 1;
            break;
        case 'h':
            install_usage(stdout);
            return -1;
        case '?':
            install_usage(stderr);
            return CLI_USAGE;
        default:
            rc = set_option(a, c, opts[idx].name, optarg);
            break;
        }
    }
    if (rc != 0)
        return rc;
    if (optind != argc) {
        cli_errorf("install: unexpected argument '%s'", argv[optind]);
        return CLI_USAGE;
    }
    if (a->into == NULL || a->metadata_dir == NULL || a->target_name == NULL || a->nmurls == 0 ||
        (a->file == NULL && a->nturls == 0)) {
        cli_errorf("install: --into, --metadata-dir, --metadata-url, --target-name and --target-base-url (or "
                   "--file) are required");
        return CLI_USAGE;
    }
    for (int i = 0; i < 3; i++)
        if (a->hookbuf[i] != NULL)
            *(i == 0 ? &a->o.pre_install : i == 1 ? &a->o.post_install : &a->o.health_check) = a->hooks[i];
    a->o.root_dir = a->into;
    if (a->verbose)
        a->o.log = on_log;
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
            cli_errorf("install: cannot open '%s': %s [RAMPART_EIO]", a->file, strerror(errno));
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

int cmd_rollback(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        printf("usage: rampart rollback --into DIR\n\nMakes the previous version installed in DIR active again.\n");
        return CLI_OK;
    }
    if (argc != 3 || strcmp(argv[1], "--into") != 0) {
        cli_errorf("rollback: usage: rampart rollback --into DIR");
        return CLI_USAGE;
    }
    rampart_install_options o = RAMPART_INSTALL_OPTIONS_INIT;
    o.root_dir = argv[2];
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
