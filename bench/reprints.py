"""Reprints: how many paragraphs of real report prose hub wrongly takes for one another's
reprints, how many reprints of notices made of that prose it recognises (a preface
added, the attachment lines dropped, the last paragraph cut, 转发 before the title, and
combinations), and the time to cluster them; each beside the rule of sketches alone
(estimated Jaccard >= 0.9, as before containment) in the same run.

    python -m bench.reprints
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from bench.common import DATA, START, Row, best, timed
from hub import reprints
from hub.models import Post
from hub.reprints import Candidate

REPORTS = DATA / "government_work_reports.jsonl"
SHORTEST = 80  # characters: a paragraph shorter than this is no post of its own
NOTICES = 400  # notices made of report paragraphs, each reprinted in every way
_SENTENCE = re.compile(r"(?<=[。；！？])")


def paragraphs(shortest: int = SHORTEST) -> list[str]:
    """The reports' paragraphs (read at run time, never copied); [] without ../shared."""
    if not REPORTS.is_file():
        return []
    lines = REPORTS.read_text(encoding="utf-8").splitlines()
    found = (p.strip() for line in lines for p in json.loads(line)["content"].split("\n"))
    return [p for p in found if len(p) >= shortest]


@dataclass(frozen=True)
class Notice:
    """A notice as a county publishes it, in the parts a reprinting town changes."""

    title: str
    addressed: str  # 各镇（街道）、县直各有关单位：
    paragraphs: tuple[str, ...]
    attached: str  # the attachment lines
    signed: str  # the issuer and the date, one line each

    def text(self, *, paragraphs: int | None = None, attached: bool = True) -> str:
        kept = self.paragraphs[:paragraphs]
        return "\n".join(
            (self.addressed, *kept, *([self.attached] if attached else ()), self.signed)
        )

    def forwarded(self, body: str, town: str = "白沙镇") -> str:
        """A town's 转发: its own addressees, the sentence that forwards the notice, its
        signature and date, then the notice."""
        preface = (
            f"为进一步抓好贯彻落实，现将《{self.title}》转发给你们，请结合实际，认真贯彻执行。"
        )
        return "\n".join(
            ("各村（社区）、镇直各单位：", preface, f"{town}人民政府", "2026年6月15日", body)
        )

    def reprints(self) -> dict[str, tuple[str, str]]:
        """What towns make of it: kind -> (title, text)."""
        cut = len(self.paragraphs) - 1
        return {
            "preface added": (self.title, self.forwarded(self.text())),
            "attachment lines dropped": (self.title, self.text(attached=False)),
            "last paragraph cut": (self.title, self.text(paragraphs=cut, attached=False)),
            "title prefixed 转发": (f"转发{self.title}", self.text()),
            "转发 title, preface, no attachment": (
                f"转发{self.title}",
                self.forwarded(self.text(attached=False)),
            ),
            "关于转发 title, preface, last paragraph cut": (
                f"关于转发{self.title}的通知",
                self.forwarded(self.text(paragraphs=cut, attached=False)),
            ),
        }


def notices(prose: Sequence[str], count: int = NOTICES) -> list[Notice]:
    """Notices of 150 to 600 characters, as counties publish them: a paragraph of report
    prose of four sentences or more, none over a third of it, in three or four paragraphs."""
    made: list[Notice] = []
    for n, paragraph in enumerate(p for p in prose if 150 <= len(p) <= 600):
        sentences = [s for s in _SENTENCE.split(paragraph) if s]
        if len(sentences) < 4 or max(map(len, sentences)) > len(paragraph) / 3:
            continue
        parts: list[str] = [""]
        for sentence in sentences:
            if len(parts[-1]) >= len(paragraph) / 4:
                parts.append("")
            parts[-1] += sentence
        if len(parts) < 3 or len(parts[-1]) > len(paragraph) / 3:
            continue  # (a town cuts a last paragraph, not half the notice)
        attached = f"附件：1.{n}号工作台账.docx\n2.{n}号联系人名单.xlsx"
        title = f"县人民政府办公室关于{paragraph[:12]}的通知"
        signed = "县人民政府办公室\n2026年6月12日"
        made.append(Notice(title, "各镇（街道）、县直各有关单位：", tuple(parts), attached, signed))
        if len(made) == count:
            break
    return made


