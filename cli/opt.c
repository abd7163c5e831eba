/*
 * opt.c - the table-driven option parser of every `rampart` command
 * (opt.h): one table per (sub)command, options before or after the
 * operands, "did you mean" for typos, one-line usage errors (exit 2).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

enum { C_HELP = -100, C_QUIET, C_VERBOSE };

/* The options every command takes, parsed here and never by the tables. */
static const struct cli_opt common_opts[] = {
    {"help", no_argument, C_HELP, 'h', NULL, "print this help and exit"},
    {"quiet", no_argument, C_QUIET, 'q', NULL, "print only errors (and --json output)"},
    {"verbose", no_argument, C_VERBOSE, 'v', NULL, "explain each decision on standard error; -vv: each request too"},
    {NULL, 0, 0, 0, NULL, NULL},
};

/* Edit distance (insert, delete, replace, swap of neighbours), capped. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return (size_t)-1;
    size_t d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

const char *cli_suggest(const char *word, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1, len = strlen(word);
    /* A typo: at most 1 edit in a word of up to 4 letters, 2 in longer ones;
     * a prefix of a single name also counts (`--meta` for `--metadata-dir`). */
    size_t limit = len <= 4 ? 1 : 2;
    for (size_t i = 0; i < n; i++) {
        size_t d = distance(word, names[i]);
        if (d <= limit && d < best_d) {
            best = names[i];
            best_d = d;
        }
    }
    if (best != NULL || len < 3)
        return best;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(word, names[i], len) == 0) {
            if (best != NULL)
                return NULL; /* more than one: no guess */
            best = names[i];
        }
    }
    return best;
}

static const struct cli_opt *find_long(const struct cli_opt *t, const char *name, size_t len)
{
    for (; t != NULL && t->name != NULL; t++)
        if (strlen(t->name) == len && strncmp(t->name, name, len) == 0)
            return t;
    return NULL;
}

static const struct cli_opt *find_short(const struct cli_opt *t, char c)
{
    for (; t != NULL && t->name != NULL; t++)
        if (t->short_name != 0 && t->short_name == c)
            return t;
    return NULL;
}

/* The subcommands beside the one running (set by cli_dispatch), so that an
 * option of another one is named as such. */
static const struct cli_sub *siblings;
static size_t nsiblings;

/* "'--x' is not an option of 'repo list' (it is one of repo rotate, ...)". */
static int sibling_option(const struct cli_cmd *cmd, const char *arg, size_t len)
{
    char list[256] = "";
    size_t used = 0;
    for (size_t s = 0; s < nsiblings && arg[1] == '-'; s++) {
        if (siblings[s].cmd != cmd && find_long(siblings[s].cmd->opts, arg + 2, len - 2) != NULL) {
            int w = snprintf(list + used, sizeof(list) - used, "%s'%s'", used ? ", " : "", siblings[s].cmd->name);
            if (w < 0 || (size_t)w >= sizeof(list) - used)
                break;
            used += (size_t)w;
        }
    }
    if (used == 0)
        return 0;
    cli_usage_error("'%.*s' is not an option of '%s' (it is one of %s)", (int)len, arg, cmd->name, list);
    return CLI_USAGE;
}

/* "unknown option '--x' (did you mean '--y'?)": a usage error. */
static int unknown_option(const struct cli_cmd *cmd, const char *arg, size_t len)
{
    if (sibling_option(cmd, arg, len) != 0)
        return CLI_USAGE;
    const char *names[128];
    size_t n = 0;
    for (const struct cli_opt *t = cmd->opts; t != NULL && t->name != NULL && n < 128; t++)
        names[n++] = t->name;
    for (const struct cli_opt *t = common_opts; t->name != NULL && n < 128; t++)
        names[n++] = t->name;
    char word[80];
    const char *guess = NULL;
    if (arg[1] == '-' && len - 2 < sizeof(word)) {
        memcpy(word, arg + 2, len - 2);
        word[len - 2] = '\0';
        guess = cli_suggest(word, names, n);
    }
    if (guess != NULL)
        cli_usage_error("unknown option '%.*s' (did you mean '--%s'?)", (int)len, arg, guess);
    else
        cli_usage_error("unknown option '%.*s'", (int)len, arg);
    return CLI_USAGE;
}

struct parse_state {
    const struct cli_cmd *cmd;
    void *ctx;
    bool help, json;
    int verbose, quiet;
};

static int apply(struct parse_state *st, const struct cli_opt *o, const char *value)
{
    switch (o->id) {
    case C_HELP:
        st->help = true;
        return 0;
    case C_QUIET:
        st->quiet = 1;
        return 0;
    case C_VERBOSE:
        st->verbose++;
        return 0;
    default:
        if (strcmp(o->name, "json") == 0)
            st->json = true;
        return st->cmd->on_opt(st->ctx, o->id, value);
    }
}

