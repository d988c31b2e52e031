// The edges of sweeps and shards: concurrent sweeps on one store train each
// run once, --jobs beyond the runs or beyond what the machine can start is
// harmless, temps of killed runs are swept, plans are validated before they
// are written and a valid one is not replaced unasked, merge says it does
// not train.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <system_error>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/harness/driver.h"
#include "src/harness/run_store.h"
#include "src/harness/sweep.h"
#include "src/io/atomic_file.h"

namespace initrepro {
namespace {

// Eight tiny modular-addition runs; counts how many it trained.
class CountingExperiment : public Experiment {
 public:
  std::string Name() const override { return "counting"; }
  std::string Description() const override { return "test"; }
  std::vector<RunSpec> Plan(Tier) const override {
    std::vector<RunSpec> specs;
    for (int s = 0; s < 8; ++s) {
      RunSpec spec;
      spec.config.task.p = 7;
      spec.config.dim = 4;
      spec.config.hidden = 8;
      spec.config.steps = 40;
      spec.config.log_every = 40;
      spec.config.seed = s;
      spec.params = {{"seed", s}};
      specs.push_back(spec);
    }
    return specs;
  }
  absl::StatusOr<InitialState> InitialStateFor(
      const RunSpec& spec) const override {
    ++trainings;
    return Experiment::InitialStateFor(spec);
  }
  absl::StatusOr<ExperimentResult> Analyze(
      Tier, const std::vector<RunRecord>& runs) const override {
    ExperimentResult r;
    r.data["runs"] = runs.size();
    Claim c;
    c.id = "counting/claim";
    c.verdict = "descriptive";
    r.claims.push_back(c);
    return r;
  }
  mutable std::atomic<int> trainings{0};
};

std::string FreshDir(const std::string& name) {
  std::string dir = ::testing::TempDir() + "/" + name;
  EXPECT_TRUE(RemoveTree(dir).ok());
  return dir;
}

TEST(SweepEdges, ConcurrentSweepsOnOneStoreTrainEachRunOnce) {
  CountingExperiment e;
  const std::vector<RunSpec> specs = e.Plan(Tier::kSmoke);
  const std::string dir = FreshDir("shared");
  // flock locks belong to open files, so two sweeps in two threads exclude
  // each other exactly as two processes do (tests/cli covers processes).
  RunStore a(dir), b(dir);
  absl::StatusOr<std::vector<RunRecord>> ra, rb;
  std::thread other([&] { rb = RunSweep(e, specs, b, {2, false, true}); });
  ra = RunSweep(e, specs, a, {2, false, true});
  other.join();
  ASSERT_TRUE(ra.ok()) << ra.status();
  ASSERT_TRUE(rb.ok()) << rb.status();
  EXPECT_EQ(e.trainings.load(), static_cast<int>(specs.size()));
  for (size_t i = 0; i < specs.size(); ++i)
    EXPECT_EQ((*ra)[i].digest, (*rb)[i].digest);
  // No lock files left behind.
  for (const RunSpec& s : specs) EXPECT_FALSE(PathExists(a.LockPathFor(s)));
}

TEST(SweepEdges, MoreJobsThanRunsStartsOnlyAWorkerPerRun) {
  CountingExperiment e;
  const std::vector<RunSpec> specs = e.Plan(Tier::kSmoke);
  std::atomic<int> started{0};
  SweepOptions o{2000, false, true};
  o.start_thread = [&](std::function<void()> f) {
    ++started;
    return std::thread(std::move(f));
  };
  ASSERT_TRUE(RunSweep(e, specs, RunStore(FreshDir("jobs")), o).ok());
  EXPECT_EQ(started.load(), static_cast<int>(specs.size()) - 1);  // + caller
}

TEST(SweepEdges, AThreadThatCannotStartIsAStatusNotAnAbort) {
  CountingExperiment e;
  const std::vector<RunSpec> specs = e.Plan(Tier::kSmoke);
  int calls = 0;
  SweepOptions o{4, false, true};
  o.start_thread = [&](std::function<void()> f) -> std::thread {
    if (++calls == 2)
      throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again));
    return std::thread(std::move(f));
  };
  absl::StatusOr<std::vector<RunRecord>> r =
      RunSweep(e, specs, RunStore(FreshDir("nothread")), o);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsResourceExhausted(r.status())) << r.status();
  EXPECT_TRUE(absl::StrContains(r.status().message(), "--jobs=4")) << r.status();
}

