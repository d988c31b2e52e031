// The harness contracts: stored runs verify themselves, sweeps give the same
// records for any worker count and after interruption, shards merge to the
// single-machine result, goldens compare bit-exactly except p-values, runs
// trained by another build (bits identity) are retrained or refused.
#include <algorithm>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/harness/driver.h"
#include "src/harness/result.h"
#include "src/harness/run_store.h"
#include "src/harness/sweep.h"
#include "src/io/atomic_file.h"
#include "src/io/sha256.h"
#include "src/train/bits_identity.h"

namespace initrepro {
namespace {

// Six tiny modular-addition runs and a trivial analysis.
class TinyExperiment : public Experiment {
 public:
  std::string Name() const override { return "tiny"; }
  std::string Description() const override { return "test"; }
  std::vector<RunSpec> Plan(Tier) const override {
    std::vector<RunSpec> specs;
    for (int s = 0; s < 6; ++s) {
      RunSpec spec;
      spec.config.task.p = 7;
      spec.config.dim = 4;
      spec.config.hidden = 8;
      spec.config.steps = 5;
      spec.config.log_every = 5;
      spec.config.seed = s;
      spec.params = {{"seed", s}};
      spec.snapshot_steps = {1};
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
    r.stats["p_value_like"] = 0.5;
    Claim c;
    c.id = "tiny/claim";
    c.verdict = "descriptive";
    r.claims.push_back(c);
    return r;
  }
};

std::string FreshDir(const std::string& name) {
  std::string dir = ::testing::TempDir() + "/" + name;
  EXPECT_TRUE(RemoveTree(dir).ok());
  return dir;
}

TEST(RunStoreTest, RoundTripAndCorruptionDetection) {
  TinyExperiment e;
  RunSpec spec = e.Plan(Tier::kSmoke)[0];
  absl::StatusOr<RunRecord> record = TrainOne(e, spec);
  ASSERT_TRUE(record.ok()) << record.status();
  RunStore store(FreshDir("store"));
  EXPECT_TRUE(absl::IsNotFound(store.Load(spec).status()));
  ASSERT_TRUE(store.Save(*record).ok());
  absl::StatusOr<RunRecord> loaded = store.Load(spec);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->digest, record->digest);
  EXPECT_EQ(loaded->final_embedding, record->final_embedding);
  EXPECT_EQ(loaded->snapshots.at(1), record->snapshots.at(1));
  // Truncate the file: detected as data loss, not a crash.
  std::string bytes = ReadFile(store.PathFor(spec)).value();
  ASSERT_TRUE(WriteFileAtomic(store.PathFor(spec),
                              bytes.substr(0, bytes.size() / 2))
                  .ok());
  EXPECT_TRUE(absl::IsDataLoss(store.Load(spec).status()));
}

TEST(RunStoreTest, ParamSnapshotsAreADeclaredOutputThatChangesNoBit) {
  TinyExperiment e;
  const RunSpec plain = e.Plan(Tier::kSmoke)[0];
  RunSpec spec = plain;
  spec.param_steps = {0, 3, 5};
  // Keys of specs without the field stay what they were.
  EXPECT_FALSE(SpecJson(plain).contains("param_steps"));
  EXPECT_NE(RunKey(plain), RunKey(spec));
  absl::StatusOr<RunRecord> a = TrainOne(e, plain);
  absl::StatusOr<RunRecord> b = TrainOne(e, spec);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->digest, b->digest);  // the trained bits do not move
  EXPECT_TRUE(a->param_snapshots.empty());
  ASSERT_EQ(b->param_snapshots.size(), 3u);
  // Step 0 holds the initial embedding first, the last step the final one.
  const int64_t n = b->initial_embedding.rows * b->initial_embedding.cols;
  EXPECT_TRUE(std::equal(b->initial_embedding.data.begin(),
                         b->initial_embedding.data.end(),
                         b->param_snapshots.at(0).begin()));
  EXPECT_TRUE(std::equal(b->final_embedding.data.begin(),
                         b->final_embedding.data.end(),
                         b->param_snapshots.at(5).begin()));
  EXPECT_GT(static_cast<int64_t>(b->param_snapshots.at(3).size()), n);
  RunStore store(FreshDir("params"));
  ASSERT_TRUE(store.Save(*b).ok());
  absl::StatusOr<RunRecord> loaded = store.Load(spec);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->param_snapshots, b->param_snapshots);
  EXPECT_EQ(loaded->spec.param_steps, spec.param_steps);
  // A record without the field encodes without it (bytes as before).
  EXPECT_EQ(EncodeRunRecord(*a).find("param_snapshots"), std::string::npos);
}

