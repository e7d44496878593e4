#ifndef PARLEY_NET_WEB_ASSETS_H
#define PARLEY_NET_WEB_ASSETS_H

#include <stddef.h>

/*
 * The web client's files, compiled into parleyd.  The table is generated at build time
 * (web_assets.c in the build directory); the HTTP listener only looks paths up in it.
 */
struct web_asset {
	const char		*path;		/* as requested: "/", "/app.js", ... */
	const char		*type;		/* Content-Type, with charset for text */
	const unsigned char	*body;		/* the file */
	size_t			 len;
	const unsigned char	*gzip;		/* the same, gzip -9n; NULL if not smaller */
	size_t			 gzip_len;
	const char		*etag;		/* a quoted strong ETag of the body */
};

/* The asset served at path (no query string), or NULL. */
const struct web_asset	*web_asset_find(const char *path);

#endif
