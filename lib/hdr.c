/* hdr.c: a raw header block into a struct kith_msg (see hdr.h).
 *
 * One pass splits the block into fields and remembers the first occurrence
 * of each field kith uses (duplicates: the first wins, as most MUAs show).
 * Then each field is unfolded and parsed on its own; a field that does not
 * parse cleanly adds one to parse_errors and keeps whatever did parse.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "date.h"
#include "hdr.h"
#include "hdrfield.h"
#include "hdrtext.h"
#include "msgid.h"
#include "rfc2047.h"

const char *const kith_hdr_fields[] = {
	"From", "To", "Cc", "Reply-To", "Sender", "Date", "Subject", "Message-ID",
	"In-Reply-To", "References", "List-Id", "List-Unsubscribe",
	"List-Unsubscribe-Post", "List-Post", "List-Help", "Mailing-List",
	"X-Mailing-List", "Precedence", "Auto-Submitted", "Return-Path", "Feedback-ID",
	"X-Auto-Response-Suppress", "X-Autoreply", "X-Autorespond", "Content-Type",
	"Disposition-Notification-To", NULL
};

enum fid {
	F_FROM, F_TO, F_CC, F_REPLY_TO, F_SENDER, F_DATE, F_SUBJECT, F_MSGID, F_IRT,
	F_REFS, F_LIST_ID, F_LIST_UNSUB, F_LIST_UNSUB_POST, F_LIST_POST, F_LIST_HELP,
	F_MAILING_LIST, F_X_MAILING_LIST, F_PRECEDENCE, F_AUTO_SUBMITTED,
	F_RETURN_PATH, F_FEEDBACK_ID, F_XARS, F_X_AUTOREPLY, F_X_AUTORESPOND,
	F_CONTENT_TYPE, F_DNT, F_COUNT
};

struct fields {
	struct kith_field f[F_COUNT];
	unsigned char seen[F_COUNT];
};

/* Index of the field named name[0..n) in kith_hdr_fields, or -1.  The
 * enum above follows that table's order. */
static int field_id(const char *name, size_t n)
{
	int i;

	for (i = 0; i < F_COUNT; i++) {
		const char *k = kith_hdr_fields[i];
		size_t j;

		for (j = 0; j < n && k[j]; j++)
			if (kith_lc((unsigned char)name[j]) != kith_lc((unsigned char)k[j]))
				break;
		if (j == n && k[j] == '\0')
			return i;
	}
	return -1;
}

static void collect(const char *raw, size_t len, struct fields *fs, uint32_t *bad)
{
	struct kith_field f;
	size_t pos = 0;
	int id;

	while (kith_field_next(raw, len, &pos, &f, bad)) {
		id = field_id(f.name, f.name_len);
		if (id >= 0 && !fs->seen[id]) {
			fs->f[id] = f;
			fs->seen[id] = 1;
		}
	}
}

/* Unfolded value of field id (malloc'd, caller frees), or NULL with
 * *oom set on ENOMEM. */
static char *value(const struct fields *fs, int id, size_t *n, int *oom)
{
	char *v = kith_field_unfold(fs->f[id].val, fs->f[id].val_len, n);

	if (!v)
		*oom = 1;
	return v;
}

/* Message-ID and In-Reply-To: the first id of each. */
static int do_ids(struct kith_msg *m, const struct fields *fs)
{
	static const int ids[2] = { F_MSGID, F_IRT };
	int k, r, oom = 0;
	size_t n;

	for (k = 0; k < 2; k++) {
		char *v, **dst = k == 0 ? &m->message_id : &m->in_reply_to;

		if (!fs->seen[ids[k]])
			continue;
		if (!(v = value(fs, ids[k], &n, &oom)))
			return -ENOMEM;
		r = kith_msgid_first(v, n, dst);
		free(v);
		if (r < 0)
			return r;
		m->parse_errors += r > 0;
	}
	return 0;
}

static int do_refs(struct kith_msg *m, const struct fields *fs)
{
	int r, oom = 0;
	size_t n;
	char *v;

	if (!fs->seen[F_REFS])
		return 0;
	if (!(v = value(fs, F_REFS, &n, &oom)))
		return -ENOMEM;
	r = kith_msgid_list(v, n, KITH_MAX_REFS, &m->refs, &n);
	m->n_refs = (uint16_t)n; /* at most KITH_MAX_REFS; kith_msg_free walks it */
	free(v);
	if (r < 0)
		return r;
	m->parse_errors += r > 0;
	return 0;
}

static int do_date(struct kith_msg *m, const struct fields *fs)
{
	int oom = 0;
	size_t n;
	char *v;

	if (!fs->seen[F_DATE])
		return 0;
	if (!(v = value(fs, F_DATE, &n, &oom)))
		return -ENOMEM;
	m->parse_errors += kith_date_parse(v, n, &m->date) != 0;
	free(v);
	return 0;
}

