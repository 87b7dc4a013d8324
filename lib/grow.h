/* grow.h: the one way lib/ makes room in a growing array.
 *
 * Why one helper: the same doubling realloc stood in every file that
 * collects records (people, recipients, threading keys, rows, turns).
 */
#ifndef KITH_GROW_H
#define KITH_GROW_H

#include <stdint.h>
#include <stdlib.h>

/* Room for element n in v, an array of *cap elements of size bytes:
 * v itself while n < *cap, else v reallocated to twice *cap (first when
 * *cap is 0) and *cap updated.  NULL when that fails (v, still valid and
 * still the caller's, and *cap are then unchanged). */
static inline void *kith_grow(void *v, size_t *cap, size_t n, size_t size, size_t first)
{
	size_t nc;
	void *nv;

	if (n < *cap)
		return v;
	nc = *cap ? *cap * 2 : first;
	if (nc > SIZE_MAX / size)
		return NULL;
	nv = realloc(v, nc * size);
	if (nv)
		*cap = nc;
	return nv;
}

#endif
