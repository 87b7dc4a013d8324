/* test_source_folders: which folders a sync reads (source/source_folders.c). */
#include "t.h"
#include "source.h"
#include "source_folders.h"

#include <stdlib.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_attr(void)
{
	CHECK_INT(kith_folder_attr("\\Sent"), KITH_SU_SENT);
	CHECK_INT(kith_folder_attr("sent"), KITH_SU_SENT);
	CHECK_INT(kith_folder_attr("\\All"), KITH_SU_ALL);
	CHECK_INT(kith_folder_attr("\\AllMail"), KITH_SU_ALL);   /* XLIST */
	CHECK_INT(kith_folder_attr("\\Spam"), KITH_SU_JUNK);     /* XLIST */
	CHECK_INT(kith_folder_attr("\\Junk"), KITH_SU_JUNK);
	CHECK_INT(kith_folder_attr("\\Trash"), KITH_SU_TRASH);
	CHECK_INT(kith_folder_attr("\\Drafts"), KITH_SU_DRAFTS);
	CHECK_INT(kith_folder_attr("\\NOSELECT"), KITH_SU_NOSELECT);
	CHECK_INT(kith_folder_attr("\\NonExistent"), KITH_SU_NOSELECT);
	CHECK_INT(kith_folder_attr("\\HasNoChildren"), 0);
	CHECK_INT(kith_folder_attr("\\Sentx"), 0);
	CHECK_INT(kith_folder_attr(""), 0);
	CHECK_INT(kith_folder_attr(NULL), 0);
	CHECK_INT(kith_folder_sink_flags(KITH_SU_SENT | KITH_SU_JUNK), KITH_FOLDER_SENT);
	CHECK_INT(kith_folder_sink_flags(KITH_SU_ALL), KITH_FOLDER_ALL);
	CHECK_INT(kith_folder_sink_flags(0), 0);
}

/* Names of the first n folders joined by ',' into buf. */
static const char *names(const struct kith_src_folder *f, size_t n, char *buf, size_t len)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "," : "", f[i].name);
	return buf;
}

static void test_plain(void)
{
	struct kith_src_folder f[] = {
		{ "INBOX", 0 }, { "Trash", KITH_SU_TRASH }, { "Sent", KITH_SU_SENT },
		{ "[Box]", KITH_SU_NOSELECT }, { "Junk", KITH_SU_JUNK },
		{ "Drafts", KITH_SU_DRAFTS }, { "Work/2023", 0 }, { "Old", 0 },
	};
	char *ex[] = { "Old" };
	struct kith_account a = { .folders_exclude = ex, .n_exclude = 1 };
	char buf[200];
	size_t k = kith_folders_select(f, N(f), &a);

	CHECK_INT(k, 3);
	CHECK_STR(names(f, k, buf, sizeof buf), "INBOX,Sent,Work/2023");
	/* every entry is still in the array (the caller frees them all) */
	CHECK_STR(names(f, N(f), buf, sizeof buf), "INBOX,Sent,Work/2023,Trash,[Box],Junk,Drafts,Old");
}

static void test_all_mail(void)
{
	struct kith_src_folder f[] = {
		{ "INBOX", 0 }, { "[Gmail]/All Mail", KITH_SU_ALL },
		{ "[Gmail]/Sent Mail", KITH_SU_SENT }, { "[Gmail]/Spam", KITH_SU_JUNK },
		{ "Label", 0 }, { "[Gmail]", KITH_SU_NOSELECT },
	};
	char buf[200];
	size_t k = kith_folders_select(f, N(f), NULL);

	CHECK_INT(k, 2);
	CHECK_STR(names(f, k, buf, sizeof buf), "[Gmail]/All Mail,[Gmail]/Sent Mail");
}

static void test_include(void)
{
	struct kith_src_folder f[] = {
		{ "INBOX", 0 }, { "Sent", KITH_SU_SENT }, { "Trash", KITH_SU_TRASH },
		{ "Other", 0 }, { "Gone", KITH_SU_NOSELECT },
	};
	char *inc[] = { "inbox", "Trash", "Gone", "Missing" };
	struct kith_account a = { .folders_include = inc, .n_include = N(inc) };
	char buf[200];
	size_t k = kith_folders_select(f, N(f), &a);

	/* INBOX matches in any case; an explicitly included \Trash is read;
	 * \Noselect never is; other names match exactly */
	CHECK_INT(k, 2);
	CHECK_STR(names(f, k, buf, sizeof buf), "INBOX,Trash");
}

/* No SPECIAL-USE (Courier, GNU Mailutils): the names decide. */
static void test_guess(void)
{
	struct kith_src_folder f[] = {
		{ "INBOX", 0 }, { "INBOX.Sent", 0 }, { "INBOX.Trash", 0 }, { "Junk E-Mail", 0 },
		{ "Sent Items", 0 }, { "Deleted Items", 0 }, { "Drafts", 0 }, { "Work.Sent", 0 },
		{ "Archive", 0 }, { "SPAM", 0 },
	};
	char buf[200];
	size_t k = kith_folders_select(f, N(f), NULL);

	CHECK_INT(k, 5);
	CHECK_STR(names(f, k, buf, sizeof buf), "INBOX,INBOX.Sent,Sent Items,Work.Sent,Archive");
	CHECK_INT(f[1].su, KITH_SU_SENT);
	CHECK_INT(f[2].su, KITH_SU_SENT);
	CHECK_INT(f[3].su, 0); /* only directly under INBOX */

	/* iCloud's and Yahoo's names, as the client guides give them */
	struct kith_src_folder h[] = {
		{ "INBOX", 0 }, { "Sent Messages", 0 }, { "Deleted Messages", 0 },
		{ "Junk", 0 }, { "Drafts", 0 }, { "Bulk Mail", 0 }, { "Archive", 0 },
	};
	k = kith_folders_select(h, N(h), NULL);
	CHECK_STR(names(h, k, buf, sizeof buf), "INBOX,Sent Messages,Archive");
	CHECK_INT(h[1].su, KITH_SU_SENT);

	/* one marked folder: the server is trusted, no name is guessed */
	struct kith_src_folder g[] = { { "Sent", 0 }, { "Junk", 0 }, { "Mine", KITH_SU_SENT } };
	kith_folders_guess(g, N(g));
	CHECK_INT(g[0].su, 0);
	CHECK_INT(g[1].su, 0);
}

static void test_empty(void)
{
	CHECK_INT(kith_folders_select(NULL, 0, NULL), 0);
}

int main(void)
{
	test_attr();
	test_plain();
	test_all_mail();
	test_include();
	test_guess();
	test_empty();
	return T_DONE();
}
