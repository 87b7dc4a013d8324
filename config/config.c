/* config.c: reads and validates kith.conf (libconfig) into struct kith_config.
 *
 * The only file that includes libconfig.h.  Every value is checked before
 * anything starts: unknown keys (with a "did you mean" hint), wrong types,
 * out-of-range values, missing account fields, unreadable files.  Errors read
 * "FILE:LINE: what is wrong".  Every string is copied out of libconfig before
 * config_destroy().  Nothing here logs: warnings are kept in the struct.
 */
#include "config.h"
#include "provider.h"
#include "followup.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Loading context: where errors go and which file relative paths hang off. */
struct ld {
	const char *file;      /* the config file name, for messages */
	char *basedir;         /* owned: its directory, for relative paths */
	char *err;
	size_t errlen;
	struct kith_config *c;
	int timeout_s;         /* top-level default for accounts */
};

static const char *const top_keys[] = {
	"data_dir", "tasks_dir", "runtime_dir", "identities", "accounts", "people",
	"poll_interval", "half_life_days", "strip_plus_tags", "followups",
	"tasks_feed", "tasks_as_events", "memory_limit_mb", "timeout", "retry_wait",
	"throttle_wait",
};
static const char *const account_keys[] = {
	"name", "host", "port", "tls", "ca_file", "user", "pass_cmd", "pass_file",
	"oauth2_token_cmd", "folders", "identities", "timeout", "provider",
};
static const char *const folder_keys[] = { "include", "exclude" };
static const char *const person_keys[] = { "name", "addresses" };
static const char *const followup_keys[] = {
	"reply_delay_close_days", "reply_delay_other_days", "waiting_delay_days",
	"waiting_delay_inner_days", "horizon_days", "keep_in_touch_max", "cadence",
	"reply_window_days", "max_open",
};
static const char *const cadence_keys[] = { "inner", "close", "active", "wider" };

#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- messages ---------------------------------------------------------- */

static int vfail_at(struct ld *L, const char *file, int line, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static int vfail_at(struct ld *L, const char *file, int line, const char *fmt, va_list ap)
{
	int k;

	if (!L->err || L->errlen == 0)
		return -EINVAL;
	if (line > 0)
		k = snprintf(L->err, L->errlen, "%s:%d: ", file ? file : L->file, line);
	else
		k = snprintf(L->err, L->errlen, "%s: ", file ? file : L->file);
	if (k >= 0 && (size_t)k < L->errlen)
		vsnprintf(L->err + k, L->errlen - (size_t)k, fmt, ap);
	return -EINVAL;
}

/* Why: every validation error names the line of the offending setting, so a
 * user can jump straight to it; s may be NULL for file-level problems. */
static int fail(struct ld *L, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct ld *L, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail_at(L, s ? config_setting_source_file(s) : NULL,
		     s ? (int)config_setting_source_line(s) : 0, fmt, ap);
	va_end(ap);
	return r;
}

static int add_warning(struct kith_config *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int add_warning(struct kith_config *c, const char *fmt, ...)
{
	char buf[512], *dup, **v;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	v = realloc(c->warnings, (c->n_warnings + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	c->warnings = v;
	if (!(dup = strdup(buf)))
		return -ENOMEM;
	v[c->n_warnings++] = dup;
	return 0;
}

/* ---- unknown keys ------------------------------------------------------ */

/* Case-insensitive edit distance, for "did you mean" hints.  Inputs longer
 * than 63 bytes are compared on their first 63. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strnlen(a, 63), lb = strnlen(b, 63), i, j;
	size_t prev[64], cur[64];

	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] +
				(tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(prev[0]));
	}
	return prev[lb];
}

static const char *nearest_key(const char *name, const char *const *known, size_t n)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1, i, limit;

	for (i = 0; i < n; i++) {
		size_t d = edit_distance(name, known[i]);
		size_t ln = strlen(name), lk = strlen(known[i]);

		/* "horizon" for "horizon_days": a clipped key is a likely slip */
		if (ln >= 4 && ln < lk && strncasecmp(name, known[i], ln) == 0)
			d = 1;
		if (d < bestd) {
			bestd = d;
			best = known[i];
		}
	}
	limit = strlen(name) / 3 + 1;
	if (limit < 2)
		limit = 2;
	return bestd <= limit ? best : NULL;
}

/* Why: a typo in a key would otherwise silently fall back to a default. */
static int check_keys(struct ld *L, const config_setting_t *g, const char *const *known,
		      size_t n, const char *where)
{
	int i, len = config_setting_length(g);

	for (i = 0; i < len; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s), *near;
		size_t k;

		if (!name)
			continue;
		for (k = 0; k < n && strcmp(name, known[k]) != 0; k++)
			;
		if (k < n)
			continue;
		near = nearest_key(name, known, n);
		if (near)
			return fail(L, s, "unknown key '%s' in %s (did you mean '%s'?)",
				    name, where, near);
		return fail(L, s, "unknown key '%s' in %s", name, where);
	}
	return 0;
}

/* ---- typed getters ----------------------------------------------------- */

static const char *type_name(int t)
{
	switch (t) {
	case CONFIG_TYPE_GROUP: return "a group { }";
	case CONFIG_TYPE_INT: case CONFIG_TYPE_INT64: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a number";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "true or false";
	case CONFIG_TYPE_ARRAY: return "an array [ ]";
	case CONFIG_TYPE_LIST: return "a list ( )";
	default: return "something else";
	}
}

static int wrong_type(struct ld *L, const config_setting_t *s, const char *want)
{
	return fail(L, s, "'%s' must be %s, not %s", config_setting_name(s), want,
		    type_name(config_setting_type(s)));
}

/* Returns the string value of g.key in *out (borrowed from libconfig), NULL
 * when absent; an error when present with another type or empty. */
static int get_str(struct ld *L, const config_setting_t *g, const char *key,
		   const char **out)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	*out = NULL;
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return wrong_type(L, s, "a string");
	*out = config_setting_get_string(s);
	if (!*out || !**out)
		return fail(L, s, "'%s' must not be empty", key);
	return 0;
}

