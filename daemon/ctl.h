/* ctl.h: kithd's control socket server (protocol: lib/ctlproto.h).
 *
 * The socket is DIR/control (DIR is the config's runtime_dir), DIR 0700 and
 * the socket 0600; a peer whose uid (SO_PEERCRED) is not ours is refused.
 * The listening fd is non-blocking: put it in poll() for POLLIN and call
 * kith_ctl_accept() when it is readable.
 */
#ifndef KITH_CTL_H
#define KITH_CTL_H

#include <stddef.h>

/* Handles one command.  cmd is one of "status", "sync", "reload", "ping"
 * (borrowed).  Writes a reply text (may span lines) into reply[n].  Returns
 * 0 (reply "ok"), or a negative errno (reply "err" with the text, or with
 * strerror when the text is empty). */
typedef int (*kith_ctl_fn)(void *ctx, const char *cmd, char *reply, size_t n);

/* Creates DIR (0700) if needed, refuses a DIR that is not ours or is open
 * to others, removes a stale socket, refuses when another kithd answers on
 * it, binds and listens.  Returns the listening fd (non-blocking,
 * close-on-exec) or a negative errno with a message in err[n]. */
int kith_ctl_listen(const char *dir, char *err, size_t n);

/* Accepts every pending client (at most 16 per call) and serves each: one
 * request, one reply, close.  A client gets 1 s to send its request and to
 * take the reply, so a stuck client cannot stall the daemon for long.
 * Returns the number of clients served, or a negative errno from accept. */
int kith_ctl_accept(int listen_fd, kith_ctl_fn fn, void *ctx);

/* Serves one already-accepted client fd (checks the peer's uid first) and
 * closes it.  Returns 0, or a negative errno when the client was refused,
 * slow or spoke nonsense (it still got an "err" reply when possible). */
int kith_ctl_serve(int client_fd, kith_ctl_fn fn, void *ctx);

/* Closes the listening fd and removes DIR/control. */
void kith_ctl_close(int listen_fd, const char *dir);

#endif
