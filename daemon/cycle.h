/* cycle.h: the daemon's unit of work: sync accounts, then rethink.
 *
 *   kith_cycle_sync_account: one account's session (contained child) into
 *     the store, recording its status.
 *   kith_cycle_rethink: load messages, analyse as of `now`, store the
 *     analysis, decide follow-ups and bring the task folder in line.
 */
#ifndef KITH_CYCLE_H
#define KITH_CYCLE_H

#include <signal.h>
#include <stdint.h>
#include "../config/config.h"
#include "../store/store.h"
#include "../source/sync.h"

struct kith_cycle_opts {
	volatile sig_atomic_t *stop; /* borrowed; set by SIGTERM/SIGINT */
	int contain;                 /* run IMAP in a contained child (default 1) */
	int protocol_log;            /* libetpan protocol logging (secrets redacted) */
	int idle_seconds;            /* >0: IDLE on INBOX after syncing */
	void (*tick)(void *ctx);     /* watchdog ping, also while the child idles; may be NULL */
	void *tick_ctx;              /* passed to tick and wake */
	int wake_fd;                 /* control socket to serve while waiting; -1 none */
	int (*wake)(void *ctx);      /* serves it; non-zero ends the session (see source.h) */
	struct kith_refusal *refusal; /* optional out: what the server said if it refused */
	uint64_t secret_key;         /* keys secret_digest */
	uint64_t *secret_digest;     /* optional out: kith_cycle_secret_digest of the secret used */
};

/* Returns 0, KITH_SYNC_AGAIN (synced; start the next session at once), or
 * a negative errno / -KITH_E_* (err says what). */
int kith_cycle_sync_account(const struct kith_config *c, struct kith_store *st,
			    const struct kith_account *a,
			    const struct kith_cycle_opts *o,
			    struct kith_sync_stats *stats, char *err, size_t errlen);

/* A keyed digest of the account's secret as pass_cmd, pass_file or
 * oauth2_token_cmd gives it now, into *out.  Why: after a refused login
 * kithd tries again only once the secret changed, and must not keep the
 * secret itself (the digest stays in memory, never stored or logged).
 * Returns 0 or a negative errno (err says why). */
int kith_cycle_secret_digest(const struct kith_account *a, uint64_t key, uint64_t *out,
			     char *err, size_t errlen);

struct kith_rethink_stats {
	size_t messages, people, turns, tasks_open;
	int64_t next_change; /* with the tasks: when time alone could change them
				(followup.h); 0 without */
	size_t rows_written, rows; /* conversation and turn rows saved, of all */
};

/* Analyses everything dated before `now` and stores people; with
 * with_tasks, also brings the task folder in line.  Why the flag: after a
 * failed sync the mailbox may be partial (a reply not fetched yet), and a
 * task decided from it would nag about mail already answered. */
int kith_cycle_rethink(const struct kith_config *c, struct kith_store *st,
		       int64_t now, int with_tasks, struct kith_rethink_stats *stats,
		       char *err, size_t errlen);

#endif
