// The verdict engine: the one place where a claim's effect, its 99 %
// interval and its outcome are computed (PAPER.md "Verdicts (v2)").
//
// An experiment measures its runs, decides which runs are valid, builds the
// claim's unit table (one row per independent unit) and declares the claim's
// statistic and thresholds in a ClaimTest. Decide() turns that into a Claim:
//
//   reproduced              the v1 rule holds on the estimate (and its
//                           p-value and extra conditions, where v1 has them)
//                           and the interval lies entirely on the claimed
//                           side of the null;
//   not_reproduced          the interval lies entirely on the other side of
//                           the claim's threshold (the v1 threshold, or the
//                           smallest effect of interest), i.e. the data rule
//                           the claimed effect out;
//   undecided_at_this_scale anything else, fewer than 80 % of the planned
//                           runs valid, an undefined statistic, a reached
//                           measurement ceiling, or the smoke tier; the
//                           reason says which, with the numbers.
//
// Per statistic (side = kGreater; kLess mirrors everything):
//   kPearson, kSpearman   null 0; not_reproduced below max(v1 threshold, 0.1)
//   kMeanDifference       Welch on a - b; null 0; not_reproduced below
//                         0.2 x sqrt((var a + var b) / 2)
//   kPairedMean           Student on x (paired differences); null 0;
//                         not_reproduced below 0.2 x sd(x)
//   kFraction             Clopper-Pearson; the v1 threshold is the null:
//                         reproduced when the interval lies at or above it,
//                         not_reproduced when it lies below it
//   kMinFraction          kFraction for every group ("at every m")
//   kSignTest             fraction of units above 0.5 (ties at 0.5 dropped),
//                         Clopper-Pearson; v1 rule: mean > 0.5 and one-sided
//                         sign test p < 0.01; null 0.5; not_reproduced below
//                         0.55 (a rate difference of 0.05)
//   kOddsRatio            Fisher's exact test on a 2 x 2 table; conditional
//                         MLE odds ratio with its exact interval; null 1;
//                         not_reproduced when the interval lies below 1
#ifndef INITREPRO_SRC_VERDICT_VERDICT_H_
#define INITREPRO_SRC_VERDICT_VERDICT_H_

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"
#include "src/harness/experiment.h"
#include "src/verdict/claim_spec.h"

namespace initrepro {

inline constexpr double kVerdictLevel = 0.99;

struct ClaimTest {
  std::string id, statement, rule, design;
  bool reconstructed = false;
  Statistic statistic = Statistic::kPearson;
  Side side = Side::kGreater;
  std::string unit;  // what one row is, e.g. "(reference seed, k)"

  // The unit table; which members are read depends on the statistic.
  std::vector<double> x, y;  // kPearson, kSpearman: pairs
  std::vector<double> a, b;  // kMeanDifference: a - b; kPairedMean,
                             // kSignTest: a only
  // kFraction: one {successes, trials}; kMinFraction: one per group (named
  // by group_labels); kOddsRatio: rows {yes, no} of group 1, then group 2.
  std::vector<std::pair<int64_t, int64_t>> counts;
  std::vector<std::string> group_labels;

  // The v1 rule: the estimate must pass `threshold` (strictly for
  // correlations and differences, >= for fractions), and p < max_p where
  // v1 asks for a test (NaN: no p-value condition).
  double threshold = 0;
  double threshold_high = std::numeric_limits<double>::quiet_NaN();
  bool inclusive = false;  // differences: >= threshold, low >= null
  double max_p = std::numeric_limits<double>::quiet_NaN();
  // not_reproduced boundary in the claimed direction; NaN: the default.
  double smallest_effect = std::numeric_limits<double>::quiet_NaN();
  // Further v1 conditions on the point estimates, e.g. {"every seed rises",
  // true}.
  std::vector<std::pair<std::string, bool>> conditions;

  RunTally runs;
  // Non-empty: the design cannot measure the claim (e.g. circle-count
  // ceiling reached); forces undecided with this sentence as the reason.
  std::string cannot_measure;
  nlohmann::json observed = nlohmann::json::object();  // extra numbers
};

// Decides one claim with two-sided intervals at `level` (kVerdictLevel
// unless a sequential design splits it over its looks: sequential.h). At
// the smoke tier every claim is undecided (plumbing only) but its effect is
// still computed.
Claim Decide(Tier tier, const ClaimTest& test, double level = kVerdictLevel);

// The driver's entry point: decides the claim `spec` declares on what
// `evidence` shows (its rule sentence generated from the spec; source,
// variant and reconstructed flag copied from it). Descriptive specs give a
// descriptive claim with the evidence's runs and observed numbers.
Claim Decide(Tier tier, const ClaimSpec& spec, const ClaimEvidence& evidence,
             double level = kVerdictLevel);

// The unit table and rule the engine decides `spec` on (what the planner
// takes as its pilot).
ClaimTest TestFrom(const ClaimSpec& spec, const ClaimEvidence& evidence);

// A claim the papers make without a test (a curve to report).
Claim Descriptive(const std::string& id, const std::string& statement,
                  const std::string& rule, const std::string& design,
                  RunTally runs, nlohmann::json observed,
                  bool reconstructed = false);

}  // namespace initrepro

#endif  // INITREPRO_SRC_VERDICT_VERDICT_H_
