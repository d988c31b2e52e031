#include "src/cli/submit_command.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <memory>
#include <thread>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/cli/flag_parser.h"
#include "src/core/status_macros.h"
#include "src/engines/local.h"
#include "src/engines/shard_plan.h"
#include "src/engines/slurm.h"
#include "src/harness/driver.h"
#include "src/harness/experiment.h"
#include "src/harness/report.h"
#include "src/harness/sweep.h"

// Shared with the other harness commands (harness_commands.cc, and --out
// from train_command.cc), so `submit` reads them exactly as `plan`,
// `run-shard` and `merge` do.
ABSL_DECLARE_FLAG(std::string, out);
ABSL_DECLARE_FLAG(std::string, tier);
ABSL_DECLARE_FLAG(int, jobs);
ABSL_DECLARE_FLAG(int, shards);
ABSL_DECLARE_FLAG(bool, quiet);

ABSL_FLAG(std::string, engine, "slurm", "submit: slurm | local");
ABSL_FLAG(std::string, partition, "",
          "submit: Slurm partition (omitted: the cluster's default)");
ABSL_FLAG(std::string, time, "",
          "submit: Slurm time limit per job, HH:MM:SS or D-HH:MM:SS "
          "(omitted: the partition's default)");
ABSL_FLAG(int, cpus_per_task, 1,
          "submit: CPUs per Slurm shard task; also the task's --jobs");
ABSL_FLAG(int, max_running, 0,
          "submit: at most N shard tasks running at once (Slurm's %N array "
          "throttle; 0: no limit)");
ABSL_FLAG(bool, dry_run, false,
          "submit: write plan and scripts, print the sbatch commands, "
          "submit nothing");

namespace initrepro {
namespace {

int Usage(const std::string& message) {
  std::fprintf(stderr, "repro submit: %s\n", message.c_str());
  return 2;
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "repro submit: %s\n",
               std::string(status.message()).c_str());
  return absl::IsInvalidArgument(status) ? 2 : 1;
}

struct SubmitOptions {
  Tier tier = Tier::kCi;
  std::string engine;
  bool dry_run = false;
  SlurmOptions slurm;    // out_dir is absolute (jobs start elsewhere)
  DriverOptions driver;  // out_dir == slurm.out_dir
};

absl::StatusOr<std::string> AbsolutePath(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (!p.empty() && p[0] == '/') return p;
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof(cwd)) == nullptr)
    return absl::ErrnoToStatus(errno, "getcwd (to make --out absolute)");
  if (p == ".") return std::string(cwd);
  return absl::StrCat(cwd, "/", p);
}

// Reads and checks every flag `submit` uses; InvalidArgument (exit 2) names
// the flag and what it expects.
absl::StatusOr<SubmitOptions> ReadOptions() {
  SubmitOptions o;
  ASSIGN_OR_RETURN(o.tier, ParseTier(absl::GetFlag(FLAGS_tier)));
  o.engine = absl::GetFlag(FLAGS_engine);
  if (o.engine != "slurm" && o.engine != "local")
    return absl::InvalidArgumentError(
        absl::StrCat("--engine=", o.engine, ": expected slurm or local"));
  SlurmOptions& s = o.slurm;
  s.shards = absl::GetFlag(FLAGS_shards);
  if (s.shards < 1 || s.shards > kMaxShards)
    return absl::InvalidArgumentError(absl::StrCat(
        "--shards=", s.shards, ": expected an integer in [1, ", kMaxShards, "]"));
  s.partition = absl::GetFlag(FLAGS_partition);
  s.time = absl::GetFlag(FLAGS_time);
  s.cpus_per_task = absl::GetFlag(FLAGS_cpus_per_task);
  s.max_running = absl::GetFlag(FLAGS_max_running);
  o.dry_run = absl::GetFlag(FLAGS_dry_run);
  if (s.cpus_per_task < 1)
    return absl::InvalidArgumentError(absl::StrCat(
        "--cpus_per_task=", s.cpus_per_task, ": expected an integer >= 1"));
  if (s.max_running < 0)
    return absl::InvalidArgumentError(absl::StrCat(
        "--max_running=", s.max_running,
        ": expected an integer >= 1 (or 0: no throttle)"));
  const int jobs = absl::GetFlag(FLAGS_jobs);
  if (jobs < 0)
    return absl::InvalidArgumentError(
        absl::StrCat("--jobs=", jobs, ": expected an integer >= 0"));
  const bool partition_given = FlagWasGiven("partition");
  const bool time_given = FlagWasGiven("time");
  if (o.engine == "local") {
    // Silently ignoring them would suggest they took effect.
    if (partition_given || time_given || FlagWasGiven("max_running"))
      return absl::InvalidArgumentError(
          "--partition, --time and --max_running apply to --engine=slurm "
          "only; use --jobs with --engine=local");
    o.driver.jobs =
        jobs == 0 ? UsableCpus() : jobs;
  } else {
    if (time_given) {
      if (s.time.empty()) RETURN_IF_ERROR(ValidateSbatchValue("time", s.time));
      RETURN_IF_ERROR(ValidateSlurmTime(s.time));
    }
    if (partition_given)
      RETURN_IF_ERROR(ValidateSbatchValue("partition", s.partition));
    o.driver.jobs = s.cpus_per_task;
  }
  const std::string out =
      absl::GetFlag(FLAGS_out).empty() ? "out" : absl::GetFlag(FLAGS_out);
  ASSIGN_OR_RETURN(o.driver.out_dir, AbsolutePath(out));
  s.out_dir = o.driver.out_dir;
  // Any path works (it reaches sbatch on its argv and bash single-quoted)
  // except what Slurm's log patterns cannot take.
  if (o.engine == "slurm") RETURN_IF_ERROR(ValidateSlurmOutDir(s.out_dir));
  o.driver.progress = !absl::GetFlag(FLAGS_quiet);
  return o;
}

