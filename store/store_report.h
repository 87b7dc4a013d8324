/* store_report.h: read-only queries for `kith report` (store_report.c).
 *
 * Kept apart from store.h so that store.c stays the owner of the schema;
 * these read the derived tables it documents (docs/schema.md). */
#ifndef KITH_STORE_REPORT_H
#define KITH_STORE_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include "store.h"

/* One turn, reduced to what a timeline needs. */
struct kith_store_turn_row {
	int64_t person;   /* people.id */
	int64_t date;
	int by_user;      /* 1: the user wrote it */
};

/* The turns of persons[0..n_persons) (people.id), grouped by person in the
 * order given, oldest first within each person; turns without a date are
 * left out.  expect: about how many there are (the people's turns_user +
 * turns_them), to choose between the index and a scan of the table.
 * *out is the caller's (free()); 0 or a negative errno. */
int kith_store_turns_of(struct kith_store *s, const int64_t *persons, size_t n_persons,
			size_t expect, struct kith_store_turn_row **out, size_t *n);

#endif
