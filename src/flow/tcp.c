/* The TCP connection state of a flow (RFC 9293 section 3.3.2, simplified to what
 * a passive observer can tell): mk_flow_tcp_update() runs once per segment. */
#include "flow/flow_int.h"

#define SYNACK (MK_FLOW_TH_SYN | MK_FLOW_TH_ACK)

static enum mk_tcp_state next_state(enum mk_tcp_state st, enum mk_flow_dir dir, uint8_t fl)
{
    switch (st) {
    case MK_TCP_NONE:
        if ((fl & SYNACK) == MK_FLOW_TH_SYN) {
            return MK_TCP_SYN_SENT;
        }
        if ((fl & SYNACK) == SYNACK) {
            return MK_TCP_SYN_RECV;
        }
        /* midstream pickup: a connection already under way */
        return MK_TCP_ESTABLISHED;
    case MK_TCP_SYN_SENT:
        if ((fl & SYNACK) == SYNACK && dir == MK_FLOW_TOCLIENT) {
            return MK_TCP_SYN_RECV;
        }
        return st;
    case MK_TCP_SYN_RECV:
        /* the client's ACK, or anything that shows the handshake completed
         * (the third packet can be lost to the capture) */
        if ((fl & SYNACK) == MK_FLOW_TH_ACK) {
            return MK_TCP_ESTABLISHED;
        }
        return st;
    default:
        return st;
    }
}

void mk_flow_tcp_update(struct mk_flow_table *t, struct mk_flow *f, enum mk_flow_dir dir,
                        const struct mk_packet *p)
{
    uint8_t fl = p->tcp_flags;
    enum mk_flow_dir other = dir == MK_FLOW_TOSERVER ? MK_FLOW_TOCLIENT : MK_FLOW_TOSERVER;

    (void)t;
    if (f->tcp_state == MK_TCP_CLOSED) {
        return;
    }
    if (fl & MK_FLOW_TH_RST) {
        f->tcp_state = MK_TCP_CLOSED;
        return;
    }
    f->tcp_state = next_state(f->tcp_state, dir, fl);
    if (fl & MK_FLOW_TH_FIN) {
        /* tcp_flags[] already holds this packet's flags: a FIN each way closes */
        f->tcp_state = (f->tcp_flags[other] & MK_FLOW_TH_FIN) ? MK_TCP_CLOSED : MK_TCP_FIN_WAIT;
    }
}
