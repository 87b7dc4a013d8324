/* cmd_query.c: `kith status`, `recent`, `followups`, `suggest-merges`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/followup.h"
#include "cli.h"

/* What a query command was asked (NULL pointers: the option is not its). */
struct qopts {
	long *days;
	const char **person;
	int *all;
	int64_t *as_of;
};

/* Parses [--json] plus the options q points at: --days N, --person P,
 * --all, --as-of DATE.  Returns -1 to go on or an exit code. */
static int query_args(struct cli *c, int argc, char **argv, const struct qopts *q)
{
	static const struct option longs[] = {
		{ "json", no_argument, NULL, 'j' }, { "days", required_argument, NULL, 'd' },
		{ "person", required_argument, NULL, 'p' }, { "all", no_argument, NULL, 'a' },
		{ "as-of", required_argument, NULL, 'o' }, { NULL, 0, NULL, 0 } };
	char *end;
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		if (ch == 'j') {
			c->json = 1;
		} else if (ch == 'd' && q->days) {
			*q->days = strtol(optarg, &end, 10);
			if (*end || !*optarg || *q->days < 0)
				return cli_err(c, "--days needs a number of days"), EX_USAGE_;
		} else if (ch == 'p' && q->person) {
			*q->person = optarg;
		} else if (ch == 'a' && q->all) {
			*q->all = 1;
		} else if (ch == 'o' && q->as_of) {
			if (cli_parse_as_of(c, optarg, q->as_of))
				return EX_USAGE_;
		} else {
			cli_err(c, "unknown option (see kith help %s)", c->cmd);
			return EX_USAGE_;
		}
	}
	if (optind != argc)
		return cli_err(c, "unexpected argument \"%s\"", argv[optind]), EX_USAGE_;
	return -1;
}

/* Why: status, followups and suggest-merges take only [--json] (followups
 * also --all and --as-of) and read the store read-only.  Parses the
 * arguments and opens *s (the caller closes it); returns -1 to go on or an
 * exit code (*s NULL then). */
static int query_open(struct cli *c, int argc, char **argv, const struct qopts *q,
		      struct kith_store **s)
{
	int r = query_args(c, argc, argv, q);

	*s = NULL;
	if (r >= 0)
		return r;
	r = cli_open(c, 1, s);
	return r ? r : -1;
}

/* A read of `what` failed: says so, closes s, and gives the exit code. */
static int read_failed(struct cli *c, struct kith_store *s, const char *what)
{
	cli_err(c, "cannot read %s: %s", what, kith_store_errmsg(s));
	kith_store_close(s);
	return EX_NOTFOUND;
}

/* --- status --- */

/* ,"key":value on stdout (key is a plain word). */
static void json_field_str(const char *key, const char *v)
{
	printf(",\"%s\":", key);
	json_str(stdout, v);
}

static void json_field_date(const char *key, int64_t t)
{
	printf(",\"%s\":", key);
	json_date(stdout, t);
}

static void status_json(const struct kith_store_status *st, const char *daemon, int running)
{
	static const char *const tiers[] = { "none", "inner", "close", "active", "wider", "fading" };

	printf("{\"messages\":%lld,\"messages_sent\":%lld,\"locations\":%lld,\"folders\":%lld,"
	       "\"as_of\":", (long long)st->messages, (long long)st->messages_out,
	       (long long)st->locations, (long long)st->folders);
	json_date(stdout, st->as_of);
	printf(",\"personal\":%lld,\"list\":%lld,\"automated\":%lld,\"people\":%lld,"
	       "\"conversations\":%lld,\"turns\":%lld,\"tiers\":{", (long long)st->n_personal,
	       (long long)st->n_list, (long long)st->n_automated, (long long)st->people,
	       (long long)st->conversations, (long long)st->turns);
	for (int i = 0; i < 6; i++)
		printf("%s\"%s\":%lld", i ? "," : "", tiers[i], (long long)st->tiers[i]);
	printf("},\"tasks_open\":%lld,\"tasks_held\":%lld,\"pins\":%lld,\"ignores\":%lld,"
	       "\"merges\":%lld,\"splits\":%lld,\"snoozes\":%lld,\"merge_suggestions\":%lld,"
	       "\"accounts\":[", (long long)st->tasks_open, (long long)st->tasks_held,
	       (long long)st->pins, (long long)st->ignores,
	       (long long)st->merges, (long long)st->splits, (long long)st->snoozes,
	       (long long)st->suggestions);
	for (size_t i = 0; i < st->n_accounts; i++) {
		const struct kith_store_account_row *a = &st->accounts[i];

		fputs(i ? ",{\"name\":" : "{\"name\":", stdout);
		json_str(stdout, a->name);
		json_field_date("last_success", a->last_success);
		json_field_date("last_error_at", a->last_error_at);
		json_field_str("last_error", a->last_error);
		json_field_str("state", a->state);
		json_field_str("state_text", a->state_text);
		json_field_date("state_since", a->state_since);
		json_field_date("next_try", a->next_try);
		printf(",\"folders\":%lld,\"messages\":%lld}", (long long)a->folders,
		       (long long)a->locations);
	}
	fputs("],\"counters\":{", stdout);
	for (size_t i = 0; i < st->n_counters; i++) {
		fputs(i ? "," : "", stdout);
		json_str(stdout, st->counters[i].name);
		printf(":%lld", (long long)st->counters[i].value);
	}
	printf("},\"kithd\":{\"running\":%s,\"reply\":", running ? "true" : "false");
	json_str(stdout, running ? daemon : NULL);
	fputs("}}\n", stdout);
}

