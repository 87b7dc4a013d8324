/* test_refusal.c: server refusals read into classes, and the waits. */
#include <stdlib.h>

#include "refusal.h"
#include "t.h"

static enum kith_refusal_class cls(const char *line, int at_login)
{
	struct kith_refusal r;

	return kith_refusal_classify(line, strlen(line), at_login, &r);
}

static void test_codes(void)
{
	/* RFC 5530's codes decide, wherever they come */
	CHECK_INT(cls("* BYE [UNAVAILABLE] Temporary System Error", 0), KITH_REFUSAL_THROTTLE);
	CHECK_INT(cls("A1 NO [UNAVAILABLE] try later", 1), KITH_REFUSAL_THROTTLE);
	CHECK_INT(cls("K7 NO [LIMIT] Too many simultaneous connections", 0), KITH_REFUSAL_THROTTLE);
	CHECK_INT(cls("A4 NO [INUSE] Mailbox in use", 0), KITH_REFUSAL_THROTTLE);
	CHECK_INT(cls("A4 NO [OVERQUOTA] Over quota", 0), KITH_REFUSAL_QUOTA);
	CHECK_INT(cls("a4 no [overquota] lower case", 0), KITH_REFUSAL_QUOTA);
	CHECK_INT(cls("A2 NO [AUTHENTICATIONFAILED] Authentication failed.", 1), KITH_REFUSAL_AUTH);
	CHECK_INT(cls("A2 NO [AUTHORIZATIONFAILED] no", 1), KITH_REFUSAL_AUTH);
	CHECK_INT(cls("A2 NO [EXPIRED] password expired", 0), KITH_REFUSAL_AUTH);
	CHECK_INT(cls("A2 NO [PRIVACYREQUIRED] use TLS", 1), KITH_REFUSAL_AUTH);
	CHECK_INT(cls("A2 NO [CONTACTADMIN] call us", 1), KITH_REFUSAL_AUTH);
	/* a code wins over words: "too many failed logins" with a throttle code
	 * is a throttle, an AUTHENTICATIONFAILED with throttle words is a login */
	CHECK_INT(cls("A2 NO [UNAVAILABLE] too many login attempts", 1), KITH_REFUSAL_THROTTLE);
	CHECK_INT(cls("A2 NO [AUTHENTICATIONFAILED] too many connections", 1), KITH_REFUSAL_AUTH);
	/* codes kith does not treat specially */
	CHECK_INT(cls("A5 NO [SERVERBUG] cannot open Broken", 0), KITH_REFUSAL_NONE);
	CHECK_INT(cls("A5 NO [NONEXISTENT] no such mailbox", 0), KITH_REFUSAL_NONE);
	CHECK_INT(cls("A5 NO [NOPERM] no", 0), KITH_REFUSAL_NONE);
	/* a code must be the whole atom */
	CHECK_INT(cls("A5 NO [LIMITED] no", 0), KITH_REFUSAL_NONE);
	CHECK_INT(cls("A5 NO [UNAVAILABLEX] no", 0), KITH_REFUSAL_NONE);
}

static void test_words(void)
{
	CHECK_INT(cls("* BYE Too many simultaneous connections", 0), KITH_REFUSAL_THROTTLE);
	CHECK_INT(cls("A1 NO Too many simultaneous connections. (Failure)", 1), KITH_REFUSAL_THROTTLE);
	CHECK_INT(cls("* BYE [ALERT] Account exceeded command or bandwidth limits", 0),
		  KITH_REFUSAL_THROTTLE);
	CHECK_INT(cls("A3 BAD User is authenticated but not connected.", 0), KITH_REFUSAL_THROTTLE);
	/* at login, credentials words make it a refused login, however many */
	CHECK_INT(cls("A1 NO Too many failed login attempts", 1), KITH_REFUSAL_AUTH);
	CHECK_INT(cls("A1 NO LOGIN failed.", 1), KITH_REFUSAL_AUTH);
	CHECK_INT(cls("A1 NO [ALERT] Application-specific password required", 1), KITH_REFUSAL_AUTH);
	CHECK_INT(cls("A1 NO nope", 1), KITH_REFUSAL_AUTH);
	CHECK_INT(cls("A1 BAD nope", 1), KITH_REFUSAL_AUTH);
	/* elsewhere a plain NO is no refusal kith treats specially; a BYE is */
	CHECK_INT(cls("A1 NO Some messages could not be FETCHed", 0), KITH_REFUSAL_NONE);
	CHECK_INT(cls("* BYE not today", 0), KITH_REFUSAL_BYE);
	CHECK_INT(cls("* BYE", 0), KITH_REFUSAL_BYE);
}

static void test_not_refusals(void)
{
	struct kith_refusal r;

	CHECK_INT(cls("A1 OK [UNAVAILABLE] fine", 1), KITH_REFUSAL_NONE);
	CHECK_INT(cls("* NO [UNAVAILABLE] untagged warning", 0), KITH_REFUSAL_NONE);
	CHECK_INT(cls("* 3 EXISTS", 0), KITH_REFUSAL_NONE);
	CHECK_INT(cls("", 1), KITH_REFUSAL_NONE);
	CHECK_INT(cls("NO", 1), KITH_REFUSAL_NONE);
	CHECK_INT(cls(" NO x", 1), KITH_REFUSAL_NONE);
	CHECK_INT(kith_refusal_classify(NULL, 0, 1, &r), KITH_REFUSAL_NONE);
	CHECK_STR(r.text, "");
}

