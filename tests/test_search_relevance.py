"""Does search find what a resident means? A relevance set over the demo county in
groups: "words", 48 queries and 8 exact titles; "short names", 36 queries naming a
department as residents do (卫健委, 文旅局, an alias, a synonym); "attachments", 15
queries for what only a post's attachment says (a job table's positions, a form's
fields, the names of a 公示). Each query is judged by meaning — which posts answer it
(the demo world knows each post's topic and what its attachment holds; the rest is what
the post says or who published it) and, for some, which must not appear at all; an
exact title typed as a query must bring its post back in the top 3. Reports
precision@3 for each group on each engine and fails a group below the threshold."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from hub import pipeline, search
from hub.demo import World, files
from hub.demo.county import source as demo_source
from hub.models import SEARCH_ENGINES
from hub.pipeline.searching import names as search_names
from hub.search.synonyms import Synonyms
from tests.conftest import START, Crawled

# Mean precision@3 over the set. Measured 0.988 with index-time field boosts (旅游 put
# a notice of the 县文化和旅游局 third: the word is in its name, not its subject), 1.000
# since the boosts are applied at query time, where BM25's saturation does not flatten
# them. Below 0.95 a change has made search worse for residents.
THRESHOLD = 0.95


@dataclass(frozen=True)
class Judged:
    """A post as the judge sees it."""

    id: str
    title: str
    text: str
    department: str
    topic: str
    files: str = ""  # the text of its attachment, as the demo world wrote it

    def says(self, *words: str) -> bool:
        """Whether the post says one of the words: in its title, its text or its
        attachment (all of which search reads)."""
        return any(w in f"{self.title}\n{self.text}\n{self.files}" for w in words)

    def says_all(self, *words: str) -> bool:
        return all(self.says(w) for w in words)


Judge = Callable[[Judged], bool]


def says(*words: str) -> Judge:
    return lambda p: p.says(*words)


def topic(name: str) -> Judge:
    return lambda p: p.topic == name


def department(name: str) -> Judge:
    return lambda p: p.department == name


def never(_: Judged) -> bool:
    return False


# (query, relevant, must not appear at all)
Query = tuple[str, Judge, Judge]
QUERIES: list[Query] = [
    ("防汛", says("汛"), never),
    ("旅游", topic("yiyou"), topic("qingfeng")),
    ("旅遊", topic("yiyou"), topic("qingfeng")),  # traditional script
    ("招聘", says("招聘"), never),
    ("养老", says("养老", "老年"), never),
    ("义诊", says("义诊"), topic("yiyou")),
    ("电信网络诈骗", says("诈骗"), never),
    ("消防安全", says("消防"), never),
    ("垃圾分类", says("垃圾分类"), never),
    ("老旧小区改造", says("老旧小区"), never),
    ("医保参保", says("医保"), never),
    ("招生政策", says("招生"), never),
    ("桃花节", says("桃花节"), department("县纪委监委")),
    ("民宿", says("民宿"), never),
    ("非遗", says("非遗"), never),
    ("党风廉政", topic("qingfeng"), topic("yiyou")),
    ("八项规定", says("八项规定"), never),
    ("红色教育基地", topic("hongse"), never),
    ("革命旧址", says("革命旧址"), never),
    ("志愿服务", says("志愿"), never),
    ("和美乡村", says("和美乡村"), never),
    ("常务会议", says("常务会议"), never),
    ("新闻发布会", says("发布会"), never),
    ("政府信息公开 年度报告", says("年度报告"), never),
    ("招标公告", says("招标"), never),
    ("职业技能培训", says("培训"), never),
    ("营商环境", says("营商环境"), never),
    ("地质灾害", says("地质灾害"), never),
    ("安全生产隐患", says("隐患"), never),
    ("污水管网", says("污水"), never),
    ("农村供水", says("供水"), never),
    ("口袋公园", says("口袋公园"), never),
    ("困难群众救助", says("救助"), never),
    ("桐溪好人", says("桐溪好人"), never),
    ("乡村医生", says("乡村医生"), never),
    ("森林防火", says("森林防火"), never),
    ("梅岭花海", says("梅岭花海"), topic("qingfeng")),
    ("枫林村", says("枫林村"), never),
    # a department's name finds that department's posts
    ("县应急管理局", department("县应急管理局"), never),
    ("县文化和旅游局", department("县文化和旅游局"), never),
    ("县纪委监委", department("县纪委监委"), never),
    ("县人力资源和社会保障局", department("县人力资源和社会保障局"), never),
    ("县消防救援大队", department("县消防救援大队"), never),
    ("白沙镇", lambda p: p.department == "白沙镇人民政府" or p.says("白沙镇"), never),
    # the query language
    ('"防汛应急演练"', says("防汛应急演练"), lambda p: not p.says("防汛应急演练")),
    ("防汛 -演练", lambda p: p.says("汛") and not p.says("演练"), says("演练")),
    ("桃花节 OR 民宿", says("桃花节", "民宿"), lambda p: not p.says("桃花节", "民宿")),
    ("义诊 县人民医院", lambda p: p.says("义诊") and p.says("县人民医院"), never),
]
UNIQUE_TITLES = 8  # posts looked up by their exact title


def either(*names: str) -> Judge:
    return lambda p: p.department in names


def of_about(name: str, *words: str) -> Judge:
    """A department's posts that say one of the words."""
    return lambda p: p.department == name and p.says(*words)


