// Train: one training run as a pure function of its config (and, optionally,
// imported initial tensors or split). No hidden state: two calls with the
// same arguments return the same bits, whatever the thread count.
#ifndef INITREPRO_SRC_TRAIN_TRAINER_H_
#define INITREPRO_SRC_TRAIN_TRAINER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/core/matrix.h"
#include "src/model/mlp.h"
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
  // step -> whole ParamLayout buffer, at RunOutputs::param_steps.
  std::map<int64_t, std::vector<double>> param_snapshots;
  bool diverged = false;     // a non-finite loss stopped the run early
  int64_t steps_done = 0;
  double wall_seconds = 0;   // training loop only
};

// Outputs a caller declares beyond the config's embedding snapshots. They
// change no bit of the run (only what is copied out of it), so they are not
// part of TrainConfig or its JSON identity.
struct RunOutputs {
  std::vector<int64_t> param_steps;  // full parameter buffer after t updates
};

// Draws the initial parameters as the config's seeds and mode say.
std::vector<double> DrawInitialParams(const ParamLayout& layout,
                                      const TrainConfig& config);

// The reference backend (fixed-order f64 kernels): config.backend must be
// "reference" and config.dtype "f64"; any other pair is InvalidArgument
// (the oneDNN f32 path is TrainOneDnnF32 in src/onednn, built on TrainLoop).
absl::StatusOr<RunResult> Train(const TrainConfig& config,
                                const InitialState& init = {},
                                const RunOutputs& outputs = {});

// One backend's arithmetic, driven by TrainLoop. A stepper owns its
// parameters (in its own precision), gradients and optimizer state.
class TrainStepper {
 public:
  virtual ~TrainStepper() = default;
  // One full-batch update on the training batch. Returns the loss of the
  // forward pass; when it is not finite the parameters are left unchanged
  // (the loop stops and marks the run diverged).
  virtual double Step() = 0;
  // Loss and accuracy of the current parameters on the training and test
  // batches (test fields stay 0 for an empty test set).
  virtual StepMetrics Evaluate(int64_t step) = 0;
  // The current parameters, widened to f64, in the ParamLayout buffer.
  virtual std::vector<double> Params() const = 0;
};

// Builds a backend's stepper from the model layout, the f64 initial buffer
// and the two batches (which outlive the stepper).
using StepperFactory = std::function<absl::StatusOr<std::unique_ptr<
    TrainStepper>>(const ParamLayout& layout,
                   const std::vector<double>& initial, const Batch& train,
                   const Batch& test)>;

// The one training loop every backend runs: validates the config, draws or
// imports the initial state and the split, then steps config.steps times,
// evaluating every log_every steps and at the end and keeping the embedding
// snapshots the config asks for (and the parameter snapshots `outputs`
// asks for). wall_seconds covers the loop only.
absl::StatusOr<RunResult> TrainLoop(const TrainConfig& config,
                                    const InitialState& init,
                                    const StepperFactory& make_stepper,
                                    const RunOutputs& outputs = {});

// The model shape a config trains.
absl::StatusOr<ModelShape> ShapeFor(const TrainConfig& config);

// Embedding rows of a parameter buffer as a Matrix.
Matrix EmbeddingOf(const ParamLayout& layout, const std::vector<double>& p);

}  // namespace initrepro

#endif  // INITREPRO_SRC_TRAIN_TRAINER_H_
