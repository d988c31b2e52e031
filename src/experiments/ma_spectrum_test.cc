// MA-spectrum: its descriptive claim spec, and captions and series styles
// computed from the run (issue 19 items 3 and 6) on hand-made embeddings.
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/analysis/fourier.h"
#include "src/harness/experiment.h"
#include "src/verdict/claim_spec.h"

namespace initrepro {
namespace {

std::unique_ptr<Experiment> Make() {
  auto exp = MakeExperiment("MA-spectrum");
  EXPECT_TRUE(exp.ok()) << exp.status();
  return *std::move(exp);
}

// A p x 2 embedding holding a circle of radius amplitude[k] at each k (test
// code: libm is fine here, no trained bit depends on it).
Matrix Circles(int64_t p, const std::map<int64_t, double>& amplitude) {
  Matrix e(p, 2);
  for (int64_t a = 0; a < p; ++a)
    for (const auto& [k, r] : amplitude) {
      const double t = 2 * M_PI * static_cast<double>(k * a) / p;
      e.at(a, 0) += r * std::cos(t);
      e.at(a, 1) += r * std::sin(t);
    }
  return e;
}

// A valid run (trained, settled) of the design at p = 23 going from
// `initial` to `final`, S_k kept at steps 0 and `steps`.
RunRecord FakeRun(const Experiment& exp, const Matrix& initial,
                  const Matrix& final) {
  RunRecord r;
  r.spec = exp.Plan(Tier::kSmoke).at(0);
  const int64_t steps = r.spec.config.steps;
  r.initial_embedding = initial;
  r.final_embedding = final;
  r.snapshots[SettleStep(steps)] = final;
  r.signals[0] = FourierSignal(initial);
  r.signals[steps] = FourierSignal(final);
  r.metrics.push_back({steps, 0, 1, 0, 1});
  return r;
}

TEST(MaSpectrumTest, TheClaimIsDescriptive) {
  const std::vector<ClaimSpec> specs = Make()->ClaimSpecs();
  ASSERT_EQ(specs.size(), 1u);
  EXPECT_EQ(specs[0].id, "MA-spectrum/survivors-rise");
  EXPECT_TRUE(specs[0].descriptive);
  EXPECT_EQ(RuleSentence(specs[0]),
            "descriptive: report S_k over training for every k, the initial "
            "and final spectrum, and how many survivors rose and dead circles "
            "fell between step 0 and the end");
}

TEST(MaSpectrumTest, ThePresetRunIsReferenceSeed0Trial0) {
  auto exp = Make();
  const std::vector<RunSpec> plan = exp->Plan(Tier::kCi);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].params["reference_seed"], 0);
  EXPECT_EQ(plan[0].params["trial"], 0);
  ASSERT_TRUE(exp->SetOverrides({{"reference_seed", "3"}, {"trial", "2"}}).ok());
  const std::vector<RunSpec> other = exp->Plan(Tier::kCi);
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].params["reference_seed"], 3);
  EXPECT_EQ(other[0].params["trial"], 2);
  EXPECT_EQ(other[0].config.init_seed, 3);
  EXPECT_EQ(other[0].config.seed, 1002);
}

TEST(MaSpectrumTest, CaptionCountsWhatTheRunShows) {
  auto exp = Make();
  ASSERT_TRUE(exp->SetOverrides({{"p", "23"}}).ok());
  // Survivors k = 1 and 9 shrink from 10 to 6; the dead ones vanish.
  std::map<int64_t, double> init;
  for (int64_t k = 1; k <= 11; ++k) init[k] = 10;
  const RunRecord r =
      FakeRun(*exp, Circles(23, init), Circles(23, {{1, 6.0}, {9, 6.0}}));
  auto result = exp->Analyze(Tier::kSmoke, {r});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->evidence.size(), 1u);
  EXPECT_EQ(result->evidence[0].observed["survivors_rose"], "0 of 2");
  const Figure& fig = result->figures.at(0);
  // Issue 19 item 3: never "the survivors' signals rise" when none did.
  EXPECT_NE(fig.caption.find("0 of 2 survivors' signals rose"),
            std::string::npos)
      << fig.caption;
  EXPECT_NE(fig.caption.find("9 of 9 dead"), std::string::npos) << fig.caption;
  // Issue 19 item 6: dead frequencies are grey context lines; survivors
  // k = 1 and 9 would share a colour by position, so the second has markers.
  ASSERT_EQ(fig.series.size(), 11u);
  EXPECT_EQ(fig.series[0].style, "lines");
  EXPECT_EQ(fig.series[0].label, "survivor k = 1");
  EXPECT_EQ(fig.series[8].style, "linespoints");
  EXPECT_EQ(fig.series[8].label, "survivor k = 9");
  for (int k : {2, 3, 4, 5, 6, 7, 8, 10, 11})
    EXPECT_EQ(fig.series[k - 1].style, "context") << k;
}

TEST(MaSpectrumTest, CaptionSaysWhenSurvivorsRose) {
  auto exp = Make();
  ASSERT_TRUE(exp->SetOverrides({{"p", "23"}}).ok());
  std::map<int64_t, double> init;
  for (int64_t k = 1; k <= 11; ++k) init[k] = 1;
  const RunRecord r =
      FakeRun(*exp, Circles(23, init), Circles(23, {{3, 8.0}}));
  auto result = exp->Analyze(Tier::kSmoke, {r});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_NE(result->figures.at(0).caption.find(
                "1 of 1 survivors' signals rose and 10 of 10 dead"),
            std::string::npos)
      << result->figures.at(0).caption;
  EXPECT_NE(result->figures.at(1).caption.find("the 1 survivors carry 100 %"),
            std::string::npos)
      << result->figures.at(1).caption;
}

}  // namespace
}  // namespace initrepro
