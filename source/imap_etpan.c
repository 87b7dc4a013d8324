/* imap_etpan.c: the IMAP source over libetpan (the only file that uses it).
 *
 * libetpan parses IMAP; it does not get to touch the network.  The socket
 * and TLS come from tls_gnutls.c (verified before any credential is sent)
 * and reach libetpan through a custom mailstream_low driver whose read
 * turns end-of-stream and timeouts into errors.  Only read-only commands
 * are issued: STATUS, EXAMINE, UID SEARCH, UID FETCH BODY.PEEK[HEADER.FIELDS].
 * The replies to that FETCH, nearly all the bytes of a sync, are read by
 * imap_fetch.c over this session's stream (why: imap_fetch.h).
 */
#include "source.h"
#include "source_folders.h"
#include "tls_gnutls.h"
#include "../daemon/log.h"
#include "hdr.h"
#include "imap_fetch.h"

#include <errno.h>
#include <libetpan/libetpan.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct sess {
	const struct kith_sync_request *req;
	const struct kith_account *acct;
	const struct kith_sink *sink;
	mailimap *imap;
	struct kith_conn *conn;    /* owned by imap's stream once attached */
	int attached;              /* conn handed to libetpan (which may close it) */
	char *fetch_items;         /* owned: "(UID BODY.PEEK[HEADER.FIELDS (...)])" */
	unsigned fetch_tag;        /* numbers kithd's own FETCH tags */
	char *line;                /* owned: the FETCH reader's current line */
	size_t line_cap;
	int redact;                /* protocol log: hide what is sent now */
	int last_etpan;            /* libetpan code of the last failure */
	unsigned folders_refused;  /* folders the server refused this session */
	unsigned long delivered;   /* messages handed to the sink this session */
	unsigned long long sent;   /* bytes libetpan has sent (counted by proto_logger) */
	char rx[1024];             /* the last bytes received: the line that ended a
				      session is read from here (refusal_line) */
	size_t rx_len;
	char tag[16];              /* the tag of the last command sent */
	int at_login;              /* LOGIN or AUTHENTICATE is under way */
	struct kith_refusal refusal;
	char *err;
	size_t errlen;
};

/* ---- the mailstream_low driver over a kith_conn ---- */

static ssize_t low_read(mailstream_low *s, void *buf, size_t n)
{
	return s->data ? kith_conn_read(s->data, buf, n) : -1;
}

static ssize_t low_write(mailstream_low *s, const void *buf, size_t n)
{
	return s->data ? kith_conn_write(s->data, buf, n) : -1;
}

static int low_close(mailstream_low *s)
{
	kith_conn_close(s->data);
	s->data = NULL;
	return 0;
}

static int low_get_fd(mailstream_low *s)
{
	return s->data ? kith_conn_fd(s->data) : -1;
}

static void low_free(mailstream_low *s)
{
	kith_conn_close(s->data);
	free(s);
}

static void low_cancel(mailstream_low *s)
{
}

static mailstream_low_driver kith_low_driver = {
	.mailstream_read = low_read,
	.mailstream_write = low_write,
	.mailstream_close = low_close,
	.mailstream_get_fd = low_get_fd,
	.mailstream_free = low_free,
	.mailstream_cancel = low_cancel,
};

/* ---- errors ---- */

const char *kith_source_strerror(int err)
{
	switch (-err) {
	case 0: return "success";
	case KITH_E_TLS: return "TLS or certificate failure";
	case KITH_E_AUTH: return "login refused";
	case KITH_E_NOTLS: return "server offers no STARTTLS (refusing plaintext)";
	case KITH_E_PROTO: return "malformed or unexpected server reply";
	case KITH_E_CRASH: return "IMAP child process died";
	case KITH_E_BUSY: return "the server asked to wait";
	default:
		if (err == KITH_SYNC_AGAIN)
			return "success, more to do";
		return err < 0 ? strerror(-err) : "unknown error";
	}
}

/* Copies the server's last response text into buf, printable ASCII only. */
static void server_text(struct sess *s, char *buf, size_t len)
{
	const char *t = s->imap ? s->imap->imap_response : NULL;
	size_t i = 0;

	for (; t && *t && i + 1 < len; t++)
		buf[i++] = (*t >= 0x20 && *t < 0x7f) ? *t : '?';
	buf[i] = '\0';
}

/* The connection, if still open: libetpan closes the stream (and so the
 * connection) itself on LOGOUT and some fatal replies. */
static struct kith_conn *live_conn(const struct sess *s)
{
	if (s->attached && (!s->imap || !s->imap->imap_stream))
		return NULL;
	return s->conn;
}

/* Turns a libetpan result into a kith code with a message naming `what`. */
static int etpan_fail(struct sess *s, int r, const char *what)
{
	char txt[200];
	int code = -KITH_E_PROTO;

	s->last_etpan = r;
	server_text(s, txt, sizeof txt);
	if (r == MAILIMAP_ERROR_STREAM && live_conn(s) && kith_conn_error(s->conn)) {
		code = kith_conn_error(s->conn);
		snprintf(s->err, s->errlen, "%s: %s", what, kith_conn_error_text(s->conn));
		return code;
	}
	if (r == MAILIMAP_ERROR_MEMORY)
		code = -ENOMEM;
	else if (r == MAILIMAP_ERROR_LOGIN || r == MAILIMAP_ERROR_SASL)
		code = -KITH_E_AUTH;
	else if (r == MAILIMAP_ERROR_STREAM)
		code = -EIO;
	if (r == MAILIMAP_ERROR_PARSE)
		snprintf(s->err, s->errlen, "%s: malformed server reply", what);
	else if (r == MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION)
		snprintf(s->err, s->errlen, "%s: server refused the connection (BYE)", what);
	else
		snprintf(s->err, s->errlen, "%s failed (libetpan %d)%s%s", what, r,
			 txt[0] ? ": " : "", txt);
	return code;
}

/* The status line that ended what was under way, from the last bytes
 * received, read into s->refusal.  Only a line with the tag of the last
 * command or an untagged BYE counts (a line of a header section does not);
 * a line cut at the front of the buffer does not either. */
static enum kith_refusal_class read_refusal(struct sess *s)
{
	const char *b = s->rx, *e = s->rx + s->rx_len, *l;
	size_t tl = strlen(s->tag);

