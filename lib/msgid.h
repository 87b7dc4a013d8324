/* msgid.h: Message-ID, In-Reply-To and References values (internal).
 *
 * Ids are taken from "<...>" (whitespace inside removed: some mailers fold
 * inside an id); comments, quoted strings and obsolete phrases between
 * them are skipped.  A value with no "<...>" at all yields its bare
 * "x@y"-shaped words, as a repair.
 */
#ifndef KITH_MSGID_H
#define KITH_MSGID_H

#include <stddef.h>

/* References kept per message: the newest ones. */
#define KITH_MAX_REFS 100

/* The first id of s[0..n) into *out (malloc'd, caller frees; NULL when the
 * value holds none).  Returns 0 clean, 1 repaired or empty, -ENOMEM. */
int kith_msgid_first(const char *s, size_t n, char **out);

/* All distinct ids of s[0..n) in order, at most `cap` (the newest kept; a
 * repeated id stays at its newest position), into *v (malloc'd array of
 * malloc'd strings, caller frees) and *nv.  Returns 0, 1 (repaired or
 * empty) or -ENOMEM (then *v is NULL). */
int kith_msgid_list(const char *s, size_t n, size_t cap, char ***v, size_t *nv);

#endif
