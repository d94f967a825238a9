"""--standardize over inputs as large as float64 holds (±1e308): the mean, the std and the
scaled inputs are finite, computed without overflow, and checked against exact
arithmetic (fractions and decimals); ordinary inputs keep the plain computation's bits."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from rnncli.core.input_scale import fitted_scale
from tests.conftest import ROOT, WEATHER_CONFIG

HUGE = np.array(
    [[1e308, 1.7e308], [1e308, 1.7e308], [-1e308, -1.7e308], [1.5e308, 1.75e308]],
)


def exact_scale(column: list[float]) -> tuple[Fraction, Decimal]:
    """The exact mean and the population std to 40 digits."""
    values = [Fraction(v) for v in column]
    mean = sum(values, Fraction(0)) / len(values)
    variance = sum(((v - mean) ** 2 for v in values), Fraction(0)) / len(values)
    with localcontext() as context:
        context.prec = 40
        std = (Decimal(variance.numerator) / Decimal(variance.denominator)).sqrt()
    return mean, std


def ulps(ours: float, exact: Fraction | Decimal) -> float:
    """How many units in the last place `ours` lies from the exact value."""
    return float(abs(Fraction(ours) - Fraction(exact)) / Fraction(float(np.spacing(ours))))


def test_huge_inputs_give_the_exact_mean_and_std() -> None:
    scale, constant = fitted_scale([HUGE])
    assert constant == []
    for i in range(HUGE.shape[1]):
        mean, std = exact_scale(HUGE[:, i].tolist())
        assert ulps(float(scale.mean[i]), mean) <= 2
        assert ulps(float(scale.std[i]), std) <= 2


def test_huge_inputs_are_scaled_as_exact_arithmetic_scales_them() -> None:
    scale, _ = fitted_scale([HUGE])
    scaled = scale.apply(HUGE)
    assert np.isfinite(scaled).all()
    for i in range(HUGE.shape[1]):
        mean, std = exact_scale(HUGE[:, i].tolist())
        for t in range(len(HUGE)):
            with localcontext() as context:
                context.prec = 40
                exact = (Decimal(HUGE[t, i]) - Decimal(mean.numerator) / mean.denominator) / std
            assert ulps(float(scaled[t, i]), exact) <= 8


@pytest.mark.parametrize("e", [900, 1000, 1020])
def test_scaling_by_a_power_of_two_scales_the_result_bit_for_bit(e: int) -> None:
    """Multiplying the inputs by 2^e multiplies mean and std by 2^e exactly and leaves
    the scaled inputs as they were, even where the plain sums overflow."""
    X = np.random.default_rng(5).normal(size=(40, 3))
    X /= np.abs(X).max()  # below 1, so 2^1020 X < 2^1020 fits
    plain, _ = fitted_scale([X])
    large, _ = fitted_scale([np.ldexp(X, e)])
    assert np.array_equal(large.mean, np.ldexp(plain.mean, e))
    assert np.array_equal(large.std, np.ldexp(plain.std, e))
    assert np.array_equal(large.apply(np.ldexp(X, e)), plain.apply(X))


def test_ordinary_inputs_keep_the_plain_bits() -> None:
    rng = np.random.default_rng(7)
    for _ in range(300):
        X = rng.normal(size=(int(rng.integers(2, 60)), 3)) * 10.0 ** int(rng.integers(-150, 150))
        scale, _ = fitted_scale([X])
        mean, std = X.mean(axis=0), X.std(axis=0)
        assert np.array_equal(scale.mean, mean) and np.array_equal(scale.std, std)
        assert np.array_equal(scale.apply(X), (X - mean) / std)


def test_the_command_line_standardizes_huge_inputs_quietly(tmp_path: Path) -> None:
    data = tmp_path / "huge.csv"
    lines = "".join(f"{a!r},{b!r}\n" for a, b in HUGE.tolist())
    data.write_text("temperature,humidity\n" + lines)
    options = ["-c", WEATHER_CONFIG, "--standardize", "-f", "csv"]
    result = subprocess.run(
        [sys.executable, "-W", "error", "-m", "rnncli", "forward", str(data), *options],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    scale, _ = fitted_scale([HUGE])
    means = ", ".join(repr(v) for v in scale.mean.tolist())
    assert result.stderr.splitlines() == [
        f"rnncli: standardized: mean [{means}], "
        f"std [{', '.join(repr(v) for v in scale.std.tolist())}]"
    ]
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    read = np.array([[float(row["temperature"]), float(row["humidity"])] for row in rows])
    assert np.array_equal(read, scale.apply(HUGE))
    assert all(np.isfinite(float(v)) for row in rows for v in row.values())
