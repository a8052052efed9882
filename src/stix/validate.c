/* STIX 2.1 validation: one table-driven walker over an object's members (schema in
 * model.c) plus a few per-type rules. MUST rules are errors, SHOULD rules warnings.
 * Entry points: mk_stix_validate_object(), mk_stix_validate_bundle_envelope(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stix/validate_int.h"

#define PATH_MAX_LEN 256
#define MSG_MAX_LEN  320
#define NAME_MAX_LEN 250 /* type, property and dictionary-key names (section 2) */

/* Per-object state: the JSON pointer of the value being checked grows and
 * shrinks as the walker descends, so no path is ever allocated. */
struct vctx {
    struct mk_stix_validator *v;
    const struct mk_json *obj;
    const char *id;
    enum mk_stix_type type;
    const struct mk_stix_type_info *ti;
    size_t errors;
    bool toplevel_ext; /* a toplevel-property-extension allows unprefixed properties */
    size_t path_len;
    char path[PATH_MAX_LEN];
};

/* ---- diagnostics ------------------------------------------------------------- */

static void report(struct vctx *c, enum mk_stix_severity sev, const char *msg)
{
    struct mk_stix_diag d;

    if (sev == MK_STIX_WARNING && c->v->strict) {
        sev = MK_STIX_ERROR;
    }
    if (sev == MK_STIX_ERROR) {
        c->errors++;
        c->v->errors++;
    } else {
        c->v->warnings++;
    }
    if (c->v->fn == NULL) {
        return;
    }
    d = (struct mk_stix_diag){.severity = sev, .id = c->id, .path = c->path, .msg = msg};
    c->v->fn(c->v->ctx, &d);
}

static void error(struct vctx *c, const char *fmt, ...) MK_PRINTF(2, 3);
static void warn(struct vctx *c, const char *fmt, ...) MK_PRINTF(2, 3);

static void error(struct vctx *c, const char *fmt, ...)
{
    char msg[MSG_MAX_LEN];
    va_list ap;

    va_start(ap, fmt);
    /* clang-analyzer 14 misreads va_start here (it flags base/log.c alike). */
    (void)vsnprintf(msg, sizeof(msg), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
    va_end(ap);
    report(c, MK_STIX_ERROR, msg);
}

static void warn(struct vctx *c, const char *fmt, ...)
{
    char msg[MSG_MAX_LEN];
    va_list ap;

    va_start(ap, fmt);
    /* clang-analyzer 14 misreads va_start here (it flags base/log.c alike). */
    (void)vsnprintf(msg, sizeof(msg), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
    va_end(ap);
    report(c, MK_STIX_WARNING, msg);
}

/* Appends one reference token (RFC 6901: '~' -> "~0", '/' -> "~1"); returns the
 * previous length for pop(). A path too long for the buffer is cut short. */
static size_t push_key(struct vctx *c, const char *k, size_t n)
{
    size_t old = c->path_len;
    size_t o = old;

    if (o + 1 < sizeof(c->path)) {
        c->path[o++] = '/';
    }
    for (size_t i = 0; i < n && o + 2 < sizeof(c->path); i++) {
        if (k[i] == '~' || k[i] == '/') {
            c->path[o++] = '~';
            c->path[o++] = k[i] == '~' ? '0' : '1';
        } else {
            c->path[o++] = k[i];
        }
    }
    c->path[o] = '\0';
    c->path_len = o;
    return old;
}

static size_t push_cstr(struct vctx *c, const char *k)
{
    return push_key(c, k, strlen(k));
}

static size_t push_index(struct vctx *c, size_t i)
{
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%zu", i);

    return push_key(c, buf, (size_t)n);
}

static void pop(struct vctx *c, size_t old)
{
    c->path_len = old;
    c->path[old] = '\0';
}

static void error_at(struct vctx *c, const char *key, const char *msg)
{
    size_t old = push_cstr(c, key);

    error(c, "%s", msg);
    pop(c, old);
}

/* ---- small predicates -------------------------------------------------------- */

static bool is_str(const struct mk_json *v)
{
    return v != NULL && v->type == MK_JSON_STRING;
}

static bool has(const struct mk_json *obj, const char *key)
{
    return mk_json_get(obj, key) != NULL;
}

static bool is_lower_alnum(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

static bool is_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool is_hex(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* Type names: ^[a-z0-9-]{3,250}$ without "--" (section 2.6, "type"). */
static bool type_name_ok(const char *s, size_t n)
{
    if (n < 3 || n > NAME_MAX_LEN) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_lower_alnum(s[i]) && s[i] != '-') {
            return false;
        }
        if (s[i] == '-' && i + 1 < n && s[i + 1] == '-') {
            return false;
        }
    }
    return true;
}

/* Custom property names: ^[a-z0-9_]{3,250}$ (section 11.1, a MUST per
 * clarifications.md). */
static bool prop_name_ok(const char *s, size_t n)
{
    if (n < 3 || n > NAME_MAX_LEN) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_lower_alnum(s[i]) && s[i] != '_') {
            return false;
        }
    }
    return true;
}

/* Dictionary keys: at most 250 ASCII letters, digits, '_' or '-' (section 2.8). */
static bool dict_key_ok(const char *s, size_t n)
{
    if (n == 0 || n > NAME_MAX_LEN) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_alpha(s[i]) && !(s[i] >= '0' && s[i] <= '9') && s[i] != '_' && s[i] != '-') {
            return false;
        }
    }
    return true;
}

/* RFC 5646 by its syntax: subtags of 1-8 letters or digits joined by '-', the
 * first alphabetic (2-8 letters, or "x"/"i" for private use and grandfathered). */
static bool lang_ok(const char *s, size_t n)
{
    size_t start = 0;

    for (size_t i = 0; i <= n; i++) {
        size_t len = i - start;

        if (i < n && s[i] != '-') {
            if (!is_alpha(s[i]) && !(s[i] >= '0' && s[i] <= '9' && start > 0)) {
                return false;
            }
            continue;
        }
        if (len == 0 || len > 8 || (start == 0 && len == 1 && s[0] != 'x' && s[0] != 'i')) {
            return false;
        }
        start = i + 1;
    }
    return n > 0;
}

/* ---- identifiers ------------------------------------------------------------- */

