/* fsutil.c: see fsutil.h. */
#include "fsutil.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int make_one(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0)
		return chmod(dir, 0700) < 0 ? -errno : 0;
	if (errno != EEXIST)
		return -errno;
	if (stat(dir, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int kith_mkdirs_private(const char *dir)
{
	char buf[PATH_MAX];
	size_t len = dir ? strlen(dir) : 0;
	int r;

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		r = make_one(buf);
		*p = '/';
		if (r < 0)
			return r;
	}
	return make_one(buf);
}

int kith_own_dir(const char *dir)
{
	struct stat st;
	int r = kith_mkdirs_private(dir);

	if (r < 0)
		return r;
	if (stat(dir, &st) < 0)
		return -errno;
	if ((st.st_mode & 077) && st.st_uid == geteuid() && chmod(dir, 0700) < 0)
		return -errno;
	return 0;
}
