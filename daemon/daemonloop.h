/* daemonloop.h: kithd's two ways to run: one cycle, or forever.
 *
 * A cycle is: sync every account that is due (each in a contained child),
 * then rethink (analyse and write tasks).  The forever loop waits between
 * cycles in poll() on the control socket and a signal pipe, pings the
 * systemd watchdog, backs off failing accounts exponentially with jitter,
 * and re-reads the configuration on SIGHUP (keeping the old one if the new
 * one is invalid).  SIGTERM/SIGINT stop at the next safe point.
 */
#ifndef KITH_DAEMONLOOP_H
#define KITH_DAEMONLOOP_H

#include <stdint.h>
#include "../config/config.h"
#include "../store/store.h"

#define KITH_VERSION "0.1.0"

struct kith_daemon {
	struct kith_config *config;   /* owned by the caller; replaced on reload */
	struct kith_store *store;     /* borrowed */
	const char *config_path;      /* -c, or NULL for the default */
	int64_t as_of;                /* 0: real time */
	int contain, protocol_log;
};

/* Returns the process exit status: 0 when every account synced. */
int kith_daemon_once(struct kith_daemon *d);

/* Runs until SIGTERM/SIGINT; returns the exit status. */
int kith_daemon_run(struct kith_daemon *d);

/* Logs the configuration's warnings (a file readable by others, ...). */
void kith_log_config_warnings(const struct kith_config *c);

/* Backoff before retry number `failures` (1, 2, ...): base*2^(n-1) capped,
 * with +-20% jitter from `rand01` in [0,1).  Pure; exposed for tests. */
int kith_backoff_seconds(unsigned failures, int base, int cap, double rand01);

#endif
