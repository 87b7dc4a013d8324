/* tasks_child.h: follow-up tasks written by a separate process. */
#ifndef KITH_TASKS_CHILD_H
#define KITH_TASKS_CHILD_H

#include "tasks.h"

/* kith_tasks_sync (tasks.h: same arguments, ownership and result), done
 * by the program kithd-tasks in a child process; see taskwire.h for why.
 * On any failure *records is left as it was. */
int kith_tasks_sync_contained(const struct kith_task_opts *o,
			      const struct kith_task_want *wants, size_t n_wants,
			      struct kith_task_record **records, size_t *n_records,
			      int64_t now, char *err, size_t errlen);

#endif
