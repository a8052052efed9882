/* RCU reload: a writer publishes new sets while two readers look up without
 * pause; each reader must always see one whole set (values that belong
 * together are found together) and ASan must see no use after free. */
#include <arpa/inet.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ioc/ioc.h"

#define GENERATIONS 150
#define NOW         1700000000

/* Set `gen`: stable.example and 198.51.100.<gen % 250> named "gen<gen>", and
 * gen<gen>.example. */
static struct mk_ioc_set *make_set(unsigned gen)
{
    struct mk_ioc_builder *b = mk_ioc_builder_new(NOW);
    struct mk_ioc_attrs a = {.confidence = MK_IOC_CONFIDENCE_UNKNOWN};
    char name[32];
    char v[64];

    assert_non_null(b);
    (void)snprintf(name, sizeof(name), "gen%u", gen);
    a.name = name;
    assert_int_equal(mk_ioc_builder_add(b, MK_IOC_DOMAIN, "stable.example", 14, &a, NULL), MK_OK);
    (void)snprintf(v, sizeof(v), "198.51.100.%u", gen % 250);
    assert_int_equal(mk_ioc_builder_add(b, MK_IOC_IPV4, v, strlen(v), &a, NULL), MK_OK);
    (void)snprintf(v, sizeof(v), "gen%u.example", gen);
    assert_int_equal(mk_ioc_builder_add(b, MK_IOC_DOMAIN, v, strlen(v), &a, NULL), MK_OK);
    return mk_ioc_builder_finish(b);
}

struct shared {
    struct mk_ioc_handle *h;
    atomic_bool done;
    atomic_uint bad;
    atomic_ulong lookups;
    atomic_uint max_seen;
};

/* One consistent look at the current set; false if it mixes generations. */
static bool check_once(const struct mk_ioc_set *s, unsigned *gen_out)
{
    struct mk_ioc_hit h[4];
    uint64_t sup = 0;
    uint8_t addr[16] = {0};
    char v[64];
    unsigned gen;

    if (mk_ioc_set_count(s) != 3 ||
        mk_ioc_match_domain(s, "stable.example", 14, NOW, h, 4, &sup) != 1 || h[0].name == NULL ||
        sscanf(h[0].name, "gen%u", &gen) != 1) {
        return false;
    }
    addr[10] = addr[11] = 0xff;
    addr[12] = 198;
    addr[13] = 51;
    addr[14] = 100;
    addr[15] = (uint8_t)(gen % 250);
    if (mk_ioc_match_ip(s, addr, 0, NOW, h, 4, &sup) != 1) {
        return false;
    }
    (void)snprintf(v, sizeof(v), "gen%u", gen);
    if (strcmp(h[0].name, v) != 0) {
        return false;
    }
    (void)snprintf(v, sizeof(v), "x.gen%u.example", gen);
    *gen_out = gen;
    return mk_ioc_match_domain(s, v, strlen(v), NOW, h, 4, &sup) == 1;
}

static void *reader(void *arg)
{
    struct shared *sh = arg;
    unsigned last = 0;

    mk_ioc_reader_register();
    for (unsigned extra = 0; extra < 1000;) {
        unsigned gen = 0;

        if (!check_once(mk_ioc_handle_get(sh->h), &gen) || gen < last) {
            atomic_fetch_add(&sh->bad, 1);
        }
        last = gen;
        atomic_fetch_add(&sh->lookups, 1);
        if (gen > atomic_load(&sh->max_seen)) {
            atomic_store(&sh->max_seen, gen);
        }
        mk_ioc_reader_quiescent();
        extra += atomic_load(&sh->done);
    }
    mk_ioc_reader_offline(); /* as a worker does before blocking */
    mk_ioc_reader_online();
    mk_ioc_reader_unregister();
    return NULL;
}

static void test_reload_readers_see_whole_sets_while_writer_publishes(void **state)
{
    struct shared sh = {.h = NULL};
    pthread_t r[2];

    (void)state;
    sh.h = mk_ioc_handle_new(make_set(0));
    assert_non_null(sh.h);
    atomic_init(&sh.done, false);
    atomic_init(&sh.bad, 0);
    atomic_init(&sh.lookups, 0);
    atomic_init(&sh.max_seen, 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_create(&r[i], NULL, reader, &sh), 0);
    }
    for (unsigned gen = 1; gen <= GENERATIONS; gen++) {
        mk_ioc_handle_publish(sh.h, make_set(gen)); /* frees gen - 1 after the grace period */
    }
    atomic_store(&sh.done, true);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_join(r[i], NULL), 0);
    }
    print_message("%lu lookups, newest generation seen %u\n", atomic_load(&sh.lookups),
                  atomic_load(&sh.max_seen));
    assert_int_equal(atomic_load(&sh.bad), 0);
    assert_int_equal(atomic_load(&sh.max_seen), GENERATIONS);
    mk_ioc_handle_free(sh.h);
}

static void test_reload_handle_free_without_readers(void **state)
{
    struct mk_ioc_handle *h = mk_ioc_handle_new(make_set(1));

    (void)state;
    mk_ioc_handle_publish(h, make_set(2));
    mk_ioc_handle_publish(h, NULL);
    assert_null(mk_ioc_handle_get(h));
    mk_ioc_handle_free(h);
    mk_ioc_handle_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reload_readers_see_whole_sets_while_writer_publishes),
        cmocka_unit_test(test_reload_handle_free_without_readers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
