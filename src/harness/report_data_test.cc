// The report's data: the files of docs/report/ (compiled in) parse, and a
// malformed table is an error naming the file and the field; a claim's
// source comes from the result (format 3) or else from the registry's
// claim specs (format 2), and a missing one says so; the section
// "Auditing reviewer 1" and its sentence on the geometry.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
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
  ASSERT_EQ(r->reviewer_audit.size(), 4u);
  EXPECT_EQ(r->reviewer_audit[0].claims[0].id, "RE-audit/P2-line");
  EXPECT_EQ(r->reviewer_audit[0].claims[2].cell, "line");
  EXPECT_EQ(r->reviewer_audit[3].claims[0].id, "XOR-completeness/P2-hypercube");
}

TEST(ReportDataTest, CssIsTheFileAndCannotCloseItsStyleElement) {
  const std::string css(ReportCssText());
  EXPECT_TRUE(absl::StartsWith(css, ":root{")) << css.substr(0, 40);
  EXPECT_TRUE(absl::EndsWith(css, "}\n"));
  EXPECT_FALSE(absl::StrContains(css, "</style"));
  // The genrule's raw-literal delimiter cannot be in any file (the rule
  // refuses such a file; this says why the strings are whole).
  for (std::string_view text : {DeviationsJsonText(), ReconstructionsJsonText(),
                                GlossaryJsonText(), ReportCssText(),
                                ReviewerAuditJsonText()})
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

TEST(ReportDataTest, ReviewerAuditErrorsNameTheFileAndField) {
  auto parse = [](const std::string& claims) {
    return ParseReviewerAudit(
               absl::StrCat(R"({"format_version": 1, "sentences": [{"by": "R1", )",
                            R"("sentence": "s")", claims, "}]}"),
               "d.json")
        .status();
  };
  ExpectError(parse(""), "'sentences[0].claims': expected a non-empty array");
  ExpectError(parse(R"(, "claims": [])"), "'sentences[0].claims': expected a non-empty");
  ExpectError(parse(R"(, "claims": [{"cell": "default"}])"),
              "'sentences[0].claims[0].id': expected a non-empty string");
  ExpectError(parse(R"(, "claims": [{"id": "P2-line", "cell": "default"}])"),
              "'sentences[0].claims[0].id': expected a claim id EXPERIMENT/name");
  ExpectError(parse(R"(, "claims": [{"id": "RE-audit/a", "cell": "map"}])"),
              "'sentences[0].claims[0].cell': expected \"default\", \"line\" or "
              "\"valid_line\"");
  ExpectError(parse(R"(, "claims": [{"id": "RE-audit/a", "cell": "line"}])"),
              "'sentences[0].claims[0].cell': \"line\" is a cell of RE-completeness");
  ExpectError(parse(R"(, "claims": [{"id": "RE-audit/a", "cell": "valid_line"}])"),
              "'sentences[0].claims[0].cell': \"valid_line\" is a cell of RE-completeness");
  ExpectError(ParseReviewerAudit(R"({"format_version": 1, "sentences": [{"by": "R1"}]})",
                                 "d.json")
                  .status(),
              "'sentences[0].sentence': expected a non-empty string");
  absl::StatusOr<std::vector<ReviewerSentence>> ok =
      ParseReviewerAudit(absl::StrCat(R"({"format_version": 1, "sentences": [{"by": "R1", )",
                                      R"("sentence": "s", "claims": [{"id": )",
                                      R"("RE-completeness/x", "cell": "line"}]}]})"),
                         "d.json");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ((*ok)[0].claims[0].id, "RE-completeness/x");
}

// An RE-audit data block: a 4 x 4 map (d x wd at one N, m) whose P2-line
// verdict per cell is verdict(d, wd).
nlohmann::json AuditData(
    const std::function<std::string(double, double)>& verdict) {
  nlohmann::json cells = nlohmann::json::array();
  for (double d : {2.0, 4.0, 8.0, 128.0})
    for (double wd : {0.1, 0.3, 1.0, 3.0})
      cells.push_back({{"cell", absl::StrCat("d=", d, ",wd=", wd, ",N=60,m=6")},
                       {"verdict", verdict(d, wd)},
                       {"reason_code", "decided"},
                       {"effect", {{"estimate", 0.5}, {"low", 0.1}, {"high", 0.9}, {"n", 8}}}});
  return {{"map_axes",
           {{"dims", {2, 4, 8, 128}}, {"decays", {0.1, 0.3, 1.0, 3.0}}, {"ns", {60}},
            {"ms", {6}}}},
          {"default_cell", {{"d", 128}, {"N", 60}, {"m", 6}}},
          {"per_cell_verdicts", {{"RE-audit/P2-line", cells}}}};
}

TEST(ReportAuditTest, TheGeometrySentenceSaysWhereLinesFormAndNoMore) {
  // Lines at d <= 4 and wd >= 0.3, except one undecided cell there.
  const std::string some = LineGeometrySentence(AuditData([](double d, double wd) {
    if (d == 4 && wd == 1) return std::string("undecided_at_this_scale");
    return std::string(d <= 4 && wd >= 0.3 ? "reproduced" : "not_reproduced");
  }));
  EXPECT_EQ(some,
            "In this map lines form (RE-audit/P2-line reproduced) only at d <= 4 and "
            "weight decay >= 0.3: in 5 of the 6 cells there (16 cells in the map; not "
            "reproduced in 10, undecided in 1); at the default d 128 it is reproduced "
            "in none of its 4 cells (not reproduced in 4, undecided in 0).");
  const std::string none = LineGeometrySentence(
      AuditData([](double, double) { return std::string("not_reproduced"); }));
  EXPECT_TRUE(absl::StartsWith(none, "In this map no cell reproduces RE-audit/P2-line "
                                     "(lines in most runs): it is reproduced in none of "
                                     "its 16 cells (d in {2, 4, 8, 128}, weight decay in "
                                     "{0.1, 0.3, 1, 3}, N 60, m 6; not reproduced in 16"))
      << none;
  // Only weight decay decides; one value of it.
  const std::string wd3 = LineGeometrySentence(AuditData([](double, double wd) {
    return std::string(wd == 3 ? "reproduced" : "undecided_at_this_scale");
  }));
  EXPECT_TRUE(absl::StartsWith(wd3, "In this map lines form (RE-audit/P2-line "
                                    "reproduced) only at weight decay = 3: in 4 of the "
                                    "4 cells there"))
      << wd3;
  EXPECT_TRUE(absl::StrContains(wd3, "at the default d 128 it is reproduced in 1 of its "
                                     "4 cells (not reproduced in 0, undecided in 3)"))
      << wd3;
  const std::string spread = LineGeometrySentence(AuditData([](double d, double wd) {
    return std::string(d == 2 || wd == 0.1 ? "reproduced" : "not_reproduced");
  }));
  EXPECT_TRUE(absl::StrContains(spread, "at every swept value of d and weight decay: no "
                                        "single swept setting decides the geometry"))
      << spread;
  EXPECT_EQ(LineGeometrySentence(nlohmann::json::object()), "");
}

TEST(ReportAuditTest, TheOccurrenceSentenceReadsEstimatesNotVerdicts) {
  // Every cell undecided; runs on a line only at d <= 4 (estimate 0.5),
  // none at d 8 and 128 (estimate 0), one of which has no valid run.
  nlohmann::json data = AuditData(
      [](double, double) { return std::string("undecided_at_this_scale"); });
  for (auto& c : data["per_cell_verdicts"]["RE-audit/P2-line"]) {
    const std::string cell = c["cell"];
    if (absl::StartsWith(cell, "d=8,") || absl::StartsWith(cell, "d=128,"))
      c["effect"]["estimate"] = 0.0;
    if (cell == "d=128,wd=3,N=60,m=6") c["effect"]["estimate"] = nullptr;
  }
  EXPECT_EQ(LineOccurrenceSentence(data),
            "Runs on a line (line fraction above 0) occur only at d <= 4: in 8 of the "
            "8 cells there; in the other 7 cells with valid runs no run forms a line.");
  for (auto& c : data["per_cell_verdicts"]["RE-audit/P2-line"])
    c["effect"]["estimate"] = 0.0;
  EXPECT_EQ(LineOccurrenceSentence(data), "No valid run of this map forms a line.");
  EXPECT_EQ(LineOccurrenceSentence(nlohmann::json::object()), "");
}

TEST(ReportAuditTest, WithoutAnReAuditResultTheSectionIsANote) {
  ReportInputs in;
  in.tier = "ci";
  absl::StatusOr<ReportReference> r = CompiledReportReference();
  ASSERT_TRUE(r.ok()) << r.status();
  const std::string md = ReviewerAuditMarkdown(in, r->reviewer_audit);
  EXPECT_TRUE(absl::StartsWith(md, "## Auditing reviewer 1\n\nNo RE-audit result at the "
                                   "ci tier"))
      << md;
  EXPECT_FALSE(absl::StrContains(md, "| claim |")) << md;
}

TEST(ReportAuditTest, OneRowPerSentenceAndClaimWithTheMapCells) {
  ReportInputs in;
  in.tier = "ci";
  nlohmann::json claim = {{"id", "RE-audit/P2-line"},
                          {"verdict", "not_reproduced"},
                          {"reason_code", "decided"},
                          {"reconstructed", true},
                          {"observed", {{"cell", "d=128,wd=3,N=60,m=6"}}},
                          {"effect",
                           {{"statistic", "fraction"}, {"estimate", 0.0}, {"low", 0.0},
                            {"high", 0.28}, {"n", 16}}}};
  in.by_tier["RE-audit"]["ci"] = {
      {"format_version", 3}, {"experiment", "RE-audit"}, {"tier", "ci"},
      {"claims", {claim}},
      {"data", AuditData([](double d, double) {
         return std::string(d == 2 ? "reproduced" : "not_reproduced");
       })}};
  std::vector<ReviewerSentence> sentences = {
      {"Reviewer 1", "clusters form a line",
       {{"RE-audit/P2-line", "default"}, {"XOR-completeness/P2-hypercube", "default"}}}};
  const std::string md = ReviewerAuditMarkdown(in, sentences);
  EXPECT_TRUE(absl::StrContains(
      md, "| \u201cclusters form a line\u201d<br><small>Reviewer 1</small> | "
          "[RE-audit/P2-line](#re-auditp2-line) | <span class=\"v-no\">"))
      << md;
  EXPECT_TRUE(absl::StrContains(md, "*(reconstr.)*<br><small>at d=128, wd=3, N=60, m=6 "
                                    "(default)</small>"))
      << md;
  EXPECT_TRUE(absl::StrContains(md, "| d=2, wd=0.1 <small>0.5 [0.1, 0.9], n = 8</small>"
                                    "<br>d=2, wd=0.3"))
      << md;
  EXPECT_TRUE(absl::StrContains(md, "| 0 of 16 cells |")) << md;
  // The second claim's experiment has no result at this tier.
  EXPECT_TRUE(absl::StrContains(md, "| (the same sentence) | XOR-completeness/P2-hypercube "
                                    "| <span class=\"v-none\">not run</span>"))
      << md;
  EXPECT_TRUE(absl::StrContains(md, "**Which setting decides the geometry.** In this map "
                                    "lines form (RE-audit/P2-line reproduced) only at d = 2"))
      << md;
}

}  // namespace
}  // namespace initrepro
