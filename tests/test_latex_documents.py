"""Every LaTeX document rnncli writes, compiled by pdflatex and read back by pdftotext:
forward, --explain, the hand step, backward and inspect, for an rnn, an lstm and a gru;
and a network's name holding each of LaTeX's special characters."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import (
    LATEX_PREAMBLE,
    LESSON,
    LESSON_LSTM,
    SAMPLE,
    compiled_latex,
    latex_checked,
    pdf_text,
    rnncli,
)

pytestmark = pytest.mark.slow

KINDS = ["rnn", "lstm", "gru"]
DOCUMENTS = {
    "forward": ["forward", "-f", "latex"],
    "explain": ["forward", "-f", "latex", "--explain"],
    "hand-step": ["forward", "-f", "latex", "--explain", "--hand-step", "2"],
    "backward": ["backward", "-f", "latex"],
    "targets": ["backward", "-f", "latex", "--targets", "TARGETS"],
    "inspect": ["inspect", "-f", "latex"],
}
#: LaTeX's special characters in text.
SPECIAL = "_^$&%#{}~\\"


@pytest.fixture(scope="module")
def networks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str | None, str]]:
    """kind -> (sequence, config or None for the built-in textbook, targets)."""
    folder = tmp_path_factory.mktemp("networks")
    gru = folder / "gru.yaml"
    gru.write_text(rnncli("init-weights", "-i", "1", "-H", "2", "--cell", "gru", "--seed", "1"))
    targets = folder / "targets.csv"
    targets.write_text("y1,y2\n0.5,-0.5\n")  # one row: many-to-one
    return {
        "rnn": (SAMPLE, None, str(targets)),
        "lstm": (LESSON, LESSON_LSTM, str(targets)),
        "gru": (LESSON, str(gru), str(targets)),
    }


def arguments(document: str, network: tuple[str, str | None, str]) -> list[str]:
    sequence, config, targets = network
    command, *options = (targets if a == "TARGETS" else a for a in DOCUMENTS[document])
    if command == "inspect":
        return [command, *([config] if config else []), *options]
    return [command, sequence, *(["-c", config] if config else []), *options]


CASES = [
    pytest.param(kind, document, id=f"{kind}-{document}")
    for kind in KINDS
    for document in DOCUMENTS
]


@pytest.mark.parametrize(("kind", "document"), CASES)
def test_the_document_compiles_and_shows_its_numbers(
    kind: str, document: str, networks: dict[str, tuple[str, str | None, str]], tmp_path: Path
) -> None:
    args = arguments(document, networks[kind])
    body = rnncli(*args)
    latex_checked(body)
    text = pdf_text(compiled_latex(body, tmp_path))
    if args[0] == "forward":  # the last h_t, at the view's 4 decimals, as the CSV has it
        header, *_, last = rnncli(*args[: args.index("-f")], "-f", "csv").splitlines()
        pairs = zip(header.split(","), last.split(","), strict=True)
        h = [f"{float(value):.4f}" for column, value in pairs if column.startswith("h")]
        assert h and all(value in text for value in h), (h, text)
    else:
        assert text.split(), "an empty page"


@pytest.mark.parametrize("char", list(SPECIAL), ids=lambda char: f"U+{ord(char):04X}")
def test_a_name_with_a_special_character_compiles_and_prints_it(char: str, tmp_path: Path) -> None:
    config = tmp_path / "net.yaml"
    weights = rnncli("init-weights", "-i", "5", "-H", "2", "--seed", "1")
    name = f"net{char}one"
    quoted = name.replace("\\", "\\\\")
    config.write_text(f'name: "{quoted}"\n{weights}', encoding="utf-8")
    body = rnncli("forward", SAMPLE, "-c", str(config), "-f", "latex")
    body += rnncli("inspect", str(config), "-f", "latex")
    latex_checked(body)
    # In the preamble the view names it compiles; the default (OT1) fonts draw _ as a
    # rule and ~ ^ as accents, so the T1 fonts show that the character itself is there.
    (tmp_path / "ot1").mkdir()
    assert "one" in pdf_text(compiled_latex(body, tmp_path / "ot1"))
    t1 = "\\usepackage[T1]{fontenc}\n" + LATEX_PREAMBLE
    text = pdf_text(compiled_latex(body, tmp_path, preamble=t1))
    shown = name.replace("\\", "\\\\")  # a name's backslash is shown doubled (README)
    assert text.count(shown) == 2, text  # the run's title and the facts' title


def test_every_special_character_at_once_and_two_hyphens(tmp_path: Path) -> None:
    config = tmp_path / "net.yaml"
    weights = rnncli("init-weights", "-i", "5", "-H", "2", "--seed", "1")
    name = "a" + "b".join(SPECIAL) + "c <d> --e"
    quoted = name.replace("\\", "\\\\")
    config.write_text(f'name: "{quoted}"\n{weights}', encoding="utf-8")
    body = rnncli("forward", SAMPLE, "-c", str(config), "-f", "latex")
    # the default fonts print a bare < > as ¡ ¿, and -- as an en dash
    (tmp_path / "ot1").mkdir()
    assert "c <d> --e" in pdf_text(compiled_latex(body, tmp_path / "ot1"))
    t1 = "\\usepackage[T1]{fontenc}\n" + LATEX_PREAMBLE
    assert name.replace("\\", "\\\\") in pdf_text(compiled_latex(body, tmp_path, preamble=t1))
