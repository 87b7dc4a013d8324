/* refusal.c: see refusal.h. */
#include "refusal.h"

#include <string.h>
#include <strings.h>

/* RFC 5530 codes that ask the client to come back later (UNAVAILABLE: a
 * subsystem is down; LIMIT: a limit was reached; INUSE: someone else holds
 * what was asked for), that say the account is over quota, and that refuse
 * the credentials or the account. */
static const char *const throttle_codes[] = { "UNAVAILABLE", "LIMIT", "INUSE", NULL };
static const char *const quota_codes[] = { "OVERQUOTA", NULL };
static const char *const auth_codes[] = { "AUTHENTICATIONFAILED", "AUTHORIZATIONFAILED",
					  "EXPIRED", "PRIVACYREQUIRED", "CONTACTADMIN", NULL };

/* Words of servers that throttle without a code: Gmail's "Too many
 * simultaneous connections", "Account exceeded command or bandwidth
 * limits", Exchange's "User is authenticated but not connected". */
static const char *const throttle_words[] = {
	"too many", "simultaneous", "try again later", "throttl", "rate limit", "bandwidth",
	"exceeded", "not connected", "busy", NULL };
/* Words that make a refused login a matter of credentials even when
 * throttle words come with them ("too many failed logins"). */
static const char *const auth_words[] = {
	"login", "log in", "logon", "password", "credential", "authenticat", "sign in", NULL };

static int has_word(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);

	for (size_t i = 0; i + wl <= n; i++)
		if (strncasecmp(s + i, w, wl) == 0)
			return 1;
	return 0;
}

static int any_word(const char *s, size_t n, const char *const *words)
{
	for (size_t i = 0; words[i]; i++)
		if (has_word(s, n, words[i]))
			return 1;
	return 0;
}

static int code_in(const char *code, size_t n, const char *const *codes)
{
	for (size_t i = 0; codes[i]; i++)
		if (strlen(codes[i]) == n && strncasecmp(code, codes[i], n) == 0)
			return 1;
	return 0;
}

/* The token at *p up to a space (or the end); *p moves past the space. */
static size_t token(const char **p, const char *end)
{
	const char *s = *p;

	while (*p < end && **p != ' ')
		(*p)++;
	size_t n = (size_t)(*p - s);
	if (*p < end)
		(*p)++;
	return n;
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The unit a number is followed by: "s", "sec(onds)", "m", "min(utes)",
 * "h", "hour(s)", "hr"; 0 for any other word ("5 messages"). */
static int unit_seconds(const char *t, size_t n)
{
	static const struct { const char *w; int s; } units[] = {
		{ "seconds", 1 }, { "second", 1 }, { "secs", 1 }, { "sec", 1 }, { "s", 1 },
		{ "minutes", 60 }, { "minute", 60 }, { "mins", 60 }, { "min", 60 }, { "m", 60 },
		{ "hours", 3600 }, { "hour", 3600 }, { "hrs", 3600 }, { "hr", 3600 }, { "h", 3600 },
	};

	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		size_t wl = strlen(units[i].w);

		if (wl <= n && strncasecmp(t, units[i].w, wl) == 0 && (wl == n || !is_alpha(t[wl])))
			return units[i].s;
	}
	return 0;
}

/* Seconds named after "in" or "after" ("try again in 10 minutes"), 0 if
 * none.  Why so loose: no standard names a wait, and a wrong guess costs
 * only a wait no shorter than kith's own. */
static int hint_seconds(const char *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned long v = 0;
		size_t j = i;
		int unit;

		if (!((i >= 3 && strncasecmp(t + i - 3, "in ", 3) == 0) ||
		      (i >= 6 && strncasecmp(t + i - 6, "after ", 6) == 0)))
			continue;
		for (; j < n && t[j] >= '0' && t[j] <= '9' && v < 1000000; j++)
			v = v * 10 + (unsigned long)(t[j] - '0');
		if (j == i)
			continue;
		while (j < n && t[j] == ' ')
			j++;
		unit = unit_seconds(t + j, n - j);
		if (unit && v > 0)
			return v * (unsigned long)unit > 86400 ? 86400 : (int)(v * (unsigned long)unit);
	}
	return 0;
}

