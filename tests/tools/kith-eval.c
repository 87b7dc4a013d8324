/* kith-eval: measures the judgement core on real mail, without IMAP.
 *
 *   kith-eval enron DIR [options]     one Enron mailbox (folders under DIR)
 *   kith-eval lore DIR [options]      lore-linux-man as owner-mtk.tsv sees it
 *   kith-eval lore-alx DIR [options]  lore-linux-man as its other maintainer,
 *                                     Alejandro Colomar, sees it: every list
 *                                     message, his own (by From) in Sent
 *   kith-eval demo DIR [options]      the demo mailbox (demo/mail: a folder per
 *                                     mailbox, "Sent" is the user's)
 *
 * options:
 *   --bulk DIR     mix every message under DIR in, addressed to the user
 *   --at FRAC      analyse as of the FRAC quantile of message dates (0..1;
 *                  default 1: just after the newest message)
 *   --as-of DATE   analyse as of DATE (YYYY-MM-DD, midnight UTC) instead
 *   --people N     print the N deepest people with their figures
 *   --predict      rank people as of --at and score against who really
 *                  exchanges mail both ways with the user in the next 120
 *                  days, beside message count, recency and min(sent,recv)
 *   --max-rcpt N   with --predict: count only messages to at most N To+Cc
 *                  addresses in the truth and the baselines (a sensitivity
 *                  check: kith classes mail to 50 or more as mass mail)
 *   --rolling      the rolling predictive check (docs/depth.md §7): a cut
 *                  every 60 days, mean AP/P@10 of depth and five baselines
 *                  (KITH_EVAL_DEBUG: where the positives rank; KITH_EVAL_DUMP:
 *                  one TSV row per candidate and date, for study)
 *   --variants     the rolling check with the issue-14 study's re-rankings
 *                  of depth's people (eval_variants.h), mean AP of each
 *   --bulkcheck    print bulk figures; exit 1 unless < 1% of bulk messages
 *                  are turns and no bulk-like address is in the top 50
 *   --inert        new mail that changes nothing, proved (eval_inert.h)
 *   --hold         tasks kept until next_change, proved (eval_hold.h)
 *   --time         print how long kith_analyze took
 *   --tasks        the follow-up check (eval_tasks.h): rules as of rolling
 *                  dates against what the mail shows afterwards
 *   --tasks-dump   with --tasks: one line per reply candidate, for study
 *   --tasks-list   the follow-ups as of --as-of (or --at), for checking by hand
 *
 * Reads corpus files directly with kith_hdr_parse.  Prints plain text.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "addr.h"
#include "analyze.h"
#include "classify.h"
#include "fu_prep.h"
#include "hashmap.h"
#include "hdr.h"

#define WINDOW (120 * 86400LL)

struct box {
	struct kith_msg *m;
	char (*key)[33];
	int *bulk;           /* 1: mixed in from the bulk corpus */
	size_t n, cap;
	const char *const *ids;
	size_t n_ids;
	size_t skipped;
};

static const char *const enron_ids[] = {
	"jeff.skilling@enron.com", "jskilli@enron.com", "sherri.sera@enron.com",
	"joannie.williamson@enron.com",
};
static const char *const lore_ids[] = { "mtk.manpages@gmail.com" };
static const char *const alx_ids[] = { "alx.manpages@gmail.com", "colomar.6.4.3@gmail.com" };
static const char *const demo_ids[] = { "maya@lindqvist.example" };

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long sz;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)sz + 1)) != NULL) {
		*len = fread(buf, 1, (size_t)sz, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

/* Length of the header block (up to the first empty line). */
static size_t header_len(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		if (s[i] == '\n' && s[i + 1] == '\n')
			return i + 1;
		if (s[i] == '\n' && s[i + 1] == '\r' && i + 2 < n && s[i + 2] == '\n')
			return i + 1;
	}
	return n;
}

static int grow(struct box *b)
{
	size_t nc;

	if (b->n < b->cap)
		return 0;
	nc = b->cap ? b->cap * 2 : 1024;
	b->m = realloc(b->m, nc * sizeof(*b->m));
	b->key = realloc(b->key, nc * sizeof(*b->key));
	b->bulk = realloc(b->bulk, nc * sizeof(*b->bulk));
	if (!b->m || !b->key || !b->bulk)
		return -ENOMEM;
	b->cap = nc;
	return 0;
}

/* Parses one file into the box; a copy already seen (same content key)
 * only adds its \Sent flag. */
static int add_file(struct box *b, const char *path, int in_sent, int bulk)
{
	size_t len, off = 0, i;
	char *raw = slurp(path, &len);
	struct kith_msg m;

	if (!raw) {
		b->skipped++;
		return 0;
	}
	if (len > 5 && strncmp(raw, "From ", 5) == 0) { /* mbox separator line */
		const char *nl = memchr(raw, '\n', len);
		off = nl ? (size_t)(nl - raw) + 1 : len;
	}
	if (kith_hdr_parse(raw + off, header_len(raw + off, len - off), &m) < 0 || grow(b) < 0) {
		free(raw);
		return -ENOMEM;
	}
	free(raw);
	if (in_sent)
		m.flags |= KITH_MSG_IN_SENT;
	kith_msg_key(&m, b->key[b->n]);
	for (i = 0; !bulk && i < b->n; i++) /* small corpora: a linear check is fine */
		if (strcmp(b->key[i], b->key[b->n]) == 0) {
			b->m[i].flags |= m.flags & KITH_MSG_IN_SENT;
			kith_msg_free(&m);
			return 0;
		}
	m.id = (int64_t)b->n + 1;
	b->bulk[b->n] = bulk;
	b->m[b->n++] = m;
	return 0;
}

static int is_sent_folder(const char *name)
{
	return !strcasecmp(name, "sent") || !strcmp(name, "_sent_mail") || !strcmp(name, "sent_items");
}

static int walk(struct box *b, const char *dir, int in_sent, int bulk, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	struct stat st;
	int rc = 0;

	if (!d)
		return -errno;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "manifest.tsv"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rc = walk(b, path, depth == 0 ? is_sent_folder(e->d_name) : in_sent, bulk, depth + 1);
		else if (S_ISREG(st.st_mode))
			rc = add_file(b, path, in_sent, bulk);
	}
	closedir(d);
	return rc;
}

