"""The training loop (linear regression chapter), with d2l's protocol.

Every step is a method, so a chapter (or a student) can replace one with
``@add_to_class(Trainer)`` and `fit` uses the replacement.
"""
import math
import numbers

import torch

from .hyperparams import HyperParameters, positive_int
from .models import _missing_init_message

__all__ = ["Trainer"]


class Trainer(HyperParameters):
    """Fit a `Module` to a `DataModule`.

    ``fit(model, data)`` trains for `max_epochs` and returns the history: a list with one
    dict per epoch, its number and the mean of each metric the model logged.
    """

    def __init__(self, max_epochs, num_gpus=0, gradient_clip_val=0):
        positive_int("max_epochs", max_epochs, 10)
        positive_int("num_gpus", num_gpus, 0, minimum=0)
        if (not isinstance(gradient_clip_val, numbers.Real) or isinstance(gradient_clip_val, bool)
                or not gradient_clip_val >= 0):
            raise ValueError(f"gradient_clip_val must be >= 0 (0 turns clipping off); "
                             f"got {gradient_clip_val!r}: a number, for example gradient_clip_val=1.")
        available = torch.cuda.device_count()
        if num_gpus > available:
            raise ValueError(
                f"Trainer(num_gpus={num_gpus}) asks for {num_gpus} GPU(s) but torch sees "
                f"{available}. Use num_gpus=0 to train on the CPU"
                + (f", or at most num_gpus={available}." if available else "."))
        self.save_hyperparameters()
        self.gpus = [torch.device(f"cuda:{i}") for i in range(num_gpus)]

    @property
    def device(self):
        return self.gpus[0] if self.gpus else torch.device("cpu")

    def prepare_data(self, data):
        _check_instance("data", data, "data = {}(batch_size=32)")
        if not callable(getattr(data, "train_dataloader", None)):
            raise TypeError(
                f"Trainer.fit needs data with a training loader, but got a {type(data).__name__} without "
                "train_dataloader(). Derive your data class from lib.DataModule and define "
                "get_dataloader(train).")
        try:
            # An error inside the user's own get_dataloader propagates as it is.
            self.train_dataloader = data.train_dataloader()
        except NotImplementedError as e:
            raise TypeError(
                f"Trainer.fit needs data with a training loader, but {type(data).__name__} "
                f"gave none ({e}). Pass a DataModule whose get_dataloader(train) returns "
                "minibatches.") from e
        if self.train_dataloader is None:
            raise TypeError(f"{type(data).__name__}.train_dataloader() returned None: "
                            "Trainer.fit needs minibatches to train on.")
        if hasattr(self.train_dataloader, "__len__") and len(self.train_dataloader) == 0:
            raise ValueError(f"{type(data).__name__}.train_dataloader() has no minibatches: "
                             "check that the training set is not empty (num_train > 0).")
        try:
            self.val_dataloader = data.val_dataloader()
        except NotImplementedError:
            self.val_dataloader = None
        for loader in (self.train_dataloader, self.val_dataloader):
            if hasattr(loader, "to"):  # keep in-memory data on the training device
                loader.to(self.device)
        self.num_train_batches = len(self.train_dataloader)
        self.num_val_batches = len(self.val_dataloader) if self.val_dataloader is not None else 0

    def prepare_model(self, model):
        _check_model(model)
        self.__dict__.pop("_epoch_sums", None)  # nothing left from an interrupted fit
        model.trainer = self
        if hasattr(model, "board"):
            model.board.xlim = [0, self.max_epochs]
        if self.gpus:
            model.to(self.gpus[0])
        self.model = model

    def prepare_batch(self, batch):
        if self.gpus:
            batch = [a.to(self.gpus[0]) for a in batch]
        return batch

    def log_metric(self, key, value):
        """Add a batch's metric to the running sums of the current epoch."""
        sums = self.__dict__.setdefault("_epoch_sums", {})
        total, count = sums.get(key, (0.0, 0))
        sums[key] = (total + value, count + 1)

    def epoch_means(self):
        """The epoch's record for `history`: its number and the mean of each logged metric.

        Empties the running sums, and stops a training whose loss is no longer finite.
        """
        sums = self.__dict__.pop("_epoch_sums", {})
        record = {"epoch": self.epoch + 1}
        record.update({k: float(t / c) for k, (t, c) in sums.items()})
        _check_finite_loss(record.get("train_loss"), self.epoch, self.optim, self.model)
        return record

    def fit(self, model, data):
        self.prepare_data(data)
        self.prepare_model(model)
        self.optim = model.configure_optimizers()
        self.epoch = self.train_batch_idx = self.val_batch_idx = 0
        self.history = []
        for self.epoch in range(self.max_epochs):
            self.fit_epoch()
            self.history.append(self.epoch_means())
        _show_board(model)
        return self.history

    def fit_epoch(self):
        self.model.train()
        for batch in self.train_dataloader:
            loss = self.model.training_step(self.prepare_batch(batch))
            self.optim.zero_grad()
            with torch.no_grad():
                loss.backward()
                if self.gradient_clip_val > 0:
                    self.clip_gradients(self.gradient_clip_val, self.model)
                self.optim.step()
            self.train_batch_idx += 1
        if self.val_dataloader is None:
            return
        self.model.eval()
        for batch in self.val_dataloader:
            with torch.no_grad():
                self.model.validation_step(self.prepare_batch(batch))
            self.val_batch_idx += 1

    def clip_gradients(self, grad_clip_val, model):
        """Rescale all gradients together so that their joint L2 norm is at most grad_clip_val."""
        params = [p for p in model.parameters() if p.requires_grad and p.grad is not None]
        norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
        if norm > grad_clip_val:
            for param in params:
                param.grad[:] *= grad_clip_val / norm


