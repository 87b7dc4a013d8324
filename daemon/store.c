/* store.c: see store.h.  The only file in kith that sees SQLite.
 *
 * Layout of this file: connection and schema (open, pragmas, migrations,
 * statement cache), the message batch API, sync state and status, the
 * analysis input (load_messages, load_policy), the derived tables
 * (save_analysis), tasks, the user's decisions, and the read-only queries
 * the CLI uses.  The schema itself is documented in docs/schema.md.
 */
#include "store.h"
#include "store_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../lib/hashmap.h"
#include "../lib/hdr.h"
#include "../lib/strpool.h"
#include "fsutil.h"

#define STORE_SCHEMA_VERSION 1
#define STORE_BUSY_MS 5000

/* --- schema ---------------------------------------------------------- */

/* Migration i takes user_version i to i+1.  Never edit a shipped entry:
 * append a new one. */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE messages("
	" id INTEGER PRIMARY KEY,"
	" key TEXT NOT NULL UNIQUE,"
	" message_id TEXT, in_reply_to TEXT, refs TEXT,"
	" date INTEGER,"
	" from_addr TEXT, from_name TEXT,"
	" rcpt TEXT, n_to INTEGER NOT NULL DEFAULT 0, n_cc INTEGER NOT NULL DEFAULT 0,"
	" n_rcpt_total INTEGER NOT NULL DEFAULT 0,"
	" subject TEXT, list_id TEXT,"
	" signals INTEGER NOT NULL DEFAULT 0, flags INTEGER NOT NULL DEFAULT 0,"
	" parse_errors INTEGER NOT NULL DEFAULT 0,"
	" direction TEXT NOT NULL DEFAULT 'in' CHECK (direction IN ('in','out')));"
	"CREATE INDEX messages_date ON messages(date);"
	"CREATE TABLE locations("
	" account TEXT NOT NULL, folder TEXT NOT NULL, uid INTEGER NOT NULL,"
	" uidvalidity INTEGER NOT NULL, msg INTEGER NOT NULL,"
	" sent INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (account, folder, uid)) WITHOUT ROWID;"
	"CREATE INDEX locations_msg ON locations(msg);"
	"CREATE TABLE folders("
	" account TEXT NOT NULL, name TEXT NOT NULL, flags INTEGER NOT NULL DEFAULT 0,"
	" uidvalidity INTEGER NOT NULL, last_uid INTEGER NOT NULL DEFAULT 0,"
	" uidnext INTEGER NOT NULL DEFAULT 0, messages INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (account, name));"
	"CREATE TABLE accounts(name TEXT PRIMARY KEY, last_success INTEGER,"
	" last_error_at INTEGER, last_error TEXT);"
	"CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE identities(addr TEXT PRIMARY KEY);"
	"CREATE TABLE pins(addr TEXT PRIMARY KEY, tier TEXT NOT NULL, created INTEGER);"
	"CREATE TABLE ignores(pattern TEXT PRIMARY KEY, created INTEGER);"
	"CREATE TABLE merge_groups(id INTEGER PRIMARY KEY, name TEXT, created INTEGER);"
	"CREATE TABLE merge_addrs(addr TEXT PRIMARY KEY, grp INTEGER NOT NULL);"
	"CREATE INDEX merge_addrs_grp ON merge_addrs(grp);"
	"CREATE TABLE splits(addr TEXT PRIMARY KEY, created INTEGER);"
	"CREATE TABLE snoozes(person_key TEXT PRIMARY KEY, until INTEGER NOT NULL);"
	"CREATE TABLE tasks(uid TEXT PRIMARY KEY, person_key TEXT NOT NULL,"
	" kind INTEGER NOT NULL, episode TEXT, summary TEXT, status INTEGER NOT NULL,"
	" due INTEGER, created INTEGER, modified INTEGER, sequence INTEGER,"
	" priority INTEGER, etag TEXT);"
	"CREATE INDEX tasks_person ON tasks(person_key);"
	"CREATE TABLE analysis(id INTEGER PRIMARY KEY CHECK (id = 1), as_of INTEGER,"
	" n_messages INTEGER, n_personal INTEGER, n_list INTEGER, n_automated INTEGER,"
	" n_people INTEGER, n_turns INTEGER, n_conversations INTEGER);"
	"CREATE TABLE people(id INTEGER PRIMARY KEY, rank INTEGER NOT NULL,"
	" key TEXT NOT NULL, name TEXT, depth REAL NOT NULL, tier TEXT NOT NULL,"
	" pinned INTEGER NOT NULL, msgs_from INTEGER, msgs_to INTEGER,"
	" conversations INTEGER, turns_user INTEGER, turns_them INTEGER,"
	" initiated_user INTEGER, initiated_them INTEGER,"
	" unanswered_user INTEGER, unanswered_them INTEGER,"
	" latency_user INTEGER, latency_them INTEGER,"
	" first_exchange INTEGER, last_exchange INTEGER,"
	" last_from INTEGER, last_to INTEGER, reason TEXT);"
	"CREATE INDEX people_key ON people(key);"
	"CREATE INDEX people_tier ON people(tier, rank);"
	"CREATE TABLE person_addrs(addr TEXT NOT NULL, person INTEGER NOT NULL,"
	" PRIMARY KEY (person, addr)) WITHOUT ROWID;"
	"CREATE INDEX person_addrs_addr ON person_addrs(addr);"
	"CREATE TABLE factors(person INTEGER NOT NULL, idx INTEGER NOT NULL,"
	" name TEXT NOT NULL, value REAL, unit TEXT, points REAL,"
	" PRIMARY KEY (person, idx)) WITHOUT ROWID;"
	"CREATE TABLE conversations(id INTEGER PRIMARY KEY, person INTEGER NOT NULL,"
	" root_msg INTEGER, last_msg INTEGER, subject TEXT, first INTEGER, last INTEGER,"
	" turns_user INTEGER, turns_them INTEGER, initiated_by_user INTEGER,"
	" last_by_user INTEGER);"
	"CREATE INDEX conversations_person ON conversations(person, last);"
	"CREATE TABLE turns(id INTEGER PRIMARY KEY, msg INTEGER, person INTEGER NOT NULL,"
	" conversation INTEGER, date INTEGER, by_user INTEGER, latency INTEGER);"
	"CREATE INDEX turns_date ON turns(date);"
	"CREATE INDEX turns_person ON turns(person, date);"
	"CREATE TABLE merge_suggestions(id INTEGER PRIMARY KEY, a TEXT NOT NULL,"
	" b TEXT NOT NULL, reason TEXT);",
	/* 1 -> 2: no query uses messages_date (the load reads the whole table
	 * in id order), and its inserts all over it cost the daemon ~10% of
	 * its CPU time in a first sync */
	"DROP INDEX IF EXISTS messages_date;",
};

#define N_MIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

/* Cached statements, prepared on first use. */
enum stmt_id {
	S_MSG_INSERT, S_MSG_ID_BY_KEY, S_LOC_UPSERT, S_MSG_MARK_SENT,
	S_FOLDER_UPSERT, S_FOLDERS, S_LOAD_MSGS,
	S_COUNT, S_ACCT_OK, S_ACCT_ERR,
	S_N
};

/* A message row as decode_msg reads it (the load and the streamed pass). */
#define MSG_COLUMNS "id, message_id, in_reply_to, refs, date, from_addr, from_name, rcpt," \
	" n_to, n_cc, n_rcpt_total, subject, list_id, signals, flags, parse_errors"

static const char *const stmt_sql[S_N] = {
	[S_MSG_INSERT] =
	"INSERT OR IGNORE INTO messages(key, message_id, in_reply_to, refs, date,"
	" from_addr, from_name, rcpt, n_to, n_cc, n_rcpt_total, subject, list_id,"
	" signals, flags, parse_errors, direction)"
	" VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,"
	" CASE WHEN ?17 OR EXISTS(SELECT 1 FROM identities WHERE addr = ?6)"
	" THEN 'out' ELSE 'in' END)",
	[S_MSG_ID_BY_KEY] = "SELECT id FROM messages WHERE key = ?1",
	[S_LOC_UPSERT] =
	"INSERT INTO locations(account, folder, uid, uidvalidity, msg, sent)"
	" VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT(account, folder, uid) DO UPDATE SET"
	" uidvalidity = excluded.uidvalidity, msg = excluded.msg, sent = excluded.sent",
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
};

struct kith_store {
	sqlite3 *db;
	int rdonly;
	sqlite3_stmt *st[S_N];
	char err[256];
};

/* Why: callers see negative errnos only; the SQLite text goes to s->err. */
static int sql_err(struct kith_store *s, int rc)
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

static int exec(struct kith_store *s, const char *sql)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : sql_err(s, rc);
}

/* A cached statement, reset and ready to bind; NULL with s->err set. */
static sqlite3_stmt *stmt(struct kith_store *s, enum stmt_id id)
{
	sqlite3_stmt *st = s->st[id];

	if (!st) {
		if (sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
				       &s->st[id], NULL) != SQLITE_OK) {
			sql_err(s, SQLITE_ERROR);
			return NULL;
		}
		return s->st[id];
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

/* A one-off statement; the caller finalizes it. */
static sqlite3_stmt *prep(struct kith_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		sql_err(s, SQLITE_ERROR);
		return NULL;
	}
	return st;
}

/* Runs a bound statement that returns no rows. */
static int step_done(struct kith_store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
		sqlite3_reset(st);
		return 0;
	}
	rc = sql_err(s, rc);
	sqlite3_reset(st);
	return rc;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void bind_date(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == KITH_DATE_NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

static int64_t col_date(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return KITH_DATE_NONE;
	return sqlite3_column_int64(st, i);
}

/* A malloc'd copy of a text column, NULL for NULL.  *oom set on failure. */
static char *col_dup(sqlite3_stmt *st, int i, int *oom)
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
static int tx_enter(struct kith_store *s, int *own)
{
	*own = 0;
	if (!sqlite3_get_autocommit(s->db))
		return 0;
	*own = 1;
	return exec(s, "BEGIN IMMEDIATE");
}

static int tx_leave(struct kith_store *s, int own, int r)
{
	if (!own)
		return r;
	if (r < 0) {
		exec(s, "ROLLBACK");
		return r;
	}
	r = exec(s, "COMMIT");
	if (r < 0)
		exec(s, "ROLLBACK");
	return r;
}

static int64_t now_or(int64_t when)
{
	return when > 0 ? when : (int64_t)time(NULL);
}

/* --- row readers ------------------------------------------------------ */

/* One kind of element a list query returns: its size, how one is decoded
 * from the current row into zeroed memory (0, ROW_SKIP, or a negative
 * errno; a skipped element must own nothing), and how what an element owns
 * is freed (NULL: it owns nothing). */
struct row_type {
	size_t size;
	size_t first_cap;                           /* 0: 16 */
	int (*decode)(sqlite3_stmt *st, void *elem);
	void (*clear)(void *elem);
};

#define ROW_SKIP 1

/* A growable array of elements of one row_type; v is malloc'd. */
struct rows {
	const struct row_type *t;
	void *v;
	size_t n, cap;
};

/* Frees n elements of type t and the array v (may be NULL). */
static void rows_free(const struct row_type *t, void *v, size_t n)
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
	void *e;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : b->t->first_cap ? b->t->first_cap : 16;
		void *nv = realloc(b->v, cap * b->t->size);

		if (!nv)
			return NULL;
		b->v = nv;
		b->cap = cap;
	}
	e = (char *)b->v + b->n++ * b->t->size;
	memset(e, 0, b->t->size);
	return e;
}

/* Steps st to its end, handing each row to fn; stops at fn's first
 * negative return and returns it (or the SQLite error).  st is neither
 * reset nor finalized here. */