	s->refusal = (struct kith_refusal){ 0 };
	while (e > b && (e[-1] == '\n' || e[-1] == '\r'))
		e--;
	for (l = e; l > b && l[-1] != '\n'; l--)
		;
	if (l == b && s->rx_len == sizeof s->rx)
		return KITH_REFUSAL_NONE;
	if (!(e - l >= 2 && l[0] == '*' && l[1] == ' ') &&
	    !(tl && (size_t)(e - l) > tl && memcmp(l, s->tag, tl) == 0 && l[tl] == ' '))
		return KITH_REFUSAL_NONE;
	return kith_refusal_classify(l, (size_t)(e - l), s->at_login, &s->refusal);
}

/* Adds the server's words to the session error unless they are in it. */
static void add_server_words(struct sess *s)
{
	size_t k = strlen(s->err);

	if (s->refusal.text[0] && !strstr(s->err, s->refusal.text) && k + 1 < s->errlen)
		snprintf(s->err + k, s->errlen - k, "%sthe server said \"%s\"", k ? "; " : "",
			 s->refusal.text);
}

/* Why: a server that throttles, or refuses the login, says so in the
 * status line that ended the session, and the daemon's wait depends on
 * what it said (lib/refusal.c).  Failures of our own making (TLS, memory,
 * a signal) are left as they are. */
static int refine_result(struct sess *s, int r)
{
	if (r >= 0 || r == -KITH_E_TLS || r == -KITH_E_NOTLS || r == -ENOMEM || r == -EINTR)
		return r;
	switch (read_refusal(s)) {
	case KITH_REFUSAL_THROTTLE:
		snprintf(s->err, s->errlen, "the server asked to wait: \"%s\"", s->refusal.text);
		return -KITH_E_BUSY;
	case KITH_REFUSAL_QUOTA:
		snprintf(s->err, s->errlen, "the server says the account is over a quota: \"%s\"",
			 s->refusal.text);
		return -KITH_E_BUSY;
	case KITH_REFUSAL_AUTH:
		add_server_words(s);
		return -KITH_E_AUTH;
	case KITH_REFUSAL_BYE:
		add_server_words(s);
		return r;
	default:
		return r;
	}
}

/* ---- protocol log (never secrets) ---- */

static int has_word(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w), i;

	for (i = 0; i + wl <= n; i++)
		if (strncasecmp(s + i, w, wl) == 0)
			return 1;
	return 0;
}

/* Counts what is sent (to tell a SASL failure before any byte left from
 * one the server answered) and, with the protocol log on, logs the
 * dialogue.  Why the redaction: libetpan marks the LOGIN password
 * "private" but not every SASL exchange, so once LOGIN/AUTHENTICATE is
 * sent, everything we send is hidden until the server's tagged answer. */
static void keep_received(struct sess *s, const char *str, size_t size)
{
	size_t cap = sizeof s->rx;

	if (size >= cap) {
		memcpy(s->rx, str + size - cap, cap);
		s->rx_len = cap;
		return;
	}
	if (s->rx_len + size > cap) {
		size_t drop = s->rx_len + size - cap;

		memmove(s->rx, s->rx + drop, s->rx_len - drop);
		s->rx_len -= drop;
	}
	memcpy(s->rx + s->rx_len, str, size);
	s->rx_len += size;
}

static int is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The tag a command line starts with ("12 LOGIN ...", "K3 UID FETCH ..."):
 * only a status line with this tag (or a BYE) can have ended the session.
 * Read from private chunks too (libetpan sends the whole LOGIN line as
 * one): only the letters and digits before the first space are kept, and
 * a password is never the first word of a line. */
static void keep_tag(struct sess *s, const char *str, size_t size)
{
	size_t n = 0;

	while (n < size && n + 1 < sizeof s->tag && is_alnum(str[n]))
		n++;
	if (n == 0 || n >= size || str[n] != ' ')
		return;
	memcpy(s->tag, str, n);
	s->tag[n] = '\0';
}

static void proto_logger(mailimap *imap, int type, const char *str, size_t size, void *ctx)
{
	struct sess *s = ctx;
	int len;

	if (type == MAILSTREAM_LOG_TYPE_DATA_SENT || type == MAILSTREAM_LOG_TYPE_DATA_SENT_PRIVATE)
		s->sent += size;
	if (str && (type == MAILSTREAM_LOG_TYPE_DATA_SENT ||
		    type == MAILSTREAM_LOG_TYPE_DATA_SENT_PRIVATE))
		keep_tag(s, str, size);
	if (str && type == MAILSTREAM_LOG_TYPE_DATA_RECEIVED)
		keep_received(s, str, size);
	if (!str || !s->req->protocol_log || type == MAILSTREAM_LOG_TYPE_DATA_SENT_PRIVATE)
		return;
	while (size > 0 && (str[size - 1] == '\n' || str[size - 1] == '\r'))
		size--;
	len = size > 300 ? 300 : (int)size;
	if (type == MAILSTREAM_LOG_TYPE_DATA_SENT) {
		if (has_word(str, size, " LOGIN ") || has_word(str, size, " AUTHENTICATE "))
			s->redact = 1;
		if (s->redact) {
			log_info("imap C: <%zu bytes of credentials hidden>", size);
			return;
		}
		log_info("imap C: %.*s", len, str);
	} else if (type == MAILSTREAM_LOG_TYPE_DATA_RECEIVED) {
		if (size > 0 && str[0] != '*' && str[0] != '+')
			s->redact = 0;
		log_info("imap S: %.*s", len, str);
	}
}

/* ---- connecting ---- */

/* Hands the connection to libetpan and reads the greeting. */
static int attach_stream(struct sess *s)
{
	mailstream_low *low;
	mailstream *st;
	int r;

	low = mailstream_low_new(s->conn, &kith_low_driver);
	if (!low)
		return -ENOMEM;
	st = mailstream_new(low, 8192);
	if (!st) {
		low->data = NULL;
		low_free(low);
		return -ENOMEM;
	}
	r = mailimap_connect(s->imap, st);
	if (!s->imap->imap_stream) /* libetpan did not keep it */
		mailstream_close(st);
	s->attached = 1;
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED && r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED)
		return etpan_fail(s, r, "reading the greeting");
	if (r == MAILIMAP_NO_ERROR_AUTHENTICATED && s->acct->tls == KITH_TLS_STARTTLS) {
		snprintf(s->err, s->errlen, "server sent PREAUTH before STARTTLS: refusing");
		return -KITH_E_TLS;
	}
	return 0;
}

