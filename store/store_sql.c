/* store_sql.c: what every part of the store uses: the cached statements,
 * errors as negative errnos, transactions, and the row readers. */
#include "store_int.h"
#include "../lib/grow.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const stmt_sql[S_N] = {
	[S_MSG_INSERT] =
	"INSERT OR IGNORE INTO messages(key, message_id, in_reply_to, refs, date,"
	" from_addr, from_name, rcpt, n_to, n_cc, n_rcpt_total, subject, list_id,"
	" signals, flags, parse_errors, direction)"
	" VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,"
	" CASE WHEN ?17 OR EXISTS(SELECT 1 FROM identities WHERE addr = ?6)"
	" THEN 'out' ELSE 'in' END)",
	[S_MSG_ID_BY_KEY] = "SELECT id FROM messages WHERE key = ?1",
	/* an insert, and an update when the row was there: the insert's
	 * outcome is what the location tallies count */
	[S_LOC_INSERT] =
	"INSERT OR IGNORE INTO locations(account, folder, uid, uidvalidity, msg, sent)"
	" VALUES(?1,?2,?3,?4,?5,?6)",
	[S_LOC_UPDATE] =
	"UPDATE locations SET uidvalidity = ?4, msg = ?5, sent = ?6"
	" WHERE account = ?1 AND folder = ?2 AND uid = ?3",
	[S_MSG_MARK_SENT] =
	"UPDATE messages SET flags = flags | 1, direction = 'out'"
	" WHERE id = ?1 AND (flags & 1) = 0",
	[S_FOLDER_UPSERT] =
	"INSERT INTO folders(account, name, flags, uidvalidity, last_uid, uidnext, messages)"
	" VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(account, name) DO UPDATE SET"
	" flags = excluded.flags, uidvalidity = excluded.uidvalidity,"
	" last_uid = excluded.last_uid, uidnext = excluded.uidnext,"
	" messages = excluded.messages",
	[S_FOLDERS] =
	"SELECT name, uidvalidity, last_uid, uidnext, messages FROM folders"
	" WHERE account = ?1 ORDER BY name",
	[S_LOAD_MSGS] =
	"SELECT " MSG_COLUMNS " FROM messages WHERE date IS NULL OR date < ?1 ORDER BY id",
	[S_COUNT] =
	"INSERT INTO counters(name, value) VALUES(?1, ?2)"
	" ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
	[S_ACCT_OK] =
	"INSERT INTO accounts(name, last_success) VALUES(?1, ?2)"
	" ON CONFLICT(name) DO UPDATE SET last_success = excluded.last_success",
	[S_ACCT_ERR] =
	"INSERT INTO accounts(name, last_error_at, last_error) VALUES(?1, ?2, ?3)"
	" ON CONFLICT(name) DO UPDATE SET last_error_at = excluded.last_error_at,"
	" last_error = excluded.last_error",
	/* state_since stays while the state does */
	[S_ACCT_STATE] =
	"INSERT INTO accounts(name, state, state_text, state_since, next_try)"
	" VALUES(?1, ?2, ?3, CASE WHEN ?2 IS NULL THEN NULL ELSE ?4 END, ?5)"
	" ON CONFLICT(name) DO UPDATE SET state = excluded.state,"
	" state_text = excluded.state_text, next_try = excluded.next_try,"
	" state_since = CASE WHEN excluded.state IS NULL THEN NULL"
	" WHEN state IS excluded.state THEN state_since ELSE excluded.state_since END",
};

/* Why: callers see negative errnos only; the SQLite text goes to s->err. */
int store_sql_err(struct kith_store *s, int rc)
{
	if (s && s->db)
		snprintf(s->err, sizeof(s->err), "%s", sqlite3_errmsg(s->db));
	switch (rc & 0xff) {
	case SQLITE_OK: case SQLITE_DONE: case SQLITE_ROW: return 0;
	case SQLITE_NOMEM: return -ENOMEM;
	case SQLITE_BUSY: case SQLITE_LOCKED: return -EBUSY;
	case SQLITE_READONLY: return -EROFS;
	case SQLITE_PERM: case SQLITE_AUTH: return -EACCES;
	case SQLITE_CANTOPEN: return -ENOENT;
	case SQLITE_FULL: return -ENOSPC;
	case SQLITE_CONSTRAINT: return -EEXIST;
	case SQLITE_CORRUPT: case SQLITE_NOTADB: return -EILSEQ;
	case SQLITE_MISUSE: case SQLITE_RANGE: return -EINVAL;
	default: return -EIO;
	}
}

const char *kith_store_errmsg(const struct kith_store *s)
{
	return s && s->err[0] ? s->err : "no error";
}

int store_exec(struct kith_store *s, const char *sql)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_sql_err(s, rc);
}

/* A cached statement, reset and ready to bind; NULL with s->err set. */
sqlite3_stmt *store_stmt(struct kith_store *s, enum stmt_id id)
{
	sqlite3_stmt *st = s->st[id];

	if (!st) {
		if (sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
				       &s->st[id], NULL) != SQLITE_OK) {
			store_sql_err(s, SQLITE_ERROR);
			return NULL;
		}
		return s->st[id];
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

/* A one-off statement; the caller finalizes it. */
sqlite3_stmt *store_prep(struct kith_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_sql_err(s, SQLITE_ERROR);
		return NULL;
	}
	return st;
}

