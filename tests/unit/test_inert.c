/* test_inert.c: new mail judged against a saved analysis (lib/inert.c).
 * Every message judged inert is proved so: the full analysis with it
 * equals the analysis without it, person by person (asame.h).  And the
 * comparison can fail: mail from a known person changes it. */
#include <stdlib.h>
#include "t.h"
#include "msgbuild.h"
#include "asame.h"
#include "inert.h"

#define USER "maya@home.example"
static const char *const ids[] = { USER };

/* A month of mail: Ana both ways, Ben written to, a newsletter list. */
static void base(struct mbox *b)
{
	int d;
	struct kith_msg *m;

	for (d = 0; d < 30; d += 3) {
		char mid[32], irt[32];
		snprintf(mid, sizeof(mid), "ana%d@a", d);
		snprintf(irt, sizeof(irt), "maya%d@h", d);
		mb_add(b, irt, NULL, T0 + d * DAY, USER, "ana@ana.example", "plans", KITH_MSG_IN_SENT);
		mb_add(b, mid, irt, T0 + d * DAY + 3600, "ana@ana.example", USER, "Re: plans", 0);
	}
	mb_add(b, "ben1@h", NULL, T0 + 5 * DAY, USER, "ben@ben.example", "hello", KITH_MSG_IN_SENT);
	m = mb_add(b, "news1@s", NULL, T0 + 20 * DAY, "news@shop.example", USER, "Sale", 0);
	m->list_id = mb_dup("weekly.shop.example");
	m->signals = KITH_SIG_LIST_ID | KITH_SIG_LIST_UNSUB | KITH_SIG_FEEDBACK_ID;
}

struct saved { const struct kith_analysis *a; };

static int is_person(void *ctx, const char *addr)
{
	return as_has_person_addr(((struct saved *)ctx)->a, addr);
}

static const struct kith_policy pol = { .identities = ids, .n_identities = 1 };
#define NOW (T0 + 40 * DAY)

/* Judges the last message of b against the analysis of the rest; when
 * inert, proves it.  Returns the verdict. */
static int judge(struct mbox *b, const char *want_why)
{
	struct kith_analysis *a0 = NULL, *a1 = NULL;
	struct kith_inert in;
	struct saved sv;
	enum kith_class cls;
	const char *why = NULL;
	char diff[256];
	int r;

	CHECK_INT(kith_analyze(b->v, b->n - 1, &pol, NOW, &a0), 0);
	sv.a = a0;
	CHECK_INT(kith_inert_init(&in, &pol, (const char *const *)a0->user_addrs, a0->n_user_addrs,
				  (const char *const *)a0->list_addrs, a0->n_list_addrs,
				  a0->newest, NOW, is_person, &sv), 0);
	r = kith_inert_check(&in, &b->v[b->n - 1], &cls, &why);
	if (want_why)
		CHECK_STR(why, want_why);
	CHECK_INT(kith_analyze(b->v, b->n, &pol, NOW, &a1), 0);
	diff[0] = 0;
	if (r == 1 && !kith_analysis_same(a0, a1, diff, sizeof(diff)))
		fprintf(stderr, "inert but changed: %s\n", diff);
	CHECK(r != 1 || kith_analysis_same(a0, a1, diff, sizeof(diff)));
	kith_inert_free(&in);
	kith_analysis_free(a0);
	kith_analysis_free(a1);
	return r;
}

/* Runs one case: base mail plus the message made by add. */
typedef void (*add_fn)(struct mbox *b);

static int run(add_fn add, const char *want_why)
{
	struct mbox b = { 0 };
	int r;

	base(&b);
	add(&b);
	r = judge(&b, want_why);
	mb_free(&b);
	return r;
}

