/*
 * src/change/textfmt.h
 *
 * Text forms of internal values shared by the JSON printer (datum.c) and the
 * partition-path builder (paimon/partition_path.c): proleptic Gregorian dates
 * from day numbers, Java's LocalDate/LocalTime/LocalDateTime.toString, Java's
 * Float/Double.toString, shortest round-trip float digits, plain decimal
 * strings and base64.
 */
#ifndef PMN_CHANGE_TEXTFMT_H
#define PMN_CHANGE_TEXTFMT_H

#include "pmn/types.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stdint.h>

/* pmn_civil_from_days: year/month/day of a day number (0 = 1970-01-01), any sign. */
void pmn_civil_from_days(int64_t days, int64_t *year, int *month, int *day);
/* pmn_fmt_date: Java LocalDate.toString: YYYY-MM-DD, years beyond 9999 as +YYYYY,
 * negative years as -YYYY. */
void pmn_fmt_date(pmn_buf *out, int64_t days);
/* pmn_fmt_java_time: Java LocalTime.toString of a nano-of-day: HH:mm, then :ss if
 * seconds or nanos are non-zero, then .SSS / .SSSSSS / .SSSSSSSSS by the nanos. */
void pmn_fmt_java_time(pmn_buf *out, int64_t nano_of_day);
/* pmn_fmt_java_timestamp: Paimon Timestamp.toString() = LocalDateTime.toString() of
 * (millis, nanos of milli), e.g. 2024-01-01T12:00 or 2024-01-01T12:00:05.123. */
void pmn_fmt_java_timestamp(pmn_buf *out, int64_t millis, int32_t nanos);
/* pmn_split_millis: floor-divide epoch millis into (day, millis of day 0..86399999). */
void pmn_split_millis(int64_t millis, int64_t *day, int64_t *ms_of_day);

/* pmn_shortest_digits: the shortest decimal digits that read back as v (as a float if
 * is_float). digits gets 1..17 ASCII digits (NUL-terminated, no trailing zeros except a
 * lone "0"), *exp10 the exponent with v = d1.d2d3... x 10^exp10. v must be finite; the
 * sign is ignored. Returns the digit count. */
int pmn_shortest_digits(double v, bool is_float, char digits[20], int *exp10);
/* pmn_fmt_java_double / pmn_fmt_java_float: Java Double/Float.toString (shortest
 * digits): "1.0", "0.001", "1.0E7", "1.0E-4", "-0.0", "NaN", "Infinity". */
void pmn_fmt_java_double(pmn_buf *out, double v);
void pmn_fmt_java_float(pmn_buf *out, float v);
/* pmn_fmt_json_number: a finite v as a JSON number, shortest round-trip digits, in
 * JavaScript's Number#toString layout ("1", "0.5", "1e+21", "1.5e-7"). */
void pmn_fmt_json_number(pmn_buf *out, double v, bool is_float);

/* pmn_fmt_decimal: unscaled / 10^scale as a plain string with exactly `scale` fraction
 * digits (BigDecimal.toPlainString): "123.45", "-0.50", "7". */
void pmn_fmt_decimal(pmn_buf *out, pmn_i128 unscaled, int32_t scale);
/* pmn_fmt_base64: standard alphabet, '=' padded. */
void pmn_fmt_base64(pmn_buf *out, const uint8_t *p, size_t n);

#endif
