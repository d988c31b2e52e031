// MA-controls' plan: the three modes share reference and trial seeds (so
// a seed's modes compare within one (s0, t) pair), every count is a design
// field, and the claims are declared as specs.
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "src/harness/experiment.h"

namespace initrepro {
namespace {

std::unique_ptr<Experiment> Controls() {
  auto e = MakeExperiment("MA-controls");
  EXPECT_TRUE(e.ok()) << e.status();
  return std::move(*e);
}

TEST(MaControlsTest, ModesShareReferenceAndTrialSeeds) {
  // Paired by construction (issue 17, section 3): every (s0, t) is
  // trained in all three modes with init_seed s0 and seed 1000 + t; the
  // mode only says which ingredient comes from s0.
  std::map<std::pair<int64_t, int64_t>, std::set<std::string>> modes;
  for (const RunSpec& spec : Controls()->Plan(Tier::kNightly)) {
    const int64_t s0 = spec.params.at("reference_seed");
    const int64_t t = spec.params.at("trial");
    EXPECT_EQ(spec.config.init_seed, static_cast<uint64_t>(s0));
    EXPECT_EQ(spec.config.seed, static_cast<uint64_t>(1000 + t));
    EXPECT_EQ(spec.config.mode, spec.params.at("mode").get<std::string>());
    modes[{s0, t}].insert(spec.config.mode);
  }
  EXPECT_EQ(modes.size(), 2u * 2u);  // nightly: 2 reference seeds x 2 trials
  for (const auto& [key, m] : modes) EXPECT_EQ(m.size(), 3u);
}

TEST(MaControlsTest, CountsAreDesignFields) {
  auto e = Controls();
  ASSERT_TRUE(e->SetOverrides({{"seeds", "5"}, {"trials", "3"},
                               {"modes", "fix_embedding,fix_mlp"}})
                  .ok());
  EXPECT_EQ(e->Plan(Tier::kCi).size(), 2u * 5u * 3u);
  EXPECT_FALSE(e->SetOverrides({{"modes", "vary_all"}}).ok());
  EXPECT_FALSE(e->SetOverrides({{"trials", "0"}}).ok());
}

TEST(MaControlsTest, ClaimSpecsKeepTheV1Thresholds) {
  const std::vector<ClaimSpec> specs = Controls()->ClaimSpecs();
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].statistic, Statistic::kPearson);
  EXPECT_EQ(specs[0].threshold, 0.0);
  EXPECT_EQ(specs[0].max_p, 0.01);
  for (int i = 1; i < 3; ++i) {
    EXPECT_EQ(specs[i].statistic, Statistic::kPairedMean);
    EXPECT_EQ(specs[i].threshold, 0.0);
    EXPECT_FALSE(specs[i].inclusive);
  }
}

}  // namespace
}  // namespace initrepro
