/* test_config.c: kith.conf loading, validation, paths and secrets. */
#include "t.h"
#include "config.h"
#include "followup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/kith-test-config-XXXXXX";
static char err[512];

static void write_file(const char *name, const char *text, mode_t mode)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	unlink(p);
	f = fopen(p, "w");
	if (!f) {
		perror(p);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
}

static char *path_of(const char *name)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	return p;
}

/* Loads `text` as a string config; returns the error code. */
static int load(const char *text, struct kith_config **c)
{
	err[0] = '\0';
	return kith_config_load_string(text, "t.conf", c, err, sizeof(err));
}

/* Expects `text` to fail with a message starting "t.conf:LINE:" and holding
 * `needle`. */
static void expect_error(const char *text, int line, const char *needle)
{
	struct kith_config *c = NULL;
	char prefix[32];
	int r = load(text, &c);

	snprintf(prefix, sizeof(prefix), "t.conf:%d: ", line);
	CHECK_INT(r, -EINVAL);
	CHECK_NULL(c);
	CHECK(strncmp(err, prefix, strlen(prefix)) == 0);
	CHECK(strstr(err, needle) != NULL);
	if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, needle))
		fprintf(stderr, "  got: %s\n  want: %s...%s\n", err, prefix, needle);
	kith_config_free(c);
}

static void test_defaults(void)
{
	struct kith_config *c;
	char want[64];

	setenv("HOME", "/home/tester", 1);
	unsetenv("XDG_DATA_HOME");
	unsetenv("STATE_DIRECTORY");
	unsetenv("RUNTIME_DIRECTORY");
	unsetenv("XDG_RUNTIME_DIR");
	CHECK_INT(kith_config_defaults(&c), 0);
	CHECK_STR(c->data_dir, "/home/tester/.local/share/kith");
	CHECK_STR(c->tasks_dir, "/home/tester/.local/share/kith/tasks");
	snprintf(want, sizeof(want), "/tmp/kith-%u", (unsigned)getuid());
	CHECK_STR(c->runtime_dir, want);
	CHECK_INT(c->poll_interval_s, 300);
	CHECK(c->half_life_days == 90);
	CHECK_INT(c->cadence_days[0], 14);
	CHECK_INT(c->cadence_days[3], 365);
	CHECK_INT(c->horizon_days, 21);
	CHECK_INT(c->reply_window_days, 5);
	CHECK_INT(c->max_open_tasks, 12);
	CHECK_INT(c->memory_limit_mb, 512);
	CHECK_INT(c->n_accounts, 0);
	kith_config_free(c);

	setenv("XDG_DATA_HOME", "/xdg/data", 1);
	setenv("XDG_RUNTIME_DIR", "/run/user/1234", 1);
	CHECK_INT(kith_config_defaults(&c), 0);
	CHECK_STR(c->data_dir, "/xdg/data/kith");
	CHECK_STR(c->tasks_dir, "/xdg/data/kith/tasks");
	CHECK_STR(c->runtime_dir, "/run/user/1234/kith");
	kith_config_free(c);

	/* relative XDG values are ignored, as the spec says */
	setenv("XDG_DATA_HOME", "rel/data", 1);
	setenv("STATE_DIRECTORY", "/state/kith:/state/other", 1);
	setenv("RUNTIME_DIRECTORY", "/run/user/1234/kith", 1);
	CHECK_INT(kith_config_defaults(&c), 0);
	CHECK_STR(c->data_dir, "/state/kith");
	CHECK_STR(c->tasks_dir, "/home/tester/.local/share/kith/tasks");
	CHECK_STR(c->runtime_dir, "/run/user/1234/kith");
	kith_config_free(c);
	unsetenv("STATE_DIRECTORY");
	unsetenv("RUNTIME_DIRECTORY");
	unsetenv("XDG_DATA_HOME");
}

static void mkdirs(const char *p)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", p);
	if (system(cmd) != 0)
		exit(2);
}

/* Outside the unit, `kith` finds the database the unit keeps in its
 * StateDirectory when there is none in $XDG_DATA_HOME/kith. */
