#include "src/kernels/gemm.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "src/core/simd.h"

namespace initrepro {
namespace {

std::vector<double> Pseudo(int64_t n, uint64_t salt) {
  std::vector<double> v(n);
  uint64_t x = 0x9e3779b97f4a7c15ULL ^ salt;
  for (auto& e : v) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    e = static_cast<double>(static_cast<int64_t>(x >> 11)) * 0x1.0p-52 - 1.0;
  }
  return v;
}

// The contract, element by element, in the plainest possible code.
std::vector<double> Reference(int64_t m, int64_t n, int64_t k,
                              StridedMatrix a, const double* b, int64_t ldb,
                              const double* init) {
  std::vector<double> c(m * n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = init ? init[j] : 0.0;
      for (int64_t kk = 0; kk < k; ++kk)
        acc = std::fma(a.data[i * a.row_stride + kk * a.col_stride],
                       b[kk * ldb + j], acc);
      c[i * n + j] = acc;
    }
  return c;
}

bool SameBits(const std::vector<double>& x, const std::vector<double>& y) {
  return x.size() == y.size() &&
         std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) == 0;
}

struct Shape {
  int64_t m, n, k;
};

class GemmTest : public ::testing::TestWithParam<Shape> {};

TEST_P(GemmTest, BitIdenticalToReferenceOnEveryPathAndThreadCount) {
  const Shape s = GetParam();
  std::vector<double> a = Pseudo(s.m * s.k, 1), b = Pseudo(s.k * s.n, 2),
                      init = Pseudo(s.n, 3);
  for (bool transposed : {false, true}) {
    StridedMatrix av = transposed ? Transposed(a.data(), s.m)
                                  : RowMajor(a.data(), s.k);
    for (const double* in : {static_cast<const double*>(nullptr),
                             static_cast<const double*>(init.data())}) {
      std::vector<double> want =
          Reference(s.m, s.n, s.k, av, b.data(), s.n, in);
      for (SimdLevel level :
           {SimdLevel::kScalar, SimdLevel::kAvx2, SimdLevel::kAvx512}) {
        if (static_cast<int>(level) > static_cast<int>(DetectSimd())) continue;
        SetSimdOverride(level);
        for (int threads : {1, 2, 3}) {
          std::vector<double> got(s.m * s.n, std::nan(""));
          Gemm(s.m, s.n, s.k, av, b.data(), s.n, in, got.data(), s.n,
               threads);
          EXPECT_TRUE(SameBits(got, want))
              << "level " << SimdLevelName(level) << " threads " << threads
              << " transposed " << transposed;
        }
      }
      SetSimdOverride(DetectSimd());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, GemmTest,
    ::testing::Values(Shape{1, 1, 1}, Shape{13, 17, 5}, Shape{59, 100, 128},
                      Shape{100, 59, 301}, Shape{37, 100, 100},
                      Shape{5, 3, 0}, Shape{25, 9, 7}, Shape{12, 16, 600},
                      Shape{131, 33, 59}, Shape{7, 8, 2},
                      // Big enough for Gemm to use 2 and 3 threads.
                      Shape{253, 41, 450}));

// GemmSerial's options on padded operands: a K cut into kContinue blocks
// (chunks of a batch) at odd places, a bias start, and the scale epilogue,
// against the reference element by element; padding is never touched.
class GemmSerialTest : public ::testing::TestWithParam<Shape> {};

TEST_P(GemmSerialTest, ContinuedChainsAndEpilogueMatchReference) {
  const Shape s = GetParam();
  const int64_t lda = s.k + 3, ldb = s.n + 5, ldc = s.n + 7;
  const int64_t lds = s.n + 2;
  std::vector<double> a = Pseudo(s.m * lda, 4), at = Pseudo(s.k * (s.m + 1), 5),
                      b = Pseudo(s.k * ldb, 6), bias = Pseudo(s.n, 7),
                      scale = Pseudo(s.m * lds, 8);
  for (bool transposed : {false, true}) {
    // A(i,k) = a[i*lda + k] or at[k*(m+1) + i].
    StridedMatrix av = transposed ? StridedMatrix{at.data(), 1, s.m + 1}
                                  : StridedMatrix{a.data(), lda, 1};
    for (bool with_bias : {false, true}) {
      for (bool with_scale : {false, true}) {
        std::vector<double> want(s.m * s.n);
        for (int64_t i = 0; i < s.m; ++i)
          for (int64_t j = 0; j < s.n; ++j) {
            double acc = with_bias ? bias[j] : 0.0;
            for (int64_t kk = 0; kk < s.k; ++kk)
              acc = std::fma(av.data[i * av.row_stride + kk * av.col_stride],
                             b[kk * ldb + j], acc);
            want[i * s.n + j] = with_scale ? acc * scale[i * lds + j] : acc;
          }
        for (SimdLevel level :
             {SimdLevel::kScalar, SimdLevel::kAvx2, SimdLevel::kAvx512}) {
          if (static_cast<int>(level) > static_cast<int>(DetectSimd())) {
            continue;
          }
          SetSimdOverride(level);
          for (int64_t cut : {int64_t{0}, s.k / 3, s.k}) {
            std::vector<double> c(s.m * ldc, -7.25);
            GemmOptions first;
            first.start = with_bias ? ChainStart::kBias : ChainStart::kZero;
            first.bias = bias.data();
            GemmSerial(s.m, s.n, cut, av, b.data(), ldb, c.data(), ldc,
                       first);
            GemmOptions rest;
            rest.start = ChainStart::kContinue;
            if (with_scale) {
              rest.scale = scale.data();
              rest.ld_scale = lds;
            }
            GemmSerial(s.m, s.n, s.k - cut,
                       {av.data + cut * av.col_stride, av.row_stride,
                        av.col_stride},
                       b.data() + cut * ldb, ldb, c.data(), ldc, rest);
            std::vector<double> got(s.m * s.n);
            bool padding_untouched = true;
            for (int64_t i = 0; i < s.m; ++i)
              for (int64_t j = 0; j < ldc; ++j) {
                if (j < s.n) {
                  got[i * s.n + j] = c[i * ldc + j];
                } else if (c[i * ldc + j] != -7.25) {
                  padding_untouched = false;
                }
              }
            EXPECT_TRUE(SameBits(got, want))
                << "level " << SimdLevelName(level) << " cut " << cut
                << " transposed " << transposed << " bias " << with_bias
                << " scale " << with_scale;
            EXPECT_TRUE(padding_untouched);
          }
        }
        SetSimdOverride(DetectSimd());
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, GemmSerialTest,
    ::testing::Values(Shape{1, 1, 1}, Shape{12, 16, 9}, Shape{59, 100, 37},
                      Shape{100, 100, 96}, Shape{11, 9, 300},
                      Shape{23, 15, 4}, Shape{3, 17, 0}));

// A with no unit stride takes a copying path; same bits.
TEST(GemmTest, NoUnitStrideMatchesReference) {
  const int64_t m = 19, n = 21, k = 13;
  std::vector<double> a = Pseudo(m * k * 6, 9), b = Pseudo(k * n, 10);
  StridedMatrix av{a.data(), 2 * k, 2};
  std::vector<double> want = Reference(m, n, k, av, b.data(), n, nullptr);
  for (int threads : {1, 2}) {
    std::vector<double> got(m * n);
    Gemm(m, n, k, av, b.data(), n, nullptr, got.data(), n, threads);
    EXPECT_TRUE(SameBits(got, want));
  }
}

}  // namespace
}  // namespace initrepro
