/* fuzz_hdr.c: libFuzzer target for kith's header parser.
 *
 * Feeds the input to kith_hdr_parse() and, as a single field value, to each
 * sub-parser; then checks the record's invariants and aborts when one
 * breaks (a crash is what libFuzzer reports).  Every parsed record must
 * cross msgwire (the IMAP child's pipe format) unchanged, and the input
 * itself, read as a msgwire record, is decoded as the daemon would.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "date.h"
#include "hdr.h"
#include "hdrtext.h"
#include "msgid.h"
#include "msgwire.h"
#include "rfc2047.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Clean UTF-8 without control characters, as the parser promises. */
static void check_text(const char *s)
{
	size_t i = 0, n, l;

	if (!s)
		return;
	n = strlen(s);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		l = kith_utf8_seq_len((const unsigned char *)s + i, n - i);
		if (l == 0 || c < 0x20 || c == 0x7F)
			abort();
		i += l;
	}
}

static void check_addr(const struct kith_addr *a)
{
	const char *p;

	if (!a->addr || !strchr(a->addr, '@'))
		abort();
	for (p = a->addr; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			abort();
	check_text(a->name);
}

static void check_msg(const struct kith_msg *m)
{
	char key[33];
	size_t i;

	if (m->n_to + m->n_cc > KITH_MAX_RCPT_KEPT || m->n_to + m->n_cc > m->n_rcpt_total)
		abort();
	if (m->n_refs > KITH_MAX_REFS || (m->n_refs && !m->refs))
		abort();
	if ((m->parse_errors > 0) != ((m->flags & KITH_MSG_REPAIRED) != 0))
		abort();
	check_text(m->subject);
	check_text(m->message_id);
	if (m->from.addr)
		check_addr(&m->from);
	for (i = 0; i < m->n_to + m->n_cc; i++)
		check_addr(&m->rcpt[i]);
	for (i = 0; i < m->n_refs; i++)
		if (!m->refs[i][0])
			abort();
	kith_msg_key(m, key);
	if (strlen(key) != 32)
		abort();
}

static int same_opt(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* m -> bytes -> record: nothing lost, nothing added. */
static void check_wire(const struct kith_msg *m)
{
	struct kith_hbuf b;
	struct kith_msg d;
	size_t i;

	kith_hbuf_init(&b);
	if (kith_msgwire_encode(m, &b) < 0) {
		kith_hbuf_free(&b);
		return;
	}
	if (kith_msgwire_decode((const unsigned char *)b.p, b.len, &d) != 0)
		abort();
	if (d.date != m->date || d.signals != m->signals || d.flags != m->flags ||
	    d.parse_errors != m->parse_errors || d.n_rcpt_total != m->n_rcpt_total ||
	    d.n_to != m->n_to || d.n_cc != m->n_cc || d.n_refs != m->n_refs ||
	    !same_opt(d.message_id, m->message_id) || !same_opt(d.in_reply_to, m->in_reply_to) ||
	    !same_opt(d.subject, m->subject) || !same_opt(d.list_id, m->list_id) ||
	    !same_opt(d.from.addr, m->from.addr) || !same_opt(d.from.name, m->from.name))
		abort();
	for (i = 0; i < m->n_to + m->n_cc; i++)
		if (!same_opt(d.rcpt[i].addr, m->rcpt[i].addr) ||
		    !same_opt(d.rcpt[i].name, m->rcpt[i].name))
			abort();
	for (i = 0; i < m->n_refs; i++)
		if (!same_opt(d.refs[i], m->refs[i]))
			abort();
	kith_msg_free(&d);
	kith_hbuf_free(&b);
}

/* The input as one field value for each sub-parser. */
static void values(const char *s, size_t n)
{
	struct kith_addr *v = NULL;
	size_t nv = 0, i;
	uint32_t total = 0;
	int64_t t;
	char *id = NULL, **ids = NULL, *dec, *z, *norm;

	if (kith_addr_parse_list(s, n, &v, &nv, 8, &total) >= 0 && (nv > 8 || nv > total))
		abort();
	for (i = 0; i < nv; i++)
		kith_addr_free(&v[i]);
	free(v);
	(void)kith_date_parse(s, n, &t);
	if (kith_msgid_first(s, n, &id) >= 0)
		free(id);
	if (kith_msgid_list(s, n, 5, &ids, &nv) >= 0) {
		for (i = 0; i < nv; i++)
			free(ids[i]);
		free(ids);
	}
	dec = kith_rfc2047_decode_str(s, n, NULL);
	check_text(dec);
	free(dec);
	z = malloc(n + 1);
	if (!z)
		return;
	memcpy(z, s, n);
	z[n] = '\0';
	norm = kith_addr_normalize(z, 1);
	free(norm);
	(void)kith_addr_matches(z, "@example.com");
	(void)kith_addr_matches("a.b+c@gmail.com", z);
	free(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kith_msg m;

	if (kith_hdr_parse((const char *)data, size, &m) == 0) {
		check_msg(&m);
		check_wire(&m);
		kith_msg_free(&m);
	}
	if (kith_msgwire_decode(data, size, &m) == 0)
		kith_msg_free(&m);
	/* Field values are short; a long input still reaches every sub-parser
	 * through kith_hdr_parse(), and running them all over 16 KB would cut
	 * the executions tenfold. */
	if (size <= 2048)
		values((const char *)data, size);
	return 0;
}
