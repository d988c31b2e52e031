// MA-ode as a design: presets, the steps >= window check, claims as specs
// with evidence only, and figures that hold what their captions say (the
// figure run has a survivor when one exists; A's diagonal is counted).
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/harness/experiment.h"

namespace initrepro {
namespace {

std::unique_ptr<Experiment> Ode() {
  auto e = MakeExperiment("MA-ode");
  EXPECT_TRUE(e.ok()) << e.status();
  return std::move(*e);
}

TEST(MaOdeTest, PresetRunCounts) {
  EXPECT_EQ(Ode()->Plan(Tier::kSmoke).size(), 2u + 1);
  EXPECT_EQ(Ode()->Plan(Tier::kCi).size(), 8u + 3 * 2);
  EXPECT_EQ(Ode()->Plan(Tier::kNightly).size(), 24u + 4 * 3);
  EXPECT_EQ(Ode()->Plan(Tier::kPaper).size(), 50u + 92 * 10);
}

TEST(MaOdeTest, EveryRunKeepsTheSignalOverTheWindow) {
  for (const RunSpec& spec : Ode()->Plan(Tier::kCi)) {
    ASSERT_EQ(spec.signal_steps.size(), 1001u);
    EXPECT_EQ(spec.signal_steps.back(), 1000);
  }
}

TEST(MaOdeTest, OverridesAreCheckedAgainstTheWindow) {
  auto e = Ode();
  const absl::Status s = e->SetOverrides({{"steps", "500"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(s.message()).find("window"), std::string::npos);
  EXPECT_FALSE(e->ModifiedDesign());
  ASSERT_TRUE(e->SetOverrides({{"grid_dims", "4,8"}, {"grid_runs", "1"}}).ok());
  EXPECT_EQ(e->Plan(Tier::kCi).size(), 8u + 2);
  EXPECT_FALSE(Ode()->SetOverrides({{"lasso_alpha", "abc"}}).ok());
}

TEST(MaOdeTest, ClaimSpecsKeepTheOldThresholds) {
  const std::vector<ClaimSpec> specs = Ode()->ClaimSpecs();
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].id, "MA-ode/linear-dynamics-describe");
  EXPECT_EQ(specs[0].statistic, Statistic::kFraction);
  EXPECT_EQ(specs[0].threshold, 0.8);
  EXPECT_EQ(specs[1].id, "MA-ode/linear-dynamics-predict");
  EXPECT_EQ(specs[1].threshold, 0.5);
}

// A p x d embedding with one clean circle at frequency k (k = 0: zeros, no
// survivor).
Matrix CircleEmbedding(int64_t p, int64_t dim, int64_t k) {
  Matrix e(p, dim);
  if (k == 0) return e;
  for (int64_t a = 0; a < p; ++a) {
    e.at(a, 0) = std::cos(2 * M_PI * k * a / p);
    e.at(a, 1) = std::sin(2 * M_PI * k * a / p);
  }
  return e;
}

// Runs of the smoke plan whose signals follow S_k(t+1) = (1 - 0.01 k) S_k(t)
// + 0.1 exactly; main run 0 ends with no survivor, main run 1 with one at
// k = 2.
std::vector<RunRecord> SyntheticRuns(const Experiment& e) {
  std::vector<RunRecord> runs;
  for (const RunSpec& spec : e.Plan(Tier::kSmoke)) {
    RunRecord r;
    r.spec = spec;
    r.steps_done = spec.config.steps;
    const int64_t p = spec.config.task.p;
    std::vector<double> s(p, 0.0);
    for (int64_t k = 1; k < p; ++k) s[k] = 1.0 + k;
    for (int64_t t : spec.signal_steps) {
      r.signals[t] = s;
      for (int64_t k = 1; k < p; ++k) s[k] = (1 - 0.01 * k) * s[k] + 0.1;
    }
    const bool second_main =
        spec.params.at("role") == "main" && spec.params.at("seed") == 1;
    r.final_embedding = CircleEmbedding(p, spec.config.dim, second_main ? 2 : 0);
    runs.push_back(r);
  }
  return runs;
}

TEST(MaOdeTest, AnalyzeGivesEvidenceAndTruthfulFigures) {
  auto e = Ode();
  auto result = e->Analyze(Tier::kSmoke, SyntheticRuns(*e));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->claims.empty());
  ASSERT_EQ(result->evidence.size(), 2u);
  EXPECT_EQ(result->evidence[0].claim_id, "MA-ode/linear-dynamics-describe");
  EXPECT_EQ(result->evidence[0].counts[0],
            std::make_pair(int64_t{2}, int64_t{2}));  // exact linear ODE
  EXPECT_EQ(result->evidence[0].runs.planned, 2);   // main runs only

  const Figure* traj = nullptr;
  const Figure* heat = nullptr;
  for (const Figure& f : result->figures) {
    if (f.name == "trajectories") traj = &f;
    if (f.name == "lasso_A") heat = &f;
  }
  ASSERT_NE(traj, nullptr);
  ASSERT_NE(heat, nullptr);
  // The run with a survivor is drawn, its survivor first, then dead k = 1, 3.
  EXPECT_NE(traj->caption.find("seed 1"), std::string::npos) << traj->caption;
  EXPECT_NE(traj->caption.find("survivors (k = 2)"), std::string::npos)
      << traj->caption;
  ASSERT_EQ(traj->series.size(), 9u);
  EXPECT_EQ(traj->series[0].label, "survivor k = 2: true");
  EXPECT_EQ(traj->series[3].label, "dead k = 1: true");
  EXPECT_EQ(traj->series[6].label, "dead k = 3: true");
  EXPECT_EQ(result->data["figure_run"]["seed"], 1);
  // No fixed wording about A's shape: the caption counts its cells.
  EXPECT_EQ(heat->caption.find("mostly diagonal"), std::string::npos);
  EXPECT_NE(heat->caption.find("of 5 diagonal"), std::string::npos)
      << heat->caption;
}

TEST(MaOdeTest, WithoutASurvivorTheCaptionSaysSo) {
  auto e = Ode();
  std::vector<RunRecord> runs = SyntheticRuns(*e);
  for (RunRecord& r : runs)
    r.final_embedding = CircleEmbedding(11, r.spec.config.dim, 0);
  auto result = e->Analyze(Tier::kSmoke, runs);
  ASSERT_TRUE(result.ok()) << result.status();
  for (const Figure& f : result->figures) {
    if (f.name != "trajectories") continue;
    EXPECT_NE(f.caption.find("No fitted main run has a survivor"),
              std::string::npos)
        << f.caption;
    EXPECT_EQ(f.series.size(), 6u);  // dead k = 1, 2
  }
  EXPECT_EQ(result->data["figure_run"]["seed"], 0);
}

}  // namespace
}  // namespace initrepro
