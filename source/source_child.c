/* source_child.c: kith_imap_session in a forked child, behind a pipe.
 *
 * Why: libetpan allocates whatever literal size a server announces and
 * has crashed on malformed greetings.  The child runs the session under an
 * address-space limit and streams each sink callback to the parent as a
 * frame: [type:1][len:4, little endian][payload].  The parent bounds frame
 * sizes, enforces an inactivity timeout and turns any death of the child
 * into -KITH_E_CRASH, so the daemon and its database never see the damage.
 */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/hdr.h"
#include "../lib/msgwire.h"

#define FRAME_MAX   (4u << 20)  /* largest payload either side accepts */
#define FD_PIPE     3           /* the child's write end, after cleanup */

enum { FR_FOLDER = 'F', FR_MESSAGE = 'M', FR_PARSED = 'P', FR_BATCH = 'B',
       FR_UNCHANGED = 'U', FR_ERROR = 'E', FR_REFUSAL = 'R' };

/* Exit statuses of the child (0 is success). */
#define EXIT_ERRNO_BASE 100  /* 100 + errno, errno < 140 */
#define EXIT_KITH_BASE  240  /* 240 + (KITH_E_* - 1000) */
#define EXIT_OTHER      250
#define EXIT_AGAIN      3    /* KITH_SYNC_AGAIN (not 1: sanitizers exit 1) */

#if defined(__SANITIZE_ADDRESS__)
#define KITH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KITH_ASAN 1
#endif
#endif

/* ---------------- child side ---------------- */

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EPIPE;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Writes one frame: fixed fields (nfix 32-bit values) then tail bytes,
 * the tail cut so the payload stays under FRAME_MAX. */
/* Why a buffer: one write per header block (two with its frame head) made
 * the pipe cost as much as the parsing.  Frames collect here and go out
 * when the buffer fills and after every frame but a message, so a batch's
 * end never waits behind its messages. */
#define OUT_CAP (256 * 1024)
static unsigned char out_buf[OUT_CAP];
static size_t out_len;

static int out_flush(void)
{
	int r = out_len ? write_all(FD_PIPE, out_buf, out_len) : 0;

	out_len = 0;
	return r < 0 ? -EPIPE : 0;
}

static int out_put(const void *p, size_t n)
{
	if (out_len + n > OUT_CAP && out_flush() < 0)
		return -EPIPE;
	if (n > OUT_CAP)
		return write_all(FD_PIPE, p, n) < 0 ? -EPIPE : 0;
	memcpy(out_buf + out_len, p, n);
	out_len += n;
	return 0;
}

static int send_frame(int type, const uint32_t *fix, size_t nfix,
		      const char *tail, size_t tlen)
{
	unsigned char head[5 + 4 * 4];
	size_t i;

	if (tlen > FRAME_MAX - 4 * nfix)
		tlen = FRAME_MAX - 4 * nfix;
	head[0] = (unsigned char)type;
	put32(head + 1, (uint32_t)(4 * nfix + tlen));
	for (i = 0; i < nfix; i++)
		put32(head + 5 + 4 * i, fix[i]);
	if (out_put(head, 5 + 4 * nfix) < 0 || (tlen && out_put(tail, tlen) < 0))
		return -EPIPE;
	return type == FR_MESSAGE || type == FR_PARSED ? 0 : out_flush();
}

static int c_folder(void *ctx, const char *folder, unsigned flags, uint32_t uidvalidity,
		    uint32_t uidnext, uint32_t messages)
{
	uint32_t fix[4] = { flags, uidvalidity, uidnext, messages };

	return send_frame(FR_FOLDER, fix, 4, folder, strlen(folder));
}

static int c_message(void *ctx, uint32_t uid, const char *hdr, size_t len)
{
	return send_frame(FR_MESSAGE, &uid, 1, hdr, len);
}

/* Why parse here: the header bytes come from the server, so their parsing
 * belongs in the contained process; it also moves that work off the
 * daemon, which stores each message while this process reads the next. */
static int c_parsed(void *ctx, uint32_t uid, const char *hdr, size_t len)
{
	static struct kith_hbuf enc; /* reused: this process parses one at a time */
	struct kith_msg m;
	int r;

	if (kith_hdr_parse(hdr, len, &m) < 0)
		return -ENOMEM;
	enc.len = 0;
	r = kith_msgwire_encode(&m, &enc);
	kith_msg_free(&m);
	if (r < 0)
		return r;
	if (enc.len > FRAME_MAX - 4)
		return -E2BIG; /* cannot happen: fields are capped far below */
	return send_frame(FR_PARSED, &uid, 1, enc.p, enc.len);
}

