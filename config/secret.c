/* secret.c: fetches an account's password or OAuth2 token (see config.h).
 *
 * Sources: pass_cmd / oauth2_token_cmd run through /bin/sh -c with stdout on
 * a pipe (first line kept), or pass_file (0600 or stricter, owned by the
 * user).  Secrets never reach a message, a log or a core-dumped buffer that
 * outlives this file: every buffer is wiped with explicit_bzero.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SECRET_MAX   (64 * 1024)   /* whole output we are willing to hold */
#define CMD_TIMEOUT_MS (120 * 1000) /* pinentry prompts need time */

extern char **environ;

/* Copies the first line of buf[0..n) into a fresh string (CR/LF dropped). */
static int first_line(const char *buf, size_t n, char **out)
{
	size_t len = 0;

	while (len < n && buf[len] != '\n' && buf[len] != '\0')
		len++;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len == 0)
		return -ENODATA;
	if (!(*out = malloc(len + 1)))
		return -ENOMEM;
	memcpy(*out, buf, len);
	(*out)[len] = '\0';
	return 0;
}

static long ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 +
	       (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* The command's exit, once seen while reading (see read_all). */
struct child {
	pid_t pid;     /* 0: reading a file */
	int reaped;
	int status;
};

/* Why: a command may leave a background process holding its stdout (an
 * agent it started); once the command itself has exited, what is already in
 * the pipe is all we wait for.  Returns 1 when the child has exited. */
static int child_done(struct child *ch)
{
	if (ch->pid <= 0 || ch->reaped)
		return ch->reaped;
	if (waitpid(ch->pid, &ch->status, WNOHANG) == ch->pid)
		ch->reaped = 1;
	return ch->reaped;
}

/* Reads fd (non-blocking) into buf (at most cap bytes) until EOF, or until
 * the child has exited and the pipe is empty, before the deadline.
 * Returns bytes read, -ETIMEDOUT, -EFBIG or -errno. */
static ssize_t read_all(int fd, char *buf, size_t cap, long timeout_ms, struct child *ch)
{
	struct timespec deadline;
	size_t n = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = ms_left(&deadline);
		ssize_t k;
		int pr, exited = child_done(ch);

		if (left <= 0)
			return -ETIMEDOUT;
		pr = exited ? 1 : poll(&p, 1, (int)(left < 200 ? left : 200));
		if (pr < 0 && errno != EINTR)
			return -errno;
		if (pr <= 0)
			continue;
		if (n == cap)
			return -EFBIG;
		k = read(fd, buf + n, cap - n);
		if (k < 0 && errno == EAGAIN && exited)
			return (ssize_t)n;
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return (ssize_t)n;
		n += (size_t)k;
	}
}

/* Why: the command must not inherit the daemon's signal dispositions (a
 * SIG_IGN'd SIGPIPE would change how pipelines like `gpg | head` end) nor
 * read the daemon's stdin. */
static int spawn_sh(const char *cmd, int out_fd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	char *argv[] = { (char *)"sh", (char *)"-c", (char *)cmd, NULL };
	int r;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	r = posix_spawn(pid, "/bin/sh", &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return -r;
}

static int wait_child(struct child *ch, int kill_it)
{
	int st;

	if (ch->reaped)
		return ch->status;
	if (kill_it)
		kill(ch->pid, SIGKILL);
	while (waitpid(ch->pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return st;
}

/* Runs `cmd`, keeps the first line of its output.  `what` names the key for
 * messages ("pass_cmd"); the output itself never appears in err. */
static int run_cmd(const char *what, const char *cmd, char **secret, char *err, size_t errlen)
{
	char *buf = malloc(SECRET_MAX);
	struct child ch = { 0 };
	int fds[2], r, st;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: pipe: %s", what, strerror(errno));
		free(buf);
		return r;
	}
	r = spawn_sh(cmd, fds[1], &ch.pid);
	close(fds[1]);
	if (r < 0) {
		snprintf(err, errlen, "%s: cannot run /bin/sh: %s", what, strerror(-r));
		goto out;
	}
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	n = read_all(fds[0], buf, SECRET_MAX, CMD_TIMEOUT_MS, &ch);
	st = wait_child(&ch, n < 0);
	if (n == -ETIMEDOUT || n == -EFBIG) {
		r = (int)n;
		snprintf(err, errlen, "%s: %s", what, n == -ETIMEDOUT ?
			 "timed out after 120 s" : "output too long (over 64 KiB)");
	} else if (n < 0) {
		r = (int)n;
		snprintf(err, errlen, "%s: read: %s", what, strerror((int)-n));
	} else if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		r = -EIO;
		if (st >= 0 && WIFSIGNALED(st))
			snprintf(err, errlen, "%s: killed by signal %d", what, WTERMSIG(st));
		else
			snprintf(err, errlen, "%s: exited with status %d", what,
				 st >= 0 ? WEXITSTATUS(st) : -1);
	} else if ((r = first_line(buf, (size_t)n, secret)) == -ENODATA) {
		snprintf(err, errlen, "%s: printed no secret on its first line", what);
	}
	explicit_bzero(buf, SECRET_MAX);
out:
	close(fds[0]);
	free(buf);
	return r;
}

/* Why: a secret file anyone else can read is already leaked; refuse it so the
 * user notices, as ssh does for private keys. */
static int check_secret_fd(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "pass_file '%s': %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "pass_file '%s' is not a regular file", path);
		return -EINVAL;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077)) {
		snprintf(err, errlen, "pass_file '%s' must be owned by you with mode 0600 "
			 "or stricter (it has %04o); refused", path, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

static int read_secret_file(const char *path, char **secret, char *err, size_t errlen)
{
	char *buf;
	ssize_t n;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "pass_file '%s': %s", path, strerror(errno));
		return r;
	}
	if ((r = check_secret_fd(fd, path, err, errlen)) < 0 || !(buf = malloc(SECRET_MAX))) {
		close(fd);
		return r < 0 ? r : -ENOMEM;
	}
	{
		struct child none = { 0 };
		n = read_all(fd, buf, SECRET_MAX, 5000, &none);
	}
	if (n < 0) {
		r = (int)n;
		snprintf(err, errlen, "pass_file '%s': %s", path,
			 n == -EFBIG ? "too large (over 64 KiB)" : strerror((int)-n));
	} else if ((r = first_line(buf, (size_t)n, secret)) == -ENODATA) {
		snprintf(err, errlen, "pass_file '%s' is empty", path);
	}
	explicit_bzero(buf, SECRET_MAX);
	free(buf);
	close(fd);
	return r;
}

int kith_account_secret(const struct kith_account *a, char **secret, int *is_oauth2,
			char *err, size_t errlen)
{
	*secret = NULL;
	*is_oauth2 = 0;
	if (a->pass_cmd)
		return run_cmd("pass_cmd", a->pass_cmd, secret, err, errlen);
	if (a->pass_file)
		return read_secret_file(a->pass_file, secret, err, errlen);
	if (a->oauth2_token_cmd) {
		*is_oauth2 = 1;
		return run_cmd("oauth2_token_cmd", a->oauth2_token_cmd, secret, err, errlen);
	}
	snprintf(err, errlen, "account '%s' has no pass_cmd, pass_file or oauth2_token_cmd",
		 a->name ? a->name : "?");
	return -EINVAL;
}
