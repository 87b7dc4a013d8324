/* Unit tests: `kith report`'s page writer (cli/report_html.c, report_svg.c)
 * on a hand-made report: hostile strings from mail are escaped, every
 * link has its target, the timelines count what the turns say; and the
 * sparkline of `kith show` over an old relationship (cli/fmt.c). */
#include <stdlib.h>
#include "t.h"
#include "../../lib/isodate.h"
#include "report.h"

static char *render_text(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	html_text(f, s);
	fclose(f);
	return buf;
}

static void test_html_text(void)
{
	char *t;

	t = render_text("<script>alert('x')</script> & \"q\"");
	CHECK_STR(t, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
	free(t);
	t = render_text("a\x01" "b\nc");   /* controls (newline too) become spaces */
	CHECK_STR(t, "a b c");
	free(t);
	t = render_text("bad \xff byte");   /* invalid UTF-8 becomes U+FFFD */
	CHECK_STR(t, "bad \xef\xbf\xbd byte");
	free(t);
	t = render_text("Zoë Łukasz");      /* valid UTF-8 passes */
	CHECK_STR(t, "Zoë Łukasz");
	free(t);
	t = render_text(NULL);
	CHECK_STR(t, "");
	free(t);
}

static int64_t day(const char *iso)
{
	int64_t t = 0;

	kith_isodate_parse(iso, &t);
	return t;
}

static char *dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Two people: a hostile name at the core, a plain one fading; turns in
 * 2025 and 2026; an open reply task and a held-back keep-in-touch. */
static void build(struct rpt *r)
{
	static const char *const evil = "<img src=x onerror=alert(1)>\"Eve\"";
	struct kith_store_person *p = calloc(2, sizeof(*p));
	struct kith_store_turn_row *t = calloc(5, sizeof(*t));

	memset(r, 0, sizeof(*r));
	r->as_of = day("2026-06-01");
	p[0].id = 7;
	p[0].rank = 1;
	p[0].p = (struct kith_person){ .key = dup("eve@x.example"), .name = dup(evil),
		.depth = 80, .tier = KITH_TIER_INNER, .first_exchange = day("2025-01-10"),
		.last_exchange = day("2026-05-02"), .latency_user = 3600, .latency_them = -1 };
	p[0].p.addrs = calloc(1, sizeof(char *));
	p[0].p.addrs[0] = dup("eve@x.example");
	p[0].p.n_addrs = 1;
	p[0].factors = calloc(1, sizeof(*p[0].factors));
	p[0].factors[0] = (struct kith_store_factor){ dup("volume<b>"), 3, dup("turns"), 12.5 };
	p[0].n_factors = 1;
	p[1].id = 9;
	p[1].rank = 2;
	p[1].p = (struct kith_person){ .key = dup("old@y.example"), .name = dup("Old Friend"),
		.depth = 40, .tier = KITH_TIER_FADING, .first_exchange = day("2025-02-01"),
		.last_exchange = day("2025-02-03"), .latency_user = -1, .latency_them = -1 };
	r->people = p;
	r->n_people = 2;
	t[0] = (struct kith_store_turn_row){ 7, day("2025-01-10"), 0 };
	t[1] = (struct kith_store_turn_row){ 7, day("2025-01-11"), 1 };
	t[2] = (struct kith_store_turn_row){ 7, day("2026-05-02"), 0 };
	t[3] = (struct kith_store_turn_row){ 9, day("2025-02-01"), 0 };
	t[4] = (struct kith_store_turn_row){ 9, day("2025-02-03"), 1 };
	r->turns = t;
	r->n_turns = 5;
	r->rp = calloc(2, sizeof(*r->rp));
	r->rp[0] = (struct rpt_person){ 0, 3, 2025 * 12, 17, 1, 2 };
	r->rp[1] = (struct rpt_person){ 3, 2, 2025 * 12 + 1, 16, 0, 2 };
	r->tasks = calloc(2, sizeof(*r->tasks));
	r->tasks[0] = (struct rpt_task){ KITH_TASK_REPLY, dup("eve@x.example"),
		dup("Reply to <Eve>: \"<b>hi</b>\""), day("2026-05-04"), 0 };
	r->tasks[1] = (struct rpt_task){ KITH_TASK_KEEP_IN_TOUCH, dup("old@y.example"),
		dup("Check in with Old Friend"), day("2025-05-01"), 1 };
	r->n_tasks = 2;
	r->max_open = 12;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Every href="#x" / href=#x names an element with that id. */
static int links_resolve(const char *page)
{
	for (const char *p = page; (p = strstr(p, "href=#p")); p += 6) {
		char id[32], want[40];

		if (sscanf(p, "href=#%30[a-z0-9]", id) != 1)
			return 0;
		snprintf(want, sizeof(want), "id=%s>", id);
		if (!strstr(page, want))
			return 0;
	}
	return 1;
}

static void test_page(void)
{
	struct rpt r;
	char *page = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&page, &len);

	build(&r);
	CHECK_INT(rpt_write_html(f, &r), 0);
	fclose(f);
	CHECK(strstr(page, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src"
		      " 'none'; style-src 'unsafe-inline'; img-src data:\">") != NULL);
	/* nothing from mail opens a tag */
	CHECK(strstr(page, "<img") == NULL);
	CHECK(strstr(page, "<b>hi") == NULL);
	CHECK(strstr(page, "volume<b>") == NULL);
	CHECK(strstr(page, "&lt;img src=x onerror=alert(1)&gt;&quot;Eve&quot;") != NULL);
	CHECK(strstr(page, "Reply to &lt;Eve&gt;: &quot;&lt;b&gt;hi&lt;/b&gt;&quot;") != NULL);
	/* no script, no address outside the page */
	CHECK(strstr(page, "<script") == NULL);
	CHECK(strstr(page, "http:") == NULL && strstr(page, "https:") == NULL);
	CHECK(strstr(page, "src=") == NULL || strstr(page, "src=x") != NULL);
	/* sections, people, links */
	CHECK(strstr(page, "<section id=\"layers\">") && strstr(page, "<section id=\"year\">") &&
	      strstr(page, "<section id=\"followups\">") && strstr(page, "<section id=\"people\">"));
	CHECK(strstr(page, "<section class=p id=p0>") && strstr(page, "<section class=p id=p1>"));
	CHECK(links_resolve(page));
	CHECK_INT(count(page, "<svg class=tl "), 2);
	CHECK_INT(count(page, "<svg class=\"rings\""), 1);
	/* the text equivalents: per year each way, and the layers' counts */
	CHECK(strstr(page, "aria-label=\"Exchanges by year, them/you: 2025 1/1, 2026 1/0\"") != NULL);
	CHECK(strstr(page, "aria-label=\"Exchanges by year, them/you: 2025 1/1, 2026 0/0\"") != NULL);
	CHECK(strstr(page, "inner: 1 person; close: 0 people") != NULL);
	/* the follow-ups: one open, one held back; the year's lists */
	CHECK(strstr(page, "<caption>Held back</caption>") != NULL);
	CHECK(strstr(page, "2026-05-04 (overdue)") != NULL);
	CHECK(strstr(page, "<h3>Faded</h3><ol><li><a href=#p1>Old Friend</a>") != NULL);
	CHECK(strstr(page, "<h3>You owe a reply</h3><ol><li><a href=#p0>") != NULL);
	free(page);
	rpt_free(&r);
}

/* An archive whose mail ended in 2001, shown in 2026: the line runs over
 * the whole span, so the 2001 exchanges show (the 36 months before today
 * were empty). */
static void test_sparkline_span(void)
{
	int64_t d[] = { day("2000-03-01"), day("2000-03-05"), day("2001-06-01") };
	int64_t to = day("2026-12-01");
	int per = spark_months_per_mark(d[0], to, 60);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK_INT(per, 6);      /* 322 months in 60 marks */
	put_sparkline(f, d, 3, d[0], to, per);
	fclose(f);
	CHECK(strncmp(buf, "█", strlen("█")) == 0); /* two in the first mark */
	CHECK(strstr(buf, "▅") != NULL);            /* one in 2001: half the peak */
	CHECK_INT(u8_width(buf), 54);               /* 2000-03 .. 2026-12 by sixes */
	free(buf);
	CHECK_INT(spark_months_per_mark(day("2026-01-01"), day("2026-11-30"), 60), 1);
}

int main(void)
{
	test_html_text();
	test_page();
	test_sparkline_span();
	return T_DONE();
}