struct ident {
    const char *type;
    size_t type_len;
    uint8_t uuid[16];
};

static const char *split_ident(const char *s, size_t n, struct ident *out)
{
    const char *sep = NULL;

    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] == '-' && s[i + 1] == '-') {
            sep = s + i;
            break;
        }
    }
    if (sep == NULL) {
        return "not an identifier (<type>--<UUID>)";
    }
    out->type = s;
    out->type_len = (size_t)(sep - s);
    if (!type_name_ok(s, out->type_len)) {
        return "identifier has an invalid type part";
    }
    if (mk_uuid_parse(sep + 2, n - out->type_len - 2, out->uuid) != MK_OK) {
        return "identifier has an invalid UUID part";
    }
    if (!mk_uuid_is_rfc4122_variant(out->uuid)) {
        return "identifier's UUID is not an RFC 4122 variant UUID";
    }
    return NULL;
}

/* Names the types a mask admits, e.g. "identity or location", "an SDO". */
static void describe_mask(uint64_t mask, char *buf, size_t cap)
{
    size_t o = 0;

    buf[0] = '\0';
    if ((mask & MK_STIX_REFS_SDO) == MK_STIX_REFS_SDO) {
        o += (size_t)snprintf(buf, cap, "an SDO");
        mask &= ~MK_STIX_REFS_SDO;
    }
    if ((mask & MK_STIX_REFS_SCO) == MK_STIX_REFS_SCO && o < cap) {
        o += (size_t)snprintf(buf + o, cap - o, "%san SCO", o > 0 ? " or " : "");
        mask &= ~MK_STIX_REFS_SCO;
    }
    for (int t = 1; t < MK_STIX_TYPE_COUNT && o < cap; t++) {
        if (mask & MK_STIX_BIT(t)) {
            o += (size_t)snprintf(buf + o, cap - o, "%s%s", o > 0 ? " or " : "",
                                  mk_stix_type_name((enum mk_stix_type)t));
        }
    }
}

static void check_ident(struct vctx *c, const struct mk_json *v, uint64_t refs)
{
    struct ident id;
    const char *why;
    enum mk_stix_type t;
    char want[160];

    if (!is_str(v)) {
        error(c, "must be an identifier string");
        return;
    }
    why = split_ident(v->u.str, v->len, &id);
    if (why != NULL) {
        error(c, "%s", why);
        return;
    }
    if (refs == 0) {
        return;
    }
    t = mk_stix_type_from_name(id.type, id.type_len);
    if ((refs & MK_STIX_BIT(t)) == 0) {
        describe_mask(refs & ~MK_STIX_BIT(MK_STIX_TYPE_UNKNOWN), want, sizeof(want));
        error(c, "must refer to %s, not %.*s", want, (int)id.type_len, id.type);
    }
}

/* ---- value kinds ------------------------------------------------------------- */

static bool check_list(struct vctx *c, const struct mk_json *v)
{
    if (v->type != MK_JSON_ARRAY) {
        error(c, "must be a list");
        return false;
    }
    if (v->len == 0) {
        error(c, "must not be an empty list");
        return false;
    }
    return true;
}

static void check_time(struct vctx *c, const struct mk_json *v)
{
    struct mk_time t;

    /* mk_time_parse_rfc3339 accepts lower-case 't'/'z' as RFC 3339 does; STIX
     * (section 2.15) writes them upper-case. */
    if (!is_str(v) || mk_time_parse_rfc3339(v->u.str, v->len, true, &t) != MK_OK ||
        v->u.str[10] != 'T' || v->u.str[v->len - 1] != 'Z') {
        error(c, "not an RFC 3339 timestamp in UTC (YYYY-MM-DDTHH:MM:SS[.s+]Z)");
    }
}

static void check_int(struct vctx *c, const struct mk_json *v, uint8_t range)
{
    const struct mk_stix_int_range *r = &mk_stix_int_ranges[range];
    int64_t x;

    if (!mk_json_get_int(v, &x)) {
        error(c, "must be an integer");
    } else if (x < r->lo || x > r->hi) {
        error(c, "%lld is out of range %lld..%lld", (long long)x, (long long)r->lo,
              (long long)r->hi);
    }
}

static void check_float(struct vctx *c, const struct mk_json *v, uint8_t range)
{
    const struct mk_stix_float_range *r = &mk_stix_float_ranges[range];
    double x;

    if (v->type != MK_JSON_NUMBER) {
        error(c, "must be a number");
        return;
    }
    x = mk_json_number(v);
    if (!(x >= r->lo && x <= r->hi)) {
        error(c, "%g is out of range %g..%g", x, r->lo, r->hi);
    }
}

static void check_term(struct vctx *c, const struct mk_json *v, uint8_t vocab, bool closed)
{
    const char *vname = mk_stix_vocabs[vocab].name;

    if (!is_str(v)) {
        error(c, "must be a string");
    } else if (mk_stix_vocab_has((enum mk_stix_vocab_id)vocab, v->u.str, v->len)) {
        return;
    } else if (closed) {
        error(c, "'%s' is not a value of %s", v->u.str, vname);
    } else {
        warn(c, "'%s' is not in the suggested vocabulary %s", v->u.str, vname);
    }
}

static void check_encoded(struct vctx *c, const struct mk_json *v, bool hex)
{
    bool ok = is_str(v);

    for (uint32_t i = 0; ok && i < v->len; i++) {
        char ch = v->u.str[i];

        ok = hex ? is_hex(ch)
                 : (is_alpha(ch) || (ch >= '0' && ch <= '9') || ch == '+' || ch == '/' ||
                    (ch == '=' && i + 2 >= v->len));
    }
    if (!ok || (!hex && v->len % 4 != 0)) {
        error(c, hex ? "must be a hex string" : "must be base64 (RFC 4648 section 4)");
    }
}

static void check_item_kind(struct vctx *c, const struct mk_stix_prop *p, const struct mk_json *v);

/* Lists whose items share one kind: identifiers, strings, vocabulary terms. */
static void check_items(struct vctx *c, const struct mk_stix_prop *p, const struct mk_json *v)
{
    if (!check_list(c, v)) {
        return;
    }
    for (uint32_t i = 0; i < v->len; i++) {
        size_t old = push_index(c, i);

        check_item_kind(c, p, &v->u.items[i]);
        pop(c, old);
    }
}

