/* fsutil.c: see fsutil.h. */
#include "fsutil.h"
#include "../lib/grow.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
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

int kith_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int kith_read_all(int fd, size_t max, char **out, size_t *n)
{
	size_t cap = 64 * 1024, len = 0;
	char *buf = malloc(cap), *nb;
	ssize_t r;

	*out = NULL;
	*n = 0;
	while (buf) {
		if (len == cap) {
			if (cap >= max) {
				free(buf);
				return -EFBIG;
			}
			if (!(nb = kith_grow(buf, &cap, len, 1, cap)))
				break;
			buf = nb;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return -errno;
		}
		if (r == 0) {
			*out = buf;
			*n = len;
			return 0;
		}
		len += (size_t)r;
	}
	free(buf);
	return -ENOMEM;
}
