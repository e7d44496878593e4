/*
 * The web client's compiled-in files (net/web_assets.h, made by tools/webgen.c): the
 * paths served, index.html at "/", the Content-Types, gzip copies that inflate to the
 * body, strong ETags that differ between files, and the budget: the client
 * under 150 KB compressed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "net/web_assets.h"

static const char *const served[] = {
	"/", "/index.html", "/app.js", "/irc.js", "/state.js", "/ui.js", "/commands.js",
	"/style.css", "/favicon.svg",
};

#define NSERVED	(sizeof(served) / sizeof(served[0]))

static void
test_paths(void **state)
{
	(void)state;
	for (size_t i = 0; i < NSERVED; i++)
		assert_non_null(web_asset_find(served[i]));
	assert_null(web_asset_find(""));
	assert_null(web_asset_find("/nope.js"));
	assert_null(web_asset_find("index.html"));
	assert_null(web_asset_find("/app.js?x=1"));
	assert_null(web_asset_find("/../CMakeLists.txt"));
}

static void
test_index_at_root(void **state)
{
	const struct web_asset	*root = web_asset_find("/");
	const struct web_asset	*index = web_asset_find("/index.html");

	(void)state;
	assert_int_equal(root->len, index->len);
	assert_memory_equal(root->body, index->body, root->len);
	assert_string_equal(root->etag, index->etag);
	assert_string_equal(root->type, "text/html; charset=utf-8");
	assert_non_null(strstr((const char *)root->body, "<script type=\"module\" "
	    "src=\"/app.js\"></script>"));
}

static void
test_types(void **state)
{
	(void)state;
	assert_string_equal(web_asset_find("/app.js")->type,
	    "text/javascript; charset=utf-8");
	assert_string_equal(web_asset_find("/style.css")->type, "text/css; charset=utf-8");
	assert_string_equal(web_asset_find("/favicon.svg")->type, "image/svg+xml");
}

static void
test_gzip_inflates_to_body(void **state)
{
	(void)state;
	for (size_t i = 0; i < NSERVED; i++) {
		const struct web_asset	*a = web_asset_find(served[i]);
		unsigned char		*out;
		uLongf			 n;
		z_stream		 z;

		assert_non_null(a->gzip);
		assert_true(a->gzip_len < a->len);
		/* gzip -9n: no name (FLG 0) and no time (MTIME 0). */
		assert_int_equal(a->gzip[0], 0x1f);
		assert_int_equal(a->gzip[1], 0x8b);
		assert_int_equal(a->gzip[3], 0);
		assert_memory_equal(a->gzip + 4, "\0\0\0\0", 4);
		n = a->len + 1;
		out = malloc(n);
		assert_non_null(out);
		memset(&z, 0, sizeof(z));
		assert_int_equal(inflateInit2(&z, 16 + 15), Z_OK);
		z.next_in = (unsigned char *)a->gzip;
		z.avail_in = a->gzip_len;
		z.next_out = out;
		z.avail_out = n;
		assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
		assert_int_equal(z.total_out, a->len);
		assert_memory_equal(out, a->body, a->len);
		inflateEnd(&z);
		free(out);
	}
}

/* Quoted, strong (no W/), and one per file: "/" is index.html's, served[0]. */
static void
test_etags(void **state)
{
	(void)state;
	for (size_t i = 1; i < NSERVED; i++) {
		const char	*e = web_asset_find(served[i])->etag;
		size_t		 n = strlen(e);

		assert_true(n > 2);
		assert_int_equal(e[0], '"');
		assert_ptr_equal(strchr(e + 1, '"'), e + n - 1);
		for (size_t j = i + 1; j < NSERVED; j++)
			assert_string_not_equal(e, web_asset_find(served[j])->etag);
	}
}

static void
test_budget(void **state)
{
	size_t	 total = 0;

	(void)state;
	for (size_t i = 1; i < NSERVED; i++)
		total += web_asset_find(served[i])->gzip_len;
	assert_true(total < 150 * 1024);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_index_at_root),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_gzip_inflates_to_body),
		cmocka_unit_test(test_etags),
		cmocka_unit_test(test_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
