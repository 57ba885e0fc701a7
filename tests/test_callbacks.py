"""scikit-learn's callbacks (scikit-learn >= 1.9): the task tree of a fit,
evaluated models per iteration, propagation from meta-estimators."""

import re
import threading
from collections import Counter

import numpy as np
import pytest

callback = pytest.importorskip("sklearn.callback")  # absent before scikit-learn 1.9

from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler  # noqa: E402

from skstackedae import (  # noqa: E402
    SparseAutoencoder,
    StackedAEClassifier,
    StackedAERegressor,
    StackedAutoencoder,
)


class Recorder:
    """A callback that records every hook call."""

    def __init__(self):
        self.events = []

    def setup(self, estimator, context):
        self.events.append(("setup", type(estimator).__name__))

    def teardown(self, estimator, context):
        self.events.append(("teardown", type(estimator).__name__))

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None, metadata=None,
                          fitted_estimator=None):
        self.events.append(("begin", context.task_name))

    def on_fit_task_end(self, estimator, context, *, X=None, y=None, metadata=None,
                        fitted_estimator=None):
        self.events.append(("end", context.task_name, fitted_estimator))

    def counts(self):
        return Counter(event[:2] for event in self.events)


class PropagatedRecorder(Recorder, callback.AutoPropagatedCallback):
    max_propagation_depth = None


@pytest.fixture
def data(small_digits):
    return small_digits


def test_classifier_task_tree(data):
    X, y = data
    recorder = Recorder()
    clf = StackedAEClassifier((12, 6), pretrain_max_iter=3, max_iter=4, random_state=0)
    clf.set_callbacks(recorder).fit(X, y)
    counts = recorder.counts()
    n_iterations = len(clf.softmax_loss_curve_) + len(clf.loss_curve_)
    assert counts == {
        ("setup", "StackedAEClassifier"): 1, ("teardown", "StackedAEClassifier"): 1,
        ("begin", "fit"): 1, ("end", "fit"): 1,
        ("begin", "pretraining layer 1 of 2"): 1, ("end", "pretraining layer 1 of 2"): 1,
        ("begin", "pretraining layer 2 of 2"): 1, ("end", "pretraining layer 2 of 2"): 1,
        ("begin", "softmax"): 1, ("end", "softmax"): 1,
        ("begin", "fine-tuning"): 1, ("end", "fine-tuning"): 1,
        ("begin", "iteration"): n_iterations, ("end", "iteration"): n_iterations,
    }
    assert [e[:2] for e in recorder.events[:3]] == [
        ("setup", "StackedAEClassifier"), ("begin", "fit"), ("begin", "pretraining layer 1 of 2")
    ]
    # Each iteration hands over a fitted model: the last one is the result.
    last = [e[2] for e in recorder.events if e[:2] == ("end", "iteration")][-1]
    np.testing.assert_allclose(last.predict_proba(X), clf.predict_proba(X))
    assert not hasattr(clf, "_fit_task")


def test_propagated_callbacks_reach_the_autoencoders(data):
    X, y = data
    recorder = PropagatedRecorder()
    clf = StackedAEClassifier((12, 6), pretrain_max_iter=3, max_iter=4, random_state=0)
    clf.set_callbacks(recorder).fit(X, y)
    counts = recorder.counts()
    # The autoencoders' own fit and phase tasks merge into the pretraining tasks.
    n_iterations = (sum(ae.n_iter_ for ae in clf.autoencoders_)
                    + len(clf.softmax_loss_curve_) + len(clf.loss_curve_))
    assert counts[("begin", "iteration")] == n_iterations
    assert counts[("begin", "SparseAutoencoder(12)")] == 1
    assert counts[("setup", "StackedAEClassifier")] == 1  # set up once, at the top
    assert ("setup", "SparseAutoencoder") not in counts


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_scoring_monitor_scores_every_iteration(data, solver):
    X, y = data
    monitor = callback.ScoringMonitor(scoring="accuracy")
    clf = StackedAEClassifier((12,), pretrain_max_iter=3, max_iter=5, solver=solver,
                              random_state=0)
    clf.set_callbacks(monitor).fit(X, y)
    log = monitor.get_logs().data_as_pandas
    iterations = log[log["task_name"] == "iteration"]
    scores = iterations["accuracy"].to_numpy()
    assert scores.shape[0] == len(clf.softmax_loss_curve_) + len(clf.loss_curve_)
    assert scores[-1] == pytest.approx(clf.score(X, y))


