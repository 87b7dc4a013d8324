/* fuzz_imap.c: libFuzzer target for kith's IMAP adapter path through
 * libetpan: the fuzz input is everything a server sends.
 *
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -Ilib -Iconfig -Isource -Idaemon tests/fuzz/fuzz_imap.c source/imap_etpan.c \
 *     source/imap_fetch.c source/tls_gnutls.c source/source_folders.c lib/[a-z]*.c \
 *     -Wl,--wrap=kith_conn_open,--wrap=kith_conn_read,--wrap=kith_conn_wait_readable \
 *     -Wl,--wrap=mailimap_capability -letpan -lgnutls -lm
 *
 * Each run is one kith_imap_session() (tls = none, timeout 1 s, IDLE up to
 * 1 s) in this process, over a socketpair whose other end is a fake server
 * driven by kithd's own reads (see pump()): the greeting, then for each
 * command kithd sends, the next reply of the input (up to its tagged line),
 * until the input ends; then end-of-stream.  No TCP, no thread, no timeout
 * is ever waited for.  The sink parses each delivered header block with
 * kith_hdr_parse() as the store would, and checks the adapter's promises:
 * headers arrive only inside a folder, in rising UID order, batch_end never
 * goes back, an error never says the server left out a UID that was
 * delivered, and KITH_SYNC_AGAIN comes only after delivered mail or IDLE.
 *
 * daemon/log.c is replaced below by a silent log_msg() (it still formats
 * every message, so the protocol logger's formats are exercised).
 *
 * Known libetpan 1.9.4 crashes and leaks are defused (etpan_defuse(),
 * etpan_defuse_reply(); docs/fuzzing.md) so the fuzzer can get past them
 * into kith's own code; FUZZ_IMAP_NO_FILTER=1 turns that off.
 * FUZZ_IMAP_VERBOSE=1 prints the dialogue and kithd's log.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "hdr.h"
#include "log.h"
#include "msg.h"
#include "source.h"
#include "tls_gnutls.h"

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

/* ---- the fake server, pumped from kithd's own reads ---- */

/* Why a pump and no server thread: kithd's only ways to wait for the
 * server are kith_conn_read() and kith_conn_wait_readable() (the IMAP
 * adapter's libetpan stream and its IDLE wait).  This target is linked with
 * -Wl,--wrap for those two and for kith_conn_open() (tests/fuzz/run.sh):
 * kith_conn_open() hands out one end of a socketpair through
 * kith_conn_from_fd(), and whenever kithd is about to wait on an empty
 * socket, the fake server takes its turn in the same thread: it reads what
 * kithd sent and writes the next piece of the input.  When kithd waits,
 * everything it meant to send has been sent, so the server always knows
 * whether a command came or libetpan simply wants more of the last reply:
 * no timeouts, no guessing, the same dialogue on every run of an input.
 * Every wait therefore finds data or end-of-stream and returns at once. */

struct feed {
	const uint8_t *d;
	size_t n;
	size_t pos;        /* next byte to send */
	int fd;            /* the server's end; -1 before kith_conn_open */
	int first;         /* the greeting is still to be sent */
	int closed;        /* the input has run out: write side shut */
	char cmd[512];     /* the start of the command being received (NUL-ended) */
	size_t cmd_len;    /* bytes of it received so far (may exceed cmd) */
	char tail[24];     /* its last bytes, to spot a literal "{N}" */
	size_t tail_len;
	int idled;         /* kithd sent an IDLE command */
	unsigned long capability_fixes; /* see __wrap_mailimap_capability() */
};

static struct feed *cur; /* the session running now (one at a time) */
static unsigned long n_stalls; /* server writes the socket could not take */

int __real_kith_conn_open(const char *host, int port, int timeout_s,
			  struct kith_conn **out, char *err, size_t errlen);
int __wrap_kith_conn_open(const char *host, int port, int timeout_s,
			  struct kith_conn **out, char *err, size_t errlen);
ssize_t __real_kith_conn_read(struct kith_conn *c, void *buf, size_t n);
ssize_t __wrap_kith_conn_read(struct kith_conn *c, void *buf, size_t n);
int __real_kith_conn_wait_readable(struct kith_conn *c, int timeout_ms);
int __wrap_kith_conn_wait_readable(struct kith_conn *c, int timeout_ms);

/* Writes all of b or fails: the server's socket buffer is sized for the
 * largest input, so a short write means a bug in the harness (counted). */
static int send_all(int fd, const void *b, size_t len)
{
	const uint8_t *p = b;

	if (verbose)
		fprintf(stderr, "S: %.*s", (int)len, (const char *)b);
	while (len > 0) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w <= 0) {
			n_stalls++;
			return -1;
		}
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

