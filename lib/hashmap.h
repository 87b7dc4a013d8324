/* hashmap.h: two small open-addressing hash maps for the analysis.
 *
 * kith_smap: string key -> value; the map owns a copy of each key,
 *   or, made with kith_smap_init_borrowed, borrows keys that outlive it.
 * kith_umap: uint64_t key -> value.
 * Values are indices up to KITH_MAP_VAL_MAX, or (size_t)-1 (the "none"
 * the analysis caches); they are stored in 32 bits so that a slot is 16
 * bytes, a kith_umap's 12 and a bit (the analysis' maps hold up to a few
 * million keys at its memory peak); any other value is refused with
 * -EOVERFLOW.  Both grow by
 * doubling (load <= 3/4), so inserts and lookups are O(1) expected;
 * nothing is ever removed.  Internal to lib/.
 */
#ifndef KITH_HASHMAP_H
#define KITH_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

#define KITH_MAP_VAL_MAX ((size_t)UINT32_MAX - 1)

struct kith_sslot { char *key; uint32_t hash, val; };
struct kith_smap { struct kith_sslot *slots; size_t cap, len; int borrowed; };

/* Keys, values and a bit per slot (used) in three arrays of one block. */
struct kith_umap { uint64_t *keys; uint64_t *used; uint32_t *vals; size_t cap, len; };

void kith_smap_init(struct kith_smap *m);
/* A map that stores the caller's key pointers instead of copies: every key
 * put must stay valid and unchanged until kith_smap_free.  Why: the
 * analysis maps 100k Message-IDs the caller's records already hold. */
void kith_smap_init_borrowed(struct kith_smap *m);
void kith_smap_free(struct kith_smap *m);
/* 1 and *val when key is present, else 0. */
int kith_smap_get(const struct kith_smap *m, const char *key, size_t *val);
/* Inserts key (copied) with val, or overwrites an existing value.
 * Returns 0, -ENOMEM or -EOVERFLOW. */
int kith_smap_put(struct kith_smap *m, const char *key, size_t val);
/* Looks key up; when absent inserts it with val.  *out gets the stored
 * value.  Returns 1 inserted, 0 found, -ENOMEM or -EOVERFLOW. */
int kith_smap_intern(struct kith_smap *m, const char *key, size_t val, size_t *out);

void kith_umap_init(struct kith_umap *m);
void kith_umap_free(struct kith_umap *m);
int kith_umap_get(const struct kith_umap *m, uint64_t key, size_t *val);
int kith_umap_intern(struct kith_umap *m, uint64_t key, size_t val, size_t *out);

uint64_t kith_hash_str(const char *s);

#endif
