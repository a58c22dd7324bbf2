"""The names residents give the county's bodies (卫健局 for 县卫生健康委员会): hub's table of
the standard short forms, a county's own synonym groups and each source's aliases, and
a typed clause's alternatives from them. Pure; applied at query time, so a change to
any of them needs no re-index."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from hub.search.query import Clause, Parsed
from hub.text import fold_simplified

# One body a line: its names' stems, then `|` and the words for the kind of body that
# follow them (局, 委员会); none: the names are used whole. A stem marked * names the body
# on its own (卫健, 文旅); an unmarked one is an everyday word too (应急, 交通, 卫生), so it
# is expanded only with a body word after it (应急局) and is never offered for a stem
# typed alone: 应急 stays a topic, not 县应急管理局's posts.
TABLE = """
卫健* 卫生健康* 卫计* 卫生 | 局 委 委员会
文旅* 文化和旅游* 文化旅游* 文广旅* 文化广电和旅游* | 局
人社* 人力资源和社会保障* 人力资源社会保障* 人力社保* | 局
住建* 住房和城乡建设* 住房城乡建设* | 局 委
市场监管* 市场监督管理* 市监* 工商 | 局
发改* 发展和改革* 发展改革* | 局 委
医保* 医疗保障* | 局
退役军人 退役军人事务* | 局
街道 | 办 办事处 工委
融媒* 融媒体* | 中心
自然资源 自然资源和规划* 自然资源规划* 国土资源 国土 | 局
生态环境 环保 环境保护 | 局 分局
农业农村 农业 | 局
应急 应急管理 安监 | 局
交通 交通运输 | 局
水利 水务 | 局
教体* 教育和体育* 教育体育* 教育 | 局
工信* 工业和信息化* 工业信息化* 经信* 经济和信息化* | 局 委
科技 科学技术 | 局
城管* 城市管理* 城市管理综合执法* | 局
政务服务 政务服务和大数据管理* 政务服务管理* | 局 中心
行政审批 行政审批服务* | 局
住房公积金* 公积金* | 中心 管理中心
疾控* 疾病预防控制* | 中心
司法 | 局 所
公安 | 局 分局
税务 | 局 分局
供电 | 公司 局 所 分公司
消防救援 消防 | 大队 队 站 支队
林业 林草 林业和草原 | 局
气象 | 局 站
烟草 烟草专卖 | 局 公司
邮政 邮政管理 | 局 公司 分公司
档案 | 馆 局
体育 | 局 中心 事业发展中心
自来水 供水 | 公司
机关事务* 机关事务管理* | 局 中心
粮食 粮食和物资储备 | 局
纪委监委* 纪委* 监委* 纪律检查委员会* 监察委员会* 纪检监察* |
政府办* 人民政府办公室* 政府办公室* |
县政府* 县人民政府* |
市政府* 市人民政府* |
区政府* 区人民政府* |
镇政府* 镇人民政府* |
乡政府* 乡人民政府* |
妇联* 妇女联合会* |
团县委* 共青团县委* |
残联* 残疾人联合会* |
科协* 科学技术协会* 科技协会* |
文联* 文学艺术界联合会* |
红十字会* 红会* |
总工会* 工会联合会* |
供销社* 供销合作社* 供销合作联社* |
党史办* 党史研究室* |
法院* 人民法院* |
检察院* 人民检察院* |
"""

# Words a body's name ends with, longest first: what is cut off to compare two names.
BODY_WORDS = tuple(
    sorted(
        [
            "局",
            "分局",
            "委",
            "委员会",
            "办",
            "办公室",
            "办事处",
            "工委",
            "中心",
            "管理中心",
            "事业发展中心",
            "大队",
            "队",
            "支队",
            "站",
            "所",
            "公司",
            "分公司",
            "院",
            "会",
            "馆",
            "部",
            "室",
            "处",
        ],
        key=len,
        reverse=True,
    )
)
PLACE_ENDS = frozenset("省市州盟县区旗镇乡")
MAX_ALTERNATIVES = 12  # each costs the engines a clause: a body's commonest names first


@dataclass(frozen=True)
class Body:
    """One kind of body by all its names: `stems` (the short form first), the body words
    they take (`kinds`, () when the names are whole; None: any, kept as typed)."""

    stems: tuple[str, ...]
    alone: frozenset[str]  # stems that name the body on their own
    kinds: tuple[str, ...] | None


@dataclass(frozen=True)
class Found:
    """Where a body's name ends a typed text: before it (a place), the stem, the word."""

    body: Body
    place: str
    stem: str
    kind: str


@dataclass(frozen=True)
class Core:
    """A body's name without its place and body word (`Synonyms.core`)."""

    written: str  # as the name has it (卫生健康 of 县卫生健康委员会)
    stems: frozenset[str]  # every stem the table knows the body by (卫健, 卫生, …)
    names: frozenset[str]  # the written one and those that name it alone (卫健, 卫计)