/* Appends what kithd sent, b[0..len), to the command being received. */
static void take_bytes(struct feed *f, const char *b, size_t len)
{
	size_t k, keep;

	if (verbose)
		fprintf(stderr, "C: %.*s", (int)len, b);
	if (memmem(b, len, " IDLE\r\n", 7))
		f->idled = 1;
	if (f->cmd_len < sizeof(f->cmd) - 1) {
		k = sizeof(f->cmd) - 1 - f->cmd_len;
		k = len < k ? len : k;
		memcpy(f->cmd + f->cmd_len, b, k);
		f->cmd[f->cmd_len + k] = '\0';
	}
	f->cmd_len += len;
	if (len >= sizeof(f->tail)) {
		memcpy(f->tail, b + len - sizeof(f->tail), sizeof(f->tail));
		f->tail_len = sizeof(f->tail);
		return;
	}
	keep = f->tail_len + len > sizeof(f->tail) ? sizeof(f->tail) - len : f->tail_len;
	memmove(f->tail, f->tail + f->tail_len - keep, keep);
	memcpy(f->tail + keep, b, len);
	f->tail_len = keep + len;
}

/* Reads everything kithd has sent so far.  Returns 1 if anything came. */
static int take_command(struct feed *f)
{
	char b[4096];
	int any = 0;
	ssize_t r;

	while ((r = recv(f->fd, b, sizeof(b), MSG_DONTWAIT)) > 0) {
		take_bytes(f, b, (size_t)r);
		any = 1;
	}
	return any;
}

static void forget_command(struct feed *f)
{
	f->cmd[0] = '\0';
	f->cmd_len = 0;
	f->tail_len = 0;
}

/* kithd sent a line announcing a literal and now waits for "+". */
static int wants_continuation(const struct feed *f)
{
	return f->tail_len > 0 && f->tail[f->tail_len - 1] == '\n' &&
	       literal_len((const uint8_t *)f->tail, 0, f->tail_len - 1) >= 0;
}

static int etpan_defuse_reply(struct feed *f, const char *cmd, size_t end);

/* No more to say: kithd reads end-of-stream from now on. */
static void close_feed(struct feed *f)
{
	if (!f->closed)
		shutdown(f->fd, SHUT_WR);
	f->closed = 1;
}

/* The server's turn; kithd is about to wait on an empty socket.  A server
 * answers each command with one reply, and the defusers need to know the
 * command; when nothing new came since the last reply, the last reply ended
 * where libetpan did not expect it to (a mutated input), and the next one
 * goes out with every defuser applied (the command then is unknown). */
static void pump(struct feed *f)
{
	int fresh = take_command(f);
	size_t end;
	int sent;

	if (f->closed)
		return;
	if (f->pos >= f->n) {
		close_feed(f);
		return;
	}
	if (fresh && wants_continuation(f)) {
		if (send_all(f->fd, "+ go ahead\r\n", 12) < 0)
			close_feed(f);
		return; /* the literal and the rest of the command follow */
	}
	end = reply_end(f->d, f->n, f->pos, f->first);
	sent = f->first ? 0 : etpan_defuse_reply(f, fresh ? f->cmd : NULL, end);
	if (sent < 0 || (!sent && send_all(f->fd, f->d + f->pos, end - f->pos) < 0)) {
		close_feed(f);
		return;
	}
	f->pos = end;
	f->first = 0;
	forget_command(f);
	if (f->pos >= f->n)
		close_feed(f);
}

/* Is there something (data or end-of-stream) for kithd to read? */
static int client_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

int __wrap_kith_conn_open(const char *host, int port, int timeout_s,
			  struct kith_conn **out, char *err, size_t errlen)
{
	int sv[2], big = 1 << 20, r;

	if (!cur || cur->fd >= 0)
		return __real_kith_conn_open(host, port, timeout_s, out, err, errlen);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		r = -errno;
		snprintf(err, errlen, "socketpair: %s", strerror(-r));
		return r;
	}
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	cur->fd = sv[0];
	r = kith_conn_from_fd(sv[1], timeout_s, out); /* owns sv[1] from here */
	if (r < 0)
		snprintf(err, errlen, "kith_conn_from_fd: %s", strerror(-r));
	return r;
}

ssize_t __wrap_kith_conn_read(struct kith_conn *c, void *buf, size_t n)
{
	if (cur && cur->fd >= 0 && !client_readable(kith_conn_fd(c)))
		pump(cur);
	return __real_kith_conn_read(c, buf, n);
}

