/* keyid.c - key fingerprints and the check of key ids against them (keyid.h). */
#include <string.h>

#include "crypto/hash.h"
#include "keys/keyid.h"
#include "keys/keys.h"
#include "util/codec.h"
#include "util/banned.h"

int tuf_key_fingerprint(rslice keyid, rslice keytype, rslice scheme, rslice pub, rslice whole, char out[65],
                        bool *keyid_matches)
{
    char fp[65];
    int rc = rkey_compute_keyid(keytype, scheme, pub, fp);
    if (rc != 0)
        return rc;
    /* TUF 4.2: KEYID is the hex SHA-256 of the canonical form of the key. */
    bool match = rslice_eq_cstr(keyid, fp);
    if (!match && whole.n > 0) {
        uint8_t d[RHASH_MAX_LEN];
        char hex[65];
        if ((rc = rhash_digest(RHASH_SHA256, whole.p, whole.n, d)) != 0)
            return rc;
        rhex_encode(hex, d, 32);
        match = rslice_eq_cstr(keyid, hex);
    }
    memcpy(out, fp, sizeof(fp));
    *keyid_matches = match;
    return 0;
}