/* From (Sender when From is absent): the first address. */
static int do_from(struct kith_msg *m, const struct fields *fs)
{
	int id = fs->seen[F_FROM] ? F_FROM : F_SENDER, r, oom = 0;
	struct kith_addr *v = NULL;
	size_t n = 0, len;
	uint32_t total = 0;
	char *s;

	if (!fs->seen[id])
		return 0;
	if (!(s = value(fs, id, &len, &oom)))
		return -ENOMEM;
	r = kith_addr_parse_list(s, len, &v, &n, 1, &total);
	free(s);
	if (r < 0)
		return r;
	if (n == 1)
		m->from = v[0];
	free(v);
	m->parse_errors += (r > 0 || n == 0);
	return 0;
}

/* To then Cc into one array (n_to, then n_cc). */
static int do_rcpt(struct kith_msg *m, const struct fields *fs)
{
	static const int ids[2] = { F_TO, F_CC };
	size_t n = 0, len, before;
	int k, r, oom = 0;
	char *s;

	for (k = 0; k < 2; k++) {
		before = n;
		if (fs->seen[ids[k]]) {
			if (!(s = value(fs, ids[k], &len, &oom)))
				return -ENOMEM;
			r = kith_addr_parse_list(s, len, &m->rcpt, &n, KITH_MAX_RCPT_KEPT,
						 &m->n_rcpt_total);
			free(s);
			if (r < 0) {
				m->n_to = k == 0 ? n : m->n_to; /* so kith_msg_free frees */
				m->n_cc = k == 0 ? 0 : n - m->n_to;
				return r;
			}
			m->parse_errors += r > 0;
		}
		if (k == 0)
			m->n_to = n - before;
		else
			m->n_cc = n - before;
	}
	return 0;
}

static int do_subject(struct kith_msg *m, const struct fields *fs)
{
	unsigned bad = 0;
	int oom = 0;
	size_t n, a = 0, e;
	char *v, *d;

	if (!fs->seen[F_SUBJECT])
		return 0;
	if (!(v = value(fs, F_SUBJECT, &n, &oom)))
		return -ENOMEM;
	d = kith_rfc2047_decode_str(v, n, &bad);
	free(v);
	if (!d)
		return -ENOMEM;
	e = strlen(d); /* decoding can leave edge spaces (from TABs, controls) */
	while (e > 0 && d[e - 1] == ' ')
		e--;
	while (a < e && d[a] == ' ')
		a++;
	memmove(d, d + a, e - a);
	d[e - a] = '\0';
	m->subject = d;
	m->parse_errors += bad > 0;
	return 0;
}

/* A List-Id without "<>": comments dropped, cleaned to UTF-8 without
 * controls, whitespace runs as one space.  Malloc'd; NULL on ENOMEM. */
static char *bare_list_id(const char *v, size_t n)
{
	struct kith_hbuf b;
	char *s = kith_strip_cfws(v, n);
	size_t i, o = 0;

	if (!s)
		return NULL;
	kith_hbuf_init(&b);
	kith_utf8_put_clean(&b, s, strlen(s));
	free(s);
	s = kith_hbuf_take(&b);
	for (i = 0; s && s[i]; i++)
		if (s[i] != ' ' || (o > 0 && s[o - 1] != ' '))
			s[o++] = s[i];
	while (o > 0 && s[o - 1] == ' ')
		o--;
	if (s)
		s[o] = '\0';
	return s;
}

/* List-Id: the "<id>" part lowercased, or (a repair) the bare value. */
static int do_list_id(struct kith_msg *m, const struct fields *fs)
{
	int oom = 0, r;
	size_t n, i;
	char *v, *id = NULL;

	if (!fs->seen[F_LIST_ID])
		return 0;
	if (!(v = value(fs, F_LIST_ID, &n, &oom)))
		return -ENOMEM;
	if (memchr(v, '<', n)) {
		r = kith_msgid_first(v, n, &id);
	} else {
		id = bare_list_id(v, n);
		r = 1;
	}
	free(v);
	if (r < 0 || !id)
		return -ENOMEM;
	m->parse_errors += r > 0 || !*id;
	if (!*id) {
		free(id);
		return 0;
	}
	for (i = 0; id[i]; i++)
		id[i] = (char)kith_lc((unsigned char)id[i]);
	m->list_id = id;
	return 0;
}

/* The first word of a field (comments and whitespace skipped; ends at
 * whitespace, ';' or '('), compared with lowercase w. */
