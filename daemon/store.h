/* store.h: kith's SQLite database (store.c is the only file that sees SQLite
 * in the daemon).
 *
 * Holds: messages (one row per distinct message, by content key) and where
 * they were seen; per-folder sync state; the user's decisions (pins, merges,
 * splits, ignores, snoozes); task records; and the derived analysis (people,
 * factors, conversations, turns), rewritten as a whole each cycle.
 *
 * WAL mode, schema versioned by PRAGMA user_version, files 0600 in a 0700
 * folder.  The schema is documented in docs/schema.md: the CLI reads it.
 */
#ifndef KITH_STORE_H
#define KITH_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "../lib/msg.h"
#include "../lib/analyze.h"
#include "../lib/followup.h"
#include "source.h"
#include "tasks.h"

struct kith_store;

#define KITH_STORE_RDONLY 1

/* Opens (creating and migrating) data_dir/kith.db.  Returns 0 or -errno;
 * err gets a description. */
int kith_store_open(const char *data_dir, int flags, struct kith_store **out,
		    char *err, size_t errlen);
void kith_store_close(struct kith_store *s);

/* --- sync state --- */
/* Known folders of an account.  *out (and its strings) is owned by the
 * caller: free with kith_folder_states_free. */
int kith_store_folders(struct kith_store *s, const char *account,
		       struct kith_folder_state **out, size_t *n);
void kith_folder_states_free(struct kith_folder_state *v, size_t n);

/* Batches: begin, add messages, commit with the folder state, in one
 * transaction.  add_message dedups by content key and records the location
 * (account, folder, uidvalidity, uid); direction is "out" when the sender
 * is an identity or the folder is \Sent.  Re-adding a message is harmless. */
int kith_store_begin(struct kith_store *s);
int kith_store_add_message(struct kith_store *s, const char *account,
			   const char *folder, unsigned folder_flags,
			   uint32_t uidvalidity, uint32_t uid,
			   const struct kith_msg *m);
int kith_store_set_folder(struct kith_store *s, const char *account,
			  const char *folder, unsigned folder_flags,
			  uint32_t uidvalidity, uint32_t last_uid,
			  uint32_t uidnext, uint32_t messages);
/* UIDVALIDITY changed: drop the folder's locations (messages seen nowhere
 * else go too) and its state. */
int kith_store_forget_folder(struct kith_store *s, const char *account,
			     const char *folder);
int kith_store_commit(struct kith_store *s);
int kith_store_rollback(struct kith_store *s);

/* Account status for `kith status`: last success, last error. */
int kith_store_account_status(struct kith_store *s, const char *account,
			      int64_t when, const char *error /* NULL: success */);
/* Adds to a named counter ("skipped", "repaired"). */
int kith_store_count(struct kith_store *s, const char *counter, int64_t add);

/* --- analysis input --- */
/* Every stored message dated before `before` (INT64_MAX: all), with
 * KITH_MSG_IN_SENT set for those seen in a \Sent folder.  The caller owns
 * *out: free with kith_msgs_free. */
int kith_store_load_messages(struct kith_store *s, int64_t before,
			     struct kith_msg **out, size_t *n);

/* The user's decisions, loaded into a policy whose strings the store keeps
 * (valid until kith_store_policy_free).  Identities and config merges are
 * the caller's to add. */
struct kith_store_policy {
	char **ignores; size_t n_ignores;
	char **splits; size_t n_splits;
	struct kith_pin *pins; size_t n_pins;
	struct kith_merge *merges; size_t n_merges;
	struct kith_snooze *snoozes; size_t n_snoozes;
};
int kith_store_load_policy(struct kith_store *s, struct kith_store_policy *p);
void kith_store_policy_free(struct kith_store_policy *p);

/* --- analysis output --- */
/* Replaces the derived tables with `a` in one transaction. */
int kith_store_save_analysis(struct kith_store *s,
			     const struct kith_analysis *a,
			     const struct kith_msg *msgs, int64_t as_of);

/* --- tasks --- */
int kith_store_load_tasks(struct kith_store *s, struct kith_task_record **out,
			  size_t *n);
int kith_store_save_tasks(struct kith_store *s,
			  const struct kith_task_record *v, size_t n);

/* --- decisions made with the CLI (also used by tests) --- */
int kith_store_set_pin(struct kith_store *s, const char *addr, const char *tier /* NULL: unpin */);
int kith_store_set_ignore(struct kith_store *s, const char *pattern, int on);
int kith_store_add_merge(struct kith_store *s, const char *const *addrs, size_t n);
int kith_store_split(struct kith_store *s, const char *addr);
int kith_store_snooze(struct kith_store *s, const char *person_key, int64_t until);

#endif
