#include "src/train/trainer.h"

#include <chrono>
#include <cmath>
#include <new>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "src/core/rng.h"
#include "src/core/status_macros.h"
#include "src/model/adamw.h"
#include "src/model/mlp.h"

namespace initrepro {
namespace {

// The reference backend: Mlp's fused forward+backward, then AdamW, in f64.
class ReferenceStepper : public TrainStepper {
 public:
  ReferenceStepper(const ParamLayout& layout, const std::vector<double>& init,
                   const Batch& train, const Batch& test,
                   const TrainConfig& config)
      : train_(train),
        test_(test),
        embedding_grad_(!config.freeze_embedding),
        mlp_(layout, std::max(train.size(), test.size()), config.threads),
        params_(layout),
        grads_(layout),
        adam_({config.lr, 0.9, 0.999, 1e-8, config.wd}, layout.total(),
              config.freeze_embedding ? layout.spec(kW0).offset : 0,
              layout.total()) {
    params_.values = init;
  }

  double Step() override {
    // One fused pass: each batch chunk's forward and backward run back to
    // back (same bits as Forward then Backward; see mlp.h).
    const CrossEntropyResult r =
        mlp_.ForwardBackward(params_, train_, embedding_grad_, &grads_);
    if (!std::isfinite(r.loss)) return r.loss;
    adam_.Step(params_.values.data(), grads_.values.data());
    return r.loss;
  }

  StepMetrics Evaluate(int64_t step) override {
    StepMetrics m;
    m.step = step;
    CrossEntropyResult tr = mlp_.Forward(params_, train_);
    m.train_loss = tr.loss;
    m.train_accuracy = static_cast<double>(tr.correct) / train_.size();
    if (test_.size() > 0) {
      CrossEntropyResult te = mlp_.Forward(params_, test_);
      m.test_loss = te.loss;
      m.test_accuracy = static_cast<double>(te.correct) / test_.size();
    }
    return m;
  }

  std::vector<double> Params() const override { return params_.values; }

