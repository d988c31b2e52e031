// UnusedSettings / DeterminingJson: what summary.json keeps of a config, and
// which explicit flags `repro train` refuses, per import combination.
#include "src/train/config.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace initrepro {
namespace {

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
