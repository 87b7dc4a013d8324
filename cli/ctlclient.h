/* ctlclient.h: the CLI's side of the control socket (lib/ctlproto.h). */
#ifndef KITH_CTLCLIENT_H
#define KITH_CTLCLIENT_H

#include <stddef.h>

/* Connects to DIR/control (DIR: the config's runtime_dir), sends `cmd`
 * ("status", "sync", "reload", "ping"), reads the whole reply.
 * On 0: *ok is 1 ("ok") or 0 ("err") and *text is a malloc'd, printable
 * reply text (caller frees).  Errors: -ENOENT (no socket: no daemon),
 * -ECONNREFUSED (a stale socket: no daemon), -EINVAL (unknown cmd),
 * -ETIMEDOUT (no whole reply within timeout_ms), -EPROTO (a reply that is
 * not ours), other negative errnos. */
int kith_ctl_call(const char *dir, const char *cmd, int timeout_ms, int *ok, char **text);

#endif
