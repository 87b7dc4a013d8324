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

/* --- the fast path against the full parser ---------------------------- */

static int diff_shown;

static void show_input(const char *s, size_t len)
{
	fprintf(stderr, "  (input %zu bytes: \"", len);
	for (size_t i = 0; i < len && i < 200; i++)
		if (s[i] >= 0x20 && s[i] < 0x7F && s[i] != '\\')
			fputc(s[i], stderr);
		else
			fprintf(stderr, "\\x%02x", (unsigned char)s[i]);
	fprintf(stderr, "\")\n");
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Parses s[0..len) both ways (after a first entry, as do_rcpt appends Cc
 * to To) and checks that the results are identical. */
static void same(const char *s, size_t len, size_t max)
{
	struct kith_addr *v[2] = { NULL, NULL };
	size_t n[2] = { 0, 0 }, i;
	uint32_t total[2] = { 0, 0 };
	int r[2], ok = 1;

	for (int k = 0; k < 2; k++) {
		int (*fn)(const char *, size_t, struct kith_addr **, size_t *, size_t,
			  uint32_t *) = k ? kith_addr_parse_list_full : kith_addr_parse_list;

		fn("first@x.org", 11, &v[k], &n[k], max, &total[k]);
		r[k] = fn(s, len, &v[k], &n[k], max, &total[k]);
	}
	ok = r[0] == r[1] && n[0] == n[1] && total[0] == total[1];
	for (i = 0; ok && i < n[0]; i++)
		ok = same_str(v[0][i].addr, v[1][i].addr) && same_str(v[0][i].name, v[1][i].name);
	CHECK(ok);
	if (!ok && diff_shown++ < 5) {
		show_input(s, len);
		fprintf(stderr, "  fast: r=%d n=%zu total=%u; full: r=%d n=%zu total=%u\n", r[0],
			n[0], total[0], r[1], n[1], total[1]);
		for (i = 0; i < n[0] && i < n[1]; i++)
			fprintf(stderr, "  [%zu] %s|%s vs %s|%s\n", i, v[0][i].addr,
				v[0][i].name ? v[0][i].name : "-", v[1][i].addr,
				v[1][i].name ? v[1][i].name : "-");
	}
	for (int k = 0; k < 2; k++) {
		for (i = 0; i < n[k]; i++)
			kith_addr_free(&v[k][i]);
		free(v[k]);
	}
}

static void same_s(const char *s)
{
	same(s, strlen(s), 64);
	same(s, strlen(s), 2);
}

/* Items at the edge of the fast path: each must give what the full
 * parser gives, whether the fast path takes it or hands it over. */
static void test_fast_edges(void)
{
	static const char *const cases[] = {
		"a@b.c", "A@B.C", " a@b.c ", "\ta@b.c\t", "a@b", "@b.c", "a@", "a@@b.c",
		"a@b@c.d", ".a@b.c", "a.@b.c", "a..b@c.d", "a@.b.c", "a@b.c.", "a@b..c",
		"a@b_c.d", "a@b+c.d", "a@B-C.D", "a@[1.2.3.4]", "'a@b.c'", "`a@b.c`", "'a@b.c",
		"a'b@c.d", "a`@b.c", "#24.training@enron.com", "murphree'.'dennis@enron.com",
		"a=b@c.d", "a?b@c.d", "a{b}@c.d", "a|b~@c.d", "mailto:a@b.c", "<mailto:a@b.c>",
		"a b@c.d", "a@b.c (Name)", "(c) a@b.c", "a@b.c(c)", "a(c)@b.c", "\"a\"@b.c",
		"\"a b\"@c.d", "a\\b@c.d", "a@b.c\r\n", "a@b\r\n .c", "a\x01@b.c",
		"a\x7f@b.c", "\xc3\xa9@b.c", "a@\xc3\xa9.c", "a@b.\xff", "jeff . skilling @ enron.com",
		"Jeff Skilling jeff@enron.com", "a@b.c d@e.f",
		"<a@b.c>", " <a@b.c> ", "<a@b.c> x", "<a@b.c>>", "<<a@b.c>", "< a@b.c >",
		"<a@b.c", "a@b.c>", "<>", "x <>", "<@r1,@r2:a@b.c>", "<'a@b.c'>", "<a@b.c.>",
		"<A@B.C>", "N <a@b.c>", "N  M <a@b.c>", " N M  <a@b.c>", "N\tM <a@b.c>",
		"N<a@b.c>", "\"N\"<a@b.c>", "\"N, M\" <a@b.c>", "\"N  M\" <a@b.c>",
		"\" N \" <a@b.c>", "\"\" <a@b.c>", "\" \" <a@b.c>", "\"N\"M <a@b.c>",
		"\"N\" \"M\" <a@b.c>", "\"N\"  M <a@b.c>", "\"N \" M <a@b.c>",
		"\"N\\\"M\" <a@b.c>", "\"N <a@b.c>", "\"N<x>\" <a@b.c>", "N (c) <a@b.c>",
		"N (<x@y.z>) <a@b.c>", "(N) <a@b.c>", "'N' <a@b.c>", "' N ' <a@b.c>",
		"'' <a@b.c>", "' <a@b.c>", "'N <a@b.c>", "\"'N'\" <a@b.c>", "' 'N' ' <a@b.c>",
		"=?utf-8?q?J=C3=B6rg?= <j@x.de>", "N=M <a@b.c>", "\"N=?x\" <a@b.c>",
		"N\xc3\xa9 <a@b.c>", "\"N\xff\" <a@b.c>", "N\x01 <a@b.c>", "\"N\x7f\" <a@b.c>",
		"N.M <a@b.c>", "N@M <a@b.c>", "N > M <a@b.c>", "N:M <a@b.c>", "N [M] <a@b.c>",
		"legal <.taylor@enron.com>", "pep <performance.>", "MAILER-DAEMON <>",
		"</O=ENRON/OU=NA/CN=RECIPIENTS/CN=JSKILLIN>",
		"a@b.c, d@e.f", "a@b.c,,d@e.f", "a@b.c; d@e.f", "g: a@b.c, N <d@e.f>; h@i.j",
		"g: a:b@c.d;", "undisclosed-recipients:;", "\"a,b\" <c@d.e>, f@g.h",
		"<a,b@c.d>, e@f.g", "(a,b) c@d.e", "a@b.c\r\n\t, d@e.f", "a@b.c ,\r\n d@e.f",
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		same_s(cases[i]);
	same("a@b.c\0d@e.f", 11, 64); /* NULs: the unfolder makes them spaces, */
	same("a\0@b.c", 6, 64);       /* but the API takes any bytes */
	same("N\0M <a@b.c>", 12, 64);
	same("<a@b.c\0>", 8, 64);
}

/* Long input: a 1 MB address, a 1 MB name, 100k items. */
static void test_fast_long(void)
{
	size_t big = 1u << 20, len, i;
	char *s = malloc(big * 2 + 64);

	memset(s, 'a', big);
	memcpy(s + big, "@b.c", 5);
	same(s, big + 4, 64);
	s[0] = '<';
	memcpy(s + big, "@b.c>", 6);
	same(s, big + 5, 64);
	memset(s, 'N', big);
	memcpy(s + big, " <a@b.c>", 9);
	same(s, big + 8, 64);
	s[0] = '"';
	same(s, big + 8, 64); /* an unclosed quote across it all */
	for (i = 0, len = 0; i < 100000; i++)
		len += (size_t)sprintf(s + len, i % 2 ? "u%zu@x.org, " : "U <u%zu@x.org>,", i);
	same(s, len, 64);
	free(s);
}

/* Random items built from the pieces that matter to either path. */
static void test_fast_random(void)
{
	static const char *const piece[] = {
		"a", "Bc", "x.org", ".", "@", " ", "  ", "\t", "\"", "(", ")", "<", ">", ",",
		";", ":", "'", "`", "\\", "=", "=?utf-8?q?J=C3=B6?=", "=?iso-8859-1?b?6Q==?=",
		"\xc3\xa9", "\xff", "\x01", "[", "]", "mailto:", "-", "_", "+", "#", "\r\n ",
		"Name", "\"Q, N\"", "<a@b.c>", "a@b.c", "@r:", "''", "~",
	};
	uint32_t x = 12345;
	char s[512];
	size_t i, k, len, np = sizeof(piece) / sizeof(piece[0]);

	for (i = 0; i < 300000; i++) {
		size_t m;

		x = x * 1103515245u + 12345u;
		m = 1 + (x >> 16) % 12;
		len = 0;
		for (k = 0; k < m; k++) {
			const char *p;

			x = x * 1103515245u + 12345u;
			p = piece[(x >> 16) % np];
			memcpy(s + len, p, strlen(p));
			len += strlen(p);
		}
		same(s, len, 1 + i % 3);
	}
}

/* Random plain-looking items ("l@d", "N <l@d>", "\"N\" <l@d>", lists of
 * them), some with one byte changed to any value: the fast path's border. */
static void test_fast_mutants(void)
{
	static const char alpha[] = "aZ09.-_'`+#=@ \"<>,;:()\\\t";
	uint32_t x = 777;
	char s[256];
	size_t i, k, len;

#define RND(n) ((x = x * 1103515245u + 12345u), (size_t)(x >> 16) % (n))
	for (i = 0; i < 300000; i++) {
		size_t items = 1 + RND(3);

		len = 0;
		for (k = 0; k < items; k++) {
			size_t form = RND(4), nl = RND(6), j;

			if (k)
				s[len++] = ',';
			if (form == 1 || form == 2) {
				if (form == 2)
					s[len++] = '"';
				for (j = 0; j < nl; j++)
					s[len++] = j % 3 == 2 ? ' ' : (char)('A' + RND(26));
				if (form == 2)
					s[len++] = '"';
				s[len++] = ' ';
				s[len++] = '<';
			}
			for (j = 0; j < 1 + RND(5); j++)
				s[len++] = RND(4) ? (char)('a' + RND(26)) : alpha[RND(sizeof(alpha) - 1)];
			s[len++] = '@';
			for (j = 0; j < 1 + RND(5); j++)
				s[len++] = RND(3) ? (char)('a' + RND(26)) : '.';
			if (form == 1 || form == 2)
				s[len++] = '>';
			if (form == 3)
				len += (size_t)sprintf(s + len, " (C%zu)", RND(10));
		}
		if (RND(2)) {
			size_t at = RND(len);

			s[at] = (char)RND(256);
		}
		same(s, len, 1 + i % 3);
	}
#undef RND
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
	test_fast_edges();
	test_fast_long();
	test_fast_random();
	test_fast_mutants();
	test_normalize();
	test_matches();
	parse(NULL, 0);
	return T_DONE();
}
