/* test_source_tls: the connection layer under the IMAP source
 * (source/tls_gnutls.c): timeouts, end of stream as an error, TLS setup
 * failures, loopback detection, and the tls=none guard. */
#include "t.h"
#include "source.h"
#include "tls_gnutls.h"

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A listening socket on 127.0.0.1; *port gets its number. */
static int listen_local(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		abort();
	*port = ntohs(sa.sin_port);
	return fd;
}

/* Forks a server that accepts one client, writes `say`, then sleeps
 * `linger` seconds (or closes at once with linger 0). */
static pid_t serve(int lfd, const char *say, int linger)
{
	pid_t pid = fork();

	if (pid == 0) {
		int c = accept(lfd, NULL, NULL);

		if (c >= 0 && say && write(c, say, strlen(say)) < 0)
			_exit(1);
		if (linger)
			sleep((unsigned)linger);
		_exit(0);
	}
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_loopback(void)
{
	CHECK(kith_host_is_loopback("127.0.0.1"));
	CHECK(kith_host_is_loopback("127.5.6.7"));
	CHECK(kith_host_is_loopback("::1"));
	CHECK(kith_host_is_loopback("localhost"));
	CHECK(kith_host_is_loopback("LOCALHOST"));
	CHECK(!kith_host_is_loopback("128.0.0.1"));
	CHECK(!kith_host_is_loopback("10.0.0.1"));
	CHECK(!kith_host_is_loopback("::2"));
	CHECK(!kith_host_is_loopback("localhost.example"));
	CHECK(!kith_host_is_loopback("mail.example"));
	CHECK(!kith_host_is_loopback(""));
	CHECK(!kith_host_is_loopback(NULL));
}

static void test_refused(void)
{
	struct kith_conn *c = (struct kith_conn *)1;
	char err[256] = "";
	int port, lfd = listen_local(&port);

	close(lfd); /* nobody listens there now */
	CHECK_INT(kith_conn_open("127.0.0.1", port, 2, &c, err, sizeof err), -ECONNREFUSED);
	CHECK(c == NULL);
	CHECK(strstr(err, "cannot connect") != NULL);
	CHECK(kith_conn_open("no-such-host.invalid", 143, 2, &c, err, sizeof err) < 0);
}

static void test_read_data_then_eof(void)
{
	struct kith_conn *c = NULL;
	char err[256], buf[64];
	int port, lfd = listen_local(&port);
	pid_t pid = serve(lfd, "* OK hi\r\n", 0);

	CHECK_INT(kith_conn_open("127.0.0.1", port, 2, &c, err, sizeof err), 0);
	CHECK(c && !kith_conn_is_tls(c));
	CHECK_INT(kith_conn_read(c, buf, sizeof buf), 9);
	CHECK(memcmp(buf, "* OK hi\r\n", 9) == 0);
	/* end of stream is an error, never 0 (libetpan would spin on 0) */
	CHECK_INT(kith_conn_read(c, buf, sizeof buf), -1);
	CHECK_INT(kith_conn_error(c), -ECONNRESET);
	CHECK_INT(kith_conn_read(c, buf, sizeof buf), -1);
	kith_conn_close(c);
	stop(pid);
	close(lfd);
}

static void test_read_timeout(void)
{
	struct kith_conn *c = NULL;
	char err[256], buf[64];
	int port, lfd = listen_local(&port);
	pid_t pid = serve(lfd, NULL, 10);
	double t0;

	CHECK_INT(kith_conn_open("127.0.0.1", port, 1, &c, err, sizeof err), 0);
	t0 = now_s();
	CHECK_INT(kith_conn_read(c, buf, sizeof buf), -1);
	CHECK_INT(kith_conn_error(c), -ETIMEDOUT);
	CHECK(now_s() - t0 >= 0.9 && now_s() - t0 < 3.0);
	CHECK_INT(kith_conn_wait_readable(c, 100), 0);
	CHECK_INT(kith_conn_write(c, "a\r\n", 3), 3);
	kith_conn_close(c);
	stop(pid);
	close(lfd);
}

static void test_tls_failures(void)
{
	struct kith_conn *c = NULL;
	char err[256] = "";
	int port, lfd = listen_local(&port);
	pid_t pid = serve(lfd, "* OK this is not TLS at all\r\n", 5);

	CHECK_INT(kith_conn_open("127.0.0.1", port, 2, &c, err, sizeof err), 0);
	CHECK_INT(kith_conn_start_tls(c, "127.0.0.1", NULL, err, sizeof err), -KITH_E_TLS);
	CHECK(strstr(err, "TLS") != NULL);
	CHECK(!kith_conn_is_tls(c));
	kith_conn_close(c);
	stop(pid);

	c = NULL;
	pid = serve(lfd, NULL, 5);
	CHECK_INT(kith_conn_open("127.0.0.1", port, 2, &c, err, sizeof err), 0);
	CHECK_INT(kith_conn_start_tls(c, "127.0.0.1", "/nonexistent/ca.pem", err, sizeof err),
		  -KITH_E_TLS);
	CHECK(strstr(err, "no trusted CA") != NULL);
	kith_conn_close(c);
	stop(pid);
	close(lfd);
	kith_conn_close(NULL);
}

static int no_folder(void *ctx, const char *f, unsigned fl, uint32_t a, uint32_t b, uint32_t c)
{
	return -EINVAL;
}
static int no_message(void *ctx, uint32_t uid, const char *h, size_t n) { return -EINVAL; }
static int no_batch(void *ctx, const char *f, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	return -EINVAL;
}
static int no_unchanged(void *ctx, const char *f) { return -EINVAL; }

static void test_plaintext_guard(void)
{
	struct kith_account a = { .name = "t", .host = "192.0.2.1", .port = 143,
				  .tls = KITH_TLS_NONE, .user = "u", .timeout_s = 1 };
	struct kith_sync_request req = { .account = &a, .secret = "s" };
	struct kith_sink sink = { NULL, no_folder, no_message, no_batch, no_unchanged, NULL };
	char err[256] = "";
	double t0 = now_s();

	CHECK_INT(kith_imap_session(&req, &sink, err, sizeof err), -KITH_E_NOTLS);
	CHECK(strstr(err, "loopback") != NULL);
	CHECK(now_s() - t0 < 0.5); /* refused before any connect */
	CHECK_INT(kith_imap_session(NULL, &sink, err, sizeof err), -EINVAL);
	CHECK_STR(kith_source_strerror(-KITH_E_NOTLS),
		  "server offers no STARTTLS (refusing plaintext)");
	CHECK_STR(kith_source_strerror(-ETIMEDOUT), strerror(ETIMEDOUT));
	CHECK_STR(kith_source_strerror(0), "success");
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_loopback();
	test_refused();
	test_read_data_then_eof();
	test_read_timeout();
	test_tls_failures();
	test_plaintext_guard();
	return T_DONE();
}
