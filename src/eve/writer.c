/* The per-worker EVE writer: buffering of whole lines and the header every
 * event shares (timestamp, flow_id, addresses, community_id, host, ...). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "eve/eve.h"

const char *mk_eve_type_name(enum mk_eve_type t)
{
    static const char *const names[] = {
        [MK_EVE_FLOW] = "flow",         [MK_EVE_DNS] = "dns",     [MK_EVE_HTTP] = "http",
        [MK_EVE_FILEINFO] = "fileinfo", [MK_EVE_TLS] = "tls",     [MK_EVE_QUIC] = "quic",
        [MK_EVE_ANOMALY] = "anomaly",   [MK_EVE_STATS] = "stats", [MK_EVE_ALERT] = "alert",
    };

    return (unsigned)t < MK_EVE_TYPE_COUNT ? names[t] : "unknown";
}

void mk_eve_writer_init(struct mk_eve_writer *w, struct mk_eve_output *out,
                        const struct mk_eve_config *cfg)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    w->cfg = cfg;
    for (size_t i = 0; i < MK_ARRAY_LEN(w->cid_cache); i++) {
        w->cid_cache[i].flow_id = UINT64_MAX; /* flow ids are 51-bit: never this */
    }
    mk_buf_init(&w->buf, MK_EVE_FLUSH_BYTES + MK_EVE_LINE_MAX);
    mk_jw_init(&w->jw, &w->buf, 0);
    w->time_cache_sec = INT64_MIN;
}

void mk_eve_writer_flush(struct mk_eve_writer *w)
{
    if (w->buf.len > 0 && w->out != NULL) {
        mk_eve_output_write(w->out, w->buf.data, w->buf.len, w->lines);
    }
    mk_buf_reset(&w->buf);
    w->lines = 0;
}

void mk_eve_writer_fini(struct mk_eve_writer *w)
{
    if (w == NULL) {
        return;
    }
    mk_eve_writer_flush(w);
    mk_buf_fini(&w->buf);
}

static void format_seconds(int64_t sec, char out[20])
{
    struct tm tm;
    time_t t = (time_t)sec;

    if (gmtime_r(&t, &tm) == NULL) {
        memset(&tm, 0, sizeof(tm));
    }
    if (strftime(out, 20, "%Y-%m-%dT%H:%M:%S", &tm) != 19) {
        memcpy(out, "0000-00-00T00:00:00", 20); /* a year past 9999 or before 0 */
    }
}

/* ".uuuuuu+0000" after the 19 characters of the seconds. */
static void format_fraction(uint32_t nsec, char *out)
{
    uint32_t us = nsec / 1000;

    out[0] = '.';
    for (int i = 6; i >= 1; i--) {
        out[i] = (char)('0' + us % 10);
        us /= 10;
    }
    memcpy(out + 7, "+0000", 6);
}

void mk_eve_format_time(struct mk_eve_time ts, char out[40])
{
    format_seconds(ts.sec, out);
    format_fraction(ts.nsec, out + 19);
}

void mk_eve_writer_format_time(struct mk_eve_writer *w, struct mk_eve_time ts, char out[40])
{
    if (ts.sec != w->time_cache_sec) {
        format_seconds(ts.sec, w->time_cache);
        w->time_cache_sec = ts.sec;
    }
    memcpy(out, w->time_cache, 19);
    format_fraction(ts.nsec, out + 19);
}

static const char *proto_name(uint8_t proto, char buf[8])
{
    switch (proto) {
    case 6:
        return "TCP";
    case 17:
        return "UDP";
    case 1:
        return "ICMP";
    case 58:
        return "IPv6-ICMP";
    case 132:
        return "SCTP";
    case 47:
        return "GRE";
    case 50:
        return "ESP";
    default:
        (void)snprintf(buf, 8, "%03u", proto);
        return buf;
    }
}

static void write_vlan_and_tunnel(struct mk_eve_writer *w, const struct mk_flow *f)
{
    if (f->n_vlans > 0) {
        mk_jw_key_lit(&w->jw, MK_JW_LIT("vlan"));
        mk_jw_arr_open(&w->jw);
        for (uint8_t i = 0; i < f->n_vlans; i++) {
            mk_jw_uint(&w->jw, f->vlan[i]);
        }
        mk_jw_arr_close(&w->jw);
    }
    if (f->n_tunnels > 0) {
        /* Suricata logs the outer addresses of the last tunnel; mekong keeps
         * the encapsulation chain instead (docs/eve.md). */
        mk_jw_key_lit(&w->jw, MK_JW_LIT("tunnel"));
        mk_jw_obj_open(&w->jw);
        mk_jw_kv_uint(&w->jw, MK_JW_LIT("depth"), f->n_tunnels);
        mk_jw_key_lit(&w->jw, MK_JW_LIT("types"));
        mk_jw_arr_open(&w->jw);
        for (uint8_t i = 0; i < f->n_tunnels; i++) {
            mk_jw_str_cstr(&w->jw, mk_tunnel_name(f->tunnels[i]));
        }
        mk_jw_arr_close(&w->jw);
        mk_jw_obj_close(&w->jw);
    }
}

