/* Digests (OpenSSL EVP, over digests fetched once per process and a context per
 * thread), HMAC-SHA256, and the fast non-cryptographic hash (XXH3). Entry points:
 * mk_hash_md5/sha1/sha256, mk_hmac_sha256, mk_hash_md. */
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

/* One digest context per thread, reused for every one-shot digest: EVP_Digest
 * allocates and frees a context per call, and the sensor makes one per flow
 * (Community ID) and several per TLS/QUIC handshake. The thread-local pointer is
 * the fast path; the key's destructor frees the context when a thread ends. */
static pthread_key_t ctx_key;
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;
static _Thread_local EVP_MD_CTX *thread_ctx_ptr;

static void ctx_free(void *p)
{
    EVP_MD_CTX_free(p);
}

static void ctx_key_make(void)
{
    (void)pthread_key_create(&ctx_key, ctx_free);
}

static EVP_MD_CTX *thread_ctx(void)
{
    if (thread_ctx_ptr == NULL) {
        (void)pthread_once(&ctx_once, ctx_key_make);
        thread_ctx_ptr = EVP_MD_CTX_new();
        if (thread_ctx_ptr != NULL) {
            (void)pthread_setspecific(ctx_key, thread_ctx_ptr);
        }
    }
    return thread_ctx_ptr;
}

/* digest(a || b) into out (zeros if OpenSSL fails); false on failure. */
static bool digest2(const EVP_MD *md, const void *a, size_t an, const void *b, size_t bn,
                    uint8_t *out, size_t outlen)
{
    uint8_t buf[EVP_MAX_MD_SIZE];
    EVP_MD_CTX *c = thread_ctx();
    bool ok;

    memset(buf, 0, sizeof(buf));
    ok = md != NULL && c != NULL && EVP_DigestInit_ex(c, md, NULL) == 1 &&
         EVP_DigestUpdate(c, a, an) == 1 && (bn == 0 || EVP_DigestUpdate(c, b, bn) == 1) &&
         EVP_DigestFinal_ex(c, buf, NULL) == 1;
    memcpy(out, buf, outlen);
    return ok;
}

static void digest(enum mk_hash_alg alg, const void *p, size_t n, uint8_t *out, size_t outlen)
{
    (void)digest2(mk_hash_md(alg), p, n, NULL, 0, out, outlen);
}

bool mk_hmac_sha256(const uint8_t *key, size_t klen, const uint8_t *msg, size_t mlen,
                    uint8_t out[32])
{
    const EVP_MD *md = mk_hash_md(MK_HASH_SHA256);
    uint8_t pad[64];
    uint8_t inner[32];

    if (klen > sizeof(pad)) {
        return false;
    }
    memset(pad, 0x36, sizeof(pad));
    for (size_t i = 0; i < klen; i++) {
        pad[i] ^= key[i];
    }
    if (!digest2(md, pad, sizeof(pad), msg, mlen, inner, sizeof(inner))) {
        return false;
    }
    for (size_t i = 0; i < sizeof(pad); i++) {
        pad[i] ^= 0x36 ^ 0x5c; /* the inner pad becomes the outer one */
    }
    return digest2(md, pad, sizeof(pad), inner, sizeof(inner), out, 32);
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
