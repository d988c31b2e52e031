// The report's data files (docs/report/, compiled in): they parse, and a
// malformed table is an error naming the file and the field.
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/harness/report.h"
#include "src/harness/report_data.h"

namespace initrepro {
namespace {

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
