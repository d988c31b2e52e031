#include "src/stats/power.h"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/non_central_t.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/policies/policy.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "src/stats/intervals.h"

namespace initrepro {
namespace {

namespace bm = boost::math;

// As in stats.cc and intervals.cc: plain double, no exceptions.
using Policy = bm::policies::policy<
    bm::policies::promote_double<false>,
    bm::policies::domain_error<bm::policies::ignore_error>,
    bm::policies::overflow_error<bm::policies::ignore_error>,
    bm::policies::evaluation_error<bm::policies::ignore_error>>;

constexpr double kInf = std::numeric_limits<double>::infinity();
// verdict.cc's smallest standardised difference of interest.
constexpr double kSmallestStandardised = 0.2;

double Phi(double x) {
  if (x == kInf) return 1;
  if (x == -kInf) return 0;
  return bm::cdf(bm::normal_distribution<double, Policy>(0.0, 1.0), x);
}

double SafeAtanh(double r) {
  if (r >= 1) return kInf;
  if (r <= -1) return -kInf;
  return std::atanh(r);
}

double StudentQuantile(double df, double q) {
  return bm::quantile(bm::students_t_distribution<double, Policy>(df), q);
}

double NoncentralTCdf(double df, double ncp, double t) {
  if (t == kInf) return 1;
  if (t == -kInf) return 0;
  if (ncp == 0)
    return bm::cdf(bm::students_t_distribution<double, Policy>(df), t);
  return bm::cdf(bm::non_central_t_distribution<double, Policy>(df, ncp), t);
}

// z -> outcome boundaries on the Fisher-z scale. The law of z is
// N(mu, sd^2); reproduced is z > z_rep, not_reproduced z < z_not (and not
// reproduced: verdict.cc tests reproduced first).
DecisionProbability FromZBoundaries(double mu, double sd, double z_rep,
                                    double z_not) {
  DecisionProbability d;
  d.reproduced = 1 - Phi((z_rep - mu) / sd);
  d.not_reproduced = Phi((std::min(z_not, z_rep) - mu) / sd);
  return d;
}

// Root of the increasing f on [-20, 20] (f(z) = target); fixed 200
// bisection steps, deterministic.
template <typename F>
double Bisect(F f, double target) {
  double lo = -20, hi = 20;
  for (int it = 0; it < 200; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (f(mid) < target) lo = mid; else hi = mid;
  }
  return 0.5 * (lo + hi);
}

// P(X >= x) and P(X <= x) for X ~ Binomial(n, rate).
double BinomialUpper(int64_t n, double rate, int64_t x) {
  if (x <= 0) return 1;
  if (x > n) return 0;
  if (rate <= 0) return 0;
  if (rate >= 1) return 1;
  const bm::binomial_distribution<double, Policy> b(static_cast<double>(n),
                                                    rate);
  return bm::cdf(bm::complement(b, static_cast<double>(x - 1)));
}
double BinomialLower(int64_t n, double rate, int64_t x) {
  if (x < 0) return 0;
  if (x >= n) return 1;
  return 1 - BinomialUpper(n, rate, x + 1);
}

// Smallest x in [0, n] with pred(x) true for a predicate monotone in x
// (false ... false true ... true); n + 1 if none.
template <typename P>
int64_t FirstTrue(int64_t n, P pred) {
  int64_t lo = 0, hi = n + 1;  // answer in [lo, hi]
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (pred(mid)) hi = mid; else lo = mid + 1;
  }
  return lo;
}

// Outcomes of a Clopper-Pearson rule on x successes of n: reproduced for
// x >= first x with reproduced(CP(x)), not_reproduced for x <= last x
// with ruled_out(CP(x)); both predicates are monotone in x because both
// CP bounds rise with x.
template <typename R, typename O>
DecisionProbability BinomialRule(double rate, int64_t n, double level,
                                 R reproduced, O ruled_out) {
  DecisionProbability d;
  if (n < 1) return d;
  const int64_t x_rep = FirstTrue(n, [&](int64_t x) {
    return reproduced(ClopperPearson(x, n, level));
  });
  // Last x ruled out = (first x not ruled out) - 1.
  const int64_t x_not = FirstTrue(n, [&](int64_t x) {
    return !ruled_out(ClopperPearson(x, n, level));
  }) - 1;
  d.reproduced = BinomialUpper(n, rate, x_rep);
  d.not_reproduced = BinomialLower(n, rate, std::min(x_not, x_rep - 1));
  return d;
}

// P(lo <= X <= hi) for X ~ Binomial(n, rate); 0 for an empty range.
double BinomialBetween(int64_t n, double rate, int64_t lo, int64_t hi) {
  lo = std::max<int64_t>(lo, 0);
  hi = std::min(hi, n);
  if (lo > hi) return 0;
  if (lo == 0) return BinomialLower(n, rate, hi);
  if (hi == n) return BinomialUpper(n, rate, lo);
  // The smaller tail difference: both tails are accurate where small.
  return std::max(0.0, BinomialLower(n, rate, hi) - BinomialLower(n, rate, lo - 1));
}

std::vector<double> LogChooseRow(int64_t n) {
  std::vector<double> row(n + 1);
  for (int64_t k = 0; k <= n; ++k)
    row[k] = std::lgamma(n + 1.0) - std::lgamma(k + 1.0) -
             std::lgamma(n - k + 1.0);
  return row;
}

std::vector<double> BinomialPmf(int64_t n, double rate,
                                const std::vector<double>& log_choose) {
  std::vector<double> pmf(n + 1, 0.0);
  if (rate <= 0) {
    pmf[0] = 1;
    return pmf;
  }
  if (rate >= 1) {
    pmf[n] = 1;
    return pmf;
  }
  const double lr = std::log(rate), lq = std::log1p(-rate);
  for (int64_t k = 0; k <= n; ++k)
    pmf[k] = std::exp(log_choose[k] + k * lr + (n - k) * lq);
  return pmf;
}

}  // namespace