static void check_item_kind(struct vctx *c, const struct mk_stix_prop *p, const struct mk_json *v)
{
    switch (p->kind) {
    case MK_STIX_P_IDS:
        check_ident(c, v, p->refs);
        break;
    case MK_STIX_P_OVS:
        check_term(c, v, p->aux, false);
        break;
    case MK_STIX_P_ENUMS:
        check_term(c, v, p->aux, true);
        break;
    default:
        if (!is_str(v)) {
            error(c, "must be a string");
        }
        break;
    }
}

/* ---- hashes, kill-chain phases, external references ---------------------------- */

struct hash_algo {
    const char *name;
    size_t hex_len; /* 0: not checked (SSDEEP, TLSH) */
};

static const struct hash_algo hash_algos[] = {
    {"MD5", 32},      {"SHA-1", 40},     {"SHA-256", 64}, {"SHA-512", 128},
    {"SHA3-256", 64}, {"SHA3-512", 128}, {"SSDEEP", 0},   {"TLSH", 0},
};

/* Matches "sha256", "SHA256", "sha-256" to "SHA-256": case and '-' ignored. */
static const struct hash_algo *hash_algo_loose(const char *k, size_t n)
{
    for (size_t a = 0; a < MK_ARRAY_LEN(hash_algos); a++) {
        const char *name = hash_algos[a].name;
        size_t i = 0;
        size_t j = 0;

        while (i < n || name[j] != '\0') {
            if (i < n && k[i] == '-') {
                i++;
            } else if (name[j] == '-') {
                j++;
            } else if (i < n && name[j] != '\0' && (k[i] | 0x20) == (name[j] | 0x20)) {
                i++;
                j++;
            } else {
                break;
            }
        }
        if (i == n && name[j] == '\0') {
            return &hash_algos[a];
        }
    }
    return NULL;
}

static void check_hash(struct vctx *c, const struct mk_json_member *m)
{
    const struct hash_algo *algo = hash_algo_loose(m->key, m->key_len);
    const struct mk_json *v = &m->value;
    bool ok = is_str(v);

    if (!dict_key_ok(m->key, m->key_len)) {
        error(c, "hash name must be 1-250 ASCII letters, digits, '_' or '-'");
    } else if (algo == NULL) {
        warn(c, "'%s' is not in hashing-algorithm-ov", m->key);
    } else if (strcmp(algo->name, m->key) != 0) {
        warn(c, "hash name should be '%s'", algo->name);
    }
    if (ok && algo != NULL && algo->hex_len != 0) {
        ok = v->len == algo->hex_len;
        for (uint32_t i = 0; ok && i < v->len; i++) {
            ok = is_hex(v->u.str[i]);
        }
        if (!ok) {
            error(c, "%s value must be %zu hex digits", algo->name, algo->hex_len);
        }
    } else if (!ok) {
        error(c, "hash value must be a string");
    }
}

static void check_hashes(struct vctx *c, const struct mk_json *v)
{
    if (v->type != MK_JSON_OBJECT) {
        error(c, "must be a hashes dictionary");
        return;
    }
    if (v->len == 0) {
        error(c, "must contain at least one hash");
    }
    for (uint32_t i = 0; i < v->len; i++) {
        const struct mk_json_member *m = &v->u.members[i];
        size_t old = push_key(c, m->key, m->key_len);

        check_hash(c, m);
        pop(c, old);
    }
}

/* True when s is lower-case letters, digits and '-' (the spec's SHOULD form). */
static bool is_lower_hyphen(const struct mk_json *v)
{
    for (uint32_t i = 0; i < v->len; i++) {
        if (!is_lower_alnum(v->u.str[i]) && v->u.str[i] != '-') {
            return false;
        }
    }
    return true;
}

static void check_kcp(struct vctx *c, const struct mk_json *v)
{
    static const char *const names[] = {"kill_chain_name", "phase_name"};

    if (v->type != MK_JSON_OBJECT) {
        error(c, "kill-chain-phase must be an object");
        return;
    }
    for (size_t i = 0; i < MK_ARRAY_LEN(names); i++) {
        const struct mk_json *s = mk_json_get(v, names[i]);
        size_t old = push_cstr(c, names[i]);

        if (s == NULL) {
            error(c, "required property missing");
        } else if (!is_str(s)) {
            error(c, "must be a string");
        } else if (i == 0 && !is_lower_hyphen(s)) {
            warn(c, "kill_chain_name should be lower case with hyphens");
        }
        pop(c, old);
    }
}

static void check_extref(struct vctx *c, const struct mk_json *v)
{
    static const char *const strs[] = {"source_name", "description", "url", "external_id"};
    const struct mk_json *h;

    if (v->type != MK_JSON_OBJECT) {
        error(c, "external-reference must be an object");
        return;
    }
    for (size_t i = 0; i < MK_ARRAY_LEN(strs); i++) {
        const struct mk_json *s = mk_json_get(v, strs[i]);

        if (s != NULL && !is_str(s)) {
            error_at(c, strs[i], "must be a string");
        }
    }
    if (!has(v, "source_name")) {
        error_at(c, "source_name", "required property missing");
    }
    if (!has(v, "description") && !has(v, "url") && !has(v, "external_id")) {
        error(c, "needs at least one of description, url or external_id");
    }
    if ((h = mk_json_get(v, "hashes")) != NULL) {
        size_t old = push_cstr(c, "hashes");

        check_hashes(c, h);
        pop(c, old);
    }
}

/* Lists of sub-objects: each item is checked by fn at its own path. */
static void check_each(struct vctx *c, const struct mk_json *v,
                       void (*fn)(struct vctx *, const struct mk_json *))
{
    if (!check_list(c, v)) {
        return;
    }
    for (uint32_t i = 0; i < v->len; i++) {
        size_t old = push_index(c, i);

        fn(c, &v->u.items[i]);
        pop(c, old);
    }
}

/* ---- granular markings (section 7.2.3) ----------------------------------------- */

/* Follows a selector ("external_references.[0].source_name") through the object;
 * the selector MUST name something present (stix2-validator musts). */
