/* decode tests: every frame of the committed captures (counts per protocol),
 * and every capture of ../shared/data/suricata-verify when it is there (no
 * crash, sane counts; skipped cleanly in a user's clone). */
#include <dirent.h>
#include <sys/stat.h>

#include "helpers.h"

#define SV_DIR MK_TEST_DATA "/../../../shared/data/suricata-verify/tests"

static struct mk_decode_stats decode_file(const char *path, int *frames)
{
    struct mk_decoder *d = mk_decoder_new(NULL);
    struct treader r;
    struct mk_frame f;
    struct mk_packet p;
    struct mk_decode_stats st;

    assert_non_null(d);
    *frames = 0;
    if (treader_open(&r, path)) {
        while (treader_next(&r, &f)) {
            enum mk_status s = mk_decode_frame(d, &f, &p);

            (*frames)++;
            /* any status is fine; a reassembled datagram must point somewhere sane */
            if (s == MK_OK && p.payload != NULL) {
                assert_true(p.payload_len < 70000);
            }
            (void)mk_decode_dispatch_hash(&f);
        }
    }
    treader_close(&r);
    st = *mk_decoder_stats(d);
    mk_decoder_free(d);
    return st;
}

static void test_committed_pcaps_counts(void **state)
{
    static const struct {
        const char *name;
        int frames;
        uint64_t ipv4, ipv6, tcp, udp, icmp, vlan, tunnelled, events;
    } cases[] = {
        {"basic.pcap", 8, 5, 2, 3, 2, 2, 2, 0, 0},
        {"basic.pcapng", 8, 5, 2, 3, 2, 2, 2, 0, 0},
        {"tunnels.pcap", 14, 11, 3, 11, 3, 0, 0, 14, 0},
        {"frags.pcap", 5, 3, 2, 0, 2, 0, 0, 0, 0},
        {"sll.pcap", 1, 1, 0, 0, 1, 0, 0, 0, 0},
        {"sll2.pcap", 1, 0, 1, 0, 1, 0, 0, 0, 0},
        {"raw.pcap", 2, 1, 1, 0, 2, 0, 0, 0, 0},
        {"null.pcap", 2, 1, 1, 0, 2, 0, 0, 0, 0},
        {"loop.pcap", 2, 1, 1, 0, 2, 0, 0, 0, 0},
        {"ppp.pcap", 2, 1, 1, 0, 2, 0, 0, 0, 0},
        {"chdlc.pcap", 2, 1, 1, 0, 2, 0, 0, 0, 0},
    };

    (void)state;
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        char path[512];
        int frames;
        struct mk_decode_stats st;
        uint64_t events = 0;

        (void)snprintf(path, sizeof(path), "%s/pcap/%s", MK_TEST_DATA, cases[i].name);
        st = decode_file(path, &frames);
        for (size_t e = 0; e < MK_DECODE_EVENT_COUNT; e++) {
            events += st.events[e];
        }
        print_message("%s: %d frames ipv4 %lu ipv6 %lu tcp %lu udp %lu icmp %lu\n", cases[i].name,
                      frames, (unsigned long)st.ipv4, (unsigned long)st.ipv6, (unsigned long)st.tcp,
                      (unsigned long)st.udp, (unsigned long)st.icmp);
        assert_int_equal(frames, cases[i].frames);
        assert_int_equal(st.ipv4, cases[i].ipv4);
        assert_int_equal(st.ipv6, cases[i].ipv6);
        assert_int_equal(st.tcp, cases[i].tcp);
        assert_int_equal(st.udp, cases[i].udp);
        assert_int_equal(st.icmp, cases[i].icmp);
        assert_int_equal(st.vlan, cases[i].vlan);
        assert_int_equal(st.tunnelled, cases[i].tunnelled);
        assert_int_equal(events, cases[i].events);
    }
}