int __wrap_kith_conn_wait_readable(struct kith_conn *c, int timeout_ms)
{
	if (cur && cur->fd >= 0 && !client_readable(kith_conn_fd(c)))
		pump(cur);
	return __real_kith_conn_wait_readable(c, timeout_ms);
}

/* ---- known libetpan crashes ---- */

static unsigned long n_defused; /* inputs with a code renamed (1, 6, 7) */
static unsigned long n_caprename; /* inputs with a CAPABILITY renamed */
static unsigned long n_capfix;  /* sessions given capability data (2b) */

/* Why these helpers avoid byte loops and libc's strncasecmp: the harness
 * is compiled with the fuzzer's comparison tracing like kith's code (and
 * libFuzzer intercepts strncasecmp), so a per-byte scan of every input cost
 * a fifth of each execution.  memchr()/memrchr() are not traced. */

/* Does d[0..n) start with w (upper case), ignoring case? */
static int ci_prefix(const uint8_t *d, size_t n, const char *w)
{
	size_t j;

	for (j = 0; w[j]; j++) {
		uint8_t c = j < n ? d[j] : 0;

		if (c >= 'a' && c <= 'z')
			c = (uint8_t)(c - 32);
		if (c != (uint8_t)w[j])
			return 0;
	}
	return 1;
}

/* The first of c or its lower case at or after p in [p, end), or NULL;
 * *nu and *nl cache the next of each (NULL: none, end: not looked yet). */
static uint8_t *next_either(uint8_t *p, uint8_t *end, uint8_t c, uint8_t **nu, uint8_t **nl)
{
	uint8_t lc = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);

	if (*nu && *nu < p)
		*nu = end;
	if (*nl && *nl < p)
		*nl = end;
	if (*nu == end)
		*nu = memchr(p, c, (size_t)(end - p));
	if (*nl == end)
		*nl = lc != c ? memchr(p, lc, (size_t)(end - p)) : NULL;
	if (!*nu || (*nl && *nl < *nu))
		return *nl;
	return *nu;
}

/* Case-insensitive search for w (upper case) in d[0..n). */
static uint8_t *find_ci(uint8_t *d, size_t n, const char *w)
{
	uint8_t *p = d, *end = d + n, *nu = end, *nl = end;

	while ((p = next_either(p, end, (uint8_t)w[0], &nu, &nl)) != NULL) {
		if (ci_prefix(p, (size_t)(end - p), w))
			return p;
		p++;
	}
	return NULL;
}

/* A capability name kept as plainly readable: [A-Za-z0-9=+-._/:]+, not a
 * bare "AUTH=".  Returns its length, 0 if it is not one. */
static size_t cap_name(const uint8_t *p, size_t n)
{
	size_t k = 0;

	while (k < n && ((p[k] >= 'a' && p[k] <= 'z') || (p[k] >= 'A' && p[k] <= 'Z') ||
			 (p[k] >= '0' && p[k] <= '9') || memchr("=+-._/:", p[k], 7)))
		k++;
	return k == 5 && ci_prefix(p, k, "AUTH=") ? 0 : k;
}

/* Defuses, in place, what crashes libetpan 1.9.4 itself before kith sees
 * a result (docs/fuzzing.md has each with its stack); in kithd these kill
 * the contained child only.  Returns how many spots it changed; *caps
 * counts the CAPABILITY words renamed.
 *
 * 1: a PERMANENTFLAGS response code while no mailbox is selected (in the
 * greeting, or any reply before the first EXAMINE): libetpan stores the
 * flags into the NULL selection info (SEGV in mailimap_greeting_parse /
 * clist_foreach; in the greeting, a NULL parser context in
 * mailimap_string_parse).  Renamed to an unknown code, which libetpan skips.
 *
 * 6: a BADCHARSET response code in the greeting (the same NULL parser
 * context in mailimap_string_parse), or twice in one response:
 * libetpan's store of the second frees the new list, keeps it, and frees it
 * again with the response info (use after free, SEGV in clist_foreach
 * under mailimap_response_info_free).  kithd never searches with a
 * charset; renamed everywhere (BADCHARSEX), an unknown code.
 *
 * 7: an ALERT or PARSE response code with no text after it ("1 OK
 * [ALERT]"): libetpan stores strdup() of the NULL text (SEGV in strlen
 * under mailimap_parse_response).  kithd reads neither code: renamed
 * everywhere (ALERX, PARSX).
 *
 * 2a: a CAPABILITY list (untagged or a response code) whose first element
 * libetpan cannot read ("* CAPABILITY", "[CAPABILITY]", "[CAPABILITY
 * AUTH=]"): libetpan stores capability data with a NULL list, and the next
 * mailimap_capability() or mailimap_has_extension() (also under
 * mailimap_has_idle/has_xlist) walks it (SEGV).  Such a CAPABILITY word is
 * renamed (CAPABILITX); kept are those followed by SP and a plainly
 * readable name (cap_name()).  See also 2b, __wrap_mailimap_capability(). */
