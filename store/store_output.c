/* store_output.c: the analysis output: the derived tables, rewritten as
 * a whole. */
#include "store_int.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* --- analysis output ---------------------------------------------------- */

/* The statements save_analysis runs per row, prepared once per call. */
struct save_ctx {
	struct kith_store *s;
	sqlite3_stmt *person, *addr, *factor, *conv, *turn, *sugg;
	int64_t as_of;
	size_t *conv_id;     /* owned: the row id of each analysis conversation */
	size_t *conv_order;  /* owned: the analysis conversations in id order */
	size_t n_conv;
};

static void save_ctx_free(struct save_ctx *c)
{
	free(c->conv_id);
	free(c->conv_order);
	sqlite3_finalize(c->person);
	sqlite3_finalize(c->addr);
	sqlite3_finalize(c->factor);
	sqlite3_finalize(c->conv);
	sqlite3_finalize(c->turn);
	sqlite3_finalize(c->sugg);
}

static int save_ctx_prepare(struct save_ctx *c)
{
	struct kith_store *s = c->s;

	c->person = store_prep(s, "INSERT INTO people(id, rank, key, name, depth, tier, pinned,"
			 " msgs_from, msgs_to, conversations, turns_user, turns_them,"
			 " initiated_user, initiated_them, unanswered_user, unanswered_them,"
			 " latency_user, latency_them, first_exchange, last_exchange,"
			 " last_from, last_to, reason) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,"
			 "?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23)");
	c->addr = store_prep(s, "INSERT OR IGNORE INTO person_addrs(addr, person) VALUES(?1,?2)");
	c->factor = store_prep(s, "INSERT OR REPLACE INTO factors(person, idx, name, value, unit, points)"
			 " VALUES(?1,?2,?3,?4,?5,?6)");
	c->conv = store_prep(s, "INSERT INTO conversations(id, person, root_msg, last_msg, subject,"
		       " first, last, turns_user, turns_them, initiated_by_user, last_by_user)"
		       " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)");
	c->turn = store_prep(s, "INSERT INTO turns(id, msg, person, conversation, date, by_user,"
		       " latency) VALUES(?1,?2,?3,?4,?5,?6,?7)");
	c->sugg = store_prep(s, "INSERT INTO merge_suggestions(id, a, b, reason) VALUES(?1,?2,?3,?4)");
	if (!c->person || !c->addr || !c->factor || !c->conv || !c->turn || !c->sugg)
		return -EIO;
	return 0;
}

static void fmt_day(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == KITH_DATE_NONE || !gmtime_r(&tt, &tm)) {
		snprintf(buf, len, "never");
		return;
	}
	strftime(buf, len, "%Y-%m-%d", &tm);
}

/* Why: `kith people` shows one line per person saying why they rank where
 * they do; it is built here once rather than by every reader (the CLI's
 * live analysis, `--as-of`, calls it too). */
void kith_store_person_reason(const struct kith_person *p, char *buf, size_t len)
{
	const struct kith_factor *a = NULL, *b = NULL;
	char day[32];

	for (size_t i = 0; i < p->n_factors && i < KITH_MAX_FACTORS; i++) {
		const struct kith_factor *f = &p->factors[i];

		if (!a || f->points > a->points) {
			b = a;
			a = f;
		} else if (!b || f->points > b->points) {
			b = f;
		}
	}
	fmt_day(p->last_exchange, day, sizeof(day));
	if (p->pinned)
		snprintf(buf, len, "pinned %s; %u conversations, last %s",
			 kith_tier_name(p->tier), p->conversations, day);
	else if (p->role) /* contact@, a notices account: an organisation */
		snprintf(buf, len, "role mailbox (%s): a contact, never tiered", p->role);
	else if (a && b && a->name && b->name)
		snprintf(buf, len, "%s and %s; %u conversations, last %s", a->name, b->name,
			 p->conversations, day);
	else
		snprintf(buf, len, "%u conversations, last %s", p->conversations, day);
}

