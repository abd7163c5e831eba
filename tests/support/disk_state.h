/*
 * disk_state.h - what the fault-injection tests (test_alloc_fail.c,
 * test_crashpoints.c) check on disk after an interrupted or failed update:
 * every role file in the metadata folder holds, byte for byte, a version
 * the simulator published, and no temporary file is left (or, after a
 * crash, only under its hidden temporary name); every file in a target
 * folder is a complete target.
 */
#ifndef RAMPART_TEST_DISK_STATE_H
#define RAMPART_TEST_DISK_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "sim.h"

/* Checks metadata folder `dir`: the lock file, role files "<role>.json"
 * whose bytes equal some published version of <role> in `s`, and (only
 * when `allow_tmp`) leftover ".rampart-tmp-*" files; anything else fails.
 * On failure writes the reason to why[0..whylen) and returns false. */
bool ds_metadata_ok(const char *dir, sim *s, bool allow_tmp, char *why, size_t whylen);

/* The version of `role` whose bytes dir/<role>.json holds: 0 when the file
 * is absent, -1 when it matches no published version. */
long long ds_role_version(const char *dir, sim *s, const char *role);

/* Checks target folder `dir` (recursively): each regular file at path P
 * must be the complete content of one of the `n` targets (paths[i],
 * data[i], lens[i]) with that path; folders are allowed; temporary files
 * only when `allow_tmp`.  False with a reason otherwise. */
bool ds_targets_ok(const char *dir, const char *const *paths, const void *const *data, const size_t *lens, size_t n,
                   bool allow_tmp, char *why, size_t whylen);

/* Number of ".rampart-tmp-*" files below `dir` (recursively). */
size_t ds_count_tmp(const char *dir);

/* Empties folder `dir` (keeps the folder itself). */
void ds_clear(const char *dir);

/* Writes published version `v` of `role` to dir/<role>.json. */
void ds_put_role(const char *dir, sim *s, const char *role, long long v);

#endif
