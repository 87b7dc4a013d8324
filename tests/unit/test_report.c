/* Unit tests: `kith report`'s page writer (cli/report_html.c, report_svg.c)
 * on a hand-made report: hostile strings from mail are escaped, every
 * link has its target, the timelines count what the turns say; the rings'
 * layout (cli/report_layout.c) on crowded reports: no two texts overlap
 * (boxes estimated from their length), no name covers a marker as deep,
 * every layer names someone, the rest are counted; and the sparkline of
 * `kith show` over an old relationship (cli/fmt.c). */
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

/* ---- the rings' names do not overlap ---------------------------------- */

/* A crowded report: n[l] people in each layer, names of many lengths
 * (long ones, accented ones), deepest first. */
static void build_crowd(struct rpt *r, const size_t *n, size_t left_out)
{
	static const char *const first[] = { "Ann", "Zoë", "Maximilian", "Łukasz", "Bo",
					     "Anne-Sophie", "Jo", "Wolfgang Amadeus" };
	size_t total = 0, k = 0;

	memset(r, 0, sizeof(*r));
	for (int l = 0; l < RPT_LAYERS; l++)
		total += n[l];
	r->people = calloc(total, sizeof(*r->people));
	for (int l = 0; l < RPT_LAYERS; l++)
		for (size_t i = 0; i < n[l]; i++, k++) {
			char name[96];

			snprintf(name, sizeof(name), "%s Example%zu%s", first[k % 8], k,
				 k % 5 == 0 ? " Longsurname-Doublebarrel" : "");
			r->people[k].id = (int64_t)k;
			r->people[k].rank = (int)k + 1;
			r->people[k].p = (struct kith_person){ .key = dup("k@x.example"),
				.name = dup(name), .depth = 95 - 0.3 * (double)k,
				.tier = rpt_layers[l].tier };
		}
	r->n_people = total;
	r->fading_left_out = left_out;
	r->rp = calloc(total ? total : 1, sizeof(*r->rp));
	r->as_of = day("2026-06-01");
	r->max_open = 12;
}

/* The test's own box of a text: code points x RPT_CHAR_W em wide. */
static void est_box(double x, double y, int anchor, size_t chars, double font, double *b)
{
	double w = (double)chars * RPT_CHAR_W * font;

	b[0] = anchor > 0 ? x : anchor < 0 ? x - w : x - w / 2;
	b[2] = b[0] + w;
	b[1] = y - RPT_ASCENT * font;
	b[3] = y + RPT_DESCENT * font;
}

