/* store_decide.c: the user's decisions: loaded into a policy for the
 * analysis, and made with the CLI. */
#include "store_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Runs a one-column text query into a malloc'd array of strings. */
static int load_strings(struct kith_store *s, const char *sql, char ***out, size_t *n)
{
	void *v;
	int r = store_query_rows(s, store_prep(s, sql), &store_str_rows, &v, n);

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
	pin->addr = store_col_dup(st, 0, &oom);
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
	int r = store_query_rows(s, store_prep(s, "SELECT addr, tier FROM pins ORDER BY addr"), &pin_rows,
			   &v, &p->n_pins);

	p->pins = v;
	return r;
}

static int snooze_decode(sqlite3_stmt *st, void *elem)
{
	struct kith_snooze *z = elem;
	int oom = 0;

	z->person_key = store_col_dup(st, 0, &oom);
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
	int r = store_query_rows(s, store_prep(s, "SELECT person_key, until FROM snoozes ORDER BY person_key"),
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

/* store_each_row callback: a row of a new group opens it, then adds its address. */
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
		nv[p->n_merges] = (struct kith_merge){ .name = store_col_dup(st, 1, &oom) };
		p->n_merges++;
		c->cur = sqlite3_column_int64(st, 0);
	}
	r = merge_push(p, store_col_dup(st, 2, &oom));
	return oom ? -ENOMEM : r;
}

static int load_merges(struct kith_store *s, struct kith_store_policy *p)
{
	sqlite3_stmt *st = store_prep(s, "SELECT g.id, g.name, a.addr FROM merge_groups g"
				" JOIN merge_addrs a ON a.grp = g.id ORDER BY g.id, a.addr");
	struct merge_ctx c = { p, -1 };
	int r;

	if (!st)
		return -EIO;
	r = store_each_row(s, st, merge_row, &c);
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

/* --- the user's decisions -------------------------------------------------- */

/* Why: a decision is the user's intent and cannot be fetched again, so its
 * commit is fsynced (synchronous=FULL) unlike the daemon's batches. */
static int decide_begin(struct kith_store *s)
{
	int r;

	if (s->rdonly)
		return -EROFS;
	r = store_exec(s, "PRAGMA synchronous = FULL");
	if (r == 0)
		r = store_exec(s, "BEGIN IMMEDIATE");
	return r;
}

/* Ends a decision transaction; returns r (the caller's result) or an error. */
static int decide_end(struct kith_store *s, int r)
{
	int c;

	if (r < 0) {
		store_exec(s, "ROLLBACK");
	} else if ((c = store_exec(s, "COMMIT")) < 0) {
		store_exec(s, "ROLLBACK");
		r = c;
	}
	store_exec(s, "PRAGMA synchronous = NORMAL");
	return r;
}

/* Runs sql binding ?1 = a, ?2 = b (text or NULL), ?3 = i; returns changes. */
static int run3(struct kith_store *s, const char *sql, const char *a, const char *b,
		int64_t i)
{
	sqlite3_stmt *st = store_prep(s, sql);
	int r;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, a);
	store_bind_text(st, 2, b);
	sqlite3_bind_int64(st, 3, i);
	r = store_step_done(s, st);
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
	sqlite3_stmt *st = store_prep(s, "SELECT min(grp) FROM merge_addrs WHERE addr = ?1");
	int r = 0;

	*grp = 0;
	if (!st)
		return -EIO;
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(st);
		store_bind_text(st, 1, addrs[i]);
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
