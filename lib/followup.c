/* followup.c: which follow-up tasks should be open as of `now` (followup.h).
 *
 * One pass over the messages in date order keeps, per person, the oldest
 * message of theirs the user has not answered yet (reset by any mail the
 * user sends them) and the oldest mail of the user's that awaits their answer
 * (reset by any real mail from them).  Keep-in-touch compares the quiet time
 * with the person's own rhythm (from the analysis' turns) and the tier's
 * cadence.  Everything is derived from the inputs; nothing is remembered.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "addr.h"
#include "followup.h"
#include "grow.h"
#include "fu_prep.h"
#include "hashmap.h"
#include "isodate.h"
#include "strpool.h"

#define DAY 86400
#define NONE ((size_t)-1)
#define WAITING_MAX_RCPT 5
#define SUBJECT_MAX 120

struct addr_ix {
	const char *addr; /* borrowed from the analysis */
	size_t person;
};

struct pstate {
	size_t reply;         /* msgs index: oldest unanswered mail from them in the horizon */
	size_t reply_last;    /* msgs index: their newest unanswered mail */
	size_t wait;          /* msgs index: oldest unanswered user mail in the horizon */
	int64_t last_user_to; /* last mail the user sent them */
	int64_t last_them;    /* last personal mail from them to the user */
	int has_task;         /* a reply or waiting task was emitted */
};

struct fu {
	const struct kith_analysis *a;
	struct kith_followup_params p;
	const struct kith_snooze *sn;
	size_t n_sn;
	int64_t now, horizon_start;
	int64_t next;         /* the earliest moment after now at which the
				 decision could differ (change_at) */
	struct addr_ix *ix;
	size_t n_ix;
	struct kith_strpool *pool; /* owns the ids' strings and the kept messages' */
	struct kith_fu_ids ids; /* the user's addresses; sorted, unique */
	/* The messages dated within the horizon, in input order, copied into
	 * pool: the only ones a task can name.  Older ones are scanned as they
	 * stream by (scan_old) and not kept. */
	struct kith_msg *msgs;
	uint8_t *cls;         /* each one's class (msg_class) */
	size_t n_msgs, cap_msgs;
	size_t seen;          /* messages handed over in the current pass */
	uint64_t digest;      /* of their ids (kith_msgs_digest) */
	struct pstate *ps;
	size_t *order;        /* msgs indexes by date */
	struct kith_task_want *out;
	size_t n_out, cap;
};

/* ---- when the decision changes next --------------------------------- */

/* Notes that the decision may differ from moment t on (t > now).  Why:
 * with the same analysis and messages, time alone changes which tasks
 * are open only at moments the rules name (a delay running out, a window
 * closing, a message leaving the horizon, a snooze ending, a span's
 * wording); kithd keeps its tasks until the earliest of them instead of
 * analysing the whole mailbox again every hour. */
static void change_at(struct fu *f, int64_t t)
{
	if (t > f->now && t < f->next)
		f->next = t;
}

/* ---- small text helpers ---------------------------------------------- */

struct sb {
	char *s;
	size_t len, cap;
	int oom;
};

static void sb_printf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = 1;
		return;
	}
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = (b->len + (size_t)n + 1) * 2;
		char *s = realloc(b->s, cap);

		if (!s) {
			b->oom = 1;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Returns the built string (caller frees) or NULL when anything failed. */
static char *sb_take(struct sb *b)
{
	if (b->oom || !b->s) {
		free(b->s);
		return NULL;
	}
	return b->s;
}

static uint64_t fnv1a64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; s && *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* Cuts o (k bytes of valid UTF-8) to at most max bytes including "...". */
static size_t cut_utf8(char *o, size_t k, size_t max)
{
	if (max < 4 || k <= max)
		return k;
	k = max - 3;
	while (k > 0 && ((unsigned char)o[k] & 0xc0) == 0x80)
		k--; /* never split a character */
	while (k > 0 && o[k - 1] == ' ')
		k--;
	memcpy(o + k, "...", 3);
	return k + 3;
}

/* Why: subjects and names come from arbitrary mail; an invalid byte or a
 * control character would make strict iCalendar readers reject the file. */
char *kith_text_clean(const char *s, size_t max_bytes, int keep_newlines)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t cap = strlen((const char *)p) * 3 + 4, k = 0;
	char *o = malloc(cap);

	if (!o)
		return NULL;
	while (*p) {
		size_t n = utf8_len(p);
		const char *piece = (const char *)p;
		size_t plen = n;

		if (n == 0) {
			piece = "\xef\xbf\xbd";
			plen = 3;
			n = 1;
		} else if (n == 1 && (*p < 0x20 || *p == 0x7f)) {
			piece = (*p == '\n' && keep_newlines) ? "\n" : " ";
			plen = 1;
		}
		p += n;
		if (!keep_newlines && *piece == ' ' && (k == 0 || o[k - 1] == ' '))
			continue; /* one space at a time, none leading */
		memcpy(o + k, piece, plen);
		k += plen;
	}
	while (k > 0 && o[k - 1] == ' ')
		k--;
	k = cut_utf8(o, k, max_bytes);
	o[k] = '\0';
	return o;
}

char *kith_mid_url(const char *message_id)
{
	static const char keep[] = "-._~@!$'*+,;=:";
	struct sb b = { 0 };
	const unsigned char *p;

	if (!message_id || !*message_id)
		return NULL;
	sb_printf(&b, "mid:");
	for (p = (const unsigned char *)message_id; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(keep, *p))
			sb_printf(&b, "%c", *p);
		else
			sb_printf(&b, "%%%02X", *p);
	}
	return sb_take(&b);
}

