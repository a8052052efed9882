/* capture: packet sources through libpcap. Files (pcap, pcapng, gzip'ed via a
 * zlib-backed FILE from fopencookie), memory buffers and live interfaces, all
 * read with mk_capture_next(). */
#define _GNU_SOURCE // NOLINT(bugprone-reserved-identifier): glibc names fopencookie() so
#include "capture/capture.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <zlib.h>

#define DEFAULT_SNAPLEN 262144
#define DEFAULT_TIMEOUT 100

struct mk_capture {
    pcap_t *pcap;
    FILE *fp;    /* the stream pcap reads (pcap_close closes it) */
    gzFile gz;   /* behind fp when the file is gzip'ed */
    char *iobuf; /* fp's stdio buffer for a plain file; freed after fp is closed */
    uint64_t size;
    uint32_t ts_mult; /* 1 for nanosecond timestamps, 1000 for microseconds */
    int fd;           /* live: pcap's selectable descriptor, polled with timeout_ms */
    int timeout_ms;
    bool is_live;
    struct mk_capture_stats st;
};

static ssize_t gz_read(void *cookie, char *buf, size_t n)
{
    unsigned want = n > 1u << 30 ? 1u << 30 : (unsigned)n;
    int got = gzread((gzFile)cookie, buf, want);

    return got < 0 ? -1 : got;
}

static int gz_close(void *cookie)
{
    return gzclose((gzFile)cookie) == Z_OK ? 0 : -1;
}

/* A FILE that inflates through zlib, so libpcap reads gzip'ed captures
 * without a temporary file. zlib passes plain data through unchanged, which
 * is how stdin of either kind is read. */
static FILE *gz_stream(int fd, gzFile *gz_out)
{
    cookie_io_functions_t io = {.read = gz_read, .close = gz_close};
    gzFile gz = gzdopen(fd, "rb");
    FILE *fp;

    if (gz == NULL) {
        return NULL;
    }
    (void)gzbuffer(gz, 256 * 1024);
    fp = fopencookie(gz, "rb", io);
    if (fp == NULL) {
        (void)gzclose(gz);
        return NULL;
    }
    *gz_out = gz;
    return fp;
}

static bool is_gzip(FILE *fp)
{
    uint8_t magic[2];
    size_t n = fread(magic, 1, 2, fp);

    rewind(fp);
    return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

static enum mk_status set_filter(struct mk_capture *c, const char *bpf, struct mk_error *err)
{
    struct bpf_program prog;

    if (bpf == NULL || bpf[0] == '\0') {
        return MK_OK;
    }
    if (pcap_compile(c->pcap, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        mk_error_set(err, "bpf", "bad filter \"%s\": %s", bpf, pcap_geterr(c->pcap));
        return MK_EINVAL;
    }
    int rc = pcap_setfilter(c->pcap, &prog);

    pcap_freecode(&prog);
    if (rc != 0) {
        mk_error_set(err, "bpf", "cannot set filter: %s", pcap_geterr(c->pcap));
        return MK_EINVAL;
    }
    return MK_OK;
}

/* Takes fp (and c->gz behind it) in all cases. */
static enum mk_status open_stream(struct mk_capture *c, FILE *fp, const char *name,
                                  const struct mk_capture_opts *opts, struct mk_error *err)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";

    c->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, ebuf);
    if (c->pcap == NULL) {
        (void)fclose(fp); /* also closes c->gz through the cookie */
        c->gz = NULL;
        mk_error_set(err, name, "%s: not a pcap or pcapng capture (%s)", name, ebuf);
        return MK_EINVAL;
    }
    c->fp = fp;
    c->ts_mult = 1;
    return set_filter(c, opts != NULL ? opts->bpf : NULL, err);
}

#define CAPTURE_IOBUF (1u << 20)

