/* daemonloop.c: see daemonloop.h. */
#include "daemonloop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "absorb.h"
#include "basis.h"
#include "ctl.h"
#include "cycle.h"
#include "log.h"
#include "notify.h"
#include "isodate.h"
#include "../lib/refusal.h"

#define BACKOFF_CAP_S  3600
#define IDLE_MAX_S     (25 * 60) /* re-issue IDLE well before 29 minutes */

static volatile sig_atomic_t stop_flag, reload_flag;
static int sig_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (sig == SIGHUP)
		reload_flag = 1;
	else
		stop_flag = 1;
	if (sig_pipe[1] >= 0 && write(sig_pipe[1], &c, 1) < 0) {
		/* full pipe: the flag is enough */
	}
	errno = saved;
}

/* Why no SA_RESTART: a blocking read in the session's parent must return
 * EINTR so SIGTERM is honoured at the next safe point, within seconds. */
static int install_signals(void)
{
	struct sigaction sa = { 0 };

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

void kith_log_config_warnings(const struct kith_config *c)
{
	const char *const *w = NULL;
	size_t n = kith_config_warnings(c, &w);

	for (size_t i = 0; i < n; i++)
		log_warn("%s", w[i]);
}

int kith_backoff_seconds(unsigned failures, int base, int cap, double rand01)
{
	double s = kith_wait_doubled(base, failures, cap) * (0.8 + 0.4 * rand01);

	return s < 1 ? 1 : (int)s;
}

static int64_t think_time(const struct kith_daemon *d)
{
	return d->as_of ? d->as_of : (int64_t)time(NULL);
}

struct loop;
static void loop_tick(void *ctx);
static int loop_wake(void *ctx);

/* Seconds on the monotonic clock: how long a sync or an analysis took,
 * for the log (and the benchmark that reads it). */
static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What a session left for the loop to decide on. */
struct session_out {
	struct kith_refusal refusal;  /* what the server said if it refused */
	uint64_t digest;              /* of the secret used (kith_cycle_secret_digest) */
	char err[512];
};

/* The class kithd acts on: a refused login is one even when the server
 * said nothing readable ("the server disables LOGIN ..."). */
static enum kith_refusal_class refusal_of(int r, const struct kith_refusal *rf)
{
	if (r == -KITH_E_AUTH)
		return KITH_REFUSAL_AUTH;
	if (r == -KITH_E_BUSY && rf->cls != KITH_REFUSAL_QUOTA)
		return KITH_REFUSAL_THROTTLE;
	return r < 0 ? rf->cls : KITH_REFUSAL_NONE;
}

static int sync_one(struct kith_daemon *d, const struct kith_account *a, int idle_s,
		    struct loop *l, int ctl_fd, uint64_t key, struct session_out *out)
{
	struct kith_cycle_opts o = { .stop = &stop_flag, .contain = d->contain,
				     .protocol_log = d->protocol_log, .idle_seconds = idle_s,
				     .tick = loop_tick, .tick_ctx = l,
				     .wake_fd = ctl_fd, .wake = l ? loop_wake : NULL,
				     .refusal = &out->refusal, .secret_key = key,
				     .secret_digest = &out->digest };
	struct kith_sync_stats s = { 0 };
	char *err = out->err;
	double t0 = mono_s();
	int r;

	err[0] = '\0';
	out->digest = 0;
	kith_notify_status("syncing %s", a->name);
	r = kith_cycle_sync_account(d->config, d->store, a, &o, &s, err, sizeof(out->err));
	/* a refusal is said once, in plain words, by the caller */
	if (r < 0 && r != -EINTR) {
		if (refusal_of(r, &out->refusal) == KITH_REFUSAL_NONE)
			log_err("%s: %s", a->name, err[0] ? err : kith_source_strerror(r));
	} else
		log_info("%s: %llu messages in %.2f s, %llu folders changed, %llu unchanged%s",
			 a->name, (unsigned long long)s.messages, mono_s() - t0,
			 (unsigned long long)s.folders_changed,
			 (unsigned long long)s.folders_unchanged, r < 0 ? " (stopped)" : "");
	return r;
}

/* Records what the analysis just saved was made from (read before it
 * began: anything committed since makes the next --once analyse again). */
static void save_basis(struct kith_daemon *d, struct kith_store_basis *b, int with_tasks)
{
	b->with_tasks = with_tasks;
	kith_basis_tasks_seen(d->config, b); /* after our own task writes */
	if (kith_store_basis_save(d->store, b) < 0)
		log_warn("cannot record the analysis' basis: the next --once analyses again");
}

/* *next_change (may be NULL) gets the moment the tasks could first change
 * with time alone (0 without tasks). */
static int rethink(struct kith_daemon *d, int with_tasks, int64_t *next_change)
{
	struct kith_rethink_stats s = { 0 };
	struct kith_store_basis b;
	char err[512] = "";
	double t0 = mono_s();
	int known = kith_basis_now(d->config, d->store, think_time(d), &b) == 0;
	int r;

	kith_notify_status("analysing");
	r = kith_cycle_rethink(d->config, d->store, think_time(d), with_tasks, &s, err,
			       sizeof(err));
	if (r == 0)
		log_debug("saved %zu of %zu conversation and turn rows", s.rows_written, s.rows);
	if (r < 0)
		log_err("rethink: %s", err[0] ? err : strerror(-r));
	else if (with_tasks)
		log_info("%zu messages, %zu people, %zu turns, %zu tasks open (%.2f s)",
			 s.messages, s.people, s.turns, s.tasks_open, mono_s() - t0);
	else
		log_notice("%zu messages, %zu people; tasks left as they were until every "
			   "account syncs again", s.messages, s.people);
	b.next_change = r == 0 ? s.next_change : 0;
	if (r == 0 && known)
		save_basis(d, &b, with_tasks);
	if (next_change)
		*next_change = b.next_change;
	return r;
}

/* What the saved analysis was made from (*was), and what one made now
 * would be made from (*cur).  0, or -1 when either cannot be read. */
static int load_bases(struct kith_daemon *d, struct kith_store_basis *was,
		      struct kith_store_basis *cur)
{
	if (kith_basis_now(d->config, d->store, think_time(d), cur) < 0 ||
	    kith_store_basis_load(d->store, was) < 0)
		return -1;
	return 0;
}

/* 1 when the saved analysis was made from what the database holds now,
 * and its time still holds (basis.h); *at gets its time. */
static int saved_analysis_holds(const struct kith_store_basis *was,
				const struct kith_store_basis *cur, int with_tasks, int64_t *at)
{
	if (!kith_basis_holds(was, cur, with_tasks))
		return 0;
	log_info("nothing new since the analysis as of %lld: kept", (long long)was->at);
	*at = was->at;
	return 1;
}

/* New mail that changes nothing (absorb.h): the saved analysis and its
 * tasks stand, its basis moves to the mail now stored.  1 when so (*at
 * gets the analysis' time), else 0. */
static int absorbed_new_mail(struct kith_daemon *d, const struct kith_store_basis *was,
			     const struct kith_store_basis *cur, int with_tasks, int64_t *at)
{
	struct kith_store_basis b = *cur;
	const char *why = NULL;
	size_t n = 0;
	int r;

	if (d->as_of || !kith_basis_only_new_mail(was, cur, with_tasks))
		return 0;
	r = kith_absorb(d->config, d->store, was, cur, think_time(d), &n, &why);
	if (r <= 0) {
		if (r < 0)
			log_warn("judging new mail failed (%s): analysing everything", strerror(-r));
		else
			log_debug("new mail needs an analysis: %s", why);
		return 0;
	}
	/* the analysis is still the one made then; the task folder as read
	 * before judging (no task was written: a change since must be seen) */
	b.at = was->at;
	b.with_tasks = was->with_tasks;
	b.next_change = was->next_change; /* it changes no task (eval_inert) */
	if (kith_store_basis_save(d->store, &b) < 0)
		log_warn("cannot record the analysis' basis: the next --once analyses again");
	log_info("%zu new message%s change%s nothing: the analysis as of %lld is kept", n,
		 n == 1 ? "" : "s", n == 1 ? "s" : "", (long long)was->at);
	*at = was->at;
	return 1;
}

/* Why: a --once run from cron or a timer with nothing new would otherwise
 * analyse the whole mailbox again (seconds at a million messages) to save
 * the same result.  See basis.h for what "nothing new" covers. */
static int rethink_if_changed(struct kith_daemon *d, int with_tasks)
{
	struct kith_store_basis was, cur;
	int64_t at;

	if (load_bases(d, &was, &cur) == 0 &&
	    (saved_analysis_holds(&was, &cur, with_tasks, &at) ||
	     absorbed_new_mail(d, &was, &cur, with_tasks, &at)))
		return 0;
	return rethink(d, with_tasks, NULL);
}

/* "5 minutes", "45 seconds", "2 hours": a wait in the log's words. */
static void say_wait(int s, char *buf, size_t n)
{
	if (s < 120)
		snprintf(buf, n, "%d second%s", s, s == 1 ? "" : "s");
	else if (s < 2 * 3600)
		snprintf(buf, n, "%d minutes", (s + 30) / 60);
	else
		snprintf(buf, n, "%d hours", (s + 1800) / 3600);
}

/* One line in plain words for a refusal: what the server said and what
 * kithd does about it.  wait_s < 0: no retry is planned (--once, or a
 * refused login). */
static void log_refusal(const struct kith_account *a, enum kith_refusal_class c,
			const struct session_out *o, int wait_s)
{
	const char *said = o->refusal.text[0] ? o->refusal.text : o->err;
	char w[40], then[120] = "";

	if (wait_s >= 0) {
		say_wait(wait_s, w, sizeof w);
		snprintf(then, sizeof then, "; kith waits %s before trying again", w);
	}
	if (c == KITH_REFUSAL_THROTTLE)
		log_notice("%s: %s asks kith to slow down (\"%s\")%s", a->name, a->host, said, then);
	else if (c == KITH_REFUSAL_QUOTA)
		log_notice("%s: %s says the account is over a quota (\"%s\")%s", a->name, a->host,
			   said, then);
	else if (c == KITH_REFUSAL_BYE)
		log_notice("%s: %s closed the connection (\"%s\")%s", a->name, a->host, said, then);
	else if (c == KITH_REFUSAL_AUTH) /* what kith tried says more here ("XOAUTH2") */
		log_err("%s: %s refused the login (%s); kith will not log in again until the "
			"password or the configuration changes, or `kith sync` is run", a->name,
			a->host, o->err[0] ? o->err : said);
}

/* The account's state for `kith status` (NULL class: nothing wrong). */
static void record_state(struct kith_daemon *d, const struct kith_account *a,
			 enum kith_refusal_class c, const struct session_out *o, int64_t now,
			 int64_t next_try)
{
	const char *said = o && o->refusal.text[0] ? o->refusal.text : o ? o->err : NULL;
	int r = kith_store_account_state(d->store, a->name, kith_refusal_name(c), said, now,
					 next_try);

	if (r < 0)
		log_warn("%s: cannot record the account's state: %s", a->name, strerror(-r));
}

/* Why: a peak taken from outside (/usr/bin/time's %M, wait4) is the
 * largest of kithd and its children, and a child forked after the
 * analysis counts the pages it shares with kithd.  RUSAGE_SELF is this
 * process alone (bench/scale_bench.sh prints both). */
static void log_peak_rss(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == 0)
		log_debug("peak RSS of kithd itself: %ld KiB", ru.ru_maxrss);
}

