/* awork.h: the analysis's working state, shared by analyze.c, thread.c,
 * turns.c and depth.c.  Internal to lib/. */
#ifndef KITH_AWORK_H
#define KITH_AWORK_H

#include <stddef.h>
#include <stdint.h>
#include "analyze.h"
#include "people.h"

#define KITH_NONE ((size_t)-1)

/* Dates before 1980-01-02 are placeholders (Lotus Notes and DOS zero
 * dates, as in the Enron export), not times: such messages are treated as
 * undated and left out of the timeline. */
#define KITH_DATE_PLAUSIBLE 315619200LL

/* One message as the analysis sees it (only those dated before now).
 * 56 bytes: one per message lives through the whole analysis (32-bit
 * ids and indices: kith_analyze_source refuses 2^32 - 1 messages, resolve
 * as many people).  It holds
 * everything the later stages need, so that nothing after collecting
 * reads the caller's struct kith_msg (the input may be streamed, see
 * kith_analyze_source). */
struct kith_wmsg {
	int64_t id;               /* kith_msg.id, for the output */
	int64_t date;
	const char *nsubj;        /* normalised subject, interned in work.subjects */
	uint32_t from_id;         /* sender's person id, KITH_W_NONE if none: read it
				     with kith_wmsg_from */
	uint32_t parent_ix;       /* index in work.w of the message answered, KITH_W_NONE
				     if none: read it with kith_wmsg_parent */
	uint32_t thread;          /* thread number */
	uint32_t rc_off;          /* work.rcpt[rc_off..+rc_n): recipients' person ids, not the user */
	uint32_t to1;             /* the person in To when To names exactly one, else
				     KITH_TO1_NONE: read it with kith_wmsg_to1 */
	uint32_t n_rcpt_total;    /* kith_msg.n_rcpt_total */
	uint32_t seq;             /* kept messages in input order: breaks date ties,
				     indexes work.tkey_off */
	uint16_t rc_n;            /* recipients beyond UINT16_MAX are left out */
	unsigned cls : 2;         /* enum kith_class */
	unsigned from_user : 1;   /* written by the user */
	unsigned user_in_rcpt : 1; /* the user is in To/Cc */
	unsigned user_in_to : 1;  /* the user is in To */
	unsigned has_irt : 1;     /* it has an In-Reply-To */
	unsigned has_refs : 1;    /* it has References */
	uint8_t sflags;           /* KITH_SUBJ_* */
};

#define KITH_TO1_NONE UINT32_MAX
#define KITH_W_NONE UINT32_MAX

static inline size_t kith_wmsg_to1(const struct kith_wmsg *w)
{
	return w->to1 == KITH_TO1_NONE ? KITH_PID_NONE : w->to1;
}

/* The sender's person id, KITH_PID_NONE when none. */
static inline size_t kith_wmsg_from(const struct kith_wmsg *w)
{
	return w->from_id == KITH_W_NONE ? KITH_PID_NONE : w->from_id;
}

/* The index of the message answered, KITH_NONE when none. */
static inline size_t kith_wmsg_parent(const struct kith_wmsg *w)
{
	return w->parent_ix == KITH_W_NONE ? KITH_NONE : w->parent_ix;
}

/* i: an index below KITH_W_NONE (kith_analyze_source's limit), or KITH_NONE. */
static inline void kith_wmsg_set_parent(struct kith_wmsg *w, size_t i)
{
	w->parent_ix = i == KITH_NONE ? KITH_W_NONE : (uint32_t)i;
}

struct kith_work {
	const struct kith_policy *pol;
	int64_t now;
	double half_life_days;
	struct kith_people people;
	struct kith_wmsg *w;      /* sorted by date, then input order */
	size_t n;
	uint32_t *rcpt;           /* recipients' person ids, see kith_wmsg (32 bits:
				     they are the analysis' largest array); once
				     threaded, those of the user's messages only
				     (the others' rc_n is 0: analyze.c) */
	size_t n_rcpt, cap_rcpt;
	size_t n_threads;
	struct kith_umap addr_pid; /* address pointer -> person id (resolve cache) */
	struct kith_strpool *subjects; /* normalised subjects, one copy each */
	/* Threading's input, gathered while collecting (kith_thread_note) and
	 * freed by kith_thread_build: Message-IDs as union-find nodes. */
	struct kith_umap tid;     /* 64-bit hash of a Message-ID -> node; freed as
				     soon as the messages are collected */
	size_t n_nodes;
	uint32_t *tkey;           /* per kept message: its own node, its In-Reply-To's
				     node when has_irt, then its References' nodes */
	size_t n_tkey, cap_tkey;
	uint32_t *tkey_off;       /* by seq: where its nodes start in tkey (n + 1 entries) */
};

/* 1 when person pid could be a relationship: a human, not the user, not
 * a list, bot or ignored address. */
static inline int kith_work_is_human(const struct kith_work *k, size_t pid)
{
	return pid != KITH_PID_NONE && pid != KITH_PID_USER &&
	       k->people.v[pid].kind == KITH_PK_PERSON;
}

/* 1 when message wi was addressed (To/Cc) to person pid. */
int kith_work_rcpt_has(const struct kith_work *k, size_t wi, size_t pid);

#endif
