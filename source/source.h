/* source.h: where header records come from.  The sync logic sees only this.
 *
 * An implementation (imap_etpan.c over libetpan, run inside a contained
 * child by source_child.c; or a fake in tests) walks the account's folders
 * and reports through the callbacks below.  It never downloads a body and
 * never changes a flag.
 */
#ifndef KITH_SOURCE_H
#define KITH_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include "../config/config.h"
#include "../store/records.h"
#include "../lib/msg.h"
#include "../lib/refusal.h"

/* Callbacks from a source to the sync logic.  Strings are borrowed for the
 * duration of the call.  A callback returning a negative errno stops the
 * session, which then returns that value. */
struct kith_sink {
	void *ctx;
	/* A folder about to be read (only folders that changed).  If uidvalidity
	 * differs from the stored one, the sync logic forgets that folder. */
	int (*folder)(void *ctx, const char *folder, unsigned flags,
		      uint32_t uidvalidity, uint32_t uidnext, uint32_t messages);
	/* One message's header block (raw bytes, CRLF). */
	int (*message)(void *ctx, uint32_t uid, const char *hdr, size_t len);
	/* Everything up to and including last_uid in this folder has been
	 * delivered: commit it with the folder state, in one transaction. */
	int (*batch_end)(void *ctx, const char *folder, uint32_t uidvalidity,
			 uint32_t last_uid, uint32_t uidnext, uint32_t messages);
	/* A folder left unchanged (STATUS matched): nothing to fetch. */
	int (*unchanged)(void *ctx, const char *folder);
	/* Optional: one message already parsed (m borrowed for the call).  When
	 * set, a contained session parses in its child and calls this instead
	 * of message(), so the daemon never parses bytes a server sent. */
	int (*parsed)(void *ctx, uint32_t uid, const struct kith_msg *m);
};

struct kith_sync_request {
	const struct kith_account *account;   /* borrowed */
	const char *secret;                   /* password or oauth2 token; borrowed */
	int is_oauth2;
	const struct kith_folder_state *known; size_t n_known; /* borrowed */
	unsigned batch_size;                  /* messages per batch_end; default 500 */
	unsigned batch_first;                 /* a folder's first batch when smaller (0:
						 batch_size); each next one doubles up to
						 batch_size */
	int idle_seconds;                     /* >0: after syncing, IDLE on INBOX up to
						 this long and return when it reports news */
	int protocol_log;                     /* log libetpan's protocol (secrets redacted) */
	/* Parent-side hooks while it waits on the contained child (ignored
	 * in-process).  Why: during a long IDLE the daemon must still answer
	 * its control socket and ping the systemd watchdog.  When `wake` is
	 * set and wake_fd is readable, wake(hook_ctx) runs; a non-zero return
	 * ends the session with -EINTR.  `tick` runs at least every tick_ms. */
	int wake_fd;
	int (*wake)(void *ctx);
	void (*tick)(void *ctx);
	int tick_ms;
	void *hook_ctx;
	/* Optional out (owned by the caller): when the server refused or
	 * closed the session (a NO, BAD or BYE status line that ended it),
	 * what it said, read by lib/refusal.c; cls NONE otherwise.  Crosses
	 * the contained child's pipe like the records. */
	struct kith_refusal *refusal;
};

/* Errors a session can return beyond plain errnos. */
#define KITH_E_TLS     1001  /* certificate or TLS failure (not retried quickly) */
#define KITH_E_AUTH    1002  /* credentials refused */
#define KITH_E_NOTLS   1003  /* server offers no STARTTLS */
#define KITH_E_PROTO   1004  /* malformed or unexpected server reply */
#define KITH_E_CRASH   1005  /* the contained child died (signal/limit) */
#define KITH_E_BUSY    1006  /* the server asked to wait: throttled or over a limit
				(req->refusal says what it said) */

/* A successful session that asks for the next one at once: IDLE reported
 * news, or the session brought mail and skipped IDLE so that the daemon can
 * analyse it first (the next session idles). */
#define KITH_SYNC_AGAIN 1

/* Runs one session in the current process: connect, verify TLS, log in, sync
 * changed folders, optionally IDLE, log out.  Returns 0, KITH_SYNC_AGAIN or
 * a negative value (-errno or -KITH_E_*); a description goes into err. */
int kith_imap_session(const struct kith_sync_request *req,
		      const struct kith_sink *sink, char *err, size_t errlen);

/* Same, but runs the session in a forked child with an address-space limit
 * (the account config's memory_limit) that streams records to this process
 * over a pipe, so a libetpan crash, spin or huge allocation costs a
 * reconnect, never the daemon or its database. */
int kith_imap_session_contained(const struct kith_sync_request *req,
				const struct kith_sink *sink, long memory_limit_mb,
				char *err, size_t errlen);

const char *kith_source_strerror(int err); /* static string for -KITH_E_* or -errno */

#endif
