/* isodate.c: see isodate.h.  No libc time zone functions: UTC only, and
 * no dependence on the TZ of the machine. */
#include "isodate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Howard Hinnant's days_from_civil: exact for every proleptic Gregorian date. */
int64_t kith_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void kith_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int kith_days_in_month(int64_t y, unsigned m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dm[m - 1];
}

int kith_isodate_parse(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0, n = 0;
	const char *rest;

	if (!s || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -EINVAL;
	rest = s + n;
	if (*rest == 'T' || *rest == ' ') {
		int m2 = 0;
		if (sscanf(rest + 1, "%2d:%2d%n", &h, &mi, &m2) != 2 || m2 != 5)
			return -EINVAL;
		rest += 1 + m2;
		if (*rest == ':') {
			if (sscanf(rest + 1, "%2d%n", &se, &m2) != 1 || m2 != 2)
				return -EINVAL;
			rest += 3;
		}
		if (*rest == 'Z')
			rest++;
	}
	if (*rest || mo < 1 || mo > 12 || d < 1 || d > kith_days_in_month(y, (unsigned)mo) ||
	    h > 23 || mi > 59 || se > 60 || h < 0 || mi < 0 || se < 0)
		return -EINVAL;
	*out = kith_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
	       mi * 60 + se;
	return 0;
}

void kith_isodate_format(int64_t t, char *buf, size_t len)
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t secs = t - days * 86400, y;
	unsigned m, d;

	kith_civil_from_days(days, &y, &m, &d);
	snprintf(buf, len, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d,
		 (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

int64_t kith_utc_day(int64_t t)
{
	return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

int64_t kith_utc_day_end(int64_t t)
{
	return kith_utc_day(t) * 86400 + 86399;
}
