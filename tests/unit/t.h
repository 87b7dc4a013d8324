/* t.h: the smallest test harness that does the job.
 *
 * CHECK* record a failure with file:line and carry on; T_DONE() prints a
 * summary line and returns the exit status (0 all passed, 1 otherwise).
 */
#ifndef KITH_T_H
#define KITH_T_H

#include <stdio.h>
#include <string.h>
#include <stdint.h>

static int t_checks, t_failed;

#define CHECK(cond) do { t_checks++; if (!(cond)) { t_failed++; \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)

#define CHECK_INT(a, b) do { long long t_a_ = (long long)(a), t_b_ = (long long)(b); \
	t_checks++; if (t_a_ != t_b_) { t_failed++; \
	fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, t_a_, t_b_); } } while (0)

#define CHECK_STR(a, b) do { const char *t_a_ = (a), *t_b_ = (b); t_checks++; \
	if (!t_a_ || !t_b_ || strcmp(t_a_, t_b_) != 0) { t_failed++; \
	fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, \
		t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)"); } } while (0)

#define CHECK_NULL(a) CHECK((a) == NULL)

#define T_DONE() (printf("%s: %d checks, %d failed\n", __FILE__, t_checks, t_failed), \
	t_failed ? 1 : 0)

#endif
