/* tasks_ical.c: follow-up tasks as iCalendar files in a vdir (tasks.h).
 *
 * The only file that sees libical.  One VCALENDAR with one VTODO (or an
 * all-day VEVENT) per file, named <UID>.ics.  Each sync:
 *   1. looks at the files of the tasks kith wrote before: a file the user
 *      deleted, completed or cancelled is respected for that episode;
 *   2. writes the wanted tasks that are new or changed (SEQUENCE bumped),
 *      reading the file first so properties kith does not own survive;
 *   3. completes (never deletes) open tasks that are no longer wanted.
 * Files are written atomically: a dot-named temp file in the same folder,
 * fsync, rename, fsync of the folder.  libical strings come from the *_r
 * functions (the caller frees); only root components are freed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libical/ical.h>

#include "../util/fsutil.h"
#include "../daemon/log.h"
#include "tasks.h"

#define PRODID "-//kith//kith follow-ups 1.0//EN"
#define DISPLAYNAME "kith follow-ups"
#define COLOR "#2E7D32"
#define MAX_FILE (4u << 20)

struct tctx {
	const struct kith_task_opts *o;
	int64_t now;
	char *err;
	size_t errlen;
	struct kith_task_record **rec;
	size_t *n_rec;
	size_t cap;
	unsigned char *wanted; /* per record: a want maps to it this sync */
	size_t wanted_cap;
	unsigned written, completed, skipped;
};

/* What the file of one task holds now. */
struct fstate {
	int exists;
	char etag[64];
	icalcomponent *root; /* owned; NULL when absent or unparsable */
	icalcomponent *item; /* inside root: the VTODO/VEVENT */
};

static void fstate_free(struct fstate *fs)
{
	if (fs->root)
		icalcomponent_free(fs->root);
	memset(fs, 0, sizeof(*fs));
}

static void set_err(struct tctx *t, int r, const char *what, const char *path)
{
	if (t->err && t->errlen && !t->err[0])
		snprintf(t->err, t->errlen, "%s %s: %s", what, path, strerror(-r));
}

static void etag_of(const char *data, size_t len, char out[64])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)data[i];
		h *= 0x100000001b3ULL;
	}
	snprintf(out, 64, "fnv1a64:%016llx:%zu", (unsigned long long)h, len);
}

static int uid_valid(const char *u)
{
	size_t n = 0;

	if (!u || !*u || *u == '.')
		return 0;
	for (; *u; u++, n++)
		if (!((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') ||
		      (*u >= '0' && *u <= '9') || strchr("._+-", *u)))
			return 0;
	return n <= 200;
}

/* ---- files ----------------------------------------------------------- */

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL)
		r = -errno;
	close(fd);
	return r;
}

/* Why: a reader (todoman, vdirsyncer) must never see half a file, and a
 * crash must leave the old file or the new one; dot-named temp files are
 * skipped by vdir readers.  The file is 0600 whatever the umask. */
