// RE-audit's design and claims: the tier presets keep the runs of the old
// goldens (same run keys), --set reshapes the map without a rebuild, and
// the map claims are declared per cell with PAPER.md's strict thresholds.
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "src/harness/experiment.h"

namespace initrepro {
namespace {

std::set<std::string> Keys(const Experiment& e, Tier tier) {
  std::set<std::string> keys;
  for (const RunSpec& s : e.Plan(tier)) keys.insert(RunKey(s));
  return keys;
}

TEST(ReAuditTest, PresetsKeepTheOldGoldensRuns) {
  auto e = MakeExperiment("RE-audit");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->Plan(Tier::kSmoke).size(), 8u);
  EXPECT_EQ((*e)->Plan(Tier::kCi).size(), 304u);  // map d 2, 4, 8 x 4 decays x 4 + 4 x 64
  EXPECT_EQ((*e)->Plan(Tier::kNightly).size(), 448u);
  // First and last runs of golden/RE-audit.{ci,nightly}.json (format 2).
  const std::set<std::string> ci = Keys(**e, Tier::kCi);
  EXPECT_EQ(ci.count("1e1d87264cfba2d23ef5f3c01d409e0d"), 1u);
  EXPECT_EQ(ci.count("3aa0600b8f101959e26104f52e4c4169"), 1u);
  const std::set<std::string> nightly = Keys(**e, Tier::kNightly);
  EXPECT_EQ(nightly.count("ebf5e26a82e075aced9afbbc8e9ddf28"), 1u);
  EXPECT_EQ(nightly.count("56c96b968323192b033831e713f3e69e"), 1u);
}

TEST(ReAuditTest, SetReshapesTheMap) {
  auto e = MakeExperiment("RE-audit");
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE((*e)->SetOverrides({{"dims", "2,128"}, {"decays", "1,3"}}).ok());
  // 2 d x 2 decays x 4 seeds: the default d 32 is not in the map.
  EXPECT_EQ((*e)->Plan(Tier::kCi).size(), 16u);
  ASSERT_TRUE((*e)->SetOverrides({{"default_dim", "128"},
                                  {"dims", "2,128"},
                                  {"decays", "1,3"}})
                  .ok());
  // d 128 is now the default cell: 64 seeds per decay there.
  EXPECT_EQ((*e)->Plan(Tier::kCi).size(), 2u * 4 + 2u * 64);
  EXPECT_FALSE((*e)->SetOverrides({{"dims", "1"}}).ok());
  EXPECT_FALSE((*e)->SetOverrides({{"decays", "abc"}}).ok());
}

TEST(ReAuditTest, MapClaimsAreDeclaredPerCellWithStrictEnds) {
  auto e = MakeExperiment("RE-audit");
  ASSERT_TRUE(e.ok());
  int found = 0;
  for (const ClaimSpec& c : (*e)->ClaimSpecs()) {
    if (c.id == "RE-audit/P2-line") {
      ++found;
      EXPECT_TRUE(c.per_cell);
      EXPECT_EQ(c.statistic, Statistic::kFraction);
      EXPECT_GT(c.threshold, 0.5);  // strictly above 0.5
      EXPECT_LT(c.threshold, 0.5000001);
    } else if (c.id == "RE-audit/R1-inconsistent") {
      ++found;
      EXPECT_TRUE(c.per_cell);
      EXPECT_EQ(c.statistic, Statistic::kFractionInside);
      EXPECT_EQ(c.threshold, 0.1);
      EXPECT_EQ(c.threshold_high, 0.9);
    } else if (c.id == "RE-audit/R1-no-line-below-3") {
      ++found;
      EXPECT_TRUE(c.per_cell);
      EXPECT_EQ(c.side, Side::kLess);
      EXPECT_LT(c.threshold, 0.1);  // strictly below 0.1
      EXPECT_GT(c.threshold, 0.0999999);
    }
  }
  EXPECT_EQ(found, 3);
}

}  // namespace
}  // namespace initrepro
