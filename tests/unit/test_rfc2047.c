/* test_rfc2047.c: encoded-words, charsets, cleaning. */
#include <stdlib.h>

#include "t.h"
#include "rfc2047.h"

static unsigned probs;

/* Decodes s; the result is freed by the next call. */
static const char *d(const char *s)
{
	static char *last;

	free(last);
	last = kith_rfc2047_decode_str(s, strlen(s), &probs);
	return last;
}

static void test_plain(void)
{
	CHECK_STR(d("Hello world"), "Hello world");
	CHECK_INT(probs, 0);
	CHECK_STR(d(""), "");
	CHECK_STR(d("a =? b ?= c"), "a =? b ?= c"); /* not encoded-words */
	/* a word that converts to nothing (a lone UTF-16 byte-order mark):
	 * empty, and clean under UBSan (fuzz find) */
	CHECK_STR(d("x =?utf-16?q?=FE=FF?= y"), "x  y");
	CHECK_STR(d("=?utf-8?q?unterminated"), "=?utf-8?q?unterminated");
	CHECK_STR(d("=?utf-8?x?abc?="), "=?utf-8?x?abc?="); /* unknown encoding */
	CHECK_STR(d("=??q?abc?="), "=??q?abc?="); /* empty charset */
}

static void test_q_and_b(void)
{
	CHECK_STR(d("=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?="), "J\xC3\xB6rg M\xC3\xBCller");
	CHECK_INT(probs, 0);
	CHECK_STR(d("=?utf-8?B?SsO2cmc=?="), "J\xC3\xB6rg");
	CHECK_STR(d("=?utf-8?b?SsO2cmc?="), "J\xC3\xB6rg"); /* padding missing */
	CHECK_STR(d("=?iso-8859-1?q?caf=E9?="), "caf\xC3\xA9");
	CHECK_STR(d("=?ISO-8859-1?Q?Andr=E9?= Pirard"), "Andr\xC3\xA9 Pirard");
	CHECK_STR(d("=?windows-1252?Q?=93quoted=94?="), "\xE2\x80\x9Cquoted\xE2\x80\x9D");
	CHECK_STR(d("=?us-ascii?q?plain?="), "plain");
	CHECK_STR(d("=?utf-8*en?q?lang?="), "lang"); /* RFC 2231 language */
	CHECK_STR(d("=?koi8-r?B?8NLJ18XU?="), "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
	CHECK_STR(d("=?utf-8?q?a=2?="), "a=2"); /* bad escape kept */
	CHECK_INT(probs, 1);
}

/* RFC 2047 section 8 examples: whitespace between adjacent words goes. */
static void test_adjacent(void)
{
	CHECK_STR(d("(=?ISO-8859-1?Q?a?=)"), "(a)");
	CHECK_STR(d("=?ISO-8859-1?Q?a?= b"), "a b");
	CHECK_STR(d("=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?="), "ab");
	CHECK_STR(d("=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?="), "ab");
	CHECK_STR(d("=?ISO-8859-1?Q?a?=\r\n  =?ISO-8859-1?Q?b?="), "ab");
	CHECK_STR(d("=?ISO-8859-1?Q?a_b?="), "a b");
	CHECK_STR(d("=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?="), "a b");
	CHECK_STR(d("x =?utf-8?q?a?= y =?utf-8?q?b?= z"), "x a y b z");
	/* A UTF-8 character split across two words survives. */
	CHECK_STR(d("=?utf-8?q?J=C3?= =?utf-8?q?=B6rg?="), "J\xC3\xB6rg");
	CHECK_INT(probs, 0);
	CHECK_STR(d("=?utf-8?B?w6Q=?= =?utf-8?B?w7Y=?="), "\xC3\xA4\xC3\xB6");
}

/* Nothing fails: bad bytes become U+FFFD, controls go. */
static void test_cleaning(void)
{
	CHECK_STR(d("caf\xE9"), "caf\xEF\xBF\xBD"); /* raw Latin-1 in a header */
	CHECK_INT(probs, 1);
	CHECK_STR(d("a\x01" "b\x7F" "c"), "abc");
	CHECK_STR(d("tab\there"), "tab here");
	CHECK_STR(d("=?utf-8?q?bell=07ring?="), "bellring");
	CHECK_STR(d("=?utf-8?q?nl=0Ahere?="), "nl here");
	CHECK_STR(d("=?utf-8?q?=FF=FEx?="), "\xEF\xBF\xBD\xEF\xBF\xBDx");
	CHECK_INT(probs, 2);
	CHECK_STR(d("=?x-no-such-charset?q?abc?="), "abc"); /* unknown charset */
	CHECK_INT(probs, 1);
	CHECK_STR(d("=?utf-8?q?c1=C2=85x?="), "c1x"); /* C1 control (NEL) dropped */
	CHECK_STR(d("=?iso-2022-jp?B?GyRCJEYkOSRIGyhC?="),
		  "\xE3\x81\xA6\xE3\x81\x99\xE3\x81\xA8");
	CHECK_STR(d("\xF0\x9F\x98\x80 ok"), "\xF0\x9F\x98\x80 ok"); /* valid 4-byte */
	CHECK_STR(d("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); /* surrogate */
	CHECK_STR(d("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD"); /* overlong */
}

/* Long hostile inputs stay fast (each scan stops at '?'). */
static void test_long(void)
{
	size_t n = 1 << 20, i;
	char *s = malloc(n + 1), *r;

	for (i = 0; i < n; i++)
		s[i] = "=?a"[i % 3];
	s[n] = '\0';
	r = kith_rfc2047_decode_str(s, n, NULL);
	CHECK(r != NULL && strlen(r) == n);
	free(r);
	for (i = 0; i + 12 <= n; i += 12) /* a space ends each would-be word */
		memcpy(s + i, "=?utf-8?q?a ", 12);
	r = kith_rfc2047_decode_str(s, i, NULL);
	CHECK(r != NULL && strlen(r) == i);
	free(r);
	free(s);
}

int main(void)
{
	test_plain();
	test_q_and_b();
	test_adjacent();
	test_cleaning();
	test_long();
	d(""); /* free the last result */
	return T_DONE();
}
