"""`make bench`: lib against bare PyTorch and d2l 1.0.3 on this machine, plus build times.

1. Side by side, in one process: the textbook's concise MLP on Fashion-MNIST
   (Flatten, Linear(784, 256), ReLU, Linear(256, 10); batch 256; SGD lr 0.1), trained by
   `lib.Trainer`, by a bare PyTorch loop of the same model, and by `d2l.Trainer` for
   reference. lib and the bare loop start from the same weights and read the same
   minibatches (the same seed, the same in-memory loader), and both end each epoch with a
   validation pass that computes the loss and the accuracy. The three take turns, round
   after round, so that a slow moment of a shared machine falls on all of them; each
   epoch is timed on its own, and the median epoch is reported with lib's ratio to the
   bare loop, and each one's validation accuracy (lib and the bare loop must agree).
2. Softmax regression from scratch under lib and d2l.
3. What drawing the training board costs in a real kernel, and tools/bench_build.py.
Usage: python tools/bench.py [--rounds N] [--epochs N] [--skip-build]
"""
import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import time
import warnings

import torch
import torch.nn.functional as F
from torch import nn

import lib
import lib.datasets

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from d2l import torch as d2l


def softmax_scratch(d2l):
    class SoftmaxRegressionScratch(d2l.Classifier):
        def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
            super().__init__()
            self.save_hyperparameters()
            self.W = torch.normal(0, sigma, size=(num_inputs, num_outputs), requires_grad=True)
            self.b = torch.zeros(num_outputs, requires_grad=True)

        def parameters(self):
            return [self.W, self.b]

        def forward(self, X):
            X = X.reshape((-1, self.W.shape[0]))  # (batch, 784)
            O = torch.exp(X @ self.W + self.b)
            return O / O.sum(1, keepdims=True)

        def loss(self, y_hat, y):
            return -torch.log(y_hat[list(range(len(y_hat))), y]).mean()
    return SoftmaxRegressionScratch(num_inputs=784, num_outputs=10, lr=0.1)


def run(module, make_model, epochs):
    """Train under `module` (lib or d2l); return (median seconds per epoch, mean seconds
    per epoch, final validation accuracy)."""
    torch.manual_seed(0)
    data = module.FashionMNIST(batch_size=256)
    model = make_model(module)
    trainer = module.Trainer(max_epochs=epochs)
    times = []
    fit_epoch = trainer.fit_epoch  # both libraries' fit() calls self.fit_epoch() each epoch

    def timed_epoch():
        start = time.perf_counter()
        fit_epoch()
        times.append(time.perf_counter() - start)

    trainer.fit_epoch = timed_epoch
    sink = io.StringIO()  # d2l's board prints figure reprs outside a notebook
    with contextlib.redirect_stdout(sink):
        trainer.fit(model, data)
    assert len(times) == epochs, f"timed {len(times)} epochs of {epochs}"
    # Both boards keep the validation accuracy points; the last one is the final epoch's.
    acc = float(model.board.data["val_acc"][-1].y)
    return statistics.median(times), statistics.mean(times), acc


def textbook_mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))


def lib_mlp(module):
    """The textbook's MLP as a Classifier of `module` (lib or d2l)."""
    model = module.Classifier()
    model.lr = 0.1
    model.net = textbook_mlp()
    return model


def timed_fit(trainer, model, data):
    """trainer.fit(model, data), timing each epoch; (seconds of each epoch, fit's result)."""
    times, fit_epoch = [], trainer.fit_epoch

    def timed_epoch():
        start = time.perf_counter()
        fit_epoch()
        times.append(time.perf_counter() - start)

    trainer.fit_epoch = timed_epoch
    return times, trainer.fit(model, data)


def lib_round(data, epochs, seed):
    """Train the MLP with lib.Trainer; (seconds of each epoch, final validation accuracy)."""
    torch.manual_seed(seed)
    times, history = timed_fit(lib.Trainer(max_epochs=epochs), lib_mlp(lib), data)
    return times, history[-1]["val_acc"]


def bare_round(data, epochs, seed):
    """The same model, data order and optimizer in a plain PyTorch loop."""
    torch.manual_seed(seed)
    net = textbook_mlp()
    optim = torch.optim.SGD(net.parameters(), lr=0.1)
    train, val = data.train_dataloader(), data.val_dataloader()
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        net.train()
        for X, y in train:
            loss = F.cross_entropy(net(X), y)
            optim.zero_grad()
            loss.backward()
            optim.step()
        net.eval()
        val_loss = val_acc = 0.0
        with torch.no_grad():
            for X, y in val:
                Y_hat = net(X)
                val_loss += F.cross_entropy(Y_hat, y)
                val_acc += (Y_hat.argmax(dim=1) == y).float().mean()
        val_loss, val_acc = float(val_loss / len(val)), float(val_acc / len(val))
        times.append(time.perf_counter() - start)
    return times, val_acc