static void fmt_day(int64_t t, char *buf, size_t len)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm)) {
		snprintf(buf, len, "an unknown day");
		return;
	}
	snprintf(buf, len, "%d %s %d", tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900);
}

static void fmt_when(int64_t t, char *buf, size_t len)
{
	char day[40];
	time_t tt = (time_t)t;
	struct tm tm;

	fmt_day(t, day, sizeof(day));
	if (!gmtime_r(&tt, &tm)) {
		snprintf(buf, len, "%s", day);
		return;
	}
	snprintf(buf, len, "%s %02d:%02d UTC", day, tm.tm_hour, tm.tm_min);
}

/* "12 May", with the year when it is not the year of `now`. */
static void fmt_short_day(int64_t t, int64_t now, char *buf, size_t len)
{
	char day[40], year[40];
	char *sp;

	fmt_day(t, day, sizeof(day));
	fmt_day(now, year, sizeof(year));
	sp = strrchr(day, ' ');
	if (sp && strcmp(sp, strrchr(year, ' ') ? strrchr(year, ' ') : "") == 0)
		*sp = '\0';
	snprintf(buf, len, "%s", day);
}

/* Coarse, human duration: "9 days", "7 weeks", "5 months", "2 years". */
static void fmt_span(int64_t secs, char *buf, size_t len)
{
	long days = (long)(secs / DAY);

	if (days < 14)
		snprintf(buf, len, "%ld day%s", days, days == 1 ? "" : "s");
	else if (days < 63)
		snprintf(buf, len, "%ld weeks", days / 7);
	else if (days < 730)
		snprintf(buf, len, "%ld months", days / 30);
	else
		snprintf(buf, len, "%ld years", days / 365);
}

/* The moment after now at which fmt_span(now - since) reads otherwise:
 * its count's next step, or the next unit's first day (24 months are
 * "2 years" at day 730, not at month 25). */
static int64_t span_changes(int64_t since, int64_t now)
{
	int64_t days = (now - since) / DAY, step, band_end;

	if (days < 14)
		step = 1, band_end = 14;
	else if (days < 63)
		step = 7, band_end = 63;
	else if (days < 730)
		step = 30, band_end = 730;
	else
		step = 365, band_end = INT64_MAX / DAY;
	days = (days / step + 1) * step;
	return since + (days < band_end ? days : band_end) * DAY;
}

static const char *tier_word(enum kith_tier t)
{
	switch (t) {
	case KITH_TIER_INNER: return "inner";
	case KITH_TIER_CLOSE: return "close";
	case KITH_TIER_ACTIVE: return "active";
	case KITH_TIER_WIDER: return "wider";
	case KITH_TIER_FADING: return "fading";
	default: return "none";
	}
}

/* "a" or "an" before word (by its first letter: the tier names need no
 * more). */
static const char *article(const char *word)
{
	return word && word[0] && strchr("aeiouAEIOU", word[0]) ? "an" : "a";
}

const char *kith_task_kind_name(enum kith_task_kind k)
{
	switch (k) {
	case KITH_TASK_REPLY: return "reply";
	case KITH_TASK_WAITING: return "waiting";
	case KITH_TASK_KEEP_IN_TOUCH: return "keep-in-touch";
	}
	return "unknown";
}

void kith_followup_params_defaults(struct kith_followup_params *p)
{
	*p = (struct kith_followup_params){
		.reply_delay_close_days = 2, .reply_delay_other_days = 5,
		.waiting_delay_days = 5, .waiting_delay_inner_days = 3,
		.horizon_days = 21, .keep_in_touch_max = 5,
		.cadence_days = { 14, 30, 90, 365 }, .reply_window_days = 5,
	};
}

/* Zero (or negative) fields take their defaults, so a caller may fill only
 * what its configuration sets. */
static void params_fill(struct kith_followup_params *p, const struct kith_followup_params *in)
{
	struct kith_followup_params d;
	int i;

	kith_followup_params_defaults(&d);
	*p = in ? *in : d;
#define DEF(f) if (p->f <= 0) p->f = d.f
	DEF(reply_delay_close_days);
	DEF(reply_delay_other_days);
	DEF(waiting_delay_days);
	DEF(waiting_delay_inner_days);
	DEF(horizon_days);
	DEF(reply_window_days);
#undef DEF
	if (p->keep_in_touch_max < 0)
		p->keep_in_touch_max = d.keep_in_touch_max;
	for (i = 0; i < 4; i++)
		if (p->cadence_days[i] <= 0)
			p->cadence_days[i] = d.cadence_days[i];
}

/* ---- who is who ------------------------------------------------------ */

static int ix_cmp(const void *x, const void *y)
{
	return strcmp(((const struct addr_ix *)x)->addr, ((const struct addr_ix *)y)->addr);
}

static int build_index(struct fu *f)
{
	size_t n = 0, i, j;

	for (i = 0; i < f->a->n_people; i++)
		n += f->a->people[i].n_addrs + 1;
	f->ix = calloc(n ? n : 1, sizeof(*f->ix));
	if (!f->ix)
		return -ENOMEM;
	for (i = 0; i < f->a->n_people; i++) {
		const struct kith_person *pp = &f->a->people[i];

		if (pp->key)
			f->ix[f->n_ix++] = (struct addr_ix){ pp->key, i };
		for (j = 0; j < pp->n_addrs; j++)
			if (pp->addrs[j])
				f->ix[f->n_ix++] = (struct addr_ix){ pp->addrs[j], i };
	}
	qsort(f->ix, f->n_ix, sizeof(*f->ix), ix_cmp);
	return 0;
}

