"""The project-wide message catalogue (evaluator/i18n.py, evaluator/messages/*.yaml).

* every key has English and Chinese text with the same placeholders, once in one file;
* every key the code uses (``M("…")``, ``t("…")``) exists;
* the language comes from --lang, else EVALUATOR_LANG, else the locale; every command
  has --lang;
* errors carry their key and render in either language; Chinese output holds no English
  sentence and English output no Chinese (tests/i18n_scan.py).
"""
from __future__ import annotations

import ast
import inspect
import pickle
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from evaluator import i18n
from evaluator.cli import main
from evaluator.errors import DataError, EvaluatorError
from evaluator.i18n import LANGS, M, Msg, MissingMessage, load_messages, placeholders, t

from i18n_scan import chinese_in, english_runs

PACKAGE = Path(i18n.__file__).resolve().parent


# -- the catalogue -------------------------------------------------------------------------------
def test_every_key_has_both_languages_with_the_same_placeholders():
    seen: dict[str, str] = {}
    for path in i18n.catalogue_files():
        text = path.read_text(encoding="utf-8")
        keys = re.findall(r"^([A-Za-z0-9_.-]+):", text, re.M)
        assert len(keys) == len(set(keys)), f"{path.name}: a key is defined twice"
        raw = yaml.safe_load(text)
        assert set(map(str, raw)) == set(keys), f"{path.name}: a key read as yes/no or lost"
        for key in keys:
            assert key not in seen, f"{key} is in {seen.get(key)} and {path.name}"
            seen[key] = path.name
    table = load_messages()
    assert set(table) == set(seen)
    missing, differing = [], []
    for key, entry in table.items():
        if set(entry) != set(LANGS) or not all(entry[lang].strip() for lang in LANGS):
            missing.append(key)
        elif placeholders(entry["en"]) != placeholders(entry["zh"]):
            differing.append(key)
    assert not missing, f"keys without text in one language: {missing}"
    assert not differing, f"keys whose placeholders differ between en and zh: {differing}"


def test_the_chinese_text_is_chinese_and_the_english_text_english():
    table = load_messages()
    han = re.compile(r"[\u4e00-\u9fff]")
    # a bibliographic reference (".ref") is cited as published, in its own language
    english_zh = [k for k, e in table.items()
                  if english_runs(re.sub(r"\{[^}]*\}", " ", e["zh"]))
                  and not han.search(e["zh"]) and not k.endswith(".ref")]
    # a help text's examples (示例市001, 专家问卷.xlsx) are the same in both languages
    chinese_en = [k for k, e in table.items() if han.search(
                      _without_shared_examples(k, e) if k.startswith("help.") else e["en"])
                  and not k.endswith(".ref")]
    assert not english_zh, f"zh text in English: {english_zh}"
    assert not chinese_en, f"en text in Chinese: {chinese_en}"


def _without_shared_examples(key, entry):
    """The English text of ``key`` without the Chinese words its Chinese text holds too."""
    return re.sub(r"[\u4e00-\u9fff]+", lambda m: "" if m.group(0) in entry["zh"] else m.group(0),
                  entry["en"])


def _keys_used_in_code() -> dict[str, str]:
    """Literal keys of M("…"), t("…"), Msg("…") and problems.add(…, M("…")) calls."""
    used = {}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("M", "t", "t_", "Msg") and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                used[node.args[0].value] = f"{path.relative_to(PACKAGE)}:{node.lineno}"
    return used


def test_every_key_the_code_uses_exists_with_its_placeholders():
    table = load_messages()
    used = _keys_used_in_code()
    assert len(used) > 20
    missing = {k: where for k, where in used.items() if k not in table}
    assert not missing, f"keys used but not in evaluator/messages/: {missing}"


def test_a_missing_key_is_an_error_not_a_fallback():
    with pytest.raises(MissingMessage):
        t("no.such.key", "en")
    with pytest.raises(MissingMessage):
        i18n.Messages("zh", {"only.en": {"en": "English only"}}).t("only.en")


