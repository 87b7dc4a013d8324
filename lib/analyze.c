/* analyze.c: the pipeline behind kith_analyze(); see analyze.h.
 *
 * classify every message -> keep those dated before now, by date ->
 * thread -> turns and conversations -> people worth listing -> depth ->
 * sort deepest first -> tiers -> copy out.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "classify.h"
#include "depth.h"
#include "strpool.h"
#include "subject.h"
#include "thread.h"
#include "turns.h"

static const char *const tier_names[] = {
	"none", "inner", "close", "active", "wider", "fading"
};

const char *kith_tier_name(enum kith_tier t)
{
	if ((unsigned)t >= sizeof(tier_names) / sizeof(tier_names[0]))
		return "none";
	return tier_names[t];
}

int kith_tier_parse(const char *s, enum kith_tier *out)
{
	size_t i;

	for (i = 0; s && i < sizeof(tier_names) / sizeof(tier_names[0]); i++)
		if (strcasecmp(s, tier_names[i]) == 0) {
			*out = (enum kith_tier)i;
			return 0;
		}
	return -EINVAL;
}

int kith_work_rcpt_has(const struct kith_work *k, size_t wi, size_t pid)
{
	size_t j;

	for (j = 0; j < k->w[wi].rc_n; j++)
		if (k->rcpt[k->w[wi].rc_off + j] == pid)
			return 1;
	return 0;
}

/* Known as of now: undated, or dated before now. */
static int before_now(const struct kith_work *k, const struct kith_msg *m)
{
	return m->date == KITH_DATE_NONE || m->date < k->now;
}

/* \Sent senders are the user (assistants writing for the user too);
 * list addresses named by List-Id are not people
 * ("linux-man.vger.kernel.org" -> linux-man@vger.kernel.org). */
static int learn_addresses(struct kith_work *k, const struct kith_msg *msgs, size_t n)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++)
		if ((msgs[i].flags & KITH_MSG_IN_SENT) && msgs[i].from.addr && before_now(k, &msgs[i]))
			rc = kith_people_add_identity(&k->people, msgs[i].from.addr);
	for (i = 0; i < n && rc == 0; i++) {
		char buf[320], *dot;
		const char *id = msgs[i].list_id;

		if (!id || !before_now(k, &msgs[i]) || strlen(id) >= sizeof(buf) || strchr(id, '@'))
			continue;
		strcpy(buf, id);
		if ((dot = strchr(buf, '.')) != NULL && strchr(dot + 1, '.')) {
			*dot = '@';
			rc = kith_people_mark_list(&k->people, buf);
		}
	}
	return rc;
}

/* The per-message and per-row records are the analysis' largest arrays;
 * keep them from growing back unnoticed. */
_Static_assert(sizeof(struct kith_wmsg) <= 64, "kith_wmsg grew");
_Static_assert(sizeof(struct kith_wrow) <= 48, "kith_wrow grew");

static int push_rcpt(struct kith_work *k, size_t pid)
{
	if (pid >= UINT32_MAX || k->n_rcpt >= UINT32_MAX)
		return -EOVERFLOW; /* 32-bit ids and offsets (awork.h) */
	if (k->n_rcpt == k->cap_rcpt) {
		size_t nc = k->cap_rcpt ? k->cap_rcpt * 2 : 256;
		uint32_t *nv = realloc(k->rcpt, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		k->rcpt = nv;
		k->cap_rcpt = nc;
	}
	k->rcpt[k->n_rcpt++] = (uint32_t)pid;
	return 0;
}

/* Why: pooled input (kith_msgset) shares one string per distinct address,
 * so the same pointer recurs thousands of times; normalising and looking
 * it up once saves a tenth of the analysis.  The pointer is only a cache
 * key (equal pointers, equal strings); a name offered for a person still
 * without one takes the full path, as the first sight would. */
static int resolve_addr(struct kith_work *k, const char *addr, const char *name, size_t *pid)
{
	size_t v;
	int rc;

	if (addr && kith_umap_get(&k->addr_pid, (uint64_t)(uintptr_t)addr, &v) &&
	    (!name || v == KITH_PID_NONE || v == KITH_PID_USER || k->people.v[v].name)) {
		*pid = v;
		return 0;
	}
	rc = kith_people_resolve(&k->people, addr, name, pid);
	if (rc == 0 && addr)
		rc = kith_umap_intern(&k->addr_pid, (uint64_t)(uintptr_t)addr, *pid, NULL);
	return rc < 0 ? rc : 0;
}

/* Resolves sender and recipients of m into w (person ids, user flags). */
static int resolve(struct kith_work *k, const struct kith_msg *m, struct kith_wmsg *w)
{
	size_t j, pid;
	int rc = resolve_addr(k, m->from.addr, m->from.name, &w->from);

	if (rc < 0)
		return rc;
	w->from_user = (m->flags & KITH_MSG_IN_SENT) || w->from == KITH_PID_USER;
	w->rc_off = (uint32_t)k->n_rcpt; /* push_rcpt keeps it below UINT32_MAX */
	w->to1 = KITH_TO1_NONE;
	for (j = 0; j < m->n_to + m->n_cc; j++) {
		if ((rc = resolve_addr(k, m->rcpt[j].addr, m->rcpt[j].name, &pid)) < 0)
			return rc;
		/* the single To is a person only when not the user nor the sender */
		if (j == 0 && m->n_to == 1 && pid != KITH_PID_USER && pid != w->from)
			w->to1 = (uint32_t)pid; /* below UINT32_MAX: push_rcpt's limit */
		if (pid == KITH_PID_USER)
			w->user_in_to |= j < m->n_to;
		if (pid == KITH_PID_USER)
			w->user_in_rcpt = 1;
		else if (pid != KITH_PID_NONE && pid != w->from && w->rc_n < UINT16_MAX &&
			 !kith_work_rcpt_has(k, (size_t)(w - k->w), pid)) {
			if ((rc = push_rcpt(k, pid)) < 0)
				return rc;
			w->rc_n++;
		}
	}
	return 0;
}

static void count_class(struct kith_analysis *a, enum kith_class c)
{
	if (c == KITH_CLASS_PERSONAL)
		a->n_personal++;
	else if (c == KITH_CLASS_LIST)
		a->n_list++;
	else
		a->n_automated++;
}

/* Classifies every message; keeps those dated before now in k->w. */
static int collect(struct kith_work *k, const struct kith_msg *msgs, size_t n,
		   struct kith_analysis *a)
{
	size_t i;
	int rc;

	k->w = calloc(n ? n : 1, sizeof(*k->w));
	if (!k->w)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct kith_wmsg *w = &k->w[k->n];
		struct kith_class_in in;
		memset(w, 0, sizeof(*w));
		w->m = &msgs[i];
		w->date = msgs[i].date;
		if ((rc = resolve(k, &msgs[i], w)) < 0)
			return rc;
		in.from_user = w->from_user;
		in.user_in_rcpt = w->user_in_rcpt;
		a->msg_class[i] = kith_classify(&msgs[i], &in, NULL);
		w->cls = (uint8_t)a->msg_class[i];
		count_class(a, a->msg_class[i]);
		if (w->date != KITH_DATE_NONE && w->date >= KITH_DATE_PLAUSIBLE && w->date < k->now)
			k->n++;
		else
			k->n_rcpt = w->rc_off; /* drop its recipients again */
	}
	return 0;
}