/* The words for a state kithd recorded (lib/refusal.h's names). */
static const char *state_words(const char *state)
{
	static const struct { const char *name, *words; } w[] = {
		{ "throttled", "the server asked kith to slow down" },
		{ "over-quota", "the server says the account is over a quota" },
		{ "login-refused", "the server refused the login" },
		{ "closed", "the server closed the connection" },
	};

	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
		if (strcmp(state, w[i].name) == 0)
			return w[i].words;
	return state;
}

/* "next try in 5 minutes (2026-12-07T14:35:00Z)", or why there is none. */
static void status_next_try(struct cli *c, const struct kith_store_account_row *a)
{
	char rel[40], iso[40];

	if (a->state && strcmp(a->state, "login-refused") == 0) {
		printf("\n%-11s kith will not log in again until the password or the configuration "
		       "changes, or you run kith sync", "");
		return;
	}
	if (a->next_try == KITH_DATE_NONE)
		return;
	fmt_rel(c->now, a->next_try, rel, sizeof(rel));
	fmt_iso(a->next_try, iso, sizeof(iso));
	printf("\n%-11s next try %s (%s)", "", a->next_try - c->now < 60 ? "within a minute" : rel,
	       iso);
}

/* What kithd made of a server's refusal: the state, since when, the
 * server's words. */
static void status_state(struct cli *c, const struct kith_store_account_row *a)
{
	char since[40];

	fmt_rel(c->now, a->state_since, since, sizeof(since));
	printf("\n%-11s %s%s since %s: ", "", col(c, C_YELLOW), state_words(a->state), since);
	put_cell(stdout, a->state_text ? a->state_text : "", 0, 1);
	printf("%s", col(c, C_OFF));
}

static void status_accounts(struct cli *c, const struct kith_store_status *st)
{
	char ok[40], bad[40];

	for (size_t i = 0; i < st->n_accounts; i++) {
		const struct kith_store_account_row *a = &st->accounts[i];
		int failing = a->last_error_at != KITH_DATE_NONE &&
			      (a->last_success == KITH_DATE_NONE || a->last_error_at > a->last_success);

		fmt_rel(c->now, a->last_success, ok, sizeof(ok));
		fmt_rel(c->now, a->last_error_at, bad, sizeof(bad));
		printf("%-11s ", "account");
		put_cell(stdout, a->name, 0, 1);
		printf(": %lld messages in %lld folders, last sync %s", (long long)a->locations,
		       (long long)a->folders, ok);
		if (a->state) {
			status_state(c, a);
		} else if (failing) {
			printf("\n%-11s %slast error %s: ", "", col(c, C_RED), bad);
			put_cell(stdout, a->last_error, 0, 1);
			printf("%s", col(c, C_OFF));
		}
		if (a->state || failing)
			status_next_try(c, a);
		putchar('\n');
	}
}