static int etpan_defuse(uint8_t *d, size_t n, int *caps)
{
	uint8_t *p = d;
	int k = 0;

	while ((p = find_ci(p, n - (size_t)(p - d), "[PERMANENTFLAGS")) != NULL) {
		p[14] = 'X';
		p += 15;
		k++;
	}
	for (p = d; (p = find_ci(p, n - (size_t)(p - d), "BADCHARSET")) != NULL; p += 10) {
		p[9] = 'X';
		k++;
	}
	for (p = d; (p = find_ci(p, n - (size_t)(p - d), "[ALERT")) != NULL; p += 6) {
		p[5] = 'X';
		k++;
	}
	for (p = d; (p = find_ci(p, n - (size_t)(p - d), "[PARSE")) != NULL; p += 6) {
		p[5] = 'X';
		k++;
	}
	*caps = 0;
	for (p = d; (p = find_ci(p, n - (size_t)(p - d), "CAPABILITY")) != NULL; p += 10) {
		size_t left = n - (size_t)(p - d) - 10;

		if (left > 1 && p[10] == ' ' && cap_name(p + 11, left - 1) > 0)
			continue;
		p[9] = 'X';
		(*caps)++;
	}
	return k + *caps;
}

/* Does the line at d[i..end) start with w (upper case; ignoring case)? */
static int line_is(const uint8_t *d, size_t i, size_t end, const char *w)
{
	return ci_prefix(d + i, end - i, w);
}

/* The start of the last line of d[from..end). */
static size_t last_line(const uint8_t *d, size_t from, size_t end)
{
	size_t i = end;
	const uint8_t *nl;

	if (i > from && d[i - 1] == '\n')
		i--;
	nl = i > from ? memrchr(d + from, '\n', i - from) : NULL;
	return nl ? (size_t)(nl - d) + 1 : from;
}

/* 2b: a CAPABILITY command answered OK while libetpan holds no capability
 * data at all (none in the greeting nor in any reply since, or none it
 * could read): mailimap_capability() copies the NULL capability data (SEGV
 * in mailimap_capability).  Why not in the byte stream: libetpan reads
 * greetings and replies more leniently than a filter can tell (a leading
 * space, a code cut short), so this target is linked with
 * -Wl,--wrap=mailimap_capability and, at that exact precondition, gives
 * libetpan the data "CAPABILITY IMAP4rev1" first; the reply then replaces
 * it as usual (2a keeps empty lists out).  libetpan owns what is stored. */
int __real_mailimap_capability(mailimap *session, struct mailimap_capability_data **result);
int __wrap_mailimap_capability(mailimap *session, struct mailimap_capability_data **result);

static void prime_capability(mailimap *session)
{
	struct mailimap_capability_data *data;
	struct mailimap_capability *cap;
	char *name = strdup("IMAP4rev1");
	clist *list;

	if (!name)
		return;
	cap = mailimap_capability_new(MAILIMAP_CAPABILITY_NAME, NULL, name);
	if (!cap) {
		free(name);
		return;
	}
	list = clist_new();
	if (!list || clist_append(list, cap) < 0) {
		mailimap_capability_free(cap); /* frees name */
		if (list)
			clist_free(list);
		return;
	}
	data = mailimap_capability_data_new(list);
	if (!data) {
		clist_foreach(list, (clist_func)mailimap_capability_free, NULL);
		clist_free(list);
		return;
	}
	session->imap_connection_info->imap_capability = data;
}

int __wrap_mailimap_capability(mailimap *session, struct mailimap_capability_data **result)
{
	if (filter && session && session->imap_connection_info &&
	    !session->imap_connection_info->imap_capability) {
		prime_capability(session);
		if (cur)
			cur->capability_fixes++;
	}
	return __real_mailimap_capability(session, result);
}

/* 3 (a leak, not a crash): STATUS data in a reply whose tagged line is not
 * OK: mailimap_status() returns MAILIMAP_ERROR_STATUS and never frees the
 * status it parsed (kith is handed nothing).  Suppressing mailimap_status
 * would also hide a kith leak of a good STATUS result, so instead the
 * fake server leaves the "* STATUS" lines out of such a reply.  Returns 1
 * when it sent the reply itself, 0 when the caller should, -1 on error. */
