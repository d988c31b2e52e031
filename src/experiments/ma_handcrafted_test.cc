// MA-handcrafted's two constructions: P1's rank-1 cosines with one MLP and
// split, and genuine circles with their own per seed.
#include <cmath>
#include <map>
#include <set>
#include <utility>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/analysis/fourier.h"
#include "src/harness/experiment.h"

namespace initrepro {
namespace {

std::unique_ptr<Experiment> Handcrafted() {
  auto e = MakeExperiment("MA-handcrafted");
  EXPECT_TRUE(e.ok()) << e.status();
  return std::move(*e);
}

double Norm(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x * x;
  return std::sqrt(s);
}

TEST(MaHandcraftedTest, P1ConstructionFixesMlpAndSplitFromSeedZero) {
  for (const RunSpec& spec : Handcrafted()->Plan(Tier::kCi)) {
    const std::string variant = spec.params.at("variant");
    if (variant == "p1_construction") {
      EXPECT_EQ(spec.config.mode, "fix_mlp");
      EXPECT_EQ(spec.config.init_seed, 0u);
    } else {
      EXPECT_EQ(variant, "genuine_circles");
      EXPECT_EQ(spec.config.mode, "vary_all");
    }
    EXPECT_NE(spec.params.at("k_large"), spec.params.at("k_small"));
  }
}

TEST(MaHandcraftedTest, P1CirclesAreRankOneGenuineOnesAreNot) {
  const auto e = Handcrafted();
  const std::vector<RunSpec> plan = e->Plan(Tier::kCi);
  const RunSpec* by_variant[2] = {nullptr, nullptr};
  for (const RunSpec& spec : plan) {
    const int i = spec.params.at("variant") == "p1_construction" ? 0 : 1;
    // The same (m, seed) in both variants: the last m, seed 1.
    if (spec.params.at("m_index") == 7 && spec.params.at("seed") == 1)
      by_variant[i] = &spec;
  }
  ASSERT_NE(by_variant[0], nullptr);
  ASSERT_NE(by_variant[1], nullptr);
  const int64_t k = by_variant[0]->params.at("k_large");
  const int64_t k_small = by_variant[0]->params.at("k_small");
  FourierComponent f[2];
  std::vector<double> signal[2];
  for (int i = 0; i < 2; ++i) {
    auto init = e->InitialStateFor(*by_variant[i]);
    ASSERT_TRUE(init.ok()) << init.status();
    f[i] = FourierVector(*init->embedding, k);
    signal[i] = FourierSignal(*init->embedding);
  }
  // P1: a real coefficient (a cosine along one direction).
  EXPECT_LT(Norm(f[0].im), 1e-9 * Norm(f[0].re));
  // Genuine: a real and an imaginary part of comparable size.
  EXPECT_GT(Norm(f[1].im), 0.5 * Norm(f[1].re));
  for (int i = 0; i < 2; ++i) {
    EXPECT_NEAR(signal[i][k], signal[i][k_small], 1e-9 * signal[i][k]);
    for (int64_t j = 1; j <= 11; ++j) {
      if (j == k || j == k_small) continue;
      EXPECT_LT(signal[i][j], 1e-5);
    }
  }
  // Both share the seed's real direction.
  double dot = 0;
  for (size_t c = 0; c < f[0].re.size(); ++c) dot += f[0].re[c] * f[1].re[c];
  EXPECT_NEAR(dot / (Norm(f[0].re) * Norm(f[1].re)), 1.0, 1e-12);
}

TEST(MaHandcraftedTest, ValuesOfMShareTheSeedsConfig) {
  // Paired by construction (issue 17, section 3): seed s trains the same
  // config (MLP, split) and circle pair at every m of its variant.
  std::map<std::pair<std::string, int64_t>, std::set<std::string>> configs;
  std::map<std::pair<std::string, int64_t>, std::set<int64_t>> m_indices;
  for (const RunSpec& spec : Handcrafted()->Plan(Tier::kNightly)) {
    const auto key =
        std::make_pair(spec.params.at("variant").get<std::string>(),
                       spec.params.at("seed").get<int64_t>());
    configs[key].insert(ToJson(spec.config).dump() +
                        spec.params.at("k_large").dump() +
                        spec.params.at("k_small").dump());
    m_indices[key].insert(spec.params.at("m_index").get<int64_t>());
  }
  ASSERT_EQ(configs.size(), 2u + 1u);  // nightly: 2 + 1 seeds
  for (const auto& [key, c] : configs) {
    EXPECT_EQ(c.size(), 1u) << key.first << " seed " << key.second;
    EXPECT_EQ(m_indices[key].size(), key.first == "p1_construction" ? 10u : 5u);
  }
}

TEST(MaHandcraftedTest, CountsAreDesignFields) {
  auto e = Handcrafted();
  ASSERT_TRUE(e->SetOverrides({{"ms", "4"}, {"seeds", "5"},
                               {"genuine_ms", "3"}, {"genuine_seeds", "2"}})
                  .ok());
  EXPECT_EQ(e->Plan(Tier::kCi).size(), 4u * 5u + 3u * 2u);
  EXPECT_FALSE(e->SetOverrides({{"ms", "0"}}).ok());
}

TEST(MaHandcraftedTest, GenuineCircleClaimsAreVariantsOfP1Construction) {
  const std::vector<ClaimSpec> specs = Handcrafted()->ClaimSpecs();
  ASSERT_EQ(specs.size(), 4u);
  for (const ClaimSpec& s : specs) {
    const std::string suffix = "-genuine-circles";
    const bool genuine = s.id.size() > suffix.size() &&
                         s.id.compare(s.id.size() - suffix.size(),
                                      suffix.size(), suffix) == 0;
    EXPECT_EQ(s.variant_of,
              genuine ? s.id.substr(0, s.id.size() - suffix.size()) : "")
        << s.id;
  }
  EXPECT_EQ(specs[0].threshold, 0.9);
  EXPECT_EQ(specs[1].threshold, 0.8);
}

}  // namespace
}  // namespace initrepro
