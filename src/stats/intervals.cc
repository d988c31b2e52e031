#include "src/stats/intervals.h"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/hypergeometric.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/policies/policy.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "src/stats/stats.h"

namespace initrepro {
namespace {

namespace bm = boost::math;

// As in stats.cc: plain double, errors become NaN/inf instead of throwing.
using Policy = bm::policies::policy<
    bm::policies::promote_double<false>,
    bm::policies::domain_error<bm::policies::ignore_error>,
    bm::policies::overflow_error<bm::policies::ignore_error>,
    bm::policies::evaluation_error<bm::policies::ignore_error>>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Interval Undefined(double estimate, int64_t n, double level) {
  Interval i;
  i.estimate = estimate;
  i.low = kNaN;
  i.high = kNaN;
  i.level = level;
  i.n = n;
  i.defined = false;
  return i;
}

// Interval for a correlation on the z = atanh(r) scale with standard error se.
Interval CorrelationInterval(double r, int64_t n, double level, double se) {
  if (!(n >= 4) || !std::isfinite(r) || std::fabs(r) > 1)
    return Undefined(r, n, level);
  Interval i;
  i.estimate = r;
  i.level = level;
  i.n = n;
  i.defined = true;
  // A perfect correlation has no normal-theory interval (atanh(1) = inf);
  // a zero-width [1, 1] would let four points decide a claim.
  if (std::fabs(r) == 1) return Undefined(r, n, level);
  const double z = std::atanh(r);
  const double half = NormalQuantile(0.5 + level / 2) * se;
  i.low = std::tanh(z - half);
  i.high = std::tanh(z + half);
  return i;
}

double StudentQuantile(double df, double q) {
  return bm::quantile(bm::students_t_distribution<double, Policy>(df), q);
}

// log of the binomial coefficient C(n, k).
double LogChoose(int64_t n, int64_t k) {
  return std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0);
}

// Fisher's noncentral hypergeometric distribution of the top-left cell x of
// a 2 x 2 table with row totals m, n and first-column total k, at odds
// ratio exp(log_psi). Support [lo, hi].
class NoncentralHypergeometric {
 public:
  NoncentralHypergeometric(int64_t m, int64_t n, int64_t k)
      : lo_(std::max<int64_t>(0, k - n)), hi_(std::min(k, m)) {
    for (int64_t x = lo_; x <= hi_; ++x)
      log_base_.push_back(LogChoose(m, x) + LogChoose(n, k - x));
  }
  int64_t lo() const { return lo_; }
  int64_t hi() const { return hi_; }

  // Probabilities over the support, in support order.
  std::vector<double> Pmf(double log_psi) const {
    std::vector<double> w(log_base_.size());
    double top = -kInf;
    for (size_t i = 0; i < w.size(); ++i) {
      w[i] = log_base_[i] + log_psi * static_cast<double>(lo_ + i);
      top = std::max(top, w[i]);
    }
    double total = 0;
    for (double& v : w) {
      v = std::exp(v - top);
      total += v;
    }
    for (double& v : w) v /= total;
    return w;
  }
  double Mean(double log_psi) const {
    const std::vector<double> w = Pmf(log_psi);
    double m = 0;
    for (size_t i = 0; i < w.size(); ++i) m += w[i] * (lo_ + i);
    return m;
  }
  double Upper(double log_psi, int64_t x) const {  // P(X >= x)
    const std::vector<double> w = Pmf(log_psi);
    double s = 0;
    for (int64_t v = x; v <= hi_; ++v) s += w[v - lo_];
    return s;
  }
  double Lower(double log_psi, int64_t x) const {  // P(X <= x)
    const std::vector<double> w = Pmf(log_psi);
    double s = 0;
    for (int64_t v = lo_; v <= x; ++v) s += w[v - lo_];
    return s;
  }

