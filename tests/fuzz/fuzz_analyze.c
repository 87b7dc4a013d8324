/* fuzz_analyze.c: libFuzzer target for the judgement core: arbitrary message
 * sets through kith_analyze() and kith_followups_decide().
 *
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -Ilib tests/fuzz/fuzz_analyze.c lib/[a-z]*.c -lm
 *
 * Input layout (see make_seeds.sh, which writes seeds in it):
 *
 *   P0 P1 P2 P3            policy bytes (identities, merges, pins, now ...)
 *   { "\n%%" C D header-text }*
 *
 * The text before the first "\n%%" after the policy bytes is message 0;
 * every "\n%%" starts another message.  C and D are control bytes of that
 * message: C bit 0 sets KITH_MSG_IN_SENT; bits 1-2 override the sender
 * (1: me@example.org, 2: the alias Me@Example.ORG+tag, 3: bob) and bits 3-4
 * the first recipient the same way (so a two-way conversation is easy to
 * reach); bit 5 replaces the Date: with now - D hours * (P3 + 1); bit 6
 * makes In-Reply-To the previous message's Message-ID; bit 7 drops the date.
 * Each header text goes through kith_hdr_parse() as kithd would store it.
 *
 * Then the analysis and the follow-up decision run, everything is freed,
 * and the invariants of the contract (analyze.h, followup.h) are checked:
 * a broken one aborts, which libFuzzer reports as a crash.  When P3 has
 * bit 7 set, the analysis runs twice and must come out the same.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "followup.h"
#include "hdr.h"
#include "hdrtext.h"
#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_MSGS 48
#define NOW_BASE 1600000000LL /* 2020-09-13 */

static const char *const ids_all[] = { "me@example.org", "me+tag@example.org",
				       "jeff.skilling@enron.com" };
static const char *const bob_addrs[] = { "bob@example.com", "robert@example.net" };
static const struct kith_merge merge_bob = { "Bob", bob_addrs, 2 };
static const char *const split_one[] = { "robert@example.net" };
static const char *const ignore_some[] = { "@lists.example.org", "noreply@example.com" };
static const struct kith_pin pins[] = { { "bob@example.com", KITH_TIER_INNER },
					{ "carol@example.net", KITH_TIER_WIDER } };

/* Stand-in addresses for the sender / first recipient override bits. */
static const char *const who[] = { NULL, "me@example.org", "me+tag@example.org",
				   "bob@example.com" };

#define CHECK(c) do { if (!(c)) abort(); } while (0)


/* Valid UTF-8 without control characters (tab allowed; newline only when
 * allow_nl: descriptions keep their lines). */
static void check_utf8(const char *s, int allow_nl)
{
	size_t i = 0, n, l;

	if (!s)
		return;
	n = strlen(s);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		l = kith_utf8_seq_len((const unsigned char *)s + i, n - i);
		CHECK(l != 0);
		CHECK(c >= 0x20 || c == '\t' || (allow_nl && c == '\n'));
		i += l;
	}
}

/* Replaces an owned address string with a copy of `addr`. */
static void set_addr(char **slot, const char *addr)
{
	char *d = strdup(addr);

	if (!d)
		return;
	free(*slot);
	*slot = d;
}

/* Applies the control bytes C, D of message i (see the file comment). */
static void apply_ctl(struct kith_msg *m, uint8_t c, uint8_t d, uint8_t p3,
		      const struct kith_msg *prev, int64_t now)
{
	if (c & 1)
		m->flags |= KITH_MSG_IN_SENT;
	if ((c >> 1) & 3)
		set_addr(&m->from.addr, who[(c >> 1) & 3]);
	if (((c >> 3) & 3) && m->n_to + m->n_cc > 0)
		set_addr(&m->rcpt[0].addr, who[(c >> 3) & 3]);
	if (c & 0x20)
		m->date = now - (int64_t)d * 3600 * (p3 + 1);
	if ((c & 0x40) && prev && prev->message_id) {
		char *d2 = strdup(prev->message_id);

		if (d2) {
			free(m->in_reply_to);
			m->in_reply_to = d2;
		}
	}
	if (c & 0x80)
		m->date = KITH_DATE_NONE;
}

static const uint8_t *find_sep(const uint8_t *p, const uint8_t *end)
{
	for (; p + 3 <= end; p++)
		if (p[0] == '\n' && p[1] == '%' && p[2] == '%')
			return p;
	return end;
}

