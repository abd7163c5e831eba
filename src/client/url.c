/* url.c - URL encoding and the scheme/loopback policy of the client. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <string.h>
#include <strings.h>

#include "client/url.h"
#include "util/banned.h"

static const char hexdig[] = "0123456789ABCDEF";

static bool unreserved(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

static int encode(rbuf *out, rslice s, bool (*keep)(uint8_t))
{
    for (size_t i = 0; i < s.n; i++) {
        uint8_t c = s.p[i];
        int rc;
        if (keep(c)) {
            rc = rbuf_append_byte(out, c);
        } else {
            char esc[3] = {'%', hexdig[c >> 4], hexdig[c & 15]};
            rc = rbuf_append(out, esc, 3);
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

int rurl_encode_all(rbuf *out, rslice s)
{
    return encode(out, s, unreserved);
}

static bool path_char(uint8_t c)
{
    /* RFC 3986 pchar minus '%' (always encoded) and ':' '@' kept, plus '/'. */
    return unreserved(c) || c == '/' || c == '!' || c == '$' || c == '&' || c == '\'' || c == '(' || c == ')' ||
           c == '*' || c == '+' || c == ',' || c == ';' || c == '=' || c == ':' || c == '@';
}

int rurl_encode_path(rbuf *out, rslice s)
{
    return encode(out, s, path_char);
}

bool rurl_host_is_loopback(const char *host)
{
    if (host == NULL)
        return false;
    if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0)
        return true;
    char buf[64];
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        if (n - 2 >= sizeof(buf))
            return false;
        memcpy(buf, host + 1, n - 2);
        buf[n - 2] = '\0';
        host = buf;
    }
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) == 1) {
        if (IN6_IS_ADDR_LOOPBACK(&a6))
            return true;
        /* ::ffff:127.x.y.z */
        return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
    }
    return false;
}

int rurl_check_base(const char *url, bool allow_http, rerr *e)
{
    CURLU *u = curl_url();
    if (u == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    char *scheme = NULL, *host = NULL, *user = NULL, *query = NULL, *frag = NULL;
    int rc = 0;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        rc = rerr_set(e, RAMPART_EINVAL, NULL, "not a valid URL: %s", url);
        goto out;
    }
    if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
        curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK ||
        curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0) == CURLUE_OK) {
        rc = rerr_set(e, RAMPART_EINVAL, NULL, "a base URL may not carry user info, a query or a fragment: %s", url);
        goto out;
    }
    if (strcmp(scheme, "https") == 0)
        goto out;
    if (strcmp(scheme, "http") != 0) {
        rc = rerr_set(e, RAMPART_EINVAL, NULL, "unsupported URL scheme '%s' (http or https only)", scheme);
        goto out;
    }
    if (!allow_http && !rurl_host_is_loopback(host))
        rc = rerr_set(e, RAMPART_EINSECURE, NULL,
                      "plain http:// is only allowed to loopback hosts (use https, or allow insecure http): %s", url);
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(query);
    curl_free(frag);
    curl_url_cleanup(u);
    return rc;
}
