/* test_imap_fetch.c: the FETCH reply reader (source/imap_fetch.c) over
 * server bytes held in memory: the shapes real servers send, then every
 * fault it must turn into an error instead of a hang, a crash or a guess. */
#include "t.h"
#include "imap_fetch.h"

#include <errno.h>
#include <stdlib.h>

struct mem {
	const char *s;
	size_t len, off;
};

/* A line up to LF (a CR before it dropped); at the end of the input -EIO,
 * as kithd's stream reports end-of-file. */
static int mem_line(void *ctx, const char **line, size_t *len)
{
	struct mem *m = ctx;
	const char *nl;
	size_t n;

	if (m->off >= m->len)
		return -EIO;
	nl = memchr(m->s + m->off, '\n', m->len - m->off);
	if (!nl)
		return -EIO;
	*line = m->s + m->off;
	n = (size_t)(nl - *line);
	m->off += n + 1;
	*len = n > 0 && (*line)[n - 1] == '\r' ? n - 1 : n;
	return 0;
}

static int mem_read(void *ctx, char *dst, size_t n)
{
	struct mem *m = ctx;

	if (m->len - m->off < n)
		return -EIO;
	memcpy(dst, m->s + m->off, n);
	m->off += n;
	return 0;
}

#define MAXGOT 8
struct got {
	int n;
	uint32_t uid[MAXGOT];
	char hdr[MAXGOT][64];
	size_t len[MAXGOT];
	int fail_at;      /* return -ECANCELED at this call (1-based), 0 never */
};

static int on_msg(void *ctx, uint32_t uid, const char *hdr, size_t len)
{
	struct got *g = ctx;

	if (++g->n == g->fail_at)
		return -ECANCELED;
	if (g->n <= MAXGOT) {
		g->uid[g->n - 1] = uid;
		g->len[g->n - 1] = len;
		snprintf(g->hdr[g->n - 1], sizeof g->hdr[0], "%.*s", (int)(len < 63 ? len : 63), hdr);
	}
	return 0;
}

static int run_len(const char *s, size_t len, struct got *g, struct kith_fetch_result *res)
{
	struct mem m = { s, len, 0 };
	struct kith_fetch_io io = { mem_line, mem_read, &m };

	return kith_fetch_read(&io, "K7", on_msg, g, res);
}

static int run(const char *s, struct got *g, struct kith_fetch_result *res)
{
	return run_len(s, strlen(s), g, res);
}

#define SEC "BODY[HEADER.FIELDS (FROM SUBJECT)]"

/* The i-th delivered message had this UID and these header bytes. */
#define CHECK_MSG(g, i, u, h) do { CHECK_INT((g).uid[i], u); CHECK_STR((g).hdr[i], h); \
	CHECK_INT((g).len[i], strlen(h)); } while (0)

static void test_dovecot_shape(void)
{
	struct got g = { 0 };
	struct kith_fetch_result res;
	int rc = run("* 1 FETCH (UID 10 " SEC " {13}\r\nFrom: a@b\r\n\r\n)\r\n"
		     "* 2 FETCH (UID 12 " SEC " {11}\r\nSubject: x\n)\r\n"
		     "K7 OK Fetch completed (0.001 + 0.000 secs).\r\n", &g, &res);

	CHECK_INT(rc, 0);
	CHECK_INT(res.status, KITH_FETCH_OK);
	CHECK_STR(res.text, "Fetch completed (0.001 + 0.000 secs).");
	CHECK_INT(res.replies, 2);
	CHECK_INT(g.n, 2);
	CHECK_MSG(g, 0, 10, "From: a@b\r\n\r\n");
	CHECK_MSG(g, 1, 12, "Subject: x\n");
}

/* Items in another order, items not asked for, lower case, a quoted
 * section, NIL, bare LF line ends, untagged lines between replies. */
