/* test_tasks.c: the task writer (tasks/tasks_ical.c) on real files.
 *
 * Every file written is parsed back with libical.  User actions (complete,
 * delete, edit) are simulated by editing the files the way apps do.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libical/ical.h>

#include "t.h"
#include "tasks.h"

#define NOW 1717200000LL
#define DAY 86400

static char g_top[256];

static void want(struct kith_task_want *w, enum kith_task_kind k, const char *uid,
		 const char *summary, int64_t due, int prio)
{
	memset(w, 0, sizeof(*w));
	w->kind = k;
	w->uid = (char *)uid;
	w->person_key = (char *)"ana@example.com";
	w->person_name = (char *)"Ana Ruiz";
	w->episode = (char *)uid;
	w->summary = (char *)summary;
	w->description = (char *)"Ana wrote to you.\nWhy: a test.";
	w->message_id = (char *)"b1/x@example.com";
	w->subject = (char *)"Budget";
	w->due = due;
	w->priority = prio;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void spit(const char *path, const char *data)
{
	FILE *f = fopen(path, "wb");

	if (f) {
		fputs(data, f);
		fclose(f);
	}
}

static char *task_path(const char *dir, const char *uid)
{
	static char p[512];

	snprintf(p, sizeof(p), "%s/%s.ics", dir, uid);
	return p;
}

/* Parses a task file; returns the root (caller frees) and the item. */
static icalcomponent *parse(const char *path, icalcomponent_kind kind, icalcomponent **item)
{
	char *s = slurp(path);
	icalcomponent *root = s ? icalparser_parse_string(s) : NULL;

	free(s);
	*item = NULL;
	if (root && icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT) {
		*item = icalcomponent_get_first_component(root, kind);
		if (*item && icalcomponent_get_next_component(root, kind))
			*item = NULL; /* more than one: wrong */
	}
	return root;
}

static int count_props(icalcomponent *c, icalproperty_kind k)
{
	int n = 0;

	for (icalproperty *p = icalcomponent_get_first_property(c, k); p;
	     p = icalcomponent_get_next_property(c, k))
		n++;
	return n;
}

/* How many times a category appears (libical splits lists on parsing). */
static int count_category(icalcomponent *c, const char *cat)
{
	int n = 0;

	for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_CATEGORIES_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_CATEGORIES_PROPERTY)) {
		const char *v = icalproperty_get_categories(p);

		n += v && strcmp(v, cat) == 0;
	}
	return n;
}

/* Lines of the raw file starting with prefix (todoman 4 reads only one
 * CATEGORIES line). */
static int count_lines(const char *path, const char *prefix)
{
	char *s = slurp(path), *p;
	int n = 0;

	for (p = s; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
		n += strncmp(p, prefix, strlen(prefix)) == 0;
	free(s);
	return n;
}

static ino_t inode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_ino : 0;
}

static int dot_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int tsync(const struct kith_task_opts *o, struct kith_task_want *w, size_t n,
		struct kith_task_record **rec, size_t *nrec, int64_t now)
{
	char err[256] = "";
	int r = kith_tasks_sync(o, w, n, rec, nrec, now, err, sizeof(err));

	if (r < 0)
		fprintf(stderr, "sync: %d %s\n", r, err);
	return r;
}

static struct kith_task_record *rec_of(struct kith_task_record *v, size_t n, const char *uid)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].uid, uid) == 0)
			return &v[i];
	return NULL;
}

