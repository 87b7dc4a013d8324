/* thread.c: see thread.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "subject.h"
#include "thread.h"

/* Union-find over nodes: one per Message-ID named anywhere, plus one per
 * message without an id.  32-bit nodes: three arrays of them live at the
 * analysis' memory peak. */
struct uf {
	uint32_t *up;
	uint32_t *first;      /* node -> earliest message carrying its id, or NO_MSG */
	size_t n, cap;
	struct kith_smap ids; /* Message-ID -> node */
};

#define NO_MSG UINT32_MAX

static int uf_new(struct uf *u, size_t *node)
{
	if (u->n == u->cap) {
		size_t nc = u->cap ? u->cap * 2 : 256;
		uint32_t *nu, *nf;

		if (nc > UINT32_MAX)
			return -EOVERFLOW;
		if (!(nu = realloc(u->up, nc * sizeof(*nu))))
			return -ENOMEM;
		u->up = nu;
		if (!(nf = realloc(u->first, nc * sizeof(*nf))))
			return -ENOMEM;
		u->first = nf;
		u->cap = nc;
	}
	u->up[u->n] = (uint32_t)u->n;
	u->first[u->n] = NO_MSG;
	*node = u->n++;
	return 0;
}

static size_t uf_find(struct uf *u, size_t x)
{
	while (u->up[x] != x) {
		u->up[x] = u->up[u->up[x]]; /* path halving */
		x = u->up[x];
	}
	return x;
}

static void uf_union(struct uf *u, size_t a, size_t b)
{
	a = uf_find(u, a);
	b = uf_find(u, b);
	if (a != b)
		u->up[a < b ? b : a] = (uint32_t)(a < b ? a : b);
}

/* The node of a Message-ID, created on first sight. */
static int uf_id(struct uf *u, const char *id, size_t *node)
{
	size_t fresh;
	int rc;

	if (kith_smap_get(&u->ids, id, node))
		return 0;
	if ((rc = uf_new(u, &fresh)) < 0)
		return rc;
	if ((rc = kith_smap_put(&u->ids, id, fresh)) < 0)
		return rc;
	*node = fresh;
	return 0;
}

/* The earliest message carrying node's id, if any is here. */
static int uf_first(const struct uf *u, size_t node, size_t *at)
{
	if (u->first[node] == NO_MSG)
		return 0;
	*at = u->first[node];
	return 1;
}

/* Links message i's node with every id it names; sets its header parent. */
static int link_headers(struct kith_work *k, struct uf *u, const uint32_t *mnode, size_t i)
{
	const struct kith_msg *m = k->w[i].m;
	size_t node, j, at;
	int rc;

	if (m->in_reply_to) {
		if ((rc = uf_id(u, m->in_reply_to, &node)) < 0)
			return rc;
		uf_union(u, mnode[i], node);
		if (uf_first(u, node, &at) && at != i)
			k->w[i].parent = at;
	}
	for (j = m->n_refs; j-- > 0;) {
		if (!m->refs[j])
			continue;
		if ((rc = uf_id(u, m->refs[j], &node)) < 0)
			return rc;
		uf_union(u, mnode[i], node);
		if (k->w[i].parent == KITH_NONE && uf_first(u, node, &at) && at != i)
			k->w[i].parent = at;
	}
	return 0;
}

/* Did the sender of message a receive message b?  The user received
 * every message in the mailbox that someone else sent. */
static int sender_in_rcpt(const struct kith_work *k, size_t a, size_t b)
{
	if (k->w[a].from_user)
		return !k->w[b].from_user || k->w[b].user_in_rcpt;
	return k->w[a].from != KITH_PID_NONE && kith_work_rcpt_has(k, b, k->w[a].from);
}

static int same_side(const struct kith_work *k, size_t a, size_t b)
{
	if (k->w[a].from_user || k->w[b].from_user)
		return k->w[a].from_user == k->w[b].from_user;
	return k->w[a].from == k->w[b].from;
}

/* Was c sent to one person only, whom i's sender resembles (an answer
 * from a new address)? */
static int moved(const struct kith_work *k, size_t c, size_t i)
{
	const struct kith_wmsg *wc = &k->w[c], *wi = &k->w[i];

	return wc->from_user && !wi->from_user && wc->rc_n == 1 && wi->from != KITH_PID_NONE &&
	       k->rcpt[wc->rc_off] != wi->from &&
	       kith_people_alike(&k->people, k->rcpt[wc->rc_off], wi->from);
}

