/* asame.h: are two analyses the same, person by person?  For tests that
 * prove a shortcut equal to the full analysis (inert mail).  Compares
 * people (every field and factor), turns, conversations and merge
 * suggestions exactly; not the message counts, msg_class or the learnt
 * addresses.  Returns 1 when equal, else 0 with the first difference in
 * buf. */
#ifndef KITH_ASAME_H
#define KITH_ASAME_H

#include <stdio.h>
#include <string.h>
#include "analyze.h"

static inline int as_str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static inline int as_person_eq(const struct kith_person *a, const struct kith_person *b)
{
	size_t i;

	if (!as_str_eq(a->key, b->key) || !as_str_eq(a->name, b->name) ||
	    a->n_addrs != b->n_addrs || a->depth != b->depth || a->tier != b->tier ||
	    a->pinned != b->pinned || !as_str_eq(a->role, b->role) ||
	    a->n_factors != b->n_factors || a->msgs_from != b->msgs_from ||
	    a->msgs_to != b->msgs_to || a->conversations != b->conversations ||
	    a->turns_user != b->turns_user || a->turns_them != b->turns_them ||
	    a->initiated_user != b->initiated_user || a->initiated_them != b->initiated_them ||
	    a->unanswered_user != b->unanswered_user || a->unanswered_them != b->unanswered_them ||
	    a->latency_user != b->latency_user || a->latency_them != b->latency_them ||
	    a->first_exchange != b->first_exchange || a->last_exchange != b->last_exchange ||
	    a->last_from != b->last_from || a->last_to != b->last_to)
		return 0;
	for (i = 0; i < a->n_addrs; i++)
		if (!as_str_eq(a->addrs[i], b->addrs[i]))
			return 0;
	for (i = 0; i < a->n_factors; i++)
		if (!as_str_eq(a->factors[i].name, b->factors[i].name) ||
		    a->factors[i].value != b->factors[i].value ||
		    a->factors[i].points != b->factors[i].points)
			return 0;
	return 1;
}

static inline int as_conv_eq(const struct kith_conversation *a, const struct kith_conversation *b)
{
	return a->person == b->person && a->root_msg_id == b->root_msg_id &&
	       a->last_msg_id == b->last_msg_id && as_str_eq(a->subject, b->subject) &&
	       a->first == b->first && a->last == b->last && a->turns_user == b->turns_user &&
	       a->turns_them == b->turns_them && a->initiated_by_user == b->initiated_by_user &&
	       a->last_by_user == b->last_by_user;
}

static inline int as_turn_eq(const struct kith_turn *a, const struct kith_turn *b)
{
	return a->msg_id == b->msg_id && a->person == b->person &&
	       a->conversation == b->conversation && a->date == b->date &&
	       a->by_user == b->by_user && a->latency == b->latency;
}

/* 1 when addr (normalised) is an address of a person of a: what the store's
 * person_addrs answers, for judging inert mail in tests. */
static inline int as_has_person_addr(const struct kith_analysis *a, const char *addr)
{
	size_t i, j;

	for (i = 0; i < a->n_people; i++)
		for (j = 0; j < a->people[i].n_addrs; j++)
			if (strcmp(a->people[i].addrs[j], addr) == 0)
				return 1;
	return 0;
}

static inline int kith_analysis_same(const struct kith_analysis *a, const struct kith_analysis *b,
				     char *buf, size_t len)
{
	size_t i;

	if (a->n_people != b->n_people || a->n_turns != b->n_turns ||
	    a->n_conversations != b->n_conversations || a->n_suggestions != b->n_suggestions) {
		snprintf(buf, len, "sizes: people %zu/%zu turns %zu/%zu conversations %zu/%zu "
			 "suggestions %zu/%zu", a->n_people, b->n_people, a->n_turns, b->n_turns,
			 a->n_conversations, b->n_conversations, a->n_suggestions, b->n_suggestions);
		return 0;
	}
	for (i = 0; i < a->n_people; i++)
		if (!as_person_eq(&a->people[i], &b->people[i])) {
			snprintf(buf, len, "person %zu: %s / %s", i, a->people[i].key, b->people[i].key);
			return 0;
		}
	for (i = 0; i < a->n_conversations; i++)
		if (!as_conv_eq(&a->conversations[i], &b->conversations[i])) {
			snprintf(buf, len, "conversation %zu", i);
			return 0;
		}
	for (i = 0; i < a->n_turns; i++)
		if (!as_turn_eq(&a->turns[i], &b->turns[i])) {
			snprintf(buf, len, "turn %zu", i);
			return 0;
		}
	for (i = 0; i < a->n_suggestions; i++)
		if (!as_str_eq(a->suggestions[i].a, b->suggestions[i].a) ||
		    !as_str_eq(a->suggestions[i].b, b->suggestions[i].b) ||
		    !as_str_eq(a->suggestions[i].reason, b->suggestions[i].reason)) {
			snprintf(buf, len, "suggestion %zu", i);
			return 0;
		}
	return 1;
}

#endif
