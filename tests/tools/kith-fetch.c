/* kith-fetch: run one IMAP sync session and print what the source reports.
 *
 *   kith-fetch --config FILE [--account NAME] [options]
 *   kith-fetch --host H --port P --user U --pass-file F [--ca-file F]
 *              [--tls implicit|starttls|none] [options]
 * options: --timeout S  --contained MB (run in the contained child; 0: no
 *   limit)  --batch N  --idle S  --protocol-log  --state FILE (known folder
 *   state: "name<TAB>uidvalidity<TAB>last_uid<TAB>uidnext<TAB>messages")
 *   --save-state FILE (the state after this run, same format)
 *   --oauth2 (flags mode: the pass file holds an XOAUTH2 token)
 *
 * Prints one line per callback:
 *   folder NAME flags=[S][A] uidvalidity=N uidnext=N messages=N
 *   message NAME UID LEN first-header-line
 *   batch NAME uidvalidity=N last_uid=N uidnext=N messages=N
 *   unchanged NAME
 * then "refusal CLASS hint=S TEXT" when the server refused (lib/refusal.h),
 * "result RC TEXT" and "maxrss_kb N" (this process only, not the
 * contained child: proves a huge allocation stayed in the child).  Exit 0 on success, 1 on a session error, 2 usage.
 * A test tool: integration tests use it before and beside kithd.
 */
#include "config.h"
#include "log.h"
#include "source.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define MAX_FOLDERS 256

struct state {
	char *name[MAX_FOLDERS];
	struct kith_folder_state f[MAX_FOLDERS];
	size_t n;
	const char *cur; /* folder being read (for message lines) */
};

static struct kith_folder_state *state_get(struct state *st, const char *name, int add)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (strcmp(st->name[i], name) == 0)
			return &st->f[i];
	if (!add || st->n == MAX_FOLDERS)
		return NULL;
	st->name[st->n] = strdup(name);
	if (!st->name[st->n])
		return NULL;
	memset(&st->f[st->n], 0, sizeof st->f[st->n]);
	st->f[st->n].name = st->name[st->n];
	return &st->f[st->n++];
}

static int state_load(struct state *st, const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[1024], name[900];
	unsigned v, l, u, m;

	if (!fp)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof line, fp)) {
		struct kith_folder_state *f;

		if (sscanf(line, "%899[^\t]\t%u\t%u\t%u\t%u", name, &v, &l, &u, &m) != 5)
			continue;
		f = state_get(st, name, 1);
		if (!f)
			break;
		f->uidvalidity = v; f->last_uid = l; f->uidnext = u; f->messages = m;
	}
	fclose(fp);
	return 0;
}

static int state_save(const struct state *st, const char *path)
{
	FILE *fp = fopen(path, "w");
	size_t i;

	if (!fp)
		return -errno;
	for (i = 0; i < st->n; i++)
		fprintf(fp, "%s\t%u\t%u\t%u\t%u\n", st->name[i], st->f[i].uidvalidity,
			st->f[i].last_uid, st->f[i].uidnext, st->f[i].messages);
	return fclose(fp) == 0 ? 0 : -errno;
}

static int on_folder(void *ctx, const char *folder, unsigned flags, uint32_t uidvalidity,
		     uint32_t uidnext, uint32_t messages)
{
	struct state *st = ctx;
	struct kith_folder_state *f = state_get(st, folder, 1);

	if (f && f->uidvalidity != uidvalidity) /* the sync logic forgets it */
		f->last_uid = 0;
	st->cur = f ? f->name : "?";
	printf("folder %s flags=%s%s uidvalidity=%u uidnext=%u messages=%u\n", folder,
	       (flags & KITH_FOLDER_SENT) ? "S" : "", (flags & KITH_FOLDER_ALL) ? "A" : "",
	       uidvalidity, uidnext, messages);
	return 0;
}

static int on_message(void *ctx, uint32_t uid, const char *hdr, size_t len)
{
	struct state *st = ctx;
	size_t n = 0;

	while (n < len && n < 100 && hdr[n] != '\r' && hdr[n] != '\n')
		n++;
	printf("message %s %u %zu %.*s\n", st->cur ? st->cur : "?", uid, len, (int)n, hdr);
	return 0;
}

static int on_batch(void *ctx, const char *folder, uint32_t uidvalidity, uint32_t last_uid,
		    uint32_t uidnext, uint32_t messages)
{
	struct kith_folder_state *f = state_get(ctx, folder, 1);

	if (f) {
		f->uidvalidity = uidvalidity; f->last_uid = last_uid;
		f->uidnext = uidnext; f->messages = messages;
	}
	printf("batch %s uidvalidity=%u last_uid=%u uidnext=%u messages=%u\n", folder,
	       uidvalidity, last_uid, uidnext, messages);
	fflush(stdout);
	return 0;
}

static int on_unchanged(void *ctx, const char *folder)
{
	printf("unchanged %s\n", folder);
	return 0;
}

struct opts {
	const char *config, *account, *state_in, *state_out;
	struct kith_account acct;
	long contained;  /* -1: in process */
	unsigned batch;
	int idle, protocol_log, oauth2;
};

