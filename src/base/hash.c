/* Digests (OpenSSL EVP one-shot, over digests fetched once per process) and the fast
 * non-cryptographic hash (XXH3). Entry points: mk_hash_md5/sha1/sha256, mk_hash_md. */
#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>
#include <xxhash.h>

#include "base/base.h"

/* The one process-wide cache of fetched algorithms. In OpenSSL 3, EVP_md5() and
 * friends are legacy handles: every EVP_DigestInit_ex (so every EVP_Digest) with
 * one looks the algorithm up again in the provider store (locks, a hash table,
 * the method construction). Fetching once and passing the fetched EVP_MD skips
 * that. Filled once by pthread_once, read-only afterwards, never freed (it lives
 * as long as the process and the default library context); fetched EVP_MDs are
 * safe to share between threads. */
static EVP_MD *mds[MK_HASH_COUNT];
static pthread_once_t mds_once = PTHREAD_ONCE_INIT;

static void mds_fetch(void)
{
    static const char *const names[MK_HASH_COUNT] = {"MD5", "SHA1", "SHA256"};

    for (int i = 0; i < MK_HASH_COUNT; i++) {
        mds[i] = EVP_MD_fetch(NULL, names[i], NULL);
    }
}

const struct evp_md_st *mk_hash_md(enum mk_hash_alg alg)
{
    (void)pthread_once(&mds_once, mds_fetch);
    return alg < MK_HASH_COUNT ? mds[alg] : NULL;
}

static void digest(enum mk_hash_alg alg, const void *p, size_t n, uint8_t *out, size_t outlen)
{
    uint8_t buf[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    const EVP_MD *md = mk_hash_md(alg);

    memset(buf, 0, sizeof(buf));
    if (md != NULL) {
        (void)EVP_Digest(p, n, buf, &len, md, NULL);
    }
    memcpy(out, buf, outlen);
}

void mk_hash_md5(const void *p, size_t n, uint8_t out[16])
{
    digest(MK_HASH_MD5, p, n, out, 16);
}

void mk_hash_sha1(const void *p, size_t n, uint8_t out[20])
{
    digest(MK_HASH_SHA1, p, n, out, 20);
}

void mk_hash_sha256(const void *p, size_t n, uint8_t out[32])
{
    digest(MK_HASH_SHA256, p, n, out, 32);
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
