/* taskwire.c: see taskwire.h.  Also kith_task_records_free, so that code
 * handling task records never needs the libical adapter. */
#include "taskwire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC_JOB    0x4b54574aU /* "KTWJ" */
#define MAGIC_RESULT 0x4b545752U /* "KTWR" */
#define NO_STRING    0xffffffffU
#define MAX_ITEMS    (1u << 20)

void kith_task_records_free(struct kith_task_record *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].uid);
		free(v[i].person_key);
		free(v[i].episode);
		free(v[i].summary);
		free(v[i].etag);
	}
	free(v);
}

/* ---- writing ---- */

static void put_u32(struct kith_hbuf *b, uint32_t v)
{
	char c[4] = { (char)(v & 0xff), (char)((v >> 8) & 0xff), (char)((v >> 16) & 0xff),
		      (char)(v >> 24) };

	kith_hbuf_put(b, c, 4);
}

static void put_i64(struct kith_hbuf *b, int64_t v)
{
	put_u32(b, (uint32_t)((uint64_t)v & 0xffffffffU));
	put_u32(b, (uint32_t)((uint64_t)v >> 32));
}

static void put_str(struct kith_hbuf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!s || n >= NO_STRING) {
		put_u32(b, NO_STRING);
		return;
	}
	put_u32(b, (uint32_t)n);
	kith_hbuf_put(b, s, n);
}

static void put_f64(struct kith_hbuf *b, double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u)); /* the exact value: the writer prints it */
	put_i64(b, (int64_t)u);
}

static void put_want(struct kith_hbuf *b, const struct kith_task_want *w)
{
	put_u32(b, (uint32_t)w->kind);
	put_str(b, w->person_key);
	put_str(b, w->person_name);
	put_str(b, w->episode);
	put_str(b, w->uid);
	put_str(b, w->summary);
	put_str(b, w->description);
	put_str(b, w->message_id);
	put_str(b, w->subject);
	put_i64(b, w->since);
	put_i64(b, w->due);
	put_i64(b, w->priority);
	put_f64(b, w->depth);
	put_u32(b, (uint32_t)w->tier);
}

static void put_record(struct kith_hbuf *b, const struct kith_task_record *r)
{
	put_str(b, r->uid);
	put_str(b, r->person_key);
	put_u32(b, (uint32_t)r->kind);
	put_str(b, r->episode);
	put_str(b, r->summary);
	put_u32(b, (uint32_t)r->status);
	put_i64(b, r->due);
	put_i64(b, r->created);
	put_i64(b, r->modified);
	put_i64(b, r->sequence);
	put_i64(b, r->priority);
	put_str(b, r->etag);
}

static void put_records(struct kith_hbuf *b, const struct kith_task_record *v, size_t n)
{
	put_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		put_record(b, &v[i]);
}

void kith_taskwire_put_job(struct kith_hbuf *b, const struct kith_task_opts *o,
			   const struct kith_task_want *wants, size_t n_wants,
			   const struct kith_task_record *records, size_t n_records, int64_t now)
{
	put_u32(b, MAGIC_JOB);
	put_str(b, o->dir);
	put_str(b, o->feed_path);
	put_u32(b, (uint32_t)o->as_events);
	put_i64(b, now);
	put_u32(b, (uint32_t)n_wants);
	for (size_t i = 0; i < n_wants; i++)
		put_want(b, &wants[i]);
	put_records(b, records, n_records);
}

void kith_taskwire_put_result(struct kith_hbuf *b, int rc, const char *err,
			      const struct kith_task_record *records, size_t n_records)
{
	put_u32(b, MAGIC_RESULT);
	put_i64(b, rc);
	put_str(b, err);
	put_records(b, records, n_records);
}

/* ---- reading ---- */

struct rd {
	const unsigned char *p;
	size_t n, at;
	int bad, oom;
};

