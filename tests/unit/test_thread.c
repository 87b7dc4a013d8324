/* test_thread.c: threading by headers, across missing parents, and by
 * subject + participants + time when headers are missing (Enron). */
#include <stdio.h>

#include "analyze.h"
#include "msgbuild.h"
#include "t.h"

static const char *const ids[] = { "me@example.org" };
static struct kith_policy pol = { .identities = ids, .n_identities = 1 };

static const struct kith_person *person(const struct kith_analysis *a, const char *key)
{
	size_t i;

	for (i = 0; i < a->n_people; i++)
		if (!strcmp(a->people[i].key, key))
			return &a->people[i];
	return NULL;
}

static size_t convs_of(const struct kith_analysis *a, const struct kith_person *p)
{
	size_t i, n = 0;

	for (i = 0; i < a->n_conversations; i++)
		n += &a->people[a->conversations[i].person] == p;
	return n;
}

/* References link a thread even when the middle message is missing. */
static void test_headers_missing_parent(void)
{
	struct mbox b = { 0 };
	struct kith_analysis *a = NULL;
	const struct kith_person *p;
	struct kith_msg *m;

	mb_add(&b, "a@x", NULL, T0, "ann@example.com", "me@example.org", "Plan", 0);
	/* b@x (ann's follow-up) is missing; my reply cites both */
	m = mb_add(&b, "c@x", "b@x", T0 + 3600, "me@example.org", "ann@example.com", "Re: Plan",
		   KITH_MSG_IN_SENT);
	mb_refs(m, "a@x", "b@x");
	m = mb_add(&b, "d@x", "c@x", T0 + 7200, "ann@example.com", "me@example.org", "Re: Plan", 0);
	mb_refs(m, "a@x", "c@x");
	CHECK_INT(kith_analyze(b.v, b.n, &pol, T0 + 10 * DAY, &a), 0);
	p = person(a, "ann@example.com");
	CHECK(p != NULL);
	if (p) {
		CHECK_INT(p->conversations, 1);
		CHECK_INT(convs_of(a, p), 1);
		CHECK_INT(p->turns_user, 1);
		CHECK_INT(p->turns_them, 1);
		CHECK_INT(p->latency_them, 3600);
		CHECK_INT(p->latency_user, 3600); /* answered the newest reference present */
	}
	CHECK_INT(a->n_conversations, 1);
	CHECK_STR(a->conversations[0].subject, "plan");
	CHECK_INT(a->conversations[0].root_msg_id, 1);
	CHECK_INT(a->conversations[0].last_msg_id, 3);
	CHECK_INT(a->conversations[0].last_by_user, 0);
	kith_analysis_free(a);
	mb_free(&b);
}

/* Two siblings answering the same missing parent share a thread. */
static void test_siblings_of_missing(void)
{
	struct mbox b = { 0 };
	struct kith_analysis *a = NULL;
	const struct kith_person *p;

	mb_add(&b, "s1@x", "gone@x", T0, "bob@example.com", "me@example.org", "Re: Q", 0);
	mb_add(&b, "s2@x", "s1@x", T0 + 60, "me@example.org", "bob@example.com", "Re: Q",
	       KITH_MSG_IN_SENT);
	mb_add(&b, "s3@x", "gone@x", T0 + 120, "bob@example.com", "me@example.org", "Re: Q", 0);
	CHECK_INT(kith_analyze(b.v, b.n, &pol, T0 + DAY, &a), 0);
	p = person(a, "bob@example.com");
	CHECK(p && convs_of(a, p) == 1);
	kith_analysis_free(a);
	mb_free(&b);
}

/* No headers at all: subject, participants and time. */
static void test_subject_fallback(void)
{
	struct mbox b = { 0 };
	struct kith_analysis *a = NULL;
	const struct kith_person *p;

	mb_add(&b, NULL, NULL, T0, "carl@example.com", "me@example.org", "Budget", 0);
	mb_add(&b, NULL, NULL, T0 + DAY, "me@example.org", "carl@example.com", "RE: Budget",
	       KITH_MSG_IN_SENT);
	mb_add(&b, NULL, NULL, T0 + 2 * DAY, "carl@example.com", "me@example.org", "Re: RE: budget", 0);
	/* same subject, but the window has passed: not an answer to the above */
	mb_add(&b, NULL, NULL, T0 + 200 * DAY, "me@example.org", "dora@example.com", "Re: Budget",
	       KITH_MSG_IN_SENT);
	/* same subject, someone who was not in it: no turn with carl */
	mb_add(&b, NULL, NULL, T0 + 3 * DAY, "eve@example.com", "me@example.org", "AW: Budget", 0);
	CHECK_INT(kith_analyze(b.v, b.n, &pol, T0 + 300 * DAY, &a), 0);
	p = person(a, "carl@example.com");
	CHECK(p != NULL);
	if (p) {
		CHECK_INT(p->conversations, 1);
		CHECK_INT(p->turns_user, 1);
		CHECK_INT(p->turns_them, 1);
		CHECK_INT(p->latency_user, DAY);
		CHECK_INT(p->latency_them, DAY);
		CHECK_INT(p->initiated_them, 1);
	}
	p = person(a, "eve@example.com");
	CHECK(!p || p->turns_them == 0 || p->latency_them < 0);
	kith_analysis_free(a);
	mb_free(&b);
}

int main(void)
{
	test_headers_missing_parent();
	test_siblings_of_missing();
	test_subject_fallback();
	return T_DONE();
}