static void status_human(struct cli *c, const struct kith_store_status *st,
			 const char *daemon, int running)
{
	char asof[40];

	fmt_rel(c->now, st->as_of, asof, sizeof(asof));
	printf("%-11s %lld (%lld by you), seen %lld times in %lld folders\n", "messages",
	       (long long)st->messages, (long long)st->messages_out, (long long)st->locations,
	       (long long)st->folders);
	status_accounts(c, st);
	if (st->as_of == KITH_DATE_NONE)
		printf("%-11s none yet\n", "analysis");
	else
		printf("%-11s %s: %lld people, %lld conversations, %lld turns\n"
		       "%-11s %lld personal, %lld list, %lld automated\n", "analysis", asof,
		       (long long)st->people, (long long)st->conversations, (long long)st->turns,
		       "messages", (long long)st->n_personal, (long long)st->n_list,
		       (long long)st->n_automated);
	printf("%-11s inner %lld, close %lld, active %lld, wider %lld, fading %lld\n", "tiers",
	       (long long)st->tiers[KITH_TIER_INNER], (long long)st->tiers[KITH_TIER_CLOSE],
	       (long long)st->tiers[KITH_TIER_ACTIVE], (long long)st->tiers[KITH_TIER_WIDER],
	       (long long)st->tiers[KITH_TIER_FADING]);
	printf("%-11s %lld open follow-ups, %lld held back (followups.max_open)\n", "tasks",
	       (long long)st->tasks_open, (long long)st->tasks_held);
	printf("%-11s %lld pins, %lld ignores, %lld merges, %lld splits, %lld snoozes;"
	       " %lld merge suggestions\n", "decisions", (long long)st->pins,
	       (long long)st->ignores, (long long)st->merges, (long long)st->splits,
	       (long long)st->snoozes, (long long)st->suggestions);
	for (size_t i = 0; i < st->n_counters; i++)
		printf("%-11s %s: %lld\n", "counter", st->counters[i].name,
		       (long long)st->counters[i].value);
	printf("%-11s %s%s%s\n", "kithd", running ? col(c, C_GREEN) : col(c, C_YELLOW),
	       running ? daemon : "not running", col(c, C_OFF));
}

int cmd_status(struct cli *c, int argc, char **argv)
{
	struct kith_store *s = NULL;
	struct kith_store_status st;
	char reply[1024] = "";
	int ok = 0, r = query_open(c, argc, argv, &(struct qopts){ 0 }, &s), running;

	if (r >= 0)
		return r;
	if (kith_store_status(s, &st) < 0)
		return read_failed(c, s, "the database");
	running = cli_ctl(c, "ping", reply, sizeof(reply), &ok) == 0;
	if (running && !reply[0])
		snprintf(reply, sizeof(reply), "running");
	if (c->json)
		status_json(&st, reply, running);
	else
		status_human(c, &st, reply, running);
	kith_store_status_free(&st);
	kith_store_close(s);
	return 0;
}

/* --- recent --- */

static void recent_json(const struct kith_store_turn *v, size_t n)
{
	fputc('[', stdout);
	for (size_t i = 0; i < n; i++) {
		const struct kith_store_turn *t = &v[i];

		fputs(i ? ",\n {\"who\":" : "\n {\"who\":", stdout);
		json_str(stdout, t->person_name ? t->person_name : t->person_key);
		fputs(",\"key\":", stdout);
		json_str(stdout, t->person_key);
		fputs(",\"when\":", stdout);
		json_date(stdout, t->date);
		fputs(",\"subject\":", stdout);
		json_str(stdout, t->subject);
		printf(",\"by\":\"%s\",\"latency_seconds\":", t->by_user ? "you" : "them");
		if (t->latency < 0)
			fputs("null", stdout);
		else
			printf("%lld", (long long)t->latency);
		printf(",\"waiting\":\"%s\",\"waiting_on\":\"%s\"}",
		       t->last_by_user ? "you" : "them", t->last_by_user ? "them" : "you");
	}
	fputs(n ? "\n]\n" : "]\n", stdout);
}

static void recent_human(struct cli *c, const struct kith_store_turn *v, size_t n)
{
	int wname = 22, wsub = c->width ? c->width - wname - 46 : 0;
	char when[40], lat[32];

	if (c->width && wsub < 10)
		wsub = 10;
	printf("%s%-14s %-*s %-10s %-9s %-16s %s%s\n", col(c, C_BOLD), "WHEN", wname, "WHO",
	       "BY", "AFTER", "WAITING", "SUBJECT", col(c, C_OFF));
	for (size_t i = 0; i < n; i++) {
		const struct kith_store_turn *t = &v[i];

		fmt_rel(c->now, t->date, when, sizeof(when));
		fmt_dur(t->latency, lat, sizeof(lat));
		printf("%-14s ", when);
		put_cell(stdout, t->person_name ? t->person_name : t->person_key, wname, 1);
		printf(" %-10s %-9s %s%-16s%s ", t->by_user ? "you" : "them", lat,
		       t->last_by_user ? "" : col(c, C_YELLOW),
		       t->last_by_user ? "you wait on them" : "they wait on you", col(c, C_OFF));
		put_cell(stdout, t->subject ? t->subject : "(no subject)", wsub, 1);
		putchar('\n');
	}
}

