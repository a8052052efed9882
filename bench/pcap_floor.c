/* pcap_floor.c: the bare libpcap read loop (pcap_open_offline + pcap_next_ex) that the sensor
 * benchmark compares against; prints "packets bytes seconds" for all files given in order.
 * Usage: pcap_floor FILE...   (bench/run_sensor.sh) */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <pcap/pcap.h>

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads one file; adds its packets and captured bytes. Returns 0, or 1 if it cannot be read. */
static int read_file(const char *path, uint64_t *packets, uint64_t *bytes, unsigned *touch)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, err);
    struct pcap_pkthdr *h = NULL;
    const u_char *data = NULL;
    int rc = 0;

    if (p == NULL) {
        fprintf(stderr, "pcap_floor: %s: %s\n", path, err);
        return 1;
    }
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        (*packets)++;
        *bytes += h->caplen;
        /* Touch the data as any consumer would (the first byte of the frame). */
        *touch += h->caplen > 0 ? data[0] : 0;
    }
    if (rc == PCAP_ERROR) {
        fprintf(stderr, "pcap_floor: %s: %s\n", path, pcap_geterr(p));
    }
    pcap_close(p);
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t packets = 0, bytes = 0;
    unsigned touch = 0;
    int bad = 0;
    double t0 = now_s();

    if (argc < 2) {
        fprintf(stderr, "usage: pcap_floor FILE...\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        bad |= read_file(argv[i], &packets, &bytes, &touch);
    }
    double t = now_s() - t0;
    printf("%llu %llu %.6f\n", (unsigned long long)packets, (unsigned long long)bytes, t);
    fprintf(stderr, "pcap_floor: checksum %u\n", touch);
    return bad ? 1 : 0;
}
