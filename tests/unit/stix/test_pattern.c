/* STIX patterning parser and writer: the specification's examples, syntax errors
 * with their column, precedence, literals, nesting caps and the format round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stix/pattern_int.h"
#include "stix/stix.h"

struct fixture {
    struct mk_arena arena;
    struct mk_error err;
    struct mk_buf out;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    mk_arena_init(&f->arena, 4096, 0);
    mk_buf_init(&f->out, 1u << 20);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    mk_buf_fini(&f->out);
    mk_arena_fini(&f->arena);
    free(f);
    return 0;
}

static enum mk_status parse(struct fixture *f, const char *s, const struct mk_stix_pattern **p)
{
    mk_error_clear(&f->err);
    return mk_stix_pattern_parse(&f->arena, s, strlen(s), p, &f->err);
}

/* Parses s (which must be valid) and returns its normalised form. */
static const char *normalise(struct fixture *f, const char *s)
{
    const struct mk_stix_pattern *p = NULL;
    enum mk_status st = parse(f, s, &p);

    if (st != MK_OK) {
        print_error("pattern %s: %s\n", s, f->err.msg);
    }
    assert_int_equal(st, MK_OK);
    mk_buf_reset(&f->out);
    assert_int_equal(mk_stix_pattern_format(p, &f->out), MK_OK);
    return mk_arena_strndup(&f->arena, f->out.data, f->out.len);
}

/* The pattern examples of the STIX 2.1 specification, as they appear in the
 * specification text (not JSON encoded), copied from "STIX Version 2.1 Errata 01"
 * (https://docs.oasis-open.org/cti/stix/v2.1/stix-v2.1.md, as stored in
 * oasis-tcs/cti-stix2 spec/stix-v2.1.md). Section 9.8 (Examples) comes first, in
 * its order; spec_examples[5] (the three user accounts) is also used below as a
 * pattern that needs several allocations. */
static const char *const spec_examples[] = {
    /* 9.8 Examples */
    "[file:hashes.'SHA-256' = "
    "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
    "[email-message:from_ref.value MATCHES '.+\\\\@example\\\\.com$' AND "
    "email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\\\.exe$']",
    "[file:hashes.'SHA-256' = "
    "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND "
    "file:mime_type = 'application/x-pdf']",
    /* the specification breaks this one over two lines */
    "[file:hashes.'SHA-256' = "
    "'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c' OR "
    "file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f']\nAND [file:hashes.'SHA-256' = "
    "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
    "([file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] FOLLOWEDBY "
    "[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo\\\\bar']) WITHIN 300 SECONDS",
    "[user-account:account_type = 'unix' AND user-account:user_id = '1007' AND "
    "user-account:account_login = 'Peter'] AND [user-account:account_type = 'unix' AND "
    "user-account:user_id = '1008' AND user-account:account_login = 'Paul'] AND "
    "[user-account:account_type = 'unix' AND user-account:user_id = '1009' AND "
    "user-account:account_login = 'Mary']",
    "[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES "
    "'\\\\xd4\\\\xc3\\\\xb2\\\\xa1\\\\x02\\\\x00\\\\x04\\\\x00']",
    "[file:name = 'foo.dll' AND file:parent_directory_ref.path = "
    "'C:\\\\Windows\\\\System32']",
    "[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
    "[file:mime_type = 'image/bmp' AND file:magic_number_hex = h'ffd8']",
    "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = "
    "'203.0.113.33/32']",
    "[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = "
    "'example.com'] REPEATS 5 TIMES WITHIN 1800 SECONDS",
    "[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = "
    "'198.51.100.1/32']",
    "[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']",
    "[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = "
    "'4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']",
    "[windows-registry-key:key = 'HKEY_CURRENT_USER\\\\Software\\\\CryptoLocker\\\\Files' OR "
    "windows-registry-key:key = "
    "'HKEY_CURRENT_USER\\\\Software\\\\Microsoft\\\\CurrentVersion\\\\Run\\\\CryptoLocker_0388']",
    "[(file:name = 'pdf.exe' OR file:size = 371712) AND file:created = "
    "t'2014-01-13T07:03:17Z']",
    "[email-message:sender_ref.value = 'jdoe@example.com' AND email-message:subject = "
    "'Conference Info']",
    "[x-usb-device:usbdrive.serial_number = '575833314133343231313937']",
    /* sic: no space between the second MATCHES and its string */
    "[process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachine Root$'] "
    "FOLLOWEDBY [process:command_line MATCHES"
    "'^.+>-add GlobalSign.cer -c -s -r localMachineTrustedPublisher$'] WITHIN 300 SECONDS",
    "[network-traffic:dst_ref.value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']",
    "([file:name = 'foo.dll'] AND [windows-registry-key:key = "
    "'HKEY_LOCAL_MACHINE\\\\foo\\\\bar']) OR [process:image_ref.name = 'fooproc' OR "
    "process:image_ref.name = 'procfoo']",
    /* 9.1 Definitions, Example column (the full patterns) */
    "[ipv4-addr:value = '203.0.113.1' OR ipv4-addr:value = '203.0.113.2']",
    "([ipv4-addr:value = '198.51.100.5'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.10'])",
    "([ipv4-addr:value = '198.51.100.5' ] AND [ipv4-addr:value = '198.51.100.10']) WITHIN 300 "
    "SECONDS",
    "[file:name = 'foo.dll'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'",
    "[ipv4-addr:value = '198.51.100.5'] AND [ ipv4-addr:value = '198.51.100.10']",
    "[file:size = 25536]",
    /* 9.3 STIX Patterns */
    "[ipv4-addr:value = '198.51.100.1/32']",
    "[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR "
    "ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128']\n",
    "[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR "
    "ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128'] REPEATS 5 TIMES",
    "([ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR "
    "ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128'] FOLLOWEDBY "
    "[domain-name:value = 'example.com']) WITHIN 600 SECONDS",
    /* 9.5 Observation Expressions */
    "[ network-traffic:src_ref.value = '203.0.113.10' AND network-traffic:dst_ref.value = "
    "'198.51.100.58' ]",
    /* 9.5.1 Observation Expression Qualifiers (the WITHIN example; '...' is the spec's) */
    "([file:hashes.'SHA-256' = '13987239847...'] AND [windows-registry-key:key = 'hkey']) "
    "WITHIN 120 SECONDS",
    /* 9.1, 9.6.1, 9.6.4 and 9.7: comparison expressions and object paths that the
     * specification shows without brackets, here inside one. */
    "[user-account:value = 'Peter']",
    "[user-account:value = 'Peter' OR user-account:value = 'Mary']",
    "[file:name = 'foo.dll']",
    "[file:size != 4112]",
    "[file:size > 256]",
    "[file:size < 1024]",
    "[file:size <= 25145]",
    "[file:size >= 33312]",
    "[process:name IN ('proccy', 'proximus', 'badproc')]",
    "[directory:path LIKE 'C:\\\\Windows\\\\%\\\\foo']",
    "[directory:path MATCHES '^C:\\\\\\\\Windows\\\\w+$']",
    "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
    "[ipv4-addr:value ISSUPERSET '198.51.100.0/24']",
    "[EXISTS windows-registry-key:values]",
    "[artifact:payload_bin = 'dGhpcyBpcyBhIHRlc3Q=']",
    "[artifact:payload_bin = 'this is a test']",
    "[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=']",
    "[artifact:payload_bin = h'7468697320697320612074657374']",
    "[EXISTS ipv6-addr:value]",
    "[EXISTS file:size]",
    "[EXISTS file:extensions.'windows-pebinary-ext'.sections[*].entropy]",
    "[EXISTS network-traffic:protocols[0]]",
    "[EXISTS file:hashes.ssdeep]",
    "[EXISTS file:extensions.'raster-image-ext'.image_height]",
    "[EXISTS email-message:from_ref.value]",
    "[EXISTS directory:contains_refs[*].name]",
    /* 9.2 Constants: the example of each constant */
    "[artifact:payload_bin = b'ABI=']",
    "[artifact:payload_bin = h'ffc3']",
    "[file:created = t'2014-01-13T07:03:17Z']",
    /* 7.3 (extension definition examples) and 8.2 (bundle example) */
    "[file:hashes.'SHA-256' = "
    "'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c']",
};

