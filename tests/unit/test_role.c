/* test_role.c: role mailboxes are told from people by the local part, the
 * display name, and mail that is mostly notices. */
#include "role.h"
#include "t.h"

static void test_addresses(void)
{
	CHECK_STR(kith_role_mailbox("contact@wildlife-trust.example", NULL), "role address");
	CHECK_STR(kith_role_mailbox("info@icansp.com", NULL), "role address");
	CHECK_STR(kith_role_mailbox("support.emea@vendor.example", NULL), "role address");
	CHECK_STR(kith_role_mailbox("information.management@corp.example", NULL), "role address");
	CHECK_STR(kith_role_mailbox("it-services@corp.example", NULL), "role address");
	CHECK_STR(kith_role_mailbox("kernel-team@android.com", "Android Kernel Team"), "role name");
	CHECK_STR(kith_role_mailbox("hr@corp.example", "Human Resources"), "role address");
	/* people */
	CHECK_NULL(kith_role_mailbox("ana.lima@corp.example", "Ana Lima"));
	CHECK_NULL(kith_role_mailbox("mail@juergen-sauermann.de", "Jürgen Sauermann"));
	CHECK_NULL(kith_role_mailbox("15126-1029@m2.innovyx.com", NULL));
	CHECK_NULL(kith_role_mailbox("tinfo@x.example", NULL)); /* a word inside a word */
	CHECK_NULL(kith_role_mailbox("jteam@x.example", "Jo Teamster"));
	CHECK_NULL(kith_role_mailbox("bob.sales@x.example", "Bob Sales")); /* only the lead word counts */
}

static void test_names(void)
{
	CHECK_STR(kith_role_mailbox("im@corp.example", "ECT Information Management"), "role name");
	CHECK_STR(kith_role_mailbox("x1@corp.example", "IT Help Desk"), "role name");
	CHECK_STR(kith_role_mailbox("ooc@corp.example", "Office of the Chairman"), "role name");
	CHECK_NULL(kith_role_mailbox("t@x.example", "Teamster Jones"));
}

static void test_notices(void)
{
	CHECK_STR(kith_role_notices(20, 19, 2, 0), "notices");
	CHECK_NULL(kith_role_notices(4, 4, 0, 0));   /* too few to tell */
	CHECK_NULL(kith_role_notices(20, 15, 0, 0)); /* a quarter written to the user */
	CHECK_NULL(kith_role_notices(20, 20, 5, 0)); /* answers the user often */
	CHECK_NULL(kith_role_notices(20, 20, 0, 1)); /* a two-way conversation */
}

int main(void)
{
	test_addresses();
	test_names();
	test_notices();
	return T_DONE();
}
