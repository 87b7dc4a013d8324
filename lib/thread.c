/* thread.c: see thread.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "subject.h"
#include "thread.h"
#include "grow.h"

/* Union-find over nodes: one per Message-ID named anywhere, plus one per
 * message without an id (k->n_nodes, made by kith_thread_note).  32-bit
 * nodes: arrays of them live at the analysis' memory peak. */
struct uf {
	uint32_t *up;
	uint32_t *first;      /* node -> earliest message carrying its id, or NO_MSG */
	size_t n;
};

#define NO_MSG UINT32_MAX

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

static int push_key(struct kith_work *k, size_t node)
{
	uint32_t *nv;

	if (k->n_tkey >= UINT32_MAX)
		return -EOVERFLOW; /* tkey_off is 32 bits */
	if (!(nv = kith_grow(k->tkey, &k->cap_tkey, k->n_tkey, sizeof(*nv), 1024)))
		return -ENOMEM;
	k->tkey = nv;
	k->tkey[k->n_tkey++] = (uint32_t)node;
	return 0;
}

/* The node of a Message-ID (made on first sight), appended to k->tkey.
 * Why a 64-bit hash of the id and not the id: the ids were most of the
 * loaded messages' strings, and threading only asks "same id?".  Two
 * distinct ids with one hash would join their threads: about one chance
 * in 10^8 among a million ids, and a sender who could aim at another
 * message's id could as well name that id itself. */
static int key_id(struct kith_work *k, const char *id)
{
	size_t node;
	int rc = kith_umap_intern(&k->tid, kith_hash_str(id), k->n_nodes, &node);

	if (rc < 0)
		return rc;
	k->n_nodes += rc == 1;
	return push_key(k, node);
}

int kith_thread_note(struct kith_work *k, const struct kith_msg *m, size_t seq)
{
	size_t j;
	int rc;

	k->tkey_off[seq] = (uint32_t)k->n_tkey;
	if (m->message_id && *m->message_id)
		rc = key_id(k, m->message_id);
	else if (k->n_nodes >= KITH_MAP_VAL_MAX)
		rc = -EOVERFLOW;
	else
		rc = push_key(k, k->n_nodes++); /* a node of its own */
	if (rc == 0 && m->in_reply_to)
		rc = key_id(k, m->in_reply_to);
	for (j = 0; j < m->n_refs && rc == 0; j++)
		if (m->refs[j])
			rc = key_id(k, m->refs[j]);
	k->tkey_off[seq + 1] = (uint32_t)k->n_tkey;
	return rc;
}

void kith_thread_keys_free(struct kith_work *k)
{
	kith_umap_free(&k->tid);
	free(k->tkey);
	free(k->tkey_off);
	k->tkey = k->tkey_off = NULL;
	k->n_tkey = k->cap_tkey = 0;
}

/* The earliest message carrying node's id, if any is here. */
static int uf_first(const struct uf *u, size_t node, size_t *at)
{
	if (u->first[node] == NO_MSG)
		return 0;
	*at = u->first[node];
	return 1;
}

/* Links message i's node with every id it names; sets its header parent:
 * the In-Reply-To's message, else the newest Reference's that is here. */
static void link_headers(struct kith_work *k, struct uf *u, const uint32_t *mnode, size_t i)
{
	const uint32_t *key = k->tkey + k->tkey_off[k->w[i].seq] + 1;
	const uint32_t *end = k->tkey + k->tkey_off[k->w[i].seq + 1];
	size_t at;

	if (k->w[i].has_irt) {
		uf_union(u, mnode[i], *key);
		if (uf_first(u, *key, &at) && at != i)
			kith_wmsg_set_parent(&k->w[i], at);
		key++;
	}
	while (end-- > key) {
		uf_union(u, mnode[i], *end);
		if (kith_wmsg_parent(&k->w[i]) == KITH_NONE && uf_first(u, *end, &at) && at != i)
			kith_wmsg_set_parent(&k->w[i], at);
	}
}

