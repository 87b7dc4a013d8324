/* test_followup.c: scenario tests for the follow-up rules (lib/followup.c).
 *
 * Each scenario builds messages and a hand-made analysis (people, turns,
 * per-message class) and asks which tasks should be open at a fixed `now`.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "followup.h"
#include "fu_prep.h"
#include "t.h"

#define DAY 86400
#define NOW 1717200000LL /* 2024-06-01 00:00:00 UTC */
#define ME "me@example.org"

struct scen {
	struct kith_msg *m;
	uint8_t *cls;
	size_t n, cap;
	struct kith_person people[16];
	char *addrs[16][2];
	size_t np;
	struct kith_turn turns[256];
	size_t nt;
	struct kith_analysis a;
	struct kith_followup_params p;
	struct kith_snooze sn[4];
	size_t nsn;
	struct kith_task_want *w;
	size_t nw;
};

static void scen_init(struct scen *s)
{
	memset(s, 0, sizeof(*s));
	kith_followup_params_defaults(&s->p);
}

static size_t person(struct scen *s, const char *key, const char *name,
		     enum kith_tier tier, double depth)
{
	struct kith_person *p = &s->people[s->np];

	s->addrs[s->np][0] = (char *)key;
	p->key = (char *)key;
	p->name = (char *)name;
	p->addrs = s->addrs[s->np];
	p->n_addrs = 1;
	p->tier = tier;
	p->depth = depth;
	p->first_exchange = p->last_exchange = KITH_DATE_NONE;
	p->last_from = p->last_to = KITH_DATE_NONE;
	return s->np++;
}

static void split_csv(const char *csv, struct kith_msg *m, int cc)
{
	char *dup = strdup(csv), *save = NULL, *tok;

	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		m->rcpt = realloc(m->rcpt, (m->n_to + m->n_cc + 1) * sizeof(*m->rcpt));
		m->rcpt[m->n_to + m->n_cc] = (struct kith_addr){ strdup(tok), NULL };
		if (cc)
			m->n_cc++;
		else
			m->n_to++;
		m->n_rcpt_total++;
	}
	free(dup);
}

/* Adds a message; returns its index.  to/cc are comma-separated. */
static size_t msg(struct scen *s, const char *from, const char *to, const char *cc,
		  const char *subject, const char *mid, const char *irt, int64_t date,
		  enum kith_class cls)
{
	struct kith_msg *m;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->m = realloc(s->m, s->cap * sizeof(*s->m));
		s->cls = realloc(s->cls, s->cap * sizeof(*s->cls));
	}
	m = &s->m[s->n];
	memset(m, 0, sizeof(*m));
	m->id = (int64_t)s->n + 1;
	m->from.addr = strdup(from);
	split_csv(to, m, 0);
	if (cc)
		split_csv(cc, m, 1);
	m->subject = subject ? strdup(subject) : NULL;
	m->message_id = mid ? strdup(mid) : NULL;
	m->in_reply_to = irt ? strdup(irt) : NULL;
	m->date = date;
	if (strcmp(from, ME) == 0)
		m->flags |= KITH_MSG_IN_SENT;
	s->cls[s->n] = cls;
	return s->n++;
}

static void turn(struct scen *s, size_t p, int64_t date, int by_user)
{
	s->turns[s->nt++] = (struct kith_turn){ .person = p, .date = date, .by_user = by_user };
	if (s->people[p].last_exchange == KITH_DATE_NONE || date > s->people[p].last_exchange)
		s->people[p].last_exchange = date;
}

static int decide(struct scen *s, int64_t now)
{
	kith_task_wants_free(s->w, s->nw);
	s->w = NULL;
	s->nw = 0;
	s->a = (struct kith_analysis){ .people = s->people, .n_people = s->np,
				       .turns = s->turns, .n_turns = s->nt,
				       .msg_class = s->cls, .n_msgs = s->n };
	return kith_followups_decide(&s->a, s->m, s->n, &s->p, s->sn, s->nsn, now,
				     &s->w, &s->nw, NULL);
}

/* decide, and the moment the decision could first change (next_change). */
static int64_t decide_next(struct scen *s, int64_t now)
{
	int64_t next = 0;

	s->a = (struct kith_analysis){ .people = s->people, .n_people = s->np,
				       .turns = s->turns, .n_turns = s->nt,
				       .msg_class = s->cls, .n_msgs = s->n };
	kith_task_wants_free(s->w, s->nw);
	s->w = NULL;
	s->nw = 0;
	CHECK_INT(kith_followups_decide(&s->a, s->m, s->n, &s->p, s->sn, s->nsn, now, &s->w,
					&s->nw, &next), 0);
	return next;
}

static const struct kith_task_want *find(const struct scen *s, enum kith_task_kind k,
					 const char *key)
{
	for (size_t i = 0; i < s->nw; i++)
		if (s->w[i].kind == k && strcmp(s->w[i].person_key, key) == 0)
			return &s->w[i];
	return NULL;
}

static void scen_free(struct scen *s)
{
	kith_task_wants_free(s->w, s->nw);
	kith_msgs_free(s->m, s->n);
	free(s->cls);
}

