/* capture: a pcap or pcapng image read from memory (fmemopen), every frame
 * to the end, with a BPF filter when the first byte is odd. */
#include "capture/capture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mk_capture_opts o = {.bpf = size > 0 && (data[0] & 1) ? "ip or ip6" : NULL};
    struct mk_capture *c;
    struct mk_error err;
    struct mk_frame f;
    int n = 0;

    if (mk_capture_open_memory(data, size, &o, &c, &err) != MK_OK) {
        return 0;
    }
    while (n++ < 100000 && mk_capture_next(c, &f, &err) == MK_OK) {
        if (f.caplen > 0 && f.data[0] == 0 && f.data[f.caplen - 1] == 0xff) {
            n++; /* touches both ends of every frame: ASan checks the bounds */
        }
    }
    mk_capture_close(c);
    return 0;
}