def test_regressor_and_deep_autoencoder_report_iterations(data):
    X, y = data
    for model in (StackedAERegressor((8,), pretrain_max_iter=3, max_iter=3, random_state=0),
                  StackedAutoencoder((8, 4), pretrain_max_iter=3, max_iter=3, random_state=0),
                  SparseAutoencoder(8, max_iter=3, random_state=0)):
        recorder = Recorder()
        model.set_callbacks(recorder).fit(X, y.astype(float))
        counts = recorder.counts()
        assert counts[("begin", "fit")] == counts[("end", "fit")] == 1
        assert counts[("begin", "iteration")] == counts[("end", "iteration")] > 0
        assert ("teardown", type(model).__name__) in counts


@pytest.mark.parametrize("model", [
    StackedAEClassifier((8,), pretrain_max_iter=3, max_iter=4, random_state=0),
    StackedAERegressor((8,), pretrain_max_iter=3, max_iter=4, random_state=0),
    StackedAutoencoder((8, 4), pretrain_max_iter=3, max_iter=4, random_state=0),
], ids=lambda m: type(m).__name__)
def test_reported_models_are_in_the_inputs_units(data, model):
    # Real-valued input trains in normalised units (linear decoder); each
    # iteration's model is handed over in the input's, as the fitted one.
    X, y = data
    X = X * 50.0 - 3.0
    recorder = Recorder()
    model.set_callbacks(recorder).fit(X, y if hasattr(model, "predict_proba") else y * 1.0)
    assert model.autoencoders_[0].input_scale_ is not None
    last = [e[2] for e in recorder.events if e[:2] == ("end", "iteration")][-1]
    np.testing.assert_allclose(last.coefs_[0], model.coefs_[0])
    np.testing.assert_allclose(last.coefs_[-1], model.coefs_[-1])
    np.testing.assert_allclose(last.intercepts_[-1], model.intercepts_[-1])


def test_callbacks_are_torn_down_when_the_fit_fails(data, monkeypatch):
    import skstackedae._stacked_base

    X, y = data
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) > 3:
            raise RuntimeError("boom")
        return skstackedae._network.network_loss_grad(*args, **kwargs)

    monkeypatch.setattr(skstackedae._stacked_base, "network_loss_grad", failing)
    recorder = Recorder()
    clf = StackedAEClassifier((8,), pretrain_max_iter=3, max_iter=5, random_state=0)
    clf.set_callbacks(recorder)
    with pytest.raises(RuntimeError, match="boom"):
        clf.fit(X, y)
    assert recorder.events[-1] == ("teardown", "StackedAEClassifier")
    assert not hasattr(clf, "coefs_") and not hasattr(clf, "_fit_task")


class RecordingProgressBar(callback.ProgressBar):
    """scikit-learn's ProgressBar, recording the hooks it receives."""

    def __init__(self):
        super().__init__(max_propagation_depth=None)
        self.events = []

    def on_fit_task_begin(self, estimator, context, **kwargs):
        self.events.append(("begin", context.task_name))
        super().on_fit_task_begin(estimator, context)

    def on_fit_task_end(self, estimator, context, **kwargs):
        self.events.append(("end", context.task_name))
        super().on_fit_task_end(estimator, context)


