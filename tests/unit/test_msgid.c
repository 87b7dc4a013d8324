/* test_msgid.c: Message-ID, In-Reply-To, References values. */
#include <stdlib.h>

#include "t.h"
#include "msgid.h"

static char *first(const char *s, int *r)
{
	char *id = NULL;

	*r = kith_msgid_first(s, strlen(s), &id);
	return id;
}

static void check_first(const char *in, const char *want, int want_r)
{
	int r;
	char *id = first(in, &r);

	if (want)
		CHECK_STR(id, want);
	else
		CHECK_NULL(id);
	CHECK_INT(r, want_r);
	free(id);
}

static void test_first(void)
{
	check_first("<abc@example.com>", "abc@example.com", 0);
	check_first("  <abc@example.com>  (comment)", "abc@example.com", 0);
	check_first("<a@b> <c@d>", "a@b", 0);
	check_first("(<x@y> in a comment) <a@b>", "a@b", 0);
	check_first("\"<q@q>\" <a@b>", "a@b", 0);
	check_first("<a\t b@example.com>", "ab@example.com", 0); /* folded inside */
	check_first("Your message of Tue <a@b>", "a@b", 0); /* obsolete phrase */
	check_first("<junk <a@b>", "a@b", 0);
	check_first("bare@example.com", "bare@example.com", 1); /* no brackets */
	check_first("", NULL, 1);
	check_first("<>", NULL, 1);
	check_first("no id here", NULL, 1);
	check_first("<unclosed@x", "unclosed@x", 1); /* truncated */
	check_first("<2144034.1075840099740.JavaMail.evans@thyme>",
		    "2144034.1075840099740.JavaMail.evans@thyme", 0);
	check_first("<a\x01\x7F" "b@c>", "ab@c", 0); /* controls dropped */
}

static void free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void test_list(void)
{
	const char *refs = "<a@x>\r\n <b@x>\r\n\t<c@x> (comment <z@z>) <d@x>";
	char **v;
	size_t n;

	CHECK_INT(kith_msgid_list(refs, strlen(refs), KITH_MAX_REFS, &v, &n), 0);
	CHECK_INT(n, 4);
	if (n == 4) {
		CHECK_STR(v[0], "a@x");
		CHECK_STR(v[1], "b@x");
		CHECK_STR(v[2], "c@x");
		CHECK_STR(v[3], "d@x");
	}
	free_list(v, n);

	/* A repeat stays at its newest position. */
	CHECK_INT(kith_msgid_list("<a@x> <b@x> <a@x> <c@x>", 23, 10, &v, &n), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(v[0], "b@x");
		CHECK_STR(v[1], "a@x");
		CHECK_STR(v[2], "c@x");
	}
	free_list(v, n);

	/* The cap keeps the newest. */
	CHECK_INT(kith_msgid_list("<1@x><2@x><3@x><4@x><5@x>", 25, 2, &v, &n), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(v[0], "4@x");
		CHECK_STR(v[1], "5@x");
	}
	free_list(v, n);

	CHECK_INT(kith_msgid_list("<a@x>", 5, 0, &v, &n), 1); /* cap 0: none kept */
	CHECK_INT(n, 0);
	CHECK_NULL(v);
	CHECK_INT(kith_msgid_list("", 0, 10, &v, &n), 1);
	CHECK_INT(n, 0);
	CHECK_NULL(v);
	CHECK_INT(kith_msgid_list("a@x b@x", 7, 10, &v, &n), 1); /* bare ids */
	CHECK_INT(n, 2);
	if (n == 2)
		CHECK_STR(v[1], "b@x");
	free_list(v, n);
}

/* 200,000 ids in a 2 MB value: linear, newest 100 kept, in order. */
static void test_many(void)
{
	size_t cnt = 200000, i, len = 0;
	char *s = malloc(cnt * 16), **v;
	size_t n;

	for (i = 0; i < cnt; i++)
		len += (size_t)sprintf(s + len, "<%zu@h> ", i);
	CHECK_INT(kith_msgid_list(s, len, KITH_MAX_REFS, &v, &n), 0);
	CHECK_INT(n, KITH_MAX_REFS);
	if (n == KITH_MAX_REFS) {
		CHECK_STR(v[0], "199900@h");
		CHECK_STR(v[99], "199999@h");
	}
	free_list(v, n);
	/* The same id repeated: one kept. */
	for (i = 0, len = 0; i < cnt; i++)
		len += (size_t)sprintf(s + len, "<same@h>\r\n ");
	CHECK_INT(kith_msgid_list(s, len, KITH_MAX_REFS, &v, &n), 0);
	CHECK_INT(n, 1);
	free_list(v, n);
	free(s);
}

int main(void)
{
	test_first();
	test_list();
	test_many();
	return T_DONE();
}
