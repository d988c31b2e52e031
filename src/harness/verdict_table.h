// The verdict table: one row per (claim, tier) found in result or golden
// JSON, the same numbers the report's status table and forest plot show,
// written as OUT/report/verdicts.{csv,json} and compared by `repro diff`.
//
// Readers here are tolerant: a result of format 2 (every golden today) or
// newer displays; a missing field reads as "-" (CSV) or null (JSON), and a
// field of the wrong type as missing. Only a format-1 result (or one without
// a `claims` array) is stale. Each function taking a claim exists for the
// typed Claim (src/harness/experiment.h) and, for callers holding JSON, for
// a claim's JSON (read with TolerantClaim).
//
// Columns (README "The verdict table"): claim, experiment, tier, from
// (out | golden), verdict, statistic, estimate, low, high, level, n, unit,
// valid, planned, reason_code, to_decide_command, to_decide_core_hours,
// source, commit, design, reason.
#ifndef INITREPRO_SRC_HARNESS_VERDICT_TABLE_H_
#define INITREPRO_SRC_HARNESS_VERDICT_TABLE_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "src/harness/experiment.h"

namespace initrepro {

// Tiers in increasing scale.
inline const std::vector<std::string>& TierOrder() {
  static const std::vector<std::string> kOrder = {"smoke", "ci", "nightly",
                                                  "paper"};
  return kOrder;
}
int TierRank(const std::string& tier);  // -1 when unknown

// Format 2 or newer with a `claims` array: the report can display it.
bool DisplayableResult(const nlohmann::json& result);

// Short reason code of one claim at one tier: the claim's own
// `reason_code` when it carries one; else derived from its fields:
//   descriptive     verdict descriptive
//   decided         reproduced or not reproduced
//   smoke_tier      the smoke tier decides nothing
//   too_few_valid   valid / planned runs < 80 %
//   undefined       the statistic is undefined
//   ceiling         a measurement ceiling was reached
//   too_few_units   too few units for the statistic (e.g. lines formed)
//   rule_fails      the interval excludes the null but the rule fails
//   interval_wide   the interval reaches both the null and the threshold
//   undecided       none of the above could be read
std::string ReasonCode(const Claim& claim, const std::string& tier);
std::string ReasonCode(const nlohmann::json& claim, const std::string& tier);

// A claim's JSON as a Claim, never throwing: a missing field, or one of the
// wrong type, reads as empty (effect, runs, to_decide, observed are kept
// as found).
Claim TolerantClaim(const nlohmann::json& claim);

// A number of a claim's effect: a double, +-inf for "inf"/"-inf" strings,
// nullopt when absent or undefined.
std::optional<double> EffectNumber(const Claim& claim, const std::string& key);
std::optional<double> EffectNumber(const nlohmann::json& claim,
                                   const std::string& key);

// The null and the threshold a claim is read against, parsed from its
// reason ("the null 0", "lies above 0", "threshold 0.8", "(it reaches
// 21.3)", "wrong side of 0.5"); nullopt when the reason does not say.
std::optional<double> ClaimNull(const Claim& claim);
std::optional<double> ClaimThreshold(const Claim& claim);
std::optional<double> ClaimNull(const nlohmann::json& claim);
std::optional<double> ClaimThreshold(const nlohmann::json& claim);

// The scale a claim or result was run at: the claim's `design` (a string,
// or an object rendered "key = value, ..."), else the result's `design`.
std::string DesignText(const nlohmann::json& result, const nlohmann::json& claim);
std::string DesignText(const nlohmann::json& result, const Claim& claim);

// One tier's scale over its results, e.g. "p 23, d 32, 600-2400 steps, 485
// runs" (the most frequent p and d, the range of steps over the designs).
std::string TierScale(const std::vector<const nlohmann::json*>& results);

struct VerdictRow {
  std::string claim, experiment, tier, from;
  nlohmann::json claim_json;  // the claim as found
  Claim typed;                // the same, typed (TolerantClaim)
  nlohmann::json result_meta;  // the result's design/overrides, if any
  std::string verdict, reason_code, source, commit, design;
};

// experiment -> tier -> result JSON; `from` says where each came from
// ("out" or "golden"; missing = "out"). `source_of(experiment, claim)`
// gives a row's source column ("" when null).
using TierResults = std::map<std::string, std::map<std::string, nlohmann::json>>;
using TierOrigins = std::map<std::string, std::map<std::string, std::string>>;

// Every (claim, tier) of every displayable result, experiments in name
// order, claims in first-seen order over the tiers, tiers in TierOrder.
std::vector<VerdictRow> VerdictRows(
    const TierResults& results, const TierOrigins& origins,
    const std::function<std::string(const std::string&, const Claim&)>& source_of,
    const std::string& commit);

std::string VerdictsCsv(const std::vector<VerdictRow>& rows);
nlohmann::json VerdictsJson(const std::vector<VerdictRow>& rows);

// Verdict as the report writes it: "reproduced", "not reproduced",
// "undecided", "descriptive"; and its mark (readable in grey print).
std::string VerdictWord(const std::string& verdict);
std::string VerdictMark(const std::string& verdict);  // ✔ ✘ ? ~

// "Pearson r 0.79 [0.613, 0.891]", "odds ratio undefined", "" (no effect).
std::string EffectShort(const Claim& claim);
std::string EffectShort(const nlohmann::json& claim);

// `repro diff A B`: rows of A against rows of B, matched on (claim, tier)
// where both sides share a tier, else (each side one tier) on the claim.
// For each matched claim whose verdict, effect (estimate, interval) or
// valid runs moved, one line "claim [tier]: verdict X -> Y; estimate ...".
struct VerdictDiff {
  std::string text;        // the lines, then a summary line
  int compared = 0;        // matched (claim, tier) pairs
  int verdicts_moved = 0;  // of which the verdict moved
  int other_moved = 0;     // effect, interval or valid runs moved only
};
VerdictDiff DiffVerdicts(const std::vector<VerdictRow>& a,
                         const std::vector<VerdictRow>& b,
                         const std::string& a_name, const std::string& b_name);

// A caption stating a direction its own claim's observed numbers
// contradict: "" when none, else why. The mechanism: a figure may carry
// `direction` = {"observed": KEY, "word": WORD}: its caption's WORD (e.g.
// "rise") needs the claims' observed KEY ("N of M") with N > 0. Without
// one, the known case is checked generically: a caption containing "rise"
// while an observed key naming risers (`*rose*`, `*riser*`) reads "0 of M"
// or 0.
std::string CaptionContradiction(const nlohmann::json& figure,
                                 const nlohmann::json& result);

}  // namespace initrepro

#endif  // INITREPRO_SRC_HARNESS_VERDICT_TABLE_H_
