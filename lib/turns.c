/* turns.c: see turns.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "subject.h"
#include "kmath.h"
#include "role.h"
#include "turns.h"
#include "grow.h"

/* How rows are found: each thread's first THREAD_LIST rows are a list
 * (thead[], kith_wrow.next); rows beyond that, in crowded threads only,
 * go to a map.  Why: a hash map over all 110k rows of a 100k-message
 * mailbox was the largest allocation at the analysis' memory peak, and
 * nearly every thread has only a few people. */
#define THREAD_LIST 16
#define NO_ROW UINT32_MAX

struct tctx {
	struct kith_work *k;
	struct kith_turns *t;
	uint32_t *thead;        /* thread -> its newest listed row, or NO_ROW */
	struct kith_umap crowd; /* pid * (n_threads + 1) + thread -> row, beyond the lists */
	struct kith_umap sugg;  /* pair -> 1 */
};

/* Looks pid up in thread th: 1 and *row when found; 0 when not, with
 * *listed 1 when a new row still fits in the thread's list. */
static uint64_t crowd_key(const struct tctx *c, size_t pid, uint32_t th)
{
	return (uint64_t)pid * (c->k->n_threads + 1) + th;
}

static int row_find(const struct tctx *c, size_t pid, uint32_t th, size_t *row, int *listed)
{
	const struct kith_wrow *r = c->t->r;
	uint32_t i = c->thead[th];
	int n = 0;

	for (; i != NO_ROW; i = r[i].u.next, n++)
		if (r[i].pid == pid) {
			*row = i;
			return 1;
		}
	*listed = n < THREAD_LIST;
	return !*listed && kith_umap_get(&c->crowd, crowd_key(c, pid, th), row);
}

/* The row of person pid in message wi's thread, created on first touch. */
static int row_of(struct tctx *c, size_t pid, size_t wi, int by_user, size_t *row)
{
	struct kith_turns *t = c->t;
	const struct kith_wmsg *w = &c->k->w[wi];
	struct kith_wrow *r, *nr;
	int listed = 0, rc;

	if (row_find(c, pid, w->thread, row, &listed))
		return 0;
	if (!(nr = kith_grow(t->r, &t->cap_r, t->n_r, sizeof(*nr), 64)))
		return -ENOMEM;
	t->r = nr;
	if (!listed && (rc = kith_umap_intern(&c->crowd, crowd_key(c, pid, w->thread), t->n_r,
					      NULL)) < 0)
		return rc;
	*row = t->n_r;
	r = &t->r[t->n_r++];
	memset(r, 0, sizeof(*r));
	r->pid = (uint32_t)pid;
	r->first_w = r->last_w = (uint32_t)wi;
	r->first_by_user = r->last_by_user = by_user != 0;
	r->u.next = NO_ROW;
	if (listed) {
		r->u.next = c->thead[w->thread];
		c->thead[w->thread] = (uint32_t)*row;
	}
	return 0;
}

/* Records that message wi passed between the user and pid. */
static int touch(struct tctx *c, size_t pid, size_t wi, int by_user)
{
	struct kith_pstat *ps = &c->t->ps[pid];
	struct kith_wrow *r;
	size_t row;
	int rc = row_of(c, pid, wi, by_user, &row);

	if (rc < 0)
		return rc;
	r = &c->t->r[row];
	if (r->last_w != wi || r->first_w == wi) {
		r->pend = (r->last_by_user == (by_user != 0) ? r->pend : 0) + 1;
		if (by_user) {
			ps->msgs_to++;
			ps->last_to = c->k->w[wi].date;
		} else {
			ps->msgs_from++;
			ps->last_from = c->k->w[wi].date;
		}
	}
	r->last_w = (uint32_t)wi;
	r->last_by_user = by_user != 0;
	return 0;
}

