#include "src/train/trainer.h"

#include <chrono>
#include <cmath>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "src/core/rng.h"
#include "src/core/status_macros.h"
#include "src/model/adamw.h"
#include "src/model/mlp.h"

namespace initrepro {
namespace {

StepMetrics Evaluate(Mlp& mlp, const ParamBuffer& params, const Batch& train,
                     const Batch& test, int64_t step) {
  StepMetrics m;
  m.step = step;
  CrossEntropyResult tr = mlp.Forward(params, train);
  m.train_loss = tr.loss;
  m.train_accuracy = static_cast<double>(tr.correct) / train.size();
  if (test.size() > 0) {
    CrossEntropyResult te = mlp.Forward(params, test);
    m.test_loss = te.loss;
    m.test_accuracy = static_cast<double>(te.correct) / test.size();
  }
  return m;
}

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

absl::StatusOr<RunResult> Train(const TrainConfig& config,
                                const InitialState& init) {
  RETURN_IF_ERROR(Validate(config));
  ASSIGN_OR_RETURN(Task task, MakeTask(config.task));
  ASSIGN_OR_RETURN(ModelShape shape, ShapeFor(config));
  const ParamLayout layout(shape);

  RunResult result;
  result.config = config;
  result.shape = shape;
  ParamBuffer params(layout);
  if (init.params.has_value()) {
    if (static_cast<int64_t>(init.params->size()) != layout.total())
      return absl::InvalidArgumentError(absl::StrCat(
          "initial parameters: expected ", layout.total(), " values, found ",
          init.params->size()));
    params.values = *init.params;
  } else {
    params.values = DrawInitialParams(layout, config);
    if (init.embedding.has_value()) {
      const Matrix& e = *init.embedding;
      if (e.rows != shape.vocab || e.cols != shape.dim)
        return absl::InvalidArgumentError(absl::StrCat(
            "initial embedding: expected shape (", shape.vocab, ", ",
            shape.dim, "), found (", e.rows, ", ", e.cols, ")"));
      std::copy(e.data.begin(), e.data.end(),
                params.view(layout, kEmbedding).begin());
    }
  }
  result.initial = params.values;
  result.split = init.split.has_value()
                     ? *init.split
                     : MakeSplit(shape.vocab, SeedsFor(config).split,
                                 config.train_fraction);
  const Batch train = MakeBatch(task, result.split.train);
  const Batch test = MakeBatch(task, result.split.test);

  Mlp mlp(layout, std::max(train.size(), test.size()), config.threads);
  ParamBuffer grads(layout);
  const int64_t first_trained =
      config.freeze_embedding ? layout.spec(kW0).offset : 0;
  AdamW adam({config.lr, 0.9, 0.999, 1e-8, config.wd}, layout.total(),
             first_trained, layout.total());

  std::set<int64_t> snapshot_at(config.snapshot_steps.begin(),
                                config.snapshot_steps.end());
  auto maybe_record = [&](int64_t step) {
    if (snapshot_at.count(step) ||
        (config.snapshot_every > 0 && step % config.snapshot_every == 0)) {
      result.embedding_snapshots[step] = EmbeddingOf(layout, params.values);
    }
    if (step % config.log_every == 0 || step == config.steps) {
      result.metrics.push_back(Evaluate(mlp, params, train, test, step));
    }
  };

  const auto start = std::chrono::steady_clock::now();
  maybe_record(0);
  for (int64_t step = 1; step <= config.steps; ++step) {
    // One fused pass: each batch chunk's forward and backward run back to
    // back (same bits as Forward then Backward; see mlp.h).
    const CrossEntropyResult step_loss =
        mlp.ForwardBackward(params, train, !config.freeze_embedding, &grads);
    if (!std::isfinite(step_loss.loss)) {
      result.diverged = true;
      break;
    }
    adam.Step(params.values.data(), grads.values.data());
    result.steps_done = step;
    maybe_record(step);
  }
  result.wall_seconds = std::chrono::duration<double>(
                            std::chrono::steady_clock::now() - start)
                            .count();
  result.final = params.values;
  return result;
}

}  // namespace initrepro