static void keep_text(struct kith_refusal *out, const char *t, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < sizeof out->text; i++)
		out->text[i] = (t[i] >= 0x20 && t[i] < 0x7f) ? t[i] : '?';
	out->text[i] = '\0';
}

static enum kith_refusal_class by_words(const char *t, size_t n, int at_login, int bye)
{
	if (has_word(t, n, "not connected"))
		return KITH_REFUSAL_THROTTLE;
	if (at_login && any_word(t, n, auth_words))
		return KITH_REFUSAL_AUTH;
	if (any_word(t, n, throttle_words))
		return KITH_REFUSAL_THROTTLE;
	if (at_login)
		return KITH_REFUSAL_AUTH;
	return bye ? KITH_REFUSAL_BYE : KITH_REFUSAL_NONE;
}

enum kith_refusal_class kith_refusal_classify(const char *line, size_t len, int at_login,
					      struct kith_refusal *out)
{
	const char *p = line, *end = line + len, *code;
	size_t tag_n, st_n, code_n = 0;
	int bye, untagged;

	*out = (struct kith_refusal){ 0 };
	if (!line)
		return KITH_REFUSAL_NONE;
	tag_n = token(&p, end);
	untagged = tag_n == 1 && line[0] == '*';
	const char *st = p;
	st_n = token(&p, end);
	bye = st_n == 3 && strncasecmp(st, "BYE", 3) == 0;
	if (!tag_n || !(bye || (!untagged && st_n == 2 && strncasecmp(st, "NO", 2) == 0) ||
			(!untagged && st_n == 3 && strncasecmp(st, "BAD", 3) == 0)))
		return KITH_REFUSAL_NONE;
	keep_text(out, p, (size_t)(end - p));
	out->hint_s = hint_seconds(p, (size_t)(end - p));
	code = p + 1;
	if (p < end && *p == '[')
		while (code + code_n < end && code[code_n] != ']' && code[code_n] != ' ')
			code_n++;
	if (code_in(code, code_n, throttle_codes))
		out->cls = KITH_REFUSAL_THROTTLE;
	else if (code_in(code, code_n, quota_codes))
		out->cls = KITH_REFUSAL_QUOTA;
	else if (code_in(code, code_n, auth_codes))
		out->cls = KITH_REFUSAL_AUTH;
	else
		out->cls = by_words(p, (size_t)(end - p), at_login, bye);
	return out->cls;
}

static const char *const names[KITH_REFUSAL_N] = {
	[KITH_REFUSAL_THROTTLE] = "throttled", [KITH_REFUSAL_QUOTA] = "over-quota",
	[KITH_REFUSAL_AUTH] = "login-refused", [KITH_REFUSAL_BYE] = "closed",
};

const char *kith_refusal_name(enum kith_refusal_class c)
{
	return (unsigned)c < KITH_REFUSAL_N ? names[c] : NULL;
}

enum kith_refusal_class kith_refusal_from_name(const char *name)
{
	for (int i = 1; name && i < KITH_REFUSAL_N; i++)
		if (strcmp(name, names[i]) == 0)
			return (enum kith_refusal_class)i;
	return KITH_REFUSAL_NONE;
}

double kith_wait_doubled(double base, unsigned repeats, double cap)
{
	double s = base;

	for (unsigned i = 1; i < repeats && s < cap; i++)
		s *= 2;
	return s > cap ? cap : s;
}

int kith_refusal_wait(enum kith_refusal_class c, unsigned repeats, int hint_s, int base_s,
		      double rand01)
{
	double s, cap;

	if (c != KITH_REFUSAL_THROTTLE && c != KITH_REFUSAL_QUOTA)
		return -1;
	s = base_s < 1 ? 1 : base_s;
	if (c == KITH_REFUSAL_QUOTA)
		s *= 4;
	cap = s > KITH_REFUSAL_CAP_S ? s : KITH_REFUSAL_CAP_S;
	s = kith_wait_doubled(s, repeats, cap);
	if (hint_s > 86400)
		hint_s = 86400;
	if (hint_s > s)
		s = hint_s;
	return (int)(s * (1 + 0.2 * rand01));
}