static int add_suggestion(struct tctx *c, size_t a, size_t b, int by_name)
{
	struct kith_turns *t = c->t;
	struct kith_psugg *ns;
	uint64_t key = a < b ? ((uint64_t)a << 32) ^ b : ((uint64_t)b << 32) ^ a;
	int rc = kith_umap_intern(&c->sugg, key, 1, NULL);

	if (rc <= 0)
		return rc;
	if (!(ns = kith_grow(t->sg, &t->cap_sg, t->n_sg, sizeof(*ns), 64)))
		return -ENOMEM;
	t->sg = ns;
	t->sg[t->n_sg].a = a;
	t->sg[t->n_sg].b = b;
	t->sg[t->n_sg].by_name = by_name;
	t->n_sg++;
	return 0;
}

/* Person B answered a user message sent to A alone, and looks like A: B
 * may be A's new address.  Suggest, never apply. */
static int check_moved(struct tctx *c, size_t wi, size_t pi)
{
	const struct kith_work *k = c->k;
	const struct kith_wmsg *p = &k->w[pi];
	size_t a, b = kith_wmsg_from(&k->w[wi]);

	if (p->rc_n != 1)
		return 0;
	a = k->rcpt[p->rc_off];
	if (a == b || !kith_work_is_human(k, a) || p->n_rcpt_total > 2 ||
	    !kith_people_alike(&k->people, a, b))
		return 0;
	return add_suggestion(c, a, b, 0);
}

static int add_turn(struct tctx *c, size_t wi, size_t pid, int by_user)
{
	struct kith_turns *t = c->t;
	const struct kith_wmsg *w = &c->k->w[wi];
	size_t pi = kith_wmsg_parent(w);
	const struct kith_wmsg *p = pi != KITH_NONE ? &c->k->w[pi] : NULL;
	struct kith_wturn *tu, *nt;
	size_t row;
	int rc = row_of(c, pid, wi, by_user, &row);

	if (rc < 0 || !(nt = kith_grow(t->t, &t->cap, t->n, sizeof(*nt), 64)))
		return -ENOMEM;
	t->t = nt;
	tu = &t->t[t->n++];
	tu->w = (uint32_t)wi;
	tu->pid = (uint32_t)pid;
	tu->row = (uint32_t)row;
	tu->by_user = (uint8_t)by_user;
	tu->lat = !p ? -1 : w->date > p->date ? w->date - p->date : 0;
	tu->counted = 0;
	if (by_user) {
		t->r[row].any_tu = 1;
		t->ps[pid].raw_u++;
	} else {
		t->r[row].any_tt = 1;
		t->ps[pid].raw_t++;
	}
	return by_user || !p ? 0 : check_moved(c, wi, pi);
}

/* A reply whose parent is not here (Re: subject or In-Reply-To, nothing
 * found): from the user to one person in To, it answered that person;
 * from a person with the user in To, it answered the user.  Latency
 * unknown. */
static int orphan_turn(struct tctx *c, size_t wi)
{
	const struct kith_work *k = c->k;
	const struct kith_wmsg *w = &k->w[wi];

	if (!(w->sflags & KITH_SUBJ_REPLY) && !w->has_irt)
		return 0;
	if (w->from_user && kith_work_is_human(k, kith_wmsg_to1(w)))
		return add_turn(c, wi, kith_wmsg_to1(w), 1);
	if (!w->from_user && w->user_in_to && kith_work_is_human(k, kith_wmsg_from(w)))
		return add_turn(c, wi, kith_wmsg_from(w), 0);
	return 0;
}

/* Is message wi a turn?  Adds it when so. */
static int maybe_turn(struct tctx *c, size_t wi)
{
	const struct kith_work *k = c->k;
	const struct kith_wmsg *w = &k->w[wi], *p;

	if (w->cls == KITH_CLASS_AUTOMATED)
		return 0;
	if (kith_wmsg_parent(w) == KITH_NONE)
		return orphan_turn(c, wi);
	p = &k->w[kith_wmsg_parent(w)];
	if (p->cls == KITH_CLASS_AUTOMATED)
		return 0;
	if (w->from_user && !p->from_user && kith_work_is_human(k, kith_wmsg_from(p)))
		return add_turn(c, wi, kith_wmsg_from(p), 1);
	if (!w->from_user && p->from_user && kith_work_is_human(k, kith_wmsg_from(w)))
		return add_turn(c, wi, kith_wmsg_from(w), 0);
	return 0;
}