static int each_row(struct kith_store *s, sqlite3_stmt *st,
		    int (*fn)(sqlite3_stmt *st, void *ctx), void *ctx)
{
	int rc = SQLITE_DONE, r = 0;

	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
		r = fn(st, ctx);
	if (r == 0 && rc != SQLITE_DONE)
		r = sql_err(s, rc);
	return r;
}

/* each_row callback: one decoded element per row.  A failed element stays
 * counted so that rows_free releases what it got before failing. */
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
static int read_rows(struct kith_store *s, sqlite3_stmt *st, struct rows *b)
{
	int r = each_row(s, st, rows_add, b);

	if (r < 0) {
		rows_free(b->t, b->v, b->n);
		b->v = NULL;
		b->n = b->cap = 0;
	}
	return r;
}

/* read_rows over a one-off statement (NULL: prepare failed), which it
 * finalizes.  *v (malloc'd, the caller's) and *n are the rows; NULL, 0 on
 * error. */
static int query_rows(struct kith_store *s, sqlite3_stmt *st, const struct row_type *t,
		      void **v, size_t *n)
{
	struct rows b = { .t = t };
	int r;

	*v = NULL;
	*n = 0;
	if (!st)
		return -EIO;
	r = read_rows(s, st, &b);
	sqlite3_finalize(st);
	*v = b.v;
	*n = b.n;
	return r;
}

/* Elements that are one malloc'd string. */
static int str_decode(sqlite3_stmt *st, void *elem)
{
	int oom = 0;

	*(char **)elem = col_dup(st, 0, &oom);
	return oom ? -ENOMEM : 0;
}

static void str_clear(void *elem)
{
	free(*(char **)elem);
}

static const struct row_type str_rows = { sizeof(char *), 0, str_decode, str_clear };

/* Elements that are one int64. */
static int id_decode(sqlite3_stmt *st, void *elem)
{
	*(int64_t *)elem = sqlite3_column_int64(st, 0);
	return 0;
}

static const struct row_type id_rows = { sizeof(int64_t), 0, id_decode, NULL };

/* --- open and migrate -------------------------------------------------- */

/* Creates path 0600 if missing; an existing file is made 0600 too. */
static int make_private_file(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0600) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

/* SQLite creates -wal and -shm with the database's mode; this makes sure of
 * it (an older file, or one made under another umask, is fixed). */
static void fix_side_files(const char *dbpath)
{
	static const char *const sfx[] = { "-wal", "-shm" };
	char p[PATH_MAX];

	for (size_t i = 0; i < 2; i++) {
		if (snprintf(p, sizeof(p), "%s%s", dbpath, sfx[i]) < (int)sizeof(p))
			(void)chmod(p, 0600);
	}
}

static int user_version(struct kith_store *s, int *v)
{
	sqlite3_stmt *st = prep(s, "PRAGMA user_version");
	int r = -EIO;

	if (!st)
		return -EIO;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*v = sqlite3_column_int(st, 0);
		r = 0;
	}
	sqlite3_finalize(st);
	return r;
}

/* Why: each step runs in its own IMMEDIATE transaction and re-reads the
 * version inside it, so two processes opening a fresh database at once
 * cannot both apply the same step. */
static int migrate(struct kith_store *s)
{
	char sql[64];
	int v, r;

	for (;;) {
		r = exec(s, "BEGIN IMMEDIATE");
		if (r < 0)
			return r;
		r = user_version(s, &v);
		if (r == 0 && v > (int)N_MIGRATIONS) {
			snprintf(s->err, sizeof(s->err),
				 "database schema %d is newer than this kith (%d)", v,
				 (int)N_MIGRATIONS);
			r = -EPROTO;
		}
		if (r < 0 || v == (int)N_MIGRATIONS)
			break;
		r = exec(s, migrations[v]);
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (r == 0)
			r = exec(s, sql);
		if (r < 0)
			break;
		r = exec(s, "COMMIT");
		if (r < 0)
			return r;
	}
	exec(s, r < 0 ? "ROLLBACK" : "COMMIT");
	return r;
}

static int check_version_ro(struct kith_store *s)
{
	int v, r = user_version(s, &v);

	if (r < 0)
		return r;
	if (v == (int)N_MIGRATIONS)
		return 0;
	snprintf(s->err, sizeof(s->err),
		 v < (int)N_MIGRATIONS
		 ? "database schema %d is older than this kith (%d): start kithd to upgrade it"
		 : "database schema %d is newer than this kith (%d)", v, (int)N_MIGRATIONS);
	return -EPROTO;
}

/* Why synchronous=NORMAL: in WAL mode a commit survives any crash of the
 * process (the WAL is in the OS page cache); only a power loss can lose the
 * last commits, never corrupt the file.  Everything the daemon writes can be
 * fetched again from IMAP, and the sync state rolls back together with the
 * messages it covers, so the cost of FULL (an fsync per batch) buys nothing.
 * The user's decisions are not re-derivable: those writes use FULL. */
static int setup_conn(struct kith_store *s)
{
	int r;

	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	sqlite3_extended_result_codes(s->db, 1);
	if (s->rdonly)
		return exec(s, "PRAGMA query_only = 1; PRAGMA cache_size = -16000;"
			    " PRAGMA mmap_size = 1073741824;");
	/* Why no mmap and a small cache for the writer: kithd lives for months
	 * and its resident size is what the user sees; mapped pages count
	 * toward it, while the kernel's page cache serves re-reads anyway. */
	r = exec(s, "PRAGMA journal_mode = WAL");
	if (r == 0)
		r = exec(s, "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -4000;"
			 " PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = OFF;"
			 " PRAGMA mmap_size = 0;");
	return r;
}

static int open_db(struct kith_store *s, const char *path)
{
	int fl = s->rdonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	int rc;

	rc = sqlite3_open_v2(path, &s->db, fl | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		int r = sql_err(s, rc);

		if (!s->db)
			snprintf(s->err, sizeof(s->err), "cannot open the database");
		return r;
	}
	return 0;
}

int kith_store_open(const char *data_dir, int flags, struct kith_store **out,
		    char *err, size_t errlen)
{
	struct kith_store *s;
	char path[PATH_MAX];
	int r;

	*out = NULL;
	if (!data_dir || snprintf(path, sizeof(path), "%s/kith.db", data_dir) >= (int)sizeof(path)) {
		snprintf(err, errlen, "bad data_dir");
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->rdonly = (flags & KITH_STORE_RDONLY) != 0;
	if (s->rdonly) {
		if (access(path, F_OK) < 0) {
			r = -errno;
			snprintf(err, errlen, "no database at %s (has kithd run yet?)", path);
			goto fail;
		}
	} else {
		r = kith_own_dir(data_dir);
		if (r == 0)
			r = make_private_file(path);
		if (r < 0) {
			snprintf(err, errlen, "cannot create %s: %s", path, strerror(-r));
			goto fail;
		}
	}
	r = open_db(s, path);
	if (r == 0)
		r = setup_conn(s);
	if (r == 0)
		r = s->rdonly ? check_version_ro(s) : migrate(s);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path, s->err[0] ? s->err : strerror(-r));
		goto fail;
	}
	if (!s->rdonly)
		fix_side_files(path);
	*out = s;
	return 0;
fail:
	kith_store_close(s);
	return r;
}

void kith_store_close(struct kith_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < S_N; i++)
		sqlite3_finalize(s->st[i]);
	if (s->db) {
		if (!s->rdonly)
			sqlite3_exec(s->db, "PRAGMA optimize", NULL, NULL, NULL);
		sqlite3_close_v2(s->db);
	}
	free(s);
}

/* --- compact encodings ---------------------------------------------- */

/* A growable byte buffer; on ENOMEM it sets oom and stops growing. */
struct sbuf { char *p; size_t len, cap; int oom; };

static void sb_putc(struct sbuf *b, char c)
{
	if (b->oom)
		return;
	if (b->len + 2 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 128;
		char *p = realloc(b->p, cap);

		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	b->p[b->len++] = c;
	b->p[b->len] = 0;
}

/* Escapes \, TAB and LF so that TAB separates fields and LF entries. */
static void sb_put_esc(struct sbuf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\' || *s == '\t' || *s == '\n') {
			sb_putc(b, '\\');
			sb_putc(b, *s == '\t' ? 't' : *s == '\n' ? 'n' : '\\');
		} else {
			sb_putc(b, *s);
		}
	}
}

/* Recipients as "addr[\tname]" entries joined by LF (no TAB: no name). */
static char *encode_rcpt(const struct kith_msg *m, int *oom)
{
	struct sbuf b = { 0 };
	size_t n = m->n_to + m->n_cc;

	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_putc(&b, '\n');
		sb_put_esc(&b, m->rcpt[i].addr ? m->rcpt[i].addr : "");
		if (m->rcpt[i].name) {
			sb_putc(&b, '\t');
			sb_put_esc(&b, m->rcpt[i].name);
		}
	}
	if (n && !b.p)
		sb_putc(&b, 0);
	if (b.oom) {
		free(b.p);
		*oom = 1;
		return NULL;
	}
	return b.p;
}

static char *encode_refs(const struct kith_msg *m, int *oom)
{
	struct sbuf b = { 0 };

	for (size_t i = 0; i < m->n_refs; i++) {
		if (i)
			sb_putc(&b, '\n');
		sb_put_esc(&b, m->refs[i]);
	}
	if (b.oom) {
		free(b.p);
		*oom = 1;
		return NULL;
	}
	return b.p;
}

/* The extent of the escaped field at q: up to TAB, LF or end. */
static const char *field_stop(const char *q, const char *end)
{
	while (q < end && *q != '\t' && *q != '\n')
		q += (*q == '\\' && q + 1 < end) ? 2 : 1;
	return q;
}

/* Unescapes q..stop into out (room for stop - q + 1); returns its length. */
static size_t unescape(const char *q, const char *stop, const char *end, char *out)
{
	char *o = out;

	while (q < stop) {
		if (*q == '\\' && q + 1 < end) {
			q++;
			*o++ = *q == 't' ? '\t' : *q == 'n' ? '\n' : *q;
			q++;
		} else {
			*o++ = *q++;
		}
	}
	*o = 0;
	return (size_t)(o - out);
}

/* Reads one escaped field at *p into a malloc'd string, or with a pool
 * into an interned one (sized to the field itself: allocating up to `end`
 * would cost the rest of the column for every field, quadratic in the
 * recipient count); *p is left on the terminator.  NULL on ENOMEM. */
static char *dec_field(const char **p, const char *end, struct kith_strpool *pool)
{
	const char *stop = field_stop(*p, end);
	size_t cap = (size_t)(stop - *p) + 1, len;
	char small[512], *tmp, *r;

	if (!pool) {
		if ((r = malloc(cap)) != NULL)
			unescape(*p, stop, end, r);
		*p = stop;
		return r;
	}
	tmp = cap <= sizeof(small) ? small : malloc(cap);
	if (!tmp)
		return NULL;
	len = unescape(*p, stop, end, tmp);
	*p = stop;
	r = kith_strpool_intern(pool, tmp, strnlen(tmp, len));
	if (tmp != small)
		free(tmp);
	return r;
}

static size_t count_entries(const char *t, const char *end)
{
	size_t n = 1;

	for (; t < end; t++)
		n += *t == '\n';
	return n;
}

/* Why: one TEXT column instead of a recipients table keeps loading 100k
 * messages to one sequential scan with no joins. */
/* Recipient lists already decoded into a pool, by content.  Why: the same
 * list recurs (a mailing list's posts, a team's threads, the copies of one
 * message), and one shared array per distinct list holds most of a loaded
 * set's recipient memory.  Sound because pooled strings are interned:
 * equal lists have equal pointers. */
