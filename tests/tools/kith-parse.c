/* kith-parse: run kith's header parser over message files.
 *
 *   kith-parse [--stats] [--repeat N] [FILE...]
 *
 * Files come from argv, or one path per line on stdin when none are given.
 * Default: one tab-separated line per file:
 *   file key message_id in_reply_to n_refs last_ref date from n_to n_cc
 *   n_rcpt_total list_id signals parse_errors subject
 * (empty columns as "-").  --stats prints counts instead (key=value lines);
 * --repeat parses each file N times, for timing.  Exit 1 when a file could
 * not be read, 2 on usage errors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hdr.h"

struct stats {
	size_t files, unreadable, with_errors, no_date, no_from, no_msgid, with_irt,
		with_refs, no_subject, rcpt_total;
	uint64_t parse_errors;
	char (*keys)[33];
	size_t n_keys, cap_keys;
	double seconds;
	uint64_t parses;
};

static int read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 0, n = 0, r;
	char *b = NULL, *nb;

	if (!f)
		return -errno;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			nb = realloc(b, cap);
			if (!nb) {
				free(b);
				fclose(f);
				return -ENOMEM;
			}
			b = nb;
		}
		r = fread(b + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	*buf = b;
	*len = n;
	return 0;
}

static const char *or_dash(const char *s)
{
	return (s && *s) ? s : "-";
}

static void print_line(const char *path, const struct kith_msg *m, const char *key)
{
	printf("%s\t%s\t%s\t%s\t%u\t%s\t", path, key, or_dash(m->message_id),
	       or_dash(m->in_reply_to), (unsigned)m->n_refs,
	       m->n_refs ? m->refs[m->n_refs - 1] : "-");
	if (m->date == KITH_DATE_NONE)
		printf("-\t");
	else
		printf("%" PRId64 "\t", m->date);
	printf("%s\t%u\t%u\t%" PRIu32 "\t%s\t0x%04" PRIx32 "\t%" PRIu32 "\t%s\n",
	       or_dash(m->from.addr), (unsigned)m->n_to, (unsigned)m->n_cc, m->n_rcpt_total,
	       or_dash(m->list_id), m->signals, m->parse_errors, or_dash(m->subject));
}

static int add_key(struct stats *st, const char *key)
{
	if (st->n_keys == st->cap_keys) {
		size_t cap = st->cap_keys ? st->cap_keys * 2 : 1024;
		char (*k)[33] = realloc(st->keys, cap * sizeof(*k));

		if (!k)
			return -ENOMEM;
		st->keys = k;
		st->cap_keys = cap;
	}
	memcpy(st->keys[st->n_keys++], key, 33);
	return 0;
}

static void count(struct stats *st, const struct kith_msg *m)
{
	st->files++;
	st->parse_errors += m->parse_errors;
	st->with_errors += m->parse_errors > 0;
	st->no_date += m->date == KITH_DATE_NONE;
	st->no_from += m->from.addr == NULL;
	st->no_msgid += m->message_id == NULL;
	st->with_irt += m->in_reply_to != NULL;
	st->with_refs += m->n_refs > 0;
	st->no_subject += m->subject == NULL;
	st->rcpt_total += m->n_rcpt_total;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Parses one file (repeat times); prints or counts the result. */
static int one(const char *path, struct stats *st, int stats, long repeat)
{
	struct kith_msg m;
	char *buf = NULL, key[33];
	size_t len = 0;
	long i;
	double t0;
	int r = read_file(path, &buf, &len);

	if (r < 0) {
		fprintf(stderr, "kith-parse: %s: %s\n", path, strerror(-r));
		st->unreadable++;
		return 0;
	}
	t0 = now_s();
	for (i = 0; i < repeat; i++) {
		if (i > 0)
			kith_msg_free(&m);
		if ((r = kith_hdr_parse(buf, len, &m)) < 0)
			break;
	}
	st->seconds += now_s() - t0;
	st->parses += (uint64_t)repeat;
	free(buf);
	if (r < 0)
		return r;
	kith_msg_key(&m, key);
	if (stats) {
		count(st, &m);
		r = add_key(st, key);
	} else {
		print_line(path, &m, key);
	}
	kith_msg_free(&m);
	return r;
}

static int cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, 33);
}

static void print_stats(struct stats *st)
{
	size_t i, distinct = 0;

	qsort(st->keys, st->n_keys, sizeof(st->keys[0]), cmp_key);
	for (i = 0; i < st->n_keys; i++)
		distinct += i == 0 || memcmp(st->keys[i], st->keys[i - 1], 33) != 0;
	printf("files=%zu\nunreadable=%zu\ndistinct_keys=%zu\nparse_errors=%" PRIu64
	       "\nfiles_with_errors=%zu\nno_date=%zu\nno_from=%zu\nno_message_id=%zu\n"
	       "with_in_reply_to=%zu\nwith_references=%zu\nno_subject=%zu\nrcpt_total=%zu\n",
	       st->files, st->unreadable, distinct, st->parse_errors, st->with_errors,
	       st->no_date, st->no_from, st->no_msgid, st->with_irt, st->with_refs,
	       st->no_subject, st->rcpt_total);
	printf("parses=%" PRIu64 "\nparse_seconds=%.3f\nheaders_per_second=%.0f\n", st->parses,
	       st->seconds, st->seconds > 0 ? (double)st->parses / st->seconds : 0.0);
}

/* File names, one per line, from stdin. */
static int from_stdin(struct stats *st, int stats, long repeat)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int r = 0;

	while (r == 0 && (n = getline(&line, &cap, stdin)) > 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n > 0)
			r = one(line, st, stats, repeat);
	}
	free(line);
	return r;
}

int main(int argc, char **argv)
{
	struct stats st;
	int stats = 0, i = 1, r = 0;
	long repeat = 1;

	memset(&st, 0, sizeof(st));
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--stats") == 0) {
			stats = 1;
		} else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
			repeat = strtol(argv[++i], NULL, 10);
			if (repeat < 1)
				repeat = 1;
		} else {
			fprintf(stderr, "usage: kith-parse [--stats] [--repeat N] [FILE...]\n");
			return 2;
		}
	}
	if (!stats)
		printf("file\tkey\tmessage_id\tin_reply_to\tn_refs\tlast_ref\tdate\tfrom\tn_to\t"
		       "n_cc\tn_rcpt_total\tlist_id\tsignals\tparse_errors\tsubject\n");
	if (i == argc)
		r = from_stdin(&st, stats, repeat);
	for (; i < argc && r == 0; i++)
		r = one(argv[i], &st, stats, repeat);
	if (stats)
		print_stats(&st);
	free(st.keys);
	if (r < 0) {
		fprintf(stderr, "kith-parse: %s\n", strerror(-r));
		return 1;
	}
	return st.unreadable ? 1 : 0;
}
