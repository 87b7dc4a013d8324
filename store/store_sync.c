/* store_sync.c: what the sync writes: batches of messages, folder state,
 * account status, counters, the user's identities. */
#include "store_int.h"

#include <errno.h>
#include <stdlib.h>

/* --- batches ---------------------------------------------------------- */

int kith_store_begin(struct kith_store *s)
{
	if (s->rdonly)
		return -EROFS;
	return store_exec(s, "BEGIN IMMEDIATE");
}

int kith_store_commit(struct kith_store *s)
{
	int r = store_tally_flush(s);

	if (r == 0)
		r = store_exec(s, "COMMIT");
	if (r < 0) {
		store_tally_drop(s);
		store_exec(s, "ROLLBACK");
	}
	return r;
}

int kith_store_rollback(struct kith_store *s)
{
	store_tally_drop(s);
	if (sqlite3_get_autocommit(s->db))
		return 0;
	return store_exec(s, "ROLLBACK");
}

static int bind_message(sqlite3_stmt *st, const struct kith_msg *m, const char *key,
			const char *refs, const char *rcpt, int sent)
{
	store_bind_text(st, 1, key);
	store_bind_text(st, 2, m->message_id);
	store_bind_text(st, 3, m->in_reply_to);
	store_bind_text(st, 4, refs);
	store_bind_date(st, 5, m->date);
	store_bind_text(st, 6, m->from.addr);
	store_bind_text(st, 7, m->from.name);
	store_bind_text(st, 8, rcpt);
	sqlite3_bind_int64(st, 9, (int64_t)m->n_to);
	sqlite3_bind_int64(st, 10, (int64_t)m->n_cc);
	sqlite3_bind_int64(st, 11, m->n_rcpt_total);
	store_bind_text(st, 12, m->subject);
	store_bind_text(st, 13, m->list_id);
	sqlite3_bind_int64(st, 14, m->signals);
	sqlite3_bind_int64(st, 15, (m->flags & ~(uint32_t)KITH_MSG_IN_SENT) |
				   (sent ? KITH_MSG_IN_SENT : 0));
	sqlite3_bind_int64(st, 16, m->parse_errors);
	sqlite3_bind_int(st, 17, sent);
	return 0;
}

/* Inserts the message unless its key is known; sets *id either way. */
static int insert_message(struct kith_store *s, const struct kith_msg *m, int sent,
			  int64_t *id)
{
	char key[33];
	int oom = 0, r;
	char *refs = store_encode_refs(m, &oom), *rcpt = store_encode_rcpt(m, &oom);
	sqlite3_stmt *st;

	r = -ENOMEM;
	if (oom)
		goto out;
	kith_msg_key(m, key);
	r = -EIO;
	st = store_stmt(s, S_MSG_INSERT);
	if (!st)
		goto out;
	bind_message(st, m, key, refs, rcpt, sent);
	r = store_step_done(s, st);
	if (r < 0)
		goto out;
	if (sqlite3_changes(s->db) == 1) {
		*id = sqlite3_last_insert_rowid(s->db);
		s->pend.messages++;
		goto out;
	}
	r = -EIO;
	st = store_stmt(s, S_MSG_ID_BY_KEY);
	if (!st)
		goto out;
	store_bind_text(st, 1, key);
	r = sqlite3_step(st) == SQLITE_ROW ? 0 : store_sql_err(s, SQLITE_ERROR);
	if (r == 0)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
out:
	free(refs);
	free(rcpt);
	return r;
}

/* Inserts a location, or updates the row already there (which: S_LOC_*). */
static int put_location(struct kith_store *s, enum stmt_id which, const char *account,
			const char *folder, uint32_t uidvalidity, uint32_t uid, int64_t id,
			int sent)
{
	sqlite3_stmt *st = store_stmt(s, which);

	if (!st)
		return -EIO;
	store_bind_text(st, 1, account);
	store_bind_text(st, 2, folder);
	sqlite3_bind_int64(st, 3, uid);
	sqlite3_bind_int64(st, 4, uidvalidity);
	sqlite3_bind_int64(st, 5, id);
	sqlite3_bind_int(st, 6, sent);
	return store_step_done(s, st);
}

static int add_location(struct kith_store *s, const char *account, const char *folder,
			uint32_t uidvalidity, uint32_t uid, int64_t id, int sent)
{
	sqlite3_stmt *st;
	int r = put_location(s, S_LOC_INSERT, account, folder, uidvalidity, uid, id, sent);

	if (r == 0 && sqlite3_changes(s->db) == 1)
		r = store_tally_note_location(s, account);
	else if (r == 0)
		r = put_location(s, S_LOC_UPDATE, account, folder, uidvalidity, uid, id, sent);
	if (r < 0 || !sent)
		return r;
	st = store_stmt(s, S_MSG_MARK_SENT);
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	return store_step_done(s, st);
}

