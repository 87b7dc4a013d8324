/* role.h: is an address a role mailbox (a function, not a person)?
 *
 * contact@, info@, support@, an IT "Information Management" account: such
 * mailboxes answer for an organisation.  They stay listed as contacts (the
 * user does deal with them) but are never a relationship and never tiered.
 * Headers only: the local part, the display name, and (turns.c) whether
 * the sender's mail to the user is mostly notices.
 */
#ifndef KITH_ROLE_H
#define KITH_ROLE_H

/* Why addr (normalised, lowercase) with display name `name` (may be NULL)
 * is a role mailbox: a static string ("role address", "role name"), or
 * NULL when it looks like a person. */
const char *kith_role_mailbox(const char *addr, const char *name);

/* A sender whose mail to the user is mostly notices: at least
 * KITH_NOTICE_MIN personal (not list, not automated) messages, at least
 * 9 in 10 of them broadcasts (the user not in To, or KITH_NOTICE_RCPT or
 * more To+Cc addresses), at most one in 5 of them an answer to the user's
 * mail (answers: the user's direct messages they answered), and no
 * two-way conversation.  Mail through a list is never a notice: on a list
 * the user is usually in Cc.  Returns "notices" or NULL. */
#define KITH_NOTICE_MIN 5
#define KITH_NOTICE_RCPT 10
const char *kith_role_notices(unsigned personal, unsigned broadcasts, unsigned answers,
			      unsigned conversations);

#endif