static int c_batch_end(void *ctx, const char *folder, uint32_t uidvalidity,
		       uint32_t last_uid, uint32_t uidnext, uint32_t messages)
{
	uint32_t fix[4] = { uidvalidity, last_uid, uidnext, messages };

	return send_frame(FR_BATCH, fix, 4, folder, strlen(folder));
}

static int c_unchanged(void *ctx, const char *folder)
{
	return send_frame(FR_UNCHANGED, NULL, 0, folder, strlen(folder));
}

static int exit_code_for(int r)
{
	if (r == 0)
		return 0;
	if (r == KITH_SYNC_AGAIN)
		return EXIT_AGAIN;
	if (r <= -1001 && r >= -1009)
		return EXIT_KITH_BASE + (-r - 1000);
	if (r < 0 && -r < 140)
		return EXIT_ERRNO_BASE + -r;
	return EXIT_OTHER;
}

/* Leaves the child only stdin/out/err and the pipe (as FD_PIPE): it must
 * not hold the daemon's database or sockets. */
static int child_fds(int wfd)
{
	if (wfd != FD_PIPE) {
		if (dup2(wfd, FD_PIPE) < 0)
			return -errno;
		close(wfd);
	}
	if (close_range(FD_PIPE + 1, ~0U, 0) < 0) {
		int fd;

		for (fd = FD_PIPE + 1; fd < 1024; fd++)
			close(fd);
	}
	return 0;
}

static void limit_memory(long mb)
{
#ifndef KITH_ASAN /* ASan reserves terabytes of shadow: it cannot run under RLIMIT_AS */
	struct rlimit rl;

	if (mb <= 0)
		return;
	rl.rlim_cur = rl.rlim_max = (rlim_t)mb << 20;
	setrlimit(RLIMIT_AS, &rl);
#else
	(void)mb;
#endif
}

static void __attribute__((noreturn))
child_main(int wfd, const struct kith_sync_request *req, long memory_limit_mb, int parse)
{
	const struct kith_sink pipe_sink = {
		.ctx = NULL, .folder = c_folder, .message = parse ? c_parsed : c_message,
		.batch_end = c_batch_end, .unchanged = c_unchanged,
	};
	struct kith_sync_request q = *req;
	struct kith_refusal refusal = { 0 };
	char err[512] = "";
	int r;

	q.refusal = &refusal;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, SIG_DFL); /* not the daemon's handlers: just die */
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (child_fds(wfd) < 0)
		_exit(EXIT_OTHER);
	limit_memory(memory_limit_mb);
	r = kith_imap_session(&q, &pipe_sink, err, sizeof err);
	if (refusal.cls != KITH_REFUSAL_NONE) {
		uint32_t fix[2] = { (uint32_t)refusal.cls, (uint32_t)refusal.hint_s };

		send_frame(FR_REFUSAL, fix, 2, refusal.text, strlen(refusal.text));
	}
	if (r < 0 && err[0])
		send_frame(FR_ERROR, NULL, 0, err, strlen(err));
	out_flush();
	_exit(exit_code_for(r));
}

/* ---------------- parent side ---------------- */

struct reader {
	int fd;
	int timeout_ms;       /* inactivity limit */
	unsigned char *buf;   /* payload, FRAME_MAX + 1 */
	char *err;
	size_t errlen;
	int timed_out;
	const struct kith_sync_request *req; /* for the wake/tick hooks */
	unsigned char in[64 * 1024];         /* bytes read ahead from the pipe */
	size_t in_pos, in_len;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until the child's pipe is readable, within the inactivity limit,
 * running the request's tick and wake hooks meanwhile.  Returns 0, or
 * -ETIMEDOUT, -EINTR (a signal, or wake asked to stop), -errno. */
static int wait_readable(struct reader *rd)
{
	const struct kith_sync_request *q = rd->req;
	int has_wake = q->wake && q->wake_fd >= 0;
	int64_t deadline = now_ms() + rd->timeout_ms;

	for (;;) {
		struct pollfd pf[2] = { { .fd = rd->fd, .events = POLLIN },
					{ .fd = q->wake_fd, .events = POLLIN } };
		int64_t left = deadline - now_ms();
		int wait = left > 0 ? (int)left : 0, pr;

		if (q->tick && q->tick_ms > 0 && wait > q->tick_ms)
			wait = q->tick_ms;
		pr = poll(pf, has_wake ? 2 : 1, wait);
		if (pr < 0) /* EINTR too: kithd's SIGTERM must end the wait */
			return -errno;
		if (pf[0].revents)
			return 0;
		if (has_wake && pf[1].revents && q->wake(q->hook_ctx))
			return -EINTR;
		if (q->tick)
			q->tick(q->hook_ctx);
		if (now_ms() >= deadline) {
			rd->timed_out = 1;
			return -ETIMEDOUT;
		}
	}
}

/* Reads exactly n bytes through the read-ahead buffer, each refill within
 * the inactivity limit.  Returns 0, 1 on clean EOF before any byte,
 * -ETIMEDOUT, -EPIPE, -errno. */
static int read_exact(struct reader *rd, unsigned char *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		size_t take = rd->in_len - rd->in_pos;
		ssize_t r;
		int w;

		if (take) {
			if (take > n - got)
				take = n - got;
			memcpy(p + got, rd->in + rd->in_pos, take);
			rd->in_pos += take;
			got += take;
			continue;
		}
		w = wait_readable(rd);
		if (w < 0)
			return w;
		r = read(rd->fd, rd->in, sizeof(rd->in));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return got == 0 ? 1 : -EPIPE;
		rd->in_pos = 0;
		rd->in_len = (size_t)r;
	}
	return 0;
}

