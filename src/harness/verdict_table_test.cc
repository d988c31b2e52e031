#include "src/harness/verdict_table.h"

#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "src/harness/figures.h"

namespace initrepro {
namespace {

nlohmann::json Claim(const std::string& id, const std::string& verdict,
                     double estimate, int valid, int planned,
                     const std::string& reason = "") {
  return {{"id", id},
          {"verdict", verdict},
          {"reason", reason},
          {"effect",
           {{"statistic", "Pearson r"},
            {"estimate", estimate},
            {"low", estimate - 0.1},
            {"high", estimate + 0.1},
            {"level", 0.99},
            {"n", 40},
            {"unit", "run"}}},
          {"runs", {{"valid", valid}, {"planned", planned}}}};
}

nlohmann::json Result(int format, const std::string& tier,
                      std::vector<nlohmann::json> claims) {
  return {{"format_version", format},
          {"experiment", "MA-x"},
          {"tier", tier},
          {"num_runs", 40},
          {"claims", claims}};
}

TEST(VerdictTable, FormatTwoAndNewerDisplayFormatOneIsStale) {
  EXPECT_TRUE(DisplayableResult(Result(2, "ci", {})));
  EXPECT_TRUE(DisplayableResult(Result(3, "ci", {})));
  EXPECT_FALSE(DisplayableResult(Result(1, "ci", {})));
  EXPECT_FALSE(DisplayableResult({{"format_version", 2}}));
}

TEST(VerdictTable, ReasonCodes) {
  EXPECT_EQ(ReasonCode(Claim("a", "reproduced", 0.5, 40, 40), "ci"), "decided");
  EXPECT_EQ(ReasonCode(Claim("a", "undecided_at_this_scale", 0.5, 20, 40), "ci"),
            "too_few_valid");
  EXPECT_EQ(ReasonCode(Claim("a", "undecided_at_this_scale", 0.5, 40, 40,
                             "smoke tier: decides nothing"),
                       "smoke"),
            "smoke_tier");
  EXPECT_EQ(ReasonCode(Claim("a", "undecided_at_this_scale", 0.5, 40, 40,
                             "the interval reaches the null 0, yet the interval "
                             "does not rule the claim out (it reaches 0.1)."),
                       "ci"),
            "interval_wide");
  nlohmann::json undefined = Claim("a", "undecided_at_this_scale", 0, 40, 40,
                                   "the statistic is undefined: a margin is zero.");
  undefined["effect"]["estimate"] = nullptr;
  EXPECT_EQ(ReasonCode(undefined, "ci"), "undefined");
  // A claim's own code wins (results of a newer format carry one).
  nlohmann::json own = Claim("a", "undecided_at_this_scale", 0.5, 20, 40);
  own["reason_code"] = "ceiling";
  EXPECT_EQ(ReasonCode(own, "ci"), "ceiling");
}

TEST(VerdictTable, NullAndThresholdFromTheReason) {
  const nlohmann::json c = Claim(
      "a", "undecided_at_this_scale", 0.5, 40, 40,
      "the interval reaches the null 0, yet the interval does not rule the "
      "claim out (it reaches 21.3).");
  EXPECT_EQ(ClaimNull(c).value_or(-1), 0);
  EXPECT_EQ(ClaimThreshold(c).value_or(-1), 21.3);
  EXPECT_FALSE(ClaimThreshold(Claim("a", "reproduced", 0.5, 40, 40)).has_value());
}

TEST(VerdictTable, CsvHasEveryColumnAndDashesForMissingFields) {
  TierResults results;
  nlohmann::json bare = {{"id", "MA-x/bare"}, {"verdict", "descriptive"}};
  results["MA-x"]["ci"] = Result(2, "ci", {Claim("MA-x/c", "reproduced", 0.5, 40, 40), bare});
  results["MA-x"]["nightly"] = Result(3, "nightly", {Claim("MA-x/c", "reproduced", 0.6, 50, 50)});
  const auto rows = VerdictRows(results, {}, nullptr, "abc");
  ASSERT_EQ(rows.size(), 3u);
  const std::string csv = VerdictsCsv(rows);
  const std::vector<std::string> lines = absl::StrSplit(csv, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0],
            "claim,experiment,tier,from,verdict,statistic,estimate,low,high,"
            "level,n,unit,valid,planned,reason_code,to_decide_command,"
            "to_decide_core_hours,source,commit,design,reason");
  // Rows grouped by claim, tiers in order within a claim.
  EXPECT_TRUE(absl::StrContains(lines[2], "MA-x/c,MA-x,nightly,out,reproduced,Pearson r,0.6,0.5,0.7,0.99,40,run,50,50,decided,-,-,-,abc"))
      << lines[2];
  EXPECT_TRUE(absl::StrContains(lines[3], "MA-x/bare,MA-x,ci,out,descriptive,-,-,-"))
      << lines[3];
  EXPECT_EQ(VerdictsJson(rows)[1]["tier"], "nightly");
}

TEST(VerdictTable, DiffCountsMovedVerdicts) {
  TierResults a, b;
  a["MA-x"]["ci"] = Result(2, "ci", {Claim("MA-x/c", "reproduced", 0.5, 40, 40),
                                     Claim("MA-x/d", "reproduced", 0.5, 40, 40)});
  b["MA-x"]["ci"] = Result(2, "ci", {Claim("MA-x/c", "undecided_at_this_scale", 0.5, 20, 40),
                                     Claim("MA-x/d", "reproduced", 0.7, 40, 40)});
  const auto ra = VerdictRows(a, {}, nullptr, ""), rb = VerdictRows(b, {}, nullptr, "");
  const VerdictDiff d = DiffVerdicts(ra, rb, "A", "B");
  EXPECT_EQ(d.compared, 2);
  EXPECT_EQ(d.verdicts_moved, 1);
  EXPECT_EQ(d.other_moved, 1);
  EXPECT_TRUE(absl::StrContains(d.text, "verdict reproduced -> undecided")) << d.text;
  EXPECT_TRUE(absl::StrContains(d.text, "valid runs 40/40 -> 20/40")) << d.text;
  EXPECT_EQ(DiffVerdicts(ra, ra, "A", "A").verdicts_moved, 0);
}

TEST(VerdictTable, CaptionContradiction) {
  nlohmann::json result = Result(2, "ci", {});
  result["claims"].push_back({{"id", "MA-x/s"}, {"observed", {{"survivors_rose", "0 of 3"}}}});
  const nlohmann::json fig = {{"caption", "the survivors' signals rise"}};
  EXPECT_FALSE(CaptionContradiction(fig, result).empty());
  result["claims"][0]["observed"]["survivors_rose"] = "2 of 3";
  EXPECT_TRUE(CaptionContradiction(fig, result).empty());
  // The declared mechanism: a figure names the observed key and word.
  const nlohmann::json declared = {
      {"caption", "most runs converge"},
      {"direction", {{"observed", "converged"}, {"word", "converge"}}}};
  result["claims"][0]["observed"]["converged"] = 0;
  EXPECT_FALSE(CaptionContradiction(declared, result).empty());
}

TEST(VerdictTable, TierScaleFromDesigns) {
  nlohmann::json r = Result(2, "ci", {Claim("a", "reproduced", 0.5, 40, 40)});
  r["claims"][0]["design"] = "p=23, d=32, 800 steps, MLP parameters at 9 steps";
  EXPECT_EQ(TierScale({&r}), "p 23, d 32, 800 steps, 40 runs");
}

TEST(Figures, RateBoundsAre99PercentClopperPearson) {
  // 5 of 10 at 99 %: [0.1283, 0.8717] (scipy.stats.beta.ppf(0.005, 5, 6));
  // at 95 % it would be [0.187, 0.813].
  const auto [lo, hi] = RateBounds(0.5, 10);
  EXPECT_NEAR(lo, 0.1283, 1e-4);
  EXPECT_NEAR(hi, 0.8717, 1e-4);
}

}  // namespace
}  // namespace initrepro