static bool selector_resolves(const struct mk_json *obj, const char *s, size_t n)
{
    const struct mk_json *cur = obj;
    size_t i = 0;

    while (i <= n && cur != NULL) {
        size_t j = i;
        char key[NAME_MAX_LEN + 1];

        while (j < n && s[j] != '.') {
            j++;
        }
        if (j == i || j - i > NAME_MAX_LEN) {
            return false;
        }
        if (s[i] == '[' && s[j - 1] == ']' && cur->type == MK_JSON_ARRAY) {
            char *end = NULL;
            unsigned long idx;

            memcpy(key, s + i + 1, j - i - 2);
            key[j - i - 2] = '\0';
            idx = strtoul(key, &end, 10);
            cur = (end != key && *end == '\0' && idx < cur->len) ? &cur->u.items[idx] : NULL;
        } else {
            memcpy(key, s + i, j - i);
            key[j - i] = '\0';
            cur = mk_json_get(cur, key);
        }
        i = j + 1;
    }
    return cur != NULL;
}

static void check_selectors(struct vctx *c, const struct mk_json *sel)
{
    size_t old = push_cstr(c, "selectors");

    if (check_list(c, sel)) {
        for (uint32_t i = 0; i < sel->len; i++) {
            const struct mk_json *s = &sel->u.items[i];
            size_t o2 = push_index(c, i);

            if (!is_str(s)) {
                error(c, "must be a string");
            } else if (!selector_resolves(c->obj, s->u.str, s->len)) {
                error(c, "selector '%s' does not resolve in this object", s->u.str);
            }
            pop(c, o2);
        }
    }
    pop(c, old);
}

static void check_granular(struct vctx *c, const struct mk_json *v)
{
    const struct mk_json *sel;
    const struct mk_json *ref;
    const struct mk_json *lang;

    if (v->type != MK_JSON_OBJECT) {
        error(c, "granular-marking must be an object");
        return;
    }
    sel = mk_json_get(v, "selectors");
    ref = mk_json_get(v, "marking_ref");
    lang = mk_json_get(v, "lang");
    if (sel == NULL) {
        error_at(c, "selectors", "required property missing");
    } else {
        check_selectors(c, sel);
    }
    if ((ref == NULL) == (lang == NULL)) {
        error(c, "needs exactly one of marking_ref or lang");
    }
    if (ref != NULL) {
        size_t old = push_cstr(c, "marking_ref");

        check_ident(c, ref, MK_STIX_BIT(MK_STIX_MARKING_DEFINITION));
        if (c->type == MK_STIX_MARKING_DEFINITION && is_str(ref) &&
            strcmp(ref->u.str, c->id) == 0) {
            error(c, "a marking definition must not mark itself");
        }
        pop(c, old);
    }
    if (lang != NULL && (!is_str(lang) || !lang_ok(lang->u.str, lang->len))) {
        error_at(c, "lang", "not an RFC 5646 language tag");
    }
}

/* ---- extensions (section 7.3 and the predefined SCO extensions of section 6) ---- */

struct predefined_ext {
    uint8_t type;
    const char *name;
};

static const struct predefined_ext predefined_exts[] = {
    {MK_STIX_FILE, "archive-ext"},
    {MK_STIX_FILE, "ntfs-ext"},
    {MK_STIX_FILE, "pdf-ext"},
    {MK_STIX_FILE, "raster-image-ext"},
    {MK_STIX_FILE, "windows-pebinary-ext"},
    {MK_STIX_NETWORK_TRAFFIC, "http-request-ext"},
    {MK_STIX_NETWORK_TRAFFIC, "icmp-ext"},
    {MK_STIX_NETWORK_TRAFFIC, "socket-ext"},
    {MK_STIX_NETWORK_TRAFFIC, "tcp-ext"},
    {MK_STIX_PROCESS, "windows-process-ext"},
    {MK_STIX_PROCESS, "windows-service-ext"},
    {MK_STIX_USER_ACCOUNT, "unix-account-ext"},
};

static bool is_predefined_ext(enum mk_stix_type t, const char *k, size_t n)
{
    for (size_t i = 0; i < MK_ARRAY_LEN(predefined_exts); i++) {
        const struct predefined_ext *e = &predefined_exts[i];

        if (e->type == t && strlen(e->name) == n && memcmp(e->name, k, n) == 0) {
            return true;
        }
    }
    return false;
}

static bool is_extdef_key(const struct mk_json_member *m)
{
    static const char prefix[] = "extension-definition--";

    return m->key_len > sizeof(prefix) - 1 && memcmp(m->key, prefix, sizeof(prefix) - 1) == 0;
}

static void check_extdef_ext(struct vctx *c, const struct mk_json_member *m)
{
    struct ident id;
    const char *why = split_ident(m->key, m->key_len, &id);
    const struct mk_json *et = mk_json_get(&m->value, "extension_type");

    if (why != NULL) {
        error(c, "%s", why);
    }
    if (et == NULL) {
        error_at(c, "extension_type", "required property missing");
    } else {
        size_t old = push_cstr(c, "extension_type");

        check_term(c, et, MK_STIX_ENUM_EXTENSION_TYPE, true);
        pop(c, old);
    }
}

static void check_extension(struct vctx *c, const struct mk_json_member *m)
{
    if (m->value.type != MK_JSON_OBJECT) {
        error(c, "extension must be an object");
    } else if (is_extdef_key(m)) {
        check_extdef_ext(c, m);
    } else if (is_predefined_ext(c->type, m->key, m->key_len)) {
        return;
    } else if (!dict_key_ok(m->key, m->key_len)) {
        error(c, "extension name must be 1-250 ASCII letters, digits, '_' or '-'");
    } else {
        warn(c, "custom extension '%s' should be defined by an extension-definition", m->key);
    }
}

static void check_extensions(struct vctx *c, const struct mk_json *v)
{
    if (v->type != MK_JSON_OBJECT) {
        error(c, "must be a dictionary");
        return;
    }
    if (v->len == 0) {
        error(c, "must not be an empty dictionary");
    }
    for (uint32_t i = 0; i < v->len; i++) {
        size_t old = push_key(c, v->u.members[i].key, v->u.members[i].key_len);

        check_extension(c, &v->u.members[i]);
        pop(c, old);
    }
}

/* A toplevel-property-extension (section 7.3) defines properties at the top
 * level, so those need no "x_" prefix. Looked for before the walk because
 * "extensions" may come after them. */
