/* fuzz_imap.c: libFuzzer target for kith's IMAP adapter path through
 * libetpan: the fuzz input is everything a server sends.
 *
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -Ilib -Idaemon tests/fuzz/fuzz_imap.c daemon/imap_etpan.c \
 *     daemon/tls_gnutls.c daemon/source_folders.c lib/[a-z]*.c \
 *     -letpan -lgnutls -lpthread -lm
 *
 * Each run: a thread accepts one connection on a loopback listener and
 * plays the server: the greeting, then for each command kithd sends, the
 * next reply of the input (up to its tagged line), until the input ends;
 * then it half-closes and reads until kithd hangs up (see serve()).
 * kith_imap_session() runs against it (tls = none, timeout 1 s, IDLE up
 * to 1 s), with a
 * sink that parses each delivered header block with kith_hdr_parse() as
 * the store would, and checks the adapter's promises: headers arrive only
 * inside a folder, in rising UID order, batch_end never goes back, and an
 * error never says the server left out a UID that was delivered.
 *
 * daemon/log.c is replaced below by a silent log_msg() (it still formats
 * every message, so the protocol logger's formats are exercised).
 *
 * Known libetpan 1.9.4 crashes and leaks are defused (etpan_defuse(),
 * etpan_defuse_reply(); docs/fuzzing.md) so the fuzzer can get past them
 * into kith's own code; FUZZ_IMAP_NO_FILTER=1 turns that off.
 * FUZZ_IMAP_VERBOSE=1 prints the dialogue and kithd's log.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hdr.h"
#include "log.h"
#include "msg.h"
#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* ---- a silent log.h ---- */

static int verbose; /* FUZZ_IMAP_VERBOSE=1: print the log and the protocol */
static int filter = 1; /* FUZZ_IMAP_NO_FILTER=1: 0, known libetpan crashes stay in */

void log_init(const char *progname, int v)
{
	(void)progname;
	(void)v;
}

int log_debug_enabled(void)
{
	return verbose;
}