static void write_endpoints(struct mk_eve_writer *w, const struct mk_flow *f, enum mk_flow_dir dir)
{
    char src[46];
    char dst[46];
    char pbuf[8];
    bool swap = dir == MK_FLOW_TOCLIENT;
    size_t src_len = mk_addr_format(swap ? &f->dst : &f->src, src);
    size_t dst_len = mk_addr_format(swap ? &f->src : &f->dst, dst);
    const char *proto = proto_name(f->proto, pbuf);

    mk_jw_kv_plain(&w->jw, MK_JW_LIT("src_ip"), src, src_len);
    if (f->proto == 6 || f->proto == 17 || f->proto == 132) {
        mk_jw_kv_uint(&w->jw, MK_JW_LIT("src_port"), swap ? f->dport : f->sport);
    }
    mk_jw_kv_plain(&w->jw, MK_JW_LIT("dest_ip"), dst, dst_len);
    if (f->proto == 6 || f->proto == 17 || f->proto == 132) {
        mk_jw_kv_uint(&w->jw, MK_JW_LIT("dest_port"), swap ? f->sport : f->dport);
    }
    mk_jw_kv_plain(&w->jw, MK_JW_LIT("proto"), proto, strlen(proto));
}

/* The flow's Community ID, computed into its cache slot on a miss; valid
 * until the next call. */
static const char *community_id(struct mk_eve_writer *w, const struct mk_flow *f)
{
    size_t slot = f->flow_id % MK_ARRAY_LEN(w->cid_cache);

    if (w->cid_cache[slot].flow_id != f->flow_id) {
        mk_flow_community_id(f, w->cfg->community_id_seed, w->cid_cache[slot].cid);
        w->cid_cache[slot].flow_id = f->flow_id;
    }
    return w->cid_cache[slot].cid;
}

void mk_eve_begin(struct mk_eve_writer *w, enum mk_eve_type type, struct mk_eve_time ts,
                  const struct mk_flow *f, enum mk_flow_dir dir)
{
    const char *type_name = mk_eve_type_name(type);
    char tbuf[40];

    w->line_start = w->buf.len;
    mk_jw_init(&w->jw, &w->buf, 0);
    mk_eve_writer_format_time(w, ts, tbuf);
    mk_jw_obj_open(&w->jw);
    mk_jw_kv_plain(&w->jw, MK_JW_LIT("timestamp"), tbuf, MK_EVE_TIME_LEN);
    if (f != NULL) {
        mk_jw_kv_uint(&w->jw, MK_JW_LIT("flow_id"), f->flow_id);
    }
    if (w->cfg->iface != NULL) {
        mk_jw_key_lit(&w->jw, MK_JW_LIT("in_iface"));
        mk_jw_str_cstr(&w->jw, w->cfg->iface);
    }
    mk_jw_kv_plain(&w->jw, MK_JW_LIT("event_type"), type_name, strlen(type_name));
    if (f != NULL) {
        const char *cid;

        write_vlan_and_tunnel(w, f);
        write_endpoints(w, f, dir);
        cid = community_id(w, f);
        mk_jw_kv_plain(&w->jw, MK_JW_LIT("community_id"), cid, strlen(cid));
        if (f->app_proto != MK_APP_UNKNOWN && type != MK_EVE_FLOW) {
            mk_jw_key_lit(&w->jw, MK_JW_LIT("app_proto"));
            mk_jw_str_cstr(&w->jw, mk_app_proto_name((enum mk_app_proto)f->app_proto));
        }
    }
    if (w->cfg->host != NULL) {
        mk_jw_key_lit(&w->jw, MK_JW_LIT("host"));
        mk_jw_str_cstr(&w->jw, w->cfg->host);
    }
    w->events[type]++;
}

void mk_eve_end(struct mk_eve_writer *w)
{
    mk_jw_obj_close(&w->jw);
    if (mk_jw_status(&w->jw) == MK_OK && w->buf.len - w->line_start <= MK_EVE_LINE_MAX &&
        mk_buf_putc(&w->buf, '\n') == MK_OK) {
        w->lines++;
        if (w->buf.len >= MK_EVE_FLUSH_BYTES) {
            mk_eve_writer_flush(w);
        }
        return;
    }
    /* Too long (or the cap was hit): drop this line, keep the ones before. */
    w->buf.len = w->line_start;
    if (w->buf.data != NULL) {
        w->buf.data[w->buf.len] = '\0';
    }
    w->dropped++;
}
