/*
 * webgen: compile the web client's files into C, the table that net/web_assets.h
 * promises.  A host tool run by the build:
 *
 *	webgen OUT.c web/index.html web/app.js ...
 *
 * Each file is served at "/" plus its base name, and index.html at "/" too.  Each asset
 * carries its body, the body gzipped at level 9 with no name and no time in the header
 * (the gzip -9n of the HTTP listener's Content-Encoding), when that is smaller, and a
 * strong ETag: a hash of the body and its length.  OUT.c is written whole to a temporary
 * file and renamed, so a failed run never leaves half a table for the build to compile.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#define WEBGEN_MAX_FILE	(4u << 20)

struct webgen_type {
	const char	*ext;
	const char	*type;
};

static const struct webgen_type webgen_types[] = {
	{ ".html",	"text/html; charset=utf-8" },
	{ ".js",	"text/javascript; charset=utf-8" },
	{ ".css",	"text/css; charset=utf-8" },
	{ ".svg",	"image/svg+xml" },
	{ ".png",	"image/png" },
	{ ".ico",	"image/x-icon" },
	{ ".json",	"application/json" },
	{ ".webmanifest", "application/manifest+json" },
	{ ".txt",	"text/plain; charset=utf-8" },
};

struct webgen_buf {
	unsigned char	*data;
	size_t		 len;
};

/* The Content-Type for name's extension, or NULL when it has none we know. */
static const char *
webgen_type_of(const char *name)
{
	size_t	 i, n, e;

	n = strlen(name);
	for (i = 0; i < sizeof(webgen_types) / sizeof(webgen_types[0]); i++) {
		e = strlen(webgen_types[i].ext);
		if (n > e && strcmp(name + n - e, webgen_types[i].ext) == 0)
			return webgen_types[i].type;
	}
	return NULL;
}

/* The base name of path, which stays path's. */
static const char *
webgen_base(const char *path)
{
	const char	*slash;

	slash = strrchr(path, '/');
	return slash != NULL ? slash + 1 : path;
}

/* Read path whole into b (malloc'd; the caller frees b->data).  0 or -errno. */
static int
webgen_read(const char *path, struct webgen_buf *b)
{
	FILE	*f;
	size_t	 n;
	int	 err;

	if ((f = fopen(path, "rb")) == NULL)
		return -errno;
	if ((b->data = malloc(WEBGEN_MAX_FILE + 1)) == NULL) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(b->data, 1, WEBGEN_MAX_FILE + 1, f);
	err = ferror(f) ? -EIO : 0;
	fclose(f);
	if (err == 0 && n > WEBGEN_MAX_FILE)
		err = -EFBIG;
	if (err != 0) {
		free(b->data);
		b->data = NULL;
		return err;
	}
	b->len = n;
	return 0;
}

/*
 * Gzip in into out at level 9: zlib's gzip header carries no name and a zero time, as
 * gzip -9n writes it.  0 or -errno; out->data is malloc'd.
 */
static int
webgen_gzip(const struct webgen_buf *in, struct webgen_buf *out)
{
	z_stream	 z;
	uLong		 cap;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	cap = deflateBound(&z, in->len) + 32;
	if ((out->data = malloc(cap)) == NULL) {
		deflateEnd(&z);
		return -ENOMEM;
	}
	z.next_in = in->data;
	z.avail_in = in->len;
	z.next_out = out->data;
	z.avail_out = cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(out->data);
		out->data = NULL;
		return -EIO;
	}
	out->len = z.total_out;
	deflateEnd(&z);
	return 0;
}