static int load_lore(struct box *b, const char *dir)
{
	char path[4096], line[512], file[256], role[64];
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/owner-mtk.tsv", dir);
	if (!(f = fopen(path, "r")))
		return -errno;
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255s %63s", file, role) != 2 || !strcmp(file, "file"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		rc = add_file(b, path, strcmp(role, "sent") == 0, 0);
	}
	fclose(f);
	return rc;
}

/* The list as Alejandro Colomar's mailbox: he was subscribed (every
 * message reached him) and his own posts, by From (index.tsv), are his
 * Sent.  A second maintainer of the same list: a mailbox to confirm on
 * that nothing here was chosen on. */
static int load_lore_alx(struct box *b, const char *dir)
{
	char path[4096], line[4096], file[256];
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/index.tsv", dir);
	if (!(f = fopen(path, "r")))
		return -errno;
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		int sent = 0;
		char *tab = line;
		if (sscanf(line, "%255s", file) != 1 || !strcmp(file, "file"))
			continue;
		for (int col = 0; col < 5 && tab; col++) /* the From column */
			tab = strchr(tab + 1, '\t');
		for (size_t i = 0; tab && i < sizeof(alx_ids) / sizeof(alx_ids[0]); i++)
			sent |= strcasestr(tab, alx_ids[i]) != NULL;
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		rc = add_file(b, path, sent, 0);
	}
	fclose(f);
	return rc;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The q quantile of the box's plausible message dates (after 1990). */
static int64_t date_quantile(const struct box *b, double q)
{
	int64_t *d = malloc((b->n ? b->n : 1) * sizeof(*d)), r;
	size_t n = 0, i;

	for (i = 0; d && i < b->n; i++)
		if (!b->bulk[i] && b->m[i].date != KITH_DATE_NONE && b->m[i].date > 631152000)
			d[n++] = b->m[i].date;
	if (!d || !n) {
		free(d);
		return INT64_MAX;
	}
	qsort(d, n, sizeof(*d), cmp_i64);
	i = (size_t)(q * (double)(n - 1));
	r = d[i];
	free(d);
	return r;
}

/* Mixes bulk messages in: the user becomes a To recipient (the harder
 * case: as if addressed to the user) and dates are spread evenly over
 * [lo, hi). */
static int mix_bulk(struct box *b, size_t from, int64_t lo, int64_t hi)
{
	size_t i, nb = b->n - from;

	for (i = from; i < b->n; i++) {
		struct kith_msg *m = &b->m[i];
		struct kith_addr *nv = realloc(m->rcpt, (m->n_to + m->n_cc + 1) * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		m->rcpt = nv;
		memmove(&nv[m->n_to + 1], &nv[m->n_to], m->n_cc * sizeof(*nv));
		nv[m->n_to].addr = strdup(b->ids[0]);
		nv[m->n_to].name = NULL;
		m->n_to++;
		m->n_rcpt_total++;
		m->date = lo + (int64_t)((double)(hi - lo) * (double)(i - from) / (double)nb);
	}
	return 0;
}

/* ---- simple per-address counts, the baselines' view ---- */

struct acount { char *addr; double sent, recv; int64_t last; int pos; int bulk_like; };
struct counts { struct acount *v; size_t n, cap; };

static struct acount *counted(struct counts *c, const char *raw)
{
	char *a = kith_addr_normalize(raw, 0);
	size_t i;

	if (!a)
		return NULL;
	for (i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].addr, a)) {
			free(a);
			return &c->v[i];
		}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->v = realloc(c->v, c->cap * sizeof(*c->v));
		if (!c->v)
			exit(2);
	}
	memset(&c->v[c->n], 0, sizeof(c->v[0]));
	c->v[c->n].addr = a;
	c->v[c->n].last = INT64_MIN;
	return &c->v[c->n++];
}

static int is_id(const struct box *b, const char *raw)
{
	char *a = kith_addr_normalize(raw, 0), *id;
	size_t i;
	int r = 0;

	for (i = 0; a && i < b->n_ids; i++) {
		id = kith_addr_normalize(b->ids[i], 0);
		r |= id && strcmp(a, id) == 0;
		free(id);
	}
	free(a);
	return r;
}

static int user_rcpt(const struct box *b, const struct kith_msg *m)
{
	size_t j;

	for (j = 0; j < m->n_to + m->n_cc; j++)
		if (is_id(b, m->rcpt[j].addr))
			return 1;
	return 0;
}

/* Direct mail each way per address in [lo, hi): sent by the user to it,
 * received from it with the user in To/Cc. */
/* --max-rcpt: 0 counts every message. */
static uint32_t max_rcpt;

static void tally(const struct box *b, struct counts *c, int64_t lo, int64_t hi)
{
	size_t i, j;

	for (i = 0; i < b->n; i++) {
		const struct kith_msg *m = &b->m[i];
		struct acount *x;
		if (m->date == KITH_DATE_NONE || m->date < lo || m->date >= hi || !m->from.addr)
			continue;
		if (max_rcpt && m->n_rcpt_total > max_rcpt)
			continue;
		if ((m->flags & KITH_MSG_IN_SENT) || is_id(b, m->from.addr)) {
			for (j = 0; j < m->n_to + m->n_cc; j++)
				if (!is_id(b, m->rcpt[j].addr) && (x = counted(c, m->rcpt[j].addr))) {
					x->sent++;
					x->last = m->date > x->last ? m->date : x->last;
				}
		} else if (user_rcpt(b, m) && (x = counted(c, m->from.addr))) {
			x->recv++;
			x->last = m->date > x->last ? m->date : x->last;
		}
	}
}

