/* taskwire.h: what kithd and its task writer say to each other.
 *
 * Why a separate writer: libical parses task files that other programs
 * write (todoman, vdirsyncer, a CalDAV sync from another machine), so like
 * libetpan it runs in a process of its own (kithd-tasks, tasks_main.c),
 * and kithd itself never loads libical (nor the ICU it brings: 3 MB of an
 * idle daemon).  kithd writes one job to the writer's stdin and reads one
 * result from its stdout; both are flat records of little-endian integers
 * and length-prefixed strings, decoded with every length checked.
 */
#ifndef KITH_TASKWIRE_H
#define KITH_TASKWIRE_H

#include <stddef.h>
#include <stdint.h>
#include "../lib/hdrtext.h"
#include "tasks.h"

/* A decoded job: owns every string and both arrays. */
struct kith_task_job {
	char *dir, *feed_path;
	struct kith_task_opts opts;      /* points at dir and feed_path */
	int64_t now;
	struct kith_task_want *wants; size_t n_wants;
	struct kith_task_record *records; size_t n_records;
};

/* Appends a job to b (b->oom on failure).  Everything is borrowed. */
void kith_taskwire_put_job(struct kith_hbuf *b, const struct kith_task_opts *o,
			   const struct kith_task_want *wants, size_t n_wants,
			   const struct kith_task_record *records, size_t n_records, int64_t now);

/* Decodes p[0..n) into *job (free with kith_task_job_free, also after an
 * error).  0, -EBADMSG (malformed), -ENOMEM. */
int kith_taskwire_get_job(const void *p, size_t n, struct kith_task_job *job);
void kith_task_job_free(struct kith_task_job *job);

/* The writer's answer: kith_tasks_sync's return value, its error text and
 * the updated records (borrowed). */
void kith_taskwire_put_result(struct kith_hbuf *b, int rc, const char *err,
			      const struct kith_task_record *records, size_t n_records);

/* Decodes a result: *rc, err (copied, truncated to errlen), *records
 * (caller frees with kith_task_records_free).  0, -EBADMSG, -ENOMEM. */
int kith_taskwire_get_result(const void *p, size_t n, int *rc, char *err, size_t errlen,
			     struct kith_task_record **records, size_t *n_records);

#endif