/* The valid patterns of the OASIS pattern validator's STIX 2.1 tests
 * (oasis-open/cti-pattern-validator stix2patterns/test/v21/test_validator.py,
 * PASS_CASES; Python escapes removed). Object types such as emailaddr and
 * win-registry-key are the validator's own: the grammar accepts any type name. */
static const char *const validator_valid[] = {
    "[file:size = 1280]",
    "[file:size != 1280]",
    "[file:size < 1024]",
    "[file:size <= 1024]",
    "[file:size > 1024]",
    "[file:size >= 1024]",
    "[file:file_name = 'my_file_name']",
    "[file:extended_properties.'ntfs-ext'.sid = '234']",
    "[emailaddr:value MATCHES '.+\\\\@ibm\\\\.com$' OR file:name MATCHES "
    "'^Final Report.+\\\\.exe$']",
    "[ipv4addr:value ISSUBSET '192.168.0.1/24']",
    "[ipv4addr:value NOT ISSUBSET '192.168.0.1/24']",
    "[user-account:value = 'Peter'] AND [user-account:value != 'Paul'] AND "
    "[user-account:value = 'Mary'] WITHIN 5 SECONDS",
    "[file:file_system_properties.file_name LIKE 'name%']",
    "[file:file_name IN ('test.txt', 'test2.exe', 'README')]",
    "[file:size IN (1024, 2048, 4096)]",
    "[network-connection:extended_properties[0].source_payload MATCHES 'dGVzdHRlc3R0ZXN0']",
    "[win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] WITHIN 5 SECONDS",
    "[x_whatever:detected == t'2018-03-22T12:11:14.1Z']",
    "[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=']",
    "[foo:bar=1] REPEATS 9 TIMES",
    "[network-traffic:start = '2018-04-20T12:36:24.558Z']",
    "( [(network-traffic:dst_port IN(443,6443,8443) AND network-traffic:src_packets != 0) ])",
    /* "([win-registry-key:key = ...]) WITHIN 5 SECONDS WITHIN 6 SECONDS" is also in
     * PASS_CASES, but only because the validator does not look for duplicate
     * qualifiers after a ')'; section 9.5.1 forbids it, see spec_invalid. */
    "([win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] REPEATS 2 TIMES) REPEATS 2 "
    "TIMES",
    "[network-traffic:src_port = 37020 AND user-account:user_id = 'root'] "
    "START t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z' OR "
    "[ipv4-addr:value = '192.168.122.83'] "
    "START t'2016-06-01T03:55:00.123Z' STOP t'2016-06-01T04:30:24.743Z'",
    /* the STIX 2.0 test file (test/v20/test_validator.py) adds this one */
    "[file:hashes[*] = '8665c8d477534008b3058b72e2dae8ae']",
};