static void test_state_fallback(void)
{
	struct kith_config *c;
	char share[200], state[200], p[256];

	snprintf(share, sizeof(share), "%s/share", tmpdir);
	snprintf(state, sizeof(state), "%s/state", tmpdir);
	setenv("XDG_DATA_HOME", share, 1);
	setenv("XDG_STATE_HOME", state, 1);
	CHECK_INT(kith_config_defaults(&c), 0);
	snprintf(p, sizeof(p), "%s/kith", share);
	CHECK_STR(c->data_dir, p);          /* neither exists: the XDG default */
	kith_config_free(c);

	snprintf(p, sizeof(p), "%s/kith", state);
	mkdirs(p);
	write_file("state/kith/kith.db", "", 0600);
	CHECK_INT(kith_config_defaults(&c), 0);
	CHECK_STR(c->data_dir, p);          /* only the unit's exists */
	kith_config_free(c);

	snprintf(p, sizeof(p), "%s/kith", share);
	mkdirs(p);
	write_file("share/kith/kith.db", "", 0600);
	CHECK_INT(kith_config_defaults(&c), 0);
	CHECK_STR(c->data_dir, p);          /* both: $XDG_DATA_HOME wins */
	CHECK_STR(c->tasks_dir, strcat(p, "/tasks"));
	kith_config_free(c);
	unsetenv("XDG_DATA_HOME");
	unsetenv("XDG_STATE_HOME");
}

static void test_full(void)
{
	struct kith_config *c = NULL;
	struct kith_followup_params p;
	char text[2048];

	write_file("ca.pem", "not really a cert\n", 0644);
	write_file("secret", "hunter2\n", 0600);
	snprintf(text, sizeof(text),
		 "data_dir = \"~/d\";\n"
		 "tasks_dir = \"%s/tasks\";\n"
		 "runtime_dir = \"/run/k\";\n"
		 "identities = [ \"Me@Example.ORG\", \"me2@example.org\" ];\n"
		 "poll_interval = 120; half_life_days = 45.5; strip_plus_tags = true;\n"
		 "tasks_feed = \"~/feed.ics\"; tasks_as_events = true; memory_limit_mb = 256;\n"
		 "timeout = 30;\n"
		 "followups = { reply_delay_close_days = 1; reply_delay_other_days = 4;\n"
		 "  waiting_delay_days = 6; waiting_delay_inner_days = 2; horizon_days = 30;\n"
		 "  keep_in_touch_max = 3; cadence = { inner = 7; close = 21; active = 60; wider = 200; };\n"
		 "  reply_window_days = 9; max_open = 20; };\n"
		 "accounts = ( {\n"
		 "  name = \"work\"; host = \"imap.example.org\"; port = 1993; tls = \"implicit\";\n"
		 "  ca_file = \"%s/ca.pem\"; user = \"me@example.org\"; pass_cmd = \"pass show x\";\n"
		 "  folders = { exclude = [ \"Junk\", \"Trash\" ]; include = [ \"INBOX\", \"Sent\" ]; };\n"
		 "  identities = [ \"Assistant@Example.org\" ];\n"
		 "}, { name = \"home\"; host = \"127.0.0.1\"; tls = \"none\"; user = \"u\";\n"
		 "  pass_file = \"%s/secret\"; timeout = 5; },\n"
		 "  { name = \"o\"; host = \"mail.example.com\"; tls = \"starttls\"; user = \"u\";\n"
		 "  oauth2_token_cmd = \"get-token\"; } );\n"
		 "people = ( { name = \"Ana Ruiz\"; addresses = [ \"ana@x.org\", \"Ana.Ruiz@Y.com\" ]; } );\n",
		 tmpdir, tmpdir, tmpdir);
	CHECK_INT(load(text, &c), 0);
	if (!c) {
		fprintf(stderr, "  error: %s\n", err);
		return;
	}
	CHECK_STR(c->data_dir, "/home/tester/d");
	CHECK_STR(c->runtime_dir, "/run/k");
	CHECK_STR(c->tasks_feed, "/home/tester/feed.ics");
	CHECK_INT(c->n_identities, 2);
	CHECK_STR(c->identities[0], "me@example.org");
	CHECK_INT(c->poll_interval_s, 120);
	CHECK(c->half_life_days == 45.5);
	CHECK_INT(c->strip_plus_tags, 1);
	CHECK_INT(c->tasks_as_events, 1);
	CHECK_INT(c->memory_limit_mb, 256);
	kith_config_followup_params(c, &p);
	CHECK_INT(p.reply_delay_close_days, 1);
	CHECK_INT(p.waiting_delay_inner_days, 2);
	CHECK_INT(p.horizon_days, 30);
	CHECK_INT(p.keep_in_touch_max, 3);
	CHECK_INT(p.cadence_days[1], 21);
	CHECK_INT(p.cadence_days[3], 200);
	CHECK_INT(p.reply_window_days, 9);
	CHECK_INT(c->max_open_tasks, 20);
	CHECK_INT(c->n_accounts, 3);
	CHECK_STR(c->accounts[0].name, "work");
	CHECK_INT(c->accounts[0].port, 1993);
	CHECK_INT(c->accounts[0].tls, KITH_TLS_IMPLICIT);
	CHECK_INT(c->accounts[0].timeout_s, 30);
	CHECK_STR(c->accounts[0].pass_cmd, "pass show x");
	CHECK_NULL(c->accounts[0].pass_file);
	CHECK_INT(c->accounts[0].n_exclude, 2);
	CHECK_STR(c->accounts[0].folders_include[1], "Sent");
	CHECK_STR(c->accounts[0].identities[0], "assistant@example.org");
	CHECK_INT(c->accounts[1].port, 143);
	CHECK_INT(c->accounts[1].tls, KITH_TLS_NONE);
	CHECK_INT(c->accounts[1].timeout_s, 5);
	CHECK_INT(c->accounts[2].tls, KITH_TLS_STARTTLS);
	CHECK_STR(c->accounts[2].oauth2_token_cmd, "get-token");
	CHECK_INT(c->n_people, 1);
	CHECK_STR(c->people[0].addrs[1], "ana.ruiz@y.com");
	CHECK_STR(kith_tls_mode_name(KITH_TLS_STARTTLS), "starttls");
	kith_config_free(c);
}

