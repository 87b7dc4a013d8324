/* tls_gnutls.c: TCP with timeouts, and TLS with full verification, over
 * GnuTLS.  The only file in kith that includes GnuTLS headers.
 *
 * The socket is non-blocking from the start; every operation polls with a
 * deadline of timeout_s, so a stalled server costs a timeout, not a hang.
 */
#include "tls_gnutls.h"
#include "source.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct kith_conn {
	int fd;
	int timeout_ms;
	gnutls_session_t tls;                 /* NULL while plain */
	gnutls_certificate_credentials_t cred; /* with tls */
	int err;                              /* last failure, negative */
	char err_text[256];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fail(struct kith_conn *c, int code, const char *text)
{
	c->err = code;
	snprintf(c->err_text, sizeof c->err_text, "%s", text);
	return code;
}

/* Polls fd for events until deadline (ms, monotonic).  Returns 1 ready,
 * 0 timeout, -errno.  A signal ends the wait with -EINTR: kithd installs
 * its handlers without SA_RESTART so that SIGTERM stops a session (even a
 * long IDLE) within moments. */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		struct pollfd p = { .fd = fd, .events = events };
		int r;

		if (left <= 0)
			return 0;
		r = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
		if (r > 0)
			return 1;
		if (r == 0)
			continue;  /* re-check the deadline */
		return -errno;
	}
}

/* One non-blocking connect to one address, bounded by timeout_ms.
 * Returns the socket or -errno. */
static int connect_one(const struct addrinfo *ai, int timeout_ms)
{
	int fd, r, soerr = 0;
	socklen_t len = sizeof soerr;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol);
	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		r = -errno;
		goto fail;
	}
	r = wait_fd(fd, POLLOUT, now_ms() + timeout_ms);
	if (r <= 0) {
		r = r == 0 ? -ETIMEDOUT : r;
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		soerr = errno;
	if (soerr == 0)
		return fd;
	r = -soerr;
fail:
	close(fd);
	return r;
}

/* Wraps the connected, non-blocking socket fd (owned from here on: closed
 * on failure too) in a plain connection. */
static int conn_new(int fd, int timeout_s, struct kith_conn **out)
{
	struct kith_conn *c = calloc(1, sizeof *c);

	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->fd = fd;
	c->timeout_ms = (timeout_s > 0 ? timeout_s : 60) * 1000;
	*out = c;
	return 0;
}

int kith_conn_open(const char *host, int port, int timeout_s,
		   struct kith_conn **out, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL, *ai;
	char portstr[16];
	int r, fd = -ECONNREFUSED;

	*out = NULL;
	snprintf(portstr, sizeof portstr, "%d", port);
	r = getaddrinfo(host, portstr, &hints, &res);
	if (r != 0) {
		snprintf(err, errlen, "cannot resolve %s: %s", host, gai_strerror(r));
		return -EHOSTUNREACH;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = connect_one(ai, timeout_s * 1000);
		if (fd >= 0)
			break;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, errlen, "cannot connect to %s:%d: %s", host, port, strerror(-fd));
		return fd;
	}
	return conn_new(fd, timeout_s, out);
}

int kith_conn_from_fd(int fd, int timeout_s, struct kith_conn **out)
{
	int fl;

	*out = NULL;
	if (fd < 0)
		return -EBADF;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return conn_new(fd, timeout_s, out);
}