static int save_person(struct save_ctx *c, const struct kith_person *p, size_t i)
{
	sqlite3_stmt *st = c->person;
	const int64_t v[] = { p->msgs_from, p->msgs_to, p->conversations, p->turns_user,
			      p->turns_them, p->initiated_user, p->initiated_them,
			      p->unanswered_user, p->unanswered_them, p->latency_user,
			      p->latency_them };
	char reason[256];
	int r;

	kith_store_person_reason(p, reason, sizeof(reason));
	sqlite3_bind_int64(st, 1, (int64_t)i);
	sqlite3_bind_int64(st, 2, (int64_t)i + 1);
	store_bind_text(st, 3, p->key ? p->key : "");
	store_bind_text(st, 4, p->name);
	sqlite3_bind_double(st, 5, p->depth);
	store_bind_text(st, 6, kith_tier_name(p->tier));
	sqlite3_bind_int(st, 7, p->pinned != 0);
	for (int k = 0; k < 11; k++)
		sqlite3_bind_int64(st, 8 + k, v[k]);
	store_bind_date(st, 19, p->first_exchange);
	store_bind_date(st, 20, p->last_exchange);
	store_bind_date(st, 21, p->last_from);
	store_bind_date(st, 22, p->last_to);
	store_bind_text(st, 23, reason);
	r = store_step_done(c->s, st);
	for (size_t k = 0; r == 0 && k < p->n_addrs; k++) {
		store_bind_text(c->addr, 1, p->addrs[k]);
		sqlite3_bind_int64(c->addr, 2, (int64_t)i);
		r = store_step_done(c->s, c->addr);
	}
	for (size_t k = 0; r == 0 && k < p->n_factors && k < KITH_MAX_FACTORS; k++) {
		const struct kith_factor *f = &p->factors[k];

		sqlite3_bind_int64(c->factor, 1, (int64_t)i);
		sqlite3_bind_int64(c->factor, 2, (int64_t)k);
		store_bind_text(c->factor, 3, f->name ? f->name : "?");
		sqlite3_bind_double(c->factor, 4, f->value);
		store_bind_text(c->factor, 5, f->unit);
		sqlite3_bind_double(c->factor, 6, f->points);
		r = store_step_done(c->s, c->factor);
	}
	return r;
}

static int save_conv(struct save_ctx *c, const struct kith_conversation *v, size_t i)
{
	sqlite3_stmt *st = c->conv;

	sqlite3_bind_int64(st, 1, (int64_t)i);
	sqlite3_bind_int64(st, 2, (int64_t)v->person);
	sqlite3_bind_int64(st, 3, v->root_msg_id);
	sqlite3_bind_int64(st, 4, v->last_msg_id);
	store_bind_text(st, 5, v->subject);
	store_bind_date(st, 6, v->first);
	store_bind_date(st, 7, v->last);
	sqlite3_bind_int64(st, 8, v->turns_user);
	sqlite3_bind_int64(st, 9, v->turns_them);
	sqlite3_bind_int(st, 10, v->initiated_by_user != 0);
	sqlite3_bind_int(st, 11, v->last_by_user != 0);
	return store_step_done(c->s, st);
}

static int save_turn(struct save_ctx *c, const struct kith_turn *t, size_t i)
{
	sqlite3_stmt *st = c->turn;

	sqlite3_bind_int64(st, 1, (int64_t)i);
	sqlite3_bind_int64(st, 2, t->msg_id);
	sqlite3_bind_int64(st, 3, (int64_t)t->person);
	sqlite3_bind_int64(st, 4, t->conversation < c->n_conv
			   ? (int64_t)c->conv_id[t->conversation] : (int64_t)t->conversation);
	store_bind_date(st, 5, t->date);
	sqlite3_bind_int(st, 6, t->by_user != 0);
	sqlite3_bind_int64(st, 7, t->latency);
	return store_step_done(c->s, st);
}

static int save_meta(struct kith_store *s, const struct kith_analysis *a, int64_t as_of)
{
	sqlite3_stmt *st = store_prep(s, "INSERT OR REPLACE INTO analysis(id, as_of, n_messages,"
				" n_personal, n_list, n_automated, n_people, n_turns,"
				" n_conversations, newest) VALUES(1,?1,?2,?3,?4,?5,?6,?7,?8,?9)");
	int r;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, as_of);
	sqlite3_bind_int64(st, 2, (int64_t)a->n_msgs);
	sqlite3_bind_int64(st, 3, a->n_personal);
	sqlite3_bind_int64(st, 4, a->n_list);
	sqlite3_bind_int64(st, 5, a->n_automated);
	sqlite3_bind_int64(st, 6, (int64_t)a->n_people);
	sqlite3_bind_int64(st, 7, (int64_t)a->n_turns);
	sqlite3_bind_int64(st, 8, (int64_t)a->n_conversations);
	sqlite3_bind_int64(st, 9, a->newest);
	r = store_step_done(s, st);
	sqlite3_finalize(st);
	return r;
}

struct conv_key {
	int64_t last;
	size_t i;
};

static int by_last(const void *x, const void *y)
{
	const struct conv_key *a = x, *b = y;

	if (a->last != b->last)
		return (a->last > b->last) - (a->last < b->last);
	return (a->i > b->i) - (a->i < b->i);
}

/* Why: the conversations are numbered by when they last moved (ties in
 * the analysis' order), so those of the last days have neighbouring ids.
 * `kith recent` looks up the conversation of each recent turn; in the
 * analysis' order (person by person) they lay all over the table, a page
 * fault each at 1M messages, now a few pages hold them. */
