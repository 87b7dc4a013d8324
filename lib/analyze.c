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
#include "fu_prep.h"
#include "depth.h"
#include "strpool.h"
#include "subject.h"
#include "thread.h"
#include "grow.h"
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

/* Known as of now: undated, or dated before now. */
static int before_now(const struct kith_work *k, const struct kith_msg *m)
{
	return m->date == KITH_DATE_NONE || m->date < k->now;
}

/* The first pass: the user's addresses, and list addresses. */
struct learner {
	struct kith_work *k;
	struct kith_fu_prep *fu; /* the analysis' (NULL: not gathered) */
	size_t n, limit;         /* messages seen, and how many the source promised */
	struct kith_smap seen;   /* list addresses remembered */
	char **lists;            /* them, in order of first sight; owned */
	size_t n_lists, cap_lists;
};

static int remember_list(struct learner *l, const char *addr)
{
	char *c, **nv;
	int rc = kith_smap_intern(&l->seen, addr, 0, NULL);

	if (rc <= 0)
		return rc;
	if (!(nv = kith_grow(l->lists, &l->cap_lists, l->n_lists, sizeof(*nv), 16)))
		return -ENOMEM;
	l->lists = nv;
	if (!(c = strdup(addr)))
		return -ENOMEM;
	l->lists[l->n_lists++] = c;
	return 0;
}

/* \Sent senders are the user (assistants writing for the user too);
 * list addresses named by List-Id are not people
 * ("linux-man.vger.kernel.org" -> linux-man@vger.kernel.org).  Why the
 * list addresses wait for the end of the pass: every identity is learnt
 * before any list is marked, whatever the order of the messages. */
static int learn_one(const struct kith_msg *m, void *ctx)
{
	struct learner *l = ctx;
	char buf[320];
	int rc = 0;

	if (l->n++ >= l->limit)
		return -ESTALE;
	if (l->fu && (rc = kith_fu_prep_sender(l->fu, m)) < 0)
		return rc;
	if (!before_now(l->k, m))
		return 0;
	if ((m->flags & KITH_MSG_IN_SENT) && m->from.addr)
		rc = kith_people_add_identity(&l->k->people, m->from.addr);
	if (rc == 0 && kith_list_id_addr(m->list_id, buf, sizeof(buf)))
		rc = remember_list(l, buf);
	return rc;
}

/* The user's addresses as learnt, copied into the output. */
static int keep_user_addrs(const struct kith_work *k, struct kith_analysis *a)
{
	const struct kith_pent *u = &k->people.v[KITH_PID_USER];
	size_t i;

	if (!(a->user_addrs = calloc(u->n_addrs ? u->n_addrs : 1, sizeof(*a->user_addrs))))
		return -ENOMEM;
	for (i = 0; i < u->n_addrs; i++, a->n_user_addrs++)
		if (!(a->user_addrs[i] = strdup(u->addrs[i])))
			return -ENOMEM;
	return 0;
}

/* The list addresses go to the output (a owns them from here). */
static int learn_addresses(struct kith_work *k, const struct kith_msg_source *src,
			   struct kith_analysis *a)
{
	struct learner l = { .k = k, .fu = a->fu, .limit = src->n };
	size_t i;
	int rc;

	kith_smap_init(&l.seen);
	rc = src->each(src->ctx, KITH_PASS_SENDERS, learn_one, &l);
	if (rc == 0 && l.n != src->n)
		rc = -ESTALE;
	if (rc == 0 && a->fu)
		rc = kith_fu_prep_users(a->fu);
	for (i = 0; i < l.n_lists && rc == 0; i++)
		rc = kith_people_mark_list(&k->people, l.lists[i]);
	a->list_addrs = l.lists;
	a->n_list_addrs = l.n_lists;
	kith_smap_free(&l.seen);
	return rc < 0 ? rc : keep_user_addrs(k, a);
}

/* The per-message and per-row records are the analysis' largest arrays;
 * keep them from growing back unnoticed. */
_Static_assert(sizeof(struct kith_wmsg) <= 56, "kith_wmsg grew");
_Static_assert(sizeof(struct kith_wrow) <= 32, "kith_wrow grew");
_Static_assert(sizeof(struct kith_turn) <= 32, "kith_turn grew");

