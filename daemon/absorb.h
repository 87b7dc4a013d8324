/* absorb.h: new mail that changes nothing kept out of a full analysis.
 *
 * Why: at a million messages a full analysis costs seconds of CPU, and
 * most new mail (newsletters, notifications) cannot change it (lib/inert.h
 * says exactly when).  When every message added since the saved analysis
 * is inert, the saved analysis and its tasks stand; only its message
 * counts and its basis move.  Anything else (mail from or to a person, the
 * user's own mail, a decision, the config, a new day) still analyses
 * everything.
 */
#ifndef KITH_ABSORB_H
#define KITH_ABSORB_H

#include <stddef.h>
#include <stdint.h>
#include "../config/config.h"
#include "../store/store.h"
#include "../store/store_meta.h"

/* Judges the rows after was->t.max_msg, up to cur->t.max_msg, against the
 * saved analysis, as of now.  Returns 1 when all were inert (the analysis' counts were moved;
 * *n gets how many), 0 when a full analysis is needed (why, when not
 * NULL, gets the first rule that failed: a static string), or a negative
 * errno. */
int kith_absorb(const struct kith_config *c, struct kith_store *st,
		const struct kith_store_basis *was, const struct kith_store_basis *cur,
		int64_t now, size_t *n, const char **why);

#endif