static bool has_toplevel_ext(const struct mk_json *obj)
{
    const struct mk_json *exts = mk_json_get(obj, "extensions");

    if (exts == NULL || exts->type != MK_JSON_OBJECT) {
        return false;
    }
    for (uint32_t i = 0; i < exts->len; i++) {
        const struct mk_json *et = mk_json_get(&exts->u.members[i].value, "extension_type");

        if (mk_json_is_str(et, "toplevel-property-extension")) {
            return true;
        }
    }
    return false;
}

/* ---- type, id, spec_version ----------------------------------------------------- */

static void check_type(struct vctx *c, const struct mk_json *v)
{
    if (!is_str(v) || !type_name_ok(v->u.str, v->len)) {
        error(c, "type must match ^[a-z0-9-]{3,250}$ and not contain '--'");
    }
}

static void check_self_id(struct vctx *c, const struct mk_json *v)
{
    const struct mk_json *type = mk_json_get(c->obj, "type");
    struct ident id;
    const char *why;
    int version;

    if (!is_str(v)) {
        error(c, "must be an identifier string");
        return;
    }
    if ((why = split_ident(v->u.str, v->len, &id)) != NULL) {
        error(c, "%s", why);
        return;
    }
    if (is_str(type) &&
        (id.type_len != type->len || memcmp(id.type, type->u.str, id.type_len) != 0)) {
        error(c, "id prefix '%.*s' does not match type '%s'", (int)id.type_len, id.type,
              type->u.str);
    }
    version = mk_uuid_version(id.uuid);
    if (c->ti->kind != MK_STIX_KIND_SCO && c->ti->kind != MK_STIX_KIND_CUSTOM && version != 4) {
        warn(c, "should be a UUIDv4, not version %d", version);
    }
}

static void check_spec_version(struct vctx *c, const struct mk_json *v)
{
    if (!mk_json_is_str(v, "2.1")) {
        error(c, "spec_version must be \"2.1\"");
    }
}

/* ---- the walker ------------------------------------------------------------------ */

static void check_leaf(struct vctx *c, const struct mk_stix_prop *p, const struct mk_json *v)
{
    switch (p->kind) {
    case MK_STIX_P_BOOL:
        if (v->type != MK_JSON_BOOL) {
            error(c, "must be a boolean");
        }
        break;
    case MK_STIX_P_DICT:
        if (v->type != MK_JSON_OBJECT) {
            error(c, "must be a dictionary");
        }
        break;
    case MK_STIX_P_LANG:
        if (!is_str(v) || !lang_ok(v->u.str, v->len)) {
            error(c, "not an RFC 5646 language tag");
        }
        break;
    default:
        if (!is_str(v)) {
            error(c, "must be a string");
        }
        break;
    }
}

static void check_value(struct vctx *c, const struct mk_stix_prop *p, const struct mk_json *v)
{
    switch (p->kind) {
    case MK_STIX_P_ID:
        check_ident(c, v, p->refs);
        break;
    case MK_STIX_P_TIME:
        check_time(c, v);
        break;
    case MK_STIX_P_INT:
        check_int(c, v, p->aux);
        break;
    case MK_STIX_P_FLOAT:
        check_float(c, v, p->aux);
        break;
    case MK_STIX_P_OV:
        check_term(c, v, p->aux, false);
        break;
    case MK_STIX_P_ENUM:
        check_term(c, v, p->aux, true);
        break;
    case MK_STIX_P_IDS:
    case MK_STIX_P_STRINGS:
    case MK_STIX_P_OVS:
    case MK_STIX_P_ENUMS:
        check_items(c, p, v);
        break;
    case MK_STIX_P_HASHES:
        check_hashes(c, v);
        break;
    case MK_STIX_P_KCP:
        check_each(c, v, check_kcp);
        break;
    case MK_STIX_P_EXTREFS:
        check_each(c, v, check_extref);
        break;
    case MK_STIX_P_GRANULAR:
        check_each(c, v, check_granular);
        break;
    case MK_STIX_P_EXTS:
        check_extensions(c, v);
        break;
    case MK_STIX_P_LIST:
        (void)check_list(c, v);
        break;
    case MK_STIX_P_BINARY:
        check_encoded(c, v, false);
        break;
    case MK_STIX_P_HEX:
        check_encoded(c, v, true);
        break;
    case MK_STIX_P_TYPE:
        check_type(c, v);
        break;
    case MK_STIX_P_SELF_ID:
        check_self_id(c, v);
        break;
    case MK_STIX_P_SPEC:
        check_spec_version(c, v);
        break;
    default:
        check_leaf(c, p, v);
        break;
    }
}

struct seen {
    uint64_t own;    /* bit per entry of the type's own table */
    uint32_t common; /* bit per entry of the common table */
};

static bool key_matches(const struct mk_json_member *m, const struct mk_stix_prop *p)
{
    return m->key_len == p->len && m->key[0] == p->name[0] && memcmp(m->key, p->name, p->len) == 0;
}

static const struct mk_stix_prop *lookup(struct vctx *c, const struct mk_json_member *m,
                                         struct seen *s)
{
    size_t n_common;
    const struct mk_stix_common_prop *common = mk_stix_common_props(&n_common);

    for (size_t i = 0; i < c->ti->n_props; i++) {
        if (key_matches(m, &c->ti->props[i])) {
            s->own |= UINT64_C(1) << i;
            return &c->ti->props[i];
        }
    }
    for (size_t i = 0; i < n_common; i++) {
        if ((common[i].defined_in & (1u << c->ti->profile)) && key_matches(m, &common[i].p)) {
            s->common |= 1u << i;
            return &common[i].p;
        }
    }
    return NULL;
}

static void check_custom_name(struct vctx *c, const struct mk_json_member *m)
{
    if (!prop_name_ok(m->key, m->key_len)) {
        error(c, "custom property name must match ^[a-z0-9_]{3,250}$");
    } else if (c->ti->kind != MK_STIX_KIND_CUSTOM && !c->toplevel_ext &&
               (m->key_len < 2 || memcmp(m->key, "x_", 2) != 0)) {
        warn(c, "custom property name should start with 'x_'");
    }
}