struct rcpt_share {
	int scratch;              /* no sharing: the list stays in tmp, valid
				     until the next row (streaming) */
	struct kith_umap seen;    /* hash of a list -> index in lists */
	struct shared_list { struct kith_addr *v; size_t n; } *lists;
	size_t n_lists, cap_lists;
	struct kith_addr *tmp;    /* the list being decoded */
	size_t cap_tmp;
};

static void rcpt_share_free(struct rcpt_share *sh)
{
	kith_umap_free(&sh->seen);
	free(sh->lists);
	free(sh->tmp);
}

static uint64_t list_hash(const struct kith_addr *v, size_t n)
{
	uint64_t h = 1469598103934665603ULL ^ n;

	for (size_t i = 0; i < n; i++) {
		h = (h ^ (uint64_t)(uintptr_t)v[i].addr) * 1099511628211ULL;
		h = (h ^ (uint64_t)(uintptr_t)v[i].name) * 1099511628211ULL;
	}
	return h;
}

static int remember_list(struct rcpt_share *sh, uint64_t h, struct kith_addr *v, size_t n)
{
	size_t at;

	if (sh->n_lists == sh->cap_lists) {
		size_t nc = sh->cap_lists ? sh->cap_lists * 2 : 1024;
		void *nv = realloc(sh->lists, nc * sizeof(*sh->lists));

		if (!nv)
			return -ENOMEM;
		sh->lists = nv;
		sh->cap_lists = nc;
	}
	if (kith_umap_intern(&sh->seen, h, sh->n_lists, &at) < 0)
		return -ENOMEM;
	sh->lists[sh->n_lists++] = (struct shared_list){ v, n };
	return 0;
}

/* The pooled array equal to sh->tmp[0..n): an earlier one, or a new copy. */
static struct kith_addr *share_list(struct rcpt_share *sh, struct kith_strpool *pool, size_t n)
{
	uint64_t h = list_hash(sh->tmp, n);
	struct kith_addr *v;
	size_t i;
	int known = kith_umap_get(&sh->seen, h, &i);

	if (known && sh->lists[i].n == n && memcmp(sh->lists[i].v, sh->tmp, n * sizeof(*v)) == 0)
		return sh->lists[i].v;
	v = kith_strpool_alloc(pool, n * sizeof(*v));
	if (!v)
		return NULL;
	memcpy(v, sh->tmp, n * sizeof(*v));
	/* a hash taken by another list keeps it: this one is just not shared */
	if (!known && remember_list(sh, h, v, n) < 0)
		return NULL;
	return v;
}

static int decode_rcpt(const char *t, size_t len, struct kith_msg *m, size_t want,
		       struct kith_strpool *pool, struct rcpt_share *sh)
{
	const char *p = t, *end = t + len;
	size_t n = len ? count_entries(t, end) : 0;
	struct kith_addr *v;

	if (n != want)
		return -EILSEQ;
	if (!n)
		return 0;
	if (sh && n > sh->cap_tmp) {
		free(sh->tmp);
		if (!(sh->tmp = malloc(n * sizeof(*sh->tmp))))
			return sh->cap_tmp = 0, -ENOMEM;
		sh->cap_tmp = n;
	}
	v = sh ? sh->tmp : pool ? kith_strpool_alloc(pool, n * sizeof(*v)) : calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (!sh)
		m->rcpt = v;
	for (size_t i = 0; i < n; i++) {
		v[i].name = NULL;
		v[i].addr = dec_field(&p, end, pool);
		if (!v[i].addr)
			return -ENOMEM;
		if (p < end && *p == '\t') {
			p++;
			v[i].name = dec_field(&p, end, pool);
			if (!v[i].name)
				return -ENOMEM;
		}
		while (p < end && *p != '\n')
			p++;
		if (p < end)
			p++;
	}
	if (sh && !(m->rcpt = sh->scratch ? sh->tmp : share_list(sh, pool, n)))
		return -ENOMEM;
	return 0;
}

static int decode_refs(const char *t, size_t len, struct kith_msg *m, struct kith_strpool *pool)
{
	const char *p = t, *end = t + len;
	size_t n;

	if (!t)
		return 0;
	n = count_entries(t, end);
	m->refs = pool ? kith_strpool_alloc(pool, n * sizeof(*m->refs)) : calloc(n, sizeof(*m->refs));
	if (!m->refs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		m->refs[i] = dec_field(&p, end, pool);
		if (!m->refs[i])
			return -ENOMEM;
		m->n_refs++;
		if (p < end)
			p++;
	}
	return 0;
}

/* Why: kithd idles for hours between cycles; its page cache (up to 4 MB)
 * would otherwise stay resident, and be copied into every IMAP child it
 * forks.  SQLite rereads what it needs on the next cycle. */
void kith_store_release_memory(struct kith_store *s)
{
	if (s && s->db)
		sqlite3_db_release_memory(s->db);
}

int kith_store_fingerprint(struct kith_store *s, struct kith_store_fp *fp)
{
	sqlite3_stmt *st;
	int rc;

	memset(fp, 0, sizeof(*fp));
	if (!(st = prep(s, "PRAGMA data_version")))
		return -EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		fp->data_version = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return sql_err(s, rc);
	if (!(st = prep(s, "SELECT count(*), coalesce(max(id), 0) FROM messages")))
		return -EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		fp->messages = sqlite3_column_int64(st, 0);
		fp->max_id = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : sql_err(s, rc);
}

/* --- batches ---------------------------------------------------------- */

int kith_store_begin(struct kith_store *s)
{
	if (s->rdonly)
		return -EROFS;
	return exec(s, "BEGIN IMMEDIATE");
}

int kith_store_commit(struct kith_store *s)
{
	int r = exec(s, "COMMIT");

	if (r < 0)
		exec(s, "ROLLBACK");
	return r;
}

int kith_store_rollback(struct kith_store *s)
{
	if (sqlite3_get_autocommit(s->db))
		return 0;
	return exec(s, "ROLLBACK");
}

static int bind_message(sqlite3_stmt *st, const struct kith_msg *m, const char *key,
			const char *refs, const char *rcpt, int sent)
{
	bind_text(st, 1, key);
	bind_text(st, 2, m->message_id);
	bind_text(st, 3, m->in_reply_to);
	bind_text(st, 4, refs);
	bind_date(st, 5, m->date);
	bind_text(st, 6, m->from.addr);
	bind_text(st, 7, m->from.name);
	bind_text(st, 8, rcpt);
	sqlite3_bind_int64(st, 9, (int64_t)m->n_to);
	sqlite3_bind_int64(st, 10, (int64_t)m->n_cc);
	sqlite3_bind_int64(st, 11, m->n_rcpt_total);
	bind_text(st, 12, m->subject);
	bind_text(st, 13, m->list_id);
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
	char *refs = encode_refs(m, &oom), *rcpt = encode_rcpt(m, &oom);
	sqlite3_stmt *st;

	r = -ENOMEM;
	if (oom)
		goto out;
	kith_msg_key(m, key);
	r = -EIO;
	st = stmt(s, S_MSG_INSERT);
	if (!st)
		goto out;
	bind_message(st, m, key, refs, rcpt, sent);
	r = step_done(s, st);
	if (r < 0)
		goto out;
	if (sqlite3_changes(s->db) == 1) {
		*id = sqlite3_last_insert_rowid(s->db);
		goto out;
	}
	r = -EIO;
	st = stmt(s, S_MSG_ID_BY_KEY);
	if (!st)
		goto out;
	bind_text(st, 1, key);
	r = sqlite3_step(st) == SQLITE_ROW ? 0 : sql_err(s, SQLITE_ERROR);
	if (r == 0)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
out:
	free(refs);
	free(rcpt);
	return r;
}

static int add_location(struct kith_store *s, const char *account, const char *folder,
			uint32_t uidvalidity, uint32_t uid, int64_t id, int sent)
{
	sqlite3_stmt *st = stmt(s, S_LOC_UPSERT);
	int r;

	if (!st)
		return -EIO;
	bind_text(st, 1, account);
	bind_text(st, 2, folder);
	sqlite3_bind_int64(st, 3, uid);
	sqlite3_bind_int64(st, 4, uidvalidity);
	sqlite3_bind_int64(st, 5, id);
	sqlite3_bind_int(st, 6, sent);
	r = step_done(s, st);
	if (r < 0 || !sent)
		return r;
	st = stmt(s, S_MSG_MARK_SENT);
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	return step_done(s, st);
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
	r = tx_enter(s, &own);
	if (r < 0)
		return r;
	r = insert_message(s, m, sent, &id);
	if (r == 0)
		r = add_location(s, account, folder, uidvalidity, uid, id, sent);
	return tx_leave(s, own, r);
}

int kith_store_set_folder(struct kith_store *s, const char *account,
			  const char *folder, unsigned folder_flags,
			  uint32_t uidvalidity, uint32_t last_uid,
			  uint32_t uidnext, uint32_t messages)
{
	sqlite3_stmt *st;

	if (s->rdonly)
		return -EROFS;
	st = stmt(s, S_FOLDER_UPSERT);
	if (!st)
		return -EIO;
	bind_text(st, 1, account);
	bind_text(st, 2, folder);
	sqlite3_bind_int64(st, 3, folder_flags);
	sqlite3_bind_int64(st, 4, uidvalidity);
	sqlite3_bind_int64(st, 5, last_uid);
	sqlite3_bind_int64(st, 6, uidnext);
	sqlite3_bind_int64(st, 7, messages);
	return step_done(s, st);
}

/* Runs sql with ?1 = account, ?2 = folder. */
static int exec_af(struct kith_store *s, const char *sql, const char *account,
		   const char *folder)
{
	sqlite3_stmt *st = prep(s, sql);
	int r;

	if (!st)
		return -EIO;
	bind_text(st, 1, account);
	bind_text(st, 2, folder);
	r = step_done(s, st);
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
	r = tx_enter(s, &own);
	for (size_t i = 0; r == 0 && i < sizeof(steps) / sizeof(steps[0]); i++)
		r = exec_af(s, steps[i], account, folder);
	return tx_leave(s, own, r);
}

static int folder_decode(sqlite3_stmt *st, void *elem)
{
	struct kith_folder_state *f = elem;
	int oom = 0;

	f->name = col_dup(st, 0, &oom);
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
	sqlite3_stmt *st = stmt(s, S_FOLDERS);
	struct rows b = { .t = &folder_rows };
	int r;

	*out = NULL;
	*n = 0;
	if (!st)
		return -EIO;
	bind_text(st, 1, account);
	r = read_rows(s, st, &b);
	sqlite3_reset(st);
	*out = b.v;
	*n = b.n;
	return r;
}

void kith_folder_states_free(struct kith_folder_state *v, size_t n)
{
	rows_free(&folder_rows, v, n);
}

int kith_store_account_status(struct kith_store *s, const char *account,
			      int64_t when, const char *error)
{
	sqlite3_stmt *st;

	if (s->rdonly)
		return -EROFS;
	st = stmt(s, error ? S_ACCT_ERR : S_ACCT_OK);
	if (!st)
		return -EIO;
	bind_text(st, 1, account);
	sqlite3_bind_int64(st, 2, now_or(when));
	if (error)
		bind_text(st, 3, error);
	return step_done(s, st);
}

int kith_store_count(struct kith_store *s, const char *counter, int64_t add)
{
	sqlite3_stmt *st;

	if (s->rdonly)
		return -EROFS;
	st = stmt(s, S_COUNT);
	if (!st)
		return -EIO;
	bind_text(st, 1, counter);
	sqlite3_bind_int64(st, 2, add);
	return step_done(s, st);
}

