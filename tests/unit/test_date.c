/* test_date.c: RFC 5322 dates, obsolete forms and the wild ones. */
#include <errno.h>

#include "t.h"
#include "date.h"
#include "msg.h"

/* Parses s; returns the status and stores the time in *t. */
static int p(const char *s, int64_t *t)
{
	return kith_date_parse(s, strlen(s), t);
}

/* Strict RFC 5322 forms (obsolete syntax included) parse with status 0. */
static void test_rfc(void)
{
	int64_t t;

	CHECK_INT(p("Tue, 16 Feb 1999 06:39:00 -0800", &t), 0);
	CHECK_INT(t, 919175940);
	CHECK_INT(p("Tue, 16 Feb 1999 06:39:00 -0800 (PST)", &t), 0);
	CHECK_INT(t, 919175940);
	CHECK_INT(p("16 Feb 1999 06:39 -0800", &t), 0); /* no weekday, no seconds */
	CHECK_INT(t, 919175940);
	CHECK_INT(p("Tue, 16 Feb 99 06:39:00 PST", &t), 0); /* 2-digit year, named zone */
	CHECK_INT(t, 919175940);
	CHECK_INT(p("Sat, 1 Jan 00 00:00:00 GMT", &t), 0); /* 00 is 2000 */
	CHECK_INT(t, 946684800);
	CHECK_INT(p("Fri, 13 Feb 2009 23:31:30 +0000", &t), 0);
	CHECK_INT(t, 1234567890);
	CHECK_INT(p("Thu, 1 Jan 1970 00:00:00 UT", &t), 0);
	CHECK_INT(t, 0);
	CHECK_INT(p("Mon, 15 Mar 2021 10:00:00 EST", &t), 0);
	CHECK_INT(t, 1615820400);
	CHECK_INT(p("Sun, 4 Jul 2021 12:00:00 EDT", &t), 0);
	CHECK_INT(t, 1625414400);
	CHECK_INT(p("1 Jun 2021 10:00:00 +0530", &t), 0); /* half-hour zone */
	CHECK_INT(t, 1622521800);
	CHECK_INT(p("1 Jan 102 00:00:00 +0000", &t), 0); /* 3-digit year: +1900 */
	CHECK_INT(t, 1009843200);
	CHECK_INT(p("Tue, 29 Feb 2000 12:00:00 +0000", &t), 0); /* leap day */
	CHECK_INT(t, 951825600);
	CHECK_INT(p("Mon, 31 Dec 1979 16:00:00 -0800", &t), 0); /* Enron's bogus date */
	CHECK_INT(t, 315532800);
	CHECK_INT(p("1 Jan 1969 00:00:00 +0000", &t), 0); /* before the epoch */
	CHECK_INT(t, -31536000);
	CHECK_INT(p("1 Jan 2020 00:00:00 Z", &t), 0); /* military zone: -0000 */
	CHECK_INT(t, 1577836800);
	CHECK_INT(p("  Wed,\t01 Jan 2020 01:00:00 +0100  ", &t), 0);
	CHECK_INT(t, 1577836800);
}

/* Forms outside the grammar parse with status 1 (a repair). */
static void test_repaired(void)
{
	int64_t t;

	CHECK_INT(p("Mon, 16 Sep 2002 03:27:38 (GMT)", &t), 1); /* zone only in comment */
	CHECK_INT(t, 1032146858);
	CHECK_INT(p("Wed, 1 Jan 2020 00:00:00", &t), 1); /* no zone: UTC */
	CHECK_INT(t, 1577836800);
	CHECK_INT(p("Thu Jan  1 00:00:00 2020", &t), 1); /* asctime order */
	CHECK_INT(t, 1577836800);
	CHECK_INT(p("Thursday, April 09, 2003 9:00 AM", &t), 1);
	CHECK_INT(t, 1049878800);
	CHECK_INT(p("Fri, 1 May 2020 12:30 PM +0000", &t), 1);
	CHECK_INT(t, 1588336200);
	CHECK_INT(p("Fri, 1 May 2020 12:30 AM +0000", &t), 1);
	CHECK_INT(t, 1588293000);
	CHECK_INT(p("Tue, 029 Apr 2019 23:34:45 -0800 (PST)", &t), 0); /* padded day */
	CHECK_INT(t, 1556609685);
	CHECK_INT(p("1 Jan 2020 00:00:00 +01:00", &t), 1); /* colon in zone */
	CHECK_INT(t, 1577833200);
	CHECK(p("16-Feb-1999 06:39:00 -0800", &t) >= 0);
	CHECK_INT(t, 919175940);
	CHECK_INT(p("1 January 2020", &t), 1); /* no time: midnight */
	CHECK_INT(t, 1577836800);
}

/* No date found: -EINVAL and KITH_DATE_NONE. */
static void test_invalid(void)
{
	static const char *const bad[] = {
		"", "garbage", "(comment only)", "31 Feb 2020 10:00:00 +0000",
		"29 Feb 1900 00:00:00 +0000", "1 Jan 2020 24:00:00 +0000",
		"1 Jan 2020 10:61:00 +0000", "Jan 2020", "29-04-2017 23:34",
		"1 Foo 2020 10:00:00 +0000", "32 Jan 2020 00:00:00 +0000",
	};
	size_t i;
	int64_t t;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = 0;
		CHECK_INT(p(bad[i], &t), -EINVAL);
		CHECK(t == KITH_DATE_NONE);
	}
}

/* Embedded NUL bytes and huge inputs do not crash or run long. */
static void test_robust(void)
{
	static char big[1 << 20];
	const char nul[] = "1 Jan 2020\0 00:00:00 +0000";
	int64_t t;

	memset(big, '9', sizeof(big));
	CHECK_INT(kith_date_parse(big, sizeof(big), &t), -EINVAL);
	memset(big, '(', sizeof(big));
	CHECK_INT(kith_date_parse(big, sizeof(big), &t), -EINVAL);
	CHECK(kith_date_parse(nul, sizeof(nul) - 1, &t) >= 0);
	CHECK_INT(t, 1577836800);
}

int main(void)
{
	test_rfc();
	test_repaired();
	test_invalid();
	test_robust();
	return T_DONE();
}
