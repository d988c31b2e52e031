// The report's data: the files of docs/report/ (compiled in) parse, and a
// malformed table is an error naming the file and the field; a claim's
// source comes from the result (format 3) or else from the registry's
// claim specs (format 2), and a missing one says so.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/harness/report.h"
#include "src/harness/report_data.h"

namespace initrepro {
namespace {

class SourcedExperiment : public Experiment {
 public:
  std::string Name() const override { return "SRC-test"; }
  std::string Description() const override { return "sources"; }
  std::vector<ClaimSpec> ClaimSpecs() const override {
    ClaimSpec a;
    a.id = "SRC-test/a";
    a.paper = "P1 Sec. 3.2.1; P2";
    a.p1_script = "analysis/a.py";
    ClaimSpec b;
    b.id = "SRC-test/b";
    b.paper = "P2 (controls)";
    return {a, b};
  }
  std::vector<RunSpec> Plan(Tier) const override { return {}; }
  absl::StatusOr<ExperimentResult> Analyze(
      Tier, const std::vector<RunRecord>&) const override {
    return ExperimentResult();
  }
};
REGISTER_EXPERIMENT(SourcedExperiment);

Claim ClaimWithId(const std::string& id) {
  Claim c;
  c.id = id;
  return c;
}

TEST(ReportSourceTest, TheResultsOwnSourceElseTheRegistrysSpec) {
  Claim own = ClaimWithId("SRC-test/a");
  own.source = {{"paper", "P1 Sec. 2"}, {"p1_script", ""}};
  EXPECT_EQ(SourceOfClaim("SRC-test", own).paper, "P1 Sec. 2");
  EXPECT_EQ(SourceOfClaim("SRC-test", own).p1_script, "");
  // Format 2: no source in the result.
  const ClaimSource a = SourceOfClaim("SRC-test", ClaimWithId("SRC-test/a"));
  EXPECT_EQ(a.paper, "P1 Sec. 3.2.1; P2");
  EXPECT_EQ(a.p1_script, "analysis/a.py");
  EXPECT_EQ(SourceOfClaim("SRC-test", ClaimWithId("SRC-test/a@500")).paper,
            "P1 Sec. 3.2.1; P2");
  EXPECT_EQ(SourceOfClaim("SRC-test", ClaimWithId("SRC-test/b")).paper, "P2 (controls)");
  EXPECT_EQ(SourceShort(a),
            "[P1 \u00a73.2.1](https://github.com/carlguo866/circle-survival/blob/main/"
            "analysis/a.py)");
  EXPECT_EQ(SourcePlain(a), "P1 Sec. 3.2.1; P2; P1 script analysis/a.py");
  EXPECT_EQ(SourceLong(a),
            "P1 Sec. 3.2.1; P2; P1 script [`analysis/a.py`](https://github.com/"
            "carlguo866/circle-survival/blob/main/analysis/a.py)");
  const ClaimSource b = SourceOfClaim("SRC-test", ClaimWithId("SRC-test/b"));
  EXPECT_EQ(SourceShort(b),
            "[P2](https://openreview.net/search?term=Interpretable+Patterns+in+"
            "Random+Initialization+Unveil+Final+Representation)");
  EXPECT_EQ(SourceLong(b), "P2 (controls)");
  // Without claims (a result that tested none), the experiment's specs.
  EXPECT_EQ(SourcesOfExperiment("SRC-test", {}).size(), 2u);
  EXPECT_EQ(SourcesOfExperiment("SRC-test", {own, own}).size(), 1u);
}

TEST(ReportSourceTest, AMissingSourceSaysSo) {
  for (const auto& [e, id] : std::vector<std::pair<std::string, std::string>>{
           {"SRC-test", "SRC-test/unknown"}, {"NOT-registered", "NOT-registered/a"}}) {
    const ClaimSource s = SourceOfClaim(e, ClaimWithId(id));
    EXPECT_TRUE(s.paper.empty()) << id;
    EXPECT_EQ(SourcePlain(s), "no source declared");
    EXPECT_TRUE(absl::StrContains(SourceLong(s), "no source declared"));
    EXPECT_TRUE(absl::StrContains(SourceShort(s), "no source declared"));
  }
  EXPECT_EQ(SourcesOfExperiment("NOT-registered", {}).size(), 1u);
  EXPECT_TRUE(SourcesOfExperiment("NOT-registered", {})[0].paper.empty());
}

TEST(ReportDataTest, CompiledTablesParse) {
  absl::StatusOr<ReportReference> r = CompiledReportReference();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GE(r->deviations.size(), 10u);
  EXPECT_GE(r->reconstructions.size(), 5u);
  EXPECT_GE(r->glossary.size(), 10u);
  EXPECT_EQ(r->deviations[0].file, "training/manual_construction.py");
  EXPECT_EQ(r->deviations[0].first, 249);
  EXPECT_EQ(r->deviations[0].last, 260);
  EXPECT_EQ(r->glossary[0].term, "Fourier signal S_k");
}

TEST(ReportDataTest, CssIsTheFileAndCannotCloseItsStyleElement) {
  const std::string css(ReportCssText());
  EXPECT_TRUE(absl::StartsWith(css, ":root{")) << css.substr(0, 40);
  EXPECT_TRUE(absl::EndsWith(css, "}\n"));
  EXPECT_FALSE(absl::StrContains(css, "</style"));
  // The genrule's raw-literal delimiter cannot be in any file (the rule
  // refuses such a file; this says why the strings are whole).
  for (std::string_view text : {DeviationsJsonText(), ReconstructionsJsonText(),
                                GlossaryJsonText(), ReportCssText()})
    EXPECT_EQ(std::string(text).find(")reportdata\""), std::string::npos);
}

void ExpectError(const absl::Status& s, const std::string& part) {
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(absl::StrContains(s.message(), "d.json")) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), part)) << s;
}