def candidates(posts: Iterable[Post], *, texts: bool = True) -> list[Candidate]:
    """Candidates all dated within the hour (the hardest case); without their texts
    (`texts=False`) the sketches alone decide, as before containment."""
    return [
        Candidate(
            p.key,
            reprints.sketch_post(p),
            START + timedelta(minutes=n % 60),
            p.key,
            "",
            "",
            p if texts else None,
        )
        for n, p in enumerate(posts)
    ]


def post(pid: str, title: str, text: str) -> Post:
    return Post("bench", pid, f"https://x.gov.cn/{pid}.html", title, text, text, START)


def false_merges(found: Mapping[str, str], texts: Mapping[str, str]) -> int:
    """Posts clustered with a canonical post whose text, set aside what reprints change,
    is not the same as theirs."""
    return sum(
        1
        for pid, canonical in found.items()
        if reprints.normalize(texts[pid]) != reprints.normalize(texts[canonical])
    )


def recall(found: Mapping[str, str], made: Sequence[Notice]) -> tuple[int, int, int]:
    """(reprints, those clustered with their notice, reprints clustered with another
    notice, not the same text)."""
    total = caught = wrong = 0
    texts = [reprints.normalize(f"{m.title}\n{m.text()}") for m in made]
    for n, notice in enumerate(made):
        for kind in notice.reprints():
            copy = f"n{n}:{kind}"
            total += 1
            caught += found.get(copy) is not None and found.get(copy) == found.get(f"n{n}")
            other = found.get(copy, copy).split(":")[0]
            wrong += other.startswith("n") and texts[int(other[1:])] != texts[n]
    return total, caught, wrong


def crafted(made: Sequence[Notice]) -> list[Post]:
    posts = [post(f"n{n}", m.title, m.text()) for n, m in enumerate(made)]
    posts += [
        post(f"n{n}:{kind}", title, text)
        for n, m in enumerate(made)
        for kind, (title, text) in m.reprints().items()
    ]
    return posts


def rows(repeat: int = 1, shortest: int = SHORTEST, count: int = NOTICES) -> list[Row]:
    prose = paragraphs(shortest)
    if not prose:
        return [Row("reprints: needs ../shared/data (real report prose)", 0, "-", "skipped")]
    texts = {str(n): p for n, p in enumerate(prose)}
    posts = [post(pid, "", text) for pid, text in texts.items()]
    sketched, seconds = timed(lambda: candidates(posts))
    made = [Row(f"reprints: sketch {len(posts):,} paragraphs", len(posts) / seconds, "posts/s")]
    rules = (("sketches alone (J>=0.9)", False), ("containment", True))
    for label, whole in rules:
        given = sketched if whole else candidates(posts, texts=False)
        found, took = best(partial(reprints.clusters, given), repeat)
        wrong = false_merges(found, texts)
        made.append(
            Row(
                f"reprints: false merges in report prose, {label}",
                100 * wrong / len(posts),
                "% posts",
                f"{wrong} of {len(posts):,} paragraphs of {shortest}+ chars; "
                f"{len(found)} in clusters; clustered in {took:.2f}s",
            )
        )
    _, took = timed(lambda: reprints.clusters(sketched))
    made.append(Row("  the same clustered again (a long-running hub's memo)", took * 1000, "ms"))
    notes = notices(prose, count)
    used = {"".join(n.paragraphs) for n in notes}  # (a notice holds its paragraph whole)
    pool = crafted(notes) + [p for p in posts if p.text not in used]
    for label, whole in rules:
        total, caught, wrong = recall(reprints.clusters(candidates(pool, texts=whole)), notes)
        made.append(
            Row(
                f"reprints: crafted reprints recognised, {label}",
                100 * caught / total,
                "%",
                f"{caught} of {total} ({len(notes)} notices x 6 ways) among "
                f"{len(posts):,} paragraphs; {wrong} joined to another notice",
            )
        )
    return made


if __name__ == "__main__":
    for row in rows():
        print(f"{row.name}: {row.value:,.2f} {row.unit}  ({row.note})")