/* Why: the content key (kith_msg_key) makes the same message seen in two
 * folders, or fetched twice after a crash, one row; each sighting is a
 * location row, and a copy in \Sent marks the message as the user's. */
int kith_store_add_message(struct kith_store *s, const char *account,
			   const char *folder, unsigned folder_flags,
			   uint32_t uidvalidity, uint32_t uid,
			   const struct kith_msg *m)
{
	int sent = (folder_flags & KITH_FOLDER_SENT) != 0, own, r;
	int64_t id = 0;

	if (s->rdonly)
		return -EROFS;
	if (!account || !folder || !m)
		return -EINVAL;
	r = store_tx_enter(s, &own);
	if (r < 0)
		return r;
	r = insert_message(s, m, sent, &id);
	if (r == 0)
		r = add_location(s, account, folder, uidvalidity, uid, id, sent);
	return store_tx_leave(s, own, r);
}

int kith_store_set_folder(struct kith_store *s, const char *account,
			  const char *folder, unsigned folder_flags,
			  uint32_t uidvalidity, uint32_t last_uid,
			  uint32_t uidnext, uint32_t messages)
{
	sqlite3_stmt *st;

	if (s->rdonly)
		return -EROFS;
	st = store_stmt(s, S_FOLDER_UPSERT);
	if (!st)
		return -EIO;
	store_bind_text(st, 1, account);
	store_bind_text(st, 2, folder);
	sqlite3_bind_int64(st, 3, folder_flags);
	sqlite3_bind_int64(st, 4, uidvalidity);
	sqlite3_bind_int64(st, 5, last_uid);
	sqlite3_bind_int64(st, 6, uidnext);
	sqlite3_bind_int64(st, 7, messages);
	return store_step_done(s, st);
}

/* Runs sql with ?1 = account, ?2 = folder. */
static int exec_af(struct kith_store *s, const char *sql, const char *account,
		   const char *folder)
{
	sqlite3_stmt *st = store_prep(s, sql);
	int r;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, account);
	store_bind_text(st, 2, folder);
	r = store_step_done(s, st);
	sqlite3_finalize(st);
	return r;
}

/* Why: a message may also sit in another folder; only those seen nowhere
 * else go, and the survivors' \Sent mark and direction are recomputed from
 * the locations that remain. */
int kith_store_forget_folder(struct kith_store *s, const char *account,
			     const char *folder)
{
	static const char *const steps[] = {
		"CREATE TEMP TABLE IF NOT EXISTS forget_ids(id INTEGER PRIMARY KEY)",
		"DELETE FROM temp.forget_ids",
		"INSERT OR IGNORE INTO temp.forget_ids SELECT msg FROM locations"
		" WHERE account = ?1 AND folder = ?2",
		"DELETE FROM locations WHERE account = ?1 AND folder = ?2",
		"DELETE FROM folders WHERE account = ?1 AND name = ?2",
		"DELETE FROM messages WHERE id IN (SELECT id FROM temp.forget_ids)"
		" AND NOT EXISTS (SELECT 1 FROM locations l WHERE l.msg = messages.id)",
		"UPDATE messages SET flags = (flags & ~1) | EXISTS (SELECT 1 FROM locations l"
		" WHERE l.msg = messages.id AND l.sent) WHERE id IN (SELECT id FROM temp.forget_ids)",
		"UPDATE messages SET direction = CASE WHEN (flags & 1) OR from_addr IN"
		" (SELECT addr FROM identities) THEN 'out' ELSE 'in' END"
		" WHERE id IN (SELECT id FROM temp.forget_ids)",
		"DELETE FROM temp.forget_ids",
	};
	int own, r;

	if (s->rdonly)
		return -EROFS;
	r = store_tx_enter(s, &own);
	for (size_t i = 0; r == 0 && i < sizeof(steps) / sizeof(steps[0]); i++)
		r = exec_af(s, steps[i], account, folder);
	return store_tx_leave(s, own, r);
}

static int folder_decode(sqlite3_stmt *st, void *elem)
{
	struct kith_folder_state *f = elem;
	int oom = 0;

	f->name = store_col_dup(st, 0, &oom);
	f->uidvalidity = (uint32_t)sqlite3_column_int64(st, 1);
	f->last_uid = (uint32_t)sqlite3_column_int64(st, 2);
	f->uidnext = (uint32_t)sqlite3_column_int64(st, 3);
	f->messages = (uint32_t)sqlite3_column_int64(st, 4);
	return oom ? -ENOMEM : 0;
}

static void folder_clear(void *elem)
{
	free((char *)((struct kith_folder_state *)elem)->name);
}

static const struct row_type folder_rows = {
	sizeof(struct kith_folder_state), 0, folder_decode, folder_clear };

