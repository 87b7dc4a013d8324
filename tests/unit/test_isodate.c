/* Unit tests: ISO dates (lib/isodate.c) and the daemon's retry backoff. */
#include <errno.h>
#include "t.h"
#include "../../lib/isodate.h"
#include "../../daemon/daemonloop.h"

static void test_parse(void)
{
	int64_t t = 0;

	CHECK_INT(kith_isodate_parse("1970-01-01", &t), 0);
	CHECK_INT(t, 0);
	CHECK_INT(kith_isodate_parse("2026-11-18", &t), 0);
	CHECK_INT(t, 1794960000);
	CHECK_INT(kith_isodate_parse("2000-02-29T12:30:15Z", &t), 0);
	CHECK_INT(t, 951827415);
	CHECK_INT(kith_isodate_parse("1969-12-31T23:59", &t), 0);
	CHECK_INT(t, -60);
	CHECK_INT(kith_isodate_parse("2001-02-29", &t), -EINVAL);
	CHECK_INT(kith_isodate_parse("2026-13-01", &t), -EINVAL);
	CHECK_INT(kith_isodate_parse("2026-11-18x", &t), -EINVAL);
	CHECK_INT(kith_isodate_parse("26-11-18", &t), -EINVAL);
	CHECK_INT(kith_isodate_parse("", &t), -EINVAL);
	CHECK_INT(kith_isodate_parse(NULL, &t), -EINVAL);
}

static void test_format_roundtrip(void)
{
	char buf[32];
	int64_t back;

	kith_isodate_format(951827415, buf, sizeof(buf));
	CHECK_STR(buf, "2000-02-29T12:30:15Z");
	kith_isodate_format(-1, buf, sizeof(buf));
	CHECK_STR(buf, "1969-12-31T23:59:59Z");
	for (int64_t t = -5000000000LL; t < 5000000000LL; t += 99991 * 37) {
		kith_isodate_format(t, buf, sizeof(buf));
		CHECK_INT(kith_isodate_parse(buf, &back), 0);
		if (back != t) {
			CHECK_INT(back, t);
			break;
		}
	}
}

static void test_backoff(void)
{
	CHECK_INT(kith_backoff_seconds(1, 30, 3600, 0.5), 30);
	CHECK_INT(kith_backoff_seconds(2, 30, 3600, 0.5), 60);
	CHECK_INT(kith_backoff_seconds(3, 30, 3600, 0.5), 120);
	CHECK_INT(kith_backoff_seconds(20, 30, 3600, 0.5), 3600);
	CHECK_INT(kith_backoff_seconds(1000, 30, 3600, 0.5), 3600);
	CHECK_INT(kith_backoff_seconds(1, 30, 3600, 0.0), 24);   /* -20% */
	CHECK(kith_backoff_seconds(1, 30, 3600, 0.999) <= 36);   /* +20% */
	CHECK(kith_backoff_seconds(4, 30, 3600, 0.0) > kith_backoff_seconds(3, 30, 3600, 0.999));
}

/* Days round down before 1970 too; a day ends at its last second. */
static void test_utc_day(void)
{
	CHECK_INT(kith_utc_day(0), 0);
	CHECK_INT(kith_utc_day(86399), 0);
	CHECK_INT(kith_utc_day(86400), 1);
	CHECK_INT(kith_utc_day(-1), -1);
	CHECK_INT(kith_utc_day(-86400), -1);
	CHECK_INT(kith_utc_day(-86401), -2);
	CHECK_INT(kith_utc_day_end(1717200000), 1717286399); /* 2024-06-01 */
	CHECK_INT(kith_utc_day_end(1717286399), 1717286399);
	CHECK_INT(kith_utc_day_end(-1), -1);
	CHECK_INT(kith_utc_day_end(-86400), -1);
}

int main(void)
{
	test_parse();
	test_utc_day();
	test_format_roundtrip();
	test_backoff();
	return T_DONE();
}
