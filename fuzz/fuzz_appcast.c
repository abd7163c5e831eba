/*
 * fuzz_appcast.c - the Sparkle appcast reader (src/assess/sparkle_feed.c,
 * on expat).
 *
 * Invariants: the reader returns 0, EFORMAT or ETOOLARGE (ENOMEM only past
 * the allocator); on success at most SPK_MAX_ITEMS items, every string
 * NUL-terminated within its field, a length only when it was a decimal
 * number.
 */
#include <string.h>

#include "assess/sparkle_feed.h"
#include "fuzz_common.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spk_feed *f = rampart_malloc(sizeof(*f));
    if (f == NULL)
        return 0;
    int rc = spk_parse(data, size, f, NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT || rc == RAMPART_ETOOLARGE || rc == RAMPART_ENOMEM);
    if (rc == 0) {
        FUZZ_CHECK(f->n <= SPK_MAX_ITEMS);
        for (size_t i = 0; i < f->n; i++) {
            const spk_item *it = &f->items[i];
            FUZZ_CHECK(memchr(it->version, '\0', sizeof(it->version)) != NULL);
            FUZZ_CHECK(memchr(it->url, '\0', sizeof(it->url)) != NULL);
            FUZZ_CHECK(memchr(it->ed_sig, '\0', sizeof(it->ed_sig)) != NULL);
            FUZZ_CHECK(it->length_ok || it->length == 0);
        }
    }
    rampart_free(f);
    return 0;
}
