// RunSweep: trains every spec not already in the store, in parallel across
// runs (one run per worker; each run single-threaded), and returns the
// records in spec order. The result is the same for any number of workers
// and any interruption: a killed sweep restarted with the same specs reuses
// every verified run and trains only the rest.
#ifndef INITREPRO_SRC_HARNESS_SWEEP_H_
#define INITREPRO_SRC_HARNESS_SWEEP_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/harness/experiment.h"
#include "src/harness/run_store.h"

namespace initrepro {

struct SweepOptions {
  int jobs = 1;
  bool progress = true;  // a progress line on stderr
  bool train_missing = true;  // false: fail on a missing run (merge)
};

// Trains one spec and turns the run into a record (no store involved).
absl::StatusOr<RunRecord> TrainOne(const Experiment& experiment,
                                   const RunSpec& spec);

absl::StatusOr<std::vector<RunRecord>> RunSweep(
    const Experiment& experiment, const std::vector<RunSpec>& specs,
    const RunStore& store, const SweepOptions& options);

}  // namespace initrepro

#endif  // INITREPRO_SRC_HARNESS_SWEEP_H_