static int defuse_status(struct feed *f, size_t end)
{
	size_t i = last_line(f->d, f->pos, end), next, k = 0;
	const uint8_t *sp = memchr(f->d + i, ' ', end - i);
	uint8_t *out;
	int r;

	if (!sp || line_is(f->d, (size_t)(sp - f->d) + 1, end, "OK"))
		return 0;
	for (i = f->pos; i < end; i = next) {
		const uint8_t *nl = memchr(f->d + i, '\n', end - i);

		next = nl ? (size_t)(nl - f->d) + 1 : end;
		if (line_is(f->d, i, end, "* STATUS ") && memchr(f->d + i, '{', next - i))
			return 0; /* a literal inside: leave the reply alone */
	}
	/* one write: a line per write could overrun the socket's buffer */
	if (!(out = malloc(end - f->pos)))
		return -1;
	for (i = f->pos; i < end; i = next) {
		const uint8_t *nl = memchr(f->d + i, '\n', end - i);

		next = nl ? (size_t)(nl - f->d) + 1 : end;
		if (!line_is(f->d, i, end, "* STATUS ")) {
			memcpy(out + k, f->d + i, next - i);
			k += next - i;
		}
	}
	r = k ? send_all(f->fd, out, k) : 0;
	free(out);
	return r < 0 ? -1 : 1;
}

/* Applies the per-reply defusers to the reply d[pos..end) to command cmd;
 * cmd NULL (no new command: the reply goes on from the last one) applies
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
		return defuse_status(f, end);
	}
	if (sp && ci_prefix((const uint8_t *)sp + 1, strlen(sp + 1), "STATUS "))
		return defuse_status(f, end);
	return 0;
}

static void report(void)
{
	fprintf(stderr, "fuzz_imap: libetpan crash filter: %lu inputs with a response code "
		"renamed, %lu with an unreadable CAPABILITY renamed, %lu sessions given "
		"capability data\n", n_defused, n_caprename, n_capfix);
	if (n_stalls)
		fprintf(stderr, "fuzz_imap: %lu server writes did not fit the socket\n", n_stalls);
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
	return 0;
}

/* The account and request every session runs with (docs/fuzzing.md). */
static void request(struct kith_sync_request *req, struct kith_account *a, char *host)
{
	static const struct kith_folder_state known[] = {
		{ "INBOX", 1, 3, 4, 3 }, { "Sent", 7, 10, 11, 10 } };
	static char *exclude[] = { "Trash" };

	memset(a, 0, sizeof(*a));
	a->name = "fuzz";
	a->host = host;
	a->port = 143; /* never dialled: kith_conn_open is the socketpair */
	a->tls = KITH_TLS_NONE;
	a->user = "user";
	a->pass_cmd = "true";
	a->folders_exclude = exclude;
	a->n_exclude = 1;
	a->timeout_s = 1;
	memset(req, 0, sizeof(*req));
	req->account = a;
	req->secret = "secret";
	req->known = known;
	req->n_known = 2;
	req->batch_size = 2;
	req->protocol_log = 1;
	req->idle_seconds = 1; /* IDLE ends early: news, or the input runs out */
	req->wake_fd = -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char host[] = "127.0.0.1", err[256];
	struct kith_account acct;
	struct kith_sync_request req;
	struct fsink fs = { 0 };
	struct kith_sink sink = { &fs, s_folder, s_message, s_batch_end, s_unchanged, NULL };
	struct feed f = { .n = size, .fd = -1, .first = 1 };
	uint8_t *copy;
	int r, caps = 0;

	if (size > 65536 || !(copy = malloc(size ? size : 1)))
		return 0;
	memcpy(copy, data, size);
	if (filter && etpan_defuse(copy, size, &caps) > caps)
		n_defused++;
	n_caprename += caps > 0;
	f.d = copy;
	request(&req, &acct, host);
	cur = &f;
	r = kith_imap_session(&req, &sink, err, sizeof(err));
	cur = NULL;
	if (f.fd >= 0) {
		take_command(&f); /* the last commands, for f.idled */
		close(f.fd);
	}
	n_capfix += f.capability_fixes > 0;
	free(copy);
	CHECK(r <= 0 || r == KITH_SYNC_AGAIN);
	CHECK(r >= 0 || err[0] != '\0');
	/* again at once only with mail delivered or news in IDLE */
	CHECK(r != KITH_SYNC_AGAIN || fs.headers > 0 || f.idled);
	check_missing_claim(&fs, err);
	if (verbose)
		fprintf(stderr, "session: %d (%s) folders %lu headers %lu batches %lu\n", r, err,
			fs.folders, fs.headers, fs.batches);
	return 0;
}