/* Why: libetpan keeps a NULL list for an empty CAPABILITY ("* CAPABILITY",
 * "[CAPABILITY]"), and its has_* helpers crash walking it (found by
 * fuzzing).  0 when no capability list is held. */
static int caps_known(const struct sess *s)
{
	const struct mailimap_connection_info *ci = s->imap->imap_connection_info;

	return ci && ci->imap_capability && ci->imap_capability->cap_list;
}

static int has_cap(const struct sess *s, const char *name)
{
	return caps_known(s) && mailimap_has_extension(s->imap, name);
}

static int has_auth(const struct sess *s, const char *mech)
{
	return caps_known(s) && mailimap_has_authentication(s->imap, mech);
}

static int refresh_capability(struct sess *s)
{
	struct mailimap_capability_data *cap = NULL;
	int r = mailimap_capability(s->imap, &cap);

	if (cap)
		mailimap_capability_data_free(cap);
	return r == MAILIMAP_NO_ERROR ? 0 : etpan_fail(s, r, "CAPABILITY");
}

/* STARTTLS: only if advertised (never fall back to plaintext); the TLS
 * layer replaces the plain one under libetpan's stream in place. */
static int do_starttls(struct sess *s)
{
	int r = refresh_capability(s);

	if (r < 0)
		return r;
	if (!has_cap(s, "STARTTLS")) {
		snprintf(s->err, s->errlen, "%s offers no STARTTLS: refusing to log in in plaintext",
			 s->acct->host);
		return -KITH_E_NOTLS;
	}
	r = mailimap_starttls(s->imap);
	if (s->imap->imap_stream && s->imap->imap_stream->read_buffer_len != 0) {
		/* libetpan >= 1.9.4 also says MAILIMAP_ERROR_STARTTLS here */
		snprintf(s->err, s->errlen, "plaintext injected after the STARTTLS reply: refusing");
		return -KITH_E_TLS;
	}
	if (r != MAILIMAP_NO_ERROR) {
		r = etpan_fail(s, r, "STARTTLS");
		return r == -KITH_E_PROTO ? -KITH_E_TLS : r; /* never go on in plaintext */
	}
	r = kith_conn_start_tls(s->conn, s->acct->host, s->acct->ca_file, s->err, s->errlen);
	if (r < 0)
		return r;
	return refresh_capability(s);
}

static int connect_server(struct sess *s)
{
	const struct kith_account *a = s->acct;
	int r;

	if (a->tls == KITH_TLS_NONE && !kith_host_is_loopback(a->host)) {
		snprintf(s->err, s->errlen, "tls = none is allowed only for loopback hosts, not %s",
			 a->host);
		return -KITH_E_NOTLS;
	}
	r = kith_conn_open(a->host, a->port, a->timeout_s, &s->conn, s->err, s->errlen);
	if (r < 0)
		return r;
	if (a->tls == KITH_TLS_IMPLICIT) {
		r = kith_conn_start_tls(s->conn, a->host, a->ca_file, s->err, s->errlen);
		if (r < 0) {
			kith_conn_close(s->conn);
			s->conn = NULL;
			return r;
		}
	}
	r = attach_stream(s);
	if (r == 0 && a->tls == KITH_TLS_STARTTLS)
		r = do_starttls(s);
	return r;
}

/* Base64 of src[0..n) into dst (room for 4 * ((n + 2) / 3) + 1 bytes). */
static void base64_encode(const unsigned char *src, size_t n, char *dst)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		*dst++ = tab[src[i] >> 2];
		*dst++ = tab[((src[i] & 3) << 4) | (src[i + 1] >> 4)];
		*dst++ = tab[((src[i + 1] & 15) << 2) | (src[i + 2] >> 6)];
		*dst++ = tab[src[i + 2] & 63];
	}
	if (i < n) {
		*dst++ = tab[src[i] >> 2];
		*dst++ = tab[((src[i] & 3) << 4) | (i + 1 < n ? src[i + 1] >> 4 : 0)];
		*dst++ = i + 1 < n ? tab[(src[i + 1] & 15) << 2] : '=';
		*dst++ = '=';
	}
	*dst = '\0';
}

static int io_line(void *ctx, const char **line, size_t *len);
static int stream_error(struct sess *s);

/* Copies a server's text into the session error, printable ASCII only. */
static void reply_text(struct sess *s, const char *what, const char *t, size_t n)
{
	size_t k = (size_t)snprintf(s->err, s->errlen, "%s: ", what), i;

	for (i = 0; i < n && k + 1 < s->errlen; i++)
		s->err[k++] = (t[i] >= 0x20 && t[i] < 0x7f) ? t[i] : '?';
	if (k < s->errlen)
		s->err[k] = '\0';
}

/* Sends "TAG AUTHENTICATE PLAIN <ir>" and reads to its tagged answer.
 * Why by hand and not libetpan's custom command: that one sends a space
 * before the CRLF, and Cyrus refuses the line ("Unexpected extra
 * arguments to Authenticate"; found by the server matrix).  Returns
 * MAILIMAP_NO_ERROR, or a negative kith code with s->err set. */
