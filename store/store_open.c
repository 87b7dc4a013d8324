/* store_open.c: the schema, its migrations, opening the database. */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/fsutil.h"

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
	/* 2 -> 3: running tallies and the analysis' basis (store_meta.c) */
	store_meta_schema_v3,
	/* 3 -> 4: what kithd made of a server's refusal, for `kith status`
	 * (docs/servers.md "Throttling and limits") */
	"ALTER TABLE accounts ADD COLUMN state TEXT;"
	"ALTER TABLE accounts ADD COLUMN state_text TEXT;"
	"ALTER TABLE accounts ADD COLUMN state_since INTEGER;"
	"ALTER TABLE accounts ADD COLUMN next_try INTEGER;",
	/* 4 -> 5: `kith recent` (store_sql_recent) reads the last days' turns
	 * newest first, each with its person's name and its conversation's
	 * subject.  Through turns_date and the three tables' rows that was a
	 * page fault for nearly every turn at 1M messages (the rows of one day
	 * lie all over the tables).  These indexes hold just the columns it
	 * reads, so it reads fewer pages; turns_recent, in the query's order
	 * (id breaks ties), replaces turns_date.  people and conversations are
	 * written in id order, so their new indexes only grow at the end. */
	"DROP INDEX IF EXISTS turns_date;"
	"CREATE INDEX turns_recent ON turns(date, id, person, conversation, by_user, latency);"
	"CREATE INDEX people_names ON people(id, key, name);"
	"CREATE INDEX conversations_subject ON conversations(id, last_by_user, subject);",
	/* 5 -> 6: what the analysis learnt beyond the policy (the user's
	 * addresses, List-Id list addresses) and the newest message it kept:
	 * new mail is judged against them without analysing again
	 * (lib/inert.h, daemon/absorb.c) */
	"CREATE TABLE analysis_learnt(kind INTEGER NOT NULL, addr TEXT NOT NULL,"
	" PRIMARY KEY (kind, addr)) WITHOUT ROWID;"
	"ALTER TABLE analysis ADD COLUMN newest INTEGER;",
	/* 6 -> 7: the moment the saved tasks could first change with time
	 * alone (followup.h, next_change): until then, and within the day,
	 * the saved analysis holds (daemon/basis.h) */
	"ALTER TABLE analysis_basis ADD COLUMN next_change INTEGER NOT NULL DEFAULT 0;",
};

#define N_MIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

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
	sqlite3_stmt *st = store_prep(s, "PRAGMA user_version");
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
		r = store_exec(s, "BEGIN IMMEDIATE");
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
		r = store_exec(s, migrations[v]);
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (r == 0)
			r = store_exec(s, sql);
		if (r < 0)
			break;
		r = store_exec(s, "COMMIT");
		if (r < 0)
			return r;
	}
	store_exec(s, r < 0 ? "ROLLBACK" : "COMMIT");
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
		return store_exec(s, "PRAGMA query_only = 1; PRAGMA cache_size = -16000;"
			    " PRAGMA mmap_size = 1073741824;");
	/* Why no mmap and a small cache for the writer: kithd lives for months
	 * and its resident size is what the user sees; mapped pages count
	 * toward it, while the kernel's page cache serves re-reads anyway. */
	r = store_exec(s, "PRAGMA journal_mode = WAL");
	if (r == 0)
		r = store_exec(s, "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -4000;"
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
		int r = store_sql_err(s, rc);

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
	if (s)
		s->diff_share = 8;
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
	store_tally_free(s);
	if (s->db) {
		if (!s->rdonly)
			sqlite3_exec(s->db, "PRAGMA optimize", NULL, NULL, NULL);
		sqlite3_close_v2(s->db);
	}
	free(s);
}