TEST(ReportDataTest, ErrorsNameTheFileAndField) {
  ExpectError(ParseGlossary("{", "d.json").status(), "not valid JSON");
  ExpectError(ParseGlossary("[]", "d.json").status(), "top level");
  ExpectError(ParseGlossary(R"({"terms": []})", "d.json").status(),
              "'format_version': expected 1, found nothing");
  ExpectError(ParseGlossary(R"({"format_version": 2, "terms": []})", "d.json").status(),
              "'format_version': expected 1, found 2");
  ExpectError(ParseGlossary(R"({"format_version": 1})", "d.json").status(),
              "'terms': expected an array");
  ExpectError(ParseGlossary(R"({"format_version": 1, "terms": [{"term": "a"}]})",
                            "d.json")
                  .status(),
              "'terms[0].definition': expected a non-empty string, found nothing");
  ExpectError(ParseReconstructions(
                  R"({"format_version": 1, "reconstructions": [3]})", "d.json")
                  .status(),
              "'reconstructions[0]': expected an object");
  const std::string row =
      R"("file": "f.py", "p1": "a", "ours": "b", "verdict": "no")";
  ExpectError(ParseDeviations(absl::StrCat(R"({"format_version": 1, "deviations": [{)",
                                           row, R"(, "first": "12", "last": 13}]})"),
                              "d.json")
                  .status(),
              "'deviations[0].first': expected a line number");
  ExpectError(ParseDeviations(absl::StrCat(R"({"format_version": 1, "deviations": [{)",
                                           row, R"(, "first": 12, "last": 11}]})"),
                              "d.json")
                  .status(),
              "'deviations[0].last': expected >= first (12), found 11");
  absl::StatusOr<std::vector<Deviation>> ok =
      ParseDeviations(absl::StrCat(R"({"format_version": 1, "deviations": [{)", row,
                                   R"(, "first": 12, "last": 12}]})"),
                      "d.json");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ((*ok)[0].verdict, "no");
}

}  // namespace
}  // namespace initrepro
