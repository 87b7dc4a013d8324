/* test_source_child: kith_imap_session_contained (source/source_child.c)
 * against a tiny scripted IMAP server forked by the test: the records that
 * cross the pipe equal those of the in-process session; a sink error stops
 * the child; a libetpan crash, a BYE and a stall each come back as the
 * right code with the child's own message; a sink that takes parsed
 * records gets them parsed by the child; what a refusing server said
 * crosses the pipe unchanged. */
#include "t.h"
#include "source.h"

#include <errno.h>
#include <stdarg.h>
#include <strings.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HDR "From: a@b.example\r\nSubject: x\r\n\r\n"

static int listen_local(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 8) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		abort();
	*port = ntohs(sa.sin_port);
	return fd;
}

/* Writes text with each "%s" replaced by tag. */
static void say(int c, const char *tag, const char *text)
{
	char buf[1024];
	size_t n = 0;

	for (; *text && n + 64 < sizeof buf; text++) {
		if (text[0] == '%' && text[1] == 's') {
			n += (size_t)snprintf(buf + n, sizeof buf - n, "%s", tag);
			text++;
		} else {
			buf[n++] = *text;
		}
	}
	if (n > 0 && write(c, buf, n) < 0)
		_exit(1);
}

static const char *g_list_reply; /* set: LIST is answered this way ("%s": the tag) */

/* Answers one command line (tag, command word) the way a small server would. */
static int answer(int c, const char *tag, const char *cmd, const char *rest)
{
	if (!strcasecmp(cmd, "LIST") && g_list_reply)
		say(c, tag, g_list_reply);
	else if (!strcasecmp(cmd, "CAPABILITY"))
		say(c, tag, "* CAPABILITY IMAP4rev1\r\n%s OK done\r\n");
	else if (!strcasecmp(cmd, "LIST"))
		say(c, tag, "* LIST () \"/\" INBOX\r\n* LIST (\\Sent) \"/\" Sent\r\n%s OK done\r\n");
	else if (!strcasecmp(cmd, "STATUS"))
		say(c, tag, !strncmp(rest, "Sent", 4)
			? "* STATUS Sent (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 9)\r\n%s OK s\r\n"
			: "* STATUS INBOX (MESSAGES 2 UIDNEXT 3 UIDVALIDITY 5)\r\n%s OK s\r\n");
	else if (!strcasecmp(cmd, "EXAMINE"))
		say(c, tag, "* 2 EXISTS\r\n* OK [UIDVALIDITY 5] v\r\n* OK [UIDNEXT 3] n\r\n"
			    "%s OK [READ-ONLY] done\r\n");
	else if (!strcasecmp(cmd, "UID") && !strncasecmp(rest, "SEARCH", 6))
		say(c, tag, "* SEARCH 1 2\r\n%s OK done\r\n");
	else if (!strcasecmp(cmd, "UID") && !strncasecmp(rest, "FETCH", 5))
		say(c, tag, "* 1 FETCH (UID 1 BODY[HEADER.FIELDS (FROM SUBJECT)] {33}\r\n" HDR ")\r\n"
			    "* 2 FETCH (UID 2 BODY[HEADER.FIELDS (FROM SUBJECT)] {33}\r\n" HDR ")\r\n"
			    "%s OK done\r\n");
	else if (!strcasecmp(cmd, "LOGOUT")) {
		say(c, tag, "* BYE\r\n%s OK bye\r\n");
		return 0;
	} else
		say(c, tag, "%s BAD what\r\n");
	return 1;
}

/* One client: greeting, then line-by-line answers until LOGOUT or EOF. */
static void serve_client(int c, const char *greeting)
{
	char line[2048];
	size_t n = 0;

	say(c, "", greeting);
	for (;;) {
		char tag[64], cmd[64], *sp;
		ssize_t r = read(c, line + n, 1);

		if (r <= 0 || n + 1 >= sizeof line)
			return;
		if (line[n++] != '\n')
			continue;
		line[n] = '\0';
		n = 0;
		if (sscanf(line, "%63s %63s", tag, cmd) != 2)
			continue;
		sp = strstr(line, cmd) + strlen(cmd);
		if (*sp == ' ')
			sp++;
		if (!answer(c, tag, cmd, sp))
			return;
	}
}

static pid_t server(int lfd, const char *greeting)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;) {
			int c = accept(lfd, NULL, NULL);

			if (c < 0)
				_exit(0);
			serve_client(c, greeting);
			close(c);
		}
	}
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* A sink that writes every call into a text log. */
struct rec {
	char log[4096];
	size_t len;
	int fail_message; /* return -ECANCELED from message() */
};

static void add(struct rec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct rec *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(r->log + r->len, sizeof r->log - r->len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof r->log - r->len)
		r->len += (size_t)n;
}

