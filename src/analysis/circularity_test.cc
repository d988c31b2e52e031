#include "src/analysis/circularity.h"

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "src/analysis/fourier.h"
#include "src/core/matrix.h"
#include "src/core/rng.h"

namespace initrepro {
namespace {

Matrix Noise(int64_t p, int64_t d, uint64_t seed) {
  Matrix e(p, d);
  Stream(seed, Purpose::kEmbedding).FillNormal(0, absl::MakeSpan(e.data));
  return e;
}

std::vector<double> NoiseVector(int64_t d, uint64_t seed) {
  std::vector<double> v(d);
  Stream(seed, Purpose::kRandomCircles).FillNormal(0, absl::MakeSpan(v));
  return v;
}

TEST(CircularityTest, PerfectCircleIsOne) {
  const int64_t p = 59, d = 16;
  // Random re and im: the two directions are not orthogonal.
  for (int64_t k : {1, 5, 29}) {
    const Matrix e = EmbeddingFromCircles(p, d, {k}, {NoiseVector(d, 1)},
                                          {NoiseVector(d, 2)});
    const std::optional<double> c = Circularity(e, k);
    ASSERT_TRUE(c.has_value());
    EXPECT_NEAR(*c, 1.0, 1e-12);
    // Seen from k's conjugate, too.
    EXPECT_NEAR(*Circularity(e, p - k), 1.0, 1e-12);
  }
}

TEST(CircularityTest, NoiseIsWellBelowOne) {
  const int64_t p = 59;
  for (int64_t k : {1, 7, 25}) {
    const std::optional<double> c = Circularity(Noise(p, 8, 3), k);
    ASSERT_TRUE(c.has_value());
    EXPECT_GT(*c, 0.0);
    EXPECT_LT(*c, 0.5) << k;
  }
  // Larger d: the projection direction correlates more with frequency k, so
  // circularity rises (MA-dimension) but stays below 1.
  const std::optional<double> narrow = Circularity(Noise(p, 8, 4), 7);
  const std::optional<double> wide = Circularity(Noise(p, 128, 4), 7);
  ASSERT_TRUE(narrow.has_value());
  ASSERT_TRUE(wide.has_value());
  EXPECT_GT(*wide, *narrow);
  EXPECT_LT(*wide, 0.9);
}

TEST(CircularityTest, CircleInNoiseIsBetween) {
  const int64_t p = 59, d = 8;
  Matrix e = EmbeddingFromCircles(p, d, {11}, {NoiseVector(d, 5)},
                                  {NoiseVector(d, 6)});
  // Row norms of the circle are about (2/p) sqrt(2d) = 0.14; noise 0.014.
  const Matrix noise = Noise(p, d, 7);
  for (size_t i = 0; i < e.data.size(); ++i) e.data[i] += 0.005 * noise.data[i];
  const double strong = *Circularity(e, 11);
  const double weak = *Circularity(e, 12);
  EXPECT_GT(strong, 0.9);
  EXPECT_LT(strong, 1.0);
  EXPECT_LT(weak, strong);
}

TEST(CircularityTest, UndefinedCases) {
  const Matrix noise = Noise(60, 8, 8);
  EXPECT_FALSE(Circularity(noise, 0).has_value());
  EXPECT_FALSE(Circularity(noise, 60).has_value());
  EXPECT_FALSE(Circularity(noise, -7).has_value());
  EXPECT_FALSE(Circularity(noise, 61).has_value());
  EXPECT_FALSE(Circularity(noise, 2).has_value());   // gcd 2
  EXPECT_FALSE(Circularity(noise, 15).has_value());  // gcd 15
  EXPECT_TRUE(Circularity(noise, 7).has_value());
  // Im F_k vanishes: a pure cosine has no direction along Im.
  const int64_t p = 59, d = 4;
  const Matrix cosine = EmbeddingFromCircles(p, d, {3}, {NoiseVector(d, 9)},
                                             {std::vector<double>(d, 0.0)});
  EXPECT_FALSE(Circularity(cosine, 3).has_value());
  EXPECT_FALSE(Circularity(Matrix(p, d), 3).has_value());
}

}  // namespace
}  // namespace initrepro
