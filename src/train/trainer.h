// Train: one training run as a pure function of its config (and, optionally,
// imported initial tensors or split). No hidden state: two calls with the
// same arguments return the same bits, whatever the thread count.
#ifndef INITREPRO_SRC_TRAIN_TRAINER_H_
#define INITREPRO_SRC_TRAIN_TRAINER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/core/matrix.h"
#include "src/model/params.h"
#include "src/tasks/task.h"
#include "src/train/config.h"

namespace initrepro {

// Replaces what the seeds would draw. `params` (full buffer in the layout of
// the config's model) wins over `embedding`; both are checked for shape.
struct InitialState {
  std::optional<std::vector<double>> params;
  std::optional<Matrix> embedding;  // (vocab, dim)
  std::optional<Split> split;
};

struct StepMetrics {
  int64_t step = 0;  // evaluated after this many updates
  double train_loss = 0, train_accuracy = 0, test_loss = 0, test_accuracy = 0;
};

struct RunResult {
  TrainConfig config;
  ModelShape shape;
  std::vector<double> initial;  // ParamLayout(shape) buffer at step 0
  std::vector<double> final;    // after the last update
  Split split;
  std::vector<StepMetrics> metrics;
  std::map<int64_t, Matrix> embedding_snapshots;  // step -> embedding
  bool diverged = false;     // a non-finite loss stopped the run early
  int64_t steps_done = 0;
  double wall_seconds = 0;   // training loop only
};

// Draws the initial parameters as the config's seeds and mode say.
std::vector<double> DrawInitialParams(const ParamLayout& layout,
                                      const TrainConfig& config);

absl::StatusOr<RunResult> Train(const TrainConfig& config,
                                const InitialState& init = {});

// The model shape a config trains.
absl::StatusOr<ModelShape> ShapeFor(const TrainConfig& config);

// Embedding rows of a parameter buffer as a Matrix.
Matrix EmbeddingOf(const ParamLayout& layout, const std::vector<double>& p);

}  // namespace initrepro

#endif  // INITREPRO_SRC_TRAIN_TRAINER_H_
