// MA-modulus and MA-decay as designs: presets, --set grids, run keys that
// keep the swept value a JSON double, and descriptive claims whose evidence
// carries no verdict.
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/harness/experiment.h"

namespace initrepro {
namespace {

std::unique_ptr<Experiment> Make(const std::string& name) {
  auto e = MakeExperiment(name);
  EXPECT_TRUE(e.ok()) << e.status();
  return std::move(*e);
}

TEST(MaSweepsTest, PresetRunCountsAreGridTimesSeeds) {
  EXPECT_EQ(Make("MA-modulus")->Plan(Tier::kSmoke).size(), 2u);
  EXPECT_EQ(Make("MA-modulus")->Plan(Tier::kCi).size(), 4u * 3);
  EXPECT_EQ(Make("MA-modulus")->Plan(Tier::kNightly).size(), 7u * 1);
  EXPECT_EQ(Make("MA-modulus")->Plan(Tier::kPaper).size(), 23u * 10);
  EXPECT_EQ(Make("MA-decay")->Plan(Tier::kSmoke).size(), 2u);
  EXPECT_EQ(Make("MA-decay")->Plan(Tier::kCi).size(), 4u * 3);
  EXPECT_EQ(Make("MA-decay")->Plan(Tier::kNightly).size(), 6u * 1);
  EXPECT_EQ(Make("MA-decay")->Plan(Tier::kPaper).size(), 21u * 10);
}

TEST(MaSweepsTest, ModulusKeepsPAsADoubleInParams) {
  // The run keys of every committed golden hash {"p": 13.0, ...}.
  for (const RunSpec& spec : Make("MA-modulus")->Plan(Tier::kCi)) {
    EXPECT_TRUE(spec.params.at("p").is_number_float());
    EXPECT_EQ(spec.params.at("p").get<double>(),
              static_cast<double>(spec.config.task.p));
  }
}

TEST(MaSweepsTest, DecayUsesThePresetModulus) {
  for (const RunSpec& spec : Make("MA-decay")->Plan(Tier::kCi)) {
    EXPECT_EQ(spec.config.task.p, 23);
    EXPECT_EQ(spec.params.at("wd").get<double>(), spec.config.wd);
  }
  for (const RunSpec& spec : Make("MA-decay")->Plan(Tier::kNightly))
    EXPECT_EQ(spec.config.task.p, 59);
}

TEST(MaSweepsTest, GridsAreDesignFields) {
  auto modulus = Make("MA-modulus");
  ASSERT_TRUE(modulus->SetOverrides({{"primes", "13,23,31"}}).ok());
  std::set<int64_t> ps;
  for (const RunSpec& spec : modulus->Plan(Tier::kCi))
    ps.insert(spec.config.task.p);
  EXPECT_EQ(ps, (std::set<int64_t>{13, 23, 31}));
  EXPECT_EQ(modulus->Plan(Tier::kCi).size(), 3u * 3);

  auto decay = Make("MA-decay");
  ASSERT_TRUE(decay->SetOverrides({{"decays", "0.01,0.3"}}).ok());
  std::set<double> wds;
  for (const RunSpec& spec : decay->Plan(Tier::kNightly))
    wds.insert(spec.config.wd);
  EXPECT_EQ(wds, (std::set<double>{0.01, 0.3}));
}

TEST(MaSweepsTest, BadOverridesNameTheField) {
  auto modulus = Make("MA-modulus");
  const absl::Status s = modulus->SetOverrides({{"primes", "2"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(s.message()).find("primes"), std::string::npos);
  EXPECT_FALSE(Make("MA-decay")->SetOverrides({{"decays", "0"}}).ok());
  EXPECT_FALSE(Make("MA-decay")->SetOverrides({{"nonsense", "1"}}).ok());
}

TEST(MaSweepsTest, ClaimsAreDescriptiveAndAnalyzeOnlyGivesEvidence) {
  for (const std::string name : {"MA-modulus", "MA-decay"}) {
    auto e = Make(name);
    const std::vector<ClaimSpec> specs = e->ClaimSpecs();
    ASSERT_EQ(specs.size(), 1u);
    EXPECT_TRUE(specs[0].descriptive);
    EXPECT_FALSE(specs[0].reports.empty());
    auto result = e->Analyze(Tier::kCi, {});
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_TRUE(result->claims.empty());
    ASSERT_EQ(result->evidence.size(), 1u);
    EXPECT_EQ(result->evidence[0].claim_id, specs[0].id);
  }
}

}  // namespace
}  // namespace initrepro
