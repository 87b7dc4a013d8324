/* store_tasks.c: the records of the tasks kith wrote. */
#include "store_int.h"

#include <errno.h>
#include <stdlib.h>

/* --- tasks ---------------------------------------------------------------- */

static int row_to_task(sqlite3_stmt *st, void *elem)
{
	struct kith_task_record *t = elem;
	int oom = 0;

	t->uid = store_col_dup(st, 0, &oom);
	t->person_key = store_col_dup(st, 1, &oom);
	t->kind = (enum kith_task_kind)sqlite3_column_int(st, 2);
	t->episode = store_col_dup(st, 3, &oom);
	t->summary = store_col_dup(st, 4, &oom);
	t->status = (enum kith_task_status)sqlite3_column_int(st, 5);
	t->due = sqlite3_column_int64(st, 6);
	t->created = sqlite3_column_int64(st, 7);
	t->modified = sqlite3_column_int64(st, 8);
	t->sequence = sqlite3_column_int(st, 9);
	t->priority = sqlite3_column_int(st, 10);
	t->etag = store_col_dup(st, 11, &oom);
	return oom ? -ENOMEM : 0;
}

static void task_clear(void *elem)
{
	struct kith_task_record *t = elem;

	free(t->uid);
	free(t->person_key);
	free(t->episode);
	free(t->summary);
	free(t->etag);
}

static const struct row_type task_rows = {
	sizeof(struct kith_task_record), 0, row_to_task, task_clear };

#define TASK_COLS "uid, person_key, kind, episode, summary, status, due, created," \
		  " modified, sequence, priority, etag"

/* Loads task rows from a statement whose ?1.. the caller bound. */
static int load_task_rows(struct kith_store *s, sqlite3_stmt *st,
			  struct kith_task_record **out, size_t *n)
{
	void *v;
	int r = store_query_rows(s, st, &task_rows, &v, n);

	*out = v;
	return r;
}

int kith_store_load_tasks(struct kith_store *s, struct kith_task_record **out,
			  size_t *n)
{
	return load_task_rows(s, store_prep(s, "SELECT " TASK_COLS " FROM tasks ORDER BY uid"), out, n);
}

int kith_store_person_tasks(struct kith_store *s, const char *person_key, int current,
			    struct kith_task_record **out, size_t *n)
{
	sqlite3_stmt *st = store_prep(s, "SELECT " TASK_COLS " FROM tasks WHERE person_key = ?1"
				" AND (?2 = 0 OR status IN (0, 5)) ORDER BY status = 5, due");

	if (st) {
		store_bind_text(st, 1, person_key);
		sqlite3_bind_int(st, 2, current);
	}
	return load_task_rows(s, st, out, n);
}

void kith_task_records_free_store(struct kith_task_record *v, size_t n)
{
	store_rows_free(&task_rows, v, n);
}

static int save_task(struct kith_store *s, sqlite3_stmt *st, const struct kith_task_record *t)
{
	store_bind_text(st, 1, t->uid);
	store_bind_text(st, 2, t->person_key ? t->person_key : "");
	sqlite3_bind_int(st, 3, (int)t->kind);
	store_bind_text(st, 4, t->episode);
	store_bind_text(st, 5, t->summary);
	sqlite3_bind_int(st, 6, (int)t->status);
	sqlite3_bind_int64(st, 7, t->due);
	sqlite3_bind_int64(st, 8, t->created);
	sqlite3_bind_int64(st, 9, t->modified);
	sqlite3_bind_int(st, 10, t->sequence);
	sqlite3_bind_int(st, 11, t->priority);
	store_bind_text(st, 12, t->etag);
	return store_step_done(s, st);
}

/* Why: the task writer hands back its whole list; replacing the table in
 * one transaction keeps it equal to that list.  A `kith done` made while
 * the daemon was writing is kept: a stored DONE_BY_HAND is never reopened
 * by a record that still says OPEN for the same uid. */
int kith_store_save_tasks(struct kith_store *s,
			  const struct kith_task_record *v, size_t n)
{
	sqlite3_stmt *st = NULL;
	int own, r;

	if (s->rdonly)
		return -EROFS;
	r = store_tx_enter(s, &own);
	if (r == 0)
		r = store_exec(s, "CREATE TEMP TABLE IF NOT EXISTS hand_done(uid TEXT PRIMARY KEY);"
			 "DELETE FROM temp.hand_done;"
			 "INSERT INTO temp.hand_done SELECT uid FROM tasks WHERE status = 4;"
			 "DELETE FROM tasks;");
	if (r == 0 && !(st = store_prep(s, "INSERT OR REPLACE INTO tasks(" TASK_COLS ")"
				  " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)")))
		r = -EIO;
	for (size_t i = 0; r == 0 && i < n; i++)
		if (v[i].uid)
			r = save_task(s, st, &v[i]);
	sqlite3_finalize(st);
	if (r == 0)
		r = store_exec(s, "UPDATE tasks SET status = 4 WHERE status = 0 AND uid IN"
			 " (SELECT uid FROM temp.hand_done)");
	return store_tx_leave(s, own, r);
}

/* Marks a person's open tasks done by hand; returns how many (>= 0). */
int kith_store_task_done(struct kith_store *s, const char *person_key, int64_t now)
{
	sqlite3_stmt *st;
	int own, r, changed = 0;

	if (s->rdonly)
		return -EROFS;
	r = store_tx_enter(s, &own);
	st = r == 0 ? store_prep(s, "UPDATE tasks SET status = 4, modified = ?2"
			   " WHERE person_key = ?1 AND status = 0") : NULL;
	if (r == 0 && !st)
		r = -EIO;
	if (r == 0) {
		store_bind_text(st, 1, person_key);
		sqlite3_bind_int64(st, 2, store_now_or(now));
		r = store_step_done(s, st);
		changed = sqlite3_changes(s->db);
	}
	sqlite3_finalize(st);
	r = store_tx_leave(s, own, r);
	return r < 0 ? r : changed;
}