/* The certificate check failed: say why in words. */
static void describe_verify_failure(struct kith_conn *c, const char *host,
				    char *err, size_t errlen)
{
	unsigned status = gnutls_session_get_verify_cert_status(c->tls);
	gnutls_datum_t txt = { NULL, 0 };
	const char *why = "verification failed";

	if (status & GNUTLS_CERT_EXPIRED)
		why = "certificate expired";
	else if (status & GNUTLS_CERT_NOT_ACTIVATED)
		why = "certificate not yet valid";
	else if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
		why = "host name mismatch";
	else if (status & (GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA))
		why = "unknown CA (issuer not trusted)";
	else if (status & GNUTLS_CERT_REVOKED)
		why = "certificate revoked";
	else if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
		why = "insecure signature algorithm";
	if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509,
							 &txt, 0) == 0) {
		snprintf(err, errlen, "TLS certificate of %s rejected: %s (%s)", host, why,
			 (const char *)txt.data);
		gnutls_free(txt.data);
	} else {
		snprintf(err, errlen, "TLS certificate of %s rejected: %s", host, why);
	}
}

static int is_ip_literal(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* Allocates the session and credentials and asks GnuTLS to verify the
 * chain and the host name during the handshake itself. */
static int tls_setup(struct kith_conn *c, const char *host, const char *ca_file,
		     char *err, size_t errlen)
{
	int r;

	if (gnutls_certificate_allocate_credentials(&c->cred) < 0)
		return -ENOMEM;
	if (ca_file)
		r = gnutls_certificate_set_x509_trust_file(c->cred, ca_file, GNUTLS_X509_FMT_PEM);
	else
		r = gnutls_certificate_set_x509_system_trust(c->cred);
	if (r <= 0) {
		snprintf(err, errlen, "no trusted CA loaded from %s%s%s",
			 ca_file ? ca_file : "the system store", r < 0 ? ": " : "",
			 r < 0 ? gnutls_strerror(r) : "");
		return -KITH_E_TLS;
	}
	if (gnutls_init(&c->tls, GNUTLS_CLIENT | GNUTLS_NONBLOCK) < 0)
		return -ENOMEM;
	if (gnutls_set_default_priority(c->tls) < 0 ||
	    gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, c->cred) < 0)
		goto bad;
	if (!is_ip_literal(host) &&
	    gnutls_server_name_set(c->tls, GNUTLS_NAME_DNS, host, strlen(host)) < 0)
		goto bad;
	gnutls_session_set_verify_cert(c->tls, host, 0);
	gnutls_transport_set_int(c->tls, c->fd);
	return 0;
bad:
	snprintf(err, errlen, "TLS setup failed");
	return -KITH_E_TLS;
}

/* Runs the handshake to completion under the connection's deadline. */
static int tls_handshake(struct kith_conn *c, const char *host, char *err, size_t errlen)
{
	long long deadline = now_ms() + c->timeout_ms;
	int r;

	for (;;) {
		r = gnutls_handshake(c->tls);
		if (r == GNUTLS_E_SUCCESS)
			return 0;
		if (r == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
			describe_verify_failure(c, host, err, errlen);
			return -KITH_E_TLS;
		}
		if (r != GNUTLS_E_AGAIN && r != GNUTLS_E_INTERRUPTED &&
		    gnutls_error_is_fatal(r)) {
			snprintf(err, errlen, "TLS handshake with %s failed: %s", host,
				 gnutls_strerror(r));
			return -KITH_E_TLS;
		}
		r = wait_fd(c->fd, gnutls_record_get_direction(c->tls) ? POLLOUT : POLLIN,
			    deadline);
		if (r <= 0) {
			snprintf(err, errlen, "TLS handshake with %s: %s", host,
				 r == 0 ? "timed out" : strerror(-r));
			return r == 0 ? -ETIMEDOUT : r;
		}
	}
}

int kith_conn_start_tls(struct kith_conn *c, const char *host,
			const char *ca_file, char *err, size_t errlen)
{
	int r;

	if (c->tls)
		return -EALREADY;
	r = tls_setup(c, host, ca_file, err, errlen);
	if (r == 0)
		r = tls_handshake(c, host, err, errlen);
	if (r < 0) {
		if (c->tls)
			gnutls_deinit(c->tls);
		c->tls = NULL;
		if (c->cred)
			gnutls_certificate_free_credentials(c->cred);
		c->cred = NULL;
		fail(c, r, err);
	}
	return r;
}

