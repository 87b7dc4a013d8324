/* basis.c: see basis.h. */
#include "basis.h"
#include "daemonloop.h"
#include "../lib/isodate.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* FNV-1a over the file's bytes; 0 when it cannot be read (then every
 * run analyses: an unreadable config never keeps an old analysis). */
static uint64_t file_hash(const char *path)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned char buf[4096];
	size_t n;
	FILE *f = path ? fopen(path, "rb") : NULL;

	if (!f)
		return 0;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		for (size_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 0x100000001b3ULL;
	if (ferror(f))
		h = 0;
	fclose(f);
	return h;
}

void kith_basis_tasks_seen(const struct kith_config *c, struct kith_store_basis *b)
{
	struct stat st;

	b->tasks_mtime_s = b->tasks_mtime_ns = 0;
	if (c->tasks_dir && stat(c->tasks_dir, &st) == 0) {
		b->tasks_mtime_s = st.st_mtim.tv_sec;
		b->tasks_mtime_ns = st.st_mtim.tv_nsec;
	}
}

int kith_basis_now(const struct kith_config *c, struct kith_store *st, int64_t now,
		   struct kith_store_basis *b)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->version, sizeof(b->version), "%s", KITH_VERSION);
	b->config = file_hash(c->path);
	b->day = kith_utc_day(now);
	b->at = now;
	kith_basis_tasks_seen(c, b);
	return kith_store_tallies(st, &b->t);
}

/* Everything but the messages: what any kept analysis needs to be equal. */
static int same_but_mail(const struct kith_store_basis *was, const struct kith_store_basis *cur,
			 int with_tasks)
{
	return was->config != 0 && was->config == cur->config &&
	       strcmp(was->version, cur->version) == 0 && was->day == cur->day &&
	       cur->at >= was->at && /* decided for [at, next_change) */
	       (was->next_change == 0 || cur->at < was->next_change) &&
	       was->t.messages_changed == cur->t.messages_changed &&
	       was->t.decisions == cur->t.decisions &&
	       was->tasks_mtime_s == cur->tasks_mtime_s &&
	       was->tasks_mtime_ns == cur->tasks_mtime_ns &&
	       (was->with_tasks || !with_tasks);
}

int kith_basis_holds(const struct kith_store_basis *was, const struct kith_store_basis *cur,
		     int with_tasks)
{
	return same_but_mail(was, cur, with_tasks) && was->t.max_msg == cur->t.max_msg &&
	       was->t.messages == cur->t.messages;
}

int kith_basis_only_new_mail(const struct kith_store_basis *was,
			     const struct kith_store_basis *cur, int with_tasks)
{
	return same_but_mail(was, cur, with_tasks) && cur->t.max_msg > was->t.max_msg &&
	       cur->t.messages > was->t.messages;
}
