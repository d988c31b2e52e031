#include "src/harness/sweep.h"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/analysis/fourier.h"
#include "src/core/status_macros.h"
#include "src/model/params.h"
#include "src/train/bits_identity.h"
#include "src/train/run_files.h"

namespace initrepro {

int MissingRunIndex(const absl::Status& status) {
  const absl::optional<absl::Cord> index = status.GetPayload(kMissingRunPayload);
  int i = -1;
  if (!index.has_value() || !absl::SimpleAtoi(std::string(*index), &i)) return -1;
  return i;
}

absl::StatusOr<RunRecord> TrainOne(const Experiment& experiment,
                                   const RunSpec& spec) {
  // The harness trains only the backend every golden is defined by; a spec
  // asking for another is refused, never silently trained as reference.
  if (spec.config.backend != "reference" || spec.config.dtype != "f64")
    return absl::InvalidArgumentError(absl::StrCat(
        experiment.Name(), ": run spec asks for backend=",
        spec.config.backend, " dtype=", spec.config.dtype,
        "; sweeps train only backend=reference dtype=f64 (use `repro train "
        "--backend=onednn --dtype=f32` for single f32 runs)"));
  ASSIGN_OR_RETURN(InitialState init, experiment.InitialStateFor(spec));
  TrainConfig config = spec.config;
  config.threads = 1;
  config.snapshot_steps = spec.snapshot_steps;
  config.snapshot_steps.push_back(SettleStep(config.steps));
  for (int64_t s : spec.signal_steps) config.snapshot_steps.push_back(s);
  std::sort(config.snapshot_steps.begin(), config.snapshot_steps.end());
  config.snapshot_steps.erase(
      std::unique(config.snapshot_steps.begin(), config.snapshot_steps.end()),
      config.snapshot_steps.end());
  RunOutputs outputs;
  outputs.param_steps = spec.param_steps;
  ASSIGN_OR_RETURN(RunResult run, Train(config, init, outputs));
  const ParamLayout layout(run.shape);
  RunRecord record;
  record.spec = spec;
  record.digest = RunDigests(run)["digest"].get<std::string>();
  record.diverged = run.diverged;
  record.steps_done = run.steps_done;
  record.initial_embedding = EmbeddingOf(layout, run.initial);
  record.final_embedding = EmbeddingOf(layout, run.final);
  // Signals replace the embeddings they were computed from, unless the spec
  // asked for the embedding itself (or it is the settle snapshot).
  const std::set<int64_t> keep(spec.snapshot_steps.begin(),
                               spec.snapshot_steps.end());
  for (int64_t s : spec.signal_steps) {
    auto it = run.embedding_snapshots.find(s);
    if (it == run.embedding_snapshots.end()) continue;  // diverged earlier
    record.signals[s] = FourierSignal(it->second);
    if (!keep.count(s) && s != SettleStep(config.steps))
      run.embedding_snapshots.erase(it);
  }
  record.snapshots = std::move(run.embedding_snapshots);
  record.param_snapshots = std::move(run.param_snapshots);
  record.metrics = std::move(run.metrics);
  record.wall_seconds = run.wall_seconds;
  record.bits_identity = BitsIdentity();
  return record;
}

absl::StatusOr<std::vector<RunRecord>> RunSweep(
    const Experiment& experiment, const std::vector<RunSpec>& specs,
    const RunStore& store, const SweepOptions& options) {
  const int64_t total = static_cast<int64_t>(specs.size());
  std::vector<RunRecord> records(specs.size());
  std::vector<int64_t> todo;
  std::set<std::string> stale_ids;  // identities that trained stale runs
  int64_t stale = 0;
  for (int64_t i = 0; i < total; ++i) {
    absl::StatusOr<RunRecord> loaded = store.Load(specs[i]);
    if (loaded.ok()) {
      records[i] = std::move(*loaded);
      continue;
    }
    if (IsStaleRun(loaded.status())) {
      // Counted and reported in one line below, not one warning per run.
      ++stale;
      stale_ids.insert(StaleIdentity(loaded.status()));
      todo.push_back(i);
      continue;
    }
    if (!options.train_missing) {
      absl::Status missing = absl::FailedPreconditionError(absl::StrCat(
          experiment.Name(), ": run ", i, " of ", total, " is ",
          absl::IsNotFound(loaded.status()) ? "missing" : "unusable", ": ",
          loaded.status().message(), "; merge does not train"));
      missing.SetPayload(kMissingRunPayload, absl::Cord(absl::StrCat(i)));
      return missing;
    }
    if (!absl::IsNotFound(loaded.status())) {
      std::fprintf(stderr, "warning: %s; training it again\n",
                   std::string(loaded.status().message()).c_str());
    }
    todo.push_back(i);
  }
  if (stale > 0) {
    const std::string why = absl::StrCat(
        stale, " stale run", stale == 1 ? "" : "s", " (trained by bits identity ",
        absl::StrJoin(stale_ids, ", "), ", this build is ",
        store.bits_identity(), ")");
    if (!options.train_missing)
      return absl::FailedPreconditionError(absl::StrCat(
          experiment.Name(), ": ", why,
          ": refusing to merge runs of another build; train them again "
          "(repro run-shard, or resubmit)"));
    std::fprintf(stderr, "%s: %s: retraining\n", experiment.Name().c_str(),
                 why.c_str());
  }

  if (todo.empty()) return records;

  const int removed = store.RemoveStaleTemps();
  if (removed > 0)
    std::fprintf(stderr, "%s: removed %d temp file%s left by killed runs\n",
                 experiment.Name().c_str(), removed, removed == 1 ? "" : "s");

  // Work sharing between processes on one store: each run is trained under
  // its lock. A first pass takes only free locks and leaves runs another
  // process is training for later; the second pass waits for those and
  // loads what the other process saved (training only if it saved nothing).
  std::atomic<int64_t> next{0};
  std::vector<int64_t> deferred;
  int64_t trained = 0, loaded_meanwhile = 0;
  std::mutex mu;
  absl::Status first_error;
  const auto start = std::chrono::steady_clock::now();
  auto progress = [&] {  // under mu
    if (!options.progress) return;
    const int64_t finished = trained + loaded_meanwhile;
    const double elapsed = std::chrono::duration<double>(
                               std::chrono::steady_clock::now() - start)
                               .count();
    const double eta =
        elapsed / finished * (static_cast<double>(todo.size()) - finished);
    std::fprintf(stderr, "\r%s: %lld/%lld runs (%lld reused), ETA %.0f s   ",
                 experiment.Name().c_str(),
                 static_cast<long long>(total - todo.size() + finished),
                 static_cast<long long>(total),
                 static_cast<long long>(total - todo.size() + loaded_meanwhile),
                 eta);
  };
  auto fail = [&](const absl::Status& s) {
    std::lock_guard<std::mutex> lock(mu);
    if (first_error.ok()) first_error = s;
  };
  auto worker = [&] {
    while (true) {
      int64_t i;
      FileLock::Mode mode = FileLock::kTry;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (!first_error.ok()) return;
      }
      const int64_t t = next.fetch_add(1);
      if (t < static_cast<int64_t>(todo.size())) {
        i = todo[t];
      } else {
        std::lock_guard<std::mutex> lock(mu);
        if (deferred.empty()) return;
        i = deferred.back();
        deferred.pop_back();
        mode = FileLock::kWait;
      }
      absl::StatusOr<FileLock> run_lock = store.Lock(specs[i], mode);
      if (absl::IsUnavailable(run_lock.status())) {
        std::lock_guard<std::mutex> lock(mu);
        deferred.push_back(i);
        continue;
      }
      if (!run_lock.ok()) return fail(run_lock.status());
      // Another process may have saved it since the first look.
      absl::StatusOr<RunRecord> loaded = store.Load(specs[i]);
      if (loaded.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        records[i] = std::move(*loaded);
        ++loaded_meanwhile;
        progress();
        continue;
      }
      absl::StatusOr<RunRecord> record = TrainOne(experiment, specs[i]);
      absl::Status saved = record.ok() ? store.Save(*record) : record.status();
      if (!saved.ok()) return fail(saved);
      std::lock_guard<std::mutex> lock(mu);
      records[i] = std::move(*record);
      ++trained;
      progress();
    }
  };
  // More workers than runs would only idle (and cost a stack each).
  const int64_t jobs = std::min<int64_t>(std::max(1, options.jobs),
                                         static_cast<int64_t>(todo.size()));
  std::vector<std::thread> threads;
  for (int64_t j = 1; j < jobs; ++j) {
    try {
      threads.push_back(options.start_thread ? options.start_thread(worker)
                                             : std::thread(worker));
    } catch (const std::system_error& e) {
      fail(absl::ResourceExhaustedError(absl::StrCat(
          "--jobs=", options.jobs, ": cannot start worker thread ", j + 1,
          " of ", jobs, " (", e.what(), "); retry with a smaller --jobs")));
      break;
    }
  }
  worker();
  for (std::thread& t : threads) t.join();
  if (options.progress) {
    std::fprintf(stderr,
                 "\n%s: %lld runs trained here, %lld reused, %lld trained "
                 "meanwhile by another process\n",
                 experiment.Name().c_str(), static_cast<long long>(trained),
                 static_cast<long long>(total - todo.size()),
                 static_cast<long long>(loaded_meanwhile));
  }
  RETURN_IF_ERROR(first_error);
  return records;
}

int UsableCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  int cpus = 0;
  if (::sched_getaffinity(0, sizeof(set), &set) == 0) cpus = CPU_COUNT(&set);
  if (cpus <= 0) cpus = static_cast<int>(std::thread::hardware_concurrency());
  // cgroup v2: "QUOTA PERIOD" in microseconds, or "max PERIOD" (no limit).
  std::ifstream in("/sys/fs/cgroup/cpu.max");
  std::string quota;
  double period = 0;
  if (in >> quota >> period && quota != "max" && period > 0) {
    double q = 0;
    if (absl::SimpleAtod(quota, &q) && q > 0)
      cpus = std::min(cpus, std::max(1, static_cast<int>(std::ceil(q / period))));
  }
  return std::max(1, cpus);
}

}  // namespace initrepro