int kith_store_folders(struct kith_store *s, const char *account,
		       struct kith_folder_state **out, size_t *n)
{
	sqlite3_stmt *st = store_stmt(s, S_FOLDERS);
	struct rows b = { .t = &folder_rows };
	int r;

	*out = NULL;
	*n = 0;
	if (!st)
		return -EIO;
	store_bind_text(st, 1, account);
	r = store_read_rows(s, st, &b);
	sqlite3_reset(st);
	*out = b.v;
	*n = b.n;
	return r;
}

void kith_folder_states_free(struct kith_folder_state *v, size_t n)
{
	store_rows_free(&folder_rows, v, n);
}

int kith_store_account_status(struct kith_store *s, const char *account,
			      int64_t when, const char *error)
{
	sqlite3_stmt *st;

	if (s->rdonly)
		return -EROFS;
	st = store_stmt(s, error ? S_ACCT_ERR : S_ACCT_OK);
	if (!st)
		return -EIO;
	store_bind_text(st, 1, account);
	sqlite3_bind_int64(st, 2, store_now_or(when));
	if (error)
		store_bind_text(st, 3, error);
	return store_step_done(s, st);
}

int kith_store_account_state(struct kith_store *s, const char *account, const char *state,
			     const char *text, int64_t now, int64_t next_try)
{
	sqlite3_stmt *st;

	if (s->rdonly)
		return -EROFS;
	st = store_stmt(s, S_ACCT_STATE);
	if (!st)
		return -EIO;
	store_bind_text(st, 1, account);
	store_bind_text(st, 2, state);
	store_bind_text(st, 3, state ? text : NULL);
	sqlite3_bind_int64(st, 4, store_now_or(now));
	store_bind_date(st, 5, next_try);
	return store_step_done(s, st);
}

int kith_store_count(struct kith_store *s, const char *counter, int64_t add)
{
	sqlite3_stmt *st;

	if (s->rdonly)
		return -EROFS;
	st = store_stmt(s, S_COUNT);
	if (!st)
		return -EIO;
	store_bind_text(st, 1, counter);
	sqlite3_bind_int64(st, 2, add);
	return store_step_done(s, st);
}

/* 1 when kith_store_set_identities' temp.id_changed counts a change; a
 * failure goes to *err. */
static int identities_changed(struct kith_store *s, int *err)
{
	sqlite3_stmt *st = store_prep(s, "SELECT c FROM temp.id_changed");
	int rc = SQLITE_ERROR, c = 0;

	if (st && (rc = sqlite3_step(st)) == SQLITE_ROW)
		c = sqlite3_column_int64(st, 0) > 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && (*err = store_sql_err(s, rc)) == 0)
		*err = -EIO;
	return c;
}

/* Why: direction is stored (for SQL readers and `kith status`), so when the
 * identity list changes every message's direction is recomputed once. */
int kith_store_set_identities(struct kith_store *s, const char *const *ids, size_t n)
{
	sqlite3_stmt *st;
	int own, r;

	if (s->rdonly)
		return -EROFS;
	r = store_tx_enter(s, &own);
	if (r == 0)
		r = store_exec(s, "CREATE TEMP TABLE IF NOT EXISTS new_ids(addr TEXT PRIMARY KEY);"
			 "DELETE FROM temp.new_ids");
	st = r == 0 ? store_prep(s, "INSERT OR IGNORE INTO temp.new_ids(addr) VALUES(lower(?1))") : NULL;
	if (r == 0 && !st)
		r = -EIO;
	for (size_t i = 0; r == 0 && i < n; i++) {
		store_bind_text(st, 1, ids[i]);
		r = store_step_done(s, st);
	}
	sqlite3_finalize(st);
	if (r == 0)
		r = store_exec(s,
			 "CREATE TEMP TABLE IF NOT EXISTS id_changed(c INTEGER);"
			 "DELETE FROM temp.id_changed;"
			 "INSERT INTO temp.id_changed SELECT"
			 " (SELECT count(*) FROM (SELECT addr FROM identities"
			 "  EXCEPT SELECT addr FROM temp.new_ids)) +"
			 " (SELECT count(*) FROM (SELECT addr FROM temp.new_ids"
			 "  EXCEPT SELECT addr FROM identities));"
			 "DELETE FROM identities WHERE (SELECT c FROM temp.id_changed) > 0;"
			 "INSERT OR IGNORE INTO identities SELECT addr FROM temp.new_ids;");
	/* decided here, not in the UPDATE's WHERE: SQLite evaluates that
	 * subquery once per row, a scan of every message (0.25 s at a million)
	 * at each start even when nothing changed */
	if (r == 0 && identities_changed(s, &r) && r == 0)
		r = store_exec(s, "UPDATE messages SET direction = CASE WHEN (flags & 1) OR"
			       " from_addr IN (SELECT addr FROM identities) THEN 'out' ELSE 'in' END");
	return store_tx_leave(s, own, r);
}
