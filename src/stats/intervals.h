// Effects with two-sided confidence intervals, computed the standard way for
// each statistic (PAPER.md "Verdicts (v2)", item 3):
//   Pearson r            Fisher z:        tanh(atanh(r) +- z_q / sqrt(n - 3))
//   Spearman rho         Bonett-Wright:   se = sqrt((1 + rho^2 / 2) / (n - 3))
//   difference of means  Welch:           d +- t_{q, df_WS} sqrt(va/na + vb/nb)
//   mean (paired diffs)  Student:         m +- t_{q, n-1} s / sqrt(n)
//   fraction             Clopper-Pearson (exact binomial)
//   2 x 2 counts         Fisher's exact test; conditional maximum-likelihood
//                        odds ratio with its exact interval (as R's
//                        fisher.test and scipy's odds_ratio(kind="conditional"))
// Quantiles and tails come from Boost.Math (plain double policy, like
// stats.cc). Every interval is two-sided at `level` (e.g. 0.99).
//
// Degenerate input (too few points, zero variance) gives NaN bounds and a
// `defined = false` interval, never an exception. Thread-safe: pure.
#ifndef INITREPRO_SRC_STATS_INTERVALS_H_
#define INITREPRO_SRC_STATS_INTERVALS_H_

#include <cstdint>
#include <vector>

namespace initrepro {

struct Interval {
  double estimate = 0, low = 0, high = 0;
  double level = 0.99;
  int64_t n = 0;         // units behind the estimate
  bool defined = false;  // false: too few units or zero variance
};

// r of n pairs -> Fisher z interval. Needs n >= 4 and |r| < 1; |r| == 1
// has no normal-theory interval and returns an undefined one.
Interval PearsonInterval(double r, int64_t n, double level);

// Spearman rho of n pairs -> Bonett-Wright (2000) interval. Needs n >= 4.
// |rho| == 1 keeps estimate rho and takes the interval of the nearest rho
// the ranks can take, +-(1 - 12 / (n (n^2 - 1))), so that a perfect
// ranking of few units cannot decide a claim.
Interval SpearmanInterval(double rho, int64_t n, double level);

// mean(a) - mean(b) with Welch's interval. Needs na, nb >= 2 and a
// non-zero pooled variance. `df` (Welch-Satterthwaite) is returned through
// the optional pointer.
Interval WelchInterval(const std::vector<double>& a,
                       const std::vector<double>& b, double level,
                       double* df = nullptr);

// mean(x) with Student's one-sample interval (paired differences). n >= 2.
Interval MeanInterval(const std::vector<double>& x, double level);

// successes / trials with the exact Clopper-Pearson interval. trials >= 1.
Interval ClopperPearson(int64_t successes, int64_t trials, double level);

// Fisher's exact test on the 2 x 2 table {{a, b}, {c, d}} (rows: groups,
// columns: yes / no). P(odds ratio >= observed) one-sided ("greater") p.
double FisherExactPGreater(int64_t a, int64_t b, int64_t c, int64_t d);

// Conditional MLE of the odds ratio (a d / b c in the limit) with its exact
// conditional interval; bounds may be 0 or +inf. All-margins-zero tables
// are undefined.
Interval ConditionalOddsRatio(int64_t a, int64_t b, int64_t c, int64_t d,
                              double level);

// Quantile of the standard normal distribution (Boost.Math).
double NormalQuantile(double q);

}  // namespace initrepro

#endif  // INITREPRO_SRC_STATS_INTERVALS_H_
