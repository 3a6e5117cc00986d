"""Output folders that cannot lose data (issue 9, "Files lost or mixed"): every case is
run from the CLI and checked for the exit code, the message, the previous set intact,
the user's files and the inputs untouched and no temporary file left."""
from __future__ import annotations

import errno
import fcntl
import json
import os
import random
import shutil
import signal
import time
from pathlib import Path

import pytest

from faultkit import (_cwd, case,  # noqa: F401  (fixtures)
                      assert_no_leftovers, assert_whole_set, invoke, no_traceback, run, sha,
                      snapshot, spawn)


def score(fw, data, out, *extra):
    return invoke("score", "-f", fw, "-d", data, "--out", out, *extra)


# -- the input's own folder -------------------------------------------------------------
@pytest.mark.parametrize("name", ["rankings.csv", "aggregation.csv", "panel.csv"])
def test_out_holding_the_data_file_is_refused_before_any_work(case, name):
    tmp, fw, data = case
    moved = data.with_name(name)
    data.rename(moved)
    before = snapshot(moved.parent)
    res = score(fw, moved, moved.parent)
    assert res.exit_code == 2 and no_traceback(res.output)
    held = res.output.split(", an input of this run")[0]
    assert "the output folder holds " in held and name in held
    assert "fix: choose an --out folder that holds no input file" in res.output
    zh = invoke("score", "-f", fw, "-d", moved, "--out", moved.parent, "--lang", "zh")
    assert zh.exit_code == 2 and "输出文件夹中有本次运行的输入文件" in zh.output
    assert snapshot(moved.parent) == before
    assert_no_leftovers(moved.parent)


def test_sensitivity_into_the_folder_of_its_recipe_is_refused(case):
    tmp, fw, data = case
    recipe = data.parent / "samples.npz"        # a recipe with an output's name
    recipe.write_text("weights: {indicators: equal, nodes: equal}\n", encoding="utf-8")
    before = snapshot(data.parent)
    res = invoke("sensitivity", "-f", fw, "-d", data, "-r", recipe, "--samples", "64",
                 "--save-samples", "--out", data.parent)
    assert res.exit_code == 2 and "an input of this run" in res.output
    assert snapshot(data.parent) == before


def test_an_input_reached_through_a_link_is_recognised(case):
    tmp, fw, data = case
    out = tmp / "out"
    out.mkdir()
    os.link(data, out / "copy_of_panel.csv")       # the same file under another name
    res = score(fw, data, out)
    assert res.exit_code == 2 and "copy_of_panel.csv, an input of this run" in res.output


# -- files the tool did not write -------------------------------------------------------
def test_a_same_named_file_the_tool_did_not_write_is_refused(case):
    tmp, fw, data = case
    out = tmp / "out"
    out.mkdir()
    (out / "weights.csv").write_text("my own weights\n", encoding="utf-8")
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    before = snapshot(out)
    res = score(fw, data, out)
    assert res.exit_code == 2 and no_traceback(res.output)
    assert "holds weights.csv, not written by evaluator" in res.output
    assert "move or rename it, or choose another --out folder" in res.output
    assert snapshot(out) == before
    assert_no_leftovers(out)


def test_an_output_edited_after_the_run_is_no_longer_the_tools(case):
    tmp, fw, data = case
    out = tmp / "out"
    assert score(fw, data, out).exit_code == 0
    with open(out / "rankings.csv", "a", encoding="utf-8") as fh:
        fh.write("# checked by hand\n")
    before = snapshot(out)
    res = score(fw, data, out)
    assert res.exit_code == 2 and "rankings.csv, not written by evaluator" in res.output
    assert snapshot(out) == before


def test_a_foreign_manifest_is_refused(case):
    tmp, fw, data = case
    out = tmp / "out"
    out.mkdir()
    (out / "manifest.json").write_text('{"project": "mine"}', encoding="utf-8")
    res = score(fw, data, out)
    assert res.exit_code == 2 and "manifest.json, not written by evaluator" in res.output
    assert (out / "manifest.json").read_text(encoding="utf-8") == '{"project": "mine"}'


