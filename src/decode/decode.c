/* decode: the per-frame driver. mk_decode_frame() runs the link layer, then
 * loops over the layers each decoder names (decode_int.h), counts, and hands
 * fragments to the defragmenter. Also the dispatch hash and the name tables. */
#include "decode/decode.h"

#include <stdlib.h>

#include "decode/decode_int.h"

struct mk_decoder {
    struct mk_decode_stats st;
    struct mk_defrag *df;
};

static const char *const event_names[] = {
#define MK_X(name, str) [MK_DECODE_##name] = (str),
    MK_DECODE_EVENTS(MK_X)
#undef MK_X
};

_Static_assert(MK_ARRAY_LEN(event_names) == MK_DECODE_EVENT_COUNT, "one name per event");

const char *mk_decode_event_name(enum mk_decode_event e)
{
    if ((unsigned)e >= MK_DECODE_EVENT_COUNT) {
        return "decode.unknown";
    }
    return event_names[e];
}

const char *mk_tunnel_name(enum mk_tunnel t)
{
    switch (t) {
    case MK_TUNNEL_GRE:
        return "gre";
    case MK_TUNNEL_ERSPAN2:
        return "erspan2";
    case MK_TUNNEL_ERSPAN3:
        return "erspan3";
    case MK_TUNNEL_VXLAN:
        return "vxlan";
    case MK_TUNNEL_GENEVE:
        return "geneve";
    case MK_TUNNEL_IPIP:
        return "ipip";
    case MK_TUNNEL_TEREDO:
        return "teredo";
    case MK_TUNNEL_PPPOE:
        return "pppoe";
    case MK_TUNNEL_MPLS:
        return "mpls";
    case MK_TUNNEL_NONE:
        break;
    }
    return "none";
}

struct mk_decoder *mk_decoder_new(const struct mk_defrag_config *defrag)
{
    struct mk_defrag_config cfg = defrag != NULL ? *defrag : MK_DEFRAG_CONFIG_DEFAULT;
    struct mk_decoder *d = calloc(1, sizeof(*d));

    if (d == NULL) {
        return NULL;
    }
    if (mk_defrag_new(&cfg, &d->df) != MK_OK) {
        free(d);
        return NULL;
    }
    return d;
}

void mk_decoder_free(struct mk_decoder *d)
{
    if (d == NULL) {
        return;
    }
    mk_defrag_free(d->df);
    free(d);
}

const struct mk_decode_stats *mk_decoder_stats(const struct mk_decoder *d)
{
    return &d->st;
}

void mk_decoder_expire(struct mk_decoder *d, int64_t now_sec)
{
    mk_defrag_expire(d->df, now_sec, &d->st);
}

static enum mk_status run_layer(struct mk_dctx *c)
{
    switch (c->next) {
    case MK_L_ETH:
        return mk_dec_eth(c);
    case MK_L_VLAN:
        return mk_dec_vlan(c);
    case MK_L_MPLS:
        return mk_dec_mpls(c);
    case MK_L_PPPOE:
        return mk_dec_pppoe(c);
    case MK_L_PPP:
        return mk_dec_ppp(c);
    case MK_L_IPV4:
        return mk_dec_ipv4(c);
    case MK_L_IPV6:
        return mk_dec_ipv6(c);
    case MK_L_GRE:
        return mk_dec_gre(c);
    case MK_L_ERSPAN2:
        return mk_dec_erspan2(c);
    case MK_L_ERSPAN3:
        return mk_dec_erspan3(c);
    case MK_L_VXLAN:
        return mk_dec_vxlan(c);
    case MK_L_GENEVE:
        return mk_dec_geneve(c);
    case MK_L_TEREDO:
        return mk_dec_teredo(c);
    case MK_L_TCP:
        return mk_dec_tcp(c);
    case MK_L_UDP:
        return mk_dec_udp(c);
    case MK_L_ICMP4:
        return mk_dec_icmp4(c);
    case MK_L_ICMP6:
        return mk_dec_icmp6(c);
    case MK_L_DONE:
        break;
    }
    c->next = MK_L_DONE;
    return MK_OK;
}

static enum mk_status run(struct mk_dctx *c, int linktype)
{
    enum mk_status st = mk_dec_link(c, linktype);

    while (st == MK_OK && c->next != MK_L_DONE) {
        if (++c->layers > MK_DECODE_MAX_LAYERS) {
            return mk_dec_event(c, MK_DECODE_TOO_MANY_LAYERS, MK_ELIMIT);
        }
        st = run_layer(c);
    }
    return st;
}

/* Only the fields every packet has; the rest is valid per its discriminator
 * (decode.h), which keeps a 200-byte memset off the hot path. */
static void packet_start(struct mk_packet *p, const struct mk_frame *f)
{
    p->frame = f;
    p->ts_sec = f->ts_sec;
    p->ts_nsec = f->ts_nsec;
    p->n_vlans = 0;
    p->n_tunnels = 0;
    p->ip_version = 0;
    p->is_fragment = false;
    p->is_reassembled = false;
    p->has_bad_ip_checksum = false;
    p->l3 = NULL;
    p->l3_len = 0;
    mk_dec_clear_transport(p);
    p->has_event = false;
}

static void count(struct mk_decode_stats *st, const struct mk_packet *p, const struct mk_dctx *c)
{
    st->packets++;
    st->bytes += p->frame->caplen;
    st->ipv4 += p->ip_version == 4;
    st->ipv6 += p->ip_version == 6;
    st->vlan += p->n_vlans != 0;
    st->tunnelled += p->n_tunnels != 0;
    st->fragments += c->is_fragment;
    st->reassembled += p->is_reassembled;
    if (p->payload != NULL) {
        st->tcp += p->proto == 6;
        st->udp += p->proto == 17;
        st->icmp += p->proto == 1 || p->proto == 58;
    }
}

enum mk_status mk_decode_frame(struct mk_decoder *d, const struct mk_frame *f,
                               struct mk_packet *out)
{
    struct mk_dctx c;
    enum mk_status st;

    packet_start(out, f);
    c.p = out;
    c.df = d->df;
    c.st = &d->st;
    c.cur.p = f->data;
    c.cur.n = f->caplen;
    c.next = MK_L_DONE;
    c.ethertype = 0;
    c.layers = 0;
    c.is_hash_only = false;
    c.did_reassemble = false;
    c.is_fragment = false;
    st = run(&c, f->linktype);
    count(&d->st, out, &c);
    return st;
}

/* splitmix64's finaliser: every input bit moves every output bit. */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

static uint64_t load64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

uint32_t mk_decode_dispatch_hash(const struct mk_frame *f)
{
    struct mk_packet p;
    struct mk_dctx c = {.p = &p, .cur = {f->data, f->caplen}, .is_hash_only = true};
    uint64_t lo;
    uint64_t hi;
    uint64_t vlans = 0;
    uint64_t h;

    packet_start(&p, f);
    if (run(&c, f->linktype) == MK_EAGAIN || p.ip_version == 0) {
        return 0;
    }
    /* Symmetric by construction: the two addresses are added, so neither
     * order nor a comparison matters (the reading thread runs this for every
     * packet; sorting the pair and XXH3 cost it a tenth of its time). */
    lo = load64(p.src.b) + load64(p.dst.b);
    hi = load64(p.src.b + 8) + load64(p.dst.b + 8);
    for (uint8_t i = 0; i < p.n_vlans; i++) {
        vlans = vlans << 16 | p.vlan[i];
    }
    h = mix64(lo ^ mix64(hi ^ mix64(vlans)));
    return (uint32_t)(h ^ (h >> 32));
}