static const struct cli_opt *lookup_long(const struct cli_cmd *cmd, const char *name, size_t len)
{
    const struct cli_opt *o = find_long(cmd->opts, name, len);
    return o != NULL ? o : find_long(common_opts, name, len);
}

static const struct cli_opt *lookup_short(const struct cli_cmd *cmd, char c)
{
    const struct cli_opt *o = find_short(cmd->opts, c);
    return o != NULL ? o : find_short(common_opts, c);
}

/* One argument starting with '-': *i moves past a value it consumes. */
static int parse_one(struct parse_state *st, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    if (arg[1] == '-') {
        const char *eq = strchr(arg + 2, '=');
        size_t len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
        const struct cli_opt *o = lookup_long(st->cmd, arg + 2, len - 2);
        if (o == NULL)
            return unknown_option(st->cmd, arg, len);
        if (o->has_arg == no_argument && eq != NULL) {
            cli_usage_error("option '--%s' takes no value", o->name);
            return CLI_USAGE;
        }
        if (o->has_arg != no_argument && eq == NULL) {
            if (*i + 1 >= argc) {
                cli_usage_error("option '--%s' needs a value (%s)", o->name, o->metavar ? o->metavar : "VALUE");
                return CLI_USAGE;
            }
            return apply(st, o, argv[++*i]);
        }
        return apply(st, o, eq != NULL ? eq + 1 : NULL);
    }
    /* Short options: a cluster of flags (-vv, -qh), the last may take a
     * value (-kFILE or -k FILE). */
    for (const char *p = arg + 1; *p != '\0'; p++) {
        const struct cli_opt *o = lookup_short(st->cmd, *p);
        if (o == NULL) {
            cli_usage_error("unknown option '-%c'", *p);
            return CLI_USAGE;
        }
        if (o->has_arg == no_argument) {
            int rc = apply(st, o, NULL);
            if (rc != 0)
                return rc;
            continue;
        }
        if (p[1] != '\0')
            return apply(st, o, p + 1);
        if (*i + 1 >= argc) {
            cli_usage_error("option '-%c' needs a value (%s)", *p, o->metavar ? o->metavar : "VALUE");
            return CLI_USAGE;
        }
        return apply(st, o, argv[++*i]);
    }
    return 0;
}

/* -q: standard output goes nowhere (unless --json asked for it). */
static void go_quiet(void)
{
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return; /* output stays: better too much than a failure */
    if (fflush(stdout) == 0)
        (void)dup2(fd, STDOUT_FILENO); /* on failure output simply stays */
    (void)close(fd);                   /* only /dev/null */
}

int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *ctx, int *npos)
{
    cli_set_command(cmd->name);
    struct parse_state st = {.cmd = cmd, .ctx = ctx};
    int w = 1, rc = 0;
    bool opts_done = false;
    for (int i = 1; i < argc && rc == 0; i++) {
        const char *arg = argv[i];
        if (!opts_done && strcmp(arg, "--") == 0)
            opts_done = true;
        else if (!opts_done && arg[0] == '-' && arg[1] != '\0')
            rc = parse_one(&st, argc, argv, &i);
        else
            argv[w++] = argv[i]; /* w <= i: operands move down, in order */
    }
    if (rc != 0)
        return rc;
    if (st.help) {
        cli_print_help(stdout, cmd);
        return CLI_HELP;
    }
    if (st.quiet && st.verbose > 0) {
        cli_usage_error("-q and -v exclude each other");
        return CLI_USAGE;
    }
    int v = cli_verbosity();
    if (st.quiet)
        cli_set_verbosity(-1);
    else if (st.verbose > 0)
        cli_set_verbosity((v < 0 ? 0 : v) + st.verbose);
    if (cli_verbosity() < 0 && !st.json)
        go_quiet();
    *npos = w - 1;
    return 0;
}

static void print_synopsis(FILE *f, const char *lead, const char *syn)
{
    fprintf(f, "%srampart ", lead);
    for (const char *p = syn; *p != '\0'; p++) {
        fputc(*p, f);
        if (*p == '\n' && p[1] != '\0')
            fprintf(f, "%*s", (int)strlen(lead), "");
    }
    fputc('\n', f);
}

