// fmath: the project's own transcendentals.
//
// libm's exp/log/sin/cos differ in the last bit between glibc versions and
// CPUs, and anything that feeds trained bits or goldens must not. These use a
// fixed range reduction and fixed polynomials written with explicit std::fma,
// so they return the same bits everywhere (given round-to-nearest and no
// flush-to-zero, the x86-64 defaults).
//
// Accuracy, max error against long double references over >= 1e6 points each
// (fmath_test.cc asserts these with a little headroom):
//   Exp      0.64 ulp; 0.76 ulp where the result is subnormal
//   Log      0.62 ulp, including subnormal inputs
//   Sin/Cos  0.58 ulp for every finite x (exact Payne-Hanek beyond 2^30)
//   Sigmoid  1.11 ulp
// Special values follow C99 Annex F: Exp(+-inf) = +inf / +0, overflow gives
// +inf and underflow gradual subnormals then +0; Log(+-0) = -inf, Log(x < 0)
// = NaN, Log(+inf) = +inf; Sin/Cos(+-inf) = NaN; Sin(-0) = -0; NaN in, NaN
// out (quieted, payload kept).
//
// The array versions compute element i with exactly the scalar function's
// operation sequence, on whichever SIMD path ActiveSimd() selects, so
// ExpArray(x)[i] == Exp(x[i]) bit for bit on every path.
//
// Thread-safety: all functions are pure.
#ifndef INITREPRO_SRC_CORE_FMATH_H_
#define INITREPRO_SRC_CORE_FMATH_H_

#include "absl/types/span.h"

namespace initrepro::fmath {

double Exp(double x);   // e^x; +inf above ~709.78, +0 below ~-745.13
double Log(double x);   // natural log; -inf at 0, NaN below 0
double Sin(double x);   // radians, any finite x (used on 2*pi*k*x/p)
double Cos(double x);
// Same bits as Sin(x) and Cos(x), one range reduction.
void SinCos(double x, double* sin_out, double* cos_out);

// 1 / (1 + e^-x), computed without overflow for any finite x.
double Sigmoid(double x);

// out[i] = Exp(in[i]); in and out may alias (exactly, not partially). Sizes
// must match (aborts otherwise). ~0.8 ns per element with AVX-512.
void ExpArray(absl::Span<const double> in, absl::Span<double> out);
// out[i] = Sigmoid(in[i]); same contract. ~1.4 ns per element with AVX-512.
void SigmoidArray(absl::Span<const double> in, absl::Span<double> out);

}  // namespace initrepro::fmath

#endif  // INITREPRO_SRC_CORE_FMATH_H_
