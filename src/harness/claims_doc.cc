#include "src/harness/claims_doc.h"

#include <cmath>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "src/harness/experiment.h"

namespace initrepro {
namespace {

// A markdown table cell: no pipes, no line breaks.
std::string Cell(const std::string& text) {
  return absl::StrReplaceAll(text, {{"|", "\\|"}, {"\n", " "}});
}

std::string Source(const ClaimSpec& s) {
  std::string out = s.paper;
  if (!s.p1_script.empty())
    absl::StrAppend(&out, out.empty() ? "" : "; ", "P1 `", s.p1_script, "`");
  if (s.reconstructed) absl::StrAppend(&out, " *(reconstructed)*");
  return out;
}

}  // namespace

std::string ClaimsMarkdown(const ClaimTable& table) {
  std::string out = ClaimsIntroMarkdown();
  absl::StrAppend(
      &out,
      "\n## Every claim and its rule\n\n"
      "Generated from each experiment's claim specs (`repro claims "
      "--format=md`); the verdict engine reads the same fields, so a rule "
      "below is the rule applied. A claim suffixed `@STEP` in a result is "
      "the same claim tested at an earlier checkpoint.\n");
  for (const auto& [name, specs] : table) {
    if (specs.empty()) continue;
    absl::StrAppend(&out, "\n### ", name, "\n\n",
                    "| claim | statement | source | rule |\n"
                    "|---|---|---|---|\n");
    for (const ClaimSpec& s : specs) {
      std::string id = absl::StrCat("`", s.id, "`");
      if (!s.variant_of.empty())
        absl::StrAppend(&id, " (variant of `", s.variant_of, "`)");
      absl::StrAppend(&out, "| ", id, " | ", Cell(s.statement), " | ",
                      Cell(Source(s)), " | ", Cell(RuleSentence(s)), " |\n");
    }
  }
  return out;
}

std::string ClaimsMarkdown() {
  ClaimTable table;
  for (const std::string& name : ExperimentNames()) {
    absl::StatusOr<std::unique_ptr<Experiment>> e = MakeExperiment(name);
    if (e.ok()) table.push_back({name, (*e)->ClaimSpecs()});
  }
  return ClaimsMarkdown(table);
}

}  // namespace initrepro
