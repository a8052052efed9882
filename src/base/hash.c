/* Digests (OpenSSL EVP one-shot) and the fast non-cryptographic hash (XXH3). */
#include <string.h>

#include <openssl/evp.h>
#include <xxhash.h>

#include "base/base.h"

static void digest(const EVP_MD *md, const void *p, size_t n, uint8_t *out, size_t outlen)
{
    uint8_t buf[EVP_MAX_MD_SIZE];
    unsigned int len = 0;

    memset(buf, 0, sizeof(buf));
    (void)EVP_Digest(p, n, buf, &len, md, NULL);
    memcpy(out, buf, outlen);
}

void mk_hash_md5(const void *p, size_t n, uint8_t out[16])
{
    digest(EVP_md5(), p, n, out, 16);
}

void mk_hash_sha1(const void *p, size_t n, uint8_t out[20])
{
    digest(EVP_sha1(), p, n, out, 20);
}

void mk_hash_sha256(const void *p, size_t n, uint8_t out[32])
{
    digest(EVP_sha256(), p, n, out, 32);
}

uint64_t mk_hash64(const void *p, size_t n, uint64_t seed)
{
    return XXH3_64bits_withSeed(p, n, seed);
}

void mk_hex_encode(const uint8_t *p, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * n] = '\0';
}
