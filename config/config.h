/* config.h: kithd's configuration, as plain structs.
 *
 * Loaded from a libconfig file by config.c (the only file that sees
 * libconfig).  Every string is owned by the struct and freed by
 * kith_config_free(); nothing points into libconfig's memory.
 */
#ifndef KITH_CONFIG_H
#define KITH_CONFIG_H

#include <stddef.h>
#include "../lib/analyze.h"

enum kith_tls_mode { KITH_TLS_IMPLICIT = 0, KITH_TLS_STARTTLS, KITH_TLS_NONE };

struct kith_account {
	char *name;
	char *host;
	int port;                 /* default 993 (implicit) or 143 */
	enum kith_tls_mode tls;
	char *ca_file;            /* NULL: system trust store */
	char *user;
	char *pass_cmd;           /* exactly one of pass_cmd, pass_file, */
	char *pass_file;          /* oauth2_token_cmd is set */
	char *oauth2_token_cmd;
	char **folders_include; size_t n_include;  /* empty: all */
	char **folders_exclude; size_t n_exclude;  /* names, added to \Junk \Trash \Drafts */
	char **identities; size_t n_identities;    /* per account, lowercased */
	int timeout_s;            /* connect/read timeout; default 60 */
};

struct kith_person_cfg {
	char *name;
	char **addrs; size_t n_addrs;
};

struct kith_config {
	char *path;               /* the file it came from */
	char *data_dir;           /* kith.db lives here; ~ expanded */
	char *tasks_dir;
	char *runtime_dir;        /* control socket folder */
	char **identities; size_t n_identities; /* lowercased */
	struct kith_account *accounts; size_t n_accounts;
	struct kith_person_cfg *people; size_t n_people;
	int poll_interval_s;      /* default 300 */
	int retry_wait_s;         /* first wait after a failed session, doubling to 1 h; default 30 */
	int throttle_wait_s;      /* first wait after a server asked to slow down; default 300 */
	double half_life_days;    /* default 90 */
	int strip_plus_tags;      /* default 0 */
	/* follow-ups */
	int reply_delay_close_days;    /* default 2 (inner, close) */
	int reply_delay_other_days;    /* default 5 */
	int waiting_delay_days;        /* default 5 */
	int waiting_delay_inner_days;  /* default 3 */
	int horizon_days;              /* default 21 */
	int keep_in_touch_max;         /* default 5 */
	int reply_window_days;         /* default 5 */
	int max_open_tasks;            /* followups.max_open; default 12, 0: no cap */
	int cadence_days[4];           /* inner, close, active, wider: 14 30 90 365 */
	char *tasks_feed;              /* NULL or a file path for one .ics of open tasks */
	int tasks_as_events;           /* default 0 */
	long memory_limit_mb;          /* IMAP child address-space limit; default 512 */
	/* Added by config.c's owner: non-fatal findings (e.g. a config file
	 * readable by others).  Owned; the daemon logs them, config.c never does. */
	char **warnings; size_t n_warnings;
};

/* Loads and validates `path`.  On success returns 0 and *out (free with
 * kith_config_free).  On error returns -EINVAL (or -ENOENT, -ENOMEM) and
 * writes "FILE:LINE: what is wrong" into err[errlen]. */
int kith_config_load(const char *path, struct kith_config **out,
		     char *err, size_t errlen);

/* Fills a config with every default and no account (used by tests and by
 * the CLI when no file exists).  Returns 0 or -ENOMEM. */
int kith_config_defaults(struct kith_config **out);

void kith_config_free(struct kith_config *c);

/* Like kith_config_load but from a NUL-terminated string; `name` stands in
 * for the file name in messages and relative paths resolve against the
 * current directory.  No file-mode checks.  Used by tests and the fuzzer. */
int kith_config_load_string(const char *text, const char *name,
			    struct kith_config **out, char *err, size_t errlen);

/* The warnings found while loading (borrowed from c, valid until
 * kith_config_free).  Returns the count; *out may be NULL when 0. */
size_t kith_config_warnings(const struct kith_config *c, const char *const **out);

/* Copies the follow-up settings into the pure core's parameter struct. */
struct kith_followup_params;
void kith_config_followup_params(const struct kith_config *c,
				 struct kith_followup_params *p);

/* "implicit", "starttls", "none" (static strings). */
const char *kith_tls_mode_name(enum kith_tls_mode m);

/* The default config path: $KITH_CONFIG, else $XDG_CONFIG_HOME/kith/kith.conf,
 * else ~/.config/kith/kith.conf.  Returns a malloc'd string or NULL. */
char *kith_config_default_path(void);

/* Reads the account's secret (first line of pass_cmd output, pass_file
 * contents, or the oauth2 token).  *secret is malloc'd; the caller wipes
 * and frees it.  Returns 0 or a negative errno, with a message in err. */
int kith_account_secret(const struct kith_account *a, char **secret,
			int *is_oauth2, char *err, size_t errlen);

#endif
