/* Streaming MD5, SHA-1 and SHA-256 of HTTP bodies with OpenSSL EVP, capped, as
 * Suricata's fileinfo reports them (clarifications "Issue 3: File hashes").
 * Entry points: mk_filehash_init/start/update/finish. */
#include <string.h>

#include <openssl/evp.h>

#include "proto/http_int.h"

/* OpenSSL 3's EVP_MD_CTX (about 70 bytes) per context plus the digest states
 * (MD5 92, SHA-1 96, SHA-256 112 bytes) and allocator overhead. */
#define FILEHASH_BYTES 576u

enum mk_status mk_filehash_init(struct mk_filehash *fh)
{
    memset(fh, 0, sizeof(*fh));
    return MK_OK;
}

/* The digests come from base's process-wide cache (fetched once): EVP_md5()
 * and friends would make OpenSSL 3 fetch again on every EVP_DigestInit_ex,
 * i.e. for every body, and a fetch per flow is still a provider lookup. A
 * context that cannot be made stays NULL: its body is then "truncated". */
static void contexts_make(struct mk_filehash *fh)
{
    static const enum mk_hash_alg algs[3] = {MK_HASH_MD5, MK_HASH_SHA1, MK_HASH_SHA256};

    for (int i = 0; i < 3; i++) {
        fh->md[i] = mk_hash_md(algs[i]);
        fh->ctx[i] = fh->md[i] != NULL ? EVP_MD_CTX_new() : NULL;
    }
}

size_t mk_filehash_bytes(const struct mk_filehash *fh)
{
    return fh->md[0] != NULL || fh->ctx[0] != NULL ? FILEHASH_BYTES : 0;
}

void mk_filehash_fini(struct mk_filehash *fh)
{
    if (fh == NULL) {
        return;
    }
    for (int i = 0; i < 3; i++) {
        EVP_MD_CTX_free(fh->ctx[i]);
        fh->ctx[i] = NULL;
        fh->md[i] = NULL; /* shared, not ours to free */
    }
}

void mk_filehash_start(struct mk_filehash *fh)
{
    fh->size = 0;
    fh->hashed = 0;
    fh->truncated = false;
    fh->gaps = false;
    fh->active = true;
    if (fh->md[0] == NULL && fh->ctx[0] == NULL) {
        contexts_make(fh);
    }
    for (int i = 0; i < 3; i++) {
        /* same digest as last time: OpenSSL reuses the context, no allocation */
        if (fh->ctx[i] == NULL || EVP_DigestInit_ex(fh->ctx[i], fh->md[i], NULL) != 1) {
            fh->truncated = true;
        }
    }
}

void mk_filehash_update(struct mk_filehash *fh, const uint8_t *p, size_t n, size_t max_bytes)
{
    size_t take = n;

    if (!fh->active) {
        return;
    }
    fh->size += n;
    if (fh->truncated) {
        return;
    }
    if (fh->hashed >= max_bytes) {
        fh->truncated = n > 0;
        return;
    }
    if (take > max_bytes - fh->hashed) {
        take = (size_t)(max_bytes - fh->hashed);
        fh->truncated = true;
    }
    for (int i = 0; i < 3; i++) {
        if (fh->ctx[i] == NULL || EVP_DigestUpdate(fh->ctx[i], p, take) != 1) {
            fh->truncated = true;
        }
    }
    fh->hashed += take;
}

void mk_filehash_gap(struct mk_filehash *fh, uint64_t n)
{
    if (!fh->active) {
        return;
    }
    fh->size += n;
    fh->gaps = true;
    fh->truncated = true;
}

void mk_filehash_finish(struct mk_filehash *fh, struct mk_file_info *fi)
{
    char *out[3] = {fi->md5, fi->sha1, fi->sha256};
    unsigned char d[EVP_MAX_MD_SIZE];

    fi->size = fh->size;
    fi->truncated = fh->truncated;
    fi->gaps = fh->gaps;
    for (int i = 0; i < 3; i++) {
        unsigned int len = 0;

        out[i][0] = '\0';
        if (fh->active && fh->ctx[i] != NULL && EVP_DigestFinal_ex(fh->ctx[i], d, &len) == 1) {
            mk_hex_encode(d, len, out[i]);
        }
    }
    fh->active = false;
}
