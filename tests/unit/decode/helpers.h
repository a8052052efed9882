/* decode tests: hex fixtures into frames, a one-call decoder, and a small
 * pcap/pcapng reader (decode tests link mk_decode only, not capture). */
#ifndef MK_TEST_DECODE_HELPERS_H
#define MK_TEST_DECODE_HELPERS_H

#include <setjmp.h> /* cmocka needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode/decode.h"

struct tframe {
    uint8_t buf[4096];
    struct mk_frame f;
};

/* Hex digits, whitespace ignored. */
static inline struct mk_frame *tframe_hex(struct tframe *t, int linktype, const char *hex)
{
    size_t n = 0;
    int hi = -1;

    for (const char *s = hex; *s != '\0'; s++) {
        int v;

        if (*s >= '0' && *s <= '9') {
            v = *s - '0';
        } else if (*s >= 'a' && *s <= 'f') {
            v = *s - 'a' + 10;
        } else if (*s >= 'A' && *s <= 'F') {
            v = *s - 'A' + 10;
        } else {
            continue;
        }
        if (hi < 0) {
            hi = v;
        } else {
            assert_true(n < sizeof(t->buf));
            t->buf[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    assert_int_equal(hi, -1);
    memset(&t->f, 0, sizeof(t->f));
    t->f.data = t->buf;
    t->f.caplen = (uint32_t)n;
    t->f.wirelen = (uint32_t)n;
    t->f.linktype = linktype;
    t->f.ts_sec = 1000;
    return &t->f;
}

/* Writes a correct IPv4 header checksum at byte offset off of the frame. */
static inline void tframe_fix4(struct tframe *t, size_t off)
{
    uint8_t *h = t->buf + off;
    size_t hlen = (size_t)(h[0] & 15) * 4;
    uint32_t sum = 0;

    h[10] = 0;
    h[11] = 0;
    for (size_t i = 0; i < hlen; i += 2) {
        sum += (uint32_t)(h[i] << 8 | h[i + 1]);
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    h[10] = (uint8_t)(~sum >> 8);
    h[11] = (uint8_t)~sum;
}

static inline void assert_addr(const struct mk_addr *a, const char *text)
{
    char buf[46];

    mk_addr_format(a, buf);
    assert_string_equal(buf, text);
}

/* ---- capture files ---- */

struct treader {
    FILE *fp;
    bool is_ng;
    bool swap;
    int linktype;
    uint8_t *rec;
};

static inline uint32_t trd32(const uint8_t *p, bool swap)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return swap ? __builtin_bswap32(v) : v;
}

static inline bool treader_open(struct treader *r, const char *path)
{
    uint8_t h[24];

    memset(r, 0, sizeof(*r));
    r->fp = fopen(path, "rb");
    if (r->fp == NULL || fread(h, 1, 24, r->fp) != 24) {
        return false;
    }
    r->rec = malloc(1 << 20);
    uint32_t m = trd32(h, false);
    if (m == 0x0a0d0d0a) {
        r->is_ng = true;
        r->swap = trd32(h + 8, false) != 0x1a2b3c4d;
        uint32_t len = trd32(h + 4, r->swap);
        return fseek(r->fp, (long)len, SEEK_SET) == 0;
    }
    r->swap = m == 0xd4c3b2a1 || m == 0x4d3cb2a1;
    r->linktype = (int)(trd32(h + 20, r->swap) & 0xffff);
    return m == 0xa1b2c3d4 || m == 0xa1b23c4d || r->swap;
}

/* Next frame (false at the end or on damage). */
static inline bool treader_next(struct treader *r, struct mk_frame *f)
{
    uint8_t h[16];

    while (fread(h, 1, r->is_ng ? 8 : 16, r->fp) == (r->is_ng ? 8u : 16u)) {
        uint32_t type = trd32(h, r->swap);
        uint32_t len = r->is_ng ? trd32(h + 4, r->swap) : trd32(h + 8, r->swap);
        size_t body = r->is_ng ? (len < 12 ? 0 : len - 8) : len;

        if (body > (1 << 20) || fread(r->rec, 1, body, r->fp) != body) {
            return false;
        }
        memset(f, 0, sizeof(*f));
        if (!r->is_ng) {
            f->caplen = len;
            f->linktype = r->linktype;
            f->data = r->rec;
            return true;
        }
        if (type == 1 && body >= 4) {
            r->linktype = r->rec[0] | r->rec[1] << 8;
            if (r->swap) {
                r->linktype = r->rec[1] | r->rec[0] << 8;
            }
        } else if (type == 6 && body >= 24) {
            f->caplen = trd32(r->rec + 12, r->swap);
            if (f->caplen > body - 24) {
                return false;
            }
            f->linktype = r->linktype;
            f->data = r->rec + 20;
            return true;
        } else if (type == 3 && body >= 8) {
            f->caplen = (uint32_t)(body - 8);
            f->linktype = r->linktype;
            f->data = r->rec + 4;
            return true;
        }
    }
    return false;
}

static inline void treader_close(struct treader *r)
{
    if (r->fp != NULL) {
        (void)fclose(r->fp);
    }
    free(r->rec);
}

/* One decoder for a test file's cases, made and freed around the group:
 * cmocka_run_group_tests(tests, decoder_setup, decoder_teardown). */
static struct mk_decoder *dec;

static inline int decoder_setup(void **state)
{
    (void)state;
    dec = mk_decoder_new(NULL);
    return dec == NULL;
}

static inline int decoder_teardown(void **state)
{
    (void)state;
    mk_decoder_free(dec);
    return 0;
}

#endif /* MK_TEST_DECODE_HELPERS_H */
