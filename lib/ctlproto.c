/* ctlproto.c: see ctlproto.h. */
#include "ctlproto.h"

#include <errno.h>
#include <string.h>

static const char *const cmd_names[KITH_CTL_NCMDS] = {
	[KITH_CTL_STATUS] = "status",
	[KITH_CTL_SYNC] = "sync",
	[KITH_CTL_RELOAD] = "reload",
	[KITH_CTL_PING] = "ping",
};

const char *kith_ctl_cmd_name(enum kith_ctl_cmd c)
{
	if ((unsigned)c >= KITH_CTL_NCMDS)
		return NULL;
	return cmd_names[c];
}

int kith_ctl_cmd_parse(const char *s, enum kith_ctl_cmd *out)
{
	unsigned i;

	for (i = 0; i < KITH_CTL_NCMDS; i++)
		if (strcmp(s, cmd_names[i]) == 0) {
			*out = (enum kith_ctl_cmd)i;
			return 0;
		}
	return -EINVAL;
}

int kith_ctl_encode_request(enum kith_ctl_cmd c, char *buf, size_t n)
{
	const char *name = kith_ctl_cmd_name(c);
	size_t len;

	if (!name)
		return -EINVAL;
	len = strlen(name);
	if (n < len + 2)
		return -ENOSPC;
	memcpy(buf, name, len);
	buf[len] = '\n';
	buf[len + 1] = '\0';
	return (int)len + 1;
}

/* Why so strict: the server runs inside the daemon, and the only client is
 * our CLI; anything but a bare known word is a mistake or an attack. */
int kith_ctl_decode_request(const char *buf, size_t len, enum kith_ctl_cmd *out)
{
	char word[KITH_CTL_MAX_REQUEST];
	size_t i, end;

	for (i = 0; i < len && buf[i] != '\n'; i++)
		if (!(buf[i] >= 'a' && buf[i] <= 'z') && !(buf[i] == '\r' && (i + 1 == len ||
		      buf[i + 1] == '\n')))
			return -EINVAL;
	if (i == len)
		return len >= KITH_CTL_MAX_REQUEST ? -E2BIG : -EAGAIN;
	if (i + 1 > KITH_CTL_MAX_REQUEST)
		return -E2BIG;
	if (i + 1 != len)
		return -EINVAL;
	end = (i > 0 && buf[i - 1] == '\r') ? i - 1 : i;
	if (end == 0)
		return -EINVAL;
	memcpy(word, buf, end);
	word[end] = '\0';
	return kith_ctl_cmd_parse(word, out);
}

/* A bounded writer that remembers whether anything was cut. */
struct wr {
	char *b;
	size_t n, len;
	int over;
};

static void put(struct wr *w, char c)
{
	if (w->len + 1 < w->n)
		w->b[w->len++] = c;
	else
		w->over = 1;
}

static void puts_(struct wr *w, const char *s)
{
	while (*s)
		put(w, *s++);
}

/* Copies one byte of text, defanged: C0 controls and DEL become '?', and so
 * do UTF-8 encoded C1 controls (C2 80..C2 9F), which some terminals obey.
 * Returns how many input bytes were consumed. */
static size_t put_safe(struct wr *w, const unsigned char *s)
{
	if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f) {
		put(w, '?');
		return 2;
	}
	put(w, (s[0] < 0x20 && s[0] != '\t' && s[0] != '\n') || s[0] == 0x7f ? '?' : (char)s[0]);
	return 1;
}

static void cut(struct wr *w)
{
	size_t keep = w->n - 1 - 4;   /* room for "...\n" */
	int i;

	if (w->len > keep)
		w->len = keep;
	/* do not split a UTF-8 sequence: back up over at most 3 continuation
	 * bytes (n >= 16 keeps this clear of the "err " status word) */
	for (i = 0; i < 3 && ((unsigned char)w->b[w->len] & 0xc0) == 0x80; i++)
		w->len--;
	memcpy(w->b + w->len, "...\n", 4);
	w->len += 4;
}

int kith_ctl_encode_reply(int ok, const char *text, char *buf, size_t n)
{
	struct wr w = { .b = buf, .n = n };
	const unsigned char *p = (const unsigned char *)(text ? text : "");

	if (n < 16)
		return -ENOSPC;
	puts_(&w, ok ? "ok" : "err");
	if (*p)
		put(&w, ' ');
	while (*p)
		p += put_safe(&w, p);
	if (w.len == 0 || buf[w.len - 1] != '\n')
		put(&w, '\n');
	if (w.over)
		cut(&w);
	buf[w.len] = '\0';
	return (int)w.len;
}

int kith_ctl_decode_reply(const char *buf, size_t len, int *ok, char *text, size_t n)
{
	struct wr w = { .b = text, .n = n };
	size_t i, skip;

	if (len > KITH_CTL_MAX_REPLY)
		return -E2BIG;
	if (len >= 2 && memcmp(buf, "ok", 2) == 0)
		*ok = 1, skip = 2;
	else if (len >= 3 && memcmp(buf, "err", 3) == 0)
		*ok = 0, skip = 3;
	else
		return -EINVAL;
	if (skip < len && buf[skip] != ' ' && buf[skip] != '\n')
		return -EINVAL;
	if (skip < len && buf[skip] == ' ')
		skip++;
	if (len > skip && buf[len - 1] == '\n')
		len--;
	for (i = skip; i < len; ) {
		unsigned char two[2] = { (unsigned char)buf[i],
					 i + 1 < len ? (unsigned char)buf[i + 1] : 0 };
		i += put_safe(&w, two);
	}
	if (n > 0)
		text[w.len] = '\0';
	return 0;
}
