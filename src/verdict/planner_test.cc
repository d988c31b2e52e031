#include "src/verdict/planner.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace initrepro {
namespace {

// Fixtures: the format-2 nightly goldens of 3d500d0 (9000-step designs),
// frozen under testdata/ so that re-blessing the tier moves no test.
nlohmann::json Golden(const std::string& name) {
  const std::string base = name.substr(0, name.size() - std::string(".json").size());
  std::ifstream in("src/verdict/testdata/" + base + ".format2.json");
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

double Pmf(int64_t n, double rate, int64_t x) {
  if (rate <= 0) return x == 0 ? 1 : 0;
  if (rate >= 1) return x == n ? 1 : 0;
  return std::exp(std::lgamma(n + 1.0) - std::lgamma(x + 1.0) -
                  std::lgamma(n - x + 1.0) + x * std::log(rate) +
                  (n - x) * std::log1p(-rate));
}

// The engine's own verdict of one count under `t` (t.counts replaced).
std::string EngineVerdict(ClaimTest t,
                          std::vector<std::pair<int64_t, int64_t>> counts) {
  t.counts = std::move(counts);
  return Decide(Tier::kCi, t).verdict;
}

// The power models are the engine's rule: enumerating every outcome x,
// deciding it with the verdict engine itself (Decide) and summing the
// binomial pmf over each verdict gives the models' probabilities.
TEST(PlannerTest, FractionModelsAreTheEnginesRule) {
  ClaimTest inside;
  inside.id = "test/inside";
  inside.statistic = Statistic::kFractionInside;
  inside.threshold = 0.1;
  inside.threshold_high = 0.9;
  ClaimTest less;
  less.id = "test/less";
  less.statistic = Statistic::kFraction;
  less.side = Side::kLess;
  less.threshold = std::nextafter(0.1, 0.0);
  for (int64_t n : {3, 16, 30, 51, 80}) {
    for (double rate : {0.0, 0.05, 0.12, 0.3, 0.5, 0.93}) {
      double in_rep = 0, in_not = 0, le_rep = 0, le_not = 0;
      for (int64_t x = 0; x <= n; ++x) {
        const double w = Pmf(n, rate, x);
        const std::string vi = EngineVerdict(inside, {{x, n}});
        const std::string vl = EngineVerdict(less, {{x, n}});
        in_rep += vi == "reproduced" ? w : 0;
        in_not += vi == "not_reproduced" ? w : 0;
        le_rep += vl == "reproduced" ? w : 0;
        le_not += vl == "not_reproduced" ? w : 0;
      }
      const DecisionProbability di =
          FractionInsideDecision(rate, n, 0.1, 0.9, kVerdictLevel);
      const DecisionProbability dl =
          FractionLessDecision(rate, n, less.threshold, kVerdictLevel);
      EXPECT_NEAR(di.reproduced, in_rep, 1e-12) << n << " " << rate;
      EXPECT_NEAR(di.not_reproduced, in_not, 1e-12) << n << " " << rate;
      EXPECT_NEAR(dl.reproduced, le_rep, 1e-12) << n << " " << rate;
      EXPECT_NEAR(dl.not_reproduced, le_not, 1e-12) << n << " " << rate;
    }
  }
  // Two groups of a "less" kMinFraction: every (x1, x2).
  ClaimTest min_less = less;
  min_less.statistic = Statistic::kMinFraction;
  min_less.group_labels = {"wd=1", "wd=2"};
  const int64_t n = 40;
  const double r1 = 0.02, r2 = 0.15;
  double rep = 0, nr = 0;
  for (int64_t x1 = 0; x1 <= n; ++x1)
    for (int64_t x2 = 0; x2 <= n; ++x2) {
      const double w = Pmf(n, r1, x1) * Pmf(n, r2, x2);
      if (w < 1e-300) continue;
      const std::string v = EngineVerdict(min_less, {{x1, n}, {x2, n}});
      rep += v == "reproduced" ? w : 0;
      nr += v == "not_reproduced" ? w : 0;
    }
  const DecisionProbability dm =
      MinFractionLessDecision({r1, r2}, n, less.threshold, kVerdictLevel);
  EXPECT_NEAR(dm.reproduced, rep, 1e-12);
  EXPECT_NEAR(dm.not_reproduced, nr, 1e-12);
}

// The reported RE-audit cases. R1-inconsistent, 0 of 16 runs form a line:
// 0 of 3 gives [0, 0.83], which decides nothing; 0 of n lies below 0.1
// from n = 51 on (1 - 0.005^(1/n) < 0.1, n > ln 0.005 / ln 0.9 = 50.29),
// so 51 runs decide it, not_reproduced, with probability 1.
TEST(PlannerTest, FractionInsidePilot) {
  ClaimTest t;
  t.id = "RE-audit/R1-inconsistent";
  t.statistic = Statistic::kFractionInside;
  t.threshold = 0.1;
  t.threshold_high = 0.9;
  t.counts = {{0, 16}};
  absl::StatusOr<Pilot> p = PilotFromTest(t);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->threshold_high, 0.9);
  const ClaimPlan plan = PlanClaim(*p, {1, 0.001, 100});
  EXPECT_TRUE(plan.decidable);
  EXPECT_EQ(plan.units, 51);
  EXPECT_EQ(plan.at_units.not_reproduced, 1);
  EXPECT_EQ(plan.at_units.reproduced, 0);
  EXPECT_EQ(plan.ToJson()["pilot"]["threshold_high"], 0.9);
  // Half the runs forming a line: reproduced once [low, high] fits inside
  // [0.1, 0.9]; the search is exact, so the n is the first one at 80 %.
  t.counts = {{8, 16}};
  p = PilotFromTest(t);
  ASSERT_TRUE(p.ok());
  const ClaimPlan half = PlanClaim(*p, {1, 0.001, 100});
  EXPECT_TRUE(half.decidable);
  EXPECT_GE(half.at_units.reproduced, 0.8);
  EXPECT_LT(FractionInsideDecision(0.5, half.units - 1, 0.1, 0.9,
                                   kVerdictLevel).decided(), 0.8);
  // No threshold_high: refused, not planned as something else.
  t.threshold_high = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(PilotFromTest(t).ok());
}

// R1-no-line-below-3: kMinFraction, side less, threshold the double next
// below 0.1; no line in any run of either decay: every group's interval
// [0, 1 - 0.005^(1/n)] lies at or below it from n = 51 per group on, so the
// outcome is reproduced (the side-blind model called it not_reproduced).
TEST(PlannerTest, LessMinFractionPilot) {
  ClaimTest t;
  t.id = "RE-audit/R1-no-line-below-3";
  t.statistic = Statistic::kMinFraction;
  t.side = Side::kLess;
  t.threshold = std::nextafter(0.1, 0.0);
  t.counts = {{0, 16}, {0, 16}};
  t.group_labels = {"wd=1", "wd=2"};
  absl::StatusOr<Pilot> p = PilotFromTest(t);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->side, Side::kLess);
  const ClaimPlan plan = PlanClaim(*p, {1, 0.001, 100});
  EXPECT_TRUE(plan.decidable);
  EXPECT_EQ(plan.groups, 2);
  EXPECT_EQ(plan.per_group, 51);
  EXPECT_EQ(plan.at_units.reproduced, 1);
  EXPECT_EQ(plan.at_units.not_reproduced, 0);
  EXPECT_EQ(p->units, 32);
  // The worst group in the claimed direction is the highest rate; units
  // are groups x the smallest group's n (every group must reach per_group).
  t.counts = {{0, 16}, {4, 14}};
  p = PilotFromTest(t);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->estimate, 4.0 / 14);
  EXPECT_EQ(p->units, 28);
  // A plain "less" fraction is planned on the same side.
  t.statistic = Statistic::kFraction;
  t.counts = {{0, 16}};
  p = PilotFromTest(t);
  ASSERT_TRUE(p.ok());
  const ClaimPlan one = PlanClaim(*p, {1, 0.001, 100});
  EXPECT_EQ(one.units, 51);
  EXPECT_EQ(one.at_units.reproduced, 1);
}