static size_t ix_find(const struct fu *f, const char *addr)
{
	struct addr_ix k = { addr, 0 }, *hit;

	hit = bsearch(&k, f->ix, f->n_ix, sizeof(*f->ix), ix_cmp);
	return hit ? hit->person : NONE;
}

/* The person an address belongs to: as given, then normalised the way the
 * analysis may have normalised it (gmail dots, +tags). */
static size_t person_of(const struct fu *f, const char *addr)
{
	size_t p;
	int plus;

	if (!addr || !*addr)
		return NONE;
	p = ix_find(f, addr);
	for (plus = 0; p == NONE && plus < 2; plus++) {
		char *norm = kith_addr_normalize(addr, plus);

		if (norm)
			p = ix_find(f, norm);
		free(norm);
	}
	return p;
}

/* The first pass: each distinct \Sent sender once. */
static int id_one(const struct kith_msg *m, void *ctx)
{
	struct fu *f = ctx;

	f->seen++;
	return kith_fu_ids_sender(&f->ids, f->pool, m);
}

/* Why: the decision needs the user's addresses, which the analysis does not
 * carry; the config's identities plus the senders of \Sent mail suffice. */
static int build_ids(struct fu *f, const struct kith_msg_source *src)
{
	size_t i;
	int r = 0;

	for (i = 0; i < f->p.n_identities && r == 0; i++)
		if (f->p.identities[i])
			r = kith_fu_ids_push(&f->ids, f->p.identities[i]);
	f->seen = 0;
	if (r == 0)
		r = src->each(src->ctx, KITH_PASS_SENDERS, id_one, f);
	if (r == 0)
		kith_fu_ids_sort(&f->ids);
	return r;
}

static int from_user(const struct fu *f, const struct kith_msg *m)
{
	return kith_fu_from_user(f->ids.v, f->ids.n, m);
}

/* The user is in To or Cc (when no identity is known at all, assume so). */
static int user_addressed(const struct fu *f, const struct kith_msg *m)
{
	return kith_fu_user_addressed(f->ids.v, f->ids.n, m);
}

static enum kith_class msg_class(const struct fu *f, size_t i)
{
	if (!f->a->msg_class || i >= f->a->n_msgs)
		return KITH_CLASS_AUTOMATED; /* unknown: never makes a task */
	return (enum kith_class)f->a->msg_class[i];
}

static int snoozed(const struct fu *f, size_t p)
{
	const struct kith_person *pp = &f->a->people[p];
	size_t i, j;

	for (i = 0; i < f->n_sn; i++) {
		const char *k = f->sn[i].person_key;

		if (!k || f->sn[i].until <= f->now)
			continue;
		if (pp->key && strcasecmp(k, pp->key) == 0)
			return 1;
		for (j = 0; j < pp->n_addrs; j++)
			if (pp->addrs[j] && strcasecmp(k, pp->addrs[j]) == 0)
				return 1;
	}
	return 0;
}

/* ---- the scan -------------------------------------------------------- */

static int order_cmp(const void *x, const void *y, void *ctx)
{
	const struct kith_msg *msgs = ctx;
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	int64_t a = msgs[i].date, b = msgs[j].date;

	if (a != b)
		return a < b ? -1 : 1;
	return i < j ? -1 : (i > j);
}

/* A reply from them is plausibly expected: a question, or a conversation
 * the user started, and not a broadcast. */
static int expects_answer(const struct kith_msg *m)
{
	const char *s = m->subject ? m->subject : "";

	if (m->n_rcpt_total > WAITING_MAX_RCPT)
		return 0;
	if (strchr(s, '?'))
		return 1;
	while (*s == ' ')
		s++;
	if (strncasecmp(s, "re:", 3) == 0 || strncasecmp(s, "aw:", 3) == 0)
		return 0;
	return !m->in_reply_to && m->n_refs == 0;
}

