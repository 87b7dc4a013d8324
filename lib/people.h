/* people.h: who is who.  Addresses to persons, the user's identities,
 * merges, splits, ignores, pins, and merge suggestions.  Internal to the
 * analysis (analyze.c); pure C.
 */
#ifndef KITH_PEOPLE_H
#define KITH_PEOPLE_H

#include <stddef.h>
#include <stdint.h>
#include "analyze.h"
#include "hashmap.h"

#define KITH_PID_NONE ((size_t)-1)
#define KITH_PID_USER ((size_t)0) /* person 0 is always the user */

enum kith_pkind {
	KITH_PK_PERSON = 0, /* a human, as far as we can tell */
	KITH_PK_USER,       /* the user (identities, \Sent senders) */
	KITH_PK_SYSTEM,     /* no-reply, daemons, bots, bounce senders */
	KITH_PK_LIST,       /* a mailing-list address */
	KITH_PK_IGNORED     /* matched policy->ignores */
};

struct kith_pent {
	char *key;            /* primary normalised address; owned */
	char *name;           /* display name; owned; may be NULL */
	char **addrs;         /* normalised addresses; owned */
	size_t n_addrs, cap_addrs;
	enum kith_pkind kind;
	int from_merge;       /* created from policy->merges */
	int pinned;
	enum kith_tier pin_tier;
};

/* An address as written (lowercase) where normalising changes it
 * ("mtk.manpages@gmail.com" for "mtkmanpages@gmail.com"), and how often
 * it was seen. */
struct kith_form { char *raw; uint32_t count; };

struct kith_people {
	const struct kith_policy *pol;
	struct kith_smap addr;   /* normalised address -> person id */
	struct kith_smap splits; /* normalised split addresses */
	struct kith_pent *v;
	size_t n, cap;
	struct kith_form *forms; size_t n_forms, cap_forms;
	struct kith_smap form_ix; /* raw form -> index in forms */
	struct kith_smap shown;   /* normalised address -> its most seen form */
};

/* Sets up person 0 (the user) with policy identities, and the persons of
 * policy merges (split addresses stay out of merges).  pol is borrowed
 * until kith_people_free.  Returns 0, -ENOMEM or -EINVAL. */
int kith_people_init(struct kith_people *pp, const struct kith_policy *pol);
void kith_people_free(struct kith_people *pp);

/* Makes addr one of the user's addresses (a \Sent folder's sender) unless
 * it already belongs to someone else by policy.  Returns 0 or -ENOMEM. */
int kith_people_add_identity(struct kith_people *pp, const char *addr);

/* The person for addr (raw, normalised here), created on first sight with
 * its kind decided from policy and address shape; name (may be NULL)
 * offers a display name.  *pid is KITH_PID_NONE for a NULL or invalid
 * address.  Returns 0, or 1 when addr is written differently from its
 * normalised form (or its normalised form has been seen written so): each
 * sight of it counts toward the form shown (kith_people_shown), so a
 * caller must not cache it; or -ENOMEM. */
int kith_people_resolve(struct kith_people *pp, const char *addr,
			const char *name, size_t *pid);

/* Why: people search their mail for the address they saw, not for
 * kith's normalised key (Gmail ignores dots: "mtk.manpages@" and
 * "mtkmanpages@" are one mailbox, and nobody writes the second).  The
 * form of normalised address a seen most often, or a itself; borrowed
 * from pp. */
const char *kith_people_shown(const struct kith_people *pp, const char *a);

/* Marks the person owning addr (if any yet) as a list address. */
int kith_people_mark_list(struct kith_people *pp, const char *addr);

/* Applies policy pins to the persons they name. */
void kith_people_apply_pins(struct kith_people *pp);

/* A display name reduced for comparison ("Smith, John" and "john  smith"
 * give "john smith") into buf; 0 when it is too short or has one word
 * (too weak to suggest a merge). */
int kith_name_key(const char *name, char *buf, size_t len);

/* 1 when persons a and b plausibly are one: the same mailbox name at
 * different hosts, or display names with the same surname and initial. */
int kith_people_alike(const struct kith_people *pp, size_t a, size_t b);

#endif
