"""Nothing from a file reaches a terminal as a command: names and cells holding escape
sequences, BEL, C1 controls or rich markup are shown escaped wherever a person reads
them, and kept exactly as given in the machine formats.

Each hostile file is made here (a CSV/TSV header, JSON keys, a YAML `name:`, a Keras
layer name, an ONNX input name, a safetensors metadata name); rnncli runs with stdout and
stderr on a pseudo-terminal, and the bytes that reach it are checked.
"""

from __future__ import annotations

import ast
import csv
import html
import io
import json
import re
import struct
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnncli.message_words import shown
from rnncli.printable import printable
from tests.conftest import ROOT, on_a_pty, reference_module

CLEAR = "\x1b[2J"  # clears the screen
TITLE = "\x1b]0;owned\x07"  # sets the window's title
LINK = "\x1b]8;;file:///etc/passwd\x1b\\y\x1b]8;;\x1b\\"  # an OSC 8 hyperlink
MARKUP = "[link=file:///etc/passwd]y[/link]"  # rich markup for the same
CSI_C1 = "\x9b31m"  # C1's one-character CSI
BIDI = "a\u202eb"  # a right-to-left override

#: rnncli's own escapes, the only ones a screen may hold: rich's colour and bold (SGR),
#: and the progress line's cursor hidden and shown, line erased, cursor up.
_OWN = re.compile(rb"\x1b\[[0-9;]*m|\x1b\[\?25[lh]|\x1b\[2K|\x1b\[1A")


def clean(screen: bytes) -> str:
    """The screen's text, once no byte of it can act on the terminal: no ESC but rich's
    own colour codes, no OSC (so no hyperlink, no title), no BEL, no C1 control."""
    plain = _OWN.sub(b"", screen)
    assert b"\x1b" not in plain, plain
    assert b"\x07" not in plain, plain
    text = screen.decode("utf-8")
    assert not any("\x80" <= c <= "\x9f" for c in text), text
    assert "\u202e" not in text
    return plain.decode("utf-8")


def run_on_a_pty(*args: str | Path, code: int = 0) -> str:
    """rnncli on a terminal 300 columns wide (no name cut short): its clean screen."""
    returned, screen = on_a_pty(*map(str, args), columns=300)
    assert returned == code, screen.decode("utf-8", "replace")
    return clean(screen)


def hostile_tsv(path: Path) -> Path:
    """A TSV (its cells may hold `;` and `,`) whose header, group ids and kept cells
    hold every kind of hostile text; six number columns: with the MARKUP one kept, five
    features, as the built-in network takes."""
    header = ["id", CLEAR + "a", TITLE + "b", LINK, MARKUP, CSI_C1, "f", "lab"]
    rows = [
        [f"s{CLEAR}1", "1", "2", "3", "4", "5", "6", f"[red]x{TITLE}"],
        [f"s{CLEAR}1", "0.5", "0", "1", "-1", "2", "3", LINK],
        ["s2", "1", "1", "1", "1", "1", "1", MARKUP],
    ]
    path.write_text("\n".join("\t".join(row) for row in [header, *rows]) + "\n", "utf-8")
    return path


#: hostile_tsv's kept columns: a plain name and one of markup.
KEPT = f"lab,{MARKUP}"


