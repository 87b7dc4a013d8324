/* fmt.c: output helpers: colour, UTF-8-aware columns, dates, durations,
 * sparklines and JSON escaping. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "../lib/isodate.h"
#include "cli.h"

const char *col(const struct cli *c, const char *ansi)
{
	return c->color ? ansi : "";
}

/* 0 when stdout is not a terminal: piped output is never cut. */
int term_width(void)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");

	if (!isatty(STDOUT_FILENO))
		return 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (cols && atoi(cols) > 0)
		return atoi(cols);
	return 80;
}

size_t u8_width(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Bytes of s that make up its first w code points. */
static size_t u8_prefix(const char *s, size_t w)
{
	size_t i = 0, n = 0;

	while (s[i]) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (n == w)
				break;
			n++;
		}
		i++;
	}
	return i;
}

/* Why: names are UTF-8 and may hold control characters from a hostile
 * header; cells are cut on code-point boundaries and controls shown as '?'
 * so that a column never breaks the table or the terminal. */
void put_cell(FILE *f, const char *s, int w, int left)
{
	size_t len, cut, width;

	if (!s)
		s = "-";
	width = u8_width(s);
	if (w <= 0) {
		for (const char *p = s; *p; p++)
			fputc((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p, f);
		return;
	}
	if (!left && width < (size_t)w)
		fprintf(f, "%*s", (int)((size_t)w - width), "");
	cut = width > (size_t)w ? u8_prefix(s, (size_t)w - 1) : strlen(s);
	for (len = 0; len < cut; len++)
		fputc((unsigned char)s[len] < 0x20 || s[len] == 0x7f ? '?' : s[len], f);
	if (width > (size_t)w)
		fputs("…", f);
	if (left && width < (size_t)w)
		fprintf(f, "%*s", (int)((size_t)w - width), "");
}

void fmt_iso(int64_t t, char *buf, size_t len)
{
	if (t == KITH_DATE_NONE) {
		if (len)
			buf[0] = 0;
		return;
	}
	kith_isodate_format(t, buf, len);
}

void fmt_day(int64_t t, char *buf, size_t len)
{
	char iso[32];

	if (t == KITH_DATE_NONE) {
		snprintf(buf, len, "never");
		return;
	}
	kith_isodate_format(t, iso, sizeof(iso));
	snprintf(buf, len, "%.10s", iso);
}

static void plural(char *buf, size_t len, int64_t n, const char *unit, int future)
{
	snprintf(buf, len, "%s%lld %s%s%s", future ? "in " : "", (long long)n, unit,
		 n == 1 ? "" : "s", future ? "" : " ago");
}

void fmt_rel(int64_t now, int64_t t, char *buf, size_t len)
{
	int64_t d;
	int future;

	if (t == KITH_DATE_NONE) {
		snprintf(buf, len, "never");
		return;
	}
	future = t > now;
	d = future ? t - now : now - t;
	if (d < 60)
		snprintf(buf, len, "just now");
	else if (d < 3600)
		plural(buf, len, d / 60, "minute", future);
	else if (d < 86400)
		plural(buf, len, d / 3600, "hour", future);
	else if (d < 2 * 86400)
		snprintf(buf, len, "%s", future ? "tomorrow" : "yesterday");
	else if (d < 14 * 86400)
		plural(buf, len, d / 86400, "day", future);
	else if (d < 60 * 86400)
		plural(buf, len, d / (7 * 86400), "week", future);
	else
		fmt_day(t, buf, len);
}

void fmt_dur(int64_t s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "-");
	else if (s < 3600)
		snprintf(buf, len, "%lld min", (long long)(s / 60));
	else if (s < 2 * 86400)
		snprintf(buf, len, "%.1f h", (double)s / 3600.0);
	else
		snprintf(buf, len, "%.1f d", (double)s / 86400.0);
}

int64_t month_index(int64_t t)
{
	int64_t y;
	unsigned m, d;

	kith_civil_from_days(t >= 0 ? t / 86400 : -((-t + 86399) / 86400), &y, &m, &d);
	return y * 12 + (int64_t)m - 1;
}

int spark_months_per_mark(int64_t from, int64_t to, int cols)
{
	int64_t span;

	if (from == KITH_DATE_NONE || to == KITH_DATE_NONE || to < from || cols < 1)
		return 1;
	span = month_index(to) - month_index(from) + 1;
	return (int)((span + cols - 1) / cols);
}

/* Why: a sparkline shows the rhythm of a relationship at a glance; marks
 * with no exchange print a space, not nothing, so the line's length is
 * always the span it covers. */
void put_sparkline(FILE *f, const int64_t *dates, size_t n, int64_t from, int64_t to,
		   int per)
{
	static const char *const bars[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	int64_t m0, span, max = 0;
	int64_t *cnt;

	if (from == KITH_DATE_NONE || to == KITH_DATE_NONE || to < from || per < 1)
		return;
	m0 = month_index(from);
	span = (month_index(to) - m0) / per + 1;
	cnt = calloc((size_t)span, sizeof(*cnt));
	if (!cnt)
		return;
	for (size_t i = 0; i < n; i++) {
		int64_t m = (month_index(dates[i]) - m0) / per;

		if (dates[i] >= from && m < span && ++cnt[m] > max)
			max = cnt[m];
	}
	for (int64_t i = 0; i < span; i++) {
		int lvl = max ? (int)((cnt[i] * 7 + max - 1) / max) : 0;

		fputs(cnt[i] ? bars[lvl > 7 ? 7 : lvl] : " ", f);
	}
	free(cnt);
}

/* Writes one UTF-8 sequence starting at s (length n, 1..4) if valid;
 * returns bytes consumed, writing U+FFFD for an invalid byte. */
static size_t json_u8(FILE *f, const unsigned char *s)
{
	size_t n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 0;

	if (n == 0 || s[0] > 0xF4 || (n == 2 && s[0] < 0xC2)) {
		fputs("\\ufffd", f);
		return 1;
	}
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80) {
			fputs("\\ufffd", f);
			return 1;
		}
	fwrite(s, 1, n, f);
	return n;
}

void json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	while (*p) {
		if (*p == '"' || *p == '\\') {
			fputc('\\', f);
			fputc(*p++, f);
		} else if (*p == '\n') {
			fputs("\\n", f), p++;
		} else if (*p == '\t') {
			fputs("\\t", f), p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p++);
		} else if (*p < 0x80) {
			fputc(*p++, f);
		} else {
			p += json_u8(f, p);
		}
	}
	fputc('"', f);
}

void json_date(FILE *f, int64_t t)
{
	char buf[40];

	if (t == KITH_DATE_NONE) {
		fputs("null", f);
		return;
	}
	fmt_iso(t, buf, sizeof(buf));
	json_str(f, buf);
}

void json_num(FILE *f, double v)
{
	if (!isfinite(v))
		fputs("null", f);
	else if (v == floor(v) && fabs(v) < 1e15)
		fprintf(f, "%.0f", v);
	else
		fprintf(f, "%.4g", v);
}