static int write_atomic(const char *dir, const char *name, const char *data, size_t len)
{
	char tmp[PATH_MAX], dst[PATH_MAX];
	int fd, r;

	if ((size_t)snprintf(dst, sizeof(dst), "%s/%s", dir, name) >= sizeof(dst) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = fchmod(fd, 0600) < 0 ? -errno : 0;
	if (r == 0)
		r = kith_write_all(fd, data, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, dst) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	return fsync_dir(dir);
}

/* Reads a whole file (NUL-terminated).  -ENOENT when absent, -EFBIG when
 * larger than MAX_FILE. */
static int read_file(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	int r = 0;

	*out = NULL;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > MAX_FILE) {
		r = -EFBIG;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	while (n < (size_t)st.st_size) {
		ssize_t g = read(fd, buf + n, (size_t)st.st_size - n);

		if (g < 0 && errno == EINTR)
			continue;
		if (g <= 0) {
			r = g < 0 ? -errno : 0;
			break;
		}
		n += (size_t)g;
	}
	buf[n] = '\0';
out:
	close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* Writes name in dir unless it already holds exactly `data`. */
static int write_if_changed(const char *dir, const char *name, const char *data)
{
	char path[PATH_MAX], *old = NULL;
	size_t len = 0;
	int same;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	same = read_file(path, &old, &len) == 0 && len == strlen(data) &&
	       memcmp(old, data, len) == 0;
	free(old);
	return same ? 0 : write_atomic(dir, name, data, strlen(data));
}

static icalcomponent_kind item_kind(const struct tctx *t)
{
	return t->o->as_events ? ICAL_VEVENT_COMPONENT : ICAL_VTODO_COMPONENT;
}

/* Reads the task's file into fs.  0 (fs->exists tells), or negative on a
 * read error other than absence. */
static int load_file(struct tctx *t, const char *uid, struct fstate *fs)
{
	char path[PATH_MAX], *data = NULL;
	size_t len = 0;
	int r;

	memset(fs, 0, sizeof(*fs));
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.ics", t->o->dir, uid) >= sizeof(path))
		return -ENAMETOOLONG;
	r = read_file(path, &data, &len);
	if (r == -ENOENT)
		return 0;
	fs->exists = 1;
	if (r < 0)
		return r == -EFBIG ? 0 : r; /* too big: exists, unparsable */
	etag_of(data, len, fs->etag);
	fs->root = icalparser_parse_string(data);
	free(data);
	if (fs->root && icalcomponent_isa(fs->root) == ICAL_VCALENDAR_COMPONENT)
		fs->item = icalcomponent_get_first_component(fs->root, item_kind(t));
	if (!fs->item && fs->root) {
		icalcomponent_free(fs->root);
		fs->root = NULL;
	}
	return 0;
}

/* ---- reading and writing properties ---------------------------------- */

static int item_closed(icalcomponent *item)
{
	icalproperty *p = icalcomponent_get_first_property(item, ICAL_STATUS_PROPERTY);
	enum icalproperty_status s = p ? icalproperty_get_status(p) : ICAL_STATUS_NONE;

	if (s == ICAL_STATUS_COMPLETED || s == ICAL_STATUS_CANCELLED)
		return 1;
	return icalcomponent_isa(item) == ICAL_VTODO_COMPONENT &&
	       icalcomponent_get_first_property(item, ICAL_COMPLETED_PROPERTY) != NULL;
}

static int item_sequence(icalcomponent *item)
{
	icalproperty *p = icalcomponent_get_first_property(item, ICAL_SEQUENCE_PROPERTY);

	return p ? icalproperty_get_sequence(p) : 0;
}

static void drop(icalcomponent *c, icalproperty_kind k)
{
	icalproperty *p;

	while ((p = icalcomponent_get_first_property(c, k)) != NULL) {
		icalcomponent_remove_property(c, p);
		icalproperty_free(p);
	}
}

static void put(icalcomponent *c, icalproperty_kind k, icalproperty *p)
{
	drop(c, k);
	if (p)
		icalcomponent_add_property(c, p);
}

/* Our CATEGORIES go; the user's own categories stay.  libical splits a
 * list value into one property per category when it parses a file. */
static int our_category(const char *v)
{
	static const char *const ours[] = { "kith", "reply", "waiting", "keep-in-touch" };
	size_t i;

	if (!v)
		return 0;
	if (strncasecmp(v, "kith,", 5) == 0)
		return 1;
	for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		if (strcasecmp(v, ours[i]) == 0)
			return 1;
	return 0;
}

/* Why: libical splits "CATEGORIES:kith,reply" into one property per value
 * when it parses, and writes them back as separate lines, which todoman 4
 * cannot read.  So: one CATEGORIES line, ours first, the user's kept. */
static int put_categories(icalcomponent *c, enum kith_task_kind kind)
{
	char buf[1024];
	size_t k;
	icalproperty *p, *next;

	k = (size_t)snprintf(buf, sizeof(buf), "kith,%s", kith_task_kind_name(kind));
	for (p = icalcomponent_get_first_property(c, ICAL_CATEGORIES_PROPERTY); p; p = next) {
		const char *v = icalproperty_get_categories(p);

		next = icalcomponent_get_next_property(c, ICAL_CATEGORIES_PROPERTY);
		if (v && *v && !our_category(v) && k + strlen(v) + 2 < sizeof(buf))
			k += (size_t)snprintf(buf + k, sizeof(buf) - k, ",%s", v);
		icalcomponent_remove_property(c, p);
		icalproperty_free(p);
	}
	p = icalproperty_new_categories(buf);
	if (!p)
		return -ENOMEM;
	icalcomponent_add_property(c, p);
	return 0;
}

static struct icaltimetype utc_time(int64_t t)
{
	return icaltime_from_timet_with_zone((time_t)t, 0, icaltimezone_get_utc_timezone());
}

static struct icaltimetype utc_date(int64_t t)
{
	return icaltime_from_timet_with_zone((time_t)t, 1, icaltimezone_get_utc_timezone());
}

static int64_t prop_time(icalcomponent *item, icalproperty_kind k)
{
	icalproperty *p = icalcomponent_get_first_property(item, k);
	struct icaltimetype tt;

	if (!p)
		return INT64_MIN;
	tt = icalproperty_get_datetime_with_component(p, item);
	if (icaltime_is_null_time(tt))
		return INT64_MIN;
	return (int64_t)icaltime_as_timet_with_zone(tt, icaltimezone_get_utc_timezone());
}

/* Why: the user may rename, reschedule or reprioritise a task in their app;
 * when the file's value differs from what kith last wrote, theirs wins. */
struct user_kept {
	int summary, due, priority;
};

static struct user_kept user_changes(const struct tctx *t, const struct kith_task_record *r,
				     icalcomponent *item)
{
	struct user_kept k = { 0, 0, 0 };
	icalproperty *p;
	const char *s;

	if (!item || !r->summary)
		return k; /* nothing known of what kith wrote */
	s = icalcomponent_get_summary(item);
	k.summary = s && strcmp(s, r->summary) != 0;
	if (!t->o->as_events)
		k.due = prop_time(item, ICAL_DUE_PROPERTY) != INT64_MIN &&
			prop_time(item, ICAL_DUE_PROPERTY) != r->due;
	p = icalcomponent_get_first_property(item, ICAL_PRIORITY_PROPERTY);
	k.priority = p && icalproperty_get_priority(p) != r->priority;
	return k;
}

/* Sets what a want says: text, link, due, priority. */
static int put_content(const struct tctx *t, icalcomponent *item,
		       const struct kith_task_want *w, const struct kith_task_record *r,
		       struct user_kept keep)
{
	char *url = kith_mid_url(w->message_id);

	if (w->message_id && *w->message_id && !url)
		return -ENOMEM;
	if (!keep.summary)
		put(item, ICAL_SUMMARY_PROPERTY, icalproperty_new_summary(w->summary));
	put(item, ICAL_DESCRIPTION_PROPERTY,
	    w->description ? icalproperty_new_description(w->description) : NULL);
	put(item, ICAL_URL_PROPERTY, url ? icalproperty_new_url(url) : NULL);
	if (!keep.priority)
		put(item, ICAL_PRIORITY_PROPERTY, icalproperty_new_priority(w->priority));
	if (t->o->as_events) {
		int64_t day = w->due > r->created ? w->due : r->created;

		put(item, ICAL_DTSTART_PROPERTY, icalproperty_new_dtstart(utc_date(day)));
		put(item, ICAL_DTEND_PROPERTY, icalproperty_new_dtend(utc_date(day + 86400)));
		put(item, ICAL_TRANSP_PROPERTY, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
	} else if (!keep.due) {
		put(item, ICAL_DUE_PROPERTY, icalproperty_new_due(utc_time(w->due)));
	}
	free(url);
	return 0;
}

static void put_status(const struct tctx *t, icalcomponent *item, int open)
{
	if (t->o->as_events) {
		put(item, ICAL_STATUS_PROPERTY, icalproperty_new_status(open ? ICAL_STATUS_CONFIRMED
									    : ICAL_STATUS_CANCELLED));
		return;
	}
	put(item, ICAL_STATUS_PROPERTY, icalproperty_new_status(open ? ICAL_STATUS_NEEDSACTION
								    : ICAL_STATUS_COMPLETED));
	put(item, ICAL_COMPLETED_PROPERTY, open ? NULL : icalproperty_new_completed(utc_time(t->now)));
	put(item, ICAL_PERCENTCOMPLETE_PROPERTY, open ? NULL : icalproperty_new_percentcomplete(100));
}

static void put_stamps(const struct tctx *t, icalcomponent *item,
		       const struct kith_task_record *r, int seq)
{
	put(item, ICAL_UID_PROPERTY, icalproperty_new_uid(r->uid));
	put(item, ICAL_DTSTAMP_PROPERTY, icalproperty_new_dtstamp(utc_time(t->now)));
	put(item, ICAL_CREATED_PROPERTY, icalproperty_new_created(utc_time(r->created)));
	put(item, ICAL_LASTMODIFIED_PROPERTY, icalproperty_new_lastmodified(utc_time(t->now)));
	put(item, ICAL_SEQUENCE_PROPERTY, icalproperty_new_sequence(seq));
}

/* The calendar to write: the file's own (keeping everything kith does not
 * own) or a fresh one. */
static icalcomponent *base_calendar(const struct tctx *t, struct fstate *fs,
				    icalcomponent **item)
{
	icalcomponent *cal;

	if (fs->root && fs->item) {
		cal = fs->root;
		*item = fs->item;
		fs->root = fs->item = NULL; /* ownership moves to the caller */
	} else {
		cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
		*item = icalcomponent_new(item_kind(t));
		if (!cal || !*item) {
			if (cal)
				icalcomponent_free(cal);
			if (*item)
				icalcomponent_free(*item);
			return NULL;
		}
		icalcomponent_add_component(cal, *item);
	}
	put(cal, ICAL_PRODID_PROPERTY, icalproperty_new_prodid(PRODID));
	put(cal, ICAL_VERSION_PROPERTY, icalproperty_new_version("2.0"));
	return cal;
}

static int replace_str(char **dst, const char *src)
{
	char *c = src ? strdup(src) : NULL;

	if (src && !c)
		return -ENOMEM;
	free(*dst);
	*dst = c;
	return 0;
}

/* Writes the task's file: content from w (NULL: keep the file's), status
 * open or closed.  Updates r (etag, sequence, modified, and what kith wrote)
 * only once the file is in place. */
static int render(struct tctx *t, struct kith_task_record *r,
		  const struct kith_task_want *w, struct fstate *fs, int open)
{
	struct user_kept keep = user_changes(t, r, fs->item);
	int seq = r->sequence, r2 = 0;
	icalcomponent *cal, *item;
	char name[256], etag[64], *data;

	if (fs->item && item_sequence(fs->item) > seq)
		seq = item_sequence(fs->item);
	if (r->modified || fs->item)
		seq++;
	cal = base_calendar(t, fs, &item);
	if (!cal)
		return -ENOMEM;
	if (w)
		r2 = put_content(t, item, w, r, keep);
	if (r2 == 0)
		r2 = put_categories(item, r->kind);
	put_status(t, item, open);
	put_stamps(t, item, r, seq);
	data = r2 == 0 ? icalcomponent_as_ical_string_r(cal) : NULL;
	icalcomponent_free(cal);
	if (!data)
		return r2 < 0 ? r2 : -ENOMEM;
	snprintf(name, sizeof(name), "%s.ics", r->uid);
	etag_of(data, strlen(data), etag);
	r2 = write_atomic(t->o->dir, name, data, strlen(data));
	free(data);
	if (r2 < 0) {
		set_err(t, r2, "cannot write task", name);
		return r2;
	}
	if (replace_str(&r->etag, etag) < 0)
		return -ENOMEM;
	if (w && ((!keep.summary && replace_str(&r->summary, w->summary) < 0)))
		return -ENOMEM;
	if (w) {
		r->due = keep.due ? r->due : w->due;
		r->priority = keep.priority ? r->priority : w->priority;
	}
	r->sequence = seq;
	r->modified = t->now;
	t->written++;
	return 0;
}

/* ---- the record list -------------------------------------------------- */

static ssize_t find_record(const struct tctx *t, const char *uid)
{
	size_t i;

	for (i = 0; i < *t->n_rec; i++)
		if ((*t->rec)[i].uid && strcmp((*t->rec)[i].uid, uid) == 0)
			return (ssize_t)i;
	return -1;
}

static int grow(struct tctx *t)
{
	size_t n = *t->n_rec;

	if (n + 1 > t->cap) {
		size_t cap = (n + 1) * 2;
		struct kith_task_record *v = realloc(*t->rec, cap * sizeof(*v));
		unsigned char *m = realloc(t->wanted, cap);

		if (v)
			*t->rec = v;
		if (m)
			t->wanted = m;
		if (!v || !m)
			return -ENOMEM;
		memset(t->wanted + n, 0, cap - n);
		t->cap = cap;
	}
	return 0;
}

/* Appends a record for a new want; returns its index or -ENOMEM. */
static ssize_t add_record(struct tctx *t, const struct kith_task_want *w)
{
	struct kith_task_record *r;

	if (grow(t) < 0)
		return -ENOMEM;
	r = &(*t->rec)[*t->n_rec];
	memset(r, 0, sizeof(*r));
	r->uid = strdup(w->uid);
	r->person_key = strdup(w->person_key ? w->person_key : "");
	r->episode = strdup(w->episode ? w->episode : "");
	r->kind = w->kind;
	r->status = KITH_TS_OPEN;
	r->created = t->now;
	if (!r->uid || !r->person_key || !r->episode) {
		free(r->uid);
		free(r->person_key);
		free(r->episode);
		return -ENOMEM;
	}
	return (ssize_t)(*t->n_rec)++;
}

/* ---- decisions ------------------------------------------------------- */

/* Looks at the file of a task kith wrote before and notes what the user
 * did to it.  fs is loaded for the caller to reuse. */
static int observe(struct tctx *t, struct kith_task_record *r, struct fstate *fs)
{
	int rc = load_file(t, r->uid, fs);

	if (rc < 0)
		return rc;
	if (!fs->exists) {
		if (r->status == KITH_TS_OPEN || r->status == KITH_TS_DONE) {
			r->status = KITH_TS_USER_DELETED;
			r->modified = t->now;
		}
		return 0;
	}
	if (!fs->item || (r->etag && strcmp(fs->etag, r->etag) == 0))
		return 0; /* unparsable (left alone) or as kith wrote it */
	/* changed outside kith */
	if (item_closed(fs->item) && (r->status == KITH_TS_OPEN || r->status == KITH_TS_DONE)) {
		r->status = KITH_TS_USER_DONE;
		r->modified = t->now;
	}
	return replace_str(&r->etag, fs->etag);
}

/* Why: a kill between writing the files and saving the records loses the
 * records, not the files.  An open file that already says what kith wants
 * is taken back as it is; rewriting it would bump SEQUENCE and show the
 * user's calendar a change that never happened.  Returns 1 when adopted. */
static int adopt_unchanged(struct tctx *t, struct kith_task_record *r,
			   const struct kith_task_want *w, struct fstate *fs)
{
	icalproperty *pp;
	const char *summary;

	if (t->o->as_events || icalcomponent_isa(fs->item) != ICAL_VTODO_COMPONENT)
		return 0;
	summary = icalcomponent_get_summary(fs->item);
	pp = icalcomponent_get_first_property(fs->item, ICAL_PRIORITY_PROPERTY);
	if (!summary || !w->summary || strcmp(summary, w->summary) != 0 || !pp ||
	    icalproperty_get_priority(pp) != w->priority ||
	    prop_time(fs->item, ICAL_DUE_PROPERTY) != w->due)
		return 0;
	if (replace_str(&r->summary, w->summary) < 0 || replace_str(&r->etag, fs->etag) < 0)
		return -ENOMEM;
	r->due = w->due;
	r->priority = w->priority;
	r->sequence = item_sequence(fs->item);
	r->created = prop_time(fs->item, ICAL_CREATED_PROPERTY);
	r->modified = prop_time(fs->item, ICAL_LASTMODIFIED_PROPERTY);
	if (r->created == INT64_MIN)
		r->created = t->now;
	if (r->modified == INT64_MIN)
		r->modified = t->now;
	return 1;
}

/* Loads the file of a task about to be written for the first time; 1
 * when one is there that does not parse (left alone, the want skipped). */
static int load_first(struct tctx *t, const char *uid, struct fstate *fs)
{
	int rc = load_file(t, uid, fs);

	if (rc == 0 && fs->exists && !fs->item) {
		log_warn("task file %s.ics does not parse; left alone", uid);
		t->skipped++;
		return 1;
	}
	return rc;
}

/* Writes record i's task for the first time, fs its file as loaded: a
 * file left from a lost record is adopted (closed ones stay closed), else
 * a new one is written. */
static int write_first(struct tctx *t, size_t i, const struct kith_task_want *w,
		       struct fstate *fs)
{
	struct kith_task_record *r = &(*t->rec)[i];
	int rc;

	if (fs->item && item_closed(fs->item)) {
		r->status = KITH_TS_USER_DONE;
		r->sequence = item_sequence(fs->item);
		return replace_str(&r->etag, fs->etag);
	}
	if (fs->item) {
		rc = adopt_unchanged(t, r, w, fs);
		if (rc != 0)
			return rc < 0 ? rc : 0;
	}
	return render(t, r, w, fs, 1);
}

/* A want with no record: a new task (created now). */
static int want_new(struct tctx *t, const struct kith_task_want *w)
{
	struct fstate fs;
	ssize_t i = -1;
	int rc = load_first(t, w->uid, &fs);

	if (rc == 0 && (i = add_record(t, w)) < 0)
		rc = (int)i;
	if (rc == 0) {
		t->wanted[i] = 1;
		rc = write_first(t, (size_t)i, w, &fs);
	}
	fstate_free(&fs);
	return rc < 0 ? rc : 0;
}

/* Why: a task the cap held back before it was ever written (KITH_TS_HELD,
 * no file) keeps the day kith first wanted it as its creation; written
 * now, its CREATED says that day. */
static int want_held(struct tctx *t, size_t i, const struct kith_task_want *w)
{
	struct kith_task_record *r = &(*t->rec)[i];
	struct fstate fs;
	int rc = load_first(t, w->uid, &fs);

	if (rc == 0) {
		r->status = KITH_TS_OPEN;
		if (r->created <= 0 || r->created > t->now)
			r->created = t->now;
		rc = write_first(t, i, w, &fs);
	}
	fstate_free(&fs);
	return rc < 0 ? rc : 0;
}

static int unwanted(struct tctx *t, size_t i);

static int material_change(const struct kith_task_record *r, const struct kith_task_want *w)
{
	return !r->summary || strcmp(r->summary, w->summary) != 0 || r->due != w->due ||
	       r->priority != w->priority;
}

static int want_known(struct tctx *t, size_t i, const struct kith_task_want *w)
{
	struct kith_task_record *r = &(*t->rec)[i];
	struct fstate fs;
	int rc = 0;

	t->wanted[i] = 1;
	if (r->status == KITH_TS_HELD && (!r->etag || !r->etag[0]))
		return want_held(t, i, w);
	if (r->status == KITH_TS_DONE_BY_HAND)
		return unwanted(t, i); /* `kith done` closes it whatever kith wants */
	if (r->status != KITH_TS_OPEN && r->status != KITH_TS_DONE)
		return 0; /* the user's decision stands */
	rc = observe(t, r, &fs);
	if (rc < 0 || !fs.item || r->status == KITH_TS_USER_DELETED ||
	    r->status == KITH_TS_USER_DONE)
		goto out;
	if (r->status == KITH_TS_DONE) { /* the episode is back: reopen */
		r->status = KITH_TS_OPEN;
		rc = render(t, r, w, &fs, 1);
	} else if (material_change(r, w)) {
		rc = render(t, r, w, &fs, 1);
	}
out:
	fstate_free(&fs);
	return rc;
}

/* A task no longer wanted: the exchange happened (or it left the horizon,
 * or was snoozed): complete it, never delete it. */
static int unwanted(struct tctx *t, size_t i)
{
	struct kith_task_record *r = &(*t->rec)[i];
	struct fstate fs;
	int rc;

	if (r->status != KITH_TS_OPEN && r->status != KITH_TS_DONE_BY_HAND)
		return 0;
	rc = observe(t, r, &fs);
	if (rc == 0 && fs.item && !item_closed(fs.item)) {
		rc = render(t, r, NULL, &fs, 0);
		if (rc == 0 && r->status == KITH_TS_OPEN)
			r->status = KITH_TS_DONE;
		if (rc == 0)
			t->completed++;
	} else if (rc == 0 && fs.item && r->status == KITH_TS_OPEN) {
		r->status = KITH_TS_DONE; /* already closed in the file */
	}
	fstate_free(&fs);
	return rc;
}

/* ---- metadata and feed ----------------------------------------------- */

static int write_metadata(struct tctx *t)
{
	int r = write_if_changed(t->o->dir, "displayname", DISPLAYNAME);

	if (r == 0)
		r = write_if_changed(t->o->dir, "color", COLOR);
	if (r < 0)
		set_err(t, r, "cannot write vdir metadata in", t->o->dir);
	return r;
}

static int feed_add(struct tctx *t, icalcomponent *cal, const struct kith_task_record *r,
		    const struct kith_task_want *w)
{
	icalcomponent *item = icalcomponent_new(item_kind(t));
	struct user_kept none = { 0, 0, 0 };
	struct tctx ft = *t;
	int rc;

	if (!item)
		return -ENOMEM;
	ft.now = r->modified ? r->modified : t->now; /* stable stamps: no churn */
	rc = put_content(&ft, item, w, r, none);
	if (rc == 0)
		rc = put_categories(item, r->kind);
	put_status(&ft, item, 1);
	put_stamps(&ft, item, r, r->sequence);
	icalcomponent_add_component(cal, item);
	return rc;
}

/* Splits path into its folder (into dir) and its last component. */
static int split_path(const char *path, char *dir, size_t len, const char **base)
{
	const char *slash = strrchr(path, '/');
	size_t dl = slash ? (slash == path ? 1 : (size_t)(slash - path)) : 1;

	if (dl >= len)
		return -ENAMETOOLONG;
	memcpy(dir, slash ? path : ".", dl);
	dir[dl] = '\0';
	*base = slash ? slash + 1 : path;
	return 0;
}

/* Why: some calendar apps subscribe to one URL or file, not a folder. */
static int write_feed(struct tctx *t, const struct kith_task_want *wants, size_t n_wants)
{
	icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	char *data = NULL, dir[PATH_MAX];
	const char *base;
	size_t i;
	ssize_t k;
	int rc = 0;

	if (!cal)
		return -ENOMEM;
	icalcomponent_add_property(cal, icalproperty_new_prodid(PRODID));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_x(DISPLAYNAME));
	icalproperty_set_x_name(icalcomponent_get_first_property(cal, ICAL_X_PROPERTY),
				"X-WR-CALNAME");
	for (i = 0; i < n_wants && rc == 0; i++) {
		if (!uid_valid(wants[i].uid) || (k = find_record(t, wants[i].uid)) < 0 ||
		    (*t->rec)[k].status != KITH_TS_OPEN)
			continue;
		rc = feed_add(t, cal, &(*t->rec)[k], &wants[i]);
	}
	if (rc == 0 && !(data = icalcomponent_as_ical_string_r(cal)))
		rc = -ENOMEM;
	icalcomponent_free(cal);
	if (rc == 0 && split_path(t->o->feed_path, dir, sizeof(dir), &base) < 0)
		rc = -ENAMETOOLONG;
	if (rc == 0)
		rc = write_if_changed(dir, base, data);
	if (rc < 0)
		set_err(t, rc, "cannot write feed", t->o->feed_path);
	free(data);
	return rc;
}

/* ---- entry point ----------------------------------------------------- */

static int sync_wants(struct tctx *t, const struct kith_task_want *wants, size_t n_wants)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n_wants && rc == 0; i++) {
		const struct kith_task_want *w = &wants[i];
		ssize_t k;

		if (!uid_valid(w->uid) || !w->summary) {
			t->skipped++;
			continue;
		}
		k = find_record(t, w->uid);
		if (k >= 0 && t->wanted[k])
			continue; /* duplicate want */
		rc = k >= 0 ? want_known(t, (size_t)k, w) : want_new(t, w);
	}
	for (i = 0; i < *t->n_rec && rc == 0; i++)
		if (!t->wanted[i] && uid_valid((*t->rec)[i].uid))
			rc = unwanted(t, i);
	return rc;
}

