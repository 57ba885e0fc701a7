"""ONNX export through skl2onnx (``pip install "skstackedae[onnx]"``).

Importing this module registers a shape calculator and a converter with
skl2onnx for every estimator, after which ``skl2onnx.to_onnx`` converts them
alone or inside a ``Pipeline``, as it does ``MLPClassifier``:

>>> import numpy as np
>>> from sklearn.datasets import load_digits
>>> from skl2onnx import to_onnx
>>> import skstackedae.onnx  # registers the converters
>>> from skstackedae import StackedAEClassifier
>>> X, y = load_digits(return_X_y=True)
>>> X = (X / 16.0).astype(np.float32)
>>> clf = StackedAEClassifier((16,), pretrain_max_iter=5, max_iter=5,
...                           random_state=0).fit(X, y)
>>> onx = to_onnx(clf, X[:1], options={"zipmap": False})
>>> [output.name for output in onx.graph.output]
['label', 'probabilities']

Every network is MatMul, Add and Sigmoid nodes, then the output unit: Softmax
(classifier), Sigmoid and a 0.5 threshold (multilabel), nothing (regressor);
the autoencoders' ``transform`` stops at their codes. The graph computes in
float32 for float32 input and in float64 for float64 input.
"""

import numpy as np
from skl2onnx import update_registered_converter
from skl2onnx.common._apply_operation import apply_cast, apply_identity, apply_reshape
from skl2onnx.common.data_types import Int64TensorType, guess_proto_type
from skl2onnx.common.shape_calculator import (
    calculate_linear_classifier_output_shapes,
    calculate_linear_regressor_output_shapes,
)
from skl2onnx.proto import onnx_proto

from ._classifier import StackedAEClassifier
from ._deep_autoencoder import StackedAutoencoder
from ._regressor import StackedAERegressor
from ._sparse_autoencoder import SparseAutoencoder

_ACTIVATIONS = {"logistic": "Sigmoid", "softmax": "Softmax", "identity": "Identity"}


def _proto_dtype(operator):
    dtype = guess_proto_type(operator.inputs[0].type)
    return dtype if dtype == onnx_proto.TensorProto.DOUBLE else onnx_proto.TensorProto.FLOAT


def _network(scope, container, operator, coefs, intercepts, output):
    """Nodes of a sigmoid network whose last layer has the unit ``output``;
    returns the name of its output."""
    proto_dtype = _proto_dtype(operator)
    np_dtype = np.float64 if proto_dtype == onnx_proto.TensorProto.DOUBLE else np.float32
    name = scope.get_unique_variable_name("input")
    apply_cast(scope, operator.inputs[0].full_name, name, container, to=proto_dtype)
    for layer, (W, b) in enumerate(zip(coefs, intercepts)):
        W_name, b_name = scope.get_unique_variable_name("W"), scope.get_unique_variable_name("b")
        container.add_initializer(W_name, proto_dtype, W.shape, W.astype(np_dtype).ravel())
        container.add_initializer(b_name, proto_dtype, [1, b.shape[0]], b.astype(np_dtype))
        product, total = scope.get_unique_variable_name("XW"), scope.get_unique_variable_name("XWb")
        container.add_node("MatMul", [name, W_name], product,
                           name=scope.get_unique_operator_name("MatMul"))
        container.add_node("Add", [product, b_name], total,
                           name=scope.get_unique_operator_name("Add"))
        unit = output if layer == len(coefs) - 1 else "logistic"
        name = scope.get_unique_variable_name("A")
        attributes = {"axis": 1} if unit == "softmax" else {}
        container.add_node(_ACTIVATIONS[unit], total, name,
                           name=scope.get_unique_operator_name(_ACTIVATIONS[unit]), **attributes)
    return name


