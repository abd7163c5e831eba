/* client_list.h - `rampart client list` (cmd_client_list.c). */
#ifndef RAMPART_CLI_CLIENT_LIST_H
#define RAMPART_CLI_CLIENT_LIST_H

#include "rampart/client.h"

/* Prints the trusted targets under `prefix` (NULL: all) of a client that
 * has refreshed; reports a failure itself.  0 or the RAMPART_E* code. */
int cli_client_list(rampart_client *c, const char *prefix, int json);

#endif