/* A record the child parsed: decoded as hostile bytes, then stored. */
static int dispatch_parsed(struct reader *rd, const struct kith_sink *sink, uint32_t uid,
			   const unsigned char *p, size_t len)
{
	struct kith_msg m;
	int r = kith_msgwire_decode(p, len, &m);

	if (r == -EBADMSG) {
		snprintf(rd->err, rd->errlen, "IMAP child sent a malformed record");
		return -KITH_E_PROTO;
	}
	if (r < 0)
		return r;
	r = sink->parsed(sink->ctx, uid, &m);
	kith_msg_free(&m);
	return r;
}

/* What the server said when it refused, as the child read it: bounded
 * and checked again here (the child has read hostile bytes). */
static int dispatch_refusal(struct reader *rd, const unsigned char *b, size_t len)
{
	struct kith_refusal *out = rd->req->refusal;
	size_t i, n;

	if (len < 8 || get32(b) >= KITH_REFUSAL_N)
		return -KITH_E_PROTO;
	if (!out)
		return 0;
	n = len - 8;
	out->cls = (enum kith_refusal_class)get32(b);
	out->hint_s = get32(b + 4) > 86400 ? 86400 : (int)get32(b + 4);
	if (n >= sizeof out->text)
		n = sizeof out->text - 1;
	for (i = 0; i < n; i++)
		out->text[i] = b[8 + i] >= 0x20 && b[8 + i] < 0x7f ? (char)b[8 + i] : '?';
	out->text[n] = '\0';
	return 0;
}

/* Calls the real sink for one complete frame.  Payload is NUL-terminated. */
static int dispatch(struct reader *rd, const struct kith_sink *sink, int type, size_t len)
{
	const unsigned char *b = rd->buf;

	switch (type) {
	case FR_FOLDER:
		if (len < 16)
			return -KITH_E_PROTO;
		return sink->folder(sink->ctx, (const char *)b + 16, get32(b), get32(b + 4),
				    get32(b + 8), get32(b + 12));
	case FR_MESSAGE:
		if (len < 4)
			return -KITH_E_PROTO;
		return sink->message(sink->ctx, get32(b), (const char *)b + 4, len - 4);
	case FR_PARSED:
		if (len < 4 || !sink->parsed)
			return -KITH_E_PROTO;
		return dispatch_parsed(rd, sink, get32(b), b + 4, len - 4);
	case FR_BATCH:
		if (len < 16)
			return -KITH_E_PROTO;
		return sink->batch_end(sink->ctx, (const char *)b + 16, get32(b), get32(b + 4),
				       get32(b + 8), get32(b + 12));
	case FR_UNCHANGED:
		return sink->unchanged(sink->ctx, (const char *)b);
	case FR_ERROR:
		snprintf(rd->err, rd->errlen, "%s", (const char *)b);
		return 0;
	case FR_REFUSAL:
		return dispatch_refusal(rd, b, len);
	default:
		return -KITH_E_PROTO;
	}
}

/* Reads frames until the child closes the pipe.  Returns 0 at EOF, a
 * sink's negative value, or -KITH_E_PROTO / -ETIMEDOUT / -EPIPE. */
