// `repro train`: one training run from flags, written to --out.
#ifndef INITREPRO_SRC_CLI_TRAIN_COMMAND_H_
#define INITREPRO_SRC_CLI_TRAIN_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/train/config.h"

namespace initrepro {

// The TrainConfig the train flags describe (validated).
absl::StatusOr<TrainConfig> TrainConfigFromFlags();

// Returns the process exit code.
int RunTrainCommand(const std::vector<std::string>& args);

}  // namespace initrepro

#endif  // INITREPRO_SRC_CLI_TRAIN_COMMAND_H_
