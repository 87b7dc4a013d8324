/* test_ctlproto.c: the control protocol, the socket server and the client. */
#include "t.h"
#include "ctlproto.h"
#include "ctl.h"
/* The client lives in cli/, which the unit-test link does not include:
 * compile it into this test directly. */
#include "../../cli/ctlclient.c"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

static void test_requests(void)
{
	enum kith_ctl_cmd c = KITH_CTL_NCMDS;
	char buf[KITH_CTL_MAX_REQUEST + 8];
	unsigned i;

	for (i = 0; i < KITH_CTL_NCMDS; i++) {
		int n = kith_ctl_encode_request((enum kith_ctl_cmd)i, buf, sizeof(buf));
		CHECK_INT(n, (long long)strlen(kith_ctl_cmd_name((enum kith_ctl_cmd)i)) + 1);
		CHECK_INT(kith_ctl_decode_request(buf, (size_t)n, &c), 0);
		CHECK_INT(c, i);
	}
	CHECK_INT(kith_ctl_encode_request(KITH_CTL_NCMDS, buf, sizeof(buf)), -EINVAL);
	CHECK_INT(kith_ctl_encode_request(KITH_CTL_STATUS, buf, 7), -ENOSPC);
	CHECK_INT(kith_ctl_encode_request(KITH_CTL_STATUS, buf, 8), 7);
	CHECK_NULL(kith_ctl_cmd_name((enum kith_ctl_cmd)99));

	CHECK_INT(kith_ctl_decode_request("sync\r\n", 6, &c), 0);
	CHECK_INT(c, KITH_CTL_SYNC);
	CHECK_INT(kith_ctl_decode_request("sy", 2, &c), -EAGAIN);
	CHECK_INT(kith_ctl_decode_request("sync\r", 5, &c), -EAGAIN);
	CHECK_INT(kith_ctl_decode_request("", 0, &c), -EAGAIN);
	CHECK_INT(kith_ctl_decode_request("\n", 1, &c), -EINVAL);
	CHECK_INT(kith_ctl_decode_request("Sync\n", 5, &c), -EINVAL);
	CHECK_INT(kith_ctl_decode_request("sync now\n", 9, &c), -EINVAL);
	CHECK_INT(kith_ctl_decode_request("syn\0c\n", 6, &c), -EINVAL);
	CHECK_INT(kith_ctl_decode_request("sync\nping\n", 10, &c), -EINVAL);
	CHECK_INT(kith_ctl_decode_request("sy\rnc\n", 6, &c), -EINVAL);
	CHECK_INT(kith_ctl_decode_request("shutdown\n", 9, &c), -EINVAL);
	memset(buf, 'a', sizeof(buf));
	CHECK_INT(kith_ctl_decode_request(buf, KITH_CTL_MAX_REQUEST - 1, &c), -EAGAIN);
	CHECK_INT(kith_ctl_decode_request(buf, KITH_CTL_MAX_REQUEST, &c), -E2BIG);
	buf[KITH_CTL_MAX_REQUEST] = '\n';
	CHECK_INT(kith_ctl_decode_request(buf, KITH_CTL_MAX_REQUEST + 1, &c), -E2BIG);
}

static void roundtrip(int ok, const char *text, const char *want_wire, const char *want_text)
{
	char wire[256], back[256];
	int n = kith_ctl_encode_reply(ok, text, wire, sizeof(wire)), ok2 = -1;

	CHECK(n > 0);
	CHECK_STR(wire, want_wire);
	CHECK_INT(kith_ctl_decode_reply(wire, (size_t)(n > 0 ? n : 0), &ok2, back, sizeof(back)), 0);
	CHECK_INT(ok2, ok);
	CHECK_STR(back, want_text);
}