static void check_required(struct vctx *c, const struct seen *s)
{
    size_t n_common;
    const struct mk_stix_common_prop *common = mk_stix_common_props(&n_common);

    for (size_t i = 0; i < n_common; i++) {
        if ((common[i].required_in & (1u << c->ti->profile)) && !(s->common & (1u << i))) {
            error_at(c, common[i].p.name, "required property missing");
        }
    }
    for (size_t i = 0; i < c->ti->n_props; i++) {
        const struct mk_stix_prop *p = &c->ti->props[i];

        if ((p->flags & MK_STIX_PF_REQUIRED) && !(s->own & (UINT64_C(1) << i))) {
            error_at(c, p->name, "required property missing");
        }
    }
}

/* Returns how many of the type's own properties are present. */
static int walk(struct vctx *c)
{
    struct seen s = {0, 0};

    for (uint32_t i = 0; i < c->obj->len; i++) {
        const struct mk_json_member *m = &c->obj->u.members[i];
        const struct mk_stix_prop *p = lookup(c, m, &s);
        size_t old = push_key(c, m->key, m->key_len);

        if (p != NULL) {
            check_value(c, p, &m->value);
        } else {
            check_custom_name(c, m);
        }
        pop(c, old);
    }
    check_required(c, &s);
    return __builtin_popcountll(s.own);
}

/* ---- per-type rules ------------------------------------------------------------- */

/* Pairs of timestamps where the second MUST NOT come before the first (or,
 * with `strict`, MUST come after it). Type 0 applies to every type. */
struct order_rule {
    uint8_t type;
    bool strict;
    const char *earlier;
    const char *later;
};

static const struct order_rule order_rules[] = {
    {MK_STIX_TYPE_UNKNOWN, false, "created", "modified"},
    {MK_STIX_INDICATOR, true, "valid_from", "valid_until"},
    {MK_STIX_CAMPAIGN, false, "first_seen", "last_seen"},
    {MK_STIX_INFRASTRUCTURE, false, "first_seen", "last_seen"},
    {MK_STIX_INTRUSION_SET, false, "first_seen", "last_seen"},
    {MK_STIX_MALWARE, false, "first_seen", "last_seen"},
    {MK_STIX_THREAT_ACTOR, false, "first_seen", "last_seen"},
    {MK_STIX_SIGHTING, false, "first_seen", "last_seen"},
    {MK_STIX_OBSERVED_DATA, false, "first_observed", "last_observed"},
    {MK_STIX_RELATIONSHIP, true, "start_time", "stop_time"},
    {MK_STIX_NETWORK_TRAFFIC, false, "start", "end"},
};

static bool get_time(const struct mk_json *obj, const char *key, struct mk_time *t)
{
    const struct mk_json *v = mk_json_get(obj, key);

    return is_str(v) && mk_time_parse_rfc3339(v->u.str, v->len, true, t) == MK_OK;
}

static void check_order(struct vctx *c)
{
    for (size_t i = 0; i < MK_ARRAY_LEN(order_rules); i++) {
        const struct order_rule *r = &order_rules[i];
        struct mk_time a;
        struct mk_time b;
        int cmp;
        size_t old;

        if ((r->type != MK_STIX_TYPE_UNKNOWN && r->type != c->type) ||
            !get_time(c->obj, r->earlier, &a) || !get_time(c->obj, r->later, &b)) {
            continue;
        }
        cmp = mk_time_cmp(&b, &a);
        old = push_cstr(c, r->later);
        if (cmp < 0) {
            error(c, "earlier than %s", r->earlier);
        } else if (cmp == 0 && r->strict) {
            error(c, "must be later than %s, not equal", r->earlier);
        }
        pop(c, old);
    }
}

static void check_pattern(struct vctx *c)
{
    const struct mk_json *pt = mk_json_get(c->obj, "pattern_type");
    const struct mk_json *pat = mk_json_get(c->obj, "pattern");
    const struct mk_stix_pattern *ast = NULL;
    struct mk_error err;
    enum mk_status st;

    if (!mk_json_is_str(pt, "stix") || !is_str(pat)) {
        return;
    }
    mk_error_clear(&err);
    st = mk_stix_pattern_parse(&c->v->scratch, pat->u.str, pat->len, &ast, &err);
    if (st != MK_OK) {
        size_t old = push_cstr(c, "pattern");

        error(c, "%s", err.msg[0] != '\0' ? err.msg : mk_status_str(st));
        pop(c, old);
    }
}

static void check_location(struct vctx *c)
{
    bool lat = has(c->obj, "latitude");
    bool lon = has(c->obj, "longitude");

    if (lat != lon) {
        error_at(c, lat ? "longitude" : "latitude", "latitude and longitude go together");
    }
    if (has(c->obj, "precision") && !lat) {
        error_at(c, "precision", "precision needs latitude and longitude");
    }
    if (!has(c->obj, "region") && !has(c->obj, "country") && !(lat && lon)) {
        error(c, "needs region, country, or latitude and longitude");
    }
}

static void check_observed_data(struct vctx *c)
{
    bool objects = has(c->obj, "objects");

    if (objects == has(c->obj, "object_refs")) {
        error(c, "needs exactly one of objects or object_refs");
    }
    if (objects) {
        size_t old = push_cstr(c, "objects");

        warn(c, "deprecated in STIX 2.1; use object_refs");
        pop(c, old);
    }
}

static void check_fixed_id(struct vctx *c, const struct mk_stix_tlp_id *ids, size_t n,
                           const struct mk_json *level, const char *what)
{
    for (size_t i = 0; i < n; i++) {
        if (mk_json_is_str(level, ids[i].level) && strcmp(c->id, ids[i].id) != 0) {
            size_t old = push_cstr(c, "id");

            warn(c, "%s %s marking should have the fixed id %s", what, ids[i].level, ids[i].id);
            pop(c, old);
        }
    }
}

/* TLP 1.0 (section 7.2.1.4): definition_type "tlp", definition {"tlp": level}. */
static void check_tlp1(struct vctx *c, const struct mk_json *def)
{
    const struct mk_json *tlp = mk_json_get(def, "tlp");
    size_t old = push_cstr(c, "definition");
    size_t old2 = push_cstr(c, "tlp");

    if (tlp == NULL) {
        error(c, "required property missing");
    } else {
        check_term(c, tlp, MK_STIX_ENUM_TLP1, true);
    }
    pop(c, old2);
    pop(c, old);
    check_fixed_id(c, mk_stix_tlp1_ids, MK_ARRAY_LEN(mk_stix_tlp1_ids), tlp, "TLP 1.0");
}