/* FNV-1a, 64 bits, over the body: the ETag's hash. */
static uint64_t
webgen_hash(const struct webgen_buf *b)
{
	uint64_t	 h = 0xcbf29ce484222325ull;
	size_t		 i;

	for (i = 0; i < b->len; i++) {
		h ^= b->data[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* An array named name_suffix holding b's bytes; an empty one holds one unused zero. */
static void
webgen_array(FILE *out, size_t idx, const char *suffix, const struct webgen_buf *b)
{
	size_t	 i;

	fprintf(out, "static const unsigned char asset%zu_%s[] = {", idx, suffix);
	for (i = 0; i < b->len; i++)
		fprintf(out, "%s0x%02x,", i % 16 == 0 ? "\n\t" : " ", b->data[i]);
	if (b->len == 0)
		fputs("\n\t0", out);
	fputs("\n};\n", out);
}

/* The table's row serving asset idx at url. */
static void
webgen_row(FILE *rows, const char *url, const char *type, size_t idx,
    const struct webgen_buf *body, const struct webgen_buf *gz)
{
	fprintf(rows, "\t{ \"%s\", \"%s\", asset%zu_body, %zu, ", url, type, idx,
	    body->len);
	if (gz != NULL)
		fprintf(rows, "asset%zu_gzip, %zu, ", idx, gz->len);
	else
		fputs("NULL, 0, ", rows);
	fprintf(rows, "\"\\\"%016llx-%zx\\\"\" },\n",
	    (unsigned long long)webgen_hash(body), body->len);
}

/* One file's arrays; its rows go to rows.  0 or -errno, with a message on stderr. */
static int
webgen_asset(FILE *out, FILE *rows, size_t idx, const char *path)
{
	struct webgen_buf	 body = { NULL, 0 }, gz = { NULL, 0 };
	const struct webgen_buf	*small;
	const char		*name, *type;
	char			 url[256];
	int			 err;

	name = webgen_base(path);
	if ((type = webgen_type_of(name)) == NULL) {
		fprintf(stderr, "webgen: %s: no Content-Type for this extension\n", path);
		return -EINVAL;
	}
	if ((size_t)snprintf(url, sizeof(url), "/%s", name) >= sizeof(url)) {
		fprintf(stderr, "webgen: %s: name too long\n", path);
		return -ENAMETOOLONG;
	}
	if ((err = webgen_read(path, &body)) != 0) {
		fprintf(stderr, "webgen: %s: %s\n", path, strerror(-err));
		return err;
	}
	if ((err = webgen_gzip(&body, &gz)) != 0) {
		fprintf(stderr, "webgen: %s: gzip: %s\n", path, strerror(-err));
		free(body.data);
		return err;
	}
	small = gz.len < body.len ? &gz : NULL;
	webgen_array(out, idx, "body", &body);
	if (small != NULL)
		webgen_array(out, idx, "gzip", &gz);
	webgen_row(rows, url, type, idx, &body, small);
	if (strcmp(name, "index.html") == 0)
		webgen_row(rows, "/", type, idx, &body, small);
	free(body.data);
	free(gz.data);
	return 0;
}

/* The whole table into out: the arrays, the rows, the lookup. */
static int
webgen_write(FILE *out, int nfiles, char **files)
{
	FILE	*rows;
	char	*text = NULL;
	size_t	 textlen = 0;
	int	 i, err = 0;

	if ((rows = open_memstream(&text, &textlen)) == NULL)
		return -errno;
	fputs("/* Generated by tools/webgen.c from web/: do not edit. */\n"
	    "#include <stddef.h>\n#include <string.h>\n\n#include \"net/web_assets.h\"\n\n",
	    out);
	for (i = 0; i < nfiles && err == 0; i++)
		err = webgen_asset(out, rows, (size_t)i, files[i]);
	if (fclose(rows) != 0 && err == 0)
		err = -errno;
	if (err == 0) {
		fprintf(out, "\nstatic const struct web_asset web_assets[] = {\n%s};\n\n",
		    text);
		fputs("const struct web_asset *\nweb_asset_find(const char *path)\n{\n"
		    "\tsize_t\t i;\n\n"
		    "\tfor (i = 0; i < sizeof(web_assets) / sizeof(web_assets[0]); i++)\n"
		    "\t\tif (strcmp(web_assets[i].path, path) == 0)\n"
		    "\t\t\treturn &web_assets[i];\n"
		    "\treturn NULL;\n}\n", out);
	}
	free(text);
	return err;
}

int
main(int argc, char **argv)
{
	FILE	*out;
	char	*tmp;
	int	 err;

	if (argc < 3) {
		fputs("usage: webgen OUT.c FILE...\n", stderr);
		return 2;
	}
	if (asprintf(&tmp, "%s.tmp", argv[1]) < 0)
		return 1;
	if ((out = fopen(tmp, "w")) == NULL) {
		fprintf(stderr, "webgen: %s: %s\n", tmp, strerror(errno));
		return 1;
	}
	err = webgen_write(out, argc - 2, argv + 2);
	if (fclose(out) != 0 && err == 0)
		err = -errno;
	if (err == 0 && rename(tmp, argv[1]) != 0)
		err = -errno;
	if (err != 0) {
		fprintf(stderr, "webgen: %s not written: %s\n", argv[1], strerror(-err));
		remove(tmp);
		free(tmp);
		return 1;
	}
	free(tmp);
	return 0;
}