/* Did the sender of message a receive message b?  The user received
 * every message in the mailbox that someone else sent. */
static int sender_in_rcpt(const struct kith_work *k, size_t a, size_t b)
{
	size_t from = kith_wmsg_from(&k->w[a]);

	if (k->w[a].from_user)
		return !k->w[b].from_user || k->w[b].user_in_rcpt;
	return from != KITH_PID_NONE && kith_work_rcpt_has(k, b, from);
}

static int same_side(const struct kith_work *k, size_t a, size_t b)
{
	if (k->w[a].from_user || k->w[b].from_user)
		return k->w[a].from_user == k->w[b].from_user;
	return kith_wmsg_from(&k->w[a]) == kith_wmsg_from(&k->w[b]);
}

/* Was c sent to one person only, whom i's sender resembles (an answer
 * from a new address)? */
static int moved(const struct kith_work *k, size_t c, size_t i)
{
	const struct kith_wmsg *wc = &k->w[c], *wi = &k->w[i];
	size_t from = kith_wmsg_from(wi);

	return wc->from_user && !wi->from_user && wc->rc_n == 1 && from != KITH_PID_NONE &&
	       k->rcpt[wc->rc_off] != from && kith_people_alike(&k->people, k->rcpt[wc->rc_off], from);
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
		prev[i] = kith_smap_get(&last, k->w[i].nsubj, &at) ? at : KITH_NONE;
		rc = kith_smap_put(&last, k->w[i].nsubj, i);
		if (k->w[i].has_irt || k->w[i].has_refs || !(k->w[i].sflags & KITH_SUBJ_REPLY))
			continue;
		at = subject_parent(k, prev, i);
		if (at != KITH_NONE) {
			kith_wmsg_set_parent(&k->w[i], at);
			uf_union(u, mnode[i], mnode[at]);
		}
	}
	kith_smap_free(&last);
	return rc < 0 ? rc : 0;
}

/* Each message's node (its Message-ID's, or one of its own); the node
 * remembers the earliest message carrying the id. */
static void message_nodes(struct kith_work *k, struct uf *u, uint32_t *mnode)
{
	size_t i;

	for (i = 0; i < u->n; i++) {
		u->up[i] = (uint32_t)i;
		u->first[i] = NO_MSG;
	}
	for (i = 0; i < k->n; i++) {
		uint32_t node = k->tkey[k->tkey_off[k->w[i].seq]];
		kith_wmsg_set_parent(&k->w[i], KITH_NONE);
		mnode[i] = node;
		if (u->first[node] == NO_MSG)
			u->first[node] = (uint32_t)i;
	}
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
	struct uf u = { .n = k->n_nodes };
	uint32_t *mnode = NULL;
	size_t *prev = NULL, i;
	int rc = -ENOMEM;

	if (k->n >= NO_MSG || k->n_nodes >= NO_MSG) {
		rc = -EOVERFLOW;
		goto out;
	}
	kith_umap_free(&k->tid); /* the nodes are made (analyze.c freed it already) */
	mnode = malloc((k->n ? k->n : 1) * sizeof(*mnode));
	u.up = malloc((u.n ? u.n : 1) * sizeof(*u.up));
	u.first = malloc((u.n ? u.n : 1) * sizeof(*u.first));
	if (!mnode || !u.up || !u.first)
		goto out;
	message_nodes(k, &u, mnode);
	for (i = 0; i < k->n; i++)
		link_headers(k, &u, mnode, i);
	kith_thread_keys_free(k);
	if (!(prev = malloc((k->n ? k->n : 1) * sizeof(*prev))))
		goto out;
	if ((rc = link_subjects(k, &u, mnode, prev)) < 0)
		goto out;
	number_threads(k, &u, mnode);
out:
	kith_thread_keys_free(k);
	free(mnode);
	free(prev);
	free(u.up);
	free(u.first);
	return rc;
}
