"""scikit-learn checks that parametrize_with_checks does not run (scikit-learn
calls them explicitly in its own test suite), and the pretraining table."""

import inspect
import re

import pytest
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_global_output_transform_pandas,
    check_global_set_output_transform_polars,
    check_param_validation,
    check_set_output_transform,
    check_set_output_transform_pandas,
    check_set_output_transform_polars,
)

from skstackedae import (
    SparseAutoencoder,
    StackedAEClassifier,
    StackedAERegressor,
    StackedAutoencoder,
)

STACKS = [StackedAEClassifier, StackedAERegressor, StackedAutoencoder]
ESTIMATORS = [
    SparseAutoencoder(n_components=5, max_iter=20, random_state=0),
    SparseAutoencoder(n_components=5, solver="adam", max_iter=5, random_state=0),
    StackedAEClassifier((6,), pretrain_max_iter=10, max_iter=20, random_state=0),
    StackedAEClassifier((6,), solver="sgd", pretrain_max_iter=5, max_iter=5, random_state=0),
    StackedAERegressor((6,), pretrain_max_iter=10, max_iter=20, random_state=0),
    StackedAERegressor((6,), solver="sgd", pretrain_max_iter=5, max_iter=5, random_state=0),
    StackedAutoencoder((6, 3), pretrain_max_iter=10, max_iter=20, random_state=0),
    StackedAutoencoder((6, 3), solver="adam", pretrain_max_iter=5, max_iter=5, random_state=0),
]
TRANSFORMERS = [e for e in ESTIMATORS if hasattr(e, "transform")]
ALL_CHECKS = [check_param_validation, check_dataframe_column_names_consistency]
TRANSFORMER_CHECKS = [
    check_set_output_transform,
    check_set_output_transform_pandas,
    check_global_output_transform_pandas,
    check_set_output_transform_polars,
    check_global_set_output_transform_polars,
]


def _id(value):
    return (
        value.__name__
        if callable(value) and not hasattr(value, "fit")
        else repr(value).replace(" ", "")
    )


@pytest.mark.parametrize("check", ALL_CHECKS, ids=_id)
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_explicit_checks(estimator, check):
    check(type(estimator).__name__, estimator)


# These checks fit on a DataFrame and transform an array, and the reverse, on
# purpose, which warns (as it should) about the feature names; setup.cfg makes
# warnings errors, so those two messages are let through here.
@pytest.mark.filterwarnings("ignore:X does not have valid feature names:UserWarning")
@pytest.mark.filterwarnings("ignore:X has feature names, but:UserWarning")
@pytest.mark.parametrize("check", TRANSFORMER_CHECKS, ids=_id)
@pytest.mark.parametrize("estimator", TRANSFORMERS, ids=_id)
def test_explicit_set_output_checks(estimator, check):
    pytest.importorskip("polars" if "polars" in check.__name__ else "pandas")
    check(type(estimator).__name__, estimator)


def _defaults(cls):
    return {
        name: p.default
        for name, p in inspect.signature(cls.__init__).parameters.items()
        if p.default is not inspect.Parameter.empty
    }


@pytest.mark.parametrize("cls", [SparseAutoencoder, *STACKS], ids=lambda c: c.__name__)
def test_docstring_documents_every_parameter_once(cls):
    doc = cls.__doc__
    assert not re.search(r"\{[a-z_]+\}", doc), re.findall(r"\{[a-z_]+\}", doc)
    for name in _defaults(cls):
        assert len(re.findall(rf"^    {name} : ", doc, flags=re.MULTILINE)) == 1, name