/* Why: "recent" is measured from the analysis' as_of (which is now for a
 * running kithd, but the chosen date after `kithd --as-of`), so the window
 * always holds what the last analysis saw. */
/* The turns of recent: from the store, or with --as-of from a live
 * analysis as of that day (then person is a name to resolve in it). */
static int recent_load(struct cli *c, struct kith_store *s, const char *person, int64_t as_of,
		       long days, struct kith_store_turn **v, size_t *n)
{
	struct cli_live L;
	int64_t id = -1, ref = as_of;
	int r = 0;

	if (as_of != KITH_DATE_NONE) {
		r = cli_live_open(c, s, as_of, &L);
		if (r)
			return r;
		if (person)
			r = cli_live_resolve(c, &L, person, &id);
		if (r == 0 && cli_live_turns(&L, id, ref - (int64_t)days * 86400, v, n) < 0)
			r = (cli_err(c, "cannot list turns: out of memory"), EX_NOTFOUND);
		cli_live_close(&L);
		return r;
	}
	if (person)
		r = cli_resolve(c, s, person, &id);
	ref = kith_store_as_of(s);
	if (ref == KITH_DATE_NONE)
		ref = c->now;
	if (r == 0 && kith_store_recent(s, ref - (int64_t)days * 86400, id, 0, v, n) < 0) {
		cli_err(c, "cannot read turns: %s", kith_store_errmsg(s));
		r = EX_NOTFOUND;
	}
	return r;
}

/* Why: "recent" is measured from the analysis' as_of (which is now for a
 * running kithd, but the chosen date after `kithd --as-of`), so the window
 * always holds what the last analysis saw; --as-of DATE shows what it
 * showed on DATE. */
int cmd_recent(struct cli *c, int argc, char **argv)
{
	struct kith_store *s = NULL;
	struct kith_store_turn *v = NULL;
	const char *person = NULL;
	long days = 14;
	size_t n = 0;
	int64_t as_of = KITH_DATE_NONE;
	int r = query_args(c, argc, argv, &(struct qopts){ &days, &person, NULL, &as_of });

	if (r >= 0)
		return r;
	r = cli_open(c, 1, &s);
	if (r)
		return r;
	r = recent_load(c, s, person, as_of, days, &v, &n);
	if (as_of != KITH_DATE_NONE)
		c->now = as_of;
	if (r == 0 && c->json)
		recent_json(v, n);
	else if (r == 0 && n)
		recent_human(c, v, n);
	else if (r == 0)
		printf("no two-way exchanges in the last %ld days\n", days);
	kith_store_turns_free(v, n);
	kith_store_close(s);
	return r;
}

/* --- followups --- */

static int by_due(const void *a, const void *b)
{
	const struct kith_task_record *x = a, *y = b;

	return (x->due > y->due) - (x->due < y->due);
}

#define HELD_REASON "held back: more follow-ups are open than followups.max_open allows; " \
	"it opens when a more important one closes"

static void followup_json(const struct kith_task_record *t, int first)
{
	fputs(first ? "\n {\"uid\":" : ",\n {\"uid\":", stdout);
	json_str(stdout, t->uid);
	fputs(",\"person\":", stdout);
	json_str(stdout, t->person_key);
	fputs(",\"kind\":", stdout);
	json_str(stdout, kith_task_kind_name(t->kind));
	fputs(",\"summary\":", stdout);
	json_str(stdout, t->summary);
	fputs(",\"due\":", stdout);
	json_date(stdout, t->due);
	printf(",\"priority\":%d", t->priority);
	if (t->status == KITH_TS_HELD) {
		fputs(",\"held\":true,\"reason\":", stdout);
		json_str(stdout, HELD_REASON);
	}
	fputs("}", stdout);
}

static void followup_line(struct cli *c, const struct kith_task_record *t)
{
	char due[40];

	fmt_rel(c->now, t->due, due, sizeof(due));
	printf("%s%-16s%s %-14s ", t->due < c->now && t->status == KITH_TS_OPEN ? col(c, C_RED) : "",
	       due, col(c, C_OFF), kith_task_kind_name(t->kind));
	put_cell(stdout, t->summary, c->width ? c->width - 32 : 0, 1);
	putchar('\n');
}

