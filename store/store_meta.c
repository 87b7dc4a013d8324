/* store_meta.c: see store_meta.h; the sync's side in store_int.h. */
#include "store_int.h"
#include "store_meta.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/analyze.h"

/* Every decision table moves the 'decisions' tally on any write. */
#define BUMP_DECISIONS " BEGIN UPDATE tallies SET value = value + 1 WHERE name = 'decisions'; END;"
#define DECISION_TRIGGERS(t) \
	"CREATE TRIGGER decide_" t "_ins AFTER INSERT ON " t BUMP_DECISIONS \
	"CREATE TRIGGER decide_" t "_upd AFTER UPDATE ON " t BUMP_DECISIONS \
	"CREATE TRIGGER decide_" t "_del AFTER DELETE ON " t BUMP_DECISIONS

/* Why triggers for the rare writes only: deletes, updates, the user's
 * messages and the decisions keep their counts exact whoever writes.  The
 * sync's inserts of messages and locations are counted in C instead
 * (store_tally_*, flushed in the batch's own transaction): a trigger per
 * inserted row cost about 3 us of CPU per message, a third of what the
 * daemon spends on one. */
const char store_meta_schema_v3[] =
	"CREATE TABLE tallies(name TEXT PRIMARY KEY, value INTEGER NOT NULL DEFAULT 0)"
	" WITHOUT ROWID;"
	"INSERT INTO tallies SELECT 'messages', count(*) FROM messages;"
	"INSERT INTO tallies SELECT 'messages_out', count(*) FROM messages"
	" WHERE direction = 'out';"
	"INSERT INTO tallies SELECT 'locations', count(*) FROM locations;"
	"INSERT INTO tallies SELECT 'locations:' || account, count(*) FROM locations"
	" GROUP BY account;"
	"INSERT INTO tallies VALUES('messages_changed', 0), ('decisions', 0);"
	"INSERT INTO tallies SELECT 'conversations_two_way', count(*) FROM conversations"
	" WHERE turns_user > 0 AND turns_them > 0;"
	"CREATE TRIGGER tally_msg_ins_out AFTER INSERT ON messages"
	" WHEN new.direction = 'out' BEGIN"
	" UPDATE tallies SET value = value + 1 WHERE name = 'messages_out'; END;"
	"CREATE TRIGGER tally_msg_del AFTER DELETE ON messages BEGIN"
	" UPDATE tallies SET value = value + CASE name WHEN 'messages' THEN -1"
	"  WHEN 'messages_out' THEN -(old.direction = 'out') ELSE 1 END"
	"  WHERE name IN ('messages', 'messages_out', 'messages_changed'); END;"
	"CREATE TRIGGER tally_msg_upd AFTER UPDATE ON messages BEGIN"
	" UPDATE tallies SET value = value + CASE name"
	"  WHEN 'messages_out' THEN (new.direction = 'out') - (old.direction = 'out') ELSE 1 END"
	"  WHERE name IN ('messages_out', 'messages_changed'); END;"
	"CREATE TRIGGER tally_loc_del AFTER DELETE ON locations BEGIN"
	" UPDATE tallies SET value = value - 1"
	"  WHERE name IN ('locations', 'locations:' || old.account); END;"
	DECISION_TRIGGERS("pins") DECISION_TRIGGERS("ignores")
	DECISION_TRIGGERS("merge_groups") DECISION_TRIGGERS("merge_addrs")
	DECISION_TRIGGERS("splits") DECISION_TRIGGERS("snoozes")
	/* `kith done`: an open task (0) marked done by hand (4) */
	"CREATE TRIGGER decide_task_done AFTER UPDATE OF status ON tasks"
	" WHEN old.status = 0 AND new.status = 4" BUMP_DECISIONS
	"CREATE TABLE analysis_basis(id INTEGER PRIMARY KEY CHECK (id = 1),"
	" version TEXT NOT NULL, config INTEGER NOT NULL, day INTEGER NOT NULL,"
	" max_msg INTEGER NOT NULL, messages INTEGER NOT NULL,"
	" messages_changed INTEGER NOT NULL, decisions INTEGER NOT NULL,"
	" tasks_mtime_s INTEGER NOT NULL, tasks_mtime_ns INTEGER NOT NULL,"
	" with_tasks INTEGER NOT NULL, at INTEGER NOT NULL);";

