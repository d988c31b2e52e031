// The Slurm engine: a shard plan (src/engines/shard_plan.h) as job arrays
// plus one merge job.
//
//   limits   = ReadSlurmLimits(RunCommand);      // MaxArraySize from scontrol
//   sub      = PlanSlurmJobs(e, tier, pending, options, repro, limits);
//   WriteSlurmScripts(sub);                       // OUT/slurm/*.sbatch
//   SubmitSlurmJobs(&sub, RunCommand);            // sbatch, fills job ids
//
// Slurm refuses an array index >= MaxArraySize (default 1001). The pending
// shards are therefore cut into arrays whose task ids stay below the limit:
// the first array covers shards [0, limit) as task ids = shard ids (what a
// plan within the limit always gets, so its scripts are unchanged); every
// further array starts at a base shard B and task t trains shard B + t. The
// merge job depends on every array with afterok. With max_running, each
// array gets Slurm's %N throttle, and array k+1 starts after array k ended
// (afterany), so at most N tasks run at once over all arrays.
//
// Nothing here prints; `repro submit` (src/cli/submit_command.cc) does.
#ifndef INITREPRO_SRC_ENGINES_SLURM_H_
#define INITREPRO_SRC_ENGINES_SLURM_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "src/harness/experiment.h"
#include "src/io/subprocess.h"  // ShellQuote, CommandLine

namespace initrepro {

// Runs argv, returns its stdout; an error names the command and its stderr.
using CommandRunner =
    std::function<absl::StatusOr<std::string>(const std::vector<std::string>&)>;

// RunProcessOk (src/io/subprocess.h): argv[0] searched on PATH, no shell,
// stdin from /dev/null; returns stdout. A failure to start it, a signal or a
// non-zero exit is an error naming the command line and quoting its stderr.
absl::StatusOr<std::string> RunCommand(const std::vector<std::string>& argv);

// True when `program` is an executable file in a PATH directory.
bool OnPath(const std::string& program);

// Slurm's --array syntax for sorted ids: {0,1,2,3,5} -> "0-3,5".
std::string ArraySpec(const std::vector<int>& ids);

// OK for a Slurm time limit HH:MM:SS or D-HH:MM:SS (minutes and seconds
// below 60, hours below 24 with days) that is not zero; InvalidArgument
// naming --time, what is wrong and the accepted formats otherwise.
absl::Status ValidateSlurmTime(const std::string& time);

// `literal` for a Slurm filename pattern (sbatch --output): each '%'
// doubled, so "/a%b" names /a%b instead of expanding "%b".
std::string SlurmPatternLiteral(absl::string_view literal);

// OK for any absolute --out but one with a backslash: a '\' anywhere in an
// --output path makes Slurm ignore all its %A/%a patterns (`man sbatch`,
// "filename pattern"), so every task would write one log. InvalidArgument
// naming --out and why. Spaces, quotes, '$', '%' and newlines are fine: the
// path reaches sbatch on its argument vector and bash single-quoted.
absl::Status ValidateSlurmOutDir(const std::string& out_dir);

// A value that lands on an `#SBATCH` line: non-empty, and no whitespace,
// quotes, backslashes or '%'. InvalidArgument naming --flag otherwise.
absl::Status ValidateSbatchValue(const std::string& flag,
                                 const std::string& value);

struct SlurmLimits {
  int64_t max_array_size = 1001;  // array task ids must be < this
  int64_t max_job_count = 0;      // 0: unknown
  std::string source;             // where the numbers came from, for humans
};

// Reads MaxArraySize and MaxJobCount from `scontrol show config` output.
// InvalidArgument if MaxArraySize is missing or not a positive integer.
absl::StatusOr<SlurmLimits> ParseSlurmConfig(const std::string& text);

// The cluster's limits: `scontrol show config` through `run` when scontrol
// is on PATH (`have_scontrol`); Slurm's default (1001) otherwise, or when
// scontrol fails (source says why).
SlurmLimits ReadSlurmLimits(const CommandRunner& run, bool have_scontrol);

// One array: task t trains shard base + t.
struct ArrayChunk {
  int base = 0;
  std::vector<int> tasks;  // ascending, each < max_array_size
};

// Cuts ascending shard ids into chunks whose task ids are < max_array_size;
// the first chunk has base 0 when its first shard is below the limit.
std::vector<ArrayChunk> SplitIntoArrays(const std::vector<int>& shards,
                                        int64_t max_array_size);

struct SlurmOptions {
  std::string out_dir;  // absolute; every node sees it
  int shards = 1;       // of the plan
  std::string partition;  // "" : cluster default
  std::string time;       // "" : partition default
  int cpus_per_task = 1;
  int max_running = 0;  // 0: no %N throttle
};

struct SlurmJob {
  std::string script_path, script_text;
  // sbatch options placed before the script on sbatch's argument vector:
  // the path-like ones (--output), which an #SBATCH line cannot quote.
  std::vector<std::string> sbatch_options;
  ArrayChunk chunk;                // arrays only
  std::vector<int> after_ok;       // indices into SlurmSubmission::arrays
  std::vector<int> after_any;      // idem
  std::string job_id;              // set by SubmitSlurmJobs
};

struct SlurmSubmission {
  std::vector<SlurmJob> arrays;  // empty when nothing is pending
  SlurmJob merge;
};

// The scripts and dependencies for `pending` shards of the plan. Paths in
// the scripts' command lines are single-quoted for bash ('\'' for a quote);
// the experiment's design overrides (Experiment::Overrides) are passed on as
// `--set FIELD=VALUE` to run-shard and merge, in order.
SlurmSubmission PlanSlurmJobs(const Experiment& experiment, Tier tier,
                              const std::vector<int>& pending,
                              const SlurmOptions& options,
                              const std::string& repro,
                              const SlurmLimits& limits);

// The sbatch argv of `job`, with the ids of the arrays it depends on taken
// from `array_ids` (real ids, or placeholders for a dry run).
std::vector<std::string> SbatchArgv(const SlurmJob& job,
                                    const std::vector<std::string>& array_ids);

// Dry-run placeholders: "ARRAY_JOB_ID" for one array, else
// "ARRAY_JOB_ID_0", "ARRAY_JOB_ID_1", ...
std::vector<std::string> PlaceholderIds(const SlurmSubmission& submission);

// Writes every script (and OUT/slurm/logs/).
absl::Status WriteSlurmScripts(const SlurmSubmission& submission,
                               const std::string& out_dir);

// Submits the arrays in order, then the merge, filling job ids. On a failure
// after some jobs were submitted, the error names them (for scancel).
absl::Status SubmitSlurmJobs(SlurmSubmission* submission,
                             const CommandRunner& run);

// Copies the running binary (/proc/self/exe) to OUT/bin/repro (atomically,
// unchanged when identical) and returns that path.
absl::StatusOr<std::string> InstallBinary(const std::string& out_dir);

}  // namespace initrepro

#endif  // INITREPRO_SRC_ENGINES_SLURM_H_
