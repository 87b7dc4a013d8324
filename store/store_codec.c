/* store_codec.c: the compact encodings of recipients and references
 * (one TEXT column each), written by the sync and read by the input. */
#include "store_int.h"
#include "../lib/grow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* --- compact encodings ---------------------------------------------- */

/* A growable byte buffer; on ENOMEM it sets oom and stops growing. */
struct sbuf { char *p; size_t len, cap; int oom; };

static void sb_putc(struct sbuf *b, char c)
{
	char *p;

	if (b->oom)
		return;
	/* room for c and the terminating NUL */
	if (!(p = kith_grow(b->p, &b->cap, b->len + 1, 1, 128))) {
		b->oom = 1;
		return;
	}
	b->p = p;
	b->p[b->len++] = c;
	b->p[b->len] = 0;
}

/* Escapes \, TAB and LF so that TAB separates fields and LF entries. */
static void sb_put_esc(struct sbuf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\' || *s == '\t' || *s == '\n') {
			sb_putc(b, '\\');
			sb_putc(b, *s == '\t' ? 't' : *s == '\n' ? 'n' : '\\');
		} else {
			sb_putc(b, *s);
		}
	}
}

/* Recipients as "addr[\tname]" entries joined by LF (no TAB: no name). */
char *store_encode_rcpt(const struct kith_msg *m, int *oom)
{
	struct sbuf b = { 0 };
	size_t n = m->n_to + m->n_cc;

	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_putc(&b, '\n');
		sb_put_esc(&b, m->rcpt[i].addr ? m->rcpt[i].addr : "");
		if (m->rcpt[i].name) {
			sb_putc(&b, '\t');
			sb_put_esc(&b, m->rcpt[i].name);
		}
	}
	if (n && !b.p)
		sb_putc(&b, 0);
	if (b.oom) {
		free(b.p);
		*oom = 1;
		return NULL;
	}
	return b.p;
}

char *store_encode_refs(const struct kith_msg *m, int *oom)
{
	struct sbuf b = { 0 };

	for (size_t i = 0; i < m->n_refs; i++) {
		if (i)
			sb_putc(&b, '\n');
		sb_put_esc(&b, m->refs[i]);
	}
	if (b.oom) {
		free(b.p);
		*oom = 1;
		return NULL;
	}
	return b.p;
}

/* The extent of the escaped field at q: up to TAB, LF or end. */
static const char *field_stop(const char *q, const char *end)
{
	while (q < end && *q != '\t' && *q != '\n')
		q += (*q == '\\' && q + 1 < end) ? 2 : 1;
	return q;
}

/* Unescapes q..stop into out (room for stop - q + 1); returns its length. */
static size_t unescape(const char *q, const char *stop, const char *end, char *out)
{
	char *o = out;

	while (q < stop) {
		if (*q == '\\' && q + 1 < end) {
			q++;
			*o++ = *q == 't' ? '\t' : *q == 'n' ? '\n' : *q;
			q++;
		} else {
			*o++ = *q++;
		}
	}
	*o = 0;
	return (size_t)(o - out);
}

/* Reads one escaped field at *p into a malloc'd string, or with a pool
 * into an interned one (sized to the field itself: allocating up to `end`
 * would cost the rest of the column for every field, quadratic in the
 * recipient count); *p is left on the terminator.  NULL on ENOMEM. */
static char *dec_field(const char **p, const char *end, struct kith_strpool *pool)
{
	const char *stop = field_stop(*p, end);
	size_t cap = (size_t)(stop - *p) + 1, len;
	char small[512], *tmp, *r;

	if (!pool) {
		if ((r = malloc(cap)) != NULL)
			unescape(*p, stop, end, r);
		*p = stop;
		return r;
	}
	tmp = cap <= sizeof(small) ? small : malloc(cap);
	if (!tmp)
		return NULL;
	len = unescape(*p, stop, end, tmp);
	*p = stop;
	r = kith_strpool_intern(pool, tmp, strnlen(tmp, len));
	if (tmp != small)
		free(tmp);
	return r;
}

static size_t count_entries(const char *t, const char *end)
{
	size_t n = 1;

	for (; t < end; t++)
		n += *t == '\n';
	return n;
}

