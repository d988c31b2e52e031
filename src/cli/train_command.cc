#include "src/cli/train_command.h"

#include <unistd.h>

#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "src/cli/flag_parser.h"
#include "src/core/status_macros.h"
#include "src/io/atomic_file.h"
#include "src/io/file_lock.h"
#include "src/onednn/onednn_trainer.h"
#include "src/train/run_files.h"
#include "src/train/trainer.h"

ABSL_FLAG(std::string, task, "modadd", "modadd | remainder | xor");
ABSL_FLAG(int64_t, p, 59, "modadd: modulus (vocabulary = classes = p)");
ABSL_FLAG(int64_t, n, 60, "remainder: vocabulary size N");
ABSL_FLAG(int64_t, m, 6, "remainder: modulus m (label: a = b mod m)");
ABSL_FLAG(int64_t, k, 4, "xor: number of binary digits");
ABSL_FLAG(int64_t, v, 64, "xor: vocabulary size (a multiple of 2^k)");
ABSL_FLAG(int64_t, dim, 128, "embedding dimension d");
ABSL_FLAG(int64_t, hidden, 100, "MLP hidden width");
ABSL_FLAG(int64_t, steps, 30000, "full-batch AdamW steps");
ABSL_FLAG(double, lr, 0.01, "AdamW learning rate");
ABSL_FLAG(double, wd, 0.5, "AdamW (decoupled) weight decay");
ABSL_FLAG(uint64_t, seed, 0, "trial seed s");
ABSL_FLAG(uint64_t, init_seed, 0, "reference seed s0 (see --mode)");
ABSL_FLAG(std::string, mode, "vary_all",
          "vary_all | fix_embedding | fix_mlp | fix_dataset");
ABSL_FLAG(bool, freeze_embedding, false, "exclude the embedding from AdamW");
ABSL_FLAG(std::string, backend, "reference",
          "reference (fixed-order f64 kernels, defines every golden) | onednn "
          "(f32 oneDNN matmuls; no cross-machine bit promise)");
ABSL_FLAG(std::string, dtype, "f64", "f64 (reference) | f32 (onednn)");
ABSL_FLAG(int, threads, 1, "threads inside one run (never changes a bit)");
ABSL_FLAG(int64_t, log_every, 100, "evaluate train/test metrics every N steps");
ABSL_FLAG(int64_t, snapshot_every, 0, "save the embedding every N steps (0: never)");
ABSL_FLAG(std::string, snapshot_steps, "",
          "comma-separated extra steps at which to save the embedding");
ABSL_FLAG(std::string, init_from, "",
          "directory of the seven initial .npy tensors (PyTorch names)");
ABSL_FLAG(std::string, split_from, "", "int64 .npy of training pair indices");
ABSL_FLAG(std::string, out, "",
          "train: the run directory (written atomically); other commands: "
          "the results tree (empty: out)");
ABSL_FLAG(bool, overwrite, false, "replace an existing --out directory");

