"""The training loop (linear regression chapter), with d2l's protocol.

Every step is a method, so a chapter (or a student) can replace one with
``@add_to_class(Trainer)`` and `fit` uses the replacement.
"""
import math
import numbers

import torch

from .hyperparams import HyperParameters, positive_int

__all__ = ["Trainer"]


class Trainer(HyperParameters):
    """Fit a `Module` to a `DataModule`; `fit` returns the per-epoch history."""

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
        total, count = self._epoch_sums.get(key, (0.0, 0))
        self._epoch_sums[key] = (total + value, count + 1)

    def fit(self, model, data):
        """Train `model` on `data` for `max_epochs`; return a list of per-epoch dicts of means."""
        if not callable(getattr(model, "configure_optimizers", None)):
            raise TypeError(f"{type(model).__name__} has no configure_optimizers() method: "
                            "derive the model from lib.Module (or lib.Classifier) and define "
                            "configure_optimizers() to return an optimizer.")
        self.prepare_data(data)
        self.prepare_model(model)
        self.optim = model.configure_optimizers()
        self.epoch = 0
        self.train_batch_idx = 0
        self.val_batch_idx = 0
        self.history = []
        for self.epoch in range(self.max_epochs):
            self._epoch_sums = {}
            self.fit_epoch()
            record = {"epoch": self.epoch + 1}
            record.update({k: float(t / c) for k, (t, c) in self._epoch_sums.items()})
            self.history.append(record)
            loss = record.get("train_loss")
            if loss is not None and not math.isfinite(loss):
                lr = getattr(self.optim, "lr", None) or getattr(model, "lr", None)
                if isinstance(lr, numbers.Real) and lr <= 0:
                    raise FloatingPointError(
                        f"The training loss became {loss} in epoch {self.epoch + 1} with a "
                        f"learning rate of {lr}: a rate <= 0 climbs the loss. Use a positive "
                        "learning rate, for example lr=0.1.")
                raise FloatingPointError(
                    f"The training loss became {loss} in epoch {self.epoch + 1}: training "
                    f"diverged{f' at learning rate {lr}' if lr is not None else ''}. Try a "
                    "smaller learning rate (for example ten times smaller), or clip gradients "
                    "with Trainer(gradient_clip_val=...).")
        if hasattr(model, "board"):
            model.board.show()
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
