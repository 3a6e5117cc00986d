"""The examples in `evaluator sensitivity --help` and `evaluator compare --help` run on the
bundled demo panel: the commands as printed (only --samples made smaller, and the files
they name put in a temporary folder), the uncertainty section as printed."""
from __future__ import annotations

import re
import shlex

import pytest
import yaml
from click.testing import CliRunner

from evaluator.cli.sensitivity import EPILOG_COMPARE, EPILOG_SENSITIVITY, compare, sensitivity
from evaluator.resources import demo_panel_path, weights_dir


def example_commands(epilog: str) -> list[list[str]]:
    """Each `evaluator …` example, continuation lines joined, split like a shell."""
    text = epilog.replace("\\\n", " ")
    return [shlex.split(line.strip())[2:] for line in text.splitlines()
            if line.strip().startswith("evaluator ")]


def uncertainty_section(epilog: str) -> dict:
    lines = epilog.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "uncertainty:")
    block = [lines[start]]
    for line in lines[start + 1:]:
        if not line.startswith("    "):
            break
        block.append(line)
    indent = len(block[0]) - len(block[0].lstrip())
    return yaml.safe_load("\n".join(line[indent:] for line in block))["uncertainty"]


def localise(args: list[str], tmp_path, recipe: str | None = None) -> list[str]:
    out = []
    for arg in args:
        if arg == "panel.csv":
            arg = str(demo_panel_path())
        elif arg == "recipe.yaml":
            arg = recipe
        elif arg.endswith("/") and not arg.startswith("-"):
            arg = str(tmp_path / arg.rstrip("/"))
        elif arg.startswith("weights/"):
            arg = str(weights_dir() / arg.split("/", 1)[1])
        out.append(arg)
    return out


def smaller(args: list[str], samples: int) -> list[str]:
    args = list(args)
    args[args.index("--samples") + 1] = str(samples)
    return args


def test_the_printed_uncertainty_section_is_valid_on_the_demo(tmp_path):
    section = uncertainty_section(EPILOG_SENSITIVITY)
    assert section["aggregate"] == ["weighted_sum", {"method": "geometric", "floor": 0.01}]
    assert section["normalise"] == ["min_max", "rank"]
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(yaml.safe_dump({"uncertainty": section}), encoding="utf-8")
    commands = example_commands(EPILOG_SENSITIVITY)
    assert len(commands) == 2 and "--sobol" in commands[1]
    for args, samples in zip(commands, (40, 8)):
        res = CliRunner().invoke(sensitivity, smaller(localise(args, tmp_path, str(recipe)),
                                                      samples))
        assert res.exit_code == 0, res.output
    assert (tmp_path / "sensitivity" / "sobol.csv").is_file()


@pytest.mark.parametrize("index", [0, 1])
def test_the_compare_examples_run_on_the_demo(tmp_path, index):
    args = localise(example_commands(EPILOG_COMPARE)[index], tmp_path)
    res = CliRunner().invoke(compare, args)
    assert res.exit_code == 0, res.output
    assert "Spearman ρ" in res.output


def test_the_examples_name_the_demo_panel():
    for epilog in (EPILOG_SENSITIVITY, EPILOG_COMPARE):
        assert re.search(r"-d indicator_sets/demo_panel\.csv", epilog)