# -- the language ------------------------------------------------------------------------------
def test_language_from_option_then_environment_then_locale(monkeypatch):
    monkeypatch.delenv("EVALUATOR_LANG", raising=False)
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.resolve_lang(None) == "zh"
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert i18n.resolve_lang(None) == "en"
    monkeypatch.setenv("LC_ALL", "zh_TW.UTF-8")
    assert i18n.resolve_lang(None) == "zh"
    monkeypatch.setenv("EVALUATOR_LANG", "en")
    assert i18n.resolve_lang(None) == "en"
    assert i18n.resolve_lang("zh") == "zh"
    monkeypatch.setenv("EVALUATOR_LANG", "fr")
    with pytest.raises(EvaluatorError, match="EVALUATOR_LANG"):
        i18n.resolve_lang(None)


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if hasattr(command, "commands"):
            yield from _commands(command, (*prefix, name))


def test_every_command_has_lang():
    commands = list(_commands(main))
    assert len(commands) >= 10
    for path, command in commands:
        assert any("--lang" in p.opts for p in command.params), " ".join(path)


def test_a_bad_environment_language_is_refused_with_exit_2(monkeypatch):
    monkeypatch.setenv("EVALUATOR_LANG", "fr")
    res = CliRunner().invoke(main, ["frameworks", "list"])
    assert res.exit_code == 2
    assert "EVALUATOR_LANG" in res.output and "Traceback" not in res.output


# -- messages that travel ------------------------------------------------------------------------
def test_an_error_renders_in_either_language_with_its_where_and_fix():
    exc = DataError(M("lang.unknown", value="fr", origin="--lang"),
                    where="panel.csv", fix=M("lang.unknown.fix"))
    en, zh = exc.render("en"), exc.render("zh")
    assert str(exc) == en   # made while the language is en (conftest)
    assert en.startswith("panel.csv: unknown language 'fr'") and "\n  fix: use en or zh" in en
    assert zh.startswith("panel.csv：未知语言 'fr'") and "修改方法：请使用 en 或 zh" in zh
    assert not english_runs(zh)
    assert not chinese_in(en)


def test_a_message_keeps_its_key_through_pickling_and_renders_nested_messages():
    m = M("error.with_fix", message=M("os.not_found"), fix=M("lang.unknown.fix"))
    assert isinstance(m, str) and m.startswith("no such file or folder")
    again = pickle.loads(pickle.dumps(m))
    assert isinstance(again, Msg) and again == m and again.key == m.key
    assert again.render("zh").startswith("文件或文件夹不存在")


def test_cli_errors_follow_lang_and_the_environment(monkeypatch):
    args = ["score", "-f", "resource_city_transition", "-d", "panel.csv", "--report", "zh"]
    en = CliRunner().invoke(main, args)
    assert en.exit_code == 2 and en.output.startswith("error: --report needs --out")
    assert not chinese_in(en.output)
    zh = CliRunner().invoke(main, [*args, "--lang", "zh"])
    assert zh.exit_code == 2 and zh.output.startswith("错误：")
    assert not english_runs(zh.output)
    monkeypatch.setenv("EVALUATOR_LANG", "zh")
    env = CliRunner().invoke(main, args)
    assert env.output == zh.output


def test_what_a_sensitivity_run_varied_reads_in_the_report_language():
    from evaluator.report.intervals import varied_label
    zh, en = i18n.Messages("zh"), i18n.Messages("en")
    labels = ["weights × U(0.8, 1.2)", "normalise: min_max, z_score",
              "weights ~ Dirichlet(50 × nominal)", "drop_indicator: none, pm25"]
    shown = [varied_label(v, zh) for v in labels]
    assert shown[:2] == ["权重 × U(0.8, 1.2)", "标准化方法：极差标准化、Z-score标准化"]
    assert not any(english_runs(s) for s in shown), shown
    assert [varied_label(v, en) for v in labels][0] == labels[0]


def test_ahp_notes_follow_the_language():
    from evaluator.model.judgements import judgements_from_dict
    from evaluator.stages.ahp_weights import analyse_judgements
    spec = {"matrices": {"a": {"items": ["x", "y"], "judgements": {"x": {"y": 3}}},
                         "b": {"items": ["u", "v"], "judgements": {"u": {"v": 2}}}}}
    analysis = analyse_judgements(judgements_from_dict(spec, None, source="j.yaml"))
    assert analysis.notes and analysis.notes[0].startswith("no single top matrix")
    text = analysis.to_text("zh")
    assert "没有唯一的顶层矩阵" in text and not english_runs(text.split("说明")[-1])