# ---------------------------------------------------------------- the function itself


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("temperature", "temperature"),
        ("température · 温度", "température · 温度"),  # every script's letters as they are
        ("a b", "a b"),  # the ASCII space stays
        (CLEAR, "\\x1b[2J"),  # C0: ESC
        ("\x07\x00\x1f", "\\x07\\x00\\x1f"),  # BEL, NUL, unit separator
        ("a\tb\nc\rd", "a\\tb\\nc\\rd"),  # no tab or line break in a name
        ("\x7f", "\\x7f"),  # DEL
        ("\x80\x9b\x9f", "\\x80\\x9b\\x9f"),  # C1: U+009B is CSI on many terminals
        ("\u202a\u202b\u202c\u202d\u202e", "\\u202a\\u202b\\u202c\\u202d\\u202e"),
        ("\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069"),  # bidi isolates
        ("a\u200bb\ufeff", "a\\u200bb\\ufeff"),  # zero-width space, BOM
        ("\xa0\u2028", "\\xa0\\u2028"),  # no-break space, line separator
        ("\udcff", "\\udcff"),  # an undecodable byte, as surrogateescape reads it
        ("\U000e0001\U0010fffd", "\\U000e0001\\U0010fffd"),  # a tag, private use
        ("C:\\data", "C:\\\\data"),  # a backslash is doubled ...
        ("\\x1b", "\\\\x1b"),  # ... so the four characters \x1b are told from ESC
        (MARKUP, MARKUP),  # markup is each view's to escape, not this function's
    ],
)
def test_printable_escapes_each_class_of_character(text: str, expected: str) -> None:
    assert printable(text) == expected
    assert printable(text).isprintable()


@given(st.text())
def test_printable_is_python_s_string_literal(text: str) -> None:
    """It escapes what repr() escapes, the same way; the result reads back as the text
    through a string literal, so no two texts are shown alike; and it is printable."""
    shown_text = printable(text)
    assert shown_text.isprintable()
    assert ast.literal_eval('"""' + shown_text.replace('"', '\\"') + ' """')[:-1] == text
    if "'" not in text:
        assert shown_text == repr(text)[1:-1]
    assert shown(text, limit=10**9) == repr(text)


@given(st.text())
def test_the_last_guard_is_idempotent_and_leaves_printable_text_alone(text: str) -> None:
    guarded = printable(text, backslash=False)
    assert guarded.isprintable()
    assert printable(guarded, backslash=False) == guarded
    for already in (printable(text), repr(text), shown(text)):
        assert printable(already, backslash=False) == already
    if text.isprintable():
        assert guarded == text  # backslashes too: nothing to escape, nothing changed


def test_every_non_printable_code_point_of_the_first_planes_is_escaped() -> None:
    for point in [*range(0x0, 0x100), *range(0x2000, 0x2070), 0xFEFF, 0xFFF9, 0xFFFB]:
        character = chr(point)
        if character == "\\":
            continue
        control = unicodedata.category(character)[0] in "CZ" and character != " "
        assert (printable(character) != character) == control, hex(point)


# ---------------------------------------------------------------- each file, each view


@pytest.mark.parametrize("form", ["table", "html", "svg"])
def test_a_hostile_csv_header_group_id_and_kept_cells_are_shown_escaped(
    tmp_path: Path, form: str
) -> None:
    sequence = hostile_tsv(tmp_path / "hostile.tsv")
    screen = run_on_a_pty("forward", sequence, "--group-by", "id", "--keep", KEPT, "-f", form)
    if form != "table":  # the page's own escaping on top: <&> and, in svg, spaces
        screen = html.unescape(screen).replace("\xa0", " ")
    # the x_t heading names the features, escaped; the group's id in the title
    assert "x_t: \\x1b[2Ja, \\x1b]0;owned\\x07b, \\x1b]8;;file:///etc/passwd\\x1b\\\\y" in screen
    assert "\\x9b31m" in screen
    assert "sequence s\\x1b[2J1" in screen
    # a kept column's header and its cells are text, never markup
    assert screen.count(MARKUP) >= 2  # the header, and the cell of s2
    assert "[red]x\\x1b]0;owned\\x07" in screen


def test_the_streamed_table_shows_names_escaped(tmp_path: Path) -> None:
    """A long CSV run to the table goes through the streamed table: the same rule."""
    sequence = tmp_path / "long.tsv"
    X = np.random.default_rng(0).uniform(-1, 1, (5_000, 5))
    header = "\t".join([CLEAR + "a", TITLE, LINK, CSI_C1, "e", "lab"])
    body = "\n".join(
        "\t".join([*(f"{v:.3f}" for v in row), f"{TITLE}{k}"]) for k, row in enumerate(X)
    )
    sequence.write_text(header + "\n" + body + "\n", "utf-8")
    screen = run_on_a_pty("forward", sequence, "--keep", "lab", "--all", "-f", "table")
    assert "x_t: \\x1b[2Ja, \\x1b]0;owned\\x07, " in screen
    assert "\\x1b]0;owned\\x074999" in screen


