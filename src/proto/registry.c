/* The analyzer registry: mk_analyzers[] in probing order (TLS first: its probe is the
 * most specific; QUIC last) and the EVE names of application protocols. */
#include "proto/proto.h"

const struct mk_analyzer_ops *const mk_analyzers[] = {
    &mk_analyzer_tls, &mk_analyzer_http, &mk_analyzer_dns, &mk_analyzer_quic, NULL,
};

const char *mk_app_proto_name(enum mk_app_proto p)
{
    switch (p) {
    case MK_APP_DNS:
        return "dns";
    case MK_APP_HTTP:
        return "http";
    case MK_APP_TLS:
        return "tls";
    case MK_APP_QUIC:
        return "quic";
    case MK_APP_FAILED:
        return "failed";
    case MK_APP_UNKNOWN:
    case MK_APP_COUNT:
    default:
        return "unknown";
    }
}