static void test_replies(void)
{
	char wire[64], text[64];
	int ok, n;

	roundtrip(1, "pong", "ok pong\n", "pong");
	roundtrip(0, "no such thing", "err no such thing\n", "no such thing");
	roundtrip(1, NULL, "ok\n", "");
	roundtrip(1, "", "ok\n", "");
	roundtrip(1, "2 accounts\nwork: idle\nhome: syncing\n",
		  "ok 2 accounts\nwork: idle\nhome: syncing\n", "2 accounts\nwork: idle\nhome: syncing");
	roundtrip(1, "a\x1b[31mred\x7f\tx", "ok a?[31mred?\tx\n", "a?[31mred?\tx");
	roundtrip(1, "c1 \xc2\x9b" "2J caf\xc3\xa9", "ok c1 ?2J caf\xc3\xa9\n", "c1 ?2J caf\xc3\xa9");

	/* cut to fit, ending "...\n", never splitting a UTF-8 sequence */
	n = kith_ctl_encode_reply(1, "0123456789abcdefghij\xc3\xa9\xc3\xa9\xc3\xa9", wire, 24);
	CHECK_INT(n, 23);
	CHECK_STR(wire, "ok 0123456789abcdef...\n");
	n = kith_ctl_encode_reply(1, "0123456789abcdef\xc3\xa9zzzzzzz", wire, 24);
	CHECK(n <= 23 && n > 0);
	CHECK(strstr(wire, "...\n") != NULL);
	CHECK(strstr(wire, "\xc3...") == NULL);
	CHECK_INT(kith_ctl_encode_reply(1, "x", wire, 15), -ENOSPC);
	/* invalid UTF-8 (all continuation bytes) must not eat the status word */
	{
		char junk[40];
		memset(junk, 0x82, sizeof(junk) - 1);
		junk[sizeof(junk) - 1] = '\0';
		n = kith_ctl_encode_reply(1, junk, wire, 20);
		CHECK(n > 0 && strncmp(wire, "ok \x82", 4) == 0);
		CHECK_INT(kith_ctl_decode_reply(wire, (size_t)(n > 0 ? n : 0), &ok, text, sizeof(text)), 0);
	}

	CHECK_INT(kith_ctl_decode_reply("okay\n", 5, &ok, text, sizeof(text)), -EINVAL);
	CHECK_INT(kith_ctl_decode_reply("", 0, &ok, text, sizeof(text)), -EINVAL);
	CHECK_INT(kith_ctl_decode_reply("HTTP/1.1 200\n", 13, &ok, text, sizeof(text)), -EINVAL);
	CHECK_INT(kith_ctl_decode_reply("ok", 2, &ok, text, sizeof(text)), 0);
	CHECK_INT(ok, 1);
	CHECK_INT(kith_ctl_decode_reply("err x\0y\n", 8, &ok, text, sizeof(text)), 0);
	CHECK_INT(ok, 0);
	CHECK_STR(text, "x?y");
	CHECK_INT(kith_ctl_decode_reply("ok 0123456789", 13, &ok, text, 5), 0);
	CHECK_STR(text, "0123");
	CHECK_INT(kith_ctl_decode_reply("ok", KITH_CTL_MAX_REPLY + 1, &ok, text, 5), -E2BIG);
}

/* ---- the socket ---------------------------------------------------------- */

static char tmpdir[] = "/tmp/kith-test-ctl-XXXXXX";
static char rundir[64];

static int handler(void *ctx, const char *cmd, char *reply, size_t n)
{
	int *calls = ctx;

	(*calls)++;
	if (strcmp(cmd, "ping") == 0) {
		snprintf(reply, n, "pong");
		return 0;
	}
	if (strcmp(cmd, "status") == 0) {
		snprintf(reply, n, "2 accounts\nwork: idle\nhome: \x1b[2Jsyncing");
		return 0;
	}
	if (strcmp(cmd, "reload") == 0)
		return -EBUSY;   /* no text: the server supplies strerror */
	snprintf(reply, n, "sync refused: offline");
	return -EAGAIN;
}

/* Forks a server that serves `count` clients, then exits with how many
 * handler calls it saw. */
static pid_t serve_in_child(int lfd, int count)
{
	pid_t pid = fork();
	int calls = 0, served = 0;

	if (pid != 0)
		return pid;
	while (served < count) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		int r;

		if (poll(&p, 1, 5000) <= 0)
			_exit(100);
		r = kith_ctl_accept(lfd, handler, &calls);
		if (r < 0)
			_exit(101);
		served += r;
	}
	_exit(calls);
}

