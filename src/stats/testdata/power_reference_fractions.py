#!/usr/bin/python3
# Reference numbers for the "less" and "inside" fraction cases of
# src/stats/power_test.cc, computed by hand in exact rational arithmetic
# (Python's fractions; no scipy, no floating point until the final print).
# Run:  python3 src/stats/testdata/power_reference_fractions.py
#
# Method. The Clopper-Pearson bounds are never computed: each comparison of
# verdict.cc with a bound is replaced by its defining tail equation at the
# threshold t (alpha / 2 = 1/200 at level 0.99), since P(X >= x; p) rises
# and P(X <= x; p) falls with p:
#   low(x)  >= t  <=>  x >= 1 and P(Bin(n, t) >= x) <= 1/200   (low(0) = 0)
#   low(x)  >  t  <=>  x >= 1 and P(Bin(n, t) >= x) <  1/200
#   high(x) <= t  <=>  x <  n and P(Bin(n, t) <= x) <= 1/200   (high(n) = 1)
#   high(x) <  t  <=>  x <  n and P(Bin(n, t) <= x) <  1/200
# t is the exact rational value of the double the spec declares. The
# outcome probabilities are then sums of the exact binomial pmf at the true
# rate over the x of each outcome.
import math
from fractions import Fraction as F

HALF_ALPHA = F(1, 200)


def pmf(n, p, x):
    return math.comb(n, x) * p**x * (1 - p) ** (n - x)


def upper(n, t, x):  # P(Bin(n, t) >= x)
    return sum(pmf(n, t, k) for k in range(x, n + 1))


def lower(n, t, x):  # P(Bin(n, t) <= x)
    return sum(pmf(n, t, k) for k in range(0, x + 1))


def low_ge(x, n, t):
    return t <= 0 if x == 0 else upper(n, t, x) <= HALF_ALPHA


def low_gt(x, n, t):
    return t < 0 if x == 0 else upper(n, t, x) < HALF_ALPHA


def high_le(x, n, t):
    return t >= 1 if x == n else lower(n, t, x) <= HALF_ALPHA


def high_lt(x, n, t):
    return t > 1 if x == n else lower(n, t, x) < HALF_ALPHA


def less(rate, n, t):  # kFraction, Side::kLess
    rate, t = F(rate), F(t)
    rep = nr = F(0)
    for x in range(n + 1):
        if F(x, n) <= t and high_le(x, n, t):
            rep += pmf(n, rate, x)
        elif low_gt(x, n, t):
            nr += pmf(n, rate, x)
    return rep, nr


def inside(rate, n, t, th):  # kFractionInside
    rate, t, th = F(rate), F(t), F(th)
    rep = nr = F(0)
    for x in range(n + 1):
        if low_ge(x, n, t) and high_le(x, n, th):
            rep += pmf(n, rate, x)
        elif high_lt(x, n, t) or low_gt(x, n, th):
            nr += pmf(n, rate, x)
    return rep, nr


def min_less(rates, n, t):  # kMinFraction, Side::kLess, independent groups
    all_rep, none_out = F(1), F(1)
    for r in rates:
        rep, nr = less(r, n, t)
        all_rep *= rep
        none_out *= 1 - nr
    return all_rep, 1 - none_out


below_01 = math.nextafter(0.1, 0.0)
cases = [
    ("less rate 0.02 n 51 thr 0.1-", less(0.02, 51, below_01)),
    ("less rate 0.05 n 100 thr 0.1", less(0.05, 100, 0.1)),
    ("less rate 0.2 n 60 thr 0.1", less(0.2, 60, 0.1)),
    ("less rate 0 n 50 thr 0.1-", less(0.0, 50, below_01)),
    ("less rate 0 n 51 thr 0.1-", less(0.0, 51, below_01)),
    ("inside rate 0 n 50", inside(0.0, 50, 0.1, 0.9)),
    ("inside rate 0 n 51", inside(0.0, 51, 0.1, 0.9)),
    ("inside rate 0.5 n 40", inside(0.5, 40, 0.1, 0.9)),
    ("inside rate 0.3 n 30", inside(0.3, 30, 0.1, 0.9)),
    ("inside rate 0.12 n 80", inside(0.12, 80, 0.1, 0.9)),
    ("min less 0.02 0.05 n 80 thr 0.1-", min_less([0.02, 0.05], 80, below_01)),
]
for name, (rep, nr) in cases:
    print('      {"%s", %r, %r},' % (name, float(rep), float(nr)))