static void test_errors(void)
{
	static const char acct[] = "accounts = ( { name = \"a\"; host = \"h.example\"; user = \"u\";\n";

	expect_error("poll_interval = 60;\npol_interval = 30;\n", 2,
		     "unknown key 'pol_interval' in the top level (did you mean 'poll_interval'?)");
	expect_error("zzzzzzzzzzzz = 1;\n", 1, "unknown key 'zzzzzzzzzzzz' in the top level");
	expect_error("poll_interval = \"5m\";\n", 1, "'poll_interval' must be an integer, not a string");
	expect_error("\npoll_interval = 1;\n", 2, "between 10 and 86400 (got 1)");
	expect_error("half_life_days = 0.5;\n", 1, "'half_life_days' must be between");
	expect_error("strip_plus_tags = \"yes\";\n", 1, "must be true or false");
	expect_error("identities = [ \"not an address\" ];\n", 1, "not a plain e-mail address");
	expect_error("identities = [ \"nobody\" ];\n", 1, "not an e-mail address");
	expect_error("identities = \"me@x.org\";\n", 1, "must be an array of strings");
	expect_error("followups = { horizon = 3; };\n", 1, "did you mean 'horizon_days'");
	expect_error("followups = { max_open = -1; };\n", 1, "'max_open' must be between 0");
	expect_error("followups = {\n cadence = { inner = 0; }; };\n", 2, "'inner' must be between 1");
	expect_error("followups = { cadence = { innr = 3; }; };\n", 1, "did you mean 'inner'");
	expect_error("poll_interval = ;\n", 1, "syntax error");
	expect_error("accounts = ( {\n  host = \"h\"; user = \"u\"; pass_cmd = \"x\"; } );\n", 1,
		     "an account is missing 'name'");
	expect_error("accounts = ( { name = \"a\"; user = \"u\"; pass_cmd = \"x\"; } );\n", 1,
		     "account is missing 'host'");
	expect_error("accounts = ( { name = \"a\"; host = \"h\"; pass_cmd = \"x\"; } );\n", 1,
		     "account is missing 'user'");
	expect_error("accounts = ( { name = \"a\"; host = \"h\"; user = \"u\"; } );\n", 1,
		     "needs one of pass_cmd, pass_file or oauth2_token_cmd");
	expect_error("accounts = ( { name = \"a\"; host = \"h\"; user = \"u\";\n"
		     " pass_cmd = \"x\"; oauth2_token_cmd = \"y\"; } );\n", 1, "more than one of");
	{
		char t[512];

		snprintf(t, sizeof(t), "%s  hots = \"x\"; pass_cmd = \"x\"; } );\n", acct);
		expect_error(t, 2, "unknown key 'hots' in an account (did you mean 'host'?)");
		snprintf(t, sizeof(t), "%s  pass_cmd = \"x\";\n  tls = \"none\"; } );\n", acct);
		expect_error(t, 3, "allowed only for loopback hosts, not 'h.example'");
		snprintf(t, sizeof(t), "%s  pass_cmd = \"x\";\n  tls = \"ssl\"; } );\n", acct);
		expect_error(t, 3, "tls must be \"implicit\", \"starttls\" or \"none\"");
		snprintf(t, sizeof(t), "%s  pass_cmd = \"x\";\n  port = 70000; } );\n", acct);
		expect_error(t, 3, "'port' must be between 1 and 65535 (got 70000)");
		snprintf(t, sizeof(t), "%s  pass_cmd = \"x\";\n  ca_file = \"/nonexistent/ca.pem\"; } );\n", acct);
		expect_error(t, 3, "ca_file '/nonexistent/ca.pem' is not readable");
		snprintf(t, sizeof(t), "%s  pass_cmd = \"x\";\n  folders = { exclud = [ \"Junk\" ]; }; } );\n", acct);
		expect_error(t, 3, "did you mean 'exclude'");
		snprintf(t, sizeof(t), "%s  pass_cmd = \"x\"; },\n { name = \"a\"; host = \"b\"; user = \"u\"; pass_cmd = \"y\"; } );\n", acct);
		expect_error(t, 3, "two accounts are named 'a'");
		write_file("open-secret", "pw\n", 0644);
		snprintf(t, sizeof(t), "%s\n  pass_file = \"%s\"; } );\n", acct, path_of("open-secret"));
		expect_error(t, 3, "has mode 0644; it must be 0600 or stricter");
		snprintf(t, sizeof(t), "%s  pass_file = \"%s/none\"; } );\n", acct, tmpdir);
		expect_error(t, 2, "No such file or directory");
	}
	expect_error("people = ( { name = \"x\"; } );\n", 1, "needs at least one address");
	expect_error("people = ( { name = \"x\"; addresses = [ \"x@y.org\" ]; nick = \"q\"; } );\n", 1,
		     "unknown key 'nick' in a person");
	expect_error("data_dir = \"~bob/kith\";\n", 1, "only '~/' is supported");
	expect_error("accounts = { name = \"a\"; };\n", 1, "'accounts' must be a list");
	expect_error("tasks_dir = \"\";\n", 1, "'tasks_dir' must not be empty");
}

