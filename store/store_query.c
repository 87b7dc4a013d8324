/* store_query.c: the CLI's read-only queries. */
#include "store_int.h"
#include "store_meta.h"
#include "addr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- read-only queries for the CLI ---------------------------------------- */

/* Why several WHERE forms instead of one with (?1 < 0 OR ...): SQLite can
 * only use an index for a condition it sees; the default listing reads the
 * tiered people through people_tier instead of scanning 20,000 rows. */
static void people_where(const struct kith_store_people_query *q, char *buf, size_t len)
{
	if (q->id >= 0)
		snprintf(buf, len, " FROM people WHERE id = ?1");
	else if (q->tier >= 0)
		snprintf(buf, len, " FROM people WHERE tier = ?2 ORDER BY rank LIMIT ?3");
	else if (q->all)
		snprintf(buf, len, " FROM people ORDER BY rank LIMIT ?3");
	else
		snprintf(buf, len, " FROM people WHERE tier IN ('inner','close','active',"
			 "'wider','fading') AND tier <> ?4 ORDER BY rank LIMIT ?3");
}

static void bind_people_query(sqlite3_stmt *st, const struct kith_store_people_query *q)
{
	sqlite3_bind_int64(st, 1, q->id);
	if (q->tier >= 0)
		store_bind_text(st, 2, kith_tier_name((enum kith_tier)q->tier));
	sqlite3_bind_int64(st, 3, q->limit ? (int64_t)q->limit : -1);
	store_bind_text(st, 4, kith_tier_name(KITH_TIER_NONE));
}

static int row_to_person(sqlite3_stmt *st, void *elem)
{
	struct kith_store_person *sp = elem;
	struct kith_person *p = &sp->p;
	const char *tn = (const char *)sqlite3_column_text(st, 5);
	int oom = 0;

	sp->id = sqlite3_column_int64(st, 0);
	sp->rank = sqlite3_column_int(st, 1);
	p->key = store_col_dup(st, 2, &oom);
	p->name = store_col_dup(st, 3, &oom);
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
	p->first_exchange = store_col_date(st, 18);
	p->last_exchange = store_col_date(st, 19);
	p->last_from = store_col_date(st, 20);
	p->last_to = store_col_date(st, 21);
	sp->reason = store_col_dup(st, 22, &oom);
	return oom ? -ENOMEM : 0;
}

static void person_clear(void *elem)
{
	kith_store_people_free_one(elem);
}

static const struct row_type person_rows = {
	sizeof(struct kith_store_person), 0, row_to_person, person_clear };

/* The people a side query fills in (in rank order), and their positions
 * sorted by id. */
struct people_set { struct kith_store_person *v; size_t n; size_t *by_id; };

/* The person a side row belongs to, or NULL. */
static struct kith_store_person *person_by_id(const struct people_set *ps, int64_t id)
{
	size_t lo = 0, hi = ps->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int64_t m = ps->v[ps->by_id[mid]].id;

