/* capture: packet sources through libpcap: pcap and pcapng files (also gzip'ed,
 * read through zlib without a temporary file) and live interfaces, with a BPF
 * filter, snaplen, promiscuous mode and drop statistics. */
#ifndef MK_CAPTURE_H
#define MK_CAPTURE_H

#include "base/base.h"

struct mk_capture_opts {
    const char *bpf; /* filter expression, or NULL */
    int snaplen;     /* bytes per packet kept; 0 = 262144 */
    bool promisc;    /* live only */
    int timeout_ms;  /* live only: how long next() may wait; 0 = 100 ms */
    int buffer_mb;   /* live only: kernel ring size; 0 = libpcap's default */
};

struct mk_capture_stats {
    uint64_t packets;    /* handed to the caller */
    uint64_t bytes;      /* captured bytes handed to the caller */
    uint64_t received;   /* live: seen by the kernel filter (pcap_stats ps_recv) */
    uint64_t dropped;    /* live: dropped for lack of buffer (ps_drop) */
    uint64_t if_dropped; /* live: dropped by the interface (ps_ifdrop) */
};

struct mk_capture;

/* Opens a capture file: pcap or pcapng, plain or gzip'ed (detected by content).
 * "-" reads standard input. err says why on failure (MK_EIO, MK_EINVAL). */
MK_MUST_CHECK enum mk_status mk_capture_open_file(const char *path,
                                                  const struct mk_capture_opts *opts,
                                                  struct mk_capture **out, struct mk_error *err);

/* Reads a pcap or pcapng image in memory (not gzip'ed); data must outlive the
 * capture. For fuzzing and tests. MK_EINVAL when it is not a capture. */
MK_MUST_CHECK enum mk_status mk_capture_open_memory(const void *data, size_t len,
                                                    const struct mk_capture_opts *opts,
                                                    struct mk_capture **out, struct mk_error *err);

/* Opens a live interface (needs CAP_NET_RAW). MK_EIO when the interface does
 * not exist or permission is denied, MK_EINVAL for a bad option or filter. */
MK_MUST_CHECK enum mk_status mk_capture_open_live(const char *iface,
                                                  const struct mk_capture_opts *opts,
                                                  struct mk_capture **out, struct mk_error *err);

void mk_capture_close(struct mk_capture *c);

/* The next frame; its bytes stay valid until the next call. MK_OK: a frame.
 * MK_ENOTFOUND: end of file. MK_EAGAIN: live timeout or interrupted by
 * mk_capture_break(), call again. MK_ETRUNC: the file ends inside a record
 * (frames before it were delivered; err says where). MK_EIO: read error.
 * A file's frames carry nanosecond timestamps; linktype is the file's DLT. */
MK_MUST_CHECK enum mk_status mk_capture_next(struct mk_capture *c, struct mk_frame *f,
                                             struct mk_error *err);

/* Makes a blocked mk_capture_next() return soon; async-signal-safe. */
void mk_capture_break(struct mk_capture *c);

int mk_capture_linktype(const struct mk_capture *c);
bool mk_capture_is_live(const struct mk_capture *c);
/* File size in bytes and bytes read so far, for progress bars (0 if unknown).
 * For a gzip'ed file both count compressed bytes; stdin has no size. */
uint64_t mk_capture_file_size(const struct mk_capture *c);
uint64_t mk_capture_file_offset(const struct mk_capture *c);
void mk_capture_stats(struct mk_capture *c, struct mk_capture_stats *out);

#endif /* MK_CAPTURE_H */
