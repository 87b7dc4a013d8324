/* thread.h: grouping messages into threads, JWZ style.
 *
 * Message-ID / In-Reply-To / References link messages into threads even
 * across missing parents (a missing message's id still joins its
 * children).  Messages without any of those headers (the Enron export)
 * fall back to the normalised subject, the participants and a time
 * window: a reply-prefixed message answers the newest earlier message with
 * the same normalised subject, at most KITH_THREAD_WINDOW_DAYS older, that
 * shares a participant with it.
 */
#ifndef KITH_THREAD_H
#define KITH_THREAD_H

#include "awork.h"

#define KITH_THREAD_WINDOW_DAYS 45
#define KITH_THREAD_SCAN 64 /* candidates looked at per fallback reply */

/* Records the Message-ID, In-Reply-To and References of m, the kept
 * message k->w[seq] (collected in input order, seq = its position then),
 * as nodes in k->tkey; m is borrowed for the call.  Returns 0, -ENOMEM or
 * -EOVERFLOW. */
int kith_thread_note(struct kith_work *k, const struct kith_msg *m, size_t seq);

/* Sets thread and parent of every k->w[i] (sorted by date) from what
 * kith_thread_note recorded, and frees that; fills k->n_threads.
 * Returns 0, -ENOMEM or -EOVERFLOW. */
int kith_thread_build(struct kith_work *k);

/* Frees what kith_thread_note gathered (kith_thread_build does it too). */
void kith_thread_keys_free(struct kith_work *k);

#endif
