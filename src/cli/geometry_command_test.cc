// `repro geometry` on modular-addition run directories: circles per k, the
// threshold, survivors, circularity at init, and validity by the v2 rules
// (trained, settled), each equal to what the experiments compute.
#include "src/cli/geometry_command.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "src/analysis/circles.h"
#include "src/analysis/circularity.h"
#include "src/analysis/fourier.h"
#include "src/experiments/common.h"
#include "src/harness/experiment.h"
#include "src/io/atomic_file.h"
#include "src/io/npy.h"
#include "src/train/run_files.h"
#include "src/train/trainer.h"

namespace initrepro {
namespace {

constexpr int64_t kP = 11, kDim = 8, kSteps = 50;

TrainConfig ModaddConfig() {
  TrainConfig c;
  c.task.name = "modadd";
  c.task.p = kP;
  c.dim = kDim;
  c.hidden = 16;
  c.steps = kSteps;
  c.log_every = 25;
  return c;
}

// Trains `config` into a fresh TempDir()/name and returns the directory.
std::string WriteRun(const std::string& name, const TrainConfig& config,
                     RunResult* run = nullptr) {
  const std::string dir = ::testing::TempDir() + "/" + name;
  absl::StatusOr<RunResult> r = Train(config);
  EXPECT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(WriteRunDirectory(*r, dir, /*overwrite=*/true).ok());
  if (run != nullptr) *run = *r;
  return dir;
}

// Rewrites one field of DIR/summary.json.
void EditSummary(const std::string& dir, const nlohmann::json::json_pointer& at,
                 const nlohmann::json& value) {
  nlohmann::json s =
      nlohmann::json::parse(ReadFile(dir + "/summary.json").value());
  s[at] = value;
  ASSERT_TRUE(WriteFileAtomic(dir + "/summary.json", s.dump(2)).ok());
}

Matrix Embedding(const std::string& path) {
  return ReadNpyMatrixF64(path, kP, kDim).value();
}

TEST(GeometryModaddTest, CirclesPerKAsTheAnalysesComputeThem) {
  TrainConfig config = ModaddConfig();
  config.snapshot_steps = {SettleStep(kSteps)};
  const std::string dir = WriteRun("with_settle", config);
  absl::StatusOr<nlohmann::json> got = Geometry(dir);
  ASSERT_TRUE(got.ok()) << got.status();
  const nlohmann::json& g = *got;
  EXPECT_EQ(g["task"], "modadd");
  EXPECT_EQ(g["p"], kP);
  EXPECT_EQ(g["steps"], kSteps);

  const Matrix init = Embedding(dir + "/init/embedding.npy");
  const Matrix final_e = Embedding(dir + "/final/embedding.npy");
  const std::vector<double> s0 = FourierSignal(init), s1 = FourierSignal(final_e);
  EXPECT_EQ(g["threshold"]["initial"].get<double>(), SurvivalThreshold(s0));
  EXPECT_EQ(g["threshold"]["final"].get<double>(), SurvivalThreshold(s1));
  const std::vector<int64_t> survivors = SurvivorsOf(final_e);
  EXPECT_EQ(g["survivors"].get<std::vector<int64_t>>(), survivors);

  ASSERT_EQ(g["frequencies"].size(), static_cast<size_t>((kP - 1) / 2));
  for (int64_t k = 1; k <= (kP - 1) / 2; ++k) {
    const nlohmann::json& f = g["frequencies"][k - 1];
    EXPECT_EQ(f["k"], k);
    EXPECT_EQ(f["initial_signal"].get<double>(), s0[k]);
    EXPECT_EQ(f["final_signal"].get<double>(), s1[k]);
    EXPECT_EQ(f["survives"].get<bool>(),
              std::count(survivors.begin(), survivors.end(), k) > 0);
    EXPECT_EQ(f["initial_circularity"].get<double>(),
              Circularity(init, k).value());
  }
  // 50 steps on 11 x 11 pairs: not trained, so invalid whatever it settled to.
  EXPECT_FALSE(g["trained"]["value"].get<bool>());
  EXPECT_EQ(g["trained"]["threshold"].get<double>(), kTrainedAccuracy);
  EXPECT_EQ(g["settled"]["settle_step"], SettleStep(kSteps));
  const std::vector<int64_t> at_settle = SurvivorsOf(
      Embedding(dir + "/snapshots/embedding_40.npy"));
  EXPECT_EQ(g["settled"]["survivors_at_settle_step"].get<std::vector<int64_t>>(),
            at_settle);
  EXPECT_EQ(g["settled"]["value"].get<bool>(),
            SameSurvivorSet(at_settle, survivors));
  EXPECT_EQ(g["valid"]["value"], false);
  EXPECT_EQ(g["valid"]["exclusion"], "not_trained");
}

TEST(GeometryModaddTest, SettledUnknownWithoutTheEightyPercentSnapshot) {
  const std::string dir = WriteRun("no_settle", ModaddConfig());
  nlohmann::json g = Geometry(dir).value();
  EXPECT_TRUE(g["settled"]["value"].is_null());
  EXPECT_NE(g["settled"]["undefined"].get<std::string>().find(
                "--snapshot_steps=40"),
            std::string::npos)
      << g["settled"];
  // Untrained is decided without the snapshot ...
  EXPECT_EQ(g["valid"]["exclusion"], "not_trained");
  // ... a trained run's validity is not.
  EditSummary(dir, "/final_metrics/test_accuracy"_json_pointer, 1.0);
  g = Geometry(dir).value();
  EXPECT_TRUE(g["trained"]["value"].get<bool>());
  EXPECT_TRUE(g["valid"]["value"].is_null());
  EXPECT_NE(g["valid"]["undefined"].get<std::string>().find("unknown"),
            std::string::npos);
}

TEST(GeometryModaddTest, TrainedAndSettledGiveMaExclusion) {
  const std::string dir = WriteRun("trained", ModaddConfig());
  // The record says trained; a snapshot equal to the final embedding is
  // settled by construction, one equal to the initial embedding follows the
  // rule's answer for it.
  EditSummary(dir, "/final_metrics/test_accuracy"_json_pointer, 0.995);
  ASSERT_TRUE(MakeDirs(dir + "/snapshots").ok());
  const std::string snap = dir + "/snapshots/embedding_40.npy";
  for (const char* source : {"final", "init"}) {
    const std::string bytes =
        ReadFile(dir + "/" + source + "/embedding.npy").value();
    ASSERT_TRUE(WriteFileAtomic(snap, bytes).ok());
    const nlohmann::json g = Geometry(dir).value();
    RunRecord record;
    record.spec.config = ModaddConfig();
    StepMetrics last;
    last.step = kSteps;
    last.test_accuracy = 0.995;
    record.metrics = {last};
    record.final_embedding = Embedding(dir + "/final/embedding.npy");
    record.snapshots[40] = Embedding(snap);
    ASSERT_TRUE(Trained(record));
    EXPECT_TRUE(g["trained"]["value"].get<bool>()) << source;
    if (std::string(source) == "final") {
      EXPECT_TRUE(g["settled"]["value"].get<bool>());
    }
    EXPECT_EQ(g["settled"]["value"].get<bool>(),
              SameSurvivorSet(SettleSurvivorsOf(record),
                              SurvivorsOf(record.final_embedding)))
        << source;
    EXPECT_EQ(g["valid"]["exclusion"], MaExclusion(record)) << source;
    EXPECT_EQ(g["valid"]["value"].get<bool>(), MaExclusion(record).empty());
  }
}

TEST(GeometryModaddTest, DivergedIsNeverTrained) {
  const std::string dir = WriteRun("diverged", ModaddConfig());
  EditSummary(dir, "/final_metrics/test_accuracy"_json_pointer, 1.0);
  EditSummary(dir, "/diverged"_json_pointer, true);
  const nlohmann::json g = Geometry(dir).value();
  EXPECT_FALSE(g["trained"]["value"].get<bool>());
  EXPECT_EQ(g["valid"]["exclusion"], "diverged");
}

TEST(GeometryModaddTest, BadRecordNamesTheFileAndField) {
  const std::string dir = WriteRun("bad", ModaddConfig());
  EditSummary(dir, "/final_metrics"_json_pointer, "nope");
  absl::StatusOr<nlohmann::json> got = Geometry(dir);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("summary.json: field 'final_metrics'"),
            std::string::npos)
      << got.status();
  // A snapshot of the wrong shape names the snapshot.
  const std::string dir2 = WriteRun("bad_snapshot", ModaddConfig());
  ASSERT_TRUE(MakeDirs(dir2 + "/snapshots").ok());
  ASSERT_TRUE(WriteNpyMatrix(dir2 + "/snapshots/embedding_40.npy",
                             Matrix(kP, kDim + 1))
                  .ok());
  got = Geometry(dir2);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("embedding_40.npy"), std::string::npos)
      << got.status();
}

TEST(GeometryTest, RemainderStillWorksAndXorIsRefused) {
  TrainConfig re;
  re.task.name = "remainder";
  re.task.n = 12;
  re.task.m = 4;
  re.dim = 6;
  re.hidden = 8;
  re.steps = 5;
  re.log_every = 5;
  absl::StatusOr<nlohmann::json> got = Geometry(WriteRun("re", re));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)["task"], "remainder");
  EXPECT_TRUE(got->contains("line_score"));

  TrainConfig x;
  x.task.name = "xor";
  x.task.k = 2;
  x.task.v = 8;
  x.dim = 4;
  x.hidden = 8;
  x.steps = 2;
  x.log_every = 2;
  got = Geometry(WriteRun("xor", x));
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("field 'config/task'"),
            std::string::npos)
      << got.status();
}

}  // namespace
}  // namespace initrepro
