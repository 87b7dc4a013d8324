/* followup.h: which follow-up tasks should exist right now.  Pure C.
 *
 * Three kinds: the user owes a reply, the user waits on them, and keep in
 * touch.  Decided from the analysis, the messages and the user's snoozes, as
 * of `now`.  The task writer (tasks/tasks_ical.c) turns these into files.
 */
#ifndef KITH_FOLLOWUP_H
#define KITH_FOLLOWUP_H

#include <stddef.h>
#include <stdint.h>
#include "analyze.h"

enum kith_task_kind { KITH_TASK_REPLY = 0, KITH_TASK_WAITING = 1, KITH_TASK_KEEP_IN_TOUCH = 2 };
const char *kith_task_kind_name(enum kith_task_kind k); /* "reply", "waiting", "keep-in-touch" */

struct kith_followup_params {
	int reply_delay_close_days;   /* inner and close; default 2 */
	int reply_delay_other_days;   /* default 5 */
	int waiting_delay_days;       /* default 5 */
	int waiting_delay_inner_days; /* default 3 */
	int horizon_days;             /* default 21 */
	int keep_in_touch_max;        /* default 5 */
	int cadence_days[4];          /* inner, close, active, wider */
	/* Added by the follow-up engineer: the user's own addresses (borrowed).
	 * When none are given, the senders of messages seen in a \Sent folder
	 * stand in for them.  Fields left 0 above take their defaults. */
	const char *const *identities;
	size_t n_identities;
	/* A reply task stays open while the person's newest unanswered mail is
	 * at most this many days old; default 5.  It opens at once: the delays
	 * above set its due date. */
	int reply_window_days;
};

/* Fills *p with every default (2, 5, 5, 3, 21, 5, {14, 30, 90, 365}, 5). */
void kith_followup_params_defaults(struct kith_followup_params *p);

struct kith_snooze { const char *person_key; int64_t until; }; /* borrowed */

/* A task that should be open now. */
struct kith_task_want {
	enum kith_task_kind kind;
	char *person_key;    /* owned */
	char *person_name;   /* owned; may be NULL */
	char *episode;       /* owned: stable id of this episode (message key or date) */
	char *uid;           /* owned: [A-Za-z0-9._+-] only, stable per person+kind+episode */
	char *summary;       /* owned, plain words */
	char *description;   /* owned, context and why */
	char *message_id;    /* owned; the message concerned, for mid: links; may be NULL */
	char *subject;       /* owned; may be NULL */
	int64_t since;       /* when the episode started (message date or last exchange) */
	int64_t due;
	int priority;        /* 1 (highest) .. 9 */
	double depth;
	enum kith_tier tier;
};

/* Decides the tasks that should be open as of now, most important first
 * (reply, waiting, keep-in-touch; then deeper people; then older episodes):
 * a caller that shows only some shows the first.  Returns 0 and sets *out
 * and *n_out (free with kith_task_wants_free), or -ENOMEM.
 *
 * next_change (may be NULL) gets the earliest moment after now at which
 * the same analysis and messages could give other tasks: a delay or the
 * reply window running out, a message a task names leaving the horizon,
 * a snooze ending, someone becoming due for keep-in-touch, a span's
 * wording ("it's been 7 weeks"), a message dated after now coming of
 * age; and the end of now's UTC day at the latest (keep-in-touch tasks are
 * due by it).  At every moment in [now, *next_change) the decision is
 * this one, field by field.  Why: kithd keeps its tasks until then
 * instead of analysing the mailbox again every hour.  What it does not
 * cover: the analysis itself moving with time (recency, and with it
 * depth and tiers). */
int kith_followups_decide(const struct kith_analysis *a,
			  const struct kith_msg *msgs, size_t n_msgs,
			  const struct kith_followup_params *p,
			  const struct kith_snooze *snoozes, size_t n_snoozes,
			  int64_t now, struct kith_task_want **out, size_t *n_out,
			  int64_t *next_change);

/* The same over a source (analyze.h) that must hand over the analysis'
 * input: a->n_msgs messages whose ids digest to a->input_digest
 * (kith_msgs_digest), else -ESTALE.  Why: the rules index a->msg_class by
 * input position, and need all messages only for a few dates per person;
 * streamed, only those within the horizon are held (kithd at a million
 * messages).  src is borrowed for the call; each is called twice. */
int kith_followups_decide_source(const struct kith_analysis *a,
				 const struct kith_msg_source *src,
				 const struct kith_followup_params *p,
				 const struct kith_snooze *snoozes, size_t n_snoozes,
				 int64_t now, struct kith_task_want **out, size_t *n_out,
				 int64_t *next_change);

void kith_task_wants_free(struct kith_task_want *v, size_t n);

/* The RFC 2392 "mid:" URL of a Message-ID (given without <>): every byte
 * outside [A-Za-z0-9-._~@!$'*+,;=:] percent-encoded.  Returns a malloc'd
 * string (caller frees), or NULL on ENOMEM or when message_id is NULL/empty. */
char *kith_mid_url(const char *message_id);

/* Copies s as valid UTF-8: invalid bytes become U+FFFD, control characters a
 * space (newlines kept when keep_newlines; otherwise runs of spaces become
 * one and leading/trailing ones go), at most max_bytes long (cut at a
 * character boundary, "..." appended when cut).  malloc'd (caller frees);
 * NULL on ENOMEM. */
char *kith_text_clean(const char *s, size_t max_bytes, int keep_newlines);

#endif
