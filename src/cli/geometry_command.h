// `repro geometry DIR`: the cluster geometry of a remainder-equivalence run
// directory written by `repro train` (e.g. a replayed PyTorch run): variance
// shares of the final cluster means, the line score, and both completeness
// percentiles (PAPER.md), printed as JSON.
#ifndef INITREPRO_SRC_CLI_GEOMETRY_COMMAND_H_
#define INITREPRO_SRC_CLI_GEOMETRY_COMMAND_H_

#include <string>
#include <vector>

namespace initrepro {

int RunGeometryCommand(const std::vector<std::string>& args);

}  // namespace initrepro

#endif  // INITREPRO_SRC_CLI_GEOMETRY_COMMAND_H_