def test_progress_bar_draws_a_finished_nested_bar_per_phase(data, capsys, monkeypatch):
    pytest.importorskip("rich")
    monkeypatch.setenv("COLUMNS", "200")  # rich's width: no truncated names
    X, y = data
    bar = RecordingProgressBar()
    clf = StackedAEClassifier((8, 4), pretrain_max_iter=3, max_iter=3, random_state=0)
    clf.set_callbacks(bar).fit(X, y)
    lines = [line.strip() for line in capsys.readouterr().out.splitlines() if line.strip()]
    # One bar per task that has subtasks, nested in the fit's order, all at 100 %.
    names = [re.split(r"\s{2,}|━", line)[0].strip() for line in lines]
    assert names == [
        "StackedAEClassifier - fit",
        "StackedAEClassifier - pretraining layer 1 of 2 | SparseAutoencoder - fit #0",
        "SparseAutoencoder - SparseAutoencoder(8) #0",
        "StackedAEClassifier - pretraining layer 2 of 2 | SparseAutoencoder - fit #1",
        "SparseAutoencoder - SparseAutoencoder(4) #0",
        "StackedAEClassifier - softmax #2",
        "StackedAEClassifier - fine-tuning #3",
    ]
    assert all("100%" in line for line in lines)
    # The events it received: every task begins and ends once, each
    # iteration (3 per autoencoder, then the softmax's and fine-tuning's) too.
    counts = Counter(bar.events)
    n_iterations = 6 + len(clf.softmax_loss_curve_) + len(clf.loss_curve_)
    assert counts[("begin", "iteration")] == counts[("end", "iteration")] == n_iterations
    # Each autoencoder's own "fit" task is merged into its pretraining task,
    # which therefore ends under the autoencoder's name.
    assert {k: v for k, v in counts.items() if k[1] != "iteration"} == {
        ("begin", "fit"): 3, ("end", "fit"): 3,
        ("begin", "pretraining layer 1 of 2"): 1, ("begin", "pretraining layer 2 of 2"): 1,
        ("begin", "SparseAutoencoder(8)"): 1, ("end", "SparseAutoencoder(8)"): 1,
        ("begin", "SparseAutoencoder(4)"): 1, ("end", "SparseAutoencoder(4)"): 1,
        ("begin", "softmax"): 1, ("end", "softmax"): 1,
        ("begin", "fine-tuning"): 1, ("end", "fine-tuning"): 1,
    }


def test_progress_bar_finishes_when_the_fit_fails(data, capsys, monkeypatch):
    pytest.importorskip("rich")
    import skstackedae._stacked_base

    monkeypatch.setenv("COLUMNS", "200")

    def failing(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(skstackedae._stacked_base, "network_loss_grad", failing)
    bar = RecordingProgressBar()
    clf = StackedAEClassifier((8,), pretrain_max_iter=3, max_iter=3, random_state=0)
    with pytest.raises(RuntimeError, match="boom"):
        clf.set_callbacks(bar).fit(*data)
    # The monitor thread was joined (teardown ran): the bars drawn so far are
    # printed and no thread is left behind.
    out = capsys.readouterr().out
    assert "StackedAEClassifier - fit" in out
    assert "SparseAutoencoder - SparseAutoencoder(8)" in out
    assert not [t for t in threading.enumerate() if type(t).__name__ == "RichProgressMonitor"]
    assert bar.events[-1] == ("begin", "softmax")


# scikit-learn warns that the scaler, one of its own, takes no callbacks.
@pytest.mark.filterwarnings("ignore:The estimator MinMaxScaler does not support callbacks")
@pytest.mark.parametrize("meta", ["pipeline", "grid search"])
def test_callbacks_propagate_from_meta_estimators(data, meta):
    X, y = data
    recorder = PropagatedRecorder()
    clf = StackedAEClassifier((8,), pretrain_max_iter=3, max_iter=3, random_state=0)
    if meta == "pipeline":
        model = make_pipeline(MinMaxScaler(), clf)
    else:
        model = GridSearchCV(clf, {"alpha": [1e-4]}, cv=2)
    model.set_callbacks(recorder).fit(X, y)
    counts = recorder.counts()
    n_fits = 1 if meta == "pipeline" else 3  # 2 folds + the refit
    assert counts[("begin", "fine-tuning")] == n_fits
    assert counts[("begin", "pretraining layer 1 of 1")] == n_fits
