/* store_int.h: what the parts of the store share (private to store/; the
 * interface is store.h).
 *
 * The store is split by concern: store_open.c (schema, open, migrate),
 * store_sql.c (statements, transactions, row readers), store_codec.c (the
 * compact encodings of recipients and references), store_sync.c (the
 * sync's writes), store_input.c (the analysis input, loaded and streamed),
 * store_output.c (the analysis output), store_tasks.c, store_decide.c (the
 * user's decisions), store_query.c (the CLI's read-only queries),
 * store_report.c (the report's) and store_meta.c (the tallies and the
 * analysis' basis).  These files are the only ones in kith that see SQLite.
 */
#ifndef KITH_STORE_INT_H
#define KITH_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "../lib/hashmap.h"
#include "../lib/hdr.h"
#include "../lib/strpool.h"

/* `kith recent` over everyone (store_query.c): ?1 since, ?2 a negative
 * person, ?3 the limit (-1: none).  Here for test_store's plan check. */
extern const char store_sql_recent[];

/* Cached statements, prepared on first use. */
enum stmt_id {
	S_MSG_INSERT, S_MSG_ID_BY_KEY, S_LOC_INSERT, S_LOC_UPDATE, S_MSG_MARK_SENT,
	S_FOLDER_UPSERT, S_FOLDERS, S_LOAD_MSGS,
	S_COUNT, S_ACCT_OK, S_ACCT_ERR, S_ACCT_STATE,
	S_N
};

/* A message row as decode_msg reads it (the load and the streamed pass). */
#define MSG_COLUMNS "id, message_id, in_reply_to, refs, date, from_addr, from_name, rcpt," \
	" n_to, n_cc, n_rcpt_total, subject, list_id, signals, flags, parse_errors"

/* The sync's inserts, counted in C until their transaction commits
 * (store_meta.c).  account is owned (strdup). */
struct tally_pending {
	int64_t messages, locations, account_locations;
	char *account;
};

struct kith_store {
	sqlite3 *db;
	int rdonly;
	sqlite3_stmt *st[S_N];
	char err[256];
	struct tally_pending pend; /* inserts not yet in the tallies */
	/* The last save's conversation and turn rows: written of all, and
	 * whether only the changed ones were (store_turns.c). */
	struct { size_t written, rows; int diff; } saved;
	/* A save writes only the changed rows when at most one in diff_share
	 * changed (beyond that, writing them all and making the indexes
	 * afterwards is the faster); 0: always all (tests set it). */
	size_t diff_share;
};

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

/* store_sql.c: errors (a negative errno; the SQLite text in s->err),
 * statements, transactions, row readers. */
int store_sql_err(struct kith_store *s, int rc);
int store_exec(struct kith_store *s, const char *sql);
sqlite3_stmt *store_stmt(struct kith_store *s, enum stmt_id id);
sqlite3_stmt *store_prep(struct kith_store *s, const char *sql);
int store_step_done(struct kith_store *s, sqlite3_stmt *st);
void store_bind_text(sqlite3_stmt *st, int i, const char *v);
void store_bind_date(sqlite3_stmt *st, int i, int64_t v);
int64_t store_col_date(sqlite3_stmt *st, int i);
char *store_col_dup(sqlite3_stmt *st, int i, int *oom);
int store_tx_enter(struct kith_store *s, int *own);
int store_tx_leave(struct kith_store *s, int own, int r);
int64_t store_now_or(int64_t when);
void store_rows_free(const struct row_type *t, void *v, size_t n);
int store_each_row(struct kith_store *s, sqlite3_stmt *st,
		   int (*fn)(sqlite3_stmt *st, void *ctx), void *ctx);
int store_read_rows(struct kith_store *s, sqlite3_stmt *st, struct rows *b);
int store_query_rows(struct kith_store *s, sqlite3_stmt *st, const struct row_type *t,
		     void **v, size_t *n);
extern const struct row_type store_str_rows;
extern const struct row_type store_id_rows;

/* store_turns.c: the conversation and turn rows of an analysis being
 * saved (inside kith_store_save_analysis' transaction). */
struct save_diff {
	uint32_t *ids; size_t n;   /* owned: the row ids to write */
	int tail;                  /* stored rows lie beyond the new ones */
};
struct save_turns {
	const struct kith_analysis *a; /* borrowed */
	int64_t *pid;              /* owned: each analysis person's row id */
	size_t *conv_id;           /* owned: each analysis conversation's row id */
	size_t *conv_order;        /* owned: the analysis conversations in id order */
	struct save_diff diff[2];  /* conversations, turns: store_turns_compare */
	size_t max_diff;           /* rows store_turns_compare may list */
	int over;                  /* more differ: write them all */
};
/* Numbers the conversations of a (borrowed until store_turns_free). */
int store_turns_number(struct save_turns *w, const struct kith_analysis *a);
void store_turns_free(struct save_turns *w);
/* Inserts every row (the tables emptied first). */
int store_turns_write_all(struct kith_store *s, const struct save_turns *w);
/* Lists in w->diff the rows that differ from the stored ones, or sets
 * w->over when more than max_diff do. */
int store_turns_compare(struct kith_store *s, struct save_turns *w, size_t max_diff);
/* Writes only those, and deletes stored rows beyond the new ones. */
int store_turns_write_diff(struct kith_store *s, const struct save_turns *w);

/* store_learnt.c: inside kith_store_save_analysis' transaction. */
int store_save_learnt(struct kith_store *s, const struct kith_analysis *a);

/* store_codec.c: the compact encodings. */
char *store_encode_rcpt(const struct kith_msg *m, int *oom);
char *store_encode_refs(const struct kith_msg *m, int *oom);
void store_rcpt_share_free(struct rcpt_share *sh);
int store_decode_rcpt(const char *t, size_t len, struct kith_msg *m, size_t want,
		      struct kith_strpool *pool, struct rcpt_share *sh);
int store_decode_refs(const char *t, size_t len, struct kith_msg *m, struct kith_strpool *pool);

/* store_meta.c: the tallies (see store_meta.h).  The schema step that adds
 * them and the analysis' basis (a migration of store_open.c; never edited
 * once shipped). */
extern const char store_meta_schema_v3[];
/* A new location row of account (borrowed); 0 or a negative errno. */
int store_tally_note_location(struct kith_store *s, const char *account);
/* Writes s->pend into the tallies: call inside the transaction, just
 * before COMMIT.  0 or a negative errno. */
int store_tally_flush(struct kith_store *s);
/* Forgets s->pend (the transaction rolled back). */
void store_tally_drop(struct kith_store *s);
void store_tally_free(struct kith_store *s);
/* Records the tallies of an analysis being saved (its two-way
 * conversations); called inside kith_store_save_analysis' transaction. */
struct kith_analysis;
int store_tally_analysis(struct kith_store *s, const struct kith_analysis *a);

#endif