/* Fallback parent of reply i among earlier same-subject messages (chain
 * prev[]): one can only answer what one received, so the candidate must
 * have reached i's sender; the newest such from the other side that i is
 * addressed back to, else the newest such. */
static size_t subject_parent(const struct kith_work *k, const size_t *prev, size_t i)
{
	int64_t limit = k->w[i].date - (int64_t)KITH_THREAD_WINDOW_DAYS * 86400;
	size_t c, weak = KITH_NONE;
	int seen = 0;

	for (c = prev[i]; c != KITH_NONE && seen < KITH_THREAD_SCAN; c = prev[c], seen++) {
		if (k->w[c].date < limit)
			break;
		if (same_side(k, c, i) || !(sender_in_rcpt(k, i, c) || moved(k, c, i)))
			continue;
		if (sender_in_rcpt(k, c, i))
			return c;
		if (weak == KITH_NONE)
			weak = c;
	}
	return weak;
}

/* Chains every message to the previous one with the same normalised
 * subject (prev[]), and gives header-less replies a parent from it. */
static int link_subjects(struct kith_work *k, struct uf *u, const uint32_t *mnode, size_t *prev)
{
	struct kith_smap last;
	size_t i, at;
	int rc = 0;

	kith_smap_init_borrowed(&last); /* nsubj lives until work_free */
	for (i = 0; i < k->n && rc >= 0; i++) {
		const struct kith_msg *m = k->w[i].m;
		prev[i] = kith_smap_get(&last, k->w[i].nsubj, &at) ? at : KITH_NONE;
		rc = kith_smap_put(&last, k->w[i].nsubj, i);
		if (m->in_reply_to || m->n_refs || !(k->w[i].sflags & KITH_SUBJ_REPLY))
			continue;
		at = subject_parent(k, prev, i);
		if (at != KITH_NONE) {
			k->w[i].parent = at;
			uf_union(u, mnode[i], mnode[at]);
		}
	}
	kith_smap_free(&last);
	return rc < 0 ? rc : 0;
}

/* Each message's node: its Message-ID's, or a fresh one; the node
 * remembers the earliest message carrying the id. */
static int message_nodes(struct kith_work *k, struct uf *u, uint32_t *mnode)
{
	size_t i, node;
	int rc = 0;

	for (i = 0; i < k->n && rc >= 0; i++) {
		const char *id = k->w[i].m->message_id;
		k->w[i].parent = KITH_NONE;
		rc = id && *id ? uf_id(u, id, &node) : uf_new(u, &node);
		if (rc < 0)
			break;
		mnode[i] = (uint32_t)node;
		if (u->first[node] == NO_MSG)
			u->first[node] = (uint32_t)i;
	}
	return rc < 0 ? rc : 0;
}

/* Threads are numbered in order of their first message.  u->first is
 * reused as root node -> thread number (the ids are no longer needed). */
static void number_threads(struct kith_work *k, struct uf *u, const uint32_t *mnode)
{
	uint32_t *thread_of = u->first;
	size_t i, root;

	for (i = 0; i < u->n; i++)
		thread_of[i] = NO_MSG;
	k->n_threads = 0;
	for (i = 0; i < k->n; i++) {
		root = uf_find(u, mnode[i]);
		if (thread_of[root] == NO_MSG)
			thread_of[root] = (uint32_t)k->n_threads++;
		k->w[i].thread = thread_of[root];
	}
}

int kith_thread_build(struct kith_work *k)
{
	struct uf u;
	uint32_t *mnode = NULL;
	size_t *prev = NULL, i;
	int rc = -ENOMEM;

	memset(&u, 0, sizeof(u));
	kith_smap_init_borrowed(&u.ids); /* ids live in the caller's records */
	if (k->n >= NO_MSG) {
		rc = -EOVERFLOW;
		goto out;
	}
	mnode = malloc((k->n ? k->n : 1) * sizeof(*mnode));
	prev = malloc((k->n ? k->n : 1) * sizeof(*prev));
	if (!mnode || !prev)
		goto out;
	if ((rc = message_nodes(k, &u, mnode)) < 0)
		goto out;
	for (i = 0; i < k->n; i++)
		if ((rc = link_headers(k, &u, mnode, i)) < 0)
			goto out;
	kith_smap_free(&u.ids);
	if ((rc = link_subjects(k, &u, mnode, prev)) < 0)
		goto out;
	number_threads(k, &u, mnode);
out:
	free(mnode);
	free(prev);
	free(u.up);
	free(u.first);
	kith_smap_free(&u.ids);
	return rc;
}
