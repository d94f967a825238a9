"""The lecture's kinds of sequence modelling, batches and saved state, worked by hand on a
two-unit network whose numbers can be followed on paper.

The network: identity f, W_xh = [[1], [0]], W_hh = [[0.5, 0], [1, 0]], no biases,
W_ho = [[1, 1]]. So h1_t = x_t + 0.5 h1_{t-1}, h2_t = h1_{t-1}, and o_t = h1_t + h2_t.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from rnncli.cli import app
from rnncli.core import batching
from rnncli.core.forward import forward, forward_batch
from rnncli.core.network import Network, single_layer
from rnncli.option_values import Mode

runner = CliRunner()

TWO_UNITS = """\
activation: identity
weights:
  W_xh: [[1.0], [0.0]]
  W_hh: [[0.5, 0.0], [1.0, 0.0]]
  W_ho: [[1.0, 1.0]]
"""


def two_units() -> object:
    return single_layer(
        W_xh=np.array([[1.0], [0.0]]),
        W_hh=np.array([[0.5, 0.0], [1.0, 0.0]]),
        b_xh=np.zeros(2),
        b_hh=np.zeros(2),
        W_ho=np.array([[1.0, 1.0]]),
        b_o=np.zeros(1),
        activation="identity",
        output_activation="identity",
    )


@pytest.fixture
def config(tmp_path: Path) -> str:
    path = tmp_path / "two.yaml"
    path.write_text(TWO_UNITS)
    return str(path)


def run_json(*args: str, stdin: str | None = None) -> dict:
    result = runner.invoke(app, ["forward", *args, "-f", "json"], input=stdin)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_one_to_many_runs_on_zero_inputs(config: str) -> None:
    # x = 2, 0, 0:  h = [2, 0], [1, 2], [0.5, 1];  o = 2, 3, 1.5
    document = run_json("-", "-c", config, "-m", "one-to-many", "--steps", "3", stdin="2\n")
    assert [step["x"] for step in document["steps"]] == [[2.0], [0.0], [0.0]]
    assert [step["h"] for step in document["steps"]] == [[2.0, 0.0], [1.0, 2.0], [0.5, 1.0]]
    assert document["output"] == [[2.0], [3.0], [1.5]]
    assert document["mode"] == "one-to-many"


def test_one_to_many_with_feedback(config: str) -> None:
    # x_1 = 2, then x_t = o_{t-1}: x = 2, 2, 5;  h = [2, 0], [3, 2], [6.5, 3];  o = 2, 5, 9.5
    document = run_json(
        "-", "-c", config, "-m", "one-to-many", "--steps", "3", "--feedback", stdin="2\n"
    )
    assert [step["x"] for step in document["steps"]] == [[2.0], [2.0], [5.0]]
    assert [step["h"] for step in document["steps"]] == [[2.0, 0.0], [3.0, 2.0], [6.5, 3.0]]
    assert document["output"] == [[2.0], [5.0], [9.5]]


def test_many_to_many_delayed_emits_after_the_input(config: str) -> None:
    # x = 1, 2, then 0, 0:  h = [1, 0], [2.5, 1], [1.25, 2.5], [0.625, 1.25]
    # outputs only at t = 3, 4: 3.75 and 1.875
    document = run_json(
        "-", "-c", config, "-m", "many-to-many-delayed", "--steps", "2", stdin="1\n2\n"
    )
    assert [step["t"] for step in document["steps"]] == [1, 2, 3, 4]
    assert ["o" in step for step in document["steps"]] == [False, False, True, True]
    assert document["output"] == [[3.75], [1.875]]
    assert document["h_n"] == [0.625, 1.25]


def test_mode_options_that_disagree(config: str) -> None:
    for args in (
        ["-m", "one-to-many"],
        ["-m", "many-to-many-delayed"],
        ["--steps", "2"],
        ["--feedback"],
    ):
        result = runner.invoke(app, ["forward", "-", "-c", config, *args], input="1\n")
        assert result.exit_code == 2, args
        assert result.stdout == ""
    two_rows = runner.invoke(
        app, ["forward", "-", "-c", config, "-m", "one-to-many", "--steps", "2"], input="1\n2\n"
    )
    assert two_rows.exit_code == 1
    assert "one-to-many reads one row x_1, this has 2 rows" in two_rows.stderr


def test_feedback_needs_as_many_outputs_as_inputs(tmp_path: Path) -> None:
    config = tmp_path / "wide.yaml"
    config.write_text("weights:\n  W_xh: [[1.0], [0.0]]\n  W_hh: [[0.5, 0.0], [1.0, 0.0]]\n")
    result = runner.invoke(
        app,
        ["forward", "-", "-c", str(config), "-m", "one-to-many", "--steps", "2", "--feedback"],
        input="1\n",
    )
    assert result.exit_code == 2
    assert (
        "--feedback: feeds o_t back as x_t+1, so it needs as many outputs (2) as inputs (1)"
        in result.stderr
    )


def test_a_batch_of_different_lengths_equals_each_sequence_alone(
    random_network: Callable[..., Network],
) -> None:
    rng = np.random.default_rng(5)
    net = random_network(rng, inputs=3, units=4, outputs=2, output_activation="softmax")
    sequences = [rng.normal(size=(T, 3)) for T in (5, 1, 9, 3)]
    for mode in (Mode.MANY_TO_MANY, Mode.MANY_TO_ONE):
        together = forward_batch(net, sequences, mode=mode)
        for X, batched in zip(sequences, together, strict=True):
            alone = forward(net, X, mode=mode)
            np.testing.assert_allclose(batched.H, alone.H, rtol=0, atol=1e-12)
            np.testing.assert_allclose(batched.O, alone.O, rtol=0, atol=1e-12)
            np.testing.assert_allclose(batched.h_n, alone.h_n, rtol=0, atol=1e-12)


def test_a_batch_in_parts_gives_the_same_bits_on_any_number_of_cores(
    monkeypatch: pytest.MonkeyPatch, random_network: Callable[..., Network]
) -> None:
    # Parts of 13 sequences: 40 ragged sequences run as 13 + 13 + 13 + 1.
    monkeypatch.setattr(batching, "PART_SEQUENCES", 13)
    rng = np.random.default_rng(9)
    net = random_network(rng, inputs=2, units=16, outputs=1)
    sequences = [rng.normal(size=(int(T), 2)) for T in rng.integers(1, 12, size=40)]
    for mode in (Mode.MANY_TO_MANY, Mode.MANY_TO_ONE):
        runs = []
        for count in (1, 2, 3, 8):
            monkeypatch.setattr(batching, "cores", lambda count=count: count)
            runs.append(forward_batch(net, sequences, mode=mode))
        for results in runs[1:]:
            for a, b in zip(runs[0], results, strict=True):
                assert (a.H.tobytes(), a.O.tobytes()) == (b.H.tobytes(), b.O.tobytes())
        for X, batched in zip(sequences, runs[0], strict=True):
            alone = forward(net, X, mode=mode)
            assert np.array_equal(batched.X, X)  # in order
            np.testing.assert_allclose(batched.H, alone.H, rtol=0, atol=1e-12)
            np.testing.assert_allclose(batched.O, alone.O, rtol=0, atol=1e-12)


def test_an_error_in_a_part_reaches_the_caller(
    monkeypatch: pytest.MonkeyPatch, random_network: Callable[..., Network]
) -> None:
    monkeypatch.setattr(batching, "PART_SEQUENCES", 2)
    monkeypatch.setattr(batching, "cores", lambda: 2)

    def fails(*arguments: object) -> None:
        raise MemoryError("no room")

    monkeypatch.setattr(batching, "run_together", fails)
    rng = np.random.default_rng(3)
    net = random_network(rng, inputs=2, units=3, outputs=1)
    with pytest.raises(MemoryError, match="no room"):
        forward_batch(net, [rng.normal(size=(3, 2)) for _ in range(5)])


def test_ctrl_c_does_not_wait_for_the_parts(
    monkeypatch: pytest.MonkeyPatch, random_network: Callable[..., Network]
) -> None:
    import signal
    import threading

    monkeypatch.setattr(batching, "PART_SEQUENCES", 1)
    monkeypatch.setattr(batching, "cores", lambda: 2)
    released, entered = threading.Event(), threading.Event()

    def stuck(*arguments: object) -> list[object]:
        entered.set()
        released.wait()  # a sub-batch that runs until released
        return []

    monkeypatch.setattr(batching, "run_together", stuck)
    main = threading.main_thread().ident
    assert main is not None

    def press_ctrl_c() -> None:
        """Ctrl-C once a part is running; should the run then wait for its parts, the
        parts are let go after a minute (and the test fails below)."""
        if entered.wait(120):
            signal.pthread_kill(main, signal.SIGINT)
        released.wait(60)
        released.set()

    ctrl_c = threading.Thread(target=press_ctrl_c, daemon=True)
    rng = np.random.default_rng(3)
    net = random_network(rng, inputs=2, units=3, outputs=1)
    sequences = [rng.normal(size=(3, 2)) for _ in range(4)]
    # Python's own Ctrl-C handler, even where the tests run with SIGINT ignored (in the
    # background of a shell)
    handler = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            ctrl_c.start()
            forward_batch(net, sequences)
        assert not released.is_set()  # interrupted while the parts were still running
    finally:
        released.set()
        ctrl_c.join(timeout=60)
        signal.signal(signal.SIGINT, handler)


def test_batches_from_json_and_csv(config: str) -> None:
    # a: x = 1, 2, 3 -> h = [1, 0], [2.5, 1], [4.25, 2.5];  b: x = 4 -> h = [4, 0]
    by_name = run_json("-", "-c", config, stdin='{"sequences": {"a": [1, 2, 3], "b": [4]}}')
    assert [entry["id"] for entry in by_name["sequences"]] == ["a", "b"]
    assert [entry["h_n"] for entry in by_name["sequences"]] == [[4.25, 2.5], [4.0, 0.0]]
    assert list(by_name) == ["mode", "network", "sequences"]
    by_list = run_json("-", "-c", config, stdin='{"sequences": [[1, 2, 3], [4]]}')
    assert [entry["id"] for entry in by_list["sequences"]] == [1, 2]
    grouped = runner.invoke(
        app,
        ["forward", "-", "-c", config, "--group-by", "s", "-f", "csv"],
        input="s,x\na,1\nb,4\na,2\na,3\n",
    )
    assert grouped.stdout.splitlines() == [
        "seq,t,x,h1,h2,o1",
        "a,1,1.0,1.0,0.0,1.0",
        "a,2,2.0,2.5,1.0,3.5",
        "a,3,3.0,4.25,2.5,6.75",
        "b,1,4.0,4.0,0.0,4.0",
    ]
    lines = runner.invoke(
        app,
        ["forward", "-", "-c", config, "--group-by", "s", "-f", "jsonl"],
        input="s,x\na,1\nb,4\n",
    ).stdout.splitlines()
    assert [json.loads(line)["seq"] for line in lines] == ["a", "b"]
    table = runner.invoke(
        app,
        ["forward", "-", "-c", config, "--group-by", "s", "-f", "table"],
        input="s,x\na,1\nb,4\n",
    ).stdout
    assert "sequence a" in table and "sequence b" in table


def test_group_by_a_missing_column(config: str) -> None:
    result = runner.invoke(
        app, ["forward", "-", "-c", config, "--group-by", "id"], input="s,x\na,1\n"
    )
    assert result.exit_code == 1
    assert "no column 'id' to group by; the columns are s, x" in result.stderr


def test_two_halves_with_the_state_carried_equal_one_pass(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    config = tmp_path / "net.yaml"
    W_xh, W_hh = rng.normal(size=(3, 2)), rng.normal(size=(3, 3)) * 0.5
    config.write_text(
        "layers:\n"
        f"  - {{W_xh: {W_xh.tolist()}, W_hh: {W_hh.tolist()}, b_h: [0.1, 0.2, 0.3]}}\n"
        f"  - {{W_xh: {(W_hh * 0.9).tolist()}, W_hh: {(W_hh * 0.3).tolist()}}}\n"
    )
    X = rng.normal(size=(40, 2))
    whole, first, second = tmp_path / "all.csv", tmp_path / "first.csv", tmp_path / "second.csv"
    for path, rows in ((whole, X), (first, X[:17]), (second, X[17:])):
        path.write_text("".join(f"{a!r},{b!r}\n" for a, b in rows.tolist()))
    state = tmp_path / "state.json"
    one = runner.invoke(app, ["forward", str(whole), "-c", str(config), "-f", "json"])
    half = runner.invoke(
        app,
        ["forward", str(first), "-c", str(config), "-f", "json", "--save-state", str(state)],
    )
    rest = runner.invoke(
        app, ["forward", str(second), "-c", str(config), "-f", "json", "--h0", str(state)]
    )
    assert one.exit_code == half.exit_code == rest.exit_code == 0, rest.stderr
    one_pass = json.loads(one.stdout)["steps"]
    in_halves = json.loads(half.stdout)["steps"] + json.loads(rest.stdout)["steps"]
    assert [step["h"] for step in in_halves] == [step["h"] for step in one_pass]  # bit for bit
    assert [step["layers"] for step in in_halves] == [step["layers"] for step in one_pass]
    assert len(json.loads(state.read_text())["h0"]) == 2  # one state per layer


REVERSE = "direction: reverse\nactivation: identity\nweights: {W_xh: [[1.0]], W_hh: [[1.0]]}\n"


def test_many_to_one_read_in_reverse_uses_the_final_state(tmp_path: Path) -> None:
    # identity, W_xh = W_hh = 1, run t = 3..1: the final state (at t = 1) is 3 + 2 + 1 = 6
    config = tmp_path / "rev.yaml"
    config.write_text(REVERSE)
    document = run_json("-", "-c", str(config), "-m", "many-to-one", stdin="[1, 2, 3]")
    assert document["output"] == [6.0]
    assert document["h_n"] == [[6.0]]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["-m", "many-to-many-delayed", "-n", "2"], ["runs forward in time only"]),
        (["-m", "one-to-many", "-n", "2"], ["runs forward in time only"]),
        (["--save-state", "state.json"], ["--save-state", "a reverse direction"]),
    ],
)
def test_what_a_reverse_network_cannot_do(
    tmp_path: Path, args: list[str], words: list[str]
) -> None:
    config = tmp_path / "rev.yaml"
    config.write_text(REVERSE)
    result = runner.invoke(app, ["forward", "-", "-c", str(config), *args], input="[5]")
    assert result.exit_code == 2
    assert result.stdout == ""
    for word in words:
        assert word in result.stderr
    assert not (tmp_path / "state.json").exists()


def test_too_many_steps_are_refused_before_any_memory_is_taken(config: str) -> None:
    result = runner.invoke(
        app, ["forward", "-", "-c", config, "-m", "one-to-many", "-n", "1000000000"], input="1\n"
    )
    assert result.exit_code == 2
    assert "--steps: 1,000,000,000 steps would hold about" in result.stderr


def test_the_state_is_saved_only_when_the_run_succeeds(config: str, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    result = runner.invoke(
        app,
        ["forward", "-", "-c", config, "--save-state", str(state), "-o", str(tmp_path / "no/x")],
        input="1\n",
    )
    assert result.exit_code == 1
    assert not state.exists()


def test_a_state_file_must_fit_the_network(config: str, tmp_path: Path) -> None:
    for content in (
        '{"h0": [[1, "2"]]}',
        '{"h0": [[true, 2]]}',
        '{"h0": "12"}',
        '{"h0": [[1, 2, 3]]}',
    ):
        state = tmp_path / "state.json"
        state.write_text(content)
        result = runner.invoke(app, ["forward", "-", "-c", config, "--h0", str(state)], input="1\n")
        assert result.exit_code == 1, content
        assert "not a state of this network" in result.stderr
    missing = runner.invoke(
        app, ["forward", "-", "-c", config, "--h0", str(tmp_path / "gone.json")], input="1\n"
    )
    assert missing.exit_code == 1 and "no such file" in missing.stderr


def test_batch_ids_that_need_quotes(config: str) -> None:
    result = runner.invoke(
        app,
        ["forward", "-", "-c", config, "--group-by", "id", "-f", "csv"],
        input='id,x\n"a,b",1\n"say ""hi""",2\n',
    )
    import csv
    import io

    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert [row[0] for row in rows[1:]] == ["a,b", 'say "hi"']
    assert all(len(row) == 6 for row in rows)  # seq, t, x1, h1, h2, o1


