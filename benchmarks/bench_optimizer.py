"""Would an L-BFGS of our own pay? SciPy's L-BFGS-B against a NumPy L-BFGS.

The issue allows a hand-written optimiser only if it gains a lot and
converges as reliably; this script measures the gain before anyone writes
one into the package. The NumPy L-BFGS here is the textbook algorithm
(Nocedal & Wright, Algorithm 7.4/7.5: two-loop recursion over the last 10
pairs, initial Hessian scaling s'y / y'y, first step 1/||g||) with SciPy's
own Moré-Thuente line search (``line_search_wolfe1``, MINPACK's dcsrch,
the one L-BFGS-B uses; c1 = 1e-3, c2 = 0.9 as L-BFGS-B). It is a
measurement device, not a package solver: no bounds, no restarts, no
safeguards beyond skipping pairs with y's < eps.

Problem: fine-tuning 784-200-200-10 on 4,000 MNIST digits from a pretrained
start (5 pretraining iterations per layer, then the softmax), the exact
function the package hands to L-BFGS (``benchmarks/_objective.py``), under
the package's BLAS thread settings (``managed_blas_threads``). Printed:
per solver, seconds per iteration, evaluations per iteration, the loss after
each budget; then two runs at once in two threads (one BLAS thread each)
against one alone, the GIL question of ``bench_load.py --gil``.

    python benchmarks/bench_optimizer.py [--iterations 100]
"""

import argparse
import time
import warnings

import numpy as np
import scipy.optimize
from scipy.optimize._linesearch import line_search_wolfe1
from threadpoolctl import threadpool_limits

from skstackedae import StackedAEClassifier
from skstackedae._network import network_loss_grad
from skstackedae._threads import managed_blas_threads

from _data import mnist_sample
from _objective import flat_objective
from _timing import alone_and_two_at_once


def numpy_lbfgs(fun, x, max_iter, m=10, gtol=1e-5):
    """Minimise ``fun(x) -> (f, g)``; returns (x, f, evaluations, losses)."""
    cache = {}

    def evaluate(z):
        # The line search asks for f and g at a point separately: one evaluation.
        if "x" not in cache or not np.array_equal(cache["x"], z):
            cache["f"], cache["g"] = fun(z)
            cache["x"] = z.copy()
            cache["n"] = cache.get("n", 0) + 1
        return cache["f"], cache["g"]

    f, g = evaluate(x)
    S, Y, rho = [], [], []
    losses, old_f = [], None
    for k in range(max_iter):
        if np.max(np.abs(g)) <= gtol:
            break
        q = g.copy()
        alphas = []
        for s, y, r in zip(reversed(S), reversed(Y), reversed(rho)):
            a = r * (s @ q)
            q -= a * y
            alphas.append(a)
        if S:
            q *= (S[-1] @ Y[-1]) / (Y[-1] @ Y[-1])
        for (s, y, r), a in zip(zip(S, Y, rho), reversed(alphas)):
            q += (a - r * (y @ q)) * s
        d = -q
        step0 = 1.0 / np.linalg.norm(g) if k == 0 else 1.0
        stp, _, _, f_new, _, _ = line_search_wolfe1(
            lambda z: evaluate(z)[0], lambda z: evaluate(z)[1], x, d * step0, g, f, old_f,
            c1=1e-3, c2=0.9, amin=1e-20, amax=1e10,
        )
        if stp is None:
            break
        x_new = x + stp * step0 * d
        f_new, g_new = evaluate(x_new)
        s, y = x_new - x, g_new - g
        sy = s @ y
        if sy > np.finfo(float).eps * (y @ y):
            S.append(s), Y.append(y), rho.append(1.0 / sy)
            if len(S) > m:
                S.pop(0), Y.pop(0), rho.pop(0)
        old_f, x, f, g = f, x_new, f_new, g_new
        losses.append(f)
    return x, f, cache["n"], losses


def scipy_lbfgs(fun, x, max_iter):
    losses = []

    def callback(intermediate_result):
        losses.append(intermediate_result.fun)

    result = scipy.optimize.minimize(
        fun, x, jac=True, method="L-BFGS-B", callback=callback,
        options={"maxiter": max_iter, "gtol": 1e-5},
    )
    return result.x, result.fun, result.nfev, losses


def fine_tuning_problem():
    X, _, y, _ = mnist_sample()
    warnings.simplefilter("ignore")
    clf = StackedAEClassifier((200, 200), pretrain_max_iter=5, fine_tune=False,
                              random_state=0).fit(X, y)
    _, y_index = np.unique(y, return_inverse=True)

    def make():
        """A fresh objective and start (each with its own buffers: runs in
        two threads must not share them)."""
        buffers = {}

        def loss_grad(coefs, intercepts, coef_grads, intercept_grads, rows=None):
            return network_loss_grad(coefs, intercepts, X, y_index, alpha=1e-4,
                                     coef_grads=coef_grads, intercept_grads=intercept_grads,
                                     buffers=buffers)

        return flat_objective(loss_grad, list(clf.coefs_), list(clf.intercepts_))

    return make


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100)
    args = parser.parse_args()
    problem = fine_tuning_problem()
    solvers = {"SciPy L-BFGS-B": scipy_lbfgs, "NumPy L-BFGS": numpy_lbfgs}
    alone = {}
    for name, solver in solvers.items():
        fun, x0 = problem()
        start = time.perf_counter()
        with managed_blas_threads():  # the package's thread settings for both
            _, f, n_eval, losses = solver(fun, x0, args.iterations)
        seconds = time.perf_counter() - start
        alone[name] = seconds
        marks = {k: losses[k - 1] for k in (10, 25, 50, 100, 200) if k <= len(losses)}
        print(f"{name:<16} {len(losses)} its {seconds:6.2f}s  "
              f"{seconds / len(losses) * 1e3:6.1f} ms/it  {n_eval / len(losses):.2f} evals/it  "
              + "  ".join(f"loss@{k} {v:.5f}" for k, v in marks.items()), flush=True)

    print("\ntwo runs at once in two threads, one BLAS thread each:")
    for name, solver in solvers.items():
        def make_run(solver=solver):
            fun, x0 = problem()
            return lambda: solver(fun, x0, args.iterations // 2)

        with threadpool_limits(1):
            one, both, results = alone_and_two_at_once(make_run)
        iterations = [len(losses) for *_, losses in results]
        print(f"{name:<16} one {one:6.2f}s  two at once {both:6.2f}s ({iterations} its)  "
              f"ratio {both / one:.2f} (1.0: they overlap; 2.0: serialised)", flush=True)


if __name__ == "__main__":
    main()
