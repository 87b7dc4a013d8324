/* role.c: role mailboxes; see role.h. */
#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "role.h"

/* A local part that starts with one of these is a function's mailbox
 * ("support.emea@", "info-de@"): none of them is a given name. */
static const char *const lead_words[] = {
	"contact", "contacts", "info", "office", "support", "helpdesk", "servicedesk",
	"admin", "administrator", "sales", "billing", "hr", "jobs", "careers",
	"recruiting", "enquiries", "enquiry", "inquiries", "inquiry", "webmaster",
	"feedback", "reception", "press", "marketing", "team", "hello", "accounts",
	"accounting", "customerservice", "customercare", "membership", "registrar",
	"admissions", "newsroom", "frontdesk", "payroll", "helpline", NULL,
};

/* A local part made only of these (and digits) is one too
 * ("information.management@", "it.services@", "team-berlin@" is not). */
static const char *const any_words[] = {
	"information", "management", "technology", "it", "is", "services", "service",
	"help", "desk", "care", "customer", "customers", "general", "team",
	"operations", "ops", "communications", "comms", "corporate", "events",
	"finance", "legal", "privacy", "security", "abuse", "media", "pr", "staff",
	"department", "dept", "group", "center", "centre", "systems", "resources",
	"human", "network", "orders", "shop", "store", "editor", "editors", NULL,
};

/* Display names that name a function, not a person (whole words). */
static const char *const name_words[] = {
	"helpdesk", "support", "team", "department", "dept", "administration",
	"services", "information management", "customer service", "office of",
	"help desk", "service desk", "human resources", "it services", NULL,
};

static int in_list(const char *const *list, const char *w, size_t n)
{
	for (; *list; list++)
		if (strlen(*list) == n && strncmp(*list, w, n) == 0)
			return 1;
	return 0;
}

static int is_sep(char c)
{
	return c == '.' || c == '_' || c == '-' || c == '+';
}

/* The local part's words: the first a lead word, or all of them role
 * words or numbers, one at least a word ("it.2@" yes, "15126-1029@" no:
 * that is a bulk sender's, not a function's, and "mail@" on a personal
 * domain is its owner). */
static int role_local(const char *addr)
{
	const char *at = strchr(addr, '@'), *s = addr, *e;
	int all = 1, first = 1, lead = 0, words = 0;

	if (!at || at == addr)
		return 0;
	while (s < at) {
		for (e = s; e < at && !is_sep(*e); e++)
			;
		if (e > s) {
			int digits = strspn(s, "0123456789") >= (size_t)(e - s);
			if (first && in_list(lead_words, s, (size_t)(e - s)))
				lead = 1;
			int role = in_list(any_words, s, (size_t)(e - s)) ||
				   in_list(lead_words, s, (size_t)(e - s));
			all &= digits || role;
			words += role;
			first = 0;
		}
		s = e + 1;
	}
	return lead || (all && words > 0);
}

/* Does the name hold `w` as whole words (any case)? */
static int has_words(const char *name, const char *w)
{
	size_t n = strlen(w);
	const char *p;

	for (p = name; *p; p++) {
		if (strncasecmp(p, w, n) != 0)
			continue;
		if ((p == name || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[n]))
			return 1;
	}
	return 0;
}

const char *kith_role_mailbox(const char *addr, const char *name)
{
	const char *const *w;

	if (addr && role_local(addr))
		return "role address";
	for (w = name_words; name && *w; w++)
		if (has_words(name, *w))
			return "role name";
	return NULL;
}

const char *kith_role_notices(unsigned personal, unsigned broadcasts, unsigned answers,
			      unsigned conversations)
{
	if (personal < KITH_NOTICE_MIN || broadcasts * 10 < personal * 9 || answers * 5 > personal ||
	    conversations > 0)
		return NULL;
	return "notices";
}
