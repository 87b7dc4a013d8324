/* ctl.c: see ctl.h. */
#include "ctl.h"
#include "ctlproto.h"
#include "../util/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define CTL_TIMEOUT_MS 1000
#define CTL_MAX_PER_CALL 16
#define CTL_TEXT_MAX (KITH_CTL_MAX_REPLY - 64)

static int sock_path(const char *dir, struct sockaddr_un *sa, char *err, size_t n)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if ((size_t)snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/control", dir) >=
	    sizeof(sa->sun_path)) {
		snprintf(err, n, "%s/control: path too long for a Unix socket", dir);
		return -ENAMETOOLONG;
	}
	return 0;
}

/* Why so careful: with no $XDG_RUNTIME_DIR the folder is /tmp/kith-UID,
 * which another user could have made first to catch our socket. */
static int prepare_dir(const char *dir, char *err, size_t n)
{
	struct stat st;
	int fd, r = 0;

	if ((r = kith_mkdirs_private(dir)) < 0) {
		snprintf(err, n, "cannot create %s: %s", dir, strerror(-r));
		return r;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		snprintf(err, n, "%s: %s", dir, strerror(errno));
	} else if (st.st_uid != geteuid()) {
		r = -EPERM;
		snprintf(err, n, "%s belongs to uid %u, not to us; refused", dir, (unsigned)st.st_uid);
	} else if ((st.st_mode & 077) && fchmod(fd, 0700) < 0) {
		r = -errno;
		snprintf(err, n, "cannot make %s private: %s", dir, strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	return r;
}

/* A socket file left by a crashed kithd is removed; a live one is not. */
static int clear_stale(const struct sockaddr_un *sa, char *err, size_t n)
{
	struct stat st;
	int fd, r;

	if (lstat(sa->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, n, "%s exists and is not a socket; refused", sa->sun_path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (r == 0) {
		snprintf(err, n, "another kithd is listening on %s", sa->sun_path);
		return -EADDRINUSE;
	}
	if (unlink(sa->sun_path) < 0 && errno != ENOENT) {
		r = -errno;
		snprintf(err, n, "cannot remove stale %s: %s", sa->sun_path, strerror(errno));
		return r;
	}
	return 0;
}

static int bind_listen(const struct sockaddr_un *sa, char *err, size_t n)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), r;
	mode_t old;

	if (fd < 0) {
		r = -errno;
		snprintf(err, n, "socket: %s", strerror(errno));
		return r;
	}
	old = umask(0177);
	r = bind(fd, (const struct sockaddr *)sa, sizeof(*sa));
	umask(old);
	if (r < 0 || chmod(sa->sun_path, 0600) < 0 || listen(fd, 16) < 0) {
		r = -errno;
		snprintf(err, n, "%s: %s", sa->sun_path, strerror(errno));
		close(fd);
		return r;
	}
	return fd;
}

int kith_ctl_listen(const char *dir, char *err, size_t n)
{
	struct sockaddr_un sa;
	int r;

	if ((r = sock_path(dir, &sa, err, n)) < 0 || (r = prepare_dir(dir, err, n)) < 0)
		return r;
	if ((r = clear_stale(&sa, err, n)) < 0) {
		if (!err[0])
			snprintf(err, n, "%s: %s", sa.sun_path, strerror(-r));
		return r;
	}
	return bind_listen(&sa, err, n);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Waits for `ev` on fd within what is left of the exchange's time. */
static int wait_fd(int fd, short ev, const struct timespec *t0)
{
	struct pollfd p = { .fd = fd, .events = ev };
	long left = CTL_TIMEOUT_MS - ms_since(t0);
	int r;

	if (left <= 0)
		return -ETIMEDOUT;
	r = poll(&p, 1, (int)left);
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	return r == 0 ? -ETIMEDOUT : 0;
}

static int read_request(int fd, enum kith_ctl_cmd *cmd, const struct timespec *t0)
{
	char buf[KITH_CTL_MAX_REQUEST];
	size_t len = 0;
	int r = -EAGAIN;

	while (r == -EAGAIN) {
		ssize_t k;

		if ((r = wait_fd(fd, POLLIN, t0)) < 0)
			return r;
		k = recv(fd, buf + len, sizeof(buf) - len, 0);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			k = 0, r = -EAGAIN;
		else if (k < 0)
			return -errno;
		else if (k == 0)
			return -EPIPE;   /* the client gave up before a whole line */
		len += (size_t)k;
		r = kith_ctl_decode_request(buf, len, cmd);
	}
	return r;
}

static int write_all(int fd, const char *b, size_t len, const struct timespec *t0)
{
	while (len > 0) {
		ssize_t k = send(fd, b, len, MSG_NOSIGNAL);
		int r;

		if (k < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (k > 0) {
			b += k;
			len -= (size_t)k;
		} else if ((r = wait_fd(fd, POLLOUT, t0)) < 0) {
			return r;
		}
	}
	return 0;
}

static int reply(int fd, int ok, const char *text, const struct timespec *t0)
{
	char *out = malloc(KITH_CTL_MAX_REPLY);
	int len, r;

	if (!out)
		return -ENOMEM;
	len = kith_ctl_encode_reply(ok, text, out, KITH_CTL_MAX_REPLY);
	r = len < 0 ? len : write_all(fd, out, (size_t)len, t0);
	free(out);
	return r;
}

static int peer_is_us(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return -errno;
	return cr.uid == geteuid() ? 0 : -EPERM;
}

static int run_command(int fd, enum kith_ctl_cmd cmd, kith_ctl_fn fn, void *ctx,
		       const struct timespec *t0)
{
	char *text = calloc(1, CTL_TEXT_MAX);
	int r, rr;

	if (!text)
		return -ENOMEM;
	r = fn(ctx, kith_ctl_cmd_name(cmd), text, CTL_TEXT_MAX);
	if (r < 0 && !text[0])
		snprintf(text, CTL_TEXT_MAX, "%s", strerror(-r));
	rr = reply(fd, r >= 0, text, t0);
	free(text);
	return r < 0 ? r : rr;
}

int kith_ctl_serve(int fd, kith_ctl_fn fn, void *ctx)
{
	struct timespec t0;
	enum kith_ctl_cmd cmd;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((r = peer_is_us(fd)) < 0) {
		reply(fd, 0, "permission denied: not your kithd", &t0);
	} else if ((r = read_request(fd, &cmd, &t0)) == -EINVAL || r == -E2BIG) {
		reply(fd, 0, "unknown command; known: status, sync, reload, ping", &t0);
	} else if (r == 0) {
		r = run_command(fd, cmd, fn, ctx, &t0);
	}
	shutdown(fd, SHUT_RDWR);
	close(fd);
	return r;
}

int kith_ctl_accept(int listen_fd, kith_ctl_fn fn, void *ctx)
{
	int served = 0;

	while (served < CTL_MAX_PER_CALL) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return served ? served : -errno;
		}
		kith_ctl_serve(fd, fn, ctx);
		served++;
	}
	return served;
}

void kith_ctl_close(int listen_fd, const char *dir)
{
	struct sockaddr_un sa;
	char err[8];

	if (listen_fd >= 0)
		close(listen_fd);
	if (dir && sock_path(dir, &sa, err, sizeof(err)) == 0)
		unlink(sa.sun_path);
}
