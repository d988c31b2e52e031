// The engine on unit tables whose answer is known by construction.
#include "src/verdict/verdict.h"

#include <cmath>

#include "gtest/gtest.h"

namespace initrepro {
namespace {

RunTally AllValid(int64_t n) {
  RunTally t;
  for (int64_t i = 0; i < n; ++i) t.Add("");
  return t;
}

ClaimTest Correlation(std::vector<double> x, std::vector<double> y) {
  ClaimTest t;
  t.id = "test/correlation";
  t.statistic = Statistic::kPearson;
  t.x = std::move(x);
  t.y = std::move(y);
  t.threshold = 0;
  t.max_p = 0.01;
  t.runs = AllValid(50);
  return t;
}

TEST(VerdictTest, RisingSurvivalIsReproduced) {
  std::vector<double> x, y;
  for (int i = 0; i < 60; ++i) {
    x.push_back(80 + i * 0.2);
    y.push_back(i / 60.0 + ((i * 7) % 5) * 0.01);
  }
  const Claim c = Decide(Tier::kCi, Correlation(x, y));
  EXPECT_EQ(c.verdict, "reproduced") << c.reason;
  EXPECT_GT(c.effect["low"].get<double>(), 0);
  EXPECT_EQ(c.runs["valid"], 50);
}

TEST(VerdictTest, NoRelationIsUndecidedWhenNarrowIsNotReproduced) {
  // Uncorrelated by construction (x symmetric, y even in x): r = 0 exactly.
  std::vector<double> x, y;
  for (int i = -10; i <= 10; ++i) {
    x.push_back(i);
    y.push_back(i * i);
  }
  Claim c = Decide(Tier::kCi, Correlation(x, y));
  // n = 21: the interval [-0.55, 0.55] reaches 0.1: undecided, never
  // not_reproduced.
  EXPECT_EQ(c.verdict, "undecided_at_this_scale");
  EXPECT_FALSE(c.reason.empty());
  // n = 2001: the interval is about [-0.06, 0.06], all below 0.1.
  x.clear();
  y.clear();
  for (int i = -1000; i <= 1000; ++i) {
    x.push_back(i);
    y.push_back(static_cast<double>(i) * i);
  }
  c = Decide(Tier::kCi, Correlation(x, y));
  EXPECT_EQ(c.verdict, "not_reproduced") << c.reason;
}

TEST(VerdictTest, ClearOppositeEffectIsNotReproduced) {
  std::vector<double> x, y;
  for (int i = 0; i < 40; ++i) {
    x.push_back(i);
    y.push_back(-i + (i % 3));
  }
  EXPECT_EQ(Decide(Tier::kCi, Correlation(x, y)).verdict, "not_reproduced");
}

TEST(VerdictTest, IdenticalGroupsAreUndecided) {
  ClaimTest t;
  t.statistic = Statistic::kMeanDifference;
  t.a = {1, 2, 3, 4, 5, 6};
  t.b = {1, 2, 3, 4, 5, 6};
  t.max_p = 0.01;
  t.runs = AllValid(12);
  const Claim c = Decide(Tier::kCi, t);
  EXPECT_EQ(c.verdict, "undecided_at_this_scale");
  EXPECT_EQ(c.effect["estimate"].get<double>(), 0.0);
}

TEST(VerdictTest, TooFewValidRunsIsUndecided) {
  std::vector<double> x, y;
  for (int i = 0; i < 60; ++i) {
    x.push_back(i);
    y.push_back(i);
  }
  ClaimTest t = Correlation(x, y);
  t.runs = RunTally();
  for (int i = 0; i < 7; ++i) t.runs.Add("");
  for (int i = 0; i < 3; ++i) t.runs.Add("not_settled");
  const Claim c = Decide(Tier::kCi, t);
  EXPECT_EQ(c.verdict, "undecided_at_this_scale");
  EXPECT_NE(c.reason.find("7 of 10"), std::string::npos) << c.reason;
  EXPECT_EQ(c.runs["excluded"]["not_settled"], 3);
}

TEST(VerdictTest, SmokeTierDecidesNothing) {
  std::vector<double> x, y;
  for (int i = 0; i < 60; ++i) {
    x.push_back(i);
    y.push_back(i);
  }
  EXPECT_EQ(Decide(Tier::kSmoke, Correlation(x, y)).verdict,
            "undecided_at_this_scale");
}

TEST(VerdictTest, SpearmanThresholdAndSideLess) {
  // Perfectly falling: rho = -1 passes "rho < -0.5".
  ClaimTest t;
  t.statistic = Statistic::kSpearman;
  t.side = Side::kLess;
  t.threshold = -0.5;
  t.runs = AllValid(8);
  for (int i = 0; i < 8; ++i) {
    t.x.push_back(i);
    t.y.push_back(-i * i);
  }
  EXPECT_EQ(Decide(Tier::kCi, t).verdict, "reproduced");
  // Rising instead: the interval lies above -0.5: ruled out.
  for (double& v : t.y) v = -v;
  EXPECT_EQ(Decide(Tier::kCi, t).verdict, "not_reproduced");
}

TEST(VerdictTest, FractionsAreDecidedOnClopperPearson) {
  ClaimTest t;
  t.statistic = Statistic::kMinFraction;
  t.threshold = 0.9;
  t.runs = AllValid(200);
  t.counts = {{100, 100}, {100, 100}};
  t.group_labels = {"m=1", "m=2"};
  EXPECT_EQ(Decide(Tier::kCi, t).verdict, "reproduced");
  t.counts = {{100, 100}, {19, 20}};  // 0.95 but interval reaches 0.9 and below
  EXPECT_EQ(Decide(Tier::kCi, t).verdict, "undecided_at_this_scale");
  t.counts = {{100, 100}, {50, 100}};  // one m clearly below 0.9
  const Claim c = Decide(Tier::kCi, t);
  EXPECT_EQ(c.verdict, "not_reproduced");
  EXPECT_EQ(c.effect["group"], "m=2");
}

TEST(VerdictTest, SignTestOfPercentiles) {
  ClaimTest t;
  t.statistic = Statistic::kSignTest;
  t.max_p = 0.01;
  t.runs = AllValid(40);
  for (int i = 0; i < 40; ++i) t.a.push_back(0.9);
  EXPECT_EQ(Decide(Tier::kCi, t).verdict, "reproduced");
  t.a.assign(40, 0.5);  // all ties: no unit away from 0.5
  EXPECT_EQ(Decide(Tier::kCi, t).verdict, "undecided_at_this_scale");
  t.a.clear();
  for (int i = 0; i < 200; ++i) t.a.push_back(i % 2 ? 0.2 : 0.8);
  EXPECT_EQ(Decide(Tier::kCi, t).verdict, "undecided_at_this_scale");
  for (int i = 0; i < 200; ++i) t.a[i] = 0.1;
  EXPECT_EQ(Decide(Tier::kCi, t).verdict, "not_reproduced");
}

TEST(VerdictTest, OddsRatioFromFisher) {
  ClaimTest t;
  t.statistic = Statistic::kOddsRatio;
  t.runs = AllValid(20);
  t.counts = {{3, 9}, {0, 8}};  // the old MA-frozen ci table: p ~ 0.19
  Claim c = Decide(Tier::kCi, t);
  EXPECT_EQ(c.verdict, "undecided_at_this_scale");
  EXPECT_NEAR(c.observed["p"].get<double>(), 0.1929824561403509, 1e-12);
  t.counts = {{40, 0}, {0, 40}};
  EXPECT_EQ(Decide(Tier::kCi, t).verdict, "reproduced");
  t.counts = {{0, 40}, {40, 0}};
  EXPECT_EQ(Decide(Tier::kCi, t).verdict, "not_reproduced");
}

TEST(VerdictTest, FailedConditionBlocksReproduced) {
  std::vector<double> x, y;
  for (int i = 0; i < 60; ++i) {
    x.push_back(i);
    y.push_back(i + 0.5 * (i % 2));  // strong, not perfect (no interval at 1)
  }
  ClaimTest t = Correlation(x, y);
  t.conditions = {{"every seed rises", false}};
  const Claim c = Decide(Tier::kCi, t);
  EXPECT_EQ(c.verdict, "undecided_at_this_scale");
  EXPECT_NE(c.reason.find("every seed rises"), std::string::npos);
}

TEST(VerdictTest, CannotMeasureIsUndecided) {
  std::vector<double> x, y;
  for (int i = 0; i < 60; ++i) {
    x.push_back(i);
    y.push_back(-i);
  }
  ClaimTest t = Correlation(x, y);
  t.cannot_measure = "circle-count ceiling reached.";
  EXPECT_EQ(Decide(Tier::kCi, t).verdict, "undecided_at_this_scale");
}

// The level argument: its default is kVerdictLevel (no golden moves); a
// stricter look level widens the interval and says so in the reason.
TEST(VerdictTest, LevelArgumentDefaultsToTheVerdictLevel) {
  std::vector<double> x, y;
  for (int i = 0; i < 30; ++i) {
    x.push_back(i);
    y.push_back(i * 0.1 + ((i * 7) % 5) * 0.3);
  }
  const Claim by_default = Decide(Tier::kCi, Correlation(x, y));
  const Claim at_99 = Decide(Tier::kCi, Correlation(x, y), 0.99);
  EXPECT_EQ(by_default.effect.dump(), at_99.effect.dump());
  EXPECT_EQ(by_default.reason, at_99.reason);
  EXPECT_NE(by_default.reason.find("99 % interval"), std::string::npos);
  const Claim strict = Decide(Tier::kCi, Correlation(x, y), 0.9975);
  EXPECT_EQ(strict.effect["level"].get<double>(), 0.9975);
  EXPECT_LT(strict.effect["low"].get<double>(),
            by_default.effect["low"].get<double>());
  EXPECT_NE(strict.reason.find("99.75 % interval"), std::string::npos)
      << strict.reason;
}

// A kLess fraction ("rate <= t") mirrors kGreater: reproduced when the whole
// interval lies at or below t, not_reproduced when it lies above t (issue
// 16: the engine once ignored Side for fractions).
TEST(VerdictTest, FractionSideLessIsMirrored) {
  ClaimSpec spec;
  spec.id = "X/rate-below";
  spec.statistic = Statistic::kFraction;
  spec.side = Side::kLess;
  spec.threshold = 0.1;
  spec.quantity = "runs that form a line";
  spec.unit = "run";
  ClaimEvidence ev;
  ev.claim_id = spec.id;
  ev.runs.planned = ev.runs.valid = 200;
  ev.counts = {{0, 200}};  // [0, 0.026]: below 0.1
  EXPECT_EQ(Decide(Tier::kCi, spec, ev).verdict, "reproduced");
  ev.counts = {{100, 200}};  // around 0.5: above 0.1
  EXPECT_EQ(Decide(Tier::kCi, spec, ev).verdict, "not_reproduced");
  ev.counts = {{1, 10}};  // [0.0005, 0.54]: crosses 0.1
  const Claim open = Decide(Tier::kCi, spec, ev);
  EXPECT_EQ(open.verdict, "undecided_at_this_scale");
  EXPECT_EQ(open.reason_code, "interval_wide");
  EXPECT_NE(RuleSentence(spec).find("<= 0.1"), std::string::npos)
      << RuleSentence(spec);
}

// kFractionInside: inside the band, entirely outside it, or crossing an
// edge.
TEST(VerdictTest, FractionInsideBand) {
  ClaimSpec spec;
  spec.id = "X/sometimes";
  spec.statistic = Statistic::kFractionInside;
  spec.threshold = 0.1;
  spec.threshold_high = 0.9;
  spec.unit = "run";
  ClaimEvidence ev;
  ev.claim_id = spec.id;
  ev.runs.planned = ev.runs.valid = 200;
  ev.counts = {{100, 200}};
  EXPECT_EQ(Decide(Tier::kCi, spec, ev).verdict, "reproduced");
  ev.counts = {{0, 200}};
  EXPECT_EQ(Decide(Tier::kCi, spec, ev).verdict, "not_reproduced");
  ev.counts = {{200, 200}};
  EXPECT_EQ(Decide(Tier::kCi, spec, ev).verdict, "not_reproduced");
  ev.counts = {{2, 10}};
  EXPECT_EQ(Decide(Tier::kCi, spec, ev).verdict, "undecided_at_this_scale");
  ev.counts = {{0, 0}};
  const Claim none = Decide(Tier::kCi, spec, ev);
  EXPECT_EQ(none.reason_code, "undefined");
}

// `inclusive` (">= threshold") lets an interval that touches the null
// reproduce a difference, where the strict rule leaves it open.
TEST(VerdictTest, InclusiveDifferenceAcceptsTheNull) {
  ClaimSpec spec;
  spec.id = "X/no-later";
  spec.statistic = Statistic::kPairedMean;
  spec.threshold = 0;
  spec.unit = "seed";
  ClaimEvidence ev;
  ev.claim_id = spec.id;
  ev.runs.planned = ev.runs.valid = 8;
  ev.a = {5, 6, 7, 5, 6, 7, 5, 6};
  EXPECT_EQ(Decide(Tier::kCi, spec, ev).verdict, "reproduced");
  spec.inclusive = true;
  EXPECT_EQ(Decide(Tier::kCi, spec, ev).verdict, "reproduced");
  EXPECT_NE(RuleSentence(spec).find(">= 0"), std::string::npos);
}

// Evidence a spec declares descriptive gives a descriptive claim with the
// spec's source.
TEST(VerdictTest, DescriptiveSpec) {
  ClaimSpec spec;
  spec.id = "X/curve";
  spec.descriptive = true;
  spec.reports = "the curve";
  spec.paper = "P1 Sec. 2";
  ClaimEvidence ev;
  ev.claim_id = spec.id;
  const Claim c = Decide(Tier::kCi, spec, ev);
  EXPECT_EQ(c.verdict, "descriptive");
  EXPECT_EQ(c.reason_code, "descriptive");
  EXPECT_EQ(c.source["paper"], "P1 Sec. 2");
  EXPECT_EQ(c.rule, "descriptive: the curve");
}

}  // namespace
}  // namespace initrepro
