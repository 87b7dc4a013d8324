/* cmd_people.c: `kith people` and `kith show PERSON`. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/followup.h"
#include "../lib/isodate.h"
#include "cli.h"

const char *tier_color(const struct cli *c, enum kith_tier t)
{
	switch (t) {
	case KITH_TIER_INNER: return col(c, C_GREEN C_BOLD);
	case KITH_TIER_CLOSE: return col(c, C_GREEN);
	case KITH_TIER_ACTIVE: return col(c, C_CYAN);
	case KITH_TIER_FADING: return col(c, C_YELLOW);
	default: return col(c, C_DIM);
	}
}

static void json_latency(FILE *f, int64_t v)
{
	if (v < 0)
		fputs("null", f);
	else
		fprintf(f, "%lld", (long long)v);
}

/* One person's JSON fields, without braces (the names are kith(1)'s contract). */
void person_json_fields(FILE *f, const struct kith_store_person *sp)
{
	const struct kith_person *p = &sp->p;

	fprintf(f, "\"rank\":%d,\"key\":", sp->rank);
	json_str(f, p->key);
	fputs(",\"name\":", f);
	json_str(f, p->name);
	fputs(",\"addresses\":[", f);
	for (size_t i = 0; i < p->n_addrs; i++) {
		fputs(i ? "," : "", f);
		json_str(f, p->addrs[i]);
	}
	fputs("],\"depth\":", f);
	json_num(f, p->depth);
	fputs(",\"tier\":", f);
	json_str(f, kith_tier_name(p->tier));
	fprintf(f, ",\"pinned\":%s,\"conversations\":%u,\"turns\":%u,\"turns_you\":%u,"
		"\"turns_them\":%u,\"latency_you_seconds\":", p->pinned ? "true" : "false",
		p->conversations, p->turns_user + p->turns_them, p->turns_user, p->turns_them);
	json_latency(f, p->latency_user);
	fputs(",\"latency_them_seconds\":", f);
	json_latency(f, p->latency_them);
	fprintf(f, ",\"initiated_you\":%u,\"initiated_them\":%u,\"unanswered_you\":%u,"
		"\"unanswered_them\":%u,\"messages_from_them\":%u,\"messages_to_them\":%u",
		p->initiated_user, p->initiated_them, p->unanswered_user, p->unanswered_them,
		p->msgs_from, p->msgs_to);
	fputs(",\"first_exchange\":", f);
	json_date(f, p->first_exchange);
	fputs(",\"last_exchange\":", f);
	json_date(f, p->last_exchange);
	fputs(",\"factors\":[", f);
	for (size_t i = 0; i < sp->n_factors; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		json_str(f, sp->factors[i].name);
		fputs(",\"value\":", f);
		json_num(f, sp->factors[i].value);
		fputs(",\"unit\":", f);
		json_str(f, sp->factors[i].unit);
		fputs(",\"points\":", f);
		json_num(f, sp->factors[i].points);
		fputc('}', f);
	}
	fputs("],\"reason\":", f);
	json_str(f, sp->reason);
}

