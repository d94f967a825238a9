"""rnncli.core.initialise and `rnncli init-weights`: each scheme's bounds, moments and shapes,
reproducible bytes, and files that load back unchanged."""

from __future__ import annotations

import hashlib
import math
import shlex
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from rnncli.cli import app
from rnncli.core.initialise import initial_network, orthogonal
from rnncli.models.config.read import parse_config
from rnncli.models.config.write import network_yaml
from rnncli.option_values import BiasForm, Scheme
from tests.conftest import WEATHER

runner = CliRunner()
I, H, O = 3, 50, 7  # all different, so a transposed shape cannot pass


def init_weights(*args: str) -> str:
    result = runner.invoke(app, ["init-weights", *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_torch_scheme_is_uniform_within_one_over_sqrt_h() -> None:
    net = initial_network(I, H, O, scheme=Scheme.TORCH, seed=1)
    k = 1 / math.sqrt(H)
    arrays = [net.W_xh, net.W_hh, net.b_xh, net.b_hh, net.W_ho, net.b_o]
    values = np.concatenate([np.ravel(a) for a in arrays if a is not None])
    assert np.all(np.abs(values) <= k)
    # U(-k, k) has mean 0 and variance k^2 / 3; with n values the mean is within ~4 sigma.
    n = len(values)
    assert abs(values.mean()) < 4 * k / math.sqrt(3 * n)
    assert values.var() == pytest.approx(k**2 / 3, rel=0.1)
    assert values.max() > 0.9 * k and values.min() < -0.9 * k
    assert (net.W_xh.shape, net.W_hh.shape, net.W_ho.shape if net.W_ho is not None else None) == (
        (H, I),
        (H, H),
        (O, H),
    )
    assert net.bias == "two"


def test_keras_scheme_is_glorot_orthogonal_and_zero_bias() -> None:
    net = initial_network(I, H, O, scheme=Scheme.KERAS, seed=2)
    assert np.all(np.abs(net.W_xh) <= math.sqrt(6 / (I + H)))
    assert np.abs(net.W_xh).max() > 0.9 * math.sqrt(6 / (I + H))
    np.testing.assert_allclose(net.W_hh @ net.W_hh.T, np.eye(H), rtol=0, atol=1e-12)
    assert net.bias == "one"
    assert not net.b_xh.any() and not net.b_hh.any()
    assert net.W_ho is not None and net.b_o is not None
    assert np.all(np.abs(net.W_ho) <= math.sqrt(6 / (H + O)))
    assert not net.b_o.any()


def test_orthogonal_scheme() -> None:
    net = initial_network(I, H, scheme=Scheme.ORTHOGONAL, seed=3)
    np.testing.assert_allclose(net.W_hh @ net.W_hh.T, np.eye(H), rtol=0, atol=1e-12)
    np.testing.assert_allclose(net.W_hh.T @ net.W_hh, np.eye(H), rtol=0, atol=1e-12)
    assert np.all(np.abs(net.W_xh) <= 1 / math.sqrt(H))


def test_orthogonal_is_the_q_of_a_qr_with_a_positive_diagonal() -> None:
    A = np.random.default_rng(4).normal(size=(6, 6))
    Q = orthogonal(A)
    R = Q.T @ A
    np.testing.assert_allclose(np.tril(R, -1), 0, atol=1e-12)  # upper triangular
    assert np.all(np.diag(R) > 0)


def test_normal_scheme_moments() -> None:
    net = initial_network(20, 200, scheme=Scheme.NORMAL, std=0.3, seed=5)
    values = np.concatenate([net.W_xh.ravel(), net.W_hh.ravel()])
    assert values.std() == pytest.approx(0.3, rel=0.02)
    assert abs(values.mean()) < 4 * 0.3 / math.sqrt(len(values))


def test_zeros_scheme_and_bias_forms() -> None:
    net = initial_network(I, H, O, scheme=Scheme.ZEROS, bias=BiasForm.NONE)
    assert net.bias == "none"
    assert not any(a.any() for a in (net.W_xh, net.W_hh, net.b_xh, net.b_hh))
    one = initial_network(I, H, scheme=Scheme.TORCH, bias=BiasForm.ONE, seed=6)
    assert one.bias == "one" and one.b_xh.any() and not one.b_hh.any()


@pytest.mark.parametrize("scheme", list(Scheme))
@pytest.mark.parametrize("bias", list(BiasForm))
def test_the_file_loads_back_to_the_same_bits(scheme: Scheme, bias: BiasForm) -> None:
    net = initial_network(I, 4, 2, scheme=scheme, bias=bias, seed=7, name="round: trip")
    back = parse_config(network_yaml(net, ["a header"]), "t.yaml")
    for key in ("W_xh", "W_hh", "b_xh", "b_hh", "W_ho", "b_o", "h0"):
        assert getattr(back, key).tobytes() == getattr(net, key).tobytes(), key
    assert (back.name, back.bias, back.activation) == ("round: trip", net.bias, net.activation)


def test_the_file_layout() -> None:
    text = init_weights("-i", "2", "-H", "3", "-O", "1", "--seed", "9")
    lines = text.splitlines()
    assert lines[0] == "# rnncli network: 2 inputs, 3 hidden units, 1 output"
    assert lines[1].startswith("# made by: rnncli init-weights --input-size 2 --hidden-size 3")
    assert lines[1].endswith("--seed 9")
    assert "  # W_xh: H x I = 3 x 2" in lines
    assert "  # W_hh: H x H = 3 x 3" in lines
    assert "  # W_ho: O x H = 1 x 3" in lines
    assert sum(line.startswith("    - [") for line in lines) == 3 + 3 + 1  # a row per line


def test_the_same_seed_gives_the_same_bytes() -> None:
    first = init_weights("-i", "3", "-H", "4", "-O", "2", "--seed", "42")
    assert first == init_weights("-i", "3", "-H", "4", "-O", "2", "--seed", "42")
    assert first != init_weights("-i", "3", "-H", "4", "-O", "2", "--seed", "43")
    # Made once and checked in: the same bytes on every machine; torch's mt19937 stream
    # (tests/test_torch_seed.py holds it to torch itself) and keras's numpy PCG64 stream.
    digest = hashlib.sha256(first.encode()).hexdigest()
    assert digest == "ee80389ec8fa470f0ae2cb2a6adad5a4b2487b13bcf4f594e62c2e7e14c81130"
    keras = init_weights("-i", "3", "-H", "4", "-O", "2", "--seed", "42", "--init", "keras")
    digest = hashlib.sha256(keras.encode()).hexdigest()
    assert digest == "19da87c617c1a7c8d0f63e9c66f4f94cc838a15498ea6180b1a162733f50bfb1"


def test_without_a_seed_the_header_makes_the_file_again() -> None:
    text = init_weights("-i", "2", "-H", "3", "--init", "normal", "--std", "0.5", "--name", "a b")
    command = text.splitlines()[1].removeprefix("# made by: ")
    args = shlex.split(command)[2:]
    assert "--seed" in args
    assert init_weights(*args) == text


def test_init_weights_pipes_into_forward(tmp_path: Path) -> None:
    import shlex
    import subprocess
    import sys

    python = shlex.quote(sys.executable)
    completed = subprocess.run(
        f"{python} -m rnncli init-weights -i 2 -H 4 --seed 1 | "
        f"{python} -m rnncli forward {shlex.quote(WEATHER)} -c - -f csv",
        shell=True,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = completed.stdout.splitlines()
    assert rows[0] == "t,temperature,humidity,h1,h2,h3,h4"  # the header's names
    assert len(rows) == 6
    # The same network, loaded from the file, gives the same numbers in-process.
    from rnncli.core.forward import forward

    net = parse_config(init_weights("-i", "2", "-H", "4", "--seed", "1"), "n.yaml")
    X = np.array([[22.1, 45.0]])
    h1 = forward(net, X).H[0]
    assert [float(v) for v in rows[1].split(",")[3:]] == h1.tolist()


def test_output_file_refuses_to_replace_unless_forced(tmp_path: Path) -> None:
    target = tmp_path / "net.yaml"
    target.write_bytes(b"precious\n")
    refused = runner.invoke(app, ["init-weights", "-i", "2", "-H", "2", "-o", str(target)])
    assert refused.exit_code == 1
    assert "already exists" in refused.stderr and "--force" in refused.stderr
    assert target.read_bytes() == b"precious\n"
    forced = runner.invoke(
        app, ["init-weights", "-i", "2", "-H", "2", "--seed", "3", "-o", str(target), "--force"]
    )
    assert forced.exit_code == 0
    assert target.read_text() == init_weights("-i", "2", "-H", "2", "--seed", "3")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.yaml"]


@pytest.mark.parametrize(
    "args",
    [
        ["-i", "0", "-H", "2"],
        ["-i", "2", "-H", "-1"],
        ["-i", "2", "-H", "2", "-O", "0"],
        ["-i", "x", "-H", "2"],
        ["-H", "2"],
        ["-i", "2", "-H", "2", "--init", "xavier"],
        ["-i", "2", "-H", "2", "--activation", "softmax"],
        ["-i", "2", "-H", "2", "--output-activation", "softmax"],
        ["-i", "2", "-H", "2", "--std", "-1"],
    ],
)
def test_bad_options_are_usage_errors(args: list[str]) -> None:
    result = runner.invoke(app, ["init-weights", *args])
    assert result.exit_code == 2
    assert result.stdout == ""
