/*
 * post_curl.c - rampart_witness_post_http: one HTTP POST with libcurl, for
 * the witness requests of a repository publish (C2SP tlog-witness).  The
 * repository writer (src/repo) cannot reach libcurl; the application hands
 * it this function (rampart_repo_set_witness_post).
 *
 * Policy, as for the client's fetches: http and https only, plain http
 * only to a loopback host, TLS 1.2 or newer with peer and host verified, no
 * redirects, a connect timeout and a total deadline, the answer capped (the
 * transfer is aborted past it).
 */
#include <curl/curl.h>
#include <string.h>

#include "client/url.h"
#include "rampart/client.h"
#include "util/common.h"
#include "util/banned.h"

#define POST_CONNECT_MS 5000L
#define POST_TOTAL_MS 20000L

typedef struct answer {
    uint8_t *buf;
    size_t cap, len;
    bool over;
} answer;

static size_t on_data(char *p, size_t size, size_t nmemb, void *ud)
{
    answer *a = ud;
    size_t n = size * nmemb;
    if (n > a->cap - a->len) {
        a->over = true;
        return 0; /* aborts the transfer: more than the caller takes */
    }
    memcpy(a->buf + a->len, p, n);
    a->len += n;
    return n;
}

static bool setup(CURL *h, const char *url, const void *body, size_t len, answer *a)
{
    return curl_easy_setopt(h, CURLOPT_URL, url) == CURLE_OK && curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, POST_CONNECT_MS) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, POST_TOTAL_MS) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_POST, 1L) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_POSTFIELDS, body) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_WRITEDATA, a) == CURLE_OK;
}

/* http:// only to a loopback host (the client's rule). */
static bool scheme_ok(const char *url)
{
    if (strncmp(url, "https://", 8) == 0)
        return true;
    if (strncmp(url, "http://", 7) != 0)
        return false;
    char host[256];
    const char *h = url + 7, *end;
    if (*h == '[') {
        end = strchr(h, ']');
        if (end == NULL)
            return false;
        h++;
    } else {
        end = h + strcspn(h, ":/");
    }
    size_t n = (size_t)(end - h);
    if (n == 0 || n >= sizeof(host))
        return false;
    memcpy(host, h, n);
    host[n] = '\0';
    return rurl_host_is_loopback(host);
}

int rampart_witness_post_http(void *ctx, const char *url, const void *body, size_t len, int *status, void *resp,
                              size_t cap, size_t *resp_len)
{
    (void)ctx;
    if (url == NULL || (body == NULL && len > 0) || status == NULL || resp == NULL || resp_len == NULL)
        return RAMPART_EINVAL;
    if (!scheme_ok(url))
        return RAMPART_EINVAL;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return RAMPART_EINTERNAL;
    CURL *h = curl_easy_init();
    if (h == NULL)
        return RAMPART_ENOMEM;
    answer a = {.buf = resp, .cap = cap};
    int rc = setup(h, url, body, len, &a) ? 0 : RAMPART_EINTERNAL;
    long code = 0;
    if (rc == 0 && curl_easy_perform(h) != CURLE_OK)
        rc = a.over ? RAMPART_ETOOLARGE : RAMPART_ENET;
    if (rc == 0 && curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK)
        rc = RAMPART_ENET;
    curl_easy_cleanup(h);
    if (rc == 0) {
        *status = (int)code;
        *resp_len = a.len;
    }
    return rc;
}