/* v[0..n_open) open, v[n_open..n) held back (listed only with --all). */
static void followups_print(struct cli *c, const struct kith_task_record *v, size_t n_open,
			    size_t n)
{
	if (c->json) {
		fputc('[', stdout);
		for (size_t i = 0; i < n; i++)
			followup_json(&v[i], i == 0);
		fputs(n ? "\n]\n" : "]\n", stdout);
		return;
	}
	if (n_open)
		printf("%s%-16s %-14s %s%s\n", col(c, C_BOLD), "DUE", "KIND", "TASK", col(c, C_OFF));
	for (size_t i = 0; i < n_open; i++)
		followup_line(c, &v[i]);
	if (!n_open)
		printf("no open follow-ups\n");
	if (n > n_open)
		printf("\n%sheld back (%zu)%s: %s\n", col(c, C_BOLD), n - n_open, col(c, C_OFF),
		       HELD_REASON);
	for (size_t i = n_open; i < n; i++)
		followup_line(c, &v[i]);
}

/* Moves the records with status st to v[k..), returns the new k. */
static size_t gather(struct kith_task_record *v, size_t n, size_t k, enum kith_task_status st)
{
	for (size_t i = k; i < n; i++) {
		if (v[i].status == st) {
			struct kith_task_record t = v[k];

			v[k++] = v[i];
			v[i] = t;
		}
	}
	return k;
}

/* The follow-ups kith would have shown on as_of (live: the rules, then
 * the cap on open tasks), listed like the stored ones. */
static int followups_live(struct cli *c, struct kith_store *s, int64_t as_of,
			  struct kith_task_record **v, size_t *n)
{
	struct cli_live L;
	int r = cli_live_open(c, s, as_of, &L);

	if (r == 0 && cli_live_task_records(c, &L, NULL, v, n) < 0)
		r = (cli_err(c, "cannot decide follow-ups: out of memory"), EX_NOTFOUND);
	if (r == 0)
		c->now = as_of;
	cli_live_close(&L);
	return r;
}

int cmd_followups(struct cli *c, int argc, char **argv)
{
	struct kith_store *s = NULL;
	struct kith_task_record *v = NULL;
	size_t n = 0, k, h;
	int64_t as_of = KITH_DATE_NONE;
	int all = 0, r = query_open(c, argc, argv, &(struct qopts){ .all = &all, .as_of = &as_of },
				    &s);

	if (r >= 0)
		return r;
	if (as_of != KITH_DATE_NONE) {
		r = followups_live(c, s, as_of, &v, &n);
		if (r) {
			kith_store_close(s);
			return r;
		}
	} else if (kith_store_load_tasks(s, &v, &n) < 0) {
		return read_failed(c, s, "tasks");
	}
	k = gather(v, n, 0, KITH_TS_OPEN); /* open ones to the front, by due date */
	if (k > 1)
		qsort(v, k, sizeof(*v), by_due);
	h = all ? gather(v, n, k, KITH_TS_HELD) : k; /* then the held ones */
	if (h - k > 1)
		qsort(v + k, h - k, sizeof(*v), by_due);
	followups_print(c, v, k, h);
	kith_task_records_free_store(v, n);
	kith_store_close(s);
	return 0;
}

/* --- suggest-merges --- */

static void suggest_print(struct cli *c, const struct kith_merge_suggestion *v, size_t n)
{
	if (c->json)
		fputc('[', stdout);
	for (size_t i = 0; i < n; i++) {
		if (c->json) {
			fputs(i ? ",\n {\"a\":" : "\n {\"a\":", stdout);
			json_str(stdout, v[i].a);
			fputs(",\"b\":", stdout);
			json_str(stdout, v[i].b);
			fputs(",\"reason\":", stdout);
			json_str(stdout, v[i].reason);
			fputc('}', stdout);
			continue;
		}
		put_cell(stdout, v[i].a, 0, 1);
		fputs(" + ", stdout);
		put_cell(stdout, v[i].b, 0, 1);
		fputs(": ", stdout);
		put_cell(stdout, v[i].reason, 0, 1);
		printf("\n    %skith merge %s %s%s\n", col(c, C_DIM), v[i].a, v[i].b, col(c, C_OFF));
	}
	if (c->json)
		fputs(n ? "\n]\n" : "]\n", stdout);
	else if (!n)
		printf("no merge suggestions\n");
}

int cmd_suggest(struct cli *c, int argc, char **argv)
{
	struct kith_store *s;
	struct kith_merge_suggestion *v = NULL;
	size_t n = 0;
	int r = query_open(c, argc, argv, &(struct qopts){ 0 }, &s);

	if (r >= 0)
		return r;
	if (kith_store_suggestions(s, &v, &n) < 0)
		return read_failed(c, s, "suggestions");
	suggest_print(c, v, n);
	kith_store_suggestions_free(v, n);
	kith_store_close(s);
	return 0;
}
