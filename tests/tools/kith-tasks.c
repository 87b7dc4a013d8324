/* kith-tasks: decide follow-ups for a small scenario and write them with
 * kith_tasks_sync, without the daemon or its database (integration tests).
 *
 *   kith-tasks --dir DIR --state FILE [--feed FILE] [--events]
 *              [--now YYYY-MM-DD[THH:MM:SSZ]] SCENARIO
 *   kith-tasks --check FILE...   parse each file with libical (exit 1 if any fails)
 *
 * SCENARIO lines (days are relative to the scenario's date, may be
 * fractional, e.g. -3.5; --now moves the moment of decision, not the mail):
 *   now YYYY-MM-DD[THH:MM:SSZ]           the scenario's date (first line)
 *   me ADDR                              the user's address
 *   person ADDR TIER DEPTH NAME...       TIER: inner close active wider fading none
 *   msg DAYS FROM <MSGID> SUBJECT...     personal mail from FROM to the user
 *   bulk DAYS FROM <MSGID> SUBJECT...    automated mail from FROM to the user
 *   list DAYS FROM <MSGID> SUBJECT...    list mail from FROM (user in Cc)
 *   sent DAYS TO <MSGID> SUBJECT...      mail from the user to TO (new thread)
 *   reply DAYS TO <MSGID> SUBJECT...     the user's reply to TO (In-Reply-To set)
 *   turn DAYS ADDR                       an exchange with ADDR (for rhythms)
 *   snooze ADDR DAYS                     snooze ADDR until now + DAYS
 *   param NAME VALUE                     a kith_followup_params field, or
 *                                        max_open (the cap on open tasks, 12)
 * The records (what a store would keep) live in the state file between
 * runs.  Prints one line per want: "KIND<TAB>UID<TAB>SUMMARY", the ones
 * held back by the cap (daemon/tasks_plan.h) with KIND "held:KIND".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../lib/followup.h"
#include "../../daemon/tasks_plan.h"
#include "../../tasks/tasks.h"

#define MAXP 64
#define DAY 86400.0

struct scen {
	int64_t base; /* the scenario's "now": relative days count from it */
	int64_t now;  /* when to decide: --now, else base */
	char *me;
	struct kith_person people[MAXP];
	char *addr1[MAXP][1];
	size_t np;
	struct kith_msg *m;
	uint8_t *cls;
	size_t nm;
	struct kith_turn *turns;
	size_t nt;
	struct kith_snooze sn[MAXP];
	double sn_days[MAXP];
	size_t nsn;
	struct kith_followup_params p;
	int max_open; /* as followups.max_open */
};

static int parse_time(const char *s, int64_t *out)
{
	struct tm tm = { 0 };
	char *end = strptime(s, "%Y-%m-%d", &tm);

	if (!end)
		return -EINVAL;
	if (*end == 'T' && !(end = strptime(end, "T%H:%M:%SZ", &tm)))
		return -EINVAL;
	*out = (int64_t)timegm(&tm);
	return 0;
}

static int tier_of(const char *s)
{
	static const char *const n[] = { "none", "inner", "close", "active", "wider", "fading" };

	for (int i = 0; i < 6; i++)
		if (strcmp(s, n[i]) == 0)
			return i;
	return -1;
}

static size_t person_ix(struct scen *s, const char *addr)
{
	for (size_t i = 0; i < s->np; i++)
		if (strcmp(s->people[i].key, addr) == 0)
			return i;
	return (size_t)-1;
}

static char *rest_of(char *save)
{
	while (save && *save == ' ')
		save++;
	return save && *save ? save : NULL;
}

