"""MNIST and FashionMNIST on small synthetic IDX files made here: reading (gzipped or not),
the checks on malformed files, and downloading from a local HTTP server on 127.0.0.1 with
SHA-256 verification, mirror fallback, and nothing left behind on failure."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import os
import threading

import numpy as np
import pytest

import ember
from ember.datasets import MNIST, FashionMNIST
from ember.datasets.idx import read_idx, write_idx
from ember.datasets.transforms import ToTensor
from ember.utils.data import DataLoader

SPLITS = {"train": 12, "t10k": 5}  # sample counts of the synthetic splits


def synthetic(prefix: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed + len(prefix))
    n = SPLITS[prefix]
    return rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), (np.arange(n) % 10).astype(np.uint8)


def write_split(folder, prefix: str, gz: bool = True, seed: int = 0) -> None:
    os.makedirs(folder, exist_ok=True)
    images, labels = synthetic(prefix, seed)
    ext = ".gz" if gz else ""
    write_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte{ext}"), images)
    write_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte{ext}"), labels)


def served_files(seed: int = 0) -> dict[str, bytes]:
    """The four .gz resources as bytes (gzip with a fixed mtime, so the hashes are stable)."""
    files = {}
    for prefix in SPLITS:
        images, labels = synthetic(prefix, seed)
        for kind, arr in (("images-idx3", images), ("labels-idx1", labels)):
            head = bytes([0, 0, 8, arr.ndim]) + b"".join(n.to_bytes(4, "big") for n in arr.shape)
            files[f"{prefix}-{kind}-ubyte.gz"] = gzip.compress(head + arr.tobytes(), mtime=0)
    return files


class Server:
    """A local HTTP server: ``routes`` maps a path to bytes (or to ``("truncate", bytes)``: half
    of them sent under the full Content-Length); ``hits`` counts the requests per path."""

    def __init__(self):
        self.routes: dict[str, bytes | tuple[str, bytes]] = {}
        self.hits: dict[str, int] = {}
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.hits[self.path] = server.hits.get(self.path, 0) + 1
                body = server.routes.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                declared = len(body)
                if isinstance(body, tuple):  # ("truncate", bytes): cut off halfway
                    declared = len(body[1])
                    body = body[1][: declared // 2]
                self.send_response(200)
                self.send_header("Content-Length", str(declared))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


def use_mirrors(monkeypatch, cls, mirrors, files):
    resources = [(name, hashlib.sha256(blob).hexdigest()) for name, blob in files.items()]
    monkeypatch.setattr(cls, "mirrors", mirrors)
    monkeypatch.setattr(cls, "resources", resources)


def leftovers(folder) -> list[str]:
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


# --- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("train", [True, False])
def test_reads_idx_files(tmp_path, gz, train):
    write_split(tmp_path / "MNIST" / "raw", "train" if train else "t10k", gz=gz)
    ds = MNIST(tmp_path, train=train)
    images, labels = synthetic("train" if train else "t10k")
    assert len(ds) == len(images)
    assert ds.data.dtype == ember.uint8 and tuple(ds.data.shape) == images.shape
    assert ds.targets.dtype == ember.int64 and ds.targets.tolist() == labels.tolist()
    image, target = ds[2]
    assert isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.shape == (28, 28)
    assert np.array_equal(image, images[2]) and target == int(labels[2])


def test_fashion_mnist_has_its_own_folder_and_classes(tmp_path):
    write_split(tmp_path / "FashionMNIST" / "raw", "t10k")
    ds = FashionMNIST(tmp_path, train=False, transform=ToTensor())
    assert ds.classes[0] == "T-shirt/top" and ds.class_to_idx["Ankle boot"] == 9
    x, y = next(iter(DataLoader(ds, batch_size=4)))
    assert tuple(x.shape) == (4, 1, 28, 28) and x.dtype == ember.float32
    assert float(x.max()) <= 1.0 and y.tolist() == [0, 1, 2, 3]
    with pytest.raises(RuntimeError, match="Dataset not found"):
        MNIST(tmp_path, train=False)


def test_missing_files_say_how_to_download(tmp_path):
    with pytest.raises(RuntimeError, match=r"train-images-idx3-ubyte.*download=True"):
        MNIST(tmp_path)


def corrupt_cases():
    good = bytes([0, 0, 8, 1, 0, 0, 0, 4, 1, 2, 3, 4])
    return {
        "bad magic": (
            b"\x12\x34\x56\x78" + good[4:],
            r"not an IDX file \(magic number 0x12345678\)",
        ),
        "wrong kind": (bytes([0, 0, 8, 3]) + good[4:], "wrong kind of IDX file"),
        "no header": (b"\x00\x00", "truncated IDX file"),
        "short header": (bytes([0, 0, 8, 1, 0, 0]), "truncated IDX file"),
        "truncated data": (good[:-2], r"truncated IDX file \(shape \(4,\) needs 4 bytes"),
        "trailing bytes": (good + b"\x00", "corrupt IDX file"),
    }


@pytest.mark.parametrize("case", list(corrupt_cases()))
@pytest.mark.parametrize("gz", [True, False])
def test_malformed_label_files_name_the_file(tmp_path, case, gz):
    blob, message = corrupt_cases()[case]
    path = tmp_path / ("labels.idx.gz" if gz else "labels.idx")
    path.write_bytes(gzip.compress(blob) if gz else blob)
    with pytest.raises(RuntimeError, match=message) as info:
        read_idx(path, magic=0x00000801)
    assert str(path) in str(info.value)


def test_a_truncated_gzip_names_the_file(tmp_path):
    folder = tmp_path / "MNIST" / "raw"
    write_split(folder, "train")
    path = folder / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(RuntimeError, match="corrupt gzip file") as info:
        MNIST(tmp_path)
    assert str(path) in str(info.value)


def test_image_and_label_counts_must_agree(tmp_path):
    folder = tmp_path / "MNIST" / "raw"
    write_split(folder, "train")
    write_idx(folder / "train-labels-idx1-ubyte.gz", np.zeros(3, np.uint8))
    with pytest.raises(RuntimeError, match="holds 12 images but .* holds 3 labels"):
        MNIST(tmp_path)


def test_idx_round_trip_of_other_types(tmp_path):
    for dtype in (np.int8, np.int16, np.int32, np.float32, np.float64):
        arr = np.arange(-6, 6).reshape(3, 4).astype(dtype)
        write_idx(tmp_path / "a.idx", arr)
        back = read_idx(tmp_path / "a.idx")
        assert back.dtype == dtype and np.array_equal(back, arr)


# --- downloading -----------------------------------------------------------------------------


def test_download_fetches_verifies_and_loads(tmp_path, server, monkeypatch):
    files = served_files()
    server.routes = {f"/good/{name}": blob for name, blob in files.items()}
    use_mirrors(monkeypatch, MNIST, [f"{server.url}/good/"], files)
    ds = MNIST(tmp_path, train=True, download=True)
    raw = tmp_path / "MNIST" / "raw"
    assert leftovers(raw) == sorted(files)  # the four files, no partial ones
    for name, blob in files.items():
        assert (raw / name).read_bytes() == blob
    assert ds.targets.tolist() == synthetic("train")[1].tolist()
    assert len(MNIST(tmp_path, train=False)) == SPLITS["t10k"]
    # Present and verified: a second download=True fetches nothing.
    before = sum(server.hits.values())
    MNIST(tmp_path, download=True)
    assert sum(server.hits.values()) == before == 4


def test_download_refuses_a_checksum_mismatch_and_leaves_nothing(tmp_path, server, monkeypatch):
    files = served_files()
    server.routes = {f"/m/{name}": blob for name, blob in files.items()}
    bad = "train-labels-idx1-ubyte.gz"
    blob = bytearray(files[bad])
    blob[-5] ^= 0xFF  # one flipped byte
    server.routes[f"/m/{bad}"] = bytes(blob)
    use_mirrors(monkeypatch, MNIST, [f"{server.url}/m/"], files)
    with pytest.raises(RuntimeError, match=f"could not download {bad}:\n.*SHA-256 mismatch"):
        MNIST(tmp_path, download=True)
    raw = tmp_path / "MNIST" / "raw"
    assert bad not in leftovers(raw)
    assert not [n for n in leftovers(raw) if n.endswith(".part")]
    assert leftovers(raw) == ["train-images-idx3-ubyte.gz"]  # complete and verified


def test_download_falls_back_to_the_next_mirror(tmp_path, server, monkeypatch):
    files = served_files()
    corrupt = {name: blob[:-3] + b"xyz" for name, blob in files.items()}
    server.routes = {f"/bad/{n}": b for n, b in corrupt.items()}
    server.routes.update({f"/good/{n}": b for n, b in files.items()})
    mirrors = [f"{server.url}/missing/", f"{server.url}/bad/", f"{server.url}/good/"]
    use_mirrors(monkeypatch, FashionMNIST, mirrors, files)
    ds = FashionMNIST(tmp_path, train=False, download=True)
    assert len(ds) == SPLITS["t10k"]
    raw = tmp_path / "FashionMNIST" / "raw"
    assert leftovers(raw) == sorted(files)
    assert all(server.hits[f"/missing/{n}"] == 1 for n in files)


def test_an_interrupted_transfer_leaves_nothing(tmp_path, server, monkeypatch):
    files = served_files()
    name = "train-images-idx3-ubyte.gz"
    server.routes = {f"/m/{name}": ("truncate", files[name])}
    use_mirrors(monkeypatch, MNIST, [f"{server.url}/m/"], {name: files[name]})
    with pytest.raises(RuntimeError, match=f"could not download {name}:\n.*incomplete transfer"):
        MNIST(tmp_path, download=True)
    assert leftovers(tmp_path / "MNIST" / "raw") == []


def test_a_corrupt_local_file_is_downloaded_again(tmp_path, server, monkeypatch):
    files = served_files()
    server.routes = {f"/m/{name}": blob for name, blob in files.items()}
    use_mirrors(monkeypatch, MNIST, [f"{server.url}/m/"], files)
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    (raw / "t10k-images-idx3-ubyte.gz").write_bytes(b"garbage")
    ds = MNIST(tmp_path, train=False, download=True)
    assert len(ds) == SPLITS["t10k"]
    assert (raw / "t10k-images-idx3-ubyte.gz").read_bytes() == files["t10k-images-idx3-ubyte.gz"]