int kith_daemon_once(struct kith_daemon *d)
{
	struct session_out o;
	int failed = 0;

	if (install_signals() < 0)
		return 1;
	for (size_t i = 0; i < d->config->n_accounts && !stop_flag; i++) {
		const struct kith_account *a = &d->config->accounts[i];
		int r = sync_one(d, a, 0, NULL, -1, 0, &o);
		enum kith_refusal_class c = refusal_of(r, &o.refusal);

		if (r < 0)
			failed = 1;
		log_refusal(a, c, &o, -1);
		if (r != -EINTR)
			record_state(d, a, c, &o, time(NULL), KITH_DATE_NONE);
	}
	if (!stop_flag && rethink_if_changed(d, !failed) < 0)
		failed = 1;
	log_peak_rss();
	return stop_flag ? 0 : failed;
}

/* Per-account retry state for the forever loop. */
struct account_state {
	int64_t next_due;
	unsigned failures;
	unsigned quick_agains;  /* sessions in a row that asked to go again within seconds */
	enum kith_refusal_class refused; /* the last session's refusal (logged once) */
	unsigned refused_n;     /* sessions in a row refused so */
	int auth_blocked;       /* the login was refused: no session until the secret
				   changes, a reload, or `kith sync` */
	uint64_t secret_digest; /* of the secret that was refused */
};

