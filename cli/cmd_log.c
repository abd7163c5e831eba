/*
 * cmd_log.c - `rampart log monitor` (docs/transparency.md "Monitor").
 */
#include "cli.h"

int cmd_log(int argc, char **argv)
{
    (void)argc, (void)argv;
    cli_usage_error("rampart log monitor is not built yet");
    return CLI_USAGE;
}
