/* kith-confcheck: loads a kith.conf the way kithd does and reports.
 *
 *   kith-confcheck [-c FILE]
 *
 * Exit 0 and a resolved summary on stdout when valid; "FILE:LINE: ..." on
 * stderr and exit 78 (EX_CONFIG) when not.  Warnings go to stderr prefixed
 * "warning: ".  Secrets are never read or printed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define EX_CONFIG 78

static void print_summary(const struct kith_config *c)
{
	size_t i;

	printf("path = %s\ndata_dir = %s\ntasks_dir = %s\nruntime_dir = %s\n",
	       c->path, c->data_dir, c->tasks_dir, c->runtime_dir);
	printf("tasks_feed = %s\npoll_interval = %d\nhalf_life_days = %g\n",
	       c->tasks_feed ? c->tasks_feed : "(none)", c->poll_interval_s, c->half_life_days);
	printf("retry_wait = %d\nthrottle_wait = %d\n", c->retry_wait_s, c->throttle_wait_s);
	printf("memory_limit_mb = %ld\nidentities = %zu\npeople = %zu\n",
	       c->memory_limit_mb, c->n_identities, c->n_people);
	for (i = 0; i < c->n_accounts; i++) {
		const struct kith_account *a = &c->accounts[i];
		printf("account %s: %s:%d tls=%s timeout=%d secret=%s\n", a->name, a->host,
		       a->port, kith_tls_mode_name(a->tls), a->timeout_s,
		       a->pass_cmd ? "pass_cmd" : a->pass_file ? "pass_file" : "oauth2_token_cmd");
	}
}

int main(int argc, char **argv)
{
	struct kith_config *c;
	const char *const *w;
	char err[1024], *path = NULL;
	size_t i, n;
	int opt, r;

	while ((opt = getopt(argc, argv, "c:")) != -1) {
		if (opt != 'c') {
			fprintf(stderr, "usage: kith-confcheck [-c FILE]\n");
			return 64;
		}
		path = optarg;
	}
	if (!path && !(path = kith_config_default_path()))
		return 71;
	r = kith_config_load(path, &c, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "%s\n", err);
		return EX_CONFIG;
	}
	n = kith_config_warnings(c, &w);
	for (i = 0; i < n; i++)
		fprintf(stderr, "warning: %s\n", w[i]);
	print_summary(c);
	kith_config_free(c);
	return 0;
}