/* A server that reports news on every IDLE at once must not make kithd
 * log in back to back: after this many quick repeats, wait a while. */
#define QUICK_AGAIN_S     5
#define QUICK_AGAIN_MAX   5
#define QUICK_AGAIN_PAUSE 60

struct loop {
	struct kith_daemon *d;
	struct account_state *acct;
	size_t n_acct;
	int ctl_fd;
	int sync_now;
	int ready;
	int thought;                  /* an analysis ran: the fields below hold */
	int thought_tasks;            /* ... and wrote tasks */
	int64_t thought_at;
	int64_t thought_until;        /* ... and holds until then (hold_until) */
	struct kith_store_fp thought_fp;
	struct timespec thought_tasks_mtime;
	uint64_t secret_key;          /* keys the secrets' digests; random per process */
};

/* Until when an analysis made at `at` holds when nothing else changes:
 * the end of its UTC day (recency, and with it depth and tiers, move a
 * little every day; a daily check), or sooner when its tasks would move
 * (next_change, followup.h: a delay or a window running out, someone
 * becoming due for keep-in-touch).  Why not every hour, as before: at a
 * million messages each analysis costs seconds of CPU, and 23 of 24 came
 * to the same tasks (docs/architecture.md, "Time passing"). */
static int64_t hold_until(const struct kith_daemon *d, int64_t at, int64_t next_change)
{
	int64_t day_end = kith_utc_day_end(at) + 1;

	if (d->as_of) /* time stands still: only a change of data counts */
		return INT64_MAX;
	return next_change > 0 && next_change < day_end ? next_change : day_end;
}