/* One row's first column as an integer (0 when there is no row); a
 * failure goes to *err (NULL: ignored) unless it holds one already. */
static int64_t scalar_text(struct kith_store *s, const char *sql, const char *arg, int *err)
{
	sqlite3_stmt *st = store_prep(s, sql);
	int64_t v = 0;
	int rc = SQLITE_ERROR;

	if (st) {
		if (arg)
			sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE && err && !*err) {
		*err = store_sql_err(s, rc);
		if (!*err)
			*err = -EIO;
	}
	return v;
}

static int64_t tally(struct kith_store *s, const char *name, int *err)
{
	return scalar_text(s, "SELECT value FROM tallies WHERE name = ?1", name, err);
}

/* Why one read transaction: the six values must describe one state of the
 * database, even while another connection commits.  max(id) on an INTEGER
 * PRIMARY KEY is one descent of the b-tree. */
int kith_store_tallies(struct kith_store *s, struct kith_store_tallies *t)
{
	int err = 0, own = sqlite3_get_autocommit(s->db);

	memset(t, 0, sizeof(*t));
	if (own && store_exec(s, "BEGIN") < 0)
		return -EIO;
	t->messages = tally(s, "messages", &err);
	t->messages_out = tally(s, "messages_out", &err);
	t->locations = tally(s, "locations", &err);
	t->messages_changed = tally(s, "messages_changed", &err);
	t->decisions = tally(s, "decisions", &err);
	t->max_msg = scalar_text(s, "SELECT coalesce(max(id), 0) FROM messages", NULL, &err);
	if (own)
		store_exec(s, "COMMIT");
	return err;
}

int64_t kith_store_tally(struct kith_store *s, const char *name)
{
	return tally(s, name, NULL);
}

int64_t kith_store_account_locations(struct kith_store *s, const char *account)
{
	char name[512];

	snprintf(name, sizeof(name), "locations:%s", account ? account : "");
	return tally(s, name, NULL);
}

/* SQLite's rc after a statement that should have ended as `want`. */
static int meta_done(struct kith_store *s, int rc, int want)
{
	int r;

	if (rc == want)
		return 0;
	r = store_sql_err(s, rc);
	return r ? r : -EIO;
}

#define BASIS_COLS "version, config, day, max_msg, messages, messages_changed, decisions," \
	" tasks_mtime_s, tasks_mtime_ns, with_tasks, at, next_change"

static void basis_decode(sqlite3_stmt *st, struct kith_store_basis *b)
{
	const char *v = (const char *)sqlite3_column_text(st, 0);

	snprintf(b->version, sizeof(b->version), "%s", v ? v : "");
	b->config = (uint64_t)sqlite3_column_int64(st, 1);
	b->day = sqlite3_column_int64(st, 2);
	b->t.max_msg = sqlite3_column_int64(st, 3);
	b->t.messages = sqlite3_column_int64(st, 4);
	b->t.messages_changed = sqlite3_column_int64(st, 5);
	b->t.decisions = sqlite3_column_int64(st, 6);
	b->tasks_mtime_s = sqlite3_column_int64(st, 7);
	b->tasks_mtime_ns = sqlite3_column_int64(st, 8);
	b->with_tasks = sqlite3_column_int(st, 9);
	b->at = sqlite3_column_int64(st, 10);
	b->next_change = sqlite3_column_int64(st, 11);
}