double CorrelationPCritical(int64_t n, double max_p) {
  if (n < 3 || !(max_p > 0)) return 1;
  const double df = static_cast<double>(n - 2);
  const double t = StudentQuantile(df, 1 - max_p / 2);
  return t / std::sqrt(t * t + df);
}

DecisionProbability PearsonDecision(double rho, int64_t n, double min_estimate,
                                    double rule_out_below, double level) {
  if (n < 4) return {};
  const double se = 1 / std::sqrt(n - 3.0);
  const double q = NormalQuantile(0.5 + level / 2);
  const double z_rep = std::max(q * se, SafeAtanh(min_estimate));
  const double z_not = SafeAtanh(rule_out_below) - q * se;
  return FromZBoundaries(SafeAtanh(rho), se, z_rep, z_not);
}

DecisionProbability SpearmanDecision(double rho, int64_t n,
                                     double min_estimate,
                                     double rule_out_below, double level) {
  if (n < 4) return {};
  const double q = NormalQuantile(0.5 + level / 2);
  const auto se = [n](double z) {
    const double r = std::tanh(z);
    return std::sqrt((1 + r * r / 2) / (n - 3.0));
  };
  // low(z) = tanh(z - q se(z)) and high(z) = tanh(z + q se(z)) rise with z
  // for n >= 4 at these levels (|d se / dz| <= 0.18 / sqrt(n - 3)).
  const double z_low0 = Bisect([&](double z) { return z - q * se(z); }, 0.0);
  const double z_rep = std::max(z_low0, SafeAtanh(min_estimate));
  const double target = SafeAtanh(rule_out_below);
  const double z_not =
      std::isinf(target)
          ? target
          : Bisect([&](double z) { return z + q * se(z); }, target);
  const double sd = std::sqrt((1 + rho * rho / 2) / (n - 3.0));
  return FromZBoundaries(SafeAtanh(rho), sd, z_rep, z_not);
}

DecisionProbability PairedMeanDecision(double delta, int64_t n, double level) {
  if (n < 2) return {};
  const double df = n - 1.0;
  const double qt = StudentQuantile(df, 0.5 + level / 2);
  const double ncp = delta * std::sqrt(static_cast<double>(n));
  DecisionProbability d;
  d.reproduced = 1 - NoncentralTCdf(df, ncp, qt);
  const double t_not = kSmallestStandardised * std::sqrt(n * 1.0) - qt;
  d.not_reproduced = NoncentralTCdf(df, ncp, std::min(t_not, qt));
  return d;
}

