/* provider.c: the provider presets; see provider.h and docs/servers.md. */
#include "provider.h"

#include <stddef.h>
#include <string.h>

/* Outlook.com / Microsoft 365 list these beside mail folders; none holds
 * mail the user exchanged. */
static const char *const outlook_exclude[] = {
	"Outbox", "Conversation History", "Sync Issues", "Sync Issues/Conflicts",
	"Sync Issues/Local Failures", "Sync Issues/Server Failures", NULL,
};
static const char *const none[] = { NULL };

static const struct kith_provider providers[] = {
	{ "gmail", "imap.gmail.com", 993, KITH_TLS_IMPLICIT,
	  KITH_PROVIDER_PASSWORD_OR_OAUTH, none },
	{ "outlook", "outlook.office365.com", 993, KITH_TLS_IMPLICIT,
	  KITH_PROVIDER_OAUTH_ONLY, outlook_exclude },
	{ "icloud", "imap.mail.me.com", 993, KITH_TLS_IMPLICIT,
	  KITH_PROVIDER_APP_PASSWORD, none },
	{ "yahoo", "imap.mail.yahoo.com", 993, KITH_TLS_IMPLICIT,
	  KITH_PROVIDER_PASSWORD_OR_OAUTH, none },
	{ "fastmail", "imap.fastmail.com", 993, KITH_TLS_IMPLICIT,
	  KITH_PROVIDER_APP_PASSWORD, none },
};

const struct kith_provider *kith_provider_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof providers / sizeof providers[0]; i++)
		if (strcmp(name, providers[i].name) == 0)
			return &providers[i];
	return NULL;
}

const char *kith_provider_names(void)
{
	return "gmail, outlook, icloud, yahoo, fastmail";
}