def d2l_round(data, epochs, seed):
    torch.manual_seed(seed)
    model = lib_mlp(d2l)
    with contextlib.redirect_stdout(io.StringIO()):  # d2l's board prints figure reprs
        times, _ = timed_fit(d2l.Trainer(max_epochs=epochs), model, data)
    return times, float(model.board.data["val_acc"][-1].y)


def side_by_side(rounds, epochs, with_d2l=True):
    """lib.Trainer, a bare loop and d2l in turns; the median epoch of each and lib's ratio."""
    ours = lib.FashionMNIST(batch_size=256)
    theirs = d2l.FashionMNIST(batch_size=256) if with_d2l else None
    runs = {"lib.Trainer": (lib_round, ours), "bare PyTorch": (bare_round, ours)}
    if with_d2l:
        runs["d2l.Trainer"] = (d2l_round, theirs)
    lib_round(ours, 1, 0)  # warm-up: torch's first calls (imports, allocations)
    bare_round(ours, 1, 0)
    times, acc = {name: [] for name in runs}, {}
    for r in range(rounds):
        order = list(runs) if r % 2 == 0 else list(runs)[::-1]  # alternate who goes first
        for name in order:
            fn, data = runs[name]
            t, acc[name] = fn(data, epochs, seed=0)
            times[name] += t
    print(f"concise MLP on Fashion-MNIST, {rounds} alternating rounds of {epochs} epoch(s); "
          "seconds per epoch (median of all epochs), validation accuracy after the last epoch")
    bare = statistics.median(times["bare PyTorch"])
    for name in runs:
        med = statistics.median(times[name])
        print(f"  {name:<14}{med:>8.3f} s  ({med / bare:.2f}x the bare loop)  "
              f"min {min(times[name]):.3f} s   val acc {acc[name]:.4f}", flush=True)
    return times, acc


def board_cost():
    """Share of training time spent drawing the board, in a real kernel (as the book runs)."""
    import nbformat
    from nbclient import NotebookClient
    code = (
        "import time, torch, lib\nfrom torch import nn\nlib.use_svg_display()\n"
        "torch.manual_seed(0)\ndata = lib.FashionMNIST(batch_size=256)\n"
        # A chapter has drawn figures before it trains: load fonts and backends first.
        "lib.plot([0, 1], [0, 1]);\n"
        "model = lib.Classifier(); model.lr = 0.1\n"
        "model.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10))\n"
        "start = time.perf_counter(); lib.Trainer(max_epochs=5).fit(model, data)\n"
        "total = time.perf_counter() - start\n"
        "print(model.board.draw_seconds, total)")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(nb, timeout=600, kernel_name="python3").execute()
    # stdout only, last line: stderr may carry library warnings (libgomp's about an empty
    # OMP_NUM_THREADS, for one).
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs
                   if o.output_type == "stream" and o.get("name") == "stdout")
    draw, total = map(float, text.strip().splitlines()[-1].split())
    return draw, total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    root = lib.datasets.find_fashion_mnist(download=False).parent.parent
    # d2l reads the same verified files (torchvision layout) and loads in-process by default
    # only if told: its DataModule defaults to root='../data' and 4 workers.
    d2l.DataModule.__init__.__defaults__ = (str(root), 4)
    # d2l's 4 workers on a 2-core machine warn at every epoch; the cost is d2l's, the noise is not.
    warnings.filterwarnings("ignore", message="This DataLoader will create")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{os.cpu_count()} CPUs; {args.epochs} epochs each\n")
    side_by_side(args.rounds, 1)
    print("\nseconds per epoch: median of the epochs (mean in brackets)")
    print(f"{'model':<26}{'lib':>16}{'d2l':>16}{'speed-up':>10}{'lib acc':>9}{'d2l acc':>9}")
    for name, make in [("softmax from scratch", softmax_scratch)]:
        run(lib, make, 1)  # warm-up: parse the files once, as a chapter's first cell would
        ours = run(lib, make, args.epochs)
        theirs = run(d2l, make, args.epochs)
        print(f"{name:<26}{ours[0]:>7.3f} ({ours[1]:.3f}){theirs[0]:>7.3f} ({theirs[1]:.3f})"
              f"{theirs[0] / ours[0]:>9.1f}x{ours[2]:>9.3f}{theirs[2]:>9.3f}", flush=True)
    draw, total = board_cost()
    print(f"\ntraining board in a kernel: {draw:.2f} s of drawing in {total:.2f} s of training "
          f"({100 * draw / total:.1f}%)", flush=True)
    if not args.skip_build:
        here = os.path.dirname(os.path.abspath(__file__))
        print(flush=True)
        # bench_build.py prints its own verdict and exits non-zero when a target is missed.
        sys.exit(subprocess.run([sys.executable, os.path.join(here, "bench_build.py")]).returncode)


if __name__ == "__main__":
    main()
