// P1's own code as a regression test: replays the runs P1's
// training/train_model.py trained (dumped by tools/p1_fixture, committed
// here, see README.md) with our trainer, reference backend, f64, from P1's
// initial tensors and split, and checks every final tensor, every per-step
// train and test loss, every accuracy count and the survivor set.
//
// Tolerances (1e-9 relative; the runs agree to ~1e-12): a loss is compared
// as |ours - P1| / |P1| at every step; a tensor as max_i |ours_i - P1_i| /
// max_i |P1_i| (relative to the tensor's scale: entries near zero carry
// P1's absolute rounding, so an entrywise ratio would measure nothing).
// Accuracy counts and survivor sets must be identical.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "src/experiments/common.h"
#include "src/io/atomic_file.h"
#include "src/io/npy.h"
#include "src/model/params.h"
#include "src/train/config.h"
#include "src/train/run_files.h"
#include "src/train/trainer.h"

namespace initrepro {
namespace {

constexpr double kTolerance = 1e-9;

std::string FixtureDir() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir ? srcdir : ".", "/",
                      workspace ? workspace : "initrepro", "/tests/p1_replay");
}

nlohmann::json Manifest() {
  absl::StatusOr<std::string> text = ReadFile(FixtureDir() + "/manifest.json");
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? nlohmann::json::parse(*text) : nlohmann::json();
}

// The config P1's command line trained (manifest "settings"), evaluated at
// every step so each of P1's per-step losses has its counterpart.
TrainConfig ReplayConfig(const nlohmann::json& settings) {
  TrainConfig c;
  c.task.name = "modadd";
  c.task.p = settings.at("p").get<int64_t>();
  c.dim = settings.at("dim").get<int64_t>();
  c.hidden = settings.at("hidden").get<int64_t>();
  c.steps = settings.at("steps").get<int64_t>();
  c.lr = settings.at("lr").get<double>();
  c.wd = settings.at("wd").get<double>();
  c.log_every = 1;
  c.backend = "reference";
  c.dtype = "f64";
  return c;
}

// max |a - b| / max |b|.
double ScaledError(const double* a, const double* b, int64_t n) {
  double diff = 0, scale = 0;
  for (int64_t i = 0; i < n; ++i) {
    diff = std::max(diff, std::fabs(a[i] - b[i]));
    scale = std::max(scale, std::fabs(b[i]));
  }
  return diff / scale;
}

std::vector<double> ReadSeries(const std::string& path, int64_t n) {
  absl::StatusOr<std::vector<double>> v = ReadNpyVectorF64(path, n);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : std::vector<double>(n, NAN);
}