/* Patterns that must be rejected. Most are the validator's FAIL_CASES (same file);
 * "[file:hashes.'SHA-256' = 'f00']" is left out: the validator rejects it for the
 * hash length, which is the STIX validator's business (validate.c), not the
 * grammar's. The rest name the rule of the specification they break. */
static const char *const spec_invalid[] = {
    "file:size = 1280",
    "[file:size = ]",
    "[file:hashes.MD5 = cead3f77f6cda6ec00f57d76c9a6879f]",
    "[file.size = 1280]",
    "[file:name MATCHES /.*\\.dll/]",
    "[win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] WITHIN ]",
    "[win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] WITHIN 5 HOURS]",
    "[win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] WITHIN -5 SECONDS]",
    "[network-traffic:dst_ref.value ISSUBSET ]",
    "[file:hashes.MD5 =? 'cead3f77f6cda6ec00f57d76c9a6879f']",
    "[x_whatever:detected == t'2457-73-22T32:81:84.1Z']",
    "[artifact:payload_bin = b'====']",
    "[foo:bar=1] within 2 seconds",
    /* 9.5.1: "An Observation Expression MUST NOT have more than one Qualifier of a
     * particular type." (validator FAIL_CASES, then the ')' case it lets through) */
    "[win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] WITHIN 5 SECONDS WITHIN 6 "
    "SECONDS",
    "([win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] REPEATS 2 TIMES REPEATS 3 "
    "TIMES)",
    "[win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] "
    "START t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z' "
    "START t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z'",
    "([win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar']) WITHIN 5 SECONDS WITHIN 6 "
    "SECONDS",
    /* the timestamp cases of the validator's STIX 2.0 tests (test/v20/test_validator.py,
     * TIMESTAMP_FAIL_CASES) */
    "[x:created = t'2024-13-01T12:00:00Z']",
    "[x:created = t'2024-00-01T12:00:00Z']",
    "[x:created = t'2024-01-32T12:00:00Z']",
    "[x:created = t'2024-01-00T12:00:00Z']",
    "[x:created = t'2024-01-15T25:00:00Z']",
    "[x:created = t'2024-01-15T12:60:00Z']",
    "[x:created = t'2024-01-15T12:30:61Z']",
    "[x:created = t'2024-01-15T12:30:45']",
    "[x:created = t'not-a-timestamp']",
    "[x:created = t'2024/01/15T12:30:45Z']",
    /* 9.7: a property name with a '-' MUST be in apostrophes. The STIX 2.0 text of
     * the PE entropy example did not quote it; 2.1 does (spec_examples[8]). */
    "[file:extensions.windows-pebinary-ext.sections[*].entropy > 7.0]",
    /* 9.5.2 and 9.5 write [ a = 'b' ], [ a ] and type-a:property-j as shorthand in
     * their prose; they are not patterns (no object type, unquoted '-', MINUTES). */
    "[ a = 'b' ] FOLLOWEDBY [ c = 'd' ] REPEATS 5 TIMES",
    "([ a ] AND [ b ]) REPEATS 5 TIMES WITHIN 5 MINUTES",
    "[type-a:property-j = 'W' AND type-a:property-k = 'X' OR type-a:property-l = 'Z']",
    /* 9.2: a float has no exponent; an integer has no leading zeros */
    "[file:size > 1.5E3]",
    "[file:size = 0371712]",
};

/* Our own cases for syntax the examples above do not reach (not from the
 * specification): NOT with each operator, signed numbers, list index forms. */
static const char *const extra_valid[] = {
    "[windows-registry-key:values[*].name = 'Foo']",
    "[file:size NOT IN (1, 2, 3)]",
    "[file:name NOT LIKE '%.exe']",
    "[file:name NOT MATCHES '^a']",
    "[ipv4-addr:value NOT ISSUPERSET '198.51.100.7']",
    "[NOT EXISTS file:size]",
    "[network-traffic:src_port > 1023 AND network-traffic:dst_port = 443]",
    "[process:pid = -1 OR process:pid >= +10]",
    "[x-a:list[-1] = 'last']",
    "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] REPEATS 5 TIMES",
    "[a:x = 1] REPEATS 2 TIMES WITHIN 5 SECONDS START t'2016-06-01T00:00:00Z' STOP "
    "t'2016-07-01T00:00:00Z'",
};

