/*
 * src/change/textfmt.c
 *
 * Text forms of internal values (see textfmt.h). Dates use the proleptic
 * Gregorian calendar (days_from_civil / civil_from_days of H. Hinnant's
 * "chrono-compatible low-level date algorithms"); Java layouts follow the
 * JDK's LocalDate/LocalTime.toString and Double.toString specifications.
 */
#include "change/textfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pmn_civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (m <= 2);
    *month = m;
    *day = d;
}

void pmn_fmt_date(pmn_buf *out, int64_t days)
{
    int64_t y;
    int m, d;
    pmn_civil_from_days(days, &y, &m, &d);
    if (y < 0)
        pmn_buf_printf(out, "-%04lld", (long long)-y);
    else if (y > 9999)
        pmn_buf_printf(out, "+%lld", (long long)y);
    else
        pmn_buf_printf(out, "%04lld", (long long)y);
    pmn_buf_printf(out, "-%02d-%02d", m, d);
}

void pmn_fmt_java_time(pmn_buf *out, int64_t nano_of_day)
{
    int64_t secs = nano_of_day / 1000000000;
    int32_t nanos = (int32_t)(nano_of_day % 1000000000);
    int h = (int)(secs / 3600), mi = (int)(secs / 60 % 60), s = (int)(secs % 60);
    pmn_buf_printf(out, "%02d:%02d", h, mi);
    if (s > 0 || nanos > 0) {
        pmn_buf_printf(out, ":%02d", s);
        if (nanos > 0) {
            if (nanos % 1000000 == 0)
                pmn_buf_printf(out, ".%03d", nanos / 1000000);
            else if (nanos % 1000 == 0)
                pmn_buf_printf(out, ".%06d", nanos / 1000);
            else
                pmn_buf_printf(out, ".%09d", nanos);
        }
    }
}

void pmn_split_millis(int64_t millis, int64_t *day, int64_t *ms_of_day)
{
    int64_t d = millis / 86400000, r = millis % 86400000;
    if (r < 0) {
        d--;
        r += 86400000;
    }
    *day = d;
    *ms_of_day = r;
}

void pmn_fmt_java_timestamp(pmn_buf *out, int64_t millis, int32_t nanos)
{
    int64_t day, ms;
    pmn_split_millis(millis, &day, &ms);
    pmn_fmt_date(out, day);
    pmn_buf_putc(out, 'T');
    pmn_fmt_java_time(out, ms * 1000000 + nanos);
}

/* Parse "%.*e" output ("d.ddde+XX") into digits without trailing zeros and exponent. */
static int parse_sci(const char *s, char digits[20], int *exp10)
{
    int n = 0;
    const char *p = s;
    if (*p == '-')
        p++;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9' && n < 19)
            digits[n++] = *p;
    *exp10 = *p == 'e' ? atoi(p + 1) : 0;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = 0;
    return n;
}

static bool round_trips(const char *s, double v, bool is_float)
{
    if (is_float)
        return strtof(s, NULL) == (float)v;
    return strtod(s, NULL) == v;
}

int pmn_shortest_digits(double v, bool is_float, char digits[20], int *exp10)
{
    char s[40];
    v = fabs(v);
    if (v == 0) {
        strcpy(digits, "0");
        *exp10 = 0;
        return 1;
    }
    int maxp = is_float ? 9 : 17;
    for (int p = 1; p <= maxp; p++) {
        snprintf(s, sizeof s, "%.*e", p - 1, v);
        if (round_trips(s, v, is_float) || p == maxp)
            return parse_sci(s, digits, exp10);
        /* At a power of two the values rounding to v reach further above v than below,
         * so the nearest p-digit decimal may miss while the next one up still hits. */
        int n = parse_sci(s, digits, exp10);
        unsigned long long d = strtoull(digits, NULL, 10);
        for (int i = n; i < p; i++)
            d *= 10;
        char t[48];
        snprintf(t, sizeof t, "%llue%d", d + 1, *exp10 - (p - 1));
        if (round_trips(t, v, is_float)) {
            int len = snprintf(digits, 20, "%llu", d + 1);
            *exp10 += len - p; /* a carry (99 + 1) adds a digit */
            while (len > 1 && digits[len - 1] == '0')
                digits[--len] = 0;
            return len;
        }
    }
    return 0; /* not reached */
}

/* Java's digit choice: shortest, but when one digit suffices the closest decimal of
 * length 1 or 2 wins (so 4.9E-324, not 5.0E-324). */
