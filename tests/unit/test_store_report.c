/* Unit tests: the store's query for `kith report` (daemon/store_report.c):
 * the turns of chosen people, grouped in the order asked, oldest first,
 * the same whether read through the index or by a scan of the table. */
#include <stdlib.h>
#include <unistd.h>
#include "t.h"
#include "../../store/store_report.h"

static char ddir[300];

/* Three people; turns interleaved in time, one without a date. */
static int save_fixture(void)
{
	static char *addrs[3][1] = { { "ann@x.example" }, { "bob@x.example" }, { "cy@x.example" } };
	struct kith_person p[3];
	struct kith_conversation c[3];
	struct kith_turn t[8];
	struct kith_analysis a = { 0 };
	struct kith_store *s = NULL;
	char err[512];
	int r;

	memset(p, 0, sizeof(p));
	memset(c, 0, sizeof(c));
	for (int i = 0; i < 3; i++) {
		p[i] = (struct kith_person){ .key = addrs[i][0], .addrs = addrs[i], .n_addrs = 1,
			.depth = 50 - i, .tier = KITH_TIER_CLOSE, .latency_user = -1,
			.latency_them = -1, .first_exchange = 1000, .last_exchange = 9000,
			.last_from = KITH_DATE_NONE, .last_to = KITH_DATE_NONE };
		c[i] = (struct kith_conversation){ .person = (size_t)i, .root_msg_id = i + 1,
			.last_msg_id = i + 1, .subject = "s", .first = 1000, .last = 9000 };
	}
	/* person, date, by_user: oldest first, as the analysis hands them */
	static const struct { size_t person; int64_t date; int by_user; } v[8] = {
		{ 0, 1000, 1 }, { 2, 1500, 0 }, { 0, 2000, 0 }, { 1, 2500, 1 },
		{ 2, 3000, 1 }, { 0, KITH_DATE_NONE, 1 }, { 2, 4000, 0 }, { 0, 5000, 1 } };
	for (int i = 0; i < 8; i++)
		t[i] = (struct kith_turn){ .msg_id = i + 1, .person = v[i].person,
			.conversation = v[i].person, .date = v[i].date, .by_user = v[i].by_user,
			.latency = 60 };
	a = (struct kith_analysis){ .people = p, .n_people = 3, .conversations = c,
		.n_conversations = 3, .turns = t, .n_turns = 8 };
	r = kith_store_open(ddir, 0, &s, err, sizeof(err));
	if (r == 0)
		r = kith_store_save_analysis(s, &a, NULL, 10000);
	kith_store_close(s);
	return r;
}

/* "person:date:by" for each row, space-separated. */
static void describe(const struct kith_store_turn_row *v, size_t n, char *buf, size_t len)
{
	size_t k = 0;

	buf[0] = 0;
	for (size_t i = 0; i < n && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s%lld:%lld:%d", i ? " " : "",
				      (long long)v[i].person, (long long)v[i].date, v[i].by_user);
}

static void test_both_ways(void)
{
	static const char *const want = "2:1500:0 2:3000:1 2:4000:0 0:1000:1 0:2000:0 0:5000:1";
	const int64_t ids[2] = { 2, 0 };
	struct kith_store *s = NULL;
	struct kith_store_turn_row *v = NULL;
	size_t n = 0;
	char err[512], got[512];

	CHECK_INT(save_fixture(), 0);
	CHECK_INT(kith_store_open(ddir, KITH_STORE_RDONLY, &s, err, sizeof(err)), 0);
	/* few expected rows: through the index */
	CHECK_INT(kith_store_turns_of(s, ids, 2, 0, &v, &n), 0);
	describe(v, n, got, sizeof(got));
	CHECK_STR(got, want);
	free(v);
	/* many: one scan of the table */
	CHECK_INT(kith_store_turns_of(s, ids, 2, 1000, &v, &n), 0);
	describe(v, n, got, sizeof(got));
	CHECK_STR(got, want);
	free(v);
	/* nobody asked for: nothing either way */
	CHECK_INT(kith_store_turns_of(s, ids, 0, 0, &v, &n), 0);
	CHECK_INT(n, 0);
	free(v);
	CHECK_INT(kith_store_turns_of(s, ids, 0, 1000, &v, &n), 0);
	CHECK_INT(n, 0);
	free(v);
	kith_store_close(s);
}

int main(void)
{
	char tmpl[] = "/tmp/kith-test-store-report.XXXXXX";
	char cmd[400];

	if (!mkdtemp(tmpl))
		return 1;
	snprintf(ddir, sizeof(ddir), "%s/data", tmpl);
	test_both_ways();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpl);
	return T_DONE();
}
