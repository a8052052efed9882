/* UUIDs (RFC 9562): parse, format, version 4 (random) and 5 (SHA-1 name). */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "base/base.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

enum mk_status mk_uuid_parse(const char *s, size_t n, uint8_t out[16])
{
    size_t j = 0;

    if (n != 36) {
        return MK_EINVAL;
    }
    for (size_t i = 0; i < 36;) {
        int hi;
        int lo;

        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') {
                return MK_EINVAL;
            }
            i++;
            continue;
        }
        hi = hexval(s[i]);
        lo = hexval(s[i + 1]);
        if (hi < 0 || lo < 0) {
            return MK_EINVAL;
        }
        out[j++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    return MK_OK;
}

void mk_uuid_format(const uint8_t u[16], char out[37])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;

    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out[o++] = '-';
        }
        out[o++] = hex[u[i] >> 4];
        out[o++] = hex[u[i] & 15];
    }
    out[o] = '\0';
}

int mk_uuid_version(const uint8_t u[16])
{
    return u[6] >> 4;
}

bool mk_uuid_is_rfc4122_variant(const uint8_t u[16])
{
    return (u[8] & 0xc0) == 0x80;
}

static void set_version(uint8_t u[16], int version)
{
    u[6] = (uint8_t)((u[6] & 0x0f) | (version << 4));
    u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
}

enum mk_status mk_uuid_v4(uint8_t out[16])
{
    if (RAND_bytes(out, 16) != 1) {
        return MK_EIO;
    }
    set_version(out, 4);
    return MK_OK;
}

void mk_uuid_v5(const uint8_t ns[16], const void *name, size_t n, uint8_t out[16])
{
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    /* SHA-1 over namespace || name (RFC 9562 section 5.5). */
    memset(digest, 0, sizeof(digest));
    if (ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 &&
        EVP_DigestUpdate(ctx, ns, 16) == 1 && EVP_DigestUpdate(ctx, name, n) == 1) {
        (void)EVP_DigestFinal_ex(ctx, digest, &dlen);
    }
    EVP_MD_CTX_free(ctx);
    memcpy(out, digest, 16);
    set_version(out, 5);
}
