/* fsutil.h: private directories, whatever the umask.
 *
 * kith's folders (data, tasks, runtime) hold who the user talks to: each
 * one kith creates is 0700, parents included.  mkdir(2)'s mode is filtered
 * by the umask; chmod(2) is not, so a new directory is chmod'ed too.
 */
#ifndef KITH_FSUTIL_H
#define KITH_FSUTIL_H

/* Creates dir and each missing parent, every new one 0700.  Existing
 * directories on the way are left as they are.  0 or a negative errno
 * (-ENOTDIR when dir or a parent is something else). */
int kith_mkdirs_private(const char *dir);

/* kith_mkdirs_private, then makes dir itself (kith's own folder) 0700 when
 * it is open to others and belongs to this user.  0 or a negative errno. */
int kith_own_dir(const char *dir);

#endif