TEST(SweepTest, SameRecordsForAnyJobsAndAfterInterruption) {
  TinyExperiment e;
  const std::vector<RunSpec> specs = e.Plan(Tier::kSmoke);
  RunStore one(FreshDir("one")), two(FreshDir("two"));
  auto a = RunSweep(e, specs, one, {1, false, true});
  auto b = RunSweep(e, specs, two, {3, false, true});
  ASSERT_TRUE(a.ok() && b.ok());
  for (size_t i = 0; i < specs.size(); ++i)
    EXPECT_EQ((*a)[i].digest, (*b)[i].digest);
  // "Kill" the sweep: drop two runs and corrupt one; a rerun restores them.
  ASSERT_TRUE(RemoveTree(two.PathFor(specs[1])).ok());
  ASSERT_TRUE(RemoveTree(two.PathFor(specs[4])).ok());
  ASSERT_TRUE(WriteFileAtomic(two.PathFor(specs[2]), "garbage").ok());
  auto c = RunSweep(e, specs, two, {2, false, true});
  ASSERT_TRUE(c.ok());
  for (size_t i = 0; i < specs.size(); ++i)
    EXPECT_EQ((*a)[i].digest, (*c)[i].digest);
  // Without training, a missing run is an error that names it.
  ASSERT_TRUE(RemoveTree(two.PathFor(specs[3])).ok());
  auto d = RunSweep(e, specs, two, {1, false, false});
  EXPECT_FALSE(d.ok());
}

TEST(DriverTest, ShardsMergeToTheSingleMachineResult) {
  TinyExperiment e;
  DriverOptions single{FreshDir("single"), FreshDir("golden"), 2, false};
  DriverOptions sharded{FreshDir("sharded"), single.golden_dir, 1, false};
  auto whole = RunExperiment(e, Tier::kSmoke, single);
  ASSERT_TRUE(whole.ok());
  ASSERT_TRUE(WritePlan(e, Tier::kSmoke, 4, sharded).ok());
  EXPECT_FALSE(MergeShards(e, Tier::kSmoke, sharded).ok());  // nothing run
  for (int shard = 0; shard < 4; ++shard)
    ASSERT_TRUE(RunShard(e, Tier::kSmoke, shard, sharded).ok());
  auto status = PlanStatus(e, Tier::kSmoke, sharded);
  ASSERT_TRUE(status.ok());
  for (const ShardStatus& s : *status) EXPECT_EQ(s.missing, 0);
  auto merged = MergeShards(e, Tier::kSmoke, sharded);
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(whole->dump(), merged->dump());
  EXPECT_FALSE(RunShard(e, Tier::kSmoke, 4, sharded).ok());  // out of range
}

// Rewrites the stored record of `spec` as if another build had trained it.
void MarkTrainedBy(const RunStore& store, const RunSpec& spec,
                   const std::string& identity) {
  absl::StatusOr<RunRecord> r = store.Load(spec);
  ASSERT_TRUE(r.ok()) << r.status();
  r->bits_identity = identity;
  ASSERT_TRUE(store.Save(*r).ok());
}

