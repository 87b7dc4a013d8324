/* msgkey.c: kith_msg_key(), a content key that survives folder copies.
 *
 * The Enron export stores one mail in several folders under different
 * synthetic Message-IDs, so the key is built from what the copies share:
 * sender, date, subject (trimmed, inner whitespace collapsed) and the
 * sorted set of recipients; the Message-ID only when there is no date.
 * Two 64-bit FNV-1a lanes with different seeds, each finished with a
 * splitmix64 mix, give 128 bits.
 */
#include <stdint.h>
#include <string.h>

#include "hdr.h"

struct h2 { uint64_t a, b; };

#define FNV_PRIME 0x100000001b3ULL

static inline void feed1(struct h2 *h, unsigned char c)
{
	h->a = (h->a ^ c) * FNV_PRIME;
	h->b = (h->b ^ (unsigned char)(c + 0x5b)) * FNV_PRIME;
}

static void feed(struct h2 *h, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		feed1(h, (unsigned char)s[i]);
}

/* A field: its bytes then a separator no field contains. */
static void feed_str(struct h2 *h, const char *s)
{
	for (; s && *s; s++)
		feed1(h, (unsigned char)*s);
	feed1(h, 0x01);
}

/* The date as decimal text (what the key was first defined over; printf
 * cost a tenth of the key). */
static void feed_date(struct h2 *h, int64_t d)
{
	char buf[24];
	size_t i = sizeof(buf);
	uint64_t u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;

	do {
		buf[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (d < 0)
		buf[--i] = '-';
	feed(h, buf + i, sizeof(buf) - i);
	feed1(h, 0x01);
}

/* The subject trimmed, whitespace runs as one space. */
static void feed_subject(struct h2 *h, const char *s)
{
	int space = 0, started = 0;

	for (; s && *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
			space = started;
			continue;
		}
		if (space)
			feed1(h, ' ');
		feed1(h, (unsigned char)*s);
		space = 0;
		started = 1;
	}
	feed1(h, 0x01);
}

/* Insertion sort: at most KITH_MAX_RCPT_KEPT short strings, usually a few. */
static void sort_strs(const char **v, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		const char *x = v[i];

		for (j = i; j > 0 && strcmp(v[j - 1], x) > 0; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void hex64(uint64_t v, char *out)
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 15; i >= 0; i--, v >>= 4)
		out[i] = digits[v & 15];
}

void kith_msg_key(const struct kith_msg *m, char key[33])
{
	const char *rc[KITH_MAX_RCPT_KEPT];
	struct h2 h = { 0xcbf29ce484222325ULL, 0x6c62272e07bb0142ULL };
	size_t n = 0, i;

	feed_str(&h, m->from.addr);
	feed_date(&h, m->date);
	if (m->date == KITH_DATE_NONE)
		feed_str(&h, m->message_id);
	feed_subject(&h, m->subject);
	for (i = 0; i < m->n_to + m->n_cc && n < KITH_MAX_RCPT_KEPT; i++)
		if (m->rcpt[i].addr)
			rc[n++] = m->rcpt[i].addr;
	sort_strs(rc, n);
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(rc[i], rc[i - 1]) != 0)
			feed_str(&h, rc[i]);
	hex64(mix(h.a), key);
	hex64(mix(h.b ^ 0x9e3779b97f4a7c15ULL), key + 16);
	key[32] = '\0';
}
