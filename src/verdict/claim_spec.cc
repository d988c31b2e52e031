#include "src/verdict/claim_spec.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace initrepro {
namespace {

// Smallest effects of interest (PAPER.md "Verdicts (v2)", item 3); the
// verdict engine uses the same numbers (verdict.cc).
constexpr double kSmallestR = 0.1;

std::string Num(double v) { return absl::StrFormat("%g", v); }

std::string WithScope(const ClaimSpec& s, std::string text) {
  if (!s.unit.empty()) absl::StrAppend(&text, "; one unit per ", s.unit);
  if (!s.scope.empty()) absl::StrAppend(&text, ", ", s.scope);
  return text;
}

std::string Conditions(const ClaimSpec& s) {
  if (s.conditions.empty()) return "";
  return absl::StrCat(" and ", absl::StrJoin(s.conditions, " and "));
}

std::string PValue(const ClaimSpec& s) {
  return std::isnan(s.max_p) ? "" : absl::StrCat(" with p < ", Num(s.max_p));
}

}  // namespace

std::string StatisticName(Statistic s) {
  switch (s) {
    case Statistic::kPearson: return "pearson";
    case Statistic::kSpearman: return "spearman";
    case Statistic::kMeanDifference: return "mean_difference";
    case Statistic::kPairedMean: return "paired_mean";
    case Statistic::kFraction: return "fraction";
    case Statistic::kMinFraction: return "min_fraction";
    case Statistic::kSignTest: return "sign_test";
    case Statistic::kOddsRatio: return "odds_ratio";
    case Statistic::kFractionInside: return "fraction_inside";
  }
  return "unknown";
}

void RunTally::Add(const std::string& reason) {
  ++planned;
  if (reason.empty()) {
    ++valid;
  } else {
    ++excluded[reason];
  }
}

nlohmann::json RunTally::ToJson() const {
  nlohmann::json ex = nlohmann::json::object();
  for (const auto& [reason, n] : excluded) ex[reason] = n;
  return {{"planned", planned}, {"valid", valid}, {"excluded", ex}};
}