static int java_digits(double v, bool is_float, char digits[20], int *exp10)
{
    int n = pmn_shortest_digits(v, is_float, digits, exp10);
    if (n == 1 && v != 0) {
        char s[40], d2[20];
        int e2;
        snprintf(s, sizeof s, "%.1e", fabs(v));
        if (round_trips(s, fabs(v), is_float) && parse_sci(s, d2, &e2) == 2) {
            strcpy(digits, d2);
            *exp10 = e2;
            n = 2;
        }
    }
    return n;
}

static void fmt_java_fp(pmn_buf *out, double v, bool is_float)
{
    if (isnan(v)) {
        pmn_buf_puts(out, "NaN");
        return;
    }
    if (signbit(v))
        pmn_buf_putc(out, '-');
    if (isinf(v)) {
        pmn_buf_puts(out, "Infinity");
        return;
    }
    char dg[20];
    int e;
    int n = java_digits(v, is_float, dg, &e);
    double a = fabs(v);
    if (a == 0) {
        pmn_buf_puts(out, "0.0");
    } else if (a >= 1e-3 && a < 1e7) {
        if (e >= 0) {
            for (int i = 0; i <= e; i++)
                pmn_buf_putc(out, (uint8_t)(i < n ? dg[i] : '0'));
            pmn_buf_putc(out, '.');
            if (e + 1 < n)
                pmn_buf_put(out, dg + e + 1, (size_t)(n - e - 1));
            else
                pmn_buf_putc(out, '0');
        } else {
            pmn_buf_puts(out, "0.");
            for (int i = 0; i < -e - 1; i++)
                pmn_buf_putc(out, '0');
            pmn_buf_put(out, dg, (size_t)n);
        }
    } else {
        pmn_buf_putc(out, (uint8_t)dg[0]);
        pmn_buf_putc(out, '.');
        if (n > 1)
            pmn_buf_put(out, dg + 1, (size_t)(n - 1));
        else
            pmn_buf_putc(out, '0');
        pmn_buf_printf(out, "E%d", e);
    }
}

void pmn_fmt_java_double(pmn_buf *out, double v)
{
    fmt_java_fp(out, v, false);
}

void pmn_fmt_java_float(pmn_buf *out, float v)
{
    fmt_java_fp(out, (double)v, true);
}

void pmn_fmt_json_number(pmn_buf *out, double v, bool is_float)
{
    char dg[20];
    int e;
    int k = pmn_shortest_digits(v, is_float, dg, &e);
    int n = e + 1; /* position of the decimal point relative to the digits */
    if (signbit(v))
        pmn_buf_putc(out, '-');
    if (v == 0) {
        pmn_buf_putc(out, '0');
    } else if (k <= n && n <= 21) {
        pmn_buf_put(out, dg, (size_t)k);
        for (int i = k; i < n; i++)
            pmn_buf_putc(out, '0');
    } else if (0 < n && n <= 21) {
        pmn_buf_put(out, dg, (size_t)n);
        pmn_buf_putc(out, '.');
        pmn_buf_put(out, dg + n, (size_t)(k - n));
    } else if (-6 < n && n <= 0) {
        pmn_buf_puts(out, "0.");
        for (int i = 0; i < -n; i++)
            pmn_buf_putc(out, '0');
        pmn_buf_put(out, dg, (size_t)k);
    } else {
        pmn_buf_putc(out, (uint8_t)dg[0]);
        if (k > 1) {
            pmn_buf_putc(out, '.');
            pmn_buf_put(out, dg + 1, (size_t)(k - 1));
        }
        pmn_buf_printf(out, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
    }
}

void pmn_fmt_decimal(pmn_buf *out, pmn_i128 unscaled, int32_t scale)
{
    unsigned __int128 u = unscaled < 0 ? -(unsigned __int128)unscaled : (unsigned __int128)unscaled;
    char tmp[48];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    /* at least scale + 1 digits so there is an integer part */
    while (scale > 0 && n < scale + 1 && n < (int)sizeof tmp)
        tmp[n++] = '0';
    if (unscaled < 0)
        pmn_buf_putc(out, '-');
    for (int i = n - 1; i >= 0; i--) {
        pmn_buf_putc(out, (uint8_t)tmp[i]);
        if (i == scale && scale > 0)
            pmn_buf_putc(out, '.');
    }
}

void pmn_fmt_base64(pmn_buf *out, const uint8_t *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        char q[4] = {tab[v >> 18], tab[(v >> 12) & 63], tab[(v >> 6) & 63], tab[v & 63]};
        pmn_buf_put(out, q, 4);
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        char q[4] = {tab[v >> 18], tab[(v >> 12) & 63], '=', '='};
        pmn_buf_put(out, q, 4);
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        char q[4] = {tab[v >> 18], tab[(v >> 12) & 63], tab[(v >> 6) & 63], '='};
        pmn_buf_put(out, q, 4);
    }
}
