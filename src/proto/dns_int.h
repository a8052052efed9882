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
 * *off past the name as it sits in place. Pointers must point strictly before
 * the part of the name being read (RFC 1035 4.1.4), at most MK_DNS_MAX_JUMPS. */
MK_MUST_CHECK enum mk_status mk_dns_name_read(const uint8_t *p, size_t n, size_t *off, char *out,
                                              size_t cap);

/* The probe without a transport: a plain message (UDP) or a length-prefixed
 * one (TCP). `port` is a hint: on 53, 5353 and 5355 a header and a question
 * suffice; elsewhere the whole message must check. */
enum mk_probe_result mk_dns_probe(const uint8_t *data, size_t len, uint16_t port);

#endif /* MK_PROTO_DNS_INT_H */
