/* msgkey.c: kith_msg_key(), a content key that survives folder copies.
 *
 * The Enron export stores one mail in several folders under different
 * synthetic Message-IDs, so the key is built from what the copies share:
 * sender, date, subject (trimmed, inner whitespace collapsed) and the
 * sorted set of recipients; the Message-ID only when there is no date.
 * Two 64-bit FNV-1a lanes with different seeds, each finished with a
 * splitmix64 mix, give 128 bits.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hdr.h"

struct h2 { uint64_t a, b; };

#define FNV_PRIME 0x100000001b3ULL

static void feed(struct h2 *h, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		h->a = (h->a ^ c) * FNV_PRIME;
		h->b = (h->b ^ (unsigned char)(c + 0x5b)) * FNV_PRIME;
	}
}

/* A field: its bytes then a separator no field contains. */
static void feed_str(struct h2 *h, const char *s)
{
	if (s)
		feed(h, s, strlen(s));
	feed(h, "\x01", 1);
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
			feed(h, " ", 1);
		feed(h, s, 1);
		space = 0;
		started = 1;
	}
	feed(h, "\x01", 1);
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void kith_msg_key(const struct kith_msg *m, char key[33])
{
	const char *rc[KITH_MAX_RCPT_KEPT];
	struct h2 h = { 0xcbf29ce484222325ULL, 0x6c62272e07bb0142ULL };
	size_t n = 0, i;
	char num[32];

	feed_str(&h, m->from.addr);
	snprintf(num, sizeof(num), "%" PRId64, m->date);
	feed_str(&h, num);
	if (m->date == KITH_DATE_NONE)
		feed_str(&h, m->message_id);
	feed_subject(&h, m->subject);
	for (i = 0; i < m->n_to + m->n_cc && n < KITH_MAX_RCPT_KEPT; i++)
		if (m->rcpt[i].addr)
			rc[n++] = m->rcpt[i].addr;
	qsort(rc, n, sizeof(rc[0]), cmp_str);
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(rc[i], rc[i - 1]) != 0)
			feed_str(&h, rc[i]);
	snprintf(key, 33, "%016" PRIx64 "%016" PRIx64, mix(h.a), mix(h.b ^ 0x9e3779b97f4a7c15ULL));
}