static int sasl_ir_exchange(struct sess *s, const char *b64)
{
	mailstream *st = s->imap->imap_stream;
	size_t n = strlen(b64) + 48, len, tl;
	char tag[16], *cmd = malloc(n);
	const char *line;
	int r, k;

	if (!cmd)
		return -ENOMEM;
	tl = (size_t)snprintf(tag, sizeof tag, "K%u", ++s->fetch_tag);
	k = snprintf(cmd, n, "%s AUTHENTICATE PLAIN %s\r\n", tag, b64);
	r = mailstream_write(st, cmd, (size_t)k) == k && mailstream_flush(st) == 0 ?
	    0 : stream_error(s);
	explicit_bzero(cmd, n);
	free(cmd);
	while (r == 0 && (r = io_line(s, &line, &len)) == 0) {
		if (len > 0 && line[0] == '+') { /* no SASL-IR after all: cancel */
			r = mailstream_write(st, "*\r\n", 3) == 3 && mailstream_flush(st) == 0 ?
			    0 : stream_error(s);
			continue;
		}
		if (len <= tl || memcmp(line, tag, tl) != 0 || line[tl] != ' ')
			continue; /* untagged (CAPABILITY ...) */
		if (len >= tl + 3 && strncasecmp(line + tl + 1, "OK", 2) == 0)
			return MAILIMAP_NO_ERROR;
		reply_text(s, "AUTHENTICATE PLAIN failed", line + tl + 1, len - tl - 1);
		return -KITH_E_AUTH;
	}
	if (!s->err[0])
		snprintf(s->err, s->errlen, "AUTHENTICATE PLAIN: %s", live_conn(s) &&
			 kith_conn_error(s->conn) ? kith_conn_error_text(s->conn) : strerror(-r));
	return r;
}

/* AUTHENTICATE PLAIN with the initial response on the command line
 * (RFC 4959 SASL-IR): one round trip, and no Cyrus SASL in the process
 * (its plugins cost the idling child ~3 MB).  The buffers holding the
 * secret are wiped.  Returns MAILIMAP_NO_ERROR, MAILIMAP_ERROR_MEMORY or
 * a negative kith code (s->err set). */
static int plain_sasl_ir(struct sess *s, const char *user, const char *secret)
{
	size_t ul = strlen(user), sl = strlen(secret), n = 2 * ul + sl + 2;
	unsigned char *raw = malloc(n);
	char *b64 = malloc(4 * ((n + 2) / 3) + 1);
	int r = MAILIMAP_ERROR_MEMORY;

	if (raw && b64) {
		memcpy(raw, user, ul); /* authorization id = authentication id */
		raw[ul] = '\0';
		memcpy(raw + ul + 1, user, ul);
		raw[2 * ul + 1] = '\0';
		memcpy(raw + 2 * ul + 2, secret, sl);
		base64_encode(raw, n, b64);
		r = sasl_ir_exchange(s, b64);
		if (r == MAILIMAP_NO_ERROR)
			s->imap->imap_state = MAILIMAP_STATE_AUTHENTICATED;
		explicit_bzero(b64, strlen(b64));
	}
	if (raw)
		explicit_bzero(raw, n);
	free(raw);
	free(b64);
	return r;
}

/* AUTHENTICATE PLAIN through libetpan's Cyrus SASL (the server wants the
 * response after a "+" continuation).  Its PLAIN module (libsasl2-modules)
 * may be missing: then nothing is sent, and that is said. */
static int plain_cyrus(struct sess *s, const char *user, const char *secret)
{
	unsigned long long before = s->sent;
	int r = mailimap_authenticate(s->imap, "PLAIN", s->acct->host, NULL, NULL, user, user,
				      secret, NULL);

	if (r != MAILIMAP_NO_ERROR && s->sent == before) {
		snprintf(s->err, s->errlen, "the server disables LOGIN and SASL PLAIN is not "
			 "available here (install libsasl2-modules)");
		return -KITH_E_AUTH;
	}
	return r;
}

/* Why this order: AUTHENTICATE PLAIN with SASL-IR is one round trip and
 * needs no SASL library; LOGIN is what every other server takes; Cyrus
 * SASL (whose plugins cost the idling child ~3 MB) only for a server that
 * disables LOGIN and wants a continuation.  All of it inside the TLS
 * session verified before.  Returns a libetpan code, or -KITH_E_AUTH
 * (err set) when there is no way to log in (nothing sent). */
static int password_login(struct sess *s, const char *user, const char *secret,
			  const char **what)
{
	int plain = has_auth(s, "PLAIN");

	*what = "AUTHENTICATE PLAIN";
	if (plain && has_cap(s, "SASL-IR")) {
		log_debug("imap: logging in with AUTHENTICATE PLAIN (SASL-IR)");
		return plain_sasl_ir(s, user, secret);
	}
	if (!has_cap(s, "LOGINDISABLED")) {
		*what = "LOGIN";
		log_debug("imap: logging in with LOGIN");
		return mailimap_login(s->imap, user, secret);
	}
	if (plain) {
		log_debug("imap: logging in with AUTHENTICATE PLAIN (SASL)");
		return plain_cyrus(s, user, secret);
	}
	snprintf(s->err, s->errlen, "the server disables LOGIN and offers no AUTH=PLAIN");
	return -KITH_E_AUTH;
}

static int login(struct sess *s)
{
	const char *user = s->acct->user ? s->acct->user : "";
	const char *secret = s->req->secret ? s->req->secret : "";
	const char *what = "AUTHENTICATE XOAUTH2";
	int r;

	if (s->imap->imap_state == MAILIMAP_STATE_AUTHENTICATED)
		return 0; /* PREAUTH over implicit TLS */
	/* a greeting without [CAPABILITY ...]: ask, to know AUTH= and LOGINDISABLED */
	if (!caps_known(s) && (r = refresh_capability(s)) < 0)
		return r;
	s->at_login = 1;
	if (s->req->is_oauth2)
		r = mailimap_oauth2_authenticate(s->imap, user, secret);
	else
		r = password_login(s, user, secret, &what);
	if (r < 0)
		return r; /* refused before anything was sent; err says why */
	if (r != MAILIMAP_NO_ERROR)
		return etpan_fail(s, r, what);
	s->at_login = 0;
	return refresh_capability(s); /* the list grows after login */
}

/* ---- folders ---- */

/* Reads the attributes of one LIST reply into KITH_SU_* bits. */
static unsigned list_attrs(const struct mailimap_mailbox_list *mb)
{
	const struct mailimap_mbx_list_flags *fl = mb->mb_flag;
	unsigned su = 0;
	clistiter *it;

	if (!fl)
		return 0;
	if (fl->mbf_type == MAILIMAP_MBX_LIST_FLAGS_SFLAG &&
	    fl->mbf_sflag == MAILIMAP_MBX_LIST_SFLAG_NOSELECT)
		su |= KITH_SU_NOSELECT;
	for (it = fl->mbf_oflags ? clist_begin(fl->mbf_oflags) : NULL; it; it = clist_next(it)) {
		const struct mailimap_mbx_list_oflag *of = clist_content(it);

		if (of && of->of_type == MAILIMAP_MBX_LIST_OFLAG_FLAG_EXT)
			su |= kith_folder_attr(of->of_flag_ext);
	}
	return su;
}

