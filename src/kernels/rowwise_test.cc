#include "src/kernels/rowwise.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
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

template <typename T>
bool SameBits(const std::vector<T>& x, const std::vector<T>& y) {
  // memcmp of an empty vector's data() (maybe null) is undefined (UBSan).
  return x.size() == y.size() &&
         (x.empty() ||
          std::memcmp(x.data(), y.data(), x.size() * sizeof(T)) == 0);
}

std::vector<SimdLevel> Levels() {
  std::vector<SimdLevel> levels;
  for (SimdLevel level :
       {SimdLevel::kScalar, SimdLevel::kAvx2, SimdLevel::kAvx512}) {
    if (static_cast<int>(level) <= static_cast<int>(DetectSimd())) {
      levels.push_back(level);
    }
  }
  return levels;
}

class RowwiseTest : public ::testing::Test {
 protected:
  void TearDown() override { SetSimdOverride(DetectSimd()); }
};

TEST_F(RowwiseTest, SiluValueAndSlope) {
  for (int64_t n : {0, 1, 7, 8, 9, 31, 1000}) {
    std::vector<double> z = Pseudo(n, 1), s = Pseudo(n, 2);
    for (double& v : z) v *= 9.0;
    std::vector<double> want_h(n), want_f(n);
    for (int64_t i = 0; i < n; ++i) {
      want_h[i] = z[i] * s[i];
      want_f[i] = s[i] * (1.0 + z[i] * (1.0 - s[i]));
    }
    for (SimdLevel level : Levels()) {
      SetSimdOverride(level);
      std::vector<double> h(n), f(n);
      SiluValueAndSlope(h.data(), f.data(), z.data(), s.data(), n);
      EXPECT_TRUE(SameBits(h, want_h)) << SimdLevelName(level) << " " << n;
      EXPECT_TRUE(SameBits(f, want_f)) << SimdLevelName(level) << " " << n;
    }
  }
}

TEST_F(RowwiseTest, PairRowsGatherAndScatter) {
  const int64_t vocab = 7, cols = 13, ld_t = 16, rows = 37, ld = 17;
  std::vector<double> ta = Pseudo(vocab * ld_t, 3),
                      tb = Pseudo(vocab * ld_t, 4), bias = Pseudo(cols, 5),
                      dz = Pseudo(rows * ld, 6);
  std::vector<int32_t> a(rows), b(rows);
  for (int64_t r = 0; r < rows; ++r) {
    a[r] = static_cast<int32_t>((r * 5 + 1) % vocab);
    b[r] = static_cast<int32_t>((r * 3) % vocab);
  }
  std::vector<double> want_z(rows * ld, 0.5);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      want_z[r * ld + c] =
          (ta[a[r] * ld_t + c] + tb[b[r] * ld_t + c]) + bias[c];
  const int64_t ld_g = 2 * cols + 1;
  std::vector<double> g0 = Pseudo(vocab * ld_g, 7);
  std::vector<double> want_g = g0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 2; c < 11; ++c) {
      want_g[a[r] * ld_g + c] += dz[r * ld + c];
      want_g[b[r] * ld_g + cols + c] += dz[r * ld + c];
    }
  for (SimdLevel level : Levels()) {
    SetSimdOverride(level);
    std::vector<double> z(rows * ld, 0.5);
    AddPairRows(z.data(), ld, ta.data(), tb.data(), ld_t, bias.data(),
                a.data(), b.data(), rows, cols);
    EXPECT_TRUE(SameBits(z, want_z)) << SimdLevelName(level);
    std::vector<double> g = g0;
    ScatterPairRows(g.data(), ld_g, cols, dz.data(), ld, a.data(), b.data(),
                    rows, 2, 11);
    EXPECT_TRUE(SameBits(g, want_g)) << SimdLevelName(level);
  }
}

