/*
 * opt.h - the option parser every `rampart` command shares (opt.c).
 *
 * Each command and subcommand describes its options in one table of
 * struct cli_opt rows and its usage in one struct cli_cmd; cli_parse reads
 * the command line by that table only, so a subcommand accepts exactly its
 * own options (and the common ones: -h/--help, -q/--quiet, -v/--verbose),
 * in any order and before or after its operands.  An unknown option is a
 * usage error (exit status 2) with a "did you mean" suggestion.
 */
#ifndef RAMPART_CLI_OPT_H
#define RAMPART_CLI_OPT_H

#include <getopt.h> /* no_argument, required_argument: the values of cli_opt.has_arg */
#include <stddef.h>
#include <stdio.h>

/* cli_parse's result when it printed the help text: the command exits 0. */
#define CLI_HELP (-1)

/* One option of a command: `--name` (and `-c` when short_name is set). */
struct cli_opt {
    const char *name;    /* long name without "--"; NULL ends a table */
    int has_arg;         /* no_argument or required_argument */
    int id;              /* passed to the handler */
    char short_name;     /* 0: none */
    const char *metavar; /* the value's name in the help text ("FILE") */
    const char *help;    /* one line (continuation lines start with '\n') */
};

/* Called for each option in command-line order; returns 0, or CLI_USAGE /
 * CLI_FAIL after reporting the error. */
typedef int (*cli_opt_fn)(void *ctx, int id, const char *arg);

/* A command or subcommand: its name as messages show it ("repo list"), its
 * synopsis (the usage text after "rampart "; further lines start with
 * spaces), a paragraph about it (or NULL), its table and handler. */
struct cli_cmd {
    const char *name;
    const char *synopsis;
    const char *about;
    const struct cli_opt *opts;
    cli_opt_fn on_opt;
};

/* Parses argv[1..argc-1] (argv[0] is the command word) by cmd's table:
 * calls cmd->on_opt(ctx, id, value) for each option, and moves the operands
 * to argv[1..*npos] in order ("--" ends the options).  Returns 0; CLI_HELP
 * after printing the help to standard output; or CLI_USAGE after a
 * one-line message.  Sets the command name the error messages use. */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *ctx, int *npos);

/* Prints cmd's help: synopsis, about, its options, the common options. */
void cli_print_help(FILE *f, const struct cli_cmd *cmd);

/* A subcommand of a command with several (client, key, metadata, repo). */
struct cli_sub {
    const struct cli_cmd *cmd;
    int (*fn)(int argc, char **argv); /* argv[0] is the subcommand word */
};

/* Runs the subcommand of `name` that argv names: its word may follow
 * options (`rampart client --metadata-dir D refresh`), which are handed on
 * to it; `help [SUB]`, or -h/--help without a subcommand, prints the usage.
 * An unknown or missing subcommand is a usage error (with "did you mean"). */
int cli_dispatch(const char *name, const struct cli_sub *subs, size_t n, int argc, char **argv);

/* The closest of `n` names to `word` (a plausible typo), or NULL. */
const char *cli_suggest(const char *word, const char *const *names, size_t n);

/* Parses a decimal integer from min to max; otherwise reports "`opt` needs
 * a number from min to max" (a usage error) and returns CLI_USAGE. */
int cli_number(const char *opt, const char *s, long long min, long long max, long long *out);

#endif