/* TLP 2.0: a property-extension of the OASIS TLP 2.0 extension definition. */
static void check_tlp2(struct vctx *c, const struct mk_json *ext)
{
    const struct mk_json *level = mk_json_get(ext, "tlp_2_0");
    size_t old = push_cstr(c, "extensions");
    size_t old2 = push_cstr(c, MK_STIX_TLP2_EXTENSION_ID);

    if (level == NULL) {
        error_at(c, "tlp_2_0", "required property missing");
    } else {
        size_t old3 = push_cstr(c, "tlp_2_0");

        check_term(c, level, MK_STIX_ENUM_TLP2, true);
        pop(c, old3);
    }
    pop(c, old2);
    pop(c, old);
    check_fixed_id(c, mk_stix_tlp2_ids, MK_ARRAY_LEN(mk_stix_tlp2_ids), level, "TLP 2.0");
}

static void check_definition(struct vctx *c, const struct mk_json *dt, const struct mk_json *def)
{
    const struct mk_json *stmt = mk_json_get(def, "statement");

    if (mk_json_is_str(dt, "tlp")) {
        check_tlp1(c, def);
    } else if (mk_json_is_str(dt, "statement")) {
        if (!is_str(stmt)) {
            size_t old = push_cstr(c, "definition");

            error_at(c, "statement",
                     stmt == NULL ? "required property missing" : "must be a string");
            pop(c, old);
        }
    } else if (is_str(dt)) {
        size_t old = push_cstr(c, "definition_type");

        warn(c, "'%s' is neither \"tlp\" nor \"statement\"", dt->u.str);
        pop(c, old);
    }
}

static void check_self_marking(struct vctx *c)
{
    const struct mk_json *refs = mk_json_get(c->obj, "object_marking_refs");

    for (uint32_t i = 0; refs != NULL && refs->type == MK_JSON_ARRAY && i < refs->len; i++) {
        if (mk_json_is_str(&refs->u.items[i], c->id)) {
            size_t old = push_cstr(c, "object_marking_refs");
            size_t old2 = push_index(c, i);

            error(c, "a marking definition must not mark itself");
            pop(c, old2);
            pop(c, old);
        }
    }
}

static void check_marking(struct vctx *c)
{
    const struct mk_json *dt = mk_json_get(c->obj, "definition_type");
    const struct mk_json *def = mk_json_get(c->obj, "definition");
    const struct mk_json *exts = mk_json_get(c->obj, "extensions");
    const struct mk_json *tlp2 = mk_json_get(exts, MK_STIX_TLP2_EXTENSION_ID);

    if (dt != NULL && def == NULL) {
        error_at(c, "definition", "required when definition_type is present");
    } else if (def != NULL && dt == NULL) {
        error_at(c, "definition_type", "required when definition is present");
    } else if (dt == NULL && exts == NULL) {
        error(c, "needs definition_type and definition, or extensions");
    }
    if (def != NULL && def->type == MK_JSON_OBJECT) {
        check_definition(c, dt, def);
    }
    if (tlp2 != NULL && tlp2->type == MK_JSON_OBJECT) {
        check_tlp2(c, tlp2);
    }
    check_self_marking(c);
}

static void check_network_traffic(struct vctx *c)
{
    const struct mk_json *active = mk_json_get(c->obj, "is_active");

    if (!has(c->obj, "src_ref") && !has(c->obj, "dst_ref")) {
        error(c, "needs src_ref or dst_ref");
    }
    if (active != NULL && active->type == MK_JSON_BOOL && active->boolean && has(c->obj, "end")) {
        error_at(c, "end", "must not be present when is_active is true");
    }
}

static void check_artifact(struct vctx *c)
{
    bool url = has(c->obj, "url");

    if (url && has(c->obj, "payload_bin")) {
        error_at(c, "url", "must not be present with payload_bin");
    }
    if (url && !has(c->obj, "hashes")) {
        error_at(c, "hashes", "required when url is present");
    }
}

static void check_email_message(struct vctx *c)
{
    const struct mk_json *mp = mk_json_get(c->obj, "is_multipart");

    if (mp == NULL || mp->type != MK_JSON_BOOL) {
        return;
    }
    if (mp->boolean && has(c->obj, "body")) {
        error_at(c, "body", "must not be present when is_multipart is true");
    }
    if (!mp->boolean && has(c->obj, "body_multipart")) {
        error_at(c, "body_multipart", "must not be present when is_multipart is false");
    }
}

static void check_sco_rules(struct vctx *c, int n_own)
{
    switch (c->type) {
    case MK_STIX_FILE:
        if (!has(c->obj, "hashes") && !has(c->obj, "name")) {
            error(c, "needs hashes or name");
        }
        break;
    case MK_STIX_NETWORK_TRAFFIC:
        check_network_traffic(c);
        break;
    case MK_STIX_ARTIFACT:
        check_artifact(c);
        break;
    case MK_STIX_EMAIL_MESSAGE:
        check_email_message(c);
        break;
    case MK_STIX_PROCESS:
    case MK_STIX_USER_ACCOUNT:
    case MK_STIX_WINDOWS_REGISTRY_KEY:
    case MK_STIX_X509_CERTIFICATE:
        /* "at least one property ... MUST be present" (sections 6.11, 6.14-6.16) */
        if (n_own == 0 && !has(c->obj, "extensions")) {
            error(c, "needs at least one property besides the common ones");
        }
        break;
    default:
        break;
    }
}

static void check_type_rules(struct vctx *c, int n_own)
{
    const struct mk_json *fam = mk_json_get(c->obj, "is_family");

    switch (c->type) {
    case MK_STIX_INDICATOR:
        check_pattern(c);
        break;
    case MK_STIX_LOCATION:
        check_location(c);
        break;
    case MK_STIX_OBSERVED_DATA:
        check_observed_data(c);
        break;
    case MK_STIX_MARKING_DEFINITION:
        check_marking(c);
        break;
    case MK_STIX_MALWARE:
        if (fam != NULL && fam->type == MK_JSON_BOOL && fam->boolean && !has(c->obj, "name")) {
            error_at(c, "name", "required when is_family is true");
        }
        break;
    case MK_STIX_MALWARE_ANALYSIS:
        if (!has(c->obj, "result") && !has(c->obj, "analysis_sco_refs")) {
            error(c, "needs result or analysis_sco_refs");
        }
        break;
    default:
        check_sco_rules(c, n_own);
        break;
    }
}

