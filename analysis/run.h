/* run.h: the analysis as both programs run it over the store.
 *
 * The policy is made of the config (identities, the people it names) and
 * the user's stored decisions; kithd's cycle (daemon/cycle.c) and
 * `kith people --as-of` (cli/live.c) build it here, so the CLI's view of
 * the past is what kithd would have computed then.
 */
#ifndef KITH_RUN_H
#define KITH_RUN_H

#include <stddef.h>
#include <stdint.h>
#include "../config/config.h"
#include "../store/store.h"

/* The user's identities: global plus every account's (borrowed pointers
 * into c, in a malloc'd array the caller frees). */
int kith_run_identities(const struct kith_config *c, const char ***out, size_t *n);

/* A policy and what it points into.  sp is filled by the caller
 * (kith_store_load_policy); ids and merges are owned arrays whose strings
 * are borrowed from the config and from sp; policy points into all three. */
struct kith_run_policy {
	struct kith_store_policy sp;
	const char **ids;
	struct kith_merge *merges;   /* the config's people first, then sp's merges */
	struct kith_policy policy;
};

/* Builds p->ids, p->merges and p->policy from c and p->sp.  c must outlive
 * p.  0 or -ENOMEM. */
int kith_run_policy_build(const struct kith_config *c, struct kith_run_policy *p);

/* Frees ids, merges and sp (p may be zeroed, or partly built). */
void kith_run_policy_free(struct kith_run_policy *p);

/* The analysis of the stored messages dated before as_of, loaded as one
 * set, under p->policy.  *a is the caller's (kith_analysis_free).  0 or a
 * negative errno. */
int kith_run_as_of(struct kith_store *s, const struct kith_run_policy *p, int64_t as_of,
		   struct kith_analysis **a);

#endif