# -- unit names per language ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    import pandas as pd
    from evaluator.resources import demo_panel_path
    panel = pd.read_csv(demo_panel_path(), encoding="utf-8-sig")
    keep = sorted(panel["unit"].unique())[:12]
    path = tmp_path_factory.mktemp("names") / "panel.csv"
    panel[panel["unit"].isin(keep)].to_csv(path, index=False, encoding="utf-8-sig")
    return path, panel[panel["unit"].isin(keep)]


@pytest.mark.parametrize("lang", LANGS)
def test_the_report_names_units_in_its_language(small_demo, tmp_path, lang):
    path, panel = small_demo
    out = tmp_path / lang
    res = CliRunner().invoke(main, ["report", "-f", "resource_city_transition", "-d", str(path),
                                    "--out", str(out), "--lang", lang])
    assert res.exit_code == 0, res.output
    html = next(out.glob(f"report-*-{lang}.html")).read_text(encoding="utf-8")
    ranking = re.sub(r"<[^>]*>", " ", html.split('id="ranking"')[1].split("</table>")[0])
    en_names, zh_names = set(panel["unit_en"]), set(panel["unit"])
    shown, hidden = (en_names, zh_names) if lang == "en" else (zh_names, en_names)
    assert all(n in ranking for n in shown)
    assert not any(n in ranking for n in hidden)
    from openpyxl import load_workbook
    ws = load_workbook(next(out.glob(f"report-*-{lang}.xlsx")))[i18n.Messages(lang).t("sheet.rankings")]
    header = [c.value for c in ws[1]]
    if lang == "en":     # the workbook keeps the id and adds the name in the language
        names = {ws.cell(row=r, column=header.index(i18n.Messages(lang).t("xl.unit_name")) + 1).value
                 for r in range(2, 14)}
        assert names == en_names


# -- Chinese output of the commands holds no English sentence -----------------------------------
def test_chinese_output_of_the_commands_holds_no_english_sentence(small_demo, tmp_path):
    from evaluator.model.framework import load_framework
    from evaluator.resources import weights_dir
    path, _ = small_demo
    fw = load_framework("resource_city_transition")
    ids = [*fw.groups, *fw.node_ids, *(i.id for i in fw.indicators)]
    # the citations of the targets are the framework file's, in both languages: the
    # Chinese one is shown, with the codes it cites (GB 3095-2012, §6.1, μg/m³)
    runs = [["frameworks"], ["frameworks", "show", "resource_city_transition"],
            ["ahp", str(weights_dir() / "example_panel.yaml"), "-f", "resource_city_transition"],
            ["validate", "-f", "resource_city_transition", "-d", str(path)],
            ["score", "-f", "resource_city_transition", "-d", str(tmp_path / "none.csv")],
            ["score", "-f", "no_such_framework", "-d", str(path)],
            ["weights", "-f", "resource_city_transition", "-d", str(path), "--method", "ahp"],
            ["ahp", "template", "-f", "resource_city_transition", "-o", str(path)]]
    found = {}
    for args in runs:
        res = CliRunner().invoke(main, [*args, "--lang", "zh"])
        assert "Traceback" not in res.output, res.output
        english = english_runs(res.output, allow=ids)
        if english:
            found[" ".join(args[:2])] = english[:5]
    assert not found, found


# -- no message text outside the catalogue -------------------------------------------------------
# Modules another change is converting (none now); name them here until it lands.
_PENDING: set[str] = set()
_USER_CALLS = {"EvaluatorError", "FrameworkError", "RecipeError", "DataError", "MethodError",
               "CheckFailed", "echo", "secho", "warn", "add"}
_KEY_CALLS = {"M", "t", "t_", "Msg", "msg"}
_LABEL = re.compile(r"^\s*[A-Za-z][A-Za-z ]*:\s*$")     # "valid: ", "years present: "


def _literals(node):
    """String constants of an expression, without the keys of message calls (M("key"))
    and the texts of bilingual(en, zh)."""
    if isinstance(node, ast.Call):
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
        if name == "bilingual":
            return
        if name in _KEY_CALLS:
            for arg in [*node.args[1:], *(k.value for k in node.keywords)]:
                yield from _literals(arg)
            return
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
        return
    for child in ast.iter_child_nodes(node):
        yield from _literals(child)


