/* store_turns.c: the conversation and turn rows of a saved analysis:
 * numbered, written, or compared with the stored ones so that a save
 * writes only the rows that changed. */
#include "store_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

/* One column's value as it is bound, and compared with a stored row. */
enum col_kind { COL_NULL, COL_INT, COL_TEXT };
struct col { enum col_kind kind; int64_t i; const char *s; };

#define CONV_COLS 11
#define TURN_COLS 7

static struct col col_int(int64_t v)
{
	return (struct col){ COL_INT, v, NULL };
}

static struct col col_date(int64_t v)
{
	return v == KITH_DATE_NONE ? (struct col){ COL_NULL, 0, NULL } : col_int(v);
}

static struct col col_text(const char *s)
{
	return s ? (struct col){ COL_TEXT, 0, s } : (struct col){ COL_NULL, 0, NULL };
}

/* A person's row id (their index when out of range, as before). */
static int64_t person_col(const struct save_turns *w, size_t person)
{
	return w->pid && person < w->a->n_people ? w->pid[person] : (int64_t)person;
}

/* Conversation row j: the analysis' conversation w->conv_order[j]. */
static void conv_cols(const struct save_turns *w, size_t j, struct col v[CONV_COLS])
{
	const struct kith_conversation *c = &w->a->conversations[w->conv_order[j]];

	v[0] = col_int((int64_t)j);
	v[1] = col_int(person_col(w, c->person));
	v[2] = col_int(c->root_msg_id);
	v[3] = col_int(c->last_msg_id);
	v[4] = col_text(c->subject);
	v[5] = col_date(c->first);
	v[6] = col_date(c->last);
	v[7] = col_int(c->turns_user);
	v[8] = col_int(c->turns_them);
	v[9] = col_int(c->initiated_by_user != 0);
	v[10] = col_int(c->last_by_user != 0);
}

static void turn_cols(const struct save_turns *w, size_t i, struct col v[TURN_COLS])
{
	const struct kith_turn *t = &w->a->turns[i];

	v[0] = col_int((int64_t)i);
	v[1] = col_int(t->msg_id);
	v[2] = col_int(person_col(w, t->person));
	v[3] = col_int(t->conversation < w->a->n_conversations
		       ? (int64_t)w->conv_id[t->conversation] : (int64_t)t->conversation);
	v[4] = col_date(t->date);
	v[5] = col_int(t->by_user != 0);
	v[6] = col_int(t->latency);
}

static int bind_step(struct kith_store *s, sqlite3_stmt *st, const struct col *v, int n)
{
	for (int k = 0; k < n; k++) {
		if (v[k].kind == COL_INT)
			sqlite3_bind_int64(st, k + 1, v[k].i);
		else
			store_bind_text(st, k + 1, v[k].kind == COL_TEXT ? v[k].s : NULL);
	}
	return store_step_done(s, st);
}

