/* store_priv.h: what store.c shares with the store's other files
 * (store_report.c), and nobody else: the SQLite connection and the
 * mapping of SQLite errors to negative errnos (text kept for
 * kith_store_errmsg). */
#ifndef KITH_STORE_PRIV_H
#define KITH_STORE_PRIV_H

#include <sqlite3.h>
#include "store.h"

sqlite3 *kith_store__db(struct kith_store *s);   /* borrowed, lives as long as s */
int kith_store__err(struct kith_store *s, int rc);

#endif
