/* store_learnt.c: what the saved analysis learnt beyond the policy (the
 * user's addresses, List-Id list addresses, the newest message it kept),
 * the lookups that judge new mail against it (lib/inert.h), and the
 * counts moved when new mail is absorbed without analysing again. */
#include "store_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LEARNT_USER 0
#define LEARNT_LIST 1

static int save_kind(struct kith_store *s, sqlite3_stmt *st, int kind, char *const *v, size_t n)
{
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++) {
		sqlite3_bind_int(st, 1, kind);
		store_bind_text(st, 2, v[i]);
		r = store_step_done(s, st);
		sqlite3_reset(st);
	}
	return r;
}

/* Inside kith_store_save_analysis' transaction. */
int store_save_learnt(struct kith_store *s, const struct kith_analysis *a)
{
	sqlite3_stmt *st;
	int r = store_exec(s, "DELETE FROM analysis_learnt;");

	if (r < 0)
		return r;
	if (!(st = store_prep(s, "INSERT OR IGNORE INTO analysis_learnt(kind, addr) VALUES(?1, ?2)")))
		return -EIO;
	r = save_kind(s, st, LEARNT_USER, a->user_addrs, a->n_user_addrs);
	if (r == 0)
		r = save_kind(s, st, LEARNT_LIST, a->list_addrs, a->n_list_addrs);
	sqlite3_finalize(st);
	return r;
}

static int load_kind(struct kith_store *s, int kind, char ***out, size_t *n)
{
	sqlite3_stmt *st = store_prep(s, "SELECT addr FROM analysis_learnt WHERE kind = ?1 ORDER BY addr");
	void *v = NULL;
	int r;

	if (st)
		sqlite3_bind_int(st, 1, kind);
	r = store_query_rows(s, st, &store_str_rows, &v, n);
	*out = v;
	return r;
}

/* The saved analysis' newest kept message; -ENOENT when no analysis
 * saved it (none yet, or one made before schema 6). */
static int load_newest(struct kith_store *s, int64_t *newest)
{
	sqlite3_stmt *st = store_prep(s, "SELECT newest FROM analysis WHERE id = 1");
	int rc, r = -ENOENT;

	if (!st)
		return -EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*newest = sqlite3_column_int64(st, 0);
		r = 0;
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		r = store_sql_err(s, rc);
	}
	sqlite3_finalize(st);
	return r;
}

int kith_store_load_learnt(struct kith_store *s, struct kith_store_learnt *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	r = load_newest(s, &out->newest);
	if (r == 0)
		r = load_kind(s, LEARNT_USER, &out->users, &out->n_users);
	if (r == 0)
		r = load_kind(s, LEARNT_LIST, &out->lists, &out->n_lists);
	if (r < 0)
		kith_store_learnt_free(out);
	return r;
}

void kith_store_learnt_free(struct kith_store_learnt *l)
{
	store_rows_free(&store_str_rows, l->users, l->n_users);
	store_rows_free(&store_str_rows, l->lists, l->n_lists);
	memset(l, 0, sizeof(*l));
}

int kith_store_is_person_addr(struct kith_store *s, const char *addr)
{
	sqlite3_stmt *st = store_prep(s, "SELECT 1 FROM person_addrs WHERE addr = ?1 LIMIT 1");
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, addr);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_sql_err(s, rc);
}

int kith_store_absorb_counts(struct kith_store *s, const struct kith_absorbed *n)
{
	sqlite3_stmt *st;
	int r;

	if (s->rdonly)
		return -EROFS;
	st = store_prep(s, "UPDATE analysis SET n_messages = n_messages + ?1,"
			" n_personal = n_personal + ?2, n_list = n_list + ?3,"
			" n_automated = n_automated + ?4 WHERE id = 1");
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, (int64_t)n->messages);
	sqlite3_bind_int64(st, 2, (int64_t)n->personal);
	sqlite3_bind_int64(st, 3, (int64_t)n->list);
	sqlite3_bind_int64(st, 4, (int64_t)n->automated);
	r = store_step_done(s, st);
	sqlite3_finalize(st);
	return r;
}