static bool is_capture_name(const char *n)
{
    size_t len = strlen(n);

    return (len > 5 && strcmp(n + len - 5, ".pcap") == 0) ||
           (len > 7 && strcmp(n + len - 7, ".pcapng") == 0);
}

/* Depth-capped walk of one suricata-verify test folder. */
// NOLINTNEXTLINE(misc-no-recursion)
static void walk(const char *dir, int depth, struct mk_decode_stats *sum, int *files)
{
    DIR *d;
    struct dirent *de;

    if (depth > 3 || (d = opendir(dir)) == NULL) {
        return;
    }
    while ((de = readdir(d)) != NULL) {
        char path[1024];
        struct stat sb;

        if (de->d_name[0] == '.') {
            continue;
        }
        (void)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (stat(path, &sb) != 0) {
            continue;
        }
        if (S_ISDIR(sb.st_mode)) {
            walk(path, depth + 1, sum, files);
        } else if (is_capture_name(de->d_name)) {
            int frames;
            struct mk_decode_stats st = decode_file(path, &frames);

            sum->packets += st.packets;
            sum->ipv4 += st.ipv4;
            sum->ipv6 += st.ipv6;
            sum->tcp += st.tcp;
            sum->udp += st.udp;
            sum->tunnelled += st.tunnelled;
            sum->events[MK_DECODE_TOO_MANY_LAYERS] += st.events[MK_DECODE_TOO_MANY_LAYERS];
            sum->reassembled += st.reassembled;
            (*files)++;
        }
    }
    (void)closedir(d);
}

static void test_suricata_verify_captures_decode(void **state)
{
    struct mk_decode_stats sum;
    int files = 0;
    struct stat sb;

    (void)state;
    if (stat(SV_DIR, &sb) != 0) {
        skip();
    }
    memset(&sum, 0, sizeof(sum));
    walk(SV_DIR, 0, &sum, &files);
    print_message("suricata-verify: %d captures, %lu packets, ipv4 %lu ipv6 %lu tcp %lu udp %lu "
                  "tunnelled %lu reassembled %lu too_many_layers %lu\n",
                  files, (unsigned long)sum.packets, (unsigned long)sum.ipv4,
                  (unsigned long)sum.ipv6, (unsigned long)sum.tcp, (unsigned long)sum.udp,
                  (unsigned long)sum.tunnelled, (unsigned long)sum.reassembled,
                  (unsigned long)sum.events[MK_DECODE_TOO_MANY_LAYERS]);
    assert_true(files > 10);
    assert_true(sum.tcp > sum.packets / 4);
    assert_true(sum.tunnelled > 0);
    assert_true(sum.reassembled > 0);
}

static void one_sv(const char *sub, struct mk_decode_stats *st)
{
    char path[1024];
    int frames;
    struct stat sb;

    (void)snprintf(path, sizeof(path), "%s/%s", SV_DIR, sub);
    if (stat(path, &sb) != 0) {
        skip();
    }
    *st = decode_file(path, &frames);
    assert_true(frames > 0);
}

static void test_suricata_verify_specific_captures(void **state)
{
    struct mk_decode_stats st;

    (void)state;
    one_sv("decode-too-many-layers/input.pcap", &st);
    assert_true(st.events[MK_DECODE_TOO_MANY_LAYERS] > 0);
    one_sv("vxlan-decoder-01/input.pcap", &st);
    assert_true(st.tunnelled > 0);
    one_sv("decode-erspan-typeII-01/input.pcap", &st);
    assert_true(st.tunnelled > 0);
    one_sv("decode-sll2-01/input.pcap", &st);
    assert_true(st.ipv4 + st.ipv6 > 0);
    assert_int_equal(st.events[MK_DECODE_LINK_UNSUPPORTED], 0);
    one_sv("detect-vlan-id/input.pcap", &st);
    assert_true(st.vlan > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_committed_pcaps_counts),
        cmocka_unit_test(test_suricata_verify_captures_decode),
        cmocka_unit_test(test_suricata_verify_specific_captures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
