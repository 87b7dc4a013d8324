/* test_addr.c: address lists, normalisation, matching. */
#include <stdlib.h>

#include "t.h"
#include "addr.h"

struct list {
	struct kith_addr *v;
	size_t n;
	uint32_t total;
	int r;
};

static struct list L;

static void parse(const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < L.n; i++)
		kith_addr_free(&L.v[i]);
	free(L.v);
	memset(&L, 0, sizeof(L));
	if (s)
		L.r = kith_addr_parse_list(s, strlen(s), &L.v, &L.n, max, &L.total);
}

/* Parses s and expects exactly one address with this addr and name. */
static void one(const char *s, const char *addr, const char *name, int bad)
{
	parse(s, 10);
	CHECK_INT(L.n, 1);
	CHECK_INT(L.r, bad);
	if (L.n != 1 || L.r != bad)
		fprintf(stderr, "  (input: %s)\n", s);
	if (L.n != 1)
		return;
	CHECK_STR(L.v[0].addr, addr);
	if (name)
		CHECK_STR(L.v[0].name, name);
	else
		CHECK_NULL(L.v[0].name);
}

static void test_single(void)
{
	one("user@example.com", "user@example.com", NULL, 0);
	one("<user@example.com>", "user@example.com", NULL, 0);
	one("John Doe <John.Doe@Example.COM>", "john.doe@example.com", "John Doe", 0);
	one("\"Doe, John\" <jd@x.org>", "jd@x.org", "Doe, John", 0);
	one("\"Quoted \\\"Q\\\" Name\" <q@x.org>", "q@x.org", "Quoted \"Q\" Name", 0);
	one("jd@x.org (John Doe)", "jd@x.org", "John Doe", 0);
	one("John (middle) Doe <jd@x.org>", "jd@x.org", "John Doe", 0);
	one("=?utf-8?q?J=C3=B6rg?= <j@x.de>", "j@x.de", "J\xC3\xB6rg", 0);
	one("\"=?ISO-8859-1?Q?Andr=E9?= Pirard\" <pirard@vm1.ulg.ac.be>",
	    "pirard@vm1.ulg.ac.be", "Andr\xC3\xA9 Pirard", 0);
	one("'Jeff Skilling' <jeff.skilling@enron.com>", "jeff.skilling@enron.com",
	    "Jeff Skilling", 0);
	one("<@route.one,@route.two:user@host.org>", "user@host.org", NULL, 0);
	one("jeff . skilling @ enron.com", "jeff.skilling@enron.com", NULL, 0);
	one("\"john doe\"@example.com", "\"john doe\"@example.com", NULL, 0);
	/* quoted local parts: one address whatever the quoting, lower case */
	one("\"John.Doe\"@Example.COM", "john.doe@example.com", NULL, 0);
	one("\"Q\"@Example.COM", "q@example.com", NULL, 0);
	one("\"John Doe\"@x.org", "\"john doe\"@x.org", NULL, 0);
	one("\"a..b\"@x.org", "\"a..b\"@x.org", NULL, 0);
	one("user@[192.168.0.1]", "user@[192.168.0.1]", NULL, 0);
	one("  user@Example.com.  ", "user@example.com", NULL, 1); /* trailing dot */
}

/* Shapes seen in the Enron export and other old mail. */
static void test_enron(void)
{
	one("legal <.taylor@enron.com>", ".taylor@enron.com", "legal", 0);
	one("l'sheryl.hudson@enron.com", "l'sheryl.hudson@enron.com", NULL, 0);
	one("'jeff.skilling@enron.com'", "jeff.skilling@enron.com", NULL, 1);
	one("Jeff Skilling jeff.skilling@enron.com", "jeff.skilling@enron.com",
	    "Jeff Skilling", 1);
	one("<mailto:jeff@enron.com>", "jeff@enron.com", NULL, 1);
	one("IMCEANOTES-Steven+20J+2E+20Kean@ENRON.com",
	    "imceanotes-steven+20j+2e+20kean@enron.com", NULL, 0);

	parse("pep <performance.>", 10); /* no domain */
	CHECK_INT(L.n, 0);
	CHECK_INT(L.r, 1);
	parse("</O=ENRON/OU=NA/CN=RECIPIENTS/CN=JSKILLIN>, a@b.com", 10); /* X.400 */
	CHECK_INT(L.n, 1);
	CHECK_INT(L.r, 1);
	CHECK_INT(L.total, 1);
	if (L.n == 1)
		CHECK_STR(L.v[0].addr, "a@b.com");
	parse("MAILER-DAEMON <>", 10);
	CHECK_INT(L.n, 0);
	CHECK_INT(L.r, 1);
}