static void test_loopback(void)
{
	static const char *const hosts[] = { "localhost", "127.0.0.1", "127.1.2.3", "::1",
					     "imap.localhost" };
	size_t i;

	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		struct kith_config *c = NULL;
		char t[256];

		snprintf(t, sizeof(t), "accounts = ( { name = \"a\"; host = \"%s\"; user = \"u\";"
			 " pass_cmd = \"x\"; tls = \"none\"; } );", hosts[i]);
		CHECK_INT(load(t, &c), 0);
		if (c)
			CHECK_INT(c->accounts[0].port, 143);
		kith_config_free(c);
	}
	expect_error("accounts = ( { name = \"a\"; host = \"128.0.0.1\"; user = \"u\"; "
		     "pass_cmd = \"x\"; tls = \"none\"; } );", 1, "loopback");
}

static void test_identity_warning(void)
{
	struct kith_config *c = NULL;
	const char *const *w;
	static const char acct[] = "accounts = ( { name = \"a\"; host = \"h\"; user = \"u\"; "
				   "pass_cmd = \"x\"; %s } );\n%s";
	char t[300];

	snprintf(t, sizeof(t), acct, "", "");
	CHECK_INT(load(t, &c), 0);
	CHECK_INT(c ? kith_config_warnings(c, &w) : 0, 1);
	if (c && c->n_warnings)
		CHECK(strstr(w[0], "no identities set") != NULL);
	kith_config_free(c);
	snprintf(t, sizeof(t), acct, "identities = [ \"a@b.org\" ];", "");
	CHECK_INT(load(t, &c), 0);
	CHECK_INT(c ? kith_config_warnings(c, &w) : 1, 0);
	kith_config_free(c);
	snprintf(t, sizeof(t), acct, "", "identities = [ \"a@b.org\" ];");
	CHECK_INT(load(t, &c), 0);
	CHECK_INT(c ? kith_config_warnings(c, &w) : 1, 0);
	kith_config_free(c);
	CHECK_INT(load("", &c), 0);      /* no accounts: nothing to warn about */
	CHECK_INT(c ? kith_config_warnings(c, &w) : 1, 0);
	kith_config_free(c);
}