namespace initrepro {

absl::StatusOr<TrainConfig> TrainConfigFromFlags() {
  TrainConfig c;
  c.task.name = absl::GetFlag(FLAGS_task);
  c.task.p = absl::GetFlag(FLAGS_p);
  c.task.n = absl::GetFlag(FLAGS_n);
  c.task.m = absl::GetFlag(FLAGS_m);
  c.task.k = absl::GetFlag(FLAGS_k);
  c.task.v = absl::GetFlag(FLAGS_v);
  c.dim = absl::GetFlag(FLAGS_dim);
  c.hidden = absl::GetFlag(FLAGS_hidden);
  c.steps = absl::GetFlag(FLAGS_steps);
  c.lr = absl::GetFlag(FLAGS_lr);
  c.wd = absl::GetFlag(FLAGS_wd);
  c.seed = absl::GetFlag(FLAGS_seed);
  c.init_seed = absl::GetFlag(FLAGS_init_seed);
  c.mode = absl::GetFlag(FLAGS_mode);
  c.freeze_embedding = absl::GetFlag(FLAGS_freeze_embedding);
  c.backend = absl::GetFlag(FLAGS_backend);
  c.dtype = absl::GetFlag(FLAGS_dtype);
  c.threads = absl::GetFlag(FLAGS_threads);
  c.log_every = absl::GetFlag(FLAGS_log_every);
  c.snapshot_every = absl::GetFlag(FLAGS_snapshot_every);
  for (absl::string_view part : absl::StrSplit(
           absl::GetFlag(FLAGS_snapshot_steps), ',', absl::SkipEmpty())) {
    int64_t step;
    if (!absl::SimpleAtoi(part, &step)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--snapshot_steps: '", part, "' is not an integer step"));
    }
    c.snapshot_steps.push_back(step);
  }
  RETURN_IF_ERROR(Validate(c));
  return c;
}

namespace {

// A flag given explicitly that cannot change a bit of the run is refused:
// accepting it would let summary.json (or the user) believe it mattered.
absl::Status CheckNoIneffectiveFlags(const TrainConfig& c) {
  const bool init = !absl::GetFlag(FLAGS_init_from).empty();
  const bool split = !absl::GetFlag(FLAGS_split_from).empty();
  for (const UnusedSetting& u : UnusedSettings(c, init, split)) {
    if (FlagWasGiven(u.flag)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", u.flag, " cannot affect this run: ", u.reason,
                       "; remove it"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<InitialState> InitialStateFromFlags(const TrainConfig& c,
                                                   RunInputs* inputs) {
  InitialState init;
  ASSIGN_OR_RETURN(ModelShape shape, ShapeFor(c));
  if (const std::string dir = absl::GetFlag(FLAGS_init_from); !dir.empty()) {
    ASSIGN_OR_RETURN(init.params, LoadInitialParams(dir, shape, inputs));
  }
  if (const std::string path = absl::GetFlag(FLAGS_split_from);
      !path.empty()) {
    ASSIGN_OR_RETURN(init.split, LoadSplit(path, shape.vocab, inputs));
  }
  return init;
}

// Held for the whole command: PARENT/.NAME.train.lock.
struct OutputClaim {
  FileLock lock;
};

// Claims --out=DIR for this process before anything is trained: takes the
// lock beside DIR (another `repro train` holding it is an error at once),
// removes temp trees "DIR.tmp.PID" of killed trains, then refuses an
// existing DIR unless `overwrite`. Where locks are not supported, two
// concurrent trains both pass here and the final no-replace rename lets
// only one publish (WriteRunDirectory).
absl::StatusOr<OutputClaim> TakeOutput(std::string out, bool overwrite) {
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  const size_t slash = out.rfind('/');
  const std::string parent = slash == std::string::npos ? "."
                             : slash == 0                ? "/"
                                                         : out.substr(0, slash);
  const std::string name =
      slash == std::string::npos ? out : out.substr(slash + 1);
  if (name.empty() || name == "." || name == "..")
    return absl::InvalidArgumentError(absl::StrCat(
        "--out=", out, ": expected a directory name to create"));
  RETURN_IF_ERROR(MakeDirs(parent));
  const std::string lock_path = absl::StrCat(parent, "/.", name, ".train.lock");
  absl::StatusOr<FileLock> lock = FileLock::Acquire(lock_path, FileLock::kTry);
  if (absl::IsUnavailable(lock.status()))
    return absl::UnavailableError(absl::StrCat(
        out, ": another `repro train` is writing this --out (", lock_path,
        " is locked); nothing trained"));
  if (!lock.ok()) return lock.status();
  for (const DeadTemp& t : FindDeadTemps(parent, name)) {
    if (t.target != name) continue;
    if (lock->held() || t.age_seconds >= kStaleTempSeconds) {
      if (RemoveTree(t.path).ok())
        std::fprintf(stderr, "repro train: removed %s, left by a killed run\n",
                     t.path.c_str());
    }
  }
  if (PathExists(out) && !overwrite)
    return absl::AlreadyExistsError(absl::StrCat(
        out, ": output directory exists; remove it or pass --overwrite "
             "(nothing trained)"));
  return OutputClaim{std::move(*lock)};
}

}  // namespace

int RunTrainCommand(const std::vector<std::string>& args) {
  if (!args.empty()) {
    std::fprintf(stderr, "repro train: unexpected argument '%s'\n",
                 args[0].c_str());
    return 2;
  }
  absl::StatusOr<TrainConfig> config = TrainConfigFromFlags();
  if (!config.ok()) {
    std::fprintf(stderr, "repro train: %s\n",
                 std::string(config.status().message()).c_str());
    return 2;
  }
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) {
    std::fprintf(stderr, "repro train: --out: expected an output directory\n");
    return 2;
  }
  if (absl::Status s = CheckNoIneffectiveFlags(*config); !s.ok()) {
    std::fprintf(stderr, "repro train: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  // One writer per --out, decided before any training: the lock, then the
  // existence check under it (see TakeOutput).
  absl::StatusOr<OutputClaim> claim =
      TakeOutput(out, absl::GetFlag(FLAGS_overwrite));
  if (!claim.ok()) {
    std::fprintf(stderr, "repro train: %s\n",
                 std::string(claim.status().message()).c_str());
    return 1;
  }
  RunInputs inputs;
  absl::StatusOr<InitialState> init = InitialStateFromFlags(*config, &inputs);
  if (!init.ok()) {
    std::fprintf(stderr, "repro train: %s\n",
                 std::string(init.status().message()).c_str());
    return 2;
  }
  // Once per converted file; summary.json "inputs" keeps the same record.
  for (const InputFile& f : inputs) {
    if (!f.source.conversion.empty())
      std::fprintf(stderr, "repro train: %s: read as %s: %s (values identical)\n",
                   f.path.c_str(), f.source.dtype.c_str(),
                   f.source.conversion.c_str());
  }
  absl::StatusOr<RunResult> run = config->backend == "onednn"
                                      ? TrainOneDnnF32(*config, *init)
                                      : Train(*config, *init);
  if (!run.ok()) {
    std::fprintf(stderr, "repro train: %s\n",
                 std::string(run.status().message()).c_str());
    return 1;
  }
  absl::Status written =
      WriteRunDirectory(*run, out, absl::GetFlag(FLAGS_overwrite), inputs);
  if (!written.ok()) {
    // Our own temp tree must not keep filling a full disk.
    (void)RemoveTree(absl::StrCat(out, ".tmp.", ::getpid()));
    std::fprintf(stderr, "repro train: %s\n",
                 std::string(written.message()).c_str());
    return 1;
  }
  const StepMetrics& last = run->metrics.back();
  const nlohmann::json digests = RunDigests(*run);
  std::printf(
      "%s: %lld steps in %.2f s (%.1f steps/s)%s\n"
      "train loss %.6g acc %.4f | test loss %.6g acc %.4f\n"
      "digest %s\n",
      out.c_str(), static_cast<long long>(run->steps_done), run->wall_seconds,
      run->wall_seconds > 0 ? run->steps_done / run->wall_seconds : 0.0,
      run->diverged ? " DIVERGED (non-finite loss)" : "", last.train_loss,
      last.train_accuracy, last.test_loss, last.test_accuracy,
      digests["digest"].get<std::string>().c_str());
  return 0;
}

}  // namespace initrepro