/* Splits the input into messages; returns how many were parsed into v. */
static size_t decode(const uint8_t *p, const uint8_t *end, uint8_t p3, int64_t now,
		     struct kith_msg *v)
{
	size_t n = 0;
	uint8_t c = 0, d = 0;

	while (p <= end && n < MAX_MSGS) {
		const uint8_t *q = find_sep(p, end);

		if (kith_hdr_parse((const char *)p, (size_t)(q - p), &v[n]) == 0) {
			v[n].id = (int64_t)n + 1;
			apply_ctl(&v[n], c, d, p3, n ? &v[n - 1] : NULL, now);
			n++;
		}
		if (q == end)
			break;
		p = q + 3;
		c = p < end ? *p++ : 0;
		d = p < end ? *p++ : 0;
	}
	return n;
}

static void policy_from(uint8_t p0, uint8_t p1, struct kith_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	pol->identities = ids_all;
	pol->n_identities = p0 & 3;
	if (p0 & 4) {
		pol->merges = &merge_bob;
		pol->n_merges = 1;
	}
	if (p0 & 8) {
		pol->splits = split_one;
		pol->n_splits = 1;
	}
	if (p0 & 16) {
		pol->ignores = ignore_some;
		pol->n_ignores = 2;
	}
	pol->pins = pins;
	pol->n_pins = (p0 >> 5) & 1 ? 2 : 0;
	pol->strip_plus_tags = (p0 >> 6) & 1;
	pol->half_life_days = p1 & 0x80 ? 0 : (double)(p1 & 0x7f) / 4;
}

static void check_person(const struct kith_person *p)
{
	double sum = 0;
	size_t i;

	CHECK(p->key && p->key[0]);
	check_utf8(p->name, 0);
	CHECK(p->n_addrs == 0 || p->addrs);
	for (i = 0; i < p->n_addrs; i++) {
		const char *s;

		CHECK(p->addrs[i]);
		for (s = p->addrs[i]; *s; s++)
			CHECK(!(*s >= 'A' && *s <= 'Z'));
	}
	CHECK(isfinite(p->depth) && p->depth >= 0 && p->depth <= 100);
	CHECK(p->n_factors <= KITH_MAX_FACTORS);
	for (i = 0; i < p->n_factors; i++) {
		CHECK(p->factors[i].name && p->factors[i].unit);
		CHECK(isfinite(p->factors[i].points) && p->factors[i].points >= 0);
		sum += p->factors[i].points;
	}
	CHECK(fabs(sum - p->depth) < 1e-6);
	CHECK(p->tier >= KITH_TIER_NONE && p->tier <= KITH_TIER_FADING);
	CHECK(p->first_exchange == KITH_DATE_NONE || p->last_exchange == KITH_DATE_NONE ||
	      p->first_exchange <= p->last_exchange);
}

static void check_analysis(const struct kith_analysis *a, size_t n, int64_t now)
{
	size_t i;

	CHECK(a->n_msgs == n && (n == 0 || a->msg_class));
	CHECK((size_t)a->n_personal + a->n_list + a->n_automated == n);
	for (i = 0; i < n; i++)
		CHECK(a->msg_class[i] <= KITH_CLASS_AUTOMATED);
	for (i = 0; i < a->n_people; i++) {
		check_person(&a->people[i]);
		if (i > 0) /* deepest first, then by key */
			CHECK(a->people[i - 1].depth > a->people[i].depth ||
			      (a->people[i - 1].depth == a->people[i].depth &&
			       strcmp(a->people[i - 1].key, a->people[i].key) < 0));
	}
	for (i = 0; i < a->n_conversations; i++) {
		const struct kith_conversation *c = &a->conversations[i];

		CHECK(c->person < a->n_people);
		CHECK(c->root_msg_id >= 1 && (size_t)c->root_msg_id <= n);
		CHECK(c->last_msg_id >= 1 && (size_t)c->last_msg_id <= n);
		CHECK(c->first <= c->last && c->last < now);
		check_utf8(c->subject, 0);
	}
	for (i = 0; i < a->n_turns; i++) {
		const struct kith_turn *t = &a->turns[i];

		CHECK(t->person < a->n_people && t->conversation < a->n_conversations);
		CHECK(t->msg_id >= 1 && (size_t)t->msg_id <= n);
		CHECK(t->date < now && (i == 0 || a->turns[i - 1].date <= t->date));
		CHECK(t->latency >= -1); /* -1: the answered message is unknown */
	}
	for (i = 0; i < a->n_suggestions; i++)
		CHECK(a->suggestions[i].a && a->suggestions[i].b && a->suggestions[i].reason);
}