static void counts_free(struct counts *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].addr);
	free(c->v);
}

static struct kith_policy policy_for(const struct box *b)
{
	struct kith_policy p;

	memset(&p, 0, sizeof(p));
	p.identities = b->ids;
	p.n_identities = b->n_ids;
	return p;
}

static int analyse(const struct box *b, int64_t at, struct kith_analysis **a, double *secs)
{
	struct kith_policy p = policy_for(b);
	struct timespec t0, t1;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = kith_analyze(b->m, b->n, &p, at, a);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return rc;
}

static void print_people(const struct kith_analysis *a, size_t n)
{
	size_t i, j;

	for (i = 0; i < n && i < a->n_people; i++) {
		const struct kith_person *p = &a->people[i];
		printf("%3zu %5.1f %-7s %-38s conv=%u turns=%u/%u msgs=%u/%u lat=%.0fh/%.0fh |",
		       i + 1, p->depth, kith_tier_name(p->tier), p->key, p->conversations,
		       p->turns_user, p->turns_them, p->msgs_to, p->msgs_from,
		       p->latency_user / 3600.0, p->latency_them / 3600.0);
		for (j = 0; j < p->n_factors; j++)
			printf(" %s=%.1f", p->factors[j].name, p->factors[j].points);
		printf("\n");
	}
}

/* ---- ranking quality ---- */

struct ranked { const char *addr; double score, tie; };

static int cmp_rank(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->tie != b->tie)
		return a->tie > b->tie ? -1 : 1;
	return strcmp(a->addr, b->addr);
}

static int positive(const struct counts *fut, const char *addr)
{
	size_t i;

	for (i = 0; i < fut->n; i++)
		if (!strcmp(fut->v[i].addr, addr))
			return fut->v[i].sent > 0 && fut->v[i].recv > 0;
	return 0;
}

/* Average precision and precision@10 of r[0..n) (sorted here) against
 * npos positives. */
static void score(struct ranked *r, size_t n, const struct counts *fut, size_t npos,
		  double *ap, double *p10)
{
	size_t i, hits = 0;
	double sum = 0;

	qsort(r, n, sizeof(*r), cmp_rank);
	*p10 = 0;
	for (i = 0; i < n; i++) {
		if (!positive(fut, r[i].addr))
			continue;
		hits++;
		sum += (double)hits / (double)(i + 1);
		if (i < 10)
			*p10 += 0.1;
	}
	*ap = npos ? sum / (double)npos : 0;
}

enum method { M_DEPTH, M_COUNT, M_RECENCY, M_MINSR };
static const char *const method_names[] = { "depth", "message count", "recency", "min(sent,recv)" };

static double baseline(const struct acount *x, enum method m, double *tie)
{
	*tie = x->sent + x->recv;
	switch (m) {
	case M_COUNT: return x->sent + x->recv;
	case M_RECENCY: return (double)x->last;
	case M_MINSR: return x->sent < x->recv ? x->sent : x->recv;
	default: return 0;
	}
}

/* Is addr among depth's people? (for baselines on the same candidates) */
static const struct kith_person *in_people(const struct kith_analysis *a, const char *addr)
{
	size_t i, j;

	for (i = 0; i < a->n_people; i++) {
		if (!strcmp(a->people[i].key, addr))
			return &a->people[i];
		for (j = 0; j < a->people[i].n_addrs; j++)
			if (!strcmp(a->people[i].addrs[j], addr))
				return &a->people[i];
	}
	return NULL;
}

/* Positives among the addresses in touch before T (listed with
 * KITH_EVAL_DEBUG set). */
static size_t count_positives(const struct counts *past, const struct counts *fut,
			      const struct kith_analysis *a)
{
	size_t i, npos = 0;

	for (i = 0; i < past->n; i++) {
		int pos = positive(fut, past->v[i].addr);
		const struct kith_person *pp = in_people(a, past->v[i].addr);
		npos += pos;
		if (pos && getenv("KITH_EVAL_DEBUG"))
			printf("  positive %-36s before T: sent %.0f recv %.0f; %s %.1f rank %zu\n",
			       past->v[i].addr, past->v[i].sent, past->v[i].recv,
			       pp ? "depth" : "not listed", pp ? pp->depth : 0.0,
			       pp ? (size_t)(pp - a->people) + 1 : 0);
	}
	return npos;
}

/* Fills r with method m's ranking (same: only depth's people); returns n. */
static size_t ranking(const struct counts *past, const struct kith_analysis *a,
		      enum method m, int same, struct ranked *r)
{
	size_t i, n = 0;

	if (m == M_DEPTH) {
		for (i = 0; i < a->n_people; i++, n++) {
			r[n].addr = a->people[i].key;
			r[n].score = a->people[i].depth;
			r[n].tie = 0;
		}
		return n;
	}
	for (i = 0; i < past->n; i++) {
		if (same && !in_people(a, past->v[i].addr))
			continue;
		r[n].addr = past->v[i].addr;
		r[n].score = baseline(&past->v[i], m, &r[n].tie);
		n++;
	}
	return n;
}

/* The ranks of the positives in r[0..n) (sorted), for KITH_EVAL_DEBUG. */
static void show_ranks(const struct ranked *r, size_t n, const struct counts *fut,
		       const char *name)
{
	size_t i;

	printf("  %-16s positives at", name);
	for (i = 0; i < n; i++)
		if (positive(fut, r[i].addr))
			printf(" %zu", i + 1);
	printf("\n");
}