static void test_create_and_lifecycle(void)
{
	char dir[300];
	struct kith_task_opts o = { .dir = dir };
	struct kith_task_want w[2];
	struct kith_task_record *rec = NULL, *r;
	size_t nrec = 0;
	icalcomponent *root, *item;
	struct stat st;
	ino_t ino;
	char *s;

	snprintf(dir, sizeof(dir), "%s/a/tasks", g_top);
	want(&w[0], KITH_TASK_REPLY, "kith-reply-1-1", "Reply to Ana Ruiz: Budget", NOW - DAY, 2);
	want(&w[1], KITH_TASK_KEEP_IN_TOUCH, "kith-keep-2-2", "Check in with Chloe: it's been 7 weeks",
	     NOW - 2 * DAY, 1);
	w[1].message_id = NULL;
	umask(0);
	CHECK_INT(tsync(&o, w, 2, &rec, &nrec, NOW), 0);
	umask(022);
	CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700);
	CHECK(stat(task_path(dir, "kith-reply-1-1"), &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(stat(task_path(dir, "kith-keep-2-2"), &st) == 0 && (st.st_mode & 0777) == 0600);
	snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/displayname");
	s = slurp(dir);
	CHECK_STR(s, "kith follow-ups");
	free(s);
	*strrchr(dir, '/') = '\0';
	CHECK_INT(dot_files(dir), 0);
	CHECK_INT(nrec, 2);
	r = rec_of(rec, nrec, "kith-reply-1-1");
	CHECK(r && r->status == KITH_TS_OPEN && r->sequence == 0 && r->etag && r->created == NOW);

	root = parse(task_path(dir, "kith-reply-1-1"), ICAL_VTODO_COMPONENT, &item);
	CHECK(item != NULL);
	if (item) {
		CHECK(icalcomponent_get_first_property(root, ICAL_PRODID_PROPERTY) != NULL);
		CHECK_STR(icalproperty_get_version(icalcomponent_get_first_property(
				  root, ICAL_VERSION_PROPERTY)), "2.0");
		CHECK_STR(icalcomponent_get_uid(item), "kith-reply-1-1");
		CHECK_STR(icalcomponent_get_summary(item), "Reply to Ana Ruiz: Budget");
		CHECK_STR(icalproperty_get_url(icalcomponent_get_first_property(item, ICAL_URL_PROPERTY)),
			  "mid:b1%2Fx@example.com");
		CHECK_INT(icaltime_as_timet(icalcomponent_get_due(item)), NOW - DAY);
		CHECK(icalcomponent_get_due(item).zone == icaltimezone_get_utc_timezone());
		CHECK_INT(icalproperty_get_priority(icalcomponent_get_first_property(
				  item, ICAL_PRIORITY_PROPERTY)), 2);
		CHECK_INT(count_category(item, "kith"), 1);
		CHECK_INT(count_category(item, "reply"), 1);
		CHECK_INT(icalcomponent_get_status(item), ICAL_STATUS_NEEDSACTION);
		CHECK_INT(icalcomponent_get_sequence(item), 0);
		CHECK(icalcomponent_get_first_property(item, ICAL_DTSTAMP_PROPERTY) != NULL);
		CHECK(icalcomponent_get_first_property(item, ICAL_CREATED_PROPERTY) != NULL);
		CHECK(icalcomponent_get_first_property(item, ICAL_LASTMODIFIED_PROPERTY) != NULL);
		CHECK(strstr(icalcomponent_get_description(item), "Why: a test.") != NULL);
	}
	icalcomponent_free(root);

	/* the same wants again: nothing is rewritten */
	ino = inode_of(task_path(dir, "kith-reply-1-1"));
	CHECK_INT(tsync(&o, w, 2, &rec, &nrec, NOW + 3600), 0);
	CHECK(ino == inode_of(task_path(dir, "kith-reply-1-1")));
	CHECK_INT(rec_of(rec, nrec, "kith-reply-1-1")->sequence, 0);

	/* a new summary: rewritten atomically, SEQUENCE bumped */
	w[0].summary = (char *)"Reply to Ana Ruiz: Budget (2 mails)";
	CHECK_INT(tsync(&o, w, 2, &rec, &nrec, NOW + 7200), 0);
	CHECK(ino != inode_of(task_path(dir, "kith-reply-1-1")));
	root = parse(task_path(dir, "kith-reply-1-1"), ICAL_VTODO_COMPONENT, &item);
	CHECK(item && icalcomponent_get_sequence(item) == 1);
	CHECK(item && strcmp(icalcomponent_get_summary(item), w[0].summary) == 0);
	icalcomponent_free(root);
	CHECK_INT(rec_of(rec, nrec, "kith-reply-1-1")->sequence, 1);

	/* the exchange happened: the task completes itself, the file stays */
	CHECK_INT(tsync(&o, &w[1], 1, &rec, &nrec, NOW + 3 * DAY), 0);
	r = rec_of(rec, nrec, "kith-reply-1-1");
	CHECK(r && r->status == KITH_TS_DONE && r->sequence == 2);
	root = parse(task_path(dir, "kith-reply-1-1"), ICAL_VTODO_COMPONENT, &item);
	CHECK(item && icalcomponent_get_status(item) == ICAL_STATUS_COMPLETED);
	CHECK(item && icalcomponent_get_first_property(item, ICAL_COMPLETED_PROPERTY));
	CHECK(item && icalcomponent_get_sequence(item) == 2);
	CHECK(item && strcmp(icalcomponent_get_summary(item), w[0].summary) == 0);
	icalcomponent_free(root);
	CHECK_INT(count_lines(task_path(dir, "kith-reply-1-1"), "CATEGORIES:"), 1);
	/* completing again changes nothing */
	ino = inode_of(task_path(dir, "kith-reply-1-1"));
	CHECK_INT(tsync(&o, &w[1], 1, &rec, &nrec, NOW + 4 * DAY), 0);
	CHECK(ino == inode_of(task_path(dir, "kith-reply-1-1")));

	/* the same episode wanted again (a snooze ended): kith reopens its own */
	CHECK_INT(tsync(&o, w, 2, &rec, &nrec, NOW + 5 * DAY), 0);
	r = rec_of(rec, nrec, "kith-reply-1-1");
	CHECK(r && r->status == KITH_TS_OPEN && r->sequence == 3);
	root = parse(task_path(dir, "kith-reply-1-1"), ICAL_VTODO_COMPONENT, &item);
	CHECK(item && icalcomponent_get_status(item) == ICAL_STATUS_NEEDSACTION);
	CHECK(item && !icalcomponent_get_first_property(item, ICAL_COMPLETED_PROPERTY));
	icalcomponent_free(root);
	CHECK_INT(nrec, 2);
	CHECK_INT(dot_files(dir), 0);
	kith_task_records_free(rec, nrec);
}

/* What todoman does on `done`: rewrite with its own fields only. */
#define TODOMAN_DONE \
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//todoman//EN\r\nBEGIN:VTODO\r\n" \
	"UID:%s\r\nSUMMARY:Reply to Ana Ruiz: Budget\r\nDUE:20240531T000000Z\r\n" \
	"STATUS:COMPLETED\r\nCOMPLETED:20240602T100000Z\r\nPERCENT-COMPLETE:100\r\n" \
	"SEQUENCE:1\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"

static void test_user_actions(void)
{
	char dir[300], buf[1024];
	struct kith_task_opts o = { .dir = dir };
	struct kith_task_want w[3];
	struct kith_task_record *rec = NULL, *r;
	size_t nrec = 0;
	char *before, *after;

	snprintf(dir, sizeof(dir), "%s/b", g_top);
	want(&w[0], KITH_TASK_REPLY, "kith-reply-a-1", "Reply to Ana Ruiz: Budget", NOW - DAY, 2);
	want(&w[1], KITH_TASK_WAITING, "kith-waiting-b-2", "Ben hasn't answered", NOW - DAY, 4);
	want(&w[2], KITH_TASK_REPLY, "kith-reply-c-3", "Reply to Cy: x", NOW - DAY, 5);
	CHECK_INT(tsync(&o, w, 3, &rec, &nrec, NOW), 0);

	/* the user completes one in their app */
	snprintf(buf, sizeof(buf), TODOMAN_DONE, "kith-reply-a-1");
	spit(task_path(dir, "kith-reply-a-1"), buf);
	/* and deletes another */
	CHECK_INT(unlink(task_path(dir, "kith-waiting-b-2")), 0);
	CHECK_INT(tsync(&o, w, 3, &rec, &nrec, NOW + DAY), 0);
	r = rec_of(rec, nrec, "kith-reply-a-1");
	CHECK(r && r->status == KITH_TS_USER_DONE);
	r = rec_of(rec, nrec, "kith-waiting-b-2");
	CHECK(r && r->status == KITH_TS_USER_DELETED);
	CHECK(access(task_path(dir, "kith-waiting-b-2"), F_OK) != 0);
	after = slurp(task_path(dir, "kith-reply-a-1"));
	CHECK_STR(after, buf);
	free(after);
	/* still wanted, with new text: never reopened, never recreated */
	w[0].summary = (char *)"Reply to Ana Ruiz: Budget (again)";
	CHECK_INT(tsync(&o, w, 3, &rec, &nrec, NOW + 2 * DAY), 0);
	after = slurp(task_path(dir, "kith-reply-a-1"));
	CHECK_STR(after, buf);
	free(after);
	CHECK(access(task_path(dir, "kith-waiting-b-2"), F_OK) != 0);
	/* and not completed by kith either when the want goes */
	CHECK_INT(tsync(&o, &w[2], 1, &rec, &nrec, NOW + 3 * DAY), 0);
	after = slurp(task_path(dir, "kith-reply-a-1"));
	CHECK_STR(after, buf);
	free(after);
	CHECK(rec_of(rec, nrec, "kith-reply-a-1")->status == KITH_TS_USER_DONE);
	CHECK(rec_of(rec, nrec, "kith-waiting-b-2")->status == KITH_TS_USER_DELETED);
	CHECK_INT(nrec, 3);

	/* `kith done`: the CLI marks the record; the writer closes the file */
	r = rec_of(rec, nrec, "kith-reply-c-3");
	r->status = KITH_TS_DONE_BY_HAND;
	before = slurp(task_path(dir, "kith-reply-c-3"));
	CHECK_INT(tsync(&o, &w[2], 1, &rec, &nrec, NOW + 4 * DAY), 0);
	after = slurp(task_path(dir, "kith-reply-c-3"));
	CHECK(after && strstr(after, "STATUS:COMPLETED"));
	CHECK(before && after && strcmp(before, after) != 0);
	CHECK(rec_of(rec, nrec, "kith-reply-c-3")->status == KITH_TS_DONE_BY_HAND);
	free(before);
	free(after);
	kith_task_records_free(rec, nrec);
}

static void test_foreign_properties_kept(void)
{
	char dir[300], *s, *edited, *p;
	struct kith_task_opts o = { .dir = dir };
	struct kith_task_want w;
	struct kith_task_record *rec = NULL;
	size_t nrec = 0;
	icalcomponent *root, *item;
	const char *extra = "X-USER-NOTE:call her first\r\nCATEGORIES:work\r\n"
			    "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:ping\r\n"
			    "TRIGGER:-PT15M\r\nEND:VALARM\r\n";

	snprintf(dir, sizeof(dir), "%s/c", g_top);
	want(&w, KITH_TASK_REPLY, "kith-reply-d-4", "Reply to Dee: plan", NOW - DAY, 3);
	CHECK_INT(tsync(&o, &w, 1, &rec, &nrec, NOW), 0);
	/* the user adds a note, a category and an alarm, and moves the due date */
	s = slurp(task_path(dir, "kith-reply-d-4"));
	p = s ? strstr(s, "END:VTODO") : NULL;
	CHECK(p != NULL);
	if (!p)
		return;
	edited = calloc(1, strlen(s) + strlen(extra) + 1);
	memcpy(edited, s, (size_t)(p - s));
	strcat(edited, extra);
	strcat(edited, p);
	p = strstr(edited, "DUE:");
	if (p)
		memcpy(p, "DUE:20240610T090000Z", 20);
	spit(task_path(dir, "kith-reply-d-4"), edited);
	free(s);
	free(edited);
	/* kith changes its text: the user's additions and due date stay */
	w.summary = (char *)"Reply to Dee: plan (2 mails)";
	w.due = NOW;
	CHECK_INT(tsync(&o, &w, 1, &rec, &nrec, NOW + DAY), 0);
	root = parse(task_path(dir, "kith-reply-d-4"), ICAL_VTODO_COMPONENT, &item);
	CHECK(item != NULL);
	if (item) {
		CHECK_STR(icalcomponent_get_summary(item), "Reply to Dee: plan (2 mails)");
		CHECK(icalcomponent_get_first_component(item, ICAL_VALARM_COMPONENT) != NULL);
		CHECK_INT(count_props(item, ICAL_X_PROPERTY), 1);
		CHECK_INT(count_category(item, "kith"), 1);
		CHECK_INT(count_category(item, "reply"), 1);
		CHECK_INT(count_category(item, "work"), 1);
		CHECK_INT(count_props(item, ICAL_SUMMARY_PROPERTY), 1);
		CHECK_INT(count_props(item, ICAL_DUE_PROPERTY), 1);
		CHECK_INT(icaltime_as_timet(icalcomponent_get_due(item)), 1718010000LL);
		CHECK_INT(icalcomponent_get_sequence(item), 1);
	}
	icalcomponent_free(root);
	CHECK_INT(count_lines(task_path(dir, "kith-reply-d-4"), "CATEGORIES:kith,reply,work"), 1);
	CHECK_INT(count_lines(task_path(dir, "kith-reply-d-4"), "CATEGORIES"), 1);
	/* completion keeps them too */
	CHECK_INT(tsync(&o, NULL, 0, &rec, &nrec, NOW + 2 * DAY), 0);
	root = parse(task_path(dir, "kith-reply-d-4"), ICAL_VTODO_COMPONENT, &item);
	CHECK(item && icalcomponent_get_status(item) == ICAL_STATUS_COMPLETED);
	CHECK(item && icalcomponent_get_first_component(item, ICAL_VALARM_COMPONENT) != NULL);
	CHECK(item && count_props(item, ICAL_X_PROPERTY) == 1);
	icalcomponent_free(root);
	CHECK(rec && rec[0].status == KITH_TS_DONE);
	kith_task_records_free(rec, nrec);
}

static void test_lost_records_adopted(void)
{
	char dir[300], buf[1024];
	struct kith_task_opts o = { .dir = dir };
	struct kith_task_want w[2];
	struct kith_task_record *rec = NULL;
	size_t nrec = 0;
	icalcomponent *root, *item;

	snprintf(dir, sizeof(dir), "%s/d", g_top);
	want(&w[0], KITH_TASK_REPLY, "kith-reply-e-5", "Reply to Eve: x", NOW - DAY, 3);
	want(&w[1], KITH_TASK_REPLY, "kith-reply-f-6", "Reply to Fay: y", NOW - DAY, 3);
	CHECK_INT(tsync(&o, w, 2, &rec, &nrec, NOW), 0);
	snprintf(buf, sizeof(buf), TODOMAN_DONE, "kith-reply-f-6");
	spit(task_path(dir, "kith-reply-f-6"), buf);
	/* the database was lost: the files remain */
	kith_task_records_free(rec, nrec);
	rec = NULL;
	nrec = 0;
	w[0].summary = (char *)"Reply to Eve: x (2)";
	CHECK_INT(tsync(&o, w, 2, &rec, &nrec, NOW + DAY), 0);
	CHECK_INT(nrec, 2);
	CHECK(rec_of(rec, nrec, "kith-reply-f-6")->status == KITH_TS_USER_DONE);
	CHECK(rec_of(rec, nrec, "kith-reply-e-5")->status == KITH_TS_OPEN);
	root = parse(task_path(dir, "kith-reply-e-5"), ICAL_VTODO_COMPONENT, &item);
	CHECK(item && icalcomponent_get_sequence(item) == 1);
	CHECK(item && strcmp(icalcomponent_get_summary(item), "Reply to Eve: x (2)") == 0);
	icalcomponent_free(root);
	root = parse(task_path(dir, "kith-reply-f-6"), ICAL_VTODO_COMPONENT, &item);
	CHECK(item && icalcomponent_get_status(item) == ICAL_STATUS_COMPLETED);
	icalcomponent_free(root);
	kith_task_records_free(rec, nrec);
}

static void test_events_and_feed(void)
{
	char dir[300], feed[300];
	struct kith_task_opts o = { .dir = dir, .feed_path = feed, .as_events = 1 };
	struct kith_task_want w[2];
	struct kith_task_record *rec = NULL;
	size_t nrec = 0;
	icalcomponent *root, *item, *c;
	int n = 0;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/e", g_top);
	snprintf(feed, sizeof(feed), "%s/feed.ics", g_top);
	want(&w[0], KITH_TASK_REPLY, "kith-reply-g-7", "Reply to Gus: z", NOW + DAY / 2, 3);
	want(&w[1], KITH_TASK_KEEP_IN_TOUCH, "kith-keep-h-8", "Check in with Hal", NOW - 9 * DAY, 6);
	CHECK_INT(tsync(&o, w, 2, &rec, &nrec, NOW), 0);
	root = parse(task_path(dir, "kith-reply-g-7"), ICAL_VEVENT_COMPONENT, &item);
	CHECK(item != NULL);
	if (item) {
		struct icaltimetype s = icalcomponent_get_dtstart(item);

		CHECK(s.is_date && s.year == 2024 && s.month == 6 && s.day == 1);
		CHECK(icalcomponent_get_status(item) == ICAL_STATUS_CONFIRMED);
	}
	icalcomponent_free(root);
	/* overdue: shown today (the day it was written), not in the past */
	root = parse(task_path(dir, "kith-keep-h-8"), ICAL_VEVENT_COMPONENT, &item);
	CHECK(item && icalcomponent_get_dtstart(item).day == 1);
	icalcomponent_free(root);
	root = parse(feed, ICAL_VEVENT_COMPONENT, &item);
	for (c = root ? icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT) : NULL; c;
	     c = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT))
		n++;
	CHECK_INT(n, 2);
	CHECK(stat(feed, &st) == 0 && (st.st_mode & 0777) == 0600);
	icalcomponent_free(root);
	/* one goes: cancelled in its file, gone from the feed */
	CHECK_INT(tsync(&o, &w[1], 1, &rec, &nrec, NOW + DAY), 0);
	root = parse(task_path(dir, "kith-reply-g-7"), ICAL_VEVENT_COMPONENT, &item);
	CHECK(item && icalcomponent_get_status(item) == ICAL_STATUS_CANCELLED);
	icalcomponent_free(root);
	root = parse(feed, ICAL_VEVENT_COMPONENT, &item);
	CHECK(item != NULL);
	CHECK(item && strcmp(icalcomponent_get_uid(item), "kith-keep-h-8") == 0);
	icalcomponent_free(root);
	kith_task_records_free(rec, nrec);
}