def test_the_users_files_survive_every_replacement(case):
    tmp, fw, data = case
    out = tmp / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    (out / "sub").mkdir()
    (out / "sub" / "sobol.csv").write_text("not the tool's\n", encoding="utf-8")
    inputs = snapshot(data.parent)
    assert score(fw, data, out).exit_code == 0
    scored = assert_whole_set(out, {"notes.txt", "sub"})
    res = invoke("sensitivity", "-f", fw, "-d", data, "--samples", "64", "--out", out)
    assert res.exit_code == 0, res.output
    # the same inputs: the sensitivity set joins the scores, the manifest stays theirs
    manifest = assert_whole_set(out, {"notes.txt", "sub"})
    assert manifest["command"] == "sensitivity" and manifest["sections"] == ["sensitivity"]
    assert manifest["recipe"] == scored["recipe"] and manifest["inputs"] == scored["inputs"]
    assert {"rankings.csv", "rank_intervals.csv", "sensitivity.json"} <= set(manifest["outputs"])
    assert manifest["outputs"]["rankings.csv"] == scored["outputs"]["rankings.csv"]
    assert manifest["outputs"]["sensitivity.json"]["command"] == "sensitivity"
    # other data: the whole previous set goes, the user's files stay
    other = data.parent / "other.csv"
    other.write_text(data.read_text(encoding="utf-8").replace(",1", ",2"), encoding="utf-8")
    inputs = snapshot(data.parent)
    assert score(fw, other, out).exit_code == 0
    manifest = assert_whole_set(out, {"notes.txt", "sub"})
    assert "rank_intervals.csv" not in manifest["outputs"] and "sections" not in manifest
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert (out / "sub" / "sobol.csv").read_text(encoding="utf-8") == "not the tool's\n"
    assert snapshot(data.parent) == inputs
    assert_no_leftovers(out)


def test_reports_of_the_same_inputs_sit_side_by_side_and_go_with_them(case):
    tmp, fw, data = case
    out = tmp / "out"
    assert score(fw, data, out, "--report", "en").exit_code == 0
    first = assert_whole_set(out)
    assert {"report-2023-en.html", "report-2023-en.xlsx", "rankings.csv"} <= set(first["outputs"])
    res = invoke("report", "-f", fw, "-d", data, "--lang", "zh", "--year", "2022", "--out", out)
    assert res.exit_code == 0, res.output
    both = assert_whole_set(out)
    assert {"report-2023-en.html", "report-2022-zh.html", "report-2022-zh.md"} \
        <= set(both["outputs"])
    assert both["outputs"]["report-2023-en.xlsx"] == first["outputs"]["report-2023-en.xlsx"]
    assert score(fw, data, out).exit_code == 0       # same inputs: the reports still hold
    assert "report-2022-zh.html" in assert_whole_set(out)["outputs"]
    (out / "report-2023-en.md").write_text("edited by hand\n", encoding="utf-8")
    res = score(fw, data, out)             # an output edited since is the user's now
    assert res.exit_code == 0, res.output
    kept = assert_whole_set(out, {"report-2023-en.md"})
    assert "report-2023-en.md" not in kept["outputs"]
    assert (out / "report-2023-en.md").read_text(encoding="utf-8") == "edited by hand\n"
    data.write_text(data.read_text(encoding="utf-8").replace(",2", ",3"), encoding="utf-8")
    assert score(fw, data, out).exit_code == 0       # new data: every old report goes
    last = assert_whole_set(out, {"report-2023-en.md"})
    assert not [n for n in last["outputs"] if n.startswith("report-")]


# -- concurrent runs --------------------------------------------------------------------
def test_a_second_run_into_a_locked_folder_stops_with_a_clear_message(case):
    tmp, fw, data = case
    out = tmp / "out"
    assert score(fw, data, out).exit_code == 0
    before = snapshot(out)
    lock = tmp / ".out.evaluator.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, b"4242\n")
    try:
        res = run("score", "-f", fw, "-d", data, "--out", out)
    finally:
        os.close(fd)
        lock.unlink()
    assert res.returncode == 2 and no_traceback(res.stderr)
    assert "another evaluator run (process 4242) is writing into this folder" in res.stderr
    assert "wait for it to finish" in res.stderr
    assert snapshot(out) == before


def test_two_real_processes_into_one_folder_never_mix_their_sets(case):
    tmp, fw, data = case
    out = tmp / "out"
    recipe = tmp / "minmax.yaml"
    recipe.write_text("normalise: {method: z_score}\n", encoding="utf-8")
    inputs = snapshot(data.parent)
    for _ in range(3):
        a = spawn("score", "-f", fw, "-d", data, "--out", out)
        b = spawn("score", "-f", fw, "-d", data, "-r", recipe, "--out", out)
        results = [(p.wait(timeout=300), p.stderr.read()) for p in (a, b)]
        for code, err in results:
            assert code in (0, 2) and no_traceback(err), err
            if code == 2:
                assert "another evaluator run" in err
        assert any(code == 0 for code, _ in results)
        assert_whole_set(out)                        # one run's files, all of them
        assert_no_leftovers(out)
    assert snapshot(data.parent) == inputs