// A result's claim read with and without its spec. The rule's quantity
// contains ">= 0.9" ("line score >= 0.9"), which the old sentence reading
// took for the threshold.
TEST(PlannerTest, ClaimJsonPrefersTheSpec) {
  ClaimSpec spec;
  spec.id = "RE-audit/R1-inconsistent";
  spec.statistic = Statistic::kFractionInside;
  spec.quantity = "runs whose clusters form a line (line score >= 0.9)";
  spec.unit = "run";
  spec.threshold = 0.1;
  spec.threshold_high = 0.9;
  const nlohmann::json claim = {
      {"id", spec.id},
      {"verdict", "undecided_at_this_scale"},
      {"rule", RuleSentence(spec)},
      {"effect",
       {{"statistic", "fraction"}, {"estimate", 0.0}, {"low", 0.0},
        {"high", 0.28}, {"level", 0.99}, {"n", 16}}},
      {"runs", {{"planned", 16}, {"valid", 16}}}};
  absl::StatusOr<Pilot> with = PilotFromClaimJson(claim, &spec);
  ASSERT_TRUE(with.ok()) << with.status();
  EXPECT_EQ(with->statistic, Statistic::kFractionInside);
  EXPECT_EQ(with->threshold, 0.1);
  EXPECT_EQ(with->threshold_high, 0.9);
  EXPECT_TRUE(with->assumed.empty());
  const ClaimPlan plan = PlanClaim(*with, {1, 0.001, 100});
  EXPECT_EQ(plan.units, 51);
  EXPECT_EQ(plan.at_units.not_reproduced, 1);

  // The fallback reads the generated sentence's band, and says so.
  absl::StatusOr<Pilot> without = PilotFromClaimJson(claim);
  ASSERT_TRUE(without.ok()) << without.status();
  EXPECT_EQ(without->statistic, Statistic::kFractionInside);
  EXPECT_EQ(without->threshold, 0.1);
  EXPECT_EQ(without->threshold_high, 0.9);
  ASSERT_FALSE(without->assumed.empty());
  EXPECT_NE(without->assumed[0].find("no ClaimSpec"), std::string::npos);

  // A "less" fraction's sentence.
  ClaimSpec less = spec;
  less.statistic = Statistic::kMinFraction;
  less.side = Side::kLess;
  less.threshold = 0.1;
  nlohmann::json lc = claim;
  lc["rule"] = RuleSentence(less);
  without = PilotFromClaimJson(lc);
  ASSERT_TRUE(without.ok()) << without.status();
  EXPECT_EQ(without->side, Side::kLess);
  EXPECT_EQ(without->threshold, 0.1);

  // A spec of another family than the file's label: refused.
  ClaimSpec pearson = spec;
  pearson.statistic = Statistic::kPearson;
  EXPECT_FALSE(PilotFromClaimJson(claim, &pearson).ok());
}

}  // namespace
}  // namespace initrepro