std::string RuleSentence(const ClaimSpec& s) {
  if (s.descriptive)
    return absl::StrCat("descriptive: ", s.reports.empty() ? "report the curve"
                                                           : s.reports);
  const bool less = s.side == Side::kLess;
  const char* op = less ? (s.inclusive ? "<=" : "<")
                        : (s.inclusive ? ">=" : ">");
  const char* claimed = less ? "below" : "above";
  const char* wrong = less ? "above" : "below";
  const bool custom_sesoi = !std::isnan(s.smallest_effect);
  switch (s.statistic) {
    case Statistic::kPearson:
    case Statistic::kSpearman: {
      const bool spearman = s.statistic == Statistic::kSpearman;
      const double magnitude = std::max(std::fabs(s.threshold), kSmallestR);
      const double rule_out =
          custom_sesoi ? s.smallest_effect : (less ? -magnitude : magnitude);
      return WithScope(
          s, absl::StrCat(
                 spearman ? "Spearman rho" : "Pearson r", s.quantity, " ", op,
                 " ", Num(s.threshold), PValue(s), Conditions(s),
                 "; reproduced when the 99 % interval (",
                 spearman ? "Fisher z, Bonett-Wright standard error"
                          : "Fisher z",
                 ") lies ", claimed, " 0, not reproduced when it lies ",
                 wrong, " ", Num(rule_out)));
    }
    case Statistic::kMeanDifference:
    case Statistic::kPairedMean: {
      const bool paired = s.statistic == Statistic::kPairedMean;
      const std::string rule_out =
          custom_sesoi
              ? Num(s.smallest_effect)
              : absl::StrCat(less ? "-" : "", "0.2 ",
                             paired ? "standard deviations of the differences"
                                    : "pooled standard deviations");
      return WithScope(
          s, absl::StrCat(
                 paired ? "mean paired difference " : "difference of means ",
                 s.quantity, " ", op, " ", Num(s.threshold), PValue(s),
                 Conditions(s), "; reproduced when the 99 % ",
                 paired ? "Student" : "Welch", " interval lies ", claimed,
                 s.inclusive ? " or at " : " ", Num(s.threshold),
                 ", not reproduced when it lies ", wrong, " ", rule_out));
    }
    case Statistic::kFraction:
    case Statistic::kMinFraction: {
      const char* fop = less ? "<=" : ">=";
      return WithScope(
          s, absl::StrCat(
                 "fraction of ", s.quantity, " ", fop, " ", Num(s.threshold),
                 s.statistic == Statistic::kMinFraction ? " in every group"
                                                        : "",
                 Conditions(s),
                 "; reproduced when the 99 % Clopper-Pearson interval lies ",
                 less ? "at or below " : "at or above ", Num(s.threshold),
                 s.statistic == Statistic::kMinFraction ? " in every group"
                                                        : "",
                 ", not reproduced when it lies ", wrong, " ",
                 Num(s.threshold),
                 s.statistic == Statistic::kMinFraction ? " in some group"
                                                        : ""));
    }
    case Statistic::kFractionInside:
      return WithScope(
          s, absl::StrCat(
                 "fraction of ", s.quantity, " inside [", Num(s.threshold),
                 ", ", Num(s.threshold_high), "]", Conditions(s),
                 "; reproduced when the 99 % Clopper-Pearson interval lies "
                 "inside [",
                 Num(s.threshold), ", ", Num(s.threshold_high),
                 "], not reproduced when it lies entirely below ",
                 Num(s.threshold), " or entirely above ",
                 Num(s.threshold_high)));
    case Statistic::kSignTest:
      return WithScope(
          s, absl::StrCat(
                 "mean ", s.quantity, " > 0.5 and one-sided sign test p < ",
                 std::isnan(s.max_p) ? "0.01" : Num(s.max_p), Conditions(s),
                 "; the effect is the fraction of units above 0.5 (ties "
                 "dropped): reproduced when its 99 % Clopper-Pearson interval "
                 "lies above 0.5, not reproduced when it lies below 0.55"));
    case Statistic::kOddsRatio:
      return WithScope(
          s, absl::StrCat(
                 "odds of ", s.quantity, " higher in the first group than in "
                 "the second (Fisher's exact test", PValue(s), ")",
                 Conditions(s),
                 "; reproduced when the 99 % interval of the conditional odds "
                 "ratio lies above 1, not reproduced when it lies below 1"));
  }
  return "";
}

nlohmann::json ClaimSpecToJson(const ClaimSpec& s) {
  auto num = [](double v) -> nlohmann::json {
    if (std::isnan(v)) return nullptr;
    return v;
  };
  nlohmann::json j = {{"id", s.id},
                      {"statement", s.statement},
                      {"source", {{"paper", s.paper},
                                  {"p1_script", s.p1_script}}},
                      {"reconstructed", s.reconstructed},
                      {"variant_of", s.variant_of},
                      {"descriptive", s.descriptive},
                      {"rule", RuleSentence(s)}};
  if (s.descriptive) return j;
  j["statistic"] = StatisticName(s.statistic);
  j["side"] = s.side == Side::kLess ? "less" : "greater";
  j["quantity"] = s.quantity;
  j["unit"] = s.unit;
  j["threshold"] = s.threshold;
  j["threshold_high"] = num(s.threshold_high);
  j["inclusive"] = s.inclusive;
  j["max_p"] = num(s.max_p);
  j["smallest_effect"] = num(s.smallest_effect);
  j["conditions"] = s.conditions;
  j["scope"] = s.scope;
  j["per_checkpoint"] = s.per_checkpoint;
  j["scale_field"] = s.scale_field;
  j["per_cell"] = s.per_cell;
  return j;
}

std::string SpecIdOf(const std::string& evidence_id) {
  const size_t at = evidence_id.rfind('@');
  return at == std::string::npos ? evidence_id : evidence_id.substr(0, at);
}

const ClaimSpec* SpecFor(const std::vector<ClaimSpec>& specs,
                         const std::string& id) {
  for (const ClaimSpec& s : specs)
    if (s.id == id ||
        ((s.per_checkpoint || s.per_cell) && s.id == SpecIdOf(id)))
      return &s;
  return nullptr;
}

}  // namespace initrepro