int kith_tasks_sync(const struct kith_task_opts *o,
		    const struct kith_task_want *wants, size_t n_wants,
		    struct kith_task_record **records, size_t *n_records,
		    int64_t now, char *err, size_t errlen)
{
	struct tctx t = { .o = o, .now = now, .err = err, .errlen = errlen,
			  .rec = records, .n_rec = n_records, .cap = *n_records };
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!o || !o->dir || !*o->dir) {
		if (err && errlen)
			snprintf(err, errlen, "no tasks folder configured");
		return -EINVAL;
	}
	icalerror_set_errors_are_fatal(0);
	t.wanted = calloc(t.cap ? t.cap : 1, 1);
	if (!t.wanted)
		return -ENOMEM;
	rc = kith_mkdirs_private(o->dir);
	if (rc < 0)
		set_err(&t, rc, "cannot create tasks folder", o->dir);
	if (rc == 0)
		rc = write_metadata(&t);
	if (rc == 0)
		rc = sync_wants(&t, wants, n_wants);
	if (rc == 0 && o->feed_path && *o->feed_path)
		rc = write_feed(&t, wants, n_wants);
	if (rc < 0 && err && errlen && !err[0])
		snprintf(err, errlen, "task sync failed: %s", strerror(-rc));
	if (t.written || t.completed || t.skipped)
		log_debug("tasks: %u written, %u completed, %u skipped", t.written,
			  t.completed, t.skipped);
	free(t.wanted);
	return rc;
}

