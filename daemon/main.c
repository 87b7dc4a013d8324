/* main.c: kithd's entry point: options, signals, start-up, the main loop.
 *
 *   kithd [-c FILE] [-v] [--once] [--as-of DATE] [--no-contain]
 *   kithd -n [-c FILE]        check the configuration and exit
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../lib/isodate.h"
#include "../config/config.h"
#include "../analysis/run.h"
#include "cycle.h"
#include "daemonloop.h"
#include "log.h"
#include "../store/store.h"

#define EXIT_CONFIG 78

struct options {
	const char *config_path;
	int once, check_only, verbose, contain, protocol_log;
	int64_t as_of; /* 0: real time */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kithd [-c FILE] [-v] [--once] [--as-of DATE] [--no-contain]\n"
		"       kithd -n [-c FILE]\n"
		"  -c, --config FILE  configuration (default $KITH_CONFIG or\n"
		"                     $XDG_CONFIG_HOME/kith/kith.conf)\n"
		"  -n, --check        check the configuration and exit (78 if invalid)\n"
		"      --once         sync every account once, rethink, write tasks, exit\n"
		"      --as-of DATE   think as if it were DATE (YYYY-MM-DD): only mail\n"
		"                     before it counts (implies nothing about syncing)\n"
		"      --no-contain   run IMAP sessions in this process (debugging)\n"
		"      --protocol-log log the IMAP protocol (secrets redacted; with -v)\n"
		"  -v, --verbose      debug logging\n"
		"  -h, --help         this text;  -V, --version\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "config", required_argument, NULL, 'c' }, { "check", no_argument, NULL, 'n' },
		{ "once", no_argument, NULL, 'o' }, { "as-of", required_argument, NULL, 'a' },
		{ "no-contain", no_argument, NULL, 'C' }, { "protocol-log", no_argument, NULL, 'P' },
		{ "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' }, { NULL, 0, NULL, 0 }
	};
	int ch;

	*o = (struct options){ .contain = 1 };
	while ((ch = getopt_long(argc, argv, "c:nvhV", longs, NULL)) != -1) {
		switch (ch) {
		case 'c': o->config_path = optarg; break;
		case 'n': o->check_only = 1; break;
		case 'o': o->once = 1; break;
		case 'C': o->contain = 0; break;
		case 'P': o->protocol_log = 1; break;
		case 'v': o->verbose++; break;
		case 'a':
			if (kith_isodate_parse(optarg, &o->as_of) < 0) {
				fprintf(stderr, "kithd: --as-of: not a date: %s\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); exit(0);
		case 'V': puts("kithd " KITH_VERSION); exit(0);
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return 0;
}

static int load_config(const struct options *o, struct kith_config **c)
{
	char err[4096] = "";
	char *path = o->config_path ? strdup(o->config_path) : kith_config_default_path();
	int r;

	if (!path) {
		fprintf(stderr, "kithd: no configuration file (use -c FILE)\n");
		return -EINVAL;
	}
	r = kith_config_load(path, c, err, sizeof(err));
	if (r < 0)
		fprintf(stderr, "%s\n", err[0] ? err : strerror(-r));
	free(path);
	return r;
}

static int open_store(const struct kith_config *c, struct kith_store **st)
{
	char err[512] = "";
	const char **ids = NULL;
	size_t n_ids = 0;
	int r = kith_store_open(c->data_dir, 0, st, err, sizeof(err));

	if (r < 0) {
		log_err("cannot open the database in %s: %s", c->data_dir,
			err[0] ? err : strerror(-r));
		return r;
	}
	r = kith_run_identities(c, &ids, &n_ids);
	if (r == 0)
		r = kith_store_set_identities(*st, ids, n_ids);
	free(ids);
	return r;
}

/* Why: each analysis allocates a few large arrays and frees them all.
 * glibc raises its mmap threshold after the first such free, so the next
 * analysis' arrays come from the heap, where fragmentation keeps them
 * resident between cycles.  A fixed threshold keeps large blocks mapped
 * and returned to the system when freed (peak and idle RSS both lower). */
static void tune_malloc(void)
{
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
}

int main(int argc, char **argv)
{
	struct options o;
	struct kith_config *c = NULL;
	struct kith_store *st = NULL;
	int r;

	umask(077);
	tune_malloc();
	r = parse_args(argc, argv, &o);
	if (r)
		return r;
	log_init("kithd", o.verbose);
	if (load_config(&o, &c) < 0)
		return EXIT_CONFIG;
	kith_log_config_warnings(c);
	if (o.check_only) {
		printf("%s: configuration ok\n", c->path);
		kith_config_free(c);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	if (open_store(c, &st) < 0) {
		kith_config_free(c);
		return 1;
	}
	struct kith_daemon d = { .config = c, .store = st, .as_of = o.as_of,
				 .contain = o.contain, .protocol_log = o.protocol_log,
				 .config_path = o.config_path };
	r = o.once ? kith_daemon_once(&d) : kith_daemon_run(&d);
	kith_store_close(st);
	kith_config_free(d.config);
	return r;
}