# -- disk full, permission denied -------------------------------------------------------
def test_a_full_disk_leaves_the_previous_set_and_no_temporary_file(case, monkeypatch):
    tmp, fw, data = case
    out = tmp / "out"
    assert score(fw, data, out).exit_code == 0
    before = snapshot(out)
    import evaluator.output as output
    real = output.write_csv
    calls = []

    def fill_up(frame, path):
        calls.append(path.name)
        if len(calls) == 4:              # the fourth file finds the disk full
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(frame, path)
    monkeypatch.setattr(output, "write_csv", fill_up)
    res = score(fw, data, out, "-r", _recipe(tmp, "normalise: {method: rank}"))
    assert res.exit_code == 2 and no_traceback(res.output)
    assert f"{out}: cannot write the output files (No space left on device)" in res.output
    assert "the previous outputs are unchanged" in res.output
    assert "free some space on that disk" in res.output
    assert snapshot(out) == before
    assert_no_leftovers(out)


def test_a_really_full_tmpfs(case):
    """A 2 MB tmpfs: the first run fits, a second with the report does not. CI runs as
    root, so there it must mount; elsewhere it is skipped without root."""
    tmp, fw, data = case
    mnt = tmp / "small"
    mnt.mkdir()
    if os.geteuid() != 0 or os.system(f"mount -t tmpfs -o size=2m tmpfs {mnt} 2>/dev/null"):
        (pytest.fail if os.environ.get("CI") else pytest.skip)("cannot mount a tmpfs here")
    try:
        from faultkit import write_panel
        big = write_panel(tmp / "big.csv", units=300)
        out = mnt / "out"
        first = run("score", "-f", fw, "-d", data, "--out", out)
        assert first.returncode == 0, first.stderr
        before = snapshot(out)
        res = run("score", "-f", fw, "-d", big, "--out", out, "--report", "en")
        assert res.returncode == 2 and no_traceback(res.stderr), res.stderr
        assert "No space left on device" in res.stderr and str(out) in res.stderr
        assert snapshot(out) == before
        assert_no_leftovers(out)
    finally:
        os.system(f"umount {mnt}")


def test_permission_denied_while_replacing_puts_everything_back(case, monkeypatch):
    tmp, fw, data = case
    out = tmp / "out"
    (out).mkdir()
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    assert score(fw, data, out, "--report", "en").exit_code == 0
    before = snapshot(out)
    import evaluator.output_set as output_set
    real = os.replace

    def refuse(src, dst):      # the new indicators.csv cannot take the old one's place
        if Path(dst) == out / "indicators.csv" and ".evaluator-" in str(src) \
                and ".previous" not in str(src):
            raise PermissionError(errno.EACCES, "Permission denied", str(dst))
        return real(src, dst)
    monkeypatch.setattr(output_set.os, "replace", refuse)
    res = score(fw, data, out)
    assert res.exit_code == 2 and no_traceback(res.output)
    assert f"{out / 'indicators.csv'}: cannot replace indicators.csv (Permission denied)" \
        in res.output
    assert snapshot(out) == before
    assert_no_leftovers(out)


def test_an_unwritable_parent_is_refused_before_any_work(case):
    tmp, fw, data = case
    blocker = tmp / "file"
    blocker.write_text("x", encoding="utf-8")
    res = score(fw, data, blocker / "out")
    assert res.exit_code == 2 and no_traceback(res.output)
    assert str(blocker / "out") in res.output and "fix:" in res.output


# -- signals ----------------------------------------------------------------------------
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signals_at_random_points_of_a_long_run_leave_the_previous_set(case, signum):
    tmp, fw, data = case
    out = tmp / "out"
    recipe = _recipe(tmp, "uncertainty: {weights: {perturb: 0.2}, "
                          "normalise: [min_max, rank]}")
    base = ["sensitivity", "-f", fw, "-d", data, "-r", recipe, "--save-samples"]
    first = run(*base, "--samples", "64", "--out", out)
    assert first.returncode == 0, first.stderr
    before = snapshot(out)
    rng = random.Random(9 + signum)
    delays = [0.6, 1.2] + sorted(rng.uniform(0.0, 2.0) for _ in range(3))
    for k, delay in enumerate(delays):
        proc = spawn(*base, "--samples", "2000000", "--out", out)
        if k >= 2:                      # at a random point once the run is writing
            _wait_for_staging(tmp, proc)
        time.sleep(delay)
        proc.send_signal(signum)
        code = proc.wait(timeout=300)
        err = proc.stderr.read()
        assert no_traceback(err), err
        assert_no_leftovers(out)
        if code in (0, -signum) or "after the new outputs were in place" in err:
            assert_whole_set(out)       # finished before the signal (or while exiting)
            before = snapshot(out)
            continue
        assert code == 128 + signum, err
        assert "interrupted" in err
        if k >= 2:
            assert "the previous outputs are unchanged" in err
        assert snapshot(out) == before


