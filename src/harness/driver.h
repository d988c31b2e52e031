// Driver: what the `repro` harness commands do, as functions.
//
// Layout under OUT (default "out/"):
//   OUT/store/EXPERIMENT/runs/KEY.run     one file per finished run
//   OUT/results/EXPERIMENT.TIER.json      the analysed result
//   OUT/plans/EXPERIMENT.TIER.json        the shard plan (plan/run-shard)
//   OUT/report/report.{md,html}, figures/ the report
//
// Shard contract (what a distributed engine drives): `plan` fixes the run
// list and the shard count; shard i trains runs i, i + N, i + 2N, ... into
// the store; `merge` loads every run (failing on a missing one), analyses
// and writes the result, which equals the single-machine result bit for bit
// because runs are pure functions of their specs.
#ifndef INITREPRO_SRC_HARNESS_DRIVER_H_
#define INITREPRO_SRC_HARNESS_DRIVER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "src/harness/experiment.h"

namespace initrepro {

struct DriverOptions {
  std::string out_dir = "out";
  std::string golden_dir = "golden";
  int jobs = 1;
  bool progress = true;
  // Sequential looks (PAPER.md "Designs (v3)" item 4, src/verdict/
  // sequential.h): train the plan in kMaxLooks batches in plan order,
  // decide every claim after each at the Bonferroni level LookLevel(K),
  // and stop once every tested claim is decided, or before a batch would
  // take the estimated cost past max_core_hours (0: no cap).
  bool until_decided = false;
  double max_core_hours = 0;
};

std::string ResultPath(const DriverOptions& o, const std::string& name,
                       Tier tier);
std::string GoldenPath(const DriverOptions& o, const std::string& name,
                       Tier tier);

// Trains what is missing, analyses, writes OUT/results/NAME.TIER.json.
absl::StatusOr<nlohmann::json> RunExperiment(const Experiment& experiment,
                                             Tier tier,
                                             const DriverOptions& options);

// Reads a result or golden file and checks it is one of `experiment` at
// `tier` (ValidateResultJson); every problem is a Status naming the file.
absl::StatusOr<nlohmann::json> ReadResultFile(const std::string& path,
                                              const std::string& experiment,
                                              Tier tier);

// The shard count of OUT/plans/EXPERIMENT.TIER.json, checked against the
// experiment's current run list for `tier`; errors name the file and field.
absl::StatusOr<int> ReadPlanShards(const Experiment& experiment, Tier tier,
                                   const std::vector<RunSpec>& specs,
                                   const DriverOptions& options);

// Compares a result with its golden. Returns the differences (empty: match).
// A missing or malformed golden is an error naming the file and field.
absl::StatusOr<std::vector<std::string>> CheckAgainstGolden(
    const nlohmann::json& result, const DriverOptions& options);

// Writes the golden from the result; returns what changed (or "new golden").
absl::StatusOr<std::vector<std::string>> BlessGolden(
    const nlohmann::json& result, const DriverOptions& options);

// Shards.
// The most shards a plan may have (what every reader of a plan accepts).
inline constexpr int kMaxShards = 1000000;
// Validates `shards` (1..kMaxShards) before touching anything. An existing
// valid plan (the current run list) with another shard count is replaced
// only with `replace_valid` (`repro plan --overwrite_plan`); otherwise
// AlreadyExists naming the file and the flag. An invalid or outdated plan is
// replaced.
absl::Status WritePlan(const Experiment& experiment, Tier tier, int shards,
                       const DriverOptions& options, bool replace_valid = false);
absl::Status RunShard(const Experiment& experiment, Tier tier, int shard,
                      const DriverOptions& options);
absl::StatusOr<nlohmann::json> MergeShards(const Experiment& experiment,
                                           Tier tier,
                                           const DriverOptions& options);

// Per shard: runs present (verified), missing, corrupt. From files only.
// `corrupt` counts every file that must be trained again: a bad checksum or
// spec, or a stale run (trained by another bits identity); `stale` counts
// the stale ones among them.
struct ShardStatus {
  int shard = 0;
  int64_t done = 0, missing = 0, corrupt = 0, stale = 0;
};
absl::StatusOr<std::vector<ShardStatus>> PlanStatus(
    const Experiment& experiment, Tier tier, const DriverOptions& options);

// Estimated single-core cost of a tier, from the run configs.
double EstimatedCoreHours(const std::vector<RunSpec>& specs);

}  // namespace initrepro

#endif  // INITREPRO_SRC_HARNESS_DRIVER_H_
