"""Self-checks for the multilayer perceptrons chapter's exercises."""
import torch

from .core import CheckError, exercise, expect, expect_close, expect_shape

__all__ = ["check_relu", "check_mlp_forward", "check_prelu"]


def _same(got, expected):
    return (isinstance(got, torch.Tensor) and got.shape == expected.shape
            and torch.allclose(got.detach().double(), expected.double(), atol=1e-6))


@exercise("relu", section="the multilayer perceptrons chapter, 'Activation functions'")
def check_relu(relu):
    X = torch.tensor([[-2.0, -0.5, 0.0], [0.25, 1.0, 3.0]])
    before = X.clone()
    got = relu(X)
    tried = "relu(tensor([[-2.0, -0.5, 0.0], [0.25, 1.0, 3.0]]))"
    expect_shape(got, X.shape, tried)
    expect(torch.equal(X, before),
           f"{tried} changed its input X to {X.tolist()}: build a new tensor "
           "(torch.max(X, torch.zeros_like(X))) instead of writing into X.")
    expected = X.clamp(min=0)
    if not _same(got, expected):
        if _same(got, torch.min(X, torch.zeros_like(X))):
            raise CheckError(f"{tried} returned {got.tolist()}: that is min(x, 0), which keeps "
                             "the negative part. ReLU keeps the larger of x and 0: torch.max.")
        if _same(got, X):
            raise CheckError(f"{tried} returned its input unchanged: negative entries must "
                             "become 0, only positive ones pass through.")
        expect_close(got, expected, tried,
                     hint="ReLU(x) = max(x, 0), elementwise: negatives become 0, the rest "
                          "pass unchanged.")
    expect(got.dtype == X.dtype,
           f"{tried} returned dtype {got.dtype}, expected {X.dtype}: use "
           "torch.zeros_like(X) so the zeros have X's dtype.")
    return "negatives become 0, positives pass unchanged"


def _reference_forward(X, params):
    H = X.reshape(X.shape[0], -1)                  # (batch, num_inputs)
    for i, (W, b) in enumerate(params):
        H = H @ W + b
        if i < len(params) - 1:
            H = torch.relu(H)
    return H


def _make_params(sizes, gen):
    return [(torch.randn(n_in, n_out, generator=gen, dtype=torch.float64),
             torch.randn(n_out, generator=gen, dtype=torch.float64))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def _linear_forward(X, params):
    H = X.reshape(X.shape[0], -1)
    for W, b in params:
        H = H @ W + b
    return H


def _relu_everywhere(X, params):
    H = X.reshape(X.shape[0], -1)
    for W, b in params:
        H = torch.relu(H @ W + b)
    return H


@exercise("mlp_forward", section="the multilayer perceptrons chapter, "
                                 "'Implementation from scratch'")
def check_mlp_forward(mlp_forward):
    gen = torch.Generator().manual_seed(3)
    cases = [((5, 1, 3, 3), (9, 6, 4)),           # one hidden layer, image-shaped input
             ((4, 1, 2, 4), (8, 7, 5, 3))]        # two hidden layers
    for x_shape, sizes in cases:
        X = torch.randn(*x_shape, generator=gen, dtype=torch.float64)
        params = _make_params(sizes, gen)
        tried = (f"mlp_forward(X of shape {x_shape}, params for layer sizes "
                 f"{' -> '.join(map(str, sizes))})")
        try:
            got = mlp_forward(X, params)
        except NotImplementedError:
            raise
        except RuntimeError as e:  # NotImplementedError is a RuntimeError: handled above
            try:
                mlp_forward(X.reshape(X.shape[0], -1), params)
            except RuntimeError:
                raise CheckError(
                    f"{tried} raised RuntimeError: {e}. Check the shapes of each product: H "
                    "has shape (batch, n_in) and W has shape (n_in, n_out); use every (W, b) "
                    "pair in params, in order.") from None
            raise CheckError(
                f"{tried} raised RuntimeError: {e}. The images arrive with shape "
                "(batch, 1, height, width); flatten them to (batch, height * width) with "
                "X.reshape(X.shape[0], -1) before the first matrix product.") from None
        expected = _reference_forward(X, params)
        expect_shape(got, expected.shape, tried)
        if _same(got, expected):
            continue
        if _same(got, _linear_forward(X, params)):
            raise CheckError(f"{tried} returned the output of the network without any "
                             "activation: apply ReLU to every hidden layer's output, "
                             "otherwise the layers collapse into one affine map.")
        if _same(got, _relu_everywhere(X, params)):
            raise CheckError(f"{tried} applied ReLU after the output layer too: the last "
                             "layer must return raw scores (logits), which may be negative; "
                             "the softmax in the loss turns them into probabilities.")
        if len(params) > 2 and _same(got, _reference_forward(X, params[:1] + params[-1:])):
            raise CheckError(f"{tried} skipped a hidden layer: loop over all the (W, b) pairs "
                             "in params, not just the first and the last.")
        expect_close(got, expected, tried,
                     hint="compute H = relu(H @ W + b) for each hidden layer in turn, then "
                          "H @ W + b for the last (W, b), with no activation.")
    return "one and two hidden layers, image-shaped input"


@exercise("prelu", section="the multilayer perceptrons chapter, 'Activation functions'")
def check_prelu(prelu):
    X = torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.5])
    for alpha in (0.1, 0.25, 1.5):
        tried = f"prelu(tensor([-2.0, -1.0, 0.0, 1.0, 2.5]), alpha={alpha})"
        got = prelu(X, alpha)
        expected = torch.where(X > 0, X, alpha * X)
        expect_shape(got, X.shape, tried)
        if _same(got, expected):
            continue
        if _same(got, X.clamp(min=0)):
            raise CheckError(f"{tried} returned ReLU's values {got.tolist()}: negative inputs "
                             "must be multiplied by alpha, not set to 0.")
        if _same(got, alpha * X):
            raise CheckError(f"{tried} returned alpha * x everywhere: positive inputs must "
                             "pass unchanged; alpha only scales the negative ones.")
        if _same(got, torch.max(X, alpha * X)):
            raise CheckError(f"{tried} returned max(x, alpha * x) = {got.tolist()}, which "
                             "equals pReLU only when alpha <= 1. Use the definition "
                             "max(0, x) + alpha * min(0, x), which holds for every alpha.")
        expect_close(got, expected, tried,
                     hint="pReLU(x) = max(0, x) + alpha * min(0, x): x for x > 0, alpha * x "
                          "otherwise.")
    alpha = torch.tensor(0.25, requires_grad=True)
    tried = "prelu(X, alpha) with alpha = torch.tensor(0.25, requires_grad=True)"
    out = prelu(X, alpha)
    expect(isinstance(out, torch.Tensor) and out.requires_grad,
           f"{tried} returned a tensor that autograd cannot trace back to alpha: keep alpha a "
           "tensor in the computation (no float(alpha) or .item()), so it can be learned.")
    out.sum().backward()
    expect(alpha.grad is not None and abs(float(alpha.grad) - (-3.0)) < 1e-5,
           f"{tried}: the gradient of the sum with respect to alpha came out as "
           f"{None if alpha.grad is None else float(alpha.grad)}, expected -3.0 (the sum "
           "of the negative inputs).")
    return "several alpha, and alpha can be learned"
