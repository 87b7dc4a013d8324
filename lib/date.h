/* date.h: RFC 5322 Date: values, including the obsolete forms (internal).
 *
 * Accepts "[Wkd,] D Mon YYYY HH:MM[:SS] +ZZZZ" plus two- and three-digit
 * years, named zones (UT GMT EST ... PDT, military letters), "(PST)"
 * comments, missing weekday or seconds, and common non-RFC shapes (asctime
 * order, "16-Feb-1999", full month names, missing zone, AM/PM).
 */
#ifndef KITH_DATE_H
#define KITH_DATE_H

#include <stddef.h>
#include <stdint.h>

/* Parses s[0..n) into seconds since the epoch (UTC) in *out.  Returns 0 when
 * the value follows RFC 5322 (obsolete syntax included), 1 when it parsed
 * only after repairs (missing zone or time, stray words), -EINVAL when no
 * date could be found (*out is then KITH_DATE_NONE). */
int kith_date_parse(const char *s, size_t n, int64_t *out);

#endif
