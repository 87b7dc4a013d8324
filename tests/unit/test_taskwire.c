/* test_taskwire.c: the job and result kithd and kithd-tasks exchange. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "taskwire.h"

static void fill_want(struct kith_task_want *w, int i)
{
	char buf[64];

	memset(w, 0, sizeof(*w));
	w->kind = (enum kith_task_kind)(i % 3);
	snprintf(buf, sizeof(buf), "p%d@example.org", i);
	w->person_key = strdup(buf);
	w->person_name = i % 2 ? strdup("Ana \xc3\x81lvarez") : NULL;
	w->episode = strdup("ep");
	w->uid = strdup("kith-uid.1");
	w->summary = strdup("Reply to Ana");
	w->description = strdup("line one\nline two\ttab");
	w->message_id = NULL;
	w->subject = strdup("");
	w->since = -5;
	w->due = 1800000000LL + i;
	w->priority = 3;
	w->depth = 64.4499999999 + i;
	w->tier = KITH_TIER_CLOSE;
}

static void fill_record(struct kith_task_record *r, int i)
{
	memset(r, 0, sizeof(*r));
	r->uid = strdup(i ? "u2" : "u1");
	r->person_key = strdup("p@example.org");
	r->kind = KITH_TASK_WAITING;
	r->episode = NULL;
	r->summary = strdup("s");
	r->status = KITH_TS_USER_DONE;
	r->due = INT64_MIN;
	r->created = 1;
	r->modified = INT64_MAX;
	r->sequence = 7;
	r->priority = 9;
	r->etag = strdup("abc");
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void test_job_roundtrip(void)
{
	struct kith_task_want w[3];
	struct kith_task_record r[2];
	struct kith_task_opts o = { .dir = "/tmp/t", .feed_path = NULL, .as_events = 1 };
	struct kith_task_job job;
	struct kith_hbuf b;

	for (int i = 0; i < 3; i++)
		fill_want(&w[i], i);
	for (int i = 0; i < 2; i++)
		fill_record(&r[i], i);
	kith_hbuf_init(&b);
	kith_taskwire_put_job(&b, &o, w, 3, r, 2, 1799999999);
	CHECK(!b.oom);
	CHECK_INT(kith_taskwire_get_job(b.p, b.len, &job), 0);
	CHECK_STR(job.opts.dir, "/tmp/t");
	CHECK_NULL(job.opts.feed_path);
	CHECK_INT(job.opts.as_events, 1);
	CHECK_INT(job.now, 1799999999);
	CHECK_INT(job.n_wants, 3);
	CHECK_INT(job.n_records, 2);
	for (size_t i = 0; i < job.n_wants && i < 3; i++) {
		CHECK(same_str(job.wants[i].person_name, w[i].person_name));
		CHECK(same_str(job.wants[i].description, w[i].description));
		CHECK(same_str(job.wants[i].subject, w[i].subject));
		CHECK_NULL(job.wants[i].message_id);
		CHECK(job.wants[i].depth == w[i].depth); /* bit for bit */
		CHECK_INT(job.wants[i].since, -5);
		CHECK_INT(job.wants[i].kind, w[i].kind);
		CHECK_INT(job.wants[i].tier, KITH_TIER_CLOSE);
	}
	CHECK_INT(job.records[1].due, INT64_MIN);
	CHECK_INT(job.records[1].modified, INT64_MAX);
	CHECK_INT(job.records[1].status, KITH_TS_USER_DONE);
	CHECK_NULL(job.records[1].episode);
	CHECK_STR(job.records[1].uid, "u2");
	kith_task_job_free(&job);
	/* every truncation is refused, never read past */
	for (size_t cut = 0; cut < b.len; cut += 7) {
		int rc = kith_taskwire_get_job(b.p, cut, &job);
		if (rc != -EBADMSG)
			t_failed++;
		kith_task_job_free(&job);
	}
	kith_hbuf_free(&b);
	kith_task_wants_free(NULL, 0);
	for (int i = 0; i < 3; i++) {
		free(w[i].person_key); free(w[i].person_name); free(w[i].episode); free(w[i].uid);
		free(w[i].summary); free(w[i].description); free(w[i].subject);
	}
	for (int i = 0; i < 2; i++) {
		free(r[i].uid); free(r[i].person_key); free(r[i].summary); free(r[i].etag);
	}
}

static void test_result_and_garbage(void)
{
	struct kith_task_record rec, *out = NULL;
	struct kith_hbuf b;
	char err[32] = "", junk[64];
	size_t n = 9;
	int rc = 5;

	fill_record(&rec, 0);
	kith_hbuf_init(&b);
	kith_taskwire_put_result(&b, -13, "cannot write /tmp/t: Permission denied", &rec, 1);
	CHECK_INT(kith_taskwire_get_result(b.p, b.len, &rc, err, sizeof(err), &out, &n), 0);
	CHECK_INT(rc, -13);
	CHECK_STR(err, "cannot write /tmp/t: Permission"); /* truncated to errlen */
	CHECK_INT(n, 1);
	CHECK(out && same_str(out[0].etag, "abc"));
	kith_task_records_free(out, n);
	/* a result is not a job, and junk is neither */
	{
		struct kith_task_job job;

		CHECK_INT(kith_taskwire_get_job(b.p, b.len, &job), -EBADMSG);
		kith_task_job_free(&job);
	}
	memset(junk, 0xff, sizeof(junk));
	CHECK_INT(kith_taskwire_get_result(junk, sizeof(junk), &rc, err, sizeof(err), &out, &n), -EBADMSG);
	CHECK_NULL(out);
	/* an absurd count is refused before any allocation */
	kith_hbuf_free(&b);
	kith_hbuf_init(&b);
	kith_taskwire_put_result(&b, 0, NULL, NULL, 0);
	memset(b.p + b.len - 4, 0x7f, 4);
	CHECK_INT(kith_taskwire_get_result(b.p, b.len, &rc, err, sizeof(err), &out, &n), -EBADMSG);
	kith_hbuf_free(&b);
	free(rec.uid); free(rec.person_key); free(rec.summary); free(rec.etag);
}

int main(void)
{
	test_job_roundtrip();
	test_result_and_garbage();
	return T_DONE();
}