static int predict(const struct box *b, double q)
{
	int64_t at = date_quantile(b, q);
	struct counts past = { 0 }, fut = { 0 };
	struct kith_analysis *a = NULL;
	struct ranked *r;
	size_t npos, n;
	double ap, p10, secs;
	int m, same;
	char day[32];
	time_t tt = (time_t)at;

	if (analyse(b, at, &a, &secs) < 0)
		return 2;
	tally(b, &past, INT64_MIN, at);
	tally(b, &fut, at, at + WINDOW);
	npos = count_positives(&past, &fut, a);
	strftime(day, sizeof(day), "%Y-%m-%d", gmtime(&tt));
	printf("T=%s (quantile %.2f): %zu addresses in touch before T, %zu two-way in the next 120 days; %zu people listed\n",
	       day, q, past.n, npos, a->n_people);
	if (!(r = calloc(past.n + a->n_people + 1, sizeof(*r))))
		return 2;
	for (m = M_DEPTH; m <= M_MINSR; m++)
		for (same = 0; same < 2; same++) {
			if (m == M_DEPTH && same)
				continue;
			n = ranking(&past, a, (enum method)m, same, r);
			score(r, n, &fut, npos, &ap, &p10);
			if (!same && getenv("KITH_EVAL_DEBUG"))
				show_ranks(r, n, &fut, method_names[m]);
			printf("  %-16s %-16s AP=%.3f P@10=%.1f (%zu ranked)\n", method_names[m],
			       m == M_DEPTH ? "" : same ? "(same people)" : "(all addresses)", ap, p10, n);
		}
	free(r);
	kith_analysis_free(a);
	counts_free(&past);
	counts_free(&fut);
	return 0;
}

/* ---- the rolling predictive check (docs/depth.md §7) ----
 *
 * Why a second check: four dates rested on 13-21 positives each, so one
 * positive moving a few ranks decided the verdict.  This one cuts every
 * 60 days across the mailbox's active span and averages, and its truth is
 * fixed once (issue 14), before any measuring:
 *  - unthreaded mail (Enron): X and the user are in mail both ways in the
 *    next 120 days when each sent the other at least one DIRECT message:
 *    the other side in To of a message with at most 25 To+Cc addresses,
 *    or in Cc of one with at most 10 (the user's own addresses not
 *    counted), not automated;
 *  - threaded mail (linux-man): reply edges, each way: the user answered
 *    (In-Reply-To) a message of X's, and X answered one of the user's.
 * Baselines rank the same candidates (every address in touch with the
 * user before T) by direct mail counted the same way. */

#define ROLL_STEP (60 * 86400LL)
#define ROLL_TO_MAX 25
#define ROLL_CC_MAX 10
#define ROLL_DECAY_DAYS 90.0

struct rview {                 /* the mailbox, prepared once */
	struct kith_smap ix;       /* normalised address -> index */
	char **addr; size_t n_addr, cap_addr;
	int32_t *from;             /* per message: sender's index; -1 the user or none */
	uint8_t *by_user;          /* per message: written by the user */
	uint8_t *autom;            /* per message: kith classes it automated */
	int32_t *parent;           /* per message: In-Reply-To's message, -1 */
	int32_t **rc; uint16_t *n_rc; /* per message: recipients (not the user) */
	uint8_t **rc_direct;       /* per recipient: direct by the rule */
	uint8_t *user_direct;      /* per message from X: the user is a direct rcpt */
	uint8_t *user_rcpt;        /* per message from X: the user is in To/Cc */
	int threaded;
};

static int32_t rv_intern(struct rview *v, const char *raw)
{
	char *a = kith_addr_normalize(raw, 0);
	size_t got;
	int r;

	if (!a)
		return -1;
	r = kith_smap_intern(&v->ix, a, v->n_addr, &got);
	if (r == 1) {
		if (v->n_addr == v->cap_addr) {
			v->cap_addr = v->cap_addr ? v->cap_addr * 2 : 1024;
			if (!(v->addr = realloc(v->addr, v->cap_addr * sizeof(*v->addr))))
				exit(2);
		}
		v->addr[v->n_addr++] = a;
		return (int32_t)got;
	}
	free(a);
	return r < 0 ? -1 : (int32_t)got;
}

/* The user's own addresses among m's To+Cc (not counted in the limits). */
static size_t own_rcpt(const struct box *b, const struct kith_msg *m)
{
	size_t j, k = 0;

	for (j = 0; j < (size_t)m->n_to + m->n_cc; j++)
		k += is_id(b, m->rcpt[j].addr);
	return k;
}

/* Direct by the fixed rule: in To with at most 25 others, in Cc with at
 * most 10 (the whole message's To+Cc, the user's addresses left out). */
static int rule_direct(const struct kith_msg *m, size_t j, size_t own)
{
	uint32_t n = m->n_rcpt_total > own ? m->n_rcpt_total - (uint32_t)own : 0;

	return j < m->n_to ? n <= ROLL_TO_MAX : n <= ROLL_CC_MAX;
}

static void rv_message(struct rview *v, const struct box *b, size_t i)
{
	const struct kith_msg *m = &b->m[i];
	size_t j, own = own_rcpt(b, m), nr = (size_t)m->n_to + m->n_cc;

	v->by_user[i] = (m->flags & KITH_MSG_IN_SENT) || (m->from.addr && is_id(b, m->from.addr));
	v->from[i] = v->by_user[i] || !m->from.addr ? -1 : rv_intern(v, m->from.addr);
	v->rc[i] = calloc(nr + 1, sizeof(int32_t));
	v->rc_direct[i] = calloc(nr + 1, 1);
	if (!v->rc[i] || !v->rc_direct[i])
		exit(2);
	for (j = 0; j < nr; j++) {
		if (is_id(b, m->rcpt[j].addr)) {
			v->user_rcpt[i] = 1;
			v->user_direct[i] |= rule_direct(m, j, own);
			continue;
		}
		v->rc_direct[i][v->n_rc[i]] = rule_direct(m, j, own);
		v->rc[i][v->n_rc[i]++] = rv_intern(v, m->rcpt[j].addr);
	}
}

