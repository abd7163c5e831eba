/*
 * cmd_client_list.c - `rampart client list [PREFIX]`: the trusted targets
 * (after a refresh), so that an endpoint can discover a new release.
 *
 * One line per target, sorted by path:
 *     PATH  LENGTH  VERSION  ALG:HEX[,ALG:HEX...]
 * separated by two spaces, VERSION being the target's custom "version"
 * (a string or an integer) or "-".  Paths and versions are untrusted text,
 * printed with control characters replaced.  With --json, one array of
 * objects {"path", "length", "hashes": {ALG: HEX}, "version" (or null),
 * "custom" (or null), "role"}.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "client_list.h"

/* The custom "version" as text ("" when none). */
static void custom_version(const rampart_target *t, char *out, size_t n)
{
    out[0] = '\0';
    const char *custom = rampart_target_custom(t);
    if (custom == NULL)
        return;
    json_t *o = json_loads(custom, JSON_REJECT_DUPLICATES, NULL);
    json_t *v = o != NULL ? json_object_get(o, "version") : NULL;
    if (json_is_string(v))
        (void)snprintf(out, n, "%s", json_string_value(v));
    else if (json_is_integer(v))
        (void)snprintf(out, n, "%lld", (long long)json_integer_value(v));
    json_decref(o);
}

static void print_line(const rampart_target *t)
{
    char ver[256];
    custom_version(t, ver, sizeof(ver));
    cli_print_safe(stdout, rampart_target_path(t));
    printf("  %llu  ", (unsigned long long)rampart_target_length(t));
    cli_print_safe(stdout, ver[0] ? ver : "-");
    printf(" ");
    for (size_t i = 0; i < rampart_target_hash_count(t); i++) {
        const char *alg, *hex;
        if (rampart_target_hash(t, i, &alg, &hex) == 0)
            printf("%s%s:%s", i ? "," : " ", alg, hex);
    }
    printf("\n");
}

static json_t *to_json(const rampart_target *t)
{
    char ver[256];
    custom_version(t, ver, sizeof(ver));
    json_t *h = json_object();
    for (size_t i = 0; h != NULL && i < rampart_target_hash_count(t); i++) {
        const char *alg, *hex;
        if (rampart_target_hash(t, i, &alg, &hex) == 0)
            json_object_set_new(h, alg, json_string(hex));
    }
    const char *custom = rampart_target_custom(t);
    json_t *cj = custom != NULL ? json_loads(custom, 0, NULL) : json_null();
    return json_pack("{s:s,s:I,s:o,s:o,s:o,s:s}", "path", rampart_target_path(t), "length",
                     (json_int_t)rampart_target_length(t), "hashes", h, "version",
                     ver[0] ? json_string(ver) : json_null(), "custom", cj ? cj : json_null(), "role",
                     rampart_target_role(t));
}

int cli_client_list(rampart_client *c, const char *prefix, int json)
{
    rampart_target_iter *it = NULL;
    int rc = rampart_target_iter_new(&it, c, prefix);
    if (rc != 0) {
        cli_report("client list", rc, rampart_client_last_error(c));
        return rc;
    }
    json_t *arr = json ? json_array() : NULL;
    rampart_target *t;
    while ((rc = rampart_target_iter_next(it, &t)) == 0) {
        if (arr != NULL) {
            json_t *o = to_json(t);
            if (o == NULL || json_array_append_new(arr, o) != 0)
                rc = RAMPART_ENOMEM;
        } else {
            print_line(t);
        }
        rampart_target_free(t);
        if (rc != 0)
            break;
    }
    rampart_target_iter_free(it);
    if (rc != RAMPART_ENOTFOUND) {
        json_decref(arr);
        cli_errorf("client list: cannot list the targets: %s [%s]", rampart_strerror(rc), rampart_error_name(rc));
        return rc;
    }
    if (arr != NULL) {
        json_dumpf(arr, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
        fputc('\n', stdout);
        json_decref(arr);
    }
    return 0;
}
