/* kmath.h: the few smooth functions the depth score needs (natural log,
 * exp, sqrt), in plain C so lib/ links without libm.  Accurate to ~1e-12
 * over the ranges used; not a general libm replacement. */
#ifndef KITH_KMATH_H
#define KITH_KMATH_H

#include <stdint.h>
#include <string.h>

#define KITH_LN2 0.69314718055994530942

/* ln(x) for x > 0 (returns -1e300 for x <= 0): split x = m * 2^e with
 * m in [sqrt(1/2), sqrt(2)), then ln(m) = 2 atanh((m-1)/(m+1)). */
static inline double kith_ln(double x)
{
	uint64_t bits;
	int e;
	double m, s, s2, term, sum = 0;
	int k;

	if (!(x > 0))
		return -1e300;
	memcpy(&bits, &x, sizeof(bits));
	e = (int)((bits >> 52) & 0x7ff) - 1023;
	if (e == -1023) /* subnormal: scale up first */
		return kith_ln(x * 4503599627370496.0) - 52 * KITH_LN2;
	bits = (bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;
	memcpy(&m, &bits, sizeof(m));
	if (m > 1.41421356237309504880) {
		m /= 2;
		e++;
	}
	s = (m - 1) / (m + 1);
	s2 = s * s;
	term = s;
	for (k = 1; k < 60; k += 2) {
		sum += term / k;
		term *= s2;
	}
	return 2 * sum + e * KITH_LN2;
}

static inline double kith_log1p(double x)
{
	return kith_ln(1 + x);
}

/* e^x: x = n ln2 + r with |r| <= ln2/2, Taylor series for e^r. */
static inline double kith_exp(double x)
{
	double n, r, term = 1, sum = 1, scale = 1;
	int k, i;

	if (x < -700)
		return 0;
	if (x > 700)
		x = 700;
	n = (double)(int64_t)(x / KITH_LN2 + (x >= 0 ? 0.5 : -0.5));
	r = x - n * KITH_LN2;
	for (k = 1; k < 30; k++) {
		term *= r / k;
		sum += term;
	}
	for (i = 0; i < (n >= 0 ? n : -n); i++)
		scale *= 2;
	return n >= 0 ? sum * scale : sum / scale;
}

/* sqrt(x) for x >= 0: e^(ln x / 2), polished by Newton's method. */
static inline double kith_sqrt(double x)
{
	double g;
	int i;

	if (!(x > 0))
		return 0;
	g = kith_exp(0.5 * kith_ln(x));
	for (i = 0; i < 3; i++)
		g = 0.5 * (g + x / g);
	return g;
}

#endif
