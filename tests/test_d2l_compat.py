"""Textbook-style code runs unchanged with `import lib as d2l`, patches included."""
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

import lib as d2l  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from d2l import torch as real_d2l  # noqa: E402  the textbook's own library, to compare with


@pytest.fixture
def restore_trainer(monkeypatch):
    """Textbook patches replace Trainer methods for good: undo them after each test."""
    for name in ("fit_epoch", "prepare_batch", "clip_gradients"):
        monkeypatch.setattr(d2l.Trainer, name, getattr(d2l.Trainer, name))
    monkeypatch.setattr(d2l.Classifier, "accuracy", d2l.Classifier.accuracy)
    yield
    plt.close("all")


class Data(d2l.DataModule):
    """A textbook-style DataModule subclass: its own __init__, root and workers untouched."""

    def __init__(self, num_train=256, num_val=64, batch_size=32):
        super().__init__()
        self.save_hyperparameters()
        n = num_train + num_val
        self.X = torch.randn(n, 4)
        self.y = (self.X.sum(dim=1) > 0).long()

    def get_dataloader(self, train):
        i = slice(0, self.num_train) if train else slice(self.num_train, None)
        return self.get_tensorloader((self.X, self.y), train, i)


class SoftmaxRegression(d2l.Classifier):
    def __init__(self, num_outputs, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_outputs))


def test_data_module_defaults_like_d2l():
    data = Data()
    assert (data.root, data.num_workers) == ("../data", 4)
    assert len(data.train_dataloader()) == 8 and len(data.val_dataloader()) == 2


def test_textbook_patches_of_the_trainer_are_used(restore_trainer):
    calls = {"prepare_batch": 0, "fit_epoch": 0, "clip": 0, "accuracy": 0}

    @d2l.add_to_class(d2l.Trainer)
    def prepare_batch(self, batch):
        calls["prepare_batch"] += 1
        return batch

    @d2l.add_to_class(d2l.Trainer)
    def clip_gradients(self, grad_clip_val, model):
        calls["clip"] += 1

    @d2l.add_to_class(d2l.Trainer)
    def fit_epoch(self):  # the textbook's own loop, d2l 1.0.3's, on our Trainer's attributes
        calls["fit_epoch"] += 1
        real_d2l.Trainer.fit_epoch(self)

    @d2l.add_to_class(d2l.Classifier)
    def accuracy(self, Y_hat, Y, averaged=True):
        calls["accuracy"] += 1
        compare = (Y_hat.argmax(axis=1).type(Y.dtype) == Y).type(torch.float32)
        return compare.mean() if averaged else compare

    torch.manual_seed(0)
    trainer = d2l.Trainer(max_epochs=3, gradient_clip_val=1)
    history = trainer.fit(SoftmaxRegression(2, lr=0.1), Data())
    assert calls == {"prepare_batch": 3 * (8 + 2), "fit_epoch": 3, "clip": 3 * 8, "accuracy": 3 * 2}
    assert trainer.train_batch_idx == 24 and trainer.val_batch_idx == 6
    assert len(history) == 3 and "val_acc" in history[-1]


def test_fashion_mnist_the_textbook_way():
    data = d2l.FashionMNIST(resize=(32, 32))
    assert (len(data.train), len(data.val)) == (60000, 10000)
    assert data.train[0][0].shape == (1, 32, 32)
    X, y = next(iter(data.train_dataloader()))
    assert X.shape == (64, 1, 32, 32) and y.shape == (64,)
    axes = data.visualize((X, y))
    assert [ax.get_title() for ax in axes] == data.text_labels(y[:8])
    plt.close("all")


def test_progress_board_on_its_own_and_plot():
    board = d2l.ProgressBoard("x")
    for x in range(10):
        board.draw(x, x ** 2, "square", every_n=2)
    assert len(board.data["square"]) == 5
    x = torch.arange(-2.0, 2.0, 0.5, requires_grad=True)
    y = torch.relu(x)
    d2l.plot(x.detach(), y.detach(), "x", "relu(x)", figsize=(5, 2.5))
    plt.close("all")


