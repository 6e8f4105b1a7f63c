import gzip
import hashlib
import re
import shutil
import warnings

import pytest
import torch

import lib
import lib.datasets as ds


@pytest.fixture(scope="module")
def fmnist():
    return lib.FashionMNIST(batch_size=256)


def test_fashion_mnist_is_the_real_dataset(fmnist):
    assert (len(fmnist.train), len(fmnist.val)) == (60000, 10000)
    X, y = fmnist.train[0]
    assert X.shape == (1, 28, 28) and X.dtype == torch.float32 and 0 <= X.min() and X.max() <= 1
    # Every class has 6000 training and 1000 validation images.
    assert torch.bincount(fmnist.train.targets).tolist() == [6000] * 10
    assert torch.bincount(fmnist.val.targets).tolist() == [1000] * 10
    assert fmnist.text_labels([0, 9]) == ["t-shirt", "ankle boot"]


def test_batches_shapes_and_count(fmnist):
    loader = fmnist.val_dataloader()
    batches = list(loader)
    assert len(loader) == len(batches) == 40
    X, y = batches[0]
    assert X.shape == (256, 1, 28, 28) and y.shape == (256,) and y.dtype == torch.int64
    assert batches[-1][0].shape[0] == 10000 - 39 * 256
    # Validation batches are in file order; they match indexing the dataset.
    torch.testing.assert_close(X[3], fmnist.val[3][0])


def test_training_batches_are_a_permutation(fmnist):
    ys = torch.cat([y for _, y in fmnist.train_dataloader()])
    assert torch.bincount(ys).tolist() == [6000] * 10
    assert not torch.equal(ys, fmnist.train.targets)


def test_resize(fmnist):
    data = lib.FashionMNIST(batch_size=8, resize=(32, 32))
    X, _ = next(iter(data.val_dataloader()))
    assert X.shape == (8, 1, 32, 32)
    assert data.train[0][0].shape == (1, 32, 32)


@pytest.mark.parametrize("resize", [28, (28,), (0, 28), (28.0, 28), (28, -1), "28x28", (True, 28)])
def test_resize_must_be_two_positive_integers(resize):
    with pytest.raises(ValueError, match=r"resize must be two positive integers \(height, width\)"):
        lib.FashionMNIST(resize=resize)


@pytest.fixture(scope="module")
def real_dir():
    """A folder of the four plain, verified files (in the session's temporary cache)."""
    return ds.find_fashion_mnist(download=False)


@pytest.fixture
def no_data_anywhere(tmp_path, monkeypatch, real_dir):
    """An empty cache, no Debian package, no environment variable, no network, a fresh process."""
    monkeypatch.setenv(ds.CACHE_ENV_VAR, str(tmp_path / "cache"))
    monkeypatch.delenv(ds.ENV_VAR, raising=False)
    monkeypatch.setattr(ds, "DEBIAN_DIR", tmp_path / "no-debian")
    monkeypatch.setattr(ds, "_LOADED", [])

    def offline():
        raise OSError("Name or service not known")
    monkeypatch.setattr(ds, "_download", offline)
    return tmp_path


def _copy_dataset(src, dest, compress):
    dest.mkdir(parents=True)
    for f in ds.FILES:
        if compress:
            with open(src / f, "rb") as fin, gzip.open(dest / (f + ".gz"), "wb", compresslevel=1) as fout:
                shutil.copyfileobj(fin, fout)
        else:
            shutil.copy(src / f, dest / f)


def _cache(tmp):
    return tmp / "cache" / "FashionMNIST" / "raw"


def _cache_is_original(tmp):
    return all(hashlib.sha256((_cache(tmp) / f).read_bytes()).hexdigest() == digest
               for f, digest in ds.FILES.items())


def test_the_cache_honours_its_environment_variable(no_data_anywhere):
    assert ds.cache_dir() == no_data_anywhere / "cache"


def test_missing_dataset_says_how_to_get_it(no_data_anywhere):
    with pytest.raises(FileNotFoundError) as e:
        lib.FashionMNIST()
    msg = str(e.value)
    assert "Fashion-MNIST was not found and could not be downloaded" in msg
    assert "apt-get install dataset-fashion-mnist" in msg
    assert ds.ENV_VAR in msg and "train-images-idx3-ubyte.gz" in msg
    assert "Name or service not known" in msg
    assert not (no_data_anywhere / "cache").exists()  # nothing written


def test_env_var_directory_with_gz_files_is_used(no_data_anywhere, real_dir, monkeypatch):
    _copy_dataset(real_dir, no_data_anywhere / "mine", compress=True)
    monkeypatch.setenv(ds.ENV_VAR, str(no_data_anywhere / "mine"))
    found = ds.find_fashion_mnist(download=False)
    assert found == _cache(no_data_anywhere) and _cache_is_original(no_data_anywhere)  # unpacked once


