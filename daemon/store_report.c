/* store_report.c: the store's queries for `kith report` (store_report.h). */
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "../lib/grow.h"
#include "store_priv.h"
#include "store_report.h"

struct rows {
	struct kith_store_turn_row *v;
	size_t n, cap;
};

/* Appends one person's turns from the bound statement st. */
static int person_rows(struct kith_store *s, sqlite3_stmt *st, int64_t person, struct rows *r)
{
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, person);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct kith_store_turn_row *v = kith_grow(r->v, &r->cap, r->n, sizeof(*v), 256);

		if (!v)
			return -ENOMEM;
		r->v = v;
		r->v[r->n++] = (struct kith_store_turn_row){ person, sqlite3_column_int64(st, 0),
							     sqlite3_column_int(st, 1) != 0 };
	}
	return rc == SQLITE_DONE ? 0 : kith_store__err(s, rc);
}

/* Why one statement for every person: the turns_person index (person,
 * date) hands each person's turns in date order without a sort, and a
 * report reads only the few hundred people it shows, never the whole
 * table (1,000,000 turns on the large bench). */
int kith_store_turns_of(struct kith_store *s, const int64_t *persons, size_t n_persons,
			struct kith_store_turn_row **out, size_t *n)
{
	struct rows r = { 0 };
	sqlite3_stmt *st = NULL;
	int err = 0;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(kith_store__db(s), "SELECT date, by_user FROM turns WHERE person = ?1"
			       " AND date IS NOT NULL ORDER BY date", -1, &st, NULL) != SQLITE_OK)
		return kith_store__err(s, SQLITE_ERROR);
	for (size_t i = 0; i < n_persons && err == 0; i++)
		err = person_rows(s, st, persons[i], &r);
	sqlite3_finalize(st);
	if (err < 0) {
		free(r.v);
		return err;
	}
	*out = r.v;
	*n = r.n;
	return 0;
}
