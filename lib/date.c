/* date.c: lenient RFC 5322 date parsing (see date.h). */
#include <errno.h>
#include <string.h>

#include "date.h"
#include "hdrfield.h"
#include "hdrtext.h"
#include "isodate.h"
#include "msg.h"

struct dt {
	int day, mon, year, year_digits;
	int hour, min, sec, have_time;
	int zone_min, have_zone, pm, am;
	int comment_zone, have_comment_zone; /* "(GMT)" with no other zone */
	int repaired;
};

static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
static const char wdays[] = "montuewedthufrisatsun";

static const struct { const char *name; int off; } zones[] = {
	{"ut", 0}, {"utc", 0}, {"gmt", 0}, {"z", 0}, {"est", -300}, {"edt", -240},
	{"cst", -360}, {"cdt", -300}, {"mst", -420}, {"mdt", -360}, {"pst", -480},
	{"pdt", -420}, {"cet", 60}, {"cest", 120}, {"met", 60}, {"mest", 120},
	{"eet", 120}, {"eest", 180}, {"wet", 0}, {"west", 60}, {"bst", 60},
	{"jst", 540}, {"kst", 540}, {"hkt", 480}, {"sgt", 480}, {"aest", 600},
	{"aedt", 660}, {"nzst", 720}, {"nzdt", 780}, {"hst", -600}, {"akst", -540},
	{"akdt", -480}, {"ast", -240}, {"adt", -180}, {"nst", -210}, {"ndt", -150},
};

/* Index in a table of three-letter prefixes, or -1. */
static int find3(const char *tab, size_t tablen, const char *w, size_t n)
{
	size_t i;

	if (n < 3)
		return -1;
	for (i = 0; i + 3 <= tablen; i += 3)
		if (kith_lc((unsigned char)w[0]) == tab[i] &&
		    kith_lc((unsigned char)w[1]) == tab[i + 1] &&
		    kith_lc((unsigned char)w[2]) == tab[i + 2])
			return (int)(i / 3);
	return -1;
}

/* Zone offset of a named zone, or 1 (never a real offset) when unknown. */
static int zone_named(const char *w, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (kith_ascii_ieq(w, n, zones[i].name))
			return zones[i].off;
	return 1;
}

/* A comment holding only a zone name: a fallback zone. */
static void comment(struct dt *d, const char *s, size_t n)
{
	int off;

	while (n > 0 && kith_is_wsp((unsigned char)s[n - 1]))
		n--;
	while (n > 0 && kith_is_wsp((unsigned char)*s)) {
		s++;
		n--;
	}
	off = zone_named(s, n);
	if (off != 1 && !d->have_comment_zone) {
		d->comment_zone = off;
		d->have_comment_zone = 1;
	}
}

/* A word: weekday, month, zone name, AM/PM or junk. */
static void take_word(struct dt *d, const char *w, size_t n)
{
	int k;

	if (n <= 9 && find3(wdays, sizeof(wdays) - 1, w, n) >= 0)
		return;
	k = find3(months, sizeof(months) - 1, w, n);
	if (k >= 0 && n <= 9 && !d->mon) {
		d->mon = k + 1;
		return;
	}
	if (kith_ascii_ieq(w, n, "am") || kith_ascii_ieq(w, n, "pm")) {
		d->pm = kith_lc((unsigned char)w[0]) == 'p';
		d->am = !d->pm;
		d->repaired = 1;
		return;
	}
	k = zone_named(w, n);
	if (k != 1) {
		if (!d->have_zone) {
			d->zone_min = k;
			d->have_zone = 1;
		}
		return;
	}
	if (n == 1 && ((w[0] | 32) >= 'a' && (w[0] | 32) <= 'z') && (w[0] | 32) != 'j') {
		/* RFC 5322 4.3: military zones are unreliable; read as -0000. */
		if (!d->have_zone)
			d->have_zone = 1;
		return;
	}
	d->repaired = 1;
}

/* A run of digits: day or year. */
static void take_number(struct dt *d, long v, size_t digits)
{
	/* "029": some mailers pad the day to three digits. */
	if ((digits <= 2 || (digits == 3 && v < 100)) && v >= 1 && v <= 31 && !d->day) {
		d->day = (int)v;
	} else if (!d->year_digits && digits <= 4) {
		d->year = (int)v;
		d->year_digits = (int)digits;
	} else {
		d->repaired = 1;
	}
}

