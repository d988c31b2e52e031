// TrainConfig: the seeds each mode uses, validation messages naming the
// flag, the JSON round trip that run records and summary.json rely on, and
// UnusedSettings / DeterminingJson (what summary.json keeps of a config, and
// which explicit flags `repro train` refuses, per import combination).
#include "src/train/config.h"

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace initrepro {
namespace {

TEST(SeedsForTest, EachModeFixesItsPurposesToTheReferenceSeed) {
  TrainConfig c;
  c.seed = 7;
  c.init_seed = 3;
  const auto seeds = [&](const std::string& mode) {
    c.mode = mode;
    const RunSeeds s = SeedsFor(c);
    return std::vector<uint64_t>{s.embedding, s.mlp, s.split};
  };
  EXPECT_EQ(seeds("vary_all"), (std::vector<uint64_t>{7, 7, 7}));
  EXPECT_EQ(seeds("fix_embedding"), (std::vector<uint64_t>{3, 7, 7}));
  EXPECT_EQ(seeds("fix_mlp"), (std::vector<uint64_t>{7, 3, 3}));
  EXPECT_EQ(seeds("fix_dataset"), (std::vector<uint64_t>{7, 7, 3}));
}

TEST(ValidateTest, DefaultsAreValid) {
  const TrainConfig defaults;
  EXPECT_TRUE(Validate(defaults).ok());
}

TEST(ValidateTest, EveryBadFieldIsNamed) {
  struct Case {
    std::string flag;
    std::function<void(TrainConfig&)> edit;
  };
  const std::vector<Case> cases = {
      {"--dim", [](TrainConfig& c) { c.dim = 0; }},
      {"--hidden", [](TrainConfig& c) { c.hidden = 5000; }},
      {"--steps", [](TrainConfig& c) { c.steps = -1; }},
      {"--lr", [](TrainConfig& c) { c.lr = 0; }},
      {"--wd", [](TrainConfig& c) { c.wd = -1; }},
      {"--wd", [](TrainConfig& c) { c.lr = 0.5, c.wd = 2; }},  // lr*wd >= 1
      {"--train_fraction", [](TrainConfig& c) { c.train_fraction = 1; }},
      {"--mode", [](TrainConfig& c) { c.mode = "fix_all"; }},
      {"--backend", [](TrainConfig& c) { c.backend = "cuda"; }},
      {"--dtype", [](TrainConfig& c) { c.dtype = "f16"; }},
      {"--dtype", [](TrainConfig& c) { c.dtype = "f32"; }},  // reference + f32
      {"--dtype", [](TrainConfig& c) { c.backend = "onednn"; }},  // onednn + f64
      {"--threads", [](TrainConfig& c) { c.threads = 0; }},
      {"--log_every", [](TrainConfig& c) { c.log_every = 0; }},
      {"--snapshot_every", [](TrainConfig& c) { c.snapshot_every = -1; }},
      {"--snapshot_steps", [](TrainConfig& c) { c.snapshot_steps = {c.steps + 1}; }},
      {"--p", [](TrainConfig& c) { c.task.p = 1; }},
      {"--m", [](TrainConfig& c) { c.task.name = "remainder", c.task.m = 61; }},
      {"--task", [](TrainConfig& c) { c.task.name = "sum"; }},
  };
  for (const Case& k : cases) {
    TrainConfig c;
    k.edit(c);
    const absl::Status s = Validate(c);
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << k.flag << ": " << s;
    EXPECT_TRUE(absl::StrContains(s.message(), k.flag)) << k.flag << ": " << s;
  }
  TrainConfig f32;
  f32.backend = "onednn";
  f32.dtype = "f32";
  EXPECT_TRUE(Validate(f32).ok());
}

TEST(ConfigJsonTest, RoundTripsEveryTaskAndField) {
  for (const std::string task : {"modadd", "remainder", "xor"}) {
    TrainConfig c;
    c.task.name = task;
    c.task.n = 24;
    c.task.m = 4;
    c.task.k = 3;
    c.task.v = 16;
    c.dim = 17;
    c.hidden = 33;
    c.steps = 1234;
    c.lr = 0.003;
    c.wd = 0.1 + 0.2;  // not exactly representable in decimal
    c.train_fraction = 0.7;
    c.seed = 18446744073709551615ull;
    c.init_seed = 42;
    c.mode = "fix_dataset";
    c.freeze_embedding = true;
    c.log_every = 7;
    c.snapshot_every = 11;
    c.snapshot_steps = {1, 5, 9};
    ASSERT_TRUE(Validate(c).ok()) << Validate(c);
    const nlohmann::json j = ToJson(c);
    EXPECT_FALSE(j.contains("threads"));  // changes no bit
    absl::StatusOr<TrainConfig> back = FromJson(nlohmann::json::parse(j.dump()));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(ToJson(*back), j);
    EXPECT_EQ(back->wd, c.wd);  // bit for bit through text
    EXPECT_EQ(back->seed, c.seed);
    // Only the task's own parameters are written.
    EXPECT_EQ(j.contains("p"), task == "modadd");
    EXPECT_EQ(j.contains("m"), task == "remainder");
    EXPECT_EQ(j.contains("v"), task == "xor");
  }
}

TEST(ConfigJsonTest, MalformedJsonIsAStatusNotAnException) {
  nlohmann::json j = ToJson(TrainConfig{});
  j.erase("steps");
  EXPECT_TRUE(absl::IsInvalidArgument(FromJson(j).status()));
  j = ToJson(TrainConfig{});
  j["steps"] = "many";
  EXPECT_TRUE(absl::IsInvalidArgument(FromJson(j).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(FromJson(nlohmann::json::array()).status()));
}

std::set<std::string> Unused(const TrainConfig& c, bool init, bool split) {
  std::set<std::string> flags;
  for (const UnusedSetting& u : UnusedSettings(c, init, split)) {
    EXPECT_FALSE(u.reason.empty()) << u.flag;
    flags.insert(u.flag);
  }
  return flags;
}

const std::set<std::string> kOtherTasks = {"n", "m", "k", "v"};  // modadd

std::set<std::string> With(std::set<std::string> a,
                           std::initializer_list<const char*> more) {
  for (const char* f : more) a.insert(f);
  return a;
}

TEST(UnusedSettings, SeedsFollowWhatIsDrawn) {
  TrainConfig c;  // modadd, vary_all
  EXPECT_EQ(Unused(c, false, false), With(kOtherTasks, {"init_seed"}));
  EXPECT_EQ(Unused(c, true, true),
            With(kOtherTasks, {"seed", "init_seed", "mode"}));
  EXPECT_EQ(Unused(c, true, false), With(kOtherTasks, {"init_seed", "mode"}));
  EXPECT_EQ(Unused(c, false, true), With(kOtherTasks, {"init_seed"}));
  for (const char* mode : {"fix_embedding", "fix_mlp"}) {
    c.mode = mode;
    EXPECT_EQ(Unused(c, false, false), kOtherTasks) << mode;
    EXPECT_EQ(Unused(c, false, true), kOtherTasks) << mode;
  }
  c.mode = "fix_dataset";  // --init_seed draws only the split
  EXPECT_EQ(Unused(c, false, false), kOtherTasks);
  EXPECT_EQ(Unused(c, false, true), With(kOtherTasks, {"init_seed"}));
}

TEST(UnusedSettings, OtherTasksSizes) {
  TrainConfig c;
  c.task.name = "remainder";
  EXPECT_EQ(Unused(c, false, false), (std::set<std::string>{
                                         "init_seed", "p", "k", "v"}));
}

TEST(DeterminingJson, DropsOnlyUnusedFieldsAndReadsBack) {
  TrainConfig c;
  c.seed = 5;
  c.init_seed = 7;
  c.mode = "fix_mlp";
  nlohmann::json full = ToJson(c);
  EXPECT_EQ(DeterminingJson(c, false, false), full);
  nlohmann::json replay = DeterminingJson(c, true, true);
  EXPECT_FALSE(replay.contains("seed"));
  EXPECT_FALSE(replay.contains("init_seed"));
  EXPECT_FALSE(replay.contains("mode"));
  full.erase("seed");
  full.erase("init_seed");
  full.erase("mode");
  EXPECT_EQ(replay, full);
  // Two replays that differ only in ineffective seeds record one config.
  TrainConfig d;
  EXPECT_EQ(DeterminingJson(d, true, true), replay);
  ASSERT_TRUE(FromJson(replay).ok());
  EXPECT_EQ(FromJson(replay)->seed, 0u);
}

}  // namespace
}  // namespace initrepro
