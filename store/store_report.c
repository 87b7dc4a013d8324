/* store_report.c: the store's queries for `kith report` (store_report.h). */
#include <errno.h>
#include <stdlib.h>

#include "store_int.h"
#include "store_report.h"

/* slot[id] = 1 + the position of people.id `id` in persons (0: not asked
 * for), and the largest id. */
static size_t *slots_of(const int64_t *persons, size_t n, int64_t *max_id)
{
	size_t *slot;

	*max_id = -1;
	for (size_t i = 0; i < n; i++)
		if (persons[i] > *max_id)
			*max_id = persons[i];
	slot = calloc((size_t)(*max_id + 2), sizeof(*slot));
	for (size_t i = 0; slot && i < n; i++)
		if (persons[i] >= 0)
			slot[persons[i]] = i + 1;
	return slot;
}

/* Appends one row to *v (room for *cap); 0 or -ENOMEM. */
static int push_row(struct kith_store_turn_row **v, size_t *k, size_t *cap,
		    struct kith_store_turn_row row)
{
	if (*k == *cap) {
		size_t nc = *cap ? *cap * 2 : 4096;
		struct kith_store_turn_row *nv = realloc(*v, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*k)++] = row;
	return 0;
}

/* Through the turns_person index, person by person (already grouped and
 * oldest first): the cheaper way when the people hold few of the turns. */
static int by_index(struct kith_store *s, const int64_t *persons, size_t n_persons,
		    struct kith_store_turn_row **out, size_t *n)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc = SQLITE_DONE, err = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT date, by_user FROM turns WHERE person = ?1"
			       " AND date IS NOT NULL ORDER BY date", -1, &st, NULL) != SQLITE_OK)
		return store_sql_err(s, SQLITE_ERROR);
	for (size_t i = 0; i < n_persons && err == 0 && rc == SQLITE_DONE; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, persons[i]);
		while (err == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
			err = push_row(out, n, &cap, (struct kith_store_turn_row){ persons[i],
				sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1) != 0 });
	}
	sqlite3_finalize(st);
	if (err == 0 && rc != SQLITE_DONE)
		err = store_sql_err(s, rc);
	return err;
}

/* One sequential scan of the table: fetching by_user through the index
 * costs a table seek per turn, so when the people hold a good share of
 * the turns (the usual report: the ranked people hold most of them) the
 * scan is cheaper.  The rowid order is already oldest first, and a
 * counting sort groups the rows by person in one more pass. */
static int scan(struct kith_store *s, const size_t *slot, int64_t max_id, size_t n_persons,
		struct kith_store_turn_row **out, size_t *n)
{
	sqlite3_stmt *st = NULL;
	size_t *start = calloc(n_persons + 1, sizeof(*start)), cap = 0, k = 0;
	struct kith_store_turn_row *tmp = NULL, *v;
	int rc;

	if (!start)
		return -ENOMEM;
	if (sqlite3_prepare_v2(s->db, "SELECT person, date, by_user FROM turns"
			       " WHERE date IS NOT NULL", -1, &st, NULL) != SQLITE_OK) {
		free(start);
		return store_sql_err(s, SQLITE_ERROR);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t p = sqlite3_column_int64(st, 0);

		if (p < 0 || p > max_id || !slot[p])
			continue;
		if (push_row(&tmp, &k, &cap, (struct kith_store_turn_row){ p,
				sqlite3_column_int64(st, 1), sqlite3_column_int(st, 2) != 0 }) < 0)
			break;
		start[slot[p]]++;
	}
	sqlite3_finalize(st);
	v = rc == SQLITE_DONE ? malloc((k ? k : 1) * sizeof(*v)) : NULL;
	if (v) {
		for (size_t i = 1; i <= n_persons; i++)
			start[i] += start[i - 1];
		for (size_t i = 0; i < k; i++) /* stable: each person stays oldest first */
			v[start[slot[tmp[i].person] - 1]++] = tmp[i];
		*out = v;
		*n = k;
	}
	free(tmp);
	free(start);
	if (v)
		return 0;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? -ENOMEM : store_sql_err(s, rc);
}

/* The analysis' count of turns (0 when there is none). */
static int64_t all_turns(struct kith_store *s)
{
	sqlite3_stmt *st = NULL;
	int64_t v = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT n_turns FROM analysis WHERE id = 1", -1,
			       &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* A seek through the index costs about as much as reading this many rows
 * in a scan (measured on the synthetic bench databases). */
#define SEEK_ROWS 8

int kith_store_turns_of(struct kith_store *s, const int64_t *persons, size_t n_persons,
			size_t expect, struct kith_store_turn_row **out, size_t *n)
{
	int64_t max_id;
	size_t *slot;
	int r;

	*out = NULL;
	*n = 0;
	if ((int64_t)expect * SEEK_ROWS < all_turns(s)) {
		r = by_index(s, persons, n_persons, out, n);
		if (r < 0) {
			free(*out);
			*out = NULL;
			*n = 0;
		}
		return r;
	}
	slot = slots_of(persons, n_persons, &max_id);
	if (!slot)
		return -ENOMEM;
	r = scan(s, slot, max_id, n_persons, out, n);
	free(slot);
	return r;
}
