/* log.c: see log.h. */
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *log_prog = "kithd";
static int log_verbose;
static int log_journal;

/* Why: journald reads "<N>" prefixes on stderr lines as priorities, but only
 * when stderr really is the journal stream (JOURNAL_STREAM=dev:ino). */
static int stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%lu:%lu", &dev, &ino) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st) < 0)
		return 0;
	return st.st_dev == (dev_t)dev && st.st_ino == (ino_t)ino;
}

void log_init(const char *progname, int verbose)
{
	if (progname)
		log_prog = progname;
	log_verbose = verbose;
	log_journal = stderr_is_journal();
}

int log_debug_enabled(void)
{
	return log_verbose > 0;
}

static const char *level_name(enum kith_log_level lvl)
{
	switch (lvl) {
	case KITH_LOG_ERR: return "error";
	case KITH_LOG_WARNING: return "warning";
	case KITH_LOG_NOTICE: return "notice";
	case KITH_LOG_INFO: return "info";
	default: return "debug";
	}
}

void log_msg(enum kith_log_level lvl, const char *fmt, ...)
{
	char line[8192];
	va_list ap;

	if (lvl == KITH_LOG_DEBUG && !log_verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (log_journal)
		fprintf(stderr, "<%d>%s\n", (int)lvl, line);
	else
		fprintf(stderr, "%s: %s: %s\n", log_prog, level_name(lvl), line);
}