static int parse_tls(const char *s, enum kith_tls_mode *out)
{
	if (strcmp(s, "implicit") == 0) *out = KITH_TLS_IMPLICIT;
	else if (strcmp(s, "starttls") == 0) *out = KITH_TLS_STARTTLS;
	else if (strcmp(s, "none") == 0) *out = KITH_TLS_NONE;
	else return -1;
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "config", 1, 0, 'c' }, { "account", 1, 0, 'a' }, { "host", 1, 0, 'H' },
		{ "port", 1, 0, 'p' }, { "user", 1, 0, 'u' }, { "pass-file", 1, 0, 'P' },
		{ "ca-file", 1, 0, 'C' }, { "tls", 1, 0, 't' }, { "timeout", 1, 0, 'T' },
		{ "contained", 1, 0, 'k' }, { "batch", 1, 0, 'b' }, { "idle", 1, 0, 'i' },
		{ "protocol-log", 0, 0, 'L' }, { "state", 1, 0, 's' },
		{ "save-state", 1, 0, 'S' }, { "oauth2", 0, 0, 'O' }, { 0, 0, 0, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'a': o->account = optarg; break;
		case 'H': o->acct.host = optarg; break;
		case 'p': o->acct.port = atoi(optarg); break;
		case 'u': o->acct.user = optarg; break;
		case 'P': o->acct.pass_file = optarg; break;
		case 'C': o->acct.ca_file = optarg; break;
		case 't': if (parse_tls(optarg, &o->acct.tls) < 0) return -1; break;
		case 'T': o->acct.timeout_s = atoi(optarg); break;
		case 'k': o->contained = atol(optarg); break;
		case 'b': o->batch = (unsigned)atoi(optarg); break;
		case 'i': o->idle = atoi(optarg); break;
		case 'L': o->protocol_log = 1; break;
		case 's': o->state_in = optarg; break;
		case 'S': o->state_out = optarg; break;
		case 'O': o->oauth2 = 1; break;
		default: return -1;
		}
	}
	return optind == argc && (o->config || (o->acct.host && o->acct.port > 0)) ? 0 : -1;
}

/* Reads the first line of a password file (flags mode). */
static char *read_pass(const char *path)
{
	FILE *fp = fopen(path, "r");
	char buf[4096], *nl;

	if (!fp)
		return NULL;
	if (!fgets(buf, sizeof buf, fp))
		buf[0] = '\0';
	fclose(fp);
	nl = strpbrk(buf, "\r\n");
	if (nl)
		*nl = '\0';
	return strdup(buf);
}

static const struct kith_account *pick_account(const struct kith_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_accounts; i++)
		if (!name || strcmp(cfg->accounts[i].name, name) == 0)
			return &cfg->accounts[i];
	return NULL;
}

static void print_rusage(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == 0)
		printf("maxrss_kb %ld\n", ru.ru_maxrss);
}

static int run(struct opts *o, const struct kith_account *a, const char *secret,
	       int is_oauth2, long limit)
{
	static struct state st;
	struct kith_sink sink = { &st, on_folder, on_message, on_batch, on_unchanged, NULL };
	struct kith_sync_request req = {
		.account = a, .secret = secret, .is_oauth2 = is_oauth2,
		.batch_size = o->batch, .idle_seconds = o->idle,
		.protocol_log = o->protocol_log,
	};
	struct kith_refusal refusal;
	char err[512] = "";
	int r;

	req.refusal = &refusal;
	if (o->state_in && state_load(&st, o->state_in) < 0)
		fprintf(stderr, "kith-fetch: cannot read %s\n", o->state_in);
	req.known = st.f;
	req.n_known = st.n;
	if (o->contained >= 0)
		r = kith_imap_session_contained(&req, &sink, limit, err, sizeof err);
	else
		r = kith_imap_session(&req, &sink, err, sizeof err);
	if (refusal.cls != KITH_REFUSAL_NONE)
		printf("refusal %s hint=%d %s\n", kith_refusal_name(refusal.cls), refusal.hint_s,
		       refusal.text);
	printf("result %d %s\n", r, err[0] ? err : kith_source_strerror(r));
	print_rusage();
	if (r >= 0 && o->state_out && state_save(&st, o->state_out) < 0)
		fprintf(stderr, "kith-fetch: cannot write %s\n", o->state_out);
	return r;
}

static int run_config(struct opts *o)
{
	struct kith_config *cfg = NULL;
	const struct kith_account *a;
	char err[512], *secret = NULL;
	int r, is_oauth2 = 0;

	r = kith_config_load(o->config, &cfg, err, sizeof err);
	if (r < 0) {
		fprintf(stderr, "kith-fetch: %s\n", err);
		return r;
	}
	a = pick_account(cfg, o->account);
	if (!a) {
		fprintf(stderr, "kith-fetch: no such account\n");
		kith_config_free(cfg);
		return -ENOENT;
	}
	r = kith_account_secret(a, &secret, &is_oauth2, err, sizeof err);
	if (r < 0)
		fprintf(stderr, "kith-fetch: %s\n", err);
	else
		r = run(o, a, secret, is_oauth2,
			o->contained > 0 ? o->contained : cfg->memory_limit_mb);
	if (secret) {
		memset(secret, 0, strlen(secret));
		free(secret);
	}
	kith_config_free(cfg);
	return r;
}

int main(int argc, char **argv)
{
	struct opts o = { .contained = -1 };
	char *secret;
	int r;

	o.acct.name = "cli";
	o.acct.timeout_s = 30;
	if (parse_args(argc, argv, &o) < 0) {
		fprintf(stderr, "usage: kith-fetch --config FILE [--account NAME] | --host H --port P"
			" --user U --pass-file F [--ca-file F] [--tls implicit|starttls|none]"
			" [--timeout S] [--contained MB] [--batch N] [--idle S] [--protocol-log]"
			" [--state FILE] [--save-state FILE] [--oauth2]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	log_init("kith-fetch", 1);
	if (o.config)
		return run_config(&o) < 0 ? 1 : 0;
	secret = o.acct.pass_file ? read_pass(o.acct.pass_file) : strdup("");
	if (!secret)
		return 1;
	r = run(&o, &o.acct, secret, o.oauth2, o.contained);
	memset(secret, 0, strlen(secret));
	free(secret);
	return r < 0 ? 1 : 0;
}