def _check_model(model):
    """A TypeError unless `model` is a model instance with an optimizer to train it."""
    _check_instance("model", model, "model = {}(lr=0.1)")
    if isinstance(model, torch.nn.Module) and "_parameters" not in vars(model):
        raise TypeError(_missing_init_message(model))
    if not callable(getattr(model, "configure_optimizers", None)):
        raise TypeError(f"{type(model).__name__} has no configure_optimizers() method: "
                        "derive the model from lib.Module (or lib.Classifier) and define "
                        "configure_optimizers() to return an optimizer.")


def _check_instance(what, obj, example):
    """A TypeError if `obj` is a class where Trainer.fit needs an object made from it."""
    if isinstance(obj, type):
        raise TypeError(f"Trainer.fit got the class {obj.__name__} as its {what}, not a {what} "
                        f"made from it: create one first, for example {example.format(obj.__name__)}, "
                        f"and pass that.")


def _check_finite_loss(loss, epoch, optim, model):
    """A FloatingPointError, with the likely cause, if the epoch's training loss is inf or nan."""
    if loss is None or math.isfinite(loss):
        return
    lr = getattr(optim, "lr", None) or getattr(model, "lr", None)
    if isinstance(lr, numbers.Real) and lr <= 0:
        raise FloatingPointError(
            f"The training loss became {loss} in epoch {epoch + 1} with a "
            f"learning rate of {lr}: a rate <= 0 climbs the loss. Use a positive "
            "learning rate, for example lr=0.1.")
    raise FloatingPointError(
        f"The training loss became {loss} in epoch {epoch + 1}: training "
        f"diverged{f' at learning rate {lr}' if lr is not None else ''}. Try a "
        "smaller learning rate (for example ten times smaller), or clip gradients "
        "with Trainer(gradient_clip_val=...).")


def _show_board(model):
    """Draw the final state of the model's board (in a notebook) when the training ends."""
    if hasattr(model, "board"):
        model.board.show()
