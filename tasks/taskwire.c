/* taskwire.c: see taskwire.h.  Also kith_task_records_free, so that code
 * handling task records never needs the libical adapter. */
#include "taskwire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/wire.h"

#define MAGIC_JOB    0x4b54574aU /* "KTWJ" */
#define MAGIC_RESULT 0x4b545752U /* "KTWR" */
#define MAX_ITEMS    (1u << 20)

void kith_task_record_clear(struct kith_task_record *r)
{
	free(r->uid);
	free(r->person_key);
	free(r->episode);
	free(r->summary);
	free(r->etag);
	memset(r, 0, sizeof(*r));
}

void kith_task_records_free(struct kith_task_record *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		kith_task_record_clear(&v[i]);
	free(v);
}

/* ---- writing ---- */

static void put_f64(struct kith_hbuf *b, double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u)); /* the exact value: the writer prints it */
	kith_wire_put_i64(b, (int64_t)u);
}

static void put_want(struct kith_hbuf *b, const struct kith_task_want *w)
{
	kith_wire_put_u32(b, (uint32_t)w->kind);
	kith_wire_put_str(b, w->person_key);
	kith_wire_put_str(b, w->person_name);
	kith_wire_put_str(b, w->episode);
	kith_wire_put_str(b, w->uid);
	kith_wire_put_str(b, w->summary);
	kith_wire_put_str(b, w->description);
	kith_wire_put_str(b, w->message_id);
	kith_wire_put_str(b, w->subject);
	kith_wire_put_i64(b, w->since);
	kith_wire_put_i64(b, w->due);
	kith_wire_put_i64(b, w->priority);
	put_f64(b, w->depth);
	kith_wire_put_u32(b, (uint32_t)w->tier);
}

static void put_record(struct kith_hbuf *b, const struct kith_task_record *r)
{
	kith_wire_put_str(b, r->uid);
	kith_wire_put_str(b, r->person_key);
	kith_wire_put_u32(b, (uint32_t)r->kind);
	kith_wire_put_str(b, r->episode);
	kith_wire_put_str(b, r->summary);
	kith_wire_put_u32(b, (uint32_t)r->status);
	kith_wire_put_i64(b, r->due);
	kith_wire_put_i64(b, r->created);
	kith_wire_put_i64(b, r->modified);
	kith_wire_put_i64(b, r->sequence);
	kith_wire_put_i64(b, r->priority);
	kith_wire_put_str(b, r->etag);
}

static void put_records(struct kith_hbuf *b, const struct kith_task_record *v, size_t n)
{
	kith_wire_put_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		put_record(b, &v[i]);
}

void kith_taskwire_put_job(struct kith_hbuf *b, const struct kith_task_opts *o,
			   const struct kith_task_want *wants, size_t n_wants,
			   const struct kith_task_record *records, size_t n_records, int64_t now)
{
	kith_wire_put_u32(b, MAGIC_JOB);
	kith_wire_put_str(b, o->dir);
	kith_wire_put_str(b, o->feed_path);
	kith_wire_put_u32(b, (uint32_t)o->as_events);
	kith_wire_put_i64(b, now);
	kith_wire_put_u32(b, (uint32_t)n_wants);
	for (size_t i = 0; i < n_wants; i++)
		put_want(b, &wants[i]);
	put_records(b, records, n_records);
}

void kith_taskwire_put_result(struct kith_hbuf *b, int rc, const char *err,
			      const struct kith_task_record *records, size_t n_records)
{
	kith_wire_put_u32(b, MAGIC_RESULT);
	kith_wire_put_i64(b, rc);
	kith_wire_put_str(b, err);
	put_records(b, records, n_records);
}

/* ---- reading ---- */

static double get_f64(struct kith_wire_rd *r)
{
	uint64_t u = (uint64_t)kith_wire_get_i64(r);
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

/* The next count, and an array of that many zeroed elements. */
static void *get_array(struct kith_wire_rd *r, size_t size, size_t *n)
{
	uint32_t c = kith_wire_get_u32(r);
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

static void get_want(struct kith_wire_rd *r, struct kith_task_want *w)
{
	w->kind = (enum kith_task_kind)kith_wire_get_u32(r);
	w->person_key = kith_wire_get_str(r);
	w->person_name = kith_wire_get_str(r);
	w->episode = kith_wire_get_str(r);
	w->uid = kith_wire_get_str(r);
	w->summary = kith_wire_get_str(r);
	w->description = kith_wire_get_str(r);
	w->message_id = kith_wire_get_str(r);
	w->subject = kith_wire_get_str(r);
	w->since = kith_wire_get_i64(r);
	w->due = kith_wire_get_i64(r);
	w->priority = (int)kith_wire_get_i64(r);
	w->depth = get_f64(r);
	w->tier = (enum kith_tier)kith_wire_get_u32(r);
}

static void get_record(struct kith_wire_rd *r, struct kith_task_record *t)
{
	t->uid = kith_wire_get_str(r);
	t->person_key = kith_wire_get_str(r);
	t->kind = (enum kith_task_kind)kith_wire_get_u32(r);
	t->episode = kith_wire_get_str(r);
	t->summary = kith_wire_get_str(r);
	t->status = (enum kith_task_status)kith_wire_get_u32(r);
	t->due = kith_wire_get_i64(r);
	t->created = kith_wire_get_i64(r);
	t->modified = kith_wire_get_i64(r);
	t->sequence = (int)kith_wire_get_i64(r);
	t->priority = (int)kith_wire_get_i64(r);
	t->etag = kith_wire_get_str(r);
}

static struct kith_task_record *get_records(struct kith_wire_rd *r, size_t *n)
{
	struct kith_task_record *v = get_array(r, sizeof(*v), n);

	for (size_t i = 0; v && i < *n && !r->bad && !r->oom; i++)
		get_record(r, &v[i]);
	return v;
}

int kith_taskwire_get_job(const void *p, size_t n, struct kith_task_job *job)
{
	struct kith_wire_rd r = { .p = p, .n = n };

	memset(job, 0, sizeof(*job));
	if (kith_wire_get_u32(&r) != MAGIC_JOB)
		return -EBADMSG;
	job->dir = kith_wire_get_str(&r);
	job->feed_path = kith_wire_get_str(&r);
	job->opts.dir = job->dir;
	job->opts.feed_path = job->feed_path;
	job->opts.as_events = (int)kith_wire_get_u32(&r);
	job->now = kith_wire_get_i64(&r);
	job->wants = get_array(&r, sizeof(*job->wants), &job->n_wants);
	for (size_t i = 0; job->wants && i < job->n_wants && !r.bad && !r.oom; i++)
		get_want(&r, &job->wants[i]);
	job->records = get_records(&r, &job->n_records);
	if (!job->dir)
		r.bad = 1;
	return kith_wire_status(&r);
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
	struct kith_wire_rd r = { .p = p, .n = n };
	char *e;
	int st;

	*records = NULL;
	*n_records = 0;
	if (kith_wire_get_u32(&r) != MAGIC_RESULT)
		return -EBADMSG;
	*rc = (int)kith_wire_get_i64(&r);
	e = kith_wire_get_str(&r);
	if (e && errlen)
		snprintf(err, errlen, "%s", e);
	free(e);
	*records = get_records(&r, n_records);
	if ((st = kith_wire_status(&r)) < 0) {
		kith_task_records_free(*records, *n_records);
		*records = NULL;
		*n_records = 0;
	}
	return st;
}
