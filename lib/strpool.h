/* strpool.h: one owner for many small strings.
 *
 * Why: loading 100,000 messages as separate malloc'd strings cost more in
 * malloc headers and duplicates than in text (the same address, name and
 * subject recur thousands of times).  A pool allocates from large chunks,
 * interns what recurs (one copy per distinct string) and is freed at once.
 * Strings handed out live until kith_strpool_free; interned ones are shared
 * and must not be modified.  Pure C, libc only.
 */
#ifndef KITH_STRPOOL_H
#define KITH_STRPOOL_H

#include <stddef.h>

struct kith_strpool;

/* A new empty pool (caller owns; kith_strpool_free), NULL on ENOMEM. */
struct kith_strpool *kith_strpool_new(void);
void kith_strpool_free(struct kith_strpool *p);

/* The pool's copy of s[0..len) plus a NUL, shared with every earlier equal
 * string.  s may hold no NUL before len.  NULL on ENOMEM. */
char *kith_strpool_intern(struct kith_strpool *p, const char *s, size_t len);

/* An unshared copy of s[0..len) plus a NUL (for strings that never recur,
 * such as Message-IDs: no lookup, no index entry).  NULL on ENOMEM. */
char *kith_strpool_copy(struct kith_strpool *p, const char *s, size_t len);

/* size zeroed bytes aligned for any scalar type, owned by the pool.
 * NULL on ENOMEM or size 0. */
void *kith_strpool_alloc(struct kith_strpool *p, size_t size);

/* Drops the interning index; the strings stay.  For a pool that is only
 * read from now on (a later kith_strpool_intern starts a new index that
 * knows none of the earlier strings). */
void kith_strpool_seal(struct kith_strpool *p);

/* Bytes the pool holds (chunks plus index), for figures. */
size_t kith_strpool_bytes(const struct kith_strpool *p);

#endif