static int number_convs(struct save_ctx *c, const struct kith_analysis *a)
{
	size_t n = a->n_conversations;
	struct conv_key *k = calloc(n ? n : 1, sizeof(*k));

	c->conv_id = calloc(n ? n : 1, sizeof(*c->conv_id));
	c->conv_order = calloc(n ? n : 1, sizeof(*c->conv_order));
	if (!k || !c->conv_id || !c->conv_order) {
		free(k);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		k[i] = (struct conv_key){ a->conversations[i].last, i };
	qsort(k, n, sizeof(*k), by_last);
	for (size_t j = 0; j < n; j++) {
		c->conv_order[j] = k[j].i;
		c->conv_id[k[j].i] = j;
	}
	c->n_conv = n;
	free(k);
	return 0;
}

static int save_rows(struct save_ctx *c, const struct kith_analysis *a)
{
	int r = number_convs(c, a);

	for (size_t i = 0; r == 0 && i < a->n_people; i++)
		r = save_person(c, &a->people[i], i);
	for (size_t j = 0; r == 0 && j < a->n_conversations; j++)
		r = save_conv(c, &a->conversations[c->conv_order[j]], j);
	for (size_t i = 0; r == 0 && i < a->n_turns; i++)
		r = save_turn(c, &a->turns[i], i);
	for (size_t i = 0; r == 0 && i < a->n_suggestions; i++) {
		const struct kith_merge_suggestion *g = &a->suggestions[i];

		sqlite3_bind_int64(c->sugg, 1, (int64_t)i);
		store_bind_text(c->sugg, 2, g->a ? g->a : "");
		store_bind_text(c->sugg, 3, g->b ? g->b : "");
		store_bind_text(c->sugg, 4, g->reason);
		r = store_step_done(c->s, c->sugg);
	}
	return r;
}

/* The secondary indexes of the tables a save rewrites: their names and
 * SQL as SQLite keeps them (owned: index_sql_free). */
struct index_sql { char **name, **sql; size_t n; };

static void index_sql_free(struct index_sql *x)
{
	for (size_t i = 0; i < x->n; i++) {
		free(x->name[i]);
		free(x->sql[i]);
	}
	free(x->name);
	free(x->sql);
}

static int index_sql_add(struct index_sql *x, const char *name, const char *sql)
{
	char **a = realloc(x->name, (x->n + 1) * sizeof(*a)), **b;

	if (a)
		x->name = a;
	b = a ? realloc(x->sql, (x->n + 1) * sizeof(*b)) : NULL;
	if (!b)
		return -ENOMEM;
	x->sql = b;
	a[x->n] = strdup(name);
	b[x->n] = strdup(sql);
	x->n++;
	return a[x->n - 1] && b[x->n - 1] ? 0 : -ENOMEM;
}

/* Drops those indexes, keeping their SQL in *x.  Why: at a million
 * messages the rows come in id order, but turns_person and the other
 * indexes take them all over their b-trees, a page miss for most rows;
 * building an index from the finished table sorts once.  DDL is
 * transactional in SQLite: a reader still sees the old snapshot, indexes
 * included. */
static int indexes_take(struct kith_store *s, struct index_sql *x)
{
	sqlite3_stmt *st = store_prep(s, "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
				      " AND sql IS NOT NULL AND tbl_name IN ('people',"
				      " 'person_addrs', 'factors', 'conversations', 'turns')");
	char drop[300];
	int rc = SQLITE_ERROR, r = 0;

	while (st && r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
		r = index_sql_add(x, (const char *)sqlite3_column_text(st, 0),
				  (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	if (r == 0 && rc != SQLITE_DONE)
		r = (r = store_sql_err(s, rc)) ? r : -EIO;
	for (size_t i = 0; r == 0 && i < x->n; i++) {
		snprintf(drop, sizeof(drop), "DROP INDEX \"%s\"", x->name[i]);
		r = store_exec(s, drop);
	}
	return r;
}

/* Makes again the indexes indexes_take dropped (when r is 0), frees *x. */
static int indexes_make(struct kith_store *s, struct index_sql *x, int r)
{
	for (size_t i = 0; r == 0 && i < x->n; i++)
		r = store_exec(s, x->sql[i]);
	index_sql_free(x);
	return r;
}

/* Why: the derived tables are a snapshot of one analysis; replacing them in
 * one transaction means a reader (the CLI) sees the old snapshot or the new
 * one, never a mix.  msgs is accepted for symmetry and may be NULL. */
int kith_store_save_analysis(struct kith_store *s,
			     const struct kith_analysis *a,
			     const struct kith_msg *msgs, int64_t as_of)
{
	struct save_ctx c = { .s = s, .as_of = as_of };
	struct index_sql ix = { 0 };
	int own, r;

	(void)msgs;
	if (s->rdonly)
		return -EROFS;
	if (!a)
		return -EINVAL;
	r = store_tx_enter(s, &own);
	if (r == 0)
		r = store_exec(s, "DELETE FROM people; DELETE FROM person_addrs; DELETE FROM factors;"
			 " DELETE FROM conversations; DELETE FROM turns;"
			 " DELETE FROM merge_suggestions;");
	if (r == 0)
		r = indexes_take(s, &ix);
	if (r == 0)
		r = save_ctx_prepare(&c);
	if (r == 0)
		r = save_rows(&c, a);
	r = indexes_make(s, &ix, r);
	if (r == 0)
		r = save_meta(s, a, as_of);
	if (r == 0)
		r = store_save_learnt(s, a);
	if (r == 0)
		r = store_tally_analysis(s, a);
	save_ctx_free(&c);
	return store_tx_leave(s, own, r);
}