# --- Every chapter 2-5 name of d2l 1.0.3 exists in lib and behaves the same ---------------

import ast  # noqa: E402
import importlib.util  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

D2L_SOURCE = Path(importlib.util.find_spec("d2l").submodule_search_locations[0]) / "torch.py"
# The first name that d2l saves in a chapter after ours (convolutions, chapter 7): the
# textbook's chapters 2 to 6 define everything before it, in order.
FIRST_LATER_SECTION = "sec_conv_layer"
# Names before it that are not textbook tools for our chapters: the data hub of the Kaggle
# house-price download (left out of the course), and d2l's reference to its own module.
NOT_OURS = {"DATA_HUB", "DATA_URL", "d2l"}
# Tools of chapters 2 to 5 in the function style of the textbook's earlier editions, which
# d2l 1.0.3 still ships (most in its `sec_utils` appendix) and older notebooks call.
EARLIER_EDITION_TOOLS = ["Timer", "load_array", "synthetic_data", "sgd", "get_dataloader_workers",
                         "load_data_fashion_mnist", "show_images", "linreg", "squared_loss",
                         "get_fashion_mnist_labels", "Animator", "Accumulator", "accuracy",
                         "evaluate_loss"]
# Imported into d2l and used through it by the textbook's code (d2l.plt.gca(), ...).
IMPORTED_AND_USED = ["plt"]


def _defined(node):
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    return []


def d2l_names():
    """(chapter 2-6 names in d2l's order, earlier-edition tools, framework aliases)."""
    body = ast.parse(D2L_SOURCE.read_text()).body
    chapters = []
    for node in body:
        doc = ast.get_docstring(node) if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else ""
        if FIRST_LATER_SECTION in re.findall(r"numref:`(\w+)`", doc or ""):
            break
        chapters += [n for n in _defined(node) if not n.startswith("_") and n not in NOT_OURS]
    last_def = max(i for i, node in enumerate(body) if isinstance(node, (ast.FunctionDef, ast.ClassDef)))
    aliases = [n for node in body[last_def + 1:] for n in _defined(node)]
    everything = {n for node in body for n in _defined(node)}
    return list(dict.fromkeys(chapters)), [n for n in EARLIER_EDITION_TOOLS if n in everything], aliases


def test_every_d2l_name_of_our_chapters_exists_in_lib():
    chapters, tools, aliases = d2l_names()
    # The parse found what it should: the core classes, the saved models, the GPU helpers.
    for name in ("HyperParameters", "Trainer", "LinearRegressionScratch", "SoftmaxRegression",
                 "try_all_gpus", "nn_Module"):
        assert name in chapters, name
    assert tools == EARLIER_EDITION_TOOLS, "d2l no longer defines some of these"
    assert len(aliases) > 30 and "reduce_sum" in aliases and "tensor" in aliases
    missing = [n for n in chapters + tools + aliases + IMPORTED_AND_USED if not hasattr(d2l, n)]
    assert not missing, f"d2l 1.0.3 names missing from lib: {missing}"


X23 = torch.arange(6.0).reshape(2, 3)
# How to call each of d2l's function aliases (d2l writes them as lambdas).
ALIAS_CALLS = {
    "numpy": (X23,), "size": (X23,), "reshape": (X23, (3, 2)), "to": (X23, torch.float64),
    "reduce_sum": (X23, 0), "argmax": (X23,), "astype": (X23, torch.int32),
    "transpose": (X23,), "reduce_mean": (X23, 1), "expand_dims": (X23, 0),
    "swapaxes": (X23, 0, 1), "repeat": (X23, 2, 1),
}


