/* fu_prep.h: what the follow-up rules need from the whole mailbox,
 * gathered while the analysis streams every message.
 *
 * Why: the rules (lib/followup.c) can only name messages within their
 * horizon (21 days by default); of every older message they read one
 * thing, each person's last mail each way.  They used to stream the whole
 * mailbox again for it (at a million messages 1.5 s of the 9 s a person's
 * message costs).  The analysis already hands every message over once; it
 * notes those dates per address as written, the user's addresses as the
 * rules see them, and the class of each recent message, so the rules read
 * only the horizon's messages again (kith_followups_decide_source).
 *
 * Pure C: no clock ("now" is given), no I/O.  Internal to lib/.
 */
#ifndef KITH_FU_PREP_H
#define KITH_FU_PREP_H

#include <stddef.h>
#include <stdint.h>

#include "hashmap.h"
#include "msg.h"
#include "strpool.h"

/* One address as written in a message, and the newest dated mail
 * (before the analysis' now) the user sent to it and it sent the user
 * (personal, the user in To or Cc); KITH_DATE_NONE when none. */
struct kith_fu_last {
	const char *addr;   /* in the prep's pool */
	int64_t user_to, them;
};

/* A message dated at or after `since`, with the class the analysis gave it. */
struct kith_fu_recent {
	int64_t id, date;
	uint8_t cls;        /* enum kith_class */
};

/* The user's addresses as the rules take them, being gathered: the
 * identities and each \Sent sender once.  Why shared: the rules gather
 * them in their own pass when they read the whole mailbox, the analysis
 * while it streams it; both must end with the same set. */
struct kith_fu_ids {
	const char **v; size_t n, cap; /* borrowed strings */
	struct kith_umap seen;         /* pooled sender pointer -> 0, until sorted */
};

struct kith_fu_prep {
	int64_t now, since;        /* the analysis' now; now - recent_days */
	int64_t max_id;            /* the largest message id handed over */
	size_t n_seen;             /* messages handed over */
	int ids_rise;              /* ids came strictly rising (recent is sorted) */
	/* The user's addresses as the rules take them: the policy's identities
	 * (also kept apart, as given, NULLs too, to check the rules get the same) and
	 * every \Sent sender, sorted, one per case-insensitive spelling.
	 * Strings in pool. */
	const char **idents; size_t n_idents;
	struct kith_fu_ids user;
	struct kith_fu_last *last; size_t n_last, cap_last;
	struct kith_fu_recent *recent; size_t n_recent, cap_recent;
	struct kith_smap at;       /* address -> index in last, while noting */
	struct kith_strpool *pool; /* owns every string above */
};

/* Whether addr is one of ids[0..n) (sorted by strcasecmp), compared
 * without case.  Shared with the rules: both must judge alike. */
int kith_fu_is_user(const char *const *ids, size_t n, const char *addr);
void kith_fu_ids_init(struct kith_fu_ids *x);
void kith_fu_ids_free(struct kith_fu_ids *x);
int kith_fu_ids_push(struct kith_fu_ids *x, const char *addr);
/* m's sender, interned in pool (a new pointer is a new address), when m is
 * in \Sent and the sender is new. */
int kith_fu_ids_sender(struct kith_fu_ids *x, struct kith_strpool *pool, const struct kith_msg *m);
/* Sorts by strcasecmp and keeps one of each spelling; forgets seen. */
void kith_fu_ids_sort(struct kith_fu_ids *x);
/* Sent by the user: from \Sent, or from one of ids. */
int kith_fu_from_user(const char *const *ids, size_t n, const struct kith_msg *m);
/* The user is in To or Cc (with no address known at all, assume so). */
int kith_fu_user_addressed(const char *const *ids, size_t n, const struct kith_msg *m);

/* Returns a new prep (kith_fu_prep_free), or NULL when out of memory.
 * idents are copied. */
struct kith_fu_prep *kith_fu_prep_new(const char *const *idents, size_t n_idents,
				      int64_t now, int recent_days);
void kith_fu_prep_free(struct kith_fu_prep *p);
/* The first pass, every message: its sender when it is in \Sent. */
int kith_fu_prep_sender(struct kith_fu_prep *p, const struct kith_msg *m);
/* Between the passes: the user's addresses are complete. */
int kith_fu_prep_users(struct kith_fu_prep *p);
/* The second pass, every message, with the class the analysis gave it. */
int kith_fu_prep_note(struct kith_fu_prep *p, const struct kith_msg *m, uint8_t cls);
/* After the second pass: drops the working index. */
void kith_fu_prep_seal(struct kith_fu_prep *p);
/* The recent message with this id, or NULL (only when ids_rise). */
const struct kith_fu_recent *kith_fu_prep_find(const struct kith_fu_prep *p, int64_t id);

#endif