/* Parents by In-Reply-To; the mailbox is threaded when a fifth of its
 * messages name a parent that is here. */
static void rv_parents(struct rview *v, const struct box *b)
{
	struct kith_smap ids;
	size_t i, p, linked = 0;

	kith_smap_init(&ids);
	for (i = 0; i < b->n; i++)
		if (b->m[i].message_id)
			kith_smap_put(&ids, b->m[i].message_id, i);
	for (i = 0; i < b->n; i++) {
		v->parent[i] = -1;
		if (b->m[i].in_reply_to && kith_smap_get(&ids, b->m[i].in_reply_to, &p)) {
			v->parent[i] = (int32_t)p;
			linked++;
		}
	}
	v->threaded = linked * 5 >= b->n;
	kith_smap_free(&ids);
}

static void rv_build(struct rview *v, const struct box *b)
{
	struct kith_analysis *a = NULL;
	double secs;
	size_t i;

	memset(v, 0, sizeof(*v));
	kith_smap_init(&v->ix);
	v->from = calloc(b->n + 1, sizeof(*v->from));
	v->by_user = calloc(b->n + 1, 1);
	v->autom = calloc(b->n + 1, 1);
	v->parent = calloc(b->n + 1, sizeof(*v->parent));
	v->rc = calloc(b->n + 1, sizeof(*v->rc));
	v->n_rc = calloc(b->n + 1, sizeof(*v->n_rc));
	v->rc_direct = calloc(b->n + 1, sizeof(*v->rc_direct));
	v->user_direct = calloc(b->n + 1, 1);
	v->user_rcpt = calloc(b->n + 1, 1);
	if (!v->from || !v->by_user || !v->autom || !v->parent || !v->rc || !v->n_rc ||
	    !v->rc_direct || !v->user_direct || !v->user_rcpt || analyse(b, INT64_MAX, &a, &secs) < 0)
		exit(2);
	for (i = 0; i < b->n; i++) {
		rv_message(v, b, i);
		v->autom[i] = a->msg_class[i] == KITH_CLASS_AUTOMATED;
	}
	kith_analysis_free(a);
	rv_parents(v, b);
}

static void rv_free(struct rview *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v->rc[i]);
		free(v->rc_direct[i]);
	}
	for (i = 0; i < v->n_addr; i++)
		free(v->addr[i]);
	free(v->addr);
	free(v->from); free(v->by_user); free(v->autom); free(v->parent);
	free(v->rc); free(v->n_rc); free(v->rc_direct); free(v->user_direct); free(v->user_rcpt);
	kith_smap_free(&v->ix);
}

struct rcount {                 /* per address, before T */
	double sent, recv;          /* direct mail each way (the rule) */
	double dsent, drecv;        /* the same, each weighted exp(-age / 90 d) */
	int64_t last;               /* last direct message either way */
	int64_t last_s, last_r;     /* last direct message each way */
	uint8_t touch;              /* any mail with the user (a candidate) */
	uint8_t out, in;            /* after T: the truth's two directions */
};

/* Direct mail per address in [lo, t), decayed as of t. */
static void roll_past_in(const struct rview *v, const struct box *b, int64_t lo, int64_t t,
			 struct rcount *c)
{
	size_t i, j;

	for (i = 0; i < b->n; i++) {
		const struct kith_msg *m = &b->m[i];
		double w;
		if (m->date == KITH_DATE_NONE || m->date >= t || m->date < lo)
			continue;
		w = exp(-(double)(t - m->date) / 86400.0 / ROLL_DECAY_DAYS);
		if (v->by_user[i]) {
			for (j = 0; j < v->n_rc[i]; j++) {
				struct rcount *x = &c[v->rc[i][j]];
				x->touch = 1;
				if (!v->rc_direct[i][j] || v->autom[i])
					continue;
				x->sent++, x->dsent += w;
				x->last = m->date > x->last ? m->date : x->last;
				x->last_s = m->date > x->last_s ? m->date : x->last_s;
			}
		} else if (v->from[i] >= 0 && v->user_rcpt[i]) {
			struct rcount *x = &c[v->from[i]];
			x->touch = 1;
			if (!v->user_direct[i] || v->autom[i])
				continue;
			x->recv++, x->drecv += w;
			x->last = m->date > x->last ? m->date : x->last;
			x->last_r = m->date > x->last_r ? m->date : x->last_r;
		}
	}
}

static void roll_past(const struct rview *v, const struct box *b, int64_t t, struct rcount *c)
{
	roll_past_in(v, b, INT64_MIN, t, c);
}

/* The truth in [t, t + 120 days). */
static void roll_future(const struct rview *v, const struct box *b, int64_t t, struct rcount *c)
{
	size_t i, j;

	for (i = 0; i < b->n; i++) {
		int32_t p = v->parent[i];
		if (b->m[i].date == KITH_DATE_NONE || b->m[i].date < t || b->m[i].date >= t + WINDOW ||
		    v->autom[i])
			continue;
		if (v->threaded) {
			if (p < 0)
				continue;
			if (v->by_user[i] && v->from[p] >= 0)
				c[v->from[p]].out = 1;
			else if (v->from[i] >= 0 && v->by_user[p])
				c[v->from[i]].in = 1;
			continue;
		}
		if (v->by_user[i]) {
			for (j = 0; j < v->n_rc[i]; j++)
				if (v->rc_direct[i][j])
					c[v->rc[i][j]].out = 1;
		} else if (v->from[i] >= 0 && v->user_direct[i]) {
			c[v->from[i]].in = 1;
		}
	}
}

enum rmethod { R_DEPTH, R_COUNT, R_SENT, R_MINSR, R_RECENCY, R_DECAYED, R_N };
static const char *const rmethod_names[R_N] = {
	"depth", "count", "sent", "min(s,r)", "recency", "decayed",
};

