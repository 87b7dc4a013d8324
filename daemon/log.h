/* log.h: kithd's tiny log API.  Only daemon code logs; lib/ never does.
 *
 * Lines go to stderr: with "<N>" syslog priority prefixes when stderr is the
 * journal (JOURNAL_STREAM matches), plain "kithd: level: text" otherwise.
 * Never pass a secret to these functions.
 */
#ifndef KITH_LOG_H
#define KITH_LOG_H

#include <stdarg.h>

enum kith_log_level { KITH_LOG_ERR = 3, KITH_LOG_WARNING = 4, KITH_LOG_NOTICE = 5,
		      KITH_LOG_INFO = 6, KITH_LOG_DEBUG = 7 };

void log_init(const char *progname, int verbose);
int log_debug_enabled(void);
void log_msg(enum kith_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)     log_msg(KITH_LOG_ERR, __VA_ARGS__)
#define log_warn(...)    log_msg(KITH_LOG_WARNING, __VA_ARGS__)
#define log_notice(...)  log_msg(KITH_LOG_NOTICE, __VA_ARGS__)
#define log_info(...)    log_msg(KITH_LOG_INFO, __VA_ARGS__)
#define log_debug(...)   log_msg(KITH_LOG_DEBUG, __VA_ARGS__)

#endif