void log_msg(enum kith_log_level lvl, const char *fmt, ...)
{
	char line[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (verbose)
		fprintf(stderr, "log %d: %s\n", (int)lvl, line);
}

/* ---- the fake server ---- */

static int listen_fd = -1;
static int listen_port;

struct feed {
	const uint8_t *d;
	size_t n;
	size_t pos;        /* next byte to send */
	int fd;
	unsigned long capability_fixes; /* see etpan_defuse_reply() */
};

static int wait_fd(int fd, short ev, int ms)
{
	struct pollfd p = { .fd = fd, .events = ev };

	return poll(&p, 1, ms);
}

static int send_all(int fd, const void *b, size_t len)
{
	const uint8_t *p = b;

	while (len > 0) {
		ssize_t w;

		if (wait_fd(fd, POLLOUT, 2000) <= 0)
			return -1;
		w = send(fd, p, len, MSG_NOSIGNAL);
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* A line of d[i..n) ending in "{N}" (CR)LF announces an N-byte literal:
 * returns N, or -1 when it does not. */
static long literal_len(const uint8_t *d, size_t i, size_t eol)
{
	size_t e = eol;
	long v = 0, mul = 1;

	if (e > i && d[e - 1] == '\r')
		e--;
	if (e == i || d[e - 1] != '}')
		return -1;
	for (e--; e > i && d[e - 1] >= '0' && d[e - 1] <= '9' && mul < 100000000; e--) {
		v += (d[e - 1] - '0') * mul;
		mul *= 10;
	}
	return e > i && d[e - 1] == '{' && mul > 1 ? v : -1;
}

/* The end of the next reply in d[from..n): every line up to and including
 * the first that is not untagged ("*") or a continuation ("+"), literals
 * skipped whole.  The greeting (first == 1) is one line. */
static size_t reply_end(const uint8_t *d, size_t n, size_t from, int first)
{
	size_t i = from;

	while (i < n) {
		size_t line = i, eol;
		const uint8_t *nl;
		long lit;

		for (;;) { /* one logical line: segments joined by literals */
			nl = memchr(d + i, '\n', n - i);
			eol = nl ? (size_t)(nl - d) : n;
			lit = nl ? literal_len(d, i, eol) : -1;
			i = eol < n ? eol + 1 : n;
			if (lit < 0)
				break;
			i = (size_t)lit > n - i ? n : i + (size_t)lit;
		}
		if (first || (d[line] != '*' && d[line] != '+'))
			return i;
	}
	return n;
}

/* Reads one command (with any literals, which it acknowledges with "+"
 * as a server must) into cmd[cap].  Returns its length, 0 when nothing
 * came within wait_ms, -1 when the client is gone. */
static ssize_t read_command(int fd, char *cmd, size_t cap, int wait_ms)
{
	size_t len = 0;

	for (;;) {
		ssize_t r;
		long lit;

		if (wait_fd(fd, POLLIN, len ? 1000 : wait_ms) <= 0)
			return (ssize_t)len;
		r = recv(fd, cmd + len, cap - 1 - len, 0);
		if (r <= 0)
			return len ? (ssize_t)len : -1;
		len += (size_t)r;
		cmd[len] = '\0';
		if (verbose)
			fprintf(stderr, "C: %.*s", (int)r, cmd + len - (size_t)r);
		if (len + 1 >= cap || cmd[len - 1] != '\n')
			continue;
		lit = literal_len((const uint8_t *)cmd, 0, len - 1);
		if (lit < 0)
			return (ssize_t)len;
		if (send_all(fd, "+ go ahead\r\n", 12) < 0)
			return -1;
		/* the literal and the rest of the line follow: keep reading */
	}
}

static int etpan_defuse_reply(struct feed *f, const char *cmd, size_t end);

/* Why two modes: a server answers each command with one reply, and the
 * defusers need to know the command; but when a mutated reply ends where
 * libetpan does not expect it to, libetpan waits for more while the server
 * waits for a command.  The first time no command comes within
 * CMD_WAIT_MS, the rest of the input goes out at once (still defused). */
#define CMD_WAIT_MS 5

static void *serve(void *arg)
{
	struct feed *f = arg;
	char cmd[2048];
	int first = 1, dump = 0;

	if (wait_fd(listen_fd, POLLIN, 3000) <= 0)
		return NULL;
	f->fd = accept(listen_fd, NULL, NULL);
	if (f->fd < 0)
		return NULL;
	while (f->pos < f->n) {
		size_t end = reply_end(f->d, f->n, f->pos, first);
		ssize_t c = 0;
		int sent;

		if (!first && !dump && (c = read_command(f->fd, cmd, sizeof(cmd), CMD_WAIT_MS)) < 0)
			break;
		if (!first && c == 0)
			dump = 1;
		sent = first ? 0 : etpan_defuse_reply(f, dump ? NULL : cmd, end);
		if (sent < 0 || (!sent && send_all(f->fd, f->d + f->pos, end - f->pos) < 0))
			break;
		f->pos = end;
		first = 0;
	}
	/* Half-close, then read until kithd hangs up: closing with unread
	 * input would send RST, which can drop replies not yet read. */
	shutdown(f->fd, SHUT_WR);
	while (read_command(f->fd, cmd, sizeof(cmd), 300) > 0)
		;
	close(f->fd);
	return NULL;
}

static int open_listener(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(listen_fd, 4) < 0 || getsockname(listen_fd, (struct sockaddr *)&sa, &sl) < 0)
		return -errno;
	listen_port = ntohs(sa.sin_port);
	return 0;
}

/* ---- known libetpan crashes ---- */

static unsigned long n_defused; /* inputs the filter changed */
static unsigned long n_capfix;  /* replies the fake server completed */

/* Case-insensitive search for w (upper case) in d[0..n). */
static uint8_t *find_ci(uint8_t *d, size_t n, const char *w)
{
	size_t wl = strlen(w), i, j;

	for (i = 0; i + wl <= n; i++) {
		for (j = 0; j < wl; j++) {
			uint8_t c = d[i + j];

			if (c >= 'a' && c <= 'z')
				c = (uint8_t)(c - 32);
			if (c != (uint8_t)w[j])
				break;
		}
		if (j == wl)
			return d + i;
	}
	return NULL;
}

/* Defuses, in place, what crashes libetpan 1.9.4 itself before kith sees
 * a result (docs/fuzzing.md has each with its stack); in kithd these kill
 * the contained child only.  Returns how many spots it changed.
 *
 * 1: a PERMANENTFLAGS response code while no mailbox is selected (in the
 * greeting, or any reply before the first EXAMINE): libetpan stores the
 * flags into the NULL selection info (SEGV in mailimap_greeting_parse /
 * clist_foreach).  Renamed to an unknown code, which libetpan skips. */
static int etpan_defuse(uint8_t *d, size_t n)
{
	uint8_t *p = d;
	int k = 0;

	while ((p = find_ci(p, n - (size_t)(p - d), "[PERMANENTFLAGS")) != NULL) {
		p[14] = 'X';
		p += 15;
		k++;
	}
	return k;
}

/* Does the line at d[i..end) start with w (case-insensitive)? */
static int line_is(const uint8_t *d, size_t i, size_t end, const char *w)
{
	size_t wl = strlen(w);

	return end - i >= wl && strncasecmp((const char *)d + i, w, wl) == 0;
}

/* The start of the last line of d[from..end). */
static size_t last_line(const uint8_t *d, size_t from, size_t end)
{
	size_t i = end;

	if (i > from && d[i - 1] == '\n')
		i--;
	while (i > from && d[i - 1] != '\n')
		i--;
	return i;
}

/* 2: a CAPABILITY command answered without an untagged CAPABILITY line:
 * mailimap_capability() then reads the NULL capability list (SEGV in
 * mailimap_capability).  The fake server adds "* CAPABILITY IMAP4rev1"
 * to such a reply.  Returns 0 (the reply still to send) or -1. */
static int defuse_capability(struct feed *f, size_t end)
{
	static const char fix[] = "* CAPABILITY IMAP4rev1\r\n";
	size_t i;

	for (i = f->pos; i < end; i++)
		if ((i == f->pos || f->d[i - 1] == '\n') && line_is(f->d, i, end, "* CAPABILITY "))
			return 0;
	f->capability_fixes++;
	return send_all(f->fd, fix, sizeof(fix) - 1);
}

/* 3 (a leak, not a crash): STATUS data in a reply whose tagged line is not
 * OK: mailimap_status() returns MAILIMAP_ERROR_STATUS and never frees the
 * status it parsed (kith is handed nothing).  Suppressing mailimap_status
 * would also hide a kith leak of a good STATUS result, so instead the
 * fake server leaves the "* STATUS" lines out of such a reply.  Returns 1
 * when it sent the reply itself, 0 when the caller should, -1 on error. */
static int defuse_status(struct feed *f, size_t end)
{
	size_t i = last_line(f->d, f->pos, end), next;
	const uint8_t *sp = memchr(f->d + i, ' ', end - i);

	if (!sp || line_is(f->d, (size_t)(sp - f->d) + 1, end, "OK"))
		return 0;
	for (i = f->pos; i < end; i = next) {
		const uint8_t *nl = memchr(f->d + i, '\n', end - i);

		next = nl ? (size_t)(nl - f->d) + 1 : end;
		if (line_is(f->d, i, end, "* STATUS ") && memchr(f->d + i, '{', next - i))
			return 0; /* a literal inside: leave the reply alone */
	}
	for (i = f->pos; i < end; i = next) {
		const uint8_t *nl = memchr(f->d + i, '\n', end - i);

		next = nl ? (size_t)(nl - f->d) + 1 : end;
		if (!line_is(f->d, i, end, "* STATUS ") && send_all(f->fd, f->d + i, next - i) < 0)
			return -1;
	}
	return 1;
}

/* Applies the per-reply defusers to the reply d[pos..end) to command cmd;
 * cmd NULL (unknown: the server no longer waits for commands) applies
 * every defuser to a complete reply.  Returns as the defusers do. */
static int etpan_defuse_reply(struct feed *f, const char *cmd, size_t end)
{
	const char *sp = cmd ? strchr(cmd, ' ') : NULL;
	size_t last = last_line(f->d, f->pos, end);

	if (!filter)
		return 0;
	if (!cmd) {
		if (end == f->n && (end == 0 || f->d[end - 1] != '\n'))
			return 0; /* the input ends mid-reply */
		if (last < end && (f->d[last] == '*' || f->d[last] == '+'))
			return 0; /* no tagged line: the input ends */
		if (defuse_capability(f, end) < 0)
			return -1;
		return defuse_status(f, end);
	}
	if (!sp)
		return 0;
	if (strncasecmp(sp + 1, "CAPABILITY", 10) == 0)
		return defuse_capability(f, end);
	if (strncasecmp(sp + 1, "STATUS ", 7) == 0)
		return defuse_status(f, end);
	return 0;
}

static void report(void)
{
	fprintf(stderr, "fuzz_imap: libetpan crash filter: %lu inputs with PERMANENTFLAGS "
		"renamed, %lu sessions with a CAPABILITY reply completed\n", n_defused, n_capfix);
}

/* ---- the sink: checks the adapter's promises ---- */

#define MAX_SEEN 256

struct fsink {
	int in_folder;
	uint32_t last_uid;     /* last header delivered in this folder */
	uint32_t last_batch;   /* last batch_end's last_uid */
	uint32_t seen[MAX_SEEN]; /* UIDs delivered in this folder (the first ones) */
	size_t n_seen;
	unsigned long headers, folders, batches;
};

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static int s_folder(void *ctx, const char *folder, unsigned flags, uint32_t uidvalidity,
		    uint32_t uidnext, uint32_t messages)
{
	struct fsink *k = ctx;

	CHECK(folder != NULL);
	k->in_folder = 1;
	k->last_uid = 0;
	k->last_batch = 0;
	k->n_seen = 0;
	k->folders++;
	return 0;
}

static int s_message(void *ctx, uint32_t uid, const char *hdr, size_t len)
{
	struct fsink *k = ctx;
	struct kith_msg m;

	CHECK(k->in_folder && hdr != NULL);
	CHECK(uid > k->last_uid); /* rising, never repeated */
	k->last_uid = uid;
	if (k->n_seen < MAX_SEEN)
		k->seen[k->n_seen++] = uid;
	k->headers++;
	if (kith_hdr_parse(hdr, len, &m) == 0)
		kith_msg_free(&m);
	return 0;
}

static int s_batch_end(void *ctx, const char *folder, uint32_t uidvalidity,
		       uint32_t last_uid, uint32_t uidnext, uint32_t messages)
{
	struct fsink *k = ctx;

	CHECK(k->in_folder && folder != NULL);
	CHECK(last_uid >= k->last_batch); /* the stored state never goes back */
	k->last_batch = last_uid;
	k->batches++;
	return 0;
}

/* The session's error must not claim that the server left out a UID the
 * sink was given (imap_etpan.c's batch_gap message). */
static void check_missing_claim(const struct fsink *k, const char *err)
{
	const char *p = strstr(err, "did not return UID ");
	unsigned long u;
	size_t i;

	if (!p)
		return;
	u = strtoul(p + 19, NULL, 10);
	for (i = 0; i < k->n_seen; i++)
		CHECK(k->seen[i] != u);
}

static int s_unchanged(void *ctx, const char *folder)
{
	CHECK(folder != NULL);
	return 0;
}

/* ---- the target ---- */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *v = getenv("FUZZ_IMAP_VERBOSE");
	const char *nf = getenv("FUZZ_IMAP_NO_FILTER");

	verbose = v && *v == '1';
	filter = !(nf && *nf == '1');
	if (filter)
		atexit(report);
	if (open_listener() < 0) {
		perror("fuzz_imap: loopback listener");
		exit(1);
	}
	return 0;
}

static void account(struct kith_account *a, char *host)
{
	static char *exclude[] = { "Trash" };

	memset(a, 0, sizeof(*a));
	a->name = "fuzz";
	a->host = host;
	a->port = listen_port;
	a->tls = KITH_TLS_NONE;
	a->user = "user";
	a->pass_cmd = "true";
	a->folders_exclude = exclude;
	a->n_exclude = 1;
	a->timeout_s = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct kith_folder_state known[] = {
		{ "INBOX", 1, 3, 4, 3 }, { "Sent", 7, 10, 11, 10 } };
	char host[] = "127.0.0.1", err[256];
	struct kith_account acct;
	struct kith_sync_request req;
	struct fsink fs = { 0 };
	struct kith_sink sink = { &fs, s_folder, s_message, s_batch_end, s_unchanged };
	struct feed f = { NULL, size, 0, -1, 0 };
	pthread_t th;
	uint8_t *copy;
	int r;

	if (size > 65536 || !(copy = malloc(size ? size : 1)))
		return 0;
	memcpy(copy, data, size);
	if (filter && etpan_defuse(copy, size) > 0)
		n_defused++;
	f.d = copy;
	account(&acct, host);
	memset(&req, 0, sizeof(req));
	req.account = &acct;
	req.secret = "secret";
	req.known = known;
	req.n_known = 2;
	req.batch_size = 2;
	req.protocol_log = 1;
	req.idle_seconds = 1; /* IDLE ends early: news, or the input runs out */
	req.wake_fd = -1;
	if (pthread_create(&th, NULL, serve, &f) != 0) {
		free(copy);
		return 0;
	}
	r = kith_imap_session(&req, &sink, err, sizeof(err));
	pthread_join(th, NULL);
	n_capfix += f.capability_fixes > 0;
	free(copy);
	CHECK(r <= 0);
	CHECK(r == 0 || err[0] != '\0');
	check_missing_claim(&fs, err);
	if (verbose)
		fprintf(stderr, "session: %d (%s) folders %lu headers %lu batches %lu\n", r, err,
			fs.folders, fs.headers, fs.batches);
	return 0;
}