static void test_other_shapes(void)
{
	struct got g = { 0 };
	struct kith_fetch_result res;
	int rc = run("* 3 EXISTS\r\n"
		     "* 1 FETCH (FLAGS (\\Seen $Junk) " SEC " {4}\r\nA: b MODSEQ (12345) UID 5)\r\n"
		     "* 2 fetch (body[header.fields (from)] \"Q: \\\"x\\\"\" uid 6)\n"
		     "* OK [HIGHESTMODSEQ 9] still here\r\n"
		     "* OK [ALERT] hello {user}\r\n"
		     "* OK [ALERT] {}\r\n"
		     "* 2 RECENT {4}\r\n)K7 \r\n"
		     "* 3 FETCH (UID 7 BODY[HEADER.FIELDS (FROM)]<0> NIL)\r\n"
		     "* 1 EXPUNGE\r\n"
		     "* 4 FETCH (FLAGS ())\r\n"
		     "* 5 FETCH (UID 9 ENVELOPE (\"d\" {3}\r\nx() NIL ((NIL NIL \"a\" \"b\"))) "
		     SEC " {2}\r\nZ\n)\r\n"
		     "K7 OK done\r\n", &g, &res);

	CHECK_INT(rc, 0);
	CHECK_INT(res.replies, 5);
	CHECK_INT(g.n, 4);
	CHECK_MSG(g, 0, 5, "A: b");
	CHECK_MSG(g, 1, 6, "Q: \"x\"");
	CHECK_MSG(g, 2, 7, "");
	CHECK_MSG(g, 3, 9, "Z\n");
}

static void test_tagged_no(void)
{
	struct got g = { 0 };
	struct kith_fetch_result res;
	int rc = run("* 1 FETCH (UID 1 " SEC " {3}\r\nA:b)\r\n"
		     "K7 NO Some messages could not be FETCHed\r\n", &g, &res);

	CHECK_INT(rc, 0);
	CHECK_INT(res.status, KITH_FETCH_NO);
	CHECK_STR(res.text, "Some messages could not be FETCHed");
	CHECK_INT(g.n, 1);
	rc = run("K7 BAD Error in IMAP command\r\n", &g, &res);
	CHECK_INT(rc, 0);
	CHECK_INT(res.status, KITH_FETCH_BAD);
}

static void check_error(const char *what, const char *s, int want)
{
	struct got g = { 0 };
	struct kith_fetch_result res;
	int rc = run(s, &g, &res);

	if (rc != want)
		fprintf(stderr, "case %s: got %d (%s)\n", what, rc, res.text);
	CHECK_INT(rc, want);
	CHECK(res.text[0] != '\0');
}

static void test_faults(void)
{
	check_error("BYE", "* BYE shutting down\r\n", -EPROTO);
	check_error("continuation", "+ go ahead\r\n", -EPROTO);
	check_error("other tag", "A1 OK done\r\n", -EPROTO);
	check_error("bad status", "K7 MAYBE\r\n", -EPROTO);
	check_error("fakeimap malformed",
		    "* 1 FETCH (UID 1 " SEC " {12}\r\nshort)\r\n* 2 FETCH (UID ((( \"\r\n"
		    "K7 OK FETCH done\r\n", -EPROTO);
	check_error("eof mid literal", "* 1 FETCH (UID 1 " SEC " {4000}\r\nXXXX", -EIO);
	check_error("eof mid line", "* 1 FETCH (UID 1 ", -EIO);
	check_error("eof before tag", "* 1 FETCH (UID 1 " SEC " {1}\r\nX)\r\n", -EIO);
	check_error("huge literal", "* 1 FETCH (UID 1 " SEC " {999999999999}\r\nFrom: x\r\n",
		    -EMSGSIZE);
	check_error("literal mid line", "* 1 FETCH (UID 1 " SEC " {1} x\r\n", -EPROTO);
	check_error("uid 0", "* 1 FETCH (UID 0 " SEC " {1}\r\nX)\r\nK7 OK\r\n", -EPROTO);
	check_error("uid too large", "* 1 FETCH (UID 4294967296)\r\nK7 OK\r\n", -EMSGSIZE);
	check_error("data after reply", "* 1 FETCH (UID 1) x\r\nK7 OK\r\n", -EPROTO);
	check_error("unclosed quote", "* 1 FETCH (UID 1 " SEC " \"abc)\r\nK7 OK\r\n", -EPROTO);
	check_error("no space", "* 1 FETCH (UID 1" SEC " {1}\r\nX)\r\nK7 OK\r\n", -EPROTO);
	check_error("empty item", "* 1 FETCH ( UID 1)\r\nK7 OK\r\n", -EPROTO);
	check_error("unclosed section", "* 1 FETCH (BODY[HEADER {1}\r\nX)\r\nK7 OK\r\n", -EPROTO);
}

