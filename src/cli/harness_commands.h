// The harness commands of `repro`: list, design, claims, run, check, bless,
// reproduce, report, plan, run-shard, merge, status, diff. Each returns the
// exit code:
// 0 success, 1 a failed check or run, 2 a usage error.
#ifndef INITREPRO_SRC_CLI_HARNESS_COMMANDS_H_
#define INITREPRO_SRC_CLI_HARNESS_COMMANDS_H_

#include <string>
#include <vector>

namespace initrepro {

int RunHarnessCommand(const std::string& command,
                      const std::vector<std::string>& args);

}  // namespace initrepro

#endif  // INITREPRO_SRC_CLI_HARNESS_COMMANDS_H_