static void test_files(void)
{
	struct kith_config *c = NULL;
	const char *const *w;
	char t[256];

	write_file("ok.conf", "poll_interval = 60;\ntasks_dir = \"rel/tasks\";\n", 0600);
	CHECK_INT(kith_config_load(path_of("ok.conf"), &c, err, sizeof(err)), 0);
	if (c) {
		snprintf(t, sizeof(t), "%s/rel/tasks", tmpdir);
		CHECK_STR(c->tasks_dir, t);
		CHECK_STR(c->path, path_of("ok.conf"));
		CHECK_INT(kith_config_warnings(c, &w), 0);
	}
	kith_config_free(c);

	chmod(path_of("ok.conf"), 0644);
	CHECK_INT(kith_config_load(path_of("ok.conf"), &c, err, sizeof(err)), 0);
	if (c) {
		CHECK_INT(kith_config_warnings(c, &w), 1);
		CHECK(strstr(w[0], "readable by group or others") != NULL);
	}
	kith_config_free(c);

	chmod(path_of("ok.conf"), 0646);
	CHECK_INT(kith_config_load(path_of("ok.conf"), &c, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "writable by others") != NULL);
	CHECK_NULL(c);

	write_file("bad.conf", "# comment\n\naccounts = ( { name = \"a\"; hots = \"x\"; } );\n", 0600);
	CHECK_INT(kith_config_load(path_of("bad.conf"), &c, err, sizeof(err)), -EINVAL);
	snprintf(t, sizeof(t), "%s:3: unknown key 'hots'", path_of("bad.conf"));
	CHECK(strncmp(err, t, strlen(t)) == 0);

	write_file("syntax.conf", "a = 1;\nb = {\n", 0600);
	CHECK_INT(kith_config_load(path_of("syntax.conf"), &c, err, sizeof(err)), -EINVAL);
	snprintf(t, sizeof(t), "%s:", path_of("syntax.conf"));
	CHECK(strncmp(err, t, strlen(t)) == 0);

	CHECK_INT(kith_config_load(path_of("missing.conf"), &c, err, sizeof(err)), -ENOENT);
	CHECK(strstr(err, "missing.conf: cannot open") != NULL);
}

static void test_default_path(void)
{
	char *p;

	setenv("KITH_CONFIG", "/etc/x.conf", 1);
	p = kith_config_default_path();
	CHECK_STR(p, "/etc/x.conf");
	free(p);
	unsetenv("KITH_CONFIG");
	setenv("XDG_CONFIG_HOME", "/cfg", 1);
	p = kith_config_default_path();
	CHECK_STR(p, "/cfg/kith/kith.conf");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	p = kith_config_default_path();
	CHECK_STR(p, "/home/tester/.config/kith/kith.conf");
	free(p);
}

static int secret_of(struct kith_account *a, char **s, int *oauth)
{
	err[0] = '\0';
	return kith_account_secret(a, s, oauth, err, sizeof(err));
}

