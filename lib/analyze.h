/* analyze.h: the judgement core.  Messages in, people and their depth out.
 *
 * Pure C over struct kith_msg: no IMAP, no SQLite, no clock ("now" is a
 * parameter), no logging.  Everything here is derived data: it can always be
 * recomputed from the messages plus the user's decisions (kith_policy).
 *
 * Pipeline: classify -> thread -> turns -> people -> depth -> tiers.
 */
#ifndef KITH_ANALYZE_H
#define KITH_ANALYZE_H

#include <stddef.h>
#include <stdint.h>
#include "msg.h"

enum kith_class {            /* what a message is, for relationship purposes */
	KITH_CLASS_PERSONAL = 0, /* person to person */
	KITH_CLASS_LIST = 1,     /* came through a mailing list (may still count) */
	KITH_CLASS_AUTOMATED = 2 /* bulk, notification, bounce, auto-reply: never a turn */
};

enum kith_tier {
	KITH_TIER_NONE = 0, /* no two-way relationship */
	KITH_TIER_INNER,    /* top ~5 */
	KITH_TIER_CLOSE,    /* ~15 */
	KITH_TIER_ACTIVE,   /* ~50 */
	KITH_TIER_WIDER,    /* ~150 */
	KITH_TIER_FADING    /* was deep, now quiet */
};

/* Parses "inner", "close", ... ; returns -EINVAL for unknown names. */
int kith_tier_parse(const char *s, enum kith_tier *out);
const char *kith_tier_name(enum kith_tier t); /* static string */

struct kith_pin { const char *addr; enum kith_tier tier; };
struct kith_merge { const char *name; const char *const *addrs; size_t n_addrs; };

/* The user's identities and decisions.  All pointers are borrowed for the
 * duration of kith_analyze(); nothing is retained. */
struct kith_policy {
	const char *const *identities; size_t n_identities; /* user's own addresses */
	const struct kith_merge *merges; size_t n_merges;   /* config + `kith merge` */
	const char *const *splits; size_t n_splits;         /* addresses split off by hand */
	const char *const *ignores; size_t n_ignores;       /* "addr" or "@domain" */
	const struct kith_pin *pins; size_t n_pins;
	int strip_plus_tags;                                 /* normalise a+tag@ to a@ */
	double half_life_days;                               /* recency half-life; 0: default 90 */
	int recent_days;        /* > 0: also gather what the follow-up rules need
				   for a horizon up to this long (kith_analysis.fu) */
};

/* One factor of a depth score: its raw value and points contributed. */
struct kith_factor {
	const char *name;   /* static: "reciprocity", "volume", "recency", ... */
	double value;       /* the raw measure, in the unit `unit` names */
	const char *unit;   /* static: "ratio", "turns", "days", "hours", ... */
	double points;      /* contribution to depth, 0..100 scale */
};

#define KITH_MAX_FACTORS 8

struct kith_person {
	char *key;            /* primary normalised address; owned */
	char *name;           /* best display name, UTF-8; owned; may be NULL */
	char **addrs;         /* normalised addresses, lowercase; owned */
	size_t n_addrs;
	double depth;         /* 0..100 */
	enum kith_tier tier;
	int pinned;
	const char *role;     /* static: why this is a role mailbox (contact@, a
				 notices account), listed but never tiered; or NULL */
	struct kith_factor factors[KITH_MAX_FACTORS];
	size_t n_factors;
	uint32_t msgs_from, msgs_to;         /* messages they sent the user / user sent them */
	uint32_t conversations;              /* two-way conversations */
	uint32_t turns_user, turns_them;     /* turns each way */
	uint32_t initiated_user, initiated_them;
	uint32_t unanswered_user, unanswered_them; /* one-way messages left unanswered */
	int64_t latency_user, latency_them;  /* median reply latency, seconds; -1 unknown */
	int64_t first_exchange, last_exchange; /* KITH_DATE_NONE when none */
	int64_t last_from, last_to;          /* last message each way, any kind */
};

/* A turn: one message from one side answering the other side.  32
 * bytes: the analysis outputs one for most messages of a mailbox made of
 * conversations. */
struct kith_turn {
	int64_t msg_id;       /* kith_msg.id */
	int64_t date;
	int64_t latency;      /* seconds since the message it answers */
	uint32_t person;      /* index into kith_analysis.people */
	uint32_t conversation : 31; /* index into kith_analysis.conversations (the
				       analysis makes fewer than 2^31) */
	uint32_t by_user : 1; /* 1: the user answered them; 0: they answered */
};

/* Of its rows (one per person and thread: 110k on a 100k-message mailbox,
 * nearly all one-way), the analysis outputs those with a counted turn
 * (turns point at them) and each person's KITH_RECENT_CONVS most recent
 * (what `kith show` lists).  Nothing else reads conversations. */
#define KITH_RECENT_CONVS 8

struct kith_conversation {
	size_t person;        /* the other side (one row per person per thread) */
	int64_t root_msg_id;  /* first message of the thread */
	int64_t last_msg_id;  /* newest message */
	char *subject;        /* normalised subject; owned */
	int64_t first, last;  /* dates */
	uint32_t turns_user, turns_them;
	int initiated_by_user;
	int last_by_user;     /* who wrote last: the other side is "waiting"  */
};

