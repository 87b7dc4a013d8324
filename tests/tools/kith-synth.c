/* kith-synth: build a synthetic kith database for tests and benchmarks.
 *
 *   kith-synth DATA_DIR [--messages N] [--people P] [--as-of YYYY-MM-DD]
 *              [--seed S] [--analyze]
 *
 * Writes N messages between the user (me@synth.example) and P people
 * through the store API, in conversations of alternating messages spread
 * over the five years before --as-of.  Then the derived tables: by default
 * a synthetic analysis built from the same model (people ranked by a depth
 * made of reciprocity, volume and recency; every reply is a turn), which is
 * fast at a million messages; with --analyze the real kith_analyze run on
 * the stored messages.  Deterministic for a given seed.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/analyze.h"
#include "../../lib/isodate.h"
#include "store.h"

static const char *const firsts[] = {
	"Ann", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi", "Ivan", "Judy",
	"Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter",
	"Zoë", "José", "Łukasz", "Ingrid", "Yuki", "Amara", "Chen", "Fatima", "Lars", "Priya",
	"Omar", "Sofia", "Tomás",
};
static const char *const lasts[] = {
	"Archer", "Baker", "Carter", "Dalton", "Ellis", "Fischer", "García", "Hughes",
	"Ibsen", "Jansen", "Kowalski", "Lambert", "Moreau", "Nakamura", "O'Brien", "Petrov",
	"Quinn", "Rossi", "Schmidt", "Tanaka", "Umar", "Vargas", "Weber", "Xu", "Young",
	"Zimmermann", "Andersson", "Brennan", "Costa", "Dubois", "Eriksen", "Fontaine",
};
#define NF (sizeof(firsts) / sizeof(firsts[0]))
#define NL (sizeof(lasts) / sizeof(lasts[0]))

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

struct synth_person {
	char addr[64], name[64];
	uint32_t n_msgs;               /* messages to write for this person */
	uint32_t msgs_from, msgs_to, convs, turns_user, turns_them;
	uint32_t init_user, init_them;
	int64_t first, last, last_from, last_to;
	int64_t lat_sum_user, lat_sum_them;
	double depth;
	size_t rank;
};

struct synth {
	const char *dir;
	size_t n_msgs, n_people;
	int64_t as_of;
	int analyze;
	struct synth_person *people;
	struct kith_store *st;
	/* the synthetic analysis, filled while writing */
	struct kith_conversation *convs; size_t n_convs, cap_convs;
	struct kith_turn *turns; size_t n_turns, cap_turns;
};

/* Zipf-like shares: person i gets about N / (i+1)^0.9, at least one. */
static void share_messages(struct synth *s)
{
	double sum = 0;
	size_t left = s->n_msgs;

	for (size_t i = 0; i < s->n_people; i++)
		sum += 1.0 / pow((double)i + 1.0, 0.9);
	for (size_t i = 0; i < s->n_people; i++) {
		double w = 1.0 / pow((double)i + 1.0, 0.9) / sum;
		size_t k = (size_t)((double)s->n_msgs * w);

		if (k < 1)
			k = 1;
		if (k > left)
			k = left;
		s->people[i].n_msgs = (uint32_t)k;
		left -= k;
	}
	for (size_t i = 0; left; i = (i + 1) % s->n_people, left--)
		s->people[i].n_msgs++;
}

static void name_people(struct synth *s)
{
	for (size_t i = 0; i < s->n_people; i++) {
		struct synth_person *p = &s->people[i];

		snprintf(p->name, sizeof(p->name), "%s %s", firsts[i % NF],
			 lasts[(7 * i + i / NF) % NL]); /* unique per (i % NF, i / NF) */
		if (i >= NF * NL) /* beyond the name grid: keep names unique */
			snprintf(p->name + strlen(p->name), sizeof(p->name) - strlen(p->name),
				 " %zu", i / (NF * NL));
		snprintf(p->addr, sizeof(p->addr), "p%05zu@synth.example", i);
		p->first = p->last = p->last_from = p->last_to = KITH_DATE_NONE;
	}
}

static int push_conv(struct synth *s, const struct kith_conversation *c)
{
	if (s->n_convs == s->cap_convs) {
		size_t cap = s->cap_convs ? s->cap_convs * 2 : 1024;
		void *p = realloc(s->convs, cap * sizeof(*s->convs));

		if (!p)
			return -ENOMEM;
		s->convs = p;
		s->cap_convs = cap;
	}
	s->convs[s->n_convs++] = *c;
	return 0;
}

