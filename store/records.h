/* records.h: what the store keeps for the source and the task writer:
 * a folder's sync state and the record of a task kith wrote.  Plain data:
 * the store (store.h), the IMAP source (source.h) and the task writer
 * (tasks.h) share these types, and the CLI reads them.
 */
#ifndef KITH_RECORDS_H
#define KITH_RECORDS_H

#include <stdint.h>
#include "../lib/followup.h"

#define KITH_FOLDER_SENT (1u << 0) /* \Sent special-use */
#define KITH_FOLDER_ALL  (1u << 1) /* \All (Gmail's All Mail) */

/* What the store already holds for one folder. */
struct kith_folder_state {
	const char *name;      /* borrowed */
	uint32_t uidvalidity;
	uint32_t last_uid;     /* highest UID stored; 0: none */
	uint32_t uidnext;      /* as seen at the last STATUS; 0: unknown */
	uint32_t messages;     /* likewise */
};

enum kith_task_status {
	KITH_TS_OPEN = 0,
	KITH_TS_DONE = 1,          /* kith completed it: the exchange happened */
	KITH_TS_USER_DONE = 2,     /* completed or cancelled in the user's app */
	KITH_TS_USER_DELETED = 3,  /* the user deleted the file: never recreate */
	KITH_TS_DONE_BY_HAND = 4,  /* `kith done PERSON` */
	KITH_TS_HELD = 5           /* wanted but held back by the cap (daemon/tasks_plan.h):
				    * never handed to the writer */
};

/* What kith remembers of one task it wrote. */
struct kith_task_record {
	char *uid;            /* owned */
	char *person_key;     /* owned */
	enum kith_task_kind kind;
	char *episode;        /* owned */
	char *summary;        /* owned */
	enum kith_task_status status;
	int64_t due, created, modified;
	int sequence;
	int priority;
	char *etag;           /* owned: hash of the file as kith last wrote it */
};

#endif
