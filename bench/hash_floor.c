/* The cost of the file hashes alone: MD5, SHA-1 and SHA-256 (OpenSSL EVP, the
 * sensor's calls) over a given number of body bytes, in bodies of a given mean
 * size fed in segment-sized chunks, as the sensor hashes HTTP bodies
 * (clarifications: every body is hashed with all three). Used by
 * bench/run_bound.sh to bound what any sensor doing that work could reach.
 * Usage: hash_floor BYTES [BODY_BYTES [CHUNK_BYTES]]   prints "bytes seconds MB/s". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/evp.h>

#include "prng.h"

#define POOL (4u << 20) /* bytes cycled through: larger than L2, like real bodies */

static double now(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    const char *names[3] = {"MD5", "SHA1", "SHA256"};
    EVP_MD *md[3];
    EVP_MD_CTX *ctx[3];
    unsigned long long total = argc > 1 ? strtoull(argv[1], NULL, 10) : 182066316ull;
    size_t body = argc > 2 ? strtoul(argv[2], NULL, 10) : 2278;
    size_t chunk = argc > 3 ? strtoul(argv[3], NULL, 10) : 1448;
    uint8_t *pool = malloc(POOL);
    struct rng rng;
    unsigned long long done = 0;
    size_t off = 0;
    double t0;

    if (pool == NULL || body == 0 || chunk == 0) {
        return 2;
    }
    rng_seed(&rng, 1);
    for (size_t i = 0; i < POOL; i++) {
        pool[i] = (uint8_t)rng_next(&rng);
    }
    for (int i = 0; i < 3; i++) {
        md[i] = EVP_MD_fetch(NULL, names[i], NULL);
        ctx[i] = EVP_MD_CTX_new();
        if (md[i] == NULL || ctx[i] == NULL) {
            return 2;
        }
    }
    t0 = now();
    while (done < total) {
        size_t left = body;

        for (int i = 0; i < 3; i++) {
            (void)EVP_DigestInit_ex(ctx[i], md[i], NULL);
        }
        while (left > 0) {
            size_t n = left < chunk ? left : chunk;

            if (off + n > POOL) {
                off = 0;
            }
            for (int i = 0; i < 3; i++) {
                (void)EVP_DigestUpdate(ctx[i], pool + off, n);
            }
            off += n;
            left -= n;
        }
        for (int i = 0; i < 3; i++) {
            unsigned char d[EVP_MAX_MD_SIZE];

            (void)EVP_DigestFinal_ex(ctx[i], d, NULL);
        }
        done += body;
    }
    {
        double s = now() - t0;

        printf("%llu %.3f %.0f\n", done, s, (double)done / s / 1e6);
    }
    for (int i = 0; i < 3; i++) {
        EVP_MD_CTX_free(ctx[i]);
        EVP_MD_free(md[i]);
    }
    free(pool);
    return 0;
}
