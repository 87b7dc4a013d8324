/* cycle.c: see cycle.h. */
#include "cycle.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analysis/run.h"
#include "../lib/followup.h"
#include "log.h"
#include "../tasks/tasks.h"
#include "../tasks/tasks_child.h"
#include "tasks_plan.h"

static void wipe_free(char *secret)
{
	if (!secret)
		return;
	explicit_bzero(secret, strlen(secret));
	free(secret);
}

/* FNV-1a over the key's bytes, then the secret's. */
static uint64_t keyed_digest(uint64_t key, const char *secret)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (int i = 0; i < 8; i++)
		h = (h ^ ((key >> (8 * i)) & 0xff)) * 0x100000001b3ULL;
	for (const unsigned char *p = (const unsigned char *)secret; *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	return h;
}

int kith_cycle_secret_digest(const struct kith_account *a, uint64_t key, uint64_t *out,
			     char *err, size_t errlen)
{
	char *secret = NULL;
	int oauth2, r = kith_account_secret(a, &secret, &oauth2, err, errlen);

	if (r == 0)
		*out = keyed_digest(key, secret);
	wipe_free(secret);
	return r;
}

static int run_session(const struct kith_config *c, const struct kith_sync_request *req,
		       const struct kith_sink *sink, const struct kith_cycle_opts *o,
		       char *err, size_t errlen)
{
	if (o->contain)
		return kith_imap_session_contained(req, sink, c->memory_limit_mb, err, errlen);
	return kith_imap_session(req, sink, err, errlen);
}

/* Why: the secret is fetched per session (a pass_cmd may rotate it) and
 * wiped as soon as the session ends; the store records success or the
 * error text for `kith status`. */
int kith_cycle_sync_account(const struct kith_config *c, struct kith_store *st,
			    const struct kith_account *a,
			    const struct kith_cycle_opts *o,
			    struct kith_sync_stats *stats, char *err, size_t errlen)
{
	struct kith_folder_state *known = NULL;
	size_t n_known = 0;
	struct kith_sync s = { .store = st, .account = a->name, .stop = o->stop,
			       .tick = o->tick, .tick_ctx = o->tick_ctx };
	struct kith_sync_request req = { .account = a, .batch_first = 5000, .batch_size = 20000,
					 .idle_seconds = o->idle_seconds,
					 .protocol_log = o->protocol_log,
					 .wake_fd = o->wake ? o->wake_fd : -1, .wake = o->wake,
					 .tick = o->tick, .tick_ms = 10000, .hook_ctx = o->tick_ctx,
					 .refusal = o->refusal };
	struct kith_sink sink;
	char *secret = NULL;
	int r;

	if (o->refusal)
		*o->refusal = (struct kith_refusal){ 0 };
	r = kith_account_secret(a, &secret, &req.is_oauth2, err, errlen);
	if (r < 0)
		goto out;
	if (o->secret_digest)
		*o->secret_digest = keyed_digest(o->secret_key, secret);
	r = kith_store_folders(st, a->name, &known, &n_known);
	if (r < 0) {
		snprintf(err, errlen, "cannot read sync state: %s", strerror(-r));
		goto out;
	}
	s.known = known;
	s.n_known = n_known;
	req.secret = secret;
	req.known = known;
	req.n_known = n_known;
	kith_sync_sink(&s, &sink);
	/* the IMAP child is a copy of this process: fork it lean (it may idle
	 * for hours) */
	kith_store_release_memory(st);
	malloc_trim(0);
	r = run_session(c, &req, &sink, o, err, errlen);
	kith_sync_finish(&s);
	kith_store_release_memory(st);
	malloc_trim(0); /* the sync's cache pages: the analysis comes next */
	if (stats)
		*stats = s.stats;
out:
	wipe_free(secret);
	kith_folder_states_free(known, n_known);
	kith_store_account_status(st, a->name, 0, r < 0 ? err : NULL);
	return r;
}

struct rethink {
	struct kith_run_policy run;
	struct kith_analysis *a;
	struct kith_task_want *wants;
	size_t n_wants;
	struct kith_task_record *records;
	size_t n_records;
	int64_t next_change;    /* from the follow-up rules */
};

static void rethink_free(struct rethink *t)
{
	kith_task_records_free(t->records, t->n_records);
	kith_task_wants_free(t->wants, t->n_wants);
	kith_analysis_free(t->a);
	kith_run_policy_free(&t->run);
}

/* With the tasks, the analysis also gathers what the follow-up rules read
 * of the messages older than their horizon, so that they read only the
 * horizon again (lib/fu_prep.h; decide_tasks). */
