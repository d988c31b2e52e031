// RunSweep: trains every spec not already in the store, in parallel across
// runs (one run per worker; each run single-threaded), and returns the
// records in spec order. The result is the same for any number of workers
// and any interruption: a killed sweep restarted with the same specs reuses
// every verified run and trains only the rest.
//
// Concurrent sweeps on one store share the work: each run is trained while
// holding its lock (RunStore::Lock); a sweep skips runs another holds, and
// comes back to them at the end, waiting for the lock and loading what the
// other saved. With progress on, the closing line on stderr reads
// "NAME: T runs trained here, R reused, M trained meanwhile by another
// process". Temps of killed runs are removed first (RemoveStaleTemps).
// A worker thread that cannot be started is a ResourceExhausted error
// naming --jobs (after the started ones finished their runs), never an abort.
#ifndef INITREPRO_SRC_HARNESS_SWEEP_H_
#define INITREPRO_SRC_HARNESS_SWEEP_H_

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "src/harness/experiment.h"
#include "src/harness/run_store.h"

namespace initrepro {

struct SweepOptions {
  int jobs = 1;  // workers, capped at the number of runs to train
  bool progress = true;  // a progress line on stderr, and a closing count
  bool train_missing = true;  // false: fail on a missing run (merge)
  // Starts a worker thread; empty: std::thread. Tests inject a failing one.
  std::function<std::thread(std::function<void()>)> start_thread;
};

// The CPUs this process may use: its affinity mask (sched_getaffinity),
// capped by the cgroup v2 quota (/sys/fs/cgroup/cpu.max, rounded up) when
// one is set. At least 1. What --jobs=0 means.
int UsableCpus();

// Trains one spec and turns the run into a record (no store involved).
absl::StatusOr<RunRecord> TrainOne(const Experiment& experiment,
                                   const RunSpec& spec);

// With train_missing false, a missing or unusable (corrupt) run is a
// FailedPrecondition naming it and saying that nothing is trained;
// MissingRunIndex(status) is its index in `specs` (-1 for other errors).
inline constexpr char kMissingRunPayload[] = "initrepro/missing-run";
int MissingRunIndex(const absl::Status& status);

absl::StatusOr<std::vector<RunRecord>> RunSweep(
    const Experiment& experiment, const std::vector<RunSpec>& specs,
    const RunStore& store, const SweepOptions& options);

}  // namespace initrepro

#endif  // INITREPRO_SRC_HARNESS_SWEEP_H_
