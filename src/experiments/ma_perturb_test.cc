// MA-perturb's choice of k: ours must pick, per reference seed, the
// frequency that MA-survival's goldens rank r* at the same tier (the
// numbers the header's derivation quotes), and P1's variant its fixed k.
#include <cstdint>
#include <set>
#include <tuple>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "gtest/gtest.h"
#include "src/harness/experiment.h"

namespace initrepro {
namespace {

// {variant, reference seed} -> {k, rank}, checked equal over all its runs.
std::map<std::pair<std::string, int64_t>, std::pair<int64_t, int64_t>>
KByVariantAndSeed(Tier tier) {
  auto exp = MakeExperiment("MA-perturb");
  EXPECT_TRUE(exp.ok());
  std::map<std::pair<std::string, int64_t>, std::pair<int64_t, int64_t>> out;
  for (const RunSpec& spec : (*exp)->Plan(tier)) {
    const auto key =
        std::make_pair(spec.params.at("variant").get<std::string>(),
                       spec.params.at("reference_seed").get<int64_t>());
    const auto value = std::make_pair(spec.params.at("k").get<int64_t>(),
                                      spec.params.at("rank").get<int64_t>());
    const auto [it, inserted] = out.emplace(key, value);
    EXPECT_EQ(it->second, value) << key.first << " seed " << key.second;
  }
  return out;
}

TEST(MaPerturbTest, CiPicksRank3OfMaSurvivalCiAndP1K5) {
  const auto k = KByVariantAndSeed(Tier::kCi);
  // golden/MA-survival.ci.json, rank 3 by initial_signal: seed 0 k 1, seed
  // 1 k 3; k = 5 is rank 9 and 11 there.
  EXPECT_EQ(k.at({"ours", 0}), std::make_pair(int64_t{1}, int64_t{3}));
  EXPECT_EQ(k.at({"ours", 1}), std::make_pair(int64_t{3}, int64_t{3}));
  EXPECT_EQ(k.at({"p1_k", 0}), std::make_pair(int64_t{5}, int64_t{9}));
  EXPECT_EQ(k.at({"p1_k", 1}), std::make_pair(int64_t{5}, int64_t{11}));
}

TEST(MaPerturbTest, NightlyPicksRank3OfMaSurvivalNightlyAndP1K25) {
  const auto k = KByVariantAndSeed(Tier::kNightly);
  // golden/MA-survival.nightly.json, rank 3: seed 0 k 22, seed 1 k 18; P1's
  // k = 25 is rank 16 and 12 there.
  EXPECT_EQ(k.at({"ours", 0}), std::make_pair(int64_t{22}, int64_t{3}));
  EXPECT_EQ(k.at({"ours", 1}), std::make_pair(int64_t{18}, int64_t{3}));
  EXPECT_EQ(k.at({"p1_k", 0}), std::make_pair(int64_t{25}, int64_t{16}));
  EXPECT_EQ(k.at({"p1_k", 1}), std::make_pair(int64_t{25}, int64_t{12}));
}

TEST(MaPerturbTest, AlphaLevelsShareTrialSeeds) {
  // Paired by construction (issue 17, section 3): every alpha of a
  // (variant, reference seed, trial) trains the same config (embedding
  // seed, MLP and split); only the scale applied to F_k differs.
  auto exp = MakeExperiment("MA-perturb");
  ASSERT_TRUE(exp.ok());
  for (Tier tier : {Tier::kCi, Tier::kNightly}) {
    std::map<std::tuple<std::string, int64_t, int64_t>, std::set<std::string>>
        configs;
    std::map<std::tuple<std::string, int64_t, int64_t>, std::set<double>>
        alphas;
    for (const RunSpec& spec : (*exp)->Plan(tier)) {
      const auto key = std::make_tuple(
          spec.params.at("variant").get<std::string>(),
          spec.params.at("reference_seed").get<int64_t>(),
          spec.params.at("trial").get<int64_t>());
      configs[key].insert(ToJson(spec.config).dump());
      alphas[key].insert(spec.params.at("alpha").get<double>());
    }
    for (const auto& [key, c] : configs) {
      EXPECT_EQ(c.size(), 1u) << std::get<0>(key) << " seed "
                              << std::get<1>(key);
      EXPECT_EQ(alphas[key].size(), tier == Tier::kCi ? 3u : 2u);
    }
  }
}

TEST(MaPerturbTest, CountsAreDesignFields) {
  auto exp = MakeExperiment("MA-perturb");
  ASSERT_TRUE(exp.ok());
  ASSERT_TRUE((*exp)->SetOverrides({{"alphas", "0.85,1.15"},
                                    {"trials", "4"}}).ok());
  // ours 2 alphas x 2 seeds x 4 trials + P1's k 2 x 2 x 2.
  EXPECT_EQ((*exp)->Plan(Tier::kCi).size(), 16u + 8u);
  EXPECT_EQ((*exp)->DesignJson(Tier::kCi)["alphas"],
            nlohmann::json({0.85, 1.15}));
  EXPECT_FALSE((*exp)->SetOverrides({{"nonsense", "1"}}).ok());
  EXPECT_FALSE((*exp)->SetOverrides({{"alphas", "abc"}}).ok());
  // rank beyond (p - 1) / 2 at some tier: refused before anything runs,
  // and the earlier overrides stay in force.
  EXPECT_FALSE((*exp)->SetOverrides({{"p", "11"}}).ok());
  EXPECT_EQ((*exp)->Plan(Tier::kCi).size(), 16u + 8u);
  EXPECT_TRUE(
      (*exp)->SetOverrides({{"p", "11"}, {"p1_k", "3"}, {"rank", "2"}}).ok());
}

TEST(MaPerturbTest, P1KIsAVariantOfOurs) {
  auto exp = MakeExperiment("MA-perturb");
  ASSERT_TRUE(exp.ok());
  const std::vector<ClaimSpec> specs = (*exp)->ClaimSpecs();
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[1].variant_of, specs[0].id);
  EXPECT_EQ(specs[0].threshold, 0.8);
  EXPECT_EQ(specs[1].threshold, 0.8);
}

// The paired claim is a claim of its own beside the v1 Spearman claim,
// never in its place: a sign test over (reference seed, trial) pairs.
TEST(MaPerturbTest, PairedClaimIsASignTestVariant) {
  auto exp = MakeExperiment("MA-perturb");
  ASSERT_TRUE(exp.ok());
  const std::vector<ClaimSpec> specs = (*exp)->ClaimSpecs();
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].statistic, Statistic::kSpearman);
  EXPECT_EQ(specs[2].id, "MA-perturb/rate-rises-with-alpha-paired");
  EXPECT_EQ(specs[2].variant_of, specs[0].id);
  EXPECT_EQ(specs[2].statistic, Statistic::kSignTest);
  EXPECT_EQ(specs[2].scale_field, "trials");
}

}  // namespace
}  // namespace initrepro
