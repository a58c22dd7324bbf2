"""channels.yaml: what loads, and the one-line errors (with line numbers) for what does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub import config, pipeline
from hub.demo import channels_yaml
from hub.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent

MINIMAL = """\
site:
  title: 示例县政务信息聚合平台
  base_url: https://portal.example.gov.cn
sources:
  - id: banquan
    name: 板泉镇人民政府
    group: 镇街
    feed: https://example.gov.cn/banquan/rss.xml
  - id: wenlv
    name: 县文化和旅游局
    group: 部门
    page:
      url: https://example.gov.cn/wlj/index.html
      item: ul.u-list li
      article: div.TRS_Editor
    every: 30m
channels:
  - slug: zhenjie
    title: 镇街动态
    include: [{group: 镇街}]
  - slug: yiyou
    title: 宜游
    include: [{keywords: [旅游, 景区]}, {source: wenlv}]
    exclude: [{keywords: 招标}]
  - slug: qita
    title: 其他
    fallback: true
"""


def load_text(tmp_path: Path, text: str) -> config.Config:
    path = tmp_path / "channels.yaml"
    path.write_text(text, encoding="utf-8")
    return pipeline.load(path)


def error_for(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_text(tmp_path, text)
    assert caught.value.exit_code == 2
    return str(caught.value)


def test_minimal_file_loads_with_defaults(tmp_path: Path) -> None:
    loaded = load_text(tmp_path, MINIMAL)
    assert loaded.site.base_url == "https://portal.example.gov.cn/"  # slash added
    assert loaded.site.timezone == "Asia/Shanghai"
    assert loaded.fetch.allow_private is False
    assert loaded.fetch.timeout == 20.0
    assert loaded.fetch.max_bytes == 15 * 1024 * 1024
    assert loaded.interval(loaded.source("banquan")) == 3600.0
    assert loaded.interval(loaded.source("wenlv")) == 1800.0
    yiyou = loaded.channels[1]
    assert yiyou.include[0].keywords == ("旅游", "景区")
    assert yiyou.exclude[0].keywords == ("招标",)  # one string is a list of one
    assert loaded.source("wenlv").page is not None
    assert loaded.source("wenlv").page.title == "a"  # default: the link's title or text


def test_paths_are_relative_to_the_config_folder(tmp_path: Path) -> None:
    loaded = load_text(tmp_path, MINIMAL)
    assert loaded.data_dir == tmp_path.resolve() / "data"
    assert loaded.site_dir == tmp_path.resolve() / "site"
    assert loaded.index_dir == tmp_path.resolve() / "index"
    assert loaded.templates_dir == tmp_path.resolve() / "templates"


def test_repository_channels_yaml_is_the_demo_county() -> None:
    text = (REPO / "channels.yaml").read_text(encoding="utf-8")
    assert text == channels_yaml(), "regenerate: python -c 'from hub.demo import ...'"
    loaded = pipeline.load(REPO / "channels.yaml")
    assert len(loaded.sources) >= 40
    assert {s.group for s in loaded.sources} >= {"镇街", "部门"}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "  title: 示例县政务信息聚合平台\n",
            "  title: [unclosed\n",
            "channels.yaml:3: YAML syntax error: expected ',' or ']', but got ':' (while parsing a flow sequence that starts on line 2)",
        ),
        (
            "    group: 部门\n",
            "    group: 部门\n    group: 镇街\n",
            "channels.yaml:12: sources[1].group: duplicate key 'group' (first at line 11)",
        ),
        ("    every: 30m\n", "    evry: 30m\n", "channels.yaml:16: sources[1].evry: unknown key"),
        (
            "    every: 30m\n",
            "    every: soon\n",
            "channels.yaml:16: sources[1].every: expected a duration",
        ),
        (
            "    group: 镇街\n",
            "    group: no\n",
            "channels.yaml:7: sources[0].group: expected text, got a boolean",
        ),
        (
            "  - id: wenlv\n",
            "  - id: banquan\n",
            "channels.yaml:9: sources[1].id: duplicate source id 'banquan'",
        ),
        ("  - id: wenlv\n", "  - id: Wen Lv\n", "channels.yaml:9: sources[1].id: 'Wen Lv' is not"),
        (
            "{source: wenlv}",
            "{source: wlj}",
            "channels.yaml:23: channels[1].include[1].source: unknown source 'wlj'",
        ),
        (
            "{group: 镇街}",
            "{group: 乡镇}",
            "channels.yaml:20: channels[0].include[0].group: unknown group '乡镇'",
        ),
        (
            "    feed: https://example.gov.cn/banquan/rss.xml\n",
            "",
            "channels.yaml:5: sources[0]: a source needs exactly one of `feed:` or `page:`",
        ),
        (
            "    feed: https://example.gov.cn/banquan/rss.xml\n",
            "    feed: ftp://x/rss.xml\n",
            "channels.yaml:8: sources[0].feed: expected an http(s) URL",
        ),
        (
            "      item: ul.u-list li\n",
            "      item: ul..li\n",
            "channels.yaml:14: sources[1].page.item: invalid CSS selector 'ul..li'",
        ),
        (
            "  - slug: qita\n",
            "  - slug: zhenjie\n",
            "channels.yaml:25: channels[2].slug: duplicate channel slug 'zhenjie'",
        ),
        (
            "    include: [{group: 镇街}]\n",
            "",
            "channels.yaml:18: channels[0]: a channel needs `include:` rules or `fallback: true`",
        ),
        (
            "{keywords: 招标}",
            "{}",
            "channels.yaml:24: channels[1].exclude[0]: a rule needs at least one of",
        ),
        (
            "      article: div.TRS_Editor\n",
            "      article: div.TRS_Editor\n      backfill: 3\n",
            "channels.yaml:12: sources[1].page: `backfill:` above 1 needs `more:`",
        ),
        (
            "      article: div.TRS_Editor\n",
            "      article: div.TRS_Editor\n      more: index_2.html\n",
            "channels.yaml:12: sources[1].page: `more:` needs {page} or {index}",
        ),
        (
            "{keywords: [旅游, 景区]}",
            '{regex: "第[一二三期"}',
            "channels.yaml:23: channels[1].include[0].regex: invalid regular expression '第[一二三期'",
        ),
        (  # RE2 runs every pattern in linear time, and has no backreferences
            "{keywords: [旅游, 景区]}",
            r'{regex: "(县|区)\\1"}',
            "channels.yaml:23: channels[1].include[0].regex: invalid regular expression '(县|区)\\\\1': invalid escape sequence: \\1 (rules use RE2",
        ),
        (  # what is checked is what runs: full-width digits are read as digits
            "{keywords: [旅游, 景区]}",
            '{regex: "x{１００１}"}',
            "channels.yaml:23: channels[1].include[0].regex: invalid regular expression 'x{１００１}': invalid repetition size",
        ),
        (  # nor lookaround
            "{keywords: 招标}",
            '{url: "re:(?<!news)/art/"}',
            "channels.yaml:24: channels[1].exclude[0].url: invalid regular expression '(?<!news)/art/': invalid perl operator: (?<!",
        ),
        (
            "{keywords: 招标}",
            "{keywords: [招标, on]}",
            "channels.yaml:24: channels[1].exclude[0].keywords[1]: expected text, got a boolean",
        ),
        (
            "    fallback: true\n",
            "    fallback: true\noverrides:\n  - {post: abc, pin: [nope]}\n",
            "channels.yaml:29: overrides[0].pin: unknown channel 'nope'",
        ),
        (
            "  base_url: https://portal.example.gov.cn\n",
            "",
            "channels.yaml:1: site.base_url: required key is missing",
        ),
        (
            "site:\n",
            "site:\n  timezone: Mars/Olympus\n",
            "channels.yaml:2: site.timezone: unknown time zone 'Mars/Olympus'",
        ),
    ],
)
def test_errors_name_file_line_and_key(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in MINIMAL
    message = error_for(tmp_path, MINIMAL.replace(old, new, 1))
    assert message.startswith(expected), message


def test_every_problem_is_reported_each_on_its_own_line(tmp_path: Path) -> None:
    broken = MINIMAL.replace("    every: 30m\n", "    evry: 30m\n").replace(
        "title: 其他", "titel: 其他"
    )
    lines = error_for(tmp_path, broken).splitlines()
    assert lines[0].startswith("channels.yaml:16: sources[1].evry: unknown key")
    assert any(
        line.startswith("channels.yaml:26: channels[2].titel: unknown key") for line in lines
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "channels.yaml: the file is empty"), ("- a\n- b\n", "channels.yaml:1: the top level")],
)
def test_empty_or_wrong_shaped_file(tmp_path: Path, text: str, expected: str) -> None:
    assert error_for(tmp_path, text).startswith(expected)


def test_missing_file_says_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no such file.*hub demo"):
        config.load(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    ("value", "seconds"), [("20s", 20), ("30m", 1800), ("1h", 3600), ("1.5h", 5400), (45, 45)]
)
def test_durations(value: object, seconds: float) -> None:
    assert config.parse_duration(value) == seconds


@pytest.mark.parametrize(("value", "size"), [("15MB", 15 * 1024**2), ("512KB", 524288), (10, 10)])
def test_sizes(value: object, size: int) -> None:
    assert config.parse_size(value) == size


BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9) if previous else ', '.join(['lol'] * 9)}]\n"
    for previous, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)


KEY_BOMB = "".join(
    f"? &a{n} [{', '.join([f'*a{n - 1}' if n else 'x'] * 10)}]\n: {n}\n" for n in range(8)
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # a NUL byte: YAML refuses it; hub says where, in one line
            MINIMAL.replace("  - slug: qita\n", "  - slug: qi\x00ta\n"),
            "channels.yaml:25: a character YAML does not allow (U+0000); remove it",
        ),
        (
            MINIMAL.replace("    title: 其他\n", "    title: 其\x08他\n"),
            "channels.yaml:26: a character YAML does not allow (U+0008); remove it",
        ),
        (  # the likeliest typo of an editor typing Chinese
            MINIMAL.replace("  - slug: qita\n", "  - slug： qita\n"),
            "channels.yaml:25: a full-width colon '：' after a key: YAML needs ':' (half-width)",
        ),
        (
            MINIMAL.replace("    fallback: true\n", "    fallback：true\n"),
            "channels.yaml:27: a full-width colon '：' after a key: YAML needs ':' (half-width)",
        ),
        (  # 5,000 brackets deep once took the stack with it
            MINIMAL + "overrides: " + "[" * 5000 + "]" * 5000 + "\n",
            "channels.yaml:28: nested deeper than 64 levels",
        ),
        (
            MINIMAL + "overrides: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n",
            "channels.yaml:28: nested deeper than 64 levels",
        ),
        (
            MINIMAL + "x:\n" + "".join("  " * (n + 1) + f"k{n}:\n" for n in range(300)),
            "channels.yaml:229: indented more than 400 columns",
        ),
        (  # a billion laughs: nine aliases of nine aliases of ...
            BOMB + MINIMAL,
            "the document holds more than 100,000 values once its aliases are expanded",
        ),
        (  # ... and in keys, which PyYAML prints whole when asked for their text
            KEY_BOMB + MINIMAL,
            "channels.yaml:1: a key must be a word, not a list or a mapping",
        ),
        (
            MINIMAL + "x:\n" + "- " * 3000 + "deep\n",
            "channels.yaml:29: nested deeper than 64 levels",
        ),
        (  # YAML reads it as a date, and there is no such day
            MINIMAL.replace("    title: 其他\n", "    title: 其他\n    description: 2024-02-30\n"),
            "channels.yaml:27: '2024-02-30' is not a value YAML can read (day is out of range",
        ),
        (
            MINIMAL.replace("    title: 其他\n", "    title: 其他\n    description: !!int x\n"),
            "channels.yaml:27: 'x' is not a value YAML can read",
        ),
    ],
    ids=[
        "nul",
        "backspace",
        "fullwidth-key",
        "fullwidth-flag",
        "brackets",
        "braces",
        "indent",
        "bomb",
        "key-bomb",
        "dashes",
        "no-such-day",
        "int-tag",
    ],
)
def test_hostile_files_get_one_line_at_the_right_place(
    tmp_path: Path, text: str, expected: str
) -> None:
    message = error_for(tmp_path, text)
    assert expected in message and "\n" not in message, message


def test_a_fullwidth_colon_inside_a_value_is_chinese_not_a_mistake(tmp_path: Path) -> None:
    loaded = load_text(tmp_path, MINIMAL.replace("    title: 其他\n", "    title: 通知：公告\n"))
    assert loaded.channels[-1].title == "通知：公告"
    block = "    description: |\n      联系电话：12345\n      about：x\n"
    loaded = load_text(tmp_path, MINIMAL.replace("    title: 其他\n", "    title: 其他\n" + block))
    assert loaded.channels[-1].description == "联系电话：12345\nabout：x\n"


def test_anchors_and_aliases_still_serve_their_purpose(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "    include: [{group: 镇街}]\n", "    include: &towns [{group: 镇街}]\n"
    ).replace(
        "    fallback: true\n",
        "    fallback: true\n  - {slug: more, title: 更多, include: *towns}\n",
    )
    loaded = load_text(tmp_path, text)
    assert loaded.channels[-1].include == loaded.channels[0].include


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql://hub:s3cret@db.example:5432/hub",
            "channels.yaml:29: store.url: a password does not belong in channels.yaml",
        ),
        (
            "mysql://hub@db.example/hub",
            "channels.yaml:29: store.url: expected postgresql://user@host:port/database",
        ),
    ],
)
def test_store_url_is_a_database_url_without_a_password(
    tmp_path: Path, url: str, expected: str
) -> None:
    message = error_for(tmp_path, f"{MINIMAL}store:\n  url: {url}\n")
    assert message.startswith(expected) and "s3cret" not in message, message


def test_hub_store_url_overrides_store_url_and_the_sqlite_file_is_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUB_STORE_URL", raising=False)
    loaded = load_text(tmp_path, MINIMAL)
    assert pipeline.runs.store_url(loaded) == f"sqlite:///{tmp_path.resolve()}/data/hub.sqlite3"
    loaded = load_text(tmp_path, f"{MINIMAL}store:\n  url: postgresql://hub@db.example/hub\n")
    assert pipeline.runs.store_url(loaded) == "postgresql://hub@db.example/hub"
    monkeypatch.setenv("HUB_STORE_URL", "postgresql://hub:s3cret@db.example/hub")
    assert pipeline.runs.store_url(loaded) == "postgresql://hub:s3cret@db.example/hub"


@pytest.mark.parametrize(
    ("added", "expected"),
    [
        (
            "search:\n  synonyms:\n    - [卫健, 卫生健康]\n    - [文旅]\n",
            "channels.yaml:31: search.synonyms[1]: expected 2 items or more, got 1",
        ),
        (
            "search:\n  synonyms:\n    - [卫健, 卫生健康]\n    - [县, 县里]\n",
            "channels.yaml:31: search.synonyms[1][0]: a name is 2 to 40 characters, not '县'",
        ),
        (
            "search:\n  synonyms:\n    - [卫健, 卫健]\n",
            "channels.yaml:30: search.synonyms[0]: a group needs two different words",
        ),
        (
            "search:\n  synonyms: [[卫健, 卫生 健康]]\n",
            "channels.yaml:29: search.synonyms[0][1]: a name is one word, without spaces",
        ),
        (
            "search:\n  synonyms: 卫健\n",
            "channels.yaml:29: search.synonyms: expected a list, got str '卫健'",
        ),
    ],
)
def test_synonym_groups_are_checked_at_their_line(
    tmp_path: Path, added: str, expected: str
) -> None:
    message = error_for(tmp_path, MINIMAL + added)
    assert message.startswith(expected), message


def test_aliases_load_and_name_one_department_only(tmp_path: Path) -> None:
    named = (
        MINIMAL.replace("    every: 30m\n", "    every: 30m\n    aliases: [县文旅局, 文旅局]\n")
        + "search:\n  synonyms: [[文广旅体, 文化和旅游]]\n"
    )
    loaded = load_text(tmp_path, named)
    assert loaded.sources[1].aliases == ("县文旅局", "文旅局")
    assert loaded.search.synonyms == (("文广旅体", "文化和旅游"),)
    taken = named.replace("[县文旅局, 文旅局]", "[县文旅局, 板泉镇人民政府]")
    assert error_for(tmp_path, taken).startswith(
        "channels.yaml:17: sources[1].aliases[1]: '板泉镇人民政府' is already sources[0]'s name"
    )
    twice = (
        taken.replace("    group: 镇街\n", "    group: 镇街\n    aliases: 文旅局\n")
        .replace("板泉镇人民政府]", "文化旅游局]")
        .replace("[县文旅局,", "[文旅局,")
    )
    assert error_for(tmp_path, twice).startswith(
        "channels.yaml:18: sources[1].aliases[0]: '文旅局' is already sources[0]'s alias"
    )
    short = named.replace("[县文旅局, 文旅局]", "[文]")
    assert "sources[1].aliases[0]: a name is 2 to 40 characters" in error_for(tmp_path, short)
