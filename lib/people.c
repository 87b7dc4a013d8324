/* people.c: addresses to persons; see people.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "classify.h"
#include "people.h"
#include "grow.h"

static int add_addr(struct kith_pent *p, const char *a)
{
	char *c, **nv = kith_grow(p->addrs, &p->cap_addrs, p->n_addrs, sizeof(*nv), 2);

	if (!nv)
		return -ENOMEM;
	p->addrs = nv;
	c = strdup(a);
	if (!c)
		return -ENOMEM;
	p->addrs[p->n_addrs++] = c;
	if (!p->key)
		p->key = c; /* key aliases addrs[0]; freed with addrs */
	return 0;
}

/* A new empty person; *pid gets its id. */
static int new_person(struct kith_people *pp, enum kith_pkind kind, size_t *pid)
{
	struct kith_pent *nv = kith_grow(pp->v, &pp->cap, pp->n, sizeof(*nv), 64);

	if (!nv)
		return -ENOMEM;
	pp->v = nv;
	memset(&pp->v[pp->n], 0, sizeof(pp->v[0]));
	pp->v[pp->n].kind = kind;
	*pid = pp->n++;
	return 0;
}

/* Binds normalised address a to person pid (first binding wins). */
static int bind(struct kith_people *pp, const char *a, size_t pid)
{
	int rc = kith_smap_intern(&pp->addr, a, pid, NULL);

	if (rc <= 0)
		return rc;
	return add_addr(&pp->v[pid], a);
}

static char *norm(const struct kith_people *pp, const char *a)
{
	return kith_addr_normalize(a, pp->pol->strip_plus_tags);
}

static int init_identities(struct kith_people *pp)
{
	size_t i, pid;
	int rc = new_person(pp, KITH_PK_USER, &pid);

	for (i = 0; rc == 0 && i < pp->pol->n_identities; i++) {
		char *a = norm(pp, pp->pol->identities[i]);
		if (!a)
			continue; /* an invalid identity is skipped, not fatal */
		rc = bind(pp, a, KITH_PID_USER);
		free(a);
	}
	return rc;
}

/* One policy merge: its addresses, minus split ones, become one person. */
static int init_merge(struct kith_people *pp, const struct kith_merge *mg)
{
	size_t i, pid = KITH_PID_NONE;
	int rc = 0;

	for (i = 0; rc == 0 && i < mg->n_addrs; i++) {
		char *a = norm(pp, mg->addrs[i]);
		if (!a)
			continue;
		if (!kith_smap_get(&pp->splits, a, NULL) && !kith_smap_get(&pp->addr, a, NULL)) {
			if (pid == KITH_PID_NONE && (rc = new_person(pp, KITH_PK_PERSON, &pid)) == 0) {
				pp->v[pid].from_merge = 1;
				if (mg->name && !(pp->v[pid].name = strdup(mg->name)))
					rc = -ENOMEM;
			}
			if (rc == 0)
				rc = bind(pp, a, pid);
		}
		free(a);
	}
	return rc;
}

int kith_people_init(struct kith_people *pp, const struct kith_policy *pol)
{
	size_t i;
	int rc;

	memset(pp, 0, sizeof(*pp));
	if (!pol)
		return -EINVAL;
	pp->pol = pol;
	kith_smap_init(&pp->addr);
	kith_smap_init(&pp->splits);
	kith_smap_init(&pp->form_ix);
	kith_smap_init(&pp->shown);
	for (i = 0; i < pol->n_splits; i++) {
		char *a = norm(pp, pol->splits[i]);
		if (!a)
			continue;
		rc = kith_smap_put(&pp->splits, a, 0);
		free(a);
		if (rc < 0)
			return rc;
	}
	if ((rc = init_identities(pp)) < 0)
		return rc;
	for (i = 0; i < pol->n_merges; i++)
		if ((rc = init_merge(pp, &pol->merges[i])) < 0)
			return rc;
	return 0;
}

void kith_people_free(struct kith_people *pp)
{
	size_t i, j;

	for (i = 0; i < pp->n; i++) {
		for (j = 0; j < pp->v[i].n_addrs; j++)
			free(pp->v[i].addrs[j]);
		free(pp->v[i].addrs);
		free(pp->v[i].name);
	}
	free(pp->v);
	for (i = 0; i < pp->n_forms; i++)
		free(pp->forms[i].raw);
	free(pp->forms);
	kith_smap_free(&pp->form_ix);
	kith_smap_free(&pp->shown);
	kith_smap_free(&pp->addr);
	kith_smap_free(&pp->splits);
	memset(pp, 0, sizeof(*pp));
}

int kith_people_add_identity(struct kith_people *pp, const char *addr)
{
	char *a = addr ? norm(pp, addr) : NULL;
	int rc;

	if (!a)
		return 0;
	rc = bind(pp, a, KITH_PID_USER);
	free(a);
	return rc;
}

static int ignored(const struct kith_people *pp, const char *a)
{
	size_t i;

	for (i = 0; i < pp->pol->n_ignores; i++)
		if (pp->pol->ignores[i] && kith_addr_matches(a, pp->pol->ignores[i]))
			return 1;
	return 0;
}

/* A display name worth keeping: not empty, not just the address again. */
static int good_name(const char *name, const char *addr)
{
	return name && *name && !strchr(name, '@') && strcmp(name, addr) != 0;
}

/* One more sight of raw, written form of normalised a; a's shown form
 * becomes raw when raw is now seen more often.  Returns 0 or -ENOMEM. */