DecisionProbability WelchDecision(double delta, int64_t n, double share,
                                  double level) {
  if (n < 4) return {};
  const int64_t na = std::clamp<int64_t>(
      static_cast<int64_t>(std::llround(share * static_cast<double>(n))), 2,
      n - 2);
  const int64_t nb = n - na;
  const double inv = 1.0 / na + 1.0 / nb;
  // Welch-Satterthwaite df at equal variances.
  const double df =
      inv * inv / (1.0 / (double(na) * na * (na - 1)) +
                   1.0 / (double(nb) * nb * (nb - 1)));
  const double qt = StudentQuantile(df, 0.5 + level / 2);
  const double ncp = delta / std::sqrt(inv);
  DecisionProbability d;
  d.reproduced = 1 - NoncentralTCdf(df, ncp, qt);
  const double t_not = kSmallestStandardised / std::sqrt(inv) - qt;
  d.not_reproduced = NoncentralTCdf(df, ncp, std::min(t_not, qt));
  return d;
}

DecisionProbability FractionDecision(double rate, int64_t n, double threshold,
                                     double level) {
  return BinomialRule(
      rate, n, level,
      [&](const Interval& i) {
        return i.estimate >= threshold && i.low >= threshold;
      },
      [&](const Interval& i) { return i.high < threshold; });
}

DecisionProbability FractionLessDecision(double rate, int64_t n,
                                         double threshold, double level) {
  DecisionProbability d;
  if (n < 1) return d;
  // Reproduced: estimate <= t and high <= t, both true for x up to some
  // x_rep (both fall as x rises) ...
  const int64_t x_rep = FirstTrue(n, [&](int64_t x) {
    const Interval i = ClopperPearson(x, n, level);
    return !(i.estimate <= threshold && i.high <= threshold);
  }) - 1;
  // ... not_reproduced: low > t, true from some x_not on (low rises with x).
  const int64_t x_not = FirstTrue(n, [&](int64_t x) {
    return ClopperPearson(x, n, level).low > threshold;
  });
  d.reproduced = BinomialLower(n, rate, x_rep);
  d.not_reproduced = BinomialUpper(n, rate, std::max(x_not, x_rep + 1));
  return d;
}

DecisionProbability FractionInsideDecision(double rate, int64_t n,
                                           double threshold,
                                           double threshold_high,
                                           double level) {
  DecisionProbability d;
  if (n < 1) return d;
  auto cp = [&](int64_t x) { return ClopperPearson(x, n, level); };
  // Reproduced: low >= t (x >= a) and high <= t_high (x <= b).
  const int64_t a = FirstTrue(n, [&](int64_t x) { return cp(x).low >= threshold; });
  const int64_t b =
      FirstTrue(n, [&](int64_t x) { return cp(x).high > threshold_high; }) - 1;
  // not_reproduced: high < t (x <= c) or low > t_high (x >= e); both are
  // outside [a, b] (low <= high), and disjoint from each other when
  // t <= t_high; the clamps keep the sums disjoint whatever the band.
  int64_t c = FirstTrue(n, [&](int64_t x) { return cp(x).high >= threshold; }) - 1;
  int64_t e = FirstTrue(n, [&](int64_t x) { return cp(x).low > threshold_high; });
  if (a <= b) {
    c = std::min(c, a - 1);
    e = std::max(e, b + 1);
  }
  e = std::max(e, c + 1);
  d.reproduced = BinomialBetween(n, rate, a, b);
  d.not_reproduced = BinomialLower(n, rate, c) + BinomialUpper(n, rate, e);
  return d;
}

DecisionProbability MinFractionLessDecision(const std::vector<double>& rates,
                                            int64_t n_per_group,
                                            double threshold, double level) {
  if (rates.empty() || n_per_group < 1) return {};
  double all_pass = 1, none_out = 1;
  for (double r : rates) {
    const DecisionProbability g =
        FractionLessDecision(r, n_per_group, threshold, level);
    all_pass *= g.reproduced;
    none_out *= 1 - g.not_reproduced;
  }
  return {all_pass, 1 - none_out};
}

