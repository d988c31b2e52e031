# Reference numbers of ode_fit_test.cc, from Debian 12's python3-sklearn
# 1.2.1 (numpy 1.24.2): /usr/bin/python3 src/analysis/ode_fit_sklearn_ref.py
# The problem below is the test's FixedProblem() (every value exact in
# binary). Not run by the test; kept so the numbers can be regenerated.
import numpy as np, sklearn
from sklearn.linear_model import Lasso, LinearRegression
n, f, o = 12, 3, 2
X = np.array([[((i*7 + j*3 + i*j) % 11) / 8.0 - 0.5 for j in range(f)] for i in range(n)])
W = np.array([[0.5, -0.25, 0.0625], [-0.125, 0.375, 0.0]])
Y = X @ W.T + np.array([[((i*5 + k*3) % 7) / 16.0 for k in range(o)] for i in range(n)])
print(sklearn.__version__)
for a in [0.01, 0.05]:
    r = Lasso(alpha=a).fit(X, Y)
    print("alpha", a, "coef", repr(r.coef_.tolist()), "intercept", repr(r.intercept_.tolist()), "score", repr(r.score(X, Y)), "n_iter", r.n_iter_)
r = LinearRegression().fit(X, Y)
print("ols coef", repr(r.coef_.tolist()), "intercept", repr(r.intercept_.tolist()), "score", repr(r.score(X, Y)))
