/*
 * fuzz_json_diff.c - differential: util/jdoc (our parser) against
 * util/json (jansson with our strictness rules).  Both must accept or
 * reject the same inputs with the same code and, on success, produce the
 * same canonical bytes; any disagreement aborts.  The unit test
 * test_jdoc_diff does the same over fixed vectors and seeded mutations.
 */
#include "fuzz_common.h"
#include "util/jdoc.h"
#include "util/json.h"
#include "util/banned.h"

#define MAX_INPUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rbuf a, b;
    rbuf_init(&a, 4 * MAX_INPUT);
    rbuf_init(&b, 4 * MAX_INPUT);

    jdoc *d = NULL;
    jd_limits lim = {MAX_INPUT, 0, false};
    int ra = jdoc_parse(&d, data, size, false, &lim, NULL);
    if (ra == 0)
        ra = jdoc_canonical(d, jdoc_root(d), &a);
    jdoc_free(d);

    json_t *v = NULL;
    int rb = rjson_parse(data, size, MAX_INPUT, &v, NULL);
    if (rb == 0)
        rb = rjson_canonical(v, &b, NULL);
    json_decref(v);

    if (ra != rb || a.len != b.len || (a.len > 0 && memcmp(a.data, b.data, a.len) != 0)) {
        fprintf(stderr, "jdoc and rjson disagree: jdoc %s (%zu canonical bytes), rjson %s (%zu canonical bytes)\n",
                rampart_error_name(ra), a.len, rampart_error_name(rb), b.len);
        abort();
    }
    rbuf_free(&a);
    rbuf_free(&b);
    return 0;
}