static void test_secrets(void)
{
	struct kith_account a = { .name = (char *)"t" };
	char *s = NULL;
	int oauth = -1;

	a.pass_cmd = (char *)"printf 'sekrit\\r\\nsecond line\\n'";
	CHECK_INT(secret_of(&a, &s, &oauth), 0);
	CHECK_STR(s, "sekrit");
	CHECK_INT(oauth, 0);
	free(s);

	a.pass_cmd = (char *)"echo topsecret; exit 3";
	CHECK_INT(secret_of(&a, &s, &oauth), -EIO);
	CHECK_NULL(s);
	CHECK(strstr(err, "exited with status 3") != NULL);
	CHECK(strstr(err, "topsecret") == NULL);

	/* a background process keeping stdout open does not hold us up */
	{
		struct timespec t0, t1;

		a.pass_cmd = (char *)"echo bgsecret; sleep 30 & exit 0";
		clock_gettime(CLOCK_MONOTONIC, &t0);
		CHECK_INT(secret_of(&a, &s, &oauth), 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		CHECK_STR(s, "bgsecret");
		/* waiting for the background sleep would take its 30 s */
		CHECK(t1.tv_sec - t0.tv_sec < 20);
		free(s);
	}

	a.pass_cmd = (char *)"true";
	CHECK(secret_of(&a, &s, &oauth) < 0);
	CHECK(strstr(err, "no secret") != NULL);

	a.pass_cmd = (char *)"head -c 100000 /dev/zero | tr '\\0' x";
	CHECK_INT(secret_of(&a, &s, &oauth), -EFBIG);

	a.pass_cmd = NULL;
	a.oauth2_token_cmd = (char *)"echo tok.en";
	CHECK_INT(secret_of(&a, &s, &oauth), 0);
	CHECK_STR(s, "tok.en");
	CHECK_INT(oauth, 1);
	free(s);

	a.oauth2_token_cmd = NULL;
	write_file("pw", "filepw\nrest\n", 0600);
	a.pass_file = path_of("pw");
	CHECK_INT(secret_of(&a, &s, &oauth), 0);
	CHECK_STR(s, "filepw");
	free(s);
	chmod(path_of("pw"), 0640);
	CHECK_INT(secret_of(&a, &s, &oauth), -EPERM);
	CHECK(strstr(err, "refused") != NULL);
	CHECK(strstr(err, "filepw") == NULL);

	a.pass_file = NULL;
	CHECK_INT(secret_of(&a, &s, &oauth), -EINVAL);
}

static void cleanup(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup failed\n");
}

/* provider = "...": the preset fills host, port, TLS and folder rules;
 * the account's own keys win; Outlook refuses a password. */
static void test_provider(void)
{
	struct kith_config *c = NULL;

	CHECK_INT(load("identities = [\"me@example.org\"];\naccounts = ( { name = \"g\"; "
		       "provider = \"gmail\"; user = \"me@gmail.com\"; pass_cmd = \"x\"; } );\n",
		       &c), 0);
	if (c) {
		CHECK_STR(c->accounts[0].host, "imap.gmail.com");
		CHECK_INT(c->accounts[0].port, 993);
		CHECK_INT(c->accounts[0].tls, KITH_TLS_IMPLICIT);
		kith_config_free(c);
	}
	c = NULL;
	CHECK_INT(load("identities = [\"me@example.org\"];\naccounts = ( { name = \"o\"; "
		       "provider = \"outlook\"; host = \"imap.example.org\"; port = 1993; "
		       "user = \"me@example.org\"; oauth2_token_cmd = \"x\"; } );\n", &c), 0);
	if (c) {
		CHECK_STR(c->accounts[0].host, "imap.example.org");
		CHECK_INT(c->accounts[0].port, 1993);
		CHECK_INT(c->accounts[0].n_exclude, 6);
		CHECK_STR(c->accounts[0].folders_exclude[0], "Outbox");
		kith_config_free(c);
	}
	c = NULL;
	CHECK_INT(load("identities = [\"me@example.org\"];\naccounts = ( { name = \"o\"; "
		       "provider = \"outlook\"; user = \"u\"; oauth2_token_cmd = \"x\"; "
		       "folders = { exclude = [\"Old\"]; }; } );\n", &c), 0);
	if (c) {
		CHECK_INT(c->accounts[0].n_exclude, 1);
		kith_config_free(c);
	}
	/* the app-password providers: host and implicit TLS from the preset */
	static const char *const app[][2] = { { "icloud", "imap.mail.me.com" },
		{ "yahoo", "imap.mail.yahoo.com" }, { "fastmail", "imap.fastmail.com" } };
	for (size_t i = 0; i < 3; i++) {
		char text[300];

		snprintf(text, sizeof text, "identities = [\"me@example.org\"];\naccounts = ( {"
			 " name = \"a\"; provider = \"%s\"; user = \"u\"; pass_cmd = \"x\"; } );\n",
			 app[i][0]);
		c = NULL;
		CHECK_INT(load(text, &c), 0);
		if (c) {
			CHECK_STR(c->accounts[0].host, app[i][1]);
			CHECK_INT(c->accounts[0].port, 993);
			CHECK_INT(c->accounts[0].tls, KITH_TLS_IMPLICIT);
			kith_config_free(c);
		}
	}
	expect_error("accounts = ( { name = \"o\"; provider = \"outlook\"; user = \"u\";\n"
		     "  pass_cmd = \"x\"; } );\n", 1, "refuses passwords over IMAP");
	expect_error("accounts = ( { name = \"p\";\n provider = \"aol\"; user = \"u\"; "
		     "pass_cmd = \"x\"; } );\n", 2, "unknown provider \"aol\"");
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	test_defaults();
	test_state_fallback();
	test_full();
	test_errors();
	test_loopback();
	test_identity_warning();
	test_files();
	test_default_path();
	test_secrets();
	test_provider();
	cleanup();
	return T_DONE();
}