static int first_word_is(const struct fields *fs, int id, const char *w, int *oom)
{
	char *s;
	size_t e = 0;
	int r;

	if (!fs->seen[id])
		return 0;
	s = kith_strip_cfws(fs->f[id].val, fs->f[id].val_len);
	if (!s) {
		*oom = 1;
		return 0;
	}
	while (s[e] && !kith_is_wsp((unsigned char)s[e]) && s[e] != ';' && s[e] != '(')
		e++;
	r = kith_ascii_ieq(s, e, w);
	if (*w == '\0') /* asking "is it empty?" */
		r = e == 0;
	free(s);
	return r;
}

/* Presence bits, one per field. */
static uint32_t presence_signals(const struct fields *fs)
{
	static const struct { int id; uint32_t bit; } map[] = {
		{F_LIST_ID, KITH_SIG_LIST_ID}, {F_LIST_UNSUB, KITH_SIG_LIST_UNSUB},
		{F_LIST_UNSUB_POST, KITH_SIG_LIST_UNSUB_POST},
		{F_LIST_POST, KITH_SIG_LIST_OTHER}, {F_LIST_HELP, KITH_SIG_LIST_OTHER},
		{F_MAILING_LIST, KITH_SIG_LIST_OTHER}, {F_X_MAILING_LIST, KITH_SIG_LIST_OTHER},
		{F_FEEDBACK_ID, KITH_SIG_FEEDBACK_ID}, {F_XARS, KITH_SIG_AUTO_RESP_SUPPR},
		{F_X_AUTOREPLY, KITH_SIG_AUTOREPLY_HDR}, {F_X_AUTORESPOND, KITH_SIG_AUTOREPLY_HDR},
		{F_DNT, KITH_SIG_MDN_REQUESTED},
	};
	uint32_t sig = 0;
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (fs->seen[map[i].id])
			sig |= map[i].bit;
	return sig;
}

/* Bits that depend on a field's value. */
static int do_signals(struct kith_msg *m, const struct fields *fs)
{
	int oom = 0;
	uint32_t sig = presence_signals(fs);

	if (first_word_is(fs, F_PRECEDENCE, "bulk", &oom))
		sig |= KITH_SIG_PREC_BULK;
	if (first_word_is(fs, F_PRECEDENCE, "list", &oom))
		sig |= KITH_SIG_PREC_LIST;
	if (first_word_is(fs, F_PRECEDENCE, "junk", &oom))
		sig |= KITH_SIG_PREC_JUNK;
	if (fs->seen[F_AUTO_SUBMITTED] && !first_word_is(fs, F_AUTO_SUBMITTED, "no", &oom) &&
	    !first_word_is(fs, F_AUTO_SUBMITTED, "", &oom))
		sig |= KITH_SIG_AUTO_SUBMITTED;
	if (first_word_is(fs, F_AUTO_SUBMITTED, "auto-replied", &oom))
		sig |= KITH_SIG_AUTO_REPLIED;
	if (first_word_is(fs, F_RETURN_PATH, "<>", &oom))
		sig |= KITH_SIG_NULL_RETURN_PATH;
	if (first_word_is(fs, F_CONTENT_TYPE, "multipart/report", &oom))
		sig |= KITH_SIG_REPORT;
	m->signals = sig;
	return oom ? -ENOMEM : 0;
}

/* A message cannot reply to or reference itself: broken clients that put
 * their own Message-ID in In-Reply-To/References would make thread loops. */
static int drop_self(struct kith_msg *m, const struct fields *fs)
{
	size_t i, o = 0;

	if (!m->message_id)
		return 0;
	if (m->in_reply_to && strcmp(m->in_reply_to, m->message_id) == 0) {
		free(m->in_reply_to);
		m->in_reply_to = NULL;
	}
	for (i = 0; i < m->n_refs; i++) {
		if (strcmp(m->refs[i], m->message_id) == 0)
			free(m->refs[i]);
		else
			m->refs[o++] = m->refs[i];
	}
	m->n_refs = o;
	if (o == 0) {
		free(m->refs);
		m->refs = NULL;
	}
	return 0;
}

int kith_hdr_parse(const char *raw, size_t len, struct kith_msg *out)
{
	static int (*const steps[])(struct kith_msg *, const struct fields *) = {
		do_ids, do_refs, drop_self, do_date, do_from, do_rcpt, do_subject,
		do_list_id, do_signals,
	};
	struct fields fs;
	size_t i;
	int r = 0;

	memset(out, 0, sizeof(*out));
	memset(&fs, 0, sizeof(fs));
	out->date = KITH_DATE_NONE;
	collect(raw ? raw : "", raw ? len : 0, &fs, &out->parse_errors);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]) && r == 0; i++)
		r = steps[i](out, &fs);
	if (r < 0) {
		kith_msg_free(out);
		out->date = KITH_DATE_NONE;
		return r;
	}
	if (out->parse_errors)
		out->flags |= KITH_MSG_REPAIRED;
	return 0;
}