def test_framework_aliases_are_d2ls():
    body = ast.parse(D2L_SOURCE.read_text()).body
    lambdas = {t.id for node in body if isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda)
               for t in node.targets}
    assert lambdas == set(ALIAS_CALLS), "a d2l alias is not exercised here"
    for name in d2l_names()[2]:
        ours, theirs = getattr(d2l, name), getattr(real_d2l, name)
        if name in lambdas:
            a, b = ours(*ALIAS_CALLS[name]), theirs(*ALIAS_CALLS[name])
            assert type(a) is type(b), name
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=name)
            assert getattr(a, "dtype", None) == getattr(b, "dtype", None), name
            if isinstance(a, torch.Tensor):
                assert a.shape == b.shape, name
        else:
            assert ours is theirs, name  # the same torch function, dtype or class
    assert d2l.reduce_sum(X23, axis=1).tolist() == [3.0, 12.0]  # keyword forms pass through


def test_pyplot_is_loaded_only_when_asked_for():
    import subprocess
    import sys
    code = ("import sys, lib\nassert 'matplotlib.pyplot' not in sys.modules\n"
            "import matplotlib; matplotlib.use('Agg')\n"
            "assert lib.plt is sys.modules['matplotlib.pyplot']\nprint('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        d2l.not_a_name


def test_device_helpers_match_d2l():
    assert d2l.cpu() == real_d2l.cpu() == torch.device("cpu")
    assert d2l.gpu(1) == real_d2l.gpu(1) == torch.device("cuda:1")
    assert d2l.num_gpus() == real_d2l.num_gpus() == torch.cuda.device_count()
    for i in range(3):
        assert d2l.try_gpu(i) == real_d2l.try_gpu(i)
    assert d2l.try_all_gpus() == real_d2l.try_all_gpus()


def test_earlier_edition_tools_match_d2l():
    w, b = torch.tensor([2, -3.4]), 4.2
    torch.manual_seed(3)
    X, y = d2l.synthetic_data(w, b, 50)
    torch.manual_seed(3)
    X2, y2 = real_d2l.synthetic_data(w, b, 50)
    torch.testing.assert_close((X, y), (X2, y2))
    assert y.shape == (50, 1)
    torch.testing.assert_close(d2l.linreg(X, w.reshape(2, 1), b), real_d2l.linreg(X, w.reshape(2, 1), b))
    torch.testing.assert_close(d2l.squared_loss(X[:, :1], y.reshape(-1)), real_d2l.squared_loss(X[:, :1], y.reshape(-1)))
    batches = []
    for module in (d2l, real_d2l):
        torch.manual_seed(5)
        batches.append([t for batch in module.load_array((X, y), 16) for t in batch])
    torch.testing.assert_close(batches[0], batches[1])
    net = torch.nn.Linear(2, 1)
    loader = d2l.load_array((X, y), 16, is_train=False)
    loss = torch.nn.MSELoss(reduction="none")
    assert d2l.evaluate_loss(net, loader, loss) == pytest.approx(real_d2l.evaluate_loss(net, loader, loss))
    # Both steps on copies of the same gradient give the same parameters.
    p1, p2 = (torch.ones(3, requires_grad=True) for _ in range(2))
    for p, module in ((p1, d2l), (p2, real_d2l)):
        (p * torch.arange(3.0)).sum().backward()
        module.sgd([p], lr=0.5, batch_size=2)
        assert p.grad.abs().sum() == 0  # zeroed after the step
    torch.testing.assert_close(p1, p2)
    torch.manual_seed(1)
    scores, labels = torch.randn(40, 10), torch.randint(0, 10, (40,))
    assert d2l.accuracy(scores, labels) == real_d2l.accuracy(scores, labels)
    assert d2l.accuracy(labels, labels) == 40.0
    acc = d2l.Accumulator(3)
    acc.add(1, torch.tensor(2.5), 3)
    acc.add(1, 1, 1)
    assert acc[:] == [2.0, 3.5, 4.0]
    acc.reset()
    assert acc.data == [0.0] * 3
    assert d2l.get_fashion_mnist_labels([9, 0]) == real_d2l.get_fashion_mnist_labels([9, 0])
    assert d2l.get_dataloader_workers() == real_d2l.get_dataloader_workers()
    timer = d2l.Timer()
    assert timer.stop() >= 0 and len(timer.cumsum()) == 1 and timer.avg() == timer.sum()


def test_load_data_fashion_mnist_gives_the_textbook_batches(tmp_path, monkeypatch):
    import lib.datasets
    # d2l reads '../data': give it the verified local copy there, and load in-process.
    (tmp_path / "data").symlink_to(lib.datasets.find_fashion_mnist(download=False).parent.parent)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    monkeypatch.setattr(real_d2l, "get_dataloader_workers", lambda: 0)
    for resize in (None, 32):
        loaders = []
        for module in (d2l, real_d2l):
            torch.manual_seed(11)
            train, val = module.load_data_fashion_mnist(256, resize=resize)
            loaders.append((next(iter(train)), next(iter(val)), len(train), len(val)))
        (tX, ty), (vX, vy), n_train, n_val = loaders[0]
        assert (n_train, n_val) == (loaders[1][2], loaders[1][3]) == (235, 40)
        assert tX.shape == (256, 1) + ((32, 32) if resize else (28, 28))
        torch.testing.assert_close(ty, loaders[1][0][1])
        torch.testing.assert_close(vy, loaders[1][1][1])
        # Resizing may differ in the last bits between torchvision's PIL path and ours.
        tol = dict(atol=2e-2, rtol=0) if resize else {}
        torch.testing.assert_close(tX, loaders[1][0][0], **tol)
        torch.testing.assert_close(vX, loaders[1][1][0], **tol)


def test_animator_draws_every_point(monkeypatch):
    shown = []
    import IPython.display
    monkeypatch.setattr(IPython.display, "display", lambda fig: shown.append(fig))
    monkeypatch.setattr(IPython.display, "clear_output", lambda wait=False: None)
    animator = d2l.Animator(xlabel="epoch", xlim=[1, 3], legend=["train loss", "test acc"])
    for epoch in range(1, 4):
        animator.add(epoch, (1 / epoch, None if epoch == 1 else 0.5 + epoch / 10))
    assert animator.X == [[1, 2, 3], [2, 3]]
    assert len(shown) == 3 and len(animator.axes[0].get_lines()) == 2
    assert [t.get_text() for t in animator.axes[0].get_legend().get_texts()] == ["train loss", "test acc"]
    plt.close("all")


# --- A student's run: textbook-style code of chapters 2 to 5, section by section ------------

@pytest.fixture(scope="module")
def fashion():
    return d2l.FashionMNIST(batch_size=256)


def test_preliminaries_with_the_aliases():
    x = d2l.arange(12, dtype=d2l.float32)
    X = d2l.reshape(x, (3, 4))
    both = d2l.concat((X, d2l.ones((3, 4))), dim=0)
    assert d2l.size(both) == 24 and d2l.numpy(X).shape == (3, 4)
    assert float(d2l.reduce_sum(d2l.transpose(X))) == 66.0
    assert d2l.reduce_mean(X, axis=0).tolist() == [4.0, 5.0, 6.0, 7.0]
    assert d2l.astype(d2l.tensor([1.7, 2.2]), d2l.int64).tolist() == [1, 2]
    # calculus: a function and its tangent line at x = 1
    t = d2l.arange(0, 3, 0.1)
    d2l.plot(t, [3 * t ** 2 - 4 * t, 2 * t - 3], "x", "f(x)", legend=["f(x)", "tangent"])
    # probability: running estimates of a coin's heads probability
    d2l.plt.close("all")  # a new notebook cell starts a new figure
    d2l.set_figsize((4.5, 3.5))
    draws = torch.distributions.multinomial.Multinomial(1, d2l.tensor([0.5, 0.5])).sample((200,))
    estimates = draws.cumsum(dim=0) / draws.cumsum(dim=0).sum(dim=1, keepdims=True)
    d2l.plt.plot(estimates[:, 0].numpy(), label="P(heads)")
    d2l.plt.axhline(y=0.5, color="black", linestyle="dashed")
    d2l.plt.gca().set_xlabel("samples")
    d2l.plt.legend()
    assert len(d2l.plt.gca().get_lines()) == 2
    d2l.plt.close("all")


def test_linear_regression_chapter_textbook_style(capsys):
    # vectorization, timed with the chapter's stopwatch
    a, b = d2l.ones(10000), d2l.ones(10000)
    timer = d2l.Timer()
    c = a + b
    assert timer.stop() < 1 and float(c.sum()) == 20000
    # the saved scratch model, extended the textbook's way
    @d2l.add_to_class(d2l.LinearRegressionScratch)
    def describe(self):
        return f"{self.num_inputs} inputs"
    try:
        torch.manual_seed(0)
        model = d2l.LinearRegressionScratch(2, lr=0.03)
        assert model.describe() == "2 inputs"
    finally:
        del d2l.LinearRegressionScratch.describe
    data = d2l.SyntheticRegressionData(w=d2l.tensor([2, -3.4]), b=4.2)
    trainer = d2l.Trainer(max_epochs=3)
    trainer.fit(model, data)
    with torch.no_grad():
        # the textbook's result after 3 epochs: w and b off by about 0.1 to 0.2
        assert (model.w.reshape(-1) - data.w).abs().max() < 0.3 and abs(model.b.item() - 4.2) < 0.3
    # weight decay, from scratch: high-dimensional data, few examples
    class Data(d2l.DataModule):
        def __init__(self, num_train, num_val, num_inputs, batch_size):
            self.save_hyperparameters()
            n = num_train + num_val
            self.X = d2l.randn(n, num_inputs)
            noise = d2l.randn(n, 1) * 0.01
            w, b = d2l.ones((num_inputs, 1)) * 0.01, 0.05
            self.y = d2l.matmul(self.X, w) + b + noise

        def get_dataloader(self, train):
            i = slice(0, self.num_train) if train else slice(self.num_train, None)
            return self.get_tensorloader([self.X, self.y], train, i)

    class WeightDecayScratch(d2l.LinearRegressionScratch):
        def __init__(self, num_inputs, lambd, lr, sigma=0.01):
            super().__init__(num_inputs, lr, sigma)
            self.save_hyperparameters()

        def loss(self, y_hat, y):
            return super().loss(y_hat, y) + self.lambd * d2l.reduce_sum(self.w ** 2) / 2

    torch.manual_seed(0)
    data = Data(num_train=20, num_val=100, num_inputs=200, batch_size=5)
    norms = []
    for lambd in (0, 3):
        model = WeightDecayScratch(num_inputs=200, lambd=lambd, lr=0.01)
        d2l.Trainer(max_epochs=10).fit(model, data)
        norms.append(float(d2l.reduce_sum(model.w ** 2)))
    assert norms[1] < norms[0] / 2  # the penalty shrinks the weights
    # and concisely, through the saved concise model
    model = d2l.LinearRegression(lr=0.01)
    d2l.Trainer(max_epochs=2).fit(model, data)
    w, b = model.get_w_b()
    assert w.shape == (1, 200) and b.shape == (1,)
    capsys.readouterr()
    plt.close("all")


def test_classification_chapter_textbook_style(fashion, restore_trainer):
    class SoftmaxRegressionScratch(d2l.Classifier):
        def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
            super().__init__()
            self.save_hyperparameters()
            self.W = d2l.normal(0, sigma, size=(num_inputs, num_outputs), requires_grad=True)
            self.b = d2l.zeros(num_outputs, requires_grad=True)

        def parameters(self):
            return [self.W, self.b]

        def forward(self, X):
            X = d2l.reshape(X, (-1, self.W.shape[0]))
            O = d2l.exp(d2l.matmul(X, self.W) + self.b)
            return O / d2l.reduce_sum(O, 1, keepdims=True)

        def loss(self, y_hat, y):
            return -d2l.reduce_mean(d2l.log(y_hat[list(range(len(y_hat))), y]))

    torch.manual_seed(0)
    model = SoftmaxRegressionScratch(num_inputs=784, num_outputs=10, lr=0.1)
    d2l.Trainer(max_epochs=1).fit(model, fashion)
    X, y = next(iter(fashion.val_dataloader()))
    preds = d2l.argmax(model(X), axis=1)
    assert float(d2l.reduce_mean(d2l.astype(preds == y, d2l.float32))) > 0.6
    wrong = d2l.astype(preds, y.dtype) != y
    labels = [a + "\n" + b for a, b in zip(fashion.text_labels(y[wrong]), fashion.text_labels(preds[wrong]))]
    fashion.visualize([X[wrong], y[wrong]], labels=labels)
    # the concise model the chapter saves
    model = d2l.SoftmaxRegression(num_outputs=10, lr=0.1)
    history = d2l.Trainer(max_epochs=1).fit(model, fashion)
    assert history[-1]["val_acc"] > 0.7


@pytest.mark.slow  # trains or repeats for seconds: make test runs it, make test-fast does not
def test_mlp_numerical_stability_and_dropout_textbook_style(fashion):
    x = d2l.arange(-8.0, 8.0, 0.1, requires_grad=True)
    y = d2l.sigmoid(x)
    y.backward(d2l.ones_like(x))
    d2l.plot(x.detach().numpy(), [y.detach().numpy(), x.grad.numpy()],
             legend=["sigmoid", "gradient"], figsize=(4.5, 2.5))
    assert float(x.grad.max()) == pytest.approx(0.25, abs=1e-3)
    M = d2l.normal(0, 1, size=(4, 4))
    for _ in range(100):
        M = d2l.matmul(M, d2l.normal(0, 1, size=(4, 4)))
    assert float(M.abs().max()) > 1e20  # the product of many matrices explodes

    def dropout_layer(X, dropout):
        if dropout == 1:
            return d2l.zeros_like(X)
        mask = d2l.astype(d2l.rand(X.shape) > dropout, d2l.float32)
        return mask * X / (1.0 - dropout)

    class DropoutMLP(d2l.Classifier):
        def __init__(self, num_outputs, num_hiddens, dropout, lr):
            super().__init__()
            self.save_hyperparameters()
            self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_hiddens), nn.ReLU(),
                                     nn.Dropout(dropout), nn.LazyLinear(num_outputs))

    assert float(dropout_layer(d2l.ones(1000), 0.5).mean()) == pytest.approx(1.0, abs=0.15)
    torch.manual_seed(0)
    model = DropoutMLP(num_outputs=10, num_hiddens=256, dropout=0.2, lr=0.1)
    trainer = d2l.Trainer(max_epochs=1)
    trainer.fit(model, fashion)
    assert trainer.history[-1]["val_acc"] > 0.7
    assert d2l.try_gpu() in (d2l.cpu(), d2l.gpu(0))
    plt.close("all")


