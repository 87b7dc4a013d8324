/* test_strpool.c: the string pool behind the analysis input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "strpool.h"

static void test_intern(void)
{
	struct kith_strpool *p = kith_strpool_new();
	char *a, *b, *c, *d, *e;

	CHECK(p != NULL);
	a = kith_strpool_intern(p, "ann@example.org", 15);
	b = kith_strpool_intern(p, "ann@example.org", 15);
	c = kith_strpool_intern(p, "ann@example.orgX", 15); /* a prefix by length */
	d = kith_strpool_intern(p, "ann@example.or", 14);
	e = kith_strpool_intern(p, "", 0);
	CHECK_STR(a, "ann@example.org");
	CHECK(a == b && a == c);
	CHECK_STR(d, "ann@example.or");
	CHECK(d != a);
	CHECK_STR(e, "");
	CHECK(kith_strpool_intern(p, "", 0) == e);
	/* copies are never shared */
	CHECK(kith_strpool_copy(p, "ann@example.org", 15) != a);
	CHECK_STR(kith_strpool_copy(p, "xyz", 2), "xy");
	kith_strpool_free(p);
}

/* Many distinct strings: the index grows and every one stays findable. */
static void test_many(void)
{
	struct kith_strpool *p = kith_strpool_new();
	enum { N = 50000 };
	char **v = calloc(N, sizeof(*v)), buf[64];
	int bad = 0;

	for (int i = 0; i < N; i++) {
		int n = snprintf(buf, sizeof(buf), "<%d.%d@host.example>", i, i * 7);
		v[i] = kith_strpool_intern(p, buf, (size_t)n);
		bad += v[i] == NULL;
	}
	for (int i = 0; i < N; i++) {
		int n = snprintf(buf, sizeof(buf), "<%d.%d@host.example>", i, i * 7);
		bad += kith_strpool_intern(p, buf, (size_t)n) != v[i] || strcmp(v[i], buf) != 0;
	}
	CHECK_INT(bad, 0);
	CHECK(kith_strpool_bytes(p) > (size_t)N * 20);
	free(v);
	kith_strpool_free(p);
}

/* Big requests get their own chunk; small ones keep filling the current. */
static void test_alloc(void)
{
	struct kith_strpool *p = kith_strpool_new();
	char *big = malloc(300000), *s1, *s2, *s3;
	uint64_t *z;

	memset(big, 'x', 299999);
	big[299999] = 0;
	s1 = kith_strpool_copy(p, "one", 3);
	s2 = kith_strpool_copy(p, big, 299999);
	s3 = kith_strpool_copy(p, "two", 3);
	CHECK_STR(s1, "one");
	CHECK(s2 && strlen(s2) == 299999 && s2[1000] == 'x');
	CHECK_STR(s3, "two");
	CHECK(s3 == s1 + 4); /* the small chunk went on after the big one */
	z = kith_strpool_alloc(p, 64 * sizeof(*z));
	CHECK(z && ((uintptr_t)z % 8) == 0);
	for (int i = 0; z && i < 64; i++)
		CHECK_INT(z[i], 0);
	CHECK_NULL(kith_strpool_alloc(p, 0));
	free(big);
	kith_strpool_free(p);
	kith_strpool_free(NULL);
}

int main(void)
{
	test_intern();
	test_many();
	test_alloc();
	return T_DONE();
}
