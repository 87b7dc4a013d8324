/* isodate.h: ISO 8601 dates for the command line and JSON (UTC). */
#ifndef KITH_ISODATE_H
#define KITH_ISODATE_H

#include <stddef.h>
#include <stdint.h>

/* Parses "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM[:SS][Z]".
 * Returns 0 and sets *out, or -EINVAL. */
int kith_isodate_parse(const char *s, int64_t *out);

/* Writes "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes). */
void kith_isodate_format(int64_t t, char *buf, size_t len);

/* Days since the epoch to a civil date and back (proleptic Gregorian). */
int64_t kith_days_from_civil(int64_t y, unsigned m, unsigned d);
void kith_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* Days in month m (1..12) of year y. */
int kith_days_in_month(int64_t y, unsigned m);

/* The UTC day of t (days since the epoch, rounded down, before 1970
 * too), and the last second of that day: a task "due that day" is due
 * by its end, not overdue within it. */
int64_t kith_utc_day(int64_t t);
int64_t kith_utc_day_end(int64_t t);

#endif