void print_people_json(FILE *f, const struct kith_store_person *v, size_t n)
{
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n {" : "\n {", f);
		person_json_fields(f, &v[i]);
		fputc('}', f);
	}
	fputs(n ? "\n]\n" : "]\n", f);
}

/* Column widths: the name column takes what the fixed ones leave. */
#define W_RANK 5
#define W_TIER 7
#define W_DEPTH 6
#define W_CONV 6
#define W_TURNS 10
#define W_LAST 14

void print_people_table(struct cli *c, const struct kith_store_person *v, size_t n)
{
	int fixed = W_RANK + W_TIER + W_DEPTH + W_CONV + W_TURNS + W_LAST + 7;
	int wname = c->width ? c->width - fixed : 28;
	char last[64], turns[32], depth[16];

	if (wname > 32)
		wname = 32;
	if (wname < 10)
		wname = 10;
	printf("%s%*s  ", col(c, C_BOLD), W_RANK - 2, "#");
	put_cell(stdout, "NAME", wname, 1);
	printf(" %-*s %*s %*s %*s  %s%s\n", W_TIER, "TIER", W_DEPTH, "DEPTH", W_CONV, "CONV",
	       W_TURNS, "YOU/THEM", "LAST EXCHANGE", col(c, C_OFF));
	for (size_t i = 0; i < n; i++) {
		const struct kith_person *p = &v[i].p;

		fmt_rel(c->now, p->last_exchange, last, sizeof(last));
		snprintf(turns, sizeof(turns), "%u/%u", p->turns_user, p->turns_them);
		snprintf(depth, sizeof(depth), "%.1f", p->depth);
		printf("%*d  ", W_RANK - 2, v[i].rank);
		put_cell(stdout, p->name ? p->name : p->key, wname, 1);
		printf(" %s%-*s%s %*s %*u %*s  %s%s\n", tier_color(c, p->tier), W_TIER,
		       kith_tier_name(p->tier), col(c, C_OFF), W_DEPTH, depth, W_CONV,
		       p->conversations, W_TURNS, turns, last, p->pinned ? " (pinned)" : "");
	}
}

struct people_opts { int tier, all, json; size_t limit; int64_t as_of; };

static int people_args(struct cli *c, int argc, char **argv, struct people_opts *o)
{
	static const struct option longs[] = {
		{ "tier", required_argument, NULL, 't' }, { "limit", required_argument, NULL, 'n' },
		{ "as-of", required_argument, NULL, 'a' }, { "fading", no_argument, NULL, 'f' },
		{ "all", no_argument, NULL, 'A' }, { "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 } };
	enum kith_tier t;
	char *end;
	int ch;

	*o = (struct people_opts){ .tier = -1, .as_of = KITH_DATE_NONE };
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (ch) {
		case 't':
			if (kith_tier_parse(optarg, &t) < 0)
				return cli_err(c, "unknown tier \"%s\" (inner, close, active, wider,"
					       " fading, none)", optarg), EX_USAGE_;
			o->tier = (int)t;
			break;
		case 'n':
			o->limit = strtoul(optarg, &end, 10);
			if (*end || !*optarg)
				return cli_err(c, "--limit needs a number"), EX_USAGE_;
			break;
		case 'a':
			if (cli_parse_as_of(c, optarg, &o->as_of))
				return EX_USAGE_;
			break;
		case 'f': o->tier = KITH_TIER_FADING; break;
		case 'A': o->all = 1; break;
		case 'j': o->json = 1; break;
		default: return EX_USAGE_;
		}
	}
	if (optind != argc)
		return cli_err(c, "unexpected argument \"%s\"", argv[optind]), EX_USAGE_;
	return -1;
}

/* Keeps the rows of a live analysis the options ask for (as the stored
 * query would), freeing the others; returns the new count. */
static size_t filter_live(struct kith_store_person *v, size_t n, const struct people_opts *o)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		int keep = o->tier >= 0 ? (int)v[i].p.tier == o->tier
				       : (o->all || v[i].p.tier != KITH_TIER_NONE);

		if (keep && (!o->limit || k < o->limit))
			v[k++] = v[i];
		else
			kith_store_people_free_one(&v[i]);
	}
	return k;
}

int cmd_people(struct cli *c, int argc, char **argv)
{
	struct people_opts o;
	struct kith_store *s = NULL;
	struct kith_store_person *v = NULL;
	size_t n = 0;
	int r = people_args(c, argc, argv, &o);

	if (r >= 0)
		return r;
	r = cli_open(c, 1, &s);
	if (r)
		return r;
	if (o.as_of != KITH_DATE_NONE) {
		r = cli_people_live(c, s, o.as_of, &v, &n);
		if (r == 0)
			n = filter_live(v, n, &o);
	} else {
		struct kith_store_people_query q = { .tier = o.tier, .all = o.all,
						     .limit = o.limit, .id = -1 };

		if (kith_store_people(s, &q, &v, &n) < 0) {
			cli_err(c, "cannot read people: %s", kith_store_errmsg(s));
			r = EX_NOTFOUND;
		}
	}
	if (r == 0 && o.json)
		print_people_json(stdout, v, n);
	else if (r == 0 && n)
		print_people_table(c, v, n);
	else if (r == 0)
		printf("nobody here yet%s\n", o.as_of == KITH_DATE_NONE
		       ? " (kithd writes people after its first cycle)" : "");
	kith_store_people_free(v, n);
	kith_store_close(s);
	return r;
}
