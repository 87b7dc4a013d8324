/* addr.h: e-mail addresses: RFC 5322 address lists and normalisation. */
#ifndef KITH_ADDR_H
#define KITH_ADDR_H

#include <stddef.h>
#include "msg.h"

/* Parses an address-list field value (display names, quoted strings,
 * comments, groups, RFC 2047 encoded names, obsolete forms) appending to
 * *v and *n (a malloc'd array the caller owns; free each with kith_addr_free).
 * At most `max` are kept; *total counts all.  Returns the number of
 * unparsable items (0 when clean), or -ENOMEM. */
int kith_addr_parse_list(const char *s, size_t len, struct kith_addr **v,
			 size_t *n, size_t max, uint32_t *total);

/* The same parse without the fast path for plain items ("a@b", "Name
 * <a@b>"): the reference the fast path must agree with, byte for byte.
 * For differential tests; the daemon uses kith_addr_parse_list. */
int kith_addr_parse_list_full(const char *s, size_t len, struct kith_addr **v,
			      size_t *n, size_t max, uint32_t *total);

void kith_addr_free(struct kith_addr *a);

/* The address that identifies a person: lowercase; for gmail.com and
 * googlemail.com, dots removed from the local part and the domain made
 * gmail.com; "+tag" dropped when strip_plus (always for gmail).  Returns a
 * malloc'd string (caller frees) or NULL on ENOMEM/invalid input. */
char *kith_addr_normalize(const char *addr, int strip_plus);

/* 1 when addr (normalised or not) matches pattern "user@host" or "@host"
 * (case-insensitive, a domain pattern matching subdomains too). */
int kith_addr_matches(const char *addr, const char *pattern);

#endif
