/* tasks_main.c: kithd-tasks, the task writer kithd runs in a process of its
 * own (see taskwire.h).  It reads one job on stdin, brings the task folder
 * in line with it through tasks_ical.c (libical), and writes one result on
 * stdout.  Not meant to be run by hand.  Exit status: 0 when a result was
 * written (whatever it says), 1 when not. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/fsutil.h"
#include "../daemon/log.h"
#include "taskwire.h"

#define JOB_MAX (256u << 20)

int main(int argc, char **argv)
{
	struct kith_task_job job;
	struct kith_hbuf out;
	char *in = NULL, err[512] = "";
	size_t n = 0;
	int r, rc;

	signal(SIGPIPE, SIG_IGN);
	log_init("kithd-tasks", argc > 1 && strcmp(argv[1], "-v") == 0);
	if (kith_read_all(STDIN_FILENO, JOB_MAX, &in, &n) < 0) {
		log_err("cannot read the job");
		return 1;
	}
	r = kith_taskwire_get_job(in, n, &job);
	free(in);
	if (r < 0) {
		log_err("malformed job: %s", strerror(-r));
		kith_task_job_free(&job);
		return 1;
	}
	rc = kith_tasks_sync(&job.opts, job.wants, job.n_wants, &job.records, &job.n_records,
			     job.now, err, sizeof(err));
	kith_hbuf_init(&out);
	kith_taskwire_put_result(&out, rc, err[0] ? err : NULL, job.records, job.n_records);
	kith_task_job_free(&job);
	r = out.oom ? -ENOMEM : kith_write_all(STDOUT_FILENO, out.p, out.len);
	kith_hbuf_free(&out);
	return r < 0 ? 1 : 0;
}
