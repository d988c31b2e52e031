// The local engine: the shards of a plan, one after another in this
// process (each with DriverOptions::jobs workers), then the merge. The same
// contract a cluster drives, for one big machine, for testing a plan before
// submitting it, and for finishing a Slurm submission by hand.
#ifndef INITREPRO_SRC_ENGINES_LOCAL_H_
#define INITREPRO_SRC_ENGINES_LOCAL_H_

#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "src/harness/driver.h"
#include "src/harness/experiment.h"

namespace initrepro {

// Runs `pending` shards (from EnsurePlan) and merges; returns the merged
// result, bit-identical to RunExperiment's.
absl::StatusOr<nlohmann::json> RunLocal(const Experiment& experiment,
                                        Tier tier,
                                        const std::vector<int>& pending,
                                        const DriverOptions& driver);

}  // namespace initrepro

#endif  // INITREPRO_SRC_ENGINES_LOCAL_H_
