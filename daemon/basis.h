/* basis.h: whether the saved analysis still holds (kithd --once).
 *
 * An analysis is a function of the stored messages, the user's decisions,
 * the configuration, kith's version and "now".  The first four are
 * compared exactly (store_meta.h's tallies, a hash of the config file);
 * "now" by its UTC day and by the moment the tasks could first change with
 * time alone (followup.h's next_change: a delay running out, a window
 * closing, someone becoming due for keep-in-touch): recency and due dates
 * move with time, so the analysis is redone at least once a day, and
 * when the tasks would move.  The task folder's mtime is compared too: a
 * task app completing or removing a task must be seen.
 */
#ifndef KITH_BASIS_H
#define KITH_BASIS_H

#include <stdint.h>
#include "../config/config.h"
#include "../store/store.h"
#include "../store/store_meta.h"

/* The basis an analysis at `now` would have: fills *b (with_tasks 0, the
 * task folder as it is now).  0 or a negative errno. */
int kith_basis_now(const struct kith_config *c, struct kith_store *st, int64_t now,
		   struct kith_store_basis *b);

/* Reads the task folder's mtime into b (after the tasks were written). */
void kith_basis_tasks_seen(const struct kith_config *c, struct kith_store_basis *b);

/* 1 when an analysis made on `was` answers for `cur` (with the tasks
 * written too when with_tasks), else 0. */
int kith_basis_holds(const struct kith_store_basis *was, const struct kith_store_basis *cur,
		     int with_tasks);

/* 1 when `cur` differs from `was` only by messages added after it (nothing
 * changed or deleted; the same config, decisions, day and task folder):
 * the case new mail may be judged without analysing again (absorb.h). */
int kith_basis_only_new_mail(const struct kith_store_basis *was,
			     const struct kith_store_basis *cur, int with_tasks);

#endif
