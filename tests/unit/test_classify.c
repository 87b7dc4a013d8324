/* test_classify.c: message classes, system senders, auto-reply subjects. */
#include <stdlib.h>

#include "classify.h"
#include "subject.h"
#include "t.h"

static struct kith_addr to1 = { "user@example.org", NULL };

static struct kith_msg mk(const char *from, const char *subj, uint32_t sig)
{
	struct kith_msg m;

	memset(&m, 0, sizeof(m));
	m.from.addr = (char *)from;
	m.subject = (char *)subj;
	m.signals = sig;
	m.rcpt = &to1;
	m.n_to = 1;
	m.n_rcpt_total = 1;
	return m;
}

static enum kith_class cls(struct kith_msg m, int from_user, int in_rcpt)
{
	struct kith_class_in in = { from_user, in_rcpt };

	return kith_classify(&m, &in, NULL);
}

static void test_classes(void)
{
	struct kith_msg m;
	uint32_t why;
	struct kith_class_in in = { 0, 1 };

	CHECK_INT(cls(mk("ann@example.com", "Lunch?", 0), 0, 1), KITH_CLASS_PERSONAL);
	/* list headers mean "came through a list", not "automated" */
	CHECK_INT(cls(mk("ann@example.com", "Re: [PATCH] x.2: fix",
			 KITH_SIG_LIST_ID | KITH_SIG_PREC_BULK), 0, 0), KITH_CLASS_LIST);
	CHECK_INT(cls(mk("ann@example.com", "Re: x", KITH_SIG_AUTO_SUBMITTED), 0, 1), KITH_CLASS_AUTOMATED);
	CHECK_INT(cls(mk("ann@example.com", "x", KITH_SIG_REPORT), 0, 1), KITH_CLASS_AUTOMATED);
	CHECK_INT(cls(mk("ann@example.com", "x", KITH_SIG_NULL_RETURN_PATH), 0, 1), KITH_CLASS_AUTOMATED);
	CHECK_INT(cls(mk("news@shop.example", "Deals", KITH_SIG_LIST_UNSUB | KITH_SIG_FEEDBACK_ID), 0, 1),
		  KITH_CLASS_AUTOMATED);
	/* one-click unsubscribe (RFC 8058) even with a List-Id */
	CHECK_INT(cls(mk("ann@shop.example", "Deals", KITH_SIG_LIST_ID | KITH_SIG_LIST_UNSUB_POST), 0, 1),
		  KITH_CLASS_AUTOMATED);
	/* a newsletter: List-Unsubscribe without any list */
	CHECK_INT(cls(mk("ann@shop.example", "Deals", KITH_SIG_LIST_UNSUB), 0, 1), KITH_CLASS_AUTOMATED);
	CHECK_INT(cls(mk("bugzilla-daemon@kernel.org", "[Bug 1] x", KITH_SIG_LIST_ID), 0, 0),
		  KITH_CLASS_AUTOMATED);
	CHECK_INT(cls(mk("ann@example.com", "Automatic reply: Lunch?", 0), 0, 1), KITH_CLASS_AUTOMATED);
	CHECK_INT(cls(mk("ann@example.com", "Abwesenheitsnotiz: Treffen", 0), 0, 1), KITH_CLASS_AUTOMATED);
	/* the user's own out-of-office is automated too */
	CHECK_INT(cls(mk("user@example.org", "Out of Office: x", 0), 1, 0), KITH_CLASS_AUTOMATED);
	/* the user's own list post is a list message, not automated */
	CHECK_INT(cls(mk("user@example.org", "Re: x", KITH_SIG_LIST_ID | KITH_SIG_PREC_BULK), 1, 0),
		  KITH_CLASS_LIST);
	/* sent by the user to nobody visible: still the user's */
	m = mk("user@example.org", "x", 0);
	m.n_to = 0;
	m.n_rcpt_total = 0;
	CHECK_INT(cls(m, 1, 0), KITH_CLASS_PERSONAL);
	/* Enron-style announcement: no visible recipient, no list headers */
	m = mk("no.address@enron.com", "Outage report", 0);
	m.n_to = 0;
	m.n_rcpt_total = 0;
	CHECK_INT(kith_classify(&m, &in, &why), KITH_CLASS_AUTOMATED);
	CHECK(why & KITH_WHY_NO_RCPT);
	m = mk("40enron@enron.com", "ELM Course Offering", 0);
	m.n_to = 0;
	m.n_rcpt_total = 0;
	CHECK_INT(cls(m, 0, 0), KITH_CLASS_AUTOMATED);
	/* mass mail */
	m = mk("ceo@example.com", "All hands", 0);
	m.n_rcpt_total = 400;
	CHECK_INT(kith_classify(&m, &in, &why), KITH_CLASS_AUTOMATED);
	CHECK(why & KITH_WHY_MASS);
	/* the user only Bcc'd, no list headers: indirect */
	CHECK_INT(kith_classify(&m, &(struct kith_class_in){ 0, 0 }, &why), KITH_CLASS_AUTOMATED);
	m = mk("ann@example.com", "hi", 0);
	CHECK_INT(kith_classify(&m, &(struct kith_class_in){ 0, 0 }, &why), KITH_CLASS_LIST);
	CHECK(why & KITH_WHY_INDIRECT);
}

