// The planner (issue 17, PAPER.md "Designs (v3)" item 2): how many units,
// runs and core-hours decide a claim (reproduced or not_reproduced at the
// verdict level, with probability >= 0.8) if a pilot's effect were the
// truth. The probabilities come from src/stats/power.h, which applies the
// verdict engine's own intervals and rules (verdict.h).
//
// Two ways in:
//   PilotFromTest       a ClaimTest (the unit table the engine decides on):
//                       exact inputs (sd, group sizes, per-group rates);
//   PilotFromClaimJson  a decided claim of a result or golden file, which
//                       keeps only the effect and the rule sentence; what
//                       that reading assumes is listed in Pilot::assumed.
// then PlanClaim.
//
// The golden reading takes statistic, side and thresholds from the claim's
// ClaimSpec when there is one; for a claim without a spec (the fallback)
// from the rule sentence: "Spearman rho(...) > 0.8", "< -0.5", "p < 0.01",
// "inside [0.1, 0.9]", "interval lies at or below 0.1", "in >= 90 % of",
// "at or above 0.9"; a rule it cannot read is an error naming the claim.
#ifndef INITREPRO_SRC_VERDICT_PLANNER_H_
#define INITREPRO_SRC_VERDICT_PLANNER_H_

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "src/stats/power.h"
#include "src/verdict/verdict.h"

namespace initrepro {

struct Pilot {
  std::string id;
  Statistic statistic = Statistic::kPearson;
  Side side = Side::kGreater;
  double threshold = 0;  // v1 threshold, as ClaimTest::threshold
  // kFractionInside: the band's upper end (the band is [threshold,
  // threshold_high]); NaN otherwise.
  double threshold_high = std::numeric_limits<double>::quiet_NaN();
  double max_p = std::numeric_limits<double>::quiet_NaN();
  double estimate = std::numeric_limits<double>::quiet_NaN();  // as reported
  // Units behind the pilot: effect.n; kMinFraction over all its groups
  // (from a test groups x the smallest group's trials, so that scaling a
  // design field brings every group to the plan's per_group; from a file
  // effect.n x groups), like ClaimPlan::units, so that runs per unit and
  // the scaling of a design field compare like with like.
  int64_t units = 0;
  // Means: the standardised effect in the claimed direction (mean / sd;
  // Welch: difference / sqrt((var a + var b) / 2)) and a's share of units.
  double delta = std::numeric_limits<double>::quiet_NaN();
  double share = 0.5;
  // kMinFraction: the true rate of each group (the planner's n is per group).
  std::vector<double> group_rates;
  // kOddsRatio: yes-rates of group 1 and group 2 (n per group).
  double rate1 = std::numeric_limits<double>::quiet_NaN();
  double rate2 = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::string> assumed;  // what reading the pilot assumed
};

absl::StatusOr<Pilot> PilotFromTest(const ClaimTest& test);
// `claim`: one entry of a result's "claims" (verdict, effect, rule, runs,
// observed, design). `spec`: the claim's ClaimSpec when the experiment
// declares one; then statistic, side, threshold, threshold_high and max_p
// are the spec's and the file gives only the effect (an effect label of
// another family than the spec's statistic is a FailedPrecondition: the
// file was decided on another rule). Without a spec they are read from the
// rule sentence, and Pilot::assumed says so. Descriptive claims and
// undefined effects are errors (FailedPrecondition) naming the claim.
absl::StatusOr<Pilot> PilotFromClaimJson(const nlohmann::json& claim,
                                         const ClaimSpec* spec = nullptr);

struct PlanCost {
  double runs_per_unit = 1;       // runs one unit costs
  double core_hours_per_run = 0;  // 0: unknown (no core-hour cap)
  double cap_core_hours = 100;    // search no further than this
};

struct ClaimPlan {
  std::string id;
  Pilot pilot;
  bool decidable = false;  // found n below the cap
  // Per group for kMinFraction (groups = group_rates.size()) and
  // kOddsRatio (groups = 2); else groups = 1 and per_group = units.
  int64_t groups = 1;
  int64_t per_group = 0;
  int64_t units = 0;      // needed (or at the cap)
  int64_t max_units = 0;  // the cap in units
  double power = 0.8;
  DecisionProbability at_units;  // outcome probabilities at `units`
  int64_t runs = 0;
  double core_hours = 0;
  std::string method;  // which formula
  nlohmann::json ToJson() const;
};

// Smallest design deciding the claim with probability >= power at `level`.
ClaimPlan PlanClaim(const Pilot& pilot, const PlanCost& cost,
                    double power = 0.8, double level = kVerdictLevel);

// The `to_decide` of an undecided claim, from its plan: {tier, command,
// runs, core_hours, units, probability} or, when no design below the cap
// decides it, {not_decidable_below_core_hours, probability_at_cap}.
nlohmann::json ToDecide(const ClaimPlan& plan, const std::string& experiment,
                        const std::string& tier);

}  // namespace initrepro

#endif  // INITREPRO_SRC_VERDICT_PLANNER_H_
