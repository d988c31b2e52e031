#include "src/core/fmath.h"

// GCC 12's AVX-512 headers trip a false -Wmaybe-uninitialized on their own
// _mm512_undefined_pd() (GCC bug 105593); silence it for the header only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "src/core/simd.h"

// Every kernel below is written once as an always-inline scalar function and
// instantiated twice: in a generic function (std::fma is a libm call there)
// and in an avx2/fma function (std::fma becomes vfmadd). fma is correctly
// rounded either way, so both return the same bits; the second is just ~10x
// faster. The vector versions of Exp/Sigmoid repeat the scalar operation list
// one-to-one (the one substitution is noted at vscalefpd), so a change to one
// must be mirrored in the others; the tests compare all paths bit for bit.
#define INITREPRO_FMATH_INLINE inline __attribute__((always_inline))
#define INITREPRO_AVX2 __attribute__((target("avx2,fma")))
#define INITREPRO_AVX512 __attribute__((target("avx512f,fma")))

namespace initrepro::fmath {
namespace {

INITREPRO_FMATH_INLINE uint64_t Bits(double x) {
  uint64_t u;
  std::memcpy(&u, &x, sizeof(u));
  return u;
}

INITREPRO_FMATH_INLINE double FromBits(uint64_t u) {
  double x;
  std::memcpy(&x, &u, sizeof(x));
  return x;
}

// Adding then subtracting 1.5 * 2^52 rounds |v| < 2^51 to the nearest integer
// (ties to even), and leaves that integer in the low mantissa bits of the sum.
constexpr double kRoundShift = 0x1.8p52;
constexpr uint64_t kRoundShiftBits = 0x4338000000000000;

// ---------------------------------------------------------------------------
// Exp: x = n*ln2 + r with |r| <= ln2/2, e^r by a degree-12 polynomial, then
// e^x = e^r * 2^n.
//
// e^r = 1 + r + r^2*P(r) is summed as (1 + r) split exactly into hi + lo,
// with lo, the rounding error d of r and r^2*P(r) added to hi last, so only
// that final addition rounds at full weight (max error 0.64 ulp measured;
// plain Horner gave 0.85).
//
// 2^n is applied as two exact powers 2^n1 * 2^n2 (n1 = floor(n/2)): the first
// product is exact and the second rounds once, which gives +inf on overflow
// and gradual underflow without any branch. Subnormal results are e^r (already
// rounded to 53 bits) rounded once more onto the subnormal grid: max error
// 0.76 ulp measured, < 0.85 ulp by analysis. Clamping x to
// [kExpMin, kExpMax] keeps n1, n2 in the normal exponent range; outside it
// the result is already 0 or +inf.

constexpr double kExpMin = -750.0;
constexpr double kExpMax = 710.0;
constexpr double kLog2e = 0x1.71547652b82fep+0;
constexpr double kExpLn2Hi = 0x1.62e42fefa39efp-1;   // ln2 rounded
constexpr double kExpLn2Lo = 0x1.abc9e3b39803fp-56;  // ln2 - kExpLn2Hi
// bits(t) - kExpBiasBits = n + 2046 = (n1 + 1023) + (n2 + 1023) for
// t = kRoundShift + n; always in [964, 3070], so unsigned shifts suffice.
constexpr uint64_t kExpBiasBits = kRoundShiftBits - 2046;
// P(r) ~ (e^r - 1 - r) / r^2, degree 10, Horner order: Chebyshev
// interpolation at 11 nodes on [-ln2/2, ln2/2] * (1 + 2^-20) (mpmath, 400
// bits). |1 + r + r^2 P(r) - e^r| < 2^-61.3 e^r with these rounded values.
// clang-format off
constexpr double kExpPoly[] = {
    0x1.1f72fc83bcbc7p-29, 0x1.af4ddda1c08cdp-26, 0x1.27e4db67ac2b0p-22,
    0x1.71de0237484cdp-19, 0x1.a01a01a6d7831p-16, 0x1.a01a01abe6323p-13,
    0x1.6c16c16c162d6p-10, 0x1.11111111100dfp-7,  0x1.5555555555556p-5,
    0x1.5555555555557p-3,  0x1.0p-1,
};
// clang-format on
constexpr int kExpPolyLen = sizeof(kExpPoly) / sizeof(kExpPoly[0]);

INITREPRO_FMATH_INLINE double ExpCore(double x) {
  if (x != x) return x + x;  // quiets a signalling NaN, keeps the payload
  double xc = kExpMin > x ? kExpMin : x;  // = maxpd(kExpMin, x)
  xc = kExpMax < xc ? kExpMax : xc;       // = minpd(kExpMax, xc)
  const double t = std::fma(xc, kLog2e, kRoundShift);
  const double n = t - kRoundShift;
  const double r1 = std::fma(n, -kExpLn2Hi, xc);  // exact
  const double r = std::fma(n, -kExpLn2Lo, r1);
  const double d = std::fma(n, -kExpLn2Lo, r1 - r);  // (r1 - n*lo) - r
  double q = kExpPoly[0];
#pragma GCC unroll 16
  for (int i = 1; i < kExpPolyLen; ++i) q = std::fma(q, r, kExpPoly[i]);
  const double hi = 1.0 + r;
  const double lo = (1.0 - hi) + r;  // exact (Fast2Sum)
  const double p = hi + std::fma(r * r, q, lo + d);
  const uint64_t biased = Bits(t) - kExpBiasBits;
  const uint64_t e1 = biased >> 1;
  const uint64_t e2 = biased - e1;
  return (p * FromBits(e1 << 52)) * FromBits(e2 << 52);
}

// Never forms e^|x|: for x < 0 it is e^x / (1 + e^x), so no overflow.
// q = numerator / (1 + e) is corrected by one Newton-style step with the
// exact remainder and the exact rounding error of 1 + e, so that only Exp's
// error and one rounding remain (max 1.11 ulp measured; plain division gave
// 1.94). 1/(1 + e) in that step is q itself for x >= 0 and 1 - q for x < 0.
// NaN returns first: several fma operands would otherwise be NaNs of
// different signs, and which one an fma propagates depends on its encoding.
INITREPRO_FMATH_INLINE double SigmoidCore(double x) {
  if (x != x) return x + x;
  const double e = ExpCore(-std::fabs(x));
  const bool non_negative = x >= 0.0;
  const double numerator = non_negative ? 1.0 : e;
  const double hi = 1.0 + e;
  const double lo = (1.0 - hi) + e;  // exact: e <= 1
  const double q = numerator / hi;
  const double remainder = std::fma(-q, hi, numerator);  // exact
  const double inverse = non_negative ? q : 1.0 - q;
  return std::fma(std::fma(-q, lo, remainder), inverse, q);
}

// ---------------------------------------------------------------------------
// Log: x = 2^k * m with m in [sqrt(2)/2, sqrt(2)), f = m - 1, s = f / (2 + f),
// log(m) = f - f^2/2 + s * (f^2/2 + R(s^2)), with the large terms summed in
// double-double (max error 0.62 ulp measured). R and the split of ln2 (whose
// high part has trailing zeros, so k * kLogLn2Hi is exact) are fdlibm's
// e_log.c minimax coefficients (Sun Microsystems, freely redistributable).

constexpr double kLogLn2Hi = 0x1.62e42feep-1;
constexpr double kLogLn2Lo = 0x1.a39ef35793c76p-33;
constexpr uint64_t kSqrtHalfBits = 0x3fe6a09e667f3bcd;  // sqrt(2)/2
// Lg7 .. Lg1, Horner order in z = s^2.
// clang-format off
constexpr double kLogPoly[] = {
    0x1.2f112df3e5244p-3, 0x1.39a09d078c69fp-3, 0x1.7466496cb03dep-3,
    0x1.c71c51d8e78afp-3, 0x1.2492494229359p-2, 0x1.999999997fa04p-2,
    0x1.5555555555593p-1,
};
// clang-format on
constexpr int kLogPolyLen = sizeof(kLogPoly) / sizeof(kLogPoly[0]);

INITREPRO_FMATH_INLINE double LogCore(double x) {
  uint64_t ix = Bits(x);
  int k = 0;
  // One unsigned compare catches sign bit set, zero, subnormal, inf, NaN.
  if (ix - 0x0010000000000000 >= 0x7ff0000000000000 - 0x0010000000000000) {
    if (x != x) return x + x;
    if (x == 0.0) return -std::numeric_limits<double>::infinity();
    if (x < 0.0) return std::numeric_limits<double>::quiet_NaN();
    if (x == std::numeric_limits<double>::infinity()) return x;
    ix = Bits(x * 0x1p54);  // subnormal: normalise exactly
    k = -54;
  }
  // Shift the binade boundary to sqrt(2)/2 so that m - 1 is centred on 0.
  ix += 0x3ff0000000000000 - kSqrtHalfBits;
  k += static_cast<int>(ix >> 52) - 0x3ff;
  ix = (ix & 0x000fffffffffffff) + kSqrtHalfBits;
  const double f = FromBits(ix) - 1.0;  // exact
  const double half_f = 0.5 * f;
  const double hfsq = half_f * f;
  const double hfsq_err = std::fma(half_f, f, -hfsq);  // hfsq + err = f^2/2
  const double s = f / (2.0 + f);
  const double z = s * s;
  double q = kLogPoly[0];
  for (int i = 1; i < kLogPolyLen; ++i) q = std::fma(q, z, kLogPoly[i]);
  const double big_r = z * q;
  const double dk = k;
  const double small = std::fma(s, hfsq + big_r, dk * kLogLn2Lo) - hfsq_err;
  // The three large terms k*ln2hi + f - hfsq, summed exactly as hi + lo
  // (Fast2Sum twice: |f| >= |hfsq|, and |k*ln2hi| >= |f - hfsq| unless k = 0),
  // so only the final addition rounds at full weight.
  const double a = f - hfsq;
  const double a_err = (f - a) - hfsq;
  const double kh = dk * kLogLn2Hi;  // exact
  const double hi = kh + a;
  const double hi_err = (kh - hi) + a;
  return hi + (hi_err + (a_err + small));
}

// ---------------------------------------------------------------------------
// Sin/Cos: x = k*pi/2 + r, r kept as a double-double hi + lo with
// |r| <= pi/4, then the minimax polynomials of fdlibm's k_sin.c and
// FreeBSD's k_cos.c (Sun Microsystems, freely redistributable), summed with
// extra care (below), selected and signed by k mod 4.
//
// |x| < 2^30: Cody-Waite with pi/2 split into three 53-bit parts (error
// < 2^-160), k * part1 and k * part2 formed exactly with fma. No double below
// 2^30 is closer than 2^-61 to a multiple of pi/2 (continued-fraction bound),
// so r keeps > 66 correct bits.
// Larger finite |x|: Payne-Hanek with 1216 bits of 2/pi and 128-bit integer
// products, again > 66 bits even for the double closest to a multiple of pi/2
// (2^-61 away, Muller's worst case). So the accuracy bound (max 0.58 ulp
// measured) holds for every finite x.

struct Reduced {
  double hi;
  double lo;
  uint64_t quadrant;  // k mod 4
};

constexpr double kTwoOverPi = 0x1.45f306dc9c883p-1;
constexpr double kPio2Part1 = 0x1.921fb54442d18p+0;
constexpr double kPio2Part2 = 0x1.1a62633145c07p-54;
constexpr double kPio2Part3 = -0x1.f1976b7ed8fbcp-110;
constexpr double kCodyWaiteMax = 0x1p30;

// k_sin.c S1..S6 and k_cos.c C1..C6.
constexpr double kSin1 = -0x1.5555555555549p-3;
// clang-format off
constexpr double kSinPoly[] = {  // S6 .. S2
    0x1.5d93a5acfd57cp-33, -0x1.ae5e68a2b9cebp-26, 0x1.71de357b1fe7dp-19,
    -0x1.a01a019c161d5p-13, 0x1.111111110f8a6p-7,
};
constexpr double kCosPoly[] = {  // C6 .. C1
    -0x1.8fae9be8838d4p-37, 0x1.1ee9ebdb4b1c4p-29, -0x1.27e4f809c52adp-22,
    0x1.a01a019cb159p-16, -0x1.6c16c16c15177p-10, 0x1.555555555554cp-5,
};
// clang-format on
constexpr int kSinPolyLen = sizeof(kSinPoly) / sizeof(kSinPoly[0]);
constexpr int kCosPolyLen = sizeof(kCosPoly) / sizeof(kCosPoly[0]);

// 2/pi = 0.a2f9836e... in hex, preceded by one zero word so that windows
// starting before the binary point read zeros.
// clang-format off
constexpr uint64_t kTwoOverPiBits[] = {
    0x0000000000000000, 0xa2f9836e4e441529, 0xfc2757d1f534ddc0,
    0xdb6295993c439041, 0xfe5163abdebbc561, 0xb7246e3a424dd2e0,
    0x06492eea09d1921c, 0xfe1deb1cb129a73e, 0xe88235f52ebb4484,
    0xe99c7026b45f7e41, 0x3991d639835339f4, 0x9c845f8bbdf9283b,
    0x1ff897ffde05980f, 0xef2f118b5a0a6d1f, 0x6d367ecf27cb09b7,
    0x4f463f669e5fea2d, 0x7527bac7ebe5f17b, 0x3d0739f78a5292ea,
    0x6bfb5fb11f8d5d08, 0x56033046fc7b6bab,
};
// clang-format on

INITREPRO_FMATH_INLINE Reduced ReduceCodyWaite(double x) {
  const double t = std::fma(x, kTwoOverPi, kRoundShift);
  const double k = t - kRoundShift;
  // Exact: x and k*part1 are multiples of 2^-53 and |difference| < 1.
  const double r1 = std::fma(k, -kPio2Part1, x);
  const double p2_hi = k * kPio2Part2;
  const double p2_lo = std::fma(k, kPio2Part2, -p2_hi);  // k*part2 exactly
  // TwoSum(r1, -p2_hi).
  const double s = r1 - p2_hi;
  const double b = s - r1;
  const double s_err = (r1 - (s - b)) + (-p2_hi - b);
  const double tail = std::fma(-k, kPio2Part3, s_err - p2_lo);
  Reduced out;
  out.hi = s + tail;
  out.lo = (s - out.hi) + tail;
  out.quadrant = Bits(t) & 3;  // kRoundShift's low bits are zero
  return out;
}

// x finite, |x| >= 2^30. Not inline: rare, and only integer work and a few
// exact or correctly rounded double operations.
Reduced ReducePayneHanek(double x) {
  const uint64_t ix = Bits(x);
  const uint64_t mantissa = (ix & 0x000fffffffffffff) | 0x0010000000000000;
  const int e = static_cast<int>((ix >> 52) & 0x7ff) - 1075;  // x = m * 2^e
  // x * 2/pi mod 4 needs 2/pi from bit e-1 after the point on (earlier bits
  // give multiples of 4). Table bit index of that bit: e - 1 + 63.
  const int index = e + 62;
  const int word = index >> 6;
  const int shift = index & 63;
  uint64_t w[3];
  for (int i = 0; i < 3; ++i) {
    const uint64_t a = kTwoOverPiBits[word + i];
    const uint64_t b = kTwoOverPiBits[word + i + 1];
    w[i] = shift == 0 ? a : (a << shift) | (b >> (64 - shift));
  }
  // (m * window) mod 2^192 = x * 2/pi mod 4, with 190 fraction bits.
  using u128 = unsigned __int128;
  const u128 p_low = static_cast<u128>(mantissa) * w[2];
  const u128 p_mid = static_cast<u128>(mantissa) * w[1];
  const uint64_t p_high = mantissa * w[0];  // only its low 64 bits count
  const uint64_t r0 = static_cast<uint64_t>(p_low);
  const u128 c1 = (p_low >> 64) + static_cast<uint64_t>(p_mid);
  const uint64_t r1 = static_cast<uint64_t>(c1);
  const uint64_t r2 = static_cast<uint64_t>(p_mid >> 64) + p_high +
                      static_cast<uint64_t>(c1 >> 64);
  uint64_t quadrant = r2 >> 62;
  // The 128 fraction bits after the quadrant, as a signed fraction in
  // [-1/2, 1/2) of a quadrant (rounding k to nearest).
  u128 frac = (static_cast<u128>((r2 << 2) | (r1 >> 62)) << 64) |
              ((r1 << 2) | (r0 >> 62));
  const bool negative_frac = (frac >> 127) != 0;
  if (negative_frac) {
    quadrant += 1;
    frac = -frac;
  }
  Reduced out;
  if (frac == 0) {  // cannot happen for a double, but stay defined
    out.hi = 0.0;
    out.lo = 0.0;
  } else {
    const uint64_t top = static_cast<uint64_t>(frac >> 64);
    const int lz = top != 0 ? __builtin_clzll(top)
                            : 64 + __builtin_clzll(static_cast<uint64_t>(frac));
    frac <<= lz;
    const uint64_t u1 = static_cast<uint64_t>(frac >> 75);
    const uint64_t u2 = static_cast<uint64_t>(frac >> 22) & ((1ull << 53) - 1);
    double f_hi = std::ldexp(static_cast<double>(u1), -53 - lz);
    double f_lo = std::ldexp(static_cast<double>(u2), -106 - lz);
    if (negative_frac) {
      f_hi = -f_hi;
      f_lo = -f_lo;
    }
    // (f_hi + f_lo) * (part1 + part2) as a double-double.
    const double p = f_hi * kPio2Part1;
    double e_p = std::fma(f_hi, kPio2Part1, -p);
    e_p = std::fma(f_hi, kPio2Part2, e_p);
    e_p = std::fma(f_lo, kPio2Part1, e_p);
    out.hi = p + e_p;
    out.lo = (p - out.hi) + e_p;
  }
  if ((ix >> 63) != 0) {
    out.hi = -out.hi;
    out.lo = -out.lo;
    quadrant = 0 - quadrant;
  }
  out.quadrant = quadrant & 3;
  return out;
}

// sin(x + y), |x| <= pi/4 (plus rounding), |y| <= ulp(x)/2:
//   x + y + S1*x^3 + x^3*z*R(z) - y*z/2,  z = x^2.
// The S1*x^3 term (up to x/10) is formed as an exact double-double and added
// to x by Fast2Sum, so its rounding errors do not reach the result (max error
// 0.58 ulp measured; fdlibm's plain evaluation gave 0.76).
INITREPRO_FMATH_INLINE double SinKernel(double x, double y) {
  const double z = x * x;
  const double z_err = std::fma(x, x, -z);
  const double v = z * x;
  const double v_err = std::fma(z, x, -v) + z_err * x;  // v + v_err = x^3
  double r = kSinPoly[0];
  for (int i = 1; i < kSinPolyLen; ++i) r = std::fma(r, z, kSinPoly[i]);
  const double inner = std::fma(z, std::fma(-v, r, 0.5 * y), -y);
  const double c = v * kSin1;
  const double c_err = std::fma(v, kSin1, -c);
  const double s = x + c;
  const double s_err = (x - s) + c;  // exact: |c| < |x|
  return s + (s_err + (c_err + std::fma(v_err, kSin1, -inner)));
}

// cos(x + y), same domain: 1 - z/2 + z^2*Q(z) - x*y. 1 - z/2 is summed as
// w plus its exact rounding error, and z's own rounding error is added back.
INITREPRO_FMATH_INLINE double CosKernel(double x, double y) {
  const double z = x * x;
  const double z_err = std::fma(x, x, -z);
  double q = kCosPoly[0];
  for (int i = 1; i < kCosPolyLen; ++i) q = std::fma(q, z, kCosPoly[i]);
  const double r = z * q;
  const double hz = 0.5 * z;
  const double w = 1.0 - hz;
  const double w_err = (1.0 - w) - hz;  // exact
  return w + ((w_err - 0.5 * z_err) + std::fma(z, r, -(x * y)));
}

INITREPRO_FMATH_INLINE Reduced Reduce(double x) {
  return std::fabs(x) < kCodyWaiteMax ? ReduceCodyWaite(x)
                                      : ReducePayneHanek(x);
}

// sin(r + k*pi/2) for quadrant = k mod 4; cos uses quadrant + 1.
INITREPRO_FMATH_INLINE double SinOfReduced(const Reduced& r,
                                           uint64_t quadrant) {
  const double v =
      (quadrant & 1) != 0 ? CosKernel(r.hi, r.lo) : SinKernel(r.hi, r.lo);
  return (quadrant & 2) != 0 ? -v : v;
}

// Below 2^-27, sin(x) rounds to x and cos(x) to 1; returning them directly
// also keeps sin(-0) = -0 and avoids subnormal work.
constexpr double kTrigTiny = 0x1p-27;

INITREPRO_FMATH_INLINE double SinCore(double x) {
  if (!std::isfinite(x)) return x - x;  // NaN for NaN and +-inf
  if (std::fabs(x) < kTrigTiny) return x;
  const Reduced r = Reduce(x);
  return SinOfReduced(r, r.quadrant);
}

INITREPRO_FMATH_INLINE double CosCore(double x) {
  if (!std::isfinite(x)) return x - x;
  if (std::fabs(x) < kTrigTiny) return 1.0;
  const Reduced r = Reduce(x);
  return SinOfReduced(r, r.quadrant + 1);
}

INITREPRO_FMATH_INLINE void SinCosCore(double x, double* s, double* c) {
  if (!std::isfinite(x)) {
    *s = *c = x - x;
    return;
  }
  if (std::fabs(x) < kTrigTiny) {
    *s = x;
    *c = 1.0;
    return;
  }
  const Reduced r = Reduce(x);
  const double sk = SinKernel(r.hi, r.lo);
  const double ck = CosKernel(r.hi, r.lo);
  switch (r.quadrant) {
    case 0:
      *s = sk;
      *c = ck;
      break;
    case 1:
      *s = ck;
      *c = -sk;
      break;
    case 2:
      *s = -sk;
      *c = -ck;
      break;
    default:
      *s = -ck;
      *c = sk;
      break;
  }
}

// ---------------------------------------------------------------------------
// Scalar instantiations.

double ExpGeneric(double x) { return ExpCore(x); }
double LogGeneric(double x) { return LogCore(x); }
double SinGeneric(double x) { return SinCore(x); }
double CosGeneric(double x) { return CosCore(x); }
void SinCosGeneric(double x, double* s, double* c) { SinCosCore(x, s, c); }
double SigmoidGeneric(double x) { return SigmoidCore(x); }

INITREPRO_AVX2 double ExpFma(double x) { return ExpCore(x); }
INITREPRO_AVX2 double LogFma(double x) { return LogCore(x); }
INITREPRO_AVX2 double SinFma(double x) { return SinCore(x); }
INITREPRO_AVX2 double CosFma(double x) { return CosCore(x); }
INITREPRO_AVX2 void SinCosFma(double x, double* s, double* c) {
  SinCosCore(x, s, c);
}
INITREPRO_AVX2 double SigmoidFma(double x) { return SigmoidCore(x); }

inline bool UseFma() { return ActiveSimd() != SimdLevel::kScalar; }

// ---------------------------------------------------------------------------
// Vector Exp/Sigmoid: ExpCore / SigmoidCore, operation for operation.

INITREPRO_AVX512 INITREPRO_FMATH_INLINE __m512d Exp8(__m512d x) {
  __m512d xc = _mm512_max_pd(_mm512_set1_pd(kExpMin), x);
  xc = _mm512_min_pd(_mm512_set1_pd(kExpMax), xc);
  const __m512d shift = _mm512_set1_pd(kRoundShift);
  const __m512d t = _mm512_fmadd_pd(xc, _mm512_set1_pd(kLog2e), shift);
  const __m512d n = _mm512_sub_pd(t, shift);
  const __m512d ln2_lo = _mm512_set1_pd(-kExpLn2Lo);
  const __m512d r1 = _mm512_fmadd_pd(n, _mm512_set1_pd(-kExpLn2Hi), xc);
  const __m512d r = _mm512_fmadd_pd(n, ln2_lo, r1);
  const __m512d d = _mm512_fmadd_pd(n, ln2_lo, _mm512_sub_pd(r1, r));
  __m512d q = _mm512_set1_pd(kExpPoly[0]);
#pragma GCC unroll 16
  for (int i = 1; i < kExpPolyLen; ++i) {
    q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(kExpPoly[i]));
  }
  const __m512d one = _mm512_set1_pd(1.0);
  const __m512d hi = _mm512_add_pd(one, r);
  const __m512d lo = _mm512_add_pd(_mm512_sub_pd(one, hi), r);
  const __m512d p = _mm512_add_pd(
      hi, _mm512_fmadd_pd(_mm512_mul_pd(r, r), q, _mm512_add_pd(lo, d)));
  // ExpCore's (p * 2^n1) * 2^n2 is exact then rounded once: the IEEE
  // scaleB(p, n), which vscalefpd computes in one instruction.
  const __m512d y = _mm512_scalef_pd(p, n);
  const __mmask8 is_nan = _mm512_cmp_pd_mask(x, x, _CMP_UNORD_Q);
  return _mm512_mask_add_pd(y, is_nan, x, x);
}

INITREPRO_AVX512 INITREPRO_FMATH_INLINE __m512d Sigmoid8(__m512d x) {
  // -|x| by setting the sign bit (integer OR: plain AVX-512F, no DQ needed).
  const __m512d e = Exp8(_mm512_castsi512_pd(
      _mm512_or_si512(_mm512_castpd_si512(x), _mm512_set1_epi64(INT64_MIN))));
  const __mmask8 non_negative =
      _mm512_cmp_pd_mask(x, _mm512_setzero_pd(), _CMP_GE_OQ);
  const __m512d one = _mm512_set1_pd(1.0);
  const __m512d numerator = _mm512_mask_mov_pd(e, non_negative, one);
  const __m512d hi = _mm512_add_pd(one, e);
  const __m512d lo = _mm512_add_pd(_mm512_sub_pd(one, hi), e);
  const __m512d q = _mm512_div_pd(numerator, hi);
  const __m512d remainder = _mm512_fnmadd_pd(q, hi, numerator);
  const __m512d inverse =
      _mm512_mask_mov_pd(_mm512_sub_pd(one, q), non_negative, q);
  const __m512d y =
      _mm512_fmadd_pd(_mm512_fnmadd_pd(q, lo, remainder), inverse, q);
  const __mmask8 is_nan = _mm512_cmp_pd_mask(x, x, _CMP_UNORD_Q);
  return _mm512_mask_add_pd(y, is_nan, x, x);
}

INITREPRO_AVX2 INITREPRO_FMATH_INLINE __m256d Exp4(__m256d x) {
  __m256d xc = _mm256_max_pd(_mm256_set1_pd(kExpMin), x);
  xc = _mm256_min_pd(_mm256_set1_pd(kExpMax), xc);
  const __m256d shift = _mm256_set1_pd(kRoundShift);
  const __m256d t = _mm256_fmadd_pd(xc, _mm256_set1_pd(kLog2e), shift);
  const __m256d n = _mm256_sub_pd(t, shift);
  const __m256d ln2_lo = _mm256_set1_pd(-kExpLn2Lo);
  const __m256d r1 = _mm256_fmadd_pd(n, _mm256_set1_pd(-kExpLn2Hi), xc);
  const __m256d r = _mm256_fmadd_pd(n, ln2_lo, r1);
  const __m256d d = _mm256_fmadd_pd(n, ln2_lo, _mm256_sub_pd(r1, r));
  __m256d q = _mm256_set1_pd(kExpPoly[0]);
#pragma GCC unroll 16
  for (int i = 1; i < kExpPolyLen; ++i) {
    q = _mm256_fmadd_pd(q, r, _mm256_set1_pd(kExpPoly[i]));
  }
  const __m256d one = _mm256_set1_pd(1.0);
  const __m256d hi = _mm256_add_pd(one, r);
  const __m256d lo = _mm256_add_pd(_mm256_sub_pd(one, hi), r);
  const __m256d p = _mm256_add_pd(
      hi, _mm256_fmadd_pd(_mm256_mul_pd(r, r), q, _mm256_add_pd(lo, d)));
  const __m256i biased =
      _mm256_sub_epi64(_mm256_castpd_si256(t),
                       _mm256_set1_epi64x(static_cast<int64_t>(kExpBiasBits)));
  const __m256i e1 = _mm256_srli_epi64(biased, 1);
  const __m256i e2 = _mm256_sub_epi64(biased, e1);
  const __m256d y = _mm256_mul_pd(
      _mm256_mul_pd(p, _mm256_castsi256_pd(_mm256_slli_epi64(e1, 52))),
      _mm256_castsi256_pd(_mm256_slli_epi64(e2, 52)));
  const __m256d is_nan = _mm256_cmp_pd(x, x, _CMP_UNORD_Q);
  return _mm256_blendv_pd(y, _mm256_add_pd(x, x), is_nan);
}

INITREPRO_AVX2 INITREPRO_FMATH_INLINE __m256d Sigmoid4(__m256d x) {
  const __m256d sign = _mm256_set1_pd(-0.0);
  const __m256d e = Exp4(_mm256_or_pd(x, sign));  // -|x|
  const __m256d non_negative =
      _mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_GE_OQ);
  const __m256d one = _mm256_set1_pd(1.0);
  const __m256d numerator = _mm256_blendv_pd(e, one, non_negative);
  const __m256d hi = _mm256_add_pd(one, e);
  const __m256d lo = _mm256_add_pd(_mm256_sub_pd(one, hi), e);
  const __m256d q = _mm256_div_pd(numerator, hi);
  const __m256d remainder = _mm256_fnmadd_pd(q, hi, numerator);
  const __m256d inverse =
      _mm256_blendv_pd(_mm256_sub_pd(one, q), q, non_negative);
  const __m256d y =
      _mm256_fmadd_pd(_mm256_fnmadd_pd(q, lo, remainder), inverse, q);
  const __m256d is_nan = _mm256_cmp_pd(x, x, _CMP_UNORD_Q);
  return _mm256_blendv_pd(y, _mm256_add_pd(x, x), is_nan);
}