static void announce_ready(struct loop *l, const char *status)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%sSTATUS=%s", l->ready ? "" : "READY=1\n", status);
	kith_notify(msg);
	l->ready = 1;
}

/* Why READY here: ticks come with each header stored and every 10 s while
 * the session's child works, so a long first sync (or a slow server) never
 * keeps systemd waiting; STATUS= says what is under way, and a failure is
 * reported by after_sync's own STATUS. */
static void loop_tick(void *ctx)
{
	struct loop *l = ctx;

	if (l && !l->ready)
		announce_ready(l, "first sync under way");
	kith_notify_watchdog();
}

static int ctl_command(void *ctx, const char *cmd, char *reply, size_t n);

/* Serves the control socket while a session runs; ends the session when
 * the user asked for a sync (it ends an IDLE), a reload or a stop. */
static int loop_wake(void *ctx)
{
	struct loop *l = ctx;

	kith_ctl_accept(l->ctl_fd, ctl_command, l);
	return l->sync_now || reload_flag || stop_flag;
}

static int loop_accounts_reset(struct loop *l)
{
	free(l->acct);
	l->n_acct = l->d->config->n_accounts;
	l->acct = calloc(l->n_acct ? l->n_acct : 1, sizeof(*l->acct));
	return l->acct ? 0 : -ENOMEM;
}

/* A session went well: if the account was failing, say it is back. */
static void after_success(struct loop *l, size_t i, int64_t now)
{
	struct account_state *s = &l->acct[i];
	const struct kith_account *a = &l->d->config->accounts[i];

	if (s->refused != KITH_REFUSAL_NONE)
		log_notice("%s: %s accepts kith again", a->name, a->host);
	if (s->failures || s->refused != KITH_REFUSAL_NONE)
		record_state(l->d, a, KITH_REFUSAL_NONE, NULL, now, KITH_DATE_NONE);
	s->failures = 0;
	s->refused = KITH_REFUSAL_NONE;
	s->auth_blocked = 0;
}

/* systemd's STATUS= while an account waits. */
static void announce_wait(struct loop *l, const struct kith_account *a,
			  enum kith_refusal_class cls, int wait)
{
	char st[200], w[40];