def test_hostile_json_keys_and_sequence_ids_are_shown_escaped(tmp_path: Path) -> None:
    records = [{CLEAR: t, TITLE: t, LINK: t, MARKUP: t, CSI_C1: t} for t in (1.0, 2.0)]
    sequence = tmp_path / "records.json"
    sequence.write_text(json.dumps(records), "utf-8")
    screen = run_on_a_pty("forward", sequence, "-f", "table")
    assert "x_t: \\x1b[2J, \\x1b]0;owned\\x07, \\x1b]8;;file:///etc/passwd" in screen
    assert MARKUP in screen
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps({"sequences": {f"q{TITLE}": [[1, 2, 3, 4, 5]]}}), "utf-8")
    assert "sequence q\\x1b]0;owned\\x07" in run_on_a_pty("forward", batch, "-f", "table")


#: A name holding every hostile kind, and how it is shown.
HOSTILE_NAME = CLEAR + TITLE + LINK + MARKUP + CSI_C1 + BIDI + "<&>{@TITLE@}"
SHOWN_NAME = (
    "\\x1b[2J\\x1b]0;owned\\x07\\x1b]8;;file:///etc/passwd\\x1b\\\\y\\x1b]8;;\\x1b\\\\"
    + MARKUP
    + "\\x9b31ma\\u202eb<&>{@TITLE@}"
)


@pytest.mark.parametrize("form", ["table", "markdown", "latex", "html"])
def test_inspect_shows_a_hostile_yaml_name_escaped(tmp_path: Path, form: str) -> None:
    screen = run_on_a_pty("inspect", _hostile_config(tmp_path), "-f", form)
    if form == "table":
        assert SHOWN_NAME in screen
    elif form == "markdown":
        assert f"**{SHOWN_NAME}**" in screen
    elif form == "latex":
        assert r"\textbf{\textbackslash{}x1b[2J\textbackslash{}x1b]0;owned" in screen
        assert r"\textbackslash{}x9b31ma\textbackslash{}u202eb" in screen
    else:  # html's own escaping of <&> on top
        assert f"<title>{html.escape(SHOWN_NAME)}</title>" in screen
        assert screen.count(html.escape(SHOWN_NAME)) == 2  # the title and the table's


def _hostile_config(tmp_path: Path, cell: str = "rnn") -> Path:
    """A config whose `name:` holds every hostile kind (JSON's escapes are YAML's)."""
    name = json.dumps(HOSTILE_NAME)
    source = ROOT / "configs" / ("lesson-lstm.yaml" if cell == "lstm" else "textbook.yaml")
    text = re.sub(r"^name: .*$", lambda _: f"name: {name}", source.read_text("utf-8"), flags=re.M)
    config = tmp_path / f"hostile-{cell}.yaml"
    config.write_text(text, "utf-8")
    return config


#: How each view writes SHOWN_NAME: its own escaping on top of the escapes.
IN_VIEW = {
    "table": SHOWN_NAME,
    "markdown": f"**{SHOWN_NAME}",
    "latex": SHOWN_NAME.replace("\\", r"\textbackslash{}")
    .replace("&", r"\&")
    .replace("<", r"\textless{}")
    .replace(">", r"\textgreater{}")
    .replace("{@TITLE@}", r"\{@TITLE@\}"),
    "html": html.escape(SHOWN_NAME),
    "svg": html.escape(SHOWN_NAME),
}