static int dup_str(struct ld *L, const config_setting_t *g, const char *key, char **out)
{
	const char *v;
	int r = get_str(L, g, key, &v);

	if (r < 0 || !v)
		return r;
	free(*out);
	*out = strdup(v);
	return *out ? 0 : -ENOMEM;
}

static int get_int(struct ld *L, const config_setting_t *g, const char *key,
		   long long min, long long max, long long *out)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	long long v;

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64)
		return wrong_type(L, s, "an integer");
	v = config_setting_get_int64(s);
	if (v < min || v > max)
		return fail(L, s, "'%s' must be between %lld and %lld (got %lld)",
			    key, min, max, v);
	*out = v;
	return 0;
}

static int get_int_into(struct ld *L, const config_setting_t *g, const char *key,
			int min, int max, int *out)
{
	long long v = *out;
	int r = get_int(L, g, key, min, max, &v);

	*out = (int)v;
	return r;
}

static int get_double(struct ld *L, const config_setting_t *g, const char *key,
		      double min, double max, double *out)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	double v;

	if (!s)
		return 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_FLOAT: v = config_setting_get_float(s); break;
	case CONFIG_TYPE_INT: case CONFIG_TYPE_INT64:
		v = (double)config_setting_get_int64(s); break;
	default: return wrong_type(L, s, "a number");
	}
	if (!(v >= min && v <= max))
		return fail(L, s, "'%s' must be between %g and %g (got %g)", key, min, max, v);
	*out = v;
	return 0;
}

static int get_bool(struct ld *L, const config_setting_t *g, const char *key, int *out)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	if (!s)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_BOOL) {
		*out = config_setting_get_bool(s) ? 1 : 0;
		return 0;
	}
	if ((config_setting_type(s) == CONFIG_TYPE_INT) &&
	    (config_setting_get_int(s) == 0 || config_setting_get_int(s) == 1)) {
		*out = config_setting_get_int(s);
		return 0;
	}
	return wrong_type(L, s, "true or false");
}

static void free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Why: identities and people's addresses are compared with normalised
 * addresses later, so they are checked for shape and lowercased here. */
static int check_address(struct ld *L, const config_setting_t *s, const char *v)
{
	const char *at = strrchr(v, '@');
	const char *p;

	for (p = v; *p; p++)
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p) || *p == '<' || *p == '>')
			return fail(L, s, "'%s' is not a plain e-mail address (user@host)", v);
	if (!at || at == v || !at[1] || strchr(at + 1, '.') == NULL)
		return fail(L, s, "'%s' is not an e-mail address (user@host)", v);
	return 0;
}

/* Reads a string array or list g.key into a fresh vector.  `addr`: each must
 * be an e-mail address and is lowercased. */
static int get_strv(struct ld *L, const config_setting_t *g, const char *key,
		    int addr, char ***out, size_t *n_out)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	char **v = NULL;
	int i, len, r = 0;

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY && config_setting_type(s) != CONFIG_TYPE_LIST)
		return wrong_type(L, s, "an array of strings [ \"...\", ... ]");
	len = config_setting_length(s);
	if (len > 0 && !(v = calloc((size_t)len, sizeof(*v))))
		return -ENOMEM;
	for (i = 0; i < len && r == 0; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *str = config_setting_get_string(e);

		if (config_setting_type(e) != CONFIG_TYPE_STRING || !str || !*str)
			r = fail(L, e, "'%s' must hold only non-empty strings", key);
		else if (addr)
			r = check_address(L, e, str);
		if (r == 0 && !(v[i] = strdup(str)))
			r = -ENOMEM;
		if (r == 0 && addr)
			lower(v[i]);
	}
	if (r < 0) {
		free_strv(v, (size_t)len);
		return r;
	}
	free_strv(*out, *n_out);
	*out = v;
	*n_out = (size_t)len;
	return 0;
}

