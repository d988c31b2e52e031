#include "src/verdict/planner.h"

#include <cmath>
#include <fstream>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace initrepro {
namespace {

nlohmann::json Golden(const std::string& name) {
  std::ifstream in("golden/" + name);
  EXPECT_TRUE(in.good()) << name;
  return nlohmann::json::parse(in);
}

nlohmann::json ClaimOf(const nlohmann::json& result, const std::string& id) {
  for (const auto& c : result["claims"])
    if (c["id"] == id) return c;
  ADD_FAILURE() << "no claim " << id;
  return {};
}

TEST(PlannerTest, PairedMeanFromATestMatchesStatsmodels) {
  // Units with mean 0.8 and sd 1 exactly: delta = 0.8, whose smallest n at
  // 80 % is 22 (statsmodels' TTestPower.solve_power = 21.63, see
  // src/stats/power_test.cc).
  ClaimTest t;
  t.id = "test/paired";
  t.statistic = Statistic::kPairedMean;
  t.a = {0.8 - 1, 0.8 + 1};  // mean 0.8, sd sqrt(2)
  absl::StatusOr<Pilot> p = PilotFromTest(t);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_NEAR(p->delta, 0.8 / std::sqrt(2.0), 1e-12);
  t.a = {0.8 - 1, 0.8 + 1, 0.8};  // sd 1
  p = PilotFromTest(t);
  ASSERT_TRUE(p.ok());
  EXPECT_NEAR(p->delta, 0.8, 1e-12);
  const ClaimPlan plan = PlanClaim(*p, {/*runs_per_unit=*/2, 0.5, 1000});
  EXPECT_TRUE(plan.decidable);
  EXPECT_EQ(plan.units, 22);
  EXPECT_EQ(plan.runs, 44);
  EXPECT_DOUBLE_EQ(plan.core_hours, 22.0);
  EXPECT_GE(plan.at_units.decided(), 0.8);
}

TEST(PlannerTest, FractionOnTheThresholdIsNotDecidableBelowTheCap) {
  ClaimTest t;
  t.id = "test/fraction";
  t.statistic = Statistic::kFraction;
  t.counts = {{9, 10}};
  t.threshold = 0.9;
  absl::StatusOr<Pilot> p = PilotFromTest(t);
  ASSERT_TRUE(p.ok());
  // 1 core-hour per unit, cap 500: at most 500 units.
  const ClaimPlan plan = PlanClaim(*p, {1, 1, 500});
  EXPECT_FALSE(plan.decidable);
  EXPECT_EQ(plan.units, 500);
  EXPECT_LT(plan.at_units.decided(), 0.05);
  const nlohmann::json td = ToDecide(plan, "X", "nightly");
  EXPECT_EQ(td["not_decidable_below_core_hours"], 500.0);
}

TEST(PlannerTest, ReadsGoldenClaims) {
  // MA-survival: Pearson r 0.766 on 145 units, rule "> 0 with p < 0.01":
  // decided already; the planner needs far fewer units.
  const nlohmann::json survival = Golden("MA-survival.nightly.json");
  absl::StatusOr<Pilot> p = PilotFromClaimJson(
      ClaimOf(survival, "MA-survival/signal-predicts-survival"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->statistic, Statistic::kPearson);
  EXPECT_EQ(p->side, Side::kGreater);
  EXPECT_EQ(p->threshold, 0);
  EXPECT_EQ(p->max_p, 0.01);
  ClaimPlan plan = PlanClaim(*p, {1, 0.01, 100});
  EXPECT_TRUE(plan.decidable);
  EXPECT_LT(plan.units, 145);
  EXPECT_GT(plan.units, 4);

  // MA-frozen: a "less" Spearman claim and a 2 x 2 claim.
  const nlohmann::json frozen = Golden("MA-frozen.nightly.json");
  p = PilotFromClaimJson(ClaimOf(frozen, "MA-frozen/larger-d-trains-better"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->statistic, Statistic::kSpearman);
  EXPECT_EQ(p->side, Side::kLess);
  EXPECT_EQ(p->threshold, -0.5);
  plan = PlanClaim(*p, {1, 0.01, 100});
  EXPECT_TRUE(plan.decidable);
  p = PilotFromClaimJson(ClaimOf(frozen, "MA-frozen/d-at-least-p-converges"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->statistic, Statistic::kOddsRatio);
  plan = PlanClaim(*p, {1, 0.01, 100});
  EXPECT_EQ(plan.groups, 2);
  EXPECT_EQ(plan.units, 2 * plan.per_group);

  // MA-perturb: rho 1 on 4 units, threshold 0.8: the perfect ranking is
  // planned at rho 0.8, on the threshold: not decidable below the cap.
  const nlohmann::json perturb = Golden("MA-perturb.nightly.json");
  p = PilotFromClaimJson(ClaimOf(perturb, "MA-perturb/rate-rises-with-alpha"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->threshold, 0.8);
  plan = PlanClaim(*p, {3, 0.05, 100});
  EXPECT_FALSE(plan.decidable);
  EXPECT_NEAR(plan.at_units.decided(), 0.5, 0.05);

  // Descriptive claims are refused with the claim named.
  nlohmann::json descriptive = {{"id", "X/d"}, {"verdict", "descriptive"}};
  EXPECT_FALSE(PilotFromClaimJson(descriptive).ok());
}

}  // namespace
}  // namespace initrepro