DecisionProbability MinFractionDecision(const std::vector<double>& rates,
                                        int64_t n_per_group, double threshold,
                                        double level) {
  if (rates.empty() || n_per_group < 1) return {};
  double all_pass = 1, none_out = 1;
  for (double r : rates) {
    const DecisionProbability g =
        FractionDecision(r, n_per_group, threshold, level);
    all_pass *= g.reproduced;
    none_out *= 1 - g.not_reproduced;
  }
  return {all_pass, 1 - none_out};
}

DecisionProbability SignTestDecision(double rate, int64_t n, double level) {
  return BinomialRule(
      rate, n, level, [](const Interval& i) { return i.low > 0.5; },
      [](const Interval& i) { return i.high < 0.55; });
}

DecisionProbability OddsRatioDecision(double rate1, double rate2,
                                      int64_t n_per_group, double level) {
  DecisionProbability d;
  const int64_t n = n_per_group;
  if (n < 1) return d;
  const double half_alpha = (1 - level) / 2;
  const std::vector<double> lc = LogChooseRow(n);
  const std::vector<double> b1 = BinomialPmf(n, rate1, lc);
  const std::vector<double> b2 = BinomialPmf(n, rate2, lc);
  std::vector<double> w;
  // k = a + c, the "yes" margin; k = 0 and k = 2n leave the interval
  // undefined (undecided).
  for (int64_t k = 1; k < 2 * n; ++k) {
    const int64_t lo = std::max<int64_t>(0, k - n), hi = std::min(k, n);
    // Central hypergeometric law of a given the margins (psi = 1).
    w.assign(hi - lo + 1, 0.0);
    double top = -kInf;
    for (int64_t a = lo; a <= hi; ++a) {
      w[a - lo] = lc[a] + lc[k - a];
      top = std::max(top, w[a - lo]);
    }
    double total = 0;
    for (double& v : w) {
      v = std::exp(v - top);
      total += v;
    }
    for (double& v : w) v /= total;
    // Tails P(X >= a) and P(X <= a) by running sums (O(n) per margin).
    std::vector<double> upper(w.size() + 1, 0.0), lower(w.size(), 0.0);
    for (size_t i = w.size(); i-- > 0;) upper[i] = upper[i + 1] + w[i];
    double run = 0;
    for (size_t i = 0; i < w.size(); ++i) {
      run += w[i];
      lower[i] = run;
    }
    for (int64_t a = lo; a <= hi; ++a) {
      const double p_table = b1[a] * b2[k - a];
      if (p_table == 0) continue;
      if (a != lo && upper[a - lo] < half_alpha) {
        d.reproduced += p_table;
      } else if (a != hi && lower[a - lo] < half_alpha) {
        d.not_reproduced += p_table;
      }
    }
  }
  return d;
}

SampleSize SmallestDecidingN(
    const std::function<DecisionProbability(int64_t)>& decide, int64_t n_min,
    int64_t n_max, double power, int64_t linear_up_to) {
  SampleSize s;
  if (n_max < n_min) {
    s.n = n_max;
    return s;
  }
  int64_t n = n_min;
  const int64_t linear_end = std::min(n_max, std::max(linear_up_to, n_min));
  for (; n <= linear_end; ++n) {
    const DecisionProbability d = decide(n);
    if (d.decided() >= power) return {true, n, d};
  }
  // Geometric grid, then bisection in (lo, hi].
  int64_t lo = linear_end;
  while (lo < n_max) {
    const int64_t hi = std::min<int64_t>(
        n_max, std::max<int64_t>(lo + 1, static_cast<int64_t>(lo * 1.25)));
    const DecisionProbability at_hi = decide(hi);
    if (at_hi.decided() >= power) {
      int64_t a = lo, b = hi;  // decide(a) < power <= decide(b)
      DecisionProbability at_b = at_hi;
      while (b - a > 1) {
        const int64_t mid = a + (b - a) / 2;
        const DecisionProbability dm = decide(mid);
        if (dm.decided() >= power) {
          b = mid;
          at_b = dm;
        } else {
          a = mid;
        }
      }
      return {true, b, at_b};
    }
    lo = hi;
  }
  s.found = false;
  s.n = n_max;
  s.at_n = decide(n_max);
  return s;
}

}  // namespace initrepro