		if (m == id)
			return &ps->v[ps->by_id[mid]];
		if (m < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int by_id_cmp(const void *x, const void *y, void *ctx)
{
	const struct kith_store_person *v = ctx;
	int64_t a = v[*(const size_t *)x].id, b = v[*(const size_t *)y].id;

	return (a > b) - (a < b);
}

static int people_set_index(struct people_set *ps)
{
	if (!(ps->by_id = malloc(ps->n * sizeof(*ps->by_id))))
		return -ENOMEM;
	for (size_t i = 0; i < ps->n; i++)
		ps->by_id[i] = i;
	qsort_r(ps->by_id, ps->n, sizeof(*ps->by_id), by_id_cmp, ps->v);
	return 0;
}

/* Runs a side query for the people of ps, handing each row to fn with ps:
 * over their id range (?1 first id, ?2 last id) when they fill most of it
 * or are many, else person by person (?1 = ?2 = the id).  Why both: a
 * person keeps their id from one analysis to the next, so the deepest ones
 * are spread over the ids; for a page of them a seek each is cheaper than
 * reading the range between. */
static int people_side(struct kith_store *s, const char *sql, struct people_set *ps,
		       int (*fn)(sqlite3_stmt *st, void *ctx))
{
	sqlite3_stmt *st = store_prep(s, sql);
	int64_t lo = ps->v[ps->by_id[0]].id, hi = ps->v[ps->by_id[ps->n - 1]].id;
	int whole = ps->n > 1000 || (uint64_t)(hi - lo) < 4 * (uint64_t)ps->n, r = 0;

	if (!st)
		return -EIO;
	for (size_t i = 0; r == 0 && i < (whole ? 1 : ps->n); i++) {
		int64_t id = ps->v[ps->by_id[i]].id;

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, whole ? lo : id);
		sqlite3_bind_int64(st, 2, whole ? hi : id);
		r = store_each_row(s, st, fn, ps);
	}
	sqlite3_finalize(st);
	return r;
}

/* store_each_row callback: (person, addr) appended to that person's addresses. */
static int addr_row(sqlite3_stmt *st, void *ctx)
{
	struct people_set *ps = ctx;
	struct kith_store_person *sp = person_by_id(ps, sqlite3_column_int64(st, 0));
	char **nv;
	int oom = 0;

	if (!sp)
		return 0;
	nv = realloc(sp->p.addrs, (sp->p.n_addrs + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	sp->p.addrs = nv;
	nv[sp->p.n_addrs] = store_col_dup(st, 1, &oom);
	if (oom)
		return -ENOMEM;
	sp->p.n_addrs++;
	return 0;
}

/* store_each_row callback: (person, name, value, unit, points) appended to that
 * person's factors. */
static int factor_row(sqlite3_stmt *st, void *ctx)
{
	struct people_set *ps = ctx;
	struct kith_store_person *sp = person_by_id(ps, sqlite3_column_int64(st, 0));
	struct kith_store_factor *nv;
	int oom = 0;

	if (!sp)
		return 0;
	nv = realloc(sp->factors, (sp->n_factors + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	sp->factors = nv;
	nv[sp->n_factors] = (struct kith_store_factor){
		.name = store_col_dup(st, 1, &oom), .value = sqlite3_column_double(st, 2),
		.unit = store_col_dup(st, 3, &oom), .points = sqlite3_column_double(st, 4) };
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
	st = store_prep(s, sql);
	if (!st)
		return -EIO;
	bind_people_query(st, q);
	r = store_read_rows(s, st, &b);
	sqlite3_finalize(st);
	ps = (struct people_set){ b.v, b.n, NULL };
	if (r == 0 && ps.n)
		r = people_set_index(&ps);
	if (r == 0 && ps.n)
		r = people_side(s, "SELECT person, addr FROM person_addrs WHERE person"
				" BETWEEN ?1 AND ?2 ORDER BY person, addr", &ps, addr_row);
	if (r == 0 && ps.n)
		r = people_side(s, "SELECT person, name, value, unit, points FROM factors"
				" WHERE person BETWEEN ?1 AND ?2 ORDER BY person, idx",
				&ps, factor_row);
	free(ps.by_id);
	if (r < 0) {
		store_rows_free(&person_rows, b.v, b.n);
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
	store_rows_free(&person_rows, v, n);
}

/* Runs a one-column integer query with ?1 = text into *ids. */
static int load_ids(struct kith_store *s, const char *sql, const char *arg,
		    int64_t **ids, size_t *n)
{
	sqlite3_stmt *st = store_prep(s, sql);
	void *v;
	int r;

	if (st)
		store_bind_text(st, 1, arg);
	r = store_query_rows(s, st, &store_id_rows, &v, n);
	*ids = v;
	return r;
}

/* Addresses are shown as people wrote them ("mtk.manpages@gmail.com")
 * and keyed normalised ("mtkmanpages@gmail.com"): any written form of a
 * person's key finds them. */
static int find_normalised(struct kith_store *s, const char *query, int64_t **ids, size_t *n)
{
	char *a = strchr(query, '@') ? kith_addr_normalize(query, 0) : NULL;
	int r;

	if (!a)
		return 0;
	r = load_ids(s, "SELECT id FROM people WHERE key = ?1 ORDER BY rank", a, ids, n);
	free(a);
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
	r = load_ids(s, "SELECT id FROM people WHERE id IN (SELECT person FROM person_addrs"
		     " WHERE addr = lower(?1)) OR key = lower(?1) ORDER BY rank", query, ids, n);
	if (r < 0 || *n)
		return r;
	if ((r = find_normalised(s, query, ids, n)) < 0 || *n)
		return r;
	r = load_ids(s, "SELECT id FROM people WHERE name = ?1 COLLATE NOCASE ORDER BY rank",
		     query, ids, n);
	if (r < 0 || *n)
		return r;
	/* deepest first: a person keeps their id, so ids are no ranks */
	return load_ids(s, "SELECT id FROM people WHERE instr(lower(name), lower(?1)) > 0"
			" OR id IN (SELECT person FROM person_addrs WHERE instr(addr, lower(?1)) > 0)"
			" ORDER BY rank LIMIT 50", query, ids, n);
}

static int row_to_conv(sqlite3_stmt *st, void *elem)
{
	struct kith_store_conv *c = elem;
	int oom = 0;

	c->id = sqlite3_column_int64(st, 0);
	c->person = sqlite3_column_int64(st, 1);
	c->subject = store_col_dup(st, 2, &oom);
	c->first = store_col_date(st, 3);
	c->last = store_col_date(st, 4);
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
	sqlite3_stmt *st = store_prep(s, "SELECT id, person, subject, first, last, turns_user,"
				" turns_them, initiated_by_user, last_by_user FROM conversations"
				" WHERE person = ?1 ORDER BY last DESC LIMIT ?2");
	void *v;
	int r;

	if (st) {
		sqlite3_bind_int64(st, 1, person);
		sqlite3_bind_int64(st, 2, limit ? (int64_t)limit : -1);
	}
	r = store_query_rows(s, st, &conv_rows, &v, n);
	*out = v;
	return r;
}

void kith_store_convs_free(struct kith_store_conv *v, size_t n)
{
	store_rows_free(&conv_rows, v, n);
}

static int row_to_turn(sqlite3_stmt *st, void *elem)
{
	struct kith_store_turn *t = elem;
	int oom = 0;

	t->person = sqlite3_column_int64(st, 0);
	t->person_key = store_col_dup(st, 1, &oom);
	t->person_name = store_col_dup(st, 2, &oom);
	t->date = store_col_date(st, 3);
	t->by_user = sqlite3_column_int(st, 4);
	t->latency = sqlite3_column_int64(st, 5);
	t->subject = store_col_dup(st, 6, &oom);
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

/* Why INDEXED BY: SQLite would look people and conversations up by their
 * rowid, reading the wide rows; the indexes of migration 4 -> 5 hold only
 * the columns read here, in fewer pages (test_store checks the plan). */
const char store_sql_recent[] =
	"SELECT t.person, p.key, p.name, t.date, t.by_user, t.latency, c.subject,"
	" c.last_by_user FROM turns t JOIN people p INDEXED BY people_names ON p.id = t.person"
	" LEFT JOIN conversations c INDEXED BY conversations_subject ON c.id = t.conversation"
	" WHERE t.date >= ?1 AND ?2 < 0 ORDER BY t.date DESC, t.id DESC LIMIT ?3";

int kith_store_recent(struct kith_store *s, int64_t since, int64_t person, size_t limit,
		      struct kith_store_turn **out, size_t *n)
{
	/* two forms so that either turns_recent or turns_person can serve it */
	sqlite3_stmt *st = store_prep(s, person < 0 ? store_sql_recent
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
	r = store_query_rows(s, st, &turn_rows, &v, n);
	*out = v;
	return r;
}

void kith_store_turns_free(struct kith_store_turn *v, size_t n)
{
	store_rows_free(&turn_rows, v, n);
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
	sqlite3_stmt *st = store_prep(s, sql);
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
		*err = store_sql_err(s, rc);
	sqlite3_finalize(st);
	return v;
}

static int account_decode(sqlite3_stmt *st, void *elem)
{
	struct kith_store_account_row *a = elem;
	int oom = 0;

	a->name = store_col_dup(st, 0, &oom);
	a->last_success = store_col_date(st, 1);
	a->last_error_at = store_col_date(st, 2);
	a->last_error = store_col_dup(st, 3, &oom);
	a->folders = sqlite3_column_int64(st, 4);
	a->locations = sqlite3_column_int64(st, 5);
	a->state = store_col_dup(st, 6, &oom);
	a->state_text = store_col_dup(st, 7, &oom);
	a->state_since = store_col_date(st, 8);
	a->next_try = store_col_date(st, 9);
	return oom ? -ENOMEM : 0;
}

static void account_clear(void *elem)
{
	struct kith_store_account_row *a = elem;

	free(a->name);
	free(a->last_error);
	free(a->state);
	free(a->state_text);
}

static const struct row_type account_rows = {
	sizeof(struct kith_store_account_row), 0, account_decode, account_clear };

static int status_accounts(struct kith_store *s, struct kith_store_status *o)
{
	sqlite3_stmt *st = store_prep(s,
		"SELECT a.name, a.last_success, a.last_error_at, a.last_error,"
		" (SELECT count(*) FROM folders f WHERE f.account = a.name),"
		" (SELECT coalesce(max(value), 0) FROM tallies WHERE name = 'locations:' || a.name),"
		" a.state, a.state_text, a.state_since, a.next_try"
		" FROM accounts a ORDER BY a.name");
	void *v;
	int r = store_query_rows(s, st, &account_rows, &v, &o->n_accounts);

	o->accounts = v;
	return r;
}

static int counter_decode(sqlite3_stmt *st, void *elem)
{
	struct kith_store_counter *c = elem;
	int oom = 0;

	c->name = store_col_dup(st, 0, &oom);
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
	int r = store_query_rows(s, store_prep(s, "SELECT name, value FROM counters ORDER BY name"),
			   &counter_rows, &v, &o->n_counters);

	o->counters = v;
	return r;
}

/* Why not GROUP BY over all people: nearly everyone is in tier none, and
 * counting them walked all of people_tier (84 pages, as many page faults,
 * at 20k people).  The tiered few are counted through the index; none is
 * the rest of o->people (the analysis writes its people rows and n_people
 * in one transaction). */
static int status_tiers(struct kith_store *s, struct kith_store_status *o)
{
	sqlite3_stmt *st = store_prep(s, "SELECT tier, count(*) FROM people WHERE tier IN"
				      " ('inner', 'close', 'active', 'wider', 'fading') GROUP BY tier");
	int64_t tiered = 0;
	int rc;

	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *tn = (const char *)sqlite3_column_text(st, 0);
		enum kith_tier t;

		if (tn && kith_tier_parse(tn, &t) == 0 && (unsigned)t < 6) {
			o->tiers[t] = sqlite3_column_int64(st, 1);
			tiered += o->tiers[t];
		}
	}
	sqlite3_finalize(st);
	o->tiers[KITH_TIER_NONE] = o->people > tiered ? o->people - tiered : 0;
	return rc == SQLITE_DONE ? 0 : store_sql_err(s, rc);
}

/* Why: `kith status` is one screen of counts.  Those over the mail come
 * from the tallies (store_meta.c): a count over a million messages is a
 * b-tree walk of 100+ ms; the others count small tables. */
int kith_store_status(struct kith_store *s, struct kith_store_status *o)
{
	struct kith_store_tallies t;
	int e;

	memset(o, 0, sizeof(*o));
	e = kith_store_tallies(s, &t);
	o->messages = t.messages;
	o->messages_out = t.messages_out;
	o->locations = t.locations;
	o->folders = scalar(s, "SELECT count(*) FROM folders", &e);
	o->as_of = scalar(s, "SELECT as_of FROM analysis WHERE id = 1", &e);
	if (o->as_of == 0)
		o->as_of = KITH_DATE_NONE;
	o->n_personal = scalar(s, "SELECT n_personal FROM analysis WHERE id = 1", &e);
	o->n_list = scalar(s, "SELECT n_list FROM analysis WHERE id = 1", &e);
	o->n_automated = scalar(s, "SELECT n_automated FROM analysis WHERE id = 1", &e);
	o->people = scalar(s, "SELECT n_people FROM analysis WHERE id = 1", &e);
	o->turns = scalar(s, "SELECT n_turns FROM analysis WHERE id = 1", &e);
	o->conversations = kith_store_tally(s, "conversations_two_way");
	o->tasks_open = scalar(s, "SELECT count(*) FROM tasks WHERE status = 0", &e);
	o->tasks_held = scalar(s, "SELECT count(*) FROM tasks WHERE status = 5", &e);
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
	store_rows_free(&account_rows, o->accounts, o->n_accounts);
	store_rows_free(&counter_rows, o->counters, o->n_counters);
	o->accounts = NULL;
	o->counters = NULL;
	o->n_accounts = o->n_counters = 0;
}

static int suggestion_decode(sqlite3_stmt *st, void *elem)
{
	struct kith_merge_suggestion *g = elem;
	int oom = 0;

	g->a = store_col_dup(st, 0, &oom);
	g->b = store_col_dup(st, 1, &oom);
	g->reason = store_col_dup(st, 2, &oom);
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
	int r = store_query_rows(s, store_prep(s, "SELECT a, b, reason FROM merge_suggestions ORDER BY id"),
			   &suggestion_rows, &v, n);

	*out = v;
	return r;
}

void kith_store_suggestions_free(struct kith_merge_suggestion *v, size_t n)
{
	store_rows_free(&suggestion_rows, v, n);
}
