/* provider.h: presets for the big mail providers (config key `provider`).
 *
 * A preset fills in what the provider publishes (host, port, TLS, how to
 * log in, which folders hold nothing of the user's); any key the account
 * sets itself wins.  The sources are cited in docs/servers.md.  No I/O,
 * no library: the table is data.
 */
#ifndef KITH_PROVIDER_H
#define KITH_PROVIDER_H

#include "config.h"

enum kith_provider_auth {
	KITH_PROVIDER_PASSWORD_OR_OAUTH, /* app password or OAuth 2.0 */
	KITH_PROVIDER_APP_PASSWORD,      /* an app-specific password only */
	KITH_PROVIDER_OAUTH_ONLY,        /* passwords refused over IMAP */
};

struct kith_provider {
	const char *name;                 /* "gmail" ... */
	const char *host;
	int port;
	enum kith_tls_mode tls;
	enum kith_provider_auth auth;
	const char *const *exclude;       /* NULL-terminated folder names never read */
};

/* The preset called `name` (exact, lower case), or NULL.  Static data. */
const struct kith_provider *kith_provider_find(const char *name);

/* "gmail, outlook, ..." for error messages.  Static string. */
const char *kith_provider_names(void);

#endif
