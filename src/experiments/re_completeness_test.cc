// RE-completeness as data: the tier presets plan exactly the runs of the
// committed goldens (no run key moved in the conversion), the line cell adds
// its own runs only when it is not the main cell, and the claim specs say
// what the old rule text said.
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "src/harness/experiment.h"
#include "src/verdict/claim_spec.h"

namespace initrepro {
namespace {

std::unique_ptr<Experiment> Make() {
  absl::StatusOr<std::unique_ptr<Experiment>> e =
      MakeExperiment("RE-completeness");
  EXPECT_TRUE(e.ok()) << e.status();
  return std::move(*e);
}

std::vector<std::string> GoldenKeys(const std::string& tier) {
  // Runfiles: TEST_SRCDIR/TEST_WORKSPACE/golden/... (cwd is not promised).
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  const std::string root =
      (srcdir && workspace) ? std::string(srcdir) + "/" + workspace + "/" : "";
  const std::string path = root + "golden/RE-completeness." + tier + ".json";
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

TEST(ReCompletenessTest, PresetsPlanTheGoldensRuns) {
  const auto e = Make();
  EXPECT_EQ(PlanKeys(*e, Tier::kSmoke), GoldenKeys("smoke"));
  EXPECT_EQ(PlanKeys(*e, Tier::kCi), GoldenKeys("ci"));
  EXPECT_EQ(PlanKeys(*e, Tier::kNightly), GoldenKeys("nightly"));
  EXPECT_EQ(e->Plan(Tier::kPaper).size(), 100u);
}

TEST(ReCompletenessTest, ALineCellOfItsOwnAddsTaggedRuns) {
  auto e = Make();
  // The main cell's runs alone: the line cell moved onto the main cell.
  ASSERT_TRUE(e->SetOverrides({{"line_cell_dim", "32"},
                               {"valid_line_cell_dim", "32"}})
                  .ok());
  const std::vector<std::string> main = PlanKeys(*e, Tier::kCi);
  ASSERT_TRUE(e->SetOverrides({{"line_cell_dim", "4"},
                               {"line_cell_decay", "3"},
                               {"valid_line_cell_dim", "32"}})
                  .ok());
  const std::vector<RunSpec> plan = e->Plan(Tier::kCi);
  ASSERT_EQ(plan.size(), 2 * main.size());
  for (size_t i = 0; i < main.size(); ++i) {
    EXPECT_EQ(RunKey(plan[i]), main[i]);
    const RunSpec& line = plan[main.size() + i];
    EXPECT_EQ(line.config.dim, 4);
    EXPECT_EQ(line.config.wd, 3.0);
    EXPECT_EQ(line.config.task.n, 24);
    EXPECT_EQ(line.config.seed, i);
    EXPECT_EQ(line.params["cell"], "line");
  }
}

TEST(ReCompletenessTest, TheValidLineCellReusesACellItEqualsElseAddsItsOwn) {
  auto e = Make();
  ASSERT_TRUE(e->SetOverrides({{"line_cell_dim", "4"},
                               {"valid_line_cell_dim", "32"}})
                  .ok());
  const size_t main_and_line = e->Plan(Tier::kCi).size();
  // On the line cell: no runs of its own.
  ASSERT_TRUE(e->SetOverrides({{"line_cell_dim", "4"},
                               {"valid_line_cell_dim", "4"}})
                  .ok());
  EXPECT_EQ(e->Plan(Tier::kCi).size(), main_and_line);
  // Elsewhere: seeds runs tagged "valid_line", after the line cell's.
  ASSERT_TRUE(e->SetOverrides({{"line_cell_dim", "4"},
                               {"valid_line_cell_dim", "8"}})
                  .ok());
  const std::vector<RunSpec> plan = e->Plan(Tier::kCi);
  ASSERT_EQ(plan.size(), main_and_line + main_and_line / 2);
  for (size_t i = main_and_line; i < plan.size(); ++i) {
    EXPECT_EQ(plan[i].config.dim, 8);
    EXPECT_EQ(plan[i].config.wd, 3.0);
    EXPECT_EQ(plan[i].params["cell"], "valid_line");
  }
}

TEST(ReCompletenessTest, BadOverridesNameTheField) {
  auto e = Make();
  const absl::Status s = e->SetOverrides({{"m", "11"}});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("m"), std::string::npos);
  EXPECT_FALSE(e->SetOverrides({{"line_cell", "4"}}).ok());
  EXPECT_FALSE(e->ModifiedDesign());
}

TEST(ReCompletenessTest, ClaimSpecs) {
  const std::vector<ClaimSpec> specs = Make()->ClaimSpecs();
  ASSERT_EQ(specs.size(), 4u);
  EXPECT_EQ(specs[0].id, "RE-completeness/gram-alignment");
  EXPECT_EQ(specs[1].id, "RE-completeness/line-ordering");
  EXPECT_EQ(specs[2].id, "RE-completeness/line-ordering-at-line-cell");
  EXPECT_EQ(specs[2].variant_of, "RE-completeness/line-ordering");
  EXPECT_EQ(specs[3].id, "RE-completeness/line-ordering-at-valid-line-cell");
  EXPECT_EQ(specs[3].variant_of, "RE-completeness/line-ordering");
  for (const ClaimSpec& s : specs) {
    EXPECT_TRUE(s.reconstructed) << s.id;
    EXPECT_EQ(s.statistic, Statistic::kSignTest) << s.id;
    EXPECT_EQ(s.max_p, 0.01) << s.id;
  }
  EXPECT_EQ(specs[0].unit, "run");
  EXPECT_EQ(specs[1].unit, "line-forming run");
  // The old rule: "... undecided if fewer than 10 runs form a line".
  EXPECT_NE(RuleSentence(specs[1]).find("line score >= 0.9; undecided if "
                                        "fewer than 10 runs form a line"),
            std::string::npos);
  EXPECT_NE(RuleSentence(specs[2]).find("at the line cell"),
            std::string::npos);
  EXPECT_NE(RuleSentence(specs[3]).find(
                "among cells with >= 80 % of their runs valid"),
            std::string::npos);
}

}  // namespace
}  // namespace initrepro