static int64_t later(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* Why the dates are kept as maxima: the scan visits the horizon's
 * messages in date order, where the newest is the last one seen, but the
 * older ones in input order (scan_old). */
static void scan_from_user(struct fu *f, const struct kith_msg *m, enum kith_class c, size_t i)
{
	size_t r;

	for (r = 0; r < m->n_to + m->n_cc; r++) {
		size_t p = person_of(f, m->rcpt[r].addr);
		struct pstate *s;

		if (p == NONE)
			continue;
		s = &f->ps[p];
		s->reply = s->reply_last = NONE; /* the user wrote: nothing owed before now */
		s->last_user_to = later(s->last_user_to, m->date);
		if (r < m->n_to && s->wait == NONE && m->date >= f->horizon_start &&
		    c == KITH_CLASS_PERSONAL && expects_answer(m))
			s->wait = i;
	}
}

/* One message of class c, dated before now; i is its index in f->msgs,
 * only ever recorded when it is dated within the horizon. */
static void scan_msg(struct fu *f, const struct kith_msg *m, enum kith_class c, size_t i)
{
	struct pstate *s;
	size_t p;
	int direct;

	if (from_user(f, m)) {
		scan_from_user(f, m, c, i);
		return;
	}
	p = person_of(f, m->from.addr);
	if (p == NONE || c == KITH_CLASS_AUTOMATED)
		return;
	s = &f->ps[p];
	direct = user_addressed(f, m);
	if (c == KITH_CLASS_PERSONAL || direct)
		s->wait = NONE; /* they wrote back */
	if (!direct)
		return;
	if (c == KITH_CLASS_PERSONAL)
		s->last_them = later(s->last_them, m->date);
	/* personal or through a list, the user in To or Cc: whether it asks
	 * for a reply depends on who wrote it (emit_reply_and_waiting) */
	if (s->reply == NONE && m->date >= f->horizon_start)
		s->reply = i;
	if (s->reply != NONE)
		s->reply_last = i;
}

static int keep_recent(struct fu *f, const struct kith_msg *m, enum kith_class c)
{
	struct kith_msg *v = kith_grow(f->msgs, &f->cap_msgs, f->n_msgs, sizeof(*v), 64);
	uint8_t *cv;

	if (!v)
		return -ENOMEM;
	f->msgs = v;
	if (!(cv = realloc(f->cls, f->cap_msgs * sizeof(*cv))))
		return -ENOMEM;
	f->cls = cv;
	f->cls[f->n_msgs] = (uint8_t)c;
	return kith_msg_copy_pooled(&f->msgs[f->n_msgs++], m, f->pool);
}

/* The second pass, one message at a time.  Why older messages need no
 * order: before the horizon no message is ever recorded as owed or
 * awaited (scan_msg), so all they leave is each person's last dates, and
 * the date-ordered scan of the kept ones (scan) starts from those. */
static int scan_old(const struct kith_msg *m, void *ctx)
{
	struct fu *f = ctx;
	size_t pos = f->seen++;

	f->digest = kith_msgs_digest_step(f->digest, m->id);
	if (m->date == KITH_DATE_NONE)
		return 0;
	if (m->date >= f->now) {
		change_at(f, m->date + 1); /* counts once it is in the past */
		return 0;
	}
	if (m->date >= f->horizon_start)
		return keep_recent(f, m, msg_class(f, pos));
	scan_msg(f, m, msg_class(f, pos), NONE);
	return 0;
}

/* Both passes over src; with check, -ESTALE unless src handed over the
 * analysis' input (its count and kith_analysis.input_digest). */
static int read_all(struct fu *f, const struct kith_msg_source *src, int check)
{
	size_t n_first;
	int r;

	if ((r = build_ids(f, src)) < 0)
		return r;
	n_first = f->seen;
	f->seen = 0;
	f->digest = KITH_MSGS_DIGEST_START;
	if ((r = src->each(src->ctx, KITH_PASS_ALL, scan_old, f)) < 0)
		return r;
	f->digest = kith_msgs_digest_step(f->digest, (int64_t)f->seen);
	if (check && (n_first != f->a->n_msgs || f->seen != f->a->n_msgs ||
		      f->digest != f->a->input_digest))
		return -ESTALE;
	return 0;
}

static int same_identities(const struct fu *f, const struct kith_fu_prep *p)
{
	size_t i;

	if (f->p.n_identities != p->n_idents)
		return 0;
	for (i = 0; i < p->n_idents; i++) {
		const char *x = f->p.identities[i], *y = p->idents[i];

		if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0))
			return 0;
	}
	return 1;
}

/* Whether the analysis gathered what the rules would read from src's
 * older messages (fu_prep.h): as many messages, in rising ids (input
 * order), the same identities, a horizon it covers, no earlier now, and
 * no later one past its own (the notes end at the analysis' now: a
 * message dated between it and the horizon would be in neither part). */
static int horizon_enough(const struct fu *f, const struct kith_msg_source *src)
{
	const struct kith_fu_prep *p = f->a->fu;

	return p && src->each_id && p->ids_rise && src->n == f->a->n_msgs &&
	       p->n_seen == f->a->n_msgs && f->now >= p->now &&
	       f->horizon_start >= p->since && f->horizon_start <= p->now &&
	       same_identities(f, p);
}

/* A message of the horizon: the one the analysis saw, with its date. */
static int horizon_one(const struct kith_msg *m, void *ctx)
{
	struct fu *f = ctx;
	const struct kith_fu_recent *r = kith_fu_prep_find(f->a->fu, m->id);

	if (!r || r->date != m->date || m->date < f->horizon_start)
		return -ESTALE;
	f->seen++;
	if (m->date >= f->now) {
		change_at(f, m->date + 1);
		return 0;
	}
	return keep_recent(f, m, (enum kith_class)r->cls);
}

/* The older messages' last dates, per address as written, to their people. */
static void fold_last(struct fu *f, const struct kith_fu_prep *p)
{
	for (size_t i = 0; i < p->n_last; i++) {
		size_t k = person_of(f, p->last[i].addr);

		if (k == NONE)
			continue;
		f->ps[k].last_user_to = later(f->ps[k].last_user_to, p->last[i].user_to);
		f->ps[k].last_them = later(f->ps[k].last_them, p->last[i].them);
	}
}

/* Why: what scan_old takes from a message older than the horizon, the
 * analysis noted while it streamed it (fu_prep.h), so only the horizon's
 * messages are read again, by id (the ones the analysis saw dated within
 * it).  The same decision as read_all: the user's addresses, the last
 * dates and the kept messages with their classes are equal. */
static int read_horizon(struct fu *f, const struct kith_msg_source *src)
{
	const struct kith_fu_prep *p = f->a->fu;
	int64_t *ids;
	size_t i, n = 0;
	int r = 0;

	for (i = 0; i < p->user.n && r == 0; i++) /* already sorted and unique */
		r = kith_fu_ids_push(&f->ids, p->user.v[i]);
	if (r < 0)
		return r;
	fold_last(f, p);
	if (!(ids = malloc((p->n_recent ? p->n_recent : 1) * sizeof(*ids))))
		return -ENOMEM;
	for (i = 0; i < p->n_recent; i++)
		if (p->recent[i].date >= f->horizon_start)
			ids[n++] = p->recent[i].id;
	f->seen = 0;
	r = src->each_id(src->ctx, ids, n, horizon_one, f);
	free(ids);
	if (r == 0 && f->seen != n)
		r = -ESTALE;
	return r;
}