void ReplayRun(const TrainConfig& config, const std::string& name) {
  SCOPED_TRACE(name);
  const std::string dir = FixtureDir() + "/" + name;
  const ModelShape shape = ShapeFor(config).value();
  const ParamLayout layout(shape);
  // The same loaders as `repro train --init_from --split_from`.
  InitialState init;
  absl::StatusOr<std::vector<double>> params =
      LoadInitialParams(dir + "/init", shape);
  ASSERT_TRUE(params.ok()) << params.status();
  init.params = *params;
  absl::StatusOr<Split> split = LoadSplit(dir + "/train_idx.npy", shape.vocab);
  ASSERT_TRUE(split.ok()) << split.status();
  init.split = *split;
  // P1's test_id is the complement ours derives.
  absl::StatusOr<std::vector<int64_t>> p1_test =
      ReadNpyVectorI64(dir + "/test_idx.npy");
  ASSERT_TRUE(p1_test.ok()) << p1_test.status();
  std::sort(p1_test->begin(), p1_test->end());
  EXPECT_EQ(split->test, *p1_test);

  absl::StatusOr<RunResult> run = Train(config, init);
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_FALSE(run->diverged);
  ASSERT_EQ(run->metrics.size(), static_cast<size_t>(config.steps + 1));

  // Final tensors.
  double worst_tensor = 0;
  for (int id = 0; id < kNumTensors; ++id) {
    const TensorSpec& s = layout.spec(id);
    const std::string path = absl::StrCat(dir, "/final/", s.name, ".npy");
    std::vector<double> p1;
    if (s.shape.size() == 2) {
      absl::StatusOr<Matrix> m = ReadNpyMatrixF64(path, s.shape[0], s.shape[1]);
      ASSERT_TRUE(m.ok()) << m.status();
      p1 = m->data;
    } else {
      absl::StatusOr<std::vector<double>> v = ReadNpyVectorF64(path, s.shape[0]);
      ASSERT_TRUE(v.ok()) << v.status();
      p1 = *v;
    }
    const double e = ScaledError(run->final.data() + s.offset, p1.data(), s.size);
    EXPECT_LE(e, kTolerance) << s.name;
    worst_tensor = std::max(worst_tensor, e);
  }

  // Per-step losses and accuracy counts: P1's entry t is evaluated before
  // its update t + 1, i.e. after t updates, as our metrics[t].
  const int64_t steps = config.steps;
  const std::vector<double> train_loss =
      ReadSeries(dir + "/train_loss.npy", steps);
  const std::vector<double> test_loss = ReadSeries(dir + "/test_loss.npy", steps);
  const std::vector<double> train_acc = ReadSeries(dir + "/train_acc.npy", steps);
  const std::vector<double> test_acc = ReadSeries(dir + "/test_acc.npy", steps);
  const double n_train = static_cast<double>(split->train.size());
  const double n_test = static_cast<double>(split->test.size());
  double worst_loss = 0;
  int64_t count_mismatches = 0;
  for (int64_t t = 0; t < steps; ++t) {
    const StepMetrics& m = run->metrics[t];
    ASSERT_EQ(m.step, t);
    const double e_train = std::fabs(m.train_loss - train_loss[t]) /
                           std::fabs(train_loss[t]);
    const double e_test =
        std::fabs(m.test_loss - test_loss[t]) / std::fabs(test_loss[t]);
    EXPECT_LE(e_train, kTolerance) << "train loss, step " << t;
    EXPECT_LE(e_test, kTolerance) << "test loss, step " << t;
    worst_loss = std::max({worst_loss, e_train, e_test});
    // P1's accuracies are float32 means of 0/1: exact counts after rounding.
    if (std::llround(m.train_accuracy * n_train) !=
            std::llround(train_acc[t] * n_train) ||
        std::llround(m.test_accuracy * n_test) !=
            std::llround(test_acc[t] * n_test))
      ++count_mismatches;
  }
  EXPECT_EQ(count_mismatches, 0) << "steps whose accuracy counts differ";

  // Survivor sets (PAPER.md's rule, as every MA experiment applies it).
  absl::StatusOr<Matrix> p1_final = ReadNpyMatrixF64(
      dir + "/final/embedding.npy", shape.vocab, shape.dim);
  ASSERT_TRUE(p1_final.ok()) << p1_final.status();
  const std::vector<int64_t> ours = SurvivorsOf(EmbeddingOf(layout, run->final));
  const std::vector<int64_t> theirs = SurvivorsOf(*p1_final);
  EXPECT_TRUE(SameSurvivorSet(ours, theirs))
      << "ours " << nlohmann::json(ours).dump() << ", P1's "
      << nlohmann::json(theirs).dump();

  std::printf(
      "%s: %lld steps; worst final tensor error %.2e, worst loss error %.2e; "
      "final test accuracy %.4f; survivors %s\n",
      name.c_str(), static_cast<long long>(steps), worst_tensor, worst_loss,
      run->metrics.back().test_accuracy,
      nlohmann::json(ours).dump().c_str());
}

TEST(P1ReplayTest, OurTrainerReproducesP1sOwnRuns) {
  const nlohmann::json manifest = Manifest();
  ASSERT_EQ(manifest.value("format_version", 0), 1);
  const nlohmann::json& settings = manifest.at("settings");
  ASSERT_EQ(settings.at("mode"), "fix_embedding");
  const TrainConfig config = ReplayConfig(settings);
  ASSERT_TRUE(Validate(config).ok());
  ASSERT_FALSE(manifest.at("runs").empty());
  for (const nlohmann::json& r : manifest.at("runs"))
    ReplayRun(config, r.at("dir").get<std::string>());
}

}  // namespace
}  // namespace initrepro
