// The local engine merges to the single-machine result, and a resubmission
// after a deleted run trains only that run's shard.
#include "src/engines/local.h"

#include <string>

#include "gtest/gtest.h"
#include "src/engines/shard_plan.h"
#include "src/harness/driver.h"
#include "src/io/atomic_file.h"

namespace initrepro {
namespace {

// Five tiny modular-addition runs (or `--set runs=N`); the analysis sums
// final embeddings.
class TinyExperiment : public Experiment {
 public:
  std::string Name() const override { return "tiny"; }
  std::string Description() const override { return "test"; }
  absl::Status SetOverrides(
      const std::vector<DesignOverride>& overrides) override {
    for (const DesignOverride& o : overrides)
      if (o.field != "runs")
        return absl::InvalidArgumentError("--set " + o.field + ": unknown");
    overrides_ = overrides;
    return absl::OkStatus();
  }
  std::vector<RunSpec> Plan(Tier) const override {
    int runs = 5;
    for (const DesignOverride& o : overrides_) runs = std::stoi(o.value);
    std::vector<RunSpec> specs;
    for (int s = 0; s < runs; ++s) {
      RunSpec spec;
      spec.config.task.p = 7;
      spec.config.dim = 4;
      spec.config.hidden = 8;
      spec.config.steps = 3;
      spec.config.log_every = 3;
      spec.config.seed = s;
      spec.params = {{"seed", s}};
      specs.push_back(spec);
    }
    return specs;
  }
  absl::StatusOr<ExperimentResult> Analyze(
      Tier, const std::vector<RunRecord>& runs) const override {
    ExperimentResult r;
    double sum = 0;
    for (const RunRecord& run : runs) sum += run.final_embedding.data[0];
    r.data["sum"] = sum;
    r.data["runs"] = runs.size();
    return r;
  }
};

DriverOptions Fresh(const std::string& name) {
  DriverOptions o;
  o.out_dir = ::testing::TempDir() + "/" + name;
  EXPECT_TRUE(RemoveTree(o.out_dir).ok());
  o.progress = false;
  return o;
}

TEST(LocalEngine, ShardsThenMergeEqualsOneMachine) {
  const TinyExperiment e;
  const DriverOptions whole = Fresh("local_whole");
  absl::StatusOr<nlohmann::json> expected =
      RunExperiment(e, Tier::kSmoke, whole);
  ASSERT_TRUE(expected.ok()) << expected.status();

  const DriverOptions sharded = Fresh("local_sharded");
  absl::StatusOr<PlanState> plan = EnsurePlan(e, Tier::kSmoke, 3, sharded);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->note, "plan written");
  EXPECT_EQ(plan->pending, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(plan->to_train, 5);
  absl::StatusOr<nlohmann::json> merged =
      RunLocal(e, Tier::kSmoke, plan->pending, sharded);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->dump(), expected->dump());

  plan = EnsurePlan(e, Tier::kSmoke, 3, sharded);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->note, "plan kept");
  EXPECT_TRUE(plan->pending.empty());
  EXPECT_EQ(plan->done, 5);

  // Re-sharding keeps every finished run.
  plan = EnsurePlan(e, Tier::kSmoke, 2, sharded);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->note, "plan rewritten: 2 shards (was 3); finished runs are kept");
  EXPECT_TRUE(plan->pending.empty());
}

// `submit --engine=local --set ...`: the shards train the modified design's
// runs and the merge analyses them, as one machine running that design.
TEST(LocalEngine, OverridesReachShardsAndMerge) {
  TinyExperiment e;
  ASSERT_TRUE(e.SetOverrides({{"runs", "3"}}).ok());
  const DriverOptions whole = Fresh("local_set_whole");
  absl::StatusOr<nlohmann::json> expected =
      RunExperiment(e, Tier::kSmoke, whole);
  ASSERT_TRUE(expected.ok()) << expected.status();

  const DriverOptions sharded = Fresh("local_set_sharded");
  absl::StatusOr<PlanState> plan = EnsurePlan(e, Tier::kSmoke, 2, sharded);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->to_train, 3);
  absl::StatusOr<nlohmann::json> merged =
      RunLocal(e, Tier::kSmoke, plan->pending, sharded);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->dump(), expected->dump());
  EXPECT_NE(merged->dump().find("\"runs\":3"), std::string::npos)
      << merged->dump();
}

}  // namespace
}  // namespace initrepro