def test_parsed_cache_is_verified_and_rebuilt_when_corrupt(no_data_anywhere, real_dir, monkeypatch):
    monkeypatch.setenv(ds.ENV_VAR, str(real_dir))
    first = ds.load_fashion_mnist(None, download=False)
    cached = no_data_anywhere / "cache" / "FashionMNIST" / "fashion-mnist-parsed.pt"
    assert cached.is_file() and ds._matches_original(first)
    tampered = (first[0].clone(), *first[1:])
    tampered[0][0, 0, 0] += 1  # one pixel off
    assert not ds._matches_original(tampered)
    torch.save(tampered, cached)
    monkeypatch.setattr(ds, "_LOADED", [])
    again = ds.load_fashion_mnist(None, download=False)  # re-parsed from the files, not the bad cache
    assert torch.equal(again[0], first[0]) and ds._matches_original(torch.load(cached))


def _poison(folder, name="train-labels-idx1-ubyte"):
    """Replace one .gz by valid gzip holding the wrong content (another dataset, say)."""
    gz = folder / (name + ".gz")
    with gzip.open(gz, "wb") as fh:
        fh.write(b"\x00\x00\x08\x01" + bytes(100))
    return gz


def test_poisoned_root_never_reaches_the_cache_and_the_next_source_is_used(
        no_data_anywhere, real_dir, monkeypatch):
    """The fault of issue 11: a bad root= used to poison ~/.cache/dlf for every later run."""
    tmp = no_data_anywhere
    _copy_dataset(real_dir, tmp / "debian", compress=True)
    monkeypatch.setattr(ds, "DEBIAN_DIR", tmp / "debian")
    _copy_dataset(real_dir, tmp / "mine", compress=True)
    bad = _poison(tmp / "mine")
    with pytest.warns(UserWarning, match=rf"skipping root= because {re.escape(str(bad))} is not the original"):
        found = ds.find_fashion_mnist(root=tmp / "mine", download=False)
    assert found == _cache(tmp) and _cache_is_original(tmp)  # Debian's good copy, verified
    # Later runs, with or without root=, work without anyone deleting anything.
    assert ds.find_fashion_mnist(download=False) == _cache(tmp)
    with gzip.open(bad, "wb") as fh:  # the user fixes their file
        fh.write((real_dir / "train-labels-idx1-ubyte").read_bytes())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ds.find_fashion_mnist(root=tmp / "mine", download=False) == _cache(tmp)
    assert _cache_is_original(tmp)


def test_poisoned_root_with_no_other_source_is_an_error_naming_the_users_file(no_data_anywhere, real_dir):
    _copy_dataset(real_dir, no_data_anywhere / "mine", compress=True)
    bad = _poison(no_data_anywhere / "mine", "t10k-images-idx3-ubyte")
    with pytest.warns(UserWarning, match=re.escape(str(bad))):
        with pytest.raises(FileNotFoundError, match=rf"root=: .*skipped: {re.escape(str(bad))}"):
            lib.FashionMNIST(root=no_data_anywhere / "mine")
    assert not _cache(no_data_anywhere).exists()