// Two independent vectors per iteration: the polynomial is one long
// dependency chain, and two chains keep both FMA ports busy.
INITREPRO_AVX512 void ExpArrayAvx512(const double* in, double* out, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512d a = Exp8(_mm512_loadu_pd(in + i));
    const __m512d b = Exp8(_mm512_loadu_pd(in + i + 8));
    _mm512_storeu_pd(out + i, a);
    _mm512_storeu_pd(out + i + 8, b);
  }
  for (; i + 8 <= n; i += 8)
    _mm512_storeu_pd(out + i, Exp8(_mm512_loadu_pd(in + i)));
  for (; i < n; ++i) out[i] = ExpCore(in[i]);
}

INITREPRO_AVX512 void SigmoidArrayAvx512(const double* in, double* out,
                                         size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512d a = Sigmoid8(_mm512_loadu_pd(in + i));
    const __m512d b = Sigmoid8(_mm512_loadu_pd(in + i + 8));
    _mm512_storeu_pd(out + i, a);
    _mm512_storeu_pd(out + i + 8, b);
  }
  for (; i + 8 <= n; i += 8) {
    _mm512_storeu_pd(out + i, Sigmoid8(_mm512_loadu_pd(in + i)));
  }
  for (; i < n; ++i) out[i] = SigmoidCore(in[i]);
}