/* The recipient ids grew by doubling; the rest of the analysis (and its
 * memory peak) needs only what was used. */
static void shrink_rcpt(struct kith_work *k)
{
	uint32_t *v;

	if (k->n_rcpt && k->n_rcpt < k->cap_rcpt &&
	    (v = realloc(k->rcpt, k->n_rcpt * sizeof(*v))) != NULL) {
		k->rcpt = v;
		k->cap_rcpt = k->n_rcpt;
	}
}

static int cmp_wmsg(const void *x, const void *y)
{
	const struct kith_wmsg *a = x, *b = y;

	if (a->date != b->date)
		return a->date < b->date ? -1 : 1;
	return (a->m > b->m) - (a->m < b->m); /* input order */
}

/* Normalised subjects, interned: a thread's messages share one, and they
 * live through the whole analysis. */
static int subjects(struct kith_work *k)
{
	size_t i;
	unsigned fl;
	char *s;

	if (!(k->subjects = kith_strpool_new()))
		return -ENOMEM;
	for (i = 0; i < k->n; i++) {
		if (!(s = kith_subject_normalize(k->w[i].m->subject, &fl)))
			return -ENOMEM;
		k->w[i].nsubj = kith_strpool_intern(k->subjects, s, strlen(s));
		free(s);
		if (!k->w[i].nsubj)
			return -ENOMEM;
		k->w[i].sflags = (uint8_t)fl;
	}
	return 0;
}

static void work_free(struct kith_work *k)
{
	free(k->w);
	free(k->rcpt);
	kith_umap_free(&k->addr_pid);
	kith_strpool_free(k->subjects);
	kith_people_free(&k->people);
}

int kith_analyze(const struct kith_msg *msgs, size_t n,
		 const struct kith_policy *policy, int64_t now,
		 struct kith_analysis **out)
{
	struct kith_work k;
	struct kith_turns t;
	struct kith_analysis *a;
	int rc = -ENOMEM;

	if (!out || !policy || (n && !msgs))
		return -EINVAL;
	*out = NULL;
	memset(&k, 0, sizeof(k));
	memset(&t, 0, sizeof(t));
	if (!(a = calloc(1, sizeof(*a))) || !(a->msg_class = calloc(n ? n : 1, sizeof(*a->msg_class))))
		goto out;
	a->n_msgs = n;
	k.pol = policy;
	k.now = now;
	k.half_life_days = policy->half_life_days > 0 ? policy->half_life_days : 90;
	if ((rc = kith_people_init(&k.people, policy)) < 0 ||
	    (rc = learn_addresses(&k, msgs, n)) < 0 || (rc = collect(&k, msgs, n, a)) < 0)
		goto out;
	shrink_rcpt(&k);
	qsort(k.w, k.n, sizeof(*k.w), cmp_wmsg);
	kith_people_apply_pins(&k.people);
	if ((rc = subjects(&k)) < 0 || (rc = kith_thread_build(&k)) < 0 ||
	    (rc = kith_turns_build(&k, &t)) < 0 || (rc = kith_analyze_output(&k, &t, a)) < 0)
		goto out;
	*out = a;
	a = NULL;
out:
	kith_turns_free(&t);
	work_free(&k);
	kith_analysis_free(a);
	return rc < 0 ? rc : 0;
}
