/* DNS: byte 0 picks UDP (even) or TCP framing (odd), byte 1 where the rest is cut
 * into two datagrams/segments; the probe and the parser must hold up. */
#include <netinet/in.h>

#include "proto/dns_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mk_arena a;
    struct mk_proto_ctx ctx = {.cfg = MK_PROTO_CONFIG_DEFAULT, .scratch = &a};
    void *st = size >= 2 ? mk_analyzer_dns.state_new() : NULL;

    mk_arena_init(&a, 4096, 8u << 20);
    if (st != NULL) {
        struct mk_flow flow = {.proto = (data[0] & 1) != 0 ? IPPROTO_TCP : IPPROTO_UDP};
        size_t cut = data[1] % (size - 1);

        (void)mk_dns_probe(data + 2, size - 2, (data[0] & 2) != 0 ? 53 : 4444);
        mk_analyzer_dns.parse(st, &ctx, &flow, MK_FLOW_TOCLIENT, data + 2, cut);
        mk_analyzer_dns.parse(st, &ctx, &flow, MK_FLOW_TOCLIENT, data + 2 + cut, size - 2 - cut);
    }
    mk_analyzer_dns.state_free(st);
    mk_arena_fini(&a);
    return 0;
}
