/*
 * apt_release.h - a strict reader of an apt Release file (deb822, as the
 * Debian repository format describes it): the fields an assessment grades.
 *
 * Strict: "Name: value" lines with names of [A-Za-z0-9-], continuation
 * lines starting with a space, no duplicate field, no NUL, at most
 * APT_REL_MAX bytes and APT_REL_MAX_ENTRIES entries per hash field; each
 * hash entry is "HEX SIZE PATH" with the algorithm's hex length.  Errors:
 * RAMPART_EFORMAT with the line, ETOOLARGE.
 */
#ifndef RAMPART_ASSESS_APT_RELEASE_H
#define RAMPART_ASSESS_APT_RELEASE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"

#define APT_REL_MAX (8u << 20)
#define APT_REL_MAX_ENTRIES 100000

enum { APT_H_MD5, APT_H_SHA1, APT_H_SHA256, APT_H_SHA512, APT_H_COUNT };

typedef struct apt_release {
    rslice origin, label, suite, codename, signed_by, acquire_by_hash;
    bool has_date, has_valid_until;
    int64_t date, valid_until;   /* seconds since the epoch */
    size_t entries[APT_H_COUNT]; /* entries per hash field */
    bool has_field[APT_H_COUNT];
} apt_release;

/* Parses `n` bytes of `text` (the slices point into it). */
int apt_release_parse(const uint8_t *text, size_t n, apt_release *out, rerr *e) RAMPART_MUST_USE;

/* An RFC 2822 date as apt writes it ("Sat, 02 Dec 2026 10:00:00 UTC";
 * "GMT", "Z" or a numeric offset also accepted).  0 or EFORMAT. */
int apt_date_parse(rslice s, int64_t *out) RAMPART_MUST_USE;

/* The hash field names ("MD5Sum", "SHA1", "SHA256", "SHA512"). */
const char *apt_hash_field(int h);

#endif
