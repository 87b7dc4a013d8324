/* ctlproto.h: the control-socket line protocol between kith and kithd.  Pure.
 *
 * One exchange per connection over a Unix stream socket:
 *
 *   request:  COMMAND "\n"              COMMAND is status | sync | reload | ping;
 *                                      at most KITH_CTL_MAX_REQUEST bytes in all
 *                                      ("\r\n" is accepted too)
 *   reply:    "ok" [" " TEXT] "\n"      or "err" [" " TEXT] "\n"
 *             then zero or more body lines, then the server closes.
 *             At most KITH_CTL_MAX_REPLY bytes in all.
 *
 * Text never holds control characters other than "\n" and "\t" (the encoder
 * replaces them with '?'), so a reply is safe to print to a terminal.
 */
#ifndef KITH_CTLPROTO_H
#define KITH_CTLPROTO_H

#include <stddef.h>

#define KITH_CTL_MAX_REQUEST 64
#define KITH_CTL_MAX_REPLY   65536

enum kith_ctl_cmd {
	KITH_CTL_STATUS = 0, /* what the daemon is doing, per account */
	KITH_CTL_SYNC,       /* sync every account now */
	KITH_CTL_RELOAD,     /* re-read the configuration (like SIGHUP) */
	KITH_CTL_PING,       /* liveness */
	KITH_CTL_NCMDS
};

/* "status", "sync", ... (static strings); NULL for an out-of-range value. */
const char *kith_ctl_cmd_name(enum kith_ctl_cmd c);

/* Exact, case-sensitive name lookup.  Returns 0 or -EINVAL. */
int kith_ctl_cmd_parse(const char *s, enum kith_ctl_cmd *out);

/* Writes the request line for c into buf[n] (NUL-terminated).  Returns its
 * length without the NUL, or -EINVAL (bad c) / -ENOSPC (n too small). */
int kith_ctl_encode_request(enum kith_ctl_cmd c, char *buf, size_t n);

/* Decodes the bytes a server has received so far, buf[0..len) (not
 * NUL-terminated; may hold NULs).  Returns 0 with *out set when a whole
 * valid line is there; -EAGAIN when more bytes are needed; -E2BIG past
 * KITH_CTL_MAX_REQUEST without a newline; -EINVAL for anything else
 * (unknown command, stray bytes, bytes after the newline). */
int kith_ctl_decode_request(const char *buf, size_t len, enum kith_ctl_cmd *out);

/* Writes a reply into buf[n] (NUL-terminated): "ok"/"err" (ok != 0 / == 0),
 * then " " and text's first line, then text's remaining lines as body.
 * text may be NULL or empty.  Control characters become '?'.  Text that does
 * not fit is cut and the reply ends "...\n".  Returns the length without the
 * NUL, or -ENOSPC when n cannot hold even "err ...\n". */
int kith_ctl_encode_reply(int ok, const char *text, char *buf, size_t n);

/* Decodes a complete reply buf[0..len) (what was read until EOF).  Sets *ok
 * and copies the text (status-line message, then body lines, newline
 * separated, no trailing newline; control characters as '?') into text[n],
 * cut to fit.  Returns 0, -EINVAL (no "ok"/"err" status line), -E2BIG
 * (len > KITH_CTL_MAX_REPLY). */
int kith_ctl_decode_reply(const char *buf, size_t len, int *ok, char *text, size_t n);

#endif
