/* cli.h: shared pieces of the `kith` command-line tool.
 *
 * The CLI is thin: it reads the SQLite store (through store/store.h, read
 * only for queries), writes the user's decisions in short transactions, and
 * talks to kithd's control socket for sync/reload.  Output is either human
 * (aligned, coloured only on a TTY without NO_COLOR) or JSON with the stable
 * field names documented in kith(1).
 */
#ifndef KITH_CLI_H
#define KITH_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../lib/analyze.h"
#include "../config/config.h"
#include "../store/store.h"
#include "../analysis/run.h"

/* Exit codes (sysexits where one fits). */
#define EX_OK_ 0
#define EX_NOTFOUND 1   /* not found, nothing to do, or the database is unusable */
#define EX_USAGE_ 2
#define EX_UNAVAIL 69   /* kithd is not running */
#define EX_CONFIG_ 78   /* the configuration is unusable */

struct cli {
	const char *config_path;   /* -c FILE, or NULL: the default */
	struct kith_config *cfg;   /* owned; loaded on demand by cli_config() */
	int json;                  /* --json */
	int color;                 /* ANSI colour on stdout */
	int width;                 /* terminal columns; 0: do not cut */
	int64_t now;               /* wall clock, read once */
	const char *cmd;           /* the command name, for messages */
};

/* A command: argv[0] is the command name.  Returns an exit code. */
typedef int (*cli_cmd_fn)(struct cli *c, int argc, char **argv);