/* Why: direction is stored (for SQL readers and `kith status`), so when the
 * identity list changes every message's direction is recomputed once. */
int kith_store_set_identities(struct kith_store *s, const char *const *ids, size_t n)
{
	sqlite3_stmt *st;
	int own, r;

	if (s->rdonly)
		return -EROFS;
	r = tx_enter(s, &own);
	if (r == 0)
		r = exec(s, "CREATE TEMP TABLE IF NOT EXISTS new_ids(addr TEXT PRIMARY KEY);"
			 "DELETE FROM temp.new_ids");
	st = r == 0 ? prep(s, "INSERT OR IGNORE INTO temp.new_ids(addr) VALUES(lower(?1))") : NULL;
	if (r == 0 && !st)
		r = -EIO;
	for (size_t i = 0; r == 0 && i < n; i++) {
		bind_text(st, 1, ids[i]);
		r = step_done(s, st);
	}
	sqlite3_finalize(st);
	if (r == 0)
		r = exec(s,
			 "CREATE TEMP TABLE IF NOT EXISTS id_changed(c INTEGER);"
			 "DELETE FROM temp.id_changed;"
			 "INSERT INTO temp.id_changed SELECT"
			 " (SELECT count(*) FROM (SELECT addr FROM identities"
			 "  EXCEPT SELECT addr FROM temp.new_ids)) +"
			 " (SELECT count(*) FROM (SELECT addr FROM temp.new_ids"
			 "  EXCEPT SELECT addr FROM identities));"
			 "DELETE FROM identities WHERE (SELECT c FROM temp.id_changed) > 0;"
			 "INSERT OR IGNORE INTO identities SELECT addr FROM temp.new_ids;"
			 "UPDATE messages SET direction = CASE WHEN (flags & 1) OR from_addr IN"
			 " (SELECT addr FROM identities) THEN 'out' ELSE 'in' END"
			 " WHERE (SELECT c FROM temp.id_changed) > 0;");
	return tx_leave(s, own, r);
}

/* --- analysis input ----------------------------------------------------- */

/* A text column as the record's string: malloc'd without a pool; with
 * one, interned (intern=1: values that recur, such as addresses) or
 * copied.  NULL for NULL; *oom set on failure. */
static char *col_str(sqlite3_stmt *st, int i, struct kith_strpool *pool, int intern, int *oom)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	size_t n;
	char *r;

	if (!pool || !t)
		return col_dup(st, i, oom);
	n = strnlen(t, (size_t)sqlite3_column_bytes(st, i));
	r = intern ? kith_strpool_intern(pool, t, n) : kith_strpool_copy(pool, t, n);
	if (!r)
		*oom = 1;
	return r;
}

/* Decodes the current MSG_COLUMNS row into zeroed m: addresses and names
 * interned in `names`, the other strings from `text`; a NULL pool means
 * malloc'd strings (the caller frees them). */
static int decode_msg(sqlite3_stmt *st, struct kith_msg *m, struct kith_strpool *names,
		      struct kith_strpool *text, struct rcpt_share *sh)
{
	int oom = 0, r;
	const char *t;

	m->id = sqlite3_column_int64(st, 0);
	m->message_id = col_str(st, 1, text, 0, &oom);
	m->in_reply_to = col_str(st, 2, text, 1, &oom);
	t = (const char *)sqlite3_column_text(st, 3);
	r = decode_refs(t, (size_t)sqlite3_column_bytes(st, 3), m, text);
	if (r < 0)
		return r;
	m->date = col_date(st, 4);
	m->from.addr = col_str(st, 5, names, 1, &oom);
	m->from.name = col_str(st, 6, names, 1, &oom);
	m->n_to = (size_t)sqlite3_column_int64(st, 8);
	m->n_cc = (size_t)sqlite3_column_int64(st, 9);
	t = (const char *)sqlite3_column_text(st, 7);
	r = decode_rcpt(t ? t : "", (size_t)sqlite3_column_bytes(st, 7), m, m->n_to + m->n_cc,
			names, sh);
	if (r == -EILSEQ) /* a damaged row: keep the message, drop its recipients */
		m->n_to = m->n_cc = 0, r = 0;
	if (r < 0)
		return r;
	m->n_rcpt_total = (uint32_t)sqlite3_column_int64(st, 10);
	m->subject = col_str(st, 11, text, 1, &oom);
	m->list_id = col_str(st, 12, text, 1, &oom);
	m->signals = (uint32_t)sqlite3_column_int64(st, 13);
	m->flags = (uint32_t)sqlite3_column_int64(st, 14);
	m->parse_errors = (uint32_t)sqlite3_column_int64(st, 15);
	return oom ? -ENOMEM : 0;
}

static int row_to_msg(sqlite3_stmt *st, void *elem)
{
	return decode_msg(st, elem, NULL, NULL, NULL);
}

static void msg_clear(void *elem)
{
	kith_msg_free(elem);
}

/* Messages start at 1024 slots: the daemon loads thousands every cycle. */
static const struct row_type msg_rows = { sizeof(struct kith_msg), 1024, row_to_msg, msg_clear };

/* Why: one prepared scan in rowid order, no per-row queries, the array
 * grown geometrically: this is what the daemon runs every cycle. */
int kith_store_load_messages(struct kith_store *s, int64_t before,
			     struct kith_msg **out, size_t *n)
{
	sqlite3_stmt *st = stmt(s, S_LOAD_MSGS);
	struct rows b = { .t = &msg_rows };
	int r;

	*out = NULL;
	*n = 0;
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, before);
	r = read_rows(s, st, &b);
	sqlite3_reset(st);
	*out = b.v;
	*n = b.n;
	return r;
}

struct msgset_fill { struct kith_msgset *set; size_t cap; struct rcpt_share share; };

/* Why a scan of the messages drops SQLite's pages as it goes (every 1024
 * rows): it reads each page once, and a full cache on top of what the
 * analysis holds was the process' memory peak. */
static void scan_drop_pages(sqlite3_stmt *st, size_t rows)
{
	if (rows % 1024 == 0)
		sqlite3_db_release_memory(sqlite3_db_handle(st));
}

/* each_row callback for kith_store_load_msgset: one record per row, into
 * the exactly sized array counted beforehand (rows added since are left
 * for the next cycle). */
static int msgset_add(sqlite3_stmt *st, void *ctx)
{
	struct msgset_fill *f = ctx;
	int r;

	if (f->set->n >= f->cap)
		return 1;
	r = decode_msg(st, &f->set->v[f->set->n], f->set->pool, f->set->pool, &f->share);
	if (r == 0)
		scan_drop_pages(st, ++f->set->n);
	return r;
}

static int count_before(struct kith_store *s, int64_t before, size_t *n)
{
	sqlite3_stmt *st = prep(s, "SELECT count(*) FROM messages WHERE date IS NULL OR date < ?1");
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, before);
	rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? (size_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : sql_err(s, rc);
}

/* Why: the daemon's and the CLI's analysis input.  Counting first sizes
 * the array exactly (doubling a 100k array costs a third of it again), and
 * the pool stores each distinct address, name, subject and reference once
 * with no per-string malloc header, and each distinct recipient list once
 * (rcpt_share): a third of the memory of kith_store_load_messages on a
 * large mailbox, before the lists are shared. */
int kith_store_load_msgset(struct kith_store *s, int64_t before, struct kith_msgset *out)
{
	sqlite3_stmt *st = stmt(s, S_LOAD_MSGS);
	struct msgset_fill f = { .set = out };
	int r;

	memset(out, 0, sizeof(*out));
	if (!st)
		return -EIO;
	if ((r = count_before(s, before, &f.cap)) < 0)
		return r;
	out->pool = kith_strpool_new();
	out->v = calloc(f.cap ? f.cap : 1, sizeof(*out->v));
	if (!out->pool || !out->v) {
		kith_msgset_free(out);
		return -ENOMEM;
	}
	kith_umap_init(&f.share.seen);
	sqlite3_bind_int64(st, 1, before);
	r = each_row(s, st, msgset_add, &f);
	sqlite3_reset(st);
	rcpt_share_free(&f.share);
	if (r < 0) {
		kith_msgset_free(out);
		return r;
	}
	return 0;
}

/* --- analysis input, streamed --------------------------------------- */

#define SRC_WHERE " FROM messages WHERE (date IS NULL OR date < ?1) AND id <= ?2 ORDER BY id"

/* One pass of a kith_store_source: the record reused row after row. */
struct stream_pass {
	struct kith_msg m;
	struct kith_strpool *pool; /* addresses and names, interned for the pass */
	struct rcpt_share sh;      /* scratch only: the row's recipient array */
};

/* Frees what a streamed row owns (addresses and names are the pass's). */
static void stream_row_clear(struct kith_msg *m)
{
	free(m->message_id);
	free(m->in_reply_to);
	for (size_t i = 0; i < m->n_refs; i++)
		free(m->refs[i]);
	free(m->refs);
	free(m->subject);
	free(m->list_id);
	memset(m, 0, sizeof(*m));
}

/* A KITH_PASS_SENDERS row: id, date, from_addr, flags, list_id. */
static int stream_decode_senders(sqlite3_stmt *st, struct stream_pass *p)
{
	int oom = 0;

	p->m.id = sqlite3_column_int64(st, 0);
	p->m.date = col_date(st, 1);
	p->m.from.addr = col_str(st, 2, p->pool, 1, &oom);
	p->m.flags = (uint32_t)sqlite3_column_int64(st, 3);
	p->m.list_id = col_dup(st, 4, &oom);
	return oom ? -ENOMEM : 0;
}

/* One streamed pass: what each_row hands every row to stream_row. */
struct stream_run {
	enum kith_pass pass;
	struct stream_pass *p;
	kith_msg_fn fn;
	void *fn_ctx;
	size_t rows;
};

/* each_row callback: one message per row to the analysis' fn, then the
 * row's own strings freed (addresses and names are interned for the pass:
 * the analysis caches people by address pointer). */
static int stream_row(sqlite3_stmt *st, void *ctx)
{
	struct stream_run *run = ctx;
	struct stream_pass *p = run->p;
	int r = run->pass == KITH_PASS_SENDERS ? stream_decode_senders(st, p)
					       : decode_msg(st, &p->m, p->pool, NULL, &p->sh);

	if (r == 0)
		r = run->fn(&p->m, run->fn_ctx);
	stream_row_clear(&p->m);
	scan_drop_pages(st, ++run->rows);
	return r;
}

static int stream_each(void *ctx, enum kith_pass pass, kith_msg_fn fn, void *fn_ctx)
{
	struct kith_store_source *ss = ctx;
	struct stream_pass p = { .sh = { .scratch = 1 } };
	struct stream_run run = { pass, &p, fn, fn_ctx, 0 };
	sqlite3_stmt *st = prep(ss->s, pass == KITH_PASS_SENDERS
				? "SELECT id, date, from_addr, flags, list_id" SRC_WHERE
				: "SELECT " MSG_COLUMNS SRC_WHERE);
	int r = -ENOMEM;

	if (!st)
		return -EIO;
	if ((p.pool = kith_strpool_new()) != NULL) {
		sqlite3_bind_int64(st, 1, ss->before);
		sqlite3_bind_int64(st, 2, ss->max_id);
		r = each_row(ss->s, st, stream_row, &run);
	}
	sqlite3_finalize(st);
	rcpt_share_free(&p.sh);
	kith_strpool_free(p.pool);
	sqlite3_db_release_memory(ss->s->db);
	return r;
}

int kith_store_msg_source(struct kith_store *s, int64_t before, struct kith_store_source *ss,
			  struct kith_msg_source *src)
{
	sqlite3_stmt *st = prep(s, "SELECT count(*), coalesce(max(id), 0) FROM messages"
				" WHERE date IS NULL OR date < ?1");
	int rc;

