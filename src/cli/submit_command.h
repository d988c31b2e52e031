// `repro submit`: drives the shard contract (plan / run-shard / merge, see
// src/harness/driver.h) with one of two engines:
//
//   --engine=slurm  per experiment, one Slurm array job (one task per shard
//                   that still has missing or corrupt runs) and one merge job
//                   that depends on it (afterok);
//   --engine=local  the same shards, run one after another in this process,
//                   then the same merge.
//
// Both engines decide what to run from the files alone (PlanStatus), so a
// resubmission after a failure or a deleted run retrains only what is
// missing, and the merged result is bit-identical to `repro run`.
#ifndef INITREPRO_SRC_CLI_SUBMIT_COMMAND_H_
#define INITREPRO_SRC_CLI_SUBMIT_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace initrepro {

// Exit code: 0 submitted (or ran), 1 a failed command or run, 2 usage error.
int RunSubmitCommand(const std::vector<std::string>& args);

// The pieces below are exposed for tests.

// OK for a Slurm time limit HH:MM:SS or D-HH:MM:SS that is not zero;
// InvalidArgument naming --time and the expected format otherwise.
absl::Status ValidateSlurmTime(const std::string& time);

// Slurm's --array syntax for sorted shard ids: {0,1,2,3,5} -> "0-3,5".
std::string ArraySpec(const std::vector<int>& shards);

// `arg` quoted for a POSIX shell (unchanged when it needs no quoting).
std::string ShellQuote(const std::string& arg);

// Runs argv[0] (searched on PATH) with argv, stdin from /dev/null, and
// returns its stdout. A failure to start it, a signal or a non-zero exit is
// an error naming the command line and quoting its stderr.
absl::StatusOr<std::string> RunCommand(const std::vector<std::string>& argv);

}  // namespace initrepro

#endif  // INITREPRO_SRC_CLI_SUBMIT_COMMAND_H_