static int overlap(const double *a, const double *b)
{
	return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

/* The <text> elements of the rings chart as written: their boxes into
 * v (4 doubles each, at most max).  Entities count as one character. */
static size_t svg_text_boxes(const char *svg, double *v, size_t max)
{
	size_t n = 0;

	for (const char *p = svg; n < max && (p = strstr(p, "<text ")); p++) {
		const char *end = strstr(p, "</text>"), *c = strchr(p, '>') + 1, *a;
		int title = strncmp(p, "<text class=\"rl\"", 16) == 0, anchor = title ? 0 : 1;
		double x = atof(strstr(p, "x=") + 2 + title), y = atof(strstr(p, "y=") + 2 + title);
		size_t chars = 0;

		if ((a = strstr(p, "text-anchor=")) && a < c)
			anchor = a[12] == 'e' ? -1 : 0;
		for (; c < end; c++) {
			if (*c == '&')
				c = strchr(c, ';');
			chars += ((unsigned char)*c & 0xC0) != 0x80;
		}
		est_box(x, y, anchor, chars, title ? RPT_TITLE_FONT : RPT_FONT, v + 4 * n++);
	}
	return n;
}

static size_t overlaps(const double *v, size_t n)
{
	size_t bad = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			bad += overlap(v + 4 * i, v + 4 * j);
	return bad;
}

/* The layout: every layer names someone, at most RPT_RING_NAMES, the rest
 * counted; no name covers another text or a marker; all inside the chart. */
static void check_layout(const struct rpt *r, const struct rpt_rings *g)
{
	size_t named[RPT_LAYERS] = { 0 }, nb = 0;
	char name[RPT_NAME_CHARS * 4 + 4];
	int *lay = calloc(r->n_people + 1, sizeof(int));
	double *v = calloc(2 * r->n_people + RPT_LAYERS + 1, 4 * sizeof(double));

	for (size_t i = 0; i < r->n_people; i++) {
		const struct rpt_mark *m = &g->mark[i];

		CHECK(m->layer >= 0 && rpt_layers[m->layer].tier == r->people[i].p.tier);
		if (!m->named)
			continue;
		named[m->layer]++;
		lay[nb] = m->layer;
		rpt_chart_name(&r->people[i].p, name, sizeof(name));
		CHECK(rpt_u8_chars(name) <= RPT_NAME_CHARS);
		est_box(m->lx, m->ly, m->anchor, rpt_u8_chars(name), RPT_FONT, v + 4 * nb++);
	}
	for (int l = 0; l < RPT_LAYERS; l++) {
		CHECK(g->n[l] == 0 || named[l] >= 1);
		CHECK(named[l] <= RPT_RING_NAMES);
		CHECK_INT(named[l] + g->more[l], g->all[l]);
	}
	for (size_t i = 0; i < nb; i++)
		CHECK(v[4 * i] >= 0 && v[4 * i + 1] >= 0 && v[4 * i + 2] <= 2 * RPT_CX &&
		      v[4 * i + 3] <= 2 * RPT_CX);
	CHECK_INT(overlaps(v, nb), 0);
	/* no name covers the marker of a person of its layer or a deeper one */
	for (size_t i = 0; i < r->n_people; i++) {
		const struct rpt_mark *m = &g->mark[i];
		double mb[4] = { m->x - 7, m->y - 7, m->x + 7, m->y + 7 };

		for (size_t k = 0; k < nb; k++)
			CHECK(lay[k] < m->layer || !overlap(mb, v + 4 * k));
	}
	free(lay);
	free(v);
}

static void test_rings_crowded(void)
{
	static const size_t crowds[][RPT_LAYERS] = {
		{ 5, 15, 49, 146, 50 }, { 1, 3, 5, 0, 0 }, { 12, 40, 150, 400, 50 },
		{ 0, 0, 0, 0, 3 }, { 30, 0, 0, 0, 0 } };

	for (size_t c = 0; c < sizeof(crowds) / sizeof(crowds[0]); c++) {
		struct rpt r;
		struct rpt_rings g;
		char *page = NULL;
		size_t len = 0, n;
		FILE *f = open_memstream(&page, &len);
		double *v;

		build_crowd(&r, crowds[c], c == 0 ? 112 : 0);
		CHECK_INT(rpt_rings_layout(&r, &g), 0);
		check_layout(&r, &g);
		if (c == 0) /* the crowded case names many, not all */
			CHECK(g.more[2] > 0 && g.more[2] < 49 && g.more[4] > 112);
		if (c == 1) /* a small one names everyone */
			CHECK(g.more[0] + g.more[1] + g.more[2] == 0);
		rpt_rings_free(&g);
		/* the page as written: the rings' texts' boxes do not overlap either */
		CHECK_INT(rpt_write_html(f, &r), 0);
		fclose(f);
		v = calloc(r.n_people + RPT_LAYERS + 1, 4 * sizeof(double));
		n = svg_text_boxes(page, v, r.n_people + RPT_LAYERS + 1);
		CHECK(n >= RPT_LAYERS + 2);
		CHECK_INT(overlaps(v, n), 0);
		CHECK(c != 0 || (strstr(page, "<a href=#lt3><text class=\"rl\"") &&
				 strstr(page, "<h3 id=lt3>")));
		CHECK(links_resolve(page));
		free(v);
		free(page);
		rpt_free(&r);
	}
}

int main(void)
{
	test_html_text();
	test_page();
	test_sparkline_span();
	test_rings_crowded();
	return T_DONE();
}
