/* strpool.c: chunked string storage with interning; see strpool.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strpool.h"

#define CHUNK_SIZE (64 * 1024)
#define ALIGN 8

struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[]; /* cap bytes */
};

struct kith_strpool {
	struct chunk *head;   /* newest chunk first */
	char **index;         /* open addressing over interned strings; NULL slots free */
	size_t index_cap, index_len;
	size_t bytes;
};

struct kith_strpool *kith_strpool_new(void)
{
	return calloc(1, sizeof(struct kith_strpool));
}

void kith_strpool_free(struct kith_strpool *p)
{
	struct chunk *c, *next;

	if (!p)
		return;
	for (c = p->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(p->index);
	free(p);
}

/* Why: a request larger than a chunk gets a chunk of its own, linked
 * behind the current one so the current one's free tail stays in use. */
static struct chunk *chunk_new(struct kith_strpool *p, size_t need)
{
	size_t cap = need > CHUNK_SIZE / 4 ? need : CHUNK_SIZE;
	struct chunk *c = malloc(sizeof(*c) + cap);

	if (!c)
		return NULL;
	c->used = 0;
	c->cap = cap;
	if (p->head && cap != CHUNK_SIZE) {
		c->next = p->head->next;
		p->head->next = c;
	} else {
		c->next = p->head;
		p->head = c;
	}
	p->bytes += sizeof(*c) + cap;
	return c;
}

static void *take(struct kith_strpool *p, size_t size, size_t align)
{
	struct chunk *c = p->head;
	size_t at;

	if (c) {
		at = (c->used + align - 1) & ~(align - 1);
		if (at <= c->cap && c->cap - at >= size) {
			c->used = at + size;
			return (char *)c->data + at;
		}
	}
	if (size > SIZE_MAX - sizeof(*c) || !(c = chunk_new(p, size)))
		return NULL;
	c->used = size;
	return c->data;
}

void *kith_strpool_alloc(struct kith_strpool *p, size_t size)
{
	void *v;

	if (!size || !(v = take(p, size, ALIGN)))
		return NULL;
	memset(v, 0, size);
	return v;
}

char *kith_strpool_copy(struct kith_strpool *p, const char *s, size_t len)
{
	char *d;

	if (len == SIZE_MAX || !(d = take(p, len + 1, 1)))
		return NULL;
	memcpy(d, s, len);
	d[len] = 0;
	return d;
}

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	while (len--) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

/* The slot holding s[0..len), or the empty slot where it would go. */
static size_t find_slot(const struct kith_strpool *p, const char *s, size_t len)
{
	size_t mask = p->index_cap - 1, i = (size_t)hash_bytes(s, len) & mask;

	while (p->index[i] && !(strncmp(p->index[i], s, len) == 0 && p->index[i][len] == 0))
		i = (i + 1) & mask;
	return i;
}

/* Doubles the index (load stays <= 1/2). */
static int grow_index(struct kith_strpool *p)
{
	size_t cap = p->index_cap ? p->index_cap * 2 : 1024, i, j;
	char **old = p->index, **nv = calloc(cap, sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	p->index = nv;
	for (i = 0; i < p->index_cap; i++) {
		if (!old[i])
			continue;
		for (j = (size_t)hash_bytes(old[i], strlen(old[i])) & (cap - 1); nv[j];)
			j = (j + 1) & (cap - 1);
		nv[j] = old[i];
	}
	p->bytes += (cap - p->index_cap) * sizeof(*nv);
	p->index_cap = cap;
	free(old);
	return 0;
}

char *kith_strpool_intern(struct kith_strpool *p, const char *s, size_t len)
{
	size_t i;

	if ((p->index_len + 1) * 2 > p->index_cap && grow_index(p) < 0)
		return NULL;
	i = find_slot(p, s, len);
	if (p->index[i])
		return p->index[i];
	if (!(p->index[i] = kith_strpool_copy(p, s, len)))
		return NULL;
	p->index_len++;
	return p->index[i];
}

void kith_strpool_seal(struct kith_strpool *p)
{
	if (!p)
		return;
	free(p->index);
	p->bytes -= p->index_cap * sizeof(*p->index);
	p->index = NULL;
	p->index_cap = p->index_len = 0;
}

size_t kith_strpool_bytes(const struct kith_strpool *p)
{
	return p ? p->bytes : 0;
}