static int scan(struct fu *f, const struct kith_msg_source *src, int check)
{
	size_t i;
	int r;

	f->horizon_start = f->now - (int64_t)f->p.horizon_days * DAY;
	for (i = 0; i < f->n_sn; i++)
		change_at(f, f->sn[i].until);
	f->ps = calloc(f->a->n_people ? f->a->n_people : 1, sizeof(*f->ps));
	if (!f->ps)
		return -ENOMEM;
	for (i = 0; i < f->a->n_people; i++)
		f->ps[i] = (struct pstate){ NONE, NONE, NONE, KITH_DATE_NONE, KITH_DATE_NONE, 0 };
	r = check && horizon_enough(f, src) ? read_horizon(f, src) : read_all(f, src, check);
	if (r < 0)
		return r;
	if (!(f->order = calloc(f->n_msgs ? f->n_msgs : 1, sizeof(*f->order))))
		return -ENOMEM;
	for (i = 0; i < f->n_msgs; i++)
		f->order[i] = i;
	qsort_r(f->order, f->n_msgs, sizeof(*f->order), order_cmp, (void *)f->msgs);
	for (i = 0; i < f->n_msgs; i++)
		scan_msg(f, &f->msgs[f->order[i]], f->cls[f->order[i]], f->order[i]);
	return 0;
}

/* ---- building wants -------------------------------------------------- */

static int priority_of(double depth)
{
	int p = 1 + (int)((100.0 - depth) / 12.5);

	return p < 1 ? 1 : p > 9 ? 9 : p;
}

static const char *person_addr(const struct kith_person *pp)
{
	if (pp->key)
		return pp->key;
	return pp->n_addrs ? pp->addrs[0] : "";
}

static char *display_name(const struct kith_person *pp)
{
	char *n = kith_text_clean(pp->name, 80, 0);
	char *q;

	if (!n)
		return NULL;
	q = n;
	while (*q == '"' || *q == '\'' || *q == ' ')
		q++;
	memmove(n, q, strlen(q) + 1);
	for (q = n + strlen(n); q > n && (q[-1] == '"' || q[-1] == '\'' || q[-1] == ' ');)
		*--q = '\0';
	if (!*n) {
		free(n);
		n = kith_text_clean(person_addr(pp), 200, 0);
	}
	return n;
}

static struct kith_task_want *want_new(struct fu *f)
{
	struct kith_task_want *v = kith_grow(f->out, &f->cap, f->n_out, sizeof(*v), 16);

	if (!v)
		return NULL;
	f->out = v;
	memset(&f->out[f->n_out], 0, sizeof(f->out[0]));
	return &f->out[f->n_out++];
}

static void describe_relationship(struct sb *b, const struct kith_person *pp)
{
	char day[40];

	sb_printf(b, "Relationship: depth %.0f/100, tier %s.\n", pp->depth, tier_word(pp->tier));
	if (pp->last_exchange != KITH_DATE_NONE) {
		fmt_day(pp->last_exchange, day, sizeof(day));
		sb_printf(b, "Last exchange: %s.\n", day);
	}
}

/* Fills the fields every kind shares; kind-specific text comes after. */
static int want_common(struct kith_task_want *w, enum kith_task_kind kind,
		       const struct kith_person *pp, const struct kith_msg *m,
		       const char *episode, int64_t since, int64_t due)
{
	char uid[80];

	w->kind = kind;
	w->person_key = strdup(person_addr(pp));
	w->person_name = pp->name ? kith_text_clean(pp->name, 200, 0) : NULL;
	w->episode = strdup(episode);
	snprintf(uid, sizeof(uid), "kith-%s-%016llx-%016llx",
		 kind == KITH_TASK_REPLY ? "reply" : kind == KITH_TASK_WAITING ? "waiting" : "keep",
		 (unsigned long long)fnv1a64(w->person_key),
		 (unsigned long long)fnv1a64(episode));
	w->uid = strdup(uid);
	if (m && m->message_id)
		w->message_id = strdup(m->message_id);
	if (m)
		w->subject = kith_text_clean(m->subject && *m->subject ? m->subject
					     : "(no subject)", SUBJECT_MAX, 0);
	w->since = since;
	w->due = due;
	w->priority = priority_of(pp->depth);
	w->depth = pp->depth;
	w->tier = pp->tier;
	if (!w->person_key || !w->episode || !w->uid || (m && !w->subject) ||
	    (m && m->message_id && !w->message_id) || (pp->name && !w->person_name))
		return -ENOMEM;
	return 0;
}

/* The episode of a message: its Message-ID, else its date and sender. */
static void msg_episode(const struct kith_msg *m, char *buf, size_t len)
{
	if (m->message_id && *m->message_id) {
		snprintf(buf, len, "%s", m->message_id);
		return;
	}
	snprintf(buf, len, "d%lld-%016llx", (long long)m->date,
		 (unsigned long long)fnv1a64(m->from.addr));
}

static void add_mid_line(struct sb *b, const struct kith_msg *m)
{
	char *url = kith_mid_url(m->message_id);

	if (url)
		sb_printf(b, "Message: %s\n", url);
	free(url);
}

/* Why: a reply task and a waiting task start alike: a new want of kind
 * for message m (its episode), due delay days after it, plus the person's
 * display name (*name malloc'd, the caller frees).  NULL on ENOMEM. */
static struct kith_task_want *want_for_msg(struct fu *f, const struct kith_person *pp,
					   const struct kith_msg *m, enum kith_task_kind kind,
					   int delay, char **name)
{
	struct kith_task_want *w = want_new(f);
	char ep[1024];

	*name = NULL;
	if (!w)
		return NULL;
	msg_episode(m, ep, sizeof(ep));
	if (want_common(w, kind, pp, m, ep, m->date, m->date + (int64_t)delay * DAY) < 0)
		return NULL;
	*name = display_name(pp);
	return *name ? w : NULL;
}