 private:
  int64_t lo_, hi_;
  std::vector<double> log_base_;
};

// Root of an increasing function f on log_psi in [-60, 60] by a fixed number
// of bisection steps (deterministic; 2^-100 of the range is far below any
// printed digit).
template <typename F>
double BisectIncreasing(F f, double target) {
  double lo = -60, hi = 60;
  for (int it = 0; it < 100; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (f(mid) < target) lo = mid; else hi = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

double NormalQuantile(double q) {
  return bm::quantile(bm::normal_distribution<double, Policy>(0.0, 1.0), q);
}

Interval PearsonInterval(double r, int64_t n, double level) {
  if (n < 4) return Undefined(r, n, level);
  return CorrelationInterval(r, n, level, 1.0 / std::sqrt(n - 3.0));
}

Interval SpearmanInterval(double rho, int64_t n, double level) {
  if (n < 4) return Undefined(rho, n, level);
  // rho = +-1 (a perfect ranking) gets the interval of the nearest rho the
  // ranks can take, one adjacent swap away: 1 - 12 / (n (n^2 - 1)). That is
  // conservative (the ranking is at least that good) and shrinks with n,
  // where the plain formula would give a zero-width [1, 1] at any n.
  double at = rho;
  if (std::fabs(rho) == 1) {
    const double nn = static_cast<double>(n);
    at = rho * (1 - 12 / (nn * (nn * nn - 1)));
  }
  Interval i = CorrelationInterval(at, n, level,
                                   std::sqrt((1 + at * at / 2) / (n - 3.0)));
  i.estimate = rho;
  return i;
}

Interval WelchInterval(const std::vector<double>& a,
                       const std::vector<double>& b, double level,
                       double* df_out) {
  const int64_t na = static_cast<int64_t>(a.size());
  const int64_t nb = static_cast<int64_t>(b.size());
  const double d = (na > 0 && nb > 0) ? Mean(a) - Mean(b) : kNaN;
  if (na < 2 || nb < 2) return Undefined(d, na + nb, level);
  const double va = SampleVariance(a) / na, vb = SampleVariance(b) / nb;
  if (!(va + vb > 0)) return Undefined(d, na + nb, level);
  const double df =
      (va + vb) * (va + vb) / (va * va / (na - 1) + vb * vb / (nb - 1));
  if (df_out) *df_out = df;
  const double half = StudentQuantile(df, 0.5 + level / 2) * std::sqrt(va + vb);
  Interval i;
  i.estimate = d;
  i.low = d - half;
  i.high = d + half;
  i.level = level;
  i.n = na + nb;
  i.defined = true;
  return i;
}

Interval MeanInterval(const std::vector<double>& x, double level) {
  const int64_t n = static_cast<int64_t>(x.size());
  const double m = n > 0 ? Mean(x) : kNaN;
  if (n < 2) return Undefined(m, n, level);
  const double se = std::sqrt(SampleVariance(x) / n);
  Interval i;
  i.estimate = m;
  i.level = level;
  i.n = n;
  i.defined = true;
  if (se == 0) {
    i.low = i.high = m;
    return i;
  }
  const double half = StudentQuantile(n - 1.0, 0.5 + level / 2) * se;
  i.low = m - half;
  i.high = m + half;
  return i;
}

Interval ClopperPearson(int64_t successes, int64_t trials, double level) {
  if (trials < 1 || successes < 0 || successes > trials)
    return Undefined(kNaN, trials, level);
  using Binomial = bm::binomial_distribution<double, Policy>;
  const double alpha = 1 - level;
  const double n = static_cast<double>(trials);
  const double k = static_cast<double>(successes);
  Interval i;
  i.estimate = k / n;
  i.level = level;
  i.n = trials;
  i.defined = true;
  i.low = successes == 0
              ? 0.0
              : Binomial::find_lower_bound_on_p(
                    n, k, alpha / 2, Binomial::clopper_pearson_exact_interval);
  i.high = successes == trials
               ? 1.0
               : Binomial::find_upper_bound_on_p(
                     n, k, alpha / 2, Binomial::clopper_pearson_exact_interval);
  return i;
}

double FisherExactPGreater(int64_t a, int64_t b, int64_t c, int64_t d) {
  if (a < 0 || b < 0 || c < 0 || d < 0) return kNaN;
  const int64_t total = a + b + c + d;
  if (total == 0) return kNaN;
  // X = top-left cell: a sample of a + b (row 1) from a population of
  // `total` in which a + c are "yes".
  const bm::hypergeometric_distribution<double, Policy> dist(
      static_cast<unsigned>(a + c), static_cast<unsigned>(a + b),
      static_cast<unsigned>(total));
  if (a == 0) return 1.0;
  return bm::cdf(bm::complement(dist, static_cast<unsigned>(a - 1)));
}

Interval ConditionalOddsRatio(int64_t a, int64_t b, int64_t c, int64_t d,
                              double level) {
  const int64_t m = a + b, n = c + d, k = a + c;
  if (a < 0 || b < 0 || c < 0 || d < 0 || m == 0 || n == 0 || k == 0 ||
      k == m + n)
    return Undefined(kNaN, a + b + c + d, level);
  const NoncentralHypergeometric dist(m, n, k);
  const double alpha = 1 - level;
  Interval i;
  i.level = level;
  i.n = a + b + c + d;
  i.defined = true;
  if (a == dist.lo()) {
    i.estimate = 0;
  } else if (a == dist.hi()) {
    i.estimate = kInf;
  } else {
    i.estimate = std::exp(BisectIncreasing(
        [&](double lp) { return dist.Mean(lp); }, static_cast<double>(a)));
  }
  // Lower bound: P(X >= a; psi) = alpha / 2 (increasing in psi).
  i.low = a == dist.lo()
              ? 0.0
              : std::exp(BisectIncreasing(
                    [&](double lp) { return dist.Upper(lp, a); }, alpha / 2));
  // Upper bound: P(X <= a; psi) = alpha / 2 (decreasing in psi).
  i.high = a == dist.hi()
               ? kInf
               : std::exp(BisectIncreasing(
                     [&](double lp) { return -dist.Lower(lp, a); },
                     -alpha / 2));
  return i;
}

}  // namespace initrepro