# A department by the name residents type: hub's table of short names (卫健委, 文旅局,
# 街道办…), the demo's `search.synonyms` (县医院) and its sources' `aliases` (县府办,
# 县环保局, 县供电局, 县水务公司); with a topic, an alternative and an exclusion.
WJW, WLJ, RSJ = "县卫生健康委员会", "县文化和旅游局", "县人力资源和社会保障局"
STREETS = ("城关街道办事处", "东城街道办事处", "新华街道办事处")
SHORT_NAMES: list[Query] = [
    ("卫健委", department(WJW), never),
    ("县卫健委", department(WJW), never),
    ("卫健局", department(WJW), never),
    ("县卫健局", department(WJW), never),
    ("文旅局", department(WLJ), never),
    ("县文旅局", department(WLJ), never),
    ("文旅", lambda p: p.department == WLJ or p.says("文旅"), never),
    ("人社局", department(RSJ), never),
    ("县人社局", department(RSJ), never),
    ("住建局", department("县住房和城乡建设局"), never),
    ("市场监管局", department("县市场监督管理局"), never),
    ("县市场监管局", department("县市场监督管理局"), never),
    ("发改局", department("县发展和改革局"), never),
    ("县发改委", department("县发展和改革局"), never),
    ("医保局", department("县医疗保障局"), never),
    ("退役军人局", department("县退役军人事务局"), never),
    ("街道办", either(*STREETS), never),
    ("城关街道办", department("城关街道办事处"), never),
    ("融媒中心", department("县融媒体中心"), never),
    ("农业局", department("县农业农村局"), never),
    ("应急局", department("县应急管理局"), never),
    ("县监委", department("县纪委监委"), never),
    ("县政府办", department("县人民政府办公室"), never),
    ("交通局", department("县交通运输局"), never),
    ("教体局", department("县教育局"), never),
    ("城管局", department("县城市管理局"), never),
    ("县府办", department("县人民政府办公室"), never),
    ("县环保局", department("市生态环境局桐溪分局"), never),
    ("县供电局", department("国网桐溪县供电公司"), never),
    ("县水务公司", department("县自来水公司"), never),
    ("县医院", lambda p: p.department == "县人民医院" or p.says("县人民医院"), never),
    ("卫健委 义诊", of_about(WJW, "义诊"), never),
    ("文旅局 民宿", of_about(WLJ, "民宿"), never),
    ("人社局 招聘", of_about(RSJ, "招聘"), never),
    ("住建局 OR 城管局", either("县住房和城乡建设局", "县城市管理局"), never),
    ("防汛 -应急局", lambda p: p.says("汛"), department("县应急管理局")),
]


# name: (its queries, how many at least); each group's precision@3 is reported and held
# to THRESHOLD on its own. "words" also looks posts up by their exact titles.
def says_all(*words: str) -> Judge:
    return lambda p: p.says_all(*words)


def in_files(*words: str) -> Judge:
    """Posts whose attachment says every word (and not their own text alone)."""
    return lambda p: all(w in p.files for w in words)


# What only a post's attachment says (the demo's job tables, forms and name lists): a
# position, a field of study, a form's field, a person named in a 公示.
ATTACHMENTS: list[Query] = [
    ("乡村振兴专干", says("乡村振兴专干"), never),
    ("社区网格员", says("社区网格员"), never),
    ("文物保护员", says("文物保护员"), never),
    ("污水处理操作工", says("污水处理操作工"), never),
    ("电商运营专员", says("电商运营专员"), never),
    ("水利水电工程", says("水利水电工程"), never),
    ("食品科学与工程", says("食品科学与工程"), never),
    ("临床医师 硕士研究生", says_all("临床医师", "硕士研究生"), never),
    ("岗位代码", in_files("岗位代码"), never),
    ("户籍所在地", says("户籍所在地"), never),
    ("身份证号码 报名表", says_all("身份证号码", "报名表"), never),
    ("报名须知", says("报名须知"), never),
    ("赵德明", says("赵德明"), never),
    ("钱秀英", says("钱秀英"), never),
    ("名单 石门镇卫生院", says_all("名单", "石门镇卫生院"), never),
]
GROUPS: dict[str, tuple[list[Query], int]] = {
    "words": (QUERIES, 40),
    "short names": (SHORT_NAMES, 30),
    "attachments": (ATTACHMENTS, 10),
}
WITH_TITLES = {"words"}