static int push_turn(struct synth *s, const struct kith_turn *t)
{
	if (s->n_turns == s->cap_turns) {
		size_t cap = s->cap_turns ? s->cap_turns * 2 : 4096;
		void *p = realloc(s->turns, cap * sizeof(*s->turns));

		if (!p)
			return -ENOMEM;
		s->turns = p;
		s->cap_turns = cap;
	}
	s->turns[s->n_turns++] = *t;
	return 0;
}

/* One stored message; *id gets its row id (the store's dedup makes the
 * content key unique: sender, date, subject, recipients). */
static int write_msg(struct synth *s, size_t pi, int by_user, int64_t date,
		     const char *subject, uint32_t uid, uint32_t *mid)
{
	struct synth_person *p = &s->people[pi];
	struct kith_addr to = { .addr = by_user ? p->addr : "me@synth.example",
				.name = by_user ? p->name : "Me Myself" };
	char msgid[64];
	struct kith_msg m = {
		.message_id = msgid, .date = date, .subject = (char *)subject,
		.from = { .addr = by_user ? "me@synth.example" : p->addr,
			  .name = by_user ? "Me Myself" : p->name },
		.rcpt = &to, .n_to = 1, .n_rcpt_total = 1,
	};

	snprintf(msgid, sizeof(msgid), "synth.%u.%zu@synth.example", uid, pi);
	*mid = uid;
	return kith_store_add_message(s->st, "synth", by_user ? "Sent" : "INBOX",
				      by_user ? KITH_FOLDER_SENT : 0, 1, uid, &m);
}

/* A conversation of len alternating messages; every reply is a turn. */
static int write_conv(struct synth *s, size_t pi, int64_t start, uint32_t len, uint32_t *uid)
{
	struct synth_person *p = &s->people[pi];
	int by_user = (int)(rnd() % 2);
	char subj[80];
	struct kith_conversation c = { .person = pi, .first = start, .initiated_by_user = by_user };
	int64_t t = start, prev = start;
	uint32_t mid;
	int r = 0;

	snprintf(subj, sizeof(subj), "%s %u", len > 1 ? "Re: plans" : "hello", *uid);
	c.subject = strdup(subj + (len > 1 ? 4 : 0));
	for (uint32_t k = 0; k < len && r == 0; k++, by_user = !by_user) {
		r = write_msg(s, pi, by_user, t, k ? subj : subj + (len > 1 ? 4 : 0), ++*uid, &mid);
		if (k == 0)
			c.root_msg_id = mid;
		c.last_msg_id = mid;
		c.last = t;
		c.last_by_user = by_user;
		if (by_user) {
			p->msgs_to++;
			p->last_to = t;
		} else {
			p->msgs_from++;
			p->last_from = t;
		}
		if (k > 0) {
			struct kith_turn tu = { .msg_id = mid, .person = pi, .conversation = s->n_convs,
						.date = t, .by_user = by_user, .latency = t - prev };

			by_user ? c.turns_user++ : c.turns_them++;
			by_user ? (p->turns_user++, p->lat_sum_user += t - prev)
				: (p->turns_them++, p->lat_sum_them += t - prev);
			r = push_turn(s, &tu);
			if (p->first == KITH_DATE_NONE)
				p->first = prev;
			p->last = t;
		}
		prev = t;
		t += 600 + (int64_t)(rnd() % (3 * 86400));
	}
	if (len > 1) {
		p->convs++;
		c.initiated_by_user ? p->init_user++ : p->init_them++;
		if (r == 0)
			r = push_conv(s, &c);
	} else {
		free(c.subject);
	}
	return r;
}

/* A person's messages as conversations of 1..6, spread evenly over the
 * span, the most recent ending near as_of for the deepest people. */
static int write_person(struct synth *s, size_t pi, uint32_t *uid)
{
	struct synth_person *p = &s->people[pi];
	const int64_t span = 5 * 365 * 86400LL;
	uint32_t left = p->n_msgs, n_convs = (p->n_msgs + 3) / 4, k = 0;
	int64_t quiet = (int64_t)(rnd() % 5 == 0 ? rnd() % (400 * 86400LL) : rnd() % (20 * 86400LL));
	int64_t end = s->as_of - 20 * 86400 - quiet, start = s->as_of - span;
	int r = 0;

	/* conversations of 1..6 messages (each gap < 3 days) spread evenly over
	 * [start, end]: nothing is dated at or after as_of */
	while (left && r == 0) {
		uint32_t len = 1 + (uint32_t)(rnd() % 6);
		int64_t at = n_convs > 1 ? start + (end - start) * (int64_t)k / (int64_t)(n_convs - 1)
					 : end;

		if (at > end)
			at = end;
		if (len > left)
			len = left;
		r = write_conv(s, pi, at + (int64_t)(rnd() % 3600), len, uid);
		left -= len;
		k++;
	}
	return r;
}

