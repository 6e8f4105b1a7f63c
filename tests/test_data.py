import gzip
import shutil

import pytest
import torch

import lib
import lib.data as data_mod


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
    return data_mod.find_fashion_mnist(download=False)


@pytest.fixture
def no_data_anywhere(tmp_path, monkeypatch, real_dir):
    """No cache, no Debian package, no environment variable, no network."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(data_mod.ENV_VAR, raising=False)
    monkeypatch.setattr(data_mod, "DEBIAN_DIR", tmp_path / "no-debian")
    monkeypatch.setattr(data_mod, "_PARSED", {})  # as in a fresh process

    def offline(dest):
        raise OSError("Name or service not known")
    monkeypatch.setattr(data_mod, "_download", offline)
    return tmp_path


def test_missing_dataset_says_how_to_get_it(no_data_anywhere):
    with pytest.raises(FileNotFoundError) as e:
        lib.FashionMNIST()
    msg = str(e.value)
    assert "Fashion-MNIST was not found and could not be downloaded" in msg
    assert "apt-get install dataset-fashion-mnist" in msg
    assert data_mod.ENV_VAR in msg and "train-images-idx3-ubyte.gz" in msg
    assert "Name or service not known" in msg


def _copy_dataset(src, dest, compress):
    dest.mkdir(parents=True)
    for f in data_mod.FILES:
        if compress:
            with open(src / f, "rb") as fin, gzip.open(dest / (f + ".gz"), "wb", compresslevel=1) as fout:
                shutil.copyfileobj(fin, fout)
        else:
            shutil.copy(src / f, dest / f)


def test_env_var_directory_with_gz_files_is_used(no_data_anywhere, real_dir, monkeypatch):
    _copy_dataset(real_dir, no_data_anywhere / "mine", compress=True)
    monkeypatch.setenv(data_mod.ENV_VAR, str(no_data_anywhere / "mine"))
    found = data_mod.find_fashion_mnist(download=False)
    assert found == no_data_anywhere / "cache" / "dlf" / "FashionMNIST" / "raw"  # unpacked once


def test_parsed_cache_is_verified_and_rebuilt_when_corrupt(no_data_anywhere, real_dir, monkeypatch):
    monkeypatch.setenv(data_mod.ENV_VAR, str(real_dir))
    first = data_mod._load(None, download=False)
    cached = no_data_anywhere / "cache" / "dlf" / "FashionMNIST" / "fashion-mnist-parsed.pt"
    assert cached.is_file() and data_mod._matches_original(first)
    tampered = (first[0].clone(), *first[1:])
    tampered[0][0, 0, 0] += 1  # one pixel off
    assert not data_mod._matches_original(tampered)
    torch.save(tampered, cached)
    monkeypatch.setattr(data_mod, "_PARSED", {})
    again = data_mod._load(None, download=False)  # re-parsed from the files, not the bad cache
    assert torch.equal(again[0], first[0]) and data_mod._matches_original(torch.load(cached))


def test_truncated_file_is_a_clear_error(no_data_anywhere, real_dir):
    root = no_data_anywhere / "root"
    _copy_dataset(real_dir, root, compress=False)
    path = root / "t10k-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte is truncated or corrupt .*Delete it"):
        data_mod.find_fashion_mnist(root=root, download=False)


def test_corrupt_gzip_is_a_clear_error(no_data_anywhere, real_dir):
    root = no_data_anywhere / "root"
    _copy_dataset(real_dir, root, compress=True)
    gz = root / "train-labels-idx1-ubyte.gz"
    gz.write_bytes(gz.read_bytes()[:50])
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte.gz is corrupt"):
        data_mod.find_fashion_mnist(root=root, download=False)


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
