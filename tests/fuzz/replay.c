/*
 * Replays a fuzz target's corpus without libFuzzer: every regular file of every directory
 * named on the command line (or a file named directly) goes to LLVMFuzzerTestOneInput
 * once.  A target reports a broken invariant by aborting, so a replay that returns has
 * passed.  Exits 1 on a file it cannot read, or when it found no input at all: an empty
 * corpus would pass without testing anything.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read path whole into a malloc'd buffer (*len bytes); 0, or -errno. */
static int
replay_read(const char *path, uint8_t **buf, size_t *len)
{
	FILE		*f;
	struct stat	 st;
	size_t		 n;
	int		 rc = 0;

	if ((f = fopen(path, "rb")) == NULL)
		return -errno;
	if (fstat(fileno(f), &st) == -1) {
		rc = -errno;
		fclose(f);
		return rc;
	}
	/* One byte more than the file, so a zero-length input still has a buffer. */
	if ((*buf = malloc((size_t)st.st_size + 1)) == NULL) {
		fclose(f);
		return -ENOMEM;
	}
	/* Short: a read error, or the file shrank under us. */
	if ((n = fread(*buf, 1, (size_t)st.st_size, f)) != (size_t)st.st_size)
		rc = -EIO;
	fclose(f);
	if (rc < 0) {
		free(*buf);
		return rc;
	}
	*len = n;
	return 0;
}

/* Run one file through the target; 0, or -errno when it could not be read. */
static int
replay_file(const char *path)
{
	uint8_t	*buf = NULL;
	size_t	 len = 0;
	int	 rc;

	if ((rc = replay_read(path, &buf, &len)) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(-rc));
		return rc;
	}
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int
replay_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file in dir, in name order, skipping dot files; the count replayed in
 * *count.  0, or -errno. */
static int
replay_dir(const char *dir, unsigned *count)
{
	DIR		 *d;
	struct dirent	 *e;
	struct stat	  st;
	char		**names = NULL, **grown, path[4096];
	size_t		  n = 0, cap = 0;
	int		  rc = 0;

	if ((d = opendir(dir)) == NULL) {
		rc = -errno;
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(-rc));
		return rc;
	}
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap > 0 ? cap * 2 : 64;
			if ((grown = realloc(names, cap * sizeof(*names))) == NULL) {
				rc = -ENOMEM;
				break;
			}
			names = grown;
		}
		if ((names[n] = strdup(e->d_name)) == NULL)
			rc = -ENOMEM;
		else
			n++;
	}
	closedir(d);
	if (rc < 0)
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(-rc));
	else
		qsort(names, n, sizeof(*names), replay_name_cmp);
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
		    (int)sizeof(path)) {
			rc = -ENAMETOOLONG;
			fprintf(stderr, "replay: %s/%s: %s\n", dir, names[i], strerror(-rc));
			break;
		}
		if (stat(path, &st) == -1) {
			rc = -errno;
			fprintf(stderr, "replay: %s: %s\n", path, strerror(-rc));
			break;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if ((rc = replay_file(path)) < 0)
			break;		/* it said why */
		(*count)++;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	struct stat	 st;
	unsigned	 count = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s corpus-dir-or-file ...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &count) < 0)
				return 1;
		} else if (replay_file(argv[i]) < 0)
			return 1;
		else
			count++;
	}
	if (count == 0) {
		fprintf(stderr, "replay: no input found\n");
		return 1;
	}
	printf("replayed %u input(s)\n", count);
	return 0;
}