def _classifier_shapes(operator):
    calculate_linear_classifier_output_shapes(operator)
    model = operator.raw_operator
    if model.out_activation_ == "logistic":  # multilabel: an indicator matrix
        N = operator.inputs[0].get_first_dimension()
        operator.outputs[0].set_type(Int64TensorType(shape=[N, len(model.classes_)]))


def _convert_classifier(scope, operator, container):
    model = operator.raw_operator
    proba = _network(scope, container, operator, model.coefs_, model.intercepts_,
                     model.out_activation_)
    label, probabilities = operator.outputs[0].full_name, operator.outputs[1].full_name
    apply_identity(scope, proba, probabilities, container)
    if model.out_activation_ == "logistic":
        binary = scope.get_unique_variable_name("binary")
        container.add_node("Binarizer", proba, binary, threshold=0.5, op_domain="ai.onnx.ml",
                           name=scope.get_unique_operator_name("Binarizer"))
        apply_cast(scope, binary, label, container, to=onnx_proto.TensorProto.INT64)
        return
    classes = model.classes_
    if np.issubdtype(classes.dtype, np.integer) or classes.dtype == np.bool_:
        class_type, classes = onnx_proto.TensorProto.INT64, classes.astype(np.int64)
    elif np.issubdtype(classes.dtype, np.floating):
        class_type, classes = onnx_proto.TensorProto.INT64, classes.astype(np.int64)
    else:
        class_type = onnx_proto.TensorProto.STRING
        classes = np.array([str(c).encode("utf-8") for c in classes])
    classes_name = scope.get_unique_variable_name("classes")
    container.add_initializer(classes_name, class_type, classes.shape, classes)
    index = scope.get_unique_variable_name("argmax")
    picked = scope.get_unique_variable_name("picked")
    container.add_node(
        "ArgMax", proba, index, axis=1, name=scope.get_unique_operator_name("ArgMax")
    )
    container.add_node(
        "ArrayFeatureExtractor",
        [classes_name, index],
        picked,
        op_domain="ai.onnx.ml",
        name=scope.get_unique_operator_name("ArrayFeatureExtractor"),
    )
    apply_reshape(scope, picked, label, container, desired_shape=(-1,))


def _regressor_shapes(operator):
    calculate_linear_regressor_output_shapes(operator)
    N = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type.shape = [N, operator.raw_operator.n_outputs_]


def _convert_regressor(scope, operator, container):
    model = operator.raw_operator
    out = _network(scope, container, operator, model.coefs_, model.intercepts_, "identity")
    apply_reshape(
        scope, out, operator.outputs[0].full_name, container, desired_shape=(-1, model.n_outputs_)
    )


def _transformer_shapes(operator):
    N = operator.inputs[0].get_first_dimension()
    input_type = operator.inputs[0].type.__class__
    operator.outputs[0].type = input_type([N, operator.raw_operator._n_features_out])


def _encoder(model):
    """The encoder layers of an autoencoder: ``transform``'s network."""
    k = 1 if isinstance(model, SparseAutoencoder) else len(model.coefs_) // 2
    return model.coefs_[:k], model.intercepts_[:k]


def _convert_transformer(scope, operator, container):
    coefs, intercepts = _encoder(operator.raw_operator)
    codes = _network(scope, container, operator, coefs, intercepts, "logistic")
    apply_identity(scope, codes, operator.outputs[0].full_name, container)


update_registered_converter(
    StackedAEClassifier,
    "SkstackedaeStackedAEClassifier",
    _classifier_shapes,
    _convert_classifier,
    options={"zipmap": [True, False, "columns"], "nocl": [True, False]},
)
update_registered_converter(
    StackedAERegressor,
    "SkstackedaeStackedAERegressor",
    _regressor_shapes,
    _convert_regressor,
)
for _transformer in (SparseAutoencoder, StackedAutoencoder):
    update_registered_converter(
        _transformer,
        f"Skstackedae{_transformer.__name__}",
        _transformer_shapes,
        _convert_transformer,
    )