@pytest.mark.parametrize("form", ["table", "markdown", "latex", "html", "svg"])
@pytest.mark.parametrize("cell", ["rnn", "lstm"])
@pytest.mark.parametrize("explain", [False, True])
def test_forward_and_explain_views_show_a_hostile_yaml_name_escaped(
    tmp_path: Path, form: str, cell: str, explain: bool
) -> None:
    config = _hostile_config(tmp_path, cell)
    sequence = ROOT / "samples" / ("sample.csv" if cell == "rnn" else "lesson.csv")
    explained = ("--explain",) if explain else ()
    screen = run_on_a_pty("forward", sequence, "-c", config, "-f", form, *explained)
    if form == "table":
        screen = screen.replace("\r\n", "")  # the title, wrapped at the table's width
    assert IN_VIEW[form] in screen


def test_the_backward_table_shows_a_hostile_yaml_name_escaped(tmp_path: Path) -> None:
    config = _hostile_config(tmp_path)
    sequence = ROOT / "samples" / "sample.csv"
    targets = tmp_path / "targets.csv"
    targets.write_text("y1,y2\n0.1,0.2\n0.3,0.4\n0.5,0.6\n", "utf-8")
    screen = run_on_a_pty("backward", sequence, "-c", config, "--targets", targets)
    assert SHOWN_NAME in screen


def _safetensors_rnn(path: Path, name: str, prefix: str = "") -> Path:
    """nn.RNN(5, 2)'s weights as safetensors (each key after `prefix`, a module's
    path), with rnncli's name in the metadata."""
    rng = np.random.default_rng(0)
    tensors = {
        prefix + "weight_ih_l0": rng.normal(size=(2, 5)),
        prefix + "weight_hh_l0": rng.normal(size=(2, 2)),
        prefix + "bias_ih_l0": rng.normal(size=2),
        prefix + "bias_hh_l0": rng.normal(size=2),
    }
    header: dict[str, object] = {"__metadata__": {"rnncli.name": name}}
    body = b""
    for key, array in tensors.items():
        data = array.astype("<f8").tobytes()
        header[key] = {"dtype": "F64", "shape": list(array.shape),
                       "data_offsets": [len(body), len(body) + len(data)]}  # fmt: skip
        body += data
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + body)
    return path


def test_a_hostile_safetensors_metadata_name_is_escaped_and_round_trips(tmp_path: Path) -> None:
    name = HOSTILE_NAME
    model = _safetensors_rnn(tmp_path / "named.safetensors", name)
    assert SHOWN_NAME in run_on_a_pty("inspect", model)
    screen = run_on_a_pty("forward", ROOT / "samples" / "sample.csv", "-c", model)
    assert SHOWN_NAME in screen.replace("\r\n", "")  # the title, wrapped at the table's width
    # import writes the name as YAML escapes (none raw in the file), read back exactly
    config = tmp_path / "named.yaml"
    run_on_a_pty("import", model, "-o", config)
    assert all(c.isprintable() or c == "\n" for c in config.read_text("utf-8"))
    facts = subprocess.run(
        [sys.executable, "-m", "rnncli", "inspect", str(config), "-f", "json"],
        capture_output=True, check=True,
    )  # fmt: skip
    assert json.loads(facts.stdout)["name"] == name


def test_a_hostile_module_path_stays_inside_its_comment_in_import_s_yaml(
    tmp_path: Path,
) -> None:
    """A state_dict's keys name the module; the conversion note quoting it is a comment
    of the imported config, and no line break in it (YAML's: CR, NEL, U+2028, U+2029)
    can end the comment."""
    prefix = f"rnn{TITLE}\rname: injected\x85activation: relu\u2028cell: gru\u2029#."
    model = _safetensors_rnn(tmp_path / "keys.safetensors", "keys", prefix)
    config = tmp_path / "keys.yaml"
    run_on_a_pty("import", model, "-o", config)
    text = config.read_text("utf-8")
    assert all(c.isprintable() for line in text.splitlines() for c in line)
    shown_prefix = (
        "rnn\\x1b]0;owned\\x07\\rname: injected\\x85activation: relu\\u2028cell: gru\\u2029#"
    )
    assert f"# conversion: safetensors: the {shown_prefix} module's weight_ih" in text
    facts = [
        json.loads(subprocess.run(
            [sys.executable, "-m", "rnncli", "inspect", str(path), "-f", "json"],
            capture_output=True, check=True,
        ).stdout)
        for path in (model, config)
    ]  # fmt: skip
    assert facts[1] == facts[0] and facts[1]["name"] == "keys"
    assert facts[1]["activation"] == "tanh"