static void folders_free(struct kith_src_folder *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(f[i].name);
	free(f);
}

/* Converts a LIST/XLIST result into an array (caller frees with folders_free). */
static int folders_from_list(clist *list, struct kith_src_folder **out, size_t *n)
{
	struct kith_src_folder *f = calloc(clist_count(list) + 1, sizeof *f);
	clistiter *it;
	size_t k = 0;

	if (!f)
		return -ENOMEM;
	for (it = clist_begin(list); it; it = clist_next(it)) {
		const struct mailimap_mailbox_list *mb = clist_content(it);

		if (!mb || !mb->mb_name)
			continue;
		f[k].name = strdup(mb->mb_name);
		if (!f[k].name) {
			folders_free(f, k);
			return -ENOMEM;
		}
		f[k++].su = list_attrs(mb);
	}
	*out = f;
	*n = k;
	return 0;
}

static int any_special(const struct kith_src_folder *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (f[i].su & (KITH_SU_SENT | KITH_SU_ALL | KITH_SU_JUNK | KITH_SU_TRASH))
			return 1;
	return 0;
}

/* LIST "" "*" (special-use attributes come with it on Dovecot and Gmail);
 * old Gmail marks them only in XLIST, tried when LIST shows none.  Why
 * the frees on failure: libetpan hands over its (empty) result list even
 * when the server answered NO (found under ASan: a LIST refused with
 * [UNAVAILABLE]). */
static int list_folders(struct sess *s, struct kith_src_folder **out, size_t *n)
{
	clist *list = NULL;
	int r = mailimap_list(s->imap, "", "*", &list);

	if (r != MAILIMAP_NO_ERROR) {
		if (list)
			mailimap_list_result_free(list);
		return etpan_fail(s, r, "LIST");
	}
	r = folders_from_list(list, out, n);
	mailimap_list_result_free(list);
	if (r < 0 || any_special(*out, *n) || !(caps_known(s) && mailimap_has_xlist(s->imap)))
		return r;
	list = NULL;
	if (mailimap_xlist(s->imap, "", "*", &list) != MAILIMAP_NO_ERROR || !list) {
		if (list)
			mailimap_list_result_free(list);
		return 0; /* keep the LIST answer */
	}
	folders_free(*out, *n);
	r = folders_from_list(list, out, n);
	mailimap_list_result_free(list);
	return r;
}

/* ---- one folder ---- */

struct fstate {
	const char *name;
	unsigned flags;
	uint32_t uidvalidity, uidnext, messages;
	uint32_t last_uid;   /* delivered so far (stored + this session) */
};

static const struct kith_folder_state *known_state(struct sess *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->req->n_known; i++)
		if (s->req->known[i].name && strcmp(s->req->known[i].name, name) == 0)
			return &s->req->known[i];
	return NULL;
}

static int folder_status(struct sess *s, struct fstate *f)
{
	struct mailimap_status_att_list *atts = mailimap_status_att_list_new_empty();
	struct mailimap_mailbox_data_status *st = NULL;
	clistiter *it;
	int r;

	if (!atts)
		return -ENOMEM;
	if (mailimap_status_att_list_add(atts, MAILIMAP_STATUS_ATT_UIDNEXT) ||
	    mailimap_status_att_list_add(atts, MAILIMAP_STATUS_ATT_UIDVALIDITY) ||
	    mailimap_status_att_list_add(atts, MAILIMAP_STATUS_ATT_MESSAGES)) {
		mailimap_status_att_list_free(atts);
		return -ENOMEM;
	}
	r = mailimap_status(s->imap, f->name, atts, &st);
	mailimap_status_att_list_free(atts);
	if (r != MAILIMAP_NO_ERROR)
		return etpan_fail(s, r, "STATUS");
	for (it = st && st->st_info_list ? clist_begin(st->st_info_list) : NULL; it;
	     it = clist_next(it)) {
		const struct mailimap_status_info *si = clist_content(it);

		if (si->st_att == MAILIMAP_STATUS_ATT_UIDNEXT)
			f->uidnext = si->st_value;
		else if (si->st_att == MAILIMAP_STATUS_ATT_UIDVALIDITY)
			f->uidvalidity = si->st_value;
		else if (si->st_att == MAILIMAP_STATUS_ATT_MESSAGES)
			f->messages = si->st_value;
	}
	if (st)
		mailimap_mailbox_data_status_free(st);
	return 0;
}

