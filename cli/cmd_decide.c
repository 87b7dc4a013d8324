/* cmd_decide.c: the user's decisions: snooze, done, ignore, unignore, pin,
 * unpin, merge, split.  Each is one short write transaction; kithd reads
 * them at its next cycle. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int need_args(struct cli *c, int argc, int lo, int hi)
{
	if (argc - 1 < lo || (hi >= 0 && argc - 1 > hi)) {
		cli_help_cmd(c->cmd, stderr);
		return EX_USAGE_;
	}
	return -1;
}

/* An address: something@domain or @domain, no spaces or controls. */
static int looks_like_addr(const char *s, int allow_domain)
{
	const char *at = strchr(s, '@');

	if (!at || at[1] == 0 || strchr(at + 1, '@'))
		return 0;
	if (at == s && !allow_domain)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

/* Why: a decision about a person is stored under their key (the primary
 * address); a plain address not (yet) in the people table is accepted as
 * is, so a decision can be made before kith has seen the person. */
static int person_key(struct cli *c, struct kith_store *s, const char *who, char **key,
		      char **label)
{
	struct kith_store_people_query q = { .tier = -1, .all = 1 };
	struct kith_store_person *v = NULL;
	int64_t *ids = NULL;
	size_t n = 0, k = 0;

	if (kith_store_find_person(s, who, &ids, &n) == 0 && n == 0 && looks_like_addr(who, 0)) {
		free(ids);
		*key = strdup(who);
		*label = strdup(who);
		for (char *p = *key; p && *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		return *key && *label ? 0 : EX_NOTFOUND;
	}
	free(ids);
	if (cli_resolve(c, s, who, &q.id) != 0)
		return EX_NOTFOUND;
	if (kith_store_people(s, &q, &v, &k) < 0 || k != 1) {
		kith_store_people_free(v, k);
		return EX_NOTFOUND;
	}
	*key = strdup(v[0].p.key);
	*label = strdup(v[0].p.name ? v[0].p.name : v[0].p.key);
	kith_store_people_free(v, k);
	return *key && *label ? 0 : EX_NOTFOUND;
}

static int store_failed(struct cli *c, struct kith_store *s, int r)
{
	cli_err(c, "could not save: %s", r == -EINVAL ? "invalid value" : kith_store_errmsg(s));
	return EX_NOTFOUND;
}

/* What a decision about one person does once WHO is resolved: key and
 * label are borrowed; returns the command's exit status. */
typedef int (*person_act)(struct cli *c, struct kith_store *s, const char *key,
			  const char *label, void *arg);

/* Why: snooze, done, pin and unpin all open the store, turn WHO into a
 * key and a label, act, and clean up; only the act differs. */
static int with_person(struct cli *c, const char *who, person_act act, void *arg)
{
	struct kith_store *s = NULL;
	char *key = NULL, *label = NULL;
	int r = cli_open(c, 0, &s);

	if (r == 0)
		r = person_key(c, s, who, &key, &label);
	if (r == 0)
		r = act(c, s, key, label, arg);
	free(key);
	free(label);
	kith_store_close(s);
	return r;
}

static int snooze_act(struct cli *c, struct kith_store *s, const char *key,
		      const char *label, void *arg)
{
	long days = *(const long *)arg;
	int64_t until = days ? c->now + (int64_t)days * 86400 : 0;
	int k = kith_store_snooze(s, key, until);
	char day[32];

	fmt_day(until, day, sizeof(day));
	if (k < 0)
		return store_failed(c, s, k);
	if (days)
		printf("snoozed %s until %s\n", label, day);
	else
		printf("%s %s\n", k ? "unsnoozed" : "was not snoozed:", label);
	return 0;
}

int cmd_snooze(struct cli *c, int argc, char **argv)
{
	char *end;
	long days;
	int r = need_args(c, argc, 2, 2);

	if (r >= 0)
		return r;
	days = strtol(argv[2], &end, 10);
	if (*end || days < 0 || days > 3650)
		return cli_err(c, "DAYS must be a number from 0 to 3650"), EX_USAGE_;
	return with_person(c, argv[1], snooze_act, &days);
}

static int done_act(struct cli *c, struct kith_store *s, const char *key,
		    const char *label, void *arg)
{
	int k = kith_store_task_done(s, key, c->now);

	if (k < 0)
		return store_failed(c, s, k);
	if (k == 0) {
		printf("nothing open for %s\n", label);
		return EX_NOTFOUND;
	}
	printf("marked %d follow-up%s for %s done\n", k, k == 1 ? "" : "s", label);
	return 0;
}

int cmd_done(struct cli *c, int argc, char **argv)
{
	int r = need_args(c, argc, 1, 1);

	return r >= 0 ? r : with_person(c, argv[1], done_act, NULL);
}

static int ignore_common(struct cli *c, int argc, char **argv, int on)
{
	struct kith_store *s = NULL;
	int r = need_args(c, argc, 1, 1), k;

	if (r >= 0)
		return r;
	if (!looks_like_addr(argv[1], 1))
		return cli_err(c, "\"%s\" is not an ADDRESS or @DOMAIN", argv[1]), EX_USAGE_;
	r = cli_open(c, 0, &s);
	if (r)
		return r;
	k = kith_store_set_ignore(s, argv[1], on);
	if (k < 0)
		r = store_failed(c, s, k);
	else if (k == 0)
		printf("%s was %s ignored\n", argv[1], on ? "already" : "not"), r = EX_NOTFOUND;
	else
		printf("%s %s\n", on ? "ignoring" : "no longer ignoring", argv[1]);
	kith_store_close(s);
	return r;
}

int cmd_ignore(struct cli *c, int argc, char **argv)
{
	return ignore_common(c, argc, argv, 1);
}

int cmd_unignore(struct cli *c, int argc, char **argv)
{
	return ignore_common(c, argc, argv, 0);
}

/* The tier a pin keeps when none is given: the current one, else close. */
static const char *default_pin_tier(struct kith_store *s, const char *key)
{
	int64_t *ids = NULL;
	size_t n = 0, k = 0;
	struct kith_store_people_query q = { .tier = -1, .all = 1 };
	struct kith_store_person *v = NULL;
	const char *t = "close";

	if (kith_store_find_person(s, key, &ids, &n) == 0 && n == 1) {
		q.id = ids[0];
		if (kith_store_people(s, &q, &v, &k) == 0 && k == 1 &&
		    v[0].p.tier != KITH_TIER_NONE && v[0].p.tier != KITH_TIER_FADING)
			t = kith_tier_name(v[0].p.tier);
		kith_store_people_free(v, k);
	}
	free(ids);
	return t;
}

/* arg: the tier named on the command line, or NULL for the default. */
static int pin_act(struct cli *c, struct kith_store *s, const char *key,
		   const char *label, void *arg)
{
	const char *tier = arg ? arg : default_pin_tier(s, key);
	int k = kith_store_set_pin(s, key, tier);

	if (k < 0)
		return store_failed(c, s, k);
	printf("pinned %s to %s\n", label, tier);
	return 0;
}

int cmd_pin(struct cli *c, int argc, char **argv)
{
	enum kith_tier t;
	char *tier = argc > 2 ? argv[2] : NULL;
	int r = need_args(c, argc, 1, 2);

	if (r >= 0)
		return r;
	if (tier && (kith_tier_parse(tier, &t) < 0 || t == KITH_TIER_NONE || t == KITH_TIER_FADING))
		return cli_err(c, "TIER is one of inner, close, active, wider"), EX_USAGE_;
	return with_person(c, argv[1], pin_act, tier);
}

static int unpin_act(struct cli *c, struct kith_store *s, const char *key,
		     const char *label, void *arg)
{
	int k = kith_store_set_pin(s, key, NULL);

	if (k < 0)
		return store_failed(c, s, k);
	if (k == 0) {
		printf("%s was not pinned\n", label);
		return EX_NOTFOUND;
	}
	printf("unpinned %s\n", label);
	return 0;
}

int cmd_unpin(struct cli *c, int argc, char **argv)
{
	int r = need_args(c, argc, 1, 1);

	return r >= 0 ? r : with_person(c, argv[1], unpin_act, NULL);
}

int cmd_merge(struct cli *c, int argc, char **argv)
{
	struct kith_store *s = NULL;
	int r = need_args(c, argc, 2, -1), k;

	if (r >= 0)
		return r;
	for (int i = 1; i < argc; i++)
		if (!looks_like_addr(argv[i], 0))
			return cli_err(c, "\"%s\" is not an address", argv[i]), EX_USAGE_;
	r = cli_open(c, 0, &s);
	if (r)
		return r;
	k = kith_store_add_merge(s, (const char *const *)argv + 1, (size_t)argc - 1);
	if (k < 0)
		r = store_failed(c, s, k);
	else
		printf("merged %d addresses into one person (kithd applies it next cycle)\n",
		       argc - 1);
	kith_store_close(s);
	return r;
}

int cmd_split(struct cli *c, int argc, char **argv)
{
	struct kith_store *s = NULL;
	int r = need_args(c, argc, 1, 1), k;

	if (r >= 0)
		return r;
	if (!looks_like_addr(argv[1], 0))
		return cli_err(c, "\"%s\" is not an address", argv[1]), EX_USAGE_;
	r = cli_open(c, 0, &s);
	if (r)
		return r;
	k = kith_store_split(s, argv[1]);
	if (k < 0)
		r = store_failed(c, s, k);
	else
		printf("%s is its own person from the next cycle on\n", argv[1]);
	kith_store_close(s);
	return r;
}
