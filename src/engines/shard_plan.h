// What both engines start from: the experiment's shard plan on disk and
// which of its shards still have runs to train. Everything is read from the
// files under OUT (src/harness/driver.h), so a resubmission after a failure
// or a deleted run covers exactly what is missing.
#ifndef INITREPRO_SRC_ENGINES_SHARD_PLAN_H_
#define INITREPRO_SRC_ENGINES_SHARD_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/harness/driver.h"
#include "src/harness/experiment.h"

namespace initrepro {

struct PlanState {
  std::string note;         // "plan kept", "plan written", "plan rewritten: ..."
  std::vector<int> pending;  // shards with missing or corrupt runs, ascending
  int64_t done = 0;          // runs present and verified
  int64_t to_train = 0;      // runs missing or corrupt
};

// Makes sure OUT/plans/NAME.TIER.json lists the experiment's current runs in
// `shards` shards and returns its state. An existing matching plan is kept,
// so a resubmission changes nothing a still-queued job relies on; a plan
// with another shard count is rewritten (runs are stored per run key, not
// per shard, so no finished run is lost). A malformed plan is an error.
absl::StatusOr<PlanState> EnsurePlan(const Experiment& experiment, Tier tier,
                                     int shards, const DriverOptions& driver);

}  // namespace initrepro

#endif  // INITREPRO_SRC_ENGINES_SHARD_PLAN_H_