/* Message wi, in date order: conversation rows it touches, and its turn. */
static int scan_message(struct tctx *c, size_t wi)
{
	const struct kith_work *k = c->k;
	const struct kith_wmsg *w = &k->w[wi];
	size_t j, pi = kith_wmsg_parent(w), from = kith_wmsg_from(w);
	const struct kith_wmsg *p = pi != KITH_NONE ? &k->w[pi] : NULL;
	int rc;

	if (w->cls == KITH_CLASS_AUTOMATED)
		return 0;
	if ((rc = maybe_turn(c, wi)) < 0)
		return rc;
	if (w->from_user) {
		for (j = 0; j < w->rc_n; j++)
			if (kith_work_is_human(k, k->rcpt[w->rc_off + j]) &&
			    (rc = touch(c, k->rcpt[w->rc_off + j], wi, 1)) < 0)
				return rc;
		if (p && !p->from_user && kith_work_is_human(k, kith_wmsg_from(p)) &&
		    !kith_work_rcpt_has(k, wi, kith_wmsg_from(p)))
			return touch(c, kith_wmsg_from(p), wi, 1);
		return 0;
	}
	if (!kith_work_is_human(k, from))
		return 0;
	if (w->user_in_rcpt || w->cls == KITH_CLASS_PERSONAL || (p && p->from_user))
		return touch(c, from, wi, 0);
	return 0;
}

static int cmp_lat(const void *a, const void *b)
{
	const struct kith_wturn *x = *(const struct kith_wturn *const *)a;
	const struct kith_wturn *y = *(const struct kith_wturn *const *)b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->by_user != y->by_user)
		return x->by_user - y->by_user;
	return (x->lat > y->lat) - (x->lat < y->lat);
}

/* Median reply latency per person and direction over counted turns. */
static int medians(struct kith_turns *t)
{
	struct kith_wturn **v = malloc((t->n ? t->n : 1) * sizeof(*v));
	size_t n = 0, i, j;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < t->n; i++)
		if (t->t[i].counted && t->t[i].lat >= 0)
			v[n++] = &t->t[i];
	qsort(v, n, sizeof(*v), cmp_lat);
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && v[j]->pid == v[i]->pid && v[j]->by_user == v[i]->by_user; j++)
			;
		if (v[i]->by_user)
			t->ps[v[i]->pid].lat_u = v[i + (j - i) / 2]->lat;
		else
			t->ps[v[i]->pid].lat_t = v[i + (j - i) / 2]->lat;
	}
	free(v);
	return 0;
}

/* Decides which turns count and sums them into rows and persons. */
static void count_turns(const struct kith_work *k, struct kith_turns *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		struct kith_wturn *tu = &t->t[i];
		struct kith_wrow *r = &t->r[tu->row];
		struct kith_pstat *ps = &t->ps[tu->pid];
		const struct kith_wmsg *w = &k->w[tu->w];
		uint32_t nr = w->n_rcpt_total ? w->n_rcpt_total : 1;

		tu->counted = (r->any_tu && r->any_tt) || w->cls == KITH_CLASS_PERSONAL;
		if (!tu->counted)
			continue;
		if (tu->by_user) {
			r->tu++;
			ps->tu++;
		} else {
			r->tt++;
			ps->tt++;
		}
		ps->personal_turns += w->cls == KITH_CLASS_PERSONAL;
		ps->one2one += 1.0 / nr;
		if (ps->first_ex == KITH_DATE_NONE || w->date < ps->first_ex)
			ps->first_ex = w->date;
		if (ps->last_ex == KITH_DATE_NONE || w->date > ps->last_ex)
			ps->last_ex = w->date;
	}
}