std::string ShardsText(const ArrayChunk& c) {
  std::vector<int> shards;
  for (int t : c.tasks) shards.push_back(c.base + t);
  return absl::StrCat(shards.size() == 1 ? "shard " : "shards ",
                      ArraySpec(shards));
}

absl::Status SubmitToSlurm(const Experiment& e, const SubmitOptions& o,
                           const std::string& repro, const SlurmLimits& limits,
                           const std::vector<int>& pending) {
  SlurmSubmission sub =
      PlanSlurmJobs(e, o.tier, pending, o.slurm, repro, limits);
  if (sub.arrays.size() > 1)
    std::printf("  array task ids must stay below MaxArraySize=%lld: %zu "
                "arrays, the merge after all of them\n",
                static_cast<long long>(limits.max_array_size),
                sub.arrays.size());
  if (limits.max_job_count > 0 &&
      static_cast<int64_t>(pending.size()) + 1 > limits.max_job_count)
    std::printf("  warning: %zu shard tasks + 1 merge exceed MaxJobCount=%lld; "
                "Slurm may refuse them until earlier jobs end\n",
                pending.size(), static_cast<long long>(limits.max_job_count));
  RETURN_IF_ERROR(WriteSlurmScripts(sub, o.slurm.out_dir));
  if (o.dry_run) {
    // Exactly what the real submission runs; placeholders stand for ids.
    const std::vector<std::string> ids = PlaceholderIds(sub);
    for (const SlurmJob& j : sub.arrays)
      std::printf("--- %s\n%s", j.script_path.c_str(), j.script_text.c_str());
    std::printf("--- %s\n%s---\n", sub.merge.script_path.c_str(),
                sub.merge.script_text.c_str());
    for (size_t k = 0; k < sub.arrays.size(); ++k)
      std::printf("would run: %s    # %s -> %s\n",
                  CommandLine(SbatchArgv(sub.arrays[k], ids)).c_str(),
                  ShardsText(sub.arrays[k].chunk).c_str(), ids[k].c_str());
    std::printf("would run: %s\n",
                CommandLine(SbatchArgv(sub.merge, ids)).c_str());
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(SubmitSlurmJobs(&sub, RunCommand));
  std::vector<std::string> array_ids;
  for (const SlurmJob& j : sub.arrays) {
    array_ids.push_back(j.job_id);
    std::printf("  array job %s: %s (%s)\n", j.job_id.c_str(),
                ShardsText(j.chunk).c_str(), j.script_path.c_str());
  }
  std::printf("  merge job %s%s (%s)\n", sub.merge.job_id.c_str(),
              array_ids.empty()
                  ? ""
                  : absl::StrCat(" after ", absl::StrJoin(array_ids, ",")).c_str(),
              sub.merge.script_path.c_str());
  std::printf("  logs:   %s/slurm/logs/\n", o.slurm.out_dir.c_str());
  std::string set_args;
  for (const DesignOverride& d : e.Overrides())
    absl::StrAppend(&set_args, " --set ",
                    ShellQuote(absl::StrCat(d.field, "=", d.value)));
  std::printf("  status: %s status %s --tier=%s --out=%s%s\n",
              ShellQuote(repro).c_str(), e.Name().c_str(),
              TierName(o.tier).c_str(), ShellQuote(o.slurm.out_dir).c_str(),
              set_args.c_str());
  return absl::OkStatus();
}

absl::Status RunHere(const Experiment& e, const SubmitOptions& o,
                     const std::vector<int>& pending) {
  if (o.dry_run) {
    if (!pending.empty())
      std::printf("would run shards %s here (--jobs=%d each), then merge\n",
                  ArraySpec(pending).c_str(), o.driver.jobs);
    else
      std::printf("would merge\n");
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(nlohmann::json result,
                   RunLocal(e, o.tier, pending, o.driver));
  std::printf("%s", VerdictTable({result}).c_str());
  return absl::OkStatus();
}

}  // namespace

int RunSubmitCommand(const std::vector<std::string>& args) {
  absl::StatusOr<SubmitOptions> o = ReadOptions();
  if (!o.ok()) return Fail(o.status());
  if (args.empty())
    return Usage(
        "name one or more experiments (or all); `repro list` shows them");
  std::vector<std::string> names = args;
  if (names.size() == 1 && names[0] == "all") names = ExperimentNames();
  // --set FIELD=VALUE, as `run`, `plan`, `run-shard` and `merge` read it;
  // the scripts pass the same overrides on (Experiment::Overrides).
  std::vector<DesignOverride> overrides;
  for (const std::string& text : RepeatedFlagValues("set")) {
    absl::StatusOr<DesignOverride> d = ParseDesignOverride(text);
    if (!d.ok()) return Usage(std::string(d.status().message()));
    overrides.push_back(*d);
  }
  std::vector<std::unique_ptr<Experiment>> experiments;
  for (const std::string& name : names) {
    absl::StatusOr<std::unique_ptr<Experiment>> e = MakeExperiment(name);
    if (!e.ok()) return Usage(std::string(e.status().message()));
    // Checked against every tier's preset before anything is written.
    const absl::Status set = (*e)->SetOverrides(overrides);
    if (!set.ok()) return Usage(absl::StrCat(name, ": ", set.message()));
    const absl::Status fits = (*e)->CheckDesign(o->tier);
    if (!fits.ok())
      return Usage(absl::StrCat(name, " (", TierName(o->tier),
                                "): ", fits.message()));
    experiments.push_back(std::move(*e));
  }

  std::string repro;
  SlurmLimits limits;
  if (o->engine == "slurm") {
    // Checked before anything is written or submitted, dry run included.
    limits = ReadSlurmLimits(RunCommand, OnPath("scontrol"));
    std::printf("Slurm limits: MaxArraySize=%lld%s (%s)\n",
                static_cast<long long>(limits.max_array_size),
                limits.max_job_count > 0
                    ? absl::StrCat(", MaxJobCount=", limits.max_job_count).c_str()
                    : "",
                limits.source.c_str());
    absl::StatusOr<std::string> installed = InstallBinary(o->slurm.out_dir);
    if (!installed.ok()) return Fail(installed.status());
    repro = *installed;
  }
  for (const auto& e : experiments) {
    absl::StatusOr<PlanState> plan =
        EnsurePlan(*e, o->tier, o->slurm.shards, o->driver);
    if (!plan.ok()) return Fail(plan.status());
    std::printf("%s (%s): %s; %d shards, %lld runs done, %lld to train%s%s\n",
                e->Name().c_str(), TierName(o->tier).c_str(),
                plan->note.c_str(), o->slurm.shards,
                static_cast<long long>(plan->done),
                static_cast<long long>(plan->to_train),
                plan->pending.empty()       ? ""
                : plan->pending.size() == 1 ? " in shard "
                                            : " in shards ",
                ArraySpec(plan->pending).c_str());
    const absl::Status s =
        o->engine == "slurm"
            ? SubmitToSlurm(*e, *o, repro, limits, plan->pending)
            : RunHere(*e, *o, plan->pending);
    if (!s.ok()) return Fail(s);
    std::printf("  result: %s\n",
                ResultPath(o->driver, e->Name(), o->tier).c_str());
  }
  return 0;
}

}  // namespace initrepro
