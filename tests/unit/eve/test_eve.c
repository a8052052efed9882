/* EVE writer: the header every event shares, each event body, stats nesting,
 * line caps, and the file output with reopen (log rotation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eve/eve.h"

static struct mk_eve_config cfg;

static void make_flow(struct mk_flow *f)
{
    memset(f, 0, sizeof(*f));
    assert_int_equal(mk_addr_parse("192.0.2.10", &f->src), MK_OK);
    assert_int_equal(mk_addr_parse("198.51.100.53", &f->dst), MK_OK);
    f->sport = 40000;
    f->dport = 53;
    f->proto = 17;
    f->ip_version = 4;
    f->flow_id = 1234567;
    f->first_sec = 1700000000;
    f->last_sec = 1700000002;
    f->pkts[0] = 1;
    f->pkts[1] = 1;
    f->bytes[0] = 80;
    f->bytes[1] = 120;
    f->app_proto = MK_APP_DNS;
    f->vlan[0] = 100;
    f->n_vlans = 1;
}

/* Writes one event with `fn` and returns the line (without '\n'). */
static const char *line_of(struct mk_eve_writer *w)
{
    static char text[8192];

    assert_true(w->buf.len > 0);
    assert_int_equal(w->buf.data[w->buf.len - 1], '\n');
    assert_true(w->buf.len < sizeof(text));
    memcpy(text, w->buf.data, w->buf.len - 1);
    text[w->buf.len - 1] = '\0';
    mk_buf_reset(&w->buf);
    return text;
}

static void test_eve_dns_query_and_answer_use_packet_direction(void **state)
{
    struct mk_eve_writer w;
    struct mk_flow f;
    struct mk_dns_rr answers[2] = {
        {.rrname = "www.example.com", .rrtype = 5, .ttl = 300, .rdata = "example.com"},
        {.rrname = "example.com", .rrtype = 1, .ttl = 60, .rdata = "93.184.216.34"}};
    struct mk_dns_msg q = {.id = 4660, .qname = "www.example.com", .qtype = 1, .n_questions = 1};
    struct mk_dns_msg a = q;
    const char *line;

    (void)state;
    make_flow(&f);
    cfg.host = "sensor-1";
    mk_eve_writer_init(&w, NULL, &cfg);
    mk_eve_dns(&w, (struct mk_eve_time){1700000000, 123456000}, &f, MK_FLOW_TOSERVER, &q);
    line = line_of(&w);
    assert_non_null(strstr(line,
                           "{\"timestamp\":\"2023-11-14T22:13:20.123456+0000\",\"flow_id\":1234567,"
                           "\"event_type\":\"dns\",\"vlan\":[100],\"src_ip\":\"192.0.2.10\","
                           "\"src_port\":40000,\"dest_ip\":\"198.51.100.53\",\"dest_port\":53,"
                           "\"proto\":\"UDP\",\"community_id\":\"1:"));
    assert_non_null(strstr(line, "\"dns\":{\"type\":\"query\",\"id\":4660,\"rrname\":"
                                 "\"www.example.com\",\"rrtype\":\"A\",\"tx_id\":0,\"opcode\":0}"));
    assert_non_null(strstr(line, "\"host\":\"sensor-1\""));

    a.is_response = true;
    a.flags = 0x8180;
    a.answers = answers;
    a.n_answers = 2;
    mk_eve_dns(&w, (struct mk_eve_time){1700000000, 0}, &f, MK_FLOW_TOCLIENT, &a);
    line = line_of(&w);
    assert_non_null(strstr(line, "\"src_ip\":\"198.51.100.53\",\"src_port\":53,"
                                 "\"dest_ip\":\"192.0.2.10\",\"dest_port\":40000"));
    assert_non_null(strstr(line, "\"type\":\"answer\",\"id\":4660,\"flags\":\"8180\",\"qr\":true,"
                                 "\"rd\":true,\"ra\":true"));
    assert_non_null(strstr(line, "\"rcode\":\"NOERROR\""));
    assert_non_null(strstr(line,
                           "\"answers\":[{\"rrname\":\"www.example.com\",\"rrtype\":\"CNAME\","
                           "\"ttl\":300,\"rdata\":\"example.com\"}"));
    assert_non_null(
        strstr(line, "\"grouped\":{\"CNAME\":[\"example.com\"],\"A\":[\"93.184.216.34\"]}"));
    mk_eve_writer_fini(&w);
    cfg.host = NULL;
}

