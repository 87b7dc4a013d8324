/* turns.h: turns, conversations and per-person exchange figures.
 *
 * A turn is a message from one side answering (as its thread parent) a
 * message from the other side: the user answering a person, or a person
 * answering the user.  Automated messages (out-of-office, receipts) are
 * never turns and are never answered.  A conversation is one person in one
 * thread; it is two-way when it holds turns both ways.  A turn made in a
 * list message counts only inside a two-way conversation; a turn in a
 * personal message always counts.
 */
#ifndef KITH_TURNS_H
#define KITH_TURNS_H

#include "awork.h"

/* Indices below are 32 bits (kith_turns_build refuses more messages or
 * people): a mailbox has about one row per message, and the rows are the
 * largest array at the analysis' memory peak. */
struct kith_wturn {
	uint32_t w;      /* message (index in k->w) */
	uint32_t pid;    /* the person on the other side */
	uint32_t row;    /* conversation row */
	uint8_t by_user;
	uint8_t counted;
	int64_t lat;     /* seconds since the answered message; -1 when it is not here */
};

/* 32 bytes: a mailbox of many recipients a message has more rows than
 * messages (1.1 million at a million of the bench's replicated Enron
 * headers), and they were the largest array beside the records at the
 * analysis' memory peak (docs/architecture.md, "Memory"). */
struct kith_wrow {      /* one person in one thread */
	uint32_t pid;
	uint32_t first_w, last_w;    /* first and newest message between them; their
					dates are the row's first and last */
	uint32_t tu, tt;             /* counted turns: by the user, by them */
	uint32_t pend;               /* messages since the other side last wrote, all
					from the side that wrote last (last_by_user):
					one message touches a row from one side only */
	union {
		uint32_t next;       /* while kith_turns_build runs: the thread's next
					listed row (turns.c) */
		uint32_t thread;     /* once it returns: the thread */
	} u;
	unsigned first_by_user : 1, last_by_user : 1;
	unsigned any_tu : 1, any_tt : 1; /* a turn each way, counted or not (their
					    numbers go to kith_pstat.raw_u, raw_t) */
};

struct kith_pstat {     /* per person id */
	uint32_t msgs_from, msgs_to;
	uint32_t conv, tu, tt, iu, it, uu, ut;
	uint32_t personal_turns;     /* counted turns made in personal messages */
	uint32_t raw_u, raw_t;       /* all turns each way, in any thread */
	int64_t lat_u, lat_t;        /* medians, -1 unknown */
	int64_t first_ex, last_ex, last_from, last_to;
	double one2one;              /* mean of 1/(To+Cc count) over counted turns */
	uint32_t direct_to, direct_from;   /* direct messages each way (not automated) */
	uint32_t personal_to, personal_from; /* of which personal class */
	uint32_t answered_user, answered_them; /* direct messages answered by the other
					   side within KITH_ANSWER_WINDOW_DAYS, any thread */
	int64_t first_contact;       /* first direct message either way */
	uint32_t broadcast_from;     /* their direct messages not to the user in To, or
					to many (role.h: notices) */
	const char *role;            /* static: why a role mailbox (role.h), or NULL */
	int listed;                  /* a relationship: goes into people[] */
	int contact;                 /* in direct touch (direct mail either way), not a
					relationship: goes into people[] with tier none */
};

/* A direct message counts as answered when the other side writes back
 * within this many days, in whatever thread (a new patch version, a
 * fresh subject and Enron's unthreaded mail all answer too). */
#define KITH_ANSWER_WINDOW_DAYS 14

/* Mail goes both ways between the user and the person, and each side
 * has answered the other: a two-way conversation; turns each way, in one
 * thread or across threads (the user answers their patch, they answer the
 * user's question elsewhere); direct personal mail each way; or direct
 * mail of any class that each side answered within the answer window.
 * Why across threads: on a list every message is list mail, and people
 * who answer each other in separate threads were left one-way contacts.
 * A role mailbox (role.h) is never a relationship. */
static inline int kith_pstat_two_way(const struct kith_pstat *ps)
{
	return !ps->role && (ps->conv > 0 || (ps->tu > 0 && ps->tt > 0) ||
	       (ps->raw_u > 0 && ps->raw_t > 0) ||
	       (ps->personal_to > 0 && ps->personal_from > 0) ||
	       (ps->answered_them > 0 && ps->answered_user > 0));
}

struct kith_psugg { size_t a, b; int by_name; };

struct kith_turns {
	struct kith_wturn *t; size_t n, cap;
	struct kith_wrow *r; size_t n_r, cap_r;
	struct kith_pstat *ps;       /* k->people.n entries */
	struct kith_psugg *sg; size_t n_sg, cap_sg;
};

/* Finds turns and conversations over k (threaded), fills per-person
 * figures and merge suggestions.  Returns 0 or -ENOMEM; free t with
 * kith_turns_free either way. */
int kith_turns_build(struct kith_work *k, struct kith_turns *t);
void kith_turns_free(struct kith_turns *t);

/* Fills a's people (scored, sorted, tiered), turns, conversations and
 * suggestions from k and t (analyze_out.c).  Takes k->w (NULL after)
 * and frees what it has used up as it goes: t's rows and k's subjects,
 * then t's turns.  Returns 0 or -ENOMEM; a is left for kith_analysis_free
 * either way. */
int kith_analyze_output(struct kith_work *k, struct kith_turns *t, struct kith_analysis *a);

#endif