static void sum_rows(const struct kith_work *k, struct kith_turns *t)
{
	size_t i;

	for (i = 0; i < t->n_r; i++) {
		const struct kith_wrow *r = &t->r[i];
		struct kith_pstat *ps = &t->ps[r->pid];
		if (r->last_by_user)
			ps->uu += r->pend;
		else
			ps->ut += r->pend;
		if (!(r->tu && r->tt))
			continue;
		ps->conv++;
		if (r->first_by_user)
			ps->iu++;
		else
			ps->it++;
	}
	for (i = 0; i < k->people.n; i++) {
		struct kith_pstat *ps = &t->ps[i];
		uint32_t turns = ps->tu + ps->tt;
		if (turns)
			ps->one2one /= turns;
		ps->role = kith_role_mailbox(k->people.v[i].key, k->people.v[i].name);
		if (!ps->role)
			ps->role = kith_role_notices(ps->personal_from, ps->broadcast_from,
						     ps->answered_them, ps->conv);
		ps->listed = kith_work_is_human(k, i) &&
			     (ps->personal_turns > 0 || kith_pstat_two_way(ps));
		ps->contact = !ps->listed && kith_work_is_human(k, i) &&
			      (ps->direct_to > 0 || ps->direct_from > 0);
	}
}

/* Each person's next direct message each way, met so far walking the
 * messages backwards (INT64_MAX: none). */
struct dnext { int64_t u, t; };

/* One direct message at date from the user (by_user) or from person pid:
 * answered when the other side's next direct message came within the
 * window.  Walking backwards, the last date set is the first contact. */
static void direct_one(struct kith_pstat *ps, struct dnext *nx, int64_t date, int by_user)
{
	const int64_t win = (int64_t)KITH_ANSWER_WINDOW_DAYS * 86400;

	if (by_user) {
		ps->answered_them += nx->t != INT64_MAX && nx->t - date <= win;
		nx->u = date;
	} else {
		ps->answered_user += nx->u != INT64_MAX && nx->u - date <= win;
		nx->t = date;
	}
	ps->first_contact = date;
}

/* Message wi's direct pairs (user to a recipient, or a person to the
 * user), counted into the persons' figures. */
static void direct_of(const struct kith_work *k, struct kith_turns *t, size_t wi, struct dnext *nx)
{
	const struct kith_wmsg *w = &k->w[wi];
	int personal = w->cls == KITH_CLASS_PERSONAL;
	size_t j, pid;

	if (w->cls == KITH_CLASS_AUTOMATED)
		return;
	if (!w->from_user) {
		struct kith_pstat *ps;

		if (!w->user_in_rcpt || !kith_work_is_human(k, kith_wmsg_from(w)))
			return;
		ps = &t->ps[w->from_id];
		ps->direct_from++;
		ps->broadcast_from += personal &&
			(!w->user_in_to || w->n_rcpt_total >= KITH_NOTICE_RCPT);
		ps->personal_from += personal;
		direct_one(ps, &nx[w->from_id], w->date, 0);
		return;
	}
	for (j = 0; j < w->rc_n; j++) {
		pid = k->rcpt[w->rc_off + j];
		if (!kith_work_is_human(k, pid))
			continue;
		t->ps[pid].direct_to++;
		t->ps[pid].personal_to += personal;
		direct_one(&t->ps[pid], &nx[pid], w->date, 1);
	}
}

/* Direct mail each way, threads aside: for each person's direct messages
 * in date order, was each answered by the other side within the window?
 * Why backwards over the messages (they are in date order, then input
 * order) with a state per person: it visits each person's messages in the
 * order a sort of every pair by person and date would, backwards, without
 * that copy (16 bytes a pair, and the sort's buffer as large: 38 MB at a
 * million of the bench's messages, 1.2 million pairs). */
static int direct_mail(const struct kith_work *k, struct kith_turns *t)
{
	size_t i, np = k->people.n ? k->people.n : 1;
	struct dnext *nx = malloc(np * sizeof(*nx));

	if (!nx)
		return -ENOMEM;
	for (i = 0; i < np; i++)
		nx[i].u = nx[i].t = INT64_MAX;
	for (i = k->n; i-- > 0;)
		direct_of(k, t, i, nx);
	free(nx);
	return 0;
}

/* Two persons with the same full display name, both writing to the user
 * and one of them a listed relationship: perhaps one person.  Suggest,
 * never apply. */
