"""The fictional 桐溪县: its towns, departments and public bodies as demo sources.

Each source publishes in one of four shapes (RSS 2.0, Atom, a TRS-style list page, a
Hanweb-style list page), some in GBK, at its own pace and on its own topics. A few are
broken or dormant on purpose, as in any real county.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

TOWN, DEPT, BODY = "镇街", "部门", "企事业单位"
# Dormant ("zombie") sources stopped publishing on this day and never resumed.
ZOMBIE_SINCE = datetime(2026, 1, 20, tzinfo=UTC)


@dataclass(frozen=True)
class DemoSource:
    id: str
    name: str
    group: str
    shape: str  # rss | atom | trs | hanweb
    topics: dict[str, int]  # topic -> weight
    rate: float = 0.6  # posts per day
    gbk: bool = False  # served as GBK bytes with <meta charset=gb2312> and no HTTP charset
    status: str = "ok"  # ok | zombie | error500 | gone404
    reprints: bool = False  # towns reprint its notices
    weekly: str = ""  # a topic it also publishes every Monday morning
    pinned: bool = False  # its list page keeps its oldest post pinned (置顶) on top


_TOWN_TOPICS = {
    "gongzuo": 5,
    "yiju": 2,
    "pingan": 2,
    "hemei": 2,
    "xingfu": 1,
    "yiyou": 1,
    "haoli": 1,
    "hongse": 1,
    "qingfeng": 1,
}


def _town(
    sid: str, name: str, shape: str, gbk: bool = False, pinned: bool = False, **topics: int
) -> DemoSource:
    return DemoSource(
        sid, name, TOWN, shape, {**_TOWN_TOPICS, **topics}, rate=0.7, gbk=gbk, pinned=pinned
    )


SOURCES: tuple[DemoSource, ...] = (
    _town("chengguan", "城关街道办事处", "rss", yiju=4),
    _town("dongcheng", "东城街道办事处", "atom", yiju=3, xingfu=2),
    _town("baisha", "白沙镇人民政府", "trs", yiye=2, pinned=True),
    _town("shimen", "石门镇人民政府", "trs", gbk=True, yiyou=4),
    _town("liutang", "柳塘镇人民政府", "hanweb", hemei=4),
    _town("yunling", "云岭镇人民政府", "trs", yiyou=4),
    _town("shuanghe", "双河镇人民政府", "hanweb", gbk=True, pingan=4),
    _town("longquan", "龙泉镇人民政府", "rss", yiyou=3),
    _town("qingshui", "清水镇人民政府", "trs", gbk=True),
    _town("taoyuan", "桃源镇人民政府", "atom", hemei=3, yiyou=2),
    _town("xinghua", "杏花乡人民政府", "hanweb", haoli=3),
    _town("meiling", "梅岭乡人民政府", "trs", yiyou=3),
    _town("qingshan", "青山乡人民政府", "rss", hongse=3),
    _town("zhuxi", "竹溪乡人民政府", "hanweb", yiyou=2, hemei=2),
    _town("xinhua", "新华街道办事处", "trs", xingfu=3),
    DemoSource(
        "zfb",
        "县人民政府办公室",
        DEPT,
        "rss",
        {"shizheng": 6, "tongzhi": 2, "gongzuo": 1},
        rate=1.0,
        reprints=True,
    ),
    DemoSource(
        "xwxcb",
        "中共桐溪县委宣传部",
        DEPT,
        "atom",
        {"shoufa": 4, "hemei": 2, "haoli": 2, "shizheng": 1},
        rate=0.4,
    ),
    DemoSource(
        "rmt",
        "县融媒体中心",
        DEPT,
        "rss",
        {"shizheng": 3, "gongzuo": 2, "yiyou": 1, "pingan": 1, "xingfu": 1},
        rate=1.2,
        weekly="zhoubao",
    ),
    DemoSource("fgj", "县发展和改革局", DEPT, "trs", {"gongzuo": 3, "yiye": 2, "tongzhi": 2}),
    DemoSource(
        "jyj", "县教育局", DEPT, "trs", {"xingfu": 4, "gongzuo": 2, "tongzhi": 1, "yiye": 1}
    ),
    DemoSource("gaj", "县公安局", DEPT, "atom", {"pingan": 5, "haoli": 1, "gongzuo": 1}, rate=0.8),
    DemoSource(
        "mzj", "县民政局", DEPT, "hanweb", {"xingfu": 4, "gongzuo": 2, "hemei": 1}, pinned=True
    ),
    DemoSource("sfj", "县司法局", DEPT, "trs", {"gongzuo": 3, "pingan": 2, "hongse": 1}, gbk=True),
    DemoSource("czj", "县财政局", DEPT, "hanweb", {"gongzuo": 3, "tongzhi": 3}),
    DemoSource(
        "rsj",
        "县人力资源和社会保障局",
        DEPT,
        "trs",
        {"yiye": 6, "xingfu": 2, "tongzhi": 1},
        reprints=True,
        pinned=True,
    ),
    DemoSource(
        "zrzyj", "县自然资源局", DEPT, "trs", {"gongzuo": 3, "pingan": 2, "tongzhi": 2}, gbk=True
    ),
    DemoSource("sthj", "市生态环境局桐溪分局", DEPT, "rss", {"yiju": 4, "gongzuo": 2}),
    DemoSource("zjj", "县住房和城乡建设局", DEPT, "hanweb", {"yiju": 5, "tongzhi": 2, "pingan": 1}),
    DemoSource("jtj", "县交通运输局", DEPT, "trs", {"gongzuo": 3, "pingan": 2, "tongzhi": 2}),
    DemoSource("slj", "县水利局", DEPT, "rss", {"pingan": 4, "yiju": 2, "gongzuo": 1}),
    DemoSource("nyj", "县农业农村局", DEPT, "trs", {"hemei": 4, "gongzuo": 2, "yiye": 1}),
    DemoSource("swj", "县商务局", DEPT, "atom", {"yiye": 4, "yiyou": 1, "gongzuo": 1}),
    DemoSource(
        "wlj",
        "县文化和旅游局",
        DEPT,
        "trs",
        {"yiyou": 7, "hongse": 1, "tongzhi": 1},
        rate=0.9,
        gbk=True,
        pinned=True,
    ),
    DemoSource(
        "wjw",
        "县卫生健康委员会",
        DEPT,
        "rss",
        {"xingfu": 5, "gongzuo": 1, "yiye": 1},
        reprints=True,
    ),
    DemoSource("tyjrj", "县退役军人事务局", DEPT, "hanweb", {"hongse": 3, "haoli": 2, "xingfu": 1}),
    DemoSource(
        "yjj", "县应急管理局", DEPT, "rss", {"pingan": 7, "gongzuo": 1}, rate=0.9, reprints=True
    ),
    DemoSource("scjgj", "县市场监督管理局", DEPT, "trs", {"yiye": 2, "pingan": 2, "gongzuo": 2}),
    DemoSource("ybj", "县医疗保障局", DEPT, "atom", {"xingfu": 5, "qingfeng": 1}),
    DemoSource("lyj", "县林业局", DEPT, "hanweb", {"pingan": 3, "yiju": 2, "gongzuo": 1}),
    DemoSource("jw", "县纪委监委", DEPT, "rss", {"qingfeng": 6, "hongse": 1}, reprints=True),
    DemoSource("cgj", "县城市管理局", DEPT, "trs", {"yiju": 4, "gongzuo": 2}),
    DemoSource("xfj", "县消防救援大队", DEPT, "atom", {"pingan": 5, "haoli": 1}),
    DemoSource("dsb", "中共桐溪县委党史研究室", DEPT, "trs", {"hongse": 6}, rate=0.25),
    DemoSource("tjj", "县统计局", DEPT, "hanweb", {"gongzuo": 3, "tongzhi": 2}, status="zombie"),
    DemoSource("daj", "县档案馆", DEPT, "trs", {"gongzuo": 2, "hongse": 2}, status="zombie"),
    DemoSource("gxs", "县供销合作社", DEPT, "rss", {"gongzuo": 3, "yiye": 1}, status="zombie"),
    DemoSource("qxj", "县气象局", DEPT, "rss", {"pingan": 3}, status="error500"),
    DemoSource("kxj", "县科学技术协会", DEPT, "trs", {"gongzuo": 2}, status="gone404"),
    DemoSource("gdj", "国网桐溪县供电公司", BODY, "rss", {"qiye": 5, "pingan": 1}, rate=0.4),
    DemoSource("zls", "县自来水公司", BODY, "trs", {"qiye": 5}, rate=0.3),
    DemoSource("rmyy", "县人民医院", BODY, "hanweb", {"xingfu": 3, "qiye": 3}, rate=0.5),
)

TOWNS = tuple(s for s in SOURCES if s.group == TOWN)
# Departments whose sites the county runs but the demo's channels.yaml does not read yet:
# the README adds one by its address (`hub sources add`).
UNLISTED: tuple[DemoSource, ...] = (
    DemoSource("tyzx", "县体育事业发展中心", DEPT, "trs", {"xingfu": 3, "yiyou": 2, "gongzuo": 2}),
)


def source(source_id: str) -> DemoSource:
    for candidate in (*SOURCES, *UNLISTED):
        if candidate.id == source_id:
            return candidate
    raise KeyError(source_id)