static int uid_ok(const char *u)
{
	if (!u || !*u)
		return 0;
	for (; *u; u++)
		if (!((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') ||
		      (*u >= '0' && *u <= '9') || strchr("._+-", *u)))
			return 0;
	return 1;
}

static void test_reply_delay(void)
{
	struct scen s;
	const struct kith_task_want *w;
	size_t ana;

	scen_init(&s);
	ana = person(&s, "ana@example.com", "Ana Ruiz", KITH_TIER_CLOSE, 70);
	msg(&s, ME, "ana@example.com", NULL, "Hello", "m0@x", NULL, NOW - 40 * DAY,
	    KITH_CLASS_PERSONAL);
	msg(&s, "ana@example.com", ME, NULL, "Budget for Q3", "b1@x.example", NULL,
	    NOW - 3 * DAY, KITH_CLASS_PERSONAL);
	(void)ana;
	/* before her mail: nothing */
	CHECK_INT(decide(&s, NOW - 3 * DAY), 0);
	CHECK_NULL(find(&s, KITH_TASK_REPLY, "ana@example.com"));
	/* an hour after: the task is open at once, due after the delay */
	CHECK_INT(decide(&s, NOW - 3 * DAY + 3600), 0);
	w = find(&s, KITH_TASK_REPLY, "ana@example.com");
	CHECK(w != NULL);
	CHECK(w && w->due == NOW - DAY);
	/* three days after */
	CHECK_INT(decide(&s, NOW), 0);
	w = find(&s, KITH_TASK_REPLY, "ana@example.com");
	CHECK(w != NULL);
	if (w) {
		CHECK_STR(w->summary, "Reply to Ana Ruiz: Budget for Q3");
		CHECK_INT(w->due, NOW - DAY);
		CHECK_INT(w->since, NOW - 3 * DAY);
		CHECK_STR(w->message_id, "b1@x.example");
		CHECK_STR(w->episode, "b1@x.example");
		CHECK(uid_ok(w->uid));
		CHECK(strncmp(w->uid, "kith-reply-", 11) == 0);
		CHECK(strstr(w->description, "mid:b1@x.example") != NULL);
		CHECK(strstr(w->description, "tier close") != NULL);
		CHECK(strstr(w->description, "(a close person)") != NULL);
		CHECK(w->priority >= 1 && w->priority <= 9);
		CHECK_INT(w->tier, KITH_TIER_CLOSE);
	}
	CHECK_INT(s.nw, 1);
	/* five days after her mail the window closes: she is not answered
	 * (mail left this long mostly stays so) */
	CHECK_INT(decide(&s, NOW + 2 * DAY), 0);
	CHECK(find(&s, KITH_TASK_REPLY, "ana@example.com") != NULL);
	CHECK_INT(decide(&s, NOW + 2 * DAY + 1), 0);
	CHECK_NULL(find(&s, KITH_TASK_REPLY, "ana@example.com"));
	/* a longer window keeps it */
	s.p.reply_window_days = 10;
	CHECK_INT(decide(&s, NOW + 2 * DAY + 1), 0);
	CHECK(find(&s, KITH_TASK_REPLY, "ana@example.com") != NULL);
	scen_free(&s);
}

static void test_reply_delay_other_tier(void)
{
	struct scen s;
	const struct kith_task_want *w;

	scen_init(&s);
	person(&s, "dan@example.com", "Dan", KITH_TIER_ACTIVE, 40);
	msg(&s, ME, "dan@example.com", NULL, "Hi", "d0@x", NULL, NOW - 60 * DAY,
	    KITH_CLASS_PERSONAL);
	msg(&s, "dan@example.com", ME, NULL, "Lunch", "d1@x", NULL, NOW - 4 * DAY,
	    KITH_CLASS_PERSONAL);
	CHECK_INT(decide(&s, NOW), 0);
	w = find(&s, KITH_TASK_REPLY, "dan@example.com");
	CHECK(w != NULL);
	CHECK(w && w->due == NOW + DAY); /* 5 days after his mail */
	CHECK(w && strstr(w->description, "(an active person)") != NULL);
	/* a parameter changes it */
	s.p.reply_delay_other_days = 3;
	CHECK_INT(decide(&s, NOW), 0);
	w = find(&s, KITH_TASK_REPLY, "dan@example.com");
	CHECK(w && w->due == NOW - DAY);
	scen_free(&s);
}

static void test_user_reply_completes(void)
{
	struct scen s;
	const struct kith_task_want *w;
	char *uid1;

	scen_init(&s);
	person(&s, "ana@example.com", "Ana Ruiz", KITH_TIER_INNER, 90);
	msg(&s, "ana@example.com", ME, NULL, "Budget for Q3", "b1@x", NULL, NOW - 5 * DAY,
	    KITH_CLASS_PERSONAL);
	CHECK_INT(decide(&s, NOW), 0);
	w = find(&s, KITH_TASK_REPLY, "ana@example.com");
	CHECK(w != NULL);
	uid1 = w ? strdup(w->uid) : NULL;
	/* the user answers: the task is no longer wanted */
	msg(&s, ME, "ana@example.com", NULL, "Re: Budget for Q3", "b2@x", "b1@x",
	    NOW - 4 * DAY, KITH_CLASS_PERSONAL);
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_NULL(find(&s, KITH_TASK_REPLY, "ana@example.com"));
	CHECK_INT(s.nw, 0);
	/* she writes again: a new episode with a new uid */
	msg(&s, "ana@example.com", ME, NULL, "Re: Budget for Q3", "b3@x", "b2@x",
	    NOW - 3 * DAY, KITH_CLASS_PERSONAL);
	CHECK_INT(decide(&s, NOW), 0);
	w = find(&s, KITH_TASK_REPLY, "ana@example.com");
	CHECK(w != NULL);
	if (w && uid1) {
		CHECK(strcmp(w->uid, uid1) != 0);
		CHECK_STR(w->episode, "b3@x");
	}
	/* a second unanswered mail keeps the first episode (stable uid) */
	msg(&s, "ana@example.com", ME, NULL, "Another thing", "b4@x", NULL, NOW - 2 * DAY,
	    KITH_CLASS_PERSONAL);
	CHECK_INT(decide(&s, NOW), 0);
	w = find(&s, KITH_TASK_REPLY, "ana@example.com");
	CHECK(w && strcmp(w->episode, "b3@x") == 0);
	CHECK_INT(s.nw, 1);
	free(uid1);
	scen_free(&s);
}

static void test_bulk_never(void)
{
	struct scen s;

	scen_init(&s);
	person(&s, "ana@example.com", "Ana Ruiz", KITH_TIER_INNER, 90);
	msg(&s, ME, "ana@example.com", NULL, "Hi", "a0@x", NULL, NOW - 100 * DAY,
	    KITH_CLASS_PERSONAL);
	msg(&s, "ana@example.com", ME, NULL, "Newsletter", "n1@x", NULL, NOW - 3 * DAY,
	    KITH_CLASS_AUTOMATED);
	/* a stranger, not a person of the analysis */
	msg(&s, "spam@example.net", ME, NULL, "Offer", "s1@x", NULL, NOW - 3 * DAY,
	    KITH_CLASS_PERSONAL);
	s.p.keep_in_touch_max = 0;
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_INT(s.nw, 0);
	scen_free(&s);
}

/* A list post with the user in To or Cc asks for a reply when its author is
 * a relationship; from anyone else it does not; without the user in To/Cc
 * (the list reached them) never. */
static void test_list_mail_by_author(void)
{
	struct scen s;
	const struct kith_task_want *w;

	scen_init(&s);
	person(&s, "ana@example.com", "Ana Ruiz", KITH_TIER_ACTIVE, 40);
	person(&s, "dev@example.com", "Dev Eloper", KITH_TIER_NONE, 6);
	msg(&s, ME, "ana@example.com,dev@example.com", NULL, "Hi", "a0@x", NULL,
	    NOW - 100 * DAY, KITH_CLASS_PERSONAL);
	msg(&s, "ana@example.com", "list@lists.example", NULL, "[list] only the list", "l0@x",
	    NULL, NOW - 3 * DAY, KITH_CLASS_LIST);
	msg(&s, "dev@example.com", "list@lists.example", ME, "[PATCH] fix", "l2@x", NULL,
	    NOW - 3 * DAY, KITH_CLASS_LIST);
	s.p.keep_in_touch_max = 0;
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_INT(s.nw, 0);
	msg(&s, "ana@example.com", "list@lists.example", ME, "[list] patch", "l1@x", NULL,
	    NOW - 2 * DAY, KITH_CLASS_LIST);
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_INT(s.nw, 1);
	w = find(&s, KITH_TASK_REPLY, "ana@example.com");
	CHECK(w && strcmp(w->episode, "l1@x") == 0);
	scen_free(&s);
}

static void test_direct_only(void)
{
	struct scen s;

	scen_init(&s);
	person(&s, "ana@example.com", "Ana Ruiz", KITH_TIER_INNER, 90);
	msg(&s, ME, "ana@example.com", NULL, "Hi", "a0@x", NULL, NOW - 100 * DAY,
	    KITH_CLASS_PERSONAL);
	/* the user was Bcc'd: not in To/Cc */
	msg(&s, "ana@example.com", "zoe@example.com", NULL, "Party", "p1@x", NULL,
	    NOW - 5 * DAY, KITH_CLASS_PERSONAL);
	s.p.keep_in_touch_max = 0;
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_INT(s.nw, 0);
	/* in Cc: counts */
	msg(&s, "ana@example.com", "zoe@example.com", ME, "Party 2", "p2@x", NULL,
	    NOW - 3 * DAY, KITH_CLASS_PERSONAL);
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_INT(s.nw, 1);
	CHECK(s.nw == 1 && strcmp(s.w[0].episode, "p2@x") == 0);
	scen_free(&s);
}

static void test_stranger_needs_relationship(void)
{
	struct scen s;

	scen_init(&s);
	/* known to the analysis, tier none, never written to by the user */
	person(&s, "cold@example.com", "Cold Caller", KITH_TIER_NONE, 2);
	msg(&s, "cold@example.com", ME, NULL, "Quick question", "c1@x", NULL, NOW - 6 * DAY,
	    KITH_CLASS_PERSONAL);
	msg(&s, ME, "someone@example.com", NULL, "x", "c0@x", NULL, NOW - 50 * DAY,
	    KITH_CLASS_PERSONAL);
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_INT(s.nw, 0);
	/* the user wrote to them once: still a one-way contact, no task */
	msg(&s, ME, "cold@example.com", NULL, "Re: earlier", "c2@x", NULL, NOW - 40 * DAY,
	    KITH_CLASS_PERSONAL);
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_INT(s.nw, 0);
	scen_free(&s);
}

static void test_horizon(void)
{
	struct scen s;

	scen_init(&s);
	person(&s, "ana@example.com", "Ana Ruiz", KITH_TIER_INNER, 90);
	msg(&s, ME, "ana@example.com", NULL, "Hi", "a0@x", NULL, NOW - 100 * DAY,
	    KITH_CLASS_PERSONAL);
	msg(&s, "ana@example.com", ME, NULL, "Old question", "o1@x", NULL, NOW - 30 * DAY,
	    KITH_CLASS_PERSONAL);
	s.p.keep_in_touch_max = 0;
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_INT(s.nw, 0);
	s.p.horizon_days = 40;
	s.p.reply_window_days = 40;
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_INT(s.nw, 1);
	/* an old unanswered mail does not hide a recent one */
	s.p.horizon_days = 21;
	s.p.reply_window_days = 5;
	msg(&s, "ana@example.com", ME, NULL, "New question", "o2@x", NULL, NOW - 3 * DAY,
	    KITH_CLASS_PERSONAL);
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_INT(s.nw, 1);
	CHECK(s.nw == 1 && strcmp(s.w[0].episode, "o2@x") == 0);
	scen_free(&s);
}

static void test_snooze(void)
{
	struct scen s;

	scen_init(&s);
	person(&s, "ana@example.com", "Ana Ruiz", KITH_TIER_INNER, 90);
	msg(&s, ME, "ana@example.com", NULL, "Hi", "a0@x", NULL, NOW - 100 * DAY,
	    KITH_CLASS_PERSONAL);
	msg(&s, "ana@example.com", ME, NULL, "Q", "q1@x", NULL, NOW - DAY,
	    KITH_CLASS_PERSONAL);
	s.sn[0] = (struct kith_snooze){ "ana@example.com", NOW + 3 * DAY };
	s.nsn = 1;
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_INT(s.nw, 0);
	/* the snooze ends: the task is back, same uid as without snooze */
	CHECK_INT(decide(&s, NOW + 3 * DAY), 0);
	CHECK(find(&s, KITH_TASK_REPLY, "ana@example.com") != NULL);
	scen_free(&s);
}

static void test_waiting(void)
{
	struct scen s;
	const struct kith_task_want *w;

	scen_init(&s);
	person(&s, "ben@example.com", "Ben Stone", KITH_TIER_ACTIVE, 45);
	person(&s, "ivy@example.com", "Ivy", KITH_TIER_INNER, 95);
	/* a question to Ben on 26 May */
	msg(&s, ME, "ben@example.com", NULL, "Can you send the report?", "w1@x", "older@x",
	    NOW - 6 * DAY, KITH_CLASS_PERSONAL);
	CHECK_INT(decide(&s, NOW - 2 * DAY), 0);
	CHECK_NULL(find(&s, KITH_TASK_WAITING, "ben@example.com"));
	CHECK_INT(decide(&s, NOW), 0);
	w = find(&s, KITH_TASK_WAITING, "ben@example.com");
	CHECK(w != NULL);
	if (w) {
		CHECK_STR(w->summary, "Ben Stone hasn't answered your 26 May mail: "
				      "Can you send the report?");
		CHECK_INT(w->due, NOW - DAY);
		CHECK(strncmp(w->uid, "kith-waiting-", 13) == 0);
	}
	/* a new conversation with Ivy (inner: 3 days) */
	msg(&s, ME, "ivy@example.com", NULL, "Photos from the trip", "i1@x", NULL,
	    NOW - 4 * DAY, KITH_CLASS_PERSONAL);
	CHECK_INT(decide(&s, NOW), 0);
	CHECK(find(&s, KITH_TASK_WAITING, "ivy@example.com") != NULL);
	/* Ben answers: done */
	msg(&s, "ben@example.com", ME, NULL, "Re: Can you send the report?", "w2@x", "w1@x",
	    NOW - DAY, KITH_CLASS_PERSONAL);
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_NULL(find(&s, KITH_TASK_WAITING, "ben@example.com"));
	CHECK(find(&s, KITH_TASK_WAITING, "ivy@example.com") != NULL);
	scen_free(&s);
}

static void test_waiting_not_expected(void)
{
	struct scen s;

	scen_init(&s);
	person(&s, "ben@example.com", "Ben Stone", KITH_TIER_ACTIVE, 45);
	/* a reply that closes a thread */
	msg(&s, ME, "ben@example.com", NULL, "Re: the report", "c1@x", "c0@x",
	    NOW - 8 * DAY, KITH_CLASS_PERSONAL);
	/* mail to many, even a question */
	msg(&s, ME, "ben@example.com,a@x.org,b@x.org,c@x.org", "d@x.org,e@x.org",
	    "Who is coming?", "c2@x", NULL, NOW - 8 * DAY, KITH_CLASS_PERSONAL);
	/* Ben only in Cc */
	msg(&s, ME, "f@x.org", "ben@example.com", "New plan?", "c3@x", NULL, NOW - 8 * DAY,
	    KITH_CLASS_PERSONAL);
	s.p.keep_in_touch_max = 0;
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_NULL(find(&s, KITH_TASK_WAITING, "ben@example.com"));
	scen_free(&s);
}

/* Exchanges every `gap` days from `first` for `k` times, both ways. */
static void history(struct scen *s, size_t p, int64_t first, int64_t gap, int k)
{
	for (int i = 0; i < k; i++) {
		turn(s, p, first + i * gap, 0);
		turn(s, p, first + i * gap + 3600, 1);
	}
}

static void test_keep_in_touch_rhythm(void)
{
	struct scen s;
	const struct kith_task_want *w;
	size_t chloe, dora;

	scen_init(&s);
	chloe = person(&s, "chloe@example.com", "Chloe", KITH_TIER_INNER, 88);
	dora = person(&s, "dora@example.com", "Dora", KITH_TIER_INNER, 80);
	/* Chloe: weekly, last 49 days ago; rhythm 14 = cadence 14 */
	history(&s, chloe, NOW - 49 * DAY - 3600 - 9 * 7 * DAY, 7 * DAY, 10);
	/* Dora: every 30 days, last 40 days ago: rhythm 60 > 40: not yet */
	history(&s, dora, NOW - 40 * DAY - 5 * 30 * DAY, 30 * DAY, 6);
	CHECK_INT(decide(&s, NOW), 0);
	w = find(&s, KITH_TASK_KEEP_IN_TOUCH, "chloe@example.com");
	CHECK(w != NULL);
	if (w) {
		CHECK_STR(w->summary, "Check in with Chloe: it's been 7 weeks");
		CHECK(strncmp(w->uid, "kith-keep-", 10) == 0);
		CHECK_INT(w->since, s.people[chloe].last_exchange);
		/* due the day kith decides it, not 35 days ago */
		CHECK_INT(w->due, NOW + DAY - 1);
		CHECK(uid_ok(w->uid));
	}
	CHECK_NULL(find(&s, KITH_TASK_KEEP_IN_TOUCH, "dora@example.com"));
	/* 21 days later Dora is past twice her rhythm */
	CHECK_INT(decide(&s, NOW + 21 * DAY), 0);
	w = find(&s, KITH_TASK_KEEP_IN_TOUCH, "dora@example.com");
	CHECK(w != NULL);
	if (w) {
		CHECK_INT(w->due, NOW + 22 * DAY - 1);
		CHECK(strstr(w->description, "every 30 days") != NULL);
	}
	/* a real exchange with Chloe resets her clock */
	turn(&s, chloe, NOW - DAY, 0);
	turn(&s, chloe, NOW - DAY + 60, 1);
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_NULL(find(&s, KITH_TASK_KEEP_IN_TOUCH, "chloe@example.com"));
	scen_free(&s);
}

static void test_keep_in_touch_cadence_and_cap(void)
{
	struct scen s;
	char keys[8][32];
	size_t i;

	scen_init(&s);
	/* eight close people, quiet 40 days, too few exchanges for a rhythm;
	 * listed shallowest first to check the ordering */
	for (i = 0; i < 8; i++) {
		size_t p;

		snprintf(keys[i], sizeof(keys[i]), "p%zu@example.com", i);
		p = person(&s, keys[i], NULL, KITH_TIER_CLOSE, 50 + (double)i);
		turn(&s, p, NOW - 40 * DAY, 1);
	}
	/* one active person quiet 40 days: under the 90-day cadence */
	turn(&s, person(&s, "act@example.com", "Act", KITH_TIER_ACTIVE, 99), NOW - 40 * DAY, 1);
	/* a tier-none person is never nudged */
	turn(&s, person(&s, "none@example.com", "None", KITH_TIER_NONE, 99), NOW - 400 * DAY, 1);
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_INT(s.nw, 5);
	for (i = 0; i < s.nw; i++) {
		CHECK_INT(s.w[i].kind, KITH_TASK_KEEP_IN_TOUCH);
		CHECK_STR(s.w[i].person_key, keys[7 - i]); /* deepest first */
	}
	/* the name falls back to the address */
	CHECK(s.nw && strcmp(s.w[0].summary, "Check in with p7@example.com: it's been 5 weeks") == 0);
	s.p.keep_in_touch_max = 2;
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_INT(s.nw, 2);
	/* the user writing to them counts as contact */
	msg(&s, ME, "p7@example.com", NULL, "Re: hi", "k1@x", "k0@x", NOW - 2 * DAY,
	    KITH_CLASS_PERSONAL);
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_NULL(find(&s, KITH_TASK_KEEP_IN_TOUCH, "p7@example.com"));
	CHECK_INT(s.nw, 2);
	scen_free(&s);
}

static void test_no_duplicate_kinds(void)
{
	struct scen s;

	scen_init(&s);
	person(&s, "ana@example.com", "Ana Ruiz", KITH_TIER_INNER, 90);
	turn(&s, 0, NOW - 100 * DAY, 1);
	msg(&s, ME, "ana@example.com", NULL, "Hi", "a0@x", NULL, NOW - 100 * DAY,
	    KITH_CLASS_PERSONAL);
	msg(&s, "ana@example.com", ME, NULL, "Q", "q1@x", NULL, NOW - 5 * DAY,
	    KITH_CLASS_PERSONAL);
	CHECK_INT(decide(&s, NOW), 0);
	/* quiet for long, but an open reply task is the better nudge */
	CHECK_INT(s.nw, 1);
	CHECK(find(&s, KITH_TASK_REPLY, "ana@example.com") != NULL);
	scen_free(&s);
}

static void test_gmail_normalisation(void)
{
	struct scen s;

	scen_init(&s);
	person(&s, "anaruiz@gmail.com", "Ana Ruiz", KITH_TIER_INNER, 90);
	msg(&s, ME, "anaruiz@gmail.com", NULL, "Hi", "a0@x", NULL, NOW - 100 * DAY,
	    KITH_CLASS_PERSONAL);
	msg(&s, "ana.ruiz@gmail.com", ME, NULL, "Q", "q1@x", NULL, NOW - 5 * DAY,
	    KITH_CLASS_PERSONAL);
	s.p.keep_in_touch_max = 0;
	CHECK_INT(decide(&s, NOW), 0);
	CHECK(find(&s, KITH_TASK_REPLY, "anaruiz@gmail.com") != NULL);
	scen_free(&s);
}

static void test_identities_param(void)
{
	struct scen s;
	const char *ids[] = { "me@work.example" };

	scen_init(&s);
	person(&s, "ana@example.com", "Ana Ruiz", KITH_TIER_INNER, 90);
	/* no \Sent mail at all; the user is known only from the config */
	msg(&s, "ana@example.com", "me@work.example", NULL, "Q", "q1@x", NULL, NOW - 5 * DAY,
	    KITH_CLASS_PERSONAL);
	msg(&s, "ana@example.com", "other@work.example", NULL, "Not me", "q2@x", NULL,
	    NOW - 5 * DAY, KITH_CLASS_PERSONAL);
	s.p.identities = ids;
	s.p.n_identities = 1;
	s.p.keep_in_touch_max = 0;
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_INT(s.nw, 1);
	CHECK(s.nw == 1 && strcmp(s.w[0].episode, "q1@x") == 0);
	scen_free(&s);
}

static void test_bad_input(void)
{
	struct scen s;

	scen_init(&s);
	person(&s, "ana@example.com", "\"Ana\x01 \xff Ruiz\"", KITH_TIER_INNER, 90);
	msg(&s, ME, "ana@example.com", NULL, "Hi", NULL, NULL, NOW - 100 * DAY,
	    KITH_CLASS_PERSONAL);
	msg(&s, "ana@example.com", ME, NULL, "Bad \xc3 subject\r\nX", NULL, NULL,
	    NOW - 5 * DAY, KITH_CLASS_PERSONAL);
	msg(&s, "ana@example.com", ME, NULL, NULL, "nodate@x", NULL, KITH_DATE_NONE,
	    KITH_CLASS_PERSONAL);
	free(s.m[s.n - 1].from.addr);
	s.m[s.n - 1].from.addr = NULL;
	s.p.keep_in_touch_max = 0;
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_INT(s.nw, 1);
	if (s.nw == 1) {
		CHECK_STR(s.w[0].summary, "Reply to Ana \xef\xbf\xbd Ruiz: Bad \xef\xbf\xbd subject X");
		CHECK(s.w[0].message_id == NULL);
		CHECK(uid_ok(s.w[0].uid));
		CHECK(strstr(s.w[0].description, "mid:") == NULL);
	}
	/* a class array shorter than the messages: the rest never make tasks */
	s.a.n_msgs = 0;
	kith_task_wants_free(s.w, s.nw);
	CHECK_INT(kith_followups_decide(&s.a, s.m, s.n, &s.p, NULL, 0, NOW, &s.w, &s.nw, NULL), 0);
	CHECK_INT(s.nw, 0);
	CHECK_INT(kith_followups_decide(NULL, NULL, 0, NULL, NULL, 0, NOW, &s.w, &s.nw, NULL), -EINVAL);
	scen_free(&s);
}

static void test_text_helpers(void)
{
	char *u = kith_mid_url("a/b c%@x.example");
	char *t = kith_text_clean("caf\xc3\xa9 long text here", 8, 0);

	CHECK_STR(u, "mid:a%2Fb%20c%25@x.example");
	CHECK_STR(t, "caf\xc3\xa9...");
	CHECK_NULL(kith_mid_url(""));
	free(u);
	free(t);
	t = kith_text_clean("a\nb\tc", 0, 1);
	CHECK_STR(t, "a\nb c");
	free(t);
	t = kith_text_clean("  a \r\n\t b  ", 0, 0);
	CHECK_STR(t, "a b");
	free(t);
	CHECK_STR(kith_task_kind_name(KITH_TASK_KEEP_IN_TOUCH), "keep-in-touch");
}

/* The wants come most important first: replies (deeper first), then
 * waiting, then keep-in-touch. */
static void test_importance_order(void)
{
	struct scen s;
	size_t kim;

	scen_init(&s);
	person(&s, "wes@example.com", "Wes", KITH_TIER_WIDER, 25);
	person(&s, "ana@example.com", "Ana", KITH_TIER_INNER, 90);
	person(&s, "bo@example.com", "Bo", KITH_TIER_ACTIVE, 45);
	kim = person(&s, "kim@example.com", "Kim", KITH_TIER_INNER, 95);
	msg(&s, ME, "wes@example.com,ana@example.com", NULL, "Hi", "h0@x", NULL,
	    NOW - 100 * DAY, KITH_CLASS_PERSONAL);
	msg(&s, "wes@example.com", ME, NULL, "Old", "w1@x", NULL, NOW - 3 * DAY,
	    KITH_CLASS_PERSONAL);
	msg(&s, "ana@example.com", ME, NULL, "Newer", "a1@x", NULL, NOW - DAY,
	    KITH_CLASS_PERSONAL);
	msg(&s, ME, "bo@example.com", NULL, "Can you?", "b1@x", NULL, NOW - 10 * DAY,
	    KITH_CLASS_PERSONAL);
	history(&s, kim, NOW - 200 * DAY, 7 * DAY, 5);
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_INT(s.nw, 4);
	if (s.nw == 4) {
		CHECK_STR(s.w[0].person_key, "ana@example.com");
		CHECK_STR(s.w[1].person_key, "wes@example.com");
		CHECK_INT(s.w[2].kind, KITH_TASK_WAITING);
		CHECK_INT(s.w[3].kind, KITH_TASK_KEEP_IN_TOUCH);
		CHECK(strstr(s.w[0].description, "(an inner person)") != NULL);
	}
	scen_free(&s);
}

/* Only the horizon's messages are scanned in date order; older ones go
 * by in input order and leave each person's newest dates: the outcome
 * must not depend on the input order. */
static void test_input_order(void)
{
	struct scen s;
	size_t ana;

	scen_init(&s);
	ana = person(&s, "ana@example.com", "Ana", KITH_TIER_INNER, 90);
	turn(&s, ana, NOW - 200 * DAY, 1);
	/* the user wrote 60, then (later in the input) 100 days ago */
	msg(&s, ME, "ana@example.com", NULL, "Hi", "u1@x", NULL, NOW - 60 * DAY,
	    KITH_CLASS_PERSONAL);
	msg(&s, ME, "ana@example.com", NULL, "Hi", "u0@x", NULL, NOW - 100 * DAY,
	    KITH_CLASS_PERSONAL);
	CHECK_INT(decide(&s, NOW), 0);
	CHECK(s.nw == 1 && strcmp(s.w[0].summary, "Check in with Ana: it's been 8 weeks") == 0);
	CHECK(s.nw == 1 && s.w[0].since == NOW - 60 * DAY);
	/* Ana wrote 50, then (later in the input) 90 days ago */
	msg(&s, "ana@example.com", ME, NULL, "News", "a1@x", NULL, NOW - 50 * DAY,
	    KITH_CLASS_PERSONAL);
	msg(&s, "ana@example.com", ME, NULL, "News", "a0@x", NULL, NOW - 90 * DAY,
	    KITH_CLASS_PERSONAL);
	CHECK_INT(decide(&s, NOW), 0);
	CHECK(s.nw == 1 && s.w[0].since == NOW - 50 * DAY);
	/* within the horizon the dates order: the user's answer (first in
	 * the input) came after her question */
	msg(&s, ME, "ana@example.com", NULL, "Re: Lunch?", "u2@x", "a2@x", NOW - DAY,
	    KITH_CLASS_PERSONAL);
	msg(&s, "ana@example.com", ME, NULL, "Lunch?", "a2@x", NULL, NOW - 2 * DAY,
	    KITH_CLASS_PERSONAL);
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_INT(s.nw, 0);
	CHECK_NULL(find(&s, KITH_TASK_REPLY, "ana@example.com"));
	scen_free(&s);
}

/* An array source whose second pass drops its last message. */
static int short_each(void *ctx, enum kith_pass pass, kith_msg_fn fn, void *fn_ctx)
{
	const struct kith_msg_array *ss = ctx;
	size_t n = pass == KITH_PASS_ALL ? ss->n - 1 : ss->n;
	int r = 0;

	for (size_t i = 0; i < n && r == 0; i++)
		r = fn(&ss->v[i], fn_ctx);
	return r;
}

/* The streamed entry point decides as the array one, and only over the
 * analysis' own input (its count and digest). */
static void test_source_checks(void)
{
	struct scen s;
	struct kith_msg_array arr;
	struct kith_msg_source src;
	struct kith_task_want *w = NULL;
	size_t nw = 0;

	scen_init(&s);
	person(&s, "ana@example.com", "Ana", KITH_TIER_INNER, 90);
	msg(&s, ME, "ana@example.com", NULL, "Hi", "h0@x", NULL, NOW - 100 * DAY,
	    KITH_CLASS_PERSONAL);
	msg(&s, "ana@example.com", ME, NULL, "Question", "q1@x", NULL, NOW - 3 * DAY,
	    KITH_CLASS_PERSONAL);
	CHECK_INT(decide(&s, NOW), 0);
	CHECK_INT(s.nw, 1);
	s.a.input_digest = kith_msgs_digest(s.m, s.n);
	arr = (struct kith_msg_array){ s.m, s.n };
	kith_msg_array_source(&arr, &src);
	CHECK_INT(kith_followups_decide_source(&s.a, &src, &s.p, NULL, 0, NOW, &w, &nw, NULL), 0);
	CHECK(nw == 1 && s.nw == 1 && strcmp(w[0].uid, s.w[0].uid) == 0 &&
	      strcmp(w[0].description, s.w[0].description) == 0);
	kith_task_wants_free(w, nw);
	/* other messages, or fewer, or in another order: stale */
	s.a.input_digest++;
	CHECK_INT(kith_followups_decide_source(&s.a, &src, &s.p, NULL, 0, NOW, &w, &nw, NULL), -ESTALE);
	CHECK(w == NULL && nw == 0);
	s.a.input_digest--;
	src.each = short_each;
	CHECK_INT(kith_followups_decide_source(&s.a, &src, &s.p, NULL, 0, NOW, &w, &nw, NULL), -ESTALE);
	CHECK_INT(kith_followups_decide_source(&s.a, NULL, &s.p, NULL, 0, NOW, &w, &nw, NULL), -EINVAL);
	scen_free(&s);
}

/* What the analysis gathers for the rules (fu_prep.h), as it does it. */
static struct kith_fu_prep *prep_of(const struct scen *s, int64_t now)
{
	struct kith_fu_prep *p = kith_fu_prep_new(s->p.identities, s->p.n_identities, now,
						  s->p.horizon_days);
	size_t i;

	CHECK(p != NULL);
	for (i = 0; i < s->n; i++)
		CHECK_INT(kith_fu_prep_sender(p, &s->m[i]), 0);
	CHECK_INT(kith_fu_prep_users(p), 0);
	for (i = 0; i < s->n; i++)
		CHECK_INT(kith_fu_prep_note(p, &s->m[i], s->cls[i]), 0);
	kith_fu_prep_seal(p);
	return p;
}

/* The rules reading only the horizon decide what reading everything
 * decides: Ana's old mail (quiet_since) and her question (a reply task)
 * come through the analysis' notes; a horizon message the analysis did not
 * see this way is stale; with other identities the whole read is taken. */
static void test_horizon_path(void)
{
	static const char *const ids[] = { ME };
	struct scen s;
	struct kith_msg_array arr;
	struct kith_msg_source src;
	struct kith_task_want *w = NULL;
	size_t nw = 0;
	int64_t next = 0, next0 = 0;

	scen_init(&s);
	s.p.identities = ids;
	s.p.n_identities = 1;
	person(&s, "ana@example.com", "Ana", KITH_TIER_INNER, 90);
	person(&s, "ben@example.com", "Ben", KITH_TIER_CLOSE, 70);
	msg(&s, ME, "ben@example.com", NULL, "Plans", "b0@x", NULL, NOW - 120 * DAY,
	    KITH_CLASS_PERSONAL);
	msg(&s, "ben@example.com", ME, NULL, "Re: Plans", "b1@x", "b0@x", NOW - 119 * DAY,
	    KITH_CLASS_PERSONAL);
	turn(&s, 1, NOW - 120 * DAY, 1);
	turn(&s, 1, NOW - 119 * DAY, 0);
	msg(&s, ME, "ana@example.com", NULL, "Hi", "h0@x", NULL, NOW - 100 * DAY,
	    KITH_CLASS_PERSONAL);
	msg(&s, "ana@example.com", ME, NULL, "Question?", "q1@x", NULL, NOW - 3 * DAY,
	    KITH_CLASS_PERSONAL);
	CHECK_INT(decide(&s, NOW), 0);
	CHECK(s.nw >= 2); /* the reply to Ana, keep in touch with Ben */
	kith_followups_decide(&s.a, s.m, s.n, &s.p, NULL, 0, NOW, &w, &nw, &next0);
	kith_task_wants_free(w, nw);
	s.a.fu = prep_of(&s, NOW);
	arr = (struct kith_msg_array){ s.m, s.n };
	kith_msg_array_source(&arr, &src);
	src.each = short_each; /* it drops a message: only the horizon path can decide */
	CHECK_INT(kith_followups_decide_source(&s.a, &src, &s.p, NULL, 0, NOW, &w, &nw, &next), 0);
	CHECK_INT(nw, s.nw);
	for (size_t i = 0; i < nw && i < s.nw; i++)
		CHECK(strcmp(w[i].uid, s.w[i].uid) == 0 &&
		      strcmp(w[i].description, s.w[i].description) == 0 && w[i].due == s.w[i].due);
	CHECK(next == next0);
	kith_task_wants_free(w, nw);
	s.m[3].date += 60; /* not the message the analysis saw */
	CHECK_INT(kith_followups_decide_source(&s.a, &src, &s.p, NULL, 0, NOW, &w, &nw, NULL),
		  -ESTALE);
	s.m[3].date -= 60;
	s.p.n_identities = 0; /* other identities: the whole read, digest checked */
	s.a.input_digest = kith_msgs_digest(s.m, s.n);
	kith_msg_array_source(&arr, &src);
	CHECK_INT(kith_followups_decide_source(&s.a, &src, &s.p, NULL, 0, NOW, &w, &nw, NULL), 0);
	kith_task_wants_free(w, nw);
	kith_fu_prep_free(s.a.fu);
	s.a.fu = NULL;
	scen_free(&s);
}

/* Rules later than the analysis by more than their horizon: a message
 * dated between the analysis' now and the horizon is in neither part of
 * what it gathered, so the whole read is taken (the same tasks). */
static void test_horizon_later_now(void)
{
	static const char *const ids[] = { ME };
	struct scen s;
	struct kith_msg_array arr;
	struct kith_msg_source src;
	struct kith_task_want *w = NULL, *w0 = NULL;
	size_t nw = 0, n0 = 0;

	scen_init(&s);
	s.p.identities = ids;
	s.p.n_identities = 1;
	person(&s, "ana@example.com", "Ana", KITH_TIER_INNER, 90);
	msg(&s, ME, "ana@example.com", NULL, "Hi", "h0@x", NULL, NOW - 100 * DAY,
	    KITH_CLASS_PERSONAL);
	msg(&s, ME, "ana@example.com", NULL, "Again", "h1@x", NULL, NOW + 2 * DAY,
	    KITH_CLASS_PERSONAL);
	turn(&s, 0, NOW - 100 * DAY, 1);
	CHECK_INT(decide(&s, NOW + 40 * DAY), 0);
	CHECK_INT(kith_followups_decide(&s.a, s.m, s.n, &s.p, NULL, 0, NOW + 40 * DAY, &w0, &n0,
					NULL), 0);
	s.a.fu = prep_of(&s, NOW);
	s.a.input_digest = kith_msgs_digest(s.m, s.n);
	arr = (struct kith_msg_array){ s.m, s.n };
	kith_msg_array_source(&arr, &src);
	CHECK_INT(kith_followups_decide_source(&s.a, &src, &s.p, NULL, 0, NOW + 40 * DAY, &w, &nw,
					       NULL), 0);
	CHECK_INT(nw, n0);
	for (size_t i = 0; i < nw && i < n0; i++)
		CHECK(strcmp(w[i].uid, w0[i].uid) == 0 &&
		      strcmp(w[i].description, w0[i].description) == 0);
	kith_task_wants_free(w, nw);
	kith_task_wants_free(w0, n0);
	kith_fu_prep_free(s.a.fu);
	s.a.fu = NULL;
	scen_free(&s);
}

/* next_change names the moment each rule's answer turns, and the decision
 * holds until then: a waiting delay running out, a reply window closing,
 * a snooze ending, someone becoming due for keep-in-touch, a span's
 * wording; the end of the UTC day when nothing comes sooner. */
static void test_next_change(void)
{
	struct scen s;
	const struct kith_task_want *w;

	scen_init(&s);
	CHECK_INT(decide_next(&s, NOW), NOW + DAY); /* nothing: the day's end */
	CHECK_INT(decide_next(&s, NOW + 5000), NOW + DAY);
	/* Ben (active: 5 days) was asked something 5 days less an hour ago */
	person(&s, "ben@example.com", "Ben Stone", KITH_TIER_ACTIVE, 45);
	msg(&s, ME, "ben@example.com", NULL, "Can you send the report?", "w1@x", NULL,
	    NOW - 5 * DAY + 3600, KITH_CLASS_PERSONAL);
	CHECK_INT(decide_next(&s, NOW), NOW + 3600);
	CHECK_NULL(find(&s, KITH_TASK_WAITING, "ben@example.com"));
	decide_next(&s, NOW + 3599);
	CHECK_NULL(find(&s, KITH_TASK_WAITING, "ben@example.com"));
	CHECK_INT(decide_next(&s, NOW + 3600), NOW + DAY); /* it leaves the horizon later */
	CHECK(find(&s, KITH_TASK_WAITING, "ben@example.com") != NULL);
	scen_free(&s);

	/* Ana (close) wrote 5 days less two hours ago: her reply task closes
	 * one second after the window's 5 days */
	scen_init(&s);
	person(&s, "ana@example.com", "Ana Ruiz", KITH_TIER_CLOSE, 70);
	msg(&s, "ana@example.com", ME, NULL, "Budget", "b1@x", NULL, NOW - 5 * DAY + 7200,
	    KITH_CLASS_PERSONAL);
	CHECK_INT(decide_next(&s, NOW), NOW + 7201);
	CHECK(find(&s, KITH_TASK_REPLY, "ana@example.com") != NULL);
	decide_next(&s, NOW + 7200);
	CHECK(find(&s, KITH_TASK_REPLY, "ana@example.com") != NULL);
	decide_next(&s, NOW + 7201);
	CHECK_NULL(find(&s, KITH_TASK_REPLY, "ana@example.com"));
	/* snoozed for ten minutes: the snooze's end comes first */
	s.sn[0] = (struct kith_snooze){ "ana@example.com", NOW + 600 };
	s.nsn = 1;
	CHECK_INT(decide_next(&s, NOW), NOW + 600);
	CHECK_INT(s.nw, 0);
	CHECK_INT(decide_next(&s, NOW + 600), NOW + 7201);
	CHECK_INT(s.nw, 1);
	scen_free(&s);

	/* Ivy (inner: every 14 days) last wrote 14 days less half an hour ago */
	scen_init(&s);
	turn(&s, person(&s, "ivy@example.com", "Ivy", KITH_TIER_INNER, 90),
	     NOW - 14 * DAY + 1800, 0);
	CHECK_INT(decide_next(&s, NOW), NOW + 1800);
	CHECK_INT(s.nw, 0);
	decide_next(&s, NOW + 1800);
	CHECK(find(&s, KITH_TASK_KEEP_IN_TOUCH, "ivy@example.com") != NULL);
	scen_free(&s);

	/* Joe (inner) has been quiet 3 weeks less 3000 s: "2 weeks" until the
	 * third week is full */
	scen_init(&s);
	turn(&s, person(&s, "joe@example.com", "Joe", KITH_TIER_INNER, 90),
	     NOW + 3000 - 21 * DAY, 0);
	CHECK_INT(decide_next(&s, NOW), NOW + 3000);
	w = find(&s, KITH_TASK_KEEP_IN_TOUCH, "joe@example.com");
	CHECK(w && strcmp(w->summary, "Check in with Joe: it's been 2 weeks") == 0);
	decide_next(&s, NOW + 3000);
	w = find(&s, KITH_TASK_KEEP_IN_TOUCH, "joe@example.com");
	CHECK(w && strcmp(w->summary, "Check in with Joe: it's been 3 weeks") == 0);
	scen_free(&s);

	/* Kim (fading: the 90-day cadence) quiet two years less 3000 s: "24
	 * months" turns into "2 years" at day 730, not a month later */
	scen_init(&s);
	turn(&s, person(&s, "kim@example.com", "Kim", KITH_TIER_FADING, 30),
	     NOW + 3000 - 730 * DAY, 0);
	CHECK_INT(decide_next(&s, NOW), NOW + 3000);
	w = find(&s, KITH_TASK_KEEP_IN_TOUCH, "kim@example.com");
	CHECK(w && strcmp(w->summary, "Check in with Kim: it's been 24 months") == 0);
	decide_next(&s, NOW + 3000);
	w = find(&s, KITH_TASK_KEEP_IN_TOUCH, "kim@example.com");
	CHECK(w && strcmp(w->summary, "Check in with Kim: it's been 2 years") == 0);
	scen_free(&s);
}

/* The moments a message leaves the horizon or comes of age. */
static void test_next_change_horizon(void)
{
	struct scen s;
	const struct kith_task_want *w;
	int64_t h = 21 * (int64_t)DAY; /* the default horizon */

	/* a waiting task whose question leaves the horizon one hour from now */
	scen_init(&s);
	person(&s, "ben@example.com", "Ben Stone", KITH_TIER_ACTIVE, 45);
	msg(&s, ME, "ben@example.com", NULL, "Can you send the report?", "w1@x", NULL,
	    NOW - h + 3600, KITH_CLASS_PERSONAL);
	CHECK_INT(decide_next(&s, NOW), NOW + 3601);
	CHECK(find(&s, KITH_TASK_WAITING, "ben@example.com") != NULL);
	decide_next(&s, NOW + 3601);
	CHECK_NULL(find(&s, KITH_TASK_WAITING, "ben@example.com"));
	scen_free(&s);

	/* two unanswered mails from Ana: when the older leaves the horizon the
	 * task names the newer */
	scen_init(&s);
	person(&s, "ana@example.com", "Ana Ruiz", KITH_TIER_CLOSE, 70);
	s.p.reply_window_days = 30;
	msg(&s, "ana@example.com", ME, NULL, "First", "x1@x", NULL, NOW - h + 600,
	    KITH_CLASS_PERSONAL);
	msg(&s, "ana@example.com", ME, NULL, "Second", "y1@x", NULL, NOW - DAY,
	    KITH_CLASS_PERSONAL);
	CHECK_INT(decide_next(&s, NOW), NOW + 601);
	w = find(&s, KITH_TASK_REPLY, "ana@example.com");
	CHECK(w && strcmp(w->message_id, "x1@x") == 0);
	decide_next(&s, NOW + 601);
	w = find(&s, KITH_TASK_REPLY, "ana@example.com");
	CHECK(w && strcmp(w->message_id, "y1@x") == 0);
	scen_free(&s);

	/* a mail dated ten minutes ahead (a sender's clock) counts once its
	 * date has passed */
	scen_init(&s);
	person(&s, "ana@example.com", "Ana Ruiz", KITH_TIER_CLOSE, 70);
	msg(&s, "ana@example.com", ME, NULL, "Early", "e1@x", NULL, NOW + 600,
	    KITH_CLASS_PERSONAL);
	CHECK_INT(decide_next(&s, NOW), NOW + 601);
	CHECK_INT(s.nw, 0);
	decide_next(&s, NOW + 601);
	CHECK(find(&s, KITH_TASK_REPLY, "ana@example.com") != NULL);
	scen_free(&s);

	/* a date gains its year once the year turns: the day's end covers it */
	scen_init(&s);
	person(&s, "ben@example.com", "Ben Stone", KITH_TIER_ACTIVE, 45);
	msg(&s, ME, "ben@example.com", NULL, "Plans?", "p1@x", NULL,
	    1735689600LL - 6 * DAY, KITH_CLASS_PERSONAL); /* 26 Dec 2024 */
	CHECK_INT(decide_next(&s, 1735689600LL - 3600), 1735689600LL); /* 2025-01-01 */
	w = find(&s, KITH_TASK_WAITING, "ben@example.com");
	CHECK(w && strstr(w->summary, "your 26 Dec mail") != NULL);
	decide_next(&s, 1735689600LL);
	w = find(&s, KITH_TASK_WAITING, "ben@example.com");
	CHECK(w && strstr(w->summary, "your 26 Dec 2024 mail") != NULL);
	scen_free(&s);
}

int main(void)
{
	test_reply_delay();
	test_reply_delay_other_tier();
	test_user_reply_completes();
	test_bulk_never();
	test_list_mail_by_author();
	test_direct_only();
	test_stranger_needs_relationship();
	test_horizon();
	test_snooze();
	test_waiting();
	test_waiting_not_expected();
	test_keep_in_touch_rhythm();
	test_keep_in_touch_cadence_and_cap();
	test_no_duplicate_kinds();
	test_gmail_normalisation();
	test_identities_param();
	test_bad_input();
	test_text_helpers();
	test_importance_order();
	test_input_order();
	test_source_checks();
	test_horizon_path();
	test_horizon_later_now();
	test_next_change();
	test_next_change_horizon();
	return T_DONE();
}