class Synonyms:
    """The bodies' names a search expands a clause with. Compared by identity: built once
    per configuration (`build` caches it)."""

    def __init__(self, bodies: Iterable[Body] = (), names: Iterable[Iterable[str]] = ()) -> None:
        self.bodies = tuple(bodies)
        self._names: dict[str, tuple[str, ...]] = {}  # a whole name: the others it has
        for group in names:
            folded = tuple(dict.fromkeys(_fold(n) for n in group if _fold(n)))
            for name in folded:
                known = self._names.get(name, ())
                self._names[name] = tuple(dict.fromkeys((*known, *folded)))
        self._ends: dict[str, list[Body]] = {}  # a stem: the bodies it is a name of
        for body in self.bodies:
            for stem in body.stems:
                self._ends.setdefault(stem, []).append(body)
        self._longest = max(map(len, self._ends), default=0)
        self._cores: dict[str, Core] = {}  # (department names are few)

    def expand(self, parsed: Parsed) -> Parsed:
        """Each clause with the other names of the body it names. A phrase is as typed."""
        if not (self.bodies or self._names):
            return parsed

        def one(clause: Clause) -> Clause:
            if clause.phrase:
                return clause
            others = self.alternatives(clause.text)
            return replace(clause, alternatives=others) if others else clause

        required = tuple(tuple(one(c) for c in group) for group in parsed.required)
        return Parsed(required, tuple(one(c) for c in parsed.excluded))

    def alternatives(self, text: str) -> tuple[str, ...]:
        """The other names of what `text` names as a whole: an alias's department and its
        other aliases, then the table's forms of a body's name ending the text, the typed
        body word first (县卫健局: 县卫生健康局, 县卫生健康委员会, …); () for none."""
        found = [n for n in self._names.get(text, ()) if n != text]
        for end in self.find(text):
            body, place = end.body, end.place
            if not end.kind:  # a stem alone: only the names that stand alone
                found += [place + s for s in body.stems if s in body.alone]
                continue
            kinds = (end.kind,) if body.kinds is None else body.kinds
            ordered = sorted(kinds, key=lambda k: k != end.kind)
            found += [place + s + k for k in ordered for s in body.stems]
        unique = [n for n in dict.fromkeys(found) if n != text]
        return tuple(unique[:MAX_ALTERNATIVES])

    def find(self, text: str) -> list[Found]:
        """The bodies whose name ends `text` (the longest such name), if what stands
        before it may be a place: nothing, a place's last character (县, 镇), or a
        name of two characters or more (白沙, 城关) — not a word's first character."""
        best: list[Found] = []
        for kind in (*BODY_WORDS, ""):
            if kind and not text.endswith(kind):
                continue
            head = text[: len(text) - len(kind)]
            for size in range(min(len(head), self._longest), 1, -1):
                stem, place = head[-size:], head[:-size]
                if place and place[-1] not in PLACE_ENDS and len(place) < 2:
                    continue
                for body in self._ends.get(stem, ()):
                    if not _takes(body, stem, kind):
                        continue
                    if best and len(stem) + len(kind) < len(best[0].stem) + len(best[0].kind):
                        continue
                    if best and len(stem) + len(kind) > len(best[0].stem) + len(best[0].kind):
                        best = []
                    best.append(Found(body, place, stem, kind))
        return best

    def core(self, name: str) -> Core:
        """A body's name without its place and body word, as written, and every stem the
        body is known by: for comparing names (县卫健局 and 县卫生健康委员会 share 卫生健康;
        县教育局 and 县审计局 share only what every name has). A name the table does not
        know is cut of a body word and of a place up to its 县, 镇 or the like."""
        known = self._cores.get(name)
        if known is None:
            found = self.find(name)
            written = found[0].stem if found else _core(name)
            stems = frozenset(s for end in found for s in end.body.stems) | {written}
            short = frozenset(s for end in found for s in end.body.alone) | {written}
            known = self._cores[name] = Core(written, stems, short)
        return known


def _takes(body: Body, stem: str, kind: str) -> bool:
    if not kind:
        return stem in body.alone
    return body.kinds is None or kind in body.kinds


def _core(name: str) -> str:
    for kind in BODY_WORDS:
        if name.endswith(kind) and len(name) > len(kind) + 1:
            name = name[: -len(kind)]
            break
    cut = max((i for i, c in enumerate(name[:-2]) if c in PLACE_ENDS), default=-1)
    return name[cut + 1 :]


def _fold(text: str) -> str:
    return " ".join(fold_simplified(text).split())


def _table(text: str) -> tuple[Body, ...]:
    bodies = []
    for line in text.strip().splitlines():
        names, _, kinds = line.partition("|")
        stems = [_fold(s.rstrip("*")) for s in names.split()]
        alone = frozenset(_fold(s.rstrip("*")) for s in names.split() if s.endswith("*"))
        bodies.append(Body(tuple(stems), alone, tuple(kinds.split())))
    return tuple(bodies)


BUILTIN_BODIES = _table(TABLE)


@lru_cache(maxsize=8)
def build(
    groups: tuple[tuple[str, ...], ...] = (),
    names: tuple[tuple[str, ...], ...] = (),
    *,
    builtin: bool = True,
) -> Synonyms:
    """The table (unless `builtin` is False), a county's synonym groups (each word naming
    the body alone, with any body word after it: 卫健 and 卫健局), and whole names (a
    source's name with its aliases). Cached: a server builds it once per configuration."""
    county = (
        Body(tuple(stems), frozenset(stems), None)
        for stems in (tuple(dict.fromkeys(_fold(w) for w in g if _fold(w))) for g in groups)
        if len(stems) > 1
    )
    return Synonyms((*county, *(BUILTIN_BODIES if builtin else ())), names)


def from_sources(groups: Iterable[Iterable[str]], aliases: Mapping[str, Iterable[str]]) -> Synonyms:
    """`build` from a configuration's values: synonym groups, and each department's
    aliases by its name."""
    named = tuple((name, *others) for name, others in aliases.items() if tuple(others))
    return build(tuple(tuple(g) for g in groups), tuple(tuple(n) for n in named))


BUILTIN = build()
NONE = Synonyms()  # no expansion at all (the benchmark's "off")