static int child_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void test_server(void)
{
	char err[256] = "", *text = NULL, path[160];
	struct stat st;
	int lfd, ok = -1;
	pid_t pid;

	snprintf(rundir, sizeof(rundir), "%s/kith", tmpdir);
	lfd = kith_ctl_listen(rundir, err, sizeof(err));
	CHECK(lfd >= 0);
	if (lfd < 0) {
		fprintf(stderr, "  listen: %s\n", err);
		return;
	}
	CHECK(stat(rundir, &st) == 0 && (st.st_mode & 0777) == 0700);
	snprintf(path, sizeof(path), "%s/control", rundir);
	CHECK(stat(path, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600);
	CHECK(fcntl(lfd, F_GETFL) & O_NONBLOCK);
	CHECK_INT(kith_ctl_accept(lfd, handler, NULL), 0);   /* nobody waiting */

	/* a second daemon is refused while the first listens */
	CHECK_INT(kith_ctl_listen(rundir, err, sizeof(err)), -EADDRINUSE);
	CHECK(strstr(err, "another kithd") != NULL);
	{	/* that check's probe connection waits in the backlog: serve it */
		int probe_calls = 0;
		CHECK_INT(kith_ctl_accept(lfd, handler, &probe_calls), 1);
		CHECK_INT(probe_calls, 0);
	}

	pid = serve_in_child(lfd, 4);
	CHECK_INT(kith_ctl_call(rundir, "ping", 3000, &ok, &text), 0);
	CHECK_INT(ok, 1);
	CHECK_STR(text, "pong");
	free(text);
	CHECK_INT(kith_ctl_call(rundir, "status", 3000, &ok, &text), 0);
	CHECK_STR(text, "2 accounts\nwork: idle\nhome: ?[2Jsyncing");
	free(text);
	CHECK_INT(kith_ctl_call(rundir, "reload", 3000, &ok, &text), 0);
	CHECK_INT(ok, 0);
	CHECK_STR(text, strerror(EBUSY));
	free(text);
	CHECK_INT(kith_ctl_call(rundir, "sync", 3000, &ok, &text), 0);
	CHECK_INT(ok, 0);
	CHECK_STR(text, "sync refused: offline");
	free(text);
	CHECK_INT(child_status(pid), 4);
	CHECK_INT(kith_ctl_call(rundir, "shutdown", 3000, &ok, &text), -EINVAL);
	CHECK_NULL(text);

	/* a crashed daemon leaves a socket nobody answers on */
	close(lfd);
	CHECK_INT(kith_ctl_call(rundir, "ping", 3000, &ok, &text), -ECONNREFUSED);
	lfd = kith_ctl_listen(rundir, err, sizeof(err));
	CHECK(lfd >= 0);
	kith_ctl_close(lfd, rundir);
	CHECK_INT(kith_ctl_call(rundir, "ping", 3000, &ok, &text), -ENOENT);
}

static int raw_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/control", rundir);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void test_bad_clients(void)
{
	char err[256] = "", buf[256];
	int lfd = kith_ctl_listen(rundir, err, sizeof(err)), fd, calls = 0;
	ssize_t n;

	CHECK(lfd >= 0);
	if (lfd < 0)
		return;
	/* nonsense gets an error reply and never reaches the handler */
	fd = raw_connect();
	CHECK(fd >= 0);
	CHECK_INT(write(fd, "GET / HTTP/1.0\r\n", 16), 16);
	CHECK_INT(kith_ctl_accept(lfd, handler, &calls), 1);
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	CHECK(strncmp(buf, "err unknown command", 19) == 0);
	CHECK_INT(calls, 0);
	close(fd);

	/* a silent client is dropped after the time limit */
	fd = raw_connect();
	{
		struct timespec t0;
		long ms;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		CHECK_INT(kith_ctl_accept(lfd, handler, &calls), 1);
		ms = -ms_left(&t0, 0);
		/* not before the 1 s limit; and dropped, not held (the bound is
		 * far above the limit: a busy machine is slow, not wrong) */
		CHECK(ms >= 900 && ms < 20000);
	}
	CHECK_INT(read(fd, buf, sizeof(buf)), 0);
	CHECK_INT(calls, 0);
	close(fd);
	kith_ctl_close(lfd, rundir);
}

/* Runs only as root: another uid must be refused by the directory and by
 * SO_PEERCRED even when the socket's mode would let it in. */
static void test_other_uid(void)
{
	char err[256] = "", path[160], buf[128];
	int lfd, calls = 0, st;
	pid_t pid;

	if (geteuid() != 0) {
		printf("test_other_uid: not root, skipped\n");
		return;
	}
	lfd = kith_ctl_listen(rundir, err, sizeof(err));
	CHECK(lfd >= 0);
	snprintf(path, sizeof(path), "%s/control", rundir);
	chmod(tmpdir, 0755);
	chmod(rundir, 0755);
	chmod(path, 0666);
	pid = fork();
	if (pid == 0) {
		ssize_t n;
		int fd;

		if (setgid(65534) < 0 || setuid(65534) < 0 || (fd = raw_connect()) < 0)
			_exit(2);
		/* the server may refuse before reading: a failed write is fine */
		if (write(fd, "ping\n", 5) < 0 && errno != EPIPE && errno != ECONNRESET)
			_exit(3);
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		_exit(strncmp(buf, "err permission denied", 21) == 0 ? 0 : 4);
	}
	{
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		CHECK(poll(&p, 1, 5000) == 1);
	}
	CHECK_INT(kith_ctl_accept(lfd, handler, &calls), 1);
	CHECK_INT(waitpid(pid, &st, 0), pid);
	CHECK_INT(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0);
	CHECK_INT(calls, 0);
	kith_ctl_close(lfd, rundir);

	/* a folder someone else made first is refused */
	CHECK_INT(chown(rundir, 65534, 65534), 0);
	CHECK_INT(kith_ctl_listen(rundir, err, sizeof(err)), -EPERM);
	CHECK(strstr(err, "not to us") != NULL);
	CHECK_INT(chown(rundir, 0, 0), 0);
	/* and one of ours that is open gets closed up */
	lfd = kith_ctl_listen(rundir, err, sizeof(err));
	{
		struct stat sb;
		CHECK(stat(rundir, &sb) == 0 && (sb.st_mode & 0777) == 0700);
	}
	kith_ctl_close(lfd, rundir);
}

int main(void)
{
	char cmd[128];

	signal(SIGPIPE, SIG_IGN);
	test_requests();
	test_replies();
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	test_server();
	test_bad_clients();
	test_other_uid();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup failed\n");
	return T_DONE();
}
