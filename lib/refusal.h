/* refusal.h: what an IMAP server meant when it said no, and how long to
 * leave it alone.
 *
 * A server that asks a client to slow down or go away says so in a status
 * line: a response code (RFC 5530: [UNAVAILABLE], [LIMIT], [OVERQUOTA],
 * [AUTHENTICATIONFAILED] ...) and words ("Too many simultaneous
 * connections").  kith_refusal_classify reads one such line into a small
 * class; kith_refusal_wait says how long kithd waits before the next
 * session.  Pure: no I/O, no clock (docs/servers.md "Throttling and
 * limits" says what each code does and where that comes from).
 */
#ifndef KITH_REFUSAL_H
#define KITH_REFUSAL_H

#include <stddef.h>

enum kith_refusal_class {
	KITH_REFUSAL_NONE = 0,  /* not a refusal kith treats specially */
	KITH_REFUSAL_THROTTLE,  /* slow down: [UNAVAILABLE], [LIMIT], [INUSE], too many connections */
	KITH_REFUSAL_QUOTA,     /* [OVERQUOTA]: the account is over a quota */
	KITH_REFUSAL_AUTH,      /* the login was refused: never retried on its own */
	KITH_REFUSAL_BYE,       /* the server closed the session, for a reason of its own */
	KITH_REFUSAL_N
};

#define KITH_REFUSAL_TEXT_MAX 200

struct kith_refusal {
	enum kith_refusal_class cls;
	int hint_s;                        /* a wait the server named ("in 10 minutes"); 0: none */
	char text[KITH_REFUSAL_TEXT_MAX];  /* its words after NO/BAD/BYE, printable ASCII */
};

/* Reads one status line ("A3 NO [UNAVAILABLE] text", "* BYE text",
 * without CRLF; any bytes) into *out and returns its class.  at_login:
 * the line answers LOGIN or AUTHENTICATE, where a refusal without a
 * throttling code or words means the credentials were refused.  A line
 * that is no NO, BAD or BYE is KITH_REFUSAL_NONE (out->text empty). */
enum kith_refusal_class kith_refusal_classify(const char *line, size_t len, int at_login,
					      struct kith_refusal *out);

/* A stable name for the store and `kith status --json`: "throttled",
 * "over-quota", "login-refused", "closed"; NULL for NONE or out of range. */
const char *kith_refusal_name(enum kith_refusal_class c);
/* The class of such a name, KITH_REFUSAL_NONE for anything else. */
enum kith_refusal_class kith_refusal_from_name(const char *name);

/* Seconds to wait before the next session after `repeats` refusals of
 * class c in a row (1, 2, ...): the first wait is base_s (OVERQUOTA: four
 * times it), doubling up to KITH_REFUSAL_CAP_S (or base_s if larger),
 * never below the server's hint_s (capped at a day), plus up to 20% from
 * rand01 in [0,1) so clients do not come back together.  -1 for
 * KITH_REFUSAL_AUTH (no automatic retry) and for NONE and BYE (the
 * ordinary back-off applies). */
#define KITH_REFUSAL_CAP_S (6 * 3600)
int kith_refusal_wait(enum kith_refusal_class c, unsigned repeats, int hint_s, int base_s,
		      double rand01);

/* base doubled for each repeat after the first (repeats 1, 2, ...), at
 * most cap: the shape of every back-off kithd takes (its ordinary retry
 * in daemonloop.c too); each caller adds its own jitter. */
double kith_wait_doubled(double base, unsigned repeats, double cap);

#endif