static void test_eve_flow_event_counts_both_directions(void **state)
{
    struct mk_eve_writer w;
    struct mk_flow f;
    const char *line;

    (void)state;
    make_flow(&f);
    mk_eve_writer_init(&w, NULL, &cfg);
    mk_eve_flow(&w, &f, MK_FLOW_END_TIMEOUT);
    line = line_of(&w);
    assert_non_null(strstr(line, "\"event_type\":\"flow\""));
    assert_non_null(strstr(line, "\"app_proto\":\"dns\""));
    assert_non_null(strstr(line, "\"flow\":{\"pkts_toserver\":1,\"pkts_toclient\":1,"
                                 "\"bytes_toserver\":80,\"bytes_toclient\":120,"));
    assert_non_null(strstr(line, "\"age\":2,\"state\":\"established\",\"reason\":\"timeout\""));
    assert_null(strstr(line, "\"tcp\""));
    assert_int_equal(w.events[MK_EVE_FLOW], 1);
    mk_eve_writer_fini(&w);
}

static void test_eve_tls_writes_fingerprints_and_certificate(void **state)
{
    struct mk_eve_writer w;
    struct mk_flow f;
    struct mk_tls_cert cert = {.subject = "CN=example.com",
                               .issuer = "C=US, O=Example CA",
                               .serial = "0A:1B",
                               .fingerprint = "aa:bb",
                               .not_before = 1700000000,
                               .not_after = 1800000000};
    struct mk_tls_info t = {.version = "TLS 1.2",
                            .sni = "example.com",
                            .ja3_string = "771,4865,0-11,29,0",
                            .client_alpns = {"h2", "http/1.1"},
                            .n_client_alpns = 2,
                            .cert = &cert};
    const char *line;

    (void)state;
    make_flow(&f);
    f.proto = 6;
    f.dport = 443;
    memcpy(t.ja3_hash, "0123456789abcdef0123456789abcdef", 33);
    memcpy(t.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1", 37);
    mk_eve_writer_init(&w, NULL, &cfg);
    mk_eve_tls(&w, (struct mk_eve_time){1700000000, 0}, &f, &t);
    line = line_of(&w);
    assert_non_null(strstr(line, "\"tls\":{\"subject\":\"CN=example.com\",\"issuerdn\":"
                                 "\"C=US, O=Example CA\",\"serial\":\"0A:1B\",\"fingerprint\":"
                                 "\"aa:bb\",\"notbefore\":\"2023-11-14T22:13:20\","));
    assert_non_null(strstr(line, "\"sni\":\"example.com\",\"version\":\"TLS 1.2\","
                                 "\"ja3\":{\"hash\":\"0123456789abcdef0123456789abcdef\","
                                 "\"string\":\"771,4865,0-11,29,0\"}"));
    assert_non_null(strstr(line, "\"ja4\":\"t13d1516h2_8daaf6152771_e5627efa2ab1\""));
    assert_non_null(strstr(line, "\"client_alpns\":[\"h2\",\"http/1.1\"]"));
    assert_null(strstr(line, "ja3s"));
    mk_eve_writer_fini(&w);
}

static void test_eve_stats_nests_dotted_counter_names(void **state)
{
    struct mk_eve_writer w;
    const struct mk_eve_counter c[] = {
        {"capture.kernel_drops", 1},  {"capture.kernel_packets", 2},
        {"decode.ipv4.truncated", 3}, {"decode.tcp.bad_header_length", 4},
        {"decoder.pkts", 5},          {"flow.ended", 6}};
    const char *line;

    (void)state;
    mk_eve_writer_init(&w, NULL, &cfg);
    mk_eve_stats(&w, (struct mk_eve_time){1700000000, 0}, 12.5, c, 6);
    line = line_of(&w);
    assert_non_null(strstr(line, "\"stats\":{\"uptime\":12,\"capture\":{\"kernel_drops\":1,"
                                 "\"kernel_packets\":2},\"decode\":{\"ipv4\":{\"truncated\":3},"
                                 "\"tcp\":{\"bad_header_length\":4}},\"decoder\":{\"pkts\":5},"
                                 "\"flow\":{\"ended\":6}}}"));
    mk_eve_writer_fini(&w);
}

static void test_eve_escapes_hostile_strings(void **state)
{
    struct mk_eve_writer w;
    struct mk_flow f;
    struct mk_http_tx tx = {.method = "GET",
                            .uri = "/a\"b\\c\n\x01",
                            .hostname = "evil\xff.example",
                            .port = -1,
                            .protocol = "HTTP/1.1",
                            .status = 200,
                            .has_status = true};
    const char *line;

    (void)state;
    make_flow(&f);
    f.proto = 6;
    mk_eve_writer_init(&w, NULL, &cfg);
    mk_eve_http(&w, (struct mk_eve_time){1700000000, 0}, &f, &tx);
    line = line_of(&w);
    assert_non_null(strstr(line, "\"url\":\"/a\\\"b\\\\c\\n\\u0001\""));
    assert_non_null(strstr(line, "\"hostname\":\"evil\xef\xbf\xbd.example\""));
    assert_non_null(strstr(line, "\"status\":200"));
    mk_eve_writer_fini(&w);
}

static void test_eve_file_output_reopens_after_rotation(void **state)
{
    char dir[] = "/tmp/mk-eve-XXXXXX";
    char path[64];
    char rotated[80];
    struct mk_eve_output out;
    struct mk_error err;
    FILE *f;
    char buf[64] = {0};

    (void)state;
    assert_non_null(mkdtemp(dir));
    (void)snprintf(path, sizeof(path), "%s/eve.json", dir);
    (void)snprintf(rotated, sizeof(rotated), "%s/eve.json.1", dir);
    assert_int_equal(mk_eve_output_open(&out, path, &err), MK_OK);
    mk_eve_output_write(&out, (const uint8_t *)"{\"a\":1}\n", 8, 1);
    assert_int_equal(rename(path, rotated), 0);
    mk_eve_output_write(&out, (const uint8_t *)"{\"a\":2}\n", 8, 1); /* still the old file */
    assert_int_equal(mk_eve_output_reopen(&out, &err), MK_OK);
    mk_eve_output_write(&out, (const uint8_t *)"{\"a\":3}\n", 8, 1);
    mk_eve_output_close(&out);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_int_equal(fread(buf, 1, sizeof(buf) - 1, f), 8);
    (void)fclose(f);
    assert_string_equal(buf, "{\"a\":3}\n");
    assert_int_equal(out.lines, 3);
    (void)unlink(path);
    (void)unlink(rotated);
    (void)rmdir(dir);
}

static void test_eve_drops_events_longer_than_the_line_cap(void **state)
{
    struct mk_eve_writer w;
    struct mk_flow f;
    char *huge = malloc(MK_EVE_LINE_MAX + 16);
    struct mk_http_tx tx = {.method = "GET", .port = -1};

    (void)state;
    assert_non_null(huge);
    memset(huge, 'a', MK_EVE_LINE_MAX + 15);
    huge[MK_EVE_LINE_MAX + 15] = '\0';
    tx.uri = huge;
    make_flow(&f);
    mk_eve_writer_init(&w, NULL, &cfg);
    mk_eve_http(&w, (struct mk_eve_time){1, 0}, &f, &tx);
    assert_int_equal(w.buf.len, 0);
    assert_int_equal(w.dropped, 1);
    tx.uri = "/ok";
    mk_eve_http(&w, (struct mk_eve_time){1, 0}, &f, &tx);
    assert_non_null(strstr(line_of(&w), "\"url\":\"/ok\""));
    mk_eve_writer_fini(&w);
    free(huge);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eve_dns_query_and_answer_use_packet_direction),
        cmocka_unit_test(test_eve_flow_event_counts_both_directions),
        cmocka_unit_test(test_eve_tls_writes_fingerprints_and_certificate),
        cmocka_unit_test(test_eve_stats_nests_dotted_counter_names),
        cmocka_unit_test(test_eve_escapes_hostile_strings),
        cmocka_unit_test(test_eve_file_output_reopens_after_rotation),
        cmocka_unit_test(test_eve_drops_events_longer_than_the_line_cap),
    };

    cfg = MK_EVE_CONFIG_DEFAULT;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
