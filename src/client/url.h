/*
 * url.h - URLs the client builds: percent-encoding of role names and target
 * paths, and which URLs are acceptable (scheme and loopback policy).
 */
#ifndef RAMPART_CLIENT_URL_H
#define RAMPART_CLIENT_URL_H

#include "util/buf.h"

/* Appends `s` percent-encoded with no safe characters besides the RFC 3986
 * unreserved set (A-Z a-z 0-9 - . _ ~): "/" becomes %2F, "?" %3F.  Used for
 * role names in URLs and in local file names (TUF: python-tuf quote(name, "")). */
int rurl_encode_all(rbuf *out, rslice s) RAMPART_MUST_USE;

/* Appends a target path for use in a URL: '/' kept as the separator,
 * unreserved characters and the sub-delimiters kept, everything else
 * (space, '%', '?', '#', controls, non-ASCII) percent-encoded. */
int rurl_encode_path(rbuf *out, rslice s) RAMPART_MUST_USE;

/* True when `host` (as in a URL, IPv6 possibly in brackets) names the
 * loopback interface: localhost, 127.0.0.0/8, ::1. */
bool rurl_host_is_loopback(const char *host);

/* Checks a base URL given by the application: http or https, a host, no
 * user info, no query or fragment; http only for loopback hosts unless
 * `allow_http`.  EINVAL / EINSECURE. */
int rurl_check_base(const char *url, bool allow_http, rerr *e) RAMPART_MUST_USE;

#endif
