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
                      Shape{5, 3, 0}));

}  // namespace
}  // namespace initrepro