def test_truncated_file_is_skipped_with_a_warning_naming_it(no_data_anywhere, real_dir):
    root = no_data_anywhere / "root"
    _copy_dataset(real_dir, root, compress=False)
    path = root / "t10k-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.warns(UserWarning, match=rf"{re.escape(str(path))} is not the original file \(truncated"):
        with pytest.raises(FileNotFoundError, match="Fashion-MNIST was not found"):
            ds.find_fashion_mnist(root=root, download=False)


def test_corrupt_gzip_is_skipped_with_a_warning_naming_it(no_data_anywhere, real_dir, monkeypatch):
    monkeypatch.setattr(ds, "DEBIAN_DIR", real_dir)  # a good source after the bad one
    root = no_data_anywhere / "root"
    _copy_dataset(real_dir, root, compress=True)
    gz = root / "train-labels-idx1-ubyte.gz"
    gz.write_bytes(gz.read_bytes()[:50])
    with pytest.warns(UserWarning, match=rf"{re.escape(str(gz))} is unreadable or not valid gzip"):
        assert ds.find_fashion_mnist(root=root, download=False) == real_dir


def test_corrupt_cache_heals_from_the_next_source(no_data_anywhere, real_dir, monkeypatch):
    tmp = no_data_anywhere
    _copy_dataset(real_dir, _cache(tmp), compress=False)
    victim = _cache(tmp) / "train-images-idx3-ubyte"
    victim.write_bytes(victim.read_bytes()[:1000])
    _copy_dataset(real_dir, tmp / "debian", compress=True)
    monkeypatch.setattr(ds, "DEBIAN_DIR", tmp / "debian")
    with pytest.warns(UserWarning, match=rf"skipping the cache because {re.escape(str(victim))}"):
        assert ds.find_fashion_mnist(download=False) == _cache(tmp)
    assert _cache_is_original(tmp)
    with warnings.catch_warnings():  # healed: the next run is quiet
        warnings.simplefilter("error")
        assert ds.find_fashion_mnist(download=False) == _cache(tmp)


def test_a_bad_download_is_not_cached(no_data_anywhere, real_dir, monkeypatch):
    def bad_download():
        folder = no_data_anywhere / "dl"
        _copy_dataset(real_dir, folder / "FashionMNIST" / "raw", compress=False)
        (folder / "FashionMNIST" / "raw" / "train-labels-idx1-ubyte").write_bytes(b"html error page")
        return folder
    monkeypatch.setattr(ds, "_download", bad_download)
    with pytest.raises(FileNotFoundError, match=r"download failed: .*train-labels-idx1-ubyte is not the original"):
        ds.find_fashion_mnist()
    assert not _cache(no_data_anywhere).exists()
    assert not (no_data_anywhere / "dl").exists()  # the temporary download is removed


@pytest.mark.parametrize("how", ["root", "env"])
def test_a_named_folder_that_does_not_exist_is_an_error(no_data_anywhere, monkeypatch, how):
    missing = no_data_anywhere / "typo"
    kwargs = {}
    if how == "root":
        kwargs["root"] = missing
        name = "root="
    else:
        monkeypatch.setenv(ds.ENV_VAR, str(missing))
        name = "$" + ds.ENV_VAR
    with pytest.raises(FileNotFoundError,
                       match=rf"{re.escape(name)} is '{re.escape(str(missing))}', which is not an existing folder"):
        lib.FashionMNIST(**kwargs)


def test_a_named_folder_without_the_files_is_an_error_listing_them(no_data_anywhere, real_dir):
    root = no_data_anywhere / "partial"
    _copy_dataset(real_dir, root, compress=True)
    (root / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match=r"lacks t10k-labels-idx1-ubyte \(each may be .gz\)"):
        ds.find_fashion_mnist(root=root, download=False)


def test_explicit_root_is_checked_before_the_parsed_cache(no_data_anywhere, real_dir, monkeypatch):
    """The documented order: root= comes first, even when a parsed cache exists."""
    monkeypatch.setenv(ds.ENV_VAR, str(real_dir))
    ds.load_fashion_mnist(download=False)  # fills the parsed cache and this process's copy
    monkeypatch.delenv(ds.ENV_VAR)
    with pytest.raises(FileNotFoundError, match="not an existing folder"):
        ds.load_fashion_mnist(root=no_data_anywhere / "nowhere", download=False)
    monkeypatch.setattr(ds, "_LOADED", [])
    with pytest.raises(FileNotFoundError, match="not an existing folder"):
        ds.load_fashion_mnist(root=no_data_anywhere / "nowhere", download=False)


def test_torchvision_layout_under_root_is_found(no_data_anywhere, real_dir):
    _copy_dataset(real_dir, no_data_anywhere / "tv" / "FashionMNIST" / "raw", compress=False)
    assert ds.find_fashion_mnist(root=no_data_anywhere / "tv", download=False) == \
        no_data_anywhere / "tv" / "FashionMNIST" / "raw"


def test_synthetic_regression_data():
    torch.manual_seed(0)
    data = lib.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2, noise=0.0)
    assert data.X.shape == (2000, 2) and data.y.shape == (2000, 1)
    torch.testing.assert_close(data.y, data.X @ torch.tensor([[2.0], [-3.4]]) + 4.2)
    X, y = next(iter(data.train_dataloader()))
    assert X.shape == (32, 2) and y.shape == (32, 1)
    assert len(data.val_dataloader()) == 1000 // 32 + 1


@pytest.mark.parametrize("w", [torch.ones(2, 2), torch.tensor(2.0), torch.ones(0), torch.ones(1, 2, 1)])
def test_synthetic_data_rejects_a_w_of_the_wrong_shape(w):
    with pytest.raises(ValueError, match=r"w must be a vector of weights, one per feature"):
        lib.SyntheticRegressionData(w=w, b=4.2)


def test_synthetic_data_rejects_a_vector_bias():
    with pytest.raises(ValueError, match="b must be a scalar bias"):
        lib.SyntheticRegressionData(w=torch.tensor([1.0, 2.0]), b=torch.ones(2))


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("n,batch_size", [(100, 32), (64, 64), (10, 100)])
def test_tensor_loader_matches_torch_dataloader(n, batch_size, shuffle):
    """Same batches in the same order, and the same use of the global RNG, as DataLoader."""
    X, y = torch.randn(n, 3), torch.arange(n)
    torch.manual_seed(1)
    ours = [tuple(t.clone() for t in b) for b in lib.TensorLoader((X, y), batch_size, shuffle)]
    after_ours = torch.rand(1)
    torch.manual_seed(1)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size, shuffle=shuffle)
    theirs = list(loader)
    after_theirs = torch.rand(1)
    assert len(ours) == len(theirs) == len(loader)
    for (a, b), (c, d) in zip(ours, theirs):
        torch.testing.assert_close(a, c)
        torch.testing.assert_close(b, d)
    torch.testing.assert_close(after_ours, after_theirs)


def test_tensor_loader_rejects_ragged_tensors():
    with pytest.raises(ValueError, match="same first dimension"):
        lib.TensorLoader((torch.ones(3, 2), torch.ones(4)), 2)


def test_data_module_without_get_dataloader_says_what_to_define():
    with pytest.raises(NotImplementedError, match=r"does not implement get_dataloader\(train\)"):
        lib.DataModule().train_dataloader()
