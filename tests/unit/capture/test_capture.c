/* capture tests: the committed captures in tests/data/pcap (see make_pcaps.py):
 * pcap, pcapng, gzip'ed, nanosecond, truncated, garbage, BPF, memory, live. */
#include <setjmp.h> /* cmocka needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/capture.h"

#define PCAP_DIR MK_TEST_DATA "/pcap/"

/* Reads to the end; returns the final status and the frame count. */
static enum mk_status drain(struct mk_capture *c, int *n, struct mk_error *err)
{
    struct mk_frame f;
    enum mk_status st;

    *n = 0;
    while ((st = mk_capture_next(c, &f, err)) == MK_OK) {
        assert_true(f.caplen > 0);
        assert_int_equal(f.linktype, mk_capture_linktype(c));
        (*n)++;
    }
    return st;
}

static void count_file(const char *name, const char *bpf, int want)
{
    struct mk_capture_opts o = {.bpf = bpf};
    struct mk_capture *c;
    struct mk_error err;
    struct mk_capture_stats cs;
    int n;

    assert_int_equal(mk_capture_open_file(name, &o, &c, &err), MK_OK);
    assert_false(mk_capture_is_live(c));
    assert_int_equal(drain(c, &n, &err), MK_ENOTFOUND);
    assert_int_equal(n, want);
    mk_capture_stats(c, &cs);
    assert_int_equal(cs.packets, (uint64_t)want);
    assert_int_equal(mk_capture_file_offset(c), mk_capture_file_size(c));
    mk_capture_close(c);
}

static void test_reads_pcap_pcapng_and_gzip(void **state)
{
    (void)state;
    count_file(PCAP_DIR "basic.pcap", NULL, 8);
    count_file(PCAP_DIR "basic.pcapng", NULL, 8);
    count_file(PCAP_DIR "basic.pcap.gz", NULL, 8);
    count_file(PCAP_DIR "sll2.pcap", NULL, 1);
}

static void test_timestamps_in_nanoseconds(void **state)
{
    static const char *files[] = {PCAP_DIR "basic.pcap", PCAP_DIR "basic_nano.pcap",
                                  PCAP_DIR "basic.pcapng"};
    static const uint32_t want[] = {123456000, 123456789, 123456789};

    (void)state;
    for (size_t i = 0; i < MK_ARRAY_LEN(files); i++) {
        struct mk_capture *c;
        struct mk_error err;
        struct mk_frame f;

        assert_int_equal(mk_capture_open_file(files[i], NULL, &c, &err), MK_OK);
        assert_int_equal(mk_capture_next(c, &f, &err), MK_OK);
        assert_int_equal(f.ts_sec, 1700000000);
        assert_int_equal(f.ts_nsec, want[i]);
        assert_int_equal(f.linktype, 1);
        mk_capture_close(c);
    }
}

static void test_bpf_filters_files(void **state)
{
    (void)state;
    count_file(PCAP_DIR "basic.pcap", "tcp", 3);
    count_file(PCAP_DIR "basic.pcap.gz", "ip6", 2);
    count_file(PCAP_DIR "basic.pcapng", "vlan", 2);
}

static void test_bad_bpf_is_einval_with_message(void **state)
{
    struct mk_capture_opts o = {.bpf = "tcp and and"};
    struct mk_capture *c;
    struct mk_error err;

    (void)state;
    assert_int_equal(mk_capture_open_file(PCAP_DIR "basic.pcap", &o, &c, &err), MK_EINVAL);
    assert_non_null(strstr(err.msg, "bad filter"));
}

static void test_truncated_file_delivers_good_frames_then_etrunc(void **state)
{
    struct mk_capture *c;
    struct mk_error err;
    int n;

    (void)state;
    assert_int_equal(mk_capture_open_file(PCAP_DIR "truncated.pcap", NULL, &c, &err), MK_OK);
    assert_int_equal(drain(c, &n, &err), MK_ETRUNC);
    assert_int_equal(n, 3);
    assert_non_null(strstr(err.msg, "ends inside a record after 3 packets"));
    mk_capture_close(c);
}