static void newsletter(struct mbox *b)
{
	struct kith_msg *m = mb_add(b, "news2@s", NULL, T0 + 35 * DAY, "news@shop.example", USER,
				    "New arrivals", 0);
	m->list_id = mb_dup("weekly.shop.example");
	m->signals = KITH_SIG_LIST_ID | KITH_SIG_LIST_UNSUB | KITH_SIG_FEEDBACK_ID;
}
static void noreply_thread(struct mbox *b)
{
	struct kith_msg *m = mb_add(b, "n2@gh", "n1@gh", T0 + 35 * DAY, "notifications@forge.example",
				    USER, "Re: [proj] issue 7", 0);
	mb_refs(m, "n1@gh", NULL);
}
static void auto_human(struct mbox *b)
{
	mb_add(b, "o1@x", NULL, T0 + 35 * DAY, "carol@carol.example", USER, "Out of office", 0)
		->signals = KITH_SIG_AUTO_SUBMITTED | KITH_SIG_AUTO_REPLIED;
}
static void new_person(struct mbox *b)
{
	mb_add(b, "c1@x", NULL, T0 + 35 * DAY, "carol@carol.example", USER, "coffee?", 0);
}
static void from_ana(struct mbox *b)
{
	mb_add(b, "a99@a", NULL, T0 + 35 * DAY, "ana@ana.example", USER, "news", 0);
}
static void auto_from_ana(struct mbox *b)
{
	mb_add(b, "a98@a", NULL, T0 + 35 * DAY, "ana@ana.example", USER, "Out of office", 0)
		->signals = KITH_SIG_AUTO_SUBMITTED;
}
static void news_cc_ben(struct mbox *b)
{
	mb_add(b, "news3@s", NULL, T0 + 35 * DAY, "no-reply@shop.example", USER "|ben@ben.example",
	       "Receipt", 0);
}
static void two_links(struct mbox *b)
{
	mb_refs(mb_add(b, "n3@gh", NULL, T0 + 35 * DAY, "no-reply@forge.example", USER, "digest", 0),
		"maya0@h", "ana3@a");
}
static void old_noreply(struct mbox *b)
{
	mb_add(b, "n4@gh", NULL, T0 + 10 * DAY, "no-reply@forge.example", USER, "late", 0);
}
static void sent_copy(struct mbox *b)
{
	mb_add(b, "m9@h", NULL, T0 + 35 * DAY, "no-reply@forge.example", USER, "x", KITH_MSG_IN_SENT);
}
static void new_list(struct mbox *b)
{
	mb_add(b, "l1@x", NULL, T0 + 35 * DAY, "no-reply@club.example", USER, "meeting", 0)
		->list_id = mb_dup("members.club.example");
}
static void undated_noreply(struct mbox *b)
{
	mb_add(b, "u1@x", NULL, KITH_DATE_NONE, "no-reply@forge.example", USER, "undated", 0);
}
static void future_noreply(struct mbox *b)
{
	mb_add(b, "f1@x", NULL, NOW + DAY, "no-reply@forge.example", USER, "tomorrow", 0);
}

/* A list post by a new person: To the list, List-Id known. */
static struct kith_msg *list_post(struct mbox *b, const char *irt, const char *to,
				  const char *subj)
{
	struct kith_msg *m = mb_add(b, "lp1@x", irt, T0 + 35 * DAY, "dan@dan.example", to, subj, 0);

	m->list_id = mb_dup("weekly.shop.example");
	m->signals = KITH_SIG_LIST_ID | KITH_SIG_PREC_LIST;
	return m;
}
static void post_new_thread(struct mbox *b)
{
	list_post(b, NULL, "weekly@shop.example", "a question about sizes");
}
static void post_reply_subject(struct mbox *b)
{
	list_post(b, NULL, "weekly@shop.example", "Re: plans");
}
static void post_to_user(struct mbox *b)
{
	list_post(b, NULL, "weekly@shop.example|" USER, "a question about sizes");
}
static void post_answering_user(struct mbox *b)
{
	list_post(b, "maya3@h", "weekly@shop.example", "Re: plans");
}

int main(void)
{
	/* inert, and proved equal */
	CHECK_INT(run(newsletter, NULL), 1);
	CHECK_INT(run(noreply_thread, NULL), 1);
	CHECK_INT(run(auto_human, NULL), 1);
	CHECK_INT(run(undated_noreply, NULL), 1);
	CHECK_INT(run(future_noreply, NULL), 1);
	CHECK_INT(run(post_new_thread, NULL), 1);
	/* not inert, each for its rule */
	CHECK_INT(run(new_person, "from a new person, not automated"), 0);
	CHECK_INT(run(from_ana, "from a person kith knows"), 0);
	CHECK_INT(run(auto_from_ana, "from a person kith knows"), 0);
	CHECK_INT(run(news_cc_ben, "to a person kith knows"), 0);
	CHECK_INT(run(two_links, "names more than one message"), 0);
	CHECK_INT(run(old_noreply, "older than the analysed mail"), 0);
	CHECK_INT(run(sent_copy, "the user's own mail"), 0);
	CHECK_INT(run(new_list, "a new list"), 0);
	CHECK_INT(run(post_reply_subject, "from a new person, not automated"), 0);
	CHECK_INT(run(post_to_user, "from a new person, not automated"), 0);
	CHECK_INT(run(post_answering_user, "from a new person, not automated"), 0);
	/* the comparison itself can fail: Ana's new mail changes her figures */
	{
		struct mbox b = { 0 };
		struct kith_analysis *a0 = NULL, *a1 = NULL;
		char diff[256];

		base(&b);
		from_ana(&b);
		CHECK_INT(kith_analyze(b.v, b.n - 1, &pol, NOW, &a0), 0);
		CHECK_INT(kith_analyze(b.v, b.n, &pol, NOW, &a1), 0);
		CHECK(!kith_analysis_same(a0, a1, diff, sizeof(diff)));
		kith_analysis_free(a0);
		kith_analysis_free(a1);
		mb_free(&b);
	}
	return T_DONE();
}