def test_errors_warnings_and_printed_lines_take_their_words_from_the_catalogue():
    """An error (what, where, fix), a problem added to a list, a warning or a printed line
    written as English text in the code would stay English in zh output."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if str(path.relative_to(PACKAGE)) in _PENDING:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign):     # where = f"node {x!r}" … raise …(where=where)
                parts = [node.value] if any(getattr(t, "id", "") in ("where", "fix")
                                            for t in node.targets) else []
            elif not isinstance(node, ast.Call):
                continue
            elif (getattr(node.func, "id", None) or getattr(node.func, "attr", "")) in _USER_CALLS:
                parts = [*node.args, *(k.value for k in node.keywords)]
            else:                                # registry.get(..., where=f"…") and the like
                parts = [k.value for k in node.keywords if k.arg in ("where", "fix")]
            for arg in parts:
                for text in _literals(arg):
                    words = re.sub(r"\{[^}]*\}", " ", text)
                    if english_runs(words) or _LABEL.match(words):
                        found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {text[:60]!r}")
    assert not found, "English text outside the catalogue:\n" + "\n".join(found)


def test_every_catalogue_key_is_used():
    """A key no code or template names is a message nobody reads (or a typo of the key
    the code uses). Keys are named literally (``M("a.b")``), by a prefix the code
    completes (``M(f"xl.{key}")``, ``counted("a.b", n)`` → ``a.b.one``,
    ``words("a")``, ``t("disparity.col." ~ c)`` in a template), or through the store's
    ``msg("x")`` → ``store.x``; ``.fix``/``.one``/``.many``/``.ref`` go with their key."""
    literals, texts = set(), []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        texts.append(text)
        literals |= {n.value for n in ast.walk(ast.parse(text))
                     if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    for path in (PACKAGE.parent / "reports").rglob("*"):
        if path.is_file():
            texts.append(path.read_text(encoding="utf-8"))
    quoted = set(re.findall(r"[\"']([A-Za-z0-9_.]+)[\"']", "\n".join(texts)))
    names = {s for s in literals | quoted if " " not in s}
    prefixes = tuple(s if s.endswith((".", "_")) else s + "." for s in names
                     if "." in s and len(s) >= 3)

    def used(key: str) -> bool:
        if key in names or (key.startswith("store.") and key[6:] in names):
            return True
        base, _, last = key.rpartition(".")
        if last in ("fix", "one", "many", "ref", "where") and base and used(base):
            return True
        return key.startswith(prefixes) or (key.startswith("store.")
                                            and key[6:].startswith(prefixes))

    unused = sorted(k for k in load_messages() if not used(k))
    assert not unused, f"catalogue keys no code uses: {unused}"


# -- --help and click's own words ------------------------------------------------------------
def _all_commands():
    return [(), *(path for path, _ in _commands(main))]


def test_every_help_text_has_its_chinese():
    from evaluator.cli.help_text import HELP_PREFIX, OPTION_PREFIX, english_help, help_objects
    known = {inspect.cleandoc(e["en"]) for k, e in load_messages().items()
             if k.startswith((HELP_PREFIX, OPTION_PREFIX))}
    missing = [text[:60] for obj, attr in help_objects(main)
               if (text := english_help(obj, attr)) and text not in known]
    assert not missing, f"help texts without an entry in messages/help.yaml: {missing}"


def _prose(text: str) -> str:
    """A help text without its example lines (commands, YAML) and the usage line."""
    keep = [line for line in text.splitlines()
            if not re.match(r"\s+(evaluator |[a-z_]+:|\S*#)", line)
            and not line.startswith(("Usage:", "用法："))]
    return "\n".join(keep)


def test_help_of_every_command_in_chinese_and_in_english(monkeypatch):
    from evaluator.registry.core import FAMILIES, methods
    monkeypatch.delenv("EVALUATOR_LANG", raising=False)
    ids = [name for family in FAMILIES for name in methods(family)]
    allow = [*ids, "Demo City", "PostgreSQL COPY", "CSV HEADER", "GeoJSON FeatureCollection",
             "Saisana", "Saltelli", "Tarantola", "SALib", "SPSSAU", "COINr", "Excel", "WPS",
             "LibreOffice"]
    found, chinese = {}, {}
    for path in _all_commands():
        # the top level has no --lang: its help follows EVALUATOR_LANG (or the locale)
        zh = CliRunner(env={"EVALUATOR_LANG": "zh"}).invoke(
            main, [*path, *(["--lang", "zh"] if path else []), "--help"], prog_name="evaluator")
        assert zh.exit_code == 0 and "用法：" in zh.output and "选项" in zh.output
        runs = english_runs(_prose(zh.output), allow=allow)
        if runs:
            found[" ".join(path)] = runs[:5]
        en = CliRunner().invoke(main, [*path, "--help"], prog_name="evaluator")
        assert en.exit_code == 0 and en.output.startswith("Usage: evaluator")
        lines = chinese_in(_prose(en.output), allow=["示例市", "专家问卷", "面板", "专家",
                                                      "2025年第二季度"])
        if lines:
            chinese[" ".join(path)] = lines[:3]
    assert not found, f"English in the Chinese --help: {found}"
    assert not chinese, f"Chinese in the English --help: {chinese}"


def test_click_usage_errors_follow_the_language():
    zh = CliRunner().invoke(main, ["score", "--lang", "zh"], prog_name="evaluator")
    assert zh.exit_code == 2
    assert "错误：缺少选项 '--framework' / '-f'" in zh.output and "用法：" in zh.output
    zh = CliRunner().invoke(main, ["score", "-f", "x", "-d", "y", "--bogus", "--lang=zh"])
    assert "没有选项 '--bogus'" in zh.output
    en = CliRunner().invoke(main, ["score"], prog_name="evaluator")
    assert "Error: Missing option '--framework' / '-f'" in en.output


def _report_texts(folder, lang):
    """The words of the report's HTML (without styles, scripts and code blocks), Markdown
    and workbook (every text cell and sheet name)."""
    from openpyxl import load_workbook
    html = next(folder.glob(f"report-*-{lang}.html")).read_text(encoding="utf-8")
    html = re.sub(r"<(style|script|pre|code)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").replace("&quot;", '"')
    md = next(folder.glob(f"report-*-{lang}.md")).read_text(encoding="utf-8")
    book = load_workbook(next(folder.glob(f"report-*-{lang}.xlsx")))
    cells = [str(c.value) for ws in book for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)]
    return {"html": html, "md": md, "xlsx": "\n".join([*book.sheetnames, *cells])}


def test_the_report_holds_no_sentence_of_the_other_language(small_demo, tmp_path):
    """zh: no English sentence (ids, method codes, citations and code excepted); en: no
    Chinese outside unit ids (the demo's units are named 示例市001 … in the panel)."""
    from evaluator.model.framework import load_framework
    from evaluator.registry.core import FAMILIES, methods
    path, panel = small_demo
    fw = load_framework("resource_city_transition")
    refs = [e[lang] for k, e in load_messages().items() if k.endswith(".ref")
            for lang in LANGS]
    ids = [*fw.groups, *fw.node_ids, *(i.id for i in fw.indicators),
           *(n for family in FAMILIES for n in methods(family)), *refs, fw.id]
    for lang in LANGS:
        out = tmp_path / lang
        res = CliRunner().invoke(main, ["report", "-f", "resource_city_transition", "-d",
                                        str(path), "--out", str(out), "--lang", lang])
        assert res.exit_code == 0, res.output
        for kind, text in _report_texts(out, lang).items():
            if lang == "zh":
                found = english_runs(text, allow=ids)
            else:
                found = chinese_in(text, allow=[*panel["unit"], fw.reference, *refs,
                                                *(i.unit.get("zh") for i in fw.indicators)])
            assert not found, (lang, kind, found[:8])


def test_rounds_and_history_print_status_and_frequency_in_chinese(small_demo, tmp_path):
    path, _ = small_demo
    db = tmp_path / "r.db"
    res = CliRunner().invoke(main, ["score", "-f", "resource_city_transition", "-d", str(path),
                                    "--out", str(tmp_path / "out"), "--publish", "--db",
                                    str(db), "-q"])
    assert res.exit_code == 0, res.output
    zh = CliRunner().invoke(main, ["rounds", "--db", str(db), "--lang", "zh"])
    assert "有效" in zh.output and "年度" in zh.output and "状态" in zh.output
    assert "valid" not in zh.output
    js = CliRunner().invoke(main, ["rounds", "--db", str(db), "--lang", "zh", "--format", "json"])
    assert '"status": "valid"' in js.output and '"frequency": "year"' in js.output
    unit = sorted(_["unit"].unique())[0]
    hist = CliRunner().invoke(main, ["history", "--unit", unit, "--db", str(db), "--lang", "zh"])
    assert "有效" in hist.output and "绿灯" in hist.output
