#!/usr/bin/python3
# Reference numbers for src/stats/power_test.cc, computed outside this
# project: Debian's python3-statsmodels 0.13.5, python3-scipy 1.10.1 and
# python3-numpy 1.24.2 (`apt-get install python3-statsmodels`). Run:
#   /usr/bin/python3 src/stats/testdata/power_reference.py
# and paste the printed constants into power_test.cc. Every verdict rule
# below is written from src/verdict/verdict.cc at level 0.99.
import numpy as np
from scipy import stats
from statsmodels.stats.power import TTestPower, TTestIndPower
from statsmodels.stats.proportion import proportion_confint

LEVEL = 0.99
ALPHA = 1 - LEVEL
Q = stats.norm.ppf(0.5 + LEVEL / 2)


def cp(x, n):
    lo, hi = proportion_confint(x, n, alpha=ALPHA, method="beta")
    if x == 0:
        lo = 0.0
    if x == n:
        hi = 1.0
    return lo, hi


def fraction(rate, n, thr):  # kFraction: exact enumeration
    rep = nr = 0.0
    for x in range(n + 1):
        lo, hi = cp(x, n)
        pmf = stats.binom.pmf(x, n, rate)
        if x / n >= thr and lo >= thr:
            rep += pmf
        elif hi < thr:
            nr += pmf
    return rep, nr


def sign(rate, n):  # kSignTest: null 0.5 strict, rule out below 0.55
    rep = nr = 0.0
    for x in range(n + 1):
        lo, hi = cp(x, n)
        pmf = stats.binom.pmf(x, n, rate)
        if lo > 0.5:
            rep += pmf
        elif hi < 0.55:
            nr += pmf
    return rep, nr


def odds_ratio(r1, r2, n):  # kOddsRatio via scipy's Fisher exact test
    rep = nr = 0.0
    for a in range(n + 1):
        for c in range(n + 1):
            k = a + c
            if k == 0 or k == 2 * n:
                continue
            pt = stats.binom.pmf(a, n, r1) * stats.binom.pmf(c, n, r2)
            table = [[a, n - a], [c, n - c]]
            if stats.fisher_exact(table, "greater")[1] < ALPHA / 2:
                rep += pt
            elif stats.fisher_exact(table, "less")[1] < ALPHA / 2:
                nr += pt
    return rep, nr


def paired(delta, n):  # statsmodels' noncentral-t power + scipy's nct cdf
    rep = TTestPower().power(effect_size=delta, nobs=n, alpha=ALPHA / 2,
                             alternative="larger")
    qt = stats.t.ppf(0.5 + LEVEL / 2, n - 1)
    t_not = min(0.2 * np.sqrt(n) - qt, qt)
    nr = stats.nct.cdf(t_not, n - 1, delta * np.sqrt(n))
    return rep, nr


def welch_balanced(delta, n):  # n units, n / 2 per group
    m = n // 2
    rep = TTestIndPower().power(effect_size=delta, nobs1=m, ratio=1.0,
                                alpha=ALPHA / 2, alternative="larger")
    qt = stats.t.ppf(0.5 + LEVEL / 2, n - 2)
    t_not = min(0.2 / np.sqrt(2 / m) - qt, qt)
    nr = stats.nct.cdf(t_not, n - 2, delta / np.sqrt(2 / m))
    return rep, nr


def simulate_correlation(rho_pearson, n, thr, rule_out, spearman, sims,
                         seed):
    """Monte-Carlo of the real rule on bivariate normal samples."""
    rng = np.random.default_rng(seed)
    rep = nr = 0
    cov = [[1, rho_pearson], [rho_pearson, 1]]
    for _ in range(sims):
        xy = rng.multivariate_normal([0, 0], cov, size=n)
        if spearman:
            r, p = stats.spearmanr(xy[:, 0], xy[:, 1])
            # SpearmanInterval: a perfect ranking takes the interval of
            # the nearest rho the ranks can take.
            at = r * (1 - 12 / (n * (n * n - 1))) if abs(r) == 1 else r
            se = np.sqrt((1 + at * at / 2) / (n - 3))
            lo = np.tanh(np.arctanh(at) - Q * se)
            hi = np.tanh(np.arctanh(at) + Q * se)
        else:
            r, p = stats.pearsonr(xy[:, 0], xy[:, 1])
            se = 1 / np.sqrt(n - 3)
            lo = np.tanh(np.arctanh(r) - Q * se)
            hi = np.tanh(np.arctanh(r) + Q * se)
        if r > thr and lo > 0 and p < 0.01:
            rep += 1
        elif hi < rule_out:
            nr += 1
    return rep / sims, nr / sims


def show(name, v):
    print(f"  {{\"{name}\", {v[0]!r}, {v[1]!r}}},")


show("fraction rate 0.97 n 100 thr 0.9", fraction(0.97, 100, 0.9))
show("fraction rate 0.8 n 60 thr 0.9", fraction(0.8, 60, 0.9))
show("fraction rate 1 n 51 thr 0.9", fraction(1.0, 51, 0.9))
show("fraction rate 1 n 50 thr 0.9", fraction(1.0, 50, 0.9))
show("fraction rate 0.9 n 200 thr 0.9", fraction(0.9, 200, 0.9))
show("sign rate 0.8 n 40", sign(0.8, 40))
show("sign rate 0.5 n 400", sign(0.5, 400))
show("odds ratio 0.9 vs 0.2 n 15", odds_ratio(0.9, 0.2, 15))
show("odds ratio 0.5 vs 0.5 n 20", odds_ratio(0.5, 0.5, 20))
show("odds ratio 0.1 vs 0.6 n 12", odds_ratio(0.1, 0.6, 12))
show("paired delta 0.8 n 15", paired(0.8, 15))
show("paired delta 0 n 300", paired(0.0, 300))
show("welch delta 0.5 n 100", welch_balanced(0.5, 100))
show("welch delta 0.1 n 1000", welch_balanced(0.1, 1000))
# Simulations (seeded numpy): the normal approximations' own error shows
# here, so the test allows 0.02.
show("pearson sim rho 0.5 n 30", simulate_correlation(0.5, 30, 0.0, 0.1,
                                                      False, 20000, 17))
show("pearson sim rho 0 n 1000", simulate_correlation(0.0, 1000, 0.0, 0.1,
                                                      False, 4000, 18))
# Spearman rho_s of a bivariate normal: 6 / pi asin(rho / 2); rho chosen
# for rho_s = 0.6 and 0.9.
for rho_s, n, thr, seed in [(0.6, 20, 0.5, 19), (0.9, 12, 0.8, 20)]:
    rho = 2 * np.sin(np.pi * rho_s / 6)
    show(f"spearman sim rho_s {rho_s} n {n} thr {thr}",
         simulate_correlation(rho, n, thr, max(thr, 0.1), True, 20000, seed))
# Sample sizes: statsmodels' solve_power (continuous n; the planner's n is
# its ceiling, the not_reproduced share being negligible at these effects).
print("  paired n for delta 0.8, power 0.8:",
      TTestPower().solve_power(effect_size=0.8, alpha=ALPHA / 2, power=0.8,
                               alternative="larger"))
print("  welch n per group for delta 0.5, power 0.8:",
      TTestIndPower().solve_power(effect_size=0.5, alpha=ALPHA / 2,
                                  power=0.8, ratio=1.0,
                                  alternative="larger"))
