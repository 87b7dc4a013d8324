/* sync.h: one account's sync: a source's records into the store.
 *
 * The sync logic never sees IMAP: it implements the struct kith_sink
 * callbacks of source.h on top of the store, so that each batch of messages
 * and the folder state that covers it commit in one transaction.  Rerunning
 * a batch is harmless (the store dedups).
 */
#ifndef KITH_SYNC_H
#define KITH_SYNC_H

#include <signal.h>
#include <stdint.h>
#include "source.h"
#include "../store/store.h"

struct kith_sync_stats {
	uint64_t messages;        /* header blocks received */
	uint64_t stored_batches;  /* transactions committed */
	uint64_t repaired;        /* stored with some field unparsed */
	uint64_t skipped;         /* could not be stored at all */
	uint64_t folders_changed, folders_unchanged;
};

struct kith_sync {
	struct kith_store *store;              /* borrowed */
	const char *account;                   /* borrowed */
	const struct kith_folder_state *known; /* borrowed */
	size_t n_known;
	volatile sig_atomic_t *stop;           /* borrowed; set by a signal: stop at the next batch */
	void (*tick)(void *ctx);               /* called between messages (watchdog); may be NULL */
	void *tick_ctx;
	/* private */
	char *folder;                          /* owned: the folder being read */
	unsigned folder_flags;
	uint32_t uidvalidity;                  /* of the folder being read */
	int in_txn;
	struct kith_sync_stats stats;
};

/* Fills *sink with callbacks that drive s.  s must outlive the session. */
void kith_sync_sink(struct kith_sync *s, struct kith_sink *sink);

/* Ends a session: rolls back an open, unfinished batch and frees private
 * state.  Safe to call twice. */
void kith_sync_finish(struct kith_sync *s);

#endif
