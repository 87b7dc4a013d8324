/* tls_gnutls.h: one network connection to a mail server, plain or TLS.
 *
 * tls_gnutls.c is the only file that sees GnuTLS.  It does TCP itself (with
 * a connect timeout), wraps the socket in TLS on request and verifies the
 * server's certificate chain AND host name before returning: libetpan does
 * neither, so the IMAP adapter hands libetpan this connection instead of
 * letting it open its own.  Every read and write waits at most timeout_s.
 */
#ifndef KITH_TLS_GNUTLS_H
#define KITH_TLS_GNUTLS_H

#include <stddef.h>
#include <sys/types.h>

struct kith_conn; /* opaque; owned by whoever opened it */

/* Opens a TCP connection to host:port, trying each address in turn, each
 * with a timeout_s connect timeout.  On success *out is a plain connection
 * (free with kith_conn_close).  Returns 0, or -errno with a message in err. */
int kith_conn_open(const char *host, int port, int timeout_s,
		   struct kith_conn **out, char *err, size_t errlen);

/* Wraps an already connected stream socket (a socketpair(2) end, or TCP)
 * in a plain connection with the same read, write, timeout and end-of-
 * stream behaviour as one from kith_conn_open; the socket is made
 * non-blocking.  Why: the IMAP fuzz harness (tests/fuzz/fuzz_imap.c) runs a
 * whole session in-process over a socketpair, with no TCP and no server
 * thread; kithd itself never calls this.  fd must be a socket (writes use
 * send(2)).  Ownership: fd passes to the connection in every case: on
 * success kith_conn_close closes it, on failure it is closed here.
 * Returns 0 with *out set, or -errno (-EBADF for fd < 0) with *out NULL. */
int kith_conn_from_fd(int fd, int timeout_s, struct kith_conn **out);

/* Starts TLS on the connection (at once for implicit TLS, or after the
 * STARTTLS reply) and verifies the peer against ca_file (PEM; NULL: the
 * system trust store) and host.  Returns 0, or -KITH_E_TLS with the reason
 * ("unknown CA", "host name mismatch", "expired" ...) in err. */
int kith_conn_start_tls(struct kith_conn *c, const char *host,
			const char *ca_file, char *err, size_t errlen);

/* Reads up to n bytes.  Returns > 0, or -1 on end of stream, timeout or
 * error (never 0: a peer that closes is an error to an IMAP client); the
 * cause is then kith_conn_error(). */
ssize_t kith_conn_read(struct kith_conn *c, void *buf, size_t n);

/* Writes all n bytes.  Returns n, or -1 (cause in kith_conn_error()). */
ssize_t kith_conn_write(struct kith_conn *c, const void *buf, size_t n);

/* Waits until data can be read (including bytes TLS already decrypted) or
 * timeout_ms passes.  Returns 1 readable, 0 timeout, -errno on error. */
int kith_conn_wait_readable(struct kith_conn *c, int timeout_ms);

/* The last failure as a negative code (-ETIMEDOUT, -ECONNRESET for end of
 * stream, -KITH_E_TLS, -errno) and a static-or-owned text; 0/"" if none. */
int kith_conn_error(const struct kith_conn *c);
const char *kith_conn_error_text(const struct kith_conn *c);

int kith_conn_fd(const struct kith_conn *c);
int kith_conn_is_tls(const struct kith_conn *c);

/* Sends a TLS close_notify (best effort, no waiting), closes the socket and
 * frees c.  NULL is fine. */
void kith_conn_close(struct kith_conn *c);

/* 1 if host names the loopback interface (localhost, 127.0.0.0/8, ::1). */
int kith_host_is_loopback(const char *host);

#endif
