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

/* Sets thread and parent of every k->w[i] (sorted by date); fills
 * k->n_threads.  Returns 0 or -ENOMEM. */
int kith_thread_build(struct kith_work *k);

#endif