static double rbaseline(const struct rcount *x, enum rmethod m, double *tie)
{
	*tie = x->sent + x->recv;
	switch (m) {
	case R_COUNT: return x->sent + x->recv;
	case R_SENT: return x->sent;
	case R_MINSR: return x->sent < x->recv ? x->sent : x->recv;
	case R_RECENCY: return (double)x->last;
	case R_DECAYED: return x->dsent < x->drecv ? x->dsent : x->drecv;
	default: return 0;
	}
}

/* Method m's ranking of the candidates into r; returns how many. */
static size_t rrank(const struct rview *v, const struct rcount *c,
		    const struct kith_analysis *a, enum rmethod m, struct ranked *r)
{
	size_t i, n = 0, ix;

	if (m == R_DEPTH) {
		for (i = 0; i < a->n_people; i++)
			if (kith_smap_get(&v->ix, a->people[i].key, &ix) && c[ix].touch) {
				r[n].addr = v->addr[ix];
				r[n].score = -(double)i; /* already in depth order */
				r[n++].tie = 0;
			}
		return n;
	}
	for (i = 0; i < v->n_addr; i++)
		if (c[i].touch) {
			r[n].addr = v->addr[i];
			r[n].score = rbaseline(&c[i], m, &r[n].tie);
			n++;
		}
	return n;
}

static int rpositive(const struct rview *v, const struct rcount *c, const char *addr)
{
	size_t ix;

	return kith_smap_get(&v->ix, addr, &ix) && c[ix].touch && c[ix].out && c[ix].in;
}

/* AP and P@10 of r[0..n) against npos positives. */
static void rscore(const struct rview *v, const struct rcount *c, struct ranked *r, size_t n,
		   size_t npos, double *ap, double *p10)
{
	size_t i, hits = 0;
	double sum = 0;

	qsort(r, n, sizeof(*r), cmp_rank);
	*p10 = 0;
	for (i = 0; i < n; i++) {
		if (!rpositive(v, c, r[i].addr))
			continue;
		hits++;
		sum += (double)hits / (double)(i + 1);
		if (i < 10)
			*p10 += 0.1;
	}
	*ap = npos ? sum / (double)npos : 0;
}

/* KITH_EVAL_DEBUG: where each positive ranks, with depth's view of it. */
static void rdebug(const struct rview *v, const struct rcount *c, const struct kith_analysis *a,
		   const struct ranked *r, size_t n, enum rmethod m)
{
	size_t i, j;

	printf("\n    %s:", rmethod_names[m]);
	for (i = 0; i < n; i++) {
		if (!rpositive(v, c, r[i].addr))
			continue;
		printf(" %zu", i + 1);
		for (j = 0; m == R_DEPTH && j < a->n_people; j++)
			if (!strcmp(a->people[j].key, r[i].addr))
				printf("[%s %.0f %s c%u t%u/%u m%u/%u]", r[i].addr, a->people[j].depth,
				       kith_tier_name(a->people[j].tier), a->people[j].conversations,
				       a->people[j].turns_user, a->people[j].turns_them,
				       a->people[j].msgs_to, a->people[j].msgs_from);
	}
	printf("\n");
}

/* KITH_EVAL_DUMP: one TSV row per candidate, for studying the ranking
 * outside C (features before T, the label after). */
static void rdump(const struct rview *v, const struct rcount *c, const struct kith_analysis *a,
		  int64_t t, const char *day)
{
	size_t i, j, ix;

	for (i = 0; i < v->n_addr; i++) {
		const struct kith_person *p = NULL;
		if (!c[i].touch)
			continue;
		for (j = 0; j < a->n_people; j++)
			if (kith_smap_get(&v->ix, a->people[j].key, &ix) && ix == i)
				p = &a->people[j];
		printf("DUMP\t%s\t%s\t%d\t%.0f\t%.0f\t%.3f\t%.3f\t%.1f\t%.1f\t%.2f\t%d\t%u\t%u\t%u\t%u\t%u",
		       day, v->addr[i], c[i].out && c[i].in, c[i].sent, c[i].recv, c[i].dsent, c[i].drecv,
		       c[i].last_s == INT64_MIN ? -1 : (double)(t - c[i].last_s) / 86400.0,
		       c[i].last_r == INT64_MIN ? -1 : (double)(t - c[i].last_r) / 86400.0,
		       p ? p->depth : -1.0, p ? (int)p->tier : -1, p ? p->turns_user : 0,
		       p ? p->turns_them : 0, p ? p->conversations : 0, p ? p->msgs_to : 0,
		       p ? p->msgs_from : 0);
		for (j = 0; p && j < p->n_factors; j++)
			printf("\t%s=%.2f", p->factors[j].name, p->factors[j].points);
		printf("\n");
	}
}

struct rsum { double ap[R_N], p10[R_N]; size_t dates; };

#include "eval_variants.h"

/* One cut date: analyse as of t, score each method; adds to s.  Returns
 * the number of positives (a date without any is not scored). */
static size_t roll_date(const struct rview *v, const struct box *b, int64_t t, struct rsum *s,
			struct vsum *vs)
{
	struct rcount *c = calloc(v->n_addr + 1, sizeof(*c));
	struct ranked *r = calloc(v->n_addr + 1, sizeof(*r));
	struct kith_analysis *a = NULL;
	size_t i, n, npos = 0;
	double ap, p10, secs;
	char day[32];
	time_t tt = (time_t)t;
	int m;