_AFTER_THE_SET = """
import os, signal, sys
from evaluator.output_set import Interrupted, OutputSet, raise_interrupted
signal.signal(signal.SIGTERM, raise_interrupted)
if sys.argv[2] == "commit":
    with OutputSet(sys.argv[1], command="test", names=["a.txt"]) as outputs:
        (outputs.folder / "a.txt").write_text("a", encoding="utf-8")
try:
    os.kill(os.getpid(), signal.SIGTERM)     # as while the command prints its summary
    signal.pause()
except Interrupted as exc:
    print(exc)
"""


@pytest.mark.parametrize("commit", [True, False])
def test_a_signal_after_the_set_is_in_place_says_so(tmp_path, commit):
    """A signal that arrives once the command's set is in place (while it prints its
    summary) says the folder holds the new set; before any set, plain "interrupted"."""
    import subprocess
    import sys
    out = tmp_path / "out"
    res = subprocess.run([sys.executable, "-c", _AFTER_THE_SET, str(out),
                          "commit" if commit else "none"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    if commit:
        assert "after the new outputs were in place" in res.stdout
        assert (out / "a.txt").read_text(encoding="utf-8") == "a"
    else:
        assert res.stdout.strip() == "interrupted (SIGTERM)"
        assert not out.exists()


def _wait_for_staging(tmp: Path, proc) -> None:
    deadline = time.monotonic() + 120
    while not any(".evaluator-" in p.name for p in tmp.iterdir()):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)


def _recipe(tmp: Path, text: str) -> Path:
    path = tmp / f"recipe_{abs(hash(text))}.yaml"
    path.write_text(text + "\n", encoding="utf-8")
    return path


# -- byte-identical reruns --------------------------------------------------------------
def test_reruns_are_byte_identical_for_every_output(case):
    tmp, fw, data = case
    sums = []
    for k in range(2):
        out = tmp / f"out{k}"
        assert score(fw, data, out, "--report", "zh").exit_code == 0
        sums.append(snapshot(out))
    assert sums[0] == sums[1] and "report-2023-zh.xlsx" in sums[0]
    for command in (["compare", "--methods", "equal,entropy"],
                    ["report", "--lang", "en"]):
        got = []
        for k in range(2):
            out = tmp / f"{command[0]}{k}"
            res = invoke(*command, "-f", fw, "-d", data, "--out", out)
            assert res.exit_code == 0, res.output
            got.append(snapshot(out))
        assert got[0] == got[1] and len(got[0]) > 3, command
    outs = []
    for k in range(2):
        out = tmp / f"sens{k}"
        res = invoke("sensitivity", "-f", fw, "-d", data, "--samples", "64", "--seed", "4",
                     "--save-samples", "--out", out)
        assert res.exit_code == 0, res.output
        outs.append(snapshot(out))
    assert outs[0] == outs[1]


def test_the_manifest_lists_every_file_with_its_hash(case):
    tmp, fw, data = case
    out = tmp / "out"
    assert score(fw, data, out, "--report", "en").exit_code == 0
    manifest = assert_whole_set(out)
    assert manifest["command"] == "score" and manifest["output_set"]["format"] == 1
    assert list(manifest["outputs"]) == sorted(manifest["outputs"])
    for name, entry in manifest["outputs"].items():
        assert entry["bytes"] == (out / name).stat().st_size
    json.loads((out / "manifest.json").read_text(encoding="utf-8"),
               parse_constant=lambda c: pytest.fail(f"manifest holds {c}"))


def test_running_the_command_in_process_leaves_the_hosts_signal_handlers(case):
    """The host (here pytest) keeps its SIGTERM handler after an in-process run; only the
    `evaluator` process itself turns SIGTERM into a clean exit 143."""
    tmp, fw, data = case
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    assert score(fw, data, tmp / "out").exit_code == 0
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before