static int emit_reply(struct fu *f, size_t p, int delay)
{
	const struct kith_person *pp = &f->a->people[p];
	const struct kith_msg *m = &f->msgs[f->ps[p].reply];
	struct sb sum = { 0 }, d = { 0 };
	char when[64];
	char *name;
	struct kith_task_want *w = want_for_msg(f, pp, m, KITH_TASK_REPLY, delay, &name);

	if (!w)
		return -ENOMEM;
	fmt_when(m->date, when, sizeof(when));
	sb_printf(&sum, "Reply to %s: %s", name, w->subject);
	sb_printf(&d, "%s <%s> wrote to you on %s and you have not replied yet.\n",
		  name, person_addr(pp), when);
	sb_printf(&d, "Subject: %s\n", w->subject);
	sb_printf(&d, "Why: you two write to each other (%s %s person); the task is due %d days "
		  "after their mail and stays open until you write to them, or until their last "
		  "mail is %d days old.\n", article(tier_word(pp->tier)), tier_word(pp->tier),
		  delay, f->p.reply_window_days);
	describe_relationship(&d, pp);
	add_mid_line(&d, m);
	free(name);
	w->summary = sb_take(&sum);
	w->description = sb_take(&d);
	return w->summary && w->description ? 0 : -ENOMEM;
}

static int emit_waiting(struct fu *f, size_t p, int delay)
{
	const struct kith_person *pp = &f->a->people[p];
	const struct kith_msg *m = &f->msgs[f->ps[p].wait];
	struct sb sum = { 0 }, d = { 0 };
	char when[64], day[40];
	char *name;
	int question = m->subject && strchr(m->subject, '?');
	struct kith_task_want *w = want_for_msg(f, pp, m, KITH_TASK_WAITING, delay, &name);

	if (!w)
		return -ENOMEM;
	fmt_when(m->date, when, sizeof(when));
	fmt_short_day(m->date, f->now, day, sizeof(day));
	sb_printf(&sum, "%s hasn't answered your %s mail: %s", name, day, w->subject);
	sb_printf(&d, "You wrote to %s <%s> on %s and have had no answer.\n",
		  name, person_addr(pp), when);
	sb_printf(&d, "Subject: %s\n", w->subject);
	sb_printf(&d, "Why: %s; kith reminds you after %d days without an answer.\n",
		  question ? "you asked a question" : "you started this conversation", delay);
	describe_relationship(&d, pp);
	add_mid_line(&d, m);
	free(name);
	w->summary = sb_take(&sum);
	w->description = sb_take(&d);
	return w->summary && w->description ? 0 : -ENOMEM;
}

static int reply_delay(const struct fu *f, enum kith_tier t)
{
	return (t == KITH_TIER_INNER || t == KITH_TIER_CLOSE) ? f->p.reply_delay_close_days
							      : f->p.reply_delay_other_days;
}

static int wait_delay(const struct fu *f, enum kith_tier t)
{
	return t == KITH_TIER_INNER ? f->p.waiting_delay_inner_days : f->p.waiting_delay_days;
}

/* Why only relationships: on the dev mailboxes one-way contacts (strangers,
 * people the user wrote to once) were answered within 14 days 0 of 117
 * times (Enron) and 12 of 78 (linux-man), relationships 17 of 57 and 2 of
 * 27; and why the short window: a relationship's mail still unanswered
 * after 5 days was answered 3 times in 30 (linux-man), younger mail 14
 * times in 27 (docs/tasks.md, "Measured"). */
static int reply_wanted(const struct fu *f, size_t p)
{
	const struct pstate *s = &f->ps[p];

	return s->reply != NONE && f->a->people[p].tier != KITH_TIER_NONE &&
	       f->now - f->msgs[s->reply_last].date <= (int64_t)f->p.reply_window_days * DAY;
}

/* When time alone changes a person's reply or waiting task: the newest
 * unanswered mail ages out of the reply window, the user's mail waits
 * long enough, or the message a task would name leaves the horizon (the
 * next one in it, if any, takes its place). */
static void reply_and_waiting_changes(struct fu *f, const struct pstate *s, enum kith_tier t)
{
	int64_t horizon = (int64_t)f->p.horizon_days * DAY;

	if (s->reply != NONE) {
		change_at(f, f->msgs[s->reply_last].date + (int64_t)f->p.reply_window_days * DAY + 1);
		change_at(f, f->msgs[s->reply].date + horizon + 1);
	}
	if (s->wait != NONE) {
		change_at(f, f->msgs[s->wait].date + (int64_t)wait_delay(f, t) * DAY);
		change_at(f, f->msgs[s->wait].date + horizon + 1);
	}
}

static int emit_reply_and_waiting(struct fu *f)
{
	size_t p;
	int r;

	for (p = 0; p < f->a->n_people; p++) {
		struct pstate *s = &f->ps[p];
		enum kith_tier t = f->a->people[p].tier;

		reply_and_waiting_changes(f, s, t);
		if (snoozed(f, p))
			continue;
		if (reply_wanted(f, p)) {
			if ((r = emit_reply(f, p, reply_delay(f, t))) < 0)
				return r;
			s->has_task = 1;
		}
		if (s->wait != NONE &&
		    f->now - f->msgs[s->wait].date >= (int64_t)wait_delay(f, t) * DAY) {
			if ((r = emit_waiting(f, p, wait_delay(f, t))) < 0)
				return r;
			s->has_task = 1;
		}
	}
	return 0;
}

/* ---- keep in touch --------------------------------------------------- */

static int i64_cmp(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : (a > b);
}

