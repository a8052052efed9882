/* DNS analyzer internals (private to src/proto and its tests): the caps and the
 * message parser that mk_analyzer_dns wraps, usable alone by tests and fuzzing. */
#ifndef MK_PROTO_DNS_INT_H
#define MK_PROTO_DNS_INT_H

#include "proto/proto.h"

#define MK_DNS_HDR_LEN       12
#define MK_DNS_MAX_NAME_WIRE 255    /* RFC 1035 3.1: octets of a name on the wire */
#define MK_DNS_MAX_JUMPS     64     /* compression pointers followed per name */
#define MK_DNS_MAX_QUESTIONS 8      /* real messages carry one (RFC 9619) */
#define MK_DNS_NAME_BUF      1024   /* presentation form: 255 octets, NULs as "\000" */
#define MK_DNS_TCP_MAX_MSG   65535u /* RFC 1035 4.2.2: the 2-byte length */

#define MK_DNS_PORT_NETBIOS_NS  137 /* RFC 1002 4.2: NetBIOS name service */
#define MK_DNS_PORT_NETBIOS_DGM 138 /* RFC 1002 5.1: NetBIOS datagram service */

#define MK_DNS_TYPE_A     1
#define MK_DNS_TYPE_NS    2
#define MK_DNS_TYPE_CNAME 5
#define MK_DNS_TYPE_SOA   6
#define MK_DNS_TYPE_PTR   12
#define MK_DNS_TYPE_MX    15
#define MK_DNS_TYPE_TXT   16
#define MK_DNS_TYPE_AAAA  28 /* RFC 3596 */
#define MK_DNS_TYPE_SRV   33 /* RFC 2782 */
#define MK_DNS_TYPE_OPT   41 /* RFC 6891 */
#define MK_DNS_TYPE_SVCB  64 /* RFC 9460 */
#define MK_DNS_TYPE_HTTPS 65 /* RFC 9460 */

/* Parses one DNS message (no TCP length prefix). Names, rdata and the answer
 * and authority arrays are allocated from `a`; at most cfg->max_dns_answers
 * records of each section are kept, the rest are checked and skipped.
 * Additional records are checked and skipped. MK_EINVAL for a malformed
 * message (bad pointer, label, count, rdata), MK_ETRUNC when it ends early,
 * MK_ENOMEM when the arena refuses; *out is then not to be used. */
MK_MUST_CHECK enum mk_status mk_dns_parse(const uint8_t *p, size_t n,
                                          const struct mk_proto_config *cfg, struct mk_arena *a,
                                          struct mk_dns_msg *out);

/* Reads the (possibly compressed) name at *off of the message p[0..n) into
 * out (NUL-terminated, cap >= MK_DNS_NAME_BUF; "" for the root) and moves
 * *off past the name as it sits in place. Pointers (RFC 1035 4.1.4) may point
 * backward or forward; at most MK_DNS_MAX_JUMPS of them, none to a target
 * already followed for this name (a loop: MK_EINVAL), 255 octets in all. */
MK_MUST_CHECK enum mk_status mk_dns_name_read(const uint8_t *p, size_t n, size_t *off, char *out,
                                              size_t cap);

/* The probe without a transport: a plain message (UDP) or a length-prefixed
 * one (TCP). `port` is the server port. On 53, 5353 and 5355 a plausible
 * header and a first question suffice (as Suricata's port-based probing; on
 * 53 a query may also carry records or several questions);
 * on 137 and 138 (NetBIOS) it is always MK_PROBE_NO; elsewhere the content
 * must pass a strict check: one question with a host name in a known class,
 * Z clear, no records in a query, and the whole message filling the bytes. */
enum mk_probe_result mk_dns_probe(const uint8_t *data, size_t len, uint16_t port);

#endif /* MK_PROTO_DNS_INT_H */