static void test_deep_nesting(void)
{
	char s[400];
	size_t k = (size_t)snprintf(s, sizeof s, "* 1 FETCH (X ");

	while (k < 300)
		s[k++] = '(';
	snprintf(s + k, sizeof s - k, "\r\nK7 OK\r\n");
	check_error("nesting", s, -EPROTO);
}

static void test_callback_stops(void)
{
	struct got g = { .fail_at = 2 };
	struct kith_fetch_result res;
	int rc = run("* 1 FETCH (UID 1 " SEC " {1}\r\nA)\r\n* 2 FETCH (UID 2 " SEC " {1}\r\nB)\r\n"
		     "* 3 FETCH (UID 3 " SEC " {1}\r\nC)\r\nK7 OK\r\n", &g, &res);

	CHECK_INT(rc, -ECANCELED);
	CHECK_INT(g.n, 2);
}

/* A header section over KITH_FETCH_KEEP_MAX: its start is delivered, the
 * rest read and dropped, and the reply after it still parsed. */
static void test_cut(void)
{
	size_t big = KITH_FETCH_KEEP_MAX + 5000, k;
	char *s = malloc(big + 200);
	struct got g = { 0 };
	struct kith_fetch_result res;

	if (!s) {
		CHECK(0);
		return;
	}
	k = (size_t)sprintf(s, "* 1 FETCH (UID 1 " SEC " {%zu}\r\n", big);
	memset(s + k, 'h', big);
	k += big;
	k += (size_t)sprintf(s + k, ")\r\n* 2 FETCH (UID 2 " SEC " {1}\r\nB)\r\nK7 OK\r\n");
	CHECK_INT(run_len(s, k, &g, &res), 0);
	CHECK_INT(g.n, 2);
	CHECK_INT(g.len[0], KITH_FETCH_KEEP_MAX);
	CHECK_INT(res.cut, 1);
	CHECK_INT(g.uid[1], 2);
	CHECK_STR(g.hdr[1], "B");
	free(s);
}

/* Random damage to a good transcript: never a crash (the sanitizer build
 * runs this too), always an answer, never more bytes than were sent. */
static void test_corruption(void)
{
	static const char good[] =
		"* 3 EXISTS\r\n* 1 FETCH (UID 10 " SEC " {13}\r\nFrom: a@b\r\n\r\n)\r\n"
		"* 2 FETCH (FLAGS (\\Seen) UID 12 " SEC " \"S: x\")\r\n"
		"* 3 FETCH (UID 13 ENVELOPE ((\"a\" {2}\r\nxy))" " " SEC " NIL)\r\nK7 OK done\r\n";
	char s[sizeof good];
	unsigned seed = 12345, ok = 0, bad = 0;

	for (int i = 0; i < 20000; i++) {
		struct got g = { 0 };
		struct kith_fetch_result res;
		int rc, flips = 1 + (int)(rand_r(&seed) % 4);
		size_t len = sizeof good - 1;

		memcpy(s, good, sizeof good);
		while (flips--)
			s[rand_r(&seed) % len] = (char)(rand_r(&seed) % 256);
		if (rand_r(&seed) % 4 == 0)
			len = rand_r(&seed) % len;
		rc = run_len(s, len, &g, &res);
		rc == 0 ? ok++ : bad++;
		for (int j = 0; j < g.n && j < MAXGOT; j++)
			CHECK(g.len[j] <= len);
	}
	CHECK(ok > 0);
	CHECK(bad > 0);
}

int main(void)
{
	test_dovecot_shape();
	test_other_shapes();
	test_tagged_no();
	test_faults();
	test_deep_nesting();
	test_callback_stops();
	test_cut();
	test_corruption();
	return T_DONE();
}
