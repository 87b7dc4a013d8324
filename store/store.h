/* store.h: kith's SQLite database, shared by kithd and the CLI (the files
 * of store/ are the only ones that see SQLite; store_int.h lists them).
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
#include "records.h"

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
/* What kithd made of the account's last session, for `kith status`:
 * state a lib/refusal.h name ("throttled", "login-refused", ...) or NULL
 * when nothing is wrong, text the server's words (borrowed), next_try when
 * kithd tries again (KITH_DATE_NONE: not on its own).  The state's "since"
 * is `now` when it changes and kept while it stays. */
int kith_store_account_state(struct kith_store *s, const char *account, const char *state,
			     const char *text, int64_t now, int64_t next_try);
/* Adds to a named counter ("skipped", "repaired"). */
int kith_store_count(struct kith_store *s, const char *counter, int64_t add);

/* --- analysis input --- */
/* Every stored message dated before `before` (INT64_MAX: all), with
 * KITH_MSG_IN_SENT set for those seen in a \Sent folder.  The caller owns
 * *out: free with kith_msgs_free. */
int kith_store_load_messages(struct kith_store *s, int64_t before,
			     struct kith_msg **out, size_t *n);

/* What tells whether the analysis input changed: SQLite's data_version
 * (moves when ANOTHER connection commits, such as `kith ignore`), and the
 * messages' count, newest row and changes (this connection's own sync),
 * read from the tallies (store_meta.h): no scan of the messages. */
struct kith_store_fp {
	int64_t data_version, messages, max_id;
	int64_t changed; /* updates and deletes of messages (store_meta.h) */
};

/* Fills *fp; 0 or a negative errno. */
int kith_store_fingerprint(struct kith_store *s, struct kith_store_fp *fp);

/* Drops the store's cached pages (nothing is lost; they are reread). */
void kith_store_release_memory(struct kith_store *s);

/* The same records as one set whose strings are pooled and interned (see
 * struct kith_msgset), and whose equal recipient lists share one array
 * (read-only, like everything in the set): what the daemon and CLI
 * analyse.  Zeroes *out
 * first; the caller frees it with kith_msgset_free (also after an error,
 * where it is empty). */
int kith_store_load_msgset(struct kith_store *s, int64_t before, struct kith_msgset *out);
/* The same, for the rows after row id `after` up to row id `upto`,
 * whatever their date: the mail added since an analysis. */
int kith_store_load_msgs_after(struct kith_store *s, int64_t after, int64_t upto,
			       struct kith_msgset *out);

/* The analysis input streamed, row by row (see struct kith_msg_source):
 * the messages kith_store_load_msgset would load, without ever holding
 * them all.  Fills *ss (the source's state: s is borrowed and must
 * outlive the source; nothing else is owned) and *src (whose ctx is ss).
 * The rows are those present now: every pass hands over the same ones,
 * in rowid order.  Returns 0 or a negative errno. */
struct kith_store_source {
	struct kith_store *s;
	int64_t before, max_id;
	size_t n;
};
int kith_store_msg_source(struct kith_store *s, int64_t before, struct kith_store_source *ss,
			  struct kith_msg_source *src);

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
/* Replaces the derived tables with `a` in one transaction (writing only
 * the conversation and turn rows that changed, when few did). */
int kith_store_save_analysis(struct kith_store *s,
			     const struct kith_analysis *a,
			     const struct kith_msg *msgs, int64_t as_of);
/* Of the last save's conversation and turn rows, how many were written. */
void kith_store_saved_rows(const struct kith_store *s, size_t *written, size_t *rows);

/* What the saved analysis learnt (kith_analysis' user_addrs, list_addrs,
 * newest), for judging new mail against it (lib/inert.h).  Owned. */
struct kith_store_learnt {
	char **users; size_t n_users;
	char **lists; size_t n_lists;
	int64_t newest;
};
/* 0, -ENOENT when no analysis saved them (none yet, or made before schema
 * 6), or a negative errno; free with kith_store_learnt_free either way. */
int kith_store_load_learnt(struct kith_store *s, struct kith_store_learnt *out);
void kith_store_learnt_free(struct kith_store_learnt *l);
/* 1 when addr (normalised) is an address of a person of the saved
 * analysis, 0 when not, or a negative errno. */
int kith_store_is_person_addr(struct kith_store *s, const char *addr);
/* New mail absorbed into the saved analysis: its counts move. */
struct kith_absorbed { size_t messages, personal, list, automated; };
int kith_store_absorb_counts(struct kith_store *s, const struct kith_absorbed *n);

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

/* --- additions (store.c owner) --- */

/* The last SQLite error text for s (static until the next call). */
const char *kith_store_errmsg(const struct kith_store *s);

/* The user's own addresses (lowercased by the store).  Why: the store must
 * mark a message's direction "out" when its sender is the user, and it
 * cannot read the config; kithd calls this right after open (the CLI too
 * before it writes).  When the set differs from the stored one, every
 * message's direction is recomputed (one UPDATE).  ids are borrowed. */
int kith_store_set_identities(struct kith_store *s, const char *const *ids, size_t n);

