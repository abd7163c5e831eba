/*
 * fuzz_apt_release.c - the apt Release reader (src/assess/apt_release.c)
 * and its RFC 2822 dates.
 *
 * Invariants: the reader returns 0, EFORMAT or ETOOLARGE; on success every
 * kept field lies inside the input, entry counts are within the cap, and a
 * date parsed twice gives the same time.
 */
#include "assess/apt_release.h"
#include "fuzz_common.h"
#include "util/banned.h"

static void inside(rslice s, const uint8_t *data, size_t size)
{
    FUZZ_CHECK(s.n == 0 || (s.p >= data && s.p + s.n <= data + size));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apt_release r;
    rerr e = {0};
    int rc = apt_release_parse(data, size, &r, &e);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT || rc == RAMPART_ETOOLARGE);
    FUZZ_CHECK(rc == 0 || e.code == rc);
    if (rc == 0) {
        inside(r.origin, data, size);
        inside(r.suite, data, size);
        inside(r.signed_by, data, size);
        inside(r.acquire_by_hash, data, size);
        for (int h = 0; h < APT_H_COUNT; h++)
            FUZZ_CHECK(r.entries[h] <= APT_REL_MAX_ENTRIES && (r.entries[h] == 0 || r.has_field[h]));
    }
    int64_t t1 = 0, t2 = 0;
    rslice s = {.p = data, .n = size};
    int d1 = apt_date_parse(s, &t1), d2 = apt_date_parse(s, &t2);
    FUZZ_CHECK(d1 == d2 && (d1 != 0 || t1 == t2));
    return 0;
}
