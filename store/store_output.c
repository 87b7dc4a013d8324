/* store_output.c: the analysis output: the derived tables, rewritten as
 * a whole. */
#include "store_int.h"

#include "grow.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* --- analysis output ---------------------------------------------------- */

/* The statements save_analysis runs per row, prepared once per call. */
struct save_ctx {
	struct kith_store *s;
	sqlite3_stmt *person, *addr, *factor, *sugg;
	int64_t as_of;
	const int64_t *pid;  /* each analysis person's row id (person_ids) */
};

static void save_ctx_free(struct save_ctx *c)
{
	sqlite3_finalize(c->person);
	sqlite3_finalize(c->addr);
	sqlite3_finalize(c->factor);
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
	c->sugg = store_prep(s, "INSERT INTO merge_suggestions(id, a, b, reason) VALUES(?1,?2,?3,?4)");
	if (!c->person || !c->addr || !c->factor || !c->sugg)
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
	sqlite3_bind_int64(st, 1, c->pid[i]);
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
		sqlite3_bind_int64(c->addr, 2, c->pid[i]);
		r = store_step_done(c->s, c->addr);
	}
	for (size_t k = 0; r == 0 && k < p->n_factors && k < KITH_MAX_FACTORS; k++) {
		const struct kith_factor *f = &p->factors[k];

		sqlite3_bind_int64(c->factor, 1, c->pid[i]);
		sqlite3_bind_int64(c->factor, 2, (int64_t)k);
		store_bind_text(c->factor, 3, f->name ? f->name : "?");
		sqlite3_bind_double(c->factor, 4, f->value);
		store_bind_text(c->factor, 5, f->unit);
		sqlite3_bind_double(c->factor, 6, f->points);
		r = store_step_done(c->s, c->factor);
	}
	return r;
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

/* The people with their addresses and factors, and the merge suggestions. */
static int save_people(struct save_ctx *c, const struct kith_analysis *a)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < a->n_people; i++)
		r = save_person(c, &a->people[i], i);
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

/* Drops those indexes (with people_only, the people side's alone: a save
 * that writes only changed turns keeps theirs), keeping their SQL in *x.
 * Why: at a million
 * messages the rows come in id order, but turns_person and the other
 * indexes take them all over their b-trees, a page miss for most rows;
 * building an index from the finished table sorts once.  DDL is
 * transactional in SQLite: a reader still sees the old snapshot, indexes
 * included. */
static int indexes_take(struct kith_store *s, struct index_sql *x, int people_only)
{
	sqlite3_stmt *st = store_prep(s, "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
				      " AND sql IS NOT NULL AND (tbl_name IN ('people',"
				      " 'person_addrs', 'factors') OR (?1 = 0 AND tbl_name IN"
				      " ('conversations', 'turns')))");
	char drop[300];
	int rc = SQLITE_ERROR, r = 0;

	if (st)
		sqlite3_bind_int(st, 1, people_only != 0);
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

/* The stored people's ids by key, while person_ids runs. */
struct stored_ids {
	struct kith_smap at;  /* key -> index in id */
	int64_t *id;
	uint8_t *taken;
	size_t n, cap;
	int64_t next;         /* above every stored id */
};

static int stored_id_row(sqlite3_stmt *st, void *ctx)
{
	struct stored_ids *x = ctx;
	const char *key = (const char *)sqlite3_column_text(st, 0);
	int64_t id = sqlite3_column_int64(st, 1);
	int64_t *v;
	int r;

	if (id >= x->next)
		x->next = id + 1;
	if (!key || !*key)
		return 0;
	if (!(v = kith_grow(x->id, &x->cap, x->n, sizeof(*v), 256)))
		return -ENOMEM;
	x->id = v;
	r = kith_smap_intern(&x->at, key, x->n, NULL);
	if (r == 1)
		v[x->n++] = id;
	return r < 0 ? r : 0;
}

/* Why stable: a person keeps the row id they had in the saved analysis
 * (matched by key) and a new one gets a fresh id; the rank is a column the
 * readers order by.  A person's turns and conversations name them by id,
 * so new mail that moves one person past others no longer changes the
 * rows of everyone it passes (store_turns.c writes only changed rows).
 * *out (owned by the caller) gets each analysis person's id. */
static int person_ids(struct kith_store *s, const struct kith_analysis *a, int64_t **out)
{
	struct stored_ids x = { .next = 0 };
	sqlite3_stmt *st = store_prep(s, "SELECT key, id FROM people");
	int64_t *pid = calloc(a->n_people ? a->n_people : 1, sizeof(*pid));
	int r = !st ? -EIO : !pid ? -ENOMEM : 0;

	kith_smap_init(&x.at);
	if (r == 0)
		r = store_each_row(s, st, stored_id_row, &x);
	sqlite3_finalize(st);
	if (r == 0 && !(x.taken = calloc(x.n ? x.n : 1, 1)))
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < a->n_people; i++) {
		const char *key = a->people[i].key;
		size_t k;

		if (key && *key && kith_smap_get(&x.at, key, &k) && !x.taken[k]) {
			x.taken[k] = 1;
			pid[i] = x.id[k];
		} else {
			pid[i] = x.next++;
		}
	}
	kith_smap_free(&x.at);
	free(x.id);
	free(x.taken);
	if (r < 0)
		free(pid);
	*out = r < 0 ? NULL : pid;
	return r;
}

/* Rewrites the people side whole, and of the conversations and turns
 * only the rows that changed when few did (s->diff_share). */
static int save_derived(struct kith_store *s, struct save_ctx *c, struct save_turns *w,
			const struct kith_analysis *a)
{
	struct index_sql ix = { 0 };
	size_t rows = a->n_conversations + a->n_turns;
	int diff, r = person_ids(s, a, &w->pid);

	c->pid = w->pid;
	if (r == 0)
		r = store_turns_number(w, a);
	if (r == 0 && s->diff_share)
		r = store_turns_compare(s, w, rows / s->diff_share);
	diff = s->diff_share && !w->over;
	if (r == 0)
		r = store_exec(s, "DELETE FROM people; DELETE FROM person_addrs; DELETE FROM factors;"
			       " DELETE FROM merge_suggestions;");
	if (r == 0 && !diff)
		r = store_exec(s, "DELETE FROM conversations; DELETE FROM turns;");
	if (r == 0)
		r = indexes_take(s, &ix, diff);
	if (r == 0)
		r = save_ctx_prepare(c);
	if (r == 0)
		r = save_people(c, a);
	if (r == 0)
		r = diff ? store_turns_write_diff(s, w) : store_turns_write_all(s, w);
	r = indexes_make(s, &ix, r);
	if (r == 0) {
		s->saved.written = diff ? w->diff[0].n + w->diff[1].n : rows;
		s->saved.rows = rows;
		s->saved.diff = diff;
	}
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
	struct save_turns w = { 0 };
	int own, r;

	(void)msgs;
	if (s->rdonly)
		return -EROFS;
	if (!a)
		return -EINVAL;
	r = store_tx_enter(s, &own);
	if (r == 0)
		r = save_derived(s, &c, &w, a);
	if (r == 0)
		r = save_meta(s, a, as_of);
	if (r == 0)
		r = store_save_learnt(s, a);
	if (r == 0)
		r = store_tally_analysis(s, a);
	save_ctx_free(&c);
	store_turns_free(&w);
	return store_tx_leave(s, own, r);
}

void kith_store_saved_rows(const struct kith_store *s, size_t *written, size_t *rows)
{
	*written = s->saved.written;
	*rows = s->saved.rows;
}
