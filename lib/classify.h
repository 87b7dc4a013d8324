/* classify.h: what a message is for relationship purposes.
 *
 * Header facts (msg->signals), the sender's address, the subject and the
 * message's shape decide between person-to-person, came-through-a-list and
 * automated.  List headers alone never make a message automated: on many
 * lists every human post carries List-Id and Precedence: bulk.
 */
#ifndef KITH_CLASSIFY_H
#define KITH_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>
#include "analyze.h"
#include "msg.h"

/* Reasons, one bit each, for tests and explanations. */
#define KITH_WHY_AUTO_HDR    (1u << 0)  /* Auto-Submitted, X-Autoreply, ... */
#define KITH_WHY_REPORT      (1u << 1)  /* multipart/report: DSN or MDN */
#define KITH_WHY_NULL_RP     (1u << 2)  /* Return-Path: <> */
#define KITH_WHY_JUNK        (1u << 3)  /* Precedence: junk */
#define KITH_WHY_AUTO_SUBJ   (1u << 4)  /* out-of-office subject */
#define KITH_WHY_BOUNCE_SUBJ (1u << 5)  /* delivery failure or read receipt subject */
#define KITH_WHY_SYSTEM      (1u << 6)  /* no-reply, daemon, bot sender */
#define KITH_WHY_BULK        (1u << 7)  /* Feedback-ID, one-click unsubscribe, newsletter */
#define KITH_WHY_NO_RCPT     (1u << 8)  /* no visible recipient at all */
#define KITH_WHY_MASS        (1u << 9)  /* very many recipients */
#define KITH_WHY_LIST_HDR    (1u << 10) /* List-* or Precedence: bulk/list */
#define KITH_WHY_INDIRECT    (1u << 11) /* user not in To/Cc (Bcc or an alias) */

/* Messages addressed to at least this many To+Cc recipients are mass mail. */
#define KITH_MASS_RCPT 50

/* What the caller knows about the message's people. */
struct kith_class_in {
	int from_user;     /* sent by the user (identity or \Sent folder) */
	int user_in_rcpt;  /* one of the user's addresses is in To or Cc */
};

/* Classifies m; *why (may be NULL) gets KITH_WHY_* bits. */
enum kith_class kith_classify(const struct kith_msg *m,
			      const struct kith_class_in *in, uint32_t *why);

/* 1 when addr (any case) looks like a system sender that is never a
 * person: no-reply, mailer-daemon, postmaster, bounce*, notifications,
 * *-bot, daemon, ...  NULL is a system sender. */
int kith_addr_is_system(const char *addr);

/* 1 when addr looks like a mailing-list address (not a person):
 * *-request, *-owner, owner-*, *-bounces, @lists.*, list hosts. */
int kith_addr_is_list(const char *addr);

/* The list address a List-Id names ("linux-man.vger.kernel.org" ->
 * "linux-man@vger.kernel.org": the first dot becomes '@' when another dot
 * follows) into buf; 0 when it names none (no id, an '@' in it, too long
 * for buf, or too few dots). */
int kith_list_id_addr(const char *list_id, char *buf, size_t len);

/* 1 when the subject marks an out-of-office or other automatic reply. */
int kith_subject_is_autoreply(const char *subject);

/* 1 when the subject marks a delivery failure or a read receipt. */
int kith_subject_is_bounce(const char *subject);

#endif