	say_wait(wait, w, sizeof w);
	if (cls == KITH_REFUSAL_AUTH)
		snprintf(st, sizeof(st), "%s: login refused; waiting for a new password or kith sync",
			 a->name);
	else
		snprintf(st, sizeof(st), "waiting to retry %s in %s", a->name, w);
	announce_ready(l, st);
}

/* Why by class: a throttled server is left alone for minutes (it said
 * so), a refused login is not tried again on its own (providers lock
 * accounts that retry bad passwords), anything else backs off from
 * retry_wait.  Each state is logged once, when it begins. */
static void after_failure(struct loop *l, size_t i, int r, const struct session_out *o,
			  int64_t now)
{
	struct account_state *s = &l->acct[i];
	const struct kith_config *c = l->d->config;
	const struct kith_account *a = &c->accounts[i];
	enum kith_refusal_class cls = refusal_of(r, &o->refusal);
	double rnd = (double)rand() / ((double)RAND_MAX + 1);
	unsigned n = cls == s->refused ? s->refused_n + 1 : 1;
	int wait = kith_refusal_wait(cls, n, o->refusal.hint_s, c->throttle_wait_s, rnd);

	s->failures++;
	s->refused_n = n;
	if (wait < 0)
		wait = kith_backoff_seconds(s->failures, c->retry_wait_s, BACKOFF_CAP_S, rnd);
	if (cls == KITH_REFUSAL_AUTH) {
		s->auth_blocked = 1;
		s->secret_digest = o->digest;
		wait = c->poll_interval_s; /* only to look at the secret again */
	}
	s->next_due = now + wait;
	if (cls != KITH_REFUSAL_NONE && cls != s->refused)
		log_refusal(a, cls, o, cls == KITH_REFUSAL_AUTH ? -1 : wait);
	else if (cls == KITH_REFUSAL_NONE)
		log_notice("%s: retrying in %d s (attempt %u)", a->name, wait, s->failures + 1);
	else
		log_debug("%s: still %s; next try in %d s", a->name, kith_refusal_name(cls), wait);
	s->refused = cls;
	record_state(l->d, a, cls, o, now, cls == KITH_REFUSAL_AUTH ? KITH_DATE_NONE : now + wait);
	announce_wait(l, a, cls, wait);
}

static void after_sync(struct loop *l, size_t i, int r, const struct session_out *o,
		       int64_t started, int64_t now)
{
	struct account_state *s = &l->acct[i];

	if (r == -EINTR) { /* a signal, not a failure: go again at once */
		s->next_due = now;
		return;
	}
	if (r == KITH_SYNC_AGAIN) { /* news, or mail to analyse before idling */
		after_success(l, i, now);
		s->quick_agains = now - started < QUICK_AGAIN_S ? s->quick_agains + 1 : 0;
		s->next_due = now + (s->quick_agains > QUICK_AGAIN_MAX ? QUICK_AGAIN_PAUSE : 0);
		announce_ready(l, "synced, new mail");
		return;
	}
	s->quick_agains = 0;
	if (r == 0) {
		after_success(l, i, now);
		s->next_due = now + l->d->config->poll_interval_s;
		announce_ready(l, "synced, watching for new mail");
		return;
	}
	after_failure(l, i, r, o, now);
}

/* Why IDLE only with a single account: a session that idles holds the loop,
 * and with several accounts the others would starve; they poll instead. */
static int idle_budget(const struct loop *l)
{
	int p = l->d->config->poll_interval_s;
	int64_t wd = kith_notify_watchdog_interval_ms();

	if (l->n_acct != 1 || l->d->as_of)
		return 0;
	if (p > IDLE_MAX_S)
		p = IDLE_MAX_S;
	/* the parent waits without pinging while the child idles */
	if (wd > 0 && p > wd / 2000)
		p = (int)(wd / 2000);
	return p;
}

static int all_accounts_healthy(const struct loop *l)
{
	for (size_t i = 0; i < l->n_acct; i++)
		if (l->acct[i].failures)
			return 0;
	return 1;
}