/* The one line saying why p ranks where it does (its two largest factors,
 * or pinned, or a role mailbox; conversations and last exchange), as
 * stored in people.reason: written into buf (len bytes, cut to fit). */
void kith_store_person_reason(const struct kith_person *p, char *buf, size_t len);

/* Frees task records from kith_store_load_tasks/kith_store_person_tasks
 * (same layout kith_task_records_free expects). */
void kith_task_records_free_store(struct kith_task_record *v, size_t n);

/* A person's tasks (current: only those open and those the cap holds
 * back, KITH_TS_OPEN then KITH_TS_HELD), by due date (within each). */
int kith_store_person_tasks(struct kith_store *s, const char *person_key, int current,
			    struct kith_task_record **out, size_t *n);

/* `kith done PERSON`: marks the person's open tasks KITH_TS_DONE_BY_HAND.
 * Returns how many (0: nothing open) or a negative errno. */
int kith_store_task_done(struct kith_store *s, const char *person_key, int64_t now);

/* --- read-only queries for the CLI --- */

struct kith_store_factor { char *name; double value; char *unit; double points; };

/* One row of the derived people table.  Everything is owned; p.factors is
 * unused (n_factors 0): the factors are in factors[]. */
struct kith_store_person {
	int64_t id;                 /* people.id: kept from one analysis to the next */
	int rank;                   /* 1 = deepest */
	struct kith_person p;
	struct kith_store_factor *factors; size_t n_factors;
	char *reason;               /* one line; may be NULL */
};

struct kith_store_people_query {
	int tier;        /* -1: any tier except none (unless all); else enum kith_tier */
	int all;         /* include tier "none" */
	size_t limit;    /* 0: no limit */
	int64_t id;      /* >= 0: only this person */
};

/* Deepest first.  *out is the caller's: free with kith_store_people_free. */
int kith_store_people(struct kith_store *s, const struct kith_store_people_query *q,
		      struct kith_store_person **out, size_t *n);
void kith_store_people_free(struct kith_store_person *v, size_t n);
/* Frees what one element owns (not the element itself). */
void kith_store_people_free_one(struct kith_store_person *sp);

/* People matching `query`: an exact address or key first; failing that a
 * case-insensitive substring of a name or address.  *ids (caller frees) is
 * deepest first; *n 0 when none. */
int kith_store_find_person(struct kith_store *s, const char *query, int64_t **ids, size_t *n);

struct kith_store_conv {
	int64_t id, person;
	char *subject;              /* owned; may be NULL */
	int64_t first, last;
	uint32_t turns_user, turns_them;
	int initiated_by_user, last_by_user;
};

/* A person's stored conversations, newest first (limit 0: all). */
int kith_store_conversations(struct kith_store *s, int64_t person, size_t limit,
			     struct kith_store_conv **out, size_t *n);
void kith_store_convs_free(struct kith_store_conv *v, size_t n);

struct kith_store_turn {
	int64_t person;
	char *person_key, *person_name;  /* owned; name may be NULL */
	int64_t date;
	int by_user;
	int64_t latency;
	char *subject;                   /* the conversation's subject; may be NULL */
	int last_by_user;                /* of the conversation: who waits on whom */
};
/* Turns dated >= since (person -1: everyone), newest first (limit 0: all). */
int kith_store_recent(struct kith_store *s, int64_t since, int64_t person, size_t limit,
		      struct kith_store_turn **out, size_t *n);
void kith_store_turns_free(struct kith_store_turn *v, size_t n);

/* The dates of a person's turns, oldest first (for the sparkline). */
int kith_store_turn_dates(struct kith_store *s, int64_t person, int64_t **out, size_t *n);

struct kith_store_account_row {
	char *name, *last_error;         /* owned; last_error may be NULL */
	int64_t last_success, last_error_at; /* KITH_DATE_NONE: never */
	int64_t folders, locations;
	char *state, *state_text;        /* owned; NULL: none (kith_store_account_state) */
	int64_t state_since, next_try;   /* KITH_DATE_NONE: none / not on its own */
};
struct kith_store_counter { char *name; int64_t value; };
struct kith_store_status {
	int64_t messages, messages_out, locations, folders;
	int64_t as_of;                    /* KITH_DATE_NONE: never analysed */
	int64_t n_personal, n_list, n_automated;
	int64_t people, turns, conversations; /* conversations: two-way ones */
	int64_t tiers[6];                 /* people per enum kith_tier */
	int64_t tasks_open, tasks_held, tasks_total; /* held: by the cap (KITH_TS_HELD) */
	int64_t pins, ignores, merges, splits, snoozes, suggestions;
	struct kith_store_account_row *accounts; size_t n_accounts;
	struct kith_store_counter *counters; size_t n_counters;
};
int kith_store_status(struct kith_store *s, struct kith_store_status *st);
/* The as_of of the saved analysis, KITH_DATE_NONE when there is none. */
int64_t kith_store_as_of(struct kith_store *s);
void kith_store_status_free(struct kith_store_status *st);

/* Merge suggestions of the last analysis.  Free with kith_store_suggestions_free. */
int kith_store_suggestions(struct kith_store *s, struct kith_merge_suggestion **out, size_t *n);
void kith_store_suggestions_free(struct kith_merge_suggestion *v, size_t n);

#endif