TEST(BitsIdentityTest, StaleRunsAreRetrainedAndRefusedByMerge) {
  TinyExperiment e;
  const std::vector<RunSpec> specs = e.Plan(Tier::kSmoke);
  DriverOptions single{FreshDir("stale_single"), FreshDir("stale_golden"), 1,
                       false};
  DriverOptions sharded{FreshDir("stale_sharded"), single.golden_dir, 1, false};
  auto whole = RunExperiment(e, Tier::kSmoke, single);
  ASSERT_TRUE(whole.ok()) << whole.status();
  ASSERT_TRUE(WritePlan(e, Tier::kSmoke, 2, sharded).ok());
  for (int shard = 0; shard < 2; ++shard)
    ASSERT_TRUE(RunShard(e, Tier::kSmoke, shard, sharded).ok());
  const RunStore store(sharded.out_dir + "/store/tiny");
  const std::string old_id = "0123456789abcdef";
  ASSERT_NE(old_id, BitsIdentity());
  MarkTrainedBy(store, specs[1], old_id);
  MarkTrainedBy(store, specs[4], old_id);

  const absl::Status loaded = store.Load(specs[1]).status();
  EXPECT_TRUE(IsStaleRun(loaded)) << loaded;
  EXPECT_EQ(StaleIdentity(loaded), old_id);
  auto status = PlanStatus(e, Tier::kSmoke, sharded);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ((*status)[0].stale + (*status)[1].stale, 2);
  EXPECT_EQ((*status)[0].corrupt + (*status)[1].corrupt, 2);

  // A merge refuses to mix builds, saying how many and which identities.
  auto refused = MergeShards(e, Tier::kSmoke, sharded);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find(absl::StrCat(
                "2 stale runs (trained by bits identity ", old_id,
                ", this build is ", BitsIdentity(), ")")),
            std::string::npos)
      << refused.status();

  // A sweep retrains them, with one line on stderr, to the same result.
  ::testing::internal::CaptureStderr();
  auto rerun = RunExperiment(e, Tier::kSmoke, sharded);
  const std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(rerun.ok()) << rerun.status();
  EXPECT_EQ(err, absl::StrCat("tiny: 2 stale runs (trained by bits identity ",
                              old_id, ", this build is ", BitsIdentity(),
                              "): retraining\n"));
  EXPECT_EQ(rerun->dump(), whole->dump());
  EXPECT_EQ(store.Load(specs[1])->bits_identity, BitsIdentity());
  auto merged = MergeShards(e, Tier::kSmoke, sharded);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->dump(), whole->dump());
}

TEST(BitsIdentityTest, FormatOneRecordsAreStaleNotCorrupt) {
  TinyExperiment e;
  const RunSpec spec = e.Plan(Tier::kSmoke)[0];
  absl::StatusOr<RunRecord> record = TrainOne(e, spec);
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->bits_identity, BitsIdentity());
  // Re-encode as format 1: no bits_identity field.
  const std::string v2 = EncodeRunRecord(*record);
  const size_t header = v2.find('\n') + 1;
  nlohmann::json j = nlohmann::json::from_cbor(v2.substr(header));
  j["format_version"] = 1;
  j.erase("bits_identity");
  const std::vector<uint8_t> cbor = nlohmann::json::to_cbor(j);
  const std::string payload(cbor.begin(), cbor.end());
  const std::string v1 =
      absl::StrCat("initrepro-run v1 ", Sha256Hex(payload), "\n", payload);
  RunStore store(FreshDir("v1store"));
  ASSERT_TRUE(store.Save(*record).ok());
  ASSERT_TRUE(WriteFileAtomic(store.PathFor(spec), v1).ok());
  const absl::Status s = store.Load(spec).status();
  EXPECT_TRUE(IsStaleRun(s)) << s;
  EXPECT_EQ(StaleIdentity(s), "unknown (record format 1)");
}

TEST(SweepTest, RefusesSpecsOfAnotherBackend) {
  TinyExperiment e;
  RunSpec spec = e.Plan(Tier::kSmoke)[0];
  spec.config.backend = "onednn";
  spec.config.dtype = "f32";
  const absl::Status s = TrainOne(e, spec).status();
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_NE(s.message().find("backend=onednn"), std::string::npos) << s;
}

