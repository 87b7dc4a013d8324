/* classify.c: personal / list / automated; see classify.h. */
#include <stddef.h>
#include <string.h>

#include "classify.h"

static char lc(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* ASCII case-insensitive: does s start with p (p lowercase)? */
static int ci_prefix(const char *s, const char *p)
{
	for (; *p; s++, p++)
		if (lc(*s) != *p)
			return 0;
	return 1;
}

static int ci_contains(const char *s, const char *p)
{
	for (; *s; s++)
		if (ci_prefix(s, p))
			return 1;
	return 0;
}

/* Does s contain any of the lowercase patterns v (NULL-terminated)?  Why
 * not ci_contains in a loop: every message's subject is scanned, and one
 * pass trying a pattern only where its first byte stands is several times
 * faster than a pass per pattern. */
static int ci_contains_any(const char *s, const char *const *v)
{
	unsigned char first[256] = { 0 };
	const char *const *p;

	for (p = v; *p; p++)
		first[(unsigned char)**p] = 1;
	for (; *s; s++) {
		unsigned char c = (unsigned char)lc(*s);

		if (!first[c])
			continue;
		for (p = v; *p; p++)
			if ((unsigned char)**p == c && ci_prefix(s, *p))
				return 1;
	}
	return 0;
}

/* Does the n-byte string s end with p (p lowercase)? */
static int ci_suffix(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);

	return n >= k && ci_prefix(s + n - k, p);
}

static int in_list(const char *s, size_t n, const char *const *v)
{
	for (; *v; v++)
		if (strlen(*v) == n && ci_prefix(s, *v))
			return 1;
	return 0;
}

static const char *const sys_exact[] = {
	"daemon", "bot", "root", "nobody", "postmaster", "notify", "alerts", "alert",
	"news", "newsletter", "newsletters", "announce", "announcements", "auto",
	"autoreply", "automailer", "mailer", "majordomo", "listserv", "mailman",
	"ezmlm", "no.address", "noaddress", "notification", "notifications",
	"system", "cron", "jenkins", "ci", "builder", NULL
};
static const char *const sys_contains[] = {
	"noreply", "no-reply", "no_reply", "donotreply", "do-not-reply",
	"do_not_reply", "mailer-daemon", "mailer_daemon", "mail-daemon",
	"bounce", "postmaster", "post_master", "post-master", NULL
};
static const char *const sys_prefix[] = {
	"notification", "newsletter", "bugzilla", "patchwork", "mailerdaemon",
	"auto-", "automated", NULL
};
static const char *const sys_suffix[] = {
	"-bot", "_bot", ".bot", "-daemon", "_daemon", "-notify", "-notification",
	"-notifications", ".announcements", "-announce", "-alerts", "syzbot",
	"robot", NULL
};

static int any_of(const char *s, size_t n, const char *const *v,
		  int (*f)(const char *, size_t, const char *))
{
	for (; *v; v++)
		if (f(s, n, *v))
			return 1;
	return 0;
}

static int f_contains(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p), i;

	for (i = 0; i + k <= n; i++)
		if (ci_prefix(s + i, p))
			return 1;
	return 0;
}

static int f_prefix(const char *s, size_t n, const char *p)
{
	return n >= strlen(p) && ci_prefix(s, p);
}

int kith_addr_is_system(const char *addr)
{
	const char *at;
	size_t n;

	if (!addr || !*addr)
		return 1;
	at = strrchr(addr, '@');
	n = at ? (size_t)(at - addr) : strlen(addr);
	if (in_list(addr, n, sys_exact))
		return 1;
	if (any_of(addr, n, sys_contains, f_contains) ||
	    any_of(addr, n, sys_prefix, f_prefix) ||
	    any_of(addr, n, sys_suffix, ci_suffix))
		return 1;
	/* Bounce and notification hosts: bounces.example.com, ... */
	return at && (ci_prefix(at + 1, "bounce") || ci_prefix(at + 1, "noreply") ||
		      ci_prefix(at + 1, "notifications."));
}

static const char *const list_hosts[] = {
	"yahoogroups.com", "googlegroups.com", "groups.io", "vger.kernel.org",
	"lists.sourceforge.net", "listserv.", NULL
};

int kith_addr_is_list(const char *addr)
{
	const char *at, *dom;
	size_t n;

	if (!addr || !(at = strrchr(addr, '@')))
		return 0;
	n = (size_t)(at - addr);
	dom = at + 1;
	if (ci_suffix(addr, n, "-request") || ci_suffix(addr, n, "-owner") ||
	    ci_prefix(addr, "owner-") || ci_suffix(addr, n, "-bounces") ||
	    ci_suffix(addr, n, "-l") || ci_suffix(addr, n, "-devel") ||
	    ci_suffix(addr, n, "-users") || ci_suffix(addr, n, "-announce"))
		return 1;
	if (ci_prefix(dom, "lists.") || ci_prefix(dom, "list.") ||
	    ci_contains(dom, ".lists."))
		return 1;
	return any_of(dom, strlen(dom), list_hosts, ci_suffix) ||
	       ci_prefix(dom, "listserv.");
}

