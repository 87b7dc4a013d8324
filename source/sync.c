/* sync.c: see sync.h. */
#include "sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/hdr.h"
#include "../daemon/log.h"

static const struct kith_folder_state *known_folder(const struct kith_sync *s,
						    const char *name)
{
	for (size_t i = 0; i < s->n_known; i++)
		if (strcmp(s->known[i].name, name) == 0)
			return &s->known[i];
	return NULL;
}

static int stop_requested(const struct kith_sync *s)
{
	return s->stop && *s->stop;
}

/* Why: a changed UIDVALIDITY means the server renumbered the folder; the
 * old UIDs mean nothing now, so forget them and read it again from UID 1.
 * The store keeps each message once, so the rescan adds no duplicates. */
static int sink_folder(void *ctx, const char *folder, unsigned flags,
		       uint32_t uidvalidity, uint32_t uidnext, uint32_t messages)
{
	struct kith_sync *s = ctx;
	const struct kith_folder_state *k = known_folder(s, folder);
	char *copy = strdup(folder);
	int r;

	if (!copy)
		return -ENOMEM;
	free(s->folder);
	s->folder = copy;
	s->folder_flags = flags;
	s->uidvalidity = uidvalidity;
	s->stats.folders_changed++;
	if (!k || k->uidvalidity == uidvalidity)
		return 0;
	log_notice("%s/%s: UIDVALIDITY changed (%u -> %u), rescanning", s->account,
		   folder, k->uidvalidity, uidvalidity);
	r = kith_store_begin(s->store);
	if (r < 0)
		return r;
	r = kith_store_forget_folder(s->store, s->account, folder);
	if (r < 0) {
		kith_store_rollback(s->store);
		return r;
	}
	return kith_store_commit(s->store);
}

static int ensure_txn(struct kith_sync *s)
{
	int r;

	if (s->in_txn)
		return 0;
	r = kith_store_begin(s->store);
	if (r == 0)
		s->in_txn = 1;
	return r;
}

/* Why: a message that does not parse fully is still stored as far as it
 * parses (and counted); one the store refuses is skipped and counted.
 * Neither stops the sync.  m is borrowed. */
static int sink_parsed(void *ctx, uint32_t uid, const struct kith_msg *m)
{
	struct kith_sync *s = ctx;
	int r;

	if (stop_requested(s))
		return -EINTR;
	if (!s->folder)
		return -EPROTO;
	r = ensure_txn(s);
	if (r < 0)
		return r;
	s->stats.messages++;
	if (m->parse_errors)
		s->stats.repaired++;
	r = kith_store_add_message(s->store, s->account, s->folder, s->folder_flags,
				   s->uidvalidity, uid, m);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		s->stats.skipped++;
		log_warn("%s/%s: UID %u not stored: %s", s->account, s->folder, uid,
			 strerror(-r));
	}
	if (s->tick)
		s->tick(s->tick_ctx);
	return 0;
}

/* A raw header block (an in-process session): parsed here, then stored. */
static int sink_message(void *ctx, uint32_t uid, const char *hdr, size_t len)
{
	struct kith_msg m;
	int r;

	if (kith_hdr_parse(hdr, len, &m) < 0)
		return -ENOMEM;
	r = sink_parsed(ctx, uid, &m);
	kith_msg_free(&m);
	return r;
}

static int commit_counters(struct kith_sync *s)
{
	int r = 0;

	if (s->stats.repaired)
		r = kith_store_count(s->store, "repaired", (int64_t)s->stats.repaired);
	if (r == 0 && s->stats.skipped)
		r = kith_store_count(s->store, "skipped", (int64_t)s->stats.skipped);
	s->stats.repaired = s->stats.skipped = 0;
	return r;
}

/* Why: the folder state advances in the same transaction as the messages it
 * covers, so a kill at any moment leaves either both or neither. */
static int sink_batch_end(void *ctx, const char *folder, uint32_t uidvalidity,
			  uint32_t last_uid, uint32_t uidnext, uint32_t messages)
{
	struct kith_sync *s = ctx;
	int r = ensure_txn(s);

	if (r < 0)
		return r;
	r = kith_store_set_folder(s->store, s->account, folder, s->folder_flags,
				  uidvalidity, last_uid, uidnext, messages);
	if (r == 0)
		r = commit_counters(s);
	if (r < 0) {
		kith_store_rollback(s->store);
		s->in_txn = 0;
		return r;
	}
	r = kith_store_commit(s->store);
	s->in_txn = 0;
	if (r == 0)
		s->stats.stored_batches++;
	if (r == 0 && stop_requested(s))
		return -EINTR;
	return r;
}

static int sink_unchanged(void *ctx, const char *folder)
{
	struct kith_sync *s = ctx;

	s->stats.folders_unchanged++;
	log_debug("%s/%s: unchanged", s->account, folder);
	return stop_requested(s) ? -EINTR : 0;
}

void kith_sync_sink(struct kith_sync *s, struct kith_sink *sink)
{
	sink->ctx = s;
	sink->folder = sink_folder;
	sink->message = sink_message;
	sink->parsed = sink_parsed;
	sink->batch_end = sink_batch_end;
	sink->unchanged = sink_unchanged;
}

void kith_sync_finish(struct kith_sync *s)
{
	if (s->in_txn) {
		kith_store_rollback(s->store);
		s->in_txn = 0;
	}
	free(s->folder);
	s->folder = NULL;
}
