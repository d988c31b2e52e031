// MA-perturb's choice of k: ours must pick, per reference seed, the
// frequency that MA-survival's goldens rank r* at the same tier (the
// numbers the header's derivation quotes), and P1's variant its fixed k.
#include <cstdint>
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

}  // namespace
}  // namespace initrepro
