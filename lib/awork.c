/* awork.c: what the stages of the analysis share beyond their types
 * (awork.h).  Why a file of its own: analyze.c runs thread.c and turns.c,
 * which need this too; here it ties none of them to another. */
#include <stddef.h>

#include "awork.h"

int kith_work_rcpt_has(const struct kith_work *k, size_t wi, size_t pid)
{
	size_t j;

	for (j = 0; j < k->w[wi].rc_n; j++)
		if (k->rcpt[k->w[wi].rc_off + j] == pid)
			return 1;
	return 0;
}