static void test_garbage_and_missing_files_are_clear_errors(void **state)
{
    struct mk_capture *c;
    struct mk_error err;

    (void)state;
    assert_int_equal(mk_capture_open_file(PCAP_DIR "garbage.bin", NULL, &c, &err), MK_EINVAL);
    assert_non_null(strstr(err.msg, "not a pcap or pcapng capture"));
    assert_int_equal(mk_capture_open_file(PCAP_DIR "no-such-file.pcap", NULL, &c, &err), MK_EIO);
    assert_non_null(strstr(err.msg, "No such file"));
}

static void test_reads_from_memory(void **state)
{
    FILE *fp = fopen(PCAP_DIR "basic.pcapng", "rb");
    uint8_t buf[4096];
    size_t len;
    struct mk_capture *c;
    struct mk_error err;
    int n;

    (void)state;
    assert_non_null(fp);
    len = fread(buf, 1, sizeof(buf), fp);
    (void)fclose(fp);
    assert_int_equal(mk_capture_open_memory(buf, len, NULL, &c, &err), MK_OK);
    assert_int_equal(drain(c, &n, &err), MK_ENOTFOUND);
    assert_int_equal(n, 8);
    mk_capture_close(c);
    assert_int_equal(mk_capture_open_memory(buf, 10, NULL, &c, &err), MK_EINVAL);
}

static void test_reads_gzip_from_stdin(void **state)
{
    int saved = dup(STDIN_FILENO);
    FILE *in = fopen(PCAP_DIR "basic.pcap.gz", "rb");
    struct mk_capture *c;
    struct mk_error err;
    int n;

    (void)state;
    assert_non_null(in);
    assert_int_equal(dup2(fileno(in), STDIN_FILENO), STDIN_FILENO);
    assert_int_equal(mk_capture_open_file("-", NULL, &c, &err), MK_OK);
    assert_int_equal(drain(c, &n, &err), MK_ENOTFOUND);
    assert_int_equal(n, 8);
    assert_int_equal(mk_capture_file_size(c), 0);
    mk_capture_close(c);
    assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
    (void)close(saved);
    (void)fclose(in);
}

static void test_live_on_loopback_times_out_and_breaks(void **state)
{
    struct mk_capture_opts o = {.timeout_ms = 20, .bpf = "udp port 9"};
    struct mk_capture *c;
    struct mk_error err;
    struct mk_frame f;
    struct mk_capture_stats cs;
    enum mk_status st;

    (void)state;
    if (geteuid() != 0 || mk_capture_open_live("lo", &o, &c, &err) != MK_OK) {
        skip();
    }
    assert_true(mk_capture_is_live(c));
    /* nothing matches: a timeout (MK_EAGAIN), or a frame if someone sends to port 9 */
    st = mk_capture_next(c, &f, &err);
    assert_true(st == MK_EAGAIN || st == MK_OK);
    mk_capture_break(c);
    st = mk_capture_next(c, &f, &err);
    assert_true(st == MK_EAGAIN || st == MK_OK);
    mk_capture_stats(c, &cs);
    mk_capture_close(c);
    assert_int_equal(mk_capture_open_live("no-such-if0", &o, &c, &err) != MK_OK, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_pcap_pcapng_and_gzip),
        cmocka_unit_test(test_timestamps_in_nanoseconds),
        cmocka_unit_test(test_bpf_filters_files),
        cmocka_unit_test(test_bad_bpf_is_einval_with_message),
        cmocka_unit_test(test_truncated_file_delivers_good_frames_then_etrunc),
        cmocka_unit_test(test_garbage_and_missing_files_are_clear_errors),
        cmocka_unit_test(test_reads_from_memory),
        cmocka_unit_test(test_reads_gzip_from_stdin),
        cmocka_unit_test(test_live_on_loopback_times_out_and_breaks),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
