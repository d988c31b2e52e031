// StoredResult: the typed form of a result file reads what ResultToJson
// writes and writes it back unchanged; older formats read with their
// missing fields empty; malformed ones are a Status naming the file.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "src/harness/result.h"

namespace initrepro {
namespace {

class OneClaimExperiment : public Experiment {
 public:
  std::string Name() const override { return "one"; }
  std::string Description() const override { return "one claim"; }
  std::vector<RunSpec> Plan(Tier) const override { return {}; }
  absl::StatusOr<ExperimentResult> Analyze(
      Tier, const std::vector<RunRecord>&) const override {
    return ExperimentResult();
  }
};

nlohmann::json CurrentResult() {
  OneClaimExperiment e;
  ExperimentResult result;
  result.data["x"] = {1.5, 2.5};
  result.stats["p"] = 0.25;
  Claim c;
  c.id = "one/claim";
  c.statement = "It rises.";
  c.rule = "Pearson r > 0";
  c.observed = {{"n", 4}};
  c.verdict = "undecided_at_this_scale";
  c.effect = {{"statistic", "Pearson r"}, {"estimate", 0.5}, {"low", -0.2},
              {"high", 0.9}, {"level", 0.99}, {"n", 4}, {"unit", "run"}};
  c.runs = {{"planned", 4}, {"valid", 4}, {"excluded", nlohmann::json::object()}};
  c.reason = "the interval reaches the null 0";
  c.reason_code = "interval_wide";
  c.to_decide = {{"tier", "ci"}, {"command", "repro run one --tier=ci"},
                 {"core_hours", 0.5}};
  c.design = "p=7, 5 steps";
  c.source = {{"paper", "P1 Sec. 2"}, {"p1_script", "analysis/a.py"}};
  c.variant_of = "one/other";
  result.claims.push_back(c);
  Figure f;
  f.name = "rise";
  f.series.push_back(Series{"runs", "points", {1, 2}, {3, 4}, {}, {}, {}, false});
  result.figures.push_back(f);
  result.notes.push_back("a note");
  RunRecord run;
  run.digest = "abc";
  return ResultToJson(e, Tier::kSmoke, {run}, result);
}

TEST(StoredResultTest, CurrentFormatRoundTripsExactly) {
  const nlohmann::json j = CurrentResult();
  absl::StatusOr<StoredResult> r = ParseStoredResult(j, "one.smoke.json");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->format_version, kResultFormatVersion);
  EXPECT_EQ(r->experiment, "one");
  EXPECT_EQ(r->tier, "smoke");
  ASSERT_EQ(r->runs.size(), 1u);
  EXPECT_EQ(r->runs[0].digest, "abc");
  ASSERT_EQ(r->claims.size(), 1u);
  EXPECT_EQ(r->claims[0].source["paper"], "P1 Sec. 2");
  EXPECT_EQ(r->claims[0].reason_code, "interval_wide");
  EXPECT_EQ(nlohmann::json(*r), j);
}

TEST(StoredResultTest, FormatTwoReadsWithTheNewFieldsEmpty) {
  nlohmann::json j = CurrentResult();
  j["format_version"] = 2;
  for (const char* key : {"design", "overrides", "modified_design"}) j.erase(key);
  for (const char* key : {"source", "reason_code", "variant_of"})
    j["claims"][0].erase(key);
  absl::StatusOr<StoredResult> r = ParseStoredResult(j, "one.smoke.json");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->format_version, 2);
  EXPECT_TRUE(r->design.is_null());
  EXPECT_TRUE(r->overrides.empty());
  EXPECT_FALSE(r->modified_design);
  EXPECT_TRUE(r->claims[0].source.empty());
  EXPECT_EQ(r->claims[0].reason_code, "");
  EXPECT_EQ(r->claims[0].verdict, "undecided_at_this_scale");
}

TEST(StoredResultTest, MalformedIsAStatusNamingTheFile) {
  nlohmann::json j = CurrentResult();
  j["num_runs"] = "four";
  absl::StatusOr<StoredResult> r = ParseStoredResult(j, "one.smoke.json");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::StrContains(r.status().message(), "one.smoke.json")) << r.status();
  j = CurrentResult();
  j["claims"][0].erase("id");
  EXPECT_FALSE(ParseStoredResult(j, "one.smoke.json").ok());
  EXPECT_FALSE(ParseStoredResult(nlohmann::json::array(), "one.smoke.json").ok());
}

}  // namespace
}  // namespace initrepro