int kith_store_basis_load(struct kith_store *s, struct kith_store_basis *b)
{
	sqlite3_stmt *st = store_prep(s, "SELECT " BASIS_COLS " FROM analysis_basis WHERE id = 1");
	int rc = SQLITE_ERROR;

	memset(b, 0, sizeof(*b));
	if (st && (rc = sqlite3_step(st)) == SQLITE_ROW)
		basis_decode(st, b);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? -ENOENT : meta_done(s, rc, SQLITE_ROW);
}

int kith_store_basis_save(struct kith_store *s, const struct kith_store_basis *b)
{
	sqlite3_stmt *st = store_prep(s, "INSERT OR REPLACE INTO analysis_basis(id, " BASIS_COLS ")"
				      " VALUES(1,?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)");
	int rc = SQLITE_ERROR;

	if (st) {
		sqlite3_bind_text(st, 1, b->version, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, (int64_t)b->config);
		sqlite3_bind_int64(st, 3, b->day);
		sqlite3_bind_int64(st, 4, b->t.max_msg);
		sqlite3_bind_int64(st, 5, b->t.messages);
		sqlite3_bind_int64(st, 6, b->t.messages_changed);
		sqlite3_bind_int64(st, 7, b->t.decisions);
		sqlite3_bind_int64(st, 8, b->tasks_mtime_s);
		sqlite3_bind_int64(st, 9, b->tasks_mtime_ns);
		sqlite3_bind_int(st, 10, b->with_tasks);
		sqlite3_bind_int64(st, 11, b->at);
		sqlite3_bind_int64(st, 12, b->next_change);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return meta_done(s, rc, SQLITE_DONE);
}

/* Sets (replace) or adds to (!replace) a tally, creating it; 0 or a
 * negative errno. */
static int tally_put(struct kith_store *s, const char *name, int64_t v, int replace)
{
	sqlite3_stmt *st = store_prep(s, replace ?
		"INSERT OR REPLACE INTO tallies(name, value) VALUES(?1, ?2)" :
		"INSERT INTO tallies(name, value) VALUES(?1, ?2)"
		" ON CONFLICT(name) DO UPDATE SET value = value + excluded.value");
	int rc = SQLITE_ERROR;

	if (st) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, v);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return meta_done(s, rc, SQLITE_DONE);
}

/* Why counted here: the saved conversations are 240k rows at a million
 * messages, and `kith status` shows how many went both ways. */
int store_tally_analysis(struct kith_store *s, const struct kith_analysis *a)
{
	int64_t two_way = 0;

	for (size_t i = 0; i < a->n_conversations; i++)
		two_way += a->conversations[i].turns_user > 0 && a->conversations[i].turns_them > 0;
	return tally_put(s, "conversations_two_way", two_way, 1);
}

static int flush_account(struct kith_store *s)
{
	struct tally_pending *p = &s->pend;
	char name[512];
	int r = 0;

	if (p->account && p->account_locations) {
		snprintf(name, sizeof(name), "locations:%s", p->account);
		r = tally_put(s, name, p->account_locations, 0);
	}
	p->account_locations = 0;
	return r;
}

int store_tally_note_location(struct kith_store *s, const char *account)
{
	struct tally_pending *p = &s->pend;
	int r = 0;

	if (!p->account || strcmp(p->account, account) != 0) {
		r = flush_account(s);
		free(p->account);
		if (!(p->account = strdup(account)))
			return -ENOMEM;
	}
	p->locations++;
	p->account_locations++;
	return r;
}

int store_tally_flush(struct kith_store *s)
{
	struct tally_pending *p = &s->pend;
	int r = 0;

	if (p->messages)
		r = tally_put(s, "messages", p->messages, 0);
	if (r == 0 && p->locations)
		r = tally_put(s, "locations", p->locations, 0);
	if (r == 0)
		r = flush_account(s);
	p->messages = p->locations = 0;
	return r;
}

void store_tally_drop(struct kith_store *s)
{
	s->pend.messages = s->pend.locations = s->pend.account_locations = 0;
}

void store_tally_free(struct kith_store *s)
{
	free(s->pend.account);
	s->pend = (struct tally_pending){ 0 };
}
