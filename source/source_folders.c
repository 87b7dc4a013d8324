/* source_folders.c: folder selection rules for a sync; see source_folders.h. */
#include "source_folders.h"
#include "source.h"

#include <string.h>
#include <strings.h>

unsigned kith_folder_attr(const char *attr)
{
	static const struct { const char *name; unsigned su; } map[] = {
		{ "Sent", KITH_SU_SENT }, { "All", KITH_SU_ALL },
		{ "AllMail", KITH_SU_ALL }, { "Junk", KITH_SU_JUNK },
		{ "Spam", KITH_SU_JUNK }, { "Trash", KITH_SU_TRASH },
		{ "Drafts", KITH_SU_DRAFTS }, { "Noselect", KITH_SU_NOSELECT },
		{ "NonExistent", KITH_SU_NOSELECT },
	};
	size_t i;

	if (!attr)
		return 0;
	if (*attr == '\\')
		attr++;
	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcasecmp(attr, map[i].name) == 0)
			return map[i].su;
	return 0;
}

unsigned kith_folder_sink_flags(unsigned su)
{
	return ((su & KITH_SU_SENT) ? KITH_FOLDER_SENT : 0) |
	       ((su & KITH_SU_ALL) ? KITH_FOLDER_ALL : 0);
}

/* INBOX is case-insensitive in IMAP; every other name is exact. */
static int same_folder(const char *a, const char *b)
{
	if (strcasecmp(a, "INBOX") == 0)
		return strcasecmp(b, "INBOX") == 0;
	return strcmp(a, b) == 0;
}

static int in_list(const char *name, char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] && same_folder(name, list[i]))
			return 1;
	return 0;
}

/* The well-known names of special folders, for servers without SPECIAL-USE
 * (Courier, GNU Mailutils, old Exchange): what the common clients and the
 * big providers create.  Matched in any case, as the whole name or right
 * under INBOX ("INBOX.Sent" on Courier, "INBOX/Sent"). */
static unsigned guess_by_name(const char *name)
{
	static const struct { const char *name; unsigned su; } map[] = {
		{ "Sent", KITH_SU_SENT }, { "Sent Items", KITH_SU_SENT },
		{ "Sent Messages", KITH_SU_SENT }, { "Sent Mail", KITH_SU_SENT },
		{ "Junk", KITH_SU_JUNK }, { "Spam", KITH_SU_JUNK },
		{ "Junk E-mail", KITH_SU_JUNK }, { "Junk Email", KITH_SU_JUNK },
		{ "Bulk Mail", KITH_SU_JUNK }, { "Trash", KITH_SU_TRASH },
		{ "Deleted Items", KITH_SU_TRASH }, { "Deleted Messages", KITH_SU_TRASH },
		{ "Drafts", KITH_SU_DRAFTS },
	};
	size_t i;

	if (strncasecmp(name, "INBOX", 5) == 0 && (name[5] == '.' || name[5] == '/'))
		name += 6;
	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcasecmp(name, map[i].name) == 0)
			return map[i].su;
	return 0;
}

void kith_folders_guess(struct kith_src_folder *f, size_t n)
{
	const unsigned special = KITH_SU_SENT | KITH_SU_ALL | KITH_SU_JUNK | KITH_SU_TRASH |
				 KITH_SU_DRAFTS;
	size_t i;

	for (i = 0; i < n; i++)
		if (f[i].su & special)
			return; /* the server marks them: trust it alone */
	for (i = 0; i < n; i++)
		if (f[i].name)
			f[i].su |= guess_by_name(f[i].name);
}

/* Whether one folder is read, given whether the account has an \All. */
static int keep_folder(const struct kith_src_folder *f, const struct kith_account *a,
		       int has_all)
{
	if (f->su & KITH_SU_NOSELECT)
		return 0;
	if (a && a->n_include > 0)
		return in_list(f->name, a->folders_include, a->n_include);
	if (f->su & (KITH_SU_JUNK | KITH_SU_TRASH | KITH_SU_DRAFTS))
		return 0;
	if (a && in_list(f->name, a->folders_exclude, a->n_exclude))
		return 0;
	if (has_all)
		return (f->su & (KITH_SU_ALL | KITH_SU_SENT)) != 0;
	return 1;
}

size_t kith_folders_select(struct kith_src_folder *f, size_t n,
			   const struct kith_account *a)
{
	size_t i, kept = 0;
	int has_all = 0;

	kith_folders_guess(f, n);
	for (i = 0; i < n; i++)
		if ((f[i].su & KITH_SU_ALL) && !(f[i].su & KITH_SU_NOSELECT))
			has_all = 1;
	for (i = 0; i < n; i++) {
		if (!keep_folder(&f[i], a, has_all))
			continue;
		if (i != kept) { /* rotate f[i] down to kept, keeping order */
			struct kith_src_folder t = f[i];

			memmove(&f[kept + 1], &f[kept], (i - kept) * sizeof *f);
			f[kept] = t;
		}
		kept++;
	}
	return kept;
}