static int add_person(struct scen *s, char **save)
{
	char *addr = strtok_r(NULL, " ", save), *tier = strtok_r(NULL, " ", save);
	char *depth = strtok_r(NULL, " ", save), *name = rest_of(*save);
	struct kith_person *p;

	if (!addr || !tier || !depth || tier_of(tier) < 0 || s->np == MAXP)
		return -EINVAL;
	p = &s->people[s->np];
	p->key = strdup(addr);
	p->name = name ? strdup(name) : NULL;
	s->addr1[s->np][0] = p->key;
	p->addrs = s->addr1[s->np];
	p->n_addrs = 1;
	p->tier = (enum kith_tier)tier_of(tier);
	p->depth = atof(depth);
	p->first_exchange = p->last_exchange = KITH_DATE_NONE;
	p->last_from = p->last_to = KITH_DATE_NONE;
	s->np++;
	return 0;
}

static void add_rcpt(struct kith_msg *m, const char *addr)
{
	m->rcpt = calloc(1, sizeof(*m->rcpt));
	m->rcpt[0].addr = strdup(addr);
	m->n_to = 1;
	m->n_rcpt_total = 1;
}

/* msg/bulk/list/sent/reply lines. */
static int add_msg(struct scen *s, const char *kind, char **save)
{
	char *days = strtok_r(NULL, " ", save), *who = strtok_r(NULL, " ", save);
	char *mid = strtok_r(NULL, " ", save), *subj = rest_of(*save);
	int out = strcmp(kind, "sent") == 0 || strcmp(kind, "reply") == 0;
	struct kith_msg *m;

	if (!days || !who || !mid || !s->me)
		return -EINVAL;
	s->m = realloc(s->m, (s->nm + 1) * sizeof(*s->m));
	s->cls = realloc(s->cls, (s->nm + 1) * sizeof(*s->cls));
	m = &s->m[s->nm];
	memset(m, 0, sizeof(*m));
	m->id = (int64_t)s->nm + 1;
	m->date = s->base + (int64_t)(atof(days) * DAY);
	m->from.addr = strdup(out ? s->me : who);
	add_rcpt(m, out ? who : s->me);
	if (mid[0] == '<')
		mid++;
	m->message_id = strndup(mid, strcspn(mid, ">"));
	m->subject = subj ? strdup(subj) : NULL;
	if (out)
		m->flags |= KITH_MSG_IN_SENT;
	if (strcmp(kind, "reply") == 0)
		m->in_reply_to = strdup("earlier@kith.test");
	s->cls[s->nm] = strcmp(kind, "bulk") == 0 ? KITH_CLASS_AUTOMATED
		      : strcmp(kind, "list") == 0 ? KITH_CLASS_LIST : KITH_CLASS_PERSONAL;
	s->nm++;
	return 0;
}

static int add_turn(struct scen *s, char **save)
{
	char *days = strtok_r(NULL, " ", save), *addr = strtok_r(NULL, " ", save);
	size_t p = addr ? person_ix(s, addr) : (size_t)-1;
	int64_t d;

	if (!days || p == (size_t)-1)
		return -EINVAL;
	d = s->base + (int64_t)(atof(days) * DAY);
	s->turns = realloc(s->turns, (s->nt + 1) * sizeof(*s->turns));
	s->turns[s->nt++] = (struct kith_turn){ .person = p, .date = d };
	if (s->people[p].last_exchange == KITH_DATE_NONE || d > s->people[p].last_exchange)
		s->people[p].last_exchange = d;
	return 0;
}

static int set_param(struct scen *s, char **save)
{
	char *name = strtok_r(NULL, " ", save), *val = strtok_r(NULL, " ", save);
	int v;

	if (!name || !val)
		return -EINVAL;
	v = atoi(val);
	if (strcmp(name, "max_open") == 0)
		s->max_open = v;
	else if (strcmp(name, "horizon_days") == 0)
		s->p.horizon_days = v;
	else if (strcmp(name, "keep_in_touch_max") == 0)
		s->p.keep_in_touch_max = v;
	else if (strcmp(name, "reply_delay_close_days") == 0)
		s->p.reply_delay_close_days = v;
	else if (strcmp(name, "reply_delay_other_days") == 0)
		s->p.reply_delay_other_days = v;
	else if (strcmp(name, "reply_window_days") == 0)
		s->p.reply_window_days = v;
	else
		return -EINVAL;
	return 0;
}