static int build_policy(const struct kith_config *c, struct kith_store *st, struct rethink *t,
			int with_tasks)
{
	int r = kith_store_load_policy(st, &t->run.sp);

	if (r == 0)
		r = kith_run_policy_build(c, &t->run);
	t->run.policy.recent_days = with_tasks ? c->horizon_days : 0;
	return r;
}

static void followup_params(const struct kith_config *c, const struct rethink *t,
			    struct kith_followup_params *p)
{
	*p = (struct kith_followup_params){ .identities = t->run.policy.identities,
					    .n_identities = t->run.policy.n_identities };
	kith_config_followup_params(c, p);
}

/* The follow-up rules read the horizon's messages again (what they need
 * of the older ones the analysis gathered), through the analysis' source
 * (its count and bounds: the analysed rows).  Why they read them rather
 * than keep them from the analysis: the analysis streams them too (the
 * whole set alive beside its working memory was the process' peak); the
 * rules hold only the horizon's messages, beside the analysis' output.
 * -ESTALE when they are not the analysed messages. */
static int decide_tasks(struct kith_store *st, struct rethink *t,
			const struct kith_msg_source *src, const struct kith_followup_params *p,
			int64_t now, char *err, size_t errlen)
{
	int r = kith_followups_decide_source(t->a, src, p, t->run.sp.snoozes,
					     t->run.sp.n_snoozes, now, &t->wants, &t->n_wants,
					     &t->next_change);

	kith_store_release_memory(st);
	if (r == -ESTALE)
		snprintf(err, errlen, "messages changed during the analysis; tasks left for the next cycle");
	return r;
}

static int write_tasks(const struct kith_config *c, struct kith_store *st,
		       struct rethink *t, const struct kith_msg_source *src, int64_t now,
		       char *err, size_t errlen)
{
	struct kith_followup_params p;
	struct kith_task_opts o = { .dir = c->tasks_dir, .feed_path = c->tasks_feed,
				    .as_events = c->tasks_as_events };
	size_t n_write;
	int r;

	followup_params(c, t, &p);
	r = decide_tasks(st, t, src, &p, now, err, errlen);
	if (r < 0)
		return r;
	r = kith_store_load_tasks(st, &t->records, &t->n_records);
	if (r < 0)
		return r;
	kith_tasks_unhold(t->records, t->n_records);
	r = kith_tasks_plan(t->wants, t->n_wants, t->records, t->n_records, c->max_open_tasks,
			    now, &n_write);
	if (r < 0)
		return r;
	r = kith_tasks_sync_contained(&o, t->wants, n_write, &t->records, &t->n_records,
				      now, err, errlen);
	if (r == 0)
		r = kith_tasks_hold(t->wants + n_write, t->n_wants - n_write, &t->records,
				    &t->n_records, now);
	if (r < 0)
		return r;
	return kith_store_save_tasks(st, t->records, t->n_records);
}

/* Why: scores are derived data, so each cycle recomputes them from every
 * message plus the user's decisions instead of patching old numbers. */
int kith_cycle_rethink(const struct kith_config *c, struct kith_store *st,
		       int64_t now, int with_tasks, struct kith_rethink_stats *stats,
		       char *err, size_t errlen)
{
	struct rethink t = { 0 };
	struct kith_store_source ss;
	struct kith_msg_source src;
	int r;

	r = build_policy(c, st, &t, with_tasks);
	if (r == 0)
		r = kith_store_msg_source(st, now, &ss, &src);
	/* the analysis reads the messages row by row (the source drops the
	 * pages it reads: the analysis' peak is the process' peak) */
	if (r == 0)
		r = kith_analyze_source(&src, &t.run.policy, now, &t.a);
	if (r == 0)
		r = kith_store_save_analysis(st, t.a, NULL, now);
	if (r < 0 && !err[0])
		snprintf(err, errlen, "analysis failed: %s", strerror(-r));
	if (r == 0 && with_tasks)
		r = write_tasks(c, st, &t, &src, now, err, errlen);
	if (r < 0 && !err[0])
		snprintf(err, errlen, "writing tasks failed: %s", strerror(-r));
	if (stats && t.a) {
		*stats = (struct kith_rethink_stats){ t.a->n_msgs, t.a->n_people,
						      t.a->n_turns, t.n_wants,
						      r == 0 && with_tasks ? t.next_change : 0, 0, 0 };
		kith_store_saved_rows(st, &stats->rows_written, &stats->rows);
	}
	rethink_free(&t);
	kith_store_release_memory(st);
	malloc_trim(0); /* hand the analysis' memory back: kithd idles for hours */
	return r;
}