	if (!c || !r || analyse(b, t, &a, &secs) < 0)
		exit(2);
	for (i = 0; i < v->n_addr; i++)
		c[i].last = c[i].last_s = c[i].last_r = INT64_MIN;
	roll_past(v, b, t, c);
	roll_future(v, b, t, c);
	for (i = 0; i < v->n_addr; i++)
		npos += c[i].touch && c[i].out && c[i].in;
	strftime(day, sizeof(day), "%Y-%m-%d", gmtime(&tt));
	if (getenv("KITH_EVAL_DUMP"))
		rdump(v, c, a, t, day);
	printf("  %s pos=%-3zu", day, npos);
	for (m = 0; npos && m < R_N; m++) {
		n = rrank(v, c, a, (enum rmethod)m, r);
		rscore(v, c, r, n, npos, &ap, &p10);
		s->ap[m] += ap;
		s->p10[m] += p10;
		if (getenv("KITH_EVAL_DEBUG") && (m == R_DEPTH || m == R_DECAYED || m == R_SENT))
			rdebug(v, c, a, r, n, (enum rmethod)m);
		printf(" %s=%.3f/%.1f", rmethod_names[m], ap, p10);
	}
	printf("\n");
	if (do_variants && npos)
		variants_date(v, b, t, a, c, npos, vs);
	s->dates += npos > 0;
	kith_analysis_free(a);
	free(c);
	free(r);
	return npos;
}

/* The first and last plausible dates (after 1990). */
static void date_span(const struct box *b, int64_t *lo, int64_t *hi)
{
	size_t i;

	*lo = INT64_MAX;
	*hi = INT64_MIN;
	for (i = 0; i < b->n; i++)
		if (!b->bulk[i] && b->m[i].date != KITH_DATE_NONE && b->m[i].date > 631152000) {
			*lo = b->m[i].date < *lo ? b->m[i].date : *lo;
			*hi = b->m[i].date > *hi ? b->m[i].date : *hi;
		}
}

/* Cut dates every 60 days, from 60 days after the mailbox's 5% date (some
 * history to rank on) while a full 120-day window still follows. */
static int rolling(const struct box *b, const char *name)
{
	struct rview v;
	struct rsum s;
	struct vsum vs;
	int64_t lo, hi, t;
	int m;

	rv_build(&v, b);
	memset(&s, 0, sizeof(s));
	memset(&vs, 0, sizeof(vs));
	date_span(b, &lo, &hi);
	printf("rolling %s (%s truth)\n", name, v.threaded ? "reply-edge" : "direct-mail");
	for (t = date_quantile(b, 0.05) + ROLL_STEP; t + WINDOW <= hi; t += ROLL_STEP)
		roll_date(&v, b, t, &s, &vs);
	printf("mean %s dates=%zu", name, s.dates);
	for (m = 0; s.dates && m < R_N; m++)
		printf(" %s=%.3f/%.2f", rmethod_names[m], s.ap[m] / (double)s.dates,
		       s.p10[m] / (double)s.dates);
	printf("\n");
	if (do_variants)
		variants_report(name, &vs, &s);
	rv_free(&v, b->n);
	return 0;
}

/* An address that no listing should hold, judged without the classifier:
 * a bulk-corpus sender, or one whose mail is nearly all bulk-shaped
 * (no visible recipient, 50+ recipients, List-Unsubscribe without
 * List-Id, an auto-reply or report), or a list named by a List-Id, or an
 * obvious robot name. */
static int bulk_like(const struct box *b, const char *addr)
{
	static const char *const robot[] = {
		"noreply", "no-reply", "daemon", "bot", "bounce", "notification",
		"newsletter", "announce", "no.address", "mailer", "postmaster", NULL
	};
	size_t i, total = 0, bulky = 0;
	const char *const *p;

	for (p = robot; *p; p++)
		if (strstr(addr, *p))
			return 1;
	for (i = 0; i < b->n; i++) {
		const struct kith_msg *m = &b->m[i];
		char *f = m->from.addr ? kith_addr_normalize(m->from.addr, 0) : NULL;
		int mine = f && !strcmp(f, addr);
		free(f);
		if (m->list_id) {
			char buf[300];
			snprintf(buf, sizeof(buf), "%s", m->list_id);
			char *dot = strchr(buf, '.');
			if (dot) {
				*dot = '@';
				if (!strcmp(buf, addr))
					return 1;
			}
		}
		if (!mine)
			continue;
		if (b->bulk[i])
			return 1;
		total++;
		bulky += m->n_rcpt_total == 0 || m->n_rcpt_total >= 50 ||
			 ((m->signals & KITH_SIG_LIST_UNSUB) && !m->list_id) ||
			 (m->signals & (KITH_SIG_AUTO_SUBMITTED | KITH_SIG_REPORT));
	}
	return total > 0 && bulky * 10 >= total * 9;
}

static int bulkcheck(const struct box *b)
{
	struct kith_analysis *a = NULL;
	size_t i, nbulk = 0, turns = 0, autom = 0, bad = 0;
	unsigned char *isturn = calloc(b->n + 1, 1);
	double secs;

	if (!isturn || analyse(b, INT64_MAX, &a, &secs) < 0)
		return 2;
	for (i = 0; i < a->n_turns; i++)
		isturn[a->turns[i].msg_id - 1] = 1;
	for (i = 0; i < b->n; i++) {
		if (!b->bulk[i])
			continue;
		nbulk++;
		turns += isturn[i];
		if (isturn[i] && getenv("KITH_EVAL_DEBUG"))
			printf("  bulk turn: %s \"%s\"\n", b->m[i].from.addr ? b->m[i].from.addr : "-",
			       b->m[i].subject ? b->m[i].subject : "");
		autom += a->msg_class[i] == KITH_CLASS_AUTOMATED;
	}
	printf("bulk: %zu messages mixed in; %zu (%.2f%%) counted as turns; %zu (%.1f%%) classed automated\n",
	       nbulk, turns, nbulk ? 100.0 * (double)turns / (double)nbulk : 0, autom,
	       nbulk ? 100.0 * (double)autom / (double)nbulk : 0);
	for (i = 0; i < a->n_people && i < 50; i++)
		if (bulk_like(b, a->people[i].key)) {
			printf("  bulk-like address in top 50: #%zu %s\n", i + 1, a->people[i].key);
			bad++;
		}
	printf("top 50: %zu bulk-like addresses\n", bad);
	kith_analysis_free(a);
	free(isturn);
	return (nbulk && turns * 100 >= nbulk) || bad ? 1 : 0;
}

