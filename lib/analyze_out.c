/* analyze_out.c: copying the analysis out into struct kith_analysis. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depth.h"
#include "fu_prep.h"
#include "strpool.h"
#include "turns.h"

static char *dup_or_null(const char *s, int *oom)
{
	char *c;

	if (!s)
		return NULL;
	if (!(c = strdup(s)))
		*oom = 1;
	return c;
}

/* A person record for pid, scored, with copies of its strings. */
static int fill_person(const struct kith_work *k, const struct kith_turns *t, size_t pid,
		       struct kith_person *p, double *historic)
{
	const struct kith_pent *e = &k->people.v[pid];
	const struct kith_pstat *ps = &t->ps[pid];
	size_t i;
	int oom = 0;

	p->key = dup_or_null(e->key, &oom);
	p->name = dup_or_null(e->name, &oom);
	if (!(p->addrs = calloc(e->n_addrs ? e->n_addrs : 1, sizeof(*p->addrs))))
		return -ENOMEM;
	for (i = 0; i < e->n_addrs; i++)
		p->addrs[p->n_addrs++] = dup_or_null(kith_people_shown(&k->people, e->addrs[i]), &oom);
	if (oom)
		return -ENOMEM;
	p->pinned = e->pinned;
	p->role = ps->role;
	p->tier = e->pinned ? e->pin_tier : KITH_TIER_NONE;
	p->msgs_from = ps->msgs_from;
	p->msgs_to = ps->msgs_to;
	p->conversations = ps->conv;
	p->turns_user = ps->tu;
	p->turns_them = ps->tt;
	p->initiated_user = ps->iu;
	p->initiated_them = ps->it;
	p->unanswered_user = ps->uu;
	p->unanswered_them = ps->ut;
	p->latency_user = ps->lat_u;
	p->latency_them = ps->lat_t;
	p->first_exchange = ps->first_ex;
	p->last_exchange = ps->last_ex;
	p->last_from = ps->last_from;
	p->last_to = ps->last_to;
	kith_depth_score(ps, k->now, k->half_life_days, p, historic);
	return 0;
}

/* Deepest first, then by key; the index (the people's order) breaks ties,
 * as a stable sort would. */
static int cmp_people_at(const void *x, const void *y, void *ctx)
{
	const struct kith_person *v = ctx;
	uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
	int c;

	if (v[i].depth != v[j].depth)
		return v[i].depth > v[j].depth ? -1 : 1;
	c = strcmp(v[i].key ? v[i].key : "", v[j].key ? v[j].key : "");
	return c ? c : (i > j) - (i < j);
}

/* Puts v[ord[j]] at j for every j, in place (following each cycle once):
 * the people are the largest records here, and a sorted copy of them was
 * 8 MB beside them at 20,000 people. */
static int permute_people(struct kith_person *v, const uint32_t *ord, size_t n)
{
	unsigned char *done = calloc(n ? n : 1, 1);
	size_t s, j;

	if (!done)
		return -ENOMEM;
	for (s = 0; s < n; s++) {
		struct kith_person tmp = v[s];

		for (j = s; !done[j]; j = ord[j]) {
			done[j] = 1;
			v[j] = ord[j] == s ? tmp : v[ord[j]];
		}
	}
	free(done);
	return 0;
}

static int is_output(const struct kith_work *k, const struct kith_turns *t, size_t i)
{
	return t->ps[i].listed || t->ps[i].contact ||
	       (k->people.v[i].pinned && kith_work_is_human(k, i));
}

/* Scores listed, one-way contacts and pinned people, sorts them, sets tiers; map[pid]
 * gets the output index or KITH_NONE. */
static int people_out(const struct kith_work *k, const struct kith_turns *t,
		      struct kith_analysis *a, size_t *map)
{
	size_t i, j, n = 0, *pid = NULL;
	uint32_t *ord = NULL;
	double *hist = NULL, *h2 = NULL;
	int *two = NULL, *t2 = NULL, rc = -ENOMEM;