/* ---- paths ------------------------------------------------------------- */

static const char *home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h && h[0] == '/')
		return h;
	pw = getpwuid(getuid());
	return pw && pw->pw_dir ? pw->pw_dir : NULL;
}

static char *join(const char *a, const char *b)
{
	char *s;

	if (!a)
		return NULL;
	if (asprintf(&s, "%s%s%s", a, (*a && a[strlen(a) - 1] == '/') ? "" : "/", b) < 0)
		return NULL;
	return s;
}

/* An XDG base directory: $VAR when absolute (the spec says ignore relative
 * values), else ~/fallback.  Malloc'd. */
static char *xdg_dir(const char *var, const char *fallback)
{
	const char *v = getenv(var);

	if (v && v[0] == '/')
		return strdup(v);
	return join(home_dir(), fallback);
}

/* systemd passes one directory per StateDirectory= entry, ':'-separated. */
static char *systemd_dir(const char *var)
{
	const char *v = getenv(var);

	if (!v || v[0] != '/')
		return NULL;
	return strndup(v, strcspn(v, ":"));
}

/* Expands "~" and "~/x"; a relative path hangs off the config file's folder.
 * Sets *out (malloc'd) or returns an error naming s. */
static int expand_path(struct ld *L, const config_setting_t *s, const char *p, char **out)
{
	if (p[0] == '~' && (p[1] == '/' || p[1] == '\0')) {
		if (!home_dir())
			return fail(L, s, "cannot expand '~': no home directory");
		*out = p[1] ? join(home_dir(), p + 2) : strdup(home_dir());
	} else if (p[0] == '~') {
		return fail(L, s, "'%s': only '~/' is supported, not '~user'", p);
	} else if (p[0] == '/') {
		*out = strdup(p);
	} else {
		*out = join(L->basedir, p);
	}
	return *out ? 0 : -ENOMEM;
}

static int get_path(struct ld *L, const config_setting_t *g, const char *key, char **out)
{
	const char *v;
	char *p = NULL;
	int r = get_str(L, g, key, &v);

	if (r < 0 || !v)
		return r;
	if ((r = expand_path(L, config_setting_get_member(g, key), v, &p)) < 0)
		return r;
	free(*out);
	*out = p;
	return 0;
}

/* ---- accounts ---------------------------------------------------------- */

static int parse_tls(struct ld *L, const config_setting_t *g, struct kith_account *a)
{
	const char *v;
	int r = get_str(L, g, "tls", &v);

	if (r < 0 || !v)
		return r;
	if (strcmp(v, "implicit") == 0)
		a->tls = KITH_TLS_IMPLICIT;
	else if (strcmp(v, "starttls") == 0)
		a->tls = KITH_TLS_STARTTLS;
	else if (strcmp(v, "none") == 0)
		a->tls = KITH_TLS_NONE;
	else
		return fail(L, config_setting_get_member(g, "tls"),
			    "tls must be \"implicit\", \"starttls\" or \"none\" (got \"%s\")", v);
	return 0;
}

/* Why: tls = "none" sends the password in clear; only a connection that
 * never leaves the machine may do that. */