TEST(SweepEdges, TempsOfKilledRunsAreRemoved) {
  CountingExperiment e;
  const std::vector<RunSpec> specs = e.Plan(Tier::kSmoke);
  RunStore store(FreshDir("temps"));
  ASSERT_TRUE(RunSweep(e, {specs[0]}, store, {1, false, true}).ok());
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  const std::string run = store.PathFor(specs[1]);
  const std::string dir = run.substr(0, run.rfind('/'));
  const std::string temp = absl::StrCat(
      dir, "/.", run.substr(run.rfind('/') + 1), ".tmp.", child, ".0");
  ASSERT_TRUE(WriteFileAtomic(temp, "half a run").ok());
  ASSERT_TRUE(RunSweep(e, specs, store, {1, false, true}).ok());
  EXPECT_FALSE(PathExists(temp));
}

TEST(PlanEdges, ShardCountIsValidatedBeforeWritingAndAValidPlanIsKept) {
  CountingExperiment e;
  DriverOptions o{FreshDir("plan"), FreshDir("plan_golden"), 1, false};
  const std::string path = o.out_dir + "/plans/counting.smoke.json";
  absl::Status s = WritePlan(e, Tier::kSmoke, 1000001, o);
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "[1, 1000000]")) << s;
  EXPECT_FALSE(PathExists(o.out_dir));
  ASSERT_TRUE(WritePlan(e, Tier::kSmoke, 3, o).ok());
  const std::string before = ReadFile(path).value();
  EXPECT_TRUE(absl::IsInvalidArgument(WritePlan(e, Tier::kSmoke, 1000001, o)));
  s = WritePlan(e, Tier::kSmoke, 5, o);
  EXPECT_TRUE(absl::IsAlreadyExists(s)) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "--overwrite_plan")) << s;
  EXPECT_EQ(ReadFile(path).value(), before);
  ASSERT_TRUE(WritePlan(e, Tier::kSmoke, 3, o).ok());  // the same: fine
  ASSERT_TRUE(WritePlan(e, Tier::kSmoke, 5, o, /*replace_valid=*/true).ok());
  EXPECT_NE(ReadFile(path).value(), before);
}

TEST(PlanEdges, MergeOfACorruptRunSaysItDoesNotTrainAndWhatDoes) {
  CountingExperiment e;
  DriverOptions o{FreshDir("merge"), FreshDir("merge_golden"), 1, false};
  ASSERT_TRUE(WritePlan(e, Tier::kSmoke, 3, o).ok());
  for (int shard = 0; shard < 3; ++shard)
    ASSERT_TRUE(RunShard(e, Tier::kSmoke, shard, o).ok());
  const RunStore store(o.out_dir + "/store/counting");
  const std::vector<RunSpec> specs = e.Plan(Tier::kSmoke);
  ASSERT_TRUE(WriteFileAtomic(store.PathFor(specs[4]), "garbage").ok());
  const int before = e.trainings.load();
  absl::StatusOr<nlohmann::json> merged = MergeShards(e, Tier::kSmoke, o);
  ASSERT_FALSE(merged.ok());
  const std::string m(merged.status().message());
  EXPECT_TRUE(absl::StrContains(m, "run 4 of 8 is unusable")) << m;
  EXPECT_TRUE(absl::StrContains(m, "merge does not train")) << m;
  EXPECT_TRUE(absl::StrContains(
      m, absl::StrCat("repro run-shard counting --tier=smoke --shard=1 --out=",
                      o.out_dir)))
      << m;
  EXPECT_FALSE(absl::StrContains(m, "training it again")) << m;
  EXPECT_EQ(e.trainings.load(), before);
}

TEST(UsableCpus, IsAtLeastOneAndAtMostTheMachine) {
  const int n = UsableCpus();
  EXPECT_GE(n, 1);
  EXPECT_LE(n, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

}  // namespace
}  // namespace initrepro
