/* cmd_report.c: `kith report [--as-of DATE] [-o FILE]`: the relationship
 * report as one self-contained HTML page (report.h). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

struct report_opts {
	int64_t as_of;
	const char *out;   /* NULL: stdout */
};

static int report_args(struct cli *c, int argc, char **argv, struct report_opts *o)
{
	static const struct option longs[] = {
		{ "as-of", required_argument, NULL, 'a' }, { "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 } };
	int ch;

	*o = (struct report_opts){ .as_of = KITH_DATE_NONE };
	optind = 0;
	while ((ch = getopt_long(argc, argv, "o:", longs, NULL)) != -1) {
		if (ch == 'o')
			o->out = optarg;
		else if (ch != 'a' || cli_parse_as_of(c, optarg, &o->as_of))
			return EX_USAGE_;
	}
	if (optind != argc)
		return cli_err(c, "unexpected argument \"%s\"", argv[optind]), EX_USAGE_;
	return -1;
}

/* Why a temporary file renamed into place: a reader (a browser reloading
 * the page) never sees half a report, and a failed run leaves the old one.
 * The page names people, so it is made 0600 like the database. */
static int write_file(struct cli *c, const char *path, const struct rpt *r)
{
	char tmp[4096];
	FILE *f;
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= (int)sizeof(tmp))
		return cli_err(c, "%s: name too long", path), EX_USAGE_;
	fd = mkstemp(tmp);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		cli_err(c, "cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd), unlink(tmp);
		return EX_NOTFOUND;
	}
	err = rpt_write_html(f, r);
	if (fclose(f) != 0 && err == 0)
		err = -errno;
	if (err == 0 && rename(tmp, path) != 0)
		err = -errno;
	if (err < 0) {
		unlink(tmp);
		cli_err(c, "cannot write %s: %s", path, strerror(-err));
		return EX_NOTFOUND;
	}
	return 0;
}

static int load(struct cli *c, struct kith_store *s, int64_t as_of, struct rpt *r)
{
	struct cli_live L;
	int err;

	if (as_of == KITH_DATE_NONE) {
		err = rpt_load_store(c, s, r);
		if (err < 0)
			cli_err(c, "cannot read the analysis: %s", err == -ENOMEM ? strerror(ENOMEM)
				: kith_store_errmsg(s));
		return err < 0 ? EX_NOTFOUND : 0;
	}
	err = cli_live_open(c, s, as_of, &L);
	if (err)
		return err;
	err = rpt_load_live(c, &L, r);
	if (err < 0)
		cli_err(c, "cannot gather the report: %s", strerror(-err));
	cli_live_close(&L);
	return err < 0 ? EX_NOTFOUND : 0;
}

int cmd_report(struct cli *c, int argc, char **argv)
{
	struct report_opts o;
	struct kith_store *s = NULL;
	struct rpt r = { 0 };
	int rc = report_args(c, argc, argv, &o);

	if (rc >= 0)
		return rc;
	rc = cli_open(c, 1, &s);
	if (rc == 0)
		rc = cli_config(c);
	if (rc == 0)
		rc = load(c, s, o.as_of, &r);
	if (rc == 0 && o.out && strcmp(o.out, "-"))
		rc = write_file(c, o.out, &r);
	else if (rc == 0 && rpt_write_html(stdout, &r) < 0)
		rc = (cli_err(c, "cannot write the report: %s", strerror(EIO)), EX_NOTFOUND);
	rpt_free(&r);
	kith_store_close(s);
	return rc;
}
