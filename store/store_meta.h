/* store_meta.h: what the store keeps about itself (store_meta.c).
 *
 * Tallies: running counts kept in the same transaction as the rows they
 * count (the sync's inserts by store_sync.c, counted in C; the rest by
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
	int64_t next_change;       /* with_tasks: the tasks could differ from this
				      moment on with time alone (followup.h); 0
				      when unknown (the end of the day holds) */
};

/* The stored basis: 0, -ENOENT when there is none, or a negative errno. */
int kith_store_basis_load(struct kith_store *s, struct kith_store_basis *b);
/* Replaces the stored basis; 0 or a negative errno. */
int kith_store_basis_save(struct kith_store *s, const struct kith_store_basis *b);

#endif