/* Why: one TEXT column instead of a recipients table keeps loading 100k
 * messages to one sequential scan with no joins. */

void store_rcpt_share_free(struct rcpt_share *sh)
{
	kith_umap_free(&sh->seen);
	free(sh->lists);
	free(sh->tmp);
}

static uint64_t list_hash(const struct kith_addr *v, size_t n)
{
	uint64_t h = 1469598103934665603ULL ^ n;

	for (size_t i = 0; i < n; i++) {
		h = (h ^ (uint64_t)(uintptr_t)v[i].addr) * 1099511628211ULL;
		h = (h ^ (uint64_t)(uintptr_t)v[i].name) * 1099511628211ULL;
	}
	return h;
}

static int remember_list(struct rcpt_share *sh, uint64_t h, struct kith_addr *v, size_t n)
{
	size_t at;
	void *nv = kith_grow(sh->lists, &sh->cap_lists, sh->n_lists, sizeof(*sh->lists), 1024);

	if (!nv)
		return -ENOMEM;
	sh->lists = nv;
	if (kith_umap_intern(&sh->seen, h, sh->n_lists, &at) < 0)
		return -ENOMEM;
	sh->lists[sh->n_lists++] = (struct shared_list){ v, n };
	return 0;
}

/* The pooled array equal to sh->tmp[0..n): an earlier one, or a new copy. */
static struct kith_addr *share_list(struct rcpt_share *sh, struct kith_strpool *pool, size_t n)
{
	uint64_t h = list_hash(sh->tmp, n);
	struct kith_addr *v;
	size_t i;
	int known = kith_umap_get(&sh->seen, h, &i);

	if (known && sh->lists[i].n == n && memcmp(sh->lists[i].v, sh->tmp, n * sizeof(*v)) == 0)
		return sh->lists[i].v;
	v = kith_strpool_alloc(pool, n * sizeof(*v));
	if (!v)
		return NULL;
	memcpy(v, sh->tmp, n * sizeof(*v));
	/* a hash taken by another list keeps it: this one is just not shared */
	if (!known && remember_list(sh, h, v, n) < 0)
		return NULL;
	return v;
}

int store_decode_rcpt(const char *t, size_t len, struct kith_msg *m, size_t want,
		      struct kith_strpool *pool, struct rcpt_share *sh)
{
	const char *p = t, *end = t + len;
	size_t n = len ? count_entries(t, end) : 0;
	struct kith_addr *v;

	if (n != want)
		return -EILSEQ;
	if (!n)
		return 0;
	if (sh && n > sh->cap_tmp) {
		free(sh->tmp);
		if (!(sh->tmp = malloc(n * sizeof(*sh->tmp))))
			return sh->cap_tmp = 0, -ENOMEM;
		sh->cap_tmp = n;
	}
	v = sh ? sh->tmp : pool ? kith_strpool_alloc(pool, n * sizeof(*v)) : calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (!sh)
		m->rcpt = v;
	for (size_t i = 0; i < n; i++) {
		v[i].name = NULL;
		v[i].addr = dec_field(&p, end, pool);
		if (!v[i].addr)
			return -ENOMEM;
		if (p < end && *p == '\t') {
			p++;
			v[i].name = dec_field(&p, end, pool);
			if (!v[i].name)
				return -ENOMEM;
		}
		while (p < end && *p != '\n')
			p++;
		if (p < end)
			p++;
	}
	if (sh && !(m->rcpt = sh->scratch ? sh->tmp : share_list(sh, pool, n)))
		return -ENOMEM;
	return 0;
}

int store_decode_refs(const char *t, size_t len, struct kith_msg *m, struct kith_strpool *pool)
{
	const char *p = t, *end = t + len;
	size_t n;

	if (!t)
		return 0;
	n = count_entries(t, end);
	m->refs = pool ? kith_strpool_alloc(pool, n * sizeof(*m->refs)) : calloc(n, sizeof(*m->refs));
	if (!m->refs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		m->refs[i] = dec_field(&p, end, pool);
		if (!m->refs[i])
			return -ENOMEM;
		m->n_refs++;
		if (p < end)
			p++;
	}
	return 0;
}