static int scen_line(struct scen *s, char *line)
{
	char *save = NULL, *kw = strtok_r(line, " ", &save);

	if (!kw || kw[0] == '#')
		return 0;
	if (strcmp(kw, "now") == 0) {
		char *v = strtok_r(NULL, " ", &save);

		return v ? parse_time(v, &s->base) : -EINVAL;
	}
	if (strcmp(kw, "me") == 0) {
		char *v = strtok_r(NULL, " ", &save);

		free(s->me);
		s->me = v ? strdup(v) : NULL;
		return s->me ? 0 : -EINVAL;
	}
	if (strcmp(kw, "person") == 0)
		return add_person(s, &save);
	if (!strcmp(kw, "msg") || !strcmp(kw, "bulk") || !strcmp(kw, "list") ||
	    !strcmp(kw, "sent") || !strcmp(kw, "reply"))
		return add_msg(s, kw, &save);
	if (strcmp(kw, "turn") == 0)
		return add_turn(s, &save);
	if (strcmp(kw, "param") == 0)
		return set_param(s, &save);
	if (strcmp(kw, "snooze") == 0 && s->nsn < MAXP) {
		char *a = strtok_r(NULL, " ", &save), *d = strtok_r(NULL, " ", &save);

		if (!a || !d)
			return -EINVAL;
		s->sn[s->nsn] = (struct kith_snooze){ strdup(a), s->base + (int64_t)(atof(d) * DAY) };
		s->nsn++;
		return 0;
	}
	return -EINVAL;
}

static int load_scenario(struct scen *s, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[2048];
	int n = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		n++;
		line[strcspn(line, "\r\n")] = '\0';
		if (scen_line(s, line) < 0) {
			fprintf(stderr, "kith-tasks: %s:%d: bad line\n", path, n);
			fclose(f);
			return -EINVAL;
		}
	}
	fclose(f);
	return 0;
}

/* ---- records state file ---------------------------------------------- */

static int load_state(const char *path, struct kith_task_record **out, size_t *n)
{
	FILE *f = fopen(path, "r");
	char line[4096];

	*out = NULL;
	*n = 0;
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *fld[12];
		struct kith_task_record *r;
		int k;

		line[strcspn(line, "\n")] = '\0';
		for (k = 0; k < 12; k++)
			if (!(fld[k] = strtok_r(k ? NULL : line, "\t", &save)))
				break;
		if (k < 12)
			continue;
		*out = realloc(*out, (*n + 1) * sizeof(**out));
		r = &(*out)[(*n)++];
		*r = (struct kith_task_record){
			.uid = strdup(fld[0]), .person_key = strdup(fld[1]),
			.kind = (enum kith_task_kind)atoi(fld[2]), .episode = strdup(fld[3]),
			.status = (enum kith_task_status)atoi(fld[4]), .due = atoll(fld[5]),
			.created = atoll(fld[6]), .modified = atoll(fld[7]),
			.sequence = atoi(fld[8]), .priority = atoi(fld[9]),
			.etag = strcmp(fld[10], "-") ? strdup(fld[10]) : NULL,
			.summary = strdup(fld[11]),
		};
	}
	fclose(f);
	return 0;
}

static int save_state(const char *path, const struct kith_task_record *v, size_t n)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\t%s\t%d\t%s\t%d\t%lld\t%lld\t%lld\t%d\t%d\t%s\t%s\n", v[i].uid,
			v[i].person_key, (int)v[i].kind, v[i].episode, (int)v[i].status,
			(long long)v[i].due, (long long)v[i].created, (long long)v[i].modified,
			v[i].sequence, v[i].priority, v[i].etag ? v[i].etag : "-",
			v[i].summary ? v[i].summary : "");
	return fclose(f) == 0 ? 0 : -errno;
}