static void print_opts(FILE *f, const struct cli_opt *t)
{
    for (; t != NULL && t->name != NULL; t++) {
        char left[64];
        if (t->short_name != 0)
            (void)snprintf(left, sizeof(left), "-%c, --%s%s%s", t->short_name, t->name, t->metavar ? " " : "",
                           t->metavar ? t->metavar : ""); /* cut if ever longer: help text only */
        else
            (void)snprintf(left, sizeof(left), "    --%s%s%s", t->name, t->metavar ? " " : "",
                           t->metavar ? t->metavar : "");
        fprintf(f, "  %-26s ", left);
        for (const char *p = t->help; *p != '\0'; p++) {
            fputc(*p, f);
            if (*p == '\n')
                fprintf(f, "%29s", "");
        }
        fputc('\n', f);
    }
}

void cli_print_help(FILE *f, const struct cli_cmd *cmd)
{
    print_synopsis(f, "usage: ", cmd->synopsis);
    if (cmd->about != NULL)
        fprintf(f, "\n%s\n", cmd->about);
    if (cmd->opts != NULL && cmd->opts[0].name != NULL) {
        fprintf(f, "\noptions:\n");
        print_opts(f, cmd->opts);
    }
    fprintf(f, "\ncommon options:\n");
    print_opts(f, common_opts);
    fprintf(f, "exit status: 0 success, 1 failure, 2 bad usage\n");
}

/* The option `arg` of any subcommand, to know whether it takes a value. */
static const struct cli_opt *any_option(const struct cli_sub *subs, size_t n, const char *arg)
{
    for (size_t s = 0; s < n; s++) {
        const struct cli_opt *o = NULL;
        if (arg[1] == '-') {
            const char *eq = strchr(arg + 2, '=');
            if (eq != NULL)
                return NULL; /* the value is attached */
            o = lookup_long(subs[s].cmd, arg + 2, strlen(arg + 2));
        } else if (arg[2] == '\0') {
            o = lookup_short(subs[s].cmd, arg[1]);
        }
        if (o != NULL)
            return o;
    }
    return NULL;
}

static void print_command_usage(FILE *f, const struct cli_sub *subs, size_t n)
{
    for (size_t s = 0; s < n; s++)
        print_synopsis(f, s == 0 ? "usage: " : "       ", subs[s].cmd->synopsis);
}

static int run_help(const char *name, const struct cli_sub *subs, size_t n, const char *which)
{
    for (size_t s = 0; which != NULL && s < n; s++) {
        if (strcmp(subs[s].cmd->name + strlen(name) + 1, which) == 0) {
            cli_print_help(stdout, subs[s].cmd);
            return CLI_OK;
        }
    }
    print_command_usage(stdout, subs, n);
    printf("\nRun 'rampart %s SUBCOMMAND --help' for a subcommand's options.\n", name);
    return CLI_OK;
}

int cli_dispatch(const char *name, const struct cli_sub *subs, size_t n, int argc, char **argv)
{
    cli_set_command(name);
    int k = 1;
    bool help = false;
    for (; k < argc; k++) {
        const char *arg = argv[k];
        if (arg[0] != '-' || arg[1] == '\0' || strcmp(arg, "--") == 0)
            break;
        help |= strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
        const struct cli_opt *o = any_option(subs, n, arg);
        if (o != NULL && o->has_arg != no_argument)
            k++;
    }
    if (k >= argc || strcmp(argv[k], "--") == 0) {
        if (help)
            return run_help(name, subs, n, NULL);
        cli_usage_error("a subcommand is needed (see 'rampart %s --help')", name);
        return CLI_USAGE;
    }
    const char *word = argv[k];
    if (strcmp(word, "help") == 0)
        return run_help(name, subs, n, k + 1 < argc ? argv[k + 1] : NULL);
    const char *names[64];
    size_t len = strlen(name);
    for (size_t s = 0; s < n && s < 64; s++) {
        names[s] = subs[s].cmd->name + len + 1;
        if (strcmp(names[s], word) != 0)
            continue;
        /* The subcommand word goes first; the options before it follow. */
        char *sub = argv[k];
        siblings = subs;
        nsiblings = n;
        memmove(argv + 2, argv + 1, (size_t)(k - 1) * sizeof(*argv));
        argv[1] = sub;
        return subs[s].fn(argc - 1, argv + 1);
    }
    const char *guess = cli_suggest(word, names, n < 64 ? n : 64);
    if (guess != NULL)
        cli_usage_error("unknown subcommand '%s' (did you mean '%s'?)", word, guess);
    else
        cli_usage_error("unknown subcommand '%s' (see 'rampart %s --help')", word, name);
    return CLI_USAGE;
}

int cli_number(const char *opt, const char *s, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '+' || s[0] == ' ' || v < min || v > max) {
        cli_usage_error("%s needs a number from %lld to %lld, not '%s'", opt, min, max, s);
        return CLI_USAGE;
    }
    *out = v;
    return 0;
}
