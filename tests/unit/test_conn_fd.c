/* test_conn_fd: kith_conn_from_fd() (source/tls_gnutls.c), the hook the
 * IMAP fuzz harness runs sessions through: a connection over a socketpair
 * end must read, write, time out and see end-of-stream exactly as one from
 * kith_conn_open() does, and own (close) its descriptor. */
#include "t.h"
#include "source.h"
#include "tls_gnutls.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Bytes go both ways; the socket is made non-blocking; nothing is TLS. */
static void test_read_write(void)
{
	struct kith_conn *c = NULL;
	char buf[16];
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		abort();
	CHECK_INT(kith_conn_from_fd(sv[1], 1, &c), 0);
	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_INT(kith_conn_fd(c), sv[1]);
	CHECK(fcntl(sv[1], F_GETFL) & O_NONBLOCK);
	CHECK_INT(kith_conn_is_tls(c), 0);
	CHECK_INT(kith_conn_write(c, "a1 NOOP\r\n", 9), 9);
	CHECK_INT(read(sv[0], buf, sizeof buf), 9);
	CHECK_INT(kith_conn_wait_readable(c, 0), 0);
	CHECK_INT(write(sv[0], "* OK\r\n", 6), 6);
	CHECK_INT(kith_conn_wait_readable(c, 1000), 1);
	CHECK_INT(kith_conn_read(c, buf, sizeof buf), 6);
	CHECK(memcmp(buf, "* OK\r\n", 6) == 0);
	CHECK_INT(kith_conn_error(c), 0);
	kith_conn_close(c);
	/* the connection owned sv[1]: closed, so the peer sees end-of-stream */
	CHECK_INT(read(sv[0], buf, sizeof buf), 0);
	close(sv[0]);
}

/* A silent peer costs the timeout (-ETIMEDOUT); a closed one is an error
 * (-ECONNRESET), never a 0-byte read. */
static void test_timeout_and_eof(void)
{
	struct kith_conn *c = NULL;
	long long t0;
	char buf[8];
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		abort();
	CHECK_INT(kith_conn_from_fd(sv[1], 1, &c), 0);
	if (!c)
		return;
	t0 = mono_ms();
	CHECK_INT(kith_conn_read(c, buf, sizeof buf), -1);
	CHECK_INT(kith_conn_error(c), -ETIMEDOUT);
	CHECK(mono_ms() - t0 >= 900);
	shutdown(sv[0], SHUT_WR);
	CHECK_INT(kith_conn_read(c, buf, sizeof buf), -1);
	CHECK_INT(kith_conn_error(c), -ECONNRESET);
	close(sv[0]);
	CHECK_INT(kith_conn_write(c, "x", 1), -1); /* peer gone: EPIPE, no SIGPIPE */
	CHECK_INT(kith_conn_error(c), -EPIPE);
	kith_conn_close(c);
}

/* A bad descriptor is refused; a failing call still takes the fd. */
static void test_bad_fd(void)
{
	struct kith_conn *c = (struct kith_conn *)&c;
	int fd;

	CHECK_INT(kith_conn_from_fd(-1, 1, &c), -EBADF);
	CHECK_NULL(c);
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0)
		abort();
	close(fd); /* now a closed number: fcntl fails */
	c = (struct kith_conn *)&c;
	CHECK_INT(kith_conn_from_fd(fd, 1, &c), -EBADF);
	CHECK_NULL(c);
}

int main(void)
{
	test_read_write();
	test_timeout_and_eof();
	test_bad_fd();
	return T_DONE();
}