INITREPRO_AVX2 void ExpArrayAvx2(const double* in, double* out, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256d a = Exp4(_mm256_loadu_pd(in + i));
    const __m256d b = Exp4(_mm256_loadu_pd(in + i + 4));
    _mm256_storeu_pd(out + i, a);
    _mm256_storeu_pd(out + i + 4, b);
  }
  for (; i + 4 <= n; i += 4)
    _mm256_storeu_pd(out + i, Exp4(_mm256_loadu_pd(in + i)));
  for (; i < n; ++i) out[i] = ExpCore(in[i]);
}

INITREPRO_AVX2 void SigmoidArrayAvx2(const double* in, double* out, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256d a = Sigmoid4(_mm256_loadu_pd(in + i));
    const __m256d b = Sigmoid4(_mm256_loadu_pd(in + i + 4));
    _mm256_storeu_pd(out + i, a);
    _mm256_storeu_pd(out + i + 4, b);
  }
  for (; i + 4 <= n; i += 4) {
    _mm256_storeu_pd(out + i, Sigmoid4(_mm256_loadu_pd(in + i)));
  }
  for (; i < n; ++i) out[i] = SigmoidCore(in[i]);
}

void CheckSameSize(absl::Span<const double> in, absl::Span<double> out,
                   const char* function) {
  // A size mismatch is a caller bug that would otherwise read or write out of
  // bounds; there is no sensible result to return.
  if (in.size() != out.size()) {
    std::fprintf(stderr,
                 "initrepro: fmath::%s: in.size()=%zu != out.size()=%zu\n",
                 function, in.size(), out.size());
    std::abort();
  }
}

}  // namespace