def test_the_textbooks_own_dataloaders_still_work(fashion, monkeypatch, capsys):
    """The textbook replaces get_tensorloader / get_dataloader with torch DataLoaders."""
    def get_tensorloader(self, tensors, train, indices=slice(0, None)):
        tensors = tuple(a[indices] for a in tensors)
        dataset = torch.utils.data.TensorDataset(*tensors)
        return torch.utils.data.DataLoader(dataset, self.batch_size, shuffle=train)

    def get_dataloader(self, train):
        data = self.train if train else self.val
        return torch.utils.data.DataLoader(data, self.batch_size, shuffle=train,
                                           num_workers=self.num_workers)

    monkeypatch.setattr(d2l.SyntheticRegressionData, "get_tensorloader", get_tensorloader, raising=False)
    monkeypatch.setattr(d2l.FashionMNIST, "get_dataloader", get_dataloader)
    torch.manual_seed(0)
    data = d2l.SyntheticRegressionData(w=d2l.tensor([2, -3.4]), b=4.2)
    assert isinstance(data.train_dataloader(), torch.utils.data.DataLoader)
    model = d2l.LinearRegression(lr=0.03)
    history = d2l.Trainer(max_epochs=2).fit(model, data)
    assert len(history) == 2 and history[-1]["val_loss"] < history[0]["train_loss"]
    X, y = next(iter(fashion.val_dataloader()))
    assert X.shape == (256, 1, 28, 28) and y.dtype == torch.int64
    assert len(fashion.train_dataloader()) == 235
    capsys.readouterr()
    plt.close("all")