/* Loads the mailbox (and the bulk mix, when asked).  0 or -errno. */
static int load_box(struct box *b, const char *kind, const char *dir, const char *bulk)
{
	size_t n0;
	int rc;

	if (!strcmp(kind, "enron") || !strcmp(kind, "demo")) {
		b->ids = kind[0] == 'e' ? enron_ids : demo_ids;
		b->n_ids = kind[0] == 'e' ? sizeof(enron_ids) / sizeof(enron_ids[0]) : 1;
		rc = walk(b, dir, 0, 0, 0);
	} else if (!strcmp(kind, "lore-alx")) {
		b->ids = alx_ids;
		b->n_ids = sizeof(alx_ids) / sizeof(alx_ids[0]);
		rc = load_lore_alx(b, dir);
	} else {
		b->ids = lore_ids;
		b->n_ids = 1;
		rc = load_lore(b, dir);
	}
	n0 = b->n;
	if (rc == 0 && bulk) {
		int64_t lo = date_quantile(b, 0.05), hi = date_quantile(b, 0.95);
		if ((rc = walk(b, bulk, 0, 1, 1)) == 0)
			rc = mix_bulk(b, n0, lo, hi);
	}
	if (rc == 0)
		printf("%s: %zu distinct messages (%zu bulk), %zu unreadable\n", kind, b->n,
		       b->n - n0, b->skipped);
	return rc;
}

static int show_people(const struct box *b, double at, int64_t as_of, size_t people)
{
	struct kith_analysis *a = NULL;
	int64_t t = as_of ? as_of : date_quantile(b, at < 1.0 ? at : 1.0) + (at >= 1.0);
	double secs;
	size_t i;

	if (analyse(b, t, &a, &secs) < 0)
		return 2;
	printf("analysed in %.3f s: %zu people, %zu turns, %zu conversations, %u personal / %u list / %u automated, %zu merge suggestions\n",
	       secs, a->n_people, a->n_turns, a->n_conversations, a->n_personal, a->n_list,
	       a->n_automated, a->n_suggestions);
	print_people(a, people);
	for (i = 0; people && i < a->n_suggestions && i < 30; i++)
		printf("  suggest %s = %s: %s\n", a->suggestions[i].a, a->suggestions[i].b,
		       a->suggestions[i].reason);
	kith_analysis_free(a);
	return 0;
}

#include "eval_tasks.h"
#include "eval_inert.h"
#include "eval_hold.h"

/* YYYY-MM-DD as seconds at midnight UTC; 0 when it does not parse. */
static int64_t day_of(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

int main(int argc, char **argv)
{
	struct box b = { 0 };
	const char *bulk = NULL;
	double at = 1.0;
	int64_t as_of = 0;
	int i, people = 0, do_pred = 0, do_roll = 0, do_bulk = 0, do_time = 0, do_tasks = 0, do_inert = 0;
	int do_hold = 0, rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: kith-eval enron|lore|demo DIR [--bulk DIR] [--at FRAC] [--as-of DATE] [--people N] [--predict] [--max-rcpt N] [--bulkcheck] [--inert] [--hold] [--time] [--tasks|--tasks-dump|--tasks-list]\n");
		return 2;
	}
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--bulk") && i + 1 < argc)
			bulk = argv[++i];
		else if (!strcmp(argv[i], "--at") && i + 1 < argc)
			at = atof(argv[++i]);
		else if (!strcmp(argv[i], "--as-of") && i + 1 < argc)
			as_of = day_of(argv[++i]);
		else if (!strcmp(argv[i], "--people") && i + 1 < argc)
			people = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--predict"))
			do_pred = 1;
		else if (!strcmp(argv[i], "--max-rcpt") && i + 1 < argc)
			max_rcpt = (uint32_t)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--rolling"))
			do_roll = 1;
		else if (!strcmp(argv[i], "--variants"))
			do_roll = do_variants = 1;
		else if (!strcmp(argv[i], "--bulkcheck"))
			do_bulk = 1;
		else if (!strcmp(argv[i], "--inert"))
			do_inert = 1;
		else if (!strcmp(argv[i], "--hold"))
			do_hold = 1;
		else if (!strcmp(argv[i], "--time"))
			do_time = 1;
		else if (!strcmp(argv[i], "--tasks") || !strcmp(argv[i], "--tasks-dump"))
			do_tasks = 1 + (argv[i][7] == '-');
		else if (!strcmp(argv[i], "--tasks-list"))
			do_tasks = 3;
	}
	if ((rc = load_box(&b, argv[1], argv[2], bulk)) < 0) {
		fprintf(stderr, "kith-eval: cannot read %s: %s\n", argv[2], strerror(-rc));
		return 2;
	}
	if (people > 0 || do_time)
		rc = show_people(&b, at, as_of, people > 0 ? (size_t)people : 0);
	if (do_pred && rc == 0)
		rc = predict(&b, at);
	if (do_roll && rc == 0)
		rc = rolling(&b, argv[1]);
	if (do_bulk && rc == 0)
		rc = bulkcheck(&b);
	if (do_inert && rc == 0)
		rc = inert_eval(&b, argv[1]);
	if (do_hold && rc == 0)
		rc = hold_eval(&b, argv[1]);
	if (do_tasks == 3 && rc == 0)
		rc = list_tasks(&b, as_of ? as_of : date_quantile(&b, at < 1.0 ? at : 1.0) + (at >= 1.0));
	else if (do_tasks && rc == 0) {
		tk_dump = do_tasks == 2;
		rc = eval_tasks(&b, argv[1]);
	}
	kith_msgs_free(b.m, b.n);
	free(b.key);
	free(b.bulk);
	return rc;
}