double Exp(double x) { return UseFma() ? ExpFma(x) : ExpGeneric(x); }
double Log(double x) { return UseFma() ? LogFma(x) : LogGeneric(x); }
double Sin(double x) { return UseFma() ? SinFma(x) : SinGeneric(x); }
double Cos(double x) { return UseFma() ? CosFma(x) : CosGeneric(x); }

void SinCos(double x, double* sin_out, double* cos_out) {
  if (UseFma()) {
    SinCosFma(x, sin_out, cos_out);
  } else {
    SinCosGeneric(x, sin_out, cos_out);
  }
}

double Sigmoid(double x) {
  return UseFma() ? SigmoidFma(x) : SigmoidGeneric(x);
}

void ExpArray(absl::Span<const double> in, absl::Span<double> out) {
  CheckSameSize(in, out, "ExpArray");
  switch (ActiveSimd()) {
    case SimdLevel::kAvx512:
      ExpArrayAvx512(in.data(), out.data(), in.size());
      return;
    case SimdLevel::kAvx2:
      ExpArrayAvx2(in.data(), out.data(), in.size());
      return;
    case SimdLevel::kScalar:
      break;
  }
  for (size_t i = 0; i < in.size(); ++i) out[i] = ExpGeneric(in[i]);
}

void SigmoidArray(absl::Span<const double> in, absl::Span<double> out) {
  CheckSameSize(in, out, "SigmoidArray");
  switch (ActiveSimd()) {
    case SimdLevel::kAvx512:
      SigmoidArrayAvx512(in.data(), out.data(), in.size());
      return;
    case SimdLevel::kAvx2:
      SigmoidArrayAvx2(in.data(), out.data(), in.size());
      return;
    case SimdLevel::kScalar:
      break;
  }
  for (size_t i = 0; i < in.size(); ++i) out[i] = SigmoidGeneric(in[i]);
}

}  // namespace initrepro::fmath