/* One receive attempt: > 0 bytes, 0 would block, < 0 failure (recorded). */
static ssize_t recv_once(struct kith_conn *c, void *buf, size_t n)
{
	ssize_t r;

	if (!c->tls) {
		r = recv(c->fd, buf, n, 0);
		if (r > 0)
			return r;
		if (r == 0)
			return fail(c, -ECONNRESET, "server closed the connection");
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return fail(c, -errno, strerror(errno));
	}
	r = gnutls_record_recv(c->tls, buf, n);
	if (r > 0)
		return r;
	if (r == 0)
		return fail(c, -ECONNRESET, "server closed the TLS connection");
	if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
		return 0;
	if (r == GNUTLS_E_PREMATURE_TERMINATION)
		return fail(c, -ECONNRESET, "server closed the connection without TLS close");
	if (!gnutls_error_is_fatal((int)r))
		return 0;
	return fail(c, -KITH_E_TLS, gnutls_strerror((int)r));
}

ssize_t kith_conn_read(struct kith_conn *c, void *buf, size_t n)
{
	long long deadline = now_ms() + c->timeout_ms;

	if (n == 0)
		return -1;
	for (;;) {
		ssize_t r = recv_once(c, buf, n);
		int w;

		if (r > 0)
			return r;
		if (r < 0)
			return -1;
		w = wait_fd(c->fd, POLLIN, deadline);
		if (w == 0) {
			fail(c, -ETIMEDOUT, "server did not answer in time");
			return -1;
		}
		if (w < 0) {
			fail(c, w, strerror(-w));
			return -1;
		}
	}
}

/* One send attempt; same conventions as recv_once. */
static ssize_t send_once(struct kith_conn *c, const char *buf, size_t n)
{
	ssize_t r;

	if (!c->tls) {
		r = send(c->fd, buf, n, MSG_NOSIGNAL);
		if (r >= 0)
			return r;
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		return fail(c, -errno, strerror(errno));
	}
	r = gnutls_record_send(c->tls, buf, n);
	if (r >= 0)
		return r;
	if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
		return 0;
	return fail(c, -KITH_E_TLS, gnutls_strerror((int)r));
}

ssize_t kith_conn_write(struct kith_conn *c, const void *buf, size_t n)
{
	long long deadline = now_ms() + c->timeout_ms;
	size_t done = 0;

	while (done < n) {
		ssize_t r = send_once(c, (const char *)buf + done, n - done);
		int w;

		if (r < 0)
			return -1;
		done += (size_t)r;
		if (r > 0)
			continue;
		w = wait_fd(c->fd, POLLOUT, deadline);
		if (w <= 0) {
			fail(c, w == 0 ? -ETIMEDOUT : w, w == 0 ? "write timed out" : strerror(-w));
			return -1;
		}
	}
	return (ssize_t)n;
}

int kith_conn_wait_readable(struct kith_conn *c, int timeout_ms)
{
	if (c->tls && gnutls_record_check_pending(c->tls) > 0)
		return 1;
	return wait_fd(c->fd, POLLIN, now_ms() + timeout_ms);
}

int kith_conn_error(const struct kith_conn *c)
{
	return c->err;
}

const char *kith_conn_error_text(const struct kith_conn *c)
{
	return c->err_text;
}

int kith_conn_fd(const struct kith_conn *c)
{
	return c->fd;
}

int kith_conn_is_tls(const struct kith_conn *c)
{
	return c->tls != NULL;
}

void kith_conn_close(struct kith_conn *c)
{
	if (!c)
		return;
	if (c->tls) {
		gnutls_bye(c->tls, GNUTLS_SHUT_WR); /* non-blocking: one try */
		gnutls_deinit(c->tls);
	}
	if (c->cred)
		gnutls_certificate_free_credentials(c->cred);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

int kith_host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (!host)
		return 0;
	if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}
