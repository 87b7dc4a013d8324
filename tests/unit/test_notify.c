/* test_notify.c: the sd_notify datagrams, against a socket of our own. */
#include "t.h"
#include "notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/kith-test-notify-XXXXXX";

/* Binds a datagram socket at `name` ("/path" or "@abstract"). */
static int listener(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name));
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	memcpy(sa.sun_path, name, strlen(name));
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	else
		len++;
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) < 0) {
		perror("bind");
		exit(2);
	}
	return fd;
}

/* The next datagram, or "" when none is waiting. */
static const char *next_msg(int fd)
{
	static char buf[5000];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void test_path_socket(void)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/notify", tmpdir);
	fd = listener(path);
	setenv("NOTIFY_SOCKET", path, 1);
	CHECK_INT(kith_notify("READY=1"), 1);
	CHECK_STR(next_msg(fd), "READY=1");
	CHECK_INT(kith_notify("READY=1\nSTATUS=synced"), 1);
	CHECK_STR(next_msg(fd), "READY=1\nSTATUS=synced");
	kith_notify_status("syncing %s (%d%%)\nnext", "work", 40);
	CHECK_STR(next_msg(fd), "STATUS=syncing work (40%) next");
	CHECK_STR(next_msg(fd), "");
	CHECK_INT(kith_notify_extend_timeout(90000000), 1);
	CHECK_STR(next_msg(fd), "EXTEND_TIMEOUT_USEC=90000000");
	{
		char big[5000];
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		CHECK_INT(kith_notify(big), -E2BIG);
	}
	close(fd);
	unlink(path);
	/* nobody listening: an error, not a crash */
	CHECK(kith_notify("READY=1") < 0);
}

static void test_abstract_socket(void)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "@kith-test-notify-%ld", (long)getpid());
	fd = listener(name);
	setenv("NOTIFY_SOCKET", name, 1);
	CHECK_INT(kith_notify("STOPPING=1"), 1);
	CHECK_STR(next_msg(fd), "STOPPING=1");
	close(fd);
}

static void test_unset_and_bad(void)
{
	unsetenv("NOTIFY_SOCKET");
	CHECK_INT(kith_notify("READY=1"), 0);
	kith_notify_status("nothing happens");
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	CHECK_INT(kith_notify("READY=1"), -EINVAL);
	setenv("NOTIFY_SOCKET", "@", 1);
	CHECK_INT(kith_notify("READY=1"), -EINVAL);
}

static void test_watchdog(void)
{
	char path[128], pid[32];
	int fd;

	snprintf(path, sizeof(path), "%s/wd", tmpdir);
	fd = listener(path);
	setenv("NOTIFY_SOCKET", path, 1);

	unsetenv("WATCHDOG_USEC");
	CHECK_INT(kith_notify_watchdog_interval_ms(), 0);
	kith_notify_watchdog();
	CHECK_STR(next_msg(fd), "");

	setenv("WATCHDOG_USEC", "400000", 1);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	CHECK_INT(kith_notify_watchdog_interval_ms(), 0);   /* meant for another process */
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	CHECK_INT(kith_notify_watchdog_interval_ms(), 400);
	unsetenv("WATCHDOG_PID");
	CHECK_INT(kith_notify_watchdog_interval_ms(), 400);
	setenv("WATCHDOG_USEC", "12abc", 1);
	CHECK_INT(kith_notify_watchdog_interval_ms(), 0);
	setenv("WATCHDOG_USEC", "400000", 1);

	kith_notify_watchdog();
	CHECK_STR(next_msg(fd), "WATCHDOG=1");
	kith_notify_watchdog();              /* too soon: rate-limited */
	CHECK_STR(next_msg(fd), "");
	{
		struct timespec ts = { 0, 120 * 1000000 };
		nanosleep(&ts, NULL);            /* more than a quarter interval */
	}
	kith_notify_watchdog();
	CHECK_STR(next_msg(fd), "WATCHDOG=1");
	close(fd);
	unsetenv("WATCHDOG_USEC");
	unsetenv("NOTIFY_SOCKET");
}

int main(void)
{
	char cmd[128];

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	test_path_socket();
	test_abstract_socket();
	test_unset_and_bad();
	test_watchdog();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup failed\n");
	return T_DONE();
}