struct kith_merge_suggestion {
	char *a, *b;          /* two addresses; owned */
	char *reason;         /* plain words; owned */
};

struct kith_analysis {
	struct kith_person *people; size_t n_people;   /* deepest first */
	struct kith_turn *turns; size_t n_turns;       /* oldest first */
	struct kith_conversation *conversations; size_t n_conversations;
	struct kith_merge_suggestion *suggestions; size_t n_suggestions;
	uint8_t *msg_class;          /* per input message, same index as msgs: its
				        enum kith_class (one byte: a million messages) */
	size_t n_msgs;
	uint64_t input_digest;       /* kith_msgs_digest of the input's ids, in order */
	uint32_t n_personal, n_list, n_automated;
	/* What the analysis learnt beyond the policy, kept so that new mail can
	 * be judged against this analysis without it (inert.h): the user's
	 * normalised addresses (the policy's and \Sent senders'), the list
	 * addresses taken from List-Id, and the date of the newest message it
	 * kept (KITH_DATE_NONE when none).  Owned. */
	char **user_addrs; size_t n_user_addrs;
	char **list_addrs; size_t n_list_addrs;
	int64_t newest;
	/* What the follow-up rules need from the messages older than their
	 * horizon (fu_prep.h), when policy.recent_days > 0; else NULL.  Owned. */
	struct kith_fu_prep *fu;
};

/* Analyses msgs[0..n) as of `now` (messages dated at or after now are
 * ignored).  msgs is borrowed and must outlive nothing: every string the
 * result holds is copied.  Returns 0 and sets *out (caller frees with
 * kith_analysis_free), or -ENOMEM / -EINVAL. */
int kith_analyze(const struct kith_msg *msgs, size_t n,
		 const struct kith_policy *policy, int64_t now,
		 struct kith_analysis **out);

/* Streaming input.  Why: the analysis keeps only its own compact record
 * of each message (people ids, class, subject, threading keys), so a
 * caller that can produce the messages one at a time (the store, row by
 * row) need never hold them all: on a large mailbox the loaded records
 * were the biggest block at the process' memory peak.
 *
 * fn gets one message; the record and every string it points to are
 * borrowed for that call only.  It returns 0 to go on, or a negative
 * errno to stop. */
typedef int (*kith_msg_fn)(const struct kith_msg *m, void *fn_ctx);

/* A pass reads all of a record (KITH_PASS_ALL), or only id, date, flags,
 * from.addr and list_id (KITH_PASS_SENDERS: the source may leave the
 * rest zero). */
enum kith_pass { KITH_PASS_ALL = 0, KITH_PASS_SENDERS = 1 };

struct kith_msg_source {
	size_t n;  /* messages every pass hands over, exactly */
	/* Hands every message to fn, in one fixed order (the same in every
	 * pass: it is the "input order" msg_class follows).  Within one pass,
	 * equal address pointers (from.addr, rcpt[].addr) must be equal
	 * strings, as they are when the strings are interned or all alive.
	 * Returns 0, fn's first negative return, or a negative errno of its
	 * own. */
	int (*each)(void *ctx, enum kith_pass pass, kith_msg_fn fn, void *fn_ctx);
	void *ctx; /* borrowed; passed to each */
	/* Optional (NULL: the source cannot): hands over the messages with
	 * these ids, in this order, as a full pass would; -ESTALE when one is
	 * gone.  Lets the follow-up rules read only their horizon
	 * (kith_followups_decide_source). */
	int (*each_id)(void *ctx, const int64_t *ids, size_t n, kith_msg_fn fn, void *fn_ctx);
};

/* An array as a source (both passes hand over every record: the
 * strings are all alive together, so equal address pointers are equal
 * strings; each_id finds records by binary search, so only in an array
 * whose ids rise, -ESTALE otherwise).  src borrows as, which borrows v:
 * both must outlive src. */
struct kith_msg_array { const struct kith_msg *v; size_t n; };
void kith_msg_array_source(const struct kith_msg_array *as, struct kith_msg_source *src);

/* kith_analyze over a source: the same result as over an array of the
 * same messages in the same order.  src is borrowed for the call; each is
 * called twice.  Returns 0 and sets *out (caller frees with
 * kith_analysis_free), -ENOMEM, -EINVAL, -ESTALE when a pass did not hand
 * over exactly src->n messages, or the source's error. */
int kith_analyze_source(const struct kith_msg_source *src,
			const struct kith_policy *policy, int64_t now,
			struct kith_analysis **out);

/* A digest of message ids in order (kith_analysis.input_digest): lets a
 * caller that reloads the messages after a streaming analysis (the
 * follow-up rules index msg_class by position) check that it got the
 * same ones in the same order. */
#define KITH_MSGS_DIGEST_START 1469598103934665603ULL /* FNV-1a's offset basis */
uint64_t kith_msgs_digest_step(uint64_t d, int64_t id);
uint64_t kith_msgs_digest(const struct kith_msg *v, size_t n);

void kith_analysis_free(struct kith_analysis *a);

#endif