static void parse_all_ok(struct fixture *f, const char *const *list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        const struct mk_stix_pattern *p = NULL;
        enum mk_status st = parse(f, list[i], &p);

        if (st != MK_OK) {
            print_error("%s[%zu]: %s -> %s\n", name, i, list[i], f->err.msg);
        }
        assert_int_equal(st, MK_OK);
        assert_non_null(p);
    }
}

static void test_pattern_parses_spec_examples(void **state)
{
    struct fixture *f = *state;

    parse_all_ok(f, spec_examples, MK_ARRAY_LEN(spec_examples), "spec_examples");
}

static void test_pattern_parses_validator_valid_cases(void **state)
{
    struct fixture *f = *state;

    parse_all_ok(f, validator_valid, MK_ARRAY_LEN(validator_valid), "validator_valid");
    parse_all_ok(f, extra_valid, MK_ARRAY_LEN(extra_valid), "extra_valid");
}

static void test_pattern_rejects_invalid_spec_cases(void **state)
{
    struct fixture *f = *state;

    for (size_t i = 0; i < MK_ARRAY_LEN(spec_invalid); i++) {
        const struct mk_stix_pattern *p = NULL;
        enum mk_status st = parse(f, spec_invalid[i], &p);

        if (st != MK_EINVAL) {
            print_error("spec_invalid[%zu]: %s -> %d\n", i, spec_invalid[i], st);
            fail();
        }
        assert_null(p);
        assert_true(strncmp(f->err.msg, "column ", 7) == 0);
    }
}

static void test_pattern_rejects_unclosed_bracket(void **state)
{
    struct fixture *f = *state;
    const struct mk_stix_pattern *p = NULL;

    assert_int_equal(parse(f, "[file:name = 'a' AND file:size = 3", &p), MK_EINVAL);
    assert_null(p);
    assert_string_equal(f->err.msg, "column 35: expected ']' to close observation expression, "
                                    "found end of pattern");
}

static void test_pattern_names_the_token_found(void **state)
{
    struct fixture *f = *state;
    const struct mk_stix_pattern *p = NULL;

    assert_int_equal(parse(f, "[file:name = 'a') AND [file:name = 'b']", &p), MK_EINVAL);
    assert_string_equal(f->err.msg,
                        "column 17: expected ']' to close observation expression, found ')'");
}

struct bad_case {
    const char *pattern;
    size_t column;
    const char *words; /* a part of the message */
};

static const struct bad_case bad_cases[] = {
    {"", 1, "'[' or '('"},
    {"file:name = 'a'", 1, "'[' or '('"},
    {"[]", 2, "object path"},
    {"[file:name = 'a'", 17, "']' to close"},
    {"[file:name = 'a']]", 18, "end of the pattern"},
    {"[file:name = 'a'] and [file:name = 'b']", 19, "found 'and'"},
    {"[file:name and 'a']", 12, "comparison operator"},
    {"[file:name == ]", 15, "a literal"},
    {"[file name = 'a']", 7, "':' after the object type"},
    {"[file:na-me = 'a']", 7, "must be quoted"},
    {"[file:name = 'a\\n']", 16, "escapes"},
    {"[file:name = 'abc]", 14, "unterminated string"},
    {"[file:size = 01]", 14, "leading zeros"},
    {"[file:size = 99999999999999999999]", 14, "out of range"},
    {"[file:size = 1.]", 14, "digits after '.'"},
    {"[file:x = h'abc']", 11, "odd number"},
    {"[file:x = h'zz']", 13, "invalid hex"},
    {"[file:x = b'abc']", 11, "base64"},
    {"[file:x = b'ab=c']", 16, "invalid base64"},
    {"[file:x = t'2016-02-30T00:00:00Z']", 11, "invalid timestamp"},
    {"[file:x = t'2016-01-01 00:00:00Z']", 11, "invalid timestamp"},
    {"[file:x = t'2016-01-01T00:00:00+01:00']", 11, "invalid timestamp"},
    {"[file:x > true]", 11, "orderable"},
    {"[file:x LIKE 5]", 14, "string literal"},
    {"[file:x IN 'a']", 12, "'(' to open the IN set"},
    {"[file:x IN ('a' 'b')]", 17, "',' or ')'"},
    {"[file:x IN ('a',)]", 17, "a literal in the IN set"},
    {"[file:x[a] = 1]", 9, "list index"},
    {"[file:x[*] = 1", 15, "']' to close"},
    {"[file:x NOT EXISTS]", 13, "comparison operator"},
    {"[NOT file:x = 1]", 6, "EXISTS after NOT"},
    {"[file:x = 1] WITHIN SECONDS", 21, "positive number"},
    {"[file:x = 1] WITHIN 0 SECONDS", 21, "positive number"},
    {"[file:x = 1] WITHIN -5 SECONDS", 21, "positive number"},
    {"[file:x = 1] WITHIN 5", 22, "SECONDS"},
    {"[file:x = 1] REPEATS 0 TIMES", 22, "from 1"},
    {"[file:x = 1] REPEATS 2.5 TIMES", 22, "positive integer"},
    {"[file:x = 1] START '2016-01-01T00:00:00Z' STOP t'2017-01-01T00:00:00Z'", 20, "timestamp"},
    {"[file:x = 1] START t'2017-01-01T00:00:00Z' STOP t'2016-01-01T00:00:00Z'", 49,
     "later than START"},
    {"[file:x = 1] FOLLOWEDBY", 24, "'[' or '('"},
    {"([file:x = 1]", 14, "')' to close the parenthesised observation"},
    {"[(file:x = 1]", 13, "')' to close the parenthesised comparison"},
    {"[file:x = 1] /* open", 14, "unterminated comment"},
    {"[file:x = @]", 11, "unexpected character"},
};

