/* fsutil.h: private directories, whatever the umask; whole reads and
 * writes on a descriptor.
 *
 * kith's folders (data, tasks, runtime) hold who the user talks to: each
 * one kith creates is 0700, parents included.  mkdir(2)'s mode is filtered
 * by the umask; chmod(2) is not, so a new directory is chmod'ed too.
 */
#ifndef KITH_FSUTIL_H
#define KITH_FSUTIL_H

#include <stddef.h>

/* Creates dir and each missing parent, every new one 0700.  Existing
 * directories on the way are left as they are.  0 or a negative errno
 * (-ENOTDIR when dir or a parent is something else). */
int kith_mkdirs_private(const char *dir);

/* kith_mkdirs_private, then makes dir itself (kith's own folder) 0700 when
 * it is open to others and belongs to this user.  0 or a negative errno. */
int kith_own_dir(const char *dir);

/* Writes all of p[0..n) to fd (retrying short writes and EINTR).
 * 0 or a negative errno. */
int kith_write_all(int fd, const void *p, size_t n);

/* Reads fd to its end into a malloc'd buffer (*out, caller frees; *n
 * bytes), refusing more than max bytes (-EFBIG).  0 or a negative errno. */
int kith_read_all(int fd, size_t max, char **out, size_t *n);

#endif
