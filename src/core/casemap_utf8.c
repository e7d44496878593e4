/*
 * rfc8265 casemapping with ICU: PRECIS UsernameCaseMapped folding and validity
 * (RFC 8264, RFC 8265 section 3.3, the Bidi Rule of RFC 5893) and UTS #39 skeletons.
 * ICU works in UTF-16: names go in and out as UTF-8.
 */
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "core/casemap.h"
#include "core/casemap_utf8.h"

/* UTF-16 units: a name's UTF-8 bytes are never fewer than its units. */
#define U16_CAP		(CASEMAP_UTF8_FOLD_MAX / 2)
/* "Do it four times and hope it converges" (RFC 8264 section 7): the passes are
 * idempotent one by one, their composition not always. */
#define FOLD_PASSES	4

struct casemap_skel {
	USpoofChecker	*sc;
};

static bool
ascii_only(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* ASCII's fold: A-Z to a-z, every other byte as it is. */
static void
ascii_fold(char *dst, size_t cap, const char *src)
{
	size_t	i;

	if (cap == 0)
		return;
	for (i = 0; src[i] != '\0' && i < cap - 1; i++)
		dst[i] = (src[i] >= 'A' && src[i] <= 'Z') ? src[i] + 32 : src[i];
	dst[i] = '\0';
}

/* Append code point c to out (cap units) at *n; false when it does not fit. */
static bool
put16(UChar *out, int32_t cap, int32_t *n, UChar32 c)
{
	if (*n + U16_LENGTH(c) > cap)
		return false;
	U16_APPEND_UNSAFE(out, *n, c);
	return true;
}

/*
 * The width mapping (RFC 8264 section 9.1): a fullwidth or halfwidth code point
 * becomes its <wide> or <narrow> decomposition; with lower, every code point then
 * becomes its lowercase (toLowerCase's full mappings: only U+0130 has one of more
 * than one code point; no final-sigma context).  Returns the length, or -1.
 */
static int32_t
map16(const UChar *in, int32_t len, UChar *out, int32_t cap, bool lower)
{
	const UNormalizer2	*nfkc;
	UErrorCode		 err = U_ZERO_ERROR;
	int32_t			 n = 0;

	if ((nfkc = unorm2_getNFKCInstance(&err)) == NULL || U_FAILURE(err))
		return -1;
	for (int32_t i = 0; i < len;) {
		UChar32	c, d;
		UChar	dec[8];
		int32_t	ndec = 0, k = 0;
		int	dt;

		U16_NEXT(in, i, len, c);
		dt = u_getIntPropertyValue(c, UCHAR_DECOMPOSITION_TYPE);
		if (dt == U_DT_WIDE || dt == U_DT_NARROW) {
			err = U_ZERO_ERROR;
			ndec = unorm2_getRawDecomposition(nfkc, c, dec, 8, &err);
			if (U_FAILURE(err))
				ndec = 0;
		}
		if (ndec <= 0) {
			ndec = 0;
			U16_APPEND_UNSAFE(dec, ndec, c);
		}
		while (k < ndec) {
			U16_NEXT(dec, k, ndec, d);
			if (lower && d == 0x130) {
				if (!put16(out, cap, &n, 0x69) || !put16(out, cap, &n, 0x307))
					return -1;
			} else if (!put16(out, cap, &n, lower ? u_tolower(d) : d)) {
				return -1;
			}
		}
	}
	return n;
}

/* One PRECIS pass over in, into out: width, case, NFC.  Returns the length, or -1. */
static int32_t
fold_pass(const UChar *in, int32_t len, UChar *out, int32_t cap)
{
	UChar			 mid[U16_CAP];
	const UNormalizer2	*nfc;
	UErrorCode		 err = U_ZERO_ERROR;
	int32_t			 n;

	if ((n = map16(in, len, mid, U16_CAP, true)) == -1)
		return -1;
	if ((nfc = unorm2_getNFCInstance(&err)) == NULL || U_FAILURE(err))
		return -1;
	n = unorm2_normalize(nfc, mid, n, out, cap, &err);
	return U_FAILURE(err) || n >= cap ? -1 : n;
}

/* The folded form of UTF-8 src in UTF-16 into out (U16_CAP units): its length, or -1
 * when src is not UTF-8, too long, or does not settle. */
static int32_t
fold16(const char *src, UChar *out)
{
	UChar		 a[U16_CAP];
	UErrorCode	 err = U_ZERO_ERROR;
	int32_t		 n, m;

	u_strFromUTF8(a, U16_CAP, &n, src, -1, &err);
	if (U_FAILURE(err) || n >= U16_CAP)
		return -1;
	for (int pass = 0; pass < FOLD_PASSES; pass++) {
		if ((m = fold_pass(a, n, out, U16_CAP)) == -1)
			return -1;
		if (m == n && memcmp(a, out, (size_t)n * sizeof(UChar)) == 0)
			return m;
		memcpy(a, out, (size_t)m * sizeof(UChar));
		n = m;
	}
	return -1;
}

void
casemap_utf8_fold(char *dst, size_t cap, const char *src)
{
	UChar		 f[U16_CAP];
	char		 out[CASEMAP_UTF8_FOLD_MAX];
	UErrorCode	 err = U_ZERO_ERROR;
	int32_t		 n, len;

	if (cap == 0)
		return;
	if (ascii_only(src) || (n = fold16(src, f)) == -1) {
		ascii_fold(dst, cap, src);
		return;
	}
	u_strToUTF8(out, (int32_t)sizeof(out), &len, f, n, &err);
	if (U_FAILURE(err) || (size_t)len >= sizeof(out)) {
		ascii_fold(dst, cap, src);
		return;
	}
	/* Cut as casemap_fold does, but on a character's boundary. */
	if ((size_t)len > cap - 1) {
		len = (int32_t)(cap - 1);
		while (len > 0 && ((unsigned char)out[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(dst, out, (size_t)len);
	dst[len] = '\0';
}

bool
casemap_utf8_eq(const char *a, const char *b)
{
	char	fa[CASEMAP_UTF8_FOLD_MAX], fb[CASEMAP_UTF8_FOLD_MAX];

	casemap_utf8_fold(fa, sizeof(fa), a);
	casemap_utf8_fold(fb, sizeof(fb), b);
	return strcmp(fa, fb) == 0;
}

/* RFC 5892's exceptions that PRECIS keeps: PVALID 1, DISALLOWED (or CONTEXTO, whose
 * context rules parley does not apply) -1, not an exception 0. */
static int
id_exception(UChar32 c)
{
	switch (c) {
	case 0x00df: case 0x03c2: case 0x06fd: case 0x06fe: case 0x0f0b: case 0x3007:
		return 1;
	case 0x00b7: case 0x0375: case 0x05f3: case 0x05f4: case 0x30fb:
	case 0x0640: case 0x07fa: case 0x302e: case 0x302f: case 0x3031: case 0x3032:
	case 0x3033: case 0x3034: case 0x3035: case 0x303b:
		return -1;
	}
	return 0;
}

/* Whether a code point above ASCII is PVALID in the IdentifierClass (RFC 8264
 * section 8, in its order).  The join controls (CONTEXTJ) are refused. */
static bool
id_pvalid(UChar32 c)
{
	const UNormalizer2	*nfkc;
	UErrorCode		 err = U_ZERO_ERROR;
	UChar			 s[2];
	int32_t			 n = 0;
	int			 gc = u_charType(c), hst;

	if (id_exception(c) != 0)
		return id_exception(c) == 1;
	if (gc == U_UNASSIGNED || c == 0x200c || c == 0x200d)
		return false;
	hst = u_getIntPropertyValue(c, UCHAR_HANGUL_SYLLABLE_TYPE);
	if (hst == U_HST_LEADING_JAMO || hst == U_HST_VOWEL_JAMO ||
	    hst == U_HST_TRAILING_JAMO)
		return false;
	if (u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) ||
	    u_hasBinaryProperty(c, UCHAR_NONCHARACTER_CODE_POINT) || gc == U_CONTROL_CHAR)
		return false;
	/* HasCompat: NFKC changes it. */
	U16_APPEND_UNSAFE(s, n, c);
	if ((nfkc = unorm2_getNFKCInstance(&err)) == NULL || U_FAILURE(err) ||
	    !unorm2_isNormalized(nfkc, s, n, &err) || U_FAILURE(err))
		return false;
	return gc == U_LOWERCASE_LETTER || gc == U_UPPERCASE_LETTER ||
	    gc == U_OTHER_LETTER || gc == U_DECIMAL_DIGIT_NUMBER ||
	    gc == U_MODIFIER_LETTER || gc == U_NON_SPACING_MARK ||
	    gc == U_COMBINING_SPACING_MARK;
}

static bool
dir_in(int d, const int *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == d)
			return true;
	return false;
}

/* The Bidi Rule (RFC 5893 section 2), for a name with a right-to-left character. */
static bool
bidi_ok(const UChar *s, int32_t len)
{
	static const int	rtl_ok[] = { U_RIGHT_TO_LEFT, U_RIGHT_TO_LEFT_ARABIC,
	    U_ARABIC_NUMBER, U_EUROPEAN_NUMBER, U_EUROPEAN_NUMBER_SEPARATOR,
	    U_COMMON_NUMBER_SEPARATOR, U_EUROPEAN_NUMBER_TERMINATOR, U_OTHER_NEUTRAL,
	    U_BOUNDARY_NEUTRAL, U_DIR_NON_SPACING_MARK };
	static const int	ltr_ok[] = { U_LEFT_TO_RIGHT, U_EUROPEAN_NUMBER,
	    U_EUROPEAN_NUMBER_SEPARATOR, U_COMMON_NUMBER_SEPARATOR,
	    U_EUROPEAN_NUMBER_TERMINATOR, U_OTHER_NEUTRAL, U_BOUNDARY_NEUTRAL,
	    U_DIR_NON_SPACING_MARK };
	bool	rtl, en = false, an = false;
	int	first = -1, last = -1;
	UChar32	c;

	for (int32_t i = 0; i < len;) {
		int	d;

		U16_NEXT(s, i, len, c);
		d = u_charDirection(c);
		if (first == -1) {
			first = d;
			if (d != U_LEFT_TO_RIGHT && d != U_RIGHT_TO_LEFT &&
			    d != U_RIGHT_TO_LEFT_ARABIC)
				return false;
		}
		rtl = first != U_LEFT_TO_RIGHT;
		if (rtl ? !dir_in(d, rtl_ok, sizeof(rtl_ok) / sizeof(rtl_ok[0])) :
		    !dir_in(d, ltr_ok, sizeof(ltr_ok) / sizeof(ltr_ok[0])))
			return false;
		en |= d == U_EUROPEAN_NUMBER;
		an |= d == U_ARABIC_NUMBER;
		if (d != U_DIR_NON_SPACING_MARK)
			last = d;
	}
	if (first != U_LEFT_TO_RIGHT)
		return !(en && an) && (last == U_RIGHT_TO_LEFT ||
		    last == U_RIGHT_TO_LEFT_ARABIC || last == U_EUROPEAN_NUMBER ||
		    last == U_ARABIC_NUMBER);
	return last == U_LEFT_TO_RIGHT || last == U_EUROPEAN_NUMBER;
}

/* Above ASCII, a nick starts with a letter: not a digit, nor a mark with nothing to
 * mark (IDNA's rule for labels too). */
static bool
nick_first(UChar32 c)
{
	int	gc = u_charType(c);

	return gc != U_DECIMAL_DIGIT_NUMBER && gc != U_NON_SPACING_MARK &&
	    gc != U_COMBINING_SPACING_MARK;
}

bool
casemap_utf8_nick_valid(const char *nick, size_t maxlen)
{
	UChar	f[U16_CAP];
	int32_t	n;
	bool	bidi = false;
	UChar32	c;

	if (nick == NULL || strlen(nick) > maxlen)
		return false;
	if (ascii_only(nick))
		return casemap_nick_valid(nick, maxlen);
	if ((n = fold16(nick, f)) <= 0)
		return false;
	for (int32_t i = 0; i < n;) {
		bool	first = i == 0;
		int	d;

		U16_NEXT(f, i, n, c);
		if (c < 0x80 ? !casemap_nick_byte((unsigned char)c, first) :
		    !id_pvalid(c) || (first && !nick_first(c)))
			return false;
		d = u_charDirection(c);
		bidi |= d == U_RIGHT_TO_LEFT || d == U_RIGHT_TO_LEFT_ARABIC ||
		    d == U_ARABIC_NUMBER;
	}
	return !bidi || bidi_ok(f, n);
}

struct casemap_skel *
casemap_skel_open(void)
{
	struct casemap_skel	*sk;
	UErrorCode		 err = U_ZERO_ERROR;

	if ((sk = calloc(1, sizeof(*sk))) == NULL)
		return NULL;
	if ((sk->sc = uspoof_open(&err)) == NULL || U_FAILURE(err)) {
		if (sk->sc != NULL)
			uspoof_close(sk->sc);
		free(sk);
		return NULL;
	}
	return sk;
}

void
casemap_skel_close(struct casemap_skel *sk)
{
	if (sk == NULL)
		return;
	uspoof_close(sk->sc);
	free(sk);
}

int
casemap_skeleton(const struct casemap_skel *sk, char *dst, size_t cap, const char *nick)
{
	UChar		 a[U16_CAP], b[U16_CAP];
	UErrorCode	 err = U_ZERO_ERROR;
	int32_t		 n, len;

	/* Width first, as ergo does: the confusables map only some fullwidth letters. */
	u_strFromUTF8(a, U16_CAP, &n, nick, -1, &err);
	if (U_FAILURE(err) || n >= U16_CAP || (n = map16(a, n, b, U16_CAP, false)) == -1)
		return -1;
	n = uspoof_getSkeleton(sk->sc, 0, b, n, a, U16_CAP, &err);
	if (U_FAILURE(err) || n >= U16_CAP)
		return -1;
	/* Case last: a skeleton mixes scripts, so it is folded, not PRECIS-checked. */
	n = u_strFoldCase(b, U16_CAP, a, n, U_FOLD_CASE_DEFAULT, &err);
	if (U_FAILURE(err) || n >= U16_CAP)
		return -1;
	u_strToUTF8(dst, (int32_t)(cap > INT32_MAX ? INT32_MAX : cap), &len, b, n, &err);
	return U_FAILURE(err) || (size_t)len >= cap ? -1 : 0;
}
