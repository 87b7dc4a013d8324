/* notify.c: see notify.h.  sd_notify(3)'s datagram protocol, hand-rolled. */
#include "notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define NOTIFY_MAX 4096

/* Builds the socket address from $NOTIFY_SOCKET.  Returns the address
 * length, 0 when unset, -EINVAL when malformed or too long. */
static int notify_addr(struct sockaddr_un *sa)
{
	const char *e = getenv("NOTIFY_SOCKET");
	size_t len;

	if (!e || !*e)
		return 0;
	len = strlen(e);
	if ((e[0] != '/' && e[0] != '@') || len < 2 || len >= sizeof(sa->sun_path))
		return -EINVAL;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, e, len);
	if (e[0] == '@')
		sa->sun_path[0] = '\0';  /* abstract namespace: no terminating NUL */
	else
		len++;
	return (int)(offsetof(struct sockaddr_un, sun_path) + len);
}

int kith_notify(const char *state)
{
	struct sockaddr_un sa;
	size_t n = strlen(state);
	int alen = notify_addr(&sa), fd, r = 1;

	if (alen <= 0)
		return alen;
	if (n > NOTIFY_MAX)
		return -E2BIG;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, state, n, MSG_NOSIGNAL, (struct sockaddr *)&sa, (socklen_t)alen) < 0)
		r = -errno;
	close(fd);
	return r;
}

void kith_notify_status(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	char *p;

	if (!getenv("NOTIFY_SOCKET"))
		return;
	memcpy(buf, "STATUS=", 7);
	va_start(ap, fmt);
	vsnprintf(buf + 7, sizeof(buf) - 7, fmt, ap);
	va_end(ap);
	for (p = buf; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	kith_notify(buf);
}

int kith_notify_extend_timeout(uint64_t usec)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "EXTEND_TIMEOUT_USEC=%llu", (unsigned long long)usec);
	return kith_notify(buf);
}

/* Why check WATCHDOG_PID: a child that inherited the environment must not
 * feed the parent's watchdog (systemd's own rule in sd_watchdog_enabled). */
int64_t kith_notify_watchdog_interval_ms(void)
{
	const char *us = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	unsigned long long v;
	char *end;

	if (!us || !*us)
		return 0;
	if (pid && *pid && strtol(pid, &end, 10) != (long)getpid())
		return 0;
	errno = 0;
	v = strtoull(us, &end, 10);
	if (errno || *end || v == 0 || v > (unsigned long long)INT64_MAX)
		return 0;
	return (int64_t)(v / 1000 ? v / 1000 : 1);
}

static int64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void kith_notify_watchdog(void)
{
	static int64_t last = INT64_MIN;
	int64_t iv = kith_notify_watchdog_interval_ms(), now;

	if (iv <= 0)
		return;
	now = mono_ms();
	if (last != INT64_MIN && now - last < iv / 4)
		return;
	if (kith_notify("WATCHDOG=1") > 0)
		last = now;
}
