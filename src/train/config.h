// TrainConfig: everything that determines one training run's bits.
//
// Field names are the `repro train` flag names, and ToJson writes them under
// those names, so a summary.json can be read back as the flags that made it.
#ifndef INITREPRO_SRC_TRAIN_CONFIG_H_
#define INITREPRO_SRC_TRAIN_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "src/tasks/task.h"

namespace initrepro {

struct TrainConfig {
  TaskConfig task;
  int64_t dim = 128;
  int64_t hidden = 100;
  int64_t steps = 30000;
  double lr = 0.01;
  double wd = 0.5;
  double train_fraction = 0.8;
  uint64_t seed = 0;       // trial seed s
  uint64_t init_seed = 0;  // reference seed s0
  // vary_all | fix_embedding | fix_mlp | fix_dataset (PAPER.md).
  std::string mode = "vary_all";
  bool freeze_embedding = false;
  std::string backend = "reference";
  std::string dtype = "f64";
  int threads = 1;  // never changes a bit; only speed
  int64_t log_every = 100;
  int64_t snapshot_every = 0;           // 0: none
  std::vector<int64_t> snapshot_steps;  // explicit extra snapshot steps
};

// Checks every field; the message names the flag and the allowed values.
absl::Status Validate(const TrainConfig& config);

// The seeds each random purpose uses under config.mode.
struct RunSeeds {
  uint64_t embedding, mlp, split;
};
RunSeeds SeedsFor(const TrainConfig& config);

// All fields that determine the bits (threads excluded: it changes none).
nlohmann::json ToJson(const TrainConfig& config);
absl::StatusOr<TrainConfig> FromJson(const nlohmann::json& json);

}  // namespace initrepro

#endif  // INITREPRO_SRC_TRAIN_CONFIG_H_