static int name_suggestions(struct tctx *c)
{
	const struct kith_work *k = c->k;
	struct kith_smap names;
	char buf[256];
	size_t i, other;
	int rc = 0;

	kith_smap_init(&names);
	for (i = 1; i < k->people.n && rc >= 0; i++) {
		const struct kith_pstat *ps = &c->t->ps[i];
		if (!kith_work_is_human(k, i) || !(ps->listed || ps->msgs_from))
			continue;
		if (!kith_name_key(k->people.v[i].name, buf, sizeof(buf)))
			continue;
		rc = kith_smap_intern(&names, buf, i, &other);
		if (rc == 0 && (ps->listed || c->t->ps[other].listed))
			rc = add_suggestion(c, other, i, 1);
	}
	kith_smap_free(&names);
	return rc < 0 ? rc : 0;
}

/* Once every row is made, no row is looked up: each row's list link
 * gives way to its thread (its first message's), which the output reads. */
static void rows_thread(const struct kith_work *k, struct kith_turns *t)
{
	size_t i;

	for (i = 0; i < t->n_r; i++)
		t->r[i].u.thread = k->w[t->r[i].first_w].thread;
}

static int build(struct tctx *c)
{
	struct kith_turns *t = c->t;
	size_t i;
	int rc;

	t->ps = calloc(c->k->people.n ? c->k->people.n : 1, sizeof(*t->ps));
	if (!t->ps)
		return -ENOMEM;
	for (i = 0; i < c->k->people.n; i++) {
		t->ps[i].lat_u = t->ps[i].lat_t = -1;
		t->ps[i].first_ex = t->ps[i].last_ex = KITH_DATE_NONE;
		t->ps[i].last_from = t->ps[i].last_to = KITH_DATE_NONE;
		t->ps[i].first_contact = KITH_DATE_NONE;
	}
	if ((rc = direct_mail(c->k, t)) < 0)
		return rc;
	for (i = 0; i < c->k->n; i++)
		if ((rc = scan_message(c, i)) < 0)
			return rc;
	rows_thread(c->k, t);
	count_turns(c->k, t);
	sum_rows(c->k, t);
	if ((rc = medians(t)) < 0)
		return rc;
	return name_suggestions(c);
}

/* The rows and the turns grew by doubling (a sixth of the rows' array
 * unused on the bench mailbox, a third of the turns' at a million
 * messages); the output stage, the analysis' memory peak, needs only the
 * ones made. */
static void shrink_arrays(struct kith_turns *t)
{
	struct kith_wrow *v;
	struct kith_wturn *tv;

	if (t->n_r && t->n_r < t->cap_r && (v = realloc(t->r, t->n_r * sizeof(*v))) != NULL) {
		t->r = v;
		t->cap_r = t->n_r;
	}
	if (t->n && t->n < t->cap && (tv = realloc(t->t, t->n * sizeof(*tv))) != NULL) {
		t->t = tv;
		t->cap = t->n;
	}
}

int kith_turns_build(struct kith_work *k, struct kith_turns *t)
{
	struct tctx c;
	int rc;

	memset(t, 0, sizeof(*t));
	if (k->n >= UINT32_MAX || k->people.n >= UINT32_MAX)
		return -EOVERFLOW; /* indices are 32 bits (turns.h) */
	c.k = k;
	c.t = t;
	if (!(c.thead = malloc((k->n_threads ? k->n_threads : 1) * sizeof(*c.thead))))
		return -ENOMEM;
	memset(c.thead, 0xff, (k->n_threads ? k->n_threads : 1) * sizeof(*c.thead)); /* NO_ROW */
	kith_umap_init(&c.crowd);
	kith_umap_init(&c.sugg);
	rc = build(&c);
	shrink_arrays(t);
	free(c.thead);
	kith_umap_free(&c.crowd);
	kith_umap_free(&c.sugg);
	return rc;
}

void kith_turns_free(struct kith_turns *t)
{
	free(t->t);
	free(t->r);
	free(t->ps);
	free(t->sg);
	memset(t, 0, sizeof(*t));
}
