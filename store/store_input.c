/* store_input.c: the analysis input: the messages, loaded as one set or
 * streamed row by row, and what tells whether they changed. */
#include "store_int.h"
#include "store_meta.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
	struct kith_store_tallies t;
	sqlite3_stmt *st;
	int rc;

	memset(fp, 0, sizeof(*fp));
	if (!(st = store_prep(s, "PRAGMA data_version")))
		return -EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		fp->data_version = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_sql_err(s, rc);
	/* the tallies, not a count over the messages: cheap at any size */
	rc = kith_store_tallies(s, &t);
	fp->messages = t.messages;
	fp->max_id = t.max_msg;
	fp->changed = t.messages_changed;
	return rc;
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
		return store_col_dup(st, i, oom);
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
	r = store_decode_refs(t, (size_t)sqlite3_column_bytes(st, 3), m, text);
	if (r < 0)
		return r;
	m->date = store_col_date(st, 4);
	m->from.addr = col_str(st, 5, names, 1, &oom);
	m->from.name = col_str(st, 6, names, 1, &oom);
	m->n_to = (size_t)sqlite3_column_int64(st, 8);
	m->n_cc = (size_t)sqlite3_column_int64(st, 9);
	t = (const char *)sqlite3_column_text(st, 7);
	r = store_decode_rcpt(t ? t : "", (size_t)sqlite3_column_bytes(st, 7), m, m->n_to + m->n_cc,
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
	sqlite3_stmt *st = store_stmt(s, S_LOAD_MSGS);
	struct rows b = { .t = &msg_rows };
	int r;

	*out = NULL;
	*n = 0;
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, before);
	r = store_read_rows(s, st, &b);
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

/* store_each_row callback for kith_store_load_msgset: one record per row, into
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
	sqlite3_stmt *st = store_prep(s, "SELECT count(*) FROM messages WHERE date IS NULL OR date < ?1");
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, before);
	rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? (size_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_sql_err(s, rc);
}

/* Why: the daemon's and the CLI's analysis input.  Counting first sizes
 * the array exactly (doubling a 100k array costs a third of it again), and
 * the pool stores each distinct address, name, subject and reference once
 * with no per-string malloc header, and each distinct recipient list once
 * (rcpt_share): a third of the memory of kith_store_load_messages on a
 * large mailbox, before the lists are shared. */
/* Loads the rows of st (bound to `arg`), cap of them, into out. */
static int load_set(struct kith_store *s, sqlite3_stmt *st, int64_t arg, size_t cap,
		    struct kith_msgset *out)
{
	struct msgset_fill f = { .set = out, .cap = cap };
	int r;

	out->pool = kith_strpool_new();
	out->v = calloc(f.cap ? f.cap : 1, sizeof(*out->v));
	if (!out->pool || !out->v) {
		kith_msgset_free(out);
		return -ENOMEM;
	}
	kith_umap_init(&f.share.seen);
	sqlite3_bind_int64(st, 1, arg);
	r = store_each_row(s, st, msgset_add, &f);
	sqlite3_reset(st);
	store_rcpt_share_free(&f.share);
	if (r < 0)
		kith_msgset_free(out);
	return r < 0 ? r : 0;
}

int kith_store_load_msgset(struct kith_store *s, int64_t before, struct kith_msgset *out)
{
	sqlite3_stmt *st = store_stmt(s, S_LOAD_MSGS);
	size_t cap;
	int r;

	memset(out, 0, sizeof(*out));
	if (!st)
		return -EIO;
	if ((r = count_before(s, before, &cap)) < 0)
		return r;
	return load_set(s, st, before, cap, out);
}

int kith_store_load_msgs_after(struct kith_store *s, int64_t after, int64_t upto,
			       struct kith_msgset *out)
{
	sqlite3_stmt *st;
	int64_t n;
	int r;

