/* main.c: `kith [-c FILE] CMD [args]`: option parsing, dispatch, help,
 * configuration and store opening shared by every command. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

struct command {
	const char *name;
	cli_cmd_fn fn;
	const char *usage;
	const char *help;
};

static const struct command commands[] = {
	{ "status", cmd_status, "status [--json]",
	  "What kith holds: messages, accounts and their last sync, people per tier,\n"
	  "open tasks and those held back by the cap, and whether kithd is running." },
	{ "recent", cmd_recent, "recent [--days N] [--person P] [--as-of DATE] [--json]",
	  "Recent two-way exchanges (turns), newest first: who, when, subject, and\n"
	  "who is waiting on whom.  --days defaults to 14.  --as-of DATE: as seen\n"
	  "on DATE (the analysis recomputed live from the messages before it)." },
	{ "people", cmd_people,
	  "people [--tier T] [--limit N] [--as-of DATE] [--fading] [--all] [--json]",
	  "People deepest first, with depth, tier, conversations and last exchange.\n"
	  "By default everyone with a tier; --all adds the rest.  --as-of DATE\n"
	  "(YYYY-MM-DD) recomputes the analysis live from the messages before DATE." },
	{ "show", cmd_show, "show PERSON [--as-of DATE] [--json]",
	  "Everything about one person: each factor's contribution, turns and reply\n"
	  "latency each way, first/last exchange, recent conversations, open tasks\n"
	  "(and those the cap holds back, marked), a sparkline of exchanges over\n"
	  "the relationship's span.  PERSON is a name or address.  --as-of DATE:\n"
	  "as seen on DATE." },
	{ "followups", cmd_followups, "followups [--as-of DATE] [--json] [--all]",
	  "Open follow-up tasks: replies you owe, answers you wait for, people to\n"
	  "keep in touch with, by due date.  --all also lists the tasks held back\n"
	  "by the cap on open tasks (followups.max_open), with the reason.\n"
	  "--as-of DATE: those kith would have opened on DATE." },
	{ "report", cmd_report, "report [--as-of DATE] [-o FILE]",
	  "One self-contained HTML page (no scripts, no network): Dunbar's layers\n"
	  "as rings, the year in relationships, follow-ups due and held back, and\n"
	  "per person a month-by-month timeline each way, why and depth by factor,\n"
	  "reply latency and open follow-ups.  Written to FILE (default: stdout).\n"
	  "--as-of DATE: as seen on DATE." },
	{ "snooze", cmd_snooze, "snooze PERSON DAYS",
	  "No follow-ups about PERSON for DAYS days." },
	{ "done", cmd_done, "done PERSON", "Mark PERSON's open follow-ups done." },
	{ "ignore", cmd_ignore, "ignore ADDRESS|@DOMAIN",
	  "Never count this address (or every address of the domain)." },
	{ "unignore", cmd_unignore, "unignore ADDRESS|@DOMAIN", "Undo ignore." },
	{ "pin", cmd_pin, "pin PERSON [TIER]",
	  "Keep PERSON in TIER (inner, close, active, wider) whatever the score;\n"
	  "without TIER, their current tier (close when they have none)." },
	{ "unpin", cmd_unpin, "unpin PERSON", "Undo pin." },
	{ "merge", cmd_merge, "merge ADDR ADDR...", "These addresses are one person." },
	{ "split", cmd_split, "split ADDR", "Take ADDR out of any merge; never merge it automatically." },
	{ "suggest-merges", cmd_suggest, "suggest-merges [--json]",
	  "Addresses that look like the same person, with the reason." },
	{ "sync", cmd_sync, "sync", "Ask kithd to sync every account now." },
	{ "reload", cmd_reload, "reload", "Ask kithd to re-read its configuration." },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: kith [-c FILE] COMMAND [ARGS]\n"
		"       kith help COMMAND | kith COMMAND --help\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %s\n", commands[i].usage);
	fprintf(f, "\nExit status: 0 ok, 1 not found or nothing to do, 2 usage,\n"
		"69 kithd not running, 78 configuration error.  See kith(1).\n");
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int cli_help_cmd(const char *cmd, FILE *f)
{
	const struct command *k = find_command(cmd);

	if (!k) {
		fprintf(stderr, "kith: no such command: %s\n", cmd);
		return EX_USAGE_;
	}
	fprintf(f, "usage: kith %s\n\n%s\n", k->usage, k->help);
	return EX_OK_;
}

void cli_err(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kith%s%s: ", c && c->cmd ? " " : "", c && c->cmd ? c->cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Why: without -c, a missing default file is not an error (the defaults
 * name the usual data folder); with -c, or a file that exists but does not
 * parse, it is (exit 78). */
