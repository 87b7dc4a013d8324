/* msgid.c: message-id lists (see msgid.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "hdrfield.h"
#include "hdrtext.h"
#include "msgid.h"

struct span { size_t off, len; };

struct spans {
	struct span *v;
	size_t n, cap;
	int oom;
};

static void spans_add(struct spans *sp, size_t off, size_t len)
{
	struct span *v;

	if (sp->oom || len == 0)
		return;
	if (!(v = kith_grow(sp->v, &sp->cap, sp->n, sizeof(*v), 16))) {
		sp->oom = 1;
		return;
	}
	sp->v = v;
	sp->v[sp->n].off = off;
	sp->v[sp->n++].len = len;
}

/* Finds every "<...>" outside comments and quotes.  Returns 1 when
 * something was malformed (an unclosed '<'). */
static int scan_angle(const char *s, size_t n, struct spans *sp)
{
	size_t i = 0, j, st;

	while (i < n) {
		if (s[i] == '(') {
			i = kith_skip_comment(s, n, i);
		} else if (s[i] == '"') {
			i = kith_skip_quoted(s, n, i);
		} else if (s[i] == '<') {
			st = i + 1;
			for (j = st; j < n && s[j] != '>'; j++)
				if (s[j] == '<')
					st = j + 1; /* "<junk <id>": the inner one */
			if (j == n)
				return 1;
			spans_add(sp, st, j - st);
			i = j + 1;
		} else {
			i++;
		}
	}
	return 0;
}

/* Fallback for values without a complete "<...>": words shaped like
 * "x@y", stray brackets trimmed. */
static void scan_bare(const char *s, size_t n, struct spans *sp)
{
	size_t i = 0, st, e;

	while (i < n) {
		while (i < n && (kith_is_wsp((unsigned char)s[i]) || s[i] == ','))
			i++;
		for (st = i; i < n && !kith_is_wsp((unsigned char)s[i]) && s[i] != ','; i++)
			;
		e = i;
		while (st < e && (s[st] == '<' || s[st] == '('))
			st++;
		while (e > st && (s[e - 1] == '>' || s[e - 1] == ')'))
			e--;
		if (e > st + 2 && memchr(s + st + 1, '@', e - st - 2))
			spans_add(sp, st, e - st);
	}
}

/* Copies an id without whitespace and control bytes, as clean UTF-8. */
static char *id_dup(const char *s, size_t n)
{
	struct kith_hbuf raw, out;
	size_t i;
	char *r;

	kith_hbuf_init(&raw);
	kith_hbuf_init(&out);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] > ' ' && s[i] != 0x7F)
			kith_hbuf_putc(&raw, s[i]);
	if (raw.len == 0 && !raw.oom) {
		kith_hbuf_free(&raw);
		return strdup(""); /* caller treats "" as no id */
	}
	kith_utf8_put_clean(&out, raw.p, raw.len);
	if (raw.oom)
		out.oom = 1;
	kith_hbuf_free(&raw);
	r = kith_hbuf_take(&out);
	return r;
}

/* Collects id spans; returns 1 when the value needed repair. */
static int collect(const char *s, size_t n, struct spans *sp)
{
	int rep = scan_angle(s, n, sp);

	if (sp->n == 0) {
		scan_bare(s, n, sp);
		rep = 1;
	}
	return rep;
}

int kith_msgid_first(const char *s, size_t n, char **out)
{
	struct spans sp = {0};
	int rep = collect(s, n, &sp);
	size_t i;

	*out = NULL;
	for (i = 0; i < sp.n && !*out; i++) {
		char *id = id_dup(s + sp.v[i].off, sp.v[i].len);

		if (!id) {
			free(sp.v);
			return -ENOMEM;
		}
		if (*id)
			*out = id;
		else
			free(id);
	}
	if (sp.oom) {
		free(*out);
		*out = NULL;
		free(sp.v);
		return -ENOMEM;
	}
	free(sp.v);
	return (rep || !*out) ? 1 : 0;
}

static void free_ids(char **v, size_t n)
{
	while (n > 0)
		free(v[--n]);
	free(v);
}

/* 1 when id is among kept[0..n). */
static int seen(char *const *kept, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(kept[i], id) == 0)
			return 1;
	return 0;
}

/* Walks ids newest first so that the cap keeps the newest and each repeat
 * stays where it last appeared; O(ids * cap) worst case, cap is small. */
int kith_msgid_list(const char *s, size_t n, size_t cap, char ***v, size_t *nv)
{
	struct spans sp = {0};
	int rep = collect(s, n, &sp);
	char **kept = NULL, *id;
	size_t k = 0, i;

	*v = NULL;
	*nv = 0;
	if (sp.oom)
		goto oom;
	if (sp.n && cap && !(kept = malloc((sp.n < cap ? sp.n : cap) * sizeof(*kept))))
		goto oom;
	for (i = sp.n; i > 0 && k < cap; i--) {
		id = id_dup(s + sp.v[i - 1].off, sp.v[i - 1].len);
		if (!id)
			goto oom;
		if (*id == '\0' || seen(kept, k, id)) {
			free(id);
			continue;
		}
		kept[k++] = id;
	}
	for (i = 0; i < k / 2; i++) { /* oldest first */
		id = kept[i];
		kept[i] = kept[k - 1 - i];
		kept[k - 1 - i] = id;
	}
	free(sp.v);
	if (k == 0) {
		free(kept);
		kept = NULL;
	}
	*v = kept;
	*nv = k;
	return (rep || k == 0) ? 1 : 0;
oom:
	free_ids(kept, k);
	free(sp.v);
	return -ENOMEM;
}
