"""`-f`'s one table (rnncli.views.formats.FORMATS): every format of every command has its
writer there, and a format for people rounds where one for programs is exact."""

from __future__ import annotations

import json

import pytest

from rnncli.cli import app
from rnncli.option_values import InspectFormat, OutputFormat
from rnncli.views.formats import FORMATS, Format
from tests.conftest import SAMPLE, runner

#: The textbook's h_3 (tests/test_cli.py works it out): its digits as a program reads them,
#: and at the four decimals of a view for people.
H_3 = ("-0.864941622", "0.904663597")
H_3_SHOWN = ("-0.8649", "0.9047")


def test_every_format_a_command_offers_has_its_writer() -> None:
    assert set(FORMATS) == set(OutputFormat) - {OutputFormat.AUTO}
    for offered in InspectFormat:
        assert type(FORMATS[OutputFormat(offered)]).inspect is not Format.inspect, offered
    for kind in {type(written) for written in FORMATS.values()}:
        assert kind.forward is not Format.forward and kind.backward is not Format.backward


@pytest.mark.parametrize("chosen", sorted(set(OutputFormat) - {OutputFormat.AUTO}))
def test_a_format_for_people_rounds_and_one_for_programs_is_exact(chosen: OutputFormat) -> None:
    result = runner.invoke(app, ["forward", SAMPLE, "-f", chosen])
    assert result.exit_code == 0, result.stderr
    if FORMATS[chosen].for_people:
        assert all(shown in result.stdout for shown in H_3_SHOWN)
        assert not any(exact in result.stdout for exact in H_3)
    else:
        assert all(exact in result.stdout for exact in H_3)
    rounded = runner.invoke(app, ["forward", SAMPLE, "-f", chosen, "-p", "2"])
    assert rounded.exit_code == 0, rounded.stderr
    assert "-0.86" in rounded.stdout and "-0.864" not in rounded.stdout


@pytest.mark.parametrize("chosen", list(InspectFormat))
def test_inspect_writes_each_of_its_formats_and_no_other(chosen: InspectFormat) -> None:
    result = runner.invoke(app, ["inspect", "-f", chosen])
    assert result.exit_code == 0, result.stderr
    if chosen is InspectFormat.JSON:
        assert json.loads(result.stdout)["parameters"] == 18  # 2 x 5 + 2 x 2 + 2 + 2
    else:
        assert "spectral radius" in result.stdout and "18" in result.stdout
    for other in ("csv", "tsv", "jsonl", "svg"):
        assert runner.invoke(app, ["inspect", "-f", other]).exit_code == 2
