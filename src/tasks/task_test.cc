#include "src/tasks/task.h"

#include "gtest/gtest.h"

namespace initrepro {
namespace {

TEST(TaskTest, LabelsFollowEachRule) {
  Task modadd = MakeTask({"modadd", 7}).value();
  EXPECT_EQ(modadd.labels[3 + 7 * 5], (3 + 5) % 7);  // pair (a=3, b=5)
  TaskConfig re;
  re.name = "remainder";
  re.n = 12;
  re.m = 4;
  Task remainder = MakeTask(re).value();
  EXPECT_EQ(remainder.classes, 2);
  EXPECT_EQ(remainder.labels[1 + 12 * 9], 1);  // 1 = 9 mod 4
  EXPECT_EQ(remainder.labels[1 + 12 * 10], 0);
  TaskConfig x;
  x.name = "xor";
  x.k = 2;
  x.v = 8;
  Task xr = MakeTask(x).value();
  EXPECT_EQ(xr.classes, 4);
  EXPECT_EQ(xr.labels[5 + 8 * 3], (5 ^ 3) % 4);
}

TEST(TaskTest, RejectsBadParametersNamingTheFlag) {
  auto bad = MakeTask({"modadd", 1});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--p=1"), std::string::npos);
  TaskConfig re;
  re.name = "remainder";
  re.n = 5;
  re.m = 6;
  EXPECT_NE(MakeTask(re).status().message().find("--m=6"), std::string::npos);
  TaskConfig unknown;
  unknown.name = "sum";
  EXPECT_NE(MakeTask(unknown).status().message().find("--task"),
            std::string::npos);
}

TEST(TaskTest, SplitIsEightyPercentDisjointAndSeeded) {
  Split s = MakeSplit(59, 3, 0.8);
  EXPECT_EQ(s.train.size(), 2784u);  // floor(0.8 * 3481)
  EXPECT_EQ(s.train.size() + s.test.size(), 3481u);
  Split again = MakeSplit(59, 3, 0.8);
  EXPECT_EQ(s.train, again.train);
  EXPECT_NE(s.train, MakeSplit(59, 4, 0.8).train);
  auto imported = SplitFromTrainIndices(59, s.train);
  ASSERT_TRUE(imported.ok());
  EXPECT_EQ(imported->test, s.test);
  EXPECT_FALSE(SplitFromTrainIndices(59, {0, 0}).ok());
  EXPECT_FALSE(SplitFromTrainIndices(59, {3481}).ok());
}

}  // namespace
}  // namespace initrepro