static void test_pattern_rejects_malformed_with_column(void **state)
{
    struct fixture *f = *state;

    for (size_t i = 0; i < MK_ARRAY_LEN(bad_cases); i++) {
        const struct bad_case *c = &bad_cases[i];
        const struct mk_stix_pattern *p = NULL;
        char col[32];
        enum mk_status st = parse(f, c->pattern, &p);

        (void)snprintf(col, sizeof(col), "column %zu: ", c->column);
        if (st != MK_EINVAL || strncmp(f->err.msg, col, strlen(col)) != 0 ||
            strstr(f->err.msg, c->words) == NULL) {
            print_error("case %zu: %s -> %d %s\n", i, c->pattern, st, f->err.msg);
            fail();
        }
        assert_null(p);
    }
}

static void test_pattern_keywords_are_upper_case_only(void **state)
{
    struct fixture *f = *state;
    const struct mk_stix_pattern *p = NULL;

    assert_int_equal(parse(f, "[file:name = 'a' or file:name = 'b']", &p), MK_EINVAL);
    assert_int_equal(parse(f, "[file:name like 'a%']", &p), MK_EINVAL);
    assert_int_equal(parse(f, "[file:x = TRUE]", &p), MK_EINVAL);
    assert_int_equal(parse(f, "[file:x = true OR file:y = false]", &p), MK_OK);
}

static void test_pattern_observation_and_binds_tighter_than_or_then_followedby(void **state)
{
    struct fixture *f = *state;
    const struct mk_stix_pattern *p = NULL;
    const struct mk_pat_obs *fb;
    const struct mk_pat_obs *or_node;

    assert_int_equal(parse(f, "[a:x = 1] OR [a:x = 2] AND [a:x = 3] FOLLOWEDBY [a:x = 4]", &p),
                     MK_OK);
    fb = p->root;
    assert_int_equal(fb->kind, MK_PAT_OBS_FOLLOWEDBY);
    assert_int_equal(fb->n, 2);
    or_node = fb->first;
    assert_int_equal(or_node->kind, MK_PAT_OBS_OR);
    assert_int_equal(or_node->n, 2);
    assert_int_equal(or_node->first->kind, MK_PAT_OBS_LEAF);
    assert_int_equal(or_node->first->next->kind, MK_PAT_OBS_AND);
    assert_int_equal(fb->first->next->kind, MK_PAT_OBS_LEAF);
}

static void test_pattern_comparison_and_binds_tighter_than_or(void **state)
{
    struct fixture *f = *state;
    const struct mk_stix_pattern *p = NULL;
    const struct mk_pat_cmp *c;

    assert_int_equal(parse(f, "[a:x = 1 OR a:y = 2 AND a:z = 3]", &p), MK_OK);
    c = p->root->cmp;
    assert_int_equal(c->kind, MK_PAT_CMP_OR);
    assert_int_equal(c->first->kind, MK_PAT_CMP_TEST);
    assert_int_equal(c->first->next->kind, MK_PAT_CMP_AND);
    assert_int_equal(c->first->next->n, 2);
    assert_int_equal(p->n_tests, 3);
}

static void test_pattern_qualifiers_chain_and_bind_to_the_nearest_expression(void **state)
{
    struct fixture *f = *state;
    const struct mk_stix_pattern *p = NULL;
    const struct mk_pat_obs *o;

    assert_int_equal(parse(f,
                           "[a:x = 1] AND [a:y = 2] REPEATS 3 TIMES WITHIN 2.5 SECONDS "
                           "START t'2020-01-01T00:00:00Z' STOP t'2020-01-02T00:00:00.5Z'",
                           &p),
                     MK_OK);
    o = p->root;
    assert_int_equal(o->kind, MK_PAT_OBS_AND);
    o = o->first->next;
    assert_int_equal(o->kind, MK_PAT_OBS_STARTSTOP);
    assert_int_equal(o->stop.ts.nsec, 500000000);
    o = o->first;
    assert_int_equal(o->kind, MK_PAT_OBS_WITHIN);
    assert_int_equal(o->within_sec, 2);
    assert_int_equal(o->within_nsec, 500000000);
    o = o->first;
    assert_int_equal(o->kind, MK_PAT_OBS_REPEATS);
    assert_int_equal(o->repeats, 3);
    assert_int_equal(o->first->kind, MK_PAT_OBS_LEAF);
}

