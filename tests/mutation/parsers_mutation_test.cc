// Mutation tests of every parser of outside data: .npy arrays, run records,
// result/golden JSON, plan files, summary.json (via `repro geometry`).
//
// Each test mutates valid files kCases times (tests/mutation/mutate.h,
// fixed seeds) and checks every outcome: either the same value as the
// original, or a Status whose message names the file, or (where the format
// has no checksum and the mutation produced another valid file) a value
// that is exactly what the mutated file says. No crash, no hang (the test
// has Bazel's timeout), and under --config=asan no memory error.
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "src/cli/geometry_command.h"
#include "src/harness/driver.h"
#include "src/harness/result.h"
#include "src/harness/run_store.h"
#include "src/harness/sweep.h"
#include "src/io/atomic_file.h"
#include "src/io/npy.h"
#include "src/train/run_files.h"
#include "src/train/trainer.h"
#include "tests/mutation/mutate.h"

namespace initrepro {
namespace {

constexpr int kCases = 3000;

std::string Dir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/" + name;
  EXPECT_TRUE(RemoveTree(dir).ok());
  EXPECT_TRUE(MakeDirs(dir).ok());
  return dir;
}

// A Status that names `file` (the contract of every parser here).
void ExpectNames(const absl::Status& s, const std::string& file, int c) {
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(absl::StrContains(s.message(), file))
      << "case " << c << ": " << s << " does not name " << file;
}

// ---------------------------------------------------------------- .npy
TEST(MutationTest, Npy) {
  std::vector<double> f64(5 * 3);
  for (size_t i = 0; i < f64.size(); ++i) f64[i] = 0.25 * i - 1;
  const std::vector<int64_t> i64 = {3, 1, 4, 1, 5, 9, 2};
  const std::vector<std::string> originals = {
      EncodeNpyF64({5, 3}, f64).value(), EncodeNpyI64({7}, i64).value(),
      EncodeNpyF64({}, {2.5}).value()};
  const std::string dir = Dir("npy");
  Mutator mutator(0x6e7079);
  Tally tally;
  for (int c = 0; c < kCases; ++c) {
    const std::string& original = originals[c % originals.size()];
    const NpyArray want = ParseNpy(original, "orig").value();
    const size_t header = original.find('\n') + 1;
    const std::string bytes = mutator.Mutate(original, header);
    const std::string name = absl::StrCat("case", c, ".npy");
    absl::StatusOr<NpyArray> got = ParseNpy(bytes, name);
    if (!got.ok()) {
      ExpectNames(got.status(), name, c);
      tally.Add("rejected naming the file");
    } else if (bytes == original) {
      EXPECT_EQ(got->f64, want.f64);
      EXPECT_EQ(got->i64, want.i64);
      tally.Add("same bytes, same value");
    } else {
      // Another valid .npy: it must say exactly what its bytes say.
      int64_t count = 1;
      for (int64_t d : got->shape) count *= d;
      ASSERT_TRUE(got->descr == "<f8" || got->descr == "<i8") << c;
      const size_t have = got->descr == "<f8" ? got->f64.size() : got->i64.size();
      ASSERT_EQ(static_cast<int64_t>(have), count) << c;
      ASSERT_EQ(bytes.size() - 8 * have, bytes.find('\n') + 1) << c;
      const char* data = bytes.data() + bytes.size() - 8 * have;
      if (have > 0) {
        EXPECT_EQ(std::memcmp(data, got->descr == "<f8"
                                        ? static_cast<const void*>(got->f64.data())
                                        : static_cast<const void*>(got->i64.data()),
                              8 * have),
                  0)
            << c;
      }
      tally.Add(bytes.compare(0, header, original, 0, header) == 0 &&
                        bytes.size() == original.size()
                    ? "valid, data bytes changed"
                    : "valid, header changed");
    }
    // Every 10th case also through a file and the checked helpers.
    if (c % 10 == 0 && c % originals.size() == 0) {
      const std::string path = absl::StrCat(dir, "/", name);
      ASSERT_TRUE(WriteFileAtomic(path, bytes).ok());
      absl::StatusOr<Matrix> m = ReadNpyMatrixF64(path, 5, 3);
      if (!m.ok()) {
        ExpectNames(m.status(), path, c);
      } else if (bytes == original) {
        EXPECT_EQ(m->data, f64);
      }
      tally.Add("also read from a file");
    }
  }
  tally.Print(".npy");
}

// ------------------------------------------------------------ run records
class TinyExperiment : public Experiment {
 public:
  std::string Name() const override { return "tiny"; }
  std::string Description() const override { return "test"; }
  std::vector<RunSpec> Plan(Tier) const override {
    std::vector<RunSpec> specs;
    for (int s = 0; s < 3; ++s) {
      RunSpec spec;
      spec.config.task.p = 5;
      spec.config.dim = 3;
      spec.config.hidden = 4;
      spec.config.steps = 2;
      spec.config.log_every = 1;
      spec.config.seed = s;
      spec.snapshot_steps = {1};
      specs.push_back(spec);
    }
    return specs;
  }
  absl::StatusOr<ExperimentResult> Analyze(
      Tier, const std::vector<RunRecord>& runs) const override {
    ExperimentResult r;
    r.data["n"] = runs.size();
    Claim c;
    c.id = "tiny/claim";
    c.verdict = "descriptive";
    r.claims.push_back(c);
    return r;
  }
};

TEST(MutationTest, RunRecords) {
  TinyExperiment e;
  const RunSpec spec = e.Plan(Tier::kSmoke)[0];
  RunRecord record = TrainOne(e, spec).value();
  record.wall_seconds = 0;  // the bytes, and so the mutations, fixed
  const std::string original = EncodeRunRecord(record);
  const RunStore store(Dir("records"));
  ASSERT_TRUE(store.Save(record).ok());
  Mutator mutator(0x72756e);
  Tally tally;
  for (int c = 0; c < kCases; ++c) {
    const std::string bytes =
        mutator.Mutate(original, original.find('\n') + 1);
    const std::string where = absl::StrCat("record", c, ".run");
    absl::StatusOr<RunRecord> got = DecodeRunRecord(bytes, where);
    if (bytes == original) {
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_EQ(got->digest, record.digest);
      EXPECT_EQ(got->final_embedding, record.final_embedding);
      tally.Add("same bytes, same value");
    } else {
      // The checksum covers the payload: every change is detected.
      ExpectNames(got.status(), where, c);
      tally.Add("rejected naming the file");
    }
    if (c % 10 == 0) {
      ASSERT_TRUE(WriteFileAtomic(store.PathFor(spec), bytes).ok());
      absl::StatusOr<RunRecord> loaded = store.Load(spec);
      if (bytes == original) {
        EXPECT_TRUE(loaded.ok());
      } else {
        ExpectNames(loaded.status(), store.PathFor(spec), c);
      }
      tally.Add("also loaded from the store");
    }
  }
  tally.Print("run records");
}

// --------------------------------------------------- result / golden JSON
TEST(MutationTest, ResultAndGoldenJson) {
  const std::string golden_path =
      absl::StrCat(getenv("TEST_SRCDIR"), "/", getenv("TEST_WORKSPACE"),
                   "/golden/MA-decay.smoke.json");
  const std::string original = ReadFile(golden_path).value();
  const nlohmann::json want = nlohmann::json::parse(original);
  const std::string dir = Dir("results");
  Mutator mutator(0x676f6c);
  Tally tally;
  for (int c = 0; c < kCases; ++c) {
    const std::string bytes = mutator.Mutate(original, 200);
    const std::string path = absl::StrCat(dir, "/MA-decay.smoke.json");
    ASSERT_TRUE(WriteFileAtomic(path, bytes).ok());
    absl::StatusOr<nlohmann::json> got =
        ReadResultFile(path, "MA-decay", Tier::kSmoke);
    if (!got.ok()) {
      ExpectNames(got.status(), path, c);
      tally.Add("rejected naming the file");
      continue;
    }
    // Valid: comparing it with the original is either a match (same
    // value) or a list of differences; never a crash.
    const std::vector<std::string> diffs = CompareResults(*got, want);
    if (*got == want) {
      EXPECT_TRUE(diffs.empty()) << c;
      tally.Add("same value");
    } else if (!diffs.empty()) {
      tally.Add("valid, differences reported");
    } else {
      // By the comparison rule only a figure's drawing fields (title,
      // labels, caption, style, ...) and library numbers within relative
      // 1e-12 may differ unreported; a verdict never may.
      ASSERT_TRUE((*got)["claims"].is_array()) << c;
      for (size_t i = 0; i < want["claims"].size(); ++i)
        EXPECT_EQ((*got)["claims"][i]["verdict"], want["claims"][i]["verdict"])
            << c;
      tally.Add("valid, difference not compared (drawing field or 1e-12)");
    }
  }
  tally.Print("result/golden JSON");
}

// ------------------------------------------------------------- plan files
TEST(MutationTest, PlanFiles) {
  TinyExperiment e;
  const std::vector<RunSpec> specs = e.Plan(Tier::kSmoke);
  DriverOptions options;
  options.out_dir = Dir("plans");
  ASSERT_TRUE(WritePlan(e, Tier::kSmoke, 2, options).ok());
  const std::string path = options.out_dir + "/plans/tiny.smoke.json";
  const std::string original = ReadFile(path).value();
  const nlohmann::json want = nlohmann::json::parse(original);
  Mutator mutator(0x706c61);
  Tally tally;
  for (int c = 0; c < kCases; ++c) {
    const std::string bytes = mutator.Mutate(original, 80);
    ASSERT_TRUE(WriteFileAtomic(path, bytes).ok());
    absl::StatusOr<int> shards = ReadPlanShards(e, Tier::kSmoke, specs, options);
    if (!shards.ok()) {
      ExpectNames(shards.status(), path, c);
      tally.Add("rejected naming the file");
      continue;
    }
    const nlohmann::json got = nlohmann::json::parse(bytes);
    // Accepted only with the current run list; the shard count is what the
    // file says.
    EXPECT_EQ(got["run_keys"], want["run_keys"]) << c;
    EXPECT_EQ(*shards, got["shards"].get<int>()) << c;
    tally.Add(*shards == 2 ? "same value" : "valid, another shard count");
  }
  tally.Print("plan files");
}

// ---------------------------------------- summary.json (repro geometry)
TEST(MutationTest, SummaryJsonThroughGeometry) {
  TrainConfig config;
  config.task.name = "remainder";
  config.task.n = 12;
  config.task.m = 4;
  config.dim = 6;
  config.hidden = 8;
  config.steps = 5;
  config.log_every = 5;
  const RunResult run = Train(config).value();
  const std::string dir = Dir("geometry") + "/run";
  ASSERT_TRUE(WriteRunDirectory(run, dir, false).ok());
  const nlohmann::json want = Geometry(dir).value();
  const std::vector<std::string> files = {"summary.json", "summary.json",
                                          "summary.json", "init/embedding.npy",
                                          "final/embedding.npy"};
  std::vector<std::string> originals;
  for (const std::string& f : files)
    originals.push_back(ReadFile(dir + "/" + f).value());
  Mutator mutator(0x67656f);
  Tally tally;
  for (int c = 0; c < kCases; ++c) {
    const size_t which = c % files.size();
    const std::string path = dir + "/" + files[which];
    const std::string& original = originals[which];
    const std::string bytes = mutator.Mutate(original, 200);
    ASSERT_TRUE(WriteFileAtomic(path, bytes).ok());
    absl::StatusOr<nlohmann::json> got = Geometry(dir);
    ASSERT_TRUE(WriteFileAtomic(path, original).ok());
    if (!got.ok()) {
      ExpectNames(got.status(), path, c);
      tally.Add("rejected naming the file");
      continue;
    }
    const bool same_input =
        bytes == original ||
        (which < 3 && nlohmann::json::parse(bytes, nullptr, false) ==
                          nlohmann::json::parse(original));
    if (same_input) {
      EXPECT_EQ(*got, want) << c;
      tally.Add("same value");
    } else {
      tally.Add(*got == want ? "valid, same geometry"
                             : "valid, geometry of what the file says");
    }
  }
  tally.Print("summary.json (+ its .npy) via geometry");
}

}  // namespace
}  // namespace initrepro
