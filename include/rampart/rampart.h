/*
 * rampart/rampart.h - the whole public API of librampart.
 *
 * librampart verifies software updates end to end with The Update
 * Framework (TUF): a client that refreshes and verifies metadata and
 * downloads targets, and the tooling to run a repository.  It never prints,
 * never exits, and keeps no hidden global state (the allocator hook of
 * rampart/alloc.h is the one documented process-wide setting).
 */
#ifndef RAMPART_RAMPART_H
#define RAMPART_RAMPART_H

#include "error.h"
#include "alloc.h"
#include "version.h"
#include "metadata.h"
#include "client.h"
#include "signer.h"
#include "repo.h"


#endif /* RAMPART_RAMPART_H */
