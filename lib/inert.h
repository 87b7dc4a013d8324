/* inert.h: new mail that cannot change the saved analysis.  Pure C.
 *
 * Why: most new mail in a large mailbox is newsletters and notifications.
 * Analysing a million messages again because one more came from
 * no-reply@ costs seconds and changes nothing: such a message is never a
 * turn, never direct mail, and touches nobody's figures.  A message is
 * inert when analysing the saved analysis' messages plus it gives the same
 * people, turns, conversations and merge suggestions; only the message
 * counts move.  It is inert when all of these hold (each mirrors a stage of
 * analyze.c, see docs/architecture.md "New mail that changes nothing"):
 *
 *  - it is not the user's (no \Sent copy, the sender is not one of the
 *    user's addresses);
 *  - its sender is no person of the saved analysis, and is either no
 *    human (a system, list or ignored address), or the message is
 *    automated (an automated message is never a turn nor direct mail), or
 *    it is a list post not to the user that answers nothing (no
 *    In-Reply-To, no References, no reply subject);
 *  - none of its recipients is a person of the saved analysis (a name or
 *    an address form they were first seen with stays theirs);
 *  - its List-Id names no address that is not yet a known list (a new
 *    list address would stop being a human everywhere);
 *  - it names at most one other message (In-Reply-To and References
 *    together): one link can only join it to one thread, never join two;
 *  - it is not older than the newest message the analysis kept, so no
 *    earlier message's subject chain or thread number moves.
 *
 * The one case these rules cannot see: a stored message that carries or
 * names the new message's own Message-ID (a duplicate id, or a reply
 * dated before its original); the daily full analysis repairs it.
 */
#ifndef KITH_INERT_H
#define KITH_INERT_H

#include <stddef.h>
#include <stdint.h>
#include "analyze.h"
#include "msg.h"
#include "people.h"

/* 1 when addr (normalised) is a person of the saved analysis. */
typedef int (*kith_inert_person_fn)(void *ctx, const char *addr);

struct kith_inert {
	struct kith_people people;    /* the policy's persons, the user, the lists */
	const char *const *lists;     /* the known list addresses (borrowed) */
	size_t n_lists;
	int64_t newest;               /* the newest message the analysis kept */
	int64_t now;                  /* the analysis' "now": later mail is not kept */
	kith_inert_person_fn is_person;
	void *ctx;                    /* borrowed; passed to is_person */
};

/* Sets up in from what the saved analysis learnt (kith_analysis'
 * user_addrs, list_addrs, newest) and the policy it ran under.  pol,
 * user_addrs and lists are borrowed until kith_inert_free.  0 or
 * -ENOMEM. */
int kith_inert_init(struct kith_inert *in, const struct kith_policy *pol,
		    const char *const *user_addrs, size_t n_user,
		    const char *const *lists, size_t n_lists, int64_t newest, int64_t now,
		    kith_inert_person_fn is_person, void *ctx);
void kith_inert_free(struct kith_inert *in);

/* Judges m.  Returns 1 when inert (*cls gets its class, for the counts),
 * 0 when not (*why, a static string, says which rule), or -ENOMEM. */
int kith_inert_check(struct kith_inert *in, const struct kith_msg *m,
		     enum kith_class *cls, const char **why);

#endif