@pytest.fixture(scope="module")
def corpus(crawled: Crawled) -> dict[str, Judged]:
    """The indexed posts, judged: topics from the demo world that wrote them."""
    config = crawled.config
    store = pipeline.open_store(config)
    routed = pipeline.route(config, store, crawled.clock())
    canonical = pipeline.find_reprints(config, routed)
    store.close()
    world = World(clock=lambda: START)
    names = {s.id: s.name for s in config.sources}
    judged = {}
    for item in routed:
        post = item.post.post
        if canonical.get(post.id, post.id) != post.id:
            continue  # reprints are found through their original
        path = urlsplit(post.url).path
        num = int(re.findall(r"_(\d+)\.html$", path)[0])
        demo = world.find(demo_source(path.split("/")[1]), num)
        assert demo is not None, post.url
        # (a feed's item links no attachment: only the list pages' articles do)
        ext = files.kind(demo.topic, demo.num) if post.attachments else ""
        written = "\n".join(files.lines(demo.title, ext, demo.num)) if ext else ""
        judged[post.id] = Judged(
            post.id, post.title, post.text, names[post.source_id], demo.topic, written
        )
    return judged


@pytest.fixture(scope="module", params=SEARCH_ENGINES)
def index(
    request: pytest.FixtureRequest, crawled: Crawled, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The crawled county's index on each engine: the portal as crawled (whoosh, the
    default), and a copy of it with `search.engine: tantivy` rebuilt by `hub index`."""
    if request.param == crawled.config.search.engine:
        return crawled.config.index_dir
    copy = tmp_path_factory.mktemp("engine") / "county"
    shutil.copytree(crawled.config.root, copy, symlinks=True)
    path = copy / "channels.yaml"  # its search: section has the demo's synonyms
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\nsearch:", f"\nsearch:\n  engine: {request.param}", 1))
    config = pipeline.load(copy / "channels.yaml")
    store = pipeline.open_store(config)
    assert pipeline.reindex(config, store, crawled.clock()).rebuilt
    store.close()
    assert search.engines.recorded(config.index_dir) == request.param
    return config.index_dir


def all_hits(index: Path, query: str, names: Synonyms) -> list[str]:
    found: list[str] = []
    page = 1
    while True:
        request = search.Request(query, page=page, per_page=100)
        results = search.search(index, request, names)
        # the set judges posts; the demo's services are judged in test_services.py
        found += [h.id for h in results.hits if not h.path.startswith("banshi/")]
        if page >= results.pages:
            return found
        page += 1


def exact_titles(corpus: dict[str, Judged]) -> list[str]:
    """Posts whose exact title, typed as a query, must come back in the top 3."""
    by_title: dict[str, list[str]] = {}
    for pid, post in corpus.items():
        by_title.setdefault(post.title, []).append(pid)
    unique = sorted(ids[0] for title, ids in by_title.items() if len(ids) == 1 and len(title) >= 8)
    step = max(1, len(unique) // UNIQUE_TITLES)
    chosen = unique[::step][:UNIQUE_TITLES]
    assert len(chosen) == UNIQUE_TITLES
    return chosen


@pytest.mark.parametrize("group", GROUPS)
def test_relevance_set(
    index: Path,
    corpus: dict[str, Judged],
    crawled: Crawled,
    group: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    queries, least = GROUPS[group]
    assert len(queries) >= least
    names = search_names(crawled.config)  # the demo's synonyms and aliases, as served
    lines, precisions, problems = [], [], []
    for query, relevant, forbidden in queries:
        hits = all_hits(index, query, names)
        answers = {pid for pid, post in corpus.items() if relevant(post)}
        assert len(answers) >= 3, f"{query!r}: the corpus has too few answers to judge by"
        top = hits[:3]
        precision = sum(1 for pid in top if pid in answers) / 3
        precisions.append(precision)
        wrong = [corpus[pid].title for pid in hits if forbidden(corpus[pid])]
        if wrong:
            problems.append(f"{query!r} found what it must not: {wrong[:3]}")
        recall = len(answers & set(hits)) / len(answers)
        lines.append(f"  P@3 {precision:.2f}  recall {recall:.2f}  {len(hits):4d} hits  {query}")
    for pid in exact_titles(corpus) if group in WITH_TITLES else []:
        ok = pid in all_hits(index, corpus[pid].title, names)[:3]
        precisions.append(1.0 if ok else 0.0)
        lines.append(f"  top3 {'yes' if ok else 'NO '}  {corpus[pid].title}")
    mean = sum(precisions) / len(precisions)
    report = "\n".join(
        [
            f"search relevance, {group} ({search.engines.recorded(index)}): "
            f"{len(precisions)} queries, mean precision@3 {mean:.3f}",
            *lines,
        ]
    )
    with capsys.disabled():
        print("\n" + report)
    assert problems == []
    assert mean >= THRESHOLD, report


def test_the_search_service_expands_with_the_countys_names(crawled: Crawled) -> None:
    """`hub serve` and `hub search` pass the configuration's names to every search: an
    alias (县府办) finds its department there, not through hub's table alone."""
    service = pipeline.SearchService(crawled.config)
    request = service.request({"q": "县府办"})
    served = [hit.department for hit in service.results(request).hits]
    assert served[:3] == ["县人民政府办公室"] * 3  # (towns reprinting it follow)
    assert search.search(crawled.config.index_dir, request).total == 0
