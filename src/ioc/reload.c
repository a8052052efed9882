/* Atomic reload of the indicator set under RCU (liburcu, QSBR flavour):
 * mk_ioc_handle_publish() swaps the set; readers never block. Design notes:
 * docs/internals/ioc-loading.md "Reload". */
#include <stdlib.h>

#include <urcu-qsbr.h>

#include "ioc/ioc.h"

struct mk_ioc_handle {
    struct mk_ioc_set *cur; /* RCU-protected: rcu_dereference / rcu_xchg_pointer */
};

struct mk_ioc_handle *mk_ioc_handle_new(struct mk_ioc_set *initial)
{
    struct mk_ioc_handle *h = malloc(sizeof(*h));

    if (h == NULL) {
        mk_ioc_set_free(initial);
        return NULL;
    }
    rcu_assign_pointer(h->cur, initial);
    return h;
}

void mk_ioc_handle_free(struct mk_ioc_handle *h)
{
    if (h == NULL) {
        return;
    }
    mk_ioc_set_free(h->cur);
    free(h);
}

void mk_ioc_handle_publish(struct mk_ioc_handle *h, struct mk_ioc_set *next)
{
    /* The exchange orders the new set's contents before its pointer (it has
     * rcu_assign_pointer's release barrier) and hands each publisher its own
     * old set, so concurrent publishers need no lock. */
    struct mk_ioc_set *old = rcu_xchg_pointer(&h->cur, next);

    synchronize_rcu(); /* every reader has passed a quiescent state */
    mk_ioc_set_free(old);
}

const struct mk_ioc_set *mk_ioc_handle_get(const struct mk_ioc_handle *h)
{
    return rcu_dereference(h->cur);
}

void mk_ioc_reader_register(void)
{
    rcu_register_thread();
}

void mk_ioc_reader_unregister(void)
{
    rcu_unregister_thread();
}

void mk_ioc_reader_quiescent(void)
{
    rcu_quiescent_state();
}

void mk_ioc_reader_offline(void)
{
    rcu_thread_offline();
}

void mk_ioc_reader_online(void)
{
    rcu_thread_online();
}