static int is_loopback(const char *host)
{
	unsigned char a[16];
	static const unsigned char v6lo[16] = { [15] = 1 };
	size_t n = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (n > 10 && strcasecmp(host + n - 10, ".localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, host, a) == 1)
		return memcmp(a, v6lo, 16) == 0;
	return 0;
}

static int check_host(struct ld *L, const config_setting_t *g, const char *h)
{
	const config_setting_t *s = config_setting_get_member(g, "host");
	const char *p;

	for (p = h; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".-_:[]", *p))
			return fail(L, s, "host '%s' is not a host name or address", h);
	return 0;
}

static int check_secret_file(struct ld *L, const config_setting_t *s, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return fail(L, s, "pass_file '%s': %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(L, s, "pass_file '%s' is not a regular file", path);
	if (st.st_uid != geteuid())
		return fail(L, s, "pass_file '%s' is not owned by you (uid %u); refused",
			    path, (unsigned)geteuid());
	if (st.st_mode & 077)
		return fail(L, s, "pass_file '%s' has mode %04o; it must be 0600 or stricter "
			    "(chmod 600 '%s'); refused", path, (unsigned)(st.st_mode & 07777), path);
	return 0;
}

/* Exactly one of pass_cmd, pass_file, oauth2_token_cmd. */
static int check_secret_source(struct ld *L, const config_setting_t *g,
			       const struct kith_account *a)
{
	int n = !!a->pass_cmd + !!a->pass_file + !!a->oauth2_token_cmd;

	if (n == 0)
		return fail(L, g, "account '%s' needs one of pass_cmd, pass_file or "
			    "oauth2_token_cmd", a->name);
	if (n > 1)
		return fail(L, g, "account '%s' has more than one of pass_cmd, pass_file, "
			    "oauth2_token_cmd; keep exactly one", a->name);
	if (a->pass_file)
		return check_secret_file(L, config_setting_get_member(g, "pass_file"), a->pass_file);
	return 0;
}

static int parse_folders(struct ld *L, const config_setting_t *g, struct kith_account *a)
{
	const config_setting_t *f = config_setting_get_member(g, "folders");
	int r;

	if (!f)
		return 0;
	if (config_setting_type(f) != CONFIG_TYPE_GROUP)
		return wrong_type(L, f, "a group { include = [...]; exclude = [...]; }");
	if ((r = check_keys(L, f, folder_keys, NKEYS(folder_keys), "folders")) < 0)
		return r;
	if ((r = get_strv(L, f, "include", 0, &a->folders_include, &a->n_include)) < 0)
		return r;
	return get_strv(L, f, "exclude", 0, &a->folders_exclude, &a->n_exclude);
}

static int require(struct ld *L, const config_setting_t *g, const char *key,
		   const void *v, const char *what)
{
	if (v)
		return 0;
	return fail(L, g, "%s is missing '%s'", what, key);
}

static int account_strings(struct ld *L, const config_setting_t *g, struct kith_account *a)
{
	int r;

	if ((r = dup_str(L, g, "name", &a->name)) < 0 ||
	    (r = require(L, g, "name", a->name, "an account")) < 0)
		return r;
	if ((r = dup_str(L, g, "host", &a->host)) < 0 ||
	    (r = dup_str(L, g, "user", &a->user)) < 0 ||
	    (r = dup_str(L, g, "pass_cmd", &a->pass_cmd)) < 0 ||
	    (r = dup_str(L, g, "oauth2_token_cmd", &a->oauth2_token_cmd)) < 0 ||
	    (r = get_path(L, g, "pass_file", &a->pass_file)) < 0 ||
	    (r = get_path(L, g, "ca_file", &a->ca_file)) < 0)
		return r;
	if ((r = require(L, g, "host", a->host, "account")) < 0 ||
	    (r = require(L, g, "user", a->user, "account")) < 0)
		return r;
	return check_host(L, g, a->host);
}

/* provider = "gmail" ...: the preset's host and TLS first, so that the
 * account's own keys, read after, override them.  *pp: the preset or NULL. */
static int apply_provider(struct ld *L, const config_setting_t *g, struct kith_account *a,
			  const struct kith_provider **pp)
{
	const char *v;
	int r = get_str(L, g, "provider", &v);

	*pp = NULL;
	if (r < 0 || !v)
		return r;
	if (!(*pp = kith_provider_find(v)))
		return fail(L, config_setting_get_member(g, "provider"),
			    "unknown provider \"%s\" (known: %s)", v, kith_provider_names());
	a->tls = (*pp)->tls;
	a->host = strdup((*pp)->host);
	return a->host ? 0 : -ENOMEM;
}

/* The preset's rules that the account did not override: its port, its
 * folders never read, and refusing a password where the provider does. */
static int provider_rules(struct ld *L, const config_setting_t *g, struct kith_account *a,
			  const struct kith_provider *p)
{
	size_t n = 0;

	if (!config_setting_get_member(g, "port") && !config_setting_get_member(g, "tls"))
		a->port = p->port;
	if (p->auth == KITH_PROVIDER_OAUTH_ONLY && (a->pass_cmd || a->pass_file))
		return fail(L, g, "account '%s': provider \"%s\" refuses passwords over IMAP; "
			    "use oauth2_token_cmd (see kith.conf(5))", a->name, p->name);
	if (config_setting_get_member(g, "folders"))
		return 0;
	while (p->exclude[n])
		n++;
	if (n == 0)
		return 0;
	if (!(a->folders_exclude = calloc(n, sizeof *a->folders_exclude)))
		return -ENOMEM;
	for (a->n_exclude = 0; a->n_exclude < n; a->n_exclude++)
		if (!(a->folders_exclude[a->n_exclude] = strdup(p->exclude[a->n_exclude])))
			return -ENOMEM;
	return 0;
}

static int parse_account(struct ld *L, const config_setting_t *g, struct kith_account *a)
{
	const struct kith_provider *prov;
	int r;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return wrong_type(L, g, "a group { name = ...; host = ...; }");
	if ((r = check_keys(L, g, account_keys, NKEYS(account_keys), "an account")) < 0 ||
	    (r = apply_provider(L, g, a, &prov)) < 0 ||
	    (r = account_strings(L, g, a)) < 0 || (r = parse_tls(L, g, a)) < 0)
		return r;
	a->port = a->tls == KITH_TLS_IMPLICIT ? 993 : 143;
	if (prov && (r = provider_rules(L, g, a, prov)) < 0)
		return r;
	a->timeout_s = L->timeout_s;
	if ((r = get_int_into(L, g, "port", 1, 65535, &a->port)) < 0 ||
	    (r = get_int_into(L, g, "timeout", 1, 3600, &a->timeout_s)) < 0 ||
	    (r = parse_folders(L, g, a)) < 0 ||
	    (r = get_strv(L, g, "identities", 1, &a->identities, &a->n_identities)) < 0)
		return r;
	if (a->tls == KITH_TLS_NONE && !is_loopback(a->host))
		return fail(L, config_setting_get_member(g, "tls"),
			    "tls = \"none\" is allowed only for loopback hosts, not '%s'", a->host);
	if (a->ca_file && access(a->ca_file, R_OK) < 0)
		return fail(L, config_setting_get_member(g, "ca_file"),
			    "ca_file '%s' is not readable: %s", a->ca_file, strerror(errno));
	return check_secret_source(L, g, a);
}

/* The shape "key = ( { ... }, ... )" shared by accounts and people: the
 * list setting (NULL when absent or empty) and an array of its length,
 * zeroed, owned by the caller's config.  Returns the length or <0. */
static int group_list(struct ld *L, const config_setting_t *root, const char *key,
		      size_t elem_size, const config_setting_t **list, void **array)
{
	const config_setting_t *s = config_setting_get_member(root, key);
	int len;

	*list = NULL;
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_LIST)
		return wrong_type(L, s, "a list ( { ... }, ... )");
	len = config_setting_length(s);
	if (len == 0)
		return 0;
	if (!(*array = calloc((size_t)len, elem_size)))
		return -ENOMEM;
	*list = s;
	return len;
}

static int parse_accounts(struct ld *L, const config_setting_t *root)
{
	struct kith_config *c = L->c;
	const config_setting_t *s;
	void *array = NULL;
	int i, len, r;

	if ((len = group_list(L, root, "accounts", sizeof(*c->accounts), &s, &array)) <= 0)
		return len;
	c->accounts = array;
	for (i = 0; i < len; i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		size_t k;

		c->n_accounts = (size_t)i + 1;
		if ((r = parse_account(L, g, &c->accounts[i])) < 0)
			return r;
		for (k = 0; k < (size_t)i; k++)
			if (strcmp(c->accounts[k].name, c->accounts[i].name) == 0)
				return fail(L, g, "two accounts are named '%s'", c->accounts[i].name);
	}
	return 0;
}

/* ---- people ------------------------------------------------------------ */

static int parse_person(struct ld *L, const config_setting_t *g, struct kith_person_cfg *p)
{
	int r;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return wrong_type(L, g, "a group { name = ...; addresses = [...]; }");
	if ((r = check_keys(L, g, person_keys, NKEYS(person_keys), "a person")) < 0 ||
	    (r = dup_str(L, g, "name", &p->name)) < 0 ||
	    (r = require(L, g, "name", p->name, "a person")) < 0 ||
	    (r = get_strv(L, g, "addresses", 1, &p->addrs, &p->n_addrs)) < 0)
		return r;
	if (p->n_addrs == 0)
		return fail(L, g, "person '%s' needs at least one address in 'addresses'", p->name);
	return 0;
}

static int parse_people(struct ld *L, const config_setting_t *root)
{
	struct kith_config *c = L->c;
	const config_setting_t *s;
	void *array = NULL;
	int i, len, r;

	if ((len = group_list(L, root, "people", sizeof(*c->people), &s, &array)) <= 0)
		return len;
	c->people = array;
	for (i = 0; i < len; i++) {
		c->n_people = (size_t)i + 1;
		if ((r = parse_person(L, config_setting_get_elem(s, (unsigned)i), &c->people[i])) < 0)
			return r;
	}
	return 0;
}

/* ---- follow-ups -------------------------------------------------------- */

static int parse_cadence(struct ld *L, const config_setting_t *f)
{
	const config_setting_t *s = config_setting_get_member(f, "cadence");
	size_t i;
	int r;

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return wrong_type(L, s, "a group { inner = 14; close = 30; ... }");
	if ((r = check_keys(L, s, cadence_keys, NKEYS(cadence_keys), "cadence")) < 0)
		return r;
	for (i = 0; i < NKEYS(cadence_keys); i++)
		if ((r = get_int_into(L, s, cadence_keys[i], 1, 3650, &L->c->cadence_days[i])) < 0)
			return r;
	return 0;
}

static int parse_followups(struct ld *L, const config_setting_t *root)
{
	const config_setting_t *f = config_setting_get_member(root, "followups");
	struct kith_config *c = L->c;
	int r;

	if (!f)
		return 0;
	if (config_setting_type(f) != CONFIG_TYPE_GROUP)
		return wrong_type(L, f, "a group { ... }");
	if ((r = check_keys(L, f, followup_keys, NKEYS(followup_keys), "followups")) < 0 ||
	    (r = get_int_into(L, f, "reply_delay_close_days", 0, 365, &c->reply_delay_close_days)) < 0 ||
	    (r = get_int_into(L, f, "reply_delay_other_days", 0, 365, &c->reply_delay_other_days)) < 0 ||
	    (r = get_int_into(L, f, "waiting_delay_days", 0, 365, &c->waiting_delay_days)) < 0 ||
	    (r = get_int_into(L, f, "waiting_delay_inner_days", 0, 365, &c->waiting_delay_inner_days)) < 0 ||
	    (r = get_int_into(L, f, "horizon_days", 1, 3650, &c->horizon_days)) < 0 ||
	    (r = get_int_into(L, f, "keep_in_touch_max", 0, 100, &c->keep_in_touch_max)) < 0 ||
	    (r = get_int_into(L, f, "reply_window_days", 1, 365, &c->reply_window_days)) < 0 ||
	    (r = get_int_into(L, f, "max_open", 0, 1000, &c->max_open_tasks)) < 0)
		return r;
	return parse_cadence(L, f);
}

/* ---- top level --------------------------------------------------------- */

static int parse_scalars(struct ld *L, const config_setting_t *root)
{
	struct kith_config *c = L->c;
	long long mem = c->memory_limit_mb;
	int r;

	if ((r = get_int_into(L, root, "poll_interval", 10, 86400, &c->poll_interval_s)) < 0 ||
	    (r = get_int_into(L, root, "retry_wait", 1, 3600, &c->retry_wait_s)) < 0 ||
	    (r = get_int_into(L, root, "throttle_wait", 1, 86400, &c->throttle_wait_s)) < 0 ||
	    (r = get_double(L, root, "half_life_days", 1, 3650, &c->half_life_days)) < 0 ||
	    (r = get_bool(L, root, "strip_plus_tags", &c->strip_plus_tags)) < 0 ||
	    (r = get_bool(L, root, "tasks_as_events", &c->tasks_as_events)) < 0 ||
	    (r = get_int(L, root, "memory_limit_mb", 32, 1048576, &mem)) < 0 ||
	    (r = get_int_into(L, root, "timeout", 1, 3600, &L->timeout_s)) < 0)
		return r;
	c->memory_limit_mb = (long)mem;
	return 0;
}

static int parse_paths(struct ld *L, const config_setting_t *root)
{
	struct kith_config *c = L->c;
	int r;

	if ((r = get_path(L, root, "data_dir", &c->data_dir)) < 0 ||
	    (r = get_path(L, root, "tasks_dir", &c->tasks_dir)) < 0 ||
	    (r = get_path(L, root, "runtime_dir", &c->runtime_dir)) < 0)
		return r;
	return get_path(L, root, "tasks_feed", &c->tasks_feed);
}

static int parse_root(struct ld *L, const config_setting_t *root)
{
	int r;

	if ((r = check_keys(L, root, top_keys, NKEYS(top_keys), "the top level")) < 0 ||
	    (r = parse_scalars(L, root)) < 0 || (r = parse_paths(L, root)) < 0 ||
	    (r = get_strv(L, root, "identities", 1, &L->c->identities, &L->c->n_identities)) < 0 ||
	    (r = parse_followups(L, root)) < 0 || (r = parse_accounts(L, root)) < 0)
		return r;
	return parse_people(L, root);
}

/* ---- defaults ---------------------------------------------------------- */

/* Why: the shipped unit keeps kith.db in its StateDirectory
 * ($XDG_STATE_HOME/kith); `kith` run from a shell has no $STATE_DIRECTORY,
 * so it looks there too, or it would open an empty database of its own. */
static char *outside_unit_data_dir(const char *data_home)
{
	char *share = join(data_home, "kith"), *state_home, *state, *db;
	int use_state = 0;

	if (!share || !(db = join(share, "kith.db")))
		return share;
	if (access(db, F_OK) < 0 && (state_home = xdg_dir("XDG_STATE_HOME", ".local/state"))) {
		state = join(state_home, "kith/kith.db");
		use_state = state && access(state, F_OK) == 0;
		free(state);
		if (use_state) {
			free(share);
			share = join(state_home, "kith");
		}
		free(state_home);
	}
	free(db);
	return share;
}

/* Why: under systemd, StateDirectory=/RuntimeDirectory= name the folders the
 * unit may write to, so they win over the XDG defaults (a value set in the
 * file still wins over both). */
static int default_dirs(struct kith_config *c)
{
	char *data_home = xdg_dir("XDG_DATA_HOME", ".local/share");
	const char *rt = getenv("XDG_RUNTIME_DIR");

	if (!data_home)
		return -ENOMEM;
	c->data_dir = systemd_dir("STATE_DIRECTORY");
	if (!c->data_dir)
		c->data_dir = outside_unit_data_dir(data_home);
	c->tasks_dir = join(data_home, "kith/tasks");
	free(data_home);
	c->runtime_dir = systemd_dir("RUNTIME_DIRECTORY");
	if (!c->runtime_dir && rt && rt[0] == '/')
		c->runtime_dir = join(rt, "kith");
	else if (!c->runtime_dir && asprintf(&c->runtime_dir, "/tmp/kith-%u", (unsigned)getuid()) < 0)
		c->runtime_dir = NULL;
	return c->data_dir && c->tasks_dir && c->runtime_dir ? 0 : -ENOMEM;
}

static void default_numbers(struct kith_config *c)
{
	static const int cadence[4] = { 14, 30, 90, 365 };

	c->poll_interval_s = 300;
	c->retry_wait_s = 30;
	c->throttle_wait_s = 300;
	c->half_life_days = 90;
	c->strip_plus_tags = 0;
	c->reply_delay_close_days = 2;
	c->reply_delay_other_days = 5;
	c->waiting_delay_days = 5;
	c->waiting_delay_inner_days = 3;
	c->horizon_days = 21;
	c->keep_in_touch_max = 5;
	c->reply_window_days = 5;
	c->max_open_tasks = 12;
	memcpy(c->cadence_days, cadence, sizeof(cadence));
	c->tasks_as_events = 0;
	c->memory_limit_mb = 512;
}

int kith_config_defaults(struct kith_config **out)
{
	struct kith_config *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return -ENOMEM;
	default_numbers(c);
	if (default_dirs(c) < 0) {
		kith_config_free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

/* ---- loading ----------------------------------------------------------- */

/* Why: every path in the struct must be the user's intent even when a
 * relative path came from a file loaded from elsewhere. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char cwd[PATH_MAX];

	if (slash == path)
		return strdup("/");
	if (slash && path[0] == '/')
		return strndup(path, (size_t)(slash - path));
	if (!getcwd(cwd, sizeof(cwd)))
		return strdup(".");
	if (!slash)
		return strdup(cwd);
	{
		char *d, *rel = strndup(path, (size_t)(slash - path));
		d = join(cwd, rel ? rel : ".");
		free(rel);
		return d;
	}
}

/* Why: with no address of the user's own, every message looks like someone
 * else's and no conversation is two-way; say so rather than stay silent. */
static int check_identities(struct kith_config *c)
{
	size_t i, n = c->n_identities;

	for (i = 0; i < c->n_accounts; i++)
		n += c->accounts[i].n_identities;
	if (n > 0 || c->n_accounts == 0)
		return 0;
	return add_warning(c, "%s: no identities set: kith cannot tell your mail from "
			   "anyone else's (add identities = [ \"you@example.org\" ];)", c->path);
}

/* Runs the validated parse of an already-read libconfig tree. */
static int load_tree(struct ld *L, config_t *cfg, struct kith_config **out)
{
	int r = kith_config_defaults(&L->c);

	if (r < 0)
		return r;
	L->timeout_s = 60;
	if (!(L->c->path = strdup(L->file)))
		r = -ENOMEM;
	if (r == 0)
		r = parse_root(L, config_root_setting(cfg));
	if (r == 0)
		r = check_identities(L->c);
	if (r < 0) {
		kith_config_free(L->c);
		return r;
	}
	*out = L->c;
	return 0;
}

static int read_tree(struct ld *L, config_t *cfg, FILE *fp, const char *text)
{
	int ok = fp ? config_read(cfg, fp) : config_read_string(cfg, text);
	const char *f;

	if (ok == CONFIG_TRUE)
		return 0;
	f = config_error_file(cfg);
	if (config_error_line(cfg) > 0)
		snprintf(L->err, L->errlen, "%s:%d: %s", f ? f : L->file,
			 config_error_line(cfg), config_error_text(cfg));
	else
		snprintf(L->err, L->errlen, "%s: %s", f ? f : L->file, config_error_text(cfg));
	return -EINVAL;
}

static int load_common(struct ld *L, FILE *fp, const char *text, struct kith_config **out)
{
	config_t cfg;
	int r;

	config_init(&cfg);
	config_set_include_dir(&cfg, L->basedir);
	r = read_tree(L, &cfg, fp, text);
	if (r == 0)
		r = load_tree(L, &cfg, out);
	config_destroy(&cfg);
	return r;
}

/* Why: the file names commands that fetch passwords; anyone who can write it
 * can run code as the user, and anyone who can read it learns where the
 * secrets live. */
static int check_file_mode(struct ld *L, int fd, int *warn_mode)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return fail(L, NULL, "%s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(L, NULL, "not a regular file");
	if (st.st_mode & S_IWOTH)
		return fail(L, NULL, "writable by others (mode %04o); refused: chmod 600 it",
			    (unsigned)(st.st_mode & 07777));
	*warn_mode = (st.st_mode & (S_IRGRP | S_IROTH)) ? (int)(st.st_mode & 07777) : 0;
	return 0;
}

int kith_config_load(const char *path, struct kith_config **out, char *err, size_t errlen)
{
	struct ld L = { .file = path, .err = err, .errlen = errlen };
	FILE *fp;
	int r, wmode = 0;

	*out = NULL;
	if (!(fp = fopen(path, "re"))) {
		r = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return r;
	}
	r = check_file_mode(&L, fileno(fp), &wmode);
	if (r == 0 && !(L.basedir = dir_of(path)))
		r = -ENOMEM;
	if (r == 0)
		r = load_common(&L, fp, NULL, out);
	if (r == 0 && wmode &&
	    add_warning(*out, "%s: readable by group or others (mode %04o); chmod 600 it",
			path, (unsigned)wmode) < 0) {
		kith_config_free(*out);
		*out = NULL;
		r = -ENOMEM;
	}
	fclose(fp);
	free(L.basedir);
	return r;
}

int kith_config_load_string(const char *text, const char *name, struct kith_config **out,
			    char *err, size_t errlen)
{
	struct ld L = { .file = name ? name : "(string)", .err = err, .errlen = errlen };
	char cwd[PATH_MAX];
	int r;

	*out = NULL;
	if (!(L.basedir = strdup(getcwd(cwd, sizeof(cwd)) ? cwd : "/")))
		return -ENOMEM;
	r = load_common(&L, NULL, text, out);
	free(L.basedir);
	return r;
}

/* ---- the rest ---------------------------------------------------------- */

static void account_free(struct kith_account *a)
{
	free(a->name);
	free(a->host);
	free(a->ca_file);
	free(a->user);
	free(a->pass_cmd);
	free(a->pass_file);
	free(a->oauth2_token_cmd);
	free_strv(a->folders_include, a->n_include);
	free_strv(a->folders_exclude, a->n_exclude);
	free_strv(a->identities, a->n_identities);
}

void kith_config_free(struct kith_config *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n_accounts; i++)
		account_free(&c->accounts[i]);
	free(c->accounts);
	for (i = 0; i < c->n_people; i++) {
		free(c->people[i].name);
		free_strv(c->people[i].addrs, c->people[i].n_addrs);
	}
	free(c->people);
	free_strv(c->identities, c->n_identities);
	free_strv(c->warnings, c->n_warnings);
	free(c->path);
	free(c->data_dir);
	free(c->tasks_dir);
	free(c->runtime_dir);
	free(c->tasks_feed);
	free(c);
}

size_t kith_config_warnings(const struct kith_config *c, const char *const **out)
{
	*out = (const char *const *)c->warnings;
	return c->n_warnings;
}

char *kith_config_default_path(void)
{
	const char *e = getenv("KITH_CONFIG");
	char *base, *p;

	if (e && *e)
		return strdup(e);
	if (!(base = xdg_dir("XDG_CONFIG_HOME", ".config")))
		return NULL;
	p = join(base, "kith/kith.conf");
	free(base);
	return p;
}

void kith_config_followup_params(const struct kith_config *c, struct kith_followup_params *p)
{
	p->reply_delay_close_days = c->reply_delay_close_days;
	p->reply_delay_other_days = c->reply_delay_other_days;
	p->waiting_delay_days = c->waiting_delay_days;
	p->waiting_delay_inner_days = c->waiting_delay_inner_days;
	p->horizon_days = c->horizon_days;
	p->keep_in_touch_max = c->keep_in_touch_max;
	p->reply_window_days = c->reply_window_days;
	memcpy(p->cadence_days, c->cadence_days, sizeof(p->cadence_days));
}

const char *kith_tls_mode_name(enum kith_tls_mode m)
{
	switch (m) {
	case KITH_TLS_IMPLICIT: return "implicit";
	case KITH_TLS_STARTTLS: return "starttls";
	case KITH_TLS_NONE: return "none";
	}
	return "?";
}