/* EXAMINE (read-only: no flag may change) and take the selected state. */
static int folder_examine(struct sess *s, struct fstate *f)
{
	const struct mailimap_selection_info *sel;
	int r = mailimap_examine(s->imap, f->name);

	if (r != MAILIMAP_NO_ERROR)
		return etpan_fail(s, r, "EXAMINE");
	sel = s->imap->imap_selection_info;
	if (sel && sel->sel_uidvalidity)
		f->uidvalidity = sel->sel_uidvalidity;
	if (sel && sel->sel_uidnext)
		f->uidnext = sel->sel_uidnext;
	if (sel && sel->sel_has_exists)
		f->messages = sel->sel_exists;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static size_t dedup_sorted(uint32_t *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

/* UID SEARCH UID set (owned, freed here) -> sorted UIDs > after (a server
 * answers n:* with the last message even when n is above it).  *uids is
 * malloc'd. */
static int search_uid_range(struct sess *s, uint32_t after, struct mailimap_set *set,
			    uint32_t **uids, size_t *n)
{
	struct mailimap_search_key *key = set ? mailimap_search_key_new_uid(set) : NULL;
	clist *res = NULL;
	clistiter *it;
	size_t k = 0;
	int r;

	if (!key) {
		if (set)
			mailimap_set_free(set);
		return -ENOMEM;
	}
	r = mailimap_uid_search(s->imap, NULL, key, &res);
	mailimap_search_key_free(key); /* frees set too */
	if (r != MAILIMAP_NO_ERROR)
		return etpan_fail(s, r, "UID SEARCH");
	*uids = malloc((clist_count(res) + 1) * sizeof **uids);
	if (!*uids) {
		mailimap_search_result_free(res);
		return -ENOMEM;
	}
	for (it = clist_begin(res); it; it = clist_next(it)) {
		uint32_t *u = clist_content(it);

		if (u && *u > after)
			(*uids)[k++] = *u;
	}
	mailimap_search_result_free(res);
	/* libetpan parses a SEARCH reply into a list cell and a number per
	 * UID, each its own allocation: 64 MB in the heap for a million,
	 * which stayed resident for the rest of the session (its IDLE too)
	 * once freed.  Hand it back. */
	if (k > 10000)
		malloc_trim(0);
	qsort(*uids, k, sizeof **uids, cmp_u32);
	*n = dedup_sorted(*uids, k); /* a server may repeat a UID in SEARCH */
	return 0;
}

/* Why "after+1:4294967295" and not "after+1:*": GNU Mailutils' imap4d
 * answers UID SEARCH UID 1:* with nothing at all (found by the server
 * matrix); the largest UID spelled out means the same to every server. */
static int search_new_uids(struct sess *s, uint32_t after, uint32_t **uids, size_t *n)
{
	*n = 0;
	*uids = NULL;
	if (after == UINT32_MAX)
		return 0;
	return search_uid_range(s, after, mailimap_set_new_interval(after + 1, UINT32_MAX),
				uids, n);
}

/* "TAG UID FETCH a:b,c,... ITEMS\r\n" for the sorted uids[0..n), malloc'd. */
static char *fetch_command(const char *tag, const uint32_t *uids, size_t n,
			   const char *items, size_t *len)
{
	size_t cap = strlen(tag) + strlen(items) + 32 + n * 22, k, i = 0;
	char *c = malloc(cap);

	if (!c)
		return NULL;
	k = (size_t)snprintf(c, cap, "%s UID FETCH ", tag);
	while (i < n) {
		size_t j = i;

		while (j + 1 < n && uids[j + 1] == uids[j] + 1)
			j++;
		k += (size_t)(j > i ? snprintf(c + k, cap - k, "%s%u:%u", i ? "," : "", uids[i], uids[j])
				    : snprintf(c + k, cap - k, "%s%u", i ? "," : "", uids[i]));
		i = j + 1;
	}
	k += (size_t)snprintf(c + k, cap - k, " %s\r\n", items);
	*len = k;
	return c;
}

/* The error of a failed read or write on the session's stream: the
 * connection's own (timeout, TLS, end-of-file) when it has one. */
static int stream_error(struct sess *s)
{
	int code = live_conn(s) ? kith_conn_error(s->conn) : 0;

	return code ? code : -EIO;
}

/* kith_fetch_io's line over libetpan's stream buffer: one memchr per
 * buffer, at most KITH_FETCH_LINE_MAX (plus CRLF) ever held. */
static int io_line(void *ctx, const char **line, size_t *len)
{
	struct sess *s = ctx;
	mailstream *st = s->imap->imap_stream;
	size_t k = 0;

	for (;;) {
		const char *nl;
		size_t take;

		if (st->read_buffer_len == 0 && mailstream_feed_read_buffer(st) <= 0)
			return stream_error(s);
		nl = memchr(st->read_buffer, '\n', st->read_buffer_len);
		take = nl ? (size_t)(nl - st->read_buffer) + 1 : st->read_buffer_len;
		if (k + take > KITH_FETCH_LINE_MAX + 2)
			return -EMSGSIZE;
		if (k + take + 1 > s->line_cap) {
			char *b = realloc(s->line, k + take + 1 + 4096);

			if (!b)
				return -ENOMEM;
			s->line = b;
			s->line_cap = k + take + 1 + 4096;
		}
		if (mailstream_read(st, s->line + k, take) != (ssize_t)take)
			return stream_error(s);
		k += take;
		if (nl)
			break;
	}
	k -= 1 + (k >= 2 && s->line[k - 2] == '\r');
	*line = s->line;
	*len = k;
	return 0;
}

static int io_read(void *ctx, char *dst, size_t n)
{
	struct sess *s = ctx;

	while (n > 0) {
		ssize_t r = mailstream_read(s->imap->imap_stream, dst, n);

		if (r <= 0)
			return stream_error(s);
		dst += r;
		n -= (size_t)r;
	}
	return 0;
}

/* One UID FETCH: the asked uids[0..n) (ascending), the index of the next
 * one expected, and the first asked UID the server skipped (0: none yet). */
struct fetch_run {
	struct sess *s;
	struct fstate *f;
	const uint32_t *uids;
	size_t n, next;
	uint32_t missing;
	int sink_err;       /* the sink's error, passed on as it is */
};

/* Hands one FETCH reply to the sink if it is the next asked UID (or a
 * later one: the skipped ones are noted as missing); unasked, repeated and
 * out-of-order replies are dropped.  Why at once: the parent stores
 * message i while this process reads message i+1. */
static int deliver_one(void *ctx, uint32_t uid, const char *hdr, size_t len)
{
	struct fetch_run *fr = ctx;
	struct fstate *f = fr->f;
	int r;

	if (uid <= f->last_uid || uid > fr->uids[fr->n - 1])
		return 0;
	for (; fr->next < fr->n && fr->uids[fr->next] < uid; fr->next++)
		if (!fr->missing)
			fr->missing = fr->uids[fr->next];
	if (fr->next >= fr->n || fr->uids[fr->next] != uid)
		return 0; /* not asked for */
	fr->next++;
	r = fr->s->sink->message(fr->s->sink->ctx, uid, hdr, len);
	if (r < 0)
		return fr->sink_err = r;
	fr->s->delivered++;
	f->last_uid = uid;
	return 0;
}

/* Why: a server may answer a UID FETCH with NO and leave messages out.
 * Moving last_uid past them would lose them for good, so only the
 * unbroken prefix counts as done and the batch fails. */
static int batch_gap(struct sess *s, struct fstate *f, uint32_t before, uint32_t missing)
{
	int r;

	f->last_uid = missing - 1 > before ? missing - 1 : before;
	r = s->sink->batch_end(s->sink->ctx, f->name, f->uidvalidity, f->last_uid, 0, 0);
	if (r < 0)
		return r;
	snprintf(s->err, s->errlen, "%s: the server did not return UID %u; will retry",
		 f->name, missing);
	return -KITH_E_PROTO;
}

/* Sends the FETCH of uids[0..n) and reads its replies (imap_fetch.c).
 * Returns 0 with *res filled, or the session's error code with s->err set. */
static int fetch_exchange(struct sess *s, struct fetch_run *fr, struct kith_fetch_result *res)
{
	struct kith_fetch_io io = { io_line, io_read, s };
	mailstream *st = s->imap->imap_stream;
	char tag[16], *cmd;
	size_t len;
	int r;

	snprintf(tag, sizeof tag, "K%u", ++s->fetch_tag);
	if (!(cmd = fetch_command(tag, fr->uids, fr->n, s->fetch_items, &len)))
		return -ENOMEM;
	r = mailstream_write(st, cmd, len) == (ssize_t)len && mailstream_flush(st) == 0 ?
	    0 : stream_error(s);
	free(cmd);
	if (r == 0)
		r = kith_fetch_read(&io, tag, deliver_one, fr, res);
	if (r < 0 && r == fr->sink_err)
		return r;
	if (r == -EPROTO || r == -EMSGSIZE) {
		snprintf(s->err, s->errlen, "UID FETCH: %s", res->text);
		return -KITH_E_PROTO;
	}
	if (r < 0 && !s->err[0])
		snprintf(s->err, s->errlen, "UID FETCH: %s", live_conn(s) && kith_conn_error(s->conn) ?
			 kith_conn_error_text(s->conn) : strerror(-r));
	return r;
}

/* One UID FETCH of uids[0..n), then batch_end covering all of them.
 * Why uidnext/messages only with the last batch: the stored STATUS is what
 * lets a later poll skip the folder, so it may only be recorded once every
 * UID below it is stored; an interrupted sync must look changed next time. */
static int fetch_batch(struct sess *s, struct fstate *f, const uint32_t *uids, size_t n,
		       int last)
{
	struct fetch_run fr = { .s = s, .f = f, .uids = uids, .n = n };
	struct kith_fetch_result res;
	uint32_t before = f->last_uid;
	int r = fetch_exchange(s, &fr, &res);

	if (r < 0)
		return r;
	if (res.cut)
		log_warn("%s: %lu header section(s) over %u bytes cut", f->name, res.cut,
			 KITH_FETCH_KEEP_MAX);
	/* a NO after some replies is a partial batch (below), not a refusal */
	if (res.status != KITH_FETCH_OK && fr.next == 0) {
		s->last_etpan = MAILIMAP_ERROR_UID_FETCH; /* a refused folder */
		snprintf(s->err, s->errlen, "UID FETCH refused: %s", res.text);
		return -KITH_E_PROTO;
	}
	if (fr.next < n && !fr.missing)
		fr.missing = uids[fr.next];
	if (fr.missing)
		return batch_gap(s, f, before, fr.missing);
	f->last_uid = uids[n - 1];
	return s->sink->batch_end(s->sink->ctx, f->name, f->uidvalidity, f->last_uid,
				  last ? f->uidnext : 0, last ? f->messages : 0);
}

/* Why growing batches: each batch is one commit in the daemon, and a
 * commit rewrites every index page it touched, so a long first sync costs
 * less in a few large commits; the first stays small so that progress is
 * stored (and shown) early. */
static int fetch_new(struct sess *s, struct fstate *f)
{
	size_t max = s->req->batch_size ? s->req->batch_size : 500, n = 0, i, k;
	size_t batch = s->req->batch_first && s->req->batch_first < max ?
		       s->req->batch_first : max;
	uint32_t *uids = NULL;
	int r = search_new_uids(s, f->last_uid, &uids, &n);

	for (i = 0; r == 0 && i < n; i += k) {
		k = n - i < batch ? n - i : batch;
		r = fetch_batch(s, f, uids + i, k, i + k >= n);
		batch = batch * 2 < max ? batch * 2 : max;
	}
	free(uids);
	if (r == 0 && n == 0) /* record the new STATUS even with nothing new */
		r = s->sink->batch_end(s->sink->ctx, f->name, f->uidvalidity, f->last_uid,
				       f->uidnext, f->messages);
	return r;
}

/* One STATUS; if nothing changed that is all.  Else EXAMINE and fetch the
 * headers of every UID above the stored one (all, if UIDVALIDITY moved). */
static int sync_folder(struct sess *s, const struct kith_src_folder *src)
{
	const struct kith_folder_state *k = known_state(s, src->name);
	struct fstate f = { .name = src->name, .flags = kith_folder_sink_flags(src->su) };
	int r = folder_status(s, &f);

	if (r < 0)
		return r;
	if (k && f.uidvalidity && k->uidvalidity == f.uidvalidity &&
	    k->uidnext == f.uidnext && k->messages == f.messages)
		return s->sink->unchanged(s->sink->ctx, f.name);
	r = folder_examine(s, &f);
	if (r < 0)
		return r;
	if (k && k->uidvalidity == f.uidvalidity)
		f.last_uid = k->last_uid;
	r = s->sink->folder(s->sink->ctx, f.name, f.flags, f.uidvalidity, f.uidnext,
			    f.messages);
	return r < 0 ? r : fetch_new(s, &f);
}

/* "(UID BODY.PEEK[HEADER.FIELDS (kith_hdr_fields)])": never a body, and
 * PEEK so \Seen is never set.  Returns a malloc'd string or NULL. */
static char *make_fetch_items(void)
{
	size_t cap = 64, k, i;
	char *c;

	for (i = 0; kith_hdr_fields[i]; i++)
		cap += strlen(kith_hdr_fields[i]) + 1;
	if (!(c = malloc(cap)))
		return NULL;
	k = (size_t)snprintf(c, cap, "(UID BODY.PEEK[HEADER.FIELDS (");
	for (i = 0; kith_hdr_fields[i]; i++)
		k += (size_t)snprintf(c + k, cap - k, "%s%s", i ? " " : "", kith_hdr_fields[i]);
	snprintf(c + k, cap - k, ")])");
	return c;
}

/* Why: a server may answer NO for one folder (deleted since LIST, broken
 * on the server, "some messages could not be fetched"); that must not stop
 * every other folder.  Stream and parse failures still end the session. */
static int folder_refused(const struct sess *s)
{
	switch (s->last_etpan) {
	case MAILIMAP_ERROR_STATUS: case MAILIMAP_ERROR_EXAMINE:
	case MAILIMAP_ERROR_UID_SEARCH: case MAILIMAP_ERROR_UID_FETCH:
		return 1;
	default:
		return 0;
	}
}

static int sync_all(struct sess *s)
{
	struct kith_src_folder *f = NULL;
	size_t n = 0, keep, i;
	int r = list_folders(s, &f, &n);

	if (r < 0)
		return r;
	keep = kith_folders_select(f, n, s->acct);
	for (i = 0; r == 0 && i < keep; i++) {
		s->last_etpan = 0;
		r = sync_folder(s, &f[i]);
		/* a refusal that is about the session, not the folder (a
		 * throttle, a quota, a BYE), ends it: the others would fare no
		 * better, and asking costs the server */
		if (r < 0 && folder_refused(s) && read_refusal(s) == KITH_REFUSAL_NONE) {
			log_warn("%s: skipping folder %s this time: %s", s->acct->name ?
				 s->acct->name : s->acct->host, f[i].name, s->err);
			s->err[0] = '\0';
			s->folders_refused++;
			r = 0;
		}
	}
	folders_free(f, n);
	/* the others are stored, but the mailbox is not whole: say so, so that
	 * no task is decided from it */
	if (r == 0 && s->folders_refused) {
		snprintf(s->err, s->errlen, "the server refused %u folder(s) this time "
			 "(exclude them in the configuration if this persists)", s->folders_refused);
		r = -KITH_E_PROTO;
	}
	return r;
}

/* ---- IDLE ---- */

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for an untagged line other than a keepalive "* OK" (EXISTS,
 * EXPUNGE, BYE ...) or the deadline.  Returns 1 news, 0 timeout, <0. */
static int idle_wait(struct sess *s, long long deadline)
{
	mailstream *st = s->imap->imap_stream;
	MMAPString *line = mmap_string_new("");
	int r = 0;

	while (line) {
		long long left = deadline - mono_ms();

		if (left <= 0)
			break;
		if (st->read_buffer_len == 0) {
			r = kith_conn_wait_readable(live_conn(s), left > 60000 ? 60000 : (int)left);
			if (r <= 0 && (r < 0 || mono_ms() >= deadline))
				break;
			if (r == 0)
				continue;
		}
		mmap_string_truncate(line, 0);
		if (!mailstream_read_line(st, line)) {
			r = etpan_fail(s, MAILIMAP_ERROR_STREAM, "IDLE");
			break;
		}
		r = strncasecmp(line->str, "* OK", 4) != 0;
		if (r)
			break;
	}
	if (line)
		mmap_string_free(line);
	return line ? r : -ENOMEM;
}

/* Returns 0 (idled to the deadline, or no IDLE) or KITH_SYNC_AGAIN: the
 * server announced news (run() then syncs again in this session), or this
 * session brought mail.  Why not idle after
 * new mail: the daemon analyses when the session ends, so such a session
 * ends at once and the next one idles, instead of leaving the first sync
 * unanalysed for a poll interval. */
static int idle_inbox(struct sess *s)
{
	long long deadline = mono_ms() + (long long)s->req->idle_seconds * 1000;
	int r, w;

	if (s->req->idle_seconds <= 0 || !(caps_known(s) && mailimap_has_idle(s->imap)))
		return 0;
	if (s->delivered)
		return KITH_SYNC_AGAIN;
	r = mailimap_examine(s->imap, "INBOX");
	if (r != MAILIMAP_NO_ERROR)
		return etpan_fail(s, r, "EXAMINE INBOX");
	r = mailimap_idle(s->imap);
	if (r != MAILIMAP_NO_ERROR)
		return etpan_fail(s, r, "IDLE");
	w = idle_wait(s, deadline);
	if (w < 0)
		return w;
	r = mailimap_idle_done(s->imap);
	if (r != MAILIMAP_NO_ERROR)
		return etpan_fail(s, r, "IDLE DONE");
	return w > 0 ? KITH_SYNC_AGAIN : 0;
}

/* ---- the session ---- */

static int run(struct sess *s)
{
	int r = connect_server(s);

	if (r == 0)
		r = login(s);
	if (r == 0 && !(s->fetch_items = make_fetch_items()))
		r = -ENOMEM;
	if (r == 0)
		r = sync_all(s);
	if (r == 0)
		r = idle_inbox(s);
	/* news while idling: fetch it in this session rather than in a new
	 * one (a connection, TLS and a login saved for every new message),
	 * then end it so that the daemon judges the mail */
	if (r == KITH_SYNC_AGAIN && !s->delivered && (r = sync_all(s)) == 0)
		r = KITH_SYNC_AGAIN;
	if (r >= 0)
		mailimap_logout(s->imap); /* polite; bounded; closes the stream */
	return r;
}

int kith_imap_session(const struct kith_sync_request *req,
		      const struct kith_sink *sink, char *err, size_t errlen)
{
	struct sess s = { .req = req, .acct = req ? req->account : NULL, .sink = sink,
			  .err = err, .errlen = errlen };
	int r;

	if (errlen)
		err[0] = '\0';
	if (!s.acct || !s.acct->host || !sink || !sink->folder || !sink->message ||
	    !sink->batch_end || !sink->unchanged)
		return -EINVAL;
	s.imap = mailimap_new(0, NULL);
	if (!s.imap)
		return -ENOMEM;
	mailimap_set_timeout(s.imap, s.acct->timeout_s > 0 ? s.acct->timeout_s : 60);
	mailimap_set_logger(s.imap, proto_logger, &s);
	r = refine_result(&s, run(&s));
	if (req->refusal)
		*req->refusal = r < 0 ? s.refusal : (struct kith_refusal){ 0 };
	if (r < 0 && errlen && !err[0])
		snprintf(err, errlen, "%s", kith_source_strerror(r));
	if (s.imap->imap_stream) { /* close first: mailimap_free would LOGOUT */
		mailstream_close(s.imap->imap_stream);
		s.imap->imap_stream = NULL;
	} else if (!s.attached) {
		kith_conn_close(s.conn);
	}
	mailimap_free(s.imap);
	free(s.fetch_items);
	free(s.line);
	return r;
}