static int count_form(struct kith_people *pp, const char *raw, const char *a)
{
	size_t ix, best;
	int rc = kith_smap_intern(&pp->form_ix, raw, pp->n_forms, &ix);
	struct kith_form *nv;

	if (rc < 0)
		return rc;
	if (rc == 1) {
		if (!(nv = kith_grow(pp->forms, &pp->cap_forms, pp->n_forms, sizeof(*nv), 16)))
			return -ENOMEM;
		pp->forms = nv;
		if (!(nv[pp->n_forms].raw = strdup(raw)))
			return -ENOMEM;
		nv[pp->n_forms++].count = 0;
	}
	pp->forms[ix].count++;
	if (kith_smap_get(&pp->shown, a, &best) && pp->forms[best].count >= pp->forms[ix].count)
		return 0;
	return kith_smap_put(&pp->shown, a, ix);
}

const char *kith_people_shown(const struct kith_people *pp, const char *a)
{
	size_t ix;

	return kith_smap_get(&pp->shown, a, &ix) ? pp->forms[ix].raw : a;
}

int kith_people_resolve(struct kith_people *pp, const char *addr,
			const char *name, size_t *pid)
{
	char *a;
	int rc = 0;
	size_t ix;
	enum kith_pkind kind = KITH_PK_PERSON;

	*pid = KITH_PID_NONE;
	if (!addr || !(a = norm(pp, addr)))
		return 0;
	if (!kith_smap_get(&pp->addr, a, pid)) {
		if (ignored(pp, a))
			kind = KITH_PK_IGNORED;
		else if (kith_addr_is_system(a))
			kind = KITH_PK_SYSTEM;
		else if (kith_addr_is_list(a))
			kind = KITH_PK_LIST;
		if ((rc = new_person(pp, kind, pid)) == 0)
			rc = bind(pp, a, *pid);
	}
	if (rc == 0 && *pid != KITH_PID_USER && !pp->v[*pid].name && good_name(name, a))
		if (!(pp->v[*pid].name = strdup(name)))
			rc = -ENOMEM;
	if (rc == 0 && *pid != KITH_PID_USER &&
	    (strcmp(addr, a) != 0 || kith_smap_get(&pp->shown, a, &ix)))
		rc = count_form(pp, addr, a) < 0 ? -ENOMEM : 1;
	free(a);
	return rc;
}

int kith_people_mark_list(struct kith_people *pp, const char *addr)
{
	size_t pid;
	int rc = kith_people_resolve(pp, addr, NULL, &pid);

	if (rc == 0 && pid != KITH_PID_NONE && pid != KITH_PID_USER &&
	    pp->v[pid].kind == KITH_PK_PERSON && !pp->v[pid].from_merge)
		pp->v[pid].kind = KITH_PK_LIST;
	return rc;
}

void kith_people_apply_pins(struct kith_people *pp)
{
	size_t i, pid;

	for (i = 0; i < pp->pol->n_pins; i++) {
		char *a = pp->pol->pins[i].addr ? norm(pp, pp->pol->pins[i].addr) : NULL;
		if (a && kith_smap_get(&pp->addr, a, &pid) && pid != KITH_PID_USER) {
			pp->v[pid].pinned = 1;
			pp->v[pid].pin_tier = pp->pol->pins[i].tier;
		}
		free(a);
	}
}

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/* Copies the words of s[0..n) lowercased, one space apart, to buf,
 * leaving out parenthesised remarks: "Alejandro Colomar (man-pages)" and
 * "Alejandro Colomar" are one name (RFC 5322 comments, and the same habit
 * inside quoted display names). */
static size_t put_words(const char *s, size_t n, char *buf, size_t o, size_t len, int *words)
{
	size_t i;
	int in = 0, depth = 0;

	for (i = 0; i < n && o + 2 < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '(' || (c == ')' && depth > 0)) {
			depth += c == '(' ? 1 : -1;
			in = 0;
		} else if (depth == 0 && (is_alpha(c) || c == '-' || c == '\'')) {
			if (!in && o > 0)
				buf[o++] = ' ';
			if (!in)
				(*words)++;
			in = 1;
			buf[o++] = (char)((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
		} else {
			in = 0;
		}
	}
	buf[o] = '\0';
	return o;
}

int kith_name_key(const char *name, char *buf, size_t len)
{
	const char *comma;
	size_t o = 0;
	int words = 0;

	if (!name || len < 8)
		return 0;
	buf[0] = '\0';
	comma = strchr(name, ',');
	if (comma) { /* "Last, First" */
		o = put_words(comma + 1, strlen(comma + 1), buf, o, len, &words);
		o = put_words(name, (size_t)(comma - name), buf, o, len, &words);
	} else {
		o = put_words(name, strlen(name), buf, o, len, &words);
	}
	return words >= 2 && o >= 5;
}

/* The same mailbox name, or the same surname and initial: plausibly one
 * person (an answer from another address is often a colleague). */
int kith_people_alike(const struct kith_people *pp, size_t ia, size_t ib)
{
	const struct kith_pent *a = &pp->v[ia], *b = &pp->v[ib];
	const char *at_a = strchr(a->key, '@'), *at_b = strchr(b->key, '@');
	char na[128], nb[128];
	const char *la, *lb;

	if (at_a && at_b && at_a - a->key == at_b - b->key &&
	    !strncmp(a->key, b->key, (size_t)(at_a - a->key)))
		return 1;
	if (!kith_name_key(a->name, na, sizeof(na)) || !kith_name_key(b->name, nb, sizeof(nb)))
		return 0;
	la = strrchr(na, ' ');
	lb = strrchr(nb, ' ');
	return la && lb && na[0] == nb[0] && !strcmp(la, lb);
}