static int push_rcpt(struct kith_work *k, size_t pid)
{
	uint32_t *nv;

	if (pid >= UINT32_MAX || k->n_rcpt >= UINT32_MAX)
		return -EOVERFLOW; /* 32-bit ids and offsets (awork.h) */
	if (!(nv = kith_grow(k->rcpt, &k->cap_rcpt, k->n_rcpt, sizeof(*nv), 256)))
		return -ENOMEM;
	k->rcpt = nv;
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
	if (rc == 0 && addr) /* 1: a written form to count at each sight */
		rc = kith_umap_intern(&k->addr_pid, (uint64_t)(uintptr_t)addr, *pid, NULL);
	return rc < 0 ? rc : 0;
}

/* Resolves sender and recipients of m into w (person ids, user flags). */
static int resolve(struct kith_work *k, const struct kith_msg *m, struct kith_wmsg *w)
{
	size_t j, pid, from;
	int rc = resolve_addr(k, m->from.addr, m->from.name, &from);

	if (rc < 0)
		return rc;
	if (from != KITH_PID_NONE && from >= KITH_W_NONE)
		return -EOVERFLOW; /* 32-bit person ids (awork.h) */
	w->from_id = from == KITH_PID_NONE ? KITH_W_NONE : (uint32_t)from;
	w->from_user = (m->flags & KITH_MSG_IN_SENT) || from == KITH_PID_USER;
	w->rc_off = (uint32_t)k->n_rcpt; /* push_rcpt keeps it below UINT32_MAX */
	w->to1 = KITH_TO1_NONE;
	for (j = 0; j < m->n_to + m->n_cc; j++) {
		if ((rc = resolve_addr(k, m->rcpt[j].addr, m->rcpt[j].name, &pid)) < 0)
			return rc;
		/* the single To is a person only when not the user nor the sender */
		if (j == 0 && m->n_to == 1 && pid != KITH_PID_USER && pid != from)
			w->to1 = (uint32_t)pid; /* below UINT32_MAX: push_rcpt's limit */
		if (pid == KITH_PID_USER)
			w->user_in_to |= j < m->n_to;
		if (pid == KITH_PID_USER)
			w->user_in_rcpt = 1;
		else if (pid != KITH_PID_NONE && pid != from && w->rc_n < UINT16_MAX &&
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

uint64_t kith_msgs_digest_step(uint64_t d, int64_t id)
{
	return (d ^ (uint64_t)id) * 1099511628211ULL;
}

uint64_t kith_msgs_digest(const struct kith_msg *v, size_t n)
{
	uint64_t d = KITH_MSGS_DIGEST_START;
	size_t i;

	for (i = 0; i < n; i++)
		d = kith_msgs_digest_step(d, v[i].id);
	return kith_msgs_digest_step(d, (int64_t)n);
}

/* The second pass, into k->w and a->msg_class. */
struct collector {
	struct kith_work *k;
	struct kith_analysis *a;
	size_t i;                /* messages seen */
};

/* What only kept messages need: the normalised subject (interned: a
 * thread's messages share one) and the threading keys. */
static int keep(struct kith_work *k, const struct kith_msg *m, struct kith_wmsg *w)
{
	unsigned fl;
	char *s = kith_subject_normalize(m->subject, &fl);

	if (!s)
		return -ENOMEM;
	w->nsubj = kith_strpool_intern(k->subjects, s, strlen(s));
	free(s);
	if (!w->nsubj)
		return -ENOMEM;
	w->sflags = (uint8_t)fl;
	return kith_thread_note(k, m, w->seq);
}

/* Classifies one message; keeps it in k->w when dated before now. */
static int collect_one(const struct kith_msg *m, void *ctx)
{
	struct collector *c = ctx;
	struct kith_work *k = c->k;
	struct kith_wmsg *w = &k->w[k->n];
	struct kith_class_in in;
	enum kith_class cls;
	int rc;

	if (c->i >= c->a->n_msgs)
		return -ESTALE;
	memset(w, 0, sizeof(*w));
	w->id = m->id;
	w->date = m->date;
	w->n_rcpt_total = m->n_rcpt_total;
	w->has_irt = m->in_reply_to != NULL;
	w->has_refs = m->n_refs > 0;
	w->seq = (uint32_t)k->n; /* below UINT32_MAX: kith_analyze_source checks n */
	if ((rc = resolve(k, m, w)) < 0)
		return rc;
	in.from_user = w->from_user;
	in.user_in_rcpt = w->user_in_rcpt;
	cls = kith_classify(m, &in, NULL);
	c->a->msg_class[c->i++] = (uint8_t)cls;
	c->a->input_digest = kith_msgs_digest_step(c->a->input_digest, m->id);
	w->cls = cls;
	count_class(c->a, cls);
	if (c->a->fu && (rc = kith_fu_prep_note(c->a->fu, m, (uint8_t)cls)) < 0)
		return rc;
	if (w->date == KITH_DATE_NONE || w->date < KITH_DATE_PLAUSIBLE || w->date >= k->now) {
		k->n_rcpt = w->rc_off; /* drop its recipients again */
		return 0;
	}
	k->n++;
	if (c->a->newest == KITH_DATE_NONE || w->date > c->a->newest)
		c->a->newest = w->date;
	return keep(k, m, w);
}

/* Classifies every message; keeps those dated before now in k->w. */
static int collect(struct kith_work *k, const struct kith_msg_source *src,
		   struct kith_analysis *a)
{
	struct collector c = { .k = k, .a = a };
	size_t n = src->n;
	int rc;

	a->input_digest = KITH_MSGS_DIGEST_START;
	a->newest = KITH_DATE_NONE;
	k->w = calloc(n ? n : 1, sizeof(*k->w));
	k->tkey_off = calloc(n + 1, sizeof(*k->tkey_off));
	if (!k->w || !k->tkey_off || !(k->subjects = kith_strpool_new()))
		return -ENOMEM;
	rc = src->each(src->ctx, KITH_PASS_ALL, collect_one, &c);
	if (rc == 0 && c.i != n)
		rc = -ESTALE;
	if (a->fu)
		kith_fu_prep_seal(a->fu);
	a->input_digest = kith_msgs_digest_step(a->input_digest, (int64_t)n);
	return rc;
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

/* Why: once threaded, only the user's messages' recipients are read (the
 * rows and direct mail of the user's mail, and the "moved" suggestion,
 * turns.c), and the other mail held most of them (6.5 of the 7.2 million
 * at the bench's million Enron headers), beside the rows at the
 * analysis' memory peak.  Every other message's rc_n and rc_off become 0. */
static int keep_user_rcpt(struct kith_work *k)
{
	size_t i, n = 0;
	uint32_t *v;

	for (i = 0; i < k->n; i++)
		n += k->w[i].from_user ? k->w[i].rc_n : 0;
	if (!(v = malloc((n ? n : 1) * sizeof(*v))))
		return -ENOMEM;
	for (i = n = 0; i < k->n; i++) {
		struct kith_wmsg *w = &k->w[i];

		if (!w->from_user) {
			w->rc_n = 0;
			w->rc_off = 0;
			continue;
		}
		if (w->rc_n) /* k->rcpt is NULL when no message had any */
			memcpy(v + n, k->rcpt + w->rc_off, w->rc_n * sizeof(*v));
		w->rc_off = (uint32_t)n;
		n += w->rc_n;
	}
	free(k->rcpt);
	k->rcpt = v;
	k->n_rcpt = k->cap_rcpt = n;
	return 0;
}

static int cmp_wmsg(const void *x, const void *y)
{
	const struct kith_wmsg *a = x, *b = y;

	if (a->date != b->date)
		return a->date < b->date ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq); /* input order */
}

static void work_free(struct kith_work *k)
{
	free(k->w);
	free(k->rcpt);
	kith_umap_free(&k->addr_pid);
	kith_strpool_free(k->subjects);
	kith_people_free(&k->people);
	kith_thread_keys_free(k);
}

/* After collecting: the caller's messages are no longer read. */
static int analyse_work(struct kith_work *k, struct kith_turns *t, struct kith_analysis *a)
{
	int rc;

	shrink_rcpt(k);
	kith_umap_free(&k->addr_pid); /* its keys were the source's pointers */
	kith_strpool_seal(k->subjects); /* interned: only read from now on */
	/* the Message-IDs have their nodes: the map goes before the sort's
	 * buffer (2 pointers a message) joins the records */
	kith_umap_free(&k->tid);
	qsort(k->w, k->n, sizeof(*k->w), cmp_wmsg);
	kith_people_apply_pins(&k->people);
	if ((rc = kith_thread_build(k)) < 0 || (rc = keep_user_rcpt(k)) < 0 ||
	    (rc = kith_turns_build(k, t)) < 0)
		return rc;
	/* the output reads no recipient: their ids go before its peak */
	free(k->rcpt);
	k->rcpt = NULL;
	k->n_rcpt = k->cap_rcpt = 0;
	return kith_analyze_output(k, t, a);
}

int kith_analyze_source(const struct kith_msg_source *src,
			const struct kith_policy *policy, int64_t now,
			struct kith_analysis **out)
{
	struct kith_work k;
	struct kith_turns t;
	struct kith_analysis *a;
	int rc = -ENOMEM;

	if (!out || !policy || !src || !src->each)
		return -EINVAL;
	*out = NULL;
	if (src->n >= UINT32_MAX)
		return -EOVERFLOW; /* 32-bit indices (awork.h) */
	memset(&k, 0, sizeof(k));
	memset(&t, 0, sizeof(t));
	if (!(a = calloc(1, sizeof(*a))) ||
	    !(a->msg_class = calloc(src->n ? src->n : 1, sizeof(*a->msg_class))))
		goto out;
	a->n_msgs = src->n;
	if (policy->recent_days > 0 &&
	    !(a->fu = kith_fu_prep_new(policy->identities, policy->n_identities, now,
				       policy->recent_days)))
		goto out;
	k.pol = policy;
	k.now = now;
	k.half_life_days = policy->half_life_days > 0 ? policy->half_life_days : 90;
	if ((rc = kith_people_init(&k.people, policy)) < 0 || (rc = learn_addresses(&k, src, a)) < 0 ||
	    (rc = collect(&k, src, a)) < 0 || (rc = analyse_work(&k, &t, a)) < 0)
		goto out;
	*out = a;
	a = NULL;
out:
	kith_turns_free(&t);
	work_free(&k);
	kith_analysis_free(a);
	return rc < 0 ? rc : 0;
}

static int array_each(void *ctx, enum kith_pass pass, kith_msg_fn fn, void *fn_ctx)
{
	const struct kith_msg_array *s = ctx;
	size_t i;
	int rc = 0;

	(void)pass;
	for (i = 0; i < s->n && rc == 0; i++)
		rc = fn(&s->v[i], fn_ctx);
	return rc;
}

static int by_msg_id(const void *key, const void *elem)
{
	int64_t id = *(const int64_t *)key, e = ((const struct kith_msg *)elem)->id;

	return (id > e) - (id < e);
}

/* The records with these ids, found by binary search: the ids rise in v
 * whenever the follow-up rules take this way (fu_prep.h, ids_rise). */
static int array_each_id(void *ctx, const int64_t *ids, size_t n, kith_msg_fn fn, void *fn_ctx)
{
	const struct kith_msg_array *s = ctx;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct kith_msg *m = s->n ? bsearch(&ids[i], s->v, s->n, sizeof(*s->v),
							  by_msg_id) : NULL;

		rc = m ? fn(m, fn_ctx) : -ESTALE;
	}
	return rc;
}

void kith_msg_array_source(const struct kith_msg_array *as, struct kith_msg_source *src)
{
	*src = (struct kith_msg_source){ .n = as->n, .each = array_each, .ctx = (void *)as,
					 .each_id = array_each_id };
}

int kith_analyze(const struct kith_msg *msgs, size_t n,
		 const struct kith_policy *policy, int64_t now,
		 struct kith_analysis **out)
{
	struct kith_msg_array as = { msgs, n };
	struct kith_msg_source src;

	if (n && !msgs)
		return -EINVAL;
	kith_msg_array_source(&as, &src);
	return kith_analyze_source(&src, policy, now, out);
}
