/* The reader -> worker packet ring: order, wrap-around, full ring, and two
 * threads passing a million records without loss or reordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sensor/sensor_int.h"

static struct mk_frame frame_of(uint8_t *buf, uint32_t len, uint32_t seq)
{
    for (uint32_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(seq + i);
    }
    return (struct mk_frame){.caplen = len, .wirelen = len, .ts_sec = seq, .data = buf};
}

static void check_frame(const struct ring_hdr *h, uint32_t seq, uint32_t len)
{
    const uint8_t *data = (const uint8_t *)(h + 1);

    assert_int_equal(h->kind, RING_FRAME);
    assert_int_equal(h->frame.ts_sec, seq);
    assert_int_equal(h->frame.caplen, len);
    for (uint32_t i = 0; i < len; i++) {
        assert_int_equal(data[i], (uint8_t)(seq + i));
    }
}

static void test_ring_keeps_order_across_wraps(void **state)
{
    struct ring r;
    uint8_t buf[2000];
    uint32_t pushed = 0;
    uint32_t popped = 0;

    (void)state;
    assert_int_equal(mk_ring_init(&r, 1u << 20), MK_OK);
    /* odd sizes so records end at every alignment and the wrap lands anywhere */
    while (popped < 5000) {
        while (pushed < popped + 300) {
            uint32_t len = 1 + (pushed * 37) % 1999;
            struct mk_frame f = frame_of(buf, len, pushed);

            assert_true(mk_ring_push(&r, RING_FRAME, &f));
            pushed++;
        }
        for (int k = 0; k < 200; k++) {
            const struct ring_hdr *h = mk_ring_peek(&r);

            assert_non_null(h);
            check_frame(h, popped, 1 + (popped * 37) % 1999);
            mk_ring_pop(&r, h);
            popped++;
        }
    }
    mk_ring_fini(&r);
}

static void test_ring_refuses_when_full(void **state)
{
    struct ring r;
    static uint8_t buf[60000];
    struct mk_frame f = frame_of(buf, sizeof(buf), 1);
    int n = 0;

    (void)state;
    assert_int_equal(mk_ring_init(&r, 1u << 20), MK_OK);
    while (mk_ring_push(&r, RING_FRAME, &f)) {
        n++;
        assert_true(n < 100);
    }
    assert_true(n >= 16); /* 1 MiB holds at least 16 records of 60 kB */
    mk_ring_pop(&r, mk_ring_peek(&r));
    assert_true(mk_ring_push(&r, RING_FRAME, &f));       /* room again */
    assert_null(mk_ring_peek(&(struct ring){.cap = 8})); /* an empty ring: nothing */
    mk_ring_fini(&r);
}

struct consumer {
    struct ring *r;
    uint32_t count;
    bool ok;
};

static void *consume(void *arg)
{
    struct consumer *c = arg;

    c->ok = true;
    for (;;) {
        const struct ring_hdr *h = mk_ring_peek(c->r);

        if (h == NULL) {
            continue;
        }
        if (h->kind == RING_STOP) {
            mk_ring_pop(c->r, h);
            return NULL;
        }
        if (h->frame.ts_sec != c->count || h->frame.caplen != 1 + c->count % 300 ||
            ((const uint8_t *)(h + 1))[0] != (uint8_t)c->count) {
            c->ok = false;
        }
        c->count++;
        mk_ring_pop(c->r, h);
    }
}

static void test_ring_two_threads_lose_nothing(void **state)
{
    struct ring r;
    struct consumer c = {.r = &r};
    pthread_t t;
    uint8_t buf[300];
    struct mk_frame stop = {0};

    (void)state;
    assert_int_equal(mk_ring_init(&r, 1u << 20), MK_OK);
    assert_int_equal(pthread_create(&t, NULL, consume, &c), 0);
    for (uint32_t i = 0; i < 300000; i++) {
        struct mk_frame f = frame_of(buf, 1 + i % 300, i);

        while (!mk_ring_push(&r, RING_FRAME, &f)) {
        }
    }
    while (!mk_ring_push(&r, RING_STOP, &stop)) {
    }
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(c.ok);
    assert_int_equal(c.count, 300000);
    mk_ring_fini(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring_keeps_order_across_wraps),
        cmocka_unit_test(test_ring_refuses_when_full),
        cmocka_unit_test(test_ring_two_threads_lose_nothing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
