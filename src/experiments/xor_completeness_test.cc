// XOR-completeness as data: the tier presets plan exactly the runs of the
// committed goldens (no run key moved in the conversion), the design fields
// reach the plan, and the claim specs say what the old rule text said.
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "src/harness/experiment.h"
#include "src/stats/intervals.h"
#include "src/verdict/claim_spec.h"

namespace initrepro {
namespace {

std::unique_ptr<Experiment> Make() {
  absl::StatusOr<std::unique_ptr<Experiment>> e =
      MakeExperiment("XOR-completeness");
  EXPECT_TRUE(e.ok()) << e.status();
  return std::move(*e);
}

std::vector<std::string> GoldenKeys(const std::string& tier) {
  // Runfiles: TEST_SRCDIR/TEST_WORKSPACE/golden/... (cwd is not promised).
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  const std::string root =
      (srcdir && workspace) ? std::string(srcdir) + "/" + workspace + "/" : "";
  const std::string path = root + "golden/XOR-completeness." + tier + ".json";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::vector<std::string> keys;
  if (!in.good()) return keys;
  const nlohmann::json golden = nlohmann::json::parse(in);
  for (const nlohmann::json& r : golden.at("runs"))
    keys.push_back(r["key"].get<std::string>());
  return keys;
}

std::vector<std::string> PlanKeys(const Experiment& e, Tier tier) {
  std::vector<std::string> keys;
  for (const RunSpec& s : e.Plan(tier)) keys.push_back(RunKey(s));
  return keys;
}

TEST(XorCompletenessTest, PresetsPlanTheGoldensRuns) {
  const auto e = Make();
  EXPECT_EQ(PlanKeys(*e, Tier::kSmoke), GoldenKeys("smoke"));
  EXPECT_EQ(PlanKeys(*e, Tier::kCi), GoldenKeys("ci"));
  EXPECT_EQ(PlanKeys(*e, Tier::kNightly), GoldenKeys("nightly"));
  // No paper golden is committed (main removed the format-1 one).
  EXPECT_EQ(e->Plan(Tier::kPaper).size(), 100u);
}

TEST(XorCompletenessTest, DesignFieldsReachThePlan) {
  auto e = Make();
  ASSERT_TRUE(e->SetOverrides({{"k", "3"},
                               {"v", "24"},
                               {"dim", "16"},
                               {"wd", "1"},
                               {"steps", "100"},
                               {"seeds", "3"}})
                  .ok());
  const std::vector<RunSpec> plan = e->Plan(Tier::kCi);
  ASSERT_EQ(plan.size(), 3u);
  for (size_t i = 0; i < plan.size(); ++i) {
    const TrainConfig& c = plan[i].config;
    EXPECT_EQ(c.task.name, "xor");
    EXPECT_EQ(c.task.k, 3);
    EXPECT_EQ(c.task.v, 24);
    EXPECT_EQ(c.dim, 16);
    EXPECT_EQ(c.wd, 1.0);
    EXPECT_EQ(c.steps, 100);
    EXPECT_EQ(c.seed, i);
  }
  EXPECT_TRUE(e->ModifiedDesign());
}

TEST(XorCompletenessTest, BadOverridesNameTheField) {
  auto e = Make();
  const absl::Status s = e->SetOverrides({{"k", "6"}});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("k"), std::string::npos);
  EXPECT_FALSE(e->SetOverrides({{"wd", "abc"}}).ok());
  EXPECT_FALSE(e->ModifiedDesign());
}

TEST(XorCompletenessTest, ClaimSpecs) {
  const std::vector<ClaimSpec> specs = Make()->ClaimSpecs();
  ASSERT_GE(specs.size(), 3u);
  EXPECT_EQ(specs[0].id, "XOR-completeness/signal-predicts-survival");
  EXPECT_EQ(specs[0].statistic, Statistic::kPearson);
  EXPECT_EQ(specs[0].threshold, 0);
  EXPECT_EQ(specs[0].max_p, 0.01);
  EXPECT_EQ(specs[0].unit, "(run, f)");
  EXPECT_EQ(specs[1].id, "XOR-completeness/gram-alignment");
  EXPECT_EQ(specs[2].id, "XOR-completeness/chosen-basis");
  EXPECT_EQ(specs[2].unit, "run with a spanning survivor set");
  for (size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(specs[i].statistic, Statistic::kSignTest);
    EXPECT_EQ(specs[i].max_p, 0.01);
  }
  for (const ClaimSpec& s : specs) EXPECT_TRUE(s.reconstructed) << s.id;
  EXPECT_NE(RuleSentence(specs[0]).find("over all (run, f) of valid runs, "
                                        "f = 1..2^k-1"),
            std::string::npos);
}

TEST(XorCompletenessTest, HypercubeSpecIsDeclared) {
  const std::vector<ClaimSpec> specs = Make()->ClaimSpecs();
  ASSERT_EQ(specs.size(), 4u);
  const ClaimSpec& h = specs[3];
  EXPECT_EQ(h.id, "XOR-completeness/P2-hypercube");
  EXPECT_TRUE(h.reconstructed);
  EXPECT_EQ(h.statistic, Statistic::kFraction);
  EXPECT_EQ(h.side, Side::kGreater);
  EXPECT_EQ(h.threshold, 0.5);
  EXPECT_EQ(h.unit, "run");
  EXPECT_TRUE(h.variant_of.empty());
  EXPECT_NE(RuleSentence(h).find("exactly k independent ones"),
            std::string::npos);
}

// PAPER.md's P2-hypercube is reproduced when the 99 % interval lies *above*
// 0.5; the engine's fraction rule is "at or above". They agree as long as
// no Clopper-Pearson lower end equals 0.5 exactly, at any run count a
// design may plan.
TEST(XorCompletenessTest, NoClopperPearsonLowerEndIsExactlyOneHalf) {
  for (int64_t n = 1; n <= 400; ++n)
    for (int64_t x = 0; x <= n; ++x)
      ASSERT_NE(ClopperPearson(x, n, 0.99).low, 0.5) << x << " of " << n;
}

}  // namespace
}  // namespace initrepro