static const char *const auto_prefix[] = {
	"out of office", "out of the office", "automatic reply", "auto reply",
	"auto-reply", "autoreply", "auto response", "auto-response",
	"automatische antwort", "abwesenheitsnotiz", "abwesend",
	"r\xc3\xa9ponse automatique", "reponse automatique",
	"fuera de la oficina", "respuesta autom\xc3\xa1tica",
	"respuesta automatica", "afwezig", "automatisch antwoord",
	"fr\xc3\xa5nvaro", "frav\xc3\xa6r", "poissa", "risposta automatica",
	"fuori ufficio", "resposta autom\xc3\xa1tica", "automaattinen vastaus",
	"automatisk svar", "on vacation", "vacation reply", "away from my",
	"i am away", "i am out", "i'm away", "i'm out of", "autosvar", NULL
};
static const char *const auto_anywhere[] = {
	"out of office", "out of the office", "automatic reply", "autoreply",
	"auto-reply", "abwesenheitsnotiz", "r\xc3\xa9ponse automatique",
	"fuera de la oficina", "automatische antwort", "respuesta autom\xc3\xa1tica",
	"automatisch antwoord", "fr\xc3\xa5nvaro", NULL
};

int kith_subject_is_autoreply(const char *s)
{
	const char *const *p;

	if (!s)
		return 0;
	while (*s == ' ' || *s == '\t')
		s++;
	for (p = auto_prefix; *p; p++)
		if (ci_prefix(s, *p))
			return 1;
	return ci_contains_any(s, auto_anywhere);
}

static const char *const bounce_prefix[] = {
	"undeliverable", "undelivered mail", "delivery status notification",
	"delivery failure", "delivery has failed", "mail delivery failed",
	"mail delivery failure", "mail delivery system", "returned mail",
	"failure notice", "failed delivery", "nondeliverable", "non remis",
	"non-remis", "unzustellbar", "nicht zustellbar", "message not delivered",
	"delivery notification", "warning: could not send", "mail system error",
	"read:", "not read:", "gelesen:", "lu :", "lu:", "le\xc3\xad""do:",
	"return receipt", "read receipt", "read report", "disposition notification",
	NULL
};

static const char *const bounce_anywhere[] = {
	"delivery status notification", "undeliverable:", NULL
};

int kith_subject_is_bounce(const char *s)
{
	const char *const *p;

	if (!s)
		return 0;
	while (*s == ' ' || *s == '\t')
		s++;
	for (p = bounce_prefix; *p; p++)
		if (ci_prefix(s, *p))
			return 1;
	return ci_contains_any(s, bounce_anywhere);
}

/* Facts that make any message automated, whoever sent it. */
static uint32_t hard_auto(const struct kith_msg *m)
{
	uint32_t w = 0, s = m->signals;

	if (s & (KITH_SIG_AUTO_SUBMITTED | KITH_SIG_AUTO_REPLIED | KITH_SIG_AUTOREPLY_HDR))
		w |= KITH_WHY_AUTO_HDR;
	if (s & KITH_SIG_REPORT)
		w |= KITH_WHY_REPORT;
	if (s & KITH_SIG_NULL_RETURN_PATH)
		w |= KITH_WHY_NULL_RP;
	if (s & KITH_SIG_PREC_JUNK)
		w |= KITH_WHY_JUNK;
	if (kith_subject_is_autoreply(m->subject))
		w |= KITH_WHY_AUTO_SUBJ;
	if (kith_subject_is_bounce(m->subject))
		w |= KITH_WHY_BOUNCE_SUBJ;
	return w;
}

#define LIST_SIGS (KITH_SIG_LIST_ID | KITH_SIG_LIST_UNSUB | KITH_SIG_LIST_OTHER | \
		   KITH_SIG_PREC_BULK | KITH_SIG_PREC_LIST)

/* Facts that make a message from someone else automated: who sent it and
 * its shape (bulk senders, mail to nobody visible, mass mail). */
static uint32_t soft_auto(const struct kith_msg *m)
{
	uint32_t w = 0, s = m->signals;
	int listish = (s & (KITH_SIG_LIST_ID | KITH_SIG_LIST_OTHER)) != 0;

	if (kith_addr_is_system(m->from.addr))
		w |= KITH_WHY_SYSTEM;
	if ((s & (KITH_SIG_FEEDBACK_ID | KITH_SIG_LIST_UNSUB_POST)) ||
	    ((s & KITH_SIG_LIST_UNSUB) && !listish))
		w |= KITH_WHY_BULK;
	if (m->n_rcpt_total == 0 && !(s & LIST_SIGS))
		w |= KITH_WHY_NO_RCPT;
	if (m->n_rcpt_total >= KITH_MASS_RCPT && !(s & LIST_SIGS))
		w |= KITH_WHY_MASS;
	return w;
}

enum kith_class kith_classify(const struct kith_msg *m,
			      const struct kith_class_in *in, uint32_t *why)
{
	uint32_t w = hard_auto(m), list = 0;
	enum kith_class c;

	if (m->signals & LIST_SIGS)
		list |= KITH_WHY_LIST_HDR;
	if (!in->from_user) {
		w |= soft_auto(m);
		if (!in->user_in_rcpt)
			list |= KITH_WHY_INDIRECT;
	}
	if (w)
		c = KITH_CLASS_AUTOMATED;
	else if (list)
		c = KITH_CLASS_LIST;
	else
		c = KITH_CLASS_PERSONAL;
	if (why)
		*why = w | list;
	return c;
}

int kith_list_id_addr(const char *list_id, char *buf, size_t len)
{
	char *dot;

	if (!list_id || strlen(list_id) >= len || strchr(list_id, '@'))
		return 0;
	strcpy(buf, list_id);
	if (!(dot = strchr(buf, '.')) || !strchr(dot + 1, '.'))
		return 0;
	*dot = '@';
	return 1;
}