static void test_bad_wants(void)
{
	char dir[300], path[400];
	struct kith_task_opts o = { .dir = dir };
	struct kith_task_want w[3];
	struct kith_task_record *rec = NULL;
	size_t nrec = 0;
	char err[128];

	snprintf(dir, sizeof(dir), "%s/f", g_top);
	want(&w[0], KITH_TASK_REPLY, "../escape", "bad", NOW, 3);
	want(&w[1], KITH_TASK_REPLY, "kith-ok-1", "fine \xc3\xa9 \xe2\x82\xac", NOW, 3);
	want(&w[2], KITH_TASK_REPLY, "kith-ok-1", "duplicate", NOW, 3);
	CHECK_INT(tsync(&o, w, 3, &rec, &nrec, NOW), 0);
	CHECK_INT(nrec, 1);
	snprintf(path, sizeof(path), "%s/escape.ics", g_top);
	CHECK(access(path, F_OK) != 0);
	/* a garbage file where a task should be is left alone */
	spit(task_path(dir, "kith-bad-2"), "not a calendar\n");
	want(&w[0], KITH_TASK_REPLY, "kith-bad-2", "x", NOW, 3);
	CHECK_INT(tsync(&o, w, 2, &rec, &nrec, NOW), 0);
	CHECK_INT(nrec, 1);
	kith_task_records_free(rec, nrec);
	/* no folder */
	o.dir = "";
	CHECK(kith_tasks_sync(&o, NULL, 0, &rec, &nrec, NOW, err, sizeof(err)) == -EINVAL);
	/* a folder that cannot be created */
	snprintf(path, sizeof(path), "%s/file", g_top);
	spit(path, "x");
	snprintf(dir, sizeof(dir), "%s/file/sub", g_top);
	o.dir = dir;
	rec = NULL;
	nrec = 0;
	CHECK(kith_tasks_sync(&o, w, 2, &rec, &nrec, NOW, err, sizeof(err)) < 0);
	CHECK(strstr(err, "file/sub") != NULL);
	kith_task_records_free(rec, nrec);
}

