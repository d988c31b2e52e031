// `repro power EXP [--tier=T] [--cap_core_hours=H] [--format=text|json]`:
// per claim of EXP, the planner's answer (src/verdict/planner.h): the pilot
// effect read from the committed golden of the tier (golden/EXP.TIER.json,
// else the tier below, down to ci), the units now, the units, runs and
// core-hours that would decide the claim at 99 % with 80 % power were the
// pilot the truth, or "not decidable below H core-hours" with the
// probability at the cap.
//
// The pilot file may be of result format 2 (the committed goldens today)
// or 3. Statistic, side, threshold, threshold_high and max_p are those of
// the claim's ClaimSpec (EXP's ClaimSpecs()); only a claim without a spec
// is read from its rule sentence, which its plan's `assumed` says.
//
// Runs per unit are the claim's runs.planned / the pilot's units (for
// kMinFraction the units of all groups, effect.n x groups); the cost of a
// run is EstimatedCoreHours(Plan(TIER)) / Plan(TIER).size()
// (src/harness/driver.h).
#ifndef INITREPRO_SRC_CLI_POWER_COMMAND_H_
#define INITREPRO_SRC_CLI_POWER_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "src/harness/driver.h"
#include "src/harness/experiment.h"

namespace initrepro {

// Exit code: 0 printed; 2 a usage error or no pilot golden (the message
// names the files tried).
int RunPowerCommand(const std::vector<std::string>& args);

// `repro power --tier=T` with no EXP: the tier's budget sheet, read off the
// committed goldens (golden/EXP.T.json) and the registry. Per experiment:
// runs and estimated core-hours of its design, tested and decided claims,
// and the core-hours of the experiment at the largest design its
// undecided claims' planner commands ask for at T. Every undecided tested
// claim with its way forward, design-card claims (ClaimSpec::design_card)
// marked; totals, against the nightly tier's 4 core-hour budget (PAPER.md
// "Tiers"). JSON: {tier, golden_dir, budget_core_hours (nightly only),
// experiments: [{experiment, runs, core_hours, tested, decided,
// core_hours_deciding_design_card, core_hours_deciding_all, golden?}],
// undecided: [{id, design_card, at_this_tier, no_design_known, tier,
// command, core_hours, why}], totals: {...}}. Errors: a golden that is not
// a result of its experiment and tier.
absl::StatusOr<nlohmann::json> BudgetSheet(Tier tier,
                                           const DriverOptions& options);

// The JSON `repro power --format=json` prints for one experiment:
// {experiment, tier, pilot_tier, pilot_file, planned_runs,
//  core_hours_per_run, cap_core_hours, claims: [{id, verdict, effect,
//  from_spec, units_now, runs_now, runs_per_unit, plan | error}]}. A claim that cannot
// be planned (descriptive, undefined pilot) carries `error`, never aborts.
absl::StatusOr<nlohmann::json> PowerReport(const Experiment& experiment,
                                           Tier tier,
                                           const DriverOptions& options,
                                           double cap_core_hours);

}  // namespace initrepro

#endif  // INITREPRO_SRC_CLI_POWER_COMMAND_H_