	memset(out, 0, sizeof(*out));
	st = store_prep(s, "SELECT count(*) FROM messages WHERE id > ?1 AND id <= ?2");
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, upto);
	r = sqlite3_step(st);
	n = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (r != SQLITE_ROW)
		return store_sql_err(s, r);
	if (!(st = store_prep(s, "SELECT " MSG_COLUMNS " FROM messages WHERE id > ?1 AND id <= ?2"
			      " ORDER BY id")))
		return -EIO;
	sqlite3_bind_int64(st, 2, upto);
	r = load_set(s, st, after, (size_t)n, out);
	sqlite3_finalize(st);
	return r;
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
	p->m.date = store_col_date(st, 1);
	p->m.from.addr = col_str(st, 2, p->pool, 1, &oom);
	p->m.flags = (uint32_t)sqlite3_column_int64(st, 3);
	p->m.list_id = store_col_dup(st, 4, &oom);
	return oom ? -ENOMEM : 0;
}

/* One streamed pass: what store_each_row hands every row to stream_row. */
struct stream_run {
	enum kith_pass pass;
	struct stream_pass *p;
	kith_msg_fn fn;
	void *fn_ctx;
	size_t rows;
};

/* store_each_row callback: one message per row to the analysis' fn, then the
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

/* st run once for each id (bound to ?1); an id with no row is -ESTALE. */
static int each_id_row(struct kith_store *s, sqlite3_stmt *st, const int64_t *ids, size_t n,
		       struct stream_run *run)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < n; i++) {
		size_t had = run->rows;

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, ids[i]);
		r = store_each_row(s, st, stream_row, run);
		if (r == 0 && run->rows == had)
			r = -ESTALE;
	}
	return r;
}

/* Runs one pass of st (its parameters bound) into fn, or with ids, st once
 * for each of them. */
static int stream_run(struct kith_store_source *ss, sqlite3_stmt *st, enum kith_pass pass,
		      const int64_t *ids, size_t n_ids, kith_msg_fn fn, void *fn_ctx)
{
	struct stream_pass p = { .sh = { .scratch = 1 } };
	struct stream_run run = { pass, &p, fn, fn_ctx, 0 };
	int r;

	if (!st)
		return -EIO;
	if (!(p.pool = kith_strpool_new()))
		r = -ENOMEM;
	else if (!ids)
		r = store_each_row(ss->s, st, stream_row, &run);
	else
		r = each_id_row(ss->s, st, ids, n_ids, &run);
	sqlite3_finalize(st);
	store_rcpt_share_free(&p.sh);
	kith_strpool_free(p.pool);
	sqlite3_db_release_memory(ss->s->db);
	return r;
}

static int stream_each(void *ctx, enum kith_pass pass, kith_msg_fn fn, void *fn_ctx)
{
	struct kith_store_source *ss = ctx;
	sqlite3_stmt *st = store_prep(ss->s, pass == KITH_PASS_SENDERS
				? "SELECT id, date, from_addr, flags, list_id" SRC_WHERE
				: "SELECT " MSG_COLUMNS SRC_WHERE);

	if (st) {
		sqlite3_bind_int64(st, 1, ss->before);
		sqlite3_bind_int64(st, 2, ss->max_id);
	}
	return stream_run(ss, st, pass, NULL, 0, fn, fn_ctx);
}

/* The messages with these ids, in this order, one rowid lookup each.
 * Why not a range of dates: messages has no date index (the sync would
 * pay for it on every insert), so a date range scans the whole table;
 * the rules' horizon is a few thousand rows the analysis already named. */
static int stream_ids(void *ctx, const int64_t *ids, size_t n, kith_msg_fn fn, void *fn_ctx)
{
	struct kith_store_source *ss = ctx;

	return stream_run(ss, store_prep(ss->s, "SELECT " MSG_COLUMNS " FROM messages WHERE id = ?1"),
			  KITH_PASS_ALL, ids, n, fn, fn_ctx);
}

int kith_store_msg_source(struct kith_store *s, int64_t before, struct kith_store_source *ss,
			  struct kith_msg_source *src)
{
	sqlite3_stmt *st = store_prep(s, "SELECT count(*), coalesce(max(id), 0) FROM messages"
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
		return store_sql_err(s, rc);
	*src = (struct kith_msg_source){ .n = ss->n, .each = stream_each, .ctx = ss,
					 .each_id = stream_ids };
	return 0;
}