	memset(ss, 0, sizeof(*ss));
	memset(src, 0, sizeof(*src));
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, before);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ss = (struct kith_store_source){ s, before, sqlite3_column_int64(st, 1),
						  (size_t)sqlite3_column_int64(st, 0) };
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return sql_err(s, rc);
	*src = (struct kith_msg_source){ .n = ss->n, .each = stream_each, .ctx = ss };
	return 0;
}

/* Runs a one-column text query into a malloc'd array of strings. */
static int load_strings(struct kith_store *s, const char *sql, char ***out, size_t *n)
{
	void *v;
	int r = query_rows(s, prep(s, sql), &str_rows, &v, n);

	*out = v;
	return r;
}

static int pin_decode(sqlite3_stmt *st, void *elem)
{
	struct kith_pin *pin = elem;
	const char *tn = (const char *)sqlite3_column_text(st, 1);
	int oom = 0;

	if (!tn || kith_tier_parse(tn, &pin->tier) < 0)
		return ROW_SKIP; /* a tier this kith does not know: skip it */
	pin->addr = col_dup(st, 0, &oom);
	return oom ? -ENOMEM : 0;
}

static void pin_clear(void *elem)
{
	free((char *)((struct kith_pin *)elem)->addr);
}

static const struct row_type pin_rows = { sizeof(struct kith_pin), 0, pin_decode, pin_clear };

static int load_pins(struct kith_store *s, struct kith_store_policy *p)
{
	void *v;
	int r = query_rows(s, prep(s, "SELECT addr, tier FROM pins ORDER BY addr"), &pin_rows,
			   &v, &p->n_pins);

	p->pins = v;
	return r;
}

static int snooze_decode(sqlite3_stmt *st, void *elem)
{
	struct kith_snooze *z = elem;
	int oom = 0;

	z->person_key = col_dup(st, 0, &oom);
	z->until = sqlite3_column_int64(st, 1);
	return oom ? -ENOMEM : 0;
}

static void snooze_clear(void *elem)
{
	free((char *)((struct kith_snooze *)elem)->person_key);
}

static const struct row_type snooze_rows = {
	sizeof(struct kith_snooze), 0, snooze_decode, snooze_clear };

static int load_snoozes(struct kith_store *s, struct kith_store_policy *p)
{
	void *v;
	int r = query_rows(s, prep(s, "SELECT person_key, until FROM snoozes ORDER BY person_key"),
			   &snooze_rows, &v, &p->n_snoozes);

	p->snoozes = v;
	return r;
}

/* Appends one address to the last merge group of p. */
static int merge_push(struct kith_store_policy *p, char *addr)
{
	struct kith_merge *m = &p->merges[p->n_merges - 1];
	const char **nv = realloc((void *)m->addrs, (m->n_addrs + 1) * sizeof(*nv));

	if (!nv) {
		free(addr);
		return -ENOMEM;
	}
	nv[m->n_addrs++] = addr;
	m->addrs = nv;
	return 0;
}

/* Why: merge groups are stored one address per row; rows of a group are
 * adjacent in this query, so one pass builds the groups. */
struct merge_ctx { struct kith_store_policy *p; int64_t cur; };

/* each_row callback: a row of a new group opens it, then adds its address. */
static int merge_row(sqlite3_stmt *st, void *ctx)
{
	struct merge_ctx *c = ctx;
	struct kith_store_policy *p = c->p;
	int oom = 0, r;

	if (sqlite3_column_int64(st, 0) != c->cur) {
		struct kith_merge *nv = realloc(p->merges, (p->n_merges + 1) * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		p->merges = nv;
		nv[p->n_merges] = (struct kith_merge){ .name = col_dup(st, 1, &oom) };
		p->n_merges++;
		c->cur = sqlite3_column_int64(st, 0);
	}
	r = merge_push(p, col_dup(st, 2, &oom));
	return oom ? -ENOMEM : r;
}

static int load_merges(struct kith_store *s, struct kith_store_policy *p)
{
	sqlite3_stmt *st = prep(s, "SELECT g.id, g.name, a.addr FROM merge_groups g"
				" JOIN merge_addrs a ON a.grp = g.id ORDER BY g.id, a.addr");
	struct merge_ctx c = { p, -1 };
	int r;

	if (!st)
		return -EIO;
	r = each_row(s, st, merge_row, &c);
	sqlite3_finalize(st);
	return r;
}

int kith_store_load_policy(struct kith_store *s, struct kith_store_policy *p)
{
	int r;

	memset(p, 0, sizeof(*p));
	r = load_strings(s, "SELECT pattern FROM ignores ORDER BY pattern", &p->ignores,
			 &p->n_ignores);
	if (r == 0)
		r = load_strings(s, "SELECT addr FROM splits ORDER BY addr", &p->splits,
				 &p->n_splits);
	if (r == 0)
		r = load_pins(s, p);
	if (r == 0)
		r = load_snoozes(s, p);
	if (r == 0)
		r = load_merges(s, p);
	if (r < 0)
		kith_store_policy_free(p);
	return r;
}

void kith_store_policy_free(struct kith_store_policy *p)
{
	for (size_t i = 0; i < p->n_ignores; i++)
		free(p->ignores[i]);
	free(p->ignores);
	for (size_t i = 0; i < p->n_splits; i++)
		free(p->splits[i]);
	free(p->splits);
	for (size_t i = 0; i < p->n_pins; i++)
		free((char *)p->pins[i].addr);
	free(p->pins);
	for (size_t i = 0; i < p->n_snoozes; i++)
		free((char *)p->snoozes[i].person_key);
	free(p->snoozes);
	for (size_t i = 0; i < p->n_merges; i++) {
		for (size_t j = 0; j < p->merges[i].n_addrs; j++)
			free((char *)p->merges[i].addrs[j]);
		free((void *)p->merges[i].addrs);
		free((char *)p->merges[i].name);
	}
	free(p->merges);
	memset(p, 0, sizeof(*p));
}

/* --- analysis output ---------------------------------------------------- */

/* The statements save_analysis runs per row, prepared once per call. */
struct save_ctx {
	struct kith_store *s;
	sqlite3_stmt *person, *addr, *factor, *conv, *turn, *sugg;
	int64_t as_of;
};

static void save_ctx_free(struct save_ctx *c)
{
	sqlite3_finalize(c->person);
	sqlite3_finalize(c->addr);
	sqlite3_finalize(c->factor);
	sqlite3_finalize(c->conv);
	sqlite3_finalize(c->turn);
	sqlite3_finalize(c->sugg);
}

static int save_ctx_prepare(struct save_ctx *c)
{
	struct kith_store *s = c->s;

	c->person = prep(s, "INSERT INTO people(id, rank, key, name, depth, tier, pinned,"
			 " msgs_from, msgs_to, conversations, turns_user, turns_them,"
			 " initiated_user, initiated_them, unanswered_user, unanswered_them,"
			 " latency_user, latency_them, first_exchange, last_exchange,"
			 " last_from, last_to, reason) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,"
			 "?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23)");
	c->addr = prep(s, "INSERT OR IGNORE INTO person_addrs(addr, person) VALUES(?1,?2)");
	c->factor = prep(s, "INSERT OR REPLACE INTO factors(person, idx, name, value, unit, points)"
			 " VALUES(?1,?2,?3,?4,?5,?6)");
	c->conv = prep(s, "INSERT INTO conversations(id, person, root_msg, last_msg, subject,"
		       " first, last, turns_user, turns_them, initiated_by_user, last_by_user)"
		       " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)");
	c->turn = prep(s, "INSERT INTO turns(id, msg, person, conversation, date, by_user,"
		       " latency) VALUES(?1,?2,?3,?4,?5,?6,?7)");
	c->sugg = prep(s, "INSERT INTO merge_suggestions(id, a, b, reason) VALUES(?1,?2,?3,?4)");
	if (!c->person || !c->addr || !c->factor || !c->conv || !c->turn || !c->sugg)
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
 * they do; it is built here once rather than by every reader. */
static void person_reason(const struct kith_person *p, char *buf, size_t len)
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

	person_reason(p, reason, sizeof(reason));
	sqlite3_bind_int64(st, 1, (int64_t)i);
	sqlite3_bind_int64(st, 2, (int64_t)i + 1);
	bind_text(st, 3, p->key ? p->key : "");
	bind_text(st, 4, p->name);
	sqlite3_bind_double(st, 5, p->depth);
	bind_text(st, 6, kith_tier_name(p->tier));
	sqlite3_bind_int(st, 7, p->pinned != 0);
	for (int k = 0; k < 11; k++)
		sqlite3_bind_int64(st, 8 + k, v[k]);
	bind_date(st, 19, p->first_exchange);
	bind_date(st, 20, p->last_exchange);
	bind_date(st, 21, p->last_from);
	bind_date(st, 22, p->last_to);
	bind_text(st, 23, reason);
	r = step_done(c->s, st);
	for (size_t k = 0; r == 0 && k < p->n_addrs; k++) {
		bind_text(c->addr, 1, p->addrs[k]);
		sqlite3_bind_int64(c->addr, 2, (int64_t)i);
		r = step_done(c->s, c->addr);
	}
	for (size_t k = 0; r == 0 && k < p->n_factors && k < KITH_MAX_FACTORS; k++) {
		const struct kith_factor *f = &p->factors[k];

		sqlite3_bind_int64(c->factor, 1, (int64_t)i);
		sqlite3_bind_int64(c->factor, 2, (int64_t)k);
		bind_text(c->factor, 3, f->name ? f->name : "?");
		sqlite3_bind_double(c->factor, 4, f->value);
		bind_text(c->factor, 5, f->unit);
		sqlite3_bind_double(c->factor, 6, f->points);
		r = step_done(c->s, c->factor);
	}
	return r;
}

static int save_conv(struct save_ctx *c, const struct kith_conversation *v, size_t i)
{
	sqlite3_stmt *st = c->conv;

	sqlite3_bind_int64(st, 1, (int64_t)i);
	sqlite3_bind_int64(st, 2, (int64_t)v->person);
	sqlite3_bind_int64(st, 3, v->root_msg_id);
	sqlite3_bind_int64(st, 4, v->last_msg_id);
	bind_text(st, 5, v->subject);
	bind_date(st, 6, v->first);
	bind_date(st, 7, v->last);
	sqlite3_bind_int64(st, 8, v->turns_user);
	sqlite3_bind_int64(st, 9, v->turns_them);
	sqlite3_bind_int(st, 10, v->initiated_by_user != 0);
	sqlite3_bind_int(st, 11, v->last_by_user != 0);
	return step_done(c->s, st);
}

static int save_turn(struct save_ctx *c, const struct kith_turn *t, size_t i)
{
	sqlite3_stmt *st = c->turn;

	sqlite3_bind_int64(st, 1, (int64_t)i);
	sqlite3_bind_int64(st, 2, t->msg_id);
	sqlite3_bind_int64(st, 3, (int64_t)t->person);
	sqlite3_bind_int64(st, 4, (int64_t)t->conversation);
	bind_date(st, 5, t->date);
	sqlite3_bind_int(st, 6, t->by_user != 0);
	sqlite3_bind_int64(st, 7, t->latency);
	return step_done(c->s, st);
}

static int save_meta(struct kith_store *s, const struct kith_analysis *a, int64_t as_of)
{
	sqlite3_stmt *st = prep(s, "INSERT OR REPLACE INTO analysis(id, as_of, n_messages,"
				" n_personal, n_list, n_automated, n_people, n_turns,"
				" n_conversations) VALUES(1,?1,?2,?3,?4,?5,?6,?7,?8)");
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
	r = step_done(s, st);
	sqlite3_finalize(st);
	return r;
}

static int save_rows(struct save_ctx *c, const struct kith_analysis *a)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < a->n_people; i++)
		r = save_person(c, &a->people[i], i);
	for (size_t i = 0; r == 0 && i < a->n_conversations; i++)
		r = save_conv(c, &a->conversations[i], i);
	for (size_t i = 0; r == 0 && i < a->n_turns; i++)
		r = save_turn(c, &a->turns[i], i);
	for (size_t i = 0; r == 0 && i < a->n_suggestions; i++) {
		const struct kith_merge_suggestion *g = &a->suggestions[i];

		sqlite3_bind_int64(c->sugg, 1, (int64_t)i);
		bind_text(c->sugg, 2, g->a ? g->a : "");
		bind_text(c->sugg, 3, g->b ? g->b : "");
		bind_text(c->sugg, 4, g->reason);
		r = step_done(c->s, c->sugg);
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
	int own, r;

	(void)msgs;
	if (s->rdonly)
		return -EROFS;
	if (!a)
		return -EINVAL;
	r = tx_enter(s, &own);
	if (r == 0)
		r = exec(s, "DELETE FROM people; DELETE FROM person_addrs; DELETE FROM factors;"
			 " DELETE FROM conversations; DELETE FROM turns;"
			 " DELETE FROM merge_suggestions;");
	if (r == 0)
		r = save_ctx_prepare(&c);
	if (r == 0)
		r = save_rows(&c, a);
	if (r == 0)
		r = save_meta(s, a, as_of);
	save_ctx_free(&c);
	return tx_leave(s, own, r);
}