static int write_messages(struct synth *s)
{
	uint32_t uid = 0, committed = 0;
	int r = kith_store_begin(s->st);

	for (size_t i = 0; i < s->n_people && r == 0; i++) {
		r = write_person(s, i, &uid);
		if (r == 0 && uid - committed >= 20000) { /* one transaction per ~20k */
			r = kith_store_commit(s->st);
			if (r == 0)
				r = kith_store_begin(s->st);
			committed = uid;
		}
	}
	if (r == 0)
		r = kith_store_set_folder(s->st, "synth", "INBOX", 0, 1, uid, uid + 1, uid);
	if (r == 0)
		r = kith_store_set_folder(s->st, "synth", "Sent", KITH_FOLDER_SENT, 1, uid, uid + 1, uid);
	if (r == 0)
		r = kith_store_commit(s->st);
	else
		kith_store_rollback(s->st);
	if (r == 0)
		r = kith_store_account_status(s->st, "synth", s->as_of, NULL);
	return r;
}

/* The model's depth: reciprocity, volume (log turns) and recency. */
static void score(struct synth *s, struct synth_person *p, struct kith_person *o)
{
	uint32_t lo = p->turns_user < p->turns_them ? p->turns_user : p->turns_them;
	uint32_t hi = p->turns_user < p->turns_them ? p->turns_them : p->turns_user;
	double recip = hi ? (double)lo / hi : 0, turns = p->turns_user + p->turns_them;
	double days = p->last == KITH_DATE_NONE ? 9999 : (double)(s->as_of - p->last) / 86400.0;
	double pv = 40.0 * fmin(1.0, log1p(turns) / log1p(2000.0)), pr = 30.0 * recip;
	double pt = 30.0 * exp(-days / 180.0);

	o->factors[0] = (struct kith_factor){ "reciprocity", recip, "ratio", pr };
	o->factors[1] = (struct kith_factor){ "volume", turns, "turns", pv };
	o->factors[2] = (struct kith_factor){ "recency", days, "days", pt };
	o->n_factors = 3;
	o->depth = turns ? pr + pv + pt : 0;
	p->depth = o->depth;
}

static void fill_person(struct synth *s, size_t pi, struct kith_person *o, char **addr)
{
	struct synth_person *p = &s->people[pi];

	memset(o, 0, sizeof(*o));
	score(s, p, o);
	*addr = p->addr;
	o->key = p->addr;
	o->name = p->name;
	o->addrs = addr;
	o->n_addrs = 1;
	o->msgs_from = p->msgs_from;
	o->msgs_to = p->msgs_to;
	o->conversations = p->convs;
	o->turns_user = p->turns_user;
	o->turns_them = p->turns_them;
	o->initiated_user = p->init_user;
	o->initiated_them = p->init_them;
	o->latency_user = p->turns_user ? p->lat_sum_user / p->turns_user : -1;
	o->latency_them = p->turns_them ? p->lat_sum_them / p->turns_them : -1;
	o->first_exchange = p->first;
	o->last_exchange = p->last;
	o->last_from = p->last_from;
	o->last_to = p->last_to;
}

static int by_depth(const void *a, const void *b)
{
	const struct kith_person *x = a, *y = b;

	if (x->depth != y->depth)
		return x->depth < y->depth ? 1 : -1;
	return strcmp(x->key, y->key);
}

/* Tiers by rank (5/15/50/150); a ranked person quiet for 180 days fades. */
static void assign_tiers(struct synth *s, struct kith_person *v, size_t n)
{
	static const size_t limits[] = { 5, 20, 70, 220 };

	for (size_t i = 0; i < n; i++) {
		enum kith_tier t = KITH_TIER_NONE;

		for (size_t k = 0; k < 4; k++)
			if (i < limits[k] && v[i].conversations) {
				t = (enum kith_tier)(KITH_TIER_INNER + k);
				break;
			}
		if (t != KITH_TIER_NONE && v[i].last_exchange != KITH_DATE_NONE &&
		    s->as_of - v[i].last_exchange > 180 * 86400LL)
			t = KITH_TIER_FADING;
		v[i].tier = t;
	}
}

/* The synthetic analysis: people sorted deepest first, turns and
 * conversations re-pointed at the sorted indices. */