	for (i = 0; i < k->people.n; i++) {
		map[i] = KITH_NONE;
		n += is_output(k, t, i);
	}
	a->people = calloc(n ? n : 1, sizeof(*a->people));
	pid = malloc((n ? n : 1) * sizeof(*pid));
	ord = malloc((n ? n : 1) * sizeof(*ord));
	hist = calloc(n ? n : 1, sizeof(*hist));
	h2 = calloc(n ? n : 1, sizeof(*h2));
	two = calloc(n ? n : 1, sizeof(*two));
	t2 = calloc(n ? n : 1, sizeof(*t2));
	if (!a->people || !pid || !ord || !hist || !h2 || !two || !t2)
		goto out;
	for (i = 0, rc = 0; i < k->people.n && rc == 0; i++) {
		if (!is_output(k, t, i))
			continue;
		j = a->n_people++; /* counted before it is filled: freed with a */
		pid[j] = i;
		ord[j] = (uint32_t)j; /* below people.n, below UINT32_MAX (turns.c) */
		two[j] = (int)kith_depth_deepest(&t->ps[i]);
		rc = fill_person(k, t, i, &a->people[j], &hist[j]);
	}
	if (rc < 0)
		goto out;
	qsort_r(ord, n, sizeof(*ord), cmp_people_at, a->people);
	if ((rc = permute_people(a->people, ord, n)) < 0)
		goto out;
	for (j = 0; j < n; j++) {
		h2[j] = hist[ord[j]];
		t2[j] = two[ord[j]];
		map[pid[ord[j]]] = j;
	}
	kith_depth_tiers(a->people, n, h2, t2);
out:
	free(pid);
	free(ord);
	free(hist);
	free(h2);
	free(two);
	free(t2);
	return rc;
}

/* What the output reads of a message once the people are scored. */
struct wstamp {
	int64_t id, date;
	const char *nsubj; /* in k->subjects: read until the conversations are out */
};

/* Why: k->w's 56-byte records shrink in place to these 24 bytes (the
 * array's tail goes back to the system) before the conversations and
 * turns are copied out, the analysis' memory peak.  Record i's stamp
 * lands on bytes [24i, 24i + 24), which only records before i occupied:
 * each record is read before anything overwrites it.  Takes k->w
 * (NULL after); the caller frees the stamps. */
static struct wstamp *stamps_take(struct kith_work *k)
{
	char *base = (char *)k->w;
	struct wstamp *st;
	size_t i;

	for (i = 0; i < k->n; i++) {
		struct wstamp v = { k->w[i].id, k->w[i].date, k->w[i].nsubj };

		memcpy(base + i * sizeof(v), &v, sizeof(v));
	}
	k->w = NULL;
	st = k->n ? realloc(base, k->n * sizeof(*st)) : NULL;
	return st ? st : (struct wstamp *)(void *)base; /* a failed shrink keeps base */
}

/* The output turn of working turn tu. */
static struct kith_turn turn_of(const struct kith_wturn *tu, const struct wstamp *st,
				const size_t *map, const size_t *rowmap)
{
	return (struct kith_turn){ .msg_id = st[tu->w].id, .date = st[tu->w].date,
				   .latency = tu->lat, .person = (uint32_t)map[tu->pid],
				   .conversation = (uint32_t)rowmap[tu->row] & 0x7fffffffu,
				   .by_user = tu->by_user };
}

_Static_assert(sizeof(struct kith_wturn) <= sizeof(struct kith_turn),
	       "turns_out widens the working turns in place");

/* Why in place: the output turns were made beside the working ones (22.5
 * and 17 MB at the synthetic million, the analysis' memory peak there).
 * The counted turns of output people move to the front, the array grows
 * to output turns, and each widens from the last: output turn i covers
 * bytes [32i, 32i + 32), which only working turns i and later occupied,
 * read already.  memcpy for every access: the two types share the
 * bytes.  Takes t->t (NULL after; a failed grow leaves it to t). */
static int turns_out(struct kith_turns *t, const struct wstamp *st,
		     struct kith_analysis *a, const size_t *map, const size_t *rowmap)
{
	size_t i, n = 0;
	char *base;

	for (i = 0; i < t->n; i++)
		if (t->t[i].counted && map[t->t[i].pid] != KITH_NONE)
			t->t[n++] = t->t[i];
	if (!(base = realloc(t->t, (n ? n : 1) * sizeof(struct kith_turn))))
		return -ENOMEM;
	t->t = NULL;
	t->n = t->cap = 0;
	for (i = n; i-- > 0;) {
		struct kith_wturn tu;
		struct kith_turn o;

		memcpy(&tu, base + i * sizeof(tu), sizeof(tu));
		o = turn_of(&tu, st, map, rowmap);
		memcpy(base + i * sizeof(o), &o, sizeof(o));
	}
	a->turns = (struct kith_turn *)(void *)base;
	a->n_turns = n;
	return 0;
}