/* --- tasks ---------------------------------------------------------------- */

static int row_to_task(sqlite3_stmt *st, void *elem)
{
	struct kith_task_record *t = elem;
	int oom = 0;

	t->uid = col_dup(st, 0, &oom);
	t->person_key = col_dup(st, 1, &oom);
	t->kind = (enum kith_task_kind)sqlite3_column_int(st, 2);
	t->episode = col_dup(st, 3, &oom);
	t->summary = col_dup(st, 4, &oom);
	t->status = (enum kith_task_status)sqlite3_column_int(st, 5);
	t->due = sqlite3_column_int64(st, 6);
	t->created = sqlite3_column_int64(st, 7);
	t->modified = sqlite3_column_int64(st, 8);
	t->sequence = sqlite3_column_int(st, 9);
	t->priority = sqlite3_column_int(st, 10);
	t->etag = col_dup(st, 11, &oom);
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
	int r = query_rows(s, st, &task_rows, &v, n);

	*out = v;
	return r;
}

int kith_store_load_tasks(struct kith_store *s, struct kith_task_record **out,
			  size_t *n)
{
	return load_task_rows(s, prep(s, "SELECT " TASK_COLS " FROM tasks ORDER BY uid"), out, n);
}

int kith_store_person_tasks(struct kith_store *s, const char *person_key, int open_only,
			    struct kith_task_record **out, size_t *n)
{
	sqlite3_stmt *st = prep(s, "SELECT " TASK_COLS " FROM tasks WHERE person_key = ?1"
				" AND (?2 = 0 OR status = 0) ORDER BY due");

	if (st) {
		bind_text(st, 1, person_key);
		sqlite3_bind_int(st, 2, open_only);
	}
	return load_task_rows(s, st, out, n);
}

void kith_task_records_free_store(struct kith_task_record *v, size_t n)
{
	rows_free(&task_rows, v, n);
}

static int save_task(struct kith_store *s, sqlite3_stmt *st, const struct kith_task_record *t)
{
	bind_text(st, 1, t->uid);
	bind_text(st, 2, t->person_key ? t->person_key : "");
	sqlite3_bind_int(st, 3, (int)t->kind);
	bind_text(st, 4, t->episode);
	bind_text(st, 5, t->summary);
	sqlite3_bind_int(st, 6, (int)t->status);
	sqlite3_bind_int64(st, 7, t->due);
	sqlite3_bind_int64(st, 8, t->created);
	sqlite3_bind_int64(st, 9, t->modified);
	sqlite3_bind_int(st, 10, t->sequence);
	sqlite3_bind_int(st, 11, t->priority);
	bind_text(st, 12, t->etag);
	return step_done(s, st);
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
	r = tx_enter(s, &own);
	if (r == 0)
		r = exec(s, "CREATE TEMP TABLE IF NOT EXISTS hand_done(uid TEXT PRIMARY KEY);"
			 "DELETE FROM temp.hand_done;"
			 "INSERT INTO temp.hand_done SELECT uid FROM tasks WHERE status = 4;"
			 "DELETE FROM tasks;");
	if (r == 0 && !(st = prep(s, "INSERT OR REPLACE INTO tasks(" TASK_COLS ")"
				  " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)")))
		r = -EIO;
	for (size_t i = 0; r == 0 && i < n; i++)
		if (v[i].uid)
			r = save_task(s, st, &v[i]);
	sqlite3_finalize(st);
	if (r == 0)
		r = exec(s, "UPDATE tasks SET status = 4 WHERE status = 0 AND uid IN"
			 " (SELECT uid FROM temp.hand_done)");
	return tx_leave(s, own, r);
}

/* Marks a person's open tasks done by hand; returns how many (>= 0). */
int kith_store_task_done(struct kith_store *s, const char *person_key, int64_t now)
{
	sqlite3_stmt *st;
	int own, r, changed = 0;

	if (s->rdonly)
		return -EROFS;
	r = tx_enter(s, &own);
	st = r == 0 ? prep(s, "UPDATE tasks SET status = 4, modified = ?2"
			   " WHERE person_key = ?1 AND status = 0") : NULL;
	if (r == 0 && !st)
		r = -EIO;
	if (r == 0) {
		bind_text(st, 1, person_key);
		sqlite3_bind_int64(st, 2, now_or(now));
		r = step_done(s, st);
		changed = sqlite3_changes(s->db);
	}
	sqlite3_finalize(st);
	r = tx_leave(s, own, r);
	return r < 0 ? r : changed;
}

/* --- the user's decisions -------------------------------------------------- */

/* Why: a decision is the user's intent and cannot be fetched again, so its
 * commit is fsynced (synchronous=FULL) unlike the daemon's batches. */
static int decide_begin(struct kith_store *s)
{
	int r;

	if (s->rdonly)
		return -EROFS;
	r = exec(s, "PRAGMA synchronous = FULL");
	if (r == 0)
		r = exec(s, "BEGIN IMMEDIATE");
	return r;
}

/* Ends a decision transaction; returns r (the caller's result) or an error. */
static int decide_end(struct kith_store *s, int r)
{
	int c;

	if (r < 0) {
		exec(s, "ROLLBACK");
	} else if ((c = exec(s, "COMMIT")) < 0) {
		exec(s, "ROLLBACK");
		r = c;
	}
	exec(s, "PRAGMA synchronous = NORMAL");
	return r;
}

/* Runs sql binding ?1 = a, ?2 = b (text or NULL), ?3 = i; returns changes. */
static int run3(struct kith_store *s, const char *sql, const char *a, const char *b,
		int64_t i)
{
	sqlite3_stmt *st = prep(s, sql);
	int r;

	if (!st)
		return -EIO;
	bind_text(st, 1, a);
	bind_text(st, 2, b);
	sqlite3_bind_int64(st, 3, i);
	r = step_done(s, st);
	sqlite3_finalize(st);
	return r < 0 ? r : sqlite3_changes(s->db);
}

static char *lower_dup(const char *a)
{
	char *p = strdup(a);

	for (char *q = p; q && *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	return p;
}

/* Returns 1 when a change was made, 0 when there was nothing to do. */
int kith_store_set_pin(struct kith_store *s, const char *addr, const char *tier)
{
	enum kith_tier t;
	char *a;
	int r;

	if (!addr || !*addr)
		return -EINVAL;
	if (tier && (kith_tier_parse(tier, &t) < 0 || t == KITH_TIER_NONE))
		return -EINVAL;
	a = lower_dup(addr);
	if (!a)
		return -ENOMEM;
	r = decide_begin(s);
	if (r == 0 && tier)
		r = run3(s, "INSERT INTO pins(addr, tier, created) VALUES(?1, ?2, ?3)"
			 " ON CONFLICT(addr) DO UPDATE SET tier = excluded.tier",
			 a, kith_tier_name(t), (int64_t)time(NULL));
	else if (r == 0)
		r = run3(s, "DELETE FROM pins WHERE addr = ?1", a, NULL, 0);
	free(a);
	return decide_end(s, r < 0 ? r : r > 0);
}

int kith_store_set_ignore(struct kith_store *s, const char *pattern, int on)
{
	char *p;
	int r;

	if (!pattern || !*pattern)
		return -EINVAL;
	p = lower_dup(pattern);
	if (!p)
		return -ENOMEM;
	r = decide_begin(s);
	if (r == 0)
		r = run3(s, on ? "INSERT OR IGNORE INTO ignores(pattern, created) VALUES(?1, ?3)"
			 : "DELETE FROM ignores WHERE pattern = ?1", p, NULL, (int64_t)time(NULL));
	free(p);
	return decide_end(s, r < 0 ? r : r > 0);
}

/* Why: merges are transitive: merging a with b, then b with c makes one
 * person of all three, so every group that shares an address is folded into
 * the oldest one.  A merge also undoes an earlier split of those addresses. */
static int merge_one(struct kith_store *s, const char *addr, int64_t grp)
{
	int r = run3(s, "UPDATE merge_addrs SET grp = ?3 WHERE grp IN"
		     " (SELECT grp FROM merge_addrs WHERE addr = ?1) AND grp <> ?3", addr, NULL, grp);

	if (r >= 0)
		r = run3(s, "INSERT OR IGNORE INTO merge_addrs(addr, grp) VALUES(?1, ?3)",
			 addr, NULL, grp);
	if (r >= 0)
		r = run3(s, "DELETE FROM splits WHERE addr = ?1", addr, NULL, 0);
	return r < 0 ? r : 0;
}

static int merge_target(struct kith_store *s, char **addrs, size_t n, int64_t *grp)
{
	sqlite3_stmt *st = prep(s, "SELECT min(grp) FROM merge_addrs WHERE addr = ?1");
	int r = 0;

	*grp = 0;
	if (!st)
		return -EIO;
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(st);
		bind_text(st, 1, addrs[i]);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
			int64_t g = sqlite3_column_int64(st, 0);

			if (!*grp || g < *grp)
				*grp = g;
		}
	}
	sqlite3_finalize(st);
	if (*grp)
		return 0;
	r = run3(s, "INSERT INTO merge_groups(name, created) VALUES(NULL, ?3)", NULL, NULL,
		 (int64_t)time(NULL));
	if (r < 0)
		return r;
	*grp = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int kith_store_add_merge(struct kith_store *s, const char *const *addrs, size_t n)
{
	char **low;
	int64_t grp;
	int r = 0;

	if (n < 2)
		return -EINVAL;
	low = calloc(n, sizeof(*low));
	if (!low)
		return -ENOMEM;
	for (size_t i = 0; i < n && r == 0; i++)
		if (!addrs[i] || !*addrs[i] || !(low[i] = lower_dup(addrs[i])))
			r = addrs[i] && *addrs[i] ? -ENOMEM : -EINVAL;
	if (r == 0)
		r = decide_begin(s);
	else
		goto out;
	if (r == 0)
		r = merge_target(s, low, n, &grp);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = merge_one(s, low[i], grp);
	if (r == 0)
		r = run3(s, "DELETE FROM merge_groups WHERE id NOT IN"
			 " (SELECT grp FROM merge_addrs)", NULL, NULL, 0);
	r = decide_end(s, r < 0 ? r : 1);
out:
	for (size_t i = 0; i < n; i++)
		free(low[i]);
	free(low);
	return r;
}

