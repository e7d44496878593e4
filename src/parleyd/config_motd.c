/*
 * The MOTD file the configuration names: read whole, refused when it is not a regular
 * file, is larger than CONFIG_MOTD_MAX or holds a NUL byte.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parleyd/config.h"
#include "parleyd/config_motd.h"

/*
 * The MOTD file's text, CRs dropped (a stray one would end an IRC line early), or NULL
 * with a reason naming path.  The caller frees it.
 */
char *
config_motd_read(const char *path, char *why, size_t whylen)
{
	struct stat	 st;
	char		*buf = NULL, *shrunk;
	size_t		 len = 0, j = 0;
	ssize_t		 n;
	int		 fd;

	/* O_NONBLOCK so that a FIFO named by mistake is refused, not waited on. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		goto fail;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "%s: not a regular file", path);
		goto out;
	}
	if ((buf = malloc(CONFIG_MOTD_MAX + 1)) == NULL)
		goto fail;
	while (len <= CONFIG_MOTD_MAX) {
		if ((n = read(fd, buf + len, CONFIG_MOTD_MAX + 1 - len)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > CONFIG_MOTD_MAX) {
		snprintf(why, whylen, "%s: larger than %d bytes", path, CONFIG_MOTD_MAX);
		goto out;
	}
	if (memchr(buf, '\0', len) != NULL) {
		snprintf(why, whylen, "%s: contains a NUL byte", path);
		goto out;
	}
	close(fd);
	for (size_t i = 0; i < len; i++)
		if (buf[i] != '\r')
			buf[j++] = buf[i];
	buf[j] = '\0';
	if ((shrunk = realloc(buf, j + 1)) != NULL)
		buf = shrunk;
	return buf;
fail:
	snprintf(why, whylen, "%s: %s", path, strerror(errno));
out:
	if (fd != -1)
		close(fd);
	free(buf);
	return NULL;
}