static int save_synthetic(struct synth *s)
{
	struct kith_person *v = calloc(s->n_people, sizeof(*v));
	char **addrs = calloc(s->n_people, sizeof(*addrs));
	size_t *where = calloc(s->n_people, sizeof(*where));
	struct kith_analysis a = { 0 };
	int r = -ENOMEM;

	if (!v || !addrs || !where)
		goto out;
	for (size_t i = 0; i < s->n_people; i++)
		fill_person(s, i, &v[i], &addrs[i]);
	qsort(v, s->n_people, sizeof(*v), by_depth);
	for (size_t i = 0; i < s->n_people; i++)
		where[strtoul(v[i].key + 1, NULL, 10)] = i; /* "pNNNNN@..." */
	assign_tiers(s, v, s->n_people);
	for (size_t i = 0; i < s->n_convs; i++)
		s->convs[i].person = where[s->convs[i].person];
	for (size_t i = 0; i < s->n_turns; i++)
		s->turns[i].person = where[s->turns[i].person];
	a.people = v;
	a.n_people = s->n_people;
	a.conversations = s->convs;
	a.n_conversations = s->n_convs;
	a.turns = s->turns;
	a.n_turns = s->n_turns;
	a.n_msgs = s->n_msgs;
	a.n_personal = (uint32_t)s->n_msgs;
	r = kith_store_save_analysis(s->st, &a, NULL, s->as_of);
out:
	free(v);
	free(addrs);
	free(where);
	return r;
}

/* --analyze: the real pipeline on what was stored. */
static int save_real(struct synth *s)
{
	const char *ids[] = { "me@synth.example" };
	struct kith_policy pol = { .identities = ids, .n_identities = 1 };
	struct kith_msg *msgs = NULL;
	struct kith_analysis *a = NULL;
	size_t n = 0;
	int r = kith_store_load_messages(s->st, s->as_of, &msgs, &n);

	if (r == 0)
		r = kith_analyze(msgs, n, &pol, s->as_of, &a);
	if (r == 0)
		r = kith_store_save_analysis(s->st, a, msgs, s->as_of);
	kith_analysis_free(a);
	kith_msgs_free(msgs, n);
	return r;
}

static int parse_args(int argc, char **argv, struct synth *s)
{
	s->n_msgs = 1000;
	s->n_people = 50;
	if (kith_isodate_parse("2024-06-01", &s->as_of) < 0 || argc < 2)
		return -EINVAL;
	s->dir = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--analyze")) {
			s->analyze = 1;
			continue;
		}
		if (!v)
			return -EINVAL;
		i++;
		if (!strcmp(a, "--messages"))
			s->n_msgs = strtoul(v, NULL, 10);
		else if (!strcmp(a, "--people"))
			s->n_people = strtoul(v, NULL, 10);
		else if (!strcmp(a, "--seed"))
			rng_state ^= strtoull(v, NULL, 10) * 0x2545F4914F6CDD1DULL;
		else if (!strcmp(a, "--as-of") && kith_isodate_parse(v, &s->as_of) == 0)
			continue;
		else
			return -EINVAL;
	}
	return s->n_people && s->n_msgs >= s->n_people && s->n_people <= 99999 ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	struct synth s = { 0 };
	const char *ids[] = { "me@synth.example" };
	char err[512];
	int r;

	if (parse_args(argc, argv, &s) < 0) {
		fprintf(stderr, "usage: kith-synth DATA_DIR [--messages N] [--people P (<= N,"
			" <= 99999)] [--as-of YYYY-MM-DD] [--seed S] [--analyze]\n");
		return 2;
	}
	s.people = calloc(s.n_people, sizeof(*s.people));
	if (!s.people)
		return 1;
	name_people(&s);
	share_messages(&s);
	r = kith_store_open(s.dir, 0, &s.st, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "kith-synth: %s\n", err);
		return 1;
	}
	r = kith_store_set_identities(s.st, ids, 1);
	if (r == 0)
		r = write_messages(&s);
	if (r == 0)
		r = s.analyze ? save_real(&s) : save_synthetic(&s);
	if (r < 0)
		fprintf(stderr, "kith-synth: %s (%s)\n", strerror(-r), kith_store_errmsg(s.st));
	else
		printf("kith-synth: %zu messages, %zu people, %zu conversations, %zu turns in %s\n",
		       s.n_msgs, s.n_people, s.n_convs, s.n_turns, s.dir);
	for (size_t i = 0; i < s.n_convs; i++)
		free(s.convs[i].subject);
	free(s.convs);
	free(s.turns);
	free(s.people);
	kith_store_close(s.st);
	return r < 0 ? 1 : 0;
}