static void test_pattern_decodes_literals_and_paths(void **state)
{
    struct fixture *f = *state;
    const struct mk_stix_pattern *p = NULL;
    const struct mk_pat_cmp *c;
    const struct mk_pat_cmp *t;

    assert_int_equal(parse(f,
                           "[x-a:'first key'.sub[*].list[-2].'SHA-256' = 'it\\'s \\\\ ok' AND "
                           "x-a:h = h'DEadBE' AND x-a:b = b'AQID' AND x-a:i = -42 AND "
                           "x-a:f = -.25 AND x-a:t = t'2016-12-31T23:59:60Z']",
                           &p),
                     MK_OK);
    c = p->root->cmp;
    assert_int_equal(c->kind, MK_PAT_CMP_AND);
    t = c->first;
    assert_string_equal(t->path.type, "x-a");
    assert_int_equal(t->path.n_steps, 6);
    assert_string_equal(t->path.steps[0].key, "first key");
    assert_int_equal(t->path.steps[2].kind, MK_PAT_STEP_ANY);
    assert_string_equal(t->path.steps[3].key, "list");
    assert_int_equal(t->path.steps[4].kind, MK_PAT_STEP_INDEX);
    assert_int_equal(t->path.steps[4].index, -2);
    assert_string_equal(t->path.steps[5].key, "SHA-256");
    assert_string_equal(t->lits[0].str, "it's \\ ok");
    t = t->next;
    assert_int_equal(t->lits[0].len, 3);
    assert_memory_equal(t->lits[0].str, "\xde\xad\xbe", 3);
    t = t->next;
    assert_int_equal(t->lits[0].len, 3);
    assert_memory_equal(t->lits[0].str, "\x01\x02\x03", 3);
    t = t->next;
    assert_int_equal(t->lits[0].i, -42);
    t = t->next;
    assert_true(t->lits[0].f == -0.25);
    t = t->next;
    /* the leap second folds into :59 */
    assert_int_equal(t->lits[0].ts.sec, 1483228799);
}

static void test_pattern_accepts_int64_extremes(void **state)
{
    struct fixture *f = *state;
    const struct mk_stix_pattern *p = NULL;

    assert_int_equal(parse(f, "[a:x = -9223372036854775808 OR a:y = 9223372036854775807]", &p),
                     MK_OK);
    assert_true(p->root->cmp->first->lits[0].i == INT64_MIN);
    assert_int_equal(parse(f, "[a:x = 9223372036854775808]", &p), MK_EINVAL);
}

static void test_pattern_skips_comments_and_blank_space(void **state)
{
    struct fixture *f = *state;

    assert_string_equal(normalise(f, "\n[ file:name\t=  'a' /* c */ ] // trailing\n"),
                        "[file:name = 'a']");
}

/* input -> normalised form */
static const char *const format_cases[][2] = {
    {"[file:name='a']", "[file:name = 'a']"},
    {"[file:name == 'a' AND file:x <> 2]", "[file:name = 'a' AND file:x != 2]"},
    {"[file:'name' = 'it\\'s']", "[file:name = 'it\\'s']"},
    {"[file:hashes.'SHA-256' = 'x']", "[file:hashes.'SHA-256' = 'x']"},
    {"[a:'AND' = 1 OR a:'true' = 2]", "[a:'AND' = 1 OR a:'true' = 2]"},
    {"[a:x[*].y[3] = +5]", "[a:x[*].y[3] = 5]"},
    {"[a:x = h'DEAD']", "[a:x = h'dead']"},
    {"[a:x IN ()]", "[a:x IN ()]"},
    {"[a:x NOT IN (1,'b' , true)]", "[a:x NOT IN (1, 'b', true)]"},
    {"[NOT EXISTS a:x]", "[NOT EXISTS a:x]"},
    {"[(a:x = 1 OR a:y = 2) AND a:z = 3]", "[(a:x = 1 OR a:y = 2) AND a:z = 3]"},
    {"[a:x = 1 OR (a:y = 2 AND a:z = 3)]", "[a:x = 1 OR a:y = 2 AND a:z = 3]"},
    {"[a:x = 1 AND (a:y = 2 AND a:z = 3)]", "[a:x = 1 AND (a:y = 2 AND a:z = 3)]"},
    {"(([a:x = 1]))", "[a:x = 1]"},
    {"([a:x = 1] OR [a:x = 2]) AND [a:x = 3]", "([a:x = 1] OR [a:x = 2]) AND [a:x = 3]"},
    {"[a:x = 1] OR [a:x = 2] AND [a:x = 3]", "[a:x = 1] OR [a:x = 2] AND [a:x = 3]"},
    {"([a:x = 1] FOLLOWEDBY [a:x = 2]) OR [a:x = 3]",
     "([a:x = 1] FOLLOWEDBY [a:x = 2]) OR [a:x = 3]"},
    {"([a:x = 1] AND [a:x = 2]) WITHIN +5 SECONDS", "([a:x = 1] AND [a:x = 2]) WITHIN 5 SECONDS"},
    {"[a:x = 1] REPEATS 2 TIMES WITHIN .5 SECONDS", "[a:x = 1] REPEATS 2 TIMES WITHIN .5 SECONDS"},
    {"([a:x = 1] REPEATS 2 TIMES) REPEATS 3 TIMES", "([a:x = 1] REPEATS 2 TIMES) REPEATS 3 TIMES"},
    {"(([a:x = 1] WITHIN 1 SECONDS) REPEATS 2 TIMES) WITHIN 2 SECONDS",
     "([a:x = 1] WITHIN 1 SECONDS REPEATS 2 TIMES) WITHIN 2 SECONDS"},
    {"[a:x = t'2020-01-01T00:00:00.000Z'] START t'2020-01-01T00:00:00Z' STOP "
     "t'2021-01-01T00:00:00Z'",
     "[a:x = t'2020-01-01T00:00:00.000Z'] START t'2020-01-01T00:00:00Z' STOP "
     "t'2021-01-01T00:00:00Z'"},
};

