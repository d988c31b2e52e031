#include "src/analysis/fourier.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "src/core/matrix.h"
#include "src/core/rng.h"

namespace initrepro {
namespace {

constexpr long double kPiL = 3.141592653589793238462643383279502884L;

Matrix Noise(int64_t p, int64_t d, uint64_t seed) {
  Matrix e(p, d);
  Stream(seed, Purpose::kEmbedding).FillNormal(0, absl::MakeSpan(e.data));
  return e;
}

std::vector<double> NoiseVector(int64_t d, uint64_t seed, double scale) {
  std::vector<double> v(d);
  Stream(seed, Purpose::kRandomCircles).FillNormal(0, absl::MakeSpan(v));
  for (double& x : v) x *= scale;
  return v;
}

double Norm2(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * a[i] + b[i] * b[i];
  return std::sqrt(s);
}

double MaxAbsDiff(const Matrix& a, const Matrix& b) {
  double m = 0.0;
  for (size_t i = 0; i < a.data.size(); ++i) {
    m = std::max(m, std::fabs(a.data[i] - b.data[i]));
  }
  return m;
}

TEST(TwiddlesTest, ExactSymmetryAndAccuracy) {
  for (int64_t p : {1, 2, 3, 4, 7, 8, 12, 59, 60, 127}) {
    const Twiddles tw = MakeTwiddles(p);
    ASSERT_EQ(static_cast<int64_t>(tw.cos.size()), p);
    EXPECT_EQ(tw.cos[0], 1.0);
    EXPECT_EQ(tw.sin[0], 0.0);
    for (int64_t j = 1; j < p; ++j) {
      EXPECT_EQ(tw.cos[p - j], tw.cos[j]) << p << " " << j;
      EXPECT_EQ(tw.sin[p - j], -tw.sin[j]) << p << " " << j;
      // libm in long double only as a test oracle.
      const long double angle = 2.0L * kPiL * j / p;
      EXPECT_NEAR(tw.cos[j], static_cast<double>(std::cos(angle)), 2e-16)
          << p << " " << j;
      EXPECT_NEAR(tw.sin[j], static_cast<double>(std::sin(angle)), 2e-16)
          << p << " " << j;
    }
    if (p % 2 == 0) {
      EXPECT_EQ(tw.cos[p / 2], -1.0);
      EXPECT_EQ(tw.sin[p / 2], 0.0);
    }
    if (p % 4 == 0) {
      EXPECT_EQ(tw.cos[p / 4], 0.0);
      EXPECT_EQ(tw.sin[p / 4], 1.0);
    }
  }
}

TEST(FourierSignalTest, MatchesDirectSumAndIsConjugateSymmetric) {
  const int64_t p = 59, d = 16;
  const Matrix e = Noise(p, d, 1);
  const std::vector<double> s = FourierSignal(e);
  ASSERT_EQ(static_cast<int64_t>(s.size()), p);
  for (int64_t k = 0; k < p; ++k) {
    long double power = 0.0L;
    for (int64_t c = 0; c < d; ++c) {
      long double re = 0.0L, im = 0.0L;
      for (int64_t x = 0; x < p; ++x) {
        const long double angle = 2.0L * kPiL * ((k * x) % p) / p;
        re += e.at(x, c) * std::cos(angle);
        im -= e.at(x, c) * std::sin(angle);
      }
      power += re * re + im * im;
    }
    EXPECT_NEAR(s[k], std::sqrt(static_cast<double>(power)), 1e-12 * s[k]);
    if (k > 0) EXPECT_EQ(s[k], s[p - k]) << k;
  }
  // White noise: S_k is about sqrt(p d).
  EXPECT_GT(s[1], 0.3 * std::sqrt(p * d));
  EXPECT_LT(s[1], 3.0 * std::sqrt(p * d));
}

TEST(FourierSignalTest, DeltaAndConstant) {
  const int64_t p = 7;
  Matrix delta(p, 2);
  delta.at(0, 0) = 3.0;
  delta.at(0, 1) = 4.0;
  for (double s : FourierSignal(delta)) EXPECT_EQ(s, 5.0);
  Matrix constant(p, 1);
  for (int64_t x = 0; x < p; ++x) constant.at(x, 0) = 2.0;
  const std::vector<double> s = FourierSignal(constant);
  EXPECT_EQ(s[0], 14.0);
  for (int64_t k = 1; k < p; ++k) EXPECT_LT(s[k], 1e-14);
}

TEST(FourierVectorTest, ConjugatePairAndNegativeK) {
  const Matrix e = Noise(13, 5, 2);
  const FourierComponent f = FourierVector(e, 4);
  const FourierComponent g = FourierVector(e, 9);
  const FourierComponent h = FourierVector(e, -9);
  for (int c = 0; c < 5; ++c) {
    EXPECT_EQ(g.re[c], f.re[c]);
    EXPECT_EQ(g.im[c], -f.im[c]);
    EXPECT_EQ(h.re[c], f.re[c]);
    EXPECT_EQ(h.im[c], f.im[c]);
  }
  EXPECT_EQ(FourierPower(e)[4], [&] {
    double acc = 0.0;
    for (int c = 0; c < 5; ++c) {
      acc += f.re[c] * f.re[c] + f.im[c] * f.im[c];
    }
    return acc;
  }());
}

TEST(EmbeddingFromCirclesTest, SignalAtTheCirclesOnly) {
  const int64_t p = 59, d = 32;
  const std::vector<int64_t> ks = {7, 23};
  const std::vector<std::vector<double>> re = {NoiseVector(d, 1, 10.0),
                                               NoiseVector(d, 2, 3.0)};
  const std::vector<std::vector<double>> im = {NoiseVector(d, 3, 10.0),
                                               NoiseVector(d, 4, 3.0)};
  const Matrix e = EmbeddingFromCircles(p, d, ks, re, im);
  const std::vector<double> s = FourierSignal(e);
  for (size_t i = 0; i < ks.size(); ++i) {
    const double want = Norm2(re[i], im[i]);
    EXPECT_NEAR(s[ks[i]], want, 1e-9 * want);
    EXPECT_NEAR(s[p - ks[i]], want, 1e-9 * want);
    const FourierComponent f = FourierVector(e, ks[i]);
    for (int64_t c = 0; c < d; ++c) {
      EXPECT_NEAR(f.re[c], re[i][c], 1e-12 * want);
      EXPECT_NEAR(f.im[c], im[i][c], 1e-12 * want);
    }
  }
  for (int64_t k = 0; k < p; ++k) {
    if (k == 7 || k == 23 || k == p - 7 || k == p - 23) continue;
    EXPECT_LT(s[k], 1e-12 * s[7]) << k;
  }
}

TEST(EmbeddingFromCirclesTest, SelfConjugateFrequencies) {
  const int64_t p = 8;
  const Matrix e =
      EmbeddingFromCircles(p, 1, {0, 4}, {{5.0}, {3.0}}, {{7.0}, {7.0}});
  const FourierComponent f0 = FourierVector(e, 0);
  const FourierComponent f4 = FourierVector(e, 4);
  EXPECT_NEAR(f0.re[0], 5.0, 1e-14);
  EXPECT_NEAR(f4.re[0], 3.0, 1e-14);
  EXPECT_NEAR(f4.im[0], 0.0, 1e-14);
}

TEST(ScaleFrequenciesTest, ScalesOnlyTheListedCircle) {
  const int64_t p = 59, d = 16;
  const Matrix e = Noise(p, d, 5);
  const std::vector<double> s = FourierSignal(e);
  // 25 and 34 are one circle at p = 59: it is scaled once.
  const Matrix scaled = ScaleFrequencies(e, {25, 34}, 1.15);
  const std::vector<double> t = FourierSignal(scaled);
  for (int64_t k = 0; k < p; ++k) {
    const double want = (k == 25 || k == 34) ? 1.15 * s[k] : s[k];
    EXPECT_NEAR(t[k], want, 1e-12 * s[k]) << k;
  }
  const Matrix removed = ScaleFrequencies(e, {-25}, 0.0);
  EXPECT_LT(FourierSignal(removed)[25], 1e-12 * s[25]);
  EXPECT_EQ(ScaleFrequencies(e, {25}, 1.0), e);
}

TEST(KeepFrequenciesTest, AblationAndReconstruction) {
  const int64_t p = 11, d = 4;
  const Matrix e = Noise(p, d, 6);
  const std::vector<double> s = FourierSignal(e);
  const Matrix kept = KeepFrequencies(e, {3, 8, 5}, /*keep_dc=*/false);
  const std::vector<double> t = FourierSignal(kept);
  for (int64_t k = 0; k < p; ++k) {
    if (k == 3 || k == 8 || k == 5 || k == 6) {
      EXPECT_NEAR(t[k], s[k], 1e-12 * s[k]) << k;
    } else {
      EXPECT_LT(t[k], 1e-12 * s[3]) << k;
    }
  }
  // Every class plus the mean rebuilds E.
  const Matrix all = KeepFrequencies(e, {1, 2, 3, 4, 5}, /*keep_dc=*/true);
  EXPECT_LT(MaxAbsDiff(all, e), 1e-13);
  // Only the mean: every row is the column mean.
  const Matrix mean = KeepFrequencies(e, {}, /*keep_dc=*/true);
  for (int64_t c = 0; c < d; ++c) {
    double m = 0.0;
    for (int64_t x = 0; x < p; ++x) m += e.at(x, c);
    m /= p;
    for (int64_t x = 0; x < p; ++x) EXPECT_NEAR(mean.at(x, c), m, 1e-15);
  }
  EXPECT_EQ(KeepFrequencies(e, {0}, false), mean);
}

}  // namespace
}  // namespace initrepro