/* Why: a poll that brought nothing would recompute the same scores (half
 * a second of CPU on a 100k-message mailbox, every few minutes, for
 * months).  The analysis is redone when mail or a decision changed the
 * database, when the user's task apps changed the task folder, when tasks
 * may be written again after a failed sync, or when the last one is an
 * hour old; else it is kept. */
/* The task folder's mtime: todoman, vdirsyncer or a CalDAV sync adding,
 * completing or removing a task file renames or unlinks in it. */
static struct timespec tasks_mtime(const struct loop *l)
{
	struct stat st;
	struct timespec none = { 0, 0 };

	if (!l->d->config->tasks_dir || stat(l->d->config->tasks_dir, &st) < 0)
		return none;
	return st.st_mtim;
}

static void maybe_rethink(struct loop *l, int with_tasks)
{
	struct kith_store_fp fp;
	struct kith_store_basis was, cur;
	struct timespec tm = tasks_mtime(l);
	int64_t now = time(NULL), at, next_change = 0;
	int known = kith_store_fingerprint(l->d->store, &fp) == 0, bases;

	if (known && l->thought && !memcmp(&fp, &l->thought_fp, sizeof(fp)) &&
	    tm.tv_sec == l->thought_tasks_mtime.tv_sec &&
	    tm.tv_nsec == l->thought_tasks_mtime.tv_nsec &&
	    (l->thought_tasks || !with_tasks) && now < l->thought_until &&
	    now >= l->thought_at) {
		log_debug("nothing changed since the analysis of %lld s ago: kept for %lld s more",
			  (long long)(now - l->thought_at), (long long)(l->thought_until - now));
		return;
	}
	bases = known && load_bases(l->d, &was, &cur) == 0;
	/* a restarted daemon: the analysis saved before may still hold */
	if (!l->thought && bases && !l->d->as_of &&
	    saved_analysis_holds(&was, &cur, with_tasks, &l->thought_at)) {
		l->thought_until = hold_until(l->d, was.at, was.next_change);
		l->thought = 1;
		l->thought_fp = fp;
		l->thought_tasks_mtime = tm;
		l->thought_tasks = with_tasks;
		return;
	}
	if (bases && absorbed_new_mail(l->d, &was, &cur, with_tasks, &at)) {
		if (!l->thought)
			l->thought_at = at;
		l->thought_until = hold_until(l->d, was.at, was.next_change);
		l->thought = kith_store_fingerprint(l->d->store, &l->thought_fp) == 0;
		l->thought_tasks_mtime = tm;
		l->thought_tasks = with_tasks;
		return;
	}
	l->thought = rethink(l->d, with_tasks, &next_change) == 0 && known;
	/* read again: this connection's own writes leave data_version alone,
	 * but a decision committed during the analysis must not be missed */
	if (l->thought && kith_store_fingerprint(l->d->store, &fp) == 0) {
		l->thought_fp = fp;
		l->thought_tasks_mtime = tasks_mtime(l); /* after our own writes */
		l->thought_tasks = with_tasks;
		l->thought_at = now;
		l->thought_until = hold_until(l->d, now, next_change);
	} else {
		l->thought = 0;
	}
}

/* An account whose login was refused: has its secret changed since?
 * (pass_cmd, pass_file or oauth2_token_cmd gives another one.) */
static int secret_changed(struct loop *l, size_t i)
{
	const struct kith_account *a = &l->d->config->accounts[i];
	uint64_t now_digest;
	char err[256] = "";

	if (kith_cycle_secret_digest(a, l->secret_key, &now_digest, err, sizeof err) < 0 ||
	    now_digest == l->acct[i].secret_digest)
		return 0;
	log_notice("%s: the password changed; trying to log in again", a->name);
	return 1;
}

static void run_due_accounts(struct loop *l)
{
	int64_t now = time(NULL);
	int any = 0;
	struct session_out o;

	for (size_t i = 0; i < l->n_acct && !stop_flag && !reload_flag; i++) {
		if (!l->sync_now && l->acct[i].next_due > now)
			continue;
		if (!l->sync_now && l->acct[i].auth_blocked && !secret_changed(l, i)) {
			l->acct[i].next_due = now + l->d->config->poll_interval_s;
			continue;
		}
		int64_t started = time(NULL);
		int r = sync_one(l->d, &l->d->config->accounts[i], idle_budget(l), l, l->ctl_fd,
				 l->secret_key, &o);
		after_sync(l, i, r, &o, started, time(NULL));
		any = 1;
	}
	l->sync_now = 0;
	if (any && !stop_flag)
		maybe_rethink(l, all_accounts_healthy(l));
}