static void test_text_and_hint(void)
{
	struct kith_refusal r;
	char big[600];
	const char *l = "* BYE [UNAVAILABLE] busy\x01\xff, try again in 10 minutes";

	kith_refusal_classify(l, strlen(l), 0, &r);
	CHECK_STR(r.text, "[UNAVAILABLE] busy??, try again in 10 minutes");
	CHECK_INT(r.hint_s, 600);
	l = "A1 NO [LIMIT] retry after 45 s";
	kith_refusal_classify(l, strlen(l), 0, &r);
	CHECK_INT(r.hint_s, 45);
	l = "A1 NO [LIMIT] come back in 2 hours";
	kith_refusal_classify(l, strlen(l), 0, &r);
	CHECK_INT(r.hint_s, 7200);
	l = "A1 NO [LIMIT] in 999999 hours";
	kith_refusal_classify(l, strlen(l), 0, &r);
	CHECK_INT(r.hint_s, 86400);
	l = "A1 NO [LIMIT] 15 connections in 3 places";
	kith_refusal_classify(l, strlen(l), 0, &r);
	CHECK_INT(r.hint_s, 0);
	/* the text is bounded, NUL-terminated, and the NUL in a line is kept out */
	memset(big, 'x', sizeof big);
	memcpy(big, "A1 NO [LIMIT] ", 14);
	big[20] = '\0';
	CHECK_INT(kith_refusal_classify(big, sizeof big, 0, &r), KITH_REFUSAL_THROTTLE);
	CHECK_INT(strlen(r.text), KITH_REFUSAL_TEXT_MAX - 1);
	CHECK(strchr(r.text, '?') == r.text + 14);
}

static void test_names(void)
{
	for (int c = 1; c < KITH_REFUSAL_N; c++)
		CHECK_INT(kith_refusal_from_name(kith_refusal_name(c)), c);
	CHECK_NULL(kith_refusal_name(KITH_REFUSAL_NONE));
	CHECK_NULL(kith_refusal_name(KITH_REFUSAL_N));
	CHECK_INT(kith_refusal_from_name("nonsense"), KITH_REFUSAL_NONE);
	CHECK_INT(kith_refusal_from_name(NULL), KITH_REFUSAL_NONE);
}

static void test_wait(void)
{
	/* no automatic retry after a refused login; the ordinary back-off for
	 * a plain BYE */
	CHECK_INT(kith_refusal_wait(KITH_REFUSAL_AUTH, 1, 0, 300, 0), -1);
	CHECK_INT(kith_refusal_wait(KITH_REFUSAL_BYE, 1, 0, 300, 0), -1);
	CHECK_INT(kith_refusal_wait(KITH_REFUSAL_NONE, 1, 0, 300, 0), -1);
	/* throttled: the base, doubling, capped at 6 h; jitter only adds */
	CHECK_INT(kith_refusal_wait(KITH_REFUSAL_THROTTLE, 1, 0, 300, 0), 300);
	CHECK_INT(kith_refusal_wait(KITH_REFUSAL_THROTTLE, 2, 0, 300, 0), 600);
	CHECK_INT(kith_refusal_wait(KITH_REFUSAL_THROTTLE, 3, 0, 300, 0), 1200);
	CHECK_INT(kith_refusal_wait(KITH_REFUSAL_THROTTLE, 40, 0, 300, 0), KITH_REFUSAL_CAP_S);
	CHECK_INT(kith_refusal_wait(KITH_REFUSAL_THROTTLE, 1, 0, 300, 0.999), 359);
	for (double r = 0; r < 1; r += 0.05)
		CHECK(kith_refusal_wait(KITH_REFUSAL_THROTTLE, 1, 0, 300, r) >= 300);
	/* over quota: four times the base */
	CHECK_INT(kith_refusal_wait(KITH_REFUSAL_QUOTA, 1, 0, 300, 0), 1200);
	/* the server's hint when longer, at most a day; never shorter than kith's */
	CHECK_INT(kith_refusal_wait(KITH_REFUSAL_THROTTLE, 1, 3600, 300, 0), 3600);
	CHECK_INT(kith_refusal_wait(KITH_REFUSAL_THROTTLE, 1, 60, 300, 0), 300);
	CHECK_INT(kith_refusal_wait(KITH_REFUSAL_THROTTLE, 1, 999999, 300, 0), 86400);
	/* a base above the cap is kept; a silly base is 1 s */
	CHECK_INT(kith_refusal_wait(KITH_REFUSAL_THROTTLE, 3, 0, 30000, 0), 30000);
	CHECK_INT(kith_refusal_wait(KITH_REFUSAL_THROTTLE, 1, 0, 0, 0), 1);
}

int main(void)
{
	test_codes();
	test_words();
	test_not_refusals();
	test_text_and_hint();
	test_names();
	test_wait();
	return T_DONE();
}