/* The first message of each thread (k->w is in date order); *root is
 * malloc'd (the caller frees it). */
static int thread_roots(const struct kith_work *k, size_t **root)
{
	size_t i, *r = malloc((k->n_threads ? k->n_threads : 1) * sizeof(*r));

	if (!(*root = r))
		return -ENOMEM;
	for (i = 0; i < k->n_threads; i++)
		r[i] = KITH_NONE;
	for (i = 0; i < k->n; i++)
		if (r[k->w[i].thread] == KITH_NONE)
			r[k->w[i].thread] = i;
	return 0;
}

/* Order of row indices for rows_to_keep: by person, newest first. */
struct keep_order { const struct wstamp *st; const struct kith_wrow *rows; };

static int cmp_row_recent(const void *x, const void *y, void *ctx)
{
	const struct keep_order *o = ctx;
	uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
	const struct kith_wrow *a = &o->rows[i], *b = &o->rows[j];
	int64_t la = o->st[a->last_w].date, lb = o->st[b->last_w].date;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (la != lb)
		return la > lb ? -1 : 1;
	return i < j ? -1 : 1;
}

/* Marks (keep[i] = 1) the rows to output: those with a counted turn and
 * each listed person's KITH_RECENT_CONVS most recent.  Why here and not
 * in the store: the other 90% of rows would otherwise be copied out (with
 * their subjects) only to be dropped, at the analysis' memory peak. */
static int rows_to_keep(const struct wstamp *st, const struct kith_turns *t, const size_t *map,
			unsigned char *keep)
{
	uint32_t *ord = malloc((t->n_r ? t->n_r : 1) * sizeof(*ord));
	struct keep_order ctx = { st, t->r };
	size_t i, n = 0, run = 0;

	if (!ord)
		return -ENOMEM;
	for (i = 0; i < t->n_r; i++) {
		const struct kith_wrow *r = &t->r[i];

		keep[i] = map[r->pid] != KITH_NONE && (r->tu || r->tt);
		if (map[r->pid] != KITH_NONE)
			ord[n++] = (uint32_t)i;
	}
	qsort_r(ord, n, sizeof(*ord), cmp_row_recent, &ctx);
	for (i = 0; i < n; i++) {
		if (i == 0 || t->r[ord[i]].pid != t->r[ord[i - 1]].pid)
			run = 0;
		if (run++ < KITH_RECENT_CONVS)
			keep[ord[i]] = 1;
	}
	free(ord);
	return 0;
}

static void conv_fill(const struct wstamp *st, const struct kith_wrow *r, const size_t *root,
		      size_t person, struct kith_conversation *c)
{
	c->person = person;
	c->root_msg_id = st[root[r->u.thread]].id;
	c->last_msg_id = st[r->last_w].id;
	c->first = st[r->first_w].date;
	c->last = st[r->last_w].date;
	c->turns_user = r->tu;
	c->turns_them = r->tt;
	c->initiated_by_user = r->first_by_user;
	c->last_by_user = r->last_by_user;
}

/* Copies the kept rows out; rowmap[row] = its conversation or KITH_NONE. */
static int convs_out(const struct kith_turns *t, const struct wstamp *st, const size_t *root,
		     struct kith_analysis *a, const size_t *map, size_t *rowmap)
{
	size_t i, n_keep = 0;
	unsigned char *keep = malloc(t->n_r ? t->n_r : 1);
	int rc = -ENOMEM;

	if (!keep || rows_to_keep(st, t, map, keep) < 0)
		goto out;
	for (i = 0; i < t->n_r; i++)
		n_keep += keep[i];
	if (n_keep >= ((size_t)1 << 31)) {
		rc = -EOVERFLOW; /* kith_turn.conversation is 31 bits */
		goto out;
	}
	if (!(a->conversations = calloc(n_keep ? n_keep : 1, sizeof(*a->conversations))))
		goto out;
	for (i = 0; i < t->n_r; i++) {
		const struct kith_wrow *r = &t->r[i];
		struct kith_conversation *c;

		rowmap[i] = KITH_NONE;
		if (!keep[i])
			continue;
		rowmap[i] = a->n_conversations;
		c = &a->conversations[a->n_conversations++];
		conv_fill(st, r, root, map[r->pid], c);
		if (!(c->subject = strdup(st[r->first_w].nsubj)))
			goto out;
	}
	rc = 0;
out:
	free(keep);
	return rc;
}