TEST(ResultTest, GoldenComparisonIsExactExceptPValues) {
  nlohmann::json golden = {{"stats", {{"p", 0.01}, {"r", 0.5}}},
                           {"runs", nlohmann::json::array()}};
  nlohmann::json now = golden;
  now["stats"]["p"] = 0.01 * (1 + 1e-14);
  EXPECT_TRUE(CompareResults(golden, now).empty());
  now["stats"]["r"] = 0.5 + 1e-16;  // one ulp-ish away: a real difference
  now["stats"]["r"] = std::nextafter(0.5, 1.0);
  EXPECT_EQ(CompareResults(golden, now).size(), 1u);
  now = golden;
  now["stats"]["p"] = 0.02;
  EXPECT_EQ(CompareResults(golden, now).size(), 1u);
}

TEST(ResultTest, FiguresCompareTheirNumbersNotHowTheyAreDrawn) {
  nlohmann::json golden = {
      {"runs", nlohmann::json::array()},
      {"figures",
       {{{"name", "f"},
         {"title", "old"},
         {"series", {{{"label", "a"}, {"style", "points"},
                      {"x", {1.0, 2.0}}, {"y", {3.0, 4.0}}}}}}}}};
  nlohmann::json now = golden;
  now["figures"][0]["title"] = "new";
  now["figures"][0]["caption"] = "what to look for";
  now["figures"][0]["series"][0]["style"] = "histogram";
  now["figures"][0]["series"][0]["label"] = "survived";
  EXPECT_TRUE(CompareResults(golden, now).empty());
  now["figures"][0]["series"][0]["y"][1] = std::nextafter(4.0, 5.0);
  EXPECT_EQ(CompareResults(golden, now).size(), 1u);
  now = golden;
  now["figures"][0]["series"].push_back(golden["figures"][0]["series"][0]);
  EXPECT_EQ(CompareResults(golden, now).size(), 1u);
}

TEST(DriverTest, CheckAndBlessGoldens) {
  TinyExperiment e;
  DriverOptions o{FreshDir("out"), FreshDir("gold"), 1, false};
  auto result = RunExperiment(e, Tier::kSmoke, o);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(absl::IsNotFound(CheckAgainstGolden(*result, o).status()));
  ASSERT_TRUE(BlessGolden(*result, o).ok());
  auto diffs = CheckAgainstGolden(*result, o);
  ASSERT_TRUE(diffs.ok());
  EXPECT_TRUE(diffs->empty());
  // A malformed golden is an error naming the file.
  ASSERT_TRUE(MakeDirs(o.golden_dir).ok());
  ASSERT_TRUE(
      WriteFileAtomic(GoldenPath(o, "tiny", Tier::kSmoke), "{\"x\": 1}").ok());
  auto bad = CheckAgainstGolden(*result, o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("format_version"), std::string::npos);
}

// A map claim decided per cell (ClaimSpec::per_cell): the cells go to
// data.per_cell_verdicts through the engine, the claim of record lists them.
class PerCellExperiment : public TinyExperiment {
 public:
  explicit PerCellExperiment(bool per_cell) : per_cell_(per_cell) {}
  std::vector<ClaimSpec> ClaimSpecs() const override {
    ClaimSpec c;
    c.id = "tiny/fraction";
    c.statement = "most runs do it";
    c.statistic = Statistic::kFraction;
    c.threshold = 0.5;
    c.per_cell = per_cell_;
    return {c};
  }
  absl::StatusOr<ExperimentResult> Analyze(
      Tier, const std::vector<RunRecord>&) const override {
    ExperimentResult r;
    auto evidence = [](const std::string& id, int64_t yes, int64_t n) {
      ClaimEvidence ev;
      ev.claim_id = id;
      ev.counts = {{yes, n}};
      for (int64_t i = 0; i < n; ++i) ev.runs.Add("");
      return ev;
    };
    r.evidence.push_back(evidence("tiny/fraction", 20, 20));
    r.evidence.push_back(evidence("tiny/fraction@d=2", 20, 20));  // above
    r.evidence.push_back(evidence("tiny/fraction@d=4", 0, 20));   // below
    r.evidence.push_back(evidence("tiny/fraction@d=8", 10, 20));  // wide
    return r;
  }

 private:
  bool per_cell_;
};