def test_a_json_key_given_twice_is_refused(config: str) -> None:
    result = runner.invoke(
        app, ["forward", "-", "-c", config], input='{"sequences": {"a": [1], "a": [2, 3]}}'
    )
    assert result.exit_code == 1
    assert 'the key "a" appears twice' in result.stderr


def test_an_overflow_in_a_lower_layer_is_not_silent(tmp_path: Path) -> None:
    config = tmp_path / "ov.yaml"
    config.write_text(
        "activation: relu\nlayers:\n  - {W_xh: [[1e300]], W_hh: [[1e300]]}\n"
        "  - {W_xh: [[-1.0]], W_hh: [[0.0]]}\n"
    )
    result = runner.invoke(app, ["forward", "-", "-c", str(config), "-f", "csv"], input="1\n1\n")
    assert result.exit_code == 0
    assert "warning: a lower layer's h_t overflowed to inf or nan at t = 2" in result.stderr


def test_thresholded_relu_keeps_values_above_alpha_only(tmp_path: Path) -> None:
    # ONNX's ThresholdedRelu: z if z > alpha else 0; at z == alpha = 1 it gives 0.
    config = tmp_path / "thr.yaml"
    config.write_text("activation: thresholded_relu\nweights: {W_xh: [[1.0]], W_hh: [[0.0]]}\n")
    document = run_json("-", "-c", str(config), stdin="[1, 2, 0.5]")
    assert [step["h"] for step in document["steps"]] == [[0.0], [2.0], [0.0]]
