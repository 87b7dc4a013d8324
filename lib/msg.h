/* msg.h: kith's own record of one message, built from its header fields.
 *
 * Everything downstream of IMAP (store, classification, threading, depth,
 * follow-ups) works on this struct and never sees libetpan.  A record owns
 * every string it points to; kith_msg_free() releases them.
 */
#ifndef KITH_MSG_H
#define KITH_MSG_H

#include <stddef.h>
#include <stdint.h>

#define KITH_DATE_NONE INT64_MIN /* Date: absent or unparsable */

/* Bulk and automation signals, one bit per header fact (not a verdict). */
#define KITH_SIG_LIST_ID          (1u << 0)  /* List-Id present */
#define KITH_SIG_LIST_UNSUB       (1u << 1)  /* List-Unsubscribe present */
#define KITH_SIG_LIST_UNSUB_POST  (1u << 2)  /* List-Unsubscribe-Post (RFC 8058) */
#define KITH_SIG_LIST_OTHER       (1u << 3)  /* List-Post/-Help, Mailing-List, X-Mailing-List */
#define KITH_SIG_PREC_BULK        (1u << 4)  /* Precedence: bulk */
#define KITH_SIG_PREC_LIST        (1u << 5)  /* Precedence: list */
#define KITH_SIG_PREC_JUNK        (1u << 6)  /* Precedence: junk */
#define KITH_SIG_AUTO_SUBMITTED   (1u << 7)  /* Auto-Submitted: anything but "no" (RFC 3834) */
#define KITH_SIG_AUTO_REPLIED     (1u << 8)  /* Auto-Submitted: auto-replied */
#define KITH_SIG_NULL_RETURN_PATH (1u << 9)  /* Return-Path: <> */
#define KITH_SIG_FEEDBACK_ID      (1u << 10) /* Feedback-ID (bulk senders) */
#define KITH_SIG_AUTO_RESP_SUPPR  (1u << 11) /* X-Auto-Response-Suppress */
#define KITH_SIG_REPORT           (1u << 12) /* Content-Type: multipart/report (DSN, MDN) */
#define KITH_SIG_AUTOREPLY_HDR    (1u << 13) /* X-Autoreply / X-Autorespond */
#define KITH_SIG_MDN_REQUESTED    (1u << 14) /* Disposition-Notification-To */

/* Record flags. */
#define KITH_MSG_IN_SENT   (1u << 0) /* seen in a \Sent folder: written by the user */
#define KITH_MSG_REPAIRED  (1u << 1) /* some header field did not parse fully */

/* Recipients beyond this many are counted in n_rcpt_total but not kept. */
#define KITH_MAX_RCPT_KEPT 64

struct kith_addr {
	char *addr; /* "local@domain", lowercased; never NULL inside a list */
	char *name; /* display name, UTF-8, NULL when none */
};

/* Why the small counts and this order: a loaded mailbox is an array of
 * these (100k and more), so padding and wide counts are paid per message;
 * the counts are bounded (KITH_MAX_RCPT_KEPT, KITH_MAX_REFS). */
struct kith_msg {
	int64_t id;              /* store row id; 0 until stored */
	char *message_id;        /* without <>; NULL when absent */
	char *in_reply_to;       /* first id of In-Reply-To, without <>; NULL */
	char **refs;             /* References ids (n_refs), oldest first, without <> */
	int64_t date;            /* seconds since the epoch (UTC); KITH_DATE_NONE */
	struct kith_addr from;   /* from.addr NULL when absent or unparsable */
	struct kith_addr *rcpt;  /* To then Cc: [0,n_to) are To, [n_to,n_to+n_cc) Cc */
	char *subject;           /* decoded to UTF-8; NULL when absent */
	char *list_id;           /* List-Id's <id> part, lowercased; NULL */
	uint32_t n_rcpt_total;   /* all To+Cc addresses, kept or not */
	uint32_t signals;        /* KITH_SIG_* */
	uint32_t flags;          /* KITH_MSG_* */
	uint32_t parse_errors;   /* header fields that did not parse fully */
	uint16_t n_refs;
	uint16_t n_to, n_cc;     /* kept (at most KITH_MAX_RCPT_KEPT in all) */
};

/* Frees every string the record owns and zeroes it; m itself is the caller's. */
void kith_msg_free(struct kith_msg *m);

/* Frees an array of n records and the array. */
void kith_msgs_free(struct kith_msg *v, size_t n);

struct kith_strpool;

/* Records whose strings and recipient/reference arrays all live in one
 * pool (interned: equal strings are shared), as the store loads them for
 * the analysis.  The set owns v and pool; free it with kith_msgset_free,
 * never with kith_msg_free on its records. */
struct kith_msgset {
	struct kith_msg *v;
	size_t n;
	struct kith_strpool *pool;
};

void kith_msgset_free(struct kith_msgset *s); /* and zeroes *s */

/* Copies src into *dst with every string and array in pool (addresses,
 * names, subjects and List-Ids interned; Message-IDs and references
 * copied): dst lives as long as the pool, whatever happens to src.
 * Returns 0 or -ENOMEM (dst then partly filled: it belongs to the pool
 * all the same, never kith_msg_free it). */
int kith_msg_copy_pooled(struct kith_msg *dst, const struct kith_msg *src,
			 struct kith_strpool *pool);

#endif
