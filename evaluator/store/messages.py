"""Every message of the published-rounds store, in English and Chinese, in one place
(so it moves as one block into the project-wide catalogue when that lands).

The language is ``EVALUATOR_LANG`` (en | zh), else the locale (``LANG`` zh_* → zh),
else English."""
from __future__ import annotations

import os

MESSAGES: dict[str, dict[str, str]] = {
    # opening the database
    "db.bad_url": {
        "en": "cannot use the database address {url!r} ({reason})",
        "zh": "无法使用数据库地址 {url!r}（{reason}）"},
    "db.bad_url.fix": {
        "en": "give an SQLite file path (results.db) or a URL such as "
              "postgresql+psycopg://user:password@host:5432/dbname",
        "zh": "请给出 SQLite 文件路径（如 results.db）或形如 "
              "postgresql+psycopg://用户:密码@主机:5432/库名 的地址"},
    "db.unreachable": {
        "en": "cannot connect to the database {url} ({reason})",
        "zh": "无法连接数据库 {url}（{reason}）"},
    "db.unreachable.fix": {
        "en": "check that the server runs and the host, port, user, password and database "
              "name of --db (or EVALUATOR_DB) are right",
        "zh": "请确认数据库服务已启动，且 --db（或 EVALUATOR_DB）中的主机、端口、用户、密码和库名正确"},
    "db.missing": {
        "en": "there is no database at {path}",
        "zh": "{path} 处没有数据库"},
    "db.missing.fix": {
        "en": "publish a round first (evaluator publish RESULTS_DIR --db {path}) or give "
              "the right --db / EVALUATOR_DB",
        "zh": "请先发布一轮（evaluator publish 结果目录 --db {path}），或给出正确的 --db / EVALUATOR_DB"},
    "db.not_ours": {
        "en": "the database {url} holds tables but no evaluator schema table (ev_schema)",
        "zh": "数据库 {url} 中已有数据表，但没有 evaluator 的版本表（ev_schema）"},
    "db.not_ours.fix": {
        "en": "use an empty database or one written by evaluator",
        "zh": "请使用空数据库或由 evaluator 创建的数据库"},
    "db.newer": {
        "en": "the database {url} has schema version {found}, newer than this evaluator "
              "({version}, schema {ours})",
        "zh": "数据库 {url} 的结构版本为 {found}，比当前 evaluator（{version}，结构版本 {ours}）更新"},
    "db.newer.fix": {
        "en": "upgrade evaluator (pip install -U evaluator) before using this database",
        "zh": "请先升级 evaluator（pip install -U evaluator）再使用此数据库"},
    "db.locked": {
        "en": "the database {url} is locked by another program (waited {seconds:g} s)",
        "zh": "数据库 {url} 被其他程序锁定（已等待 {seconds:g} 秒）"},
    "db.locked.fix": {
        "en": "wait for the other evaluator command (or close the program holding the file) "
              "and try again; EVALUATOR_DB_TIMEOUT sets how long to wait",
        "zh": "请等待另一个 evaluator 命令结束（或关闭占用该文件的程序）后重试；"
              "可用 EVALUATOR_DB_TIMEOUT 设置等待秒数"},
    "db.failed": {
        "en": "the database {url} refused the operation ({reason})",
        "zh": "数据库 {url} 拒绝了此操作（{reason}）"},
    "db.failed.fix": {
        "en": "check the database's permissions and free space; nothing of this command "
              "was stored",
        "zh": "请检查数据库权限和剩余空间；本命令未写入任何内容"},
    # the results folder
    "results.not_dir": {
        "en": "results folder {path} does not exist or is not a folder",
        "zh": "结果目录 {path} 不存在或不是目录"},
    "results.not_dir.fix": {
        "en": "give the --out folder of `evaluator score`",
        "zh": "请给出 `evaluator score` 的 --out 目录"},
    "results.no_manifest": {
        "en": "{path} has no manifest.json, so it is not a results folder of evaluator",
        "zh": "{path} 中没有 manifest.json，不是 evaluator 的结果目录"},
    "results.bad_manifest": {
        "en": "manifest.json cannot be read ({reason})",
        "zh": "无法读取 manifest.json（{reason}）"},
    "results.rescore.fix": {
        "en": "score again into this folder (evaluator score … --out {path}) and publish "
              "the new results",
        "zh": "请重新评分到此目录（evaluator score … --out {path}）后再发布"},
    "results.no_outputs": {
        "en": "manifest.json lists no output files with their SHA-256 (written by an older "
              "evaluator), so the files cannot be checked",
        "zh": "manifest.json 未列出输出文件及其 SHA-256（由旧版 evaluator 写出），无法核对文件"},
    "results.missing_file": {
        "en": "{name} is listed in manifest.json but missing from the folder",
        "zh": "manifest.json 列出的 {name} 在目录中不存在"},
    "results.edited_file": {
        "en": "{name} was changed after evaluator wrote it (SHA-256 {found}, manifest.json "
              "says {expected})",
        "zh": "{name} 在 evaluator 写出后被修改过（SHA-256 为 {found}，manifest.json 记录为 {expected}）"},
    "results.edited.fix": {
        "en": "restore the file, or score again into this folder and publish the new "
              "results; a published round holds exactly what evaluator wrote",
        "zh": "请恢复该文件，或重新评分后发布新结果；发布的轮次只收录 evaluator 写出的原样文件"},
    "results.bad_value": {
        "en": "column {column!r} holds {value!r} at row {row}, not a {kind}",
        "zh": "列 {column!r} 第 {row} 行的值 {value!r} 不是{kind}"},
    "results.no_year": {
        "en": "year {year} is not in the results (years: {years})",
        "zh": "结果中没有 {year} 年（现有年份：{years}）"},
    "results.no_year.fix": {
        "en": "give --year with one of the results' years",
        "zh": "请用 --year 指定结果中已有的年份"},
    # publishing
    "publish.duplicate": {
        "en": "these results are already published as round {round} ({label}, {at})",
        "zh": "这些结果已作为第 {round} 轮发布（{label}，{at}）"},
    "publish.duplicate.fix": {
        "en": "nothing to do; to correct round {round}, score again and publish with "
              "--supersedes {round} --reason TEXT",
        "zh": "无需重复发布；如需更正第 {round} 轮，请重新评分后用 --supersedes {round} --reason 说明 发布"},
    "publish.no_round": {
        "en": "there is no round {round} in {url}",
        "zh": "{url} 中没有第 {round} 轮"},
    "publish.no_round.fix": {
        "en": "list the rounds with `evaluator rounds --db {url}`",
        "zh": "请用 `evaluator rounds --db {url}` 查看已有轮次"},
    "publish.need_reason": {
        "en": "--supersedes needs --reason (why round {round} is corrected)",
        "zh": "--supersedes 需要同时给出 --reason（说明为何更正第 {round} 轮）"},
    "publish.need_reason.fix": {
        "en": "add --reason \"…\"",
        "zh": "请加上 --reason \"…\""},
    "publish.superseded": {
        "en": "round {round} is already superseded by round {by}",
        "zh": "第 {round} 轮已被第 {by} 轮更正"},
    "publish.superseded.fix": {
        "en": "supersede the latest correction instead: --supersedes {by}",
        "zh": "请更正最新的那一轮：--supersedes {by}"},
    "publish.withdrawn": {
        "en": "round {round} was withdrawn ({reason}); a withdrawn round has no place to "
              "take over",
        "zh": "第 {round} 轮已撤回（{reason}）；已撤回的轮次不能被更正替代"},
    "publish.withdrawn.fix": {
        "en": "publish the corrected results as a new round, without --supersedes",
        "zh": "请把更正后的结果作为新一轮发布，不加 --supersedes"},
    "publish.other_framework": {
        "en": "the results are scored on framework {found!r}, round {round} on {expected!r}",
        "zh": "结果所用指标体系为 {found!r}，而第 {round} 轮为 {expected!r}"},
    "publish.other_framework.fix": {
        "en": "a correction keeps the framework of the round it corrects: score on "
              "{expected!r}, or publish a new round without --supersedes",
        "zh": "更正必须沿用原轮次的指标体系：请按 {expected!r} 评分，或不加 --supersedes 作为新一轮发布"},
    "publish.other_periods": {
        "en": "round {round} published {expected}; these results would publish {found}",
        "zh": "第 {round} 轮发布的是 {expected}；本次将发布 {found}"},
    "publish.other_periods.fix": {
        "en": "publish the same period(s) with --year, or a new round without --supersedes",
        "zh": "请用 --year 发布相同期间，或不加 --supersedes 作为新一轮发布"},
    "withdraw.already": {
        "en": "round {round} is already withdrawn ({reason})",
        "zh": "第 {round} 轮已撤回（{reason}）"},
    "withdraw.already.fix": {
        "en": "nothing to do", "zh": "无需操作"},
    "withdraw.need_reason": {
        "en": "a withdrawal needs a reason", "zh": "撤回须说明原因"},
    "withdraw.need_reason.fix": {
        "en": "add --reason \"…\"", "zh": "请加上 --reason \"…\""},
    "published": {
        "en": "published round {round} ({period}, {rows} rows in {tables} tables) into {url}",
        "zh": "已发布第 {round} 轮（{period}，{tables} 张表共 {rows} 行）到 {url}"},
    "withdrawn": {
        "en": "withdrew round {round} ({reason})",
        "zh": "已撤回第 {round} 轮（{reason}）"},
}


def lang() -> str:
    value = os.environ.get("EVALUATOR_LANG") or os.environ.get("LANG") or "en"
    return "zh" if value.lower().startswith("zh") else "en"


def msg(key: str, **params) -> str:
    """The message ``key`` in the current language, with ``params`` filled in."""
    return MESSAGES[key][lang()].format(**params)