static void test_senders(void)
{
	static const char *const sys[] = {
		"noreply@github.com", "no-reply@accounts.google.com", "donotreply@bank.example",
		"MAILER-DAEMON@mx.example.org", "postmaster@example.org", "bounces+123@em.example.com",
		"notifications@github.com", "bugzilla-daemon@kernel.org", "patchwork-bot@kernel.org",
		"build-bot@ci.example", "daemon@example.org", "no.address@enron.com",
		"enron.announcements@enron.com", "x@bounce.example.com", NULL
	};
	static const char *const human[] = {
		"ann@example.com", "mtk.manpages@gmail.com", "jeff.skilling@enron.com",
		"alejandro.colomar@gmail.com", "bob.bottomley@example.com", NULL
	};
	size_t i;

	for (i = 0; sys[i]; i++)
		if (!kith_addr_is_system(sys[i])) {
			CHECK(!"system sender missed");
			fprintf(stderr, "  %s\n", sys[i]);
		}
	for (i = 0; human[i]; i++)
		if (kith_addr_is_system(human[i])) {
			CHECK(!"human taken for a system sender");
			fprintf(stderr, "  %s\n", human[i]);
		}
	CHECK(kith_addr_is_list("linux-man@vger.kernel.org"));
	CHECK(kith_addr_is_list("smu-betas@yahoogroups.com"));
	CHECK(kith_addr_is_list("foo-request@example.org"));
	CHECK(!kith_addr_is_list("ann@example.com"));
}

static void test_subjects(void)
{
	static const char *const autos[] = {
		"Out of Office: meeting", "Automatic reply: Lunch", "Autoreply: x",
		"AUTO-REPLY", "Abwesenheitsnotiz: Treffen", "R\xc3\xa9ponse automatique : x",
		"Fuera de la oficina", "Afwezig: x", "Fr\xc3\xa5nvaro: x", "Re: Out of office",
		NULL
	};
	size_t i;
	unsigned f;
	char *s;

	for (i = 0; autos[i]; i++)
		CHECK(kith_subject_is_autoreply(autos[i]));
	CHECK(!kith_subject_is_autoreply("Re: [PATCH] office.2: new page"));
	CHECK(!kith_subject_is_autoreply("Lunch tomorrow?"));
	CHECK(kith_subject_is_bounce("Undeliverable: Lunch"));
	CHECK(kith_subject_is_bounce("Delivery Status Notification (Failure)"));
	CHECK(kith_subject_is_bounce("Read: Lunch"));
	CHECK(!kith_subject_is_bounce("Re: reading list"));

	s = kith_subject_normalize("Re: RE[2]: Fwd: [linux-man] AW:  Hello   World ", &f);
	CHECK_STR(s, "hello world");
	CHECK(f & KITH_SUBJ_REPLY);
	CHECK(f & KITH_SUBJ_FORWARD);
	free(s);
	s = kith_subject_normalize("SV: Tr: hej", &f);
	CHECK_STR(s, "hej");
	free(s);
	s = kith_subject_normalize("Meeting", &f);
	CHECK_STR(s, "meeting");
	CHECK_INT(f, 0);
	free(s);
	s = kith_subject_normalize(NULL, &f);
	CHECK_STR(s, "");
	free(s);
	s = kith_subject_normalize("Re: [PATCH v2] x", &f);
	CHECK_STR(s, "x");
	free(s);
}

int main(void)
{
	test_classes();
	test_senders();
	test_subjects();
	return T_DONE();
}
