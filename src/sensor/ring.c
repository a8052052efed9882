/* Lock-free single-producer single-consumer ring of variable-sized records
 * from the reading thread to one worker. */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sensor/sensor_int.h"

#define ALIGN8(n) (((n) + 7u) & ~(size_t)7u)

enum mk_status mk_ring_init(struct ring *r, size_t cap)
{
    r->cap = ALIGN8(cap < (1u << 20) ? (1u << 20) : cap);
    r->buf = malloc(r->cap);
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    return r->buf != NULL ? MK_OK : MK_ENOMEM;
}

void mk_ring_fini(struct ring *r)
{
    free(r->buf);
    r->buf = NULL;
}

/* Positions grow without bound; the offset in buf is pos % cap. A record
 * never straddles the end: a WRAP marker fills the rest of the buffer. */
bool mk_ring_push(struct ring *r, enum ring_kind kind, const struct mk_frame *f)
{
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    size_t len = kind == RING_FRAME ? f->caplen : 0;
    size_t need = ALIGN8(sizeof(struct ring_hdr) + len);
    size_t off = tail % r->cap;
    size_t to_end = r->cap - off;
    struct ring_hdr h = {.kind = (uint32_t)kind, .size = (uint32_t)need, .frame = *f};

    if (to_end < need) {
        /* room for the wrap marker, then the record at the start */
        if (tail + to_end + need - head > r->cap) {
            return false;
        }
        struct ring_hdr wrap = {.kind = RING_WRAP, .size = (uint32_t)to_end};

        if (to_end >= sizeof(wrap)) {
            memcpy(r->buf + off, &wrap, sizeof(wrap));
        }
        tail += to_end;
        off = 0;
    } else if (tail + need - head > r->cap) {
        return false;
    }
    memcpy(r->buf + off, &h, sizeof(h));
    if (len > 0) {
        memcpy(r->buf + off + sizeof(h), f->data, len);
    }
    atomic_store_explicit(&r->tail, tail + need, memory_order_release);
    return true;
}

const struct ring_hdr *mk_ring_peek(struct ring *r)
{
    for (;;) {
        size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
        size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
        size_t off = head % r->cap;
        const struct ring_hdr *h;

        if (head == tail) {
            return NULL;
        }
        /* a tail of fewer bytes than a header is an implicit wrap */
        if (r->cap - off < sizeof(struct ring_hdr)) {
            atomic_store_explicit(&r->head, head + (r->cap - off), memory_order_release);
            continue;
        }
        h = (const struct ring_hdr *)(const void *)(r->buf + off);
        if (h->kind == RING_WRAP) {
            atomic_store_explicit(&r->head, head + h->size, memory_order_release);
            continue;
        }
        return h;
    }
}

void mk_ring_pop(struct ring *r, const struct ring_hdr *h)
{
    size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);

    atomic_store_explicit(&r->head, head + h->size, memory_order_release);
}

/* The CPU's spin-wait hint: lets a sibling hyperthread (or, in a VM, whatever
 * shares the physical core) run while this one waits. */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

void mk_ring_wait(unsigned round)
{
    if (round < 64) {
        cpu_relax(); /* busy: the other side is usually microseconds away */
        return;
    }
    if (round < 80) {
        sched_yield();
        return;
    }
    struct timespec nap = {.tv_sec = 0, .tv_nsec = 50000}; /* 50 us */

    (void)nanosleep(&nap, NULL);
}