static int check_item(icalcomponent *root, char *err, size_t errlen)
{
	icalcomponent *todo = icalcomponent_get_first_component(root, ICAL_VTODO_COMPONENT);
	icalcomponent *ev = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
	icalcomponent *item = todo ? todo : ev;
	icalproperty *v = icalcomponent_get_first_property(root, ICAL_VERSION_PROPERTY);

	if (!v || !icalproperty_get_version(v) || strcmp(icalproperty_get_version(v), "2.0") != 0 ||
	    !icalcomponent_get_first_property(root, ICAL_PRODID_PROPERTY)) {
		snprintf(err, errlen, "VERSION:2.0 or PRODID missing");
		return -EINVAL;
	}
	if (!item || (todo && ev) ||
	    icalcomponent_get_next_component(root, icalcomponent_isa(item))) {
		snprintf(err, errlen, "not exactly one VTODO or VEVENT");
		return -EINVAL;
	}
	if (!icalcomponent_get_uid(item) || !icalcomponent_get_summary(item)) {
		snprintf(err, errlen, "UID or SUMMARY missing");
		return -EINVAL;
	}
	return 0;
}

int kith_tasks_check_file(const char *path, char *err, size_t errlen)
{
	icalcomponent *root;
	char *data = NULL;
	size_t len = 0;
	int r;

	icalerror_set_errors_are_fatal(0);
	r = read_file(path, &data, &len);
	if (r < 0) {
		snprintf(err, errlen, "%s", strerror(-r));
		return r;
	}
	root = icalparser_parse_string(data);
	free(data);
	if (!root || icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
		snprintf(err, errlen, "not an iCalendar VCALENDAR");
		r = -EINVAL;
	} else {
		r = check_item(root, err, errlen);
	}
	if (root)
		icalcomponent_free(root);
	return r;
}