def test_a_hostile_keras_layer_name_is_escaped_in_the_error(tmp_path: Path) -> None:
    h5py = reference_module("h5py")
    weights = io.BytesIO()
    with h5py.File(weights, "w"):
        pass
    layer = {"class_name": "Conv1D", "config": {"name": CLEAR + TITLE + LINK}}
    config = {"class_name": "Sequential", "config": {"layers": [layer]}}
    model = tmp_path / "hostile.keras"
    with zipfile.ZipFile(model, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("model.weights.h5", weights.getvalue())
    screen = run_on_a_pty("inspect", model, code=1)
    assert screen.startswith("rnncli: error: ") and screen.count("\n") == 1
    assert "\\x1b[2J\\x1b]0;owned\\x07" in screen and "(Conv1D) is not read" in screen


def test_a_hostile_onnx_input_name_is_escaped_in_the_error(tmp_path: Path) -> None:
    onnx = reference_module("onnx")
    from onnx import TensorProto, helper

    x = CLEAR + TITLE + LINK + CSI_C1
    nodes = [helper.make_node("Identity", [x], [f"y{k}"]) for k in (1, 2)]
    nodes.append(helper.make_node("RNN", ["y1", "W", "R"], ["y3"], hidden_size=1))
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, [None, 1, 3])],
        [helper.make_tensor_value_info(f"y{k}", TensorProto.FLOAT, None) for k in (1, 2)],
    )
    model = tmp_path / "hostile.onnx"
    onnx.save(helper.make_model(graph), model)
    screen = run_on_a_pty("inspect", model, code=1)
    assert screen.startswith("rnncli: error: ") and screen.count("\n") == 1
    assert "\\x1b[2J\\x1b]0;owned\\x07\\x1b]8;;file:///etc/passwd" in screen
    assert "\\x9b31m feeds more than one node" in screen


# ---------------------------------------------------------------- messages


#: hostile_tsv's columns as a message lists them.
LISTED = (
    "id, \\x1b[2Ja, \\x1b]0;owned\\x07b, \\x1b]8;;file:///etc/passwd\\x1b\\\\y\\x1b]8;;\\x1b\\\\, "
    f"{MARKUP}, \\x9b31m, f, lab"
)


@pytest.mark.parametrize("option", ["--keep", "--columns", "--drop", "--group-by"])
def test_an_unknown_column_s_message_lists_hostile_names_escaped(
    tmp_path: Path, option: str
) -> None:
    sequence = hostile_tsv(tmp_path / "hostile.tsv")
    code = 1 if option == "--group-by" else 2
    screen = run_on_a_pty("forward", sequence, option, "nosuch", code=code)
    assert screen.startswith("rnncli: error: ") and screen.count("\n") == 1
    assert "no column 'nosuch'" in screen
    assert screen.rstrip().endswith(LISTED)


def test_a_bad_value_under_a_hostile_header_is_told_escaped(tmp_path: Path) -> None:
    sequence = tmp_path / "bad.tsv"
    sequence.write_text(f"a\tb\t{TITLE}c\td\te\n1\t2\tx{CLEAR}\t4\t5\n", "utf-8")
    screen = run_on_a_pty("forward", sequence, code=1)
    assert screen.startswith("rnncli: error: ") and screen.count("\n") == 1
    assert "column 3 (\\x1b]0;owned\\x07c): expected a number, got 'x\\x1b[2J'" in screen
    assert "--keep '\\x1b]0;owned\\x07c' copies a text column" in screen