static void scen_free(struct scen *s)
{
	for (size_t i = 0; i < s->np; i++) {
		free(s->people[i].key);
		free(s->people[i].name);
	}
	for (size_t i = 0; i < s->nsn; i++)
		free((char *)s->sn[i].person_key);
	kith_msgs_free(s->m, s->nm);
	free(s->cls);
	free(s->turns);
	free(s->me);
}

static int usage(void)
{
	fprintf(stderr, "usage: kith-tasks --dir DIR --state FILE [--feed FILE] [--events] "
			"[--now DATE] SCENARIO\n");
	return 2;
}

static int run(struct scen *s, struct kith_task_opts *o, const char *state)
{
	struct kith_analysis a = { .people = s->people, .n_people = s->np, .turns = s->turns,
				   .n_turns = s->nt, .msg_class = s->cls, .n_msgs = s->nm };
	struct kith_task_want *w = NULL;
	struct kith_task_record *rec = NULL;
	size_t nw = 0, nrec = 0, nwrite = 0;
	char err[512] = "";
	int r;

	r = kith_followups_decide(&a, s->m, s->nm, &s->p, s->sn, s->nsn, s->now, &w, &nw, NULL);
	if (r == 0)
		r = load_state(state, &rec, &nrec);
	if (r == 0) { /* as daemon/cycle.c does */
		kith_tasks_unhold(rec, nrec);
		r = kith_tasks_plan(w, nw, rec, nrec, s->max_open, s->now, &nwrite);
	}
	if (r == 0)
		r = kith_tasks_sync(o, w, nwrite, &rec, &nrec, s->now, err, sizeof(err));
	if (r == 0)
		r = kith_tasks_hold(w + nwrite, nw - nwrite, &rec, &nrec, s->now);
	if (r == 0)
		r = save_state(state, rec, nrec);
	if (r < 0)
		fprintf(stderr, "kith-tasks: %s\n", err[0] ? err : strerror(-r));
	for (size_t i = 0; r == 0 && i < nw; i++)
		printf("%s%s\t%s\t%s\n", i < nwrite ? "" : "held:", kith_task_kind_name(w[i].kind),
		       w[i].uid, w[i].summary);
	kith_task_wants_free(w, nw);
	kith_task_records_free(rec, nrec);
	return r;
}

static int check_files(int argc, char **argv)
{
	int bad = 0;

	for (int i = 2; i < argc; i++) {
		char err[256] = "";

		if (kith_tasks_check_file(argv[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "kith-tasks: %s: %s\n", argv[i], err);
			bad++;
		}
	}
	printf("%d checked, %d bad\n", argc - 2, bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct scen s = { 0 };
	struct kith_task_opts o = { 0 };
	const char *state = NULL, *scenario = NULL;
	int r;

	if (argc > 1 && strcmp(argv[1], "--check") == 0)
		return check_files(argc, argv);
	kith_followup_params_defaults(&s.p);
	s.max_open = 12;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			o.dir = argv[++i];
		else if (!strcmp(argv[i], "--state") && i + 1 < argc)
			state = argv[++i];
		else if (!strcmp(argv[i], "--feed") && i + 1 < argc)
			o.feed_path = argv[++i];
		else if (!strcmp(argv[i], "--events"))
			o.as_events = 1;
		else if (!strcmp(argv[i], "--now") && i + 1 < argc) {
			if (parse_time(argv[++i], &s.now) < 0)
				return usage();
		} else if (argv[i][0] != '-' && !scenario)
			scenario = argv[i];
		else
			return usage();
	}
	if (!o.dir || !state || !scenario)
		return usage();
	r = load_scenario(&s, scenario);
	if (r == 0 && !s.base)
		r = -EINVAL;
	if (!s.now)
		s.now = s.base;
	if (r == 0)
		r = run(&s, &o, state);
	scen_free(&s);
	return r < 0 ? 1 : 0;
}