/* Runs a bound statement that returns no rows. */
int store_step_done(struct kith_store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
		sqlite3_reset(st);
		return 0;
	}
	rc = store_sql_err(s, rc);
	sqlite3_reset(st);
	return rc;
}

void store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

void store_bind_date(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == KITH_DATE_NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

int64_t store_col_date(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return KITH_DATE_NONE;
	return sqlite3_column_int64(st, i);
}

/* A malloc'd copy of a text column, NULL for NULL.  *oom set on failure. */
char *store_col_dup(sqlite3_stmt *st, int i, int *oom)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	int n = sqlite3_column_bytes(st, i);
	char *p;

	if (!t)
		return NULL;
	p = malloc((size_t)n + 1);
	if (!p) {
		*oom = 1;
		return NULL;
	}
	memcpy(p, t, (size_t)n);
	p[n] = 0;
	return p;
}

/* Transactions: own=1 when this call opened it (and must close it). */
int store_tx_enter(struct kith_store *s, int *own)
{
	*own = 0;
	if (!sqlite3_get_autocommit(s->db))
		return 0;
	*own = 1;
	return store_exec(s, "BEGIN IMMEDIATE");
}

int store_tx_leave(struct kith_store *s, int own, int r)
{
	if (!own)
		return r;
	if (r == 0)
		r = store_tally_flush(s);
	if (r < 0) {
		store_tally_drop(s);
		store_exec(s, "ROLLBACK");
		return r;
	}
	r = store_exec(s, "COMMIT");
	if (r < 0)
		store_exec(s, "ROLLBACK");
	return r;
}

int64_t store_now_or(int64_t when)
{
	return when > 0 ? when : (int64_t)time(NULL);
}

/* --- row readers ------------------------------------------------------ */

/* Frees n elements of type t and the array v (may be NULL). */
void store_rows_free(const struct row_type *t, void *v, size_t n)
{
	if (!v)
		return;
	if (t->clear)
		for (size_t i = 0; i < n; i++)
			t->clear((char *)v + i * t->size);
	free(v);
}

/* A new zeroed element at the end of b; NULL (b unchanged) on ENOMEM. */
static void *rows_push(struct rows *b)
{
	void *e, *nv = kith_grow(b->v, &b->cap, b->n, b->t->size,
				 b->t->first_cap ? b->t->first_cap : 16);

	if (!nv)
		return NULL;
	b->v = nv;
	e = (char *)b->v + b->n++ * b->t->size;
	memset(e, 0, b->t->size);
	return e;
}

/* Steps st to its end, handing each row to fn; stops at fn's first
 * negative return and returns it (or the SQLite error).  st is neither
 * reset nor finalized here. */
int store_each_row(struct kith_store *s, sqlite3_stmt *st,
		   int (*fn)(sqlite3_stmt *st, void *ctx), void *ctx)
{
	int rc = SQLITE_DONE, r = 0;

	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
		r = fn(st, ctx);
	if (r == 0 && rc != SQLITE_DONE)
		r = store_sql_err(s, rc);
	return r;
}

/* store_each_row callback: one decoded element per row.  A failed element stays
 * counted so that store_rows_free releases what it got before failing. */
static int rows_add(sqlite3_stmt *st, void *ctx)
{
	struct rows *b = ctx;
	void *e = rows_push(b);
	int r;

	if (!e)
		return -ENOMEM;
	r = b->t->decode(st, e);
	if (r == ROW_SKIP) {
		b->n--;
		r = 0;
	}
	return r;
}

/* Why: every list query is the same loop (step, grow, decode, and on any
 * failure free what was read); each query then states only its SQL, its
 * bindings and its row_type.  Reads every row of st (bound by the caller;
 * the caller resets or finalizes it) into b.  On error b is emptied. */
int store_read_rows(struct kith_store *s, sqlite3_stmt *st, struct rows *b)
{
	int r = store_each_row(s, st, rows_add, b);

	if (r < 0) {
		store_rows_free(b->t, b->v, b->n);
		b->v = NULL;
		b->n = b->cap = 0;
	}
	return r;
}

/* store_read_rows over a one-off statement (NULL: prepare failed), which it
 * finalizes.  *v (malloc'd, the caller's) and *n are the rows; NULL, 0 on
 * error. */
int store_query_rows(struct kith_store *s, sqlite3_stmt *st, const struct row_type *t,
		     void **v, size_t *n)
{
	struct rows b = { .t = t };
	int r;

	*v = NULL;
	*n = 0;
	if (!st)
		return -EIO;
	r = store_read_rows(s, st, &b);
	sqlite3_finalize(st);
	*v = b.v;
	*n = b.n;
	return r;
}

/* Elements that are one malloc'd string. */
static int str_decode(sqlite3_stmt *st, void *elem)
{
	int oom = 0;

	*(char **)elem = store_col_dup(st, 0, &oom);
	return oom ? -ENOMEM : 0;
}

static void str_clear(void *elem)
{
	free(*(char **)elem);
}

const struct row_type store_str_rows = { sizeof(char *), 0, str_decode, str_clear };

/* Elements that are one int64. */
static int id_decode(sqlite3_stmt *st, void *elem)
{
	*(int64_t *)elem = sqlite3_column_int64(st, 0);
	return 0;
}

const struct row_type store_id_rows = { sizeof(int64_t), 0, id_decode, NULL };
