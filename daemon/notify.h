/* notify.h: the systemd readiness protocol, without libsystemd.
 *
 * Datagrams of "VAR=value" lines to the AF_UNIX socket named by
 * $NOTIFY_SOCKET ("/path" or "@abstract").  Without $NOTIFY_SOCKET every
 * call is a cheap no-op, so callers never need to check.
 */
#ifndef KITH_NOTIFY_H
#define KITH_NOTIFY_H

#include <stdint.h>

/* Sends `state` (e.g. "READY=1\nSTATUS=synced") as one datagram.  Returns 1
 * when sent, 0 when there is no $NOTIFY_SOCKET, or a negative errno.  state
 * is borrowed; longer than 4 KiB -> -E2BIG. */
int kith_notify(const char *state);

/* STATUS=<formatted text> (newlines in the text become spaces). */
void kith_notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* EXTEND_TIMEOUT_USEC=<usec>: asks systemd for more time in the current
 * start-up/reload/stop phase (e.g. during a long first sync before READY=1).
 * Returns as kith_notify(). */
int kith_notify_extend_timeout(uint64_t usec);

/* WATCHDOG=1 when the watchdog is on, at most once per quarter interval
 * (callers may call it as often as they like). */
void kith_notify_watchdog(void);

/* The watchdog interval from $WATCHDOG_USEC (honouring $WATCHDOG_PID), in
 * milliseconds; 0 when off.  Keep-alives are due at least every half of it. */
int64_t kith_notify_watchdog_interval_ms(void);

#endif