/* The turns' dates grouped by person (a counting sort), made once for
 * keep-in-touch.  Why: finding one person's turns was a scan of every
 * turn, for every candidate: 20,000 people x 704,000 turns on the
 * million-message bench database, twice the analysis' own work. */
struct turn_days { int64_t *d; size_t *off; };

static void turn_days_free(struct turn_days *td)
{
	free(td->d);
	free(td->off);
}

static int turn_days_build(const struct kith_analysis *a, struct turn_days *td)
{
	size_t i, p, *fill = calloc(a->n_people + 1, sizeof(*fill));

	td->off = calloc(a->n_people + 1, sizeof(*td->off));
	td->d = malloc((a->n_turns ? a->n_turns : 1) * sizeof(*td->d));
	if (!fill || !td->off || !td->d) {
		free(fill);
		return -ENOMEM;
	}
	for (i = 0; i < a->n_turns; i++)
		if ((p = a->turns[i].person) < a->n_people)
			td->off[p + 1]++;
	for (p = 0; p < a->n_people; p++)
		td->off[p + 1] += td->off[p];
	for (i = 0; i < a->n_turns; i++)
		if ((p = a->turns[i].person) < a->n_people)
			td->d[td->off[p] + fill[p]++] = a->turns[i].date;
	free(fill);
	return 0;
}

/* Why: each relationship has its own rhythm.  Turns closer than a day apart
 * are one exchange; the rhythm is twice the median gap between exchanges.
 * Returns seconds, or 0 when there are too few exchanges to tell. */
static int64_t rhythm_of(const struct turn_days *td, size_t p)
{
	size_t n = td->off[p + 1] - td->off[p], ng = 0, i;
	int64_t *d, *gaps, rhythm = 0;

	if (n < 3)
		return 0;
	d = malloc(n * sizeof(*d));
	gaps = malloc(n * sizeof(*gaps));
	if (!d || !gaps)
		goto out;
	memcpy(d, td->d + td->off[p], n * sizeof(*d));
	qsort(d, n, sizeof(*d), i64_cmp);
	{
		int64_t start = d[0];

		for (i = 1; i < n; i++) {
			if (d[i] - d[i - 1] > DAY) {
				gaps[ng++] = d[i] - start;
				start = d[i];
			}
		}
	}
	if (ng >= 2) {
		qsort(gaps, ng, sizeof(*gaps), i64_cmp);
		rhythm = 2 * (ng % 2 ? gaps[ng / 2] : (gaps[ng / 2 - 1] + gaps[ng / 2]) / 2);
	}
out:
	free(d);
	free(gaps);
	return rhythm;
}

static int cadence_of(const struct fu *f, enum kith_tier t)
{
	switch (t) {
	case KITH_TIER_INNER: return f->p.cadence_days[0];
	case KITH_TIER_CLOSE: return f->p.cadence_days[1];
	case KITH_TIER_ACTIVE: return f->p.cadence_days[2];
	case KITH_TIER_WIDER: return f->p.cadence_days[3];
	case KITH_TIER_FADING: return f->p.cadence_days[2]; /* was deep: nudge like active */
	default: return 0;
	}
}

struct kit_cand {
	size_t p;
	int64_t clock, threshold, rhythm;
};

/* The last sign of contact either way. */
static int64_t quiet_since(const struct fu *f, size_t p)
{
	int64_t c = f->a->people[p].last_exchange;

	if (f->ps[p].last_user_to != KITH_DATE_NONE && f->ps[p].last_user_to > c)
		c = f->ps[p].last_user_to;
	if (f->ps[p].last_them != KITH_DATE_NONE && f->ps[p].last_them > c)
		c = f->ps[p].last_them;
	return c;
}

/* Deepest first; the index into people[] breaks ties stably. */
static int kit_depth_cmp(const void *x, const void *y, void *ctx)
{
	const struct kith_analysis *an = ctx;
	const struct kit_cand *ca = x, *cb = y;
	double a = an->people[ca->p].depth, b = an->people[cb->p].depth;

	if (a != b)
		return a > b ? -1 : 1;
	return ca->p < cb->p ? -1 : (ca->p > cb->p);
}