static void test_pattern_format_normalises_and_round_trips(void **state)
{
    struct fixture *f = *state;

    for (size_t i = 0; i < MK_ARRAY_LEN(format_cases); i++) {
        const char *once = normalise(f, format_cases[i][0]);
        const char *twice = normalise(f, once);

        if (strcmp(once, format_cases[i][1]) != 0 || strcmp(once, twice) != 0) {
            print_error("case %zu: %s -> %s -> %s\n", i, format_cases[i][0], once, twice);
            fail();
        }
    }
    for (size_t i = 0; i < MK_ARRAY_LEN(spec_examples); i++) {
        const char *once = normalise(f, spec_examples[i]);

        assert_string_equal(normalise(f, once), once);
    }
    for (size_t i = 0; i < MK_ARRAY_LEN(validator_valid); i++) {
        const char *once = normalise(f, validator_valid[i]);

        assert_string_equal(normalise(f, once), once);
    }
}

static void test_pattern_format_reports_buffer_cap(void **state)
{
    struct fixture *f = *state;
    const struct mk_stix_pattern *p = NULL;
    struct mk_buf small;

    assert_int_equal(parse(f, spec_examples[0], &p), MK_OK);
    mk_buf_init(&small, 16);
    assert_int_equal(mk_stix_pattern_format(p, &small), MK_ELIMIT);
    mk_buf_fini(&small);
}

/* Builds "(((...[a:x = 1]...)))" with `depth` parentheses around an AND. */
static char *nested_obs(int depth)
{
    size_t cap = (size_t)depth * 24 + 64;
    char *s = calloc(1, cap);
    size_t n = 0;

    for (int i = 0; i < depth; i++) {
        n += (size_t)snprintf(s + n, cap - n, "([a:x = %d] AND ", i);
    }
    n += (size_t)snprintf(s + n, cap - n, "[a:x = 1]");
    for (int i = 0; i < depth; i++) {
        s[n++] = ')';
    }
    return s;
}

static void test_pattern_limits_nesting_depth(void **state)
{
    struct fixture *f = *state;
    const struct mk_stix_pattern *p = NULL;
    char *ok = nested_obs(40);
    char *deep = nested_obs(100);
    char parens[300];

    assert_int_equal(parse(f, ok, &p), MK_OK);
    assert_int_equal(parse(f, deep, &p), MK_ELIMIT);
    assert_non_null(strstr(f->err.msg, "64 levels"));
    memset(parens, '(', 80);
    (void)snprintf(parens + 80, sizeof(parens) - 80, "[a:x = 1]");
    memset(parens + 89, ')', 80);
    parens[169] = '\0';
    assert_int_equal(parse(f, parens, &p), MK_ELIMIT);
    memset(parens, 0, sizeof(parens));
    memset(parens, '[', 1);
    memset(parens + 1, '(', 80);
    assert_int_equal(parse(f, parens, &p), MK_ELIMIT);
    free(ok);
    free(deep);
}

/* Section 9.5.1 allows one qualifier of each kind per observation expression;
 * a qualifier on a parenthesised expression is on a new one. */
static void test_pattern_rejects_a_repeated_qualifier_kind(void **state)
{
    struct fixture *f = *state;
    const struct mk_stix_pattern *p = NULL;
    size_t cap = 100 * 20 + 32;
    char *s = calloc(1, cap);
    size_t n = (size_t)snprintf(s, cap, "[a:x = 1]");

    for (int i = 0; i < 100; i++) {
        n += (size_t)snprintf(s + n, cap - n, " REPEATS 2 TIMES");
    }
    assert_int_equal(parse(f, s, &p), MK_EINVAL);
    assert_string_equal(f->err.msg,
                        "column 27: a second REPEATS on the same observation expression");
    assert_int_equal(parse(f, "[a:x = 1] WITHIN 1 SECONDS REPEATS 2 TIMES WITHIN 2 SECONDS", &p),
                     MK_EINVAL);
    assert_string_equal(f->err.msg,
                        "column 44: a second WITHIN on the same observation expression");
    assert_int_equal(parse(f,
                           "[a:x = 1] START t'2016-01-01T00:00:00Z' STOP t'2017-01-01T00:00:00Z' "
                           "START t'2016-01-01T00:00:00Z' STOP t'2017-01-01T00:00:00Z'",
                           &p),
                     MK_EINVAL);
    assert_non_null(strstr(f->err.msg, "column 70: a second START/STOP"));
    assert_int_equal(
        parse(f, "(([a:x = 1] WITHIN 1 SECONDS) WITHIN 2 SECONDS) WITHIN 3 SECONDS", &p), MK_OK);
    assert_int_equal(p->root->kind, MK_PAT_OBS_WITHIN);
    assert_int_equal(p->root->first->kind, MK_PAT_OBS_WITHIN);
    free(s);
}