/* Whether the stored row under st holds the values v (columns 0..n). */
static int same_cols(sqlite3_stmt *st, const struct col *v, int n)
{
	for (int k = 0; k < n; k++) {
		int t = sqlite3_column_type(st, k);

		const char *txt = v[k].kind == COL_TEXT && t == SQLITE_TEXT
			? (const char *)sqlite3_column_text(st, k) : NULL;

		if (v[k].kind == COL_NULL ? t != SQLITE_NULL
		    : v[k].kind == COL_INT ? t != SQLITE_INTEGER || sqlite3_column_int64(st, k) != v[k].i
		    : !txt || strcmp(txt, v[k].s) != 0)
			return 0;
	}
	return 1;
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
 * fault each at 1M messages, now a few pages hold them.  It also keeps
 * the numbers of all but the newest conversations from one analysis to
 * the next, which lets a save write only what changed. */
int store_turns_number(struct save_turns *w, const struct kith_analysis *a)
{
	size_t n = a->n_conversations;
	struct conv_key *k = calloc(n ? n : 1, sizeof(*k));

	w->a = a;
	w->conv_id = calloc(n ? n : 1, sizeof(*w->conv_id));
	w->conv_order = calloc(n ? n : 1, sizeof(*w->conv_order));
	if (!k || !w->conv_id || !w->conv_order) {
		free(k);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		k[i] = (struct conv_key){ a->conversations[i].last, i };
	qsort(k, n, sizeof(*k), by_last);
	for (size_t j = 0; j < n; j++) {
		w->conv_order[j] = k[j].i;
		w->conv_id[k[j].i] = j;
	}
	free(k);
	return 0;
}

void store_turns_free(struct save_turns *w)
{
	free(w->pid);
	free(w->conv_id);
	free(w->conv_order);
	free(w->diff[0].ids);
	free(w->diff[1].ids);
	memset(w, 0, sizeof(*w));
}

/* The two tables, as rows of columns. */
static const struct turns_table {
	const char *select, *insert, *tail;
	int n_cols;
	void (*cols)(const struct save_turns *w, size_t i, struct col *v);
} tables[2] = {
	{ "SELECT id, person, root_msg, last_msg, subject, first, last, turns_user,"
	  " turns_them, initiated_by_user, last_by_user FROM conversations ORDER BY id",
	  "INSERT OR REPLACE INTO conversations(id, person, root_msg, last_msg, subject,"
	  " first, last, turns_user, turns_them, initiated_by_user, last_by_user)"
	  " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
	  "DELETE FROM conversations WHERE id >= ?1", CONV_COLS, conv_cols },
	{ "SELECT id, msg, person, conversation, date, by_user, latency FROM turns ORDER BY id",
	  "INSERT OR REPLACE INTO turns(id, msg, person, conversation, date, by_user,"
	  " latency) VALUES(?1,?2,?3,?4,?5,?6,?7)",
	  "DELETE FROM turns WHERE id >= ?1", TURN_COLS, turn_cols },
};

static size_t table_rows(const struct save_turns *w, int t)
{
	return t == 0 ? w->a->n_conversations : w->a->n_turns;
}

/* Writes rows of table t: all of them (ids NULL), or those listed. */
static int write_rows(struct kith_store *s, const struct save_turns *w, int t,
		      const uint32_t *ids, size_t n)
{
	sqlite3_stmt *st = store_prep(s, tables[t].insert);
	struct col v[CONV_COLS];
	int r = st ? 0 : -EIO;

	for (size_t k = 0; r == 0 && k < n; k++) {
		tables[t].cols(w, ids ? ids[k] : k, v);
		r = bind_step(s, st, v, tables[t].n_cols);
	}
	sqlite3_finalize(st);
	return r;
}

int store_turns_write_all(struct kith_store *s, const struct save_turns *w)
{
	int r = write_rows(s, w, 0, NULL, table_rows(w, 0));

	return r ? r : write_rows(s, w, 1, NULL, table_rows(w, 1));
}

/* The comparison of one table: the ids whose stored row differs or is
 * missing, and whether stored rows lie beyond the new ones. */
struct cmp_run {
	const struct save_turns *w;
	int t;
	struct save_diff *d;
	uint8_t *seen;      /* per new row: a stored row had its id */
	size_t cap;
};

static int note_diff(struct cmp_run *c, size_t id)
{
	uint32_t *v;

	if (c->d->n >= c->w->max_diff)
		return -ECANCELED; /* too many: the whole table is rewritten */
	if (!(v = kith_grow(c->d->ids, &c->cap, c->d->n, sizeof(*v), 256)))
		return -ENOMEM;
	c->d->ids = v;
	v[c->d->n++] = (uint32_t)id;
	return 0;
}

static int cmp_one(sqlite3_stmt *st, void *ctx)
{
	struct cmp_run *c = ctx;
	int64_t id = sqlite3_column_int64(st, 0);
	struct col v[CONV_COLS];

	if (id < 0 || (uint64_t)id >= table_rows(c->w, c->t)) {
		c->d->tail = 1;
		return 0;
	}
	c->seen[id] = 1;
	tables[c->t].cols(c->w, (size_t)id, v);
	return same_cols(st, v, tables[c->t].n_cols) ? 0 : note_diff(c, (size_t)id);
}

static int compare_table(struct kith_store *s, struct save_turns *w, int t)
{
	size_t n = table_rows(w, t);
	struct cmp_run c = { w, t, &w->diff[t], calloc(n ? n : 1, 1), 0 };
	sqlite3_stmt *st = store_prep(s, tables[t].select);
	int r = st && c.seen ? store_each_row(s, st, cmp_one, &c) : st ? -ENOMEM : -EIO;

	sqlite3_finalize(st);
	for (size_t i = 0; r == 0 && i < n; i++)
		if (!c.seen[i])
			r = note_diff(&c, i);
	free(c.seen);
	return r;
}

/* Why: between two analyses nearly every conversation and turn row is the
 * same: turns are numbered oldest first and conversations by when they
 * last moved, so new mail renumbers only the newest, and a person keeps
 * their id (person_ids, store_output.c).  Reading the stored
 * rows in id order and comparing costs a fraction of writing them all
 * again with their indexes (at a million messages 190 MB to the disk). */
int store_turns_compare(struct kith_store *s, struct save_turns *w, size_t max_diff)
{
	int r;

	w->max_diff = max_diff;
	r = compare_table(s, w, 0);
	if (r == 0)
		w->max_diff -= w->diff[0].n;
	r = r ? r : compare_table(s, w, 1);
	if (r == -ECANCELED)
		w->over = 1;
	return r == -ECANCELED ? 0 : r;
}

int store_turns_write_diff(struct kith_store *s, const struct save_turns *w)
{
	int r = 0;

	for (int t = 0; r == 0 && t < 2; t++) {
		sqlite3_stmt *st;

		r = write_rows(s, w, t, w->diff[t].ids, w->diff[t].n);
		if (r || !w->diff[t].tail)
			continue;
		if (!(st = store_prep(s, tables[t].tail)))
			return -EIO;
		sqlite3_bind_int64(st, 1, (int64_t)table_rows(w, t));
		r = store_step_done(s, st);
		sqlite3_finalize(st);
	}
	return r;
}