int cli_config(struct cli *c)
{
	char err[512] = "";
	char *path;
	int r;

	if (c->cfg)
		return 0;
	if (c->config_path) {
		r = kith_config_load(c->config_path, &c->cfg, err, sizeof(err));
	} else {
		path = kith_config_default_path();
		if (path && access(path, F_OK) == 0)
			r = kith_config_load(path, &c->cfg, err, sizeof(err));
		else
			r = kith_config_defaults(&c->cfg);
		free(path);
	}
	if (r < 0) {
		cli_err(c, "%s", err[0] ? err : strerror(-r));
		c->cfg = NULL;
		return EX_CONFIG_;
	}
	return 0;
}

int cli_open(struct cli *c, int rdonly, struct kith_store **out)
{
	char err[512] = "";
	int r = cli_config(c);

	if (r)
		return r;
	r = kith_store_open(c->cfg->data_dir, rdonly ? KITH_STORE_RDONLY : 0, out, err,
			    sizeof(err));
	if (r < 0) {
		cli_err(c, "%s", err);
		return EX_NOTFOUND;
	}
	return 0;
}

static void print_candidates(struct kith_store *s, const int64_t *ids, size_t n)
{
	fprintf(stderr, "%zu people match; say which:\n", n);
	for (size_t i = 0; i < n && i < 20; i++) {
		struct kith_store_people_query q = { .tier = -1, .id = ids[i], .all = 1 };
		struct kith_store_person *v = NULL;
		size_t k = 0;

		if (kith_store_people(s, &q, &v, &k) == 0 && k == 1)
			fprintf(stderr, "  %-28s %s\n", v[0].p.name ? v[0].p.name : "-",
				v[0].p.n_addrs ? v[0].p.addrs[0] : v[0].p.key);
		kith_store_people_free(v, k);
	}
	if (n > 20)
		fprintf(stderr, "  ... and %zu more\n", n - 20);
}

int cli_resolve(struct cli *c, struct kith_store *s, const char *who, int64_t *id)
{
	int64_t *ids = NULL;
	size_t n = 0;
	int r = kith_store_find_person(s, who, &ids, &n);

	if (r < 0) {
		cli_err(c, "lookup failed: %s", kith_store_errmsg(s));
		return EX_NOTFOUND;
	}
	if (n == 1) {
		*id = ids[0];
		free(ids);
		return 0;
	}
	if (n == 0)
		cli_err(c, "no one matches \"%s\"", who);
	else
		print_candidates(s, ids, n);
	free(ids);
	return EX_NOTFOUND;
}

static void cli_init(struct cli *c)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	memset(c, 0, sizeof(*c));
	c->now = (int64_t)time(NULL);
	c->color = isatty(STDOUT_FILENO) && !(nc && nc[0]) && !(term && !strcmp(term, "dumb"));
	c->width = term_width();
}

/* Global options come before the command: -c FILE, -h, --version. */
static int global_opts(struct cli *c, int argc, char **argv, int *i)
{
	for (*i = 1; *i < argc && argv[*i][0] == '-'; (*i)++) {
		const char *a = argv[*i];

		if (!strcmp(a, "-c") || !strcmp(a, "--config")) {
			if (*i + 1 >= argc) {
				fprintf(stderr, "kith: %s needs a file\n", a);
				return EX_USAGE_;
			}
			c->config_path = argv[++*i];
		} else if (!strncmp(a, "--config=", 9)) {
			c->config_path = a + 9;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			puts("kith 0.1.0");
			exit(0);
		} else {
			fprintf(stderr, "kith: unknown option %s\n", a);
			usage(stderr);
			return EX_USAGE_;
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct cli c;
	const struct command *k;
	int i, r;

	cli_init(&c);
	r = global_opts(&c, argc, argv, &i);
	if (r >= 0)
		return r;
	if (i >= argc) {
		usage(stderr);
		return EX_USAGE_;
	}
	if (!strcmp(argv[i], "help")) {
		if (i + 1 >= argc) {
			usage(stdout);
			return 0;
		}
		return cli_help_cmd(argv[i + 1], stdout);
	}
	k = find_command(argv[i]);
	if (!k) {
		fprintf(stderr, "kith: no such command: %s (try kith --help)\n", argv[i]);
		return EX_USAGE_;
	}
	for (int j = i + 1; j < argc; j++)
		if (!strcmp(argv[j], "--help") || !strcmp(argv[j], "-h"))
			return cli_help_cmd(k->name, stdout);
	c.cmd = k->name;
	r = k->fn(&c, argc - i, argv + i);
	kith_config_free(c.cfg);
	return r;
}