 private:
  const Batch& train_;
  const Batch& test_;
  bool embedding_grad_;
  Mlp mlp_;
  ParamBuffer params_, grads_;
  AdamW adam_;
};

}  // namespace

absl::StatusOr<ModelShape> ShapeFor(const TrainConfig& config) {
  ASSIGN_OR_RETURN(Task task, MakeTask(config.task));
  return ModelShape{task.vocab, config.dim, config.hidden, task.classes};
}

std::vector<double> DrawInitialParams(const ParamLayout& layout,
                                      const TrainConfig& config) {
  const RunSeeds seeds = SeedsFor(config);
  ParamBuffer params(layout);
  Stream(seeds.embedding, Purpose::kEmbedding)
      .FillNormal(0, params.view(layout, kEmbedding));
  const Purpose purposes[] = {Purpose::kLinear0Weight, Purpose::kLinear0Bias,
                              Purpose::kLinear1Weight, Purpose::kLinear1Bias,
                              Purpose::kLinear2Weight, Purpose::kLinear2Bias};
  for (int id = kW0; id <= kB2; ++id) {
    const double bound =
        1.0 / std::sqrt(static_cast<double>(layout.spec(id).fan_in));
    Stream(seeds.mlp, purposes[id - kW0])
        .FillUniform(0, -bound, bound, params.view(layout, id));
  }
  return params.values;
}

Matrix EmbeddingOf(const ParamLayout& layout, const std::vector<double>& p) {
  const TensorSpec& s = layout.spec(kEmbedding);
  Matrix e(s.shape[0], s.shape[1]);
  std::copy(p.begin() + s.offset, p.begin() + s.offset + s.size,
            e.data.begin());
  return e;
}

namespace {

absl::StatusOr<RunResult> TrainLoopImpl(const TrainConfig& config,
                                        const InitialState& init,
                                        const StepperFactory& make_stepper,
                                        const RunOutputs& outputs) {
  RETURN_IF_ERROR(Validate(config));
  for (int64_t s : outputs.param_steps)
    if (s < 0 || s > config.steps)
      return absl::InvalidArgumentError(absl::StrCat(
          "param snapshot step ", s, ": expected 0 to steps = ", config.steps));
  ASSIGN_OR_RETURN(Task task, MakeTask(config.task));
  ASSIGN_OR_RETURN(ModelShape shape, ShapeFor(config));
  const ParamLayout layout(shape);

  RunResult result;
  result.config = config;
  result.shape = shape;
  if (init.params.has_value()) {
    if (static_cast<int64_t>(init.params->size()) != layout.total())
      return absl::InvalidArgumentError(absl::StrCat(
          "initial parameters: expected ", layout.total(), " values, found ",
          init.params->size()));
    result.initial = *init.params;
  } else {
    result.initial = DrawInitialParams(layout, config);
    if (init.embedding.has_value()) {
      const Matrix& e = *init.embedding;
      if (e.rows != shape.vocab || e.cols != shape.dim)
        return absl::InvalidArgumentError(absl::StrCat(
            "initial embedding: expected shape (", shape.vocab, ", ",
            shape.dim, "), found (", e.rows, ", ", e.cols, ")"));
      std::copy(e.data.begin(), e.data.end(),
                result.initial.begin() + layout.spec(kEmbedding).offset);
    }
  }
  result.split = init.split.has_value()
                     ? *init.split
                     : MakeSplit(shape.vocab, SeedsFor(config).split,
                                 config.train_fraction);
  const Batch train = MakeBatch(task, result.split.train);
  const Batch test = MakeBatch(task, result.split.test);
  ASSIGN_OR_RETURN(std::unique_ptr<TrainStepper> stepper,
                   make_stepper(layout, result.initial, train, test));

  std::set<int64_t> snapshot_at(config.snapshot_steps.begin(),
                                config.snapshot_steps.end());
  const std::set<int64_t> params_at(outputs.param_steps.begin(),
                                    outputs.param_steps.end());
  auto maybe_record = [&](int64_t step) {
    if (params_at.count(step)) result.param_snapshots[step] = stepper->Params();
    if (snapshot_at.count(step) ||
        (config.snapshot_every > 0 && step % config.snapshot_every == 0)) {
      result.embedding_snapshots[step] = EmbeddingOf(layout, stepper->Params());
    }
    if (step % config.log_every == 0 || step == config.steps) {
      result.metrics.push_back(stepper->Evaluate(step));
    }
  };

  const auto start = std::chrono::steady_clock::now();
  maybe_record(0);
  for (int64_t step = 1; step <= config.steps; ++step) {
    if (!std::isfinite(stepper->Step())) {
      result.diverged = true;
      break;
    }
    result.steps_done = step;
    maybe_record(step);
  }
  result.wall_seconds = std::chrono::duration<double>(
                            std::chrono::steady_clock::now() - start)
                            .count();
  result.final = stepper->Params();
  return result;
}

}  // namespace

absl::StatusOr<RunResult> TrainLoop(const TrainConfig& config,
                                    const InitialState& init,
                                    const StepperFactory& make_stepper,
                                    const RunOutputs& outputs) {
  // Valid flags can still ask for more memory than the machine has (p and
  // n go to 4096: 16.7M pairs): an error, not an abort.
  try {
    return TrainLoopImpl(config, init, make_stepper, outputs);
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "out of memory for this model and batch (vocabulary ",
        ShapeFor(config).ok() ? ShapeFor(config)->vocab : 0,
        ", pairs are vocabulary^2)"));
  }
}

absl::StatusOr<RunResult> Train(const TrainConfig& config,
                                const InitialState& init,
                                const RunOutputs& outputs) {
  if (config.backend != "reference" || config.dtype != "f64")
    return absl::InvalidArgumentError(absl::StrCat(
        "backend=", config.backend, " dtype=", config.dtype,
        ": Train runs the reference f64 backend only (the oneDNN f32 path is "
        "TrainOneDnnF32, src/onednn)"));
  return TrainLoop(config, init,
                   [&config](const ParamLayout& layout,
                             const std::vector<double>& initial,
                             const Batch& train, const Batch& test)
                       -> absl::StatusOr<std::unique_ptr<TrainStepper>> {
                     return std::make_unique<ReferenceStepper>(
                         layout, initial, train, test, config);
                   },
                   outputs);
}

}  // namespace initrepro
