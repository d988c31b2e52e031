// Power of the verdict rule: the probability that a design with n units
// decides a claim (reproduced or not_reproduced, as src/verdict/verdict.cc
// defines them) if a given effect were the truth, and the smallest n at
// which that probability reaches a target (0.8 in PAPER.md "Designs (v3)").
//
// Every function works in the claimed direction (the claim says "greater";
// a "less" claim is mirrored by the caller) and uses the intervals of
// src/stats/intervals.h at `level`, so the answers are about our actual
// rule, not a textbook test:
//
//   Pearson r      Fisher z, normal approximation: atanh(r_hat) ~
//                  N(atanh(rho), 1 / (n - 3)) (the O(1/n) bias of z is
//                  ignored). Exact in the rule, approximate in the law.
//   Spearman rho   Fisher z with the Bonett-Wright standard error, both in
//                  the law (se at the true rho) and in the interval (se at
//                  the estimate, as SpearmanInterval; boundaries solved by
//                  bisection).
//   paired mean    Student: T = mean / (s / sqrt n) ~ noncentral t(n - 1,
//                  delta sqrt n), delta = true mean / sd. Both outcomes are
//                  events on T (reproduced: T > t_q; not_reproduced:
//                  T < 0.2 sqrt(n) - t_q), so this is exact for normal units.
//   Welch          noncentral t with the Welch interval's quantile: units
//                  split share : 1 - share between a and b, equal variances;
//                  T ~ noncentral t(df, delta sqrt(n) / k), k = sqrt(1/share
//                  + 1/(1 - share)), df the Welch-Satterthwaite df at equal
//                  variances. Exact for share = 0.5 (then Welch's se is the
//                  pooled one) up to the randomness of Welch's df.
//   fractions      exact: the binomial pmf summed over the outcomes x whose
//                  Clopper-Pearson interval (ClopperPearson itself) lies at
//                  or above the threshold (reproduced) or below it.
//                  A "less" fraction (kFraction / kMinFraction with
//                  Side::kLess) and kFractionInside are not mirrored: their
//                  own functions below sum the pmf over the engine's own
//                  events on ClopperPearson(x, n) (verdict.cc's Fraction and
//                  DecideInside), so a threshold one ulp off 0.1 keeps its
//                  meaning.
//   sign test      exact likewise: null 0.5 (strict), not_reproduced below
//                  0.55. The v1 conditions (mean percentile > 0.5, one-sided
//                  p < 0.01) are implied by a lower bound above 0.5 and are
//                  not modelled separately.
//   2 x 2          exact enumeration over the two binomials (n per group):
//                  reproduced iff the conditional interval's lower bound
//                  exceeds 1, i.e. the one-sided Fisher p P(X >= a; psi = 1)
//                  < (1 - level) / 2 (the same event; verified against
//                  ConditionalOddsRatio in the test); not_reproduced iff
//                  P(X <= a; psi = 1) < (1 - level) / 2.
//
// Thread-safety: all functions are pure.
#ifndef INITREPRO_SRC_STATS_POWER_H_
#define INITREPRO_SRC_STATS_POWER_H_

#include <cstdint>
#include <functional>
#include <vector>

namespace initrepro {

// P(outcome) for one design; the two are disjoint.
struct DecisionProbability {
  double reproduced = 0;
  double not_reproduced = 0;
  double decided() const { return reproduced + not_reproduced; }
};

// rho: true correlation. min_estimate: the v1 rule on the estimate (the
// claim's threshold, raised to the |r| that p < max_p needs where v1 asks
// for a p-value; see CorrelationPCritical). rule_out_below: max(v1
// threshold, 0.1) as verdict.cc. Reproduced: low > 0 and estimate >
// min_estimate. n >= 4; fewer gives {0, 0}.
DecisionProbability PearsonDecision(double rho, int64_t n, double min_estimate,
                                    double rule_out_below, double level);
DecisionProbability SpearmanDecision(double rho, int64_t n,
                                     double min_estimate,
                                     double rule_out_below, double level);

// |r| beyond which stats.h's Pearson/Spearman two-sided p (Student t with
// n - 2 df) is below max_p. n >= 3.
double CorrelationPCritical(int64_t n, double max_p);

// delta = true mean / sd of the units (paired differences). n >= 2.
DecisionProbability PairedMeanDecision(double delta, int64_t n, double level);

// delta = true (mean a - mean b) / common sd; n = na + nb units, na =
// round(share n) (clamped to 2 .. n - 2). n >= 4.
DecisionProbability WelchDecision(double delta, int64_t n, double share,
                                  double level);

// Fraction of n units at or above `threshold` (kFraction).
DecisionProbability FractionDecision(double rate, int64_t n, double threshold,
                                     double level);

// kMinFraction: every group passes; one group wholly below rules it out.
// Groups are independent, n units each, true rates `rates`.
DecisionProbability MinFractionDecision(const std::vector<double>& rates,
                                        int64_t n_per_group, double threshold,
                                        double level);

// Side::kLess fraction (estimate <= threshold claimed): reproduced when
// the estimate and the interval's high lie at or below `threshold`,
// not_reproduced when its low lies above it (verdict.cc mirrors kFraction).
DecisionProbability FractionLessDecision(double rate, int64_t n,
                                         double threshold, double level);

// kMinFraction with Side::kLess: every group reproduced as
// FractionLessDecision; one group whose low lies above `threshold` rules
// it out. Independent groups, n units each.
DecisionProbability MinFractionLessDecision(const std::vector<double>& rates,
                                            int64_t n_per_group,
                                            double threshold, double level);

// kFractionInside: reproduced when the interval lies inside [threshold,
// threshold_high] (low >= threshold and high <= threshold_high),
// not_reproduced when it lies entirely below threshold (high < threshold)
// or entirely above threshold_high (low > threshold_high).
DecisionProbability FractionInsideDecision(double rate, int64_t n,
                                           double threshold,
                                           double threshold_high,
                                           double level);

// kSignTest: n units away from 0.5, each above with probability `rate`.
DecisionProbability SignTestDecision(double rate, int64_t n, double level);

// kOddsRatio: group 1 yes-rate rate1, group 2 rate2, n runs per group; the
// claim is odds ratio > 1 (group 1 more often yes).
DecisionProbability OddsRatioDecision(double rate1, double rate2,
                                      int64_t n_per_group, double level);

// The smallest n in [n_min, n_max] with decide(n).decided() >= power.
// Searched one n at a time up to `linear_up_to` (exact: the discrete
// tests' power is not monotone in n); beyond it on a geometric grid
// (x 1.25) and then by bisection inside the first bracket that crosses
// `power`, which assumes the probability rises with n there (their
// sawtooth is then far below the bracket's rise). found = false: no n up
// to n_max; `n` is n_max and `at_n` its probabilities.
struct SampleSize {
  bool found = false;
  int64_t n = 0;
  DecisionProbability at_n;
};
SampleSize SmallestDecidingN(
    const std::function<DecisionProbability(int64_t)>& decide, int64_t n_min,
    int64_t n_max, double power, int64_t linear_up_to = 1000);

}  // namespace initrepro

#endif  // INITREPRO_SRC_STATS_POWER_H_
