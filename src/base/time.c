/* RFC 3339 timestamps (STIX 2.1 section 3.2): parse, compare, format. */
#include <stdio.h>
#include <string.h>

#include "base/base.h"

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era;
    int64_t yoe;
    int64_t doy;
    int64_t doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era;
    int64_t doe;
    int64_t yoe;
    int64_t doy;
    int64_t mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Reads exactly `width` decimal digits. */
static bool digits(const char *s, size_t n, size_t *pos, int width, int *out)
{
    int v = 0;

    if (*pos + (size_t)width > n) {
        return false;
    }
    for (int i = 0; i < width; i++) {
        char c = s[*pos + (size_t)i];

        if (c < '0' || c > '9') {
            return false;
        }
        v = v * 10 + (c - '0');
    }
    *pos += (size_t)width;
    *out = v;
    return true;
}

static bool expect(const char *s, size_t n, size_t *pos, const char *set)
{
    if (*pos < n && s[*pos] != '\0' && strchr(set, s[*pos]) != NULL) {
        (*pos)++;
        return true;
    }
    return false;
}

static bool parse_fraction(const char *s, size_t n, size_t *pos, struct mk_time *out)
{
    uint32_t ns = 0;
    int nd = 0;

    if (!expect(s, n, pos, ".")) {
        return true;
    }
    while (*pos < n && s[*pos] >= '0' && s[*pos] <= '9') {
        if (nd < 9) {
            ns = ns * 10 + (uint32_t)(s[*pos] - '0');
            nd++;
        }
        (*pos)++;
    }
    if (nd == 0) {
        return false;
    }
    out->digits = (uint8_t)nd;
    for (int i = nd; i < 9; i++) {
        ns *= 10;
    }
    out->nsec = ns;
    return true;
}

/* Offset "Z" or "+hh:mm"/"-hh:mm" in seconds east of UTC. */
static bool parse_offset(const char *s, size_t n, size_t *pos, bool require_utc, int *off)
{
    int hh;
    int mm;
    char sign;

    *off = 0;
    if (expect(s, n, pos, "Zz")) {
        return true;
    }
    if (require_utc || *pos >= n) {
        return false;
    }
    sign = s[*pos];
    if (!expect(s, n, pos, "+-") || !digits(s, n, pos, 2, &hh) || !expect(s, n, pos, ":") ||
        !digits(s, n, pos, 2, &mm) || hh > 23 || mm > 59) {
        return false;
    }
    *off = (hh * 3600 + mm * 60) * (sign == '-' ? -1 : 1);
    return true;
}

enum mk_status mk_time_parse_rfc3339(const char *s, size_t n, bool require_utc, struct mk_time *out)
{
    size_t pos = 0;
    /* zero-initialised: gcc -O2 cannot see that digits() sets them on success */
    int year = 0;
    int mon = 0;
    int day = 0;
    int hh = 0;
    int mm = 0;
    int ss = 0;
    int off = 0;

    memset(out, 0, sizeof(*out));
    if (!digits(s, n, &pos, 4, &year) || !expect(s, n, &pos, "-") || !digits(s, n, &pos, 2, &mon) ||
        !expect(s, n, &pos, "-") || !digits(s, n, &pos, 2, &day) || !expect(s, n, &pos, "Tt") ||
        !digits(s, n, &pos, 2, &hh) || !expect(s, n, &pos, ":") || !digits(s, n, &pos, 2, &mm) ||
        !expect(s, n, &pos, ":") || !digits(s, n, &pos, 2, &ss) ||
        !parse_fraction(s, n, &pos, out) || !parse_offset(s, n, &pos, require_utc, &off) ||
        pos != n) {
        return MK_EINVAL;
    }
    if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon) || hh > 23 || mm > 59 ||
        ss > 60) {
        return MK_EINVAL;
    }
    if (ss == 60) {
        /* RFC 3339 section 5.7: a leap second can only be 23:59:60 in UTC. */
        int utc_min = ((hh * 60 + mm - off / 60) % 1440 + 1440) % 1440;

        if (utc_min != 23 * 60 + 59) {
            return MK_EINVAL;
        }
        ss = 59;
    }
    /* The time of day fits an int (< 86400 + 2 * 86400 for the offset). */
    out->sec = days_from_civil(year, mon, day) * 86400 + (int64_t)(hh * 3600 + mm * 60 + ss - off);
    return MK_OK;
}

int mk_time_cmp(const struct mk_time *a, const struct mk_time *b)
{
    if (a->sec != b->sec) {
        return a->sec < b->sec ? -1 : 1;
    }
    if (a->nsec != b->nsec) {
        return a->nsec < b->nsec ? -1 : 1;
    }
    return 0;
}

size_t mk_time_format(const struct mk_time *t, char out[32])
{
    int64_t days = t->sec / 86400;
    int64_t rem = t->sec % 86400;
    int64_t y;
    int m;
    int d;
    int n;

    if (rem < 0) {
        rem += 86400;
        days--;
    }
    civil_from_days(days, &y, &m, &d);
    n = snprintf(out, 32, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)y, m, d, (int)(rem / 3600),
                 (int)(rem / 60 % 60), (int)(rem % 60));
    if (t->digits > 0 && n > 0 && n < 20) {
        char frac[10];
        uint32_t v = t->nsec;

        for (int i = 8; i >= 0; i--) {
            frac[i] = (char)('0' + v % 10);
            v /= 10;
        }
        n += snprintf(out + n, (size_t)(32 - n), ".%.*s", t->digits > 9 ? 9 : t->digits, frac);
    }
    if (n > 0 && n < 31) {
        out[n++] = 'Z';
        out[n] = '\0';
    }
    return n > 0 ? (size_t)n : 0;
}
