/* subject.h: subject normalisation for threading without headers. */
#ifndef KITH_SUBJECT_H
#define KITH_SUBJECT_H

#define KITH_SUBJ_REPLY   1u /* a reply prefix (Re:, AW:, SV:, ...) was removed */
#define KITH_SUBJ_FORWARD 2u /* a forward prefix (Fw:, Fwd:, WG:, TR:, ...) was removed */

/* Returns a malloc'd copy of subject s (NULL is taken as "") with list tags
 * ("[linux-man]"), reply and forward prefixes in several languages
 * ("Re:", "RE[2]:", "Fwd:", "AW:", "SV:", "TR:", "Antw:", ...) removed
 * from the front, ASCII lowercased and runs of white space made one space.
 * *flags (may be NULL) gets KITH_SUBJ_* bits.  NULL on ENOMEM.
 * The caller frees the result. */
char *kith_subject_normalize(const char *s, unsigned *flags);

#endif
