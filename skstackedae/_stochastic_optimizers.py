"""Adam and SGD with Nesterov momentum, stepping a flat parameter vector in
place: the same updates as scikit-learn's
``sklearn/neural_network/_stochastic_optimizers.py``, which steps a list of
arrays. The solvers keep every parameter in one buffer (see
:mod:`skstackedae._solvers`), so the step is one vector operation.
"""

import numpy as np


class AdamOptimizer:
    """Adam (Kingma & Ba, 2015) on a flat parameter vector, in place.

    The same update as scikit-learn's ``AdamOptimizer``::

        m <- beta_1 m + (1 - beta_1) g
        v <- beta_2 v + (1 - beta_2) g^2
        theta <- theta - lr sqrt(1 - beta_2^t) / (1 - beta_1^t) m / (sqrt(v) + eps)
    """

    def __init__(self, size, dtype, learning_rate_init, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.learning_rate_init = learning_rate_init
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        self.m = np.zeros(size, dtype=dtype)
        self.v = np.zeros(size, dtype=dtype)
        self._step = np.empty(size, dtype=dtype)

    def __getstate__(self):
        # The step's scratch buffer is not state: a third less to pickle
        # (dask-ml's Incremental sends the model with every block).
        state = self.__dict__.copy()
        del state["_step"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._step = np.empty_like(self.m)

    def step(self, theta, grad):
        self.t += 1
        self.m *= self.beta_1
        self.m += (1 - self.beta_1) * grad
        self.v *= self.beta_2
        self.v += (1 - self.beta_2) * grad * grad
        rate = (
            self.learning_rate_init
            * np.sqrt(1 - self.beta_2**self.t)
            / (1 - self.beta_1**self.t)
        )
        np.sqrt(self.v, out=self._step)
        self._step += self.epsilon
        np.divide(self.m, self._step, out=self._step)
        self._step *= rate
        theta -= self._step


class SGDOptimizer:
    """SGD with Nesterov momentum (MLPClassifier's defaults), in place::

        velocity <- momentum velocity - lr g
        theta <- theta + momentum velocity - lr g
    """

    def __init__(self, size, dtype, learning_rate_init, momentum=0.9):
        self.learning_rate_init = learning_rate_init
        self.momentum = momentum
        self.velocity = np.zeros(size, dtype=dtype)

    def step(self, theta, grad):
        self.velocity *= self.momentum
        self.velocity -= self.learning_rate_init * grad
        theta += self.momentum * self.velocity - self.learning_rate_init * grad


#: The optimiser class of each mini-batch solver.
OPTIMIZERS = {"adam": AdamOptimizer, "sgd": SGDOptimizer}
