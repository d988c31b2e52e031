// `repro submit`: drives the shard contract (plan / run-shard / merge, see
// src/harness/driver.h) with one of the engines in src/engines/:
//
//   --engine=slurm  per experiment, Slurm job arrays (one task per shard that
//                   still has missing or corrupt runs, cut to the cluster's
//                   MaxArraySize) and one merge job after all of them;
//   --engine=local  the same shards, run one after another in this process,
//                   then the same merge.
//
// This file reads and checks the flags and prints; the engines decide.
#ifndef INITREPRO_SRC_CLI_SUBMIT_COMMAND_H_
#define INITREPRO_SRC_CLI_SUBMIT_COMMAND_H_

#include <string>
#include <vector>

namespace initrepro {

// Exit code: 0 submitted (or ran), 1 a failed command or run, 2 usage error.
int RunSubmitCommand(const std::vector<std::string>& args);

}  // namespace initrepro

#endif  // INITREPRO_SRC_CLI_SUBMIT_COMMAND_H_
