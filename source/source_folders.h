/* source_folders.h: which IMAP folders a sync reads (no library, no I/O).
 *
 * The IMAP adapter turns LIST/XLIST replies into an array of these and
 * asks kith_folders_select() which to keep; kept apart so the rules are
 * unit-tested without a server.
 */
#ifndef KITH_SOURCE_FOLDERS_H
#define KITH_SOURCE_FOLDERS_H

#include <stddef.h>
#include "../config/config.h"

/* Special-use and selectability attributes of one folder. */
#define KITH_SU_SENT     (1u << 0)
#define KITH_SU_ALL      (1u << 1)
#define KITH_SU_JUNK     (1u << 2)
#define KITH_SU_TRASH    (1u << 3)
#define KITH_SU_DRAFTS   (1u << 4)
#define KITH_SU_NOSELECT (1u << 5)  /* \Noselect or \NonExistent */

struct kith_src_folder {
	char *name;      /* owned by the array's owner (mailbox name as on the wire) */
	unsigned su;     /* KITH_SU_* */
};

/* Maps one LIST/XLIST attribute ("\\Sent", "Sent", "\\AllMail", "\\Spam",
 * any case, with or without the backslash) to KITH_SU_* bits; 0 if none. */
unsigned kith_folder_attr(const char *attr);

/* The KITH_FOLDER_* flags (source.h) to report for a folder. */
unsigned kith_folder_sink_flags(unsigned su);

/* When no folder carries a special-use attribute (a server without
 * SPECIAL-USE), marks the folders whose names are the well-known ones
 * (Sent, Sent Items, Junk, Spam, Trash, Deleted Items, Drafts ..., also
 * right under INBOX) as such.  Does nothing when any folder is marked. */
void kith_folders_guess(struct kith_src_folder *f, size_t n);

/* Keeps, in order, the folders a sync should read and returns how many;
 * the dropped entries are moved behind them (so the caller still frees
 * every name).  Rules: never \Noselect; a non-empty include list keeps
 * only the folders it names (INBOX matched in any case) and then even a
 * \Junk/\Trash/\Drafts folder it names; otherwise \Junk, \Trash, \Drafts
 * and the exclude list are dropped, and when an \All folder exists only
 * \All and \Sent folders are kept (everything else is a copy).  Runs
 * kith_folders_guess first. */
size_t kith_folders_select(struct kith_src_folder *f, size_t n,
			   const struct kith_account *a);

#endif
