/*
 * The hash key's randomness: random_bytes fills the whole buffer across interrupted
 * and short getrandom(2) calls, fails with a clear message when the kernel has none,
 * and the server asks for its key at start and does not start without one.  getrandom
 * is replaced by this file's own, which either plays a script or asks the kernel.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/random.h>
#include <sys/syscall.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "net/net.h"
#include "net/random.h"

#define STEPS_MAX	8

/* One scripted answer: n bytes (the next values of a counter), or -1 with errno err. */
struct step {
	ssize_t	n;
	int	err;
};

static struct {
	bool		scripted;	/* false: the kernel answers */
	struct step	steps[STEPS_MAX];
	unsigned	nsteps;		/* the last step repeats */
	unsigned	calls;
	unsigned	key_calls;	/* calls asking for a hash key's worth */
	size_t		asked[STEPS_MAX];	/* len of each call */
	unsigned char	next;
} fake;

ssize_t
getrandom(void *buf, size_t len, unsigned int flags)
{
	const struct step	*st;
	unsigned		 i = fake.calls++;

	if (len == sizeof(((struct core_config *)0)->hash_key))
		fake.key_calls++;
	if (i < STEPS_MAX)
		fake.asked[i] = len;
	if (!fake.scripted)
		return syscall(SYS_getrandom, buf, len, flags);
	st = &fake.steps[i < fake.nsteps ? i : fake.nsteps - 1];
	if (st->n < 0) {
		errno = st->err;
		return -1;
	}
	for (ssize_t k = 0; k < st->n && (size_t)k < len; k++)
		((unsigned char *)buf)[k] = ++fake.next;
	return (size_t)st->n < len ? st->n : (ssize_t)len;
}

static void
script(const struct step *steps, unsigned n)
{
	memset(&fake, 0, sizeof(fake));
	fake.scripted = n > 0;
	if (n > 0)
		memcpy(fake.steps, steps, n * sizeof(*steps));
	fake.nsteps = n;
}

static void
test_whole_buffer_across_eintr_and_short_reads(void **state)
{
	static const struct step	steps[] = {
		{ -1, EINTR }, { 5, 0 }, { -1, EINTR }, { 3, 0 }, { 64, 0 },
	};
	unsigned char			key[16];
	char				err[128] = "";

	(void)state;
	script(steps, 5);
	assert_int_equal(random_bytes(key, sizeof(key), err, sizeof(err)), 0);
	/* Each byte came from the kernel, in order, none twice. */
	for (unsigned i = 0; i < sizeof(key); i++)
		assert_int_equal(key[i], i + 1);
	assert_int_equal(fake.calls, 5);
	assert_int_equal(fake.asked[0], 16);
	assert_int_equal(fake.asked[2], 11);
	assert_int_equal(fake.asked[4], 8);
	assert_string_equal(err, "");
}

static void
test_no_randomness_is_an_error(void **state)
{
	static const struct step	nosys[] = { { -1, ENOSYS } };
	static const struct step	eof[] = { { 0, 0 } };
	unsigned char			key[16];
	char				err[128];

	(void)state;
	script(nosys, 1);
	assert_int_equal(random_bytes(key, sizeof(key), err, sizeof(err)), -ENOSYS);
	assert_string_equal(err, "no random bytes from the kernel for the hash key: "
	    "getrandom: Function not implemented");
	assert_int_equal(fake.calls, 1);
	script(eof, 1);
	assert_int_equal(random_bytes(key, sizeof(key), err, sizeof(err)), -EIO);
	assert_int_equal(fake.calls, 1);
}

static void
test_endless_eintr_gives_up(void **state)
{
	static const struct step	steps[] = { { -1, EINTR } };
	unsigned char			key[16];
	char				err[128];

	(void)state;
	script(steps, 1);
	assert_int_equal(random_bytes(key, sizeof(key), err, sizeof(err)), -EINTR);
	assert_true(fake.calls > 1 && fake.calls <= 64);
	assert_non_null(strstr(err, "getrandom: Interrupted system call"));
}

static void
test_kernel_keys_differ(void **state)
{
	unsigned char	a[16], b[16], zero[16] = { 0 };
	char		err[128];

	(void)state;
	script(NULL, 0);
	assert_int_equal(random_bytes(a, sizeof(a), err, sizeof(err)), 0);
	assert_int_equal(random_bytes(b, sizeof(b), err, sizeof(err)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, zero, sizeof(a));
}

static struct net_server *
server_new(char *err, size_t errlen)
{
	struct core_config	cc;
	struct net_config	nc;

	core_config_defaults(&cc);
	net_config_defaults(&nc);
	nc.nlisten = 0;
	return net_server_new(&cc, &nc, NULL, NULL, err, errlen);
}

static void
test_server_takes_a_key_at_start(void **state)
{
	static const struct step	nosys[] = { { -1, ENOSYS } };
	struct net_server		*srv;
	char				 err[256] = "";

	(void)state;
	script(NULL, 0);
	srv = server_new(err, sizeof(err));
	assert_non_null(srv);
	assert_true(fake.key_calls >= 1);
	net_server_free(srv);
	/* Without randomness the server does not start, and says why. */
	script(nosys, 1);
	assert_null(server_new(err, sizeof(err)));
	assert_string_equal(err, "no random bytes from the kernel for the hash key: "
	    "getrandom: Function not implemented");
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_whole_buffer_across_eintr_and_short_reads),
		cmocka_unit_test(test_no_randomness_is_an_error),
		cmocka_unit_test(test_endless_eintr_gives_up),
		cmocka_unit_test(test_kernel_keys_differ),
		cmocka_unit_test(test_server_takes_a_key_at_start),
	};

	return cmocka_run_group_tests(tests, 0, NULL);
}
