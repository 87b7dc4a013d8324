/* store_report.c: the store's queries for `kith report` (store_report.h). */
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "store_priv.h"
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

/* Why one sequential scan rather than the turns_person index: fetching
 * by_user through the index costs a table seek per turn, most of the
 * report's time; the table's rowid order is already oldest first, and a
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
	if (sqlite3_prepare_v2(kith_store__db(s), "SELECT person, date, by_user FROM turns"
			       " WHERE date IS NOT NULL", -1, &st, NULL) != SQLITE_OK) {
		free(start);
		return kith_store__err(s, SQLITE_ERROR);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t p = sqlite3_column_int64(st, 0);

		if (p < 0 || p > max_id || !slot[p])
			continue;
		if (k == cap) {
			cap = cap ? cap * 2 : 4096;
			if (!(v = realloc(tmp, cap * sizeof(*v))))
				break;
			tmp = v;
		}
		tmp[k++] = (struct kith_store_turn_row){ p, sqlite3_column_int64(st, 1),
							 sqlite3_column_int(st, 2) != 0 };
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
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? -ENOMEM : kith_store__err(s, rc);
}

int kith_store_turns_of(struct kith_store *s, const int64_t *persons, size_t n_persons,
			struct kith_store_turn_row **out, size_t *n)
{
	int64_t max_id;
	size_t *slot = slots_of(persons, n_persons, &max_id);
	int r;

	*out = NULL;
	*n = 0;
	if (!slot)
		return -ENOMEM;
	r = scan(s, slot, max_id, n_persons, out, n);
	free(slot);
	return r;
}