static FILE *open_input(const char *path, struct mk_capture *c, struct mk_error *err)
{
    FILE *fp;
    struct stat sb;
    int fd;

    if (strcmp(path, "-") == 0) {
        fd = dup(STDIN_FILENO);
        fp = fd < 0 ? NULL : gz_stream(fd, &c->gz);
        if (fp == NULL && fd >= 0) {
            (void)close(fd);
        }
        if (fp == NULL) {
            mk_error_set(err, path, "cannot read standard input: %s", strerror(errno));
        }
        return fp;
    }
    fp = fopen(path, "rb");
    if (fp == NULL) {
        mk_error_set(err, path, "%s: %s", path, strerror(errno));
        return NULL;
    }
    /* libpcap reads each record with fread: with stdio's default 4 KiB buffer
     * that is a read(2) every dozen packets (330k syscalls for the 1.35 GB
     * benchmark capture); 1 MiB makes it 1,300. Without the buffer stdio's
     * default still works. */
    c->iobuf = malloc(CAPTURE_IOBUF);
    if (c->iobuf != NULL && setvbuf(fp, c->iobuf, _IOFBF, CAPTURE_IOBUF) != 0) {
        free(c->iobuf);
        c->iobuf = NULL;
    }
    if (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode)) {
        c->size = (uint64_t)sb.st_size;
    }
    if (!is_gzip(fp)) {
        return fp;
    }
    fd = dup(fileno(fp));
    (void)fclose(fp);
    free(c->iobuf); /* zlib buffers the gzip stream itself */
    c->iobuf = NULL;
    fp = fd < 0 ? NULL : gz_stream(fd, &c->gz);
    if (fp == NULL) {
        if (fd >= 0) {
            (void)close(fd);
        }
        mk_error_set(err, path, "%s: cannot open gzip stream", path);
    }
    return fp;
}

enum mk_status mk_capture_open_file(const char *path, const struct mk_capture_opts *opts,
                                    struct mk_capture **out, struct mk_error *err)
{
    struct mk_capture *c = calloc(1, sizeof(*c));
    FILE *fp;
    enum mk_status st;

    if (c == NULL) {
        mk_error_set(err, path, "out of memory");
        return MK_ENOMEM;
    }
    fp = open_input(path, c, err);
    if (fp == NULL) {
        free(c->iobuf);
        free(c);
        return MK_EIO;
    }
    st = open_stream(c, fp, path, opts, err);
    if (st != MK_OK) {
        mk_capture_close(c);
        return st;
    }
    *out = c;
    return MK_OK;
}

enum mk_status mk_capture_open_memory(const void *data, size_t len,
                                      const struct mk_capture_opts *opts, struct mk_capture **out,
                                      struct mk_error *err)
{
    struct mk_capture *c;
    FILE *fp;
    enum mk_status st;

    if (len == 0) {
        mk_error_set(err, "memory", "empty capture");
        return MK_EINVAL;
    }
    c = calloc(1, sizeof(*c));
    fp = c == NULL ? NULL : fmemopen((void *)data, len, "rb") /* "rb": never written */;
    if (fp == NULL) {
        free(c);
        mk_error_set(err, "memory", "out of memory");
        return MK_ENOMEM;
    }
    c->size = len;
    st = open_stream(c, fp, "memory", opts, err);
    if (st != MK_OK) {
        mk_capture_close(c);
        return st;
    }
    *out = c;
    return MK_OK;
}

static enum mk_status live_setup(struct mk_capture *c, const struct mk_capture_opts *o, char *ebuf)
{
    int snaplen = o != NULL && o->snaplen > 0 ? o->snaplen : DEFAULT_SNAPLEN;
    int timeout = o != NULL && o->timeout_ms > 0 ? o->timeout_ms : DEFAULT_TIMEOUT;

    /* The read timeout lets the kernel batch packets into ring blocks; with
     * TPACKET_V3 it only runs once a packet arrived, so next() also polls the
     * descriptor itself in non-blocking mode (see mk_capture_next). */
    c->timeout_ms = timeout;
    if (pcap_set_snaplen(c->pcap, snaplen) != 0 ||
        pcap_set_promisc(c->pcap, o != NULL && o->promisc) != 0 ||
        pcap_set_timeout(c->pcap, timeout) != 0) {
        (void)snprintf(ebuf, PCAP_ERRBUF_SIZE, "cannot set capture options");
        return MK_EINVAL;
    }
    if (o != NULL && o->buffer_mb > 0 &&
        pcap_set_buffer_size(c->pcap, o->buffer_mb > 2047 ? INT32_MAX : o->buffer_mb << 20) != 0) {
        (void)snprintf(ebuf, PCAP_ERRBUF_SIZE, "cannot set buffer size");
        return MK_EINVAL;
    }
    c->ts_mult = pcap_set_tstamp_precision(c->pcap, PCAP_TSTAMP_PRECISION_NANO) == 0 ? 1 : 1000;
    int rc = pcap_activate(c->pcap);

    if (rc < 0) {
        (void)snprintf(ebuf, PCAP_ERRBUF_SIZE, "%s", pcap_geterr(c->pcap));
        return rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_NO_SUCH_DEVICE ? MK_EIO : MK_EINVAL;
    }
    c->fd = pcap_get_selectable_fd(c->pcap);
    if (c->fd < 0 || pcap_setnonblock(c->pcap, 1, ebuf) != 0) {
        return MK_EINVAL;
    }
    return MK_OK;
}

