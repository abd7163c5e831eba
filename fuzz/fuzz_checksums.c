/*
 * fuzz_checksums.c - the checksum-file reader (src/assess/plain_sums.c) and
 * the minisign signature and key readers (src/assess/minisign.c).
 *
 * Invariants: the readers return 0, EFORMAT or ETOOLARGE; every entry's
 * name lies inside the input, is not empty and has no control character;
 * its digest length is the algorithm's; a minisign trusted comment lies
 * inside the input.
 */
#include "assess/minisign.h"
#include "assess/plain_sums.h"
#include "fuzz_common.h"
#include "util/banned.h"

typedef struct ctx {
    const uint8_t *data;
    size_t size;
    size_t n;
} ctx;

static int on_entry(void *p, const sums_entry *en)
{
    static const size_t LEN[4] = {16, 20, 32, 64};
    ctx *c = p;
    FUZZ_CHECK(en->name.n > 0 && en->name.p >= c->data && en->name.p + en->name.n <= c->data + c->size);
    for (size_t i = 0; i < en->name.n; i++)
        FUZZ_CHECK(en->name.p[i] >= 0x20 && en->name.p[i] != 0x7f);
    FUZZ_CHECK((unsigned)en->alg < 4 && en->dlen == LEN[en->alg]);
    FUZZ_CHECK(sums_alg_name(en->alg)[0] != '?');
    c->n++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ctx c = {.data = data, .size = size};
    int rc = sums_parse(data, size, on_entry, &c, NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT || rc == RAMPART_ETOOLARGE);
    FUZZ_CHECK(c.n <= SUMS_MAX_LINES);
    minisig ms;
    rc = minisign_parse_sig(data, size, &ms, NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT || rc == RAMPART_ETOOLARGE);
    if (rc == 0)
        FUZZ_CHECK(ms.trusted.p >= data && ms.trusted.p + ms.trusted.n <= data + size);
    minisign_key k;
    rc = minisign_parse_key((const char *)data, size, &k, NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT);
    return 0;
}
