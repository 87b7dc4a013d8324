/* test_hashmap.c: the analysis' two hash maps against a plain reference:
 * many keys through several doublings, keys that share a slot, owned and
 * borrowed keys, the "none" value and values that do not fit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "hashmap.h"
#include "t.h"

#define N_KEYS 100000

static void test_smap_many(int borrowed)
{
	struct kith_smap m;
	char (*keys)[64] = malloc(N_KEYS * sizeof(*keys));
	size_t i, v, bad = 0;

	if (borrowed)
		kith_smap_init_borrowed(&m);
	else
		kith_smap_init(&m);
	for (i = 0; keys && i < N_KEYS; i++) {
		snprintf(keys[i], sizeof(keys[i]), "<%zu.%zu@example.org>", i * 7919, i);
		if (kith_smap_put(&m, keys[i], i) < 0)
			bad++;
	}
	CHECK_INT(bad, 0);
	CHECK_INT(m.len, N_KEYS);
	CHECK(m.len * 4 <= m.cap * 3); /* load at most 3/4 */
	for (i = 0; keys && i < N_KEYS; i++)
		if (!kith_smap_get(&m, keys[i], &v) || v != i)
			bad++;
	CHECK_INT(bad, 0);
	CHECK_INT(kith_smap_get(&m, "<absent@example.org>", &v), 0);
	CHECK_INT(kith_smap_intern(&m, keys[5], 99, &v), 0); /* present: value kept */
	CHECK_INT(v, 5);
	CHECK_INT(kith_smap_put(&m, keys[5], 42), 0);        /* put overwrites */
	CHECK(kith_smap_get(&m, keys[5], &v) && v == 42);
	kith_smap_free(&m);
	free(keys);
}

static void test_values(void)
{
	struct kith_smap m;
	struct kith_umap u;
	size_t v = 0;

	kith_smap_init(&m);
	kith_umap_init(&u);
	CHECK_INT(kith_smap_put(&m, "none", (size_t)-1), 0);
	CHECK(kith_smap_get(&m, "none", &v) && v == (size_t)-1);
	CHECK_INT(kith_smap_put(&m, "max", KITH_MAP_VAL_MAX), 0);
	CHECK(kith_smap_get(&m, "max", &v) && v == KITH_MAP_VAL_MAX);
	CHECK_INT(kith_umap_intern(&u, 0, (size_t)-1, &v), 1);
	CHECK(kith_umap_get(&u, 0, &v) && v == (size_t)-1);
	CHECK_INT(kith_umap_intern(&u, 1, KITH_MAP_VAL_MAX, NULL), 1);
	CHECK(kith_umap_get(&u, 1, &v) && v == KITH_MAP_VAL_MAX);
#if SIZE_MAX > UINT32_MAX
	CHECK_INT(kith_smap_put(&m, "big", (size_t)UINT32_MAX + 5), -EOVERFLOW);
	CHECK_INT(kith_smap_intern(&m, "big", (size_t)UINT32_MAX + 5, NULL), -EOVERFLOW);
	CHECK_INT(kith_umap_intern(&u, 2, (size_t)UINT32_MAX + 5, NULL), -EOVERFLOW);
	CHECK_INT(kith_smap_get(&m, "big", NULL), 0);
	CHECK_INT(kith_umap_get(&u, 2, NULL), 0);
#endif
	CHECK_INT(kith_smap_put(&m, "max1", (size_t)UINT32_MAX), -EOVERFLOW);
	CHECK_INT(kith_smap_get(&m, NULL, &v), 0);
	kith_smap_free(&m);
	kith_umap_free(&u);
}

/* Keys that differ only in high bits land in one probe run. */
static void test_umap_many(void)
{
	struct kith_umap u;
	size_t i, v, bad = 0, fresh = 0;

	kith_umap_init(&u);
	CHECK_INT(kith_umap_get(&u, 7, &v), 0); /* empty map */
	for (i = 0; i < N_KEYS; i++) {
		uint64_t key = (uint64_t)i << 40 | (i & 3);
		int rc = kith_umap_intern(&u, key, i, &v);
		fresh += rc == 1;
		if (rc < 0 || v != i)
			bad++;
	}
	CHECK_INT(bad, 0);
	CHECK_INT(fresh, N_KEYS);
	CHECK(u.len * 4 <= u.cap * 3);
	for (i = 0; i < N_KEYS; i++)
		if (kith_umap_intern(&u, (uint64_t)i << 40 | (i & 3), 0, &v) != 0 || v != i)
			bad++;
	CHECK_INT(bad, 0);
	CHECK_INT(kith_umap_get(&u, (uint64_t)N_KEYS << 40, NULL), 0);
	kith_umap_free(&u);
	CHECK_INT(kith_umap_get(&u, 0, NULL), 0); /* freed map is empty */
}

int main(void)
{
	test_smap_many(0);
	test_smap_many(1);
	test_values();
	test_umap_many();
	return T_DONE();
}