static int s_folder(void *ctx, const char *f, unsigned fl, uint32_t v, uint32_t nx, uint32_t m)
{
	add(ctx, "folder %s %u %u %u %u\n", f, fl, v, nx, m);
	return 0;
}

static int s_message(void *ctx, uint32_t uid, const char *h, size_t len)
{
	struct rec *r = ctx;

	add(r, "message %u %zu %s\n", uid, len, len == strlen(HDR) && !memcmp(h, HDR, len) ? "same" : "DIFF");
	return r->fail_message ? -ECANCELED : 0;
}

/* The parsed path: the child parsed HDR; log what came across. */
static int s_parsed(void *ctx, uint32_t uid, const struct kith_msg *m)
{
	struct rec *r = ctx;

	add(r, "parsed %u from=%s subject=%s rcpt=%d id=%lld\n", uid,
	    m->from.addr ? m->from.addr : "-", m->subject ? m->subject : "-",
	    m->n_to + m->n_cc, (long long)m->id);
	return r->fail_message ? -ECANCELED : 0;
}

static int s_batch(void *ctx, const char *f, uint32_t v, uint32_t last, uint32_t nx, uint32_t m)
{
	add(ctx, "batch %s %u %u %u %u\n", f, v, last, nx, m);
	return 0;
}

static int s_unchanged(void *ctx, const char *f)
{
	add(ctx, "unchanged %s\n", f);
	return 0;
}

static int g_timeout = 2; /* the account's timeout_s */
static int g_parsed;       /* give the sink a parsed() callback */
static struct kith_refusal *g_refusal; /* the request's refusal out, if any */

static int run(int port, int contained, struct rec *r, const struct kith_folder_state *known,
	       size_t n_known, char *err, size_t errlen)
{
	struct kith_account a = { .name = "t", .host = "127.0.0.1", .port = port,
				  .tls = KITH_TLS_NONE, .user = "u", .timeout_s = g_timeout };
	struct kith_sync_request req = { .account = &a, .secret = "pw", .known = known,
					 .n_known = n_known, .batch_size = 1, .refusal = g_refusal };
	struct kith_sink sink = { r, s_folder, s_message, s_batch, s_unchanged,
				  g_parsed ? s_parsed : NULL };

	if (contained)
		return kith_imap_session_contained(&req, &sink, 256, err, errlen);
	return kith_imap_session(&req, &sink, err, errlen);
}

static void test_same_records(void)
{
	static struct rec a, b;
	struct kith_folder_state known[] = { { "Sent", 9, 0, 1, 0 } };
	char err[512];
	int port, lfd = listen_local(&port);
	pid_t pid = server(lfd, "* PREAUTH welcome\r\n");

	CHECK_INT(run(port, 0, &a, known, 1, err, sizeof err), 0);
	CHECK_INT(run(port, 1, &b, known, 1, err, sizeof err), 0);
	CHECK_STR(b.log, a.log);
	CHECK_STR(a.log, "folder INBOX 0 5 3 2\n"
			 /* STATUS figures only with the last batch: an interrupted
			  * sync must not look complete to the next poll */
			 "message 1 33 same\nbatch INBOX 5 1 0 0\n"
			 "message 2 33 same\nbatch INBOX 5 2 3 2\n"
			 "unchanged Sent\n");
	stop(pid);
	close(lfd);
}

/* With parsed(): the contained session parses in the child and the sink
 * gets records, never raw bytes; in process, raw bytes as before. */
static void test_parsed(void)
{
	static struct rec a, b, c;
	struct kith_folder_state known[] = { { "Sent", 9, 0, 1, 0 } };
	char err[512];
	int port, lfd = listen_local(&port);
	pid_t pid = server(lfd, "* PREAUTH welcome\r\n");

	g_parsed = 1;
	CHECK_INT(run(port, 1, &a, known, 1, err, sizeof err), 0);
	CHECK_STR(a.log, "folder INBOX 0 5 3 2\n"
			 "parsed 1 from=a@b.example subject=x rcpt=0 id=0\nbatch INBOX 5 1 0 0\n"
			 "parsed 2 from=a@b.example subject=x rcpt=0 id=0\nbatch INBOX 5 2 3 2\n"
			 "unchanged Sent\n");
	CHECK_INT(run(port, 0, &b, known, 1, err, sizeof err), 0);
	CHECK(strstr(b.log, "message 1 33 same\n") != NULL);
	CHECK(strstr(b.log, "parsed") == NULL);
	c.fail_message = 1; /* a sink error stops the child here too */
	CHECK_INT(run(port, 1, &c, NULL, 0, err, sizeof err), -ECANCELED);
	CHECK(strstr(c.log, "parsed 1 ") != NULL && strstr(c.log, "parsed 2 ") == NULL);
	g_parsed = 0;
	stop(pid);
	close(lfd);
}

