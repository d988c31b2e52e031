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
// This is the run's identity in the sweep store; it never drops a field.
nlohmann::json ToJson(const TrainConfig& config);

// A setting that cannot affect a run, with the reason, e.g.
// {"seed", "both --init_from and --split_from are given: nothing is drawn"}.
struct UnusedSetting {
  std::string flag;
  std::string reason;
};

// The settings of `config` that cannot change a bit of the run when the
// initial tensors (`init_imported`) and/or the split (`split_imported`) come
// from files: the seeds of purposes that are not drawn, --mode when nothing
// or only the split is drawn from seeds, --init_seed when --mode does not
// use it, and the size flags of the other tasks. `repro train` refuses these
// when given explicitly.
std::vector<UnusedSetting> UnusedSettings(const TrainConfig& config,
                                          bool init_imported,
                                          bool split_imported);

// ToJson without the fields UnusedSettings names: the resolved config that
// summary.json records (only what determined the run).
nlohmann::json DeterminingJson(const TrainConfig& config, bool init_imported,
                               bool split_imported);
// Reads ToJson or DeterminingJson output (absent seed, init_seed and mode
// take their defaults).
absl::StatusOr<TrainConfig> FromJson(const nlohmann::json& json);

}  // namespace initrepro

#endif  // INITREPRO_SRC_TRAIN_CONFIG_H_