static int suggestion_out(const struct kith_work *k, const struct kith_psugg *s,
			  struct kith_merge_suggestion *o)
{
	const struct kith_pent *a = &k->people.v[s->a], *b = &k->people.v[s->b];
	char buf[512];

	if (s->by_name)
		snprintf(buf, sizeof(buf), "both use the name \"%s\"", a->name ? a->name : "");
	else
		snprintf(buf, sizeof(buf), "%s answered a message sent only to %s", b->key, a->key);
	o->a = strdup(a->key);
	o->b = strdup(b->key);
	o->reason = strdup(buf);
	return (o->a && o->b && o->reason) ? 0 : -ENOMEM;
}

static int suggestions_out(const struct kith_work *k, const struct kith_turns *t,
			   struct kith_analysis *a)
{
	size_t i;
	int rc = 0;

	a->suggestions = calloc(t->n_sg ? t->n_sg : 1, sizeof(*a->suggestions));
	if (!a->suggestions)
		return -ENOMEM;
	for (i = 0; i < t->n_sg && rc == 0; i++) {
		const struct kith_psugg *s = &t->sg[i];
		if (!kith_work_is_human(k, s->a) || !kith_work_is_human(k, s->b))
			continue;
		rc = suggestion_out(k, s, &a->suggestions[a->n_suggestions++]);
	}
	return rc;
}

/* Why the order and the frees: the output is built beside the working
 * arrays, at the analysis' memory peak.  Once the people are scored the
 * messages shrink to stamps; the conversations are the last readers of
 * the rows and the subjects, the turns of the working turns: each goes
 * as soon as its output is made. */
int kith_analyze_output(struct kith_work *k, struct kith_turns *t, struct kith_analysis *a)
{
	size_t *map = malloc((k->people.n ? k->people.n : 1) * sizeof(*map));
	size_t *rowmap = malloc((t->n_r ? t->n_r : 1) * sizeof(*rowmap)), *root = NULL;
	struct wstamp *st = NULL;
	int rc = -ENOMEM;

	if (!map || !rowmap)
		goto out;
	if ((rc = people_out(k, t, a, map)) < 0 || (rc = thread_roots(k, &root)) < 0)
		goto out;
	st = stamps_take(k);
	if ((rc = convs_out(t, st, root, a, map, rowmap)) < 0)
		goto out;
	free(t->r);
	t->r = NULL;
	t->n_r = t->cap_r = 0;
	kith_strpool_free(k->subjects);
	k->subjects = NULL;
	if ((rc = turns_out(t, st, a, map, rowmap)) < 0)
		goto out;
	rc = suggestions_out(k, t, a);
out:
	free(st);
	free(root);
	free(map);
	free(rowmap);
	return rc;
}

static void person_free(struct kith_person *p)
{
	size_t i;

	free(p->key);
	free(p->name);
	for (i = 0; i < p->n_addrs; i++)
		free(p->addrs[i]);
	free(p->addrs);
}

void kith_analysis_free(struct kith_analysis *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->n_people; i++)
		person_free(&a->people[i]);
	free(a->people);
	free(a->turns);
	for (i = 0; i < a->n_conversations; i++)
		free(a->conversations[i].subject);
	free(a->conversations);
	for (i = 0; i < a->n_suggestions; i++) {
		free(a->suggestions[i].a);
		free(a->suggestions[i].b);
		free(a->suggestions[i].reason);
	}
	free(a->suggestions);
	free(a->msg_class);
	for (i = 0; i < a->n_user_addrs; i++)
		free(a->user_addrs[i]);
	free(a->user_addrs);
	for (i = 0; i < a->n_list_addrs; i++)
		free(a->list_addrs[i]);
	free(a->list_addrs);
	kith_fu_prep_free(a->fu);
	free(a);
}