/* --- main.c --- */
int cli_config(struct cli *c);   /* 0 or an exit code (78), message printed */
/* Opens the store (rdonly: for queries).  0 or an exit code, message printed. */
int cli_open(struct cli *c, int rdonly, struct kith_store **out);
void cli_err(const struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Resolves PERSON (name or address) to one people.id; prints candidates and
 * returns 1 when ambiguous, 1 with a message when nobody matches. */
int cli_resolve(struct cli *c, struct kith_store *s, const char *who, int64_t *id);
/* getopt-style parsing of the common options of a command: --json, --help.
 * Returns -1 to go on, or an exit code. */
int cli_help_cmd(const char *cmd, FILE *f);

/* --- fmt.c: output helpers --- */
const char *col(const struct cli *c, const char *ansi); /* ansi or "" */
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_CYAN "\033[36m"
#define C_OFF "\033[0m"

size_t u8_width(const char *s);                     /* code points, not bytes */
/* Prints s padded (or cut with an ellipsis) to exactly w columns. */
void put_cell(FILE *f, const char *s, int w, int left);
void fmt_rel(int64_t now, int64_t t, char *buf, size_t len); /* "3 days ago" */
void fmt_iso(int64_t t, char *buf, size_t len);     /* ISO 8601 or "" */
void fmt_day(int64_t t, char *buf, size_t len);     /* YYYY-MM-DD or "never" */
void fmt_dur(int64_t secs, char *buf, size_t len);  /* "3.5 h", "2 d", "-" */
/* Bars of counts, ▁..█, written to f: one char per `per` calendar months
 * (UTC) from the month of `from` to the month of `to`. */
void put_sparkline(FILE *f, const int64_t *dates, size_t n, int64_t from, int64_t to,
		   int per);
/* The months per mark that fit from..to into cols marks (at least 1). */
int spark_months_per_mark(int64_t from, int64_t to, int cols);
/* year * 12 + month - 1 of a date (UTC). */
int64_t month_index(int64_t t);
int term_width(void);

/* JSON writing: strings escaped, invalid UTF-8 replaced. */
void json_str(FILE *f, const char *s);               /* "..." or null */
void json_date(FILE *f, int64_t t);                  /* "ISO" or null */
void json_num(FILE *f, double v);

/* --- cmd_query.c --- */
int cmd_status(struct cli *c, int argc, char **argv);
int cmd_recent(struct cli *c, int argc, char **argv);
int cmd_people(struct cli *c, int argc, char **argv);
int cmd_show(struct cli *c, int argc, char **argv);
int cmd_followups(struct cli *c, int argc, char **argv);
int cmd_suggest(struct cli *c, int argc, char **argv);

/* --- cmd_report.c --- */
int cmd_report(struct cli *c, int argc, char **argv);

/* --- live.c: --as-of, the analysis computed from the messages --- */
int cli_people_live(struct cli *c, struct kith_store *s, int64_t as_of,
		    struct kith_store_person **out, size_t *n);

/* One live analysis as of a date, and what it was computed from. */
struct cli_live {
	struct kith_store *s;          /* borrowed */
	int64_t as_of;
	struct kith_run_policy rp;     /* owned: config and stored decisions */
	struct kith_msgset set;        /* owned: the messages before as_of */
	struct kith_analysis *a;       /* owned */
};
/* 0 or an exit code (message printed; *L then needs no close). */
int cli_live_open(struct cli *c, struct kith_store *s, int64_t as_of, struct cli_live *L);
void cli_live_close(struct cli_live *L);
/* The people in the stored-row shape (id = index in L->a->people). */
int cli_live_people(const struct cli_live *L, struct kith_store_person **out, size_t *n);
struct kith_task_want;
int cli_live_tasks(struct cli *c, const struct cli_live *L, struct kith_task_want **out,
		   size_t *n);

/* --- live_view.c: a live analysis in the shapes the commands print --- */
/* PERSON (name or address) among the live people: 0 and *id, or 1 with a
 * message (nobody, or several: they are listed). */
int cli_live_resolve(struct cli *c, const struct cli_live *L, const char *who, int64_t *id);
/* Turns dated >= since (person -1: everyone), newest first. */
int cli_live_turns(const struct cli_live *L, int64_t person, int64_t since,
		   struct kith_store_turn **out, size_t *n);
/* The dates of a person's turns, oldest first. */
int cli_live_turn_dates(const struct cli_live *L, int64_t person, int64_t **out, size_t *n);
/* A person's conversations as the analysis outputs them (those with a turn
 * and the few most recent), newest first (limit 0: all). */
int cli_live_convs(const struct cli_live *L, int64_t person, size_t limit,
		   struct kith_store_conv **out, size_t *n);
/* The follow-ups of that day (person_key NULL: everyone) as task records:
 * the first followups.max_open of the rules' list open, the rest held back
 * (KITH_TS_HELD), as kithd's cap would have had them; by due date within
 * each (free with kith_task_records_free_store). */
int cli_live_task_records(struct cli *c, const struct cli_live *L, const char *person_key,
			  struct kith_task_record **out, size_t *n);
/* Parses --as-of's argument; 0, or EX_USAGE_ with a message. */
int cli_parse_as_of(struct cli *c, const char *arg, int64_t *out);

/* --- cmd_decide.c --- */
int cmd_snooze(struct cli *c, int argc, char **argv);
int cmd_done(struct cli *c, int argc, char **argv);
int cmd_ignore(struct cli *c, int argc, char **argv);
int cmd_unignore(struct cli *c, int argc, char **argv);
int cmd_pin(struct cli *c, int argc, char **argv);
int cmd_unpin(struct cli *c, int argc, char **argv);
int cmd_merge(struct cli *c, int argc, char **argv);
int cmd_split(struct cli *c, int argc, char **argv);

/* --- ctl.c --- */
int cmd_sync(struct cli *c, int argc, char **argv);
int cmd_reload(struct cli *c, int argc, char **argv);
/* Asks kithd for `cmd`; 0 and the reply text, or an exit code (69). */
int cli_ctl(struct cli *c, const char *cmd, char *reply, size_t len, int *ok);

/* --- shared printing (cmd_query.c) --- */
void person_json_fields(FILE *f, const struct kith_store_person *sp);
const char *tier_color(const struct cli *c, enum kith_tier t);
void print_people_json(FILE *f, const struct kith_store_person *v, size_t n);
void print_people_table(struct cli *c, const struct kith_store_person *v, size_t n);

#endif