/* A task the cap held back before it was ever written (KITH_TS_HELD, no
 * etag, created the day kith first wanted it): the writer leaves it alone
 * while it is not wanted, and writes it with that CREATED once it is. */
static void test_held_written_late(void)
{
	char dir[300];
	struct kith_task_opts o = { .dir = dir };
	struct kith_task_want w;
	struct kith_task_record *rec = calloc(1, sizeof(*rec)), *r;
	size_t nrec = 1;
	icalcomponent *root, *item;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/held/tasks", g_top);
	want(&w, KITH_TASK_KEEP_IN_TOUCH, "kith-keep-9-9", "Check in with Ana", NOW - 3 * DAY + 1, 3);
	rec->uid = strdup(w.uid);
	rec->person_key = strdup(w.person_key);
	rec->episode = strdup(w.episode);
	rec->summary = strdup(w.summary);
	rec->kind = w.kind;
	rec->status = KITH_TS_HELD;
	rec->created = rec->modified = NOW - 3 * DAY;
	CHECK_INT(tsync(&o, NULL, 0, &rec, &nrec, NOW - DAY), 0);
	CHECK_INT(nrec, 1);
	CHECK_INT(rec[0].status, KITH_TS_HELD);
	CHECK(stat(task_path(dir, w.uid), &st) != 0);
	CHECK_INT(tsync(&o, &w, 1, &rec, &nrec, NOW), 0);
	r = rec_of(rec, nrec, w.uid);
	CHECK_INT(nrec, 1);
	CHECK(r && r->status == KITH_TS_OPEN && r->created == NOW - 3 * DAY && r->etag);
	root = parse(task_path(dir, w.uid), ICAL_VTODO_COMPONENT, &item);
	CHECK(item != NULL);
	if (item) {
		icalproperty *c = icalcomponent_get_first_property(item, ICAL_CREATED_PROPERTY);
		icalproperty *d = icalcomponent_get_first_property(item, ICAL_DTSTAMP_PROPERTY);

		CHECK(c && icaltime_as_timet(icalproperty_get_created(c)) == NOW - 3 * DAY);
		CHECK(d && icaltime_as_timet(icalproperty_get_dtstamp(d)) == NOW);
		CHECK(icalcomponent_get_status(item) == ICAL_STATUS_NEEDSACTION);
	}
	if (root)
		icalcomponent_free(root);
	kith_task_records_free(rec, nrec);
}

int main(void)
{
	char tmpl[] = "/tmp/kith-test-tasks.XXXXXX";
	char cmd[300];
	int rc;

	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(g_top, sizeof(g_top), "%s", tmpl);
	test_create_and_lifecycle();
	test_user_actions();
	test_foreign_properties_kept();
	test_lost_records_adopted();
	test_events_and_feed();
	test_bad_wants();
	test_held_written_late();
	rc = T_DONE();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_top);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", g_top);
	return rc;
}