static void reload_config(struct loop *l)
{
	struct kith_config *c = NULL;
	char err[4096] = "";
	const char *path = l->d->config_path ? l->d->config_path : l->d->config->path;

	reload_flag = 0;
	kith_notify("RELOADING=1");
	if (kith_config_load(path, &c, err, sizeof(err)) < 0) {
		log_err("reload refused, keeping the running configuration: %s", err);
	} else {
		kith_config_free(l->d->config);
		l->d->config = c;
		l->thought = 0; /* identities, people and follow-up rules may differ */
		kith_log_config_warnings(c);
		loop_accounts_reset(l);
		log_notice("configuration reloaded from %s", path);
	}
	kith_notify("READY=1");
}

static int64_t next_wakeup(const struct loop *l)
{
	int64_t t = INT64_MAX;

	for (size_t i = 0; i < l->n_acct; i++)
		if (l->acct[i].next_due < t)
			t = l->acct[i].next_due;
	return t;
}

static int ctl_command(void *ctx, const char *cmd, char *reply, size_t n)
{
	struct loop *l = ctx;

	if (strcmp(cmd, "sync") == 0) {
		l->sync_now = 1;
		snprintf(reply, n, "sync started");
	} else if (strcmp(cmd, "reload") == 0) {
		reload_flag = 1;
		snprintf(reply, n, "reloading");
	} else if (strcmp(cmd, "ping") == 0 || strcmp(cmd, "status") == 0) {
		snprintf(reply, n, "kithd %s running, pid %ld", KITH_VERSION, (long)getpid());
	} else {
		return -EINVAL;
	}
	return 0;
}

static void wait_for_work(struct loop *l)
{
	struct pollfd p[2] = { { .fd = sig_pipe[0], .events = POLLIN },
			       { .fd = l->ctl_fd, .events = POLLIN } };
	int64_t now = time(NULL), due = next_wakeup(l);
	int64_t wd = kith_notify_watchdog_interval_ms();
	int64_t ms = due > now ? (due - now) * 1000 : 0;
	char buf[64];

	if (wd > 0 && ms > wd / 2)
		ms = wd / 2;
	if (ms > 60000)
		ms = 60000;
	if (poll(p, l->ctl_fd >= 0 ? 2 : 1, (int)ms) > 0) {
		while (read(sig_pipe[0], buf, sizeof(buf)) > 0)
			;
		if (l->ctl_fd >= 0 && (p[1].revents & POLLIN))
			kith_ctl_accept(l->ctl_fd, ctl_command, l);
	}
	kith_notify_watchdog();
}

int kith_daemon_run(struct kith_daemon *d)
{
	struct loop l = { .d = d, .ctl_fd = -1 };
	char err[256] = "";

	if (install_signals() < 0 || loop_accounts_reset(&l) < 0)
		return 1;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	if (getrandom(&l.secret_key, sizeof l.secret_key, GRND_NONBLOCK) != sizeof l.secret_key)
		l.secret_key = ((uint64_t)rand() << 32) ^ (uint64_t)rand() ^ (uint64_t)time(NULL);
	l.ctl_fd = kith_ctl_listen(d->config->runtime_dir, err, sizeof(err));
	if (l.ctl_fd == -EADDRINUSE) {
		log_err("%s: not starting a second kithd", err);
		free(l.acct);
		return 1;
	}
	if (l.ctl_fd < 0)
		log_warn("no control socket: %s", err);
	kith_notify_status("connecting");
	while (!stop_flag) {
		if (reload_flag)
			reload_config(&l);
		run_due_accounts(&l);
		if (!stop_flag && !reload_flag && !l.sync_now)
			wait_for_work(&l);
	}
	kith_notify("STOPPING=1");
	if (l.ctl_fd >= 0)
		kith_ctl_close(l.ctl_fd, d->config->runtime_dir);
	free(l.acct);
	log_notice("stopped");
	return 0;
}