/* Takes addr out of any merge (a group left with one address goes) and
 * records the split so the analysis never merges it automatically. */
int kith_store_split(struct kith_store *s, const char *addr)
{
	char *a;
	int r;

	if (!addr || !*addr)
		return -EINVAL;
	a = lower_dup(addr);
	if (!a)
		return -ENOMEM;
	r = decide_begin(s);
	if (r == 0)
		r = run3(s, "DELETE FROM merge_addrs WHERE addr = ?1", a, NULL, 0);
	if (r >= 0)
		r = run3(s, "DELETE FROM merge_addrs WHERE grp IN (SELECT grp FROM merge_addrs"
			 " GROUP BY grp HAVING count(*) < 2)", NULL, NULL, 0);
	if (r >= 0)
		r = run3(s, "DELETE FROM merge_groups WHERE id NOT IN"
			 " (SELECT grp FROM merge_addrs)", NULL, NULL, 0);
	if (r >= 0)
		r = run3(s, "INSERT OR IGNORE INTO splits(addr, created) VALUES(?1, ?3)", a, NULL,
			 (int64_t)time(NULL));
	free(a);
	return decide_end(s, r < 0 ? r : 1);
}

/* until <= 0 removes the snooze. */
int kith_store_snooze(struct kith_store *s, const char *person_key, int64_t until)
{
	int r;

	if (!person_key || !*person_key)
		return -EINVAL;
	r = decide_begin(s);
	if (r == 0 && until > 0)
		r = run3(s, "INSERT INTO snoozes(person_key, until) VALUES(?1, ?3)"
			 " ON CONFLICT(person_key) DO UPDATE SET until = excluded.until",
			 person_key, NULL, until);
	else if (r == 0)
		r = run3(s, "DELETE FROM snoozes WHERE person_key = ?1", person_key, NULL, 0);
	return decide_end(s, r < 0 ? r : r > 0);
}

/* --- read-only queries for the CLI ---------------------------------------- */

/* Why several WHERE forms instead of one with (?1 < 0 OR ...): SQLite can
 * only use an index for a condition it sees; the default listing reads the
 * tiered people through people_tier instead of scanning 20,000 rows. */
static void people_where(const struct kith_store_people_query *q, char *buf, size_t len)
{
	if (q->id >= 0)
		snprintf(buf, len, " FROM people WHERE id = ?1");
	else if (q->tier >= 0)
		snprintf(buf, len, " FROM people WHERE tier = ?2 ORDER BY id LIMIT ?3");
	else if (q->all)
		snprintf(buf, len, " FROM people ORDER BY id LIMIT ?3");
	else
		snprintf(buf, len, " FROM people WHERE tier IN ('inner','close','active',"
			 "'wider','fading') AND tier <> ?4 ORDER BY id LIMIT ?3");
}

static void bind_people_query(sqlite3_stmt *st, const struct kith_store_people_query *q)
{
	sqlite3_bind_int64(st, 1, q->id);
	if (q->tier >= 0)
		bind_text(st, 2, kith_tier_name((enum kith_tier)q->tier));
	sqlite3_bind_int64(st, 3, q->limit ? (int64_t)q->limit : -1);
	bind_text(st, 4, kith_tier_name(KITH_TIER_NONE));
}

static int row_to_person(sqlite3_stmt *st, void *elem)
{
	struct kith_store_person *sp = elem;
	struct kith_person *p = &sp->p;
	const char *tn = (const char *)sqlite3_column_text(st, 5);
	int oom = 0;

	sp->id = sqlite3_column_int64(st, 0);
	sp->rank = sqlite3_column_int(st, 1);
	p->key = col_dup(st, 2, &oom);
	p->name = col_dup(st, 3, &oom);
	p->depth = sqlite3_column_double(st, 4);
	if (!tn || kith_tier_parse(tn, &p->tier) < 0)
		p->tier = KITH_TIER_NONE;
	p->pinned = sqlite3_column_int(st, 6);
	p->msgs_from = (uint32_t)sqlite3_column_int64(st, 7);
	p->msgs_to = (uint32_t)sqlite3_column_int64(st, 8);
	p->conversations = (uint32_t)sqlite3_column_int64(st, 9);
	p->turns_user = (uint32_t)sqlite3_column_int64(st, 10);
	p->turns_them = (uint32_t)sqlite3_column_int64(st, 11);
	p->initiated_user = (uint32_t)sqlite3_column_int64(st, 12);
	p->initiated_them = (uint32_t)sqlite3_column_int64(st, 13);
	p->unanswered_user = (uint32_t)sqlite3_column_int64(st, 14);
	p->unanswered_them = (uint32_t)sqlite3_column_int64(st, 15);
	p->latency_user = sqlite3_column_int64(st, 16);
	p->latency_them = sqlite3_column_int64(st, 17);
	p->first_exchange = col_date(st, 18);
	p->last_exchange = col_date(st, 19);
	p->last_from = col_date(st, 20);
	p->last_to = col_date(st, 21);
	sp->reason = col_dup(st, 22, &oom);
	return oom ? -ENOMEM : 0;
}

static void person_clear(void *elem)
{
	kith_store_people_free_one(elem);
}

static const struct row_type person_rows = {
	sizeof(struct kith_store_person), 0, row_to_person, person_clear };

/* people[] is sorted by id: the person a side row belongs to, or NULL. */
static struct kith_store_person *person_by_id(struct kith_store_person *v, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].id == id)
			return &v[mid];
		if (v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Side rows of the people in v (sorted by id): one range scan from the
 * first id to the last, rows of people not in v skipped. */
/* The people a side query fills in, sorted by id. */
struct people_set { struct kith_store_person *v; size_t n; };

/* Runs a side query over the id range of ps (?1 first id, ?2 last id),
 * handing each row to fn with ps. */
static int people_side(struct kith_store *s, const char *sql, struct people_set *ps,
		       int (*fn)(sqlite3_stmt *st, void *ctx))
{
	sqlite3_stmt *st = prep(s, sql);
	int r;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, ps->v[0].id);
	sqlite3_bind_int64(st, 2, ps->v[ps->n - 1].id);
	r = each_row(s, st, fn, ps);
	sqlite3_finalize(st);
	return r;
}