static int pump(struct reader *rd, const struct kith_sink *sink)
{
	for (;;) {
		unsigned char head[5];
		size_t len;
		int r = read_exact(rd, head, sizeof head);

		if (r == 1)
			return 0;
		if (r < 0)
			return r;
		len = get32(head + 1);
		if (len > FRAME_MAX) {
			snprintf(rd->err, rd->errlen, "IMAP child sent an oversized frame");
			return -KITH_E_PROTO;
		}
		r = read_exact(rd, rd->buf, len);
		if (r != 0)
			return r < 0 ? r : -EPIPE;
		rd->buf[len] = '\0';
		r = dispatch(rd, sink, head[0], len);
		if (r < 0)
			return r;
	}
}

/* Waits for the child, killing it if it has not exited within ~2 s. */
static int reap(pid_t pid, int kill_now)
{
	int status = 0, i;

	if (kill_now)
		kill(pid, SIGKILL);
	for (i = 0; i < 200; i++) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			return status;
		if (w < 0 && errno != EINTR)
			return -1;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* The session's result from the child's wait status. */
static int result_from_status(int status, long limit_mb, char *err, size_t errlen)
{
	int code;

	if (status == -1 || !WIFEXITED(status)) {
		if (status != -1 && WIFSIGNALED(status) && !err[0])
			snprintf(err, errlen, "IMAP child died: %s", strsignal(WTERMSIG(status)));
		return -KITH_E_CRASH;
	}
	code = WEXITSTATUS(status);
	if (code == 0)
		return 0;
	if (code == EXIT_AGAIN)
		return KITH_SYNC_AGAIN;
	if (code > EXIT_KITH_BASE && code < EXIT_OTHER)
		return -(1000 + code - EXIT_KITH_BASE);
	if (code >= EXIT_ERRNO_BASE && code < EXIT_KITH_BASE) {
		if (code - EXIT_ERRNO_BASE != ENOMEM)
			return -(code - EXIT_ERRNO_BASE);
		snprintf(err, errlen, "IMAP child ran out of memory (limit %ld MiB)", limit_mb);
		return -KITH_E_CRASH;
	}
	if (!err[0])
		snprintf(err, errlen, "IMAP child exited with status %d", code);
	return -KITH_E_CRASH;
}

static int inactivity_ms(const struct kith_sync_request *req)
{
	int t = req->account && req->account->timeout_s > 0 ? req->account->timeout_s : 60;
	long long ms = (3LL * t + 5 + (req->idle_seconds > 0 ? req->idle_seconds : 0)) * 1000;

	return ms > 24LL * 3600 * 1000 ? 24 * 3600 * 1000 : (int)ms;
}

/* Parent half: pump frames, then reap; the first failure wins. */
static int parent_main(pid_t pid, int rfd, const struct kith_sync_request *req,
		       const struct kith_sink *sink, long limit_mb, char *err, size_t errlen)
{
	struct reader rd = { .fd = rfd, .timeout_ms = inactivity_ms(req), .err = err, .req = req,
			     .errlen = errlen };
	int r, status;

	rd.buf = malloc(FRAME_MAX + 1);
	r = rd.buf ? pump(&rd, sink) : -ENOMEM;
	free(rd.buf);
	close(rfd);
	status = reap(pid, r != 0);
	if (r == 0)
		return result_from_status(status, limit_mb, err, errlen);
	if (r == -EINTR) {
		snprintf(err, errlen, "interrupted by a signal");
		return r;
	}
	if (rd.timed_out) {
		snprintf(err, errlen, "IMAP child made no progress for %d s: killed",
			 rd.timeout_ms / 1000);
		return -KITH_E_CRASH;
	}
	if (r == -EPIPE || r == -KITH_E_PROTO) {
		int c = result_from_status(status, limit_mb, err, errlen);

		return c == -KITH_E_CRASH ? c : r;
	}
	return r; /* the sink's own error */
}

int kith_imap_session_contained(const struct kith_sync_request *req,
				const struct kith_sink *sink, long memory_limit_mb,
				char *err, size_t errlen)
{
	int p[2];
	pid_t pid;

	if (errlen)
		err[0] = '\0';
	if (!req || !sink)
		return -EINVAL;
	if (req->refusal)
		*req->refusal = (struct kith_refusal){ 0 };
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	/* a deep pipe lets the child fetch and parse ahead while this process
	 * still stores what came before (best effort: the size is capped
	 * by /proc/sys/fs/pipe-max-size) */
	(void)fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
	fflush(NULL); /* nothing buffered may be written twice */
	pid = fork();
	if (pid < 0) {
		int e = -errno;

		close(p[0]);
		close(p[1]);
		return e;
	}
	if (pid == 0) {
		close(p[0]);
		child_main(p[1], req, memory_limit_mb, sink->parsed != NULL);
	}
	close(p[1]);
	return parent_main(pid, p[0], req, sink, memory_limit_mb, err, errlen);
}