def test_plot_warns_of_hostile_ids_escaped_and_draws_them_literally(tmp_path: Path) -> None:
    reference_module("matplotlib")
    sequence = tmp_path / "many.json"
    ids = [f"{TITLE}${k}$\\frac{{" for k in range(8)]
    sequence.write_text(json.dumps({"sequences": {i: [[k], [1]] for k, i in enumerate(ids)}}))
    config = tmp_path / "one.yaml"
    config.write_text("weights: {W_xh: [[0.5]], W_hh: [[0.1]], b_xh: [0.0], b_hh: [0.0]}\n")
    figure = tmp_path / "plot.png"
    screen = run_on_a_pty("plot", sequence, "-c", config, "-o", figure)
    assert "left out: \\x1b]0;owned\\x07$6$\\\\frac{, \\x1b]0;owned\\x07$7$" in screen
    assert figure.read_bytes().startswith(b"\x89PNG")


def test_the_figure_s_titles_hold_the_ids_as_text() -> None:
    reference_module("matplotlib")
    from rnncli.views.plot import Panel, figure

    panel = Panel("h_t", "h", np.arange(1, 3), np.zeros((2, 1)))
    # the title comes printable (rnncli.views.table_text.title); the ids as the file gives them
    fig = figure(printable(f"net {TITLE}$x$"), [(f"a{CLEAR}$\\frac{{$", [panel])])
    assert fig.get_suptitle() == "net \\x1b]0;owned\\x07\\$x\\$"
    (ax,) = fig.axes
    assert ax.get_title() == "h_t, sequence a\\x1b[2J\\$\\\\frac{\\$"
    fig.savefig(io.BytesIO(), format="png")  # no mathtext error: the $ are text


# ---------------------------------------------------------------- machine formats


def test_csv_and_tsv_keep_hostile_names_and_cells_byte_for_byte(tmp_path: Path) -> None:
    sequence = hostile_tsv(tmp_path / "hostile.tsv")
    for form, delimiter in (("csv", ","), ("tsv", "\t")):
        out = tmp_path / f"out.{form}"
        run_on_a_pty("forward", sequence, "--group-by", "id", "--keep", KEPT, "-f", form, "-o", out)
        rows = list(
            csv.reader(io.StringIO(out.read_text("utf-8"), newline=""), delimiter=delimiter)
        )
        assert rows[0][:4] == ["seq", "t", "lab", MARKUP]
        assert rows[0][4:9] == [CLEAR + "a", TITLE + "b", LINK, CSI_C1, "f"]
        assert [row[0] for row in rows[1:]] == [f"s{CLEAR}1"] * 2 + ["s2"]
        assert [row[2] for row in rows[1:]] == [f"[red]x{TITLE}", LINK, MARKUP]


def test_json_and_jsonl_keep_hostile_names_and_cells_exactly(tmp_path: Path) -> None:
    sequence = hostile_tsv(tmp_path / "hostile.tsv")
    out = tmp_path / "out.json"
    run_on_a_pty("forward", sequence, "--group-by", "id", "--keep", KEPT, "-f", "json", "-o", out)
    document = json.loads(out.read_text("utf-8"))
    assert document["input_names"] == [CLEAR + "a", TITLE + "b", LINK, CSI_C1, "f"]
    assert [s["id"] for s in document["sequences"]] == [f"s{CLEAR}1", "s2"]
    first = document["sequences"][0]["steps"][0]
    assert first["keep"]["lab"] == f"[red]x{TITLE}"
    out = tmp_path / "out.jsonl"
    run_on_a_pty("forward", sequence, "--group-by", "id", "--keep", KEPT, "-f", "jsonl", "-o", out)
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [line["seq"] for line in lines] == [f"s{CLEAR}1"] * 2 + ["s2"]
    assert [line["keep"]["lab"] for line in lines] == [f"[red]x{TITLE}", LINK, MARKUP]