/* each_row callback: (person, addr) appended to that person's addresses. */
static int addr_row(sqlite3_stmt *st, void *ctx)
{
	struct people_set *ps = ctx;
	struct kith_store_person *sp = person_by_id(ps->v, ps->n, sqlite3_column_int64(st, 0));
	char **nv;
	int oom = 0;

	if (!sp)
		return 0;
	nv = realloc(sp->p.addrs, (sp->p.n_addrs + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	sp->p.addrs = nv;
	nv[sp->p.n_addrs] = col_dup(st, 1, &oom);
	if (oom)
		return -ENOMEM;
	sp->p.n_addrs++;
	return 0;
}

/* each_row callback: (person, name, value, unit, points) appended to that
 * person's factors. */
static int factor_row(sqlite3_stmt *st, void *ctx)
{
	struct people_set *ps = ctx;
	struct kith_store_person *sp = person_by_id(ps->v, ps->n, sqlite3_column_int64(st, 0));
	struct kith_store_factor *nv;
	int oom = 0;

	if (!sp)
		return 0;
	nv = realloc(sp->factors, (sp->n_factors + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	sp->factors = nv;
	nv[sp->n_factors] = (struct kith_store_factor){
		.name = col_dup(st, 1, &oom), .value = sqlite3_column_double(st, 2),
		.unit = col_dup(st, 3, &oom), .points = sqlite3_column_double(st, 4) };
	sp->n_factors++;
	return oom ? -ENOMEM : 0;
}


/* Why: three set queries (people, their addresses, their factors) instead of
 * two extra queries per person keep `kith people` fast at 20,000 people. */
int kith_store_people(struct kith_store *s, const struct kith_store_people_query *q,
		      struct kith_store_person **out, size_t *n)
{
	char sql[640], where[200];
	sqlite3_stmt *st;
	struct rows b = { .t = &person_rows };
	struct people_set ps;
	int r;

	*out = NULL;
	*n = 0;
	people_where(q, where, sizeof(where));
	snprintf(sql, sizeof(sql), "SELECT id, rank, key, name, depth, tier, pinned, msgs_from,"
		 " msgs_to, conversations, turns_user, turns_them, initiated_user,"
		 " initiated_them, unanswered_user, unanswered_them, latency_user,"
		 " latency_them, first_exchange, last_exchange, last_from, last_to, reason%s",
		 where);
	st = prep(s, sql);
	if (!st)
		return -EIO;
	bind_people_query(st, q);
	r = read_rows(s, st, &b);
	sqlite3_finalize(st);
	ps = (struct people_set){ b.v, b.n };
	if (r == 0 && ps.n)
		r = people_side(s, "SELECT person, addr FROM person_addrs WHERE person"
				" BETWEEN ?1 AND ?2 ORDER BY person, addr", &ps, addr_row);
	if (r == 0 && ps.n)
		r = people_side(s, "SELECT person, name, value, unit, points FROM factors"
				" WHERE person BETWEEN ?1 AND ?2 ORDER BY person, idx",
				&ps, factor_row);
	if (r < 0) {
		rows_free(&person_rows, b.v, b.n);
		return r;
	}
	*out = b.v;
	*n = b.n;
	return 0;
}

void kith_store_people_free_one(struct kith_store_person *sp)
{
	free(sp->p.key);
	free(sp->p.name);
	for (size_t j = 0; j < sp->p.n_addrs; j++)
		free(sp->p.addrs[j]);
	free(sp->p.addrs);
	for (size_t j = 0; j < sp->n_factors; j++) {
		free(sp->factors[j].name);
		free(sp->factors[j].unit);
	}
	free(sp->factors);
	free(sp->reason);
	memset(sp, 0, sizeof(*sp));
}

void kith_store_people_free(struct kith_store_person *v, size_t n)
{
	rows_free(&person_rows, v, n);
}

/* Runs a one-column integer query with ?1 = text into *ids. */
static int load_ids(struct kith_store *s, const char *sql, const char *arg,
		    int64_t **ids, size_t *n)
{
	sqlite3_stmt *st = prep(s, sql);
	void *v;
	int r;

	if (st)
		bind_text(st, 1, arg);
	r = query_rows(s, st, &id_rows, &v, n);
	*ids = v;
	return r;
}

/* Why: an exact address or an exact name must win over substrings, or
 * "Ann" could never be told from "Anne"; only when nothing matches exactly
 * are substrings tried, and then the CLI lists every candidate. */
int kith_store_find_person(struct kith_store *s, const char *query, int64_t **ids, size_t *n)
{
	int r;

	if (!query || !*query)
		return -EINVAL;
	r = load_ids(s, "SELECT DISTINCT person FROM person_addrs WHERE addr = lower(?1)"
		     " UNION SELECT id FROM people WHERE key = lower(?1) ORDER BY 1", query, ids, n);
	if (r < 0 || *n)
		return r;
	r = load_ids(s, "SELECT id FROM people WHERE name = ?1 COLLATE NOCASE ORDER BY id",
		     query, ids, n);
	if (r < 0 || *n)
		return r;
	return load_ids(s, "SELECT id FROM people WHERE instr(lower(name), lower(?1)) > 0"
			" UNION SELECT person FROM person_addrs WHERE instr(addr, lower(?1)) > 0"
			" ORDER BY 1 LIMIT 50", query, ids, n);
}

static int row_to_conv(sqlite3_stmt *st, void *elem)
{
	struct kith_store_conv *c = elem;
	int oom = 0;

	c->id = sqlite3_column_int64(st, 0);
	c->person = sqlite3_column_int64(st, 1);
	c->subject = col_dup(st, 2, &oom);
	c->first = col_date(st, 3);
	c->last = col_date(st, 4);
	c->turns_user = (uint32_t)sqlite3_column_int64(st, 5);
	c->turns_them = (uint32_t)sqlite3_column_int64(st, 6);
	c->initiated_by_user = sqlite3_column_int(st, 7);
	c->last_by_user = sqlite3_column_int(st, 8);
	return oom ? -ENOMEM : 0;
}

static void conv_clear(void *elem)
{
	free(((struct kith_store_conv *)elem)->subject);
}

static const struct row_type conv_rows = {
	sizeof(struct kith_store_conv), 0, row_to_conv, conv_clear };

int kith_store_conversations(struct kith_store *s, int64_t person, size_t limit,
			     struct kith_store_conv **out, size_t *n)
{
	sqlite3_stmt *st = prep(s, "SELECT id, person, subject, first, last, turns_user,"
				" turns_them, initiated_by_user, last_by_user FROM conversations"
				" WHERE person = ?1 ORDER BY last DESC LIMIT ?2");
	void *v;
	int r;

	if (st) {
		sqlite3_bind_int64(st, 1, person);
		sqlite3_bind_int64(st, 2, limit ? (int64_t)limit : -1);
	}
	r = query_rows(s, st, &conv_rows, &v, n);
	*out = v;
	return r;
}

void kith_store_convs_free(struct kith_store_conv *v, size_t n)
{
	rows_free(&conv_rows, v, n);
}

static int row_to_turn(sqlite3_stmt *st, void *elem)
{
	struct kith_store_turn *t = elem;
	int oom = 0;

	t->person = sqlite3_column_int64(st, 0);
	t->person_key = col_dup(st, 1, &oom);
	t->person_name = col_dup(st, 2, &oom);
	t->date = col_date(st, 3);
	t->by_user = sqlite3_column_int(st, 4);
	t->latency = sqlite3_column_int64(st, 5);
	t->subject = col_dup(st, 6, &oom);
	t->last_by_user = sqlite3_column_int(st, 7);
	return oom ? -ENOMEM : 0;
}

static void turn_clear(void *elem)
{
	struct kith_store_turn *t = elem;

	free(t->person_key);
	free(t->person_name);
	free(t->subject);
}

static const struct row_type turn_rows = {
	sizeof(struct kith_store_turn), 0, row_to_turn, turn_clear };

int kith_store_recent(struct kith_store *s, int64_t since, int64_t person, size_t limit,
		      struct kith_store_turn **out, size_t *n)
{
	/* two forms so that either turns_date or turns_person can serve it */
	sqlite3_stmt *st = prep(s, person < 0
		? "SELECT t.person, p.key, p.name, t.date, t.by_user, t.latency, c.subject,"
		  " c.last_by_user FROM turns t JOIN people p ON p.id = t.person"
		  " LEFT JOIN conversations c ON c.id = t.conversation"
		  " WHERE t.date >= ?1 AND ?2 < 0 ORDER BY t.date DESC, t.id DESC LIMIT ?3"
		: "SELECT t.person, p.key, p.name, t.date, t.by_user, t.latency, c.subject,"
		  " c.last_by_user FROM turns t JOIN people p ON p.id = t.person"
		  " LEFT JOIN conversations c ON c.id = t.conversation"
		  " WHERE t.person = ?2 AND t.date >= ?1 ORDER BY t.date DESC, t.id DESC LIMIT ?3");
	void *v;
	int r;

	if (st) {
		sqlite3_bind_int64(st, 1, since);
		sqlite3_bind_int64(st, 2, person);
		sqlite3_bind_int64(st, 3, limit ? (int64_t)limit : -1);
	}
	r = query_rows(s, st, &turn_rows, &v, n);
	*out = v;
	return r;
}

void kith_store_turns_free(struct kith_store_turn *v, size_t n)
{
	rows_free(&turn_rows, v, n);
}

int kith_store_turn_dates(struct kith_store *s, int64_t person, int64_t **out, size_t *n)
{
	char arg[32];

	snprintf(arg, sizeof(arg), "%lld", (long long)person);
	return load_ids(s, "SELECT date FROM turns WHERE person = CAST(?1 AS INTEGER)"
			" AND date IS NOT NULL ORDER BY date", arg, out, n);
}

/* One integer from a query without parameters (0 when it returns no row). */
static int64_t scalar(struct kith_store *s, const char *sql, int *err)
{
	sqlite3_stmt *st = prep(s, sql);
	int64_t v = 0;
	int rc;

	if (!st) {
		*err = -EIO;
		return 0;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_type(st, 0) == SQLITE_NULL ? KITH_DATE_NONE
			: sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		*err = sql_err(s, rc);
	sqlite3_finalize(st);
	return v;
}

static int account_decode(sqlite3_stmt *st, void *elem)
{
	struct kith_store_account_row *a = elem;
	int oom = 0;

	a->name = col_dup(st, 0, &oom);
	a->last_success = col_date(st, 1);
	a->last_error_at = col_date(st, 2);
	a->last_error = col_dup(st, 3, &oom);
	a->folders = sqlite3_column_int64(st, 4);
	a->locations = sqlite3_column_int64(st, 5);
	return oom ? -ENOMEM : 0;
}

static void account_clear(void *elem)
{
	struct kith_store_account_row *a = elem;

	free(a->name);
	free(a->last_error);
}

static const struct row_type account_rows = {
	sizeof(struct kith_store_account_row), 0, account_decode, account_clear };

static int status_accounts(struct kith_store *s, struct kith_store_status *o)
{
	sqlite3_stmt *st = prep(s,
		"SELECT a.name, a.last_success, a.last_error_at, a.last_error,"
		" (SELECT count(*) FROM folders f WHERE f.account = a.name),"
		" (SELECT count(*) FROM locations l WHERE l.account = a.name)"
		" FROM accounts a ORDER BY a.name");
	void *v;
	int r = query_rows(s, st, &account_rows, &v, &o->n_accounts);

	o->accounts = v;
	return r;
}

static int counter_decode(sqlite3_stmt *st, void *elem)
{
	struct kith_store_counter *c = elem;
	int oom = 0;

	c->name = col_dup(st, 0, &oom);
	c->value = sqlite3_column_int64(st, 1);
	return oom ? -ENOMEM : 0;
}

static void counter_clear(void *elem)
{
	free(((struct kith_store_counter *)elem)->name);
}

static const struct row_type counter_rows = {
	sizeof(struct kith_store_counter), 0, counter_decode, counter_clear };

static int status_counters(struct kith_store *s, struct kith_store_status *o)
{
	void *v;
	int r = query_rows(s, prep(s, "SELECT name, value FROM counters ORDER BY name"),
			   &counter_rows, &v, &o->n_counters);

	o->counters = v;
	return r;
}

static int status_tiers(struct kith_store *s, struct kith_store_status *o)
{
	sqlite3_stmt *st = prep(s, "SELECT tier, count(*) FROM people GROUP BY tier");
	int rc;

	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *tn = (const char *)sqlite3_column_text(st, 0);
		enum kith_tier t;

		if (tn && kith_tier_parse(tn, &t) == 0 && (unsigned)t < 6)
			o->tiers[t] = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sql_err(s, rc);
}

/* Why: `kith status` is one screen of counts; each is a cheap aggregate
 * (count(*) on a table is a b-tree walk, no row decoding). */
int kith_store_status(struct kith_store *s, struct kith_store_status *o)
{
	int e = 0;

	memset(o, 0, sizeof(*o));
	o->messages = scalar(s, "SELECT count(*) FROM messages", &e);
	o->messages_out = scalar(s, "SELECT count(*) FROM messages WHERE direction = 'out'", &e);
	o->locations = scalar(s, "SELECT count(*) FROM locations", &e);
	o->folders = scalar(s, "SELECT count(*) FROM folders", &e);
	o->as_of = scalar(s, "SELECT as_of FROM analysis WHERE id = 1", &e);
	if (o->as_of == 0)
		o->as_of = KITH_DATE_NONE;
	o->n_personal = scalar(s, "SELECT n_personal FROM analysis WHERE id = 1", &e);
	o->n_list = scalar(s, "SELECT n_list FROM analysis WHERE id = 1", &e);
	o->n_automated = scalar(s, "SELECT n_automated FROM analysis WHERE id = 1", &e);
	o->people = scalar(s, "SELECT count(*) FROM people", &e);
	o->turns = scalar(s, "SELECT count(*) FROM turns", &e);
	o->conversations = scalar(s, "SELECT count(*) FROM conversations"
				  " WHERE turns_user > 0 AND turns_them > 0", &e);
	o->tasks_open = scalar(s, "SELECT count(*) FROM tasks WHERE status = 0", &e);
	o->tasks_total = scalar(s, "SELECT count(*) FROM tasks", &e);
	o->pins = scalar(s, "SELECT count(*) FROM pins", &e);
	o->ignores = scalar(s, "SELECT count(*) FROM ignores", &e);
	o->merges = scalar(s, "SELECT count(*) FROM merge_groups", &e);
	o->splits = scalar(s, "SELECT count(*) FROM splits", &e);
	o->snoozes = scalar(s, "SELECT count(*) FROM snoozes", &e);
	o->suggestions = scalar(s, "SELECT count(*) FROM merge_suggestions", &e);
	if (e == 0)
		e = status_tiers(s, o);
	if (e == 0)
		e = status_accounts(s, o);
	if (e == 0)
		e = status_counters(s, o);
	if (e < 0)
		kith_store_status_free(o);
	return e;
}

int64_t kith_store_as_of(struct kith_store *s)
{
	int e = 0;
	int64_t v = scalar(s, "SELECT as_of FROM analysis WHERE id = 1", &e);

	return e < 0 || v == 0 ? KITH_DATE_NONE : v;
}

void kith_store_status_free(struct kith_store_status *o)
{
	rows_free(&account_rows, o->accounts, o->n_accounts);
	rows_free(&counter_rows, o->counters, o->n_counters);
	o->accounts = NULL;
	o->counters = NULL;
	o->n_accounts = o->n_counters = 0;
}

static int suggestion_decode(sqlite3_stmt *st, void *elem)
{
	struct kith_merge_suggestion *g = elem;
	int oom = 0;

	g->a = col_dup(st, 0, &oom);
	g->b = col_dup(st, 1, &oom);
	g->reason = col_dup(st, 2, &oom);
	return oom ? -ENOMEM : 0;
}

static void suggestion_clear(void *elem)
{
	struct kith_merge_suggestion *g = elem;

	free(g->a);
	free(g->b);
	free(g->reason);
}

static const struct row_type suggestion_rows = {
	sizeof(struct kith_merge_suggestion), 0, suggestion_decode, suggestion_clear };

int kith_store_suggestions(struct kith_store *s, struct kith_merge_suggestion **out, size_t *n)
{
	void *v;
	int r = query_rows(s, prep(s, "SELECT a, b, reason FROM merge_suggestions ORDER BY id"),
			   &suggestion_rows, &v, n);

	*out = v;
	return r;
}

void kith_store_suggestions_free(struct kith_merge_suggestion *v, size_t n)
{
	rows_free(&suggestion_rows, v, n);
}

/* For the store's other files (store_report.c): the connection and the
 * error mapping.  Borrowed: the handle lives as long as s. */
sqlite3 *kith_store__db(struct kith_store *s)
{
	return s->db;
}

int kith_store__err(struct kith_store *s, int rc)
{
	return sql_err(s, rc);
}