static void test_sink_error(void)
{
	static struct rec r = { .fail_message = 1 };
	char err[512];
	int port, lfd = listen_local(&port);
	pid_t pid = server(lfd, "* PREAUTH welcome\r\n");

	CHECK_INT(run(port, 1, &r, NULL, 0, err, sizeof err), -ECANCELED);
	CHECK(strstr(r.log, "message 1 ") != NULL);
	CHECK(strstr(r.log, "message 2 ") == NULL); /* stopped at the first */
	CHECK(strstr(r.log, "batch") == NULL);
	stop(pid);
	close(lfd);
}

static void test_faults(void)
{
	static struct rec r;
	char err[512];
	int port, lfd = listen_local(&port);
	pid_t pid = server(lfd, "* OK [PERMANENTFLAGS (] x\r\n");

	CHECK_INT(run(port, 1, &r, NULL, 0, err, sizeof err), -KITH_E_CRASH);
	CHECK(strstr(err, "IMAP child") != NULL);
	stop(pid);
	pid = server(lfd, "* BYE go away\r\n");
	CHECK_INT(run(port, 1, &r, NULL, 0, err, sizeof err), -KITH_E_PROTO);
	CHECK(strstr(err, "BYE") != NULL); /* the child's message crossed the pipe */
	stop(pid);
	pid = server(lfd, ""); /* accepts, never greets */
	CHECK_INT(run(port, 1, &r, NULL, 0, err, sizeof err), -ETIMEDOUT);
	CHECK(strstr(err, "in time") != NULL);
	stop(pid);
	CHECK_INT(r.len, 0);
	close(lfd);
}

/* What a refusing server said crosses the pipe as the in-process session
 * read it: class, named wait, words.  (A refusal in LIST: libetpan leaks a
 * BYE greeting it refuses, which only the contained child may do.) */
static void test_refusal(void)
{
	static struct rec r;
	struct kith_refusal in = { 0 }, out = { 0 };
	char err[512];
	int port, lfd = listen_local(&port);
	pid_t pid;

	g_list_reply = "%s NO [UNAVAILABLE] Too many connections, try again in 3 minutes\r\n";
	pid = server(lfd, "* PREAUTH welcome\r\n");
	g_list_reply = NULL;

	g_refusal = &in;
	CHECK_INT(run(port, 0, &r, NULL, 0, err, sizeof err), -KITH_E_BUSY);
	g_refusal = &out;
	out.cls = KITH_REFUSAL_AUTH; /* cleared by the session */
	CHECK_INT(run(port, 1, &r, NULL, 0, err, sizeof err), -KITH_E_BUSY);
	CHECK_INT(out.cls, KITH_REFUSAL_THROTTLE);
	CHECK_INT(out.hint_s, 180);
	CHECK_STR(out.text, "[UNAVAILABLE] Too many connections, try again in 3 minutes");
	CHECK_INT(in.cls, out.cls);
	CHECK_INT(in.hint_s, out.hint_s);
	CHECK_STR(in.text, out.text);
	CHECK(strstr(err, "asked to wait") != NULL);
	stop(pid);
	pid = server(lfd, "* BYE [LIMIT] no more\r\n");
	CHECK_INT(run(port, 1, &r, NULL, 0, err, sizeof err), -KITH_E_BUSY);
	CHECK_INT(out.cls, KITH_REFUSAL_THROTTLE);
	CHECK_STR(out.text, "[LIMIT] no more");
	stop(pid);
	pid = server(lfd, "* PREAUTH welcome\r\n"); /* a good session leaves it empty */
	out.cls = KITH_REFUSAL_AUTH;
	CHECK_INT(run(port, 1, &r, NULL, 0, err, sizeof err), 0);
	CHECK_INT(out.cls, KITH_REFUSAL_NONE);
	g_refusal = NULL;
	stop(pid);
	close(lfd);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* kithd's handlers have no SA_RESTART: a signal must end the wait at once
 * (not after the 30 s read timeout), kill the child and say -EINTR.  The
 * signal comes after 1 s; the bound, 20 s, only tells it from the timeout. */
static void test_signal(void)
{
	static struct rec r;
	struct sigaction sa = { .sa_handler = on_alarm };
	struct timespec t0, t1;
	char err[512];
	int port, lfd = listen_local(&port);
	pid_t pid = server(lfd, ""); /* never greets */

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	g_timeout = 30;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	alarm(1);
	CHECK_INT(run(port, 1, &r, NULL, 0, err, sizeof err), -EINTR);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(t1.tv_sec - t0.tv_sec < 20);
	alarm(0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	alarm(1);
	CHECK_INT(run(port, 0, &r, NULL, 0, err, sizeof err), -EINTR);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(t1.tv_sec - t0.tv_sec < 20);
	alarm(0);
	g_timeout = 2;
	stop(pid);
	close(lfd);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_same_records();
	test_parsed();
	test_sink_error();
	test_faults();
	test_refusal();
	test_signal();
	return T_DONE();
}
