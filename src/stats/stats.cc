#include "src/stats/stats.h"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/policies/policy.hpp>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <vector>

namespace initrepro {
namespace {

namespace bm = boost::math;

// Plain-double evaluation: the default promotes to long double, whose width
// (80-bit x87, 128-bit software, or plain double) depends on the CPU. Errors
// become NaN/inf return values instead of exceptions.
using Policy = bm::policies::policy<
    bm::policies::promote_double<false>,
    bm::policies::domain_error<bm::policies::ignore_error>,
    bm::policies::overflow_error<bm::policies::ignore_error>,
    bm::policies::evaluation_error<bm::policies::ignore_error>>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Sum of squared deviations about m, in index order.
double SumSquaredDeviations(const std::vector<double>& x, double m) {
  double s = 0.0;
  for (double v : x) {
    const double dv = v - m;
    s += dv * dv;
  }
  return s;
}

// Upper tail P(T > t) for Student's t with df degrees of freedom.
double StudentUpperTail(double t, double df) {
  const bm::students_t_distribution<double, Policy> dist(df);
  return bm::cdf(bm::complement(dist, t));
}

// Fills the p-values of `c` from r and n (n >= 3, r finite).
void CorrelationPValues(Correlation* c) {
  const double r = c->r;
  if (r >= 1.0 || r <= -1.0) {
    c->p_two_sided = 0.0;
    c->p_greater = r > 0.0 ? 0.0 : 1.0;
    return;
  }
  const double df = static_cast<double>(c->n - 2);
  const double t = r * std::sqrt(df / ((1.0 - r) * (1.0 + r)));
  c->p_greater = StudentUpperTail(t, df);
  c->p_two_sided = std::min(1.0, 2.0 * StudentUpperTail(std::fabs(t), df));
}

}  // namespace

double Mean(const std::vector<double>& x) {
  if (x.empty()) return kNaN;
  double s = 0.0;
  for (double v : x) s += v;
  return s / static_cast<double>(x.size());
}

double SampleVariance(const std::vector<double>& x) {
  if (x.size() < 2) return kNaN;
  return SumSquaredDeviations(x, Mean(x)) / static_cast<double>(x.size() - 1);
}

double SampleStdDev(const std::vector<double>& x) {
  return std::sqrt(SampleVariance(x));
}

namespace {
// Sorts x ascending; false (x unusable) when it is empty or holds a NaN.
bool SortFinite(std::vector<double>* x) {
  if (x->empty()) return false;
  for (double v : *x)
    if (std::isnan(v)) return false;
  std::sort(x->begin(), x->end());
  return true;
}
}  // namespace

double Median(std::vector<double> x) {
  if (!SortFinite(&x)) return std::numeric_limits<double>::quiet_NaN();
  const size_t n = x.size();
  return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

double Quantile(std::vector<double> x, double q) {
  if (!(q >= 0 && q <= 1) || !SortFinite(&x))
    return std::numeric_limits<double>::quiet_NaN();
  const double h = q * static_cast<double>(x.size() - 1);
  const size_t j = static_cast<size_t>(std::floor(h));
  const double g = h - static_cast<double>(j);
  if (g == 0 || j + 1 >= x.size()) return x[j];
  return x[j] + g * (x[j + 1] - x[j]);
}

Correlation Pearson(const std::vector<double>& x,
                    const std::vector<double>& y) {
  Correlation c{kNaN, kNaN, kNaN, static_cast<int64_t>(x.size())};
  if (x.size() != y.size()) {
    c.n = -1;
    return c;
  }
  if (x.size() < 3) return c;
  const double mx = Mean(x);
  const double my = Mean(y);
  double sxy = 0.0;
  for (size_t i = 0; i < x.size(); ++i) sxy += (x[i] - mx) * (y[i] - my);
  const double sxx = SumSquaredDeviations(x, mx);
  const double syy = SumSquaredDeviations(y, my);
  if (!(sxx > 0.0) || !(syy > 0.0)) return c;
  // Rounding can push |r| a hair past 1.
  c.r = std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
  CorrelationPValues(&c);
  return c;
}

std::vector<double> AverageRanks(const std::vector<double>& x) {
  const size_t n = x.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&x](size_t a, size_t b) { return x[a] < x[b]; });
  std::vector<double> ranks(n);
  size_t i = 0;
  while (i < n) {
    size_t j = i + 1;
    while (j < n && x[order[j]] == x[order[i]]) ++j;
    // Positions i..j-1 hold ranks i+1..j; their mean is exact in double.
    const double rank = 0.5 * static_cast<double>(i + 1 + j);
    for (size_t t = i; t < j; ++t) ranks[order[t]] = rank;
    i = j;
  }
  return ranks;
}

Correlation Spearman(const std::vector<double>& x,
                     const std::vector<double>& y) {
  if (x.size() != y.size()) return Pearson(x, y);
  return Pearson(AverageRanks(x), AverageRanks(y));
}

TTest WelchT(const std::vector<double>& a, const std::vector<double>& b) {
  TTest r{kNaN,
          kNaN,
          kNaN,
          kNaN,
          static_cast<int64_t>(a.size()),
          static_cast<int64_t>(b.size())};
  if (a.size() < 2 || b.size() < 2) return r;
  const double n1 = static_cast<double>(a.size());
  const double n2 = static_cast<double>(b.size());
  const double q1 = SampleVariance(a) / n1;
  const double q2 = SampleVariance(b) / n2;
  const double se2 = q1 + q2;
  if (!(se2 > 0.0)) return r;
  r.t = (Mean(a) - Mean(b)) / std::sqrt(se2);
  r.df = (se2 * se2) / (q1 * q1 / (n1 - 1.0) + q2 * q2 / (n2 - 1.0));
  r.p_greater = StudentUpperTail(r.t, r.df);
  r.p_two_sided = std::min(1.0, 2.0 * StudentUpperTail(std::fabs(r.t), r.df));
  return r;
}

double StudentTTwoSided(const std::vector<double>& a,
                        const std::vector<double>& b) {
  const double n1 = static_cast<double>(a.size());
  const double n2 = static_cast<double>(b.size());
  if (a.size() < 2 || b.size() < 2) return kNaN;
  const double pooled =
      ((n1 - 1) * SampleVariance(a) + (n2 - 1) * SampleVariance(b)) /
      (n1 + n2 - 2);
  if (!(pooled > 0)) return kNaN;
  const double t =
      (Mean(a) - Mean(b)) / std::sqrt(pooled * (1 / n1 + 1 / n2));
  return 2 * StudentUpperTail(std::fabs(t), n1 + n2 - 2);
}

double SignTestPGreater(int64_t positives, int64_t negatives) {
  if (positives < 0 || negatives < 0) return kNaN;
  if (positives == 0) return 1.0;
  const bm::binomial_distribution<double, Policy> dist(
      static_cast<double>(positives + negatives), 0.5);
  // P(X > positives - 1) == P(X >= positives).
  return bm::cdf(bm::complement(dist, static_cast<double>(positives - 1)));
}

}  // namespace initrepro
