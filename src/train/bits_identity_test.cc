// The bits identity: a pure function of the trained arithmetic, the same on
// every SIMD path, cheap, and pinned (so a change that moves trained bits
// fails here, beside the goldens, and is re-pinned deliberately).
#include "src/train/bits_identity.h"

#include <chrono>
#include <cstdio>

#include "gtest/gtest.h"
#include "src/core/simd.h"

namespace initrepro {
namespace {

// Re-pin only when trained bits change on purpose (every stored run is then
// retrained once), and say why in the commit.
constexpr char kPinned[] = "2583059432c0dbdf";

TEST(BitsIdentityTest, PinnedStableAndCheap) {
  const std::string& id = BitsIdentity();
  std::printf("bits identity %s, first computation %.2f ms\n", id.c_str(),
              BitsIdentityMillis());
  EXPECT_EQ(id.size(), 16u);
  EXPECT_EQ(id, kPinned);
  EXPECT_EQ(&BitsIdentity(), &id);  // cached
  // Recomputing costs the same few milliseconds and gives the same id.
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::string> again = ComputeBitsIdentity();
  const double ms = std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count();
  std::printf("recomputed in %.2f ms\n", ms);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, id);
}

TEST(BitsIdentityTest, SameOnEverySimdPath) {
  const std::string id = BitsIdentity();
  for (SimdLevel level :
       {SimdLevel::kAvx2, SimdLevel::kScalar}) {  // clamped to the CPU's
    SetSimdOverride(level);
    absl::StatusOr<std::string> other = ComputeBitsIdentity();
    ASSERT_TRUE(other.ok()) << other.status();
    EXPECT_EQ(*other, id) << SimdLevelName(ActiveSimd());
  }
}

}  // namespace
}  // namespace initrepro
