/* subject.c: see subject.h. */
#include <stdlib.h>
#include <string.h>

#include "subject.h"

static const char *const reply_words[] = {
	"re", "aw", "sv", "antw", "vs", "ref", "odp", "res", "r", "atb", "vl", NULL
};
static const char *const fwd_words[] = {
	"fwd", "fw", "tr", "wg", "rv", "enc", "doorst", "vb", "fs", NULL
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Length of word w at the front of s, case-insensitively, when followed by
 * an optional counter ("[2]", "(2)", "^2"), optional spaces and ':'; the
 * return counts through the colon.  0 when s does not start that way. */
static size_t prefix_len(const char *s, const char *w)
{
	size_t n = strlen(w), i;

	for (i = 0; i < n; i++)
		if (lower(s[i]) != w[i])
			return 0;
	if (s[i] == '[' || s[i] == '(' || s[i] == '^') {
		char close = s[i] == '[' ? ']' : s[i] == '(' ? ')' : 0;
		i++;
		while (s[i] >= '0' && s[i] <= '9')
			i++;
		if (close && s[i++] != close)
			return 0;
	}
	while (s[i] == ' ')
		i++;
	return s[i] == ':' ? i + 1 : 0;
}

/* One prefix or [tag] at the front of s: its length, adding to *flags. */
static size_t strip_one(const char *s, unsigned *flags)
{
	size_t i, n;

	if (*s == '[') {
		const char *e = strchr(s, ']');
		if (e && e[1] != '\0')
			return (size_t)(e - s) + 1;
		return 0;
	}
	for (i = 0; reply_words[i]; i++)
		if ((n = prefix_len(s, reply_words[i])) > 0) {
			*flags |= KITH_SUBJ_REPLY;
			return n;
		}
	for (i = 0; fwd_words[i]; i++)
		if ((n = prefix_len(s, fwd_words[i])) > 0) {
			*flags |= KITH_SUBJ_FORWARD;
			return n;
		}
	return 0;
}

char *kith_subject_normalize(const char *s, unsigned *flags)
{
	unsigned f = 0;
	size_t n, o = 0;
	char *out;

	if (!s)
		s = "";
	for (;;) {
		while (is_space(*s))
			s++;
		n = strip_one(s, &f);
		if (!n)
			break;
		s += n;
	}
	out = malloc(strlen(s) + 1);
	if (!out)
		return NULL;
	for (; *s; s++) {
		if (is_space(*s)) {
			if (o && out[o - 1] != ' ')
				out[o++] = ' ';
			continue;
		}
		out[o++] = lower(*s);
	}
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	if (flags)
		*flags = f;
	return out;
}
