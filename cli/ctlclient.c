/* ctlclient.c: see ctlclient.h. */
#include "ctlclient.h"
#include "ctlproto.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int connect_to(const char *dir)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/control", dir) >=
	    sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

static long ms_left(const struct timespec *t0, int timeout_ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return timeout_ms - ((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
}

/* Reads until EOF into buf[cap]; returns the length or a negative errno. */
static ssize_t read_reply(int fd, char *buf, size_t cap, int timeout_ms)
{
	struct timespec t0;
	size_t len = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = ms_left(&t0, timeout_ms);
		ssize_t k;

		if (left <= 0 || poll(&p, 1, (int)left) == 0)
			return -ETIMEDOUT;
		if (len == cap)
			return -EPROTO;          /* longer than any reply of ours */
		k = recv(fd, buf + len, cap - len, MSG_DONTWAIT);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return (ssize_t)len;
		len += (size_t)k;
	}
}

static int exchange(int fd, enum kith_ctl_cmd c, int timeout_ms, int *ok, char **text)
{
	char req[KITH_CTL_MAX_REQUEST], *buf;
	int len = kith_ctl_encode_request(c, req, sizeof(req)), r;
	ssize_t n;

	if (len < 0)
		return len;
	n = send(fd, req, (size_t)len, MSG_NOSIGNAL);
	if (n < 0)
		return -errno;
	if (n != len)
		return -EIO;
	if (!(buf = malloc(KITH_CTL_MAX_REPLY + 1)) || !(*text = malloc(KITH_CTL_MAX_REPLY))) {
		free(buf);
		return -ENOMEM;
	}
	n = read_reply(fd, buf, KITH_CTL_MAX_REPLY + 1, timeout_ms);
	r = n < 0 ? (int)n : kith_ctl_decode_reply(buf, (size_t)n, ok, *text, KITH_CTL_MAX_REPLY);
	if (r == -EINVAL || r == -E2BIG)
		r = -EPROTO;
	free(buf);
	if (r < 0) {
		free(*text);
		*text = NULL;
	}
	return r;
}

int kith_ctl_call(const char *dir, const char *cmd, int timeout_ms, int *ok, char **text)
{
	enum kith_ctl_cmd c;
	int fd, r;

	*text = NULL;
	*ok = 0;
	if (kith_ctl_cmd_parse(cmd, &c) < 0)
		return -EINVAL;
	fd = connect_to(dir);
	if (fd < 0)
		return fd;
	r = exchange(fd, c, timeout_ms, ok, text);
	close(fd);
	return r;
}