static int emit_keep(struct fu *f, const struct kit_cand *c)
{
	const struct kith_person *pp = &f->a->people[c->p];
	struct kith_task_want *w = want_new(f);
	struct sb sum = { 0 }, d = { 0 };
	char ep[64], span[40], day[40];
	char *name;
	time_t tt = (time_t)c->clock;
	struct tm tm;

	if (!w)
		return -ENOMEM;
	if (!gmtime_r(&tt, &tm))
		memset(&tm, 0, sizeof(tm));
	snprintf(ep, sizeof(ep), "quiet-since-%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	/* due the day kith decides it, by its end (UTC): a first run finds
	 * people quiet for months, and their task is not overdue the day it
	 * appears; the daemon keeps the day it first wrote the task
	 * (kith_tasks_plan) */
	if (want_common(w, KITH_TASK_KEEP_IN_TOUCH, pp, NULL, ep, c->clock,
			kith_utc_day_end(f->now)) < 0)
		return -ENOMEM;
	name = display_name(pp);
	if (!name)
		return -ENOMEM;
	fmt_span(f->now - c->clock, span, sizeof(span));
	fmt_day(c->clock, day, sizeof(day));
	sb_printf(&sum, "Check in with %s: it's been %s", name, span);
	sb_printf(&d, "Your last contact with %s <%s> was on %s, %s ago.\n",
		  name, person_addr(pp), day, span);
	if (c->rhythm > (int64_t)cadence_of(f, pp->tier) * DAY)
		sb_printf(&d, "Why: you two usually write every %lld days or so; it has been "
			  "more than twice that.\n", (long long)(c->rhythm / 2 / DAY));
	else
		sb_printf(&d, "Why: kith suggests keeping in touch with %s people every %d days.\n",
			  tier_word(pp->tier), cadence_of(f, pp->tier));
	describe_relationship(&d, pp);
	free(name);
	w->summary = sb_take(&sum);
	w->description = sb_take(&d);
	return w->summary && w->description ? 0 : -ENOMEM;
}

static int emit_keep_in_touch(struct fu *f)
{
	struct kit_cand *c;
	struct turn_days td = { 0 };
	size_t n = 0, p, i;
	int r = 0;

	if (f->p.keep_in_touch_max == 0)
		return 0;
	c = calloc(f->a->n_people ? f->a->n_people : 1, sizeof(*c));
	if (!c || turn_days_build(f->a, &td) < 0) {
		free(c);
		turn_days_free(&td);
		return -ENOMEM;
	}
	for (p = 0; p < f->a->n_people; p++) {
		int64_t clock = quiet_since(f, p), cad, rh, due;
		enum kith_tier t = f->a->people[p].tier;

		if (t == KITH_TIER_NONE || f->ps[p].has_task || clock == KITH_DATE_NONE ||
		    snoozed(f, p))
			continue;
		cad = (int64_t)cadence_of(f, t) * DAY;
		rh = rhythm_of(&td, p);
		due = rh > cad ? rh : cad; /* the threshold: at least the cadence */
		change_at(f, clock + due); /* when they become due */
		if (f->now - clock < due)
			continue;
		c[n++] = (struct kit_cand){ p, clock, due, rh };
	}
	qsort_r(c, n, sizeof(*c), kit_depth_cmp, (void *)f->a);
	for (i = 0; i < n && i < (size_t)f->p.keep_in_touch_max && r == 0; i++) {
		change_at(f, span_changes(c[i].clock, f->now)); /* "it's been N weeks" */
		r = emit_keep(f, &c[i]);
	}
	turn_days_free(&td);
	free(c);
	return r;
}

/* ---- entry points ---------------------------------------------------- */

/* Most important first: someone waiting on the user (reply), then the user
 * waiting (waiting), then keep-in-touch; within a kind the deeper person,
 * then the older episode; the uid makes the order total. */
static int want_importance_cmp(const void *x, const void *y)
{
	const struct kith_task_want *a = x, *b = y;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->depth != b->depth)
		return a->depth > b->depth ? -1 : 1;
	if (a->since != b->since)
		return a->since < b->since ? -1 : 1;
	return strcmp(a->uid, b->uid);
}

void kith_task_wants_free(struct kith_task_want *v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++) {
		free(v[i].person_key);
		free(v[i].person_name);
		free(v[i].episode);
		free(v[i].uid);
		free(v[i].summary);
		free(v[i].description);
		free(v[i].message_id);
		free(v[i].subject);
	}
	free(v);
}

/* Both entry points: check says whether src must be the analysis' input. */
static int decide(struct fu *f, const struct kith_msg_source *src, int check,
		  const struct kith_followup_params *p, struct kith_task_want **out,
		  size_t *n_out, int64_t *next_change)
{
	int r;

	*out = NULL;
	*n_out = 0;
	if (next_change)
		*next_change = f->now + 1;
	if (!f->a || !src || !src->each)
		return -EINVAL;
	params_fill(&f->p, p);
	kith_fu_ids_init(&f->ids);
	/* the day's end: keep-in-touch tasks are due by it, dates read "12 May"
	 * only within the year of now; and a daily check */
	f->next = kith_utc_day_end(f->now) + 1;
	r = (f->pool = kith_strpool_new()) ? build_index(f) : -ENOMEM;
	if (r == 0)
		r = scan(f, src, check);
	if (r == 0)
		r = emit_reply_and_waiting(f);
	if (r == 0)
		r = emit_keep_in_touch(f);
	free(f->ix);
	kith_fu_ids_free(&f->ids);
	free(f->ps);
	free(f->order);
	free(f->msgs);
	free(f->cls);
	kith_strpool_free(f->pool);
	if (r < 0) {
		kith_task_wants_free(f->out, f->n_out);
		return r;
	}
	if (f->n_out > 1)
		qsort(f->out, f->n_out, sizeof(*f->out), want_importance_cmp);
	*out = f->out;
	*n_out = f->n_out;
	if (next_change)
		*next_change = f->next;
	return 0;
}

int kith_followups_decide(const struct kith_analysis *a,
			  const struct kith_msg *msgs, size_t n_msgs,
			  const struct kith_followup_params *p,
			  const struct kith_snooze *snoozes, size_t n_snoozes,
			  int64_t now, struct kith_task_want **out, size_t *n_out,
			  int64_t *next_change)
{
	struct fu f = { .a = a, .sn = snoozes, .n_sn = snoozes ? n_snoozes : 0, .now = now };
	struct kith_msg_array as = { msgs, msgs ? n_msgs : 0 };
	struct kith_msg_source src;

	kith_msg_array_source(&as, &src);
	return decide(&f, &src, 0, p, out, n_out, next_change);
}

int kith_followups_decide_source(const struct kith_analysis *a,
				 const struct kith_msg_source *src,
				 const struct kith_followup_params *p,
				 const struct kith_snooze *snoozes, size_t n_snoozes,
				 int64_t now, struct kith_task_want **out, size_t *n_out,
				 int64_t *next_change)
{
	struct fu f = { .a = a, .sn = snoozes, .n_sn = snoozes ? n_snoozes : 0, .now = now };

	return decide(&f, src, 1, p, out, n_out, next_change);
}
