/*
 * rampart/rampart.h - the whole public API of librampart.
 *
 * librampart verifies software updates end to end with The Update
 * Framework (TUF): a client that refreshes and verifies metadata and
 * downloads targets, the tooling to run a repository, and release
 * provenance (DSSE-signed in-toto / SLSA attestations and the policies that
 * enforce them).  It never prints, never exits, and keeps no hidden global
 * state (the allocator hook of rampart/alloc.h is the one documented
 * process-wide setting).
 *
 * Threads: each header states its rule.  In short: a handle is used by one
 * thread at a time, different handles may be used in different threads at
 * once, and objects that never change once made (targets, public keys,
 * parsed envelopes, statements and policies) may be read from many threads
 * at once.  librampart initialises no library for the application except
 * libcurl (curl_global_init on a client's first network access: see
 * rampart/client.h for when to call it yourself) and cleans none up.
 * OpenSSL 3 initialises itself on first use, thread-safely; jansson picks
 * its hash seed on first use, thread-safely when it was built with atomic
 * or sync builtins (JSON_HAVE_ATOMIC_BUILTINS or JSON_HAVE_SYNC_BUILTINS in
 * jansson_config.h).
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
#include "provenance.h"
#include "tlog.h"
#include "witness.h"
#include "monitor.h"
#include "install.h"
#include "assess.h"
#include "audit.h"
#include "agent.h"

#endif /* RAMPART_RAMPART_H */