enum mk_status mk_capture_open_live(const char *iface, const struct mk_capture_opts *opts,
                                    struct mk_capture **out, struct mk_error *err)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    struct mk_capture *c = calloc(1, sizeof(*c));
    enum mk_status st;

    if (c == NULL) {
        mk_error_set(err, iface, "out of memory");
        return MK_ENOMEM;
    }
    c->is_live = true;
    c->pcap = pcap_create(iface, ebuf);
    if (c->pcap == NULL) {
        mk_error_set(err, iface, "%s: %s", iface, ebuf);
        free(c);
        return MK_EIO;
    }
    st = live_setup(c, opts, ebuf);
    if (st != MK_OK) {
        mk_error_set(err, iface, "%s: %s", iface, ebuf);
        mk_capture_close(c);
        return st;
    }
    st = set_filter(c, opts != NULL ? opts->bpf : NULL, err);
    if (st != MK_OK) {
        mk_capture_close(c);
        return st;
    }
    *out = c;
    return MK_OK;
}

void mk_capture_close(struct mk_capture *c)
{
    if (c == NULL) {
        return;
    }
    if (c->pcap != NULL) {
        pcap_close(c->pcap); /* closes c->fp, and c->gz through it */
    }
    free(c->iobuf);
    free(c);
}

/* pcap_next_ex() says -1 for both a damaged file and an I/O error; libpcap's
 * message names truncation ("truncated dump file", "truncated pcapng dump
 * file"), which is the common case of a capture cut off by a crash or a copy. */
static enum mk_status read_error(struct mk_capture *c, struct mk_error *err)
{
    const char *msg = pcap_geterr(c->pcap);

    if (strstr(msg, "truncated") != NULL) {
        mk_error_set(err, "capture", "capture file ends inside a record after %llu packets: %s",
                     (unsigned long long)c->st.packets, msg);
        return MK_ETRUNC;
    }
    mk_error_set(err, "capture", "read error after %llu packets: %s",
                 (unsigned long long)c->st.packets, msg);
    return MK_EIO;
}

enum mk_status mk_capture_next(struct mk_capture *c, struct mk_frame *f, struct mk_error *err)
{
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc = pcap_next_ex(c->pcap, &h, &data);

    if (rc == 0 && c->is_live) {
        /* Nothing buffered: wait at most timeout_ms. A signal ends poll()
         * early (EINTR, never restarted), so SIGINT is seen promptly. */
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};

        if (poll(&pfd, 1, c->timeout_ms) > 0) {
            rc = pcap_next_ex(c->pcap, &h, &data);
        }
    }

    if (rc == 1) {
        f->ts_sec = h->ts.tv_sec;
        f->ts_nsec = (uint32_t)h->ts.tv_usec * c->ts_mult;
        f->caplen = h->caplen;
        f->wirelen = h->len;
        f->linktype = pcap_datalink(c->pcap);
        f->iface = 0;
        f->data = data;
        c->st.packets++;
        c->st.bytes += h->caplen;
        return MK_OK;
    }
    if (rc == 0) {
        return MK_EAGAIN; /* live timeout */
    }
    if (rc == PCAP_ERROR_BREAK) {
        return c->is_live ? MK_EAGAIN : MK_ENOTFOUND;
    }
    return read_error(c, err);
}

void mk_capture_break(struct mk_capture *c)
{
    pcap_breakloop(c->pcap);
}

int mk_capture_linktype(const struct mk_capture *c)
{
    return pcap_datalink(c->pcap);
}

bool mk_capture_is_live(const struct mk_capture *c)
{
    return c->is_live;
}

uint64_t mk_capture_file_size(const struct mk_capture *c)
{
    return c->size;
}

uint64_t mk_capture_file_offset(const struct mk_capture *c)
{
    long off;

    if (c->is_live || c->size == 0) {
        return 0;
    }
    if (c->gz != NULL) {
        /* compressed bytes consumed, comparable with the file size */
        off = (long)gzoffset(c->gz);
    } else {
        off = ftell(c->fp);
    }
    return off < 0 ? 0 : (uint64_t)off;
}

void mk_capture_stats(struct mk_capture *c, struct mk_capture_stats *out)
{
    struct pcap_stat ps;

    *out = c->st;
    if (c->is_live && pcap_stats(c->pcap, &ps) == 0) {
        out->received = ps.ps_recv;
        out->dropped = ps.ps_drop;
        out->if_dropped = ps.ps_ifdrop;
    }
}