TEST(DriverTest, PerCellClaimsAreDecidedByTheEngineAndListedInTheRecord) {
  PerCellExperiment e(/*per_cell=*/true);
  DriverOptions o{FreshDir("cells"), FreshDir("cells_gold"), 1, false};
  auto result = RunExperiment(e, Tier::kCi, o);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ((*result)["claims"].size(), 1u);
  const nlohmann::json& record = (*result)["claims"][0];
  EXPECT_EQ(record["id"], "tiny/fraction");
  EXPECT_EQ(record["verdict"], "reproduced");
  EXPECT_EQ(record["observed"]["cells_reproduced"],
            nlohmann::json::array({"d=2"}));
  EXPECT_EQ(record["observed"]["cells_not_reproduced"],
            nlohmann::json::array({"d=4"}));
  EXPECT_EQ(record["observed"]["cells_undecided"],
            nlohmann::json::array({"d=8"}));
  const nlohmann::json& cells =
      (*result)["data"]["per_cell_verdicts"]["tiny/fraction"];
  ASSERT_EQ(cells.size(), 3u);
  EXPECT_EQ(cells[0]["cell"], "d=2");
  EXPECT_EQ(cells[0]["verdict"], "reproduced");
  EXPECT_EQ(cells[1]["verdict"], "not_reproduced");
  EXPECT_EQ(cells[2]["verdict"], "undecided_at_this_scale");
  EXPECT_EQ(cells[2]["reason_code"], "interval_wide");
  EXPECT_DOUBLE_EQ(cells[2]["effect"]["estimate"].get<double>(), 0.5);
  // Without per_cell, "ID@CELL" evidence has no spec: a bug, not a claim.
  PerCellExperiment plain(/*per_cell=*/false);
  auto refused = RunExperiment(plain, Tier::kCi, o);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("tiny/fraction@d=2"),
            std::string::npos);
}

// Half its runs invalid: too_few_valid, whatever the finding says.
class HalfValidExperiment : public TinyExperiment {
 public:
  explicit HalfValidExperiment(std::string finding)
      : finding_(std::move(finding)) {}
  std::vector<ClaimSpec> ClaimSpecs() const override {
    ClaimSpec c;
    c.id = "tiny/fraction";
    c.statement = "most runs do it";
    c.statistic = Statistic::kFraction;
    c.threshold = 0.5;
    c.validity_finding = finding_;
    return {c};
  }
  absl::StatusOr<ExperimentResult> Analyze(
      Tier, const std::vector<RunRecord>&) const override {
    ClaimEvidence ev;
    ev.claim_id = "tiny/fraction";
    ev.counts = {{10, 10}};
    for (int i = 0; i < 10; ++i) ev.runs.Add("");
    for (int i = 0; i < 10; ++i) ev.runs.Add("not_trained");
    ExperimentResult r;
    r.evidence.push_back(ev);
    return r;
  }

 private:
  std::string finding_;
};

TEST(DriverTest, TooFewValidPointsAtTheNextTierUnlessAFindingSaysItWontHelp) {
  DriverOptions o{FreshDir("valid"), FreshDir("valid_gold"), 1, false};
  auto next = RunExperiment(HalfValidExperiment(""), Tier::kCi, o);
  ASSERT_TRUE(next.ok()) << next.status();
  const nlohmann::json& way = (*next)["claims"][0]["to_decide"];
  EXPECT_EQ((*next)["claims"][0]["reason_code"], "too_few_valid");
  EXPECT_EQ(way["tier"], "nightly");
  EXPECT_FALSE(way.contains("no_design_known"));

  auto none = RunExperiment(
      HalfValidExperiment("longer runs end below 0.99 more often (pilot)"),
      Tier::kCi, o);
  ASSERT_TRUE(none.ok()) << none.status();
  const nlohmann::json& known = (*none)["claims"][0]["to_decide"];
  EXPECT_EQ(known["tier"], "ci");
  EXPECT_EQ(known["command"], "no design known");
  EXPECT_EQ(known["no_design_known"], true);
  EXPECT_EQ(known["why"], "longer runs end below 0.99 more often (pilot)");
  EXPECT_FALSE(known.contains("core_hours"));
}

}  // namespace
}  // namespace initrepro