/* Section 9.2: line feeds in a b'' literal are supported and ignored. */
static void test_pattern_base64_ignores_line_feeds(void **state)
{
    struct fixture *f = *state;
    const struct mk_stix_pattern *p = NULL;
    const struct mk_pat_lit *l;

    assert_int_equal(parse(f, "[artifact:payload_bin = b'dGhpcyBp\ncyBhIHRl\r\nc3Q=\n']", &p),
                     MK_OK);
    l = &p->root->cmp->lits[0];
    assert_int_equal(l->len, 14);
    assert_memory_equal(l->str, "this is a test", 14);
    assert_int_equal(parse(f, "[a:x = b'AB\nI=']", &p), MK_OK);
    assert_int_equal(p->root->cmp->lits[0].len, 2);
    assert_memory_equal(p->root->cmp->lits[0].str, "\x00\x12", 2);
    /* the breaks do not count towards the groups of four, nor pad the end */
    assert_int_equal(parse(f, "[a:x = b'ABI\n']", &p), MK_EINVAL);
    assert_int_equal(parse(f, "[a:x = b'\n']", &p), MK_EINVAL);
    assert_int_equal(parse(f, "[a:x = b'AB=\n=']", &p), MK_OK);
    assert_int_equal(parse(f, "[a:x = b'A=\nB=']", &p), MK_EINVAL);
}

static void test_pattern_long_flat_chains_are_not_nesting(void **state)
{
    struct fixture *f = *state;
    const struct mk_stix_pattern *p = NULL;
    size_t cap = 2000 * 32 + 32;
    char *s = calloc(1, cap);
    size_t n = (size_t)snprintf(s, cap, "[a:x = 0");

    for (int i = 1; i < 2000; i++) {
        n += (size_t)snprintf(s + n, cap - n, " AND a:x = %d", i);
    }
    (void)snprintf(s + n, cap - n, "] OR [a:y = 1]");
    assert_int_equal(parse(f, s, &p), MK_OK);
    assert_int_equal(p->root->first->cmp->n, 2000);
    assert_int_equal(p->n_tests, 2001);
    free(s);
}

static void test_pattern_limits_path_length(void **state)
{
    struct fixture *f = *state;
    const struct mk_stix_pattern *p = NULL;
    char s[512];
    size_t n = (size_t)snprintf(s, sizeof(s), "[a:x");

    for (int i = 0; i < 70; i++) {
        n += (size_t)snprintf(s + n, sizeof(s) - n, "[*]");
    }
    (void)snprintf(s + n, sizeof(s) - n, " = 1]");
    assert_int_equal(parse(f, s, &p), MK_ELIMIT);
}

static void test_pattern_reports_arena_exhaustion(void **state)
{
    struct fixture *f = *state;
    struct mk_arena tiny;
    const struct mk_stix_pattern *p = NULL;

    (void)f;
    mk_arena_init(&tiny, 1024, 256);
    assert_int_equal(
        mk_stix_pattern_parse(&tiny, spec_examples[5], strlen(spec_examples[5]), &p, NULL),
        MK_ENOMEM);
    mk_arena_fini(&tiny);
}

static void test_pattern_stops_at_the_given_length(void **state)
{
    struct fixture *f = *state;
    const struct mk_stix_pattern *p = NULL;
    const char text[] = "[a:x = 'b'] garbage";

    assert_int_equal(mk_stix_pattern_parse(&f->arena, text, 11, &p, &f->err), MK_OK);
    /* an embedded NUL is a character like any other, not the end */
    assert_int_equal(mk_stix_pattern_parse(&f->arena, "[a:x = 'b\0']", 12, &p, &f->err), MK_OK);
    assert_int_equal(p->root->cmp->lits[0].len, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pattern_parses_spec_examples, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_parses_validator_valid_cases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_rejects_invalid_spec_cases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_rejects_unclosed_bracket, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_names_the_token_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_rejects_malformed_with_column, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pattern_keywords_are_upper_case_only, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_pattern_observation_and_binds_tighter_than_or_then_followedby, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_comparison_and_binds_tighter_than_or, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_pattern_qualifiers_chain_and_bind_to_the_nearest_expression, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_decodes_literals_and_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_accepts_int64_extremes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_skips_comments_and_blank_space, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pattern_format_normalises_and_round_trips, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pattern_format_reports_buffer_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_limits_nesting_depth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_rejects_a_repeated_qualifier_kind, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pattern_base64_ignores_line_feeds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_long_flat_chains_are_not_nesting, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pattern_limits_path_length, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_reports_arena_exhaustion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_stops_at_the_given_length, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