/* The analysis is a function of its input: a second run gives the same
 * people, scores, turns and conversations (catches reads of uninitialised
 * or freed state that the sanitizers let pass). */
static void check_same(const struct kith_analysis *a, const struct kith_msg *v, size_t n,
		       const struct kith_policy *pol, int64_t now)
{
	struct kith_analysis *b = NULL;
	size_t i;

	if (kith_analyze(v, n, pol, now, &b) != 0)
		return;
	CHECK(a->n_people == b->n_people && a->n_turns == b->n_turns &&
	      a->n_conversations == b->n_conversations && a->n_suggestions == b->n_suggestions);
	for (i = 0; i < a->n_people; i++)
		CHECK(strcmp(a->people[i].key, b->people[i].key) == 0 &&
		      a->people[i].depth == b->people[i].depth && a->people[i].tier == b->people[i].tier);
	for (i = 0; i < a->n_turns; i++)
		CHECK(a->turns[i].msg_id == b->turns[i].msg_id &&
		      a->turns[i].person == b->turns[i].person);
	kith_analysis_free(b);
}

static int known_key(const struct kith_analysis *a, const char *key)
{
	size_t i;

	for (i = 0; i < a->n_people; i++)
		if (strcmp(a->people[i].key, key) == 0)
			return 1;
	return 0;
}

static void check_tasks(const struct kith_analysis *a, const struct kith_task_want *v,
			size_t n)
{
	size_t i;
	const char *s;

	for (i = 0; i < n; i++) {
		CHECK(v[i].kind <= KITH_TASK_KEEP_IN_TOUCH);
		CHECK(v[i].person_key && known_key(a, v[i].person_key));
		CHECK(v[i].uid && v[i].uid[0] && v[i].episode && v[i].summary);
		for (s = v[i].uid; *s; s++)
			CHECK((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			      (*s >= '0' && *s <= '9') || strchr("._+-", *s));
		CHECK(v[i].priority >= 1 && v[i].priority <= 9);
		check_utf8(v[i].summary, 0);
		check_utf8(v[i].description, 1);
		check_utf8(v[i].person_name, 0);
		check_utf8(v[i].subject, 0);
		if (i > 0) /* one task per person, kind and episode */
			for (size_t j = 0; j < i; j++)
				CHECK(strcmp(v[i].uid, v[j].uid) != 0);
	}
}

static void decide(const struct kith_analysis *a, const struct kith_msg *v, size_t n,
		   uint8_t p1, int64_t now)
{
	struct kith_followup_params fp;
	struct kith_task_want *tw = NULL;
	struct kith_snooze sn[1];
	size_t ntw = 0;

	kith_followup_params_defaults(&fp);
	if (p1 & 1) {
		fp.identities = ids_all;
		fp.n_identities = 2;
	}
	if (p1 & 2)
		fp.keep_in_touch_max = 0;
	if (p1 & 4)
		fp.horizon_days = 1;
	sn[0].person_key = a->n_people ? a->people[0].key : "bob@example.com";
	sn[0].until = now + ((p1 & 8) ? 86400 : -86400);
	if (kith_followups_decide(a, v, n, &fp, sn, (p1 & 16) ? 1 : 0, now, &tw, &ntw, NULL) == 0) {
		check_tasks(a, tw, ntw);
		kith_task_wants_free(tw, ntw);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kith_msg *v;
	struct kith_policy pol;
	struct kith_analysis *a = NULL;
	int64_t now;
	size_t n;

	if (size < 4 || size > 256 * 1024)
		return 0;
	v = calloc(MAX_MSGS, sizeof(*v));
	if (!v)
		return 0;
	now = NOW_BASE + (int64_t)data[2] * 86400 * 7;
	policy_from(data[0], data[1], &pol);
	n = decode(data + 4, data + size, data[3], now, v);
	if (kith_analyze(v, n, &pol, now, &a) == 0) {
		check_analysis(a, n, now);
		if (data[3] & 0x80)
			check_same(a, v, n, &pol, now);
		decide(a, v, n, data[1], now);
		kith_analysis_free(a);
	}
	kith_msgs_free(v, n);
	return 0;
}
