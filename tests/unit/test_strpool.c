/* test_strpool.c: the string pool behind the analysis input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "msg.h"
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

/* A sealed pool keeps its strings and drops its index. */
static void test_seal(void)
{
	struct kith_strpool *p = kith_strpool_new();
	char *a = kith_strpool_intern(p, "ann@example.org", 15), *b;
	size_t before = kith_strpool_bytes(p);

	kith_strpool_seal(p);
	CHECK_STR(a, "ann@example.org");
	CHECK(kith_strpool_bytes(p) < before);
	b = kith_strpool_intern(p, "ann@example.org", 15);
	CHECK_STR(b, "ann@example.org");
	CHECK(b != a); /* the new index does not know a */
	CHECK(kith_strpool_intern(p, "ann@example.org", 15) == b);
	kith_strpool_free(p);
	kith_strpool_seal(NULL);
}

/* A pooled copy owns nothing of the original: it outlives it, whole. */
static void test_msg_copy(void)
{
	struct kith_strpool *p = kith_strpool_new();
	struct kith_msg m = { .id = 7, .date = 1717200000, .n_rcpt_total = 9, .flags = 1,
			      .n_refs = 2, .n_to = 1, .n_cc = 1 }, c, d;

	m.message_id = strdup("m1@x");
	m.in_reply_to = strdup("m0@x");
	m.refs = calloc(2, sizeof(*m.refs));
	m.refs[0] = strdup("r0@x");
	m.refs[1] = strdup("m0@x");
	m.from = (struct kith_addr){ strdup("ann@example.org"), strdup("Ann") };
	m.rcpt = calloc(2, sizeof(*m.rcpt));
	m.rcpt[0] = (struct kith_addr){ strdup("bo@example.org"), NULL };
	m.rcpt[1] = (struct kith_addr){ strdup("ann@example.org"), strdup("Ann") };
	m.subject = strdup("Lunch?");
	CHECK_INT(kith_msg_copy_pooled(&c, &m, p), 0);
	kith_msg_free(&m);
	CHECK_INT(c.id, 7);
	CHECK_INT(c.date, 1717200000);
	CHECK_INT(c.n_rcpt_total, 9);
	CHECK_INT(c.flags, 1);
	CHECK_STR(c.message_id, "m1@x");
	CHECK_STR(c.in_reply_to, "m0@x");
	CHECK(c.n_refs == 2 && strcmp(c.refs[0], "r0@x") == 0 && strcmp(c.refs[1], "m0@x") == 0);
	CHECK_STR(c.from.addr, "ann@example.org");
	CHECK_STR(c.from.name, "Ann");
	CHECK(c.n_to == 1 && c.n_cc == 1);
	CHECK_STR(c.rcpt[0].addr, "bo@example.org");
	CHECK_NULL(c.rcpt[0].name);
	CHECK(c.rcpt[1].addr == c.from.addr); /* addresses interned */
	CHECK_STR(c.subject, "Lunch?");
	CHECK_NULL(c.list_id);
	/* a bare record copies as one */
	memset(&m, 0, sizeof(m));
	CHECK_INT(kith_msg_copy_pooled(&d, &m, p), 0);
	CHECK(d.message_id == NULL && d.refs == NULL && d.rcpt == NULL && d.from.addr == NULL);
	kith_strpool_free(p);
}

int main(void)
{
	test_intern();
	test_many();
	test_alloc();
	test_msg_copy();
	test_seal();
	return T_DONE();
}