static long read_num(const char *s, size_t n, size_t *i, size_t *digits)
{
	long v = 0;
	size_t st = *i;

	while (*i < n && s[*i] >= '0' && s[*i] <= '9' && *i - st < 9)
		v = v * 10 + (s[(*i)++] - '0');
	*digits = *i - st;
	return v;
}

/* "HH:MM[:SS]" starting with the hour already read. */
static void take_time(struct dt *d, long h, const char *s, size_t n, size_t *i)
{
	size_t dg;
	long m, sec = 0;

	(*i)++; /* ':' */
	m = read_num(s, n, i, &dg);
	if (dg == 0 || d->have_time) {
		d->repaired = 1;
		return;
	}
	if (*i + 1 < n && s[*i] == ':' && s[*i + 1] >= '0' && s[*i + 1] <= '9') {
		(*i)++;
		sec = read_num(s, n, i, &dg);
	}
	d->hour = (int)h;
	d->min = (int)m;
	d->sec = (int)sec;
	d->have_time = 1;
}

/* "+hhmm", "-hhmm", "+hh:mm" or "+hh". */
static void take_zone(struct dt *d, const char *s, size_t n, size_t *i)
{
	int sign = s[*i] == '-' ? -1 : 1;
	size_t dg, dg2;
	long v, mm = 0;

	(*i)++;
	v = read_num(s, n, i, &dg);
	if (dg == 2 && *i < n && s[*i] == ':') {
		(*i)++;
		mm = read_num(s, n, i, &dg2);
		v = v * 100 + mm;
		d->repaired = 1;
	} else if (dg == 2) {
		v *= 100;
		d->repaired = 1;
	} else if (dg != 4) {
		d->repaired = 1;
		return;
	}
	if (v % 100 >= 60 || d->have_zone) {
		d->repaired |= !d->have_zone;
		return;
	}
	d->zone_min = sign * (int)((v / 100) * 60 + v % 100);
	d->have_zone = 1;
}

/* Splits the value into words, numbers, times and zones. */
static void scan(struct dt *d, const char *s, size_t n)
{
	size_t i = 0, st, dg;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c == '(') {
			st = i;
			i = kith_skip_comment(s, n, i);
			comment(d, s + st + 1, i - st - 1 - (s[i - 1] == ')'));
		} else if (kith_is_wsp(c) || c == ',' || c == '.') {
			i++;
		} else if (c >= '0' && c <= '9') {
			long v = read_num(s, n, &i, &dg);

			if (i < n && s[i] == ':')
				take_time(d, v, s, n, &i);
			else
				take_number(d, v, dg);
			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++; /* overlong digit runs */
		} else if ((c == '+' || c == '-') && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9' &&
			   d->have_time) {
			take_zone(d, s, n, &i);
		} else if ((c | 32) >= 'a' && (c | 32) <= 'z') {
			for (st = i; i < n && (((unsigned char)s[i] | 32) >= 'a' &&
					       ((unsigned char)s[i] | 32) <= 'z'); i++)
				;
			take_word(d, s + st, i - st);
		} else {
			if (c != '-' && c != '/')
				d->repaired = 1;
			i++;
		}
	}
}

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12). */
int kith_date_parse(const char *s, size_t n, int64_t *out)
{
	struct dt d;

	memset(&d, 0, sizeof(d));
	*out = KITH_DATE_NONE;
	scan(&d, s, n);
	if (!d.day || !d.mon || !d.year_digits)
		return -EINVAL;
	if (d.year_digits == 2)
		d.year += d.year < 50 ? 2000 : 1900;
	else if (d.year_digits == 3)
		d.year += 1900;
	else if (d.year_digits == 1)
		return -EINVAL;
	if (d.pm && d.hour < 12)
		d.hour += 12;
	else if (d.am && d.hour == 12)
		d.hour = 0;
	if (d.day > kith_days_in_month(d.year, (unsigned)d.mon) || d.hour > 23 || d.min > 59 || d.sec > 60)
		return -EINVAL;
	if (!d.have_zone && d.have_comment_zone) {
		d.zone_min = d.comment_zone;
		d.have_zone = 1;
		d.repaired = 1;
	}
	if (!d.have_time || !d.have_zone)
		d.repaired = 1;
	*out = kith_days_from_civil(d.year, (unsigned)d.mon, (unsigned)d.day) * 86400 +
	       d.hour * 3600 + d.min * 60 + d.sec - (int64_t)d.zone_min * 60;
	return d.repaired ? 1 : 0;
}
