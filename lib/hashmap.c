/* hashmap.c: open addressing with linear probing; see hashmap.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"

/* FNV-1a, then a final mix so linear probing sees well-spread low bits. */
uint64_t kith_hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static uint64_t hash_u64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* A value as stored: (size_t)-1 becomes UINT32_MAX; -EOVERFLOW when it
 * does not fit. */
static int enc(size_t val, uint32_t *out)
{
	if (val == (size_t)-1)
		*out = UINT32_MAX;
	else if (val <= KITH_MAP_VAL_MAX)
		*out = (uint32_t)val;
	else
		return -EOVERFLOW;
	return 0;
}

static size_t dec(uint32_t v)
{
	return v == UINT32_MAX ? (size_t)-1 : (size_t)v;
}

void kith_smap_init(struct kith_smap *m)
{
	memset(m, 0, sizeof(*m));
}

void kith_smap_init_borrowed(struct kith_smap *m)
{
	memset(m, 0, sizeof(*m));
	m->borrowed = 1;
}

void kith_smap_free(struct kith_smap *m)
{
	size_t i;

	if (!m->slots)
		return;
	for (i = 0; i < m->cap && !m->borrowed; i++)
		free(m->slots[i].key);
	free(m->slots);
	m->slots = NULL;
	m->cap = m->len = 0;
}

/* Index of key's slot, or of the empty slot where it would go. */
static size_t sfind(const struct kith_smap *m, const char *key, uint32_t h)
{
	size_t i = (size_t)h & (m->cap - 1);

	while (m->slots[i].key) {
		if (m->slots[i].hash == h && strcmp(m->slots[i].key, key) == 0)
			return i;
		i = (i + 1) & (m->cap - 1);
	}
	return i;
}

static int sgrow(struct kith_smap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64, i, j;
	struct kith_sslot *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	for (i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		j = (size_t)m->slots[i].hash & (ncap - 1);
		while (ns[j].key)
			j = (j + 1) & (ncap - 1);
		ns[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = ns;
	m->cap = ncap;
	return 0;
}

int kith_smap_get(const struct kith_smap *m, const char *key, size_t *val)
{
	size_t i;

	if (!m->cap || !key)
		return 0;
	i = sfind(m, key, (uint32_t)kith_hash_str(key));
	if (!m->slots[i].key)
		return 0;
	if (val)
		*val = dec(m->slots[i].val);
	return 1;
}

/* Grow before the load passes 3/4. */
static int full(size_t len, size_t cap)
{
	return (len + 1) * 4 > cap * 3;
}

/* Shared by put and intern: finds or creates the slot for key. */
static int sslot(struct kith_smap *m, const char *key, struct kith_sslot **slot)
{
	uint32_t h = (uint32_t)kith_hash_str(key);
	size_t i;

	if (full(m->len, m->cap) && sgrow(m) < 0)
		return -ENOMEM;
	i = sfind(m, key, h);
	*slot = &m->slots[i];
	if (m->slots[i].key)
		return 0;
	m->slots[i].key = m->borrowed ? (char *)key : strdup(key);
	if (!m->slots[i].key)
		return -ENOMEM;
	m->slots[i].hash = h;
	m->len++;
	return 1;
}

int kith_smap_put(struct kith_smap *m, const char *key, size_t val)
{
	struct kith_sslot *s;
	uint32_t v;
	int rc;

	if ((rc = enc(val, &v)) < 0 || (rc = sslot(m, key, &s)) < 0)
		return rc;
	s->val = v;
	return 0;
}

int kith_smap_intern(struct kith_smap *m, const char *key, size_t val, size_t *out)
{
	struct kith_sslot *s;
	uint32_t v;
	int rc;

	if ((rc = enc(val, &v)) < 0 || (rc = sslot(m, key, &s)) < 0)
		return rc;
	if (rc == 1)
		s->val = v;
	if (out)
		*out = dec(s->val);
	return rc;
}

void kith_umap_init(struct kith_umap *m)
{
	memset(m, 0, sizeof(*m));
}

void kith_umap_free(struct kith_umap *m)
{
	free(m->keys); /* the block */
	memset(m, 0, sizeof(*m));
}

static int uused(const struct kith_umap *m, size_t i)
{
	return (int)((m->used[i / 64] >> (i % 64)) & 1);
}

static size_t ufind(const struct kith_umap *m, uint64_t key)
{
	size_t i = (size_t)hash_u64(key) & (m->cap - 1);

	while (uused(m, i) && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void uset(struct kith_umap *m, size_t i, uint64_t key, uint32_t v)
{
	m->used[i / 64] |= (uint64_t)1 << (i % 64);
	m->keys[i] = key;
	m->vals[i] = v;
}

/* Why one block of three arrays: 12 bytes and a bit a slot, not the 16 of
 * a padded struct; the Message-ID map holds millions at a million messages.
 * cap is a power of two of at least 64, so the arrays stay aligned. */
static int ugrow(struct kith_umap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64, i;
	struct kith_umap n = { .cap = ncap, .len = m->len };

	if (ncap > SIZE_MAX / 16)
		return -ENOMEM;
	if (!(n.keys = calloc(1, ncap * 8 + ncap / 8 + ncap * 4)))
		return -ENOMEM;
	n.used = n.keys + ncap;
	n.vals = (uint32_t *)(void *)(n.used + ncap / 64);
	for (i = 0; i < m->cap; i++)
		if (uused(m, i))
			uset(&n, ufind(&n, m->keys[i]), m->keys[i], m->vals[i]);
	free(m->keys);
	*m = n;
	return 0;
}

int kith_umap_get(const struct kith_umap *m, uint64_t key, size_t *val)
{
	size_t i;

	if (!m->cap)
		return 0;
	i = ufind(m, key);
	if (!uused(m, i))
		return 0;
	if (val)
		*val = dec(m->vals[i]);
	return 1;
}

int kith_umap_intern(struct kith_umap *m, uint64_t key, size_t val, size_t *out)
{
	size_t i;
	uint32_t v;

	if (enc(val, &v) < 0)
		return -EOVERFLOW;
	if (full(m->len, m->cap) && ugrow(m) < 0)
		return -ENOMEM;
	i = ufind(m, key);
	if (uused(m, i)) {
		if (out)
			*out = dec(m->vals[i]);
		return 0;
	}
	uset(m, i, key, v);
	m->len++;
	if (out)
		*out = val;
	return 1;
}