TEST_F(RowwiseTest, ColumnSumsKeepRowOrder) {
  const int64_t rows = 29, ld = 21;
  std::vector<double> x = Pseudo(rows * ld, 8), sum0 = Pseudo(ld, 9);
  for (int64_t i = 0; i < rows * ld; i += 3) x[i] *= 1e12;  // order matters
  std::vector<double> want = sum0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 1; c < 20; ++c) want[c] += x[r * ld + c];
  for (SimdLevel level : Levels()) {
    SetSimdOverride(level);
    std::vector<double> sum = sum0;
    AddColumnSums(sum.data(), x.data(), ld, rows, 1, 20);
    EXPECT_TRUE(SameBits(sum, want)) << SimdLevelName(level);
  }
}

TEST_F(RowwiseTest, SoftmaxRowHelpers) {
  const int64_t rows = 45, cols = 59, ld = 61;
  std::vector<double> x = Pseudo(rows * ld, 10);
  for (int64_t i = 0; i < rows * ld; i += 7) x[i] *= 1e10;
  // Ties, signed zeros, NaNs and infinities in some rows.
  x[1 * ld + 3] = x[1 * ld + 40] = 5.0;
  for (int64_t c = 0; c < cols; ++c) x[2 * ld + c] = (c % 2) ? 0.0 : -0.0;
  x[3 * ld + 0] = std::nan("");
  x[4 * ld + 17] = std::nan("");
  x[5 * ld + 9] = std::numeric_limits<double>::infinity();
  for (int64_t c = 0; c < cols; ++c)
    x[6 * ld + c] = -std::numeric_limits<double>::infinity();
  std::vector<double> want_shift(rows * cols), want_max(rows), want_sum(rows);
  std::vector<int32_t> want_arg(rows);
  for (int64_t r = 0; r < rows; ++r) {
    const double* row = x.data() + r * ld;
    int64_t arg = 0;
    for (int64_t c = 1; c < cols; ++c)
      if (row[c] > row[arg]) arg = c;
    want_arg[r] = static_cast<int32_t>(arg);
    want_max[r] = row[arg];
    double sum = 0.0;
    for (int64_t c = 0; c < cols; ++c) {
      want_shift[r * cols + c] = row[c] - row[arg];
      sum += row[c];
    }
    want_sum[r] = sum;
  }
  for (SimdLevel level : Levels()) {
    SetSimdOverride(level);
    std::vector<double> shift(rows * cols), max(rows), sum(rows);
    std::vector<int32_t> arg(rows);
    RowArgMaxShift(shift.data(), cols, max.data(), arg.data(), x.data(), ld,
                   rows, cols);
    RowSums(sum.data(), x.data(), ld, rows, cols);
    EXPECT_TRUE(SameBits(shift, want_shift)) << SimdLevelName(level);
    EXPECT_TRUE(SameBits(max, want_max)) << SimdLevelName(level);
    EXPECT_EQ(arg, want_arg) << SimdLevelName(level);
    EXPECT_TRUE(SameBits(sum, want_sum)) << SimdLevelName(level);
  }
}

TEST_F(RowwiseTest, ScaleRowsAndCrossEntropyGrad) {
  const int64_t rows = 19, cols = 11, ld = 12;
  std::vector<double> p = Pseudo(rows * ld, 11), f = Pseudo(rows, 12);
  std::vector<int32_t> labels(rows);
  for (int64_t r = 0; r < rows; ++r) labels[r] = static_cast<int32_t>(r % cols);
  const double scale = 1.0 / 3.0;
  std::vector<double> want_scaled = p, want_dl(rows * cols);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      want_scaled[r * ld + c] = p[r * ld + c] * f[r];
      const double onehot = c == labels[r] ? 1.0 : 0.0;
      want_dl[r * cols + c] = (p[r * ld + c] - onehot) * scale;
    }
  for (SimdLevel level : Levels()) {
    SetSimdOverride(level);
    std::vector<double> scaled = p, dl(rows * cols);
    ScaleRows(scaled.data(), ld, f.data(), rows, cols);
    CrossEntropyGradRows(dl.data(), cols, p.data(), ld, labels.data(), scale,
                         rows, cols);
    EXPECT_TRUE(SameBits(scaled, want_scaled)) << SimdLevelName(level);
    EXPECT_TRUE(SameBits(dl, want_dl)) << SimdLevelName(level);
  }
}

}  // namespace
}  // namespace initrepro
