/* tasks_child.c: kith_tasks_sync run by kithd-tasks, a process of its own
 * (see taskwire.h for why).  The job goes to its stdin, the result comes
 * from its stdout; its stderr is kithd's (its log lines land in the same
 * journal).  It dies with kithd (PR_SET_PDEATHSIG), so a kill never leaves
 * a writer behind to race the next one. */
#include "tasks_child.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/fsutil.h"
#include "../daemon/log.h"
#include "taskwire.h"

#define RESULT_MAX (64u << 20)

/* The writer program: $KITH_TASKS_HELPER, else beside this executable,
 * else in ../libexec/kith/ from it (an installed tree).  0 or -ENOENT. */
static int writer_path(char *out, size_t n)
{
	const char *env = getenv("KITH_TASKS_HELPER");
	char exe[PATH_MAX - 64], *slash;
	ssize_t len;

	if (env && *env) {
		snprintf(out, n, "%s", env);
		return 0;
	}
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0)
		return -ENOENT;
	exe[len] = '\0';
	if (!(slash = strrchr(exe, '/')))
		return -ENOENT;
	*slash = '\0';
	if (snprintf(out, n, "%s/kithd-tasks", exe) < (int)n && access(out, X_OK) == 0)
		return 0;
	if (snprintf(out, n, "%s/../libexec/kith/kithd-tasks", exe) < (int)n &&
	    access(out, X_OK) == 0)
		return 0;
	return -ENOENT;
}

/* In the child: stdin and stdout become the pipes, nothing else stays. */
static void exec_writer(const char *path, int in_fd, int out_fd)
{
	char *argv[3] = { (char *)"kithd-tasks", log_debug_enabled() ? (char *)"-v" : NULL, NULL };

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0)
		_exit(127);
	close_range(3, ~0U, 0);
	execv(path, argv);
	_exit(127);
}

/* Why write first, then read: kithd-tasks reads its whole stdin before it
 * writes a byte, so this order cannot deadlock whatever the sizes. */
static int talk(pid_t pid, int to, int from, const struct kith_hbuf *job, char **res, size_t *n)
{
	int r, status;

	r = kith_write_all(to, job->p, job->len);
	close(to);
	if (r == 0)
		r = kith_read_all(from, RESULT_MAX, res, n);
	close(from);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		r = -ECHILD;
	return r;
}

int kith_tasks_sync_contained(const struct kith_task_opts *o,
			      const struct kith_task_want *wants, size_t n_wants,
			      struct kith_task_record **records, size_t *n_records,
			      int64_t now, char *err, size_t errlen)
{
	char path[PATH_MAX], *res = NULL;
	int in[2], out[2], r, rc = 0;
	struct kith_hbuf job;
	size_t n = 0;
	pid_t pid;

	if (writer_path(path, sizeof(path)) < 0) {
		snprintf(err, errlen, "the task writer kithd-tasks is not installed beside kithd");
		return -ENOENT;
	}
	kith_hbuf_init(&job);
	kith_taskwire_put_job(&job, o, wants, n_wants, *records, *n_records, now);
	if (job.oom || pipe2(in, O_CLOEXEC) < 0) {
		kith_hbuf_free(&job);
		return -ENOMEM;
	}
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		kith_hbuf_free(&job);
		return -errno;
	}
	pid = fork();
	if (pid == 0)
		exec_writer(path, in[0], out[1]);
	close(in[0]);
	close(out[1]);
	if (pid < 0) {
		r = -errno;
		close(in[1]);
		close(out[0]);
	} else {
		r = talk(pid, in[1], out[0], &job, &res, &n);
	}
	kith_hbuf_free(&job);
	if (r == 0) {
		struct kith_task_record *nv = NULL;
		size_t nn = 0;

		r = kith_taskwire_get_result(res, n, &rc, err, errlen, &nv, &nn);
		if (r == 0 && rc == 0) {
			kith_task_records_free(*records, *n_records);
			*records = nv;
			*n_records = nn;
		} else {
			kith_task_records_free(nv, nn);
		}
	}
	free(res);
	if (r < 0 && !err[0])
		snprintf(err, errlen, "the task writer failed: %s", strerror(-r));
	return r < 0 ? r : rc;
}
