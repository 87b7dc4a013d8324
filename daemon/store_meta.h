/* store_meta.h: what the store keeps about itself (store_meta.c, beside
 * store.c: both see SQLite).
 *
 * Tallies: running counts kept in the same transaction as the rows they
 * count (the sync's inserts by store.c through kith_tally_*, the rest by
 * triggers) (messages, the user's messages, locations in all and per
 * account), and two change counters: one moved by every update or delete
 * of a message, one by every decision the user makes (pin, ignore, merge,
 * split, snooze, `kith done`).  They make `kith status` and "did anything
 * change?" cost the same at a million messages as at ten.
 *
 * The analysis basis: what the saved analysis was computed from, so that
 * a later `kithd --once` with nothing new can keep it (docs/architecture.md,
 * "Quiet when nothing changed").
 */
#ifndef KITH_STORE_META_H
#define KITH_STORE_META_H

#include <stdint.h>

struct kith_store;
struct sqlite3;

/* The schema step that adds the tallies and the basis (a migration of
 * store.c; never edited once shipped). */
extern const char kith_store_meta_schema_v3[];

struct kith_store_tallies {
	int64_t messages, messages_out, locations;
	int64_t max_msg;          /* the newest message row (0: none) */
	int64_t messages_changed; /* updates and deletes of messages, ever */
	int64_t decisions;        /* the user's decisions, ever */
};

/* Fills *t (zeroed first); 0 or a negative errno. */
int kith_store_tallies(struct kith_store *s, struct kith_store_tallies *t);

/* One tally by name (0 when there is none). */
int64_t kith_store_tally(struct kith_store *s, const char *name);

/* Records the tallies of an analysis being saved (its two-way
 * conversations); called inside kith_store_save_analysis' transaction. */
struct kith_analysis;
int kith_store_tally_analysis(struct kith_store *s, const struct kith_analysis *a);

/* An account's stored locations (0 when it has none). */
int64_t kith_store_account_locations(struct kith_store *s, const char *account);

/* What an analysis was computed from.  All plain values. */
struct kith_store_basis {
	char version[32];          /* kith's version: another one may judge differently */
	uint64_t config;           /* a hash of the configuration file's bytes */
	int64_t day;               /* the UTC day of the "now" it used */
	struct kith_store_tallies t;
	int64_t tasks_mtime_s, tasks_mtime_ns; /* the task folder after the tasks were written */
	int with_tasks;            /* the tasks were written too */
	int64_t at;                /* the "now" it used */
};

/* The stored basis: 0, -ENOENT when there is none, or a negative errno. */
int kith_store_basis_load(struct kith_store *s, struct kith_store_basis *b);
/* Replaces the stored basis; 0 or a negative errno. */
int kith_store_basis_save(struct kith_store *s, const struct kith_store_basis *b);

/* The sync's inserts, counted in C until their transaction commits
 * (store.c holds one in struct kith_store).  account is owned (strdup). */
struct kith_tally_pending {
	int64_t messages, locations, account_locations;
	char *account;
};
/* A new location row of account (borrowed); 0 or a negative errno. */
int kith_tally_note_location(struct kith_store *s, struct kith_tally_pending *p,
			     const char *account);
/* Writes the pending counts into the tallies: call inside the transaction,
 * just before COMMIT.  0 or a negative errno. */
int kith_tally_flush(struct kith_store *s, struct kith_tally_pending *p);
/* Forgets the pending counts (the transaction rolled back). */
void kith_tally_drop(struct kith_tally_pending *p);
void kith_tally_free(struct kith_tally_pending *p);

/* For store_meta.c only: the connection (borrowed, owned by s). */
struct sqlite3 *kith_store_sqlite(struct kith_store *s);

#endif