static void test_lists(void)
{
	parse("a@x.com, \"B, b\" <b@x.com>,c@x.com ,, (just a comment),", 10);
	CHECK_INT(L.r, 0);
	CHECK_INT(L.n, 3);
	CHECK_INT(L.total, 3);
	if (L.n == 3) {
		CHECK_STR(L.v[0].addr, "a@x.com");
		CHECK_STR(L.v[1].addr, "b@x.com");
		CHECK_STR(L.v[1].name, "B, b");
		CHECK_STR(L.v[2].addr, "c@x.com");
	}
	parse("undisclosed-recipients:;", 10);
	CHECK_INT(L.n, 0);
	CHECK_INT(L.r, 0);
	parse("Friends: a@x.com, B <b@x.com>; c@x.com", 10);
	CHECK_INT(L.n, 3);
	CHECK_INT(L.r, 0);
	if (L.n == 3)
		CHECK_STR(L.v[2].addr, "c@x.com");
	parse("a@x.com\r\n\t, b@x.com", 10);
	CHECK_INT(L.n, 2);
	parse("x, a@x.com, y z", 10); /* junk items counted, good ones kept */
	CHECK_INT(L.n, 1);
	CHECK_INT(L.r, 2);
	parse("", 10);
	CHECK_INT(L.n, 0);
	CHECK_INT(L.r, 0);
	parse("<a@x.com, b@x.com", 10); /* unclosed angle */
	CHECK_INT(L.r, 1);
}

/* Appending keeps earlier entries; max caps what is kept, total counts all. */
static void test_cap(void)
{
	struct kith_addr *v = NULL;
	size_t n = 0, i;
	uint32_t total = 0;
	char *s = malloc(10000 * 24 + 1);
	size_t len = 0;

	for (i = 0; i < 10000; i++)
		len += (size_t)sprintf(s + len, "U%05zu <u%zu@x.org>,\r\n ", i, i);
	CHECK_INT(kith_addr_parse_list("first@x.org", 11, &v, &n, 64, &total), 0);
	CHECK_INT(kith_addr_parse_list(s, len, &v, &n, 64, &total), 0);
	CHECK_INT(n, 64);
	CHECK_INT(total, 10001);
	if (n == 64) {
		CHECK_STR(v[0].addr, "first@x.org");
		CHECK_STR(v[1].addr, "u0@x.org");
		CHECK_STR(v[1].name, "U00000");
		CHECK_STR(v[63].addr, "u62@x.org");
	}
	for (i = 0; i < n; i++)
		kith_addr_free(&v[i]);
	free(v);
	free(s);
}

static void check_norm(const char *in, int plus, const char *want)
{
	char *s = kith_addr_normalize(in, plus);

	if (want)
		CHECK_STR(s, want);
	else
		CHECK_NULL(s);
	free(s);
}

static void test_normalize(void)
{
	check_norm("John.Doe@Example.COM", 0, "john.doe@example.com");
	check_norm("john+news@example.com", 0, "john+news@example.com");
	check_norm("john+news@example.com", 1, "john@example.com");
	check_norm("J.o.h.n+x@GMail.com", 0, "john@gmail.com");
	check_norm("john.doe@googlemail.com", 0, "johndoe@gmail.com");
	check_norm("<a@b.org>", 0, "a@b.org");
	check_norm("+tag@example.com", 1, "+tag@example.com"); /* nothing left: keep */
	check_norm("nodomain", 0, NULL);
	check_norm("@example.com", 0, NULL);
	check_norm("user@", 0, NULL);
	check_norm(NULL, 0, NULL);
}

static void test_matches(void)
{
	CHECK_INT(kith_addr_matches("jeff.skilling@enron.com", "Jeff.Skilling@Enron.com"), 1);
	CHECK_INT(kith_addr_matches("jeff.skilling@enron.com", "jeff@enron.com"), 0);
	CHECK_INT(kith_addr_matches("a@mail.enron.com", "@enron.com"), 1);
	CHECK_INT(kith_addr_matches("a@enron.com", "@enron.com"), 1);
	CHECK_INT(kith_addr_matches("a@notenron.com", "@enron.com"), 0);
	CHECK_INT(kith_addr_matches("a@enron.com.evil.org", "@enron.com"), 0);
	CHECK_INT(kith_addr_matches("a@ENRON.COM", "enron.com"), 1);
	CHECK_INT(kith_addr_matches("j.o.hn@gmail.com", "john@gmail.com"), 1);
	CHECK_INT(kith_addr_matches("john+x@example.com", "john@example.com"), 1);
	CHECK_INT(kith_addr_matches("john@example.com", "john+x@example.com"), 0);
	CHECK_INT(kith_addr_matches("john+x@example.com", "john+x@example.com"), 1);
	CHECK_INT(kith_addr_matches("noat", "@x.com"), 0);
	CHECK_INT(kith_addr_matches(NULL, "@x.com"), 0);
	CHECK_INT(kith_addr_matches("a@x.com", ""), 0);
}

int main(void)
{
	test_single();
	test_enron();
	test_lists();
	test_cap();
	test_normalize();
	test_matches();
	parse(NULL, 0);
	return T_DONE();
}
