/* inert.c: see inert.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "inert.h"
#include "addr.h"
#include "awork.h"
#include "classify.h"
#include "subject.h"

int kith_inert_init(struct kith_inert *in, const struct kith_policy *pol,
		    const char *const *user_addrs, size_t n_user,
		    const char *const *lists, size_t n_lists, int64_t newest, int64_t now,
		    kith_inert_person_fn is_person, void *ctx)
{
	size_t i;
	int rc;

	memset(in, 0, sizeof(*in));
	in->lists = lists;
	in->n_lists = n_lists;
	in->newest = newest;
	in->now = now;
	in->is_person = is_person;
	in->ctx = ctx;
	/* the order of the analysis' first pass: identities, then lists */
	rc = kith_people_init(&in->people, pol);
	for (i = 0; i < n_user && rc >= 0; i++)
		rc = kith_people_add_identity(&in->people, user_addrs[i]);
	for (i = 0; i < n_lists && rc >= 0; i++)
		rc = kith_people_mark_list(&in->people, lists[i]);
	return rc < 0 ? rc : 0;
}

void kith_inert_free(struct kith_inert *in)
{
	kith_people_free(&in->people);
}

/* A person of the saved analysis has addr (any written form). */
static int saved_person(const struct kith_inert *in, const char *addr)
{
	char *a = addr ? kith_addr_normalize(addr, in->people.pol->strip_plus_tags) : NULL;
	int yes = a && in->is_person(in->ctx, a);

	free(a);
	return yes;
}

/* The List-Id names no list the analysis did not know. */
static int known_list(const struct kith_inert *in, const char *list_id)
{
	char buf[320];
	size_t i;

	if (!kith_list_id_addr(list_id, buf, sizeof(buf)))
		return 1;
	for (i = 0; i < in->n_lists; i++)
		if (strcmp(in->lists[i], buf) == 0)
			return 1;
	return 0;
}

/* More than one distinct Message-ID in In-Reply-To and References. */
static int names_several(const struct kith_msg *m)
{
	const char *one = m->in_reply_to;
	size_t i;

	for (i = 0; i < m->n_refs; i++) {
		if (!m->refs[i])
			continue;
		if (!one)
			one = m->refs[i];
		else if (strcmp(one, m->refs[i]) != 0)
			return 1;
	}
	return 0;
}

/* Kept by an analysis as of in->now, and older than what it kept. */
static int earlier_than_newest(const struct kith_inert *in, const struct kith_msg *m)
{
	if (m->date == KITH_DATE_NONE || m->date < KITH_DATE_PLAUSIBLE || m->date >= in->now)
		return 0; /* not kept: it threads nothing */
	return in->newest != KITH_DATE_NONE && m->date < in->newest;
}

/* The recipients: none a saved person; is the user among them? */
static int recipients(struct kith_inert *in, const struct kith_msg *m, int *user_in, int *hit)
{
	size_t j, pid;
	int rc;

	*user_in = *hit = 0;
	for (j = 0; j < m->n_to + m->n_cc; j++) {
		if ((rc = kith_people_resolve(&in->people, m->rcpt[j].addr, m->rcpt[j].name,
					      &pid)) < 0)
			return rc;
		if (pid == KITH_PID_USER)
			*user_in = 1;
		else if (saved_person(in, m->rcpt[j].addr))
			*hit = 1;
	}
	return 0;
}

/* A list post that nobody's figures can see: not to the user, answering
 * nothing (no link, no reply subject that could find a parent by
 * subject), so it is no turn, no direct mail and touches no row. */
static int unseen_list_post(const struct kith_msg *m, enum kith_class cls, int user_in_rcpt,
			    int *oom)
{
	unsigned fl = 0;
	char *s;

	if (cls != KITH_CLASS_LIST || user_in_rcpt || m->in_reply_to || m->n_refs)
		return 0;
	if (!(s = kith_subject_normalize(m->subject, &fl))) {
		*oom = 1;
		return 0;
	}
	free(s);
	return !(fl & KITH_SUBJ_REPLY);
}

int kith_inert_check(struct kith_inert *in, const struct kith_msg *m,
		     enum kith_class *cls, const char **why)
{
	struct kith_class_in ci = { 0 };
	size_t from;
	int hit, oom = 0, rc = kith_people_resolve(&in->people, m->from.addr, m->from.name, &from);

	if (rc < 0 || (rc = recipients(in, m, &ci.user_in_rcpt, &hit)) < 0)
		return rc;
	ci.from_user = (m->flags & KITH_MSG_IN_SENT) || from == KITH_PID_USER;
	*cls = kith_classify(m, &ci, NULL);
	*why = NULL;
	if (ci.from_user)
		*why = "the user's own mail";
	else if (saved_person(in, m->from.addr))
		*why = "from a person kith knows";
	else if (*cls != KITH_CLASS_AUTOMATED && from != KITH_PID_NONE &&
		 in->people.v[from].kind == KITH_PK_PERSON &&
		 !unseen_list_post(m, *cls, ci.user_in_rcpt, &oom))
		*why = "from a new person, not automated";
	else if (hit)
		*why = "to a person kith knows";
	else if (!known_list(in, m->list_id))
		*why = "a new list";
	else if (names_several(m))
		*why = "names more than one message";
	else if (earlier_than_newest(in, m))
		*why = "older than the analysed mail";
	if (oom)
		return -ENOMEM;
	return *why == NULL;
}