/* SHOULD (section 2.9): an SCO id is UUIDv5 of its ID-contributing properties,
 * or UUIDv4 when none is present. */
static void check_sco_id(struct vctx *c)
{
    const struct mk_json *idv = mk_json_get(c->obj, "id");
    struct ident id;
    uint8_t want[16];
    char text[37];
    size_t old;

    if (!is_str(idv) || split_ident(idv->u.str, idv->len, &id) != NULL) {
        return;
    }
    old = push_cstr(c, "id");
    if (mk_stix_sco_expected_id(c->obj, c->type, &c->v->scratch, want)) {
        if (memcmp(want, id.uuid, sizeof(want)) != 0) {
            mk_uuid_format(want, text);
            warn(c, "should be %s--%s (UUIDv5 of the ID-contributing properties)", c->ti->name,
                 text);
        }
    } else if (mk_uuid_version(id.uuid) != 4) {
        warn(c, "should be a UUIDv4 (no ID-contributing property present), not version %d",
             mk_uuid_version(id.uuid));
    }
    pop(c, old);
}

static bool defines_new_type(const struct mk_json *obj)
{
    const struct mk_json *exts = mk_json_get(obj, "extensions");

    for (uint32_t i = 0; exts != NULL && exts->type == MK_JSON_OBJECT && i < exts->len; i++) {
        const struct mk_json *et = mk_json_get(&exts->u.members[i].value, "extension_type");

        if (mk_json_is_str(et, "new-sdo") || mk_json_is_str(et, "new-sco") ||
            mk_json_is_str(et, "new-sro")) {
            return true;
        }
    }
    return false;
}

/* ---- entry points ---------------------------------------------------------------- */

#define SCRATCH_BLOCK (64u << 10)
#define SCRATCH_MAX   (64u << 20)

void mk_stix_validator_init(struct mk_stix_validator *v, mk_stix_diag_fn fn, void *ctx)
{
    memset(v, 0, sizeof(*v));
    v->fn = fn;
    v->ctx = ctx;
    mk_arena_init(&v->scratch, SCRATCH_BLOCK, SCRATCH_MAX);
}

void mk_stix_validator_fini(struct mk_stix_validator *v)
{
    if (v == NULL) {
        return;
    }
    mk_arena_fini(&v->scratch);
}

static void ctx_init(struct vctx *c, struct mk_stix_validator *v, const struct mk_json *obj)
{
    const struct mk_json *id = mk_json_get(obj, "id");
    const struct mk_json *type = mk_json_get(obj, "type");

    c->v = v;
    c->obj = obj;
    c->id = is_str(id) ? id->u.str : "(no id)";
    c->type = is_str(type) ? mk_stix_type_from_name(type->u.str, type->len) : MK_STIX_TYPE_UNKNOWN;
    c->ti = mk_stix_type_info(c->type);
    c->errors = 0;
    c->toplevel_ext = false;
    c->path_len = 0;
    c->path[0] = '\0';
}

static void check_envelope_member(struct vctx *c, const struct mk_json_member *m)
{
    if (m->key_len == 4 && memcmp(m->key, "type", 4) == 0) {
        if (!mk_json_is_str(&m->value, "bundle")) {
            error(c, "type must be \"bundle\"");
        }
    } else if (m->key_len == 2 && memcmp(m->key, "id", 2) == 0) {
        check_self_id(c, &m->value);
    } else if (m->key_len == 7 && memcmp(m->key, "objects", 7) == 0) {
        if (m->value.type != MK_JSON_ARRAY) {
            error(c, "must be a list");
        }
    } else if (m->key_len == 12 && memcmp(m->key, "spec_version", 12) == 0) {
        warn(c, "spec_version is not a bundle property in STIX 2.1");
    } else {
        check_custom_name(c, m);
    }
}

static size_t check_envelope(struct vctx *c)
{
    c->ti = mk_stix_type_info(MK_STIX_BUNDLE);
    for (uint32_t i = 0; i < c->obj->len; i++) {
        const struct mk_json_member *m = &c->obj->u.members[i];
        size_t old = push_key(c, m->key, m->key_len);

        check_envelope_member(c, m);
        pop(c, old);
    }
    if (!has(c->obj, "type")) {
        error_at(c, "type", "required property missing");
    }
    if (!has(c->obj, "id")) {
        error_at(c, "id", "required property missing");
    }
    return c->errors;
}

size_t mk_stix_validate_bundle_envelope(struct mk_stix_validator *v, const struct mk_json *env)
{
    struct vctx c;

    ctx_init(&c, v, env);
    if (env == NULL || env->type != MK_JSON_OBJECT) {
        error(&c, "a bundle must be a JSON object");
        return c.errors;
    }
    return check_envelope(&c);
}

size_t mk_stix_validate_object(struct mk_stix_validator *v, const struct mk_json *obj)
{
    struct vctx c;
    int n_own;

    mk_arena_reset(&v->scratch);
    ctx_init(&c, v, obj);
    if (obj == NULL || obj->type != MK_JSON_OBJECT) {
        error(&c, "a STIX object must be a JSON object");
        return c.errors;
    }
    if (c.type == MK_STIX_BUNDLE) {
        return check_envelope(&c);
    }
    c.toplevel_ext = has_toplevel_ext(obj);
    n_own = walk(&c);
    check_order(&c);
    check_type_rules(&c, n_own);
    if (c.ti->kind == MK_STIX_KIND_SCO) {
        check_sco_id(&c);
    } else if (c.ti->kind == MK_STIX_KIND_CUSTOM && has(obj, "type") && !defines_new_type(obj)) {
        size_t old = push_cstr(&c, "type");

        warn(&c, "custom type should be defined by an extension-definition (new-sdo, new-sco "
                 "or new-sro)");
        pop(&c, old);
    }
    return c.errors;
}