static uint32_t get_u32(struct rd *r)
{
	const unsigned char *q;

	if (r->bad || r->n - r->at < 4) {
		r->bad = 1;
		return 0;
	}
	q = r->p + r->at;
	r->at += 4;
	return (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
}

static int64_t get_i64(struct rd *r)
{
	uint64_t lo = get_u32(r), hi = get_u32(r);

	return (int64_t)(lo | hi << 32);
}

static double get_f64(struct rd *r)
{
	uint64_t u = (uint64_t)get_i64(r);
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

/* A malloc'd copy of the next string, NULL for none (or on error). */
static char *get_str(struct rd *r)
{
	uint32_t n = get_u32(r);
	char *s;

	if (r->bad || n == NO_STRING)
		return NULL;
	if (r->n - r->at < n || memchr(r->p + r->at, '\0', n)) {
		r->bad = 1;
		return NULL;
	}
	if (!(s = malloc((size_t)n + 1))) {
		r->oom = 1;
		return NULL;
	}
	memcpy(s, r->p + r->at, n);
	s[n] = '\0';
	r->at += n;
	return s;
}

/* The next count, and an array of that many zeroed elements. */
static void *get_array(struct rd *r, size_t size, size_t *n)
{
	uint32_t c = get_u32(r);
	void *v;

	*n = 0;
	if (r->bad || c > MAX_ITEMS) {
		r->bad = 1;
		return NULL;
	}
	if (!(v = calloc(c ? c : 1, size))) {
		r->oom = 1;
		return NULL;
	}
	*n = c;
	return v;
}

static void get_want(struct rd *r, struct kith_task_want *w)
{
	w->kind = (enum kith_task_kind)get_u32(r);
	w->person_key = get_str(r);
	w->person_name = get_str(r);
	w->episode = get_str(r);
	w->uid = get_str(r);
	w->summary = get_str(r);
	w->description = get_str(r);
	w->message_id = get_str(r);
	w->subject = get_str(r);
	w->since = get_i64(r);
	w->due = get_i64(r);
	w->priority = (int)get_i64(r);
	w->depth = get_f64(r);
	w->tier = (enum kith_tier)get_u32(r);
}

static void get_record(struct rd *r, struct kith_task_record *t)
{
	t->uid = get_str(r);
	t->person_key = get_str(r);
	t->kind = (enum kith_task_kind)get_u32(r);
	t->episode = get_str(r);
	t->summary = get_str(r);
	t->status = (enum kith_task_status)get_u32(r);
	t->due = get_i64(r);
	t->created = get_i64(r);
	t->modified = get_i64(r);
	t->sequence = (int)get_i64(r);
	t->priority = (int)get_i64(r);
	t->etag = get_str(r);
}

static struct kith_task_record *get_records(struct rd *r, size_t *n)
{
	struct kith_task_record *v = get_array(r, sizeof(*v), n);

	for (size_t i = 0; v && i < *n && !r->bad && !r->oom; i++)
		get_record(r, &v[i]);
	return v;
}

static int rd_status(const struct rd *r)
{
	if (r->oom)
		return -ENOMEM;
	return r->bad || r->at != r->n ? -EBADMSG : 0;
}

int kith_taskwire_get_job(const void *p, size_t n, struct kith_task_job *job)
{
	struct rd r = { .p = p, .n = n };

	memset(job, 0, sizeof(*job));
	if (get_u32(&r) != MAGIC_JOB)
		return -EBADMSG;
	job->dir = get_str(&r);
	job->feed_path = get_str(&r);
	job->opts.dir = job->dir;
	job->opts.feed_path = job->feed_path;
	job->opts.as_events = (int)get_u32(&r);
	job->now = get_i64(&r);
	job->wants = get_array(&r, sizeof(*job->wants), &job->n_wants);
	for (size_t i = 0; job->wants && i < job->n_wants && !r.bad && !r.oom; i++)
		get_want(&r, &job->wants[i]);
	job->records = get_records(&r, &job->n_records);
	if (!job->dir)
		r.bad = 1;
	return rd_status(&r);
}

void kith_task_job_free(struct kith_task_job *job)
{
	free(job->dir);
	free(job->feed_path);
	kith_task_wants_free(job->wants, job->n_wants);
	kith_task_records_free(job->records, job->n_records);
	memset(job, 0, sizeof(*job));
}

int kith_taskwire_get_result(const void *p, size_t n, int *rc, char *err, size_t errlen,
			     struct kith_task_record **records, size_t *n_records)
{
	struct rd r = { .p = p, .n = n };
	char *e;
	int st;

	*records = NULL;
	*n_records = 0;
	if (get_u32(&r) != MAGIC_RESULT)
		return -EBADMSG;
	*rc = (int)get_i64(&r);
	e = get_str(&r);
	if (e && errlen)
		snprintf(err, errlen, "%s", e);
	free(e);
	*records = get_records(&r, n_records);
	if ((st = rd_status(&r)) < 0) {
		kith_task_records_free(*records, *n_records);
		*records = NULL;
		*n_records = 0;
	}
	return st;
}
