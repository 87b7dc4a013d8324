/* tasks.h: write follow-up tasks as iCalendar files in a vdir folder.
 *
 * tasks_ical.c is the only file that sees libical.  The writer compares what
 * should be open (struct kith_task_want) with what it wrote before (task
 * records, persisted by the store) and with the files as they are now (the
 * user's app may have completed, cancelled or deleted one), and writes only
 * what changed, each file atomically (temp file, fsync, rename).
 */
#ifndef KITH_TASKS_H
#define KITH_TASKS_H

#include <stddef.h>
#include <stdint.h>
#include "../lib/followup.h"
#include "../store/records.h"

struct kith_task_opts {
	const char *dir;         /* the vdir folder; created 0700 */
	const char *feed_path;   /* NULL, or one .ics with all open tasks */
	int as_events;           /* write all-day VEVENTs instead of VTODOs */
};

/* Brings the folder in line with `wants` as of now.  *records (n_records) is
 * read and replaced with the updated list (caller frees with
 * kith_task_records_free).  Returns 0 or a negative errno with err set. */
int kith_tasks_sync(const struct kith_task_opts *o,
		    const struct kith_task_want *wants, size_t n_wants,
		    struct kith_task_record **records, size_t *n_records,
		    int64_t now, char *err, size_t errlen);

void kith_task_records_free(struct kith_task_record *v, size_t n);

/* Frees the strings one record owns and zeroes it (not the record). */
void kith_task_record_clear(struct kith_task_record *r);

/* Checks that a file is a task as kith would write it: one VCALENDAR with
 * VERSION:2.0 and PRODID holding exactly one VTODO or VEVENT with a UID and
 * a SUMMARY.  Returns 0, or -EINVAL (-errno when unreadable) with a reason in
 * err.  For `kith doctor` and the integration tests. */
int kith_tasks_check_file(const char *path, char *err, size_t errlen);

#endif
